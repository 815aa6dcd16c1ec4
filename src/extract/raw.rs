//! Raw statements: `db.execute(sql`..`)` and the dialect variants `run`, `all`, `get`, `values`
//! whose one argument is a `sql` template. The text is kept with what each interpolation is; it is
//! parsed when linking, where the schema's dialect and tables are known.

use super::ast::unwrap;
use super::chain::Seg;
use super::conditions::{operand, table_expr};
use super::query::{ChainUse, Recogniser};
use super::scope::Scopes;
use crate::facts::*;
use swc_ecma_ast::*;

impl Recogniser<'_> {
    /// `db.execute(sql`..`)` (or `run`, `all`, `get`, `values`) with `segs[i]` the method: a
    /// method call whose one argument is a `sql` template. A plain string (`client.execute('..')`,
    /// `pool.query(..)`) is another library's query, and `.get()` with no argument SQLite's
    /// one-row getter.
    pub(super) fn raw(
        &mut self,
        i: usize,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        segs[i].object?;
        if segs[i].args.map_or(0, <[_]>::len) != 1 {
            return None;
        }
        let Expr::TaggedTpl(t) = unwrap(segs[i].arg(0)?) else {
            return None;
        };
        if !matches!(unwrap(&t.tag), Expr::Ident(id) if &*id.sym == "sql") {
            return None;
        }
        let statement = raw_statement(self.scopes, &t.tpl);
        let runs = self.runs(how, false, false);
        Some(self.site(
            QueryKind::Select,
            QueryTarget::Raw(Box::new(statement)),
            t.span,
            whole,
            runs,
            how,
        ))
    }
}

/// A `sql` template's text and what each interpolation is: a table (`${T}`), a column
/// (`${T.col}`), or a value.
fn raw_statement(s: &Scopes, tpl: &Tpl) -> RawStatement {
    let text = tpl
        .quasis
        .iter()
        .map(|q| match &q.cooked {
            Some(c) => c.to_string_lossy().into(),
            None => q.raw.as_str().into(),
        })
        .collect();
    let params = tpl
        .exprs
        .iter()
        .map(|e| {
            if let Some(t) = table_expr(s, e) {
                return RawParam::Table(t);
            }
            match operand(s, e) {
                Operand::Member {
                    base: Base::Table(t),
                    key,
                    ..
                } => RawParam::Column(t, key),
                _ => RawParam::Value,
            }
        })
        .collect();
    RawStatement { text, params }
}
