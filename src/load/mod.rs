//! Stage 1: read a handbook folder.
//!
//! Input: the folder. Output: a [`Folder`] holding the configuration, every
//! Markdown file split into front matter and body, the other files to copy,
//! and the handbook's template overrides. Nothing is interpreted here beyond
//! syntax: what a file *means* is the model's job.

pub mod dialect;
pub mod front_matter;
mod updated;

use crate::config::{self, Config};
use crate::date::Date;
use crate::diag::{line_col, Diagnostic, Diagnostics};
pub use front_matter::FrontMatter;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The glossary file that holds many terms as `[[term]]` tables.
pub const GLOSSARY_FILE: &str = "glossary.toml";
/// Folder of template overrides.
pub const TEMPLATES_DIR: &str = "templates";

/// Everything read from a handbook folder.
#[derive(Debug, Clone, Default)]
pub struct Folder {
    pub root: PathBuf,
    pub config: Config,
    pub documents: Vec<Document>,
    /// Other files (images, downloads...) to publish.
    pub files: Vec<FileEntry>,
    /// Template overrides, by name relative to `templates/`.
    pub templates: BTreeMap<String, String>,
    /// `glossary.toml`, when there is one.
    pub glossary: Option<String>,
    /// Sub-folder holding the content (`source` for tech-docs), or empty.
    pub content_dir: String,
    /// Old URLs that redirect to new ones, from the handbook's configuration.
    pub redirects: Vec<(String, String)>,
}

/// A file published as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the handbook folder: where it is read from.
    pub path: String,
    /// Path relative to the content folder: where it is published.
    pub logical: String,
}

/// One Markdown file.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the handbook folder, with `/` separators: what
    /// findings and "edit this page" links name.
    pub path: String,
    /// Path relative to the content folder, as the site sees it: what URLs,
    /// kinds and relative links are worked out from. Adapters for other
    /// generators may normalise it (`a.html.md.erb` -> `a.md`).
    pub logical: String,
    /// An explicit URL (`permalink`), instead of the one the path gives.
    pub url: Option<String>,
    /// Old URLs of this page; each gets a redirect page.
    pub redirect_from: Vec<String>,
    pub front: Arc<FrontMatter>,
    /// Shared, so that the model and the caches of `serve` hold it without copying.
    pub body: Arc<str>,
    /// File line on which the body starts.
    pub body_line: u32,
    /// When the file last changed: its last git commit, else its mtime.
    pub updated: Option<Date>,
}

/// How to read a folder.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Overrides `base_url` from handbook.toml.
    pub base_url: Option<String>,
    /// Output folder to leave out of the walk (it may sit inside the content folder).
    pub exclude: Option<PathBuf>,
    /// Sub-folder of the handbook holding the content; empty for the folder itself.
    pub content_dir: String,
}

/// Documents read by an earlier load, reused while their file is unchanged.
#[derive(Default)]
pub struct Cache {
    documents: HashMap<String, Cached>,
    dates: Option<Arc<updated::Dates>>,
}

#[derive(Clone)]
struct Cached {
    stamp: Stamp,
    document: Option<Document>,
    findings: Vec<Diagnostic>,
}

/// What says a file changed: its size and modification time (nanoseconds
/// on the file systems copbook previews on).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp { len: meta.len(), modified: meta.modified().ok() })
    }
}

impl Cache {
    /// Forgets what is known of these files (the watcher saw them change).
    pub fn forget(&mut self, paths: &[String]) {
        for p in paths {
            self.documents.remove(p);
        }
    }
}

/// Reads the folder at `root`. Problems are findings; the folder is read as
/// far as it can be, so that every problem is reported at once.
pub fn folder(root: &Path, options: &LoadOptions, diags: &mut Diagnostics) -> Folder {
    folder_cached(root, options, &mut Cache::default(), diags)
}

