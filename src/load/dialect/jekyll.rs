//! Jekyll and Eleventy handbooks: Liquid templates around Markdown.
//!
//! Converted:
//! - `_config.yml` (when there is no handbook.toml): `title`, `description`,
//!   `url` + `baseurl`; its `exclude` list and `collections` (those with
//!   `output: true` are published at `/name/...`); Eleventy's input folder;
//! - front matter: `permalink` (the page's URL), `redirect_from`,
//!   `redirect_to` (the page becomes a redirect, and so do its
//!   `redirect_from` addresses), `nav_order` and
//!   `eleventyNavigation.order` (weights), `published: false` and
//!   `permalink: false` (not built); `layout` is ignored;
//! - posts `_posts/2024-01-31-title.md` at `/posts/2024-01-31-title/`
//!   (their Jekyll URL `/2024/01/31/title.html` redirects there); `.html`, `.liquid` and
//!   `.njk` pages with front matter become pages;
//! - Liquid: `{% raw %}`, `{% comment %}`, `{% include %}` and
//!   `{% include_relative %}` (from `_includes/`, with their parameters),
//!   `{% highlight %}` (a fenced code block), `{% link x.md %}` (an absolute
//!   URL in it is left as written),
//!   `{% post_url %}`, `{% page "x" %}`, `{{ site.baseurl }}`, `{{ site.url }}`,
//!   `{{ "/x" | relative_url }}` (and `absolute_url`, `url`), `{{ page.x }}`,
//!   `{{ site.title }}`; kramdown's `{: .class}` and `{:toc}`.
//!
//! Left out, with one warning per file naming the lines: other tags (for
//! `if`/`for` and the like only the tag itself; the text between is kept)
//! and other `{{ ... }}`. Code blocks and inline code are not touched,
//! apart from `{% raw %}` markers, which Jekyll removes there too.

use super::folder::{self, file_name, text};
use super::liquid::{page_values, Includes, Liquid, SiteValues};
use super::text::{attribute_lists, fenced_lines, html_body, is_html_name, Dropped};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{self, Document, Folder};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

const CONFIG_NAMES: [&str; 2] = ["_config.yml", "_config.yaml"];
const ELEVENTY_CONFIGS: [&str; 5] =
    [".eleventy.js", "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", "eleventy.config.ts"];
/// Folders and files of a Jekyll or Eleventy repository that are not content.
const NOT_CONTENT: [&str; 9] = [
    "node_modules/",
    "vendor/",
    "Gemfile",
    "Gemfile.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "CNAME",
    ".eleventyignore",
];

/// `_config.yml` or an Eleventy configuration file.
pub fn detect_config(root: &Path) -> bool {
    CONFIG_NAMES.iter().chain(ELEVENTY_CONFIGS.iter()).any(|name| root.join(name).is_file())
}

/// Liquid tags in the folder's pages, for handbooks without a config file.
pub fn detect_liquid(root: &Path) -> bool {
    const SIGNS: [&str; 10] = [
        "{% include",
        "{% raw",
        "{% link",
        "{% post_url",
        "{% highlight",
        "{% comment",
        "{% if ",
        "{{ site.",
        "{{ page.",
        "| relative_url",
    ];
    folder::list_files(root, 4)
        .iter()
        .filter(|p| load::is_markdown(p) || is_html_name(p))
        .take(200)
        .filter_map(|p| load::read_text(root, p, &mut Diagnostics::default()))
        .any(|text| SIGNS.iter().any(|sign| text.contains(sign)))
}

/// Jekyll's `source`, or Eleventy's input folder (read from its config file).
pub fn content_dir(root: &Path) -> String {
    let from_config = CONFIG_NAMES
        .iter()
        .find_map(|name| folder::read_yaml(root, name, &mut Diagnostics::default()))
        .and_then(|c| text(c.get("source")));
    let from_eleventy = || {
        ELEVENTY_CONFIGS
            .iter()
            .find_map(|name| load::read_text(root, name, &mut Diagnostics::default()))
            .and_then(|js| eleventy_input(&js))
    };
    let dir = from_config.or_else(from_eleventy).unwrap_or_default();
    let dir = dir.trim_start_matches("./").trim_matches('/').to_string();
    if !dir.is_empty() && dir != "." && root.join(&dir).is_dir() {
        dir
    } else {
        String::new()
    }
}

