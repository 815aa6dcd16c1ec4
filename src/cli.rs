//! The command line: `check`, `schema`, `rule`, `init`.

use crate::changed::ChangedFiles;
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::emit::{self, human::HumanOptions};
use crate::engine::{self, Options};
use crate::error::Error;
use crate::suppress::Baseline;
use clap::{Parser, Subcommand, ValueEnum};
use std::collections::HashSet;
use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "drizzle-guard",
    version,
    about = "Checks TypeScript apps that use Drizzle ORM for tenant leaks, soft-delete leaks, unbounded queries and N+1.",
    after_help = "Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, configuration or I/O error, or no table found."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the TypeScript files under PATH (default: the current directory).
    Check(CheckArgs),
    /// Print the schema model as drizzle-guard sees it.
    Schema(SchemaArgs),
    /// Print a rule's documentation, or list every rule.
    Rule {
        /// A rule name, such as `tenant-filter`.
        name: Option<String>,
    },
    /// Propose a drizzle-guard.json from the schema (tenant and soft-delete columns) and write
    /// it at the root, with the CI and pre-push snippets for the tools the repository uses.
    Init(InitArgs),
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// A directory of the project (default: the current directory); the file is written at
    /// the root found from it.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Print the JSON document that would be written, and nothing else on standard output
    /// (the explanation goes to standard error); write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Use this configuration file instead of looking for drizzle-guard.json.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Colour: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Leave the elapsed time out of the human summary line (for reproducible output).
    #[arg(long)]
    pub no_timing: bool,
    /// Check only files changed since the merge-base of REF and HEAD (plus staged, unstaged and
    /// untracked files) and the files importing them; everything when a schema file changed.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Report only findings that this baseline file does not record (default: the
    /// configuration's `baseline`, if any).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE (then report them as baselined).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Remove the entries of the baseline (--baseline or the configuration's `baseline`) that
    /// match no finding any more; adds none.
    #[arg(long, conflicts_with = "write_baseline")]
    pub prune_baseline: bool,
}

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// Files or directories to read.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Use this configuration file instead of looking for drizzle-guard.json.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Text)]
    pub format: SchemaFormat,
    /// List the queries whose table is not in the schema (which no rule checks) instead of
    /// the tables.
    #[arg(long)]
    pub unresolved: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SchemaFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    #[value(alias = "warn")]
    Warning,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Check(a) => check(a),
        Command::Schema(a) => schema(a),
        Command::Rule { name } => rule(name.as_deref()),
        Command::Init(a) => init(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            to_stderr(&format!(
                "drizzle-guard: error: {}",
                emit::escape_controls(&e.to_string())
            ));
            2
        }
    }
}

/// A line for standard error. Unlike `eprintln!`, a standard error that cannot be written
/// (`2>/dev/full`) does not end the run with a panic; the exit code still says what happened.
fn to_stderr(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Where a run reads and what it reports: the root ([`crate::workspace::find_root`]) and the
/// paths named (absolute), which narrow what is reported, never what is read.
struct Scope {
    paths: Vec<PathBuf>,
    root: PathBuf,
    kind: crate::workspace::RootKind,
    /// Where the search for the root and the configuration started.
    start: PathBuf,
}

fn resolve_scope(paths: &[PathBuf]) -> Result<Scope, Error> {
    let (paths, cwd) = resolve_paths(paths)?;
    let first = &paths[0];
    let start = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or(cwd)
    };
    let (root, kind) = crate::workspace::find_root(&start);
    Ok(Scope {
        paths,
        root,
        kind,
        start,
    })
}

fn resolve_paths(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, PathBuf), Error> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let cwd = std::env::current_dir().map_err(|e| Error::Io {
        path: PathBuf::from("."),
        source: e,
    })?;
    let mut abs = vec![];
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::Usage(format!(
                "path `{}` does not exist",
                p.display()
            )));
        }
        abs.push(normalize(&cwd.join(p)));
    }
    Ok((abs, cwd))
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn load_config(explicit: Option<&Path>, scope: &Scope) -> Result<Config, Error> {
    let root = &scope.root;
    match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(Error::Usage(format!(
                    "--config: `{}` is not a file",
                    p.display()
                )));
            }
            let mut config = Config::load(p)?;
            config.anchor(root)?;
            config.adopt_drizzle_kit(root);
            Ok(config)
        }
        None => Config::discover_from(&scope.start, root),
    }
}

