//! What `/sessions/` shows: every community's upcoming sessions by date,
//! and the same days grouped by community and by format, as plain lists
//! that filter without JavaScript (each group has its own heading and anchor).

use super::context::*;
use crate::model::Kind;
use crate::text::slugify;
use std::collections::BTreeMap;

impl Views<'_> {
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
