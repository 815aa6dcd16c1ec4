//! The checks an `if` makes of a local (`if (!row) throw ..`, `if (row) { .. }`): where each
//! holds (see `reach`), and the tests that check nothing (an array of rows is never missing;
//! a call that returns goes on).

use super::*;

impl Extractor {
    /// A `try` statement: a check in its block holds past it only when its `catch` cannot go
    /// on (see `reach`).
    pub(super) fn try_stmt(&mut self, s: &TryStmt) {
        match &s.handler {
            Some(c) => {
                self.frames.reach.enter_try(s.block.span, c);
                s.block.visit_with(self);
                self.frames.reach.leave();
            }
            None => s.block.visit_with(self),
        }
        s.handler.visit_with(self);
        s.finalizer.visit_with(self);
    }

    /// Records the check `s` makes of a local, if it makes one.
    pub(super) fn note_null_check(&mut self, s: &IfStmt) {
        if let Some((local, throws, via)) = super::super::ast::null_checked(s)
            .filter(|(x, _, whole, _)| !(*whole && self.rows_array(x)))
            .and_then(|(x, throws, _, via)| Some((x, throws, self.leaves_by(via)?)))
        {
            let span = self.at.span(s.span);
            // In a branch, past it nothing is known; a throw a `catch` takes goes on past it.
            let (within, throws) = self.frames.reach.of_check(throws);
            self.facts.null_checks.push(crate::facts::NullCheck {
                local,
                span,
                throws,
                within: within.map(|w| self.at.span(w)),
                via,
            });
        } else if let Some((local, block, _)) =
            super::super::ast::present_in(s).filter(|(x, _, whole)| !(*whole && self.rows_array(x)))
        {
            self.facts.null_checks.push(crate::facts::NullCheck {
                local,
                span: self.at.span(s.test.span()),
                throws: false,
                within: Some(self.at.span(block)),
                via: None,
            });
        }
    }

    /// Notes the local names of the assertions the module imports (see [`assertion`]): read
    /// once, asked of every expression statement.
    pub(super) fn note_assertions(&mut self) {
        self.assertions = self
            .facts
            .imports
            .iter()
            .filter_map(|i| Some((i.local.clone(), assertion(&i.source, &i.imported)?)))
            .collect();
        self.frameworks = crate::extract::origins::Frameworks::of(&self.facts.imports);
    }

    /// `invariant(row, 'not found')` (tiny-invariant), `assert(row)` or `assert.ok(row)`
    /// (Node's): the statement throws unless `row` holds a value, as `if (!row) throw ..`.
    pub(super) fn note_assertion(&mut self, s: &ExprStmt) {
        if self.assertions.is_empty() && !self.frameworks.koa {
            return;
        }
        let Expr::Call(c) = unwrap(&s.expr) else {
            return;
        };
        let Some(Expr::Ident(x)) = c.args.first().map(|a| unwrap(&a.expr)) else {
            return;
        };
        let Callee::Expr(callee) = &c.callee else {
            return;
        };
        let asserts = match unwrap(callee) {
            // Koa's `ctx.assert(row, 404)` throws an HTTP error unless `row` holds a value.
            Expr::Member(m)
                if self.frameworks.koa && method_of(m, "assert").is_some_and(|o| o == "ctx") =>
            {
                true
            }
            callee => {
                let (name, method) = match callee {
                    Expr::Ident(f) => (&f.sym, false),
                    Expr::Member(m) => match method_of(m, "ok") {
                        Some(o) => (o, true),
                        None => return,
                    },
                    _ => return,
                };
                let asserts = (self.assertions.iter()).any(|(n, ok)| n == name && (!method || *ok));
                asserts && !self.scopes.is_local(name)
            }
        };
        if !asserts {
            return;
        }
        let (within, throws) = self.frames.reach.of_check(true);
        self.facts.null_checks.push(crate::facts::NullCheck {
            local: x.sym.clone(),
            span: self.at.span(s.span),
            throws,
            within: within.map(|w| self.at.span(w)),
            via: None,
        });
    }

