//! YAML front matter into the JSON-like values templates read, within a
//! budget.
//!
//! YAML aliases (`*name`) repeat what an anchor (`&name`) names, so a few
//! lines that alias aliases ("billion laughs") expand into billions of
//! values and would take all memory. The tree is built here from the
//! parser's events, counting what every alias adds; past the budget the
//! front matter is refused with the alias's line. Nesting is bounded too,
//! since deep trees are dropped and serialised recursively.
//!
//! Where the generators' own YAML parsers differ from the YAML spec, the
//! choice made here is deliberate:
//! - a key given twice: Ruby's Psych (tech-docs, Jekyll) and PyYAML (MkDocs)
//!   keep the last value, and handbooks that build upstream repeat keys;
//!   js-yaml (Eleventy, Astro) refuses them. The last value wins, with a
//!   warning naming both lines, for every handbook: a slip in one page must
//!   not stop the whole build.
//! - `yes`/`no`/`on`/`off` are booleans to Psych and PyYAML (YAML 1.1) and
//!   text to js-yaml (YAML 1.2). They stay text here: copbook's own
//!   true/false fields say what they accept, and a title `No` stays "No".
//! - a tab for indentation is refused by all three; it is refused here, with
//!   the line.

use crate::diag::Code;
use crate::diag::Diagnostic;
use serde_json::{Map, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// Values that aliases may add to one front matter: far above any real
/// page (a few dozen values) or configuration file (a few thousand).
pub const MAX_ALIASED_VALUES: u64 = 100_000;
/// Text that aliases may add to one front matter.
pub const MAX_ALIASED_BYTES: u64 = 16 << 20;
/// How deep lists and mappings may nest.
pub const MAX_DEPTH: usize = 200;

/// Parses the YAML `source` of `file`, whose first line is file line
/// `first_line`, into a mapping (empty for an empty document), with the
/// warnings about what was accepted (keys given twice).
pub fn parse(file: &str, source: &str, first_line: u32) -> Result<(Map<String, Value>, Vec<Diagnostic>), Diagnostic> {
    let mut builder = Builder::default();
    // Events are pulled one by one: the parser's own `load` recurses once
    // per nesting level, and deep nesting would overflow the stack.
    let mut parser = Parser::new_from_str(source);
    let parsed = loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break Ok(()),
            Ok((event, mark)) => builder.on_event(event, mark),
            Err(e) => break Err(e),
        }
        if builder.problem.is_some() {
            break Ok(());
        }
    };
    let line = |mark: Marker| first_line + mark.line() as u32 - 1;
    if let Some(problem) = builder.problem {
        return Err(problem.diagnostic(file, line));
    }
    if let Err(e) = parsed {
        return Err(Diagnostic::error(Code::FrontmatterParse, format!("not valid YAML: {}", e.info()))
            .at(file, line(*e.marker()))
            .column(e.marker().col() as u32 + 1)
            .hint("check the indentation and the ':' after each key; quote values that contain ': ' or start with a special character"));
    }
    let warnings = builder
        .duplicates
        .into_iter()
        .map(|(key, first, again)| {
            Diagnostic::warning(
                Code::DuplicateKey,
                format!(
                    "the key '{key}' is given twice, on lines {} and {}; the second value is used",
                    line(first),
                    line(again)
                ),
            )
            .at(file, line(again))
            .hint("keep one of the two lines")
        })
        .collect();
    match builder.document {
        None | Some(Value::Null) => Ok((Map::new(), warnings)),
        Some(Value::Object(map)) => Ok((map, warnings)),
        Some(_) => Err(Diagnostic::error(Code::FrontmatterParse, "front matter is not a list of 'key: value' lines")
            .at(file, first_line)
            .hint("write one 'key: value' per line, e.g. 'title: Caption every video'")),
    }
}

/// What a value costs: itself and everything in it.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    values: u64,
    bytes: u64,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.values = self.values.saturating_add(other.values);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

enum Open {
    List(Vec<Value>),
    /// A mapping, its key waiting for a value, and the line of each key.
    Mapping {
        map: Map<String, Value>,
        key: Option<(String, Marker)>,
        lines: HashMap<String, Marker>,
    },
}

struct Frame {
    open: Open,
    anchor: usize,
    size: Size,
}

enum Problem {
    TooBig(Marker),
    TooDeep(Marker),
}

