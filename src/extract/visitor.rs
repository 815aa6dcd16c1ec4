//! The walk over a module: functions and their names, loops, conditionals and `catch` clauses,
//! and the call chains handed to the readers of queries and calls. What the code around a
//! function or a chain means for it is passed to it as an argument, never left in a field for
//! it to find.

use super::ast::{
    awaited, constant_guard, held_result, is_function, prop_name, result_binding, unwrap, Offsets,
};
use super::calls::{callee_names, note_call, push_call, receiver};
use super::chain::{flatten, function_ref};
use super::conditions::{const_binding, looks_like_predicate, note_chain_push, pred, unknown};
use super::frames::{head_span, loop_info, steps_by_batch, FnFrame, Frames};
use super::held;
use super::module_items::{module_decl, module_local_decl, prepass};
use super::names::{is_operator, iteration_method, wraps_function};
use super::query::{Argument, ChainUse, Recogniser};
use super::scope::{Binding, Scopes};
use crate::facts::*;
use swc_atoms::Atom;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

mod batches;
mod bindings;
mod builders;
mod checks;
mod functions;
mod loops;
mod prepared;
mod set_ops;

/// How a function is entered: decided by the code around it and passed in.
enum FnKind {
    /// A function of its own (declared, assigned, a method): loops outside do not apply. Named
    /// when it has a name to be found by (`name`, `Class.method`, `object.method`).
    Own(Option<String>),
    /// An argument of a call that runs it now (`transaction`, `Promise.all`): loops apply.
    RunByCall,
    /// The callback of an iteration method: runs once per element.
    PerElement(LoopInfo),
}

pub(super) struct Extractor {
    at: Offsets,
    pub(super) facts: FileFacts,
    scopes: Scopes,
    frames: Frames,
    /// The name members are qualified with while the walk is inside it: the class whose body
    /// it is in (`Class.method`), or the module-level `const` an object literal is assigned to
    /// (`object.method`). Set and restored by [`Extractor::with_owner`] alone.
    owner: Option<String>,
    /// How many `visit_expr` calls are on the stack.
    expr_depth: u32,
    /// How many conditions (`if`, `?:`, `while` tests) the walk is in.
    testing: u32,
    /// A `break` here leaves the innermost loop (not a `switch`, not outside every loop).
    break_leaves_loop: bool,
    /// The counters of the current function's `for` loops (`for (let i = 0; ..)`), with the
    /// index of their loop in the frame's loops.
    counters: Vec<(usize, Atom)>,
    /// Locals bound to the whole array of a query's rows (`const rows = await db.select()..`),
    /// with their function: testing such a local itself (`if (!rows)`) checks nothing.
    rows_arrays: Vec<(Atom, Option<crate::span::Span>)>,
    /// The local names of the set operators the module imports from Drizzle (`union`, ..).
    set_operators: Vec<Atom>,
    /// The local names of the assertions the module imports (`invariant`, `assert`), each
    /// with whether its `.ok(..)` asserts too (Node's module); in Koa's, `ctx.assert(x, ..)`.
    assertions: Vec<(Atom, bool)>,
    pub(super) frameworks: super::origins::Frameworks,
    /// Locals holding a query builder (`const q = db.select().from(t)`, `let q = ..$dynamic()`),
    /// newest last: clauses added to them later (`q = q.where(..)`, `q.limit(10)`) count for
    /// the query.
    builders: Vec<Builder>,
    /// What locals, parameters and the class's fields hold (arrays, instances of classes).
    held: held::Locals,
    /// Queries built unrun, each with the local holding it and that local's function, for
    /// `db.batch(..)` (`batches.rs`).
    batch_parts: Vec<(Atom, Option<crate::span::Span>, usize)>,
    /// `xs.map((x) => db.update(..))`: the chain's span and the query its callback returns.
    mapped_parts: Vec<(swc_common::Span, usize)>,
    /// The module-level `const` whose initialiser is being walked, when it is an action
    /// client's chain (`action.schema(s).action(async (..) => ..)`): the function given to
    /// the last call is that name's (see `bindings.rs`).
    wrapped: Option<String>,
}

