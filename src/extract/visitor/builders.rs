//! Locals holding a query builder (`const q = db.select().from(t)`): clauses added to them
//! later (`q = q.where(..)`, `q.limit(10)`) join their query.

use super::*;
use crate::extract::conditions::operand;

impl Extractor {
    /// The query builder the local `name` holds in the function the walk is in (the newest
    /// binding), if any: the index of its entry in `builders`.
    fn builder(&self, name: &Name) -> Option<usize> {
        if self.builders.is_empty() {
            return None;
        }
        let scope = self.frames.function_span(self.at);
        self.builders
            .iter()
            .rposition(|b| &b.name == name && b.scope == scope)
    }

    /// The query of the builder the local `name` holds, if it holds one.
    pub(super) fn builder_site(&self, name: &Name) -> Option<usize> {
        self.builder(name).map(|b| self.builders[b].site)
    }

    /// `q.where(..)`, `q = q.limit(n)` on a local holding a query builder: the clauses join
    /// its query. A clause added in a branch the binding is not in holds on some paths only:
    /// a `where` there leaves the query's condition possibly empty, a `limit` or `orderBy`
    /// there is not counted.
    pub(super) fn add_clauses(&mut self, name: &Name, segs: &[crate::extract::chain::Seg<'_>]) {
        let Some(i) = self.builder(name) else {
            self.note_param_clauses(name, segs);
            return;
        };
        let b = &mut self.builders[i];
        let conditional = self.frames.conditional > b.depth;
        let Some(site) = self.facts.queries.get_mut(b.site) else {
            return;
        };
        for seg in segs.iter().filter(|s| s.is_call()) {
            match &*seg.name {
                "where" => {
                    let new = match seg.arg(0) {
                        Some(w) => Where::Condition(pred(&self.scopes, w)),
                        None => Where::Unreadable,
                    };
                    add_where(b, site, new, conditional);
                    // Rows awaited before this `where` ([`Self::note_builder_result`]) were
                    // read without it: they are no rows of the query as finally written.
                    if b.awaited {
                        site.result = None;
                    }
                }
                "limit" if !conditional => site.has_limit = true,
                "orderBy" if !conditional => site.has_order_by = true,
                "offset" => site.has_offset = true,
                _ => {}
            }
        }
    }

    /// Remembers that `name` holds the query builder the chain just read made, if it made one
    /// that may still gain clauses.
    pub(super) fn note_builder(&mut self, name: &Name, before: usize, chain: &Expr) {
        let Some(site) = self.facts.queries.get(before) else {
            return;
        };
        // A prepared statement gains no clauses, but its runs (`stmt.execute(..)`) find it here.
        if site.runs.may_gain_clauses() || site.runs.handling() == Handling::Prepared {
            self.builders.push(Builder {
                name: name.clone(),
                site: before,
                scope: self.frames.function_span(self.at),
                depth: self.frames.conditional,
                awaited: false,
                branch_where: false,
                selected: self.one_selected(chain),
                prepared: super::prepared::placeholders(&self.scopes, chain),
            });
        }
    }

    /// `let query = base.$dynamic()` (or `base.where(..)`, `union(base, other)`) where `base`
    /// holds a query builder: `query` names the same builder, so clauses added to it
    /// (`query.limit(n)`) are the query's too.
    pub(super) fn note_builder_alias(&mut self, name: &Name, chain: &Expr) {
        let mut e = crate::extract::ast::unwrap(chain);
        let root = loop {
            match e {
                Expr::Call(c) => match &c.callee {
                    // `union(a, b)`: the first part stands for the set operation.
                    Callee::Expr(callee) if matches!(unwrap(callee), Expr::Ident(f) if self.is_set_operator(&f.sym)) => {
                        match c.args.first() {
                            Some(a) if a.spread.is_none() => e = unwrap(&a.expr),
                            _ => return,
                        }
                    }
                    Callee::Expr(callee) => e = crate::extract::ast::unwrap(callee),
                    _ => return,
                },
                Expr::Member(m) => e = crate::extract::ast::unwrap(&m.obj),
                Expr::Ident(i) => break &i.sym,
                _ => return,
            }
        };
        let Some(b) = self.builder(root) else {
            return;
        };
        let alias = Builder {
            name: name.clone(),
            site: self.builders[b].site,
            scope: self.builders[b].scope,
            depth: self.frames.conditional,
            awaited: false,
            branch_where: false,
            selected: self.builders[b].selected.clone(),
            prepared: self.builders[b].prepared.clone(),
        };
        self.builders.push(alias);
    }

    /// `const rows = await q` (or `const [row] = ..`) on a local `q` holding a query builder:
    /// the rows are the query's, which the site's result (the builder's own local) and the
    /// value origins (`rows` holds what `q` holds) say already; a `where` added to `q` later
    /// was not there when they were read.
    pub(super) fn note_builder_result(&mut self, name: &Name) {
        if let Some(b) = self.builder(name) {
            let b = &mut self.builders[b];
            b.awaited = true;
            b.branch_where |= self.frames.conditional > b.depth;
        }
    }

    /// `return q..` in a branch (`if (s) return q.where(..)`, `return scoped(q, orgId)`): the
    /// builder `q` runs there with the `where`s it has, on a path that ends there; a `where`
    /// added on every path after it replaces those of the other paths only. On a parameter
    /// (`if (!orgId) return qb;`), noted for the callers that pass a builder.
    pub(super) fn note_builder_run(&mut self, e: &Expr) {
        if self.frames.conditional == 0 {
            return;
        }
        let e = crate::extract::ast::awaited(e);
        if !self.builders.is_empty() {
            let scope = self.frames.function_span(self.at);
            let depth = self.frames.conditional;
            for b in self.builders.iter_mut() {
                if b.scope == scope && depth > b.depth && uses(e, &b.name) {
                    b.branch_where = true;
                }
            }
        }
        // A parameter of a named function: one its callers may pass a builder to.
        let Some(root) = chain_root(e) else { return };
        if !self.frames.innermost().params.contains(root) {
            return;
        }
        let Some(scope) = self.frames.function_span(self.at) else {
            return;
        };
        self.facts.param_clauses.push(ParamClauses {
            scope,
            param: root.clone(),
            where_: Where::Absent,
            has_limit: false,
            has_order_by: false,
            has_offset: false,
            conditional: true,
            ends: true,
        });
    }

    /// `exists(q)`, `inArray(col, q)`, `sql`EXISTS (${q})``: the builder the local `q` holds
    /// is placed in another query as a subquery and runs as part of it, not on its own.
    /// `value` (the second argument of `seg`, when given) is the subquery of
    /// `inArray(col, builder)`: which column takes its values, as for one written in place.
    pub(super) fn note_subquery_use(
        &mut self,
        e: &Expr,
        seg: Option<&crate::extract::chain::Seg<'_>>,
    ) {
        let Expr::Ident(i) = unwrap(e) else {
            return;
        };
        let Some(b) = self.builder(&i.sym) else {
            return;
        };
        let site = self.builders[b].site;
        if let Some(site) = self.facts.queries.get_mut(site) {
            site.runs = Runs::Subquery(site.runs.handling());
        }
        if let Some(col) = seg.filter(|s| s.name == "inArray").and_then(|s| s.arg(0)) {
            self.facts.in_array_subqueries.push(InArraySubquery {
                site,
                column: operand(&self.scopes, col),
                selected: self.builders[b].selected.clone(),
                at: self.at.span(i.span),
            });
        }
    }

    /// `qb.where(..).limit(10)` on the parameter `qb`: the clauses a caller that passes a
    /// query builder gets ([`crate::facts::BuilderPass`]).
    fn note_param_clauses(&mut self, name: &Name, segs: &[crate::extract::chain::Seg<'_>]) {
        let clause = |s: &crate::extract::chain::Seg<'_>| {
            s.is_call() && matches!(&*s.name, "where" | "limit" | "orderBy" | "offset")
        };
        if !segs.iter().any(clause) || !matches!(self.scopes.get(name), Some(Binding::Param)) {
            return;
        }
        let Some(scope) = self.frames.function_span(self.at) else {
            return;
        };
        let mut c = ParamClauses {
            scope,
            param: name.clone(),
            where_: Where::Absent,
            has_limit: false,
            has_order_by: false,
            has_offset: false,
            conditional: self.frames.conditional > 0,
            ends: false,
        };
        for seg in segs.iter().filter(|s| clause(s)) {
            match &*seg.name {
                "where" => {
                    c.where_ = match seg.arg(0) {
                        Some(w) => Where::Condition(pred(&self.scopes, w)),
                        None => Where::Unreadable,
                    }
                }
                "limit" => c.has_limit = true,
                "orderBy" => c.has_order_by = true,
                _ => c.has_offset = true,
            }
        }
        self.facts.param_clauses.push(c);
    }

    /// `withPagination(q, 2)`: the builder at `site` (held by the local `q`, or written in
    /// place) is passed as argument `arg` of the call `seg`, which may add clauses to it.
    pub(super) fn note_builder_pass(
        &mut self,
        seg: &crate::extract::chain::Seg<'_>,
        arg: usize,
        value: &Expr,
        before: usize,
    ) {
        let (site, held) = match value {
            Expr::Ident(i) => match self.builder(&i.sym) {
                Some(b) => (self.builders[b].site, Some(b)),
                None => return,
            },
            Expr::Call(_) => match self.facts.queries.get(before) {
                Some(q) if q.span == self.at.span(value.span()) => (before, None),
                _ => return,
            },
            _ => return,
        };
        let callee = match seg.object.map(unwrap) {
            None if !seg.name.is_empty() => vec![seg.name.clone()],
            Some(Expr::Ident(o)) => vec![o.sym.clone(), seg.name.clone()],
            Some(Expr::This(_)) => vec![crate::extract::ast::this_name(), seg.name.clone()],
            _ => return,
        };
        let pass = self.facts.builder_passes.len() as u32;
        let mut before = None;
        // A builder held in a local: what the call adds takes its place among the `where`s
        // added to it, on the paths the call is on.
        if let Some(b) = held {
            let b = &mut self.builders[b];
            let conditional = self.frames.conditional > b.depth;
            if let Some(q) = self.facts.queries.get_mut(site) {
                before = Some(q.where_.clone());
                add_where(b, q, Where::Condition(RawPred::Pass(pass)), conditional);
            }
        }
        self.facts.builder_passes.push(BuilderPass {
            site,
            callee,
            arg,
            before,
        });
    }

    /// `inArray(col, db.select({ id: T.id }).from(T)..)` whose subquery was just read as the
    /// query at `before`: which column takes its values, and the column it selects.
    pub(super) fn note_in_array_subquery(
        &mut self,
        seg: &crate::extract::chain::Seg<'_>,
        value: &Expr,
        before: usize,
    ) {
        if seg.name != "inArray" {
            return;
        }
        match self.facts.queries.get(before) {
            Some(q) if q.span == self.at.span(value.span()) => {}
            _ => return,
        }
        let Some(col) = seg.arg(0) else {
            return;
        };
        let column = operand(&self.scopes, col);
        let selected = self.one_selected(value);
        self.facts.in_array_subqueries.push(InArraySubquery {
            site: before,
            column,
            selected,
            at: self.at.span(value.span()),
        });
    }

    /// The one column a select chain selects (`db.select({ id: T.id })..`). Walked down the
    /// chain in place: most chains held in locals are never used as a subquery.
    fn one_selected(&self, chain: &Expr) -> Option<Operand> {
        let mut e = unwrap(chain);
        let select = loop {
            let Expr::Call(c) = e else { return None };
            let (obj, method) = crate::extract::ast::method_call(c)?;
            if &*method == "select" {
                break c;
            }
            e = unwrap(obj);
        };
        select
            .args
            .first()
            .map(|a| &*a.expr)
            .and_then(|e| match unwrap(e) {
                Expr::Object(o) if o.props.len() == 1 => match &o.props[0] {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => Some(operand(&self.scopes, &kv.value)),
                        _ => None,
                    },
                    PropOrSpread::Spread(_) => None,
                },
                _ => None,
            })
    }
}

