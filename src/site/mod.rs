//! The pipeline from a handbook folder to the files of its site, shared by
//! `build`, `check` and `serve`: load → model → Markdown → checks →
//! templates. Nothing here writes to disk; [`crate::output`] does.

mod glossary;
mod links;
pub mod memo;

use crate::config::RawHtml;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::dialect::{self, Dialect};
use crate::load::{self, LoadOptions};
use crate::markdown::{self, LinkKind, Rendered, Resolution};
use crate::model::links::{LinkSource, LinkTable, Located, Resolver};
use crate::model::{self, Handbook, Kind};
use crate::render::context::SiteView;
use crate::render::search::PageIndex;
use crate::render::{self, NavAt, NavTree, PageInputs, Renderer, Theme};
use memo::{key_of, Json, Keyed, Memo};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    /// Overrides `base_url` from handbook.toml.
    pub base_url: Option<String>,
    /// The day review states are computed for; today when absent.
    pub today: Option<Date>,
    /// The output folder, so the walk can leave it out.
    pub out: Option<PathBuf>,
    /// The family of generator the folder was written for; detected when absent.
    pub dialect: Option<Dialect>,
    /// Build draft pages too, marked as drafts (the preview's `--drafts`).
    pub drafts: bool,
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Shared, so that `serve` keeps unchanged pages without copying them.
    Bytes(Arc<[u8]>),
    /// Copied from this file of the handbook folder.
    Copy(PathBuf),
}

/// A built site: every output file by relative path, and the model it came from.
#[derive(Debug)]
pub struct Site {
    pub handbook: Handbook,
    /// The family of generator the folder was read as.
    pub dialect: Dialect,
    /// How long each stage took, for `COPBOOK_TIMINGS=1` and the benchmarks.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    pub files: Vec<(String, Content)>,
}

/// A page body rendered to HTML, with where each of its links leads.
pub struct Body {
    pub rendered: Rendered,
    /// For each of `rendered.links`, what it resolved to.
    pub located: Vec<Located>,
}

/// Runs the whole pipeline once.
pub fn build(options: &Options) -> (Option<Site>, Diagnostics) {
    Builder::new().build(options)
}

/// Where a one-shot build sends each page as soon as it is rendered (to
/// `output::Staging::write`), so that the site is never held whole in memory.
pub type Sink<'a> = &'a (dyn Fn(&str, &Content) -> std::io::Result<()> + Sync);

/// Runs the whole pipeline once, handing every page to `sink` as it is
/// rendered; the site returned holds the other files (site files, theme
/// assets, copies). A failed write ends it with that error. What `sink` was
/// given is only to be published when the site comes back without errors.
pub fn build_into(options: &Options, sink: Sink) -> std::io::Result<(Option<Site>, Diagnostics)> {
    Builder::new().run(options, Some(sink))
}

/// Builds a handbook again and again (for `serve`), reusing the work whose
/// inputs did not change.
///
/// There is one pipeline: a fresh `Builder` has empty memos and does a full
/// build, so a partial rebuild can only differ from a full one if a step
/// reads something its key leaves out. The keys are derived, not written
/// by hand: each step is a plain function of one inputs struct and its key
/// is that struct's hash ([`memo`]):
/// - a document: its file's size and modification time (in `load`);
/// - a body: [`BodyJob`], with the link table it resolves against;
/// - the theme: the handbook's template overrides;
/// - a sidebar: [`NavJob`] (a long section's sidebar is windowed around
///   the page, so it holds the entries of the page's neighbours);
/// - a page: [`PageJob`], with its template inputs, body and sidebar;
/// - or, quicker, a page from the handbook's [`Shape`] and its own body:
///   while the shape holds, nothing but its body can change its inputs.
///
/// The sitemap, search index and redirect pages are cheap and made afresh
/// every build, so there is nothing to go stale.
#[derive(Default)]
pub struct Builder {
    documents: load::Cache,
    /// The model's page of each document.
    model: model::Cache,
    bodies: Memo<Arc<Body>>,
    theme: Memo<Arc<Theme>>,
    navs: Memo<Arc<String>>,
    pages: Memo<Arc<[u8]>>,
    /// Pages by the key of (shape, index, body key): the page's full key, and its bytes.
    pages_by_shape: Memo<(u64, Arc<[u8]>)>,
    /// Each page's part of the search index, by [`SearchJob`].
    search: Memo<Arc<Option<PageIndex>>>,
}

