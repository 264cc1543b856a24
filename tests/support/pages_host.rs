//! A plain static file server that behaves as GitHub Pages does for a
//! project site, so that a built handbook can be tried where it will live,
//! not only in copbook's own preview (which forgives what Pages does not):
//!
//! - the site is served under its path (`/handbook/`) and nothing outside it;
//! - `x/` serves `x/index.html`; `x`, when it is a folder, redirects (301) to `x/`;
//! - a missing file gets the site's own `404.html` with status 404.
//!
//! One thread per connection, one request per connection: enough for a browser.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A running static host, stopped when dropped.
pub struct PagesHost {
    pub addr: SocketAddr,
    /// Every request served: (path as requested, status).
    pub log: Arc<Mutex<Vec<(String, u16)>>>,
    stop: Arc<AtomicBool>,
}

impl PagesHost {
    /// Serves the folder `root` at `base` ("/handbook/" or "/").
    pub fn start(root: &Path, base: &str) -> PagesHost {
        assert!(base.starts_with('/') && base.ends_with('/'), "a base path like /handbook/: {base}");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let addr = listener.local_addr().expect("its address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let site = Arc::new(Site { root: root.to_path_buf(), base: base.to_string() });
        let (thread_log, thread_stop) = (Arc::clone(&log), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (site, log) = (Arc::clone(&site), Arc::clone(&thread_log));
                std::thread::spawn(move || site.answer(stream, &log));
            }
        });
        PagesHost { addr, log, stop }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for PagesHost {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

struct Site {
    root: PathBuf,
    base: String,
}

/// What the host answers to one path.
#[derive(Debug, PartialEq)]
pub enum Answer {
    File(PathBuf),
    Redirect(String),
    /// The site's 404 page, or a bare "not found" outside the site.
    Missing(Option<PathBuf>),
}

impl Site {
    fn answer(&self, mut stream: TcpStream, log: &Mutex<Vec<(String, u16)>>) {
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
        let mut reader = BufReader::new(match stream.try_clone() {
            Ok(s) => s,
            Err(_) => return,
        });
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        // The headers are read and ignored.
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
            line.clear();
        }
        let mut words = request_line.split_whitespace();
        let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
        let path = target.split(['?', '#']).next().unwrap_or_default().to_string();
        let (status, headers, body) = match self.resolve(&path) {
            Answer::File(file) => (200, format!("Content-Type: {}\r\n", content_type(&file)), read(&file)),
            Answer::Redirect(to) => (301, format!("Location: {to}\r\n"), Vec::new()),
            Answer::Missing(Some(page)) => (404, "Content-Type: text/html; charset=utf-8\r\n".into(), read(&page)),
            Answer::Missing(None) => (404, "Content-Type: text/plain\r\n".into(), b"Not Found\n".to_vec()),
        };
        log.lock().unwrap().push((target.to_string(), status));
        let reason = match status {
            200 => "OK",
            301 => "Moved Permanently",
            _ => "Not Found",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        if method != "HEAD" {
            let _ = stream.write_all(&body);
        }
    }

    fn resolve(&self, path: &str) -> Answer {
        let bare = self.base.trim_end_matches('/');
        if !bare.is_empty() && path == bare {
            return Answer::Redirect(self.base.clone());
        }
        let Some(rest) = path.strip_prefix(&self.base) else { return Answer::Missing(None) };
        let rest = decode(rest);
        let not_found = Answer::Missing(Some(self.root.join("404.html")).filter(|p| p.is_file()));
        if rest.split('/').any(|part| part == ".." || part == ".") || rest.contains('\\') {
            return not_found;
        }
        let file = self.root.join(&rest);
        if rest.is_empty() || rest.ends_with('/') {
            let index = file.join("index.html");
            return if index.is_file() { Answer::File(index) } else { not_found };
        }
        if file.is_dir() {
            return Answer::Redirect(format!("{path}/"));
        }
        if file.is_file() {
            return Answer::File(file);
        }
        not_found
    }
}

/// `%xx` escapes decoded, as a file name on disk is spelled.
fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.filter(|_| bytes[i] == b'%').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read(file: &Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_default()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The host's rules on a tiny site, without a browser.
pub fn self_check() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    super::write(dir.path(), "index.html", "home");
    super::write(dir.path(), "a/index.html", "a");
    super::write(dir.path(), "404.html", "missing");
    let site = Site { root: dir.path().to_path_buf(), base: "/handbook/".into() };
    assert_eq!(site.resolve("/handbook/"), Answer::File(dir.path().join("index.html")));
    assert_eq!(site.resolve("/handbook"), Answer::Redirect("/handbook/".into()));
    assert_eq!(site.resolve("/handbook/a"), Answer::Redirect("/handbook/a/".into()));
    assert_eq!(site.resolve("/handbook/a/"), Answer::File(dir.path().join("a/index.html")));
    assert_eq!(site.resolve("/handbook/b/"), Answer::Missing(Some(dir.path().join("404.html"))));
    assert_eq!(site.resolve("/handbook/../x"), Answer::Missing(Some(dir.path().join("404.html"))));
    assert_eq!(site.resolve("/a/"), Answer::Missing(None), "nothing outside the site's path");
}
