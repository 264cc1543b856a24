//! `build`, `check` and `serve`: run the pipeline, print the findings, and
//! end with one summary line.

use super::console::Console;
use super::{one_of, parse_date, CONTENT_ERRORS, USAGE};
use clap::Args;
use copbook::date::Date;
use copbook::diag::{Diagnostics, Severity};
use copbook::load::dialect::Dialect;
use copbook::report::{self, Format};
use copbook::site;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args)]
pub struct Common {
    /// The handbook folder (holding handbook.toml).
    #[arg(default_value = ".")]
    content_dir: PathBuf,
    /// Where the site is published, e.g. https://org.github.io/handbook/ or /handbook/
    /// (overrides base_url in handbook.toml).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The date review states are computed for (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
    /// Read the folder as written for this generator (detected when absent).
    #[arg(long, value_parser = one_of(&Dialect::ALL, Dialect::id, Dialect::about))]
    dialect: Option<Dialect>,
}

#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// Output folder (default: `output` in handbook.toml, else CONTENT_DIR/public).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// How findings are printed.
    #[arg(long, value_parser = one_of(&Format::ALL, Format::id, Format::about), default_value = "human")]
    format: Format,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    strict: bool,
    /// How findings are printed.
    #[arg(long, value_parser = one_of(&Format::ALL, Format::id, Format::about), default_value = "human")]
    format: Format,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    common: Common,
    /// The format to write: `json`, the model of /handbook.json (its schema is /handbook.schema.json).
    #[arg(long, value_parser = ["json"], default_value = "json")]
    format: String,
    /// Write to this file instead of standard output (replaced only when the export succeeds).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    common: Common,
    /// Port to listen on.
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on. Only change it to share the preview on a trusted network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Open the preview in the default browser.
    #[arg(long)]
    open: bool,
    /// Also write each good build to this folder, as `build` would (default: write nothing;
    /// the preview is served from memory).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Show draft pages too (`draft = true`), marked as drafts. Never published.
    #[arg(long)]
    drafts: bool,
    /// Watch by polling file times, for network drives and WSL where file events are unreliable.
    #[arg(long)]
    poll: bool,
}

impl Common {
    /// The folder named may be the `source/` of a tech-docs project: build the project.
    fn settle(&mut self, console: &Console) {
        let folder = copbook::load::dialect::handbook_folder(&self.content_dir);
        if folder != self.content_dir {
            console.info(format!(
                "{} is the content of the project at {}; building that",
                self.content_dir.display(),
                folder.display()
            ));
            self.content_dir = folder;
        }
    }

    /// Settles the folder, and refuses (with the exit code) one that cannot be built.
    fn ready(&mut self, console: &Console) -> Result<(), i32> {
        self.settle(console);
        match self.unusable() {
            Some(why) => {
                eprintln!("{why}");
                Err(USAGE)
            }
            None => Ok(()),
        }
    }

    /// Why the folder cannot be built at all: missing, or no handbook.
    fn unusable(&self) -> Option<String> {
        let dir = &self.content_dir;
        if !dir.is_dir() {
            return Some(format!("error: {} is not a folder", dir.display()));
        }
        let dialect = self.dialect.unwrap_or_else(|| copbook::load::dialect::detect(dir));
        if dialect == Dialect::Copbook && !dir.join(copbook::config::FILE_NAME).is_file() && !holds_markdown(dir) {
            return Some(format!(
                "error: {} is not a handbook: it has no {} and no Markdown files\n  = help: start one with `copbook init {}`",
                dir.display(),
                copbook::config::FILE_NAME,
                shell_word(dir)
            ));
        }
        None
    }
}

/// Whether any Markdown file lies below `dir` (hidden folders aside).
fn holds_markdown(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .any(|e| e.file_type().is_file() && copbook::load::is_markdown(&e.file_name().to_string_lossy()))
}

/// A path as it would be typed in a shell, quoted when it needs to be.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn options(common: &Common, out: Option<PathBuf>) -> site::Options {
    site::Options {
        root: common.content_dir.clone(),
        base_url: common.base_url.clone(),
        today: common.today,
        out,
        dialect: common.dialect,
        drafts: false,
    }
}

/// Prints findings (JSON to stdout, the rest to stderr) and returns the
/// exit code they call for. People get [`Console::for_people`]'s share;
/// JSON and GitHub annotations always list every finding.
fn report(diags: &Diagnostics, common: &Common, format: Format, strict: bool, console: &Console) -> i32 {
    match format {
        Format::Human => {
            let (shown, more) = console.for_people(diags);
            eprint!("{}", report::format(&shown, &common.content_dir, format, console.color, console.verbose));
            for line in more {
                eprintln!("note: {line}");
            }
        }
        Format::Json => print!("{}", report::format(diags, &common.content_dir, format, false, false)),
        Format::Github => {
            // GitHub places annotations by the path from the repository's root.
            let mut from_root = diags.clone();
            if let Some(prefix) = git(&common.content_dir, &["rev-parse", "--show-prefix"]) {
                let prefix = prefix.trim();
                for d in from_root.0.iter_mut().filter(|d| !d.file.is_empty()) {
                    d.file = format!("{prefix}{}", d.file);
                }
            }
            eprint!("{}", report::format(&from_root, &common.content_dir, format, false, false))
        }
    }
    let failed = diags.has_errors() || (strict && diags.count(Severity::Warning) > 0);
    if failed {
        CONTENT_ERRORS
    } else {
        0
    }
}

