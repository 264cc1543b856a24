//! Adapters for handbooks written for other generators (GOV.UK tech-docs,
//! MkDocs, Jekyll/Eleventy, Confluence exports): each turns its family's
//! files into copbook's own model before the normal pipeline runs.
//!
//! An adapter works on the loaded [`Folder`]: it reads the family's
//! configuration, turns the family's page files into documents with
//! copbook's front matter and plain Markdown bodies, and leaves out what the
//! other generator would not have published (partials, layouts, config).
//! Bodies are rewritten line for line wherever possible, so findings about
//! a converted page still name the line the author sees.
//!
//! What each family converts, and what it drops, is listed at the top of
//! its file and in the README's "Moving from another generator".

mod confluence;
mod folder;
mod furniture;
mod jekyll;
mod liquid;
mod mkdocs;
mod techdocs;
mod text;

use crate::diag::Diagnostics;
use crate::load::Folder;
use std::path::Path;

/// The family a handbook folder was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// copbook's own layout.
    Copbook,
    /// GOV.UK tech-docs (Middleman): `source/*.html.md.erb`, `config/tech-docs.yml`.
    TechDocs,
    /// MkDocs / Material for MkDocs: `mkdocs.yml`, `docs/`.
    Mkdocs,
    /// Jekyll or Eleventy: Liquid tags, `_config.yml`.
    Jekyll,
    /// Confluence exports re-hosted as Markdown: `Page-Title_123456789.md`.
    Confluence,
}

impl Dialect {
    pub const ALL: [Dialect; 5] =
        [Dialect::Copbook, Dialect::TechDocs, Dialect::Mkdocs, Dialect::Jekyll, Dialect::Confluence];

    /// How `--dialect` names it.
    pub fn id(self) -> &'static str {
        match self {
            Dialect::Copbook => "copbook",
            Dialect::TechDocs => "tech-docs",
            Dialect::Mkdocs => "mkdocs",
            Dialect::Jekyll => "jekyll",
            Dialect::Confluence => "confluence",
        }
    }

    /// What folders of this family look like, for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            Dialect::Copbook => "copbook's own layout",
            Dialect::TechDocs => "GOV.UK tech-docs (Middleman): source/*.html.md.erb, config/tech-docs.yml",
            Dialect::Mkdocs => "MkDocs / Material for MkDocs: mkdocs.yml, docs/",
            Dialect::Jekyll => "Jekyll or Eleventy: Liquid tags, _config.yml",
            Dialect::Confluence => "Confluence exports re-hosted as Markdown: Page-Title_123456789.md",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Copbook => "copbook",
            Dialect::TechDocs => "GOV.UK tech-docs",
            Dialect::Mkdocs => "MkDocs",
            Dialect::Jekyll => "Jekyll/Eleventy",
            Dialect::Confluence => "Confluence export",
        }
    }
}

/// Which family the folder at `root` looks like, from what is in it.
///
/// A `handbook.toml` always means copbook: the owners have moved. The
/// families' own configuration files are the strongest sign, so they are
/// asked first; file names and Liquid tags in pages come last.
pub fn detect(root: &Path) -> Dialect {
    if root.join(crate::config::FILE_NAME).is_file() {
        Dialect::Copbook
    } else if techdocs::detect(root) {
        Dialect::TechDocs
    } else if mkdocs::detect(root) {
        Dialect::Mkdocs
    } else if jekyll::detect_config(root) {
        Dialect::Jekyll
    } else if confluence::detect(root) {
        Dialect::Confluence
    } else if jekyll::detect_liquid(root) {
        Dialect::Jekyll
    } else {
        Dialect::Copbook
    }
}

/// The folder to build when `path` was named: itself, or for the `source/`
/// folder of a tech-docs project, the project (its configuration lives
/// beside `source/`, and nothing outside the built folder is read).
pub fn handbook_folder(path: &Path) -> std::path::PathBuf {
    techdocs::project_of_source(path).unwrap_or_else(|| path.to_path_buf())
}

/// The sub-folder holding the content for a dialect (`source` for tech-docs).
pub fn content_dir(dialect: Dialect, root: &Path) -> String {
    match dialect {
        Dialect::Copbook => String::new(),
        Dialect::TechDocs => techdocs::content_dir(root),
        Dialect::Mkdocs => mkdocs::content_dir(root),
        Dialect::Jekyll => jekyll::content_dir(root),
        Dialect::Confluence => confluence::content_dir(root),
    }
}

