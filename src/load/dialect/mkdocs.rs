//! MkDocs and Material for MkDocs handbooks.
//!
//! Converted:
//! - `mkdocs.yml`: the content folder (`docs_dir`, default `docs/`), and,
//!   when there is no handbook.toml, `site_name`, `site_description`,
//!   `site_url`, `repo_url` and the branch in `edit_uri`;
//! - `nav`: pages get weights in nav order; a nav section whose pages share
//!   a folder without an index gets a landing page with the section's title;
//! - admonitions `!!! type "Title"` become callouts, `??? type` and
//!   `???+ type` collapsible ones (`<details>`), and content tabs
//!   `=== "Label"` stacked sections, each with its label;
//! - `--8<-- "file"` snippets are included; attribute lists (`{: .class }`)
//!   on headings become copbook's `{#id .class}`, elsewhere they are dropped;
//!   `[TOC]` markers and `*[ABBR]: ...` definitions are dropped.
//!
//! Other extensions' inline syntax (emoji shortcodes, `==mark==`, keys)
//! is left as written.

use super::folder::{self, text};
use super::text::{attribute_lists, fenced_lines, html_line};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::html::{callout_close, callout_open, collapsible_open};
use crate::load::{self, Document, Folder};
use crate::markdown::admonitions::{width, Admonition};
use crate::render::escape;
use crate::text::{SlugRule, TocSlugify};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

const CONFIG_NAMES: [&str; 2] = ["mkdocs.yml", "mkdocs.yaml"];
/// Body lines of admonitions and tabs are indented this much more than their marker.
const INDENT: usize = 4;
/// Admonitions nested deeper than this are left as written (no real page
/// gets near; the limit keeps a crafted file from exhausting the stack).
const MAX_NESTING: usize = 16;

pub fn detect(root: &Path) -> bool {
    config_name(root).is_some()
}

fn config_name(root: &Path) -> Option<&'static str> {
    CONFIG_NAMES.into_iter().find(|name| root.join(name).is_file())
}

/// `docs_dir` from `mkdocs.yml`, `docs` by default.
pub fn content_dir(root: &Path) -> String {
    let configured = config_name(root)
        .and_then(|name| folder::read_yaml(root, name, &mut Diagnostics::default()))
        .and_then(|c| text(c.get("docs_dir")));
    let dir = configured.unwrap_or_else(|| "docs".into());
    let dir = dir.trim_start_matches("./").trim_matches('/').to_string();
    if root.join(&dir).is_dir() {
        dir
    } else {
        String::new()
    }
}

pub fn adapt(folder: &mut Folder, diags: &mut Diagnostics) {
    let config_file = config_name(&folder.root).unwrap_or(CONFIG_NAMES[0]);
    let config = folder::read_yaml(&folder.root, config_file, diags).unwrap_or_default();
    // Links into the upstream site name headings by the ids its `toc` extension gave them.
    folder.config.markdown.heading_ids = heading_ids(&folder.root, config_file, &config, diags);
    // With `docs_dir: .` the configuration sits among the content.
    folder.files.retain(|f| !CONFIG_NAMES.contains(&f.logical.as_str()));
    let root = folder.root.clone();
    let content_dir = folder.content_dir.clone();
    for doc in &mut folder.documents {
        let body = include_snippets(doc, &root, &content_dir, diags);
        let lines: Vec<String> = body.split('\n').map(str::to_string).collect();
        doc.body = line_marks(blocks(lines, 0)).join("\n").into();
    }
    if let Some(nav) = config.get("nav") {
        apply_nav(folder, nav, config_file);
    }
    apply_config(folder, &config);
    folder::protect_fields(folder);
}

fn apply_config(folder: &mut Folder, config: &Map<String, Value>) {
    if folder::has_own_config(folder) {
        return;
    }
    if let Some(url) = text(config.get("site_url")) {
        folder::set_base_url(folder, &url);
    }
    let c = &mut folder.config;
    if let Some(title) = text(config.get("site_name")) {
        c.title = title;
    }
    if let Some(description) = text(config.get("site_description")) {
        c.description = Some(description);
    }
    if let Some(repo) = text(config.get("repo_url")) {
        c.repository = Some(repo.trim_end_matches('/').to_string());
    }
    // `edit_uri: edit/main/docs/` names the branch copbook's edit links need.
    let edit_uri = text(config.get("edit_uri")).unwrap_or_default();
    let mut parts = edit_uri.trim_matches('/').split('/');
    if let (Some("edit" | "blob"), Some(branch)) = (parts.next(), parts.next()) {
        c.branch = branch.to_string();
    }
}

