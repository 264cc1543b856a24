//! `handbook.toml`: the handbook's title, where it is published, and the
//! settings for review dates and the theme.
//!
//! Every key has a default, so a folder without `handbook.toml` still builds.
//! Unknown keys are reported with a did-you-mean, as a warning: a typo should
//! be noticed, but must never stop a publish.

use crate::diag::{did_you_mean, line_col, Code, Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};

/// The file a handbook folder is configured by.
pub const FILE_NAME: &str = "handbook.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    pub title: String,
    pub organisation: Option<String>,
    pub description: Option<String>,
    /// Where the site is published: a full URL (`https://org.github.io/handbook/`)
    /// or a path (`/handbook/`). Every URL the site writes starts with its path.
    pub base_url: String,
    pub language: String,
    /// Repository URL, for "edit this page" links.
    pub repository: Option<String>,
    pub branch: String,
    /// The handbook folder's path inside the repository (`docs`), for edit
    /// links; found from git when absent.
    pub edit_path: Option<String>,
    pub contact_url: Option<String>,
    pub contact_text: Option<String>,
    pub footer: Option<String>,
    /// Default "leads as of" date for communities that do not give their own.
    pub leads_as_of: Option<String>,
    /// Custom domain for GitHub Pages: writes a `CNAME` file.
    pub cname: Option<String>,
    /// The zone session times are in (an IANA name copbook knows the rules of).
    pub timezone: String,
    /// Publish each page's Markdown at `<page>/index.md`, for `llms.txt` readers.
    pub source_markdown: bool,
    /// Write `/print/` and each community's print page.
    pub print: bool,
    /// Output folder, relative to the handbook folder.
    pub output: String,
    pub review: ReviewConfig,
    pub theme: ThemeConfig,
    pub markdown: MarkdownConfig,
    pub glossary: GlossaryConfig,
    /// Free-form values for template overrides, as `site.extra`.
    pub extra: toml::Table,
    /// Set by the adapter of a handbook written for another generator, so
    /// copbook's own pages (Due for review) speak its language; never read
    /// from handbook.toml. Serialised, so the pages' keys see it change.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
}

/// The family an imported handbook was written for, and where and how its
/// pages say what copbook's review report reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The family's name ("GOV.UK tech-docs").
    pub family: String,
    /// The folder community pages go in, from the handbook folder (`source/communities/`).
    pub communities: String,
    /// The front-matter names its pages give the last review date and how
    /// often to review (`last_reviewed_on`, `review_in` in tech-docs).
    pub last_reviewed: String,
    pub review_every: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewConfig {
    /// Items due within this many days are listed as "due soon".
    pub due_soon_days: i64,
    /// Default interval after `last_reviewed`, per kind.
    pub principles: String,
    pub guidelines: String,
    pub standards: String,
    /// Default for every other page; none when empty.
    pub pages: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ThemeConfig {
    /// Deepest heading level listed in "On this page".
    pub toc_depth: u8,
    /// Write a page for each person; when false, names are shown without links.
    pub people_pages: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MarkdownConfig {
    pub raw_html: RawHtml,
    /// Heading ids as the generator a handbook came from made them; set by
    /// its adapter, not in handbook.toml.
    #[serde(skip)]
    pub heading_ids: crate::text::SlugRule,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct GlossaryConfig {
    /// Link the first use on a page of each glossary term to its entry.
    pub link_terms: bool,
}

impl Default for GlossaryConfig {
    fn default() -> Self {
        GlossaryConfig { link_terms: true }
    }
}

/// What happens to HTML written in a page's Markdown. Handbooks need some
/// (`<details>`, `<kbd>`, embedded videos), and it can do anything a
/// script can; an organisation taking contributions from outside can ask
/// for a warning on each, or refuse it. Comments are never counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Published as written (script URLs in links are still neutralised).
    #[default]
    Allow,
    /// Published as written, with a warning for each block or tag.
    Warn,
    /// Shown as text, never as HTML, and an error for each block or tag,
    /// so that `check` in CI rejects it.
    Deny,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Handbook".into(),
            organisation: None,
            description: None,
            base_url: "/".into(),
            language: "en".into(),
            repository: None,
            branch: "main".into(),
            edit_path: None,
            contact_url: None,
            contact_text: None,
            footer: None,
            leads_as_of: None,
            cname: None,
            timezone: "Europe/London".into(),
            source_markdown: true,
            print: true,
            output: "public".into(),
            review: ReviewConfig::default(),
            theme: ThemeConfig::default(),
            markdown: MarkdownConfig::default(),
            glossary: GlossaryConfig::default(),
            extra: toml::Table::new(),
            imported: None,
        }
    }
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            due_soon_days: 30,
            principles: "24 months".into(),
            guidelines: "12 months".into(),
            standards: "12 months".into(),
            pages: String::new(),
        }
    }
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig { toc_depth: 3, people_pages: true }
    }
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "organisation",
    "description",
    "base_url",
    "language",
    "repository",
    "branch",
    "edit_path",
    "contact_url",
    "contact_text",
    "footer",
    "leads_as_of",
    "cname",
    "timezone",
    "source_markdown",
    "print",
    "output",
    "review",
    "theme",
    "markdown",
    "glossary",
    "extra",
];
const KNOWN_REVIEW_KEYS: &[&str] = &["due_soon_days", "principles", "guidelines", "standards", "pages"];
const KNOWN_THEME_KEYS: &[&str] = &["toc_depth", "people_pages"];
const KNOWN_MARKDOWN_KEYS: &[&str] = &["raw_html"];
const KNOWN_GLOSSARY_KEYS: &[&str] = &["link_terms"];

