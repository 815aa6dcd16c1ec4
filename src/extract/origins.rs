//! Where values come from: a second, small walk that follows values through locals,
//! destructuring and object properties within each function, and records where the values of
//! column filters, written keys and call arguments come from (request input, the session or
//! context, a parameter). Only origins that say something are kept: a value of unknown origin
//! leaves no fact.
//!
//! What counts as request input: a tRPC procedure's `input` (and next-safe-action's
//! `parsedInput`), a Next.js route handler's `request.json()`, `searchParams` and `params`, a
//! default-exported component's `params` and `searchParams` props (a page's or layout's), the
//! arguments of a `'use server'` file's exported functions, SvelteKit's event (`params`,
//! `url.searchParams`, `request`) in a route file's `load`, form actions and request handlers,
//! Hono's `c.req.param|query|json|valid|header(..)`, Express/Fastify `req.body|params|query`,
//! h3's `getQuery(event)` and its kind (`h3`), Elysia's `params`, `body`, .. (`elysia`), Koa's
//! `ctx.params`, `ctx.request.body`, .. (`koa`) and `formData.get(..)`. The session: `ctx.*`
//! (Koa's `ctx.state`), `session.*`, `locals.*` (SvelteKit's event's too), `auth()` and its
//! kind, Hono's `c.get(..)`/`c.var`, h3's `event.context`, what Elysia's `.derive(..)` added.
//!
//! It also records the tRPC builder chains (`builders`): which module-level builders are made
//! with `.use(mw)` from which base, and which builder each procedure is made on, so that link
//! finds the membership checks a procedure's middlewares make.

use super::ast::{called_member, is_function, prop_name, unwrap, Offsets};
use values::{destructured_rows, member, returns_session, session_call, session_name, Env, Val};

mod args;
mod assign;
mod astro;
mod builders;
mod elysia;
mod encore;
mod exports;
mod fields;
mod filters;
mod flow;
mod graphql;
mod guards;
mod h3;
mod handlers;
mod koa;
mod lambda;
mod lets;
mod methods;
mod nest;
mod params;
mod qwik;
mod receivers;
use handlers::{arrow_stmts, directive, server_function, RequestProp};
pub(super) use handlers::{
    handles_requests, kit_route_file, redwood_service, registers_handler, worth_walking, Frameworks,
};
mod module_level;
use module_level::{has_function, CalledNames};
mod object_filter;
mod session;
mod values;
mod writes;
use super::names::{is_action_method, is_global, is_operator, is_procedure_method};
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// What the module-level walk knew of a module when its values are walked.
pub(super) struct Known<'a> {
    /// The functions of the module (and the framework's it imports) that never return.
    pub never: &'a [Name],
    /// The names the module imports (whether one of them never returns is decided when the
    /// project is linked).
    pub imported: &'a [Name],
    /// A property of the module handles requests (see `graphql` and `handles_requests`).
    pub requests: bool,
    /// The server frameworks the module imports from.
    pub frameworks: Frameworks,
    /// Where each run of a prepared statement (`stmt.execute({..})`) starts.
    pub prepared: Vec<u32>,
    /// Where each query starts, sorted (see `receivers`).
    pub queries: Vec<u32>,
}

/// Collects the origin facts of one module; `kit`: it is a SvelteKit route file
/// ([`kit_route_file`]).
pub(super) fn collect(module: &Module, at: Offsets, kit: bool, known: Known<'_>) -> OriginFacts {
    let use_server = module
        .body
        .iter()
        .map_while(directive)
        .any(|d| d == "use server");
    let mut w = Walk {
        env: Env {
            at,
            vars: vec![],
            scopes: vec![],
            body: None,
            this: None,
            classes: module_level::project_classes(module),
        },
        schema: None,
        action: false,
        routes: handlers::routes(module),
        use_server,
        kit,
        facts: OriginFacts::default(),
        lets: lets::Lets::new(),
        reach: Default::default(),
        awaited: vec![],
        nonempty: None,
        never: known.never.to_vec(),
        imported: known.imported.to_vec(),
        requests: known.requests,
        fw: known.frameworks,
        prepared: known.prepared,
        queries: known.queries,
        element: None,
        table_callback: false,
        resolver: false,
    };
    module.visit_with(&mut w);
    w.facts.walked = true;
    // In source order of the values: a value is found by where it starts (`ValueAt`).
    w.facts.uses.sort_by_key(|u| (u.span.lo, u.span.hi));
    w.facts
}

