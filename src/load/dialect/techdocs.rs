//! GOV.UK tech-docs handbooks (Middleman and the `govuk_tech_docs` gem).
//!
//! Converted:
//! - pages `x.html.md.erb`, `x.html.md`, `x.md.erb` (and `x.html.erb` HTML
//!   pages) become `x.md`, so they are served at `x/` and links to `x.html`
//!   still find them;
//! - `config/tech-docs.yml` (beside `source/`, or one folder up when copbook
//!   is pointed at `source/`): `service_name`, `description`, `host`,
//!   `github_repo`/`github_branch`, `max_toc_heading_level`,
//!   `default_owner_slack` and `redirects`, when there is no handbook.toml;
//! - front matter: `old_paths` become redirects, `layout: withdrawn` adds
//!   the "withdrawn" warning upstream's layout shows; `title`, `weight`,
//!   `last_reviewed_on`, `review_in` and `owner_slack` are read by copbook;
//! - ERB: `<%= partial "..." %>` includes the partial, `<%= warning_text("...") %>`
//!   becomes a warning callout, `<%= current_page.data.x %>` the page's
//!   front-matter value, `<%= Time.current.year %>` the year, and `<%%` a
//!   literal `<%`.
//!
//! Left out: `<% content_for ... do %>` blocks (sidebar markup; copbook makes
//! its own), partials and layouts as pages, and any other ERB, with one
//! warning per file naming the lines.

use super::folder::{self, file_name, text};
use super::text::{
    blank_like, code_spans, drop_title_h1, expand_include, fenced_lines, html_body, html_line, line_at, Dropped,
    Include,
};
use crate::diag::Diagnostics;
use crate::html::{callout_close, callout_open};
use crate::load::{Document, Folder};
use serde_json::{Map, Value};
use std::path::Path;

const CONFIG: &str = "config/tech-docs.yml";

/// `config/tech-docs.yml`, or ERB pages anywhere below the folder.
pub fn detect(root: &Path) -> bool {
    config_path(root).is_some() || folder::list_files(root, 6).iter().any(|p| p.ends_with(".html.md.erb"))
}

/// `source` when the folder is a repository with a `source/` folder.
pub fn content_dir(root: &Path) -> String {
    if root.join("source").is_dir() {
        "source".into()
    } else {
        String::new()
    }
}

/// Where the configuration is, relative to the folder.
fn config_path(root: &Path) -> Option<String> {
    root.join(CONFIG).is_file().then(|| CONFIG.into())
}

/// The project folder when `path` is the `source/` folder of a tech-docs
/// project: the configuration lives beside `source/`, and copbook reads
/// nothing outside the folder it builds, so it builds the project.
pub fn project_of_source(path: &Path) -> Option<std::path::PathBuf> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".."));
    let named_source = std::fs::canonicalize(path).ok()?.file_name().is_some_and(|n| n == "source");
    (named_source && parent.join(CONFIG).is_file()).then(|| parent.to_path_buf())
}

