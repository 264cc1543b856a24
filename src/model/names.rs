//! File and folder names as URLs: which characters a URL path cannot hold
//! as they are, and when two different names make the same URL on disk.

use unicode_normalization::UnicodeNormalization;

pub(super) use crate::text::url_segment;

/// What two URLs that name the same folder on some disk are compared by:
/// case folded (Windows and macOS do not tell `Foo` from `foo`) and
/// Unicode-normalised (`é` as one code point or as `e` and an accent: macOS
/// may store either, and both look the same).
pub(super) fn folded(url: &str) -> String {
    // ASCII is its own NFC form; most URLs are ASCII, and NFC is the slow part.
    if url.is_ascii() {
        return url.to_ascii_lowercase();
    }
    url.nfc().collect::<String>().to_lowercase()
}

/// How two different URLs with the same [`folded`] form differ, and the hint
/// for the finding.
pub(super) fn how_they_differ(url: &str, other: &str) -> (&'static str, &'static str) {
    if url.nfc().eq(other.nfc()) {
        (
            "differs only in how its accented letters are encoded (Unicode NFC or NFD) from",
            "the two names look the same but are different files: keep one",
        )
    } else {
        ("differs only in case from", "case-insensitive file systems (Windows, macOS) cannot hold both: rename one")
    }
}

/// The output file of a URL: `/a/b/` -> `a/b/index.html`, `/404.html` -> `404.html`.
pub fn output_path(url: &str) -> String {
    let path = url.split('#').next().unwrap_or(url).trim_start_matches('/');
    if path.is_empty() {
        "index.html".into()
    } else if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths() {
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/a/b/"), "a/b/index.html");
        assert_eq!(output_path("/404.html"), "404.html");
        assert_eq!(output_path("/glossary/#mvp"), "glossary/index.html");
    }

    #[test]
    fn segments_leave_out_what_ends_or_escapes_a_path() {
        assert_eq!(url_segment(" Our guides "), "Our-guides");
        assert_eq!(url_segment("c#"), "c");
        assert_eq!(url_segment("100%"), "100");
        assert_eq!(url_segment("why?"), "why");
        assert_eq!(url_segment("#"), "-");
    }

    #[test]
    fn nfc_and_nfd_fold_alike_and_say_so() {
        let (nfc, nfd) = ("/caf\u{e9}/", "/cafe\u{301}/");
        assert_ne!(nfc, nfd);
        assert_eq!(folded(nfc), folded(nfd));
        assert!(how_they_differ(nfd, nfc).0.contains("NFC"));
        assert_eq!(folded("/Foo/"), folded("/foo/"));
        assert!(how_they_differ("/Foo/", "/foo/").0.contains("case"));
    }
}
