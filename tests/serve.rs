//! `copbook serve` end to end: the real binary on a free port, spoken to
//! over raw sockets, with a small handbook edited under its feet.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::serve::*;

/// How long a save may take to reach an open page. Generous, because the
/// tests share two cores; a working server takes well under a second.
const RELOAD: Duration = Duration::from_secs(10);

/// The next event after a save, ignoring none.
fn next_event(events: &mut Events) -> String {
    events.next(RELOAD).map(|(name, _)| name).unwrap_or_else(|| "nothing".to_string())
}

#[test]
fn pages_are_served_with_the_livereload_script() {
    let ws = Workspace::new(None);
    let server = ws.serve_writing();
    let page = server.get("/section/one/");
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(page.body.contains("Page one <p>Original text.</p>"), "{}", page.body);
    let script = page.body.find("<script src=\"/__copbook/livereload.js\"").expect("the script is injected");
    assert!(script < page.body.rfind("</body>").expect("the page still ends its body"));

    // Only the served copy has it: the files written with --out stay as built.
    let on_disk = std::fs::read_to_string(ws.out().join("section/one/index.html")).unwrap();
    assert!(on_disk.contains("Original text.") && !on_disk.contains("__copbook"), "{on_disk}");

    let js = server.get("/__copbook/livereload.js");
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").unwrap_or("").starts_with("text/javascript"));
    // The script listens where the tag says the server's events are.
    assert!(js.body.contains("new EventSource(events)"), "{}", js.body);
    assert!(page.body.contains("data-copbook-events=\"/__copbook/events\""), "{}", page.body);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome home."));
}

#[test]
fn static_files_get_their_content_type() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let css = server.get("/static/x.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.body, "body { color: red; }\n", "stylesheets are served as they are");
    // A sitemap needs a full base URL.
    assert_eq!(server.get("/sitemap.xml").status, 404);
    let ws = Workspace::new(Some("https://handbook.example.org/"));
    let xml = ws.serve().get("/sitemap.xml");
    assert_eq!(xml.header("content-type"), Some("application/xml; charset=utf-8"));
}

#[test]
fn unknown_paths_get_the_sites_own_404_page() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    for path in ["/nope/", "/nope", "/section/nope.html", "/static/nope.css"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.body.contains("FIXTURE-NOT-FOUND"), "{path}: {}", reply.body);
    }
}

#[test]
fn folders_redirect_to_their_trailing_slash() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let reply = server.get("/section");
    assert!(matches!(reply.status, 301 | 302), "{reply:?}");
    assert_eq!(reply.header("location"), Some("/section/"));
    let reply = server.get("/section?x=1");
    assert_eq!(reply.header("location"), Some("/section/?x=1"), "the query is kept");
}

#[test]
fn a_base_url_puts_the_site_under_its_path() {
    let ws = Workspace::new(Some("/handbook/"));
    let server = ws.serve();
    assert_eq!(server.base, "/handbook", "the printed URL names the base path");
    let page = server.get("/handbook/section/one/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Original text."));
    let root = server.get("/");
    assert!(matches!(root.status, 301 | 302), "{root:?}");
    assert_eq!(root.header("location"), Some("/handbook/"));
    let bare = server.get("/handbook");
    assert_eq!(bare.header("location"), Some("/handbook/"));
    assert_eq!(server.get("/handbook/").status, 200);
    let outside = server.get("/section/one/");
    assert_eq!(outside.status, 404, "paths outside the base path are not the site");
    assert!(outside.body.contains("FIXTURE-NOT-FOUND"));
}

#[test]
fn the_base_url_option_overrides_the_config() {
    let ws = Workspace::new(None);
    let server = ws.serve_with(&["--base-url", "https://example.org/docs/"]);
    assert_eq!(server.base, "/docs");
    assert_eq!(server.get("/docs/section/one/").status, 200);
}

