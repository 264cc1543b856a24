//! Liquid, as far as copbook runs it for Jekyll and Eleventy pages: tags
//! and outputs found outside code, `{% raw %}` and `{% comment %}`,
//! includes with their parameters, the link tags and filters, and `site.*`,
//! `page.*` and `include.*` values. What it cannot run is left out and
//! reported once per file ([`Dropped`]). The conversions around it
//! (configuration, front matter, URLs, kramdown) are in `jekyll`.

use super::folder::{self, text};
use super::text::{blank_like, code_spans, expand_include, fenced_lines, has_scheme, line_at, Dropped, Include};
use crate::diag::Diagnostics;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// `site.*` values a page may print.
pub(super) struct SiteValues {
    pub(super) title: String,
    pub(super) description: String,
}

impl SiteValues {
    pub(super) fn of(config: &Map<String, Value>) -> Self {
        SiteValues {
            title: text(config.get("title")).unwrap_or_default(),
            description: text(config.get("description")).unwrap_or_default(),
        }
    }
}

/// `page.*` values: the page's front matter as text.
pub(super) fn page_values(fields: &Map<String, Value>) -> HashMap<String, String> {
    fields.iter().filter_map(|(k, v)| text(Some(v)).map(|t| (k.clone(), t))).collect()
}

/// Where includes are read from.
pub(super) struct Includes {
    pub(super) root: std::path::PathBuf,
    pub(super) content_dir: String,
    /// Logical paths of the posts, for `{% post_url %}`.
    pub(super) posts: Vec<String>,
}

/// Runs the Liquid of one page or include, as far as copbook can.
pub(super) struct Liquid<'a> {
    pub(super) site: &'a SiteValues,
    pub(super) page: &'a HashMap<String, String>,
    /// Parameters of the include being run (`include.x`).
    pub(super) include: &'a HashMap<String, String>,
    pub(super) includes: &'a Includes,
    /// The page, for findings.
    pub(super) file: &'a str,
    /// The folder of the file being run, for `include_relative`.
    pub(super) page_dir: &'a str,
}

/// One Liquid tag `{% ... %}` or output `{{ ... }}`.
struct Tag<'t> {
    output: bool,
    /// Inside the braces, without whitespace control dashes.
    inner: &'t str,
    start: usize,
    end: usize,
}

impl Tag<'_> {
    fn name(&self) -> &str {
        if self.output {
            ""
        } else {
            self.inner.split_whitespace().next().unwrap_or("")
        }
    }
    fn args(&self) -> &str {
        self.inner.trim_start().split_once(char::is_whitespace).map_or("", |(_, a)| a.trim())
    }
}

/// The next tag or output at or after `from`; an unclosed one is text.
fn next_tag(text: &str, from: usize) -> Option<Tag<'_>> {
    let mut search = from;
    loop {
        let start = search + text.get(search..)?.find('{')?;
        search = start + 1;
        let close = match text.as_bytes().get(start + 1) {
            Some(b'%') => "%}",
            Some(b'{') => "}}",
            _ => continue,
        };
        let Some(end) = text[start + 2..].find(close).map(|i| start + 2 + i + 2) else { continue };
        let inner = text[start + 2..end - 2].trim_matches('-').trim();
        return Some(Tag { output: close == "}}", inner, start, end });
    }
}

/// Byte ranges of a text that are code: fenced blocks and inline code spans.
fn code_ranges(text: &str) -> Vec<(usize, usize)> {
    let fenced = fenced_lines(text);
    let mut ranges = Vec::new();
    let mut at = 0;
    for (i, line) in text.split('\n').enumerate() {
        if fenced.get(i).copied().unwrap_or(false) {
            ranges.push((at, at + line.len()));
        } else {
            ranges.extend(code_spans(line).into_iter().map(|(s, e)| (at + s, at + e)));
        }
        at += line.len() + 1;
    }
    ranges
}

