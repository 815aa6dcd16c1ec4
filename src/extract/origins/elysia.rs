//! Elysia's route handlers, in a module that imports from `elysia` (decided once per module):
//! `app.get('/:id', ({ params, body, query, headers, cookie, user }) => ..)` is given the
//! request's context, whose `params`, `body`, `query`, `headers` and `cookie` are the client's
//! and whose other properties are what `.derive(..)`/`.resolve(..)` added for the request:
//! the session (`user`, `orgId`).

use super::values::{input, named, Val};
use crate::span::Span;

/// A method of an Elysia app whose function arguments are given the request's context: a
/// route's (`get`, `post`, .., `all`, `route`), and `derive`/`resolve`, which add to it.
pub(super) fn handler_method(name: &str) -> bool {
    matches!(
        name,
        "get"
            | "post"
            | "put"
            | "patch"
            | "delete"
            | "all"
            | "route"
            | "head"
            | "options"
            | "derive"
            | "resolve"
    )
}

impl Val {
    /// A property of an Elysia context (`base_text`: how the code names the context, when it
    /// does).
    pub(super) fn elysia_member(base_text: Option<&str>, key: &str, span: Span) -> Val {
        let label = match key {
            "params" => "the route parameters",
            "body" => "the request body",
            "query" => "the query string",
            "headers" => "the request headers",
            "cookie" => "the request cookies",
            "request" => return Val::Request,
            // The app's own state and the response's helpers.
            "store" | "set" | "path" | "route" | "server" | "redirect" | "error" | "status" => {
                return Val::Unknown
            }
            _ => return Val::Session,
        };
        input(label, named(base_text, key), span)
    }
}