#[test]
fn paths_never_reach_outside_the_site() {
    let ws = Workspace::new(None);
    let secret = "TOP-SECRET-beside-the-handbook";
    std::fs::write(ws.dir.path().join("secret.txt"), secret).unwrap();
    let server = ws.serve();

    // Created after startup, as an author's tool might: a file of the
    // build turned into a symlink leading out, and links in the folder.
    #[cfg(unix)]
    {
        let content = ws.content();
        std::fs::remove_file(content.join("static/x.css")).unwrap();
        std::os::unix::fs::symlink(ws.dir.path().join("secret.txt"), content.join("static/x.css")).unwrap();
        std::os::unix::fs::symlink(ws.dir.path().join("secret.txt"), content.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(ws.dir.path(), content.join("up")).unwrap();
    }
    let attempts = [
        "/../Cargo.toml",
        "/../secret.txt",
        "/section/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2fetc/passwd",
        "/..%2Fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/static/%00x.css",
        "/C:/Windows/win.ini",
        "/leak.txt",
        "/up/secret.txt",
        "/up/content/handbook.toml",
        "/static/x.css",
        "/static/../../secret.txt",
        "/handbook.toml",
        // `/index.md` is the home page's published Markdown (`source_markdown`), not a file read from disk.
    ];
    for path in attempts {
        let reply = server.get(path);
        assert!(matches!(reply.status, 400 | 403 | 404), "{path}: {}", reply.status);
        assert!(!reply.body.contains(secret), "{path} leaked the secret");
        assert!(!reply.body.contains("root:"), "{path} leaked /etc/passwd");
        assert!(!reply.body.contains("[package]") && !reply.body.contains("title = "), "{path} leaked a file");
    }
    // The site is still served.
    assert_eq!(server.get("/section/one/").status, 200);
}

#[test]
fn an_edit_reloads_open_pages_with_the_new_text() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    ws.write("section/one.md", &page_one("Freshly edited words."));
    assert_eq!(next_event(&mut events), "reload");
    let page = server.get("/section/one/");
    assert!(page.body.contains("Freshly edited words."), "{}", page.body);
    assert!(!page.body.contains("Original text."));
    // The files serve makes only when they are read carry the edit too.
    for path in ["/print/", "/section/one/index.md"] {
        let file = server.get(path);
        assert_eq!(file.status, 200, "{path}");
        assert!(
            file.body.contains("Freshly edited words.") && !file.body.contains("Original text."),
            "{path}: {}",
            file.body
        );
    }
    // The search index (made when first asked for) knows the new words, and not the old.
    assert_eq!(server.get("/search/index.json").status, 200);
    let shards: Vec<String> = (0..)
        .map(|n| server.get(&format!("/search/s/{n}.json")))
        .take_while(|reply| reply.status == 200)
        .map(|reply| reply.body)
        .collect();
    assert!(shards.iter().any(|s| s.contains("\"freshly\"")), "{shards:?}");
    assert!(!shards.iter().any(|s| s.contains("\"original\"")), "{shards:?}");
}

#[test]
fn pages_carry_the_token_the_event_stream_greets_with() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let token_of =
        |body: &str| body.split("data-copbook-token=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string);
    let first = Events::connect(server.addr);
    assert_eq!(token_of(&server.get("/section/one/").body), Some(first.hello.clone()), "a fresh page matches");
    ws.write("section/one.md", &page_one("Newer."));
    let mut events = Events::connect(server.addr);
    // Connected maybe before the rebuild, maybe after: wait for it either way.
    let _ = events.next(Duration::from_secs(2));
    assert!(eventually(RELOAD, || server.get("/section/one/").body.contains("Newer.")));
    let later = Events::connect(server.addr);
    assert_ne!(later.hello, first.hello, "a page from before the rebuild would see a new token and reload");
    assert_eq!(token_of(&server.get("/section/one/").body), Some(later.hello.clone()));

    // Another run of the server greets differently even before any rebuild,
    // so that pages open across a restart reload once they reconnect.
    let other_ws = Workspace::new(None);
    let other = other_ws.serve();
    assert_ne!(Events::connect(other.addr).hello.split('-').next(), first.hello.split('-').next());
}

#[test]
fn creating_and_deleting_pages_rebuilds_and_keeps_the_folder_in_step() {
    let ws = Workspace::new(None);
    let server = ws.serve_writing();
    let mut events = Events::connect(server.addr);
    ws.write("section/two.md", "+++\ntitle = \"Page two\"\n+++\nA new page.\n");
    assert_eq!(next_event(&mut events), "reload");
    assert!(server.get("/section/two/").body.contains("A new page."));

    std::fs::remove_file(ws.content().join("section/one.md")).unwrap();
    assert_eq!(next_event(&mut events), "reload");
    assert_eq!(server.get("/section/one/").status, 404);
    // The reload goes out before --out is written, so the disk follows shortly.
    assert!(
        eventually(RELOAD, || !ws.out().join("section/one").exists()),
        "the deleted page's files are gone from disk"
    );

    // An editor's save: write a temporary file, then rename it over the page.
    ws.write("section/two.md.tmp", "+++\ntitle = \"Page two\"\n+++\nRenamed into place.\n");
    std::fs::rename(ws.content().join("section/two.md.tmp"), ws.content().join("section/two.md")).unwrap();
    assert!(
        eventually(RELOAD, || server.get("/section/two/").body.contains("Renamed into place.")),
        "{}",
        server.stderr()
    );
}

