//! Entering and leaving functions during the walk: how each is entered (its own named
//! function, run by the call it is passed to, or once per element), its parameters and the
//! conditions it returns.

use super::*;

impl Extractor {
    /// A function expression (`value` is an arrow or a `function`, wrappers stripped).
    /// Walks `f` with members qualified by `owner`.
    pub(super) fn with_owner(&mut self, owner: &str, f: impl FnOnce(&mut Self)) {
        let prev = self.owner.replace(owner.to_owned());
        f(self);
        self.owner = prev;
    }

    /// `export namespace Project { export async function list(..) {..} }` at module level: its
    /// functions are named `Project.list`, as an object literal's methods are, and called so.
    pub(super) fn namespace(&mut self, d: &TsModuleDecl) {
        match (&d.id, &d.body) {
            (TsModuleName::Ident(id), Some(TsNamespaceBody::TsModuleBlock(b)))
                if !d.declare && self.owner.is_none() && self.frames.at_module_level() =>
            {
                let name = id.sym.to_string();
                self.with_owner(&name, |x| b.visit_children_with(x));
            }
            _ => d.visit_children_with(self),
        }
    }

    /// A module-level function's name: `f`, or `Project.f` in `namespace Project`.
    pub(super) fn in_namespace(&self, name: &str) -> String {
        match &self.owner {
            Some(ns) if self.frames.at_module_level() => format!("{ns}.{name}"),
            _ => name.to_owned(),
        }
    }

    /// A class member's name, `Class.member`.
    pub(super) fn qualified(&self, key: Option<String>) -> Option<String> {
        key.map(|k| match &self.owner {
            Some(c) => format!("{c}.{k}"),
            None => k,
        })
    }

    /// An object literal's method: `object.method` directly in a module-level `const`.
    pub(super) fn member_name(&self, key: &PropName) -> Option<String> {
        if self.frames.at_module_level() {
            self.qualified(prop_name(key))
        } else {
            prop_name(key)
        }
    }

    pub(super) fn function_value(&mut self, value: &Expr, kind: FnKind) {
        match value {
            Expr::Arrow(a) => self.arrow(a, kind),
            Expr::Fn(f) => self.function(&f.function, kind),
            other => self.visit_expr(other),
        }
    }

    pub(super) fn function(&mut self, f: &Function, kind: FnKind) {
        let params: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        self.enter_function(&params, kind, f.span);
        if let Some(body) = &f.body {
            self.in_function(|x| body.visit_with(x));
            self.note_body_end(&body.stmts);
            // An async function's throw is a rejected promise: the caller goes on.
            self.frames.innermost_mut().never = !f.is_async
                && super::super::reach::never_returns(f.return_type.as_deref(), &body.stmts);
        }
        self.leave_function();
    }

    /// A class's method (its key's name, when it has one): recorded as `Class.method`, marked
    /// `private` when only its class may call it.
    pub(super) fn method(&mut self, key: Option<String>, f: &Function, private: bool) {
        let name = self.qualified(key);
        let recorded = name.is_some();
        self.function(f, FnKind::Own(name));
        self.mark_private(recorded && private);
    }

    /// A class field: one holding a function (`private load = async (id) => ..`, `#load =
    /// ..`) is a method by another name; another value is walked as an expression.
    pub(super) fn class_field(&mut self, key: Option<String>, value: Option<&Expr>, private: bool) {
        let Some(v) = value else { return };
        if !is_function(v) {
            self.visit_expr(v);
            return;
        }
        let name = self.qualified(key);
        let recorded = name.is_some();
        self.nested(|x| x.function_value(unwrap(v), FnKind::Own(name)));
        self.mark_private(recorded && private);
    }

    fn mark_private(&mut self, private: bool) {
        // Recorded last, after the functions inside it.
        if let Some(def) = self.facts.functions.last_mut().filter(|_| private) {
            def.private = true;
        }
    }

    /// A class's constructor, recorded as `Class.constructor`: `new Class(..)` calls it.
    pub(super) fn constructor(&mut self, k: &Constructor) {
        let params = crate::extract::ast::ctor_params(k);
        let params: Vec<&Pat> = params.iter().collect();
        let name = self.owner.as_ref().map(|c| format!("{c}.constructor"));
        self.enter_function(&params, FnKind::Own(name), k.span);
        if let Some(body) = &k.body {
            self.in_function(|x| body.visit_with(x));
            self.note_body_end(&body.stmts);
        }
        self.leave_function();
    }