/// What a body's HTML is made of.
#[derive(Hash)]
pub struct BodyJob<'a> {
    links: &'a Keyed<Resolver<'a>>,
    from: LinkSource<'a>,
    /// Terms are definitions inside the glossary page, which has its own H1.
    strip_leading_h1: bool,
    /// What raw HTML may do, from handbook.toml.
    raw_html: RawHtml,
    /// Whose rule makes heading ids (the generator the handbook came from).
    heading_ids: markdown::SlugRule,
    /// The title the page shows as its `<h1>`, which gets an id too.
    title: Option<&'a str>,
    /// The glossary terms it may link, hashed as their entries.
    terms: glossary::Terms<'a>,
    first_line: u32,
    text: &'a str,
}

/// What one sidebar is made of.
#[derive(Hash)]
pub struct NavJob<'a> {
    theme: &'a Keyed<Arc<Theme>>,
    site: &'a Keyed<SiteView>,
    nav: Json<&'a NavTree>,
}

/// What one page's HTML is made of.
#[derive(Hash)]
pub struct PageJob<'a> {
    theme: &'a Keyed<Arc<Theme>>,
    site: &'a Keyed<SiteView>,
    inputs: Json<&'a PageInputs>,
    nav: Option<&'a Keyed<Arc<String>>>,
    body: Option<&'a Keyed<Arc<Body>>>,
    /// How findings name the page.
    what: String,
}

/// What one page's part of the search index is made of: its body, and
/// everything else about it (its fields, its section's title, its address
/// under the base URL), which the handbook's [`Shape`] stands for.
#[derive(Hash)]
pub struct SearchJob<'a> {
    handbook: &'a Keyed<&'a Handbook>,
    page: usize,
    body: Option<&'a Keyed<Arc<Body>>>,
}

/// Everything but its own body that a page's template inputs
/// ([`Renderer::inputs`]) are computed from: the theme and `site`, the
/// settings, every page's fields and place in the tree (its
/// [`model::Page::hash_shape`]), the reading order, the links between
/// pages, the glossary's definitions (the bodies of terms) and the pages
/// each term is used on.
#[derive(Hash)]
struct Shape<'a> {
    theme: &'a Keyed<Arc<Theme>>,
    site: &'a Keyed<SiteView>,
    config: Json<&'a crate::config::Config>,
    pages: Vec<u64>,
    reading_order: &'a [usize],
    backlinks: &'a [Vec<usize>],
    definitions: Vec<Option<u64>>,
    term_uses: &'a [Vec<usize>],
}

impl Builder {
    pub fn new() -> Self {
        Builder::default()
    }

    /// Forgets cached documents for these paths (relative to the handbook
    /// folder), for callers that know which files changed.
    pub fn forget(&mut self, paths: &[String]) {
        self.documents.forget(paths);
    }

    /// Runs the pipeline. The site is `None` when there are errors: a
    /// handbook with errors is never published.
    pub fn build(&mut self, options: &Options) -> (Option<Site>, Diagnostics) {
        match self.run(options, None) {
            Ok(built) => built,
            // Without a sink nothing is written, so nothing can fail to be.
            Err(_) => unreachable!("a build without a sink writes nothing"),
        }
    }

