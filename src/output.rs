//! Stage 5: write the site.
//!
//! A build writes into a staging folder beside the output and swaps it in
//! only when every file is written, so an error, a panic or Ctrl-C mid-build
//! leaves the previous site untouched, and no stale file from an earlier
//! build survives.
//!
//! The swap is one step where the platform allows it (Linux's
//! `renameat2(RENAME_EXCHANGE)` trades the two folders atomically). Elsewhere,
//! or when the file system refuses the exchange, it is two renames: the old
//! site is moved aside to `.NAME.copbook-old-PID`, then the new one moved in.
//! A kill between the two leaves no output folder; the next run puts the old
//! site back ([`recover`]) before anything else.

use crate::site::{Content, Sink};
use rayon::prelude::*;
use std::io;
use std::path::{Path, PathBuf};

/// A file every copbook site has; its presence says a folder is ours to replace.
const MARKER: &str = "assets/copbook.js";

/// The steps of swapping a finished site in. Tests inject a failure or a
/// kill before each one (see [`write_site_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Trade the staging and output folders in one rename.
    Exchange,
    /// Fallback, first rename: the output folder moves aside.
    MoveOldAside,
    /// Fallback, second rename (or the only one when there is no output yet).
    MoveNewIn,
    /// Delete the previous site, now out of the way.
    RemoveOld,
}

/// Writes `files` as the complete contents of `out`.
pub fn write_site(files: &[(String, Content)], out: &Path, root: &Path) -> io::Result<()> {
    write_site_with(files, out, root, &|_| Ok(()))
}

/// [`write_site`], calling `before` ahead of each step of the swap: an error
/// it returns stands for that step failing (tests inject faults with it).
fn write_site_with(
    files: &[(String, Content)],
    out: &Path,
    root: &Path,
    before: &dyn Fn(Step) -> io::Result<()>,
) -> io::Result<()> {
    let staging = Staging::begin(out, root)?;
    staging.write_all(files)?;
    staging.finish_with(before)
}

/// A site being written: files go into a staging folder beside the output
/// as they are made, from any thread, and [`Staging::finish`] swaps it in
/// whole. Dropped unfinished (an error, a failed build), it removes the
/// staging folder and leaves the previous site as it was. This is what lets
/// a build write pages as it renders them instead of holding them all.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    root: PathBuf,
    finished: bool,
}

impl Staging {
    /// Checks that `out` may be replaced and makes the staging folder.
    /// `root` is the handbook folder files are copied from.
    pub fn begin(out: &Path, root: &Path) -> io::Result<Staging> {
        guard(out, root)?;
        let (parent, name) = place(out);
        std::fs::create_dir_all(&parent).map_err(|e| named(e, "could not create", &parent))?;
        recover(out)?;
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.copbook-tmp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| named(e, "could not create", &dir))?;
        Ok(Staging { dir, out: out.to_path_buf(), parent, name, root: root.to_path_buf(), finished: false })
    }

    /// Writes one file of the new site.
    pub fn write(&self, path: &str, content: &Content) -> io::Result<()> {
        write_file(&self.dir, path, content, &self.root)
    }

    /// Writes many, in parallel.
    pub fn write_all(&self, files: &[(String, Content)]) -> io::Result<()> {
        files.par_iter().try_for_each(|(path, content)| self.write(path, content))
    }

    /// Swaps the new site in.
    pub fn finish(self) -> io::Result<()> {
        self.finish_with(&|_| Ok(()))
    }

    fn finish_with(mut self, before: &dyn Fn(Step) -> io::Result<()>) -> io::Result<()> {
        self.finished = true;
        swap_in(&self.dir, &self.out, &self.parent, &self.name, before)
    }
}

impl Sink for Staging {
    fn write(&self, path: &str, content: &Content) -> io::Result<()> {
        Staging::write(self, path, content)
    }

    /// Streams the parts into the file through a buffer.
    fn write_parts(&self, path: &str, parts: crate::render::Parts) -> io::Result<()> {
        let target = self.dir.join(path);
        let written = create(&target).and_then(|file| {
            let mut file = io::BufWriter::with_capacity(1 << 16, file);
            parts(&mut file)?;
            io::Write::flush(&mut file)
        });
        written.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
    }
}

