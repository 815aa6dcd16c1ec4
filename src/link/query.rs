//! Query linking: each query site's tables, conditions, joins, relational `with` and
//! `groupBy` columns resolved against the schema model.

use super::inline::Ctx;
use super::model::{LinkedJoin, LinkedQuery, LinkedWith, Project};
use super::resolve::Memo;
use crate::facts::{QueryTarget, WithFact};
use crate::ids::{FileId, TableId};
use crate::predicate::{Opnd, TableRef};

impl Project {
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
            let ctx = Ctx::new(f, Some(table), &memo);
            let where_ = q.where_.condition().map(|w| self.resolve_pred(w, &ctx));
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
            out.push(LinkedQuery {
                site: i,
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