    /// The pipeline; pages go to `sink` when there is one, and are then not
    /// kept for a next build (a one-shot build has none).
    fn run(&mut self, options: &Options, sink: Option<Sink>) -> std::io::Result<(Option<Site>, Diagnostics)> {
        let mut diags = Diagnostics::default();
        // Only a build that publishes (into a sink) has a sitemap to miss.
        let publishing = sink.is_some();
        let mut clock = Clock::start();
        let Prepared { dialect, folder, handbook, terms, bodies, backlinks } =
            self.prepare(options, &mut clock, &mut diags);
        let body_refs: Vec<Option<&Body>> = bodies.iter().map(|b| b.as_ref().map(|b| &*b.value)).collect();
        let Some(theme) = self.theme(&folder.templates, &mut diags) else {
            return Ok((None, diags.sorted()));
        };
        let site = SiteView::of(&handbook);
        let site = Keyed { key: key_of(&Json(&site)), value: site };
        let rendered: Vec<Option<&Rendered>> = body_refs.iter().map(|b| b.map(|b| &b.rendered)).collect();
        let term_uses = glossary::uses(&handbook, &rendered);
        glossary::report_unused(&handbook, terms.as_ref(), &term_uses, &mut diags);
        let renderer = Renderer::new(&handbook, &rendered, &backlinks, &term_uses);
        let navs = self.render_navs(&renderer, &theme, &site);
        let shape = Shape {
            theme: &theme,
            site: &site,
            config: Json(&handbook.config),
            pages: handbook.pages.par_iter().map(|p| hash_of(|h| p.hash_shape(h))).collect(),
            reading_order: &handbook.reading_order,
            backlinks: &backlinks,
            definitions: handbook
                .pages
                .iter()
                .zip(&bodies)
                .map(|(p, b)| b.as_ref().filter(|_| p.kind == Kind::Term).map(|b| b.key))
                .collect(),
            term_uses: &term_uses,
        };
        let shape = key_of(&shape);
        let search = self.index_pages(&handbook, shape, &bodies, publishing);
        let pages = Pages { theme: &theme, site: &site, bodies: &bodies, navs: &navs, shape, sink };
        let mut files = self.render_pages(&handbook, &renderer, pages, &mut diags)?;
        drop(renderer);
        clock.lap("templates");
        let pages = files.len();
        let search: Vec<&PageIndex> = search.iter().filter_map(|part| part.as_ref().as_ref()).collect();
        files.extend(render::site_files(&handbook, &search).into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))));
        if publishing && handbook.config.site_url().is_none() {
            diags.push(no_sitemap(&handbook.config.base_url, options.base_url.is_some()));
        }
        // The data files read bodies (glossary definitions) and the links between pages.
        let data = render::data::files(&handbook, &rendered, &backlinks);
        files.extend(data.into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))));
        clock.lap("data files");
        if handbook.config.print {
            let print = render::print::files(&handbook, &rendered);
            files.extend(print.into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))));
        }
        clock.lap("print");
        files.extend(Theme::assets().into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))));
        report_clashes(&handbook, &files[pages..], &mut diags);
        files.extend(handbook.files.iter().map(|f| (f.logical.clone(), Content::Copy(options.root.join(&f.path)))));
        clock.lap("site files");
        let diags = diags.sorted();
        if diags.has_errors() {
            return Ok((None, diags));
        }
        Ok((Some(Site { handbook, dialect, files, timings: clock.laps }), diags))
    }

    /// The stages before the templates: load, model, Markdown and links.
    fn prepare(&mut self, options: &Options, clock: &mut Clock, diags: &mut Diagnostics) -> Prepared {
        let dialect = options.dialect.unwrap_or_else(|| dialect::detect(&options.root));
        let load_options = LoadOptions {
            base_url: options.base_url.clone(),
            exclude: options.out.clone(),
            content_dir: dialect::content_dir(dialect, &options.root),
        };
        let mut folder = load::folder_cached(&options.root, &load_options, &mut self.documents, diags);
        let today = options.today.unwrap_or_else(Date::today);
        dialect::adapt(dialect, &mut folder, today, diags);
        clock.lap("load");
        let handbook = model::handbook_cached(&folder, today, options.drafts, &mut self.model, diags);
        crate::check::run(&handbook, diags);
        clock.lap("model");
        let terms = glossary::table(&handbook);
        let bodies = self.render_bodies(&handbook, terms.as_ref());
        for (page, body) in handbook.pages.iter().zip(&bodies).filter_map(|(p, b)| Some((p, b.as_ref()?))) {
            let findings = &body.value.rendered.findings;
            diags.0.extend(findings.iter().map(|d| Diagnostic { file: page.source.clone(), ..d.clone() }));
        }
        clock.lap("markdown");
        let body_refs: Vec<Option<&Body>> = bodies.iter().map(|b| b.as_ref().map(|b| &*b.value)).collect();
        let backlinks = links::check(&handbook, &body_refs, diags);
        clock.lap("links");
        Prepared { dialect, folder, handbook, terms, bodies, backlinks }
    }

    /// Renders every page body to HTML, resolving its links.
    fn render_bodies(
        &mut self,
        h: &Handbook,
        terms: Option<&markdown::glossary::Glossary>,
    ) -> Vec<Option<Keyed<Arc<Body>>>> {
        let table = LinkTable::of(h);
        let links = Keyed { key: key_of(&table), value: Resolver::new(&table) };
        let memo = &self.bodies;
        let bodies: Vec<Option<Keyed<Arc<Body>>>> = h
            .pages
            .par_iter()
            .map(|page| {
                if page.source.is_empty() && page.body.is_empty() {
                    return None;
                }
                let job = BodyJob {
                    links: &links,
                    from: LinkSource::page(page),
                    strip_leading_h1: page.kind != Kind::Term,
                    raw_html: h.config.markdown.raw_html,
                    heading_ids: h.config.markdown.heading_ids,
                    title: (page.kind != Kind::Term).then_some(page.title.as_str()),
                    terms: glossary::Terms::of(terms, page),
                    first_line: page.body_line,
                    text: &page.body,
                };
                let (key, body) = memo.get(&job, |job| Ok::<_, ()>(Arc::new(render_body(job))));
                body.ok().map(|value| Keyed { key, value })
            })
            .collect();
        self.bodies.keep(bodies.iter().flatten().map(|b| (b.key, b.value.clone())));
        bodies
    }

    /// Each page's part of the search index, made again only for the pages
    /// whose [`SearchJob`] changed; kept for a next build unless `publishing`
    /// (a one-shot build has none).
    fn index_pages(
        &mut self,
        h: &Handbook,
        shape: u64,
        bodies: &[Option<Keyed<Arc<Body>>>],
        publishing: bool,
    ) -> Vec<Arc<Option<PageIndex>>> {
        let handbook = Keyed { key: shape, value: h };
        let memo = &self.search;
        let made: Vec<(u64, Arc<Option<PageIndex>>)> = (0..h.pages.len())
            .into_par_iter()
            .map(|page| {
                let job = SearchJob { handbook: &handbook, page, body: bodies[page].as_ref() };
                let (key, part) = memo.get(&job, |job| {
                    let body = job.body.map(|b| &b.value.rendered);
                    Ok::<_, ()>(Arc::new(render::search::index_page(job.handbook.value, job.page, body)))
                });
                (key, part.unwrap_or_default())
            })
            .collect();
        if !publishing {
            self.search.keep(made.iter().map(|(key, part)| (*key, part.clone())));
        }
        made.into_iter().map(|(_, part)| part).collect()
    }

    /// The theme, loaded again only when the handbook's templates change.
    fn theme(&mut self, overrides: &BTreeMap<String, String>, diags: &mut Diagnostics) -> Option<Keyed<Arc<Theme>>> {
        let (key, theme) = self.theme.get(overrides, |overrides| {
            let mut found = Diagnostics::default();
            Theme::load(overrides, &mut found).map(Arc::new).ok_or(found)
        });
        match theme {
            Ok(theme) => {
                self.theme.keep([(key, theme.clone())]);
                Some(Keyed { key, value: theme })
            }
            Err(found) => {
                diags.extend(found);
                None
            }
        }
    }

    /// The sidebars shared by the pages of a section (see [`NavAt`]), by section.
    fn render_navs(&self, renderer: &Renderer, theme: &Keyed<Arc<Theme>>, site: &Keyed<SiteView>) -> Navs {
        renderer.shared_navs().par_iter().map(|&at| (at.section, nav(&self.navs, renderer, theme, site, at))).collect()
    }

    /// Every page through the templates, unless the shape and its body are
    /// what they were, or its [`PageJob`] hashes as before.
    fn render_pages(
        &mut self,
        h: &Handbook,
        renderer: &Renderer,
        Pages { theme, site, bodies, navs, shape, sink }: Pages,
        diags: &mut Diagnostics,
    ) -> std::io::Result<Vec<(String, Content)>> {
        let (memo, by_shape, nav_memo) = (&self.pages, &self.pages_by_shape, &self.navs);
        // The sidebars made for pages alone, kept for the next build (by `serve`).
        let own_navs = std::sync::Mutex::new(Vec::new());
        let unwritten = std::sync::Mutex::new(None);
        // (quick key, full key, the page's path and bytes: none once sent to the sink)
        type Made = (u64, u64, Result<Option<(String, Arc<[u8]>)>, Box<render::RenderFailure>>);
        let made: Vec<Made> = h
            .pages
            .par_iter()
            .enumerate()
            .filter(|(_, p)| p.has_own_page())
            .map(|(i, p)| {
                let path = render::output_path(&p.url);
                let body = bodies[i].as_ref();
                let quick = key_of(&(shape, i, body.map(|b| b.key)));
                let (key, html) = match by_shape.kept(quick) {
                    Some((key, hit)) => (key, Ok(hit)),
                    None => {
                        let inputs = renderer.inputs(i);
                        let what = if p.source.is_empty() { format!("the {} page", p.url) } else { p.source.clone() };
                        let nav = match inputs.nav.current {
                            None => navs.get(&inputs.nav.section).cloned(),
                            Some(_) => Some(nav(nav_memo, renderer, theme, site, inputs.nav)),
                        };
                        match nav.transpose() {
                            Err(finding) => (0, Err(Box::new(render::RenderFailure { finding, page: what }))),
                            Ok(nav) => {
                                if let (Some(own), Some(_), None) = (&nav, inputs.nav.current, sink) {
                                    own_navs
                                        .lock()
                                        .unwrap_or_else(|e| e.into_inner())
                                        .push((own.key, own.value.clone()));
                                }
                                let job = PageJob { theme, site, inputs: Json(&inputs), nav: nav.as_ref(), body, what };
                                memo.get(&job, render_page)
                            }
                        }
                    }
                };
                let html = html.map(|bytes| match sink {
                    Some(sink) => {
                        if let Err(e) = sink(&path, &Content::Bytes(bytes)) {
                            unwritten.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                        }
                        None
                    }
                    None => Some((path, bytes)),
                });
                (quick, key, html)
            })
            .collect();
        if let Some(e) = unwritten.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        let mut files = Vec::with_capacity(made.len());
        let mut kept = Vec::with_capacity(made.len());
        let mut reported = std::collections::HashSet::new();
        for (quick, key, result) in made {
            match result {
                Ok(Some((path, bytes))) => {
                    kept.push((quick, (key, bytes.clone())));
                    files.push((path, Content::Bytes(bytes)));
                }
                Ok(None) => {}
                // One broken template fails every page: report each error once.
                Err(failure) => {
                    let f = &failure.finding;
                    if reported.insert((f.file.clone(), f.line, f.column, f.message.clone())) {
                        diags.push(failure.into_diagnostic());
                    }
                }
            }
        }
        let shared = navs.values().filter_map(|n| n.as_ref().ok()).map(|n| (n.key, n.value.clone()));
        let own = own_navs.into_inner().unwrap_or_else(|e| e.into_inner());
        self.navs.keep(shared.chain(own));
        self.pages.keep(kept.iter().map(|(_, (key, bytes))| (*key, bytes.clone())));
        self.pages_by_shape.keep(kept);
        Ok(files)
    }
}

