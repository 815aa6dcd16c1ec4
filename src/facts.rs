//! Plain-data facts extracted from one file. Nothing here refers to the AST: it is dropped once
//! a file's facts are built, and everything after extraction reads only these. Names read from
//! the source are [`Name`]s, swc's interned strings, shared with the AST rather than copied.

use crate::span::Span;
use serde::Serialize;
use std::sync::Arc;

mod builders;
mod insert;
mod origins;
mod runs;
mod schema;
pub use builders::*;
pub use insert::*;
pub use origins::*;
pub use runs::*;
pub use schema::*;

/// The name of the function a fact is in: shared by every fact of that function rather than
/// copied into each.
pub type FnName = Arc<str>;

/// A name as written in the source: an identifier, a property key, a table or alias name. swc's
/// atom: 8 bytes, names of up to 7 bytes stored inline, longer ones shared by reference count
/// with the parser's copy, so reading one out of the AST (an identifier, a string literal)
/// neither allocates nor copies. The few names made from other text (a template literal key, a
/// numeric key, the made-up name of an unnamed alias) are interned in swc's per-thread store,
/// which keeps them for the life of the thread.
pub type Name = swc_atoms::Atom;

/// `a.b.c` from its parts.
pub fn dotted(parts: &[Name]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(p);
    }
    out
}

/// Everything drizzle-guard needs to know about one source file.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub tables: Vec<TableDef>,
    /// Module-level table functions (`const createTable = pgTableCreator(..)`, `const app =
    /// pgSchema('app')`), which other modules may import to build their tables.
    pub table_fns: Vec<TableFnDef>,
    /// Module-level objects whose values are column builders (`export const timestamps = {..}`).
    pub column_groups: Vec<ColumnGroup>,
    /// Module-level functions that return one column (`const id = () => text('id')..`).
    pub column_fns: Vec<ColumnFn>,
    /// Module-level `const x = alias(T, ..)` or `const x = T`.
    pub aliases: Vec<(String, TableExpr)>,
    /// Module-level zod object schemas (`export const CreateInput = z.object({ .. })`), for the
    /// keys a request validated by one can hold.
    pub schemas: Vec<(Name, ZodObject)>,
    pub relations: Vec<RelationsDef>,
    pub functions: Vec<FunctionDef>,
    pub queries: Vec<QuerySite>,
    pub calls: Vec<CallFact>,
    pub raw_sql: Vec<RawSqlCall>,
    /// `if (!row) throw ..` / `return ..`: a local checked to hold a value before going on.
    pub null_checks: Vec<NullCheck>,
    /// `const row = await helper(..)`: a local holding what a function call returned.
    pub result_calls: Vec<ResultCall>,
    /// `const row = await db.transaction(async (tx) => { ..; return created; })`: a local
    /// holding what a transaction's callback returned.
    pub tx_results: Vec<TxResult>,
    /// Module-level enums (`const status = pgEnum('status', [..])`, `app.enum(..)`): columns
    /// built by them take few values.
    pub enums: Vec<Name>,
    /// Clauses functions add to a query builder they take as a parameter
    /// (`withPagination(qb, page) { return qb.limit(10) }`).
    pub param_clauses: Vec<ParamClauses>,
    /// Query builders passed to a call (`withPagination(q, 2)`): the callee may add clauses.
    pub builder_passes: Vec<BuilderPass>,
    /// `inArray(col, db.select({ id: T.id }).from(T)..)`: subqueries whose rows a column is
    /// compared with.
    pub in_array_subqueries: Vec<InArraySubquery>,
    /// `casing: 'snake_case'` passed to `drizzle(..)` or `defineConfig(..)`.
    pub snake_case: bool,
    /// Module-level names given a value made by `drizzle(..)` (`export const db =
    /// drizzle(..)`, also `globalThis.db ?? drizzle(..)`): a query on one of them, or on a name
    /// imported from here for one, is Drizzle's.
    pub drizzle_clients: Vec<Name>,
    /// Module-level names given an instance of a class (`export const users = new UserRepo(db)`),
    /// with the class's name: `users.find(..)` elsewhere calls `UserRepo.find`.
    pub instances: Vec<(Name, Name)>,
    /// `class X extends Y`: (X, Y), for `this.m(..)` calling a method `X` inherits.
    pub class_bases: Vec<(Name, Name)>,
    /// Module-level TypeScript namespaces (`export namespace Project { .. }`): their functions
    /// are `Project.f`, called `f(..)` inside the namespace.
    pub namespaces: Vec<Name>,
    /// Inline suppression comments, in file order.
    pub suppressions: Vec<SuppressionComment>,
    /// Where the values of tenant filters and writes, and the arguments of calls, come from
    /// (request input, the session, a parameter): see `extract::origins`.
    pub origins: OriginFacts,
}

