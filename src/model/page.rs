//! One document to one page: its kind, id and URL, its title, the fields
//! every page has, and its review dates.

use super::fields::Fields;
use super::names::url_segment;
use super::review::Review;
use super::typed;
use super::*;
use crate::date::Date;
use crate::diag::Code;
use crate::diag::Diagnostics;
use crate::keys;
use crate::load::Document;
use crate::text::{first_heading, humanise, slugify};
use crate::url_safety::Place;
use std::collections::HashSet;

/// Pages without a weight come after weighted ones.
pub(super) const DEFAULT_WEIGHT: i64 = i64::MAX / 2;

pub(super) fn page_from_document(
    doc: &Document,
    index_dirs: &HashSet<String>,
    config: &Config,
    today: Date,
    draft: bool,
    diags: &mut Diagnostics,
) -> Page {
    let f = Fields::new(&doc.path, &doc.front);
    let kind = kind_of(doc, &f, diags);
    let (id, url) = id_and_url(doc, kind, index_dirs, config);
    let title = title(doc, kind, &f, diags);
    let owners = f.list(&keys::OWNER, diags);
    let redirect_from = redirect_from(doc, kind, &f, diags);
    let mut review = review(kind, &f, config, today, diags);
    let typed = typed::typed(kind, &f, diags);
    // A retired item is kept for the record; nobody reviews it. Front matter
    // that could not be read (already reported) may well hold review dates.
    if doc.front.invalid || matches!(&typed, Typed::Item(Item { status: Some(ItemStatus::Retired), .. })) {
        review = None;
    }
    Page {
        kind,
        id,
        source: doc.path.clone(),
        logical: doc.logical.clone(),
        redirect_from,
        url,
        title,
        description: f.text(&keys::DESCRIPTION, diags),
        weight: f.integer(&keys::WEIGHT, diags).unwrap_or(DEFAULT_WEIGHT),
        body: doc.body.clone(),
        body_line: doc.body_line,
        front: doc.front.clone(),
        updated: doc.updated,
        history: doc.history.clone(),
        owners,
        review,
        contact: f.url(&keys::CONTACT, Place::TextOrLink, diags).filter(|_| kind != Kind::Person),
        typed,
        parent: None,
        children: Vec::new(),
        draft,
        glossary_links: f.boolean(&keys::GLOSSARY_LINKS, diags).unwrap_or(true),
    }
}

/// `kind =` when given and valid, else the kind the folder gives.
fn kind_of(doc: &Document, f: &Fields, diags: &mut Diagnostics) -> Kind {
    let logical = doc.logical.as_str();
    let folder_kind = kind_of_path(logical);
    let is_folder_index = folder_kind != Kind::Page && is_index_name(stem(logical)) && !dir_of(logical).contains('/');
    match f.choice(&keys::KIND, diags) {
        Some(name) => Kind::from_name(name).unwrap_or(folder_kind),
        // An invalid kind was reported; the folder's kind keeps the findings that follow meaningful.
        None if f.raw(&keys::KIND).is_some() => folder_kind,
        // The index of a typed folder introduces the generated directory; it is not an item.
        None if is_folder_index => Kind::Page,
        None => folder_kind,
    }
}

/// The page's id (its file name; its URL for plain pages) and its URL.
fn id_and_url(doc: &Document, kind: Kind, index_dirs: &HashSet<String>, config: &Config) -> (String, String) {
    let logical = doc.logical.as_str();
    let mut url = doc.url.clone().unwrap_or_else(|| url_of(logical, index_dirs));
    let id = match kind {
        Kind::Page => url.clone(),
        _ => stem(logical).to_string(),
    };
    if kind == Kind::Term {
        url = format!("/glossary/#{}", slugify(&id));
    }
    if kind == Kind::Person && !config.theme.people_pages {
        url = format!("/people/#person-{}", slugify(&id));
    }
    (id, url)
}

