//! Stage 4: apply the theme's templates.
//!
//! Input: the handbook and each page's rendered body. Output: the HTML of
//! every page, plus the files a site needs around them (sitemap, search
//! index, theme assets). The default theme is compiled into the binary; a
//! handbook's `templates/` folder overrides it file by file.

pub mod calendar;
pub mod context;
pub mod data;
mod errors;
mod feeds;
mod files;
pub mod listings;
pub mod print;
pub mod search;
mod sessions;
mod sidebar;
mod templates;

pub use errors::RenderFailure;
use errors::{error_chain, similar_variable, template_error};

pub use files::{output_path, site_files, Emit, EmitParts, Parts};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::markdown::Rendered;
use crate::model::{Generated, Handbook, Kind, Page};
use context::*;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tera::{Context, Tera};

/// The default theme, compiled in so that the binary alone can build a site.
static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The loaded templates: the default theme with the handbook's overrides.
pub struct Theme {
    tera: Tera,
    /// Each template's file (as the handbook names it) and text, for findings.
    sources: templates::Sources,
    /// `nav.html` is the default theme's, which [`sidebar`] writes without Tera.
    default_nav: bool,
}

impl Theme {
    /// Loads the theme. A template that does not parse, that includes,
    /// extends or imports itself (directly or through others), or that uses
    /// a filter, test, function or macro that does not exist is a finding
    /// naming the template file and line.
    pub fn load(overrides: &BTreeMap<String, String>, diags: &mut Diagnostics) -> Option<Theme> {
        let mut sources = templates::Sources::new();
        if let Some(dir) = THEME.get_dir("templates") {
            for file in dir.files() {
                let name = file.path().strip_prefix("templates").unwrap_or(file.path()).to_string_lossy().into_owned();
                let text = file.contents_utf8().unwrap_or_default().to_string();
                sources.insert(name.clone(), (format!("themes/default/templates/{name}"), text));
            }
        }
        for (name, text) in overrides {
            sources.insert(name.clone(), (format!("{}/{name}", crate::load::TEMPLATES_DIR), text.clone()));
        }
        let mut tera = Tera::default();
        // Tera gives every template `get_env`, which would let a template
        // contributed in a pull request publish CI's secrets. Templates see
        // the handbook, never the build machine.
        tera.register_function("get_env", |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg(
                "templates cannot read the build's environment; put the value in [extra] of handbook.toml and use site.extra",
            ))
        });
        if templates::extends_cycles(&sources, diags) {
            return None;
        }
        let all: Vec<(&str, &str)> = sources.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        if let Err(e) = tera.add_raw_templates(all) {
            let found = diags.0.len();
            if matches!(e.kind, tera::ErrorKind::CircularExtend { .. }) {
                templates::cycles(&tera, &sources, diags);
            }
            if diags.0.len() > found {
                return None;
            }
            // Tera names the template in its message: point at that file.
            let message = e.to_string();
            let file = sources
                .iter()
                .find(|(name, _)| message.contains(&format!("'{name}'")))
                .map_or("templates", |(_, (file, _))| file.as_str());
            diags.push(template_error(file, &e));
            return None;
        }
        if !templates::check(&tera, &sources, diags) {
            return None;
        }
        templates::guard_macros(&mut tera);
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        Some(Theme { tera, sources, default_nav: !overrides.contains_key("nav.html") })
    }

    fn render(&self, name: &str, context: &Context) -> Result<String, tera::Error> {
        templates::reset_depth();
        self.tera.render(name, context)
    }

    /// One sidebar, with `nav.html`.
    pub fn render_nav(&self, site: &SiteView, nav: &NavTree) -> Result<String, Diagnostic> {
        if self.default_nav {
            return Ok(sidebar::default_nav(nav));
        }
        self.render_nav_template(site, nav)
    }

    /// One sidebar, through the `nav.html` template whichever it is.
    fn render_nav_template(&self, site: &SiteView, nav: &NavTree) -> Result<String, Diagnostic> {
        let mut ctx = Context::new();
        ctx.insert("site", site);
        ctx.insert("nav", &nav.items);
        ctx.insert("nav_more", &nav.more);
        self.render("nav.html", &ctx).map_err(|e| self.render_error("nav.html", &e, &ctx))
    }

    /// One page from its template inputs, its body (for `page.content`) and
    /// its sidebar. `what` names the page in findings.
    pub fn render_page(
        &self,
        site: &SiteView,
        inputs: &PageInputs,
        body: &str,
        nav: &str,
        what: &str,
    ) -> Result<String, Box<RenderFailure>> {
        let mut ctx = Context::from_value(serde_json::json!({ "page": page_value(&inputs.page, body) }))
            .unwrap_or_else(|_| Context::new());
        ctx.insert("site", site);
        ctx.insert("nav", nav);
        for (name, value) in &inputs.listing {
            ctx.insert(name, value);
        }
        self.render(inputs.template, &ctx).map_err(|e| {
            Box::new(RenderFailure { finding: self.render_error(inputs.template, &e, &ctx), page: what.to_string() })
        })
    }

    /// A render error as one finding at the template (and line) it comes
    /// from, whichever page was rendering.
    fn render_error(&self, name: &str, e: &tera::Error, context: &Context) -> Diagnostic {
        let source = |template: &str| {
            self.sources.get(template).map_or((template.to_string(), ""), |(f, t)| (f.clone(), t.as_str()))
        };
        if let Some((template, name)) = templates::runaway() {
            let (file, text) = source(&template);
            let at = templates::find(text, &name, templates::Usage::Function).unwrap_or_default();
            return Diagnostic::error(
                Code::Template,
                format!(
                    "macro '{name}' calls itself, directly or through other macros, more than {} deep",
                    templates::MAX_MACRO_DEPTH
                ),
            )
            .at(file, at.line)
            .column(at.column)
            .hint("give the recursion an end: a macro that walks a tree should stop where the tree does");
        }
        let chain = error_chain(e);
        // Tera names the template it was in when that is not the one asked for.
        let template = ["(error happened in '", "while rendering '"]
            .iter()
            .find_map(|marker| chain.split_once(marker).and_then(|(_, rest)| rest.split_once('\'')).map(|(t, _)| t))
            .filter(|t| self.sources.contains_key(*t))
            .unwrap_or(name);
        let (file, text) = source(template);
        let quoted =
            |open: &str, close: char| chain.split_once(open).and_then(|(_, r)| r.split_once(close)).map(|(n, _)| n);
        let (problem, at, hint) = if let Some(path) = quoted("Variable `", '`') {
            let at = templates::find(text, path, templates::Usage::Variable);
            let hint = similar_variable(path, context).unwrap_or_else(|| {
                "check the name; {{ __tera_context }} in a template prints every variable it can use".into()
            });
            (format!("unknown variable '{path}'"), at, hint)
        } else if let Some(called) = quoted("call '", '\'') {
            let at = templates::find(text, called, templates::Usage::Function)
                .or_else(|| templates::find(text, called, templates::Usage::Filter));
            let problem = chain.split_once("Failed to render").map_or(chain.as_str(), |(_, r)| r);
            let problem = problem.split_once(": ").map_or(problem, |(_, r)| r).to_string();
            (problem, at, "check the arguments it is given: see https://keats.github.io/tera/docs/".into())
        } else {
            let problem = chain.split_once(": ").map_or(chain.as_str(), |(_, r)| r).to_string();
            (problem, None, "see https://keats.github.io/tera/docs/ for what templates can do".into())
        };
        let at = at.unwrap_or_default();
        Diagnostic::error(Code::Template, format!("{problem}{}", at.quoted()))
            .at(file, at.line)
            .column(at.column)
            .hint(hint)
    }

    /// The theme's static assets, as (path under `assets/`, bytes).
    pub fn assets() -> Vec<(String, &'static [u8])> {
        let mut out = Vec::new();
        if let Some(dir) = THEME.get_dir("static") {
            collect_assets(dir, &mut out);
        }
        out
    }
}

