//! Partial rebuilds cannot go stale: a fixture handbook takes sequences of
//! random edits, and after each one the site from the long-lived `Builder`
//! (what `serve` uses) must equal, byte for byte, a fresh full build of the
//! same files — and so must the findings.
//!
//! CI runs a fixed set of seeds; `COPBOOK_SEEDS=200` runs more locally.
//!
//! The steps' keys are derived from their inputs structs (`src/site/memo.rs`),
//! so a step cannot read what its key leaves out; what can still go wrong is
//! a summary key or a constant one. To see that this test bites, plant one
//! of these and run `cargo test --test incremental`; each fails within the
//! CI seeds (checked when they were written):
//! - `Shape` in `src/site/mod.rs` without `config` (`Json(())`), with empty
//!   `backlinks`, or with no `definitions`;
//! - the page step keyed without its sidebar (hash the `PageJob` fields but `nav`);
//! - a constant key: `key_of` in `src/site/memo.rs` returning 0, or the
//!   theme's `Keyed { key: 0, .. }`;
//! - a field left out of `Page::hash_shape` in `src/model/mod.rs` (`title`);
//! - `BodyJob`'s `heading_ids` or `title` kept out of its hash (wrapped in a
//!   type whose `Hash` does nothing): the MkDocs handbook's run fails, as
//!   its edits change the `toc` slugify and the titles nav gives.
//!
//! - `BodyJob`'s glossary terms hashed as nothing (`Terms`' `Hash` in
//!   `src/site/glossary.rs` writing nothing), or `Shape` without `term_uses`.
//!
//! A new input must be an edit here too: add one to [`edit`] for each new
//! kind of file or setting a page reads.
//!
//! The paths each edit returns go to `Builder::forget` as the watcher's
//! would, so a load that trusts them instead of walking the folder (and the
//! model's pages kept per document) is checked here too: leaving a new page
//! out of the patched listing (`src/load/listing.rs`) fails it.

mod support;

use copbook::site::{Builder, Content, Options};
use std::collections::BTreeMap;
use std::path::Path;

/// A small, deterministic random number generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] =
    &["crit", "session", "review", "standard", "lean coffee", "accessible", "plain", "owner", "draft"];

fn start_files() -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |p: &str, t: &str| {
        f.insert(p.to_string(), t.to_string());
    };
    put("handbook.toml", "title = \"Fixture handbook\"\nbase_url = \"/hb/\"\nleads_as_of = \"2026-01\"\n");
    put("index.md", "# Home\n\nWelcome. See [standards](standards/index.md) and [the glossary](glossary/crit.md).\n");
    put(
        "communities/ux.md",
        "+++\ntitle = \"UX\"\nleads = [\"ana\"]\nstatus = \"active\"\n+++\n## Purpose\n\nDesign.\n",
    );
    put(
        "communities/content.md",
        "+++\ntitle = \"Content\"\nleads = [\"bo\", \"cy\"]\nstatus = \"active\"\n+++\n## Purpose\n\nWords.\n",
    );
    put("communities/data.md", "+++\ntitle = \"Data\"\nleads = [\"cy\"]\nstatus = \"paused\"\n+++\nNumbers.\n");
    for (id, name) in [("ana", "Ana Ruiz"), ("bo", "Bo Chen"), ("cy", "Cy Okafor"), ("di", "Di Patel")] {
        put(&format!("people/{id}.md"), &format!("+++\nname = \"{name}\"\nrole = \"Designer\"\n+++\n"));
    }
    for (id, owner) in [("forms", "ux"), ("alt-text", "content"), ("dashboards", "data"), ("captions", "content")] {
        put(
            &format!("standards/{id}.md"),
            &format!("+++\ntitle = \"Standard {id}\"\nowner = \"{owner}\"\nstatus = \"published\"\nlast_reviewed = 2026-01-10\n+++\n## Why\n\nSee [forms](forms.md#why).\n"),
        );
    }
    put("standards/index.md", "# Standards\n\nThe rules we keep.\n");
    put("principles/open.md", "+++\ntitle = \"Work in the open\"\nowner = \"ux\"\nnumber = 1\n+++\nOpenly.\n");
    put("glossary/crit.md", "+++\nterm = \"Crit\"\nsee_also = [\"lean-coffee\"]\n+++\nA critique session.\n");
    put("glossary/lean-coffee.md", "+++\nterm = \"Lean coffee\"\n+++\nA meeting without an agenda.\n");
    put("glossary.toml", "[[term]]\nterm = \"Show and tell\"\ndefinition = \"Teams show work.\"\n");
    put(
        "guides/a.md",
        "+++\ntitle = \"Guide A\"\nweight = 1\n+++\n## One\n\nText [b](b.md), a crit and a show and tell.\n\n### Detail\n\n#### Fine print\n",
    );
    put("guides/b.md", "+++\ntitle = \"Guide B\"\nweight = 2\n+++\n## Two\n\nText [a](a.md), <kbd>raw</kbd>.\n");
    put("guides/deep/c.md", "# Guide C\n\nDeep [home](../../index.md).\n");
    put("static/site.css", "body { color: black }\n");
    // A section long enough for the sidebar to window it (more than
    // render::NAV_WHOLE entries): a page's sidebar then holds its
    // neighbours' titles, so their edits must reach it.
    for i in 0..27 {
        put(&format!("long/l{i:02}.md"), &format!("+++\ntitle = \"Long {i:02}\"\nweight = {}\n+++\nText.\n", i % 4));
    }
    f
}

