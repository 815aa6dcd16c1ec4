//! h3's request handlers (Nitro's and Nuxt's server routes): `defineEventHandler((event) =>
//! ..)` is given the request's event, whose input h3's functions read (`getRouterParam(event,
//! 'id')`, `getQuery(event)`, `readBody(event)`, `getHeader(event, 'x')`, ..), and whose
//! `context` is what server middleware put there for the request: the session
//! (`event.context.user`), but for the router's `params`.

use super::values::{input, Env, Val};
use crate::extract::ast::{member_prop, str_value, unwrap};
use crate::span::Span;
use swc_ecma_ast::*;

/// A call whose function argument is an h3 handler, given the request's event.
pub(super) fn defines_handler(name: &str) -> bool {
    matches!(
        name,
        "defineEventHandler" | "defineCachedEventHandler" | "eventHandler"
    )
}

/// What one of h3's functions given the event returns.
#[derive(Clone, Copy)]
pub(super) enum Reads {
    /// Request input, of the kind the label names.
    Input(&'static str),
    /// The submitted form (`readFormData(event)`), read with `.get(..)`.
    FormData,
    /// nuxt-auth-utils' session (`requireUserSession(event)` throws without one).
    Session,
}

/// What the call of `name` returns when given the event (asked of every call named by an
/// identifier whose origin is read: the first letter decides for most).
pub(super) fn reads(name: &str) -> Option<Reads> {
    if !matches!(name.as_bytes().first(), Some(b'g' | b'r' | b'p')) {
        return None;
    }
    Some(match name {
        "getRouterParam" | "getRouterParams" | "getValidatedRouterParams" => {
            Reads::Input("the route parameters")
        }
        "getQuery" | "getValidatedQuery" => Reads::Input("the query string"),
        "readBody" | "readValidatedBody" | "readRawBody" | "readMultipartFormData" => {
            Reads::Input("the request body")
        }
        "readFormData" => Reads::FormData,
        "getHeader" | "getHeaders" | "getRequestHeader" | "getRequestHeaders" => {
            Reads::Input("the request headers")
        }
        "getCookie" | "parseCookies" => Reads::Input("the request cookies"),
        "requireUserSession" | "getUserSession" => Reads::Session,
        _ => return None,
    })
}

impl Val {
    /// A property of an h3 event or of its `context`.
    pub(super) fn h3_member(&self, key: &str, span: Span) -> Val {
        match (self, key) {
            (Val::H3Event, "context") => Val::H3Context,
            // (The router's parameters, as `getRouterParams(event)` reads them.)
            (Val::H3Context, "params") => {
                input("the route parameters", "context.params".into(), span)
            }
            (Val::H3Context, _) => Val::Session,
            _ => Val::Unknown,
        }
    }
}

/// Input an h3 function read as a whole (`readBody(event)`, `getQuery(event)`): a local given
/// it names it from there on (`body.teamId`).
pub(super) fn whole(path: &str) -> bool {
    path.ends_with(')') && !path.contains(['.', ','])
}

/// The zod schema a validated read parses with: `S.parse`, `S.parseAsync`, `(b) =>
/// S.parse(b)`, or `S` itself.
fn validator(e: &Expr) -> Option<crate::facts::ZodObject> {
    let e = match unwrap(e) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::Expr(body) => match unwrap(body) {
                Expr::Call(CallExpr {
                    callee: Callee::Expr(callee),
                    ..
                }) => callee,
                _ => return None,
            },
            _ => return None,
        },
        _ => e,
    };
    match unwrap(e) {
        Expr::Member(m)
            if matches!(
                member_prop(&m.prop).as_deref(),
                Some("parse" | "parseAsync")
            ) =>
        {
            crate::extract::zod::named_or_schema(&m.obj)
        }
        Expr::Member(_) => None,
        e => crate::extract::zod::named_or_schema(e),
    }
}

impl Env {
    /// Whether the call of `name` with `args` is of one of h3's functions ([`reads`]) given
    /// the event first.
    pub(super) fn h3_reads(&self, name: &str, args: &[ExprOrSpread]) -> bool {
        reads(name).is_some()
            && args
                .first()
                .is_some_and(|a| a.spread.is_none() && matches!(self.origin(&a.expr), Val::H3Event))
    }

    /// What the call of h3's `name` ([`reads`]) with `args`, the event first, returns.
    pub(super) fn h3_call(&self, name: &str, args: &[ExprOrSpread], call: swc_common::Span) -> Val {
        match reads(name) {
            Some(Reads::Session) => Val::Session,
            Some(Reads::FormData) => Val::FormData,
            Some(Reads::Input(label)) => {
                let event = match args.first().map(|a| unwrap(&a.expr)) {
                    Some(Expr::Ident(i)) => &*i.sym,
                    _ => "event",
                };
                let second = args.get(1).map(|a| &*a.expr);
                let path = match second.and_then(str_value) {
                    Some(key) => format!("{name}({event}, '{key}')"),
                    None => format!("{name}({event})"),
                };
                match input(label, path, self.at.span(call)) {
                    // `readValidatedBody(event, S.parse)`: what the schema lets through.
                    Val::Input(mut i) if name.contains("Validated") => {
                        i.schema = second.and_then(validator).map(Box::new);
                        Val::Input(i)
                    }
                    v => v,
                }
            }
            None => Val::Unknown,
        }
    }
}
