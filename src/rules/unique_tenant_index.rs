//! `unique-tenant-index`: a unique index on the tenant column alone allows one row per tenant.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::schema_location::at_column;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::TenantScope;
use crate::link::{Project, Table};
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A unique index or constraint on the tenant column alone allows one row per tenant.",
    doc: DOC,
    kind: RuleKind::Schema(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A unique index or constraint whose only column is a tenant column: `uniqueIndex(..).on(t.orgId)`,
`unique(..).on(t.orgId)`, or `orgId: uuid('org_id').unique()`. All dialects.

Not reported where the schema already says one row per tenant is meant: a primary key on the
tenant column (the table is keyed by its tenant), or a one-to-one relation to the table declared
by another table: `one(settings)` with no `fields` (the other side of a one-to-one), or
`one(settings, { fields: [orgs.id], references: [settings.organizationId] })`. Nor on the tenant
root itself (a table other tables' tenant columns reference) whose tenant-named column holds an
external organization id: one row per tenant is what that table is.

## Why it matters
Such an index allows exactly one row per tenant. On a table meant to hold many rows per tenant,
the second insert of every customer fails, usually found in production. It is most often a
composite unique key with its second column forgotten (`(organizationId, slug)` written as
`(organizationId)`).

## Example
```ts
(t) => [uniqueIndex('projects_org_slug_idx').on(t.organizationId)]
```

## Fix
```ts
(t) => [uniqueIndex('projects_org_slug_idx').on(t.organizationId, t.slug)]
```
A one-to-one table where one row per tenant is the point (`organization_settings`,
`subscriptions`) is a legitimate use: suppress it with a reason,
`// drizzle-guard-ignore unique-tenant-index: one settings row per organization`, key the table
by the tenant column (`.primaryKey()`), declare the one-to-one relation (`settings:
one(organizationSettings)` in the organization's relations), or turn the rule off under `rules`.

## Configuration
`tenant.columns` and `tenant.exemptTables` decide which tables are tenant-scoped. Set its level
under `rules` (`{"rules": {"unique-tenant-index": "off"}}`).
"#;

fn check(ctx: &RuleContext<'_>, _file: FileId, out: &mut Vec<Diagnostic>) {
    // The tenant root itself (a table other tables' tenant columns reference) whose
    // tenant-named column is unique on its own holds an external id of the tenant (a WorkOS or
    // Clerk organization id): one row per tenant is what the table is.
    let by_design = |t: &&Table| {
        matches!(t.tenant_scope, TenantScope::UniqueColumn(_)) && !t.root_of.is_empty()
    };
    for t in ctx.file_tables().filter(|t| !by_design(t)) {
        for key in t
            .tenant_named
            .iter()
            .filter(|k| !declared_one_to_one(ctx.project, t, k))
        {
            let msg = || {
                format!(
                    "unique on `{}.{key}` alone allows only one row of `{}` per tenant",
                    t.binding, t.binding
                )
            };
            let help = format!(
                "add the column that is unique within a tenant: `.on(t.{key}, t.<column>)`; suppress with a reason if one row per tenant is meant"
            );
            if let Some(c) = t.column(key).filter(|c| c.unique && !c.primary) {
                out.push(at_column(ctx, RuleId::UniqueTenantIndex, t, c, msg()).help(help.clone()));
            }
            for i in &t.indexes {
                if i.unique && !i.primary && i.columns.len() == 1 && &i.columns[0] == key {
                    out.push(
                        Diagnostic::new(
                            RuleId::UniqueTenantIndex,
                            &ctx.project.units[t.file].rel,
                            i.span,
                            msg(),
                        )
                        .help(help.clone())
                        .context(None, &format!("{}.{key}", t.binding)),
                    );
                }
            }
        }
    }
}

/// Whether another table's relations declare at most one row of `t` per row of theirs, found
/// through `key` (or through the reverse side, a `one(t)` with no fields).
fn declared_one_to_one(project: &Project, t: &Table, key: &str) -> bool {
    project
        .tables
        .iter()
        .filter(|p| p.id != t.id)
        .flat_map(|p| &p.relations)
        .any(|r| {
            r.target == Some(t.id)
                && !r.many
                && ((r.fields.is_empty() && r.references.is_empty()) || r.references == [key])
        })
}
