//! Property tests: no text, however malformed, makes the pipeline panic,
//! and every finding points at a real line of a real file.
//! `PROPTEST_CASES=1000 cargo test --release --test robustness` runs ten times as many cases.

use proptest::prelude::*;

const KEYS: &[&str] = &[
    "title",
    "owner",
    "leads",
    "status",
    "review_by",
    "last_reviewed",
    "review_every",
    "weight",
    "draft",
    "kind",
    "see_also",
    "term",
    "aliases",
    "abbreviation",
    "channels",
    "sessions",
    "replaces",
    "leads_as_of",
    "x",
];
const VALUES: &[&str] = &[
    "\"text\"",
    "3",
    "-1",
    "true",
    "[]",
    "[\"a\", 1]",
    "2026-02-30",
    "\"6 months\"",
    "{ name = \"n\" }",
    "\"\"",
    "[{ date = 2026-01-01 }]",
    "\"standard\"",
    "nope",
    "\"<script>x</script>\"",
    "1e999",
    "[[",
    "\"\\u0000\"",
];
const BODY: &[&str] = &[
    "# Title\n",
    "Setext\n===\n",
    "## A {#id}\n",
    "- a\n  - b\n",
    "> quote\n>\n> — Name, Role (May 2026)\n",
    "> [!NOTE]\n> x\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[l](../standards/a.md#x)\n",
    "![i](/static/x.png?w=1)\n",
    "<a href=\"/x/\">raw</a>\n",
    "```\ncode {{ x }}\n",
    "text[^1]\n\n[^1]: note\n",
    "\n",
    "&amp; é 😀 \u{200b}\n",
    "[ref]: <> \"t\"\n",
    "see www. and https:// here\n",
    "(https://a.b/c_(d)).\n",
    "http://x.y/é?q=1&r=2;\n",
    "www.a.b",
    "***\n",
    "<div>\n",
    "+++\n",
    "---\n",
    "* * *\n",
    "1. one\n\n   two\n",
    "\t\tindented\n",
];

fn document() -> impl Strategy<Value = String> {
    let opener = prop::sample::select(vec!["+++\n", "---\n", "", "\u{feff}+++\n", "+++\r\n"]);
    let line = (prop::sample::select(KEYS.to_vec()), prop::sample::select(VALUES.to_vec()), any::<bool>())
        .prop_map(|(k, v, yaml)| if yaml { format!("{k}: {v}\n") } else { format!("{k} = {v}\n") });
    let fm = prop::collection::vec(line, 0..6);
    let close = any::<bool>();
    let body = prop::collection::vec(prop::sample::select(BODY.to_vec()), 0..12);
    let noise = ".{0,40}";
    (opener, fm, close, body, noise).prop_map(|(open, fm, close, body, noise)| {
        let delimiter = if open.contains("---") { "---\n" } else { "+++\n" };
        let mut text = String::from(open);
        if !open.is_empty() {
            text.extend(fm);
            if close {
                text.push_str(delimiter);
            }
        }
        text.extend(body.iter().copied());
        text.push_str(&noise);
        text
    })
}

/// `PROPTEST_CASES` multiplies the default number of cases by itself / 100.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse::<u32>().ok())
        .map_or(default, |c| (default / 100).max(1) * c)
}

