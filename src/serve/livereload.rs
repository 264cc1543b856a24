//! Livereload: server-sent events at `/__copbook/events`, and the script
//! every served page gets that listens to them.
//!
//! The hub keeps two counters, not a queue: how many events were sent and
//! which one was the last full reload. A client that slept through several
//! rebuilds thus gets one event that covers them all. Each event-stream
//! client has its own thread, so a client that stops reading blocks only
//! itself; their number is capped. tiny_http gives a stream only its
//! writing side, so a closed tab shows only as a failed write: each
//! stream writes a comment every [`HEARTBEAT`], and when all places are
//! taken a new stream asks every stream to write one at once, so that
//! those whose tabs have closed give their places back.
//!
//! Every event carries a token, `<session>-<generation>`, and the script
//! is served with the token of the build its page came from. On
//! (re)connecting the server greets with the current token: a different
//! one means the page is stale (a rebuild happened in between, or the
//! server was restarted), and the page reloads.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where pages connect to.
pub const EVENTS_PATH: &str = "/__copbook/events";
/// Where the script is served.
pub const SCRIPT_PATH: &str = "/__copbook/livereload.js";

/// Open event streams beyond this are refused with 503: each holds a thread.
const MAX_CLIENTS: usize = 128;
/// A comment this often shows a closed tab as a failed write (the first
/// write after the close may still succeed, the next one fails), so its
/// place comes back within two of these; it also keeps proxies from
/// closing a quiet stream. A comment is a few bytes, which pages ignore.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long a new stream waits, when all places are taken, for streams
/// whose clients have gone to give theirs back.
const WAIT_FOR_PLACE: Duration = Duration::from_secs(1);
/// How often, while a new stream waits, every stream is asked to write.
const ASK_AGAIN: Duration = Duration::from_millis(20);

/// What open pages should do after a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Reload,
    /// Only stylesheets changed: fetch them again, keep the page.
    Css,
}

#[derive(Default)]
struct Counters {
    sent: u64,
    last_reload: u64,
    /// Raised when a new stream needs a place: every stream writes a comment.
    asked: u64,
}

/// Hands rebuild events to every open event stream.
pub struct Hub {
    session: String,
    counters: Mutex<Counters>,
    /// Woken on every event, on stopping, and when a new stream wants a place.
    changed: Condvar,
    /// Woken when a stream ends.
    freed: Condvar,
    clients: AtomicUsize,
    stopping: AtomicBool,
}

