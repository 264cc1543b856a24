//! The preview server: builds the handbook, serves it on loopback, watches
//! the folder and reloads open pages after every rebuild.

use crate::site;
use std::path::PathBuf;

/// How `copbook serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: site::Options,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    /// Folder the preview is written to; a temporary one when `None`.
    pub out: Option<PathBuf>,
    pub poll: bool,
}

/// Runs until interrupted.
pub fn run(options: ServeOptions) -> Result<(), String> {
    let _ = options;
    Err("copbook serve is not available yet; use copbook build".into())
}
