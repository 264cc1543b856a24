//! The command line: `build`, `check` and `serve`.

use clap::{Args, Parser, Subcommand};
use copbook::date::Date;
use copbook::diag::{Diagnostics, Severity};
use copbook::report::{self, Format};
use copbook::site;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "copbook",
    version,
    about = "Build a community-of-practice handbook from a folder of Markdown.",
    long_about = "Build a community-of-practice handbook from a folder of Markdown: communities and their leads, \
people, a glossary, and the principles, guidelines and standards the communities own.\n\n\
Start with: copbook serve content-example"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: CONTENT_DIR/public).
    Build(BuildArgs),
    /// Check the handbook without writing anything: exit 0 when clean, 1 on errors.
    Check(CheckArgs),
    /// Preview the handbook in a browser, rebuilding and reloading on every save.
    Serve(ServeArgs),
}

#[derive(Args)]
struct Common {
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
    #[arg(long, value_enum)]
    dialect: Option<copbook::dialect::Dialect>,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// Output folder (default: `output` in handbook.toml, else CONTENT_DIR/public).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    strict: bool,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args)]
struct ServeArgs {
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
    /// Folder the preview site is written to (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Watch by polling file times, for network drives and WSL where file events are unreliable.
    #[arg(long)]
    poll: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, false).ok_or_else(|| format!("'{s}' is not a date; write it as 2026-11-23"))
}

pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Serve(args) => serve(args),
    }
}

fn options(common: &Common, out: Option<PathBuf>) -> site::Options {
    site::Options {
        root: common.content_dir.clone(),
        base_url: common.base_url.clone(),
        today: common.today,
        out,
        dialect: common.dialect,
    }
}

/// Prints findings to stderr and returns the exit code they call for.
fn report(diags: &Diagnostics, common: &Common, format: Format, strict: bool) -> i32 {
    let color = format == Format::Human && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = report::format(diags, &common.content_dir, format, color);
    if format == Format::Json {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
    let failed = diags.has_errors() || (strict && diags.count(Severity::Warning) > 0);
    i32::from(failed)
}

fn build(args: BuildArgs) -> i32 {
    let started = Instant::now();
    if !args.common.content_dir.is_dir() {
        eprintln!("error: {} is not a folder", args.common.content_dir.display());
        return 2;
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.common));
    // A build killed mid-swap left the previous site aside: put it back first,
    // so that what is said below about the previous output is true.
    match copbook::output::recover(&out) {
        Ok(Some(from)) => {
            eprintln!("copbook: an earlier build was interrupted; put the previous output back from {}", from.display())
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("warning: an earlier build was interrupted and its previous output could not be put back: {e}")
        }
    }
    let (site, diags) = site::build(&options(&args.common, Some(out.clone())));
    let code = report(&diags, &args.common, args.format, args.strict);
    let Some(site) = site.filter(|_| code == 0) else {
        let previous = if out.exists() {
            "the previous output is unchanged".to_string()
        } else {
            format!("there is no previous output in {}", out.display())
        };
        eprintln!("copbook: {}; the site was not written ({previous})", report::summary(&diags));
        return 1;
    };
    let writing = Instant::now();
    if let Err(e) = copbook::output::write_site(&site.files, &out, &args.common.content_dir) {
        eprintln!("error: could not write the site: {e}");
        return 2;
    }
    if std::env::var_os("COPBOOK_TIMINGS").is_some() {
        for (stage, took) in &site.timings {
            eprintln!("  {stage:>10}: {:7.1} ms", took.as_secs_f64() * 1000.0);
        }
        eprintln!("  {:>10}: {:7.1} ms", "write", writing.elapsed().as_secs_f64() * 1000.0);
    }
    let pages = site.handbook.pages.iter().filter(|p| p.has_own_page()).count();
    if site.dialect != copbook::dialect::Dialect::Copbook {
        eprintln!("copbook: read {} as a {} handbook", args.common.content_dir.display(), site.dialect.name());
    }
    eprintln!(
        "copbook: built {pages} pages into {} in {:.2} s ({})",
        out.display(),
        started.elapsed().as_secs_f64(),
        report::summary(&diags)
    );
    0
}

/// `output` from handbook.toml, else `public`; for another generator's
/// folder `_site`, because `public/` there often holds the other tool's
/// own static files (Astro, Next, Hugo).
fn default_out(common: &Common) -> PathBuf {
    let root = &common.content_dir;
    let dialect = common.dialect.unwrap_or_else(|| copbook::dialect::detect(root));
    let mut d = Diagnostics::default();
    let configured = copbook::load::read_text(root, copbook::config::FILE_NAME, &mut d)
        .and_then(|t| copbook::config::Config::parse(&t, &mut d))
        .map(|c| c.output);
    let name = match (configured, dialect) {
        (Some(output), _) => output,
        (None, copbook::dialect::Dialect::Copbook) => "public".into(),
        (None, _) => "_site".into(),
    };
    root.join(name)
}

/// Says which generator's folder this is, when it is not copbook's own.
fn say_dialect(common: &Common) {
    let dialect = common.dialect.unwrap_or_else(|| copbook::dialect::detect(&common.content_dir));
    if dialect != copbook::dialect::Dialect::Copbook {
        eprintln!("copbook: reading {} as a {} handbook", common.content_dir.display(), dialect.name());
    }
}

fn check(args: CheckArgs) -> i32 {
    if !args.common.content_dir.is_dir() {
        eprintln!("error: {} is not a folder", args.common.content_dir.display());
        return 2;
    }
    if args.format == Format::Human {
        say_dialect(&args.common);
    }
    let (_, diags) = site::build(&options(&args.common, None));
    let code = report(&diags, &args.common, args.format, args.strict);
    if args.format == Format::Human {
        eprintln!("copbook: {}", report::summary(&diags));
    }
    code
}

fn serve(args: ServeArgs) -> i32 {
    let options = copbook::serve::ServeOptions {
        site: options(&args.common, args.out.clone()),
        port: args.port,
        bind: args.bind,
        open: args.open,
        out: args.out,
        poll: args.poll,
    };
    match copbook::serve::run(options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