fn check(a: CheckArgs) -> Result<i32, Error> {
    let started = Instant::now();
    let scope = resolve_scope(&a.paths)?;
    let config = load_config(a.config.as_deref(), &scope)?;
    let Scope {
        paths, root, kind, ..
    } = scope;
    if a.write_baseline.is_some() && a.changed_since.is_some() {
        return Err(Error::Usage(
            "--write-baseline needs a full run; leave out --changed-since".into(),
        ));
    }
    // Bad input fails before the (possibly long) run.
    let baseline_path = a.baseline.clone().or_else(|| config.baseline_path());
    if a.prune_baseline && baseline_path.is_none() {
        return Err(Error::Usage(
            "--prune-baseline needs a baseline: pass --baseline FILE or set `baseline` in the configuration".into(),
        ));
    }
    let baseline = baseline_path.as_deref().map(Baseline::load).transpose()?;
    let changed = match &a.changed_since {
        Some(rev) => Some(ChangedFiles::since(&root, rev)?),
        None => None,
    };
    let pool = engine::pool(a.threads.map(usize::from))?;
    let opts = Options {
        paths,
        root,
        threads: a.threads.map(usize::from),
    };
    let (report, read) = pool.install(|| -> Result<_, Error> {
        let project = engine::load_changed(&opts, &config, changed.as_ref())?;
        let read = project.units.len();
        let mut report = engine::check(&project, &config, started);
        let checked: HashSet<&str> = project
            .units
            .iter()
            .filter(|u| u.check)
            .map(|u| u.rel.as_str())
            .collect();
        // A written baseline records every finding, whatever --baseline said before.
        if let Some(path) = &a.write_baseline {
            let written = Baseline::of(&report);
            written.write(path)?;
            to_stderr(&format!(
                "drizzle-guard: wrote {} findings to the baseline {}",
                written.findings.len(),
                emit::escape_controls(&path.display().to_string())
            ));
            written.apply(&mut report, &|f| checked.contains(f));
        } else if let Some(b) = &baseline {
            if let (true, Some(path)) = (a.prune_baseline, &baseline_path) {
                let pruned = b.pruned(&report, &|f| checked.contains(f));
                pruned.write(path)?;
                to_stderr(&format!(
                    "drizzle-guard: removed {} of {} entries from the baseline {}",
                    b.findings.len() - pruned.findings.len(),
                    b.findings.len(),
                    emit::escape_controls(&path.display().to_string())
                ));
                pruned.apply(&mut report, &|f| checked.contains(f));
            } else {
                b.apply(&mut report, &|f| checked.contains(f));
            }
        }
        report.elapsed = started.elapsed();
        // The process ends after the output: freeing every file's facts one allocation at a
        // time, on one thread, cost a tenth of the parse floor. The OS takes it back at once.
        std::mem::forget(project);
        Ok((report, read))
    })?;
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = match a.format {
        Format::Human => emit::human::render(
            &report,
            &HumanOptions {
                color,
                timing: !a.no_timing,
            },
        ),
        Format::Json => emit::json::render(&report),
        Format::Sarif => {
            let sarif = emit::sarif::render(&report);
            if let Some(note) = &sarif.note {
                to_stderr(&format!("drizzle-guard: warning: {note}"));
            }
            sarif.text
        }
        Format::Github => emit::github::render(&report),
    };
    write_output(a.output.as_deref(), &text)?;
    if report.tables == 0 {
        // Passing a run that saw no schema would say nothing was wrong while checking nothing.
        to_stderr(&format!(
            "drizzle-guard: error: {}",
            emit::escape_controls(&no_tables(&opts.root, kind, read))
        ));
        return Ok(2);
    }
    let failing = match a.fail_on {
        FailOn::Never => false,
        FailOn::Warning => !report.diagnostics.is_empty(),
        FailOn::Error => report.count(Severity::Error) > 0,
    };
    Ok(if failing { 1 } else { 0 })
}

