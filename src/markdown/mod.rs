//! Render one page body from Markdown to HTML.
//!
//! [`render`] parses the body with pulldown-cmark into a list of events,
//! runs that list through a chain of passes, then lets pulldown-cmark's own
//! writer turn the events into HTML. Each pass owns one concern and takes
//! and returns the whole list, so a new feature is one more function in the
//! chain (see [`render`] for the order, and where glossary linking goes).
//!
//! Passes keep the Markdown structure events (`Start(Heading)`,
//! `Start(Link)`, code blocks...) wherever pulldown-cmark's rendering is
//! what we want, and only replace events with raw HTML where our markup
//! differs (images, footnotes, callouts, quote figures, table wrappers).
//! That keeps later passes able to tell headings, links and code apart.

mod a11y;
pub mod admonitions;
mod autolinks;
mod callouts;
mod destinations;
mod footnotes;
pub mod glossary;
mod headings;
mod links;
mod plain;
mod quotes;
mod rawhtml;
mod tables;
mod text;

use std::ops::Range;

use pulldown_cmark::{Event, Parser};

pub use plain::Section;

use crate::config::RawHtml;
use crate::diag::Diagnostic;
pub use crate::text::SlugRule;

/// What a link or image in the body points at, as the renderer asks the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Link,
    Image,
}

/// The caller's answer for one link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Leave the href as written (external URLs, mailto:, in-page anchors the caller does not check...).
    Keep,
    /// Use this href instead (internal links resolved to the page they become, with the site's base path).
    Rewrite(String),
    /// Internal target that resolves to nothing: keep the href as written, and record it as broken.
    Broken,
}

/// Everything `render` needs besides the text.
pub struct Options<'a> {
    /// Line number (1-based) of the first line of `text` in its source file, so reported lines are file lines.
    pub first_line: u32,
    /// Called for every link destination and image source: Markdown links, images, autolinks, reference
    /// links, and `href`/`src` attribute values inside raw HTML. Email autolinks are passed as `mailto:...`.
    pub resolve: &'a dyn Fn(&str, LinkKind) -> Resolution,
    /// Remove a level-1 heading when it is the first block of the body (the page template prints the title as the H1),
    /// returning its text in `Rendered::leading_h1`.
    pub strip_leading_h1: bool,
    /// What happens to raw HTML (`[markdown] raw_html` in handbook.toml).
    pub raw_html: RawHtml,
    /// How heading ids are made: as copbook does, or as the generator the
    /// handbook came from did, so deep links into it keep working.
    pub heading_ids: SlugRule,
    /// The page's title, which the page template shows as its `<h1>`: it
    /// gets an id too (`Rendered::title_id`).
    pub title: Option<&'a str>,
    /// Glossary terms to link where the body first uses them; `None` links none.
    pub glossary: Option<glossary::Linking<'a>>,
}

/// One heading of the rendered body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// Final, unique id as written in the HTML.
    pub id: String,
    /// Plain text (no markup).
    pub text: String,
    /// File line of the heading.
    pub line: u32,
}

/// One link or image destination found in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Destination as written (email autolinks get their `mailto:`).
    pub target: String,
    pub kind: LinkKind,
    /// File line and 1-based column (in chars) where the link starts; for
    /// raw HTML, where the attribute value starts.
    pub line: u32,
    pub column: u32,
    /// The caller answered [`Resolution::Broken`].
    pub broken: bool,
    /// A Markdown image's alt text (`![alt](src)`); `None` for links and
    /// for images in raw HTML.
    pub alt: Option<String>,
}

