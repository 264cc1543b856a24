//! Stage 2: the typed handbook.
//!
//! Input: a loaded [`Folder`](crate::load::Folder). Output: a [`Handbook`]:
//! every page with its kind, URL, title and typed fields; the pages copbook
//! writes itself (directories, glossary, review report); the navigation
//! tree; and findings for references that name nothing.
//!
//! Relations are ids and indexes into `Handbook::pages`, never references,
//! so the model is plain data that every later stage shares read-only.

mod build;
mod cycles;
mod fields;
mod glossary;
pub mod links;
mod names;
mod nav;
mod page;
mod published;
mod references;
mod review;
pub mod sessions;
mod typed;

pub use build::{handbook, handbook_cached, Cache};
pub use names::output_path;
pub use review::{Review, ReviewState};

use crate::config::Config;
use crate::date::Date;
use crate::load::FrontMatter;
use serde::Serialize;
use std::collections::HashMap;

/// What a page is. Typed kinds come from the top folder, or `kind =`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Page,
    Community,
    Person,
    Term,
    Principle,
    Guideline,
    Standard,
    /// A page copbook writes itself.
    Generated(Generated),
}

/// The pages copbook writes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Generated {
    Home,
    /// The landing page of a folder without an index.md.
    Section,
    Communities,
    People,
    Glossary,
    Principles,
    Guidelines,
    Standards,
    Review,
    /// Every community's upcoming sessions.
    Sessions,
    /// The pages changed most recently.
    WhatsNew,
    NotFound,
    /// `/search/`: every result of a query, for links and for Enter.
    Search,
}

impl Kind {
    /// The folder a typed kind lives in, and the kind it gives.
    pub const FOLDERS: [(&'static str, Kind, Generated); 6] = [
        ("communities", Kind::Community, Generated::Communities),
        ("people", Kind::Person, Generated::People),
        ("glossary", Kind::Term, Generated::Glossary),
        ("principles", Kind::Principle, Generated::Principles),
        ("guidelines", Kind::Guideline, Generated::Guidelines),
        ("standards", Kind::Standard, Generated::Standards),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Community => "community",
            Kind::Person => "person",
            Kind::Term => "term",
            Kind::Principle => "principle",
            Kind::Guideline => "guideline",
            Kind::Standard => "standard",
            Kind::Generated(_) => "generated",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::Page, Kind::Community, Kind::Person, Kind::Term, Kind::Principle, Kind::Guideline, Kind::Standard]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// Principles, guidelines and standards: owned, versioned, reviewed.
    pub fn is_item(self) -> bool {
        matches!(self, Kind::Principle | Kind::Guideline | Kind::Standard)
    }
}

/// Lifecycle of a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommunityStatus {
    Forming,
    Active,
    Paused,
    Closed,
}

impl CommunityStatus {
    /// The status a word of the keys table names.
    pub fn from_name(name: &str) -> Option<Self> {
        use CommunityStatus::*;
        [Forming, Active, Paused, Closed].into_iter().find(|s| s.name() == name)
    }
    pub fn name(self) -> &'static str {
        match self {
            CommunityStatus::Forming => "forming",
            CommunityStatus::Active => "active",
            CommunityStatus::Paused => "paused",
            CommunityStatus::Closed => "closed",
        }
    }
}

/// Lifecycle of a principle, guideline or standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    Published,
    Draft,
    Retired,
}

impl ItemStatus {
    /// The status a word of the keys table names.
    pub fn from_name(name: &str) -> Option<Self> {
        use ItemStatus::*;
        [Published, Draft, Retired].into_iter().find(|s| s.name() == name)
    }
    pub fn name(self) -> &'static str {
        match self {
            ItemStatus::Published => "published",
            ItemStatus::Draft => "draft",
            ItemStatus::Retired => "retired",
        }
    }
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct Channel {
    pub name: String,
    pub url: Option<String>,
}

