//! GFM's extended autolinks: a bare `https://…`, `http://…` or `www.…` in
//! body text becomes a link, as on GitHub (pulldown-cmark only links
//! `<https://…>`). Text inside links, code and raw HTML is left alone.

use super::Ev;
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// Turns bare URLs in text into links.
pub(super) fn link<'t>(events: Vec<Ev<'t>>) -> Vec<Ev<'t>> {
    let mut out = Vec::with_capacity(events.len());
    // Inside a link, code block or raw HTML block nothing is linked.
    let mut shielded = 0usize;
    let mut iter = events.into_iter().peekable();
    while let Some((event, range)) = iter.next() {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)) => {
                shielded += 1
            }
            Event::End(TagEnd::Link | TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => {
                shielded = shielded.saturating_sub(1)
            }
            _ => {}
        }
        let Event::Text(first) = event else {
            out.push((event, range));
            continue;
        };
        if shielded > 0 {
            out.push((Event::Text(first), range));
            continue;
        }
        // pulldown-cmark splits text at characters such as `_` and `&`;
        // a URL may span the pieces.
        let mut text = first.into_string();
        let mut range = range;
        while let Some((Event::Text(_), _)) = iter.peek() {
            if let Some((Event::Text(next), next_range)) = iter.next() {
                text.push_str(&next);
                range.end = next_range.end;
            }
        }
        split(text, range, &mut out);
    }
    out
}

/// Emits `text` as text and link events.
fn split<'t>(text: String, range: std::ops::Range<usize>, out: &mut Vec<Ev<'t>>) {
    let mut rest = text.as_str();
    let mut found = false;
    while let Some((start, end)) = next_url(rest) {
        found = true;
        if start > 0 {
            out.push((Event::Text(CowStr::from(rest[..start].to_string())), range.clone()));
        }
        let url = &rest[start..end];
        let href = if url.starts_with("www.") { format!("http://{url}") } else { url.to_string() };
        let tag = Tag::Link { link_type: LinkType::Autolink, dest_url: href.into(), title: "".into(), id: "".into() };
        out.push((Event::Start(tag), range.clone()));
        out.push((Event::Text(CowStr::from(url.to_string())), range.clone()));
        out.push((Event::End(TagEnd::Link), range.clone()));
        rest = &rest[end..];
    }
    if !found {
        out.push((Event::Text(text.into()), range));
    } else if !rest.is_empty() {
        out.push((Event::Text(CowStr::from(rest.to_string())), range));
    }
}

/// Byte range of the next bare URL in `text`.
fn next_url(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while from < text.len() {
        let candidates =
            ["https://", "http://", "www."].into_iter().filter_map(|p| text[from..].find(p).map(|i| from + i));
        let start = candidates.min()?;
        let preceded_ok = text[..start].chars().next_back().is_none_or(|c| c.is_whitespace() || "(*_~\"'".contains(c));
        let end = url_end(text, start);
        let prefix = if text[start..].starts_with("www.") { 4 } else { text[start..].find("//").map_or(0, |i| i + 2) };
        // A URL needs something after its scheme, with a dot in the host.
        let host = text.get(start + prefix..end).unwrap_or("").split('/').next().unwrap_or("");
        if preceded_ok && host.contains('.') && !host.starts_with('.') {
            return Some((start, end));
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Where a URL starting at `start` ends: at white space or `<`, without
/// trailing punctuation, and without a closing parenthesis it did not open.
fn url_end(text: &str, start: usize) -> usize {
    let tail = &text[start..];
    let mut end = start + tail.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(tail.len());
    loop {
        let url = &text[start..end];
        let Some(last) = url.chars().next_back() else { return end };
        let unbalanced_paren = last == ')' && url.matches(')').count() > url.matches('(').count();
        if "?!.,:*_~'\";".contains(last) || unbalanced_paren {
            end -= last.len_utf8();
        } else {
            return end;
        }
    }
}

#[cfg(test)]
mod tests {
    fn html_of(text: &str) -> String {
        super::super::tests::render_plain(text).html
    }

    #[test]
    fn links_bare_urls_in_text() {
        let html = html_of("Visit https://example.org/a_b?x=1&y=2, or www.example.com.");
        assert!(
            html.contains(r#"<a href="https://example.org/a_b?x=1&amp;y=2">https://example.org/a_b?x=1&amp;y=2</a>,"#),
            "{html}"
        );
        assert!(html.contains(r#"<a href="http://www.example.com">www.example.com</a>."#), "{html}");
    }

    #[test]
    fn keeps_balanced_parentheses_and_drops_the_closing_one() {
        let html = html_of("See https://en.wikipedia.org/wiki/Foo_(bar) and (https://example.org/x).");
        assert!(html.contains(r#"href="https://en.wikipedia.org/wiki/Foo_(bar)""#), "{html}");
        assert!(html.contains(r#"(<a href="https://example.org/x">https://example.org/x</a>)."#), "{html}");
    }

    #[test]
    fn leaves_links_code_and_html_alone() {
        let html = html_of("[https://a.example](https://b.example) `https://c.example`\n\n```\nhttps://d.example\n```\n\n<p>https://e.example</p>\n");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert!(html.contains("<code>https://c.example</code>"), "{html}");
        assert!(html.contains("https://d.example\n</code>"), "{html}");
    }

    #[test]
    fn needs_a_host_with_a_dot() {
        let html = html_of("Not links: https:// and www. and http://localhost and xhttps://a.example");
        assert!(!html.contains("<a "), "{html}");
    }
}
