//! The command line: `check`, `schema`, `rule`.

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
    after_help = "Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, configuration or I/O error."
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
    /// Report only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE (then report them as baselined).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
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
    // The root is the one directory given, or the current directory.
    let root = match abs.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => cwd,
    };
    Ok((abs, root))
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

fn load_config(explicit: Option<&Path>, root: &Path) -> Result<Config, Error> {
    match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(Error::Usage(format!(
                    "--config: `{}` is not a file",
                    p.display()
                )));
            }
            let mut config = Config::load(p)?;
            config.adopt_drizzle_kit(root);
            Ok(config)
        }
        None => Config::discover(root),
    }
}

fn check(a: CheckArgs) -> Result<i32, Error> {
    let started = Instant::now();
    let (paths, root) = resolve_paths(&a.paths)?;
    let config = load_config(a.config.as_deref(), &root)?;
    if a.write_baseline.is_some() && a.changed_since.is_some() {
        return Err(Error::Usage(
            "--write-baseline needs a full run; leave out --changed-since".into(),
        ));
    }
    // Bad input fails before the (possibly long) run.
    let baseline = a.baseline.as_deref().map(Baseline::load).transpose()?;
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
    let report = pool.install(|| -> Result<_, Error> {
        let project = engine::load_changed(&opts, &config, changed.as_ref())?;
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
            b.apply(&mut report, &|f| checked.contains(f));
        }
        report.elapsed = started.elapsed();
        // The process ends after the output: freeing every file's facts one allocation at a
        // time, on one thread, cost a tenth of the parse floor. The OS takes it back at once.
        std::mem::forget(project);
        Ok(report)
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
    let failing = match a.fail_on {
        FailOn::Never => false,
        FailOn::Warning => !report.diagnostics.is_empty(),
        FailOn::Error => report.count(Severity::Error) > 0,
    };
    Ok(if failing { 1 } else { 0 })
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
    let (paths, root) = resolve_paths(&a.paths)?;
    let config = load_config(a.config.as_deref(), &root)?;
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
