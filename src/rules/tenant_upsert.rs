//! `tenant-upsert`: an upsert on a tenant-scoped table whose conflict can land on another
//! tenant's row.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::tenant_filter::checked_key;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{ConflictAction, InsertValues, RowKeys, UseTarget};
use crate::ids::FileId;
use crate::link::Table;
use crate::predicate::{all_guarantee_equality, Verdict};
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "An upsert on a tenant-scoped table can update another tenant's row.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("8.1"),
};

const DOC: &str = r#"## What it reports
An `insert(T)..onConflictDoUpdate({ target, set })` (PostgreSQL, SQLite) on a tenant-scoped table
whose conflict `target` does not include the tenant column, when neither `where` nor `setWhere`
proves the tenant of the existing row (`eq(T.organizationId, ..)`). On MySQL,
`onDuplicateKeyUpdate({ set })` when the inserted values supply every column of a primary or
unique key that does not include the tenant column. Not reported: a target that includes the
tenant column (`target: [T.organizationId, T.slug]`), a `setWhere` that proves the tenant
(also one written only for when the row carries a key, `where: data.id ? and(eq(T.id, data.id),
eq(T.organizationId, orgId)) : undefined` with the row's `id` taken from `data`: without a key
the row gets a fresh one and cannot conflict), `onConflictDoNothing`, a key whose value no client chose (a fresh id made in place, `id:
newId()`, `crypto.randomUUID()` or a local `const` holding one, or a constant), a key taken from
a row the caller checked or that a checked read was keyed by (as `tenant-filter`'s checked rows:
`values({ id: found.id, .. })` after reading `found` with the tenant filter; or that row's
key else a fresh one, `id: found?.id ?? crypto.randomUUID()`, also when `found` was read on a
condition only, `const found = input.id ? await getHook(orgId, input.id) : null`; also through a
local object, `const tuple = { id: found.id }; values({ ...tuple })`, unless a later key or
spread writes over it), a target written
as something other than columns, a `set` that writes nothing but the conflicting key itself (the
row stays as it was), and tables that are not tenant-scoped.

## Why it matters
The conflict is decided by the key alone. When a client can choose the key (an id sent with the
request), sending the id of another tenant's row makes the "insert" update that row instead;
when `set` also writes the tenant column, the row moves into the caller's tenant. No tenant
filter on any read catches it: the write itself crosses the boundary.

## Example
```ts
await db
  .insert(invoices)
  .values({ id: input.id, organizationId: ctx.orgId, amount: input.amount })
  .onConflictDoUpdate({
    target: invoices.id,
    set: { amount: input.amount, organizationId: ctx.orgId },
  });
```

## Fix
Make the tenant part of the conflict (with a unique index on both columns), or only update a row
of the caller's tenant:
```ts
  .onConflictDoUpdate({
    target: [invoices.organizationId, invoices.id],
    set: { amount: input.amount },
  });
// or
  .onConflictDoUpdate({
    target: invoices.id,
    set: { amount: input.amount },
    setWhere: eq(invoices.organizationId, ctx.orgId),
  });
```

## Configuration
`tenant.columns`, `tenant.exemptTables` and `tenant.systemPaths` (files of seeds, scripts and
migrations get no finding), as for `tenant-filter`. Set its level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let unit = &project.units[file];
    for (q, site, insert, t) in ctx.tenant_inserts(file) {
        let Some(conflict) = &insert.conflict else {
            continue;
        };
        let col = &t.tenant_columns[0];
        let key = match conflict.action {
            ConflictAction::DoNothing => continue,
            ConflictAction::DoUpdate => {
                let Some(target) = &conflict.target else {
                    continue;
                };
                if target.iter().any(|k| t.is_tenant_column(k))
                    || fixed_in_every_row(&insert.values, target)
                {
                    continue;
                }
                if q.where_.is_some()
                    && all_guarantee_equality(&q.conditions(), &q.instance(), &t.tenant_columns)
                        != Verdict::Missing
                {
                    continue;
                }
                vec![target.iter().map(|k| k.to_string()).collect::<Vec<_>>()]
            }
            ConflictAction::DuplicateKeyUpdate => {
                let InsertValues::Rows(rows) = &insert.values else {
                    continue;
                };
                supplied_keys(t, rows)
            }
        };
        // A conflict key with a column taken from a row the caller checked (or the key of a
        // checked read) can only meet the caller's own row; every key that may conflict must.
        let checked = |key: &[String]| {
            unit.facts
                .origins
                .uses_within(site.span)
                .any(|u| match &u.target {
                    UseTarget::Write { key: k, .. } => {
                        key.iter().any(|c| **c == **k) && checked_key(ctx, file, q, k, u.span.lo)
                    }
                    _ => false,
                })
        };
        let Some(key) = key.into_iter().find(|k| !checked(k)) else {
            continue;
        };
        // A `set` that writes nothing but the key that conflicted leaves that row as it was.
        if !conflict.set.opaque
            && conflict
                .set
                .keys
                .iter()
                .all(|k| key.iter().any(|c| **c == **k))
        {
            continue;
        }
        let target = named(t, &key);
        let moves = conflict.set.keys.iter().any(|k| t.is_tenant_column(k));
        let what = if moves {
            ", and its `set` moves that row into the caller's tenant"
        } else {
            ""
        };
        let msg = format!(
            "upsert into `{}` conflicts on {target}, which does not include the tenant column `{col}`: an attacker who sends the key of another tenant's row makes this update that row{what}",
            t.binding
        );
        let help = match conflict.action {
            ConflictAction::DuplicateKeyUpdate => format!(
                "make the unique key include `{col}`, or look the row up with `eq({}.{col}, ..)` and update it instead of upserting",
                t.binding
            ),
            _ => format!(
                "add `{}.{col}` to the conflict `target` (with a unique index on both), or add `setWhere: eq({}.{col}, <the caller's {col}>)`",
                t.binding, t.binding
            ),
        };
        out.push(
            Diagnostic::new(RuleId::TenantUpsert, &unit.rel, site.target_span, msg)
                .help(help)
                .context_at(site.function.as_deref(), site.span),
        );
    }
}

/// `invoices.id` or `(invoices.a, invoices.b)`.
fn named(t: &Table, key: &[String]) -> String {
    let cols: Vec<String> = key.iter().map(|k| format!("{}.{k}", t.binding)).collect();
    if cols.len() == 1 {
        format!("`{}`", cols[0])
    } else {
        format!("`({})`", cols.join(", "))
    }
}

/// Every visible row gives each target column a value no client chose (a fresh id, a constant).
fn fixed_in_every_row(values: &InsertValues, target: &[crate::facts::Name]) -> bool {
    match values {
        InsertValues::Rows(rows) => {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| target.iter().all(|k| r.fixed.contains(k)))
        }
        InsertValues::Opaque | InsertValues::Select => false,
    }
}

/// MySQL: the primary and unique keys without the tenant column whose columns some row sets,
/// not all of them to values no client chose.
fn supplied_keys(t: &Table, rows: &[RowKeys]) -> Vec<Vec<String>> {
    t.unique_keys()
        .iter()
        .filter(|k| !k.iter().any(|c| t.tenant_columns.contains(c)))
        .filter(|k| {
            rows.iter().any(|r| {
                k.iter().all(|c| r.keys.iter().any(|x| **x == **c))
                    && !k.iter().all(|c| r.fixed.iter().any(|x| **x == **c))
            })
        })
        .cloned()
        .collect()
}