#[test]
fn a_burst_of_saves_makes_one_rebuild() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    let built = |s: &Server| s.stderr().matches("copbook: built").count();
    // The first build's line may still be on its way through the pipe.
    assert!(eventually(RELOAD, || built(&server) == 1), "{}", server.stderr());
    let before = built(&server);
    // Roughly what vim does on :w, then a few more quick writes.
    let content = ws.content();
    std::fs::write(content.join("section/4913"), "").unwrap();
    std::fs::remove_file(content.join("section/4913")).unwrap();
    std::fs::write(content.join("section/.one.md.swp"), "swap").unwrap();
    std::fs::rename(content.join("section/one.md"), content.join("section/one.md~")).unwrap();
    for i in 0..5 {
        ws.write("section/one.md", &page_one(&format!("Burst {i}.")));
    }
    std::fs::remove_file(content.join("section/one.md~")).unwrap();
    assert_eq!(next_event(&mut events), "reload");
    // Anything else would come within the debounce window; allow plenty.
    assert_eq!(events.next(Duration::from_millis(1500)), None, "a second event for one burst");
    assert_eq!(built(&server), before + 1, "{}", server.stderr());
    assert!(server.get("/section/one/").body.contains("Burst 4."));

    // Changes to hidden files alone rebuild nothing.
    std::fs::write(content.join("section/.notes.md.swp"), "swap").unwrap();
    assert_eq!(events.next(Duration::from_millis(1000)), None);
    assert_eq!(built(&server), before + 1);
}

#[test]
fn a_broken_edit_shows_an_error_banner_and_a_fix_clears_it() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);

    // An owner that names no community, with markup in it.
    ws.write("standards/alt.md", &standard("<b>nope</b>"));
    assert_eq!(next_event(&mut events), "reload");
    let page = server.get("/section/one/");
    assert_eq!(page.status, 200, "the last good page is still served");
    assert!(page.body.contains("Original text."));
    assert!(page.body.contains("role=\"alertdialog\""), "{}", page.body);
    assert!(page.body.contains("standards/alt.md:3"), "{}", page.body);
    assert!(page.body.contains("&lt;b&gt;nope&lt;/b&gt;"), "the message is escaped: {}", page.body);
    assert!(!page.body.contains("<b>nope</b>"));
    // The terminal names the place too (its pipe may lag behind the event).
    assert!(eventually(RELOAD, || server.stderr().contains("standards/alt.md:3")), "{}", server.stderr());

    // Unterminated front matter, on top.
    ws.write("section/one.md", "+++\ntitle = \"Page one\"\nNever closed.\n");
    assert_eq!(next_event(&mut events), "reload");
    let page = server.get("/section/one/");
    assert!(page.body.contains("section/one.md:1"), "{}", page.body);
    assert!(page.body.contains("never closed"), "{}", page.body);
    assert!(server.get("/static/x.css").status == 200, "other files are served too");

    ws.write("standards/alt.md", &standard("access"));
    ws.write("section/one.md", &page_one("Fixed and saved."));
    assert_eq!(next_event(&mut events), "reload");
    let page = server.get("/section/one/");
    assert!(page.body.contains("Fixed and saved."), "{}", page.body);
    assert!(!page.body.contains("alertdialog"), "the banner is gone: {}", page.body);
}

#[test]
fn a_failed_first_build_serves_an_error_page_until_fixed() {
    let ws = Workspace::new(None);
    ws.write("section/one.md", "+++\ntitle = \"Page one\"\nNever closed.\n");
    let server = ws.serve();
    let page = server.get("/section/one/");
    assert_eq!(page.status, 500);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.body.contains("section/one.md:1"), "{}", page.body);
    assert!(page.body.contains("/__copbook/livereload.js"), "the error page reloads by itself");

    let mut events = Events::connect(server.addr);
    ws.write("section/one.md", &page_one("Working now."));
    assert_eq!(next_event(&mut events), "reload");
    let page = server.get("/section/one/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Working now."));
}