/// The result of rendering one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Every heading in order, with its final unique id (for the TOC and for anchor checks).
    /// A stripped leading H1 is not included: it is not in `html`.
    pub headings: Vec<Heading>,
    /// Every link/image destination seen, in page order.
    pub links: Vec<Link>,
    /// Plain text of the stripped leading H1.
    pub leading_h1: Option<String>,
    /// The id of the page title's `<h1>`, when `Options::title` was given.
    pub title_id: Option<String>,
    /// Plain text of the first heading of any level, stripped or not (title fallback).
    pub first_heading: Option<String>,
    /// Every id in the output: `id="..."` and `<a name="...">` in raw HTML, footnotes, then headings
    /// (grouped by source, not in page order).
    pub anchors: Vec<String>,
    /// Unsafe URLs that were neutralised, and raw HTML when the settings ask
    /// for a finding, with line and column; the caller fills in the file.
    pub findings: Vec<Diagnostic>,
    /// The body's plain text by section, for the search index.
    pub sections: Vec<Section>,
    /// Ids of the glossary terms the body links to, automatically or by
    /// hand, in page order (for "Used on").
    pub glossary_terms: Vec<String>,
}

/// An event with the byte range of the source it came from. Passes keep
/// the range so headings and links can report file positions.
type Ev<'t> = (Event<'t>, Range<usize>);

/// What the passes share: the caller's options, positions, and the
/// result being filled in.
struct Page<'p> {
    text: &'p str,
    options: &'p Options<'p>,
    lines: text::LineIndex,
    out: Rendered,
}

impl Page<'_> {
    /// File line and column of a byte offset into the body.
    fn position(&self, offset: usize) -> (u32, u32) {
        self.lines.position(self.text, offset)
    }

    /// Report a finding at a file line and column.
    fn report(&mut self, finding: Diagnostic, line: u32, column: u32) {
        self.out.findings.push(finding.at("", line).column(column));
    }
}

fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_HEADING_ATTRIBUTES
        | O::ENABLE_SMART_PUNCTUATION
        | O::ENABLE_GFM
}

/// Render a page body. Never panics, whatever the text.
pub fn render(text: &str, options: &Options) -> Rendered {
    // MkDocs-style admonitions become GFM alerts first, line for line.
    let rewritten = admonitions::rewrite(text);
    let (text, admonitions) = match &rewritten {
        Some((text, found)) => (text.as_str(), Some(found)),
        None => (text, None),
    };
    let mut page =
        Page { text, options, lines: text::LineIndex::new(text, options.first_line), out: Rendered::default() };
    let events: Vec<Ev> = Parser::new_ext(text, parser_options()).into_offset_iter().collect();

    // The order matters where noted.
    // Links first: it sees every destination as written, and raw HTML
    // before any pass adds HTML of its own (footnote hrefs must not be
    // resolved). It also collects raw-HTML ids, which heading ids avoid.
    // Bare URLs become links before links are resolved, so they are asked about like any other.
    let events = autolinks::link(events);
    let events = links::resolve(events, &mut page);
    // Footnotes before headings, so heading ids avoid footnote ids too.
    let events = footnotes::number(events, &mut page);
    let events = a11y::heading_levels(events, &mut page);
    let events = headings::assign_ids(events, &mut page);
    page.out.sections = plain::sections(&events, &page.out.headings);
    // Glossary terms after links are resolved, so the links it adds are not
    // taken for body links to check, and while headings, links and code are
    // still marked by their Start/End events (images are already single
    // InlineHtml events, their alt text an attribute).
    let events = glossary::link(events, &mut page);
    let zero_based = admonitions.map(|_| text::LineIndex::new(text, 0));
    let marker_line = |offset: usize| zero_based.as_ref().map_or(0, |lines| lines.position(text, offset).0 as usize);
    let events = callouts::convert(events, admonitions, marker_line);
    let events = quotes::attribute(events);
    let events = tables::wrap(events, &page.out.headings);
    let events = a11y::fix(events);

    let mut html = String::with_capacity(text.len() + text.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(event, _)| event));
    page.out.html = html;
    page.out
}

/// The plain text of the first paragraph of `text` (a glossary
/// definition's short form, for the pop-up where the term is used).
pub fn first_paragraph(text: &str) -> String {
    let mut out = String::new();
    let mut in_paragraph = false;
    for event in Parser::new_ext(text, parser_options()) {
        match event {
            Event::Start(pulldown_cmark::Tag::Paragraph) => in_paragraph = true,
            Event::End(pulldown_cmark::TagEnd::Paragraph) if in_paragraph => break,
            Event::Text(t) | Event::Code(t) if in_paragraph => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests;
