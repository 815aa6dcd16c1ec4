//! Locals holding a query builder (`const q = db.select().from(t)`): clauses added to them
//! later (`q = q.where(..)`, `q.limit(10)`) join their query.

use super::*;

impl Extractor {
    /// `q.where(..)`, `q = q.limit(n)` on a local holding a query builder: the clauses join
    /// its query. A clause added in a branch the binding is not in holds on some paths only:
    /// a `where` there leaves the query's condition possibly empty, a `limit` or `orderBy`
    /// there is not counted.
    pub(super) fn add_clauses(&mut self, name: &Name, segs: &[crate::extract::chain::Seg<'_>]) {
        let scope = self.frames.function_span(self.at);
        let Some(b) = self
            .builders
            .iter()
            .rev()
            .find(|b| &b.name == name && b.scope == scope)
        else {
            return;
        };
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
                    site.where_ = match (conditional, &site.where_, new) {
                        (false, _, new) => new,
                        (true, Where::Absent, Where::Condition(p)) => {
                            Where::Condition(RawPred::Or(vec![RawPred::Undefined, p]))
                        }
                        (true, Where::Condition(old), Where::Condition(p)) => {
                            Where::Condition(RawPred::Or(vec![old.clone(), p]))
                        }
                        (true, _, _) => Where::Unreadable,
                    };
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
    pub(super) fn note_builder(&mut self, name: &Name, before: usize) {
        let Some(site) = self.facts.queries.get(before) else {
            return;
        };
        if site.runs.may_gain_clauses() {
            self.builders.push(Builder {
                name: name.clone(),
                site: before,
                scope: self.frames.function_span(self.at),
                depth: self.frames.conditional,
            });
        }
    }

    /// `exists(q)`, `inArray(col, q)`, `sql`EXISTS (${q})``: the builder the local `q` holds
    /// is placed in another query as a subquery and runs as part of it, not on its own.
    pub(super) fn note_subquery_use(&mut self, e: &Expr) {
        let Expr::Ident(i) = unwrap(e) else {
            return;
        };
        if self.builders.is_empty() {
            return;
        }
        let scope = self.frames.function_span(self.at);
        let Some(b) = self
            .builders
            .iter()
            .rev()
            .find(|b| b.name == i.sym && b.scope == scope)
        else {
            return;
        };
        if let Some(site) = self.facts.queries.get_mut(b.site) {
            site.runs = Runs::Subquery(site.runs.handling());
        }
    }
}