/// One session of a community, or a series of them when it has a recurrence.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Session {
    /// The day it is held, or the first of the series.
    pub date: Date,
    /// Minutes after midnight, in the handbook's time zone.
    pub start: Option<u16>,
    /// Length in minutes (from `end` or `duration`).
    pub minutes: Option<u16>,
    pub title: Option<String>,
    pub format: Option<String>,
    /// A person id when it names one, else plain text.
    pub facilitator: Option<String>,
    /// Where it happens, in words (a room, "online").
    pub location: Option<String>,
    /// The call link.
    pub link: Option<String>,
    pub recurrence: Option<sessions::Recurrence>,
    /// The last day of a series.
    pub until: Option<Date>,
    /// Days of a series it is not held (`except`), sorted.
    pub except: Vec<Date>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Default, Hash)]
pub struct Community {
    pub summary: Option<String>,
    pub leads: Vec<String>,
    pub leads_as_of: Option<Date>,
    pub status: Option<CommunityStatus>,
    pub meets: Option<String>,
    pub channels: Vec<Channel>,
    pub formats: Vec<String>,
    pub started: Option<Date>,
    pub approved: Option<Date>,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, Default, Hash)]
pub struct Person {
    pub role: Option<String>,
    pub team: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Default, Hash)]
pub struct Term {
    pub abbreviation: Option<String>,
    pub aliases: Vec<String>,
    pub see_also: Vec<String>,
    /// Pages may link it where they use it (`link = false` says no).
    pub link: bool,
}

#[derive(Debug, Clone, Default, Hash)]
pub struct Item {
    pub status: Option<ItemStatus>,
    pub version: Option<String>,
    pub replaces: Option<String>,
    pub number: Option<i64>,
    /// Ids of the principles a guideline or standard serves.
    pub principles: Vec<String>,
}

/// Fields only some kinds have.
#[derive(Debug, Clone, Hash)]
pub enum Typed {
    None,
    Community(Community),
    Person(Person),
    Term(Term),
    Item(Item),
}

/// One page of the site, written by hand or by copbook.
#[derive(Debug, Clone)]
pub struct Page {
    pub kind: Kind,
    /// The id references use: the file stem for typed kinds, else the URL.
    pub id: String,
    /// Source path relative to the handbook folder; empty for generated pages.
    pub source: String,
    /// The source's path inside the content folder, which relative links start from.
    pub logical: String,
    /// Old URLs that redirect here.
    pub redirect_from: Vec<String>,
    /// Root-relative URL without the base path: `/standards/captions/`.
    /// Glossary terms have the glossary's URL and their anchor.
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub body: std::sync::Arc<str>,
    pub body_line: u32,
    pub front: std::sync::Arc<FrontMatter>,
    pub updated: Option<Date>,
    /// The commits that changed its source, newest first (from git).
    pub history: std::sync::Arc<[crate::load::Change]>,
    /// Community ids that own this page.
    pub owners: Vec<String>,
    pub review: Option<Review>,
    /// Who to ask about the page when it has no owner (tech-docs `owner_slack`).
    pub contact: Option<String>,
    pub typed: Typed,
    /// Index of the section page this page sits in; `None` for the home page.
    pub parent: Option<usize>,
    /// Pages and sections below a section, in navigation order.
    pub children: Vec<usize>,
    /// A draft (`draft = true`), built only for the preview's `--drafts`.
    pub draft: bool,
    /// Glossary terms in its text may become links (`glossary_links`).
    pub glossary_links: bool,
}

