//! What values hold: request input, the session, a parameter, or the request objects input is
//! read from; and the reading of an expression's origin.

pub(super) use super::session::{returns_session, session_call, session_name};
use super::session::{session_context_call, session_user_call, session_user_id_call};
use crate::extract::ast::Offsets;
use crate::extract::ast::{member_prop, prop_name, unwrap};
use crate::facts::{join_path, InputOrigin, Name, Origin, TableExpr, ZodObject};
use crate::span::Span;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// What a name or expression holds, as far as origins go.
#[derive(Clone, Debug)]
pub(super) enum Val {
    Input(InputOrigin),
    Session,
    Param {
        scope: Span,
        index: u32,
        path: String,
        each: bool,
    },
    /// See [`Origin::Local`].
    Local {
        name: Name,
        path: String,
        each: bool,
    },
    Const,
    Unknown,
    /// A new empty collection (`new Set()`, `[]`): what the code adds to it
    /// (`ids.add(row.id)`, `ids.push(row.id)`) is what it holds (see `Walk::accumulate`).
    Empty,
    /// A tRPC procedure's options (`{ ctx, input }`), with the schema of its `.input(..)`; or,
    /// `true`, an action client's: next-safe-action's `{ parsedInput, ctx }`, zsa's and oRPC's
    /// `{ input, ctx }` / `{ input, context }`, TanStack Start's `{ data, context }`.
    ProcedureOpts(Option<std::rc::Rc<ZodObject>>, bool),
    /// A web `Request`/`NextRequest`, or an Express/Fastify request.
    Request,
    /// A route handler's second argument (`{ params }`).
    RouteContext,
    /// A default-exported component's props (a Next.js page's or layout's): `params` and
    /// `searchParams` are the URL's (in Next.js 15, promises of it); other props are the
    /// parameter's, which callers fill.
    PageProps(Span),
    /// SvelteKit's `RequestEvent`, given to a route file's `load`, form actions and request
    /// handlers, and React Router's route arguments, given to a route module's `loader` and
    /// `action`: its `params` are the route's, `url` and `request` the request's, and `locals`
    /// (SvelteKit's `handle` hook's) and `context` (React Router's server's) the session.
    RequestEvent,
    SearchParams,
    FormData,
    /// Hono's context `c`, and its `c.req`.
    HonoContext,
    HonoRequest,
    /// An h3 event (Nitro's, Nuxt's server routes), given to `defineEventHandler(..)`'s
    /// handler: h3's functions read the request's input from it, and its `context` (below) is
    /// what server middleware put there (see `h3`).
    H3Event,
    H3Context,
    /// Elysia's context, given to a route's handler (see `elysia`).
    ElysiaContext,
    /// Qwik City's request event and its `parseBody` (see `qwik`).
    QwikEvent,
    QwikParseBody,
    /// Koa's context, its `ctx.request` and its `ctx.cookies` (see `koa`).
    KoaContext,
    KoaRequest,
    KoaCookies,
    /// An AWS Lambda handler's API Gateway event (a parameter typed `APIGatewayProxyEvent`,
    /// `APIGatewayProxyEventV2`, ..): see `Val::lambda_member`.
    LambdaEvent,
    /// What a function returns when given a session value (`getTeamsByUserId(db,
    /// session.user.id)`): the session's own rows; once bound to a local (`Some`), also that
    /// local's rows (`const project = await getProject(input.id, ctx.orgId)`).
    SessionRows(Option<Atom>),
    /// `teams.some((t) => t.id === v)` on the session's rows: whether `v` is one of them.
    Membership(Box<Val>),
    /// A value of its own: what the local `name` holds after its `n`th assignment of no known
    /// origin in the file (or a property of it, `path`). Equal only to itself; named `name'n`
    /// where a use records it (naming it at each assignment cost more than all its uses).
    Version {
        name: Name,
        n: u32,
        path: String,
    },
    /// An object literal a local holds (`const tuple = { keyId: key.id, roleId }`): what each
    /// key holds, the last of a key winning.
    Object(std::rc::Rc<[(Name, Val)]>),
    /// `new InvoiceService(..)`: an instance of a class the module names (maybe the
    /// project's), whose method calls (`svc.getOrThrow(id)`) are that class's.
    Instance(Name),
}

impl Val {
    /// What the local `name` holds, given a call's result: known by its name.
    pub(super) fn rows(name: &Atom) -> Val {
        Val::Local {
            name: name.clone(),
            path: String::new(),
            each: false,
        }
    }

