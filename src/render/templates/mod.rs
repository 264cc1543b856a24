//! Checks made on the theme's templates as they load, so that a mistake in
//! an override is one finding at its file and line before any page renders:
//! include, extends and import cycles (which would recurse until the stack
//! overflows), and filters, tests, functions and macros that do not exist.
//! Also the guard that bounds how deep macros call each other while pages
//! render: recursion is how a macro walks a tree, so it cannot be refused
//! when templates load, only stopped when it runs away.
//!
//! Tera keeps positions out of its syntax tree, so a finding's line is found
//! by searching the template's text for what the tree names. The tree is
//! `tera::ast`, which Tera exports without a stability promise: Cargo.toml
//! pins Tera's minor version for it.

use crate::diag::{did_you_mean, line_col, Code, Diagnostic, Diagnostics};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use tera::ast::{Expr, ExprVal, FunctionCall, MacroDefinition, Node, WS};
use tera::Tera;

/// How deep macros may call macros while one template renders. A tree
/// macro nests once per level of the tree; a runaway one reaches this
/// quickly, well before the stack of a render thread runs out.
pub(super) const MAX_MACRO_DEPTH: u32 = 100;

/// The functions the guard adds at the start and end of every macro.
const ENTER: &str = "__copbook_enter_macro";
const LEAVE: &str = "__copbook_leave_macro";
/// Filters Tera's renderer handles itself, without registering them.
const RENDERER_FILTERS: [&str; 2] = ["safe", "default"];

/// A template by its Tera name: the file it came from, as the handbook names
/// it, and its text.
pub(super) type Sources = BTreeMap<String, (String, String)>;

/// What a template's nodes name.
#[derive(Default)]
struct Uses {
    filters: Vec<String>,
    tests: Vec<String>,
    functions: Vec<String>,
    /// (namespace, macro)
    macros: Vec<(String, String)>,
    includes: Vec<String>,
}

impl Uses {
    /// Tera keeps macro definitions in the tree too (and copies them into
    /// `macros`), so walking the tree alone sees each use once.
    fn of(template: &tera::Template) -> Uses {
        let mut uses = Uses::default();
        uses.nodes(&template.ast);
        uses
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::VariableBlock(_, e) => self.expr(e),
                Node::MacroDefinition(_, m, _) => {
                    m.args.values().flatten().for_each(|e| self.expr(e));
                    self.nodes(&m.body);
                }
                Node::Include(_, names, _) => self.includes.extend(names.iter().cloned()),
                Node::Set(_, set) => self.expr(&set.value),
                Node::FilterSection(_, section, _) => {
                    self.call(&section.filter, true);
                    self.nodes(&section.body);
                }
                Node::Block(_, block, _) => self.nodes(&block.body),
                Node::Forloop(_, each, _) => {
                    self.expr(&each.container);
                    self.nodes(&each.body);
                    self.nodes(each.empty_body.as_deref().unwrap_or_default());
                }
                Node::If(branches, _) => {
                    for (_, condition, body) in &branches.conditions {
                        self.expr(condition);
                        self.nodes(body);
                    }
                    self.nodes(branches.otherwise.as_ref().map_or(&[][..], |(_, body)| body));
                }
                Node::Super
                | Node::Text(_)
                | Node::Extends(..)
                | Node::ImportMacro(..)
                | Node::Raw(..)
                | Node::Break(_)
                | Node::Continue(_)
                | Node::Comment(..) => {}
            }
        }
    }

    /// A filter (`filter` true) or a function, and its arguments.
    fn call(&mut self, call: &FunctionCall, filter: bool) {
        if filter {
            self.filters.push(call.name.clone());
        } else {
            self.functions.push(call.name.clone());
        }
        call.args.values().for_each(|e| self.expr(e));
    }

    fn expr(&mut self, e: &Expr) {
        self.value(&e.val);
        e.filters.iter().for_each(|f| self.call(f, true));
    }

    fn value(&mut self, v: &ExprVal) {
        match v {
            ExprVal::Math(m) => [&m.lhs, &m.rhs].into_iter().for_each(|e| self.expr(e)),
            ExprVal::Logic(l) => [&l.lhs, &l.rhs].into_iter().for_each(|e| self.expr(e)),
            ExprVal::In(i) => [&i.lhs, &i.rhs].into_iter().for_each(|e| self.expr(e)),
            ExprVal::Test(t) => {
                self.tests.push(t.name.clone());
                t.args.iter().for_each(|e| self.expr(e));
            }
            ExprVal::MacroCall(m) => {
                self.macros.push((m.namespace.clone(), m.name.clone()));
                m.args.values().for_each(|e| self.expr(e));
            }
            ExprVal::FunctionCall(f) => self.call(f, false),
            ExprVal::Array(items) => items.iter().for_each(|e| self.expr(e)),
            ExprVal::StringConcat(c) => c.values.iter().for_each(|v| self.value(v)),
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) | ExprVal::Ident(_) => {}
        }
    }
}

