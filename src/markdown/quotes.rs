//! Quotes with an attribution become a figure:
//! `<figure class="quote"><blockquote>…</blockquote><figcaption>Name</figcaption></figure>`.
//!
//! The attribution is the last paragraph of a plain blockquote (not a
//! callout) when it starts with a dash ("— Name", "– Name", "-- Name"), or
//! is entirely `Name, Role (Month YYYY)`, bold or not. Authors often put
//! the attribution on the quote's last line without a blank `>` line
//! between, so the last line of the last paragraph counts too.
//!
//! Decisions are made on the whole event list with a start/end table
//! rather than a stack of buffers, so deeply nested quotes cost no
//! recursion and no copying.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::text::{partners, plain_text};
use super::Ev;

/// Longer text is a paragraph of the quote, not an attribution.
const MAX_ATTRIBUTION_CHARS: usize = 300;

/// One attributed quote: where the figure opens, where the caption starts
/// (the last paragraph's start, or the line break before its last line),
/// and where the blockquote ends.
struct Figure {
    open: usize,
    caption_at: usize,
    split: bool,
    close: usize,
}

pub(super) fn attribute<'t>(events: Vec<Ev<'t>>) -> Vec<Ev<'t>> {
    if !events.iter().any(|(e, _)| matches!(e, Event::Start(Tag::BlockQuote(None)))) {
        return events;
    }
    let figures = find_figures(&events);
    if figures.is_empty() {
        return events;
    }
    // Figures are found in order of `open`; inner quotes open after outer
    // ones but their captions come first, hence two cursors.
    let mut opens: Vec<usize> = figures.iter().map(|f| f.open).collect();
    opens.reverse();
    let mut captions: Vec<&Figure> = figures.iter().collect();
    captions.sort_by_key(|f| std::cmp::Reverse(f.caption_at));

    let mut out = Vec::with_capacity(events.len() + 4 * figures.len());
    let mut iter = events.into_iter().enumerate();
    while let Some((index, (event, range))) = iter.next() {
        if opens.last() == Some(&index) {
            opens.pop();
            out.push((Event::Html("<figure class=\"quote\">\n".into()), range.clone()));
            out.push((event, range));
            continue;
        }
        let Some(figure) = captions.last().filter(|f| f.caption_at == index) else {
            out.push((event, range));
            continue;
        };
        let (split, close) = (figure.split, figure.close);
        captions.pop();
        if split {
            out.push((Event::End(TagEnd::Paragraph), range.clone()));
        }
        out.push((Event::End(TagEnd::BlockQuote(None)), range.clone()));
        out.push((Event::Html("<figcaption>".into()), range.clone()));
        // The caption's inlines run up to the paragraph end at close - 1.
        let mut caption = Vec::new();
        for (i, ev) in iter.by_ref() {
            if i + 1 >= close {
                break;
            }
            caption.push(ev);
        }
        let _blockquote_end = iter.next();
        out.extend(clean_caption(caption));
        out.push((Event::Html("</figcaption>\n</figure>\n".into()), range));
    }
    out
}

fn find_figures(events: &[Ev]) -> Vec<Figure> {
    let partner = partners(events);
    let mut figures = Vec::new();
    for (open, (event, _)) in events.iter().enumerate() {
        if !matches!(event, Event::Start(Tag::BlockQuote(None))) {
            continue;
        }
        let close = partner[open];
        let para_end = close.saturating_sub(1);
        if close <= open + 1 || !matches!(events[para_end].0, Event::End(TagEnd::Paragraph)) {
            continue;
        }
        let para_start = partner[para_end];
        let inlines = events.get(para_start + 1..para_end).unwrap_or(&[]);
        // The whole last paragraph, if something comes before it.
        if para_start > open + 1 && is_attribution(inlines) {
            figures.push(Figure { open, caption_at: para_start, split: false, close });
            continue;
        }
        // Or its last line, if there is text before it.
        if let Some(brk) = last_line_break(inlines) {
            if brk > 0 && is_attribution(&inlines[brk + 1..]) {
                let caption_at = para_start + 1 + brk;
                figures.push(Figure { open, caption_at, split: true, close });
            }
        }
    }
    figures
}

