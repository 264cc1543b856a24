//! `copbook init` and `copbook new`: write a handbook's first files, and
//! one new file with the front matter its kind needs. These write the
//! handbook's sources, never its site, and never over an existing file.

use super::commands::{git, shell_word};
use super::console::Console;
use super::{parse_date, USAGE};
use clap::Args;
use copbook::date::Date;
use copbook::diag::{did_you_mean, Diagnostics};
use copbook::model::Kind;
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

/// The small working handbook `init` writes (`{{title}}` and `{{today}}`
/// are filled in), with its GitHub Pages workflow.
static STARTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/starter");

/// The example handbook, for `init --example`, folder by folder so that a
/// site built into `content-example/public` is never embedded. A test
/// holds this list to the folder.
static EXAMPLE: &[(&str, Dir<'static>)] = &[
    ("communities", include_dir!("$CARGO_MANIFEST_DIR/content-example/communities")),
    ("glossary", include_dir!("$CARGO_MANIFEST_DIR/content-example/glossary")),
    ("guidelines", include_dir!("$CARGO_MANIFEST_DIR/content-example/guidelines")),
    ("how-we-work", include_dir!("$CARGO_MANIFEST_DIR/content-example/how-we-work")),
    ("people", include_dir!("$CARGO_MANIFEST_DIR/content-example/people")),
    ("principles", include_dir!("$CARGO_MANIFEST_DIR/content-example/principles")),
    ("reference", include_dir!("$CARGO_MANIFEST_DIR/content-example/reference")),
    ("standards", include_dir!("$CARGO_MANIFEST_DIR/content-example/standards")),
    ("static", include_dir!("$CARGO_MANIFEST_DIR/content-example/static")),
];
static EXAMPLE_FILES: &[(&str, &str)] = &[
    ("handbook.toml", include_str!("../../content-example/handbook.toml")),
    ("index.md", include_str!("../../content-example/index.md")),
    ("glossary.toml", include_str!("../../content-example/glossary.toml")),
];

/// Where the workflow goes, relative to the repository's root.
const WORKFLOW: &str = ".github/workflows/pages.yml";

#[derive(Args)]
pub struct InitArgs {
    /// The folder to start the handbook in (created when missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The handbook's title.
    #[arg(long, default_value = "Our handbook", conflicts_with = "example")]
    title: String,
    /// Write the full example handbook (a fictional charity's) instead of the small one.
    #[arg(long)]
    example: bool,
    /// Replace files that already exist.
    #[arg(long)]
    force: bool,
    /// The date written as `last_reviewed` (YYYY-MM-DD); default today (or SOURCE_DATE_EPOCH).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
}

#[derive(Args)]
pub struct NewArgs {
    /// What to add: community, person, term, principle, guideline, standard or page.
    kind: String,
    /// Its id, which is its file name: `plain-language`, or `how-we-work/onboarding` for a page.
    id: String,
    /// Its title (a person's name, a term's word); default: from the id.
    #[arg(long)]
    title: Option<String>,
    /// The owning community, for principles, guidelines, standards and pages.
    #[arg(long, value_name = "COMMUNITY")]
    owner: Option<String>,
    /// The handbook folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    dir: PathBuf,
    /// The date written as `last_reviewed` (YYYY-MM-DD); default today (or SOURCE_DATE_EPOCH).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
}

/// A TOML string literal, escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The files `init` writes: (path relative to `dir`, contents).
fn init_files(args: &InitArgs, today: Date) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    if args.example {
        for (name, dir) in EXAMPLE {
            let start = files.len();
            collect(dir, &mut files);
            for (path, _) in &mut files[start..] {
                *path = Path::new(name).join(&*path);
            }
        }
        files.extend(EXAMPLE_FILES.iter().map(|(p, text)| (PathBuf::from(p), text.as_bytes().to_vec())));
    } else {
        collect(&STARTER, &mut files);
        files.retain(|(p, _)| !p.starts_with(".github"));
        for (_, bytes) in &mut files {
            let text = String::from_utf8_lossy(bytes)
                .replace("\"{{title}}\"", &toml_string(&args.title))
                .replace("{{today}}", &today.to_string());
            *bytes = text.into_bytes();
        }
    }
    files.push((
        ".gitignore".into(),
        b"# The built site: copbook build writes it, nobody edits it.\npublic/\n_site/\n".to_vec(),
    ));
    files.sort();
    files
}

