//! HTML fragments shared by stages: escaping (for the templates, the
//! Markdown renderer and the preview server's error pages; slashes are left
//! alone, so URLs stay readable) and the markup of callouts (for the
//! Markdown renderer and the adapters that convert other generators'
//! admonitions, so both write exactly the same).

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    let mut plain_from = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain_from..i]);
        out.push_str(entity);
        plain_from = i + 1;
    }
    out.push_str(&text[plain_from..]);
}

/// Opening markup of a callout of `kind` ("note", "tip", "important",
/// "warning", "caution", or any other word), with `title` or, by default,
/// the kind capitalised ("Note"). The title is escaped; the kind is reduced
/// to `[a-z0-9-]` so it is always a safe class name.
pub fn callout_open(kind: &str, title: Option<&str>) -> String {
    let class: String =
        kind.chars().flat_map(char::to_lowercase).filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let class = if class.is_empty() { "note".to_string() } else { class };
    let default_title;
    let title = match title {
        Some(title) => title,
        None => {
            let mut chars = class.chars();
            default_title = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            };
            &default_title
        }
    };
    let mut html = String::with_capacity(80 + title.len());
    html.push_str("<div class=\"callout callout-");
    html.push_str(&class);
    html.push_str("\" role=\"note\">\n<p class=\"callout-title\">");
    escape_into(&mut html, title);
    html.push_str("</p>\n");
    html
}

/// Closing markup matching [`callout_open`].
pub fn callout_close() -> &'static str {
    "</div>\n"
}

/// Opening markup of a collapsible callout (MkDocs' `??? tip`): a
/// `<details>` with the title as its summary, shown open when `open`.
pub fn collapsible_open(kind: &str, title: &str, open: bool) -> String {
    let class: String = kind.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let open = if open { " open" } else { "" };
    format!(
        "<details class=\"callout callout-{class}\"{open}><summary class=\"callout-title\">{}</summary>",
        escape(title)
    )
}

/// Material for MkDocs' admonition types, as the five kinds of callout
/// the theme styles.
pub fn callout_kind(material_type: &str) -> &'static str {
    match material_type.to_ascii_lowercase().as_str() {
        "tip" | "hint" | "success" | "check" | "done" | "example" => "tip",
        "important" => "important",
        "warning" | "attention" => "warning",
        "caution" | "danger" | "error" | "failure" | "fail" | "missing" | "bug" => "caution",
        _ => "note",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(super::escape("a/b <i>\"x\" & 'y'</i>"), "a/b &lt;i&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/i&gt;");
        assert_eq!(super::escape("café"), "café");
    }
}
