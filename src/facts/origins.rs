//! Where values come from: the facts `extract::origins` records and `link::origins` follows
//! across files.

use super::schema::TableExpr;
use crate::span::Span;
use swc_atoms::Atom as Name;

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Request input, which the client chooses (boxed: most values are not).
    Input(Box<InputOrigin>),
    /// The session or request context (`ctx.*`, `auth()`, `c.get(..)`).
    Session,
    /// A parameter of the function whose span is `scope` (its `index`th), or a property of it
    /// (`path`, dotted, empty for the parameter itself): the callers decide. `each` when the
    /// value is the property's values over the rows the parameter holds (`rows.map((r) =>
    /// r.id)`), as for [`Origin::Local`].
    Param {
        scope: Span,
        index: u32,
        path: Box<str>,
        each: bool,
    },
    /// What the local `name` holds, given a call's result (`const row = await db.select()..`,
    /// `const [row] = await ..`, `const found = await getProject(..)`), or a property of it
    /// (`path`, dotted, empty for the whole). `each` when the value is one of many: an element
    /// (`for (const item of rows)`, `rows.find(..)`, `rows[0]`) or a property's values
    /// (`rows.map((r) => r.id)`). Whether the local holds a checked row is for the rules to say.
    Local {
        name: Name,
        path: Box<str>,
        each: bool,
    },
}

/// The label of a tRPC procedure's `input`.
pub const TRPC_INPUT: &str = "the tRPC input";

/// Request input: what kind (`the tRPC input`), the value as the code names it
/// (`input.teamId`), and where it is read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputOrigin {
    pub label: &'static str,
    pub path: Box<str>,
    pub span: Span,
    /// The zod object schema that validated it, when known: a tRPC procedure's `.input(..)`,
    /// the body schema of a `@hono/zod-openapi` route or of a `zValidator('json', ..)` (boxed:
    /// most inputs have none known). Zod drops the keys it does not name.
    pub schema: Option<Box<ZodObject>>,
}

