//! Bad input gets a clear finding and never a panic: odd files, odd
//! encodings, huge and deeply nested pages, symlink loops, odd names.

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
