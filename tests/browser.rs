//! `copbook serve` in a real browser: headless Chromium shows a served
//! page, the Markdown source is edited, and the new text must appear in the
//! page's DOM without anyone reloading it.
//!
//! Chromium is driven over the DevTools protocol: JSON messages on a
//! WebSocket (tungstenite), nothing more. That needs only Debian's
//! `chromium` package, no driver binary of a matching version, and never
//! downloads a browser.

mod support;

use serde_json::json;
use support::browser::*;
use support::serve::*;

#[test]
fn an_open_page_shows_each_save_without_a_manual_reload() {
    if chromium_or_skip().is_none() {
        return;
    }
    let ws = Workspace::new(None);
    let server = ws.serve();
    let url = format!("http://{}/section/one/", server.addr);
    let browser = Browser::launch(&url);
    let mut tab = browser.tab(&url);
    assert!(eventually(SHOW, || tab.text().contains("Original text.")), "the page never showed: {:?}", tab.text());

    // A save of the Markdown source: the page reloads by itself.
    ws.write("section/one.md", &page_one("Edited while the browser watched."));
    assert!(
        eventually(SHOW, || tab.text().contains("Edited while the browser watched.")),
        "the new text did not appear; the page shows {:?}\nserver: {}",
        tab.text(),
        server.stderr()
    );

    // A stylesheet change restyles the page in place: no reload, so a mark
    // left on the window survives.
    tab.eval("window.copbookTestMark = 'still here'");
    ws.write("static/x.css", "body { color: rgb(0, 0, 255); }\n");
    assert!(
        eventually(SHOW, || tab.eval("getComputedStyle(document.body).color") == json!("rgb(0, 0, 255)")),
        "the new style did not apply: {}",
        tab.eval("getComputedStyle(document.body).color")
    );
    assert_eq!(tab.eval("window.copbookTestMark"), json!("still here"), "a stylesheet change reloaded the page");

    // A broken save shows the error banner over the last good page; the fix removes it.
    ws.write("section/one.md", "+++\ntitle = \"Page one\"\nNever closed.\n");
    let banner = "(document.querySelector('[role=alertdialog]') || {}).innerText || ''";
    assert!(
        eventually(SHOW, || tab.eval(banner).as_str().unwrap_or_default().contains("section/one.md:1")),
        "no error banner: {:?}",
        tab.text()
    );
    assert!(tab.text().contains("Edited while the browser watched."), "the last good page stays");
    ws.write("section/one.md", &page_one("Fixed in the browser test."));
    assert!(eventually(SHOW, || tab.text().contains("Fixed in the browser test.")), "{:?}", tab.text());
    assert_eq!(tab.eval(banner), json!(""), "the banner is gone");
}

#[test]
fn an_open_page_reloads_after_the_server_restarts() {
    if chromium_or_skip().is_none() {
        return;
    }
    let ws = Workspace::new(None);
    let server = ws.serve();
    let port = server.addr.port();
    let url = format!("http://{}/section/one/", server.addr);
    let browser = Browser::launch(&url);
    let mut tab = browser.tab(&url);
    assert!(eventually(SHOW, || tab.text().contains("Original text.")), "the page never showed: {:?}", tab.text());

    // Stopped, edited while down, started again on the same port.
    drop(server);
    ws.write("section/one.md", &page_one("Saved while the server was down."));
    let out = ws.dir.path().join("out-again");
    let _again = Server::start_on(&ws.content(), port, &["--out", out.to_str().expect("a UTF-8 path")]);
    assert!(
        eventually(SHOW, || tab.text().contains("Saved while the server was down.")),
        "the page did not reload after the restart: {:?}",
        tab.text()
    );
}

