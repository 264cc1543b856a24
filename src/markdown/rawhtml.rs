//! Raw HTML in a body: resolve `href`/`src` values and collect ids.
//!
//! Authors are trusted, so raw HTML passes through as written; we only
//! need to find attribute values. A full HTML parser would be overkill: a
//! small tag scanner that skips comments, doctypes and the contents of
//! `<script>`/`<style>` is enough, and never fails (malformed HTML just
//! yields fewer attributes).

use super::destinations::record;
use super::text::escape_html;
use super::{LinkKind, Page};

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
    start: usize,
    end: usize,
    quote: Option<u8>,
}

/// Resolve `href` (as a link) and `src` (as an image) values and record
/// ids and `<a name>`s. Returns the new HTML when something was rewritten.
pub(super) fn rewrite(html: &str, pieces: &[Piece], page: &mut Page) -> Option<String> {
    // Cheap check first: most HTML events are closing tags or plain markup.
    if !html.contains('=') {
        return None;
    }
    let mut edits: Vec<(usize, usize, Option<u8>, String)> = Vec::new();
    scan(html, |value| {
        let text = html.get(value.start..value.end).unwrap_or("");
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
            edits.push((value.start, value.end, value.quote, new));
        }
    });
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len() + 32 * edits.len());
    let mut done = 0;
    for (start, end, quote, new) in edits {
        out.push_str(html.get(done..start).unwrap_or(""));
        // escape_html covers both quote characters, so the value is safe
        // whichever quote the author used; unquoted values get quotes.
        if quote.is_none() {
            out.push('"');
        }
        escape_html(&mut out, &new);
        if quote.is_none() {
            out.push('"');
        }
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
        found(Value { tag, name, start, end, quote });
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
    use super::*;

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
