//! Which modules the origins walk reads, and the chains that register request handlers.

use crate::extract::ast::{is_function, str_value, unwrap};
use crate::extract::chain::Seg;
use crate::facts::*;
use swc_ecma_ast::*;

/// Whether values are worth following in this module: it holds queries, registers request
/// handlers, exports route handlers or server actions, is a SvelteKit route file (`kit`) or one
/// of Nuxt's auto-imported utilities ([`nitro_utils_file`]), exports an h3 handler
/// ([`nitro_default`]), or defines background jobs ([`defines_jobs`]). Other files are not walked again (`'use
/// client'` modules never get here: `client.rs` walks them).
pub(crate) fn worth_walking(
    module: &Module,
    facts: &FileFacts,
    kit: bool,
    path: &std::path::Path,
) -> bool {
    let server = module
        .body
        .iter()
        .map_while(directive)
        .any(|d| d == "use server");
    // (Cheapest first: the scans of the module's items come last.)
    kit || facts.origins.handlers
        || !facts.queries.is_empty()
        || server
        || defines_jobs(module)
        || facts.exports.iter().any(|e| {
            matches!(e, Export::Local { exported, .. }
                if ROUTE_METHODS.contains(&&**exported) || matches!(&**exported, "loader" | "action" | "handler"))
        })
        || (facts
            .exports
            .iter()
            .any(|e| matches!(e, Export::Local { exported, .. } if exported == "default"))
            && module.body.iter().any(super::values::page_with_url_props))
        || facts
            .imports
            .iter()
            .any(|i| &*i.source == "astro:actions" || qwik_module(&i.source))
        || module.body.iter().any(default_api_route)
        || module.body.iter().any(nitro_default)
        || nitro_utils_file(path)
}

/// `export default defineEventHandler(..)` (h3's handlers, as Nuxt's and Nitro's `server/`
/// route files are written, cached or not), a Nitro task (`defineTask({ run })`) or plugin: a
/// module Nitro calls with a request's event or as a job.
/// `export default function handler(req, res)`: a Next.js Pages Router API route (see
/// [`api_route`]).
fn default_api_route(item: &ModuleItem) -> bool {
    matches!(item, ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(ExportDefaultDecl {
        decl: DefaultDecl::Fn(f), ..
    })) if api_route(&f.function))
}

fn nitro_default(item: &ModuleItem) -> bool {
    let ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) = item else {
        return false;
    };
    let Expr::Call(c) = unwrap(&e.expr) else {
        return false;
    };
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    matches!(unwrap(callee), Expr::Ident(i) if super::h3::defines_handler(&i.sym)
        || matches!(&*i.sym, "defineTask" | "defineNitroPlugin" | "defineWebSocketHandler"))
}

/// A module of Nuxt's (or Nitro's) auto-imported utilities, by its path (`server/utils/`,
/// `shared/utils/`): what it exports is called from server code without an import, so its
/// calls are read even when it holds no query of its own.
fn nitro_utils_file(path: &std::path::Path) -> bool {
    // (The searcher is built once, not once per module.)
    static UTILS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"/utils/"));
    let p = path.as_os_str().as_encoded_bytes();
    UTILS.find_iter(p).any(|at| {
        let before = &p[..at];
        let parent = before.rsplit(|&c| c == b'/').next().unwrap_or_default();
        parent == b"server" || parent == b"shared"
    })
}

