//! The pipeline: discover → parse/extract (parallel) → link → check (parallel) → suppress →
//! emit-ready report.

use crate::changed::ChangedFiles;
use crate::config::Config;
use crate::diagnostic::{assign_fingerprints, Diagnostic};
use crate::discover::{discover, relative, Found};
use crate::emit::Report;
use crate::error::Error;
use crate::ids::FileId;
use crate::link::{Project, Unit};
use crate::parse::{internal_problem, isolate, FileProblem, ProblemKind};
use crate::rule_id::RuleId;
use crate::rules;
use crate::source::{read_source, source_from_bytes, Root, Unread};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct Options {
    /// What to report: files and directories, absolute. Every file under `root` is read;
    /// only those under one of these are checked.
    pub paths: Vec<PathBuf>,
    /// What to read, and what reported paths are relative to.
    pub root: PathBuf,
    pub threads: Option<usize>,
}

impl Options {
    /// Whether a file is one the paths name, or lies under one of them.
    fn reports(&self, path: &Path) -> bool {
        self.paths.iter().any(|p| path.starts_with(p))
    }
}

/// Deep nesting in a file must not overflow a worker's stack (dropping a deep AST recurses too).
const WORKER_STACK: usize = 256 * 1024 * 1024;

pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    let mut b = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    b.build().map_err(|e| {
        Error::Usage(format!(
            "cannot start {} worker threads: {e}",
            threads.unwrap_or(0)
        ))
    })
}

/// Reads, parses and extracts every file, then links them into a project.
pub fn load(opts: &Options, config: &Config) -> Result<Project, Error> {
    load_changed(opts, config, None)
}

/// Like [`load`], but with `changed` only the changed files and the files importing them are
/// checked (every file still feeds the schema model and the helper functions), unless a
/// schema file or the configuration changed: then everything is.
pub fn load_changed(
    opts: &Options,
    config: &Config,
    changed: Option<&ChangedFiles>,
) -> Result<Project, Error> {
    let mut units = load_units(opts, config)?;
    let Some(changed) = changed else {
        let project = Project::link(opts.root.clone(), units, config);
        tables_named_in_config_exist(&project, config)?;
        return Ok(project);
    };
    let schema = crate::discover::schema_globs(config)?;
    let eligible: Vec<bool> = units.iter().map(|u| u.check).collect();
    crate::changed::narrow_to_changed(&opts.root, &mut units, changed, schema.as_ref());
    let mut project = Project::link(opts.root.clone(), units, config);
    crate::changed::check_importers(&mut project, &eligible);
    tables_named_in_config_exist(&project, config)?;
    Ok(project)
}

/// `softDelete.tables` and `tenant.tables` name tables (and columns) of the schema: an entry
/// that names none would silently check nothing, so it is a configuration error. (With no table
/// at all, the run's own "no table found" error says more.)
fn tables_named_in_config_exist(project: &Project, config: &Config) -> Result<(), Error> {
    if project.tables.is_empty() {
        return Ok(());
    }
    let error = |message: String| Error::Config {
        path: config.path.clone().unwrap_or_default(),
        message,
    };
    let find = |name: &str| {
        project
            .tables
            .iter()
            .find(|t| t.binding == name || t.sql_name == name)
    };
    for (name, entry) in &config.soft_delete.tables {
        let Some(t) = find(name) else {
            return Err(error(format!(
                "`softDelete.tables.{name}`: no table `{name}` in the schema (by export or SQL name)"
            )));
        };
        if t.column(&entry.column).is_none()
            && !t.columns.iter().any(|c| c.sql_name == entry.column)
        {
            return Err(error(format!(
                "`softDelete.tables.{name}.column`: table `{name}` has no column `{}`",
                entry.column
            )));
        }
    }
    for (i, name) in config.tenant.tables.iter().enumerate() {
        if find(name).is_none() {
            return Err(error(format!(
                "`tenant.tables[{i}]`: no table `{name}` in the schema (by export or SQL name)"
            )));
        }
    }
    Ok(())
}

