//! Every page of the example handbook, in light and dark mode, checked
//! with axe-core in headless Chromium: WCAG 2.0, 2.1 and 2.2 A and AA
//! rules and axe's best practices, with no violations allowed. So are two
//! large handbooks, where long sidebars and real-world Markdown show what
//! the example cannot: every page of the GDS Way (`../shared/corpora`,
//! read through its tech-docs adapter) and a sample of the 1,000-page
//! corpus of `../shared/bench/gen_corpus.py`.
//!
//! axe-core comes from npm, pinned in `tests/axe/package-lock.json` and
//! installed by `.ci/run` (`npm ci --prefix tests/axe`).

mod support;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::browser::*;
use support::serve::eventually;
use support::{shared_absent, shared_corpus};

const RULES: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']";

/// `copbook serve` on a handbook, stopped when dropped.
struct Preview {
    child: Child,
    url: String,
    out: tempfile::TempDir,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn preview() -> Preview {
    preview_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"))
}

fn preview_of(handbook: &Path) -> Preview {
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_copbook"))
        .args(["serve", "--port", "0", "--base-url", "/", "--today", "2026-11-23", "--out"])
        .arg(out.path())
        .arg(handbook)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start copbook serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("the serving line");
    let url = line.trim().trim_start_matches("Serving at ").trim_end_matches('/').to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    Preview { child, url, out }
}

/// axe-core's source, or `None` (said loudly) outside CI when it is not installed.
fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{} is missing: .ci/run must run `npm ci --prefix tests/axe`", path.display())
        }
        Err(_) => {
            eprintln!("\n********\nSKIPPED: axe-core is not installed (run `npm ci --prefix tests/axe`)\n********\n");
            None
        }
    }
}

