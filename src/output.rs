//! Stage 5: write the site.
//!
//! A build writes into a temporary folder beside the output and swaps it in
//! only when every file is written, so an error, a panic or Ctrl-C mid-build
//! leaves the previous site untouched, and no stale file from an earlier
//! build survives.

use crate::site::Content;
use rayon::prelude::*;
use std::io;
use std::path::{Path, PathBuf};

/// A file every copbook site has; its presence says a folder is ours to replace.
const MARKER: &str = "assets/copbook.js";

/// Writes `files` as the complete contents of `out`.
pub fn write_site(files: &[(String, Content)], out: &Path, root: &Path) -> io::Result<()> {
    guard(out, root)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = out.file_name().map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    remove_leftovers(&parent, &name);
    let staging = parent.join(format!(".{name}.copbook-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&staging)?;
    if let Err(e) = write_all(files, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, out, &parent, &name)
}

/// Staging folders of builds that were interrupted (Ctrl-C, a crash) before
/// they could swap in or clean up.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let prefixes = [format!(".{name}.copbook-tmp-"), format!(".{name}.copbook-old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn write_all(files: &[(String, Content)], dir: &Path) -> io::Result<()> {
    files.par_iter().try_for_each(|(path, content)| write_file(dir, path, content))
}

/// Writes one file of the site under `dir`, creating its folders.
pub fn write_file(dir: &Path, path: &str, content: &Content) -> io::Result<()> {
    let target = dir.join(path);
    if let Some(p) = target.parent() {
        std::fs::create_dir_all(p)?;
    }
    let result = match content {
        Content::Bytes(bytes) => std::fs::write(&target, bytes),
        Content::Copy(from) => std::fs::copy(from, &target).map(|_| ()),
    };
    result.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
}

fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out.exists() {
        return std::fs::rename(staging, out);
    }
    let old = parent.join(format!(".{name}.copbook-old-{}", std::process::id()));
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(staging, out) {
        // Put the previous site back rather than leave nothing.
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
}

/// Refuses to replace a folder that holds the handbook itself, or one that
/// a build of copbook did not write.
fn guard(out: &Path, root: &Path) -> io::Result<()> {
    let out_abs = absolute(out);
    let root_abs = absolute(root);
    if root_abs.starts_with(&out_abs) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the output folder {} holds the handbook itself; choose another --out", out.display()),
        ));
    }
    let is_empty = std::fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(true);
    if out.exists() && !is_empty && !out.join(MARKER).exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is not empty and was not written by copbook; delete it or choose another --out", out.display()),
        ));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Vec<(String, Content)> {
        vec![
            ("index.html".into(), Content::Bytes(text.as_bytes().into())),
            (MARKER.into(), Content::Bytes(Vec::new().into())),
        ]
    }

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&site("one"), &out, dir.path().join("src").as_path()).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        write_site(&site("two"), &out, dir.path().join("src").as_path()).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // An output folder that holds the handbook is refused outright.
        write_site(&site("good"), dir.path(), &dir.path().join("content")).unwrap_err();
        let root = dir.path().join("content");
        write_site(&site("good"), &out, &root).unwrap();
        let mut bad = site("bad");
        bad.push(("x.png".into(), Content::Copy(dir.path().join("missing.png"))));
        assert!(write_site(&bad, &out, &root).is_err());
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "good");
    }

    #[test]
    fn an_interrupted_build_leaves_nothing_behind_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(dir.path().join(".public.copbook-tmp-99999/half")).unwrap();
        write_site(&site("x"), &out, &dir.path().join("content")).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_a_folder_copbook_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("thesis.txt"), "precious").unwrap();
        let err = write_site(&site("x"), &out, &dir.path().join("content")).unwrap_err();
        assert!(err.to_string().contains("not written by copbook"));
        assert!(out.join("thesis.txt").exists());
    }
}
