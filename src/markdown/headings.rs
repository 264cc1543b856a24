//! Headings pass: strip the leading H1, give every heading a unique id, and
//! record headings for the table of contents and anchor checks.
//!
//! Heading events stay `Start(Heading)`/`End(Heading)` with the id filled
//! in, so pulldown-cmark writes `<h2 id="x">Text</h2>` (plus any classes
//! and attributes from `{#id .class}`) and later passes still see headings.
//! There is no self-link inside the heading: the TOC links to sections, and
//! a link inside the heading would be read out as part of its text.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::text::plain_text;
use super::{Ev, Heading, Page};

pub(super) fn assign_ids<'t>(mut events: Vec<Ev<'t>>, page: &mut Page) -> Vec<Ev<'t>> {
    if page.options.strip_leading_h1 {
        strip_leading_h1(&mut events, page);
    }

    // Ids already taken: raw HTML and footnote ids (found by earlier passes)
    // and every custom `{#id}`, even one further down the page, so an
    // automatic id never takes a name the author chose.
    let mut taken: HashSet<String> = page.out.anchors.iter().cloned().collect();
    for (event, _) in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            if !id.is_empty() {
                taken.insert(id.to_string());
            }
        }
    }
    let mut next_suffix: HashMap<String, u32> = HashMap::new();
    let rule = page.options.heading_ids;
    let separator = rule.repeat_separator();
    // The title's `<h1>` comes first in the page. In a handbook from another
    // generator it was the body's first heading and took its id before the
    // rest; in copbook's own, the body's ids stay as they always were.
    let title_first = rule != super::SlugRule::Copbook;
    if let Some(title) = page.options.title.filter(|_| title_first) {
        page.out.title_id = Some(unique(rule.slug(title), separator, &mut taken, &mut next_suffix));
    }

    let mut i = 0;
    while i < events.len() {
        if !matches!(events[i].0, Event::Start(Tag::Heading { .. })) {
            i += 1;
            continue;
        }
        let end = heading_end(&events, i);
        let text = plain_text(events.get(i + 1..end).unwrap_or(&[]));
        let line = page.position(events[i].1.start).0;
        if let (Event::Start(Tag::Heading { level, id, .. }), _) = &mut events[i] {
            let final_id = match id {
                Some(custom) if !custom.is_empty() => custom.to_string(),
                _ => unique(rule.slug(&text), separator, &mut taken, &mut next_suffix),
            };
            *id = Some(final_id.clone().into());
            if page.out.first_heading.is_none() {
                page.out.first_heading = Some(text.clone());
            }
            page.out.anchors.push(final_id.clone());
            page.out.headings.push(Heading { level: level_number(*level), id: final_id, text, line });
        }
        i = end + 1;
    }
    if let Some(title) = page.options.title.filter(|_| !title_first) {
        page.out.title_id = Some(unique(rule.slug(title), separator, &mut taken, &mut next_suffix));
    }
    page.out.anchors.extend(page.out.title_id.clone());
    events
}

/// Remove an H1 that is the very first block, keeping its text as the title.
fn strip_leading_h1(events: &mut Vec<Ev>, page: &mut Page) {
    if !matches!(events.first(), Some((Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }), _))) {
        return;
    }
    let end = heading_end(events, 0);
    let text = plain_text(events.get(1..end).unwrap_or(&[]));
    events.drain(..=end.min(events.len() - 1));
    page.out.first_heading = Some(text.clone());
    page.out.leading_h1 = Some(text);
}

/// Index of the End event of the heading starting at `start` (headings do
/// not nest), or the last index if the list is somehow cut short.
fn heading_end(events: &[Ev], start: usize) -> usize {
    events
        .iter()
        .skip(start + 1)
        .position(|(event, _)| matches!(event, Event::End(TagEnd::Heading(_))))
        .map_or(events.len().saturating_sub(1), |p| p + start + 1)
}

/// `base`, or `base-1`, `base-2`... (with `separator`) whichever is free first.
fn unique(
    base: String,
    separator: char,
    taken: &mut HashSet<String>,
    next_suffix: &mut HashMap<String, u32>,
) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    let suffix = next_suffix.entry(base.clone()).or_insert(1);
    loop {
        let candidate = format!("{base}{separator}{suffix}");
        *suffix += 1;
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{render_plain, render_with_options};

    #[test]
    fn ids_are_slugs_unique_and_custom_ids_win() {
        let text =
            "## Overview\n\n## Overview\n\n### *Overview*\n\n## Later {#overview-1 .wide}\n\n## Step 2: `plan`\n";
        let out = render_plain(text);
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        // The custom id further down still keeps "overview-1" for itself.
        assert_eq!(ids, ["overview", "overview-2", "overview-3", "overview-1", "step-2-plan"]);
        assert!(out.html.contains("<h2 id=\"overview\">Overview</h2>"), "{}", out.html);
        assert!(out.html.contains("<h3 id=\"overview-3\"><em>Overview</em></h3>"), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"overview-1\" class=\"wide\">Later</h2>"), "{}", out.html);
        assert_eq!(out.headings[4].text, "Step 2: plan");
        assert_eq!(out.headings[2].level, 3);
        assert_eq!(out.anchors, ids);
        // An empty custom id falls back to the slug.
        assert_eq!(render_plain("## Empty {#}\n").headings[0].id, "empty");
    }

    #[test]
    fn heading_ids_avoid_raw_html_and_footnote_ids() {
        let out = render_plain("<div id=\"usage\"></div>\n\n## Usage\n\n## Fn 1\n\nx[^1]\n\n[^1]: n\n");
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["usage-1", "fn-1-1"]);
    }

    #[test]
    fn heading_lines_are_file_lines() {
        let out = render_with_options("Intro\n\n## A\n\nText\nB\n-\n", 7, false);
        let lines: Vec<_> = out.headings.iter().map(|h| (h.text.as_str(), h.line)).collect();
        assert_eq!(lines, [("A", 9), ("Text B", 11)]);
    }

    #[test]
    fn leading_h1_is_stripped_and_reported() {
        let out = render_with_options("# The *Title*\n\nBody.\n\n## Part\n", 1, true);
        assert_eq!(out.leading_h1.as_deref(), Some("The Title"));
        assert_eq!(out.first_heading.as_deref(), Some("The Title"));
        assert_eq!(out.html, "<p>Body.</p>\n<h2 id=\"part\">Part</h2>\n");
        assert_eq!(out.headings.len(), 1);
        assert_eq!(out.anchors, ["part"]);
        // Setext H1 counts as well.
        let out = render_with_options("Title\n=====\nBody.\n", 1, true);
        assert_eq!(out.leading_h1.as_deref(), Some("Title"));
        assert_eq!(out.html, "<p>Body.</p>\n");
    }

    #[test]
    fn h1_not_first_is_kept() {
        let out = render_with_options("Intro.\n\n# Title\n", 1, true);
        assert_eq!(out.leading_h1, None);
        assert_eq!(out.first_heading.as_deref(), Some("Title"));
        assert!(out.html.contains("<h1 id=\"title\">Title</h1>"), "{}", out.html);
        // Not asked to strip: kept even when first.
        let out = render_with_options("# Title\n", 1, false);
        assert_eq!(out.leading_h1, None);
        assert_eq!(out.html, "<h1 id=\"title\">Title</h1>\n");
        // A leading H2 is not a title.
        let out = render_with_options("## Sub\n\n# Title\n", 1, true);
        assert_eq!(out.leading_h1, None);
        assert_eq!(out.first_heading.as_deref(), Some("Sub"));
    }
}
