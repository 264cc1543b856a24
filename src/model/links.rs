//! Where a link written in a page points: another page (and an anchor on
//! it), a published file, or nothing.
//!
//! Authors write links as they see their files: relative paths to other
//! Markdown files (`../standards/captions.md#why`), root-relative URLs
//! (`/standards/captions/`), or paths to images and downloads. All of them
//! become URLs with the site's base path, which is what makes a handbook
//! work under `https://org.github.io/handbook/` as well as at a domain root.
//!
//! Handbooks moved from other generators keep their links as they were
//! written there, so a few fallbacks apply when a target names nothing as
//! written: the other generator's `.html` names, old URLs that redirect
//! (followed to the page they lead to), file names with or without their
//! `%xx` escapes and with apostrophes and commas dropped, and Confluence
//! page ids (`Page-Title_123456789.html`, `.../wiki/spaces/KEY/pages/123456789/...`).
//! Each fallback is tried only after the plain lookup fails, so none of
//! them changes where a link that already resolves points.

use super::{Handbook, Page};
use crate::text::percent_decode;
use std::collections::{HashMap, HashSet};

/// Redirects lead to redirects at most this many times.
const MAX_HOPS: u8 = 4;
/// Confluence page ids have at least this many digits.
const MIN_PAGE_ID_DIGITS: usize = 6;

/// What a link target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Another site, `mailto:` and the like: left alone.
    External,
    /// An anchor on the same page.
    SamePage(String),
    /// A page of the handbook, with the anchor the link names, if any.
    Page { index: usize, anchor: Option<String> },
    /// A published file (image, download), relative path.
    File(String),
    /// Nothing in the handbook.
    Broken,
}

/// Everything link resolution reads of the handbook, and nothing else:
/// its hash is the key of every rendered body, so a change to any of it
/// renders the bodies again, and nothing outside it can change a link.
#[derive(Debug, Clone, Hash)]
pub struct LinkTable {
    base_path: String,
    /// Each page's logical path and URL, by index.
    pages: Vec<(String, String)>,
    /// Pages by logical source path, and by URL (without anchors), sorted.
    sources: Vec<(String, usize)>,
    urls: Vec<(String, usize)>,
    /// Published files, by logical path.
    files: Vec<String>,
    /// Old URLs and where they lead: configured ones, then pages' own.
    redirects: Vec<(String, String)>,
}

impl LinkTable {
    pub fn of(handbook: &Handbook) -> Self {
        let sorted = |map: &HashMap<String, usize>| {
            let mut v: Vec<(String, usize)> = map.iter().map(|(k, &i)| (k.clone(), i)).collect();
            v.sort_unstable();
            v
        };
        let from_pages =
            handbook.pages.iter().flat_map(|p| p.redirect_from.iter().map(move |from| (from.clone(), p.url.clone())));
        LinkTable {
            base_path: handbook.config.base_path(),
            pages: handbook.pages.iter().map(|p| (p.logical.clone(), p.url.clone())).collect(),
            sources: sorted(&handbook.sources),
            urls: sorted(&handbook.urls),
            files: handbook.files.iter().map(|f| f.logical.clone()).collect(),
            redirects: handbook.redirects.iter().cloned().chain(from_pages).collect(),
        }
    }
}

/// Where a link starts from: the page's logical path and URL.
#[derive(Debug, Clone, Copy, Hash)]
pub struct LinkSource<'a> {
    pub logical: &'a str,
    pub url: &'a str,
}

impl<'a> LinkSource<'a> {
    pub fn page(page: &'a Page) -> Self {
        LinkSource { logical: &page.logical, url: &page.url }
    }
}

/// Resolves link targets against a [`LinkTable`].
pub struct Resolver<'a> {
    table: &'a LinkTable,
    sources: HashMap<&'a str, usize>,
    urls: HashMap<&'a str, usize>,
    files: HashSet<&'a str>,
    /// Old URLs (as [`redirect_key`] writes them) and where they lead.
    redirects: HashMap<String, String>,
    /// Pages by the Confluence page id ending their file name.
    page_ids: HashMap<String, usize>,
}