/// The `toc` extension's settings in `markdown_extensions` (a list of
/// names, or of one-key maps from a name to its settings).
fn toc_settings(config: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let extensions = config.get("markdown_extensions")?;
    let items: Vec<&Value> = match extensions {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![extensions],
        _ => return None,
    };
    items.into_iter().filter_map(Value::as_object).find_map(|m| {
        m.iter().find(|(name, _)| *name == "toc" || *name == "markdown.extensions.toc").and_then(|(_, v)| v.as_object())
    })
}

/// The slug rule `toc` was given: its `separator`, and the function its
/// `slugify` names. YAML tags name the function
/// (`!!python/name:pymdownx.slugs.uslugify`, or
/// `!!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}`);
/// copbook's YAML reader keeps no tags, so the tag is read from the line.
/// A function copbook does not know is a warning naming that line, and the
/// default is used.
fn heading_ids(root: &Path, config_file: &str, config: &Map<String, Value>, diags: &mut Diagnostics) -> SlugRule {
    let Some(toc) = toc_settings(config) else { return SlugRule::MKDOCS };
    let separator = match toc.get("separator").and_then(Value::as_str) {
        Some(s) if s.chars().count() == 1 => s.chars().next().unwrap_or('-'),
        _ => '-',
    };
    let default = SlugRule::Mkdocs { slugify: TocSlugify::Ascii, separator };
    if !toc.contains_key("slugify") {
        return default;
    }
    let text = load::read_text(root, config_file, &mut Diagnostics::default()).unwrap_or_default();
    let kwds = toc.get("slugify").and_then(|v| v.get("kwds")).and_then(Value::as_object);
    let (line, found) = match slugify_tag(&text) {
        Some((line, tag)) => (line, toc_slugify(&tag, kwds)),
        None => (0, Err("is written in a way copbook cannot read".to_string())),
    };
    match found {
        Ok(slugify) => SlugRule::Mkdocs { slugify, separator },
        Err(why) => {
            diags.push(
                Diagnostic::warning(Code::ForeignConfig, format!("toc's slugify {why}; heading ids follow toc's default slugify, so links to headings on the old site may not find them"))
                    .at(config_file, line)
                    .hint("copbook knows markdown.extensions.toc.slugify and slugify_unicode, and pymdownx.slugs.slugify (case: none, lower, lower-ascii or fold; normalize; percent_encode) with its older names uslugify, uslugify_encoded, uslugify_cased, uslugify_cased_encoded, gfm and gfm_encoded; give headings ids of their own ({#id}) where links need them"),
            );
            default
        }
    }
}

/// The line of toc's `slugify:` in mkdocs.yml and the tag after it
/// (`python/name:module.function` or `python/object/apply:...`): the first
/// one indented under the `toc:` line (other extensions, such as
/// `pymdownx.tabbed`, have a `slugify` of their own).
fn slugify_tag(text: &str) -> Option<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let toc = lines.iter().position(|line| {
        let key = line.trim_start().trim_start_matches("- ").trim_start();
        key.starts_with("toc:") || key.starts_with("markdown.extensions.toc:")
    })?;
    let under = indent(lines[toc]);
    lines
        .iter()
        .enumerate()
        .skip(toc + 1)
        .take_while(|(_, l)| l.trim().is_empty() || l.trim_start().starts_with('#') || indent(l) > under)
        .find_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix("slugify:")?.trim_start();
            let tag = rest.strip_prefix("!!").or_else(|| rest.strip_prefix('!'))?;
            let tag = tag.split(|c: char| c.is_whitespace() || c == '{' || c == '[').next().unwrap_or("");
            Some((i as u32 + 1, tag.to_string()))
        })
}