/// `input: "src"` in an Eleventy config file. JavaScript cannot be run
/// here; this reads the common literal form and nothing else.
fn eleventy_input(js: &str) -> Option<String> {
    let at = js.find("input")?;
    let rest = js[at + 5..].trim_start().strip_prefix(':')?.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let value = rest[1..].split(quote).next()?;
    Some(value.to_string())
}

pub fn adapt(folder: &mut Folder, diags: &mut Diagnostics) {
    let config = CONFIG_NAMES
        .iter()
        .find(|n| folder.root.join(n).is_file())
        .and_then(|n| folder::read_yaml(&folder.root, n, diags));
    let config = config.unwrap_or_default();
    let collections = output_collections(&config);
    let excluded = folder::text_list(config.get("exclude"));
    folder::retain(folder, |logical| is_content(logical, &collections, &excluded));
    take_template_pages(folder, diags);
    let site = SiteValues::of(&config);
    let posts =
        folder.documents.iter().filter(|d| d.logical.starts_with("_posts/")).map(|d| d.logical.clone()).collect();
    let includes = Includes { root: folder.root.clone(), content_dir: folder.content_dir.clone(), posts };
    for mut doc in std::mem::take(&mut folder.documents) {
        if !front_matter(&mut doc, &collections, diags) {
            continue;
        }
        convert_body(&mut doc, &site, &includes, diags);
        match text(doc.front.fields.get("redirect_to")) {
            // A page that only redirects is a redirect, not a page; its
            // own old addresses lead straight to where it leads.
            Some(to) => {
                let from = doc.url.clone().unwrap_or_else(|| default_url(&doc.logical));
                for old in std::iter::once(from).chain(doc.redirect_from.drain(..)) {
                    folder.redirects.push((old, to.clone()));
                }
            }
            None => folder.documents.push(doc),
        }
    }
    apply_config(folder, &config, diags);
    folder::protect_fields(folder);
}

/// HTML, Liquid and Nunjucks files with front matter are pages; Liquid and
/// Nunjucks files without are layouts or includes, not published.
fn take_template_pages(folder: &mut Folder, diags: &mut Diagnostics) {
    let content_root = folder.root.join(&folder.content_dir);
    folder.files.retain(|f| !is_template(&f.logical) || has_front_matter(&content_root.join(&f.logical)));
    let is_page = |logical: &str| {
        (is_html_name(logical) || is_template(logical)) && has_front_matter(&content_root.join(logical))
    };
    folder::take_pages(folder, |logical| is_page(logical).then(|| logical.to_string()), diags);
}

/// Runs the page's Liquid and kramdown marks; an HTML page keeps its HTML
/// and is named as Markdown, so it gets the URL a Markdown page would.
fn convert_body(doc: &mut Document, site: &SiteValues, includes: &Includes, diags: &mut Diagnostics) {
    let mut dropped = Dropped::new(&doc.path, "Liquid");
    let page = page_values(&doc.front.fields);
    let liquid = Liquid {
        site,
        page: &page,
        include: &HashMap::new(),
        includes,
        file: &doc.path,
        page_dir: folder::dir_of(&doc.path),
    };
    let body = liquid.run(&highlight_blocks(&doc.body), doc.body_line, 0, &mut dropped, diags);
    dropped.report(diags);
    let body = kramdown_marks(&body);
    if load::is_markdown(&doc.logical) {
        doc.body = body.into();
    } else {
        doc.body = html_body(&body).into();
        doc.logical = format!("{}.md", doc.logical.rsplit_once('.').map_or(doc.logical.as_str(), |(stem, _)| stem));
    }
}

fn apply_config(folder: &mut Folder, config: &Map<String, Value>, diags: &mut Diagnostics) {
    if folder::has_own_config(folder) {
        return;
    }
    let url = text(config.get("url")).unwrap_or_default();
    let base = text(config.get("baseurl")).unwrap_or_default();
    folder::set_base_url(folder, &format!("{}{}", url.trim_end_matches('/'), base));
    if let Some(title) = text(config.get("title")).or_else(|| site_data_title(folder, diags)) {
        folder.config.title = title;
    }
    if let Some(description) = text(config.get("description")) {
        folder.config.description = Some(description);
    }
}