impl Problem {
    fn diagnostic(self, file: &str, line: impl Fn(Marker) -> u32) -> Diagnostic {
        match self {
            Problem::TooBig(at) => Diagnostic::error(
                Code::FrontmatterParse,
                format!(
                    "YAML aliases ('*name') expand this front matter beyond {MAX_ALIASED_VALUES} values or {} MiB; it is not read",
                    MAX_ALIASED_BYTES >> 20
                ),
            )
            .at(file, line(at))
            .hint("write the values out instead of repeating anchors inside anchors"),
            Problem::TooDeep(at) => {
                Diagnostic::error(Code::FrontmatterParse, format!("lists and mappings nest more than {MAX_DEPTH} deep"))
                    .at(file, line(at))
                    .hint("flatten the front matter")
            }
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Anchored values, as aliases repeat them.
    anchors: HashMap<usize, (Value, Size)>,
    /// The first document.
    document: Option<Value>,
    documents: usize,
    /// What aliases (and keeping anchored values for them) added so far.
    aliased: Size,
    problem: Option<Problem>,
    /// Keys given twice in one mapping: the key, its first and its last line.
    duplicates: Vec<(String, Marker, Marker)>,
}

impl Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.problem.is_some() {
            return;
        }
        match event {
            Event::SequenceStart(anchor, _) => self.open(Open::List(Vec::new()), anchor, mark),
            Event::MappingStart(anchor, _) => {
                self.open(Open::Mapping { map: Map::new(), key: None, lines: HashMap::new() }, anchor, mark)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let value = match frame.open {
                        Open::List(items) => Value::Array(items),
                        Open::Mapping { map, .. } => Value::Object(map),
                    };
                    self.insert(value, frame.size, frame.anchor, mark);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let size = Size { values: 1, bytes: text.len() as u64 };
                let in_key_place =
                    matches!(self.stack.last(), Some(Frame { open: Open::Mapping { key: None, .. }, .. }));
                // A key keeps its text as written (`1.50`, `yes`).
                let value = if in_key_place { Value::String(text) } else { scalar(text, style, tag.as_ref()) };
                self.insert(value, size, anchor, mark);
            }
            Event::Alias(anchor) => {
                let size = self.anchors.get(&anchor).map_or(Size { values: 1, bytes: 0 }, |(_, size)| *size);
                // Counted before the copy is made.
                if self.spend(size, mark) {
                    let value = self.anchors.get(&anchor).map_or(Value::Null, |(value, _)| value.clone());
                    self.insert(value, size, 0, mark);
                }
            }
            Event::DocumentEnd => self.documents += 1,
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart => {}
        }
    }

    fn open(&mut self, open: Open, anchor: usize, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            self.problem = Some(Problem::TooDeep(mark));
            return;
        }
        self.stack.push(Frame { open, anchor, size: Size { values: 1, bytes: 0 } });
    }

    /// Counts `size` against the budget when it is repeated (an alias, or
    /// an anchored value kept for aliases); `false` past the budget.
    fn spend(&mut self, size: Size, mark: Marker) -> bool {
        self.aliased.add(size);
        if self.aliased.values > MAX_ALIASED_VALUES || self.aliased.bytes > MAX_ALIASED_BYTES {
            self.problem = Some(Problem::TooBig(mark));
            return false;
        }
        true
    }

    fn insert(&mut self, value: Value, size: Size, anchor: usize, mark: Marker) {
        if anchor > 0 {
            if !self.spend(size, mark) {
                return;
            }
            self.anchors.insert(anchor, (value.clone(), size));
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.documents == 0 && self.document.is_none() {
                self.document = Some(value);
            }
            return;
        };
        parent.size.add(size);
        match &mut parent.open {
            Open::List(items) => items.push(value),
            Open::Mapping { key: key @ None, .. } => {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                *key = Some((text, mark));
            }
            Open::Mapping { map, key: key @ Some(_), lines } => {
                let (key, at) = key.take().expect("matched Some");
                // The last value wins, as in Psych and PyYAML.
                if let Some(first) = lines.get(&key) {
                    self.duplicates.push((key.clone(), *first, at));
                } else {
                    lines.insert(key.clone(), at);
                }
                map.insert(key, value);
            }
        }
    }
}

