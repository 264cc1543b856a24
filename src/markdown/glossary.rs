//! Glossary terms explained in place: the first use on a page of a term,
//! one of its aliases or its abbreviation becomes a link to its entry on
//! the glossary page, with the definition in a pop-up the theme shows on
//! hover and keyboard focus (`aria-describedby` names it for screen
//! readers; without JavaScript it stays hidden and the term is a plain link).
//!
//! Matching is one Aho–Corasick automaton over every name, so a body costs
//! time linear in its length however many terms there are. Names match
//! whole words only; terms and aliases ignore case, abbreviations do not
//! ("DoD", not "dod"); where names overlap the longest wins ("user
//! research" before "research"). Text inside code, links, headings, image
//! alt text and raw HTML is never linked.
//!
//! The pop-up holds a short form of the definition ([`pop_up_text`]), and
//! each entry's markup is escaped once for the whole site ([`Markup`]), not
//! once per link: a glossary-heavy handbook links thousands of times.
//! Definitions on the glossary page link other terms too, as plain links
//! ([`Style::Plain`]): the entry they name is on the same page.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::text::{escape_href, escape_html};
use super::{Ev, Page};

/// One glossary term as linking sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The term's id (for "Used on" and findings).
    pub id: String,
    /// Where its entry is, as written in the page (base URL included).
    pub href: String,
    /// The term and its aliases: matched ignoring case.
    pub names: Vec<String>,
    /// Matched exactly, and with a plural `s` ("CoPs").
    pub abbreviation: Option<String>,
    /// Plain text shown in the pop-up ([`pop_up_text`] of the definition).
    pub definition: String,
}

/// The most characters a pop-up shows: a sentence of about three lines of
/// its box on a phone. The entry, a click away, holds the whole definition.
pub const POP_UP_CHARS: usize = 200;

/// What a pop-up shows of a definition's first paragraph: its first
/// sentence, cut after a whole word (marked with "…") if it is still longer
/// than [`POP_UP_CHARS`].
pub fn pop_up_text(paragraph: &str) -> String {
    let sentence = first_sentence(paragraph.trim());
    if sentence.chars().count() <= POP_UP_CHARS {
        return sentence.to_string();
    }
    let cut = sentence.char_indices().nth(POP_UP_CHARS).map_or(sentence.len(), |(at, _)| at);
    let head = &sentence[..cut];
    // Cut between words, unless one word fills the whole allowance.
    let head = head.rfind(char::is_whitespace).map_or(head, |at| &head[..at]);
    format!("{}…", head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—(".contains(c)))
}

/// The text up to the first full stop, question or exclamation mark that
/// ends a sentence: followed by a space and a capital or a digit, and not
/// after an abbreviation ("e.g.", "Dr.", an initial).
fn first_sentence(text: &str) -> &str {
    const TITLES: [&str; 8] = ["Dr", "Mr", "Mrs", "Ms", "St", "vs", "cf", "No"];
    for (at, c) in text.char_indices().filter(|(_, c)| matches!(c, '.' | '!' | '?')) {
        let end = at + c.len_utf8();
        let rest = &text[end..];
        let next_sentence = rest.starts_with(char::is_whitespace)
            && rest.trim_start().starts_with(|c: char| c.is_uppercase() || c.is_numeric());
        let word = text[..at].rsplit(char::is_whitespace).next().unwrap_or_default();
        let abbreviation = c == '.' && (word.contains('.') || word.chars().count() == 1 || TITLES.contains(&word));
        if next_sentence && !abbreviation {
            return &text[..end];
        }
    }
    text
}

/// How a name found in a body is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// A link with the definition in a pop-up (pages).
    PopUp,
    /// A link alone (definitions on the glossary page, where the entry it
    /// names is on the same page, and where a pop-up's id would repeat
    /// from one definition to the next).
    Plain,
}

/// An entry's markup, escaped once for every link to it.
#[derive(Debug)]
struct Markup {
    /// `<a class="glossary-term" href="..."`, open for more attributes.
    open: String,
    /// `glossary-tip-<slug>`: the pop-up's id, before it is made unique in a body.
    tip_id: String,
    /// The pop-up's text, escaped.
    tip_text: String,
}

impl Markup {
    fn of(entry: &Entry) -> Self {
        let mut open = String::from("<a class=\"glossary-term\" href=\"");
        escape_href(&mut open, &entry.href);
        open.push('"');
        let mut tip_text = String::new();
        escape_html(&mut tip_text, &entry.definition);
        Markup { open, tip_id: format!("glossary-tip-{}", crate::text::slugify(&entry.id)), tip_text }
    }
}

/// What the automaton's pattern `n` stands for.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    entry: usize,
    /// An abbreviation: the text must equal the pattern byte for byte.
    exact: bool,
}