/// One random edit; returns the paths it changed (for `Builder::forget`,
/// as the watcher would report them).
fn edit(rng: &mut Rng, root: &Path, files: &mut BTreeMap<String, String>, step: usize) -> Vec<String> {
    let pages: Vec<String> = files.keys().filter(|k| k.ends_with(".md")).cloned().collect();
    let page = rng.pick(&pages).clone();
    let word = *rng.pick(WORDS);
    match rng.below(22) {
        0 => {
            // body edit
            files.get_mut(&page).unwrap().push_str(&format!("\nAnother {word} line {step}.\n"));
            vec![page]
        }
        1 => {
            // title change (front matter or heading)
            let text = files.get_mut(&page).unwrap();
            *text = match text.find("title = \"") {
                Some(i) => format!("{}title = \"{word} {step} {}", &text[..i], &text[i + 9..]),
                None => format!("# {word} {step}\n\n{text}"),
            };
            vec![page]
        }
        2 => {
            // weight change
            let text = files.get_mut(&page).unwrap();
            if let Some(rest) = text.strip_prefix("+++\n") {
                *text = format!("+++\nweight = {}\n{}", rng.below(5), rest.replace(&format!("weight = {}\n", 0), ""));
                if text.matches("weight =").count() > 1 {
                    *text = text.replacen("weight = ", "# weight = ", 1);
                }
            }
            vec![page]
        }
        3 => {
            // new page, linking to an existing one; in a folder of its own
            // now and then (a folder the last walk did not list)
            let folder = match step % 3 {
                0 => "guides".to_string(),
                1 => "long".to_string(),
                _ => format!("topic-{step}"),
            };
            let path = format!("{folder}/new-{step}.md");
            files.insert(path.clone(), format!("+++\ntitle = \"New {word}\"\n+++\nLinks to [x](../{page}).\n"));
            vec![path]
        }
        4 if pages.len() > 8 => {
            // delete a page (links to it become warnings)
            files.remove(&page);
            vec![page]
        }
        5 => {
            // rename a page
            if page == "index.md" || page.ends_with("index.md") {
                return Vec::new();
            }
            let text = files.remove(&page).unwrap();
            let renamed = page.replace(".md", &format!("-r{step}.md"));
            files.insert(renamed.clone(), text);
            vec![page, renamed]
        }
        6 => {
            // a standard changes owner (sometimes to one that does not exist)
            let standards: Vec<String> =
                files.keys().filter(|k| k.starts_with("standards/") && !k.ends_with("index.md")).cloned().collect();
            if standards.is_empty() {
                return Vec::new();
            }
            let s = rng.pick(&standards).clone();
            let owner = *rng.pick(&["ux", "content", "data", "nope"]);
            let text = files.get_mut(&s).unwrap();
            if let Some(i) = text.find("owner = \"") {
                let end = text[i + 9..].find('"').map_or(text.len(), |e| i + 9 + e);
                *text = format!("{}owner = \"{owner}{}", &text[..i], &text[end..]);
            }
            vec![s]
        }
        7 => {
            // glossary term added or removed
            let path = format!("glossary/term-{}.md", rng.below(3));
            if files.remove(&path).is_none() {
                files.insert(
                    path.clone(),
                    format!("+++\nterm = \"{word} {step}\"\nsee_also = [\"crit\"]\n+++\nMeans {word}.\n"),
                );
            }
            vec![path]
        }
        8 => {
            // a community's leads change
            let c = format!("communities/{}.md", rng.pick(&["ux", "content", "data"]));
            let leads = *rng.pick(&["[\"ana\"]", "[\"bo\", \"di\"]", "[]", "[\"cy\", \"ana\"]"]);
            if let Some(text) = files.get_mut(&c) {
                if let Some(i) = text.find("leads = [") {
                    let end = text[i..].find(']').map_or(text.len(), |e| i + e + 1);
                    *text = format!("{}leads = {leads}{}", &text[..i], &text[end..]);
                }
            }
            vec![c]
        }
        9 => {
            // handbook.toml: one setting changes
            let text = edit_config(rng, files.get("handbook.toml").map_or("", String::as_str), word, step);
            files.insert("handbook.toml".into(), text);
            vec!["handbook.toml".into()]
        }
        10 => {
            // a template override appears, changes or goes
            let path = "templates/page.html".to_string();
            if files.contains_key(&path) && rng.below(2) == 0 {
                files.remove(&path);
            } else {
                files.insert(path.clone(), format!("<!doctype html><title>{{{{ page.title }}}}</title><p>{word} {step} {{{{ site.extra.banner | default(value=\"\") }}}}</p>{{{{ page.content | safe }}}}\n"));
            }
            vec![path]
        }
        11 if rng.below(3) == 0 => {
            // the handbook's own favicon appears or goes (every page links it)
            let icon = "static/favicon.svg".to_string();
            if files.remove(&icon).is_none() {
                files.insert(icon.clone(), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".into());
            }
            vec![icon]
        }
        11 => {
            // a static file changes
            files.insert("static/site.css".into(), format!("body {{ color: #{:06x} }}\n", rng.next() & 0xff_ffff));
            vec!["static/site.css".into()]
        }
        12 | 13 => {
            // a link between two existing pages appears or goes (backlinks change, nothing else)
            let target = rng.pick(&pages).clone();
            let depth = page.matches('/').count();
            let link = format!("\n[see {word}]({}{target})\n", "../".repeat(depth));
            let text = files.get_mut(&page).unwrap();
            if text.contains("[see ") {
                let start = text.find("\n[see ").unwrap();
                let end = text[start + 1..].find('\n').map_or(text.len(), |e| start + 2 + e);
                text.replace_range(start..end, "");
            } else {
                text.push_str(&link);
            }
            vec![page]
        }
        14 => {
            // a community's sessions change: a one-off, a series (skipping a day or not), a cancellation, or none
            let c = format!("communities/{}.md", rng.pick(&["ux", "content", "data"]));
            let sessions = *rng.pick(&[
                "sessions = [{ date = 2026-12-03, time = \"14:00-15:00\", title = \"Clinic\", format = \"clinic\" }]\n",
                "sessions = [{ date = 2026-12-10, time = \"10:00\", title = \"Crit\", recurrence = \"every 2nd Thursday\" }]\n",
                "sessions = [{ date = 2026-12-10, time = \"10:00\", title = \"Crit\", recurrence = \"every 2nd Thursday\", except = [2027-01-14] }]\n",
                "sessions = [{ date = 2026-11-30, title = \"Talk, with; marks\", cancelled = true, facilitator = \"ana\" }]\n",
                "",
            ]);
            if let Some(text) = files.get_mut(&c) {
                if let Some(i) = text.find("sessions = [") {
                    let end = text[i..].find('\n').map_or(text.len(), |e| i + e + 1);
                    text.replace_range(i..end, "");
                }
                *text = text.replacen("+++\n", &format!("+++\n{sessions}"), 1);
            }
            vec![c]
        }
        15 => {
            // a standard serves other principles (sometimes one that does not exist)
            let standards: Vec<String> =
                files.keys().filter(|k| k.starts_with("standards/") && !k.ends_with("index.md")).cloned().collect();
            if standards.is_empty() {
                return Vec::new();
            }
            let s = rng.pick(&standards).clone();
            let served = *rng.pick(&["[\"open\"]", "[]", "[\"opne\"]"]);
            let text = files.get_mut(&s).unwrap();
            if let Some(i) = text.find("principles = [") {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e + 1);
                text.replace_range(i..end, "");
            }
            *text = text.replacen("+++\n", &format!("+++\nprinciples = {served}\n"), 1);
            vec![s]
        }
        16 => {
            // a commit lands: pages' dates, history and /whats-new/'s subjects
            // change with no file changing (the subject has markup and quotes)
            let subject = format!("Change <em>{word}</em> \"{step}\" & 'more'");
            let _ = git(root, &["add", "-A"]) && git(root, &["commit", "-qm", &subject]);
            Vec::new()
        }
        19 => {
            // a glossary term that pages use is added, renamed (its name,
            // alias or abbreviation) or removed, or stops being linked
            let path = format!("glossary/used-{}.md", rng.below(2));
            if files.contains_key(&path) && rng.below(3) == 0 {
                files.remove(&path);
            } else {
                let extra = *rng.pick(&["", "aliases = [\"session\"]\n", "abbreviation = \"LC\"\n", "link = false\n"]);
                files.insert(path.clone(), format!("+++\nterm = \"{word}\"\n{extra}+++\nMeans {word}, step {step}.\n"));
            }
            vec![path]
        }
        20 => {
            // an existing term's aliases, abbreviation or definition change
            if rng.below(2) == 0 {
                let aliases = *rng.pick(&["", "aliases = [\"review\", \"owner\"]\n", "aliases = [\"plain\"]\n"]);
                files.insert(
                    "glossary/crit.md".into(),
                    format!("+++\nterm = \"Crit\"\n{aliases}see_also = [\"lean-coffee\"]\n+++\nA critique session, {word}.\n"),
                );
                vec!["glossary/crit.md".into()]
            } else {
                let abbreviation = *rng.pick(&["", "abbreviation = \"ST\"\n", "aliases = [\"draft\"]\n"]);
                files.insert(
                    "glossary.toml".into(),
                    format!("[[term]]\nterm = \"Show and tell\"\n{abbreviation}definition = \"Teams show {word}.\"\n"),
                );
                vec!["glossary.toml".into()]
            }
        }
        21 => {
            // a page opts out of glossary links, or back in
            let text = files.get_mut(&page).unwrap();
            if text.contains("glossary_links = false\n") {
                *text = text.replace("glossary_links = false\n", "");
            } else if let Some(rest) = text.strip_prefix("+++\n") {
                *text = format!("+++\nglossary_links = false\n{rest}");
            } else {
                *text = format!("+++\nglossary_links = false\n+++\n{text}");
            }
            vec![page]
        }
        _ => {
            // a body breaks or is mended (an error, then a good build)
            let text = files.get_mut(&page).unwrap();
            if text.starts_with("+++\n") && rng.below(3) == 0 {
                *text = text.replacen("+++\n", "+++\ntitle = \n", 1);
            } else {
                *text = text.replace("title = \n", "");
            }
            vec![page]
        }
    }
}

