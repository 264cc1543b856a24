//! Printing findings: like a good compiler for people (the source line with
//! a marker under it, coloured on a terminal), as JSON for tools, or as
//! GitHub Actions annotations so findings show on pull requests.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
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
pub fn format(diags: &Diagnostics, root: &Path, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(diags, root, color),
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

fn human(diags: &Diagnostics, root: &Path, color: bool) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<&str, Option<usize>> = HashMap::new();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let config = term::Config::default();
    for d in diags.iter() {
        let id = *ids.entry(d.file.as_str()).or_insert_with(|| {
            if d.file.is_empty() {
                return None;
            }
            Some(files.add(d.file.clone(), crate::load::text_as_read(root, &d.file)?))
        });
        let mut report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
            Severity::Note => Report::note(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        match (id, d.line) {
            (Some(id), line) if line > 0 => {
                let source = files.get(id).map(|f| f.source().as_str()).unwrap_or("");
                let range = span(source, d.line, d.column);
                report = report.with_labels(vec![Label::primary(id, range)]);
            }
            _ if !d.file.is_empty() => report = report.with_notes(vec![format!("in {}", d.file)]),
            _ => {}
        }
        if let Some(hint) = &d.hint {
            report.notes.push(format!("help: {hint}"));
        }
        if term::emit(&mut buffer, &config, &files, &report).is_err() {
            // The file changed since it was read: fall back to one plain line.
            return plain(diags);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
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

/// The byte range marked under a finding: from its column to the end of
/// the word there, or the whole line when there is no column.
fn span(source: &str, line: u32, column: u32) -> std::ops::Range<usize> {
    let mut start = 0;
    for _ in 1..line {
        match source[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let end_of_line = source[start..].find('\n').map_or(source.len(), |i| start + i);
    let text = source[start..end_of_line].trim_end_matches('\r');
    if column == 0 {
        let indent = text.len() - text.trim_start().len();
        return start + indent..start + text.len().max(indent);
    }
    let from = text.char_indices().nth(column as usize - 1).map_or(text.len(), |(i, _)| i);
    let rest = &text[from..];
    let len = rest.find(char::is_whitespace).unwrap_or(rest.len()).max(1).min(rest.len());
    start + from..start + from + len
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
    props.push(format!("title={}", escape_property(d.code)));
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

    fn sample() -> Diagnostics {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error("unknown-owner", "owner 'acessibility' is not a known community")
                .at("standards/a.md", 3)
                .hint("did you mean 'accessibility'?"),
        );
        d.push(Diagnostic::warning("broken-link", "link 'x.md' resolves to nothing").at("index.md", 2).column(5));
        d
    }

    #[test]
    fn human_output_shows_the_source_line_and_hint() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("standards")).unwrap();
        std::fs::write(dir.path().join("standards/a.md"), "+++\ntitle = \"A\"\nowner = \"acessibility\"\n+++\n")
            .unwrap();
        std::fs::write(dir.path().join("index.md"), "# Hi\nSee [x](x.md) now\n").unwrap();
        let out = format(&sample(), dir.path(), Format::Human, false);
        assert!(out.contains("error[unknown-owner]: owner 'acessibility' is not a known community"), "{out}");
        assert!(out.contains("standards/a.md:3:1"), "{out}");
        assert!(out.contains("owner = \"acessibility\""), "{out}");
        assert!(out.contains("help: did you mean 'accessibility'?"), "{out}");
        assert!(out.contains("index.md:2:5"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes when piped");
    }

    #[test]
    fn json_has_one_object_per_finding() {
        let out = format(&sample(), Path::new("."), Format::Json, false);
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
        let out = format(&sample(), Path::new("."), Format::Github, false);
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
}