/// How a function is entered, from the code around it.
#[derive(Clone, Copy, PartialEq)]
enum FnKind {
    Plain,
    /// The handler of a tRPC procedure (`.query(..)`, `.mutation(..)`) or a next-safe-action
    /// (`.action(..)`): its first argument is the procedure's options.
    Procedure,
    /// An exported function of a `'use server'` file: every argument is input.
    ServerAction,
    /// An exported `GET`/`POST`/.. of a route file.
    RouteHandler,
    /// A default-exported component (a Next.js page or layout): its props' `params` and
    /// `searchParams` are the URL's.
    Page,
    /// A SvelteKit route file's `load`, form action or request handler, or a React Router
    /// route module's `loader` or `action`: its argument is the request's event.
    EventHandler,
    /// An h3 handler (`defineEventHandler(..)`'s): its argument is h3's event.
    H3Handler,
    /// An Elysia route's handler (or `.derive(..)`'s): its argument is Elysia's context.
    Elysia,
    /// A Koa route's or middleware's function: its argument is Koa's context.
    Koa,
    /// A Qwik City loader or endpoint: its argument is Qwik's request event.
    QwikEvent,
    /// A Qwik City action (`routeAction$`, `globalAction$`): its data, then the event.
    QwikAction,
    /// A RedwoodJS service's exported function: its first argument is the GraphQL arguments.
    RedwoodService,
    /// An Astro action's handler (`defineAction({ input, handler })`): its first argument is
    /// the action's input, its second Astro's context.
    AstroAction,
    /// An exposed Encore.ts endpoint's handler: its argument is the client's request.
    EncoreEndpoint,
}

impl FnKind {
    /// A plain function whose body starts with `'use server'` is an inline server action.
    fn or_server(self, body: Option<&[Stmt]>) -> FnKind {
        match self {
            FnKind::Plain if body.is_some_and(server_function) => FnKind::ServerAction,
            k => k,
        }
    }
}

struct Walk {
    env: Env,
    /// The schema of the `.input(..)` of the procedure whose handler is entered next.
    schema: Option<std::rc::Rc<ZodObject>>,
    /// That procedure is an action client's ([`is_action_method`]), not tRPC's.
    action: bool,
    /// The module's `@hono/zod-openapi` routes (`const route = createRoute(..)`) with a body
    /// schema.
    routes: Vec<(Name, std::rc::Rc<ZodObject>)>,
    use_server: bool,
    /// A SvelteKit route file (`+page.server.ts`, `+server.ts`, ..).
    kit: bool,
    facts: OriginFacts,
    lets: lets::Lets,
    /// The blocks that may not run and the `try` blocks the walk is in (see `reach`).
    reach: super::reach::Reach,
    /// The calls the `await`s the walk is in wait for (their errors reach the code after).
    awaited: Vec<swc_common::Span>,
    /// In the block of `if (keys.length) { .. }`: the block's span, and what `keys` holds.
    nonempty: Option<(crate::span::Span, Origin)>,
    /// The functions that never return (see `collect`): a check may leave by calling one.
    never: Vec<Name>,
    /// The names the module imports.
    imported: Vec<Name>,
    /// A property of the module handles requests (see `graphql` and `handles_requests`).
    requests: bool,
    /// See [`Known::frameworks`].
    fw: Frameworks,
    /// See [`Known::prepared`].
    prepared: Vec<u32>,
    queries: Vec<u32>,
    /// What the first parameter of the function entered next holds: one of the rows of
    /// `rows.map((row) => ..)` (see `element_callback`).
    element: Option<Val>,
    /// The function entered next is a relational query's `where`/`orderBy`/`extras` callback
    /// (`(c, { eq }) => ..`): its parameters are the table and the operators, whatever their
    /// names (`c` is no Hono context there).
    table_callback: bool,
    /// The function entered next is a GraphQL resolver (see `graphql`).
    resolver: bool,
}

