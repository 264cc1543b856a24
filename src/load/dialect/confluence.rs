//! Confluence spaces exported to Markdown and re-hosted (on Astro, for
//! example): pages named `Page-Title_123456789.md` or `123456789.md`.
//!
//! Converted:
//! - the content folder is the one holding the exported pages (`src/pages/`
//!   in an Astro repository); a `public/` or `static/` folder beside it is
//!   published at the site root, as those generators do, so `attachments/...`
//!   images resolve;
//! - links by Confluence file name, by percent-decoded name or by page id,
//!   and absolute links back to the Confluence space, resolve to the local
//!   page (see `model::links`); image `?width=` queries are ignored there;
//! - a page without a title gets one from its file name; a `description`
//!   that repeats the title is dropped; a level-1 heading that repeats the
//!   title is dropped and other level-1 headings become level 2, so each
//!   page has one `<h1>`;
//! - missing Confluence icons (`images/icons/...`, the bullets and arrows of
//!   Confluence's page furniture) are decorative: they are left out, with
//!   one warning for the whole build;
//! - expand macros, the "Attachments:" list and attachments whose folder
//!   was not copied: see [`super::furniture`].
//!
//! Unknown front-matter keys (`layout`) are ignored.

use super::folder::{self, file_name, text};
use super::furniture::{expand_sections, take_breadcrumbs, MissingFolders};
use super::text::{atx_heading, code_spans, drop_title_h1, fenced_lines, has_scheme};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{self, FileEntry, Folder};
use crate::text::percent_decode;
use crate::text::url_segment;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Confluence page ids have at least this many digits.
const MIN_ID_DIGITS: usize = 6;
/// Folders served at the site root by the generators exports are re-hosted on.
const STATIC_DIRS: [&str; 2] = ["public", "static"];
const ICONS: &str = "images/icons/";

/// Several exported pages in one folder.
pub fn detect(root: &Path) -> bool {
    pages_dir(root).is_some()
}

pub fn content_dir(root: &Path) -> String {
    pages_dir(root).unwrap_or_default()
}

/// The folder (at most three deep) holding the most exported pages, when
/// it holds at least three, or two that are half of its Markdown files.
fn pages_dir(root: &Path) -> Option<String> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for path in folder::list_files(root, 4).iter().filter(|p| load::is_markdown(p)) {
        let entry = counts.entry(folder::dir_of(path).to_string()).or_default();
        entry.1 += 1;
        if is_export_name(path) {
            entry.0 += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, (pages, all))| *pages >= 3 || (*pages >= 2 && pages * 2 >= *all))
        .max_by_key(|(dir, (pages, _))| (*pages, std::cmp::Reverse(dir.len())))
        .map(|(dir, _)| dir)
}

/// `Page-Title_123456789.md` or `123456789.md`.
fn is_export_name(path: &str) -> bool {
    page_id(file_name(path)).is_some()
}

/// Where a re-hosting Astro site names itself: `SITE.title`.
const ASTRO_CONFIGS: [&str; 3] = ["src/config.ts", "src/config.mjs", "astro.config.mjs"];

