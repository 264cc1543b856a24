//! The whole handbook on one page for printing or saving as PDF: `/print/`
//! has every page in reading order, and `/communities/<id>/print/` one
//! community with what it owns.
//!
//! Each page becomes a section headed by its title, whose id is `page-`
//! and its URL; the body's own ids get that and `--` in front, so they
//! never clash with another page's headings or with a title; links between pages (and to glossary terms) become links
//! inside the document. The work is one pass over each body with a map of
//! URLs, so the page grows linearly with the handbook.

use super::files::EmitParts;
use crate::html::escape;
use crate::markdown::Rendered;
use crate::model::{Generated, Handbook, Kind, Page};
use crate::text::slugify;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::Write;

const STYLE: &str = "
body { max-width: 46rem; margin: 0 auto; padding: 1rem; }
.print-contents ol { columns: 2; }
.print-top { break-before: page; }
.print-page h2.print-title { margin-top: 2.5rem; }
@media print {
  .print-note { display: none; }
  a[href^='http']::after { content: ' (' attr(href) ')'; font-size: 0.85em; word-break: break-all; }
  h2, h3, h4 { break-after: avoid; }
  pre, table, figure { break-inside: avoid; }
  @page { margin: 2cm; @top-center { content: string(section); } }
  .print-top h2.print-title { string-set: section content(); }
}
";

/// The print pages, each handed to `emit` with its output path, to be
/// written in parts as they are made: `/print/` is as long as the whole
/// handbook, and is never held whole.
pub fn files(h: &Handbook, bodies: &[Option<&Rendered>], emit: EmitParts) {
    let anchors = Anchors::of(h, bodies);
    let print = Print { h, bodies, anchors: &anchors };
    for doc in documents(h) {
        emit(doc.path.clone(), &mut |w| print.document(&doc.title, &doc.pages, w));
    }
}

/// One print document: its output path, its title and the pages it prints, in order.
pub struct Document {
    pub path: String,
    title: String,
    pages: Vec<usize>,
}

/// The print documents: the whole handbook, then each community with what it owns.
pub fn documents(h: &Handbook) -> Vec<Document> {
    let all: Vec<usize> = h.reading_order.iter().copied().filter(|&i| printable(&h.pages[i])).collect();
    let mut docs = Vec::new();
    for (c, community) in h.of_kind(Kind::Community) {
        let owned = all.iter().copied().filter(|&i| h.pages[i].owners.contains(&community.id));
        docs.push(Document {
            path: format!("{}print/index.html", community.url.trim_start_matches('/')),
            title: community.title.clone(),
            pages: std::iter::once(c).chain(owned).collect(),
        });
    }
    docs.insert(0, Document { path: "print/index.html".to_string(), title: h.config.title.clone(), pages: all });
    docs
}

/// One print document, whole (what `serve` makes when it is asked for).
pub fn document(h: &Handbook, bodies: &[Option<&Rendered>], doc: &Document) -> Vec<u8> {
    let anchors = Anchors::of(h, bodies);
    let mut bytes = Vec::new();
    // Writing into memory cannot fail.
    let _ = Print { h, bodies, anchors: &anchors }.document(&doc.title, &doc.pages, &mut bytes);
    bytes
}

/// How many pages are made at once (in parallel) before they are written.
const PAGES_AT_ONCE: usize = 64;

/// What every print document is made from.
struct Print<'a> {
    h: &'a Handbook,
    bodies: &'a [Option<&'a Rendered>],
    anchors: &'a Anchors<'a>,
}

fn printable(p: &Page) -> bool {
    p.has_own_page() && !matches!(p.kind, Kind::Generated(Generated::NotFound | Generated::Review))
}

/// Each page's anchor in the document, by its URL, and each glossary term's.
struct Anchors<'a> {
    by_url: HashMap<&'a str, String>,
    /// The ids of each page's body, by its URL: a link to an id that is not
    /// in the printed body (the page's title, say) leads to the page.
    ids: HashMap<&'a str, HashSet<&'a str>>,
    base: String,
}

