//! Links pass: ask the caller about every destination, apply rewrites,
//! record each link with its file position, and write images ourselves
//! (pulldown-cmark has no way to add `loading="lazy"`).
//!
//! Raw HTML is handed to [`super::rawhtml`] for its `href`/`src` values
//! and ids; both ask about destinations through [`super::destinations`]. Code blocks and code spans arrive as Text/Code events, which
//! this pass never looks at, so links shown as code stay untouched.

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use super::destinations::{ask, refuse};
use super::rawhtml;
use super::text::{escape_href, escape_html, push_plain_text};
use super::{Ev, LinkKind, Page};
use crate::url_safety::Place;

pub(super) fn resolve<'t>(events: Vec<Ev<'t>>, page: &mut Page) -> Vec<Ev<'t>> {
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some((event, range)) = iter.next() {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let (link_type, dest_url) = if link_type == LinkType::Email {
                    // Ask about the real destination, or a caller that treats
                    // schemeless targets as files would call it broken.
                    let mailto = format!("mailto:{dest_url}");
                    match ask(page, &mailto, LinkKind::Link, range.start) {
                        Some(new) => (LinkType::Inline, new.into()),
                        None => (link_type, dest_url),
                    }
                } else if refuse(
                    page,
                    &dest_url,
                    Place::Link,
                    |p| p.position(range.start),
                    "link",
                    "it links to # instead",
                ) {
                    (link_type, "#".into())
                } else {
                    match ask(page, &dest_url, LinkKind::Link, range.start) {
                        Some(new) => (link_type, new.into()),
                        None => (link_type, dest_url),
                    }
                };
                out.push((Event::Start(Tag::Link { link_type, dest_url, title, id }), range));
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let at = |p: &Page| p.position(range.start);
                let safe = !refuse(page, &dest_url, Place::Image, at, "image", "it is shown without a source");
                let src = if safe { ask(page, &dest_url, LinkKind::Image, range.start) } else { None };
                let alt = take_alt_text(&mut iter);
                if let Some(link) = page.out.links.last_mut().filter(|_| safe) {
                    link.alt = Some(alt.clone());
                }
                let src = safe.then(|| src.as_deref().unwrap_or(&dest_url));
                let html = image_html(src, &alt, &title);
                out.push((Event::InlineHtml(html.into()), range));
            }
            Event::Start(Tag::HtmlBlock) => {
                out.push((Event::Start(Tag::HtmlBlock), range));
                html_block(&mut iter, &mut out, page);
            }
            Event::Html(html) => {
                let html = inline_html(html, range.start, page);
                out.push((Event::Html(html), range));
            }
            Event::InlineHtml(html) => {
                let html = inline_html(html, range.start, page);
                out.push((Event::InlineHtml(html), range));
            }
            other => out.push((other, range)),
        }
    }
    out
}

/// Consume the events inside an image up to its end, returning their text
/// for the `alt` attribute.
fn take_alt_text<'t>(iter: &mut impl Iterator<Item = Ev<'t>>) -> String {
    let mut alt = String::new();
    let mut depth = 0usize;
    for ev in iter {
        match ev.0 {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => break,
            Event::End(_) => depth -= 1,
            _ => push_plain_text(&mut alt, std::slice::from_ref(&ev)),
        }
    }
    alt
}

/// `src` is `None` when the source was refused: the image is left without one.
fn image_html(src: Option<&str>, alt: &str, title: &str) -> String {
    let mut html = String::with_capacity(src.map_or(0, str::len) + alt.len() + title.len() + 48);
    html.push_str("<img ");
    if let Some(src) = src {
        html.push_str("src=\"");
        escape_href(&mut html, src);
        html.push_str("\" ");
    }
    html.push_str("alt=\"");
    escape_html(&mut html, alt);
    if !title.is_empty() {
        html.push_str("\" title=\"");
        escape_html(&mut html, title);
    }
    html.push_str("\" loading=\"lazy\" />");
    html
}

/// One raw HTML event (a whole inline tag, or a block line on its own).
fn inline_html<'t>(html: CowStr<'t>, offset: usize, page: &mut Page) -> CowStr<'t> {
    let (line, column) = page.position(offset);
    let pieces = [rawhtml::Piece { at: 0, line, column }];
    match rawhtml::pass(&html, &pieces, false, page) {
        Some(new) => new.into(),
        None => html,
    }
}

