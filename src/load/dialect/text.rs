//! Helpers for rewriting page text, shared by the adapters.
//!
//! Adapters rewrite a body before copbook's Markdown renderer sees it, and
//! try to keep every line where it was, so findings about a converted page
//! point at the line in the author's file. The tools for that are here:
//! which lines are code, single-line HTML blocks, blanking a construct out,
//! and one warning per file for what could not be converted.

use crate::diag::{Code, Diagnostic, Diagnostics};
pub use crate::text::fenced_lines;

/// Byte ranges of the inline code spans of one line, backticks included.
pub fn code_spans(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] == b'`' {
            i += 1;
        }
        let run = i - start;
        // The span closes at the next run of exactly as many backticks.
        let mut j = i;
        let mut closed = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let s = j;
                while j < bytes.len() && bytes[j] == b'`' {
                    j += 1;
                }
                if j - s == run {
                    closed = Some(j);
                    break;
                }
            } else {
                j += 1;
            }
        }
        if let Some(end) = closed {
            spans.push((start, end));
            i = end;
        }
    }
    spans
}

/// HTML that forms a block of its own on one line. A line starting with an
/// HTML comment is a complete HTML block in CommonMark, so the Markdown on
/// the next line is parsed as Markdown even without a blank line between;
/// an opening `<div>` alone would swallow every line up to the next blank one.
pub fn html_line(what: &str, html: &str) -> String {
    // A comment may not hold `--` or `>`, nor end with `-`.
    let mut what: String = what.chars().filter(|c| !matches!(c, '<' | '>' | '\n' | '\r')).collect();
    while what.contains("--") {
        what = what.replace("--", "-");
    }
    format!("<!-- {} -->{html}", what.trim().trim_end_matches('-'))
}

/// Joins the lines of an HTML fragment into one, so that it can replace a
/// one-line construct without moving the lines after it. `None` when
/// whitespace in it matters (`<pre>`, `<textarea>`, scripts).
pub fn join_html(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    if ["<pre", "<textarea", "<script", "<style"].iter().any(|t| lower.contains(t)) {
        return None;
    }
    Some(html.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "))
}

/// As many line breaks as `text` holds: what a dropped construct leaves, so
/// that the lines after it keep their numbers.
pub fn blank_like(text: &str) -> String {
    "\n".repeat(text.matches('\n').count())
}

/// 1-based line of a byte offset into a body that starts on `first_line`.
pub fn line_at(text: &str, offset: usize, first_line: u32) -> u32 {
    let before = text.get(..offset).unwrap_or(text);
    first_line + before.matches('\n').count() as u32
}

/// An HTML page body (a `.html` or `.erb` page) made safe for the Markdown
/// renderer: blank lines would end the HTML block, and an indented line
/// after one would become a code block, so they become empty comments.
pub fn html_body(body: &str) -> String {
    body.split('\n').map(|line| if line.trim().is_empty() { "<!-- -->" } else { line }).collect::<Vec<_>>().join("\n")
}

/// Whether `name` is an HTML page rather than Markdown.
pub fn is_html_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// Constructs of another generator that copbook left out of one file,
/// reported as one warning per file (naming each line), not one per use.
pub struct Dropped {
    file: String,
    family: &'static str,
    items: Vec<(u32, String)>,
}

impl Dropped {
    pub fn new(file: &str, family: &'static str) -> Self {
        Dropped { file: file.to_string(), family, items: Vec::new() }
    }

    pub fn add(&mut self, line: u32, what: &str) {
        let what: String = what.split_whitespace().collect::<Vec<_>>().join(" ");
        let what = match what.char_indices().nth(60) {
            Some((i, _)) => format!("{}…", &what[..i]),
            None => what,
        };
        self.items.push((line, what));
    }

    pub fn report(mut self, diags: &mut Diagnostics) {
        if self.items.is_empty() {
            return;
        }
        self.items.sort_by_key(|(line, _)| *line);
        let first = self.items[0].0;
        let listed: Vec<String> =
            self.items.iter().take(3).map(|(line, what)| format!("'{what}' (line {line})")).collect();
        let more = match self.items.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        diags.push(
            Diagnostic::warning(
                Code::NotConverted,
                format!("{} copbook cannot run was left out: {}{more}", self.family, listed.join(", ")),
            )
            .at(&self.file, first)
            .hint("write what the page needs as Markdown, or leave it out"),
        );
    }
}

/// The level and text of an ATX heading line (`## Text ##`).
pub fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.chars().take_while(|&c| c == '#').count();
    let text = &rest[level..];
    if !(1..=6).contains(&level) || !(text.is_empty() || text.starts_with([' ', '\t'])) {
        return None;
    }
    let text = text.trim();
    let text = text.trim_end_matches('#');
    Some((level, text.trim()))
}