impl<'a> Anchors<'a> {
    fn of(h: &'a Handbook, bodies: &[Option<&'a Rendered>]) -> Self {
        let ids = h
            .pages
            .iter()
            .zip(bodies)
            .filter_map(|(p, b)| {
                let b = b.as_ref()?;
                // The title's id is on the page's <h1>, which print replaces with its own heading.
                let ids = b.anchors.iter().map(String::as_str).filter(|id| Some(*id) != b.title_id.as_deref());
                Some((p.url.as_str(), ids.collect()))
            })
            .collect();
        let mut by_url = HashMap::new();
        for p in &h.pages {
            let (path, term) = p.url.split_once('#').map_or((p.url.as_str(), None), |(u, a)| (u, Some(a)));
            let page = format!("page-{}", slug(path));
            match term {
                Some(term) => by_url.insert(p.url.as_str(), format!("{page}--{term}")),
                None => by_url.insert(p.url.as_str(), page),
            };
        }
        Anchors { by_url, ids, base: h.config.base_path() }
    }

    fn page(&self, p: &Page) -> String {
        self.by_url.get(p.url.as_str()).cloned().unwrap_or_default()
    }

    /// Where an href of page `anchor`'s body leads in the document, if
    /// inside it: `inside` holds the URLs the document prints.
    fn rewrite(&self, href: &str, anchor: &str, inside: &HashSet<&str>) -> Option<String> {
        if let Some(fragment) = href.strip_prefix('#') {
            // A bare `#` means this page: its place in the document.
            return Some(if fragment.is_empty() { format!("#{anchor}") } else { format!("#{anchor}--{fragment}") });
        }
        let path = href.strip_prefix(self.base.as_str())?;
        let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        if let Some(a) = self.by_url.get(path.as_str()) {
            // A page, or an entry (a term, a person without a page), printed or not.
            return inside.contains(path.as_str()).then(|| format!("#{a}"));
        }
        let (page, fragment) = path.split_once('#')?;
        let a = self.by_url.get(page).filter(|_| inside.contains(page))?;
        let in_body = !fragment.is_empty() && self.ids.get(page).is_some_and(|ids| ids.contains(fragment));
        Some(if in_body { format!("#{a}--{fragment}") } else { format!("#{a}") })
    }
}

fn slug(path: &str) -> String {
    let s = slugify(path.trim_matches('/'));
    if s.is_empty() {
        "home".into()
    } else {
        s
    }
}

impl Print<'_> {
    /// Writes the document of `pages` titled `title` into `w`, a few pages
    /// at a time.
    fn document(&self, title: &str, pages: &[usize], w: &mut dyn Write) -> std::io::Result<()> {
        let h = self.h;
        w.write_all(self.head(title, pages).as_bytes())?;
        let mut inside: HashSet<&str> = pages.iter().map(|&i| h.pages[i].url.as_str()).collect();
        if pages.iter().any(|&i| h.pages[i].kind == Kind::Generated(Generated::Glossary)) {
            inside.extend(h.of_kind(Kind::Term).map(|(_, t)| t.url.as_str()));
        }
        for some in pages.chunks(PAGES_AT_ONCE) {
            let made: Vec<String> = some.par_iter().map(|&i| self.section(i, &inside)).collect();
            for section in made {
                w.write_all(section.as_bytes())?;
            }
        }
        w.write_all(b"</main>\n</body></html>\n")
    }

    /// Everything before the first page: the head, the title and the contents.
    fn head(&self, title: &str, pages: &[usize]) -> String {
        let h = self.h;
        let mut html = String::new();
        let lang = escape(&h.config.language);
        let title = escape(title);
        html.push_str(&format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} (print)</title>\
<meta name=\"robots\" content=\"noindex\">{}<link rel=\"stylesheet\" href=\"{}\"><style>{STYLE}</style></head>\n<body>\n<main class=\"print\">\n<h1>{title}</h1>\n\
<p class=\"print-note\">Everything on one page, for printing or saving as PDF. <a href=\"{}\">Back to the handbook</a>.</p>\n",
            super::context::Favicon::of(h).tag(),
            escape(&h.href("/assets/style.css")),
            escape(&h.href("/")),
        ));
        html.push_str("<nav class=\"print-contents\" aria-labelledby=\"print-contents\"><h2 id=\"print-contents\">Contents</h2><ol>\n");
        for &i in pages {
            let p = &h.pages[i];
            html.push_str(&format!("<li><a href=\"#{}\">{}</a></li>\n", self.anchors.page(p), escape(&p.title)));
        }
        html.push_str("</ol></nav>\n");
        html
    }

    /// Page `i` as a section of the document, which prints the pages `inside`.
    fn section(&self, i: usize, inside: &HashSet<&str>) -> String {
        let (h, anchors, bodies) = (self.h, self.anchors, self.bodies);
        let mut html = String::new();
        let p = &h.pages[i];
        let anchor = anchors.page(p);
        let top = if p.parent == Some(h.home()) { " print-top" } else { "" };
        html.push_str(&format!(
            "<section class=\"print-page{top}\" aria-labelledby=\"{anchor}\">\n<h2 class=\"print-title\" id=\"{anchor}\">{}</h2>\n",
            escape(&p.title)
        ));
        if let Some(body) = bodies.get(i).copied().flatten() {
            rewrite_body(&mut html, &body.html, (&anchor, &p.title), anchors, inside);
        }
        if p.kind == Kind::Generated(Generated::Glossary) {
            for (t, term) in h.of_kind(Kind::Term) {
                let id = anchors.page(term);
                html.push_str(&format!("<h3 id=\"{id}\">{}</h3>\n", escape(&term.title)));
                if let Some(body) = bodies.get(t).copied().flatten() {
                    rewrite_body(&mut html, &body.html, (&id, &term.title), anchors, inside);
                }
            }
        }
        html.push_str("</section>\n");
        html
    }
}

