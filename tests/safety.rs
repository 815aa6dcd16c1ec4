//! What the checker must never do to the machine it runs on, through the real binary: show a
//! file from outside the checked root (a symbolic link in a pull request pointing at
//! `~/.npmrc`), or report success when its output could not be written.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Output, Stdio};
use support::{bin, write};

const SCHEMA: &str = "import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  name: text('name').notNull(),
}, (t) => [index('projects_org_idx').on(t.organizationId)]);
";

/// One tenant leak, so that every format has a finding with a code frame or snippet.
const LEAK: &str = "import { eq } from 'drizzle-orm';
import { db } from './db';
import { projects } from './schema';

export function byName(name: string) {
  return db.select().from(projects).where(eq(projects.name, name)).limit(10);
}
";

const TOKEN: &str = "npm_s3cr3tT0k3nThatMustNeverBeShown";

fn app(root: &Path) {
    write(root, "src/schema.ts", SCHEMA);
    write(root, "src/leak.ts", LEAK);
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// An app whose pull request added `src/x.ts -> ~/.npmrc` and `src/vendor -> ~/secrets/`
/// (both outside the app), with secrets that would be shown if read: in a parse error's and in
/// a finding's code frame, SARIF snippet and fingerprinted code.
struct Exposed {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
}

#[cfg(unix)]
fn exposed() -> Exposed {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    // Read as TypeScript, this does not parse: the parse error's code frame would show it.
    write(
        &home,
        ".npmrc",
        format!("registry=https://registry.npmjs.org/:_authToken={TOKEN}\n"),
    );
    // Read through `src/vendor/`, a tenant leak with the token in its code frame.
    write(
        &home,
        "secrets/keys.ts",
        format!(
            "import {{ eq }} from 'drizzle-orm';\nimport {{ db }} from '../db';\nimport {{ projects }} from '../schema';\nexport const all = () => db.select().from(projects).where(eq(projects.name, '{TOKEN}')).limit(9);\n"
        ),
    );
    let root = tmp.path().join("app");
    app(&root);
    symlink(home.join(".npmrc"), root.join("src/x.ts")).unwrap();
    symlink(home.join("secrets"), root.join("src/vendor")).unwrap();
    Exposed { _tmp: tmp, root }
}

/// `check . src/vendor`: the walk does not follow a linked directory it meets, but a PATH
/// argument that is one (`$(git diff --name-only)` in CI) is walked; either way nothing of
/// the other side is read.
const PATHS: [&str; 2] = [".", "src/vendor"];
const SKIPPED: [&str; 2] = ["src/vendor/keys.ts", "src/x.ts"];

#[cfg(unix)]
#[test]
fn nothing_outside_the_root_is_read_in_any_format() {
    let app = exposed();
    for format in ["human", "json", "sarif", "github"] {
        let mut args = vec!["check", "--no-timing", "--format", format];
        args.extend(PATHS);
        let o = run(&app.root, &args);
        let (stdout, stderr) = text(&o);
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "{format} shows the secret:\n{stdout}\n{stderr}"
        );
        assert_eq!(o.status.code(), Some(1), "{format}: {stderr}");
        // The other files are still checked.
        assert!(stdout.contains("src/leak.ts"), "{format}:\n{stdout}");
        for f in SKIPPED {
            assert!(stdout.contains(f), "{format} does not name {f}:\n{stdout}");
        }
    }
    let o = run(&app.root, &["schema", PATHS[0], PATHS[1]]);
    let (stdout, stderr) = text(&o);
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    for f in SKIPPED {
        assert!(
            stderr.contains(f),
            "schema does not warn about {f}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn skipped_files_are_counted_in_the_summary() {
    let app = exposed();
    let mut args = vec!["check", "--format", "json"];
    args.extend(PATHS);
    let doc: Value = serde_json::from_slice(&run(&app.root, &args).stdout).unwrap();
    assert_eq!(doc["summary"]["skippedOutsideRoot"], 2);
    assert_eq!(doc["outsideRoot"], serde_json::json!(SKIPPED));
    // Counted apart: neither checked nor a parse error.
    assert_eq!(doc["summary"]["filesChecked"], 2);
    let rules: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["tenant-filter"]);

    let mut args = vec!["check", "--no-timing"];
    args.extend(PATHS);
    let (human, _) = text(&run(&app.root, &args));
    let summary = human.lines().last().unwrap();
    assert_eq!(
        summary,
        "drizzle-guard: checked 2 files, 1 table (1 tenant-scoped, 0 soft-delete): 1 error, 0 warnings (2 files outside the root skipped)"
    );

    let mut args = vec!["check", "--format", "sarif"];
    args.extend(PATHS);
    let sarif: Value = serde_json::from_slice(&run(&app.root, &args).stdout).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let named: Vec<&str> = notes
        .iter()
        .map(|n| {
            n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(named, SKIPPED);
    assert!(
        sarif_schema().is_valid(&sarif),
        "the notifications make the SARIF invalid"
    );
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_root_and_a_root_reached_through_a_link_are_read() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    app(&real);
    symlink(real.join("src/leak.ts"), real.join("src/alias.ts")).unwrap();
    symlink(&real, tmp.path().join("link")).unwrap();
    let o = run(tmp.path(), &["check", "--format", "json", "link"]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["filesChecked"], 3);
    assert!(doc["summary"].get("skippedOutsideRoot").is_none());
    assert!(doc.get("outsideRoot").is_none());
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["src/alias.ts", "src/leak.ts"]);
}

fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

/// A full disk: `/dev/full` takes no byte.
#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path());
    for format in ["human", "sarif"] {
        let o = run(
            dir.path(),
            &["check", "--format", format, "--output", "/dev/full"],
        );
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains("could not write the output to /dev/full: No space left on device"),
            "{stderr}"
        );

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = bin()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .stdout(full)
            .output()
            .unwrap();
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr
                .contains("could not write the output to standard output: No space left on device"),
            "{stderr}"
        );
    }
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = bin().args(["rule"]).stdout(full).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// Standard error that cannot be written either: the exit code still tells, and nothing
/// panics (a panic exits 101).
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_standard_error_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path());
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--config", "missing.json"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "--output", "/dev/full"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A reader that stops reading (`drizzle-guard check | head -1`) is no error: the output ends
/// quietly and the exit code is still the run's (1: there are findings).
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path());
    for format in ["human", "json"] {
        let mut child = bin()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the check has written anything.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}");
    }
}
