//! The one table of the front-matter keys copbook knows.
//!
//! Reading a field (the model), telling known keys from a template's
//! `page.extra`, the health checks, the adapters that protect copbook's keys
//! in other generators' front matter, and the tests that hold the README and
//! the example handbook's reference to the truth all take their keys from
//! here, so a key cannot be known in one place and unknown in another.
//!
//! A leaf: loading (the adapters) and the model both use it.

/// What a key's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    /// A list of text; one text value counts as a list of one.
    List,
    Integer,
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    DateOrMonth,
    /// A number and a unit: `6 months`.
    Duration,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A list of tables (`channels`, `sessions`).
    Tables,
}

/// Which pages read a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Every,
    Community,
    Person,
    Term,
    /// Principles, guidelines and standards.
    Item,
    /// Entries of `glossary.toml` only.
    GlossaryFile,
}

/// One front-matter key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The name to write, as the reference documents it.
    pub name: &'static str,
    /// Other names read as this key (other generators' names), tried in
    /// this order after `name`.
    pub aliases: &'static [&'static str],
    pub ty: Type,
    pub scope: Scope,
    /// One line for the reference.
    pub doc: &'static str,
}

impl Key {
    /// `name`, then the aliases: the order in which they are looked up.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

const fn key(name: &'static str, ty: Type, scope: Scope, doc: &'static str) -> Key {
    Key { name, aliases: &[], ty, scope, doc }
}

const fn alias(name: &'static str, aliases: &'static [&'static str], ty: Type, scope: Scope, doc: &'static str) -> Key {
    Key { name, aliases, ty, scope, doc }
}

use Scope::*;
use Type::*;

pub const TITLE: Key =
    key("title", Text, Every, "the page's title; the first heading, else the file name, when absent");
pub const DESCRIPTION: Key =
    alias("description", &["summary"], Text, Every, "one sentence shown in listings and to search engines");
pub const WEIGHT: Key = key("weight", Integer, Every, "order in navigation and lists, lower first");
pub const DRAFT: Key = key("draft", Boolean, Every, "true leaves the page out of the build");
pub const KIND: Key = key(
    "kind",
    Choice(&["page", "community", "person", "term", "principle", "guideline", "standard"]),
    Every,
    "overrides the kind the folder gives",
);
pub const OWNER: Key = alias("owner", &["owners"], List, Every, "the owning communities' ids");
pub const LAST_REVIEWED: Key =
    alias("last_reviewed", &["last_reviewed_on"], Date, Every, "when the content was last reviewed");
pub const REVIEW_EVERY: Key = alias("review_every", &["review_in"], Duration, Every, "how often to review it");
pub const REVIEW_BY: Key =
    alias("review_by", &["expires", "expire_by"], Date, Every, "when the next review is due; wins over review_every");
pub const REDIRECT_FROM: Key = alias(
    "redirect_from",
    &["aliases"],
    List,
    Every,
    "the page's old URLs (Hugo calls them aliases): each sends readers on to the page",
);
pub const CONTACT: Key =
    alias("contact", &["owner_slack"], Text, Every, "how to reach the page's owner, or a person (a URL or mailto:)");
pub const GLOSSARY_LINKS: Key =
    key("glossary_links", Boolean, Every, "false leaves glossary terms in the page's text unlinked");

pub const SUMMARY: Key = key("summary", Text, Community, "one line shown in the list of communities");
pub const LEADS: Key = alias("leads", &["lead"], List, Community, "the people who lead it, by person id");
pub const LEADS_AS_OF: Key = key("leads_as_of", DateOrMonth, Community, "when the list of leads was last confirmed");
pub const COMMUNITY_STATUS: Key =
    key("status", Choice(&["forming", "active", "paused", "closed"]), Community, "where the community stands");
pub const MEETS: Key = key("meets", Text, Community, "when and how often it meets, in words");
pub const CHANNELS: Key = key("channels", Tables, Community, "where to find it: a list of { name, url }");
pub const FORMATS: Key = key("formats", List, Community, "the session formats it uses");
pub const STARTED: Key = key("started", DateOrMonth, Community, "when it started meeting");
pub const APPROVED: Key = key("approved", DateOrMonth, Community, "when it was approved");
pub const SESSIONS: Key =
    key("sessions", Tables, Community, "past and upcoming sessions: { date, time = \"14:00-15:00\" (or start, end, duration), title, format, facilitator, location, link, recurrence = \"every 2nd Thursday\", until, except = [2026-12-24], cancelled }");

pub const NAME: Key = key("name", Text, Person, "the person's name");
pub const ROLE: Key = key("role", Text, Person, "their job title");
pub const TEAM: Key = key("team", Text, Person, "their team");

pub const TERM: Key = key("term", Text, Term, "the word or phrase defined");
pub const ABBREVIATION: Key = alias("abbreviation", &["abbr"], Text, Term, "its short form");
pub const ALIASES: Key = key("aliases", List, Term, "other words that mean the same");
pub const SEE_ALSO: Key = key("see_also", List, Term, "related terms' ids");
pub const LINK: Key = key("link", Boolean, Term, "false: pages never link the term automatically");
pub const ID: Key = key("id", Text, GlossaryFile, "the term's id; its name slugified when absent");
pub const DEFINITION: Key = key("definition", Text, GlossaryFile, "the definition, in Markdown");

pub const ITEM_STATUS: Key = key("status", Choice(&["draft", "published", "retired"]), Item, "where the item stands");
pub const VERSION: Key = key("version", Text, Item, "its version, in quotes");
pub const REPLACES: Key = key("replaces", Text, Item, "the id of the item of the same kind it replaces");
pub const PRINCIPLES: Key =
    key("principles", List, Item, "on a guideline or standard: the ids of the principles it serves");
pub const NUMBER: Key = key("number", Integer, Item, "its number, for numbered lists of principles");

/// Every key, in the reference's order.
pub const ALL: &[Key] = &[
    TITLE,
    DESCRIPTION,
    WEIGHT,
    DRAFT,
    KIND,
    OWNER,
    LAST_REVIEWED,
    REVIEW_EVERY,
    REVIEW_BY,
    REDIRECT_FROM,
    CONTACT,
    GLOSSARY_LINKS,
    SUMMARY,
    LEADS,
    LEADS_AS_OF,
    COMMUNITY_STATUS,
    MEETS,
    CHANNELS,
    FORMATS,
    STARTED,
    APPROVED,
    SESSIONS,
    NAME,
    ROLE,
    TEAM,
    TERM,
    ABBREVIATION,
    ALIASES,
    SEE_ALSO,
    LINK,
    ID,
    DEFINITION,
    ITEM_STATUS,
    VERSION,
    REPLACES,
    PRINCIPLES,
    NUMBER,
];

/// Whether copbook reads `name` (a key or an alias) on any page.
pub fn is_known(name: &str) -> bool {
    ALL.iter().any(|k| k.names().any(|n| n == name))
}

/// The keys whose values copbook checks (anything but free text), with
/// their aliases: an adapter moves another generator's values of these
/// aside when they would not pass.
pub fn checked() -> impl Iterator<Item = (&'static str, &'static Key)> {
    ALL.iter().filter(|k| !matches!(k.ty, Text | List | Tables)).flat_map(|k| k.names().map(move |n| (n, k)))
}

/// Every word a `status` may be, for any kind.
pub fn statuses() -> impl Iterator<Item = &'static str> {
    [COMMUNITY_STATUS, ITEM_STATUS].into_iter().flat_map(|k| match k.ty {
        Choice(words) => words.iter().copied(),
        _ => [].iter().copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_each_one_key_per_scope() {
        let mut seen = std::collections::HashSet::new();
        for k in ALL {
            for n in k.names() {
                assert!(seen.insert((n, k.scope)), "{n} twice for {:?}", k.scope);
            }
        }
    }

    #[test]
    fn looks_up_aliases_after_the_name() {
        assert_eq!(REVIEW_BY.names().collect::<Vec<_>>(), ["review_by", "expires", "expire_by"]);
        assert!(is_known("expire_by") && is_known("owner_slack") && !is_known("glossary_link"));
    }

    #[test]
    fn checked_keys_are_the_typed_ones() {
        let names: Vec<&str> = checked().map(|(n, _)| n).collect();
        assert!(names.contains(&"expire_by") && names.contains(&"weight") && names.contains(&"status"));
        assert!(!names.contains(&"title") && !names.contains(&"owner"));
        assert_eq!(statuses().count(), 7);
    }
}

/// The README's front-matter reference and the example handbook's
/// reference page are written by hand: they must name every key.
#[cfg(test)]
mod documented {
    use super::ALL;

    fn missing_from(path: &str, with_aliases: bool) -> Vec<&'static str> {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
        ALL.iter()
            .flat_map(|k| if with_aliases { k.names().collect::<Vec<_>>() } else { vec![k.name] })
            .filter(|n| !text.contains(&format!("`{n}`")))
            .collect()
    }

    #[test]
    fn the_readme_names_every_key_and_alias() {
        assert_eq!(missing_from("README.md", true), Vec::<&str>::new());
    }

    #[test]
    fn the_example_reference_names_every_key() {
        assert_eq!(missing_from("content-example/reference/front-matter.md", false), Vec::<&str>::new());
    }
}
