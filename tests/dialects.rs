//! Handbooks written for other generators build unedited: the GDS Way
//! (GOV.UK tech-docs) corpus, and small handbooks written here for MkDocs,
//! Jekyll/Eleventy and Confluence exports, built by the real binary with
//! assertions on the generated HTML and on the warnings.

mod support;
use std::path::{Path, PathBuf};
use support::*;

/// The shared corpora, beside the repository in CI and in the workspace.
fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora").join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("\n\n*** SKIPPED: corpus {} is absent; this test proves nothing here ***\n", dir.display());
        None
    }
}

/// Builds `root` into a new temporary folder; returns it, the output and stderr.
fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    let mut args = vec!["build", root.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8"), "--today", "2026-11-23"];
    args.extend_from_slice(extra);
    let o = copbook(&args);
    let err = stderr(&o);
    assert!(o.status.success(), "build failed:\n{err}");
    (dir, out, err)
}

/// The `<div class="page-body">` part of a built page: what the body became.
fn body_of(out: &Path, path: &str) -> String {
    let html = read(out, path);
    let start = html.find("<div class=\"page-body\">").unwrap_or(0);
    html[start..].to_string()
}

/// Findings of one code, as `file:line` (column left out).
fn findings(err: &str, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = err.lines();
    while let Some(line) = lines.next() {
        if line.starts_with(&format!("warning[{code}]")) || line.starts_with(&format!("error[{code}]")) {
            if let Some(at) = lines.next().and_then(|l| l.split("─ ").nth(1)) {
                let mut parts = at.trim().split(':');
                out.push(format!("{}:{}", parts.next().unwrap_or(""), parts.next().unwrap_or("")));
            }
        }
    }
    out
}

fn warnings_count(err: &str) -> usize {
    err.lines().filter(|l| l.starts_with("warning[")).count()
}

/// Links broken in the GDS Way itself, at corpus commit 627911cd.
const GDS_WAY_BROKEN_UPSTREAM: [&str; 2] = [
    // Swift page: `[programming languages](/programming-languages)`, a URL upstream never had.
    "manuals/programming-languages/swift/index.html: /programming-languages (no file programming-languages)",
    // Security overview: the DNS page has no such heading.
    "manuals/security-overview-for-websites/index.html: /standards/dns-hosting/#domain-names-and-dns-records-for-your-service (no id 'domain-names-and-dns-records-for-your-service' in standards/dns-hosting/index.html)",
];

#[test]
fn gds_way_builds_unedited_with_every_page_and_link() {
    let Some(root) = corpus("gds-way") else { return };
    let (_dir, out, err) = build(&root, &[]);
    assert!(err.contains("as a GOV.UK tech-docs handbook"), "{err}");
    // Every page at the URL of its upstream `.html` name, as `x/`.
    let sources: Vec<String> = walk(&root.join("source")).into_iter().filter(|p| p.ends_with(".html.md.erb")).collect();
    assert_eq!(sources.len(), 65);
    for source in &sources {
        let stem = source.trim_end_matches(".html.md.erb");
        let page = match stem.strip_suffix("index") {
            Some(dir) => format!("{dir}index.html"),
            None => format!("{stem}/index.html"),
        };
        let html = read(&out, &page);
        assert!(!html.contains("<%") && !html.contains("%&gt;") || page == "index.html", "{page} prints ERB");
        assert!(!html.contains("<h1></h1>"), "{page} has an empty <h1>");
        assert_eq!(html.matches("<h1").count(), 1, "{page} has more than one <h1>");
        // Old `.html` URLs still lead to the page.
        if !stem.ends_with("index") {
            assert!(out.join(format!("{stem}.html")).is_file(), "{stem}.html redirect missing");
        }
    }
    let mut broken = unresolved_links(&out, "/");
    broken.sort();
    assert_eq!(broken, GDS_WAY_BROKEN_UPSTREAM, "unresolved links:\n{}", broken.join("\n"));
    // The home page's code sample shows ERB, as upstream does; nothing else of it.
    let home = body_of(&out, "index.html");
    assert_eq!(home.matches("&lt;%").count(), 1, "{home}");
    assert!(home.contains("page-banner") && home.contains("/standards/naming-software-products/"));
    assert!(!home.contains("sitemap.resources"));
    // Code blocks come out verbatim, `${{ ... }}` included.
    assert!(body_of(&out, "standards/source-code/using-github-actions/index.html").contains("${{ "));
    assert!(body_of(&out, "manuals/licensing/index.html").contains("Copyright (c) 20"));
    assert!(body_of(&out, "standards/pull-requests/index.html").contains("callout callout-warning"));
    assert!(body_of(&out, "standards/test-driven-development/index.html").contains("<svg"));
    assert!(body_of(&out, "standards/operating-systems/index.html").contains("This guidance has been withdrawn."));
    // Site settings from config/tech-docs.yml.
    assert!(read(&out, "index.html").contains("<title>The GDS Way"), "site title from service_name");
    assert!(out.join("standards/git.html").is_file(), "redirects from config/tech-docs.yml");
    // One warning for the Ruby loop, on its line; the broken link and anchor above.
    assert_eq!(findings(&err, "not-converted"), ["source/index.html.md.erb:161"]);
    assert_eq!(findings(&err, "broken-link"), ["source/manuals/programming-languages/swift.html.md.erb:12"]);
    eprintln!("GDS Way: {} warnings", warnings_count(&err));
}

#[test]
fn gds_way_builds_from_its_source_folder_too() {
    let Some(root) = corpus("gds-way") else { return };
    let (_dir, out, err) = build(&root.join("source"), &[]);
    assert!(err.contains("as a GOV.UK tech-docs handbook"), "{err}");
    assert!(read(&out, "index.html").contains("<title>The GDS Way"), "config found one folder up");
    assert!(out.join("standards/source-code/working-with-git/index.html").is_file());
    assert!(!out.join("partials").exists(), "partials are not published");
}

/// Every file below `root`, relative, `/`-separated.
fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