#[test]
fn a_stylesheet_change_refreshes_styles_only() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    ws.write("static/x.css", "body { color: blue; }\n");
    assert_eq!(next_event(&mut events), "css");
    assert_eq!(server.get("/static/x.css").body, "body { color: blue; }\n");
    ws.write("section/one.md", &page_one("And then a page."));
    assert_eq!(next_event(&mut events), "reload", "a page change still reloads");
}

#[test]
fn the_poll_watcher_sees_edits_too() {
    let ws = Workspace::new(None);
    let server = ws.serve_with(&["--poll"]);
    let mut events = Events::connect(server.addr);
    ws.write("section/one.md", &page_one("Seen by polling."));
    assert_eq!(next_event(&mut events), "reload");
    assert!(server.get("/section/one/").body.contains("Seen by polling."));
}

#[test]
fn many_parallel_requests_are_answered_during_rebuilds() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let addr = server.addr;
    let content = ws.content();
    let editor = std::thread::spawn(move || {
        for i in 0..15 {
            write(&content, "section/one.md", &page_one(&format!("Edit {i}.")));
            std::thread::sleep(Duration::from_millis(70));
        }
    });
    let clients: Vec<_> = (0..200)
        .map(|i| {
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for j in 0..5 {
                    let path = if (i + j) % 3 == 0 { "/static/x.css" } else { "/section/one/" };
                    match try_get(addr, path, Duration::from_secs(30)) {
                        Ok(r) if r.status == 200 && !r.body.is_empty() => {}
                        Ok(r) => failures.push(format!("{path}: {} {}", r.status, r.body)),
                        Err(e) => failures.push(format!("{path}: {e}")),
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    editor.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} of 1000 requests failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(eventually(RELOAD, || server.get("/section/one/").body.contains("Edit 14.")), "{}", server.stderr());
}

#[test]
fn a_silent_client_does_not_block_others() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let silent = TcpStream::connect(server.addr).unwrap();
    let mut halfway = TcpStream::connect(server.addr).unwrap();
    halfway.write_all(b"GET /section/one/ HTTP/1.1\r\nHost: x\r\n").unwrap();
    // An event stream whose reader never reads.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.write_all(b"GET /__copbook/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    for _ in 0..3 {
        let started = Instant::now();
        let reply =
            try_get(server.addr, "/section/one/", Duration::from_secs(5)).expect("a normal request is answered");
        assert_eq!(reply.status, 200);
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }
    drop((silent, halfway, stream));
}

#[test]
fn a_burst_of_browser_connections_is_answered() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    // Like a browser loading a page: several connections at once, each
    // kept open after its response unless the server says to close it.
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    for round in 0..3 {
        let conns: Vec<TcpStream> = (0..12)
            .map(|_| {
                let mut s = TcpStream::connect(server.addr).unwrap();
                s.write_all(b"GET /static/x.css HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                s
            })
            .collect();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|mut conn| {
                let kept = std::sync::Arc::clone(&kept);
                std::thread::spawn(move || {
                    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    let mut got = Vec::new();
                    let mut buf = [0u8; 512];
                    while !String::from_utf8_lossy(&got).contains("color: red") {
                        match std::io::Read::read(&mut conn, &mut buf) {
                            Ok(0) | Err(_) => return false,
                            Ok(n) => got.extend_from_slice(&buf[..n]),
                        }
                    }
                    if !String::from_utf8_lossy(&got).to_ascii_lowercase().contains("connection: close") {
                        kept.lock().unwrap().push(conn);
                    }
                    true
                })
            })
            .collect();
        let answered = clients.into_iter().filter_map(|c| c.join().ok()).filter(|ok| *ok).count();
        assert_eq!(answered, 12, "round {round}: {answered} of 12 connections answered");
    }
}

#[test]
fn a_crowd_of_stalled_clients_does_not_block_others() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    // A burst of connections that never finish a request. tiny_http 0.12's
    // pool can queue the good request behind them, where only the server's
    // own connections every 100 ms (serve/http.rs `nudge`) reach it:
    // without them this fails.
    let stalled: Vec<TcpStream> = (0..40)
        .map(|i| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            if i % 2 == 0 {
                s.write_all(b"GET /section/one/ HTTP/1.1\r\nHost: x\r\n").unwrap();
            }
            s
        })
        .collect();
    for _ in 0..3 {
        let started = Instant::now();
        let reply =
            try_get(server.addr, "/section/one/", Duration::from_secs(20)).expect("a normal request is answered");
        assert_eq!(reply.status, 200);
        assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    }
    drop(stalled);
}

