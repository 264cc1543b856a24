//! What pages look like: every folder under `tests/fixtures/pages/<case>/`
//! holds a `handbook/`, built here with `--today 2026-11-23` and
//! `--base-url /hb/`, and the `<main>` of each of its pages is compared
//! with the reviewed snapshot in `<case>/snapshots/` (insta).
//!
//! To add a case, add a folder and run
//! `INSTA_UPDATE=always cargo test --test snapshots`, then read the new
//! `.snap` files before committing them: they are the expected output. A
//! change to the theme or the renderer shows here as a diff; accept it the
//! same way once it is what you meant. Under `CI=true` a missing or
//! different snapshot fails.

mod support;
use std::path::{Path, PathBuf};
use support::*;

/// The `<main …>…</main>` of a page: what the page says, without the
/// header, sidebar and footer every page shares.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or(0);
    let end = html.rfind("</main>").map_or(html.len(), |e| e + "</main>".len());
    &html[start..end.max(start)]
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/pages")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("handbook").is_dir())
        .collect();
    cases.sort();
    cases
}

/// A copy of the fixture handbook at `from`, made at `to`, outside the
/// project's repository and with every file dated 20 November 2026: read
/// in place, its pages' dates and histories would be the project's commits
/// to the fixture, which change whenever it is committed again.
fn copy_outside_git(from: &Path, to: &Path) -> PathBuf {
    let day = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_176_000);
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            std::fs::File::options().write(true).open(&target).unwrap().set_modified(day).unwrap();
        }
    }
    to.to_path_buf()
}

#[test]
fn pages_match_their_reviewed_snapshots() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases under tests/fixtures/pages");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let handbook = copy_outside_git(&case.join("handbook"), &dir.path().join("handbook"));
        let o = copbook(&[
            "build",
            handbook.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--today",
            "2026-11-23",
            "--base-url",
            "/hb/",
        ]);
        assert!(o.status.success(), "{name}: build failed:\n{}", stderr(&o));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(case.join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            for (path, html) in html_files(&out) {
                let snapshot = path.trim_end_matches(".html").replace('/', "__");
                insta::assert_snapshot!(snapshot, main_of(&html));
            }
        });
        // Every link of every page leads somewhere, under the base path too.
        assert_eq!(unresolved_links(&out, "/hb/"), Vec::<String>::new(), "{name}");
    }
}
