//! The preview's files: the latest good build, held in memory as the
//! builder returned it, so that serving writes nothing and reads no page
//! back from disk.
//!
//! Pages and theme files are shared bytes ([`Content::Bytes`]); a page the
//! rebuild did not render again is the very same allocation, so comparing
//! two builds is mostly pointer comparisons. Files the build would copy
//! as they are ([`Content::Copy`]: images, videos, a handbook's own
//! stylesheets) stay in the handbook folder and are streamed from there,
//! and only from there: see [`open_inside`].

use crate::site::{Content, LaterFolder};
use std::collections::{HashMap, HashSet};

/// The maps are rebuilt after every save, 30,000 paths at 10,000 pages:
/// foldhash hashes a short path several times faster than std's SipHash,
/// whose resistance to chosen keys a site's own paths do not need.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type Set<K> = HashSet<K, foldhash::fast::RandomState>;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// One file of the site.
#[derive(Debug, Clone)]
struct Entry {
    content: Content,
    /// For a copied file: its size and time when the build was taken, so a
    /// rebuild can tell that it changed without reading it.
    stamp: Option<(u64, Option<SystemTime>)>,
}

impl Entry {
    fn of(content: &Content) -> Entry {
        let stamp = match content {
            Content::Bytes(_) | Content::Later(_) | Content::LaterFolder(_) => None,
            // A source we cannot stat has no stamp, and so always counts as changed.
            Content::Copy(source) => std::fs::metadata(source).ok().map(|m| (m.len(), m.modified().ok())),
        };
        Entry { content: content.clone(), stamp }
    }

    fn same_as(&self, other: &Entry) -> bool {
        match (&self.content, &other.content) {
            (Content::Bytes(a), Content::Bytes(b)) => Arc::ptr_eq(a, b) || a[..] == b[..],
            // Made from inputs that hash the same: compared without making either.
            (Content::Later(a), Content::Later(b)) => a == b,
            (Content::LaterFolder(a), Content::LaterFolder(b)) => a == b,
            (Content::Copy(a), Content::Copy(b)) => a == b && self.stamp.is_some() && self.stamp == other.stamp,
            _ => false,
        }
    }
}

/// Every file of one build, by site path (`section/one/index.html`).
#[derive(Debug, Default)]
pub struct Files {
    by_path: Map<String, Entry>,
    /// The folders of files made when first read ([`Content::LaterFolder`]), by path (ending in `/`).
    later: Vec<(String, Arc<LaterFolder>)>,
    /// Every folder that holds a file, `""` (the root) included.
    folders: Set<String>,
}

/// What a URL's segments name.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'a> {
    /// A file, with its site path (for its content type).
    File(&'a str, &'a Content),
    /// A folder asked for without its trailing slash.
    Folder,
    Missing,
}

impl Files {
    pub fn new(files: &[(String, Content)]) -> Files {
        let mut folders = Set::default();
        folders.insert(String::new());
        for (path, _) in files {
            let mut rest = path.as_str();
            while let Some(i) = rest.rfind('/') {
                rest = &rest[..i];
                if !folders.insert(rest.to_string()) {
                    break;
                }
            }
        }
        let by_path = files.iter().map(|(path, content)| (path.clone(), Entry::of(content))).collect();
        let later = files
            .iter()
            .filter_map(|(path, content)| match content {
                Content::LaterFolder(folder) => Some((path.clone(), folder.clone())),
                _ => None,
            })
            .collect();
        Files { by_path, later, folders }
    }

    /// Looks up decoded URL segments, as a static file server would on
    /// disk: a folder's page is its `index.html`.
    pub fn find(&self, segments: &[String], trailing_slash: bool) -> Found<'_> {
        let joined = segments.join("/");
        if let Some((path, entry)) = self.by_path.get_key_value(&joined) {
            // `/page.html/` names no file.
            if trailing_slash && !segments.is_empty() {
                return Found::Missing;
            }
            return Found::File(path, &entry.content);
        }
        // A file of a later folder: the folder is made now if it was not yet.
        for (folder, later) in &self.later {
            if let Some(name) = joined.strip_prefix(folder.as_str()) {
                // (Its name in the folder serves as its path: the type is in its extension.)
                if let Some((name, content)) = later.find(name).filter(|_| !trailing_slash) {
                    return Found::File(name, content);
                }
            }
        }
        if !self.folders.contains(&joined) {
            return Found::Missing;
        }
        if !trailing_slash {
            return Found::Folder;
        }
        let index = if joined.is_empty() { "index.html".to_string() } else { format!("{joined}/index.html") };
        match self.by_path.get_key_value(&index) {
            Some((path, entry)) => Found::File(path, &entry.content),
            None => Found::Missing,
        }
    }

    /// The content of the file at a site path.
    pub fn content(&self, path: &str) -> Option<&Content> {
        self.by_path.get(path).map(|entry| &entry.content)
    }

    /// What changed from `self` to `newer`.
    pub fn changes(&self, newer: &Files) -> Changes {
        let mut changes = Changes::default();
        for (path, entry) in &newer.by_path {
            if !self.by_path.get(path).is_some_and(|old| old.same_as(entry)) {
                changes.written.push(path.clone());
            }
        }
        changes.removed = self.by_path.keys().filter(|p| !newer.by_path.contains_key(*p)).cloned().collect();
        changes
    }
}