    /// One of the rows (or values) this holds: an element of a local's rows or of a
    /// parameter's (also of the rows a helper given a session value returned, held by a
    /// local); anything else is not followed so.
    pub(super) fn one_of_many(self) -> Val {
        match self {
            Val::SessionRows(Some(name)) => Val::rows(&name).one_of_many(),
            Val::Local { name, path, .. } => Val::Local {
                name,
                path,
                each: true,
            },
            Val::Param {
                scope, index, path, ..
            } => Val::Param {
                scope,
                index,
                path,
                each: true,
            },
            _ => Val::Unknown,
        }
    }

    pub(super) fn fact(&self) -> Option<Origin> {
        match self {
            Val::Input(i) => Some(Origin::Input(Box::new(i.clone()))),
            Val::Session => Some(Origin::Session),
            Val::Param {
                scope,
                index,
                path,
                each,
            } => Some(Origin::Param {
                scope: *scope,
                index: *index,
                path: path.as_str().into(),
                each: *each,
            }),
            Val::Local { name, path, each } => Some(Origin::Local {
                name: name.clone(),
                path: path.as_str().into(),
                each: *each,
            }),
            Val::SessionRows(Some(name)) => Val::rows(name).fact(),
            Val::Version { name, n, path } => Some(Origin::Local {
                name: format!("{name}'{n}").into(),
                path: path.as_str().into(),
                each: false,
            }),
            Val::PageProps(scope) => Some(Origin::Param {
                scope: *scope,
                index: 0,
                path: "".into(),
                each: false,
            }),
            _ => None,
        }
    }
}

pub(super) fn input(label: &'static str, path: String, span: Span) -> Val {
    Val::Input(InputOrigin {
        label,
        path: path.into(),
        span,
        schema: None,
    })
}

/// How the code names `base.key` (`base_text`: how it names the base, when it is a name), for
/// the description of input read from a request.
pub(super) fn named(base_text: Option<&str>, key: &str) -> String {
    match base_text {
        Some(b) => format!("{b}.{key}"),
        None => key.to_owned(),
    }
}