/// Every term, ready to match.
pub struct Glossary {
    entries: Vec<Entry>,
    /// Each entry's markup, in the order of `entries`.
    markup: Vec<Markup>,
    names: AhoCorasick,
    patterns: Vec<Pattern>,
    /// Each pattern's text, for the exact comparison of abbreviations.
    texts: Vec<String>,
    /// The first word of every name, for [`Glossary::candidates`].
    first_words: AhoCorasick,
    first_word_entry: Vec<usize>,
}

/// The forms of a name the automaton holds. It folds ASCII case itself;
/// for other letters the lower-case, upper-case and capitalised forms stand
/// in for full case folding ("Équipe", "équipe", "ÉQUIPE").
fn case_forms(name: &str) -> Vec<String> {
    let mut forms = vec![name.to_string()];
    if !name.is_ascii() {
        let lower = name.to_lowercase();
        let mut chars = lower.chars();
        let capitalised: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        forms.extend([lower, name.to_uppercase(), capitalised]);
        forms.sort();
        forms.dedup();
    }
    forms
}

fn automaton(patterns: &[String]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(patterns)
        // Only a pattern set too large for memory fails; a handbook's terms are far from it.
        .unwrap_or_else(|_| AhoCorasick::new(Vec::<String>::new()).expect("an empty automaton"))
}

impl Glossary {
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        let mut first_words = Vec::new();
        let mut first_word_entry = Vec::new();
        for (n, e) in entries.iter().enumerate() {
            let names = e.names.iter().map(|name| (name.trim().to_string(), false));
            let abbreviations =
                e.abbreviation.iter().flat_map(|a| [(a.trim().to_string(), true), (format!("{}s", a.trim()), true)]);
            for (name, exact) in names.chain(abbreviations) {
                if name.is_empty() || name == "s" {
                    continue;
                }
                let forms = if exact { vec![name.clone()] } else { case_forms(&name) };
                for form in forms {
                    let first = form.split_whitespace().next().unwrap_or(&form).to_string();
                    first_words.push(first);
                    first_word_entry.push(n);
                    texts.push(form);
                    patterns.push(Pattern { entry: n, exact });
                }
            }
        }
        Glossary {
            markup: entries.iter().map(Markup::of).collect(),
            names: automaton(&texts),
            first_words: automaton(&first_words),
            entries,
            patterns,
            texts,
            first_word_entry,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries a body written as `text` may link: those with a name
    /// whose first word occurs in it. Only these are linked, so a body's
    /// result depends on these entries alone, and a cache may key it by them.
    /// (The first word, not the whole name: the Markdown may break a line
    /// between the words of a name.)
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .first_words
            .find_overlapping_iter(text)
            .map(|m| self.first_word_entry[m.pattern().as_usize()])
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// What one body links against: the glossary, which of its entries the
/// body may use ([`Glossary::candidates`] of its text), and how.
#[derive(Clone, Copy)]
pub struct Linking<'a> {
    pub glossary: &'a Glossary,
    pub candidates: &'a [usize],
    pub style: Style,
}

/// The pass: links the first use of each term in the body's text.
pub(super) fn link<'t>(events: Vec<Ev<'t>>, page: &mut Page) -> Vec<Ev<'t>> {
    let Some(linking) = page.options.glossary.filter(|l| !l.candidates.is_empty()) else {
        return events;
    };
    let mut state = State::new(linking);
    let mut out = Vec::with_capacity(events.len());
    // Inside code blocks, headings, links and raw HTML nothing is linked.
    let mut shielded = 0usize;
    let mut inline_html = 0usize;
    let mut run: Vec<Ev<'t>> = Vec::new();
    for (event, range) in events {
        let joins_run = matches!(event, Event::Text(_) | Event::SoftBreak) && shielded == 0 && inline_html == 0;
        if joins_run {
            run.push((event, range));
            continue;
        }
        state.flush(&mut run, &mut out, page);
        match &event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                // A term linked by hand is used: it is not linked again.
                state.linked_by_hand(dest_url);
                shielded += 1;
            }
            Event::Start(
                Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) | Tag::Image { .. },
            ) => shielded += 1,
            Event::End(
                TagEnd::Link
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_)
                | TagEnd::Image,
            ) => shielded = shielded.saturating_sub(1),
            Event::InlineHtml(html) => inline_html = inline_html_depth(inline_html, html),
            Event::End(TagEnd::Paragraph) => inline_html = 0,
            _ => {}
        }
        out.push((event, range));
    }
    state.flush(&mut run, &mut out, page);
    page.out.glossary_terms = state.used.iter().map(|&e| linking.glossary.entries[e].id.clone()).collect();
    out
}