impl FileFacts {
    /// Every module specifier the file imports from or re-exports from.
    pub fn module_sources(&self) -> impl Iterator<Item = &str> {
        let exports = self.exports.iter().filter_map(|e| match e {
            Export::Reexport { source, .. }
            | Export::Star { source }
            | Export::StarAs { source, .. } => Some(&**source),
            Export::Local { .. } => None,
        });
        self.imports.iter().map(|i| &*i.source).chain(exports)
    }
}

#[derive(Debug, Clone)]
pub struct Import {
    pub local: Name,
    pub source: Name,
    pub imported: Imported,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Named(Name),
    Default,
    Namespace,
}

#[derive(Debug, Clone)]
pub enum Export {
    /// `export const x`, `export { x as y }`: exported name → local binding.
    Local { exported: Name, local: Name },
    /// `export { x as y } from './m'`.
    Reexport {
        exported: Name,
        imported: Name,
        source: Name,
    },
    /// `export * from './m'`.
    Star { source: Name },
    /// `export * as ns from './m'`.
    StarAs { exported: Name, source: Name },
}

/// `relations(T, ..)` (v1) or one table's entry in `defineRelations(..)` (v2).
#[derive(Debug, Clone)]
pub struct RelationsDef {
    /// v1: the table expression; v2: the schema key as `TableExpr::Name`.
    pub table: TableExpr,
    /// v2 relations name tables by schema key rather than by binding.
    pub by_key: bool,
    pub relations: Vec<RelationDef>,
}

#[derive(Debug, Clone)]
pub struct RelationDef {
    pub name: String,
    pub many: bool,
    pub target: TableExpr,
    pub fields: Vec<String>,
    pub references: Vec<String>,
    /// v2 `where` preset, relative to the target table.
    pub preset_where: Option<RawPred>,
    /// v2 many-to-many through a link table: `from: r.a.id.through(r.link.aId)`.
    pub through: Option<ThroughDef>,
}