/// The handbook as data (`/handbook.json`) without building the site:
/// the stages up to the links, then the data file; no page goes through
/// the templates, so their findings are `check`'s and `build`'s. `None`
/// when the handbook has errors.
pub fn handbook_json(options: &Options) -> (Option<Vec<u8>>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Prepared { handbook, bodies, backlinks, .. } = Builder::new().prepare(options, &mut Clock::start(), &mut diags);
    let rendered: Vec<Option<&Rendered>> = bodies.iter().map(|b| b.as_ref().map(|b| &b.value.rendered)).collect();
    let json = render::data::handbook_json(&handbook, &rendered, &backlinks);
    let diags = diags.sorted();
    (Some(json).filter(|_| !diags.has_errors()), diags)
}

/// What [`Builder::prepare`] gives: the model, its bodies and links.
struct Prepared {
    dialect: Dialect,
    folder: load::Folder,
    handbook: Handbook,
    /// The glossary's linkable names, when there are any to link.
    terms: Option<markdown::glossary::Glossary>,
    bodies: Vec<Option<Keyed<Arc<Body>>>>,
    backlinks: Vec<Vec<usize>>,
}

/// What [`Builder::render_pages`] renders every page with.
struct Pages<'a> {
    theme: &'a Keyed<Arc<Theme>>,
    site: &'a Keyed<SiteView>,
    bodies: &'a [Option<Keyed<Arc<Body>>>],
    navs: &'a Navs,
    shape: u64,
    sink: Option<Sink<'a>>,
}