impl Hub {
    pub fn new() -> Hub {
        // Unique per run, so a page from before a restart notices.
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        Hub {
            session: format!("{}x{nanos}", std::process::id()),
            counters: Mutex::new(Counters::default()),
            changed: Condvar::new(),
            freed: Condvar::new(),
            clients: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        }
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // Nothing that holds this lock can leave the counters half-updated.
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn token_for(&self, generation: u64) -> String {
        format!("{}-{generation}", self.session)
    }

    /// The token of what is being served now.
    pub fn token(&self) -> String {
        let generation = self.counters().sent;
        self.token_for(generation)
    }

    pub fn send(&self, event: Event) {
        let mut counters = self.counters();
        counters.sent += 1;
        if event == Event::Reload {
            counters.last_reload = counters.sent;
        }
        drop(counters);
        self.changed.notify_all();
    }

    /// Ends every event stream (on shutdown).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// Takes over a request for the event stream: its own thread writes
    /// the stream until the client goes or the server stops.
    pub fn attach(self: &Arc<Self>, request: tiny_http::Request) {
        if let Err(mut writer) = self.open(request.into_writer()) {
            let text = "too many open previews\n";
            let reply = format!(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
                 Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = send(&mut writer, &reply);
        }
    }

    /// Starts a stream on `writer` on a thread of its own; hands the
    /// writer back when no place is free.
    fn open(self: &Arc<Self>, writer: Box<dyn Write + Send>) -> Result<(), Box<dyn Write + Send>> {
        if !self.take_place() {
            return Err(writer);
        }
        let hub = Arc::clone(self);
        let spawned = std::thread::Builder::new().name("copbook-events".into()).spawn(move || {
            hub.stream(writer);
            hub.give_back();
        });
        if spawned.is_err() {
            // The writer went down with the closure: the client sees a
            // closed stream and its EventSource retries.
            self.give_back();
        }
        Ok(())
    }

    fn try_take(&self) -> bool {
        let taken = self.clients.fetch_add(1, Ordering::SeqCst) < MAX_CLIENTS;
        if !taken {
            self.clients.fetch_sub(1, Ordering::SeqCst);
        }
        taken
    }

    fn give_back(&self) {
        // Under the lock, so that a waiting stream cannot miss it between
        // a try and its wait.
        let counters = self.counters();
        self.clients.fetch_sub(1, Ordering::SeqCst);
        drop(counters);
        self.freed.notify_all();
    }

    /// One of the [`MAX_CLIENTS`] places. When all are taken, every stream
    /// is asked to write at once, and those whose clients have gone give
    /// theirs back.
    fn take_place(&self) -> bool {
        if self.try_take() {
            return true;
        }
        let deadline = Instant::now() + WAIT_FOR_PLACE;
        let mut counters = self.counters();
        loop {
            if self.try_take() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Again and again: a stream's first write after its client
            // closed may still succeed.
            counters.asked += 1;
            self.changed.notify_all();
            counters =
                self.freed.wait_timeout(counters, left.min(ASK_AGAIN)).map_or_else(|e| e.into_inner().0, |(c, _)| c);
        }
    }

    /// Writes the stream until the client goes away or the server stops.
    fn stream(&self, mut writer: Box<dyn Write + Send>) {
        let (mut seen, mut asked) = {
            let counters = self.counters();
            (counters.sent, counters.asked)
        };
        // Written by hand: the response never ends, so tiny_http's own
        // responses (which need a body reader) do not fit.
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n\
             Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\nevent: hello\ndata: {}\n\n",
            self.token_for(seen)
        );
        if send(&mut writer, &head).is_err() {
            return;
        }
        loop {
            let message = {
                let mut counters = self.counters();
                if counters.sent == seen && counters.asked == asked && !self.stopping.load(Ordering::SeqCst) {
                    // One wait, whatever ends it: an event, a new stream
                    // wanting a place, or time for a heartbeat.
                    counters =
                        self.changed.wait_timeout(counters, HEARTBEAT).map_or_else(|e| e.into_inner().0, |(c, _)| c);
                }
                if self.stopping.load(Ordering::SeqCst) {
                    return;
                }
                asked = counters.asked;
                if counters.sent == seen {
                    ": heartbeat\n\n".to_string()
                } else {
                    let name = if counters.last_reload > seen { "reload" } else { "css" };
                    seen = counters.sent;
                    format!("event: {name}\ndata: {}\n\n", self.token_for(seen))
                }
            };
            if send(&mut writer, &message).is_err() {
                return;
            }
        }
    }

    /// The tag put into every served page, just before `</body>`.
    pub fn script_tag(&self) -> String {
        format!(
            "<script src=\"{SCRIPT_PATH}\" data-copbook-token=\"{}\" data-copbook-events=\"{EVENTS_PATH}\"></script>",
            self.token()
        )
    }
}

fn send(writer: &mut Box<dyn Write + Send>, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

/// The script pages load. Plain ES5 so that it runs in any browser.
pub const SCRIPT: &str = r#"// copbook serve: reloads this page after every rebuild of the preview.
(function () {
  "use strict";
  var me = document.currentScript;
  var token = me ? me.getAttribute("data-copbook-token") : null;
  // The server names its events path in the tag; the script knows no path of its own.
  var events = me ? me.getAttribute("data-copbook-events") : null;
  var version = 0;

  // Fetch stylesheets again without reloading, so the page keeps its place.
  function refreshStylesheets() {
    version += 1;
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (!href) continue;
      var bare = href.replace(/([?&])v=\d+&?/, "$1").replace(/[?&]$/, "");
      links[i].setAttribute("href", bare + (bare.indexOf("?") < 0 ? "?" : "&") + "v=" + version);
    }
  }

  function connect() {
    if (!events) return;
    var source = new EventSource(events);
    source.addEventListener("hello", function (e) {
      // A different token: rebuilt, or restarted, since this page was served.
      if (token !== null && e.data !== token) location.reload();
      token = e.data;
    });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("css", function (e) { token = e.data; refreshStylesheets(); });
    source.onerror = function () {
      // Browsers retry by themselves unless the stream was refused.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    };
  }
  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_events() {
        let hub = Hub::new();
        let first = hub.token();
        hub.send(Event::Css);
        assert_ne!(hub.token(), first);
        assert!(hub.script_tag().contains(&hub.token()));
        assert!(hub.script_tag().contains(&format!("data-copbook-events=\"{EVENTS_PATH}\"")));
        assert!(!SCRIPT.contains(EVENTS_PATH), "the script takes the path from its tag");
    }

    /// A tab's end of a stream: writes fail once it is closed.
    struct Tab(Arc<AtomicBool>);

    impl Write for Tab {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            match self.0.load(Ordering::SeqCst) {
                true => Err(std::io::ErrorKind::BrokenPipe.into()),
                false => Ok(bytes.len()),
            }
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_new_stream_takes_the_place_of_a_closed_tab_at_once() {
        let hub = Arc::new(Hub::new());
        let closed = Arc::new(AtomicBool::new(false));
        for _ in 0..MAX_CLIENTS {
            assert!(hub.open(Box::new(Tab(Arc::clone(&closed)))).is_ok());
        }
        let another = || Box::new(Tab(Arc::new(AtomicBool::new(false))));
        let asked = Instant::now();
        assert!(hub.open(another()).is_err(), "every place is taken by an open tab");
        assert!(asked.elapsed() >= WAIT_FOR_PLACE);

        // Every stream has written within the last heartbeat, and the next
        // is most of a heartbeat away: only being asked makes them notice
        // in time.
        std::thread::sleep(HEARTBEAT / 5);
        closed.store(true, Ordering::SeqCst);
        let asked = Instant::now();
        assert!(hub.open(another()).is_ok(), "the closed tabs' places are given back");
        assert!(asked.elapsed() < HEARTBEAT / 2, "took {:?}", asked.elapsed());
        hub.stop();
    }
}