/// Background jobs declared at module level (and NestJS classes, see `nest_class`): a trigger.dev task (`task({ run })`,
/// `schemaTask({ run })`, `schedules.task({ run })`) or a queue processor class (a method
/// `process(job)`, as BullMQ's `WorkerHost` and processors built on it have). A job calls the
/// project's query functions as a request handler does; its calls are followed, so a helper it
/// calls is proven (or not) by what the job checked before the call, and is no longer called
/// from a file whose values nobody read.
fn defines_jobs(module: &Module) -> bool {
    let task = |e: &Expr| {
        let Expr::Call(c) = unwrap(e) else {
            return false;
        };
        let named = match &c.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(i) => matches!(&*i.sym, "task" | "schemaTask"),
                Expr::Member(m) => {
                    matches!(unwrap(&m.obj), Expr::Ident(o) if &*o.sym == "schedules")
                        && crate::extract::ast::member_prop(&m.prop).as_deref() == Some("task")
                }
                _ => false,
            },
            _ => false,
        };
        named
            && c.args.iter().any(|a| {
                matches!(unwrap(&a.expr), Expr::Object(o) if o.props.iter().any(|p| {
                    matches!(p, PropOrSpread::Prop(p) if match &**p {
                        Prop::KeyValue(kv) => crate::extract::ast::prop_atom(&kv.key).as_deref() == Some("run"),
                        Prop::Method(m) => crate::extract::ast::prop_atom(&m.key).as_deref() == Some("run"),
                        _ => false,
                    })
                }))
            })
    };
    // (A NestJS class, `@Controller`, `@Injectable`, ..: what it passes its services decides
    // what they are given, so it is read too.)
    let processor = |c: &Class| {
        nest_class(c)
            || c.body.iter().any(|m| {
                matches!(m, ClassMember::Method(m)
                    if !m.function.params.is_empty()
                        && crate::extract::ast::prop_atom(&m.key).as_deref() == Some("process"))
            })
    };
    let decl = |d: &Decl| match d {
        Decl::Class(c) => processor(&c.class),
        Decl::Var(v) => v.decls.iter().any(|d| d.init.as_deref().is_some_and(task)),
        _ => false,
    };
    module.body.iter().any(|item| match item {
        ModuleItem::Stmt(Stmt::Decl(d)) => decl(d),
        ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => decl(&e.decl),
        ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(ExportDefaultDecl {
            decl: DefaultDecl::Class(c),
            ..
        })) => processor(&c.class),
        _ => false,
    })
}

/// A chain that registers a request handler: a tRPC procedure's `.query(fn)`, a route's
/// `.get('/x', fn)`, h3's `defineEventHandler(fn)`; or a middleware (`.use(fn)`, `.use(isMember)`, `t.middleware(fn)`), whose
/// membership checks the procedures made on the builder rely on.
/// Builders and middlewares count at module level only, where they are declared.
pub(crate) fn registers_handler(segs: &[Seg<'_>], module_level: bool) -> bool {
    segs.iter().any(|s| {
        let named = |a: &ExprOrSpread| matches!(unwrap(&a.expr), Expr::Ident(_));
        // tRPC's take the middleware alone (Hono's and Express's `app.use('*', mw)` a path).
        if module_level && matches!(&*s.name, "use" | "middleware" | "unstable_pipe") {
            return s.args.is_some_and(
                |a| matches!(a, [a] if a.spread.is_none() && (is_function(&a.expr) || named(a))),
            );
        }
        (crate::extract::names::is_procedure_method(&s.name)
            || matches!(
                &*s.name,
                "get" | "post" | "put" | "patch" | "delete" | "all" | "route" | "openapi"
            ))
            && s.args
                .is_some_and(|a| a.iter().any(|a| is_function(&a.expr)))
    }) || segs.last().is_some_and(|root| {
        // h3's `defineEventHandler(fn)`, Encore's `api(options, fn)`: a call of a name, the
        // root of its chain.
        root.object.is_none()
            && (super::h3::defines_handler(&root.name) || &*root.name == "api")
            && root
                .args
                .is_some_and(|a| a.iter().any(|a| is_function(&a.expr)))
    })
}

/// A directive of the prologue (`'use server'`).
pub(super) fn directive(item: &ModuleItem) -> Option<String> {
    match item {
        ModuleItem::Stmt(s) => stmt_directive(s),
        _ => None,
    }
}

pub(super) fn stmt_directive(s: &Stmt) -> Option<String> {
    match s {
        Stmt::Expr(e) if matches!(&*e.expr, Expr::Lit(Lit::Str(_))) => str_value(&e.expr),
        _ => None,
    }
}

pub(super) const ROUTE_METHODS: [&str; 7] =
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// A SvelteKit route file, by its name: `+page.server.ts`, `+layout.server.ts` or `+server.ts`
/// (or `.js`). What they export is called by SvelteKit with the request's event.
pub(crate) fn kit_route_file(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        matches!(ext, "ts" | "js" | "mts" | "mjs")
            && matches!(stem, "+page.server" | "+layout.server" | "+server")
    })
}

/// What a SvelteKit route file exports for SvelteKit to call with the request's event: `load`
/// (a page's or layout's data) and request handlers (`GET`, .., `fallback`). Form `actions` are
/// an object of such functions.
pub(super) fn kit_handler(name: &str) -> bool {
    matches!(name, "load" | "fallback") || ROUTE_METHODS.contains(&name)
}

