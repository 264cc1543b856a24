//! `copbook build`: fixture handbooks and the example handbook built by the
//! real binary, with assertions on the generated HTML.

mod support;
use std::collections::BTreeMap;
use support::*;

#[test]
fn example_builds_under_a_base_url_and_every_internal_link_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = copbook(&[
        "build",
        example().to_str().unwrap(),
        "--base-url",
        "/handbook/",
        "--out",
        out.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let broken = unresolved_links(&out, "/handbook/");
    assert!(broken.is_empty(), "{} unresolved links:\n{}", broken.len(), broken.join("\n"));
    // Every internal href and src carries the base path.
    for (path, html) in html_files(&out) {
        for link in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
            if link.starts_with('/') && !link.starts_with("//") {
                assert!(link.starts_with("/handbook/"), "{path}: {link} lacks the base path");
            }
        }
    }
    for file in [
        "index.html",
        "404.html",
        ".nojekyll",
        "communities/index.html",
        "glossary/index.html",
        "review/index.html",
        "standards/index.html",
        "people/index.html",
        "principles/index.html",
        "guidelines/index.html",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
}

#[test]
fn community_page_lists_its_leads_and_owned_standards() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = copbook(&["build", example().to_str().unwrap(), "--out", out.to_str().unwrap(), "--today", "2026-11-23"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read(&out, "communities/accessibility/index.html");
    for lead in ["Priya Nair", "Daniel Frost"] {
        assert!(html.contains(lead), "lead {lead} missing");
    }
    for owned in ["/standards/alt-text-for-images/", "/standards/wcag-2-2-aa/", "/standards/caption-every-video/"] {
        assert!(html.contains(owned), "owned standard {owned} missing");
    }
    let directory = read(&out, "communities/index.html");
    for community in ["Accessibility", "Content", "Data", "Development", "Product"] {
        assert!(directory.contains(community), "{community} missing from the directory");
    }
    let person = read(&out, "people/priya-nair/index.html");
    assert!(person.contains("/communities/accessibility/"), "a person's page links what they lead");
}

#[test]
fn glossary_has_every_term_with_its_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = copbook(&["build", example().to_str().unwrap(), "--out", out.to_str().unwrap(), "--today", "2026-11-23"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read(&out, "glossary/index.html");
    let mut ids: Vec<String> = std::fs::read_dir(example().join("glossary"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".md").to_string())
        .filter(|s| s != "index")
        .collect();
    let toml: toml::Table = std::fs::read_to_string(example().join("glossary.toml")).unwrap().parse().unwrap();
    for term in toml["term"].as_array().unwrap() {
        let id = term
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| term["term"].as_str().unwrap().to_lowercase().replace(' ', "-"));
        ids.push(id);
    }
    assert!(ids.len() >= 25, "the example has at least 25 terms");
    let anchors = attribute_values(&html, "id");
    for id in &ids {
        assert!(anchors.contains(&id.as_str()), "term anchor #{id} missing");
    }
}

#[test]
fn base_url_prefixes_links_written_in_markdown() {
    let dir = fixture(&[
        ("handbook.toml", "title = \"T\"\nbase_url = \"https://org.github.io/handbook/\"\n"),
        ("index.md", "# Home\n\n[Rooted](/guides/a/) and [relative](guides/a.md#part) and ![pic](/static/p.png)\n"),
        ("guides/a.md", "# A\n\n## Part\n\n![same folder](img/x.png)\n"),
        ("guides/img/x.png", "png"),
        ("static/p.png", "png"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let home = read(&out, "index.html");
    assert!(home.contains("href=\"/handbook/guides/a/\""), "{home}");
    assert!(home.contains("href=\"/handbook/guides/a/#part\""), "{home}");
    assert!(home.contains("src=\"/handbook/static/p.png\""), "{home}");
    let a = read(&out, "guides/a/index.html");
    assert!(a.contains("src=\"/handbook/guides/img/x.png\""), "relative images become absolute: {a}");
    assert!(unresolved_links(&out, "/handbook/").is_empty(), "{:?}", unresolved_links(&out, "/handbook/"));
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://org.github.io/handbook/guides/a/</loc>"), "{sitemap}");
}

#[test]
fn broken_link_is_reported_with_file_and_line() {
    let dir = fixture(&[("index.md", "# Home\n\nFine.\n\nSee [nothing](../standards/nope.md).\n")]);
    let o = copbook(&["build", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "a broken link is a warning: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("warning[broken-link]"), "{err}");
    assert!(err.contains("index.md:5:5"), "{err}");
    let strict = copbook(&["build", dir.path().to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "--strict fails on warnings");
}

#[test]
fn yaml_and_toml_front_matter_both_work() {
    let dir = fixture(&[
        ("communities/ux.md", "---\ntitle: User experience\nleads: [ana]\nstatus: active\nmeets: Fortnightly\n---\nWe meet.\n"),
        ("people/ana.md", "+++\nname = \"Ana Ruiz\"\nrole = \"Designer\"\n+++\n"),
        ("standards/forms.md", "---\ntitle: Design forms well\nowner: ux\nstatus: published\nlast_reviewed: 2026-05-01\nreview_every: 6 months\n---\nBody\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let ux = read(&out, "communities/ux/index.html");
    assert!(ux.contains("User experience") && ux.contains("Ana Ruiz") && ux.contains("Design forms well"), "{ux}");
    let forms = read(&out, "standards/forms/index.html");
    assert!(forms.contains("1 May 2026"), "last reviewed shown: {forms}");
    assert!(forms.contains("1 November 2026"), "next review computed from review_every: {forms}");
}

#[test]
fn drafts_are_left_out() {
    let dir = fixture(&[
        ("index.md", "# Home\n"),
        ("guides/wip.md", "+++\ntitle = \"Work in progress\"\ndraft = true\n+++\nSecret\n"),
        ("guides/done.md", "+++\ntitle = \"Done\"\n+++\nPublic\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    assert!(!out.join("guides/wip").exists());
    assert!(out.join("guides/done/index.html").exists());
    for (path, html) in html_files(&out) {
        assert!(!html.contains("Work in progress"), "{path} mentions the draft");
    }
    assert!(!out.join("sitemap.xml").exists(), "base_url / is only a path");
    let out = build_ok(dir.path(), &["--base-url", "https://org.example/"]);
    assert!(!read(&out, "sitemap.xml").contains("wip"));
}

#[test]
fn a_template_override_takes_effect() {
    let dir = fixture(&[
        ("index.md", "# Home\n\nHello\n"),
        ("templates/page.html", "<!doctype html><p class=\"custom\">{{ page.title }}</p>{{ page.content | safe }}"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let home = read(&out, "index.html");
    assert!(home.starts_with("<!doctype html><p class=\"custom\">Home</p>"), "{home}");
}

#[test]
fn front_matter_text_is_escaped() {
    let dir = fixture(&[
        ("handbook.toml", "title = \"<script>alert('site')</script>\"\n"),
        ("communities/x.md", "+++\ntitle = \"<script>alert(1)</script>\"\nsummary = \"<img src=x onerror=alert(2)>\"\nmeets = \"<b>bold</b>\"\nleads = [\"p\"]\n+++\n"),
        ("people/p.md", "+++\nname = \"<script>alert(3)</script>\"\nrole = \"\\\"><svg onload=alert(4)>\"\n+++\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    for (path, html) in html_files(&out) {
        assert!(!html.contains("<script>alert"), "{path} has an unescaped script");
        assert!(!html.contains("<img src=x"), "{path} has an unescaped img");
        assert!(!html.contains("<svg onload"), "{path} has an unescaped svg");
        assert!(!html.contains("<b>bold</b>"), "{path} has unescaped markup");
    }
    assert!(read(&out, "communities/x/index.html").contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn unknown_owner_stops_the_build_with_did_you_mean() {
    let dir = fixture(&[
        ("communities/accessibility.md", "+++\ntitle = \"Accessibility\"\n+++\n"),
        ("standards/alt.md", "+++\ntitle = \"Alt text\"\nowner = \"acessibility\"\n+++\n"),
    ]);
    let o = copbook(&["build", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[unknown-owner]"), "{err}");
    assert!(err.contains("standards/alt.md:3"), "{err}");
    assert!(err.contains("did you mean 'accessibility'?"), "{err}");
    assert!(!dir.path().join("public").exists(), "nothing is written");
}

#[test]
fn page_without_front_matter_takes_its_first_heading_as_title() {
    let dir = fixture(&[("notes/meeting.md", "Meeting notes\n=============\n\nText.\n")]);
    let out = build_ok(dir.path(), &[]);
    let html = read(&out, "notes/meeting/index.html");
    assert!(html.contains("<title>Meeting notes"), "{html}");
    assert_eq!(html.matches("<h1").count(), 1, "one h1: {html}");
}

#[test]
fn cname_and_github_pages_files() {
    let dir = fixture(&[("handbook.toml", "cname = \"handbook.example.org\"\n"), ("index.md", "# Home\n")]);
    let out = build_ok(dir.path(), &[]);
    assert_eq!(read(&out, "CNAME"), "handbook.example.org\n");
    assert!(out.join(".nojekyll").is_file());
    assert!(read(&out, "404.html").contains("Page not found"));
}

#[test]
fn a_folder_named_as_a_file_links_to_its_page_and_term_anchors() {
    let dir = fixture(&[
        ("index.md", "# Home\n\nRead [WCAG](glossary.md#wcag) and [the communities](communities.md).\n"),
        ("glossary/wcag.md", "+++\nterm = \"WCAG\"\n+++\nGuidelines.\n"),
        ("communities/ux.md", "+++\ntitle = \"UX\"\n+++\n"),
    ]);
    let o = copbook(&["build", dir.path().to_str().unwrap()]);
    assert!(o.status.success());
    assert!(!stderr(&o).contains("broken"), "{}", stderr(&o));
    let home = read(&dir.path().join("public"), "index.html");
    assert!(home.contains("href=\"/glossary/#wcag\""), "{home}");
    assert!(home.contains("href=\"/communities/\""), "{home}");
}

#[test]
fn retired_items_are_left_out_of_the_sidebar_but_still_built() {
    let dir = fixture(&[
        ("standards/old.md", "+++\ntitle = \"Old rule\"\nstatus = \"retired\"\n+++\n"),
        ("standards/new.md", "+++\ntitle = \"New rule\"\nstatus = \"published\"\nreplaces = \"old\"\n+++\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    let new = read(&out, "standards/new/index.html");
    let sidebar = &new[new.find("aria-label=\"Sections\"").unwrap()
        ..new.find("</nav>").map(|_| new.find("id=\"cb-main\"").unwrap()).unwrap()];
    assert!(sidebar.contains("New rule") && !sidebar.contains("Old rule"), "{sidebar}");
    let old = read(&out, "standards/old/index.html");
    assert!(old.contains("/standards/new/"), "a retired item points to what replaced it");
}

#[test]
fn without_person_pages_people_are_entries_on_the_people_page() {
    let dir = fixture(&[
        ("handbook.toml", "[theme]\npeople_pages = false\n"),
        ("communities/ux.md", "+++\ntitle = \"UX\"\nleads = [\"ana\"]\n+++\nAsk [Ana](../people/ana.md).\n"),
        ("people/ana.md", "+++\nname = \"Ana Ruiz\"\nrole = \"Designer\"\n+++\n"),
    ]);
    let o = copbook(&["build", dir.path().to_str().unwrap()]);
    assert!(o.status.success() && !stderr(&o).contains("broken"), "{}", stderr(&o));
    let out = dir.path().join("public");
    assert!(!out.join("people/ana/index.html").exists(), "no page per person");
    assert!(read(&out, "communities/ux/index.html").contains("href=\"/people/#person-ana\""));
    assert!(read(&out, "people/index.html").contains("id=\"person-ana\""));
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
}

#[test]
fn a_sitemap_has_absolute_urls_or_is_left_out_with_a_note() {
    let dir = fixture(&[("index.md", "# Home\n"), ("guides/a.md", "# A\n")]);
    let note = "no-sitemap";
    for (base, loc) in [
        ("https://org.github.io/handbook/", Some("https://org.github.io/handbook/guides/a/")),
        ("https://handbook.example.org", Some("https://handbook.example.org/guides/a/")),
        ("/handbook/", None),
        ("/", None),
    ] {
        let out = dir.path().join("out");
        let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap(), "--base-url", base]);
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        match loc {
            Some(loc) => {
                let xml = read(&out, "sitemap.xml");
                assert!(xml.contains(&format!("<loc>{loc}</loc>")), "{base}: {xml}");
                for l in xml.split("<loc>").skip(1) {
                    assert!(l.starts_with("https://"), "{base}: a relative <loc> in {xml}");
                }
                assert!(!err.contains(note), "{err}");
            }
            None => {
                assert!(!out.join("sitemap.xml").exists(), "{base}: no sitemap with relative URLs");
                assert!(err.contains(&format!("note[{note}]")) || err.contains(note), "{base}: {err}");
                assert!(err.contains("--base-url") && !err.contains("warning"), "{base}: {err}");
            }
        }
    }
    // From handbook.toml, the note names the setting; check says nothing (only a build writes a sitemap).
    write(dir.path(), "handbook.toml", "title = \"T\"\nbase_url = \"/docs/\"\n");
    let out = dir.path().join("out");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(stderr(&o).contains("base_url \"/docs/\" is only a path"), "{}", stderr(&o));
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains(note) && !stderr(&o).contains(note));
}

#[test]
fn the_theme_favicon_unless_the_handbook_has_its_own() {
    let dir = fixture(&[("index.md", "# Home\n")]);
    let out = build_ok(dir.path(), &["--base-url", "/hb/"]);
    let home = read(&out, "index.html");
    assert!(home.contains(r#"<link rel="icon" href="/hb/assets/favicon.svg" type="image/svg+xml">"#), "{home}");
    assert!(read(&out, "assets/favicon.svg").starts_with("<svg"));
    write(dir.path(), "static/favicon.png", "\u{1}png bytes");
    let out = build_ok(dir.path(), &["--base-url", "/hb/"]);
    for page in ["index.html", "404.html"] {
        let html = read(&out, page);
        assert!(html.contains(r#"<link rel="icon" href="/hb/static/favicon.png" type="image/png">"#), "{page}: {html}");
        assert!(!html.contains("assets/favicon.svg"), "{page} links the theme's icon too");
    }
    assert_eq!(read(&out, "static/favicon.png"), "\u{1}png bytes");
}

/// The hrefs of the cards a page shows for its section's pages.
fn card_links(html: &str) -> Vec<String> {
    html.split("<h3 class=\"card-title\"><a href=\"")
        .chain(html.split("<h2 class=\"card-title\"><a href=\""))
        .filter(|part| !part.starts_with('<') && !part.starts_with('\n'))
        .filter_map(|part| part.split('"').next().filter(|h| h.starts_with('/')).map(str::to_string))
        .collect()
}

#[test]
fn section_cards_leave_out_the_pages_the_text_already_links() {
    let dir = fixture(&[
        ("index.md", "# Home\n\n| Section | What |\n|---|---|\n| [Guides](guides/index.md) | how |\n"),
        ("guides/index.md", "# Guides\n\nStart with [the first](a.md).\n"),
        ("guides/a.md", "# First\n"),
        ("guides/b.md", "# Second\n"),
        ("other/index.md", "# Other\n"),
        ("other/c.md", "# Third\n"),
    ]);
    let out = build_ok(dir.path(), &["--base-url", "/hb/"]);
    let home = read(&out, "index.html");
    let cards = card_links(&home);
    assert!(!cards.contains(&"/hb/guides/".to_string()), "the home page's table already links Guides: {cards:?}");
    assert!(cards.contains(&"/hb/other/".to_string()), "a section the text does not link keeps its card: {cards:?}");
    assert!(home.contains(">More pages in this section</h2>"), "some are left out, so 'more'");
    let guides = read(&out, "guides/index.html");
    assert_eq!(card_links(&guides), ["/hb/guides/b/"], "only the page the text does not link");
    let other = read(&out, "other/index.html");
    assert_eq!(card_links(&other), ["/hb/other/c/"]);
    assert!(!other.contains("More pages in this section"), "nothing was left out there");
    // The example's home page: its "Find your way around" table is not repeated as cards.
    let ex = dir.path().join("ex");
    let o = copbook(&["build", example().to_str().unwrap(), "--out", ex.to_str().unwrap(), "--today", "2026-11-23"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let home = read(&ex, "index.html");
    assert!(!card_links(&home).is_empty(), "pages the table does not name keep their cards");
    let body = home.split("<div class=\"page-body\">").nth(1).expect("a page body");
    let text = body.split("cb-section-pages").next().unwrap_or_default();
    for card in card_links(&home) {
        assert!(!text.contains(&format!("href=\"{card}\"")), "the home page repeats {card} as a card");
    }
    assert!(text.contains("Find your way around"));
}

/// The sidebar of a built page: the `<nav class="sidebar">` element.
fn sidebar_of(html: &str) -> &str {
    let start = html.find("<nav class=\"sidebar\"").expect("a sidebar");
    &html[start..start + html[start..].find("</nav>").expect("its end")]
}

#[test]
fn a_long_section_shows_a_window_of_its_pages_and_links_to_the_full_list() {
    let mut files: Vec<(String, String)> = (1..=40)
        .map(|i| (format!("long/p{i:02}.md"), format!("+++\ntitle = \"Page {i:02}\"\nweight = {i}\n+++\nText.\n")))
        .collect();
    files.extend((1..=24).map(|i| (format!("short/s{i:02}.md"), format!("+++\ntitle = \"Short {i:02}\"\n+++\n"))));
    files.push(("long/_index.md".into(), "+++\ntitle = \"Long section\"\n+++\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = fixture(&refs);
    let out = build_ok(dir.path(), &[]);
    let html = read(&out, "long/p20/index.html");
    let nav = sidebar_of(&html);
    let listed: Vec<usize> = (1..=40).filter(|i| nav.contains(&format!(">Page {i:02}<"))).collect();
    // The first three, then eight either side of the page.
    assert_eq!(listed, [1, 2, 3].into_iter().chain(12..=28).collect::<Vec<_>>(), "{nav}");
    assert!(nav.contains("<a href=\"/long/p20/\" aria-current=\"page\">Page 20</a>"), "{nav}");
    assert!(nav.contains("8 more not shown") && nav.contains("12 more not shown"), "{nav}");
    assert!(nav.contains("<a class=\"nav-all-link\" href=\"/long/\">All 40 in Long section</a>"), "{nav}");
    // Its neighbours' sidebars differ: each is centred on its own page.
    let last = read(&out, "long/p40/index.html");
    assert!(sidebar_of(&last).contains(">Page 24<") && !sidebar_of(&last).contains(">Page 23<"));
    // The page the link leads to lists every page of the section.
    let section = read(&out, "long/index.html");
    let main = &section[section.find("id=\"cb-main\"").unwrap()..];
    assert!((1..=40).all(|i| main.contains(&format!("href=\"/long/p{i:02}/\""))), "{main}");
    // A section of 24 pages is listed whole, with no link to the full list.
    let short = read(&out, "short/s12/index.html");
    let nav = sidebar_of(&short);
    assert!((1..=24).all(|i| nav.contains(&format!(">Short {i:02}<"))), "{nav}");
    assert!(!nav.contains("nav-all") && !nav.contains("nav-gap"), "{nav}");
}

/// A one-shot build writes every file into the staging folder as it is
/// made and hands back none to hold (a site of 10,000 pages would be held
/// whole otherwise); what it writes is exactly what a build that keeps its
/// files (`serve`'s) holds, print pages and Markdown copies included.
#[test]
fn a_build_into_the_staging_folder_keeps_no_file_and_writes_what_a_kept_build_holds() {
    use copbook::site::{self, Content};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let options = site::Options {
        root: example(),
        today: copbook::date::Date::new(2026, 11, 23),
        out: Some(out.clone()),
        ..Default::default()
    };
    let (kept, _) = site::build(&options);
    let kept: BTreeMap<String, Vec<u8>> = site::each_file(&kept.expect("the example builds").files)
        .into_iter()
        .map(|(path, content)| match content {
            Content::Copy(from) => (path, std::fs::read(from).unwrap()),
            made => (path, made.made().unwrap().to_vec()),
        })
        .collect();
    let staging = copbook::output::Staging::begin(&out, &example()).unwrap();
    let (streamed, _) = site::build_into(&options, &staging).unwrap();
    assert!(streamed.expect("the example builds").files.is_empty(), "a one-shot build holds no file");
    staging.finish().unwrap();
    let written: BTreeMap<String, Vec<u8>> = walkdir::WalkDir::new(&out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(&out).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    for path in ["print/index.html", "communities/content/print/index.html", "standards/alt-text-for-images/index.md"] {
        assert!(kept.contains_key(path), "the example has {path}");
    }
    let paths = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(&written), paths(&kept));
    for (path, bytes) in &kept {
        assert!(written[path] == *bytes, "{path} differs");
    }
}