/// pulldown-cmark gives an HTML block one event per line, but a tag may
/// span lines (`<img\n  src="...">`). Join the lines into one event so
/// every attribute is seen, remembering where each line came from so
/// positions stay file positions.
fn html_block<'t>(iter: &mut impl Iterator<Item = Ev<'t>>, out: &mut Vec<Ev<'t>>, page: &mut Page) {
    let mut joined = String::new();
    let mut pieces = Vec::new();
    let mut block_range: Option<std::ops::Range<usize>> = None;
    let mut end = None;
    for (event, range) in iter.by_ref() {
        match event {
            Event::Html(line_html) | Event::InlineHtml(line_html) => {
                let (line, column) = page.position(range.start);
                pieces.push(rawhtml::Piece { at: joined.len(), line, column });
                joined.push_str(&line_html);
                block_range = Some(match block_range {
                    Some(r) => r.start..range.end,
                    None => range,
                });
            }
            // Only HTML lines are expected; keep anything else in order.
            Event::End(TagEnd::HtmlBlock) => {
                end = Some((Event::End(TagEnd::HtmlBlock), range));
                break;
            }
            other => out.push((other, range)),
        }
    }
    if let Some(range) = block_range {
        let html = rawhtml::pass(&joined, &pieces, true, page).unwrap_or(joined);
        out.push((Event::Html(html.into()), range));
    }
    if let Some(end) = end {
        out.push(end);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{findings, render_with, Calls};
    use super::super::{LinkKind, Resolution};
    use crate::diag::Severity::Warning;

    /// Resolve `page.md` to `/base/page/`, call `missing.md` broken, keep the rest.
    fn site(target: &str, _kind: LinkKind) -> Resolution {
        match target {
            "page.md" => Resolution::Rewrite("/base/page/".into()),
            "img/a b.png" => Resolution::Rewrite("/base/img/a b.png".into()),
            "missing.md" | "gone.png" => Resolution::Broken,
            _ => Resolution::Keep,
        }
    }

    #[test]
    fn rewrites_and_records_with_file_positions() {
        let text = "Intro line\n\nSee [the page](page.md) and\n  é [gone](missing.md).\n";
        let out = render_with(text, 7, &site);
        assert!(out.html.contains(r#"<a href="/base/page/">the page</a>"#), "{}", out.html);
        assert!(out.html.contains(r#"<a href="missing.md">gone</a>"#), "{}", out.html);
        assert_eq!(out.links.len(), 2);
        let (ok, broken) = (&out.links[0], &out.links[1]);
        assert_eq!((ok.target.as_str(), ok.line, ok.column, ok.broken), ("page.md", 9, 5, false));
        assert_eq!((broken.target.as_str(), broken.line, broken.column, broken.broken), ("missing.md", 10, 5, true));
        assert_eq!(broken.kind, LinkKind::Link);
    }

    #[test]
    fn reference_links_and_autolinks_are_resolved() {
        let text = "A [ref][p] and <https://example.org> and <jo@example.org>.\n\n[p]: page.md\n";
        let calls = Calls::default();
        let out = render_with(text, 1, &|t, k| calls.log(t, k, site(t, k)));
        assert!(out.html.contains(r#"<a href="/base/page/">ref</a>"#), "{}", out.html);
        assert!(out.html.contains(r#"<a href="https://example.org">"#), "{}", out.html);
        assert!(out.html.contains(r#"<a href="mailto:jo@example.org">"#), "{}", out.html);
        assert_eq!(calls.targets(), ["page.md", "https://example.org", "mailto:jo@example.org"]);
        assert_eq!((out.links[0].line, out.links[0].column), (1, 3));
        assert_eq!((out.links[1].line, out.links[1].column), (1, 16));
    }

    #[test]
    fn images_are_lazy_with_escaped_alt() {
        let text = "![A \"big\" 1 < 2 & *more*](<img/a b.png> \"T\") ![x](gone.png)";
        let out = render_with(text, 1, &site);
        assert!(
            out.html.contains(
                r#"<img src="/base/img/a%20b.png" alt="A “big” 1 &lt; 2 &amp; more" title="T" loading="lazy" />"#
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"<img src="gone.png" alt="x" loading="lazy" />"#), "{}", out.html);
        assert_eq!(out.links[0].kind, LinkKind::Image);
        assert!(out.links[1].broken);
    }

    #[test]
    fn image_inside_link_both_resolved() {
        let out = render_with("[![logo](<img/a b.png>)](page.md)", 1, &site);
        assert!(
            out.html
                .contains(r#"<a href="/base/page/"><img src="/base/img/a%20b.png" alt="logo" loading="lazy" /></a>"#),
            "{}",
            out.html
        );
        assert_eq!(out.links.len(), 2);
    }

    #[test]
    fn raw_html_href_and_src_are_rewritten() {
        let text = "Text <a href='page.md'>p</a>.\n\n<div>\n<img alt=\"x\"\n     src=\"img/a b.png\">\n<a href=missing.md>m</a>\n</div>\n";
        let out = render_with(text, 3, &site);
        assert!(out.html.contains("<a href='/base/page/'>p</a>"), "{}", out.html);
        assert!(out.html.contains("src=\"/base/img/a b.png\""), "{}", out.html);
        assert!(out.html.contains("<a href=missing.md>m</a>"), "{}", out.html);
        let found: Vec<_> = out.links.iter().map(|l| (l.target.as_str(), l.kind, l.line, l.column, l.broken)).collect();
        assert_eq!(
            found,
            [
                ("page.md", LinkKind::Link, 3, 15, false),
                ("img/a b.png", LinkKind::Image, 7, 11, false),
                ("missing.md", LinkKind::Link, 8, 9, true),
            ]
        );
    }

    #[test]
    fn code_is_never_touched() {
        let text = "`[x](page.md)` `<a href=\"page.md\">`\n\n```html\n<a href=\"page.md\">x</a>\n[y](page.md)\n```\n\n    <img src=\"page.md\">\n";
        let calls = Calls::default();
        let out = render_with(text, 1, &|t, k| calls.log(t, k, site(t, k)));
        assert!(calls.targets().is_empty());
        assert!(out.links.is_empty());
        assert!(out.html.contains("<code>[x](page.md)</code>"), "{}", out.html);
        assert!(out.html.contains("&lt;a href=\"page.md\"&gt;x&lt;/a&gt;"), "{}", out.html);
        assert!(!out.html.contains("/base/"), "{}", out.html);
    }

    #[test]
    fn script_links_point_nowhere_with_a_warning() {
        let text = "Go [here](javascript:alert(1)) or\n[there](<java\tscript:x>) or [t](&#106;avascript:x)\nor <JavaScript:alert(2)> or [ok](page.md) [mail](mailto:a@example.org).\n";
        let calls = Calls::default();
        let out = render_with(text, 4, &|t, k| calls.log(t, k, site(t, k)));
        assert_eq!(out.html.matches("<a href=\"#\">").count(), 4, "{}", out.html);
        assert!(!out.html.to_lowercase().contains("script:x\""), "{}", out.html);
        assert!(out.html.contains(">JavaScript:alert(2)</a>"), "the text stays: {}", out.html);
        assert_eq!(calls.targets(), ["page.md", "mailto:a@example.org"], "refused links are not asked about");
        assert_eq!(
            findings(&out),
            [
                (Warning, "unsafe-url", 4, 4),
                (Warning, "unsafe-url", 5, 1),
                (Warning, "unsafe-url", 5, 29),
                (Warning, "unsafe-url", 6, 4)
            ]
        );
        assert!(
            out.findings[1].message.starts_with("link 'java\\tscript:x' uses the javascript: scheme"),
            "{}",
            out.findings[1].message
        );
    }

    #[test]
    fn script_images_lose_their_source_but_data_images_stay() {
        let out =
            render_with("![a](javascript:alert(1)) ![b](data:image/png;base64,iVBO) ![c](data:text/html,x)", 1, &site);
        assert!(out.html.contains(r#"<img alt="a" loading="lazy" />"#), "{}", out.html);
        assert!(
            out.html.contains(r#"<img src="data:image/png;base64,iVBO" alt="b" loading="lazy" />"#),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"<img alt="c" loading="lazy" />"#), "{}", out.html);
        assert_eq!(findings(&out), [(Warning, "unsafe-url", 1, 1), (Warning, "unsafe-url", 1, 60)]);
        // Only the data image is recorded, with its own alt text.
        assert_eq!(out.links.len(), 1);
        assert_eq!(out.links[0].alt.as_deref(), Some("b"));
    }

    #[test]
    fn script_urls_in_raw_html_attributes_are_left_out() {
        let text = "<a href=\"&#106;avascript:alert(1)\" class=x>a</a> <a HREF=javascript:x>b</a>\n\n<form action='JAVASCRIPT:x'>\n<button formaction=\"vbscript:x\">go</button>\n<img srcset=\"ok.png 1x, java\tscript:x 2x\" src=\"data:image/gif;base64,R0lG\">\n<svg><a xlink:href=\"javascript:x\"><text>t</text></a></svg>\n<iframe src=\"data:text/html,x\"></iframe>\n</form>\n";
        let out = render_with(text, 1, &site);
        assert!(out.html.contains("<a  class=x>a</a> <a >b</a>"), "{}", out.html);
        assert!(out.html.contains("<form >\n<button >go</button>"), "{}", out.html);
        assert!(out.html.contains("<img  src=\"data:image/gif;base64,R0lG\">"), "{}", out.html);
        assert!(out.html.contains("<svg><a ><text>"), "{}", out.html);
        assert!(out.html.contains("<iframe ></iframe>"), "{}", out.html);
        assert_eq!(
            findings(&out),
            [
                (Warning, "unsafe-url", 1, 10),
                (Warning, "unsafe-url", 1, 58),
                (Warning, "unsafe-url", 3, 15),
                (Warning, "unsafe-url", 4, 21),
                (Warning, "unsafe-url", 5, 14),
                (Warning, "unsafe-url", 6, 21),
                (Warning, "unsafe-url", 7, 14),
            ]
        );
        assert!(out.findings[4].message.starts_with("srcset 'script:x'"), "{}", out.findings[4].message);
        assert!(out.findings[0].message.ends_with("the attribute is left out"), "{}", out.findings[0].message);
        // The data image is asked about as any image source is.
        assert_eq!(out.links.len(), 1);
    }

    #[test]
    fn external_links_left_alone() {
        let out = render_with("[x](https://example.org/a?b=1&c=2)", 1, &|_, _| Resolution::Keep);
        assert_eq!(out.html, "<p><a href=\"https://example.org/a?b=1&amp;c=2\">x</a></p>\n");
    }
}
