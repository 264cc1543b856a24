//! Atom feeds (RFC 4287) of the rules people follow: `/feed.xml` for every
//! principle, guideline and standard, and `/communities/<id>/feed.xml` for
//! what one community owns. One entry a page, newest change first; its id
//! is a tag: URI of the page's address, so it stays the same as the page
//! changes and a reader shows the change as an update.

use crate::date::Date;
use crate::html::escape;
use crate::model::{Handbook, Kind, Page};
use crate::render::context::{address, site_host};

/// At most this many entries a feed: readers only look at the recent ones.
const ENTRIES: usize = 100;

/// The feeds, by output path.
pub fn files(h: &Handbook) -> Vec<(String, Vec<u8>)> {
    let items: Vec<&Page> = h.pages.iter().filter(|p| p.kind.is_item() && p.has_own_page()).collect();
    if items.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(
        "feed.xml".to_string(),
        feed(h, "/feed.xml", &format!("{}: principles, guidelines and standards", h.config.title), &items),
    )];
    for (_, c) in h.of_kind(Kind::Community) {
        let owned: Vec<&Page> = items.iter().copied().filter(|p| p.owners.contains(&c.id)).collect();
        if !owned.is_empty() {
            let url = format!("{}feed.xml", c.url);
            out.push((
                url.trim_start_matches('/').to_string(),
                feed(h, &url, &format!("{}: what {} owns", h.config.title, c.title), &owned),
            ));
        }
    }
    out
}

/// The tag: URI authority and date: the site's host, and a fixed day
/// (the year copbook first wrote these ids), so ids never change.
fn tag(h: &Handbook, url: &str) -> String {
    let host = site_host(h).unwrap_or_else(|| "copbook.invalid".into());
    format!("tag:{host},2026:{}", h.href(url))
}

fn stamp(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

fn feed(h: &Handbook, url: &str, title: &str, pages: &[&Page]) -> Vec<u8> {
    let mut entries: Vec<&Page> = pages.to_vec();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.url.cmp(&b.url)));
    entries.truncate(ENTRIES);
    let newest = entries.iter().filter_map(|p| p.updated).max().unwrap_or(h.today);
    let author = h.config.organisation.as_deref().unwrap_or(&h.config.title);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("  <id>{}</id>\n  <title>{}</title>\n", escape(&tag(h, url)), escape(title)));
    xml.push_str(&format!("  <updated>{}</updated>\n", stamp(newest)));
    xml.push_str(&format!("  <author><name>{}</name></author>\n", escape(author)));
    xml.push_str(&format!("  <link rel=\"self\" href=\"{}\"/>\n", escape(&address(h, url))));
    xml.push_str(&format!("  <link rel=\"alternate\" href=\"{}\"/>\n", escape(&address(h, "/"))));
    xml.push_str("  <generator>copbook</generator>\n");
    for p in entries {
        let kind = crate::render::context::kind_title(p);
        let version = p.item().and_then(|i| i.version.as_deref()).map(|v| format!(", version {v}")).unwrap_or_default();
        let status = p.item().and_then(|i| i.status).map(|s| format!(" ({})", s.name())).unwrap_or_default();
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <id>{}</id>\n", escape(&tag(h, &p.url))));
        xml.push_str(&format!("    <title>{}</title>\n", escape(&p.title)));
        xml.push_str(&format!("    <updated>{}</updated>\n", stamp(p.updated.unwrap_or(h.today))));
        xml.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", escape(&address(h, &p.url))));
        xml.push_str(&format!("    <category term=\"{}\"/>\n", p.kind.name()));
        let about = p.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
        xml.push_str(&format!("    <summary>{}</summary>\n", escape(&format!("{kind}{version}{status}{about}"))));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml.into_bytes()
}
