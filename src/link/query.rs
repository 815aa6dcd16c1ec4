//! Query linking: each query site's tables, conditions, joins, relational `with` and
//! `groupBy` columns resolved against the schema model.

use super::inline::Ctx;
use super::model::{LinkedJoin, LinkedQuery, LinkedWith, Project};
use super::resolve::Memo;
use crate::facts::{
    add_path_where, dotted, BuilderPass, QueryKind, QueryTarget, RawPred, TableExpr, Where,
    WithFact,
};
use crate::ids::{FileId, TableId};
use crate::predicate::{CannotFilter, Opnd, Pred, TableRef};
use crate::span::Span;

/// The conditions on each path that the [`RawPred::Pass`]es of a query's builder leave, by
/// pass, once worked out.
pub(super) type PassPaths = super::model::HashMap<u32, Vec<Option<Pred>>>;

/// A query of a checked file whose table is not in the schema: no rule checked it.
#[derive(Debug, Clone)]
pub struct UnresolvedQuery {
    pub file: FileId,
    /// Where the table is named.
    pub span: Span,
    pub kind: QueryKind,
    /// The table as written: `posts`, `schema.posts`, `db.query.posts`.
    pub table: String,
}

impl Project {
    /// The queries of checked files whose table does not resolve to a table of the schema, in
    /// file order: what the run could not check, so that it says so rather than pass in silence.
    pub fn unresolved_queries(&self) -> Vec<UnresolvedQuery> {
        let mut out = vec![];
        for (f, u) in self.units.iter_enumerated() {
            if !u.check {
                continue;
            }
            // A site may have several linked queries (a raw statement's blocks), in any order.
            let mut linked = vec![false; u.facts.queries.len()];
            for q in &self.queries[f] {
                linked[q.site] = true;
            }
            for (i, q) in u.facts.queries.iter().enumerate() {
                if linked[i] {
                    continue;
                }
                // A bare `x.delete(key)` is as likely a `Map`, a `Set` or a cookie store: only
                // one with a `where` is surely a query.
                if q.kind == QueryKind::Delete && !q.where_.written() {
                    continue;
                }
                let table = match &q.target {
                    QueryTarget::Table(t) => table_text(t),
                    QueryTarget::QueryKey(k) => format!("query.{k}"),
                    // A raw statement naming no table of the schema (`select now()`): nothing
                    // of the schema to check.
                    QueryTarget::Raw(_) => continue,
                };
                out.push(UnresolvedQuery {
                    file: f,
                    span: q.target_span,
                    kind: q.kind,
                    table,
                });
            }
        }
        out
    }

    pub(super) fn link_queries(&self, f: FileId) -> Vec<LinkedQuery> {
        let mut out = vec![];
        let memo = Memo::default();
        for (i, q) in self.units[f].facts.queries.iter().enumerate() {
            let table = match &q.target {
                QueryTarget::Table(t) => self.resolve_ref_in(f, t, &memo),
                QueryTarget::QueryKey(k) => self.table_by_key(f, k).map(TableRef::from),
                // Read from the statement's text (`raw`).
                QueryTarget::Raw(_) => None,
            };
            let Some(TableRef { id: table, alias }) = table else {
                continue;
            };
            let ctx = Ctx::new(f, Some(table), &memo).within(q.function.as_deref());
            let (where_, on_paths) = self.query_where(i, &q.where_, &ctx);
            let joins = q
                .joins
                .iter()
                .filter_map(|j| {
                    let t = self.resolve_ref_in(f, &j.table, &memo)?;
                    Some(LinkedJoin {
                        kind: j.kind.clone(),
                        table: t.id,
                        alias: t.alias,
                        on: j.on.as_ref().map(|o| self.resolve_pred(o, &ctx)),
                        span: j.span,
                    })
                })
                .collect();
            let with = self.link_with(f, table, &q.with, &memo);
            let group_by = q
                .group_by
                .iter()
                .filter_map(|o| match self.resolve_operand(o, &ctx) {
                    Ok(Opnd::Col(c)) => Some(c),
                    _ => None,
                })
                .collect();
            let in_array = self.units[f]
                .facts
                .in_array_subqueries
                .iter()
                .find(|s| s.site == i)
                .and_then(|s| {
                    let col = |o| match self.resolve_operand(o, &ctx) {
                        Ok(Opnd::Col(c)) => Some(c),
                        _ => None,
                    };
                    Some((col(&s.column)?, col(s.selected.as_ref()?)?, s.at))
                });
            let selected = q
                .selected
                .iter()
                .filter_map(|(k, t, c)| Some((k.clone(), self.resolve_ref(f, t)?, c.clone())))
                .collect();
            out.push(LinkedQuery {
                site: i,
                in_array,
                selected,
                table,
                alias,
                where_,
                on_paths,
                joins,
                with,
                group_by,
            });
        }
        out
    }