pub fn adapt(folder: &mut Folder, today: crate::date::Date, diags: &mut Diagnostics) {
    // Links into the upstream site name headings by Redcarpet's ids.
    folder.config.markdown.heading_ids = crate::text::SlugRule::TechDocs;
    let config =
        config_path(&folder.root).and_then(|path| folder::read_yaml(&folder.root, &path, diags).map(|c| (path, c)));
    folder::take_pages(folder, page_name, diags);
    // Partials, layouts, other templates and the Middleman project's own
    // files (when the content is not in `source/`) are not pages of the site.
    folder.files.retain(|f| {
        let name = file_name(&f.logical);
        let project_file = ["config.rb", "Gemfile", "Gemfile.lock", CONFIG].contains(&f.logical.as_str());
        !(name.starts_with('_') || f.logical.starts_with("layouts/") || name.ends_with(".erb") || project_file)
    });
    folder.documents.retain(|d| !file_name(&d.logical).starts_with('_') && !d.logical.starts_with("layouts/"));
    let default_owner = config.as_ref().and_then(|(_, c)| text(c.get("default_owner_slack")));
    let year = today.year;
    let root = folder.root.clone();
    let content_dir = folder.content_dir.clone();
    for doc in &mut folder.documents {
        if let Some(logical) = markdown_name(&doc.logical) {
            // Upstream served the page as `x.html`: bookmarks and other
            // sites' links to that URL get a redirect page.
            if let Some(stem) = logical.strip_suffix(".md").filter(|s| *s != "index" && !s.ends_with("/index")) {
                doc.redirect_from.push(format!("/{stem}.html"));
            }
            doc.logical = logical;
        }
        adapt_document(doc, &root, &content_dir, year, diags);
        if let Some(owner) = &default_owner {
            // Upstream shows the owner only on pages that are reviewed.
            if doc.front.fields.contains_key("last_reviewed_on") {
                folder::default_field(doc, "owner_slack", Value::String(owner.clone()));
            }
        }
    }
    if let Some((path, config)) = config {
        apply_config(folder, &path, &config);
    }
    folder::protect_fields(folder);
}

/// Which published files are `.erb` pages, to be read as documents (their
/// names are made Markdown names with the loader's documents).
fn page_name(logical: &str) -> Option<String> {
    let name = file_name(logical);
    if name.starts_with('_') || logical.starts_with("layouts/") || !name.ends_with(".erb") {
        return None;
    }
    markdown_name(logical).map(|_| logical.to_string())
}

/// `x.html.md.erb`, `x.md.erb`, `x.html.md` and `x.html.erb` -> `x.md`.
fn markdown_name(logical: &str) -> Option<String> {
    [".html.md.erb", ".md.erb", ".html.md", ".html.erb"]
        .iter()
        .find_map(|ext| logical.strip_suffix(ext))
        .map(|stem| format!("{stem}.md"))
}

/// One page: `old_paths`, its ERB, `#content` links, the title heading
/// the template already shows, and the `withdrawn` notice.
fn adapt_document(doc: &mut Document, root: &Path, content_dir: &str, year: i32, diags: &mut Diagnostics) {
    doc.redirect_from.extend(folder::text_list(doc.front.fields.get("old_paths")));
    let mut dropped = Dropped::new(&doc.path, "ERB");
    let erb = Erb { root, content_dir, front: &doc.front.fields, year, file: &doc.path };
    let body = erb.run(&doc.body, doc.body_line, 0, &mut dropped, diags);
    dropped.report(diags);
    let body = content_anchor(&body);
    let mut body = match text(doc.front.fields.get("title")) {
        Some(title) => drop_title_h1(&body, &title),
        None => body,
    };
    if doc.path.ends_with(".html.erb") {
        body = html_body(&body);
    }
    if text(doc.front.fields.get("layout")).as_deref() == Some("withdrawn") {
        // Upstream's `withdrawn` layout says so above the page. The notice
        // takes the line before the body (the front matter's closing line).
        let notice = format!(
            "{}<p>This guidance has been withdrawn.</p>{}",
            callout_open("warning", Some("Withdrawn")),
            callout_close()
        );
        body = format!("{}\n{body}", html_line("withdrawn", &notice.replace('\n', "")));
        doc.body_line = doc.body_line.saturating_sub(1).max(1);
    }
    doc.body = body.into();
}

