//! The command line itself, run as the real binary: `init` and `new`, the
//! GitHub Pages workflow `init` writes, global flags, exit codes, summary
//! lines, repeated findings, and shell completions and the manual.

mod support;
use std::path::Path;
use std::process::{Command, Output};
use support::*;
use yaml_rust2::{Yaml, YamlLoader};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `copbook init DIR` with a fixed date, asserting success.
fn init(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["init", path(dir), "--today", "2026-11-23"];
    args.extend_from_slice(extra);
    let o = copbook(&args);
    assert!(o.status.success(), "init failed: {}", stderr(&o));
    o
}

/// `copbook new ...` in the handbook at `dir`.
fn new(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--dir", path(dir), "--today", "2026-11-23"]);
    copbook(&all)
}

#[test]
fn init_writes_a_handbook_that_builds_under_a_sub_path_with_no_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("x");
    let o = init(&dir, &["--title", "Our \"own\" handbook"]);
    let said = stdout(&o);
    for next in ["copbook serve", "copbook new standard", "copbook check"] {
        assert!(said.contains(next), "the next commands are printed: {said}");
    }
    for file in [
        "handbook.toml",
        "index.md",
        "how-to-edit.md",
        "communities/content-design.md",
        "people/alex-morgan.md",
        "people/sam-patel.md",
        "principles/say-it-plainly.md",
        "guidelines/link-text.md",
        "standards/plain-language.md",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(dir.join(file).is_file(), "{file} written");
    }
    let terms =
        std::fs::read_dir(dir.join("glossary")).unwrap().filter(|e| !e.as_ref().unwrap().file_name().eq("index.md"));
    assert_eq!(terms.count(), 3, "three glossary terms");
    assert!(read(&dir, "standards/plain-language.md").contains("last_reviewed = 2026-11-23"));
    let o = copbook(&["build", path(&dir), "--base-url", "/repo/"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning") && !err.contains("error"), "no warnings or errors: {err}");
    // Under a path alone there is no sitemap to write (it needs full URLs), and the one note says so.
    assert!(err.contains("(1 note)") && err.contains("no-sitemap"), "{err}");
    let out = dir.join("public");
    assert!(read(&out, "index.html").contains("Our &quot;own&quot; handbook"), "the title, escaped");
    let broken = unresolved_links(&out, "/repo/");
    assert!(broken.is_empty(), "{broken:?}");
    // The starter has every setting of handbook.toml, so none is a secret.
    let toml = read(&dir, "handbook.toml");
    let defaults = serde_json::to_value(copbook::config::Config::default()).unwrap();
    for (key, value) in defaults.as_object().unwrap() {
        let keys: Vec<String> = match value.as_object() {
            Some(table) if key != "extra" => table.keys().cloned().collect(),
            _ => vec![key.clone()],
        };
        for k in keys {
            let present = toml.lines().any(|l| l.trim_start_matches(['#', ' ']).starts_with(&format!("{k} =")));
            assert!(present || key == "extra" && toml.contains("[extra]"), "handbook.toml shows the setting {k}");
        }
    }
}

#[test]
fn init_refuses_to_overwrite_and_names_the_file_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "index.md", "# Mine\n");
    let o = copbook(&["init", path(tmp.path())]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("index.md already exists"), "{}", stderr(&o));
    assert_eq!(read(tmp.path(), "index.md"), "# Mine\n", "untouched");
    assert!(!tmp.path().join("handbook.toml").exists(), "nothing written when anything is in the way");
    init(tmp.path(), &["--force"]);
    assert!(read(tmp.path(), "index.md").contains("Find your way around"));
}

#[test]
fn init_example_writes_the_example_handbook() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["--example"]);
    assert_eq!(read(tmp.path(), "handbook.toml"), read(&example(), "handbook.toml"));
    assert_eq!(
        read(tmp.path(), "standards/caption-every-video.md"),
        read(&example(), "standards/caption-every-video.md")
    );
    assert!(!tmp.path().join("public").exists(), "a site built into the example is not part of it");
    build_ok(tmp.path(), &[]);
}

/// A mapping's value by key.
fn get<'a>(y: &'a Yaml, key: &str) -> &'a Yaml {
    &y[key]
}

