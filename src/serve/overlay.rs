//! What a page shows when the last save broke the build, or something else
//! needs the author's eye (a notice: the folder is gone, the output could
//! not be written): a banner over the page, or a whole error page when
//! there has been no good build yet. Every piece of a finding is escaped:
//! messages quote the author's text, which may well contain `<`.

use crate::diag::Diagnostic;

pub use crate::html::escape;

/// Findings listed on a page; the terminal has them all.
const MAX_LISTED: usize = 50;

/// The errors as a list, each with its place, message and hint.
fn list(errors: &[Diagnostic]) -> String {
    let mut html = String::from(
        "<ol id=\"copbook-errors-list\" style=\"margin:0;padding:0 0 0 1.5em;max-height:50vh;overflow:auto\">",
    );
    for d in errors.iter().take(MAX_LISTED) {
        html.push_str("<li style=\"margin:0 0 .6em\">");
        if !d.file.is_empty() {
            html.push_str(&format!(
                "<code style=\"font:inherit;font-weight:bold;background:none;color:inherit\">{}</code>: ",
                escape(&d.location())
            ));
        }
        html.push_str(&escape(&d.message));
        html.push_str(&format!(" <span style=\"opacity:.8\">[{}]</span>", escape(d.code.as_str())));
        if let Some(hint) = &d.hint {
            html.push_str(&format!("<br><span style=\"opacity:.9\">help: {}</span>", escape(hint)));
        }
        html.push_str("</li>");
    }
    if errors.len() > MAX_LISTED {
        html.push_str(&format!("<li>… and {} more; see the terminal</li>", errors.len() - MAX_LISTED));
    }
    html.push_str("</ol>");
    html
}

fn heading(errors: &[Diagnostic]) -> String {
    match errors.len() {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    }
}

/// Notices as paragraphs.
fn paragraphs(notices: &[String]) -> String {
    notices.iter().map(|n| format!("<p style=\"margin:0 0 .5em\">{}</p>", escape(n))).collect()
}

/// A banner over the page, for errors of the last save (the page is the
/// last good build) and notices. Styled inline, so that the site's own
/// stylesheet neither hides it nor is needed for it.
pub fn banner(errors: &[Diagnostic], notices: &[String]) -> String {
    let (title, rest) = match notices.split_first() {
        _ if !errors.is_empty() => {
            (format!("copbook: the last save has {}; this page shows the last good build.", heading(errors)), notices)
        }
        Some((first, rest)) => (format!("copbook: {first}"), rest),
        None => return String::new(),
    };
    let details = if errors.is_empty() { String::new() } else { list(errors) };
    format!(
        "<div id=\"copbook-errors\" role=\"alertdialog\" aria-modal=\"false\" aria-labelledby=\"copbook-errors-title\" \
         aria-describedby=\"copbook-errors-list\" style=\"position:fixed;z-index:2147483647;left:0;right:0;bottom:0;\
         box-sizing:border-box;max-height:70vh;overflow:auto;margin:0;padding:1em 1.5em;background:#7a1010;color:#fff;\
         font:16px/1.5 system-ui,sans-serif;text-align:left;border-top:4px solid #ffb3b3;box-shadow:0 -2px 12px rgba(0,0,0,.4)\">\
         <p id=\"copbook-errors-title\" style=\"margin:0 0 .5em;font-weight:bold;font-size:1.1em\">{}</p>{}{}\
         <button type=\"button\" onclick=\"this.parentNode.remove()\" style=\"font:inherit;margin-top:.5em;padding:.2em .8em;\
         color:#000;background:#fff;border:2px solid #000;border-radius:4px;cursor:pointer\">Hide until the next save</button></div>",
        escape(&title),
        paragraphs(rest),
        details
    )
}

/// The page served when no build has succeeded yet.
pub fn error_page(title: &str, errors: &[Diagnostic], notices: &[String], script_tag: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Build failed: {title}</title></head>\
         <body style=\"margin:0;font:16px/1.5 system-ui,sans-serif;background:#fff;color:#111\">\
         <main role=\"alertdialog\" aria-labelledby=\"copbook-errors-title\" aria-describedby=\"copbook-errors-list\" \
         id=\"copbook-errors\" style=\"max-width:60em;margin:2em auto;padding:1em 1.5em;border:4px solid #7a1010\">\
         <h1 id=\"copbook-errors-title\" style=\"margin-top:0;color:#7a1010\">{title} could not be built: {}</h1>\
         {}{}<p>Fix the file and save: this page reloads by itself.</p></main>{script_tag}</body></html>\n",
        heading(errors),
        paragraphs(notices),
        list(errors),
        title = escape(title),
    )
}

/// Puts `snippet` just before the last `</body>`, or at the end of a page
/// that has none.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = rfind_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len()).rev().find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        assert_eq!(inject(b"<body>a</BODY>", "<s>"), b"<body>a<s></BODY>");
        assert_eq!(inject(b"<p>no body", "<s>"), b"<p>no body<s>");
        assert_eq!(inject(b"", "<s>"), b"<s>");
    }

    #[test]
    fn escapes_every_part_of_a_finding() {
        let d = Diagnostic::error(crate::diag::Code::Template, "bad <script>alert(1)</script>")
            .at("a<b>.md", 3)
            .column(2)
            .hint("use \"quotes\" & <em>");
        let html = banner(&[d], &["a <notice>".to_string()]);
        assert!(html.contains("a&lt;b&gt;.md:3:2"), "{html}");
        assert!(html.contains("bad &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("use &quot;quotes&quot; &amp; &lt;em&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("role=\"alertdialog\""));
        assert!(html.contains("a &lt;notice&gt;"), "notices are shown, escaped");
    }

    #[test]
    fn a_notice_alone_titles_the_banner() {
        let html = banner(&[], &["the folder is gone".to_string(), "and <more>".to_string()]);
        assert!(html.contains("copbook: the folder is gone</p>"), "{html}");
        assert!(html.contains("and &lt;more&gt;"));
        assert!(!html.contains("last save"), "{html}");
        assert_eq!(banner(&[], &[]), "", "nothing to say, no banner");
    }
}