fn collect(dir: &Dir, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    for file in dir.files() {
        files.push((file.path().to_path_buf(), file.contents().to_vec()));
    }
    for sub in dir.dirs() {
        collect(sub, files);
    }
}

/// The workflow for a handbook at `handbook` (relative to the repository's root).
fn workflow(handbook: &Path) -> String {
    let text = STARTER.get_file(WORKFLOW).and_then(|f| f.contents_utf8()).unwrap_or_default();
    // A copbook built without its own address (Cargo.toml's `repository`)
    // cannot fill it in: the placeholder says so where it stands, and the
    // workflow's first copbook step stops with an annotation on that line
    // rather than failing later in `git ls-remote` with a riddle.
    let (repository, note) = match copbook_source() {
        Some(url) => (url, ""),
        None => (
            PLACEHOLDER,
            "\n  # REPLACE OWNER below with the account that publishes copbook: this\n  \
             # copbook did not know its own address, and the workflow stops until it is set.",
        ),
    };
    let folder = match handbook.to_string_lossy().replace('\\', "/").trim_matches('/') {
        "" => ".".to_string(),
        f => f.to_string(),
    };
    let text = text
        .replace("{{copbook_git_note}}", note)
        .replace("{{copbook_git}}", repository)
        .replace("{{copbook_ref}}", "main")
        .replace("{{handbook_dir}}", &yaml_string(&folder));
    let line = text.lines().position(|l| l.trim_start().starts_with("COPBOOK_GIT:")).map_or(1, |i| i + 1);
    text.replace("{{copbook_git_line}}", &line.to_string())
}

/// The address the workflow names when copbook does not know its own; the
/// workflow's check step recognises it by `OWNER`.
const PLACEHOLDER: &str = "https://github.com/OWNER/copbook";

/// Where copbook's source is published, when this build knows it.
fn copbook_source() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|url| !url.is_empty())
}

/// A YAML double-quoted string.
fn yaml_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The top folder of the git repository holding `dir`, if any.
fn git_root(dir: &Path) -> Option<PathBuf> {
    git(dir, &["rev-parse", "--show-toplevel"]).map(|top| PathBuf::from(top.trim()))
}

pub fn init(args: InitArgs, console: &Console) -> i32 {
    let today = args.today.unwrap_or_else(Date::today);
    if args.dir.exists() && !args.dir.is_dir() {
        eprintln!("error: {} is a file, not a folder", args.dir.display());
        return USAGE;
    }
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("error: cannot create {}: {e}", args.dir.display());
        return USAGE;
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> =
        init_files(&args, today).into_iter().map(|(p, bytes)| (args.dir.join(p), bytes)).collect();
    // GitHub reads workflows only at the repository's root: a handbook in
    // a sub-folder of a repository gets its workflow there.
    let dir = std::fs::canonicalize(&args.dir).unwrap_or_else(|_| args.dir.clone());
    let (repo, handbook) = match git_root(&dir) {
        Some(root) => {
            let inside = dir.strip_prefix(&root).map(Path::to_path_buf).unwrap_or_default();
            (root, inside)
        }
        None => (args.dir.clone(), PathBuf::new()),
    };
    files.push((repo.join(WORKFLOW), workflow(&handbook).into_bytes()));
    if !args.force {
        let existing: Vec<String> =
            files.iter().filter(|(p, _)| p.exists()).map(|(p, _)| p.display().to_string()).collect();
        if let Some(first) = existing.first() {
            let others = match existing.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            eprintln!("error: {first} already exists{others}; copbook init never overwrites a file\n  = help: pass --force to replace them, or choose an empty folder");
            return USAGE;
        }
    }
    for (path, bytes) in &files {
        if let Err(e) = copbook::output::write_new_file(path, bytes) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return USAGE;
        }
    }
    if !console.quiet {
        let what = if args.example { "the example handbook" } else { "a new handbook" };
        println!("Wrote {what} in {} ({} files).", args.dir.display(), files.len());
        println!("\nNext:");
        let here = args.dir == Path::new(".");
        if !here {
            println!("  cd {}", shell_word(&args.dir));
        }
        let owner = if args.example { "content" } else { "content-design" };
        println!("  copbook serve                 # preview at http://127.0.0.1:1111/, reloading on every save");
        println!("  copbook new standard my-first-standard --owner {owner}");
        println!("  copbook check                 # every problem, with its file and line");
        println!(
            "\nTo publish on GitHub Pages, push to GitHub and set Settings > Pages > Source to \"GitHub Actions\";"
        );
        println!("{} builds and publishes the handbook on every push to main.", repo.join(WORKFLOW).display());
        if copbook_source().is_none() {
            println!("Before the first push, set COPBOOK_GIT at the top of that file to the git address copbook is installed from.");
        }
    }
    0
}

