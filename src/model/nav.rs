//! The pages copbook adds (home, directories, section landings, review,
//! 404) and the navigation tree: parents, children in order, reading order.

use super::page::DEFAULT_WEIGHT;
use super::*;
use crate::text::humanise;
use std::collections::HashSet;

/// Title and weight of each generated directory. "Due for review" is about
/// the content, so it comes after all of it, unweighted pages included
/// (an imported handbook's pages rarely have weights).
const DIRECTORIES: [(Generated, &str, i64); 9] = [
    (Generated::Communities, "Communities of practice", 10),
    (Generated::Sessions, "Sessions", 11),
    (Generated::Principles, "Principles", 20),
    (Generated::Guidelines, "Guidelines", 21),
    (Generated::Standards, "Standards", 22),
    (Generated::Glossary, "Glossary", 30),
    (Generated::People, "People", 40),
    (Generated::WhatsNew, "What's new", DEFAULT_WEIGHT + 1),
    (Generated::Review, "Due for review", DEFAULT_WEIGHT + 2),
];

pub(super) fn add_generated_pages(handbook: &mut Handbook) {
    let mut urls: HashMap<String, usize> = HashMap::new();
    for (i, p) in handbook.pages.iter().enumerate() {
        if p.has_own_page() {
            urls.entry(p.url.clone()).or_insert(i);
        }
    }
    if !urls.contains_key("/") {
        let mut home = generated(Generated::Home, "/", &handbook.config.title, 0);
        home.description = handbook.config.description.clone();
        urls.insert("/".into(), handbook.pages.len());
        handbook.pages.push(home);
    }
    for (which, title, weight) in DIRECTORIES {
        let folder = match which {
            Generated::Review => "review",
            Generated::Sessions => "sessions",
            Generated::WhatsNew => "whats-new",
            _ => Kind::FOLDERS.iter().find(|(_, _, g)| *g == which).map_or("", |(f, _, _)| *f),
        };
        let url = format!("/{folder}/");
        let kind = Kind::FOLDERS.iter().find(|(_, _, g)| *g == which).map(|(_, k, _)| *k);
        let used = match which {
            Generated::Sessions => handbook.pages.iter().any(|p| p.community().is_some_and(|c| !c.sessions.is_empty())),
            Generated::WhatsNew => handbook.pages.iter().any(|p| p.updated.is_some() && !p.source.is_empty()),
            _ => kind.is_some_and(|k| handbook.pages.iter().any(|p| p.kind == k)),
        };
        match urls.get(&url) {
            // The folder's own index.md introduces the directory.
            Some(&i) if handbook.pages[i].kind == Kind::Page => {
                let page = &mut handbook.pages[i];
                page.kind = Kind::Generated(which);
                if page.weight == DEFAULT_WEIGHT {
                    page.weight = weight;
                }
            }
            Some(_) => {}
            None if used || which == Generated::Review => {
                urls.insert(url.clone(), handbook.pages.len());
                handbook.pages.push(generated(which, &url, title, weight));
            }
            None => {}
        }
    }
    handbook.pages.push(generated(Generated::NotFound, "/404.html", "Page not found", DEFAULT_WEIGHT));
    if !urls.contains_key("/search/") {
        urls.insert("/search/".to_string(), handbook.pages.len());
        handbook.pages.push(generated(Generated::Search, "/search/", "Search", DEFAULT_WEIGHT));
    }
    // A folder without an index.md still gets a landing page, so every
    // breadcrumb leads somewhere.
    let mut missing: Vec<String> = Vec::new();
    let known: HashSet<&String> = urls.keys().collect();
    for page in handbook.pages.iter().filter(|p| p.has_own_page()) {
        let mut url = page.url.as_str();
        while let Some(parent) = parent_url(url) {
            if !known.contains(&parent.to_string()) && !missing.iter().any(|m| m == parent) {
                missing.push(parent.to_string());
            }
            url = parent;
        }
    }
    for url in missing {
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        handbook.pages.push(generated(Generated::Section, &url, &humanise(name), DEFAULT_WEIGHT));
    }
}

fn generated(which: Generated, url: &str, title: &str, weight: i64) -> Page {
    Page {
        kind: Kind::Generated(which),
        id: url.to_string(),
        source: String::new(),
        logical: String::new(),
        redirect_from: Vec::new(),
        url: url.to_string(),
        title: title.to_string(),
        description: None,
        weight,
        body: "".into(),
        body_line: 1,
        front: Default::default(),
        updated: None,
        history: Default::default(),
        owners: Vec::new(),
        review: None,
        contact: None,
        typed: Typed::None,
        parent: None,
        children: Vec::new(),
        draft: false,
        glossary_links: true,
    }
}

/// `/a/b/` -> `/a/`; `/` has none.
fn parent_url(url: &str) -> Option<&str> {
    let trimmed = url.trim_end_matches('/');
    if trimmed.is_empty() || url.ends_with(".html") && !url.contains('/') {
        return None;
    }
    trimmed.rfind('/').map(|i| &url[..=i])
}

/// Parents, ordered children and reading order. The home page becomes index 0.
pub(super) fn link_tree(handbook: &mut Handbook) {
    let home = handbook.home();
    let glossary = handbook.generated(Generated::Glossary);
    let parents: Vec<Option<usize>> = handbook
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            if i == home || matches!(page.kind, Kind::Generated(Generated::NotFound | Generated::Search)) {
                return None;
            }
            if page.kind == Kind::Term {
                return glossary;
            }
            let mut url = page.url.as_str();
            while let Some(parent) = parent_url(url) {
                if let Some(&p) = handbook.urls.get(parent) {
                    return Some(p);
                }
                url = parent;
            }
            Some(home)
        })
        .collect();
    for (i, parent) in parents.iter().enumerate() {
        handbook.pages[i].parent = *parent;
        if let Some(p) = parent {
            handbook.pages[*p].children.push(i);
        }
    }
    let pages = &handbook.pages;
    let key = |&i: &usize| (pages[i].weight, pages[i].title.to_lowercase(), pages[i].url.clone());
    let sorted: Vec<Vec<usize>> = pages
        .iter()
        .map(|p| {
            let mut c = p.children.clone();
            c.sort_by_cached_key(key);
            c
        })
        .collect();
    for (page, children) in handbook.pages.iter_mut().zip(sorted) {
        page.children = children;
    }
    let mut order = Vec::new();
    let mut stack = vec![home];
    while let Some(i) = stack.pop() {
        if handbook.pages[i].has_own_page() {
            order.push(i);
        }
        stack.extend(handbook.pages[i].children.iter().rev());
    }
    handbook.reading_order = order;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_urls() {
        assert_eq!(parent_url("/a/b/"), Some("/a/"));
        assert_eq!(parent_url("/a/"), Some("/"));
        assert_eq!(parent_url("/"), None);
    }
}
