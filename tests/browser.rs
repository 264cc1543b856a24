//! `copbook serve` in a real browser: headless Chromium shows a served
//! page, the Markdown source is edited, and the new text must appear in the
//! page's DOM without anyone reloading it.
//!
//! Chromium is driven over the DevTools protocol: JSON messages on a
//! WebSocket (tungstenite), nothing more. That needs only Debian's
//! `chromium` package, no driver binary of a matching version, and never
//! downloads a browser.

mod common {
    pub mod serve_util;
}

use common::serve_util::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long the DOM is watched for a change to show.
const SHOW: Duration = Duration::from_secs(10);

/// Headless Chromium, killed with all its helper processes when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    /// Where the DevTools HTTP endpoints are.
    devtools: std::net::SocketAddr,
}

impl Browser {
    fn launch(url: &str) -> Browser {
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut command = Command::new(CHROMIUM);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                // Containers often have a tiny /dev/shm.
                "--disable-dev-shm-usage",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // Its own process group, so that dropping it ends the helpers too.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn().expect("start chromium");
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Keep reading after the address, so Chromium never blocks on the pipe.
                let _ = tx.send(line);
            }
        });
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let devtools = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("DevTools listening on ws://").nth(1) {
                        let host = rest.split('/').next().unwrap_or_default();
                        break host.parse().expect("a DevTools address");
                    }
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("chromium did not start its DevTools server; it said:\n{seen}");
                }
            }
        };
        Browser { child, _profile: profile, devtools }
    }

    /// The DevTools WebSocket of the tab showing `url`.
    fn tab(&self, url: &str) -> Tab {
        let mut found = None;
        let listed = eventually(Duration::from_secs(20), || {
            let list: Value = serde_json::from_str(&http_get(self.devtools, "/json/list")).unwrap_or(Value::Null);
            found = list.as_array().into_iter().flatten().find_map(|t| {
                let page = t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url));
                page.then(|| t["webSocketDebuggerUrl"].as_str().map(str::to_string)).flatten()
            });
            found.is_some()
        });
        assert!(listed, "chromium lists no tab showing {url}");
        Tab::connect(&found.unwrap_or_default())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain `GET` to Chromium's DevTools HTTP endpoint.
fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(addr) else { return String::new() };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    raw.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default()
}

/// One tab, spoken to over the DevTools protocol.
struct Tab {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Tab {
    fn connect(ws_url: &str) -> Tab {
        let host = ws_url.trim_start_matches("ws://").split('/').next().unwrap_or_default();
        let stream = TcpStream::connect(host).expect("connect to the tab");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let (socket, _) = tungstenite::client(ws_url, stream).expect("open the tab's WebSocket");
        Tab { socket, next_id: 0 }
    }

    /// Evaluates a JavaScript expression in the page; its value as JSON.
    fn eval(&mut self, expression: &str) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({
            "id": id,
            "method": "Runtime.evaluate",
            "params": { "expression": expression, "returnByValue": true },
        });
        self.socket.send(tungstenite::Message::text(message.to_string())).expect("send to the tab");
        loop {
            let reply = self.socket.read().expect("read from the tab");
            let Ok(text) = reply.to_text() else { continue };
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            // Events and older replies are skipped.
            if value["id"] == id {
                return value["result"]["result"]["value"].clone();
            }
        }
    }

    /// The page's visible text ("" while it is loading or reloading).
    fn text(&mut self) -> String {
        self.eval("document.body ? document.body.innerText : ''").as_str().unwrap_or_default().to_string()
    }
}

/// `None` (after saying so loudly) when this machine has no Chromium and
/// is not CI, where a missing browser must fail the run.
fn chromium_or_skip() -> Option<()> {
    if Path::new(CHROMIUM).exists() {
        return Some(());
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("chromium not found at {CHROMIUM}: CI must install Debian's chromium (apt-get install -y chromium)");
    }
    eprintln!("\n********\nSKIPPED: chromium not found at {CHROMIUM} (install Debian's chromium)\n********\n");
    None
}

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
