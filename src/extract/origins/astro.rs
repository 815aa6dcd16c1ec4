//! Astro's server code, in a module that imports from Astro (`astro`, `astro:actions`, ..;
//! decided once per module): an endpoint's exported `GET`, `POST`, .. (`export const GET:
//! APIRoute = async ({ params, request, locals, url }) => ..`) is given Astro's context, whose
//! `params`, `request` and `url` are the client's and whose `locals` is what middleware put
//! there for the request (the session), as SvelteKit's event; an action's handler
//! (`defineAction({ input: z.object(..), handler: async (input, context) => .. })`) is given
//! the action's input, validated by its `input` schema, and the same context.

use super::values::{input, Val};
use super::{FnKind, Walk};
use crate::extract::ast::{object_prop, pat_name, prop_name, unwrap};
use crate::facts::InputOrigin;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

/// The exports of an Astro endpoint that handle requests: an HTTP method's, or `ALL`.
pub(super) fn endpoint(name: &str) -> bool {
    name == "ALL" || super::handlers::ROUTE_METHODS.contains(&name)
}

impl Walk {
    /// `defineAction({ input, accept, handler })`: the handler is entered as an action's,
    /// with its `input` schema; the rest of the call is walked as any.
    pub(super) fn astro_action(&mut self, c: &CallExpr) {
        let config = match c.args.first().map(|a| unwrap(&a.expr)) {
            Some(Expr::Object(o)) if c.args.len() == 1 => o,
            _ => {
                c.visit_children_with(self);
                return;
            }
        };
        for p in &config.props {
            let PropOrSpread::Prop(prop) = p else {
                p.visit_with(self);
                continue;
            };
            let entered = match &**prop {
                Prop::Method(m) if prop_name(&m.key).as_deref() == Some("handler") => {
                    self.schema = action_schema(config);
                    self.fn_node(&m.function, FnKind::AstroAction);
                    true
                }
                Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some("handler") => {
                    self.schema = action_schema(config);
                    self.function_expr(&kv.value, FnKind::AstroAction)
                }
                _ => false,
            };
            if !entered {
                prop.visit_with(self);
            }
        }
    }

    /// An Astro action's first parameter: its input, the client's, validated by the action's
    /// `input` schema when one is known.
    pub(super) fn action_input(&mut self, p: &Pat) -> Val {
        let span = self.at.span(p.span());
        match self.schema.take() {
            Some(schema) => Val::Input(InputOrigin {
                label: "the action's input",
                path: pat_name(p).unwrap_or_default().into(),
                span,
                schema: Some(Box::new((*schema).clone())),
            }),
            None => input("the action's input", pat_name(p).unwrap_or_default(), span),
        }
    }
}

/// The zod object schema of an action's `input`, when it is one.
fn action_schema(config: &ObjectLit) -> Option<std::rc::Rc<crate::facts::ZodObject>> {
    object_prop(config, "input")
        .and_then(crate::extract::zod::schema_of)
        .map(std::rc::Rc::new)
}