#[test]
fn only_get_and_head_are_answered() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"DELETE /section/one/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut raw = String::new();
    std::io::Read::read_to_string(&mut s, &mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
    assert!(ws.content().join("section/one.md").exists());
    assert_eq!(server.get("/section/one/").status, 200);
}

/// Every file and folder under `dir`, as paths relative to it.
fn tree(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(folder) = todo.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            if path.is_dir() && !path.is_symlink() {
                todo.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(unix)]
#[test]
fn serving_writes_nothing_and_ctrl_c_stops_it() {
    let ws = Workspace::new(None);
    let before = tree(ws.dir.path());
    let mut server = ws.serve();
    let mut events = Events::connect(server.addr);
    ws.write("section/one.md", &page_one("Edited while serving."));
    assert_eq!(next_event(&mut events), "reload");
    assert!(server.get("/section/one/").body.contains("Edited while serving."));
    assert_eq!(tree(ws.dir.path()), before, "the preview comes from memory: nothing is written");
    let leftover = std::env::temp_dir().join(format!("copbook-serve-{}", server.id()));
    assert!(!leftover.exists(), "no temporary preview folder either");

    let killed = std::process::Command::new("kill").args(["-INT", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = server.wait_exit(Duration::from_secs(10)).expect("copbook serve stops on Ctrl-C");
    assert!(status.success(), "{status:?}");
}

/// Threads of a running process, from /proc (Linux only).
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line["Threads:".len()..].trim().parse().unwrap()
}

/// Opens an event stream, reads its status line and closes it: a tab
/// that is opened and then closed (or navigated away). The status.
fn open_and_close_a_tab(addr: std::net::SocketAddr) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(b"GET /__copbook/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        match std::io::Read::read(&mut stream, &mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[test]
fn a_closed_event_stream_frees_its_slot_at_once() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    // 300 tabs one after the other, each closed before the next opens:
    // never more than one is open, so none may be refused.
    let refused = (0..300).filter(|_| open_and_close_a_tab(server.addr) != 200).count();
    eprintln!("300 tabs opened and closed in turn: {refused} refused");
    assert_eq!(refused, 0, "{refused} of 300 tabs were refused");
}

/// Writes `GET path` on a new connection, asking the server to close it
/// after the response, and returns the connection unread.
fn ask(addr: std::net::SocketAddr, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    s
}

#[test]
fn every_response_says_connection_close_and_closes_when_the_client_agrees() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    // A browser's request: it keeps the connection unless told otherwise.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /section/one/ HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&raw).contains("</html>") {
        match std::io::Read::read(&mut s, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 200") && text.contains("Original text."), "{text}");
    assert!(text.contains("\r\nConnection: close\r\n"), "{text}");

    // One that agrees (as browsers do after that header) has its socket
    // closed by the server as soon as the response is written. tiny_http
    // 0.12 can do no more: it reads on for a next request until the client
    // closes or says `Connection: close` itself.
    let mut s = ask(server.addr, "/section/one/");
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut raw = Vec::new();
    let read = std::io::Read::read_to_end(&mut s, &mut raw);
    assert!(read.is_ok(), "the socket was left open after the response: {read:?}");
    assert!(String::from_utf8_lossy(&raw).contains("Original text."));
}

/// How long the server waits for a silent client (serve/http.rs
/// `READ_TIMEOUT`), with room for a loaded machine.
const SILENCE_ENDS: Duration = Duration::from_secs(5 + 10);

#[cfg(target_os = "linux")]
#[test]
fn silent_connections_are_closed_and_give_their_threads_back() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let before = threads_of(server.id());
    const HELD: usize = 600;
    // Sockets that connect and send nothing, as a misbehaving client would
    // hold them: each costs the server a thread, but only until it has
    // been silent for the read timeout.
    let mut held: Vec<TcpStream> = (0..HELD).map(|_| TcpStream::connect(server.addr).unwrap()).collect();
    let started = Instant::now();
    let reply = try_get(server.addr, "/section/one/", Duration::from_secs(30));
    let took = started.elapsed();
    assert_eq!(reply.expect("an answer, not a hang").status, 200);
    std::thread::sleep(Duration::from_millis(500));
    let during = threads_of(server.id());
    eprintln!("threads: {before} before, {during} with {HELD} silent sockets; a new request took {took:?}");
    // The client keeps every socket open; the server closes them.
    for socket in &mut held {
        socket.set_read_timeout(Some(SILENCE_ENDS)).unwrap();
        let mut byte = [0u8; 1];
        let read = std::io::Read::read(socket, &mut byte);
        assert!(
            matches!(read, Ok(0)) || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "a silent socket was still open {:?} after it connected",
            started.elapsed()
        );
    }
    // tiny_http's idle threads end when 5 s pass without a connection for
    // them; the server's own connection every 100 ms (serve/http.rs
    // `nudge`) keeps at most 50 of them waiting.
    let back = || threads_of(server.id()) <= before + 50;
    assert!(eventually(Duration::from_secs(20), back), "{} threads", threads_of(server.id()));
    assert_eq!(server.get("/section/one/").status, 200);
    drop(held);
}

#[test]
fn an_open_page_outlives_the_read_timeout_and_still_reloads() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    // The event stream's client never sends again: the read timeout ends
    // tiny_http's reading, not the stream the server writes.
    std::thread::sleep(Duration::from_secs(7));
    ws.write("section/one.md", &page_one("Written after a long quiet."));
    assert_eq!(next_event(&mut events), "reload");
    assert!(server.get("/section/one/").body.contains("Written after a long quiet."));
}

