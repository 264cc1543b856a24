//! The preview server: `copbook serve` builds the handbook, serves it on
//! loopback, watches the folder and reloads open pages after every rebuild.
//!
//! The session (this file) runs on the main thread: build, show the new
//! build, tell open pages. Around it:
//!
//! - [`http`]: tiny_http's accept thread and connection readers, and a
//!   fixed pool of workers answering from the build in memory ([`files`]);
//! - [`livereload`]: one thread per open event stream (capped);
//! - [`watch`]: the file watcher's thread, which only sends signals here;
//! - Ctrl-C, which sends a stop signal the same way.
//!
//! A build with errors never stops the server: the last good build stays in
//! memory and is served under an error banner until the next good save.
//!
//! Serving writes nothing. With `--out`, each good build is also written to
//! that folder, by [`output`] like any build.

mod files;
mod http;
mod livereload;
mod out;
mod overlay;
mod path;
mod watch;

use crate::config::Config;
use crate::diag::{Diagnostics, Severity};
use crate::report::{self, Format};
use crate::site;
use files::Files;
use http::{Showing, State};
use livereload::{Event, Hub};
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use watch::Signal;

/// How `copbook serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: site::Options,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    /// Folder each good build is also written to; none when `None`.
    pub out: Option<PathBuf>,
    pub poll: bool,
    /// `--quiet`: the terminal gets the URL line and errors, nothing else.
    pub quiet: bool,
}

/// Runs until interrupted.
pub fn run(options: ServeOptions) -> Result<(), String> {
    if !options.site.root.is_dir() {
        return Err(format!("{} is not a folder", options.site.root.display()));
    }
    let root =
        std::fs::canonicalize(&options.site.root).map_err(|e| format!("{}: {e}", options.site.root.display()))?;
    let listener = listen(&options.bind, options.port)?;
    let address = listener.local_addr().map_err(|e| format!("cannot read the server's address: {e}"))?;
    let hub = Arc::new(Hub::new());
    let state = Arc::new(State::new(root.clone(), Arc::clone(&hub), fallback(&options.site)));
    let (signals, received) = mpsc::channel();
    let on_interrupt = signals.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = on_interrupt.send(Signal::Stop);
    }) {
        eprintln!("copbook: Ctrl+C will stop the server without a word: {e}");
    }
    let mut session = Session {
        root: root.clone(),
        options: options.site.clone(),
        builder: site::Builder::new(),
        out: options.out.clone().map(out::Out::new),
        state: Arc::clone(&state),
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ignored: vec![root.join(Config::default().output)],
        poll: options.poll,
        quiet: options.quiet,
        signals,
        watcher: None,
        watched: None,
        gone: false,
        unwritten: None,
    };
    // Watching starts before the first build, so that a save made while it
    // runs (or before the URL is printed) is not missed.
    session.watch()?;
    session.rebuild();
    // An --out folder that cannot be written at all (not ours, or the
    // handbook itself) ends the session before it starts.
    if let Some(e) = session.unwritten.take() {
        return Err(e);
    }

    let server = http::start(listener, Arc::clone(&state), reachable(address))?;
    let mut base = state.showing().base.clone();
    let url = announce(address, &base);
    if !address.ip().is_loopback() {
        eprintln!(
            "copbook: warning: listening on {address}, so anyone who can reach this machine can read the preview, \
             drafts included; leave out --bind (it defaults to 127.0.0.1) to keep it to this machine"
        );
    }
    if options.open {
        open_browser(&url);
    }

    // Until Ctrl-C (a stop signal).
    while let Some(changed) = session.next_change(&received) {
        session.update(&changed);
        let now = state.showing().base.clone();
        if now != base {
            base = now;
            announce(address, &base);
        }
    }
    if !options.quiet {
        eprintln!("copbook: stopped");
    }
    hub.stop();
    server.stop();
    Ok(())
}

