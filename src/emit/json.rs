//! `--format json`: a versioned document, documented in the README.

use super::Report;
use crate::diagnostic::Severity;
use serde_json::{json, Value};

/// Bumped on any change a consumer could notice.
pub const FORMAT_VERSION: u32 = 1;

fn range(s: &crate::span::Span) -> Value {
    json!({
        "start": { "line": s.start_line, "column": s.start_col },
        "end": { "line": s.end_line, "column": s.end_col },
    })
}

pub fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "rule": d.rule,
                "severity": d.severity.name(),
                "message": d.message,
                "file": d.file,
                "range": range(&d.span),
                "help": d.help,
                "related": d.related.iter().map(|r| json!({
                    "file": r.file,
                    "range": range(&r.span),
                    "message": r.message,
                })).collect::<Vec<_>>(),
                "fingerprint": d.fingerprint,
            })
        })
        .collect();
    let doc = json!({
        "version": FORMAT_VERSION,
        "tool": { "name": "drizzle-guard", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "filesChecked": report.files_checked,
            "tables": report.tables,
            "tenantScopedTables": report.tenant_tables,
            "softDeleteTables": report.soft_delete_tables,
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "suppressed": report.suppressed,
            "baselined": report.baselined,
            "baselineUnmatched": report.baseline_unmatched,
        },
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