/// Checks the loaded templates; true when nothing is wrong.
pub(super) fn check(tera: &Tera, sources: &Sources, diags: &mut Diagnostics) -> bool {
    let before = diags.0.len();
    cycles(tera, sources, diags);
    for (name, template) in sorted(tera) {
        let (file, text) = sources.get(name).map_or((name, ""), |(f, t)| (f.as_str(), t.as_str()));
        let uses = Uses::of(template);
        let docs = "see https://keats.github.io/tera/docs/#built-ins";
        let is_filter = |f: &str| tera.filters.contains_key(f) || RENDERER_FILTERS.contains(&f);
        for used in dedup(&uses.filters).filter(|f| !is_filter(f)) {
            let known = tera.filters.keys().map(String::as_str).chain(RENDERER_FILTERS);
            diags.push(unknown(file, "filter", used, known, find(text, used, Usage::Filter), docs));
        }
        for used in dedup(&uses.tests).filter(|t| !tera.testers.contains_key(*t)) {
            let known = tera.testers.keys().map(String::as_str);
            diags.push(unknown(file, "test", used, known, find(text, used, Usage::Test), docs));
        }
        for used in dedup(&uses.functions).filter(|f| !tera.functions.contains_key(*f)) {
            let known = tera.functions.keys().map(String::as_str).filter(|f| !f.starts_with("__"));
            diags.push(unknown(file, "function", used, known, find(text, used, Usage::Function), docs));
        }
        let mut seen = std::collections::HashSet::new();
        for (namespace, called) in uses.macros.iter().filter(|m| seen.insert(*m)) {
            let full = format!("{namespace}::{called}");
            let at = find(text, &full, Usage::Function);
            match macros_in(tera, template, namespace) {
                None => {
                    let namespaces = template.imported_macro_files.iter().map(|(_, n)| n.as_str()).chain(["self"]);
                    let docs =
                        format!("import the file that defines it: {{% import \"macros.html\" as {namespace} %}}");
                    diags.push(unknown(file, "macro namespace", namespace, namespaces, at, &docs));
                }
                Some(defined) if !defined.contains_key(called) => {
                    let known: Vec<String> = defined.keys().map(|m| format!("{namespace}::{m}")).collect();
                    let docs = "check the macros of the file the namespace imports";
                    diags.push(unknown(file, "macro", &full, known.iter().map(String::as_str), at, docs));
                }
                Some(_) => {}
            }
        }
    }
    diags.0.len() == before
}

/// "unknown filter 'x' in `{{ tag }}`" at the place found, with the closest
/// known name, or `otherwise` when none is close.
fn unknown<'k>(
    file: &str,
    what: &str,
    used: &str,
    known: impl IntoIterator<Item = &'k str>,
    at: Option<Place>,
    otherwise: &str,
) -> Diagnostic {
    let at = at.unwrap_or_default();
    Diagnostic::error(Code::Template, format!("unknown {what} '{used}'{}", at.quoted()))
        .at(file, at.line)
        .column(at.column)
        .hint(did_you_mean(used, known).unwrap_or_else(|| otherwise.to_string()))
}

