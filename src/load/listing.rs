//! What a walk of the handbook folder found, kept between loads, so that a
//! caller who knows which files changed (the preview's watcher) spares the
//! next load its walk and a `stat` of every file.
//!
//! Only what a walk would certainly list the same way is patched: files
//! appearing, changing or going in folders the walk listed. Anything else
//! (a folder, a template, the settings, the glossary file, a link followed
//! by the walk) walks the folder again.

use super::{is_markdown, FileEntry, GLOSSARY_FILE, TEMPLATES_DIR};
use crate::config;
use crate::diag::Diagnostic;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Every file one walk found, with the findings it made.
#[derive(Debug, Clone, Default)]
pub(super) struct Listing {
    /// Template overrides, by name relative to `templates/`.
    pub templates: BTreeMap<String, String>,
    pub glossary: Option<String>,
    /// Markdown files as (path in the handbook, path in the content folder), in walk order.
    pub markdown: Vec<(String, String)>,
    pub files: Vec<FileEntry>,
    /// Findings of the walk and of reading the templates and the glossary.
    pub findings: Vec<Diagnostic>,
    /// The walk followed a symbolic link: a change below it is reported at
    /// the link's target, which is not the path the walk listed.
    pub linked: bool,
    /// What the walk left out and where it started.
    pub exclude: PathBuf,
    pub content_dir: String,
}

impl Listing {
    /// This listing after `changed` (paths relative to the handbook folder,
    /// and the only ones that changed since it was made), or `None` when
    /// only a walk can tell what the folder holds now.
    pub fn patched(mut self, root: &Path, exclude: &Path, content_dir: &str, changed: &[String]) -> Option<Listing> {
        if self.linked || self.exclude != exclude || self.content_dir != content_dir {
            return None;
        }
        let prefix = if content_dir.is_empty() { String::new() } else { format!("{}/", content_dir.trim_matches('/')) };
        let listed = self.markdown.iter().map(|(_, logical)| logical).chain(self.files.iter().map(|f| &f.logical));
        let folders: HashSet<&str> = listed.flat_map(|logical| folders_of(logical)).chain([""]).collect();
        let mut updates = Vec::with_capacity(changed.len());
        for path in changed {
            // The walk leaves hidden files and folders out: editors' swap files.
            if path.split('/').any(|name| name.starts_with('.')) {
                continue;
            }
            let logical = path.strip_prefix(&prefix)?;
            let walked_past =
                |name: &str| name == "node_modules" || name == "target" || name.is_empty() || name == "..";
            if path.starts_with(&format!("{TEMPLATES_DIR}/"))
                || path == config::FILE_NAME
                || path == GLOSSARY_FILE
                || logical.split('/').any(walked_past)
                || root.join(path).starts_with(exclude)
                || !folders.contains(folder_of(logical))
                // A folder that held files: moved away, it says nothing of them.
                || folders.contains(logical)
            {
                return None;
            }
            let present = match std::fs::symlink_metadata(root.join(path)) {
                Ok(meta) if meta.is_file() => true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                // A link, a folder or a special file: the walk has findings for those.
                _ => return None,
            };
            updates.push((path.clone(), logical.to_string(), present));
        }
        for (path, logical, present) in updates {
            if is_markdown(&path) {
                let at = self.markdown.binary_search_by(|(_, l)| walk_order(l, &logical));
                apply(&mut self.markdown, at, present, || (path, logical));
            } else {
                // Published as it is, like a backup an editor leaves (`x.md~`).
                let at = self.files.binary_search_by(|f| walk_order(&f.logical, &logical));
                apply(&mut self.files, at, present, || FileEntry { path, logical });
            }
        }
        Some(self)
    }
}

/// The walk lists each folder's entries sorted by name, depth first: the
/// order of paths compared component by component.
fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    Path::new(a).cmp(Path::new(b))
}

/// Inserts or removes the entry found (or not) at `at`.
fn apply<T>(list: &mut Vec<T>, at: Result<usize, usize>, present: bool, entry: impl FnOnce() -> T) {
    match (at, present) {
        (Err(i), true) => list.insert(i, entry()),
        (Ok(i), false) => {
            list.remove(i);
        }
        _ => {}
    }
}

/// Every folder a `/`-separated path lies in, innermost first, the top (`""`) left out.
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(path.rsplit_once('/').map(|(folder, _)| folder), |f| f.rsplit_once('/').map(|(up, _)| up))
}

/// The folder part of a `/`-separated path; `""` at the top.
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(markdown: &[&str]) -> Listing {
        Listing {
            markdown: markdown.iter().map(|p| (p.to_string(), p.to_string())).collect(),
            exclude: PathBuf::from("/nowhere"),
            ..Listing::default()
        }
    }

    fn names(l: &Listing) -> Vec<&str> {
        l.markdown.iter().map(|(p, _)| p.as_str()).collect()
    }

    #[test]
    fn new_and_deleted_pages_keep_the_walks_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in ["a/x.md", "a/z.md", "a.md", "a/b/y.md"] {
            std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            std::fs::write(root.join(p), "x").unwrap();
        }
        let walked = listing(&["a/b/y.md", "a/x.md", "a/z.md", "a.md"]);
        std::fs::write(root.join("a/y.md"), "new").unwrap();
        std::fs::remove_file(root.join("a/z.md")).unwrap();
        let changed = ["a/y.md".to_string(), "a/z.md".to_string(), "a/.y.md.swp".to_string()];
        let patched = walked.patched(root, Path::new("/nowhere"), "", &changed).unwrap();
        assert_eq!(names(&patched), ["a/b/y.md", "a/x.md", "a/y.md", "a.md"]);
    }

    #[test]
    fn anything_but_a_file_in_a_known_folder_asks_for_a_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/new")).unwrap();
        std::fs::create_dir_all(root.join("a/dir.md")).unwrap();
        std::fs::write(root.join("a/x.md"), "x").unwrap();
        std::fs::write(root.join("a/new/y.md"), "y").unwrap();
        std::fs::write(root.join("a/x.md~"), "backup").unwrap();
        let walked = listing(&["a/b/c/y.md", "a/x.md"]);
        let patch = |changed: &str| walked.clone().patched(root, Path::new("/nowhere"), "", &[changed.to_string()]);
        assert!(patch("a/x.md").is_some());
        let backup = patch("a/x.md~").unwrap();
        assert_eq!(backup.files, [FileEntry { path: "a/x.md~".into(), logical: "a/x.md~".into() }]);
        for changed in [
            "a/new/y.md",
            "a/new",
            "handbook.toml",
            "glossary.toml",
            "templates/page.md",
            "a/dir.md",
            "",
            "a/b",
            "a/b/c",
        ] {
            assert!(patch(changed).is_none(), "{changed}");
        }
        let linked = Listing { linked: true, ..walked.clone() };
        assert!(linked.patched(root, Path::new("/nowhere"), "", &["a/x.md".to_string()]).is_none());
        assert!(walked.clone().patched(root, Path::new("/other"), "", &[]).is_none(), "another output folder");
        assert!(walked.patched(root, Path::new("/nowhere"), "docs", &[]).is_none(), "another content folder");
    }
}
