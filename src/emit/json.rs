//! `--format json`: a versioned document, documented in the README. The structs below are the
//! format: fields are written in the order they are declared, the order the README shows.

use super::Report;
use crate::diagnostic::Severity;
use crate::span::Span;
use serde::Serialize;

/// Bumped on any change a consumer could notice.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<Diagnostic<'a>>,
    /// The files not read because their real path lies outside the root; only when there are
    /// some.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    outside_root: &'a [String],
    /// The queries not checked because their table is not in the schema; only when there are
    /// some.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unchecked_queries: &'a [super::UncheckedQuery],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    files_checked: usize,
    tables: usize,
    tenant_scoped_tables: usize,
    soft_delete_tables: usize,
    errors: usize,
    warnings: usize,
    /// Findings silenced by `drizzle-guard-ignore` comments.
    suppressed: usize,
    /// Findings matched by the `--baseline` file.
    baselined: usize,
    /// Baseline entries of checked files that matched nothing (fixed since, or changed).
    baseline_unmatched: usize,
    /// How many files were not read because their real path lies outside the root; only
    /// when there are some.
    #[serde(skip_serializing_if = "is_zero")]
    skipped_outside_root: usize,
    /// How many queries were not checked because their table is not in the schema; only when
    /// there are some.
    #[serde(skip_serializing_if = "is_zero")]
    unchecked_queries: usize,
    /// How many queries on tenant-scoped tables in `tenant.systemPaths` files were not
    /// tenant-checked; only when there are some.
    #[serde(skip_serializing_if = "is_zero")]
    tenant_system_queries: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    range: Range,
    /// `null` when the rule has no advice for this finding.
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

impl From<&Span> for Range {
    fn from(s: &Span) -> Range {
        Range {
            start: Position {
                line: s.start_line,
                column: s.start_col,
            },
            end: Position {
                line: s.end_line,
                column: s.end_col,
            },
        }
    }
}

pub fn render(report: &Report) -> String {
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "drizzle-guard",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_checked: report.files_checked,
            tables: report.tables,
            tenant_scoped_tables: report.tenant_tables,
            soft_delete_tables: report.soft_delete_tables,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            suppressed: report.suppressed,
            baselined: report.baselined,
            baseline_unmatched: report.baseline_unmatched,
            skipped_outside_root: report.outside_root.len(),
            unchecked_queries: report.unchecked.len(),
            tenant_system_queries: report.tenant_system_queries,
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                rule: d.rule.name(),
                severity: d.severity.name(),
                message: &d.message,
                file: &d.file,
                range: (&d.span).into(),
                help: d.help.as_deref(),
                related: d
                    .related
                    .iter()
                    .map(|r| Related {
                        file: &r.file,
                        range: (&r.span).into(),
                        message: &r.message,
                    })
                    .collect(),
                fingerprint: &d.fingerprint,
            })
            .collect(),
        outside_root: &report.outside_root,
        unchecked_queries: &report.unchecked,
    };
    // One buffer sized for the whole document up front (growing it from serde_json's default
    // by doubling copied it a dozen times on a large report).
    let room: usize = report
        .diagnostics
        .iter()
        .map(|d| d.message.len() + d.help.as_ref().map_or(0, String::len) + 512)
        .sum();
    let mut out = Vec::with_capacity(room + 1024);
    if serde_json::to_writer_pretty(&mut out, &doc).is_err() {
        return String::new();
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}
