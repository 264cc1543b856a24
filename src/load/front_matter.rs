//! Front matter: TOML between `+++` lines or YAML between `---` lines at the
//! very top of a file, parsed into one JSON-like map whatever the syntax.
//!
//! Both syntaxes end up as `serde_json::Value`, the shape templates read, with
//! the line of each top-level key kept for findings.

use crate::config::{key_line, toml_error};
use crate::diag::Code;
use crate::diag::Diagnostic;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The parsed front matter of one file.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub fields: Map<String, Value>,
    /// 1-based file line of each top-level key.
    pub key_lines: HashMap<String, u32>,
    /// File line of the opening delimiter (1 unless there is none).
    pub first_line: u32,
    /// It could not be parsed (already reported): nothing more is said of the file.
    pub invalid: bool,
}

impl FrontMatter {
    pub fn line_of(&self, key: &str) -> u32 {
        self.key_lines.get(key).copied().unwrap_or(self.first_line.max(1))
    }
}

/// A file split into its front matter and its body.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// File line on which the body starts.
    pub body_line: u32,
    /// What was accepted with a warning (a key given twice).
    pub warnings: Vec<Diagnostic>,
}

/// Splits and parses `text` (a whole file, BOM already removed).
/// `file` names the file in findings.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let (delimiter, syntax) = match first_line(text) {
        "+++" => ("+++", Syntax::Toml),
        "---" => ("---", Syntax::Yaml),
        _ => return Ok(Split { front: FrontMatter::default(), body: text, body_line: 1, warnings: Vec::new() }),
    };
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let Some((fm_end, body_start)) = closing_delimiter(text, start, delimiter) else {
        return Err(Diagnostic::error(
            Code::FrontmatterParse,
            format!("front matter opened with '{delimiter}' is never closed"),
        )
        .at(file, 1)
        .hint(format!("add a line holding only '{delimiter}' after the last front matter line")));
    };
    let source = &text[start..fm_end];
    // TOML itself forbids a key given twice, and so do Hugo and Zola: that
    // stays an error.
    let (fields, warnings) = match syntax {
        Syntax::Toml => (parse_toml(file, source)?, Vec::new()),
        Syntax::Yaml => super::yaml::parse(file, source, 2)?,
    };
    let key_lines = fields.keys().map(|k| (k.clone(), key_line(source, k) + 1)).collect();
    let body_line = text[..body_start].matches('\n').count() as u32 + 1;
    Ok(Split {
        front: FrontMatter { fields, key_lines, first_line: 1, invalid: false },
        body: &text[body_start..],
        body_line,
        warnings,
    })
}

enum Syntax {
    Toml,
    Yaml,
}

fn first_line(text: &str) -> &str {
    text.split('\n').next().unwrap_or("").trim_end()
}

/// Byte offsets of the end of the front matter and of the start of the body.
fn closing_delimiter(text: &str, mut at: usize, delimiter: &str) -> Option<(usize, usize)> {
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim_end();
        // YAML documents may also close with "...".
        if line == delimiter || (delimiter == "---" && line == "...") {
            return Some((at, end));
        }
        at = end;
    }
    None
}

fn parse_toml(file: &str, source: &str) -> Result<Map<String, Value>, Diagnostic> {
    let table: toml::Table = source.parse().map_err(|e| toml_error(file, source, 1, &e))?;
    Ok(table.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
}

pub(crate) fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        // Dates are strings to templates; the model parses the ones it knows.
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_front_matter_with_lines() {
        let s = split("a.md", "+++\ntitle = \"Hi\"\nlast_reviewed = 2026-05-10\n+++\n# Body\n").unwrap();
        assert_eq!(s.front.fields["title"], "Hi");
        assert_eq!(s.front.fields["last_reviewed"], "2026-05-10");
        assert_eq!(s.front.line_of("last_reviewed"), 3);
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn yaml_front_matter_with_lines() {
        let s = split("a.md", "---\ntitle: Hi\nleads: [a, b]\nreview_in: 6 months\n---\nBody").unwrap();
        assert_eq!(s.front.fields["title"], "Hi");
        assert_eq!(s.front.fields["leads"], serde_json::json!(["a", "b"]));
        assert_eq!(s.front.line_of("review_in"), 4);
        assert_eq!(s.body, "Body");
        assert_eq!(s.body_line, 6);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("a.md", "# Title\ntext").unwrap();
        assert!(s.front.fields.is_empty());
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn crlf_delimiters() {
        let s = split("a.md", "---\r\ntitle: Hi\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(s.front.fields["title"], "Hi");
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn front_matter_only_and_empty() {
        let s = split("a.md", "+++\ntitle = \"x\"\n+++").unwrap();
        assert_eq!(s.body, "");
        let s = split("a.md", "---\n---\n").unwrap();
        assert!(s.front.fields.is_empty());
        assert!(split("a.md", "").unwrap().body.is_empty());
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let e = split("a.md", "---\ntitle: x\nbody").unwrap_err();
        assert_eq!((e.code.as_str(), e.line), ("frontmatter-parse", 1));
    }

    #[test]
    fn toml_error_points_at_the_file_line() {
        let e = split("a.md", "+++\ntitle = \"x\"\nowner = \n+++\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("a.md", 3));
    }

    #[test]
    fn yaml_error_points_at_the_file_line() {
        let e = split("a.md", "---\ntitle: x\nowner: [a\nb: c\n---\n").unwrap_err();
        assert_eq!(e.code, "frontmatter-parse");
        assert!(e.line >= 3, "line {}", e.line);
    }

    #[test]
    fn yaml_scalar_is_not_front_matter() {
        let e = split("a.md", "---\njust text\n---\n").unwrap_err();
        assert_eq!(e.code, "frontmatter-parse");
    }

    #[test]
    fn thematic_break_later_is_not_front_matter() {
        let s = split("a.md", "Text\n\n---\n\nMore").unwrap();
        assert!(s.front.fields.is_empty());
    }
}