pub fn adapt(folder: &mut Folder, diags: &mut Diagnostics) {
    add_static_files(folder, diags);
    if !folder::has_own_config(folder) {
        let title = ASTRO_CONFIGS
            .iter()
            .filter(|path| folder.root.join(path).is_file())
            .find_map(|path| folder::js_title(&folder.root, path, "SITE", diags));
        if let Some(title) = title {
            folder.config.title = title;
        }
    }
    leave_out_copies(folder, diags);
    let files: HashSet<String> = folder.files.iter().map(|f| f.logical.clone()).collect();
    let mut icons = Icons::default();
    let mut missing = MissingFolders::new(
        folder.files.iter().map(|f| f.logical.as_str()).chain(folder.documents.iter().map(|d| d.logical.as_str())),
    );
    // Each page's ancestors by page id, from its breadcrumb trail.
    let mut trails: HashMap<usize, Vec<String>> = HashMap::new();
    for (n, doc) in folder.documents.iter_mut().enumerate() {
        if let Some((body, ancestors)) = take_breadcrumbs(&doc.body) {
            doc.body = body.into();
            let ids = ancestors.iter().filter_map(|t| page_id(file_name(t.split(['?', '#']).next().unwrap_or(""))));
            trails.insert(n, ids.map(str::to_string).collect());
        }
        // Some exported names keep escapes (`%2C`); a URL holding `%` would
        // be decoded by the web server and miss the folder.
        let decoded = percent_decode(&doc.logical);
        if decoded != doc.logical
            && !decoded.contains(['?', '#'])
            && decoded.matches('/').count() == doc.logical.matches('/').count()
        {
            doc.logical = decoded;
        }
        let fields = &mut std::sync::Arc::make_mut(&mut doc.front).fields;
        let given = text(fields.get("title"));
        if given.is_some()
            && text(fields.get("description")).map(|d| d.to_lowercase()) == given.as_ref().map(|t| t.to_lowercase())
        {
            fields.remove("description");
        }
        let body = expand_sections(&doc.body);
        let body = missing.leave_out(&body, &doc.logical, &doc.path, doc.body_line);
        let body = icons.leave_out_missing(&body, &doc.logical, &files, &doc.path, doc.body_line);
        // The title is the page's only h1: its heading in the body is not
        // shown again, wherever it is, and other h1s become h2s.
        let title =
            given.or_else(|| crate::text::first_heading(&body)).unwrap_or_else(|| title_from_name(&doc.logical));
        doc.body = demote_h1(&drop_title_h1(&body, &title)).into();
        folder::default_field(doc, "title", Value::String(title));
    }
    icons.report(diags);
    missing.report(diags);
    apply_page_tree(folder, &trails);
    folder::protect_fields(folder);
}

/// The export's own `index.html` lists the space's pages as nested lists,
/// as Confluence's page tree shows them; without it, each page's
/// breadcrumb trail names its parent. Either nests the pages' URLs
/// (`/Parent_1/Child_2/`, the flat URL redirecting there), so that
/// navigation, breadcrumbs and the home page follow the tree; a single top
/// page (the space's home) becomes the home page. The index also orders the
/// pages, and is not published itself.
fn apply_page_tree(folder: &mut Folder, trails: &HashMap<usize, Vec<String>>) {
    let by_id: HashMap<String, usize> = folder
        .documents
        .iter()
        .enumerate()
        .filter_map(|(i, d)| page_id(file_name(&d.logical)).map(|id| (id.to_string(), i)))
        .collect();
    let index = folder.files.iter().position(|f| f.logical == "index.html");
    let html = index.and_then(|at| load::read_text(&folder.root, &folder.files[at].path, &mut Diagnostics::default()));
    let listed = html.as_deref().map(tree_entries).unwrap_or_default();
    let ordered = !listed.is_empty();
    let entries = if ordered {
        folder.files.remove(index.unwrap_or_default());
        listed
    } else {
        trail_entries(&folder.documents, trails, &by_id)
    };
    if entries.is_empty() {
        return;
    }
    let top = entries.iter().map(|(depth, _)| *depth).min().unwrap_or(0);
    let has_home = folder.documents.iter().any(|d| d.logical == "index.md" || d.url.as_deref() == Some("/"));
    let single_root = !has_home && entries.iter().filter(|(depth, _)| *depth == top).count() == 1;
    let mut urls: HashMap<usize, String> = HashMap::new();
    // Pages open above the entry being read: (depth, document).
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (order, (depth, id)) in entries.iter().enumerate() {
        let Some(&i) = by_id.get(id) else { continue };
        if urls.contains_key(&i) {
            continue;
        }
        while open.last().is_some_and(|(d, _)| d >= depth) {
            open.pop();
        }
        let parent = open.last().and_then(|(_, p)| urls.get(p)).cloned();
        let doc = &mut folder.documents[i];
        let name = file_name(&doc.logical);
        let segment = url_segment(name.rsplit_once('.').map_or(name, |(stem, _)| stem));
        let flat = format!("/{segment}/");
        let url = match parent {
            None if single_root => "/".to_string(),
            None => flat.clone(),
            Some(parent) => format!("{parent}{segment}/"),
        };
        if url != flat && folder::dir_of(&doc.logical).is_empty() {
            doc.url = Some(url.clone());
            doc.redirect_from.push(flat);
        }
        if ordered {
            folder::default_field(doc, "weight", Value::from(order as i64));
        }
        urls.insert(i, url);
        open.push((*depth, i));
    }
}

