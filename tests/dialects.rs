//! Handbooks written for other generators build unedited: the GDS Way
//! (GOV.UK tech-docs) corpus, and small handbooks written here for MkDocs,
//! Jekyll/Eleventy and Confluence exports, built by the real binary with
//! assertions on the generated HTML and on the warnings.

mod support;
use std::path::{Path, PathBuf};
use support::*;

/// Links that lead nowhere, but each only once: the print page repeats
/// every page's body, so a link broken on a page is broken there too. Links
/// inside the print page itself (`#...`) still count.
fn broken_links(out: &Path, base: &str) -> Vec<String> {
    unresolved_links(out, base)
        .into_iter()
        .filter(|b| !b.starts_with("print/index.html: ") || b.starts_with("print/index.html: #"))
        .collect()
}

/// Builds `root` into a new temporary folder; returns it, the output and stderr.
fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    let mut args =
        vec!["build", root.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8"), "--today", "2026-11-23"];
    args.extend_from_slice(extra);
    let o = copbook(&args);
    let err = stderr(&o);
    assert!(o.status.success(), "build failed:\n{err}");
    (dir, out, err)
}

/// The `<div class="page-body">` part of a built page: what the body became
/// (with the "In this section" cards), without the pager and footer.
fn body_of(out: &Path, path: &str) -> String {
    let html = read(out, path);
    let start = html.find("<div class=\"page-body\">").unwrap_or(0);
    let rest = &html[start..];
    let end = ["<section class=\"backlinks\"", "<nav class=\"pager\"", "</main>"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    rest[..end].to_string()
}

/// Findings of one code, as `file:line` (column left out).
fn findings(err: &str, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = err.lines();
    while let Some(line) = lines.next() {
        if line.starts_with(&format!("warning[{code}]")) || line.starts_with(&format!("error[{code}]")) {
            if let Some(at) = lines.next().and_then(|l| l.split("─ ").nth(1)) {
                let mut parts = at.trim().split(':');
                out.push(format!("{}:{}", parts.next().unwrap_or(""), parts.next().unwrap_or("")));
            }
        }
    }
    out
}

fn warnings_count(err: &str) -> usize {
    err.lines().filter(|l| l.starts_with("warning[")).count()
}

/// Links broken in the GDS Way itself, at corpus commit 627911cd. (The
/// security overview's link to the DNS page's title works: the title's
/// `<h1>` has the id tech-docs gives it.)
const GDS_WAY_BROKEN_UPSTREAM: [&str; 1] = [
    // Swift page: `[programming languages](/programming-languages)`, a URL upstream never had.
    "manuals/programming-languages/swift/index.html: /programming-languages (no file programming-languages)",
];

#[test]
fn gds_way_builds_unedited_with_every_page_and_link() {
    let Some(root) = shared_corpus("gds-way") else { return };
    let (_dir, out, err) = build(&root, &[]);
    assert!(err.contains("as a GOV.UK tech-docs handbook"), "{err}");
    // Every page at the URL of its upstream `.html` name, as `x/`.
    let sources: Vec<String> = walk(&root.join("source")).into_iter().filter(|p| p.ends_with(".html.md.erb")).collect();
    assert_eq!(sources.len(), 65);
    for source in &sources {
        let stem = source.trim_end_matches(".html.md.erb");
        let page = match stem.strip_suffix("index") {
            Some(dir) => format!("{dir}index.html"),
            None => format!("{stem}/index.html"),
        };
        let html = read(&out, &page);
        assert!(!html.contains("<%") && !html.contains("%&gt;") || page == "index.html", "{page} prints ERB");
        assert!(!html.contains("></h1>"), "{page} has an empty <h1>");
        assert_eq!(html.matches("<h1").count(), 1, "{page} has more than one <h1>");
        // Old `.html` URLs still lead to the page.
        if !stem.ends_with("index") {
            assert!(out.join(format!("{stem}.html")).is_file(), "{stem}.html redirect missing");
        }
    }
    let mut broken = broken_links(&out, "/");
    broken.sort();
    assert_eq!(broken, GDS_WAY_BROKEN_UPSTREAM, "unresolved links:\n{}", broken.join("\n"));
    // The home page's code sample shows ERB, as upstream does; nothing else of it.
    let home = body_of(&out, "index.html");
    assert_eq!(home.matches("&lt;%").count(), 1, "{home}");
    assert!(home.contains("page-banner") && home.contains("/standards/naming-software-products/"));
    assert!(!home.contains("sitemap.resources"));
    // Code blocks come out verbatim, `${{ ... }}` included.
    assert!(body_of(&out, "standards/source-code/using-github-actions/index.html").contains("${{ "));
    assert!(body_of(&out, "manuals/licensing/index.html").contains("Copyright (c) 20"));
    assert!(body_of(&out, "standards/pull-requests/index.html").contains("callout callout-warning"));
    assert!(body_of(&out, "standards/test-driven-development/index.html").contains("<svg"));
    assert!(body_of(&out, "standards/operating-systems/index.html").contains("This guidance has been withdrawn."));
    // Site settings from config/tech-docs.yml.
    assert!(read(&out, "index.html").contains("<title>The GDS Way"), "site title from service_name");
    assert!(out.join("standards/git.html").is_file(), "redirects from config/tech-docs.yml");
    // One warning for the Ruby loop, on its line; the broken link and anchor above.
    assert_eq!(findings(&err, "not-converted"), ["source/index.html.md.erb:161"]);
    assert_eq!(findings(&err, "broken-link"), ["source/manuals/programming-languages/swift.html.md.erb:12"]);
    let built: usize =
        err.split("built ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(built >= sources.len(), "{built} pages built");
    eprintln!("GDS Way: {built} pages, {} warnings", warnings_count(&err));
}

#[test]
fn gds_way_builds_from_its_source_folder_too() {
    let Some(root) = shared_corpus("gds-way") else { return };
    let (_dir, out, err) = build(&root.join("source"), &[]);
    assert!(err.contains("as a GOV.UK tech-docs handbook"), "{err}");
    assert!(read(&out, "index.html").contains("<title>The GDS Way"), "config found one folder up");
    assert!(out.join("standards/source-code/working-with-git/index.html").is_file());
    assert!(!out.join("partials").exists(), "partials are not published");
}

#[test]
fn tech_docs_handbook_converts_erb_config_and_front_matter() {
    let dir = fixture(&[
        ("config/tech-docs.yml", "service_name: Team Way\ndescription: How the team works\nmax_toc_heading_level: 2\ndefault_owner_slack: '#team'\nredirects:\n  /old.html: /guides/new.html#part\n"),
        ("source/index.html.md.erb", "---\ntitle: Team Way\n---\n\n# <%= current_page.data.title %>\n\nSee [the guide](guides/new.html) and [plain](plain.html).\n"),
        ("source/guides/new.html.md.erb", "---\ntitle: New guide\nlast_reviewed_on: 2026-10-01\nreview_in: 6 months\nweight: 1\nold_paths:\n  - /guides/previous.html\n---\n<% content_for :sidebar do %>\n<a href=\"missing.html\">sidebar</a>\n<% end %>\n<%= partial 'partials/note' %>\n# <%= current_page.data.title %>\n\n## Part\n\n<%= warning_text('Take care') %>\n\n<%= link_to 'Home', '/' %>\n\nBroken [link](nowhere.html).\n"),
        ("source/plain.html.md", "# Plain page\n\nNo ERB here.\n"),
        ("source/partials/_note.md", "Shared *note* from a partial.\n"),
        ("source/layouts/custom.erb", "<%= yield %>"),
        ("source/images/x.png", "png"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(err.contains("as a GOV.UK tech-docs handbook"), "{err}");
    let html = read(&out, "guides/new/index.html");
    assert_eq!(html.matches("<h1").count(), 1, "the title is the only h1");
    assert!(html.contains("<p>Shared <em>note</em> from a partial.</p>"), "{html}");
    assert!(html.contains("callout callout-warning") && html.contains("<p>Take care</p>"), "{html}");
    let body = body_of(&out, "guides/new/index.html");
    assert!(!body.contains("sidebar</a>") && !body.contains("link_to") && !body.contains("&lt;%"), "{body}");
    assert!(html.contains("#team"), "default_owner_slack for reviewed pages");
    assert!(read(&out, "index.html").contains("href=\"/guides/new/\""), "x.html links find the page");
    assert!(read(&out, "index.html").contains("href=\"/plain/\""), ".html.md pages too");
    assert!(read(&out, "index.html").contains("<title>Team Way</title>"));
    for redirect in ["old.html", "guides/previous.html", "guides/new.html", "plain.html"] {
        assert!(out.join(redirect).is_file(), "{redirect} redirect missing");
    }
    assert!(read(&out, "old.html").contains("/guides/new/#part"), "config redirects lead to the page itself");
    assert!(!out.join("partials").exists() && !out.join("layouts").exists());
    // The ERB that could not run, on its line; the partial moved no line.
    assert_eq!(findings(&err, "not-converted"), ["source/guides/new.html.md.erb:19"]);
    assert_eq!(findings(&err, "broken-link"), ["source/guides/new.html.md.erb:21"]);
    assert!(!err.contains("error["), "{err}");
    // Warnings never fail a build unless --strict.
    let strict = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap(), "--strict"]);
    assert!(!strict.status.success());
}

#[test]
fn tech_docs_year_comes_from_the_build_date() {
    let dir = fixture(&[
        ("config/tech-docs.yml", "service_name: Years\n"),
        ("source/index.html.md.erb", "# Home\n\nCopyright <%= Time.current.year %> the team.\n"),
    ]);
    let out = dir.path().join("site");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap(), "--today", "2031-05-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&out, "index.html").contains("Copyright 2031 the team."), "--today reaches the adapter");
}

#[test]
fn mkdocs_handbook_converts_admonitions_tabs_and_nav() {
    let dir = fixture(&[
        ("mkdocs.yml", "site_name: Team Handbook\nsite_description: How we work\nrepo_url: https://github.com/org/handbook/\nedit_uri: edit/trunk/docs/\nnav:\n  - Home: index.md\n  - Getting started: start.md\n  - Guides:\n      - guides/b.md\n      - Alpha: guides/a.md\nmarkdown_extensions:\n  - admonition\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"),
        ("README.md", "# Repository readme, not a page\n"),
        ("docs/index.md", "# Welcome\n\n[TOC]\n\nSee [start](start.md) and [guide A](guides/a.md#details).\n\n!!! note \"Read this first\"\n    Admonition *body*.\n\n??? tip \"More\"\n    Hidden until opened.\n\n???+ warning\n    Open by default.\n\n=== \"macOS\"\n    Run `brew install x`.\n\n=== \"Windows\"\n    Run `winget install x`.\n\nA paragraph.\n{: .lead }\n\n## Section {: #custom-id }\n\n--8<-- \"docs/snippets/shared.md\"\n\n*[HTML]: Hyper Text Markup Language\n"),
        ("docs/snippets/shared.md", "Snippet text.\n"),
        ("docs/start.md", "---\ntitle: Start here\n---\nText with [a broken link](missing.md).\n\n!!! danger\n    Inside.\nAfter.\n"),
        ("docs/guides/a.md", "# Alpha guide\n\n## Details\n"),
        ("docs/guides/b.md", "# Beta guide\n"),
        ("docs/sub/README.md", "# Sub section\n\nA README is its folder's landing page.\n"),
        ("docs/sub/page.md", "# Sub page\n\nBack [up](README.md).\n"),
        // Material's `status` and an owner that is no community would be copbook errors.
        ("docs/standards/api.md", "---\ntitle: API standard\nstatus: new\nowner: Jane Smith\n---\nUse REST.\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(err.contains("as a MkDocs handbook"), "{err}");
    let home = body_of(&out, "index.html");
    assert!(
        home.contains(
            "<div class=\"callout callout-note\" role=\"note\"><p class=\"callout-title\">Read this first</p>"
        ),
        "{home}"
    );
    assert!(home.contains("<p>Admonition <em>body</em>.</p>"), "{home}");
    assert!(
        home.contains("<details class=\"callout callout-tip\"><summary class=\"callout-title\">More</summary>"),
        "{home}"
    );
    assert!(
        home.contains(
            "<details class=\"callout callout-warning\" open><summary class=\"callout-title\">Warning</summary>"
        ),
        "{home}"
    );
    assert!(home.contains("<strong>macOS</strong>") && home.contains("<strong>Windows</strong>"), "{home}");
    assert!(home.contains("id=\"custom-id\"") && home.contains("Snippet text."), "{home}");
    for printed in ["[TOC]", "{:", "*[HTML]", "!!!", "???", "===", "--8&lt;--"] {
        assert!(!home.contains(printed), "{printed} printed: {home}");
    }
    assert!(read(&out, "index.html").contains("<title>Team Handbook</title>"));
    // Nav order, and a landing page for the Guides section titled from nav.
    let guides = read(&out, "guides/index.html");
    assert!(guides.contains("<h1 id=\"guides\">Guides</h1>"), "{guides}");
    assert!(guides.find("/guides/b/").unwrap() < guides.find("/guides/a/").unwrap(), "b comes first in nav");
    // The menu follows nav; the cards leave out what the text already links (start.md).
    let page = read(&out, "index.html");
    let menu = &page[page.find("id=\"cb-menu\"").expect("a menu")..];
    assert!(menu.find("href=\"/start/\"").expect("start") < menu.find("href=\"/guides/\"").expect("guides"), "{menu}");
    let cards = &home[home.find("cb-section-pages").expect("cards")..];
    assert!(!cards.contains("href=\"/start/\"") && cards.contains("href=\"/guides/\""), "{cards}");
    let start = read(&out, "start/index.html");
    assert!(
        start.contains("https://github.com/org/handbook/edit/trunk/docs/start.md"),
        "edit link from repo_url and edit_uri"
    );
    assert!(start.contains("callout callout-caution"), "danger is a caution callout");
    assert!(!out.join("README").exists(), "the repository readme is outside docs_dir");
    assert!(read(&out, "standards/api/index.html").contains("Jane Smith"), "a foreign owner is the page's contact");
    assert!(read(&out, "sub/index.html").contains(">Sub section</h1>"));
    assert!(body_of(&out, "sub/page/index.html").contains("href=\"/sub/\""), "links to README.md lead to the section");
    assert_eq!(findings(&err, "broken-link"), ["docs/start.md:4"]);
    let broken = broken_links(&out, "/");
    assert_eq!(broken.len(), 1, "{broken:?}");
}

#[test]
fn jekyll_handbook_resolves_liquid_links_and_front_matter() {
    let dir = fixture(&[
        ("_config.yml", "title: Jekyll Handbook\nbaseurl: /handbook\nexclude: [notes/]\ncollections:\n  teams:\n    output: true\n"),
        ("index.md", "---\nlayout: home\ntitle: Home\n---\nLinks: [a]({{ site.baseurl }}/guides/a/) [b]({{ \"/guides/b/\" | relative_url }}) [c]({% link guides/c.md %}) [d]({% page \"guides/a\" %}) [post]({% post_url 2024-01-31-hello %}) [old](/old-a/)\n\n{% include note.html content=\"Included text\" %}\n\n{% raw %}{{ not liquid }}{% endraw %}\n\n{% comment %}\nSecret\n{% endcomment %}\n\n```yaml\nrun: ${{ matrix.os }} {{ site.baseurl }}\n```\n\n{% for x in site.pages %}\n- {{ x.title }}\n{% endfor %}\n\n{% highlight ruby %}\nputs \"{{ x }}\"\n{% endhighlight %}\n\nBroken [link]({{ site.baseurl }}/nowhere/).\n"),
        ("guides/a.md", "---\ntitle: Guide A\npermalink: /a-guide/\nredirect_from:\n  - /old-a/\nnav_order: 2\n---\nA text\n"),
        ("guides/b.md", "---\ntitle: Guide B\nnav_order: 1\n---\nB text\n"),
        ("guides/c.md", "---\ntitle: Guide C\n---\nC text\n"),
        ("moved.md", "---\nredirect_to: /a-guide/\n---\n"),
        ("draft.md", "---\ntitle: Draft\npublished: false\n---\n"),
        ("_posts/2024-01-31-hello.md", "---\ntitle: Hello\n---\nPost\n"),
        ("_includes/note.html", "<div class=\"note\">\n  {{ include.content }}\n</div>\n"),
        ("_layouts/default.html", "<html>{{ content }}</html>\n"),
        ("_teams/red.md", "---\ntitle: Red team\n---\nRed\n"),
        ("notes/private.md", "# Private\n"),
        ("about.html", "---\ntitle: About\n---\n<h2>About us</h2>\n\n    <p>Indented</p>\n"),
        ("Gemfile", "source 'https://rubygems.org'\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(err.contains("as a Jekyll/Eleventy handbook"), "{err}");
    let home = body_of(&out, "index.html");
    for href in
        ["/handbook/a-guide/", "/handbook/guides/b/", "/handbook/guides/c/", "/handbook/posts/2024-01-31-hello/"]
    {
        assert!(home.contains(&format!("href=\"{href}\"")), "{href} missing: {home}");
    }
    let links = &home[..home.find("</p>").unwrap_or(home.len())];
    assert_eq!(links.matches("href=\"/handbook/a-guide/\"").count(), 3, "a, d and the redirected old URL: {links}");
    assert!(home.contains("<div class=\"note\"> Included text </div>"), "{home}");
    assert!(home.contains("{{ not liquid }}") && !home.contains("Secret"), "{home}");
    assert!(home.contains("run: ${{ matrix.os }} {{ site.baseurl }}"), "code is untouched: {home}");
    assert!(home.contains("<code class=\"language-ruby\">puts \"{{ x }}\""), "{home}");
    assert!(!home.contains("{%") && !home.contains("x.title"), "{home}");
    for page in [
        "a-guide/index.html",
        "guides/b/index.html",
        "teams/red/index.html",
        "posts/2024-01-31-hello/index.html",
        "about/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    for redirect in ["old-a/index.html", "moved/index.html", "2024/01/31/hello.html"] {
        assert!(out.join(redirect).is_file(), "{redirect} redirect missing");
    }
    for absent in ["_includes", "_layouts", "_teams", "_posts", "notes", "Gemfile", "draft", "_config.yml"] {
        assert!(!out.join(absent).exists(), "{absent} published");
    }
    let about = body_of(&out, "about/index.html");
    assert!(
        about.contains("<h2>About us</h2>") && about.contains("<p>Indented</p>") && !about.contains("<pre>"),
        "{about}"
    );
    assert!(read(&out, "index.html").contains("<title>Jekyll Handbook</title>"));
    assert_eq!(findings(&err, "not-converted"), ["index.md:19"]);
    assert_eq!(findings(&err, "broken-link"), ["index.md:27"]);
    let broken = broken_links(&out, "/handbook/");
    assert_eq!(broken.len(), 1, "{broken:?}");
}

#[test]
fn eleventy_handbook_reads_its_input_folder() {
    let dir = fixture(&[
        (
            ".eleventy.js",
            "module.exports = function (config) {\n  return { dir: { input: \"src\", output: \"_site\" } };\n};\n",
        ),
        ("README.md", "# Repository readme\n"),
        (
            "src/index.md",
            "---\ntitle: Home\neleventyNavigation:\n  key: Home\n  order: 1\n---\n[Guide]({{ '/the-guide/' | url }})\n",
        ),
        ("src/guide.md", "---\ntitle: Guide\npermalink: /the-guide/\n---\nText\n"),
        ("src/hidden.md", "---\ntitle: Hidden\npermalink: false\n---\n"),
        ("src/_includes/base.njk", "<html>{{ content | safe }}</html>\n"),
        ("src/contact.njk", "---\ntitle: Contact\n---\n<p>Write to us.</p>\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(err.contains("as a Jekyll/Eleventy handbook"), "{err}");
    assert!(body_of(&out, "index.html").contains("href=\"/the-guide/\""));
    assert!(out.join("the-guide/index.html").is_file() && out.join("contact/index.html").is_file());
    assert!(!out.join("hidden").exists() && !out.join("_includes").exists() && !out.join("README").exists());
    assert!(unresolved_links(&out, "/").is_empty());
}

#[test]
fn confluence_export_resolves_exported_links_and_cleans_page_furniture() {
    let cop = "---\ntitle: Communities of Practice\ndescription: Communities of Practice\nlayout: ../layouts/MainLayout.astro\n---\n\n![Photo of a table](attachments/404979738/404979773.jpg?width=680)\n\n# Communities of Practice\n\nRead our [digital glossary](Shelter%27s-glossary_712245258.html), the [principles](Intro-to-our-principles%2C-guidelines-and-standards_455966725.html), the [intro](393871368.html), the [glossary again](https://example.atlassian.net/wiki/spaces/GTS/pages/712245258/Shelter+s+glossary) and a [draft](https://example.atlassian.net/wiki/pages/resumedraft.action?draftId=1).\n\nWho we are\n----------\n\n*   loose item one\n\n*   loose item two\n\n> **'Coming together as a community helps us all.'**\n>\n> Jane Doe, UX Lead (February 2021)\n\n# Second part\n\n![](images/icons/bullet_blue.gif) [deck.pptx](attachments/404979738/1.pptx) (application/pptx)\n";
    let dir = fixture(&[
        ("package.json", "{}\n"),
        ("astro.config.mjs", "export default {}\n"),
        ("src/pages/Communities-of-Practice_404979738.md", cop),
        ("src/pages/Shelters-glossary_712245258.md", "---\ntitle: Shelter's glossary\ndescription: Shelter's glossary\nlayout: ../layouts/MainLayout.astro\n---\n\nIntro.\n\n![](images/icons/grey_arrow_down.png)Backlog\n\nA prioritised list.\n\n![](images/icons/grey_arrow_down.png)MVP\n\nMinimal viable product.\n"),
        ("src/pages/Intro-to-our-principles%2C-guidelines-and-standards_455966725.md", "---\ntitle: Intro to our principles, guidelines and standards\n---\nText\n"),
        ("src/pages/393871368.md", "---\ntitle: Being a modern charity\n---\nIntro\n"),
        ("src/pages/Whats-new_937033868.md", "![Banner](attachments/404979738/404979773.jpg)\n\n# What's new\n\nRelease 4.\n"),
        ("src/pages/Contact-us_123456789.md", "Write to us.\n"),
        ("public/attachments/404979738/404979773.jpg", "jpg"),
        ("public/attachments/404979738/1.pptx", "pptx"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(err.contains("as a Confluence export handbook"), "{err}");
    let html = read(&out, "Communities-of-Practice_404979738/index.html");
    assert_eq!(html.matches("<h1").count(), 1, "one h1");
    assert!(!html.contains("class=\"lead\""), "a description repeating the title is not shown");
    let body = body_of(&out, "Communities-of-Practice_404979738/index.html");
    for href in [
        "/Shelters-glossary_712245258/",
        "/Intro-to-our-principles,-guidelines-and-standards_455966725/",
        "/393871368/",
        "/attachments/404979738/1.pptx",
    ] {
        assert_eq!(
            body.matches(&format!("href=\"{href}\"")).count(),
            if href.contains("glossary") { 2 } else { 1 },
            "{href}: {body}"
        );
    }
    assert!(body.contains("src=\"/attachments/404979738/404979773.jpg\""), "{body}");
    assert!(body.contains("resumedraft.action"), "links Confluence cannot map are left as written");
    assert!(
        body.contains("<h2 id=\"who-we-are\">Who we are</h2>")
            && body.contains("<h2 id=\"second-part\">Second part</h2>"),
        "{body}"
    );
    assert!(body.contains("<li>\n<p>loose item one</p>"), "{body}");
    assert!(body.contains("<figcaption>Jane Doe, UX Lead (February 2021)</figcaption>"), "{body}");
    assert!(!body.contains("images/icons"), "{body}");
    let glossary = body_of(&out, "Shelters-glossary_712245258/index.html");
    // Expand macros: titles as summaries, not paragraphs like the definitions.
    assert!(
        glossary.contains("<details><summary>Backlog</summary>\n<p>A prioritised list.</p>\n</details>")
            && glossary.contains("<details><summary>MVP</summary>")
            && !glossary.contains("images/icons"),
        "{glossary}"
    );
    let whats_new = read(&out, "Whats-new_937033868/index.html");
    assert!(
        whats_new.contains(">What&#39;s new</h1>") && !whats_new.contains("s new</h2>"),
        "the body's heading is the title, shown once"
    );
    assert_eq!(whats_new.matches("<h1").count(), 1);
    assert!(read(&out, "Contact-us_123456789/index.html").contains(">Contact us</h1>"), "title from the file name");
    // One missing icon left (the expand arrows became summaries): one warning for the build.
    let icons: Vec<&str> = err.lines().filter(|l| l.contains("Confluence icon")).collect();
    assert_eq!(icons.len(), 1, "{err}");
    assert!(icons[0].contains("1 Confluence icon images"), "{err}");
    assert!(
        findings(&err, "missing-asset").iter().all(|f| f == "src/pages/Communities-of-Practice_404979738.md:26"),
        "{err}"
    );
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
}

#[test]
fn everyone_gets_gfm_raw_html_and_warnings_with_lines() {
    let page = "# Everything\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nA note.[^1]\n\n[^1]: The footnote.\n\n- [x] done\n- [ ] to do\n\nVisit https://example.org and <https://example.com>.\n\n> [!NOTE]\n> Alert body.\n\n<details><summary>More</summary>\n\nHidden text.\n\n</details>\n\n<svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>\n\n### Deep first\n\n## Same\n\n#### Skipped level\n\n## Same\n\n[bad anchor](#nowhere) and ![missing](img/none.png) and [gone](gone.md).\n";
    let dir = fixture(&[("mkdocs.yml", "site_name: All\n"), ("docs/index.md", page)]);
    let (_d, out, err) = build(dir.path(), &[]);
    let body = body_of(&out, "index.html");
    for expected in [
        "<table>",
        "footnote",
        "type=\"checkbox\"",
        "href=\"https://example.com\"",
        "callout callout-note",
        "<details><summary>More</summary>",
        "<svg width=\"10\"",
        "id=\"same\"",
        "id=\"same_1\"",
        "Skipped level",
    ] {
        assert!(body.contains(expected), "{expected} missing: {body}");
    }
    // A TOC that starts below level 2 and skips a level still lists every entry.
    let html = read(&out, "index.html");
    let start = html.find("aria-labelledby=\"cb-toc\"").expect("toc");
    let toc = &html[start..start + html[start..].find("</nav>").unwrap_or(html.len() - start)];
    for entry in ["#deep-first", "#same", "#same_1"] {
        assert!(toc.contains(&format!("href=\"{entry}\"")), "{entry} not in the TOC: {toc}");
    }
    assert_eq!(findings(&err, "broken-anchor"), ["docs/index.md:35"]);
    assert_eq!(findings(&err, "missing-asset"), ["docs/index.md:35"]);
    assert_eq!(findings(&err, "broken-link"), ["docs/index.md:35"]);
}

/// Every file below `root`, relative, `/`-separated.
fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_foreign_folder_builds_into_site_and_leaves_its_public_folder_alone() {
    let dir = fixture(&[
        ("mkdocs.yml", "site_name: X\n"),
        ("docs/index.md", "# Hi\n"),
        ("public/robots.txt", "astro's own\n"),
    ]);
    let o = copbook(&["build", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("_site/index.html").is_file());
    assert_eq!(std::fs::read_to_string(dir.path().join("public/robots.txt")).unwrap(), "astro's own\n");
    let check = copbook(&["check", dir.path().to_str().unwrap()]);
    assert!(stderr(&check).contains("as a MkDocs handbook"), "{}", stderr(&check));
}

#[test]
fn a_yaml_key_given_twice_warns_with_both_lines_and_the_last_value_wins() {
    // As Ruby's Psych does for the tech-docs page; copbook's own pages the same.
    let tech_docs = fixture(&[
        ("config/tech-docs.yml", "service_name: Twice\nservice_name: Twice Way\n"),
        ("source/index.html.md.erb", "---\ntitle: Home\n---\nWelcome.\n"),
        ("source/guide.html.md.erb", "---\ntitle: Guide\nsection: Old\nweight: 2\nsection: Standards\n---\nText.\n"),
    ]);
    let (_d, out, err) = build(tech_docs.path(), &[]);
    assert!(read(&out, "guide/index.html").contains("<h1"), "the page is built");
    assert!(read(&out, "index.html").contains("<title>Twice Way"), "{err}");
    assert_eq!(findings(&err, "duplicate-key"), ["config/tech-docs.yml:2", "source/guide.html.md.erb:5"], "{err}");
    assert!(err.contains("the key 'section' is given twice, on lines 3 and 5"), "{err}");
    let own = fixture(&[
        ("handbook.toml", "title = \"Own\"\n"),
        ("index.md", "---\ntitle: One\ndescription: D\ntitle: Two\n---\nText.\n"),
    ]);
    let (_d, out, err) = build(own.path(), &[]);
    assert!(read(&out, "index.html").contains(">Two</h1>"), "{err}");
    assert_eq!(findings(&err, "duplicate-key"), ["index.md:4"]);
    assert!(err.contains("on lines 2 and 4"), "{err}");
}

#[test]
fn liquid_link_to_an_absolute_url_is_left_as_written() {
    let dir = fixture(&[
        ("eleventy.config.js", "export default function () {}\n"),
        ("index.md", "---\ntitle: Home\n---\n[Standards]({% link \"https://example.org/standards/\" %}), [mail]({% link 'mailto:team@example.org' %}), [cdn]({% link //cdn.example.org/x.css %}) and [guide]({% link guide.md %}).\n"),
        ("guide.md", "---\ntitle: Guide\n---\nText.\n"),
    ]);
    let (_d, out, _err) = build(dir.path(), &[]);
    let home = body_of(&out, "index.html");
    for href in ["https://example.org/standards/", "mailto:team@example.org", "//cdn.example.org/x.css", "/guide/"] {
        assert!(home.contains(&format!("href=\"{href}\"")), "{href}: {home}");
    }
    assert!(!home.contains("/https:"), "{home}");
}

#[test]
fn a_page_that_redirects_keeps_its_own_old_addresses() {
    let dir = fixture(&[
        ("_config.yml", "title: Moves\n"),
        ("index.md", "---\ntitle: Home\n---\n[old](/oldest/)\n"),
        ("guide.md", "---\ntitle: Guide\n---\nText.\n"),
        ("moved.md", "---\nredirect_to: /guide/\nredirect_from:\n  - /older/\n  - /oldest/\n---\n"),
    ]);
    let (_d, out, _err) = build(dir.path(), &[]);
    for page in ["moved/index.html", "older/index.html", "oldest/index.html"] {
        assert!(read(&out, page).contains("url=/guide/"), "{page} does not lead to the guide");
    }
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
}

#[cfg(unix)]
#[test]
fn a_confluence_static_folder_publishes_nothing_from_outside_the_handbook() {
    let secret = tempfile::tempdir().expect("temp dir");
    write(secret.path(), "secret.txt", "TOP-SECRET-VALUE\n");
    let dir = fixture(&[
        ("src/pages/Home_123456.md", "---\ntitle: Home\n---\nText.\n"),
        ("src/pages/Other_234567.md", "---\ntitle: Other\n---\nText.\n"),
        ("src/pages/Third_345678.md", "---\ntitle: Third\n---\nText.\n"),
        ("public/attachments/1/kept.png", "png"),
    ]);
    std::os::unix::fs::symlink(secret.path().join("secret.txt"), dir.path().join("public/leak.txt")).expect("link");
    std::os::unix::fs::symlink(secret.path(), dir.path().join("static")).expect("link");
    // A link leading out is an error, as in copbook's own folders: the build
    // stops and nothing is written.
    let out = dir.path().join("site");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success() && !out.exists(), "{err}");
    assert!(!err.contains("TOP-SECRET"), "{err}");
    assert_eq!(err.matches("error[outside-handbook]").count(), 2, "{err}");
    for link in ["'public/leak.txt' is a symbolic link", "'static' is a symbolic link"] {
        assert!(err.contains(link), "{link}: {err}");
    }
}

#[test]
fn copbook_pages_keep_their_old_addresses_through_redirect_from_and_aliases() {
    let dir = fixture(&[
        ("handbook.toml", "title = \"Moves\"\nbase_url = \"https://org.github.io/handbook/\"\n"),
        ("index.md", "# Home\n\n[Old guide](/old-guide/) and [older](/older.html).\n"),
        ("guide.md", "---\ntitle: Guide\nredirect_from:\n  - /old-guide/\n  - older.html\n---\nText.\n"),
        ("how.md", "+++\ntitle = \"How\"\naliases = [\"/how-we-work/\"]\n+++\nText.\n"),
        ("about.md", "---\ntitle: About\nredirect_from: /guide/\n---\nText.\n"),
        ("glossary/mvp.md", "---\nterm: Minimum viable product\naliases: [\"mvp-product\"]\n---\nThe least.\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    for (page, to) in [
        ("old-guide/index.html", "/handbook/guide/"),
        ("older.html", "/handbook/guide/"),
        ("how-we-work/index.html", "/handbook/how/"),
    ] {
        assert!(read(&out, page).contains(&format!("url={to}\"")), "{page}: {}", read(&out, page));
    }
    let sitemap = read(&out, "sitemap.xml");
    assert!(!sitemap.contains("old-guide") && !sitemap.contains("how-we-work"), "{sitemap}");
    // The clash: the page stays, the author is told on the line of the key.
    assert!(read(&out, "guide/index.html").contains(">Guide</h1>"));
    assert_eq!(findings(&err, "redirect-clash"), ["about.md:3"], "{err}");
    assert!(err.contains("the old URL /guide/ is where guide.md lives"), "{err}");
    // A term's aliases are other words, not addresses.
    assert!(!out.join("mvp-product").exists());
    assert!(unresolved_links(&out, "/handbook/").is_empty(), "{:?}", unresolved_links(&out, "/handbook/"));
}

#[test]
fn mkdocs_style_admonitions_are_callouts_in_copbook_pages_too() {
    let dir = fixture(&[
        ("handbook.toml", "title = \"Own\"\n[markdown]\nraw_html = \"deny\"\n"),
        ("index.md", "# Home\n\n!!! note \"Before you start\"\n    Read the [guide](guide.md).\n\n??? tip\n    A folded tip.\n\n???+ warning \"Shown\"\n    Open by default.\n\nAfter, a [broken](nowhere.md) link.\n"),
        ("guide.md", "# Guide\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    let body = body_of(&out, "index.html");
    assert!(body.contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Before you start</p>\n<p>Read the <a href=\"/guide/\">guide</a>.</p>"), "{body}");
    assert!(body.contains("<details class=\"callout callout-tip\"><summary class=\"callout-title\">Tip</summary>\n<p>A folded tip.</p>\n</details>"), "{body}");
    assert!(
        body.contains(
            "<details class=\"callout callout-warning\" open><summary class=\"callout-title\">Shown</summary>"
        ),
        "{body}"
    );
    assert!(!body.contains("!!!") && !body.contains("???"), "{body}");
    // No raw HTML of the author's, and the lines after are still the file's.
    assert!(!err.contains("raw-html"), "{err}");
    assert_eq!(findings(&err, "broken-link"), ["index.md:12"]);
}

/// Deep links written against the upstream site name headings by the
/// upstream generator's ids, the page title's `<h1>` included.
#[test]
fn heading_ids_and_the_title_id_are_the_source_generators() {
    let tech_docs = fixture(&[
        ("config/tech-docs.yml", "service_name: Ids\n"),
        ("source/index.html.md.erb", "---\ntitle: Home\n---\nSee [new](/news/#what-39-s-new), [title](/news/#team-39-s-news) and [Q&A](/news/#q-amp-a).\n"),
        ("source/news.html.md.erb", "---\ntitle: Team's news\n---\n# Team's news\n\n## What's new\n\n## Q&A\n"),
    ]);
    let (_d, out, err) = build(tech_docs.path(), &[]);
    let news = read(&out, "news/index.html");
    assert!(news.contains("<h1 id=\"team-39-s-news\">Team&#39;s news</h1>"), "{news}");
    assert!(news.contains("id=\"what-39-s-new\"") && news.contains("id=\"q-amp-a\""), "{news}");
    assert!(findings(&err, "broken-anchor").is_empty(), "{err}");
    let mkdocs = fixture(&[
        ("mkdocs.yml", "site_name: Ids\n"),
        ("docs/index.md", "# Home\n\nSee [new](news.md#whats-new), [title](news.md#teams-news), [again](news.md#whats-new_1) and [café](news.md#cafe-menu).\n"),
        ("docs/news.md", "# Team's news\n\n## What's new\n\n## What's new\n\n## Café menu\n"),
    ]);
    let (_d, out, err) = build(mkdocs.path(), &[]);
    let news = read(&out, "news/index.html");
    assert!(news.contains("<h1 id=\"teams-news\">"), "{news}");
    assert!(
        news.contains("id=\"whats-new\"") && news.contains("id=\"whats-new_1\"") && news.contains("id=\"cafe-menu\""),
        "{news}"
    );
    assert!(findings(&err, "broken-anchor").is_empty(), "{err}");
    // copbook's own pages keep their ids; the title gets one that no heading has.
    let own =
        fixture(&[("handbook.toml", "title = \"Own\"\n"), ("index.md", "---\ntitle: Overview\n---\n## Overview\n")]);
    let (_d, out, _err) = build(own.path(), &[]);
    let home = read(&out, "index.html");
    assert!(home.contains("<h1 id=\"overview-1\">Overview</h1>") && home.contains("<h2 id=\"overview\">"), "{home}");
}

#[test]
fn the_site_title_comes_from_each_familys_config() {
    let pages = [
        ("src/pages/Home_123456.md", "---\ntitle: Home\n---\nText.\n"),
        ("src/pages/Other_234567.md", "---\ntitle: Other\n---\nText.\n"),
        ("src/pages/Third_345678.md", "---\ntitle: Third\n---\nText.\n"),
    ];
    let mut astro = pages.to_vec();
    astro.push((
        "src/config.ts",
        "export const SITE = {\n  website: \"https://example.org\",\n  title: \"Digital Community\",\n};\n",
    ));
    let dir = fixture(&astro);
    let (_d, out, _err) = build(dir.path(), &[]);
    assert!(read(&out, "index.html").contains("<title>Digital Community</title>"));
    // A title JavaScript would compute is named, with its line.
    let mut computed = pages.to_vec();
    computed.push(("astro.config.mjs", "const name = 'X';\nexport const SITE = {\n  title: name + ' handbook',\n};\n"));
    let dir = fixture(&computed);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(read(&out, "index.html").contains("<title>Handbook</title>"));
    assert_eq!(findings(&err, "foreign-config"), ["astro.config.mjs:3"], "{err}");
    for (file, text) in
        [("src/_data/site.json", "{\"title\": \"Eleventy Way\"}"), ("src/_data/site.yaml", "title: Eleventy Way\n")]
    {
        let dir = fixture(&[
            (".eleventy.js", "module.exports = () => ({ dir: { input: \"src\" } });\n"),
            ("src/index.md", "---\ntitle: Home\n---\nText.\n"),
            (file, text),
        ]);
        let (_d, out, _err) = build(dir.path(), &[]);
        assert!(read(&out, "index.html").contains("<title>Eleventy Way</title>"), "{file}");
    }
}

#[test]
fn a_confluence_export_without_its_attachments_folder_is_one_finding() {
    let page = |title: &str, n: u32| {
        format!("---\ntitle: {title}\n---\n\n![Diagram](attachments/{n}/diagram.png)\n\nSee [the slides](attachments/{n}/slides.pptx).\n\nAttachments:\n------------\n\n![](images/icons/bullet_blue.gif) [diagram.png](attachments/{n}/diagram.png) (image/png)  \n![](images/icons/bullet_blue.gif) [slides.pptx](attachments/{n}/slides.pptx) (application/vnd.openxmlformats-officedocument.presentationml.presentation)\n")
    };
    let (a, b, c) = (page("Alpha", 111111), page("Beta", 222222), page("Gamma", 333333));
    let mut files = vec![
        ("src/pages/Alpha_111111.md", a.as_str()),
        ("src/pages/Beta_222222.md", b.as_str()),
        ("src/pages/Gamma_333333.md", c.as_str()),
    ];
    let dir = fixture(&files);
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--format", "json", "--today", "2026-11-23"]);
    let found: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    let assets: Vec<&serde_json::Value> = found.iter().filter(|d| d["code"] == "missing-asset").collect();
    assert_eq!(assets.len(), 1, "{found:?}");
    assert_eq!(
        assets[0]["message"],
        "12 files under attachments/ are missing: the export's attachments/ folder was not copied; they were left out"
    );
    assert_eq!((assets[0]["file"].as_str(), assets[0]["line"].as_u64()), (Some("src/pages/Alpha_111111.md"), Some(5)));
    assert_eq!(assets[0]["details"].as_array().map(Vec::len), Some(12));
    // With the folder there, the list is plain links without MIME types,
    // and not in "On this page".
    files.push(("public/attachments/111111/diagram.png", "png"));
    files.push(("public/attachments/111111/slides.pptx", "pptx"));
    let dir = fixture(&files);
    let (_d, out, err) = build(dir.path(), &[]);
    let alpha = read(&out, "Alpha_111111/index.html");
    let body = body_of(&out, "Alpha_111111/index.html");
    assert!(body.contains("<p><strong>Attachments</strong></p>\n<ul>\n<li><a href=\"/attachments/111111/diagram.png\">diagram.png</a></li>"), "{body}");
    assert!(!alpha.contains("image/png") && !alpha.contains("#attachments"), "{alpha}");
    let beta = body_of(&out, "Beta_222222/index.html");
    assert!(!beta.contains("Attachments") && beta.contains("See the slides."), "{beta}");
    // Now attachments/ is there: one finding per page folder that is not.
    assert_eq!(findings(&err, "missing-asset"), ["src/pages/Beta_222222.md:5", "src/pages/Gamma_333333.md:5"], "{err}");
    assert!(err.contains("4 files under attachments/222222/ are missing"), "{err}");
}

#[test]
fn due_for_review_comes_after_an_imported_handbooks_content() {
    let dir = fixture(&[
        ("_config.yml", "title: Order\n"),
        ("zeta.md", "---\ntitle: Zeta guide\n---\nZ\n"),
        ("alpha.md", "---\ntitle: Alpha guide\n---\nA\n"),
    ]);
    let (_d, out, _err) = build(dir.path(), &[]);
    let home = read(&out, "index.html");
    let main = &home[..home.find("class=\"pager\"").unwrap_or(home.len())];
    let hrefs: Vec<&str> =
        attribute_values(main, "href").into_iter().filter(|h| h.len() > 1 && h.ends_with('/')).collect();
    // Sidebar, then home cards: each lists the content first.
    assert_eq!(
        hrefs,
        ["/alpha/", "/zeta/", "/whats-new/", "/review/", "/alpha/", "/zeta/", "/whats-new/", "/review/"],
        "{main}"
    );
}

#[test]
fn confluence_pages_that_are_copies_are_left_out_with_a_warning() {
    let dir = fixture(&[
        ("src/pages/Home_123456.md", "---\ntitle: Home\n---\n[Guide](Guide_234567.html)\n"),
        ("src/pages/Guide_234567.md", "---\ntitle: Guide\n---\nText.\n"),
        ("src/pages/Guide-copy_345678.md", "---\ntitle: Guide-copy\n---\nText.\n"),
        ("src/pages/Onboarding-copy_456789.md", "Text.\n"),
        ("src/pages/Hard-copy-forms_567890.md", "---\ntitle: Hard copy forms\n---\nText.\n"),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    assert!(!out.join("Guide-copy_345678").exists() && !out.join("Onboarding-copy_456789").exists());
    assert!(out.join("Hard-copy-forms_567890/index.html").is_file() && out.join("Guide_234567/index.html").is_file());
    assert_eq!(
        findings(&err, "left-out"),
        ["src/pages/Guide-copy_345678.md:2", "src/pages/Onboarding-copy_456789.md:1"],
        "{err}"
    );
    assert!(!read(&out, "index.html").contains("copy_"), "the home page lists no copy");
}

#[test]
fn a_confluence_export_follows_its_own_page_tree() {
    let index = "<html><body><div id=\"main-content\"><h2>Available Pages:</h2>\n<ul>\n<li><a href=\"Home_100000.html\">Home</a>\n<ul>\n<li><a href=\"Guides_200000.html\">Guides</a>\n<ul>\n<li><a href=\"Writing_300000.html\">Writing</a></li>\n<li><a href=\"Alt-text_400000.html\">Alt text</a></li>\n</ul>\n</li>\n<li><a href=\"About_500000.html\">About</a></li>\n</ul>\n</li>\n</ul>\n</div></body></html>\n";
    let dir = fixture(&[
        ("src/pages/index.html", index),
        ("src/pages/Home_100000.md", "---\ntitle: Team space\n---\nWelcome. [Writing](Writing_300000.html)\n"),
        ("src/pages/Guides_200000.md", "---\ntitle: Guides\n---\nAll guides.\n"),
        ("src/pages/Writing_300000.md", "---\ntitle: Writing\n---\nWrite well.\n"),
        ("src/pages/Alt-text_400000.md", "---\ntitle: Alt text\n---\nDescribe images.\n"),
        ("src/pages/About_500000.md", "---\ntitle: About\n---\nUs.\n"),
    ]);
    let (_d, out, _err) = build(dir.path(), &[]);
    let home = read(&out, "index.html");
    assert!(
        home.contains("Welcome.") && home.contains("href=\"/Guides_200000/Writing_300000/\""),
        "the space's home is the home page"
    );
    let guides = read(&out, "Guides_200000/index.html");
    assert!(out.join("Guides_200000/Alt-text_400000/index.html").is_file());
    // Children in the tree's order, not by title.
    let cards = &guides[guides.find("cb-section-pages").expect("section cards")..];
    assert!(
        cards.find("Writing_300000/").expect("writing") < cards.find("Alt-text_400000/").expect("alt text"),
        "{cards}"
    );
    // The home page lists the top of the tree only.
    let top = &home[home.find("cb-section-pages").expect("home cards")..];
    assert!(
        top.contains("/Guides_200000/") && top.contains("/About_500000/") && !top.contains("Writing_300000"),
        "{top}"
    );
    assert!(top.find("/Guides_200000/").unwrap() < top.find("/About_500000/").unwrap());
    // Old flat addresses still lead to the pages; the export's index is not published as is.
    assert!(read(&out, "Writing_300000/index.html").contains("url=/Guides_200000/Writing_300000/"));
    assert!(!home.contains("Available Pages"));
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
}

#[test]
fn mkdocs_toc_slugify_from_mkdocs_yml_gives_the_upstream_ids() {
    let site = |toc: &str| {
        fixture(&[
            ("mkdocs.yml", &format!("site_name: Ids\nmarkdown_extensions:\n  - pymdownx.tabbed:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify {{kwds: {{case: fold}}}}\n  - toc:\n      permalink: true\n{toc}")),
            ("docs/index.md", "# Home\n\nSee [the news](news.md).\n"),
            ("docs/news.md", "# Team's news\n\n## Ça va? Café\n\n## Ça va? Café\n"),
        ])
    };
    let ids = |toc: &str| {
        let dir = site(toc);
        let (_d, out, err) = build(dir.path(), &[]);
        (attribute_values(&body_of(&out, "news/index.html"), "id").join(" "), err)
    };
    // toc's default; pymdownx's, by its older name and by its options; toc's own Unicode one.
    assert_eq!(ids("").0, "ca-va-cafe ca-va-cafe_1");
    assert_eq!(ids("      slugify: !!python/name:pymdownx.slugs.uslugify\n").0, "ça-va-café ça-va-café_1");
    assert_eq!(
        ids("      slugify: !!python/name:pymdownx.slugs.uslugify_encoded\n").0,
        "%C3%A7a-va-caf%C3%A9 %C3%A7a-va-caf%C3%A9_1"
    );
    assert_eq!(
        ids(
            "      slugify: !!python/object/apply:pymdownx.slugs.slugify\n        kwds:\n          case: lower-ascii\n"
        )
        .0,
        "Ça-va-café Ça-va-café_1"
    );
    assert_eq!(
        ids("      separator: _\n      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n").0,
        "ça_va_café ça_va_café_1"
    );
    // Links to a percent-encoded id find it written either way, as browsers do.
    let encoded = fixture(&[
        ("mkdocs.yml", "site_name: Ids\nmarkdown_extensions:\n  - toc:\n      slugify: !!python/name:pymdownx.slugs.uslugify_encoded\n"),
        ("docs/index.md", "# Home\n\n[a](news.md#%C3%A7a-va-caf%C3%A9), [b](news.md#ça-va-café_1), [c](news.md#nope)\n"),
        ("docs/news.md", "# Team's news\n\n## Ça va? Café\n\n## Ça va? Café\n"),
    ]);
    let (_d, _out, err) = build(encoded.path(), &[]);
    assert_eq!(findings(&err, "broken-anchor"), ["docs/index.md:3"], "only #nope: {err}");
    assert!(err.contains("'#nope'"), "{err}");
    // One copbook does not know: toc's default, and a warning naming the line.
    let (unknown, err) = ids("      slugify: !!python/name:my_theme.slugs.custom\n");
    assert_eq!(unknown, "ca-va-cafe ca-va-cafe_1");
    assert_eq!(findings(&err, "foreign-config"), ["mkdocs.yml:7"], "{err}");
    assert!(err.contains("toc's slugify 'my_theme.slugs.custom' is not one copbook knows"), "{err}");
    let (_, err) = ids("      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: upper}}\n");
    assert!(err.contains("has case 'upper', which is not none, lower, lower-ascii or fold"), "{err}");
}

#[test]
fn due_for_review_says_how_to_give_an_imported_handbooks_pages_owners() {
    let tech_docs = fixture(&[
        ("config/tech-docs.yml", "service_name: Owners\n"),
        ("source/index.html.md.erb", "---\ntitle: Home\n---\nHi.\n"),
        (
            "source/old.html.md.erb",
            "---\ntitle: Old page\nlast_reviewed_on: 2025-01-01\nreview_in: 3 months\n---\nOld.\n",
        ),
    ]);
    let (_d, out, _err) = build(tech_docs.path(), &[]);
    let review = read(&out, "review/index.html");
    assert!(review.contains("<h2 id=\"cb-owners-help\">Give pages an owner</h2>"), "{review}");
    assert!(review.contains("<pre><code>owner: accessibility</code></pre>"), "{review}");
    assert!(review.contains("<code>source/communities/</code>"), "{review}");
    assert!(review.contains("<pre><code>last_reviewed_on: 2026-11-23\nreview_in: 6 months</code></pre>"), "{review}");
    assert!(
        review.contains("Old page") && review.contains("href=\"#cb-owners-help\""),
        "the overdue page is listed: {review}"
    );
    // MkDocs pages have no review dates: copbook's names, and no claim that all is up to date.
    let mkdocs = fixture(&[("mkdocs.yml", "site_name: Owners\n"), ("docs/index.md", "# Home\n")]);
    let (_d, out, _err) = build(mkdocs.path(), &[]);
    let review = read(&out, "review/index.html");
    assert!(review.contains("<pre><code>last_reviewed: 2026-11-23\nreview_every: 6 months</code></pre>"), "{review}");
    assert!(review.contains("<code>docs/communities/</code>"), "{review}");
    assert!(
        review.contains("No page has a review date yet") && !review.contains("Everything is up to date"),
        "{review}"
    );
    // Once a page has an owner, the report groups by owner as usual.
    let owned = fixture(&[
        ("mkdocs.yml", "site_name: Owners\n"),
        ("docs/index.md", "---\nowner: ux\n---\n# Home\n"),
        ("docs/communities/ux.md", "---\ntitle: UX\n---\nDesign.\n"),
    ]);
    let (_d, out, _err) = build(owned.path(), &[]);
    assert!(!read(&out, "review/index.html").contains("cb-owners-help"));
}

#[test]
fn confluence_pages_show_their_breadcrumb_trail_as_breadcrumbs() {
    let page = |trail: &[(&str, &str)], title: &str, text: &str| {
        let crumbs: String =
            trail.iter().enumerate().map(|(n, (t, href))| format!("{}.  [{t}]({href})\n", n + 1)).collect();
        format!("---\ntitle: {title}\n---\n\n{crumbs}\n{title}\n=====\n\n{text}\n")
    };
    let space = ("Team space", "index.html");
    let home = ("Home", "Home_100000.html");
    let guides = ("Guides", "Guides_200000.html");
    let dir = fixture(&[
        ("src/pages/Home_100000.md", &page(&[space], "Home", "Welcome. [Writing](Writing_300000.html)")),
        ("src/pages/Guides_200000.md", &page(&[space, home], "Guides", "All guides.")),
        ("src/pages/Writing_300000.md", &page(&[space, home, guides], "Writing", "Write well.")),
        ("src/pages/About_500000.md", &page(&[space, home], "About", "Us.")),
    ]);
    let (_d, out, err) = build(dir.path(), &[]);
    let writing = read(&out, "Guides_200000/Writing_300000/index.html");
    let nav = &writing[writing.find("<nav class=\"breadcrumbs\"").expect("breadcrumbs")..];
    let nav = &nav[..nav.find("</nav>").expect("end")];
    assert_eq!(attribute_values(nav, "href"), ["/", "/Guides_200000/"], "{nav}");
    assert!(nav.contains(">Home<") && nav.contains(">Guides<"), "{nav}");
    let body = body_of(&out, "Guides_200000/Writing_300000/index.html");
    assert!(!body.contains("Team space") && !body.contains("<ol>"), "the trail is not body text: {body}");
    assert!(read(&out, "index.html").contains("Welcome."), "the top page is the home page");
    assert!(read(&out, "Writing_300000/index.html").contains("url=/Guides_200000/Writing_300000/"));
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
    assert_eq!(warnings_count(&err), 0, "{err}");
}