/// How many raw inline elements are open after `html`: text between
/// `<kbd>` and `</kbd>`, `<a href>` and `</a>`... is the author's markup.
fn inline_html_depth(depth: usize, html: &str) -> usize {
    let tag = html.trim();
    const VOID: [&str; 6] = ["br", "img", "hr", "input", "wbr", "source"];
    if tag.starts_with("</") {
        depth.saturating_sub(1)
    } else if let Some(rest) = tag.strip_prefix('<') {
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let opens = !name.is_empty() && !tag.ends_with("/>") && !VOID.contains(&name.as_str());
        depth + usize::from(opens)
    } else {
        depth
    }
}

/// One name found in the text.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    entry: usize,
}

struct State<'a> {
    linking: Linking<'a>,
    allowed: HashSet<usize>,
    /// Entries linked so far (by hand or here), in page order.
    used: Vec<usize>,
    done: HashSet<usize>,
    /// The body's ids, gathered when the first link needs one.
    ids: Option<HashSet<String>>,
}

impl<'a> State<'a> {
    fn new(linking: Linking<'a>) -> Self {
        State {
            linking,
            allowed: linking.candidates.iter().copied().collect(),
            used: Vec::new(),
            done: HashSet::new(),
            ids: None,
        }
    }

    fn mark_used(&mut self, entry: usize) {
        if self.done.insert(entry) {
            self.used.push(entry);
        }
    }

    fn linked_by_hand(&mut self, href: &str) {
        let entries = &self.linking.glossary.entries;
        if let Some(&e) = self.linking.candidates.iter().find(|&&e| entries[e].href == href) {
            self.mark_used(e);
        }
    }

    /// The names in `text` that are linked: whole words, case as the name
    /// asks, longest first where they overlap, one per entry.
    fn find(&self, text: &str) -> Vec<Found> {
        let glossary = self.linking.glossary;
        let mut found: Vec<Found> = glossary
            .names
            .find_overlapping_iter(text)
            .filter_map(|m| {
                let pattern = glossary.patterns[m.pattern().as_usize()];
                let (start, end) = (m.start(), m.end());
                let ok = self.allowed.contains(&pattern.entry)
                    && is_word_boundary(text, start)
                    && is_word_boundary(text, end)
                    && (!pattern.exact
                        || text.get(start..end) == Some(glossary.texts[m.pattern().as_usize()].as_str()));
                ok.then_some(Found { start, end, entry: pattern.entry })
            })
            .collect();
        // Leftmost, then longest; equal spans go to the entry with the
        // smaller id, whatever the entries' order.
        let entries = &glossary.entries;
        found.sort_by(|a, b| {
            (a.start, std::cmp::Reverse(a.end), &entries[a.entry].id).cmp(&(
                b.start,
                std::cmp::Reverse(b.end),
                &entries[b.entry].id,
            ))
        });
        let mut chosen: Vec<Found> = Vec::new();
        for f in found {
            if chosen.last().is_none_or(|last| f.start >= last.end) {
                chosen.push(f);
            }
        }
        chosen
    }

    /// An id no other element of the body has.
    fn unique_id(&mut self, page: &mut Page, wanted: &str) -> String {
        let ids = self.ids.get_or_insert_with(|| page.out.anchors.iter().cloned().collect());
        let mut id = wanted.to_string();
        let mut n = 1;
        while ids.contains(&id) {
            n += 1;
            id = format!("{wanted}-{n}");
        }
        ids.insert(id.clone());
        page.out.anchors.push(id.clone());
        id
    }

