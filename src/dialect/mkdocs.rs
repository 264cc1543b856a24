//! Placeholder: the adapter for this family follows in the next commits.
use crate::diag::Diagnostics;
use crate::load::Folder;
use std::path::Path;
pub fn detect(_root: &Path) -> bool { false }
pub fn content_dir(_root: &Path) -> String { String::new() }
pub fn adapt(_folder: &mut Folder, _diags: &mut Diagnostics) {}
