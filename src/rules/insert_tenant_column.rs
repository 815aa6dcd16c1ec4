//! `insert-tenant-column`: an insert into a tenant-scoped table that never sets the tenant column.

use super::context::{at_query, RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::InsertValues;
use crate::ids::FileId;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "An insert into a tenant-scoped table never sets the tenant column.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
An `insert(T).values(..)` on a tenant-scoped table where a row written out in the code sets no
tenant column (`organizationId`, ...) and that column has no default (`.default(..)`,
`.defaultRandom()`, `.$defaultFn(..)`, ...). The values are read as an object, an array of
objects, `rows.map((r) => ({ .. }))`, either branch of `c ? a : b`, or a local `const` holding
them (with keys assigned later, `row.organizationId = ..`); spreads of such objects are followed. Not reported: a row that spreads something
drizzle-guard cannot see (`...input`), which may carry the column; values passed in whole
(`.values(rows)` with `rows` a parameter); `insert(T).select(..)`; tables that are not
tenant-scoped.

## Why it matters
A row without its tenant belongs to no one: no tenant's filtered reads ever return it, and
code that trusts "every row has a tenant" breaks. When the column is `NOT NULL`, the insert
fails at run time, on the path the tests did not take.

## Example
```ts
await db.insert(invoices).values({ number: input.number, amount: input.amount });
```

## Fix
```ts
await db.insert(invoices).values({
  number: input.number,
  amount: input.amount,
  organizationId: ctx.orgId,
});
```

## Configuration
`tenant.columns`, `tenant.exemptTables` and `tenant.systemPaths` (files of seeds, scripts and
migrations get no finding), as for `tenant-filter`. Set its level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let unit = &project.units[file];
    for (_, site, insert, t) in ctx.tenant_inserts(file) {
        let InsertValues::Rows(rows) = &insert.values else {
            continue;
        };
        // A tenant column the database fills on its own needs no value.
        let Some(col) = t
            .tenant_columns
            .iter()
            .find(|c| t.column(c).is_some_and(|c| !c.has_default))
        else {
            continue;
        };
        let unset = rows
            .iter()
            .any(|r| !r.opaque && !r.keys.iter().any(|k| t.is_tenant_column(k)));
        if !unset {
            continue;
        }
        let msg = format!(
            "insert into `{}` never sets its tenant column `{col}`, which has no default: the row belongs to no tenant",
            t.binding
        );
        out.push(
            at_query(RuleId::InsertTenantColumn, &unit.rel, site, msg).help(format!(
                "set `{col}: <the caller's {col}>` in the inserted values"
            )),
        );
    }
}
