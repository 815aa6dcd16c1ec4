//! Lists the folders of `fixtures/rules/` for `tests/fixtures.rs`, which gives each its own
//! `#[test]`: a new fixture folder is tested with no list to edit. Outside a checkout (a
//! packaged crate has no fixtures) the list is empty.

use std::path::Path;

fn main() {
    let dir = Path::new("fixtures/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("rule_folders! {\n");
    for name in names {
        out.push_str(&format!("    {},\n", name.replace('-', "_")));
    }
    out.push_str("}\n");
    let path =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_folders.rs");
    std::fs::write(&path, out).expect("OUT_DIR is writable");
}
