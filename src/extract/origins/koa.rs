//! Koa's middleware and routes, in a module that imports from Koa (`koa`, `@koa/router`,
//! `koa-router`; decided once per module): a route's or middleware's function
//! (`router.get('/:id', async (ctx) => ..)`, `app.use(async (ctx, next) => ..)`), and any
//! function of the module whose parameter is named `ctx` or typed with Koa's context
//! (`Context`, `ParameterizedContext`, `RouterContext`), is given Koa's context: its
//! `params`, `query`, `request.body`, `headers` and `cookies` are the client's, and its
//! `state` is what middleware put there for the request (the session). tRPC's `ctx` is all
//! session; Koa's is not.

use super::values::{input, named, Val};
use crate::span::Span;
use swc_ecma_ast::BindingIdent;

/// A method of a Koa router or app whose function arguments are given the context.
pub(super) fn handler_method(name: &str) -> bool {
    matches!(
        name,
        "get" | "post" | "put" | "patch" | "delete" | "del" | "all" | "head" | "options" | "use"
    )
}

/// A parameter that holds Koa's context in a Koa module: named `ctx`, or typed with it.
pub(super) fn context_param(p: &BindingIdent) -> bool {
    &*p.id.sym == "ctx"
        || crate::extract::ast::type_name(p).is_some_and(|t| {
            matches!(
                t,
                "Context" | "ParameterizedContext" | "RouterContext" | "DefaultContext"
            )
        })
}

impl Val {
    /// A property of Koa's context (`base_text`: how the code names it, when it does).
    pub(super) fn koa_member(base_text: Option<&str>, key: &str, span: Span) -> Val {
        let label = match key {
            "params" => "the route parameters",
            "query" | "querystring" | "search" => "the query string",
            "headers" | "header" => "the request headers",
            "request" => return Val::KoaRequest,
            "cookies" => return Val::KoaCookies,
            // What middleware put there for the request.
            "state" => return Val::Session,
            _ => return Val::Unknown,
        };
        input(label, named(base_text, key), span)
    }

    /// A property of Koa's request (`ctx.request`): its body (koa-body, koa-bodyparser) and
    /// uploaded files are the client's, and so are the query string and headers the context
    /// delegates to it.
    pub(super) fn koa_request_member(base_text: Option<&str>, key: &str, span: Span) -> Val {
        let label = match key {
            "body" => "the request body",
            "files" => "the uploaded files",
            "query" | "querystring" | "search" | "headers" | "header" => {
                return Val::koa_member(base_text, key, span)
            }
            _ => return Val::Unknown,
        };
        input(label, named(base_text, key), span)
    }
}
