//! Raw statements (`db.execute(sql`..`)` and the dialect variants): the template's text is parsed
//! with `sqlparser` in the dialect of the schema, and each `SELECT` block, `UPDATE` or `DELETE`
//! becomes a linked query with its tables and its `WHERE` in the predicate algebra, so that the
//! query rules read it as they read a Drizzle chain. `${T}` and `${T.col}` interpolations stand
//! for the schema's table and column; every other `${..}` is a bound parameter.
//!
//! Only raw sites get here: a file without one costs a scan of its query list.

use super::model::{LinkedJoin, LinkedQuery, Project};
use super::raw_text::{
    aggregate, error_offset, no_value_here, sql_text, where_of, words, Param, TABLE_MARK,
};
use super::resolve::Memo;
use crate::facts::{
    Dialect, Name, Operand, QueryKind, QuerySite, QueryTarget, RawParam, RawPred, RawStatement,
    TableExpr, Where,
};
use crate::ids::{FileId, TableId};
use crate::predicate::{CannotFilter, Col, Pred, TableRef};
use crate::span::Span;
use sqlparser::ast::{
    Expr, FromTable, GroupByExpr, Ident, LimitClause, ObjectName, Query, Select, SelectItem,
    SetExpr, Statement, TableFactor, TableWithJoins, UpdateTableFromKind,
};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// What a raw statement's text says, for its site and its linked queries.
pub(super) struct RawRead {
    pub(super) site: usize,
    /// The statement's kind; `None` for one the query rules do not check (an insert, DDL).
    pub(super) kind: Option<QueryKind>,
    pub(super) has_limit: bool,
    pub(super) has_offset: bool,
    pub(super) has_order_by: bool,
    pub(super) has_group_by: bool,
    pub(super) group_by: usize,
    pub(super) aggregates_only: bool,
    pub(super) where_: Where,
    pub(super) queries: Vec<LinkedQuery>,
}

impl RawRead {
    /// Writes what the text says into its site. A statement the rules do not check keeps no
    /// linked query, whatever its kind.
    pub(super) fn apply(&self, site: &mut QuerySite) {
        site.kind = self.kind.unwrap_or(QueryKind::Insert);
        site.has_limit = self.has_limit;
        site.has_offset = self.has_offset;
        site.has_order_by = self.has_order_by;
        site.has_group_by = self.has_group_by;
        site.group_by = vec![Operand::Value(None); self.group_by];
        site.aggregates_only = self.aggregates_only;
        site.where_ = self.where_.clone();
    }
}

impl Project {
    /// Every raw statement of the file, read.
    pub(super) fn read_raw_statements(&self, f: FileId) -> Vec<RawRead> {
        let queries = &self.units[f].facts.queries;
        if !queries
            .iter()
            .any(|q| matches!(q.target, QueryTarget::Raw(_)))
        {
            return vec![];
        }
        let memo = Memo::default();
        queries
            .iter()
            .enumerate()
            .filter_map(|(i, q)| match &q.target {
                QueryTarget::Raw(raw) => self.read_raw(f, i, raw, q.target_span, &memo),
                _ => None,
            })
            .collect()
    }

