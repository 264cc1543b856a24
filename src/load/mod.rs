//! Stage 1: read a handbook folder.
//!
//! Input: the folder. Output: a [`Folder`] holding the configuration, every
//! Markdown file split into front matter and body, the other files to copy,
//! and the handbook's template overrides. Nothing is interpreted here beyond
//! syntax: what a file *means* is the model's job.

pub mod dialect;
pub mod front_matter;
pub mod inside;
mod listing;
mod updated;
pub use updated::Change;
pub(crate) mod yaml;

use crate::config::{self, Config};
use crate::date::Date;
use crate::diag::{line_col, Code, Diagnostic, Diagnostics};
pub use front_matter::FrontMatter;
use inside::Refusal;
use listing::Listing;
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
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
    /// The commits that changed the file, newest first; empty outside git.
    pub history: Arc<[Change]>,
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
    /// What the last walk found.
    listing: Option<Listing>,
    /// Every file changed since the last load, when the caller said
    /// ([`Cache::forget`]); `None`: not known, so the folder is walked.
    changed: Option<Vec<String>>,
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
    /// Forgets what is known of these files: they, and no others, changed
    /// since the last load (the watcher saw them change). The next load
    /// trusts that instead of walking the folder where it can (see [`listing`]).
    pub fn forget(&mut self, paths: &[String]) {
        for p in paths {
            self.documents.remove(p);
        }
        self.changed.get_or_insert_with(Vec::new).extend(paths.iter().cloned());
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
    let inside = inside::Root::new(root);
    folder.config = config(root, diags).unwrap_or_default();
    if let Some(base_url) = &options.base_url {
        folder.config.base_url = base_url.clone();
    }
    let exclude = options.exclude.clone().unwrap_or_else(|| root.join(&folder.config.output));
    let changed = cache.changed.take();
    let patched = match (cache.listing.take(), &changed) {
        (Some(listing), Some(changed)) => listing.patched(root, &exclude, &options.content_dir, changed),
        _ => None,
    };
    // Told what changed, the files nobody touched need no `stat` either.
    let trusted = patched.is_some();
    let listing = patched.unwrap_or_else(|| list(root, &inside, options, exclude));
    diags.0.extend(listing.findings.iter().cloned());
    folder.templates = listing.templates.clone();
    folder.glossary = listing.glossary.clone();
    folder.files = listing.files.clone();
    // One `git log` per commit: while someone previews, it is read again
    // only when a commit lands, and the documents with it (their dates and
    // history come from it).
    if cache.dates.as_ref().is_some_and(|d| d.head != updated::Dates::head_of(root)) {
        cache.dates = None;
        cache.documents.clear();
    }
    let dates = cache.dates.get_or_insert_with(|| Arc::new(updated::Dates::of(root))).clone();
    if dates.shallow {
        diags.push(
            Diagnostic::warning(
                Code::ShallowClone,
                "the repository is a shallow clone, so git cannot tell when each page last changed; \
                 pages show no \"last updated\" date and no history",
            )
            .hint("fetch the whole history: `fetch-depth: 0` for actions/checkout, or `git fetch --unshallow`"),
        );
    }
    if folder.config.edit_path.is_none() {
        folder.config.edit_path = dates.prefix.clone();
    }
    let previous = &cache.documents;
    // `None`: the cached document still holds.
    let read: Vec<Option<Cached>> = listing
        .markdown
        .par_iter()
        .map(|(path, logical)| {
            if trusted && previous.get(path).is_some_and(|c| c.document.as_ref().is_none_or(|d| d.logical == *logical))
            {
                return None;
            }
            let stamp = Stamp::of(&root.join(path));
            if let Some(hit) = previous.get(path).filter(|c| stamp.is_some_and(|s| s == c.stamp)) {
                if hit.document.as_ref().is_none_or(|d| d.logical == *logical) {
                    return None;
                }
            }
            let mut found = Diagnostics::default();
            let document = read_document(&inside, root, path, logical, &dates, &mut found);
            let stamp = stamp.unwrap_or(Stamp { len: 0, modified: None });
            Some(Cached { stamp, document, findings: found.0 })
        })
        .collect();
    let mut previous = std::mem::take(&mut cache.documents);
    cache.documents.reserve(read.len());
    for ((path, _), fresh) in listing.markdown.iter().zip(read) {
        let Some(cached) = fresh.or_else(|| previous.remove(path)) else { continue };
        folder.documents.extend(cached.document.clone());
        diags.0.extend(cached.findings.iter().cloned());
        cache.documents.insert(path.clone(), cached);
    }
    cache.listing = Some(listing);
    folder
}

