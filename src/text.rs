//! Text helpers that every stage uses: slugs, a document's first heading,
//! names made readable, percent-decoding. A leaf: it imports nothing of
//! copbook, so loading, the model and rendering can share it without
//! reaching into each other.

/// The slug rule for heading ids, glossary anchors and URL segments.
///
/// Lowercase; every run of characters that are not alphanumeric (Unicode
/// letters and digits are kept) becomes one '-'; '-' is trimmed from both
/// ends. "Security.txt" -> "security-txt", "Step 2: plan" -> "step-2-plan",
/// "Ça va?" -> "ça-va". An empty result becomes "section".
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// Whose rule makes heading ids: copbook's [`slugify`], or that of the
/// generator a handbook came from, so links into its pages keep working.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SlugRule {
    #[default]
    Copbook,
    /// Redcarpet's `with_toc_data` (GOV.UK tech-docs): it slugs the
    /// HTML-escaped text, so `'` (`&#39;`) becomes `-39-`.
    TechDocs,
    /// Python-Markdown's `toc` (MkDocs), with the slugify function and
    /// `separator` its configuration names; repeats get `_1`, whatever the
    /// function.
    Mkdocs { slugify: TocSlugify, separator: char },
}

/// The `toc` extension's slugify functions copbook knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TocSlugify {
    /// `markdown.extensions.toc.slugify`, the default: NFKD, non-ASCII
    /// dropped, characters other than word characters, spaces and `-`
    /// removed, trimmed, lowercased, each run of spaces and separators one
    /// separator.
    #[default]
    Ascii,
    /// `markdown.extensions.toc.slugify_unicode`: the same, keeping Unicode.
    Unicode,
    /// `pymdownx.slugs.slugify` (and its older names `uslugify`, `gfm`...):
    /// normalised, tags stripped, trimmed, cased, characters other than word
    /// characters, spaces and `-` removed, each space one separator, and
    /// optionally percent-encoded.
    Pymdownx { case: SlugCase, normalize: Normalization, percent_encode: bool },
}

/// `pymdownx.slugs.slugify`'s `case` option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SlugCase {
    /// `none`: as written.
    #[default]
    Keep,
    /// `lower`: every letter lowercased.
    Lower,
    /// `lower-ascii`: only ASCII letters lowercased (GitHub's way).
    LowerAscii,
    /// `fold`: Python's case folding.
    Fold,
}

/// A Unicode normalisation form (`pymdownx.slugs.slugify`'s `normalize`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Normalization {
    #[default]
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl SlugRule {
    /// MkDocs' default: `toc`'s own slugify, `-` between words.
    pub const MKDOCS: SlugRule = SlugRule::Mkdocs { slugify: TocSlugify::Ascii, separator: '-' };

    /// The id `text` gets under this rule.
    pub fn slug(self, text: &str) -> String {
        match self {
            SlugRule::Copbook => slugify(text),
            SlugRule::TechDocs => redcarpet_anchor(text),
            SlugRule::Mkdocs { slugify, separator } => {
                let slug = match slugify {
                    TocSlugify::Ascii => python_markdown_slug(text, separator, false),
                    TocSlugify::Unicode => python_markdown_slug(text, separator, true),
                    TocSlugify::Pymdownx { case, normalize, percent_encode } => {
                        pymdownx_slug(text, separator, case, normalize, percent_encode)
                    }
                };
                if slug.is_empty() {
                    // What upstream's `unique` makes of an empty id.
                    "_1".into()
                } else {
                    slug
                }
            }
        }
    }

    /// What joins a repeated id to its number (`same-1`, MkDocs' `same_1`).
    pub fn repeat_separator(self) -> char {
        if matches!(self, SlugRule::Mkdocs { .. }) {
            '_'
        } else {
            '-'
        }
    }
}