impl Extractor {
    pub(super) fn new(base: u32) -> Self {
        Extractor {
            at: Offsets::new(base),
            facts: FileFacts::default(),
            scopes: Scopes::new(base),
            frames: Frames::new(),
            owner: None,
            expr_depth: 0,
            testing: 0,
            break_leaves_loop: false,
            counters: vec![],
            rows_arrays: vec![],
            set_operators: vec![],
            assertions: vec![],
            frameworks: Default::default(),
            builders: vec![],
            held: held::Locals::default(),
            batch_parts: vec![],
            mapped_parts: vec![],
            wrapped: None,
        }
    }

    /// Binds the module's imports and constants before the walk.
    pub(super) fn prepass(&mut self, module: &Module) {
        prepass(module, &mut self.scopes, &mut self.facts);
        self.note_set_operators();
        self.note_assertions();
    }

    /// The module's declarations (imports, exports, module-level constants) without walking
    /// into any code: what a `'use client'` module gives.
    pub(super) fn module_items(&mut self, module: &Module) {
        for item in &module.body {
            self.module_item(item);
        }
    }

    fn module_item(&mut self, item: &ModuleItem) {
        match item {
            ModuleItem::ModuleDecl(decl) => {
                module_decl(decl, &self.scopes, self.at, &mut self.facts)
            }
            ModuleItem::Stmt(Stmt::Decl(d)) if self.frames.at_module_level() => {
                module_local_decl(d, &self.scopes, self.at, &mut self.facts);
            }
            _ => {}
        }
    }

    /// Runs `f` one expression level deeper. Deeply nested input must not overflow the stack:
    /// asking for the stack left costs a fifth of a plain walk, so it is asked every eighth
    /// level, with a red zone that holds eight levels of even a debug build's frames.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.expr_depth += 1;
        if self.expr_depth % 8 == 0 {
            stacker::maybe_grow(1024 * 1024, 8 * 1024 * 1024, || f(self));
        } else {
            f(self);
        }
        self.expr_depth -= 1;
    }

    fn with_cond<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.frames.conditional += 1;
        let r = f(self);
        self.frames.conditional -= 1;
        r
    }

    // ---- call chains -------------------------------------------------------------------

    /// A call chain: its query, its calls, then the expressions inside it. `how` is what the
    /// code around the chain does with it.
    fn call_chain(&mut self, e: &Expr, how: ChainUse<'_>) {
        let (root, segs) = flatten(e);
        let before = self.facts.queries.len();
        if !self.facts.origins.handlers {
            let module_level = self.frames.at_module_level();
            self.facts.origins.handlers = super::origins::registers_handler(&segs, module_level);
        }
        note_chain_push(&mut self.scopes, e, &segs, self.frames.conditional);
        let mut recogniser = Recogniser {
            scopes: &mut self.scopes,
            frames: &self.frames,
            at: self.at,
        };
        if let Some(mut site) = recogniser.query_site(e, &segs, how) {
            site.receiver = receiver(root, &segs, &self.scopes);
            self.facts.queries.push(site);
        } else if let Some(Expr::Ident(i)) = root.map(unwrap) {
            self.add_clauses(&i.sym, &segs);
            self.run_prepared(&i.sym, &segs, e, how);
        }
        note_call(
            root,
            &segs,
            &self.scopes,
            &self.held,
            &self.frames,
            self.at,
            &mut self.facts,
        );
        if let Some(root) = root {
            self.visit_expr(root);
        }
        for seg in &segs {
            let Some(args) = seg.args else { continue };
            let iteration = iteration_method(&seg.name).filter(|_| seg.object.is_some());
            // `Array.from(xs, fn)`, `pMap(xs, fn)`: the arguments after the first run per element.
            let mapping = match iteration {
                None if args.len() > 1 => held::maps_per_element(seg, &self.facts.imports),
                _ => None,
            };
            for (n, a) in args.iter().enumerate() {
                let value = unwrap(&a.expr);
                let per_element = match (iteration, mapping) {
                    (Some(method), _) => {
                        Some(loop_info(self.at, method, seg.name_span, false, seg.object))
                    }
                    (None, Some((label, over))) if n > 0 => {
                        let mut l = loop_info(
                            self.at,
                            LoopKind::Callback(label),
                            seg.name_span,
                            false,
                            over,
                        );
                        l.literal_len = l.literal_len.or(over.and_then(held::literal_length));
                        Some(l)
                    }
                    _ => None,
                };
                match value {
                    Expr::Arrow(_) | Expr::Fn(_) => {
                        let kind = match per_element {
                            Some(l) => FnKind::PerElement(l),
                            None => match self.wrapped.take_if(|_| wraps_function(&seg.name, n)) {
                                Some(name) => FnKind::Own(Some(name)),
                                None => FnKind::RunByCall,
                            },
                        };
                        let first = self.facts.queries.len();
                        self.nested(|x| x.function_value(value, kind));
                        if iteration.is_some() {
                            self.note_mapped_part(seg, e, value, first);
                        }
                    }
                    Expr::Call(_) => {
                        let argument = if is_operator(&seg.name) {
                            Argument::OfOperator
                        } else {
                            Argument::OfCall
                        };
                        let how = ChainUse {
                            argument: Some(argument),
                            ..ChainUse::default()
                        };
                        let before = self.facts.queries.len();
                        self.nested(|x| x.call_chain(value, how));
                        if argument == Argument::OfCall {
                            self.note_builder_pass(seg, n, value, before);
                            if Self::may_push(seg) {
                                self.note_pushed_part(seg, value, before);
                            }
                        } else if n == 1 {
                            self.note_in_array_subquery(seg, value, before);
                        }
                    }
                    _ => {
                        if is_operator(&seg.name) {
                            self.note_subquery_use(value, (n == 1).then_some(seg));
                        } else {
                            self.note_builder_pass(seg, n, value, usize::MAX);
                            if Self::may_push(seg) && matches!(value, Expr::Ident(_)) {
                                self.note_pushed_part(seg, value, usize::MAX);
                            }
                        }
                        // `ids.map(loadUser)`: the named function is called once per element.
                        if let Some(info) = per_element {
                            if let Some(callee) = function_ref(value) {
                                let mut loops = self.frames.current_loops();
                                loops.push(info);
                                let calls = &mut self.facts.calls;
                                push_call(
                                    callee,
                                    value.span(),
                                    loops,
                                    &self.frames,
                                    self.at,
                                    calls,
                                );
                            }
                        }
                        self.visit_expr(&a.expr);
                    }
                }
            }
        }
        self.note_set_operation(&segs, how, before);
        self.note_batch(&segs);
    }
}

