//! Links between pages after Markdown: broken links and anchors become
//! warnings with file and line, and every link is recorded as a backlink.

use crate::diag::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::markdown::LinkKind;
use crate::model::links::Located;
use crate::model::{self, Handbook};
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::Body;

/// Broken links and anchors are warnings with file and line; every link
/// between pages is recorded as a backlink of its target.
pub(super) fn check(h: &Handbook, bodies: &[Option<&Body>], diags: &mut Diagnostics) -> Vec<Vec<usize>> {
    let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); h.pages.len()];
    // Entries without a page of their own (terms; people when person pages
    // are off) are anchors on the page their URL names.
    let mut entries: HashMap<usize, Vec<&str>> = HashMap::new();
    for p in h.pages.iter().filter(|p| !p.has_own_page()) {
        if let (Some(&home), Some(anchor)) = (h.urls.get(p.url.split('#').next().unwrap_or("")), p.anchor()) {
            entries.entry(home).or_default().push(anchor);
        }
    }
    // Each page's anchors are collected once, when a link first names one
    // of them: collecting them per link made many anchored links quadratic.
    let anchor_sets: Vec<OnceCell<Anchors>> = (0..h.pages.len()).map(|_| OnceCell::new()).collect();
    let anchors_of = |i: usize| -> &Anchors {
        anchor_sets[i].get_or_init(|| {
            let own = bodies[i].map(|b| b.rendered.anchors.as_slice()).unwrap_or_default();
            Anchors::new(own.iter().map(String::as_str).chain(entries.get(&i).into_iter().flatten().copied()))
        })
    };
    for (i, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let page = &h.pages[i];
        for (link, located) in body.rendered.links.iter().zip(&body.located) {
            let what = if link.kind == LinkKind::Image { "image" } else { "link" };
            diags.0.extend(missing_alt(link, page));
            match located.clone() {
                Located::Broken => diags.push(
                    Diagnostic::warning(
                        if link.kind == LinkKind::Image { Code::MissingAsset } else { Code::BrokenLink },
                        format!("{what} '{}' resolves to no page or file", link.target),
                    )
                    .at(&page.source, link.line)
                    .column(link.column)
                    .hint("check the path: links are relative to this file, like ../standards/captions.md"),
                ),
                Located::SamePage(anchor) if !anchor.is_empty() && !anchors_of(i).has(&anchor) => diags.push(
                    Diagnostic::warning(Code::BrokenAnchor, format!("'#{anchor}' is not a heading on this page"))
                        .at(&page.source, link.line)
                        .column(link.column)
                        .maybe_hint(anchors_of(i).suggest(&anchor)),
                ),
                Located::Page { index, anchor } => {
                    let target = &h.pages[index];
                    let own_anchor = target.anchor().map(str::to_string);
                    if let Some(anchor) = anchor.filter(|a| Some(a) != own_anchor.as_ref()) {
                        let anchor_page = if target.has_own_page() {
                            index
                        } else {
                            h.urls.get(target.url.split('#').next().unwrap_or("")).copied().unwrap_or(index)
                        };
                        if !anchors_of(anchor_page).has(&anchor) {
                            diags.push(
                                Diagnostic::warning(
                                    Code::BrokenAnchor,
                                    format!("'#{anchor}' is not a heading in {}", describe(target)),
                                )
                                .at(&page.source, link.line)
                                .column(link.column)
                                .maybe_hint(anchors_of(anchor_page).suggest(&anchor)),
                            );
                        }
                    }
                    // Pages are visited in order, so a repeat is the last entry.
                    if index != i && backlinks[index].last() != Some(&i) {
                        backlinks[index].push(i);
                    }
                }
                _ => {}
            }
        }
    }
    backlinks
}

/// An image with empty alt text, which screen readers cannot describe.
fn missing_alt(link: &crate::markdown::Link, page: &model::Page) -> Option<Diagnostic> {
    link.alt.as_deref().filter(|alt| alt.trim().is_empty())?;
    Some(
        Diagnostic::warning(Code::ImageNoAlt, format!("image '{}' has no alt text", link.target))
            .at(&page.source, link.line)
            .column(link.column)
            .hint("describe what the image shows for people who cannot see it: ![A chart of sessions per month](chart.png)"),
    )
}

