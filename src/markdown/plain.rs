//! The plain text of a body, section by section, for the search index:
//! what a reader would read, without markup. Taken from the events once
//! headings have their ids, before later passes turn callouts, quotes and
//! tables into raw HTML.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Ev, Heading};

/// The text under one heading (or before the first one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Index into [`super::Rendered::headings`]; `None` before the first heading.
    pub heading: Option<usize>,
    /// The section's text, blocks separated by newlines.
    pub text: String,
}

/// Splits the body's text at its headings. Code is kept (readers search
/// for command names); raw HTML is left out.
pub(super) fn sections(events: &[Ev], headings: &[Heading]) -> Vec<Section> {
    let mut out = vec![Section::default()];
    let mut in_heading = false;
    let mut next_heading = 0;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                let heading = (next_heading < headings.len()).then_some(next_heading);
                next_heading += 1;
                out.push(Section { heading, text: String::new() });
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            _ if in_heading => {}
            Event::Text(t) | Event::Code(t) => out.last_mut().map_or((), |s| s.text.push_str(t)),
            Event::SoftBreak | Event::HardBreak => out.last_mut().map_or((), |s| s.text.push(' ')),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => out.last_mut().map_or((), |s| {
                if !s.text.ends_with('\n') && !s.text.is_empty() {
                    s.text.push('\n');
                }
            }),
            _ => {}
        }
    }
    if out[0].text.is_empty() {
        out.remove(0);
    }
    out
}
