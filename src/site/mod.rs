//! The pipeline from a handbook folder to the files of its site, shared by
//! `build`, `check` and `serve`: load → model → Markdown → checks →
//! templates. Nothing here writes to disk; [`crate::output`] does.

mod glossary;
mod links;
pub mod memo;
mod out;

use crate::config::RawHtml;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::dialect::{self, Dialect};
use crate::load::{self, LoadOptions};
use crate::markdown::glossary::Glossary;
use crate::markdown::{self, LinkKind, Rendered, Resolution};
use crate::model::links::{LinkSource, LinkTable, Located, Resolver};
use crate::model::{self, Handbook, Kind};
use crate::render::context::SiteView;
use crate::render::search::PageIndex;
use crate::render::{self, NavAt, NavTree, PageInputs, Parts, Renderer, Theme};
use memo::{key_of, Json, Keyed, Memo};
use out::Out;
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
    /// Made when first read. `serve` keeps the files that are long to make
    /// and seldom read this way (the print documents, the data files, each
    /// page's Markdown), so that a saved edit reaches the browser without
    /// waiting for them.
    Later(Arc<LaterFile>),
    /// A folder of files made together when the first of them is read
    /// (`serve`'s search index, whose shards are only counted once it is
    /// made). Its path ends in `/`; its files' paths are under it.
    LaterFolder(Arc<LaterFolder>),
}

impl Content {
    /// The bytes of a file copbook makes; `None` for a copied file.
    pub fn made(&self) -> Option<Arc<[u8]>> {
        match self {
            Content::Bytes(bytes) => Some(bytes.clone()),
            Content::Later(later) => Some(later.bytes()),
            Content::Copy(_) | Content::LaterFolder(_) => None,
        }
    }
}

/// Every file of a built site, by path, with the files of each later folder
/// (made now) in its place.
pub fn each_file(files: &[(String, Content)]) -> Vec<(String, Content)> {
    let mut each = Vec::with_capacity(files.len());
    for (path, content) in files {
        match content {
            Content::LaterFolder(folder) => {
                each.extend(folder.get().iter().map(|(name, file)| (format!("{path}{name}"), file.clone())))
            }
            other => each.push((path.clone(), other.clone())),
        }
    }
    each
}

/// What a file (or a folder of files) is, made the first time it is asked
/// for, from inputs that hash as its key: two with the same key are the
/// same, so comparing builds never makes one.
pub struct Later<T> {
    key: u64,
    made: std::sync::OnceLock<T>,
    make: Box<dyn Fn() -> T + Send + Sync>,
}

/// A file made when first read: its bytes.
pub type LaterFile = Later<Arc<[u8]>>;

/// Files made together when the first of them is read: their paths
/// (relative to the folder, sorted) and bytes ([`Content::Bytes`]).
pub type LaterFolder = Later<Vec<(String, Content)>>;

impl<T> Later<T> {
    pub fn new(key: u64, make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Later { key, made: std::sync::OnceLock::new(), make: Box::new(make) }
    }

    /// What it is, made on the first call (by one caller; others wait).
    pub fn get(&self) -> &T {
        self.made.get_or_init(|| (self.make)())
    }
}

impl LaterFile {
    pub fn file(key: u64, make: impl Fn() -> Vec<u8> + Send + Sync + 'static) -> Self {
        Later::new(key, move || make().into())
    }

    pub fn bytes(&self) -> Arc<[u8]> {
        self.get().clone()
    }
}

impl LaterFolder {
    /// A folder of the files `make` makes, by path relative to the folder.
    pub fn folder(key: u64, make: impl Fn() -> Vec<(String, Vec<u8>)> + Send + Sync + 'static) -> Self {
        Later::new(key, move || {
            let mut files: Vec<(String, Content)> =
                make().into_iter().map(|(name, bytes)| (name, Content::Bytes(bytes.into()))).collect();
            files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            files
        })
    }

    /// The file at `name` (relative to the folder), made with the rest if need be.
    pub fn find(&self, name: &str) -> Option<(&str, &Content)> {
        let files = self.get();
        let at = files.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
        Some((files[at].0.as_str(), &files[at].1))
    }
}

