//! Bad input gets a clear finding and never a panic: odd files, odd
//! encodings, huge and deeply nested pages, symlink loops, odd names.
//!
//! The catalogue: every folder under `tests/fixtures/bad-input/` is one case,
//! run by [`catalogue`]. A case is a `handbook/` folder and an `expected.txt`
//! that lists, one a line, every finding `copbook check` must give, and no
//! more: `SEVERITY CODE FILE:LINE [TEXT]`, where TEXT (optional) must occur
//! in the finding's message; `#` starts a comment. Each case is also built:
//! a case with errors must fail and leave the output folder untouched; one
//! without must build. Every run puts a secret in the environment, and no
//! output file may contain it. To add a case, add a folder. Inputs git
//! cannot hold (FIFOs, devices, an unreadable file) are tests of their own
//! below.

mod support;
use support::*;

fn check_json(root: &std::path::Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let o = copbook(&["check", root.to_str().unwrap(), "--format", "json"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stderr(&o).contains("panicked"), "panic: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {}", stderr(&o)));
    (o.status.code(), v.as_array().unwrap().clone())
}

fn codes(found: &[serde_json::Value]) -> Vec<(String, String, u64)> {
    found
        .iter()
        .map(|d| (d["code"].as_str().unwrap().into(), d["file"].as_str().unwrap().into(), d["line"].as_u64().unwrap()))
        .collect()
}

/// Set in the environment of every catalogue run; no output may contain it.
const SECRET: &str = "copbook-catalogue-secret-5e3a9c";

/// One expected finding of a catalogue case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    severity: String,
    code: String,
    file: String,
    line: u64,
    text: String,
}

fn parse_expected(case: &str, text: &str) -> Vec<Expected> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(4, ' ');
        let (Some(severity), Some(code), Some(place)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("{case}/expected.txt:{}: want `SEVERITY CODE FILE:LINE [TEXT]`, got `{line}`", n + 1);
        };
        let (file, at) = place.rsplit_once(':').unwrap_or_else(|| panic!("{case}/expected.txt:{}: no :LINE", n + 1));
        found.push(Expected {
            severity: severity.into(),
            code: code.into(),
            file: file.into(),
            line: at.parse().unwrap_or_else(|_| panic!("{case}/expected.txt:{}: bad line number", n + 1)),
            text: parts.next().unwrap_or("").trim().into(),
        });
    }
    found.sort();
    found
}

fn run_with_secret(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_copbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COPBOOK_CATALOGUE_SECRET", SECRET)
        .output()
        .expect("run copbook")
}