/// Adds the `where` `new` to the query `site` of the builder `b` ([`add_path_where`]): the
/// site's condition is the builder's on each path, [`RawPred::Paths`] when they differ, and
/// unreadable when it is on one.
fn add_where(b: &Builder, site: &mut QuerySite, new: Where, conditional: bool) {
    let mut paths = match std::mem::replace(&mut site.where_, Where::Absent) {
        Where::Condition(RawPred::Paths(ps)) => ps
            .into_iter()
            .map(|p| match p {
                RawPred::Undefined => Where::Absent,
                p => Where::Condition(p),
            })
            .collect(),
        w => vec![w],
    };
    add_path_where(&mut paths, new, conditional, b.branch_where, |w| {
        *w == Where::Absent
    });
    site.where_ = joined(paths);
}

/// The condition of a builder whose condition on each path is one of `paths`.
fn joined(mut paths: Vec<Where>) -> Where {
    if paths.contains(&Where::Unreadable) {
        return Where::Unreadable;
    }
    if paths.len() == 1 {
        return paths.pop().unwrap_or(Where::Absent);
    }
    let parts = paths.into_iter().map(|w| match w {
        Where::Condition(p) => p,
        Where::Absent | Where::Unreadable => RawPred::Undefined,
    });
    Where::Condition(RawPred::Paths(parts.collect()))
}

