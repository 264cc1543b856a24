//! The HTTP side: tiny_http reads the connections, a fixed pool of
//! workers answers the requests from the build in memory.
//!
//! tiny_http 0.12 reads each connection on a thread of its own pool and
//! queues the parsed requests. One dispatcher thread moves them into a
//! bounded queue that [`WORKERS`] threads take from; when that queue is
//! full, the request is answered 503 at once instead of waiting without
//! bound. Answering is only copying bytes, so a few workers keep up with
//! many tabs. Event streams are handed to [`livereload`] at once, so they
//! never hold a worker.
//!
//! What tiny_http 0.12 leaves to its users, and how this file copes:
//! - its pool can queue a new connection behind busy ones: see [`nudge`];
//! - it keeps reading a connection for the next request after every
//!   response, and a response cannot ask it to stop (it drops a
//!   `Connection` header): every response is written here, with
//!   `Connection: close`, which browsers honour; a client that asked for
//!   `Connection: close` itself has its socket closed by tiny_http;
//! - it sets no timeouts (its issue #221), so a client that connects and
//!   sends nothing, or stops reading, would hold a thread for ever.
//!   Connections inherit both timeouts from the listening socket (Linux,
//!   macOS, the BSDs), set in [`start`]: a read that waits [`READ_TIMEOUT`]
//!   ends the connection and frees its thread. On the listener the receive
//!   timeout also bounds accept(), and tiny_http ends its accept loop on
//!   an accept error (and panics in it when the process has no file
//!   descriptor left for the connection): [`nudge`] connects far more
//!   often than that, sees when its connections are no longer taken, and
//!   then starts a new accept loop.

use super::files::{self, Files, Found, Unservable};
use super::livereload::{self, Hub};
use super::overlay;
use super::path::{self, Refused};
use crate::diag::Diagnostic;
use crate::site::Content;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tiny_http::{Method, Request, Server};

/// What the server shows, replaced whole after every build.
#[derive(Debug, Clone, Default)]
pub struct Showing {
    /// The site's base path: `""` or `/handbook`.
    pub base: String,
    pub title: String,
    /// The latest good build; `None` until there is one.
    pub files: Option<Arc<Files>>,
    /// Errors of the latest build; empty when it was good.
    pub errors: Vec<Diagnostic>,
    /// What else the author should know, shown in the same banner.
    pub notices: Vec<String>,
}

/// Everything a worker needs.
pub struct State {
    /// The handbook folder, canonical: copied files are read from inside it only.
    root: PathBuf,
    pub hub: Arc<Hub>,
    showing: RwLock<Arc<Showing>>,
}

impl State {
    pub fn new(root: PathBuf, hub: Arc<Hub>, showing: Showing) -> State {
        State { root, hub, showing: RwLock::new(Arc::new(showing)) }
    }

