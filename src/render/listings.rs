//! The data of the pages copbook writes itself: the communities directory,
//! people, the A–Z glossary, principles/guidelines/standards by owner and
//! status, and the review report. Each is a template variable named after
//! what it holds.

use super::context::*;
use crate::model::{CommunityStatus, Kind, ReviewState};
use crate::text::slugify;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct CommunityCard {
    pub id: String,
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub status: Option<String>,
    pub leads: Vec<PersonRef>,
    pub leads_as_of: Option<DateView>,
    pub meets: Option<String>,
    /// The first channel, for "Join us".
    pub channel: Option<ChannelView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonCard {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub leads: Vec<LedCommunity>,
}

/// One entry of the A–Z: a term, or an alias pointing at its term.
#[derive(Debug, Clone, Serialize)]
pub struct GlossaryEntry {
    /// The anchor (`#id`) of a term; absent on alias entries.
    pub id: Option<String>,
    pub term: String,
    pub abbreviation: Option<String>,
    pub aliases: Vec<String>,
    pub definition_html: Option<String>,
    pub see_also: Vec<LinkView>,
    /// For alias entries: the term they stand for.
    pub alias_of: Option<LinkView>,
    /// How many pages use the term, the first [`USED_ON_SHOWN`] of them by
    /// title, and how many more there are.
    pub used_on_count: usize,
    pub used_on: Vec<LinkView>,
    pub used_on_more: usize,
}

/// A term used on more pages than this lists these and says how many more:
/// on a big handbook a common term is on thousands of pages.
pub const USED_ON_SHOWN: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub letter: String,
    /// Anchor of the letter's heading, `letter-a`.
    pub id: String,
    pub entries: Vec<GlossaryEntry>,
}