impl<'a> Resolver<'a> {
    pub fn new(table: &'a LinkTable) -> Self {
        let mut redirects = HashMap::new();
        for (from, to) in &table.redirects {
            redirects.entry(redirect_key(from)).or_insert_with(|| to.clone());
        }
        let mut page_ids: HashMap<String, usize> = HashMap::new();
        for (i, (logical, _)) in table.pages.iter().enumerate() {
            let Some(id) = page_id(file_stem(logical)) else { continue };
            // Exports may hold copies of a page ("Title_123 copy.md" has no
            // id); among pages with one id the shortest path is the original.
            let shorter = |j: &usize| logical.len() < table.pages[*j].0.len();
            if page_ids.get(id).is_none_or(shorter) {
                page_ids.insert(id.to_string(), i);
            }
        }
        Resolver {
            table,
            sources: table.sources.iter().map(|(k, i)| (k.as_str(), *i)).collect(),
            urls: table.urls.iter().map(|(k, i)| (k.as_str(), *i)).collect(),
            files: table.files.iter().map(String::as_str).collect(),
            redirects,
            page_ids,
        }
    }

    /// What `target`, written in `from`, points at.
    pub fn locate(&self, from: LinkSource, target: &str) -> Located {
        let target = target.trim();
        if let Some(anchor) = target.strip_prefix('#') {
            return Located::SamePage(percent_decode(anchor));
        }
        if let Some(index) = self.confluence_link(target) {
            return Located::Page { index, anchor: None };
        }
        if target.is_empty() || target.starts_with("//") || has_scheme(target) {
            return Located::External;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, Some(percent_decode(a)).filter(|a| !a.is_empty())),
            None => (target, None),
        };
        let raw = path.split('?').next().unwrap_or(path);
        let decoded = percent_decode(raw);
        // As written first; then the raw name (a file may keep `%2C` in its
        // name); then without the apostrophes and commas exports drop.
        let dropped: String = decoded.chars().filter(|c| !matches!(c, '\'' | '’' | ',')).collect();
        let mut tried: Vec<&str> = Vec::with_capacity(3);
        for path in [decoded.as_str(), raw, dropped.as_str()] {
            if tried.contains(&path) {
                continue;
            }
            tried.push(path);
            let found = self.locate_path(from, path, anchor.clone());
            if found != Located::Broken {
                return found;
            }
        }
        match page_id(file_stem(&decoded)).and_then(|id| self.page_ids.get(id)) {
            Some(&index) => Located::Page { index, anchor },
            None => Located::Broken,
        }
    }

    /// What a decoded path without its anchor points at.
    fn locate_path(&self, from: LinkSource, path: &str, anchor: Option<String>) -> Located {
        if let Some(rooted) = path.strip_prefix('/') {
            let rooted = self.strip_base(rooted);
            return self.find(&format!("/{rooted}"), rooted, anchor, 0);
        }
        // Relative to the source file first (how authors see it), then to the page's URL.
        let source_dir = if from.logical.is_empty() { from.url.trim_start_matches('/') } else { dir_of(from.logical) };
        if let Some(joined) = join(source_dir, path) {
            let found = self.find(&format!("/{joined}"), &joined, anchor.clone(), 0);
            if found != Located::Broken {
                return found;
            }
        }
        let url_dir = from.url.split('#').next().unwrap_or("").trim_start_matches('/');
        match join(url_dir.trim_end_matches('/'), path) {
            Some(joined) => self.find(&format!("/{joined}"), &joined, anchor, 0),
            None => Located::Broken,
        }
    }

    /// The local page an absolute link back to Confluence names by its
    /// page id (`.../wiki/spaces/KEY/pages/123456789/Title`, `...?pageId=123456789`).
    fn confluence_link(&self, target: &str) -> Option<usize> {
        if self.page_ids.is_empty() || !target.contains("/wiki/") {
            return None;
        }
        let after = target
            .split_once("/pages/")
            .map(|(_, rest)| rest)
            .or_else(|| target.split_once("pageId=").map(|(_, rest)| rest))?;
        let id: String = after.chars().take_while(char::is_ascii_digit).collect();
        self.page_ids.get(&id).copied()
    }

    /// The `href` for a located target; `None` leaves the link as written.
    pub fn href(&self, located: &Located) -> Option<String> {
        match located {
            Located::External | Located::SamePage(_) | Located::Broken => None,
            Located::File(path) => Some(format!("{}/{}", self.table.base_path, path)),
            Located::Page { index, anchor } => {
                let url = &self.table.pages[*index].1;
                let url = match anchor {
                    Some(a) => format!("{}#{a}", url.split('#').next().unwrap_or(url)),
                    None => url.clone(),
                };
                Some(format!("{}{}", self.table.base_path, url))
            }
        }
    }

    fn strip_base<'p>(&self, rooted: &'p str) -> &'p str {
        let base = self.table.base_path.trim_start_matches('/');
        if base.is_empty() {
            return rooted;
        }
        match rooted.strip_prefix(base) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_start_matches('/'),
            _ => rooted,
        }
    }

    /// Looks a normalised path up as a source file, a page URL, a file and
    /// an old URL; `hops` counts the redirects followed to get here.
    fn find(&self, url: &str, path: &str, anchor: Option<String>, hops: u8) -> Located {
        let page = |index: usize| Located::Page { index, anchor: anchor.clone() };
        let path = path.trim_end_matches('/');
        // Source files, as written or without their extension.
        let source_candidates = [
            path.to_string(),
            format!("{path}.md"),
            format!("{path}/index.md"),
            format!("{path}/_index.md"),
            format!("{path}/README.md"),
        ];
        for candidate in &source_candidates {
            if let Some(&i) = self.sources.get(candidate.as_str()) {
                return page(i);
            }
        }
        if let Some(stem) = path.strip_suffix(".html") {
            let stem = stem.strip_suffix("/index").or_else(|| (stem == "index").then_some("")).unwrap_or(stem);
            for candidate in [format!("{stem}.md"), format!("{stem}/index.md"), format!("{stem}/_index.md")] {
                if let Some(&i) = self.sources.get(candidate.as_str()) {
                    return page(i);
                }
            }
            let as_url = if stem.is_empty() { "/".to_string() } else { format!("/{stem}/") };
            if let Some(&i) = self.urls.get(as_url.as_str()) {
                return page(i);
            }
        }
        if self.files.contains(path) {
            return Located::File(path.to_string());
        }
        // `glossary.md` for the page of the `glossary/` folder, generated or not.
        if let Some(stem) = path.strip_suffix(".md") {
            for candidate in [format!("{stem}/index.md"), format!("{stem}/_index.md"), format!("{stem}/README.md")] {
                if let Some(&i) = self.sources.get(candidate.as_str()) {
                    return page(i);
                }
            }
            if let Some(&i) = self.urls.get(format!("/{stem}/").as_str()) {
                return page(i);
            }
        }
        let as_url = if url.ends_with('/') || url.ends_with(".html") { url.to_string() } else { format!("{url}/") };
        if let Some(&i) = self.urls.get(as_url.as_str()) {
            return page(i);
        }
        match self.redirects.get(&redirect_key(url)) {
            Some(to) if hops < MAX_HOPS => self.follow(to, anchor, hops + 1),
            _ => Located::Broken,
        }
    }

    /// Where a redirect leads. The link's own anchor wins over the redirect's.
    fn follow(&self, to: &str, anchor: Option<String>, hops: u8) -> Located {
        if to.starts_with("//") || has_scheme(to) {
            return Located::External;
        }
        let (path, to_anchor) = match to.split_once('#') {
            Some((p, a)) => (p, Some(percent_decode(a)).filter(|a| !a.is_empty())),
            None => (to, None),
        };
        let path = percent_decode(path);
        let rooted = self.strip_base(path.trim_start_matches('/'));
        self.find(&format!("/{rooted}"), rooted, anchor.or(to_anchor), hops)
    }
}