fn apply_config(folder: &mut Folder, path: &str, config: &Map<String, Value>) {
    if let Some(Value::Object(redirects)) = config.get("redirects") {
        for (from, to) in redirects {
            if let Some(to) = text(Some(to)) {
                let to = page_url(folder, &to).unwrap_or(to);
                folder.redirects.push((from.clone(), to));
            }
        }
    }
    if folder::has_own_config(folder) {
        return;
    }
    let c = &mut folder.config;
    if let Some(title) = text(config.get("service_name")) {
        c.title = title;
    }
    if let Some(description) = text(config.get("description")) {
        c.description = Some(description);
    }
    if let Some(depth) = config.get("max_toc_heading_level").and_then(Value::as_u64) {
        c.theme.toc_depth = depth.clamp(2, 6) as u8;
    }
    // Edit links name files from the repository root, which is only known
    // when copbook was pointed at it.
    if let (Some(repo), false) = (text(config.get("github_repo")), path.starts_with("..")) {
        c.repository = Some(format!("https://github.com/{repo}"));
        if let Some(branch) = text(config.get("github_branch")) {
            c.branch = branch;
        }
    }
    if let Some(host) = text(config.get("host")) {
        folder::set_base_url(folder, &host);
    }
}

/// The copbook URL of an upstream page URL (`/a/b.html#x` -> `/a/b/#x`),
/// so a redirect leads straight to the page rather than to the redirect
/// page its old `.html` URL now is, which would lose the anchor.
fn page_url(folder: &Folder, upstream: &str) -> Option<String> {
    let (path, anchor) = match upstream.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (upstream, String::new()),
    };
    let stem = path.trim_start_matches('/').strip_suffix(".html")?;
    let is_page = |logical: String| folder.documents.iter().any(|d| d.logical == logical);
    let dir = stem.strip_suffix("index").map(|d| d.trim_end_matches('/'));
    let url = match dir {
        Some(dir) if is_page(format!("{stem}.md")) => format!("/{dir}/").replace("//", "/"),
        None if is_page(format!("{stem}.md")) => format!("/{stem}/"),
        _ => return None,
    };
    Some(format!("{url}{anchor}"))
}

/// Runs the ERB of one page or partial, as far as copbook can.
struct Erb<'a> {
    root: &'a Path,
    content_dir: &'a str,
    /// The page's front matter, for `current_page.data`.
    front: &'a Map<String, Value>,
    year: i32,
    /// The page, for findings.
    file: &'a str,
}

/// A Ruby block being left out, up to its `<% end %>`.
struct Skip {
    nesting: usize,
    line: u32,
    code: String,
    /// Left out without a warning (`content_for`).
    silent: bool,
}

/// One ERB tag: `<%= ... %>` (output), `<% ... %>` (code) or `<%# ... %>`.
struct Tag<'t> {
    output: bool,
    comment: bool,
    code: &'t str,
    /// Byte range of the whole tag in the text.
    start: usize,
    end: usize,
}

