//! The handbook as data, for tools and bots: `/handbook.json` (with its
//! JSON Schema beside it, `/handbook.schema.json`), `/review.json` (what
//! `/review/` shows) and `/api/pages.json` in GOV.UK tech-docs' shape, so
//! that reminder bots written for tech-docs keep working.

use super::context::{address, enum_name, kind_name, Views};
use super::files::Emit;
use crate::markdown::Rendered;
use crate::model::sessions::clock;
use crate::model::{Handbook, Kind, Page, Session};
use rayon::prelude::*;
use serde::Serialize;

/// Bumped when a field changes meaning or goes away; new fields keep it.
pub const SCHEMA_VERSION: u32 = 1;
/// The schema `/handbook.json` follows, published beside it.
pub const SCHEMA: &str = include_str!("handbook.schema.json");

#[derive(Serialize)]
struct HandbookData<'a> {
    schema_version: u32,
    title: &'a str,
    /// The site's address, or its path when only that is known.
    base_url: String,
    /// The day the site was built for.
    built: String,
    pages: Vec<PageData<'a>>,
    communities: Vec<CommunityData<'a>>,
    people: Vec<PersonData<'a>>,
    glossary: Vec<TermData<'a>>,
}

#[derive(Serialize)]
struct PageData<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    kind: &'static str,
    description: Option<&'a str>,
    owners: &'a [String],
    status: Option<String>,
    version: Option<&'a str>,
    updated: Option<String>,
    last_reviewed: Option<String>,
    review_by: Option<String>,
    /// `ok`, `due`, `overdue` or `unknown`; absent when the page is not reviewed.
    review_state: Option<String>,
    /// URLs of the pages this page's body links to.
    links_to: Vec<String>,
}

#[derive(Serialize)]
struct CommunityData<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    summary: Option<&'a str>,
    status: Option<String>,
    leads: Vec<Lead<'a>>,
    leads_as_of: Option<String>,
    /// How often it meets, in words.
    rhythm: Option<&'a str>,
    channels: Vec<Channel<'a>>,
    formats: &'a [String],
    sessions: Vec<SessionData<'a>>,
}

#[derive(Serialize)]
struct Lead<'a> {
    id: &'a str,
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct Channel<'a> {
    name: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct SessionData<'a> {
    date: String,
    start: Option<String>,
    end: Option<String>,
    title: Option<&'a str>,
    format: Option<&'a str>,
    facilitator: Option<&'a str>,
    location: Option<&'a str>,
    link: Option<&'a str>,
    /// The RFC 5545 RRULE of a series.
    rrule: Option<String>,
    recurrence: Option<String>,
    until: Option<String>,
    /// Days of a series it is not held (EXDATEs in the calendar feeds).
    except: Vec<String>,
    cancelled: bool,
}

#[derive(Serialize)]
struct PersonData<'a> {
    id: &'a str,
    url: String,
    name: &'a str,
    role: Option<&'a str>,
    team: Option<&'a str>,
    /// Ids of the communities they lead.
    leads: Vec<&'a str>,
}

#[derive(Serialize)]
struct TermData<'a> {
    term: &'a str,
    url: String,
    abbreviation: Option<&'a str>,
    aliases: &'a [String],
    definition_text: String,
    definition_html: String,
}

/// `/api/pages.json`: what tech-docs' page-expiry bots read.
#[derive(Serialize)]
struct TechDocsPage<'a> {
    title: &'a str,
    url: String,
    review_by: Option<String>,
    owner_slack: Option<String>,
}

/// The data files, each handed to `emit` with its output path as soon as
/// it is made. `bodies` and `backlinks` are per page.
pub fn files(h: &Handbook, bodies: &[Option<&Rendered>], backlinks: &[Vec<usize>], emit: Emit) {
    for file in DataFile::ALL {
        emit(file.path().to_string(), file.make(h, bodies, backlinks));
    }
}

/// One of the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFile {
    Handbook,
    Schema,
    Review,
    TechDocsPages,
    LlmsTxt,
}

impl DataFile {
    pub const ALL: [DataFile; 5] =
        [DataFile::Handbook, DataFile::Schema, DataFile::Review, DataFile::TechDocsPages, DataFile::LlmsTxt];

    pub fn path(self) -> &'static str {
        match self {
            DataFile::Handbook => "handbook.json",
            DataFile::Schema => "handbook.schema.json",
            DataFile::Review => "review.json",
            DataFile::TechDocsPages => "api/pages.json",
            DataFile::LlmsTxt => "llms.txt",
        }
    }

    /// The file's bytes. `bodies` and `backlinks` are per page.
    pub fn make(self, h: &Handbook, bodies: &[Option<&Rendered>], backlinks: &[Vec<usize>]) -> Vec<u8> {
        match self {
            DataFile::Handbook => handbook_json(h, bodies, backlinks),
            DataFile::Schema => SCHEMA.as_bytes().to_vec(),
            DataFile::Review => {
                let mut report = serde_json::to_value(Views { handbook: h }.review_report()).unwrap_or_default();
                if let Some(o) = report.as_object_mut() {
                    o.insert("schema_version".into(), SCHEMA_VERSION.into());
                    o.insert("today".into(), h.today.to_string().into());
                }
                erased::Json::bytes(&report)
            }
            DataFile::TechDocsPages => erased::Json::bytes(&tech_docs_pages(h)),
            DataFile::LlmsTxt => llms_txt(h).into_bytes(),
        }
    }
}

