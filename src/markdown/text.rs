//! Small helpers shared by the passes: file positions, escaping, plain text
//! of an event run, and matching start/end events.

use pulldown_cmark::Event;

use super::Ev;

/// Byte offsets of line starts, so a parser offset becomes a file line and
/// column without rescanning the text for every link.
pub(super) struct LineIndex {
    starts: Vec<usize>,
    first_line: u32,
    /// How many characters start before each multiple of [`CHARS_EVERY`]
    /// bytes: a column on a long line is counted from the nearest, so many
    /// links on one line cost no more than on many lines.
    chars_before_block: Vec<usize>,
}

/// The byte distance between the character counts [`LineIndex`] keeps.
const CHARS_EVERY: usize = 256;

/// Characters starting in `bytes` (UTF-8 continuation bytes start none).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub(super) fn new(text: &str, first_line: u32) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        let mut chars_before_block = Vec::with_capacity(text.len() / CHARS_EVERY + 1);
        let mut count = 0;
        for block in text.as_bytes().chunks(CHARS_EVERY) {
            chars_before_block.push(count);
            count += char_starts(block);
        }
        LineIndex { starts, first_line, chars_before_block }
    }

    /// Characters that start before byte `offset` of the text.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHARS_EVERY;
        let counted = self.chars_before_block.get(block).copied().unwrap_or(0);
        counted + char_starts(&text.as_bytes()[(block * CHARS_EVERY).min(offset)..offset])
    }

    /// File line and 1-based column (in chars) of a byte offset into `text`.
    pub(super) fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        // `starts[0]` is 0, so at least one start is <= offset.
        let row = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(row).copied().unwrap_or(0);
        let column = self.chars_before(text, offset) - self.chars_before(text, start);
        (
            self.first_line.saturating_add(u32::try_from(row).unwrap_or(u32::MAX)),
            u32::try_from(column).unwrap_or(u32::MAX).saturating_add(1),
        )
    }
}

pub(super) use crate::html::escape_into as escape_html;

/// Escape a URL for an `href`/`src` attribute the way pulldown-cmark does
/// for Markdown links, so images we write ourselves match links it writes:
/// unsafe ASCII is percent-encoded, non-ASCII is left for the browser.
pub(super) fn escape_href(out: &mut String, url: &str) {
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            c if c.is_ascii_alphanumeric() || "!#$%()*+,-./:;=?@_~".contains(c) => out.push(c),
            c if c.is_ascii() => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                let b = c as u8;
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
            c => out.push(c),
        }
    }
}

/// Append the reader-visible text of a run of inline events: text and code,
/// with line breaks as spaces. Markup and raw HTML contribute nothing.
pub(super) fn push_plain_text(out: &mut String, events: &[Ev]) {
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
}

/// Plain text of a run of inline events, trimmed.
pub(super) fn plain_text(events: &[Ev]) -> String {
    let mut s = String::new();
    push_plain_text(&mut s, events);
    let trimmed = s.trim();
    if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_string()
    }
}

/// For every Start event, the index of its End, and the reverse; other
/// events map to themselves. Built with an explicit stack, not recursion,
/// so thousands of nested blockquotes cost nothing special.
pub(super) fn partners(events: &[Ev]) -> Vec<usize> {
    let mut partner: Vec<usize> = (0..events.len()).collect();
    let mut open = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => open.push(i),
            Event::End(_) => {
                if let Some(start) = open.pop() {
                    partner[start] = i;
                    partner[i] = start;
                }
            }
            _ => {}
        }
    }
    partner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_file_lines_and_char_columns() {
        let text = "ab\nçé[x]\n\nz";
        let index = LineIndex::new(text, 7);
        assert_eq!(index.position(text, 0), (7, 1));
        assert_eq!(index.position(text, 1), (7, 2));
        let bracket = text.find('[').unwrap();
        assert_eq!(index.position(text, bracket), (8, 3));
        assert_eq!(index.position(text, text.len()), (10, 2));
        // Out of range or mid-char offsets must not panic.
        let _ = index.position(text, 1000);
        let _ = index.position(text, 4);
        // Far along a long line, columns still count characters.
        let long = format!("{}é[x]", "ab".repeat(1000));
        let index = LineIndex::new(&long, 1);
        assert_eq!(index.position(&long, long.find('[').unwrap()), (1, 2002));
        let empty = LineIndex::new("", 1);
        assert_eq!(empty.position("", 0), (1, 1));
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape_html(&mut s, "<a href=\"x\">Tom & 'Jo'</a>");
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;");
        let mut s = String::new();
        escape_href(&mut s, "a b\"<é>?x=1&y='2'");
        assert_eq!(s, "a%20b%22%3Cé%3E?x=1&amp;y=&#x27;2&#x27;");
    }
}