    fn read_raw<'a>(
        &'a self,
        f: FileId,
        site: usize,
        raw: &'a RawStatement,
        span: Span,
        memo: &Memo<'a>,
    ) -> Option<RawRead> {
        // The interpolations that name schema tables and columns.
        let params: Vec<Param> = raw
            .params
            .iter()
            .map(|p| match p {
                RawParam::Table(t) => match self.resolve_ref_in(f, t, memo) {
                    Some(r) => Param::Table(r),
                    // `${T.col}` is written like `${schema.T}`: a column when `T` is a table.
                    None => match t {
                        TableExpr::Member(base, key) => self
                            .resolve_ref(f, &TableExpr::Name(base.clone()))
                            .filter(|r| self.table(r.id).column(key).is_some())
                            .map_or(Param::Value, |table| {
                                Param::Column(Col {
                                    table,
                                    key: key.clone(),
                                })
                            }),
                        _ => Param::Value,
                    },
                },
                RawParam::Column(t, key) => self
                    .resolve_ref_in(f, t, memo)
                    .filter(|r| self.table(r.id).column(key).is_some())
                    .map_or(Param::Value, |table| {
                        Param::Column(Col {
                            table,
                            key: key.clone(),
                        })
                    }),
                RawParam::Value => Param::Value,
            })
            .collect();
        let dialect = params
            .iter()
            .find_map(|p| match p {
                Param::Table(t) => Some(self.table(t.id).dialect),
                Param::Column(c) => Some(self.table(c.table.id).dialect),
                Param::Value => None,
            })
            .or_else(|| {
                // The dialect of a table the text names by its SQL name, else the schema's.
                let words = words(&raw.text);
                self.tables
                    .iter()
                    .find(|t| words.iter().any(|w| t.sql_name.eq_ignore_ascii_case(w)))
                    .or(self.tables.first())
                    .map(|t| t.dialect)
            })?;
        // A `${..}` that is a SQL fragment (`${filter}`, `${cond ? sql`..` : sql``}`) makes the
        // text unparsable where it stands: drop the placeholder the parser stops at (or stops
        // right after) and try again, remembering that a fragment nobody can read was there.
        let mut dropped = vec![false; params.len()];
        let mut fragments = false;
        let (text, parsed) = loop {
            let (text, values) = sql_text(&raw.text, &params, &dropped, dialect);
            let parsed = match dialect {
                Dialect::Pg => Parser::parse_sql(&PostgreSqlDialect {}, &text),
                Dialect::Mysql | Dialect::Singlestore => Parser::parse_sql(&MySqlDialect {}, &text),
                Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, &text),
            };
            let at = match &parsed {
                Err(e) => error_offset(&text, &e.to_string()),
                Ok(_) => None,
            };
            let stuck = at.and_then(|at| {
                values
                    .iter()
                    .find(|(lo, hi, _)| {
                        (*lo <= at && at < *hi) || (*hi <= at && text[*hi..at].trim().is_empty())
                    })
                    .map(|v| v.2)
            });
            // The parser may back out of a subquery and stop elsewhere: then drop, once, every
            // placeholder where no value can stand (`= ${id} ${filter}`, `id ${direction}`).
            let runs: Vec<usize> = values
                .iter()
                .filter(|(lo, _, _)| no_value_here(&text[..*lo]))
                .map(|v| v.2)
                .collect();
            match stuck {
                Some(i) if !dropped[i] => dropped[i] = true,
                _ if parsed.is_err() && !runs.is_empty() => {
                    for i in runs {
                        dropped[i] = true;
                    }
                }
                _ => break (text, parsed),
            }
            fragments = true;
        };
        let reader = Reader {
            project: self,
            params: &params,
            span,
            site,
            ctes: vec![],
            fragments,
        };
        let statements = match parsed {
            Ok(s) => s,
            Err(e) => return Some(reader.unparsable(&text, &e.to_string())),
        };
        // Each statement of the text is read; the site takes the clauses of the first one the
        // rules check, and the tables of all of them.
        let mut reader = reader;
        let mut reads = statements.iter().map(|s| {
            reader.ctes.clear();
            reader.statement(s)
        });
        let mut read = reads.next()?;
        for next in reads {
            if read.kind.is_none() && next.kind.is_some() {
                let queries = std::mem::take(&mut read.queries);
                read = RawRead { queries, ..next };
            } else {
                read.queries.extend(next.queries);
            }
        }
        Some(read)
    }
}

/// Reads one parsed statement against the schema.
pub(super) struct Reader<'p> {
    pub(super) project: &'p Project,
    pub(super) params: &'p [Param],
    span: Span,
    site: usize,
    /// The names of the statement's common table expressions, which are no schema tables.
    ctes: Vec<String>,
    /// Interpolated SQL fragments were dropped from the text: every block's condition may have
    /// more to it than can be read.
    fragments: bool,
}

/// A statement's blocks read so far, and the top block's clauses.
struct Blocks {
    queries: Vec<LinkedQuery>,
}

/// Where a joined table's condition comes from.
pub(super) enum On<'a> {
    None,
    /// A join's `ON`.
    Sql(&'a Expr),
    /// A subquery read as a semi-join: its `WHERE`, the `ON`s of its joins, and the `IN`
    /// column with the one column the subquery selects (`x IN (SELECT c ..)`: `x = c`).
    Semi {
        selection: Option<&'a Expr>,
        joins: Vec<&'a sqlparser::ast::Join>,
        equal: Option<(&'a Expr, &'a Expr)>,
        /// The subquery's tables in the block's scope.
        inner: std::ops::Range<usize>,
    },
}

/// The tables of one block in scope for its conditions: the name or alias each is written as.
pub(super) type Scope = Vec<(String, TableRef)>;

