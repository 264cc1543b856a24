//! Tables are wrapped in a scrollable region, so a wide table scrolls on a
//! phone instead of widening the page, and keyboard users can reach it to
//! scroll (`tabindex="0"` needs a role and a name, hence the label).

use pulldown_cmark::{Event, Tag, TagEnd};

use super::text::escape_html;
use super::{Ev, Heading};

/// `headings` are the page's headings in order, as the headings pass
/// recorded them: the n-th heading end in the events is `headings[n]`.
pub(super) fn wrap<'t>(events: Vec<Ev<'t>>, headings: &[Heading]) -> Vec<Ev<'t>> {
    if !events.iter().any(|(e, _)| matches!(e, Event::Start(Tag::Table(_)))) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut headings_seen = 0;
    // The heading right before the current event, if any: it names the table.
    let mut just_after_heading: Option<&Heading> = None;
    // Each region is a landmark, so each needs a name of its own.
    let mut names_used: Vec<String> = Vec::new();
    for (event, range) in events {
        match &event {
            Event::Start(Tag::Table(_)) => {
                let base = just_after_heading.map_or("Table", |h| h.text.as_str());
                let seen = names_used.iter().filter(|n| n.as_str() == base).count();
                names_used.push(base.to_string());
                let label = if seen == 0 { base.to_string() } else { format!("{base} ({})", seen + 1) };
                let mut html = String::from("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"");
                escape_html(&mut html, &label);
                html.push_str("\">\n");
                out.push((Event::Html(html.into()), range.clone()));
                out.push((event, range));
            }
            Event::End(TagEnd::Table) => {
                out.push((event, range.clone()));
                out.push((Event::Html("</div>\n".into()), range));
            }
            _ => out.push((event, range)),
        }
        just_after_heading = None;
        if let Some((Event::End(TagEnd::Heading(_)), _)) = out.last() {
            just_after_heading = headings.get(headings_seen);
            headings_seen += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_plain;

    #[test]
    fn tables_are_wrapped_and_named() {
        let out = render_plain("## Roles & tasks\n\n| A | B |\n|---|--:|\n| 1 | 2 |\n\nText.\n\n| C |\n|---|\n| 3 |\n");
        assert!(
            out.html.contains(
                "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Roles &amp; tasks\">\n<table><thead><tr><th>A</th><th style=\"text-align: right\">B</th></tr></thead><tbody>\n<tr><td>1</td><td style=\"text-align: right\">2</td></tr>\n</tbody></table>\n</div>\n"
            ),
            "{}",
            out.html
        );
        assert!(
            out.html.contains(
                "<p>Text.</p>\n<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n<table>"
            ),
            "{}",
            out.html
        );
        assert_eq!(out.html.matches("</table>\n</div>\n").count(), 2);
    }

    #[test]
    fn every_table_region_has_its_own_name() {
        let out = render_plain("| A |\n|---|\n| 1 |\n\nText.\n\n| B |\n|---|\n| 2 |\n\nMore.\n\n| C |\n|---|\n| 3 |\n");
        for name in ["aria-label=\"Table\"", "aria-label=\"Table (2)\"", "aria-label=\"Table (3)\""] {
            assert_eq!(out.html.matches(name).count(), 1, "{name}: {}", out.html);
        }
    }
}