/// Index of the last line break at the paragraph's own level (not inside
/// emphasis or a link, which cannot be split).
fn last_line_break(inlines: &[Ev]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, (event, _)) in inlines.iter().enumerate().rev() {
        match event {
            Event::End(_) => depth += 1,
            Event::Start(_) => depth = depth.saturating_sub(1),
            Event::SoftBreak | Event::HardBreak if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn is_attribution(inlines: &[Ev]) -> bool {
    let text = plain_text(inlines);
    if text.chars().count() > MAX_ATTRIBUTION_CHARS {
        return false;
    }
    match strip_dash(&text) {
        Some(rest) => !rest.trim().is_empty(),
        None => is_name_role_date(&text),
    }
}

/// The text after a leading dash, if it starts with one. Smart punctuation
/// turns "--" into "–" and "---" into "—"; the rest are typed directly.
fn strip_dash(text: &str) -> Option<&str> {
    ["—", "―", "–", "--"].iter().find_map(|dash| text.strip_prefix(dash))
}

/// `Name, Role (Month YYYY)`: a comma, then a month name and a four-digit
/// year in parentheses at the very end.
fn is_name_role_date(text: &str) -> bool {
    let Some(body) = text.strip_suffix(')') else {
        return false;
    };
    let Some((before, date)) = body.rsplit_once('(') else {
        return false;
    };
    let mut words = date.split_whitespace();
    let (Some(month), Some(year), None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    before.contains(',') && is_month(month) && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
}

fn is_month(word: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.').to_lowercase();
    // Full names, three-letter abbreviations, and the common "Sept".
    word == "sept" || MONTHS.iter().any(|m| *m == word || (word.len() == 3 && m.starts_with(&word)))
}

/// Drop markup wrapping the whole caption (styling is the theme's job) and
/// the leading dash with the space after it.
fn clean_caption(mut caption: Vec<Ev>) -> Vec<Ev> {
    while caption.len() >= 2
        && matches!(caption[0].0, Event::Start(Tag::Strong | Tag::Emphasis))
        && partners(&caption)[0] == caption.len() - 1
    {
        caption.pop();
        caption.remove(0);
    }
    let mut dash_done = false;
    for (event, _) in caption.iter_mut() {
        match event {
            Event::Text(text) => {
                let rest = if dash_done { text.as_ref() } else { strip_dash(text).unwrap_or(text) };
                let rest = rest.trim_start();
                dash_done = true;
                let done = !rest.is_empty();
                if rest.len() != text.len() {
                    *text = rest.to_string().into();
                }
                if done {
                    break;
                }
            }
            Event::Start(_) | Event::End(_) => {}
            _ => break,
        }
    }
    caption
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_plain;
    use super::*;

    const FIGURE_OPEN: &str = "<figure class=\"quote\">\n<blockquote>\n";

    #[test]
    fn dash_attribution_in_own_paragraph() {
        for dash in ["—", "–", "--", "---", "―"] {
            let out = render_plain(&format!("> Write for *people*.\n>\n> {dash} Amira Haddad, Content designer\n"));
            assert_eq!(
                out.html,
                format!(
                    "{FIGURE_OPEN}<p>Write for <em>people</em>.</p>\n</blockquote>\n<figcaption>Amira Haddad, Content designer</figcaption>\n</figure>\n"
                ),
                "dash {dash}"
            );
        }
    }

    #[test]
    fn name_role_date_attribution_bold_or_plain() {
        for last in ["**Jo Bloggs, Head of Content (March 2022)**", "Jo Bloggs, Head of Content (March 2022)"] {
            let out = render_plain(&format!("> First.\n>\n> Second.\n>\n> {last}\n"));
            assert_eq!(
                out.html,
                format!(
                    "{FIGURE_OPEN}<p>First.</p>\n<p>Second.</p>\n</blockquote>\n<figcaption>Jo Bloggs, Head of Content (March 2022)</figcaption>\n</figure>\n"
                )
            );
        }
    }

    #[test]
    fn attribution_on_last_line_of_quote() {
        let out = render_plain("> Keep it simple.\n> — Amira Haddad, Content designer (March 2026)\n");
        assert_eq!(
            out.html,
            format!(
                "{FIGURE_OPEN}<p>Keep it simple.</p>\n</blockquote>\n<figcaption>Amira Haddad, Content designer (March 2026)</figcaption>\n</figure>\n"
            )
        );
        let out = render_plain("> Keep it simple.\n> *Jo, Lead (Sept 2024)*\n");
        assert!(out.html.contains("<figcaption>Jo, Lead (Sept 2024)</figcaption>"), "{}", out.html);
    }

    #[test]
    fn ordinary_quotes_stay_blockquotes() {
        for text in [
            "> Just a quote.\n",
            "> — Only an attribution, nothing quoted\n",
            "> One.\n>\n> Two, three (maybe 2022)\n",
            "> One.\n>\n> No comma (March 2022)\n",
            "> A dash-led line\n> in the middle\n> of a quote.\n",
            "> [!NOTE]\n> Text.\n>\n> — Someone\n",
        ] {
            let out = render_plain(text);
            assert!(!out.html.contains("<figure"), "{text:?} gave {}", out.html);
        }
        let out = render_plain("> Just a quote.\n");
        assert_eq!(out.html, "<blockquote>\n<p>Just a quote.</p>\n</blockquote>\n");
    }

    #[test]
    fn nested_quotes_each_get_their_own_figure() {
        let text = "> Outer.\n>\n> > Inner.\n> >\n> > — Inner Author, Role\n>\n> — Outer Author, Role\n";
        let out = render_plain(text);
        assert_eq!(
            out.html,
            format!(
                "{FIGURE_OPEN}<p>Outer.</p>\n{FIGURE_OPEN}<p>Inner.</p>\n</blockquote>\n<figcaption>Inner Author, Role</figcaption>\n</figure>\n</blockquote>\n<figcaption>Outer Author, Role</figcaption>\n</figure>\n"
            )
        );
        // Inner attributed, outer not, and a quote inside a list.
        let out = render_plain("> > Inner.\n> > — Someone\n>\n> Outer end.\n\n- > Listed.\n  > — Lister\n");
        assert_eq!(out.html.matches("<figure").count(), 2, "{}", out.html);
        assert!(out.html.contains("</figure>\n<p>Outer end.</p>\n</blockquote>"), "{}", out.html);
    }

    #[test]
    fn month_names() {
        assert!(is_month("March") && is_month("mar") && is_month("Sept") && is_month("dec."));
        assert!(!is_month("Ma") && !is_month("Marchy") && !is_month("Spring"));
    }
}