/// Leaves out the body's first heading when it is a level-1 heading that
/// repeats the page title: the page template already shows the title as
/// the page's only `<h1>`. A title cut short at a colon in the export
/// ("setting the scene" for "The basics: setting the scene") counts too.
/// Lines are kept (the heading becomes an empty line).
pub fn drop_title_h1(body: &str, title: &str) -> String {
    let title = normalise(title);
    if title.is_empty() {
        return body.to_string();
    }
    let code = fenced_lines(body);
    let lines: Vec<&str> = body.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if code.get(i).copied().unwrap_or(false) {
            continue;
        }
        let next_is_underline = |c: char| {
            lines.get(i + 1).is_some_and(|n| {
                let n = n.trim();
                !n.is_empty() && n.chars().all(|x| x == c) && !line.trim().is_empty() && !line.starts_with("    ")
            })
        };
        let (level, text, span) = if let Some((level, text)) = atx_heading(line) {
            (level, text.to_string(), 1)
        } else if let Some(text) = html_h1(line) {
            (1, text, 1)
        } else if next_is_underline('=') {
            (1, line.trim().to_string(), 2)
        } else if next_is_underline('-') && !line.trim().starts_with(['-', '*', '+', '|']) {
            (2, String::new(), 2)
        } else {
            continue;
        };
        let text = normalise(&text);
        let repeats = text == title || text.ends_with(&format!(": {title}")) || text.starts_with(&format!("{title}:"));
        if level != 1 || !repeats {
            return body.to_string();
        }
        let mut out: Vec<&str> = lines.clone();
        for l in out.iter_mut().skip(i).take(span) {
            *l = "";
        }
        return out.join("\n");
    }
    body.to_string()
}

/// The text of a line holding only `<h1 ...>Text</h1>`.
fn html_h1(line: &str) -> Option<String> {
    let t = line.trim();
    let lower = t.to_ascii_lowercase();
    if !(lower.starts_with("<h1>") || lower.starts_with("<h1 ")) || !lower.ends_with("</h1>") {
        return None;
    }
    let open_end = t.find('>')? + 1;
    t.get(open_end..t.len() - 5).map(str::to_string)
}

/// Heading text for comparing with a title: no marks, attributes or case.
fn normalise(text: &str) -> String {
    let text = match text.rfind(" {") {
        Some(i) if text.ends_with('}') => &text[..i],
        _ => text,
    };
    let text = text.replace("**", "").replace('`', "").replace("__", "");
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Removes kramdown/MkDocs attribute lists (`{: .class }`, `{: #id }`) that
/// copbook would print as text. A heading's `{: #id .class}` becomes the
/// `{#id .class}` copbook applies; elsewhere the list is dropped.
pub fn attribute_lists(line: &str) -> String {
    let trimmed = line.trim();
    if trimmed.starts_with("{:") && trimmed.ends_with('}') {
        return String::new();
    }
    let Some(start) = line.rfind("{:") else { return line.to_string() };
    if !line.trim_end().ends_with('}') {
        return line.to_string();
    }
    let inner = line[start + 2..].trim_end().trim_end_matches('}').trim();
    let head = line[..start].trim_end();
    if atx_heading(line).is_some() && !inner.is_empty() && !inner.contains(['"', '=']) {
        format!("{head} {{{inner}}}")
    } else {
        head.to_string()
    }
}

/// Includes may include includes; a loop of them stops at this depth.
pub const MAX_INCLUDE_DEPTH: usize = 5;

/// A Liquid include or an ERB partial to put in place of its tag.
pub struct Include<'a> {
    /// `include` or `partial`, as findings name it.
    pub what: &'static str,
    pub name: &'a str,
    /// Where the file may be, relative to the handbook folder, in the order tried.
    pub candidates: &'a [String],
    /// The file holding the tag, and its line, for findings.
    pub file: &'a str,
    pub line: u32,
    /// How many includes deep the tag is.
    pub depth: usize,
    /// Whether the tag stands alone on its line.
    pub alone: bool,
    /// The template language of the included file (`ERB`, `Liquid`), for findings.
    pub language: &'static str,
}

