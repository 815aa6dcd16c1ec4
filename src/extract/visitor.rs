//! The walk over a module: functions and their names, loops, conditionals and `catch` clauses,
//! and the call chains handed to the readers of queries and calls. What the code around a
//! function or a chain means for it is passed to it as an argument, never left in a field for
//! it to find.

use super::ast::{awaited, is_function, prop_name, result_binding, unwrap, Offsets};
use super::calls::{note_call, push_call};
use super::chain::{flatten, function_ref};
use super::conditions::{
    const_binding, literal_typed_param, looks_like_predicate, note_push, pred, unknown,
};
use super::frames::{head_span, loop_info, FnFrame, Frames};
use super::module_items::{module_decl, module_var_decl, prepass};
use super::names::{is_operator, iteration_method};
use super::query::{Argument, ChainUse, Recogniser};
use super::scope::{Binding, Scopes};
use crate::facts::*;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

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
}

impl Extractor {
    pub(super) fn new(base: u32) -> Self {
        Extractor {
            at: Offsets::new(base),
            facts: FileFacts::default(),
            scopes: Scopes::default(),
            frames: Frames::new(),
            owner: None,
            expr_depth: 0,
        }
    }

    /// Binds the module's imports and constants before the walk.
    pub(super) fn prepass(&mut self, module: &Module) {
        prepass(module, &mut self.scopes, &mut self.facts);
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

    /// Walks `f` with members qualified by `owner`.
    fn with_owner(&mut self, owner: &str, f: impl FnOnce(&mut Self)) {
        let prev = self.owner.replace(owner.to_owned());
        f(self);
        self.owner = prev;
    }

    /// A class member's name, `Class.member`.
    fn qualified(&self, key: Option<String>) -> Option<String> {
        key.map(|k| match &self.owner {
            Some(c) => format!("{c}.{k}"),
            None => k,
        })
    }

    /// An object literal's method: `object.method` directly in a module-level `const`.
    fn member_name(&self, key: &PropName) -> Option<String> {
        if self.frames.at_module_level() {
            self.qualified(prop_name(key))
        } else {
            prop_name(key)
        }
    }

    // ---- functions ---------------------------------------------------------------------

    /// A function expression (`value` is an arrow or a `function`, wrappers stripped).
    fn function_value(&mut self, value: &Expr, kind: FnKind) {
        match value {
            Expr::Arrow(a) => self.arrow(a, kind),
            Expr::Fn(f) => self.function(&f.function, kind),
            other => self.visit_expr(other),
        }
    }

    fn function(&mut self, f: &Function, kind: FnKind) {
        let params: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        self.enter_function(&params, kind, f.span);
        if let Some(body) = &f.body {
            body.visit_with(self);
        }
        self.leave_function();
    }

    fn arrow(&mut self, a: &ArrowExpr, kind: FnKind) {
        let params: Vec<&Pat> = a.params.iter().collect();
        self.enter_function(&params, kind, a.span);
        match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => b.visit_with(self),
            ArrowFunctionBody::Expr(e) => {
                self.note_return(Some(e));
                self.visit_expr(e);
            }
        }
        self.leave_function();
    }

    fn enter_function(&mut self, params: &[&Pat], kind: FnKind, span: swc_common::Span) {
        let (name, loops, record) = match kind {
            FnKind::Own(name) => {
                let name = name.map(FnName::from);
                let record = name.is_some();
                (name, vec![], record)
            }
            FnKind::RunByCall => (None, self.frames.current_loops(), false),
            FnKind::PerElement(l) => {
                let mut loops = self.frames.current_loops();
                loops.push(l);
                (None, loops, false)
            }
        };
        // Parameter names are kept for a named function only (a helper the linker may inline).
        let mut names = vec![];
        self.scopes.push();
        for p in params {
            if record {
                let ident = match p {
                    Pat::Assign(a) => &*a.left,
                    p => p,
                };
                if let Pat::Ident(i) = ident {
                    names.push(i.id.sym.clone());
                }
            }
            self.scopes.bind_pat(p, Binding::Param);
            // `column: 'name' | 'created_at'`: the type allows only constants.
            if let Some(name) = literal_typed_param(p) {
                self.scopes.bind(name, Binding::Str);
            }
        }
        self.frames.push(FnFrame {
            name,
            loops,
            returns: Some(vec![]),
            params: names,
            span,
            record,
            catch_depth: 0,
        });
    }

    fn leave_function(&mut self) {
        self.scopes.pop();
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if !frame.record {
            return;
        }
        let returns = frame.returns.and_then(|r| match r.len() {
            0 => None,
            1 => r.into_iter().next().map(Box::new),
            _ => Some(Box::new(RawPred::Or(r))),
        });
        if let Some(name) = frame.name {
            self.facts.functions.push(FunctionDef {
                name,
                params: frame.params,
                returns,
                span: self.at.span(frame.span),
            });
        }
    }