/// Creates a file with its folders.
fn create(target: &Path) -> io::Result<std::fs::File> {
    if let Some(p) = target.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::File::create(target)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes one file of a new handbook (`copbook init`, `copbook new`), with
/// its folders: the command line decides what and whether, this writes.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// Writes `bytes` to the file at `path`, replacing it whole: they go to a
/// file beside it first, renamed over it once complete, so a failed write
/// leaves the previous file as it was.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, name) = place(path);
    let temp = dir.join(format!(".{name}.copbook-new-{}", std::process::id()));
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// The folder the output lives in, and the output folder's name.
fn place(out: &Path) -> (PathBuf, String) {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out.file_name().map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// Puts back the previous site when a build was killed between moving it
/// aside and moving the new one in: with no output folder, the newest
/// `.NAME.copbook-old-*` beside it becomes the output again. Returns the
/// folder it was put back from. Call it before anything else reads or
/// reports on the output folder.
pub fn recover(out: &Path) -> io::Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Ok(None);
    }
    let (parent, name) = place(out);
    let Ok(entries) = std::fs::read_dir(&parent) else { return Ok(None) };
    let prefix = format!(".{name}.copbook-old-");
    let newest = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix) && e.path().is_dir())
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    let Some(old) = newest.map(|e| e.path()) else { return Ok(None) };
    rename(&old, out)?;
    Ok(Some(old))
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

/// Writes one file of the site under `dir`, creating its folders. A file
/// copied from the handbook folder `root` is opened with the loader's
/// checks again, so one swapped for a link leading out, or for a FIFO,
/// since it was read is refused rather than published or waited on.
pub fn write_file(dir: &Path, path: &str, content: &Content, root: &Path) -> io::Result<()> {
    let target = dir.join(path);
    if let Some(p) = target.parent() {
        std::fs::create_dir_all(p)?;
    }
    let result = match content {
        Content::Bytes(bytes) => std::fs::write(&target, bytes),
        Content::Later(later) => std::fs::write(&target, later.bytes()),
        // Its path ends in `/`: each of its files goes under it.
        Content::LaterFolder(folder) => {
            return folder
                .get()
                .iter()
                .try_for_each(|(name, file)| write_file(dir, &format!("{path}{name}"), file, root));
        }
        Content::Copy(from) => crate::load::open_to_publish(root, from)
            .and_then(|mut source| std::io::copy(&mut source, &mut std::fs::File::create(&target)?))
            .map(|_| ()),
    };
    result.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
}

fn swap_in(
    staging: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
    before: &dyn Fn(Step) -> io::Result<()>,
) -> io::Result<()> {
    // Whatever fails, the staging folder does not outlive this build.
    let fail = |e: io::Error| {
        let _ = std::fs::remove_dir_all(staging);
        Err(e)
    };
    if std::fs::symlink_metadata(out).is_err() {
        return before(Step::MoveNewIn).and_then(|()| rename(staging, out)).or_else(fail);
    }
    if before(Step::Exchange).and_then(|()| exchange(staging, out)).is_ok() {
        // The staging path now holds the previous site; a kill before it is
        // removed leaves a leftover the next build deletes.
        let _ = before(Step::RemoveOld).and_then(|()| std::fs::remove_dir_all(staging));
        return Ok(());
    }
    let old = parent.join(format!(".{name}.copbook-old-{}", std::process::id()));
    if std::fs::symlink_metadata(&old).is_ok() {
        std::fs::remove_dir_all(&old).map_err(|e| named(e, "could not remove", &old)).or_else(fail)?;
    }
    before(Step::MoveOldAside).and_then(|()| rename(out, &old)).or_else(fail)?;
    if let Err(e) = before(Step::MoveNewIn).and_then(|()| rename(staging, out)) {
        // Put the previous site back rather than leave nothing.
        let e = match rename(&old, out) {
            Ok(()) => io::Error::new(e.kind(), format!("{e}; the previous site is back in place")),
            Err(back) => {
                io::Error::new(e.kind(), format!("{e}; and {back}: the next build puts the previous site back"))
            }
        };
        return fail(e);
    }
    // Left behind (a kill, a locked file), the next build deletes it.
    let _ = before(Step::RemoveOld).and_then(|()| std::fs::remove_dir_all(&old));
    Ok(())
}

