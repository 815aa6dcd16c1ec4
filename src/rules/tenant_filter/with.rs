//! Relations loaded with `with`: the rows a relation loads are the caller's tenant's when the
//! row that loads them is (a proven parent, tied to them through a foreign key as a join proof
//! would be), when the relation's own `where` filters them by tenant, or when the parent's key
//! names them (`eq(teams.id, teamId)` loads that team's `projects`; the signed-in user's row
//! loads their own rows). A parent no tenant limits (the users, a tenant root found by its
//! slug, a list of every team) loads every tenant's rows.

use super::callers::{from_session, keyed_by_checked, owned_by_session};
use super::checked::Proving;
use super::keys::{keys_of, links_tenant_rows, pairings, related, secret_lookup, unique, Pairing};
use crate::diagnostic::Diagnostic;
use crate::ids::TableId;
use crate::link::{LinkedWith, Project, Table};
use crate::predicate::{
    all_guarantee_equality, all_guarantee_equality_or_null, conjuncts_of, Col, Opnd, Pred,
    TableRef, Verdict,
};
use crate::rule_id::RuleId;
use crate::rules::context::TenantCheck;

/// What is known of the rows of an instance that loads relations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rows {
    /// The caller's tenant's: a proven instance, or a tenant root keyed by its primary key.
    Tenant,
    /// A tenant-scoped instance with no proof: its own finding (or its unverifiable one)
    /// covers what it loads through its foreign keys.
    Reported,
    /// Not limited to a tenant: a table no tenant owns, a tenant root found by another column
    /// or not at all, a link table keyed by an unchecked value.
    Any,
}

/// A relation whose tenant-scoped rows nothing proves.
pub(super) struct UnprovenWith<'q> {
    pub with: &'q LinkedWith,
    /// The table that loads it.
    pub parent: TableId,
    /// The relation ties the loaded rows to the parent's through a foreign key (or tenant
    /// columns); when not, a proven parent proves nothing of them.
    pub tied: bool,
}

/// The relations `p.q` loads with `with` (nested ones too) whose tenant-scoped rows are not
/// proven; `checks` are the query's own verdicts.
pub(super) fn unproven_withs<'q>(p: Proving<'q>, checks: &[TenantCheck]) -> Vec<UnprovenWith<'q>> {
    let q = p.q;
    let mut out = vec![];
    if q.with.is_empty() {
        return out;
    }
    let project = p.ctx.project;
    let site = &project.units[p.file].facts.queries[q.site];
    let t = project.table(q.table);
    let me = q.instance();
    let proven = checks.iter().any(|c| {
        !c.joined
            && c.table == q.table
            && c.span == site.target_span
            && c.verdict == Verdict::Proven
    });
    let all = q.conditions();
    let atoms = conjuncts_of(&all);
    let rows = if proven {
        Rows::Tenant
    } else if t.is_tenant_scoped() {
        Rows::Reported
    } else if root_keyed(p, t, &atoms, &me)
        || (owns_tenant_rows(p, t) && secret_lookup(t, &all, &me))
    {
        Rows::Tenant
    } else {
        Rows::Any
    };
    let mine: Vec<&Pred> = atoms.into_iter().filter(|a| on(a, &me)).collect();
    walk(p, q.table, &mine, rows, &q.with, &mut out);
    out
}