/// What names hold is read through the walk's environment.
impl std::ops::Deref for Walk {
    type Target = Env;
    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Walk {
    /// Binds every name `pat` introduces to what its part of `v` holds.
    fn bind(&mut self, pat: &Pat, v: Val) {
        match pat {
            Pat::Ident(i) => self.push_var(i.id.sym.clone(), v),
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => {
                            let Some(key) = prop_name(&kv.key) else {
                                self.bind(&kv.value, Val::Unknown);
                                continue;
                            };
                            let span = self.at.span(kv.value.span());
                            let part = member(&v, None, &key, span);
                            self.bind(&kv.value, part);
                        }
                        ObjectPatProp::Assign(a) => {
                            let span = self.at.span(a.key.span);
                            let part = member(&v, None, &a.key.id.sym, span);
                            self.push_var(a.key.id.sym.clone(), part);
                        }
                        ObjectPatProp::Rest(r) => self.bind(&r.arg, v.clone()),
                    }
                }
            }
            Pat::Array(a) => {
                let elem = match &v {
                    Val::Input(_) | Val::Session => v.clone(),
                    Val::Local { name, path, .. } => Val::Local {
                        name: name.clone(),
                        path: path.clone(),
                        each: true,
                    },
                    _ => Val::Unknown,
                };
                for p in a.elems.iter().flatten() {
                    self.bind(p, elem.clone());
                }
            }
            Pat::Assign(a) => self.bind(&a.left, v),
            Pat::Rest(r) => self.bind(&r.arg, v),
            _ => {}
        }
    }

    /// Enters a function: binds its parameters by what `kind` says they hold.
    /// Its body may run again after its own assignments to names bound outside: see
    /// [`Walk::repeated`].
    fn function<'p>(
        &mut self,
        params: impl Iterator<Item = &'p Pat> + Clone,
        body: &dyn Fn(&mut Self),
        span: swc_common::Span,
        kind: FnKind,
    ) {
        let scope = self.at.span(span);
        let env = self.env.vars.len();
        self.env.scopes.push(scope);
        // What the parameters are bound by, the same for a second walk of the body.
        let (schema, action) = (self.schema.clone(), self.action);
        let element = self.element.take();
        let (table, resolver) = (self.table_callback, self.resolver);
        (self.table_callback, self.resolver) = (false, false);
        self.repeated(&mut |w| {
            let outer = std::mem::replace(&mut w.lets.fn_region, w.lets.region);
            (w.schema, w.action) = (schema.clone(), action);
            w.element.clone_from(&element);
            (w.table_callback, w.resolver) = (table, resolver);
            w.params(params.clone(), scope, kind);
            body(w);
            w.lets.fn_region = outer;
        });
        self.env.scopes.pop();
        self.truncate_vars(env);
    }

    /// `const member = await check(..)` (also `const [row] = await read(..)`): the result of
    /// the call recorded first since `calls` is that local.
    fn note_call_result(&mut self, calls: usize, d: &VarDeclarator, init: &Expr) {
        // (`const [row] = await read(..)`: its first row.)
        let Some(name) = super::ast::result_binding(&d.name) else {
            return;
        };
        // Awaited (a promise is never missing), its error maybe handled: `await
        // check(..).catch(() => null)` gives `null` then.
        let Some(c) = (match unwrap(init) {
            Expr::Await(a) => super::reach::uncaught(&a.arg),
            _ => None,
        }) else {
            return;
        };
        let span = self.at.span(c.span);
        if let Some(call) = self.facts.calls.get_mut(calls).filter(|k| k.span == span) {
            call.result = Some(name.clone());
        }
    }

    fn function_expr(&mut self, e: &Expr, kind: FnKind) -> bool {
        match unwrap(e) {
            Expr::Arrow(a) => {
                self.function(
                    a.params.iter(),
                    &|w: &mut Self| a.body.visit_with(w),
                    a.span,
                    kind.or_server(arrow_stmts(a)),
                );
                true
            }
            Expr::Fn(f) => {
                self.fn_node(&f.function, kind);
                true
            }
            _ => false,
        }
    }

    /// `c`, a call of the method `method` of the class `class` (on an instance of it).
    fn class_method_call(&mut self, c: &CallExpr, class: Name, method: Name) {
        let last = method.clone();
        self.call((&c.args, c.span), &last, || vec![class, method]);
    }

    fn fn_node(&mut self, f: &Function, kind: FnKind) {
        let kind = kind.or_server(f.body.as_ref().map(|b| &b.stmts[..]));
        let params = f.params.iter().map(|p| &p.pat);
        let body = |w: &mut Self| {
            w.decorated_params(&f.params);
            f.body.visit_with(w)
        };
        self.function(params, &body, f.span, kind);
    }

    /// A module-level builder (`const teamProcedure = protectedProcedure.use(isMember)`).
    fn builder(&mut self, d: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
            let span = self.at.span(init.span());
            let name = Some(name.id.sym.clone());
            if let Some(b) = builders::read(name, init, span, self.at) {
                self.facts.builders.push(b);
            }
        }
    }
}