/// The slugify function a tag names, with `kwds` for
/// `pymdownx.slugs.slugify`; what is wrong when copbook does not know it.
fn toc_slugify(tag: &str, kwds: Option<&Map<String, Value>>) -> Result<TocSlugify, String> {
    use crate::text::{Normalization, SlugCase};
    let pymdownx = |case, percent_encode| TocSlugify::Pymdownx { case, normalize: Normalization::Nfc, percent_encode };
    if let Some(name) = tag.strip_prefix("python/name:") {
        return match name.trim() {
            "markdown.extensions.toc.slugify" => Ok(TocSlugify::Ascii),
            "markdown.extensions.toc.slugify_unicode" => Ok(TocSlugify::Unicode),
            "pymdownx.slugs.uslugify" => Ok(pymdownx(SlugCase::Lower, false)),
            "pymdownx.slugs.uslugify_encoded" => Ok(pymdownx(SlugCase::Lower, true)),
            "pymdownx.slugs.uslugify_cased" => Ok(pymdownx(SlugCase::Keep, false)),
            "pymdownx.slugs.uslugify_cased_encoded" => Ok(pymdownx(SlugCase::Keep, true)),
            "pymdownx.slugs.gfm" => Ok(pymdownx(SlugCase::LowerAscii, false)),
            "pymdownx.slugs.gfm_encoded" => Ok(pymdownx(SlugCase::LowerAscii, true)),
            other => Err(format!("'{other}' is not one copbook knows")),
        };
    }
    let Some(name) = tag.strip_prefix("python/object/apply:") else {
        return Err(format!("is tagged '!!{tag}', which copbook does not read"));
    };
    if name.trim() != "pymdownx.slugs.slugify" {
        return Err(format!("'{}' is not one copbook knows", name.trim()));
    }
    let kwds = kwds.cloned().unwrap_or_default();
    let case = match kwds.get("case").and_then(Value::as_str).unwrap_or("none") {
        "none" => SlugCase::Keep,
        "lower" => SlugCase::Lower,
        "lower-ascii" => SlugCase::LowerAscii,
        "fold" => SlugCase::Fold,
        other => return Err(format!("has case '{other}', which is not none, lower, lower-ascii or fold")),
    };
    let normalize = match kwds.get("normalize").and_then(Value::as_str).unwrap_or("NFC") {
        "NFC" => Normalization::Nfc,
        "NFD" => Normalization::Nfd,
        "NFKC" => Normalization::Nfkc,
        "NFKD" => Normalization::Nfkd,
        other => return Err(format!("has normalize '{other}', which is not NFC, NFD, NFKC or NFKD")),
    };
    let percent_encode = kwds.get("percent_encode").and_then(Value::as_bool).unwrap_or(false);
    if let Some(other) = kwds.keys().find(|k| !["case", "normalize", "percent_encode"].contains(&k.as_str())) {
        return Err(format!("has the option '{other}', which copbook does not know"));
    }
    Ok(TocSlugify::Pymdownx { case, normalize, percent_encode })
}

/// One entry of `nav`, flattened: a page (by its path inside `docs_dir`)
/// or a section with its title, in nav order.
enum Entry {
    Page { path: String, title: Option<String> },
    Section { title: String, pages: Vec<String> },
}

fn flatten(nav: &Value, title: Option<String>, out: &mut Vec<Entry>) {
    match nav {
        Value::String(path) if !path.contains("://") => {
            out.push(Entry::Page { path: path.trim_start_matches("./").to_string(), title })
        }
        Value::Array(items) => {
            if let Some(title) = title {
                let pages = items.iter().filter_map(entry_path).collect();
                out.push(Entry::Section { title, pages });
            }
            for item in items {
                flatten(item, None, out);
            }
        }
        Value::Object(map) => {
            for (title, value) in map {
                flatten(value, Some(title.clone()), out);
            }
        }
        _ => {}
    }
}

/// The page a nav item names: `page.md` or `Title: page.md`.
fn entry_path(item: &Value) -> Option<String> {
    match item {
        Value::String(path) => Some(path.trim_start_matches("./").to_string()),
        Value::Object(map) => {
            map.values().next().and_then(Value::as_str).map(|p| p.trim_start_matches("./").to_string())
        }
        _ => None,
    }
}

