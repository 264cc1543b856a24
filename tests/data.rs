//! The handbook published as data: sessions as iCalendar feeds and on
//! pages, read back with real parsers.

mod support;

use support::*;

const HANDBOOK: &[(&str, &str)] = &[
    ("handbook.toml", "title = \"Data fixture\"\nbase_url = \"https://hb.example.org/docs/\"\n"),
    ("people/ana.md", "+++\nname = \"Ana Ortiz\"\n+++\n"),
    (
        "communities/ux.md",
        r#"+++
title = "User experience"
leads = ["ana"]
status = "active"
sessions = [
  { date = 2026-10-01, time = "14:00-15:00", title = "Forms crit", format = "crit", facilitator = "ana" },
  { date = 2026-12-10, time = "10:00", duration = "90 minutes", title = "Show, tell; and ask", format = "show and tell", facilitator = "A visitor", location = "Room 4, floor 2", link = "https://meet.example.org/ux", recurrence = "every 2nd Thursday", until = 2027-06-30 },
  { date = 2026-12-01, title = "Søren's café: a very long title that goes on and on well past the seventy-five octet limit of one line", format = "crit", cancelled = true },
]
+++
We meet.
"#,
    ),
    (
        "communities/data.md",
        "+++\ntitle = \"Data\"\nleads = [\"ana\"]\nsessions = [{ date = 2026-11-30, time = \"09:30\", end = \"10:00\", title = \"Stand-up\", format = \"talk\", recurrence = \"every Monday\" }]\n+++\n",
    ),
];

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = fixture(HANDBOOK);
    let out = build_ok(dir.path(), &[]);
    (dir, out)
}

/// The value of property `name` of `event`, as written (escapes kept).
fn property<'a>(event: &'a icalendar::parser::Component, name: &str) -> Option<&'a icalendar::parser::Property<'a>> {
    event.properties.iter().find(|p| p.name == name)
}

#[test]
fn session_feeds_parse_and_carry_each_session() {
    let (_dir, out) = built();
    let all = read(&out, "sessions.ics");
    for line in all.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
    }
    assert!(all.ends_with("END:VCALENDAR\r\n"));
    assert!(!all.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
    let unfolded = icalendar::parser::unfold(&all);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("the feed parses");
    let parsed: Vec<_> = calendar.components.iter().filter(|c| c.name == "VEVENT").collect();
    assert_eq!(parsed.len(), 4, "{all}");
    let by_title = |needle: &str| {
        parsed
            .iter()
            .find(|e| property(e, "SUMMARY").is_some_and(|p| p.val.as_str().contains(needle)))
            .unwrap_or_else(|| panic!("no event {needle} in {all}"))
    };
    let series = by_title("Show");
    // Written escaped, as RFC 5545 asks; the parser reads the text back.
    assert!(all.contains("SUMMARY:Show\\, tell\\; and ask\r\n"));
    assert_eq!(property(series, "SUMMARY").unwrap().val.as_str(), "Show, tell; and ask");
    assert_eq!(property(series, "RRULE").unwrap().val.as_str(), "FREQ=MONTHLY;BYDAY=2TH;UNTIL=20270630T235959Z");
    let start = property(series, "DTSTART").unwrap();
    assert_eq!(start.val.as_str(), "20261210T100000");
    assert!(start
        .params
        .iter()
        .any(|p| p.key == "TZID" && p.val.as_ref().is_some_and(|v| v.as_str() == "Europe/London")));
    assert_eq!(property(series, "DURATION").unwrap().val.as_str(), "PT1H30M");
    assert_eq!(property(series, "LOCATION").unwrap().val.as_str(), "Room 4, floor 2");
    assert_eq!(property(series, "UID").unwrap().val.as_str(), "ux-20261210T100000@hb.example.org");
    assert_eq!(property(series, "DTSTAMP").unwrap().val.as_str(), "20261123T000000Z");
    let cancelled = by_title("Søren");
    assert_eq!(property(cancelled, "STATUS").unwrap().val.as_str(), "CANCELLED");
    assert!(property(cancelled, "SUMMARY").unwrap().val.as_str().ends_with("octet limit of one line"));
    assert_eq!(property(cancelled, "DTSTART").unwrap().val.as_str(), "20261201");
    assert_eq!(property(by_title("Stand-up"), "RRULE").unwrap().val.as_str(), "FREQ=WEEKLY");
    assert!(all.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"));

    // One community's feed holds only its own sessions.
    let ux = icalendar::parser::unfold(&read(&out, "communities/ux/sessions.ics"));
    let ux = icalendar::parser::read_calendar(&ux).expect("the community feed parses");
    assert_eq!(ux.components.iter().filter(|c| c.name == "VEVENT").count(), 3);

    // The same input gives the same feed: UIDs and stamps are stable.
    let (_dir2, again) = built();
    assert_eq!(read(&again, "sessions.ics"), all);
}

#[test]
fn the_icalendar_crate_reads_the_values_back() {
    let (_dir, out) = built();
    let text = read(&out, "sessions.ics");
    let calendar: icalendar::Calendar = text.parse().expect("the feed parses as a calendar");
    use icalendar::Component;
    let titles: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .filter_map(|e| e.get_summary().map(str::to_string))
        .collect();
    assert!(titles.iter().any(|t| t == "Show, tell; and ask"), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("Søren's café")), "{titles:?}");
}

