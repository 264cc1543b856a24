//! What templates see: plain, serialisable views of the model with every
//! relation resolved and every URL complete with the base path, so that a
//! template never has to look anything up or remember the base path.
//!
//! Every string here is raw text: Tera escapes it on output. Only fields
//! named `*_html` (and `page.content`) hold HTML and are printed with `safe`.

use crate::date::Date;
use crate::model::{Handbook, Kind, Page, Review, ReviewState};
use serde::Serialize;

/// `site` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub organisation: Option<String>,
    pub description: Option<String>,
    pub language: String,
    /// `""` or `/handbook`: prefix for URLs written by hand in templates.
    pub base_path: String,
    /// Absolute URL of the site when `base_url` is one.
    pub site_url: Option<String>,
    /// Home page href.
    pub home: String,
    /// Href of the theme's assets folder, ending in `/`.
    pub assets: String,
    /// The site's icon: the handbook's `static/favicon.svg`, `.png` or
    /// `.ico` when it has one, else the theme's.
    pub favicon: Favicon,
    pub contact_url: Option<String>,
    pub contact_text: Option<String>,
    pub footer: Option<String>,
    pub repository: Option<String>,
    /// Hrefs of the generated directories that exist (`None` otherwise).
    pub links: SiteLinks,
    pub extra: serde_json::Value,
    pub today: DateView,
}

#[derive(Debug, Clone, Serialize)]
pub struct Favicon {
    pub href: String,
    /// Its media type, for `<link rel="icon" type>`.
    pub mime: &'static str,
}

impl Favicon {
    /// The handbook's own icon, in the order a browser likes them best.
    pub(crate) fn of(h: &Handbook) -> Favicon {
        let own = [("svg", "image/svg+xml"), ("png", "image/png"), ("ico", "image/x-icon")].into_iter().find_map(
            |(ext, mime)| {
                let logical = format!("static/favicon.{ext}");
                h.files.iter().any(|f| f.logical == logical).then(|| (h.href(&format!("/{logical}")), mime))
            },
        );
        let (href, mime) = own.unwrap_or_else(|| (h.href("/assets/favicon.svg"), "image/svg+xml"));
        Favicon { href, mime }
    }

    /// The `<link>` for pages written without a template (print, redirects),
    /// so that no browser goes looking for `/favicon.ico` outside the site.
    pub(crate) fn tag(&self) -> String {
        format!("<link rel=\"icon\" href=\"{}\" type=\"{}\">", super::escape(&self.href), self.mime)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteLinks {
    pub communities: Option<String>,
    pub people: Option<String>,
    pub glossary: Option<String>,
    pub principles: Option<String>,
    pub guidelines: Option<String>,
    pub standards: Option<String>,
    pub review: Option<String>,
    /// Every community's upcoming sessions, and their calendar feed.
    pub sessions: Option<String>,
    pub calendar: Option<CalendarView>,
    /// `sitemap.xml`, written only when `base_url` is a full URL.
    pub sitemap: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// `2026-05-10`, for `<time datetime>`.
    pub iso: String,
    /// `10 May 2026`.
    pub long: String,
    /// `May 2026`.
    pub month: String,
}

impl From<Date> for DateView {
    fn from(d: Date) -> Self {
        DateView { iso: d.to_string(), long: d.long(), month: d.month_year() }
    }
}

/// A link to a page.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

/// `page` in every template.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PageView {
    /// `page`, `community`, `person`, `principle`, `guideline`, `standard`,
    /// or for generated pages `home`, `section`, `communities`, `people`,
    /// `glossary`, `principles`, `guidelines`, `standards`, `review`, `404`.
    pub kind: String,
    /// Display name of the kind: "Standard", "Community of practice"...
    pub kind_title: String,
    pub id: String,
    pub title: String,
    /// Absent when it only repeats the title.
    pub description: Option<String>,
    pub url: String,
    /// The absolute URL, when `base_url` is a full URL (for canonical links).
    pub permalink: Option<String>,
    pub source: Option<String>,
    pub edit_url: Option<String>,
    pub updated: Option<DateView>,
    /// The body as HTML.
    pub content: String,
    /// "On this page": headings from level 2 to the configured depth.
    pub toc: Vec<TocEntry>,
    /// The id of the title's `<h1>`, as the source generator gave it.
    pub title_id: Option<String>,
    /// Ancestors from the home page down, not including this page.
    pub breadcrumbs: Vec<LinkView>,
    pub prev: Option<LinkView>,
    pub next: Option<LinkView>,
    /// Pages whose bodies link here.
    pub backlinks: Vec<LinkView>,
    /// Pages in this section, for landing pages.
    pub children: Vec<CardView>,
    /// Those of `children` the body does not link to: the cards under it.
    pub unlinked_children: Vec<CardView>,
    pub review: Option<ReviewView>,
    /// Communities that own this page.
    pub owners: Vec<LinkView>,
    /// Who to ask when there is no owner (e.g. a Slack channel).
    pub contact: Option<String>,
    /// Front-matter keys copbook does not know, as written.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// A draft shown by the preview's `--drafts`; builds leave drafts out.
    pub draft: bool,
    pub community: Option<CommunityView>,
    pub person: Option<PersonView>,
    pub item: Option<ItemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A page in a list: title, link, one line about it.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub last_reviewed: Option<DateView>,
    pub due: Option<DateView>,
    /// `overdue`, `due`, `ok` or `unknown`.
    pub state: ReviewState,
    /// Days until due; negative when overdue.
    pub days: Option<i64>,
    /// Days since it became overdue (positive), when overdue.
    pub overdue_by: Option<i64>,
}

impl ReviewView {
    pub fn of(review: &Review) -> Self {
        ReviewView {
            last_reviewed: review.last_reviewed.map(Into::into),
            due: review.due.map(Into::into),
            state: review.state,
            days: review.days,
            overdue_by: review.days.filter(|d| *d < 0).map(|d| -d),
        }
    }
}

/// A person named somewhere, with a link when person pages are on.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    pub role: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    pub name: String,
    pub url: Option<String>,
}

