//! Keeps the preview folder equal to the latest good build.
//!
//! The first good build is written whole with [`output::write_site`], which
//! refuses folders copbook did not write. After that only the files whose
//! bytes changed are written, and files that are gone are deleted, so a
//! save rewrites a handful of files instead of the whole site and the
//! livereload event can tell a stylesheet change from any other.

use crate::output;
use crate::site::Content;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What is on disk for one file, cheap to compare with the next build.
#[derive(Debug, Clone)]
enum Fingerprint {
    /// The bytes themselves, shared with the build: a page the build did
    /// not render again comes back as the very same allocation, so most
    /// comparisons are one pointer comparison, and none can be wrong.
    Bytes(std::sync::Arc<[u8]>),
    /// A file copied as-is: its source and that file's size and time, so
    /// large images and videos are not read again on every save.
    Copy { source: PathBuf, len: u64, modified: Option<SystemTime> },
}

impl Fingerprint {
    fn of(content: &Content) -> Option<Fingerprint> {
        match content {
            Content::Bytes(bytes) => Some(Fingerprint::Bytes(bytes.clone())),
            Content::Copy(source) => {
                // A source we cannot stat has no fingerprint: it is always
                // written again, and the copy reports why it failed.
                let meta = std::fs::metadata(source).ok()?;
                Some(Fingerprint::Copy { source: source.clone(), len: meta.len(), modified: meta.modified().ok() })
            }
        }
    }
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Fingerprint::Bytes(a), Fingerprint::Bytes(b)) => std::sync::Arc::ptr_eq(a, b) || a[..] == b[..],
            (
                Fingerprint::Copy { source: s1, len: l1, modified: m1 },
                Fingerprint::Copy { source: s2, len: l2, modified: m2 },
            ) => s1 == s2 && l1 == l2 && m1 == m2,
            _ => false,
        }
    }
}

/// What one update changed on disk, as site paths.
#[derive(Debug, Default)]
pub struct Changes {
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets were written (none removed): open pages can swap
    /// their stylesheets instead of reloading and losing their scroll.
    pub fn only_css(&self) -> bool {
        !self.written.is_empty() && self.removed.is_empty() && self.written.iter().all(|p| p.ends_with(".css"))
    }
}

/// The preview folder and what this session has put in it.
pub struct Output {
    dir: PathBuf,
    root: PathBuf,
    on_disk: HashMap<String, Option<Fingerprint>>,
    written_once: bool,
}

impl Output {
    pub fn new(dir: PathBuf, root: PathBuf) -> Output {
        Output { dir, root, on_disk: HashMap::new(), written_once: false }
    }

    /// Makes the folder hold exactly `files`. On an error the files written
    /// so far stay and are remembered, so the next update retries the rest.
    pub fn update(&mut self, files: &[(String, Content)]) -> io::Result<Changes> {
        if !self.written_once {
            output::write_site(files, &self.dir, &self.root)?;
            self.written_once = true;
            self.on_disk = files.iter().map(|(p, c)| (p.clone(), Fingerprint::of(c))).collect();
            return Ok(Changes { written: files.iter().map(|(p, _)| p.clone()).collect(), removed: Vec::new() });
        }
        let mut changes = Changes::default();
        let mut first_error = None;
        let wanted: HashMap<&str, &Content> = files.iter().map(|(p, c)| (p.as_str(), c)).collect();

        // Deletions first, so that a file replaced by a folder of the same
        // name (or the reverse) has room to be written.
        let mut gone: Vec<String> = self.on_disk.keys().filter(|p| !wanted.contains_key(p.as_str())).cloned().collect();
        gone.sort();
        for path in gone {
            match remove(&self.dir, &path) {
                Ok(()) => {
                    self.on_disk.remove(&path);
                    changes.removed.push(path);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }

        for (path, content) in files {
            let fingerprint = Fingerprint::of(content);
            let same = fingerprint.is_some() && self.on_disk.get(path) == Some(&fingerprint);
            if same {
                continue;
            }
            match replace(&self.dir, path, content) {
                Ok(()) => {
                    self.on_disk.insert(path.clone(), fingerprint);
                    changes.written.push(path.clone());
                }
                Err(e) => {
                    // Forget it, so the next update writes it again.
                    self.on_disk.remove(path);
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(changes),
        }
    }
}

/// Writes a file beside its target and renames it into place, so that a
/// request served during a rebuild never sees half a page.
fn replace(dir: &Path, path: &str, content: &Content) -> io::Result<()> {
    let partial = format!("{path}.copbook-tmp");
    output::write_file(dir, &partial, content)?;
    let result = std::fs::rename(dir.join(&partial), dir.join(path));
    if result.is_err() {
        let _ = std::fs::remove_file(dir.join(&partial));
    }
    result
}

/// Deletes a file and then the folders it leaves empty.
fn remove(dir: &Path, path: &str) -> io::Result<()> {
    let target = dir.join(path);
    match std::fs::remove_file(&target) {
        Ok(()) => {}
        // Already gone is what we wanted.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut parent = target.parent();
    while let Some(p) = parent {
        // remove_dir fails on a folder that still has files: that ends the walk.
        if p == dir || !p.starts_with(dir) || std::fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> (String, Content) {
        (path.to_string(), Content::Bytes(text.as_bytes().into()))
    }

    #[test]
    fn writes_only_what_changed_and_deletes_what_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let mut out = Output::new(dir.clone(), tmp.path().join("content"));
        out.update(&[bytes("index.html", "a"), bytes("x/index.html", "b"), bytes("s.css", "c")]).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("x/index.html")).unwrap(), "b");

        let changes = out.update(&[bytes("index.html", "a"), bytes("s.css", "c2")]).unwrap();
        assert_eq!(changes.written, vec!["s.css".to_string()]);
        assert_eq!(changes.removed, vec!["x/index.html".to_string()]);
        assert!(!changes.only_css(), "a removal is more than a stylesheet change");
        assert!(!dir.join("x").exists(), "the emptied folder is removed");

        let changes = out.update(&[bytes("index.html", "a"), bytes("s.css", "c3")]).unwrap();
        assert!(changes.only_css());
        assert!(out.update(&[bytes("index.html", "a"), bytes("s.css", "c3")]).unwrap().is_empty());
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no partial files left: {names:?}");
    }

    #[test]
    fn copied_files_follow_their_source() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("content");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.png"), "one").unwrap();
        let dir = tmp.path().join("out");
        let mut out = Output::new(dir.clone(), src.clone());
        let files = vec![("a.png".to_string(), Content::Copy(src.join("a.png")))];
        out.update(&files).unwrap();
        assert!(out.update(&files).unwrap().is_empty());
        std::fs::write(src.join("a.png"), "three").unwrap();
        assert_eq!(out.update(&files).unwrap().written, vec!["a.png".to_string()]);
        assert_eq!(std::fs::read_to_string(dir.join("a.png")).unwrap(), "three");
    }
}
