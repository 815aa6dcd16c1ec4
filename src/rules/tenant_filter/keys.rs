//! What a query is keyed by and what the code checked about a row: the origins of the values
//! a condition compares with a table's columns, a count check of many keys, the keys and
//! foreign keys that tie one table's rows to another's, and whether an earlier query read (or
//! inserted) rows the caller owns. The leaves of [`super::checked`].

use crate::facts::{join_path, FileFacts, Name, Origin, QuerySite, UseTarget, ValueAt};
use crate::ids::{FileId, TableId};
use crate::link::origins::same_value;
use crate::link::{LinkedQuery, LinkedWith, Project, Table, Unmatched};
use crate::predicate::{
    all_guarantee_equality, all_guarantee_equality_or_null, conjuncts_of, Opnd, Pred, TableRef,
    Verdict,
};
use crate::rules::context::TenantCheck;
use crate::span::Span;

/// Where the value written at `at` for column `key` (compared in a filter, or written as a
/// column's value) comes from, as the file's origin facts say (see `extract::origins`):
/// request input, the session, a parameter, what a local holds. A local object spread into a
/// write (`values({ ...tuple })`) writes several keys at one place: the key tells them apart.
pub(super) fn origin_at<'f>(facts: &'f FileFacts, at: ValueAt, key: &str) -> Option<&'f Origin> {
    let mut first = None;
    for u in facts.origins.uses_at(at) {
        match &u.target {
            UseTarget::Write { key: k, .. } | UseTarget::Filter { column: k, .. }
                if **k == *key =>
            {
                return Some(&u.origin)
            }
            UseTarget::Write { .. } | UseTarget::Filter { .. } | UseTarget::Raw => {
                first = first.or(Some(&u.origin));
            }
            UseTarget::Spread { .. } => {}
        }
    }
    first
}

/// `(column, origin)` of every `eq(inst.column, v)` or `inArray(inst.column, v)` among
/// `atoms` whose value `v` has a known origin ([`keys_of`] without telling the two apart).
pub(super) fn keyed_values<'f>(
    facts: &'f FileFacts,
    atoms: &[&Pred],
    inst: &TableRef,
) -> Vec<(Name, &'f Origin)> {
    keys_of(facts, atoms, inst)
        .into_iter()
        .map(|(col, o, _)| (col, o))
        .collect()
}

/// `(column, origin, many)` of every `eq(inst.column, v)` (`many` false) or
/// `inArray(inst.column, v)` (`many` true) among `atoms` whose value has a known origin.
pub(super) fn keys_of<'f>(
    facts: &'f FileFacts,
    atoms: &[&Pred],
    inst: &TableRef,
) -> Vec<(Name, &'f Origin, bool)> {
    atoms
        .iter()
        .filter_map(|a| match a {
            Pred::Eq(Opnd::Col(c), Opnd::Value(Some(at)))
            | Pred::Eq(Opnd::Value(Some(at)), Opnd::Col(c))
                if c.table == *inst =>
            {
                Some((c.key.clone(), origin_at(facts, *at, &c.key)?, false))
            }
            Pred::InArray(c, Some(at)) if c.table == *inst => {
                Some((c.key.clone(), origin_at(facts, *at, &c.key)?, true))
            }
            _ => None,
        })
        .collect()
}

/// `if (rows.length !== ids.length) throw ..` (either way round, `new Set(ids).size` for
/// `ids.length`) after `read` and before `site`, in a scope holding `site`, where `ids` is
/// `keys` by its origin.
pub(super) fn counted(
    facts: &FileFacts,
    rows: &str,
    keys: &Origin,
    read: Span,
    site: &QuerySite,
) -> bool {
    let count = match keys {
        Origin::Input(i) => Origin::Input(Box::new(crate::facts::InputOrigin {
            path: format!("{}.length", i.path).into(),
            ..(**i).clone()
        })),
        Origin::Param {
            scope,
            index,
            path,
            each: false,
        } => Origin::Param {
            scope: *scope,
            index: *index,
            path: join_path(path, "length").into(),
            each: false,
        },
        Origin::Local {
            name,
            path,
            each: false,
        } => Origin::Local {
            name: name.clone(),
            path: join_path(path, "length").into(),
            each: false,
        },
        Origin::Local { .. } | Origin::Param { .. } | Origin::Session => return false,
    };
    facts.origins.guards.iter().any(|g| {
        read.hi <= g.span.lo
            && ran_before(g.span, g.scope, site.span)
            // Past `if (keys.length) { .. }`, the keys were counted or there are none, and
            // `inArray(T.col, [])` matches no row.
            && (g.within.is_none_or(|w| w.contains(site.span))
                || g.nonempty.as_ref().is_some_and(|k| same_value(k, keys)))
            && matches!(&g.value, Origin::Local { name, path, each: false }
                if **name == *rows && &**path == "length")
            && same_value(&g.against, &count)
    })
}

