//! Raw HTML in a body: apply the `[markdown] raw_html` setting, leave out
//! attributes whose URL could run script, resolve `href`/`src` values and
//! collect ids.
//!
//! By default raw HTML passes through as written (handbooks need some);
//! we only need to find attribute values. A full HTML parser would be
//! overkill: a small tag scanner that skips comments, doctypes and the
//! contents of `<script>`/`<style>` is enough, and never fails (malformed
//! HTML just yields fewer attributes). Leaving out `javascript:` URLs
//! catches accidents and copied snippets; it is not a sanitiser, since raw
//! HTML can hold `<script>` itself: `raw_html = "deny"` is the setting
//! for handbooks that take contributions from people they do not trust.

use super::destinations::{record, refuse};
use super::text::escape_html;
use super::{LinkKind, Page};
use crate::config::RawHtml;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::url_safety::Place;

/// Where one source line of (possibly joined) HTML starts: its byte offset
/// in the HTML string, and its file line and column.
pub(super) struct Piece {
    pub at: usize,
    pub line: u32,
    pub column: u32,
}

/// One attribute value found by [`scan`]: byte range of the value inside
/// the HTML (without quotes) and the quote used, if any.
struct Value<'h> {
    tag: &'h str,
    name: &'h str,
    /// Where the attribute's name starts, to leave the whole attribute out.
    name_start: usize,
    start: usize,
    end: usize,
    quote: Option<u8>,
}

/// Attributes whose value is one URL a browser may navigate to, submit
/// to, or load.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
    "cite",
    "data",
    "codebase",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "manifest",
    "icon",
    "profile",
    "usemap",
    "classid",
];

/// Attributes whose value is a list of URLs (with descriptors such as `2x`).
const URL_LIST_ATTRIBUTES: &[&str] = &["srcset", "imagesrcset", "ping", "archive"];

/// One raw HTML event, or an HTML block joined into one string, as the
/// `raw_html` setting says. Returns the HTML to write instead, if any.
pub(super) fn pass(html: &str, pieces: &[Piece], block: bool, page: &mut Page) -> Option<String> {
    let setting = page.options.raw_html;
    if setting != RawHtml::Allow && counts(html) {
        let (line, column) = pieces.first().map_or((1, 1), |p| (p.line, p.column));
        let tag = shown_tag(html);
        let finding = if setting == RawHtml::Warn {
            Diagnostic::warning(Code::RawHtml, format!("raw HTML {tag} is published as written"))
                .hint("raw HTML can do anything a script can; this handbook asks for a warning on each ([markdown] raw_html = \"warn\")")
        } else {
            Diagnostic::error(
                Code::RawHtml,
                format!("raw HTML {tag} is not allowed in this handbook; it is shown as text"),
            )
            .hint("write it in Markdown; this handbook refuses raw HTML ([markdown] raw_html = \"deny\")")
        };
        page.report(finding, line, column);
    }
    if setting == RawHtml::Deny && !is_comment(html) {
        // Inert: the markup is shown as text, and none of it is read.
        let mut text = String::with_capacity(html.len() + 32);
        if block {
            text.push_str("<pre class=\"raw-html\">");
        }
        escape_html(&mut text, html);
        if block {
            text.push_str("</pre>\n");
        }
        return Some(text);
    }
    rewrite(html, pieces, page)
}

/// Whether raw HTML gets a finding under `warn` and `deny`: comments do
/// nothing, and a closing tag carries no attributes, so neither counts
/// (a closing tag is still shown as text under `deny`).
fn counts(html: &str) -> bool {
    let html = html.trim();
    let closing_tag = html.starts_with("</") && !html[2..].contains('<');
    !is_comment(html) && !closing_tag
}

/// Whether `html` is one HTML comment and nothing else. Conservative: a
/// comment with `--` inside, or one that closes early (`<!-->`), is not.
fn is_comment(html: &str) -> bool {
    let html = html.trim();
    let inner = html.strip_prefix("<!--").and_then(|rest| rest.strip_suffix("-->"));
    inner.is_some_and(|inner| !inner.contains("--") && !inner.starts_with('>') && !inner.starts_with("->"))
}