/// A letter in the jump bar, present or not.
#[derive(Debug, Clone, Serialize)]
pub struct JumpLetter {
    pub letter: String,
    pub id: String,
    pub present: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerGroup {
    /// `None` for items without an owner.
    pub owner: Option<LinkView>,
    pub id: String,
    pub leads: Vec<PersonRef>,
    /// By status (published, draft, retired) on directory pages.
    pub groups: Vec<ItemGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewReport {
    pub overdue: usize,
    pub due: usize,
    pub unknown: usize,
    pub due_soon_days: i64,
    /// Items needing review, grouped by owner, most overdue first.
    pub owners: Vec<OwnerGroup>,
    /// Communities whose leads were listed more than a year ago.
    pub stale_leads: Vec<CommunityCard>,
    /// How to give pages owners and review dates, on an imported handbook
    /// none of whose pages has an owner.
    pub owners_help: Option<OwnersHelp>,
}

/// What an imported handbook's pages need for the review report to say
/// who reviews what: the front-matter names and an example of each.
#[derive(Debug, Clone, Serialize)]
pub struct OwnersHelp {
    /// The family the handbook was written for.
    pub family: String,
    /// The key naming a page's owning community.
    pub owner_key: &'static str,
    /// Where community pages go (`source/communities/`).
    pub communities: String,
    pub last_reviewed_key: String,
    pub review_every_key: String,
    /// The build's date, for the example.
    pub today: String,
    /// Whether any page has a review date already.
    pub any_dated: bool,
}

impl Views<'_> {
    pub fn community_card(&self, i: usize) -> CommunityCard {
        let h = self.handbook;
        let p = &h.pages[i];
        let c = p.community().cloned().unwrap_or_default();
        CommunityCard {
            id: p.id.clone(),
            title: p.title.clone(),
            url: h.href(&p.url),
            summary: c.summary.clone().or_else(|| description(p)),
            status: c.status.map(|s| enum_name(&s)),
            leads: c.leads.iter().filter_map(|l| self.person(l)).collect(),
            leads_as_of: self.leads_as_of(i).map(Into::into),
            meets: c.meets.clone(),
            channel: c.channels.first().map(|ch| ChannelView { name: ch.name.clone(), url: ch.url.clone() }),
        }
    }

    /// A community's own "as of" date, else the handbook's.
    pub fn leads_as_of(&self, i: usize) -> Option<crate::date::Date> {
        let h = self.handbook;
        h.pages[i]
            .community()
            .and_then(|c| c.leads_as_of)
            .or_else(|| h.config.leads_as_of.as_deref().and_then(|d| crate::date::Date::parse(d, true)))
    }

    /// Returns (current, past) communities for the directory.
    pub fn communities(&self) -> (Vec<CommunityCard>, Vec<CommunityCard>) {
        let mut current = Vec::new();
        let mut past = Vec::new();
        for i in self.sorted(Kind::Community) {
            let closed = self.handbook.pages[i].community().and_then(|c| c.status) == Some(CommunityStatus::Closed);
            if closed { &mut past } else { &mut current }.push(self.community_card(i));
        }
        (current, past)
    }

    pub fn people(&self) -> Vec<PersonCard> {
        let h = self.handbook;
        self.sorted(Kind::Person)
            .into_iter()
            .map(|i| {
                let p = &h.pages[i];
                let person = p.person().cloned().unwrap_or_default();
                PersonCard {
                    id: p.anchor().map_or_else(|| p.id.clone(), str::to_string),
                    name: p.title.clone(),
                    url: p.has_own_page().then(|| h.href(&p.url)),
                    role: person.role,
                    team: person.team,
                    leads: self.led(&p.id),
                }
            })
            .collect()
    }

    pub fn led(&self, person: &str) -> Vec<LedCommunity> {
        self.handbook
            .led_by(person)
            .map(|(i, c)| LedCommunity {
                title: c.title.clone(),
                url: self.handbook.href(&c.url),
                status: c.community().and_then(|c| c.status).map(|s| enum_name(&s)),
                as_of: self.leads_as_of(i).map(Into::into),
            })
            .collect()
    }

    /// Pages of a kind in navigation order (weight, then title).
    fn sorted(&self, kind: Kind) -> Vec<usize> {
        let h = self.handbook;
        let mut v: Vec<usize> = h.of_kind(kind).map(|(i, _)| i).collect();
        v.sort_by_cached_key(|&i| (h.pages[i].weight, h.pages[i].title.to_lowercase()));
        v
    }

    /// The A–Z: letters present, and the jump bar of all 26 letters (plus
    /// any other initial a term starts with).
    pub fn glossary<'u>(
        &self,
        definitions: &dyn Fn(usize) -> Option<String>,
        used_on: &dyn Fn(usize) -> &'u [usize],
    ) -> (Vec<JumpLetter>, Vec<Letter>) {
        let h = self.handbook;
        let mut entries: Vec<(String, GlossaryEntry)> = Vec::new();
        for (i, p) in h.of_kind(Kind::Term) {
            let t = p.term().cloned().unwrap_or_default();
            let own = self.link(i);
            let see_also =
                t.see_also.iter().filter_map(|id| h.ids.get(&(Kind::Term, id.clone())).map(|&j| self.link(j)));
            // see_also is shown both ways: a term listed by another links back.
            let listed_by = h
                .of_kind(Kind::Term)
                .filter(|(_, q)| q.term().is_some_and(|qt| qt.see_also.contains(&p.id)))
                .map(|(j, _)| self.link(j));
            let mut see: Vec<LinkView> = Vec::new();
            for link in see_also.chain(listed_by) {
                if !see.iter().any(|s| s.url == link.url) {
                    see.push(link);
                }
            }
            // Only the pages shown become links: a common term is on thousands.
            let mut users: Vec<usize> = used_on(i).to_vec();
            users.sort_by_cached_key(|&j| (h.pages[j].title.to_lowercase(), j));
            let used_on_count = users.len();
            users.truncate(USED_ON_SHOWN);
            let users: Vec<LinkView> = users.into_iter().map(|j| self.link(j)).collect();
            entries.push((
                p.title.clone(),
                GlossaryEntry {
                    id: p.anchor().map(str::to_string),
                    term: p.title.clone(),
                    abbreviation: t.abbreviation.clone(),
                    aliases: t.aliases.clone(),
                    definition_html: definitions(i),
                    see_also: see,
                    alias_of: None,
                    used_on_count,
                    used_on_more: used_on_count - users.len(),
                    used_on: users,
                },
            ));
            for alias in t.aliases.iter().chain(t.abbreviation.iter()) {
                if !alias.eq_ignore_ascii_case(&p.title) {
                    entries.push((
                        alias.clone(),
                        GlossaryEntry {
                            id: None,
                            term: alias.clone(),
                            abbreviation: None,
                            aliases: Vec::new(),
                            definition_html: None,
                            see_also: Vec::new(),
                            alias_of: Some(own.clone()),
                            used_on_count: 0,
                            used_on: Vec::new(),
                            used_on_more: 0,
                        },
                    ));
                }
            }
        }
        entries.sort_by_cached_key(|(name, e)| (name.to_lowercase(), e.alias_of.is_some()));
        let mut letters: BTreeMap<String, Vec<GlossaryEntry>> = BTreeMap::new();
        for (name, entry) in entries {
            letters.entry(initial(&name)).or_default().push(entry);
        }
        let mut jump: Vec<JumpLetter> = ('A'..='Z')
            .map(|c| c.to_string())
            .chain(letters.keys().filter(|k| !(k.len() == 1 && k.as_bytes()[0].is_ascii_uppercase())).cloned())
            .map(|l| JumpLetter { id: letter_id(&l), present: letters.contains_key(&l), letter: l })
            .collect();
        jump.dedup_by(|a, b| a.letter == b.letter);
        let groups =
            letters.into_iter().map(|(letter, entries)| Letter { id: letter_id(&letter), letter, entries }).collect();
        (jump, groups)
    }