/// `await ..` or a call: a value a local may be given and later read from.
fn returns_value(init: &Expr) -> bool {
    matches!(unwrap(init), Expr::Await(_) | Expr::Call(_))
}

impl Visit for Walk {
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
    fn visit_key_value_prop(&mut self, p: &KeyValueProp) {
        // A GraphQL resolver, or a route's handler by method (TanStack Start's server routes,
        // `.methods({ GET: ({ request, params }) => .. })`: given the request's event).
        match self.requests.then(|| handlers::request_prop(p)).flatten() {
            Some(RequestProp::MethodHandler) => {
                self.function_expr(&p.value, FnKind::EventHandler);
                return;
            }
            Some(RequestProp::Resolvers) => return self.resolver_prop(p),
            None => {}
        }
        p.key.visit_with(self);
        self.table_callback = matches!(unwrap(&p.value), Expr::Arrow(_))
            && matches!(
                prop_name(&p.key).as_deref(),
                Some("where" | "orderBy" | "extras")
            );
        p.value.visit_with(self);
        self.table_callback = false;
    }

    // Markup holds no server code worth following.
    fn visit_jsx_element(&mut self, _: &JSXElement) {}
    fn visit_jsx_fragment(&mut self, _: &JSXFragment) {}

    fn visit_export_decl(&mut self, d: &ExportDecl) {
        self.export_decl(d);
    }

    fn visit_export_default_decl(&mut self, d: &ExportDefaultDecl) {
        self.export_default_decl(d);
    }

    fn visit_function(&mut self, f: &Function) {
        // A `function` has a `this` of its own.
        let this = self.env.this.take();
        self.fn_node(f, FnKind::Plain);
        self.env.this = this;
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.class(Some(&c.ident.sym), &c.class);
    }

    fn visit_class_expr(&mut self, c: &ClassExpr) {
        self.class(c.ident.as_ref().map(|i| &i.sym), &c.class);
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        self.new_call(n);
        n.visit_children_with(self);
    }