fn describe(page: &model::Page) -> String {
    if page.source.is_empty() {
        page.url.clone()
    } else {
        page.source.clone()
    }
}

/// "Did you mean" compares a broken anchor with a bounded number of the
/// page's anchors, so that a page with thousands of anchors and thousands of
/// broken links stays linear: up to this many that start with what the link
/// wrote, and for each length within 2 of it, this many neighbours on each
/// side in alphabetical order and in the order of the reversed text (a typo
/// near the end or near the start keeps one of those orders close).
const SUGGEST_FROM: usize = 8;
/// Longer anchors get no suggestion: comparing them costs their length squared.
const SUGGEST_MAX_LEN: usize = 100;

/// A page's anchors: the set links are checked against, and an index for
/// suggestions, built when the first broken anchor on the page asks for one.
struct Anchors<'a> {
    set: HashSet<&'a str>,
    index: OnceCell<SuggestIndex<'a>>,
}

/// Anchors as sorted (key, anchor) lists, keys lowercased.
type Sorted<'a> = Vec<(String, &'a str)>;

struct SuggestIndex<'a> {
    by_text: Sorted<'a>,
    /// By length in characters: keyed by the text, and by the reversed text.
    by_length: BTreeMap<usize, (Sorted<'a>, Sorted<'a>)>,
}

impl<'a> Anchors<'a> {
    fn new(anchors: impl Iterator<Item = &'a str>) -> Self {
        Anchors { set: anchors.collect(), index: OnceCell::new() }
    }

    /// Whether a link's (decoded) anchor leads to one of them. Some ids are
    /// percent-encoded (MkDocs' `uslugify_encoded`): a browser finds those
    /// from the anchor as written, or from its UTF-8 encoding.
    fn has(&self, anchor: &str) -> bool {
        self.set.contains(anchor)
            || (!anchor.is_ascii() && self.set.contains(crate::text::percent_encode(anchor).as_str()))
    }

    /// A close anchor of this page for a link's `wanted`, as a hint.
    fn suggest(&self, wanted: &str) -> Option<String> {
        let lower = wanted.to_lowercase();
        if lower.len() > SUGGEST_MAX_LEN {
            return None;
        }
        let index = self.index.get_or_init(|| self.index());
        let first = index.by_text.partition_point(|(text, _)| text.as_str() < lower.as_str());
        let starting =
            index.by_text[first..].iter().take_while(|(text, _)| text.starts_with(&lower)).take(SUGGEST_FROM);
        let reversed: String = lower.chars().rev().collect();
        let length = lower.chars().count();
        // Nearest lengths first: on equal distance the first found wins.
        let lengths = [0, -1, 1, -2, 2].map(|d: isize| length.checked_add_signed(d));
        let near = lengths
            .into_iter()
            .flatten()
            .filter_map(|l| index.by_length.get(&l))
            .flat_map(|(forward, backward)| neighbours(forward, &lower).chain(neighbours(backward, &reversed)));
        did_you_mean(wanted, starting.chain(near).map(|(_, anchor)| *anchor))
    }

    fn index(&self) -> SuggestIndex<'a> {
        let mut by_text: Sorted = self.set.iter().map(|a| (a.to_lowercase(), *a)).collect();
        by_text.sort_unstable();
        let mut by_length: BTreeMap<usize, (Sorted, Sorted)> = BTreeMap::new();
        for (text, anchor) in &by_text {
            let (forward, backward) = by_length.entry(text.chars().count()).or_default();
            forward.push((text.clone(), anchor));
            backward.push((text.chars().rev().collect(), anchor));
        }
        for (_, backward) in by_length.values_mut() {
            backward.sort_unstable();
        }
        SuggestIndex { by_text, by_length }
    }
}

