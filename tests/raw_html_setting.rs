//! `[markdown] raw_html` in handbook.toml changes how bodies render, so a
//! long-lived `Builder` (as `serve` keeps) must render them again when it
//! changes: the body cache key holds the setting.

use copbook::site::{Builder, Options};

#[test]
fn changing_raw_html_renders_bodies_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("index.md"), "# Home\n\nPress <kbd>Ctrl</kbd>.\n").unwrap();
    let options =
        Options { root: root.to_path_buf(), today: copbook::date::Date::new(2026, 11, 23), ..Options::default() };
    let mut builder = Builder::new();
    let mut build_with = |setting: &str| {
        std::fs::write(root.join("handbook.toml"), format!("[markdown]\nraw_html = \"{setting}\"\n")).unwrap();
        builder.forget(&["handbook.toml".to_string()]);
        let (site, diags) = builder.build(&options);
        let codes: Vec<_> = diags.iter().map(|d| (d.code, d.file.clone(), d.line, d.column)).collect();
        (site.is_some(), codes.into_iter().filter(|c| c.0 == "raw-html").collect::<Vec<_>>())
    };
    assert_eq!(build_with("allow"), (true, vec![]));
    assert_eq!(build_with("warn"), (true, vec![("raw-html", "index.md".to_string(), 3, 7)]));
    assert_eq!(build_with("deny"), (false, vec![("raw-html", "index.md".to_string(), 3, 7)]));
    assert_eq!(build_with("allow"), (true, vec![]));
}