/// `k` is a one-column unique key of `t`.
pub(super) fn unique(t: &Table, k: &str) -> bool {
    t.unique_column(k)
}

/// Both columns reference the same tenant-scoped table (`rolesPermissions.roleId =
/// keysRoles.roleId`, both to `roles`): rows of one parent, which the proven row's tenant
/// owns. A shared parent that is not tenant-scoped (`users`) proves nothing.
pub(super) fn siblings(project: &Project, tx: &Table, cx: &str, tp: &Table, cp: &str) -> bool {
    let theirs = project.targets_of_column(tp, cp);
    project
        .targets_of_column(tx, cx)
        .iter()
        .any(|r| theirs.contains(r) && project.table(*r).is_tenant_scoped())
}

/// A table no tenant owns with a column that references a tenant-scoped table on a key of one
/// column: each of its rows belongs to one tenant's row (a link table of a many-to-many, a
/// child owned through its parent).
pub(super) fn links_tenant_rows(project: &Project, t: &Table) -> bool {
    !t.is_tenant_scoped()
        && t.columns.iter().any(|c| {
            project
                .keyed_targets(t, &c.key)
                .any(|r| project.table(r).is_tenant_scoped())
        })
}

/// `T.col` (of table `t`) equal to `field` of a row of `parent` (another table) names rows that
/// row's tenant owns: T's foreign key to the row's one-column unique key (a child), T's
/// one-column unique key that the row's foreign key points at (its parent), or foreign keys of
/// both to the same tenant-scoped table (siblings: `eq(inbox.transactionId,
/// attachment.transactionId)`), as for joins.
pub(super) fn related(
    project: &Project,
    t: TableId,
    col: &str,
    parent: TableId,
    field: &str,
) -> bool {
    let table = project.table(t);
    let tp = project.table(parent);
    (project.references(table, col, parent) && unique(tp, field))
        || (project.references(tp, field, t) && unique(table, col))
        || siblings(project, table, col, tp, field)
}

/// The table and column that `path` names on a row `p` read: `id` on `p`'s own table, or
/// `keyAuth.id` on the row its relation `keyAuth`, loaded with `with`, ties to it, when every
/// relation on the way ties rows on one column each side as [`related`] accepts for a join (a
/// foreign key to a unique key, or two to one tenant-scoped parent): such a row is the read
/// row's tenant's, as a row joined through a foreign key of a filtered row is. A key of the
/// select's shape names its column (`{ taskId: tasks.id }`, nested: `{ task: { id: tasks.id }
/// }` is `task.id`): of the query's own table, or of a table joined to it through a foreign key
/// (`leftJoin(suggestions, eq(suggestions.inboxId, inbox.id))`: a child or the parent of the
/// read row, by a join whose condition restricts the joined rows). A property that is no
/// relation the read loaded and no such key (a JSON column, a table joined any other way)
/// names nothing; with `tenant.joins: "strict"` neither does a joined table's column nor a
/// relation through a link table no tenant owns.
pub(super) fn through<'p>(
    project: &Project,
    p: &'p LinkedQuery,
    path: &'p str,
) -> Option<(TableId, &'p str)> {
    if let Some((_, t, col)) = p.selected.iter().find(|(k, _, _)| **k == *path) {
        let me = p.instance();
        let joined_to_me = || {
            project.fk_joins
                && p.joins.iter().any(|j| {
                    j.instance() == *t
                        && matches!(j.unmatched(), Unmatched::Dropped | Unmatched::KeepBefore)
                        && j.on.as_ref().is_some_and(|on| {
                            let atoms = crate::predicate::conjuncts_of(&[on]);
                            fk_linked(project, &atoms, t, &me)
                        })
                })
        };
        return (*t == me || joined_to_me()).then_some((t.id, &**col));
    }
    let mut t = p.table;
    let mut with: &[LinkedWith] = &p.with;
    let mut path = path;
    while let Some((name, rest)) = path.split_once('.') {
        let w = with.iter().find(|w| w.relation == name)?;
        let r = w.target?;
        if !relation_ties(project, t, name, r) {
            return None;
        }
        (t, with, path) = (r, &w.with, rest);
    }
    Some((t, path))
}