/// A session on one day, or a series when `recurrence` is given.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub date: DateView,
    /// "14:00 to 15:00"; absent for an all-day session.
    pub time: Option<String>,
    pub title: Option<String>,
    pub format: Option<String>,
    /// A person when the facilitator is a person id.
    pub facilitator: Option<PersonRef>,
    /// Plain text when it is not.
    pub facilitator_name: Option<String>,
    pub location: Option<String>,
    /// The call link.
    pub link: Option<String>,
    /// "every 2nd Thursday of the month", for a series.
    pub recurrence: Option<String>,
    pub until: Option<DateView>,
    /// The days a series skips.
    pub except: Vec<DateView>,
    pub cancelled: bool,
    /// The community holding it.
    pub community: LinkView,
}

/// Where a calendar feed is: `url` to download, `webcal` to subscribe
/// (when the site's address is known).
#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    pub url: String,
    pub webcal: Option<String>,
}

/// Sessions under one heading, for the filters of `/sessions/`.
#[derive(Debug, Clone, Serialize)]
pub struct SessionGroup {
    pub title: String,
    pub id: String,
    pub sessions: Vec<SessionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommunityView {
    pub summary: Option<String>,
    /// `forming`, `active`, `paused` or `closed`.
    pub status: Option<String>,
    pub leads: Vec<PersonRef>,
    pub leads_as_of: Option<DateView>,
    pub meets: Option<String>,
    pub channels: Vec<ChannelView>,
    pub formats: Vec<String>,
    pub started: Option<DateView>,
    pub approved: Option<DateView>,
    /// The next three sessions from today (a series gives each of its days).
    pub upcoming: Vec<SessionView>,
    /// The last one held (not cancelled) before today.
    pub last_session: Option<SessionView>,
    /// Every session and series as written, in date order.
    pub sessions: Vec<SessionView>,
    /// The community's calendar feed, when it has sessions.
    pub calendar: Option<CalendarView>,
    /// What it owns, grouped by kind (principles, guidelines, standards).
    pub owns: Vec<ItemGroup>,
    /// Which principles the standards it owns serve.
    pub matrix: Option<super::listings::PrincipleMatrix>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub role: Option<String>,
    pub team: Option<String>,
    pub contact: Option<String>,
    /// Communities this person leads, with the "as of" date.
    pub leads: Vec<LedCommunity>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedCommunity {
    pub title: String,
    pub url: String,
    pub status: Option<String>,
    pub as_of: Option<DateView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// `draft`, `published` or `retired`.
    pub status: Option<String>,
    pub version: Option<String>,
    pub number: Option<i64>,
    pub replaces: Option<LinkView>,
    pub replaced_by: Vec<LinkView>,
    /// The principles a guideline or standard serves.
    pub principles: Vec<LinkView>,
    /// On a principle: the guidelines and standards that serve it.
    pub served_by: Vec<ItemCard>,
    /// The commits that changed it, newest first (from git; empty outside it).
    pub history: Vec<ChangeLine>,
}

/// One commit in a page's history: when, and its subject.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeLine {
    pub date: DateView,
    pub subject: String,
}

impl From<&crate::load::Change> for ChangeLine {
    fn from(c: &crate::load::Change) -> Self {
        ChangeLine { date: c.date.into(), subject: c.subject.to_string() }
    }
}

/// A principle, guideline or standard in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ItemCard {
    pub title: String,
    pub url: String,
    pub kind: String,
    pub status: Option<String>,
    pub version: Option<String>,
    pub number: Option<i64>,
    pub owners: Vec<LinkView>,
    pub review: Option<ReviewView>,
}

