use super::*;

fn write(root: &Path, path: &str, text: &[u8]) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn reads_documents_files_templates_and_glossary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "handbook.toml", b"title = \"T\"\n");
    write(root, "index.md", b"# Home\n");
    write(root, "standards/a.md", b"+++\ntitle = \"A\"\n+++\nBody\n");
    write(root, "static/x.png", b"png");
    write(root, "templates/page.html", b"{{ page.title }}");
    write(root, "glossary.toml", b"[[term]]\nterm = \"X\"\n");
    write(root, ".git/config", b"");
    write(root, "public/old.md", b"stale output");
    let mut d = Diagnostics::default();
    let f = folder(root, &LoadOptions::default(), &mut d);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(f.config.title, "T");
    let paths: Vec<_> = f.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["index.md", "standards/a.md"]);
    assert_eq!(f.files, [FileEntry { path: "static/x.png".into(), logical: "static/x.png".into() }]);
    assert!(f.templates.contains_key("page.html"));
    assert!(f.glossary.is_some());
    assert_eq!(f.documents[1].body_line, 4);
}

#[test]
fn invalid_utf8_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.md", b"ok\nbad \xff here");
    let mut d = Diagnostics::default();
    let f = folder(dir.path(), &LoadOptions::default(), &mut d);
    assert!(f.documents.is_empty());
    let e = &d.0[0];
    assert_eq!((e.code.as_str(), e.file.as_str(), e.line, e.column), ("not-utf8", "bad.md", 2, 5));
}

#[test]
fn byte_order_mark_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.md", "\u{feff}+++\ntitle = \"A\"\n+++\n".as_bytes());
    let mut d = Diagnostics::default();
    let f = folder(dir.path(), &LoadOptions::default(), &mut d);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(f.documents[0].front.fields["title"], "A");
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/page.md", b"# P");
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).unwrap();
    let mut d = Diagnostics::default();
    let f = folder(dir.path(), &LoadOptions::default(), &mut d);
    assert_eq!(f.documents.len(), 1);
    assert!(d.iter().any(|d| d.code == "unreadable" && d.message.contains("loop")), "{d:?}");
}

#[cfg(unix)]
#[test]
fn links_leading_out_and_special_files_are_refused_links_inside_followed() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("handbook");
    write(&root, "guides/a.md", b"# A");
    write(outer.path(), "elsewhere/secret.md", b"# Secret");
    std::fs::create_dir_all(root.join("static")).unwrap();
    let link = |target: &Path, name: &str| std::os::unix::fs::symlink(target, root.join(name)).unwrap();
    link(Path::new("guides"), "same-guides");
    link(Path::new("/etc/passwd"), "static/passwd.txt");
    link(&outer.path().join("elsewhere"), "elsewhere");
    link(Path::new("gone.png"), "static/logo.png");
    let fifo = std::ffi::CString::new(root.join("static/pipe").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let mut d = Diagnostics::default();
    let f = folder(&root, &LoadOptions::default(), &mut d);
    let paths: Vec<_> = f.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["guides/a.md", "same-guides/a.md"]);
    assert!(f.files.is_empty(), "{:?}", f.files);
    let mut found: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.file.as_str(), d.severity)).collect();
    found.sort();
    use crate::diag::Severity::*;
    assert_eq!(
        found,
        [
            ("dangling-symlink", "static/logo.png", Warning),
            ("outside-handbook", "elsewhere", Error),
            ("outside-handbook", "static/passwd.txt", Error),
            ("special-file", "static/pipe", Error),
        ]
    );
    let passwd = d.iter().find(|d| d.file == "static/passwd.txt").unwrap();
    assert!(passwd.message.contains("/etc/passwd"), "{}", passwd.message);
    let dangling = d.iter().find(|d| d.code == "dangling-symlink").unwrap();
    assert!(dangling.message.contains("gone.png"), "{}", dangling.message);
}

#[cfg(unix)]
#[test]
fn a_content_folder_or_config_leading_out_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("handbook");
    write(outer.path(), "elsewhere/page.md", b"# Elsewhere");
    write(outer.path(), "other.toml", b"title = \"Not ours\"\n");
    std::fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(outer.path().join("elsewhere"), root.join("source")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("other.toml"), root.join("handbook.toml")).unwrap();
    let mut d = Diagnostics::default();
    let options = LoadOptions { content_dir: "source".into(), ..LoadOptions::default() };
    let f = folder(&root, &options, &mut d);
    assert!(f.documents.is_empty());
    assert_eq!(f.config.title, "Handbook");
    let found: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.file.as_str())).collect();
    assert_eq!(found, [("outside-handbook", "handbook.toml"), ("outside-handbook", "source")]);
}

#[test]
fn lone_carriage_returns_end_lines_and_nul_bytes_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mac.md", b"---\rtitle: Mac\r---\rFirst\rSecond\r");
    write(dir.path(), "crlf.md", b"---\r\ntitle: Win\r\n---\r\nBody\r\n");
    write(dir.path(), "nul.md", b"# Title\n\nA\0B\0\n");
    let mut d = Diagnostics::default();
    let f = folder(dir.path(), &LoadOptions::default(), &mut d);
    let doc = |p: &str| f.documents.iter().find(|d| d.path == p).unwrap();
    assert_eq!(doc("mac.md").front.fields["title"], "Mac");
    assert_eq!((&*doc("mac.md").body, doc("mac.md").body_line), ("First\nSecond\n", 4));
    assert_eq!(&*doc("crlf.md").body, "Body\r\n");
    assert_eq!(&*doc("nul.md").body, "# Title\n\nAB\n");
    let found: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.file.as_str(), d.line, d.column)).collect();
    assert_eq!(found, [("nul-byte", "nul.md", 3, 2)]);
    assert!(d.0[0].message.starts_with("2 NUL byte(s)"));
}

#[cfg(unix)]
#[test]
fn a_file_to_publish_may_name_the_handbook_another_way_but_not_leave_it() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("hb");
    write(&real, "static/x.png", b"png");
    write(dir.path(), "secret.txt", b"secret");
    std::fs::create_dir(dir.path().join("other")).unwrap();
    // `serve` opens with the real path; the build named it through `..`.
    let roundabout = dir.path().join("other/../hb");
    let opened = open_to_publish(&real, &roundabout.join("static/x.png"));
    assert!(opened.is_ok(), "{opened:?}");
    assert!(open_to_publish(&roundabout, &real.join("static/x.png")).is_ok());
    // Named through `..` or not, what lies outside stays out.
    let escaping = roundabout.join("static/../../secret.txt");
    assert_eq!(open_to_publish(&real, &escaping).unwrap_err().kind(), std::io::ErrorKind::PermissionDenied);
    std::os::unix::fs::symlink(dir.path(), real.join("static/up")).unwrap();
    let linked = roundabout.join("static/up/secret.txt");
    assert_eq!(open_to_publish(&real, &linked).unwrap_err().kind(), std::io::ErrorKind::PermissionDenied);
}
