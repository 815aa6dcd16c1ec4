//! Removal mutants: recall measured on our own fixtures, where CI sees it. Every tenant filter
//! (`eq(X.<tenant column>, v)`, the column on either side) and every soft-delete filter
//! (`isNull(X.<soft-delete column>)`, `isNotNull(..)`, `eq(X.<flag>, false)`) in the rule
//! fixtures and the example app is replaced by `undefined`, one at a time, and the file must then
//! have a finding of that family (`tenant-filter`, `tenant-upsert`; `soft-delete-filter`) it
//! did not have (in any file: a helper's filter shows at its callers). A warning (`unverified-tenant-filter`) does not count: a removal noticed only
//! as "could not verify" is a miss.
//!
//! A removal that leaves the rows as limited as before (another filter on the same column, a
//! row pinned by a checked key, a statement that is a near miss already reported) is marked at
//! the end of its line with `// removal: <why>`; a marked removal that is reported is a stale
//! mark and fails the test too. The public apps get the same treatment by hand (figures in
//! `docs/precision/`); this keeps every proof we add honest about what it must still report.

mod support;

use drizzle_guard::config::Config;
use drizzle_guard::engine::{self, Options};
use drizzle_guard::link::{Project, Unit};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::crate_path;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Tenant,
    Deleted,
}

impl Family {
    fn rules(self) -> &'static [&'static str] {
        match self {
            Family::Tenant => &["tenant-filter", "tenant-upsert"],
            Family::Deleted => &["soft-delete-filter"],
        }
    }
}

/// One filter call to remove: which file (index into the units), its byte range, its line.
struct Site {
    unit: usize,
    start: usize,
    end: usize,
    line: usize,
    family: Family,
    marked: Option<String>,
}

/// A finding: file, line, rule, message.
type Finding = (String, u32, String, String);