impl Erb<'_> {
    /// The text with its ERB replaced. What cannot be run is left out with
    /// as many line breaks as it held, so later lines keep their numbers.
    fn run(&self, text: &str, first_line: u32, depth: usize, dropped: &mut Dropped, diags: &mut Diagnostics) -> String {
        if !text.contains("<%") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut skipping: Option<Skip> = None;
        while let Some(tag) = next_tag(text, at) {
            let between = &text[at..tag.start];
            let source = &text[tag.start..tag.end];
            at = tag.end;
            let line = line_at(text, tag.start, first_line);
            if let Some(skip) = skipping.as_mut() {
                out.push_str(&blank_like(between));
                out.push_str(&blank_like(source));
                if tag.comment || tag.output {
                    continue;
                }
                if opens_block(tag.code) {
                    skip.nesting += 1;
                } else if tag.code.trim() == "end" {
                    skip.nesting -= 1;
                    if skip.nesting == 0 {
                        if !skip.silent {
                            dropped.add(skip.line, &format!("<% {} %> … <% end %> (to line {line})", skip.code));
                        }
                        skipping = None;
                    }
                }
                continue;
            }
            out.push_str(&between.replace("<%%", "<%"));
            if tag.comment {
                out.push_str(&blank_like(source));
            } else if !tag.output {
                let code = tag.code.trim();
                if opens_block(code) {
                    // `content_for` captures sidebar markup: copbook makes its own sidebar.
                    let silent = code.starts_with("content_for");
                    skipping = Some(Skip { nesting: 1, line, code: code.to_string(), silent });
                } else {
                    dropped.add(line, &format!("<% {code} %>"));
                }
                out.push_str(&blank_like(source));
            } else {
                let alone = alone_on_line(text, tag.start, tag.end);
                match self.output(tag.code.trim(), alone, line, depth, diags) {
                    Some(value) => {
                        let missing = source.matches('\n').count().saturating_sub(value.matches('\n').count());
                        out.push_str(&value);
                        out.push_str(&"\n".repeat(missing));
                    }
                    None => {
                        dropped.add(line, &format!("<%= {} %>", tag.code.trim()));
                        out.push_str(&blank_like(source));
                    }
                }
            }
        }
        if let Some(skip) = skipping {
            dropped.add(skip.line, &format!("<% {} %> (never closed by <% end %>)", skip.code));
            out.push_str(&blank_like(&text[at..]));
        } else {
            out.push_str(&text[at..].replace("<%%", "<%"));
        }
        out
    }

    /// The text an output tag stands for; `None` when copbook cannot run it.
    fn output(&self, code: &str, alone: bool, line: u32, depth: usize, diags: &mut Diagnostics) -> Option<String> {
        if let Some(args) = call_args(code, "partial") {
            return Some(self.partial(&ruby_string(args)?, alone, line, depth, diags));
        }
        if let Some(args) = call_args(code, "warning_text") {
            let html = format!("{}<p>{}</p>{}", callout_open("warning", None), ruby_string(args)?, callout_close())
                .replace('\n', "");
            return Some(if alone { html_line("warning_text", &html) } else { html });
        }
        if let Some(key) = code.strip_prefix("current_page.data") {
            let key = key.trim_start_matches(['.', '[', ':']).trim_end_matches(']').trim_matches(['"', '\'']);
            return Some(text(self.front.get(key)).unwrap_or_default());
        }
        if ["Time.current.year", "Time.now.year", "Date.today.year"].contains(&code) {
            return Some(self.year.to_string());
        }
        None
    }

    /// The partial's text, with its own ERB run. HTML is joined onto one
    /// line so the page's later lines keep their numbers.
    fn partial(&self, name: &str, alone: bool, line: u32, depth: usize, diags: &mut Diagnostics) -> String {
        let candidates = partial_candidates(self.content_dir, name);
        let include = Include {
            what: "partial",
            name,
            candidates: &candidates,
            file: self.file,
            line,
            depth,
            alone,
            language: "ERB",
        };
        let run = |_: &str, source: &str, dropped: &mut Dropped, diags: &mut Diagnostics| {
            self.run(source, 1, depth + 1, dropped, diags)
        };
        expand_include(self.root, &include, run, diags)
    }
}

/// Links to `#content`, the id tech-docs layouts give the page's main
/// column, mean "this page": the anchor is dropped (copbook's layout has
/// no such id), leaving `#` where nothing else is left of the target.
fn content_anchor(body: &str) -> String {
    const ANCHOR: &str = "#content";
    if !body.contains(ANCHOR) {
        return body.to_string();
    }
    let code = fenced_lines(body);
    let mut lines: Vec<String> = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        if code.get(i).copied().unwrap_or(false) || !line.contains(ANCHOR) {
            lines.push(line.to_string());
            continue;
        }
        let spans = code_spans(line);
        let mut out = String::with_capacity(line.len());
        let mut at = 0;
        while let Some(found) = line[at..].find(ANCHOR).map(|i| at + i) {
            let end = found + ANCHOR.len();
            let ends_target =
                line[end..].chars().next().is_none_or(|c| matches!(c, ')' | '"' | '\'' | '>' | ' ' | '\t'));
            let in_code = spans.iter().any(|(s, e)| *s <= found && found < *e);
            out.push_str(&line[at..found]);
            if !ends_target || in_code {
                out.push_str(ANCHOR);
            } else if line[..found].ends_with(['(', '"', '\'', ' ', '\t']) {
                out.push('#');
            }
            at = end;
        }
        out.push_str(&line[at..]);
        lines.push(out);
    }
    lines.join("\n")
}

