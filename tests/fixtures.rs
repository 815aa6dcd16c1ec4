//! The fixture harness: every folder under `fixtures/rules/` (and the example app) is checked
//! on its own, and the findings must be exactly the lines marked `//~ rule-name`.
//!
//! One test per folder, `rules::<folder in snake case>`: `cargo test rules::tenant_filter` runs
//! one rule's fixtures (`cargo test tenant_filter` also runs `unverified_tenant_filter`, whose
//! name contains it), and every failing folder is reported on its own.

mod support;

use drizzle_guard::config::Config;
use drizzle_guard::engine::{self, Options};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::crate_path;

type Finding = (String, u32, String);

fn ts_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            ts_files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("ts" | "tsx" | "mts" | "cts")
        ) {
            out.push(p);
        }
    }
}

/// `//~ rule-a, rule-b` at the end of a line.
fn expected(root: &Path) -> BTreeSet<Finding> {
    let mut files = vec![];
    ts_files(root, &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.rfind("//~") {
                for rule in line[pos + 3..].split(',') {
                    let rule = rule.trim();
                    assert!(
                        drizzle_guard::rules::find(rule).is_some(),
                        "{rel}:{}: marker names no rule: `{rule}`",
                        i + 1
                    );
                    out.insert((rel.clone(), i as u32 + 1, rule.to_string()));
                }
            }
        }
    }
    out
}

fn report(root: &Path) -> drizzle_guard::emit::Report {
    let config = Config::discover(root).unwrap();
    let opts = Options {
        paths: vec![root.to_path_buf()],
        root: root.to_path_buf(),
        threads: None,
    };
    let project = engine::load(&opts, &config).unwrap();
    engine::check(&project, &config, std::time::Instant::now())
}

fn findings(report: &drizzle_guard::emit::Report) -> BTreeSet<Finding> {
    report
        .diagnostics
        .iter()
        .map(|d| (d.file.clone(), d.span.start_line, d.rule.to_string()))
        .collect()
}

fn actual(root: &Path) -> BTreeSet<Finding> {
    findings(&report(root))
}

/// `Ok(the number of findings)` when `got` is exactly `want`, else what is missing and what is
/// unexpected.
fn compare(root: &Path, want: BTreeSet<Finding>, got: BTreeSet<Finding>) -> Result<usize, String> {
    if want == got {
        return Ok(want.len());
    }
    let mut msg = format!("{}:\n", root.display());
    for (f, l, r) in want.difference(&got) {
        msg.push_str(&format!("  missing: {f}:{l} {r}\n"));
    }
    for (f, l, r) in got.difference(&want) {
        msg.push_str(&format!("  unexpected: {f}:{l} {r}\n"));
    }
    Err(msg)
}

fn check_folder(root: &Path) -> Result<usize, String> {
    compare(root, expected(root), actual(root))
}

fn fixtures() -> PathBuf {
    crate_path("fixtures")
}

/// One `#[test]` per folder of `fixtures/rules/`, in the module `rules`, named after the folder
/// with `_` for `-`; `FOLDERS` holds the same names for [`the_list_names_every_rule_folder`].
macro_rules! rule_folders {
    ($($test:ident),* $(,)?) => {
        const FOLDERS: &[&str] = &[$(stringify!($test)),*];

        mod rules {
            $(
                #[test]
                fn $test() {
                    super::check_rule_folder(&stringify!($test).replace('_', "-"));
                }
            )*
        }
    };
}

// One line per folder of fixtures/rules/, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/rule_folders.rs"));

/// The folder's findings are exactly its markers, and they render as snapshotted, so that
/// wording, spans and help are reviewed like code (`cargo insta review`, or
/// `INSTA_UPDATE=always` to accept). Called from this module so that the snapshots keep their
/// names, `fixtures__<folder>.snap`.
fn check_rule_folder(name: &str) {
    let dir = fixtures().join("rules").join(name);
    assert!(dir.is_dir(), "no fixture folder {}", dir.display());
    let report = report(&dir);
    if let Err(m) = compare(&dir, expected(&dir), findings(&report)) {
        panic!("{m}");
    }
    let text = drizzle_guard::emit::human::render(
        &report,
        &drizzle_guard::emit::human::HumanOptions {
            color: false,
            timing: false,
        },
    );
    insta::assert_snapshot!(name, text);
}

/// Nothing is silently skipped: every folder under `fixtures/rules/` has its test above, and
/// every test its folder.
#[test]
fn the_list_names_every_rule_folder() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.is_dir())
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = FOLDERS.iter().map(|t| t.replace('_', "-")).collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "build.rs did not list these folders (a stale build script run?): {unlisted:?}; \
         these listed folders do not exist under fixtures/rules/: {missing:?}"
    );
    assert!(
        on_disk.len() >= 4,
        "expected a fixture folder per rule, found {}",
        on_disk.len()
    );
}

#[test]
fn every_rule_has_a_fixture_folder() {
    for rule in drizzle_guard::rules::RULES {
        if rule.name == "internal-error" {
            continue; // only a bug can trigger it; tests/reliability covers containment
        }
        let dir = fixtures().join("rules").join(rule.name);
        assert!(
            dir.is_dir(),
            "rule `{}` has no fixture folder {}",
            rule.name,
            dir.display()
        );
        assert!(
            !expected(&dir).is_empty(),
            "rule `{}`'s fixtures mark nothing",
            rule.name
        );
    }
}

#[test]
fn example_app_reports_exactly_its_markers() {
    let n = check_folder(&fixtures().join("example-app")).unwrap_or_else(|m| panic!("{m}"));
    assert!(
        n >= 5,
        "the example app should show real mistakes, found {n}"
    );
}

/// The example app's README lists every deliberate mistake as `| `file:line` | `rule`, .. |`:
/// the table must be exactly what the checker reports, so it never drifts from the code.
#[test]
fn example_app_readme_lists_exactly_its_findings() {
    let root = fixtures().join("example-app");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut documented = BTreeSet::new();
    for line in readme.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((loc, rest)) = rest.split_once("` | ") else {
            continue;
        };
        let Some((file, n)) = loc.rsplit_once(':') else {
            continue;
        };
        let Ok(n) = n.parse::<u32>() else { continue };
        let rules = rest.split(" | ").next().unwrap_or_default();
        for rule in rules.split(", ") {
            documented.insert((file.to_string(), n, rule.trim_matches('`').to_string()));
        }
    }
    assert!(documented.len() >= 20, "the README table was not found");
    assert_eq!(documented, actual(&root));
}
