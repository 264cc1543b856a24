//! Livereload: server-sent events at `/__copbook/events`, and the script
//! every served page gets that listens to them.
//!
//! The hub keeps two counters, not a queue: how many events were sent and
//! which one was the last full reload. A client that slept through several
//! rebuilds thus gets one event that covers them all. Each event-stream
//! client has its own thread, so a client that stops reading blocks only
//! itself; their number is capped.
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
/// A comment this often lets proxies keep the stream open and shows a
/// dead client as a failed write.
const HEARTBEAT: Duration = Duration::from_secs(15);

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
}

/// Hands rebuild events to every open event stream.
pub struct Hub {
    session: String,
    counters: Mutex<Counters>,
    changed: Condvar,
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

    /// Takes over a request for the event stream.
    pub fn attach(self: &Arc<Self>, request: tiny_http::Request) {
        if self.clients.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
            self.clients.fetch_sub(1, Ordering::SeqCst);
            let mut writer = request.into_writer();
            let text = "too many open previews\n";
            let reply = format!(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = send(&mut writer, &reply);
            return;
        }
        let writer = request.into_writer();
        let hub = Arc::clone(self);
        let spawned = std::thread::Builder::new().name("copbook-events".into()).spawn(move || {
            hub.stream(writer);
            hub.clients.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            // The writer went down with the closure: the client sees a
            // closed connection and its EventSource retries.
            self.clients.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Writes the stream until the client goes away or the server stops.
    fn stream(&self, mut writer: Box<dyn Write + Send>) {
        let mut seen = self.counters().sent;
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
            let deadline = Instant::now() + HEARTBEAT;
            let mut counters = self.counters();
            while counters.sent == seen && !self.stopping.load(Ordering::SeqCst) {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                counters = self.changed.wait_timeout(counters, left).map_or_else(|e| e.into_inner().0, |(c, _)| c);
            }
            if self.stopping.load(Ordering::SeqCst) {
                return;
            }
            let message = if counters.sent == seen {
                ": heartbeat\n\n".to_string()
            } else {
                let name = if counters.last_reload > seen { "reload" } else { "css" };
                seen = counters.sent;
                format!("event: {name}\ndata: {}\n\n", self.token_for(seen))
            };
            drop(counters);
            if send(&mut writer, &message).is_err() {
                return;
            }
        }
    }

    /// The tag put into every served page, just before `</body>`.
    pub fn script_tag(&self) -> String {
        format!("<script src=\"{SCRIPT_PATH}\" data-copbook-token=\"{}\"></script>", self.token())
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
    var source = new EventSource("/__copbook/events");
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
    }
}