/// A zod object schema as written (`z.object({ a, b })`, `Schema.omit({ id: true }).partial()`,
/// `Base.extend({ c })`): the keys it lets through, maybe starting from a schema named
/// elsewhere, which linking resolves. Methods that keep the keys (`partial`, `strict`,
/// `openapi`, `refine`, ..) are not recorded; a schema changed in any other way (`passthrough`,
/// `transform`, a spread) is no `ZodObject`.
#[derive(Debug, Clone, PartialEq)]
pub struct ZodObject {
    pub base: ZodBase,
    pub ops: Vec<ZodOp>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ZodBase {
    /// `z.object({ .. })`'s keys.
    Keys(Vec<Name>),
    /// A schema bound to a name (a module-level `const`, maybe imported).
    Named(Name),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ZodOp {
    Omit(Vec<Name>),
    Pick(Vec<Name>),
    /// `extend({ .. })` (also `merge(z.object({ .. }))`): these keys added.
    Extend(Vec<Name>),
    /// `merge(Other)`: the keys of a schema bound to a name added.
    Merge(Name),
}

/// A call whose arguments carry known origins, for following values into project functions.
#[derive(Debug, Clone)]
pub struct CallOrigins {
    /// `["name"]`, `["ns", "name"]` or `["this", "method"]`.
    pub callee: Vec<Name>,
    pub span: Span,
    pub scope: Option<Span>,
    /// The local its awaited result is bound to (`const member = await check(..)`).
    pub result: Option<Name>,
    pub args: Vec<ArgOrigin>,
    /// Its error reaches the code after it: it is awaited, and not through `.catch(..)`.
    pub awaited: bool,
    /// The block its error stops the code of (a branch, a `try` whose `catch` goes on); `None`:
    /// the rest of its function.
    pub within: Option<Span>,
}

impl CallOrigins {
    /// An error of the call, when it fails, stops the code at `at` (after it).
    pub fn stops(&self, at: Span) -> bool {
        self.awaited && self.within.is_none_or(|w| w.contains(at))
    }
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgOrigin {
    Value(Option<Origin>),
    /// An object literal: its keys in order (`None` for a spread), each with its origin.
    Object(Vec<(Option<Name>, Option<Origin>)>),
}

/// An `if` that leaves unless two values are equal.
#[derive(Debug, Clone)]
pub struct Guard {
    pub value: Origin,
    pub against: Origin,
    /// The `if` statement.
    pub span: Span,
    pub scope: Option<Span>,
    /// The `if` is on every path of its function (not in a branch, a loop or a `try`).
    pub top: bool,
    /// The `if` is in the block that declared the local its value names (`const [row] = await
    /// ..; if (!row || row.teamId !== teamId) throw ..`, both in one branch), not in a branch,
    /// a loop or a `try` inside it: it runs on every path from that declaration.
    pub beside: bool,
    /// The branch the `if` is in, when it is in one (see `extract::reach`): past the branch
    /// the check does not hold (`if (post) { if (rows.length !== ids.length) return ..; .. }`
    /// proves nothing after the block).
    pub within: Option<Span>,
    /// The branch is `if (keys.length) { .. }` (`within`), `keys` holding this: past the
    /// branch, `keys` were checked or are empty.
    pub nonempty: Option<Origin>,
    /// `if (row.teamId !== teamId) notFound()`: it leaves by calling this imported function,
    /// so it is one only if that never returns (decided when the project is linked, as for
    /// [`crate::facts::NullCheck::via`]).
    pub via: Option<Name>,
}

/// A tRPC builder chain (`protectedProcedure.use(isMember).input(..)`): the builder it starts
/// from and the middlewares it adds. Recorded for module-level builders and middlewares
/// (`const teamProcedure = protectedProcedure.use(isMember)`, `const isMember =
/// t.middleware(fn)`) and for every procedure (`teamProcedure.input(..).query(fn)`).
#[derive(Debug, Clone)]
pub struct Builder {
    /// The module-level `const` it is bound to (`None` for a procedure).
    pub name: Option<Name>,
    /// The declaration's initialiser, or the procedure's `.query(fn)` call.
    pub span: Span,
    /// The name the chain starts from (`protectedProcedure`; `t` for `t.procedure`).
    pub base: Option<Name>,
    pub middlewares: Vec<Middleware>,
}

/// A middleware a builder chain adds.
#[derive(Debug, Clone, PartialEq)]
pub enum Middleware {
    /// Written in place: the function's span.
    Inline(Span),
    /// A name: a builder or middleware (`t.middleware(fn)`), or a project function.
    Named(Name),
}

/// `path.key`, or `key` for an empty path: a property of a value's path (`input.teamId`).
pub fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Where values come from, for the values that can carry a tenant: the value side of every
/// `eq`/`inArray` on a table's column, every key written by `insert(..).values({..})` and
/// `update(..).set({..})`, and the arguments of calls that pass such values on.
#[derive(Debug, Default, Clone)]
pub struct OriginFacts {
    /// The file's values were followed (it holds queries, handlers or server actions): its
    /// `calls` are all its calls to functions that may be the project's.
    pub walked: bool,
    /// The file registers request handlers (`.query(fn)`, `app.get('/x', fn)`): its values
    /// are followed even when it holds no query.
    pub handlers: bool,
    /// Sorted by where each value starts (and ends): a value is found by its start.
    pub uses: Vec<ValueUse>,
    /// Calls with at least one argument of known origin.
    pub calls: Vec<CallOrigins>,
    /// The callee's last name of every other call: such a call passes nothing a caller checked.
    pub opaque_calls: Vec<Name>,
    /// `if (input.teamId !== ctx.teamId) throw ..`: past the `if`, `value` equals `against`.
    pub guards: Vec<Guard>,
    /// Module-level tRPC builders and middlewares made with `.use(..)`/`.middleware(..)`.
    pub builders: Vec<Builder>,
    /// tRPC procedures (`.query(fn)`, `.mutation(fn)`) and the builder chains they are made on.
    pub procedures: Vec<Builder>,
    /// A local reassigned under a condition from one local's rows to another's (`let item =
    /// result; if (..) item = primary;`), named apart (`item'3`, see `Origin::Local`), and
    /// the locals whose rows it may hold: it is a checked row when every one of them is.
    pub merged: Vec<(Name, Vec<Name>)>,
}

impl OriginFacts {
    /// The locals whose rows `local` holds: those a conditional reassignment merged
    /// ([`Self::merged`]), or `local` itself.
    pub fn alternatives<'a>(&'a self, local: &'a str) -> Vec<&'a str> {
        match self.merged.iter().find(|(n, _)| **n == *local) {
            Some((_, alts)) => alts.iter().map(|a| &**a).collect(),
            None => vec![local],
        }
    }

    /// The values that start at `at`.
    pub fn uses_at(&self, at: ValueAt) -> impl Iterator<Item = &ValueUse> {
        let first = self.uses.partition_point(|u| u.span.lo < at);
        self.uses[first..]
            .iter()
            .take_while(move |u| u.span.lo == at)
    }

    /// The values written inside `span` (a query's), in order.
    pub fn uses_within(&self, span: Span) -> impl Iterator<Item = &ValueUse> {
        let first = self.uses.partition_point(|u| u.span.lo < span.lo);
        self.uses[first..]
            .iter()
            .take_while(move |u| u.span.lo < span.hi)
            .filter(move |u| u.span.hi <= span.hi)
    }
}

/// A value whose origin is known (request input, the session, a parameter), and where it goes.
#[derive(Debug, Clone)]
pub struct ValueUse {
    pub target: UseTarget,
    pub origin: Origin,
    /// The value expression (for a spread, the spread object).
    pub span: Span,
    /// The enclosing function's span (`None` at module level).
    pub scope: Option<Span>,
}

/// Where a value goes.
#[derive(Debug, Clone, PartialEq)]
pub enum UseTarget {
    /// `eq(T.column, value)`, `inArray(T.column, value)`; `table` is `None` for a column of
    /// the relational query's own table (`where: (t, { eq }) => eq(t.column, value)`).
    Filter {
        table: Option<TableExpr>,
        column: Name,
    },
    /// `insert(T).values({ key: value })`, `update(T).set({ key: value })`.
    Write { table: TableExpr, key: Name },
    /// `sql`namespace_id = ${value}``: a value a raw fragment interpolates, compared with a
    /// column the fragment's text names (read when the fragment is linked to its query).
    Raw,
    /// `insert(T).values({ ...value, later })` (or `.values(value)`): every key of `value`,
    /// except the `later` keys written after it.
    Spread { table: TableExpr, later: Vec<Name> },
}

/// Where a value expression starts in its file (a byte offset): the key that joins a value in
/// a condition to its origin in [`OriginFacts::uses`], which says where it comes from (request
/// input, the session, a parameter, a row a local holds). Conditions keep no other account of
/// their values.
pub type ValueAt = u32;