/// [`folder`], reusing the documents of `cache` whose files did not change.
pub fn folder_cached(root: &Path, options: &LoadOptions, cache: &mut Cache, diags: &mut Diagnostics) -> Folder {
    let mut folder = Folder { root: root.to_path_buf(), content_dir: options.content_dir.clone(), ..Folder::default() };
    folder.config = config(root, diags).unwrap_or_default();
    if let Some(base_url) = &options.base_url {
        folder.config.base_url = base_url.clone();
    }
    let exclude = options.exclude.clone().unwrap_or_else(|| root.join(&folder.config.output));
    let mut markdown = Vec::new();
    let prefix = if options.content_dir.is_empty() {
        String::new()
    } else {
        format!("{}/", options.content_dir.trim_matches('/'))
    };
    let content_root = root.join(&options.content_dir);
    if !prefix.is_empty() && root.join(TEMPLATES_DIR).is_dir() {
        for path in walk(&root.join(TEMPLATES_DIR), &exclude, diags) {
            if let Some(text) = read_text(root, &format!("{TEMPLATES_DIR}/{path}"), diags) {
                folder.templates.insert(path, text);
            }
        }
        folder.glossary = read_text(root, GLOSSARY_FILE, diags);
    }
    for logical in walk(&content_root, &exclude, diags) {
        let path = format!("{prefix}{logical}");
        if let Some(name) = path.strip_prefix(&format!("{TEMPLATES_DIR}/")) {
            if let Some(text) = read_text(root, &path, diags) {
                folder.templates.insert(name.to_string(), text);
            }
        } else if path == GLOSSARY_FILE {
            folder.glossary = read_text(root, &path, diags);
        } else if is_markdown(&path) {
            markdown.push((path, logical));
        } else if path != config::FILE_NAME {
            folder.files.push(FileEntry { path, logical });
        }
    }
    // One `git log` per session: commits rarely land while someone previews.
    let dates = cache.dates.get_or_insert_with(|| Arc::new(updated::Dates::of(root))).clone();
    let previous = &cache.documents;
    // `None`: the cached document still holds.
    let read: Vec<Option<Cached>> = markdown
        .par_iter()
        .map(|(path, logical)| {
            let stamp = Stamp::of(&root.join(path));
            if let Some(hit) = previous.get(path).filter(|c| stamp.is_some_and(|s| s == c.stamp)) {
                if hit.document.as_ref().is_none_or(|d| d.logical == *logical) {
                    return None;
                }
            }
            let mut found = Diagnostics::default();
            let document = read_document(root, path, logical, &dates, &mut found);
            let stamp = stamp.unwrap_or(Stamp { len: 0, modified: None });
            Some(Cached { stamp, document, findings: found.0 })
        })
        .collect();
    let mut previous = std::mem::take(&mut cache.documents);
    cache.documents.reserve(read.len());
    for ((path, _), fresh) in markdown.into_iter().zip(read) {
        let Some(cached) = fresh.or_else(|| previous.remove(&path)) else { continue };
        folder.documents.extend(cached.document.clone());
        diags.0.extend(cached.findings.iter().cloned());
        cache.documents.insert(path, cached);
    }
    folder
}

/// The handbook's settings from `handbook.toml` of the folder at `root`;
/// `None` when the file is absent or does not parse (a finding says why),
/// and callers use the defaults. The one place the file is read, for the
/// build, the command line and the preview.
pub fn config(root: &Path, diags: &mut Diagnostics) -> Option<Config> {
    Config::parse(&read_text(root, config::FILE_NAME, diags)?, diags)
}

/// Whether a file name is Markdown copbook renders.
pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Every file below `root`, relative and sorted, leaving out hidden files,
/// the output folder and tool folders. Symlinks are followed; loops are reported.
fn walk(root: &Path, exclude: &Path, diags: &mut Diagnostics) -> Vec<String> {
    let mut paths = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter();
    let skip_dir = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() > 0
            && (name.starts_with('.')
                || (e.file_type().is_dir() && (e.path() == exclude || name == "node_modules" || name == "target")))
    };
    for entry in walker.filter_entry(|e| !skip_dir(e)) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().and_then(|p| p.strip_prefix(root).ok()).map(slash_path).unwrap_or_default();
                let message = if e.loop_ancestor().is_some() {
                    "symbolic link loops back to a folder above it; it is skipped".to_string()
                } else {
                    format!("cannot be read: {e}")
                };
                diags.push(Diagnostic::warning("unreadable", message).at(file, 0));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else { continue };
        if rel.to_str().is_none() {
            diags.push(
                Diagnostic::warning("unreadable", "file name is not valid Unicode; it is skipped")
                    .at(rel.to_string_lossy(), 0)
                    .hint("rename the file"),
            );
            continue;
        }
        paths.push(slash_path(rel));
    }
    paths
}