fn collect_assets(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        let rel = file.path().strip_prefix("static").unwrap_or(file.path());
        out.push((format!("assets/{}", rel.to_string_lossy()), file.contents()));
    }
    for sub in dir.dirs() {
        collect_assets(sub, out);
    }
}

pub use crate::html::escape;

/// A list of the sidebar with at most this many entries is shown whole;
/// a longer one shows its first [`NAV_HEAD`] entries, the [`NAV_AROUND`]
/// entries either side of the open one, and a link to the page that lists
/// them all. 24 keeps every list of a small handbook as it was (the
/// example's longest has 13 entries, the GDS Way's 39) while a section of
/// 316 pages no longer puts 316 links on each of its pages: a windowed list
/// shows at most 21 entries, fewer than a whole one may, so the sidebar's
/// size, and the time to render it, no longer grow with the section.
pub const NAV_WHOLE: usize = 24;
/// The first entries a windowed list always shows (a section's overview
/// and getting-started pages usually come first).
const NAV_HEAD: usize = 3;
/// Entries shown either side of the open one in a windowed list.
const NAV_AROUND: usize = 8;

/// An entry of the sidebar.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    /// On the path to the current page: its children are shown.
    pub open: bool,
    pub children: Vec<NavItem>,
    /// Entries of the list left out just before this one (a windowed list).
    pub skipped: usize,
    /// Where all of `children` are listed, when they are windowed.
    pub more: Option<NavMore>,
}