fn sorted(tera: &Tera) -> Vec<(&str, &tera::Template)> {
    let mut all: Vec<(&str, &tera::Template)> = tera.templates.iter().map(|(n, t)| (n.as_str(), t)).collect();
    all.sort_by_key(|(n, _)| *n);
    all
}

fn dedup(names: &[String]) -> impl Iterator<Item = &str> {
    let mut seen = std::collections::HashSet::new();
    names.iter().map(String::as_str).filter(move |n| seen.insert(*n))
}

/// The macros a namespace names in `template`: `self`, or an imported file.
fn macros_in<'t>(
    tera: &'t Tera,
    template: &'t tera::Template,
    namespace: &str,
) -> Option<&'t HashMap<String, MacroDefinition>> {
    if namespace == "self" {
        return Some(&template.macros);
    }
    let (file, _) = template.imported_macro_files.iter().find(|(_, n)| n == namespace)?;
    tera.templates.get(file).map(|t| &t.macros)
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
            out.extend(Uses::of(t).includes.into_iter().map(|i| (Edge::Includes, i)));
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

/// Extends cycles, found before Tera sees the templates: Tera 1.20 notices
/// a template that extends itself, but follows a longer circle (`base.html`
/// extends `page.html`, which extends `base.html`) until the stack overflows
/// while it links the templates. Each template is parsed on its own here,
/// which links nothing. Returns whether there is a cycle (each reported once).
pub(super) fn extends_cycles(sources: &Sources, diags: &mut Diagnostics) -> bool {
    let parents: HashMap<&str, String> = sources
        .iter()
        .filter_map(|(name, (_, text))| {
            let parent = tera::Template::new(name, None, text).ok()?.parent?;
            Some((name.as_str(), parent))
        })
        .collect();
    let mut reported: Vec<&str> = Vec::new();
    for start in parents.keys().copied().collect::<std::collections::BTreeSet<_>>() {
        let mut path = vec![start];
        let mut at = start;
        while let Some(parent) = parents.get(at) {
            let Some(&next) = parents.get_key_value(parent.as_str()).map(|(k, _)| k) else { break };
            if let Some(from) = path.iter().position(|n| *n == next) {
                let circle = &path[from..];
                // Found from each of its members: report it from the first by name.
                if circle.iter().min() == Some(&start) && !reported.contains(&start) {
                    reported.push(start);
                    let chain: Vec<(&str, Edge, &str)> =
                        circle.iter().map(|n| (*n, Edge::Extends, parents[n].as_str())).collect();
                    diags.push(cycle_finding(&chain, sources));
                }
                break;
            }
            if path.len() > sources.len() {
                break;
            }
            path.push(next);
            at = next;
        }
    }
    !reported.is_empty()
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
    Diagnostic::error(Code::Template, message)
        .at(file, at.line)
        .column(at.column)
        .hint("a template that includes, extends or imports itself, directly or through others, never finishes; break the cycle")
}

/// How a name is used, to tell it from the same word elsewhere in the text.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Usage {
    /// `| name`
    Filter,
    /// `is name`, `is not name`
    Test,
    /// `name(`, also `ns::name(`
    Function,
    /// `"name"` or `'name'`
    Quoted,
    /// A variable path, `page.titel`
    Variable,
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
        let prev = before.trim_end().chars().last();
        let fits = match usage {
            Usage::Filter => prev == Some('|') && !after.starts_with(ident),
            Usage::Test => {
                let b = before.trim_end();
                (b.ends_with(" is") || b.ends_with(" not")) && !after.starts_with(ident)
            }
            Usage::Function => {
                !before.ends_with(|c: char| ident(c) || c == '.' || c == ':') && after.trim_start().starts_with('(')
            }
            Usage::Quoted => {
                let quote = before.chars().last();
                matches!(quote, Some('"' | '\'')) && after.starts_with(quote.unwrap_or('"'))
            }
            Usage::Variable => {
                !before.ends_with(|c: char| ident(c) || c == '.') && !after.starts_with(|c: char| ident(c))
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
mod tests;
