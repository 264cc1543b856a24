//! Helpers for reshaping a loaded folder, shared by the adapters: reading
//! another generator's YAML configuration, turning files the loader did not
//! read as Markdown into documents, and leaving out what is not content.

use crate::date::Date;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys::{self, Type};
use crate::load::{self, front_matter, Document, Folder};
use serde_json::{Map, Value};
use std::path::Path;

/// Reads another generator's YAML configuration file, as the same values
/// front matter gives. `None` when it is absent. It is not copbook's own
/// file, so a problem with it is a warning: the pages still build.
pub fn read_yaml(root: &Path, path: &str, diags: &mut Diagnostics) -> Option<Map<String, Value>> {
    let text = load::read_text(root, path, diags)?;
    match load::yaml::parse(path, &text, 1) {
        Ok((fields, warnings)) => {
            diags.0.extend(warnings);
            Some(fields)
        }
        Err(e) => {
            diags.push(Diagnostic {
                severity: crate::diag::Severity::Warning,
                code: Code::ForeignConfig,
                message: format!("{}; its settings are ignored", e.message),
                ..e
            });
            None
        }
    }
}

/// Text of a configuration or front-matter value (numbers count as text).
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list of text: a list value, or a single text as a list of one.
pub fn text_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(other).into_iter().collect(),
    }
}

/// Reads a page file the loader left among the published files.
pub fn read_document(root: &Path, path: &str, logical: &str, diags: &mut Diagnostics) -> Option<Document> {
    let text = load::read_text(root, path, diags)?;
    // The loader's git dates are not reachable from here; the file time is
    // what a folder outside git would get too.
    let updated = std::fs::metadata(root.join(path))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| Date::from_days(d.as_secs() as i64 / 86_400));
    let mut doc = Document {
        path: path.to_string(),
        logical: logical.to_string(),
        url: None,
        redirect_from: Vec::new(),
        front: Default::default(),
        body: "".into(),
        body_line: 1,
        updated,
        history: Default::default(),
    };
    match front_matter::split(path, &text) {
        Ok(split) => {
            diags.0.extend(split.warnings);
            doc.body = split.body.into();
            doc.body_line = split.body_line;
            doc.front = std::sync::Arc::new(split.front);
        }
        // As in the loader: the page still exists, so links to it do not
        // cascade into more findings.
        Err(e) => diags.push(e),
    }
    Some(doc)
}