impl Extractor {
    /// An `if .. else` where every branch adds `orderBy` (or `limit`) to a builder local bound
    /// at this depth (`if (asc) q.orderBy(asc(t.a)); else q.orderBy(desc(t.a));`, also through
    /// `else if` chains, blocks and `c ? q.orderBy(..) : q.orderBy(..)`): the clause is on every
    /// path, as if added unconditionally.
    pub(super) fn note_clauses_on_every_branch(&mut self, s: &IfStmt) {
        if s.alt.is_none() || self.builders.is_empty() {
            return;
        }
        let scope = self.frames.function_span(self.at);
        let depth = self.frames.conditional;
        for b in self
            .builders
            .iter()
            .filter(|b| b.scope == scope && b.depth == depth)
        {
            let Some(site) = self.facts.queries.get_mut(b.site) else {
                continue;
            };
            if !site.has_order_by && adds_if(s, &b.name, "orderBy") {
                site.has_order_by = true;
            }
            if !site.has_limit && adds_if(s, &b.name, "limit") {
                site.has_limit = true;
            }
        }
    }
}

impl Extractor {
    /// [`Self::where_marks`] of an `if .. else`.
    pub(super) fn where_marks_if(&self, s: &IfStmt) -> Vec<(usize, usize)> {
        if s.alt.is_none() || self.builders.is_empty() {
            return vec![];
        }
        self.where_marks(|b| adds_if(s, b, "where"))
    }

