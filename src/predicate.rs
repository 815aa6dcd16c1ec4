//! The resolved predicate algebra and `guarantees`: does every row a predicate lets through
//! satisfy a test? Answers are Proven, Missing or Unverifiable.

use crate::facts::Name;
use crate::ids::TableId;

/// One use of a table in a query: the table itself, or an `alias(T, 'name')` of it. A self-join
/// through an alias reads other rows, so each instance needs its own guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableRef {
    pub id: TableId,
    /// The alias's SQL name; `None` for the table itself.
    pub alias: Option<Name>,
}

impl From<TableId> for TableRef {
    fn from(id: TableId) -> Self {
        TableRef { id, alias: None }
    }
}

/// A column of a schema table (or of an alias of it), by its TypeScript key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col {
    pub table: TableRef,
    pub key: Name,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Opnd {
    Col(Col),
    /// A value, and where it starts in the query's own file (see [`crate::facts::ValueAt`]):
    /// `None` for a value of an inlined helper or one not written in the file.
    Value(Option<crate::facts::ValueAt>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Eq(Opnd, Opnd),
    /// `inArray(col, values)`: where the values start, as for [`Opnd::Value`].
    InArray(Col, Option<crate::facts::ValueAt>),
    IsNull(Col),
    IsNotNull(Col),
    /// Constrains these columns without proving equality.
    Other(Vec<Col>),
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    Undefined,
    /// No row passes it (`sql`false``): a branch with it returns nothing, and proves whatever
    /// is asked of it.
    False,
    Unknown {
        why: String,
        mentions: Vec<Col>,
        /// A raw `sql` fragment that interpolates no tenant column and names none: whatever
        /// it does, it cannot filter by tenant.
        tenant_free: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Proven,
    Missing,
    /// Could not be decided; the reason names what drizzle-guard could not see into.
    Unverifiable(String),
}

impl Pred {
    pub fn and(parts: Vec<Pred>) -> Pred {
        match parts.len() {
            1 => parts.into_iter().next().unwrap_or(Pred::Undefined),
            _ => Pred::And(parts),
        }
    }

    /// The parts that must all hold: the arguments of nested `and(..)`s, or the predicate itself.
    pub fn conjuncts(&self) -> Vec<&Pred> {
        conjuncts_of(std::slice::from_ref(&self))
    }

    /// Every row passing `self` has one of `cols` of `table` equal to a value (`eq` or `inArray`),
    /// directly or through column equalities (`eq(a.org, b.org)` with `b.org` bound).
    pub fn guarantees_equality(&self, table: &TableRef, cols: &[String]) -> Verdict {
        all_guarantee_equality(std::slice::from_ref(&self), table, cols)
    }

    /// Every row passing `self` is one of a bounded set: each table's rows are pinned by a
    /// unique key (`keys`, each a column set) whose columns all equal a value, an `inArray`
    /// list, or a column of a table already pinned. A table pinned to one row pins all of its
    /// columns, which carries the bound across many-to-one join conditions.
    pub fn pins_rows(&self, tables: &[(TableRef, &[Vec<String>])]) -> Verdict {
        all_pin_rows(std::slice::from_ref(&self), tables)
    }

    /// Whether the condition is no condition at all (`undefined`, `sql`true``, `and()` of
    /// such): every row passes.
    pub fn is_empty(&self) -> bool {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || match self {
            Pred::Undefined => true,
            Pred::And(ps) | Pred::Or(ps) => ps.iter().all(Pred::is_empty),
            _ => false,
        })
    }

    /// Whether some path leaves no condition at all (`flag && eq(..)`, `c ? eq(..) : undefined`,
    /// an array of optional conditions spread into `and(..)`): then every row passes.
    pub fn may_be_empty(&self) -> bool {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || match self {
            Pred::Undefined => true,
            Pred::And(ps) => ps.iter().all(Pred::may_be_empty),
            Pred::Or(ps) => ps.iter().any(Pred::may_be_empty),
            _ => false,
        })
    }

    /// Whether the predicate mentions any of `cols` of `table` anywhere (an explicit choice).
    /// `Unverifiable` when it does not, but contains something opaque that might.
    pub fn mentions(&self, table: &TableRef, cols: &[String]) -> Verdict {
        any_mentions(std::slice::from_ref(&self), table, cols)
    }
}