#[test]
fn the_pages_workflow_builds_with_the_base_url_of_configure_pages_and_deploys() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let text = read(tmp.path(), ".github/workflows/pages.yml");
    let docs = YamlLoader::load_from_str(&text).expect("the workflow is YAML");
    let wf = &docs[0];
    let permissions = get(wf, "permissions");
    assert_eq!(permissions["pages"].as_str(), Some("write"));
    assert_eq!(permissions["id-token"].as_str(), Some("write"));
    assert_eq!(permissions["contents"].as_str(), Some("read"));
    assert_eq!(wf["on"]["push"]["branches"][0].as_str(), Some("main"));

    let steps = wf["jobs"]["build"]["steps"].as_vec().expect("build steps");
    let uses = |name: &str| {
        steps
            .iter()
            .position(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(name)))
            .unwrap_or_else(|| panic!("a step uses {name}"))
    };
    let checkout = uses("actions/checkout@");
    assert_eq!(steps[checkout]["with"]["fetch-depth"].as_i64(), Some(0), "full history for last-updated dates");
    let configure = uses("actions/configure-pages@");
    let pages_id = steps[configure]["id"].as_str().expect("configure-pages has an id");
    let cache = uses("actions/cache@");
    let upload = uses("actions/upload-pages-artifact@");
    let run = |i: usize| steps[i]["run"].as_str().unwrap_or_default().to_string();
    let install = (0..steps.len()).find(|&i| run(i).contains("cargo install")).expect("an install step");
    assert!(run(install).contains("--git") && run(install).contains("--locked"), "{}", run(install));
    assert!(steps[install]["if"].as_str().unwrap_or_default().contains("cache-hit"), "installs only on a cache miss");
    let build = (0..steps.len()).find(|&i| run(i).contains("copbook build")).expect("a build step");
    let wired = format!("--base-url \"${{{{ steps.{pages_id}.outputs.base_url }}}}/\"");
    assert!(run(build).contains(&wired), "{} lacks {wired}", run(build));
    let out = run(build).split("--out ").nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_string);
    assert_eq!(steps[upload]["with"]["path"].as_str(), out.as_deref(), "the artifact is the built folder");
    assert!(checkout < configure && configure < build && cache < install && install < build && build < upload);

    let deploy = &wf["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["environment"]["name"].as_str(), Some("github-pages"));
    assert!(deploy["steps"][0]["uses"].as_str().unwrap_or_default().starts_with("actions/deploy-pages@"));
    assert_eq!(wf["env"]["HANDBOOK"].as_str(), Some("."));
}

#[test]
fn a_handbook_in_a_sub_folder_of_a_repository_gets_its_workflow_at_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let git = Command::new("git").arg("init").arg("-q").arg(tmp.path()).status();
    if !git.is_ok_and(|s| s.success()) {
        eprintln!("skipped: git is not available");
        return;
    }
    init(&tmp.path().join("docs"), &[]);
    assert!(!tmp.path().join("docs/.github").exists());
    let text = read(tmp.path(), ".github/workflows/pages.yml");
    let wf = &YamlLoader::load_from_str(&text).unwrap()[0];
    assert_eq!(wf["env"]["HANDBOOK"].as_str(), Some("docs"));
}

#[test]
fn new_writes_each_kind_where_it_belongs_and_the_handbook_still_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    init(dir, &[]);
    for (args, file) in [
        (vec!["community", "data"], "communities/data.md"),
        (vec!["person", "ana-lopez", "--title", "Ana López"], "people/ana-lopez.md"),
        (vec!["term", "crit"], "glossary/crit.md"),
        (vec!["principle", "be-open", "--owner", "content-design"], "principles/be-open.md"),
        (vec!["guideline", "naming", "--owner", "content-design"], "guidelines/naming.md"),
        (vec!["standard", "captions", "--owner", "content-design,data"], "standards/captions.md"),
        (vec!["page", "how-we-work/onboarding"], "how-we-work/onboarding.md"),
    ] {
        let o = new(dir, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o).trim(), path(&dir.join(file)), "prints the path");
    }
    assert!(read(dir, "people/ana-lopez.md").contains("name = \"Ana López\""));
    assert!(read(dir, "glossary/crit.md").contains("term = \"Crit\""));
    let standard = read(dir, "standards/captions.md");
    assert!(standard.contains("last_reviewed = 2026-11-23"), "{standard}");
    assert!(standard.contains("owner = [\"content-design\", \"data\"]"), "{standard}");
    let o = copbook(&["check", path(dir), "--today", "2026-11-23", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let codes: Vec<&str> = findings.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["no-leads"], "the new community has no leads yet, and nothing else is wrong");
}