/// Eleventy's global data `site` (`_data/site.json` or `.yaml`, in the
/// input folder): its `title`.
fn site_data_title(folder: &Folder, diags: &mut Diagnostics) -> Option<String> {
    let dirs = [folder.content_dir.trim_matches('/'), ""];
    let title = dirs
        .iter()
        .flat_map(|dir| {
            ["site.json", "site.yaml", "site.yml"].map(|name| {
                if dir.is_empty() {
                    format!("_data/{name}")
                } else {
                    format!("{dir}/_data/{name}")
                }
            })
        })
        .filter(|path| folder.root.join(path).is_file())
        .find_map(|path| {
            let data = if path.ends_with(".json") {
                load::read_text(&folder.root, &path, diags).and_then(|t| json_object(&path, &t, diags))
            } else {
                folder::read_yaml(&folder.root, &path, diags)
            };
            data.and_then(|d| text(d.get("title")))
        });
    title
}

/// A JSON data file's object; a problem with it is a warning with its line.
fn json_object(path: &str, text: &str, diags: &mut Diagnostics) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Map<String, Value>>(text) {
        Ok(map) => Some(map),
        Err(e) => {
            diags.push(
                Diagnostic::warning(Code::ForeignConfig, format!("not valid JSON: {e}; its settings are ignored"))
                    .at(path, e.line() as u32),
            );
            None
        }
    }
}

/// Collections published as pages (`output: true`), by folder name.
fn output_collections(config: &Map<String, Value>) -> Vec<String> {
    match config.get("collections") {
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| v.get("output").and_then(Value::as_bool) == Some(true))
            .map(|(name, _)| name.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a file is content: Jekyll leaves out folders starting with `_`
/// (layouts, includes, data, the built `_site`...) except posts and
/// published collections, its own files, and what `exclude` names.
fn is_content(logical: &str, collections: &[String], excluded: &[String]) -> bool {
    let top = logical.split('/').next().unwrap_or("");
    let in_folder = logical.contains('/');
    if in_folder && top.starts_with('_') && top != "_posts" && !collections.iter().any(|c| top == format!("_{c}")) {
        return false;
    }
    if CONFIG_NAMES.contains(&logical) || ELEVENTY_CONFIGS.contains(&logical) {
        return false;
    }
    let matches = |pattern: &str| match pattern.split_once('*') {
        Some((head, tail)) => logical.starts_with(head) && logical.ends_with(tail),
        None => {
            logical == pattern.trim_end_matches('/')
                || logical.starts_with(&format!("{}/", pattern.trim_end_matches('/')))
        }
    };
    !NOT_CONTENT.iter().any(|p| matches(p)) && !excluded.iter().any(|p| matches(p.trim_start_matches('/')))
}

/// Liquid and Nunjucks template files.
fn is_template(logical: &str) -> bool {
    let lower = logical.to_ascii_lowercase();
    lower.ends_with(".liquid") || lower.ends_with(".njk")
}

fn has_front_matter(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && (head.starts_with(b"---\n") || head == *b"---\r")
}

/// Reads the front-matter keys Jekyll and Eleventy give meaning to.
/// `false` when the page is not to be built.
fn front_matter(doc: &mut Document, collections: &[String], diags: &mut Diagnostics) -> bool {
    let fields = &doc.front.fields;
    if fields.get("published") == Some(&Value::Bool(false)) || fields.get("permalink") == Some(&Value::Bool(false)) {
        return false;
    }
    doc.redirect_from.extend(folder::text_list(fields.get("redirect_from")));
    let order = fields
        .get("nav_order")
        .or_else(|| fields.get("eleventyNavigation").and_then(|n| n.get("order")))
        .and_then(Value::as_i64);
    if let Some(permalink) = text(fields.get("permalink")) {
        if permalink.contains(':') || permalink.contains("{{") || permalink.contains("{%") {
            diags.push(
                Diagnostic::warning(
                    Code::NotConverted,
                    format!("permalink pattern '{permalink}' was not converted; the page is served at its file's URL"),
                )
                .at(&doc.path, doc.front.line_of("permalink"))
                .hint("write the URL itself, e.g. permalink: /guides/onboarding/"),
            );
        } else {
            doc.url = Some(normalise_url(&permalink));
        }
    } else if let Some(post) = doc.logical.strip_prefix("_posts/") {
        if let Some((url, old)) = post_urls(post) {
            doc.url = Some(url);
            doc.redirect_from.push(old);
        }
    } else if let Some(top) =
        doc.logical.split('/').next().and_then(|t| t.strip_prefix('_')).filter(|t| collections.iter().any(|c| c == t))
    {
        let rest = doc.logical.split_once('/').map_or("", |(_, r)| r);
        doc.url = Some(format!("/{top}{}", default_url(rest)));
    }
    if let Some(order) = order {
        folder::default_field(doc, "weight", Value::from(order));
    }
    true
}

/// `/a/b` and `/a/b/index.html` -> `/a/b/`; `/a.html` stays.
fn normalise_url(permalink: &str) -> String {
    let url = format!("/{}", permalink.trim().trim_start_matches('/'));
    let url = url.strip_suffix("index.html").map(str::to_string).unwrap_or(url);
    let last = url.rsplit('/').next().unwrap_or("");
    if url.ends_with('/') || last.contains('.') {
        url
    } else {
        format!("{url}/")
    }
}

/// A post's URL (`/posts/2024-01-31-title/`) and its Jekyll URL
/// (`/2024/01/31/title.html`). Posts are gathered in one section rather
/// than spread over a section for each year, month and day.
fn post_urls(name: &str) -> Option<(String, String)> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem = file_name(stem);
    let mut parts = stem.splitn(4, '-');
    let (y, m, d, title) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let dated =
        y.len() == 4 && m.len() == 2 && d.len() == 2 && [y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    dated.then(|| (format!("/posts/{}/", stem.replace(' ', "-")), format!("/{y}/{m}/{d}/{title}.html")))
}

/// The URL copbook gives a file with no permalink (`a/b.md` -> `/a/b/`).
fn default_url(logical: &str) -> String {
    let stem = logical.rsplit_once('.').map_or(logical, |(s, _)| s);
    let stem = stem.strip_suffix("index").unwrap_or(stem).trim_end_matches('/');
    if stem.is_empty() {
        "/".into()
    } else {
        format!("/{}/", stem.replace(' ', "-"))
    }
}

/// `{% highlight lang %}` ... `{% endhighlight %}` on lines of their own
/// become fences, so that what is between counts as code from here on.
fn highlight_blocks(body: &str) -> String {
    if !body.contains("highlight") {
        return body.to_string();
    }
    let code = fenced_lines(body);
    let mut inside = false;
    let lines: Vec<String> = body
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let tag =
                line.trim().strip_prefix("{%").and_then(|t| t.strip_suffix("%}")).map(|t| t.trim_matches('-').trim());
            let words: Vec<&str> = tag.map(|t| t.split_whitespace().collect()).unwrap_or_default();
            match words.first().copied() {
                Some("highlight") if !inside && !code.get(i).copied().unwrap_or(false) => {
                    inside = true;
                    format!("```{}", words.get(1).copied().unwrap_or(""))
                }
                Some("endhighlight") if inside => {
                    inside = false;
                    "```".to_string()
                }
                _ => line.to_string(),
            }
        })
        .collect();
    lines.join("\n")
}