fn slash_path(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn read_document(
    root: &Path,
    path: &str,
    logical: &str,
    dates: &updated::Dates,
    diags: &mut Diagnostics,
) -> Option<Document> {
    let text = read_text(root, path, diags)?;
    let updated = dates.get(root, path);
    Some(match front_matter::split(path, &text) {
        Ok(split) => Document {
            path: path.to_string(),
            logical: logical.to_string(),
            url: None,
            redirect_from: Vec::new(),
            body: split.body.into(),
            front: Arc::new(split.front),
            body_line: split.body_line,
            updated,
        },
        Err(e) => {
            diags.push(e);
            // The page still exists, so links to it do not cascade into more findings.
            Document {
                path: path.to_string(),
                logical: logical.to_string(),
                url: None,
                redirect_from: Vec::new(),
                front: Arc::new(FrontMatter { invalid: true, ..FrontMatter::default() }),
                body: "".into(),
                body_line: 1,
                updated,
            }
        }
    })
}

/// Reads a UTF-8 text file of the handbook, without a byte-order mark.
/// `None` when it is absent; other problems are findings.
pub fn read_text(root: &Path, path: &str, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match std::fs::read(root.join(path)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            diags.push(Diagnostic::error("unreadable", format!("cannot be read: {e}")).at(path, 0));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Some(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let (line, column) = line_col(&good, valid);
            diags.push(
                Diagnostic::error("not-utf8", "file is not valid UTF-8 text")
                    .at(path, line)
                    .column(column)
                    .hint("save the file with UTF-8 encoding (most editors offer it under 'Save as' or 'Encoding')"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &[u8]) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn reads_documents_files_templates_and_glossary() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "handbook.toml", b"title = \"T\"\n");
        write(root, "index.md", b"# Home\n");
        write(root, "standards/a.md", b"+++\ntitle = \"A\"\n+++\nBody\n");
        write(root, "static/x.png", b"png");
        write(root, "templates/page.html", b"{{ page.title }}");
        write(root, "glossary.toml", b"[[term]]\nterm = \"X\"\n");
        write(root, ".git/config", b"");
        write(root, "public/old.md", b"stale output");
        let mut d = Diagnostics::default();
        let f = folder(root, &LoadOptions::default(), &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.config.title, "T");
        let paths: Vec<_> = f.documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["index.md", "standards/a.md"]);
        assert_eq!(f.files, [FileEntry { path: "static/x.png".into(), logical: "static/x.png".into() }]);
        assert!(f.templates.contains_key("page.html"));
        assert!(f.glossary.is_some());
        assert_eq!(f.documents[1].body_line, 4);
    }

    #[test]
    fn invalid_utf8_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "bad.md", b"ok\nbad \xff here");
        let mut d = Diagnostics::default();
        let f = folder(dir.path(), &LoadOptions::default(), &mut d);
        assert!(f.documents.is_empty());
        let e = &d.0[0];
        assert_eq!((e.code, e.file.as_str(), e.line, e.column), ("not-utf8", "bad.md", 2, 5));
    }

    #[test]
    fn byte_order_mark_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.md", "\u{feff}+++\ntitle = \"A\"\n+++\n".as_bytes());
        let mut d = Diagnostics::default();
        let f = folder(dir.path(), &LoadOptions::default(), &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.documents[0].front.fields["title"], "A");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a/page.md", b"# P");
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).unwrap();
        let mut d = Diagnostics::default();
        let f = folder(dir.path(), &LoadOptions::default(), &mut d);
        assert_eq!(f.documents.len(), 1);
        assert!(d.iter().any(|d| d.code == "unreadable" && d.message.contains("loop")), "{d:?}");
    }
}