/// Items under one heading ("Standards", or "Published").
#[derive(Debug, Clone, Serialize)]
pub struct ItemGroup {
    pub title: String,
    pub id: String,
    pub items: Vec<ItemCard>,
}

impl SiteView {
    pub fn of(h: &Handbook) -> SiteView {
        use crate::model::Generated::*;
        let c = &h.config;
        let link = |g| h.generated(g).map(|i| h.href(&h.pages[i].url));
        SiteView {
            title: c.title.clone(),
            organisation: c.organisation.clone(),
            description: c.description.clone(),
            language: c.language.clone(),
            base_path: c.base_path(),
            site_url: c.site_url(),
            home: h.href("/"),
            assets: h.href("/assets/"),
            favicon: Favicon::of(h),
            contact_url: c.contact_url.clone(),
            contact_text: c.contact_text.clone(),
            footer: c.footer.clone(),
            repository: c.repository.clone(),
            links: SiteLinks {
                communities: link(Communities),
                people: link(People),
                glossary: link(Glossary),
                principles: link(Principles),
                guidelines: link(Guidelines),
                standards: link(Standards),
                review: link(Review),
                sessions: link(Sessions),
                calendar: h.generated(Sessions).map(|_| calendar_view(h, "/sessions.ics")),
                sitemap: c.site_url().map(|_| h.href("/sitemap.xml")),
            },
            extra: serde_json::to_value(&c.extra).unwrap_or_default(),
            today: h.today.into(),
        }
    }
}

/// Links and names for pages, shared by every view builder.
pub struct Views<'a> {
    pub handbook: &'a Handbook,
}

/// Where `url` (without the base path) is: its full address when the
/// site's is known, else its path with the base path.
pub fn address(h: &Handbook, url: &str) -> String {
    match h.config.site_url() {
        Some(site) => format!("{}{}", &site[..site.len() - h.config.base_path().len()], h.href(url)),
        None => h.href(url),
    }
}

/// The site's host name, when its address is known (for UIDs and tag: ids).
pub fn site_host(h: &Handbook) -> Option<String> {
    h.config
        .site_url()
        .and_then(|u| u.split("://").nth(1).map(|r| r.split('/').next().unwrap_or("").to_string()))
        .filter(|host| !host.is_empty())
}

/// Links to the calendar feed at `url` (without the base path).
pub fn calendar_view(h: &Handbook, url: &str) -> CalendarView {
    let site = h.config.site_url().map(|u| u[..u.len() - h.config.base_path().len()].to_string());
    let webcal = site.and_then(|s| s.split_once("://").map(|(_, rest)| format!("webcal://{rest}{}", h.href(url))));
    CalendarView { url: h.href(url), webcal }
}

