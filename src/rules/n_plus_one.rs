//! `n-plus-one`: a query run once per element of a loop, directly or through a project function.

use super::context::{at_query, RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{FnName, LoopInfo, LoopKind, QueryKind, QuerySite};
use crate::ids::FileId;
use crate::link::{LinkedQuery, Project, Table};
use crate::predicate::{Opnd, Pred};
use crate::rule_id::RuleId;
use crate::span::Span;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "A query runs once per iteration of a loop (N+1).",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: None,
};

const DOC: &str = r#"## What it reports
A query (read or write) executed inside a loop: `for`, `for..of`, `for..in`, `while`,
`do..while`, or a callback of `map`, `forEach`, `flatMap`, `reduce`, `filter`, `some`, `every`,
`find` (also `findIndex`, `findLast`, `reduceRight`), including `Promise.all(ids.map(..))`, which
runs the queries at once but still one per element, and an async `reduce` that chains them. The
function given to `Array.from(xs, fn)` (also `Array.from({ length: n }, fn)`) and to a function
imported from `p-map`, `p-map-series`, `p-each-series`, `p-filter` or `p-reduce`
(`pMap(xs, fn)`) runs once per element too; a `p-limit` callback inside a `map` runs in that
`map`. `for await (..)` over an array runs once per element: over an array literal, an array
made by a method (`xs.map(..)`, `xs.filter(..)`, `Array.from(..)`, `Object.values(..)`), or a
name holding one (a local given one of those, a parameter typed `T[]`, `Array<T>` or `Set<T>`).
The finding is on the query, with the loop as a related location.

A prepared statement (`const byId = db.select()..prepare('by_id')`) runs a query each time it is executed: a run in
a loop (`await byId.execute({ id })`) is reported there, the statement itself is not, even when
it is prepared in a loop.

A call inside such a loop to a function of the project that runs a query, directly or through
the functions it calls (followed through imports, four calls deep), is reported at the call,
with the loop and the query inside the function as related locations. `ids.map(loadUser)`
counts as a call of `loadUser` per element, and a function wrapped in React's `cache(..)` or
Next's `unstable_cache(..)` (`export const getUser = cache(async (id) => ..)`) is the function
it wraps. Methods are followed like functions: `this.find(..)`,
a static `Repo.find(..)`, an object literal's `userService.list(..)`, `new Repo(db).find(..)`,
`repo.find(..)` on a local given `new Repo(..)` or a parameter typed `Repo`, `this.repo.find(..)`
on a field typed `Repo` (or given `new Repo(..)`, also in the constructor), and
`services.users.list(..)` through a namespace import. An action made by an action client
(`export const archive = client.schema(s).action(async (..) => ..)`, next-safe-action's
`stateAction`, zsa's `.handler(..)`) is followed into the function given to that last call. A function defined inside a loop body
runs its queries only when it is called, so it is judged by where it is called. In a
`'use client'` module (browser code, which runs no query of its own) the calls its loops make
to imported functions are followed the same way: a server action called once per item is a
request and a query per item.

A query on a table that is not in the schema drizzle-guard read is still counted when its
receiver is surely Drizzle's (named `db`, `tx`, `trx`, `database` or ending in `Db`/`DB`, also as
`ctx.db`/`this.db`; or imported from a module that calls `drizzle(..)`): `cache.get(key)` in a
loop is not a query.

Not reported:
- a loop over a literal array (`for (const s of ['open', 'done'])`, `Array.from({ length: 2 },
  fn)`, `pMap(['a', 'b'], fn)`): a fixed number of queries; `Promise.all([q1, q2])` is no loop;
