//! A call's arguments, walked with what the call tells of them: a Hono route's body schema.

use super::handlers::body_schema;
use super::{FnKind, Walk};
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Walk {
    /// Walks a call's arguments, functions among them entered as `kind` says. A Hono route's
    /// handler sees its body schema: `c.req.valid('json')` is what that schema lets through.
    pub(super) fn call_args(&mut self, c: &CallExpr, kind: FnKind) {
        let body = body_schema(c, &self.routes);
        let outer = body
            .is_some()
            .then(|| std::mem::replace(&mut self.env.body, body));
        for a in &c.args {
            if kind == FnKind::Plain || !self.function_expr(&a.expr, kind) {
                a.visit_with(self);
            }
        }
        if let Some(outer) = outer {
            self.env.body = outer;
        }
    }
}