/// Sidebars by the section they are opened at; a sidebar that failed to
/// render is its finding, reported once with the pages that show it.
type Navs = HashMap<usize, Result<Keyed<Arc<String>>, Diagnostic>>;

/// The sidebar at `at`, through its [`NavJob`].
fn nav(
    memo: &Memo<Arc<String>>,
    renderer: &Renderer,
    theme: &Keyed<Arc<Theme>>,
    site: &Keyed<SiteView>,
    at: NavAt,
) -> Result<Keyed<Arc<String>>, Diagnostic> {
    let tree = renderer.nav_tree(at);
    let job = NavJob { theme, site, nav: Json(&tree) };
    let (key, html) = memo.get(&job, |job| job.theme.value.render_nav(&job.site.value, job.nav.0).map(Arc::new));
    html.map(|value| Keyed { key, value })
}

/// A file of the handbook published where copbook writes a file of its own
/// (a theme asset, the sitemap, a redirect page...) would replace it, or be
/// replaced, depending on which is written last: an error naming both.
/// Clashes with pages are found by the model, which can name the page.
fn report_clashes(h: &Handbook, own: &[(String, Content)], diags: &mut Diagnostics) {
    let own: HashMap<String, &str> = own.iter().map(|(path, _)| (path.to_lowercase(), path.as_str())).collect();
    for file in &h.files {
        if let Some(path) = own.get(&file.logical.to_lowercase()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!("{} is published at {}, where copbook writes its own {path}", file.path, file.logical),
                )
                .at(&file.path, 0)
                .hint("rename or move the file: copbook's theme files live under assets/, and the sitemap, search index, CNAME and redirect pages are its own"),
            );
        }
    }
}