- `for await (..)` over anything else (a parameter typed `AsyncIterable`, a call's result): a
  stream of pages, each fetched once;
- a query with an `offset`, and a query with a `limit` in a `while`/`do..while` loop or a
  `for` loop without a test (`for (;;)`) (also a call there to a function that runs one,
  whatever else it reads per page, and whatever else such a loop runs beside its page read,
  as deleting the page's rows by all their ids; a loop nested in it is a loop of its own):
  walking pages of a large table in batches is the remedy, not the problem;
- a subquery inside another query (it runs as part of the outer query);
- a query or call in a `catch` clause: it runs on an error path, not once per item (also when
  following a called function: an error handler that cleans up is not the function's work).
- a query or call that runs at most once in the loop: followed by a `return` (or a `break` of
  the loop) in the same block, or under a test of a `for` loop's counter against one value
  (`if (i === n - 1)`);
- a loop that already works in batches: a `for` loop stepping by more than one
  (`for (let i = 0; i < n; i += size)` over `slice(i, i + size)`), or a `for..of` over a call
  named like `chunk`/`batch` (`for (const batch of chunk(rows, 500))`);
- queries built in a loop without being run there and sent together in one `db.batch(..)`
  (Drizzle's batch API on D1, LibSQL and Neon): pushed into a local array
  (`stmts.push(db.update(..))`) or returned by a `map(..)` callback (`ids.map((id) =>
  db.update(..))`), then that array, or names bound from it, given to `batch` on a database's
  name. They run where the batch runs, in one round trip (a batch sent once per item of an outer
  loop is reported with that loop). `Promise.all(stmts)` runs each alone and is reported.

## Why it matters
One query per element turns a page that needs one round trip into hundreds: the time grows with
the data, every query pays the network latency, and the connection pool runs dry under load.

## Example
```ts
for (const project of projects) {
  project.tasks = await db.select().from(tasks).where(eq(tasks.projectId, project.id));
}
await Promise.all(rows.map((r) => db.insert(auditLog).values(r)));
```

## Fix
```ts
const all = await db.select().from(tasks)
  .where(inArray(tasks.projectId, projects.map((p) => p.id)));
await db.insert(auditLog).values(rows);
```
Or load the relation with the parent: `db.query.projects.findMany({ with: { tasks: true } })`.

## Configuration
None. A loop that is small by construction, or one that works in batches in a way
drizzle-guard cannot see, can be silenced with `// drizzle-guard-ignore n-plus-one: <why>`.
"#;

/// How many calls deep a function is followed to find the query it runs.
const MAX_DEPTH: u32 = 4;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let unit = &project.units[file];
    let facts = &unit.facts;
    let paged = paging_loops(facts);
    for q in &project.queries[file] {
        let site = &facts.queries[q.site];
        if !site.runs.is_own_work() {
            continue;
        }
        let Some(l) = per_item_loop(&site.loops, Some(Paging::of(site)), &paged) else {
            continue;
        };
        let table = project.table(q.table);
        let message = format!(
            "{} `{}` runs once per iteration of {} (N+1)",
            action(site.kind),
            table.binding,
            loop_name(l)
        );
        out.push(
            with_loop(
                at_query(RuleId::NPlusOne, &unit.rel, site, message),
                &unit.rel,
                l,
            )
            .help(batched(site, table, q)),
        );
    }
    // Queries on a table not in the schema, called on a Drizzle database: still one per item.
    for u in project.untabled_queries(file) {
        let site = &facts.queries[u.site];
        if !site.runs.is_own_work() {
            continue;
        }
        let Some(l) = per_item_loop(&site.loops, Some(Paging::of(site)), &paged) else {
            continue;
        };
        let message = format!(
            "{} `{}` runs once per iteration of {} (N+1)",
            action(site.kind),
            u.table,
            loop_name(l)
        );
        out.push(
            with_loop(
                at_query(RuleId::NPlusOne, &unit.rel, site, message),
                &unit.rel,
                l,
            )
            .help(batched_untabled(site.kind, &u.table)),
        );
    }
    for call in &facts.calls {
        if per_item_loop(&call.loops, None, &paged).is_none() {
            continue;
        }
        let mut seen = vec![];
        let Some(found) = first_query(project, file, &call.callee, 0, &mut seen) else {
            continue;
        };
        let qunit = &project.units[found.file];
        let site = &qunit.facts.queries[found.site];
        // A function that fetches a page (a query with a limit or an offset, not necessarily
        // its first) pages when a `while` loop calls it, whatever else it reads per page.
        let Some(l) = per_item_loop(&call.loops, Some(pages_of(qunit, site)), &paged) else {
            continue;
        };
        let (name, help) = match found.linked {
            Some(q) => {
                let table = project.table(q.table);
                (table.binding.clone(), batched(site, table, q))
            }
            None => (
                found.table.clone(),
                batched_untabled(site.kind, &found.table),
            ),
        };
        let callee = crate::facts::dotted(&call.callee);
        let message = format!(
            "`{callee}(..)` runs a query on `{name}` once per iteration of {} (N+1)",
            loop_name(l)
        );
        let here = Diagnostic::new(RuleId::NPlusOne, &unit.rel, call.span, message);
        out.push(
            with_loop(here, &unit.rel, l)
                .related(
                    &qunit.rel,
                    site.target_span,
                    format!(
                        "`{}` runs this query",
                        site.function.as_deref().unwrap_or(&callee)
                    ),
                )
                .help(help)
                .context(call.function.as_deref(), &format!("{callee}(..)")),
        );
    }
}

fn with_loop(d: Diagnostic, rel: &str, l: &LoopInfo) -> Diagnostic {
    d.related(rel, l.span, format!("{} runs once per item", loop_name(l)))
}

/// The innermost loop that runs once per data item, if any. Without a query (`None`), the
/// loops that could be, whatever the query turns out to be.
/// `paged`: the loops of the file that fetch a page ([`paging_loops`]), whose every query
/// and call runs once per page.
fn per_item_loop<'l>(
    loops: &'l [LoopInfo],
    paging: Option<Paging>,
    paged: &[Span],
) -> Option<&'l LoopInfo> {
    let Paging { limit, offset } = paging.unwrap_or_default();
    if offset {
        return None;
    }
    loops.iter().rev().find(|l| {
        !(l.is_await
            || l.literal_len.is_some()
            || l.batched
            || l.once
            || ((limit || paged.contains(&l.span)) && walks_pages(l)))
    })
}

/// A loop that ends by a `break` or a `return` or on its own test of what a page gave: a
/// `while`, a `do..while`, or a `for` loop without a test.
fn walks_pages(l: &LoopInfo) -> bool {
    matches!(l.kind, LoopKind::While | LoopKind::DoWhile) || l.untested
}

/// The loops that fetch a page: a query of the loop's own body (not of a loop nested in it)
/// with a limit (`while (true) { const batch = await db.select()...limit(500); if
/// (!batch.length) break; await db.delete(..).where(inArray(.., ids)); }`). What else such a
/// loop runs, it runs once per page, as a function that pages does (see [`pages_of`]).
fn paging_loops(facts: &crate::facts::FileFacts) -> Vec<Span> {
    facts
        .queries
        .iter()
        .filter(|q| q.has_limit && q.runs.is_own_work())
        .filter_map(|q| q.loops.last().filter(|l| walks_pages(l)).map(|l| l.span))
        .collect()
}

/// A query a called function runs.
struct Found<'p> {
    file: FileId,
    /// Index into the file's query sites.
    site: usize,
    /// The query linked to the schema; `None` for a Drizzle query on a table not in it.
    linked: Option<&'p LinkedQuery>,
    /// The table as written, for a query not linked.
    table: String,
}