/// Walks the folder: the templates, the glossary, and the content's
/// Markdown and other files.
fn list(root: &Path, inside: &inside::Root, options: &LoadOptions, exclude: PathBuf) -> Listing {
    let mut found = Diagnostics::default();
    let mut listing = Listing { content_dir: options.content_dir.clone(), ..Listing::default() };
    let read_text = |path: &str, diags: &mut Diagnostics| read_text_inside(inside, root, path, diags);
    let prefix = if options.content_dir.is_empty() {
        String::new()
    } else {
        format!("{}/", options.content_dir.trim_matches('/'))
    };
    if !prefix.is_empty() && root.join(TEMPLATES_DIR).is_dir() {
        let (templates, linked) = walk_noting_links(root, inside, TEMPLATES_DIR, &exclude, &mut found);
        listing.linked |= linked;
        for path in templates {
            if let Some(text) = read_text(&format!("{TEMPLATES_DIR}/{path}"), &mut found) {
                listing.templates.insert(path, text);
            }
        }
        listing.glossary = read_text(GLOSSARY_FILE, &mut found);
    }
    let (content, linked) = walk_noting_links(root, inside, &options.content_dir, &exclude, &mut found);
    // A content folder that is a link is watched through its target.
    let content_link =
        !prefix.is_empty() && std::fs::symlink_metadata(root.join(&options.content_dir)).is_ok_and(|m| m.is_symlink());
    listing.linked |= linked || content_link;
    for logical in content {
        let path = format!("{prefix}{logical}");
        if let Some(name) = path.strip_prefix(&format!("{TEMPLATES_DIR}/")) {
            if let Some(text) = read_text(&path, &mut found) {
                listing.templates.insert(name.to_string(), text);
            }
        } else if path == GLOSSARY_FILE {
            listing.glossary = read_text(&path, &mut found);
        } else if is_markdown(&path) {
            listing.markdown.push((path, logical));
        } else if path != config::FILE_NAME {
            listing.files.push(FileEntry { path, logical });
        }
    }
    listing.findings = found.0;
    listing.exclude = exclude;
    listing
}

/// The handbook's settings from `handbook.toml` of the folder at `root`;
/// `None` when the file is absent or does not parse (a finding says why),
/// and callers use the defaults. The one place the file is read, for the
/// build, the command line and the preview.
pub fn config(root: &Path, diags: &mut Diagnostics) -> Option<Config> {
    Config::parse(&read_text(root, config::FILE_NAME, diags)?, diags)
}

/// Opens `file`, a file of the handbook folder at `root`, to publish it,
/// with the checks every read makes: a regular file whose real path lies
/// inside the folder, opened without waiting on a FIFO.
pub fn open_to_publish(root: &Path, file: &Path) -> std::io::Result<std::fs::File> {
    let refused = |why: String| std::io::Error::new(std::io::ErrorKind::PermissionDenied, why);
    let outside = || refused(format!("{} is not in the handbook", file.display()));
    let rel = match file.strip_prefix(root) {
        Ok(rel) => slash_path(rel),
        // The same folder named another way (`shared/../handbook`, or its
        // real path against a path through a link): compare real paths.
        // The folder holding the file must really lie inside; the file
        // itself is checked below like any other.
        Err(_) => {
            let real_root = std::fs::canonicalize(root).map_err(|_| outside())?;
            let parent = file.parent().and_then(|p| std::fs::canonicalize(p).ok()).ok_or_else(outside)?;
            let within = parent.strip_prefix(&real_root).map_err(|_| outside())?;
            slash_path(&within.join(file.file_name().ok_or_else(outside)?))
        }
    };
    inside::Root::new(root).open(root, &rel).map_err(|refusal| match refusal {
        Refusal::Missing => std::io::Error::new(std::io::ErrorKind::NotFound, format!("{rel} is gone")),
        Refusal::Finding(d) => refused(d.message),
    })
}

