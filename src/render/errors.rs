//! Findings from templates: a template that does not load, and a page that
//! does not render, named by the template's file and line.

use crate::diag::{Code, Diagnostic};
use tera::Context;

/// Tera's message and its causes, joined by ": ".
pub(super) fn error_chain(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// "did you mean" for a variable path, over the keys that exist beside
/// its last part (`page.titel` -> `page.title`).
pub(super) fn similar_variable(path: &str, context: &Context) -> Option<String> {
    let json = context.clone().into_json();
    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
    let mut at = &json;
    for part in parent.split('.').filter(|p| !p.is_empty()) {
        at = at.get(part)?;
    }
    let keys = at.as_object()?.keys().map(|k| if parent.is_empty() { k.clone() } else { format!("{parent}.{k}") });
    let keys: Vec<String> = keys.collect();
    let wanted = if parent.is_empty() { last.to_string() } else { format!("{parent}.{last}") };
    crate::diag::did_you_mean(&wanted, keys.iter().map(String::as_str))
}

/// A template that does not load, with the line when Tera gives one.
pub(super) fn template_error(file: &str, e: &tera::Error) -> Diagnostic {
    let message = error_chain(e);
    // Parse errors carry "--> line:column".
    let position: Vec<u32> = message
        .split_once("--> ")
        .map(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit() && c != ':').next().unwrap_or(""))
        .map(|p| p.split(':').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    let (line, column) = (position.first().copied().unwrap_or(0), position.get(1).copied().unwrap_or(0));
    // Tera's parse errors draw the line with arrows; the finding shows the
    // source line itself, so keep the words: "page.html does not parse: expected ...".
    let first = message.lines().next().unwrap_or("").trim();
    let first = match first.strip_prefix("Failed to parse '").and_then(|r| r.split_once('\'')) {
        Some((name, _)) => format!("{name} does not parse"),
        None => first.to_string(),
    };
    let detail: Vec<&str> = message
        .split(" = ")
        .skip(1)
        .chain(message.lines().skip(1).map(str::trim).filter(|l| {
            !l.is_empty()
                && !l.contains("-->")
                && !l.starts_with('|')
                && !l.starts_with('=')
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        }))
        .collect();
    let text = if detail.is_empty() { first } else { format!("{first}: {}", detail.join(" ").trim()) };
    Diagnostic::error(Code::Template, text)
        .at(file, line)
        .column(column)
        .hint("fix the template syntax; see https://keats.github.io/tera/docs/ for Tera's syntax")
}

/// A page that did not render: what is wrong in which template, and the page.
/// One template error usually stops every page that uses the template:
/// report [`RenderFailure::finding`] once, naming the first page.
#[derive(Debug)]
pub struct RenderFailure {
    pub finding: Diagnostic,
    /// The page's file, or "the /url/ page" for generated pages.
    pub page: String,
}

impl RenderFailure {
    pub fn into_diagnostic(self) -> Diagnostic {
        let message = format!("{} (while rendering {})", self.finding.message, self.page);
        Diagnostic { message, ..self.finding }
    }
}
