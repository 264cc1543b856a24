//! Which URLs copbook lets into an `href` or `src`: one test, used for
//! handbook.toml, front matter and Markdown alike.
//!
//! A link runs script when its scheme is `javascript:` (or `vbscript:`,
//! or carries a document as `data:`), and browsers are lenient about how
//! that scheme is written: they ignore leading spaces and control
//! characters, drop tabs and newlines anywhere, ignore case, and decode
//! character references in HTML attributes first. So the scheme is read
//! the way a browser reads it, and compared with a short list of schemes
//! that are allowed, rather than with a list of dangerous ones.

use crate::diag::Code;
use crate::diag::Diagnostic;

/// The schemes a link may use. URLs without a scheme (paths, `#anchors`,
/// `//host/path`) are relative and always allowed.
pub const ALLOWED: &[&str] = &["https", "http", "mailto", "tel"];

/// Schemes that run script or carry a whole document.
const SCRIPT: &[&str] = &["javascript", "vbscript", "data", "livescript"];

/// Where a URL is used, which decides what is safe there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An `href` (or any attribute that navigates, submits or embeds).
    Link,
    /// The source of an `<img>` or a Markdown image: also `data:image/...`,
    /// which an image element never runs.
    Image,
    /// A value that may be plain text ("#handbook on Slack") as well as a
    /// link (`contact`): text with a colon is fine, script schemes are not.
    TextOrLink,
}

/// The scheme (lower case, without its colon) that makes `url` unsafe in
/// `place`, or `None` when it is safe there.
pub fn refused_scheme(url: &str, place: Place) -> Option<String> {
    let read = as_browser_reads(url);
    let scheme = scheme_of(&read)?;
    let refused = match place {
        Place::Link => !ALLOWED.contains(&scheme.as_str()),
        Place::Image => !ALLOWED.contains(&scheme.as_str()) && !is_image_data(&read),
        Place::TextOrLink => SCRIPT.contains(&scheme.as_str()),
    };
    refused.then_some(scheme)
}

/// The error for a setting or field holding an unsafe URL; the caller adds
/// where it is.
pub fn refusal(key: &str, url: &str, scheme: &str) -> Diagnostic {
    Diagnostic::error(Code::UnsafeUrl, message(key, url, scheme)).hint(HINT)
}

/// The warning for an unsafe URL in a page body, which was neutralised as
/// `done` says; the caller adds where it is.
pub fn neutralised(what: &str, url: &str, scheme: &str, done: &str) -> Diagnostic {
    Diagnostic::warning(Code::UnsafeUrl, format!("{}; {done}", message(what, url, scheme))).hint(HINT)
}

const HINT: &str = "use an https:, http:, mailto: or tel: URL, or a path such as /contact/";

fn message(what: &str, url: &str, scheme: &str) -> String {
    format!("{what} '{}' uses the {scheme}: scheme, which copbook never links", shown(url))
}

/// `url` shortened and with control characters made visible, for messages.
pub fn shown(url: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in url.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `url` as a browser's URL parser sees it: character references decoded
/// (as in an HTML attribute), leading and trailing spaces and control
/// characters trimmed, tabs and newlines removed.
fn as_browser_reads(url: &str) -> String {
    let decoded = decode_references(url);
    decoded.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}

/// The scheme of an already normalised URL, lower case: a letter, then
/// letters, digits, `+`, `-` or `.`, then a colon. `None` for a relative URL.
fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then(|| scheme.to_ascii_lowercase())
}

fn is_image_data(url: &str) -> bool {
    url.get(..11).is_some_and(|p| p.eq_ignore_ascii_case("data:image/"))
}

