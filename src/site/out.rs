//! Where the files of one build go as they are made.
//!
//! A one-shot build hands each file to its sink (the staging folder) the
//! moment it exists and keeps none of them, so memory holds what the
//! stages still need and never the rendered site. `serve` has no sink: it
//! keeps every file and gets them back with the site, in the order pages,
//! copbook's own files, the handbook's files to copy.

use super::{Content, LaterFile, LaterFolder, Parts, Sink};
use std::collections::HashSet;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub(super) struct Out<'a> {
    sink: Option<&'a dyn Sink>,
    /// Kept (without a sink): the pages.
    pages: Mutex<Vec<(String, Content)>>,
    /// Kept (without a sink): copbook's own files, then the copies.
    rest: Mutex<Vec<(String, Content)>>,
    /// The paths of copbook's own files made so far, in the order made.
    own: Mutex<Vec<String>>,
    /// The same, to look up: an own file made before the pages still
    /// replaces a page at its path, as one written after it would.
    own_set: Mutex<HashSet<String>>,
    /// The first write that failed; the build ends with it.
    failed: Mutex<Option<io::Error>>,
}

impl<'a> Out<'a> {
    pub(super) fn new(sink: Option<&'a dyn Sink>) -> Self {
        Out {
            sink,
            pages: Mutex::default(),
            rest: Mutex::default(),
            own: Mutex::default(),
            own_set: Mutex::default(),
            failed: Mutex::default(),
        }
    }

    /// Whether files go to a sink (and so are not kept).
    pub(super) fn streams(&self) -> bool {
        self.sink.is_some()
    }

    /// A page, rendered.
    pub(super) fn page(&self, path: String, bytes: Arc<[u8]>) {
        let Some(sink) = self.sink else { return lock(&self.pages).push((path, Content::Bytes(bytes))) };
        if !lock(&self.own_set).contains(&path) {
            self.write(sink, &path, &Content::Bytes(bytes));
        }
    }

    /// One of copbook's own files (site files, data, print, theme assets).
    pub(super) fn own(&self, path: String, bytes: Vec<u8>) {
        lock(&self.own).push(path.clone());
        lock(&self.own_set).insert(path.clone());
        self.other(path, Content::Bytes(bytes.into()));
    }

    /// One of copbook's own files, made in parts: with a sink, written part
    /// by part and never held whole.
    pub(super) fn own_parts(&self, path: String, parts: Parts) {
        let Some(sink) = self.sink else {
            let mut bytes = Vec::new();
            // Writing into memory cannot fail.
            let _ = parts(&mut bytes);
            return self.own(path, bytes);
        };
        lock(&self.own).push(path.clone());
        lock(&self.own_set).insert(path.clone());
        self.write_with(|| sink.write_parts(&path, parts));
    }

    /// One of copbook's own files, made when it is first read (`serve`).
    pub(super) fn own_later(&self, path: String, later: LaterFile) {
        lock(&self.own).push(path.clone());
        lock(&self.own_set).insert(path.clone());
        self.other(path, Content::Later(Arc::new(later)));
    }

    /// A folder of copbook's own files, made when one is first read (`serve`).
    pub(super) fn own_later_folder(&self, folder: &str, later: LaterFolder) {
        lock(&self.own).push(folder.to_string());
        lock(&self.own_set).insert(folder.to_string());
        self.other(folder.to_string(), Content::LaterFolder(Arc::new(later)));
    }

    /// A file of the handbook, published as it is.
    pub(super) fn copy(&self, path: String, from: PathBuf) {
        self.other(path, Content::Copy(from));
    }

    fn other(&self, path: String, content: Content) {
        match self.sink {
            Some(sink) => self.write(sink, &path, &content),
            None => lock(&self.rest).push((path, content)),
        }
    }

    fn write(&self, sink: &dyn Sink, path: &str, content: &Content) {
        self.write_with(|| sink.write(path, content));
    }

    fn write_with(&self, write: impl FnOnce() -> io::Result<()>) {
        if lock(&self.failed).is_some() {
            return;
        }
        if let Err(e) = write() {
            lock(&self.failed).get_or_insert(e);
        }
    }

    /// The paths of copbook's own files made so far.
    pub(super) fn own_paths(&self) -> Vec<String> {
        lock(&self.own).clone()
    }

    /// Ends the build early when a write failed.
    pub(super) fn check(&self) -> io::Result<()> {
        lock(&self.failed).take().map_or(Ok(()), Err)
    }

