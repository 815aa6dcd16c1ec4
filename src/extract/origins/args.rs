//! A call's arguments: the origins they carry, and walked with what the call tells of them (a
//! Hono route's body schema).

use super::handlers::body_schema;
use super::values::{prop_key, Val};
use super::{FnKind, Walk};
use crate::extract::ast::{prop_name, unwrap};
use crate::facts::{ArgOrigin, CallOrigins, Name};
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

    /// A call that may be to a project function (`last` is its callee's last name), with the
    /// origins of its arguments; one whose arguments have no known origin is kept by that name
    /// alone (`OriginFacts::opaque_calls`).
    pub(super) fn call(
        &mut self,
        (args, call): (&[ExprOrSpread], swc_common::Span),
        last: &Name,
        callee: impl FnOnce() -> Vec<Name>,
    ) {
        // At module level no value of a request reaches a call (route definitions, schemas):
        // its name is all a function's callers need.
        if self.env.scopes.is_empty() {
            self.facts.opaque_calls.push(last.clone());
            return;
        }
        let mut passes_request = false;
        let args: Vec<ArgOrigin> = args
            .iter()
            .map(|a| {
                if a.spread.is_some() {
                    return ArgOrigin::Value(None);
                }
                match unwrap(&a.expr) {
                    Expr::Object(o) => ArgOrigin::Object(
                        o.props
                            .iter()
                            .map(|p| {
                                let (key, origin) = match p {
                                    PropOrSpread::Spread(s) => (None, self.origin(&s.expr).fact()),
                                    PropOrSpread::Prop(p) => match &**p {
                                        Prop::KeyValue(kv) => (
                                            prop_name(&kv.key).map(Name::from),
                                            self.origin(&kv.value).fact(),
                                        ),
                                        Prop::Shorthand(i) => (
                                            Some(i.sym.clone()),
                                            self.lookup(&i.sym).and_then(Val::fact),
                                        ),
                                        _ => (prop_key(p), None),
                                    },
                                };
                                (key, origin)
                            })
                            .collect(),
                    ),
                    e => {
                        let v = self.origin(e);
                        passes_request |= matches!(v, Val::Request);
                        ArgOrigin::Value(v.fact())
                    }
                }
            })
            .collect();
        // Every call is kept: one passing something of known origin with its arguments, any other
        // by its name alone, so that a function's callers are all known.
        // (A call given the request is kept too: its result may be the request's body, see
        // `FunctionDef::reads_body`.)
        let known = passes_request
            || args.iter().any(|a| match a {
                ArgOrigin::Value(o) => o.is_some(),
                ArgOrigin::Object(keys) => keys.iter().any(|(_, o)| o.is_some()),
            });
        if !known {
            if !self.starts_query(call) {
                self.facts.opaque_calls.push(last.clone());
            }
            return;
        }
        let span = self.at.span(call);
        let scope = self.scope();
        let within = self.reach.of_check(true).0.map(|w| self.at.span(w));
        self.facts.calls.push(CallOrigins {
            callee: callee(),
            span,
            scope,
            result: None,
            args,
            awaited: self.awaited.contains(&call),
            within,
        });
    }
}