/// Reads, parses and extracts every file, in parallel: the files to check, and (not to be
/// checked) the schema files that `include`/`exclude` leave out, with what they import. Clear
/// [`Unit::check`] before linking to check fewer files.
pub fn load_units(opts: &Options, config: &Config) -> Result<Vec<Unit>, Error> {
    let mut found = discover(&opts.root, &opts.paths, config)?;
    let root = &Root::new(&opts.root);
    let max = config.max_file_size;
    let inject = InjectedPanic::from_env(Stage::Extract);
    // Test files are not checked unless asked: where their values come from matters to none.
    let tests = config.check_test_files;
    let mut left_out = vec![];
    found.retain(|f| match f {
        Found::LeftOut(p) => {
            left_out.push(p.clone());
            false
        }
        _ => true,
    });
    let mut units: Vec<Unit> = found
        .par_iter()
        .map(|f| match f {
            Found::File(path) => unit_at(root, path, max, inject.as_ref(), tests),
            Found::ModelOnly(path) | Found::LeftOut(path) => {
                model_only(root, path, max, inject.as_ref())
            }
            Found::Unreadable(path, why) => unit_with_problem(
                root.path(),
                path,
                ProblemKind::Unparsable,
                format!("could not read: {why}"),
            ),
        })
        .collect();
    if let Some(schema) = crate::discover::schema_globs(config)? {
        follow_schema_imports(root, &mut units, &schema, left_out, max);
    }
    if !opts.paths.iter().any(|p| p == &opts.root) {
        for u in &mut units {
            u.check &= opts.reports(&u.path);
        }
    }
    Ok(units)
}

/// One file read, parsed and extracted, or the reason it could not be. A file outside the root
/// is not read, and not checked.
fn unit_at(
    root: &Root,
    path: &Path,
    max: u64,
    inject: Option<&InjectedPanic>,
    tests: bool,
) -> Unit {
    match read_source(root, path, max) {
        Ok(src) => unit_from_source(root.path(), path, &src, inject, tests),
        Err(Unread::Problem(message)) => {
            unit_with_problem(root.path(), path, ProblemKind::Unparsable, message)
        }
        Err(Unread::OutsideRoot) => Unit {
            check: false,
            ..unit_with_problem(
                root.path(),
                path,
                ProblemKind::OutsideRoot,
                "not read: its real path lies outside the checked root".into(),
            )
        },
    }
}

fn model_only(root: &Root, path: &Path, max: u64, inject: Option<&InjectedPanic>) -> Unit {
    Unit {
        check: false,
        ..unit_at(root, path, max, inject, true)
    }
}

