//! The pipeline from a handbook folder to the files of its site, shared by
//! `build`, `check` and `serve`: load → model → Markdown → checks →
//! templates. Nothing here writes to disk; [`crate::output`] does.

mod links;

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::dialect::{self, Dialect};
use crate::load::{self, LoadOptions};
use crate::markdown::{self, LinkKind, Rendered, Resolution};
use crate::model::links::{Located, Resolver};
use crate::model::{self, Handbook, Kind};
use crate::render::{self, NavItem, Renderer, Theme};
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

/// Builds a handbook again and again (for `serve`), reusing the work whose
/// inputs did not change.
///
/// There is one pipeline: a fresh `Builder` has empty caches and does a full
/// build, so a partial rebuild can only differ from a full one if a cache
/// key leaves out something its stage reads. Each key holds all of it:
/// - a document: its file's size and modification time;
/// - a body's HTML: its text, its place, and the table of every page's URL
///   (all that link resolution reads);
/// - a sidebar: its entries;
/// - a page's HTML: all of its template inputs, its body and its sidebar,
///   with the templates themselves fixed for the life of the theme cache;
///   or, quicker, the handbook's shape (every page but the bodies, the
///   links between pages, the glossary's definitions) and its own body:
///   while the shape holds, nothing but its body can change a page.
#[derive(Default)]
pub struct Builder {
    documents: load::Cache,
    bodies: HashMap<u64, Arc<Body>>,
    theme: Option<(u64, Arc<Theme>)>,
    navs: HashMap<u64, Arc<String>>,
    pages: HashMap<u64, Arc<[u8]>>,
    /// By the quick key: the full key too, so that it is kept.
    pages_by_shape: HashMap<u64, (u64, Arc<[u8]>)>,
    site_files: Option<(u64, Vec<(String, Content)>)>,
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
        let mut diags = Diagnostics::default();
        let mut clock = Clock::start();
        let dialect = options.dialect.unwrap_or_else(|| dialect::detect(&options.root));
        let load_options = LoadOptions {
            base_url: options.base_url.clone(),
            exclude: options.out.clone(),
            content_dir: dialect::content_dir(dialect, &options.root),
        };
        let mut folder = load::folder_cached(&options.root, &load_options, &mut self.documents, &mut diags);
        dialect::adapt(dialect, &mut folder, &mut diags);
        clock.lap("load");
        let today = options.today.unwrap_or_else(Date::today);
        let handbook = model::handbook(&folder, today, &mut diags);
        crate::check::run(&handbook, &mut diags);
        clock.lap("model");
        let bodies = self.render_bodies(&handbook);
        clock.lap("markdown");
        let body_refs: Vec<Option<&Body>> = bodies.iter().map(|b| b.as_ref().map(|(_, b)| &**b)).collect();
        let backlinks = links::check(&handbook, &body_refs, &mut diags);
        clock.lap("links");
        let Some(theme) = self.theme(&folder.templates, &mut diags) else {
            return (None, diags.sorted());
        };
        let rendered: Vec<Option<&Rendered>> = body_refs.iter().map(|b| b.map(|b| &b.rendered)).collect();
        let mut renderer = Renderer::new(&handbook, &theme, &rendered, &backlinks);
        // Every template also reads `site`, and every output depends on the templates.
        let shared = hash_of(|h| {
            h.update(&self.theme.as_ref().map_or(0, |(k, _)| *k).to_le_bytes());
            h.update(&json_key(&render::context::SiteView::of(&handbook)).to_le_bytes());
        });
        let nav_keys = self.render_navs(&mut renderer, shared, &mut diags);
        let shape = shape_key(&handbook, shared, &bodies, &backlinks);
        let mut files = self.render_pages(&handbook, &renderer, &bodies, &nav_keys, shape, &mut diags);
        drop(renderer);
        clock.lap("templates");
        files.extend(self.site_files(&handbook, shape));
        files.extend(Theme::assets().into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))));
        files.extend(handbook.files.iter().map(|f| (f.logical.clone(), Content::Copy(options.root.join(&f.path)))));
        clock.lap("site files");
        let diags = diags.sorted();
        if diags.has_errors() {
            return (None, diags);
        }
        (Some(Site { handbook, dialect, files, timings: clock.laps }), diags)
    }

    /// Renders every page body to HTML, resolving its links.
    fn render_bodies(&mut self, h: &Handbook) -> Vec<Option<(u64, Arc<Body>)>> {
        let resolver = Resolver::new(h);
        let table = link_table_key(h);
        let cache = &self.bodies;
        let bodies: Vec<Option<(u64, Arc<Body>)>> = h
            .pages
            .par_iter()
            .map(|page| {
                if page.source.is_empty() && page.body.is_empty() {
                    return None;
                }
                // Terms are definitions inside the glossary page, which has its own H1.
                let strip_leading_h1 = page.kind != Kind::Term;
                let key = hash_of(|hasher| {
                    hasher.update(page.logical.as_bytes());
                    hasher.update(&[0]);
                    hasher.update(page.url.as_bytes());
                    hasher.update(&[0, u8::from(strip_leading_h1)]);
                    hasher.update(&page.body_line.to_le_bytes());
                    hasher.update(&table.to_le_bytes());
                    hasher.update(page.body.as_bytes());
                });
                let body = match cache.get(&key) {
                    Some(hit) => hit.clone(),
                    None => Arc::new(render_body(&resolver, page, strip_leading_h1)),
                };
                Some((key, body))
            })
            .collect();
        self.bodies = bodies.iter().flatten().cloned().collect();
        bodies
    }

    /// The theme, loaded again only when the handbook's templates change.
    fn theme(&mut self, overrides: &BTreeMap<String, String>, diags: &mut Diagnostics) -> Option<Arc<Theme>> {
        let key = hash_of(|h| {
            for (name, text) in overrides {
                h.update(name.as_bytes());
                h.update(&[0]);
                h.update(text.as_bytes());
                h.update(&[0]);
            }
        });
        if let Some((k, theme)) = &self.theme {
            if *k == key {
                return Some(theme.clone());
            }
        }
        let theme = Arc::new(Theme::load(overrides, diags)?);
        self.theme = Some((key, theme.clone()));
        Some(theme)
    }

    /// One sidebar per section, each rendered only when its entries change.
    /// Returns the key of each section's sidebar.
    fn render_navs(&mut self, renderer: &mut Renderer, shared: u64, diags: &mut Diagnostics) -> HashMap<usize, u64> {
        let keyed: Vec<(usize, u64, Vec<NavItem>)> = renderer
            .nav_keys()
            .into_iter()
            .map(|section| {
                let items = renderer.nav_items(section);
                (section, json_key(&(shared, &items)), items)
            })
            .collect();
        let cache = &self.navs;
        let results: Vec<(usize, u64, Result<Arc<String>, Diagnostic>)> = keyed
            .into_par_iter()
            .map(|(section, key, items)| {
                let html = match cache.get(&key) {
                    Some(hit) => Ok(hit.clone()),
                    None => renderer.render_nav(&items).map(Arc::new),
                };
                (section, key, html)
            })
            .collect();
        let mut navs = HashMap::new();
        let mut keys = HashMap::new();
        let mut cached = HashMap::new();
        for (section, key, html) in results {
            match html {
                Ok(html) => {
                    cached.insert(key, html.clone());
                    navs.insert(section, html);
                    keys.insert(section, key);
                }
                Err(d) => diags.push(d),
            }
        }
        self.navs = cached;
        renderer.set_navs(navs);
        keys
    }

    /// Every page through the templates, unless its template inputs, its
    /// body and its sidebar are all what they were when it was last rendered.
    fn render_pages(
        &mut self,
        h: &Handbook,
        renderer: &Renderer,
        bodies: &[Option<(u64, Arc<Body>)>],
        nav_keys: &HashMap<usize, u64>,
        shape: u64,
        diags: &mut Diagnostics,
    ) -> Vec<(String, Content)> {
        let (cache, by_shape) = (&self.pages, &self.pages_by_shape);
        // (quick key, full key, the page's path and bytes)
        type Rendered = (u64, u64, Result<(String, Arc<[u8]>), Box<render::RenderFailure>>);
        let rendered: Vec<Rendered> = h
            .pages
            .par_iter()
            .enumerate()
            .filter(|(_, p)| p.has_own_page())
            .map(|(i, p)| {
                let path = render::output_path(&p.url);
                let body_key = bodies[i].as_ref().map_or(0, |(k, _)| *k);
                let quick = hash_of(|hasher| {
                    hasher.update(&shape.to_le_bytes());
                    hasher.update(&(i as u64).to_le_bytes());
                    hasher.update(&body_key.to_le_bytes());
                });
                if let Some((key, hit)) = by_shape.get(&quick) {
                    return (quick, *key, Ok((path, hit.clone())));
                }
                let inputs = renderer.inputs(i);
                let key = hash_of(|hasher| {
                    hasher.update(&nav_keys.get(&inputs.nav_key).copied().unwrap_or(0).to_le_bytes());
                    hasher.update(&body_key.to_le_bytes());
                    let _ = serde_json::to_writer(model::HashWriter(hasher), &inputs);
                });
                match cache.get(&key) {
                    Some(hit) => (quick, key, Ok((path, hit.clone()))),
                    None => (quick, key, renderer.render(i, inputs).map(|html| (path, Arc::from(html.into_bytes())))),
                }
            })
            .collect();
        let mut files = Vec::with_capacity(rendered.len());
        let mut cached = HashMap::with_capacity(rendered.len());
        let mut cached_by_shape = HashMap::with_capacity(rendered.len());
        let mut reported = std::collections::HashSet::new();
        for (quick, key, result) in rendered {
            match result {
                Ok((path, bytes)) => {
                    cached.insert(key, bytes.clone());
                    cached_by_shape.insert(quick, (key, bytes.clone()));
                    files.push((path, Content::Bytes(bytes)));
                }
                // One broken template fails every page: report each error once.
                Err(failure) => {
                    let f = &failure.finding;
                    if reported.insert((f.file.clone(), f.line, f.column, f.message.clone())) {
                        diags.push(failure.into_diagnostic());
                    }
                }
            }
        }
        self.pages = cached;
        self.pages_by_shape = cached_by_shape;
        files
    }

    /// Sitemap, search index, redirects and the GitHub Pages files: they
    /// read nothing but the handbook's shape.
    fn site_files(&mut self, h: &Handbook, shape: u64) -> Vec<(String, Content)> {
        if let Some((key, files)) = &self.site_files {
            if *key == shape {
                return files.clone();
            }
        }
        let files: Vec<(String, Content)> =
            render::site_files(h).into_iter().map(|(p, b)| (p, Content::Bytes(b.into()))).collect();
        self.site_files = Some((shape, files.clone()));
        files
    }
}