/// Whether a file name is Markdown copbook renders.
pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Every file the loader would read below the folder `sub` of the handbook
/// at `root`, relative to `sub`: for adapters that publish another folder
/// (the links, special files and loops it leaves out are findings).
pub fn files_below(root: &Path, sub: &str, diags: &mut Diagnostics) -> Vec<String> {
    walk(root, &inside::Root::new(root), sub, Path::new(""), diags)
}

/// Every file below the folder `sub` of the handbook at `root`, relative
/// to `sub` and sorted, leaving out hidden files, the output folder and tool
/// folders. Symbolic links are followed while they stay inside the
/// handbook; loops, links leading out, dangling links and special files
/// (FIFOs, devices) are reported and left out.
fn walk(root: &Path, inside: &inside::Root, sub: &str, exclude: &Path, diags: &mut Diagnostics) -> Vec<String> {
    walk_noting_links(root, inside, sub, exclude, diags).0
}

/// [`walk`], and whether it followed a symbolic link.
fn walk_noting_links(
    root: &Path,
    inside: &inside::Root,
    sub: &str,
    exclude: &Path,
    diags: &mut Diagnostics,
) -> (Vec<String>, bool) {
    let prefix = if sub.is_empty() { String::new() } else { format!("{}/", sub.trim_matches('/')) };
    if !prefix.is_empty() {
        if let Err(Refusal::Finding(d)) = inside.check_link(root, sub.trim_matches('/')) {
            diags.push(d);
            return (Vec::new(), true);
        }
    }
    let linked = std::cell::Cell::new(false);
    let walk_root = root.join(sub);
    let mut paths = Vec::new();
    let refused = RefCell::new(Vec::new());
    let relative = |p: &Path| p.strip_prefix(&walk_root).ok().map(|r| format!("{prefix}{}", slash_path(r)));
    let keep = |e: &walkdir::DirEntry| {
        if e.depth() == 0 {
            return true;
        }
        let name = e.file_name().to_string_lossy();
        if name.starts_with('.')
            || (e.file_type().is_dir() && (e.path() == exclude || name == "node_modules" || name == "target"))
        {
            return false;
        }
        // Whatever lies below a link that stays inside is inside too.
        if e.path_is_symlink() {
            linked.set(true);
            if let Some(rel) = relative(e.path()) {
                if let Err(Refusal::Finding(d)) = inside.check_link(root, &rel) {
                    refused.borrow_mut().push(d);
                    return false;
                }
            }
        }
        true
    };
    let walker = walkdir::WalkDir::new(&walk_root).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(keep) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().and_then(relative).unwrap_or_default();
                let is_link = e.path().and_then(|p| std::fs::symlink_metadata(p).ok()).is_some_and(|m| m.is_symlink());
                if e.loop_ancestor().is_some() {
                    let message = "symbolic link loops back to a folder above it; it is skipped";
                    diags.push(Diagnostic::warning(Code::Unreadable, message).at(file, 0));
                } else if is_link && e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) {
                    let target = e.path().and_then(|p| std::fs::read_link(p).ok()).unwrap_or_default();
                    diags.push(inside::dangling(&file, &target.display().to_string()));
                } else {
                    let reason = e.io_error().map_or_else(|| e.to_string(), |io| io.to_string());
                    diags.push(Diagnostic::warning(Code::Unreadable, format!("cannot be read: {reason}")).at(file, 0));
                }
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&walk_root) else { continue };
        if rel.to_str().is_none() {
            diags.push(
                Diagnostic::warning(Code::Unreadable, "file name is not valid Unicode; it is skipped")
                    .at(format!("{prefix}{}", rel.to_string_lossy()), 0)
                    .hint("rename the file"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            if let Ok(meta) = entry.metadata() {
                diags.push(inside::special(&format!("{prefix}{}", slash_path(rel)), &meta));
            }
            continue;
        }
        paths.push(slash_path(rel));
    }
    diags.0.extend(refused.into_inner());
    (paths, linked.get())
}