/// The Markdown of each page written by hand, published beside its page
/// when `source_markdown` is on, each handed to `emit` as it is made.
pub fn markdown_copies(h: &Handbook, emit: Emit) {
    markdown_paths(h).into_par_iter().for_each(|(i, path)| emit(path, markdown_copy(&h.pages[i])));
}

/// Where each page's Markdown is published, by page index: none unless
/// `source_markdown` is on.
pub fn markdown_paths(h: &Handbook) -> Vec<(usize, String)> {
    match h.config.source_markdown {
        true => h.pages.iter().enumerate().filter_map(|(i, p)| Some((i, markdown_path(p)?))).collect(),
        false => Vec::new(),
    }
}

/// A page's Markdown as published: see [`markdown_paths`].
pub fn markdown_copy(p: &Page) -> Vec<u8> {
    markdown_of(p).into_bytes()
}

/// `/handbook.json`, also what `copbook export --format json` prints.
pub fn handbook_json(h: &Handbook, bodies: &[Option<&Rendered>], backlinks: &[Vec<usize>]) -> Vec<u8> {
    erased::Json::bytes(&handbook(h, bodies, backlinks))
}

/// Where a page's Markdown is published: for pages written by hand that
/// have a page of their own.
fn markdown_path(p: &Page) -> Option<String> {
    if p.source.is_empty() || !p.has_own_page() {
        return None;
    }
    let html = super::output_path(&p.url);
    Some(match html.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => format!("{html}.md"),
    })
}

/// A page's Markdown as published at `<page>/index.md`: its title as the
/// heading, then the body as written (front matter left out).
fn markdown_of(p: &Page) -> String {
    let body = p.body.trim();
    if body.starts_with("# ") {
        format!("{body}\n")
    } else {
        format!("# {}\n\n{body}\n", p.title)
    }
}

/// `/llms.txt` (llmstxt.org): the handbook's pages as a Markdown index,
/// a section per kind, each page with its one-line description, linking
/// to its Markdown when that is published.
fn llms_txt(h: &Handbook) -> String {
    let mut out = format!("# {}\n\n", h.config.title);
    if let Some(d) = &h.config.description {
        out.push_str(&format!("> {}\n\n", d.replace('\n', " ")));
    }
    let sections = [
        ("Pages", Kind::Page),
        ("Communities of practice", Kind::Community),
        ("Principles", Kind::Principle),
        ("Guidelines", Kind::Guideline),
        ("Standards", Kind::Standard),
        ("People", Kind::Person),
    ];
    let targets: std::collections::HashMap<&str, String> = if h.config.source_markdown {
        h.pages.iter().filter_map(|p| Some((p.url.as_str(), format!("/{}", markdown_path(p)?)))).collect()
    } else {
        Default::default()
    };
    for (heading, kind) in sections {
        let pages: Vec<&Page> = h.pages.iter().filter(|p| p.kind == kind && p.has_own_page()).collect();
        if pages.is_empty() {
            continue;
        }
        out.push_str(&format!("## {heading}\n\n"));
        for p in pages {
            let url = targets.get(p.url.as_str()).cloned().unwrap_or_else(|| p.url.clone());
            let about = p.description.as_deref().or_else(|| p.community().and_then(|c| c.summary.as_deref()));
            // Link text and URL are Markdown: brackets and parentheses would end them early.
            let title = p.title.replace(['[', ']'], "").replace('\n', " ");
            let url = address(h, &url).replace(' ', "%20").replace('(', "%28").replace(')', "%29");
            match about {
                Some(a) => out.push_str(&format!("- [{title}]({url}): {}\n", a.replace('\n', " "))),
                None => out.push_str(&format!("- [{title}]({url})\n")),
            }
        }
        out.push('\n');
    }
    if h.generated(crate::model::Generated::Glossary).is_some() {
        out.push_str(&format!(
            "## Optional\n\n- [Glossary]({}): every term the handbook uses\n",
            address(h, "/glossary/")
        ));
    }
    out
}

fn listed(h: &Handbook) -> impl Iterator<Item = (usize, &Page)> {
    h.pages.iter().enumerate().filter(|(_, p)| p.kind != Kind::Generated(crate::model::Generated::NotFound))
}

