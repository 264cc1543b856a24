//! References that lead back to where they start: an item that replaces
//! itself, or is replaced (through others) by what it replaces, and a
//! glossary term listed in its own `see_also`. Each would show a page as
//! its own successor or its own "see also".

use super::fields::Fields;
use super::Handbook;
use crate::diag::{Code, Diagnostic, Diagnostics};

/// Reports every `replaces` circle once, at the first of its files, and
/// every term that names itself in `see_also`. Linear: each item is
/// walked once.
pub(super) fn check(handbook: &Handbook, diags: &mut Diagnostics) {
    let replaced = |i: usize| {
        let page = &handbook.pages[i];
        let id = page.item()?.replaces.as_deref()?;
        handbook.ids.get(&(page.kind, id.to_string())).copied()
    };
    // 0: not seen; 1: on the path being walked; 2: done.
    let mut state = vec![0u8; handbook.pages.len()];
    for start in 0..handbook.pages.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at.filter(|&i| state[i] == 0) {
            state[i] = 1;
            path.push(i);
            at = replaced(i);
        }
        if let Some(i) = at.filter(|&i| state[i] == 1) {
            let circle = &path[path.iter().position(|&p| p == i).unwrap_or(0)..];
            diags.push(circle_finding(handbook, circle));
        }
        for i in path {
            state[i] = 2;
        }
    }
    for page in &handbook.pages {
        if page.term().is_some_and(|t| t.see_also.contains(&page.id)) {
            let f = Fields::new(&page.source, &page.front);
            diags.push(
                Diagnostic::error(Code::ReferenceCycle, format!("term '{}' lists itself in see_also", page.id))
                    .at(&page.source, f.line("see_also"))
                    .hint(format!("remove '{}' from see_also", page.id)),
            );
        }
    }
}

fn circle_finding(handbook: &Handbook, circle: &[usize]) -> Diagnostic {
    let first = *circle.iter().min_by_key(|&&i| &handbook.pages[i].source).unwrap_or(&circle[0]);
    let page = &handbook.pages[first];
    let f = Fields::new(&page.source, &page.front);
    let message = if circle.len() == 1 {
        format!("{} '{}' replaces itself", page.kind.name(), page.id)
    } else {
        // Said from the reported file round the circle and back to it.
        let at = circle.iter().position(|&i| i == first).unwrap_or(0);
        let ids: Vec<&str> =
            circle[at..].iter().chain(&circle[..at]).chain([&first]).map(|&i| handbook.pages[i].id.as_str()).collect();
        format!("'replaces' leads in a circle: {}", ids.join(" replaces "))
    };
    Diagnostic::error(Code::ReferenceCycle, message)
        .at(&page.source, f.line("replaces"))
        .hint("an item replaces an older one: remove 'replaces' from the newest of them")
}