    fn visit_class_method(&mut self, m: &ClassMethod) {
        // A static method's `this` is the class.
        let this = if m.is_static {
            self.env.this.take()
        } else {
            self.env.this.clone()
        };
        self.fn_node(&m.function, FnKind::Plain);
        self.env.this = this;
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        let body = |w: &mut Self| a.body.visit_with(w);
        let kind = FnKind::Plain.or_server(arrow_stmts(a));
        self.function(a.params.iter(), &body, a.span, kind);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.guards(s);
        s.test.visit_with(self);
        let nonempty = super::ast::length_tested(&s.test)
            .and_then(|keys| self.origin(keys).fact())
            .map(|keys| (self.at.span(s.cons.span()), keys));
        let outer = std::mem::replace(&mut self.nonempty, nonempty);
        self.branch_at(s.cons.span(), |w| s.cons.visit_with(w));
        self.nonempty = outer;
        if let Some(alt) = &s.alt {
            self.branch_at(alt.span(), |w| alt.visit_with(w));
        }
    }

    fn visit_var_decl(&mut self, v: &VarDecl) {
        for d in &v.decls {
            let Some(init) = &d.init else {
                d.name.visit_with(self);
                if let (Pat::Ident(name), false) = (&d.name, self.env.scopes.is_empty()) {
                    self.push_unassigned(name.id.sym.clone());
                }
                continue;
            };
            let calls = self.facts.calls.len();
            if self.env.scopes.is_empty() {
                // A module-level value with no function in it (a route's definition, a schema,
                // a constant) holds no value of a request: only its calls' names are kept.
                if has_function(init) {
                    init.visit_with(self);
                } else {
                    let mut names = CalledNames(&mut self.facts.opaque_calls);
                    init.visit_with(&mut names);
                }
                self.builder(d);
                continue;
            }
            init.visit_with(self);
            // `const row = c ? await read(..) : null`: the read's result, or nothing.
            let init = super::ast::held_result(init);
            self.note_call_result(calls, d, init);
            let mut val = match unwrap(init) {
                // `const tuple = { keyId: key.id }`: what each key holds, for writes of it.
                Expr::Object(o) => self.object(o),
                e => self.origin(e),
            };
            // `const row = await ..`, `const [row] = await ..`: what the local holds (a query's
            // rows, a helper's result) is known by the local's name; `const [a, b] = await
            // Promise.all([qa, qb])`: each name, each query's rows. A helper given a value of
            // the session (`const project = await getProject(input.id, ctx.orgId)`) returns
            // the session's rows, which are also this local's.
            if matches!(val, Val::Unknown | Val::SessionRows(None)) && returns_value(init) {
                match &d.name {
                    // `const session = await verifyAccessToken(token)`: what the code calls its
                    // session, as an unbound `session` is; not a row of a table named so
                    // (`const session = await getChatSession(..)`, `await db.select()..`).
                    Pat::Ident(name) if session_name(&name.id.sym) && returns_session(init) => {
                        val = Val::Session
                    }
                    Pat::Ident(name) if matches!(val, Val::SessionRows(_)) => {
                        val = Val::SessionRows(Some(name.id.sym.clone()))
                    }
                    Pat::Ident(name) => val = Val::rows(&name.id.sym),
                    Pat::Array(a) => {
                        for name in a.elems.iter().flatten().filter_map(|p| p.as_ident()) {
                            self.push_var(name.id.sym.clone(), Val::rows(&name.id.sym));
                        }
                        continue;
                    }
                    // `const { report, update } = await db.transaction(..)`: each name, its
                    // own rows.
                    Pat::Object(o) => val = destructured_rows(o),
                    _ => {}
                }
            }
            // `const body = await req.json()`: the input is named by the local from here on.
            if let (Val::Input(i), Pat::Ident(name)) = (&mut val, &d.name) {
                if i.path.ends_with(".json()") || i.path.contains(".valid(") || h3::whole(&i.path) {
                    i.path = name.id.sym.as_str().into();
                }
            }
            self.bind(&d.name, val);
        }
    }