#[test]
fn community_pages_and_the_sessions_page_list_upcoming_days() {
    let (_dir, out) = built();
    let ux = read(&out, "communities/ux/index.html");
    // Today is 2026-11-23: next are the cancelled one-off, then the series' days.
    let upcoming = &ux[ux.find("Upcoming sessions").unwrap()..ux.find("Last session").unwrap()];
    assert!(upcoming.contains("1 December 2026") && upcoming.contains("Cancelled"), "{upcoming}");
    assert!(upcoming.contains("10 December 2026") && upcoming.contains("14 January 2027"), "{upcoming}");
    assert!(!upcoming.contains("11 February 2027"), "three upcoming days only");
    assert!(upcoming.contains("10:00 to 11:30"));
    assert!(ux.contains("webcal://hb.example.org/docs/communities/ux/sessions.ics"));
    let last = &ux[ux.find("Last session").unwrap()..];
    assert!(last.contains("1 October 2026") && last.contains("Forms crit"));
    assert!(ux.contains("every 2nd Thursday of the month"));

    let page = read(&out, "sessions/index.html");
    let by_date = &page[page.find("id=\"cb-upcoming\"").unwrap()..page.find("id=\"cb-by-community\"").unwrap()];
    let monday = by_date.find("30 November 2026").expect("the Data stand-up");
    let cancelled = by_date.find("1 December 2026").expect("the cancelled one");
    assert!(monday < cancelled, "sessions are in date order");
    assert!(page.contains("id=\"community-data\"") && page.contains("id=\"format-crit\""));
    assert!(page.contains("href=\"#format-show-and-tell\""), "filters are plain links");
    assert!(page.contains("/docs/sessions.ics"));
}

#[test]
fn bad_sessions_are_findings_at_the_file() {
    let dir = fixture(&[
        ("communities/ux.md", "+++\ntitle = \"UX\"\nsessions = [\n  { date = 2026-12-03, time = \"25:00\", recurrence = \"every 2nd Thursday\" },\n]\n+++\n"),
        ("handbook.toml", "title = \"T\"\ntimezone = \"Mars/Olympus\"\n"),
    ]);
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--today", "2026-11-23"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("'25:00' is not a time"), "{err}");
    assert!(err.contains("is not the 2nd Thursday"), "{err}");
    assert!(err.contains("timezone 'Mars/Olympus'") && err.contains("Europe/London"), "{err}");
    assert!(err.contains("communities/ux.md:3"), "{err}");
}