/// Everything but the page bodies that any page's HTML can read: the
/// templates and `site`, every page's fields and place in the tree, the
/// links between pages, and the glossary's definitions.
fn shape_key(h: &Handbook, shared: u64, bodies: &[Option<(u64, Arc<Body>)>], backlinks: &[Vec<usize>]) -> u64 {
    use std::hash::Hash;
    let pages: Vec<u64> = h
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let mut hasher = Xxh3::new();
            page.hash_shape(&mut hasher);
            backlinks.get(i).hash(&mut hasher);
            if page.kind == Kind::Term {
                bodies[i].as_ref().map(|(k, _)| *k).hash(&mut hasher);
            }
            hasher.digest()
        })
        .collect();
    let mut hasher = Xxh3::new();
    shared.hash(&mut hasher);
    // Settings such as the contents depth shape pages without showing in `site`.
    let _ = serde_json::to_writer(model::HashWriter(&mut hasher), &h.config);
    pages.hash(&mut hasher);
    h.reading_order.hash(&mut hasher);
    hasher.digest()
}

/// Renders one body, recording where each of its links leads.
fn render_body(resolver: &Resolver, page: &model::Page, strip_leading_h1: bool) -> Body {
    let asked = std::cell::RefCell::new(Vec::new());
    let resolve = |target: &str, _kind: LinkKind| {
        let found = resolver.locate(page, target);
        let answer = match &found {
            Located::Broken => Resolution::Broken,
            other => resolver.href(other).map_or(Resolution::Keep, Resolution::Rewrite),
        };
        asked.borrow_mut().push((target.to_string(), found));
        answer
    };
    let options = markdown::Options { first_line: page.body_line, resolve: &resolve, strip_leading_h1 };
    let rendered = markdown::render(&page.body, &options);
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
                .map_or_else(|| resolver.locate(page, &link.target), |found| (*found).clone())
        })
        .collect();
    Body { rendered, located }
}

/// What link resolution reads: every page's logical path and URL, the
/// published files, and the base path. Equal keys, equal answers.
fn link_table_key(h: &Handbook) -> u64 {
    hash_of(|hasher| {
        hasher.update(h.config.base_path().as_bytes());
        for p in &h.pages {
            hasher.update(p.logical.as_bytes());
            hasher.update(&[0]);
            hasher.update(p.url.as_bytes());
            hasher.update(&[0]);
        }
        for f in &h.files {
            hasher.update(f.logical.as_bytes());
            hasher.update(&[0]);
        }
    })
}

fn hash_of(feed: impl FnOnce(&mut Xxh3)) -> u64 {
    let mut hasher = Xxh3::new();
    feed(&mut hasher);
    hasher.digest()
}

fn json_key<T: serde::Serialize>(value: &T) -> u64 {
    hash_of(|hasher| {
        let _ = serde_json::to_writer(model::HashWriter(hasher), value);
    })
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