    /// Principles, guidelines or standards grouped by owner, then by status.
    pub fn items_by_owner(&self, kind: Kind) -> Vec<OwnerGroup> {
        let h = self.handbook;
        let mut by_owner: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
        for i in self.sorted(kind) {
            let owners = &h.pages[i].owners;
            if owners.is_empty() {
                by_owner.entry((true, String::new())).or_default().push(i);
            }
            for o in owners {
                let title = h.get(Kind::Community, o).map_or(o.clone(), |c| c.title.clone());
                by_owner.entry((false, format!("{}\u{0}{o}", title.to_lowercase()))).or_default().push(i);
            }
        }
        by_owner
            .into_iter()
            .map(|((_, key), items)| {
                let owner_id = key.split('\u{0}').nth(1).unwrap_or("").to_string();
                let mut groups: BTreeMap<String, Vec<ItemCard>> = BTreeMap::new();
                for i in items {
                    let status =
                        h.pages[i].item().and_then(|it| it.status).unwrap_or(crate::model::ItemStatus::Published);
                    groups
                        .entry(format!("{}{}", status as u8, enum_name(&status)))
                        .or_default()
                        .push(self.item_card(i));
                }
                OwnerGroup {
                    owner: self.community_link(&owner_id),
                    id: if owner_id.is_empty() { "no-owner".into() } else { format!("owner-{}", slugify(&owner_id)) },
                    leads: self.leads_of(&owner_id),
                    groups: groups
                        .into_iter()
                        .map(|(key, items)| {
                            let status = &key[1..];
                            ItemGroup { title: status_title(status).into(), id: status.into(), items }
                        })
                        .collect(),
                }
            })
            .collect()
    }

    fn leads_of(&self, community: &str) -> Vec<PersonRef> {
        self.handbook
            .get(Kind::Community, community)
            .and_then(|c| c.community())
            .map(|c| c.leads.iter().filter_map(|l| self.person(l)).collect())
            .unwrap_or_default()
    }

    /// What a community owns, grouped by kind.
    pub fn owned(&self, community: &str) -> Vec<ItemGroup> {
        let h = self.handbook;
        [(Kind::Principle, "Principles"), (Kind::Guideline, "Guidelines"), (Kind::Standard, "Standards")]
            .into_iter()
            .map(|(kind, title)| ItemGroup {
                title: title.into(),
                id: slugify(title),
                items: h.owned_by(community).filter(|(_, p)| p.kind == kind).map(|(i, _)| self.item_card(i)).collect(),
            })
            .filter(|g| !g.items.is_empty())
            .collect()
    }

    /// Which principles each of the `standards` (page indexes) serves, from
    /// their `principles`: a row per standard in force, by title, and a
    /// column per principle one of them serves, by number then title.
    /// `None` when none serves a principle.
    pub fn principle_matrix(&self, standards: impl Iterator<Item = usize>) -> Option<PrincipleMatrix> {
        let h = self.handbook;
        let serves = |i: usize| -> Vec<usize> {
            let principles = h.pages[i].item().map_or(&[][..], |it| it.principles.as_slice());
            principles.iter().filter_map(|id| h.ids.get(&(Kind::Principle, id.clone())).copied()).collect()
        };
        let retired = |i: usize| h.pages[i].item().and_then(|it| it.status) == Some(crate::model::ItemStatus::Retired);
        let mut rows: Vec<(usize, Vec<usize>)> = standards.filter(|&i| !retired(i)).map(|i| (i, serves(i))).collect();
        let mut columns: Vec<usize> = rows.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        if columns.is_empty() {
            return None;
        }
        columns.sort_by_cached_key(|&j| {
            let p = &h.pages[j];
            (p.item().and_then(|it| it.number).unwrap_or(i64::MAX), p.title.to_lowercase(), j)
        });
        columns.dedup();
        rows.sort_by_cached_key(|(i, _)| (h.pages[*i].title.to_lowercase(), *i));
        Some(PrincipleMatrix {
            principles: columns.iter().map(|&j| self.link(j)).collect(),
            rows: rows
                .into_iter()
                .map(|(i, served)| MatrixRow {
                    standard: self.link(i),
                    serves: columns.iter().map(|j| served.contains(j)).collect(),
                })
                .collect(),
        })
    }