#[test]
fn handbook_json_follows_its_published_schema() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "glossary.toml", "[[term]]\nterm = \"Minimum viable product\"\nabbreviation = \"MVP\"\ndefinition = \"The *smallest* thing & no more.\"\n");
    write(
        dir.path(),
        "standards/forms.md",
        "+++\ntitle = \"Forms\"\nowners = [\"ux\"]\nlast_reviewed = 2026-01-10\n+++\nSee [UX](../communities/ux.md).\n",
    );
    let out = build_ok(dir.path(), &[]);
    let schema: serde_json::Value = serde_json::from_str(&read(&out, "handbook.schema.json")).unwrap();
    let data: serde_json::Value = serde_json::from_str(&read(&out, "handbook.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let errors: Vec<String> = validator.iter_errors(&data).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(data["schema_version"], 1);
    let ux = data["communities"].as_array().unwrap().iter().find(|c| c["id"] == "ux").unwrap();
    assert_eq!(ux["leads"][0]["name"], "Ana Ortiz");
    assert_eq!(ux["sessions"][2]["rrule"], "FREQ=MONTHLY;BYDAY=2TH");
    let ana = data["people"].as_array().unwrap().iter().find(|p| p["id"] == "ana").unwrap();
    assert_eq!(ana["leads"], serde_json::json!(["data", "ux"]));
    let mvp = &data["glossary"][0];
    assert_eq!(mvp["definition_text"], "The smallest thing & no more.");
    assert!(mvp["definition_html"].as_str().unwrap().contains("<em>smallest</em>"));
    let forms = data["pages"].as_array().unwrap().iter().find(|p| p["id"] == "forms").unwrap();
    assert_eq!(forms["links_to"], serde_json::json!(["https://hb.example.org/docs/communities/ux/"]));
    assert_eq!(forms["review_by"], "2027-01-10");

    // A document that breaks the schema is refused: the check can fail.
    let mut broken = data.clone();
    broken["pages"][0]["kind"] = "nonsense".into();
    assert!(!validator.is_valid(&broken));

    let pages: serde_json::Value = serde_json::from_str(&read(&out, "api/pages.json")).unwrap();
    let forms = pages.as_array().unwrap().iter().find(|p| p["title"] == "Forms").unwrap();
    assert_eq!(forms["url"], "https://hb.example.org/docs/standards/forms/");
    assert_eq!(forms["review_by"], "2027-01-10");
    let review: serde_json::Value = serde_json::from_str(&read(&out, "review.json")).unwrap();
    assert_eq!(review["schema_version"], 1);
    assert!(review["owners"].is_array() && review["stale_leads"].is_array());
}

#[test]
fn atom_feeds_of_the_rules_parse_with_stable_ids() {
    let dir = fixture(HANDBOOK);
    write(
        dir.path(),
        "standards/forms.md",
        "+++\ntitle = \"Forms & fields\"\nowners = [\"ux\"]\nversion = \"2.1\"\n+++\nText.\n",
    );
    write(dir.path(), "principles/open.md", "+++\ntitle = \"Be open\"\nowners = [\"data\"]\n+++\nText.\n");
    let out = build_ok(dir.path(), &[]);
    let text = read(&out, "feed.xml");
    let feed = feed_rs::parser::parse(text.as_bytes()).expect("the feed parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "tag:hb.example.org,2026:/docs/feed.xml");
    assert!(feed.updated.is_some() && !feed.authors.is_empty());
    assert_eq!(feed.entries.len(), 2);
    for entry in &feed.entries {
        assert!(entry.id.starts_with("tag:hb.example.org,2026:/docs/"), "{}", entry.id);
        assert!(entry.updated.is_some() && entry.title.is_some());
    }
    let forms = feed.entries.iter().find(|e| e.id.ends_with("/standards/forms/")).expect("the standard");
    assert_eq!(forms.title.as_ref().unwrap().content, "Forms & fields");
    assert_eq!(forms.links[0].href, "https://hb.example.org/docs/standards/forms/");
    assert!(forms.summary.as_ref().unwrap().content.contains("version 2.1"));

    let ux =
        feed_rs::parser::parse(read(&out, "communities/ux/feed.xml").as_bytes()).expect("the community feed parses");
    assert_eq!(ux.entries.len(), 1, "only what ux owns");
    let (_again, out2) = {
        let d = fixture(HANDBOOK);
        write(d.path(), "standards/forms.md", "+++\ntitle = \"Forms, renamed\"\nowners = [\"ux\"]\n+++\nText.\n");
        let o = build_ok(d.path(), &[]);
        (d, o)
    };
    let renamed = feed_rs::parser::parse(read(&out2, "feed.xml").as_bytes()).unwrap();
    assert_eq!(renamed.entries[0].id, forms.id, "an entry keeps its id when the page changes");
}

#[test]
fn llms_txt_indexes_the_pages_and_their_markdown_is_published() {
    let dir = fixture(HANDBOOK);
    write(
        dir.path(),
        "guides/start.md",
        "+++\ntitle = \"Start [here]\"\ndescription = \"How to begin\"\n+++\nRead *this* first.\n",
    );
    let out = build_ok(dir.path(), &[]);
    let llms = read(&out, "llms.txt");
    assert!(llms.starts_with("# Data fixture\n"), "{llms}");
    assert!(
        llms.contains("- [Start here](https://hb.example.org/docs/guides/start/index.md): How to begin\n"),
        "{llms}"
    );
    assert!(llms.contains("## Communities of practice\n"), "{llms}");
    assert_eq!(read(&out, "guides/start/index.md"), "# Start [here]\n\nRead *this* first.\n");

    write(dir.path(), "handbook.toml", "title = \"Data fixture\"\nsource_markdown = false\n");
    let out = build_ok(dir.path(), &[]);
    assert!(!out.join("guides/start/index.md").exists(), "the opt-out leaves the Markdown out");
    assert!(read(&out, "llms.txt").contains("- [Start here](/guides/start/): How to begin"));
}

#[test]
fn the_print_page_has_every_page_with_links_inside_it() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "guides/start.md", "+++\ntitle = \"Start\"\n+++\n## Purpose\n\nSee [UX](../communities/ux.md#purpose-1), [below](#purpose), [MVP](/glossary/#mvp) and [the web](https://example.org/).\n");
    write(dir.path(), "guides/other.md", "+++\ntitle = \"Other\"\n+++\n## Purpose\n\nText.\n");
    write(dir.path(), "glossary.toml", "[[term]]\nterm = \"MVP\"\ndefinition = \"Smallest thing.\"\n");
    let out = build_ok(dir.path(), &[]);
    let print = read(&out, "print/index.html");
    assert!(print.contains("<a href=\"#page-guides-start\">Start</a>"), "contents list");
    assert!(
        print.contains("id=\"page-guides-start--purpose\"") && print.contains("id=\"page-guides-other--purpose\""),
        "heading ids never clash"
    );
    // UX has no #purpose-1: the link leads to the page, never to an id the document lacks.
    assert!(print.contains("href=\"#page-communities-ux\""), "links to pages become in-document links");
    assert!(print.contains("href=\"#page-guides-start--purpose\""), "in-page links keep to their page");
    assert!(
        print.contains("href=\"#page-glossary--mvp\"") && print.contains("<h3 id=\"page-glossary--mvp\">MVP</h3>"),
        "terms link to the printed glossary"
    );
    assert!(print.contains("href=\"https://example.org/\""), "external links stay");
    assert!(print.contains("<h3 id=\"page-guides-start--purpose\">"), "body headings sit below the page title");
    let ux = read(&out, "communities/ux/print/index.html");
    assert!(ux.contains("id=\"page-communities-ux\"") && !ux.contains("id=\"page-guides-start\""));
}

