//! Footnotes pass: the same markup as pulldown-cmark's, but with ids
//! `fn-<label>` instead of the bare label, so footnote `[^1]` cannot
//! collide with a heading or an HTML id "1", and labels that differ only
//! in case or spacing (which the parser treats as the same footnote)
//! share one id.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::text::escape_html;
use super::{Ev, Page};

pub(super) fn number<'t>(mut events: Vec<Ev<'t>>, page: &mut Page) -> Vec<Ev<'t>> {
    // Numbered in order of first appearance, reference or definition, as
    // pulldown-cmark does.
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for (event, _) in events.iter_mut() {
        let html = match event {
            Event::FootnoteReference(label) => {
                let (id, n) = id_and_number(label, &mut numbers);
                let mut html = String::from("<sup class=\"footnote-reference\"><a href=\"#");
                escape_html(&mut html, &id);
                html.push_str(&format!("\">{n}</a></sup>"));
                Event::InlineHtml(html.into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (id, n) = id_and_number(label, &mut numbers);
                let mut html = String::from("<div class=\"footnote-definition\" id=\"");
                escape_html(&mut html, &id);
                html.push_str(&format!("\"><sup class=\"footnote-definition-label\">{n}</sup>"));
                page.out.anchors.push(id);
                Event::Html(html.into())
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>\n".into()),
            _ => continue,
        };
        *event = html;
    }
    events
}

fn id_and_number(label: &str, numbers: &mut HashMap<String, usize>) -> (String, usize) {
    let mut id = String::from("fn-");
    for (i, word) in label.split_whitespace().enumerate() {
        if i > 0 {
            id.push('-');
        }
        id.extend(word.chars().flat_map(char::to_lowercase));
    }
    let next = numbers.len() + 1;
    let n = *numbers.entry(id.clone()).or_insert(next);
    (id, n)
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_plain;

    #[test]
    fn footnotes_get_prefixed_ids_and_anchors() {
        let out = render_plain("Text[^1] and[^Big note].\n\n[^big   note]: Big.\n\n[^1]: One.\n");
        assert!(out.html.contains(r##"<sup class="footnote-reference"><a href="#fn-1">1</a></sup>"##), "{}", out.html);
        assert!(out.html.contains(r##"<a href="#fn-big-note">2</a>"##), "{}", out.html);
        assert!(
            out.html.contains(
                r#"<div class="footnote-definition" id="fn-big-note"><sup class="footnote-definition-label">2</sup>"#
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"<div class="footnote-definition" id="fn-1">"#), "{}", out.html);
        assert_eq!(out.anchors, ["fn-big-note", "fn-1"]);
        // Footnote hrefs are ours, not the author's: never resolved.
        assert!(out.links.is_empty());
    }
}