pub fn build(mut args: BuildArgs, console: &Console) -> i32 {
    let started = Instant::now();
    if let Err(code) = args.common.ready(console) {
        return code;
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.common));
    // A build killed mid-swap left the previous site aside: put it back first,
    // so that what is said below about the previous output is true.
    match copbook::output::recover(&out) {
        Ok(Some(from)) => console
            .info(format!("an earlier build was interrupted; put the previous output back from {}", from.display())),
        Ok(None) => {}
        Err(e) => {
            eprintln!("warning: an earlier build was interrupted and its previous output could not be put back: {e}")
        }
    }
    // Pages are written into a staging folder as they are rendered, so the
    // site is never held whole in memory; it replaces the output only when
    // the build has no errors, and is removed otherwise.
    let staging = match copbook::output::Staging::begin(&out, &args.common.content_dir) {
        Ok(staging) => staging,
        Err(e) => {
            eprintln!("error: could not write the site: {e}");
            return USAGE;
        }
    };
    let spinner = console.spinner("building");
    let built = site::build_into(&options(&args.common, Some(out.clone())), &staging);
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let (site, diags) = match built {
        Ok(built) => built,
        Err(e) => {
            eprintln!("error: could not write the site: {e}");
            return USAGE;
        }
    };
    let code = report(&diags, &args.common, args.format, args.strict, console);
    let seconds = |t: Instant| t.elapsed().as_secs_f64();
    let Some(site) = site.filter(|_| code == 0) else {
        let previous = if out.exists() {
            "the previous output is unchanged".to_string()
        } else {
            format!("there is no previous output in {}", out.display())
        };
        console.info(format!(
            "build failed in {:.2} s ({}); nothing was written ({previous})",
            seconds(started),
            report::summary(&diags)
        ));
        return CONTENT_ERRORS;
    };
    let writing = Instant::now();
    if let Err(e) = staging.write_all(&site.files).and_then(|()| staging.finish()) {
        eprintln!("error: could not write the site: {e}");
        return USAGE;
    }
    if console.verbose || std::env::var_os("COPBOOK_TIMINGS").is_some() {
        for (stage, took) in &site.timings {
            eprintln!("  {stage:>10}: {:7.1} ms", took.as_secs_f64() * 1000.0);
        }
        eprintln!("  {:>10}: {:7.1} ms", "write", seconds(writing) * 1000.0);
    }
    let pages = site.handbook.pages.iter().filter(|p| p.has_own_page()).count();
    if site.dialect != Dialect::Copbook {
        console.info(format!("read {} as a {} handbook", args.common.content_dir.display(), site.dialect.name()));
    }
    console.info(format!(
        "built {pages} pages into {} in {:.2} s ({})",
        out.display(),
        seconds(started),
        report::summary(&diags)
    ));
    0
}

/// `output` from handbook.toml, else `public`; for another generator's
/// folder `_site`, because `public/` there often holds the other tool's
/// own static files (Astro, Next, Hugo).
fn default_out(common: &Common) -> PathBuf {
    let root = &common.content_dir;
    let dialect = common.dialect.unwrap_or_else(|| copbook::load::dialect::detect(root));
    // Findings about handbook.toml come with the build itself.
    let configured = copbook::load::config(root, &mut Diagnostics::default()).map(|c| c.output);
    let name = match (configured, dialect) {
        (Some(output), _) => output,
        (None, Dialect::Copbook) => "public".into(),
        (None, _) => "_site".into(),
    };
    root.join(name)
}

/// Says which generator's folder this is, when it is not copbook's own.
fn say_dialect(common: &Common, console: &Console) {
    let dialect = common.dialect.unwrap_or_else(|| copbook::load::dialect::detect(&common.content_dir));
    if dialect != Dialect::Copbook {
        console.info(format!("reading {} as a {} handbook", common.content_dir.display(), dialect.name()));
    }
}

pub fn check(mut args: CheckArgs, console: &Console) -> i32 {
    let started = Instant::now();
    if let Err(code) = args.common.ready(console) {
        return code;
    }
    if args.format == Format::Human {
        say_dialect(&args.common, console);
    }
    let spinner = console.spinner("checking");
    let (_, diags) = site::build(&options(&args.common, None));
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let code = report(&diags, &args.common, args.format, args.strict, console);
    if args.format == Format::Human {
        console.info(report::summary(&diags));
        if console.verbose {
            eprintln!("copbook: checked in {:.2} s", started.elapsed().as_secs_f64());
        }
    }
    code
}

pub fn serve(mut args: ServeArgs, console: &Console) -> i32 {
    args.common.settle(console);
    let options = copbook::serve::ServeOptions {
        site: site::Options { drafts: args.drafts, ..options(&args.common, args.out.clone()) },
        port: args.port,
        bind: args.bind,
        open: args.open,
        out: args.out,
        poll: args.poll,
        quiet: console.quiet,
    };
    match copbook::serve::run(options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}

/// `copbook export`: the handbook as data on standard output or in a file;
/// findings go to standard error, and errors write nothing (exit 1).
pub fn export(mut args: ExportArgs, console: &Console) -> i32 {
    if let Err(code) = args.common.ready(console) {
        return code;
    }
    let (json, diags) = site::handbook_json(&options(&args.common, None));
    let code = report(&diags, &args.common, Format::Human, false, console);
    let Some(json) = json.filter(|_| code == 0) else {
        console.info(format!("export failed ({}); nothing was written", report::summary(&diags)));
        return CONTENT_ERRORS;
    };
    let written = match &args.out {
        Some(file) => copbook::output::replace_file(file, &json),
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &json),
    };
    if let Err(e) = written {
        eprintln!("error: could not write the export: {e}");
        return USAGE;
    }
    if let Some(file) = &args.out {
        console.info(format!("wrote {} ({})", file.display(), report::summary(&diags)));
    }
    0
}

/// The output of `git -C dir ARGS`, when git runs and succeeds.
pub fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    String::from_utf8(out.stdout).ok().filter(|_| out.status.success())
}
