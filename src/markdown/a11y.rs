//! Markup that the HTML writer would otherwise leave inaccessible: task
//! list checkboxes get a name, code blocks, which scroll sideways on
//! narrow screens, can be reached and scrolled with the keyboard, and
//! headings never skip a level.

use super::{Ev, Page};
use crate::diag::{Code, Diagnostic};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

/// A heading more than one level below the one before it (`##` then
/// `####`, as real handbooks have) is written one level below it: screen
/// reader users move through a page by its outline, and a skipped level
/// reads as a missing section (axe's heading-order). The page's title is
/// its `<h1>`, so the first heading may be at most an `<h2>`. Runs before
/// heading ids are made, so the table of contents sees the same levels.
/// Each rewrite is a `heading-skip` note, so the author can fix the source.
pub(super) fn heading_levels<'t>(mut events: Vec<Ev<'t>>, page: &mut Page) -> Vec<Ev<'t>> {
    let mut last = 1;
    let mut open = Vec::new();
    for (event, range) in &mut events {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let kept = (*level as usize).min(last + 1);
                if kept < *level as usize {
                    let (line, column) = page.position(range.start);
                    page.report(skipped(*level as usize, last), line, column);
                }
                *level = HeadingLevel::try_from(kept).unwrap_or(*level);
                last = kept;
                open.push(*level);
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(opened) = open.pop() {
                    *level = opened;
                }
            }
            _ => {}
        }
    }
    events
}

/// The note for a heading at `level` after one at `last` (1: the title).
fn skipped(level: usize, last: usize) -> Diagnostic {
    let (hashes, kept) = ("#".repeat(level), "#".repeat(last + 1));
    let after = match last {
        1 => "the page's title".to_string(),
        _ => format!("a `{}` heading", "#".repeat(last)),
    };
    Diagnostic::note(
        Code::HeadingSkip,
        format!("a `{hashes}` heading comes straight after {after}, skipping a level; it is published as `{kept}`"),
    )
    .hint(format!(
        "write it as `{kept}`, so that screen reader users, who move through a page by its headings, miss no level"
    ))
}

pub(super) fn fix<'t>(events: Vec<Ev<'t>>) -> Vec<Ev<'t>> {
    events
        .into_iter()
        .map(|(event, range)| {
            let event = match event {
                Event::TaskListMarker(done) => {
                    let (checked, name) = if done { (" checked", "Done") } else { ("", "Not done") };
                    Event::InlineHtml(
                        format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{name}\"> ").into(),
                    )
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let class = match &kind {
                        CodeBlockKind::Fenced(info) => {
                            let lang = info.split([' ', ',', '{']).next().unwrap_or("");
                            if lang.is_empty() {
                                String::new()
                            } else {
                                let mut class = String::from(" class=\"language-");
                                super::text::escape_html(&mut class, lang);
                                class.push('"');
                                class
                            }
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    Event::Html(format!("<pre tabindex=\"0\"><code{class}>").into())
                }
                Event::End(TagEnd::CodeBlock) => Event::Html("</code></pre>\n".into()),
                other => other,
            };
            (event, range)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    fn html_of(text: &str) -> String {
        super::super::tests::render_plain(text).html
    }

    #[test]
    fn a_heading_that_skips_levels_comes_one_below_the_one_before() {
        let html = html_of("### First\n\n## Two\n\n#### Four\n\n###### Six\n\n## Back\n\n### Three\n");
        let levels: Vec<&str> = html.match_indices("<h").map(|(i, _)| &html[i..i + 3]).collect();
        assert_eq!(levels, ["<h2", "<h2", "<h3", "<h4", "<h2", "<h3"], "{html}");
        assert_eq!(html.matches("</h4>").count(), 1, "{html}");
    }

    #[test]
    fn each_skipped_level_is_a_note_at_its_heading() {
        use crate::diag::Severity::Note;
        let out = super::super::tests::render_plain("### First\n\n## Two\n\ntext\n\n  #### Four\n\n### Three\n");
        let found = super::super::tests::findings(&out);
        assert_eq!(found, [(Note, "heading-skip", 1, 1), (Note, "heading-skip", 7, 3)], "{:?}", out.findings);
        assert!(out.findings[0].message.contains("after the page's title"), "{}", out.findings[0].message);
        assert!(out.findings[1].message.contains("`####` heading comes straight after a `##` heading"));
        assert!(out.findings[1].message.ends_with("published as `###`"), "{}", out.findings[1].message);
    }

    #[test]
    fn task_checkboxes_are_named() {
        let html = html_of("- [x] done\n- [ ] to do\n");
        assert!(html.contains(r#"<input type="checkbox" disabled checked aria-label="Done"> done"#), "{html}");
        assert!(html.contains(r#"<input type="checkbox" disabled aria-label="Not done"> to do"#), "{html}");
    }

    #[test]
    fn code_blocks_are_focusable_and_still_escaped() {
        let html = html_of("```rust ignore\nlet x = \"<b>\" & y;\n```\n\n    indented <i>\n");
        assert!(
            html.contains(
                "<pre tabindex=\"0\"><code class=\"language-rust\">let x = \"&lt;b&gt;\" &amp; y;\n</code></pre>"
            ),
            "{html}"
        );
        assert!(html.contains("<pre tabindex=\"0\"><code>indented &lt;i&gt;\n</code></pre>"), "{html}");
    }
}
