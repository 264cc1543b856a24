//! Glossary terms in page text: the table bodies are linked against, which
//! of its entries each body may use (what its cache key holds), where each
//! term ended up used, and a note for a term no page uses.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::markdown::glossary::{pop_up_text, Entry, Glossary, Linking, Style};
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
            definition: pop_up_text(&markdown::first_paragraph(&p.body)),
        })
        .collect();
    Some(Glossary::new(entries))
}

/// What a body reads of the glossary: the entries its text may use, and
/// how it links them. It hashes as those entries, so a term added, renamed
/// or removed, or its pop-up text edited, changes the key of exactly the
/// bodies that may use it (a term's definition among them).
pub struct Terms<'a> {
    glossary: Option<&'a Glossary>,
    candidates: Vec<usize>,
    style: Style,
}

impl<'a> Terms<'a> {
    /// The glossary page's own text and pages that opt out
    /// (`glossary_links = false`) link none. A term's definition links the
    /// other terms, never itself, as plain links ([`Style::Plain`]).
    /// `candidates` finds the entries a text may use ([`Glossary::candidates`],
    /// or a memo of it).
    pub(super) fn of(
        glossary: Option<&'a Glossary>,
        page: &Page,
        candidates: impl FnOnce(&'a Glossary, &str) -> Vec<usize>,
    ) -> Self {
        let links = page.glossary_links && page.kind != Kind::Generated(Generated::Glossary);
        let glossary = glossary.filter(|_| links);
        let mut candidates = glossary.map(|g| candidates(g, &page.body)).unwrap_or_default();
        let style = if page.kind == Kind::Term { Style::Plain } else { Style::PopUp };
        if let (Some(g), Style::Plain) = (glossary, style) {
            candidates.retain(|&e| g.entries()[e].id != page.id);
        }
        Terms { glossary, candidates, style }
    }

    pub(super) fn linking(&self) -> Option<Linking<'_>> {
        self.glossary.map(|glossary| Linking { glossary, candidates: &self.candidates, style: self.style })
    }
}

impl Hash for Terms<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.glossary.is_some().hash(state);
        self.style.hash(state);
        if let Some(g) = self.glossary {
            for &i in &self.candidates {
                g.entries()[i].hash(state);
            }
        }
    }
}

