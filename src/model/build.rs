//! From loaded documents to the typed handbook: kinds, ids, URLs, typed
//! fields, glossary terms, the pages copbook generates, and the checks of
//! references between them.

use super::fields::Fields;
use super::names::url_segment;
use super::review::Review;
use super::*;
use crate::date::Date;
use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::load::{Document, Folder, FrontMatter};
use crate::markdown::slugify;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};

/// Builds the handbook from a loaded folder. `today` decides review states.
pub fn handbook(folder: &Folder, today: Date, diags: &mut Diagnostics) -> Handbook {
    let config = folder.config.clone();
    let index_dirs: HashSet<String> = folder
        .documents
        .iter()
        .filter(|d| is_index_name(stem(&d.logical)))
        .map(|d| dir_of(&d.logical).to_string())
        .collect();
    // Each document on its own, in parallel; findings keep the documents' order.
    let built: Vec<(Option<Page>, Diagnostics)> = folder
        .documents
        .par_iter()
        .map(|doc| {
            let mut found = Diagnostics::default();
            let fields = Fields::new(&doc.path, &doc.front);
            let page = if fields.boolean(&["draft"], &mut found) == Some(true) {
                None
            } else {
                page_from_document(doc, &index_dirs, &config, today, &mut found)
            };
            (page, found)
        })
        .collect();
    let mut pages = Vec::with_capacity(built.len());
    for (page, found) in built {
        pages.extend(page);
        diags.extend(found);
    }
    if let Some(text) = &folder.glossary {
        pages.extend(super::glossary::terms(text, &config, today, diags));
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
    check_references(&mut handbook, diags);
    super::cycles::check(&handbook, diags);
    super::published::check(&handbook, diags);
    handbook
}

fn stem(path: &str) -> &str {
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

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn is_index_name(stem: &str) -> bool {
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

fn page_from_document(
    doc: &Document,
    index_dirs: &HashSet<String>,
    config: &crate::config::Config,
    today: Date,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let f = Fields::new(&doc.path, &doc.front);
    let logical = doc.logical.as_str();
    let folder_kind = kind_of_path(logical);
    let is_folder_index = folder_kind != Kind::Page && is_index_name(stem(logical)) && !dir_of(logical).contains('/');
    let kind = match f.text(&["kind"], diags) {
        Some(name) => Kind::from_name(&name.to_ascii_lowercase()).unwrap_or_else(|| {
            diags.push(
                Diagnostic::error(
                    "bad-value",
                    format!(
                        "kind '{name}' is not one of page, community, person, term, principle, guideline, standard"
                    ),
                )
                .at(&doc.path, f.line("kind"))
                .maybe_hint(did_you_mean(
                    &name,
                    ["page", "community", "person", "term", "principle", "guideline", "standard"],
                )),
            );
            folder_kind
        }),
        // The index of a typed folder introduces the generated directory; it is not an item.
        None if is_folder_index => Kind::Page,
        None => folder_kind,
    };
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
    let title_keys: &[&str] = match kind {
        Kind::Term => &["term", "title"],
        Kind::Person => &["name", "title"],
        _ => &["title"],
    };
    let title = f.text(title_keys, diags).or_else(|| first_heading(&doc.body)).unwrap_or_else(|| {
        let name =
            if is_index_name(stem(logical)) { dir_of(logical).rsplit('/').next().unwrap_or("") } else { stem(logical) };
        humanise(name)
    });
    let owners = f.list(&["owner", "owners"], diags);
    let last_reviewed = f.date(&["last_reviewed", "last_reviewed_on"], false, diags);
    let review_every = f.duration(&["review_every", "review_in"], diags);
    let review_by = f.date(&["review_by", "expires", "expire_by"], false, diags);
    if let (Some(last), Some(by)) = (last_reviewed, review_by) {
        if by < last {
            diags.push(
                Diagnostic::error("review-order", format!("review_by {by} is before last_reviewed {last}"))
                    .at(&doc.path, f.line("review_by"))
                    .hint("set review_by to a date after the last review, or remove it to use review_every"),
            );
        }
    }
    let mut review = Review::compute(kind, last_reviewed, review_every, review_by, &config.review, today);
    let typed = match kind {
        Kind::Community => Typed::Community(community(&f, diags)),
        Kind::Person => Typed::Person(Person {
            role: f.text(&["role"], diags),
            team: f.text(&["team"], diags),
            contact: f.text(&["contact"], diags),
        }),
        Kind::Term => Typed::Term(Term {
            abbreviation: f.text(&["abbreviation", "abbr"], diags),
            aliases: f.list(&["aliases"], diags),
            see_also: f.list(&["see_also"], diags),
        }),
        k if k.is_item() => Typed::Item(item(&f, diags)),
        _ => Typed::None,
    };
    // A retired item is kept for the record; nobody reviews it. Front matter
    // that could not be read (already reported) may well hold review dates.
    if doc.front.invalid || matches!(&typed, Typed::Item(Item { status: Some(ItemStatus::Retired), .. })) {
        review = None;
    }
    Some(Page {
        kind,
        id,
        source: doc.path.clone(),
        logical: doc.logical.clone(),
        redirect_from: doc.redirect_from.clone(),
        url,
        title,
        description: f.text(&["description", "summary"], diags),
        weight: f.integer(&["weight"], diags).unwrap_or(DEFAULT_WEIGHT),
        body: doc.body.clone(),
        body_line: doc.body_line,
        front: doc.front.clone(),
        updated: doc.updated,
        owners,
        review,
        contact: f.text(&["owner_slack", "contact"], diags).filter(|_| kind != Kind::Person),
        typed,
        parent: None,
        children: Vec::new(),
    })
}

/// Pages without a weight come after weighted ones.
pub(super) const DEFAULT_WEIGHT: i64 = i64::MAX / 2;

fn community(f: &Fields, diags: &mut Diagnostics) -> Community {
    use CommunityStatus::*;
    Community {
        summary: f.text(&["summary"], diags),
        leads: f.list(&["leads", "lead"], diags),
        leads_as_of: f.date(&["leads_as_of"], true, diags),
        status: f.choice(
            "status",
            &[("forming", Forming), ("active", Active), ("paused", Paused), ("closed", Closed)],
            diags,
        ),
        meets: f.text(&["meets"], diags),
        channels: channels(f, diags),
        formats: f.list(&["formats"], diags),
        started: f.date(&["started"], true, diags),
        approved: f.date(&["approved"], true, diags),
        sessions: sessions(f, diags),
    }
}

fn item(f: &Fields, diags: &mut Diagnostics) -> Item {
    use ItemStatus::*;
    Item {
        status: f.choice("status", &[("draft", Draft), ("published", Published), ("retired", Retired)], diags),
        version: f.text(&["version"], diags),
        replaces: f.text(&["replaces"], diags),
        number: f.integer(&["number"], diags),
    }
}

fn channels(f: &Fields, diags: &mut Diagnostics) -> Vec<Channel> {
    let Some(value) = f.raw("channels") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in value.as_array().map_or(std::slice::from_ref(value), |a| a.as_slice()) {
        match entry {
            serde_json::Value::String(s) => out.push(Channel { name: s.clone(), url: None }),
            serde_json::Value::Object(o) => {
                let text = |k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_string);
                match text("name").or_else(|| text("url")) {
                    Some(name) => out.push(Channel { name, url: text("url") }),
                    None => diags.push(missing_field(
                        f,
                        "channels",
                        "name",
                        "{ name = \"#cop-content\", url = \"https://...\" }",
                    )),
                }
            }
            _ => diags.push(missing_field(f, "channels", "name", "{ name = \"#cop-content\", url = \"https://...\" }")),
        }
    }
    out
}

fn sessions(f: &Fields, diags: &mut Diagnostics) -> Vec<Session> {
    let Some(value) = f.raw("sessions") else { return Vec::new() };
    let example = "{ date = 2026-12-03, time = \"14:00\", title = \"Screen reader clinic\" }";
    let mut out = Vec::new();
    for entry in value.as_array().map_or(std::slice::from_ref(value), |a| a.as_slice()) {
        let Some(o) = entry.as_object() else {
            diags.push(missing_field(f, "sessions", "date", example));
            continue;
        };
        let text = |k: &str| {
            o.get(k).and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_number().map(|n| n.to_string())))
        };
        match text("date").and_then(|d| Date::parse(&d, false)) {
            Some(date) => out.push(Session {
                date,
                time: text("time"),
                title: text("title").or_else(|| text("theme")),
                format: text("format"),
                facilitator: text("facilitator"),
            }),
            None => diags.push(
                Diagnostic::error(
                    "bad-date",
                    format!("a session has no date, or '{}' is not a date", text("date").unwrap_or_default()),
                )
                .at(f.file, f.line("sessions"))
                .hint(format!("give each session a date: {example}")),
            ),
        }
    }
    out.sort_by_key(|s| s.date);
    out
}

