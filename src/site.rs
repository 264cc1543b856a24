//! The pipeline from a handbook folder to the files of its site, shared by
//! `build`, `check` and `serve`: load → model → Markdown → checks →
//! templates. Nothing here writes to disk; [`crate::output`] does.

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::dialect::{self, Dialect};
use crate::load::{self, LoadOptions};
use crate::markdown::{self, LinkKind, Rendered, Resolution};
use crate::model::links::{Located, Resolver};
use crate::model::{self, Handbook, Kind};
use crate::render::{self, Renderer, Theme};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
    Bytes(Vec<u8>),
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

/// Builds a handbook again and again (for `serve`), reusing what has not
/// changed since the last build. The result is always what [`build`] gives.
#[derive(Default)]
pub struct Builder {}

impl Builder {
    pub fn new() -> Self {
        Builder::default()
    }

    pub fn build(&mut self, options: &Options) -> (Option<Site>, Diagnostics) {
        build(options)
    }
}

/// Runs the whole pipeline. The site is `None` when there are errors: a
/// handbook with errors is never published.
pub fn build(options: &Options) -> (Option<Site>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut clock = Clock::start();
    let dialect = options.dialect.unwrap_or_else(|| dialect::detect(&options.root));
    let load_options = LoadOptions {
        base_url: options.base_url.clone(),
        exclude: options.out.clone(),
        content_dir: dialect::content_dir(dialect, &options.root),
    };
    let mut folder = load::folder(&options.root, &load_options, &mut diags);
    dialect::adapt(dialect, &mut folder, &mut diags);
    clock.lap("load");
    let today = options.today.unwrap_or_else(Date::today);
    let handbook = model::handbook(&folder, today, &mut diags);
    crate::check::run(&handbook, &mut diags);
    clock.lap("model");
    let bodies = render_bodies(&handbook);
    clock.lap("markdown");
    let backlinks = check_links(&handbook, &bodies, &mut diags);
    clock.lap("links");
    let Some(theme) = Theme::load(&folder.templates, &mut diags) else {
        return (None, diags.sorted());
    };
    let renderer = Renderer::new(&handbook, &theme, &bodies, &backlinks, &mut diags);
    let pages: Vec<Result<(String, Content), Diagnostic>> = handbook
        .pages
        .par_iter()
        .enumerate()
        .filter(|(_, p)| p.has_own_page())
        .map(|(i, p)| renderer.page(i).map(|html| (render::output_path(&p.url), Content::Bytes(html.into_bytes()))))
        .collect();
    clock.lap("templates");
    let mut files = Vec::with_capacity(pages.len() + handbook.files.len());
    let mut template_errors = 0;
    for page in pages {
        match page {
            Ok(file) => files.push(file),
            // One broken template fails every page: report the first few.
            Err(d) if template_errors < 3 => {
                template_errors += 1;
                diags.push(d);
            }
            Err(_) => {}
        }
    }
    drop(renderer);
    files.extend(render::site_files(&handbook).into_iter().map(|(p, b)| (p, Content::Bytes(b))));
    files.extend(Theme::assets().into_iter().map(|(p, b)| (p, Content::Bytes(b.to_vec()))));
    files.extend(handbook.files.iter().map(|f| (f.logical.clone(), Content::Copy(options.root.join(&f.path)))));
    let diags = diags.sorted();
    if diags.has_errors() {
        return (None, diags);
    }
    clock.lap("site files");
    (Some(Site { handbook, dialect, files, timings: clock.laps }), diags)
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

/// Renders every page body to HTML, resolving its links.
fn render_bodies(h: &Handbook) -> Vec<Option<Rendered>> {
    let resolver = Resolver::new(h);
    h.pages
        .par_iter()
        .map(|page| {
            if page.source.is_empty() && page.body.is_empty() {
                return None;
            }
            let resolve = |target: &str, _kind: LinkKind| match resolver.locate(page, target) {
                Located::Broken => Resolution::Broken,
                located => resolver.href(&located).map_or(Resolution::Keep, Resolution::Rewrite),
            };
            // Terms are definitions inside the glossary page, which has its own H1.
            let strip_leading_h1 = page.kind != Kind::Term;
            let options = markdown::Options { first_line: page.body_line, resolve: &resolve, strip_leading_h1 };
            Some(markdown::render(&page.body, &options))
        })
        .collect()
}

/// Broken links and anchors are warnings with file and line; every link
/// between pages is recorded as a backlink of its target.
fn check_links(h: &Handbook, bodies: &[Option<Rendered>], diags: &mut Diagnostics) -> Vec<Vec<usize>> {
    let resolver = Resolver::new(h);
    let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); h.pages.len()];
    let anchors_of = |i: usize| -> Vec<&str> {
        let page = &h.pages[i];
        let mut anchors: Vec<&str> = bodies[i].as_ref().map(|b| b.anchors.iter().map(String::as_str).collect()).unwrap_or_default();
        if page.kind == Kind::Generated(model::Generated::Glossary) {
            anchors.extend(h.of_kind(Kind::Term).filter_map(|(_, t)| t.anchor()));
        }
        anchors
    };
    for (i, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let page = &h.pages[i];
        for link in &body.links {
            let what = if link.kind == LinkKind::Image { "image" } else { "link" };
            match resolver.locate(page, &link.target) {
                Located::Broken => diags.push(
                    Diagnostic::warning(if link.kind == LinkKind::Image { "missing-asset" } else { "broken-link" }, format!("{what} '{}' resolves to no page or file", link.target))
                        .at(&page.source, link.line)
                        .column(link.column)
                        .hint("check the path: links are relative to this file, like ../standards/captions.md"),
                ),
                Located::SamePage(anchor) if !anchor.is_empty() && !anchors_of(i).contains(&anchor.as_str()) => diags.push(
                    Diagnostic::warning("broken-anchor", format!("'#{anchor}' is not a heading on this page"))
                        .at(&page.source, link.line)
                        .column(link.column)
                        .maybe_hint(crate::diag::did_you_mean(&anchor, anchors_of(i))),
                ),
                Located::Page { index, anchor } => {
                    let target = &h.pages[index];
                    let own_anchor = target.anchor().map(str::to_string);
                    if let Some(anchor) = anchor.filter(|a| Some(a) != own_anchor.as_ref()) {
                        let anchor_page = if target.kind == Kind::Term { h.generated(model::Generated::Glossary).unwrap_or(index) } else { index };
                        if !anchors_of(anchor_page).contains(&anchor.as_str()) {
                            diags.push(
                                Diagnostic::warning("broken-anchor", format!("'#{anchor}' is not a heading in {}", describe(target)))
                                    .at(&page.source, link.line)
                                    .column(link.column)
                                    .maybe_hint(crate::diag::did_you_mean(&anchor, anchors_of(anchor_page))),
                            );
                        }
                    }
                    if index != i && !backlinks[index].contains(&i) {
                        backlinks[index].push(i);
                    }
                }
                _ => {}
            }
        }
    }
    backlinks
}

fn describe(page: &model::Page) -> String {
    if page.source.is_empty() { page.url.clone() } else { page.source.clone() }
}

/// The output folder a build writes to by default.
pub fn default_out(root: &Path, handbook_output: &str) -> PathBuf {
    root.join(handbook_output)
}