/// Runs one catalogue case; returns what differs from its expectations.
fn run_case(case_dir: &std::path::Path) -> Vec<String> {
    let case = case_dir.file_name().unwrap().to_string_lossy().into_owned();
    let handbook = case_dir.join("handbook");
    let expected_text = std::fs::read_to_string(case_dir.join("expected.txt")).unwrap_or_default();
    let expected = parse_expected(&case, &expected_text);
    let mut problems = Vec::new();
    let o = run_with_secret(&["check", handbook.to_str().unwrap(), "--format", "json", "--today", "2026-11-23"]);
    if stderr(&o).contains("panicked") || o.status.code().is_none() {
        return vec![format!("{case}: check crashed: {}", stderr(&o))];
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    let Ok(serde_json::Value::Array(found)) = serde_json::from_str(&stdout) else {
        return vec![format!("{case}: check printed no JSON list: {stdout} {}", stderr(&o))];
    };
    let mut got: Vec<(Expected, String)> = found
        .iter()
        .map(|d| {
            let e = Expected {
                severity: d["severity"].as_str().unwrap_or("").into(),
                code: d["code"].as_str().unwrap_or("").into(),
                file: d["file"].as_str().unwrap_or("").into(),
                line: d["line"].as_u64().unwrap_or(0),
                text: String::new(),
            };
            (e, d["message"].as_str().unwrap_or("").to_string())
        })
        .collect();
    got.sort();
    let mut unmatched: Vec<Expected> = Vec::new();
    for want in &expected {
        let at = got.iter().position(|(g, message)| {
            (&g.severity, &g.code, &g.file, g.line) == (&want.severity, &want.code, &want.file, want.line)
                && message.contains(&want.text)
        });
        match at {
            Some(i) => {
                got.remove(i);
            }
            None => unmatched.push(want.clone()),
        }
    }
    for want in unmatched {
        problems.push(format!(
            "{case}: expected `{} {} {}:{} {}`, not found",
            want.severity, want.code, want.file, want.line, want.text
        ));
    }
    for (g, message) in got {
        problems.push(format!("{case}: unexpected `{} {} {}:{}` {message}", g.severity, g.code, g.file, g.line));
    }
    let has_errors = expected.iter().any(|e| e.severity == "error");
    let want_code = if has_errors { 1 } else { 0 };
    if o.status.code() != Some(want_code) {
        problems.push(format!("{case}: check exited {:?}, expected {want_code}", o.status.code()));
    }
    // Build into a folder that holds a previous good site: errors must leave it as it was.
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("site");
    std::fs::create_dir_all(out.join("assets")).unwrap();
    std::fs::write(out.join("assets/copbook.js"), "previous").unwrap();
    std::fs::write(out.join("index.html"), "previous good site").unwrap();
    let o = run_with_secret(&[
        "build",
        handbook.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    if stderr(&o).contains("panicked") || o.status.code().is_none() {
        problems.push(format!("{case}: build crashed: {}", stderr(&o)));
    } else if has_errors {
        if o.status.success() {
            problems.push(format!("{case}: build succeeded despite errors"));
        }
        if std::fs::read_to_string(out.join("index.html")).ok().as_deref() != Some("previous good site") {
            problems.push(format!("{case}: a failed build changed the previous output"));
        }
    } else if !o.status.success() {
        problems.push(format!("{case}: build failed: {}", stderr(&o)));
    }
    for entry in walkdir::WalkDir::new(out_dir.path()).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            if bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()) {
                problems.push(format!("{case}: the environment's secret was published in {}", entry.path().display()));
            }
        }
    }
    problems
}

/// Every case of `tests/fixtures/bad-input/` (see the top of this file).
#[test]
fn catalogue() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/bad-input")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("handbook").is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases under {}", root.display());
    let only = std::env::var("COPBOOK_CASE").ok();
    let problems: Vec<String> =
        cases.iter().filter(|c| only.as_deref().is_none_or(|o| c.ends_with(o))).flat_map(|c| run_case(c)).collect();
    assert!(problems.is_empty(), "{} catalogue problem(s):\n{}", problems.len(), problems.join("\n"));
    eprintln!("catalogue: {} cases", cases.len());
}

