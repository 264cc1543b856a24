//! A file published as it is, at the path a page of the site is written
//! to: one would silently overwrite the other.

use super::names::{folded, output_path};
use super::Handbook;
use crate::diag::{Code, Diagnostic, Diagnostics};
use std::collections::HashMap;

/// Reports every published file whose path a page is written to (compared
/// as a case-insensitive file system would).
pub(super) fn check(handbook: &Handbook, diags: &mut Diagnostics) {
    let pages: HashMap<String, usize> = handbook
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.has_own_page())
        .map(|(i, p)| (folded(&output_path(&p.url)), i))
        .collect();
    for file in &handbook.files {
        let Some(&i) = pages.get(&folded(&file.logical)) else { continue };
        let page = &handbook.pages[i];
        let by = if page.source.is_empty() {
            format!("the {} page copbook generates", page.title)
        } else {
            format!("the page {}", page.source)
        };
        diags.push(
            Diagnostic::error(
                Code::DuplicateUrl,
                format!("{} is published at {}, where {by} is written ({})", file.path, file.logical, page.url),
            )
            .at(&file.path, 0)
            .hint("remove or move the file, or move the page: one would overwrite the other"),
        );
    }
}