/// The first tag of `html`, short, for messages: `<iframe>`.
fn shown_tag(html: &str) -> String {
    let html = html.trim_start();
    let name: String = html
        .trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '!' | ':'))
        .take(30)
        .collect();
    format!("<{name}>")
}

/// The place a URL attribute's value is used in, when it holds URLs.
fn url_place(tag: &str, name: &str) -> Option<Place> {
    let is = |list: &[&str], name: &str| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    if !is(URL_ATTRIBUTES, name) && !is(URL_LIST_ATTRIBUTES, name) {
        return None;
    }
    let image_source =
        (is(&["img", "source"], tag) && is(&["src", "srcset"], name)) || name.eq_ignore_ascii_case("poster");
    Some(if image_source { Place::Image } else { Place::Link })
}

/// Leave out an attribute whose URL (any of them, for a list) could run
/// script, with a warning. Returns whether it was left out.
fn refuse_attribute(value: &Value, text: &str, at: impl FnOnce(&Page) -> (u32, u32), page: &mut Page) -> bool {
    let Some(place) = url_place(value.tag, value.name) else { return false };
    let done = "the attribute is left out";
    if URL_LIST_ATTRIBUTES.iter().any(|n| n.eq_ignore_ascii_case(value.name)) {
        // Every word is tried, descriptors too: a tab inside a scheme
        // splits it, and the part after the tab still has a scheme.
        text.split(|c: char| c == ',' || c.is_ascii_whitespace())
            .find(|url| crate::url_safety::refused_scheme(url, place).is_some())
            .is_some_and(|url| refuse(page, url, place, at, value.name, done))
    } else {
        refuse(page, text, place, at, value.name, done)
    }
}

/// Resolve `href` (as a link) and `src` (as an image) values and record
/// ids and `<a name>`s; leave out attributes with script URLs. Returns the
/// new HTML when something was rewritten.
fn rewrite(html: &str, pieces: &[Piece], page: &mut Page) -> Option<String> {
    // Cheap check first: most HTML events are closing tags or plain markup.
    if !html.contains('=') {
        return None;
    }
    // (start, end, what to write instead)
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    scan(html, |value| {
        let text = html.get(value.start..value.end).unwrap_or("");
        if refuse_attribute(&value, text, |_| position(html, pieces, value.start), page) {
            let end = if value.quote.is_some() { (value.end + 1).min(html.len()) } else { value.end };
            edits.push((value.name_start, end, String::new()));
            return;
        }
        let kind = if value.name.eq_ignore_ascii_case("href") {
            LinkKind::Link
        } else if value.name.eq_ignore_ascii_case("src") {
            LinkKind::Image
        } else {
            if value.name.eq_ignore_ascii_case("id")
                || (value.name.eq_ignore_ascii_case("name") && value.tag.eq_ignore_ascii_case("a"))
            {
                page.out.anchors.push(text.to_string());
            }
            return;
        };
        let (line, column) = position(html, pieces, value.start);
        if let Some(new) = record(page, text.trim(), kind, line, column) {
            // escape_html covers both quote characters, so the value is safe
            // whichever quote the author used; unquoted values get quotes.
            let mut quoted = String::with_capacity(new.len() + 2);
            if value.quote.is_none() {
                quoted.push('"');
            }
            escape_html(&mut quoted, &new);
            if value.quote.is_none() {
                quoted.push('"');
            }
            edits.push((value.start, value.end, quoted));
        }
    });
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len() + 32 * edits.len());
    let mut done = 0;
    for (start, end, new) in edits {
        out.push_str(html.get(done..start).unwrap_or(""));
        out.push_str(&new);
        done = end;
    }
    out.push_str(html.get(done..).unwrap_or(""));
    Some(out)
}