/// The page tree the pages' breadcrumb trails make, as `index.html` would
/// list it: (depth, page id) in tree order, children in file order. A page
/// whose parent is not in the export is a top page; a trail that leads in
/// a circle is not followed.
fn trail_entries(
    documents: &[load::Document],
    trails: &HashMap<usize, Vec<String>>,
    by_id: &HashMap<String, usize>,
) -> Vec<(usize, String)> {
    if trails.is_empty() {
        return Vec::new();
    }
    let id_of = |i: usize| page_id(file_name(&documents[i].logical)).map(str::to_string);
    let parent_of = |i: usize| trails.get(&i)?.iter().rev().find_map(|id| by_id.get(id).copied()).filter(|&p| p != i);
    let mut children: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for i in (0..documents.len()).filter(|&i| id_of(i).is_some()) {
        children.entry(parent_of(i)).or_default().push(i);
    }
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(usize, usize)> = children.get(&None).into_iter().flatten().rev().map(|&i| (1, i)).collect();
    while let Some((depth, i)) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        entries.extend(id_of(i).map(|id| (depth, id)));
        stack.extend(children.get(&Some(i)).into_iter().flatten().rev().map(|&c| (depth + 1, c)));
    }
    entries
}

/// The pages a Confluence `index.html` links to, with how deep in its
/// nested lists each link is.
fn tree_entries(html: &str) -> Vec<(usize, String)> {
    let mut entries = Vec::new();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|i| at + i) {
        let Some(close) = html[open..].find('>').map(|i| open + i) else { break };
        let tag = html[open + 1..close].trim().to_ascii_lowercase();
        if tag == "ul" || tag.starts_with("ul ") {
            depth += 1;
        } else if tag == "/ul" {
            depth = depth.saturating_sub(1);
        } else if (tag.starts_with("a ") || tag.starts_with("a\t")) && depth > 0 {
            let href = tag.split_once("href=").map(|(_, rest)| {
                let rest = rest.trim_start();
                let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
                match quote {
                    Some(q) => rest[1..].split(q).next().unwrap_or(""),
                    None => rest.split([' ', '>']).next().unwrap_or(""),
                }
            });
            if let Some(id) = href.map(file_name).and_then(page_id) {
                entries.push((depth, id.to_string()));
            }
        }
        at = close + 1;
    }
    entries
}