/// Moves the files for which `page` gives a logical name into the
/// documents, reading them as pages.
pub fn take_pages(folder: &mut Folder, page: impl Fn(&str) -> Option<String>, diags: &mut Diagnostics) {
    let files = std::mem::take(&mut folder.files);
    for file in files {
        match page(&file.logical) {
            Some(logical) => {
                if let Some(doc) = read_document(&folder.root, &file.path, &logical, diags) {
                    folder.documents.push(doc);
                }
            }
            None => folder.files.push(file),
        }
    }
    folder.documents.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Keeps only the documents and files whose logical path `keep` accepts.
pub fn retain(folder: &mut Folder, keep: impl Fn(&str) -> bool) {
    folder.documents.retain(|d| keep(&d.logical));
    folder.files.retain(|f| keep(&f.logical));
}

/// Whether the folder has copbook's own configuration, which then wins
/// over the other generator's.
pub fn has_own_config(folder: &Folder) -> bool {
    folder.root.join(crate::config::FILE_NAME).is_file()
}

/// The site title a JavaScript or TypeScript configuration file gives as
/// `title: "..."` inside the object named `object` (Astro's
/// `export const SITE = { title: "..." }`). JavaScript cannot be run here:
/// a title that is not a quoted literal is a warning on its line.
pub fn js_title(root: &Path, path: &str, object: &str, diags: &mut Diagnostics) -> Option<String> {
    let text = load::read_text(root, path, diags)?;
    let start = text.find(object)?;
    let title_at = start + text[start..].find("title")?;
    let rest = text[title_at + 5..].trim_start().strip_prefix(':')?.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'));
    let literal = quote.and_then(|q| rest[1..].split_once(q)).map(|(value, _)| value.trim());
    match literal {
        Some(title) if !title.is_empty() && !title.contains("${") => Some(title.to_string()),
        _ => {
            let line = text[..title_at].matches('\n').count() as u32 + 1;
            diags.push(
                Diagnostic::warning(
                    Code::ForeignConfig,
                    format!("the site title ({object}.title) is not written as text in quotes; copbook cannot run JavaScript, so the site is called 'Handbook'"),
                )
                .at(path, line)
                .hint("write the title in quotes there, or set title in a handbook.toml"),
            );
            None
        }
    }
}

/// Sets where the site is published, unless `handbook.toml` or
/// `--base-url` already did (both leave it other than the default).
pub fn set_base_url(folder: &mut Folder, url: &str) {
    let url = url.trim();
    if !url.is_empty() && folder.config.base_url == "/" && !has_own_config(folder) {
        folder.config.base_url = url.to_string();
    }
}

/// `a/b/c.md` -> `a/b`.
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The file name of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Sets a front-matter value unless the page gives one.
pub fn default_field(doc: &mut Document, key: &str, value: Value) {
    if doc.front.fields.get(key).is_none_or(Value::is_null) {
        std::sync::Arc::make_mut(&mut doc.front).fields.insert(key.to_string(), value);
    }
}

/// Front-matter keys copbook reads with a meaning of its own, which another
/// generator's pages may use for something else (Material's `status: new`,
/// `owner: Jane Smith`). A value copbook would reject as an error is kept
/// as `original_<key>` instead, so the page still builds; an owner that is
/// no community becomes the page's contact, which is what it meant there.
/// `communities` are the ids of the handbook's community pages.
pub fn foreign_fields(doc: &mut Document, communities: &[String]) {
    use crate::date::Duration;
    let fields = &mut std::sync::Arc::make_mut(&mut doc.front).fields;
    // A value is rejected when no key of that name (`status` is two) would take it.
    let rejected = |name: &str, value: &Value| -> bool {
        let text = text(Some(value));
        keys::checked().filter(|(n, _)| *n == name).all(|(_, key)| match key.ty {
            Type::Choice(words) => text.as_ref().is_none_or(|t| !words.contains(&t.to_ascii_lowercase().as_str())),
            Type::Boolean => !value.is_boolean(),
            Type::Integer => !(value.is_i64() || text.as_ref().is_some_and(|t| t.parse::<i64>().is_ok())),
            Type::Date => text.as_ref().is_none_or(|d| Date::parse(d, false).is_none()),
            Type::DateOrMonth => text.as_ref().is_none_or(|d| Date::parse(d, true).is_none()),
            Type::Duration => text.as_ref().is_none_or(|d| Duration::parse(d).is_none()),
            Type::Text | Type::List | Type::Tables => false,
        })
    };
    let checked: Vec<String> = fields.keys().filter(|k| keys::checked().any(|(n, _)| n == *k)).cloned().collect();
    for key in checked {
        let Some(value) = fields.get(&key) else { continue };
        if !value.is_null() && rejected(&key, value) {
            if let Some(value) = fields.remove(&key) {
                fields.insert(format!("original_{key}"), value);
            }
        }
    }
    for key in keys::OWNER.names() {
        let owners = text_list(fields.get(key));
        if owners.is_empty()
            || owners
                .iter()
                .all(|o| communities.iter().any(|c| c.eq_ignore_ascii_case(o) || *c == crate::text::slugify(o)))
        {
            continue;
        }
        if let Some(value) = fields.remove(key) {
            let has_contact = keys::CONTACT.names().any(|k| fields.contains_key(k));
            if !has_contact {
                fields.insert("contact".into(), Value::String(owners.join(", ")));
            }
            fields.insert(format!("original_{key}"), value);
        }
    }
}

/// Ids of the community pages among the documents (`communities/x.md` -> `x`).
pub fn community_ids(folder: &Folder) -> Vec<String> {
    folder
        .documents
        .iter()
        .filter_map(|d| d.logical.strip_prefix("communities/"))
        .filter(|rest| !rest.contains('/'))
        .map(|rest| rest.rsplit_once('.').map_or(rest, |(stem, _)| stem).to_string())
        .filter(|id| id != "index" && id != "_index")
        .collect()
}

/// Runs [`foreign_fields`] on every document of the folder.
pub fn protect_fields(folder: &mut Folder) {
    let communities = community_ids(folder);
    for doc in &mut folder.documents {
        foreign_fields(doc, &communities);
    }
}

/// Every file below `root` (relative, `/`-separated), leaving out hidden
/// and tool folders, at most `depth` folders deep: for detection, which
/// must stay quick on a big repository.
pub fn list_files(root: &Path, depth: usize) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name == "node_modules" || name == "target" || name == "vendor")
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?;
            Some(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_copbook_would_reject_are_kept_aside() {
        let text = "---\ntitle: T\nstatus: new\nkind: tutorial\nweight: 2\nlast_reviewed_on: 2026-01-05\nreview_in: soon\nowner: Jane Smith\ndraft: maybe\n---\n";
        let split = front_matter::split("a.md", text).expect("front matter");
        let mut doc = Document {
            path: "a.md".into(),
            logical: "a.md".into(),
            url: None,
            redirect_from: Vec::new(),
            front: std::sync::Arc::new(split.front),
            body: "".into(),
            body_line: 1,
            updated: None,
            history: Default::default(),
        };
        foreign_fields(&mut doc, &["content".to_string()]);
        let f = &doc.front.fields;
        let mut keys: Vec<&str> = f.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "contact",
                "last_reviewed_on",
                "original_draft",
                "original_kind",
                "original_owner",
                "original_review_in",
                "original_status",
                "title",
                "weight"
            ]
        );
        assert_eq!(f["contact"], "Jane Smith");
        let mut owned = Document {
            front: std::sync::Arc::new(front_matter::split("b.md", "---\nowner: Content\n---\n").expect("fm").front),
            ..doc
        };
        foreign_fields(&mut owned, &["content".to_string()]);
        assert_eq!(owned.front.fields["owner"], "Content");
    }

    #[test]
    fn yaml_config_problems_are_warnings() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ok.yml"), "---\nsite_name: X\nnav:\n  - a.md\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n").expect("write");
        std::fs::write(dir.path().join("bad.yml"), "a: [b\nc: d\n").expect("write");
        let mut diags = Diagnostics::default();
        let ok = read_yaml(dir.path(), "ok.yml", &mut diags).expect("parsed");
        assert_eq!(ok["site_name"], "X");
        assert!(read_yaml(dir.path(), "bad.yml", &mut diags).is_none());
        assert!(read_yaml(dir.path(), "absent.yml", &mut diags).is_none());
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].severity, crate::diag::Severity::Warning);
    }
}
