// The default theme is embedded with include_dir!, which cargo cannot see
// into: rebuild when any theme file changes.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