impl<T> PartialEq for Later<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<T> Eq for Later<T> {}

impl<T> std::fmt::Debug for Later<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Later({:016x}, made: {})", self.key, self.made.get().is_some())
    }
}

/// A built site: every output file by relative path, and the model it came from.
#[derive(Debug)]
pub struct Site {
    /// Shared with the files made later ([`Content::Later`]), which read it.
    pub handbook: Arc<Handbook>,
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

/// Where a one-shot build writes each file as soon as it is made
/// (`output::Staging`), so that the site is never held whole in memory.
pub trait Sink: Sync {
    /// Writes one file.
    fn write(&self, path: &str, content: &Content) -> std::io::Result<()>;

    /// Writes one file from parts made one after another (the print pages,
    /// as long as the handbook), so that it is never held whole either.
    fn write_parts(&self, path: &str, parts: Parts) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        parts(&mut bytes)?;
        self.write(path, &Content::Bytes(bytes.into()))
    }
}

impl<F: Fn(&str, &Content) -> std::io::Result<()> + Sync> Sink for F {
    fn write(&self, path: &str, content: &Content) -> std::io::Result<()> {
        self(path, content)
    }
}

/// Runs the whole pipeline once, handing every file of the site to `sink`
/// as soon as it is made; the site returned holds none, and its pages no
/// Markdown (each is dropped once rendered). A failed write ends it with
/// that error. What `sink` was given is only to be published when the site
/// comes back without errors.
pub fn build_into(options: &Options, sink: &dyn Sink) -> std::io::Result<(Option<Site>, Diagnostics)> {
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
/// The sitemap and redirect pages are cheap and made afresh every build, so
/// there is nothing to go stale. The files made from every body (the search
/// index, the print documents, the data files) are [`Content::Later`]: made
/// only when read, and keyed by the shape and all the bodies' keys.
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
    /// The glossary entries each page's text may use, by [`CandidatesJob`].
    candidates: Memo<Arc<[usize]>>,
    /// Each page's Markdown with its key, by its address ([`Builder::text_keys`]).
    texts: HashMap<usize, (Arc<str>, u64)>,
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
    /// The Markdown, hashed as its key ([`Builder::text_keys`]).
    text: Keyed<&'a str>,
}

/// What the glossary entries a page's text may use are found from: the
/// entries (hashed once for all pages) and the text.
#[derive(Hash)]
pub struct CandidatesJob<'a> {
    entries: Keyed<&'a Glossary>,
    text: Keyed<&'a str>,
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