/// Redcarpet's header anchor: the text HTML-escaped as Redcarpet escapes
/// it, then each run of non-ASCII characters and of its stripped
/// punctuation becomes one `-` (none at either end), the rest lowercased.
/// Curly quotes are read as the straight ones typed: copbook's smart
/// punctuation made them, and tech-docs has none.
fn redcarpet_anchor(text: &str) -> String {
    const STRIPPED: &str = " -&+$,/:;=?@\"#{}|^~[]`\\*()%.!'";
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' | '\u{201c}' | '\u{201d}' => escaped.push_str("&quot;"),
            '\'' | '\u{2018}' | '\u{2019}' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    let mut slug = String::with_capacity(escaped.len());
    let mut stripped = false;
    for c in escaped.chars() {
        if !c.is_ascii() || STRIPPED.contains(c) || c.is_ascii_whitespace() {
            if !slug.is_empty() && !stripped {
                slug.push('-');
            }
            stripped = true;
        } else {
            slug.push(c.to_ascii_lowercase());
            stripped = false;
        }
    }
    if stripped && !slug.is_empty() {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// Python-Markdown's `toc.slugify` (`unicode`: `slugify_unicode`): NFKD
/// and non-ASCII dropped unless `unicode`, characters other than word
/// characters, spaces and `-` removed, trimmed, lowercased, and each run of
/// spaces and `separator` one `separator`.
fn python_markdown_slug(text: &str, separator: char, unicode: bool) -> String {
    use unicode_normalization::UnicodeNormalization;
    let word = |c: char| if unicode { c.is_alphanumeric() } else { c.is_ascii_alphanumeric() };
    let ascii: String;
    let text = if unicode {
        text
    } else {
        ascii = text.nfkd().filter(char::is_ascii).collect();
        &ascii
    };
    let kept: String = text.chars().filter(|&c| word(c) || c == '_' || c == '-' || c.is_whitespace()).collect();
    let mut slug = String::with_capacity(kept.len());
    let mut gap = false;
    for c in kept.trim().chars().flat_map(char::to_lowercase) {
        if c == separator || c.is_whitespace() {
            gap = true;
        } else {
            if gap {
                slug.push(separator);
            }
            gap = false;
            slug.push(c);
        }
    }
    // A trailing separator survives upstream's trim (it only trims spaces).
    if gap {
        slug.push(separator);
    }
    slug
}

/// `pymdownx.slugs.slugify`: the text normalised, HTML tags stripped,
/// trimmed, cased; characters other than word characters, spaces and `-`
/// removed; each space (not each run) one `separator`; then, if asked,
/// every byte outside ASCII letters, digits and `_.-~` percent-encoded.
fn pymdownx_slug(text: &str, separator: char, case: SlugCase, normalize: Normalization, encode: bool) -> String {
    use unicode_normalization::UnicodeNormalization;
    let normal: String = match normalize {
        Normalization::Nfc => text.nfc().collect(),
        Normalization::Nfd => text.nfd().collect(),
        Normalization::Nfkc => text.nfkc().collect(),
        Normalization::Nfkd => text.nfkd().collect(),
    };
    let untagged = strip_tags(&normal);
    let trimmed = untagged.trim();
    let cased: String = match case {
        SlugCase::Keep => trimmed.to_string(),
        SlugCase::Lower => trimmed.to_lowercase(),
        SlugCase::LowerAscii => trimmed.to_ascii_lowercase(),
        SlugCase::Fold => case_fold(trimmed),
    };
    let slug: String = cased
        .chars()
        .filter(|&c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ')
        .map(|c| if c == ' ' { separator } else { c })
        .collect();
    if encode {
        percent_encode(&slug)
    } else {
        slug
    }
}

/// Every UTF-8 byte of `text` but ASCII letters, digits and `_.-~` as
/// `%XX` (upper-case hex), as Python's `urllib.parse.quote` writes it.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `<...>` tags left out, as `pymdownx.slugs` does before slugging.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let tag = &rest[open + 1..];
        let is_tag = tag.starts_with(|c: char| c == '/' || c.is_alphabetic()) && tag.contains('>');
        out.push_str(&rest[..open]);
        if is_tag {
            rest = &tag[tag.find('>').map_or(tag.len(), |i| i + 1)..];
        } else {
            out.push('<');
            rest = tag;
        }
    }
    out.push_str(rest);
    out
}

/// Python's `str.casefold` for the letters headings hold: lowercase, with
/// the full foldings that lowercase lacks (`ß` is `ss`).
fn case_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ſ' => out.push('s'),
            'ς' => out.push('σ'),
            'ﬀ' => out.push_str("ff"),
            'ﬁ' => out.push_str("fi"),
            'ﬂ' => out.push_str("fl"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// URL path segment for a file or folder name. Spaces become hyphens; `#`
/// and `?` would end the path and `%` would start an escape, so they are
/// left out: `c#.md` is served at `c/`, `100%.md` at `100/`, and links to
/// the files (`c%23.md`) lead there.
pub fn url_segment(name: &str) -> String {
    let segment: String =
        name.trim().chars().filter(|c| !matches!(c, '#' | '?' | '%')).map(|c| if c == ' ' { '-' } else { c }).collect();
    if segment.is_empty() {
        "-".into()
    } else {
        segment
    }
}

/// The text of the first heading, for pages without a title.
pub fn first_heading(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    let mut previous = "";
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            previous = "";
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim_start_matches('#');
            if rest.starts_with(' ') && line.len() - rest.len() <= 6 {
                // A closing run of '#' counts only after a space: `# C#` is "C#".
                let text = rest.trim();
                let open = text.trim_end_matches('#');
                let text = if open.is_empty() || open.ends_with(' ') { open.trim() } else { text };
                let text = match text.rfind(" {") {
                    Some(i) if text.ends_with('}') => &text[..i],
                    _ => text,
                };
                return Some(plain_inline(text)).filter(|t| !t.is_empty());
            }
        }
        let underline = !trimmed.is_empty() && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'));
        if underline && !previous.trim().is_empty() && !line.starts_with("    ") {
            return Some(plain_inline(previous.trim())).filter(|t| !t.is_empty());
        }
        previous = line;
    }
    None
}