fn missing_field(f: &Fields, key: &str, field: &str, example: &str) -> Diagnostic {
    Diagnostic::error("bad-type", format!("each entry of '{key}' needs a '{field}'"))
        .at(f.file, f.line(key))
        .hint(format!("write entries like {example}"))
}

/// The text of the first heading, for pages without a title.
pub fn first_heading(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    let mut previous = "";
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            previous = "";
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim_start_matches('#');
            if rest.starts_with(' ') && line.len() - rest.len() <= 6 {
                // A closing run of '#' counts only after a space: `# C#` is "C#".
                let text = rest.trim();
                let open = text.trim_end_matches('#');
                let text = if open.is_empty() || open.ends_with(' ') { open.trim() } else { text };
                let text = match text.rfind(" {") {
                    Some(i) if text.ends_with('}') => &text[..i],
                    _ => text,
                };
                return Some(plain_inline(text)).filter(|t| !t.is_empty());
            }
        }
        let underline = !trimmed.is_empty() && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'));
        if underline && !previous.trim().is_empty() && !line.starts_with("    ") {
            return Some(plain_inline(previous.trim())).filter(|t| !t.is_empty());
        }
        previous = line;
    }
    None
}

/// Drops the commonest inline Markdown marks from a heading used as a title.
fn plain_inline(text: &str) -> String {
    text.replace("**", "").replace('`', "").replace("__", "")
}

