//! Markup that the HTML writer would otherwise leave inaccessible: task
//! list checkboxes get a name, and code blocks, which scroll sideways on
//! narrow screens, can be reached and scrolled with the keyboard.

use super::Ev;
use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

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