/// For each term (by page index), the pages whose bodies link it, in
/// page order; empty for every other page. Other terms' definitions are
/// not pages: a term they name is not "used" by them.
pub(super) fn uses(h: &Handbook, bodies: &[Option<&Rendered>]) -> Vec<Vec<usize>> {
    let terms: HashMap<&str, usize> = h.of_kind(Kind::Term).map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut uses = vec![Vec::new(); h.pages.len()];
    for (i, body) in bodies.iter().enumerate().filter(|(i, _)| h.pages[*i].kind != Kind::Term) {
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

#[cfg(test)]
mod tests {
    use crate::site::{build, Content, Options};

    /// Builds a handbook of `files`; each page's HTML by path, and the findings' codes.
    fn site(files: &[(&str, &str)]) -> (std::collections::BTreeMap<String, String>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let options = Options { root: dir.path().to_path_buf(), ..Options::default() };
        let (site, diags) = build(&options);
        let pages = site
            .unwrap()
            .files
            .into_iter()
            .filter_map(|(path, content)| match content {
                Content::Bytes(b) if path.ends_with(".html") => Some((path, String::from_utf8_lossy(&b).into_owned())),
                _ => None,
            })
            .collect();
        (pages, diags.iter().map(|d| format!("{} {}", d.code.as_str(), d.file)).collect())
    }

    const TERMS: [(&str, &str); 3] = [
        ("glossary/crit.md", "+++\nterm = \"Crit\"\n+++\nA crit is a critique: see show and tell.\n"),
        ("glossary/show-and-tell.md", "+++\nterm = \"Show and tell\"\n+++\nTeams show work, as in a crit.\n"),
        ("glossary/owner.md", "+++\nterm = \"Owner\"\nlink = false\n+++\nWho looks after a page.\n"),
    ];

    #[test]
    fn the_glossary_pages_own_text_and_opted_out_pages_and_terms_link_nothing() {
        let mut files = TERMS.to_vec();
        files.push(("glossary/index.md", "# Glossary\n\nThe crit, a show and tell.\n"));
        files.push(("a.md", "# A\n\nA crit with an owner.\n"));
        files.push(("b.md", "+++\nglossary_links = false\n+++\nA crit.\n"));
        let (pages, findings) = site(&files);
        let links = |path: &str| pages[path].matches("class=\"glossary-term\"").count();
        assert!(pages["glossary/index.html"].contains("<p>The crit, a show and tell.</p>"));
        assert_eq!(links("a/index.html"), 1, "only the crit, not the owner: {}", pages["a/index.html"]);
        assert_eq!(links("b/index.html"), 0);
        // Show and tell is only in definitions and the glossary page: unused.
        // The owner is not linked on purpose: no note.
        assert!(pages["glossary/index.html"].contains("Used on 1 page: <a href=\"/a/\">A</a>"));
        assert_eq!(
            findings.iter().filter(|f| f.starts_with("unused-term")).collect::<Vec<_>>(),
            ["unused-term glossary/show-and-tell.md"]
        );
    }

    /// The definition of the entry `id` on the glossary page.
    fn definition<'p>(glossary: &'p str, id: &str) -> &'p str {
        let start = glossary.find(&format!("<dt id=\"{id}\">")).unwrap_or_else(|| panic!("no entry {id}: {glossary}"));
        let rest = &glossary[start..];
        &rest[..rest.find("</dd>").unwrap_or(rest.len())]
    }

    #[test]
    fn definitions_link_the_other_terms_they_name_but_never_their_own() {
        let mut files = TERMS.to_vec();
        files.push((
            "glossary.toml",
            "[[term]]\nterm = \"Lean coffee\"\ndefinition = \"Lean coffee is no crit; a crit and lean coffee differ.\"\n\n\
             [[term]]\nterm = \"Clinic\"\nglossary_links = false\ndefinition = \"Not a crit.\"\n",
        ));
        files.push(("a.md", "# A\n\nA show and tell.\n"));
        let (pages, _) = site(&files);
        let glossary = &pages["glossary/index.html"];
        let crit = definition(glossary, "crit");
        assert!(
            crit.contains("see <a class=\"glossary-term\" href=\"/glossary/#show-and-tell\">show and tell</a>."),
            "{crit}"
        );
        assert!(!crit.contains("#crit"), "a definition links its own term: {crit}");
        // From a file or from glossary.toml; only the first use of each term.
        assert!(definition(glossary, "show-and-tell")
            .contains("<a class=\"glossary-term\" href=\"/glossary/#crit\">crit</a>"));
        let lean = definition(glossary, "lean-coffee");
        assert_eq!(lean.matches("class=\"glossary-term\"").count(), 1, "{lean}");
        assert!(lean.contains("no <a class=\"glossary-term\" href=\"/glossary/#crit\">crit</a>;"), "{lean}");
        // A plain link: the entry is on this page, and no pop-up's id repeats.
        assert!(!glossary.contains("glossary-tip"), "{glossary}");
        assert!(!definition(glossary, "clinic").contains("glossary-term"), "the entry opted out");
        // Only pages count as uses: the crit is named by definitions alone.
        assert!(!crit.contains("Used on"), "{crit}");
    }

    #[test]
    fn the_site_wide_switch_links_nothing_and_notes_nothing() {
        let mut files = TERMS.to_vec();
        files.push(("handbook.toml", "[glossary]\nlink_terms = false\n"));
        files.push(("a.md", "# A\n\nA crit.\n"));
        let (pages, findings) = site(&files);
        assert!(!pages["a/index.html"].contains("glossary-term"));
        assert!(!pages["glossary/index.html"].contains("Used on"));
        assert!(
            !findings.iter().any(|f| f.starts_with("unused-term") || f.starts_with("unknown-setting")),
            "{findings:?}"
        );
    }
}
