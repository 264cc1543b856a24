//! Headless Chromium driven over the DevTools protocol: JSON messages on a
//! WebSocket (tungstenite), nothing more. That needs only Debian's
//! `chromium` package, no driver binary of a matching version, and never
//! downloads a browser.
#![allow(dead_code)]

use super::serve::eventually;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long the DOM is watched for a change to show.
pub const SHOW: Duration = Duration::from_secs(10);

/// Headless Chromium, killed with all its helper processes when dropped.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    /// Where the DevTools HTTP endpoints are.
    devtools: std::net::SocketAddr,
}

impl Browser {
    pub fn launch(url: &str) -> Browser {
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
    pub fn tab(&self, url: &str) -> Tab {
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
pub struct Tab {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
    /// The events Chromium sent (for the domains a test enabled), oldest first.
    events: Vec<Value>,
}

impl Tab {
    pub fn connect(ws_url: &str) -> Tab {
        let host = ws_url.trim_start_matches("ws://").split('/').next().unwrap_or_default();
        let stream = TcpStream::connect(host).expect("connect to the tab");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let (socket, _) = tungstenite::client(ws_url, stream).expect("open the tab's WebSocket");
        Tab { socket, next_id: 0, events: Vec::new() }
    }

    /// Evaluates a JavaScript expression in the page; its value as JSON.
    pub fn eval(&mut self, expression: &str) -> Value {
        self.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }))["result"]["value"]
            .clone()
    }

    /// Evaluates an expression whose value is a promise, waiting for it:
    /// up to a minute, since axe on a long page of a loaded machine can
    /// take longer than the 10 s any other reply gets.
    pub fn eval_async(&mut self, expression: &str) -> Value {
        let params = json!({ "expression": expression, "returnByValue": true, "awaitPromise": true });
        let stream = self.socket.get_mut();
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("set the tab's read timeout");
        let value = self.call("Runtime.evaluate", params)["result"]["value"].clone();
        let stream = self.socket.get_mut();
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set the tab's read timeout");
        value
    }

    /// Sends one DevTools command and returns its `result`.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "id": id, "method": method, "params": params });
        self.socket.send(tungstenite::Message::text(message.to_string())).expect("send to the tab");
        loop {
            let reply = self.socket.read().expect("read from the tab");
            let Ok(text) = reply.to_text() else { continue };
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if value["id"] == id {
                return value["result"].clone();
            }
            // Events are kept for `take_events`; older replies are skipped.
            if value.get("method").is_some() {
                self.events.push(value);
            }
        }
    }

    /// Renders as a reader who chose `scheme` ("light" or "dark") would see it.
    pub fn prefer_color_scheme(&mut self, scheme: &str) {
        let media = json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] });
        self.call("Emulation.setEmulatedMedia", media);
    }

    /// The events received so far, emptying the list. A call after the
    /// thing to watch makes sure its events have arrived.
    pub fn take_events(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.events)
    }

    /// The page's visible text ("" while it is loading or reloading).
    pub fn text(&mut self) -> String {
        self.eval("document.body ? document.body.innerText : ''").as_str().unwrap_or_default().to_string()
    }
}

/// `None` (after saying so loudly) when this machine has no Chromium and
/// is not CI, where a missing browser must fail the run.
pub fn chromium_or_skip() -> Option<()> {
    if Path::new(CHROMIUM).exists() {
        return Some(());
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("chromium not found at {CHROMIUM}: CI must install Debian's chromium (apt-get install -y chromium)");
    }
    eprintln!("\n********\nSKIPPED: chromium not found at {CHROMIUM} (install Debian's chromium)\n********\n");
    None
}