    /// Everything overdue, due soon or never reviewed, by owner.
    pub fn review_report(&self) -> ReviewReport {
        let h = self.handbook;
        let mut needing: Vec<usize> = h
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                let retired = p.item().and_then(|it| it.status) == Some(crate::model::ItemStatus::Retired);
                !retired && p.review.as_ref().is_some_and(|r| r.state != ReviewState::Ok)
            })
            .map(|(i, _)| i)
            .collect();
        needing.sort_by_key(|&i| {
            let r = h.pages[i].review.as_ref();
            (r.map(|r| r.state), r.and_then(|r| r.days).unwrap_or(i64::MAX), h.pages[i].title.clone())
        });
        let count =
            |state| needing.iter().filter(|&&i| h.pages[i].review.as_ref().is_some_and(|r| r.state == state)).count();
        let mut owners: Vec<OwnerGroup> = Vec::new();
        for &i in &needing {
            let page = &h.pages[i];
            let owner_ids: Vec<String> = if page.owners.is_empty() { vec![String::new()] } else { page.owners.clone() };
            for owner in owner_ids {
                let id = if owner.is_empty() { "no-owner".to_string() } else { format!("owner-{}", slugify(&owner)) };
                let group = match owners.iter_mut().position(|g| g.id == id) {
                    Some(g) => &mut owners[g],
                    None => {
                        owners.push(OwnerGroup {
                            owner: self.community_link(&owner),
                            id,
                            leads: self.leads_of(&owner),
                            groups: vec![ItemGroup {
                                title: "Needs review".into(),
                                id: "needs-review".into(),
                                items: Vec::new(),
                            }],
                        });
                        owners.last_mut().expect("just pushed")
                    }
                };
                group.groups[0].items.push(self.item_card(i));
            }
        }
        let stale_leads = h
            .of_kind(Kind::Community)
            .filter(|(i, p)| {
                let closed = p.community().and_then(|c| c.status) == Some(CommunityStatus::Closed);
                !closed && self.leads_as_of(*i).is_some_and(|d| d.add_months(12) < h.today)
            })
            .map(|(i, _)| self.community_card(i))
            .collect();
        ReviewReport {
            owners_help: self.owners_help(),
            overdue: count(ReviewState::Overdue),
            due: count(ReviewState::Due),
            unknown: count(ReviewState::Unknown),
            due_soon_days: h.config.review.due_soon_days,
            owners,
            stale_leads,
        }
    }
}

impl Views<'_> {
    /// On an imported handbook none of whose pages has an owner, how to
    /// give them one (and review dates), in the family's own front-matter names.
    fn owners_help(&self) -> Option<OwnersHelp> {
        let h = self.handbook;
        let imported = h.config.imported.as_ref()?;
        if h.pages.iter().any(|p| !p.owners.is_empty()) {
            return None;
        }
        Some(OwnersHelp {
            family: imported.family.clone(),
            owner_key: crate::keys::OWNER.name,
            communities: imported.communities.clone(),
            last_reviewed_key: imported.last_reviewed.clone(),
            review_every_key: imported.review_every.clone(),
            today: h.today.to_string(),
            any_dated: h.pages.iter().any(|p| p.review.as_ref().is_some_and(|r| r.state != ReviewState::Unknown)),
        })
    }
}

fn status_title(status: &str) -> &'static str {
    match status {
        "published" => "Published",
        "draft" => "Draft",
        "retired" => "Retired",
        _ => "Other",
    }
}

/// The A–Z letter a name is filed under.
fn initial(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) if c.is_alphabetic() => {
            // Fold accented capitals onto their base letter where it is ASCII.
            let upper: String = c.to_uppercase().collect();
            let folded = slugify(&upper).to_uppercase();
            if folded.len() == 1 {
                folded
            } else {
                upper
            }
        }
        Some(c) if c.is_ascii_digit() => "0–9".into(),
        _ => "#".into(),
    }
}

fn letter_id(letter: &str) -> String {
    match letter {
        "0–9" => "letter-digits".into(),
        "#" => "letter-other".into(),
        l => format!("letter-{}", slugify(l)),
    }
}

/// Principles × standards: which principles each standard serves.
#[derive(Debug, Clone, Serialize)]
pub struct PrincipleMatrix {
    /// The columns.
    pub principles: Vec<LinkView>,
    pub rows: Vec<MatrixRow>,
}

/// A standard, and for each column of its matrix whether it serves that principle.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub standard: LinkView,
    pub serves: Vec<bool>,
}
