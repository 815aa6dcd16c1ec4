//! Unit tests of the predicate algebra.

use super::*;

fn col(t: usize, k: &str) -> Col {
    Col {
        table: TableId(t).into(),
        key: k.into(),
    }
}
fn eqv(t: usize, k: &str) -> Pred {
    Pred::Eq(Opnd::Col(col(t, k)), Opnd::Value(None))
}
fn unknown() -> Pred {
    Pred::Unknown {
        why: "x".into(),
        mentions: vec![],
        cannot_filter: CannotFilter::NOTHING,
    }
}
const ORG: &[&str] = &["organizationId"];
fn org() -> Vec<String> {
    ORG.iter().map(|s| s.to_string()).collect()
}

#[test]
fn and_needs_one_part_or_needs_every_branch() {
    let t = &TableRef::from(TableId(0));
    assert_eq!(
        Pred::And(vec![eqv(0, "id"), eqv(0, "organizationId")]).guarantees_equality(t, &org()),
        Verdict::Proven
    );
    assert_eq!(
        Pred::Or(vec![eqv(0, "id"), eqv(0, "organizationId")]).guarantees_equality(t, &org()),
        Verdict::Missing
    );
    assert_eq!(
        Pred::Or(vec![
            eqv(0, "organizationId"),
            Pred::InArray(col(0, "organizationId"), None)
        ])
        .guarantees_equality(t, &org()),
        Verdict::Proven
    );
}

#[test]
fn unknown_is_unverifiable_unless_a_conjunct_proves() {
    let t = &TableRef::from(TableId(0));
    assert_eq!(
        Pred::And(vec![unknown(), eqv(0, "id")]).guarantees_equality(t, &org()),
        Verdict::Unverifiable("x".into())
    );
    assert_eq!(
        Pred::And(vec![unknown(), eqv(0, "organizationId")]).guarantees_equality(t, &org()),
        Verdict::Proven
    );
    // A definitely missing branch wins over an opaque one.
    assert_eq!(
        Pred::Or(vec![unknown(), eqv(0, "id")]).guarantees_equality(t, &org()),
        Verdict::Missing
    );
}

#[test]
fn a_raw_fragment_that_cannot_filter_by_tenant_is_missing() {
    let t = &TableRef::from(TableId(0));
    let free = Pred::Unknown {
        why: "sql".into(),
        mentions: vec![],
        cannot_filter: CannotFilter {
            tenant: true,
            deleted: false,
        },
    };
    assert_eq!(
        Pred::And(vec![free.clone(), eqv(0, "id")]).guarantees_equality(t, &org()),
        Verdict::Missing
    );
    // Other questions still see it as opaque.
    assert_eq!(
        free.mentions(t, &["deletedAt".to_string()]),
        Verdict::Unverifiable("sql".into())
    );
}

#[test]
fn many_disjunctions_beside_a_tenant_conjunct_are_decided() {
    let t = &TableRef::from(TableId(0));
    let mut parts: Vec<Pred> = (0..40)
        .map(|_| Pred::Or(vec![eqv(0, "a"), eqv(0, "b"), Pred::Undefined]))
        .collect();
    assert_eq!(
        Pred::And(parts.clone()).guarantees_equality(t, &org()),
        Verdict::Missing
    );
    parts.push(eqv(0, "organizationId"));
    assert_eq!(
        Pred::And(parts.clone()).guarantees_equality(t, &org()),
        Verdict::Proven
    );
    // One disjunction whose every branch proves it, among many that do not.
    parts.pop();
    parts.push(Pred::Or(vec![
        eqv(0, "organizationId"),
        Pred::InArray(col(0, "organizationId"), None),
    ]));
    assert_eq!(
        Pred::And(parts).guarantees_equality(t, &org()),
        Verdict::Proven
    );
}

#[test]
fn not_and_undefined_never_prove() {
    let t = &TableRef::from(TableId(0));
    assert_eq!(
        Pred::Not(Box::new(eqv(0, "organizationId"))).guarantees_equality(t, &org()),
        Verdict::Missing
    );
    assert_eq!(
        Pred::Undefined.guarantees_equality(t, &org()),
        Verdict::Missing
    );
    assert_eq!(
        Pred::Or(vec![eqv(0, "organizationId"), Pred::Undefined]).guarantees_equality(t, &org()),
        Verdict::Missing
    );
}

#[test]
fn equality_flows_through_joined_columns() {
    let link = Pred::Eq(
        Opnd::Col(col(1, "organizationId")),
        Opnd::Col(col(0, "organizationId")),
    );
    let p = Pred::And(vec![link.clone(), eqv(0, "organizationId")]);
    assert_eq!(
        p.guarantees_equality(&TableId(1).into(), &org()),
        Verdict::Proven
    );
    assert_eq!(
        link.guarantees_equality(&TableId(1).into(), &org()),
        Verdict::Missing
    );
}