    /// Emits a run of text and soft breaks, with its first uses linked.
    fn flush<'t>(&mut self, run: &mut Vec<Ev<'t>>, out: &mut Vec<Ev<'t>>, page: &mut Page) {
        if run.is_empty() {
            return;
        }
        // The run's text with each soft break as a space, so a name may
        // span a line break of the Markdown.
        let mut text = String::new();
        for (event, _) in run.iter() {
            match event {
                Event::Text(t) => text.push_str(t),
                _ => text.push(' '),
            }
        }
        let mut links: Vec<Found> = Vec::new();
        for f in self.find(&text) {
            if self.done.contains(&f.entry) {
                continue;
            }
            self.mark_used(f.entry);
            links.push(f);
        }
        if links.is_empty() {
            out.append(run);
            return;
        }
        let range = run.first().map(|(_, r)| r.start).unwrap_or(0)..run.last().map(|(_, r)| r.end).unwrap_or(0);
        // Where the soft breaks were, to put them back.
        let mut breaks = Vec::new();
        let mut at = 0;
        for (event, _) in run.drain(..) {
            match event {
                Event::Text(t) => at += t.len(),
                _ => {
                    breaks.push(at);
                    at += 1;
                }
            }
        }
        let plain = |out: &mut Vec<Ev<'t>>, from: usize, to: usize| {
            let mut start = from;
            for &b in breaks.iter().filter(|&&b| b >= from && b < to) {
                if b > start {
                    out.push((Event::Text(CowStr::from(text[start..b].to_string())), range.clone()));
                }
                out.push((Event::SoftBreak, range.clone()));
                start = b + 1;
            }
            if to > start {
                out.push((Event::Text(CowStr::from(text[start..to].to_string())), range.clone()));
            }
        };
        let glossary = self.linking.glossary;
        let mut from = 0;
        for f in links {
            plain(out, from, f.start);
            let markup = &glossary.markup[f.entry];
            let (open, close) = match self.linking.style {
                Style::PopUp => {
                    let tip = self.unique_id(page, &markup.tip_id);
                    pop_up_html(markup, &tip)
                }
                Style::Plain => (format!("{}>", markup.open), "</a>".to_string()),
            };
            out.push((Event::InlineHtml(open.into()), range.clone()));
            out.push((Event::Text(CowStr::from(text[f.start..f.end].to_string())), range.clone()));
            out.push((Event::InlineHtml(close.into()), range.clone()));
            from = f.end;
        }
        plain(out, from, text.len());
    }
}

/// `at` does not split a word: letters, digits and `_` on both sides.
fn is_word_boundary(text: &str, at: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    !(before.is_some_and(word) && after.is_some_and(word))
}