/// The conjunction of `parts` (a query's `where` and join conditions, borrowed rather than
/// copied into one `and(..)`; no parts is no condition): [`Pred::conjuncts`] of `and(parts)`.
pub fn conjuncts_of<'p>(parts: &[&'p Pred]) -> Vec<&'p Pred> {
    let mut out = vec![];
    let mut stack: Vec<&Pred> = parts.iter().rev().copied().collect();
    while let Some(p) = stack.pop() {
        match p {
            Pred::And(ps) => stack.extend(ps.iter().rev()),
            other => out.push(other),
        }
    }
    out
}

/// [`Pred::guarantees_equality`] of `and(parts)`.
pub fn all_guarantee_equality(parts: &[&Pred], table: &TableRef, cols: &[String]) -> Verdict {
    guarantee(parts, table, cols, false)
}

/// [`all_guarantee_equality`], where a branch may also keep one of `cols` null
/// (`isNull(T.teamId)`): rows that no tenant owns, not another tenant's.
pub fn all_guarantee_equality_or_null(
    parts: &[&Pred],
    table: &TableRef,
    cols: &[String],
) -> Verdict {
    guarantee(parts, table, cols, true)
}

fn guarantee(parts: &[&Pred], table: &TableRef, cols: &[String], null: bool) -> Verdict {
    let is_tenant = |c: &Col| &c.table == table && cols.iter().any(|k| **k == *c.key);
    every_branch(parts, true, |branch| {
        // Most branches bind the column directly; the closure over column equalities is only
        // needed when they do not and the branch has such an equality.
        let mut links = false;
        for atom in branch {
            if null && matches!(atom, Pred::IsNull(c) if is_tenant(c)) {
                return true;
            }
            match bound_col(atom) {
                Some(c) if is_tenant(c) => return true,
                Some(_) => {}
                None => links |= matches!(atom, Pred::Eq(Opnd::Col(_), Opnd::Col(_))),
            }
        }
        links && Bindings::of(branch).bound.iter().any(|c| is_tenant(c))
    })
}

/// [`Pred::pins_rows`] of `and(parts)`.
pub fn all_pin_rows(parts: &[&Pred], tables: &[(TableRef, &[Vec<String>])]) -> Verdict {
    every_branch(parts, false, |branch| {
        let mut b = Bindings::of(branch);
        let mut pinned: Vec<TableRef> = vec![];
        loop {
            let before = pinned.len();
            for (table, keys) in tables {
                let is_bound =
                    |k: &String| b.bound.iter().any(|c| &c.table == table && &c.key == k);
                if !pinned.contains(table)
                    && keys
                        .iter()
                        .any(|key| !key.is_empty() && key.iter().all(is_bound))
                {
                    pinned.push(table.clone());
                }
            }
            if pinned.len() == before {
                break;
            }
            b.close(&pinned);
        }
        tables.iter().all(|(t, _)| pinned.contains(t))
    })
}