/// The page that lists every entry of a windowed list of the sidebar.
#[derive(Debug, Clone, Serialize)]
pub struct NavMore {
    pub url: String,
    pub title: String,
    /// Entries in the whole list.
    pub count: usize,
    /// Entries left out after the last one shown.
    pub skipped: usize,
}

/// One sidebar: the top-level entries and where all of them are listed
/// when they are windowed (`nav` and `nav_more` in `nav.html`).
#[derive(Debug, Clone, Serialize)]
pub struct NavTree {
    pub items: Vec<NavItem>,
    pub more: Option<NavMore>,
}

/// Which sidebar a page shows: the one opened at `section`, and, when the
/// page's own entry is in a windowed list, the page the window is centred
/// on. Pages of a short section share one sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NavAt {
    pub section: usize,
    pub current: Option<usize>,
}

/// Which entries of a list of `len` a sidebar shows, the entry at `centre`
/// among them: `None` for all, else the head's end and the window.
fn nav_window(len: usize, centre: Option<usize>) -> Option<(usize, std::ops::Range<usize>)> {
    if len <= NAV_WHOLE {
        return None;
    }
    let width = 2 * NAV_AROUND + 1;
    let mut start = centre.unwrap_or(0).saturating_sub(NAV_AROUND).min(len - width);
    let mut end = start + width;
    // A gap of one entry would hide no more than the marker takes.
    if start <= NAV_HEAD + 1 {
        start = 0;
    }
    if end + 1 >= len {
        end = len;
    }
    Some((NAV_HEAD, start..end))
}

/// `page` as templates see it, with `body` as its content: the view is
/// serialised without copying it first, and the body is copied once.
fn page_value(page: &PageView, body: &str) -> serde_json::Value {
    let mut value = serde_json::to_value(page).unwrap_or_default();
    if let Some(content) = value.get_mut("content") {
        *content = serde_json::Value::String(body.to_string());
    }
    value
}

/// A sidebar with the link to `href` (the page being rendered) marked as the current page.
pub fn mark_current(nav: &str, href: &str) -> String {
    let needle = format!("<a href=\"{}\"", escape(href));
    match nav.find(&needle) {
        Some(at) => {
            let end = at + needle.len();
            format!("{} aria-current=\"page\"{}", &nav[..end], &nav[end..])
        }
        None => nav.to_string(),
    }
}

