//! What a module's exported functions are entered as: a `'use server'` file's server actions,
//! a route file's request handlers, a default-exported page, and a SvelteKit route file's
//! `load`, form actions and request handlers, and a React Router (Remix) route module's
//! `loader` and `action`.

use super::handlers::{api_route, kit_handler, ROUTE_METHODS};
use super::{FnKind, Walk};
use crate::extract::ast::type_name;
use crate::extract::ast::unwrap;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Walk {
    pub(super) fn export_decl(&mut self, d: &ExportDecl) {
        match &d.decl {
            Decl::Fn(f) => {
                let kind = match self.export_kind(&f.ident.sym) {
                    FnKind::Plain
                        if route_module_export(
                            &f.ident.sym,
                            f.function.params.first().map(|p| &p.pat),
                        ) =>
                    {
                        FnKind::EventHandler
                    }
                    kind => kind,
                };
                self.fn_node(&f.function, kind);
            }
            Decl::Var(v) => {
                for decl in &v.decls {
                    let (Pat::Ident(name), Some(init)) = (&decl.name, &decl.init) else {
                        decl.visit_with(self);
                        continue;
                    };
                    let entered = match self.export_kind(&name.id.sym) {
                        FnKind::Plain if self.kit && &*name.id.sym == "actions" => {
                            self.kit_actions(init)
                        }
                        FnKind::Plain
                            if route_module_export(&name.id.sym, arrow_first_param(init)) =>
                        {
                            self.function_expr(init, FnKind::EventHandler)
                        }
                        FnKind::Plain => false,
                        kind => self.function_expr(init, kind),
                    };
                    if !entered {
                        decl.visit_with(self);
                    }
                    self.builder(decl);
                }
            }
            decl => decl.visit_with(self),
        }
    }

    pub(super) fn export_default_decl(&mut self, d: &ExportDefaultDecl) {
        match &d.decl {
            DefaultDecl::Fn(f) if self.use_server => {
                self.fn_node(&f.function, FnKind::ServerAction)
            }
            // A Next.js Pages Router API route, `export default function handler(req, res)`:
            // a request handler, not a page.
            DefaultDecl::Fn(f) if api_route(&f.function) => {
                self.fn_node(&f.function, FnKind::RouteHandler)
            }
            DefaultDecl::Fn(f) => self.fn_node(&f.function, FnKind::Page),
            decl => decl.visit_with(self),
        }
    }

    /// How the exported function `name` is entered.
    fn export_kind(&self, name: &str) -> FnKind {
        if self.use_server {
            FnKind::ServerAction
        } else if (self.kit && kit_handler(name)) || (self.fw.astro && super::astro::endpoint(name))
        {
            FnKind::EventHandler
        } else if self.fw.qwik && super::qwik::endpoint(name) {
            FnKind::QwikEvent
        } else if self.fw.redwood {
            FnKind::RedwoodService
        } else if ROUTE_METHODS.contains(&name) {
            FnKind::RouteHandler
        } else {
            FnKind::Plain
        }
    }

    /// A SvelteKit page's form actions, `export const actions = { default: async (event) =>
    /// .., async rename({ request }) { .. } }`: each is given the request's event. Whether
    /// `init` was such an object.
    fn kit_actions(&mut self, init: &Expr) -> bool {
        let Expr::Object(o) = unwrap(init) else {
            return false;
        };
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else {
                p.visit_with(self);
                continue;
            };
            match &**p {
                Prop::Method(m) => self.fn_node(&m.function, FnKind::EventHandler),
                Prop::KeyValue(kv) if self.function_expr(&kv.value, FnKind::EventHandler) => {}
                p => p.visit_with(self),
            }
        }
        true
    }
}

/// A React Router (Remix) route module's `loader` or `action`, given the request's arguments
/// (`{ request, params, context }`, as SvelteKit's event: `params` the route's, `request` the
/// request's, `context` the server's): its first parameter destructured, or typed as the
/// framework's arguments (`LoaderFunctionArgs`, `Route.ActionArgs`).
fn route_module_export(name: &str, first: Option<&Pat>) -> bool {
    if !matches!(name, "loader" | "action") {
        return false;
    }
    match first {
        Some(Pat::Object(_)) => true,
        Some(Pat::Ident(i)) => type_name(i).is_some_and(|t| t.ends_with("Args")),
        _ => false,
    }
}

/// The first parameter of the function `init` is (`async ({ request }) => ..`).
fn arrow_first_param(init: &Expr) -> Option<&Pat> {
    match unwrap(init) {
        Expr::Arrow(a) => a.params.first(),
        Expr::Fn(f) => f.function.params.first().map(|p| &p.pat),
        _ => None,
    }
}
