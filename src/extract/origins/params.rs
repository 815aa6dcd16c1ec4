//! What a function's parameters hold when the walk enters it.

use super::values::{input, Val};
use super::{FnKind, Walk};
use crate::extract::ast::{member_prop, pat_name, unwrap};
use swc_common::Spanned;
use swc_ecma_ast::*;

impl Walk {
    /// `rows.map((row) => ..)` (also `forEach`, `flatMap`, `filter`, `find`, `some`,
    /// `every`) written in place: the callback's first parameter is one of the rows (a value of
    /// a local's rows or of a parameter's, which callers fill), as in `for (const row of rows)`.
    pub(super) fn element_callback(&mut self, callee: &Expr, args: &[ExprOrSpread]) {
        let Expr::Member(m) = unwrap(callee) else {
            return;
        };
        let per_element = matches!(
            member_prop(&m.prop).as_deref(),
            Some("map" | "forEach" | "flatMap" | "filter" | "find" | "some" | "every")
        );
        let inline = args
            .first()
            .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Arrow(_) | Expr::Fn(_)));
        // (Of a name or a property, as rows are held, maybe narrowed first: reading any other
        // call's result costs more.)
        let rows = same_rows(&m.obj);
        let held = matches!(rows, Expr::Ident(_) | Expr::Member(_));
        if per_element && inline && held {
            let elem = self.origin(rows).one_of_many();
            self.element = matches!(elem, Val::Local { .. } | Val::Param { .. }).then_some(elem);
        }
    }

    /// Binds a function's parameters by what `kind` says they hold: a procedure's options, a
    /// server action's input, a route handler's request and context, a page's props,
    /// SvelteKit's event; any
    /// other parameter by its name (`ctx`, `req`, Hono's `c`) or as the function's own.
    pub(super) fn params<'p>(
        &mut self,
        params: impl Iterator<Item = &'p Pat>,
        scope: crate::span::Span,
        kind: FnKind,
    ) {
        let element = self.element.take();
        let by_name = !std::mem::take(&mut self.table_callback);
        let resolver = std::mem::take(&mut self.resolver);
        let mut params = params.peekable();
        // A handler given the request first, then what its router matched (a plain Worker's
        // `(request, env, params)`): `params` are the URL's.
        let routed = params.peek().is_some_and(
            |p| matches!(p, Pat::Ident(i) if crate::extract::ast::is_request_param(i)),
        );
        for (i, p) in params.enumerate() {
            let param = || Val::Param {
                scope,
                index: i as u32,
                path: String::new(),
                each: false,
            };
            let v = match kind {
                _ if i == 0 && element.is_some() => element.clone().unwrap_or(Val::Unknown),
                _ if !by_name => param(),
                // A GraphQL resolver's `(parent, args, context)`.
                _ if resolver && i == 1 => self.argument_input("the GraphQL arguments", p),
                _ if resolver && i == 2 => Val::Session,
                FnKind::Procedure if i == 0 => Val::ProcedureOpts(self.schema.take(), self.action),
                // (A form it is given is read by `get(..)`, as any submitted form.)
                FnKind::ServerAction if form_param(p) => Val::FormData,
                FnKind::ServerAction => self.argument_input("the server action's argument", p),
                FnKind::RouteHandler if i == 0 => Val::Request,
                FnKind::RouteHandler if i == 1 => Val::RouteContext,
                FnKind::Page if i == 0 => Val::PageProps(scope),
                FnKind::EventHandler if i == 0 => Val::RequestEvent,
                FnKind::H3Handler if i == 0 => Val::H3Event,
                FnKind::Elysia if i == 0 => Val::ElysiaContext,
                FnKind::Koa if i == 0 => Val::KoaContext,
                FnKind::QwikEvent if i == 0 => Val::QwikEvent,
                FnKind::QwikAction if i == 0 => self.argument_input("the action's data", p),
                FnKind::QwikAction if i == 1 => Val::QwikEvent,
                FnKind::RedwoodService if i == 0 => self.argument_input("the GraphQL arguments", p),
                FnKind::EncoreEndpoint if i == 0 => {
                    self.argument_input("the endpoint's request", p)
                }
                FnKind::AstroAction if i == 0 => self.action_input(p),
                FnKind::AstroAction if i == 1 => Val::RequestEvent,
                _ => match p {
                    Pat::Ident(id) if super::lambda::api_event(id) => Val::LambdaEvent,
                    Pat::Ident(id) if self.fw.koa && super::koa::context_param(id) => {
                        Val::KoaContext
                    }
                    Pat::Ident(id) => match &*id.id.sym {
                        "params" if routed && i > 0 => {
                            self.argument_input("the route parameters", p)
                        }
                        "ctx" | "context" | "session" | "locals" => Val::Session,
                        "req" | "request" => Val::Request,
                        "c" => Val::HonoContext,
                        "formData" => Val::FormData,
                        _ => param(),
                    },
                    _ => param(),
                },
            };
            let pat = match p {
                Pat::Assign(a) => &*a.left,
                p => p,
            };
            self.bind(pat, v);
        }
    }
}

impl Walk {
    /// The parameter `p`, request input of the kind `label` names (named by the parameter's
    /// name when it has one).
    fn argument_input(&self, label: &'static str, p: &Pat) -> Val {
        input(
            label,
            pat_name(p).unwrap_or_default(),
            self.at.span(p.span()),
        )
    }
}

/// A parameter named `formData` or typed `FormData`: a submitted form.
fn form_param(p: &Pat) -> bool {
    match p {
        Pat::Ident(i) => {
            &*i.id.sym == "formData"
                || crate::extract::ast::type_name(i).is_some_and(|t| t == "FormData")
        }
        _ => false,
    }
}

/// The array whose elements `e` holds: `rows.filter(..)`, `rows.slice(..)`, `rows.toSorted(..)`
/// (and `sort`, `reverse`, `toReversed`) hold some of `rows`' own, in place or in a copy.
fn same_rows(e: &Expr) -> &Expr {
    let mut e = unwrap(e);
    while let Expr::Call(CallExpr {
        callee: Callee::Expr(callee),
        ..
    }) = e
    {
        let Expr::Member(m) = unwrap(callee) else {
            break;
        };
        if !member_prop(&m.prop).is_some_and(|p| super::methods::keeps_rows(&p)) {
            break;
        }
        e = unwrap(&m.obj);
    }
    e
}