/// Presses one key in the focused element, as a keyboard would.
fn press(tab: &mut Tab, key: &str, code: &str, key_code: u32, text: &str) {
    for kind in ["keyDown", "keyUp"] {
        let mut event = json!({ "type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code });
        if kind == "keyDown" && !text.is_empty() {
            event["text"] = json!(text);
        }
        tab.call("Input.dispatchKeyEvent", event);
    }
}

/// The example handbook served at `/` (built into a temporary folder), and
/// a browser tab on its home page.
fn example_home() -> (tempfile::TempDir, Server, Browser, Tab) {
    let out = tempfile::tempdir().expect("a temporary folder");
    let server = example_preview(&out);
    let url = format!("http://{}/", server.addr);
    let browser = Browser::launch(&url);
    let tab = browser.tab(&url);
    (out, server, browser, tab)
}

#[test]
fn slash_then_a_word_from_a_page_body_then_enter_opens_that_page() {
    if chromium_or_skip().is_none() {
        return;
    }
    let (_out, _server, _browser, mut tab) = example_home();
    let ready = "document.readyState === 'complete' && !!document.querySelector('form[role=search]:not([hidden])')";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "the page never showed: {:?}", tab.text());
    let fetched = "performance.getEntriesByType('resource').filter(e => e.name.includes('/search/')).length";
    assert_eq!(tab.eval(fetched), json!(0), "the index loads before anyone searches");

    // "/" from anywhere on the page focuses the search box.
    press(&mut tab, "/", "Slash", 191, "/");
    assert_eq!(tab.eval("document.activeElement.id"), json!("search-input"));
    assert_eq!(tab.eval("document.activeElement.value"), json!(""), "the slash was typed into the box");

    // "isolation" is only in the body text of the Development community.
    tab.call("Input.insertText", json!({ "text": "isolation" }));
    let expanded = "document.getElementById('search-input').getAttribute('aria-expanded')";
    assert!(eventually(SHOW, || tab.eval(expanded) == json!("true")), "no results list: {:?}", tab.text());
    let status = "document.getElementById('search-status').textContent";
    assert_eq!(tab.eval(status), json!("1 result"));
    let first = "document.querySelector('#search-results [role=option]').textContent";
    assert!(tab.eval(first).as_str().unwrap_or_default().contains("Development"), "{}", tab.eval(first));
    assert!(
        tab.eval("document.querySelector('#search-results mark').textContent") == json!("isolation"),
        "the matched word is not highlighted"
    );

    // Arrows move the highlight (aria-activedescendant); Escape closes.
    press(&mut tab, "ArrowDown", "ArrowDown", 40, "");
    let active = "document.getElementById('search-input').getAttribute('aria-activedescendant')";
    assert_eq!(tab.eval(active), json!("search-results-0"));
    assert_eq!(tab.eval("document.getElementById('search-results-0').getAttribute('aria-selected')"), json!("true"));
    press(&mut tab, "Escape", "Escape", 27, "");
    assert_eq!(tab.eval(expanded), json!("false"));
    assert_eq!(tab.eval(active), json!(null));

    // Enter with nothing highlighted opens the top result.
    press(&mut tab, "Enter", "Enter", 13, "\r");
    let path = "location.pathname";
    assert!(
        eventually(SHOW, || tab.eval(path) == json!("/communities/development/")),
        "Enter did not open the page: {}",
        tab.eval(path)
    );
}

/// The URLs of the requests the page made since the last call.
fn requested(tab: &mut Tab) -> Vec<String> {
    tab.eval("0"); // every event sent before this reply has arrived
    tab.take_events()
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .filter_map(|e| e["params"]["request"]["url"].as_str().map(String::from))
        .collect()
}

/// Issue 13: nothing of the search index loads before the reader focuses
/// the search box. Every request is watched from the start of the page
/// load (not only the finished ones), through reading, scrolling and
/// tabbing past the box's neighbours; the box's focus then fetches
/// `index.json`, which shows the watch sees the index's requests.
#[test]
fn no_search_file_is_requested_before_the_search_box_gets_focus() {
    if chromium_or_skip().is_none() {
        return;
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let server = example_preview(&out);
    let url = format!("http://{}/communities/development/", server.addr);
    let browser = Browser::launch("about:blank");
    let mut tab = browser.tab("about:blank");
    tab.call("Network.enable", json!({}));
    tab.call("Page.navigate", json!({ "url": url }));
    let ready = "document.readyState === 'complete' && !!document.querySelector('form[role=search]:not([hidden])')";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "the page never showed: {:?}", tab.text());
    // A reader reads: the page scrolls, the skip link gets focus, the pointer moves over the box.
    tab.eval("window.scrollTo(0, document.body.scrollHeight)");
    press(&mut tab, "Tab", "Tab", 9, "");
    assert_eq!(tab.eval("document.activeElement.className"), json!("skip-link"), "the first Tab stop");
    let box_at = "(r => [r.x + 5, r.y + 5])(document.getElementById('search-input').getBoundingClientRect())";
    let at = tab.eval(box_at);
    tab.call("Input.dispatchMouseEvent", json!({ "type": "mouseMoved", "x": at[0], "y": at[1] }));
    // Idle time, as when the browser would start a prefetch.
    tab.eval_async("new Promise(r => requestIdleCallback(() => setTimeout(r, 500)))");
    let before = requested(&mut tab);
    assert!(before.iter().any(|u| u.ends_with("/communities/development/")), "the watch saw no request: {before:?}");
    let early: Vec<&String> = before.iter().filter(|u| u.contains("/search/")).collect();
    assert!(early.is_empty(), "search files requested before the box got focus: {early:?}");

    tab.eval("document.getElementById('search-input').focus()");
    assert!(
        eventually(SHOW, || requested(&mut tab).iter().any(|u| u.ends_with("/search/index.json"))),
        "focusing the box did not load the index"
    );
}

#[test]
fn a_glossary_entry_lands_below_the_sticky_letter_bar_on_a_phone_and_a_desktop() {
    if chromium_or_skip().is_none() {
        return;
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let server = example_preview(&out);
    let home = format!("http://{}/", server.addr);
    let browser = Browser::launch(&home);
    let mut tab = browser.tab(&home);
    for (width, height, mobile) in [(375, 812, true), (1280, 800, false)] {
        let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile });
        tab.call("Emulation.setDeviceMetricsOverride", metrics);
        // No smooth scrolling: the landing place is measured at once.
        let motion = json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] });
        tab.call("Emulation.setEmulatedMedia", motion);
        // An entry in the middle, reached by an in-page link as the letters and terms are.
        let url = format!("http://{}/glossary/", server.addr);
        tab.call("Page.navigate", json!({ "url": url }));
        let ready = "document.readyState === 'complete' && !!document.getElementById('minimum-viable-product')";
        assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "the glossary did not load");
        tab.eval("location.hash = '#minimum-viable-product'");
        std::thread::sleep(std::time::Duration::from_millis(300));
        let bar = "document.querySelector('.jump').getBoundingClientRect()";
        assert!(
            tab.eval(&format!("{bar}.top")).as_f64().unwrap_or(99.0) < 1.0,
            "at {width} px the bar is not stuck at the top"
        );
        let gap =
            format!("document.getElementById('minimum-viable-product').getBoundingClientRect().top - {bar}.bottom");
        let gap = tab.eval(&gap).as_f64().expect("a number");
        assert!((0.0..100.0).contains(&gap), "at {width} px the entry is {gap} px below the bar's bottom");
    }
}

