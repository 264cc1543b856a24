//! The search index of the example handbook, read the way copbook.js reads
//! it: find a word's shard in `search/index.json`, its stem's postings in
//! the shard, each result's fragment in `search/p/`.

mod support;
use serde_json::Value;
use std::path::Path;
use support::*;

struct Index {
    dir: std::path::PathBuf,
    _tmp: tempfile::TempDir,
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

impl Index {
    fn of_example() -> Index {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let o = copbook(&[
            "build",
            example().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--base-url",
            "/",
            "--today",
            "2026-11-23",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        Index { dir: out.join("search"), _tmp: tmp }
    }

    /// Page ids and weights for one folded word, best first.
    fn lookup(&self, word: &str) -> Vec<(u64, u64)> {
        let meta = json(&self.dir.join("index.json"));
        let shards: Vec<&str> = meta["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        let n = shards.partition_point(|first| *first <= word).saturating_sub(1);
        let shard = json(&self.dir.join(format!("s/{n}.json")));
        let Some(stem) = shard["w"][word].as_u64() else { return Vec::new() };
        let flat: Vec<u64> =
            shard["p"][stem as usize].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        let mut id = 0;
        let mut hits: Vec<(u64, u64)> = flat
            .chunks(2)
            .map(|pair| {
                id += pair[0];
                (id, pair[1])
            })
            .collect();
        hits.sort_by_key(|&(id, w)| (std::cmp::Reverse(w), id));
        hits
    }

    fn fragment(&self, id: u64) -> Value {
        json(&self.dir.join(format!("p/{}.json", id / 8)))[(id % 8) as usize].clone()
    }

    fn urls(&self, word: &str) -> Vec<String> {
        self.lookup(word).iter().map(|&(id, _)| self.fragment(id)["u"].as_str().unwrap().to_string()).collect()
    }
}

#[test]
fn every_word_of_a_body_is_found_with_stems_and_ranks() {
    let index = Index::of_example();
    // Only in the body text of one community page.
    assert_eq!(index.urls("isolation"), ["/communities/development/"]);
    // "standard" finds every standard, whichever form each page uses.
    let found = index.urls("standard");
    let standards: Vec<String> = std::fs::read_dir(example().join("standards"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".md").map(String::from))
        .filter(|stem| stem != "index")
        .collect();
    assert!(standards.len() >= 8);
    for s in &standards {
        assert!(
            found.iter().any(|u| u.ends_with(&format!("/standards/{s}/"))),
            "{s} not found for 'standard': {found:?}"
        );
    }
    assert_eq!(index.urls("standards"), found, "one stem, one list");
    // An abbreviation ranks its own entry first; a title hit beats body hits.
    assert_eq!(index.urls("dod")[0], "/glossary/#definition-of-done");
    assert_eq!(index.urls("wcag")[0], "/glossary/#wcag");
    assert!(!index.urls("voiceover").is_empty(), "a word inside a body");
}

#[test]
fn fragments_carry_title_kind_and_text_by_heading_anchor() {
    let index = Index::of_example();
    let (id, _) = index.lookup("isolation")[0];
    let f = index.fragment(id);
    assert_eq!(f["t"], "Development");
    assert_eq!(f["k"], "community");
    let blocks = f["b"].as_array().unwrap();
    let purpose = blocks.iter().find(|b| b[0] == "purpose").expect("a block under the Purpose heading");
    assert_eq!(purpose[1], "Purpose");
    assert!(purpose[2].as_str().unwrap().contains("isolation"));
    // Shards start in ascending order, so a word's shard is found by its first word.
    let meta = json(&index.dir.join("index.json"));
    let firsts: Vec<&str> = meta["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{firsts:?}");
    // Every page is a result but the 404 and search pages.
    let urls: Vec<String> =
        (0..meta["pages"].as_u64().unwrap()).map(|id| index.fragment(id)["u"].as_str().unwrap().to_string()).collect();
    assert!(urls.iter().any(|u| u == "/communities/development/"));
    assert!(urls.iter().any(|u| u == "/glossary/#wcag"));
    assert!(!urls.iter().any(|u| u == "/search/" || u == "/404.html"), "{urls:?}");
}

#[test]
fn pages_link_the_theme_favicon_and_the_footer_links_search_not_sitemap_xml() {
    let index = Index::of_example();
    let site = index.dir.parent().unwrap();
    assert!(std::fs::read(site.join("assets/favicon.svg")).unwrap().starts_with(b"<svg"));
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains(r#"<link rel="icon" href="/assets/favicon.svg""#), "no favicon link");
    assert!(home.contains(r#"<li><a href="/search/">Search</a></li>"#), "no Search link in the footer");
    assert!(!home.contains("sitemap.xml\">"), "the footer links raw XML");
    // The 404 page has one search box: its own, not the header's too.
    let missing = std::fs::read_to_string(site.join("404.html")).unwrap();
    assert_eq!(missing.matches("role=\"search\"").count(), 1);
}
