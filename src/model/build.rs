//! From loaded documents to the typed handbook: each document to a page
//! ([`super::page`]), the glossary file's terms, the pages copbook
//! generates, the lookup tables, and the checks of references.

use super::fields::Fields;
use super::page::{dir_of, is_index_name, page_from_document, stem};
use super::*;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys;
use crate::load::Document;
use crate::load::Folder;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Builds the handbook from a loaded folder. `today` decides review states.
/// Drafts are left out unless `drafts` (the preview's `--drafts`).
pub fn handbook(folder: &Folder, today: Date, drafts: bool, diags: &mut Diagnostics) -> Handbook {
    handbook_with(folder, today, drafts, None, diags)
}

/// The page each document made in an earlier build (for `serve`), kept
/// while the document and everything else a page is made from are the same.
#[derive(Default)]
pub struct Cache {
    /// The key of what every page is made from besides its document.
    setting: u64,
    /// By document path.
    made: HashMap<String, Made>,
}

struct Made {
    /// Kept whole, so that its shared parts (front matter, body, history)
    /// stay alive and the same pointer means the same value.
    document: Document,
    page: Option<Page>,
    found: Diagnostics,
}

/// Whether two documents are the same: their shared parts by pointer (a
/// document read again is another allocation), the rest by value. Every
/// field is named, so that a new one cannot be forgotten.
fn same_document(a: &Document, b: &Document) -> bool {
    let Document { path, logical, url, redirect_from, front, body, body_line, updated, history } = a;
    Arc::ptr_eq(front, &b.front)
        && Arc::ptr_eq(body, &b.body)
        && Arc::ptr_eq(history, &b.history)
        && (path, logical, url, redirect_from, body_line, updated)
            == (&b.path, &b.logical, &b.url, &b.redirect_from, &b.body_line, &b.updated)
}

/// [`handbook`], reusing the pages of `cache` whose documents did not change.
pub fn handbook_cached(
    folder: &Folder,
    today: Date,
    drafts: bool,
    cache: &mut Cache,
    diags: &mut Diagnostics,
) -> Handbook {
    handbook_with(folder, today, drafts, Some(cache), diags)
}

/// [`handbook`], with a cache to reuse and fill, or none: a one-shot build
/// keeps no copy of its pages for a next build.
fn handbook_with(
    folder: &Folder,
    today: Date,
    drafts: bool,
    mut cache: Option<&mut Cache>,
    diags: &mut Diagnostics,
) -> Handbook {
    let config = folder.config.clone();
    let index_dirs: HashSet<String> = folder
        .documents
        .iter()
        .filter(|d| is_index_name(stem(&d.logical)))
        .map(|d| dir_of(&d.logical).to_string())
        .collect();
    let setting = setting_key(&index_dirs, &config, today, drafts);
    if let Some(cache) = cache.as_deref_mut().filter(|c| c.setting != setting) {
        cache.made.clear();
        cache.setting = setting;
    }
    let keeping = cache.is_some();
    let mut kept = cache.as_deref_mut().map(|c| std::mem::take(&mut c.made)).unwrap_or_default();
    // Each document on its own, in parallel; findings keep the documents' order.
    // (page, findings, what was made afresh to keep: none when kept, or not keeping)
    let built: Vec<(Option<Page>, Diagnostics, Option<Made>)> = folder
        .documents
        .par_iter()
        .map(|doc| {
            if let Some(made) = kept.get(&doc.path).filter(|m| same_document(&m.document, doc)) {
                return (made.page.clone(), made.found.clone(), None);
            }
            let mut found = Diagnostics::default();
            let fields = Fields::new(&doc.path, &doc.front);
            let draft = fields.boolean(&keys::DRAFT, &mut found) == Some(true);
            let page =
                (!draft || drafts).then(|| page_from_document(doc, &index_dirs, &config, today, draft, &mut found));
            if !keeping {
                return (page, found, None);
            }
            (page.clone(), found.clone(), Some(Made { document: doc.clone(), page, found }))
        })
        .collect();
    let mut pages = Vec::with_capacity(built.len());
    for (doc, (page, found, fresh)) in folder.documents.iter().zip(built) {
        if let Some(cache) = cache.as_deref_mut() {
            if let Some(made) = fresh.or_else(|| kept.remove(&doc.path)) {
                cache.made.insert(doc.path.clone(), made);
            }
        }
        pages.extend(page);
        diags.extend(found);
    }
    if let Some(text) = &folder.glossary {
        pages.extend(super::glossary::terms(text, diags));
    }
    let mut handbook = Handbook {
        config,
        today,
        pages,
        ids: HashMap::new(),
        sources: HashMap::new(),
        urls: HashMap::new(),
        files: folder.files.clone(),
        redirects: folder.redirects.clone(),
        reading_order: Vec::new(),
    };
    super::nav::add_generated_pages(&mut handbook);
    index(&mut handbook, diags);
    super::nav::link_tree(&mut handbook);
    super::references::check_references(&mut handbook, diags);
    super::cycles::check(&handbook, diags);
    super::published::check(&handbook, diags);
    check_redirects(&handbook, diags);
    handbook
}

