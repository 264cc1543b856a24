//! The typed fields of communities, people, glossary terms and items
//! (principles, guidelines, standards), read by the keys table.

use super::fields::Fields;
use super::*;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys;
use crate::url_safety::Place;

/// The typed part of a page of `kind`.
pub(super) fn typed(kind: Kind, f: &Fields, diags: &mut Diagnostics) -> Typed {
    match kind {
        Kind::Community => Typed::Community(community(f, diags)),
        Kind::Person => Typed::Person(Person {
            role: f.text(&keys::ROLE, diags),
            team: f.text(&keys::TEAM, diags),
            contact: f.url(&keys::CONTACT, Place::TextOrLink, diags),
        }),
        Kind::Term => Typed::Term(term(f, diags)),
        k if k.is_item() => Typed::Item(item(f, diags)),
        _ => Typed::None,
    }
}

/// A term's fields, from its own file or a `[[term]]` of glossary.toml.
pub(super) fn term(f: &Fields, diags: &mut Diagnostics) -> Term {
    Term {
        abbreviation: f.text(&keys::ABBREVIATION, diags),
        aliases: f.list(&keys::ALIASES, diags),
        see_also: f.list(&keys::SEE_ALSO, diags),
        link: f.boolean(&keys::LINK, diags).unwrap_or(true),
    }
}

fn community(f: &Fields, diags: &mut Diagnostics) -> Community {
    Community {
        summary: f.text(&keys::SUMMARY, diags),
        leads: f.list(&keys::LEADS, diags),
        leads_as_of: f.date(&keys::LEADS_AS_OF, diags),
        status: f.choice(&keys::COMMUNITY_STATUS, diags).and_then(CommunityStatus::from_name),
        meets: f.text(&keys::MEETS, diags),
        channels: channels(f, diags),
        formats: f.list(&keys::FORMATS, diags),
        started: f.date(&keys::STARTED, diags),
        approved: f.date(&keys::APPROVED, diags),
        sessions: super::sessions::read(f, diags),
    }
}

fn item(f: &Fields, diags: &mut Diagnostics) -> Item {
    Item {
        status: f.choice(&keys::ITEM_STATUS, diags).and_then(ItemStatus::from_name),
        version: f.text(&keys::VERSION, diags),
        replaces: f.text(&keys::REPLACES, diags),
        number: f.integer(&keys::NUMBER, diags),
        principles: f.list(&keys::PRINCIPLES, diags),
    }
}

fn channels(f: &Fields, diags: &mut Diagnostics) -> Vec<Channel> {
    let Some(value) = f.raw(&keys::CHANNELS) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in value.as_array().map_or(std::slice::from_ref(value), |a| a.as_slice()) {
        match entry {
            serde_json::Value::String(s) => out.push(Channel { name: s.clone(), url: None }),
            serde_json::Value::Object(o) => {
                let text = |k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_string);
                match text("name").or_else(|| text("url")) {
                    Some(name) => {
                        let url = text("url").and_then(|url| f.checked_url("channels", url, Place::Link, diags));
                        out.push(Channel { name, url })
                    }
                    None => diags.push(missing_field(
                        f,
                        "channels",
                        "name",
                        "{ name = \"#cop-content\", url = \"https://...\" }",
                    )),
                }
            }
            _ => diags.push(missing_field(f, "channels", "name", "{ name = \"#cop-content\", url = \"https://...\" }")),
        }
    }
    out
}

fn missing_field(f: &Fields, key: &str, field: &str, example: &str) -> Diagnostic {
    Diagnostic::error(Code::BadType, format!("each entry of '{key}' needs a '{field}'"))
        .at(f.file, f.line(key))
        .hint(format!("write entries like {example}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_word_of_the_keys_table_has_a_status() {
        let words = |key: keys::Key| match key.ty {
            keys::Type::Choice(words) => words,
            _ => panic!("status is a choice"),
        };
        assert!(words(keys::COMMUNITY_STATUS).iter().all(|w| CommunityStatus::from_name(w).is_some()));
        assert!(words(keys::ITEM_STATUS).iter().all(|w| ItemStatus::from_name(w).is_some()));
    }
}
