//! Helpers for the `copbook serve` tests: a small handbook written into a
//! temporary folder, the real binary started on a free port, and raw
//! HTTP/1.1 over a socket (so that paths like `/../x` reach the server
//! exactly as written, which real clients would normalise away).

#![allow(dead_code)] // each test file uses its own share of these

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the server may take to print its URL: the first build of a
/// debug binary on a busy machine.
const STARTUP: Duration = Duration::from_secs(60);

/// Every template the fixture needs, so that it builds whatever state the
/// default theme is in. The 404 page and stylesheet are recognisable.
const TEMPLATES: [&str; 11] = [
    "page.html",
    "communities.html",
    "people.html",
    "glossary.html",
    "items.html",
    "review.html",
    "community.html",
    "person.html",
    "item.html",
    "base.html",
    "404.html",
];

/// Writes a small handbook into `dir`: a home page, a section with one
/// page, a community, a standard it owns, and a stylesheet.
pub fn write_fixture(dir: &Path, base_url: Option<&str>) {
    let mut toml = String::from("title = \"Fixture handbook\"\n");
    if let Some(base) = base_url {
        toml.push_str(&format!("base_url = \"{base}\"\n"));
    }
    write(dir, "handbook.toml", &toml);
    write(dir, "index.md", "+++\ntitle = \"Home\"\n+++\nWelcome home.\n");
    write(dir, "section/one.md", &page_one("Original text."));
    write(dir, "communities/access.md", "+++\ntitle = \"Access\"\n+++\nThe access community.\n");
    write(dir, "standards/alt.md", &standard("access"));
    write(dir, "static/x.css", "body { color: red; }\n");
    for name in TEMPLATES {
        let body = match name {
            "404.html" => "FIXTURE-NOT-FOUND {{ page.title }}",
            _ => "{{ page.title }} {{ page.content | safe }}",
        };
        let html = format!(
            "<!DOCTYPE html><html><head><title>{{{{ page.title }}}}</title>\
             <link rel=\"stylesheet\" href=\"/static/x.css\"></head><body>{body}</body></html>\n"
        );
        write(dir, &format!("templates/{name}"), &html);
    }
    write(dir, "templates/nav.html", "<nav></nav>\n");
}

/// The text of `section/one.md` with `text` as its body.
pub fn page_one(text: &str) -> String {
    format!("+++\ntitle = \"Page one\"\n+++\n{text}\n")
}

/// The text of `standards/alt.md`, owned by `owner`.
pub fn standard(owner: &str) -> String {
    format!("+++\ntitle = \"Alt text\"\nowner = \"{owner}\"\n+++\nDescribe images.\n")
}

pub use super::write;

/// A running `copbook serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The base path printed, without its trailing slash: "" or "/handbook".
    pub base: String,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `copbook serve CONTENT --port 0 ARGS...` and waits for its URL.
    pub fn start(content: &Path, args: &[&str]) -> Server {
        Server::start_on(content, 0, args)
    }

    /// The same on a given port.
    pub fn start_on(content: &Path, port: u16, args: &[&str]) -> Server {
        Server::spawn(Command::new(env!("CARGO_BIN_EXE_copbook")), content, port, args)
    }

    /// The same with at most `files` open file descriptors, as `ulimit -n`
    /// sets them.
    pub fn start_with_open_files(content: &Path, files: u32, args: &[&str]) -> Server {
        let mut limited = Command::new("sh");
        limited.args(["-c", &format!("ulimit -n {files} && exec \"$0\" \"$@\""), env!("CARGO_BIN_EXE_copbook")]);
        Server::spawn(limited, content, 0, args)
    }

    fn spawn(mut command: Command, content: &Path, port: u16, args: &[&str]) -> Server {
        let mut child = command
            .arg("serve")
            .arg(content)
            .args(["--port", &port.to_string()])
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start copbook serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            // Always drained, so that a chatty server never blocks on a full pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    stderr.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        let stdout = Arc::new(Mutex::new(String::new()));
        let lines = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        let mut server = Server { child, addr: "127.0.0.1:1".parse().unwrap(), base: String::new(), stderr, stdout };
        let deadline = Instant::now() + STARTUP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("Serving at http://") {
                        let (host, path) = url.split_once('/').expect("a URL with a path");
                        server.addr = host.parse().expect("an address with a port");
                        server.base = format!("/{path}").trim_end_matches('/').to_string();
                        return server;
                    }
                }
                Err(_) => panic!("copbook serve printed no 'Serving at' line; stderr:\n{}", server.stderr()),
            }
        }
    }

    /// What the server printed to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// What the server printed to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn get(&self, path: &str) -> Reply {
        get(self.addr, path)
    }

    /// The process id, to send it signals.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the server to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response, as read off the socket.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `GET path` with `Connection: close`, read to the end (10 s at most).
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    try_get(addr, path, Duration::from_secs(10)).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

pub fn try_get(addr: SocketAddr, path: &str, limit: Duration) -> Result<Reply, String> {
    let mut stream = TcpStream::connect_timeout(&addr, limit).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(limit)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(limit)).map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> Result<Reply, String> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let status =
        status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(format!("bad status line {status_line}"))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).trim(), 16).map_err(|e| e.to_string())?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(raw.get(..size).ok_or("short chunk")?);
        raw = raw.get(size + 2..).ok_or("short chunk")?;
    }
}

/// A raw reader of `/__copbook/events`.
pub struct Events {
    reader: BufReader<TcpStream>,
    /// The token the server greeted with.
    pub hello: String,
}

impl Events {
    /// Connects and waits for the server's greeting, so that every later
    /// rebuild is sure to be seen.
    pub fn connect(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect to the event stream");
        stream
            .write_all(format!("GET /__copbook/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .expect("ask for events");
        let mut events = Events { reader: BufReader::new(stream), hello: String::new() };
        let mut head = String::new();
        events.reader.get_ref().set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        loop {
            let mut line = String::new();
            events.reader.read_line(&mut line).expect("read the event stream's headers");
            if line.trim().is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: text/event-stream"), "{head}");
        let hello = events.next(Duration::from_secs(10));
        match hello {
            Some((name, data)) if name == "hello" => events.hello = data,
            other => panic!("no greeting on the event stream: {other:?}"),
        }
        events
    }

    /// The next event (name, data), skipping comments; `None` after `limit`.
    pub fn next(&mut self, limit: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + limit;
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.reader.get_ref().set_read_timeout(Some(left)).ok()?;
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !name.is_empty() {
                    return Some((name, data));
                }
            } else if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data = v.trim().to_string();
            }
        }
    }
}

/// Polls `check` every 50 ms until it holds or `limit` passes.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A temporary folder holding a fixture handbook (`content/`) and room for
/// an output folder (`out/`).
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new(base_url: Option<&str>) -> Workspace {
        let dir = tempfile::tempdir().expect("a temporary folder");
        write_fixture(&dir.path().join("content"), base_url);
        Workspace { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// `copbook serve content --port 0`, which writes nothing.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    pub fn serve_with(&self, extra: &[&str]) -> Server {
        Server::start(&self.content(), extra)
    }

    /// `copbook serve content --port 0 --out out`: each good build is
    /// written to `out` too.
    pub fn serve_writing(&self) -> Server {
        let out = self.out();
        self.serve_with(&["--out", out.to_str().expect("a UTF-8 temp path")])
    }

    pub fn write(&self, path: &str, text: &str) {
        write(&self.content(), path, text);
    }
}
