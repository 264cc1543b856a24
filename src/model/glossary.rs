//! Terms from `glossary.toml`: many `[[term]]` tables in one file, beside
//! (and in one namespace with) the one-term-per-file `glossary/` folder.

use super::fields::Fields;
use super::page::DEFAULT_WEIGHT;
use super::typed;
use super::{Kind, Page, Term, Typed};
use crate::config::toml_error;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys;
use crate::load::{FrontMatter, GLOSSARY_FILE};
use crate::text::slugify;

pub(super) fn terms(text: &str, diags: &mut Diagnostics) -> Vec<Page> {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            diags.push(toml_error(GLOSSARY_FILE, text, 0, &e));
            return Vec::new();
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.trim() == "[[term]]").map(|(i, _)| i).collect();
    let entries = match table.get("term") {
        Some(toml::Value::Array(entries)) => entries.as_slice(),
        _ => {
            diags.push(
                Diagnostic::warning(Code::EmptyGlossary, "glossary.toml holds no [[term]] tables")
                    .at(GLOSSARY_FILE, 1)
                    .hint("write each term as a table: [[term]] then term = \"...\" and definition = \"...\""),
            );
            return Vec::new();
        }
    };
    let mut pages = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        let start = starts.get(n).copied().unwrap_or(0);
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        let Some(entry) = entry.as_table() else { continue };
        let front = entry_front_matter(entry, &lines[start..end], start as u32);
        let f = Fields::new(GLOSSARY_FILE, &front);
        let Some(name) = f.text(&keys::TERM, diags).or_else(|| f.text(&keys::TITLE, diags)) else {
            diags.push(
                Diagnostic::error(Code::MissingTitle, "a [[term]] has no 'term'")
                    .at(GLOSSARY_FILE, start as u32 + 1)
                    .hint("add term = \"The term\" to this table"),
            );
            continue;
        };
        let id = f.text(&keys::ID, diags).unwrap_or_else(|| slugify(&name));
        let definition = f.text(&keys::DEFINITION, diags).unwrap_or_default();
        let term = typed::term(&f, diags);
        let line = f.line("definition");
        let glossary_links = f.boolean(&keys::GLOSSARY_LINKS, diags).unwrap_or(true);
        let mut page = term_page(id, name, definition.into(), front, term, GLOSSARY_FILE, line);
        page.glossary_links = glossary_links;
        pages.push(page);
    }
    pages
}

/// The table's values, with each key's line in the file.
fn entry_front_matter(entry: &toml::Table, lines: &[&str], first: u32) -> FrontMatter {
    let fields = match crate::load::front_matter::toml_to_json(toml::Value::Table(entry.clone())) {
        serde_json::Value::Object(map) => map,
        _ => Default::default(),
    };
    let key_lines = entry
        .keys()
        .map(|k| {
            let offset = lines.iter().position(|l| {
                let l = l.trim_start();
                l.strip_prefix(k.as_str()).is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            (k.clone(), first + offset.map_or(0, |o| o as u32) + 1)
        })
        .collect();
    FrontMatter { fields, key_lines, first_line: first + 1, invalid: false }
}
/// A page with front matter given directly (for terms from glossary.toml).
fn term_page(
    id: String,
    title: String,
    body: std::sync::Arc<str>,
    front: FrontMatter,
    term: Term,
    source: &str,
    line: u32,
) -> Page {
    let front = std::sync::Arc::new(front);
    Page {
        kind: Kind::Term,
        url: format!("/glossary/#{}", slugify(&id)),
        id,
        source: source.to_string(),
        logical: source.to_string(),
        redirect_from: Vec::new(),
        title,
        description: None,
        weight: DEFAULT_WEIGHT,
        body,
        body_line: line,
        front,
        updated: None,
        history: Default::default(),
        owners: Vec::new(),
        review: None,
        contact: None,
        typed: Typed::Term(term),
        parent: None,
        children: Vec::new(),
        draft: false,
        // Set from the entry's `glossary_links` by the caller.
        glossary_links: true,
    }
}
