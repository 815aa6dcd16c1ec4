//! Unit tests of the query recogniser: what facts each chain form gives.
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
        // A prepared statement runs where it is executed: each run is a query where it runs.
        (
            "const s = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare('s'); await s.execute({ id });",
            vec![Runs::InFunction(Prepared), Runs::InFunction(AsWritten)],
        ),
        (
            "const s = db.query.users.findFirst().prepare('s'); for (const id of ids) await s.execute({ id });",
            vec![Runs::InFunction(Prepared), Runs::InFunction(AsWritten)],
        ),
        // Executed in place: the chain runs as written.
        ("await db.select().from(users).prepare('s').execute();", vec![Runs::InFunction(AsWritten)]),
    ];
    for (body, want) in cases {
        let runs: Vec<Runs> = facts(body).queries.iter().map(|q| q.runs).collect();
        assert_eq!(runs, want, "{body}");
    }
    // What the rules ask of each.
    assert!(Runs::InFunction(Stored).may_gain_clauses() && !Runs::InFunction(Stored).is_embedded());
    assert!(
        Runs::InFunction(Dynamic).may_gain_clauses() && Runs::InFunction(Dynamic).is_embedded()
    );
    assert!(!Runs::InFunction(Passed).may_gain_clauses() && Runs::InFunction(Passed).is_embedded());
    assert!(Runs::Subquery(Stored).is_embedded() && !Runs::Subquery(Stored).is_own_work());
    assert!(!Runs::InQuery(AsWritten).is_embedded() && !Runs::InQuery(AsWritten).is_own_work());
    assert!(!Runs::OnError(AsWritten).is_own_work() && Runs::InFunction(Passed).is_own_work());
    let statement = Runs::InFunction(Prepared);
    assert!(!statement.is_own_work() && !statement.is_embedded() && !statement.may_gain_clauses());
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