    pub(super) fn arrow(&mut self, a: &ArrowExpr, kind: FnKind) {
        let params: Vec<&Pat> = a.params.iter().collect();
        self.enter_function(&params, kind, a.span);
        self.in_function(|x| match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => {
                b.visit_with(x);
                x.note_body_end(&b.stmts);
                x.frames.innermost_mut().never = !a.is_async
                    && super::super::reach::never_returns(a.return_type.as_deref(), &b.stmts);
            }
            ArrowFunctionBody::Expr(e) => {
                x.note_return(Some(e));
                x.visit_expr(e);
            }
        });
        self.leave_function();
    }

    /// Walks a function's body with loop state of its own: a `break` or a counter outside it
    /// means nothing inside.
    pub(super) fn in_function(&mut self, f: impl FnOnce(&mut Self)) {
        let breaks = std::mem::replace(&mut self.break_leaves_loop, false);
        let counters = std::mem::take(&mut self.counters);
        f(self);
        self.break_leaves_loop = breaks;
        self.counters = counters;
    }

    /// Walks `f` with loops `range` of the current function marked as running at most once.
    pub(super) fn once(&mut self, range: std::ops::Range<usize>, f: impl FnOnce(&mut Self)) {
        let loops = &mut self.frames.innermost_mut().loops;
        let range = range.start.min(loops.len())..range.end.min(loops.len());
        let before: Vec<bool> = loops[range.clone()].iter().map(|l| l.once).collect();
        for l in &mut loops[range.clone()] {
            l.once = true;
        }
        f(self);
        let loops = &mut self.frames.innermost_mut().loops;
        for (l, was) in loops[range].iter_mut().zip(before) {
            l.once = was;
        }
    }

    pub(super) fn enter_function(&mut self, params: &[&Pat], kind: FnKind, span: swc_common::Span) {
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
        let mut defaults = vec![];
        let mut requests = vec![];
        self.scopes.push();
        self.held.enter();
        for (n, p) in params.iter().enumerate() {
            self.held.param(p);
            if let (true, Some(r)) = (record, request_param(p)) {
                requests.push((r, n as u32));
            }
            if record {
                let ident = match p {
                    Pat::Assign(a) => &*a.left,
                    p => p,
                };
                if let Pat::Ident(i) = ident {
                    names.push(i.id.sym.clone());
                    // `(t = notes) => ..`: a table the helper filters when no argument is
                    // passed.
                    if let Pat::Assign(a) = p {
                        if let Some(b @ Base::Table(_)) =
                            super::super::conditions::base_of(&self.scopes, &a.right)
                        {
                            defaults.push((i.id.sym.clone(), b));
                        }
                    }
                }
            }
            self.scopes.bind_pat(p, Binding::Param);
            // `column: 'name' | 'created_at'`: the type allows only constants.
            if let Some(name) = super::super::shapes::literal_typed_param(p) {
                self.scopes.bind(name, Binding::Str);
            }
        }
        let own_loops = loops.len();
        self.frames.push(FnFrame {
            name,
            own_loops,
            loops,
            returns: Some(vec![]),
            params: names,
            defaults,
            span,
            record,
            catch_depth: 0,
            never: false,
            requests,
            reads_body: None,
        });
    }

    pub(super) fn leave_function(&mut self) {
        self.scopes.pop();
        self.held.leave();
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
                defaults: frame.defaults,
                returns,
                span: self.at.span(frame.span),
                never: frame.never,
                private: false,
                reads_body: frame.reads_body,
            });
        }
    }

    pub(super) fn note_return(&mut self, arg: Option<&Expr>) {
        let frame = self.frames.innermost_mut();
        if !frame.requests.is_empty() {
            if let Some(n) = arg.and_then(|a| json_of(a, &frame.requests)) {
                frame.reads_body = Some(n);
            }
        }
        // Only a named function's returns are kept, and only while every one was a predicate.
        let frame = self.frames.innermost();
        if !(frame.record && frame.returns.is_some()) {
            return;
        }
        let p = super::super::conditions::returned(&self.scopes, arg);
        let frame = self.frames.innermost_mut();
        if matches!(p, RawPred::Unknown { .. }) {
            frame.returns = None;
        } else if let Some(r) = frame.returns.as_mut() {
            r.push(p);
        }
    }

    /// A function body's end: reached, it returns no condition; and a body that returns no
    /// condition it reads may still combine an array parameter's conditions by their number.
    fn note_body_end(&mut self, stmts: &[Stmt]) {
        let frame = self.frames.innermost_mut();
        if !frame.record {
            return;
        }
        match frame.returns.as_mut() {
            Some(r) if !r.is_empty() => {
                if super::super::combine::falls_through(stmts) {
                    r.push(RawPred::Undefined);
                }
            }
            _ => {
                if let Some(p) = super::super::combine::combiner_param(&frame.params, stmts) {
                    frame.returns = Some(vec![RawPred::And(vec![RawPred::Param(p)])]);
                }
            }
        }
    }
}

/// A parameter that is a request (see [`crate::extract::ast::is_request_param`]): its name.
fn request_param(p: &Pat) -> Option<Name> {
    let Pat::Ident(i) = p else { return None };
    crate::extract::ast::is_request_param(i).then(|| i.id.sym.clone())
}

/// `await request.json()` (maybe cast, `(await request.json()) as T`) of one of `requests`:
/// its position.
fn json_of(e: &Expr, requests: &[(Name, u32)]) -> Option<u32> {
    let Expr::Call(c) = crate::extract::ast::awaited(e) else {
        return None;
    };
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return None;
    };
    let Expr::Ident(o) = unwrap(&m.obj) else {
        return None;
    };
    if !c.args.is_empty() || m.prop.as_ident().is_none_or(|p| &*p.sym != "json") {
        return None;
    }
    requests.iter().find(|(r, _)| *r == o.sym).map(|(_, n)| *n)
}
