//! Helpers shared by the integration tests: fixture handbooks in temporary
//! folders, running the real `copbook` binary, and reading the built site.
#![allow(dead_code)]

pub mod browser;
pub mod pages_host;
pub mod serve;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A corpus of `../shared/corpora` (CI has `../shared` beside the
/// repository), or of the folder `COPBOOK_CORPORA` names for a checkout
/// elsewhere; `None`, said loudly, when it is absent (see [`shared_absent`]).
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    let corpora = std::env::var_os("COPBOOK_CORPORA")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"), PathBuf::from);
    let dir = corpora.join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    shared_absent(&format!("corpus {}", dir.display()));
    None
}

/// Said loudly when something from `../shared` a test needs is absent; with
/// CI=true that is a failure, since CI has `../shared` beside the repository.
pub fn shared_absent(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is absent: CI must have ../shared beside the repository (or COPBOOK_CORPORA set)");
    }
    eprintln!("\n\n*** SKIPPED: {what} is absent; this test proves nothing here ***\n");
}

/// A handbook written into a temporary folder from (path, text) pairs.
pub fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

pub fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Runs `copbook <args>` and returns its output.
pub fn copbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_copbook")).args(args).env("NO_COLOR", "1").output().expect("run copbook")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds `root` into `root/public` with extra arguments; panics with the
/// findings when the build fails.
pub fn build_ok(root: &Path, extra: &[&str]) -> PathBuf {
    let out = root.join("public");
    let mut args = vec![
        "build",
        root.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8"),
        "--today",
        "2026-11-23",
    ];
    args.extend_from_slice(extra);
    let o = copbook(&args);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    out
}

pub fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The repository's example handbook.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example")
}

/// Every value of `attr="..."` in an HTML text.
pub fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Every HTML file of a built site, by path relative to `out`.
pub fn html_files(out: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(out).expect("inside").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).expect("read html"))
        })
        .collect()
}

/// Follows every internal href and src of a built site, as a browser at
/// `base` (e.g. "/handbook/") would, and returns the ones that lead nowhere:
/// no file, or a `#fragment` that is no id on the target page.
pub fn unresolved_links(out: &Path, base: &str) -> Vec<String> {
    let pages = html_files(out);
    let ids: BTreeMap<&str, BTreeSet<&str>> =
        pages.iter().map(|(path, html)| (path.as_str(), attribute_values(html, "id").into_iter().collect())).collect();
    let mut broken = Vec::new();
    for (path, html) in &pages {
        let links = attribute_values(html, "href").into_iter().chain(attribute_values(html, "src"));
        for link in links {
            let link = link.replace("&amp;", "&");
            if link.starts_with("http:")
                || link.starts_with("https:")
                || link.starts_with("mailto:")
                || link.starts_with("//")
            {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((t, f)) => (t.to_string(), Some(f.to_string())),
                None => (link.clone(), None),
            };
            let target = target.split('?').next().unwrap_or("").to_string();
            let file = if target.is_empty() {
                path.clone()
            } else if let Some(rooted) = target.strip_prefix(base) {
                let decoded = percent_decode(rooted);
                if decoded.is_empty() || decoded.ends_with('/') {
                    format!("{decoded}index.html")
                } else {
                    decoded
                }
            } else {
                broken.push(format!("{path}: {link} (not under {base})"));
                continue;
            };
            if !out.join(&file).is_file() {
                broken.push(format!("{path}: {link} (no file {file})"));
                continue;
            }
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                let f = percent_decode(&f);
                if !ids.get(file.as_str()).is_some_and(|ids| ids.contains(f.as_str())) {
                    broken.push(format!("{path}: {link} (no id '{f}' in {file})"));
                }
            }
        }
    }
    broken
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
