//! The output is byte-identical at any thread count, in every format, on the example app and on
//! a generated app of 150 files.

#[path = "../benches/corpus/mod.rs"]
mod corpus;
mod support;

use std::path::Path;

/// Every output format, with what makes it reproducible. Adding a format is one line.
const FORMATS: &[&[&str]] = &[
    &["--format", "json"],
    &["--format", "sarif"],
    &["--format", "github"],
    &["--format", "human", "--no-timing", "--color", "never"],
    &["--format", "human", "--no-timing", "--color", "always"],
];

const THREADS: &[&str] = &["1", "2", "8"];

fn check(root: &Path, format: &[&str], threads: &str) -> (i32, String) {
    let run = support::run(
        support::bin()
            .arg("check")
            .arg(root)
            .args(format)
            .args(["--threads", threads]),
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    (run.code, run.stdout)
}

fn assert_identical_at_any_thread_count(root: &Path) {
    for format in FORMATS {
        let (code, first) = check(root, format, THREADS[0]);
        assert_eq!(code, 1, "{format:?}: the tree has findings");
        assert!(first.len() > 1000, "{format:?}: suspiciously short output");
        for threads in &THREADS[1..] {
            let (c, out) = check(root, format, threads);
            assert_eq!(c, code, "{format:?} --threads {threads}");
            assert!(
                out == first,
                "{format:?}: --threads {threads} differs from --threads {}",
                THREADS[0]
            );
        }
    }
}

#[test]
fn example_app_output_is_identical_at_1_2_and_8_threads() {
    let root = support::crate_path("fixtures/example-app");
    assert_identical_at_any_thread_count(&root);
}

#[test]
fn generated_app_output_is_identical_at_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    corpus::write(dir.path(), 150, 11).unwrap();
    assert_identical_at_any_thread_count(dir.path());
}