#[cfg(target_os = "linux")]
#[test]
fn a_server_out_of_file_descriptors_takes_connections_again_once_they_close() {
    // With every descriptor taken by silent clients, accept() fails and
    // tiny_http ends its accept loop for good; once the read timeout has
    // closed them, a new loop must take over.
    let ws = Workspace::new(None);
    let server = Server::start_with_open_files(&ws.content(), 64, &[]);
    // 64 descriptors leave room for about 27 connections (two each).
    let silent: Vec<TcpStream> =
        (0..40).filter_map(|_| TcpStream::connect_timeout(&server.addr, Duration::from_secs(1)).ok()).collect();
    std::thread::sleep(Duration::from_secs(1));
    // Each round: the loop takes what it can, the silent ones are closed
    // after the read timeout, the stalled loop is noticed 6 s later.
    let reply = try_get(server.addr, "/section/one/", Duration::from_secs(90));
    assert_eq!(reply.expect("an answer once the silent clients were closed").status, 200);
    drop(silent);
    assert_eq!(server.get("/section/one/").status, 200);
}

#[cfg(target_os = "linux")]
#[test]
fn a_server_stopped_longer_than_the_read_timeout_serves_again_when_continued() {
    // Ctrl-Z, then `fg` later. The listener's read timeout also bounds
    // accept(); the kernel restarts the accept a stop interrupted with a
    // fresh timeout, and this keeps it that way.
    let ws = Workspace::new(None);
    let server = ws.serve();
    let pid = server.id().to_string();
    let signal = |name: &str| {
        let status = std::process::Command::new("kill").args([name, &pid]).status().unwrap();
        assert!(status.success(), "kill {name} {pid}");
    };
    signal("-STOP");
    std::thread::sleep(Duration::from_secs(7));
    signal("-CONT");
    let reply = try_get(server.addr, "/section/one/", Duration::from_secs(20));
    assert_eq!(reply.expect("an answer after SIGCONT").status, 200);
}

#[test]
fn requests_beyond_the_waiting_cap_are_answered_503() {
    let ws = Workspace::new(None);
    // Larger than what loopback buffers take, so that a worker writing it
    // to a client that never reads is stuck (for the 10 s send timeout).
    std::fs::write(ws.content().join("static/big.bin"), vec![b'x'; 48 << 20]).unwrap();
    let server = ws.serve();
    let stuck: Vec<TcpStream> = (0..8).map(|_| ask(server.addr, "/static/big.bin")).collect();
    std::thread::sleep(Duration::from_millis(1000));
    // With every worker stuck, requests wait, up to the cap (512).
    let waiting: Vec<TcpStream> = (0..512 + 64).map(|_| ask(server.addr, "/section/one/")).collect();
    std::thread::sleep(Duration::from_millis(1000));
    let (mut refused, mut answered) = (0, 0);
    for s in &waiting {
        s.set_nonblocking(true).unwrap();
        let mut head = [0u8; 16];
        match s.peek(&mut head) {
            Ok(n) if head[..n].starts_with(b"HTTP/1.1 503") => refused += 1,
            Ok(n) if n > 0 => answered += 1,
            _ => {}
        }
    }
    eprintln!("with the workers stuck, of {} requests {refused} got 503, {answered} another answer", waiting.len());
    assert_eq!(answered, 0, "a worker was free after all");
    assert!((1..=64).contains(&refused), "{refused} refused beyond 512 waiting");

    // Once the stuck clients go, every waiting request is answered.
    drop(stuck);
    for mut s in waiting {
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut raw).expect("an answer, then the close");
        let text = String::from_utf8_lossy(&raw);
        let refused_politely = text.starts_with("HTTP/1.1 503") && text.contains("Retry-After: 1");
        assert!(text.starts_with("HTTP/1.1 200") || refused_politely, "{text}");
    }
    assert_eq!(server.get("/section/one/").status, 200);
}

