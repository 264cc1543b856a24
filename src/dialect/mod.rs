//! Adapters for handbooks written for other generators (GOV.UK tech-docs,
//! MkDocs, Jekyll/Eleventy, Confluence exports): each turns its family's
//! files into copbook's own model before the normal pipeline runs.

use crate::diag::Diagnostics;
use crate::load::Folder;
use std::path::Path;

/// The family a handbook folder was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
pub fn detect(_root: &Path) -> Dialect {
    Dialect::Copbook
}

/// The sub-folder holding the content for a dialect (`source` for tech-docs).
pub fn content_dir(_dialect: Dialect, _root: &Path) -> String {
    String::new()
}

/// Rewrites the loaded folder into copbook's model: configuration, paths,
/// bodies, redirects.
pub fn adapt(_dialect: Dialect, _folder: &mut Folder, _diags: &mut Diagnostics) {}
