//! The rule registry. Adding a rule: one file here, one line in [`RULES`], one fixture folder.

mod internal_error;
mod invalid_suppression;
mod parse_error;
mod soft_delete_filter;
mod tenant_filter;
mod unused_suppression;
mod unverified_tenant_filter;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Project;

/// What a rule sees: the linked project and the configuration. Nothing mutable is shared.
pub struct RuleContext<'a> {
    pub project: &'a Project,
    pub config: &'a Config,
}

pub type CheckFn = fn(&RuleContext<'_>, usize, &mut Vec<Diagnostic>);

pub struct Rule {
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line, for `drizzle-guard rule` and SARIF's short description.
    pub summary: &'static str,
    /// The documentation, in the fixed sections; the top of the rule's file.
    pub doc: &'static str,
    /// `None` for rules the pipeline itself reports (parse errors).
    pub check: Option<CheckFn>,
    /// GitHub code scanning's `security-severity` (0-10), for security rules.
    pub security_severity: Option<&'static str>,
}

pub const RULES: &[Rule] = &[
    tenant_filter::RULE,
    unverified_tenant_filter::RULE,
    soft_delete_filter::RULE,
    parse_error::RULE,
    internal_error::RULE,
    invalid_suppression::RULE,
    unused_suppression::RULE,
];

pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}

pub fn names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
}

/// Runs every enabled rule on one file.
pub fn check_file(ctx: &RuleContext<'_>, file: usize) -> Vec<Diagnostic> {
    let mut out = vec![];
    for rule in RULES {
        let Some(check) = rule.check else { continue };
        if ctx.config.rules.get(rule.name) == Some(&crate::config::RuleLevel::Off) {
            continue;
        }
        check(ctx, file, &mut out);
    }
    out
}

/// The first paragraph of a rule's "What it reports" section.
pub fn short_doc(rule: &Rule) -> &'static str {
    rule.summary
}
