//! `unindexed-tenant-column`: a tenant-scoped table whose tenant column no index starts with.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::schema_location::at_column;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::Dialect;
use crate::ids::FileId;
use crate::link::Table;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "The tenant column of a tenant-scoped table is not the first column of any index.",
    doc: DOC,
    kind: RuleKind::Schema(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A tenant-scoped table (one with a column named in `tenant.columns`) none of whose tenant columns
is the first column of an index. Indexes that count: `index(..)`, `uniqueIndex(..)`,
`unique(..)`, `primaryKey({ columns: [t.organizationId, ..] })` and the column's own
`.primaryKey()` or `.unique()`, as long as the tenant column comes first: a composite index
`(organizationId, createdAt)` serves both "rows of this tenant" and "rows of this tenant by date".

Dialects: Postgres, SQLite and MySQL tables. On MySQL (InnoDB) a tenant column that is a foreign
key already has the index MySQL creates for every foreign key, so only tenant columns without a
foreign key are reported there. SingleStore tables are not checked (their shard and sort keys, not
secondary indexes, decide how rows are found).

Reported at the tenant column; a column spread in from shared columns is reported at the table's
name, with the shared definition as a related location.

## Why it matters
Every query on a tenant-scoped table filters by the tenant column (that is what `tenant-filter`
enforces). Without an index starting with it, each of those reads the whole table, every tenant's
rows, to find one tenant's: the cost grows with the number of customers, not with the size of
the customer.

## Example
```ts
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  number: text('number').notNull(),
});
```

## Fix
```ts
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull(),
  number: text('number').notNull(),
}, (t) => [uniqueIndex('invoices_org_number_idx').on(t.organizationId, t.number)]);
```

## Configuration
`tenant.columns` and `tenant.exemptTables` decide which tables are tenant-scoped. Set its level
under `rules`, or suppress one table with a reason (a table with a handful of rows).
"#;

/// The tenant column to report when no tenant column of `t` leads an index (the first one), or
/// `None` when the table is not tenant-scoped, is indexed, or is not checked on its dialect.
pub(crate) fn unindexed_tenant_column(t: &Table) -> Option<&str> {
    let indexed =
        |key: &String| t.leads_index(key) || (t.dialect == Dialect::Mysql && t.is_foreign_key(key));
    if t.dialect == Dialect::Singlestore || t.tenant_columns.iter().any(indexed) {
        return None;
    }
    t.tenant_columns.first().map(String::as_str)
}

fn check(ctx: &RuleContext<'_>, _file: FileId, out: &mut Vec<Diagnostic>) {
    for t in ctx.file_tables() {
        let Some(key) = unindexed_tenant_column(t) else {
            continue;
        };
        let Some(c) = t.column(key) else { continue };
        out.push(
            at_column(
                ctx,
                RuleId::UnindexedTenantColumn,
                t,
                c,
                format!(
                    "tenant column `{}.{key}` is not the first column of any index: every query of the table filters by it",
                    t.binding
                ),
            )
            .help(format!(
                "add `index('{}_{}_idx').on(t.{key})`, or put `{key}` first in an existing index",
                t.sql_name, c.sql_name
            )),
        );
    }
}
