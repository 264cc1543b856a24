//! `--out`: each good build is also written to a folder. The first one in
//! whole, through [`output::write_site`] (which checks that the folder is
//! copbook's and swaps the new site in at once); after that only the files
//! that changed, in place, so that a saved page reaches the disk in the time
//! it takes to write that page rather than the whole site.

use super::files::{Changes, Files};
use crate::output;
use crate::site::Content;
use std::path::{Path, PathBuf};

/// The folder builds are written to, and whether it holds the build shown.
pub struct Out {
    pub dir: PathBuf,
    /// It holds the last build written whole or updated since: the next
    /// one need only write its changes. After a failure it is written whole.
    current: bool,
}

impl Out {
    pub fn new(dir: PathBuf) -> Out {
        Out { dir, current: false }
    }

    /// Writes `site`, which differs from the build written last by
    /// `changes` when they are known.
    pub fn write(
        &mut self,
        site: &[(String, Content)],
        files: &Files,
        changes: Option<&Changes>,
        root: &Path,
    ) -> std::io::Result<()> {
        let result = match changes.filter(|_| self.current) {
            Some(changes) => self.update(files, changes, root),
            None => output::write_site(site, &self.dir, root),
        };
        self.current = result.is_ok();
        result
    }

    /// Writes the files `changes` names in place and removes those that
    /// went, with the folders they leave empty.
    fn update(&self, files: &Files, changes: &Changes, root: &Path) -> std::io::Result<()> {
        // The pages first: the files made only when read (print, search, data)
        // are made now, and take longer.
        let mut written: Vec<&String> = changes.written.iter().collect();
        written.sort_by_key(|path| matches!(files.content(path), Some(Content::Later(_) | Content::LaterFolder(_))));
        for path in written {
            // A later folder is written whole: the files it had before go first.
            if path.ends_with('/') {
                match std::fs::remove_dir_all(self.dir.join(path)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            if let Some(content) = files.content(path) {
                output::write_file(&self.dir, path, content, root)?;
            }
        }
        for path in &changes.removed {
            let file = self.dir.join(path);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            // A full write would have no empty folder there.
            for folder in file.ancestors().skip(1).take_while(|f| f.starts_with(&self.dir) && *f != self.dir) {
                if std::fs::remove_dir(folder).is_err() {
                    break;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> (String, Content) {
        (path.to_string(), Content::Bytes(text.as_bytes().into()))
    }

    #[test]
    fn later_builds_write_their_changes_as_a_whole_write_would() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, dir) = (tmp.path().join("handbook"), tmp.path().join("out"));
        std::fs::create_dir_all(&root).unwrap();
        let mut out = Out::new(dir.clone());
        let first = vec![bytes("index.html", "home"), bytes("a/b/index.html", "b"), bytes("c/index.html", "c")];
        let first_files = Files::new(&first);
        out.write(&first, &first_files, None, &root).unwrap();
        let second = vec![bytes("index.html", "home, edited"), bytes("c/index.html", "c"), bytes("d/index.html", "d")];
        let second_files = Files::new(&second);
        let changes = first_files.changes(&second_files);
        out.write(&second, &second_files, Some(&changes), &root).unwrap();
        let whole = tmp.path().join("whole");
        output::write_site(&second, &whole, &root).unwrap();
        assert_eq!(tree(&dir), tree(&whole));
        assert!(!dir.join("a").exists(), "the emptied folders go too");
    }

    /// A folder made when read, holding `names` (each file's text is its name and `key`).
    fn folder(key: u64, names: &'static [&'static str]) -> (String, Content) {
        let later = crate::site::LaterFolder::folder(key, move || {
            names.iter().map(|n| (n.to_string(), format!("{n} {key}").into_bytes())).collect()
        });
        ("search/".to_string(), Content::LaterFolder(std::sync::Arc::new(later)))
    }

    #[test]
    fn a_later_folder_is_written_whole_and_loses_the_files_it_no_longer_has() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, dir) = (tmp.path().join("handbook"), tmp.path().join("out"));
        std::fs::create_dir_all(&root).unwrap();
        let mut out = Out::new(dir.clone());
        let first = vec![bytes("index.html", "home"), folder(1, &["index.json", "s/0.json", "s/1.json"])];
        let first_files = Files::new(&first);
        out.write(&first, &first_files, None, &root).unwrap();
        assert!(dir.join("search/s/1.json").is_file());
        let second = vec![bytes("index.html", "home"), folder(2, &["index.json", "s/0.json"])];
        let second_files = Files::new(&second);
        let changes = first_files.changes(&second_files);
        assert_eq!(changes.written, ["search/"]);
        out.write(&second, &second_files, Some(&changes), &root).unwrap();
        let whole = tmp.path().join("whole");
        output::write_site(&second, &whole, &root).unwrap();
        assert_eq!(tree(&dir), tree(&whole));
        assert!(!dir.join("search/s/1.json").exists());
    }

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut found: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        found.sort();
        found
    }
}