/// Trades two folders in one step, so that no moment has neither.
///
/// Linux (3.15+) does it with `renameat2(RENAME_EXCHANGE)`; file systems that
/// do not support it refuse with an error and the caller falls back.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange on this platform"))
}

/// A rename whose error names both paths.
fn rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
        .map_err(|e| io::Error::new(e.kind(), format!("could not move {} to {}: {e}", from.display(), to.display())))
}

fn named(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
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

    /// A handbook folder, an output folder holding the site "previous", and
    /// what the folder beside the output holds.
    struct Swap {
        dir: tempfile::TempDir,
        out: PathBuf,
        root: PathBuf,
    }

    impl Swap {
        fn new() -> Swap {
            let dir = tempfile::tempdir().unwrap();
            let (out, root) = (dir.path().join("public"), dir.path().join("content"));
            write_site(&site("previous"), &out, &root).unwrap();
            Swap { dir, out, root }
        }
        fn write(&self, before: &dyn Fn(Step) -> io::Result<()>) -> io::Result<()> {
            write_site_with(&site("new"), &self.out, &self.root, before)
        }
        /// Writes "new" as on a file system that refuses the exchange, doing
        /// `act` just before step `at` (an error from it is that step failing).
        fn write_by_renames(&self, at: Step, act: &dyn Fn() -> io::Result<()>) -> io::Result<()> {
            self.write(&|step| {
                if step == at {
                    act()?;
                }
                if step == Step::Exchange {
                    refused(step)
                } else {
                    Ok(())
                }
            })
        }
        /// The site in the output folder, if there is one.
        fn shown(&self) -> Option<String> {
            std::fs::read_to_string(self.out.join("index.html")).ok()
        }
        fn beside(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    fn refused(step: Step) -> io::Result<()> {
        Err(io::Error::other(format!("injected failure before {step:?}")))
    }

    #[test]
    fn the_swap_exchanges_in_one_step_where_it_can() {
        let s = Swap::new();
        let steps = std::sync::Mutex::new(Vec::new());
        s.write(&|step| {
            steps.lock().unwrap().push(step);
            Ok(())
        })
        .unwrap();
        assert_eq!(s.shown().as_deref(), Some("new"));
        assert_eq!(s.beside(), ["public"]);
        let steps = steps.into_inner().unwrap();
        if cfg!(target_os = "linux") && steps.len() == 2 {
            assert_eq!(steps, [Step::Exchange, Step::RemoveOld]);
        } else {
            // Not Linux, or a file system without the exchange (overlayfs on old kernels).
            assert_eq!(steps, [Step::Exchange, Step::MoveOldAside, Step::MoveNewIn, Step::RemoveOld]);
        }
    }

    #[test]
    fn a_refused_exchange_falls_back_to_two_renames() {
        let s = Swap::new();
        s.write_by_renames(Step::Exchange, &|| Ok(())).unwrap();
        assert_eq!(s.shown().as_deref(), Some("new"));
        assert_eq!(s.beside(), ["public"]);
    }

    #[test]
    fn a_failed_rename_names_its_paths_and_keeps_the_previous_site() {
        for at in [Step::MoveOldAside, Step::MoveNewIn] {
            let s = Swap::new();
            let e = s.write_by_renames(at, &|| refused(at)).unwrap_err().to_string();
            assert!(e.contains(&format!("before {at:?}")), "{e}");
            assert_eq!(s.shown().as_deref(), Some("previous"), "after a failure at {at:?}");
            assert_eq!(s.beside(), ["public"], "no staging folder is left after a failure at {at:?}");
        }
    }

    #[test]
    fn real_rename_failures_name_both_paths() {
        let pid = std::process::id();
        // The place the old site moves to is taken by a folder that is not empty.
        let s = Swap::new();
        let old = s.dir.path().join(format!(".public.copbook-old-{pid}"));
        let e = s
            .write_by_renames(Step::MoveOldAside, &|| std::fs::create_dir_all(old.join("taken")))
            .unwrap_err()
            .to_string();
        let moving = format!("could not move {} to {}", s.out.display(), old.display());
        assert!(e.starts_with(&moving), "{e}");
        assert_eq!(s.shown().as_deref(), Some("previous"));
        // The staging folder vanishes before the new site moves in.
        let s = Swap::new();
        let staging = s.dir.path().join(format!(".public.copbook-tmp-{pid}"));
        let e = s.write_by_renames(Step::MoveNewIn, &|| std::fs::remove_dir_all(&staging)).unwrap_err().to_string();
        let moving = format!("could not move {} to {}", staging.display(), s.out.display());
        assert!(e.starts_with(&moving) && e.ends_with("the previous site is back in place"), "{e}");
        assert_eq!(s.shown().as_deref(), Some("previous"));
        assert_eq!(s.beside(), ["public"]);
    }

    #[test]
    fn a_first_build_that_cannot_move_in_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let e = write_site_with(&site("new"), &out, &dir.path().join("content"), &|step| refused(step)).unwrap_err();
        assert!(e.to_string().contains("before MoveNewIn"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A kill before `at`: the hook panics, so no cleanup of the swap runs.
    fn killed_before(s: &Swap, at: Step, exchange: bool) {
        let kill = || -> io::Result<()> { panic!("killed before {at:?}") };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if exchange {
                s.write(&|step| if step == at { kill() } else { Ok(()) })
            } else {
                s.write_by_renames(at, &kill)
            }
        }));
        assert!(result.is_err(), "the hook was never called at {at:?}");
    }

    #[test]
    fn a_kill_at_any_step_loses_neither_site_and_the_next_build_recovers() {
        use Step::*;
        // (exchange available, killed before, what the output shows after recovery)
        let cases = [
            (true, Exchange, "previous"),
            (true, RemoveOld, "new"),
            (false, MoveOldAside, "previous"),
            (false, MoveNewIn, "previous"),
            (false, RemoveOld, "new"),
        ];
        for (exchange, at, expected) in cases {
            if exchange && cfg!(not(target_os = "linux")) {
                continue;
            }
            let s = Swap::new();
            killed_before(&s, at, exchange);
            let recovered = recover(&s.out).unwrap();
            assert_eq!(recovered.is_some(), at == MoveNewIn, "recovery at {at:?}");
            assert_eq!(s.shown().as_deref(), Some(expected), "killed before {at:?}");
            // The next build swaps in cleanly and leaves nothing else beside the output.
            write_site(&site("next"), &s.out, &s.root).unwrap();
            assert_eq!(s.shown().as_deref(), Some("next"));
            assert_eq!(s.beside(), ["public"], "killed before {at:?}");
        }
    }

    #[test]
    fn the_next_build_recovers_by_itself() {
        let s = Swap::new();
        killed_before(&s, Step::MoveNewIn, false);
        assert_eq!(s.shown(), None, "the kill left no output folder");
        // A build that fails to write still puts the previous site back first.
        let mut bad = site("bad");
        bad.push(("x.png".into(), Content::Copy(s.dir.path().join("missing.png"))));
        assert!(write_site(&bad, &s.out, &s.root).is_err());
        assert_eq!(s.shown().as_deref(), Some("previous"));
        assert_eq!(s.beside(), ["public"]);
    }

    #[test]
    fn recovery_leaves_an_existing_output_alone() {
        let s = Swap::new();
        std::fs::create_dir_all(s.dir.path().join(".public.copbook-old-1")).unwrap();
        assert_eq!(recover(&s.out).unwrap(), None);
        assert_eq!(s.shown().as_deref(), Some("previous"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_swapped_for_a_link_out_or_a_fifo_after_loading_is_not_published() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("handbook");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "the build machine's secret").unwrap();
        let out = dir.path().join("public");
        write_site(&site("good"), &out, &root).unwrap();
        for swap in ["link", "fifo"] {
            let file = root.join("static/a.txt");
            let _ = std::fs::remove_file(&file);
            match swap {
                "link" => std::os::unix::fs::symlink(dir.path().join("secret.txt"), &file).unwrap(),
                _ => assert!(std::process::Command::new("mkfifo").arg(&file).status().unwrap().success()),
            }
            let mut files = site("new");
            files.push(("static/a.txt".into(), Content::Copy(file.clone())));
            let err = write_site(&files, &out, &root).unwrap_err();
            assert!(err.to_string().contains("static/a.txt"), "{swap}: {err}");
            assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "good", "{swap}");
        }
    }
}
