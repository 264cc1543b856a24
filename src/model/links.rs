//! Where a link written in a page points: another page (and an anchor on
//! it), a published file, or nothing.
//!
//! Authors write links as they see their files: relative paths to other
//! Markdown files (`../standards/captions.md#why`), root-relative URLs
//! (`/standards/captions/`), or paths to images and downloads. All of them
//! become URLs with the site's base path, which is what makes a handbook
//! work under `https://org.github.io/handbook/` as well as at a domain root.

use super::{Handbook, Page};
use std::collections::HashSet;

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

/// Resolves link targets against the whole handbook.
pub struct Resolver<'a> {
    handbook: &'a Handbook,
    files: HashSet<&'a str>,
    base_path: String,
}

impl<'a> Resolver<'a> {
    pub fn new(handbook: &'a Handbook) -> Self {
        Resolver {
            handbook,
            files: handbook.files.iter().map(|f| f.logical.as_str()).collect(),
            base_path: handbook.config.base_path(),
        }
    }

    /// What `target`, written in `from`, points at.
    pub fn locate(&self, from: &Page, target: &str) -> Located {
        let target = target.trim();
        if let Some(anchor) = target.strip_prefix('#') {
            return Located::SamePage(percent_decode(anchor));
        }
        if target.is_empty() || target.starts_with("//") || has_scheme(target) {
            return Located::External;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, Some(percent_decode(a)).filter(|a| !a.is_empty())),
            None => (target, None),
        };
        let path = percent_decode(path.split('?').next().unwrap_or(path));
        if let Some(rooted) = path.strip_prefix('/') {
            let rooted = self.strip_base(rooted);
            return self.find(&format!("/{rooted}"), rooted, anchor);
        }
        // Relative to the source file first (how authors see it), then to the page's URL.
        let source_dir = if from.logical.is_empty() { from.url.trim_start_matches('/') } else { dir_of(&from.logical) };
        if let Some(joined) = join(source_dir, &path) {
            let found = self.find(&format!("/{joined}"), &joined, anchor.clone());
            if found != Located::Broken {
                return found;
            }
        }
        let url_dir = from.url.split('#').next().unwrap_or("").trim_start_matches('/');
        match join(url_dir.trim_end_matches('/'), &path) {
            Some(joined) => self.find(&format!("/{joined}"), &joined, anchor),
            None => Located::Broken,
        }
    }

    /// The `href` for a located target; `None` leaves the link as written.
    pub fn href(&self, located: &Located) -> Option<String> {
        match located {
            Located::External | Located::SamePage(_) | Located::Broken => None,
            Located::File(path) => Some(format!("{}/{}", self.base_path, path)),
            Located::Page { index, anchor } => {
                let url = &self.handbook.pages[*index].url;
                let url = match anchor {
                    Some(a) => format!("{}#{a}", url.split('#').next().unwrap_or(url)),
                    None => url.clone(),
                };
                Some(format!("{}{}", self.base_path, url))
            }
        }
    }

    fn strip_base<'p>(&self, rooted: &'p str) -> &'p str {
        let base = self.base_path.trim_start_matches('/');
        if base.is_empty() {
            return rooted;
        }
        match rooted.strip_prefix(base) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_start_matches('/'),
            _ => rooted,
        }
    }

    /// Looks a normalised path up as a source file, a page URL and a file.
    fn find(&self, url: &str, path: &str, anchor: Option<String>) -> Located {
        let h = self.handbook;
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
            if let Some(&i) = h.sources.get(candidate.as_str()) {
                return page(i);
            }
        }
        if let Some(stem) = path.strip_suffix(".html") {
            let stem = stem.strip_suffix("/index").or_else(|| (stem == "index").then_some("")).unwrap_or(stem);
            for candidate in [format!("{stem}.md"), format!("{stem}/index.md"), format!("{stem}/_index.md")] {
                if let Some(&i) = h.sources.get(candidate.as_str()) {
                    return page(i);
                }
            }
            let as_url = if stem.is_empty() { "/".to_string() } else { format!("/{stem}/") };
            if let Some(&i) = h.urls.get(&as_url) {
                return page(i);
            }
        }
        if self.files.contains(path) {
            return Located::File(path.to_string());
        }
        // `glossary.md` for the page of the `glossary/` folder, generated or not.
        if let Some(stem) = path.strip_suffix(".md") {
            for candidate in [format!("{stem}/index.md"), format!("{stem}/_index.md"), format!("{stem}/README.md")] {
                if let Some(&i) = h.sources.get(candidate.as_str()) {
                    return page(i);
                }
            }
            if let Some(&i) = h.urls.get(&format!("/{stem}/")) {
                return page(i);
            }
        }
        let url = if url.ends_with('/') || url.ends_with(".html") { url.to_string() } else { format!("{url}/") };
        match h.urls.get(&url) {
            Some(&i) => page(i),
            None => Located::Broken,
        }
    }
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

/// Decodes `%xx` escapes; invalid ones are kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
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
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("Shelter%27s%20x"), "Shelter's x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é1"), "%é1");
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("a.md"));
        assert!(!has_scheme("../x:y"));
    }
}