/// Rewrites the loaded folder into copbook's model: configuration, paths,
/// bodies, redirects.
/// `today` is the build's date (`--today`), for what the other generator
/// would have computed at build time (tech-docs' `Time.current.year`).
pub fn adapt(dialect: Dialect, folder: &mut Folder, today: crate::date::Date, diags: &mut Diagnostics) {
    if dialect != Dialect::Copbook {
        folder.config.imported = Some(imported(dialect, &folder.content_dir));
    }
    match dialect {
        Dialect::Copbook => {}
        Dialect::TechDocs => techdocs::adapt(folder, today, diags),
        Dialect::Mkdocs => mkdocs::adapt(folder, diags),
        Dialect::Jekyll => jekyll::adapt(folder, diags),
        Dialect::Confluence => confluence::adapt(folder, diags),
    }
}

/// What copbook's own pages say about a handbook of this family: its name,
/// where community pages go, and the front-matter names its pages give the
/// review dates (tech-docs' own, copbook's for the others).
fn imported(dialect: Dialect, content_dir: &str) -> crate::config::Imported {
    use crate::keys::{LAST_REVIEWED, REVIEW_EVERY};
    let (last_reviewed, review_every) = match dialect {
        Dialect::TechDocs => ("last_reviewed_on", "review_in"),
        _ => (LAST_REVIEWED.name, REVIEW_EVERY.name),
    };
    let dir = content_dir.trim_matches('/');
    crate::config::Imported {
        family: dialect.name().to_string(),
        communities: if dir.is_empty() { "communities/".into() } else { format!("{dir}/communities/") },
        last_reviewed: last_reviewed.to_string(),
        review_every: review_every.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Every adapter on bodies made of the constructs they look for, cut
    /// and shuffled: none may panic, whatever the text.
    #[test]
    fn adapters_never_panic_on_odd_text() {
        const PIECES: [&str; 42] = [
            "<%",
            "%>",
            "<%=",
            "<%%",
            "-%>",
            " partial 'x' ",
            "warning_text('",
            " do %>",
            "<% end %>",
            "{%",
            "%}",
            "{{",
            "}}",
            " raw ",
            " endraw ",
            " comment ",
            " include x.html a=\"",
            " highlight ",
            "!!! note \"",
            "??? ",
            "=== \"",
            "    ",
            "\t",
            "\n",
            "\n\n",
            "`",
            "```",
            "~~~",
            "# ",
            "===\n",
            "é",
            "[",
            "](",
            "![",
            "<img src=\"",
            "images/icons/",
            "{: ",
            "#content",
            "_123456789.html",
            "%2",
            "1.  [Space](index.html)\n",
            "2.  [B](B_234567.html)",
        ];
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "partials/_x.html.erb", "<%= partial 'x' %>\n<ul>\n</ul>");
        write(dir.path(), "_includes/x.html", "{% include x.html %}{{ include.a }}");
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let body: String = (0..(next() % 60)).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            for dialect in [Dialect::TechDocs, Dialect::Mkdocs, Dialect::Jekyll, Dialect::Confluence] {
                let front =
                    crate::load::front_matter::split("p.md", "---\ntitle: T\n---\n").expect("front matter").front;
                let doc = crate::load::Document {
                    path: format!("p{round}.md"),
                    logical: format!("p{round}.html.md"),
                    url: None,
                    redirect_from: Vec::new(),
                    front: std::sync::Arc::new(front),
                    body: body.as_str().into(),
                    body_line: 4,
                    updated: None,
                    history: Default::default(),
                };
                let mut folder = Folder { root: dir.path().to_path_buf(), documents: vec![doc], ..Folder::default() };
                adapt(dialect, &mut folder, crate::date::Date::new(2026, 1, 1).unwrap(), &mut Diagnostics::default());
            }
        }
    }

    #[test]
    fn detects_each_family_from_its_files() {
        let cases: [(&[(&str, &str)], Dialect); 8] = [
            (&[("handbook.toml", ""), ("mkdocs.yml", "")], Dialect::Copbook),
            (&[("config/tech-docs.yml", "")], Dialect::TechDocs),
            (&[("source/a/b.html.md.erb", "")], Dialect::TechDocs),
            (&[("mkdocs.yml", "site_name: X\n")], Dialect::Mkdocs),
            (&[("_config.yml", "title: X\n")], Dialect::Jekyll),
            (&[("eleventy.config.js", "")], Dialect::Jekyll),
            (&[("pages/A_123456.md", ""), ("pages/B_234567.md", ""), ("pages/345678.md", "")], Dialect::Confluence),
            (&[("a.md", "See [x]({% link b.md %})\n")], Dialect::Jekyll),
        ];
        for (files, expected) in cases {
            let dir = tempfile::tempdir().expect("temp dir");
            for (path, text) in files {
                write(dir.path(), path, text);
            }
            assert_eq!(detect(dir.path()), expected, "{files:?}");
        }
        let plain = tempfile::tempdir().expect("temp dir");
        write(plain.path(), "index.md", "# Home\n");
        assert_eq!(detect(plain.path()), Dialect::Copbook);
    }
}