    pub fn showing(&self) -> Arc<Showing> {
        // A poisoned lock still holds a whole value: it is only ever replaced.
        Arc::clone(&self.showing.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn show(&self, showing: Showing) {
        *self.showing.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(showing);
    }
}

/// Worker threads answering requests.
const WORKERS: usize = 8;
/// Requests waiting for a worker beyond this are answered 503: a page
/// load asks for a dozen files, and 200 clients asking at once still fit.
const MAX_WAITING: usize = 512;
/// How often the server connects to itself, see [`nudge`]. Each nudge
/// frees one queued connection, and costs a few microseconds.
const NUDGE_EVERY: Duration = Duration::from_millis(100);

/// How long a client may take to send the next bytes of a request, or to
/// start one, before its connection is closed. A browser sends a request
/// in one go, and every response says `Connection: close`.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may leave our writes unread before it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the server's own connections may go untaken before its
/// accept loop is taken for dead and a new one started. Should a busy
/// pool only have queued them, the old loop goes on beside the new one.
const STALLED: Duration = Duration::from_secs(6);
/// At most this many of the server's own connections wait to be taken.
const MAX_UNTAKEN_NUDGES: usize = 5;

/// The running server; [`Running::stop`] ends its threads.
pub struct Running {
    listener: Arc<Listener>,
    /// Dropped to stop the nudger.
    stop_nudging: Option<mpsc::Sender<()>>,
    nudger: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the nudger and the dispatchers; workers end once the queue is
    /// empty. Connections already open are left to the process's exit.
    pub fn stop(mut self) {
        self.stop_nudging.take();
        if let Some(nudger) = self.nudger.take() {
            let _ = nudger.join();
        }
        self.listener.stop();
    }
}

/// Serves `listener` from now on. `address` is where the server can reach
/// itself (loopback when it listens everywhere).
pub fn start(listener: TcpListener, state: Arc<State>, address: SocketAddr) -> Result<Running, String> {
    let socket = socket2::SockRef::from(&listener);
    let timeouts =
        socket.set_write_timeout(Some(WRITE_TIMEOUT)).and_then(|()| socket.set_read_timeout(Some(READ_TIMEOUT)));
    if let Err(e) = timeouts {
        eprintln!("copbook: could not set a socket timeout ({e}); a stalled client may hold a thread");
    }
    let spawned = |e: io::Error| format!("cannot start the server: {e}");
    let (waiting, taken) = mpsc::sync_channel::<Request>(MAX_WAITING);
    let taken = Arc::new(Mutex::new(taken));
    for i in 0..WORKERS {
        let taken = Arc::clone(&taken);
        let state = Arc::clone(&state);
        std::thread::Builder::new()
            .name(format!("copbook-http-{i}"))
            .spawn(move || loop {
                // The lock is held only while waiting for the next request.
                let next = taken.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(request) = next else { return };
                // A bug met by one request must not cost the pool a worker;
                // the dropped request answers 500 by itself.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| handle(request, &state)));
            })
            .map_err(spawned)?;
    }
    let listener = Arc::new(Listener {
        socket: listener,
        waiting: Mutex::new(Some(waiting)),
        servers: Mutex::new(Vec::new()),
        stopping: AtomicBool::new(false),
    });
    listener.accept_loop()?;
    let (stop_nudging, stopped) = mpsc::channel();
    let nudger = std::thread::Builder::new()
        .name("copbook-nudge".into())
        .spawn({
            let listener = Arc::clone(&listener);
            move || nudge(address, &stopped, &listener)
        })
        .map_err(spawned)?;
    Ok(Running { listener, stop_nudging: Some(stop_nudging), nudger: Some(nudger) })
}

/// The listening socket and the tiny_http servers accepting from it: one
/// at a time, plus any whose accept loop ended while connections it
/// accepted were still open.
struct Listener {
    socket: TcpListener,
    /// The workers' queue; taken on stop, so that workers end once the
    /// dispatchers have gone.
    waiting: Mutex<Option<SyncSender<Request>>>,
    servers: Mutex<Vec<Arc<Server>>>,
    stopping: AtomicBool,
}

impl Listener {
    /// Starts a tiny_http server (its accept loop) on the socket, and a
    /// dispatcher for its requests.
    fn accept_loop(self: &Arc<Self>) -> Result<(), String> {
        let failed = |e: &dyn std::fmt::Display| format!("cannot start the server: {e}");
        let Some(waiting) = lock(&self.waiting).clone() else { return Ok(()) };
        let socket = self.socket.try_clone().map_err(|e| failed(&e))?;
        let server = Arc::new(Server::from_listener(socket, None).map_err(|e| failed(&e))?);
        lock(&self.servers).push(Arc::clone(&server));
        let listener = Arc::clone(self);
        std::thread::Builder::new()
            .name("copbook-dispatch".into())
            .spawn(move || listener.dispatch(&server, &waiting))
            .map_err(|e| failed(&e))?;
        Ok(())
    }

    /// Moves `server`'s requests to the workers. An error from tiny_http
    /// means its accept loop has ended, or that [`Listener::renew`] retired
    /// it: the connections it has are served until they are quiet for
    /// longer than any of them may wait between bytes.
    fn dispatch(&self, server: &Arc<Server>, waiting: &SyncSender<Request>) {
        let mut accepting = true;
        loop {
            let next = if accepting { server.recv().map(Some) } else { server.recv_timeout(READ_TIMEOUT * 2) };
            match next {
                Ok(Some(request)) => match waiting.try_send(request) {
                    Ok(()) => {}
                    Err(TrySendError::Full(request)) => busy(request),
                    Err(TrySendError::Disconnected(_)) => break,
                },
                _ if self.stopping.load(Ordering::SeqCst) => break,
                Ok(None) => break,
                Err(_) => accepting = false,
            }
        }
        lock(&self.servers).retain(|s| !Arc::ptr_eq(s, server));
    }

    /// Retires the servers there are and starts a new accept loop.
    fn renew(self: &Arc<Self>) {
        for server in lock(&self.servers).iter() {
            server.unblock();
        }
        if let Err(e) = self.accept_loop() {
            eprintln!("copbook: the preview cannot take connections: {e}");
        }
    }

    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        lock(&self.waiting).take();
        for server in lock(&self.servers).iter() {
            server.unblock();
        }
    }
}

/// A poisoned lock still holds a whole value here: each is only ever
/// replaced or appended to.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Works around tiny_http 0.12's connection pool (`util::TaskPool::spawn`):
/// it queues a new connection instead of starting a thread whenever it
/// counts an idle thread, even one already woken for an earlier connection
/// of the same burst. A queued connection is taken only when some pool
/// thread finishes its own connection, which for clients that hold a
/// connection without finishing a request, or for open event streams, may
/// be never. A connection of our own, closed at once, gets a fresh thread
/// when all are busy, which then takes the first queued connection: so
/// queued ones are reached at [`NUDGE_EVERY`] each, however long the busy
/// ones take. `tests/serve.rs` `a_crowd_of_stalled_clients_does_not_block_others`
/// fails without it.
///
/// Each nudge also says whether the accept loop still runs: it half-closes
/// at once, and tiny_http closes it in turn once taken. When none has been
/// taken for [`STALLED`], a new accept loop is started. Ends when `stop`
/// says so or its sender is dropped.
fn nudge(address: SocketAddr, stop: &mpsc::Receiver<()>, listener: &Arc<Listener>) {
    let mut waiting: Vec<TcpStream> = Vec::new();
    let mut last_taken = Instant::now();
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(NUDGE_EVERY) {
        // Untaken nudges wait in the listener's backlog, where they would
        // crowd out clients once the loop is back: a few tell enough.
        let room = waiting.len() < MAX_UNTAKEN_NUDGES;
        // Failing is harmless: the next round tries again.
        if let Some(Ok(nudge)) = room.then(|| TcpStream::connect_timeout(&address, Duration::from_secs(1))) {
            if nudge.shutdown(std::net::Shutdown::Write).is_ok() && nudge.set_nonblocking(true).is_ok() {
                waiting.push(nudge);
            }
        }
        let before = waiting.len();
        waiting
            .retain(|nudge| matches!((&*nudge).read(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock));
        if waiting.len() < before {
            last_taken = Instant::now();
        } else if last_taken.elapsed() > STALLED {
            waiting.clear();
            last_taken = Instant::now();
            listener.renew();
        }
    }
}

/// Answers 503 when all workers are busy and [`MAX_WAITING`] requests wait.
/// Written by the dispatcher itself: a few hundred bytes, which a client's
/// receive buffer takes at once. (tiny_http writes the responses of one
/// connection in order, so a client that sends more requests behind one it
/// does not read could hold the dispatcher up to the send timeout.)
fn busy(request: Request) {
    let mut reply = Reply::text(503, "too many requests at once; try again in a moment");
    reply.retry_after = true;
    send(request, reply, None);
}

enum Body {
    Bytes(Vec<u8>),
    /// Bytes of the build, shared rather than copied.
    Shared(Arc<[u8]>),
    File(File),
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Body,
    location: Option<String>,
    retry_after: bool,
}

impl Reply {
    fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply { status, content_type, body: Body::Bytes(body), location: None, retry_after: false }
    }

    fn shared(status: u16, content_type: &'static str, body: Arc<[u8]>) -> Reply {
        Reply { status, content_type, body: Body::Shared(body), location: None, retry_after: false }
    }

    fn text(status: u16, text: &str) -> Reply {
        Reply::bytes(status, TEXT, format!("{text}\n").into_bytes())
    }

    fn redirect(location: String) -> Reply {
        let mut reply = Reply::text(302, &format!("see {location}"));
        reply.location = Some(location);
        reply
    }
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

fn handle(request: Request, state: &State) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let reply = Reply::text(405, "only GET and HEAD");
        return send(request, reply, Some(("Allow", "GET, HEAD")));
    }
    let url = request.url().to_string();
    let (raw_path, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url.as_str(), ""),
    };
    if raw_path == livereload::EVENTS_PATH {
        return state.hub.attach(request);
    }
    let reply = route(raw_path, query, state);
    send(request, reply, None);
}