/// Weights in nav order, titles from nav where a page has none, and a
/// landing page for each nav section whose folder has no index.
fn apply_nav(folder: &mut Folder, nav: &Value, config_file: &str) {
    let mut entries = Vec::new();
    flatten(nav, None, &mut entries);
    let by_logical: HashMap<String, usize> =
        folder.documents.iter().enumerate().map(|(i, d)| (d.logical.clone(), i)).collect();
    let mut landings: Vec<Document> = Vec::new();
    for (n, entry) in entries.into_iter().enumerate() {
        let weight = Value::from((n as i64 + 1) * 10);
        match entry {
            Entry::Page { path, title } => {
                let Some(&i) = by_logical.get(&path) else { continue };
                let doc = &mut folder.documents[i];
                folder::default_field(doc, "weight", weight);
                if let Some(title) = title.filter(|_| crate::text::first_heading(&doc.body).is_none()) {
                    folder::default_field(doc, "title", Value::String(title));
                }
            }
            Entry::Section { title, pages } => {
                let dirs: Vec<&str> = pages.iter().map(|p| folder::dir_of(p)).collect();
                let Some(dir) = dirs.first().copied().filter(|d| !d.is_empty() && dirs.iter().all(|x| x == d)) else {
                    continue;
                };
                let has_index = ["index.md", "README.md", "readme.md", "_index.md"].iter().any(|name| {
                    by_logical.contains_key(&format!("{dir}/{name}"))
                        || landings.iter().any(|l| l.logical == format!("{dir}/{name}"))
                });
                if has_index {
                    continue;
                }
                let mut front = load::FrontMatter::default();
                front.fields.insert("title".into(), Value::String(title));
                front.fields.insert("weight".into(), weight);
                landings.push(Document {
                    // Findings and edit links about the landing page point at the nav that made it.
                    path: config_file.to_string(),
                    logical: format!("{dir}/index.md"),
                    url: None,
                    redirect_from: Vec::new(),
                    front: std::sync::Arc::new(front),
                    body: "".into(),
                    body_line: 1,
                    updated: None,
                    history: Default::default(),
                });
            }
        }
    }
    folder.documents.extend(landings);
}

/// Includes `--8<-- "file"` snippets: the file's lines replace the marker.
/// Paths are tried from the repository, the docs folder and the page.
fn include_snippets(doc: &Document, root: &Path, content_dir: &str, diags: &mut Diagnostics) -> String {
    if !doc.body.contains("--8<--") {
        return doc.body.to_string();
    }
    let code = fenced_lines(&doc.body);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in doc.body.split('\n').enumerate() {
        let name = line.trim().strip_prefix("--8<--").map(|rest| rest.trim().trim_matches(['"', '\'']));
        let Some(name) = name.filter(|n| !n.is_empty() && !code.get(i).copied().unwrap_or(false)) else {
            out.push(line.to_string());
            continue;
        };
        let page_dir = folder::dir_of(&doc.path);
        let candidates = [name.to_string(), format!("{content_dir}/{name}"), format!("{page_dir}/{name}")];
        let found = candidates.iter().filter(|p| root.join(p).is_file()).find_map(|p| load::read_text(root, p, diags));
        match found {
            Some(text) => out.push(text.trim_end_matches('\n').to_string()),
            None => {
                diags.push(
                    Diagnostic::warning(
                        Code::MissingInclude,
                        format!("snippet '{name}' was not found; it is left out"),
                    )
                    .at(&doc.path, doc.body_line + i as u32)
                    .hint("snippet paths are relative to the folder holding mkdocs.yml"),
                );
                out.push(String::new());
            }
        }
    }
    out.join("\n")
}

/// A line that opens an admonition or a content tab.
struct Marker {
    indent: usize,
    open: String,
    close: &'static str,
    what: &'static str,
}

impl Marker {
    fn parse(line: &str) -> Option<Marker> {
        let indent = width(line);
        let trimmed = line.trim();
        let (head, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        let rest = rest.trim();
        match head {
            "!!!" | "???" | "???+" => {
                let a = Admonition::parse(line)?;
                let (open, close) = match a.collapsible {
                    None => (callout_open(a.kind, Some(&a.title)).replace('\n', ""), callout_close().trim_end()),
                    Some(shown) => (collapsible_open(a.kind, &a.title, shown), "</details>"),
                };
                Some(Marker { indent, open, close, what: "admonition" })
            }
            "===" | "===!" | "===+" if rest.starts_with('"') && rest.ends_with('"') && rest.len() >= 2 => {
                let label = escape(rest.trim_matches('"'));
                let html = format!("<div class=\"tab\"><p class=\"tab-label\"><strong>{label}</strong></p>");
                Some(Marker { indent, open: html, close: "</div>", what: "tab" })
            }
            _ => None,
        }
    }
}

/// The line with `INDENT` fewer columns of leading whitespace.
fn dedent(line: &str) -> String {
    let columns = width(line);
    let rest = line.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return String::new();
    }
    format!("{}{rest}", " ".repeat(columns.saturating_sub(INDENT)))
}