/// Every page the preview wrote, as URL paths.
fn pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html" || e.file_name() == "404.html")
        .map(|e| {
            let rel: PathBuf = e.path().strip_prefix(out).unwrap().to_path_buf();
            let rel = rel.to_string_lossy().replace('\\', "/");
            format!("/{}", rel.trim_end_matches("index.html"))
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_example_page_passes_axe_in_light_and_dark_mode() {
    if chromium_or_skip().is_none() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let preview = preview();
    let pages = pages(preview.out.path());
    assert!(pages.len() > 40, "the example builds its pages: {pages:?}");
    let home = format!("{}/", preview.url);
    let browser = Browser::launch(&home);
    let mut tab = browser.tab(&home);
    let violations = axe_pages(&mut tab, &axe, &preview, &pages);
    assert!(violations.is_empty(), "{} axe violations:\n{}", violations.len(), violations.join("\n"));
}

/// axe on each of `pages` of the preview, light then dark.
fn axe_pages(tab: &mut Tab, axe: &str, preview: &Preview, pages: &[String]) -> Vec<String> {
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        tab.prefer_color_scheme(scheme);
        for page in pages {
            let url = format!("{}{page}", preview.url);
            tab.call("Page.navigate", json!({ "url": url }));
            let loaded = eventually(Duration::from_secs(10), || {
                tab.eval("document.readyState") == json!("complete") && tab.eval("location.href") == json!(url)
            });
            assert!(loaded, "{url} did not load");
            violations.extend(axe_run(tab, axe, &format!("{scheme} {page}")));
        }
    }
    violations
}

/// The 1,000-page corpus of `gen_corpus.py`, written into `into`.
fn generated_corpus(into: &Path) -> Option<PathBuf> {
    // `../shared`, or the folder `COPBOOK_SHARED` names (for a checkout elsewhere).
    let shared = std::env::var_os("COPBOOK_SHARED")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"), PathBuf::from);
    let generator = shared.join("bench/gen_corpus.py");
    if !generator.is_file() {
        shared_absent(&format!("the corpus generator ({})", generator.display()));
        return None;
    }
    let dir = into.join("corpus-1000");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--pages", "1000", "--flavor", "copbook", "--out"])
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs gen_corpus.py");
    assert!(status.success(), "gen_corpus.py failed");
    Some(dir)
}

/// Large handbooks, where the sidebar is long and the Markdown real: every
/// page of the GDS Way and every tenth page of the 1,000-page corpus (its
/// home, sections and generated pages among them), light and dark, in one
/// browser.
#[test]
fn large_handbooks_pass_axe_in_light_and_dark_mode() {
    if chromium_or_skip().is_none() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let handbooks: Vec<(&str, PathBuf)> =
        [("GDS Way", shared_corpus("gds-way")), ("1,000-page corpus", generated_corpus(scratch.path()))]
            .into_iter()
            .filter_map(|(name, dir)| Some((name, dir?)))
            .collect();
    // One browser and one tab for every handbook: each page is navigated to.
    let mut browser: Option<(Browser, Tab)> = None;
    let mut violations = Vec::new();
    for (name, dir) in handbooks {
        let preview = preview_of(&dir);
        let mut pages = pages(preview.out.path());
        if name == "GDS Way" {
            assert!(pages.len() >= 65, "every page of the GDS Way is built: {pages:?}");
        } else {
            pages = pages.into_iter().step_by(10).collect();
            assert!(pages.len() >= 100, "a sample of at least 100 pages: {}", pages.len());
        }
        let home = format!("{}/", preview.url);
        let (_, tab) = browser.get_or_insert_with(|| {
            let browser = Browser::launch(&home);
            let tab = browser.tab(&home);
            (browser, tab)
        });
        // Wide: the layout with the sidebar beside the page, where a long one scrolled in a box of its own.
        let wide = json!({ "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false });
        tab.call("Emulation.setDeviceMetricsOverride", wide);
        let found = axe_pages(tab, &axe, &preview, &pages);
        eprintln!("{name}: axe on {} pages, light and dark: {} violations", pages.len(), found.len());
        violations.extend(found.into_iter().map(|v| format!("{name}: {v}")));
    }
    assert!(violations.is_empty(), "{} axe violations:\n{}", violations.len(), violations.join("\n"));
}

/// Runs axe on the tab's page; each violation prefixed with `label`.
fn axe_run(tab: &mut Tab, axe: &str, label: &str) -> Vec<String> {
    tab.eval(axe);
    let found: Value = tab.eval_async(&format!(
        "axe.run(document, {{ runOnly: {{ type: 'tag', values: {RULES} }} }}).then(r => r.violations.map(v => \
         v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"
    ));
    let found = found.as_array().cloned().unwrap_or_else(|| panic!("axe did not run on {label}: {found}"));
    found.iter().map(|v| format!("{label}: {}", v.as_str().unwrap_or_default())).collect()
}

#[test]
fn search_results_pass_axe_open_in_the_header_and_on_the_search_page() {
    if chromium_or_skip().is_none() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let preview = preview();
    let home = format!("{}/", preview.url);
    let browser = Browser::launch(&home);
    let mut tab = browser.tab(&home);
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        tab.prefer_color_scheme(scheme);
        // The header's list, open with the second result highlighted.
        tab.call("Page.navigate", json!({ "url": home }));
        let ready = "document.readyState === 'complete' && !!document.querySelector('#search-input')";
        assert!(eventually(Duration::from_secs(10), || tab.eval(ready) == json!(true)), "home did not load");
        tab.eval("document.getElementById('search-input').focus()");
        tab.call("Input.insertText", json!({ "text": "community" }));
        let shown = "document.querySelectorAll('#search-results [role=option]').length > 1";
        assert!(eventually(Duration::from_secs(10), || tab.eval(shown) == json!(true)), "no results listed");
        for _ in 0..2 {
            for kind in ["keyDown", "keyUp"] {
                let key = json!({ "type": kind, "key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40 });
                tab.call("Input.dispatchKeyEvent", key);
            }
        }
        violations.extend(axe_run(&mut tab, &axe, &format!("{scheme} header results")));
        // The search page with every result.
        let url = format!("{}/search/?q=standard", preview.url);
        tab.call("Page.navigate", json!({ "url": url }));
        let listed = "document.querySelectorAll('#search-page-results a').length > 5";
        assert!(
            eventually(Duration::from_secs(10), || tab.eval(listed) == json!(true)),
            "the search page lists nothing"
        );
        violations.extend(axe_run(&mut tab, &axe, &format!("{scheme} search page")));
    }
    assert!(violations.is_empty(), "{} axe violations:\n{}", violations.len(), violations.join("\n"));
}

#[test]
fn the_phone_header_passes_axe_closed_and_with_its_menu_and_search_open() {
    if chromium_or_skip().is_none() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let preview = preview();
    let home = format!("{}/", preview.url);
    let browser = Browser::launch(&home);
    let mut tab = browser.tab(&home);
    let phone = json!({ "width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": true });
    tab.call("Emulation.setDeviceMetricsOverride", phone);
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        tab.prefer_color_scheme(scheme);
        for page in ["/", "/standards/", "/glossary/"] {
            let url = format!("{}{page}", preview.url);
            tab.call("Page.navigate", json!({ "url": url }));
            let ready = "document.readyState === 'complete' && !document.querySelector('.menu-toggle').hidden";
            assert!(eventually(Duration::from_secs(10), || tab.eval(ready) == json!(true)), "{url} did not load");
            violations.extend(axe_run(&mut tab, &axe, &format!("{scheme} phone {page}")));
            tab.eval("document.querySelector('.menu-toggle').click()");
            violations.extend(axe_run(&mut tab, &axe, &format!("{scheme} phone {page} menu open")));
            tab.eval(
                "document.querySelector('.menu-toggle').click(); document.querySelector('.search-toggle').click()",
            );
            violations.extend(axe_run(&mut tab, &axe, &format!("{scheme} phone {page} search open")));
        }
    }
    assert!(violations.is_empty(), "{} axe violations:\n{}", violations.len(), violations.join("\n"));
}