/// The relation `name` of table `t` to `r` ties one column of each as [`related`] accepts, or
/// goes through a link table tied so to both (see [`Pairing::Through`]). A relation declared
/// without its columns (`many(posts)`) takes them from the other side's relations back to `t`,
/// all of which must tie (which one Drizzle pairs it with is not read).
fn relation_ties(project: &Project, t: TableId, name: &str, r: TableId) -> bool {
    let tie = |x: TableId, a: &str, y: TableId, b: &str| related(project, y, b, x, a);
    let ways = pairings(project, t, name, r);
    !ways.is_empty()
        && ways.iter().all(|w| match w {
            Pairing::Direct(pairs) => matches!(pairs[..], [(a, b)] if tie(t, a, r, b)),
            Pairing::Through { .. } => w.through_ties(project, t, r, project.fk_joins, &tie),
        })
}

/// One way a relation pairs the rows it loads with its parent's.
pub(super) enum Pairing<'p> {
    /// Column pairs (the parent's, the loaded table's).
    Direct(Vec<(&'p str, &'p str)>),
    /// Through a link table (a v2 many-to-many's `.through(..)`): pairs (the parent's, the
    /// link's), then (the link's, the loaded table's).
    Through {
        link: Option<TableId>,
        to_link: Vec<(&'p str, &'p str)>,
        from_link: Vec<(&'p str, &'p str)>,
    },
}

impl Pairing<'_> {
    /// A [`Pairing::Through`] whose link carries a proof across it as a join through it would:
    /// a tenant-scoped table, or (with `fk`, `tenant.joins: "fk"`) a table no tenant owns that
    /// links tenant-scoped rows, tied (`tie(x, a, y, b)`: column `a` of `x` equal to `b` of
    /// `y`) by a pair to the parent and by one to the loaded table. A link whose columns are
    /// no foreign keys may pair a row with another tenant's.
    pub(super) fn through_ties(
        &self,
        project: &Project,
        parent: TableId,
        target: TableId,
        fk: bool,
        tie: &dyn Fn(TableId, &str, TableId, &str) -> bool,
    ) -> bool {
        let Pairing::Through {
            link: Some(link),
            to_link,
            from_link,
        } = self
        else {
            return false;
        };
        let l = project.table(*link);
        (l.is_tenant_scoped() || (fk && links_tenant_rows(project, l)))
            && to_link.iter().any(|(a, b)| tie(parent, a, *link, b))
            && from_link.iter().any(|(a, b)| tie(*link, a, target, b))
    }
}

/// The ways Drizzle may pair the relation `name` of `parent` to `target`: its own columns
/// (`fields`/`references`, or its link table's), or, for a relation declared without them
/// (`many(tasks)`, `r.many.users()`), each relation of `target` back to `parent` that has
/// them, turned round. Empty when no side says.
pub(super) fn pairings<'p>(
    project: &'p Project,
    parent: TableId,
    name: &str,
    target: TableId,
) -> Vec<Pairing<'p>> {
    fn zip<'p>(a: &'p [String], b: &'p [String]) -> Vec<(&'p str, &'p str)> {
        a.iter().map(|x| &**x).zip(b.iter().map(|x| &**x)).collect()
    }
    let Some(rel) = project
        .table(parent)
        .relations
        .iter()
        .find(|r| r.name == name)
    else {
        return vec![];
    };
    if let Some(l) = &rel.through {
        return vec![Pairing::Through {
            link: l.table,
            to_link: zip(&rel.fields, &l.from),
            from_link: zip(&l.to, &rel.references),
        }];
    }
    if !rel.fields.is_empty() {
        return vec![Pairing::Direct(zip(&rel.fields, &rel.references))];
    }
    project
        .table(target)
        .relations
        .iter()
        .filter(|r| r.target == Some(parent) && !r.fields.is_empty())
        .map(|r| match &r.through {
            Some(l) => Pairing::Through {
                link: l.table,
                to_link: zip(&r.references, &l.to),
                from_link: zip(&l.from, &r.fields),
            },
            None => Pairing::Direct(zip(&r.references, &r.fields)),
        })
        .collect()
}