/// The markup around a linked name: the link, then the pop-up it describes
/// itself by, hidden until the theme's script shows it. `tip` is the
/// pop-up's id (a slug, so it needs no escaping).
fn pop_up_html(markup: &Markup, tip: &str) -> (String, String) {
    const REF: &str = "<span class=\"glossary-ref\">";
    let mut open = String::with_capacity(REF.len() + markup.open.len() + tip.len() + 24);
    open.push_str(REF);
    open.push_str(&markup.open);
    open.push_str(" aria-describedby=\"");
    open.push_str(tip);
    open.push_str("\">");
    const TIP: &str = "</a><span class=\"glossary-tip\" role=\"tooltip\" id=\"";
    let mut close = String::with_capacity(TIP.len() + tip.len() + markup.tip_text.len() + 24);
    close.push_str(TIP);
    close.push_str(tip);
    close.push_str("\" hidden>");
    close.push_str(&markup.tip_text);
    close.push_str("</span></span>");
    (open, close)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{render, Options, Rendered, Resolution};

    fn entry(id: &str, names: &[&str], abbreviation: Option<&str>) -> Entry {
        Entry {
            id: id.into(),
            href: format!("/base/glossary/#{id}"),
            names: names.iter().map(|n| n.to_string()).collect(),
            abbreviation: abbreviation.map(Into::into),
            definition: format!("Meaning of {id} <&>."),
        }
    }

    fn glossary() -> Glossary {
        Glossary::new(vec![
            entry("research", &["research"], None),
            entry("user-research", &["user research", "usability research"], None),
            entry("definition-of-done", &["Definition of done"], Some("DoD")),
            entry("minimum-viable-product", &["Minimum viable product"], Some("MVP")),
            entry("equipe", &["Équipe"], None),
        ])
    }

    fn resolve(target: &str, _: crate::markdown::LinkKind) -> Resolution {
        if target.starts_with('/') {
            Resolution::Rewrite(format!("/base{target}"))
        } else {
            Resolution::Keep
        }
    }

    /// Options that link no terms.
    fn plain_options() -> Options<'static> {
        Options {
            first_line: 1,
            resolve: &resolve,
            strip_leading_h1: false,
            raw_html: crate::config::RawHtml::Allow,
            heading_ids: Default::default(),
            title: None,
            glossary: None,
        }
    }

    /// Renders `text`, linking the entries of `g` listed in `candidates`.
    fn linked_with(text: &str, g: &Glossary, candidates: &[usize]) -> Rendered {
        let linking = Linking { glossary: g, candidates, style: Style::PopUp };
        render(text, &Options { glossary: Some(linking), ..plain_options() })
    }

    fn linked(text: &str) -> Rendered {
        let g = glossary();
        let all: Vec<usize> = (0..g.entries().len()).collect();
        linked_with(text, &g, &all)
    }

    /// The texts of the term links, in order, with their targets' ids.
    fn links(text: &str) -> Vec<(String, String)> {
        let html = linked(text).html;
        html.split("<a class=\"glossary-term\" href=\"/base/glossary/#")
            .skip(1)
            .map(|rest| {
                let id = rest.split('"').next().unwrap_or_default().to_string();
                let text =
                    rest.split_once("\">").map(|(_, t)| t.split("</a>").next().unwrap_or_default()).unwrap_or_default();
                (text.to_string(), id)
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_longest_name_wins() {
        assert_eq!(links("Our user research plan."), pairs(&[("user research", "user-research")]));
        // The shorter term is still found elsewhere.
        assert_eq!(
            links("Research first, then user research."),
            pairs(&[("Research", "research"), ("user research", "user-research")])
        );
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(links("Researchers and preresearch and research_x."), pairs(&[]));
        // A longer name that is not a whole word does not hide a shorter one.
        assert_eq!(links("user researchers do research."), pairs(&[("research", "research")]));
        assert_eq!(links("(research), research's"), pairs(&[("research", "research")]));
    }

    #[test]
    fn terms_ignore_case_and_abbreviations_do_not() {
        assert_eq!(links("USER RESEARCH"), pairs(&[("USER RESEARCH", "user-research")]));
        assert_eq!(links("our équipe"), pairs(&[("équipe", "equipe")]));
        assert_eq!(links("ÉQUIPE"), pairs(&[("ÉQUIPE", "equipe")]));
        assert_eq!(links("dod and Dod and DOD"), pairs(&[]));
        assert_eq!(links("mvp, then the DoD."), pairs(&[("DoD", "definition-of-done")]));
        assert_eq!(links("Two MVPs."), pairs(&[("MVPs", "minimum-viable-product")]));
    }

    #[test]
    fn only_the_first_use_of_each_term_and_its_other_names() {
        assert_eq!(
            links("The DoD, the DoD again, and the definition of done.\n\nDoD in a new paragraph."),
            pairs(&[("DoD", "definition-of-done")])
        );
        let r = linked("usability research, then user research, then MVP and MVP.");
        assert_eq!(r.glossary_terms, ["user-research", "minimum-viable-product"]);
        assert_eq!(r.html.matches("role=\"tooltip\"").count(), 2, "{}", r.html);
    }

    #[test]
    fn a_name_across_a_line_break_is_found_and_the_break_kept() {
        let r = linked("Our user\nresearch, and more\ntext.");
        assert!(r.html.contains(">user research</a>"), "{}", r.html);
        assert!(r.html.contains("more\ntext."), "{}", r.html);
    }

    #[test]
    fn never_inside_code_links_headings_alt_text_or_raw_html() {
        let text = "# Research\n\n`research` and [research](/x/) and ![research](r.png)\n\n\
                    ```\nresearch\n```\n\n<div>\nresearch\n</div>\n\n<kbd>research</kbd> <a href=\"/y/\">research</a>\n";
        let r = linked(text);
        assert!(!r.html.contains("glossary-term"), "{}", r.html);
        assert!(r.html.contains("alt=\"research\""), "{}", r.html);
        // After all of them, plain text is linked.
        let r = linked(&format!("{text}\nThen research."));
        assert_eq!(r.html.matches("glossary-term").count(), 1, "{}", r.html);
        assert!(r.html.contains("Then <span class=\"glossary-ref\">"), "{}", r.html);
    }

    #[test]
    fn a_term_linked_by_hand_is_not_linked_again_and_counts_as_used() {
        let r = linked("See [the MVP](/glossary/#minimum-viable-product). The MVP again.");
        assert!(!r.html.contains("glossary-term"), "{}", r.html);
        assert_eq!(r.glossary_terms, ["minimum-viable-product"]);
    }

    #[test]
    fn only_candidates_are_linked() {
        // The own entry of a term, or a term whose name the text lacks, is not a candidate.
        let g = glossary();
        let r = linked_with("research and the MVP", &g, &[3]);
        assert_eq!(r.glossary_terms, ["minimum-viable-product"]);
        assert!(linked_with("research", &g, &[]).html.contains("<p>research</p>"));
        assert_eq!(g.candidates("Some User\nResearch here"), [0, 1]);
        assert_eq!(g.candidates("nothing"), Vec::<usize>::new());
    }

    #[test]
    fn the_pop_up_is_escaped_named_and_unique() {
        let r = linked("<p id=\"glossary-tip-research\">x</p>\n\nresearch");
        let html = &r.html;
        assert!(html.contains("aria-describedby=\"glossary-tip-research-2\""), "{html}");
        assert!(
            html.contains("id=\"glossary-tip-research-2\" hidden>Meaning of research &lt;&amp;&gt;.</span>"),
            "{html}"
        );
        assert!(r.anchors.contains(&"glossary-tip-research-2".to_string()));
    }

    #[test]
    fn the_pop_up_shows_the_first_sentence() {
        assert_eq!(pop_up_text("A session. It lasts an hour."), "A session.");
        assert_eq!(pop_up_text("Is it done? Ask the team!"), "Is it done?");
        assert_eq!(pop_up_text(" One sentence only "), "One sentence only");
        // Abbreviations and initials end no sentence; a lower-case word after a stop starts none.
        assert_eq!(
            pop_up_text("Tools, e.g. Figma, as Dr. Ng and J. Doe say. See v2. etc. More."),
            "Tools, e.g. Figma, as Dr. Ng and J. Doe say."
        );
        assert_eq!(pop_up_text("Version 2.1 of it. Then more."), "Version 2.1 of it.");
    }

    #[test]
    fn a_long_first_sentence_is_cut_after_a_whole_word() {
        let sentence = format!("{} and the rest.", "équipe, ".repeat(40));
        let text = pop_up_text(&sentence);
        assert!(text.ends_with("équipe…"), "{text}");
        assert!(text.chars().count() <= POP_UP_CHARS + 1, "{}", text.chars().count());
        assert!(sentence.starts_with(text.trim_end_matches('…')));
        // One word longer than the allowance is cut where the allowance ends.
        assert_eq!(pop_up_text(&"x".repeat(300)).chars().count(), POP_UP_CHARS + 1);
    }

    #[test]
    fn the_plain_style_links_without_a_pop_up() {
        let g = glossary();
        let linking = Linking { glossary: &g, candidates: &[0, 3], style: Style::Plain };
        let options = Options { glossary: Some(linking), ..plain_options() };
        let r = render("research and the MVP, research again", &options);
        assert_eq!(
            r.html,
            "<p><a class=\"glossary-term\" href=\"/base/glossary/#research\">research</a> and the \
             <a class=\"glossary-term\" href=\"/base/glossary/#minimum-viable-product\">MVP</a>, research again</p>\n"
        );
        assert_eq!(r.glossary_terms, ["research", "minimum-viable-product"]);
        assert!(r.anchors.is_empty(), "{:?}", r.anchors);
    }

    #[test]
    fn many_terms_and_a_long_text_stay_fast() {
        // 2,000 terms and 200,000 words: linear, well under a second.
        let entries = (0..2000).map(|n| entry(&format!("t{n}"), &[&format!("word{n} thing")], None)).collect();
        let g = Glossary::new(entries);
        let text = "word1 thing word7 other ".repeat(50_000);
        let candidates = g.candidates(&text);
        let started = std::time::Instant::now();
        let r = linked_with(&text, &g, &candidates);
        assert_eq!(r.glossary_terms, ["t1"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    }
}