#[test]
fn binding_to_every_interface_says_where_and_warns() {
    let ws = Workspace::new(None);
    let local = ws.serve();
    assert!(!local.stderr().contains("anyone"), "the default stays on this machine: {}", local.stderr());
    assert!(!local.stdout().contains("Listening on"), "{}", local.stdout());
    drop(local);

    let server = ws.serve_with(&["--bind", "0.0.0.0"]);
    let port = server.addr.port();
    let said = server.stdout();
    assert!(said.contains(&format!("Listening on 0.0.0.0:{port} (every network interface)")), "{said}");
    assert!(said.contains(&format!("Serving at http://127.0.0.1:{port}/")), "a URL this machine can open: {said}");
    assert!(
        eventually(RELOAD, || server.stderr().contains(&format!("warning: listening on 0.0.0.0:{port}, so anyone"))),
        "{}",
        server.stderr()
    );
    assert!(server.stderr().contains("drafts included"), "{}", server.stderr());
    assert_eq!(server.get("/section/one/").status, 200);
}

/// Copies a folder and everything in it.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_deleted_folder_keeps_the_last_build_and_is_followed_again_when_back() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    let content = ws.content();
    let saved = ws.dir.path().join("saved");
    copy_tree(&content, &saved);

    std::fs::remove_dir_all(&content).unwrap();
    assert_eq!(next_event(&mut events), "reload", "open pages learn of it");
    let page = server.get("/section/one/");
    assert_eq!(page.status, 200, "the last good build is still served");
    assert!(page.body.contains("Original text."), "{}", page.body);
    assert!(page.body.contains("role=\"alertdialog\"") && page.body.contains("is gone"), "{}", page.body);
    assert!(server.get("/").body.contains("Welcome home."), "not an empty site");
    assert!(eventually(RELOAD, || server.stderr().contains("is gone")), "{}", server.stderr());

    // Back, as a new folder (whole at once, so no half-copied build is
    // seen): file events are watched again, without --poll.
    std::fs::rename(&saved, &content).unwrap();
    assert_eq!(next_event(&mut events), "reload", "{}", server.stderr());
    let page = server.get("/section/one/");
    assert!(page.body.contains("Original text.") && !page.body.contains("is gone"), "{}", page.body);
    ws.write("section/one.md", &page_one("Edited after the folder came back."));
    assert_eq!(next_event(&mut events), "reload", "{}", server.stderr());
    assert!(server.get("/section/one/").body.contains("Edited after the folder came back."));
}

#[test]
fn a_folder_swapped_for_a_new_one_at_once_is_followed() {
    let ws = Workspace::new(None);
    let server = ws.serve();
    let mut events = Events::connect(server.addr);
    let content = ws.content();
    let fresh = ws.dir.path().join("fresh");
    copy_tree(&content, &fresh);
    write(&fresh, "section/one.md", &page_one("From the new folder."));
    // Gone and back before the server looks: the watcher was on the old one.
    std::fs::remove_dir_all(&content).unwrap();
    std::fs::rename(&fresh, &content).unwrap();
    assert!(eventually(RELOAD, || server.get("/section/one/").body.contains("From the new folder.")));
    let _ = events.next(Duration::from_secs(1));
    ws.write("section/one.md", &page_one("Edited in the new folder."));
    assert!(
        eventually(RELOAD, || server.get("/section/one/").body.contains("Edited in the new folder.")),
        "{}",
        server.stderr()
    );
}

