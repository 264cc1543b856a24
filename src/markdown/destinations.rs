//! Every link destination and image source in a body, Markdown or raw
//! HTML, goes through here: one whose scheme could run script is refused,
//! any other is put to the caller and recorded with its file position.
//! Both the links pass and the raw HTML scanner use it, so neither has to
//! reach into the other.

use super::{Link, LinkKind, Page, Resolution};
use crate::url_safety::{neutralised, refused_scheme, Place};

/// Whether `target` must not be linked because of its scheme; if so, a
/// warning at the file line and column `at` gives names it (as `what`)
/// and says what was `done` instead. The position is only worked out then.
pub(super) fn refuse(
    page: &mut Page,
    target: &str,
    place: Place,
    at: impl FnOnce(&Page) -> (u32, u32),
    what: &str,
    done: &str,
) -> bool {
    let Some(scheme) = refused_scheme(target, place) else { return false };
    let (line, column) = at(page);
    page.report(neutralised(what, target, &scheme, done), line, column);
    true
}

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
