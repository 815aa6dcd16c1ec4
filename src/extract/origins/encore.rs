//! Encore.ts services, in a module that imports from `encore.dev` (decided once per module): an
//! endpoint (`export const get = api({ expose: true, method: 'GET', path: '/projects/:id' },
//! async ({ id }) => ..)`) is given one object holding the client's path parameters, query
//! string and body together, when it is exposed; an internal one (`expose` false or left out)
//! is called by the app's other services and cron jobs with values they chose. `api.raw(..)`'s
//! handler is given Node's request and response (read by their names, as any `req`). The
//! signed-in user is `getAuthData()`'s (`~encore/auth`), which the session calls list.

use crate::extract::ast::{object_prop, unwrap};
use swc_ecma_ast::*;

/// Whether an import source is Encore's (`encore.dev/api`, `encore.dev/cron`, ..).
pub(crate) fn encore_module(source: &str) -> bool {
    source == "encore.dev" || source.starts_with("encore.dev/")
}

/// `api({ expose: true, .. }, handler)`: an endpoint clients call.
pub(super) fn exposed_endpoint(c: &CallExpr) -> bool {
    let [options, handler] = &c.args[..] else {
        return false;
    };
    let Expr::Object(o) = unwrap(&options.expr) else {
        return false;
    };
    crate::extract::ast::is_function(&handler.expr)
        && object_prop(o, "expose")
            .is_some_and(|e| matches!(unwrap(e), Expr::Lit(Lit::Bool(b)) if b.value))
}