/// Whether the queries a loop runs fetch pages: with a `limit`, with an `offset`.
#[derive(Clone, Copy, Default)]
struct Paging {
    limit: bool,
    offset: bool,
}

impl Paging {
    fn of(site: &QuerySite) -> Paging {
        Paging {
            limit: site.has_limit,
            offset: site.has_offset,
        }
    }
}

/// The paging of the function that runs `site`: a function that fetches a page (a query with
/// a limit, not necessarily its first) pages when a `while` loop calls it, whatever else it
/// reads per page. An offset counts on `site` only: a function that also lists a page by offset
/// may still look rows up per item.
fn pages_of(unit: &crate::link::Unit, site: &QuerySite) -> Paging {
    let mut p = Paging::of(site);
    for q in &unit.facts.queries {
        if q.function == site.function && q.scope == site.scope && q.runs.is_own_work() {
            p.limit |= q.has_limit;
        }
    }
    p
}

/// The first query (by position) that the called function runs, directly or through the
/// project functions it calls: one linked to the schema, else a Drizzle query on a table not
/// in it.
fn first_query<'p>(
    project: &'p Project,
    file: FileId,
    callee: &[crate::facts::Name],
    depth: u32,
    seen: &mut Vec<(FileId, usize)>,
) -> Option<Found<'p>> {
    let (f, i) = project.resolve_function(file, callee)?;
    if seen.contains(&(f, i)) {
        return None;
    }
    seen.push((f, i));
    let facts = &project.units[f].facts;
    let name = &*facts.functions[i].name;
    let own = |site: &QuerySite| site.function.as_deref() == Some(name) && site.runs.is_own_work();
    let direct = project.queries[f]
        .iter()
        .find(|q| own(&facts.queries[q.site]))
        .map(|q| Found {
            file: f,
            site: q.site,
            linked: Some(q),
            table: String::new(),
        })
        .or_else(|| {
            // Most functions run no query on a table outside the schema: no list made for them.
            if !facts.queries.iter().any(own) {
                return None;
            }
            let untabled = project.untabled_queries(f);
            untabled
                .into_iter()
                .find(|u| own(&facts.queries[u.site]))
                .map(|u| Found {
                    file: f,
                    site: u.site,
                    linked: None,
                    table: u.table,
                })
        });
    if direct.is_some() || depth + 1 >= MAX_DEPTH {
        return direct;
    }
    let inside = |function: &Option<FnName>| function.as_deref() == Some(name);
    facts
        .calls
        .iter()
        .filter(|c| inside(&c.function))
        .find_map(|c| first_query(project, f, &c.callee, depth + 1, seen))
}

