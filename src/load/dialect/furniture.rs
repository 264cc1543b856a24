//! What a Confluence export adds around a page's text: the breadcrumb
//! trail at the top, expand macros, the "Attachments:" list at the end of
//! most pages, and links and images to attachments whose folder was not
//! copied with the export.
//!
//! Bodies keep their lines, except that an expand section just before a
//! heading closes on a line of its own.

use super::confluence::{join, remove_images};
use super::folder::dir_of;
use super::text::{atx_heading, code_spans, fenced_lines, has_scheme};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::html::escape;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

/// The arrow Confluence draws before an expand macro's title.
const EXPAND_ARROW: &str = "![](images/icons/grey_arrow_down.png)";

/// The breadcrumb trail an exported page starts with: a numbered list of
/// links, the space's `index.html` first, then each ancestor page
/// (`1.  [Space](index.html)` / `2.  [Guides](Guides_200000.html)`).
/// Returns the body with the trail's lines left blank (so lines keep their
/// numbers) and the ancestors' link targets, outermost first; `None` when
/// the body does not start with such a list.
pub fn take_breadcrumbs(body: &str) -> Option<(String, Vec<String>)> {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut targets: Vec<String> = Vec::new();
    let mut last = 0;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match crumb_target(trimmed) {
            Some(target) => {
                targets.push(target.to_string());
                last = i;
            }
            None => break,
        }
    }
    if targets.first().map(String::as_str) != Some("index.html") {
        return None;
    }
    let mut out: Vec<&str> = vec![""; last + 1];
    out.extend_from_slice(&lines[last + 1..]);
    Some((out.join("\n"), targets.split_off(1)))
}

/// The target of a list item that is one link and nothing else: `2.  [Text](target)`.
fn crumb_target(item: &str) -> Option<&str> {
    let digits = item.bytes().take_while(u8::is_ascii_digit).count();
    // An ordered list item: one to nine digits, a dot, then a space.
    let rest = item[digits..].strip_prefix(". ").filter(|_| (1..=9).contains(&digits))?.trim_start();
    let rest = rest.strip_prefix('[')?;
    let close = rest.find("](")?;
    let target = rest[close + 2..].strip_suffix(')')?.trim();
    (!target.is_empty() && !target.contains([' ', '(', ')'])).then_some(target)
}

/// Expand macros (`![](.../grey_arrow_down.png)Title` and the text after
/// it, up to the next one or the next heading) become `<details>` with the
/// title as `<summary>`, instead of paragraphs that read as body text.
pub fn expand_sections(body: &str) -> String {
    if !body.contains(EXPAND_ARROW) {
        return body.to_string();
    }
    let code = fenced_lines(body);
    let lines: Vec<&str> = body.split('\n').collect();
    let in_code = |i: usize| code.get(i).copied().unwrap_or(false);
    let title_of = |i: usize| {
        let title = lines[i].trim().strip_prefix(EXPAND_ARROW)?.trim();
        (!in_code(i) && !title.is_empty()).then_some(title)
    };
    let is_heading = |i: usize| {
        !in_code(i)
            && (atx_heading(lines[i]).is_some()
                || lines.get(i + 1).is_some_and(|next| {
                    let next = next.trim();
                    !lines[i].trim().is_empty() && next.len() >= 2 && next.chars().all(|c| c == '-' || c == '=')
                }))
    };
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 1);
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        if let Some(title) = title_of(i) {
            let close = if open { "</details>" } else { "" };
            out.push(format!("{close}<details><summary>{}</summary>", escape(title)));
            open = true;
        } else if open && is_heading(i) {
            // A closing tag needs a blank line after it, or the heading
            // would be read as part of the HTML.
            out.push("</details>\n".to_string());
            out.push(line.to_string());
            open = false;
        } else {
            out.push(line.to_string());
        }
    }
    if open {
        out.push("\n</details>".to_string());
    }
    out.join("\n")
}

