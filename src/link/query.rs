//! Query linking: each query site's tables, conditions, joins, relational `with` and
//! `groupBy` columns resolved against the schema model.

use super::inline::Ctx;
use super::model::{LinkedJoin, LinkedQuery, LinkedWith, Project};
use super::resolve::Memo;
use crate::facts::{dotted, BuilderPass, QueryKind, QueryTarget, TableExpr, Where, WithFact};
use crate::ids::{FileId, TableId};
use crate::predicate::{CannotFilter, Opnd, Pred, TableRef};
use crate::span::Span;

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
                if q.kind == QueryKind::Delete && q.where_ == Where::Absent {
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
            let mut where_ = q.where_.condition().map(|w| self.resolve_pred(w, &ctx));
            for pass in self.units[f].facts.builder_passes.iter() {
                if pass.site == i {
                    where_ = self.helper_where(f, table, pass, where_, &memo);
                }
            }
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
                joins,
                with,
                group_by,
            });
        }
        out
    }

    /// The query's condition after the project function it is passed to (`scoped(q, orgId)`)
    /// adds its `where` to the builder: the helper's replaces `current`, or, added on some
    /// paths only, leaves either. A callee that is not a project function adds nothing seen.
    fn helper_where<'a>(
        &'a self,
        f: FileId,
        table: TableId,
        pass: &BuilderPass,
        mut current: Option<Pred>,
        memo: &Memo<'a>,
    ) -> Option<Pred> {
        let Some((hf, idx)) = self.resolve_function(f, &pass.callee) else {
            return current;
        };
        let helper = &self.units[hf].facts;
        let def = &helper.functions[idx];
        let Some(param) = def.params.get(pass.arg) else {
            return current;
        };
        let ctx = Ctx::new(hf, Some(table), memo);
        for c in &helper.param_clauses {
            if c.scope != def.span || c.param != *param {
                continue;
            }
            let added = match &c.where_ {
                Where::Absent => continue,
                Where::Unreadable => Pred::Unknown {
                    why: format!("a `where` in `{}` drizzle-guard cannot read", def.name),
                    mentions: vec![],
                    cannot_filter: CannotFilter::NOTHING,
                },
                Where::Condition(p) => self.resolve_pred(p, &ctx),
            };
            current = Some(if c.conditional {
                Pred::Or(vec![current.unwrap_or(Pred::Undefined), added])
            } else {
                added
            });
        }
        current
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