#[test]
fn the_static_host_serves_as_github_pages_does() {
    support::pages_host::self_check();
}

/// What went wrong while a site was walked: failed requests, statuses of
/// 400 and above, and links that lead nowhere.
struct Walk {
    failures: Vec<String>,
    pages: usize,
    links: usize,
    requests: usize,
}

/// Opens every HTML file of the site built into `out` (served at `base`
/// by a GitHub Pages look-alike) in Chromium, records every request the
/// browser makes, searches once, and fetches every internal `<a href>`.
fn walk_on_a_pages_host(out: &std::path::Path, base: &str) -> Walk {
    let host = support::pages_host::PagesHost::start(out, base);
    let home = host.url(base);
    let browser = Browser::launch(&home);
    let mut tab = browser.tab(&home);
    tab.call("Network.enable", json!({}));
    let mut urls: Vec<String> = support::html_files(out)
        .into_keys()
        .map(|file| host.url(&format!("{base}{}", file.strip_suffix("index.html").unwrap_or(&file))))
        .collect();
    // A missing page at some depth: its 404 must still find its stylesheet and script.
    let missing = host.url(&format!("{base}no/such/page/"));
    urls.push(missing.clone());
    let mut hrefs = std::collections::BTreeSet::new();
    for url in &urls {
        // The missing page's own links (its skip link) lead to itself.
        let own = url == &missing;
        tab.call("Page.navigate", json!({ "url": url }));
        let loaded = eventually(SHOW, || {
            tab.eval("document.readyState") == json!("complete") && tab.eval("location.href") == json!(url)
        });
        assert!(loaded, "{url} did not load");
        let found = tab.eval("[...document.querySelectorAll('a[href]')].map(a => a.href)");
        let found = found.as_array().into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string));
        hrefs.extend(found.filter(|h| !(own && h.starts_with(&missing))));
    }
    // The search index loads when someone searches.
    tab.call("Page.navigate", json!({ "url": home }));
    assert!(eventually(SHOW, || tab.eval("document.readyState") == json!("complete")), "home did not load");
    tab.eval("document.getElementById('search-input').focus()");
    tab.call("Input.insertText", json!({ "text": "standard" }));
    let shown = "document.querySelectorAll('#search-results [role=option]').length > 0";
    assert!(eventually(SHOW, || tab.eval(shown) == json!(true)), "search found nothing on the Pages host");
    let searched = host.url(&format!("{base}search/?q=isolation"));
    tab.call("Page.navigate", json!({ "url": searched }));
    let listed = "document.querySelectorAll('#search-page-results a').length > 0";
    assert!(eventually(SHOW, || tab.eval(listed) == json!(true)), "the search page lists nothing");

    let mut failures = Vec::new();
    let mut requests = 0;
    for event in tab.take_events() {
        let params = &event["params"];
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => requests += 1,
            "Network.responseReceived" => {
                let (url, status) =
                    (params["response"]["url"].as_str().unwrap_or_default(), &params["response"]["status"]);
                let expected = url == missing && *status == json!(404);
                if status.as_u64().unwrap_or(0) >= 400 && !expected {
                    failures.push(format!("{status} {url} ({})", params["type"]));
                }
            }
            "Network.loadingFailed" => failures
                .push(format!("{} request {} failed: {}", params["type"], params["requestId"], params["errorText"])),
            _ => {}
        }
    }
    assert!(requests > urls.len(), "the browser's requests were recorded ({requests})");
    // Every internal link, fetched through the same host (one hop of a folder redirect followed).
    let origin = host.url("");
    let mut links = 0;
    let mut bodies = std::collections::BTreeMap::new();
    for href in &hrefs {
        let Some(path) = href.strip_prefix(&origin) else { continue };
        links += 1;
        let (target, fragment) = path.split_once('#').unwrap_or((path, ""));
        let body = bodies.entry(target.to_string()).or_insert_with(|| {
            let mut reply = support::serve::get(host.addr, target);
            if reply.status == 301 {
                let to = reply.header("location").unwrap_or_default().to_string();
                reply = support::serve::get(host.addr, &to);
            }
            (reply.status, reply.body)
        });
        if body.0 != 200 {
            failures.push(format!("link {href}: status {}", body.0));
        } else if !fragment.is_empty() {
            let id = support::percent_decode(fragment);
            if !support::attribute_values(&body.1, "id").contains(&id.as_str()) {
                failures.push(format!("link {href}: no id {id:?} on the page"));
            }
        }
    }
    Walk { failures, pages: urls.len(), links, requests }
}

