//! Recognising Drizzle queries in call chains. One table, [`QUERY_METHODS`], lists the methods a
//! query's chain is built around and the form each starts: the fast filter that passes over
//! most chains and the recogniser that reads the rest are both driven by it, so a query form
//! cannot be seen by one and missed by the other.

use super::aggregates::aggregates_only;
use super::ast::{object_prop, unwrap, Offsets};
use super::chain::Seg;
use super::conditions::{operand, pred, table_expr};
use super::frames::Frames;
use super::relational::relational_config;
use super::rows::{insert_values, single_row, target_columns};
use super::scope::Scopes;
use crate::facts::*;
use swc_atoms::Atom;
use swc_common::Spanned;
use swc_ecma_ast::*;

/// The form of query a method starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// `db.query.K.findMany({..})`.
    FindMany,
    /// `db.query.K.findFirst({..})`.
    FindFirst,
    /// `db.select(..).from(T)..`, also `selectDistinct` and `selectDistinctOn`.
    Select,
    /// `db.$count(T, where)`.
    Count,
    /// `db.update(T).set(..)..`.
    Update,
    /// `db.delete(T)..`.
    Delete,
    /// `db.insert(T).values(..)..` or `.select(..)`.
    Insert,
    /// `db.execute(sql`..`)` and the dialect variants `run`, `all`, `get`, `values` with a
    /// `sql` template as their one argument: a raw statement, parsed when linking.
    Raw,
}

/// Every method that starts a query, with its form. A chain that calls none of them is not a
/// query; a chain that calls one is read as that form.
pub(super) const QUERY_METHODS: [(&str, Form); 14] = [
    ("findMany", Form::FindMany),
    ("findFirst", Form::FindFirst),
    ("select", Form::Select),
    ("selectDistinct", Form::Select),
    ("selectDistinctOn", Form::Select),
    ("$count", Form::Count),
    ("update", Form::Update),
    ("delete", Form::Delete),
    ("insert", Form::Insert),
    ("execute", Form::Raw),
    ("run", Form::Raw),
    ("all", Form::Raw),
    ("get", Form::Raw),
    ("values", Form::Raw),
];

/// How many places [`Form::rank`] gives out.
const RANKS: usize = 7;

impl Form {
    /// The kind of query the form makes.
    pub(super) fn kind(self) -> QueryKind {
        match self {
            Form::FindMany => QueryKind::FindMany,
            Form::FindFirst => QueryKind::FindFirst,
            Form::Select => QueryKind::Select,
            Form::Count => QueryKind::Count,
            Form::Update => QueryKind::Update,
            Form::Delete => QueryKind::Delete,
            Form::Insert => QueryKind::Insert,
            // Until the text is parsed when linking, which sets the kind it is.
            Form::Raw => QueryKind::Select,
        }
    }

    /// The order in which the recogniser tries the forms a chain starts: relational queries,
    /// then selects (a chain that calls `select` is read as one, so `db.insert(t).select(..)`,
    /// with no `from`, is no query), `$count`, writes, and raw statements last (`values` is
    /// also an insert's link, `get` a select's).
    fn rank(self) -> usize {
        match self {
            Form::FindMany | Form::FindFirst => 0,
            Form::Select => 1,
            Form::Count => 2,
            Form::Update => 3,
            Form::Delete => 4,
            Form::Insert => 5,
            Form::Raw => 6,
        }
    }
}

/// The form of query `name` starts, when it is one of [`QUERY_METHODS`].
fn query_form(name: &str) -> Option<Form> {
    QUERY_METHODS
        .iter()
        .find(|(method, _)| *method == name)
        .map(|&(_, form)| form)
}

/// The first called link of each form the chain starts, in [`Form::rank`] order; `None` for a
/// chain that starts no query, which is most of them.
fn query_starts(segs: &[Seg<'_>]) -> Option<[Option<(usize, Form)>; RANKS]> {
    let mut first = [None; RANKS];
    let mut any = false;
    for (i, seg) in segs.iter().enumerate() {
        if !seg.is_call() {
            continue;
        }
        if let Some(form) = query_form(&seg.name) {
            let slot = &mut first[form.rank()];
            if slot.is_none() {
                *slot = Some((i, form));
            }
            any = true;
        }
    }
    any.then_some(first)
}

/// What the code around a chain does with it: told to the recogniser by the walk.
#[derive(Clone, Copy, Default)]
pub(super) struct ChainUse<'a> {
    /// The chain is a call's argument.
    pub(super) argument: Option<Argument>,
    /// The chain is stored in a variable (`const q = db.delete(t)`, `q = ..`), not awaited.
    pub(super) stored: bool,
    /// The local the awaited result is bound to (`const row = await ..`, `const [row] = ..`).
    pub(super) result: Option<&'a Atom>,
}