/// The text to put in place of an include: the first candidate that
/// exists, put through `run` (given its path and text, it runs the
/// template language one level deeper). Markdown goes in as it is; HTML
/// is joined onto one line so that the page's later lines keep their
/// numbers. A missing include, or one that includes itself, is a warning
/// and leaves nothing.
pub fn expand_include(
    root: &std::path::Path,
    include: &Include,
    run: impl FnOnce(&str, &str, &mut Dropped, &mut Diagnostics) -> String,
    diags: &mut Diagnostics,
) -> String {
    let Include { what, name, candidates, file, line, depth, alone, language } = *include;
    let found = candidates
        .iter()
        .filter(|p| !name.is_empty() && root.join(p).is_file())
        .find_map(|p| crate::load::read_text(root, p, diags).map(|t| (p, t)));
    let Some((path, source)) = found else {
        diags.push(
            Diagnostic::warning(Code::MissingInclude, format!("{what} '{name}' was not found; it is left out"))
                .at(file, line)
                .hint(format!(
                    "copbook looked for {}",
                    candidates.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                )),
        );
        return String::new();
    };
    if depth >= MAX_INCLUDE_DEPTH {
        diags.push(
            Diagnostic::warning(Code::MissingInclude, format!("{what} '{name}' includes itself; it is left out"))
                .at(file, line),
        );
        return String::new();
    }
    let mut dropped = Dropped::new(path, language);
    let text = run(path, &source, &mut dropped, diags);
    dropped.report(diags);
    let text = text.trim_end_matches('\n');
    if crate::load::is_markdown(path) || path.contains(".md.") {
        return text.to_string();
    }
    match join_html(text) {
        Some(joined) if alone => html_line(&format!("{what} {name}"), &joined),
        Some(joined) => joined,
        None => text.to_string(),
    }
}

/// Whether a link target names its scheme (`https:`, `mailto:`): it leads
/// out of the handbook and is left as written.
pub fn has_scheme(target: &str) -> bool {
    target.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_at_any_indentation() {
        let text = "a\n```yaml\nx: `y`\n```\nb\n    ~~~~\n    code\n    ~~~~\n``not a fence``\nc";
        assert_eq!(fenced_lines(text), [false, true, true, true, false, true, true, true, false, false]);
    }

    #[test]
    fn code_spans_match_backtick_runs() {
        let line = "a `x` b ``y ` z`` c `open";
        let spans: Vec<&str> = code_spans(line).into_iter().map(|(s, e)| &line[s..e]).collect();
        assert_eq!(spans, ["`x`", "``y ` z``"]);
    }

    #[test]
    fn title_h1_is_dropped_only_when_it_repeats_the_title() {
        assert_eq!(drop_title_h1("<div>x</div>\n\n# The Title\n\nText", "The title"), "<div>x</div>\n\n\n\nText");
        assert_eq!(drop_title_h1("Intro\n\n# Other\n", "Title"), "Intro\n\n# Other\n");
        assert_eq!(drop_title_h1("## First\n# Title\n", "Title"), "## First\n# Title\n");
        assert_eq!(drop_title_h1("The basics: setting the scene\n===\nx", "setting the scene"), "\n\nx");
        assert_eq!(drop_title_h1("```\n# Title\n```\n", "Title"), "```\n# Title\n```\n");
        assert_eq!(drop_title_h1("<h1 class=\"x\">Title</h1>\n", "Title"), "\n");
    }

    #[test]
    fn attribute_lists_are_applied_or_dropped() {
        assert_eq!(attribute_lists("{: .note }"), "");
        assert_eq!(attribute_lists("Some text {: .lead }"), "Some text");
        assert_eq!(attribute_lists("## Heading {: #custom .big }"), "## Heading {#custom .big}");
        assert_eq!(attribute_lists("## Heading {#custom}"), "## Heading {#custom}");
        assert_eq!(attribute_lists("a {b}"), "a {b}");
    }

    #[test]
    fn html_helpers() {
        assert_eq!(html_line("a-->b", "<div>"), "<!-- a-b --><div>");
        assert_eq!(html_line("partial nav-a-", "<ul>"), "<!-- partial nav-a --><ul>");
        assert_eq!(join_html("<ul>\n  <li>a</li>\n\n</ul>\n").as_deref(), Some("<ul> <li>a</li> </ul>"));
        assert_eq!(join_html("<pre>\n x\n</pre>"), None);
        assert_eq!(html_body("<div>\n\n    <p>x</p>\n</div>"), "<div>\n<!-- -->\n    <p>x</p>\n</div>");
        assert_eq!(blank_like("a\nb\nc"), "\n\n");
    }

    #[test]
    fn dropped_constructs_make_one_warning_per_file() {
        let mut d = Dropped::new("a.md", "ERB");
        d.add(9, "<% x %>");
        d.add(4, "<% y\n  z %>");
        let mut diags = Diagnostics::default();
        d.report(&mut diags);
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].line, 4);
        assert!(diags.0[0].message.contains("'<% y z %>' (line 4), '<% x %>' (line 9)"), "{}", diags.0[0].message);
    }
}