fn handbook<'a>(h: &'a Handbook, bodies: &[Option<&Rendered>], backlinks: &[Vec<usize>]) -> HandbookData<'a> {
    // Links out of each page, from the links into each.
    let mut links_to: Vec<Vec<usize>> = vec![Vec::new(); h.pages.len()];
    for (to, from) in backlinks.iter().enumerate() {
        for &f in from {
            links_to[f].push(to);
        }
    }
    let pages = listed(h)
        .filter(|(_, p)| p.kind != Kind::Term)
        .map(|(i, p)| {
            let item = p.item();
            let mut out: Vec<String> = links_to[i].iter().map(|&j| address(h, &h.pages[j].url)).collect();
            out.sort();
            out.dedup();
            PageData {
                id: &p.id,
                url: address(h, &p.url),
                title: &p.title,
                kind: kind_name(p),
                description: p.description.as_deref(),
                owners: &p.owners,
                status: item.and_then(|it| it.status).map(|s| s.name().to_string()),
                version: item.and_then(|it| it.version.as_deref()),
                updated: p.updated.map(|d| d.to_string()),
                last_reviewed: p.review.as_ref().and_then(|r| r.last_reviewed).map(|d| d.to_string()),
                review_by: p.review.as_ref().and_then(|r| r.due).map(|d| d.to_string()),
                review_state: p.review.as_ref().map(|r| enum_name(&r.state)),
                links_to: out,
            }
        })
        .collect();
    let communities = communities(h);
    let people = h
        .of_kind(Kind::Person)
        .map(|(_, p)| PersonData {
            id: &p.id,
            url: address(h, &p.url),
            name: &p.title,
            role: p.person().and_then(|x| x.role.as_deref()),
            team: p.person().and_then(|x| x.team.as_deref()),
            leads: h.led_by(&p.id).map(|(_, c)| c.id.as_str()).collect(),
        })
        .collect();
    let glossary = h
        .of_kind(Kind::Term)
        .map(|(i, p)| {
            let html = bodies.get(i).copied().flatten().map(|b| b.html.trim().to_string()).unwrap_or_default();
            TermData {
                term: &p.title,
                url: address(h, &p.url),
                abbreviation: p.term().and_then(|t| t.abbreviation.as_deref()),
                aliases: p.term().map(|t| t.aliases.as_slice()).unwrap_or_default(),
                definition_text: text_of(&html),
                definition_html: html,
            }
        })
        .collect();
    HandbookData {
        schema_version: SCHEMA_VERSION,
        title: &h.config.title,
        base_url: address(h, "/"),
        built: h.today.to_string(),
        pages,
        communities,
        people,
        glossary,
    }
}

/// Every community with its leads, rhythm, channels and sessions.
fn communities(h: &Handbook) -> Vec<CommunityData<'_>> {
    h.of_kind(Kind::Community)
        .filter_map(|(i, p)| Some((i, p, p.community()?)))
        .map(|(i, p, c)| CommunityData {
            id: &p.id,
            url: address(h, &p.url),
            title: &p.title,
            summary: c.summary.as_deref(),
            status: c.status.map(|s| s.name().to_string()),
            leads: c
                .leads
                .iter()
                .map(|l| Lead { id: l, name: h.get(Kind::Person, l).map(|q| q.title.as_str()) })
                .collect(),
            leads_as_of: Views { handbook: h }.leads_as_of(i).map(|d| d.to_string()),
            rhythm: c.meets.as_deref(),
            channels: c.channels.iter().map(|ch| Channel { name: &ch.name, url: ch.url.as_deref() }).collect(),
            formats: &c.formats,
            sessions: c.sessions.iter().map(session).collect(),
        })
        .collect()
}

fn session(s: &Session) -> SessionData<'_> {
    SessionData {
        date: s.date.to_string(),
        start: s.start.map(clock),
        end: s.start.zip(s.minutes).map(|(a, m)| clock(a + m)),
        title: s.title.as_deref(),
        format: s.format.as_deref(),
        facilitator: s.facilitator.as_deref(),
        location: s.location.as_deref(),
        link: s.link.as_deref(),
        rrule: s.recurrence.map(|r| r.rrule()),
        recurrence: s.recurrence.map(|r| r.describe(s.date)),
        until: s.until.map(|d| d.to_string()),
        except: s.except.iter().map(|d| d.to_string()).collect(),
        cancelled: s.cancelled,
    }
}

/// Pages with a review date, as tech-docs lists them. `owner_slack` is the
/// page's contact, else the first `#channel` of its first owner.
fn tech_docs_pages(h: &Handbook) -> Vec<TechDocsPage<'_>> {
    listed(h)
        .filter(|(_, p)| p.has_own_page() && !matches!(p.kind, Kind::Generated(_)))
        .map(|(_, p)| TechDocsPage {
            title: &p.title,
            url: address(h, &p.url),
            review_by: p.review.as_ref().and_then(|r| r.due).map(|d| d.to_string()),
            owner_slack: p.contact.clone().or_else(|| {
                let owner = h.get(Kind::Community, p.owners.first()?)?;
                owner.community()?.channels.iter().find(|c| c.name.starts_with('#')).map(|c| c.name.clone())
            }),
        })
        .collect()
}

/// The text of a piece of HTML: tags dropped, the entities copbook writes decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'");
    let out = out.replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

mod erased {
    pub trait Json {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn bytes(&self) -> Vec<u8> {
            let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
            out.push(b'\n');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_of_html_drops_tags_and_decodes_entities() {
        assert_eq!(
            super::text_of("<p>A <em>minimum</em> &amp; &lt;viable&gt;\n product</p>"),
            "A minimum & <viable> product"
        );
    }
}