/// What one page's part of the search index is made of: the page's fields
/// (keyed by [`model::Page::hash_shape`]), its section's title and address
/// ([`render::search::Around`]), and its body. Not the handbook's whole
/// [`Shape`]: a title changed on one page re-indexes that page, and those
/// of its section when it is a section.
#[derive(Hash)]
pub struct SearchJob<'a> {
    page: Keyed<&'a model::Page>,
    around: render::search::Around<'a>,
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
    pages: &'a [u64],
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

    /// The pipeline. With a sink (a one-shot build) every file is written
    /// as it is made and nothing is kept for a next build; each stage's
    /// inputs are dropped once no later stage reads them.
    fn run(&mut self, options: &Options, sink: Option<&dyn Sink>) -> std::io::Result<(Option<Site>, Diagnostics)> {
        let mut diags = Diagnostics::default();
        let out = Out::new(sink);
        // Only a build that publishes (into a sink) has a sitemap to miss.
        let publishing = out.streams();
        let mut clock = Clock::start();
        let Prepared { dialect, templates, handbook, terms, bodies, backlinks, search } =
            self.prepare(options, Some(&out), &mut clock, &mut diags);
        let Some(theme) = self.theme(&templates, &mut diags) else {
            return Ok((None, diags.sorted()));
        };
        let site = SiteView::of(&handbook);
        let site = Keyed { key: key_of(&Json(&site)), value: site };
        let rendered: Vec<Option<&Rendered>> = bodies.iter().map(|b| b.as_ref().map(|b| &b.value.rendered)).collect();
        let term_uses = glossary::uses(&handbook, &rendered);
        glossary::report_unused(&handbook, terms.as_ref(), &term_uses, &mut diags);
        // Each page's fields and place in the tree (all but its body), hashed.
        let page_shapes: Vec<u64> = handbook.pages.par_iter().map(|p| hash_of(|h| p.hash_shape(h))).collect();
        let shape = Shape {
            theme: &theme,
            site: &site,
            config: Json(&handbook.config),
            pages: &page_shapes,
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
        let search = search.unwrap_or_else(|| self.index_pages(&handbook, &page_shapes, &bodies));
        // What a file made from every body is keyed by, with the shape.
        let bodies_key = key_of(&bodies.iter().map(|b| b.as_ref().map(|b| b.key)).collect::<Vec<_>>());
        if publishing {
            let parts: Vec<&PageIndex> = search.iter().filter_map(|part| part.as_ref().as_ref()).collect();
            render::search::index(&handbook.config.language, &parts, &|path, bytes| out.own(path, bytes));
        } else {
            out.own_later_folder(render::search::FOLDER, later_search(&handbook, search, key_of(&(shape, bodies_key))));
        }
        render::site_files(&handbook, &|path, bytes| out.own(path, bytes));
        if publishing && handbook.config.site_url().is_none() {
            diags.push(no_sitemap(&handbook.config.base_url, options.base_url.is_some()));
        }
        // The data files read bodies (glossary definitions) and the links between pages.
        if publishing {
            render::data::files(&handbook, &rendered, &backlinks, &|path, bytes| out.own(path, bytes));
        }
        clock.lap("data files");
        out.check()?;
        let renderer = Renderer::new(&handbook, &rendered, &backlinks, &term_uses);
        let navs = self.render_navs(&renderer, &theme, &site);
        let pages = Pages { theme: &theme, site: &site, bodies: &bodies, navs: &navs, shape, out: &out };
        self.render_pages(&handbook, &renderer, pages, &mut diags);
        drop((renderer, navs));
        clock.lap("templates");
        out.check()?;
        // Print comes after the templates: by then the sources are gone, and
        // the bodies are all it holds besides the one document it makes.
        if handbook.config.print && publishing {
            render::print::files(&handbook, &rendered, &|path, parts| out.own_parts(path, parts));
        }
        drop(rendered);
        let handbook = Arc::new(handbook);
        if !publishing {
            later_files(&handbook, bodies, backlinks, key_of(&(shape, bodies_key)), &out);
        } else {
            drop(bodies);
        }
        clock.lap("print");
        Theme::assets().into_iter().for_each(|(path, bytes)| out.own(path, bytes.to_vec()));
        report_clashes(&handbook, &out.own_paths(), &mut diags);
        handbook.files.iter().for_each(|f| out.copy(f.logical.clone(), options.root.join(&f.path)));
        clock.lap("site files");
        let files = out.finish()?;
        let diags = diags.sorted();
        if diags.has_errors() {
            return Ok((None, diags));
        }
        Ok((Some(Site { handbook, dialect, files, timings: clock.laps }), diags))
    }

    /// The stages before the templates: load, model, Markdown and links.
    /// A one-shot build (`out` streams) keeps nothing for a next build, and
    /// indexes each page for search as its body is rendered.
    ///
    /// With `out`, the pages' Markdown copies go there before the Markdown
    /// is rendered; when `out` streams, each page's Markdown is dropped as
    /// soon as its body is rendered.
    fn prepare(
        &mut self,
        options: &Options,
        out: Option<&Out>,
        clock: &mut Clock,
        diags: &mut Diagnostics,
    ) -> Prepared {
        let publishing = out.is_some_and(Out::streams);
        let dialect = options.dialect.unwrap_or_else(|| dialect::detect(&options.root));
        let load_options = LoadOptions {
            base_url: options.base_url.clone(),
            exclude: options.out.clone(),
            content_dir: dialect::content_dir(dialect, &options.root),
        };
        let mut folder = load::folder_cached(&options.root, &load_options, &mut self.documents, diags);
        if publishing {
            // The cache shares the documents' sources, which go once read.
            self.documents = load::Cache::default();
        }
        let today = options.today.unwrap_or_else(Date::today);
        dialect::adapt(dialect, &mut folder, today, diags);
        clock.lap("load");
        // A one-shot build has no next build to keep model pages for.
        let mut handbook = match publishing {
            true => model::handbook(&folder, today, options.drafts, diags),
            false => model::handbook_cached(&folder, today, options.drafts, &mut self.model, diags),
        };
        let templates = std::mem::take(&mut folder.templates);
        // The model holds what it needs of the documents.
        drop(folder);
        crate::check::run(&handbook, diags);
        clock.lap("model");
        // (`serve` makes them when read: `later_files`.)
        if let Some(out) = out.filter(|out| out.streams()) {
            render::data::markdown_copies(&handbook, &|path, bytes| out.own(path, bytes));
        }
        let terms = glossary::table(&handbook);
        let text_keys = self.text_keys(&handbook, publishing);
        let linking = self.link_terms(&handbook, terms.as_ref(), &text_keys, publishing);
        let texts = match publishing {
            true => take_sources(&mut handbook),
            false => handbook.pages.iter().map(|p| p.body.clone()).collect(),
        };
        let (bodies, search) = self.render_bodies(&handbook, texts, &text_keys, linking, publishing);
        for (page, body) in handbook.pages.iter().zip(&bodies).filter_map(|(p, b)| Some((p, b.as_ref()?))) {
            let findings = &body.value.rendered.findings;
            diags.0.extend(findings.iter().map(|d| Diagnostic { file: page.source.clone(), ..d.clone() }));
        }
        clock.lap("markdown");
        let body_refs: Vec<Option<&Body>> = bodies.iter().map(|b| b.as_ref().map(|b| &*b.value)).collect();
        let backlinks = links::check(&handbook, &body_refs, diags);
        clock.lap("links");
        Prepared { dialect, templates, handbook, terms, bodies, backlinks, search }
    }

    /// The glossary entries each page's text may use. Finding them scans
    /// every text, so `serve` keeps each page's by [`CandidatesJob`].
    fn link_terms<'g>(
        &mut self,
        h: &Handbook,
        glossary: Option<&'g Glossary>,
        text_keys: &[u64],
        publishing: bool,
    ) -> Vec<glossary::Terms<'g>> {
        if publishing {
            return h.pages.par_iter().map(|page| glossary::Terms::of(glossary, page, Glossary::candidates)).collect();
        }
        let entries = glossary.map_or(0, |g| key_of(g.entries()));
        let memo = &self.candidates;
        // (the page's terms, and its candidates with their key when found through the memo)
        type Found<'g> = (glossary::Terms<'g>, Option<(u64, Arc<[usize]>)>);
        let made: Vec<Found> = h
            .pages
            .par_iter()
            .zip(text_keys)
            .map(|(page, &text_key)| {
                let mut kept = None;
                let terms = glossary::Terms::of(glossary, page, |g, text| {
                    let text = Keyed { key: text_key, value: text };
                    let job = CandidatesJob { entries: Keyed { key: entries, value: g }, text };
                    let (key, found) =
                        memo.get(&job, |job| Ok::<_, ()>(job.entries.value.candidates(job.text.value).into()));
                    let found: Arc<[usize]> = found.unwrap_or_default();
                    kept = Some((key, found.clone()));
                    found.to_vec()
                });
                (terms, kept)
            })
            .collect();
        let (terms, kept): (Vec<_>, Vec<_>) = made.into_iter().unzip();
        self.candidates.keep(kept.into_iter().flatten());
        terms
    }

    /// The key of each page's Markdown, by page. Hashing every text is a pass
    /// over the whole handbook, so `serve` keeps each text's key while the
    /// text is the same shared allocation: kept here too, so that its address
    /// stands for it alone. A one-shot build hashes each text once.
    fn text_keys(&mut self, h: &Handbook, publishing: bool) -> Vec<u64> {
        if publishing {
            return h.pages.par_iter().map(|p| key_of(&*p.body)).collect();
        }
        let kept = &self.texts;
        let keys: Vec<u64> = h
            .pages
            .par_iter()
            .map(|p| match kept.get(&(p.body.as_ptr() as usize)) {
                Some((text, key)) if Arc::ptr_eq(text, &p.body) => *key,
                _ => key_of(&*p.body),
            })
            .collect();
        self.texts =
            h.pages.iter().zip(&keys).map(|(p, &key)| (p.body.as_ptr() as usize, (p.body.clone(), key))).collect();
        keys
    }

    /// Renders every page body to HTML from its Markdown (`texts`, by page)
    /// and the glossary entries it may link, resolving its links. When
    /// `publishing`, each page is also indexed for search as soon as its
    /// body is rendered, and the body's plain text (only search reads it)
    /// dropped, as is its Markdown, so that neither is held for the whole
    /// site at once.
    fn render_bodies(
        &mut self,
        h: &Handbook,
        texts: Vec<Arc<str>>,
        text_keys: &[u64],
        linking: Vec<glossary::Terms>,
        publishing: bool,
    ) -> (Bodies, Option<SearchParts>) {
        let table = LinkTable::of(h);
        let links = Keyed { key: key_of(&table), value: Resolver::new(&table) };
        let memo = &self.bodies;
        // (its body, and its part of the index when indexed here)
        type Made = (Option<Keyed<Arc<Body>>>, Option<PageIndex>);
        let made: Vec<Made> = texts
            .into_par_iter()
            .zip(linking)
            .enumerate()
            .map(|(i, (text, terms))| {
                let page = &h.pages[i];
                if page.source.is_empty() && text.is_empty() {
                    let part = publishing.then(|| render::search::index_page(h, i, None)).flatten();
                    return (None, part);
                }
                let job = BodyJob {
                    links: &links,
                    from: LinkSource::page(page),
                    strip_leading_h1: page.kind != Kind::Term,
                    raw_html: h.config.markdown.raw_html,
                    heading_ids: h.config.markdown.heading_ids,
                    title: (page.kind != Kind::Term).then_some(page.title.as_str()),
                    terms,
                    first_line: page.body_line,
                    text: Keyed { key: text_keys[i], value: &text },
                };
                if publishing {
                    let mut body = render_body(&job);
                    let part = render::search::index_page(h, i, Some(&body.rendered));
                    body.rendered.sections = Vec::new();
                    return (Some(Keyed { key: key_of(&job), value: Arc::new(body) }), part);
                }
                let (key, body) = memo.get(&job, |job| Ok::<_, ()>(Arc::new(render_body(job))));
                (body.ok().map(|value| Keyed { key, value }), None)
            })
            .collect();
        if publishing {
            let (bodies, parts) = made.into_iter().map(|(body, part)| (body, Arc::new(part))).unzip();
            return (bodies, Some(parts));
        }
        let bodies: Vec<_> = made.into_iter().map(|(body, _)| body).collect();
        self.bodies.keep(bodies.iter().flatten().map(|b| (b.key, b.value.clone())));
        (bodies, None)
    }

    /// Each page's part of the search index, made again only for the pages
    /// whose [`SearchJob`] changed, and kept for a next build. (A one-shot
    /// build indexes pages with their bodies: [`Builder::render_bodies`].)
    fn index_pages(
        &mut self,
        h: &Handbook,
        page_shapes: &[u64],
        bodies: &[Option<Keyed<Arc<Body>>>],
    ) -> Vec<Arc<Option<PageIndex>>> {
        let memo = &self.search;
        let made: Vec<(u64, Arc<Option<PageIndex>>)> = (0..h.pages.len())
            .into_par_iter()
            .map(|i| {
                let p = &h.pages[i];
                let page = Keyed { key: page_shapes[i], value: p };
                let job = SearchJob { page, around: render::search::Around::of(h, p), body: bodies[i].as_ref() };
                let (key, part) = memo.get(&job, |job| {
                    let body = job.body.map(|b| &b.value.rendered);
                    Ok::<_, ()>(Arc::new(render::search::index_part(job.page.value, &job.around, body)))
                });
                (key, part.unwrap_or_default())
            })
            .collect();
        self.search.keep(made.iter().map(|(key, part)| (*key, part.clone())));
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
    /// what they were, or its [`PageJob`] hashes as before. Each page goes
    /// to `out` as it is made; pages are kept for a next build only when
    /// `out` keeps them too (`serve`).
    fn render_pages(
        &mut self,
        h: &Handbook,
        renderer: &Renderer,
        Pages { theme, site, bodies, navs, shape, out }: Pages,
        diags: &mut Diagnostics,
    ) {
        let keeping = !out.streams();
        let (memo, by_shape, nav_memo) = (&self.pages, &self.pages_by_shape, &self.navs);
        // The sidebars made for pages alone, kept for the next build (by `serve`).
        let own_navs = std::sync::Mutex::new(Vec::new());
        // (quick key, full key, the page's bytes when kept)
        type Made = (u64, u64, Result<Option<Arc<[u8]>>, Box<render::RenderFailure>>);
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
                                if let (Some(own), Some(_), true) = (&nav, inputs.nav.current, keeping) {
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
                let html = html.map(|bytes| {
                    let kept = keeping.then(|| bytes.clone());
                    out.page(path, bytes);
                    kept
                });
                (quick, key, html)
            })
            .collect();
        let mut kept = Vec::with_capacity(if keeping { made.len() } else { 0 });
        let mut reported = std::collections::HashSet::new();
        for (quick, key, result) in made {
            match result {
                Ok(Some(bytes)) => kept.push((quick, (key, bytes))),
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
    }
}

/// The handbook as data (`/handbook.json`) without building the site:
/// the stages up to the links, then the data file; no page goes through
/// the templates, so their findings are `check`'s and `build`'s. `None`
/// when the handbook has errors.
pub fn handbook_json(options: &Options) -> (Option<Vec<u8>>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Prepared { handbook, bodies, backlinks, .. } =
        Builder::new().prepare(options, None, &mut Clock::start(), &mut diags);
    let rendered: Vec<Option<&Rendered>> = bodies.iter().map(|b| b.as_ref().map(|b| &b.value.rendered)).collect();
    let json = render::data::handbook_json(&handbook, &rendered, &backlinks);
    let diags = diags.sorted();
    (Some(json).filter(|_| !diags.has_errors()), diags)
}

/// What [`Builder::prepare`] gives: the model, its bodies and links.
struct Prepared {
    dialect: Dialect,
    /// The handbook's template overrides.
    templates: BTreeMap<String, String>,
    handbook: Handbook,
    /// The glossary's linkable names, when there are any to link.
    terms: Option<markdown::glossary::Glossary>,
    bodies: Bodies,
    backlinks: Vec<Vec<usize>>,
    /// Each page's part of the search index, when made with its body.
    search: Option<Vec<Arc<Option<PageIndex>>>>,
}

/// What [`Builder::render_pages`] renders every page with.
struct Pages<'a> {
    theme: &'a Keyed<Arc<Theme>>,
    site: &'a Keyed<SiteView>,
    bodies: &'a [Option<Keyed<Arc<Body>>>],
    navs: &'a Navs,
    shape: u64,
    out: &'a Out<'a>,
}