/// Drops the commonest inline Markdown marks from a heading used as a title.
fn plain_inline(text: &str) -> String {
    text.replace("**", "").replace('`', "").replace("__", "")
}

/// `setting-up_a community` -> `Setting up a community`.
pub fn humanise(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Untitled".into(),
    }
}

/// Decodes `%xx` escapes; invalid ones are kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Which lines of `text` (split on `\n`) are inside fenced code blocks,
/// fence lines included. Fences are recognised at any indentation, because
/// adapters look inside indented containers (list items, admonitions) too.
pub fn fenced_lines(text: &str) -> Vec<bool> {
    let mut open: Option<(char, usize)> = None;
    let mut out = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim();
        match open {
            Some((fence, len)) => {
                out.push(true);
                let run = trimmed.chars().take_while(|&c| c == fence).count();
                if run >= len && trimmed.chars().all(|c| c == fence) {
                    open = None;
                }
            }
            None => {
                let fence = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
                let run = fence.map_or(0, |f| trimmed.chars().take_while(|&c| c == f).count());
                // A backtick fence's info string cannot hold a backtick (that is inline code).
                let opens = run >= 3 && fence.is_some_and(|f| f == '~' || !trimmed[run..].contains('`'));
                if let (true, Some(f)) = (opens, fence) {
                    open = Some((f, run));
                }
                out.push(opens);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_as_each_generator_makes_them() {
        // Redcarpet (tech-docs) slugs the escaped text: ' is &#39;, & is &amp;.
        for (text, id) in [
            ("What's new", "what-39-s-new"),
            ("Q&A: ask us", "q-amp-a-ask-us"),
            ("Step 2: plan", "step-2-plan"),
            ("Café menu", "caf-menu"),
            ("Use snake_case!", "use-snake_case"),
            ("\"Quoted\"", "quot-quoted-quot"),
        ] {
            assert_eq!(SlugRule::TechDocs.slug(text), id, "{text}");
        }
        // Python-Markdown's toc (MkDocs): punctuation dropped, accents folded.
        for (text, id) in [
            ("What's new", "whats-new"),
            ("Q&A: ask us", "qa-ask-us"),
            ("Step 2: plan", "step-2-plan"),
            ("Café menu", "cafe-menu"),
            ("Use snake_case!", "use-snake_case"),
            ("A -- B", "a-b"),
            ("?!", "_1"),
        ] {
            assert_eq!(SlugRule::MKDOCS.slug(text), id, "{text}");
        }
        assert_eq!(SlugRule::Copbook.slug("What's new"), "what-s-new");
        assert_eq!((SlugRule::MKDOCS.repeat_separator(), SlugRule::TechDocs.repeat_separator()), ('_', '-'));
    }

    /// The slugify functions a mkdocs.yml can name for `toc`, with ids
    /// that follow their documented steps (Python-Markdown's toc reference,
    /// PyMdown Extensions' "Slugs" page).
    #[test]
    fn heading_ids_as_mkdocs_slugify_options_make_them() {
        use super::{Normalization as N, SlugCase as C, TocSlugify as T};
        let rule = |slugify, separator| SlugRule::Mkdocs { slugify, separator };
        let pymdownx = |case, normalize, percent_encode| T::Pymdownx { case, normalize, percent_encode };
        let cases: [(SlugRule, &str, &str); 17] = [
            // toc's default with another separator: runs of spaces and '_' become one.
            (rule(T::Ascii, '_'), "Step 2: plan", "step_2_plan"),
            (rule(T::Ascii, '_'), "A  __ B", "a_b"),
            // slugify_unicode keeps letters outside ASCII, unfolded.
            (rule(T::Unicode, '-'), "Café menu", "café-menu"),
            (rule(T::Unicode, '-'), "Привет, мир!", "привет-мир"),
            // pymdownx `uslugify` (case lower): each space is one separator, '-' kept.
            (rule(pymdownx(C::Lower, N::Nfc, false), '-'), "What's new?", "whats-new"),
            (rule(pymdownx(C::Lower, N::Nfc, false), '-'), "A - B", "a---b"),
            (rule(pymdownx(C::Lower, N::Nfc, false), '-'), "Ça va <em>bien</em>", "ça-va-bien"),
            (rule(pymdownx(C::Lower, N::Nfc, false), '-'), "  Trim me ?", "trim-me-"),
            // `uslugify_encoded`: UTF-8 bytes percent-encoded, upper-case hex.
            (rule(pymdownx(C::Lower, N::Nfc, true), '-'), "Café menu", "caf%C3%A9-menu"),
            // `slugify()` keeps case by default (`uslugify_cased`).
            (rule(pymdownx(C::Keep, N::Nfc, false), '-'), "Café Menu", "Café-Menu"),
            // `gfm` / case lower-ascii: only ASCII letters lowercased.
            (rule(pymdownx(C::LowerAscii, N::Nfc, false), '-'), "ÉCOLE Ça", "École-Ça"),
            // case fold: ß folds to ss.
            (rule(pymdownx(C::Fold, N::Nfc, false), '-'), "Straße", "strasse"),
            // normalize NFD strips diacritics: the combining marks are not word characters.
            (rule(pymdownx(C::Lower, N::Nfd, false), '-'), "Café", "cafe"),
            (rule(pymdownx(C::Lower, N::Nfkc, false), '-'), "ﬁle №1", "file-no1"),
            (rule(pymdownx(C::Lower, N::Nfc, false), '_'), "snake case-ok", "snake_case-ok"),
            // An id left empty is what toc's `unique` makes of it.
            (rule(pymdownx(C::Lower, N::Nfc, false), '-'), "?!", "_1"),
            (rule(T::Unicode, '-'), "…", "_1"),
        ];
        for (rule, text, id) in cases {
            assert_eq!(rule.slug(text), id, "{rule:?} {text}");
            assert_eq!(rule.repeat_separator(), '_');
        }
    }

    #[test]
    fn first_heading_finds_atx_and_setext() {
        assert_eq!(first_heading("Intro\n\n## Second {#x}\n").as_deref(), Some("Second"));
        assert_eq!(first_heading("Title here\n==========\n").as_deref(), Some("Title here"));
        assert_eq!(first_heading("```\n# not a heading\n```\n# Real\n").as_deref(), Some("Real"));
        assert_eq!(first_heading("#hashtag\ntext"), None);
        assert_eq!(first_heading("# **Bold** title #").as_deref(), Some("Bold title"));
        assert_eq!(first_heading("# C#\n").as_deref(), Some("C#"));
        assert_eq!(first_heading("## F# ##\n").as_deref(), Some("F#"));
    }

    #[test]
    fn humanises_names() {
        assert_eq!(humanise("setting-up_a-community"), "Setting up a community");
        assert_eq!(humanise(""), "Untitled");
    }

    #[test]
    fn slugify_rule() {
        assert_eq!(slugify("Security.txt"), "security-txt");
        assert_eq!(slugify("Step 2: plan"), "step-2-plan");
        assert_eq!(slugify("Ça va?"), "ça-va");
        assert_eq!(slugify("  --Hello,   World!--  "), "hello-world");
        assert_eq!(slugify("snake_case"), "snake-case");
        assert_eq!(slugify("?!"), "section");
        assert_eq!(slugify(""), "section");
        assert_eq!(slugify("ÉCOLE"), "école");
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("Shelter%27s%20x"), "Shelter's x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é1"), "%é1");
        assert_eq!(percent_decode("caf%C3%A9%20menu"), "café menu");
        assert_eq!(percent_encode("café menu_1.-~"), "caf%C3%A9%20menu_1.-~");
        assert_eq!(percent_decode(&percent_encode("Ça va? / 100%")), "Ça va? / 100%");
    }
}