fn slash_path(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn read_document(
    inside: &inside::Root,
    root: &Path,
    path: &str,
    logical: &str,
    dates: &updated::Dates,
    diags: &mut Diagnostics,
) -> Option<Document> {
    let text = read_text_inside(inside, root, path, diags)?;
    let updated = dates.get(root, path);
    let history: Arc<[Change]> = dates.history(path).into();
    Some(match front_matter::split(path, &text) {
        Ok(split) => {
            // Accepted with a warning: a key given twice.
            diags.0.extend(split.warnings);
            Document {
                path: path.to_string(),
                body_line: split.body_line,
                logical: logical.to_string(),
                url: None,
                redirect_from: Vec::new(),
                body: split.body.into(),
                front: Arc::new(split.front),
                updated,
                history,
            }
        }
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
                history,
            }
        }
    })
}

/// Reads a UTF-8 text file of the handbook, without a byte-order mark.
/// `None` when it is absent; other problems are findings. Only a regular
/// file inside the handbook folder is read (see [`inside`]).
pub fn read_text(root: &Path, path: &str, diags: &mut Diagnostics) -> Option<String> {
    read_text_inside(&inside::Root::new(root), root, path, diags)
}

fn read_text_inside(inside: &inside::Root, root: &Path, path: &str, diags: &mut Diagnostics) -> Option<String> {
    let mut bytes = Vec::new();
    let read = match inside.open(root, path) {
        Ok(mut file) => file.read_to_end(&mut bytes),
        Err(Refusal::Missing) => return None,
        Err(Refusal::Finding(d)) => {
            diags.push(d);
            return None;
        }
    };
    if let Err(e) = read {
        diags.push(Diagnostic::error(Code::Unreadable, format!("cannot be read: {e}")).at(path, 0));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Some(line_ends_and_nul_bytes(path, text, diags))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let (line, column) = line_col(&good, valid);
            diags.push(
                Diagnostic::error(Code::NotUtf8, "file is not valid UTF-8 text")
                    .at(path, line)
                    .column(column)
                    .hint("save the file with UTF-8 encoding (most editors offer it under 'Save as' or 'Encoding')"),
            );
            None
        }
    }
}

/// The text of a handbook file as findings count its lines and columns, for
/// showing a finding's line. Only a regular file inside the handbook is
/// read: showing a line must neither block on a FIFO nor print what a link
/// leading out points at.
pub fn text_as_read(root: &Path, path: &str) -> Option<String> {
    let mut bytes = Vec::new();
    inside::Root::new(root).open(root, path).ok()?.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    Some(line_ends_and_nul_bytes(path, text, &mut Diagnostics::default()))
}

/// Text as the rest of copbook reads it: a lone CR (classic Mac OS) ends a
/// line, as CRLF and LF do; NUL bytes, which no text should hold and which
/// would reach the HTML, are dropped with a warning.
fn line_ends_and_nul_bytes(path: &str, mut text: String, diags: &mut Diagnostics) -> String {
    if text.bytes().enumerate().any(|(i, b)| b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n')) {
        let mut lines = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            lines.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
        }
        text = lines;
    }
    if let Some(first) = text.find('\0') {
        let count = text.matches('\0').count();
        let (line, column) = line_col(&text, first);
        diags.push(
            Diagnostic::warning(Code::NulByte, format!("{count} NUL byte(s) dropped: a text file holds none"))
                .at(path, line)
                .column(column)
                .hint("the file may be damaged or not text; save it again as UTF-8 text"),
        );
        text.retain(|c| c != '\0');
    }
    text
}

#[cfg(test)]
mod tests;