/// An old URL as redirects are looked up: rooted, decoded, without
/// `index.html` or a final slash, so `/a/`, `/a` and `/a/index.html` match.
fn redirect_key(url: &str) -> String {
    let url = percent_decode(url.split('#').next().unwrap_or(url).trim());
    let url = url.strip_suffix("index.html").unwrap_or(&url);
    format!("/{}", url.trim_matches('/'))
}

/// A file name without its folder and extension (`.md`, `.html`...).
fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    [".markdown", ".md", ".html", ".htm"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(name, |ext| &name[..name.len() - ext.len()])
}

/// The Confluence page id a file name ends with: `Title_123456789` or `123456789`.
fn page_id(stem: &str) -> Option<&str> {
    let id = stem.rsplit_once('_').map_or(stem, |(_, id)| id);
    (id.len() >= MIN_PAGE_ID_DIGITS && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

fn has_scheme(target: &str) -> bool {
    match target.find(':') {
        Some(i) => {
            let scheme = &target[..i];
            !scheme.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

pub(super) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Joins a relative path to a folder, resolving `.` and `..`; `None` when
/// it climbs above the handbook folder.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("standards", "../glossary/mvp.md").as_deref(), Some("glossary/mvp.md"));
        assert_eq!(join("", "./a.md").as_deref(), Some("a.md"));
        assert_eq!(join("a", "../../x"), None);
    }

    #[test]
    fn redirect_keys_ignore_index_and_slashes() {
        for url in ["/a/b/", "a/b", "/a/b/index.html", "/a/b#x", "/a/%62"] {
            assert_eq!(redirect_key(url), "/a/b", "{url}");
        }
        assert_eq!(redirect_key("/a.html"), "/a.html");
        assert_eq!(redirect_key("/"), "/");
    }

    #[test]
    fn confluence_page_ids() {
        assert_eq!(page_id(file_stem("Shelters-glossary_712245258.md")), Some("712245258"));
        assert_eq!(page_id(file_stem("dir/393871368.html")), Some("393871368"));
        assert_eq!(page_id(file_stem("Title_712245258 copy.md")), None);
        assert_eq!(page_id(file_stem("release_2024.md")), None);
        assert_eq!(page_id(file_stem("123456.png")), None);
        assert_eq!(file_stem("a/b.markdown"), "b");
    }

    /// A handbook of pages at these logical paths, with these redirects.
    fn handbook(paths: &[&str], redirects: &[(&str, &str)]) -> Handbook {
        let documents = paths
            .iter()
            .map(|p| crate::load::Document {
                path: p.to_string(),
                logical: p.to_string(),
                url: None,
                redirect_from: Vec::new(),
                front: Default::default(),
                body: "".into(),
                body_line: 1,
                updated: None,
                history: Default::default(),
            })
            .collect();
        let folder = crate::load::Folder {
            documents,
            files: vec![crate::load::FileEntry { path: "public/a/1.jpg".into(), logical: "a/1.jpg".into() }],
            redirects: redirects.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect(),
            ..Default::default()
        };
        let today = crate::date::Date::new(2026, 11, 23).expect("date");
        super::super::handbook(&folder, today, false, &mut crate::diag::Diagnostics::default())
    }

    fn page_of<'h>(h: &'h Handbook, located: &Located) -> &'h str {
        match located {
            Located::Page { index, .. } => &h.pages[*index].logical,
            other => panic!("not a page: {other:?}"),
        }
    }

    #[test]
    fn exported_names_page_ids_and_redirects() {
        let h = handbook(
            &[
                "Shelters-glossary_712245258.md",
                "Intro%2C-x_455966725.md",
                "393871368.md",
                "Copy_455966725 copy.md",
                "guides/new.md",
                "index.md",
            ],
            &[("/old.html", "/guides/new.html#part"), ("/older/", "/old.html")],
        );
        let table = LinkTable::of(&h);
        let r = Resolver::new(&table);
        let from = LinkSource::page(&h.pages[h.urls["/"]]);
        assert_eq!(
            page_of(&h, &r.locate(from, "Shelter%27s-glossary_712245258.html")),
            "Shelters-glossary_712245258.md"
        );
        assert_eq!(
            page_of(&h, &r.locate(from, "Intro%2C-x_455966725.html")),
            "Intro%2C-x_455966725.md",
            "the raw name"
        );
        assert_eq!(page_of(&h, &r.locate(from, "Renamed-page_393871368.html#x")), "393871368.md", "by page id");
        assert_eq!(
            page_of(&h, &r.locate(from, "https://x.atlassian.net/wiki/spaces/GTS/pages/712245258/Title")),
            "Shelters-glossary_712245258.md"
        );
        assert_eq!(
            r.locate(from, "https://x.atlassian.net/wiki/pages/resumedraft.action?draftId=1"),
            Located::External
        );
        assert_eq!(r.locate(from, "https://example.org/pages/712245258"), Located::External, "only Confluence URLs");
        assert_eq!(r.locate(from, "a/1.jpg?width=680"), Located::File("a/1.jpg".into()));
        match r.locate(from, "/older") {
            Located::Page { index, anchor } => {
                assert_eq!((h.pages[index].logical.as_str(), anchor.as_deref()), ("guides/new.md", Some("part")))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.locate(from, "/nowhere.html"), Located::Broken);
        for odd in
            ["%", "%%2", "_", "/_123456", "é_123456789.html", "../../..", "?", "#", "/wiki/pages/", "x/wiki/y/pages/"]
        {
            let _ = r.locate(from, odd);
        }
    }

    #[test]
    fn redirect_loops_end() {
        let h = handbook(&["index.md"], &[("/a/", "/b/"), ("/b/", "/a/")]);
        let table = LinkTable::of(&h);
        let r = Resolver::new(&table);
        assert_eq!(r.locate(LinkSource::page(&h.pages[0]), "/a/"), Located::Broken);
    }

    #[test]
    fn the_link_table_holds_redirects_so_their_changes_reach_its_key() {
        use std::hash::{Hash, Hasher};
        let key = |redirects: &[(&str, &str)]| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            LinkTable::of(&handbook(&["index.md"], redirects)).hash(&mut hasher);
            hasher.finish()
        };
        assert_ne!(key(&[("/a/", "/b/")]), key(&[("/a/", "/c/")]));
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("a.md"));
        assert!(!has_scheme("../x:y"));
    }
}