    fn note_return(&mut self, arg: Option<&Expr>) {
        // Only a named function's returns are kept, and only while every one was a predicate.
        let frame = self.frames.innermost();
        if !(frame.record && frame.returns.is_some()) {
            return;
        }
        let p = match arg {
            Some(e) if looks_like_predicate(unwrap(e)) => pred(&self.scopes, e),
            _ => unknown(""),
        };
        let frame = self.frames.innermost_mut();
        if matches!(p, RawPred::Unknown { .. }) {
            frame.returns = None;
        } else if let Some(r) = frame.returns.as_mut() {
            r.push(p);
        }
    }

    // ---- call chains -------------------------------------------------------------------

    /// A call chain: its query, its calls, then the expressions inside it. `how` is what the
    /// code around the chain does with it.
    fn call_chain(&mut self, e: &Expr, how: ChainUse<'_>) {
        let (root, segs) = flatten(e);
        note_push(&mut self.scopes, e, self.frames.conditional);
        let mut recogniser = Recogniser {
            scopes: &mut self.scopes,
            frames: &self.frames,
            at: self.at,
        };
        if let Some(site) = recogniser.query_site(e, &segs, how) {
            self.facts.queries.push(site);
        }
        note_call(
            root,
            &segs,
            &self.scopes,
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
            for a in args {
                let value = unwrap(&a.expr);
                match value {
                    Expr::Arrow(_) | Expr::Fn(_) => {
                        let kind = match iteration {
                            Some(method) => FnKind::PerElement(loop_info(
                                self.at,
                                method,
                                seg.name_span,
                                false,
                                seg.object,
                            )),
                            None => FnKind::RunByCall,
                        };
                        self.nested(|x| x.function_value(value, kind));
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
                        self.nested(|x| x.call_chain(value, how));
                    }
                    _ => {
                        // `ids.map(loadUser)`: the named function is called once per element.
                        if let Some(method) = iteration {
                            if let Some(callee) = function_ref(value) {
                                let info =
                                    loop_info(self.at, method, seg.name_span, false, seg.object);
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
    }

    fn member_chain(&mut self, e: &Expr) {
        let Expr::Member(m) = e else { return };
        self.visit_expr(&m.obj);
        if let MemberProp::Computed(c) = &m.prop {
            self.visit_expr(&c.expr);
        }
    }

    /// `x = ..`: on a `let` condition, the new value (or either value when conditional); a
    /// chain assigned is stored, not run.
    fn assign(&mut self, a: &AssignExpr) {
        if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
            if matches!(self.scopes.get(&id.id.sym), Some(Binding::Pred(_))) {
                let new = if a.op == AssignOp::Assign {
                    pred(&self.scopes, &a.right)
                } else {
                    unknown(format!("`{}` after a compound assignment", id.id.sym))
                };
                let conditional = self.frames.conditional > 0;
                if let Some(Binding::Pred(old)) = self.scopes.get_mut(&id.id.sym) {
                    // A conditional reassignment leaves either value possible.
                    *old = if conditional {
                        RawPred::Or(vec![old.clone(), new])
                    } else {
                        new
                    };
                }
            }
        }
        a.left.visit_with(self);
        match unwrap(&a.right) {
            chain @ Expr::Call(_) => {
                let how = ChainUse {
                    stored: true,
                    ..ChainUse::default()
                };
                self.nested(|x| x.call_chain(chain, how));
            }
            _ => self.visit_expr(&a.right),
        }
    }

    /// A variable's initialiser: a function named after the variable, an object literal whose
    /// methods are, or a chain stored in it or whose result it holds.
    fn initialiser(&mut self, name: &Pat, init: &Expr) {
        let ident = match name {
            Pat::Ident(i) => Some(i.id.sym.as_str()),
            _ => None,
        };
        let value = unwrap(init);
        match (value, ident) {
            (Expr::Arrow(_) | Expr::Fn(_), _) => {
                let name = ident.map(|n| match &self.owner {
                    Some(c) if self.frames.at_module_level() => format!("{c}.{n}"),
                    _ => n.to_owned(),
                });
                self.nested(|x| x.function_value(value, FnKind::Own(name)));
            }
            // `export const users = { async get(id) {..} }`: methods are named `users.get`.
            (Expr::Object(_), Some(owner)) if self.frames.at_module_level() => {
                self.with_owner(owner, |x| x.visit_expr(init));
            }
            _ => match awaited(init) {
                chain @ Expr::Call(_) => {
                    let how = ChainUse {
                        argument: None,
                        stored: matches!(value, Expr::Call(_)),
                        result: result_binding(name),
                    };
                    self.nested(|x| x.call_chain(chain, how));
                }
                _ => self.visit_expr(init),
            },
        }
    }

    // ---- loops -------------------------------------------------------------------------

    fn visit_loop_body(&mut self, info: LoopInfo, f: impl FnOnce(&mut Self)) {
        self.frames.innermost_mut().loops.push(info);
        self.with_cond(f);
        self.frames.innermost_mut().loops.pop();
    }

    /// A statement loop of `kind` whose statement and body are at `stmt` and `body`.
    fn loop_head(
        &self,
        kind: &'static str,
        stmt: swc_common::Span,
        body: swc_common::Span,
    ) -> LoopInfo {
        loop_info(self.at, kind, head_span(stmt, body), false, None)
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
        match item {
            ModuleItem::ModuleDecl(decl) => {
                module_decl(decl, &self.scopes, self.at, &mut self.facts)
            }
            ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) if self.frames.at_module_level() => {
                module_var_decl(v, false, &self.scopes, self.at, &mut self.facts);
            }
            _ => {}
        }
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

    fn visit_var_decl(&mut self, v: &VarDecl) {
        for d in &v.decls {
            if let (Some(init), Some(local)) = (&d.init, result_binding(&d.name)) {
                if let Expr::Call(c) = awaited(init) {
                    if let Callee::Expr(callee) = &c.callee {
                        let callee = match unwrap(callee) {
                            Expr::Ident(f) if !self.scopes.is_local(&f.sym) => {
                                Some(vec![f.sym.clone()])
                            }
                            Expr::Member(m) => match (unwrap(&m.obj), &m.prop) {
                                (Expr::Ident(o), MemberProp::Ident(p))
                                    if !self.scopes.is_local(&o.sym) =>
                                {
                                    Some(vec![o.sym.clone(), p.sym.clone()])
                                }
                                _ => None,
                            },
                            _ => None,
                        };
                        if let Some(callee) = callee {
                            let span = self.at.span(c.span);
                            self.facts.result_calls.push(crate::facts::ResultCall {
                                local: local.clone(),
                                callee,
                                span,
                            });
                        }
                    }
                }
            }
            if let Some(init) = &d.init {
                self.initialiser(&d.name, init);
            }
            // Module-level bindings were made by the prepass; locals bind after their initialiser.
            if !self.frames.at_module_level() {
                let b = match &d.init {
                    // A destructuring pattern binds each of its names as opaque (`bind_pat`):
                    // what the initialiser is does not matter.
                    _ if !matches!(d.name, Pat::Ident(_)) => Binding::Opaque,
                    Some(init) if v.kind == VarDeclKind::Const => {
                        const_binding(&self.scopes, init, false, self.frames.conditional)
                            .unwrap_or(Binding::Opaque)
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
        let name = Some(f.ident.sym.as_str().to_owned());
        self.function(&f.function, FnKind::Own(name));
    }

    fn visit_function(&mut self, f: &Function) {
        self.function(f, FnKind::Own(None));
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.arrow(a, FnKind::Own(None));
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.with_owner(c.ident.sym.as_str(), |x| c.class.visit_with(x));
    }

    fn visit_class_method(&mut self, m: &ClassMethod) {
        let name = self.qualified(prop_name(&m.key));
        self.function(&m.function, FnKind::Own(name));
    }

    fn visit_class_prop(&mut self, p: &ClassProp) {
        let Some(v) = &p.value else { return };
        if is_function(v) {
            let name = self.qualified(prop_name(&p.key));
            self.nested(|x| x.function_value(unwrap(v), FnKind::Own(name)));
        } else {
            self.visit_expr(v);
        }
    }

    fn visit_method_prop(&mut self, m: &MethodProp) {
        let name = self.member_name(&m.key);
        self.function(&m.function, FnKind::Own(name));
    }

    fn visit_key_value_prop(&mut self, kv: &KeyValueProp) {
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
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        if let Some(local) = super::ast::null_checked(s) {
            let span = self.at.span(s.span);
            self.facts
                .null_checks
                .push(crate::facts::NullCheck { local, span });
        }
        self.visit_expr(&s.test);
        self.with_cond(|x| {
            s.cons.visit_with(x);
            if let Some(alt) = &s.alt {
                alt.visit_with(x);
            }
        });
    }

    fn visit_cond_expr(&mut self, c: &CondExpr) {
        self.visit_expr(&c.test);
        self.with_cond(|x| {
            x.visit_expr(&c.cons);
            x.visit_expr(&c.alt);
        });
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
        self.with_cond(|x| c.visit_children_with(x));
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
        let info = self.loop_head("for", s.span, s.body.span());
        self.visit_loop_body(info, |x| {
            if let Some(t) = &s.test {
                x.visit_expr(t);
            }
            if let Some(u) = &s.update {
                x.visit_expr(u);
            }
            s.body.visit_with(x);
        });
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.scopes.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let head = head_span(s.span, s.body.span());
        let info = loop_info(self.at, "for-of", head, s.is_await, Some(&s.right));
        self.visit_loop_body(info, |x| s.body.visit_with(x));
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.visit_expr(&s.right);
        if let ForHead::VarDecl(v) = &s.left {
            for d in &v.decls {
                self.scopes.bind_pat(&d.name, Binding::Opaque);
            }
        }
        let info = self.loop_head("for-in", s.span, s.body.span());
        self.visit_loop_body(info, |x| s.body.visit_with(x));
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        let info = self.loop_head("while", s.span, s.body.span());
        self.visit_loop_body(info, |x| {
            x.visit_expr(&s.test);
            s.body.visit_with(x);
        });
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        let info = self.loop_head("do-while", s.span, s.body.span());
        self.visit_loop_body(info, |x| {
            s.body.visit_with(x);
            x.visit_expr(&s.test);
        });
    }
}
