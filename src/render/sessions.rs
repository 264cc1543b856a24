//! What `/sessions/` shows: every community's upcoming sessions by date,
//! and the same days grouped by community and by format, as plain lists
//! that filter without JavaScript (each group has its own heading and anchor).

use super::context::*;
use crate::model::Kind;
use crate::text::slugify;
use std::collections::BTreeMap;

/// A page on `/whats-new/`.
#[derive(serde::Serialize)]
pub struct ChangeView {
    pub title: String,
    pub url: String,
    pub kind: String,
    pub kind_title: String,
    pub owners: Vec<LinkView>,
    pub updated: DateView,
    pub version: Option<String>,
    /// What changed, in a line: the subject of the page's last commit (from git).
    pub subject: Option<String>,
}

/// How many pages `/whats-new/` lists.
const CHANGES: usize = 50;

impl Views<'_> {
    /// The pages written by hand, most recently changed first (git dates,
    /// else file times), with their kind and owners.
    pub fn whats_new(&self) -> Vec<ChangeView> {
        let h = self.handbook;
        let mut pages: Vec<(usize, crate::date::Date)> = h
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.source.is_empty() && p.kind != Kind::Term)
            .filter_map(|(i, p)| Some((i, p.updated?)))
            .collect();
        // Newest first; among pages of one day, in the order of their URLs.
        pages.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| h.pages[a.0].url.cmp(&h.pages[b.0].url)));
        pages
            .into_iter()
            .take(CHANGES)
            .map(|(i, date)| {
                let p = &h.pages[i];
                ChangeView {
                    title: p.title.clone(),
                    url: h.href(&p.url),
                    kind: kind_name(p).to_string(),
                    kind_title: kind_title(p).to_string(),
                    owners: p.owners.iter().filter_map(|o| self.community_link(o)).collect(),
                    updated: date.into(),
                    version: p.item().and_then(|it| it.version.clone()),
                    subject: p.history.first().map(|c| c.subject.to_string()).filter(|s| !s.is_empty()),
                }
            })
            .collect()
    }

    /// The template variables of `/sessions/`: `upcoming`, `by_community`, `by_format`.
    pub fn sessions_listing(&self) -> Vec<(&'static str, serde_json::Value)> {
        let h = self.handbook;
        let communities: Vec<usize> = h.of_kind(Kind::Community).map(|(i, _)| i).collect();
        let days = self.upcoming_days(&communities);
        let upcoming: Vec<SessionView> = days.iter().map(|&(d, _, i, s)| self.session(i, s, Some(d))).collect();
        let mut by_community: Vec<SessionGroup> = Vec::new();
        for &i in &communities {
            let sessions: Vec<SessionView> =
                upcoming.iter().filter(|s| s.community.url == h.href(&h.pages[i].url)).cloned().collect();
            if !sessions.is_empty() {
                by_community.push(SessionGroup {
                    title: h.pages[i].title.clone(),
                    id: format!("community-{}", slugify(&h.pages[i].id)),
                    sessions,
                });
            }
        }
        by_community.sort_by_key(|g| g.title.to_lowercase());
        let mut formats: BTreeMap<String, SessionGroup> = BTreeMap::new();
        for s in &upcoming {
            let name = s.format.clone().unwrap_or_else(|| "Other".into());
            formats
                .entry(name.to_lowercase())
                .or_insert_with(|| SessionGroup {
                    id: format!("format-{}", slugify(&name)),
                    title: name,
                    sessions: Vec::new(),
                })
                .sessions
                .push(s.clone());
        }
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
        vec![
            ("upcoming", json(serde_json::to_value(&upcoming))),
            ("by_community", json(serde_json::to_value(&by_community))),
            ("by_format", json(serde_json::to_value(formats.into_values().collect::<Vec<_>>()))),
        ]
    }
}
