//! The full-text search index, written as small files so that a reader's
//! browser fetches only what a query needs:
//!
//! - `search/index.json`: the page count and the first word of each shard
//!   (a few KB even at 10,000 pages). Loaded when the search box gets focus.
//! - `search/s/N.json`: one shard of the dictionary. Words are sorted and cut
//!   into shards of about [`SHARD_BYTES`]; each word points at the postings
//!   of its stem (`"w": {word: n}`, `"p": [[page delta, weight, ...], ...]`),
//!   so "standard" finds the pages that say "standards". A query fetches one
//!   shard per word.
//! - `search/p/N.json`: for pages 8N to 8N+7, each page's title, URL, kind,
//!   section and text by heading, fetched for the results shown, to build
//!   snippets and to link a heading hit to its anchor.
//!
//! The text is what the Markdown stage already extracted
//! ([`Rendered::sections`]), so nothing re-reads the HTML.

use super::files::Emit;
use crate::markdown::Rendered;
use crate::model::{Generated, Handbook, Kind, Page};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use unicode_normalization::UnicodeNormalization;

/// About how many bytes of JSON one dictionary shard holds before the next
/// one starts. A word with more postings than this gets a shard of its own.
const SHARD_BYTES: usize = 48 * 1024;
/// Longest word indexed, in bytes: longer "words" are hashes and URLs.
const MAX_WORD: usize = 40;
/// How much of a section's text, and of a page's, its fragment carries for
/// snippets: enough to show a passage, not the whole page again.
const SECTION_CHARS: usize = 600;
const FRAGMENT_CHARS: usize = 4_000;

/// Fragments per file: page `id` is item `id % 8` of `search/p/{id / 8}.json`.
/// Fewer files write much faster; a result list of 8 still fetches little.
const FRAGMENTS_PER_FILE: usize = 8;

/// Where a word occurs on a page, from strongest to weakest.
const ABBREVIATION: u8 = 24;
const TITLE: u8 = 12;
const HEADING: u8 = 5;
const BODY: u8 = 1;

/// Lowercase, and accents removed (NFD, then combining marks U+0300–U+036F
/// dropped), exactly as copbook.js folds a query.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return Cow::Borrowed(word);
    }
    if word.is_ascii() {
        return Cow::Owned(word.to_ascii_lowercase());
    }
    Cow::Owned(word.nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).flat_map(char::to_lowercase).collect())
}

/// The words of a text: runs of letters and digits, folded.
pub fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && w.len() <= MAX_WORD).map(fold)
}

/// The snowball stemmer for the handbook's language; `None` (exact words)
/// for a language without one.
fn stemmer(language: &str) -> Option<rust_stemmers::Stemmer> {
    use rust_stemmers::Algorithm::*;
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "en" => English,
        "fr" => French,
        "de" => German,
        "es" => Spanish,
        "it" => Italian,
        "pt" => Portuguese,
        "nl" => Dutch,
        "sv" => Swedish,
        "nb" | "nn" | "no" => Norwegian,
        "da" => Danish,
        "fi" => Finnish,
        "ru" => Russian,
        "hu" => Hungarian,
        "ro" => Romanian,
        "tr" => Turkish,
        "el" => Greek,
        "ar" => Arabic,
        "ta" => Tamil,
        _ => return None,
    };
    Some(rust_stemmers::Stemmer::create(algorithm))
}

/// Whether a page is a search result: everything but the 404 and search pages.
fn indexed(p: &Page) -> bool {
    !matches!(p.kind, Kind::Generated(Generated::NotFound | Generated::Search))
}

/// Most of indexing is counting words in hash tables. std's SipHash, built
/// to resist chosen keys (which a build does not face), took most of that
/// time; xxh3 through the `Hasher` trait streams each short word through its
/// buffered state. foldhash's fixed-seed hasher is built for short keys.
type WordMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// One page's part of the index: its words with their weights, and its
/// fragment. Made page by page, so that `serve` can keep a page's part while
/// the page and the handbook's shape hold, and only join them after an edit.
pub struct PageIndex {
    /// The page's words one after another, in one allocation (not one per word).
    text: String,
    /// Where each word ends in `text`, and its weight.
    ends: Vec<(u32, u8)>,
    fragment: Vec<u8>,
}

impl PageIndex {
    fn words(&self) -> impl Iterator<Item = (&str, u8)> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(end, weight)| {
            let word = &self.text[start..end as usize];
            start = end as usize;
            (word, weight)
        })
    }
}

/// The part of the index of page `i` of the handbook, whose rendered body is
/// `body`; `None` for a page that is no search result (the 404 and search pages).
pub fn index_page(h: &Handbook, i: usize, body: Option<&Rendered>) -> Option<PageIndex> {
    let p = h.pages.get(i)?;
    index_part(p, &Around::of(h, p), body)
}

