//! What a function's parameters hold when the walk enters it.

use super::values::{input, Val};
use super::{FnKind, Walk};
use swc_common::Spanned;
use swc_ecma_ast::*;

impl Walk {
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
        for (i, p) in params.enumerate() {
            let v = match kind {
                FnKind::Procedure if i == 0 => Val::ProcedureOpts(self.schema.take()),
                FnKind::ServerAction => {
                    let name = match p {
                        Pat::Ident(id) => id.id.sym.to_string(),
                        _ => String::new(),
                    };
                    input("the server action's argument", name, self.at.span(p.span()))
                }
                FnKind::RouteHandler if i == 0 => Val::Request,
                FnKind::RouteHandler if i == 1 => Val::RouteContext,
                FnKind::Page if i == 0 => Val::PageProps(scope),
                FnKind::KitHandler if i == 0 => Val::KitEvent,
                _ => match p {
                    Pat::Ident(id) => match &*id.id.sym {
                        "ctx" | "context" | "session" | "locals" => Val::Session,
                        "req" | "request" => Val::Request,
                        "c" => Val::HonoContext,
                        "formData" => Val::FormData,
                        _ => Val::Param {
                            scope,
                            index: i as u32,
                            path: String::new(),
                            each: false,
                        },
                    },
                    _ => Val::Param {
                        scope,
                        index: i as u32,
                        path: String::new(),
                        each: false,
                    },
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