    /// [`Self::where_marks`] of `c ? a : b`.
    pub(super) fn where_marks_cond(&self, c: &CondExpr) -> Vec<(usize, usize)> {
        if self.builders.is_empty() {
            return vec![];
        }
        self.where_marks(|b| adds_expr(&c.cons, b, "where") && adds_expr(&c.alt, b, "where"))
    }

    /// The builders held in locals bound at this depth of the function that `adds` says are
    /// given a `where` on every branch of the `if .. else` (or `c ? a : b`) about to be walked,
    /// with how many paths their condition has before it: for
    /// [`Self::note_where_on_every_branch`].
    fn where_marks(&self, adds: impl Fn(&Name) -> bool) -> Vec<(usize, usize)> {
        let scope = self.frames.function_span(self.at);
        let depth = self.frames.conditional;
        let mut out = vec![];
        for (i, b) in self.builders.iter().enumerate() {
            if b.scope != scope || b.depth != depth || !adds(&b.name) {
                continue;
            }
            let paths = match self.facts.queries.get(b.site).map(|q| &q.where_) {
                Some(Where::Condition(RawPred::Paths(ps))) => ps.len(),
                Some(Where::Unreadable) | None => continue,
                Some(_) => 1,
            };
            out.push((i, paths));
        }
        out
    }

