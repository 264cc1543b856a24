//! `copbook check` and the checks `build` shares: fixture handbooks with
//! known faults, asserting the exact findings (code, file, line), the exit
//! codes and output formats, and that a failed build loses nothing.

mod support;
use support::*;

/// A handbook with one of each fault, and the findings it must produce.
fn faulty() -> tempfile::TempDir {
    fixture(&[
        ("handbook.toml", "title = \"Faults\"\ntitel = \"typo\"\n"),
        ("communities/ux.md", "+++\ntitle = \"UX\"\nleads = [\"ana\", \"bobb\"]\nstatus = \"activ\"\n+++\nBody\n"),
        ("communities/data.md", "+++\ntitle = \"Data\"\nstatus = \"active\"\n+++\n"),
        ("communities/old.md", "+++\ntitle = \"Old\"\nleads = [\"ana\"]\nstatus = \"closed\"\n+++\n"),
        ("people/ana.md", "+++\nname = \"Ana\"\n+++\n"),
        ("people/bob.md", "+++\nname = \"Bob\"\n+++\n"),
        ("standards/a.md", "+++\ntitle = \"A\"\nowner = \"uxx\"\nreview_by = \"soon\"\n+++\n"),
        (
            "standards/b.md",
            "+++\ntitle = \"B\"\nowner = \"ux\"\nlast_reviewed = 2025-01-01\nreview_every = \"6 months\"\n+++\n",
        ),
        ("standards/c.md", "---\ntitle: C\nowner: old\nstatus: published\nreview_by: 2026-12-01\n---\n"),
        (
            "standards/d.md",
            "+++\ntitle = \"D\"\nowner = \"ux\"\nlast_reviewed = 2026-06-01\nreview_by = 2026-01-01\n+++\n",
        ),
        ("glossary/x.md", "+++\nterm = \"Crit\"\nsee_also = [\"lean-cofee\"]\n+++\nA critique.\n"),
        ("glossary/lean-coffee.md", "+++\nterm = \"Lean coffee\"\n+++\nNo agenda.\n"),
        ("glossary/y.md", "+++\nterm = \"crit\"\n+++\nAgain.\n"),
        (
            "index.md",
            "# Home\n\n[gone](standards/nope.md)\n\n[anchor](standards/b.md#nowhere)\n\n![pic](missing.png)\n\n![](static/x.png)\n",
        ),
        ("static/x.png", "png"),
        ("notes/bad.md", "---\ntitle: [unclosed\n---\n"),
        ("notes/untitled.md", "Just words.\n"),
    ])
}

const EXPECTED: &[(&str, &str, &str, u32)] = &[
    ("warning", "unknown-setting", "handbook.toml", 2),
    ("error", "unknown-person", "communities/ux.md", 3),
    ("error", "bad-value", "communities/ux.md", 4),
    ("warning", "no-leads", "communities/data.md", 0),
    ("warning", "closed-owner", "communities/old.md", 4),
    ("error", "unknown-owner", "standards/a.md", 3),
    ("error", "bad-date", "standards/a.md", 4),
    ("warning", "never-reviewed", "standards/a.md", 0),
    ("warning", "review-overdue", "standards/b.md", 5),
    ("note", "review-due", "standards/c.md", 5),
    ("error", "review-order", "standards/d.md", 5),
    ("warning", "review-overdue", "standards/d.md", 5),
    ("error", "unknown-term", "glossary/x.md", 3),
    ("error", "duplicate-term", "glossary/y.md", 2),
    // Terms no page uses.
    ("note", "unused-term", "glossary/lean-coffee.md", 2),
    ("note", "unused-term", "glossary/x.md", 2),
    ("note", "unused-term", "glossary/y.md", 2),
    ("warning", "broken-link", "index.md", 3),
    ("warning", "broken-anchor", "index.md", 5),
    ("warning", "missing-asset", "index.md", 7),
    ("warning", "image-no-alt", "index.md", 9),
    ("error", "frontmatter-parse", "notes/bad.md", 3),
    ("warning", "missing-title", "notes/untitled.md", 1),
];

fn findings(json: &str) -> Vec<(String, String, String, u32)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let mut found: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn check_finds_exactly_the_known_faults() {
    let dir = faulty();
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--format", "json", "--today", "2026-11-23"]);
    assert_eq!(o.status.code(), Some(1), "errors exit 1: {}", stderr(&o));
    let mut expected: Vec<_> =
        EXPECTED.iter().map(|(s, c, f, l)| (s.to_string(), c.to_string(), f.to_string(), *l)).collect();
    expected.sort();
    assert_eq!(findings(&String::from_utf8_lossy(&o.stdout)), expected);
}

