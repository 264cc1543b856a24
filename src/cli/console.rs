//! What the command line prints besides findings, and how loudly: `--quiet`,
//! `--verbose` and `--color`, a progress spinner on a terminal, and the
//! summary of repeated findings.

use super::ColorWhen;
use copbook::diag::{Code, Diagnostics, Severity};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

/// A code that fires more often than this is summarised in the human format.
pub const REPEAT_LIMIT: usize = 10;
/// How many findings of a summarised code are shown.
pub const REPEAT_SHOWN: usize = 3;

pub struct Console {
    pub quiet: bool,
    pub verbose: bool,
    /// Whether stderr gets colour.
    pub color: bool,
}

impl Console {
    pub fn new(quiet: bool, verbose: bool, when: ColorWhen) -> Console {
        let color = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            // https://no-color.org: any non-empty NO_COLOR turns colour off.
            ColorWhen::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Console { quiet, verbose, color }
    }

    /// A line of information (what was read, what was written): not with `--quiet`.
    pub fn info(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("copbook: {}", line.as_ref());
        }
    }

    /// A spinner with the elapsed time while a build runs, on a terminal
    /// only: nothing when piped, in CI or with `--quiet`.
    pub fn spinner(&self, message: &'static str) -> Option<ProgressBar> {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if self.quiet || ci || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    }

    /// The findings a person should see: with `--quiet` only errors;
    /// without `--verbose`, a warning or note code that fires more than
    /// [`REPEAT_LIMIT`] times shows its first [`REPEAT_SHOWN`] findings,
    /// and the returned lines say how many more there are. Errors are
    /// never left out.
    pub fn for_people(&self, diags: &Diagnostics) -> (Diagnostics, Vec<String>) {
        if self.quiet {
            return (
                Diagnostics(diags.iter().filter(|d| d.severity == Severity::Error).cloned().collect()),
                Vec::new(),
            );
        }
        if self.verbose {
            return (diags.clone(), Vec::new());
        }
        summarise(diags)
    }
}

/// Leaves out all but the first few findings of each warning or note code
/// that fires more than [`REPEAT_LIMIT`] times; says so in one line a code.
pub fn summarise(diags: &Diagnostics) -> (Diagnostics, Vec<String>) {
    let mut counts: HashMap<Code, usize> = HashMap::new();
    for d in diags.iter().filter(|d| d.severity != Severity::Error) {
        *counts.entry(d.code).or_default() += 1;
    }
    let mut seen: HashMap<Code, usize> = HashMap::new();
    let mut kept = Diagnostics::default();
    let mut codes = Vec::new();
    for d in diags.iter() {
        let total = counts.get(&d.code).copied().unwrap_or(0);
        if d.severity != Severity::Error && total > REPEAT_LIMIT {
            let n = seen.entry(d.code).or_default();
            *n += 1;
            if *n == 1 {
                codes.push((d.code, total));
            }
            if *n > REPEAT_SHOWN {
                continue;
            }
        }
        kept.push(d.clone());
    }
    let lines = codes
        .into_iter()
        .map(|(code, total)| format!("{} more `{code}` findings; `--verbose` lists them all", total - REPEAT_SHOWN))
        .collect();
    (kept, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copbook::diag::Diagnostic;

    #[test]
    fn a_code_that_fires_often_is_summarised_and_errors_never_are() {
        let mut diags = Diagnostics::default();
        for i in 0..25 {
            diags.push(Diagnostic::warning(Code::MissingAsset, "gone").at(format!("p{i:02}.md"), 1));
            diags.push(Diagnostic::error(Code::BadDate, "bad").at(format!("p{i:02}.md"), 2));
        }
        for i in 0..REPEAT_LIMIT {
            diags.push(Diagnostic::warning(Code::BrokenLink, "x").at(format!("q{i}.md"), 1));
        }
        let (kept, lines) = summarise(&diags);
        assert_eq!(kept.iter().filter(|d| d.code == "missing-asset").count(), REPEAT_SHOWN);
        assert_eq!(kept.iter().filter(|d| d.code == "bad-date").count(), 25);
        assert_eq!(kept.iter().filter(|d| d.code == "broken-link").count(), REPEAT_LIMIT, "at the limit: all shown");
        assert_eq!(
            lines,
            vec![format!("{} more `missing-asset` findings; `--verbose` lists them all", 25 - REPEAT_SHOWN)]
        );
    }
}