    /// `const rows = await <chain>`, the chain a query made at `facts.queries[from..]` that
    /// gives all its rows as an array (a select or `findMany`, a write's `.returning()`; not
    /// SQLite's `.get()` nor a `.then(..)`): `rows` is never missing.
    pub(super) fn note_rows_array(&mut self, local: &Atom, chain: &Expr, from: usize) {
        let Some(q) = self.facts.queries[from..]
            .iter()
            .find(|q| q.result.as_ref() == Some(local))
        else {
            return;
        };
        let rows = match q.kind {
            QueryKind::Select | QueryKind::FindMany => true,
            QueryKind::Update | QueryKind::Delete | QueryKind::Insert => q.returning,
            QueryKind::Count | QueryKind::FindFirst => false,
        };
        let last = match chain {
            Expr::Call(c) => super::super::ast::method_call(c).map(|(_, m)| m),
            _ => None,
        };
        let gives_rows = last.as_deref().is_some_and(|m| {
            matches!(
                m,
                "from"
                    | "where"
                    | "limit"
                    | "offset"
                    | "orderBy"
                    | "groupBy"
                    | "having"
                    | "returning"
                    | "all"
                    | "execute"
                    | "findMany"
                    | "for"
            ) || m.ends_with("Join")
        });
        if rows && gives_rows {
            let scope = self.frames.function_span(self.at);
            self.rows_arrays.push((local.clone(), scope));
        }
    }

    /// The functions of the module, and those it imports from a framework, that never return.
    pub(in crate::extract) fn never_returning(&self) -> Vec<Atom> {
        self.scopes.never.clone()
    }

    /// A property of the module handles requests (a GraphQL resolver, a route's handler by
    /// method: `origins::handles_requests`).
    pub(in crate::extract) fn has_request_props(&self) -> bool {
        self.scopes.request_props
    }

    /// How a check that ends in a call to `via` leaves (`if (!x) notFound();`): `Some(None)`
    /// when it surely does (a function of this module or a framework's that never returns),
    /// `Some(Some(f))` when the imported `f` decides (see [`crate::facts::NullCheck::via`]),
    /// `None` when it does not (another function, a global such as `console.error`).
    pub(super) fn leaves_by(&self, via: Option<Atom>) -> Option<Option<Atom>> {
        let Some(f) = via else { return Some(None) };
        let imported = |f: &Atom| self.facts.imports.iter().any(|i| i.local == *f);
        crate::extract::ast::exit_by(&f, &self.scopes.never, imported)
    }

    /// `local` holds the whole array of a query's rows in the current function (see
    /// [`Self::note_rows_array`]).
    pub(super) fn rows_array(&self, local: &Atom) -> bool {
        let scope = self.frames.function_span(self.at);
        self.rows_arrays
            .iter()
            .rev()
            .any(|(n, s)| n == local && *s == scope)
    }
}

/// `o.prop` in a call `o.prop(..)`: the object `o`, when it is a name.
fn method_of<'a>(m: &'a MemberExpr, prop: &str) -> Option<&'a Atom> {
    match unwrap(&m.obj) {
        Expr::Ident(o) if crate::extract::ast::member_prop_is(&m.prop, prop) => Some(&o.sym),
        _ => None,
    }
}

/// An import that asserts its first argument (tiny-invariant's default export, Node's `assert`
/// module or its named `ok` and `strict`), and whether its `.ok(..)` does too (the module's).
fn assertion(source: &str, imported: &Imported) -> Option<bool> {
    match (source, imported) {
        ("tiny-invariant" | "invariant", Imported::Default) => Some(false),
        ("assert" | "node:assert" | "assert/strict" | "node:assert/strict", imported) => {
            match imported {
                Imported::Default | Imported::Namespace => Some(true),
                Imported::Named(n) => matches!(&n[..], "ok" | "strict").then_some(false),
            }
        }
        _ => None,
    }
}
