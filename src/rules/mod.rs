//! The rule registry: every rule's definition, under its identity. Adding a rule: its file here
//! (declared below with `mod`), its line in the list of [`crate::rule_id`], and its fixture
//! folder; its documentation page, SARIF descriptor and configuration schema entry follow from
//! the rule (and tests check them).

mod context;
mod delete_without_where;
mod hard_delete;
mod insert_tenant_column;
mod internal_error;
mod invalid_suppression;
mod n_plus_one;
mod offset_without_order_by;
mod parse_error;
mod raw_sql_injection;
mod schema_location;
mod soft_delete_filter;
mod tenant_filter;
mod tenant_upsert;
mod tenant_value_from_input;
mod unbounded_query;
mod unindexed_foreign_key;
mod unindexed_tenant_column;
mod unique_tenant_index;
mod unused_suppression;
mod unverified_tenant_filter;
mod update_without_where;

pub use context::{CheckFn, RuleContext, RuleDef, RuleKind, TablesByFile};

use crate::config::{Config, RuleLevel};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::Project;
use crate::rule_id::{with_every_rule, RuleId};
use crate::source::Root;

/// A rule of the registry.
pub struct Rule {
    pub id: RuleId,
    /// `id.name()`, at hand for printing.
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line, for `drizzle-guard rule` and SARIF's short description.
    pub summary: &'static str,
    /// The documentation, in the fixed sections; the top of the rule's file.
    pub doc: &'static str,
    pub kind: RuleKind,
    /// GitHub code scanning's `security-severity` (0-10), for security rules.
    pub security_severity: Option<&'static str>,
}

impl Rule {
    const fn new(id: RuleId, def: RuleDef) -> Rule {
        Rule {
            id,
            name: id.name(),
            default_severity: def.default_severity,
            summary: def.summary,
            doc: def.doc,
            kind: def.kind,
            security_severity: def.security_severity,
        }
    }

    /// The severity of this rule's findings in the file at `rel` (root-relative) under
    /// `config` and its `overrides`, `None` when it is turned off there.
    pub fn severity(&self, config: &Config, rel: &str) -> Option<Severity> {
        match config.level_in(self.id, rel) {
            None => Some(self.default_severity),
            Some(RuleLevel::Error) => Some(Severity::Error),
            Some(RuleLevel::Warning) => Some(Severity::Warning),
            Some(RuleLevel::Off) => None,
        }
    }
}

macro_rules! registry {
    ($($id:ident $name:literal $module:ident,)*) => {
        /// Every rule, in the order of [`RuleId::ALL`]: `RULES[id.index()]` is `id`'s.
        pub const RULES: &[Rule] = &[$(Rule::new(RuleId::$id, $module::RULE),)*];
    };
}
with_every_rule!(registry);

/// The registry's entry for a rule.
pub fn rule(id: RuleId) -> &'static Rule {
    &RULES[id.index()]
}

pub fn find(name: &str) -> Option<&'static Rule> {
    RuleId::from_name(name).map(rule)
}

pub fn names() -> Vec<&'static str> {
    RuleId::ALL.iter().map(|r| r.name()).collect()
}

/// Runs every enabled rule on one file, then locates the findings' spans.
pub fn check_file(
    project: &Project,
    config: &Config,
    tables: &TablesByFile,
    root: &Root,
    file: FileId,
) -> Vec<Diagnostic> {
    let ctx = &RuleContext::new(project, config, tables, file);
    let mut out = vec![];
    if !config.check_test_files && project.units[file].test {
        return out;
    }
    // (With no level set anywhere, no rule is off: asked once, not once per rule.)
    let levels = !config.rules.is_empty() || !config.overrides.is_empty();
    for rule in RULES {
        let Some(check) = rule.kind.check() else {
            continue;
        };
        if levels && config.is_off_in(rule.id, &project.units[file].rel) {
            continue;
        }
        check(ctx, file, &mut out);
    }
    crate::locate::locate(root, &mut out);
    out
}

/// What `drizzle-guard rule NAME` prints, and what `docs/rules/NAME.md` holds.
pub fn documentation(rule: &Rule) -> String {
    format!(
        "# {}\n\nDefault severity: {}. {}\n\n{}",
        rule.name,
        rule.default_severity.name(),
        rule.summary,
        rule.doc
    )
}

/// The first paragraph of a rule's "What it reports" section, unwrapped to one line (SARIF's
/// full description); the summary if the section is missing.
pub fn what_it_reports(rule: &Rule) -> String {
    let Some(start) = rule.doc.find("## What it reports\n") else {
        return rule.summary.to_string();
    };
    let body = &rule.doc[start + "## What it reports\n".len()..];
    let paragraph: Vec<&str> = body
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("##"))
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        rule.summary.to_string()
    } else {
        paragraph.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::{rule, RULES};
    use crate::rule_id::RuleId;

    #[test]
    fn the_registry_is_in_list_order() {
        assert_eq!(RULES.len(), RuleId::ALL.len());
        for &id in RuleId::ALL {
            assert_eq!(rule(id).id, id);
            assert_eq!(rule(id).name, id.name());
        }
    }

    #[test]
    fn test_files_by_name_or_directory() {
        for yes in [
            "a.test.ts",
            "src/a.spec.tsx",
            "src/x.test.y.ts",
            "__tests__/a.ts",
            "src/__mocks__/db.ts",
            "src/__tests__",
            "e2e/login.ts",
            "apps/web/e2e/helpers/db.ts",
            "src/__fixtures__/rows.ts",
            "test/setup.ts",
            "packages/db/tests/seed.ts",
            "src/users.factory.ts",
            "src/test-utils/org.factories.ts",
            "app.e2e-spec.ts",
        ] {
            assert!(crate::source::is_test_file(yes), "{yes}");
        }
        for no in [
            "src/test.ts",
            "src/a.tests.ts",
            "src/a.test/b.ts",
            "src/__tests__x/a.ts",
            "x__tests__/a.ts",
            "src/a.ts.test",
            "src/e2e.ts",
            "src/testing/a.ts",
            "src/factory.ts",
            "src/contest/a.ts",
            "",
        ] {
            assert!(!crate::source::is_test_file(no), "{no}");
        }
    }
}