/// Attachments that are not in the export, gathered by the folder that
/// was not copied.
#[derive(Default)]
pub struct MissingFolders {
    /// Every folder that holds a file or a page.
    present: HashSet<String>,
    /// By missing folder: each left-out target with its file and line.
    missing: BTreeMap<String, Vec<(String, u32, String)>>,
}

impl MissingFolders {
    pub fn new<'a>(paths: impl Iterator<Item = &'a str>) -> MissingFolders {
        let mut present = HashSet::new();
        for path in paths {
            let mut dir = dir_of(path);
            while !dir.is_empty() && present.insert(dir.to_string()) {
                dir = dir_of(dir);
            }
        }
        MissingFolders { present, missing: BTreeMap::new() }
    }

    /// The first folder on the way to `target` (from a page in `page_dir`)
    /// that is not in the export; `None` when they all are (a single missing
    /// file is an ordinary broken link) or the target is not a file.
    fn folder_of(&self, page_dir: &str, target: &str) -> Option<String> {
        let target = target.split(['?', '#']).next().unwrap_or("").trim();
        let last = target.rsplit('/').next().unwrap_or("");
        if target.is_empty() || has_scheme(target) || target.starts_with("//") || !last.contains('.') {
            return None;
        }
        let lower = last.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".md") || target.contains("images/icons/") {
            return None;
        }
        let path = match target.strip_prefix('/') {
            Some(rooted) => rooted.to_string(),
            None => join(page_dir, target),
        };
        let mut folder = String::new();
        for segment in path.split('/').collect::<Vec<_>>().split_last()?.1 {
            folder = if folder.is_empty() { segment.to_string() } else { format!("{folder}/{segment}") };
            if !self.present.contains(&folder) {
                return Some(format!("{folder}/"));
            }
        }
        None
    }

    /// The body without images of, and links to, attachments in folders
    /// the export lacks (a link keeps its text); the "Attachments:" list
    /// plain, without those, or left out when none of its files is there.
    pub fn leave_out(&mut self, body: &str, logical: &str, file: &str, body_line: u32) -> String {
        let page_dir = dir_of(logical);
        let code = fenced_lines(body);
        let lines: Vec<&str> = body.split('\n').collect();
        let section = attachments_section(&lines, &code);
        let mut out: Vec<String> = Vec::with_capacity(lines.len());
        let mut kept_in_section = 0;
        let removed = RefCell::new(Vec::new());
        let drop = |target: &str, line: usize| match self.folder_of(page_dir, target) {
            Some(folder) => {
                removed.borrow_mut().push((folder, line, target.to_string()));
                true
            }
            None => false,
        };
        for (i, line) in lines.iter().enumerate() {
            if code.get(i).copied().unwrap_or(false) {
                out.push(line.to_string());
                continue;
            }
            match section {
                Some((heading, _)) if i == heading => out.push("**Attachments**".to_string()),
                Some((heading, _)) if i == heading + 1 && is_underline(line) => out.push(String::new()),
                Some((heading, end)) if i > heading && i < end && attachment_item(line).is_some() => {
                    let (item, target) = attachment_item(line).unwrap_or_default();
                    if drop(&target, i) {
                        out.push(String::new());
                    } else {
                        kept_in_section += 1;
                        out.push(item);
                    }
                }
                _ => {
                    let (kept, _) = remove_images(line, &|t| drop(t, i));
                    out.push(unlink(&kept, &|t| drop(t, i)));
                }
            }
        }
        if let Some((heading, end)) = section.filter(|_| kept_in_section == 0) {
            for line in &mut out[heading..end] {
                line.clear();
            }
        }
        for (folder, i, target) in removed.into_inner() {
            self.missing.entry(folder).or_default().push((file.to_string(), body_line + i as u32, target));
        }
        out.join("\n")
    }

    /// One warning per missing folder, with every left-out file in its details.
    pub fn report(self, diags: &mut Diagnostics) {
        for (folder, found) in self.missing {
            let Some((file, line, _)) = found.first().cloned() else { continue };
            let details = found.iter().map(|(file, line, target)| format!("{file}:{line}: {target}")).collect();
            diags.push(
                Diagnostic::warning(
                    Code::MissingAsset,
                    format!(
                        "{} under {folder} {} missing: the export's {folder} folder was not copied; {} left out",
                        if found.len() == 1 { "1 file".to_string() } else { format!("{} files", found.len()) },
                        if found.len() == 1 { "is" } else { "are" },
                        if found.len() == 1 { "it was" } else { "they were" },
                    ),
                )
                .at(file, line)
                .hint(format!("copy the export's {folder} folder beside the pages (or into public/) to show them"))
                .details(details),
            );
        }
    }
}

fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 2 && t.chars().all(|c| c == '-' || c == '=')
}

/// The "Attachments:" heading Confluence ends a page with, and the end of
/// its list: (heading line, first line after the section).
fn attachments_section(lines: &[&str], code: &[bool]) -> Option<(usize, usize)> {
    let at = lines.iter().enumerate().position(|(i, line)| {
        let text = atx_heading(line).map_or(line.trim(), |(_, text)| text.trim());
        !code.get(i).copied().unwrap_or(false)
            && text == "Attachments:"
            && (atx_heading(line).is_some() || lines.get(i + 1).is_some_and(|l| is_underline(l)))
    })?;
    let start = if atx_heading(lines[at]).is_some() { at + 1 } else { at + 2 };
    let end = (start..lines.len())
        .find(|&i| {
            atx_heading(lines[i]).is_some()
                || lines.get(i + 1).is_some_and(|l| is_underline(l) && !lines[i].trim().is_empty())
        })
        .unwrap_or(lines.len());
    Some((at, end))
}

/// A line of the attachments list as a plain list item (its link, without
/// the bullet icon and the MIME type `(image/png)`), and the link's target.
fn attachment_item(line: &str) -> Option<(String, String)> {
    let mut from = 0;
    loop {
        let start = from + line[from..].find('[')?;
        let middle = start + line[start..].find("](")?;
        let close = middle + line[middle..].find(')')?;
        if start > 0 && line.as_bytes()[start - 1] == b'!' {
            from = close + 1;
            continue;
        }
        let target = line[middle + 2..close].split_whitespace().next().unwrap_or("").to_string();
        return Some((format!("- {}", &line[start..=close]), target));
    }
}