/// Each page's rendered body, by page (`None`: a page without one).
type Bodies = Vec<Option<Keyed<Arc<Body>>>>;

/// Each page's part of the search index, by page.
type SearchParts = Vec<Arc<Option<PageIndex>>>;

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

/// The files `serve` makes only when they are read ([`Content::Later`]):
/// the pages' Markdown, the data files and the print documents. A page's
/// Markdown is keyed by its title and its body's key (which hashes its
/// text). The others read the handbook and every body, so their key is the
/// handbook's [`Shape`], the bodies' keys and their path (the same holds for
/// every page's quick key).
fn later_files(h: &Arc<Handbook>, bodies: Bodies, backlinks: Vec<Vec<usize>>, inputs: u64, out: &Out) {
    for (i, path) in render::data::markdown_paths(h) {
        let p = &h.pages[i];
        let text = bodies[i].as_ref().map_or_else(|| key_of(&*p.body), |b| b.key);
        let key = key_of(&(&path, &p.title, text));
        let h = h.clone();
        out.own_later(path, LaterFile::file(key, move || render::data::markdown_copy(&h.pages[i])));
    }
    let bodies: Arc<[Option<Arc<Body>>]> = bodies.into_iter().map(|b| b.map(|b| b.value)).collect();
    let backlinks = Arc::new(backlinks);
    for file in render::data::DataFile::ALL {
        let (h, bodies, backlinks) = (h.clone(), bodies.clone(), backlinks.clone());
        let key = key_of(&(inputs, file.path()));
        out.own_later(
            file.path().to_string(),
            LaterFile::file(key, move || file.make(&h, &rendered_of(&bodies), &backlinks)),
        );
    }
    if h.config.print {
        for doc in render::print::documents(h) {
            let key = key_of(&(inputs, &doc.path));
            let (h, bodies) = (h.clone(), bodies.clone());
            out.own_later(
                doc.path.clone(),
                LaterFile::file(key, move || render::print::document(&h, &rendered_of(&bodies), &doc)),
            );
        }
    }
}