impl Config {
    /// Parses `handbook.toml` text. Errors are findings at the file's line.
    pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                diags.push(toml_error(FILE_NAME, text, 0, &e));
                return None;
            }
        };
        report_unknown_keys(&table, KNOWN_KEYS, "", text, diags);
        for (section, known) in [
            ("review", KNOWN_REVIEW_KEYS),
            ("theme", KNOWN_THEME_KEYS),
            ("markdown", KNOWN_MARKDOWN_KEYS),
            ("glossary", KNOWN_GLOSSARY_KEYS),
        ] {
            if let Some(toml::Value::Table(t)) = table.get(section) {
                report_unknown_keys(t, known, &format!("{section}."), text, diags);
            }
        }
        // From the text, not the table: the error then knows the value's place.
        match toml::from_str::<Config>(text) {
            Ok(config) => {
                config.validate(text, diags);
                config.refuse_unsafe_urls(text, diags);
                Some(config)
            }
            Err(e) => {
                diags.push(type_error(text, &e));
                None
            }
        }
    }

    fn validate(&self, text: &str, diags: &mut Diagnostics) {
        if let Some(as_of) = &self.leads_as_of {
            if crate::date::Date::parse(as_of, true).is_none() {
                diags.push(
                    Diagnostic::error(Code::BadDate, format!("leads_as_of '{as_of}' is not a date"))
                        .at(FILE_NAME, key_line(text, "leads_as_of"))
                        .hint("write it as 2026-01 or 2026-01-31"),
                );
            }
        }
        if crate::timezone::TimeZone::named(&self.timezone).is_none() {
            diags.push(
                Diagnostic::error(Code::BadValue, format!("timezone '{}' is not a zone copbook knows", self.timezone))
                    .at(FILE_NAME, key_line(text, "timezone"))
                    .hint(format!("session times are written in one of: {}", crate::timezone::TimeZone::known())),
            );
        }
        if let Some(cname) = &self.cname {
            // The CNAME file holds one host name; anything else breaks the custom domain.
            let host = cname.trim();
            if host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == ':') {
                diags.push(
                    Diagnostic::error(Code::BadValue, format!("cname {cname:?} is not a single host name"))
                        .at(FILE_NAME, key_line(text, "cname"))
                        .hint("write only the domain, on one line: cname = \"handbook.example.org\""),
                );
            }
        }
        let review = &self.review;
        for (key, value) in [
            ("principles", &review.principles),
            ("guidelines", &review.guidelines),
            ("standards", &review.standards),
            ("pages", &review.pages),
        ] {
            if !value.is_empty() && crate::date::Duration::parse(value).is_none() {
                diags.push(
                    Diagnostic::error(Code::BadDuration, format!("review.{key} '{value}' is not a duration"))
                        .at(FILE_NAME, key_line(text, key))
                        .hint("write it as a number and a unit, e.g. '6 months' or '1 year'"),
                );
            }
        }
    }

    /// The URLs that become links on every page must not run script: their
    /// scheme must be one of [`crate::url_safety::ALLOWED`], or none.
    fn refuse_unsafe_urls(&self, text: &str, diags: &mut Diagnostics) {
        use crate::url_safety::{refusal, refused_scheme, Place};
        let urls = [
            ("base_url", Some(&self.base_url)),
            ("repository", self.repository.as_ref()),
            ("contact_url", self.contact_url.as_ref()),
        ];
        for (key, value) in urls {
            let Some(value) = value else { continue };
            if let Some(scheme) = refused_scheme(value, Place::Link) {
                diags.push(refusal(key, value, &scheme).at(FILE_NAME, key_line(text, key)));
            }
        }
    }

    /// The path every URL starts with: `""` for a domain root, `"/handbook"`
    /// for `https://org.github.io/handbook/`.
    pub fn base_path(&self) -> String {
        let url = self.base_url.trim();
        let path = match url.find("://") {
            Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
            None => url,
        };
        let path = path.trim_matches('/');
        if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        }
    }

    /// The absolute site URL without a trailing slash, when `base_url` is a
    /// full URL (needed for the sitemap and canonical links).
    pub fn site_url(&self) -> Option<String> {
        let url = self.base_url.trim();
        url.contains("://").then(|| url.trim_end_matches('/').to_string())
    }
}

