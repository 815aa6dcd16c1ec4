//! What the integration tests share: paths into this crate, scratch trees, runs of the built
//! binary and reading its JSON output. Each test file says `mod support;`; the benches pull this
//! file in with `#[path]`. Not every test uses every helper, hence `dead_code` is allowed.

#![allow(dead_code)]

pub mod git;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A path inside this crate's source tree, e.g. `crate_path("fixtures/example-app")`.
pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The text of a file of this crate (`README.md`, a fixture, ...).
pub fn crate_text(rel: &str) -> String {
    let path = crate_path(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

/// Writes `bytes` to `root/rel`, creating the folders on the way.
pub fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A temporary directory holding `files` (path relative to it, text).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    dir
}

/// The built `drizzle-guard`, to add arguments to; the test's environment is inherited.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drizzle-guard"))
}

/// What one run of the binary gave. Its output is always UTF-8 (file names and code that are not
/// are shown escaped), so anything else fails the test.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to the end. A run killed by a signal (a crash, a stack overflow) fails the test.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{:?} did not start: {e}", cmd.get_program()));
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("drizzle-guard ended by a signal ({}): {stderr}", out.status));
    Run {
        code,
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr,
    }
}

impl Run {
    /// Standard output as a JSON document; on failure, shows both streams.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}); stderr: {}\nstdout: {}",
                self.stderr, self.stdout
            )
        })
    }

    /// The run's standard error says `text`; on failure, shows what it said.
    pub fn assert_stderr_has(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "expected `{text}` on standard error:\n{}",
            self.stderr
        );
    }
}

/// One diagnostic of the JSON output, as the tests compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: u64,
    pub rule: String,
    pub message: String,
}

/// Every diagnostic of a JSON document, in output order.
pub fn findings(doc: &Value) -> Vec<Finding> {
    doc["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no `diagnostics` array in {doc}"))
        .iter()
        .map(|d| Finding {
            file: d["file"].as_str().unwrap().to_string(),
            line: d["range"]["start"]["line"].as_u64().unwrap(),
            rule: d["rule"].as_str().unwrap().to_string(),
            message: d["message"].as_str().unwrap().to_string(),
        })
        .collect()
}
