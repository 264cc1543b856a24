//! Reading typed values out of front matter, reporting a finding at the
//! key's line when a value has the wrong shape.

use crate::date::{Date, Duration};
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::FrontMatter;
use serde_json::Value;

/// The front matter of one file, with the file name for findings.
pub struct Fields<'a> {
    pub file: &'a str,
    pub front: &'a FrontMatter,
    /// Line added to front-matter lines (for `glossary.toml` entries, the entry's line).
    pub line_offset: u32,
}

impl<'a> Fields<'a> {
    pub fn new(file: &'a str, front: &'a FrontMatter) -> Self {
        Fields { file, front, line_offset: 0 }
    }

    pub fn line(&self, key: &str) -> u32 {
        self.front.line_of(key) + self.line_offset
    }

    fn value(&self, keys: &[&str]) -> Option<(&'a str, &'a Value)> {
        keys.iter().find_map(|k| {
            self.front.fields.get_key_value(*k).filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.as_str(), v))
        })
    }

    fn wrong_type(&self, key: &str, wanted: &str, example: &str) -> Diagnostic {
        Diagnostic::error("bad-type", format!("'{key}' must be {wanted}"))
            .at(self.file, self.line(key))
            .hint(format!("for example: {example}"))
    }

    /// Text under the first of `keys` present. Numbers are accepted as text
    /// (`version = 1.2` means "1.2").
    pub fn text(&self, keys: &[&str], diags: &mut Diagnostics) -> Option<String> {
        let (key, value) = self.value(keys)?;
        match value {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                diags.push(self.wrong_type(key, "text", &format!("{key} = \"...\"")));
                None
            }
        }
    }

    /// A list of text; a single text value counts as a list of one.
    pub fn list(&self, keys: &[&str], diags: &mut Diagnostics) -> Vec<String> {
        let Some((key, value)) = self.value(keys) else { return Vec::new() };
        match value {
            Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_string()],
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.trim().to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        _ => diags.push(self.wrong_type(key, "a list of text", &format!("{key} = [\"a\", \"b\"]"))),
                    }
                }
                out
            }
            _ => {
                diags.push(self.wrong_type(key, "a list of text", &format!("{key} = [\"a\", \"b\"]")));
                Vec::new()
            }
        }
    }

    pub fn integer(&self, keys: &[&str], diags: &mut Diagnostics) -> Option<i64> {
        let (key, value) = self.value(keys)?;
        match value {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                let wanted = format!("a whole number from {} to {}", i64::MIN, i64::MAX);
                diags.push(self.wrong_type(key, &wanted, &format!("{key} = 10")));
                None
            }
        }
    }

    pub fn boolean(&self, keys: &[&str], diags: &mut Diagnostics) -> Option<bool> {
        let (key, value) = self.value(keys)?;
        match value {
            Value::Bool(b) => Some(*b),
            _ => {
                diags.push(self.wrong_type(key, "true or false", &format!("{key} = true")));
                None
            }
        }
    }

    /// A date `YYYY-MM-DD` (or `YYYY-MM` when `allow_month`).
    pub fn date(&self, keys: &[&str], allow_month: bool, diags: &mut Diagnostics) -> Option<Date> {
        let (key, _) = self.value(keys)?;
        let text = self.text(&[key], diags)?;
        let date = Date::parse(&text, allow_month);
        if date.is_none() {
            let example = if allow_month { "2026-01-31 or 2026-01" } else { "2026-01-31" };
            diags.push(
                Diagnostic::error("bad-date", format!("{key} '{text}' is not a date"))
                    .at(self.file, self.line(key))
                    .hint(format!("write it as {example}")),
            );
        }
        date
    }

    pub fn duration(&self, keys: &[&str], diags: &mut Diagnostics) -> Option<Duration> {
        let (key, _) = self.value(keys)?;
        let text = self.text(&[key], diags)?;
        let duration = Duration::parse(&text);
        if duration.is_none() {
            diags.push(
                Diagnostic::error("bad-duration", format!("{key} '{text}' is not a duration"))
                    .at(self.file, self.line(key))
                    .hint("write a number and a unit: '6 months', '1 year', '90 days'"),
            );
        }
        duration
    }

    /// One of a fixed set of values; `None` (and an error) for anything else.
    pub fn choice<T: Copy>(&self, key: &str, choices: &[(&str, T)], diags: &mut Diagnostics) -> Option<T> {
        let text = self.text(&[key], diags)?;
        let found = choices.iter().find(|(name, _)| name.eq_ignore_ascii_case(&text)).map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            diags.push(
                Diagnostic::error("bad-value", format!("{key} '{text}' is not one of {}", names.join(", ")))
                    .at(self.file, self.line(key))
                    .maybe_hint(
                        crate::diag::did_you_mean(&text, names.iter().copied())
                            .or_else(|| Some(format!("use one of: {}", names.join(", ")))),
                    ),
            );
        }
        found
    }

    /// The raw value, for structured fields (channels, sessions).
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.value(&[key]).map(|(_, v)| v)
    }
}