/// handbook.toml with one setting changed or removed, the others kept, so
/// that a setting that reaches pages by one road only is tested on its own.
/// Every kind is here: top-level text and URLs, `[review]`, `[theme]`, `[extra]`.
fn edit_config(rng: &mut Rng, text: &str, word: &str, step: usize) -> String {
    use toml::Value::{Boolean, Integer, String as Text};
    let mut table: toml::Table = text.parse().unwrap_or_default();
    let choices: Vec<(&str, &str, toml::Value)> = vec![
        ("", "title", Text(format!("Fixture {word} {step}"))),
        ("", "base_url", Text(rng.pick(&["/hb/", "/", "https://example.org/docs/"]).to_string())),
        ("", "leads_as_of", Text(format!("2026-0{}", 1 + rng.below(9)))),
        ("", "description", Text(format!("About {word}"))),
        ("", "organisation", Text(format!("Org {step}"))),
        ("", "language", Text(rng.pick(&["en", "cy", "fr"]).to_string())),
        ("", "repository", Text(rng.pick(&["https://github.com/org/hb", "https://gitlab.com/o/h"]).to_string())),
        ("", "branch", Text(rng.pick(&["main", "trunk"]).to_string())),
        ("", "edit_path", Text(rng.pick(&["", "docs", "hand/book"]).to_string())),
        ("", "contact_url", Text(format!("mailto:{}@example.org", word.replace(' ', "-")))),
        ("", "contact_text", Text(format!("Ask the {word} team"))),
        ("", "footer", Text(format!("Footer {step}"))),
        ("review", "due_soon_days", Integer(*rng.pick(&[7, 30, 400]))),
        ("review", "standards", Text(format!("{} months", 1 + rng.below(12)))),
        ("review", "pages", Text(rng.pick(&["", "1 year"]).to_string())),
        ("theme", "toc_depth", Integer(2 + rng.below(3) as i64)),
        ("theme", "people_pages", Boolean(rng.below(2) == 0)),
        ("extra", "banner", Text(format!("{word} {step}"))),
        ("", "timezone", Text(rng.pick(&["Europe/London", "America/New_York", "UTC"]).to_string())),
        ("", "source_markdown", Boolean(rng.below(2) == 0)),
        ("", "print", Boolean(rng.below(2) == 0)),
        ("markdown", "raw_html", Text(rng.pick(&["allow", "warn", "deny"]).to_string())),
        ("glossary", "link_terms", Boolean(rng.below(2) == 0)),
    ];
    let (section, key, value) = choices[rng.below(choices.len())].clone();
    let at = if section.is_empty() {
        &mut table
    } else {
        match table.entry(section).or_insert_with(|| toml::Value::Table(Default::default())) {
            toml::Value::Table(t) => t,
            _ => return text.to_string(),
        }
    };
    if rng.below(4) == 0 && key != "title" {
        at.remove(key);
    } else {
        at.insert(key.to_string(), value);
    }
    toml::to_string(&table).unwrap_or_else(|_| text.to_string())
}