impl<'a> Views<'a> {
    /// A session of community `i`, on `day` when it is one day of a series.
    pub fn session(&self, i: usize, s: &crate::model::Session, day: Option<Date>) -> SessionView {
        let person = s.facilitator.as_deref().and_then(|f| self.person(f));
        SessionView {
            date: day.unwrap_or(s.date).into(),
            time: s.time_text(),
            title: s.title.clone(),
            format: s.format.clone(),
            facilitator_name: if person.is_none() { s.facilitator.clone() } else { None },
            facilitator: person,
            location: s.location.clone(),
            link: s.link.clone(),
            recurrence: if day.is_none() { s.recurrence.map(|r| r.describe(s.date)) } else { None },
            until: if day.is_none() { s.until.map(Into::into) } else { None },
            except: if day.is_none() { s.except.iter().map(|&d| d.into()).collect() } else { Vec::new() },
            cancelled: s.cancelled,
            community: self.link(i),
        }
    }

    /// Every day a session of one of `communities` is held from today
    /// for a year, in order of day and time: (day, start, community, session).
    pub fn upcoming_days(&self, communities: &[usize]) -> Vec<(Date, Option<u16>, usize, &'a crate::model::Session)> {
        let h = self.handbook;
        let horizon = h.today.add_days(366);
        let mut days = Vec::new();
        for &i in communities {
            for s in h.pages[i].community().map(|c| c.sessions.as_slice()).unwrap_or_default() {
                days.extend(s.days(h.today, horizon, 60).into_iter().map(|d| (d, s.start, i, s)));
            }
        }
        days.sort_by_key(|(d, start, i, _)| (*d, *start, *i));
        days
    }

    pub fn link(&self, i: usize) -> LinkView {
        let p = &self.handbook.pages[i];
        LinkView { title: p.title.clone(), url: self.handbook.href(&p.url) }
    }

    pub fn card(&self, i: usize) -> CardView {
        let p = &self.handbook.pages[i];
        CardView {
            title: p.title.clone(),
            url: self.handbook.href(&p.url),
            description: description(p),
            kind: kind_name(p).to_string(),
        }
    }

    pub fn community_link(&self, id: &str) -> Option<LinkView> {
        self.handbook.ids.get(&(Kind::Community, id.to_string())).map(|&i| self.link(i))
    }

    pub fn person(&self, id: &str) -> Option<PersonRef> {
        let h = self.handbook;
        let p = h.get(Kind::Person, id)?;
        let person = p.person();
        Some(PersonRef {
            id: id.to_string(),
            name: p.title.clone(),
            url: Some(h.href(&p.url)),
            role: person.and_then(|x| x.role.clone()),
            contact: person.and_then(|x| x.contact.clone()),
        })
    }

    pub fn item_card(&self, i: usize) -> ItemCard {
        let p = &self.handbook.pages[i];
        let item = p.item();
        ItemCard {
            title: p.title.clone(),
            url: self.handbook.href(&p.url),
            kind: kind_name(p).to_string(),
            status: item.and_then(|it| it.status).map(|s| enum_name(&s)),
            version: item.and_then(|it| it.version.clone()),
            number: item.and_then(|it| it.number),
            owners: p.owners.iter().filter_map(|o| self.community_link(o)).collect(),
            review: p.review.as_ref().map(ReviewView::of),
        }
    }
}

/// The description, unless it only repeats the title.
pub fn description(p: &Page) -> Option<String> {
    p.description.clone().filter(|d| !d.trim().eq_ignore_ascii_case(p.title.trim()))
}

/// `kind` as templates see it.
pub fn kind_name(p: &Page) -> &'static str {
    use crate::model::Generated::*;
    match p.kind {
        Kind::Generated(g) => match g {
            Home => "home",
            Section => "section",
            Communities => "communities",
            People => "people",
            Glossary => "glossary",
            Principles => "principles",
            Guidelines => "guidelines",
            Standards => "standards",
            Review => "review",
            Sessions => "sessions",
            WhatsNew => "whats-new",
            NotFound => "404",
            Search => "search",
        },
        k => k.name(),
    }
}

pub fn kind_title(p: &Page) -> &'static str {
    match p.kind {
        Kind::Community => "Community of practice",
        Kind::Person => "Person",
        Kind::Term => "Glossary term",
        Kind::Principle => "Principle",
        Kind::Guideline => "Guideline",
        Kind::Standard => "Standard",
        _ => "",
    }
}

/// The serde name of a unit enum variant (`ItemStatus::Draft` -> `draft`).
pub fn enum_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
