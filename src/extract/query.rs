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
        for (i, form) in query_starts(segs)?.into_iter().flatten() {
            let site = match form {
                Form::FindMany | Form::FindFirst => self.relational(form, i, whole, segs, how),
                // A select or `$count` that does not fit is not another form's query either.
                Form::Select => return self.select(i, whole, segs, how),
                Form::Count => return self.count(i, whole, segs, how),
                Form::Update | Form::Delete | Form::Insert => self.write(form, i, whole, segs, how),
                Form::Raw => self.raw(i, whole, segs, how),
            };
            if site.is_some() {
                return site;
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
        for seg in rest {
            if !seg.is_call() {
                continue;
            }
            match &*seg.name {
                "where" => site.where_ = self.where_arg(seg),
                // SQLite's `.get()` (better-sqlite3, libsql, D1, bun) returns the first row.
                "limit" | "get" => site.has_limit = true,
                "offset" => site.has_offset = true,
                "orderBy" => site.has_order_by = true,
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
        for seg in rest.iter().filter(|s| s.is_call()) {
            let action = match &*seg.name {
                "values" => {
                    if let Some(v) = seg.arg(0) {
                        facts.values = insert_values(self.scopes, v);
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
                    .map(|w| pred(self.scopes, w))
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
            insert: None,
        }
    }
}

/// Whether the chain has a `.$dynamic` link (called or not).
fn has_dynamic(segs: &[Seg<'_>]) -> bool {
    segs.iter().any(|s| s.name == "$dynamic")
}

#[cfg(test)]
mod tests {
    use super::{query_form, Form, QUERY_METHODS};
    use crate::facts::{FileFacts, Handling, QueryKind, Runs, Where};

    fn facts(body: &str) -> FileFacts {
        let src = format!("export async function f(ids: string[]) {{\n{body}\n}}\n");
        crate::parse::parse_and_extract(std::path::Path::new("x.ts"), &src).facts
    }

    #[test]
    fn aggregate_sql_templates() {
        assert!(super::super::aggregates::sql_aggregate("count(*)"));
        assert!(super::super::aggregates::sql_aggregate(
            "cast(coalesce(sum( * ), 0) as signed)"
        ));
        assert!(!super::super::aggregates::sql_aggregate(
            "lower() like lower()"
        ));
        assert!(!super::super::aggregates::sql_aggregate("admin()"));
        assert!(!super::super::aggregates::sql_aggregate(
            "row_number() over (partition by )"
        ));
        assert!(!super::super::aggregates::sql_aggregate(
            "sum() over (order by )"
        ));
    }

    /// A chain of the smallest shape each form accepts, starting with `method`.
    fn example(method: &str, form: Form) -> String {
        let chain = match form {
            Form::FindMany | Form::FindFirst => format!("db.query.users.{method}({{}})"),
            Form::Select => format!("db.{method}().from(users)"),
            Form::Count => format!("db.{method}(users)"),
            Form::Update => format!("db.{method}(users).set({{ name: 'x' }})"),
            Form::Delete => format!("db.{method}(users)"),
            Form::Insert => format!("db.{method}(users).values({{ name: 'x' }})"),
            Form::Raw => format!("db.{method}(sql`select * from ${{users}}`)"),
        };
        format!("export async function f() {{\n  return await {chain};\n}}\n")
    }

    /// The sync point between the table and the recogniser: every method the fast filter
    /// lets through is read as a query of its form's kind.
    #[test]
    fn every_query_method_is_recognised() {
        for (method, form) in QUERY_METHODS {
            assert_eq!(query_form(method), Some(form), "{method}");
            let src = example(method, form);
            let facts = crate::parse::parse_and_extract(std::path::Path::new("x.ts"), &src).facts;
            let kinds: Vec<QueryKind> = facts.queries.iter().map(|q| q.kind).collect();
            assert_eq!(kinds, vec![form.kind()], "`{method}` in {src}");
        }
    }

    #[test]
    fn methods_outside_the_table_start_no_query() {
        for method in [
            "from",
            "where",
            "findUnique",
            "count",
            "upsert",
            "query",
            "raw",
        ] {
            assert_eq!(query_form(method), None, "{method}");
        }
        let src = "export async function f() {\n  await pool.query('select 1');\n  await client.execute('select 1');\n  await knex.raw('select 1');\n  await stmt.get();\n  await db.from(users);\n}\n";
        let facts = crate::parse::parse_and_extract(std::path::Path::new("x.ts"), src).facts;
        assert!(facts.queries.is_empty(), "{:?}", facts.queries);
    }

    /// Each way the code around a chain can treat it, and where the query then runs.
    #[test]
    fn where_a_query_runs() {
        use Handling::*;
        let cases = [
            ("await db.select().from(users);", vec![Runs::InFunction(AsWritten)]),
            ("const q = db.select().from(users);", vec![Runs::InFunction(Stored)]),
            ("let q; q = db.delete(users);", vec![Runs::InFunction(Stored)]),
            ("const [row] = await db.select().from(users);", vec![Runs::InFunction(AsWritten)]),
            ("const q = db.select().from(users).$dynamic();", vec![Runs::InFunction(Dynamic)]),
            ("db.update(users).set({ a: 1 }).$dynamic();", vec![Runs::InFunction(Dynamic)]),
            ("await load(db.select().from(users));", vec![Runs::InFunction(Passed)]),
            (
                "await db.select().from(users).where(inArray(users.id, db.select({ id: posts.id }).from(posts)));",
                vec![Runs::InFunction(AsWritten), Runs::Subquery(Passed)],
            ),
            ("const sq = db.select().from(users).as('sq');", vec![Runs::Subquery(Stored)]),
            // A builder kept in a local and placed in another query runs as its subquery.
            (
                "const sub = db.select().from(users); await db.select().from(posts).where(exists(sub));",
                vec![Runs::Subquery(Stored), Runs::InFunction(AsWritten)],
            ),
            (
                "const sub = db.select().from(users); await db.select().from(posts).where(sql`exists (${sub})`);",
                vec![Runs::Subquery(Stored), Runs::InFunction(AsWritten)],
            ),
            // Passed to a call that is no condition operator: not known to be a subquery.
            (
                "const sub = db.select().from(users); await run(sub);",
                vec![Runs::InFunction(Stored)],
            ),
            (
                "await db.update(posts).set({ a: db.select().from(users).limit(1) });",
                vec![Runs::InFunction(AsWritten), Runs::InQuery(AsWritten)],
            ),
            (
                "await db.insert(posts).values(rows).onConflictDoUpdate(db.select().from(users));",
                vec![Runs::InFunction(AsWritten), Runs::InQuery(Passed)],
            ),
            (
                "try { await run(); } catch { await db.delete(users); const q = db.delete(posts); }",
                vec![Runs::OnError(AsWritten), Runs::OnError(Stored)],
            ),
        ];
        for (body, want) in cases {
            let runs: Vec<Runs> = facts(body).queries.iter().map(|q| q.runs).collect();
            assert_eq!(runs, want, "{body}");
        }
        // What the rules ask of each.
        assert!(
            Runs::InFunction(Stored).may_gain_clauses() && !Runs::InFunction(Stored).is_embedded()
        );
        assert!(
            Runs::InFunction(Dynamic).may_gain_clauses() && Runs::InFunction(Dynamic).is_embedded()
        );
        assert!(
            !Runs::InFunction(Passed).may_gain_clauses() && Runs::InFunction(Passed).is_embedded()
        );
        assert!(Runs::Subquery(Stored).is_embedded() && !Runs::Subquery(Stored).is_own_work());
        assert!(!Runs::InQuery(AsWritten).is_embedded() && !Runs::InQuery(AsWritten).is_own_work());
        assert!(!Runs::OnError(AsWritten).is_own_work() && Runs::InFunction(Passed).is_own_work());
    }

    /// What an insert writes and its conflict clause, as the write rules read them.
    #[test]
    fn inserts_record_their_rows_and_conflict() {
        use crate::facts::{ConflictAction, InsertValues};
        let keys = |body: &str| -> Vec<(Vec<String>, bool)> {
            let found = facts(body);
            match &found.queries[0].insert.as_ref().expect("an insert").values {
                InsertValues::Rows(rows) => rows
                    .iter()
                    .map(|r| (r.keys.iter().map(|k| k.to_string()).collect(), r.opaque))
                    .collect(),
                other => panic!("{body}: {other:?}"),
            }
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            keys("await db.insert(t).values({ a: 1, b });"),
            vec![(s(&["a", "b"]), false)]
        );
        assert_eq!(
            keys("await db.insert(t).values([{ a: 1 }, { ...input }]);"),
            vec![(s(&["a"]), false), (s(&[]), true)]
        );
        assert_eq!(
            keys("const base = { a: 1, n: 2 }; await db.insert(t).values(ids.map((id) => ({ ...base, id })));"),
            vec![(s(&["a", "n", "id"]), false)]
        );
        let opaque = facts("await db.insert(t).values(rows);");
        assert_eq!(
            opaque.queries[0].insert.as_ref().map(|i| &i.values),
            Some(&InsertValues::Opaque)
        );
        let up = facts("await db.insert(t).values({ id: newId('x'), a }).onConflictDoUpdate({ target: [t.id, t.a], set: { a }, setWhere: eq(t.org, o) });");
        let site = &up.queries[0];
        let ins = site.insert.as_ref().expect("an insert");
        let c = ins.conflict.as_ref().expect("a conflict clause");
        assert_eq!(c.action, ConflictAction::DoUpdate);
        assert_eq!(c.target.as_ref().map(|t| t.len()), Some(2));
        assert!(matches!(site.where_, Where::Condition(_)));
        match &ins.values {
            InsertValues::Rows(r) => assert_eq!(r[0].fixed.len(), 1),
            other => panic!("{other:?}"),
        }
        let nothing = facts("await db.insert(t).values({ a }).onConflictDoNothing();");
        let c = nothing.queries[0]
            .insert
            .as_ref()
            .and_then(|i| i.conflict.as_ref());
        assert_eq!(c.map(|c| c.action), Some(ConflictAction::DoNothing));
    }

    #[test]
    fn a_where_is_absent_unreadable_or_a_condition() {
        let cases = [
            ("await db.delete(users);", "absent"),
            ("await db.delete(users).where(...parts);", "unreadable"),
            ("await db.delete(users).where();", "unreadable"),
            (
                "await db.delete(users).where(eq(users.id, '1'));",
                "condition",
            ),
            // The last `.where(..)` is the one read.
            (
                "await db.delete(users).where(eq(users.id, '1')).where(...parts);",
                "unreadable",
            ),
            (
                "await db.select().from(users).where(...parts);",
                "unreadable",
            ),
            ("await db.$count(users, eq(users.id, '1'));", "condition"),
            // `$count` with a spread is read as no condition at all.
            ("await db.$count(users, ...parts);", "absent"),
            (
                "await db.query.users.findMany({ where: { id: '1' } });",
                "condition",
            ),
        ];
        for (body, want) in cases {
            let found = facts(body);
            let got = match &found.queries[..] {
                [q] => match q.where_ {
                    Where::Absent => "absent",
                    Where::Unreadable => "unreadable",
                    Where::Condition(_) => "condition",
                },
                other => panic!("{body}: {} queries", other.len()),
            };
            assert_eq!(got, want, "{body}");
        }
    }
}