/// Where `partial "partials/name"` may live: `partials/_name.html.erb`
/// and its siblings, inside the content folder first, then the repository.
fn partial_candidates(content_dir: &str, name: &str) -> Vec<String> {
    let name = name.trim_start_matches('/');
    let (dir, base) = match name.rfind('/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => ("", name),
    };
    let mut out = Vec::new();
    let roots =
        if content_dir.is_empty() { vec![String::new()] } else { vec![format!("{content_dir}/"), String::new()] };
    for root in &roots {
        out.push(format!("{root}{name}"));
        for prefix in ["_", ""] {
            for ext in [".html.erb", ".erb", ".html.md.erb", ".md.erb", ".html.md", ".md", ".html"] {
                out.push(format!("{root}{dir}{prefix}{base}{ext}"));
            }
        }
    }
    out
}

/// The next ERB tag at or after `from`. `<%%` is not a tag (it stands for
/// a literal `<%`); an unclosed `<%` is left as text.
fn next_tag(text: &str, from: usize) -> Option<Tag<'_>> {
    let mut search = from;
    loop {
        let start = search + text.get(search..)?.find("<%")?;
        let after = start + 2;
        if text[after..].starts_with('%') {
            search = after + 1;
            continue;
        }
        let close = after + text[after..].find("%>")?;
        let inner = &text[after..close];
        let (output, comment) = (inner.starts_with('='), inner.starts_with('#'));
        let code = inner.trim_start_matches(['=', '-', '#']).trim_end_matches(['-', '=']);
        return Some(Tag { output, comment, code, start, end: close + 2 });
    }
}

/// Whether Ruby code opens a block closed by a later `<% end %>`.
fn opens_block(code: &str) -> bool {
    let code = code.trim();
    let last_word = code.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    let ends_with_do = last_word == "do" || (code.ends_with('|') && code.contains(" do |"));
    ends_with_do || ["if ", "unless ", "while ", "until ", "for ", "case ", "begin"].iter().any(|k| code.starts_with(k))
}