/// The module's `@hono/zod-openapi` routes with a request body schema: `const putRoute =
/// createRoute({ request: { body: .. } })`, exported or not.
pub(crate) fn routes(module: &Module) -> Vec<(Name, std::rc::Rc<ZodObject>)> {
    let mut out = vec![];
    for item in &module.body {
        let v = match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) => v,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                decl: Decl::Var(v),
                ..
            })) => v,
            _ => continue,
        };
        for d in &v.decls {
            if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                if let Some(body) = crate::extract::zod::route_body(init) {
                    out.push((name.id.sym.clone(), body.into()));
                }
            }
        }
    }
    out
}

/// The body schema of the route a call registers a handler for: `api.openapi(route, handler)`
/// with one of the module's `routes`, or a `zValidator('json', S)` among its arguments
/// (`app.post('/x', zValidator('json', S), handler)`).
pub(crate) fn body_schema(
    c: &CallExpr,
    routes: &[(Name, std::rc::Rc<ZodObject>)],
) -> Option<std::rc::Rc<ZodObject>> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    if crate::extract::ast::member_prop(&m.prop).as_deref() == Some("openapi") {
        if let Some(Expr::Ident(route)) = c.args.first().map(|a| unwrap(&a.expr)) {
            return routes
                .iter()
                .find(|(n, _)| *n == route.sym)
                .map(|(_, s)| s.clone());
        }
    }
    c.args
        .iter()
        .find_map(|a| crate::extract::zod::json_validator(&a.expr))
        .map(Into::into)
}

/// Class decorators of classes whose methods serve requests or jobs, of services they call
/// (`@Controller('invoices')`, `@Injectable()`), and of the modules that list them (a file
/// importing a class, unread, would leave its methods' callers unknown).
const CLASS_DECORATORS: [&str; 7] = [
    "Module",
    "Controller",
    "Resolver",
    "WebSocketGateway",
    "Processor",
    "Injectable",
    "Catch",
];