/// The page's old URLs: those the adapter found, and `redirect_from`
/// (`aliases`) in front matter.
fn redirect_from(doc: &Document, kind: Kind, f: &Fields, diags: &mut Diagnostics) -> Vec<String> {
    let mut urls = doc.redirect_from.clone();
    // A term lives at an anchor of the glossary page, and its `aliases`
    // are other words for it.
    let given = if kind == Kind::Term { Vec::new() } else { f.list(&keys::REDIRECT_FROM, diags) };
    for url in given {
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

/// The title: the kind's own name key, `title`, the first heading, or the file name.
fn title(doc: &Document, kind: Kind, f: &Fields, diags: &mut Diagnostics) -> String {
    let named = match kind {
        Kind::Term => f.text(&keys::TERM, diags),
        Kind::Person => f.text(&keys::NAME, diags),
        _ => None,
    };
    named.or_else(|| f.text(&keys::TITLE, diags)).or_else(|| first_heading(&doc.body)).unwrap_or_else(|| {
        let logical = doc.logical.as_str();
        let name =
            if is_index_name(stem(logical)) { dir_of(logical).rsplit('/').next().unwrap_or("") } else { stem(logical) };
        humanise(name)
    })
}

/// Review dates, checked against each other, and the review state they give.
fn review(kind: Kind, f: &Fields, config: &Config, today: Date, diags: &mut Diagnostics) -> Option<Review> {
    let last_reviewed = f.date(&keys::LAST_REVIEWED, diags);
    let review_every = f.duration(&keys::REVIEW_EVERY, diags);
    let review_by = f.date(&keys::REVIEW_BY, diags);
    if let (Some(last), Some(by)) = (last_reviewed, review_by) {
        if by < last {
            diags.push(
                crate::diag::Diagnostic::error(
                    Code::ReviewOrder,
                    format!("review_by {by} is before last_reviewed {last}"),
                )
                .at(f.file, f.line("review_by"))
                .hint("set review_by to a date after the last review, or remove it to use review_every"),
            );
        }
    }
    Review::compute(kind, last_reviewed, review_every, review_by, &config.review, today)
}

pub(super) fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".markdown") {
        &name[..name.len() - 9]
    } else if lower.ends_with(".md") {
        &name[..name.len() - 3]
    } else {
        name
    }
}

pub(super) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

pub(super) fn is_index_name(stem: &str) -> bool {
    stem == "index" || stem == "_index"
}

/// `a/b/c.md` -> `/a/b/c/`; `a/index.md` -> `/a/`; `README.md` is an index
/// when its folder has no `index.md`.
pub(super) fn url_of(path: &str, index_dirs: &HashSet<String>) -> String {
    let dir = dir_of(path);
    let stem = stem(path);
    let is_index = is_index_name(stem) || (stem.eq_ignore_ascii_case("readme") && !index_dirs.contains(dir));
    let mut url = String::from("/");
    for segment in dir.split('/').filter(|s| !s.is_empty()) {
        url.push_str(&url_segment(segment));
        url.push('/');
    }
    if !is_index {
        url.push_str(&url_segment(stem));
        url.push('/');
    }
    url
}

/// The kind a file's folder gives it, and whether it is that folder's index.
fn kind_of_path(path: &str) -> Kind {
    let top = path.split('/').next().unwrap_or("");
    let in_folder = path.contains('/');
    Kind::FOLDERS.iter().find(|(folder, _, _)| in_folder && top == *folder).map_or(Kind::Page, |(_, kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_paths() {
        let none = HashSet::new();
        assert_eq!(url_of("index.md", &none), "/");
        assert_eq!(url_of("standards/alt-text.md", &none), "/standards/alt-text/");
        assert_eq!(url_of("how-we-work/_index.md", &none), "/how-we-work/");
        assert_eq!(url_of("guides/README.md", &none), "/guides/");
        let with_index: HashSet<String> = ["guides".to_string()].into();
        assert_eq!(url_of("guides/README.md", &with_index), "/guides/README/");
        assert_eq!(url_of("Our guides/Café menu.md", &none), "/Our-guides/Café-menu/");
    }
}
