//! `--format json`: a versioned document, documented in the README. [`render`] is the format:
//! members are written in the order the README shows, laid out as serde_json's pretty printer
//! lays them out.

use super::pretty::PrettyJson;
use super::Report;
use crate::diagnostic::Severity;
use crate::span::Span;

/// Bumped on any change a consumer could notice.
pub const FORMAT_VERSION: u32 = 1;

pub fn render(report: &Report) -> String {
    // Room for every diagnostic's strings and its fixed keys and indents, so the buffer is
    // allocated once.
    let bytes: usize = report
        .diagnostics
        .iter()
        .map(|d| {
            let related: usize = d
                .related
                .iter()
                .map(|r| r.file.len() + r.message.len() + 400)
                .sum();
            d.message.len() + d.file.len() + d.help.as_ref().map_or(0, String::len) + related + 480
        })
        .sum();
    let mut w = PrettyJson::with_capacity(bytes + 1024);
    w.open_object();
    w.key("version");
    w.number(FORMAT_VERSION.into());
    w.key("tool");
    w.open_object();
    w.key("name");
    w.string("drizzle-guard");
    w.key("version");
    w.string(env!("CARGO_PKG_VERSION"));
    w.close_object();
    w.key("summary");
    w.open_object();
    let (mut errors, mut warnings) = (0, 0);
    for d in &report.diagnostics {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
    }
    for (key, n) in [
        ("filesChecked", report.files_checked),
        ("tables", report.tables),
        ("tenantScopedTables", report.tenant_tables),
        ("softDeleteTables", report.soft_delete_tables),
        ("errors", errors),
        ("warnings", warnings),
        // Findings silenced by `drizzle-guard-ignore` comments.
        ("suppressed", report.suppressed),
        // Findings matched by the `--baseline` file.
        ("baselined", report.baselined),
        // Baseline entries of checked files that matched nothing (fixed since, or changed).
        ("baselineUnmatched", report.baseline_unmatched),
    ] {
        w.key(key);
        w.number(n as u64);
    }
    w.close_object();
    w.key("diagnostics");
    w.open_array();
    for d in &report.diagnostics {
        w.element();
        w.open_object();
        w.key("rule");
        w.string(d.rule);
        w.key("severity");
        w.string(d.severity.name());
        w.key("message");
        w.string(&d.message);
        w.key("file");
        w.string(&d.file);
        range(&mut w, &d.span);
        // `null` when the rule has no advice for this finding.
        w.key("help");
        match &d.help {
            Some(h) => w.string(h),
            None => w.null(),
        }
        w.key("related");
        w.open_array();
        for r in &d.related {
            w.element();
            w.open_object();
            w.key("file");
            w.string(&r.file);
            range(&mut w, &r.span);
            w.key("message");
            w.string(&r.message);
            w.close_object();
        }
        w.close_array();
        w.key("fingerprint");
        w.string(&d.fingerprint);
        w.close_object();
    }
    w.close_array();
    w.close_object();
    w.finish()
}

/// `"range": {"start": {"line", "column"}, "end": {..}}`.
fn range(w: &mut PrettyJson, s: &Span) {
    w.key("range");
    w.open_object();
    for (key, line, column) in [
        ("start", s.start_line, s.start_col),
        ("end", s.end_line, s.end_col),
    ] {
        w.key(key);
        w.open_object();
        w.key("line");
        w.number(line.into());
        w.key("column");
        w.number(column.into());
        w.close_object();
    }
    w.close_object();
}