/// Binds the listening socket; `--port 0` gets a free port from the system.
fn listen(bind: &str, port: u16) -> Result<TcpListener, String> {
    let listener = TcpListener::bind((bind, port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("port {port} is already in use; stop the other server or choose another with --port (0 picks a free one)")
        }
        _ => format!("cannot listen on {bind}:{port}: {e}"),
    })?;
    Ok(listener)
}

/// The address to open: one that listens everywhere is not one a browser
/// can open, so loopback stands in for it.
fn reachable(address: SocketAddr) -> SocketAddr {
    let mut shown = address;
    if address.ip().is_unspecified() {
        let local = match address.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        };
        shown.set_ip(local);
    }
    shown
}

/// Prints the URL to open, on stdout as a line of its own (tools and tests
/// read it), flushed at once, and returns it. Listening on every interface,
/// the address others would use comes first.
fn announce(address: SocketAddr, base: &str) -> String {
    let mut stdout = std::io::stdout().lock();
    if address.ip().is_unspecified() {
        let _ = match outward(address) {
            Some(seen) => {
                writeln!(stdout, "Listening on {address} (every network interface), e.g. http://{seen}{base}/")
            }
            None => writeln!(stdout, "Listening on {address} (every network interface)"),
        };
    }
    let url = format!("http://{}{base}/", reachable(address));
    let _ = writeln!(stdout, "Serving at {url}");
    let _ = stdout.flush();
    url
}

/// The address other machines reach this one at: the source address of
/// the route to a documentation-only address. A UDP connect only picks
/// the route; nothing is sent.
fn outward(address: SocketAddr) -> Option<SocketAddr> {
    let (local, probe): (SocketAddr, SocketAddr) = match address.ip() {
        IpAddr::V4(_) => ((Ipv4Addr::UNSPECIFIED, 0).into(), "192.0.2.1:9".parse().ok()?),
        IpAddr::V6(_) => ((Ipv6Addr::UNSPECIFIED, 0).into(), "[2001:db8::1]:9".parse().ok()?),
    };
    let socket = std::net::UdpSocket::bind(local).ok()?;
    socket.connect(probe).ok()?;
    let mut seen = socket.local_addr().ok()?;
    if seen.ip().is_unspecified() {
        return None;
    }
    seen.set_port(address.port());
    Some(seen)
}

/// What to show before the first good build: the title and base path from
/// handbook.toml when it can be read, the defaults otherwise.
fn fallback(options: &site::Options) -> Showing {
    let mut ignored = Diagnostics::default();
    let mut config = crate::load::config(&options.root, &mut ignored).unwrap_or_default();
    if let Some(url) = &options.base_url {
        config.base_url = url.clone();
    }
    Showing { base: config.base_path(), title: config.title, files: None, errors: Vec::new(), notices: Vec::new() }
}

/// How often a handbook folder that is gone is looked for.
const LOOK_FOR_FOLDER: Duration = Duration::from_millis(250);

/// One `copbook serve` run: the builder kept across rebuilds (so it can
/// reuse work), where its builds go, and the watcher on the folder.
struct Session {
    root: PathBuf,
    options: site::Options,
    builder: site::Builder,
    /// `--out`: each good build is written there too.
    out: Option<out::Out>,
    state: Arc<State>,
    color: bool,
    /// Folders whose changes are not the author's (see [`watch::Filter`]).
    ignored: Vec<PathBuf>,
    poll: bool,
    /// Only errors reach the terminal.
    quiet: bool,
    signals: mpsc::Sender<Signal>,
    watcher: Option<Box<dyn notify::Watcher + Send>>,
    /// Which folder the watcher is on: a folder deleted and made again at
    /// the same path is another one, which the watcher does not see.
    watched: Option<watch::Identity>,
    /// The handbook folder is gone (deleted, moved away): the last good
    /// build is served with a notice until it comes back.
    gone: bool,
    /// Why the latest good build could not be written to `--out`; pages
    /// say so until a build is written again.
    unwritten: Option<String>,
}