/// What a page's part of the index reads of the handbook besides the page
/// and its body, so that `serve` can key the part by it.
#[derive(Hash)]
pub struct Around<'a> {
    /// The title of the page's section, shown with each result.
    section: Option<&'a str>,
    /// The page's address under the base URL.
    href: String,
}

impl<'a> Around<'a> {
    pub fn of(h: &'a Handbook, p: &Page) -> Self {
        let section = p.parent.and_then(|i| h.pages.get(i)).filter(|s| s.parent.is_some()).map(|s| s.title.as_str());
        Around { section, href: h.href(&p.url) }
    }
}

/// [`index_page`] of page `p`, with what it reads of the handbook.
pub fn index_part(p: &Page, around: &Around, body: Option<&Rendered>) -> Option<PageIndex> {
    indexed(p).then(|| index_one(p, around, body))
}

fn index_one<'a>(p: &'a Page, around: &Around, body: Option<&'a Rendered>) -> PageIndex {
    // word -> (strongest place, times seen)
    let mut seen: WordMap<Cow<'a, str>, (u8, u8)> = WordMap::default();
    let mut add = |text: &'a str, weight: u8| {
        for w in words(text) {
            let e = seen.entry(w).or_insert((0, 0));
            e.0 = e.0.max(weight);
            e.1 = e.1.saturating_add(1);
        }
    };
    add(&p.title, TITLE);
    // What the page is ("Standard", "Glossary term"): "standard" finds every standard.
    add(super::context::kind_title(p), HEADING);
    let mut blocks: Vec<Value> = Vec::new();
    let mut extra = Vec::new();
    if let Some(t) = p.term() {
        for alias in &t.aliases {
            add(alias, TITLE);
        }
        if let Some(abbr) = &t.abbreviation {
            add(abbr, ABBREVIATION);
            extra.push(abbr.as_str());
        }
        extra.extend(t.aliases.iter().map(String::as_str));
    }
    if let Some(c) = p.community() {
        extra.extend(c.summary.as_deref());
        extra.extend(c.meets.as_deref());
        extra.extend(c.formats.iter().map(String::as_str));
    }
    if let Some(person) = p.person() {
        extra.extend(person.role.as_deref());
        extra.extend(person.team.as_deref());
    }
    extra.extend(p.description.as_deref());
    for text in &extra {
        add(text, BODY);
    }
    let lead = extra.join(" · ");
    if !lead.is_empty() {
        blocks.push(json!(["", "", lead]));
    }
    let mut budget = FRAGMENT_CHARS;
    if let Some(body) = body.filter(|_| !matches!(p.kind, Kind::Generated(_))) {
        for section in &body.sections {
            let heading = section.heading.and_then(|i| body.headings.get(i));
            if let Some(heading) = heading {
                add(&heading.text, HEADING);
            }
            add(&section.text, BODY);
            let text: String = section.text.trim().chars().take(budget.min(SECTION_CHARS)).collect();
            budget = budget.saturating_sub(text.chars().count());
            if let Some(heading) = heading {
                blocks.push(json!([heading.id, heading.text, text]));
            } else if !text.is_empty() {
                blocks.push(json!(["", "", text]));
            }
        }
    }
    let mut text = String::new();
    let mut ends = Vec::with_capacity(seen.len());
    for (w, (place, n)) in seen {
        text.push_str(&w);
        ends.push((text.len() as u32, place.saturating_add(n.min(5) - 1)));
    }
    let fragment = json!({
        "t": p.title,
        "u": around.href,
        "k": super::context::kind_name(p),
        "s": around.section,
        "b": blocks,
    });
    PageIndex { text, ends, fragment: serde_json::to_vec(&fragment).unwrap_or_default() }
}

/// The parts of the index of every page, by page index (see [`index_page`]).
pub fn index_pages(h: &Handbook, bodies: &[Option<&Rendered>]) -> Vec<Option<PageIndex>> {
    (0..h.pages.len()).into_par_iter().map(|i| index_page(h, i, bodies.get(i).copied().flatten())).collect()
}

/// The files of the search index, from the parts of the pages that are
/// search results, in page order, each handed to `emit` as soon as it is
/// made: at 10,000 pages the shards and fragments are tens of MB, never
/// held all at once. The dictionary goes first, so that its tables are
/// dropped before the fragments are joined.
/// `language` (handbook.toml's) chooses the stemmer.
pub fn index(language: &str, done: &[&PageIndex], emit: Emit) {
    dictionary(done, language, emit);
    fragments(done, emit);
}

/// The folder the index is written to.
pub const FOLDER: &str = "search/";

