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
        /// What a raw `sql` fragment cannot filter by, whatever it does: it interpolates no
        /// such column and its text names none.
        cannot_filter: CannotFilter,
    },
}

/// What a raw `sql` fragment provably cannot filter rows by (see [`Pred::Unknown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CannotFilter {
    /// It interpolates no tenant column and names none.
    pub tenant: bool,
    /// It interpolates no soft-delete column and names none.
    pub deleted: bool,
}

impl CannotFilter {
    /// Anything not a raw fragment read whole: it may filter by anything.
    pub const NOTHING: CannotFilter = CannotFilter {
        tenant: false,
        deleted: false,
    };
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

    /// Whether the predicate mentions any of `cols` (soft-delete columns) of `table` anywhere
    /// (an explicit choice). `Unverifiable` when it does not, but contains something opaque
    /// that might.
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
            // `cond ? inArray(T.id, ids) : sql`false``: the rows are the one branch's, or none.
            Pred::Or(ps) if ps.iter().filter(|b| !matches!(b, Pred::False)).count() == 1 => {
                stack.extend(ps.iter().filter(|b| !matches!(b, Pred::False)));
            }
            other => out.push(other),
        }
    }
    out
}

/// [`Pred::guarantees_equality`] of `and(parts)`.
pub fn all_guarantee_equality(parts: &[&Pred], table: &TableRef, cols: &[String]) -> Verdict {
    guarantee(parts, table, cols, &[])
}

/// [`all_guarantee_equality`], where a branch may also keep one of `null` null
/// (`isNull(T.teamId)`): rows that no tenant owns, not another tenant's (see
/// [`crate::link::Table::tenant_null`]).
pub fn all_guarantee_equality_or_null(
    parts: &[&Pred],
    table: &TableRef,
    cols: &[String],
    null: &[String],
) -> Verdict {
    guarantee(parts, table, cols, null)
}

fn guarantee(parts: &[&Pred], table: &TableRef, cols: &[String], null: &[String]) -> Verdict {
    let is_tenant = |c: &Col| &c.table == table && cols.iter().any(|k| **k == *c.key);
    every_branch(parts, true, |branch| {
        // Most branches bind the column directly; the closure over column equalities is only
        // needed when they do not and the branch has such an equality.
        let mut links = false;
        for atom in branch {
            if matches!(atom, Pred::IsNull(c) if &c.table == table && null.iter().any(|k| **k == *c.key))
            {
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

/// [`Pred::mentions`] of `and(parts)`. `cols` are soft-delete columns: a raw fragment that
/// names none (`cannot_filter.deleted`) is not opaque, it cannot be the choice.
pub fn any_mentions(parts: &[&Pred], table: &TableRef, cols: &[String]) -> Verdict {
    let hit = |c: &Col| &c.table == table && cols.iter().any(|k| **k == *c.key);
    let mut opaque = false;
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
            Pred::Unknown {
                mentions,
                cannot_filter,
                ..
            } => {
                if mentions.iter().any(hit) {
                    return Verdict::Proven;
                }
                // A raw fragment that names no soft-delete column cannot be the choice.
                opaque |= !cannot_filter.deleted;
            }
            Pred::And(ps) | Pred::Or(ps) => stack.extend(ps.iter()),
            Pred::Not(p) => stack.push(p),
            Pred::Undefined | Pred::False => {}
        }
    }
    if !opaque {
        return Verdict::Missing;
    }
    // Something opaque on every path may be the choice; a path around it (another branch of
    // an `or`, a condition pushed only sometimes) makes none.
    match parts.iter().find_map(|p| opaque_on_every_path(p)) {
        Some(why) => Verdict::Unverifiable(why.clone()),
        None => Verdict::Missing,
    }
}

/// The verdict for several paths together, given each one's: Missing when one is, else
/// Unverifiable when one is, else Proven.
pub fn on_every_path(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut out = Verdict::Proven;
    for v in verdicts {
        match v {
            Verdict::Missing => return Verdict::Missing,
            Verdict::Unverifiable(_) if out == Verdict::Proven => out = v,
            _ => {}
        }
    }
    out
}

/// Why something opaque that could filter deleted rows is in every branch of `p`, if it is.
fn opaque_on_every_path(p: &Pred) -> Option<&String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match p {
        Pred::Unknown {
            why, cannot_filter, ..
        } if !cannot_filter.deleted => Some(why),
        Pred::And(ps) => ps.iter().find_map(opaque_on_every_path),
        Pred::Or(ps) => {
            let mut first = None;
            for q in ps {
                first.get_or_insert(opaque_on_every_path(q)?);
            }
            first
        }
        Pred::Not(p) => opaque_on_every_path(p),
        _ => None,
    })
}

/// Proven when `holds` is true of every branch of the disjunctive normal form of `and(parts)`,
/// decided compositionally rather than by building that form: the atoms outside every `or`
/// hold in every branch; when they do not prove it, one `or` whose every branch proves it
/// (with those atoms) does. A failing branch with something opaque in it makes the answer
/// Unverifiable instead of Missing. `holds` must be monotone: true of a branch, true of it
/// with more atoms. (Proofs that need atoms of two different `or`s together are not found.)
/// With `tenant`, a raw fragment that cannot filter by tenant (`cannot_filter.tenant`) is not
/// opaque.
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
        Pred::Unknown { cannot_filter, .. } if tenant && cannot_filter.tenant => None,
        Pred::Unknown { why, .. } => Some(why),
        _ => None,
    })
}

/// The column an atom binds to a value (`eq(col, value)`, `inArray(col, ..)`).
pub fn bound_col(atom: &Pred) -> Option<&Col> {
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
                Pred::Eq(Opnd::Col(a), Opnd::Col(b2)) => b.links.push((a, b2)),
                a => b.bound.extend(bound_col(a)),
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
mod tests;