    // Loops, and code that may not run on every path: see `flow`.
    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.for_of(s);
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.for_in(s);
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        self.for_loop(s);
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        self.reach.enter_block(s.span);
        self.repeated(&mut |w| s.visit_children_with(w));
        self.reach.leave();
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        self.reach.enter_block(s.span);
        self.repeated(&mut |w| s.visit_children_with(w));
        self.reach.leave();
    }

    fn visit_await_expr(&mut self, a: &AwaitExpr) {
        let n = self.awaited.len();
        super::reach::awaited_calls(&a.arg, &mut self.awaited);
        a.visit_children_with(self);
        self.awaited.truncate(n);
    }

    fn visit_cond_expr(&mut self, c: &CondExpr) {
        self.cond(c);
    }

    fn visit_bin_expr(&mut self, b: &BinExpr) {
        self.bin(b);
    }

    fn visit_switch_case(&mut self, c: &SwitchCase) {
        self.branch_at(c.span, |w| c.visit_children_with(w));
    }

    fn visit_try_stmt(&mut self, s: &TryStmt) {
        self.try_stmt(s);
    }

    fn visit_labeled_stmt(&mut self, s: &LabeledStmt) {
        self.branch(|w| s.visit_children_with(w));
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        self.assign(a);
    }

    fn visit_update_expr(&mut self, u: &UpdateExpr) {
        self.update(u);
    }

    fn visit_tagged_tpl(&mut self, t: &TaggedTpl) {
        self.raw_values(t);
        t.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, c: &CallExpr) {
        let Callee::Expr(callee) = &c.callee else {
            c.visit_children_with(self);
            return;
        };
        let mut kind = FnKind::Plain;
        match unwrap(callee) {
            // `eq` may be the operators parameter's (`(t, { eq }) => ..`).
            Expr::Ident(f) if matches!(&*f.sym, "eq" | "inArray") => self.filter(c),
            Expr::Ident(f) if !self.is_bound(&f.sym) => match &*f.sym {
                // Globals (`String(..)`, `console.log(..)`) are no project function.
                name if is_operator(name) || session_call(name) || is_global(name) => {}
                "defineAction" if self.fw.astro => {
                    self.astro_action(c);
                    return;
                }
                name => {
                    kind = self.call_kind(name, c);
                    self.call((&c.args, c.span), &f.sym, || vec![f.sym.clone()])
                }
            },
            Expr::Member(m) => {
                if !self.prepared.is_empty() {
                    self.placeholder_values(c);
                }
                let method = called_member(&m.prop);
                match method.as_deref() {
                    Some("eq" | "inArray") => self.filter(c),
                    Some("add" | "push") => self.accumulate(m, c, 0),
                    // `byId.set(key, value)` on a `new Map()`: what it holds is its values.
                    Some("set") if c.args.len() == 2 => self.accumulate(m, c, 1),
                    Some(name @ ("values" | "set")) => {
                        if let Some(a) = c.args.first().filter(|a| a.spread.is_none()) {
                            writes::write(&self.env, &mut self.facts.uses, &m.obj, name, &a.expr);
                        }
                    }
                    // `db.query.T.findMany({ where: { teamId: v } })`
                    Some("findMany" | "findFirst") => {
                        if let Some(Expr::Object(o)) = c.args.first().map(|a| unwrap(&a.expr)) {
                            if let Some(w) = object_filter::object_where(o) {
                                object_filter::read(&self.env, &mut self.facts.uses, w, 0);
                            }
                        }
                    }
                    Some(n) if self.fw.elysia && elysia::handler_method(n) => kind = FnKind::Elysia,
                    Some(n) if self.fw.koa && koa::handler_method(n) => kind = FnKind::Koa,
                    Some(name) if is_procedure_method(name) => {
                        kind = FnKind::Procedure;
                        self.schema = builders::input_schema(&m.obj);
                        self.action = is_action_method(name);
                        if c.args.iter().any(|a| is_function(&a.expr)) {
                            let span = self.at.span(c.span);
                            if let Some(p) = builders::read(None, &m.obj, span, self.at) {
                                self.facts.procedures.push(p);
                            }
                        }
                    }
                    _ => {}
                }
                if let Some(method) = method {
                    self.receiver_call(c, m, method);
                }
            }
            _ => {}
        }
        callee.visit_with(self);
        self.element_callback(callee, &c.args);
        self.call_args(c, kind);
    }
}
