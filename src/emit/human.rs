//! `--format human`: rustc-style code frames via codespan-reporting, colour only on a TTY.

use super::{escape_controls, needs_escape, Report};
use crate::diagnostic::Severity;
use codespan_reporting::diagnostic::{Diagnostic as Frame, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor, Config, Styles, StylesWriter};
use std::collections::BTreeMap;

pub struct HumanOptions {
    pub color: bool,
    /// Off in snapshot tests: elapsed time is the one nondeterministic part.
    pub timing: bool,
}

/// The source as shown, with control characters escaped, and a map from original byte
/// offsets to shown ones.
struct Shown {
    text: String,
    /// (original offset, extra bytes inserted before it).
    shifts: Vec<(u32, u32)>,
}

impl Shown {
    fn new(src: &str) -> Shown {
        let mut text = String::with_capacity(src.len());
        let mut shifts = vec![];
        let mut extra = 0u32;
        for (i, c) in src.char_indices() {
            if needs_escape(c) {
                let esc = format!("\\u{{{:x}}}", c as u32);
                text.push_str(&esc);
                extra += esc.len() as u32 - c.len_utf8() as u32;
                shifts.push((i as u32 + c.len_utf8() as u32, extra));
            } else {
                text.push(c);
            }
        }
        Shown { text, shifts }
    }

    fn map(&self, offset: u32) -> usize {
        let i = self.shifts.partition_point(|(o, _)| *o <= offset);
        let extra = if i == 0 { 0 } else { self.shifts[i - 1].1 };
        ((offset + extra) as usize).min(self.text.len())
    }
}

pub fn render(report: &Report, opts: &HumanOptions) -> String {
    let mut files = SimpleFiles::new();
    let root = crate::source::Root::new(&report.root);
    let mut ids: BTreeMap<&str, Option<(usize, Shown)>> = BTreeMap::new();
    for d in &report.diagnostics {
        for f in std::iter::once(d.file.as_str()).chain(d.related.iter().map(|r| r.file.as_str())) {
            ids.entry(f).or_insert_with(|| {
                let text = crate::source::read_shown(&root, f)?;
                let shown = Shown::new(&text);
                let id = files.add(escape_controls(f).into_owned(), shown.text.clone());
                Some((id, shown))
            });
        }
    }
    let config = Config::default();
    let mut out: Vec<u8> = vec![];
    let mut plain = String::new();
    let mut frames = Vec::with_capacity(report.diagnostics.len() + report.outside_root.len());
    for d in &report.diagnostics {
        let frame = match d.severity {
            Severity::Error => Frame::error(),
            Severity::Warning => Frame::warning(),
        }
        .with_code(d.rule.name())
        .with_message(escape_controls(&d.message).into_owned());
        let mut labels = vec![];
        let mut located = false;
        if let Some(Some((id, shown))) = ids.get(d.file.as_str()) {
            let lo = shown.map(d.span.lo);
            let hi = shown.map(d.span.hi).max(lo);
            labels.push(Label::primary(*id, lo..hi));
            located = true;
        }
        for r in &d.related {
            if let Some(Some((id, shown))) = ids.get(r.file.as_str()) {
                let lo = shown.map(r.span.lo);
                labels.push(
                    Label::secondary(*id, lo..shown.map(r.span.hi).max(lo))
                        .with_message(escape_controls(&r.message).into_owned()),
                );
            }
        }
        let mut notes = vec![];
        if !located {
            notes.push(format!(
                "in {}:{}:{}",
                escape_controls(&d.file),
                d.span.start_line,
                d.span.start_col
            ));
        }
        if let Some(h) = &d.help {
            notes.push(format!("help: {}", escape_controls(h)));
        }
        frames.push(frame.with_labels(labels).with_notes(notes));
    }
    for f in &report.outside_root {
        frames.push(Frame::warning().with_message(format!(
            "{}: {}",
            escape_controls(f),
            super::OUTSIDE_ROOT
        )));
    }
    for frame in &frames {
        if opts.color {
            let mut buf = termcolor::Buffer::ansi();
            let styles = Styles::default();
            let mut w = StylesWriter::new(&mut buf, &styles);
            let _ = term::emit_to_write_style(&mut w, &config, &files, frame);
            out.extend_from_slice(buf.as_slice());
        } else {
            let _ = term::emit_to_string(&mut plain, &config, &files, frame);
        }
    }
    let mut text = if opts.color {
        String::from_utf8_lossy(&out).into_owned()
    } else {
        plain
    };
    text.push_str(&summary(report, opts));
    text
}

pub fn summary(report: &Report, opts: &HumanOptions) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "drizzle-guard: checked {}, {} ({} tenant-scoped, {} soft-delete): {}, {}",
        plural(report.files_checked, "file", "files"),
        plural(report.tables, "table", "tables"),
        report.tenant_tables,
        report.soft_delete_tables,
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
    );
    let mut quiet = vec![];
    if report.suppressed > 0 {
        quiet.push(format!("{} suppressed", report.suppressed));
    }
    if report.baselined > 0 {
        quiet.push(format!("{} baselined", report.baselined));
    }
    if report.tenant_system_queries > 0 {
        quiet.push(format!(
            "{} in `tenant.systemPaths` not tenant-checked",
            plural(report.tenant_system_queries, "query", "queries")
        ));
    }
    if report.baseline_unmatched > 0 {
        quiet.push(format!(
            "{} no longer {} (update it with --write-baseline)",
            plural(
                report.baseline_unmatched,
                "baseline entry",
                "baseline entries"
            ),
            if report.baseline_unmatched == 1 {
                "matches"
            } else {
                "match"
            }
        ));
    }
    if !report.outside_root.is_empty() {
        quiet.push(format!(
            "{} outside the root skipped",
            plural(report.outside_root.len(), "file", "files")
        ));
    }
    if !report.unchecked.is_empty() {
        quiet.push(format!(
            "{} not checked because the table is not in the schema, listed by `drizzle-guard schema --unresolved`",
            plural(report.unchecked.len(), "query", "queries")
        ));
    }
    if !quiet.is_empty() {
        s.push_str(&format!(" ({})", quiet.join(", ")));
    }
    if opts.timing {
        s.push_str(&format!(" in {} ms", report.elapsed.as_millis()));
    }
    s.push('\n');
    // On a large codebase, which rules the findings come from matters more than the list:
    // counted on a line of its own, before the summary line (which stays the last).
    let mut by_rule: Vec<(&str, usize)> = vec![];
    for d in &report.diagnostics {
        match by_rule.iter_mut().find(|(r, _)| *r == d.rule.name()) {
            Some((_, n)) => *n += 1,
            None => by_rule.push((d.rule.name(), 1)),
        }
    }
    if by_rule.len() > 1 {
        by_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{n} {r}")).collect();
        s.insert_str(
            0,
            &format!("drizzle-guard: by rule: {}\n", parts.join(", ")),
        );
    }
    s
}
