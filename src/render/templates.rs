//! Checks made on the theme's templates as they load, so that a mistake in
//! an override is one finding at its file and line before any page renders:
//! include, extends and import cycles, which would recurse until the stack
//! overflows. Also the guard that bounds how deep macros call each other while pages
//! render: recursion is how a macro walks a tree, so it cannot be refused
//! when templates load, only stopped when it runs away.
//!
//! Tera keeps positions out of its syntax tree, so a finding's line is found
//! by searching the template's text for what the tree names. The tree is
//! `tera::ast`, which Tera exports without a stability promise: Cargo.toml
//! pins Tera's minor version for it.

use crate::diag::{line_col, Diagnostic, Diagnostics};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use tera::ast::{Expr, ExprVal, FunctionCall, Node, WS};
use tera::Tera;

/// How deep macros may call macros while one template renders. A tree
/// macro nests once per level of the tree; a runaway one reaches this
/// quickly, well before the stack of a render thread runs out.
pub(super) const MAX_MACRO_DEPTH: u32 = 100;

/// The functions the guard adds at the start and end of every macro.
const ENTER: &str = "__copbook_enter_macro";
const LEAVE: &str = "__copbook_leave_macro";

/// A template by its Tera name: the file it came from, as the handbook names
/// it, and its text.
pub(super) type Sources = BTreeMap<String, (String, String)>;

/// The templates a template's nodes include, wherever they are.
fn includes(template: &tera::Template) -> Vec<String> {
    fn walk(nodes: &[Node], out: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Include(_, names, _) => out.extend(names.iter().cloned()),
                Node::MacroDefinition(_, m, _) => walk(&m.body, out),
                Node::FilterSection(_, section, _) => walk(&section.body, out),
                Node::Block(_, block, _) => walk(&block.body, out),
                Node::Forloop(_, each, _) => {
                    walk(&each.body, out);
                    walk(each.empty_body.as_deref().unwrap_or_default(), out);
                }
                Node::If(branches, _) => {
                    for (_, _, body) in &branches.conditions {
                        walk(body, out);
                    }
                    walk(branches.otherwise.as_ref().map_or(&[][..], |(_, body)| body), out);
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&template.ast, &mut out);
    for m in template.macros.values() {
        walk(&m.body, &mut out);
    }
    out
}

/// Checks the loaded templates; true when nothing is wrong.
pub(super) fn check(tera: &Tera, sources: &Sources, diags: &mut Diagnostics) -> bool {
    let before = diags.0.len();
    cycles(tera, sources, diags);
    diags.0.len() == before
}

fn sorted(tera: &Tera) -> Vec<(&str, &tera::Template)> {
    let mut all: Vec<(&str, &tera::Template)> = tera.templates.iter().map(|(n, t)| (n.as_str(), t)).collect();
    all.sort_by_key(|(n, _)| *n);
    all
}

/// How one template leads to another.
#[derive(Clone, Copy)]
enum Edge {
    Extends,
    Includes,
    Imports,
}

impl Edge {
    fn verb(self) -> &'static str {
        match self {
            Edge::Extends => "extends",
            Edge::Includes => "includes",
            Edge::Imports => "imports",
        }
    }
}

/// Extends, include and import cycles: Tera would follow them until the
/// stack overflows. One finding per cycle, at the template it starts from.
/// (Tera refuses extends cycles itself, then the templates it parsed are
/// passed here for a finding that names the file, line and chain.)
pub(super) fn cycles(tera: &Tera, sources: &Sources, diags: &mut Diagnostics) {
    let templates = sorted(tera);
    let edges: HashMap<&str, Vec<(Edge, String)>> = templates
        .iter()
        .map(|(name, t)| {
            let mut out: Vec<(Edge, String)> = t.parent.iter().map(|p| (Edge::Extends, p.clone())).collect();
            out.extend(includes(t).into_iter().map(|i| (Edge::Includes, i)));
            out.extend(t.imported_macro_files.iter().map(|(f, _)| (Edge::Imports, f.clone())));
            (*name, out)
        })
        .collect();
    // Depth-first, iteratively (a chain of templates is as long as the theme):
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    for (start, _) in &templates {
        if state.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some(&(at, next)) = path.last() {
            let out = edges.get(at).map_or(&[][..], Vec::as_slice);
            let Some((_, to)) = out.get(next) else {
                state.insert(at, 2);
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            let to = to.as_str();
            match state.get(to).copied().unwrap_or(0) {
                0 if edges.contains_key(to) => {
                    let to = edges.get_key_value(to).map_or(to, |(k, _)| *k);
                    state.insert(to, 1);
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    let chain: Vec<(&str, Edge, &str)> =
                        path[from..].iter().map(|(n, i)| (*n, edges[n][i - 1].0, edges[n][i - 1].1.as_str())).collect();
                    diags.push(cycle_finding(&chain, sources));
                }
                _ => {}
            }
        }
    }
}

fn cycle_finding(chain: &[(&str, Edge, &str)], sources: &Sources) -> Diagnostic {
    let (first, edge, to) = chain[0];
    let (file, text) = sources.get(first).map_or((first, ""), |(f, t)| (f.as_str(), t.as_str()));
    let at = find(text, to, Usage::Quoted).unwrap_or_default();
    let message = if chain.len() == 1 {
        format!("{first} {} itself{}", edge.verb(), at.quoted())
    } else {
        let steps: Vec<String> = chain.iter().map(|(from, edge, to)| format!("{from} {} {to}", edge.verb())).collect();
        format!("templates lead back to themselves: {}{}", steps.join(", "), at.quoted())
    };
    Diagnostic::error("template", message)
        .at(file, at.line)
        .column(at.column)
        .hint("a template that includes, extends or imports itself, directly or through others, never finishes; break the cycle")
}

/// How a name is used, to tell it from the same word elsewhere in the text.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Usage {
    /// `name(`
    Function,
    /// `"name"` or `'name'`
    Quoted,
}