impl Liquid<'_> {
    /// The text with its Liquid replaced. What cannot be run is left out
    /// with as many line breaks as it held, so later lines keep their numbers.
    pub(super) fn run(
        &self,
        text: &str,
        first_line: u32,
        depth: usize,
        dropped: &mut Dropped,
        diags: &mut Diagnostics,
    ) -> String {
        if !text.contains("{%") && !text.contains("{{") {
            return text.to_string();
        }
        let code = code_ranges(text);
        let in_code = |at: usize| code.iter().any(|(s, e)| *s <= at && at < *e);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        while let Some(tag) = next_tag(text, at) {
            out.push_str(&text[at..tag.start]);
            let source = &text[tag.start..tag.end];
            let line = line_at(text, tag.start, first_line);
            at = tag.end;
            match tag.name() {
                // Raw text is printed as it is, in code too (Jekyll removes the markers there as well).
                "raw" => {
                    let (inner, close_end) = match find_end(text, tag.end, "endraw") {
                        Some((close, end)) => (&text[tag.end..close], end),
                        None => (&text[tag.end..], text.len()),
                    };
                    out.push_str(inner);
                    at = close_end;
                }
                "endraw" => {}
                _ if in_code(tag.start) => out.push_str(source),
                "comment" | "capture" => {
                    let end = find_end(text, tag.end, &format!("end{}", tag.name())).map_or(text.len(), |(_, end)| end);
                    if tag.name() == "capture" {
                        dropped.add(line, source);
                    }
                    out.push_str(&blank_like(&text[tag.start..end]));
                    at = end;
                }
                "" => match self.output(tag.inner) {
                    Some(value) => out.push_str(&value),
                    None => {
                        dropped.add(line, source);
                        out.push_str(&blank_like(source));
                    }
                },
                name => match self.tag(name, tag.args(), alone_on_line(text, tag.start, tag.end), line, depth, diags) {
                    Some(value) => out.push_str(&value),
                    None => {
                        dropped.add(line, source);
                        out.push_str(&blank_like(source));
                    }
                },
            }
        }
        out.push_str(&text[at..]);
        out
    }

    /// What `{% name args %}` stands for; `None` when copbook cannot run it.
    fn tag(
        &self,
        name: &str,
        args: &str,
        alone: bool,
        line: u32,
        depth: usize,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let first = unquote(args.split_whitespace().next().unwrap_or(""));
        match name {
            // An absolute URL (`{% link "https://..." %}`, which Eleventy
            // passes through) is left as written.
            "link" | "page" if has_scheme(first) || first.starts_with("//") => Some(first.to_string()),
            // Root-relative paths to the source: the resolver finds the page they are.
            "link" | "page" => Some(format!("/{}", first.trim_start_matches('/'))),
            "post_url" => {
                let found = self.includes.posts.iter().find(|p| {
                    p.strip_prefix("_posts/")
                        .is_some_and(|rest| rest.rsplit_once('.').map_or(rest, |(s, _)| s) == first)
                });
                Some(format!("/{}", found.cloned().unwrap_or_else(|| format!("_posts/{first}.md"))))
            }
            "include" | "include_relative" => {
                Some(self.include(name == "include_relative", args, alone, line, depth, diags))
            }
            _ => None,
        }
    }

    /// The value of `{{ ... }}`; `None` when copbook cannot work it out.
    fn output(&self, expression: &str) -> Option<String> {
        let mut parts = expression.split('|').map(str::trim);
        let base = parts.next().unwrap_or("");
        let mut value = self.value(base)?;
        for filter in parts {
            let (name, arg) = filter.split_once(':').map_or((filter, ""), |(n, a)| (n.trim(), a.trim()));
            match name {
                // The resolver adds the site's base path to every internal link.
                "relative_url" | "absolute_url" | "url" => {
                    if !value.contains("://") && !value.starts_with('/') && !value.starts_with('#') {
                        value.insert(0, '/');
                    }
                }
                "prepend" => value = format!("{}{value}", self.value(arg)?),
                "append" => value.push_str(&self.value(arg)?),
                "escape" | "xml_escape" | "strip" => {}
                _ => return None,
            }
        }
        Some(value)
    }

    /// A literal or a variable copbook knows.
    fn value(&self, expression: &str) -> Option<String> {
        let e = expression.trim();
        if e.len() >= 2 && (e.starts_with('"') && e.ends_with('"') || e.starts_with('\'') && e.ends_with('\'')) {
            return Some(e[1..e.len() - 1].to_string());
        }
        match e {
            // Links become root-relative; the resolver adds the base path.
            "site.baseurl" | "site.url" | "site.github.url" => Some(String::new()),
            "site.title" => Some(self.site.title.clone()),
            "site.description" => Some(self.site.description.clone()),
            _ => {
                if let Some(key) = e.strip_prefix("page.") {
                    return self.page.get(key).cloned();
                }
                e.strip_prefix("include.").and_then(|key| self.include.get(key).cloned())
            }
        }
    }

    /// The include's text with its own Liquid run. HTML is joined onto one
    /// line so the page's later lines keep their numbers.
    fn include(
        &self,
        relative: bool,
        args: &str,
        alone: bool,
        line: u32,
        depth: usize,
        diags: &mut Diagnostics,
    ) -> String {
        let name = unquote(args.split_whitespace().next().unwrap_or(""));
        let dir = if relative {
            self.page_dir.to_string()
        } else {
            [self.includes.content_dir.as_str(), "_includes"]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        };
        let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
        let params = include_params(args);
        let include = Include {
            what: "include",
            name,
            candidates: std::slice::from_ref(&path),
            file: self.file,
            line,
            depth,
            alone,
            language: "Liquid",
        };
        let run = |path: &str, source: &str, dropped: &mut Dropped, diags: &mut Diagnostics| {
            let liquid = Liquid { include: &params, file: path, page_dir: folder::dir_of(path), ..*self };
            liquid.run(source, 1, depth + 1, dropped, diags)
        };
        expand_include(&self.includes.root, &include, run, diags)
    }
}

/// Where the `{% end %}` tag named `end` closes: its start and end.
fn find_end(text: &str, from: usize, end: &str) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(tag) = next_tag(text, at) {
        if tag.name() == end {
            return Some((tag.start, tag.end));
        }
        at = tag.end;
    }
    None
}

/// `key="value"` and `key=variable` parameters of an include.
fn include_params(args: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut rest = args.split_once(char::is_whitespace).map_or("", |(_, r)| r).trim();
    while let Some((key, after)) = rest.split_once('=') {
        let after = after.trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => after[1..].split_once(q).unwrap_or((&after[1..], "")),
            _ => after.split_once(char::is_whitespace).unwrap_or((after, "")),
        };
        params.insert(key.trim().to_string(), value.to_string());
        rest = next.trim();
    }
    params
}

fn unquote(s: &str) -> &str {
    s.trim_matches(['"', '\''])
}

/// Whether only whitespace shares the tag's line.
fn alone_on_line(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty()
}