fn route(raw_path: &str, query: &str, state: &State) -> Reply {
    if raw_path == livereload::SCRIPT_PATH {
        return Reply::bytes(200, "text/javascript; charset=utf-8", livereload::SCRIPT.as_bytes().to_vec());
    }
    let clean = match path::clean(raw_path) {
        Ok(c) => c,
        Err(Refused::Malformed) => return Reply::text(400, "that is not a path"),
        Err(Refused::Forbidden) => return Reply::text(403, "that path is not part of the site"),
    };
    let showing = state.showing();
    let base: Vec<&str> = showing.base.split('/').filter(|s| !s.is_empty()).collect();
    let in_base = clean.segments.len() >= base.len() && clean.segments.iter().zip(&base).all(|(a, b)| a == b);
    if !in_base {
        if clean.segments.is_empty() {
            return Reply::redirect(url_of(&base));
        }
        return not_found(state, &showing);
    }
    let rel = &clean.segments[base.len()..];
    let Some(files) = &showing.files else {
        let last = rel.last().map_or("", String::as_str);
        let page = clean.trailing_slash || last.ends_with(".html") || !last.contains('.');
        if page {
            let html = overlay::error_page(&showing.title, &showing.errors, &showing.notices, &state.hub.script_tag());
            return Reply::bytes(500, HTML, html.into_bytes());
        }
        return Reply::text(404, "not built yet");
    };
    match files.find(rel, clean.trailing_slash) {
        Found::File(path, content) => serve_file(path, content, 200, state, &showing),
        Found::Folder => {
            let mut location = url_of(&clean.segments);
            if query.is_ascii() {
                location.push_str(query);
            }
            Reply::redirect(location)
        }
        Found::Missing => not_found(state, &showing),
    }
}