/// Where in a template something was found, and the tag it is in.
#[derive(Default)]
pub(super) struct Place {
    pub line: u32,
    pub column: u32,
    pub tag: String,
}

impl Place {
    /// " in `{{ tag }}`", or nothing when the tag was not found.
    pub fn quoted(&self) -> String {
        if self.tag.is_empty() {
            String::new()
        } else {
            format!(" in `{}`", self.tag)
        }
    }
}

/// The first place in `text`, inside a tag, where `name` is used as `usage` says.
pub(super) fn find(text: &str, name: &str, usage: Usage) -> Option<Place> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    for (at, _) in text.match_indices(name) {
        let before = &text[..at];
        let after = &text[at + name.len()..];
        let fits = match usage {
            Usage::Function => {
                !before.ends_with(|c: char| ident(c) || c == '.' || c == ':') && after.trim_start().starts_with('(')
            }
            Usage::Quoted => {
                let quote = before.chars().last();
                matches!(quote, Some('"' | '\'')) && after.starts_with(quote.unwrap_or('"'))
            }
        };
        let Some(tag) = fits.then(|| enclosing_tag(text, at)).flatten() else { continue };
        let (line, column) = line_col(text, at);
        return Some(Place { line, column, tag });
    }
    None
}

/// The `{{ ... }}` or `{% ... %}` around byte `at`, if it is in one.
fn enclosing_tag(text: &str, at: usize) -> Option<String> {
    let open = text[..at].rfind("{{").into_iter().chain(text[..at].rfind("{%")).max()?;
    let closing = if text[open..].starts_with("{{") { "}}" } else { "%}" };
    // A tag closed before `at` means `at` is in plain text.
    if text[open..at].contains(closing) {
        return None;
    }
    let end = at + text[at..].find(closing)? + closing.len();
    let tag = &text[open..end];
    // Long tags are cut: the line number says where the rest is.
    Some(if tag.chars().count() > 80 { tag.chars().take(77).collect::<String>() + "..." } else { tag.to_string() })
}

/// How much stack (in bytes) one render may use below where it started,
/// checked as each macro starts: render threads have 2 MiB, and a macro
/// with much inside it can use more per level than the depth bound allows for.
const MAX_RENDER_STACK: usize = 1 << 20;