fn report_unknown_keys(table: &toml::Table, known: &[&str], prefix: &str, text: &str, diags: &mut Diagnostics) {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            diags.push(
                Diagnostic::warning(
                    Code::UnknownSetting,
                    format!("'{prefix}{key}' is not a copbook setting; it is ignored"),
                )
                .at(FILE_NAME, key_line(text, key))
                .maybe_hint(
                    did_you_mean(key, known.iter().copied())
                        .or_else(|| Some("put values for your own templates under [extra]".into())),
                ),
            );
        }
    }
}

/// A value of handbook.toml of the wrong type, at its key's line.
fn type_error(text: &str, e: &toml::de::Error) -> Diagnostic {
    let Some(span) = e.span() else { return toml_error(FILE_NAME, text, 0, e) };
    let (line, column) = line_col(text, span.start);
    let line_text = text.lines().nth(line as usize - 1).unwrap_or("");
    let key = line_text.split_once('=').map_or("", |(k, _)| k.trim().trim_matches(['"', '\'']));
    let message = plain_toml_message(e.message().trim());
    let message = if key.is_empty() { message } else { format!("'{key}': {message}") };
    Diagnostic::error(Code::BadType, message)
        .at(FILE_NAME, line)
        .column(column)
        .hint("see the README's handbook.toml section for what each setting takes")
}

/// The TOML parser's words, where they would puzzle a handbook's author
/// (`u8`, `i128`), said in plain terms with the range that is allowed.
fn plain_toml_message(message: &str) -> String {
    if message.contains("as i128") || message.contains("integer number overflowed") {
        return format!("number too large: whole numbers must lie between {} and {}", i64::MIN, i64::MAX);
    }
    if message.contains("floating-point number overflowed") {
        return format!("number too large: numbers must lie between -{0:e} and {0:e}", f64::MAX);
    }
    let mut message = message.to_string();
    for (rust, plain) in [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a string", "expected text in quotes"),
    ] {
        message = message.replace(rust, plain);
    }
    message
}

/// A TOML error as a finding, with the parser's position mapped to the file's line.
pub fn toml_error(file: &str, text: &str, first_line: u32, e: &impl TomlError) -> Diagnostic {
    let (line, column) = e.span().map_or((1, 0), |s| line_col(text, s.start));
    Diagnostic::error(Code::FrontmatterParse, format!("not valid TOML: {}", plain_toml_message(e.message().trim())))
        .at(file, first_line + line)
        .column(column)
        .hint("check the quotes, '=' signs and brackets on this line; dates are written 2026-05-10")
}

/// What copbook needs from both kinds of TOML error.
pub trait TomlError {
    fn span(&self) -> Option<std::ops::Range<usize>>;
    fn message(&self) -> &str;
}
impl TomlError for toml::de::Error {
    fn span(&self) -> Option<std::ops::Range<usize>> {
        toml::de::Error::span(self)
    }
    fn message(&self) -> &str {
        toml::de::Error::message(self)
    }
}