#[test]
fn json_findings_have_every_field() {
    let dir = faulty();
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--format", "json", "--today", "2026-11-23"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let owner = v.as_array().unwrap().iter().find(|d| d["code"] == "unknown-owner").unwrap();
    assert_eq!(owner["file"], "standards/a.md");
    assert_eq!(owner["line"], 3);
    assert_eq!(owner["column"], 0);
    assert_eq!(owner["severity"], "error");
    assert_eq!(owner["message"], "owner 'uxx' is not a known community");
    assert_eq!(owner["hint"], "did you mean 'ux'?");
    let person = v.as_array().unwrap().iter().find(|d| d["code"] == "unknown-person").unwrap();
    assert_eq!(person["hint"], "did you mean 'bob'?");
    let status = v.as_array().unwrap().iter().find(|d| d["code"] == "bad-value").unwrap();
    assert_eq!(status["message"], "status 'activ' is not one of forming, active, paused, closed");
    let link = v.as_array().unwrap().iter().find(|d| d["code"] == "broken-link").unwrap();
    assert_eq!(link["column"], 1);
}

#[test]
fn github_format_writes_workflow_annotations() {
    let dir = faulty();
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--format", "github", "--today", "2026-11-23"]);
    let err = stderr(&o);
    assert!(err.contains("::error file=standards/a.md,line=3,title=unknown-owner::owner 'uxx' is not a known community (did you mean 'ux'?)"), "{err}");
    assert!(err.contains("::warning file=index.md,line=3,col=1,title=broken-link::"), "{err}");
    assert!(err.contains("::notice file=standards/c.md,line=5,title=review-due::"), "{err}");
}

#[test]
fn human_format_shows_the_source_line() {
    let dir = faulty();
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--today", "2026-11-23"]);
    let err = stderr(&o);
    assert!(err.contains("error[unknown-owner]: owner 'uxx' is not a known community"), "{err}");
    assert!(err.contains("┌─ standards/a.md:3:1"), "{err}");
    assert!(err.contains("owner = \"uxx\""), "{err}");
    assert!(err.contains("= help: did you mean 'ux'?"), "{err}");
    assert!(!err.contains('\u{1b}'), "no colour when piped");
    assert!(err.contains("copbook: 8 errors, 11 warnings, 4 notes"), "{err}");
}

#[test]
fn exit_codes_clean_warnings_strict() {
    let clean = fixture(&[("index.md", "# Home\n")]);
    assert_eq!(copbook(&["check", clean.path().to_str().unwrap()]).status.code(), Some(0));
    let warned = fixture(&[("index.md", "# Home\n\n[x](nope.md)\n")]);
    assert_eq!(copbook(&["check", warned.path().to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(copbook(&["check", warned.path().to_str().unwrap(), "--strict"]).status.code(), Some(1));
    assert_eq!(copbook(&["check", "/nonexistent/handbook"]).status.code(), Some(2));
}

#[test]
fn check_writes_nothing() {
    let dir = fixture(&[("index.md", "# Home\n")]);
    let o = copbook(&["check", dir.path().to_str().unwrap()]);
    assert!(o.status.success());
    assert!(!dir.path().join("public").exists());
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let dir = fixture(&[("index.md", "# Home\n"), ("standards/a.md", "+++\ntitle = \"A\"\n+++\nOne\n")]);
    let out = build_ok(dir.path(), &[]);
    let before = snapshot(&out);
    write(dir.path(), "standards/a.md", "+++\ntitle = \"A\"\nowner = \"nobody\"\n+++\nTwo\n");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the previous output is unchanged"), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before, "output changed after a failed build");
    // A template that fails to parse stops the build the same way, naming the template and line.
    write(dir.path(), "standards/a.md", "+++\ntitle = \"A\"\n+++\nTwo\n");
    write(dir.path(), "templates/page.html", "<p>\n{{ page.title \n");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // Tera notices the unclosed tag at the end of the file.
    assert!(stderr(&o).contains("┌─ templates/page.html:3:1"), "{}", stderr(&o));
    assert!(stderr(&o).contains("page.html does not parse: expected"), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    // Stale files never linger: a page removed from the source leaves the output.
    std::fs::remove_file(dir.path().join("templates/page.html")).unwrap();
    std::fs::remove_file(dir.path().join("standards/a.md")).unwrap();
    build_ok(dir.path(), &[]);
    assert!(!out.join("standards/a/index.html").exists());
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_build_killed_mid_swap_is_recovered_before_a_failing_build_reports() {
    let dir = fixture(&[("index.md", "# Home\n")]);
    let out = build_ok(dir.path(), &[]);
    let before = snapshot(&out);
    // What a kill between the two renames of the fallback swap leaves.
    let aside = out.with_file_name(".public.copbook-old-12345");
    std::fs::rename(&out, &aside).unwrap();
    write(dir.path(), "index.md", "+++\ntitle = \"Home\"\nowner = \"nobody\"\n+++\n");
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("put the previous output back from"), "{}", stderr(&o));
    assert!(stderr(&o).contains("the previous output is unchanged"), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    assert!(!aside.exists());
    // With no previous output at all, the message does not pretend there is one.
    std::fs::remove_dir_all(&out).unwrap();
    let o = copbook(&["build", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("there is no previous output in"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("unchanged"), "{}", stderr(&o));
}
