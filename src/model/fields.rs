//! Reading typed values out of front matter, reporting a finding at the
//! key's line when a value has the wrong shape.

use crate::date::{Date, Duration};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys::{Key, Type};
use crate::load::FrontMatter;
use crate::url_safety::{refusal, refused_scheme, Place};
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

    /// The value under the key's name or, failing that, its first alias present.
    fn value(&self, key: &Key) -> Option<(&'a str, &'a Value)> {
        key.names().find_map(|k| {
            self.front.fields.get_key_value(k).filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.as_str(), v))
        })
    }

    fn wrong_type(&self, key: &str, wanted: &str, example: &str) -> Diagnostic {
        Diagnostic::error(Code::BadType, format!("'{key}' must be {wanted}"))
            .at(self.file, self.line(key))
            .hint(format!("for example: {example}"))
    }

    /// Text under the first of `keys` present. Numbers are accepted as text
    /// (`version = 1.2` means "1.2").
    pub fn text(&self, key: &Key, diags: &mut Diagnostics) -> Option<String> {
        let (key, value) = self.value(key)?;
        self.text_of(key, value, diags)
    }

    fn text_of(&self, key: &str, value: &Value, diags: &mut Diagnostics) -> Option<String> {
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

    /// Text that templates may turn into a link: refused (an error, and
    /// `None`) when its scheme could run script where it is used.
    pub fn url(&self, key: &Key, place: Place, diags: &mut Diagnostics) -> Option<String> {
        let (key, value) = self.value(key)?;
        let text = self.text_of(key, value, diags)?;
        self.checked_url(key, text, place, diags)
    }

    /// `url`, read from under `key` (also inside a structured field), when it is safe in `place`.
    pub fn checked_url(&self, key: &str, url: String, place: Place, diags: &mut Diagnostics) -> Option<String> {
        match refused_scheme(&url, place) {
            None => Some(url),
            Some(scheme) => {
                diags.push(refusal(key, &url, &scheme).at(self.file, self.line(key)));
                None
            }
        }
    }

    /// A list of text; a single text value counts as a list of one.
    pub fn list(&self, key: &Key, diags: &mut Diagnostics) -> Vec<String> {
        let Some((key, value)) = self.value(key) else { return Vec::new() };
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

    pub fn integer(&self, key: &Key, diags: &mut Diagnostics) -> Option<i64> {
        let (key, value) = self.value(key)?;
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

    pub fn boolean(&self, key: &Key, diags: &mut Diagnostics) -> Option<bool> {
        let (key, value) = self.value(key)?;
        match value {
            Value::Bool(b) => Some(*b),
            _ => {
                diags.push(self.wrong_type(key, "true or false", &format!("{key} = true")));
                None
            }
        }
    }

    /// A date `YYYY-MM-DD` (or `YYYY-MM` for a [`Type::DateOrMonth`] key).
    pub fn date(&self, key: &Key, diags: &mut Diagnostics) -> Option<Date> {
        let allow_month = key.ty == Type::DateOrMonth;
        let (key, value) = self.value(key)?;
        let text = self.text_of(key, value, diags)?;
        let date = Date::parse(&text, allow_month);
        if date.is_none() {
            let example = if allow_month { "2026-01-31 or 2026-01" } else { "2026-01-31" };
            diags.push(
                Diagnostic::error(Code::BadDate, format!("{key} '{text}' is not a date"))
                    .at(self.file, self.line(key))
                    .hint(format!("write it as {example}")),
            );
        }
        date
    }

    pub fn duration(&self, key: &Key, diags: &mut Diagnostics) -> Option<Duration> {
        let (key, value) = self.value(key)?;
        let text = self.text_of(key, value, diags)?;
        let duration = Duration::parse(&text);
        if duration.is_none() {
            diags.push(
                Diagnostic::error(Code::BadDuration, format!("{key} '{text}' is not a duration"))
                    .at(self.file, self.line(key))
                    .hint("write a number and a unit: '6 months', '1 year', '90 days'"),
            );
        }
        duration
    }

    /// One of the words of a [`Type::Choice`] key, as the table spells it;
    /// `None` (and an error) for anything else.
    pub fn choice(&self, key: &Key, diags: &mut Diagnostics) -> Option<&'static str> {
        let Type::Choice(names) = key.ty else { return None };
        let (key, value) = self.value(key)?;
        let text = self.text_of(key, value, diags)?;
        let found = names.iter().find(|name| name.eq_ignore_ascii_case(&text)).copied();
        if found.is_none() {
            diags.push(
                Diagnostic::error(Code::BadValue, format!("{key} '{text}' is not one of {}", names.join(", ")))
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
    pub fn raw(&self, key: &Key) -> Option<&'a Value> {
        self.value(key).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(pairs: &[(&str, &str, u32)]) -> FrontMatter {
        FrontMatter {
            fields: pairs.iter().map(|(k, v, _)| (k.to_string(), Value::String(v.to_string()))).collect(),
            key_lines: pairs.iter().map(|(k, _, l)| (k.to_string(), *l)).collect(),
            first_line: 1,
            invalid: false,
        }
    }

    #[test]
    fn script_urls_are_refused_at_the_key_line_and_dropped() {
        let fm = front(&[("contact", " JAVASCRIPT:alert(1)", 3), ("owner_slack", "#frontend", 4)]);
        let f = Fields::new("people/jo.md", &fm);
        let mut diags = Diagnostics::default();
        assert_eq!(f.url(&crate::keys::CONTACT, Place::TextOrLink, &mut diags), None);
        let slack = crate::keys::Key { name: "owner_slack", ..crate::keys::CONTACT };
        assert_eq!(f.url(&slack, Place::TextOrLink, &mut diags).as_deref(), Some("#frontend"));
        let found: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.file.as_str(), d.line)).collect();
        assert_eq!(found, [("unsafe-url", "people/jo.md", 3)]);
        assert!(diags.0[0].message.contains("uses the javascript: scheme"), "{}", diags.0[0].message);
    }

    #[test]
    fn contacts_may_be_text_but_channel_urls_must_be_links() {
        let fm = front(&[("contact", "Slack: #handbook", 2)]);
        let f = Fields::new("a.md", &fm);
        let mut diags = Diagnostics::default();
        assert_eq!(f.url(&crate::keys::CONTACT, Place::TextOrLink, &mut diags).as_deref(), Some("Slack: #handbook"));
        assert!(diags.is_empty());
        assert_eq!(f.checked_url("channels", "slack://open".into(), Place::Link, &mut diags), None);
        assert_eq!(diags.0[0].code, "unsafe-url");
    }
}