/// The relations `withs` loaded by rows of `parent` (`rows`), whose conditions on the parent
/// are `atoms`.
fn walk<'q>(
    p: Proving<'q>,
    parent: TableId,
    atoms: &[&Pred],
    rows: Rows,
    withs: &'q [LinkedWith],
    out: &mut Vec<UnprovenWith<'q>>,
) {
    let project = p.ctx.project;
    for w in withs {
        let Some(target) = w.target else {
            continue;
        };
        let t = project.table(target);
        let ways = pairings(project, parent, &w.relation, target);
        // Every way Drizzle may pair the relation ties its rows to the parent's (through a
        // link table, as a join through it would).
        let fk = project.fk_joins;
        let tie = |x: TableId, a: &str, y: TableId, b: &str| ties(project, x, a, y, b);
        let tied = ways.iter().all(|s| match s {
            Pairing::Direct(pairs) => pairs.iter().any(|(a, b)| tie(parent, a, target, b)),
            Pairing::Through { .. } => s.through_ties(project, parent, target, fk, &tie),
        });
        // The relation's own conditions are on the table itself; what the parent's key says
        // of the loaded rows is written on an instance of its own when the parent is the
        // query's own table (a relation to itself), so neither is read as the other.
        let plain = TableRef::from(target);
        let me = if plain == p.q.instance() {
            TableRef {
                id: target,
                alias: Some(format!("with {}", w.relation).into()),
            }
        } else {
            plain.clone()
        };
        let own: Vec<&Pred> = w.where_.iter().chain(w.preset_where.iter()).collect();
        let own_atoms = conjuncts_of(&own);
        // Per pairing, the parent's equalities carried to the loaded rows' columns (none
        // across a link table).
        let carried: Vec<Vec<Pred>> = ways
            .iter()
            .map(|s| match s {
                Pairing::Direct(pairs) => carry(atoms, parent, pairs, &me),
                Pairing::Through { .. } => vec![],
            })
            .collect();
        let keyed = |test: &dyn Fn(&[&Pred]) -> bool| {
            !carried.is_empty()
                && carried.iter().all(|c| {
                    let mut all: Vec<&Pred> = c.iter().collect();
                    if me == plain {
                        all.extend(own_atoms.iter().copied());
                    }
                    test(&all)
                })
        };
        let through = if tied { rows } else { Rows::Any };
        let next = if t.is_tenant_scoped() {
            let direct = |parts: &[&Pred], r: &TableRef| {
                let v = all_guarantee_equality_or_null(parts, r, &t.tenant_columns, &t.tenant_null);
                if v != Verdict::Proven && !t.root_refs.is_empty() {
                    let refs = all_guarantee_equality(parts, r, &t.root_refs);
                    if refs == Verdict::Proven {
                        return refs;
                    }
                }
                v
            };
            let mine = direct(&own, &plain);
            // One row of the signed-in user's (a `one` relation) is an arbitrary tenant's.
            let session = w.many;
            if mine == Verdict::Proven
                || through == Rows::Tenant
                || keyed(&|a| {
                    direct(a, &me) == Verdict::Proven
                        || keyed_by_checked(p, &me, a)
                        || (session && owned_by_session(p.ctx, p.file, &me, a))
                })
            {
                Rows::Tenant
            } else {
                if through != Rows::Reported && !matches!(mine, Verdict::Unverifiable(_)) {
                    out.push(UnprovenWith {
                        with: w,
                        parent,
                        tied,
                    });
                }
                Rows::Reported
            }
        } else if owns_tenant_rows(p, t) {
            // A tenant root, or a table no tenant owns whose rows belong to tenant-scoped
            // ones: the parent's tenant's when tied to a proven parent, or keyed so.
            let root = !t.root_of.is_empty();
            if through == Rows::Tenant
                || secret_lookup(t, &own, &plain)
                || (root
                    && (root_keyed(p, t, &own_atoms, &plain)
                        || keyed(&|a| root_keyed(p, t, a, &me))))
                || (!root && keyed(&|a| keyed_by_checked(p, &me, a)))
            {
                Rows::Tenant
            } else if through == Rows::Reported {
                Rows::Reported
            } else {
                Rows::Any
            }
        } else {
            // The users: a proven row's user is any team's member.
            Rows::Any
        };
        if w.with.is_empty() {
            continue;
        }
        let mut below: Vec<&Pred> = own_atoms
            .iter()
            .copied()
            .filter(|a| on(a, &plain))
            .collect();
        for c in &carried {
            below.extend(c.iter().filter(|a| on(a, &me)));
        }
        // The nested relations read the loaded rows' conditions on their own table.
        let below: Vec<Pred> = below.into_iter().map(|a| reref(a, &plain)).collect();
        let below: Vec<&Pred> = below.iter().collect();
        walk(p, target, &below, next, &w.with, out);
    }
}

/// Column `a` of `parent` equal to column `b` of `target` ties each loaded row to a row of the
/// parent's tenant: a foreign key to a one-column unique key either way, two foreign keys to one
/// tenant-scoped parent (as for a join), or a tenant column on each side.
fn ties(project: &Project, parent: TableId, a: &str, target: TableId, b: &str) -> bool {
    related(project, target, b, parent, a)
        || (project.table(parent).is_tenant_column(a) && project.table(target).is_tenant_column(b))
}

/// The equalities (`eq`, `inArray`) among `atoms` on a column of `parent` that `pairs` ties to
/// a column of the loaded table, written on `me`'s column instead: the loaded rows have that
/// value (`eq(teams.id, teamId)` loads `projects` with `projectId`.. `teamId` equal to it).
fn carry(atoms: &[&Pred], parent: TableId, pairs: &[(&str, &str)], me: &TableRef) -> Vec<Pred> {
    let to = |c: &Col| {
        (c.table.id == parent)
            .then(|| pairs.iter().find(|(a, _)| **a == *c.key))
            .flatten()
            .map(|(_, b)| Col {
                table: me.clone(),
                key: (*b).into(),
            })
    };
    atoms
        .iter()
        .filter_map(|a| match a {
            Pred::Eq(Opnd::Col(c), v @ Opnd::Value(_))
            | Pred::Eq(v @ Opnd::Value(_), Opnd::Col(c)) => {
                Some(Pred::Eq(Opnd::Col(to(c)?), v.clone()))
            }
            Pred::InArray(c, v) => Some(Pred::InArray(to(c)?, *v)),
            _ => None,
        })
        .collect()
}

/// An equality (`eq`, `inArray`) on a column of `r`.
fn on(a: &Pred, r: &TableRef) -> bool {
    crate::predicate::bound_col(a).is_some_and(|c| c.table == *r)
}

