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
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let args = ["--base-url", "/", "--today", "2026-11-23", "--out", out.path().to_str().expect("UTF-8")];
    let server = Server::start(&example, &args);
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

#[test]
fn a_glossary_entry_lands_below_the_sticky_letter_bar_on_a_phone_and_a_desktop() {
    if chromium_or_skip().is_none() {
        return;
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let args = ["--base-url", "/", "--today", "2026-11-23", "--out", out.path().to_str().expect("UTF-8")];
    let server = Server::start(&example, &args);
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
