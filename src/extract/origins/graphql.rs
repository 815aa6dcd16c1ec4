//! GraphQL resolvers: a field's `resolve(parent, args, context)` (graphql-js, Pothos, Nexus)
//! and the functions of a resolver map's `Query`, `Mutation` and `Subscription` objects
//! (Apollo Server, graphql-tools, GraphQL Yoga). Their second argument holds the arguments the
//! client sent; their third, the context the server built for the request (the session's).

use super::Walk;
use crate::extract::ast::{is_function, unwrap};
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Walk {
    /// Visits `p`, a resolver (`resolve: (parent, args, ctx) => ..`) or a resolver map's root
    /// type (`Query: { project: (_, args, ctx) => .. }`), binding the resolvers' parameters so.
    pub(super) fn resolver_prop(&mut self, p: &KeyValueProp) {
        let Expr::Object(o) = unwrap(&p.value) else {
            self.resolver = true;
            p.value.visit_with(self);
            self.resolver = false;
            return;
        };
        for prop in &o.props {
            let PropOrSpread::Prop(q) = prop else {
                prop.visit_with(self);
                continue;
            };
            self.resolver = match &**q {
                Prop::KeyValue(kv) => is_function(&kv.value),
                Prop::Method(_) => true,
                _ => false,
            };
            q.visit_with(self);
            self.resolver = false;
        }
    }
}
