//! Glossary terms in page text: the table bodies are linked against, which
//! of its entries each body may use (what its cache key holds), where each
//! term ended up used, and a note for a term no page uses.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::markdown::glossary::{Entry, Glossary, Linking};
use crate::markdown::{self, Rendered};
use crate::model::{Generated, Handbook, Kind, Page};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// The table of linkable terms; `None` when `[glossary] link_terms = false`.
pub(super) fn table(h: &Handbook) -> Option<Glossary> {
    if !h.config.glossary.link_terms {
        return None;
    }
    let entries = h
        .of_kind(Kind::Term)
        .filter_map(|(_, p)| Some((p, p.term().filter(|t| t.link)?)))
        .map(|(p, t)| Entry {
            id: p.id.clone(),
            href: h.href(&p.url),
            names: std::iter::once(&p.title).chain(&t.aliases).cloned().collect(),
            abbreviation: t.abbreviation.clone(),
            definition: markdown::first_paragraph(&p.body),
        })
        .collect();
    Some(Glossary::new(entries))
}

/// What a body reads of the glossary: the entries its text may use.
/// It hashes as those entries, so a term added, renamed or removed, or a
/// definition edited, changes the key of exactly the bodies that may use it.
pub struct Terms<'a> {
    glossary: Option<&'a Glossary>,
    candidates: Vec<usize>,
}

impl<'a> Terms<'a> {
    /// The glossary page itself, terms' own definitions and pages that opt
    /// out (`glossary_links = false`) link none.
    pub(super) fn of(glossary: Option<&'a Glossary>, page: &Page) -> Self {
        let links = page.glossary_links && page.kind != Kind::Term && page.kind != Kind::Generated(Generated::Glossary);
        let glossary = glossary.filter(|_| links);
        let candidates = glossary.map(|g| g.candidates(&page.body)).unwrap_or_default();
        Terms { glossary, candidates }
    }

    pub(super) fn linking(&self) -> Option<Linking<'_>> {
        self.glossary.map(|glossary| Linking { glossary, candidates: &self.candidates })
    }
}

impl Hash for Terms<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.glossary.is_some().hash(state);
        if let Some(g) = self.glossary {
            for &i in &self.candidates {
                g.entries()[i].hash(state);
            }
        }
    }
}

/// For each term (by page index), the pages whose bodies link it, in
/// page order; empty for every other page.
pub(super) fn uses(h: &Handbook, bodies: &[Option<&Rendered>]) -> Vec<Vec<usize>> {
    let terms: HashMap<&str, usize> = h.of_kind(Kind::Term).map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut uses = vec![Vec::new(); h.pages.len()];
    for (i, body) in bodies.iter().enumerate() {
        for id in body.map(|b| b.glossary_terms.as_slice()).unwrap_or_default() {
            if let Some(&t) = terms.get(id.as_str()) {
                uses[t].push(i);
            }
        }
    }
    uses
}

/// A note for each linkable term that no page uses: a word the handbook
/// defines but never says may be worth removing, or its pages worth a look.
pub(super) fn report_unused(h: &Handbook, glossary: Option<&Glossary>, uses: &[Vec<usize>], diags: &mut Diagnostics) {
    if glossary.is_none() {
        return;
    }
    for (i, p) in h.of_kind(Kind::Term) {
        if p.term().is_some_and(|t| t.link) && uses[i].is_empty() {
            diags.push(
                Diagnostic::note(Code::UnusedTerm, format!("glossary term '{}' is used on no page", p.title))
                    .at(&p.source, ["term", "title"].iter().find_map(|k| p.front.key_lines.get(*k).copied()).unwrap_or(1))
                    .hint("use the term (or an alias) in a page, remove it, or set link = false if it is only for reference"),
            );
        }
    }
}
