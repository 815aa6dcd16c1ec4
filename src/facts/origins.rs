//! Where values come from: the facts `extract::origins` records and `link::origins` follows
//! across files.

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
    /// (`path`, dotted, empty for the parameter itself): the callers decide.
    Param {
        scope: Span,
        index: u32,
        path: Box<str>,
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
    /// For a tRPC `input` whose schema is written in place (`.input(z.object({ .. }))`), the
    /// keys it lets through (boxed: most inputs have none known).
    pub keys: Option<Box<[Name]>>,
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
