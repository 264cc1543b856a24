//! The command line: `build`, `check` and `serve` ([`commands`]), `init` and
//! `new` ([`scaffold`]), and `completions` and `man` for shells and manuals.
//!
//! Exit codes: 0 when all went well, 1 when the handbook has errors (or
//! warnings with `--strict`), 2 for a mistake on the command line or in the
//! environment (a folder that is missing or is no handbook, a file that
//! cannot be written). Clap's own usage errors exit 2 as well.

mod commands;
mod console;
mod scaffold;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use commands::{BuildArgs, CheckArgs, ExportArgs, ServeArgs};
use console::Console;
use copbook::date::Date;
use scaffold::{InitArgs, NewArgs};

/// Exit code for a handbook with errors.
pub const CONTENT_ERRORS: i32 = 1;
/// Exit code for a usage or environment error.
pub const USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "copbook",
    version,
    disable_help_subcommand = true,
    about = "Build a community-of-practice handbook from a folder of Markdown.",
    long_about = "Build a community-of-practice handbook from a folder of Markdown: communities and their leads, \
people, a glossary, and the principles, guidelines and standards the communities own.\n\n\
Start with: copbook init my-handbook, or copbook serve content-example",
    after_help = "Exit codes: 0 ok, 1 the handbook has errors, 2 a usage or environment error."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command takes.
#[derive(Args)]
struct Global {
    /// Print only errors: no progress, summary or advice.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print every finding (repeated ones are otherwise summarised) and each stage's time.
    #[arg(long, short, global = true)]
    verbose: bool,
    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: CONTENT_DIR/public).
    Build(BuildArgs),
    /// Check the handbook without writing anything: exit 0 when clean, 1 on errors.
    Check(CheckArgs),
    /// Preview the handbook in a browser, rebuilding and reloading on every save.
    Serve(ServeArgs),
    /// Write the handbook as data (handbook.json's model) without building the site.
    Export(ExportArgs),
    /// Start a handbook: a small working one (or the full example) and a GitHub Pages workflow.
    Init(InitArgs),
    /// Add a community, person, term, principle, guideline, standard or page.
    New(NewArgs),
    /// Print a shell completion script: `copbook completions bash > /etc/bash_completion.d/copbook`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `copbook man > copbook.1`.
    Man,
    /// Print the help of copbook or of one of its commands.
    Help {
        /// The command to describe.
        command: Option<String>,
    },
}

/// Parses one of a library enum's values by its id, so the library stays
/// free of clap while `--help` lists each value with what it means.
fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    id: fn(T) -> &'static str,
    about: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    let values = all.iter().map(move |&v| PossibleValue::new(id(v)).help(about(v)));
    // Clap only passes on a value it found among `values`.
    PossibleValuesParser::new(values).map(move |s| all.iter().copied().find(|&v| id(v) == s).unwrap_or(all[0]))
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, false).ok_or_else(|| format!("'{s}' is not a date; write it as 2026-11-23"))
}

pub fn run() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Clap prints its own help and errors before our flags are read: give
    // it the colour choice from the raw arguments.
    let parsed = Cli::command().color(clap_color(&args)).try_get_matches_from(&args);
    let cli = match parsed.and_then(|matches| Cli::from_arg_matches(&matches)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { USAGE } else { 0 };
        }
    };
    let console = Console::new(cli.global.quiet, cli.global.verbose, cli.global.color);
    match cli.command {
        Command::Build(args) => commands::build(args, &console),
        Command::Check(args) => commands::check(args, &console),
        Command::Serve(args) => commands::serve(args, &console),
        Command::Export(args) => commands::export(args, &console),
        Command::Init(args) => scaffold::init(args, &console),
        Command::New(args) => scaffold::new(args, &console),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "copbook", &mut std::io::stdout());
            0
        }
        Command::Man => match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: could not print the manual: {e}");
                USAGE
            }
        },
        Command::Help { command } => help(command.as_deref()),
    }
}

/// `copbook help [COMMAND]`.
fn help(name: Option<&str>) -> i32 {
    let mut cli = Cli::command();
    let found = match name {
        None => Some(&mut cli),
        Some(name) => cli.find_subcommand_mut(name),
    };
    match found {
        Some(command) => {
            let _ = command.print_long_help();
            0
        }
        None => {
            let name = name.unwrap_or_default();
            let known: Vec<String> = Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
            let hint = copbook::diag::did_you_mean(name, known.iter().map(String::as_str))
                .map_or_else(String::new, |m| format!("; {m}"));
            eprintln!("error: there is no command '{name}'{hint}");
            USAGE
        }
    }
}

/// `--color` as written among `args`, for clap's own messages.
fn clap_color(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut words = args.iter().filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--color") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => continue,
        };
        choice = match value {
            Some("always") => clap::ColorChoice::Always,
            Some("never") => clap::ColorChoice::Never,
            _ => choice,
        };
    }
    choice
}