#[test]
fn an_output_folder_that_cannot_be_written_is_shown_on_the_page() {
    let ws = Workspace::new(None);
    let parent = ws.dir.path().join("site");
    let out = parent.join("out");
    let server = ws.serve_with(&["--out", out.to_str().unwrap()]);
    assert!(out.join("section/one/index.html").exists());
    let mut events = Events::connect(server.addr);

    // Its folder turned into a file: unwritable even for root, who could
    // write into a read-only folder.
    std::fs::remove_dir_all(&parent).unwrap();
    std::fs::write(&parent, "in the way").unwrap();
    ws.write("section/one.md", &page_one("Saved while the output was blocked."));
    // Open pages reload with the new build first, and again once the folder
    // turns out to be unwritable.
    assert_eq!(next_event(&mut events), "reload");
    assert!(eventually(RELOAD, || server.get("/section/one/").body.contains("could not write the site to")));
    let page = server.get("/section/one/");
    assert!(page.body.contains("Saved while the output was blocked."), "the preview goes on: {}", page.body);
    assert!(page.body.contains("role=\"alertdialog\""), "{}", page.body);
    assert!(page.body.contains("could not write the site to"), "{}", page.body);
    assert!(page.body.contains(&*out.to_string_lossy()), "the banner names the folder: {}", page.body);
    assert!(eventually(RELOAD, || server.stderr().contains("could not write the site to")), "{}", server.stderr());

    // Writable again: the next save is written and the banner goes.
    std::fs::remove_file(&parent).unwrap();
    ws.write("section/one.md", &page_one("Written again."));
    assert_eq!(next_event(&mut events), "reload");
    let fixed = || server.get("/section/one/").body;
    assert!(
        eventually(RELOAD, || fixed().contains("Written again.") && !fixed().contains("could not write")),
        "{}",
        fixed()
    );
    assert!(std::fs::read_to_string(out.join("section/one/index.html")).unwrap().contains("Written again."));
}

#[test]
fn an_output_folder_copbook_did_not_write_stops_serve_at_once() {
    let ws = Workspace::new(None);
    let out = ws.out();
    write(&out, "thesis.txt", "precious");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_copbook"))
        .args(["serve", "--port", "0", "--out"])
        .arg(&out)
        .arg(ws.content())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stderr).contains("not written by copbook"), "{status:?}");
    assert_eq!(std::fs::read_to_string(out.join("thesis.txt")).unwrap(), "precious");
}

#[test]
fn drafts_are_previewed_marked_only_with_the_drafts_flag() {
    let ws = Workspace::new(None);
    ws.write("section/wip.md", "+++\ntitle = \"Work in progress\"\ndraft = true\n+++\nNot ready.\n");
    // The default theme, which marks drafts, rather than the fixture's plain template.
    let _ = std::fs::remove_dir_all(ws.content().join("templates"));
    let plain = ws.serve();
    assert_eq!(plain.get("/section/wip/").status, 404, "no draft without --drafts");
    drop(plain);
    let drafts = ws.serve_with(&["--drafts"]);
    let page = drafts.get("/section/wip/");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("Not ready.") && page.body.contains("<p class=\"callout-title\">Draft</p>"),
        "{}",
        page.body
    );
    let published = drafts.get("/section/one/");
    assert!(!published.body.contains("callout-title\">Draft<"), "only drafts are marked");
}

#[test]
fn quiet_prints_the_url_line_and_errors_only() {
    let ws = Workspace::new(None);
    // An image without alt text: a warning, which --quiet leaves out.
    ws.write("section/one.md", &page_one("![](/static/x.css)"));
    let server = ws.serve_with(&["--quiet"]);
    let mut events = Events::connect(server.addr);
    assert_eq!(server.stdout().lines().collect::<Vec<_>>(), [format!("Serving at http://{}/", server.addr)]);
    ws.write("section/one.md", &page_one("Saved quietly, still without alt: ![](/static/x.css)"));
    assert_eq!(next_event(&mut events), "reload");
    assert!(server.get("/section/one/").body.contains("Saved quietly"));
    // An error is still said, with its place.
    ws.write("standards/alt.md", &standard("nobody"));
    assert_eq!(next_event(&mut events), "reload");
    assert!(eventually(RELOAD, || server.stderr().contains("standards/alt.md:3")), "{}", server.stderr());
    let said = server.stderr();
    for chatter in ["warning", "image", "copbook: built"] {
        assert!(!said.contains(chatter), "--quiet printed {chatter:?}:\n{said}");
    }
    assert_eq!(server.stdout().lines().count(), 1, "only the URL line on stdout: {}", server.stdout());

    // Without --quiet the same handbook says both.
    ws.write("standards/alt.md", &standard("access"));
    let loud = ws.serve_with(&[]);
    assert!(eventually(RELOAD, || loud.stderr().contains("copbook: built")), "{}", loud.stderr());
    assert!(loud.stderr().contains("warning"), "{}", loud.stderr());
}
