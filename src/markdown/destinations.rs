//! Every link destination and image source in a body, Markdown or raw
//! HTML, goes through here: the caller is asked about it, and it is
//! recorded with its file position. Both the links pass and the raw HTML
//! scanner use it, so neither has to reach into the other.

use super::{Link, LinkKind, Page, Resolution};

/// Ask the caller about one destination and record it. Returns the new
/// href when the caller rewrites it.
pub(super) fn ask(page: &mut Page, target: &str, kind: LinkKind, offset: usize) -> Option<String> {
    let (line, column) = page.position(offset);
    record(page, target, kind, line, column)
}

/// Like [`ask`], with the position already known (raw HTML computes its own).
pub(super) fn record(page: &mut Page, target: &str, kind: LinkKind, line: u32, column: u32) -> Option<String> {
    let resolution = (page.options.resolve)(target, kind);
    let broken = resolution == Resolution::Broken;
    page.out.links.push(Link { target: target.to_string(), kind, line, column, broken, alt: None });
    match resolution {
        Resolution::Rewrite(new) => Some(new),
        Resolution::Keep | Resolution::Broken => None,
    }
}