/// The dictionary's shards (`search/s/N.json`), then `search/index.json`,
/// which names each shard's first word.
fn dictionary(done: &[&PageIndex], language: &str, emit: Emit) {
    let (stem_of_word, postings) = postings(done, language);

    // Cut the sorted words into shards of about SHARD_BYTES.
    let mut shards = 0;
    let mut firsts: Vec<&str> = Vec::new();
    let mut shard_words: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shard_stems: Vec<usize> = Vec::new();
    let mut local: HashMap<usize, usize> = HashMap::new();
    let mut size = 0;
    let mut flush = |words: &mut BTreeMap<&str, usize>, stems: &mut Vec<usize>| {
        let lists: Vec<Vec<u32>> = stems
            .iter()
            .map(|&s| {
                let mut flat = Vec::with_capacity(postings[s].len() * 2);
                let mut prev = 0;
                for &(id, w) in &postings[s] {
                    flat.push(id - prev);
                    flat.push(u32::from(w));
                    prev = id;
                }
                flat
            })
            .collect();
        let shard = json!({ "w": words, "p": lists });
        emit(format!("search/s/{shards}.json"), serde_json::to_vec(&shard).unwrap_or_default());
        shards += 1;
        words.clear();
        stems.clear();
    };
    let mut sorted: Vec<(&str, usize)> = stem_of_word.into_iter().collect();
    sorted.sort_unstable();
    for (word, stem) in sorted {
        let cost = word.len() + 6 + if local.contains_key(&stem) { 0 } else { postings[stem].len() * 5 };
        if size > 0 && size + cost > SHARD_BYTES {
            flush(&mut shard_words, &mut shard_stems);
            local.clear();
            size = 0;
        }
        if size == 0 {
            firsts.push(word);
        }
        let n = *local.entry(stem).or_insert_with(|| {
            shard_stems.push(stem);
            shard_stems.len() - 1
        });
        shard_words.insert(word, n);
        size += cost;
    }
    if size > 0 {
        flush(&mut shard_words, &mut shard_stems);
    }
    let meta = json!({ "v": 1, "pages": done.len(), "shards": firsts });
    emit("search/index.json".to_string(), serde_json::to_vec(&meta).unwrap_or_default());
}

/// Each word's stem number, and each stem's postings (page id, weight) in page order.
#[allow(clippy::type_complexity)]
fn postings<'a>(done: &[&'a PageIndex], language: &str) -> (WordMap<&'a str, usize>, Vec<Vec<(u32, u8)>>) {
    let stemmer = stemmer(language);
    let mut stem_of_word: WordMap<&str, usize> = WordMap::default();
    let mut stems: WordMap<String, usize> = WordMap::default();
    let mut postings: Vec<Vec<(u32, u8)>> = Vec::new();
    for (id, page) in done.iter().enumerate() {
        for (word, weight) in page.words() {
            let stem = match stem_of_word.get(word) {
                Some(&s) => s,
                None => {
                    let stem = stemmer.as_ref().map_or_else(|| word.to_string(), |s| s.stem(word).into_owned());
                    let next = stems.len();
                    let s = *stems.entry(stem).or_insert(next);
                    if s == postings.len() {
                        postings.push(Vec::new());
                    }
                    stem_of_word.insert(word, s);
                    s
                }
            };
            let list = &mut postings[stem];
            match list.last_mut() {
                Some(last) if last.0 == id as u32 => last.1 = last.1.max(weight),
                _ => list.push((id as u32, weight)),
            }
        }
    }
    (stem_of_word, postings)
}

/// The pages' fragments, FRAGMENTS_PER_FILE to a file as one JSON array:
/// creating files is most of the cost of writing the index.
fn fragments(done: &[&PageIndex], emit: Emit) {
    for (n, chunk) in done.chunks(FRAGMENTS_PER_FILE).enumerate() {
        let mut json = Vec::with_capacity(chunk.iter().map(|page| page.fragment.len() + 1).sum::<usize>() + 1);
        json.push(b'[');
        for (i, page) in chunk.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.extend_from_slice(&page.fragment);
        }
        json.push(b']');
        emit(format!("search/p/{n}.json"), json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_the_script() {
        assert_eq!(fold("Café"), "cafe");
        assert_eq!(fold("WCAG"), "wcag");
        assert_eq!(fold("Ünïcödé"), "unicode");
        let w: Vec<String> = words("VoiceOver, screen-readers: don't!").map(Cow::into_owned).collect();
        assert_eq!(w, ["voiceover", "screen", "readers", "don", "t"]);
    }

    #[test]
    fn english_stems_and_unknown_languages_do_not() {
        let en = stemmer("en-GB").unwrap();
        assert_eq!(en.stem("standards"), en.stem("standard"));
        assert!(stemmer("xx").is_none());
    }
}
