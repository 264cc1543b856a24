//! Callouts: GFM alerts (`> [!NOTE]`...) become
//! `<div class="callout callout-note" role="note">` with a title paragraph.
//!
//! A `div` rather than `<aside>`: an aside inside `<main>` is flagged by
//! accessibility checkers. [`callout_open`] and [`callout_close`] are public
//! so other producers of callouts (e.g. converted MkDocs admonitions) write
//! exactly the same markup.

use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};

use super::text::escape_html;
use super::Ev;

/// Opening markup of a callout of `kind` ("note", "tip", "important",
/// "warning", "caution", or any other word), with `title` or, by default,
/// the kind capitalised ("Note"). The title is escaped; the kind is reduced
/// to `[a-z0-9-]` so it is always a safe class name.
pub fn callout_open(kind: &str, title: Option<&str>) -> String {
    let class: String =
        kind.chars().flat_map(char::to_lowercase).filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let class = if class.is_empty() { "note".to_string() } else { class };
    let default_title;
    let title = match title {
        Some(title) => title,
        None => {
            let mut chars = class.chars();
            default_title = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            };
            &default_title
        }
    };
    let mut html = String::with_capacity(80 + title.len());
    html.push_str("<div class=\"callout callout-");
    html.push_str(&class);
    html.push_str("\" role=\"note\">\n<p class=\"callout-title\">");
    escape_html(&mut html, title);
    html.push_str("</p>\n");
    html
}

/// Closing markup matching [`callout_open`].
pub fn callout_close() -> &'static str {
    "</div>\n"
}

pub(super) fn convert<'t>(mut events: Vec<Ev<'t>>) -> Vec<Ev<'t>> {
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                *event = Event::Html(callout_open(kind_name(*kind), None).into());
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => *event = Event::Html(callout_close().into()),
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
