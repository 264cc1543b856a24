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

/// Every kind of finding, by its stable code: what `--format json` prints,
/// what the README's table of findings documents (a test holds the two
/// together), and what tools and people filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    BadSession,
    UnknownPrinciple,
    DuplicateKey,
    RedirectClash,
    LeftOut,
    BadDate,
    BadDuration,
    BadType,
    BadValue,
    BrokenAnchor,
    BrokenLink,
    ClosedOwner,
    DanglingSymlink,
    DuplicateId,
    DuplicateTerm,
    DuplicateUrl,
    EmptyGlossary,
    ForeignConfig,
    HeadingSkip,
    FrontmatterParse,
    ImageNoAlt,
    MissingAsset,
    MissingInclude,
    MissingTitle,
    NeverReviewed,
    NoLeads,
    NoSitemap,
    NotConverted,
    NotUtf8,
    NulByte,
    OutsideHandbook,
    RawHtml,
    ReferenceCycle,
    ReviewDue,
    ReviewOrder,
    ReviewOverdue,
    ShallowClone,
    SpecialFile,
    Template,
    UnknownItem,
    UnknownOwner,
    UnknownPerson,
    UnknownSetting,
    UnknownTerm,
    Unreadable,
    UnsafeUrl,
    UnusedTerm,
}

impl Code {
    pub const ALL: [Code; 47] = [
        Code::BadDate,
        Code::BadDuration,
        Code::BadType,
        Code::BadValue,
        Code::BrokenAnchor,
        Code::BrokenLink,
        Code::ClosedOwner,
        Code::DanglingSymlink,
        Code::DuplicateId,
        Code::DuplicateTerm,
        Code::DuplicateUrl,
        Code::EmptyGlossary,
        Code::ForeignConfig,
        Code::HeadingSkip,
        Code::FrontmatterParse,
        Code::ImageNoAlt,
        Code::MissingAsset,
        Code::MissingInclude,
        Code::MissingTitle,
        Code::NeverReviewed,
        Code::NoLeads,
        Code::NotConverted,
        Code::NotUtf8,
        Code::NulByte,
        Code::OutsideHandbook,
        Code::RawHtml,
        Code::ReferenceCycle,
        Code::ReviewDue,
        Code::ReviewOrder,
        Code::ReviewOverdue,
        Code::ShallowClone,
        Code::SpecialFile,
        Code::Template,
        Code::UnknownItem,
        Code::UnknownOwner,
        Code::UnknownPerson,
        Code::UnknownSetting,
        Code::UnknownTerm,
        Code::Unreadable,
        Code::UnsafeUrl,
        Code::DuplicateKey,
        Code::RedirectClash,
        Code::LeftOut,
        Code::BadSession,
        Code::UnknownPrinciple,
        Code::NoSitemap,
        Code::UnusedTerm,
    ];

    /// The code as findings print it: `broken-link`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadSession => "bad-session",
            Code::UnknownPrinciple => "unknown-principle",
            Code::UnusedTerm => "unused-term",
            Code::DuplicateKey => "duplicate-key",
            Code::RedirectClash => "redirect-clash",
            Code::LeftOut => "left-out",
            Code::BadDate => "bad-date",
            Code::BadDuration => "bad-duration",
            Code::BadType => "bad-type",
            Code::BadValue => "bad-value",
            Code::BrokenAnchor => "broken-anchor",
            Code::BrokenLink => "broken-link",
            Code::ClosedOwner => "closed-owner",
            Code::DanglingSymlink => "dangling-symlink",
            Code::DuplicateId => "duplicate-id",
            Code::DuplicateTerm => "duplicate-term",
            Code::DuplicateUrl => "duplicate-url",
            Code::EmptyGlossary => "empty-glossary",
            Code::ForeignConfig => "foreign-config",
            Code::HeadingSkip => "heading-skip",
            Code::FrontmatterParse => "frontmatter-parse",
            Code::ImageNoAlt => "image-no-alt",
            Code::MissingAsset => "missing-asset",
            Code::MissingInclude => "missing-include",
            Code::MissingTitle => "missing-title",
            Code::NeverReviewed => "never-reviewed",
            Code::NoLeads => "no-leads",
            Code::NoSitemap => "no-sitemap",
            Code::NotConverted => "not-converted",
            Code::NotUtf8 => "not-utf8",
            Code::NulByte => "nul-byte",
            Code::OutsideHandbook => "outside-handbook",
            Code::RawHtml => "raw-html",
            Code::ReferenceCycle => "reference-cycle",
            Code::ReviewDue => "review-due",
            Code::ReviewOrder => "review-order",
            Code::ReviewOverdue => "review-overdue",
            Code::ShallowClone => "shallow-clone",
            Code::SpecialFile => "special-file",
            Code::Template => "template",
            Code::UnknownItem => "unknown-item",
            Code::UnknownOwner => "unknown-owner",
            Code::UnknownPerson => "unknown-person",
            Code::UnknownSetting => "unknown-setting",
            Code::UnknownTerm => "unknown-term",
            Code::Unreadable => "unreadable",
            Code::UnsafeUrl => "unsafe-url",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Findings sort by their printed code, as they did when codes were text.
impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// One finding: a stable code (documented in the README), a one-line
/// message, and a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
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
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
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
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn note(code: Code, message: impl Into<String>) -> Self {
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
        let d = Diagnostic::error(crate::diag::Code::Template, "m").at("a.md", 0);
        assert_eq!(d.location(), "a.md");
        assert_eq!(d.clone().at("a.md", 3).location(), "a.md:3");
        assert_eq!(d.at("a.md", 3).column(5).location(), "a.md:3:5");
    }
}

/// The README's table of findings is written by hand: it must list every
/// code, and nothing that is not one.
#[cfg(test)]
mod documented {
    use super::Code;

    #[test]
    fn the_readme_lists_every_finding_code_and_no_other() {
        let readme =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let table = readme.split("## Findings").nth(1).and_then(|s| s.split("\n## ").next()).unwrap_or("");
        let listed: Vec<&str> = table
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| l.split('|').nth(1).unwrap_or("").split('`').skip(1).step_by(2))
            .collect();
        let missing: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !listed.contains(c)).collect();
        assert_eq!(missing, Vec::<&str>::new(), "codes missing from the README's table of findings");
        let unknown: Vec<&&str> = listed.iter().filter(|l| !Code::ALL.iter().any(|c| c == *l)).collect();
        assert_eq!(unknown, Vec::<&&str>::new(), "the README lists codes that do not exist");
    }
}