/// A v2 relation's link table (`from: r.tasks.id.through(r.taskLabels.taskId), to:
/// r.labels.id.through(r.taskLabels.labelId)`): `from` are the link's columns paired with the
/// relation's `fields`, `to` those paired with its `references`. No table when the `.through(..)`
/// calls do not name one link table.
#[derive(Debug, Clone)]
pub struct ThroughDef {
    pub table: Option<TableExpr>,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// A function in the project, for inlining predicate helpers and following N+1 calls.
#[derive(Debug, Clone)]
pub struct FunctionDef {
    /// `name`, or `Class.method`, or `object.method`: shared with the facts made inside it.
    pub name: FnName,
    pub params: Vec<Name>,
    /// Parameters whose default value names a table (`(t = notes) => ..`): bound to it when
    /// a helper is called without that argument.
    pub defaults: Vec<(Name, Base)>,
    /// What the function returns read as a predicate: the `or` of its returns (a `return` of
    /// nothing, or falling off the end, is no condition; an array of conditions is their
    /// conjunction), or the conjunction of an array parameter for a helper combining it by its
    /// length. `None` when a return is something else (boxed: most functions return something
    /// else).
    pub returns: Option<Box<RawPred>>,
    pub span: Span,
    /// It never returns: typed `never`, or its body always throws (`forbidden(..)`).
    pub never: bool,
    /// A class's `private` (or `#private`) method: only its class calls it.
    pub private: bool,
    /// It returns the JSON body of the request its parameter at this index is (named `req` or
    /// `request`, or typed as a request): `readJson(request)` doing `return (await
    /// request.json()) as T`. A local given its awaited result holds the client's body.
    pub reads_body: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryKind {
    Select,
    Count,
    FindMany,
    FindFirst,
    Update,
    Delete,
    Insert,
}

impl QueryKind {
    pub fn is_read(self) -> bool {
        matches!(
            self,
            QueryKind::Select | QueryKind::Count | QueryKind::FindMany | QueryKind::FindFirst
        )
    }
}

/// The table a query names: a table expression, or a relational-query key (`db.query.K`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryTarget {
    Table(TableExpr),
    QueryKey(Name),
    /// A raw statement (`db.execute(sql`..`)`): its tables are found when linking, by parsing
    /// the text with the schema's dialect (boxed: most queries are not raw).
    Raw(Box<RawStatement>),
}

/// The `sql` template of a raw statement, as written: the text between the interpolations and
/// what each interpolation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement {
    /// The template's literal parts: one more than `params`.
    pub text: Vec<Box<str>>,
    pub params: Vec<RawParam>,
}

/// One `${..}` of a raw statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawParam {
    /// `${T}`: a table, when the name resolves to one (else a value).
    Table(TableExpr),
    /// `${T.col}`: a column of a table, when the base resolves to one (else a value).
    Column(TableExpr, Name),
    /// Anything else: a bound parameter (`$n` / `?`).
    Value,
}

#[derive(Debug, Clone)]
pub struct QuerySite {
    pub kind: QueryKind,
    pub target: QueryTarget,
    /// Where the table is named: the finding's primary location.
    pub target_span: Span,
    /// The whole call chain.
    pub span: Span,
    pub joins: Vec<JoinFact>,
    /// The query's `where`: `.where(..)`, `$count(T, where)`, a relational `where:`.
    pub where_: Where,
    /// Where and how the query runs.
    pub runs: Runs,
    pub has_limit: bool,
    /// The code takes one row: SQLite's `.get()` or `.limit(1)` (`findFirst` is its kind).
    pub takes_one: bool,
    pub has_offset: bool,
    pub has_order_by: bool,
    pub has_group_by: bool,
    /// The `groupBy(..)` arguments, when they are columns.
    pub group_by: Vec<Operand>,
    /// `select({ n: count() })` with nothing but aggregate calls.
    pub aggregates_only: bool,
    pub with: Vec<WithFact>,
    pub loops: Vec<LoopInfo>,
    pub function: Option<FnName>,
    /// The enclosing function's span (`None` at module level).
    pub scope: Option<Span>,
    /// The local the awaited result is bound to: `const row = await ..`, `const [row] = await ..`.
    pub result: Option<Name>,
    /// Properties of that local read in a condition later in the same function
    /// (`if (!row || row.deletedAt)`): columns the code looks at after the read.
    pub result_tests: Vec<Name>,
    /// An `update` or `delete` with `.returning(..)`: its result holds the rows it changed.
    pub returning: bool,
    /// The keys of a select's shape that name another table's column, or a column under
    /// another name (`{ reportWorkspaceId: statusReport.workspaceId }`): (key, table, column).
    pub selected: Vec<(Name, TableExpr, Name)>,
    /// For an insert: what its values set and what it does on a conflict (boxed: most
    /// queries are not inserts). An upsert's `where`/`setWhere` is the site's `where_`: the
    /// condition an existing row must pass to be updated.
    pub insert: Option<Box<InsertFacts>>,
    /// What the chain is called on, as far as it tells whether it is Drizzle's.
    pub receiver: Receiver,
    /// A run of the prepared statement `queries[i]` (`stmt.execute({..})`): its query where it
    /// runs, what proofs read; findings are the statement's own.
    pub prepared: Option<u32>,
}