/// The arguments of `name(...)` or `name ...`.
fn call_args<'c>(code: &'c str, name: &str) -> Option<&'c str> {
    let rest = code.strip_prefix(name)?;
    if !rest.starts_with(['(', ' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_start_matches('(').trim_end_matches(')').trim())
}

/// The first Ruby string literal (`'...'`, `"..."`) or symbol (`:name`) of
/// an argument list.
fn ruby_string(args: &str) -> Option<String> {
    let args = args.trim();
    if let Some(symbol) = args.strip_prefix(':') {
        return Some(symbol.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
    }
    let quote = args.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut out = String::new();
    let mut chars = args[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if c == quote => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// Whether only whitespace shares the tag's line.
fn alone_on_line(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, front: &Map<String, Value>) -> (String, Diagnostics) {
        let dir = tempfile::tempdir().expect("temp dir");
        let partials = dir.path().join("source/partials");
        std::fs::create_dir_all(&partials).expect("mkdir");
        std::fs::write(partials.join("_nav.html.erb"), "<ul>\n  <li><a href=\"/a.html\">A</a></li>\n</ul>\n")
            .expect("write");
        std::fs::write(partials.join("_note.md"), "Some *Markdown*\n\nin two paragraphs\n").expect("write");
        let erb = Erb { root: dir.path(), content_dir: "source", front, year: 2031, file: "source/p.html.md.erb" };
        let mut diags = Diagnostics::default();
        let mut dropped = Dropped::new("source/p.html.md.erb", "ERB");
        let out = erb.run(text, 5, 0, &mut dropped, &mut diags);
        dropped.report(&mut diags);
        (out, diags)
    }

    #[test]
    fn page_names() {
        assert_eq!(markdown_name("a/b.html.md.erb").as_deref(), Some("a/b.md"));
        assert_eq!(markdown_name("index.html.md").as_deref(), Some("index.md"));
        assert_eq!(page_name("partials/_x.html.erb"), None);
        assert_eq!(page_name("b.html.md"), None, "already a document");
        assert_eq!(page_name("x.html.erb").as_deref(), Some("x.html.erb"));
        assert_eq!(page_name("x.png"), None);
    }

    #[test]
    fn known_erb_is_replaced_line_for_line() {
        let mut front = Map::new();
        front.insert("title".into(), Value::String("The Title".into()));
        let text = "# <%= current_page.data.title %>\n\n<%= partial 'partials/nav' %>\n\n`(c) <%= Time.current.year %>`\n\n<%= warning_text(\"Don't <a href='x.html'>do</a>\") %>\n\n```\n# <%%= current_page.data.title %>\n${{ secrets.X }}\n```\n";
        let (out, diags) = run(text, &front);
        assert!(diags.is_empty(), "{diags:?}");
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines.len(), text.split('\n').count());
        assert_eq!(lines[0], "# The Title");
        assert_eq!(lines[2], "<!-- partial partials/nav --><ul> <li><a href=\"/a.html\">A</a></li> </ul>");
        assert_eq!(lines[4], "`(c) 2031`");
        assert!(
            lines[6].starts_with("<!-- warning_text --><div class=\"callout callout-warning\" role=\"note\">"),
            "{}",
            lines[6]
        );
        assert!(lines[6].contains("<p>Don't <a href='x.html'>do</a></p></div>"), "{}", lines[6]);
        assert_eq!(lines[9], "# <%= current_page.data.title %>");
        assert_eq!(lines[10], "${{ secrets.X }}");
    }

    #[test]
    fn blocks_and_unknown_erb_are_dropped_with_one_warning() {
        let text = "<% content_for :sidebar do %>\n<ul>\n<%= partial 'partials/nav' %>\n</ul>\n<% end %>\nText\n<ul>\n  <% sitemap.resources.each do |r| %>\n    <% if r.x %>\n      <li><%= r.url =%></li>\n    <% end %>\n  <% end %>\n</ul>\n<%= link_to 'x', y %>\n";
        let (out, diags) = run(text, &Map::new());
        assert_eq!(out.split('\n').count(), text.split('\n').count());
        assert_eq!(out, "\n\n\n\n\nText\n<ul>\n  \n\n\n\n\n</ul>\n\n");
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let d = &diags.0[0];
        assert_eq!((d.code.as_str(), d.line), ("not-converted", 12));
        assert!(d.message.contains("sitemap.resources.each"), "{}", d.message);
        assert!(d.message.contains("link_to"), "{}", d.message);
    }

    #[test]
    fn markdown_partials_keep_their_lines_and_missing_ones_warn() {
        let (out, diags) = run("A\n<%= partial \"partials/note\" %>\nB\n<%= partial 'partials/none' %>\n", &Map::new());
        assert_eq!(out, "A\nSome *Markdown*\n\nin two paragraphs\nB\n\n");
        assert_eq!(diags.0.len(), 1);
        assert_eq!((diags.0[0].code.as_str(), diags.0[0].line), ("missing-include", 8));
    }

    #[test]
    fn layout_content_anchor_means_the_page() {
        let body =
            "[a](/x.html#content) [b](#content) [c](#contents)\n[d]: /y.html#content\n`#content`\n```\n#content\n```";
        assert_eq!(
            content_anchor(body),
            "[a](/x.html) [b](#) [c](#contents)\n[d]: /y.html\n`#content`\n```\n#content\n```"
        );
    }

    #[test]
    fn odd_erb_never_panics() {
        for text in [
            "<%",
            "<%=",
            "<%%>",
            "a <% end %> b",
            "<%= partial %>",
            "<%= partial '' %>",
            "<%= warning_text('x %>",
            "<% if x %>\n",
            "é<%=é%>é",
        ] {
            let _ = run(text, &Map::new());
        }
    }
}