/// `p` (whose site is `insert`) inserted, before `at` in its function or an enclosing one,
/// rows that all set the table's tenant column, with no conflict clause that could update an
/// existing row instead (`const [row] = await db.insert(T).values({ .., teamId }).returning()`):
/// the rows it returns are the caller's own. An upsert may return another tenant's row, unless
/// its conflict target holds the tenant column or its `where`/`setWhere` proves the tenant.
pub(super) fn inserted_before(
    project: &Project,
    p: &LinkedQuery,
    insert: &crate::facts::QuerySite,
    at: Span,
) -> bool {
    let Some(facts) = insert.insert.as_deref() else {
        return false;
    };
    let t = project.table(p.table);
    p.alias.is_none()
        && ran_before(insert.span, insert.scope, at)
        && t.is_tenant_scoped()
        && facts.conflict.as_ref().is_none_or(|c| match c.action {
            crate::facts::ConflictAction::DoNothing => true,
            // An upsert whose conflict is on the tenant column, or whose update is limited to
            // the caller's rows, returns no other tenant's row either.
            crate::facts::ConflictAction::DoUpdate => {
                c.target
                    .as_ref()
                    .is_some_and(|k| k.iter().any(|k| t.is_tenant_column(k)))
                    || (p.where_.is_some()
                        && all_guarantee_equality_or_null(
                            &p.conditions(),
                            &p.instance(),
                            &t.tenant_columns,
                            &t.tenant_null,
                        ) == Verdict::Proven)
            }
            crate::facts::ConflictAction::DuplicateKeyUpdate => false,
        })
        && matches!(&facts.values, crate::facts::InsertValues::Rows(rows)
            if !rows.is_empty()
                && rows.iter().all(|r| r.keys.iter().any(|k| t.is_tenant_column(k))))
}

/// `p` (whose site is `read`) ran before `site`, in its function or an enclosing one, on its
/// own table (not an alias), and that table's tenant filter was proven.
pub(super) fn proven_before(
    p: &LinkedQuery,
    read: &crate::facts::QuerySite,
    site: &crate::facts::QuerySite,
    checks: &[TenantCheck],
) -> bool {
    read_before(p, read, site, checks, |v| *v == Verdict::Proven)
}

/// `p` (whose site is `read`) ran before `site`, in its function or an enclosing one, on its
/// own table (not an alias), and that table's verdict is one `want` accepts.
pub(super) fn read_before(
    p: &LinkedQuery,
    read: &crate::facts::QuerySite,
    site: &crate::facts::QuerySite,
    checks: &[TenantCheck],
    want: impl Fn(&Verdict) -> bool,
) -> bool {
    p.alias.is_none()
        && ran_before(read.span, read.scope, site.span)
        && checks
            .first()
            .is_some_and(|c| !c.joined && !c.checked_after && want(&c.verdict))
}

/// `p`'s own table is tenant-scoped and its conditions prove it directly (its tenant column,
/// a reference to a tenant root, or a secret it is looked up by).
pub(super) fn proven_directly(project: &Project, p: &LinkedQuery) -> bool {
    let t = project.table(p.table);
    let all = p.conditions();
    t.is_tenant_scoped()
        && (all_guarantee_equality_or_null(&all, &p.instance(), &t.tenant_columns, &t.tenant_null)
            == Verdict::Proven
            || (!t.root_refs.is_empty()
                && all_guarantee_equality(&all, &p.instance(), &t.root_refs) == Verdict::Proven)
            // (A lookup by a secret: the row of whoever holds it.)
            || secret_lookup(t, &all, &p.instance()))
}

/// What spans `span`, in the function `scope` (`None` at module level), ran before `at`, in
/// `at`'s function or one enclosing it: a read, an insert or a check that `at` comes after.
pub(super) fn ran_before(span: Span, scope: Option<Span>, at: Span) -> bool {
    span.hi <= at.lo && within(scope, at)
}

/// `span` lies before `at`, inside `at`'s function `scope`.
pub(super) fn before_in(span: Span, at: Span, scope: Option<Span>) -> bool {
    span.hi <= at.lo && within(scope, span)
}

/// The transactions whose callback's returned row the local `local` holds at `at` (in its
/// function `scope`): `const local = await db.transaction(..)` earlier in that function.
pub(super) fn tx_results_before<'f>(
    facts: &'f FileFacts,
    local: &'f str,
    at: Span,
    scope: Option<Span>,
) -> impl Iterator<Item = &'f crate::facts::TxResult> {
    facts
        .tx_results
        .iter()
        .filter(move |t| *t.local == *local && before_in(t.span, at, scope))
}