/// What a query chain is called on (the part before `select`, `update`, `query`, ..): what tells
/// a Drizzle query from a look-alike (`cache.delete(key)`) when its table is not in the schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Receiver {
    /// A name Drizzle databases and transactions go by: `db`, `tx`, `trx`, `database`, or one
    /// ending in `Db`/`DB` (`tenantDb`), alone or as the last property (`ctx.db`, `this.db`).
    DbName,
    /// A module-level name (the chain's root, not a local): Drizzle's when it is, or is
    /// imported for, one of a module's [`FileFacts::drizzle_clients`].
    Module(Name),
    /// Anything else.
    #[default]
    Other,
}

/// A query's `where`, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Where {
    /// No `where` at all: every row.
    Absent,
    /// A `where` whose condition cannot be read: `.where(...parts)`, `.where()`.
    Unreadable,
    /// A `where` and its condition.
    Condition(RawPred),
}

impl Where {
    /// The condition, when there is one to read.
    pub fn condition(&self) -> Option<&RawPred> {
        match self {
            Where::Condition(p) => Some(p),
            Where::Absent | Where::Unreadable => None,
        }
    }

    /// Whether the code wrote a `where` for the query: not when it has none, nor when it has
    /// only what a function the builder was passed to may have added ([`RawPred::Pass`]).
    pub fn written(&self) -> bool {
        !matches!(self, Where::Absent | Where::Condition(RawPred::Pass(_)))
    }
}

#[derive(Debug, Clone)]
pub struct JoinFact {
    pub kind: Name,
    pub table: TableExpr,
    pub on: Option<RawPred>,
    pub span: Span,
}

/// A relation loaded by a relational query's `with`.
#[derive(Debug, Clone)]
pub struct WithFact {
    pub relation: String,
    pub where_: Option<RawPred>,
    pub has_limit: bool,
    pub many_hint: bool,
    pub with: Vec<WithFact>,
    pub span: Span,
}

