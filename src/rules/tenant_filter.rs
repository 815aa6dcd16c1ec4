//! `tenant-filter`: reads, updates and deletes on tenant-scoped tables must filter by tenant.

use super::context::{RuleContext, RuleDef, RuleKind, TenantCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ids::FileId;
use crate::link::LinkedQuery;
use crate::predicate::{all_guarantee_equality, conjuncts_of, Opnd, Pred, TableRef, Verdict};
use crate::rule_id::RuleId;
use crate::span::Span;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Error,
    summary: "A query on a tenant-scoped table is not filtered by its tenant column.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("8.1"),
};

const DOC: &str = r#"## What it reports
A `select`, `$count`, `findMany`/`findFirst`, `update` or `delete` on a tenant-scoped table (one
with a column named in `tenant.columns`, such as `organizationId`) whose `where` clause does not
guarantee `eq(table.organizationId, ..)` or `inArray(table.organizationId, ..)`. Every joined
tenant-scoped table needs its own guarantee; an equality between two tenant columns carries one
table's guarantee to the other. `and(..)` is proven by any part; `or(..)` and `cond ? a : b` only
when every branch is. An update, delete or read keyed by the whole primary or unique key of a
row that an earlier query of the same (or an enclosing) function read with its tenant filter
proven (`const row = await ..; update(T).where(eq(T.id, row.id))`) is filtered: that row was
already checked. Raw statements (`db.execute(sql`..`)`, `run`, `all`, `get`, `values`) are
parsed and checked the same way, each table they name on its own (see docs/conditions.md).
Inserts are not checked. Relations loaded with `with` are reached through
their parent row and are covered by the parent's filter.

## Why it matters
A query that forgets the tenant filter returns, changes or deletes rows of every tenant. Looking a
row up by its id alone lets any signed-in user read another organization's data by guessing ids
(an insecure direct object reference).

## Example
```ts
const project = await db.query.projects.findFirst({
  where: eq(projects.id, input.id),
});
```

## Fix
```ts
const project = await db.query.projects.findFirst({
  where: and(eq(projects.id, input.id), eq(projects.organizationId, ctx.orgId)),
});
```

## Configuration
`tenant.columns` lists the tenant column names (TypeScript key or SQL name);
`tenant.exemptTables` lists tables that are shared across tenants on purpose. When the filter is
hidden in something drizzle-guard cannot read, `unverified-tenant-filter` reports it instead.
"#;

/// [`tenant_checks`] of every query of the file, in the order of `project.queries[file]`;
/// computed on the first call for the file and kept in the context.
pub(crate) fn file_tenant_checks<'c>(
    ctx: &'c RuleContext<'_>,
    file: FileId,
) -> &'c [Vec<TenantCheck>] {
    ctx.tenant.get_or_init(|| {
        ctx.project.queries[file]
            .iter()
            .map(|q| tenant_checks(ctx, file, q))
            .collect()
    })
}

/// The verdict for the query's own table and for every joined tenant-scoped table.
fn tenant_checks(ctx: &RuleContext<'_>, file: FileId, q: &LinkedQuery) -> Vec<TenantCheck> {
    let project = ctx.project;
    let site = &project.units[file].facts.queries[q.site];
    if !(site.kind.is_read()
        || matches!(
            site.kind,
            crate::facts::QueryKind::Update | crate::facts::QueryKind::Delete
        ))
    {
        return vec![];
    }
    let all = q.conditions();
    let mut out = Vec::with_capacity(1 + q.joins.len());
    let mut check = |table: TableRef, span: Span, joined: bool| {
        let t = project.table(table.id);
        if t.is_tenant_scoped() {
            let mut verdict = all_guarantee_equality(&all, &table, &t.tenant_columns);
            if verdict == Verdict::Missing && !joined && keyed_by_checked_row(ctx, file, q, &all) {
                verdict = Verdict::Proven;
            }
            out.push(TenantCheck {
                table: table.id,
                span,
                verdict,
                joined,
            });
        }
    };
    check(q.instance(), site.target_span, false);
    for j in &q.joins {
        check(j.instance(), j.span, true);
    }
    out
}

