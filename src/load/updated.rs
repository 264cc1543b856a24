//! When each file last changed, for "last updated" lines: the date of its
//! last git commit when the folder is in a git repository (checkouts reset
//! mtimes, so git is the truth there), else the file's modification time.
//! In a shallow clone (the default of GitHub's `actions/checkout`) both are
//! wrong, the tip commit's date or the checkout's, so there is no date.

use crate::date::Date;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

#[derive(Default)]
pub struct Dates {
    /// Commit dates by path relative to the handbook folder; empty outside git.
    from_git: HashMap<String, Date>,
    /// The handbook folder's path inside its git repository (`docs/`, or
    /// empty at the root); `None` outside git.
    pub(crate) prefix: Option<String>,
    /// The repository is a shallow clone: no dates at all.
    pub(crate) shallow: bool,
}

impl Dates {
    /// One `git log` for the whole folder: one process, not one a file.
    pub(crate) fn of(root: &Path) -> Dates {
        git_dates(root).unwrap_or_default()
    }

    pub(crate) fn get(&self, root: &Path, path: &str) -> Option<Date> {
        if self.shallow {
            return None;
        }
        self.from_git.get(path).copied().or_else(|| {
            let modified = std::fs::metadata(root.join(path)).ok()?.modified().ok()?;
            let seconds = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
            Some(Date::from_days(seconds.div_euclid(86_400)))
        })
    }
}

fn git_dates(root: &Path) -> Option<Dates> {
    let git = |args: &[&str]| {
        let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let prefix = git(&["rev-parse", "--show-prefix"])?.trim().to_string();
    if git(&["rev-parse", "--is-shallow-repository"]).is_some_and(|s| s.trim() == "true") {
        return Some(Dates { from_git: HashMap::new(), prefix: Some(prefix), shallow: true });
    }
    let log = git(&["log", "--format=%x00%ct", "--name-only", "--no-renames", "--", "."])?;
    let mut dates = HashMap::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(stamp) = line.strip_prefix('\0') {
            current = stamp.trim().parse::<i64>().ok().map(|s| Date::from_days(s.div_euclid(86_400)));
        } else if let (Some(date), Some(path)) = (current, line.strip_prefix(prefix.as_str())) {
            // The log is newest first, so the first date seen for a path is its last change.
            dates.entry(path.to_string()).or_insert(date);
        }
    }
    Some(Dates { from_git: dates, prefix: Some(prefix), shallow: false })
}