impl Session {
    /// A line of news for the terminal (what was built, the folder's
    /// comings and goings): not with `--quiet`.
    fn say(&self, line: String) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// (Re)starts watching the handbook folder.
    fn watch(&mut self) -> Result<(), String> {
        // The old watcher first: two would report every change twice.
        self.watcher = None;
        let watcher = watch::start(&self.root, self.poll, self.signals.clone()).map_err(|e| {
            let hint = if self.poll { "" } else { "; --poll watches without file events" };
            format!("cannot watch {}: {e}{hint}", self.root.display())
        })?;
        self.watcher = Some(watcher);
        self.watched = watch::Identity::of(&self.root);
        Ok(())
    }

    /// Waits for a change worth a rebuild, and for the burst it starts to
    /// settle; `None` when the session should stop. While the folder is
    /// gone no watcher can see it come back, so it is looked for.
    fn next_change(&self, received: &mpsc::Receiver<Signal>) -> Option<Vec<PathBuf>> {
        loop {
            let signal = if self.gone {
                match received.recv_timeout(LOOK_FOR_FOLDER) {
                    Ok(signal) => signal,
                    Err(mpsc::RecvTimeoutError::Timeout) if self.root.is_dir() => return Some(Vec::new()),
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                }
            } else {
                received.recv().ok()?
            };
            let Signal::Changed(paths) = signal else { return None };
            let filter = watch::Filter { root: self.root.clone(), ignored: self.ignored.clone() };
            if !filter.wants(&paths) {
                continue;
            }
            let mut changed = paths;
            return watch::settle(received, &mut changed).then_some(changed);
        }
    }

    /// Rebuilds after `changed`, unless the folder has gone; when it has
    /// come back (or another took its place), watches it again and builds
    /// it afresh.
    fn update(&mut self, changed: &[PathBuf]) {
        if !self.root.is_dir() {
            return self.folder_gone();
        }
        if self.gone || watch::Identity::of(&self.root) != self.watched {
            if let Err(e) = self.watch() {
                eprintln!("copbook: {e}");
            }
            self.say(format!("copbook: {} is back; watching it again", self.root.display()));
            self.gone = false;
            self.builder = site::Builder::new();
        } else {
            // File times alone can miss a same-size save within one clock
            // tick; and told what changed, the build need not walk the folder.
            // A path elsewhere stands for the whole folder (`""`).
            let relative: Vec<String> = changed
                .iter()
                .map(|p| p.strip_prefix(&self.root).unwrap_or(Path::new("")))
                .map(|p| p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
                .collect();
            self.builder.forget(&relative);
        }
        self.rebuild();
    }

    /// Keeps the last good build, says so on every page, and stops the
    /// watcher, which lost its folder.
    fn folder_gone(&mut self) {
        if self.gone {
            return;
        }
        self.gone = true;
        self.watcher = None;
        self.say(format!(
            "copbook: {} is gone; still serving the last good build until it comes back",
            self.root.display()
        ));
        let before = self.state.showing();
        self.state.show(Showing { notices: self.notices(), ..(*before).clone() });
        self.state.hub.send(Event::Reload);
    }

    /// What pages say besides build errors.
    fn notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        if self.gone {
            notices.push(format!(
                "the handbook folder {} is gone (deleted or moved away); this page shows the last good build, \
                 and the preview follows the folder again as soon as it is back.",
                self.root.display()
            ));
        }
        if let Some(e) = &self.unwritten {
            notices.push(format!("{e}; this page shows the latest build, but that folder holds an older one."));
        }
        notices
    }