/// A plain scalar's type comes from its text (`3`, `true`, `~`); a quoted
/// one is always text.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match tag {
        Some(Tag { handle, suffix }) if handle == "tag:yaml.org,2002:" && suffix == "str" => Value::String(text),
        Some(Tag { handle, .. }) if handle != "tag:yaml.org,2002:" => Value::String(text),
        _ => match Yaml::from_str(&text) {
            Yaml::Integer(i) => Value::from(i),
            Yaml::Real(r) => {
                r.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::String(r), Value::Number)
            }
            Yaml::Boolean(b) => Value::Bool(b),
            Yaml::Null => Value::Null,
            _ => Value::String(text),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(source: &str) -> Map<String, Value> {
        parse("a.md", source, 2).unwrap_or_else(|d| panic!("{d:?}")).0
    }

    /// Nine levels of nine aliases each: 9^9 (387 million) strings.
    fn billion_laughs() -> String {
        let mut text = String::from("a0: &a0 \"lol\"\n");
        for level in 1..=9 {
            let refs: Vec<String> = (0..9).map(|_| format!("*a{}", level - 1)).collect();
            text.push_str(&format!("a{level}: &a{level} [{}]\n", refs.join(", ")));
        }
        text.push_str("title: Bomb\n");
        text
    }

    #[test]
    fn billion_laughs_is_refused_at_the_alias_that_crosses_the_budget() {
        let started = std::time::Instant::now();
        let e = parse("bomb.md", &billion_laughs(), 2).unwrap_err();
        assert_eq!(e.code, "frontmatter-parse");
        assert!(e.message.contains("aliases"), "{}", e.message);
        // Level 5 (9^5 = 59,049 strings, on top of the copies kept for the
        // levels below) crosses the budget: line 6 of the source, 7 of the file.
        assert_eq!((e.file.as_str(), e.line), ("bomb.md", 7));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn long_text_repeated_by_aliases_is_bounded_too() {
        let big = "x".repeat(1 << 20);
        let refs = vec!["*t"; 40].join(", ");
        let e = parse("a.md", &format!("t: &t {big}\nmany: [{refs}]\n"), 2).unwrap_err();
        assert!(e.message.contains("MiB"), "{}", e.message);
    }

    #[test]
    fn aliases_within_the_budget_are_copies() {
        let map = parse_ok("base: &b {owner: ux, tags: [a, b]}\nother: *b\n");
        assert_eq!(map["other"], serde_json::json!({"owner": "ux", "tags": ["a", "b"]}));
        assert_eq!(map["base"], map["other"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let flow = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse("a.md", &flow, 2).unwrap_err();
        assert_eq!((e.code.as_str(), e.line), ("frontmatter-parse", 2));
        let block: String = (0..1_000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let e = parse("a.md", &block, 2).unwrap_err();
        assert!(e.message.contains("nest more than 200"), "{e:?}");
    }

    #[test]
    fn duplicate_key_keeps_the_last_value_and_warns_with_both_lines() {
        let (map, warnings) = parse("a.md", "title: One\nowner: ux\ntitle: Two\nnav:\n  a: 1\n  a: 2\n", 2).unwrap();
        assert_eq!(map["title"], "Two");
        assert_eq!(map["nav"], serde_json::json!({"a": 2}));
        let said: Vec<(&str, u32, &str)> =
            warnings.iter().map(|w| (w.code.as_str(), w.line, w.message.as_str())).collect();
        assert_eq!(
            said,
            [
                ("duplicate-key", 4, "the key 'title' is given twice, on lines 2 and 4; the second value is used"),
                ("duplicate-key", 7, "the key 'a' is given twice, on lines 6 and 7; the second value is used"),
            ]
        );
        assert!(warnings.iter().all(|w| w.severity == crate::diag::Severity::Warning));
    }

    #[test]
    fn yaml_1_1_words_stay_text_and_tabs_are_refused() {
        let map = parse_ok("title: No\ndraft: yes\nflag: on\n");
        assert_eq!(Value::Object(map), serde_json::json!({"title": "No", "draft": "yes", "flag": "on"}));
        let e = parse("a.md", "nav:\n\t- a.md\n", 2).unwrap_err();
        assert_eq!((e.code.as_str(), e.line), ("frontmatter-parse", 3));
    }

    #[test]
    fn scalars_are_typed_as_before() {
        let map = parse_ok("n: 3\nf: 1.5\nb: true\nz: ~\nq: \"3\"\ns: !!str 4\nh: 0x10\nw: text\n1.50: key\n");
        let want = serde_json::json!({
            "n": 3, "f": 1.5, "b": true, "z": null, "q": "3", "s": "4", "h": 16, "w": "text", "1.50": "key"
        });
        assert_eq!(Value::Object(map), want);
    }
}