#[test]
fn new_refuses_what_exists_and_suggests_kinds_and_owners() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    init(dir, &[]);
    let o = new(dir, &["standard", "plain-language"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("standards/plain-language.md"), "names the file: {}", stderr(&o));
    let o = new(dir, &["standrad", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean 'standard'?"), "{}", stderr(&o));
    let o = new(dir, &["standard", "x", "--owner", "content-desing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean 'content-design'?"), "{}", stderr(&o));
    assert!(!dir.join("standards/x.md").exists());
    let o = new(dir, &["term", "Big Word"]);
    assert!(stderr(&o).contains("'big-word'"), "suggests an id: {}", stderr(&o));
    let o = new(dir, &["person", "someone", "--owner", "content-design"]);
    assert_eq!(o.status.code(), Some(2), "a person has no owner");
}

#[test]
fn exit_codes_are_0_ok_1_content_errors_2_usage_or_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let ok = fixture(&[("index.md", "# Home\n")]);
    let bad = fixture(&[("standards/a.md", "+++\ntitle = \"A\"\nowner = \"nobody\"\n+++\n")]);
    let code = |args: &[&str]| copbook(args).status.code();
    assert_eq!(code(&["check", path(ok.path())]), Some(0));
    assert_eq!(code(&["check", path(bad.path())]), Some(1));
    assert_eq!(code(&["build", path(bad.path())]), Some(1));
    assert_eq!(code(&["build", path(&tmp.path().join("missing"))]), Some(2));
    assert_eq!(code(&["frobnicate"]), Some(2));
    assert_eq!(code(&["build", "--no-such-flag"]), Some(2));
    assert_eq!(code(&["help", "--help"]), Some(0));
    assert_eq!(code(&["help", "build"]), Some(0));
    assert_eq!(code(&["--help"]), Some(0));
    let o = copbook(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")), "{}", stdout(&o));
}

#[test]
fn a_folder_that_is_not_a_handbook_is_refused_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "notes.txt", "hello");
    for command in ["build", "check"] {
        let o = copbook(&[command, path(tmp.path())]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        let err = stderr(&o);
        assert!(err.contains("is not a handbook") && err.contains("copbook init"), "{err}");
    }
    assert!(!tmp.path().join("public").exists(), "nothing written");
}

#[test]
fn a_build_ends_with_one_summary_line_and_quiet_silences_it() {
    // A full base URL, so that the one finding is the warning (a path alone adds a no-sitemap note).
    let dir = fixture(&[
        ("index.md", "# Home\n\n[gone](nope.md)\n"),
        ("handbook.toml", "base_url = \"https://org.example/\"\n"),
    ]);
    let o = copbook(&["build", path(dir.path())]);
    let err = stderr(&o);
    let last = err.lines().last().unwrap_or_default();
    // The home page, and the pages every handbook has: review, what's new, search, 404.
    assert!(last.starts_with("copbook: built 5 pages into ") && last.contains(" s (1 warning)"), "{err}");
    let o = copbook(&["build", path(dir.path()), "--quiet"]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "", "--quiet prints no warnings or summary");
    let bad = fixture(&[("standards/a.md", "+++\ntitle = \"A\"\nowner = \"nobody\"\n+++\n")]);
    let o = copbook(&["build", path(bad.path()), "-q"]);
    assert!(stderr(&o).contains("unknown-owner"), "--quiet still prints errors: {}", stderr(&o));
    let last = stderr(&copbook(&["build", path(bad.path())])).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("copbook: build failed in ") && last.contains("1 error"), "{last}");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = fixture(&[("index.md", "# Home\n\n[gone](nope.md)\n")]);
    let run = |args: &[&str], no_color: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_copbook"));
        c.args(args).arg(dir.path()).env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        stderr(&c.output().unwrap())
    };
    assert!(run(&["check", "--color", "always"], false).contains('\u{1b}'), "always: colour even when piped");
    assert!(!run(&["check", "--color", "never"], false).contains('\u{1b}'));
    assert!(!run(&["check"], false).contains('\u{1b}'), "auto: no colour when piped");
    assert!(!run(&["check", "--color", "auto"], true).contains('\u{1b}'));
    assert!(!run(&["check", "--color=never", "--no-such-flag"], false).contains('\u{1b}'), "clap's errors too");
}

