//! Helpers for the markdown tests, and tests of the whole renderer:
//! CommonMark and extension basics, and inputs that must never panic.

use std::cell::RefCell;

use super::{render, LinkKind, Options, Rendered, Resolution};
use crate::config::RawHtml;

pub(super) fn render_with(text: &str, first_line: u32, resolve: &dyn Fn(&str, LinkKind) -> Resolution) -> Rendered {
    render(
        text,
        &Options {
            first_line,
            resolve,
            strip_leading_h1: false,
            raw_html: RawHtml::Allow,
            heading_ids: Default::default(),
            title: None,
            glossary: None,
        },
    )
}

pub(super) fn render_with_options(text: &str, first_line: u32, strip_leading_h1: bool) -> Rendered {
    render(
        text,
        &Options {
            first_line,
            resolve: &|_, _| Resolution::Keep,
            strip_leading_h1,
            raw_html: RawHtml::Allow,
            heading_ids: Default::default(),
            title: None,
            glossary: None,
        },
    )
}

/// With a `[markdown] raw_html` setting, links kept as written.
pub(super) fn render_raw_html(text: &str, raw_html: RawHtml) -> Rendered {
    render(
        text,
        &Options {
            first_line: 1,
            resolve: &|_, _| Resolution::Keep,
            strip_leading_h1: false,
            raw_html,
            heading_ids: Default::default(),
            title: None,
            glossary: None,
        },
    )
}

/// (severity, code, line, column) of each finding.
pub(super) fn findings(out: &Rendered) -> Vec<(crate::diag::Severity, &'static str, u32, u32)> {
    out.findings.iter().map(|d| (d.severity, d.code.as_str(), d.line, d.column)).collect()
}

pub(super) fn render_plain(text: &str) -> Rendered {
    render_with_options(text, 1, false)
}

/// Records what the renderer asked the caller.
#[derive(Default)]
pub(super) struct Calls(RefCell<Vec<(String, LinkKind)>>);

impl Calls {
    pub(super) fn log(&self, target: &str, kind: LinkKind, answer: Resolution) -> Resolution {
        self.0.borrow_mut().push((target.to_string(), kind));
        answer
    }

    pub(super) fn targets(&self) -> Vec<String> {
        self.0.borrow().iter().map(|(t, _)| t.clone()).collect()
    }
}

#[test]
fn setext_headings_and_loose_lists() {
    let out = render_plain("Title\n=====\n\nPart\n----\n\n- one\n\n- two\n\n1. a\n2. b\n");
    assert_eq!(
        out.html,
        "<h1 id=\"title\">Title</h1>\n<h2 id=\"part\">Part</h2>\n<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"
    );
}

#[test]
fn smart_punctuation_task_lists_strikethrough() {
    let out = render_plain("\"Quoted\" -- it's ~~old~~ --- done...\n\n- [x] done\n- [ ] todo\n");
    assert!(out.html.contains("<p>“Quoted” – it’s <del>old</del> — done…</p>"), "{}", out.html);
    assert!(
        out.html.contains("<li><input type=\"checkbox\" disabled checked aria-label=\"Done\"> done</li>"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<li><input type=\"checkbox\" disabled aria-label=\"Not done\"> todo</li>"),
        "{}",
        out.html
    );
}

#[test]
fn text_is_escaped_raw_html_passes_through() {
    let out = render_plain("a < b & c\n\n<div class=\"x\"><b>raw</b></div>\n");
    assert_eq!(out.html, "<p>a &lt; b &amp; c</p>\n<div class=\"x\"><b>raw</b></div>\n");
}

#[test]
fn code_blocks_are_escaped_with_language_class() {
    let out = render_plain("```rust ignore\nlet x = a < b;\n```\n");
    assert_eq!(out.html, "<pre tabindex=\"0\"><code class=\"language-rust\">let x = a &lt; b;\n</code></pre>\n");
}

#[test]
fn first_heading_of_any_level() {
    assert_eq!(render_plain("Text.\n\n### Deep *one*\n\n## Two\n").first_heading.as_deref(), Some("Deep one"));
    assert_eq!(render_plain("No headings.\n").first_heading, None);
}

#[test]
fn anchors_cover_headings_footnotes_and_raw_html() {
    let out = render_plain("## Intro\n\n<span id=\"here\"></span> <a name=\"old-name\"></a> <p name=\"not-anchor\">\n\nSee[^n].\n\n[^n]: Note.\n");
    let mut anchors = out.anchors.clone();
    anchors.sort();
    assert_eq!(anchors, ["fn-n", "here", "intro", "old-name"]);
}