/// Reads, for the model only, the files left out by include/exclude that schema files import
/// or re-export by relative path, transitively: a `schema` entry that is a barrel
/// (`export * from './users'`) brings the tables it re-exports, and shared columns come along.
fn follow_schema_imports(
    root: &Root,
    units: &mut Vec<Unit>,
    schema: &globset::GlobSet,
    left_out: Vec<PathBuf>,
    max: u64,
) {
    use crate::link::{normalize, strip_ts_ext};
    use std::collections::HashMap;
    if left_out.is_empty() {
        return;
    }
    let mut by_module: HashMap<PathBuf, PathBuf> = HashMap::new();
    for p in left_out {
        let stem = strip_ts_ext(&p);
        if stem.file_name().and_then(|n| n.to_str()) == Some("index") {
            if let Some(dir) = stem.parent() {
                by_module
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| p.clone());
            }
        }
        by_module.insert(stem, p);
    }
    let mut loaded: std::collections::HashSet<PathBuf> = Default::default();
    let mut queue: Vec<usize> = (0..units.len())
        .filter(|&i| schema.is_match(&units[i].rel))
        .collect();
    while let Some(i) = queue.pop() {
        let Some(dir) = units[i].path.parent().map(Path::to_path_buf) else {
            continue;
        };
        let targets: Vec<PathBuf> = units[i]
            .facts
            .module_sources()
            .filter(|s| s.starts_with('.'))
            .filter_map(|s| {
                let target = normalize(&dir.join(s));
                by_module
                    .get(&strip_ts_ext(&target))
                    .or_else(|| by_module.get(&target))
                    .cloned()
            })
            .collect();
        for t in targets {
            if loaded.insert(t.clone()) {
                units.push(model_only(root, &t, max, None));
                queue.push(units.len() - 1);
            }
        }
    }
    if !loaded.is_empty() {
        units.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// The floor the check is measured against: discover, read and parse every file with swc in
/// parallel, extracting nothing. Returns how many files parsed.
pub fn parse_only(opts: &Options, config: &Config) -> Result<usize, Error> {
    let found = discover(&opts.root, &opts.paths, config)?;
    let max = config.max_file_size;
    let root = &Root::new(&opts.root);
    Ok(found
        .par_iter()
        .filter(|f| match f {
            Found::File(path) | Found::ModelOnly(path) => read_source(root, path, max)
                .is_ok_and(|src| crate::parse::parse_module(path, &src).is_ok()),
            Found::LeftOut(..) | Found::Unreadable(..) => false,
        })
        .count())
}

fn unit_with_problem(root: &Path, path: &Path, kind: ProblemKind, message: String) -> Unit {
    let rel = relative(root, path);
    Unit {
        path: path.to_path_buf(),
        test: crate::source::is_test_file(&rel),
        rel,
        facts: Default::default(),
        problem: Some(FileProblem {
            kind,
            message,
            span: Default::default(),
        }),
        check: true,
    }
}

/// A unit from bytes already in memory (the fuzzer's entry): the same checks as a file read
/// from disk, minus the size limit.
pub fn unit_from_bytes(root: &Path, path: &Path, bytes: Vec<u8>) -> Unit {
    match source_from_bytes(bytes) {
        Ok(src) => unit_from_source(root, path, &src, None, true),
        Err(message) => unit_with_problem(root, path, ProblemKind::Unparsable, message),
    }
}

/// Parses and extracts one file's text into a unit; a panic is reported for this file alone.
/// A test file (`source::is_test_file`) is extracted in full only when `tests` (the
/// `checkTestFiles` setting): otherwise no rule checks it and no test is a caller, so only its
/// imports, exports and definitions (tables a test may define) are read.
pub fn unit_from_source(
    root: &Path,
    path: &Path,
    src: &str,
    inject: Option<&InjectedPanic>,
    tests: bool,
) -> Unit {
    let rel = relative(root, path);
    let test = crate::source::is_test_file(&rel);
    let full = tests || !test;
    let parsed = crate::parse::parse_and_extract_then(path, src, full, |_| {
        if let Some(i) = inject {
            i.trigger(&rel)
        }
    });
    Unit {
        path: path.to_path_buf(),
        rel,
        facts: parsed.facts,
        problem: parsed.problem,
        check: true,
        test,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Extract,
    Check,
}

/// A deliberate panic, for the tests that prove one failing file cannot end the run:
/// `DRIZZLE_GUARD_INJECT_PANIC=extract:PATH` (or `check:PATH`) panics while extracting
/// (checking) the file whose root-relative path is PATH. Read once per run; never set in use.
#[derive(Debug, Clone)]
pub struct InjectedPanic {
    file: String,
}

impl InjectedPanic {
    pub const VAR: &'static str = "DRIZZLE_GUARD_INJECT_PANIC";

    pub fn from_env(stage: Stage) -> Option<InjectedPanic> {
        let v = std::env::var(Self::VAR).ok()?;
        let (s, file) = v.split_once(':')?;
        let wanted = match s {
            "extract" => Stage::Extract,
            "check" => Stage::Check,
            _ => return None,
        };
        (wanted == stage).then(|| InjectedPanic { file: file.into() })
    }

    fn trigger(&self, rel: &str) {
        if rel == self.file {
            panic!("panic injected by {} for {rel}", Self::VAR);
        }
    }
}

/// Runs the rules over a linked project and builds the sorted report.
pub fn check(project: &Project, config: &Config, started: Instant) -> Report {
    let inject = InjectedPanic::from_env(Stage::Check);
    let tables = &rules::TablesByFile::new(project);
    let root = &Root::new(&project.root);
    let mut diagnostics: Vec<Diagnostic> = (0..project.units.len())
        .into_par_iter()
        .map(FileId)
        .filter(|&f| project.units[f].check)
        .flat_map_iter(|f| {
            let unit = &project.units[f];
            let mut out: Vec<Diagnostic> = unit
                .problem
                .iter()
                .filter_map(|p| problem_diagnostic(&unit.rel, p))
                .collect();
            let found = isolate(|| {
                if let Some(i) = &inject {
                    i.trigger(&unit.rel);
                }
                rules::check_file(project, config, tables, root, f)
            });
            match found {
                Ok(d) => out.extend(d),
                Err(what) => out.extend(problem_diagnostic(&unit.rel, &internal_problem(&what))),
            }
            out
        })
        .collect();
    let suppressed =
        crate::suppress::apply_inline(project.units.as_slice(), &mut diagnostics, config);
    apply_levels(&mut diagnostics, config);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    assign_fingerprints(&mut diagnostics);
    let system_queries = tables.system_tenant_queries(project);
    let tables = &project.tables;
    Report {
        diagnostics,
        files_checked: project.units.iter().filter(|u| u.check).count(),
        tables: tables.len(),
        tenant_tables: tables.iter().filter(|t| t.is_tenant_scoped()).count(),
        soft_delete_tables: tables.iter().filter(|t| t.is_soft_delete()).count(),
        elapsed: started.elapsed(),
        suppressed,
        baselined: 0,
        tenant_system_queries: system_queries,
        baseline_unmatched: 0,
        outside_root: outside_root(project).map(str::to_string).collect(),
        root: project.root.clone(),
        unchecked: unchecked_queries(project),
    }
}

/// The queries of checked files whose table is not in the schema, with their lines.
pub fn unchecked_queries(project: &Project) -> Vec<crate::emit::UncheckedQuery> {
    let found = project.unresolved_queries();
    let spans: Vec<_> = found.iter().map(|q| (q.file, q.span)).collect();
    let lines = crate::locate::start_lines(project, &spans);
    found
        .into_iter()
        .zip(lines)
        .map(|(q, line)| crate::emit::UncheckedQuery {
            file: project.units[q.file].rel.clone(),
            line,
            kind: q.kind,
            table: q.table,
        })
        .collect()
}

/// The files not read because their real path lies outside the root, by name.
pub fn outside_root(project: &Project) -> impl Iterator<Item = &str> {
    project
        .units
        .iter()
        .filter(|u| {
            u.problem
                .as_ref()
                .is_some_and(|p| p.kind == ProblemKind::OutsideRoot)
        })
        .map(|u| u.rel.as_str())
}

/// The finding that says a file was not checked; none for a file outside the root, which is
/// counted apart ([`Report::outside_root`]).
fn problem_diagnostic(rel: &str, p: &FileProblem) -> Option<Diagnostic> {
    let rule = match p.kind {
        ProblemKind::Unparsable => RuleId::ParseError,
        ProblemKind::Internal => RuleId::InternalError,
        ProblemKind::OutsideRoot => return None,
    };
    let mut span = p.span;
    if !span.is_located() {
        span = crate::span::Span::file_start();
    }
    Some(Diagnostic::new(rule, rel, span, p.message.clone()).context(None, ""))
}

/// Each finding's severity, the rule's default or its level under `rules` (or lower, where the
/// rule made the finding a warning, as `soft-delete-filter` does for keyed reads); findings of
/// rules turned off are dropped.
fn apply_levels(diags: &mut Vec<Diagnostic>, config: &Config) {
    diags.retain_mut(|d| match rules::rule(d.rule).severity(config, &d.file) {
        Some(severity) => {
            d.severity = severity.min(d.severity);
            true
        }
        None => false,
    });
}