#[test]
fn empty_and_front_matter_only_files_build() {
    let dir = fixture(&[
        ("empty.md", ""),
        ("only.md", "+++\ntitle = \"Only front matter\"\n+++\n"),
        ("yaml-only.md", "---\n---\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    assert!(read(&out, "only/index.html").contains("Only front matter"));
    assert!(read(&out, "empty/index.html").contains("<title>Empty"), "title from the file name");
}

#[test]
fn unterminated_front_matter_names_the_file() {
    let dir = fixture(&[("a.md", "+++\ntitle = \"x\"\nno end\n")]);
    let (code, found) = check_json(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(codes(&found), vec![("frontmatter-parse".into(), "a.md".into(), 1)]);
    assert!(found[0]["hint"].as_str().unwrap().contains("add a line holding only '+++'"));
}

#[test]
fn byte_order_mark_and_crlf_line_endings() {
    let dir = fixture(&[
        ("bom.md", "\u{feff}+++\r\ntitle = \"With BOM\"\r\n+++\r\n## Part\r\n\r\nText\r\n"),
        ("crlf.md", "---\r\ntitle: CRLF\r\nowner: nobody\r\n---\r\nBody\r\n"),
    ]);
    let (_, found) = check_json(dir.path());
    // The unknown owner is reported on its own line, CRLF or not.
    assert_eq!(codes(&found), vec![("unknown-owner".into(), "crlf.md".into(), 3)]);
    std::fs::remove_file(dir.path().join("crlf.md")).unwrap();
    let out = build_ok(dir.path(), &[]);
    let html = read(&out, "bom/index.html");
    assert!(html.contains("<title>With BOM"), "{html}");
    assert!(html.contains("id=\"part\""));
}

#[test]
fn invalid_utf8_is_an_error_naming_the_file() {
    let dir = fixture(&[("index.md", "# Home\n")]);
    std::fs::write(dir.path().join("latin1.md"), b"+++\ntitle = \"Caf\xe9\"\n+++\n").unwrap();
    let (code, found) = check_json(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(codes(&found), vec![("not-utf8".into(), "latin1.md".into(), 2)]);
    assert!(found[0]["hint"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn a_five_megabyte_page_and_deep_nesting() {
    let big = "A paragraph of text that repeats, with *emphasis* and a [link](https://example.org).\n\n".repeat(60_000);
    assert!(big.len() > 5_000_000);
    let quotes = "> ".repeat(5_000) + "deep\n";
    let lists: String = (0..2_000).map(|i| format!("{}- item {i}\n", "  ".repeat(i))).collect();
    let dir = fixture(&[("big.md", &big), ("quotes.md", &quotes), ("lists.md", &lists)]);
    let out = build_ok(dir.path(), &[]);
    assert!(std::fs::metadata(out.join("big/index.html")).unwrap().len() > 5_000_000);
    assert!(read(&out, "quotes/index.html").contains("deep"));
    assert!(read(&out, "lists/index.html").contains("item 1999"));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_warning_not_a_hang() {
    let dir = fixture(&[("guides/a.md", "# A\n")]);
    std::os::unix::fs::symlink(dir.path().join("guides"), dir.path().join("guides/again")).unwrap();
    let (code, found) = check_json(dir.path());
    assert_eq!(code, Some(0));
    assert!(
        found.iter().any(|d| d["code"] == "unreadable" && d["message"].as_str().unwrap().contains("loop")),
        "{found:?}"
    );
}

#[test]
fn names_with_spaces_and_non_ascii_letters() {
    let dir = fixture(&[
        ("Our guides/Café menu.md", "# Café menu\n\nSee [the other](Ünïcode%20page.md).\n"),
        ("Our guides/Ünïcode page.md", "# Ünïcode page\n"),
        ("index.md", "[menu](<Our guides/Café menu.md>)\n"),
    ]);
    let out = build_ok(dir.path(), &[]);
    assert!(read(&out, "Our-guides/Café-menu/index.html").contains("Café menu"));
    assert!(out.join("Our-guides/Ünïcode-page/index.html").is_file());
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
}

#[test]
fn ids_that_differ_only_in_case_clash() {
    let dir = fixture(&[
        ("Standards/A.md", "+++\ntitle = \"Upper\"\n+++\n"),
        ("standards/a.md", "+++\ntitle = \"Lower\"\n+++\n"),
    ]);
    if !dir.path().join("Standards/A.md").exists() || std::fs::read_dir(dir.path()).unwrap().count() < 2 {
        eprintln!("SKIPPED: this file system folds case, so the two files cannot both exist");
        return;
    }
    let (code, found) = check_json(dir.path());
    assert_eq!(code, Some(1));
    let clash: Vec<_> = found.iter().filter(|d| d["code"] == "duplicate-url").collect();
    assert_eq!(clash.len(), 1, "{found:?}");
    assert!(clash[0]["message"].as_str().unwrap().contains("differs only in case"), "{clash:?}");
}

// Script URLs neutralised in page bodies (issue 8). A catalogue case may
// hold an `absent.txt`: text, one a line, that no file of its built site
// may contain (compared ignoring case), such as `href="javascript:`.
#[test]
fn catalogue_cases_publish_no_neutralised_url() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input");
    let mut checked = 0;
    for case in std::fs::read_dir(&root).expect("tests/fixtures/bad-input").filter_map(Result::ok).map(|e| e.path()) {
        let Ok(absent) = std::fs::read_to_string(case.join("absent.txt")) else { continue };
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("site");
        let o = copbook(&[
            "build",
            case.join("handbook").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--today",
            "2026-11-23",
        ]);
        assert!(o.status.success(), "{}: build failed: {}", case.display(), stderr(&o));
        for (path, html) in html_files(&out) {
            let html = html.to_lowercase();
            for needle in absent.lines().map(str::trim).filter(|l| !l.is_empty()) {
                assert!(!html.contains(&needle.to_lowercase()), "{}: {path} contains {needle}", case.display());
            }
        }
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} cases have an absent.txt");
}

// Inputs of the loader's safety checks that git cannot hold (a FIFO).

/// Runs copbook, failing the test (not hanging it) when it takes over a minute.
fn copbook_within_a_minute(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_copbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run copbook");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("copbook {args:?} blocked for a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_handbook_is_an_error_and_never_blocks() {
    let dir = fixture(&[("index.md", "# Home\n"), ("static/keep.txt", "x"), ("templates/keep.txt", "x")]);
    for name in ["static/pipe.txt", "notes.md", "templates/page.html", "handbook.toml"] {
        let made = std::process::Command::new("mkfifo").arg(dir.path().join(name)).status().expect("mkfifo");
        assert!(made.success());
    }
    let o = copbook_within_a_minute(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let found: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    let mut got: Vec<_> = codes(&found);
    got.sort();
    let want: Vec<(String, String, u64)> = ["handbook.toml", "notes.md", "static/pipe.txt", "templates/page.html"]
        .iter()
        .map(|f| ("special-file".to_string(), f.to_string(), 0))
        .collect();
    assert_eq!(got, want, "{found:?}");
    assert!(found[0]["message"].as_str().unwrap().contains("FIFO"));
    assert_eq!(o.status.code(), Some(1));
    let out = dir.path().join("site");
    let o = copbook_within_a_minute(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn names_with_hash_percent_and_question_mark_are_served() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad-input/file-names-with-hash-percent-question/handbook");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = copbook(&["build", case.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (page, title) in [("c/index.html", "C#"), ("100/index.html", "100%"), ("why/index.html", "Why?")] {
        assert!(read(&out, page).contains(&format!("<title>{title}")), "{page}");
    }
    assert!(unresolved_links(&out, "/").is_empty(), "{:?}", unresolved_links(&out, "/"));
    let home = read(&out, "index.html");
    assert!(home.contains("<a href=\"/c/\">C#</a>") && home.contains("<a href=\"/why/\">why we ask</a>"), "{home}");
}

#[test]
fn the_human_report_shows_the_line_of_a_classic_mac_file() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad-input/classic-mac-line-endings/handbook");
    let o = copbook(&["check", case.to_str().unwrap(), "--today", "2026-11-23"]);
    let shown = String::from_utf8_lossy(&o.stdout).into_owned() + &stderr(&o);
    assert!(shown.contains("mac.md:3:1") && shown.contains("3 │ owner: nobody"), "{shown}");
}

/// Jekyll/Eleventy detection reads the Eleventy config as the loader reads
/// files: a FIFO there is not opened for good.
#[cfg(unix)]
#[test]
fn a_fifo_as_the_eleventy_config_never_blocks() {
    let dir = fixture(&[("_config.yml", "title: Pipes\n"), ("index.md", "# Home\n")]);
    let made = std::process::Command::new("mkfifo").arg(dir.path().join(".eleventy.js")).status().expect("mkfifo");
    assert!(made.success());
    let o = copbook_within_a_minute(&["check", dir.path().to_str().unwrap()]);
    assert!(stderr(&o).contains("as a Jekyll/Eleventy handbook"), "{}", stderr(&o));
}