#[test]
fn empty_and_blank_bodies() {
    for text in ["", "\n", "   \n\n\t\n"] {
        let out = render_with_options(text, 1, true);
        assert_eq!(out.html, "");
        assert!(out.headings.is_empty() && out.links.is_empty() && out.anchors.is_empty());
        assert_eq!(out.leading_h1, None);
    }
}

/// Inputs that have broken Markdown renderers before. Run on a test
/// thread (2 MiB of stack) so recursion on nesting would show.
#[test]
fn nasty_inputs_never_panic() {
    let long_line = "word ".repeat(200_000);
    let inputs: Vec<String> = vec![
        "---\ntitle: x\n---\n".into(),
        "+++\ntitle = 1\n+++\n".into(),
        "> ".repeat(5_000) + "deep\n",
        "> ".repeat(5_000) + "deep\n>\n> — Someone\n",
        (0..2_000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect(),
        "[".repeat(10_000),
        "*".repeat(10_000) + "a" + &"*".repeat(10_000),
        "<div>\n<a href=\"x".into(),
        "<a href=x <img src= <!-- <script>".into(),
        "<scRIPT>\n<a href=\"x\">\n".into(),
        "```\nunterminated fence\n[x](y)\n".into(),
        "~~~~~\n".into(),
        long_line.clone(),
        format!("[{long_line}]({long_line})"),
        "[x](".into(),
        "[x]( ".into(),
        "![x](".into(),
        "![](".into(),
        "[x][".into(),
        "[^".into(),
        "[^]: x".into(),
        "[^a]:\n\n[^a]".into(),
        "# {#}\n\n## {#x .}\n".into(),
        "#\n##\n###\n".into(),
        "> [!NOTE]\n".into(),
        "> [!NOTE]".into(),
        "> [!BOGUS]\n> x\n".into(),
        "> —\n".into(),
        "> a\n>\n> —\n".into(),
        "> a\n> —".into(),
        "> a\n>\n> **— x".into(),
        "| a |\n|---|\n".into(),
        "|".into(),
        "| a | b |\n|---|\n| 1 |\n".into(),
        "\u{0}\u{feff}\r\n\r\n\u{2028}é\u{301}".into(),
        "\r".into(),
        "<a href=\"\u{10ffff}\">é</a>".into(),
        "- [ ]".into(),
        "1.\n2.\n".into(),
        "Setext\n===\n---\n***\n".into(),
    ];
    for (i, text) in inputs.iter().enumerate() {
        for strip in [false, true] {
            let out = render(
                text,
                &Options {
                    first_line: u32::MAX - 1,
                    resolve: &|_, _| Resolution::Broken,
                    strip_leading_h1: strip,
                    raw_html: RawHtml::Allow,
                    heading_ids: Default::default(),
                    title: None,
                    glossary: None,
                },
            );
            let _ = (i, out);
            let _ = render(
                text,
                &Options {
                    first_line: 0,
                    resolve: &|_, _| Resolution::Rewrite("\"<&>'".into()),
                    strip_leading_h1: strip,
                    raw_html: RawHtml::Deny,
                    heading_ids: Default::default(),
                    title: None,
                    glossary: None,
                },
            );
        }
    }
}

/// Every prefix of a document full of features: cuts land inside every
/// construct (unterminated links, fences, tables, quotes, HTML...).
#[test]
fn every_prefix_of_a_rich_document_renders() {
    let doc = "# Title {#t}\n\nIntro [a](page.md \"t\") ![i](x.png) <https://e.org> [r][R]\n\n> [!TIP]\n> Tip *body*.\n\n> Quote.\n> — Jo, Lead (May 2024)\n\n| h | ~~s~~ |\n|:-|-:|\n| `c` | [^1] |\n\n<div id=\"d\">\n<img\n src=\"y.png\">\n</div>\n\n```sh\n[z](z.md)\n```\n\n- [x] t\n  1. n\n\n[^1]: Foot.\n\n[R]: page.md\n";
    let mut ends: Vec<usize> = doc.char_indices().map(|(i, _)| i).collect();
    ends.push(doc.len());
    for end in ends {
        let out = render(
            &doc[..end],
            &Options {
                first_line: 1,
                resolve: &|_, _| Resolution::Rewrite("/r/".into()),
                strip_leading_h1: true,
                raw_html: RawHtml::Warn,
                heading_ids: Default::default(),
                title: None,
                glossary: None,
            },
        );
        assert!(out.html.len() < 10 * doc.len());
    }
}