#[test]
fn repeated_findings_are_summarised_for_people_and_complete_for_tools() {
    let images: String = (0..15).map(|i| format!("![chart {i}](missing-{i}.png)\n\n")).collect();
    let dir = fixture(&[("index.md", &format!("# Home\n\n{images}"))]);
    let check = |extra: &[&str]| {
        let mut args = vec!["check", path(dir.path())];
        args.extend_from_slice(extra);
        copbook(&args)
    };
    let err = stderr(&check(&[]));
    assert_eq!(err.matches("warning[missing-asset]").count(), 3, "{err}");
    assert!(err.contains("12 more `missing-asset` findings; `--verbose` lists them all"), "{err}");
    assert!(err.contains("copbook: 15 warnings"), "the summary counts them all: {err}");
    assert_eq!(stderr(&check(&["--verbose"])).matches("warning[missing-asset]").count(), 15);
    let json: serde_json::Value = serde_json::from_str(&stdout(&check(&["--format", "json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 15);
    assert_eq!(stderr(&check(&["--format", "github"])).matches("::warning").count(), 15);
}

#[test]
fn completions_and_the_manual_describe_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = copbook(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = stdout(&o);
        for command in ["build", "check", "serve", "init", "new"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
        assert!(script.contains("base-url"), "{shell} completes flags");
    }
    let o = copbook(&["man"]);
    assert!(o.status.success());
    let man = stdout(&o);
    assert!(man.starts_with(".ie") || man.contains(".TH copbook"), "roff: {}", &man[..man.len().min(200)]);
    for command in ["build", "check", "serve", "init", "new", "completions"] {
        assert!(man.contains(command), "the manual lists {command}");
    }
    assert_eq!(copbook(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn every_command_and_flag_in_the_readme_is_real() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut seen = 0;
    for line in readme.lines().filter(|l| l.starts_with("| `copbook ")) {
        let usage = line[3..].split('`').next().unwrap_or_default();
        let command = usage.split_whitespace().nth(1).unwrap_or_default();
        let o = copbook(&[command, "--help"]);
        assert!(o.status.success(), "README names `copbook {command}`: {}", stderr(&o));
        let help = stdout(&o);
        for flag in usage.split(|c: char| c.is_whitespace() || c == '[' || c == ']').filter(|w| w.starts_with("--")) {
            assert!(help.contains(flag), "`copbook {command}` has no {flag}, which the README gives it");
        }
        seen += 1;
    }
    assert!(seen >= 8, "the commands table was found ({seen} rows)");
    let help = stdout(&copbook(&["build", "--help"]));
    let flags = readme.split("Every command takes these flags:").nth(1).expect("the global flags table");
    for line in flags.lines().skip(3).take_while(|l| l.starts_with('|')) {
        for flag in line.split('`').filter(|w| w.starts_with("--")) {
            let flag = flag.split_whitespace().next().unwrap_or_default();
            assert!(help.contains(flag) || flag == "--version", "global flag {flag}");
        }
    }
}

/// Runs git in `dir` with a fixed identity and dates; false when git is missing.
fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2020-01-02T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-01-02T12:00:00Z")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A git repository holding a handbook in `docs/`, committed.
fn repository_with_docs(extra_toml: &str) -> Option<tempfile::TempDir> {
    let repo = fixture(&[
        ("README.md", "# The project\n"),
        (
            "docs/handbook.toml",
            &format!("title = \"Docs\"\nrepository = \"https://github.com/org/project\"\n{extra_toml}"),
        ),
        ("docs/index.md", "# Home\n\n[gone](nope.md)\n"),
    ]);
    let ok = git(repo.path(), &["init", "-q"])
        && git(repo.path(), &["add", "."])
        && git(repo.path(), &["commit", "-qm", "first"]);
    if !ok {
        eprintln!("skipped: git is not available");
        return None;
    }
    Some(repo)
}

#[test]
fn github_annotations_name_paths_from_the_repository_root() {
    let Some(repo) = repository_with_docs("") else { return };
    let o = copbook(&["check", path(&repo.path().join("docs")), "--format", "github"]);
    let err = stderr(&o);
    assert!(err.contains("::warning file=docs/index.md,line=3"), "{err}");
    // Outside git the handbook folder is all there is.
    let plain = fixture(&[("index.md", "# Home\n\n[gone](nope.md)\n")]);
    let err = stderr(&copbook(&["check", path(plain.path()), "--format", "github"]));
    assert!(err.contains("::warning file=index.md,line=3"), "{err}");
}

#[test]
fn edit_links_include_the_handbooks_folder_in_the_repository() {
    let Some(repo) = repository_with_docs("") else { return };
    let out = build_ok(&repo.path().join("docs"), &[]);
    let home = read(&out, "index.html");
    assert!(home.contains("https://github.com/org/project/edit/main/docs/index.md"), "{home}");
    let Some(repo) = repository_with_docs("edit_path = \"handbook\"\n") else { return };
    let home = read(&build_ok(&repo.path().join("docs"), &[]), "index.html");
    assert!(home.contains("https://github.com/org/project/edit/main/handbook/index.md"), "edit_path wins: {home}");
}

#[test]
fn a_shallow_clone_warns_once_and_shows_no_wrong_last_updated_date() {
    let Some(origin) = repository_with_docs("") else { return };
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let full = clones.path().join("full");
    let shallow = clones.path().join("shallow");
    assert!(git(clones.path(), &["clone", "-q", &url, path(&full)]));
    assert!(git(clones.path(), &["clone", "-q", "--depth", "1", &url, path(&shallow)]));

    let o = copbook(&["build", path(&full.join("docs"))]);
    assert!(!stderr(&o).contains("shallow-clone"), "{}", stderr(&o));
    assert!(read(&full.join("docs/public"), "index.html").contains("Last updated"), "git dates in a full clone");

    let o = copbook(&["build", path(&shallow.join("docs"))]);
    let err = stderr(&o);
    assert!(o.status.success(), "a warning, not an error: {err}");
    assert_eq!(err.matches("warning[shallow-clone]").count(), 1, "{err}");
    assert!(err.contains("fetch-depth: 0"), "says how to fix it: {err}");
    let home = read(&shallow.join("docs/public"), "index.html");
    assert!(!home.contains("Last updated"), "no date rather than a wrong one: {home}");
}

/// A finding that stands for many (the files of an attachments folder an
/// export lacks) says how many; `--verbose` lists each one, by page and line.
#[test]
fn verbose_lists_what_a_gathered_finding_stands_for() {
    let page = |title: &str, n: u32| {
        format!("---\ntitle: {title}\n---\n\n![Diagram](attachments/{n}/diagram.png)\n\n![Chart](attachments/{n}/chart.png)\n")
    };
    let (a, b, c) = (page("Alpha", 111111), page("Beta", 222222), page("Gamma", 333333));
    let dir = fixture(&[
        ("src/pages/Alpha_111111.md", &a),
        ("src/pages/Beta_222222.md", &b),
        ("src/pages/Gamma_333333.md", &c),
    ]);
    let check = |extra: &[&str]| {
        let mut args = vec!["check", path(dir.path()), "--today", "2026-11-23"];
        args.extend_from_slice(extra);
        stderr(&copbook(&args))
    };
    let listed = "src/pages/Beta_222222.md:7: attachments/222222/chart.png";
    let quiet = check(&[]);
    assert!(quiet.contains("6 files under attachments/ are missing"), "{quiet}");
    assert!(quiet.contains("`--verbose` lists the 6 items") && !quiet.contains(listed), "{quiet}");
    let verbose = check(&["--verbose"]);
    assert!(
        verbose.contains(listed) && verbose.contains("src/pages/Alpha_111111.md:5: attachments/111111/diagram.png"),
        "{verbose}"
    );
    assert!(!verbose.contains("`--verbose` lists"), "{verbose}");
}

/// The words of one shell command line as `sh` would split them (quotes
/// removed), up to an unquoted `#` that starts a comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The lines of the ```sh blocks in one `## ` section of the README.
fn readme_commands(readme: &str, section: &str) -> Vec<String> {
    let body = readme.split(&format!("\n## {section}\n")).nth(1).unwrap_or_else(|| panic!("README has ## {section}"));
    let body = body.split("\n## ").next().unwrap_or_default();
    let mut lines = Vec::new();
    let mut inside = false;
    for line in body.lines() {
        match line.trim() {
            "```sh" => inside = true,
            "```" => inside = false,
            l if inside && !l.is_empty() => lines.push(l.to_string()),
            _ => {}
        }
    }
    lines
}

/// The README's tutorial, run as a newcomer would type it in an empty
/// folder (`serve`, which never ends, as `serve --help`), then the build
/// command the README says the Pages workflow runs. A README that drifts
/// from what copbook does breaks this test.
#[test]
fn the_readme_tutorial_runs_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let tutorial = readme_commands(&readme, "Five-minute tutorial");
    let tmp = tempfile::tempdir().unwrap();
    let mut cwd = tmp.path().to_path_buf();
    let mut ran = Vec::new();
    for line in &tutorial {
        let words = shell_words(line);
        let Some((program, args)) = words.split_first() else { continue };
        if program == "cd" {
            cwd = cwd.join(&args[0]);
            assert!(cwd.is_dir(), "`{line}`: no folder {}", cwd.display());
            continue;
        }
        assert_eq!(program, "copbook", "the tutorial runs only copbook: `{line}`");
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        if args.first() == Some(&"serve") {
            args.push("--help");
        }
        let o = Command::new(env!("CARGO_BIN_EXE_copbook")).args(&args).current_dir(&cwd).env("NO_COLOR", "1").output();
        let o = o.expect("run copbook");
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(0), "`{line}` failed:\n{out}\n{err}");
        let said = format!("{out}{err}");
        let key = match args[0] {
            "init" => "Wrote a new handbook in my-handbook",
            "new" => "standards/write-plainly.md",
            "check" => "no problems found",
            "serve" => "--drafts",
            other => panic!("the test knows no key line for `copbook {other}`"),
        };
        assert!(said.contains(key), "`{line}` did not say {key:?}:\n{said}");
        if args[0] == "init" {
            // What init suggests next is what the tutorial runs next.
            for next in ["cd my-handbook", "copbook serve", "copbook check"] {
                assert!(out.contains(next), "init suggests `{next}`: {out}");
            }
        }
        ran.push(args[0].to_string());
    }
    assert_eq!(ran, ["init", "serve", "new", "check"], "the tutorial's commands, in order");
    assert!(cwd.join("standards/write-plainly.md").is_file());

    // The Pages workflow's build command, as the README quotes it and the workflow runs it.
    let publishing = readme.split("\n## Publishing on GitHub Pages\n").nth(1).expect("the Publishing section");
    let quoted = publishing
        .split('`')
        .find(|s| s.starts_with("copbook build "))
        .expect("the README quotes the workflow's build command");
    let workflow = read(&cwd, ".github/workflows/pages.yml");
    let wf = &YamlLoader::load_from_str(&workflow).unwrap()[0];
    let steps = wf["jobs"]["build"]["steps"].as_vec().expect("build steps");
    let run = steps.iter().filter_map(|s| s["run"].as_str()).find(|r| r.contains("copbook build")).expect("a build");
    assert_eq!(run.trim(), quoted, "the README quotes the workflow's build command exactly");
    // Run as the runner would, with configure-pages' output for a project site.
    let command = quoted.replace("${{ steps.pages.outputs.base_url }}", "https://org.github.io/repo");
    let copbook_dir = Path::new(env!("CARGO_BIN_EXE_copbook")).parent().unwrap();
    let path = format!("{}:{}", copbook_dir.display(), std::env::var("PATH").unwrap_or_default());
    let o = Command::new("sh")
        .args(["-c", &command])
        .current_dir(&cwd)
        .env("PATH", path)
        .env("HANDBOOK", wf["env"]["HANDBOOK"].as_str().expect("HANDBOOK"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh");
    assert_eq!(o.status.code(), Some(0), "`{command}`: {}", stderr(&o));
    assert!(stderr(&o).contains("(no problems found)"), "{}", stderr(&o));
    let home = read(&cwd, "_site/index.html");
    assert!(home.contains("href=\"/repo/"), "links carry the project's path");
    assert!(cwd.join("_site/sitemap.xml").is_file(), "a full base URL gives a sitemap");
}

#[test]
fn the_workflow_stops_with_an_annotation_while_copbooks_address_is_a_placeholder() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let text = read(tmp.path(), ".github/workflows/pages.yml");
    let wf = &YamlLoader::load_from_str(&text).unwrap()[0];
    let steps = wf["jobs"]["build"]["steps"].as_vec().expect("build steps");
    let named = |name: &str| steps.iter().position(|s| s["name"].as_str() == Some(name));
    let check = named("Check where copbook comes from").expect("a check step");
    let find = named("Find copbook's commit").expect("the ls-remote step");
    assert!(check < find, "the address is checked before it is used");
    let script = steps[check]["run"].as_str().expect("a script");
    let git = wf["env"]["COPBOOK_GIT"].as_str().expect("COPBOOK_GIT");
    let run = |address: &str| Command::new("bash").args(["-c", script]).env("COPBOOK_GIT", address).output().unwrap();
    let known = option_env!("CARGO_PKG_REPOSITORY").filter(|r| !r.is_empty());
    match known {
        Some(url) => assert_eq!(git, url),
        None => {
            // The placeholder is named where it stands, and the run stops on it.
            let line = text.lines().position(|l| l.trim_start().starts_with("COPBOOK_GIT:")).unwrap() + 1;
            assert!(text.lines().nth(line - 3).unwrap_or_default().contains("REPLACE OWNER"), "{text}");
            let o = run(git);
            assert_eq!(o.status.code(), Some(1), "the placeholder fails the run");
            let annotation = format!("::error file=.github/workflows/pages.yml,line={line}::COPBOOK_GIT");
            assert!(stdout(&o).starts_with(&annotation), "{}", stdout(&o));
        }
    }
    assert_eq!(run("https://github.com/some-org/copbook").status.code(), Some(0), "a real address passes");
}

#[test]
fn export_writes_the_handbook_as_data_without_building_the_site() {
    let example = example();
    let site = tempfile::tempdir().unwrap();
    let o = copbook(&["build", path(&example), "--out", path(site.path()), "--today", "2026-11-23", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let published = read(site.path(), "handbook.json");

    let o = copbook(&["export", path(&example), "--format", "json", "--today", "2026-11-23"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);
    assert_eq!(printed, published, "the same model /handbook.json publishes");
    let data: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
    let schema: serde_json::Value = serde_json::from_str(&read(site.path(), "handbook.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&data).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(data["built"], "2026-11-23");
    let communities = data["communities"].as_array().unwrap();
    assert!(communities.iter().any(|c| c["id"] == "data" && c["sessions"].as_array().is_some_and(|s| !s.is_empty())));
    assert!(data["pages"].as_array().unwrap().iter().any(|p| p["kind"] == "standard"), "{printed}");

    // --out: the same bytes in a file, nothing on standard output.
    let file = site.path().join("export/handbook.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let o = copbook(&["export", path(&example), "--out", path(&file), "--today", "2026-11-23"]);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), published);
}

#[test]
fn export_refuses_errors_and_other_formats() {
    let broken = fixture(&[("standards/a.md", "+++\ntitle = \"A\"\nowner = \"nobody\"\n+++\n")]);
    let file = broken.path().join("out.json");
    std::fs::write(&file, "previous").unwrap();
    let o = copbook(&["export", path(broken.path()), "--out", path(&file)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("standards/a.md:3"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous", "nothing is written");
    let o = copbook(&["export", path(broken.path())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "no half export on standard output");

    let fine = fixture(&[("index.md", "# Home\n")]);
    let o = copbook(&["export", path(fine.path()), "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
    let err = stderr(&o);
    assert!(err.contains("'yaml'") && err.contains("json"), "names the formats there are: {err}");
}