/// File line and column of a byte offset in the HTML.
fn position(html: &str, pieces: &[Piece], offset: usize) -> (u32, u32) {
    let index = pieces.partition_point(|p| p.at <= offset).saturating_sub(1);
    let Some(piece) = pieces.get(index) else {
        return (1, 1);
    };
    let before = html.get(piece.at..offset).unwrap_or("");
    // An inline tag can itself span lines.
    match before.rfind('\n') {
        None => (piece.line, piece.column.saturating_add(count(before.chars().count()))),
        Some(nl) => (
            piece.line.saturating_add(count(before.matches('\n').count())),
            count(before[nl + 1..].chars().count()).saturating_add(1),
        ),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Call `found` for every attribute value of every start tag in `html`.
/// All the bytes it stops at are ASCII, so every slice is on a char boundary.
fn scan<'h>(html: &'h str, mut found: impl FnMut(Value<'h>)) {
    let b = html.as_bytes();
    let len = b.len();
    let mut i = 0;
    while let Some(lt) = find_byte(b, i, b'<') {
        i = lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find_str(b, i + 3, b"-->").map_or(len, |p| p + 3);
            continue;
        }
        if matches!(b.get(i), Some(b'!' | b'?' | b'/')) {
            i = find_byte(b, i, b'>').map_or(len, |p| p + 1);
            continue;
        }
        let tag_start = i;
        while i < len && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        if i == tag_start || !b[tag_start].is_ascii_alphabetic() {
            continue; // a lone "<" in text
        }
        let tag = &html[tag_start..i];
        i = attributes(html, i, tag, &mut found);
        // Their contents are code, not markup, and may contain "<".
        for raw in ["script", "style"] {
            if tag.eq_ignore_ascii_case(raw) {
                let close = format!("</{raw}");
                i = find_str_ignore_case(b, i, close.as_bytes()).unwrap_or(len);
            }
        }
    }
}

/// Scan the attributes of one start tag from `i`; returns the index after
/// the tag. Every iteration moves forward, so it always ends.
fn attributes<'h>(html: &'h str, mut i: usize, tag: &'h str, found: &mut impl FnMut(Value<'h>)) -> usize {
    let b = html.as_bytes();
    let len = b.len();
    loop {
        while i < len && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return len,
            Some(b'>') => return i + 1,
            Some(b'/' | b'=') => {
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = i;
        while i < len && !b[i].is_ascii_whitespace() && !matches!(b[i], b'>' | b'/' | b'=') {
            i += 1;
        }
        let name = &html[name_start..i];
        while i < len && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            continue; // attribute without a value
        }
        i += 1;
        while i < len && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let (start, end, quote) = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = find_byte(b, i + 1, q).unwrap_or(len);
                let value = (i + 1, end, Some(q));
                i = (end + 1).min(len);
                value
            }
            _ => {
                let start = i;
                while i < len && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                (start, i, None)
            }
        };
        found(Value { tag, name, name_start, start, end, quote });
    }
}

fn find_byte(b: &[u8], from: usize, needle: u8) -> Option<usize> {
    b.get(from..)?.iter().position(|&c| c == needle).map(|p| p + from)
}