/// What kind of loop runs a query more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LoopKind {
    For,
    ForOf,
    ForIn,
    While,
    DoWhile,
    /// The callback of an iteration method (`map`, `forEach`, ..), by its name.
    Method(&'static str),
    /// The callback of a call that runs it once per element of a collection
    /// (`Array.from(xs, fn)`, `pMap(xs, fn)`), by the call's name.
    Callback(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopInfo {
    pub kind: LoopKind,
    pub span: Span,
    /// `for await (..)`: a stream of pages, not N+1.
    pub is_await: bool,
    /// The loop walks a literal array of this many elements.
    pub literal_len: Option<usize>,
    /// The loop already works in batches: `for (i = 0; i < n; i += size)`, `for (const batch
    /// of chunk(xs, n))`.
    pub batched: bool,
    /// Where the fact is, the loop runs its code at most once: the code is followed by a
    /// `return` or `break` of the loop, or guarded by a test of the loop's counter
    /// (`if (i === n - 1)`).
    pub once: bool,
    /// A `for` loop without a test (`for (;;)`, `for (let page = 0; ; page++)`): it ends by a
    /// `break` or `return`, as `while (true)` does.
    pub untested: bool,
}

/// A call to a project function, for following N+1 across calls. Only calls N+1 can use are
/// kept: in a loop or in a named function, and not in a `catch` clause (an error path).
#[derive(Debug, Clone)]
pub struct CallFact {
    /// `["name"]`, `["this", "method"]` or `["object", "method"]`.
    pub callee: Vec<Name>,
    pub span: Span,
    pub loops: Vec<LoopInfo>,
    pub function: Option<FnName>,
}

/// `if (!x) { ..; throw/return }` (also `x == null`, `x === undefined`, `!x?.y`): past the
/// `if`, `x` holds a value. Or `if (x) { .. }`: inside its block (`within`), `x` holds one.
#[derive(Debug, Clone)]
pub struct NullCheck {
    pub local: Name,
    /// The `if` statement (with `within`, its test).
    pub span: Span,
    /// It leaves by throwing (`if (!row) throw ..`), not by returning: a function that reads
    /// `local` so returns only a row it found.
    pub throws: bool,
    /// `if (x) { .. }`: the block where `x` holds a value; nothing is known past it. Also the
    /// block that may not run (or the `try` whose `catch` goes on) the check is in.
    pub within: Option<Span>,
    /// `if (!x) forbidden(..)`: the check leaves by calling this imported function, so it is
    /// one only if that never returns (decided when the project is linked).
    pub via: Option<Name>,
}

impl NullCheck {
    /// The check runs after `after` and before `at`, and `x` holds a value at `at`.
    pub fn covers(&self, after: Span, at: Span) -> bool {
        after.hi <= self.span.lo
            && self.span.hi <= at.lo
            && self.within.is_none_or(|w| w.contains(at))
    }
}

/// `const row = await f(..)` / `const [row] = await ns.f(..)` (a local bound to the result
/// of a call to a function that may be in the project).
#[derive(Debug, Clone)]
pub struct ResultCall {
    pub local: Name,
    /// `["f"]` or `["ns", "f"]`.
    pub callee: Vec<Name>,
    pub span: Span,
    /// The function it is bound in (`None` at module level): the row is known there and in
    /// the functions nested in it (a transaction's callback).
    pub scope: Option<Span>,
}

/// `const local = await db.transaction(async (tx) => { ..; return inner; })`: `local` holds
/// the rows the callback's local `inner` held at its last statement.
#[derive(Debug, Clone)]
pub struct TxResult {
    pub local: Name,
    pub inner: Name,
    /// The callback (the scope of the queries in it).
    pub body: Span,
    /// The closing `return inner`.
    pub ret: Span,
    /// The whole `await db.transaction(..)`.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RawSqlCall {
    pub constant: bool,
    pub span: Span,
    pub function: Option<FnName>,
}

#[derive(Debug, Clone)]
pub struct SuppressionComment {
    pub file_level: bool,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// The line the comment is on, and whether code precedes it on that line.
    pub line: u32,
    pub trailing: bool,
    /// Before every statement other than imports and directives: where `-file` belongs.
    pub at_top: bool,
    pub span: Span,
    /// The directive as written, whitespace-normalised (the fingerprint's code).
    pub text: String,
}

/// A predicate as written in one file, before table references are resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum RawPred {
    Eq(Operand, Operand),
    /// `inArray(col, values)`: the column, and where the values start (see [`ValueAt`]).
    InArray(Operand, Option<ValueAt>),
    IsNull(Operand),
    IsNotNull(Operand),
    /// A comparison that constrains columns without proving equality (`ne`, `gt`, `like`, ...).
    Other(Vec<Operand>),
    And(Vec<RawPred>),
    Or(Vec<RawPred>),
    Not(Box<RawPred>),
    /// No condition at all (`undefined`, a skipped optional part).
    Undefined,
    /// A condition no row passes (`sql`false``).
    False,
    /// Something drizzle-guard cannot see into; `why` is shown to the user.
    Unknown {
        why: String,
        mentions: Vec<Operand>,
        /// For a raw `sql` template: its text and interpolations.
        sql: Option<Box<RawSql>>,
    },
    /// A function parameter used as a whole predicate (substituted when a helper is inlined).
    Param(Name),
    /// A query builder's condition on each path through the code that adds its `where`s, one
    /// part a path (`Undefined` on a path with none; see [`add_path_where`]).
    Paths(Vec<RawPred>),
    /// What a query builder held in a local has after it is passed to a call (`scoped(q,
    /// orgId)`), `builder_passes[n]`: the `where` a project function adds, or what it had.
    Pass(u32),
    /// A call to a function that may be a project helper returning a predicate.
    Call {
        callee: Vec<Name>,
        args: Vec<RawArg>,
        /// A function defined in the enclosing one (`const where = (c) => and(..)`): its index
        /// among this file's functions, found by where it is rather than by name.
        local: Option<u32>,
    },
}

/// A raw `sql` template used as a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSql {
    /// Its text with `${..}` for each interpolation, lowercased (what it may name, and the
    /// text between the interpolations: see [`RawSql::parts`]).
    pub lower: Box<str>,
    /// Each interpolation as an operand (a column, or a value and where it starts).
    pub values: Vec<Operand>,
}

