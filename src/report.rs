//! Printing findings: like a good compiler for people (the source line with
//! a marker under it, coloured on a terminal), as JSON for tools, or as
//! GitHub Actions annotations so findings show on pull requests.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor::Buffer};
use std::collections::HashMap;
use std::path::Path;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Human, Format::Json, Format::Github];

    /// How `--format` names it.
    pub fn id(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
        }
    }

    /// What it prints, for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            Format::Human => "Source lines with markers, for people",
            Format::Json => "A JSON array of findings: file, line, column, severity, code, message, hint",
            Format::Github => "GitHub Actions workflow commands (::error file=...)",
        }
    }
}

/// Formats findings. `root` is the handbook folder the files are in.
/// `verbose` lists, in the human format, everything a finding that gathers
/// many stands for (its `details`); otherwise it says how to see them.
/// JSON always carries them.
pub fn format(diags: &Diagnostics, root: &Path, format: Format, color: bool, verbose: bool) -> String {
    match format {
        Format::Human => human(diags, root, color, verbose),
        Format::Json => serde_json::to_string_pretty(&diags.0).unwrap_or_default() + "\n",
        Format::Github => diags.iter().map(github).collect(),
    }
}

/// "2 errors, 6 warnings, 1 note".
pub fn summary(diags: &Diagnostics) -> String {
    let part = |n: usize, word: &str| match n {
        0 => None,
        1 => Some(format!("1 {word}")),
        n => Some(format!("{n} {word}s")),
    };
    let parts: Vec<String> = [
        part(diags.count(Severity::Error), "error"),
        part(diags.count(Severity::Warning), "warning"),
        part(diags.count(Severity::Note), "note"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "no problems found".into()
    } else {
        parts.join(", ")
    }
}

fn human(diags: &Diagnostics, root: &Path, color: bool, verbose: bool) -> String {
    // Each file is read and indexed once, however many findings it has.
    let mut sources: HashMap<&str, Option<Source>> = HashMap::new();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let config = term::Config::default();
    for d in diags.iter() {
        let source = sources.entry(d.file.as_str()).or_insert_with(|| Source::read(root, &d.file));
        let mut report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
            Severity::Note => Report::note(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        let excerpt = source.as_mut().and_then(|s| s.excerpt(&d.file, d.line, d.column));
        match &excerpt {
            Some(e) => report = report.with_labels(vec![Label::primary((), e.marked.clone())]),
            None if !d.file.is_empty() => report = report.with_notes(vec![format!("in {}", d.location())]),
            None => {}
        }
        if let Some(hint) = &d.hint {
            report.notes.push(format!("help: {hint}"));
        }
        report.notes.extend(details_notes(d, verbose));
        let files = excerpt.unwrap_or_default();
        if term::emit(&mut buffer, &config, &files, &report).is_err() {
            return plain(diags);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// What a finding that gathers many shows of them: each one under
/// `--verbose`, else a line saying how to see them.
fn details_notes(d: &Diagnostic, verbose: bool) -> Vec<String> {
    match d.details.len() {
        0 => Vec::new(),
        _ if verbose => d.details.iter().map(|item| format!("  {item}")).collect(),
        n => vec![format!("`--verbose` lists the {n} {}", if n == 1 { "item" } else { "items" })],
    }
}

/// Lines longer than this many characters are shown as an excerpt around
/// the column: a finding never prints more than a screen line, so many
/// findings on one long line cost no more than as many on short lines.
const EXCERPT_CHARS: usize = 120;
/// Of an excerpt, the characters shown before the column.
const EXCERPT_BEFORE: usize = 40;
/// How far apart (in characters) the remembered byte offsets of a long line
/// are: finding a column walks at most this many characters.
const CHECKPOINT_EVERY: usize = 256;

/// A file's text with where each line starts, read once per report.
struct Source {
    text: String,
    line_starts: Vec<usize>,
    /// Where characters are in the long lines that have findings.
    long_lines: HashMap<u32, Checkpoints>,
}

impl Source {
    fn read(root: &Path, file: &str) -> Option<Source> {
        if file.is_empty() {
            return None;
        }
        // Through the loader, so the report shows what was read: never a
        // file outside the handbook, never a wait on a FIFO; a lone CR ends a line.
        let text = crate::load::text_as_read(root, file)?;
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Some(Source { text, line_starts, long_lines: HashMap::new() })
    }

    /// What a finding at `line` and `column` shows: that line, or a window of
    /// it around the column, marking from the column to the end of the word
    /// there (the whole line when there is no column).
    fn excerpt(&mut self, file: &str, line: u32, column: u32) -> Option<Excerpt> {
        let index = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self.line_starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        let text = self.text[start..end].trim_end_matches('\r');
        let long = text.char_indices().nth(EXCERPT_CHARS).is_some();
        let positions = long.then(|| self.long_lines.entry(line).or_insert_with(|| Checkpoints::of(text)));
        let (from, to) = if column == 0 {
            let indent = text.len() - text.trim_start().len();
            (indent, text.len().max(indent))
        } else {
            let from = match &positions {
                Some(p) => p.byte_of(text, column as usize - 1),
                None => text.char_indices().nth(column as usize - 1).map_or(text.len(), |(i, _)| i),
            };
            // The word ends within the window, however long it runs.
            let rest = &text[from..];
            let rest = &rest[..rest.char_indices().nth(EXCERPT_CHARS).map_or(rest.len(), |(i, _)| i)];
            let word = rest.find(char::is_whitespace).unwrap_or(rest.len()).max(1).min(rest.len());
            (from, from + word)
        };
        // A long line shows EXCERPT_BEFORE characters before the mark and
        // fills the rest of EXCERPT_CHARS after it.
        let (window, skipped) = match &positions {
            Some(p) => {
                let window_start = text[..from].char_indices().rev().nth(EXCERPT_BEFORE - 1).map_or(0, |(i, _)| i);
                let rest = &text[window_start..];
                let window_end = rest.char_indices().nth(EXCERPT_CHARS).map_or(text.len(), |(i, _)| window_start + i);
                (window_start..window_end, p.chars_before(text, window_start))
            }
            None => (0..text.len(), 0),
        };
        let lead = if window.start > 0 { "…" } else { "" };
        let tail = if window.end < text.len() { "…" } else { "" };
        let at = |byte: usize| lead.len() + byte.clamp(window.start, window.end) - window.start;
        Some(Excerpt {
            name: file.to_string(),
            line: line as usize,
            skipped: skipped.saturating_sub(lead.chars().count()),
            marked: at(from)..at(to),
            text: format!("{lead}{}{tail}", &text[window]),
        })
    }
}

/// The byte offset of every [`CHECKPOINT_EVERY`]th character of a long line,
/// so that finding a column walks at most that many characters.
struct Checkpoints(Vec<usize>);

impl Checkpoints {
    fn of(text: &str) -> Checkpoints {
        Checkpoints(text.char_indices().step_by(CHECKPOINT_EVERY).map(|(i, _)| i).collect())
    }

    /// The byte offset of 0-based character `chars`, or the line's end.
    fn byte_of(&self, text: &str, chars: usize) -> usize {
        let Some(&from) = self.0.get(chars / CHECKPOINT_EVERY) else { return text.len() };
        text[from..].char_indices().nth(chars % CHECKPOINT_EVERY).map_or(text.len(), |(i, _)| from + i)
    }

    /// How many characters lie before byte `byte`.
    fn chars_before(&self, text: &str, byte: usize) -> usize {
        let k = self.0.partition_point(|&c| c <= byte).saturating_sub(1);
        let from = self.0.get(k).copied().unwrap_or(0);
        k * CHECKPOINT_EVERY + text[from..byte].chars().count()
    }
}

/// The one line a finding shows, as codespan's source: its line number and
/// columns are those of the whole file, though only a window may be shown.
#[derive(Default)]
struct Excerpt {
    name: String,
    /// 1-based line in the file.
    line: usize,
    /// Characters of the line left out before `text` (less the `…` shown).
    skipped: usize,
    /// What to mark, as a byte range of `text`.
    marked: std::ops::Range<usize>,
    text: String,
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }
    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }
    fn line_index(&'a self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(0)
    }
    fn line_number(&'a self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(self.line)
    }
    fn column_number(&'a self, (): (), _: usize, byte_index: usize) -> Result<usize, files::Error> {
        let byte_index = byte_index.min(self.text.len());
        Ok(self.skipped + self.text.get(..byte_index).map_or(0, |t| t.chars().count()) + 1)
    }
    fn line_range(&'a self, (): (), line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        match line_index {
            0 => Ok(0..self.text.len()),
            given => Err(files::Error::LineTooLarge { given, max: 0 }),
        }
    }
}

/// `file:line:col: level: message [code]`, one a line.
pub fn plain(diags: &Diagnostics) -> String {
    diags.iter().map(|d| plain_line(d) + "\n").collect()
}

pub fn plain_line(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let mut line = format!("{}: {level}: {} [{}]", d.location(), d.message, d.code);
    if let Some(h) = &d.hint {
        line.push_str(&format!("\n  = help: {h}"));
    }
    line
}

fn github(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if !d.file.is_empty() {
        props.push(format!("file={}", escape_property(&d.file)));
    }
    if d.line > 0 {
        props.push(format!("line={}", d.line));
    }
    if d.column > 0 {
        props.push(format!("col={}", d.column));
    }
    props.push(format!("title={}", escape_property(d.code.as_str())));
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str(&format!(" ({h})"));
    }
    format!("::{level} {}::{}\n", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn sample() -> Diagnostics {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(Code::UnknownOwner, "owner 'acessibility' is not a known community")
                .at("standards/a.md", 3)
                .hint("did you mean 'accessibility'?"),
        );
        d.push(Diagnostic::warning(Code::BrokenLink, "link 'x.md' resolves to nothing").at("index.md", 2).column(5));
        d
    }

    #[test]
    fn human_output_shows_the_source_line_and_hint() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("standards")).unwrap();
        std::fs::write(dir.path().join("standards/a.md"), "+++\ntitle = \"A\"\nowner = \"acessibility\"\n+++\n")
            .unwrap();
        std::fs::write(dir.path().join("index.md"), "# Hi\nSee [x](x.md) now\n").unwrap();
        let out = format(&sample(), dir.path(), Format::Human, false, false);
        assert!(out.contains("error[unknown-owner]: owner 'acessibility' is not a known community"), "{out}");
        assert!(out.contains("standards/a.md:3:1"), "{out}");
        assert!(out.contains("owner = \"acessibility\""), "{out}");
        assert!(out.contains("help: did you mean 'accessibility'?"), "{out}");
        assert!(out.contains("index.md:2:5"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes when piped");
    }

    #[test]
    fn json_has_one_object_per_finding() {
        let out = format(&sample(), Path::new("."), Format::Json, false, false);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[0]["code"], "unknown-owner");
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["line"], 3);
        assert_eq!(v[1]["column"], 5);
        assert!(v[1].get("hint").is_none());
    }

    #[test]
    fn github_annotations_are_escaped() {
        let out = format(&sample(), Path::new("."), Format::Github, false, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=standards/a.md,line=3,title=unknown-owner::owner 'acessibility' is not a known community (did you mean 'accessibility'?)"
        );
        assert!(lines[1].starts_with("::warning file=index.md,line=2,col=5,"));
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(&sample()), "1 error, 1 warning");
        assert_eq!(summary(&Diagnostics::default()), "no problems found");
    }

    /// One line holding `n` broken links, and a finding for each.
    fn links_on_one_line(dir: &Path, n: usize) -> Diagnostics {
        let mut line = String::from("Liens ");
        let mut d = Diagnostics::default();
        for i in 0..n {
            let column = line.chars().count() as u32 + 1;
            line.push_str(&format!("[café {i}](missing-{i}.md) "));
            d.push(Diagnostic::warning(Code::BrokenLink, format!("link {i}")).at("index.md", 2).column(column));
        }
        std::fs::write(dir.join("index.md"), format!("# Home\n{line}\nlast\n")).unwrap();
        d
    }

    #[test]
    fn a_long_line_shows_a_window_around_each_finding() {
        let dir = tempfile::tempdir().unwrap();
        let mut diags = links_on_one_line(dir.path(), 300);
        diags.push(Diagnostic::warning(crate::diag::Code::Template, "a short line").at("index.md", 3).column(2));
        let out = format(&diags, dir.path(), Format::Human, false, false);
        // Columns count characters ("é" is one), however far along the line.
        let last = &diags.0[299];
        assert!(out.contains(&format!("┌─ index.md:2:{}\n", last.column)), "{out}");
        let shown: Vec<&str> = out.lines().filter(|l| l.starts_with("2 │ ")).collect();
        assert_eq!(shown.len(), 300);
        assert!(shown.iter().all(|l| l.chars().count() <= 4 + EXCERPT_CHARS + 2), "{shown:?}");
        assert!(shown[0].starts_with("2 │ Liens [café 0]") && shown[0].ends_with('…'), "{}", shown[0]);
        assert!(
            shown[299].starts_with("2 │ …") && shown[299].trim_end().ends_with("[café 299](missing-299.md)"),
            "{}",
            shown[299]
        );
        // The mark sits under the link's text: find it below the last line shown.
        let at = out.rfind("2 │ …").unwrap();
        let mut lines = out[at..].lines();
        let (text, marks) = (lines.next().unwrap(), lines.next().unwrap());
        let start = marks.chars().position(|c| c == '^').unwrap();
        let marked: String = text.chars().skip(start).take_while(|c| !c.is_whitespace()).collect();
        assert_eq!(marked, "[café");
        // Short lines are shown whole.
        assert!(out.contains("┌─ index.md:3:2\n  │\n3 │ last\n  │  ^^^\n"), "{out}");
    }

    /// Least of three timings, to shrug off a busy machine.
    fn time(run: impl Fn()) -> std::time::Duration {
        (0..3)
            .map(|_| {
                let t = std::time::Instant::now();
                run();
                t.elapsed()
            })
            .min()
            .unwrap()
    }

    #[test]
    fn the_human_report_is_linear_in_findings_on_one_line() {
        let (small, large) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let n = 2_000;
        let (few, many) = (links_on_one_line(small.path(), n), links_on_one_line(large.path(), 4 * n));
        let t1 = time(|| assert!(format(&few, small.path(), Format::Human, false, false).len() > n));
        let t4 = time(|| assert!(format(&many, large.path(), Format::Human, false, false).len() > 4 * n));
        // Linear is about 4 times; quadratic would be about 16.
        assert!(t4 < t1 * 10, "{n} findings: {t1:?}, {}: {t4:?}", 4 * n);
    }
}
