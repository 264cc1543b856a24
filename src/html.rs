//! Escaping text for HTML, shared by the templates, the Markdown renderer
//! and the preview server's error pages. Slashes are left alone, so URLs
//! stay readable in the output.

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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(super::escape("a/b <i>\"x\" & 'y'</i>"), "a/b &lt;i&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/i&gt;");
        assert_eq!(super::escape("café"), "café");
    }
}