/// [`Pred::mentions`] of `and(parts)`.
pub fn any_mentions(parts: &[&Pred], table: &TableRef, cols: &[String]) -> Verdict {
    let hit = |c: &Col| &c.table == table && cols.iter().any(|k| **k == *c.key);
    let mut opaque = None;
    let mut stack: Vec<&Pred> = Vec::with_capacity(16);
    stack.extend_from_slice(parts);
    while let Some(p) = stack.pop() {
        match p {
            Pred::Eq(a, b) => {
                for o in [a, b] {
                    if let Opnd::Col(c) = o {
                        if hit(c) {
                            return Verdict::Proven;
                        }
                    }
                }
            }
            Pred::InArray(c, _) | Pred::IsNull(c) | Pred::IsNotNull(c) => {
                if hit(c) {
                    return Verdict::Proven;
                }
            }
            Pred::Other(cs) => {
                if cs.iter().any(hit) {
                    return Verdict::Proven;
                }
            }
            Pred::Unknown { why, mentions, .. } => {
                if mentions.iter().any(hit) {
                    return Verdict::Proven;
                }
                opaque.get_or_insert(why);
            }
            Pred::And(ps) | Pred::Or(ps) => stack.extend(ps.iter()),
            Pred::Not(p) => stack.push(p),
            Pred::Undefined | Pred::False => {}
        }
    }
    match opaque {
        Some(why) => Verdict::Unverifiable(why.clone()),
        None => Verdict::Missing,
    }
}

/// Proven when `holds` is true of every branch of the disjunctive normal form of `and(parts)`,
/// decided compositionally rather than by building that form: the atoms outside every `or`
/// hold in every branch; when they do not prove it, one `or` whose every branch proves it
/// (with those atoms) does. A failing branch with something opaque in it makes the answer
/// Unverifiable instead of Missing. `holds` must be monotone: true of a branch, true of it
/// with more atoms. (Proofs that need atoms of two different `or`s together are not found.)
/// With `tenant`, a raw fragment that cannot filter by tenant (`tenant_free`) is not opaque.
fn every_branch(parts: &[&Pred], tenant: bool, mut holds: impl FnMut(&[&Pred]) -> bool) -> Verdict {
    let mut atoms = Vec::with_capacity(16);
    eval(parts, &mut atoms, tenant, &mut holds)
}

/// [`every_branch`] of `and(parts)` with `atoms` (restored on return) known to hold.
fn eval<'p>(
    parts: &[&'p Pred],
    atoms: &mut Vec<&'p Pred>,
    tenant: bool,
    holds: &mut impl FnMut(&[&Pred]) -> bool,
) -> Verdict {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        let outer = atoms.len();
        let mut ors: Vec<&'p [Pred]> = vec![];
        for p in parts {
            split(p, atoms, &mut ors);
        }
        let verdict = if holds(atoms) || atoms.iter().any(|a| matches!(a, Pred::False)) {
            Verdict::Proven
        } else {
            let mut why = first_why(atoms, tenant).cloned();
            let mut proven = false;
            for branches in &ors {
                match every_or_branch(branches, atoms, tenant, holds) {
                    Verdict::Proven => {
                        proven = true;
                        break;
                    }
                    Verdict::Unverifiable(w) => {
                        why.get_or_insert(w);
                    }
                    Verdict::Missing => {}
                }
            }
            match (proven, why) {
                (true, _) => Verdict::Proven,
                (false, Some(w)) => Verdict::Unverifiable(w),
                (false, None) => Verdict::Missing,
            }
        };
        atoms.truncate(outer);
        verdict
    })
}

/// Whether every branch of `or(branches)` proves it, given `atoms`: Missing when one plainly
/// does not, Unverifiable when the failing ones are opaque.
fn every_or_branch<'p>(
    branches: &'p [Pred],
    atoms: &mut Vec<&'p Pred>,
    tenant: bool,
    holds: &mut impl FnMut(&[&Pred]) -> bool,
) -> Verdict {
    if branches.is_empty() {
        // `or()` with no arguments is no condition.
        return eval(&[], atoms, tenant, holds);
    }
    let mut out = Verdict::Proven;
    for b in branches {
        match eval(&[b], atoms, tenant, holds) {
            Verdict::Proven => {}
            Verdict::Missing => return Verdict::Missing,
            Verdict::Unverifiable(w) => {
                if out == Verdict::Proven {
                    out = Verdict::Unverifiable(w);
                }
            }
        }
    }
    out
}