#[test]
fn print_pages_can_be_turned_off() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "handbook.toml", "title = \"T\"\nprint = false\n");
    let out = build_ok(dir.path(), &[]);
    assert!(!out.join("print/index.html").exists() && !out.join("communities/ux/print/index.html").exists());
}

#[test]
fn a_principle_lists_the_standards_that_serve_it() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "principles/open.md", "+++\ntitle = \"Be open\"\n+++\n");
    for (id, title) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
        write(
            dir.path(),
            &format!("standards/{id}.md"),
            &format!("+++\ntitle = \"{title}\"\nprinciples = [\"open\"]\n+++\n"),
        );
    }
    write(dir.path(), "standards/d.md", "+++\ntitle = \"Delta\"\n+++\n");
    let out = build_ok(dir.path(), &[]);
    let open = read(&out, "principles/open/index.html");
    let served = &open[open.find("cb-served-by").expect("the served-by list")..];
    for title in ["Alpha", "Beta", "Gamma"] {
        assert!(served.contains(title), "{title} serves the principle");
    }
    assert!(!served.contains("Delta"));
    assert!(read(&out, "standards/a/index.html")
        .contains("<dt>Serves</dt><dd><a href=\"/docs/principles/open/\">Be open</a>"));

    write(dir.path(), "standards/d.md", "+++\ntitle = \"Delta\"\nprinciples = [\"opne\"]\n+++\n");
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--today", "2026-11-23"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("unknown-principle") || err.contains("principles 'opne' is not a known principle"), "{err}");
    assert!(err.contains("standards/d.md:3") && err.contains("open"), "{err}");
}

