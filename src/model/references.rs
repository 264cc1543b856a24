//! References between pages must name pages that exist: owners, leads,
//! `see_also` and `replaces`. A reference written as a title where an id is
//! meant ("Accessibility") is mended to the id it slugifies to.

use super::fields::Fields;
use super::*;
use crate::diag::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::text::slugify;

/// References between pages must name pages that exist.
pub(super) fn check_references(handbook: &mut Handbook, diags: &mut Diagnostics) {
    let ids_of = |kind: Kind| -> Vec<String> { handbook.of_kind(kind).map(|(_, p)| p.id.clone()).collect() };
    let communities = ids_of(Kind::Community);
    let people = ids_of(Kind::Person);
    let terms = ids_of(Kind::Term);
    let principles = ids_of(Kind::Principle);
    let mut fixes: Vec<(usize, Fix)> = Vec::new();
    for (i, page) in handbook.pages.iter().enumerate() {
        let f = Fields::new(&page.source, &page.front);
        for (n, owner) in page.owners.iter().enumerate() {
            match resolve(owner, &communities) {
                Some(id) if &id != owner => fixes.push((i, Fix::Owner(n, id))),
                Some(_) => {}
                None => diags.push(unknown(&f, "owner", Code::UnknownOwner, owner, "a known community", &communities)),
            }
        }
        if let Some(c) = page.community() {
            for (n, lead) in c.leads.iter().enumerate() {
                match resolve(lead, &people) {
                    Some(id) if &id != lead => fixes.push((i, Fix::Lead(n, id))),
                    Some(_) => {}
                    None => diags.push(unknown(&f, "leads", Code::UnknownPerson, lead, "a known person", &people)),
                }
            }
        }
        if let Some(t) = page.term() {
            for (n, other) in t.see_also.iter().enumerate() {
                match resolve(other, &terms) {
                    Some(id) if &id != other => fixes.push((i, Fix::SeeAlso(n, id))),
                    Some(_) => {}
                    None => diags.push(unknown(&f, "see_also", Code::UnknownTerm, other, "a glossary term", &terms)),
                }
            }
        }
        for (n, principle) in page.item().map(|it| it.principles.as_slice()).unwrap_or_default().iter().enumerate() {
            match resolve(principle, &principles) {
                Some(id) if &id != principle => fixes.push((i, Fix::Principle(n, id))),
                Some(_) => {}
                None => diags.push(unknown(
                    &f,
                    "principles",
                    Code::UnknownPrinciple,
                    principle,
                    "a known principle",
                    &principles,
                )),
            }
        }
        if let Some(replaced) = page.item().and_then(|it| it.replaces.as_ref()) {
            if handbook.get(page.kind, replaced).is_none() {
                let same_kind = ids_of(page.kind);
                diags.push(unknown(
                    &f,
                    "replaces",
                    Code::UnknownItem,
                    replaced,
                    &format!("a known {}", page.kind.name()),
                    &same_kind,
                ));
            }
        }
    }
    for (i, fix) in fixes {
        let page = &mut handbook.pages[i];
        match (fix, &mut page.typed) {
            (Fix::Owner(n, id), _) => page.owners[n] = id,
            (Fix::Lead(n, id), Typed::Community(c)) => c.leads[n] = id,
            (Fix::SeeAlso(n, id), Typed::Term(t)) => t.see_also[n] = id,
            (Fix::Principle(n, id), Typed::Item(it)) => it.principles[n] = id,
            _ => {}
        }
    }
}

/// A reference written as a title ("Accessibility") where an id is meant.
enum Fix {
    Owner(usize, String),
    Lead(usize, String),
    SeeAlso(usize, String),
    Principle(usize, String),
}

/// The id a reference names: itself, or the id it slugifies to.
fn resolve(reference: &str, ids: &[String]) -> Option<String> {
    if ids.iter().any(|id| id == reference) {
        return Some(reference.to_string());
    }
    let slug = slugify(reference);
    ids.iter().find(|id| **id == slug).cloned()
}

fn unknown(f: &Fields, key: &str, code: Code, value: &str, what: &str, known: &[String]) -> Diagnostic {
    let hint = did_you_mean(value, known.iter().map(String::as_str)).or_else(|| {
        Some(if known.is_empty() {
            format!("there is none yet: add one, or remove '{value}' from {key}")
        } else {
            format!("known ids: {}", known.iter().take(8).cloned().collect::<Vec<_>>().join(", "))
        })
    });
    Diagnostic::error(code, format!("{key} '{value}' is not {what}")).at(f.file, f.line(key)).maybe_hint(hint)
}
