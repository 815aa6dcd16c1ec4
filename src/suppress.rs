//! The suppress step, between check and emit: inline `drizzle-guard-ignore` comments drop the
//! findings they name (and are themselves reported when malformed or unused), then a baseline
//! file drops the findings an existing codebase already had.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Report;
use crate::error::Error;
use crate::facts::SuppressionComment;
use crate::link::Unit;
use crate::rule_id::RuleId;
use crate::rules::{self, RuleKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Drops the diagnostics that inline comments silence, and adds `invalid-suppression` and
/// `unused-suppression` findings for the comments of checked files. Returns how many
/// diagnostics were silenced.
pub fn apply_inline(units: &[Unit], diags: &mut Vec<Diagnostic>, config: &Config) -> usize {
    let mut by_file: HashMap<&str, Vec<Scope>> = HashMap::new();
    let mut found = vec![];
    for unit in units.iter().filter(|u| u.check) {
        let scopes = scopes(unit, &mut found);
        if !scopes.is_empty() {
            by_file.insert(unit.rel.as_str(), scopes);
        }
    }
    let before = diags.len();
    diags.retain(|d| {
        let Some(scopes) = by_file.get_mut(d.file.as_str()) else {
            return true;
        };
        let line = d.span.start_line;
        let mut silenced = false;
        for s in scopes.iter_mut() {
            if let Some(i) = s.rules.iter().position(|&r| r == d.rule) {
                if s.covers(line) {
                    s.used[i] = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });
    let silenced = before - diags.len();
    let mut files: Vec<_> = by_file.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    for (file, scopes) in files {
        for s in scopes {
            for (rule, used) in s.rules.iter().zip(&s.used) {
                if *used || config.is_off_in(*rule, file) {
                    continue;
                }
                found.push(
                    Diagnostic::new(
                        RuleId::UnusedSuppression,
                        file,
                        s.comment.span,
                        format!("this suppression of `{rule}` silences nothing"),
                    )
                    .help(format!("no `{rule}` finding is reported where this comment applies; remove `{rule}` from it (or the comment)"))
                    .context(None, &s.comment.text),
                );
            }
        }
    }
    diags.extend(found);
    silenced
}

/// One valid suppression comment and the lines it covers.
struct Scope<'u> {
    comment: &'u SuppressionComment,
    rules: Vec<RuleId>,
    used: Vec<bool>,
    /// `None` for a file-level suppression.
    lines: Option<(u32, u32)>,
}

impl Scope<'_> {
    fn covers(&self, line: u32) -> bool {
        self.lines.is_none_or(|(lo, hi)| lo <= line && line <= hi)
    }
}

/// The valid suppressions of one file; invalid ones become `invalid-suppression` findings.
fn scopes<'u>(unit: &'u Unit, invalid: &mut Vec<Diagnostic>) -> Vec<Scope<'u>> {
    let comments = &unit.facts.suppressions;
    if comments.is_empty() {
        return vec![];
    }
    // A query that starts on a line is covered to its end: the finding may sit on a later line
    // of the chain (`.from(T)`, a `with` key).
    let mut extent: HashMap<u32, u32> = HashMap::new();
    let spans = unit.facts.queries.iter().map(|q| q.span);
    for span in spans.chain(unit.facts.raw_sql.iter().map(|r| r.span)) {
        let end = extent.entry(span.start_line).or_insert(span.end_line);
        *end = (*end).max(span.end_line);
    }
    let through = |line: u32| (line, extent.get(&line).copied().unwrap_or(line).max(line));
    // Stacked comments on their own lines all apply to the first line after them.
    let own_lines: HashSet<u32> = comments
        .iter()
        .filter(|c| !c.trailing)
        .map(|c| c.line)
        .collect();
    let mut out = vec![];
    for c in comments {
        let problems = problems(c);
        if !problems.is_empty() {
            invalid.push(
                Diagnostic::new(
                    RuleId::InvalidSuppression,
                    &unit.rel,
                    c.span,
                    format!("invalid suppression: {}", problems.join("; ")),
                )
                .help("write `// drizzle-guard-ignore RULE[, RULE]: reason` on the line before the finding, or `// drizzle-guard-ignore-file RULE: reason` at the top of the file")
                .context(None, &c.text),
            );
            continue;
        }
        let lines = if c.file_level {
            None
        } else if c.trailing {
            Some(through(c.line))
        } else {
            let mut target = c.line + 1;
            while own_lines.contains(&target) {
                target += 1;
            }
            Some(through(target))
        };
        // Every name is a rule's: `problems` found none that is not.
        let mut rules: Vec<RuleId> = vec![];
        for id in c.rules.iter().filter_map(|r| RuleId::from_name(r)) {
            if !rules.contains(&id) {
                rules.push(id);
            }
        }
        out.push(Scope {
            comment: c,
            used: vec![false; rules.len()],
            rules,
            lines,
        });
    }
    out
}