/// The cards of `children` whose address the body's HTML does not link
/// (`href="..."`), in order: a landing page lists only those. Each href is
/// read once; a template that searched the body for each child, and
/// gathered them with `concat`, was quadratic in a section's pages.
fn unlinked(children: &[CardView], html: &str) -> Vec<CardView> {
    if children.is_empty() {
        return Vec::new();
    }
    let linked: std::collections::HashSet<&str> = html
        .match_indices("href=\"")
        .filter_map(|(at, attr)| {
            let value = &html[at + attr.len()..];
            value.find('"').map(|end| &value[..end])
        })
        .collect();
    children.iter().filter(|c| !linked.contains(c.url.as_str())).cloned().collect()
}

/// Which template renders a page.
pub fn template_name(page: &Page) -> &'static str {
    match page.kind {
        Kind::Community => "community.html",
        Kind::Person => "person.html",
        Kind::Principle | Kind::Guideline | Kind::Standard => "item.html",
        Kind::Generated(g) => match g {
            Generated::Communities => "communities.html",
            Generated::People => "people.html",
            Generated::Glossary => "glossary.html",
            Generated::Principles | Generated::Guidelines | Generated::Standards => "items.html",
            Generated::Review => "review.html",
            Generated::Sessions => "sessions.html",
            Generated::WhatsNew => "whats-new.html",
            Generated::NotFound => "404.html",
            Generated::Search => "search.html",
            Generated::Home | Generated::Section => "page.html",
        },
        Kind::Page | Kind::Term => "page.html",
    }
}

/// Computes what templates are given: each page's template inputs and
/// each section's sidebar entries, from the handbook, the rendered bodies
/// and the backlinks. The [`Theme`] turns them into HTML.
///
/// Rendering is split in two so that `serve` can skip work: a page's
/// template inputs ([`Renderer::inputs`]) are cheap to compute and compare,
/// and only pages whose inputs changed are put through the templates.
pub struct Renderer<'a> {
    handbook: &'a Handbook,
    bodies: &'a [Option<&'a Rendered>],
    backlinks: &'a [Vec<usize>],
    /// For each term, the pages it is used on.
    term_uses: &'a [Vec<usize>],
    reading_position: HashMap<usize, usize>,
    /// Items by what they replace (their kind and its id), gathered once so
    /// that "Replaced by" is not a search of every item for every item.
    replacing: HashMap<(Kind, &'a str), Vec<usize>>,
    /// Items by the principles they serve, likewise.
    serving: HashMap<&'a str, Vec<usize>>,
    /// Each page's entries in the sidebar (its children that have a page
    /// and are not retired), and each page's place among its parent's:
    /// made once, so that a sidebar costs the same in any size of section.
    nav_entries: Vec<Vec<usize>>,
    nav_rank: Vec<usize>,
}

/// Everything a page's HTML depends on besides the templates, `site`, its
/// body and its sidebar: two pages with equal inputs render to equal bytes.
#[derive(Serialize, Clone)]
pub struct PageInputs {
    pub template: &'static str,
    pub page: PageView,
    /// The variables of generated pages (`communities`, `letters`...).
    pub listing: serde_json::Map<String, serde_json::Value>,
    /// The sidebar the page shows.
    #[serde(skip)]
    pub nav: NavAt,
}