    /// After the branches of an `if .. else` were walked, each builder of `marks` given a
    /// `where` (or passed to a function, which stands for what it had when it adds none) on
    /// every branch: the paths it had before went through a branch each, so they are its
    /// paths no longer, as the paths through the branches are.
    pub(super) fn note_where_on_every_branch(&mut self, marks: Vec<(usize, usize)>) {
        for (b, before) in marks {
            let Some(site) = self.facts.queries.get_mut(self.builders[b].site) else {
                continue;
            };
            if let Where::Condition(RawPred::Paths(ps)) = &mut site.where_ {
                if ps.len() > before {
                    ps.drain(..before);
                }
                if let [one] = &mut ps[..] {
                    site.where_ = Where::Condition(std::mem::replace(one, RawPred::Undefined));
                }
            }
        }
    }
}

/// Whether `st` adds the clause `method` to the builder `name` on every path through it.
fn adds(st: &Stmt, name: &Name, method: &str) -> bool {
    match st {
        Stmt::Expr(e) => adds_expr(&e.expr, name, method),
        Stmt::Block(b) => b.stmts.iter().any(|s| adds(s, name, method)),
        Stmt::If(i) => adds_if(i, name, method),
        _ => false,
    }
}

fn adds_if(i: &IfStmt, name: &Name, method: &str) -> bool {
    adds(&i.cons, name, method) && i.alt.as_deref().is_some_and(|a| adds(a, name, method))
}

fn adds_expr(e: &Expr, name: &Name, method: &str) -> bool {
    match unwrap(e) {
        Expr::Cond(c) => adds_expr(&c.cons, name, method) && adds_expr(&c.alt, name, method),
        // `await q.where(..).limit(n)`: the same chain, run.
        Expr::Await(a) => adds_expr(&a.arg, name, method),
        // `q = q.orderBy(..)`
        Expr::Assign(a) => adds_expr(&a.right, name, method),
        Expr::Call(_) => {
            let (root, segs) = crate::extract::chain::flatten(e);
            (matches!(root.map(unwrap), Some(Expr::Ident(i)) if &i.sym == name)
                && segs.iter().any(|s| s.is_call() && &*s.name == method))
                // `q = scoped(q, orgId)`: what the function adds, a `where` or none (then its
                // pass stands for the condition before it).
                || (method == "where" && segs.iter().any(|s| passes(s, name)))
        }
        _ => false,
    }
}

/// Whether the call `s` passes the builder `name` to a function (not to an operator).
fn passes(s: &crate::extract::chain::Seg<'_>, name: &Name) -> bool {
    !is_operator(&s.name)
        && s.args.is_some_and(|a| {
            a.iter()
                .any(|a| matches!(unwrap(&a.expr), Expr::Ident(i) if &i.sym == name))
        })
}

/// Whether the chain `e` runs the builder `name`: is it (`q`), is a chain on it
/// (`q.where(..).limit(10)`), or passes it to a function (`scoped(q, orgId)`).
fn uses(e: &Expr, name: &Name) -> bool {
    match unwrap(e) {
        Expr::Ident(i) => &i.sym == name,
        e @ Expr::Call(_) => {
            let (root, segs) = crate::extract::chain::flatten(e);
            matches!(root.map(unwrap), Some(Expr::Ident(i)) if &i.sym == name)
                || segs.iter().any(|s| passes(s, name))
        }
        _ => false,
    }
}

/// The name a builder's chain of clauses starts at: `qb` of `qb`, `qb.where(..).limit(10)`;
/// not of other calls (`res.status(400).json(..)`).
fn chain_root(e: &Expr) -> Option<&Name> {
    let mut e = unwrap(e);
    loop {
        e = match e {
            Expr::Ident(i) => return Some(&i.sym),
            Expr::Call(c) => match &c.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(MemberExpr {
                        obj,
                        prop: MemberProp::Ident(p),
                        ..
                    }) if matches!(
                        &*p.sym,
                        "where" | "limit" | "orderBy" | "offset" | "$dynamic"
                    ) =>
                    {
                        unwrap(obj)
                    }
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
    }
}