/// `update(T).where(eq(T.id, row.id))`, where `row` holds a row of T that an earlier query of an
/// enclosing function read with its tenant filter proven: the key names a row already checked,
/// so its tenant is known. Only a whole primary or unique key taken from that same row counts.
fn keyed_by_checked_row(
    ctx: &RuleContext<'_>,
    file: FileId,
    q: &LinkedQuery,
    all: &[&Pred],
) -> bool {
    let project = ctx.project;
    let queries = &project.units[file].facts.queries;
    let site = &queries[q.site];
    let me = q.instance();
    let table = project.table(q.table);
    // Column key -> the local whose same-named property it equals (`eq(T.id, row.id)`).
    let mut from_row: Vec<(&str, &str)> = vec![];
    for part in conjuncts_of(all) {
        if let Pred::Eq(Opnd::Col(c), Opnd::Value(Some(path)))
        | Pred::Eq(Opnd::Value(Some(path)), Opnd::Col(c)) = part
        {
            if c.table == me {
                if let Some((row, field)) = path.split_once('.') {
                    if *field == *c.key {
                        from_row.push((&c.key, row));
                    }
                }
            }
        }
    }
    if from_row.is_empty() {
        return false;
    }
    let row_of = |key: &[String]| -> Option<&str> {
        let rows: Vec<&str> = key
            .iter()
            .map(|k| from_row.iter().find(|(c, _)| c == k).map(|(_, r)| *r))
            .collect::<Option<_>>()?;
        rows.windows(2).all(|w| w[0] == w[1]).then(|| rows[0])
    };
    table
        .unique_keys()
        .iter()
        .filter_map(|k| row_of(k))
        .any(|row| {
            project.queries[file].iter().any(|p| {
                let earlier = &queries[p.site];
                earlier.result.as_deref() == Some(row)
                    && p.table == q.table
                    && p.alias.is_none()
                    && earlier.span.hi <= site.span.lo
                    && earlier
                        .scope
                        .is_none_or(|s| s.lo <= site.span.lo && site.span.hi <= s.hi)
                    && own_tenant_verdict(p, &table.tenant_columns) == Verdict::Proven
            })
        })
}

/// The tenant verdict of a query's own table from its own conditions.
fn own_tenant_verdict(q: &LinkedQuery, tenant_columns: &[String]) -> Verdict {
    all_guarantee_equality(&q.conditions(), &q.instance(), tenant_columns)
}

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let unit = &ctx.project.units[file];
    for (q, checks) in ctx.project.queries[file]
        .iter()
        .zip(file_tenant_checks(ctx, file))
    {
        let site = &unit.facts.queries[q.site];
        for c in checks {
            if c.verdict != Verdict::Missing {
                continue;
            }
            let t = ctx.project.table(c.table);
            let col = &t.tenant_columns[0];
            let what = if c.joined { "joined table" } else { "query on" };
            let msg = format!(
                "{what} `{}` is not filtered by its tenant column `{col}`",
                t.binding
            );
            out.push(
                Diagnostic::new(RuleId::TenantFilter, &unit.rel, c.span, msg)
                    .help(format!(
                        "add `eq({}.{col}, <the caller's {col}>)` to the {}, so rows of other tenants are never {}",
                        t.binding,
                        if c.joined { "join condition or the where clause" } else { "where clause" },
                        verb(site.kind)
                    ))
                    .context_at(site.function.as_deref(), site.span),
            );
        }
    }
}

fn verb(kind: crate::facts::QueryKind) -> &'static str {
    match kind {
        crate::facts::QueryKind::Update => "updated",
        crate::facts::QueryKind::Delete => "deleted",
        _ => "returned",
    }
}