/// Runs git in `dir` as a test author; false when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn write_all(root: &Path, files: &BTreeMap<String, String>, changed: &[String]) {
    for path in changed {
        let p = root.join(path);
        match files.get(path) {
            Some(text) => support::write(root, path, text),
            None => {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Every output file's bytes, and the findings, of one build.
fn snapshot(
    result: (Option<copbook::site::Site>, copbook::diag::Diagnostics),
) -> (Option<BTreeMap<String, Vec<u8>>>, Vec<String>) {
    let (site, diags) = result;
    let findings = diags.iter().map(copbook::report::plain_line).collect();
    let files = site.map(|s| {
        copbook::site::each_file(&s.files)
            .into_iter()
            .map(|(path, content)| {
                let bytes = match content {
                    Content::Copy(from) => std::fs::read(from).unwrap(),
                    made => made.made().unwrap().to_vec(),
                };
                (path, bytes)
            })
            .collect()
    });
    (files, findings)
}

/// An MkDocs handbook: its heading ids follow the `toc` slugify that
/// mkdocs.yml names, its page titles come from nav, and its review page
/// speaks MkDocs' front matter.
fn start_mkdocs_files() -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |p: &str, t: &str| {
        f.insert(p.to_string(), t.to_string());
    };
    put("mkdocs.yml", &mkdocs_yml(0, "Fixture docs"));
    put("docs/index.md", "# Home\n\nSee [the guide](guide.md#what-s-new) and [Café](guide.md#cafe-menu).\n");
    put("docs/guide.md", "Intro.\n\n## What's new?\n\n## Café menu\n\n## Café menu\n\n[Top](#guide)\n");
    // No heading: its title is the one nav gives it.
    put("docs/plain.md", "Just text; see [the guide](guide.md).\n");
    put("docs/communities/ux.md", "---\ntitle: UX\n---\nDesign.\n");
    put(
        "docs/team/about.md",
        "---\nlast_reviewed: 2026-01-10\nreview_every: 6 months\n---\n# About us\n\n## Who's who\n",
    );
    f
}

/// The `toc` slugify settings an mkdocs.yml can give, by number.
const SLUGIFY: [&str; 5] = [
    "",
    "      slugify: !!python/name:pymdownx.slugs.uslugify\n",
    "      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n",
    "      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n      separator: _\n",
    "      slugify: !!python/name:my.own.slugify\n",
];

fn mkdocs_yml(slugify: usize, nav_title: &str) -> String {
    format!(
        "site_name: Docs\nnav:\n  - index.md\n  - {nav_title}: plain.md\n  - guide.md\n  - team/about.md\nmarkdown_extensions:\n  - toc:\n      permalink: true\n{}",
        SLUGIFY[slugify % SLUGIFY.len()]
    )
}

/// One random edit of the MkDocs handbook: what each of a body's inputs
/// (heading ids' rule, the title) and the review page's (owners) comes from.
fn edit_mkdocs(rng: &mut Rng, _root: &Path, files: &mut BTreeMap<String, String>, step: usize) -> Vec<String> {
    let pages: Vec<String> = files.keys().filter(|k| k.ends_with(".md")).cloned().collect();
    let page = rng.pick(&pages).clone();
    let word = *rng.pick(WORDS);
    match rng.below(6) {
        0 => {
            // the toc slugify (the heading ids' rule) and the nav titles change
            let title = format!("{word} {step}'s guide");
            files.insert("mkdocs.yml".into(), mkdocs_yml(rng.below(SLUGIFY.len()), &title));
            vec!["mkdocs.yml".into()]
        }
        1 => {
            // a heading whose id each rule makes differently
            files.get_mut(&page).unwrap().push_str(&format!("\n## {word}'s Ça va? {step}\n"));
            vec![page]
        }
        2 => {
            // a page's title (its first heading) changes
            let text = files.get_mut(&page).unwrap();
            *text = match text.find("# ") {
                Some(i) if text[..i].ends_with('\n') || i == 0 => {
                    let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                    format!("{}# {word}'s page {step}{}", &text[..i], &text[end..])
                }
                _ => format!("# {word}'s page {step}\n\n{text}"),
            };
            vec![page]
        }
        3 => {
            // a page gains or loses an owner (the review page's advice comes or goes)
            let text = files.get_mut(&page).unwrap();
            if text.contains("owner: ") {
                *text = text.replace("owner: ux\n", "");
                if text.starts_with("---\n---\n") {
                    *text = text.replacen("---\n---\n", "", 1);
                }
            } else if let Some(rest) = text.strip_prefix("---\n") {
                *text = format!("---\nowner: ux\n{rest}");
            } else {
                *text = format!("---\nowner: ux\n---\n{text}");
            }
            vec![page]
        }
        4 => {
            // handbook.toml comes or goes: copbook's own rules, or MkDocs'
            let path = "handbook.toml".to_string();
            if files.remove(&path).is_none() {
                files.insert(path.clone(), format!("title = \"{word}\"\n"));
            }
            vec![path]
        }
        _ => {
            files.get_mut(&page).unwrap().push_str(&format!("\nAnother {word} line {step}.\n"));
            vec![page]
        }
    }
}

type Edit = fn(&mut Rng, &Path, &mut BTreeMap<String, String>, usize) -> Vec<String>;

fn run_seed(seed: u64, steps: usize) {
    run_edits(seed, steps, start_files(), edit)
}

fn run_edits(seed: u64, steps: usize, mut files: BTreeMap<String, String>, edit: Edit) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let all: Vec<String> = files.keys().cloned().collect();
    write_all(root, &files, &all);
    // In a repository, so that commits are edits too; without git they are skipped.
    let _ = git(root, &["init", "-q"]) && git(root, &["add", "-A"]) && git(root, &["commit", "-qm", "Start"]);
    let options =
        Options { root: root.to_path_buf(), today: copbook::date::Date::new(2026, 11, 23), ..Options::default() };
    let mut builder = Builder::new();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let _ = builder.build(&options);
    for step in 0..steps {
        let changed = edit(&mut rng, root, &mut files, step);
        write_all(root, &files, &changed);
        builder.forget(&changed);
        let partial = snapshot(builder.build(&options));
        let full = snapshot(copbook::site::build(&options));
        assert_eq!(partial.1, full.1, "seed {seed} step {step} ({changed:?}): findings differ");
        match (partial.0, full.0) {
            (Some(p), Some(f)) => {
                let paths: Vec<&String> = p.keys().chain(f.keys()).collect();
                for path in paths {
                    assert!(
                        p.get(path) == f.get(path),
                        "seed {seed} step {step} after editing {changed:?}: {path} differs from a full build\n--- partial:\n{}\n--- full:\n{}",
                        String::from_utf8_lossy(p.get(path).map_or(&[][..], |v| v)),
                        String::from_utf8_lossy(f.get(path).map_or(&[][..], |v| v)),
                    );
                }
            }
            (None, None) => {}
            (p, f) => panic!("seed {seed} step {step}: partial built {}, full built {}", p.is_some(), f.is_some()),
        }
    }
}

#[test]
fn partial_rebuilds_equal_full_builds() {
    let seeds: u64 = std::env::var("COPBOOK_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
    for seed in 1..=seeds {
        run_seed(seed, 40);
    }
}

#[test]
fn partial_rebuilds_of_an_imported_handbook_equal_full_builds() {
    let seeds: u64 = std::env::var("COPBOOK_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(8);
    for seed in 1..=seeds {
        run_edits(seed, 30, start_mkdocs_files(), edit_mkdocs);
    }
}

#[test]
fn a_builder_reuses_work_when_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let files = start_files();
    let all: Vec<String> = files.keys().cloned().collect();
    write_all(dir.path(), &files, &all);
    let options = Options { root: dir.path().to_path_buf(), ..Options::default() };
    let mut builder = Builder::new();
    let first = builder.build(&options).0.unwrap();
    let second = builder.build(&options).0.unwrap();
    // Unchanged pages come back as the very same shared bytes, not a re-render.
    let shared = first.files.iter().zip(&second.files).filter(|((_, a), (_, b))| match (a, b) {
        (Content::Bytes(a), Content::Bytes(b)) => std::sync::Arc::ptr_eq(a, b),
        _ => false,
    });
    // Print pages are site files, made afresh each build like the sitemap.
    let pages = first
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && !p.contains("404") && !p.ends_with("print/index.html"))
        .count();
    assert!(shared.count() >= pages, "every page reused");
    // Files made when read (print, data, search) compare equal by key, unmade.
    let later: Vec<_> = first
        .files
        .iter()
        .zip(&second.files)
        .filter(|(_, (_, b))| matches!(b, Content::Later(_) | Content::LaterFolder(_)))
        .collect();
    assert!(later.iter().any(|(_, (p, _))| p == "print/index.html"), "{later:?}");
    assert!(later.iter().any(|(_, (p, _))| p == "search/"), "{later:?}");
    for ((path_a, a), (path_b, b)) in later {
        assert_eq!((path_a, a), (path_b, b), "nothing changed, so the same file");
    }
}

/// `[markdown] raw_html` changes how bodies render: a long-lived builder
/// renders them again when it changes.
#[test]
fn changing_raw_html_renders_bodies_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("index.md"), "# Home\n\nPress <kbd>Ctrl</kbd>.\n").unwrap();
    let options =
        Options { root: root.to_path_buf(), today: copbook::date::Date::new(2026, 11, 23), ..Options::default() };
    let mut builder = Builder::new();
    let mut build_with = |setting: &str| {
        std::fs::write(root.join("handbook.toml"), format!("[markdown]\nraw_html = \"{setting}\"\n")).unwrap();
        builder.forget(&["handbook.toml".to_string()]);
        let (site, diags) = builder.build(&options);
        let codes: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.file.clone(), d.line, d.column)).collect();
        (site.is_some(), codes.into_iter().filter(|c| c.0 == "raw-html").collect::<Vec<_>>())
    };
    assert_eq!(build_with("allow"), (true, vec![]));
    assert_eq!(build_with("warn"), (true, vec![("raw-html", "index.md".to_string(), 3, 7)]));
    assert_eq!(build_with("deny"), (false, vec![("raw-html", "index.md".to_string(), 3, 7)]));
    assert_eq!(build_with("allow"), (true, vec![]));
}
