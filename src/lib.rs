//! copbook turns a folder of Markdown into a community-of-practice handbook.
//!
//! A page travels through the modules in this order:
//!
//! 1. [`load`]: read the content folder: `handbook.toml`, every Markdown file
//!    split into front matter and body, static files and template overrides.
//!    [`load::dialect`] first turns a folder written for another generator
//!    (tech-docs, MkDocs, Jekyll/Eleventy, a Confluence export) into the same.
//! 2. [`model`]: build the typed handbook (communities, people, glossary
//!    terms, principles, guidelines, standards, pages), give every page its
//!    URL, and check the references between them; [`check`] adds the health
//!    checks (review dates, leads, duplicate glossary words).
//! 3. [`markdown`]: render each body to HTML, resolving links to the pages
//!    they name and collecting headings and links for the checks.
//! 4. [`render`]: apply the theme's templates, and write the pages copbook
//!    makes itself (directories, glossary, review report, sitemap...).
//! 5. [`output`]: write the site, swapping it in only when it is complete.
//!
//! [`site`] runs the stages for `build`, `check` and `serve`, keeping each
//! step's work by the hash of its declared inputs, so a rebuild after one
//! edit is quick without ever changing its result. Beside the pipeline:
//! [`diag`] and [`report`] (findings with file and line, and how they are
//! printed), [`serve`] (preview server with livereload), and the command
//! line in `main.rs`. Leaves every stage may use: [`keys`] (the table of
//! front-matter keys), [`text`] (slugs, headings, names), [`html`]
//! (escaping, callouts), [`url_safety`] (which URLs may become links),
//! [`date`] and [`config`].

pub mod check;
pub mod config;
pub mod date;
pub mod diag;
pub mod html;
pub mod keys;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod report;
pub mod serve;
pub mod site;
pub mod text;
pub mod timezone;
pub mod url_safety;