impl Visit for Extractor {
    // Types hold no queries: annotations, interfaces, aliases and generic arguments are a large
    // part of a TypeScript AST, and walking them was pure cost.
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}
    fn visit_ts_interface_decl(&mut self, _: &TsInterfaceDecl) {}
    fn visit_ts_type_alias_decl(&mut self, _: &TsTypeAliasDecl) {}
    fn visit_ts_type_param_decl(&mut self, _: &TsTypeParamDecl) {}
    fn visit_ts_type_param_instantiation(&mut self, _: &TsTypeParamInstantiation) {}

    fn visit_module_item(&mut self, item: &ModuleItem) {
        self.module_item(item);
        item.visit_children_with(self);
    }

    fn visit_expr(&mut self, e: &Expr) {
        self.nested(|x| match e {
            Expr::Call(_) => x.call_chain(e, ChainUse::default()),
            Expr::Member(_) => x.member_chain(e),
            Expr::Assign(a) => x.assign(a),
            _ => e.visit_children_with(x),
        });
    }

    // Outside `visit_expr`'s closure, which every expression goes through: `sql`EXISTS
    // (${q})`` makes a stored builder `q` a subquery.
    fn visit_tagged_tpl(&mut self, t: &TaggedTpl) {
        for part in &t.tpl.exprs {
            self.note_subquery_use(part, None);
        }
        t.visit_children_with(self);
    }

    fn visit_var_decl(&mut self, v: &VarDecl) {
        for d in &v.decls {
            self.note_result_calls(d);
            // The index a function defined here gets, if it is one (see `Binding::LocalFn`).
            let functions_before = self.facts.functions.len();
            if let Some(init) = &d.init {
                let module_const = match &d.name {
                    Pat::Ident(i) if self.frames.at_module_level() => Some(i.id.sym.clone()),
                    _ => None,
                };
                if let (Some(name), Some(class)) = (&module_const, held::instance_class(init)) {
                    self.facts.instances.push((name.clone(), class));
                }
                let outer = std::mem::replace(&mut self.held.module_const, module_const);
                self.initialiser(&d.name, init);
                self.wrapped = None;
                self.held.module_const = outer;
                self.note_batch_holders(&d.name, init);
            }
            self.held.local(&d.name, d.init.as_deref());
            // Module-level bindings were made by the prepass; locals bind after their initialiser.
            if !self.frames.at_module_level() {
                let b = match &d.init {
                    // A destructuring pattern binds each of its names as opaque (`bind_pat`):
                    // what the initialiser is does not matter.
                    _ if !matches!(d.name, Pat::Ident(_)) => Binding::Opaque,
                    // `const where = (c) => and(..)`: the function the walk just recorded.
                    Some(init)
                        if v.kind == VarDeclKind::Const
                            && matches!(unwrap(init), Expr::Arrow(_) | Expr::Fn(_))
                            && self.facts.functions.len() > functions_before
                            && matches!(&d.name, Pat::Ident(i)
                                if self.facts.functions.last().is_some_and(|f| *f.name == *i.id.sym)) =>
                    {
                        Binding::LocalFn((self.facts.functions.len() - 1) as u32)
                    }
                    Some(init) if v.kind == VarDeclKind::Const => {
                        match const_binding(&self.scopes, init, false, self.frames.conditional) {
                            None | Some(Binding::Opaque) => {
                                super::rows::row_binding(&self.scopes, init)
                                    .unwrap_or(Binding::Opaque)
                            }
                            Some(b) => b,
                        }
                    }
                    Some(init) if v.kind == VarDeclKind::Let => {
                        let e = unwrap(init);
                        if matches!(e, Expr::Array(_)) {
                            const_binding(&self.scopes, init, false, self.frames.conditional)
                                .unwrap_or(Binding::Opaque)
                        } else if looks_like_predicate(e) {
                            match pred(&self.scopes, init) {
                                RawPred::Unknown { .. } => Binding::Opaque,
                                p => Binding::Pred(p),
                            }
                        } else {
                            Binding::Opaque
                        }
                    }
                    None if v.kind == VarDeclKind::Let => Binding::Pred(RawPred::Undefined),
                    _ => Binding::Opaque,
                };
                self.scopes.bind_pat(&d.name, b);
            }
        }
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        if !self.frames.at_module_level() {
            self.scopes.bind(&f.ident.sym, Binding::Opaque);
        }
        let name = Some(self.in_namespace(f.ident.sym.as_str()));
        self.function(&f.function, FnKind::Own(name));
    }

    fn visit_ts_module_decl(&mut self, d: &TsModuleDecl) {
        self.namespace(d);
    }

    fn visit_function(&mut self, f: &Function) {
        self.function(f, FnKind::Own(None));
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.arrow(a, FnKind::Own(None));
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        if let Some(Expr::Ident(base)) = c.class.super_class.as_deref().map(unwrap) {
            self.facts
                .class_bases
                .push((c.ident.sym.clone(), base.sym.clone()));
        }
        let fields = std::mem::replace(&mut self.held.fields, held::class_fields(&c.class));
        self.with_owner(c.ident.sym.as_str(), |x| c.class.visit_with(x));
        self.held.fields = fields;
    }

    fn visit_constructor(&mut self, k: &Constructor) {
        self.constructor(k);
    }
    fn visit_class_method(&mut self, m: &ClassMethod) {
        let private = m.accessibility == Some(Accessibility::Private);
        self.method(prop_name(&m.key), &m.function, private);
    }

    fn visit_private_method(&mut self, m: &PrivateMethod) {
        self.method(Some(m.key.name.to_string()), &m.function, true);
    }

    fn visit_class_prop(&mut self, p: &ClassProp) {
        let private = p.accessibility == Some(Accessibility::Private);
        self.class_field(prop_name(&p.key), p.value.as_deref(), private);
    }

    fn visit_private_prop(&mut self, p: &PrivateProp) {
        self.class_field(Some(p.key.name.to_string()), p.value.as_deref(), true);
    }

    fn visit_method_prop(&mut self, m: &MethodProp) {
        let name = self.member_name(&m.key);
        self.function(&m.function, FnKind::Own(name));
    }

    fn visit_key_value_prop(&mut self, kv: &KeyValueProp) {
        self.scopes.request_props |= super::origins::handles_requests(kv);
        if is_function(&kv.value) {
            let name = self.member_name(&kv.key);
            self.nested(|x| x.function_value(unwrap(&kv.value), FnKind::Own(name)));
        } else {
            self.visit_expr(&kv.value);
        }
    }

    fn visit_return_stmt(&mut self, r: &ReturnStmt) {
        self.note_return(r.arg.as_deref());
        r.visit_children_with(self);
        if let Some(arg) = &r.arg {
            self.note_builder_run(arg);
        }
    }

    fn visit_opt_chain_expr(&mut self, c: &OptChainExpr) {
        if let OptChainBase::Member(m) = &*c.base {
            self.note_result_test(m);
        }
        c.visit_children_with(self);
    }

    fn visit_expr_stmt(&mut self, s: &ExprStmt) {
        self.note_assertion(s);
        s.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.note_clauses_on_every_branch(s);
        self.note_null_check(s);
        self.test(&s.test);
        if super::shapes::pushes_what_it_tests(s) {
            // `if (w) conds.push(w)`: an absent `w` would be no condition anyway, so the push
            // counts as unconditional (and `w` proves only if it is never absent).
            s.cons.visit_with(self);
            return;
        }
        let once = self.counter_test(&s.test);
        let marks = self.where_marks_if(s);
        self.with_cond(|x| {
            x.frames.reach.enter_block(s.cons.span());
            match once {
                Some(at) => x.once(at..at + 1, |x| s.cons.visit_with(x)),
                None => s.cons.visit_with(x),
            }
            x.frames.reach.leave();
            if let Some(alt) = &s.alt {
                x.frames.reach.enter_block(alt.span());
                alt.visit_with(x);
                x.frames.reach.leave();
            }
        });
        if !marks.is_empty() {
            self.note_where_on_every_branch(marks);
        }
    }

    /// Statements before a `return` (or a `break` of the loop) run at most once per entry to
    /// the loops that it leaves.
    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        // A guard that leaves unless a name is one of some constants (`if (g !== 'day' && g !==
        // 'month') throw ..`) makes it a constant for the statements after it, in this block.
        let mut narrowed = false;
        let mut guarded = |x: &mut Self, st: &Stmt| {
            if let Some(name) = constant_guard(st) {
                if !narrowed {
                    x.scopes.push();
                    narrowed = true;
                }
                x.scopes.bind(name, Binding::Str);
            }
        };
        if stmts.iter().any(|st| constant_guard(st).is_some()) {
            self.visit_stmts_once(stmts, &mut guarded);
            if narrowed {
                self.scopes.pop();
            }
        } else {
            self.visit_stmts_once(stmts, &mut |_, _| {});
        }
    }

    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        self.visit_expr(&s.discriminant);
        let breaks = std::mem::replace(&mut self.break_leaves_loop, false);
        // `switch (g) { case 'day': .. }`: in a case whose test is a constant, so is `g`.
        let on = match unwrap(&s.discriminant) {
            Expr::Ident(i) => Some(i.sym.clone()),
            _ => None,
        };
        for c in &s.cases {
            let constant = c
                .test
                .as_deref()
                .is_some_and(|t| matches!(unwrap(t), Expr::Lit(Lit::Str(_) | Lit::Num(_))));
            match (&on, constant) {
                (Some(name), true) => {
                    self.scopes.push();
                    self.scopes.bind(name, Binding::Str);
                    c.visit_with(self);
                    self.scopes.pop();
                }
                _ => c.visit_with(self),
            }
        }
        self.break_leaves_loop = breaks;
    }

    fn visit_cond_expr(&mut self, c: &CondExpr) {
        self.test(&c.test);
        let marks = self.where_marks_cond(c);
        self.with_cond(|x| {
            x.visit_expr(&c.cons);
            x.visit_expr(&c.alt);
        });
        if !marks.is_empty() {
            self.note_where_on_every_branch(marks);
        }
    }

    fn visit_bin_expr(&mut self, b: &BinExpr) {
        self.visit_expr(&b.left);
        if matches!(
            b.op,
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
        ) {
            self.with_cond(|x| x.visit_expr(&b.right));
        } else {
            self.visit_expr(&b.right);
        }
    }

    fn visit_switch_case(&mut self, c: &SwitchCase) {
        self.frames.reach.enter_block(c.span);
        self.with_cond(|x| c.visit_children_with(x));
        self.frames.reach.leave();
    }

    fn visit_try_stmt(&mut self, s: &TryStmt) {
        self.try_stmt(s);
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        self.frames.innermost_mut().catch_depth += 1;
        self.with_cond(|x| c.visit_children_with(x));
        self.frames.innermost_mut().catch_depth -= 1;
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        if let Some(init) = &s.init {
            init.visit_with(self);
        }
        let mut info = self.loop_head(LoopKind::For, s.span, s.body.span());
        info.batched = s.update.as_deref().is_some_and(steps_by_batch);
        info.untested = s.test.is_none();
        let counter = match &s.init {
            Some(VarDeclOrExpr::VarDecl(v)) => match v.decls.as_slice() {
                [d] => match &d.name {
                    Pat::Ident(i) => Some(i.id.sym.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let pushed = counter.is_some();
        if let Some(c) = counter {
            let at = self.frames.innermost().loops.len();
            self.counters.push((at, c));
        }
        self.visit_loop_body(info, s.span, |x| {
            if let Some(t) = &s.test {
                x.visit_expr(t);
            }
            if let Some(u) = &s.update {
                x.visit_expr(u);
            }
            s.body.visit_with(x);
        });
        if pushed {
            self.counters.pop();
        }
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.scopes.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let head = head_span(s.span, s.body.span());
        // `for await` over a stream fetches each page once; over an array it runs per element.
        let stream = s.is_await && !self.held.is_array(&s.right);
        let info = loop_info(self.at, LoopKind::ForOf, head, stream, Some(&s.right));
        self.visit_loop_body(info, s.span, |x| s.body.visit_with(x));
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.scopes.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let info = self.loop_head(LoopKind::ForIn, s.span, s.body.span());
        self.visit_loop_body(info, s.span, |x| s.body.visit_with(x));
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        let info = self.loop_head(LoopKind::While, s.span, s.body.span());
        self.visit_loop_body(info, s.span, |x| {
            x.visit_expr(&s.test);
            s.body.visit_with(x);
        });
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        let info = self.loop_head(LoopKind::DoWhile, s.span, s.body.span());
        self.visit_loop_body(info, s.span, |x| {
            s.body.visit_with(x);
            x.visit_expr(&s.test);
        });
    }
}

/// A local holding a query builder.
struct Builder {
    name: Name,
    /// Index of its query in `facts.queries`.
    site: usize,
    /// The function it is bound in: only a use in the same function counts.
    scope: Option<crate::span::Span>,
    /// How many conditional constructs enclosed its binding: a clause added deeper is added
    /// on some paths only.
    depth: u32,
    /// Its rows were awaited (`const rows = await q`): a `where` added later was not there
    /// when they were read.
    awaited: bool,
    /// It ran in a branch (`if (s) return q.where(..)`): the paths with a `where` may have
    /// ended there, so a later `where` replaces theirs on the other paths only.
    branch_where: bool,
    /// The one column it selects (`db.select({ id: T.id })`), for `inArray(col, builder)`.
    selected: Option<Operand>,
    /// A prepared statement (the chain ends in `.prepare(..)`): where each
    /// `sql.placeholder('name')` in it starts, with its name (see `prepared.rs`).
    prepared: Option<Vec<(ValueAt, Name)>>,
}