    /// Builds, shows the new build, tells open pages and then writes it to
    /// `--out` if asked. Findings and failures go to the terminal and the pages.
    fn rebuild(&mut self) {
        let started = Instant::now();
        let (site, diags) = self.builder.build(&self.options);
        if !self.root.is_dir() {
            // Gone while it was read: what was built is no handbook.
            return self.folder_gone();
        }
        let shown = match self.quiet {
            true => Diagnostics(diags.iter().filter(|d| d.severity == Severity::Error).cloned().collect()),
            false => diags.clone(),
        };
        if !shown.is_empty() {
            eprint!("{}", report::format(&shown, &self.options.root, Format::Human, self.color, false));
        }
        let before = self.state.showing();
        let timings = std::env::var_os("COPBOOK_TIMINGS").is_some();
        let (showing, event, written) = match site {
            Some(site) => {
                let compared = Instant::now();
                let files = Arc::new(Files::new(&site.files));
                let changes = before.files.as_ref().map(|old| old.changes(&files));
                if timings {
                    let compare = ("compare", compared.elapsed());
                    let stages = site.timings.iter().chain([&compare]);
                    let laps: Vec<String> =
                        stages.map(|(stage, took)| format!("{stage} {:.1}", took.as_secs_f64() * 1000.0)).collect();
                    eprintln!("copbook: timings (ms): {}", laps.join(", "));
                }
                let config = &site.handbook.config;
                self.ignored.clear();
                self.ignored.extend(self.out.iter().filter_map(|out| std::fs::canonicalize(&out.dir).ok()));
                self.ignored.push(self.root.join(&config.output));
                let pages = site.handbook.pages.iter().filter(|p| p.has_own_page()).count();
                self.say(format!(
                    "copbook: built {pages} pages of {} in {:.2} s ({})",
                    config.title,
                    started.elapsed().as_secs_f64(),
                    report::summary(&diags)
                ));
                let showing = Showing {
                    base: config.base_path(),
                    title: config.title.clone(),
                    files: Some(Arc::clone(&files)),
                    errors: Vec::new(),
                    notices: self.notices(),
                };
                let event = match &changes {
                    // The banner or error page changes.
                    _ if !before.errors.is_empty() || before.notices != showing.notices => Some(Event::Reload),
                    None => Some(Event::Reload),
                    Some(changes) if changes.is_empty() => None,
                    Some(changes) if changes.only_css() => Some(Event::Css),
                    Some(_) => Some(Event::Reload),
                };
                (showing, event, Some((site, files, changes)))
            }
            None => {
                let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
                let serving = if before.files.is_some() {
                    "still serving the last good build"
                } else {
                    "nothing to serve until they are fixed"
                };
                eprintln!("copbook: {}; {serving}", report::summary(&shown));
                let notices = self.notices();
                let event = (errors != before.errors || notices != before.notices).then_some(Event::Reload);
                (Showing { errors, notices, ..(*before).clone() }, event, None)
            }
        };
        self.state.show(showing);
        if let Some(event) = event {
            self.state.hub.send(event);
        }
        // Open pages are told first: the preview needs no folder.
        if let Some((site, files, changes)) = written {
            self.write_out(&site.files, &files, changes.as_ref());
        }
    }

    /// Writes a good build to `--out`, if asked. When that fails, or works
    /// again, pages say so.
    fn write_out(&mut self, site: &[(String, site::Content)], files: &Files, changes: Option<&files::Changes>) {
        let Some(out) = &mut self.out else { return };
        let unwritten = out
            .write(site, files, changes, &self.root)
            .err()
            .map(|e| format!("could not write the site to {}: {e}", out.dir.display()));
        if let Some(e) = &unwritten {
            eprintln!("copbook: error: {e}; the preview shows the latest build all the same");
        }
        if unwritten == self.unwritten {
            return;
        }
        self.unwritten = unwritten;
        let before = self.state.showing();
        self.state.show(Showing { notices: self.notices(), ..(*before).clone() });
        self.state.hub.send(Event::Reload);
    }
}

/// Opens the preview in the default browser; failing to is not an error.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Ok(mut child) = command.spawn() {
        // Reap it, so no zombie is left behind.
        std::thread::spawn(move || child.wait());
    }
}
