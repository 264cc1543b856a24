//! The files around the pages: where each page is written, the sitemap,
//! the redirect pages, and the GitHub Pages markers.

use crate::model::{Generated, Handbook, Kind};

pub use crate::model::output_path;

/// Where a stage hands each file it makes, by output path, as soon as it
/// is made: the site is written as it is built, never held whole.
pub type Emit<'a> = &'a (dyn Fn(String, Vec<u8>) + Sync);

/// A file made in parts, written one after another into what it is given.
pub type Parts<'a> = &'a mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>;

/// Where a stage hands a file too large to hold whole, made in [`Parts`].
pub type EmitParts<'a> = &'a (dyn Fn(String, Parts) + Sync);

/// `sitemap.xml` (when `base_url` is a full URL), the redirect pages, the
/// calendars and feeds, `.nojekyll` and `CNAME`, each handed to `emit`. (The
/// search index is [`super::search::index`].)
pub fn site_files(h: &Handbook, emit: Emit) {
    // GitHub Pages would otherwise run Jekyll and hide files starting with '_'.
    let mut files = vec![(".nojekyll".to_string(), Vec::new())];
    // The sitemaps protocol wants absolute URLs: a base_url that is only a
    // path gives none, and an invalid sitemap is worse than none.
    if let Some(site_url) = h.config.site_url() {
        files.push(("sitemap.xml".to_string(), sitemap(h, &site_url).into_bytes()));
    }
    files.extend(redirects(h));
    files.extend(super::calendar::files(h));
    files.extend(super::feeds::files(h));
    if let Some(cname) = h.config.cname.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        files.push(("CNAME".to_string(), format!("{cname}\n").into_bytes()));
    }
    files.into_iter().for_each(|(path, bytes)| emit(path, bytes));
}

/// A small page for each old URL that sends readers on to the new one.
fn redirects(h: &Handbook) -> Vec<(String, Vec<u8>)> {
    let pairs = h
        .redirects
        .iter()
        .cloned()
        .chain(h.pages.iter().flat_map(|p| p.redirect_from.iter().map(|from| (from.clone(), p.url.clone()))));
    let taken: std::collections::HashSet<String> =
        h.pages.iter().filter(|p| p.has_own_page()).map(|p| output_path(&p.url)).collect();
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let icon = super::context::Favicon::of(h).tag();
    for (from, to) in pairs {
        let path = output_path(&crate::model::redirect_address(&from));
        if taken.contains(&path) || out.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let href = if to.contains("://") { to } else { h.href(&to) };
        let href = super::escape(&href);
        let html = format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Redirecting</title>\
<meta http-equiv=\"refresh\" content=\"0; url={href}\"><link rel=\"canonical\" href=\"{href}\">\
<meta name=\"robots\" content=\"noindex\">{icon}</head>\n<body><p>This page has moved to <a href=\"{href}\">{href}</a>.</p></body></html>\n",
            lang = super::escape(&h.config.language)
        );
        out.push((path, html.into_bytes()));
    }
    out
}

fn listed(h: &Handbook) -> impl Iterator<Item = &crate::model::Page> {
    h.pages
        .iter()
        .filter(|p| p.has_own_page() && !matches!(p.kind, Kind::Generated(Generated::NotFound | Generated::Search)))
}

/// `site_url` is the absolute `base_url`; page hrefs already carry its path.
fn sitemap(h: &Handbook, site_url: &str) -> String {
    let prefix = &site_url[..site_url.len() - h.config.base_path().len()];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut pages: Vec<_> = listed(h).collect();
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    for p in pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&super::escape(&format!("{prefix}{}", h.href(&p.url))));
        xml.push_str("</loc>");
        if let Some(d) = p.updated {
            xml.push_str(&format!("<lastmod>{d}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}