/// `base.key`: what a property of a value holds. `base_text` is how the code names the base,
/// when it is a name (for the description of input read from a request).
pub(super) fn member(base: &Val, base_text: Option<&str>, key: &str, span: Span) -> Val {
    match base {
        Val::Input(i) => input(i.label, join_path(&i.path, key), span),
        // Metadata the signed-in user can write themselves (Supabase's `user_metadata`,
        // Clerk's `unsafeMetadata`) is theirs to choose, not the session's.
        Val::Session if matches!(key, "user_metadata" | "unsafeMetadata") => {
            input("metadata the user writes", named(base_text, key), span)
        }
        Val::Session => Val::Session,
        Val::Param {
            scope,
            index,
            path,
            each,
        } => Val::Param {
            scope: *scope,
            index: *index,
            path: join_path(path, key),
            each: *each,
        },
        Val::Local { name, path, each } => Val::Local {
            name: name.clone(),
            path: join_path(path, key),
            each: *each,
        },
        Val::SessionRows(Some(name)) => member(&Val::rows(name), base_text, key, span),
        Val::Version { name, n, path } => Val::Version {
            name: name.clone(),
            n: *n,
            path: join_path(path, key),
        },
        Val::Object(props) => props
            .iter()
            .rev()
            .find(|(k, _)| **k == *key)
            .map_or(Val::Unknown, |(_, v)| v.clone()),
        Val::ProcedureOpts(schema, action) => {
            let label = match (key, *action) {
                ("input", false) => crate::facts::TRPC_INPUT,
                // next-safe-action's, validated by its `.schema(..)`; zsa's and oRPC's `input`;
                // TanStack Start's `data`, validated by its `.validator(..)`.
                ("parsedInput", _) | ("input" | "data", true) => "the action's input",
                ("ctx", _) | ("context", true) => return Val::Session,
                _ => return Val::Unknown,
            };
            Val::Input(InputOrigin {
                label,
                path: key.into(),
                span,
                schema: schema.as_ref().map(|s| Box::new((**s).clone())),
            })
        }
        Val::Request => match key {
            // What authentication middleware put on the request: NextAuth's `auth((req) =>
            // ..)` (`req.auth`), Passport and express-session (`req.user`, `req.session`).
            "auth" | "user" | "session" => Val::Session,
            "body" => input("the request body", named(base_text, key), span),
            "params" => input("the route parameters", named(base_text, key), span),
            "query" => input("the query string", named(base_text, key), span),
            // (Express's and Node's headers and cookies, which the client sends as it likes.)
            "headers" => input("the request headers", named(base_text, key), span),
            "cookies" => input("the request cookies", named(base_text, key), span),
            "nextUrl" => Val::Request,
            "searchParams" => Val::SearchParams,
            // The path a plain handler routes by (`new URL(request.url).pathname.match(..)`),
            // and the URL itself (`pattern.exec(request.url)`).
            "pathname" => input("the URL path", named(base_text, key), span),
            "url" => input("the request URL", named(base_text, key), span),
            // A request handler given an event rather than the request itself (SolidStart's
            // `APIEvent`, `({ params, request, locals })`): its request, and what middleware
            // put in `locals` for it.
            "request" => Val::Request,
            "locals" => Val::Session,
            _ => Val::Unknown,
        },
        Val::RequestEvent => match key {
            "params" => input("the route parameters", named(base_text, key), span),
            // The request's URL, whose `searchParams` are the query string (as `new
            // URL(req.url)` is).
            "url" | "request" => Val::Request,
            // (React Router's `context`: what the server put there for the request.)
            "locals" | "context" => Val::Session,
            _ => Val::Unknown,
        },
        Val::RouteContext => match key {
            "params" => input("the route parameters", "params".into(), span),
            _ => Val::Unknown,
        },
        Val::PageProps(scope) => match key {
            "params" => input("the route parameters", "params".into(), span),
            "searchParams" => input("the query string", "searchParams".into(), span),
            _ => Val::Param {
                scope: *scope,
                index: 0,
                path: key.to_owned(),
                each: false,
            },
        },
        Val::HonoContext => match key {
            "req" => Val::HonoRequest,
            "var" => Val::Session,
            _ => Val::Unknown,
        },
        Val::H3Event | Val::H3Context => base.h3_member(key, span),
        Val::ElysiaContext => Val::elysia_member(base_text, key, span),
        Val::KoaContext => Val::koa_member(base_text, key, span),
        Val::QwikEvent => Val::qwik_member(base_text, key, span),
        Val::KoaRequest => Val::koa_request_member(base_text, key, span),
        Val::LambdaEvent => Val::lambda_member(base_text, key, span),
        _ => Val::Unknown,
    }
}

/// The names in scope and the functions the walk is in.
pub(super) struct Env {
    pub(super) at: Offsets,
    /// The locals in scope, innermost last.
    pub(super) vars: Vec<(Atom, Val)>,
    /// The spans of the functions the walk is in, innermost last.
    pub(super) scopes: Vec<Span>,
    /// The body schema of the Hono route whose handler the walk is in (`api.openapi(route,
    /// handler)`, `app.post(path, zValidator('json', S), handler)`): what `c.req.valid('json')`
    /// lets through.
    pub(super) body: Option<std::rc::Rc<ZodObject>>,
    /// In a class's methods: the class (see `fields`).
    pub(super) this: Option<std::rc::Rc<This>>,
    /// The classes the module declares or imports from the project (`project_classes`): a
    /// local given `new C(..)` of one holds an instance whose method calls are followed.
    pub(super) classes: Vec<Atom>,
}

/// What `this` is in a class's methods.
pub(super) struct This {
    /// The class's name, when it has one.
    pub(super) class: Option<Atom>,
    /// What fields hold: the constructor's parameters (or the session) they store.
    pub(super) values: Vec<(Atom, Val)>,
    /// The project classes fields hold instances of (`private invoices: InvoicesService`).
    pub(super) classes: Vec<(Atom, Atom)>,
    /// The class's getters with no setter: each is one value of its own.
    pub(super) getters: Vec<Atom>,
}

impl Env {
    pub(super) fn scope(&self) -> Option<Span> {
        self.scopes.last().copied()
    }

    pub(super) fn lookup(&self, name: &Atom) -> Option<&Val> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub(super) fn is_bound(&self, name: &Atom) -> bool {
        self.vars.iter().any(|(n, _)| n == name)
    }

    /// `T.col` or `ns.T.col` with `T` (or `ns`) not a local: a column of a table.
    pub(super) fn column(&self, e: &Expr) -> Option<(TableExpr, Name)> {
        let Expr::Member(m) = unwrap(e) else {
            return None;
        };
        let key = member_prop(&m.prop)?;
        Some((self.table(&m.obj)?, key))
    }