/// The example handbook copied into a temporary folder, with top-level
/// settings put at the head of its handbook.toml (before any table).
fn example_with(extra_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let example = support::example();
    for entry in walkdir::WalkDir::new(&example).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(&example).expect("inside");
        if rel.starts_with("public") || !entry.file_type().is_file() {
            continue;
        }
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(entry.path(), &to).expect("copy");
    }
    let toml = dir.path().join("handbook.toml");
    let text = extra_toml.to_string() + &std::fs::read_to_string(&toml).expect("handbook.toml");
    std::fs::write(&toml, text).expect("write handbook.toml");
    dir
}

#[test]
fn the_example_published_under_a_sub_path_as_github_pages_serves_it_has_no_failed_request() {
    if chromium_or_skip().is_none() {
        return;
    }
    let site = tempfile::tempdir().expect("a temporary folder");
    let out = site.path().join("_site");
    let o = support::copbook(&[
        "build",
        support::example().to_str().expect("UTF-8"),
        "--base-url",
        "/handbook/",
        "--today",
        "2026-11-23",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let walk = walk_on_a_pages_host(&out, "/handbook/");
    eprintln!("sub-path: {} pages, {} requests, {} internal links", walk.pages, walk.requests, walk.links);
    assert!(walk.pages > 40 && walk.links > 100, "the walk covered the site");
    assert!(walk.failures.is_empty(), "{} failures:\n{}", walk.failures.len(), walk.failures.join("\n"));
}

#[test]
fn the_example_published_at_a_custom_domains_root_has_no_failed_request() {
    if chromium_or_skip().is_none() {
        return;
    }
    let handbook = example_with("cname = \"handbook.example.org\"\n");
    let out = handbook.path().join("_site");
    let o = support::copbook(&[
        "build",
        handbook.path().to_str().expect("UTF-8"),
        "--base-url",
        "https://handbook.example.org/",
        "--today",
        "2026-11-23",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    assert_eq!(support::read(&out, "CNAME"), "handbook.example.org\n");
    let walk = walk_on_a_pages_host(&out, "/");
    eprintln!("root: {} pages, {} requests, {} internal links", walk.pages, walk.requests, walk.links);
    assert!(walk.pages > 40 && walk.links > 100, "the walk covered the site");
    assert!(walk.failures.is_empty(), "{} failures:\n{}", walk.failures.len(), walk.failures.join("\n"));
}

/// `copbook serve` on the example handbook at the root, with a fixed date.
fn example_preview(out: &tempfile::TempDir) -> Server {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let args = ["--base-url", "/", "--today", "2026-11-23", "--out", out.path().to_str().expect("UTF-8")];
    Server::start(&example, &args)
}

/// The top of the page's text (its `<h1>`), in CSS pixels from the top.
const CONTENT_TOP: &str = "document.querySelector('main h1').getBoundingClientRect().top";

#[test]
fn the_phone_header_is_compact_and_its_menu_and_search_work_by_keyboard() {
    if chromium_or_skip().is_none() {
        return;
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let server = example_preview(&out);
    let url = format!("http://{}/standards/", server.addr);
    let browser = Browser::launch(&url);
    let mut tab = browser.tab(&url);
    let phone = json!({ "width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": true });
    tab.call("Emulation.setDeviceMetricsOverride", phone);
    tab.call("Page.navigate", json!({ "url": url }));
    let ready = "document.readyState === 'complete' && !document.querySelector('.menu-toggle').hidden";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "the page did not load: {:?}", tab.text());
    let top = tab.eval(CONTENT_TOP).as_f64().expect("a number");
    let parts = tab.eval(
        "['.site-header', '.sidebar', '#cb-main', '.breadcrumbs'].map(s => s + ' ' + \
         JSON.stringify(document.querySelector(s).getBoundingClientRect())).join('\\n')",
    );
    eprintln!("phone (375x812): the page's h1 starts {top} px from the top\n{}", parts.as_str().unwrap_or_default());
    // Before the compact header: a 242 px header and a 61 px menu row put it at 359 px.
    assert!(top < 160.0, "the phone header and menu take {top} px before the content");
    let visible = |tab: &mut Tab, selector: &str| {
        // checkVisibility also sees the contents of a closed <details>, which still have boxes.
        tab.eval(&format!(
            "!!document.querySelector('{selector}') && document.querySelector('{selector}').checkVisibility()"
        )) == json!(true)
    };
    assert!(!visible(&mut tab, "#search-input"), "the search box waits behind its button");
    assert!(!visible(&mut tab, ".menu-primary a"), "the main links wait in the menu");

    // Keyboard only: Tab to the menu button, Enter opens it, Tab enters it, Escape closes it.
    let active = "document.activeElement.className + ' ' + document.activeElement.textContent.trim()";
    let mut presses = 0;
    while !tab.eval(active).as_str().unwrap_or_default().starts_with("header-toggle menu-toggle") {
        press(&mut tab, "Tab", "Tab", 9, "");
        presses += 1;
        assert!(presses < 10, "Tab never reached the menu button: {}", tab.eval(active));
    }
    press(&mut tab, "Enter", "Enter", 13, "\r");
    let expanded = "document.querySelector('.menu-toggle').getAttribute('aria-expanded')";
    assert!(eventually(SHOW, || tab.eval(expanded) == json!("true")), "Enter did not open the menu");
    assert!(visible(&mut tab, ".menu-primary a"), "the main links are in the open menu");
    press(&mut tab, "Tab", "Tab", 9, "");
    assert_eq!(tab.eval("document.activeElement.closest('#cb-menu') !== null"), json!(true), "{}", tab.eval(active));
    press(&mut tab, "Escape", "Escape", 27, "");
    assert_eq!(tab.eval("document.getElementById('cb-menu').open"), json!(false), "Escape closes the menu");
    assert_eq!(tab.eval(expanded), json!("false"));
    assert!(tab.eval(active).as_str().unwrap_or_default().starts_with("header-toggle menu-toggle"), "focus returns");

    // The search button: Enter opens the box with focus in it; Escape closes it and returns.
    // The search button comes just before the menu button.
    for kind in ["keyDown", "keyUp"] {
        let event = json!({ "type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "modifiers": 8 });
        tab.call("Input.dispatchKeyEvent", event);
    }
    assert!(tab.eval(active).as_str().unwrap_or_default().starts_with("header-toggle search-toggle"));
    press(&mut tab, "Enter", "Enter", 13, "\r");
    assert_eq!(tab.eval("document.activeElement.id"), json!("search-input"), "the box opens focused");
    assert!(visible(&mut tab, "#search-input"));
    press(&mut tab, "Escape", "Escape", 27, "");
    assert!(!visible(&mut tab, "#search-input"), "Escape closes the search box");
    assert!(tab.eval(active).as_str().unwrap_or_default().starts_with("header-toggle search-toggle"));
    // "/" opens it too.
    press(&mut tab, "/", "Slash", 191, "/");
    assert_eq!(tab.eval("document.activeElement.id"), json!("search-input"), "/ opens the search box");

    // A desktop shows neither button, and the box and main links in the header.
    let desktop = json!({ "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false });
    tab.call("Emulation.setDeviceMetricsOverride", desktop);
    assert!(!visible(&mut tab, ".menu-toggle") && !visible(&mut tab, ".search-toggle"));
    assert!(visible(&mut tab, "#search-input") && visible(&mut tab, ".primary a"));
    assert!(!visible(&mut tab, ".menu-primary a"), "the menu does not repeat the header's links");
}

#[test]
fn headings_get_a_link_to_their_section_and_dark_mode_gives_images_a_light_surface() {
    if chromium_or_skip().is_none() {
        return;
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let server = example_preview(&out);
    let url = format!("http://{}/", server.addr);
    let browser = Browser::launch(&url);
    let mut tab = browser.tab(&url);
    tab.prefer_color_scheme("dark");
    tab.call("Page.navigate", json!({ "url": url }));
    let ready = "document.readyState === 'complete' && !!document.querySelector('.heading-anchor')";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "no section links: {:?}", tab.text());

    // The heading keeps its own name; the link after it names the section.
    let heading = "document.getElementById('find-your-way-around')";
    assert_eq!(tab.eval(&format!("{heading}.textContent")), json!("Find your way around"));
    let anchor = format!("{heading}.nextElementSibling");
    assert_eq!(tab.eval(&format!("{anchor}.getAttribute('href')")), json!("#find-your-way-around"));
    // Named once: the heading's text is not repeated in the link.
    assert_eq!(tab.eval(&format!("{anchor}.getAttribute('aria-label')")), json!("Link to this section"));
    assert_eq!(tab.eval(&format!("{anchor}.closest('h2, h3, h4, h5, h6')")), json!(null), "outside the heading");
    // Hidden until hovered or focused where a pointer can hover; shown on touch screens.
    let opacity = format!("getComputedStyle({anchor}).opacity");
    let hover = tab.eval("matchMedia('(hover: hover)').matches") == json!(true);
    assert_eq!(tab.eval(&opacity), json!(if hover { "0" } else { "1" }), "hover: {hover}");
    // Keyboard focus shows it: Tab from the heading before it.
    tab.eval(&format!("{heading}.setAttribute('tabindex', '-1'); {heading}.focus()"));
    press(&mut tab, "Tab", "Tab", 9, "");
    assert_eq!(tab.eval("document.activeElement.className"), json!("heading-anchor"));
    assert_eq!(tab.eval("getComputedStyle(document.activeElement).opacity"), json!("1"), "visible on focus");

    // Dark mode: the home page's logo (a transparent SVG) sits on white; an opted-out image does not.
    let logo = "getComputedStyle(document.querySelector('.page-body img')).backgroundColor";
    assert_eq!(tab.eval(logo), json!("rgb(255, 255, 255)"));
    tab.eval(
        "document.querySelector('.page-body').insertAdjacentHTML('beforeend', \
         '<div class=\"dark-ready\"><p><img id=\"t1\" alt=\"x\" src=\"data:,\"></p></div><img id=\"t2\" class=\"dark-ready\" alt=\"y\" src=\"data:,\">')",
    );
    for id in ["t1", "t2"] {
        let bg = tab.eval(&format!("getComputedStyle(document.getElementById('{id}')).backgroundColor"));
        assert_eq!(bg, json!("rgba(0, 0, 0, 0)"), "{id} opted out");
    }
    tab.prefer_color_scheme("light");
    assert_eq!(tab.eval(logo), json!("rgba(0, 0, 0, 0)"), "light mode leaves images as they are");
}

#[test]
fn a_glossary_term_shows_its_definition_on_keyboard_focus_and_escape_hides_it() {
    if chromium_or_skip().is_none() {
        return;
    }
    let (_out, _server, _browser, mut tab) = example_home();
    let ready = "document.readyState === 'complete' && !!document.querySelector('a.glossary-term')";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "no glossary term on the home page: {:?}", tab.text());
    let tip = "document.getElementById(document.querySelector('a.glossary-term').getAttribute('aria-describedby'))";
    let visible = format!("(() => {{ const t = {tip}; return !t.hidden && t.getBoundingClientRect().height > 0; }})()");
    assert_eq!(tab.eval(&visible), json!(false), "the definition shows before anyone asks");

    // Tab from the top of the page to the first term link.
    let on_term = "document.activeElement.classList.contains('glossary-term')";
    let mut presses = 0;
    while tab.eval(on_term) != json!(true) {
        press(&mut tab, "Tab", "Tab", 9, "");
        presses += 1;
        assert!(presses < 400, "Tab never reached a glossary term");
    }
    assert_eq!(tab.eval(&visible), json!(true), "focus did not show the definition");
    let text = tab.eval(&format!("{tip}.textContent"));
    assert!(text.as_str().unwrap_or_default().len() > 20, "the pop-up holds no definition: {text}");
    assert_eq!(tab.eval(&format!("{tip}.getAttribute('role')")), json!("tooltip"));

    // Escape hides it and leaves focus where it was.
    press(&mut tab, "Escape", "Escape", 27, "");
    assert_eq!(tab.eval(&visible), json!(false), "Escape did not hide the definition");
    assert_eq!(tab.eval(on_term), json!(true), "Escape moved focus");

    // Focus leaving and coming back shows it again.
    press(&mut tab, "Tab", "Tab", 9, "");
    assert_eq!(tab.eval(on_term), json!(false));
    let back = json!({ "type": "rawKeyDown", "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "modifiers": 8 });
    tab.call("Input.dispatchKeyEvent", back);
    tab.call(
        "Input.dispatchKeyEvent",
        json!({ "type": "keyUp", "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "modifiers": 8 }),
    );
    assert_eq!(tab.eval(on_term), json!(true), "Shift+Tab did not come back to the term");
    assert_eq!(tab.eval(&visible), json!(true), "the definition did not show again");
    press(&mut tab, "Escape", "Escape", 27, "");

    // Hoverable (SC 1.4.13): the pointer may move from the term onto the
    // pop-up and it stays; it goes when the pointer leaves both.
    tab.eval("document.activeElement.blur(); document.querySelector('a.glossary-term').scrollIntoView({ block: 'center', behavior: 'instant' })");
    let centre = |tab: &mut Tab, of: &str| {
        let r = tab.eval(&format!(
            "(() => {{ const r = {of}.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        (r[0].as_f64().unwrap_or(0.0), r[1].as_f64().unwrap_or(0.0))
    };
    let move_to = |tab: &mut Tab, (x, y): (f64, f64)| {
        tab.call("Input.dispatchMouseEvent", json!({ "type": "mouseMoved", "x": x, "y": y }));
    };
    let term = centre(&mut tab, "document.querySelector('a.glossary-term')");
    move_to(&mut tab, term);
    let under = tab.eval(&format!(
        "(() => {{ const e = document.elementFromPoint({}, {}); return e ? e.outerHTML.slice(0, 200) : 'none'; }})()",
        term.0, term.1
    ));
    assert_eq!(
        tab.eval(&visible),
        json!(true),
        "hovering the term did not show the definition; under {term:?}: {under}"
    );
    let inside = centre(&mut tab, tip);
    move_to(&mut tab, (term.0, (term.1 + inside.1) / 2.0));
    move_to(&mut tab, inside);
    assert_eq!(tab.eval(&visible), json!(true), "the pop-up went as the pointer moved onto it");
    move_to(&mut tab, (1.0, 1.0));
    assert_eq!(tab.eval(&visible), json!(false), "the pop-up stayed after the pointer left");
}

/// Where the pop-up of the focused term is, against the viewport and the
/// term: `[left, top, right, bottom, width, viewport width, viewport height,
/// gap]`, where `gap` is how far the pop-up is from touching the term (0
/// when it touches it above or below and overlaps it sideways).
const FOCUSED_TIP: &str = "(() => {
    const a = document.activeElement;
    const tip = document.getElementById(a.getAttribute('aria-describedby'));
    if (tip.hidden) return null;
    const t = tip.getBoundingClientRect(), r = a.getBoundingClientRect();
    const sideways = t.left < r.right && r.left < t.right;
    const gap = sideways ? Math.min(Math.abs(t.top - r.bottom), Math.abs(t.bottom - r.top)) : 999;
    const view = document.documentElement;
    return [t.left, t.top, t.right, t.bottom, t.width, view.clientWidth, view.clientHeight, gap];
})()";

/// The focused term's pop-up lies inside the viewport, wide enough to read,
/// touching its term (so the pointer can move onto it); its width.
fn assert_focused_tip_fits(tab: &mut Tab, what: &str) -> f64 {
    // The pop-up is placed again once focus has scrolled its term into view.
    let fits = |t: &serde_json::Value| {
        let n = |i: usize| t[i].as_f64().unwrap_or(-1.0);
        n(0) >= 0.0 && n(1) >= 0.0 && n(2) <= n(5) && n(3) <= n(6) && n(7) < 1.0
    };
    let mut tip = serde_json::Value::Null;
    eventually(std::time::Duration::from_secs(2), || {
        tip = tab.eval(FOCUSED_TIP);
        fits(&tip)
    });
    let n = |i: usize| tip[i].as_f64().unwrap_or_else(|| panic!("{what}: no pop-up shown: {tip}"));
    let (left, top, right, bottom, width, view_width, view_height, gap) =
        (n(0), n(1), n(2), n(3), n(4), n(5), n(6), n(7));
    assert!(
        left >= 0.0 && top >= 0.0 && right <= view_width && bottom <= view_height,
        "{what}: the pop-up [{left}, {top}, {right}, {bottom}] leaves the {view_width}x{view_height} viewport"
    );
    assert!(width >= 200.0, "{what}: the pop-up is {width} px wide");
    assert!(gap < 1.0, "{what}: the pop-up is {gap} px away from its term");
    width
}

#[test]
fn a_glossary_pop_up_stays_inside_a_phone_screen_near_its_edges() {
    if chromium_or_skip().is_none() {
        return;
    }
    let (_out, server, _browser, mut tab) = example_home();
    let phone = json!({ "width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": true });
    tab.call("Emulation.setDeviceMetricsOverride", phone);
    // The example's page with the most terms in its text.
    let url = format!("http://{}/how-we-work/", server.addr);
    tab.call("Page.navigate", json!({ "url": url }));
    let ready = "document.readyState === 'complete' && !!document.querySelector('a.glossary-term')";
    assert!(eventually(SHOW, || tab.eval(ready) == json!(true)), "no glossary term on the page: {:?}", tab.text());
    let terms = tab.eval("document.querySelectorAll('.glossary-ref > a.glossary-term').length").as_u64().unwrap_or(0);

    // Keyboard only: Tab through the page; every term's pop-up fits.
    let on_term = "document.activeElement.classList.contains('glossary-term') \
                   ? document.activeElement.getAttribute('aria-describedby') : ''";
    let mut seen = std::collections::BTreeSet::new();
    let mut presses = 0;
    while (seen.len() as u64) < terms {
        press(&mut tab, "Tab", "Tab", 9, "");
        presses += 1;
        assert!(presses < 400, "Tab reached {} of {terms} glossary terms", seen.len());
        let tip = tab.eval(on_term).as_str().unwrap_or_default().to_string();
        if !tip.is_empty() && seen.insert(tip.clone()) {
            assert_focused_tip_fits(&mut tab, &tip);
        }
    }

    // The term that starts furthest right, at the bottom of the screen: a pop-up below
    // it and from its left would leave the screen both ways.
    let rightmost = "(() => {
        const all = [...document.querySelectorAll('.glossary-ref > a.glossary-term')];
        const left = a => a.getClientRects()[0].left;
        const a = all.reduce((best, a) => left(a) > left(best) ? a : best);
        a.scrollIntoView({ block: 'end', behavior: 'instant' });
        a.focus();
        const r = a.getClientRects()[0];
        return [r.left, r.bottom, document.documentElement.clientWidth, document.documentElement.clientHeight];
    })()";
    let at = tab.eval(rightmost);
    let (left, bottom) = (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0));
    let width = assert_focused_tip_fits(&mut tab, "the rightmost term at the bottom of the screen");
    assert!(left + width > 375.0, "the term at {left} px leaves room for the {width} px pop-up: no edge was tested");
    assert!(bottom > 700.0, "the term is {bottom} px from the top, not at the bottom edge");

    // Still dismissible with Escape, focus staying on the term.
    press(&mut tab, "Escape", "Escape", 27, "");
    assert_eq!(tab.eval(FOCUSED_TIP), json!(null), "Escape did not hide the pop-up");
    assert_eq!(tab.eval("document.activeElement.classList.contains('glossary-term')"), json!(true));
}