/// The kinds `new` writes, by the name it is given.
const KINDS: [Kind; 7] =
    [Kind::Community, Kind::Person, Kind::Term, Kind::Principle, Kind::Guideline, Kind::Standard, Kind::Page];

/// The folder a kind's files live in; empty for pages.
fn folder_of(kind: Kind) -> &'static str {
    Kind::FOLDERS.iter().find(|(_, k, _)| *k == kind).map_or("", |(folder, _, _)| folder)
}

/// Why `id` cannot be a file name for `kind`, with a better one.
fn check_id(id: &str, kind: Kind) -> Result<(), String> {
    let parts: Vec<&str> = id.split('/').collect();
    let good =
        |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let nested = parts.len() > 1;
    if (nested && kind != Kind::Page) || !parts.iter().all(|p| good(p)) {
        let suggestion: Vec<String> =
            parts.iter().map(|p| copbook::text::slugify(p)).filter(|p| !p.is_empty()).collect();
        let suggestion = if kind == Kind::Page { suggestion.join("/") } else { suggestion.join("-") };
        let rule = if kind == Kind::Page {
            "lowercase letters, digits and hyphens, with / between folders"
        } else {
            "lowercase letters, digits and hyphens"
        };
        let hint = if suggestion.is_empty() { String::new() } else { format!(", e.g. '{suggestion}'") };
        return Err(format!("'{id}' cannot be an id: use {rule}{hint}"));
    }
    Ok(())
}

pub fn new(args: NewArgs, console: &Console) -> i32 {
    let names = KINDS.map(Kind::name);
    let Some(kind) = Kind::from_name(&args.kind).filter(|k| KINDS.contains(k)) else {
        let hint = did_you_mean(&args.kind, names).map_or_else(String::new, |m| format!("; {m}"));
        eprintln!("error: copbook cannot make a '{}'{hint}\n  = help: choose one of {}", args.kind, names.join(", "));
        return USAGE;
    };
    let id = args.id.trim_end_matches(".md").trim_matches('/');
    if let Err(why) = check_id(id, kind) {
        eprintln!("error: {why}");
        return USAGE;
    }
    if !args.dir.is_dir() {
        eprintln!(
            "error: {} is not a folder\n  = help: start a handbook with `copbook init {}`",
            args.dir.display(),
            shell_word(&args.dir)
        );
        return USAGE;
    }
    let mut diags = Diagnostics::default();
    let today = args.today.unwrap_or_else(Date::today);
    let folder = copbook::load::folder(&args.dir, &Default::default(), &mut diags);
    let handbook = copbook::model::handbook(&folder, today, false, &mut diags);
    let owned = kind.is_item() || kind == Kind::Page;
    let owners: Vec<String> =
        args.owner.iter().flat_map(|o| o.split(',')).map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
    if !owners.is_empty() && !owned {
        eprintln!("error: a {} has no owner; --owner is for principles, guidelines, standards and pages", kind.name());
        return USAGE;
    }
    let communities: Vec<&str> =
        handbook.pages.iter().filter(|p| p.kind == Kind::Community).map(|p| p.id.as_str()).collect();
    for owner in &owners {
        if !communities.contains(&owner.as_str()) {
            let hint = match did_you_mean(owner, communities.iter().copied()) {
                Some(m) => m,
                None if communities.is_empty() => "add one first: copbook new community ID".to_string(),
                None => format!("the communities are: {}", communities.join(", ")),
            };
            eprintln!("error: '{owner}' is not a community of this handbook\n  = help: {hint}");
            return USAGE;
        }
    }
    let relative = match folder_of(kind) {
        "" => format!("{id}.md"),
        folder => format!("{folder}/{id}.md"),
    };
    let path = if args.dir == Path::new(".") { PathBuf::from(&relative) } else { args.dir.join(&relative) };
    let taken = handbook.pages.iter().find(|p| p.kind == kind && p.kind != Kind::Page && p.id == id);
    if path.exists() || taken.is_some() {
        let file =
            taken.map_or(relative.clone(), |p| if p.source.is_empty() { relative.clone() } else { p.source.clone() });
        eprintln!("error: there is already a {} '{id}' ({file}); copbook new never overwrites a file", kind.name());
        return USAGE;
    }
    let last = id.rsplit('/').next().unwrap_or(id);
    let title = args.title.clone().unwrap_or_else(|| copbook::text::humanise(last));
    if let Err(e) = copbook::output::write_new_file(&path, template(kind, &title, &owners, today).as_bytes()) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return USAGE;
    }
    println!("{}", path.display());
    if kind == Kind::Community && !console.quiet {
        eprintln!("copbook: add its leads (people's ids) to `leads`: copbook new person ID writes a person");
    }
    0
}