/// A page's HTML from its [`PageJob`].
fn render_page(job: &PageJob) -> Result<Arc<[u8]>, Box<render::RenderFailure>> {
    let mut inputs = job.inputs.0.clone();
    inputs.page.content = job.body.map(|b| b.value.rendered.html.clone()).unwrap_or_default();
    let nav = job.nav.map_or(String::new(), |n| render::mark_current(&n.value, &inputs.page.url));
    let html = job.theme.value.render_page(&job.site.value, &inputs, &nav, &job.what)?;
    Ok(Arc::from(html.into_bytes()))
}

/// Renders one body, recording where each of its links leads.
fn render_body(job: &BodyJob) -> Body {
    let resolver = &job.links.value;
    let asked = std::cell::RefCell::new(Vec::new());
    let resolve = |target: &str, _kind: LinkKind| {
        let found = resolver.locate(job.from, target);
        let answer = match &found {
            Located::Broken => Resolution::Broken,
            other => resolver.href(other).map_or(Resolution::Keep, Resolution::Rewrite),
        };
        asked.borrow_mut().push((target.to_string(), found));
        answer
    };
    let options = markdown::Options {
        first_line: job.first_line,
        resolve: &resolve,
        strip_leading_h1: job.strip_leading_h1,
        raw_html: job.raw_html,
        heading_ids: job.heading_ids,
        title: job.title,
        glossary: job.terms.linking(),
    };
    let rendered = markdown::render(job.text, &options);
    // Pair each recorded link with the first answer given for its target
    // (by a map: a search per link was quadratic in links per page).
    let asked = asked.into_inner();
    let mut answers: HashMap<&str, &Located> = HashMap::with_capacity(asked.len());
    for (target, found) in &asked {
        answers.entry(target.as_str()).or_insert(found);
    }
    let located = rendered
        .links
        .iter()
        .map(|link| {
            answers
                .get(link.target.as_str())
                .map_or_else(|| resolver.locate(job.from, &link.target), |found| (*found).clone())
        })
        .collect();
    Body { rendered, located }
}

fn hash_of(feed: impl FnOnce(&mut Xxh3)) -> u64 {
    let mut hasher = Xxh3::new();
    feed(&mut hasher);
    hasher.digest()
}

/// Stage durations.
struct Clock {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    fn start() -> Self {
        Clock { last: std::time::Instant::now(), laps: Vec::new() }
    }
    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }
}

/// A published site without `sitemap.xml`, because its `base_url` (from
/// `--base-url` when `flag`) is only a path and a sitemap needs full URLs.
/// A note, not a warning: building under a path to try a site is normal.
fn no_sitemap(base_url: &str, flag: bool) -> Diagnostic {
    let (whose, fix) = match flag {
        true => ("--base-url", "pass the full address, e.g. --base-url https://org.github.io/handbook/"),
        false => {
            ("base_url", "set base_url in handbook.toml to the full address, e.g. \"https://org.github.io/handbook/\"")
        }
    };
    Diagnostic::note(
        Code::NoSitemap,
        format!("no sitemap.xml was written: {whose} {base_url:?} is only a path, and a sitemap needs full URLs"),
    )
    .hint(fix)
}