/// What to say when a run found no table: where it looked and what to set.
fn no_tables(root: &Path, kind: crate::workspace::RootKind, read: usize) -> String {
    let what = match read {
        0 => "no TypeScript file".to_string(),
        1 => "1 TypeScript file but no Drizzle table (`pgTable`, `mysqlTable`, `sqliteTable`)"
            .to_string(),
        n => format!(
            "{n} TypeScript files but no Drizzle table (`pgTable`, `mysqlTable`, `sqliteTable`)"
        ),
    };
    format!(
        "found {what} under {} ({}); nothing was checked. Run it inside the repository that defines the schema (a pnpm-workspace.yaml or package.json `workspaces` marks a monorepo's root), or set `schema` in drizzle-guard.json to the files that define the tables (`include`/`exclude` or .gitignore may leave them out)",
        root.display(),
        kind.describe()
    )
}

/// Writes the output in full, or fails the run (exit 2): a report cut short by a full disk
/// must not reach CI as a success. A reader that stops reading standard output (`| head`)
/// ends the output quietly, as other command-line tools do; the exit code is still the run's.
fn write_output(path: Option<&Path>, text: &str) -> Result<(), Error> {
    match path {
        Some(p) => write_file(p, text).map_err(|source| Error::Write {
            to: p.display().to_string(),
            source,
        }),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(Error::Write {
                    to: "standard output".into(),
                    source: e,
                }),
                _ => Ok(()),
            }
        }
    }
}

/// Writes a file and waits for the data to reach the disk, where a full disk or a quota can
/// fail late. A FIFO or a device (`--output /dev/stdout`) cannot be synced; that is no error.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(text.as_bytes())?;
    match file.sync_data() {
        Err(e) if !matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::Unsupported) => Err(e),
        _ => Ok(()),
    }
}

fn schema(a: SchemaArgs) -> Result<i32, Error> {
    let scope = resolve_scope(&a.paths)?;
    let config = load_config(a.config.as_deref(), &scope)?;
    let Scope { paths, root, .. } = scope;
    let pool = engine::pool(None)?;
    let opts = Options {
        paths,
        root,
        threads: None,
    };
    let project = pool.install(|| engine::load(&opts, &config))?;
    for f in engine::outside_root(&project) {
        to_stderr(&format!(
            "drizzle-guard: warning: {}: {}",
            emit::escape_controls(f),
            emit::OUTSIDE_ROOT
        ));
    }
    let text = match (a.format, a.unresolved) {
        (SchemaFormat::Text, false) => crate::schema_view::render_text(&project),
        (SchemaFormat::Json, false) => crate::schema_view::render_json(&project),
        (SchemaFormat::Text, true) => crate::schema_view::render_unresolved_text(&project),
        (SchemaFormat::Json, true) => crate::schema_view::render_unresolved_json(&project),
    };
    write_output(None, &text)?;
    Ok(0)
}

fn init(a: InitArgs) -> Result<i32, Error> {
    let paths: Vec<PathBuf> = a.path.into_iter().collect();
    let scope = resolve_scope(&paths)?;
    let (stdout, stderr) = crate::init::init(&scope.root, scope.kind.describe(), a.dry_run)?;
    if !stderr.is_empty() {
        let _ = std::io::stderr().lock().write_all(stderr.as_bytes());
    }
    write_output(None, &stdout)?;
    Ok(0)
}

fn rule(name: Option<&str>) -> Result<i32, Error> {
    let text = match name {
        None => {
            let mut s = String::new();
            for r in crate::rules::RULES {
                s.push_str(&format!(
                    "{:<26} {:<8} {}\n",
                    r.name,
                    r.default_severity.name(),
                    r.summary
                ));
            }
            s.push_str("\nRun `drizzle-guard rule NAME` for a rule's documentation.\n");
            s
        }
        Some(n) => match crate::rules::find(n) {
            Some(r) => crate::rules::documentation(r),
            None => {
                return Err(Error::Usage(format!(
                    "no rule named `{n}`; the rules are: {}",
                    crate::rules::names().join(", ")
                )))
            }
        },
    };
    write_output(None, &text)?;
    Ok(0)
}