/// `setting-up_a community` -> `Setting up a community`.
pub(super) fn humanise(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Untitled".into(),
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
                        "duplicate-id",
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
                    "duplicate-url",
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
                    "duplicate-url",
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

/// References between pages must name pages that exist.
fn check_references(handbook: &mut Handbook, diags: &mut Diagnostics) {
    let ids_of = |kind: Kind| -> Vec<String> { handbook.of_kind(kind).map(|(_, p)| p.id.clone()).collect() };
    let communities = ids_of(Kind::Community);
    let people = ids_of(Kind::Person);
    let terms = ids_of(Kind::Term);
    let mut fixes: Vec<(usize, Fix)> = Vec::new();
    for (i, page) in handbook.pages.iter().enumerate() {
        let f = Fields::new(&page.source, &page.front);
        for (n, owner) in page.owners.iter().enumerate() {
            match resolve(owner, &communities) {
                Some(id) if &id != owner => fixes.push((i, Fix::Owner(n, id))),
                Some(_) => {}
                None => diags.push(unknown(&f, "owner", "unknown-owner", owner, "a known community", &communities)),
            }
        }
        if let Some(c) = page.community() {
            for (n, lead) in c.leads.iter().enumerate() {
                match resolve(lead, &people) {
                    Some(id) if &id != lead => fixes.push((i, Fix::Lead(n, id))),
                    Some(_) => {}
                    None => diags.push(unknown(&f, "leads", "unknown-person", lead, "a known person", &people)),
                }
            }
        }
        if let Some(t) = page.term() {
            for (n, other) in t.see_also.iter().enumerate() {
                match resolve(other, &terms) {
                    Some(id) if &id != other => fixes.push((i, Fix::SeeAlso(n, id))),
                    Some(_) => {}
                    None => diags.push(unknown(&f, "see_also", "unknown-term", other, "a glossary term", &terms)),
                }
            }
        }
        if let Some(replaced) = page.item().and_then(|it| it.replaces.as_ref()) {
            if handbook.get(page.kind, replaced).is_none() {
                let same_kind = ids_of(page.kind);
                diags.push(unknown(
                    &f,
                    "replaces",
                    "unknown-item",
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
            _ => {}
        }
    }
}

/// A reference written as a title ("Accessibility") where an id is meant.
enum Fix {
    Owner(usize, String),
    Lead(usize, String),
    SeeAlso(usize, String),
}

/// The id a reference names: itself, or the id it slugifies to.
fn resolve(reference: &str, ids: &[String]) -> Option<String> {
    if ids.iter().any(|id| id == reference) {
        return Some(reference.to_string());
    }
    let slug = slugify(reference);
    ids.iter().find(|id| **id == slug).cloned()
}

fn unknown(f: &Fields, key: &str, code: &'static str, value: &str, what: &str, known: &[String]) -> Diagnostic {
    let hint = did_you_mean(value, known.iter().map(String::as_str)).or_else(|| {
        Some(if known.is_empty() {
            format!("there is none yet: add one, or remove '{value}' from {key}")
        } else {
            format!("known ids: {}", known.iter().take(8).cloned().collect::<Vec<_>>().join(", "))
        })
    });
    Diagnostic::error(code, format!("{key} '{value}' is not {what}")).at(f.file, f.line(key)).maybe_hint(hint)
}

/// A page with front matter given directly (for terms from glossary.toml).
pub(super) fn term_page(
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
        owners: Vec::new(),
        review: None,
        contact: None,
        typed: Typed::Term(term),
        parent: None,
        children: Vec::new(),
    }
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

    #[test]
    fn first_heading_finds_atx_and_setext() {
        assert_eq!(first_heading("Intro\n\n## Second {#x}\n").as_deref(), Some("Second"));
        assert_eq!(first_heading("Title here\n==========\n").as_deref(), Some("Title here"));
        assert_eq!(first_heading("```\n# not a heading\n```\n# Real\n").as_deref(), Some("Real"));
        assert_eq!(first_heading("#hashtag\ntext"), None);
        assert_eq!(first_heading("# **Bold** title #").as_deref(), Some("Bold title"));
        assert_eq!(first_heading("# C#\n").as_deref(), Some("C#"));
        assert_eq!(first_heading("## F# ##\n").as_deref(), Some("F#"));
    }

    #[test]
    fn humanises_names() {
        assert_eq!(humanise("setting-up_a-community"), "Setting up a community");
        assert_eq!(humanise(""), "Untitled");
    }
}
