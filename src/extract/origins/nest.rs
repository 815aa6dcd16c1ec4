//! NestJS: the parameters of a method decorated `@Body()`, `@Param()`, `@Query()`,
//! `@Headers()` are request input, `@Req()` the request (whose `user` is the session's); of a
//! GraphQL resolver (NestJS's or type-graphql's), `@Args()`/`@Arg()` are input and
//! `@Context()`/`@Ctx()` the session's. The files declaring NestJS classes are walked
//! (`handlers::declares_nest_class`).

use super::handlers::decorator_name;
use super::values::{input, Val};
use super::Walk;
use crate::extract::ast::{str_value, unwrap};
use swc_common::Spanned;
use swc_ecma_ast::*;

impl Walk {
    /// Binds a method's parameters that a NestJS decorator fills from the request.
    pub(super) fn decorated_params(&mut self, params: &[Param]) {
        for p in params {
            let Some((d, name)) = p
                .decorators
                .iter()
                .find_map(|d| Some((d, decorator_name(d)?)))
            else {
                continue;
            };
            let span = self.at.span(p.span());
            // `@Param('teamId')` names the value; `@Body() body`, the parameter.
            let key = match unwrap(&d.expr) {
                Expr::Call(c) => c.args.first().and_then(|a| str_value(&a.expr)),
                _ => None,
            };
            let text = match (key, &p.pat) {
                (Some(k), _) => format!("@{name}('{k}')"),
                (None, Pat::Ident(i)) => i.id.sym.to_string(),
                (None, _) => String::new(),
            };
            let v = match name {
                "Body" => input("the request body", text, span),
                "Param" => input("the route parameters", text, span),
                "Query" => input("the query string", text, span),
                "Headers" => input("the request headers", text, span),
                // A GraphQL resolver's (`@nestjs/graphql`'s `@Args`, type-graphql's `@Arg`),
                // and the context the server built for the request.
                "Args" | "Arg" => input("the GraphQL arguments", text, span),
                "Context" | "Ctx" => Val::Session,
                "Req" | "Request" => Val::Request,
                _ => continue,
            };
            let pat = match &p.pat {
                Pat::Assign(a) => &*a.left,
                p => p,
            };
            self.bind(pat, v);
        }
    }
}
