//! What a method call returns: a row of a local's rows, the values over a parameter's rows,
//! a membership test over the session's rows, or a read of request input.

use super::values::{input, Env, Val};
use crate::extract::ast::{member_prop, str_value, unwrap};
use crate::facts::{join_path, Name};
use swc_ecma_ast::*;

impl Env {
    /// What a method call `obj.method(args)` returns.
    pub(super) fn method_call(
        &self,
        m: &MemberExpr,
        args: &[ExprOrSpread],
        call: swc_common::Span,
    ) -> Val {
        let first = || args.first().filter(|a| a.spread.is_none());
        let Some(method) = member_prop(&m.prop) else {
            return Val::Unknown;
        };
        // `supabase.auth.getUser()`, `auth.api.getSession({ headers })`: the signed-in user or
        // session, from an auth client.
        if matches!(&*method, "getUser" | "getSession" | "getClaims") && auth_client(&m.obj) {
            return Val::Session;
        }
        // `Number.parseInt(id)`: the same value, as a number.
        if let (Expr::Ident(number), "parseInt", Some(a)) = (unwrap(&m.obj), &*method, first()) {
            if &*number.sym == "Number" && !self.is_bound(&number.sym) {
                return self.origin(&a.expr);
            }
        }
        // `JSON.parse(event.body)`: the same value, parsed.
        if let (Expr::Ident(json), "parse", Some(a)) = (unwrap(&m.obj), &*method, first()) {
            if &*json.sym == "JSON" && !self.is_bound(&json.sym) {
                return self.origin(&a.expr);
            }
        }
        // `Array.from(ids)`, `Array.from(new Set(ids))`: the values of `ids`, copied.
        if &*method == "from" && args.len() == 1 {
            if let (Expr::Ident(array), Some(a)) = (unwrap(&m.obj), first()) {
                if &*array.sym == "Array" && !self.is_bound(&array.sym) {
                    return self.copied(&a.expr);
                }
            }
        }
        // `schema.parse(input)`: validated, still chosen by the client (or by the callers,
        // for a parameter: `Input.parse(args.input)`), with the keys the schema names only
        // (zod drops the others), when it can be read; `schema.safeParse(input)`: `{ success,
        // data, error }`, its `data` the same.
        if let ("parse" | "parseAsync" | "safeParse" | "safeParseAsync", Some(a)) =
            (&*method, first())
        {
            let v = match self.origin(&a.expr) {
                Val::Input(mut i) => {
                    i.schema = parsed_by(&m.obj).map(Box::new);
                    Some(Val::Input(i))
                }
                v @ Val::Param { .. } => Some(v),
                _ => None,
            };
            if let Some(v) = v {
                if method.starts_with("safe") {
                    return Val::Object(std::rc::Rc::new([(Name::from("data"), v)]));
                }
                return v;
            }
        }
        // `container.resolve(ProjectService)` (tsyringe), `app.get(ProjectService)` (NestJS):
        // an instance of the project class named, as `new ProjectService(..)` gives.
        if let Some(c) = crate::extract::ast::resolved_class_of(&m.prop, args) {
            if self.classes.contains(c) && !self.is_bound(c) {
                return Val::Instance(c.clone());
            }
        }
        // `auth.protect()` (Clerk): the session `auth()` gives, once signed in.
        if let (Expr::Ident(f), "protect") = (unwrap(&m.obj), &*method) {
            if super::session_call(&f.sym) && !self.is_bound(&f.sym) {
                return Val::Session;
            }
        }
        let mut base = self.origin(&m.obj);
        // The rows a helper given a session value returned, held by a local: mapped or
        // narrowed like any local's rows (asked whether one matches, a membership below).
        if let (Val::SessionRows(Some(name)), "map") = (&base, &*method) {
            base = Val::rows(name);
        }
        if let Val::Local { name, path, .. } = &base {
            return match &*method {
                // `byId.get(key)` on a map the function filled: one of its values.
                "get" if matches!(base, Val::Local { each: true, .. }) => base,
                // `rows.find(..)`, `rows.at(-1)`: one of the rows (`row.tasks.at(0)`:
                // one of a relation's rows).
                "find" | "findLast" | "at" => Val::Local {
                    name: name.clone(),
                    path: path.clone(),
                    each: true,
                },
                // `rows.filter(..)`: some of them (`sort` and `reverse` return the array
                // itself, reordered).
                m if keeps_rows(m) => base,
                // `rows.map((r) => r.id)`: the values of the rows' `id`.
                "map" => match first().and_then(|a| mapped_key(&a.expr)) {
                    Some(key) => Val::Local {
                        name: name.clone(),
                        path: join_path(path, &key),
                        each: true,
                    },
                    None => Val::Unknown,
                },
                _ => Val::Unknown,
            };
        }
        // `rows.map((r) => r.id)` over a parameter's rows: the values of their `id`, as the
        // callers' rows hold them.
        if let (
            Val::Param {
                scope,
                index,
                path,
                each: false,
            },
            "map",
        ) = (&base, &*method)
        {
            return match first().and_then(|a| mapped_key(&a.expr)) {
                Some(key) => Val::Param {
                    scope: *scope,
                    index: *index,
                    path: join_path(path, &key),
                    each: true,
                },
                None => Val::Unknown,
            };
        }
        if let (Val::SessionRows(_), "some" | "find") = (&base, &*method) {
            return match first().map(|a| self.compared(&a.expr)) {
                Some(v @ (Val::Input(_) | Val::Param { .. })) => Val::Membership(Box::new(v)),
                _ => Val::Unknown,
            };
        }
        let span = self.at.span(call);
        let arg_text = || {
            first()
                .and_then(|a| str_value(&a.expr))
                .map(|s| format!("'{s}'"))
                .unwrap_or_default()
        };
        let root = root_name(&m.obj).unwrap_or_default();
        // `input.teamId.trim()`, `url.pathname.split('/')`: the client's string, or pieces of
        // it; `pattern.exec(request.url)`, `re.exec(path)`: the pieces a pattern matched.
        if matches!(base, Val::Input(_)) && string_piece(&method) {
            return base;
        }
        if &*method == "exec" {
            if let Some(v @ Val::Input(_)) = first().map(|a| self.origin(&a.expr)) {
                return v;
            }
        }
        match (&base, &*method) {
            (
                Val::HonoRequest,
                "param" | "query" | "queries" | "json" | "valid" | "header" | "parseBody"
                | "formData",
            ) => {
                let text = arg_text();
                let body = method == "valid" && text == "'json'";
                match input(
                    "the Hono request",
                    format!("{root}.req.{method}({text})"),
                    span,
                ) {
                    Val::Input(mut i) if body => {
                        i.schema = self.body.as_ref().map(|s| Box::new((**s).clone()));
                        Val::Input(i)
                    }
                    v => v,
                }
            }
            (Val::HonoContext, "get") => Val::Session,
            // Qwik City's `await parseBody()` (also `requestEvent.parseBody()`).
            (Val::QwikEvent, "parseBody") => {
                input("the request body", format!("{root}.parseBody()"), span)
            }
            // Koa's `ctx.get('X-Team')` (a request header, also `ctx.request.get(..)`) and
            // `ctx.cookies.get('team')`.
            (Val::KoaContext | Val::KoaRequest, "get") => {
                let request = if matches!(base, Val::KoaRequest) {
                    ".request"
                } else {
                    ""
                };
                let text = format!("{root}{request}.get({})", arg_text());
                input("the request headers", text, span)
            }
            (Val::KoaCookies, "get") => input(
                "the request cookies",
                format!("{root}.cookies.get({})", arg_text()),
                span,
            ),
            // A cookie session store's `session.get('userId')` (React Router's, Remix's).
            (Val::Session, "get") => Val::Session,
            (Val::Request, "json") => input("the request body", format!("{root}.json()"), span),
            (Val::Request, "formData") => Val::FormData,
            (Val::SearchParams, "get" | "getAll") => input(
                "the query string",
                format!("searchParams.{method}({})", arg_text()),
                span,
            ),
            (Val::FormData, "get" | "getAll") => input(
                "the submitted form",
                format!("formData.{method}({})", arg_text()),
                span,
            ),
            (_, "get" | "getAll") if root == "formData" => input(
                "the submitted form",
                format!("formData.{method}({})", arg_text()),
                span,
            ),
            _ => Val::Unknown,
        }
    }
}

