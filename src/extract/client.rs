//! `'use client'` modules: code that runs in the browser. It holds no query (a database client
//! cannot run there) and no function the server calls, so the full walk has nothing to find in
//! it but one thing: a call, inside a loop, to a function the module imports, which may be a
//! server action that queries (`for (const id of ids) await archive(id)`: a request and a
//! query per item). This walk records those calls and nothing else, at a fraction of the cost.

use super::ast::{is_function, member_prop, unwrap, Offsets};
use super::frames::{head_span, loop_info, steps_by_batch};
use super::names::iteration_method;
use crate::facts::{CallFact, FileFacts, LoopInfo, LoopKind, Name};
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// Whether the module starts with the `'use client'` directive.
pub(super) fn is_client_module(module: &Module) -> bool {
    module
        .body
        .iter()
        .map_while(|item| match item {
            ModuleItem::Stmt(Stmt::Expr(e)) => match &*e.expr {
                Expr::Lit(Lit::Str(s)) => Some(s.value == *"use client"),
                _ => None,
            },
            _ => None,
        })
        .any(|client| client)
}

/// Records the calls to imported functions made inside loops of a client module.
pub(super) fn calls_in_loops(module: &Module, at: Offsets, facts: &mut FileFacts) {
    let mut walk = Walk {
        at,
        imported: facts.imports.iter().map(|i| i.local.clone()).collect(),
        loops: vec![],
        in_catch: 0,
        calls: vec![],
    };
    module.visit_with(&mut walk);
    facts.calls.append(&mut walk.calls);
}

struct Walk {
    at: Offsets,
    /// The names the module imports (functions, namespaces).
    imported: Vec<Name>,
    /// The loops the code being walked runs in, innermost last.
    loops: Vec<LoopInfo>,
    /// Inside a `catch` clause: an error path, not per-item work (as `calls::push_call` says).
    in_catch: u32,
    calls: Vec<CallFact>,
}

impl Walk {
    /// Walks a function body that runs when called: the loops around its definition do not
    /// run it; `per_item` is the loop of an iteration method it is the callback of.
    fn function(&mut self, per_item: Option<LoopInfo>, f: impl FnOnce(&mut Self)) {
        let catch = std::mem::take(&mut self.in_catch);
        let outer = match per_item {
            Some(l) => {
                self.loops.push(l);
                None
            }
            None => Some(std::mem::take(&mut self.loops)),
        };
        f(self);
        match outer {
            Some(loops) => self.loops = loops,
            None => {
                self.loops.pop();
            }
        }
        self.in_catch = catch;
    }

    fn in_loop(&mut self, info: LoopInfo, body: impl FnOnce(&mut Self)) {
        self.loops.push(info);
        body(self);
        self.loops.pop();
    }

    /// `f(..)` or `ns.f(..)` with `f` / `ns` imported: what the linker may find as a project
    /// function.
    fn callee(&self, callee: &Expr) -> Option<Vec<Name>> {
        match unwrap(callee) {
            Expr::Ident(i) if self.imported.contains(&i.sym) => Some(vec![i.sym.clone()]),
            Expr::Member(m) => match unwrap(&m.obj) {
                Expr::Ident(o) if self.imported.contains(&o.sym) => {
                    Some(vec![o.sym.clone(), member_prop(&m.prop)?])
                }
                _ => None,
            },
            _ => None,
        }
    }
}

impl Visit for Walk {
    fn visit_ts_type(&mut self, _: &TsType) {}
    fn visit_ts_type_ann(&mut self, _: &TsTypeAnn) {}

    fn visit_call_expr(&mut self, c: &CallExpr) {
        let Callee::Expr(callee) = &c.callee else {
            c.visit_children_with(self);
            return;
        };
        if !self.loops.is_empty() && self.in_catch == 0 {
            if let Some(names) = self.callee(callee) {
                self.calls.push(CallFact {
                    callee: names,
                    span: self.at.span(c.span),
                    loops: self.loops.clone(),
                    function: None,
                });
            }
        }
        callee.visit_with(self);
        // `xs.map(async (x) => ..)`: the callback runs once per element.
        let iteration = match unwrap(callee) {
            Expr::Member(m) => member_prop(&m.prop)
                .and_then(|name| iteration_method(&name))
                .map(|kind| (kind, &*m.obj, m.prop.span())),
            _ => None,
        };
        for a in &c.args {
            match iteration {
                Some((kind, over, span)) if is_function(&a.expr) => {
                    let info = loop_info(self.at, kind, span, false, Some(over));
                    // The callback's body, not the callback: `visit_arrow_expr` would start
                    // it outside every loop.
                    self.function(Some(info), |w| match unwrap(&a.expr) {
                        Expr::Arrow(f) => f.visit_children_with(w),
                        Expr::Fn(f) => f.function.visit_children_with(w),
                        other => other.visit_with(w),
                    });
                }
                _ => a.visit_with(self),
            }
        }
    }

    fn visit_function(&mut self, f: &Function) {
        self.function(None, |w| f.visit_children_with(w));
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.function(None, |w| a.visit_children_with(w));
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        self.in_catch += 1;
        c.visit_children_with(self);
        self.in_catch -= 1;
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        s.init.visit_with(self);
        let head = head_span(s.span, s.body.span());
        let mut info = loop_info(self.at, LoopKind::For, head, false, None);
        // `for (i = 0; i < n; i += size)`: batches, as in the full walk.
        info.batched = s.update.as_deref().is_some_and(steps_by_batch);
        info.untested = s.test.is_none();
        self.in_loop(info, |w| {
            s.test.visit_with(w);
            s.update.visit_with(w);
            s.body.visit_with(w);
        });
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        s.right.visit_with(self);
        let head = head_span(s.span, s.body.span());
        // `for await` over anything but an array literal is taken as a stream of pages, the
        // cautious reading (the full walk also knows names holding arrays).
        let stream = s.is_await && !matches!(unwrap(&s.right), Expr::Array(_));
        let info = loop_info(self.at, LoopKind::ForOf, head, stream, Some(&s.right));
        self.in_loop(info, |w| s.body.visit_with(w));
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        s.right.visit_with(self);
        let head = head_span(s.span, s.body.span());
        let info = loop_info(self.at, LoopKind::ForIn, head, false, None);
        self.in_loop(info, |w| s.body.visit_with(w));
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        let head = head_span(s.span, s.body.span());
        let info = loop_info(self.at, LoopKind::While, head, false, None);
        self.in_loop(info, |w| {
            s.test.visit_with(w);
            s.body.visit_with(w);
        });
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        let head = head_span(s.span, s.body.span());
        let info = loop_info(self.at, LoopKind::DoWhile, head, false, None);
        self.in_loop(info, |w| {
            s.body.visit_with(w);
            s.test.visit_with(w);
        });
    }
}