/// The URL of a folder, encoded so that it fits in a header.
fn url_of<S: AsRef<str>>(segments: &[S]) -> String {
    let mut url: String = segments.iter().map(|s| format!("/{}", path::encode(s.as_ref()))).collect();
    url.push('/');
    url
}

/// The site's own 404 page, with status 404.
fn not_found(state: &State, showing: &Showing) -> Reply {
    let page = showing.files.as_ref().map(|files| files.find(&["404.html".to_string()], false));
    if let Some(Found::File(path, content)) = page {
        // A 404 page that cannot be read is no reason to answer otherwise.
        let reply = serve_file(path, content, 404, state, showing);
        if reply.status == 404 {
            return reply;
        }
    }
    Reply::text(404, "not found")
}

/// A file of the build; pages get the livereload script and, after a
/// failed rebuild, the error banner.
fn serve_file(path: &str, content: &Content, status: u16, state: &State, showing: &Showing) -> Reply {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    let content_type = content_type(&extension);
    let body = match content {
        // A file made when first read (`Content::Later`) is made now, by its first reader.
        Content::Bytes(_) | Content::Later(_) => {
            let bytes = content.made().unwrap_or_default();
            if content_type != HTML {
                return Reply::shared(status, content_type, bytes);
            }
            bytes.to_vec()
        }
        Content::Copy(source) => match files::open_inside(&state.root, source) {
            Ok(file) if content_type != HTML => {
                return Reply { status, content_type, body: Body::File(file), location: None, retry_after: false };
            }
            Ok(mut file) => {
                let mut html = Vec::new();
                if file.read_to_end(&mut html).is_err() {
                    return Reply::text(404, "not found");
                }
                html
            }
            Err(Unservable::Missing) => return Reply::text(404, "not found"),
            Err(Unservable::Outside) => return Reply::text(403, "that path is not part of the site"),
        },
        // A folder is no file (`find` gives its files).
        Content::LaterFolder(_) => return Reply::text(404, "not found"),
    };
    let mut snippet = overlay::banner(&showing.errors, &showing.notices);
    snippet.push_str(&state.hub.script_tag());
    Reply::bytes(status, HTML, overlay::inject(&body, &snippet))
}