/// Admonitions and tabs become HTML around their (de-indented) Markdown
/// body. Each keeps its lines: the marker line opens, and the blank line
/// after the body closes; only a body that runs straight into the next
/// text, or to the end, needs a line of its own to close.
fn blocks(lines: Vec<String>, nesting: usize) -> Vec<String> {
    let code = fenced_lines(&lines.join("\n"));
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut i = 0;
    while i < lines.len() {
        let marker = if code.get(i).copied().unwrap_or(false) || nesting >= MAX_NESTING {
            None
        } else {
            Marker::parse(&lines[i])
        };
        let Some(marker) = marker else {
            out.push(lines[i].clone());
            i += 1;
            continue;
        };
        let pad = " ".repeat(marker.indent);
        let inside = |l: &String| l.trim().is_empty() || width(l) >= marker.indent + INDENT;
        let end = i + 1 + lines[i + 1..].iter().take_while(|l| inside(l)).count();
        let mut last = end;
        while last > i + 1 && lines[last - 1].trim().is_empty() {
            last -= 1;
        }
        if last == i + 1 {
            out.push(format!("{pad}{}", html_line(marker.what, &format!("{}{}", marker.open, marker.close))));
            i += 1;
            continue;
        }
        out.push(format!("{pad}{}", html_line(marker.what, &marker.open)));
        out.extend(blocks(lines[i + 1..last].iter().map(|l| dedent(l)).collect(), nesting + 1));
        out.push(format!("{pad}{}", html_line(&format!("end {}", marker.what), marker.close)));
        // The closing line took the place of the first blank line after the body.
        i = if last < end { last + 1 } else { last };
    }
    out
}

/// Line by line, outside code: `[TOC]` markers, abbreviation definitions
/// and attribute lists, which copbook would otherwise print as text.
fn line_marks(lines: Vec<String>) -> Vec<String> {
    let code = fenced_lines(&lines.join("\n"));
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if code.get(i).copied().unwrap_or(false) {
                return line;
            }
            let trimmed = line.trim();
            if trimmed == "[TOC]" || (trimmed.starts_with("*[") && trimmed.contains("]:")) {
                return String::new();
            }
            if line.contains("{:") {
                attribute_lists(&line)
            } else {
                line
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str) -> String {
        line_marks(blocks(text.split('\n').map(str::to_string).collect(), 0)).join("\n")
    }

    #[test]
    fn admonitions_become_callouts_line_for_line() {
        let text = "!!! warning \"Mind the gap\"\n    Body *text*.\n\n    More.\n\nAfter";
        let out = convert(text);
        assert_eq!(out.split('\n').count(), text.split('\n').count());
        let lines: Vec<&str> = out.split('\n').collect();
        assert!(lines[0].starts_with("<!-- admonition --><div class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Mind the gap</p>"), "{out}");
        assert_eq!(&lines[1..4], ["Body *text*.", "", "More."]);
        assert_eq!(lines[4], "<!-- end admonition --></div>");
        assert_eq!(lines[5], "After");
    }

    #[test]
    fn collapsible_nested_and_tabbed() {
        let out = convert("???+ tip\n    Open\n\n    !!! note\n        Inner\n\n=== \"One\"\n    1\n\n=== \"Two\"\n    ```\n    !!! not a marker\n    ```\n");
        assert!(
            out.contains("<details class=\"callout callout-tip\" open><summary class=\"callout-title\">Tip</summary>"),
            "{out}"
        );
        assert!(out.contains("<!-- admonition --><div class=\"callout callout-note\""), "{out}");
        assert!(out.contains("<p class=\"tab-label\"><strong>One</strong></p>"), "{out}");
        assert!(out.contains("```\n!!! not a marker\n```"), "{out}");
        assert_eq!(out.matches("</details>").count(), 1);
        assert_eq!(out.matches("<!-- end tab --></div>").count(), 2);
    }

    #[test]
    fn title_only_and_unclosed_admonitions() {
        assert_eq!(convert("!!! note \"Just this\"\nText").split('\n').count(), 2);
        let out = convert("- item\n\n    ??? question \"Why?\"\n        Because.\nNext");
        assert!(out.contains("    <!-- admonition --><details class=\"callout callout-note\"><summary class=\"callout-title\">Why?</summary>\n    Because.\n    <!-- end admonition --></details>\nNext"), "{out}");
    }

    #[test]
    fn markers_and_attribute_lists() {
        assert_eq!(
            convert("[TOC]\n*[HTML]: Hyper Text\n## A {: #a }\nText\n{: .lead }\n```\n[TOC]\n```"),
            "\n\n## A {#a}\nText\n\n```\n[TOC]\n```"
        );
    }

    #[test]
    fn odd_markers_never_panic() {
        for text in ["!!!", "!!! \"\"", "=== \"", "???+", "!!! note \"unclosed", "\t!!! x\n\tbody", "!!! é\n    é"] {
            let _ = convert(text);
        }
    }
}
