//! `unverified-tenant-filter`: the tenant filter may be there, but drizzle-guard cannot see it.

use super::context::{RuleContext, RuleDef, RuleKind};
use super::tenant_filter::file_tenant_checks;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::predicate::Verdict;
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary:
        "A query on a tenant-scoped table is filtered by something drizzle-guard cannot verify.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("5.0"),
};

const DOC: &str = r#"## What it reports
The `tenant-filter` check on a query whose answer depends on something opaque: a raw `sql`
fragment whose text is not a comparison of the query's own columns (`organization_id =
coalesce(${v}, organization_id)`, a column of another table by its SQL name), a helper function that is not in the checked files
(imported from a package) or does not simply return a condition, a condition passed in as a
parameter, a variable reassigned in ways drizzle-guard does not follow, or a column of a table
not in the schema in a column's place (`eq(mirror.projects.orgId, orgId)` where `mirror` is
no name drizzle-guard can follow to your schema). No other part of the
`where` clause proves the tenant filter. A raw `sql` fragment that interpolates no tenant column
and whose text names no tenant column's SQL name cannot filter by tenant: `tenant-filter`
reports it as missing instead.

## Why it matters
The filter may well be there; but nobody, human or tool, can see it at the query. A reviewer has
to follow the opaque part to be sure, and a later change to it can silently drop tenant isolation.

## Example
```ts
import { buildFilter } from 'query-kit';
await db.select().from(invoices).where(buildFilter(input));
```

## Fix
Make the tenant condition visible next to the opaque part:
```ts
await db.select().from(invoices)
  .where(and(eq(invoices.organizationId, ctx.orgId), buildFilter(input)));
```
or suppress it with a reason: `// drizzle-guard-ignore unverified-tenant-filter: buildFilter scopes by org`.

## Configuration
Same as `tenant-filter`: `tenant.columns`, `tenant.exemptTables`, `tenant.tables`,
`tenant.joins`, `tenant.systemPaths`. Set its level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    let all_checks = file_tenant_checks(ctx, file);
    for (i, q) in ctx.project.written_queries(file) {
        let site = &unit.facts.queries[q.site];
        let checks = &all_checks[i];
        for c in checks {
            let Verdict::Unverifiable(why) = &c.verdict else {
                continue;
            };
            let t = ctx.project.table(c.table);
            let col = &t.tenant_columns[0];
            let msg = format!("cannot verify that `{}` is filtered by its tenant column `{col}`: it depends on {why}", t.binding);
            let help = if matches!(site.target, crate::facts::QueryTarget::Raw(_)) {
                // A raw statement is fixed in its SQL, by the column's SQL name.
                let sql_col = t.column(col).map_or(col.as_str(), |c| c.sql_name.as_str());
                format!(
                    "add an explicit `{}.{sql_col} = ${{<the caller's {col}>}}` to the statement's WHERE beside it, or suppress with a reason",
                    t.sql_name
                )
            } else {
                format!(
                    "add an explicit `eq({}.{col}, ..)` beside it, or suppress with a reason",
                    t.binding
                )
            };
            out.push(
                Diagnostic::new(RuleId::UnverifiedTenantFilter, &unit.rel, c.span, msg)
                    .help(help)
                    .context_at(site.function.as_deref(), site.span),
            );
        }
    }
}