/// A decorator's name: `@Body()`, `@Body('id')` and `@Body` are `Body`.
pub(super) fn decorator_name(d: &Decorator) -> Option<&str> {
    let e = match unwrap(&d.expr) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(e) => unwrap(e),
            _ => return None,
        },
        e => e,
    };
    match e {
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// A NestJS class (see [`CLASS_DECORATORS`]).
fn nest_class(c: &Class) -> bool {
    c.decorators
        .iter()
        .any(|d| decorator_name(d).is_some_and(|n| CLASS_DECORATORS.contains(&n)))
}

/// A property that handles requests, so that its module's values are followed (see
/// [`request_prop`]).
pub(crate) fn handles_requests(kv: &KeyValueProp) -> bool {
    request_prop(kv).is_some()
}

/// What a property that handles requests is ([`handles_requests`]), asked of every property
/// of every object: its value's kind first (most are neither a function nor an object).
pub(super) fn request_prop(kv: &KeyValueProp) -> Option<RequestProp> {
    // (As written: a resolver is not wrapped in parentheses or a type assertion.)
    let function = match &*kv.value {
        Expr::Arrow(_) | Expr::Fn(_) => true,
        Expr::Object(_) => false,
        _ => return None,
    };
    let PropName::Ident(k) = &kv.key else {
        return None;
    };
    match (&*k.sym, function) {
        ("resolve" | "subscribe", true) | ("Query" | "Mutation" | "Subscription", false) => {
            Some(RequestProp::Resolvers)
        }
        (key, true) if ROUTE_METHODS.contains(&key) => Some(RequestProp::MethodHandler),
        _ => None,
    }
}

/// See [`request_prop`].
pub(super) enum RequestProp {
    /// A GraphQL field's `resolve: (parent, args, ctx) => ..`, or a resolver map's root type
    /// (`Query: { project: (_, args, ctx) => .. }`).
    Resolvers,
    /// `GET: async ({ request, params }) => ..`: a route's handler by method (TanStack Start).
    MethodHandler,
}

/// A default-exported function given a request first (a Next.js Pages Router API route,
/// `handler(req: NextApiRequest, res: NextApiResponse)`): its first parameter is named `req` or
/// `request`, or typed as a request (`NextApiRequest`, `Request`, `IncomingMessage`). A page
/// component is given its props instead.
pub(super) fn api_route(f: &Function) -> bool {
    let Some(Pat::Ident(first)) = f.params.first().map(|p| &p.pat) else {
        return false;
    };
    crate::extract::ast::is_request_param(first)
}

/// The server frameworks a module imports from (decided once per module): each gives the
/// functions it calls a request of its own.
#[derive(Clone, Copy, Default)]
pub(crate) struct Frameworks {
    /// `elysia`: its routes' handlers are given Elysia's context (see `elysia`).
    pub elysia: bool,
    /// Koa or its router: its routes and middleware are given Koa's context (see `koa`).
    pub koa: bool,
    /// Astro: its endpoints and actions (see `astro`).
    pub astro: bool,
    /// Qwik City: its loaders, actions, `server$` functions and endpoints (see `qwik`).
    pub qwik: bool,
    /// A RedwoodJS service, by its path (see [`redwood_service`]).
    pub redwood: bool,
    /// Encore.ts: its exposed endpoints (see `encore`).
    pub encore: bool,
}

impl Frameworks {
    pub(crate) fn of(imports: &[crate::facts::Import]) -> Frameworks {
        let mut f = Frameworks::default();
        for i in imports {
            let source = &*i.source;
            // (Most sources are the project's own, `./..` or `@/..`: one byte decides.)
            match source.as_bytes().first() {
                Some(b'e') => {
                    f.elysia |= source == "elysia";
                    f.encore |= super::encore::encore_module(source);
                }
                Some(b'k') => f.koa |= koa_module(source),
                Some(b'a') => f.astro |= astro_module(source),
                Some(b'@') => {
                    f.koa |= koa_module(source);
                    f.qwik |= qwik_module(source);
                }
                _ => {}
            }
        }
        f
    }
}

/// A RedwoodJS service module (`api/src/services/**`; its `*.scenarios.ts` are test data):
/// each function it exports is a GraphQL resolver, given the query's arguments first.
pub(crate) fn redwood_service(path: &std::path::Path) -> bool {
    let p = path.to_string_lossy();
    (p.contains("api/src/services/") || p.contains("api\\src\\services\\"))
        && !p.contains(".scenarios.")
}

/// Whether an import source is Qwik City's (`@builder.io/qwik-city`, Qwik 2's
/// `@qwik.dev/router`).
pub(crate) fn qwik_module(source: &str) -> bool {
    matches!(source, "@builder.io/qwik-city" | "@qwik.dev/router")
}

/// Whether an import source is Koa's or its router's (see `koa`).
pub(crate) fn koa_module(source: &str) -> bool {
    matches!(source, "koa" | "@koa/router" | "koa-router")
}

/// Whether an import source is Astro's: `astro` itself (its `APIRoute`, `APIContext` types) or
/// one of its virtual modules (`astro:actions`, `astro:schema`, `astro:middleware`).
pub(crate) fn astro_module(source: &str) -> bool {
    source == "astro" || source.starts_with("astro:")
}

/// A function body that starts with `'use server'` (`async function act(..) { 'use server';
/// .. }`, or an arrow with that body, as SolidStart's `query(async (id) => { "use server"; ..
/// })`): an inline server action, whose arguments the client sends.
pub(super) fn server_function(body: &[Stmt]) -> bool {
    body.iter()
        .map_while(stmt_directive)
        .any(|d| d == "use server")
}

/// An arrow function's statements, when its body is a block.
pub(super) fn arrow_stmts(a: &ArrowExpr) -> Option<&[Stmt]> {
    match &*a.body {
        ArrowFunctionBody::FunctionBody(b) => Some(&b.stmts),
        ArrowFunctionBody::Expr(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::nitro_utils_file;
    use std::path::Path;

    #[test]
    fn nuxt_utilities_by_their_path() {
        assert!(nitro_utils_file(Path::new("server/utils/db.ts")));
        assert!(nitro_utils_file(Path::new(
            "/app/web/shared/utils/dates.ts"
        )));
        assert!(nitro_utils_file(Path::new(
            "/app/server/utils/nested/auth.ts"
        )));
        assert!(!nitro_utils_file(Path::new("/app/src/utils/db.ts")));
        assert!(!nitro_utils_file(Path::new("/app/server/api/utils.ts")));
        assert!(!nitro_utils_file(Path::new("/app/myserver/utils/db.ts")));
    }
}
