// The default theme, the starter handbook of `copbook init` and the example
// handbook are embedded with include_dir!, which cargo cannot see into:
// rebuild when any of their files changes. The example's folders are named
// one by one so that a site built into content-example/public is not watched.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=starter");
    for entry in [
        "communities",
        "glossary",
        "guidelines",
        "how-we-work",
        "people",
        "principles",
        "reference",
        "standards",
        "static",
    ]
    .iter()
    .chain(&["handbook.toml", "index.md", "glossary.toml"])
    {
        println!("cargo:rerun-if-changed=content-example/{entry}");
    }
}