#[test]
fn whats_new_lists_recently_changed_pages_newest_first() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "standards/forms.md", "+++\ntitle = \"Forms\"\nowners = [\"ux\"]\nversion = \"3\"\n+++\n");
    write(dir.path(), "guides/old.md", "+++\ntitle = \"Old guide\"\n+++\n");
    // Outside git the file's modification time is its change date.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    std::fs::File::options().write(true).open(dir.path().join("guides/old.md")).unwrap().set_modified(old).unwrap();
    let out = build_ok(dir.path(), &[]);
    let page = read(&out, "whats-new/index.html");
    let forms = page.find("/docs/standards/forms/").expect("the standard is listed");
    let guide = page.find("/docs/guides/old/").expect("the old guide is listed");
    assert!(forms < guide, "newest first");
    assert!(page.contains("Standard 3") && page.contains("owned by"), "kind, version and owner");
    assert!(page.contains("14 November 2023"), "the old guide's date");
}

/// Runs git in `dir` with the author and committer dates set to `day`
/// (noon UTC); false when git is missing or fails.
fn git_on(dir: &std::path::Path, day: &str, args: &[&str]) -> bool {
    let stamp = format!("{day}T12:00:00Z");
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A handbook in `docs/` of a repository whose standard was renamed once
/// and changed seven more times, the last time with HTML and quotes in the
/// subject; `None` (test skipped) without git.
fn handbook_with_history() -> Option<tempfile::TempDir> {
    let repo = fixture(&[
        ("docs/handbook.toml", "title = \"History\"\nbase_url = \"/docs/\"\n"),
        ("docs/communities/ux.md", "+++\ntitle = \"UX\"\n+++\n"),
        ("docs/standards/old-forms.md", "+++\ntitle = \"Forms\"\nowner = \"ux\"\nversion = \"2.1\"\n+++\nv0\n"),
    ]);
    let root = repo.path();
    let mut ok = git_on(root, "2020-01-01", &["init", "-q"])
        && git_on(root, "2020-01-01", &["add", "."])
        && git_on(root, "2020-01-01", &["commit", "-qm", "Start the forms standard"])
        && git_on(root, "2020-01-02", &["mv", "docs/standards/old-forms.md", "docs/standards/forms.md"])
        && git_on(root, "2020-01-02", &["commit", "-qm", "Rename it to forms"]);
    let subjects = ["Edit 1", "Edit 2", "Edit 3", "Edit 4", "Edit 5", "Say <script>alert(\"hi\")</script> & 'why'"];
    for (n, subject) in subjects.iter().enumerate() {
        let day = format!("2020-02-{:02}", n + 1);
        write(
            root,
            "docs/standards/forms.md",
            &format!("+++\ntitle = \"Forms\"\nowner = \"ux\"\nversion = \"2.1\"\n+++\nv{}\n", n + 1),
        );
        ok = ok && git_on(root, &day, &["commit", "-qam", subject]);
    }
    if !ok {
        eprintln!("skipped: git is not available");
        return None;
    }
    // Changed since, but not committed: a date (the file's) and no subject.
    write(root, "docs/guides/draft.md", "# Draft guide\n");
    Some(repo)
}

#[test]
fn standards_show_their_commits_newest_first_and_collapse_after_five() {
    let Some(repo) = handbook_with_history() else { return };
    let docs = repo.path().join("docs");
    let out = build_ok(&docs, &[]);
    let page = read(&out, "standards/forms/index.html");
    let history = &page[page.find("id=\"cb-history\"").expect("a history section")..];
    let history = &history[..history.find("</section>").unwrap()];
    assert!(history.contains("This is version 2.1."), "{history}");
    let (recent, older) = history.split_once("<details").expect("older changes are collapsed");
    let order = |text: &str, subjects: &[&str]| {
        let at: Vec<usize> = subjects.iter().map(|s| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first: {subjects:?} in {text}");
    };
    order(recent, &["Say &lt;script&gt;", "Edit 5", "Edit 4", "Edit 3", "Edit 2"]);
    assert_eq!(recent.matches("<li>").count(), 5, "{recent}");
    // The rename is followed: the commits of the old name are the standard's too.
    order(older, &["3 older changes", "Edit 1", "Rename it to forms", "Start the forms standard"]);
    assert!(older.contains("<time datetime=\"2020-01-01\">1 January 2020</time>: Start the forms standard"), "{older}");
    // The subject is text: escaped, never markup.
    assert!(!page.contains("<script>alert") && history.contains("&quot;hi&quot;"), "{history}");

    let news = read(&out, "whats-new/index.html");
    let line = &news[news.find("/docs/standards/forms/").unwrap()..];
    let line = &line[..line.find("</li>").unwrap()];
    assert!(line.contains("change-subject") && line.contains("Say &lt;script&gt;alert(&quot;hi&quot;)"), "{line}");
    let draft = &news[news.find("/docs/guides/draft/").expect("the uncommitted page is listed")..];
    assert!(!draft[..draft.find("</li>").unwrap()].contains("change-subject"), "no commit, no subject: {draft}");

    // The history is the repository's: the clock and SOURCE_DATE_EPOCH leave it alone.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_copbook"))
        .args(["build", docs.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1600000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let page_again = read(&out, "standards/forms/index.html");
    assert!(page_again.contains(&history[..history.len() - 1]), "same history whatever the day");
}

#[test]
fn a_shallow_clone_or_no_repository_shows_no_history() {
    let Some(repo) = handbook_with_history() else { return };
    let clones = tempfile::tempdir().unwrap();
    let shallow = clones.path().join("shallow");
    let url = format!("file://{}", repo.path().display());
    assert!(git_on(clones.path(), "2020-03-01", &["clone", "-q", "--depth", "2", &url, shallow.to_str().unwrap()]));
    let out = build_ok(&shallow.join("docs"), &[]);
    assert!(!read(&out, "standards/forms/index.html").contains("cb-history"), "a shallow clone's history is cut short");
    // No dates at all, so no /whats-new/ either.
    let news = std::fs::read_to_string(out.join("whats-new/index.html")).unwrap_or_default();
    assert!(!news.contains("change-subject"), "{news}");
    // Not a repository: the same files, no history.
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    let out = build_ok(&repo.path().join("docs"), &[]);
    assert!(!read(&out, "standards/forms/index.html").contains("cb-history"));
    assert!(read(&out, "whats-new/index.html").contains("/docs/standards/forms/"), "dates from the files instead");
}

/// A community whose weekly series skips two Thursdays and whose all-day
/// monthly series skips a Tuesday, in the time zone `zone`.
fn series_with_skips(zone: &str) -> tempfile::TempDir {
    fixture(&[
        ("handbook.toml", &format!("title = \"Skips\"\ntimezone = \"{zone}\"\n")),
        (
            "communities/ux.md",
            "+++\ntitle = \"UX\"\nsessions = [\n  { date = 2026-12-03, time = \"14:00\", title = \"Crit\", recurrence = \"every Thursday\", except = [2026-12-31, 2026-12-24] },\n  { date = 2026-12-01, title = \"Away day\", recurrence = \"monthly\", except = [2027-01-05] },\n]\n+++\n",
        ),
    ])
}

/// The EXDATE lines of the event titled `title`: (parameters, value).
fn exdates(ics: &str, title: &str) -> Vec<(Vec<String>, String)> {
    let unfolded = icalendar::parser::unfold(ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("the feed parses");
    let event = calendar
        .components
        .iter()
        .find(|c| c.name == "VEVENT" && property(c, "SUMMARY").is_some_and(|p| p.val.as_str() == title))
        .unwrap_or_else(|| panic!("no {title} in {ics}"));
    let params = |p: &icalendar::parser::Property| {
        p.params.iter().map(|x| format!("{}={}", x.key, x.val.as_ref().map_or("", |v| v.as_str()))).collect()
    };
    event.properties.iter().filter(|p| p.name == "EXDATE").map(|p| (params(p), p.val.as_str().to_string())).collect()
}

#[test]
fn skipped_days_leave_the_lists_and_become_exdates_like_dtstart() {
    let dir = series_with_skips("Europe/London");
    let out = build_ok(dir.path(), &[]);
    let ics = read(&out, "communities/ux/sessions.ics");
    let tz = vec!["TZID=Europe/London".to_string()];
    assert_eq!(
        exdates(&ics, "Crit"),
        [(tz.clone(), "20261224T140000".to_string()), (tz, "20261231T140000".to_string())],
        "{ics}"
    );
    assert_eq!(exdates(&ics, "Away day"), [(vec!["VALUE=DATE".to_string()], "20270105".to_string())], "{ics}");
    // The icalendar crate reads the whole feed too.
    assert!(read(&out, "sessions.ics").parse::<icalendar::Calendar>().is_ok());

    let listed = read(&out, "sessions/index.html");
    let by_date = &listed[listed.find("id=\"cb-upcoming\"").unwrap()..listed.find("id=\"cb-by-community\"").unwrap()];
    for held in ["2026-12-17", "2027-01-07", "2027-02-02"] {
        assert!(by_date.contains(&format!("datetime=\"{held}\"")), "{held} is listed: {by_date}");
    }
    for skipped in ["2026-12-24", "2026-12-31", "2027-01-05"] {
        assert!(!by_date.contains(&format!("datetime=\"{skipped}\"")), "{skipped} is skipped: {by_date}");
    }
    let page = read(&out, "communities/ux/index.html");
    assert!(
        page.contains(
            "except <time datetime=\"2026-12-24\">24 December 2026</time> and <time datetime=\"2026-12-31\">"
        ),
        "{page}"
    );
    let data: serde_json::Value = serde_json::from_str(&read(&out, "handbook.json")).unwrap();
    assert_eq!(data["communities"][0]["sessions"][1]["except"], serde_json::json!(["2026-12-24", "2026-12-31"]));

    // In UTC the times carry a Z, in both DTSTART and EXDATE.
    let utc = series_with_skips("UTC");
    let ics = read(&build_ok(utc.path(), &[]), "sessions.ics");
    assert!(ics.contains("DTSTART:20261203T140000Z\r\n"), "{ics}");
    assert_eq!(exdates(&ics, "Crit")[0], (Vec::new(), "20261224T140000Z".to_string()));
}

#[test]
fn a_skipped_day_must_be_a_day_of_the_series() {
    let dir = fixture(&[(
        "communities/ux.md",
        "+++\ntitle = \"UX\"\nsessions = [\n  { date = 2026-12-03, recurrence = \"every Thursday\", except = [2026-12-25, \"soon\"] },\n  { date = 2026-12-08, except = [2026-12-08] },\n]\n+++\n",
    )]);
    let o = copbook(&["check", dir.path().to_str().unwrap(), "--today", "2026-11-23"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("except 2026-12-25 is not a day of the series (every Thursday)"), "{err}");
    assert!(err.contains("except 'soon' is not a date"), "{err}");
    assert!(err.contains("'except' skips days of a series, and it has no recurrence"), "{err}");
    assert_eq!(err.matches("communities/ux.md:3").count(), 3, "{err}");
}

/// The rows of the principles × standards table in `html`: each row's
/// header, then for each principle "Serves" or "Does not serve".
fn matrix_rows(html: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = html.find("<table class=\"matrix\">").expect("a principles × standards table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let text = |cell: &str| {
        let mut out = String::new();
        let mut inside = false;
        for c in cell.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                c if !inside => out.push(c),
                _ => {}
            }
        }
        out.replace(['✓', '–'], "").trim().to_string()
    };
    let head = &table[table.find("<thead>").unwrap()..table.find("</thead>").unwrap()];
    let columns = head.split("<th scope=\"col\">").skip(1).map(text).collect();
    let body = &table[table.find("<tbody>").unwrap()..];
    let rows = body
        .split("<tr>")
        .skip(1)
        .map(|row| row.split("<th scope=\"row\">").nth(1).unwrap().split("<td>").map(text).collect())
        .collect();
    (columns, rows)
}

#[test]
fn standards_and_community_pages_show_which_principles_each_standard_serves() {
    let dir = fixture(HANDBOOK);
    write(dir.path(), "principles/open.md", "+++\ntitle = \"Be open\"\nnumber = 2\n+++\n");
    write(dir.path(), "principles/users.md", "+++\ntitle = \"Start with <users>\"\nnumber = 1\n+++\n");
    write(dir.path(), "principles/unused.md", "+++\ntitle = \"Served by none\"\n+++\n");
    let standards = [
        ("a", "Alpha", "ux", "[\"open\", \"users\"]", "published"),
        ("b", "Beta", "data", "[\"open\"]", "published"),
        ("c", "Gamma", "ux", "[]", "draft"),
        ("d", "Delta", "ux", "[\"users\"]", "retired"),
    ];
    for (id, title, owner, principles, status) in standards {
        let text = format!(
            "+++\ntitle = \"{title}\"\nowner = \"{owner}\"\nstatus = \"{status}\"\nprinciples = {principles}\n+++\n"
        );
        write(dir.path(), &format!("standards/{id}.md"), &text);
    }
    let out = build_ok(dir.path(), &[]);
    let page = read(&out, "standards/index.html");
    assert!(page.contains("<caption id=\"cb-matrix-caption\">Which principles each standard serves"), "{page}");
    let (columns, rows) = matrix_rows(&page);
    // Principles by number, only those served; standards in force by title.
    assert_eq!(columns, ["Standard", "Start with &lt;users&gt;", "Be open"]);
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rows,
        [
            row(&["Alpha", "Serves", "Serves"]),
            row(&["Beta", "Does not serve", "Serves"]),
            row(&["Gamma", "Does not serve", "Does not serve"]),
        ]
    );
    assert!(page.contains("Start with &lt;users&gt;"), "titles are escaped");

    // A community page: the standards it owns only.
    let ux = read(&out, "communities/ux/index.html");
    let (columns, rows) = matrix_rows(&ux);
    assert_eq!(columns, ["Standard", "Start with &lt;users&gt;", "Be open"]);
    assert_eq!(rows, [row(&["Alpha", "Serves", "Serves"]), row(&["Gamma", "Does not serve", "Does not serve"])]);
    let data = read(&out, "communities/data/index.html");
    assert_eq!(matrix_rows(&data), (row(&["Standard", "Be open"]), vec![row(&["Beta", "Serves"])]));

    // No standard serves a principle: no table.
    let plain =
        fixture(&[("standards/a.md", "+++\ntitle = \"A\"\n+++\n"), ("principles/p.md", "+++\ntitle = \"P\"\n+++\n")]);
    let out = build_ok(plain.path(), &[]);
    assert!(!read(&out, "standards/index.html").contains("class=\"matrix\""));
}