/// Appends a body with its ids prefixed, its links made internal where
/// they can be, and its headings one level down (the page title is an h2).
///
/// Table regions are named after their page too: each body names its tables
/// uniquely, but on one printed page two bodies may both have a "Table".
fn rewrite_body(
    out: &mut String,
    body: &str,
    (anchor, title): (&str, &str),
    anchors: &Anchors,
    inside: &HashSet<&str>,
) {
    let mut rest = body;
    while let Some(at) = rest.find([' ', '<']) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        if let Some(level) = heading(after) {
            // `<h2` -> `<h3`, `</h2` -> `</h4` ... at most h6.
            let closing = after.starts_with("</");
            out.push_str(if closing { "</h" } else { "<h" });
            out.push(char::from(b'0' + (level + 1).min(6)));
            rest = &after[if closing { 4 } else { 3 }..];
            continue;
        }
        let attr =
            [" id=\"", " href=\"", " aria-label=\"", " aria-describedby=\""].into_iter().find(|a| after.starts_with(a));
        let Some(attr) = attr else {
            out.push_str(&after[..1]);
            rest = &after[1..];
            continue;
        };
        let value_start = attr.len();
        let Some(len) = after[value_start..].find('"') else {
            out.push_str(after);
            return;
        };
        let value = &after[value_start..value_start + len];
        out.push_str(attr);
        // A glossary term names its pop-up by id: both get the prefix.
        if attr == " id=\"" || attr == " aria-describedby=\"" {
            out.push_str(&format!("{anchor}--{value}"));
        } else if attr == " aria-label=\"" {
            out.push_str(value);
            if out.ends_with(&format!("role=\"region\" tabindex=\"0\" aria-label=\"{value}")) {
                out.push_str(&format!(", {}", escape(title)));
            }
        } else {
            // Hrefs in the body are escaped HTML; `&amp;` never starts a path we map.
            out.push_str(&anchors.rewrite(value, anchor, inside).unwrap_or_else(|| value.to_string()));
        }
        rest = &after[value_start + len..];
    }
    out.push_str(rest);
}

/// The level of a heading tag at the start of `s` (`<h2` or `</h2`).
fn heading(s: &str) -> Option<u8> {
    let b = s.as_bytes();
    let at = if s.starts_with("</") { 2 } else { 1 };
    if b.first() == Some(&b'<') && b.get(at) == Some(&b'h') {
        let level = b.get(at + 1).copied().filter(|c| (b'1'..=b'6').contains(c))? - b'0';
        let next = b.get(at + 2).copied();
        (next == Some(b'>') || next == Some(b' ')).then_some(level)
    } else {
        None
    }
}