    pub(super) fn table(&self, e: &Expr) -> Option<TableExpr> {
        match unwrap(e) {
            Expr::Ident(t) if !self.is_bound(&t.sym) && !session_name(&t.sym) => {
                Some(TableExpr::Name(t.sym.clone()))
            }
            Expr::Member(m) => match unwrap(&m.obj) {
                Expr::Ident(ns) if !self.is_bound(&ns.sym) && !session_name(&ns.sym) => {
                    Some(TableExpr::Member(ns.sym.clone(), member_prop(&m.prop)?))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Where the value of `e` comes from.
    pub(super) fn origin(&self, e: &Expr) -> Val {
        match unwrap(e) {
            Expr::Await(a) => self.origin(&a.arg),
            Expr::Lit(_) => Val::Const,
            Expr::Tpl(t) if t.exprs.is_empty() => Val::Const,
            Expr::Ident(i) => match self.lookup(&i.sym) {
                Some(v) => v.clone(),
                None if session_name(&i.sym) => Val::Session,
                None if &*i.sym == "undefined" => Val::Const,
                None => Val::Unknown,
            },
            Expr::Member(m) => self.member_origin(m),
            Expr::OptChain(c) => match &*c.base {
                OptChainBase::Member(m) => self.member_origin(m),
                OptChainBase::Call(c) => self.called(&c.callee, &c.args, c.span),
            },
            Expr::Call(c) => self.call_origin(c),
            Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
                either(self.origin(&b.left), self.origin(&b.right))
            }
            Expr::Cond(c) => either(self.origin(&c.cons), self.origin(&c.alt)),
            // `new URL(req.url)`: the request's URL, whose `searchParams` are the query string.
            Expr::New(n) if self.request_url(n) => Val::Request,
            Expr::New(n)
                if n.args.as_ref().is_none_or(|a| a.is_empty())
                    && matches!(unwrap(&n.callee), Expr::Ident(s)
                        if matches!(&*s.sym, "Set" | "Map") && !self.is_bound(&s.sym)) =>
            {
                Val::Empty
            }
            Expr::New(n) => match unwrap(&n.callee) {
                Expr::Ident(c) if self.classes.contains(&c.sym) && !self.is_bound(&c.sym) => {
                    Val::Instance(c.sym.clone())
                }
                _ => Val::Unknown,
            },
            // `[...ids]`, `[...new Set(ids)]`: the values of `ids`, copied.
            Expr::Array(a) => match a.elems.as_slice() {
                [] => Val::Empty,
                [Some(ExprOrSpread {
                    spread: Some(_),
                    expr,
                })] => self.copied(expr),
                // `[row]`: a list of that one row (`[project].map((p) => p.id)` is its `id`);
                // `[id]`: a list of that one value (`inArray(T.id, [id])` is `eq(T.id, id)`).
                [Some(ExprOrSpread { spread: None, expr })] => match self.origin(expr) {
                    v @ (Val::Local { .. }
                    | Val::Param { .. }
                    | Val::Version { .. }
                    | Val::Input(_)
                    | Val::Session
                    | Val::Const) => v,
                    _ => Val::Unknown,
                },
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }

    /// `new URL(req.url)` (or `new URL(req.url, base)`) on a request.
    fn request_url(&self, n: &NewExpr) -> bool {
        let url = matches!(unwrap(&n.callee), Expr::Ident(u) if &*u.sym == "URL" && !self.is_bound(&u.sym));
        url && n.args.as_deref().and_then(|a| a.first()).is_some_and(|a| {
            matches!(unwrap(&a.expr), Expr::Member(m)
                if member_prop(&m.prop).as_deref() == Some("url")
                    && matches!(self.origin(&m.obj), Val::Request))
        })
    }

    /// What an object literal bound to a local holds (see [`Val::Object`]), when one of its
    /// values has a known origin. A spread of anything but such an object may overwrite any
    /// key written before it: those are forgotten.
    pub(super) fn object(&self, o: &ObjectLit) -> Val {
        let mut props: Vec<(Name, Val)> = vec![];
        for p in &o.props {
            match p {
                PropOrSpread::Spread(s) => match self.origin(&s.expr) {
                    Val::Object(inner) => props.extend(inner.iter().cloned()),
                    _ => props.clear(),
                },
                PropOrSpread::Prop(p) => match &**p {
                    Prop::KeyValue(kv) => {
                        let Some(key) = prop_name(&kv.key) else {
                            props.clear();
                            continue;
                        };
                        props.push((key.into(), self.origin(&kv.value)));
                    }
                    Prop::Shorthand(i) => {
                        props.push((i.sym.clone(), self.origin(&Expr::Ident(i.clone()))));
                    }
                    _ => {}
                },
            }
        }
        if props.iter().any(|(_, v)| v.fact().is_some()) {
            Val::Object(props.into())
        } else {
            Val::Unknown
        }
    }

    /// The values a copy of `e` holds: those of `e`, or of `ids` for `new Set(ids)`.
    pub(super) fn copied(&self, e: &Expr) -> Val {
        match unwrap(e) {
            Expr::New(n) => match (unwrap(&n.callee), n.args.as_deref()) {
                (Expr::Ident(set), Some([arg]))
                    if &*set.sym == "Set" && arg.spread.is_none() && !self.is_bound(&set.sym) =>
                {
                    self.origin(&arg.expr)
                }
                _ => Val::Unknown,
            },
            e => self.origin(e),
        }
    }

    fn member_origin(&self, m: &MemberExpr) -> Val {
        let Some(key) = member_prop(&m.prop) else {
            // `rows[0]`: one of the rows (`row.tasks[0]`: one of a relation's rows).
            return match (&m.prop, self.origin(&m.obj)) {
                // `parts[2]` of the client's string split, `match[1]`: a piece of it.
                (MemberProp::Computed(_), v @ Val::Input(_)) => v,
                (MemberProp::Computed(c), Val::Local { name, path, .. })
                    if matches!(unwrap(&c.expr), Expr::Lit(Lit::Num(_))) =>
                {
                    Val::Local {
                        name,
                        path,
                        each: true,
                    }
                }
                _ => Val::Unknown,
            };
        };
        // `new Set(ids).size`: how many distinct values `ids` holds, read as its count (a check
        // that it equals a count of rows found fails on duplicates, never passes wrongly).
        if &*key == "size" {
            if let Expr::New(n) = unwrap(&m.obj) {
                if let (Expr::Ident(set), Some([arg])) = (unwrap(&n.callee), n.args.as_deref()) {
                    if &*set.sym == "Set" && arg.spread.is_none() && !self.is_bound(&set.sym) {
                        let of = self.origin(&arg.expr);
                        return member(&of, None, "length", self.at.span(m.span));
                    }
                }
            }
        }
        // `this.workspaceId`: what the constructor stored in the field.
        // A getter is a value of its own, the same in every method.
        if let (Expr::This(_), Some(this)) = (unwrap(&m.obj), &self.this) {
            return match this.values.iter().find(|(n, _)| *n == key) {
                Some((_, v)) => v.clone(),
                None if !this.getters.contains(&key) => Val::Unknown,
                None => Val::Version {
                    name: format!("this.{key}").into(),
                    n: 0,
                    path: String::new(),
                },
            };
        }
        let base = self.origin(&m.obj);
        if matches!(base, Val::Unknown | Val::Const) {
            return Val::Unknown;
        }
        let text = match unwrap(&m.obj) {
            Expr::Ident(i) => Some(&*i.sym),
            _ => None,
        };
        member(&base, text, &key, self.at.span(m.span))
    }

    /// `(t) => t.id === v`: what `v` holds.
    pub(super) fn compared(&self, e: &Expr) -> Val {
        let Expr::Arrow(a) = unwrap(e) else {
            return Val::Unknown;
        };
        let ArrowFunctionBody::Expr(body) = &*a.body else {
            return Val::Unknown;
        };
        let Expr::Bin(b) = unwrap(body) else {
            return Val::Unknown;
        };
        if !matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq) {
            return Val::Unknown;
        }
        let of_item = |e: &Expr| {
            matches!(unwrap(e), Expr::Member(m) if matches!(unwrap(&m.obj), Expr::Ident(i)
                if a.params.first().is_some_and(|p| matches!(p, Pat::Ident(n) if n.id.sym == i.sym))))
        };
        match (of_item(&b.left), of_item(&b.right)) {
            (true, false) => self.origin(&b.right),
            (false, true) => self.origin(&b.left),
            _ => Val::Unknown,
        }
    }

    fn call_origin(&self, c: &CallExpr) -> Val {
        let Callee::Expr(callee) = &c.callee else {
            return Val::Unknown;
        };
        self.called(callee, &c.args, c.span)
    }

    /// What a call of `callee` with `args` returns (also an optional call: `rows?.at(0)`).
    fn called(&self, callee: &Expr, args: &[ExprOrSpread], call: swc_common::Span) -> Val {
        let first = || args.first().filter(|a| a.spread.is_none());
        match unwrap(callee) {
            // Qwik City's `parseBody` taken from the event: `await parseBody()`.
            Expr::Ident(f) if self.is_bound(&f.sym) => match self.lookup(&f.sym) {
                Some(Val::QwikParseBody) => {
                    input("the request body", "parseBody()".into(), self.at.span(call))
                }
                _ => Val::Unknown,
            },
            // `getQuery(event)`: what h3's function reads from the event.
            Expr::Ident(f) if self.h3_reads(&f.sym, args) => self.h3_call(&f.sym, args, call),
            Expr::Ident(f) => match &*f.sym {
                "String" | "Number" | "BigInt" | "parseInt" => {
                    first().map_or(Val::Unknown, |a| self.origin(&a.expr))
                }
                name if session_call(name) => Val::Session,
                name if args.is_empty() && session_user_call(name) => Val::Session,
                // `tryGetActorUserId(ctx.actor)`: the user id its one argument carries, by the
                // call's name (the session's, for the session).
                // `requireUserId(request)`: the user id of the session the request's cookie holds.
                name if session_user_id_call(name) && args.len() == 1 => match first() {
                    Some(a) => match self.origin(&a.expr) {
                        Val::Request => Val::Session,
                        v => member(&v, None, "userId", self.at.span(call)),
                    },
                    None => Val::Unknown,
                },
                // `toServiceCtx(ctx)`, `requireAccount(locals)`: the session, or a part of it.
                name if session_context_call(name)
                    && args.len() == 1
                    && matches!(first().map(|a| self.origin(&a.expr)), Some(Val::Session)) =>
                {
                    Val::Session
                }
                _ if args
                    .iter()
                    .any(|a| matches!(self.origin(&a.expr), Val::Session)) =>
                {
                    Val::SessionRows(None)
                }
                _ => Val::Unknown,
            },
            Expr::Member(m) => self.method_call(m, args, call),
            // `row?.tasks.at(0)`: the callee is itself optional.
            Expr::OptChain(o) => match &*o.base {
                OptChainBase::Member(m) => self.method_call(m, args, call),
                OptChainBase::Call(_) => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }
}

/// `const { a, b: c } = await ..`: what an object holds whose keys are each the rows of the
/// local it is bound to (`a`'s, `c`'s); anything else it destructures holds nothing known.
pub(super) fn destructured_rows(o: &ObjectPat) -> Val {
    let props: Vec<(Name, Val)> = crate::extract::ast::plain_bindings(o)
        .map(|(key, local)| (key, Val::rows(local)))
        .collect();
    Val::Object(props.into())
}

/// One value of `a || b`, `c ? a : b`: input if either is (the client may choose it).
fn either(a: Val, b: Val) -> Val {
    match (a, b) {
        (a @ Val::Input(_), _) | (_, a @ Val::Input(_)) => a,
        (Val::Unknown | Val::Const, b) => b,
        (a, _) => a,
    }
}

pub(super) fn prop_key(p: &Prop) -> Option<Name> {
    match p {
        Prop::KeyValue(kv) => prop_name(&kv.key).map(Name::from),
        Prop::Shorthand(i) => Some(i.sym.clone()),
        Prop::Method(m) => prop_name(&m.key).map(Name::from),
        _ => None,
    }
}

/// `export default function Page({ params, searchParams })`: a page or layout given the URL.
pub(super) fn page_with_url_props(item: &ModuleItem) -> bool {
    let ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(d)) = item else {
        return false;
    };
    let DefaultDecl::Fn(f) = &d.decl else {
        return false;
    };
    let Some(Pat::Object(o)) = f.function.params.first().map(|p| &p.pat) else {
        return false;
    };
    o.props.iter().any(|p| {
        let key = match p {
            ObjectPatProp::KeyValue(kv) => prop_name(&kv.key),
            ObjectPatProp::Assign(a) => Some(a.key.id.sym.to_string()),
            ObjectPatProp::Rest(_) => None,
        };
        matches!(key.as_deref(), Some("params" | "searchParams"))
    })
}