impl Page {
    pub fn community(&self) -> Option<&Community> {
        match &self.typed {
            Typed::Community(c) => Some(c),
            _ => None,
        }
    }
    pub fn person(&self) -> Option<&Person> {
        match &self.typed {
            Typed::Person(p) => Some(p),
            _ => None,
        }
    }
    pub fn term(&self) -> Option<&Term> {
        match &self.typed {
            Typed::Term(t) => Some(t),
            _ => None,
        }
    }
    pub fn item(&self) -> Option<&Item> {
        match &self.typed {
            Typed::Item(i) => Some(i),
            _ => None,
        }
    }
    /// Whether the page is written to a file of its own (terms live on the glossary).
    /// Terms, and people when person pages are off, are entries on their
    /// directory page, addressed by an anchor.
    pub fn has_own_page(&self) -> bool {
        !self.url.contains('#')
    }
    /// Feeds everything about the page but its body to `state`: what other
    /// pages can see of it. Every field is named, so a new field cannot be
    /// forgotten here (the compiler asks for it).
    pub fn hash_shape<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash;
        let Page {
            kind,
            id,
            source,
            logical,
            redirect_from,
            url,
            title,
            description,
            weight,
            body: _,
            body_line,
            front,
            updated,
            history,
            owners,
            review,
            contact,
            typed,
            parent,
            children,
            draft,
            glossary_links,
        } = self;
        (kind, id, source, logical, redirect_from, url, title, description, weight, body_line).hash(state);
        (updated, history, owners, review, contact, typed, parent, children, draft, glossary_links).hash(state);
        let _ = serde_json::to_writer(HashWriter(state), &front.fields);
    }

    /// The anchor of a term on the glossary page.
    pub fn anchor(&self) -> Option<&str> {
        self.url.split_once('#').map(|(_, a)| a)
    }
}

/// Feeds serialised bytes to a hasher without building a string.
pub struct HashWriter<'a, H: std::hash::Hasher>(pub &'a mut H);

impl<H: std::hash::Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The whole handbook, ready to render.
#[derive(Debug, Clone)]
pub struct Handbook {
    pub config: Config,
    pub today: Date,
    /// Every page.
    pub pages: Vec<Page>,
    /// Pages by kind and id (for references).
    pub ids: HashMap<(Kind, String), usize>,
    /// Pages by logical source path (inside the content folder).
    pub sources: HashMap<String, usize>,
    /// Pages by URL (without anchors).
    pub urls: HashMap<String, usize>,
    /// Non-Markdown files that are published.
    pub files: Vec<crate::load::FileEntry>,
    /// Old URLs and where they now lead (from configuration and pages).
    pub redirects: Vec<(String, String)>,
    /// Pages in reading order, for previous/next links.
    pub reading_order: Vec<usize>,
}

impl Handbook {
    /// Index of the home page.
    pub fn home(&self) -> usize {
        self.urls.get("/").copied().unwrap_or(0)
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&Page> {
        self.ids.get(&(kind, id.to_string())).map(|&i| &self.pages[i])
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (usize, &Page)> {
        self.pages.iter().enumerate().filter(move |(_, p)| p.kind == kind)
    }

    /// The page copbook generates for `which`, when there is one.
    pub fn generated(&self, which: Generated) -> Option<usize> {
        self.pages.iter().position(|p| p.kind == Kind::Generated(which))
    }

    /// Communities that list `person` among their leads.
    pub fn led_by<'a>(&'a self, person: &'a str) -> impl Iterator<Item = (usize, &'a Page)> + 'a {
        self.of_kind(Kind::Community)
            .filter(move |(_, p)| p.community().is_some_and(|c| c.leads.iter().any(|l| l == person)))
    }

    /// Principles, guidelines and standards owned by `community`.
    pub fn owned_by<'a>(&'a self, community: &'a str) -> impl Iterator<Item = (usize, &'a Page)> + 'a {
        self.pages.iter().enumerate().filter(move |(_, p)| p.kind.is_item() && p.owners.iter().any(|o| o == community))
    }

    /// The URL with the site's base path: what goes into an `href`.
    pub fn href(&self, url: &str) -> String {
        format!("{}{}", self.config.base_path(), url)
    }
}

/// The URL a redirect is written at, within the site: `old` and `/old`
/// are `/old/`; a name with an extension (`/old.html`) stays a file.
pub fn redirect_address(from: &str) -> String {
    let from = if from.starts_with('/') { from.to_string() } else { format!("/{from}") };
    if from.ends_with('/') || from.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        from
    } else {
        format!("{from}/")
    }
}