fn find_str(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn find_str_ignore_case(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle)).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{findings, render_raw_html};
    use super::*;
    use crate::diag::Severity::{Error, Warning};

    fn values(html: &str) -> Vec<(String, String, String)> {
        let mut all = Vec::new();
        scan(html, |v| all.push((v.tag.to_string(), v.name.to_string(), html[v.start..v.end].to_string())));
        all
    }

    fn triple(tag: &str, name: &str, value: &str) -> (String, String, String) {
        (tag.into(), name.into(), value.into())
    }

    #[test]
    fn finds_quoted_unquoted_and_multiline_attributes() {
        assert_eq!(
            values("<a  class=x HREF = 'a.md' data-x=\"1 > 2\"\n title>t</a><img src=b.png/>"),
            [
                triple("a", "class", "x"),
                triple("a", "HREF", "a.md"),
                triple("a", "data-x", "1 > 2"),
                triple("img", "src", "b.png/"),
            ]
        );
    }

    #[test]
    fn skips_comments_scripts_and_text() {
        let html =
            "<!-- <a href=no> --> 1 < 2 <script>if (a<b) x = '<a href=no>'</script><style>a<b{}</style><p id=yes>";
        assert_eq!(values(html), [triple("p", "id", "yes")]);
    }

    const MIXED: &str = "<!-- markdownlint-disable -->\n\nPress <kbd>Ctrl</kbd> now.\n\n<details id=\"more\">\n<summary>More</summary>\n<a href=\"x.md\">x</a>\n</details>\n\nEnd <!-- note -->.\n";

    #[test]
    fn raw_html_allowed_by_default_without_findings() {
        let out = render_raw_html(MIXED, RawHtml::Allow);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert!(out.html.contains("<kbd>Ctrl</kbd>"), "{}", out.html);
        assert!(out.html.contains("<details id=\"more\">"), "{}", out.html);
    }

    #[test]
    fn warn_reports_each_block_and_opening_tag_but_no_comment() {
        let out = render_raw_html(MIXED, RawHtml::Warn);
        assert_eq!(findings(&out), [(Warning, "raw-html", 3, 7), (Warning, "raw-html", 5, 1)]);
        assert!(out.findings[0].message.contains("<kbd>"), "{}", out.findings[0].message);
        assert!(out.findings[1].message.contains("<details>"), "{}", out.findings[1].message);
        // Still published as written, links and ids read as usual.
        assert_eq!(out.html, render_raw_html(MIXED, RawHtml::Allow).html);
        assert_eq!(out.links.len(), 1);
        assert!(out.anchors.contains(&"more".to_string()));
    }

    #[test]
    fn deny_shows_raw_html_as_text_with_an_error_and_reads_none_of_it() {
        let out = render_raw_html(MIXED, RawHtml::Deny);
        assert_eq!(findings(&out), [(Error, "raw-html", 3, 7), (Error, "raw-html", 5, 1)]);
        assert!(out.html.contains("Press &lt;kbd&gt;Ctrl&lt;/kbd&gt; now."), "{}", out.html);
        assert!(
            out.html.contains("<pre class=\"raw-html\">&lt;details id=&quot;more&quot;&gt;\n&lt;summary&gt;"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("<details") && !out.html.contains("<kbd"), "{}", out.html);
        // Comments stay comments.
        assert!(
            out.html.contains("<!-- markdownlint-disable -->") && out.html.contains("<!-- note -->"),
            "{}",
            out.html
        );
        assert!(out.links.is_empty() && out.anchors.is_empty(), "{:?} {:?}", out.links, out.anchors);
        let script = render_raw_html("<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)>\n", RawHtml::Deny);
        assert!(!script.html.contains("<script") && !script.html.contains("<img"), "{}", script.html);
        assert_eq!(script.findings.len(), 2);
    }

    #[test]
    fn only_plain_comments_are_comments() {
        for html in ["<!-- x -->", " <!--\nmarkdownlint-disable\n-->\n", "<!---->", "<!-- a -> b -->"] {
            assert!(is_comment(html), "{html:?}");
        }
        for html in
            ["<!-- a --> <script>x</script> <!-- b -->", "<!-- a --!> <b>x</b> -->", "<!-->", "<!--->", "<!-- x", "<b>"]
        {
            assert!(!is_comment(html), "{html:?}");
            assert!(counts(html), "{html:?}");
        }
        assert!(!counts("</kbd>"));
    }

    #[test]
    fn malformed_html_never_panics() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href='",
            "<a href=\"x",
            "<!--",
            "<!",
            "</",
            "<a =x>",
            "<a\"b\"=c>",
            "<script>",
            "<é href=x>",
            "<a é=é>",
            "<<<>>>",
            "<a/ / href=x>",
            "<style",
            "<a href=''>",
        ] {
            let _ = values(html);
        }
    }
}