    /// The files kept (none with a sink), or the first failed write. Each
    /// group is sorted by path: files are made in parallel, and a build
    /// must give the same list every time (serve pairs one build's files
    /// with the next's).
    pub(super) fn finish(self) -> io::Result<Vec<(String, Content)>> {
        self.check()?;
        let mut files = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rest = self.rest.into_inner().unwrap_or_else(|e| e.into_inner());
        // copbook's own files, then the copies.
        rest.sort_unstable_by(|a, b| {
            (matches!(a.1, Content::Copy(_)), &a.0).cmp(&(matches!(b.1, Content::Copy(_)), &b.0))
        });
        files.extend(rest);
        Ok(files)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Arc<[u8]> {
        s.as_bytes().into()
    }

    #[test]
    fn without_a_sink_files_are_kept_pages_first() {
        let out = Out::new(None);
        out.own("sitemap.xml".into(), b"s".to_vec());
        out.page("index.html".into(), bytes("p"));
        out.copy("a.png".into(), PathBuf::from("/h/a.png"));
        let paths: Vec<String> = out.finish().unwrap().into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["index.html", "sitemap.xml", "a.png"]);
    }

    #[test]
    fn kept_files_come_back_in_the_same_order_whatever_order_they_were_made_in() {
        let kept = |order: &[&str]| {
            let out = Out::new(None);
            for name in order {
                out.copy(format!("{name}.png"), PathBuf::from(format!("/h/{name}.png")));
                out.page(format!("{name}/index.html"), bytes(name));
                out.own(format!("{name}.md"), name.as_bytes().to_vec());
            }
            out.finish().unwrap().into_iter().map(|(p, _)| p).collect::<Vec<String>>()
        };
        let one = kept(&["b", "a", "c"]);
        assert_eq!(one, kept(&["c", "b", "a"]));
        assert_eq!(one[..3], ["a/index.html", "b/index.html", "c/index.html"]);
        assert_eq!(one[3..6], ["a.md", "b.md", "c.md"]);
        assert_eq!(one[6..], ["a.png", "b.png", "c.png"]);
    }

    #[test]
    fn with_a_sink_nothing_is_kept_and_an_own_file_wins_over_a_page() {
        let written = Mutex::new(Vec::new());
        let sink = |path: &str, c: &Content| {
            written.lock().unwrap().push((path.to_string(), c.clone()));
            Ok(())
        };
        let out = Out::new(Some(&sink));
        out.own("print/index.html".into(), b"print".to_vec());
        out.page("print/index.html".into(), bytes("a page"));
        out.page("index.html".into(), bytes("home"));
        assert_eq!(out.own_paths(), ["print/index.html"]);
        assert!(out.finish().unwrap().is_empty());
        let written = written.into_inner().unwrap();
        let paths: Vec<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["print/index.html", "index.html"]);
    }

    #[test]
    fn a_file_made_later_is_made_once_when_first_read_and_compared_by_key() {
        let calls = Arc::new(Mutex::new(0));
        let later = |key: u64, calls: Arc<Mutex<u32>>| {
            LaterFile::file(key, move || {
                *calls.lock().unwrap() += 1;
                b"made".to_vec()
            })
        };
        let out = Out::new(None);
        out.own_later("print/index.html".into(), later(1, calls.clone()));
        assert_eq!(out.own_paths(), ["print/index.html"]);
        let files = out.finish().unwrap();
        assert_eq!(*calls.lock().unwrap(), 0, "kept, not made");
        let (_, content) = &files[0];
        assert_eq!(content.made().unwrap()[..], b"made"[..]);
        assert_eq!(content.made().unwrap()[..], b"made"[..]);
        assert_eq!(*calls.lock().unwrap(), 1, "made once");
        let same = Content::Later(Arc::new(later(1, calls.clone())));
        let other = Content::Later(Arc::new(later(2, calls.clone())));
        assert_eq!(content, &same);
        assert_ne!(content, &other);
        assert_eq!(*calls.lock().unwrap(), 1, "comparing makes nothing");
    }

    #[test]
    fn the_first_failed_write_ends_the_build_and_stops_the_writing() {
        let calls = Mutex::new(0);
        let sink = |_: &str, _: &Content| {
            *calls.lock().unwrap() += 1;
            Err(io::Error::other("disk full"))
        };
        let out = Out::new(Some(&sink));
        out.page("a.html".into(), bytes("a"));
        out.page("b.html".into(), bytes("b"));
        assert_eq!(out.finish().unwrap_err().to_string(), "disk full");
        assert_eq!(*calls.lock().unwrap(), 1);
    }
}
