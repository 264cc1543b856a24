//! Links between pages after Markdown: broken links and anchors become
//! warnings with file and line, and every link is recorded as a backlink.

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::markdown::LinkKind;
use crate::model::links::Located;
use crate::model::{self, Handbook};
use std::collections::{HashMap, HashSet};

use super::Body;

/// Broken links and anchors are warnings with file and line; every link
/// between pages is recorded as a backlink of its target.
pub(super) fn check(h: &Handbook, bodies: &[Option<&Body>], diags: &mut Diagnostics) -> Vec<Vec<usize>> {
    let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); h.pages.len()];
    // Entries without a page of their own (terms; people when person pages
    // are off) are anchors on the page their URL names.
    let mut entries: HashMap<usize, Vec<&str>> = HashMap::new();
    for p in h.pages.iter().filter(|p| !p.has_own_page()) {
        if let (Some(&home), Some(anchor)) = (h.urls.get(p.url.split('#').next().unwrap_or("")), p.anchor()) {
            entries.entry(home).or_default().push(anchor);
        }
    }
    let anchors_of = |i: usize| -> HashSet<&str> {
        let mut anchors: HashSet<&str> =
            bodies[i].map(|b| b.rendered.anchors.iter().map(String::as_str).collect()).unwrap_or_default();
        anchors.extend(entries.get(&i).into_iter().flatten());
        anchors
    };
    for (i, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let page = &h.pages[i];
        for (link, located) in body.rendered.links.iter().zip(&body.located) {
            let what = if link.kind == LinkKind::Image { "image" } else { "link" };
            if link.alt.as_deref().is_some_and(|alt| alt.trim().is_empty()) {
                diags.push(
                    Diagnostic::warning("image-no-alt", format!("image '{}' has no alt text", link.target))
                        .at(&page.source, link.line)
                        .column(link.column)
                        .hint("describe what the image shows for people who cannot see it: ![A chart of sessions per month](chart.png)"),
                );
            }
            match located.clone() {
                Located::Broken => diags.push(
                    Diagnostic::warning(
                        if link.kind == LinkKind::Image { "missing-asset" } else { "broken-link" },
                        format!("{what} '{}' resolves to no page or file", link.target),
                    )
                    .at(&page.source, link.line)
                    .column(link.column)
                    .hint("check the path: links are relative to this file, like ../standards/captions.md"),
                ),
                Located::SamePage(anchor) if !anchor.is_empty() && !anchors_of(i).contains(&anchor.as_str()) => diags
                    .push(
                        Diagnostic::warning("broken-anchor", format!("'#{anchor}' is not a heading on this page"))
                            .at(&page.source, link.line)
                            .column(link.column)
                            .maybe_hint(did_you_mean(&anchor, anchors_of(i))),
                    ),
                Located::Page { index, anchor } => {
                    let target = &h.pages[index];
                    let own_anchor = target.anchor().map(str::to_string);
                    if let Some(anchor) = anchor.filter(|a| Some(a) != own_anchor.as_ref()) {
                        let anchor_page = if target.has_own_page() {
                            index
                        } else {
                            h.urls.get(target.url.split('#').next().unwrap_or("")).copied().unwrap_or(index)
                        };
                        if !anchors_of(anchor_page).contains(&anchor.as_str()) {
                            diags.push(
                                Diagnostic::warning(
                                    "broken-anchor",
                                    format!("'#{anchor}' is not a heading in {}", describe(target)),
                                )
                                .at(&page.source, link.line)
                                .column(link.column)
                                .maybe_hint(did_you_mean(&anchor, anchors_of(anchor_page))),
                            );
                        }
                    }
                    if index != i && !backlinks[index].contains(&i) {
                        backlinks[index].push(i);
                    }
                }
                _ => {}
            }
        }
    }
    backlinks
}

fn describe(page: &model::Page) -> String {
    if page.source.is_empty() {
        page.url.clone()
    } else {
        page.source.clone()
    }
}