impl RawSql {
    /// The text between the interpolations, lowercased.
    pub fn parts(&self) -> std::str::Split<'_, &'static str> {
        self.lower.split(RAW_HOLE)
    }
}

/// How [`RawSql::lower`] writes an interpolation.
pub const RAW_HOLE: &str = "${..}";

#[derive(Debug, Clone, PartialEq)]
pub struct RawArg {
    pub pred: RawPred,
    /// When the argument is an identifier or `ns.member`, it may name a table.
    pub table: Option<Base>,
    /// An object literal of columns (`{ userId: notes.userId }`): a column bag for a helper
    /// reading `cols.userId`. Empty otherwise.
    pub bag: Vec<(Name, Operand)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `base.key`: a column when `base` resolves to a table; otherwise a value starting at
    /// `at`.
    Member { base: Base, key: Name, at: ValueAt },
    /// A value, and where it starts when it is written in the file.
    Value(Option<ValueAt>),
    /// A parameter of the enclosing function used whole (`eq(col, v)` in `(col: Column, v) =>
    /// ..`): the column the caller passes, when a helper is inlined; a value (starting at the
    /// offset) otherwise.
    Param(Name, ValueAt),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// A module-level name or import.
    Table(TableExpr),
    /// The table of the enclosing relational query (`(t, ops) => ..` or an object filter).
    SelfTable,
    /// A parameter of the enclosing function (substituted when a helper is inlined).
    Param(Name),
}

/// The clauses one call chain on a function's parameter adds to it (`qb.where(..).limit(10)`),
/// when the parameter holds a query builder the caller passes.
#[derive(Debug, Clone)]
pub struct ParamClauses {
    /// The function's span (its [`FunctionDef::span`]).
    pub scope: Span,
    pub param: Name,
    /// The `where` the chain adds; `Absent` when it adds none.
    pub where_: Where,
    pub has_limit: bool,
    pub has_order_by: bool,
    pub has_offset: bool,
    /// The chain is inside a condition or loop of the function: on some paths only.
    pub conditional: bool,
    /// Not a chain of clauses: a `return qb..` in a branch, where a path may end with the
    /// `where`s it has (see [`add_path_where`]'s `branch`).
    pub ends: bool,
}

/// A query builder passed to a call: `withPagination(q, 2)`, `scoped(db.select().from(t)
/// .$dynamic(), orgId)`.
#[derive(Debug, Clone)]
pub struct BuilderPass {
    /// Index of the builder's query in `queries`.
    pub site: usize,
    /// `["name"]`, `["this", "method"]` or `["object", "method"]`.
    pub callee: Vec<Name>,
    /// Which argument it is.
    pub arg: usize,
    /// For a builder held in a local, its `where` before the call, which stands among its
    /// `where`s as a [`RawPred::Pass`]; `None` for one written in place, passed last.
    pub before: Option<Where>,
}

/// `inArray(col, db.select({ id: T.id }).from(T)..)`: the subquery at `site` gives the values
/// `column` may take.
#[derive(Debug, Clone)]
pub struct InArraySubquery {
    pub site: usize,
    pub column: Operand,
    /// The one column the subquery selects (`{ id: T.id }`), when it selects one.
    pub selected: Option<Operand>,
    /// Where it is used: the subquery written in place, or the local holding its builder
    /// (`const ids = db.select(..)..; .. inArray(T.col, ids)`).
    pub at: Span,
}