thread_local! {
    /// How deep macros call macros in the render on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The address of a local of the render's first frame on this thread.
    static STACK_BASE: Cell<usize> = const { Cell::new(0) };
    /// The macro that went too deep, as (template, macro).
    static RUNAWAY: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Makes every macro count how deep it is called: each body starts by
/// calling [`ENTER`] and ends by calling [`LEAVE`], functions registered here.
pub(super) fn guard_macros(tera: &mut Tera) {
    let call = |name: &str, args: &[(&str, &str)]| {
        let args = args.iter().map(|(k, v)| (k.to_string(), Expr::new(ExprVal::String(v.to_string())))).collect();
        Node::VariableBlock(WS::default(), Expr::new(ExprVal::FunctionCall(FunctionCall { name: name.into(), args })))
    };
    for (name, template) in tera.templates.iter_mut() {
        for (macro_name, definition) in template.macros.iter_mut() {
            definition.body.insert(0, call(ENTER, &[("template", name), ("macro", macro_name)]));
            definition.body.push(call(LEAVE, &[]));
        }
    }
    tera.register_function(ENTER, |args: &HashMap<String, tera::Value>| {
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let here = 0u8;
        let stack_used = STACK_BASE.with(Cell::get).abs_diff(std::hint::black_box(&here) as *const u8 as usize);
        if depth > MAX_MACRO_DEPTH || stack_used > MAX_RENDER_STACK {
            let arg = |k: &str| args.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            RUNAWAY.with(|r| *r.borrow_mut() = Some((arg("template"), arg("macro"))));
            return Err(tera::Error::msg(format!("macros call each other more than {MAX_MACRO_DEPTH} deep")));
        }
        Ok(tera::Value::String(String::new()))
    });
    tera.register_function(LEAVE, |_: &HashMap<String, tera::Value>| {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        Ok(tera::Value::String(String::new()))
    });
}

/// Called before each render on this thread: forget the last one's depth.
pub(super) fn reset_depth() {
    let here = 0u8;
    STACK_BASE.with(|b| b.set(std::hint::black_box(&here) as *const u8 as usize));
    DEPTH.with(|d| d.set(0));
    RUNAWAY.with(|r| r.borrow_mut().take());
}

/// The macro that ran away in the last render on this thread, as (template, macro).
pub(super) fn runaway() -> Option<(String, String)> {
    RUNAWAY.with(|r| r.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Theme;

    #[test]
    fn finds_the_use_in_its_tag() {
        let text = "<p>include \"a.html\"</p>\n{% include \"a.html\" %} {{ tree(n=1) }}\n";
        let at = |name, usage| find(text, name, usage).map(|p| (p.line, p.column, p.tag));
        // The name in plain text is not the include.
        assert_eq!(at("a.html", Usage::Quoted), Some((2, 13, "{% include \"a.html\" %}".into())));
        assert_eq!(at("tree", Usage::Function), Some((2, 27, "{{ tree(n=1) }}".into())));
    }

    fn load_page(page: &str) -> (Option<Theme>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let overrides = BTreeMap::from([("page.html".to_string(), page.to_string())]);
        (Theme::load(&overrides, &mut diags), diags)
    }

    /// Renders page.html with `depth` on a thread with the stack of a render thread.
    fn render_on_a_small_stack(theme: Theme, depth: u32) -> Result<String, String> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let mut context = tera::Context::new();
                context.insert("depth", &depth);
                theme.render("page.html", &context).map_err(|e| {
                    let d = theme.render_error("page.html", &e);
                    format!("{}:{} {}", d.file, d.line, d.message)
                })
            })
            .unwrap()
            .join()
            .unwrap()
    }

    /// A macro with loops and branches in it: much stack per level.
    const TREE: &str = "{% macro tree(n) %}{% for i in [1] %}{% if n > 0 %}{% for j in [2] %}\
        <li>{% filter upper %}{{ self::tree(n=n - 1) }}{% endfilter %}</li>{% endfor %}{% endif %}{% endfor %}\
        {% endmacro tree %}{{ self::tree(n=depth) }}";

    #[test]
    fn recursion_is_bounded_without_running_out_of_stack() {
        let (Some(theme), diags) = load_page(TREE) else { panic!("does not load") };
        assert!(diags.is_empty(), "{diags:?}");
        // A tree as deep as handbooks get renders.
        assert_eq!(render_on_a_small_stack(theme, 30).unwrap().to_lowercase().matches("<li>").count(), 30);
        // One that does not end is stopped with a finding at the macro.
        let (Some(theme), _) = load_page(TREE) else { unreachable!() };
        let e = render_on_a_small_stack(theme, 1_000_000).unwrap_err();
        assert!(e.starts_with("templates/page.html:1 macro 'tree' calls itself"), "{e}");
    }

    #[test]
    fn depth_starts_again_with_each_render() {
        let (Some(theme), _) = load_page(TREE) else { panic!("does not load") };
        let mut context = tera::Context::new();
        // The failed render leaves its depth behind; the next starts from zero.
        context.insert("depth", &1_000);
        assert!(theme.render("page.html", &context).is_err());
        context.insert("depth", &(MAX_MACRO_DEPTH - 1));
        assert!(theme.render("page.html", &context).is_ok());
    }

    #[test]
    fn an_include_cycle_through_three_templates_is_one_finding() {
        let mut diags = Diagnostics::default();
        let overrides = BTreeMap::from([
            ("a.html".to_string(), "{% include \"b.html\" %}".to_string()),
            ("b.html".to_string(), "<p>\n{% include \"c.html\" %}".to_string()),
            ("c.html".to_string(), "{% if x %}{% include \"a.html\" %}{% endif %}".to_string()),
        ]);
        assert!(Theme::load(&overrides, &mut diags).is_none());
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let d = &diags.0[0];
        assert_eq!((d.file.as_str(), d.line), ("templates/a.html", 1));
        assert!(
            d.message.contains("a.html includes b.html, b.html includes c.html, c.html includes a.html"),
            "{}",
            d.message
        );
    }
}