/// The atoms of `p` outside any `or` into `atoms`, its `or`s (outside any other) into `ors`.
fn split<'p>(p: &'p Pred, atoms: &mut Vec<&'p Pred>, ors: &mut Vec<&'p [Pred]>) {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match p {
        Pred::And(parts) => {
            for p in parts {
                split(p, atoms, ors);
            }
        }
        Pred::Or(parts) => ors.push(parts),
        other => atoms.push(atom(other)),
    })
}

/// Why the first opaque atom of a branch could not be read.
fn first_why<'p>(branch: &[&'p Pred], tenant: bool) -> Option<&'p String> {
    branch.iter().find_map(|a| match a {
        Pred::Unknown {
            tenant_free: true, ..
        } if tenant => None,
        Pred::Unknown { why, .. } => Some(why),
        _ => None,
    })
}

/// The column an atom binds to a value (`eq(col, value)`, `inArray(col, ..)`).
fn bound_col(atom: &Pred) -> Option<&Col> {
    match atom {
        Pred::Eq(Opnd::Col(c), Opnd::Value(_))
        | Pred::Eq(Opnd::Value(_), Opnd::Col(c))
        | Pred::InArray(c, _) => Some(c),
        _ => None,
    }
}

/// An atom of a branch. `not(..)` never proves anything, but what it hides stays opaque.
fn atom(p: &Pred) -> &Pred {
    match p {
        Pred::Not(inner) if contains_unknown(inner) => first_unknown(inner),
        other => other,
    }
}

fn contains_unknown(p: &Pred) -> bool {
    match p {
        Pred::Unknown { .. } => true,
        Pred::And(ps) | Pred::Or(ps) => ps.iter().any(contains_unknown),
        Pred::Not(p) => contains_unknown(p),
        _ => false,
    }
}

fn first_unknown(p: &Pred) -> &Pred {
    match p {
        Pred::And(ps) | Pred::Or(ps) => ps
            .iter()
            .find(|x| contains_unknown(x))
            .map(first_unknown)
            .unwrap_or(p),
        Pred::Not(inner) => first_unknown(inner),
        _ => p,
    }
}

/// A branch's equalities, closed: columns equal to a value (or an `inArray` list) are bound,
/// and binding flows across column-to-column equalities.
struct Bindings<'p> {
    bound: Vec<&'p Col>,
    links: Vec<(&'p Col, &'p Col)>,
}

impl<'p> Bindings<'p> {
    fn of(branch: &[&'p Pred]) -> Self {
        let mut b = Bindings {
            bound: vec![],
            links: vec![],
        };
        for atom in branch {
            match atom {
                Pred::Eq(Opnd::Col(c), Opnd::Value(_))
                | Pred::Eq(Opnd::Value(_), Opnd::Col(c))
                | Pred::InArray(c, _) => b.bound.push(c),
                Pred::Eq(Opnd::Col(a), Opnd::Col(b2)) => b.links.push((a, b2)),
                _ => {}
            }
        }
        b.close(&[]);
        b
    }

    /// Propagates binding across the links; every column of a `pinned` table is bound.
    fn close(&mut self, pinned: &[TableRef]) {
        let mut changed = true;
        while changed {
            changed = false;
            for (a, b) in &self.links {
                let has = |c: &Col| pinned.contains(&c.table) || self.bound.contains(&c);
                let (ha, hb) = (has(a), has(b));
                if ha != hb {
                    self.bound.push(if ha { b } else { a });
                    changed = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
            tenant_free: false,
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
            tenant_free: true,
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
            Pred::Or(vec![eqv(0, "organizationId"), Pred::Undefined])
                .guarantees_equality(t, &org()),
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
            tenant_free: false,
        };
        assert_eq!(sql.mentions(t, &sd), Verdict::Proven);
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
}