/// What is wrong with a suppression comment, if anything.
fn problems(c: &SuppressionComment) -> Vec<String> {
    let mut out = vec![];
    if c.rules.is_empty() {
        out.push("it names no rule".to_string());
    }
    for r in &c.rules {
        match RuleId::from_name(r).map(|id| rules::rule(id).kind) {
            Some(RuleKind::Suppression) => out.push(format!(
                "`{r}` cannot be silenced by a comment (set its level under `rules`)"
            )),
            Some(_) => {}
            None => out.push(format!(
                "`{r}` is not a rule (`drizzle-guard rule` lists them)"
            )),
        }
    }
    if c.reason.is_none() {
        out.push("it gives no reason (`: why`)".to_string());
    }
    if c.file_level && !c.at_top {
        out.push("`drizzle-guard-ignore-file` must come before any code but imports".to_string());
    }
    out
}

/// Bumped on any change to the baseline file's shape or to the fingerprint recipe. Version 1
/// hashed a finding's whole query, so fixing one part of a query changed the fingerprints of
/// its other findings; version 2 hashes the finding's own anchor.
pub const BASELINE_VERSION: u32 = 2;

/// A baseline file: the findings an existing codebase had when it adopted drizzle-guard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    pub findings: Vec<BaselineEntry>,
}

/// One recorded finding. Only `fingerprint` is matched; the rest is there for reviewers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub file: String,
    pub rule: String,
    pub fingerprint: String,
    pub message: String,
}

impl Baseline {
    /// Every finding of a report but files that could not be checked (those stay reported:
    /// baselining one would hide all its queries), sorted by file, rule and fingerprint (no
    /// line numbers, so the file does not change when code moves).
    pub fn of(report: &Report) -> Baseline {
        let findings: BTreeSet<BaselineEntry> = report
            .diagnostics
            .iter()
            .filter(|d| !matches!(rules::rule(d.rule).kind, RuleKind::FileNotChecked))
            .map(|d| BaselineEntry {
                file: d.file.clone(),
                rule: d.rule.to_string(),
                fingerprint: d.fingerprint.clone(),
                message: d.message.clone(),
            })
            .collect();
        Baseline {
            version: BASELINE_VERSION,
            tool: "drizzle-guard".to_string(),
            findings: findings.into_iter().collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!("--baseline: cannot read `{}`: {e}", path.display()))
        })?;
        let not_a_baseline = |why: String| {
            Error::Usage(format!(
                "--baseline: `{}` is not a drizzle-guard baseline: {why}",
                path.display()
            ))
        };
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|e| not_a_baseline(e.to_string()))?;
        if baseline.version == 1 {
            return Err(not_a_baseline(format!(
                "it is a version 1 baseline, whose fingerprints hashed whole queries; this drizzle-guard matches findings by their own anchor (version {BASELINE_VERSION}): write it again with `drizzle-guard check --write-baseline {}` on the same code",
                path.display()
            )));
        }
        if baseline.version != BASELINE_VERSION {
            return Err(not_a_baseline(format!(
                "version {} is not supported (this drizzle-guard writes version {BASELINE_VERSION}); write it again with --write-baseline",
                baseline.version
            )));
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }

    /// The entries that still match a finding of `report` (before [`Baseline::apply`]), and
    /// those of files not checked (`--changed-since`), which say nothing either way: the
    /// baseline with its fixed findings removed, and nothing added.
    pub fn pruned(&self, report: &Report, checked: &dyn Fn(&str) -> bool) -> Baseline {
        let current: HashSet<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.fingerprint.as_str())
            .collect();
        Baseline {
            version: BASELINE_VERSION,
            tool: self.tool.clone(),
            findings: self
                .findings
                .iter()
                .filter(|e| !checked(&e.file) || current.contains(e.fingerprint.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// Drops the report's findings that the baseline records. Entries of checked files that
    /// match nothing any more (fixed or changed code) are counted as unmatched; files that were
    /// not checked (`--changed-since`) say nothing about their entries.
    pub fn apply(&self, report: &mut Report, checked: &dyn Fn(&str) -> bool) {
        let known: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut matched: HashSet<String> = HashSet::new();
        report.diagnostics.retain(|d| {
            if known.contains(d.fingerprint.as_str()) {
                matched.insert(d.fingerprint.clone());
                false
            } else {
                true
            }
        });
        report.baselined += matched.len();
        report.baseline_unmatched += self
            .findings
            .iter()
            .filter(|e| checked(&e.file) && !matched.contains(&e.fingerprint))
            .count();
    }
}