impl<'a> Renderer<'a> {
    pub fn new(
        handbook: &'a Handbook,
        bodies: &'a [Option<&'a Rendered>],
        backlinks: &'a [Vec<usize>],
        term_uses: &'a [Vec<usize>],
    ) -> Self {
        Renderer {
            handbook,
            bodies,
            backlinks,
            term_uses,
            reading_position: handbook.reading_order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect(),
            replacing: items_naming(handbook, |kind, item| {
                item.replaces.iter().map(move |r| (kind, r.as_str())).collect()
            }),
            serving: items_naming(handbook, |_, item| item.principles.iter().map(String::as_str).collect()),
            nav_entries: Vec::new(),
            nav_rank: Vec::new(),
        }
        .with_nav_entries()
    }

    fn with_nav_entries(mut self) -> Self {
        let h = self.handbook;
        // Retired items stay readable for the record, but out of the way.
        let retired = |c: usize| h.pages[c].item().and_then(|i| i.status) == Some(crate::model::ItemStatus::Retired);
        self.nav_entries = h
            .pages
            .iter()
            .map(|p| p.children.iter().copied().filter(|&c| h.pages[c].has_own_page() && !retired(c)).collect())
            .collect();
        self.nav_rank = vec![usize::MAX; h.pages.len()];
        for entries in &self.nav_entries {
            for (rank, &c) in entries.iter().enumerate() {
                self.nav_rank[c] = rank;
            }
        }
        self
    }

    /// The section whose sidebar a page shows: itself when it has
    /// children, else its parent.
    fn nav_section(&self, i: usize) -> usize {
        let p = &self.handbook.pages[i];
        if p.children.iter().any(|&c| self.handbook.pages[c].has_own_page()) {
            i
        } else {
            p.parent.unwrap_or(self.handbook.home())
        }
    }

    /// The sidebar page `i` shows.
    pub fn nav_at(&self, i: usize) -> NavAt {
        let section = self.nav_section(i);
        let windowed = section != i && self.nav_entries[section].len() > NAV_WHOLE;
        NavAt { section, current: windowed.then_some(i) }
    }

    /// The sidebars some page shows that no page shows alone.
    pub fn shared_navs(&self) -> Vec<NavAt> {
        let h = self.handbook;
        let mut at: Vec<NavAt> = (0..h.pages.len())
            .filter(|&i| h.pages[i].has_own_page())
            .map(|i| self.nav_at(i))
            .filter(|at| at.current.is_none())
            .collect();
        at.sort_unstable_by_key(|a| a.section);
        at.dedup();
        at
    }

    /// The sidebar opened at `at.section`: every top-level entry, and the
    /// children of each section on the way down to it; each list longer
    /// than [`NAV_WHOLE`] windowed around its open entry (or `at.current`).
    pub fn nav_tree(&self, at: NavAt) -> NavTree {
        let h = self.handbook;
        let mut open = vec![at.section];
        let mut up = at.section;
        while let Some(p) = h.pages[up].parent {
            open.push(p);
            up = p;
        }
        let (items, more) = self.nav_list(h.home(), &open, at.current);
        NavTree { items, more }
    }

    /// Section `of`'s list, opened along `open` (the path from the
    /// sidebar's section up), windowed when long.
    fn nav_list(&self, of: usize, open: &[usize], current: Option<usize>) -> (Vec<NavItem>, Option<NavMore>) {
        let h = self.handbook;
        let entries = &self.nav_entries[of];
        let listed =
            |c: &usize| (h.pages[*c].parent == Some(of)).then(|| self.nav_rank[*c]).filter(|&r| r < entries.len());
        let centre = open.iter().chain(&current).find_map(listed);
        let window = nav_window(entries.len(), centre);
        let shown: Vec<usize> = match &window {
            None => (0..entries.len()).collect(),
            Some((head, around)) => (0..*head).filter(|k| !around.contains(k)).chain(around.clone()).collect(),
        };
        let mut items = Vec::with_capacity(shown.len());
        let mut next = 0;
        for k in shown {
            let c = entries[k];
            let is_open = open.contains(&c);
            let (children, more) = if is_open { self.nav_list(c, open, current) } else { (Vec::new(), None) };
            items.push(NavItem {
                title: h.pages[c].title.clone(),
                url: h.href(&h.pages[c].url),
                open: is_open,
                children,
                skipped: k - next,
                more,
            });
            next = k + 1;
        }
        let more = window.map(|_| NavMore {
            url: h.href(&h.pages[of].url),
            title: h.pages[of].title.clone(),
            count: entries.len(),
            skipped: entries.len() - next,
        });
        (items, more)
    }

    /// What page `i` is rendered from; its body HTML is left out (callers
    /// know the body by its own key) and goes into `page.content` to render.
    pub fn inputs(&self, i: usize) -> PageInputs {
        let page = &self.handbook.pages[i];
        PageInputs {
            template: template_name(page),
            page: self.page_view(i),
            listing: self.listing(page),
            nav: self.nav_at(i),
        }
    }

    fn listing(&self, page: &Page) -> serde_json::Map<String, serde_json::Value> {
        let views = Views { handbook: self.handbook };
        let mut vars = serde_json::Map::new();
        let mut put = |name: &str, value: serde_json::Value| {
            vars.insert(name.to_string(), value);
        };
        let json = |v: &dyn erased::Json| v.to_json();
        let Kind::Generated(which) = page.kind else { return vars };
        match which {
            Generated::Communities => {
                let (current, past) = views.communities();
                let as_of = self.handbook.config.leads_as_of.as_deref().and_then(|d| crate::date::Date::parse(d, true));
                put("communities", json(&current));
                put("past_communities", json(&past));
                put("leads_as_of", json(&as_of.map(DateView::from)));
            }
            Generated::People => put("people", json(&views.people())),
            Generated::Glossary => {
                let definition = |i: usize| self.bodies.get(i).copied().flatten().map(|b| b.html.clone());
                let used_on = |i: usize| self.term_uses.get(i).map_or(&[][..], Vec::as_slice);
                let (jump, letters) = views.glossary(&definition, &used_on);
                put("jump", json(&jump));
                put("letters", json(&letters));
            }
            Generated::Principles => put("by_owner", json(&views.items_by_owner(Kind::Principle))),
            Generated::Guidelines => put("by_owner", json(&views.items_by_owner(Kind::Guideline))),
            Generated::Standards => {
                put("by_owner", json(&views.items_by_owner(Kind::Standard)));
                let standards = self.handbook.of_kind(Kind::Standard).map(|(i, _)| i);
                put("matrix", json(&views.principle_matrix(standards)));
            }
            Generated::Review => put("report", json(&views.review_report())),
            Generated::WhatsNew => put("changes", json(&views.whats_new())),
            Generated::Sessions => {
                for (name, value) in views.sessions_listing() {
                    put(name, value);
                }
            }
            Generated::Home | Generated::Section | Generated::NotFound | Generated::Search => {}
        }
        vars
    }

    fn page_view(&self, i: usize) -> PageView {
        let h = self.handbook;
        let p = &h.pages[i];
        let views = Views { handbook: h };
        let body = self.bodies.get(i).copied().flatten();
        let toc_depth = h.config.theme.toc_depth;
        let mut breadcrumbs = Vec::new();
        let mut at = p.parent;
        while let Some(a) = at {
            breadcrumbs.push(views.link(a));
            at = h.pages[a].parent;
        }
        breadcrumbs.reverse();
        let position = self.reading_position.get(&i).copied();
        let neighbour = |offset: isize| {
            let pos = position? as isize + offset;
            let &j = h.reading_order.get(usize::try_from(pos).ok()?)?;
            Some(views.link(j))
        };
        let mut backlinks: Vec<LinkView> =
            self.backlinks.get(i).map(|b| b.iter().map(|&j| views.link(j)).collect()).unwrap_or_default();
        backlinks.sort_by_key(|a| a.title.to_lowercase());
        let children: Vec<CardView> = match p.kind {
            Kind::Page | Kind::Generated(Generated::Home | Generated::Section) => {
                p.children.iter().filter(|&&c| h.pages[c].has_own_page()).map(|&c| views.card(c)).collect()
            }
            _ => Vec::new(),
        };
        let unlinked_children = unlinked(&children, body.map_or("", |b| b.html.as_str()));
        PageView {
            kind: kind_name(p).to_string(),
            kind_title: kind_title(p).to_string(),
            id: p.id.clone(),
            title: p.title.clone(),
            description: description(p),
            url: h.href(&p.url),
            permalink: h.config.site_url().map(|site| format!("{site}{}", p.url)),
            source: Some(p.source.clone()).filter(|s| !s.is_empty()),
            edit_url: edit_url(h, p),
            updated: p.updated.map(Into::into),
            content: String::new(),
            title_id: body.and_then(|b| b.title_id.clone()),
            toc: body
                .map(|b| {
                    b.headings
                        .iter()
                        .filter(|x| x.level >= 2 && x.level <= toc_depth)
                        .map(|x| TocEntry { level: x.level, id: x.id.clone(), title: x.text.clone() })
                        .collect()
                })
                .unwrap_or_default(),
            breadcrumbs,
            prev: if p.kind == Kind::Generated(Generated::NotFound) { None } else { neighbour(-1) },
            next: if p.kind == Kind::Generated(Generated::NotFound) { None } else { neighbour(1) },
            backlinks,
            children,
            unlinked_children,
            review: p.review.as_ref().map(ReviewView::of),
            owners: p.owners.iter().filter_map(|o| views.community_link(o)).collect(),
            contact: p.contact.clone(),
            extra: extra_fields(p),
            draft: p.draft,
            community: p.community().map(|_| self.community_view(i)),
            person: p.person().map(|person| PersonView {
                role: person.role.clone(),
                team: person.team.clone(),
                contact: person.contact.clone(),
                leads: views.led(&p.id),
            }),
            item: p.item().map(|item| self.item_view(i, item)),
        }
    }

    /// The view of principle, guideline or standard `i`: status, version,
    /// what it replaces and what replaced it, the principles it serves.
    fn item_view(&self, i: usize, item: &crate::model::Item) -> ItemView {
        let h = self.handbook;
        let p = &h.pages[i];
        let views = Views { handbook: h };
        ItemView {
            status: item.status.map(|s| enum_name(&s)),
            version: item.version.clone(),
            number: item.number,
            replaces: item.replaces.as_ref().and_then(|r| h.ids.get(&(p.kind, r.clone()))).map(|&j| views.link(j)),
            replaced_by: self
                .replacing
                .get(&(p.kind, p.id.as_str()))
                .into_iter()
                .flatten()
                .map(|&j| views.link(j))
                .collect(),
            principles: item
                .principles
                .iter()
                .filter_map(|id| h.ids.get(&(Kind::Principle, id.clone())))
                .map(|&j| views.link(j))
                .collect(),
            served_by: if p.kind == Kind::Principle {
                self.serving.get(p.id.as_str()).into_iter().flatten().map(|&j| views.item_card(j)).collect()
            } else {
                Vec::new()
            },
            history: p.history.iter().map(Into::into).collect(),
        }
    }

    fn community_view(&self, i: usize) -> CommunityView {
        let h = self.handbook;
        let p = &h.pages[i];
        let views = Views { handbook: h };
        let c = p.community().cloned().unwrap_or_default();
        let yesterday = h.today.add_days(-1);
        let last_held = c
            .sessions
            .iter()
            .filter(|s| !s.cancelled)
            .filter_map(|s| Some((*s.days(s.date, yesterday, 100_000).last()?, s)))
            .max_by_key(|(d, s)| (*d, s.start));
        CommunityView {
            summary: c.summary.clone(),
            status: c.status.map(|s| enum_name(&s)),
            leads: c.leads.iter().filter_map(|l| views.person(l)).collect(),
            leads_as_of: views.leads_as_of(i).map(Into::into),
            meets: c.meets.clone(),
            channels: c.channels.iter().map(|ch| ChannelView { name: ch.name.clone(), url: ch.url.clone() }).collect(),
            formats: c.formats.clone(),
            started: c.started.map(Into::into),
            approved: c.approved.map(Into::into),
            upcoming: views
                .upcoming_days(&[i])
                .into_iter()
                .take(3)
                .map(|(d, _, _, s)| views.session(i, s, Some(d)))
                .collect(),
            last_session: last_held.map(|(d, s)| views.session(i, s, Some(d))),
            sessions: c.sessions.iter().map(|s| views.session(i, s, None)).collect(),
            calendar: calendar::feed_url(p).map(|url| calendar_view(h, &url)),
            owns: views.owned(&p.id),
            matrix: views.principle_matrix(h.owned_by(&p.id).filter(|(_, q)| q.kind == Kind::Standard).map(|(j, _)| j)),
        }
    }
}

