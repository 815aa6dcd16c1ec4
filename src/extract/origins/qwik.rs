//! Qwik City's server code, in a module that imports from it (`@builder.io/qwik-city`, Qwik 2's
//! `@qwik.dev/router`; decided once per module): a `server$(..)` function's arguments are the
//! client's (a server action's); a `routeLoader$(..)`'s function and an endpoint (`export const
//! onGet: RequestHandler = async ({ params, query, parseBody, sharedMap }) => ..`) are given
//! the request event, whose `params`, `query`, `headers` and `parseBody()` are the client's and
//! whose `sharedMap` holds what middleware put there for the request (the session, read with
//! `sharedMap.get('session')`); a `routeAction$(..)`'s or `globalAction$(..)`'s function is
//! given the submitted data, then the event.

use super::values::{input, named, Val};
use super::{FnKind, Walk};
use crate::span::Span;

/// The exports of a Qwik City route module that handle requests.
pub(super) fn endpoint(name: &str) -> bool {
    matches!(
        name,
        "onRequest"
            | "onGet"
            | "onPost"
            | "onPut"
            | "onPatch"
            | "onDelete"
            | "onHead"
            | "onOptions"
    )
}

impl Walk {
    /// How a call `c` of the free function `name` enters the functions it is given: h3's
    /// `defineEventHandler(..)` gives its event; Encore's exposed `api(..)` its request (see
    /// `encore`); in a Qwik City module, `server$`,
    /// `routeLoader$`, `routeAction$` and `globalAction$` give theirs.
    pub(super) fn call_kind(&self, name: &str, c: &swc_ecma_ast::CallExpr) -> FnKind {
        if super::h3::defines_handler(name) {
            return FnKind::H3Handler;
        }
        if self.fw.encore && name == "api" && super::encore::exposed_endpoint(c) {
            return FnKind::EncoreEndpoint;
        }
        if !self.fw.qwik {
            return FnKind::Plain;
        }
        match name {
            "server$" => FnKind::ServerAction,
            "routeLoader$" => FnKind::QwikEvent,
            "routeAction$" | "globalAction$" => FnKind::QwikAction,
            _ => FnKind::Plain,
        }
    }
}

impl Val {
    /// A property of Qwik City's request event (`base_text`: how the code names it).
    pub(super) fn qwik_member(base_text: Option<&str>, key: &str, span: Span) -> Val {
        match key {
            "params" => input("the route parameters", named(base_text, key), span),
            "query" => Val::SearchParams,
            "headers" => input("the request headers", named(base_text, key), span),
            "url" | "request" => Val::Request,
            "parseBody" => Val::QwikParseBody,
            // What middleware (a `plugin@..` or layout's `onRequest`) put there.
            "sharedMap" => Val::Session,
            _ => Val::Unknown,
        }
    }
}
