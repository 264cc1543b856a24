//! Checks of the handbook's health beyond broken references: content past
//! its review date, communities without leads, closed communities still
//! owning published items, glossary terms defined twice, pages without a
//! title. Broken references are found where they are resolved (the model),
//! broken links where links are resolved (the site pipeline).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys;
use crate::model::{CommunityStatus, Handbook, ItemStatus, Kind, Page, ReviewState};
use std::collections::HashMap;

/// Runs every health check on the handbook.
pub fn run(h: &Handbook, diags: &mut Diagnostics) {
    for page in &h.pages {
        review(h, page, diags);
        title(page, diags);
    }
    communities(h, diags);
    glossary(h, diags);
}

fn line_of(page: &Page, key: &str) -> u32 {
    if page.front.key_lines.contains_key(key) {
        page.front.line_of(key)
    } else {
        0
    }
}

fn owner_text(h: &Handbook, page: &Page) -> String {
    if page.owners.is_empty() {
        return page.contact.as_ref().map_or_else(|| "no owner".to_string(), |c| format!("contact: {c}"));
    }
    let names: Vec<String> = page
        .owners
        .iter()
        .map(|o| {
            let leads: Vec<String> = h
                .get(Kind::Community, o)
                .and_then(|c| c.community())
                .map(|c| {
                    c.leads.iter().map(|l| h.get(Kind::Person, l).map_or(l.clone(), |p| p.title.clone())).collect()
                })
                .unwrap_or_default();
            if leads.is_empty() {
                o.clone()
            } else {
                format!("{o} (leads: {})", leads.join(", "))
            }
        })
        .collect();
    format!("owner: {}", names.join("; "))
}

fn review(h: &Handbook, page: &Page, diags: &mut Diagnostics) {
    let Some(review) = &page.review else { return };
    if page.item().and_then(|i| i.status) == Some(ItemStatus::Retired) {
        return;
    }
    let key = [keys::REVIEW_BY, keys::REVIEW_EVERY, keys::LAST_REVIEWED]
        .iter()
        .flat_map(|k| k.names())
        .find(|k| page.front.key_lines.contains_key(*k))
        .unwrap_or(keys::LAST_REVIEWED.name);
    let line = line_of(page, key);
    match (review.state, review.due, review.days) {
        (ReviewState::Overdue, Some(due), Some(days)) => diags.push(
            Diagnostic::warning(
                Code::ReviewOverdue,
                format!("review was due {due} ({} days ago); {}", -days, owner_text(h, page)),
            )
            .at(&page.source, line)
            .hint("review the content, then set last_reviewed to the day you did"),
        ),
        (ReviewState::Due, Some(due), Some(days)) => diags.push(
            Diagnostic::note(Code::ReviewDue, format!("review is due {due} (in {days} days); {}", owner_text(h, page)))
                .at(&page.source, line),
        ),
        (ReviewState::Unknown, _, _) => diags.push(
            Diagnostic::warning(Code::NeverReviewed, format!("{} has no last_reviewed or review_by", page.kind.name()))
                .at(&page.source, 0)
                .hint("add last_reviewed = YYYY-MM-DD (and review_every if the default does not suit)"),
        ),
        _ => {}
    }
}

fn title(page: &Page, diags: &mut Diagnostics) {
    let has_title = [keys::TITLE, keys::TERM, keys::NAME].iter().any(|k| page.front.fields.contains_key(k.name));
    let is_folder_landing = page.source.ends_with("index.md") || page.source.ends_with("README.md");
    if page.source.is_empty() || has_title || is_folder_landing || page.kind == Kind::Term || page.front.invalid {
        return;
    }
    if crate::text::first_heading(&page.body).is_none() {
        diags.push(
            Diagnostic::warning(
                Code::MissingTitle,
                format!("no title or heading; using '{}' from the file name", page.title),
            )
            .at(&page.source, 1)
            .hint("add title = \"...\" to the front matter, or start the page with a # heading"),
        );
    }
}

fn communities(h: &Handbook, diags: &mut Diagnostics) {
    for (_, page) in h.of_kind(Kind::Community) {
        let Some(c) = page.community() else { continue };
        let closed = c.status == Some(CommunityStatus::Closed);
        if c.leads.is_empty() && !closed {
            diags.push(
                Diagnostic::warning(Code::NoLeads, format!("community '{}' has no leads", page.id))
                    .at(&page.source, 0)
                    .hint("add leads = [\"person-id\"], naming files in people/"),
            );
        }
        if closed {
            let published: Vec<&str> = h
                .owned_by(&page.id)
                .filter(|(_, p)| {
                    p.item().and_then(|i| i.status).unwrap_or(ItemStatus::Published) == ItemStatus::Published
                })
                .map(|(_, p)| p.source.as_str())
                .collect();
            if !published.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        Code::ClosedOwner,
                        format!("closed community '{}' still owns published items: {}", page.id, published.join(", ")),
                    )
                    .at(&page.source, line_of(page, "status"))
                    .hint("hand them to an active community (change their owner), or retire them"),
                );
            }
        }
    }
}

/// Terms, aliases and abbreviations share one namespace: a reader looking
/// up a word must find one meaning. Abbreviations compare case-sensitively.
fn glossary(h: &Handbook, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (&Page, &'static str)> = HashMap::new();
    for (_, page) in h.of_kind(Kind::Term) {
        let Some(t) = page.term() else { continue };
        let mut names: Vec<(String, &'static str, &'static str)> = vec![(page.title.to_lowercase(), "term", "term")];
        names.extend(t.aliases.iter().map(|a| (a.to_lowercase(), "alias", "aliases")));
        names.extend(t.abbreviation.iter().map(|a| (format!("abbr:{a}"), "abbreviation", "abbreviation")));
        names.sort();
        names.dedup_by(|a, b| a.0 == b.0);
        for (key, what, field) in names {
            let shown = key.strip_prefix("abbr:").unwrap_or(&key).to_string();
            if let Some((other, other_what)) = seen.get(&key) {
                let line = line_of(page, field).max(line_of(page, "term"));
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateTerm,
                        format!(
                            "{what} '{shown}' is already the {other_what} of '{}' ({})",
                            other.title,
                            location(other)
                        ),
                    )
                    .at(&page.source, line)
                    .hint("a glossary word must have one meaning: merge the entries, or remove one"),
                );
            } else {
                seen.insert(key, (page, what));
            }
        }
    }
}

fn location(page: &Page) -> String {
    match page.front.key_lines.get("term").or_else(|| page.front.key_lines.get("title")) {
        Some(line) => format!("{}:{line}", page.source),
        None => page.source.clone(),
    }
}
