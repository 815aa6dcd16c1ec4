//! The resolved predicate algebra and `guarantees`: does every row a predicate lets through
//! satisfy a test? Answers are Proven, Missing or Unverifiable.

use crate::link::TableId;

/// A column of a schema table, by its TypeScript key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col {
    pub table: TableId,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Opnd {
    Col(Col),
    Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Eq(Opnd, Opnd),
    InArray(Col),
    IsNull(Col),
    IsNotNull(Col),
    /// Constrains these columns without proving equality.
    Other(Vec<Col>),
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    Undefined,
    Unknown {
        why: String,
        mentions: Vec<Col>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Proven,
    Missing,
    /// Could not be decided; the reason names what drizzle-guard could not see into.
    Unverifiable(String),
}

/// More branches than this after distributing `or` over `and` is not decided.
const MAX_BRANCHES: usize = 256;

impl Pred {
    pub fn and(parts: Vec<Pred>) -> Pred {
        match parts.len() {
            1 => parts.into_iter().next().unwrap_or(Pred::Undefined),
            _ => Pred::And(parts),
        }
    }

    /// Every row passing `self` has one of `cols` of `table` equal to a value (`eq` or `inArray`),
    /// directly or through column equalities (`eq(a.org, b.org)` with `b.org` bound).
    pub fn guarantees_equality(&self, table: TableId, cols: &[String]) -> Verdict {
        let Some(branches) = dnf(self) else {
            return Verdict::Unverifiable("a condition with too many `or` branches".into());
        };
        let mut unverifiable = None;
        for branch in &branches {
            if branch_binds(branch, table, cols) {
                continue;
            }
            match branch.iter().find_map(|a| match a {
                Pred::Unknown { why, .. } => Some(why.clone()),
                _ => None,
            }) {
                Some(why) => unverifiable = unverifiable.or(Some(why)),
                None => return Verdict::Missing,
            }
        }
        match unverifiable {
            Some(why) => Verdict::Unverifiable(why),
            None => Verdict::Proven,
        }
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
    pub fn mentions(&self, table: TableId, cols: &[String]) -> Verdict {
        let hit = |c: &Col| c.table == table && cols.iter().any(|k| k == &c.key);
        let mut opaque = None;
        let mut stack = vec![self];
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
                Pred::InArray(c) | Pred::IsNull(c) | Pred::IsNotNull(c) => {
                    if hit(c) {
                        return Verdict::Proven;
                    }
                }
                Pred::Other(cs) => {
                    if cs.iter().any(hit) {
                        return Verdict::Proven;
                    }
                }
                Pred::Unknown { why, mentions } => {
                    if mentions.iter().any(hit) {
                        return Verdict::Proven;
                    }
                    opaque.get_or_insert_with(|| why.clone());
                }
                Pred::And(ps) | Pred::Or(ps) => stack.extend(ps.iter()),
                Pred::Not(p) => stack.push(p),
                Pred::Undefined => {}
            }
        }
        match opaque {
            Some(why) => Verdict::Unverifiable(why),
            None => Verdict::Missing,
        }
    }
}

/// Disjunctive normal form: a list of branches, each a list of atoms that all hold.
fn dnf(p: &Pred) -> Option<Vec<Vec<&Pred>>> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match p {
        Pred::And(parts) => {
            let mut acc: Vec<Vec<&Pred>> = vec![vec![]];
            for part in parts {
                let sub = dnf(part)?;
                let mut next = Vec::with_capacity(acc.len() * sub.len());
                for a in &acc {
                    for s in &sub {
                        let mut b = a.clone();
                        b.extend(s.iter().copied());
                        next.push(b);
                    }
                }
                if next.len() > MAX_BRANCHES {
                    return None;
                }
                acc = next;
            }
            Some(acc)
        }
        Pred::Or(parts) => {
            let mut acc = vec![];
            for part in parts {
                acc.extend(dnf(part)?);
                if acc.len() > MAX_BRANCHES {
                    return None;
                }
            }
            if acc.is_empty() {
                // `or()` with no arguments is no condition.
                acc.push(vec![]);
            }
            Some(acc)
        }
        // `not(..)` never proves anything, but what it hides stays opaque.
        Pred::Not(inner) if contains_unknown(inner) => Some(vec![vec![first_unknown(inner)]]),
        other => Some(vec![vec![other]]),
    })
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

/// Closes the branch's equalities: columns equal to a value are bound, and binding flows
/// across column-to-column equalities.
fn branch_binds(branch: &[&Pred], table: TableId, cols: &[String]) -> bool {
    let mut bound: Vec<&Col> = vec![];
    let mut links: Vec<(&Col, &Col)> = vec![];
    for atom in branch {
        match atom {
            Pred::Eq(Opnd::Col(c), Opnd::Value)
            | Pred::Eq(Opnd::Value, Opnd::Col(c))
            | Pred::InArray(c) => bound.push(c),
            Pred::Eq(Opnd::Col(a), Opnd::Col(b)) => links.push((a, b)),
            _ => {}
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (a, b) in &links {
            let (ha, hb) = (bound.contains(a), bound.contains(b));
            if ha != hb {
                bound.push(if ha { b } else { a });
                changed = true;
            }
        }
    }
    bound
        .iter()
        .any(|c| c.table == table && cols.iter().any(|k| k == &c.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(t: usize, k: &str) -> Col {
        Col {
            table: TableId(t),
            key: k.into(),
        }
    }
    fn eqv(t: usize, k: &str) -> Pred {
        Pred::Eq(Opnd::Col(col(t, k)), Opnd::Value)
    }
    fn unknown() -> Pred {
        Pred::Unknown {
            why: "x".into(),
            mentions: vec![],
        }
    }
    const ORG: &[&str] = &["organizationId"];
    fn org() -> Vec<String> {
        ORG.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn and_needs_one_part_or_needs_every_branch() {
        let t = TableId(0);
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
                Pred::InArray(col(0, "organizationId"))
            ])
            .guarantees_equality(t, &org()),
            Verdict::Proven
        );
    }

    #[test]
    fn unknown_is_unverifiable_unless_a_conjunct_proves() {
        let t = TableId(0);
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
    fn not_and_undefined_never_prove() {
        let t = TableId(0);
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
        assert_eq!(p.guarantees_equality(TableId(1), &org()), Verdict::Proven);
        assert_eq!(
            link.guarantees_equality(TableId(1), &org()),
            Verdict::Missing
        );
    }

    #[test]
    fn mentions_sees_inside_not_or_and_opaque_sql() {
        let t = TableId(0);
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