/// An equality of [`on`], written on the instance `r`.
fn reref(a: &Pred, r: &TableRef) -> Pred {
    let col = |c: &Col| Col {
        table: r.clone(),
        key: c.key.clone(),
    };
    match a {
        Pred::Eq(Opnd::Col(c), v) | Pred::Eq(v, Opnd::Col(c)) => {
            Pred::Eq(Opnd::Col(col(c)), v.clone())
        }
        Pred::InArray(c, v) => Pred::InArray(col(c), *v),
        other => other.clone(),
    }
}

/// `t` is not tenant-scoped but its rows are tenants' own: a tenant root, or (with
/// `tenant.joins: "fk"`) a table whose rows belong to tenant-scoped ones (a link table, a
/// child owned through its parent). The users are neither.
fn owns_tenant_rows(p: Proving<'_>, t: &Table) -> bool {
    !t.is_tenant_scoped()
        && (!t.root_of.is_empty()
            || (p.ctx.project.fk_joins && links_tenant_rows(p.ctx.project, t)))
}

/// A tenant root (not tenant-scoped itself) whose rows `atoms` key on `me`: equality on its
/// primary key (a root's tenant filter, as `eq(projects.teamId, teamId)` is its children's),
/// or on a one-column unique key with a value of the session (`eq(workspaces.orgId,
/// ctx.tenant.id)`, also through a parameter every caller fills with one) or a checked
/// row's.
fn root_keyed(p: Proving<'_>, t: &Table, atoms: &[&Pred], me: &TableRef) -> bool {
    if t.is_tenant_scoped() || t.root_of.is_empty() {
        return false;
    }
    let pk = t.primary_key_columns();
    let facts = &p.ctx.project.units[p.file].facts;
    (pk.len() == 1 && all_guarantee_equality(atoms, me, &pk) == Verdict::Proven)
        || keys_of(facts, atoms, me)
            .iter()
            .any(|(u, o, many)| !many && unique(t, u) && from_session(p.ctx.project, p.file, o))
        || keyed_by_checked(p, me, atoms)
}

/// The finding for a relation `u` of the query at `site` (in the file at `rel`): at the
/// relation's key, saying why the parent's rows prove nothing of the loaded ones and what
/// would.
pub(super) fn finding(
    project: &Project,
    rel: &str,
    site: &crate::facts::QuerySite,
    u: &UnprovenWith<'_>,
) -> Option<Diagnostic> {
    let t = project.table(u.with.target?);
    let parent = project.table(u.parent);
    let (b, pb, name) = (&t.binding, &parent.binding, &u.with.relation);
    let col = t.tenant_columns.first()?;
    let filter = format!("{name}: {{ where: (t, {{ eq }}) => eq(t.{col}, <the caller's {col}>) }}");
    // A many-to-many's link table, when the relation goes through one.
    let link = || {
        pairings(project, u.parent, name, t.id)
            .into_iter()
            .find_map(|w| match w {
                Pairing::Through { link, .. } => Some(link),
                Pairing::Direct(_) => None,
            })
    };
    let help = if !u.tied {
        let how = match link() {
            Some(l) => format!(
                "loads `{b}` through `{}`, which does not tie them to `{pb}` as a join through a link table would (a table no tenant owns, with a foreign key to a key of each side)",
                l.map_or("?", |l| project.table(l).binding.as_str())
            ),
            None => format!(
                "ties `{b}` to `{pb}` on columns that are neither a foreign key to a key of the other side nor tenant columns"
            ),
        };
        format!(
            "relation `{name}` {how}, so the rows it loads may be another tenant's even when the `{pb}` row is the caller's: add `{filter}`, so rows of other tenants are never returned"
        )
    } else if !parent.root_of.is_empty() && !parent.is_tenant_scoped() {
        let pk = parent.key_column();
        format!(
            "the `{pb}` rows this query reads are not limited to the caller's tenant (it is a tenant root, read here by no key of the caller's), so neither are the `{b}` rows relation `{name}` loads from them: read `{pb}` by its primary key equal to the caller's tenant (`eq({pb}.{pk}, <the caller's {col}>)`), or add `{filter}`, so rows of other tenants are never returned"
        )
    } else if super::keys::links_tenant_rows(project, parent) {
        format!(
            "the `{pb}` rows this query reads are not limited to the caller's tenant (no tenant owns `{pb}` itself, and it is not keyed by a row read with its tenant filter), so neither are the `{b}` rows relation `{name}` loads from them: key `{pb}` by such a row (a foreign key to it), or add `{filter}`, so rows of other tenants are never returned"
        )
    } else {
        format!(
            "no tenant owns `{pb}`, so the `{b}` rows relation `{name}` loads from its rows are every tenant's: add `{filter}`, so rows of other tenants are never returned"
        )
    };
    let msg = format!(
        "`{b}` loaded by relation `{name}` of `{pb}` is not filtered by its tenant column `{col}`"
    );
    Some(
        Diagnostic::new(RuleId::TenantFilter, rel, u.with.span, msg)
            .help(help)
            .context_at(site.function.as_deref(), site.span),
    )
}
