use super::*;
use crate::render::Theme;

#[test]
fn finds_each_use_in_its_tag() {
    let text = "<p>length | lenght</p>\n{{ list | lenght }} {% if x is strng %}{% endif %}\n{{ rnage(end=2) }} {{ page.titel }}\n";
    let at = |name, usage| find(text, name, usage).map(|p| (p.line, p.column, p.tag));
    // The word in plain text is not the filter.
    assert_eq!(at("lenght", Usage::Filter), Some((2, 11, "{{ list | lenght }}".into())));
    assert_eq!(at("strng", Usage::Test), Some((2, 32, "{% if x is strng %}".into())));
    assert_eq!(at("rnage", Usage::Function), Some((3, 4, "{{ rnage(end=2) }}".into())));
    assert_eq!(at("page.titel", Usage::Variable), Some((3, 23, "{{ page.titel }}".into())));
    assert_eq!(at("length", Usage::Filter), None);
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
                let d = theme.render_error("page.html", &e, &context);
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

#[test]
fn unknown_names_get_the_closest_that_exists() {
    let (theme, diags) = load_page("<p>\n{{ page.children | lenght }}\n{{ now(utc=true) }}\n");
    assert!(theme.is_none());
    let found: Vec<(u32, &str, Option<&str>)> =
        diags.iter().map(|d| (d.line, d.message.as_str(), d.hint.as_deref())).collect();
    assert_eq!(
        found,
        [
            (2, "unknown filter 'lenght' in `{{ page.children | lenght }}`", Some("did you mean 'length'?")),
            // Not built in without Tera's "builtins" feature; no name is close.
            (
                3,
                "unknown function 'now' in `{{ now(utc=true) }}`",
                Some("see https://keats.github.io/tera/docs/#built-ins")
            ),
        ]
    );
}

#[test]
fn an_unknown_variable_is_found_in_the_template_text() {
    let (Some(theme), _) = load_page("<h1>\n{{ page.titel }}</h1>") else { panic!("does not load") };
    let mut context = tera::Context::new();
    context.insert("page", &serde_json::json!({ "title": "T", "url": "/" }));
    let e = theme.render("page.html", &context).unwrap_err();
    let d = theme.render_error("page.html", &e, &context);
    assert_eq!((d.file.as_str(), d.line, d.column), ("templates/page.html", 2, 4));
    assert_eq!(d.message, "unknown variable 'page.titel' in `{{ page.titel }}`");
    assert_eq!(d.hint.as_deref(), Some("did you mean 'page.title'?"));
}

#[test]
fn uses_inside_macros_are_reported_once() {
    let page = "{% macro a() %}{{ self::b() }}{{ self::b() }}{% include \"page.html\" %}{% endmacro a %}";
    let (theme, diags) = load_page(page);
    assert!(theme.is_none());
    let found: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        found,
        ["page.html includes itself in `{% include \"page.html\" %}`", "unknown macro 'self::b' in `{{ self::b() }}`"]
    );
}

#[test]
fn the_guard_adds_nothing_to_the_output() {
    let (Some(theme), _) = load_page(TREE) else { panic!("does not load") };
    let mut plain = Tera::default();
    plain.add_raw_template("page.html", TREE).unwrap();
    let mut context = tera::Context::new();
    context.insert("depth", &3);
    let guarded = theme.render("page.html", &context).unwrap();
    assert_eq!(guarded, plain.render("page.html", &context).unwrap());
    assert!(guarded.to_lowercase().contains("<li><li>"), "{guarded}");
}
