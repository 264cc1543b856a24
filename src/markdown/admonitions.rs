//! MkDocs-style admonitions in any page: `!!! note "Title"` with its body
//! indented by four spaces, and the collapsible `??? tip` (`???+ tip` shown
//! open).
//!
//! Before parsing, each becomes a GFM alert (`> [!NOTE]`) line for line, so
//! findings keep their lines and the body is Markdown like any other; its
//! title and whether it folds are kept by line, and [`super::callouts`]
//! writes the callout (a `<details>` for `???`). No raw HTML is added, so
//! `raw_html = "deny"` has nothing to say about an admonition.

use crate::html::callout_kind;
use crate::text::fenced_lines;
use std::collections::HashMap;

/// Body lines are indented this much more than their marker.
const INDENT: usize = 4;
/// Admonitions nested deeper than this are left as written.
const MAX_NESTING: usize = 16;

/// One admonition marker line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admonition {
    /// Columns of indentation before the marker.
    pub indent: usize,
    /// One of the five kinds the theme styles.
    pub kind: &'static str,
    /// The given title, or the type capitalised ("Tip").
    pub title: String,
    /// `None` for `!!!`; `Some(open)` for `???` and `???+`.
    pub collapsible: Option<bool>,
}

impl Admonition {
    /// `!!! type "Title"`, `??? type`, `???+ type`: the type is a word of
    /// letters, digits and `-`; other modifiers (`inline end`) are ignored.
    pub fn parse(line: &str) -> Option<Admonition> {
        let trimmed = line.trim();
        let (head, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        let collapsible = match head {
            "!!!" => None,
            "???" => Some(false),
            "???+" => Some(true),
            _ => return None,
        };
        let rest = rest.trim();
        let (kind, title) = match rest.find('"') {
            Some(q) => (rest[..q].trim(), Some(rest[q..].trim_matches('"'))),
            None => (rest, None),
        };
        let kind =
            kind.split_whitespace().next().filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))?;
        let title = title.filter(|t| !t.trim().is_empty()).map(str::to_string).unwrap_or_else(|| capitalise(kind));
        Some(Admonition { indent: width(line), kind: callout_kind(kind), title, collapsible })
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Columns of leading whitespace (a tab reaches the next multiple of 4).
pub fn width(line: &str) -> usize {
    let mut columns = 0;
    for c in line.chars() {
        match c {
            ' ' => columns += 1,
            '\t' => columns += INDENT - columns % INDENT,
            _ => break,
        }
    }
    columns
}

/// The text with its admonitions as GFM alerts, and each admonition by the
/// (0-based) line of its marker; `None` when there is none.
pub(super) fn rewrite(text: &str) -> Option<(String, HashMap<usize, Admonition>)> {
    if !text.contains("!!!") && !text.contains("???") {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut found = HashMap::new();
    let out = quote(&lines, 0, 0, &mut found);
    if found.is_empty() {
        return None;
    }
    Some((out.join("\n"), found))
}

/// `lines` (starting at line `first` of the text) with each admonition's
/// marker and body turned into a quoted alert.
fn quote(lines: &[&str], first: usize, nesting: usize, found: &mut HashMap<usize, Admonition>) -> Vec<String> {
    let code = fenced_lines(&lines.join("\n"));
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let marker = (nesting < MAX_NESTING && !code.get(i).copied().unwrap_or(false))
            .then(|| Admonition::parse(lines[i]))
            .flatten();
        let Some(marker) = marker else {
            out.push(lines[i].to_string());
            i += 1;
            continue;
        };
        let inside = |l: &&&str| l.trim().is_empty() || width(l) >= marker.indent + INDENT;
        let end = i + 1 + lines[i + 1..].iter().take_while(inside).count();
        let mut last = end;
        while last > i + 1 && lines[last - 1].trim().is_empty() {
            last -= 1;
        }
        let pad = " ".repeat(marker.indent);
        out.push(format!("{pad}> [!{}]", marker.kind.to_ascii_uppercase()));
        let body: Vec<String> = lines[i + 1..last].iter().map(|l| dedent(l, marker.indent + INDENT)).collect();
        let body: Vec<&str> = body.iter().map(String::as_str).collect();
        for line in quote(&body, first + i + 1, nesting + 1, found) {
            out.push(if line.is_empty() { format!("{pad}>") } else { format!("{pad}> {line}") });
        }
        found.insert(first + i, marker);
        i = last;
    }
    out
}

/// The line without its first `columns` columns of indentation.
fn dedent(line: &str, columns: usize) -> String {
    let rest = line.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return String::new();
    }
    format!("{}{rest}", " ".repeat(width(line).saturating_sub(columns)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_plain;
    use super::*;

    #[test]
    fn markers_keep_their_lines_as_alerts() {
        let (text, found) =
            rewrite("Intro\n\n!!! warning \"Mind the gap\"\n    Body *text*.\n\n    More.\n\nAfter").unwrap();
        assert_eq!(text, "Intro\n\n> [!WARNING]\n> Body *text*.\n>\n> More.\n\nAfter");
        assert_eq!(found[&2].title, "Mind the gap");
        assert_eq!(found[&2].collapsible, None);
        assert!(rewrite("No markers here").is_none());
        assert!(rewrite("```\n!!! note\n    code\n```").is_none(), "markers in code stay code");
    }

    #[test]
    fn admonitions_render_as_callouts_and_details() {
        let out = render_plain("!!! note \"Read <this>\"\n    Body.\n\n??? tip\n    Hidden *tip*.\n\n???+ danger \"Open\"\n    Shown.\n\n    !!! info\n        Nested.\n\nAfter\n");
        let html = out.html;
        assert!(html.contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Read &lt;this&gt;</p>\n<p>Body.</p>\n</div>"), "{html}");
        assert!(html.contains("<details class=\"callout callout-tip\"><summary class=\"callout-title\">Tip</summary>\n<p>Hidden <em>tip</em>.</p>\n</details>"), "{html}");
        assert!(
            html.contains(
                "<details class=\"callout callout-caution\" open><summary class=\"callout-title\">Open</summary>"
            ),
            "{html}"
        );
        assert!(html.contains("<p class=\"callout-title\">Info</p>\n<p>Nested.</p>"), "{html}");
        assert!(html.ends_with("<p>After</p>\n"), "{html}");
        assert!(!html.contains("!!!") && !html.contains("???") && !html.contains("<pre>"), "{html}");
    }

    #[test]
    fn odd_markers_never_panic() {
        for text in [
            "!!!",
            "!!! \"\"",
            "???+",
            "!!! note \"unclosed",
            "\t!!! x\n\tbody",
            "!!! é\n    é",
            "- a\n\n    ??? q\n        b",
        ] {
            let _ = render_plain(text);
        }
    }
}