/// What one rebuild changed, as site paths.
#[derive(Debug, Default)]
pub struct Changes {
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed (none removed): open pages can swap their
    /// stylesheets instead of reloading and losing their scroll.
    pub fn only_css(&self) -> bool {
        !self.written.is_empty() && self.removed.is_empty() && self.written.iter().all(|p| p.ends_with(".css"))
    }
}

/// Why a copied file cannot be served.
#[derive(Debug, PartialEq, Eq)]
pub enum Unservable {
    /// Gone, or not a regular file (a FIFO would block the reader for ever).
    Missing,
    /// Its real path lies outside the handbook folder: a symlink put there
    /// after the build looked, say. Never read.
    Outside,
}

/// Opens a copied file of the handbook for reading, if its real path still
/// lies inside `root` (canonical) and it is a regular file.
pub fn open_inside(root: &Path, source: &Path) -> Result<File, Unservable> {
    let real = std::fs::canonicalize(source).map_err(|_| Unservable::Missing)?;
    if !real.starts_with(root) {
        return Err(Unservable::Outside);
    }
    // The canonical path has no symlinks left, so this is the file itself.
    if !std::fs::metadata(&real).is_ok_and(|m| m.is_file()) {
        return Err(Unservable::Missing);
    }
    let file = File::open(&real).map_err(|_| Unservable::Missing)?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(Unservable::Missing);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> (String, Content) {
        (path.to_string(), Content::Bytes(text.as_bytes().into()))
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn finds_files_folders_and_their_pages() {
        let files = Files::new(&[bytes("index.html", "home"), bytes("sec/sub/index.html", "x"), bytes("a.css", "c")]);
        assert!(matches!(files.find(&[], true), Found::File("index.html", _)));
        assert!(matches!(files.find(&s(&["sec", "sub"]), true), Found::File("sec/sub/index.html", _)));
        assert_eq!(files.find(&s(&["sec", "sub"]), false), Found::Folder);
        assert_eq!(files.find(&s(&["sec"]), false), Found::Folder);
        assert_eq!(files.find(&s(&["sec"]), true), Found::Missing, "a folder without a page");
        assert!(matches!(files.find(&s(&["a.css"]), false), Found::File("a.css", _)));
        assert_eq!(files.find(&s(&["a.css"]), true), Found::Missing);
        assert_eq!(files.find(&s(&["se"]), false), Found::Missing);
        assert_eq!(files.find(&s(&["sec", "sub", "index.html", "x"]), false), Found::Missing);
    }

    #[test]
    fn tells_what_changed() {
        let shared: Arc<[u8]> = b"a".as_slice().into();
        let one = Files::new(&[("index.html".into(), Content::Bytes(shared.clone())), bytes("s.css", "c")]);
        let same = Files::new(&[("index.html".into(), Content::Bytes(shared)), bytes("s.css", "c")]);
        assert!(one.changes(&same).is_empty());
        let css = Files::new(&[bytes("index.html", "a"), bytes("s.css", "c2")]);
        let changes = one.changes(&css);
        assert_eq!(changes.written, vec!["s.css".to_string()]);
        assert!(changes.only_css());
        let fewer = Files::new(&[bytes("s.css", "c2")]);
        let changes = css.changes(&fewer);
        assert_eq!(changes.removed, vec!["index.html".to_string()]);
        assert!(!changes.only_css(), "a removal is more than a stylesheet change");
    }

    #[test]
    fn a_later_folder_is_made_when_one_of_its_files_is_found_and_compared_by_key() {
        let folder = |key: u64| {
            let later =
                crate::site::LaterFolder::folder(key, move || vec![("s/0.json".into(), format!("{key}").into_bytes())]);
            ("search/".to_string(), Content::LaterFolder(Arc::new(later)))
        };
        let files = Files::new(&[bytes("search/index.html", "page"), folder(1)]);
        assert!(files.changes(&Files::new(&[bytes("search/index.html", "page"), folder(1)])).is_empty());
        let changes = files.changes(&Files::new(&[bytes("search/index.html", "page"), folder(2)]));
        assert_eq!(changes.written, ["search/"]);
        assert!(matches!(files.find(&s(&["search"]), true), Found::File("search/index.html", _)));
        match files.find(&s(&["search", "s", "0.json"]), false) {
            Found::File(name, content) => {
                assert_eq!(name, "s/0.json");
                assert_eq!(content.made().unwrap()[..], b"1"[..]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(files.find(&s(&["search", "s", "9.json"]), false), Found::Missing);
        assert_eq!(files.find(&s(&["search", "s", "0.json"]), true), Found::Missing);
    }

    #[test]
    fn copied_files_change_with_their_source() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("a.png");
        std::fs::write(&source, "one").unwrap();
        let files = || Files::new(&[("a.png".into(), Content::Copy(source.clone()))]);
        let first = files();
        assert!(first.changes(&files()).is_empty());
        std::fs::write(&source, "three").unwrap();
        assert_eq!(first.changes(&files()).written, vec!["a.png".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn copied_files_are_read_only_from_inside_the_handbook() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("handbook");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/a.png"), "png").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("static/leak.txt")).unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        assert!(open_inside(&root, &root.join("static/a.png")).is_ok());
        assert_eq!(open_inside(&root, &root.join("static/leak.txt")).unwrap_err(), Unservable::Outside);
        assert_eq!(open_inside(&root, &root.join("static/gone.png")).unwrap_err(), Unservable::Missing);
        assert_eq!(open_inside(&root, &root.join("static")).unwrap_err(), Unservable::Missing, "a folder");
    }
}
