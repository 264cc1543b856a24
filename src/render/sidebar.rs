//! The default theme's sidebar (`nav.html`) written without Tera.
//!
//! A section longer than [`super::NAV_WHOLE`] windows its list around each
//! page, so every page of it has a sidebar of its own: at 10,000 pages that
//! is one `nav.html` render per page, and Tera made each cost about as much
//! as the rest of the page (a macro's arguments are owned values, and Tera
//! clones an owned loop item, subtree and all, at every lookup of one of its
//! fields). A handbook that overrides `nav.html` still gets its own template
//! through Tera; this only stands in for the default one, and the tests
//! below hold it to the same bytes.

use super::{escape, NavItem, NavMore, NavTree};
use std::fmt::Write;

/// The default `nav.html` rendered for `nav`.
pub fn default_nav(nav: &NavTree) -> String {
    let mut out = String::with_capacity(4096);
    tree(&mut out, &nav.items, nav.more.as_ref(), 1);
    out.push('\n');
    out
}

/// The `tree` macro of `nav.html`: one list and, below its open entry, the next.
fn tree(out: &mut String, items: &[NavItem], more: Option<&NavMore>, depth: usize) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "<ul class=\"nav-level-{depth}\">");
    for item in items {
        gap(out, item.skipped);
        out.push_str("\n<li");
        if !item.children.is_empty() {
            out.push_str(if item.open { " class=\"has-children is-open\"" } else { " class=\"has-children\"" });
        }
        out.push_str("><a href=\"");
        out.push_str(&escape(&item.url));
        out.push_str("\">");
        out.push_str(&escape(&item.title));
        out.push_str("</a>");
        if item.open && !item.children.is_empty() {
            out.push('\n');
            tree(out, &item.children, item.more.as_ref(), depth + 1);
        }
        out.push_str("</li>");
    }
    if let Some(more) = more {
        gap(out, more.skipped);
        let _ = write!(
            out,
            "\n<li class=\"nav-all\"><a class=\"nav-all-link\" href=\"{}\">All {} in {}</a></li>",
            escape(&more.url),
            more.count,
            escape(&more.title)
        );
    }
    out.push_str("\n</ul>");
}

/// The `gap` macro: the marker for `skipped` entries left out, if any.
fn gap(out: &mut String, skipped: usize) {
    if skipped > 0 {
        let _ = write!(
            out,
            "\n<li class=\"nav-gap\"><span aria-hidden=\"true\">…</span><span class=\"visually-hidden\">{skipped} more not shown</span></li>"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::render::context::SiteView;
    use crate::render::Theme;
    use std::collections::BTreeMap;

    fn item(title: &str, url: &str, skipped: usize) -> NavItem {
        NavItem { title: title.into(), url: url.into(), open: false, children: Vec::new(), skipped, more: None }
    }

    fn more(title: &str, count: usize, skipped: usize) -> Option<NavMore> {
        Some(NavMore { url: "/s/?a=1&b=\"2\"".into(), title: title.into(), count, skipped })
    }

    fn site() -> SiteView {
        let handbook = crate::model::handbook(
            &crate::load::Folder::default(),
            crate::date::Date::parse("2026-05-10", false).unwrap(),
            false,
            &mut Diagnostics::default(),
        );
        SiteView::of(&handbook)
    }

    /// Sidebars of every shape `nav.html` has a branch for: empty, flat,
    /// nested three deep with windows, gaps and "All n in" links at two
    /// levels, closed sections with children, text that needs escaping.
    fn trees() -> Vec<NavTree> {
        let leaf = |n: usize| item(&format!("Page <{n}> & \"co\"'s"), &format!("/a/p{n}/?x=1&y=2"), 0);
        let mut deepest = item("Deep", "/a/b/c/", 2);
        deepest.open = true;
        deepest.children = vec![leaf(7), item("After a gap", "/a/b/c/z/", 5)];
        deepest.more = more("Deep <section>", 40, 3);
        let mut middle = item("Middle", "/a/b/", 0);
        middle.open = true;
        middle.children = vec![leaf(4), deepest, leaf(5)];
        let mut closed = item("Closed", "/closed/", 0);
        closed.children = vec![leaf(9)];
        let mut top = item("Top & more", "/a/", 0);
        top.open = true;
        top.children = vec![leaf(1), middle, item("Windowed", "/a/w/", 12)];
        top.more = more("Top", 100, 0);
        let mut open_but_empty = item("Open, no children", "/o/", 0);
        open_but_empty.open = true;
        vec![
            NavTree { items: Vec::new(), more: None },
            NavTree { items: vec![leaf(1), leaf(2)], more: None },
            NavTree {
                items: vec![top, closed, open_but_empty, item("Last", "/last/", 4)],
                more: more("Home", 316, 17),
            },
            NavTree { items: vec![leaf(3)], more: more("Home", 30, 0) },
        ]
    }

    #[test]
    fn the_default_sidebar_is_byte_for_byte_what_the_themes_nav_html_renders() {
        let theme = Theme::load(&BTreeMap::new(), &mut Diagnostics::default()).unwrap();
        let site = site();
        for (n, nav) in trees().iter().enumerate() {
            let by_tera = theme.render_nav_template(&site, nav).unwrap();
            assert_eq!(default_nav(nav), by_tera, "tree {n}");
        }
    }

    #[test]
    fn an_overridden_nav_html_is_rendered_by_its_template() {
        let overrides = BTreeMap::from([("nav.html".to_string(), "<p>{{ nav | length }} entries</p>".to_string())]);
        let theme = Theme::load(&overrides, &mut Diagnostics::default()).unwrap();
        let nav = &trees()[1];
        assert_eq!(theme.render_nav(&site(), nav).unwrap(), "<p>2 entries</p>");
        let default = Theme::load(&BTreeMap::new(), &mut Diagnostics::default()).unwrap();
        assert_eq!(default.render_nav(&site(), nav).unwrap(), default_nav(nav));
    }
}