/// The page id in an exported file name: `Title_123456789.html` or `123456789.md`.
fn page_id(name: &str) -> Option<&str> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let id = stem.rsplit_once('_').map_or(stem, |(_, id)| id);
    (id.len() >= MIN_ID_DIGITS && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// Pages that are copies of another (Confluence names a copied page
/// "Title-copy" until someone renames it) are drafts, not content: they are
/// left out, each with a warning.
fn leave_out_copies(folder: &mut Folder, diags: &mut Diagnostics) {
    folder.documents.retain(|doc| {
        let name = file_name(&doc.logical);
        let words = name.rsplit_once('_').map_or(name, |(words, _)| words).to_lowercase();
        let title = text(doc.front.fields.get("title")).unwrap_or_else(|| title_from_name(&doc.logical));
        let lower = title.trim().to_lowercase();
        let is_copy = lower.ends_with("-copy")
            || lower.ends_with("(copy)")
            || lower.starts_with("copy of ")
            || words.ends_with("-copy");
        if is_copy {
            diags.push(
                Diagnostic::warning(
                    Code::LeftOut,
                    format!("'{title}' is a copy of another page, so it is not published"),
                )
                .at(&doc.path, doc.front.line_of("title"))
                .hint("rename the page (and its title) if it is content of its own, or delete it from the export"),
            );
        }
        !is_copy
    });
}

/// Publishes `public/` or `static/` beside a nested content folder at the
/// site root, unless it is the output of an earlier copbook build.
fn add_static_files(folder: &mut Folder, diags: &mut Diagnostics) {
    if folder.content_dir.is_empty() {
        return;
    }
    let taken: HashSet<String> = folder.files.iter().map(|f| f.logical.clone()).collect();
    for dir in STATIC_DIRS {
        let path = folder.root.join(dir);
        if !path.is_dir() || path.join("assets/copbook.js").is_file() || folder.content_dir.starts_with(dir) {
            continue;
        }
        // As the loader reads its own folder: a link leading out of the
        // handbook is a finding, not a published file.
        for logical in load::files_below(&folder.root, dir, diags) {
            if logical.starts_with('.') || taken.contains(&logical) || load::is_markdown(&logical) {
                continue;
            }
            folder.files.push(FileEntry { path: format!("{dir}/{logical}"), logical });
        }
    }
}

/// `What-s-new_937033868.md` -> "What s new"; `393871368.md` keeps its id.
fn title_from_name(logical: &str) -> String {
    let name = file_name(logical);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let words = match stem.rsplit_once('_') {
        Some((words, id)) if id.bytes().all(|b| b.is_ascii_digit()) => words,
        _ => stem,
    };
    // File names may keep escapes such as `%2C`.
    let words = percent_decode(words).replace(['-', '_'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// Level-1 headings left in a body (after the title's) become level 2:
/// the page template shows the title as the page's only `<h1>`.
fn demote_h1(body: &str) -> String {
    let code = fenced_lines(body);
    let lines: Vec<&str> = body.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let in_code = code.get(i).copied().unwrap_or(false);
        let previous = i.checked_sub(1).and_then(|p| lines.get(p)).map_or("", |l| l.trim());
        let underline =
            !line.trim().is_empty() && line.trim().chars().all(|c| c == '=') && !previous.is_empty() && width(line) < 4;
        if !in_code && matches!(atx_heading(line), Some((1, _))) {
            let at = line.find('#').unwrap_or(0);
            out.push(format!("{}#{}", &line[..at], &line[at..]));
        } else if !in_code && underline && i > 0 && !code.get(i - 1).copied().unwrap_or(false) {
            out.push(line.replace('=', "-"));
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

fn width(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Missing Confluence icons, counted for one warning per build.
#[derive(Default)]
struct Icons {
    count: usize,
    first: Option<(String, u32)>,
}

impl Icons {
    /// The body without images of `images/icons/...` that are not in the folder.
    fn leave_out_missing(
        &mut self,
        body: &str,
        logical: &str,
        files: &HashSet<String>,
        file: &str,
        body_line: u32,
    ) -> String {
        if !body.contains(ICONS) {
            return body.to_string();
        }
        let dir = folder::dir_of(logical);
        let missing = |target: &str| {
            let target = target.split(['?', '#']).next().unwrap_or("").trim_start_matches("./");
            target.contains(ICONS)
                && !has_scheme(target)
                && !files.contains(&join(dir, target))
                && !files.contains(target.trim_start_matches('/'))
        };
        let code = fenced_lines(body);
        let mut lines: Vec<String> = Vec::new();
        for (i, line) in body.split('\n').enumerate() {
            if code.get(i).copied().unwrap_or(false) || !line.contains(ICONS) {
                lines.push(line.to_string());
                continue;
            }
            let (kept, removed) = remove_images(line, &missing);
            if removed > 0 {
                self.count += removed;
                self.first.get_or_insert_with(|| (file.to_string(), body_line + i as u32));
            }
            lines.push(kept);
        }
        lines.join("\n")
    }

    fn report(self, diags: &mut Diagnostics) {
        let Some((file, line)) = self.first else { return };
        diags.push(
            Diagnostic::warning(
                Code::MissingAsset,
                format!(
                    "{} Confluence icon images (images/icons/...) are missing; they are decorative and were left out",
                    self.count
                ),
            )
            .at(file, line)
            .hint("copy the export's images/icons folder beside the pages to show them"),
        );
    }
}

/// A relative path joined to a folder, as far as `..` allows.
pub(super) fn join(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The line without the Markdown images `![...](target)` and `<img src>`
/// tags whose target `drop` accepts (outside inline code), and how many.
pub(super) fn remove_images(line: &str, drop: &dyn Fn(&str) -> bool) -> (String, usize) {
    let spans = code_spans(line);
    let in_code = |at: usize| spans.iter().any(|(s, e)| *s <= at && at < *e);
    let mut out = String::with_capacity(line.len());
    let mut removed = 0;
    let mut at = 0;
    while at < line.len() {
        let rest = &line[at..];
        let next = [rest.find("!["), rest.find("<img")].into_iter().flatten().min();
        let Some(offset) = next else { break };
        let start = at + offset;
        let end = if line[start..].starts_with("![") {
            markdown_image_end(line, start)
        } else {
            line[start..].find('>').map(|i| start + i + 1)
        };
        let Some(end) = end else {
            out.push_str(&line[at..start + 1]);
            at = start + 1;
            continue;
        };
        let image = &line[start..end];
        out.push_str(&line[at..start]);
        if !in_code(start) && drop(&image_target(image)) {
            removed += 1;
        } else {
            out.push_str(image);
        }
        at = end;
    }
    out.push_str(&line[at.min(line.len())..]);
    (out, removed)
}

/// The end of `![alt](target "title")` starting at `start`.
fn markdown_image_end(line: &str, start: usize) -> Option<usize> {
    let close_alt = start + line[start..].find("](")?;
    let close = close_alt + line[close_alt..].find(')')?;
    Some(close + 1)
}

/// The target of a Markdown image or the `src` of an `<img>` tag.
fn image_target(image: &str) -> String {
    if let Some((_, rest)) = image.split_once("](") {
        let target = rest.trim_end_matches(')').trim();
        return target.split_whitespace().next().unwrap_or("").trim_matches(['<', '>']).to_string();
    }
    let Some((_, rest)) = image.split_once("src=") else { return String::new() };
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
    match quote {
        Some(q) => rest[1..].split(q).next().unwrap_or("").to_string(),
        None => rest.split([' ', '>']).next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names() {
        assert!(is_export_name("src/pages/Shelters-glossary_712245258.md"));
        assert!(is_export_name("393871368.md"));
        assert!(!is_export_name("Title_712245258 copy.md"));
        assert!(!is_export_name("release_2024.md"));
        assert_eq!(
            title_from_name("Intro-to-our-principles%2C-guidelines_455966725.md"),
            "Intro to our principles, guidelines"
        );
        assert_eq!(title_from_name("393871368.md"), "393871368");
    }

    #[test]
    fn missing_icons_are_left_out_and_counted() {
        let files: HashSet<String> = ["images/icons/kept.png".to_string()].into();
        let mut icons = Icons::default();
        let body = "![](images/icons/grey_arrow_down.png)Backlog\n![](images/icons/kept.png) `![](images/icons/x.png)`\n<img src=\"images/icons/bullet_blue.gif\" alt=\"\"> [file](attachments/1/2.pptx)\n![photo](attachments/1/3.jpg?width=680)";
        let out = icons.leave_out_missing(body, "Page_123456.md", &files, "src/pages/Page_123456.md", 5);
        assert_eq!(out, "Backlog\n![](images/icons/kept.png) `![](images/icons/x.png)`\n [file](attachments/1/2.pptx)\n![photo](attachments/1/3.jpg?width=680)");
        assert_eq!(icons.count, 2);
        assert_eq!(icons.first, Some(("src/pages/Page_123456.md".to_string(), 5)));
    }

    #[test]
    fn one_h1_per_page() {
        assert_eq!(
            demote_h1("# Part\ntext\nOther\n===\n```\n# code\n```"),
            "## Part\ntext\nOther\n---\n```\n# code\n```"
        );
        assert_eq!(demote_h1("## Two\n#hashtag"), "## Two\n#hashtag");
    }

    #[test]
    fn odd_images_never_panic() {
        let files = HashSet::new();
        for body in
            ["![", "![](", "<img", "![](images/icons/", "é![é](images/icons/é)é", "<img src=images/icons/a.png>"]
        {
            let _ = Icons::default().leave_out_missing(body, "a.md", &files, "a.md", 1);
        }
    }
}