/// The line with Markdown links `[text](target)` whose target `drop`
/// accepts replaced by their text (outside inline code; images untouched).
fn unlink(line: &str, drop: &dyn Fn(&str) -> bool) -> String {
    let spans = code_spans(line);
    let in_code = |at: usize| spans.iter().any(|(s, e)| *s <= at && at < *e);
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    while let Some(offset) = line[at..].find('[') {
        let start = at + offset;
        let is_image = start > 0 && line.as_bytes()[start - 1] == b'!';
        let parts = line[start..]
            .find("](")
            .map(|m| start + m)
            .and_then(|middle| line[middle..].find(')').map(|c| (middle, middle + c)));
        let Some((middle, close)) = parts.filter(|_| !is_image && !in_code(start)) else {
            out.push_str(&line[at..=start]);
            at = start + 1;
            continue;
        };
        let target = line[middle + 2..close].split_whitespace().next().unwrap_or("");
        out.push_str(&line[at..start]);
        if drop(target) {
            out.push_str(&line[start + 1..middle]);
        } else {
            out.push_str(&line[start..=close]);
        }
        at = close + 1;
    }
    out.push_str(&line[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breadcrumb_trail_is_taken_from_the_top_only() {
        let body = "\n1.  [Space](index.html)\n2.  [Home](Home_100000.html)\n3.  [Guides](Guides_200000.html?x#y)\n\nText\n1.  [Space](index.html)\n";
        let (kept, trail) = take_breadcrumbs(body).expect("a trail");
        assert_eq!(trail, ["Home_100000.html", "Guides_200000.html?x#y"]);
        assert_eq!(kept, "\n\n\n\n\nText\n1.  [Space](index.html)\n", "lines keep their numbers");
        // Not the space's index first, not at the top, or not links alone: no trail.
        for body in [
            "1.  [Home](Home_100000.html)\n",
            "Intro.\n\n1.  [Space](index.html)\n",
            "1.  [Space](index.html) and more\n",
            "1. Space\n",
            "",
            "1.  [",
            "12345678901234567890.[x](index.html)",
        ] {
            assert!(take_breadcrumbs(body).is_none(), "{body:?}");
        }
        assert_eq!(take_breadcrumbs("1.  [Space](index.html)").map(|(b, t)| (b, t.len())), Some((String::new(), 0)));
    }

    #[test]
    fn expand_macros_become_details() {
        let body = "Intro.\n\n![](images/icons/grey_arrow_down.png)Backlog\n\nA prioritised list.\n\n![](images/icons/grey_arrow_down.png)MVP <1>\n\nMinimal.\n\n## Next\nText";
        let out = expand_sections(body);
        assert_eq!(out, "Intro.\n\n<details><summary>Backlog</summary>\n\nA prioritised list.\n\n</details><details><summary>MVP &lt;1&gt;</summary>\n\nMinimal.\n\n</details>\n\n## Next\nText");
        assert!(expand_sections("![](images/icons/grey_arrow_down.png)Last\n\nEnd.").ends_with("End.\n\n</details>"));
        assert_eq!(
            expand_sections("```\n![](images/icons/grey_arrow_down.png)x\n```"),
            "```\n![](images/icons/grey_arrow_down.png)x\n```"
        );
    }

    #[test]
    fn missing_folders_are_gathered_and_the_attachments_list_cleaned() {
        let mut missing = MissingFolders::new(["attachments/1/kept.pdf", "Page_1.md"].into_iter());
        let body = "![Chart](attachments/2/chart.png) and [the deck](attachments/2/deck.pptx), [kept](attachments/1/kept.pdf), [gone](attachments/1/gone.pdf), [page](Other_2.html)\n\nAttachments:\n------------\n\n![](images/icons/bullet_blue.gif) [kept.pdf](attachments/1/kept.pdf) (application/pdf)\n![](images/icons/bullet_blue.gif) [deck.pptx](attachments/2/deck.pptx) (application/pptx)\n";
        let out = missing.leave_out(body, "Page_1.md", "src/Page_1.md", 3);
        assert_eq!(out, " and the deck, [kept](attachments/1/kept.pdf), [gone](attachments/1/gone.pdf), [page](Other_2.html)\n\n**Attachments**\n\n\n- [kept.pdf](attachments/1/kept.pdf)\n\n");
        let all_gone = "Text\n\n## Attachments:\n\n[a.png](attachments/3/a.png) (image/png)\n";
        assert_eq!(missing.leave_out(all_gone, "Page_1.md", "src/Page_1.md", 1), "Text\n\n\n\n\n");
        let mut diags = Diagnostics::default();
        missing.report(&mut diags);
        let said: Vec<(&str, u32, &str, usize)> =
            diags.0.iter().map(|d| (d.file.as_str(), d.line, d.message.as_str(), d.details.len())).collect();
        assert_eq!(
            said,
            [
                ("src/Page_1.md", 3, "3 files under attachments/2/ are missing: the export's attachments/2/ folder was not copied; they were left out", 3),
                ("src/Page_1.md", 5, "1 file under attachments/3/ is missing: the export's attachments/3/ folder was not copied; it was left out", 1),
            ]
        );
        assert_eq!(diags.0[0].details[0], "src/Page_1.md:3: attachments/2/chart.png");
    }
}