/// Whose argument a chain is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Argument {
    /// A condition operator's (`inArray(col, db.select(..))`, `exists(..)`): a subquery.
    OfOperator,
    /// Any other call's (a helper's, another query's link's).
    OfCall,
}

/// Reads queries with the walk's position and the file's names in scope.
pub(super) struct Recogniser<'a> {
    pub(super) scopes: &'a mut Scopes,
    pub(super) frames: &'a Frames,
    pub(super) at: Offsets,
}

impl Recogniser<'_> {
    /// The Drizzle query `whole` (split into `segs`) is, if any. Which receiver does not
    /// matter: the table argument is resolved against the schema when linking.
    pub(super) fn query_site(
        &mut self,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        let prepared = segs
            .last()
            .is_some_and(|s| s.is_call() && s.name == "prepare");
        for (i, form) in query_starts(segs)?.into_iter().flatten() {
            let site = match form {
                Form::FindMany | Form::FindFirst => self.relational(form, i, whole, segs, how),
                Form::Select => self.select(i, whole, segs, how),
                Form::Count => self.count(i, whole, segs, how),
                Form::Update | Form::Delete | Form::Insert => self.write(form, i, whole, segs, how),
                Form::Raw => self.raw(i, whole, segs, how),
            };
            // A select or `$count` that does not fit is not another form's query either.
            if site.is_some() || matches!(form, Form::Select | Form::Count) {
                return site.map(|mut site| {
                    if prepared {
                        site.runs = site.runs.prepared();
                    }
                    site
                });
            }
        }
        None
    }

    /// `db.query.K.findMany({..})` with `segs[i]` the `findMany`.
    fn relational(
        &mut self,
        form: Form,
        i: usize,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        if i < 2 || segs[i - 2].name != "query" || segs[i - 1].is_call() || segs[i - 2].is_call() {
            return None;
        }
        let key = QueryTarget::QueryKey(segs[i - 1].name.clone());
        let runs = self.runs(how, false, false);
        let mut site = self.site(form.kind(), key, segs[i].name_span, whole, runs, how);
        if let Some(Expr::Object(config)) = segs[i].arg(0).map(unwrap) {
            let conditional = self.frames.conditional;
            relational_config(self.scopes, self.at, conditional, config, &mut site);
        }
        if form == Form::FindFirst {
            site.has_limit = true;
        }
        Some(site)
    }

    /// `db.select(..).from(T)..` with `segs[si]` the `select`.
    fn select(
        &mut self,
        si: usize,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        let fi = segs[si..]
            .iter()
            .position(|s| s.name == "from" && s.is_call())
            .map(|i| i + si)?;
        let table_arg = segs[fi].arg(0)?;
        let table = table_expr(self.scopes, table_arg)?;
        let rest = &segs[fi + 1..];
        let called = |name: &str| rest.iter().any(|s| s.name == name && s.is_call());
        let runs = self.runs(how, called("$dynamic"), called("as"));
        let mut site = self.site(
            QueryKind::Select,
            QueryTarget::Table(table),
            table_arg.span(),
            whole,
            runs,
            how,
        );
        let selection = if segs[si].name == "selectDistinctOn" {
            segs[si].arg(1)
        } else {
            segs[si].arg(0)
        };
        site.aggregates_only = selection.is_some_and(|e| aggregates_only(self.scopes, e));
        if let (Some(Expr::Object(o)), QueryTarget::Table(from)) =
            (selection.map(unwrap), &site.target)
        {
            site.selected = selected(self.scopes, o, from);
        }
        for seg in rest {
            if !seg.is_call() || paging(&mut site, seg) {
                continue;
            }
            match &*seg.name {
                "where" => site.where_ = self.where_arg(seg),
                "groupBy" => {
                    site.has_group_by = true;
                    for a in seg.args.unwrap_or(&[]) {
                        site.group_by.push(operand(self.scopes, &a.expr));
                    }
                }
                name if name.ends_with("Join") || name.ends_with("JoinLateral") => {
                    if let Some(t) = seg.arg(0) {
                        if let Some(table) = table_expr(self.scopes, t) {
                            let on = seg.arg(1).map(|o| pred(self.scopes, o));
                            site.joins.push(JoinFact {
                                kind: seg.name.clone(),
                                table,
                                on,
                                span: self.at.span(t.span()),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        Some(site)
    }

    /// `db.$count(T, where)` with `segs[i]` the `$count`.
    fn count(
        &mut self,
        i: usize,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        let t = segs[i].arg(0)?;
        let table = table_expr(self.scopes, t)?;
        let runs = self.runs(how, has_dynamic(segs), false);
        let mut site = self.site(
            QueryKind::Count,
            QueryTarget::Table(table),
            t.span(),
            whole,
            runs,
            how,
        );
        site.aggregates_only = true;
        if let Some(w) = segs[i].arg(1) {
            site.where_ = Where::Condition(pred(self.scopes, w));
        }
        Some(site)
    }

    /// `update(T).set(..)`, `delete(T)`, `insert(T).values(..)` with `segs[i]` the method.
    fn write(
        &mut self,
        form: Form,
        i: usize,
        whole: &Expr,
        segs: &[Seg<'_>],
        how: ChainUse<'_>,
    ) -> Option<QuerySite> {
        segs[i].object?;
        let t = segs[i].arg(0)?;
        // `update(T)` must be followed by `.set(..)`; `insert(T)` by `.values(..)` or `.select(..)`.
        let rest = &segs[i + 1..];
        let shaped = match form {
            Form::Update => rest.iter().any(|s| s.name == "set"),
            Form::Insert => rest
                .iter()
                .any(|s| s.name == "values" || s.name == "select"),
            _ => segs[i].args.is_some_and(|a| a.len() == 1),
        };
        if !shaped {
            return None;
        }
        let table = table_expr(self.scopes, t)?;
        let runs = self.runs(how, has_dynamic(segs), false);
        let mut site = self.site(
            form.kind(),
            QueryTarget::Table(table),
            t.span(),
            whole,
            runs,
            how,
        );
        for seg in rest {
            if seg.name == "where" && seg.is_call() {
                site.where_ = self.where_arg(seg);
            }
            // MySQL and SQLite: `update(..).set(..).where(..).limit(n)` works in batches.
            site.has_limit |= seg.name == "limit" && seg.is_call();
            site.returning |= seg.name == "returning" && seg.is_call() && form != Form::Insert;
        }
        if form == Form::Insert {
            site.insert = Some(Box::new(self.insert(rest, &mut site)));
        }
        Some(site)
    }

    /// What `insert(T)`'s links `rest` write, and its conflict clause; an upsert's
    /// `where`/`setWhere` becomes the site's `where_`.
    fn insert(&self, rest: &[Seg<'_>], site: &mut QuerySite) -> InsertFacts {
        let mut facts = InsertFacts {
            values: InsertValues::Opaque,
            conflict: None,
        };
        let mut values = None;
        for seg in rest.iter().filter(|s| s.is_call()) {
            let action = match &*seg.name {
                "values" => {
                    if let Some(v) = seg.arg(0) {
                        facts.values = insert_values(self.scopes, v);
                        values = Some(v);
                    }
                    continue;
                }
                "select" => {
                    facts.values = InsertValues::Select;
                    continue;
                }
                "onConflictDoUpdate" => ConflictAction::DoUpdate,
                "onConflictDoNothing" => ConflictAction::DoNothing,
                "onDuplicateKeyUpdate" => ConflictAction::DuplicateKeyUpdate,
                _ => continue,
            };
            let mut conflict = Conflict {
                action,
                target: None,
                set: RowKeys {
                    opaque: true,
                    ..RowKeys::default()
                },
                span: self.at.span(seg.name_span),
            };
            if let Some(Expr::Object(config)) = seg.arg(0).map(unwrap) {
                conflict.target = object_prop(config, "target").and_then(target_columns);
                if let Some(set) = object_prop(config, "set") {
                    conflict.set = single_row(self.scopes, set, &[]);
                }
                // `where` (older Drizzle) and `setWhere` both apply to the existing row;
                // `targetWhere` only picks a partial index.
                let conds: Vec<RawPred> = ["where", "setWhere"]
                    .iter()
                    .filter_map(|k| object_prop(config, k))
                    .map(|w| {
                        // `where: data.id ? <cond> : undefined` when the row's key is
                        // `data.id`: without a key the row cannot conflict.
                        let target = conflict.target.as_deref().unwrap_or_default();
                        let w = values
                            .and_then(|v| super::conflict::guarded_branch(w, v, target))
                            .unwrap_or(w);
                        pred(self.scopes, w)
                    })
                    .collect();
                if action == ConflictAction::DoUpdate {
                    site.where_ = match conds.len() {
                        0 => Where::Absent,
                        1 => {
                            Where::Condition(conds.into_iter().next().unwrap_or(RawPred::Undefined))
                        }
                        _ => Where::Condition(RawPred::And(conds)),
                    };
                }
            }
            facts.conflict = Some(conflict);
        }
        facts
    }

    /// The condition of a `.where(..)` link: unreadable when it has no argument or a spread.
    fn where_arg(&self, seg: &Seg<'_>) -> Where {
        match seg.arg(0) {
            Some(w) => Where::Condition(pred(self.scopes, w)),
            None => Where::Unreadable,
        }
    }

    /// Where a query runs: a subquery when it is a condition operator's argument or
    /// `.as(..)`-ed (`subquery`), on an error path in a `catch` clause, else in its function
    /// (queries inside another query's chain are found once the file is read). `dynamic`: the
    /// chain is made `.$dynamic()`.
    pub(super) fn runs(&self, how: ChainUse<'_>, dynamic: bool, subquery: bool) -> Runs {
        let handling = if dynamic {
            Handling::Dynamic
        } else if how.argument.is_some() {
            Handling::Passed
        } else if how.stored {
            Handling::Stored
        } else {
            Handling::AsWritten
        };
        if subquery || how.argument == Some(Argument::OfOperator) {
            Runs::Subquery(handling)
        } else if self.frames.in_catch() {
            Runs::OnError(handling)
        } else {
            Runs::InFunction(handling)
        }
    }

    pub(super) fn site(
        &self,
        kind: QueryKind,
        target: QueryTarget,
        target_span: swc_common::Span,
        whole: &Expr,
        runs: Runs,
        how: ChainUse<'_>,
    ) -> QuerySite {
        QuerySite {
            kind,
            target,
            target_span: self.at.span(target_span),
            span: self.at.span(whole.span()),
            joins: vec![],
            where_: Where::Absent,
            runs,
            has_limit: false,
            takes_one: false,
            has_offset: false,
            has_order_by: false,
            has_group_by: false,
            group_by: vec![],
            aggregates_only: false,
            with: vec![],
            loops: self.frames.current_loops(),
            function: self.frames.current_function(),
            scope: self.frames.function_span(self.at),
            result: how.result.cloned(),
            result_tests: vec![],
            returning: false,
            selected: vec![],
            insert: None,
            receiver: Receiver::Other,
            prepared: None,
        }
    }
}

/// The keys of a select's shape (`{ id: t.id, reportWorkspaceId: r.workspaceId }`) that name
/// a column of another table than `from`, or a column under another name.
fn selected(s: &Scopes, o: &ObjectLit, from: &TableExpr) -> Vec<(Name, TableExpr, Name)> {
    let mut out = vec![];
    shape(s, o, from, None, 0, &mut out);
    out
}

/// How deep [`selected`] follows nested objects of a select's shape (`{ team: { id: teams.id } }`
/// is `team.id`); deeper keys are not recorded.
const SHAPE_DEPTH: u8 = 4;

fn shape(
    s: &Scopes,
    o: &ObjectLit,
    from: &TableExpr,
    prefix: Option<&str>,
    depth: u8,
    out: &mut Vec<(Name, TableExpr, Name)>,
) {
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        let Some(key) = super::ast::prop_atom(&kv.key) else {
            continue;
        };
        let full: Name = match prefix {
            Some(pre) => format!("{pre}.{key}").into(),
            None => key.clone(),
        };
        match unwrap(&kv.value) {
            Expr::Member(m) => {
                let (Some(col), Some(Base::Table(t))) = (
                    super::ast::member_prop(&m.prop),
                    super::conditions::base_of(s, &m.obj),
                ) else {
                    continue;
                };
                if prefix.is_some() || t != *from || key != col {
                    out.push((full, t, col));
                }
            }
            Expr::Object(inner) if depth < SHAPE_DEPTH => {
                shape(s, inner, from, Some(&full), depth + 1, out);
            }
            _ => {}
        }
    }
}

/// Reads a called link that bounds or orders the rows a select returns, written on its own
/// chain or on a set operation it is the first part of (`union(a, b).limit(20)`): `limit`,
/// `offset`, `orderBy`, and SQLite's `.get()` (better-sqlite3, libsql, D1, bun), which returns
/// the first row. Whether it was one.
pub(super) fn paging(site: &mut QuerySite, seg: &Seg<'_>) -> bool {
    match &*seg.name {
        "limit" | "get" => {
            site.has_limit = true;
            site.takes_one |= &*seg.name == "get"
                || seg
                    .arg(0)
                    .is_some_and(|a| matches!(unwrap(a), Expr::Lit(Lit::Num(n)) if n.value == 1.0));
        }
        "offset" => site.has_offset = true,
        "orderBy" => site.has_order_by = true,
        _ => return false,
    }
    true
}

/// Whether the chain has a `.$dynamic` link (called or not).
fn has_dynamic(segs: &[Seg<'_>]) -> bool {
    segs.iter().any(|s| s.name == "$dynamic")
}

#[cfg(test)]
mod tests;
