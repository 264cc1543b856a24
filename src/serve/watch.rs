//! Watching the handbook folder, and turning bursts of file events into
//! one rebuild.
//!
//! Editors save in many steps (a swap file, a backup, a temp file renamed
//! over the original), and a `git checkout` touches dozens of files: the
//! first event starts a quiet period, and the rebuild runs once no event
//! has come for [`QUIET`], or after [`MAX_WAIT`] at the latest.

use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// What the main loop waits for.
pub enum Signal {
    /// Paths that changed, as the watcher reports them.
    Changed(Vec<PathBuf>),
    /// Ctrl-C, or the watcher gave up.
    Stop,
}

/// How long the folder must be quiet before a rebuild. Measured with
/// `strace -tt` on vim 9's saves (its default rename-and-write, write in
/// place, `backupcopy=yes`): the steps of one save come at most 0.5 ms
/// apart, and the whole save takes about 1 ms; editors that write in place
/// or rename a temporary file over the page take fewer steps. A save whose
/// steps straddle the period (an fsync on a slow disk between the data and
/// the attributes) costs a second rebuild, which finds the page built.
const QUIET: Duration = Duration::from_millis(10);
/// A steady stream of events still gets a rebuild this often.
const MAX_WAIT: Duration = Duration::from_secs(1);
/// How often `--poll` looks at the files (reading them all, see below).
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Starts watching `root` recursively; events go to `signals`. The
/// watcher stops when the returned value is dropped.
pub fn start(root: &Path, poll: bool, signals: Sender<Signal>) -> notify::Result<Box<dyn Watcher + Send>> {
    let folder = root.to_path_buf();
    let handler = move |result: notify::Result<notify::Event>| match result {
        // Reads are not changes, and the build itself reads every file.
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
        // The watcher lost track (its queue overflowed): the whole folder may have changed.
        Ok(event) if event.paths.is_empty() || event.need_rescan() => {
            let _ = signals.send(Signal::Changed(vec![folder.clone()]));
        }
        Ok(event) => {
            let _ = signals.send(Signal::Changed(event.paths));
        }
        Err(e) => eprintln!("copbook: watching the folder: {e}"),
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        // The poll watcher compares file times in whole seconds, so a second
        // save within the same second would go unseen: compare contents too.
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher.watch(root, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// Which folder a path names, beyond its path: a folder deleted and made
/// again is another folder, and a watcher on the old one sees nothing of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity(u64, u64);

impl Identity {
    /// `None` when there is nothing at `path`.
    #[cfg(unix)]
    pub fn of(path: &Path) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| Identity(m.dev(), m.ino()))
    }

    /// Without inode numbers a folder that is there counts as the same; one
    /// that was seen gone is watched again all the same.
    #[cfg(not(unix))]
    pub fn of(path: &Path) -> Option<Identity> {
        path.is_dir().then_some(Identity(0, 0))
    }
}

/// Which changes are worth a rebuild.
pub struct Filter {
    pub root: PathBuf,
    /// Folders whose changes are our own doing: the preview output, and the
    /// handbook's configured output folder.
    pub ignored: Vec<PathBuf>,
}

impl Filter {
    /// An event with no paths (a rescan) counts: something changed.
    pub fn wants(&self, paths: &[PathBuf]) -> bool {
        paths.is_empty() || paths.iter().any(|p| self.wants_path(p))
    }

    fn wants_path(&self, path: &Path) -> bool {
        if self.ignored.iter().any(|dir| path.starts_with(dir)) {
            return false;
        }
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        !relative.components().any(|c| ignored_name(&c.as_os_str().to_string_lossy()))
    }
}

/// Hidden files and folders (`.git`, `.x.md.swp`, `.#x.md`), backups
/// (`x.md~`), vim's write test file `4913`, Emacs' auto-saves (`#x.md#`),
/// JetBrains' safe-write files (`x.md___jb_tmp___`), and folders the build skips.
fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
        || name == "node_modules"
        || name == "target"
}

/// After a wanted change: waits until the folder is quiet, adding the paths
/// of the burst to `changed`. `false` when the session should stop instead.
pub fn settle(signals: &Receiver<Signal>, changed: &mut Vec<PathBuf>) -> bool {
    let started = Instant::now();
    loop {
        let left = MAX_WAIT.saturating_sub(started.elapsed());
        if left.is_zero() {
            return true;
        }
        match signals.recv_timeout(QUIET.min(left)) {
            Ok(Signal::Changed(paths)) => changed.extend(paths),
            Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
            Err(RecvTimeoutError::Timeout) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn ignores_editor_droppings_and_our_output() {
        let filter = Filter { root: PathBuf::from("/hb"), ignored: vec![PathBuf::from("/hb/public")] };
        let wants = |p: &str| filter.wants(&[PathBuf::from(p)]);
        assert!(wants("/hb/standards/a.md"));
        assert!(wants("/hb/static/x.css"));
        assert!(wants("/hb/standards"), "a deleted or renamed folder");
        for p in [
            "/hb/.git/index",
            "/hb/standards/.a.md.swp",
            "/hb/standards/.#a.md",
            "/hb/standards/a.md~",
            "/hb/standards/4913",
            "/hb/public/index.html",
            "/hb/node_modules/x/y.js",
            "/hb/standards/#a.md#",
            "/hb/standards/a.md___jb_tmp___",
            "/hb/standards/a.md___jb_old___",
        ] {
            assert!(!wants(p), "{p}");
        }
        assert!(filter.wants(&[]), "a rescan");
        assert!(filter.wants(&[PathBuf::from("/hb/a.md~"), PathBuf::from("/hb/a.md")]), "a rename to a wanted name");
    }

    #[test]
    fn a_burst_settles_into_one_wait() {
        let (tx, rx) = channel();
        let sender = std::thread::spawn(move || {
            for _ in 0..10 {
                let _ = tx.send(Signal::Changed(vec![]));
                std::thread::sleep(QUIET / 4);
            }
            tx
        });
        let started = Instant::now();
        assert!(settle(&rx, &mut Vec::new()));
        let waited = started.elapsed();
        assert!(waited >= QUIET / 4 * 9 && waited < MAX_WAIT + Duration::from_millis(200), "{waited:?}");
        assert!(rx.try_recv().is_err(), "every event of the burst was taken");
        let tx = sender.join().unwrap();
        tx.send(Signal::Stop).unwrap();
        assert!(!settle(&rx, &mut Vec::new()));
    }
}