/// The front matter and a body outline for a new file of `kind`.
fn template(kind: Kind, title: &str, owners: &[String], today: Date) -> String {
    let title_value = toml_string(title);
    let owner_line = match owners {
        [] => String::new(),
        [one] => format!("owner = {}\n", toml_string(one)),
        many => format!("owner = [{}]\n", many.iter().map(|o| toml_string(o)).collect::<Vec<_>>().join(", ")),
    };
    match kind {
        Kind::Community => format!(
            "+++\ntitle = {title_value}\nsummary = \"Who this community is for, in one sentence.\"\n\
# The people who lead it, by their id in people/.\nleads = []\nstatus = \"forming\"\n\
# meets = \"Every other Tuesday, 10:00 to 11:00\"\n+++\n\n## Purpose\n\nWhat this community is for.\n\n\
## How we work\n\nWhen it meets, and how to join.\n"
        ),
        Kind::Person => format!(
            "+++\nname = {title_value}\n# role = \"Content designer\"\n# team = \"Digital\"\n\
# contact = \"mailto:name@example.org\"\n+++\n\nA sentence or two about {title}.\n"
        ),
        Kind::Term => format!(
            "+++\nterm = {title_value}\n# aliases = [\"other words for it\"]\n# see_also = [\"another-term\"]\n+++\n\n\
What {title} means here, in a sentence or two.\n"
        ),
        Kind::Page => {
            let reviewed = if owners.is_empty() { String::new() } else { format!("last_reviewed = {today}\n") };
            format!("+++\ntitle = {title_value}\n{owner_line}{reviewed}+++\n\nWrite the page here.\n")
        }
        _ => {
            let sections = match kind {
                Kind::Principle => "## What this means in practice\n\n",
                Kind::Guideline => "## Do\n\n## Don't\n\n",
                _ => "## Why it's important\n\n## What it means\n\n## How to check\n\n",
            };
            format!(
                "+++\ntitle = {title_value}\ndescription = \"What it asks, in one sentence.\"\n{owner_line}\
status = \"draft\"\nversion = \"0.1\"\nlast_reviewed = {today}\n+++\n\n{}",
                sections.trim_end()
            ) + "\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_example_is_the_whole_example_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
        let output = copbook::load::config(&root, &mut Diagnostics::default()).map(|c| c.output).unwrap_or_default();
        let mut on_disk: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| *name != output && !name.starts_with('.'))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = EXAMPLE
            .iter()
            .map(|(name, _)| name.to_string())
            .chain(EXAMPLE_FILES.iter().map(|(p, _)| p.to_string()))
            .collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "add the new entry of content-example to EXAMPLE or EXAMPLE_FILES (and build.rs)"
        );
    }

    #[test]
    fn ids_must_be_file_names() {
        assert!(check_id("plain-language", Kind::Standard).is_ok());
        assert!(check_id("how-we-work/onboarding", Kind::Page).is_ok());
        let err = check_id("Plain Language", Kind::Standard).unwrap_err();
        assert!(err.contains("'plain-language'"), "{err}");
        assert!(check_id("a/b", Kind::Term).is_err());
        assert!(check_id("", Kind::Page).is_err());
    }
}