    /// The condition of the query `site` (its `where` is `w`), and whether it is an `or` of
    /// its conditions on each path ([`LinkedQuery::on_paths`]).
    fn query_where<'a>(
        &'a self,
        site: usize,
        w: &'a Where,
        ctx: &Ctx<'_, 'a>,
    ) -> (Option<Pred>, bool) {
        // A builder written in place as a call's argument (`scoped(db.select()..,
        // orgId)`): the call comes after its own clauses.
        let passes = &self.units[ctx.file].facts.builder_passes;
        let mut in_place = passes
            .iter()
            .filter(|p| p.site == site && p.before.is_none())
            .peekable();
        let paths = matches!(w, Where::Condition(RawPred::Paths(_) | RawPred::Pass(_)));
        if !paths && in_place.peek().is_none() {
            return (w.condition().map(|p| self.resolve_pred(p, ctx)), false);
        }
        let mut paths = self.where_paths(w, ctx, &mut PassPaths::default());
        for pass in in_place {
            paths = self.passed(pass, paths, ctx);
        }
        match paths.len() {
            1 => (paths.pop().flatten(), false),
            _ => (
                Some(Pred::Or(
                    paths
                        .into_iter()
                        .map(|p| p.unwrap_or(Pred::Undefined))
                        .collect(),
                )),
                true,
            ),
        }
    }

    /// The condition a query's `where` leaves on each path through the code that builds it
    /// (`None` on a path with none), each once: one, but for a builder given its `where`s in
    /// branches ([`RawPred::Paths`]) or by the functions it is passed to ([`RawPred::Pass`]).
    fn where_paths<'a>(
        &'a self,
        w: &'a Where,
        ctx: &Ctx<'_, 'a>,
        memo: &mut PassPaths,
    ) -> Vec<Option<Pred>> {
        match w {
            Where::Absent | Where::Unreadable => vec![None],
            Where::Condition(p) => self.raw_paths(p, ctx, memo),
        }
    }

    /// [`Self::where_paths`] of a condition.
    pub(super) fn raw_paths<'a>(
        &'a self,
        p: &'a RawPred,
        ctx: &Ctx<'_, 'a>,
        memo: &mut PassPaths,
    ) -> Vec<Option<Pred>> {
        match p {
            RawPred::Paths(ps) => {
                let mut out = vec![];
                for p in ps {
                    let paths = match p {
                        RawPred::Undefined => vec![None],
                        p => self.raw_paths(p, ctx, memo),
                    };
                    for p in paths {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
                out
            }
            // Each pass holds the condition before it, which holds the earlier passes: each
            // is worked out once.
            RawPred::Pass(n) => {
                if let Some(paths) = memo.get(n) {
                    return paths.clone();
                }
                let passes = &self.units[ctx.file].facts.builder_passes;
                let paths = match passes.get(*n as usize) {
                    Some(pass) => {
                        let before = match &pass.before {
                            Some(w) => self.where_paths(w, ctx, memo),
                            None => vec![None],
                        };
                        self.passed(pass, before, ctx)
                    }
                    None => vec![None],
                };
                memo.insert(*n, paths.clone());
                paths
            }
            p => vec![Some(self.resolve_pred(p, ctx))],
        }
    }

    /// A query's condition on each path after the project function it is passed to
    /// (`scoped(q, orgId)`) adds its `where`s to the builder, as `where`s added to a builder
    /// held in a local combine ([`add_path_where`]), given the condition on each path before
    /// (`paths`). A callee that is not a project function adds nothing seen.
    fn passed<'a>(
        &'a self,
        pass: &BuilderPass,
        mut paths: Vec<Option<Pred>>,
        ctx: &Ctx<'_, 'a>,
    ) -> Vec<Option<Pred>> {
        let Some((hf, idx)) = self.resolve_function(ctx.file, &pass.callee) else {
            return paths;
        };
        let helper = &self.units[hf].facts;
        let def = &helper.functions[idx];
        let Some(param) = def.params.get(pass.arg) else {
            return paths;
        };
        let inner = Ctx::new(hf, ctx.self_table, ctx.memo);
        let mut branch = false;
        for c in &helper.param_clauses {
            if c.scope != def.span || c.param != *param {
                continue;
            }
            branch |= c.ends;
            let added = match &c.where_ {
                Where::Absent => continue,
                Where::Unreadable => Pred::Unknown {
                    why: format!("a `where` in `{}` drizzle-guard cannot read", def.name),
                    mentions: vec![],
                    cannot_filter: CannotFilter::NOTHING,
                },
                Where::Condition(p) => self.resolve_pred(p, &inner),
            };
            add_path_where(
                &mut paths,
                Some(added),
                c.conditional,
                branch,
                Option::is_none,
            );
        }
        paths
    }

    fn link_with<'a>(
        &'a self,
        f: FileId,
        parent: TableId,
        with: &'a [WithFact],
        memo: &Memo<'a>,
    ) -> Vec<LinkedWith> {
        with.iter()
            .map(|w| {
                let rel = self.tables[parent.0]
                    .relations
                    .iter()
                    .find(|r| r.name == w.relation);
                let target = rel.and_then(|r| r.target);
                let where_ = w
                    .where_
                    .as_ref()
                    .map(|p| self.resolve_pred(p, &Ctx::new(f, target, memo)));
                let nested = match target {
                    Some(t) => self.link_with(f, t, &w.with, memo),
                    None => vec![],
                };
                LinkedWith {
                    relation: w.relation.clone(),
                    target,
                    where_,
                    preset_where: rel.and_then(|r| r.preset_where.clone()),
                    has_limit: w.has_limit,
                    many: rel.map(|r| r.many).unwrap_or(w.many_hint),
                    with: nested,
                    span: w.span,
                }
            })
            .collect()
    }
}

/// A table expression as written.
fn table_text(t: &TableExpr) -> String {
    match t {
        TableExpr::Name(n) => n.to_string(),
        TableExpr::Member(a, b) => dotted(&[a.clone(), b.clone()]),
        TableExpr::Alias(_, inner) => table_text(inner),
    }
}