/// `serve`'s search index, made when one of its files is first read: how
/// many shards it has is only known once it is made, so it is one folder.
/// It is made from every page's part, which `inputs` (the shape and the
/// bodies' keys) stands for.
fn later_search(h: &Handbook, parts: SearchParts, inputs: u64) -> LaterFolder {
    let language = h.config.language.clone();
    LaterFolder::folder(key_of(&(inputs, render::search::FOLDER)), move || {
        let done: Vec<&PageIndex> = parts.iter().filter_map(|part| part.as_ref().as_ref()).collect();
        let files = std::sync::Mutex::new(Vec::new());
        render::search::index(&language, &done, &|path, bytes| {
            let name = path.strip_prefix(render::search::FOLDER).unwrap_or(&path).to_string();
            files.lock().unwrap_or_else(|e| e.into_inner()).push((name, bytes));
        });
        files.into_inner().unwrap_or_else(|e| e.into_inner())
    })
}

/// Each page's rendered body, by page, from the bodies.
fn rendered_of(bodies: &[Option<Arc<Body>>]) -> Vec<Option<&Rendered>> {
    bodies.iter().map(|b| b.as_deref().map(|b| &b.rendered)).collect()
}

/// A file of the handbook published where copbook writes a file of its own
/// (a theme asset, the sitemap, a redirect page...) would replace it, or be
/// replaced, depending on which is written last: an error naming both.
/// Clashes with pages are found by the model, which can name the page.
/// The search index's folder is copbook's whole, however many files it has.
fn report_clashes(h: &Handbook, own: &[String], diags: &mut Diagnostics) {
    let own: HashMap<String, &str> = own.iter().map(|path| (path.to_lowercase(), path.as_str())).collect();
    let folder = render::search::FOLDER;
    for file in &h.files {
        let logical = file.logical.to_lowercase();
        let clash = own.get(&logical).copied().or_else(|| logical.starts_with(folder).then_some(folder));
        if let Some(path) = clash {
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
    let inputs = job.inputs.0;
    let body = job.body.map_or("", |b| b.value.rendered.html.as_str());
    let nav = job.nav.map_or(String::new(), |n| render::mark_current(&n.value, &inputs.page.url));
    let html = job.theme.value.render_page(&job.site.value, inputs, body, &nav, &job.what)?;
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
    let rendered = markdown::render(job.text.value, &options);
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

/// Takes the pages' Markdown out of the model, by page, for a one-shot
/// build to drop each once its body is rendered: it is the largest input,
/// and nothing after the Markdown stage reads it.
fn take_sources(h: &mut Handbook) -> Vec<Arc<str>> {
    let empty: Arc<str> = Arc::from("");
    h.pages.iter_mut().map(|page| std::mem::replace(&mut page.body, empty.clone())).collect()
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
