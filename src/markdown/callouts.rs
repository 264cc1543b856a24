//! Callouts: GFM alerts (`> [!NOTE]`...) become
//! `<div class="callout callout-note" role="note">` with a title paragraph.
//!
//! A `div` rather than `<aside>`: an aside inside `<main>` is flagged by
//! accessibility checkers. [`callout_open`] and [`callout_close`] are public
//! so other producers of callouts (e.g. converted MkDocs admonitions) write
//! exactly the same markup.

use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};
use std::collections::HashMap;

use super::admonitions::Admonition;
use super::Ev;
use crate::html::{callout_close, callout_open, collapsible_open};

/// `admonitions` are the alerts that were MkDocs-style admonitions, by the
/// line `line_of` gives for an offset: they keep their title, and the
/// collapsible ones become `<details>`.
pub(super) fn convert<'t>(
    mut events: Vec<Ev<'t>>,
    admonitions: Option<&HashMap<usize, Admonition>>,
    line_of: impl Fn(usize) -> usize,
) -> Vec<Ev<'t>> {
    // Whether each open alert is a `<details>`, innermost last.
    let mut open: Vec<bool> = Vec::new();
    for (event, range) in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let admonition = admonitions.and_then(|found| found.get(&line_of(range.start)));
                let html = match admonition {
                    Some(Admonition { kind, title, collapsible: Some(shown), .. }) => {
                        collapsible_open(kind, title, *shown) + "\n"
                    }
                    Some(Admonition { kind, title, .. }) => callout_open(kind, Some(title)),
                    None => callout_open(kind_name(*kind), None),
                };
                open.push(admonition.is_some_and(|a| a.collapsible.is_some()));
                *event = Event::Html(html.into());
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                let close = if open.pop().unwrap_or(false) { "</details>\n" } else { callout_close() };
                *event = Event::Html(close.into());
            }
            _ => {}
        }
    }
    events
}

fn kind_name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_plain;
    use super::*;

    #[test]
    fn every_gfm_alert_kind() {
        for (marker, class, title) in [
            ("NOTE", "note", "Note"),
            ("TIP", "tip", "Tip"),
            ("IMPORTANT", "important", "Important"),
            ("WARNING", "warning", "Warning"),
            ("CAUTION", "caution", "Caution"),
        ] {
            let out = render_plain(&format!("> [!{marker}]\n> Mind the *gap*.\n"));
            let expected = format!(
                "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n<p>Mind the <em>gap</em>.</p>\n</div>\n"
            );
            assert_eq!(out.html, expected);
        }
    }

    #[test]
    fn callout_inside_quote_and_list() {
        let out = render_plain("> Outer\n>\n> > [!TIP]\n> > Inner\n\n- item\n\n  > [!WARNING]\n  > Careful\n");
        assert!(out.html.contains("<blockquote>\n<p>Outer</p>\n<div class=\"callout callout-tip\""), "{}", out.html);
        assert!(out.html.contains("<p>Inner</p>\n</div>\n</blockquote>"), "{}", out.html);
        assert!(out.html.contains("<div class=\"callout callout-warning\""), "{}", out.html);
        assert!(!out.html.contains("<aside"));
    }

    #[test]
    fn helpers_escape_title_and_sanitise_kind() {
        assert_eq!(
            callout_open("note", Some("Read <this> & that")),
            "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Read &lt;this&gt; &amp; that</p>\n"
        );
        assert!(callout_open("Danger\" onclick=\"x", None).starts_with("<div class=\"callout callout-dangeronclickx\""));
        assert!(callout_open("", None).contains("<p class=\"callout-title\">Note</p>"));
        assert!(callout_open("info", None).contains("<p class=\"callout-title\">Info</p>"));
        assert_eq!(callout_close(), "</div>\n");
    }
}