/// The entries of `sorted` nearest to `key`, [`SUGGEST_FROM`] on each side.
fn neighbours<'s, 'a>(sorted: &'s Sorted<'a>, key: &str) -> impl Iterator<Item = &'s (String, &'a str)> {
    let at = sorted.partition_point(|(text, _)| text.as_str() < key);
    sorted[at.saturating_sub(SUGGEST_FROM)..(at + SUGGEST_FROM).min(sorted.len())].iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_close_anchor_among_many() {
        let names: Vec<String> = (0..10_000).map(|i| format!("heading-{i}")).collect();
        let anchors = Anchors::new(names.iter().map(String::as_str).chain(["getting-started", "why-we-review"]));
        assert_eq!(anchors.suggest("getting-startd").as_deref(), Some("did you mean 'getting-started'?"));
        assert_eq!(anchors.suggest("Why-We-Review").as_deref(), Some("did you mean 'why-we-review'?"));
        assert_eq!(anchors.suggest("why").as_deref(), Some("did you mean 'why-we-review'?"));
        // Among thousands alike, a typo at either end still finds its anchor.
        assert_eq!(anchors.suggest("headin-5000").as_deref(), Some("did you mean 'heading-5000'?"));
        assert_eq!(anchors.suggest("heading-50000").as_deref(), Some("did you mean 'heading-5000'?"));
        // A typo in the middle: one of the ten anchors one edit away.
        let hint = anchors.suggest("heading-7x77").unwrap();
        assert!(hint.starts_with("did you mean 'heading-7") && hint.ends_with("77'?") && hint.len() == 28, "{hint}");
        assert_eq!(anchors.suggest("something-else-entirely"), None);
    }

    /// A page with `n` headings and `n` links to anchors it lacks.
    fn broken_anchors(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let body: String = (0..n).map(|i| format!("## Heading {i}\n\n[to {i}](#missing-{i})\n\n")).collect();
        std::fs::write(dir.path().join("handbook.toml"), "title = \"Anchors\"\n").unwrap();
        std::fs::write(dir.path().join("index.md"), format!("# Home\n\n{body}")).unwrap();
        dir
    }

    /// How long checking takes, best of `runs`; it must find `n` of `code`.
    fn check_time(dir: &tempfile::TempDir, code: &str, n: usize, runs: usize) -> std::time::Duration {
        let options = super::super::Options { root: dir.path().to_path_buf(), ..Default::default() };
        (0..runs)
            .map(|_| {
                let t = std::time::Instant::now();
                let (_, diags) = super::super::build(&options);
                assert_eq!(diags.iter().filter(|d| d.code == code).count(), n);
                t.elapsed()
            })
            .min()
            .unwrap()
    }

    #[test]
    fn broken_anchors_are_checked_in_linear_time() {
        let n = 1_500;
        let (few, many) = (broken_anchors(n), broken_anchors(4 * n));
        let (t1, t4) = (check_time(&few, "broken-anchor", n, 3), check_time(&many, "broken-anchor", 4 * n, 3));
        // Linear is about 4 times; quadratic would be about 16.
        assert!(t4 < t1 * 10, "{n} broken anchors: {t1:?}, {}: {t4:?}", 4 * n);
    }

    /// A page with `n` broken links on one line.
    fn broken_links_on_one_line(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let line: Vec<String> = (0..n).map(|i| format!("[link {i}](missing-{i}.md)")).collect();
        std::fs::write(dir.path().join("handbook.toml"), "title = \"Links\"\n").unwrap();
        std::fs::write(dir.path().join("index.md"), format!("# Home\n\nSee {}.\n", line.join(" "))).unwrap();
        dir
    }

    #[test]
    fn broken_links_on_one_line_are_found_in_linear_time() {
        // Large enough that a search per link (pairing links with answers,
        // counting a column from the start of the line) dominates.
        let n = 8_000;
        let (few, many) = (broken_links_on_one_line(n), broken_links_on_one_line(4 * n));
        let (t1, t4) = (check_time(&few, "broken-link", n, 2), check_time(&many, "broken-link", 4 * n, 2));
        assert!(t4 < t1 * 10, "{n} broken links: {t1:?}, {}: {t4:?}", 4 * n);
    }
}