fn no_links(_: &str, _: copbook::markdown::LinkKind) -> copbook::markdown::Resolution {
    copbook::markdown::Resolution::Broken
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

    #[test]
    fn front_matter_and_markdown_never_panic(text in document()) {
        if let Ok(split) = copbook::load::front_matter::split("a.md", &text) {
            // Each raw HTML setting in turn, without rendering each text three times.
            use copbook::config::RawHtml;
            let raw_html = [RawHtml::Allow, RawHtml::Warn, RawHtml::Deny][text.len() % 3];
            let options =
                copbook::markdown::Options { first_line: split.body_line, resolve: &no_links, strip_leading_h1: true, raw_html, heading_ids: Default::default(), title: None, glossary: None };
            let rendered = copbook::markdown::render(split.body, &options);
            let lines = text.lines().count() as u32 + 1;
            for link in &rendered.links {
                prop_assert!(link.line >= 1 && link.line <= lines, "link line {} of {}", link.line, lines);
            }
            for finding in &rendered.findings {
                prop_assert!(finding.line >= 1 && finding.line <= lines, "finding line {} of {}", finding.line, lines);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn whole_handbooks_never_panic_and_findings_point_at_real_lines(
        docs in prop::collection::vec((prop::sample::select(vec![
            "index.md", "standards/a.md", "communities/ux.md", "people/ana.md", "glossary/crit.md",
            "guides/x.md", "guides/index.md", "principles/p.md",
        ]), document()), 1..6)
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in &docs {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let options = copbook::site::Options { root: dir.path().to_path_buf(), ..Default::default() };
        let (_, diags) = copbook::site::build(&options);
        for d in diags.iter() {
            if d.file.is_empty() || d.line == 0 {
                continue;
            }
            let text = std::fs::read_to_string(dir.path().join(&d.file)).unwrap_or_default();
            // A lone CR ends a line too, as copbook reads files.
            let lines = text.replace("\r\n", "\n").replace('\r', "\n").lines().count().max(1) as u32 + 1;
            prop_assert!(d.line <= lines, "{} points past the end of {} ({} lines)", copbook::report::plain_line(d), d.file, lines);
        }
    }
}

/// Pieces of file names: what people and other tools put in them.
const NAME_PARTS: &[&str] = &[
    "a",
    "Café",
    "cafe\u{301}",
    "c#",
    "100%",
    "why?",
    "two words",
    "UPPER",
    "-",
    "_index",
    "index",
    "README",
    "ünï",
    "😀",
    "a.b",
    "..",
    "[x]",
    "&amp;",
    "'q'",
    "tab\t",
    "",
];

/// Pieces of a template override: Tera syntax, right and wrong.
const TEMPLATE_PARTS: &[&str] = &[
    "{{ page.title }}",
    "{{ page.content | safe }}",
    "{{ page.titel }}",
    "{{ page.title | nofilter }}",
    "{% include \"page.html\" %}",
    "{% include \"nav.html\" %}",
    "{% extends \"page.html\" %}",
    "{% import \"macros.html\" as m %}",
    "{% macro r(n) %}{{ self::r(n=n) }}{% endmacro r %}",
    "{% for x in page.toc %}{{ x.title }}{% endfor %}",
    "{% if page.kind == \"page\" %}k{% endif %}",
    "{{ get_env(name=\"HOME\") }}",
    "{{ now() }}",
    "{%",
    "}}",
    "{{",
    "{# c #}",
    "<p>",
    "é",
    "{{ site.extra.x | default(value=1) }}",
    "{% set y = 1 %}{{ y }}",
    "{% block content %}{% endblock %}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    /// Odd file names and template overrides: findings or pages, never a panic,
    /// an abort or a hang (a hang shows as the test never ending).
    #[test]
    fn odd_names_and_templates_never_panic(
        names in prop::collection::vec(prop::collection::vec(prop::sample::select(NAME_PARTS.to_vec()), 1..4), 1..6),
        template in prop::collection::vec(prop::sample::select(TEMPLATE_PARTS.to_vec()), 0..8),
        which in prop::sample::select(vec!["page.html", "nav.html", "base.html", "macros.html", "extra.html"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (n, parts) in names.iter().enumerate() {
            let name = parts.concat();
            let folder = if n % 2 == 0 { "guides" } else { "standards" };
            let p = dir.path().join(folder).join(format!("{name}.md"));
            if std::fs::create_dir_all(p.parent().unwrap()).is_ok() {
                let _ = std::fs::write(&p, format!("# {name}\n\n[next](./{name}.md) [up](../index.md)\n"));
            }
        }
        std::fs::write(dir.path().join("index.md"), "# Home\n").unwrap();
        if !template.is_empty() {
            std::fs::create_dir_all(dir.path().join("templates")).unwrap();
            std::fs::write(dir.path().join("templates").join(which), template.concat()).unwrap();
        }
        let options = copbook::site::Options { root: dir.path().to_path_buf(), ..Default::default() };
        let (site, diags) = copbook::site::build(&options);
        prop_assert!(site.is_some() || diags.has_errors(), "no site and no error");
    }
}