/// Line of a top-level `key =` or `key:` in a TOML or YAML text; 1 when not found.
/// Parsers give values without positions, and this is exact for top-level keys.
pub fn key_line(text: &str, key: &str) -> u32 {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let rest = line
            .strip_prefix(key)
            .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| line.strip_prefix(&format!("'{key}'")));
        if let Some(rest) = rest {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                return i as u32 + 1;
            }
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Config>, Diagnostics) {
        let mut d = Diagnostics::default();
        (Config::parse(text, &mut d), d)
    }

    #[test]
    fn defaults_when_empty() {
        let (c, d) = parse("");
        let c = c.unwrap();
        assert!(d.is_empty());
        assert_eq!(c.base_path(), "");
        assert_eq!(c.review.due_soon_days, 30);
        assert_eq!(c.theme.toc_depth, 3);
    }

    #[test]
    fn base_path_from_url_or_path() {
        let mut c = Config::default();
        for (url, path, site) in [
            ("https://org.github.io/handbook/", "/handbook", Some("https://org.github.io/handbook")),
            ("https://handbook.example.org", "", Some("https://handbook.example.org")),
            ("/handbook/", "/handbook", None),
            ("handbook", "/handbook", None),
            ("/a/b/", "/a/b", None),
            ("/", "", None),
        ] {
            c.base_url = url.into();
            assert_eq!(c.base_path(), path, "{url}");
            assert_eq!(c.site_url().as_deref(), site, "{url}");
        }
    }

    #[test]
    fn parse_error_names_the_line() {
        let (c, d) = parse("title = \"x\"\nbase_url = \n");
        assert!(c.is_none());
        let e = &d.0[0];
        assert_eq!((e.code.as_str(), e.file.as_str(), e.line), ("frontmatter-parse", "handbook.toml", 2));
    }

    #[test]
    fn unknown_keys_warn_with_did_you_mean() {
        let (c, d) = parse("title = \"x\"\ntitel = \"y\"\n[theme]\ntoc_dept = 2\n");
        assert!(c.is_some());
        assert_eq!(d.0.len(), 2);
        assert_eq!(d.0[0].line, 2);
        assert_eq!(d.0[0].hint.as_deref(), Some("did you mean 'title'?"));
        assert_eq!(d.0[1].hint.as_deref(), Some("did you mean 'toc_depth'?"));
    }

    #[test]
    fn wrong_type_is_an_error() {
        let (c, d) = parse("title = 3\n");
        assert!(c.is_none());
        assert!(d.has_errors());
    }

    #[test]
    fn script_urls_are_refused_at_their_line() {
        let (_, d) = parse(
            "title = \"x\"\ncontact_url = \" JaVa\\tScRiPt:alert(1)\"\nrepository = \"data:text/html,x\"\nbase_url = \"vbscript:x\"\n",
        );
        let found: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line, d.message.as_str())).collect();
        assert_eq!(
            found,
            [
                ("unsafe-url", 4, "base_url 'vbscript:x' uses the vbscript: scheme, which copbook never links"),
                ("unsafe-url", 3, "repository 'data:text/html,x' uses the data: scheme, which copbook never links"),
                (
                    "unsafe-url",
                    2,
                    "contact_url ' JaVa\\tScRiPt:alert(1)' uses the javascript: scheme, which copbook never links"
                ),
            ]
        );
        let (_, d) = parse(
            "contact_url = \"mailto:a@example.org\"\nrepository = \"https://example.org/r\"\nbase_url = \"/hb/\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn raw_html_setting() {
        assert_eq!(parse("").0.unwrap().markdown.raw_html, RawHtml::Allow);
        assert_eq!(parse("[markdown]\nraw_html = \"deny\"\n").0.unwrap().markdown.raw_html, RawHtml::Deny);
        assert_eq!(parse("[markdown]\nraw_html = \"warn\"\n").0.unwrap().markdown.raw_html, RawHtml::Warn);
        let (c, d) = parse("[markdown]\nraw_html = \"never\"\n");
        assert!(c.is_none());
        assert!(d.0[0].message.contains("allow"), "{}", d.0[0].message);
    }

    #[test]
    fn type_errors_point_at_the_key_in_plain_words() {
        let (c, d) = parse("title = \"T\"\n\n[theme]\ntoc_depth = \"three\"\n");
        assert!(c.is_none());
        let e = &d.0[0];
        assert_eq!((e.code.as_str(), e.line), ("bad-type", 4));
        assert_eq!(e.message, "'toc_depth': invalid type: string \"three\", expected a whole number from 0 to 255");
    }

    #[test]
    fn numbers_too_large_say_the_range() {
        for text in
            ["[review]\ndue_soon_days = 99999999999999999999\n", "x = 999999999999999999999999999999999999999999\n"]
        {
            let (_, d) = parse(text);
            assert!(d.0[0].message.contains("between -9223372036854775808 and 9223372036854775807"), "{:?}", d.0[0]);
            assert!(!d.0[0].message.contains("i128"));
        }
        let (_, d) = parse("x = 1e400\n");
        assert!(d.0[0].message.contains("numbers must lie between -1.7976931348623157e308"), "{:?}", d.0[0]);
    }

    #[test]
    fn cname_is_one_host_name() {
        let (_, d) = parse("title = \"T\"\ncname = \"a.example.org\\nb\"\n");
        let e = &d.0[0];
        assert_eq!((e.code.as_str(), e.line), ("bad-value", 2));
        let (_, d) = parse("cname = \"handbook.example.org\"\n");
        assert!(d.is_empty());
    }

    #[test]
    fn bad_values_are_errors() {
        let (_, d) = parse("leads_as_of = \"January\"\n[review]\nstandards = \"yearly\"\n");
        let codes: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(codes, vec![("bad-date", 1), ("bad-duration", 3)]);
    }
}