/// The schema whose `.parse(..)` is called: a name (`UpdateTask.parse(body)`, resolved when
/// the project is linked; a name that is no zod object schema counts as any keys) or a chain
/// (`z.object({ .. }).parse(body)`, `Task.pick({ .. }).parse(body)`).
fn parsed_by(schema: &Expr) -> Option<crate::facts::ZodObject> {
    match unwrap(schema) {
        Expr::Ident(i) => Some(crate::facts::ZodObject {
            base: crate::facts::ZodBase::Named(i.sym.clone()),
            ops: vec![],
        }),
        e => crate::extract::zod::schema_of(e),
    }
}

/// `x.auth` or `auth.api` (Supabase's and better-auth's clients).
fn auth_client(e: &Expr) -> bool {
    let Expr::Member(m) = unwrap(e) else {
        return false;
    };
    match member_prop(&m.prop).as_deref() {
        Some("auth") => true,
        Some("api") => matches!(unwrap(&m.obj), Expr::Ident(i) if &*i.sym == "auth"),
        _ => false,
    }
}

/// `(r) => r.key`: the key.
fn mapped_key(e: &Expr) -> Option<Name> {
    let Expr::Arrow(f) = unwrap(e) else {
        return None;
    };
    let [Pat::Ident(r)] = f.params.as_slice() else {
        return None;
    };
    let ArrowFunctionBody::Expr(body) = &*f.body else {
        return None;
    };
    let Expr::Member(field) = unwrap(body) else {
        return None;
    };
    match unwrap(&field.obj) {
        Expr::Ident(o) if o.sym == r.id.sym => member_prop(&field.prop),
        _ => None,
    }
}

/// The name at the root of `a.b.c`.
fn root_name(e: &Expr) -> Option<String> {
    match unwrap(e) {
        Expr::Ident(i) => Some(i.sym.to_string()),
        Expr::Member(m) => root_name(&m.obj),
        _ => None,
    }
}

/// `rows.filter(..)`, `rows.slice(..)`, `rows.toSorted(..)`, .. hold some of `rows`' own
/// elements (`sort` and `reverse` return the array itself, reordered).
pub(super) fn keeps_rows(method: &str) -> bool {
    matches!(
        method,
        "filter" | "slice" | "toSorted" | "toReversed" | "sort" | "reverse"
    )
}

/// A string method that returns the string changed in form only, or pieces of it
/// (`split`, `match`): what the client sent stays what the client chose.
fn string_piece(method: &str) -> bool {
    matches!(
        method,
        "trim"
            | "trimStart"
            | "trimEnd"
            | "toLowerCase"
            | "toUpperCase"
            | "toString"
            | "valueOf"
            | "normalize"
            | "slice"
            | "substring"
            | "substr"
            | "split"
            | "match"
            | "at"
            | "replace"
            | "replaceAll"
    )
}