/// Serialising views of different types into one map.
mod erased {
    pub trait Json {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

/// `{repository}/edit/{branch}/{edit_path}/{source}`, for GitHub, GitLab and Gitea alike.
fn edit_url(h: &Handbook, p: &Page) -> Option<String> {
    let repo = h.config.repository.as_deref()?.trim_end_matches('/');
    if p.source.is_empty() {
        return None;
    }
    let folder = h.config.edit_path.as_deref().unwrap_or("").trim_matches('/');
    let folder = if folder.is_empty() { String::new() } else { format!("{folder}/") };
    Some(format!("{repo}/edit/{}/{folder}{}", h.config.branch, p.source))
}

/// Front-matter keys copbook does not use, for templates as `page.extra`.
fn extra_fields(p: &Page) -> serde_json::Map<String, serde_json::Value> {
    p.front.fields.iter().filter(|(k, _)| !crate::keys::is_known(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The items (principles, guidelines, standards) under each key that
/// `names` finds in them, in page order, each once per key.
fn items_naming<'a, K: std::hash::Hash + Eq + Copy>(
    handbook: &'a Handbook,
    names: impl Fn(Kind, &'a crate::model::Item) -> Vec<K>,
) -> HashMap<K, Vec<usize>> {
    let mut found: HashMap<K, Vec<usize>> = HashMap::new();
    for (j, page) in handbook.pages.iter().enumerate() {
        let Some(item) = page.item() else { continue };
        for key in names(page.kind, item) {
            let items = found.entry(key).or_default();
            if items.last() != Some(&j) {
                items.push(j);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landing_page_lists_the_children_its_body_does_not_link() {
        let card = |url: &str| CardView { title: url.into(), url: url.into(), description: None, kind: "page".into() };
        let children = [card("/s/a/"), card("/s/b/"), card("/s/c/"), card("/s/b/c/")];
        let html = r#"<p><a href="/s/b/">B</a>, <a href="/s/b/c/#x">C</a> and /s/a/ as text.</p>"#;
        let urls: Vec<String> = unlinked(&children, html).into_iter().map(|c| c.url).collect();
        assert_eq!(urls, ["/s/a/", "/s/c/", "/s/b/c/"], "only exact hrefs count, as the template's test did");
        assert_eq!(unlinked(&children, "").len(), 4);
    }

    /// The entries a list of `len` shows around `centre`, as indices.
    fn shown(len: usize, centre: Option<usize>) -> Vec<usize> {
        match nav_window(len, centre) {
            None => (0..len).collect(),
            Some((head, around)) => (0..len).filter(|k| *k < head || around.contains(k)).collect(),
        }
    }

    #[test]
    fn a_list_of_up_to_nav_whole_entries_is_shown_whole() {
        assert_eq!(shown(NAV_WHOLE, Some(NAV_WHOLE - 1)), (0..NAV_WHOLE).collect::<Vec<_>>());
        assert!(nav_window(NAV_WHOLE + 1, None).is_some());
    }

    #[test]
    fn a_long_list_shows_its_head_and_a_window_around_the_open_entry_whatever_its_length() {
        for len in [NAV_WHOLE + 1, 100, 316, 100_000] {
            for centre in [None, Some(0), Some(5), Some(len / 2), Some(len - 2), Some(len - 1)] {
                let s = shown(len, centre);
                assert!(s.len() <= 21, "{len} {centre:?}: {} shown", s.len());
                assert!(s.len() > 2 * NAV_AROUND, "{len} {centre:?}: {} shown", s.len());
                assert!(s.starts_with(&[0, 1, 2]), "{len} {centre:?}: {s:?}");
                if let Some(c) = centre {
                    assert!(s.contains(&c), "{len} {centre:?}: {s:?}");
                    // The open entry is in the middle of its window unless an end is near.
                    assert!(s.contains(&c.saturating_sub(NAV_AROUND)) && s.contains(&(c + NAV_AROUND).min(len - 1)));
                }
                // No gap of a single entry: a marker would hide no more than it takes.
                assert!(s.windows(2).all(|w| w[1] - w[0] != 2), "{len} {centre:?}: {s:?}");
            }
        }
        assert_eq!(shown(100, Some(50)), [0, 1, 2].into_iter().chain(42..=58).collect::<Vec<_>>());
    }
}