#[test]
fn rows_are_pinned_by_every_column_of_a_unique_key() {
    let pk = vec![vec!["id".to_string()]];
    let composite = vec![vec!["a".to_string(), "b".to_string()]];
    fn one(keys: &[Vec<String>]) -> Vec<(TableRef, &[Vec<String>])> {
        vec![(TableRef::from(TableId(0)), keys)]
    }
    assert_eq!(eqv(0, "id").pins_rows(&one(&pk)), Verdict::Proven);
    assert_eq!(
        Pred::InArray(col(0, "id"), None).pins_rows(&one(&pk)),
        Verdict::Proven
    );
    assert_eq!(eqv(0, "name").pins_rows(&one(&pk)), Verdict::Missing);
    assert_eq!(eqv(0, "a").pins_rows(&one(&composite)), Verdict::Missing);
    assert_eq!(
        Pred::And(vec![eqv(0, "a"), eqv(0, "b")]).pins_rows(&one(&composite)),
        Verdict::Proven
    );
    assert_eq!(
        Pred::Or(vec![eqv(0, "id"), eqv(0, "name")]).pins_rows(&one(&pk)),
        Verdict::Missing
    );
    assert_eq!(Pred::Undefined.pins_rows(&one(&pk)), Verdict::Missing);
    assert_eq!(
        unknown().pins_rows(&one(&pk)),
        Verdict::Unverifiable("x".into())
    );
}

#[test]
fn a_pinned_row_pins_the_tables_its_columns_point_at() {
    // posts (0) pinned by id; users (1) joined on users.id = posts.authorId.
    let id = vec![vec!["id".to_string()]];
    let keys = vec![
        (TableId(0).into(), id.as_slice()),
        (TableId(1).into(), id.as_slice()),
    ];
    let join = Pred::Eq(Opnd::Col(col(1, "id")), Opnd::Col(col(0, "authorId")));
    assert_eq!(
        Pred::And(vec![join, eqv(0, "id")]).pins_rows(&keys),
        Verdict::Proven
    );
    // users pinned, posts joined by their author: many posts per user.
    let many = Pred::Eq(Opnd::Col(col(0, "authorId")), Opnd::Col(col(1, "id")));
    assert_eq!(
        Pred::And(vec![many, eqv(1, "id")]).pins_rows(&keys),
        Verdict::Missing
    );
}

#[test]
fn an_alias_is_another_instance_of_its_table() {
    let parent = TableRef {
        id: TableId(0),
        alias: Some("parent".into()),
    };
    let own = eqv(0, "organizationId");
    assert_eq!(own.guarantees_equality(&parent, &org()), Verdict::Missing);
    let scoped = Pred::Eq(
        Opnd::Col(Col {
            table: parent.clone(),
            key: "organizationId".into(),
        }),
        Opnd::Col(col(0, "organizationId")),
    );
    assert_eq!(
        Pred::And(vec![own, scoped]).guarantees_equality(&parent, &org()),
        Verdict::Proven
    );
}

#[test]
fn mentions_sees_inside_not_or_and_opaque_sql() {
    let t = &TableRef::from(TableId(0));
    let sd = vec!["deletedAt".to_string()];
    assert_eq!(
        Pred::Or(vec![Pred::IsNull(col(0, "deletedAt")), eqv(0, "id")]).mentions(t, &sd),
        Verdict::Proven
    );
    assert_eq!(
        Pred::Not(Box::new(Pred::IsNotNull(col(0, "deletedAt")))).mentions(t, &sd),
        Verdict::Proven
    );
    assert_eq!(eqv(0, "id").mentions(t, &sd), Verdict::Missing);
    assert_eq!(
        Pred::And(vec![eqv(0, "id"), unknown()]).mentions(t, &sd),
        Verdict::Unverifiable("x".into())
    );
    let sql = Pred::Unknown {
        why: "sql".into(),
        mentions: vec![col(0, "deletedAt")],
        cannot_filter: CannotFilter::NOTHING,
    };
    assert_eq!(sql.mentions(t, &sd), Verdict::Proven);
    // Opaque on one path only: the other path makes no choice.
    assert_eq!(
        Pred::Or(vec![eqv(0, "id"), unknown()]).mentions(t, &sd),
        Verdict::Missing
    );
    assert_eq!(
        Pred::Or(vec![unknown(), Pred::And(vec![eqv(0, "id"), unknown()])]).mentions(t, &sd),
        Verdict::Unverifiable("x".into())
    );
    // A raw fragment that names no soft-delete column is no choice.
    let free = Pred::Unknown {
        why: "sql".into(),
        mentions: vec![col(0, "name")],
        cannot_filter: CannotFilter {
            tenant: false,
            deleted: true,
        },
    };
    assert_eq!(
        Pred::And(vec![eqv(0, "id"), free]).mentions(t, &sd),
        Verdict::Missing
    );
}

#[test]
fn empty_and_maybe_empty_conditions() {
    let maybe = Pred::Or(vec![eqv(0, "id"), Pred::Undefined]);
    assert!(Pred::Undefined.is_empty());
    assert!(Pred::And(vec![]).is_empty());
    assert!(Pred::And(vec![Pred::Undefined, Pred::Undefined]).is_empty());
    assert!(!maybe.is_empty());
    assert!(maybe.may_be_empty());
    assert!(Pred::And(vec![maybe.clone(), maybe.clone()]).may_be_empty());
    assert!(!Pred::And(vec![maybe, eqv(0, "id")]).may_be_empty());
    // Something unreadable is not known to be empty.
    assert!(!unknown().may_be_empty());
    assert!(!Pred::Not(Box::new(Pred::Undefined)).may_be_empty());
}