/// Decodes the character references a browser decodes in an attribute
/// value before reading a URL from it, in one pass: numeric ones (`&#106;`,
/// `&#x6A`, with or without `;`) and the named ones that can spell part of
/// a scheme (letters and digits have no names).
fn decode_references(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    const NAMED: &[(&str, char)] =
        &[("Tab;", '\t'), ("NewLine;", '\n'), ("colon;", ':'), ("plus;", '+'), ("period;", '.')];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        if let Some(number) = after.strip_prefix('#') {
            let (hex, digits_from) = match number.as_bytes().first() {
                Some(b'x' | b'X') => (true, 1),
                _ => (false, 0),
            };
            let digits = &number[digits_from..];
            let len = digits.find(|c: char| !(if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() }));
            let len = len.unwrap_or(digits.len());
            if len > 0 {
                // Leading zeros do not count; too large, zero or a
                // surrogate is the replacement character, as in browsers.
                let significant = digits[..len].trim_start_matches('0');
                let value = match significant.len() {
                    0 | 9.. => None,
                    _ => u32::from_str_radix(significant, if hex { 16 } else { 10 }).ok(),
                };
                let c = value.and_then(char::from_u32).unwrap_or('\u{fffd}');
                out.push(c);
                let end = digits_from + len;
                rest = number[end..].strip_prefix(';').unwrap_or(&number[end..]);
                continue;
            }
        } else if let Some((name, c)) = NAMED.iter().find(|(name, _)| after.starts_with(name)) {
            out.push(*c);
            rest = &after[name.len()..];
            continue;
        }
        out.push('&');
        rest = after;
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_schemes_and_relative_urls_pass_everywhere() {
        for url in [
            "https://example.org/a?b=1",
            "HTTP://example.org",
            "mailto:jo@example.org",
            "tel:+441234567890",
            "/contact/",
            "../standards/captions.md#why",
            "#top",
            "//cdn.example.org/x.png",
            "page.md",
            "a/b:c",
            "",
        ] {
            for place in [Place::Link, Place::Image, Place::TextOrLink] {
                assert_eq!(refused_scheme(url, place), None, "{url} {place:?}");
            }
        }
    }

    #[test]
    fn script_schemes_are_refused_however_they_are_written() {
        for url in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}\u{0}javascript:alert(1)",
            "javascript\r:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "&#0000106avascript:alert(1)",
            "&#000000000000106;avascript:alert(1)",
            "javascript&colon;alert(1)",
            "java&Tab;script:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "javascript: alert(1)",
        ] {
            for place in [Place::Link, Place::Image, Place::TextOrLink] {
                assert_eq!(refused_scheme(url, place).as_deref(), Some("javascript"), "{url:?} {place:?}");
            }
        }
        assert_eq!(refused_scheme("VBScript:msgbox(1)", Place::Link).as_deref(), Some("vbscript"));
        assert_eq!(refused_scheme("data:text/html,<script>x</script>", Place::TextOrLink).as_deref(), Some("data"));
    }

    #[test]
    fn other_schemes_are_refused_as_links_but_are_text_in_contacts() {
        assert_eq!(refused_scheme("ftp://example.org/f", Place::Link).as_deref(), Some("ftp"));
        assert_eq!(refused_scheme("file:///etc/passwd", Place::Image).as_deref(), Some("file"));
        assert_eq!(refused_scheme("Slack: #handbook", Place::TextOrLink), None);
        assert_eq!(refused_scheme("Slack: #handbook", Place::Link).as_deref(), Some("slack"));
    }

    #[test]
    fn image_data_only_in_images() {
        let png = "data:image/png;base64,iVBORw0KGgo=";
        assert_eq!(refused_scheme(png, Place::Image), None);
        assert_eq!(refused_scheme(" DATA:Image/svg+xml,<svg/>", Place::Image), None);
        assert_eq!(refused_scheme(png, Place::Link).as_deref(), Some("data"));
        assert_eq!(refused_scheme("data:text/html,x", Place::Image).as_deref(), Some("data"));
    }

    #[test]
    fn references_decode_once_and_odd_ones_stay_text() {
        assert_eq!(decode_references("&amp;#106;"), "&amp;#106;");
        assert_eq!(decode_references("a&#;b&#x;c&unknown;d&"), "a&#;b&#x;c&unknown;d&");
        assert_eq!(decode_references("&#99999999999;&#0;&#xD800;"), "\u{fffd}\u{fffd}\u{fffd}");
        assert_eq!(decode_references("&#106&#X61;&colon;"), "ja:");
        // `&amp;#106;avascript:` reads as text, not as an encoded `j`.
        assert_eq!(refused_scheme("&amp;#106;avascript:alert(1)", Place::Link), None);
    }

    #[test]
    fn shown_is_short_and_visible() {
        assert_eq!(shown("java\tscript:x"), "java\\tscript:x");
        assert_eq!(shown(&"a".repeat(100)).chars().count(), 61);
    }
}
