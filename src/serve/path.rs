//! From a request's URL path to the segments of a site path, and nothing
//! else.
//!
//! The URL is decoded segment by segment and anything that could climb out
//! (`..`, encoded slashes, backslashes, NUL, empty segments as in `//etc`,
//! drive letters) is refused. The segments then only ever name a file of
//! the build in memory (see [`super::files`]), never a path on disk.

/// A URL path that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clean {
    /// Decoded segments, none of them empty, `.` or `..`.
    pub segments: Vec<String>,
    /// The URL ended with `/` (or was `/`).
    pub trailing_slash: bool,
}

/// Why a URL path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a path at all (bad escapes, not UTF-8): 400.
    Malformed,
    /// Tries to name something outside the site: 403.
    Forbidden,
}

/// Decodes and checks a URL path (without its query).
pub fn clean(raw: &str) -> Result<Clean, Refused> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(Refused::Malformed);
    };
    if rest.is_empty() {
        return Ok(Clean { segments: Vec::new(), trailing_slash: true });
    }
    let raw_segments: Vec<&str> = rest.split('/').collect();
    let last = raw_segments.len() - 1;
    let mut segments = Vec::with_capacity(raw_segments.len());
    for (i, raw_segment) in raw_segments.iter().enumerate() {
        if raw_segment.is_empty() {
            if i == last {
                break;
            }
            // `//etc/passwd` and `/a//b`: no file of ours has such a path.
            return Err(Refused::Forbidden);
        }
        let segment = decode(raw_segment)?;
        let forbidden =
            segment == "." || segment == ".." || segment.contains(['/', '\\', '\0']) || (i == 0 && is_drive(&segment));
        if forbidden {
            return Err(Refused::Forbidden);
        }
        segments.push(segment);
    }
    Ok(Clean { segments, trailing_slash: raw.ends_with('/') })
}

/// `C:` and the like, which would make a Windows path absolute.
fn is_drive(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Percent-decodes one segment; it must decode to UTF-8.
fn decode(segment: &str) -> Result<String, Refused> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(Refused::Malformed)?;
            let text = std::str::from_utf8(hex).map_err(|_| Refused::Malformed)?;
            let value = u8::from_str_radix(text, 16).map_err(|_| Refused::Malformed)?;
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Refused::Malformed)
}

/// Percent-encodes a segment for a `Location` header: everything but
/// unreserved characters, so the header is always plain ASCII.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(raw: &str) -> Vec<String> {
        clean(raw).unwrap().segments
    }

    #[test]
    fn decodes_ordinary_paths() {
        assert_eq!(segments("/"), Vec::<String>::new());
        assert_eq!(segments("/a/b/"), vec!["a", "b"]);
        assert!(clean("/a/b/").unwrap().trailing_slash);
        assert!(!clean("/a/b").unwrap().trailing_slash);
        assert_eq!(segments("/caf%C3%A9%20menu.html"), vec!["café menu.html"]);
        assert_eq!(segments("/.well-known/x"), vec![".well-known", "x"]);
    }

    #[test]
    fn refuses_everything_that_could_climb_out() {
        for raw in [
            "/../Cargo.toml",
            "/a/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/..%2f..%2fetc/passwd",
            "/a%2Fb",
            "/a%5c..%5cb",
            "/a\\..\\b",
            "//etc/passwd",
            "/a//b",
            "/./a",
            "/a%00.html",
            "/C:/Windows/win.ini",
            "/c%3A/x",
        ] {
            assert_eq!(clean(raw), Err(Refused::Forbidden), "{raw}");
        }
        for raw in ["", "a/b", "/%", "/%zz", "/%ff%fe"] {
            assert_eq!(clean(raw), Err(Refused::Malformed), "{raw}");
        }
    }

    #[test]
    fn encodes_for_headers() {
        assert_eq!(encode("café menu"), "caf%C3%A9%20menu");
        assert_eq!(encode("a-b_c.d~"), "a-b_c.d~");
    }
}