fn folders() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(crate_path("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out.push(crate_path("fixtures/example-app"));
    out
}

/// The findings of the rules in `rules`.
fn findings(report: &drizzle_guard::emit::Report, rules: &[&str]) -> BTreeSet<Finding> {
    findings_in(report, rules, None)
}

/// The findings of `rules`; with `mutated` (a file's path and its text in memory), that file's
/// lines counted in that text: findings are located in the files on disk, where the text the
/// mutant removed is still there, so its later lines would not match the base run's.
fn findings_in(
    report: &drizzle_guard::emit::Report,
    rules: &[&str],
    mutated: Option<(&str, &str)>,
) -> BTreeSet<Finding> {
    report
        .diagnostics
        .iter()
        .filter(|d| rules.iter().any(|r| d.rule == *r))
        .map(|d| {
            let line = match mutated {
                Some((rel, text)) if d.file == rel => {
                    let at = (d.span.lo as usize).min(text.len());
                    text[..at].matches('\n').count() as u32 + 1
                }
                _ => d.span.start_line,
            };
            (d.file.clone(), line, d.rule.to_string(), d.message.clone())
        })
        .collect()
}

/// The index just past the parenthesis that closes the one opening at `open`, skipping string
/// and template literals (a fixture's `sql` text may hold parentheses).
fn closing(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len() {
        match text[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < text.len() && text[i] != q {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The top-level arguments between `open` and `close` (exclusive of both parentheses).
fn arguments(text: &str, open: usize, close: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut depth = 0usize;
    let mut from = open + 1;
    let mut i = open + 1;
    while i < close - 1 {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                out.push(text[from..i].trim());
                from = i + 1;
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < close && bytes[i] != q {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push(text[from..close - 1].trim());
    out
}

/// The tenant and soft-delete columns (keys) of each table by its binding, and of a table
/// under another name.
#[derive(Default)]
struct Columns {
    by_table: std::collections::BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    other: (BTreeSet<String>, BTreeSet<String>),
}

impl Columns {
    /// `X.key` or `a.b.key` (the whole argument a member path): whether the key is a tenant
    /// column, a soft-delete column, of the table `X` names.
    fn of(&self, arg: &str) -> (bool, bool) {
        let path_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.';
        let Some((obj, key)) = arg.rsplit_once('.') else {
            return (false, false);
        };
        if obj.is_empty() || !obj.chars().all(path_char) || !key.chars().all(path_char) {
            return (false, false);
        }
        let table = obj.rsplit('.').next().unwrap_or(obj);
        let (tenant, deleted) = self.by_table.get(table).unwrap_or(&self.other);
        (tenant.contains(key), deleted.contains(key))
    }
}

/// Every filter call in `text` on one of the columns.
fn sites_in(unit: usize, text: &str, cols: &Columns) -> Vec<Site> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    for (name, family) in [
        ("eq(", None),
        ("isNull(", Some(Family::Deleted)),
        ("isNotNull(", Some(Family::Deleted)),
    ] {
        for (start, _) in text.match_indices(name) {
            // A call of its own (not `helpers.eq(`, not `neq(`), outside a line comment.
            let before = bytes[..start].last().copied().unwrap_or(b' ');
            if before.is_ascii_alphanumeric() || matches!(before, b'_' | b'$' | b'.') {
                continue;
            }
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let lead = text[line_start..start].trim_start();
            if lead.starts_with("//") || lead.starts_with('*') || lead.contains("// ") {
                continue;
            }
            let open = start + name.len() - 1;
            let Some(end) = closing(bytes, open) else {
                continue;
            };
            let args = arguments(text, open, end);
            let family = match family {
                Some(f) => args.first().is_some_and(|a| cols.of(a).1).then_some(f),
                None => {
                    let kinds: Vec<(bool, bool)> = args.iter().map(|a| cols.of(a)).collect();
                    if kinds.iter().any(|k| k.0) {
                        Some(Family::Tenant)
                    } else if kinds.iter().any(|k| k.1)
                        && args.iter().any(|a| matches!(*a, "false" | "true"))
                    {
                        Some(Family::Deleted)
                    } else {
                        None
                    }
                }
            };
            let Some(family) = family else { continue };
            let line_text = &text[line_start..line_end];
            // `// removal: why`, before a fixture's `//~ rule` marker if the line has one.
            let marked = line_text.find("// removal:").map(|i| {
                let why = &line_text[i + "// removal:".len()..];
                why.split("//~").next().unwrap_or("").trim().to_string()
            });
            out.push(Site {
                unit,
                start,
                end,
                line: text[..start].matches('\n').count() + 1,
                family,
                marked,
            });
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// What a removal did to the findings of its file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Killed {
    /// A finding of the family the folder did not have.
    New,
    /// None new, but the query the filter was in is reported (it was already: a near miss
    /// whose other part is the finding).
    Already,
    No,
}

#[derive(Default)]
struct Outcome {
    killed: usize,
    already: usize,
    marked: usize,
    problems: Vec<String>,
}

fn run_folder(root: &Path) -> Outcome {
    let mut config = Config::discover(root).unwrap();
    // A folder that turns a family's rules off (to pin another rule) is still measured.
    for f in [Family::Tenant, Family::Deleted] {
        for r in f.rules() {
            config.rules.remove(*r);
        }
    }
    let opts = Options {
        paths: vec![root.to_path_buf()],
        root: root.to_path_buf(),
        threads: None,
    };
    let units: Vec<Unit> = engine::load_units(&opts, &config).unwrap();
    let project = Project::link(root.to_path_buf(), units.clone(), &config);
    let mut cols = Columns::default();
    for t in &project.tables {
        let of = cols.by_table.entry(t.binding.to_string()).or_default();
        of.0.extend(t.tenant_columns.iter().cloned());
        of.1.extend(t.soft_delete_columns.iter().cloned());
        // Under another name (an alias, a callback's parameter): a tenant column that is not
        // the table's own key (a root's `id` is not a filter of other tables' `id`).
        let unique = t.unique_keys();
        cols.other.0.extend(
            t.tenant_columns
                .iter()
                .filter(|k| !unique.iter().any(|u| u.len() == 1 && &u[0] == *k))
                .cloned(),
        );
        cols.other.1.extend(t.soft_delete_columns.iter().cloned());
    }
    let texts: Vec<Option<String>> = units
        .iter()
        .map(|u| {
            let is_ts = u.path.extension().is_some_and(|e| e == "ts" || e == "tsx");
            (u.check && is_ts)
                .then(|| std::fs::read_to_string(&u.path).ok())
                .flatten()
        })
        .collect();
    let sites: Vec<Site> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.as_ref().map(|t| sites_in(i, t, &cols)))
        .flatten()
        .collect();
    let report = engine::check(&project, &config, std::time::Instant::now());
    let base = [Family::Tenant, Family::Deleted].map(|f| findings(&report, f.rules()));
    // A suppression that silenced nothing and silences a new finding counts as reported.
    let unused = findings(&report, &["unused-suppression"]);
    let results: Vec<(Killed, &Site)> = sites
        .par_iter()
        .map(|s| {
            let text = texts[s.unit].as_ref().unwrap();
            let mutated = format!("{}undefined{}", &text[..s.start], &text[s.end..]);
            let mut us = units.clone();
            let bytes = mutated.clone().into_bytes();
            us[s.unit] = engine::unit_from_bytes(root, &units[s.unit].path, bytes);
            let p = Project::link(root.to_path_buf(), us, &config);
            let rel = &units[s.unit].rel;
            let base = &base[s.family as usize];
            // The query the filter is in (the innermost), if it is in one.
            let unit = &p.units[drizzle_guard::ids::FileId(s.unit)];
            assert_eq!(&unit.rel, rel, "linking kept the units in order");
            let query = unit
                .facts
                .queries
                .iter()
                .map(|q| q.span)
                .filter(|sp| (sp.lo as usize) <= s.start && s.start < sp.hi as usize)
                .min_by_key(|sp| sp.hi - sp.lo);
            let report = engine::check(&p, &config, std::time::Instant::now());
            let after = findings_in(&report, s.family.rules(), Some((rel, &mutated)));
            // Fact spans carry byte offsets only (into the mutated text).
            let line_of = |at: u32| {
                let at = (at as usize).min(mutated.len());
                mutated[..at].matches('\n').count() as u32 + 1
            };
            let lines = query.map(|q| line_of(q.lo)..=line_of(q.hi));
            let mine =
                |f: &Finding| &f.0 == rel && lines.as_ref().is_some_and(|l| l.contains(&f.1));
            // In any file: a helper's filter shows at its callers' queries.
            let used = || {
                let now = findings(&report, &["unused-suppression"]);
                unused.iter().any(|u| !now.contains(u))
            };
            let outcome = if after.iter().any(|f| !base.contains(f)) || used() {
                Killed::New
            } else if after.iter().any(mine) {
                Killed::Already
            } else {
                Killed::No
            };
            (outcome, s)
        })
        .collect();
    let mut out = Outcome::default();
    // A mark covers its line: stale when no removal on the line survives.
    let survived_on = |unit: usize, line: usize| {
        results
            .iter()
            .any(|(k, s)| *k == Killed::No && s.unit == unit && s.line == line)
    };
    for (killed, s) in &results {
        let at = format!("{}:{}", root.join(&units[s.unit].rel).display(), s.line);
        let call = &texts[s.unit].as_ref().unwrap()[s.start..s.end];
        match (killed, &s.marked) {
            (Killed::New, _) => out.killed += 1,
            (Killed::Already, _) => out.already += 1,
            (Killed::No, Some(why)) if !why.is_empty() => out.marked += 1,
            (Killed::No, Some(_)) => out
                .problems
                .push(format!("{at}: `// removal:` needs a reason")),
            (Killed::No, None) => out.problems.push(format!(
                "{at}: removing `{call}` is not reported ({:?}); fix the checker, or mark the \
                 line `// removal: <why the rows stay limited>`",
                s.family
            )),
        }
        if s.marked.is_some() && !survived_on(s.unit, s.line) {
            out.problems.push(format!(
                "{at}: removing `{call}` is reported now: drop the stale `// removal:` mark"
            ));
        }
    }
    out
}

#[test]
fn every_filter_removal_is_reported_or_marked() {
    let (mut killed, mut already, mut marked) = (0, 0, 0);
    let mut problems = vec![];
    for root in folders() {
        let o = run_folder(&root);
        killed += o.killed;
        already += o.already;
        marked += o.marked;
        problems.extend(o.problems);
    }
    eprintln!(
        "removal mutants: {killed} newly reported, {already} in a query reported already, \
         {marked} marked as leaving the rows limited, {} problems",
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Not vacuous: the fixtures hold hundreds of filters, and most removals must be reported.
    assert!(killed >= 200, "only {killed} removals were reported");
    assert!(
        killed >= 3 * marked,
        "{marked} marks against {killed} reported"
    );
}

#[test]
fn the_scanner_finds_filters_and_leaves_the_rest() {
    let mut cols = Columns::default();
    cols.other.0.insert("organizationId".into());
    cols.other
        .1
        .extend(["deletedAt".to_string(), "isDeleted".to_string()]);
    let root = (BTreeSet::from(["id".to_string()]), BTreeSet::new());
    cols.by_table.insert("organizations".into(), root);
    let text = "and(eq(t.organizationId, id), isNull(t.deletedAt)) // removal: kept\n\
                eq(t.title, 'a(b'); neq(t.organizationId, x); helpers.eq(t.organizationId, x)\n\
                // eq(t.organizationId, x)\n\
                eq(orgId, t.organizationId); eq(t.isDeleted, false); eq(t.isDeleted, y)\n\
                eq(organizations.id, orgId); eq(projects.id, id)\n";
    let sites = sites_in(0, text, &cols);
    let found: Vec<(&str, usize, Family, Option<&str>)> = sites
        .iter()
        .map(|s| (&text[s.start..s.end], s.line, s.family, s.marked.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("eq(t.organizationId, id)", 1, Family::Tenant, Some("kept")),
            ("isNull(t.deletedAt)", 1, Family::Deleted, Some("kept")),
            ("eq(orgId, t.organizationId)", 4, Family::Tenant, None),
            ("eq(t.isDeleted, false)", 4, Family::Deleted, None),
            ("eq(organizations.id, orgId)", 5, Family::Tenant, None),
        ]
    );
}
