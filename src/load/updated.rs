//! When each file last changed, and what changed it: the commits that
//! touched it when the folder is in a git repository (checkouts reset
//! mtimes, so git is the truth there), else the file's modification time
//! and no history. In a shallow clone (the default of GitHub's
//! `actions/checkout`) both are wrong, the tip commit's date or the
//! checkout's, so there is neither date nor history.
//!
//! The whole handbook's history comes from one `git log` (10,000 pages must
//! not mean 10,000 processes). `git log --follow` follows renames of one
//! file only, so renames are followed here instead: the log is read newest
//! first with rename detection (`-M`), and a rename sends the older commits
//! of its old path to the new one. Dates are committer dates, as UTC days:
//! the history is a function of the repository alone, never of the clock,
//! so builds of the same commit are identical (`--today` and
//! `SOURCE_DATE_EPOCH` leave it alone).

use crate::date::Date;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// One commit that changed a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// The commit's date (committer date, UTC).
    pub date: Date,
    /// The first line of its message, as written (escaped where shown).
    /// Shared by every file the commit touched.
    pub subject: Arc<str>,
}

#[derive(Default)]
pub struct Dates {
    /// Commits by path relative to the handbook folder, newest first; empty outside git.
    from_git: HashMap<String, Vec<Change>>,
    /// The handbook folder's path inside its git repository (`docs/`, or
    /// empty at the root); `None` outside git.
    pub(crate) prefix: Option<String>,
    /// The repository is a shallow clone: no dates at all.
    pub(crate) shallow: bool,
    /// The commit the history was read at; `None` outside git or before the first commit.
    pub(crate) head: Option<String>,
}

impl Dates {
    /// One `git log` for the whole folder: one process, not one a file.
    pub(crate) fn of(root: &Path) -> Dates {
        git_dates(root).unwrap_or_default()
    }

    /// The commit a folder's repository is at now, to tell whether [`Dates`]
    /// read earlier still hold; `None` outside git.
    pub(crate) fn head_of(root: &Path) -> Option<String> {
        git(root, &["rev-parse", "-q", "--verify", "HEAD"]).map(|s| s.trim().to_string())
    }

    pub(crate) fn get(&self, root: &Path, path: &str) -> Option<Date> {
        if self.shallow {
            return None;
        }
        self.history(path).first().map(|c| c.date).or_else(|| {
            let modified = std::fs::metadata(root.join(path)).ok()?.modified().ok()?;
            let seconds = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
            Some(Date::from_days(seconds.div_euclid(86_400)))
        })
    }

    /// The commits that changed `path`, newest first; empty outside git.
    pub(crate) fn history(&self, path: &str) -> &[Change] {
        self.from_git.get(path).map_or(&[], Vec::as_slice)
    }
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn git_dates(root: &Path) -> Option<Dates> {
    let prefix = git(root, &["rev-parse", "--show-prefix"])?.trim().to_string();
    let head = Dates::head_of(root);
    if git(root, &["rev-parse", "--is-shallow-repository"]).is_some_and(|s| s.trim() == "true") {
        return Some(Dates { prefix: Some(prefix), shallow: true, head, ..Dates::default() });
    }
    // `-z`: paths as they are (no quoting of non-ASCII names), NUL-separated.
    // A signature shown by the user's configuration would land among them.
    let args = ["-c", "log.showSignature=false", "log", "-z", "--format=%ct %s", "--name-status", "-M", "--", "."];
    let log = git(root, &args)?;
    Some(Dates { from_git: parse_log(&log, &prefix), prefix: Some(prefix), shallow: false, head })
}

/// Each file's commits from `git log -z --format='%ct %s' --name-status -M`:
/// for each commit a header token (`<seconds> <subject>`), then a status
/// token per file (`M`, `A`, `D`, `R100`...) followed by its path, or old
/// and new paths for a rename. Paths are from the repository's root;
/// `prefix` is the handbook folder's, and the result is relative to it.
fn parse_log(log: &str, prefix: &str) -> HashMap<String, Vec<Change>> {
    let mut history: HashMap<String, Vec<Change>> = HashMap::new();
    // Where the older commits of a path belong: the file it became (by a
    // later rename), or nowhere (`None`: it was deleted, and what has that
    // path now is another file).
    let mut became: HashMap<String, Option<String>> = HashMap::new();
    let mut current: Option<Change> = None;
    let mut tokens = log.split('\0').map(|t| t.trim_start_matches('\n')).filter(|t| !t.is_empty());
    while let Some(token) = tokens.next() {
        let status = token.chars().next().filter(|c| c.is_ascii_uppercase());
        let Some(status) = status.filter(|_| token[1..].bytes().all(|b| b.is_ascii_digit())) else {
            current = header(token);
            continue;
        };
        let (old, path) = match status {
            'R' | 'C' => (tokens.next(), tokens.next()),
            _ => (None, tokens.next()),
        };
        let Some(path) = path else { break };
        let file = match became.get(path) {
            // A deletion ends a file: what has its path later is another one.
            _ if status == 'D' => None,
            Some(Some(file)) => Some(file.clone()),
            Some(None) => None,
            None => Some(path.to_string()),
        };
        if let (Some(change), Some(file)) = (&current, &file) {
            if let Some(relative) = file.strip_prefix(prefix) {
                history.entry(relative.to_string()).or_default().push(change.clone());
            }
        }
        match (status, old) {
            ('D', _) => {
                became.insert(path.to_string(), None);
            }
            ('R', Some(old)) => {
                became.insert(old.to_string(), file);
            }
            _ => {}
        }
    }
    history
}

/// A commit's `<seconds> <subject>` line.
fn header(token: &str) -> Option<Change> {
    let (seconds, subject) = token.split_once(' ').unwrap_or((token, ""));
    let seconds: i64 = seconds.parse().ok()?;
    Some(Change { date: Date::from_days(seconds.div_euclid(86_400)), subject: subject.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subjects(history: &HashMap<String, Vec<Change>>, path: &str) -> Vec<String> {
        history.get(path).map_or(Vec::new(), |h| h.iter().map(|c| format!("{} {}", c.date, c.subject)).collect())
    }

    #[test]
    fn renames_carry_older_commits_and_deletions_end_them() {
        // Newest first: b.md renamed to c.md, then edited; a.md deleted and made anew.
        let log = "86400 edit c\0\nM\0docs/c.md\0\
                   86400 new a\0\nA\0docs/a.md\0\
                   0 rename b, drop a\0\nR090\0docs/b.md\0docs/c.md\0D\0docs/a.md\0\
                   0 start <b>\"q\"</b>\0\nA\0docs/a.md\0A\0docs/b.md\0A\0README.md\0";
        let history = parse_log(log, "docs/");
        assert_eq!(
            subjects(&history, "c.md"),
            ["1970-01-02 edit c", "1970-01-01 rename b, drop a", "1970-01-01 start <b>\"q\"</b>"]
        );
        assert_eq!(subjects(&history, "a.md"), ["1970-01-02 new a"]);
        assert!(!history.contains_key("b.md") && !history.contains_key("README.md"), "{history:?}");
    }

    #[test]
    fn odd_tokens_do_not_panic() {
        for log in ["", "\0\0", "R100\0only-one", "x y z", "99999999999999999999 big\0M\0a", "M"] {
            let _ = parse_log(log, "");
        }
        // A path named like a status is still a path.
        assert_eq!(subjects(&parse_log("0 s\0M\0M\0", ""), "M"), ["1970-01-01 s"]);
    }
}