impl Reader<'_> {
    fn read(&self, kind: Option<QueryKind>) -> RawRead {
        RawRead {
            site: self.site,
            kind,
            has_limit: false,
            has_offset: false,
            has_order_by: false,
            has_group_by: false,
            group_by: 0,
            aggregates_only: false,
            where_: Where::Absent,
            queries: vec![],
        }
    }

    /// Text the parser rejects: every schema table it names (interpolated, or by its SQL name as
    /// a word of the text) is read with a condition nobody can verify.
    fn unparsable(&self, text: &str, message: &str) -> RawRead {
        let mut read = self.read(Some(QueryKind::Select));
        let mut tables: Vec<TableRef> = self
            .params
            .iter()
            .filter_map(|p| match p {
                Param::Table(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let words: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        for t in &self.project.tables {
            if words.iter().any(|w| *w == t.sql_name.to_ascii_lowercase())
                && !tables.iter().any(|r| r.id == t.id)
            {
                tables.push(TableRef::from(t.id));
            }
        }
        let why = format!("raw SQL that does not parse ({message})");
        let mut tables = tables.into_iter();
        let Some(main) = tables.next() else {
            return read;
        };
        read.where_ = Where::Condition(RawPred::Unknown {
            why: why.clone(),
            mentions: vec![],
            sql: None,
        });
        read.has_limit = true;
        read.queries.push(LinkedQuery {
            site: self.site,
            in_array: None,
            selected: vec![],
            table: main.id,
            alias: main.alias,
            where_: Some(Pred::Unknown {
                why,
                mentions: vec![],
                cannot_filter: CannotFilter::NOTHING,
            }),
            on_paths: false,
            joins: tables
                .map(|t| LinkedJoin {
                    kind: Name::from("innerJoin"),
                    table: t.id,
                    alias: t.alias,
                    on: None,
                    span: self.span,
                })
                .collect(),
            with: vec![],
            group_by: vec![],
        });
        read
    }

    fn statement(&mut self, s: &Statement) -> RawRead {
        let mut blocks = Blocks { queries: vec![] };
        match s {
            Statement::Query(q) => {
                let mut read = self.read(Some(QueryKind::Select));
                self.query(q, &mut blocks, Some(&mut read));
                read.queries = blocks.queries;
                read
            }
            Statement::Update(u) => {
                let mut read = self.read(Some(QueryKind::Update));
                let mut from = vec![&u.table];
                if let Some(UpdateTableFromKind::BeforeSet(t) | UpdateTableFromKind::AfterSet(t)) =
                    &u.from
                {
                    from.extend(t.iter());
                }
                read.has_limit = u.limit.is_some();
                read.where_ = where_of(u.selection.as_ref());
                // MySQL's `UPDATE t INNER JOIN (..) s ON .. SET ..`: only the rows the join
                // matches change, as if the ON were a WHERE.
                let joined = u.table.joins.iter().any(|j| {
                    use sqlparser::ast::JoinOperator as J;
                    matches!(j.join_operator, J::Join(_) | J::Inner(_))
                });
                if joined && u.selection.is_none() {
                    read.where_ = Where::Condition(RawPred::Unknown {
                        why: "the rows an inner join matches".into(),
                        mentions: vec![],
                        sql: None,
                    });
                }
                self.block(&from, u.selection.as_ref(), &[], &mut blocks);
                read.queries = blocks.queries;
                read
            }
            Statement::Delete(d) => {
                let mut read = self.read(Some(QueryKind::Delete));
                let (FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t)) = &d.from;
                let mut from: Vec<&TableWithJoins> = t.iter().collect();
                if let Some(using) = &d.using {
                    from.extend(using.iter());
                }
                read.has_limit = d.limit.is_some();
                read.where_ = where_of(d.selection.as_ref());
                self.block(&from, d.selection.as_ref(), &[], &mut blocks);
                read.queries = blocks.queries;
                read
            }
            // `INSERT .. SELECT`: the select reads its tables (for the rules, a read whose
            // rows go to a table rather than to the application: no limit needed).
            Statement::Insert(i) => match &i.source {
                Some(q) if !matches!(&*q.body, SetExpr::Values(_)) => {
                    let mut read = self.read(Some(QueryKind::Select));
                    self.query(q, &mut blocks, None);
                    read.has_limit = true;
                    read.queries = blocks.queries;
                    read
                }
                _ => self.read(None),
            },
            // DDL and the rest read no tenant's rows.
            _ => self.read(None),
        }
    }

    /// A query: its common table expressions and each `SELECT` block of its body. `top`: the
    /// statement's own query, whose clauses the site takes.
    fn query(&mut self, q: &Query, blocks: &mut Blocks, top: Option<&mut RawRead>) {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.ctes.push(cte.alias.name.value.to_ascii_lowercase());
            }
            for cte in &with.cte_tables {
                self.query(&cte.query, blocks, None);
            }
        }
        if let Some(read) = top {
            read.has_limit = q.fetch.is_some()
                || match &q.limit_clause {
                    Some(LimitClause::LimitOffset { limit, .. }) => limit.is_some(),
                    Some(LimitClause::OffsetCommaLimit { .. }) => true,
                    None => false,
                };
            read.has_offset = matches!(
                &q.limit_clause,
                Some(LimitClause::LimitOffset {
                    offset: Some(_),
                    ..
                }) | Some(LimitClause::OffsetCommaLimit { .. })
            );
            read.has_order_by = q.order_by.is_some();
            if let SetExpr::Select(s) = &*q.body {
                read.where_ = where_of(s.selection.as_ref());
                if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
                    read.has_group_by = !exprs.is_empty();
                    read.group_by = exprs.len();
                }
                read.aggregates_only = !s.projection.is_empty()
                    && s.projection.iter().all(|item| match item {
                        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                            aggregate(e)
                        }
                        _ => false,
                    });
            }
        }
        self.set_expr(&q.body, blocks);
    }

    fn set_expr(&mut self, body: &SetExpr, blocks: &mut Blocks) {
        match body {
            SetExpr::Select(s) => self.select(s, blocks),
            SetExpr::Query(q) => self.query(q, blocks, None),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, blocks);
                self.set_expr(right, blocks);
            }
            _ => {}
        }
    }

    fn select(&mut self, s: &Select, blocks: &mut Blocks) {
        let from: Vec<&TableWithJoins> = s.from.iter().collect();
        // Derived tables are blocks of their own.
        for t in &from {
            for factor in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
                if let TableFactor::Derived { subquery, .. } = factor {
                    self.query(subquery, blocks, None);
                }
            }
        }
        let group: &[Expr] = match &s.group_by {
            GroupByExpr::Expressions(exprs, _) => exprs,
            _ => &[],
        };
        self.block(&from, s.selection.as_ref(), group, blocks);
    }

    /// One block: the schema tables of `from` (the first is the query's table, the others
    /// joins), its `WHERE` and the columns of its `GROUP BY`.
    fn block(
        &mut self,
        from: &[&TableWithJoins],
        selection: Option<&Expr>,
        group: &[Expr],
        blocks: &mut Blocks,
    ) {
        let mut scope: Scope = vec![];
        // (table, join kind, ON condition)
        let mut tables: Vec<(TableRef, &'static str, On)> = vec![];
        for (n, t) in from.iter().enumerate() {
            let kind = if n == 0 { "innerJoin" } else { "crossJoin" };
            if let Some(r) = self.factor(&t.relation, &mut scope) {
                tables.push((r, kind, On::None));
            }
            for j in &t.joins {
                use sqlparser::ast::{JoinConstraint, JoinOperator as J};
                let (kind, constraint) = match &j.join_operator {
                    J::Left(c) | J::LeftOuter(c) => ("leftJoin", Some(c)),
                    J::Right(c) | J::RightOuter(c) => ("rightJoin", Some(c)),
                    J::FullOuter(c) => ("fullJoin", Some(c)),
                    J::CrossJoin(c) => ("crossJoin", Some(c)),
                    J::Join(c) | J::Inner(c) => ("innerJoin", Some(c)),
                    _ => ("innerJoin", None),
                };
                let on = match constraint {
                    Some(JoinConstraint::On(e)) => Some(e),
                    _ => None,
                };
                if let Some(r) = self.factor(&j.relation, &mut scope) {
                    tables.push((r, kind, on.map_or(On::None, On::Sql)));
                }
            }
        }
        if tables.is_empty() {
            return;
        }
        // Subqueries of the WHERE: one that is a part of its top-level `AND` reads its tables as
        // a semi-join of this block (joined on its own WHERE, read in the joint scope, and on
        // the `IN` column's equality with its one selected column); any other is a block of
        // its own.
        let mut own: Vec<&Query> = vec![];
        let mut semi: Vec<(&Select, Option<&Expr>)> = vec![];
        if let Some(w) = selection {
            super::raw_text::subqueries(w, true, &mut semi, &mut own, 0);
        }
        for (sub, left) in semi {
            let first = tables.len();
            let in_scope = scope.len();
            for t in &sub.from {
                if let Some(r) = self.factor(&t.relation, &mut scope) {
                    tables.push((r, "innerJoin", On::None));
                }
                for j in &t.joins {
                    if let Some(r) = self.factor(&j.relation, &mut scope) {
                        tables.push((r, "innerJoin", On::None));
                    }
                }
            }
            if let Some(t) = tables.get_mut(first) {
                let right = match sub.projection.as_slice() {
                    [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] => {
                        Some(e)
                    }
                    _ => None,
                };
                t.2 = On::Semi {
                    selection: sub.selection.as_ref(),
                    joins: sub.from.iter().flat_map(|f| &f.joins).collect(),
                    equal: left.zip(right),
                    inner: in_scope..scope.len(),
                };
            }
            if let Some(w) = &sub.selection {
                super::raw_text::subqueries(w, false, &mut vec![], &mut own, 0);
            }
        }
        let mut tables = tables.into_iter();
        let Some((main, _, _)) = tables.next() else {
            return;
        };
        let mut where_ = selection.map(|w| self.pred(w, &scope, 0));
        if self.fragments {
            let fragment = Pred::Unknown {
                why: "an interpolated SQL fragment".into(),
                mentions: vec![],
                cannot_filter: CannotFilter::NOTHING,
            };
            where_ = Some(match where_ {
                Some(w) => Pred::And(vec![w, fragment]),
                None => fragment,
            });
        }
        let joins = tables
            .map(|(t, kind, on)| LinkedJoin {
                kind: Name::from(kind),
                table: t.id,
                alias: t.alias,
                on: self.on(on, &scope),
                span: self.span,
            })
            .collect();
        blocks.queries.push(LinkedQuery {
            site: self.site,
            in_array: None,
            selected: vec![],
            table: main.id,
            alias: main.alias,
            where_,
            on_paths: false,
            joins,
            with: vec![],
            // (A grouped expression that is no column leaves the list short: see
            // `unbounded-query`, which then counts the groups as many.)
            group_by: group
                .iter()
                .filter_map(|e| self.column(e, &scope))
                .collect(),
        });
        for q in own {
            self.query(q, blocks, None);
        }
    }

    /// A table factor that names a schema table (by SQL name or interpolation), put in scope.
    fn factor(&self, f: &TableFactor, scope: &mut Scope) -> Option<TableRef> {
        let TableFactor::Table { name, alias, .. } = f else {
            return None;
        };
        let (written, table) = self.table_named(name)?;
        let (as_name, instance) = match alias {
            Some(a) => (
                a.name.value.to_ascii_lowercase(),
                TableRef {
                    id: table,
                    alias: Some(Name::from(a.name.value.as_str())),
                },
            ),
            None => (written, TableRef::from(table)),
        };
        scope.push((as_name, instance.clone()));
        Some(instance)
    }

    /// The schema table an object name stands for: an interpolation, or a table whose SQL name
    /// (and schema, when written) it is. Common table expressions shadow the schema.
    fn table_named(&self, name: &ObjectName) -> Option<(String, TableId)> {
        let parts: Vec<&Ident> = name.0.iter().filter_map(|p| p.as_ident()).collect();
        let last = parts.last()?;
        if let Some(t) = self.interpolated_table(&last.value) {
            return Some((last.value.to_ascii_lowercase(), t.id));
        }
        let lower = last.value.to_ascii_lowercase();
        if parts.len() == 1 && self.ctes.contains(&lower) {
            return None;
        }
        let schema = (parts.len() > 1).then(|| parts[parts.len() - 2].value.as_str());
        let same = |t: &&super::model::Table| {
            if last.quote_style.is_some() {
                t.sql_name == last.value
            } else {
                t.sql_name.eq_ignore_ascii_case(&last.value)
            }
        };
        let t = self
            .project
            .tables
            .iter()
            .filter(same)
            .find(|t| schema.is_none_or(|s| t.db_schema.as_deref().is_none_or(|d| d == s)))?;
        Some((lower, t.id))
    }

    pub(super) fn interpolated_table(&self, ident: &str) -> Option<&TableRef> {
        let i: usize = ident.strip_prefix(TABLE_MARK)?.parse().ok()?;
        match self.params.get(i)? {
            Param::Table(t) => Some(t),
            _ => None,
        }
    }
}
