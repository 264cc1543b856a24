//! Findings about a handbook: what is wrong, where, and how to fix it.
//!
//! Every stage reports into a [`Diagnostics`] list instead of stopping at the
//! first problem, so `copbook check` can list everything at once. A finding
//! names the file (relative to the handbook folder) and, where there is one,
//! the line and column. How findings are printed lives in `report`.

use serde::Serialize;

/// How serious a finding is. Errors stop a build; warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One finding: a stable code (documented in the README), a one-line
/// message, and a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    /// Path relative to the handbook folder, with `/` separators; empty for
    /// findings about the handbook as a whole.
    pub file: String,
    /// 1-based line, 0 when the finding is about the whole file.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What one finding stands for when it gathers many (each missing file
    /// of a folder that was not copied): shown in full under `--verbose`.
    /// A boxed slice keeps findings small: they travel in every `Result`.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub details: Box<[String]>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            file: String::new(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            details: Box::default(),
        }
    }
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn note(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }
    pub fn at(mut self, file: impl Into<String>, line: u32) -> Self {
        self.file = file.into();
        self.line = line;
        self
    }
    pub fn column(mut self, column: u32) -> Self {
        self.column = column;
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn details(mut self, details: Vec<String>) -> Self {
        self.details = details.into_boxed_slice();
        self
    }
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
    /// `file:line:column`, leaving out what is unknown.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{}", self.file, l),
            (l, c) => format!("{}:{}:{}", self.file, l, c),
        }
    }
}

/// The findings of one run, in the order they were found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn count(&self, severity: Severity) -> usize {
        self.0.iter().filter(|d| d.severity == severity).count()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Sorted by file, line and column, so output is stable whatever order
    /// the parallel stages finished in.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.message).cmp(&(&b.file, b.line, b.column, b.code, &b.message))
        });
        self.0.dedup();
        self
    }
}

/// "did you mean ...?" for a reference that names nothing: the closest known
/// id within a small edit distance, or one that starts the same way.
pub fn did_you_mean<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for id in known {
        let distance = strsim::levenshtein(&wanted_lower, &id.to_lowercase());
        let close = distance <= 2 || (wanted_lower.len() >= 3 && id.starts_with(&wanted_lower));
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, id));
        }
    }
    best.map(|(_, id)| format!("did you mean '{id}'?"))
}

/// 1-based line and column (in characters) of a byte offset into `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_close_id() {
        let known = ["accessibility", "content", "data"];
        assert_eq!(did_you_mean("acessibility", known), Some("did you mean 'accessibility'?".into()));
        assert_eq!(did_you_mean("Content", known), Some("did you mean 'content'?".into()));
        assert_eq!(did_you_mean("access", known), Some("did you mean 'accessibility'?".into()));
        assert_eq!(did_you_mean("zebra", known), None);
    }

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4)); // after the two-byte é
        assert_eq!(line_col(text, 999), (3, 2));
    }

    #[test]
    fn location_leaves_out_what_is_unknown() {
        let d = Diagnostic::error("x", "m").at("a.md", 0);
        assert_eq!(d.location(), "a.md");
        assert_eq!(d.clone().at("a.md", 3).location(), "a.md:3");
        assert_eq!(d.at("a.md", 3).column(5).location(), "a.md:3:5");
    }
}