/// The Content-Type of a file by its extension.
pub fn content_type(extension: &str) -> &'static str {
    match extension {
        "html" | "htm" => HTML,
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => TEXT,
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Writes the response by hand, with `Connection: close` (tiny_http's
/// own responses drop that header). Browsers then close the connection
/// after the response, which frees its tiny_http thread, and a page's
/// next requests come on new connections, which cost nothing on loopback.
fn send(request: Request, reply: Reply, extra: Option<(&str, &str)>) {
    let head_only = *request.method() == Method::Head;
    let mut writer = request.into_writer();
    // Errors are the client going away: nothing to do about them.
    let _ = write_reply(&mut writer, reply, head_only, extra);
}

fn write_reply(writer: &mut dyn Write, reply: Reply, head_only: bool, extra: Option<(&str, &str)>) -> io::Result<()> {
    let length = match &reply.body {
        Body::Bytes(bytes) => bytes.len() as u64,
        Body::Shared(bytes) => bytes.len() as u64,
        Body::File(file) => file.metadata()?.len(),
    };
    // A preview must never show a page from before the last save: no-store.
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {length}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
    );
    let retry = reply.retry_after.then_some(("Retry-After", "1"));
    let headers = reply.location.as_deref().map(|l| ("Location", l)).into_iter().chain(retry).chain(extra);
    for (name, value) in headers {
        // Built from encoded segments, but a header must never carry a line break.
        if value.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    if !head_only {
        match reply.body {
            Body::Bytes(bytes) => writer.write_all(&bytes)?,
            Body::Shared(bytes) => writer.write_all(&bytes)?,
            // At most the announced length, should the file have grown.
            Body::File(file) => {
                io::copy(&mut file.take(length), writer)?;
            }
        }
    }
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_say_utf8() {
        for ext in ["html", "css", "js", "json", "xml", "txt", "csv"] {
            assert!(content_type(ext).ends_with("charset=utf-8"), "{ext}");
        }
        assert_eq!(content_type("woff2"), "font/woff2");
        assert_eq!(content_type("exe"), "application/octet-stream");
    }

    #[test]
    fn the_nudger_connects_until_told_to_stop() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let accepted = || std::iter::from_fn(|| listener.accept().ok()).count();
        let (stop, stopped) = mpsc::channel();
        // Stopped before it began: renewing it does nothing.
        let idle = Arc::new(Listener {
            socket: TcpListener::bind("127.0.0.1:0").unwrap(),
            waiting: Mutex::new(None),
            servers: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(true),
        });
        let nudger = std::thread::spawn(move || nudge(address, &stopped, &idle));
        std::thread::sleep(NUDGE_EVERY * 5 + NUDGE_EVERY / 2);
        let before = accepted();
        assert!(before >= 3, "{before} nudges in five rounds");

        let asked = std::time::Instant::now();
        drop(stop);
        nudger.join().unwrap();
        assert!(asked.elapsed() < Duration::from_secs(2), "took {:?} to stop", asked.elapsed());
        accepted();
        std::thread::sleep(NUDGE_EVERY * 4);
        assert_eq!(accepted(), 0, "nudges after the stop");
    }
}