/// kramdown's attribute lists, and its `* TOC` + `{:toc}` table of contents
/// (copbook makes its own).
fn kramdown_marks(body: &str) -> String {
    if !body.contains("{:") {
        return body.to_string();
    }
    let code = fenced_lines(body);
    let mut lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    for i in 0..lines.len() {
        if code.get(i).copied().unwrap_or(false) || !lines[i].contains("{:") {
            continue;
        }
        if lines[i].trim().replace(' ', "") == "{:toc}" && i > 0 {
            let toc = lines[i - 1].trim().trim_start_matches(['*', '-', '+', '1', '.']).trim();
            if toc.eq_ignore_ascii_case("toc") {
                lines[i - 1].clear();
            }
        }
        lines[i] = attribute_lists(&lines[i]);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (String, Diagnostics) {
        let dir = tempfile::tempdir().expect("temp dir");
        let includes_dir = dir.path().join("_includes");
        std::fs::create_dir_all(&includes_dir).expect("mkdir");
        std::fs::write(includes_dir.join("note.html"), "<div class=\"note\">\n  {{ include.content }}\n</div>\n")
            .expect("write");
        let site = SiteValues { title: "Site".into(), description: String::new() };
        let page: HashMap<String, String> = [("title".to_string(), "Page".to_string())].into();
        let includes = Includes {
            root: dir.path().to_path_buf(),
            content_dir: String::new(),
            posts: vec!["_posts/2024-01-31-hello.md".into()],
        };
        let liquid = Liquid {
            site: &site,
            page: &page,
            include: &HashMap::new(),
            includes: &includes,
            file: "a.md",
            page_dir: "",
        };
        let mut diags = Diagnostics::default();
        let mut dropped = Dropped::new("a.md", "Liquid");
        let out = liquid.run(&highlight_blocks(text), 1, 0, &mut dropped, &mut diags);
        dropped.report(&mut diags);
        (kramdown_marks(&out), diags)
    }

    #[test]
    fn links_resolve_to_root_relative_targets() {
        let (out, diags) = run("[a]({{ site.baseurl }}/guides/a/) [b]({{ \"/b/\" | relative_url }}) [c]({% link guides/c.md %}) [d]({% page \"d\" %}) [e]({% post_url 2024-01-31-hello %}) [f]({{ 'x' | url }})");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(out, "[a](/guides/a/) [b](/b/) [c](/guides/c.md) [d](/d) [e](/_posts/2024-01-31-hello.md) [f](/x)");
    }

    #[test]
    fn raw_comment_include_and_code() {
        let text = "{% raw %}{{ kept }}{% endraw %}\n{% comment %}\nhidden\n{% endcomment %}\n{% include note.html content=\"Hi\" %}\n`{{ code }}`\n```\n{{ code }} {% raw %}x{% endraw %}\n```\n{% highlight ruby %}\nputs \"{{ y }}\"\n{% endhighlight %}\n# {{ page.title }} of {{ site.title }}";
        let (out, diags) = run(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(out.split('\n').count(), text.split('\n').count());
        assert_eq!(
            out,
            "{{ kept }}\n\n\n\n<!-- include note.html --><div class=\"note\"> Hi </div>\n`{{ code }}`\n```\n{{ code }} x\n```\n```ruby\nputs \"{{ y }}\"\n```\n# Page of Site"
        );
    }

    #[test]
    fn unknown_liquid_is_dropped_with_one_warning() {
        let (out, diags) = run("{% if x %}\nShown\n{% endif %}\n{{ site.data.x }} {% include missing.html %}\n{% capture c %}\nx\n{% endcapture %}");
        assert_eq!(out, "\nShown\n\n \n\n\n");
        let codes: Vec<(&str, u32)> = diags.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(codes, [("missing-include", 4), ("not-converted", 1)]);
        assert!(diags.0[1].message.contains("and 1 more"), "{}", diags.0[1].message);
    }

    #[test]
    fn kramdown_toc_and_attributes() {
        assert_eq!(kramdown_marks("* TOC\n{:toc}\n## A\n{: .x}"), "\n\n## A\n");
    }

    #[test]
    fn urls_and_content() {
        assert_eq!(normalise_url("about"), "/about/");
        assert_eq!(normalise_url("/a/index.html"), "/a/");
        assert_eq!(normalise_url("/a.html"), "/a.html");
        assert_eq!(
            post_urls("2024-01-31-hello-world.md"),
            Some(("/posts/2024-01-31-hello-world/".into(), "/2024/01/31/hello-world.html".into()))
        );
        assert_eq!(post_urls("notes.md"), None);
        assert_eq!(default_url("guides/index.md"), "/guides/");
        assert_eq!(default_url("a b.md"), "/a-b/");
        let collections = vec!["docs".to_string()];
        assert!(is_content("_posts/x.md", &collections, &[]));
        assert!(is_content("_docs/x.md", &collections, &[]));
        assert!(!is_content("_includes/x.html", &collections, &[]));
        assert!(!is_content("vendor/bundle/x.md", &collections, &[]));
        assert!(!is_content("drafts/x.md", &collections, &["drafts/".into()]));
        assert!(!is_content("x.gemspec", &collections, &["*.gemspec".into()]));
        assert!(is_content("_index.md", &collections, &[]), "a file, not a folder");
        assert_eq!(
            eleventy_input("module.exports = { dir: { input: \"src\", output: \"_site\" } }").as_deref(),
            Some("src")
        );
    }

    #[test]
    fn odd_liquid_never_panics() {
        for text in [
            "{%",
            "{{",
            "{% raw %}",
            "{% endraw %}",
            "{{ | }}",
            "{% include %}",
            "{% comment %}",
            "é{{é}}é{%é%}",
            "{{ 'x' | prepend: }}",
            "{% include a.html x= %}",
        ] {
            let _ = run(text);
        }
    }
}