/// A read of `read` keyed by its column `u` equal to a value `k`, and `T.col` (of table `t`)
/// equal to the same `k`, name the same row, its children or its parent: `u` is unique in
/// `read`, and it is `col` itself (the same table) or `col` references `read`; or, when the read
/// was keyed by `k` alone (`one`, not among many keys), `u` references `t` and `col` is unique
/// in `t`: a row of the caller's with that foreign key was found, so the row it points at is
/// its parent (`eq(monitorRuns.monitorId, k)` checked, then `eq(monitors.id, k)`), and so the
/// parent's other children: `u` and `col` reference the same tenant-scoped table (siblings).
pub(super) fn same_row_key(
    project: &Project,
    t: TableId,
    col: &str,
    read: TableId,
    u: &str,
    one: bool,
) -> bool {
    let tr = project.table(read);
    (unique(tr, u)
        && if read == t {
            u == col
        } else {
            project.references(project.table(t), col, read)
        })
        || (one && read != t && project.references(tr, u, t) && unique(project.table(t), col))
        || (one && siblings(project, project.table(t), col, tr, u))
}

/// `span` lies in the function whose span is `scope` (anywhere at module level).
fn within(scope: Option<Span>, span: Span) -> bool {
    scope.is_none_or(|s| s.lo <= span.lo && span.hi <= s.hi)
}

/// `p` reads a tenant root that is not tenant-scoped itself by one of its one-column unique
/// keys equal to a value of the session: the row it finds is the caller's tenant.
pub(super) fn session_root(project: &Project, file: FileId, p: &LinkedQuery) -> bool {
    let t = project.table(p.table);
    if t.is_tenant_scoped() || t.root_of.is_empty() {
        return false;
    }
    let all = p.conditions();
    keys_of(
        &project.units[file].facts,
        &conjuncts_of(&all),
        &p.instance(),
    )
    .iter()
    .any(|(u, o, many)| !many && **o == Origin::Session && unique(t, u))
}

/// Whether an unconditional equality joins `x` to the proven instance `p` through a foreign
/// key: `x`'s one-column unique key equals `p`'s column that references `x` (the parent of a
/// proven row), `x`'s column that references `p` equals `p`'s one-column unique key (a child
/// of a proven row), or both reference the same tenant-scoped parent (siblings). An equality
/// on any other column proves nothing.
pub(super) fn fk_linked(project: &Project, atoms: &[&Pred], x: &TableRef, p: &TableRef) -> bool {
    let tx = project.table(x.id);
    let tp = project.table(p.id);
    atoms.iter().any(|a| {
        let Pred::Eq(Opnd::Col(a), Opnd::Col(b)) = a else {
            return false;
        };
        let (cx, cp) = if &a.table == x && &b.table == p {
            (a, b)
        } else if &b.table == x && &a.table == p {
            (b, a)
        } else {
            return false;
        };
        (unique(tx, &cx.key) && project.references(tp, &cp.key, x.id))
            || (unique(tp, &cp.key) && project.references(tx, &cx.key, p.id))
            || siblings(project, tx, &cx.key, tp, &cp.key)
    })
}

/// Every row passing the conditions `all` has one of `t`'s secret columns
/// ([`Table::secret_keys`]) equal to a value, or, unconditionally, a column holding a secret by
/// its name that is not unique beside a one-column unique key (`eq(subscribers.id, id),
/// eq(subscribers.token, token)`: one row, and its secret): the lookup that authenticates a
/// token or key, before any tenant is known.
pub(super) fn secret_lookup(t: &Table, all: &[&Pred], table: &TableRef) -> bool {
    let secrets = t.secret_keys();
    if !secrets.is_empty() && all_guarantee_equality(all, table, &secrets) == Verdict::Proven {
        return true;
    }
    let equal: Vec<&str> = conjuncts_of(all)
        .into_iter()
        .filter_map(|a| match a {
            Pred::Eq(Opnd::Col(c), Opnd::Value(_)) | Pred::Eq(Opnd::Value(_), Opnd::Col(c))
                if c.table == *table =>
            {
                Some(&*c.key)
            }
            _ => None,
        })
        .collect();
    equal.iter().any(|k| unique(t, k)) && equal.iter().any(|k| t.is_secret(k))
}