/// A page's old URL that another page lives at: the page wins (no redirect
/// is written over it), and the author hears of it, since the old links
/// now lead somewhere else.
fn check_redirects(handbook: &Handbook, diags: &mut Diagnostics) {
    for page in &handbook.pages {
        for from in &page.redirect_from {
            let url = redirect_address(from);
            let url = url.strip_suffix("index.html").unwrap_or(&url);
            let Some(&other) = handbook.urls.get(url) else { continue };
            let key = keys::REDIRECT_FROM.names().find(|k| page.front.key_lines.contains_key(*k)).unwrap_or("");
            let at = if key.is_empty() { 0 } else { page.front.line_of(key) };
            diags.push(
                Diagnostic::warning(
                    Code::RedirectClash,
                    format!(
                        "the old URL {from} is where {} lives; no redirect is written there",
                        describe(&handbook.pages[other])
                    ),
                )
                .at(&page.source, at)
                .hint("remove the URL from redirect_from, or move the page that lives there"),
            );
        }
    }
}

/// Fills the lookup tables, reporting ids and URLs used twice.
fn index(handbook: &mut Handbook, diags: &mut Diagnostics) {
    let mut folded_urls: BTreeMap<String, usize> = BTreeMap::new();
    for (i, page) in handbook.pages.iter().enumerate() {
        if !page.logical.is_empty() {
            handbook.sources.insert(page.logical.clone(), i);
        }
        if page.kind != Kind::Page && !matches!(page.kind, Kind::Generated(_)) {
            let key = (page.kind, page.id.clone());
            if let Some(&other) = handbook.ids.get(&key) {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        format!(
                            "{} id '{}' is also used by {}",
                            page.kind.name(),
                            page.id,
                            handbook.pages[other].source
                        ),
                    )
                    .at(&page.source, 0)
                    .hint("rename one of the files: ids are file names and must be unique"),
                );
            } else {
                handbook.ids.insert(key, i);
            }
        }
        if !page.has_own_page() {
            continue;
        }
        if let Some(&other) = handbook.urls.get(&page.url) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!("writes {}, as {} does", page.url, describe(&handbook.pages[other])),
                )
                .at(&page.source, 0)
                .hint("rename or move one of the two files"),
            );
            continue;
        }
        let folded = super::names::folded(&page.url);
        // Folders that clash in case are reported through the files in them.
        if let Some(&other) = folded_urls.get(&folded).filter(|_| !page.source.is_empty()) {
            let (differs, hint) = super::names::how_they_differ(&page.url, &handbook.pages[other].url);
            diags.push(
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!(
                        "writes {}, which {differs} {} ({})",
                        page.url,
                        handbook.pages[other].url,
                        describe(&handbook.pages[other])
                    ),
                )
                .at(&page.source, 0)
                .hint(hint),
            );
            continue;
        }
        folded_urls.insert(folded, i);
        handbook.urls.insert(page.url.clone(), i);
    }
}

fn describe(page: &Page) -> String {
    if page.source.is_empty() {
        format!("the generated {} page", page.title)
    } else {
        page.source.clone()
    }
}

/// The key of what every page is made from besides its own document.
fn setting_key(index_dirs: &HashSet<String>, config: &crate::config::Config, today: Date, drafts: bool) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut dirs: Vec<&String> = index_dirs.iter().collect();
    dirs.sort();
    (dirs, today, drafts).hash(&mut hasher);
    let _ = serde_json::to_writer(HashWriter(&mut hasher), config);
    hasher.finish()
}