fn action(kind: QueryKind) -> &'static str {
    match kind {
        QueryKind::Insert => "insert into",
        QueryKind::Update => "update of",
        QueryKind::Delete => "delete from",
        _ => "query on",
    }
}

fn loop_name(l: &LoopInfo) -> String {
    match l.kind {
        LoopKind::For => "this `for` loop".into(),
        LoopKind::ForOf => "this `for..of` loop".into(),
        LoopKind::ForIn => "this `for..in` loop".into(),
        LoopKind::While => "this `while` loop".into(),
        LoopKind::DoWhile => "this `do..while` loop".into(),
        LoopKind::Method(method) => format!("this `.{method}(..)` callback"),
        LoopKind::Callback(call) => format!("this `{call}(..)` callback"),
    }
}

/// The batched alternative, naming the column the loop looks rows up by when it can.
fn batched(site: &crate::facts::QuerySite, table: &Table, q: &LinkedQuery) -> String {
    let t = &table.binding;
    if matches!(site.target, crate::facts::QueryTarget::Raw(_)) {
        // A raw statement is batched in its SQL, by the column's SQL name.
        let key = lookup_column(table, q);
        let col = table
            .column(&key)
            .map_or(key.as_str(), |c| c.sql_name.as_str());
        return match site.kind {
            QueryKind::Update | QueryKind::Delete => format!(
                "change every row with one statement: `WHERE {col} IN (..)` over all the items (`= ANY(${{ids}})` on PostgreSQL)"
            ),
            QueryKind::Insert => "insert every row with one multi-row `INSERT .. VALUES`".into(),
            _ => format!(
                "load the rows for every item with one statement before the loop (`WHERE {col} IN (..)` over all the items, or a join) and match them up in memory"
            ),
        };
    }
    match site.kind {
        QueryKind::Insert => format!(
            "collect the rows in the loop and insert them with one statement: `db.insert({t}).values(rows)`"
        ),
        QueryKind::Update | QueryKind::Delete => format!(
            "change every row with one statement: `.where(inArray({t}.{}, ids))`",
            lookup_column(table, q)
        ),
        _ => format!(
            "load the rows for every item with one query before the loop (`inArray({t}.{}, ids)`, a join, or a relational `with`) and match them up in memory",
            lookup_column(table, q)
        ),
    }
}

/// The batched alternative for a query on a table not in the schema.
fn batched_untabled(kind: QueryKind, t: &str) -> String {
    match kind {
        QueryKind::Insert => format!(
            "collect the rows in the loop and insert them with one statement: `db.insert({t}).values(rows)`"
        ),
        QueryKind::Update | QueryKind::Delete => {
            format!("change every row with one statement: `.where(inArray({t}.id, ids))`")
        }
        _ => format!(
            "load the rows for every item with one query before the loop (`inArray({t}.id, ids)`, a join, or a relational `with`) and match them up in memory"
        ),
    }
}

/// The column the query compares with a per-item value: the first `eq(col, value)` on the
/// query's table that is not its tenant or soft-delete column; else the first key column.
fn lookup_column(table: &Table, q: &LinkedQuery) -> String {
    let mut stack: Vec<&Pred> = q.where_.iter().collect();
    while let Some(p) = stack.pop() {
        match p {
            Pred::And(ps) => stack.extend(ps.iter().rev()),
            Pred::Eq(Opnd::Col(c), Opnd::Value(_)) | Pred::Eq(Opnd::Value(_), Opnd::Col(c))
                if c.table == q.instance()
                    && !table.tenant_columns.iter().any(|t| *t == *c.key)
                    && !table.soft_delete_columns.iter().any(|t| *t == *c.key) =>
            {
                return c.key.to_string();
            }
            _ => {}
        }
    }
    table.key_column().to_string()
}
