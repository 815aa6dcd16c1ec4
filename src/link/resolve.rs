//! Name resolution: what a name in a file stands for (a table, a column group, a function, a
//! namespace), followed through imports, re-exports and `export *` barrels, with a fallback
//! by table name for imports from packages outside the checked files.

use super::model::{HashMap, Project};
use super::paths::common_prefix;
use crate::facts::{
    Export, Imported, Name, QueryTarget, Receiver, TableExpr, TableFnKind, ViaImport, ZodBase,
    ZodObject, ZodOp,
};
use crate::ids::{FileId, PerFile, TableId};
use crate::predicate::TableRef;
use std::cell::RefCell;

/// A query whose table does not resolve to the schema, called on a Drizzle database or
/// transaction: the rules that need no schema (writes without `where`, N+1) still check it.
#[derive(Debug, Clone)]
pub struct UntabledQuery {
    /// Index into the file's query sites.
    pub site: usize,
    /// The table as written (`posts`, `schema.posts`; the key of `db.query.posts`).
    pub table: String,
}

/// What a name in a module stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Sym {
    Table(TableId),
    Group(FileId, usize),
    /// A module-level function returning one column: an index into its file's `column_fns`.
    ColumnFn(FileId, usize),
    Function(FileId, usize),
    /// A module-level object or class whose methods are recorded as `name.method`; the
    /// index is one of those methods.
    Object(FileId, usize),
    Namespace(FileId),
    /// A table function (`pgTableCreator(..)`'s or `pgSchema(..)`'s product): an index into
    /// its file's `table_fns`.
    TableFn(FileId, usize),
    /// `import * as schema from 'some-package'`: members fall back to table names.
    ForeignNamespace,
    /// A module-level zod object schema: an index into its file's `schemas`.
    Schema(FileId, usize),
}

const MAX_HOPS: u32 = 24;

/// The table instances already resolved, by (file, expression): a query names its table in
/// every column it mentions, and following each through imports and barrels again made name
/// resolution most of linking a query-dense app.
#[derive(Default)]
pub(super) struct Memo<'a> {
    all: RefCell<HashMap<(FileId, &'a TableExpr), Option<TableRef>>>,
    /// The last one asked for: a mention mostly names the table the one before it named.
    last: RefCell<Option<MemoEntry<'a>>>,
}

type MemoEntry<'a> = ((FileId, &'a TableExpr), Option<TableRef>);

impl Project {
    /// The table a relational query key (`db.query.K`) names: by export name, then SQL name;
    /// among several, the one defined closest to the query.
    pub(super) fn table_by_key(&self, from: FileId, key: &str) -> Option<TableId> {
        self.closest(
            from,
            self.by_name.get(key).map(Vec::as_slice).unwrap_or(&[]),
        )
        .or_else(|| {
            let by_sql: Vec<TableId> = self
                .tables
                .iter()
                .filter(|t| t.sql_name == key)
                .map(|t| t.id)
                .collect();
            self.closest(from, &by_sql)
        })
    }

    fn closest(&self, from: FileId, candidates: &[TableId]) -> Option<TableId> {
        let here = &self.units[from].path;
        candidates.iter().copied().max_by(|a, b| {
            let pa = common_prefix(here, &self.units[self.tables[a.0].file].path);
            let pb = common_prefix(here, &self.units[self.tables[b.0].file].path);
            // Longest shared directory wins; ties go to the earlier table for determinism.
            pa.cmp(&pb).then(b.0.cmp(&a.0))
        })
    }

    /// [`Project::resolve_ref`], remembered in `memo`.
    pub(super) fn resolve_ref_in<'a>(
        &'a self,
        file: FileId,
        t: &'a TableExpr,
        memo: &Memo<'a>,
    ) -> Option<TableRef> {
        let key = (file, t);
        if let Some((k, r)) = &*memo.last.borrow() {
            if *k == key {
                return r.clone();
            }
        }
        let known = memo.all.borrow().get(&key).cloned();
        let r = known.unwrap_or_else(|| {
            let r = self.resolve_ref(file, t);
            memo.all.borrow_mut().insert(key, r.clone());
            r
        });
        *memo.last.borrow_mut() = Some((key, r.clone()));
        r
    }

    /// The table instance an expression names: an `alias(T, 'name')`, directly or through a
    /// module-level `const`, keeps its alias so that a self-join is checked on its own.
    pub fn resolve_ref(&self, file: FileId, t: &TableExpr) -> Option<TableRef> {
        let alias = match t {
            TableExpr::Alias(name, _) => Some(name.clone()),
            TableExpr::Name(n) if !self.by_binding[file].contains_key(&**n) => self.units[file]
                .facts
                .aliases
                .iter()
                .find(|(a, _)| a.as_str() == &**n)
                .and_then(|(_, e)| match e {
                    TableExpr::Alias(name, _) => Some(name.clone()),
                    _ => None,
                }),
            _ => None,
        };
        Some(TableRef {
            id: self.resolve_table(file, t)?,
            alias,
        })
    }

    pub fn resolve_table(&self, file: FileId, t: &TableExpr) -> Option<TableId> {
        match t {
            TableExpr::Alias(_, inner) => self.resolve_table(file, inner),
            TableExpr::Name(n) => match self.resolve_local(file, n, 0)? {
                Sym::Table(id) => Some(id),
                _ => None,
            },
            TableExpr::Member(ns, n) => match self.resolve_local(file, ns, 0)? {
                Sym::Namespace(m) => match self.resolve_export(m, n, 0) {
                    Some(Sym::Table(id)) => Some(id),
                    _ => self.name_fallback(file, n),
                },
                Sym::ForeignNamespace => self.name_fallback(file, n),
                _ => None,
            },
        }
    }

    /// The project function a call in `file` names, as (file, index into its `functions`):
    /// `name(..)`, `this.method(..)`, `ns.name(..)` on a namespace import, and
    /// `object.method(..)` on a module-level object or class, followed through imports.
    pub fn resolve_function(&self, file: FileId, callee: &[Name]) -> Option<(FileId, usize)> {
        let position = |f: FileId, test: &dyn Fn(&str) -> bool| {
            self.units[f]
                .facts
                .functions
                .iter()
                .position(|d| test(&d.name))
                .map(|i| (f, i))
        };
        match callee {
            [name] => match self.resolve_local(file, name, 0) {
                Some(Sym::Function(f, i)) => Some((f, i)),
                Some(_) => None,
                // `get(..)` inside `namespace Project`, calling its sibling `Project.get`
                // (nothing else of that name is in scope: the only such function).
                None => {
                    let mut found = self.units[file]
                        .facts
                        .namespaces
                        .iter()
                        .filter_map(|ns| position(file, &|n| qualified(n, ns, name)));
                    found.next().filter(|_| found.next().is_none())
                }
            },
            [this, method] if this == "this" => position(file, &|n| {
                n.strip_suffix(&**method).is_some_and(|o| o.ends_with('.'))
            }),
            [ns, name] => match self.resolve_local(file, ns, 0) {
                Some(Sym::Namespace(m)) => match self.resolve_export(m, name, 0)? {
                    Sym::Function(f, i) => Some((f, i)),
                    _ => None,
                },
                // (A class's method may be its base class's.)
                Some(Sym::Object(f, i)) => {
                    let def = &self.units[f].facts.functions[i].name;
                    let object = def.rsplit_once('.').map_or(&**def, |(o, _)| o);
                    self.method_of(f, object, name, 0)
                }
                // (Asked of every method call the project makes: no string is built.)
                _ => position(file, &|n| qualified(n, ns, name)),
            },
            // `services.users.list()`: a namespace's namespace's function, or a namespace's
            // object's (or class's) method.
            [ns, mid, name] => {
                let Some(Sym::Namespace(m)) = self.resolve_local(file, ns, 0) else {
                    return None;
                };
                match self.resolve_export(m, mid, 0)? {
                    Sym::Namespace(m) => match self.resolve_export(m, name, 0)? {
                        Sym::Function(f, i) => Some((f, i)),
                        _ => None,
                    },
                    Sym::Object(f, i) => {
                        let def = &self.units[f].facts.functions[i].name;
                        let object = def.rsplit_once('.').map_or(&**def, |(o, _)| o);
                        position(f, &|n| qualified(n, object, name))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The table function an imported callee names (`createTable`, `ns.app`), followed through
    /// imports, renames, barrels and path aliases; `None` unless it is one of the kind the call
    /// needs (a schema object for `X.table(..)`, a creator otherwise).
    pub(super) fn resolve_table_fn(&self, file: FileId, via: &ViaImport) -> Option<&TableFnKind> {
        let sym = match via.callee.as_slice() {
            [name] => self.resolve_local(file, name, 0)?,
            [ns, name] => match self.resolve_local(file, ns, 0)? {
                Sym::Namespace(m) => self.resolve_export(m, name, 0)?,
                _ => return None,
            },
            _ => return None,
        };
        let Sym::TableFn(f, i) = sym else {
            return None;
        };
        let kind = &self.units[f].facts.table_fns.get(i)?.kind;
        (matches!(kind, TableFnKind::Schema(..)) == via.schema_table).then_some(kind)
    }

    fn name_fallback(&self, from: FileId, name: &str) -> Option<TableId> {
        self.closest(
            from,
            self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[]),
        )
    }

    pub(super) fn resolve_local(&self, file: FileId, name: &str, hops: u32) -> Option<Sym> {
        if hops > MAX_HOPS {
            return None;
        }
        let facts = &self.units[file].facts;
        if let Some(id) = self.by_binding[file].get(name) {
            return Some(Sym::Table(*id));
        }
        if let Some((_, t)) = facts.aliases.iter().find(|(n, _)| n == name) {
            return match t {
                // `const tables = schema` (NuxtHub's convention): whatever the other name is, a
                // namespace included.
                TableExpr::Name(other) => self.resolve_local(file, other, hops + 1),
                _ => self.resolve_table_hops(file, t, hops + 1).map(Sym::Table),
            };
        }
        if let Some(i) = facts.column_groups.iter().position(|g| g.binding == name) {
            return Some(Sym::Group(file, i));
        }
        // Before functions: a column function is one too, and a column is all it makes.
        if let Some(i) = facts.column_fns.iter().position(|g| g.binding == name) {
            return Some(Sym::ColumnFn(file, i));
        }
        if let Some(i) = facts.functions.iter().position(|g| &*g.name == name) {
            return Some(Sym::Function(file, i));
        }
        if let Some(i) = facts.table_fns.iter().position(|g| g.binding == name) {
            return Some(Sym::TableFn(file, i));
        }
        // `const users = new UserRepo(db)`: the class, whose methods `users.find(..)` calls.
        if let Some((_, class)) = facts.instances.iter().find(|(n, _)| n == name) {
            return match self.resolve_local(file, class, hops + 1)? {
                s @ Sym::Object(..) => Some(s),
                _ => None,
            };
        }
        // A method `name.x` of an object literal (no string is built for the test).
        if let Some(i) = facts.functions.iter().position(|g| {
            g.name
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
        }) {
            return Some(Sym::Object(file, i));
        }
        let Some(at) = facts.imports.iter().position(|i| i.local == name) else {
            // Looked for last: a schema module holds many, and tables are looked up through it.
            // Then what a Nuxt or Nitro server file sees without importing it.
            return facts
                .schemas
                .iter()
                .position(|(n, _)| n == name)
                .map(|i| Sym::Schema(file, i))
                .or_else(|| {
                    self.auto_imports
                        .providers(file)
                        .iter()
                        .filter(|&&m| m != file)
                        .find_map(|&m| self.resolve_export(m, name, hops + 1))
                });
        };
        let imp = &facts.imports[at];
        let target = self.targets_of(file)[at];
        match (&imp.imported, target) {
            (Imported::Namespace, Some(m)) => Some(Sym::Namespace(m)),
            (Imported::Namespace, None) => Some(Sym::ForeignNamespace),
            (Imported::Named(orig), Some(m)) => self
                .resolve_export(m, orig, hops + 1)
                .or_else(|| self.fallback_sym(file, orig)),
            (Imported::Named(orig), None) => self.fallback_sym(file, orig),
            (Imported::Default, Some(m)) => self.resolve_export(m, "default", hops + 1),
            (Imported::Default, None) => None,
        }
    }

    fn fallback_sym(&self, file: FileId, name: &str) -> Option<Sym> {
        if name == "schema" {
            return Some(Sym::ForeignNamespace);
        }
        self.name_fallback(file, name).map(Sym::Table)
    }

    fn resolve_table_hops(&self, file: FileId, t: &TableExpr, hops: u32) -> Option<TableId> {
        match t {
            TableExpr::Name(n) => match self.resolve_local(file, n, hops)? {
                Sym::Table(id) => Some(id),
                _ => None,
            },
            other => self.resolve_table(file, other),
        }
    }

    fn resolve_export(&self, module: FileId, name: &str, hops: u32) -> Option<Sym> {
        if hops > MAX_HOPS {
            return None;
        }
        if let Some(s) = self.resolve_direct_export(module, name, hops) {
            return Some(s);
        }
        let via_star = self.stars.get(module).and_then(|s| s.get(name));
        via_star?
            .iter()
            .find_map(|&m| self.resolve_direct_export(m, name, hops + 1))
    }

    /// `name` as `module` exports it itself (not through `export *`).
    fn resolve_direct_export(&self, module: FileId, name: &str, hops: u32) -> Option<Sym> {
        if hops > MAX_HOPS {
            return None;
        }
        let facts = &self.units[module].facts;
        for (i, e) in facts.exports.iter().enumerate() {
            match e {
                Export::Local { exported, local } if exported == name => {
                    return self.resolve_local(module, local, hops + 1)
                }
                Export::Reexport {
                    exported, imported, ..
                } if exported == name => {
                    let m = self.export_target(module, i)?;
                    return self.resolve_export(m, imported, hops + 1);
                }
                Export::StarAs { exported, .. } if exported == name => {
                    return self.export_target(module, i).map(Sym::Namespace);
                }
                _ => {}
            }
        }
        None
    }

    /// Every module's `export *` names, computed once: resolving a name through a barrel of
    /// barrels used to walk every `export *` (and resolve its path) on every lookup, which made
    /// linking quadratic in the number of tables (a 10,000-file app spent 98% of its time there).
    pub(super) fn star_exports(&self) -> PerFile<HashMap<String, Vec<FileId>>> {
        let mut done: PerFile<Option<HashMap<String, Vec<FileId>>>> =
            self.units.iter().map(|_| None).collect();
        let mut visiting: PerFile<bool> = self.units.iter().map(|_| false).collect();
        for m in self.units.ids() {
            self.star_exports_of(m, &mut done, &mut visiting);
        }
        done.into_iter().map(Option::unwrap_or_default).collect()
    }

    /// Candidates in lookup order: each `export *` source's own exports, then what it reaches
    /// through its own `export *`s. In a cycle of barrels the inner module sees only what was
    /// already known (JavaScript leaves such names ambiguous anyway).
    fn star_exports_of(
        &self,
        m: FileId,
        done: &mut PerFile<Option<HashMap<String, Vec<FileId>>>>,
        visiting: &mut PerFile<bool>,
    ) {
        if done[m].is_some() || visiting[m] {
            return;
        }
        visiting[m] = true;
        let mut names: HashMap<String, Vec<FileId>> = HashMap::default();
        let mut add = |name: &str, from: FileId| {
            let v = names.entry(name.to_string()).or_default();
            if !v.contains(&from) {
                v.push(from);
            }
        };
        for (i, e) in self.units[m].facts.exports.iter().enumerate() {
            let Export::Star { .. } = e else { continue };
            let Some(s) = self.export_target(m, i) else {
                continue;
            };
            for own in &self.units[s].facts.exports {
                match own {
                    Export::Local { exported, .. }
                    | Export::Reexport { exported, .. }
                    | Export::StarAs { exported, .. } => add(exported, s),
                    Export::Star { .. } => {}
                }
            }
            self.star_exports_of(s, done, visiting);
            if let Some(inner) = &done[s] {
                for (name, from) in inner {
                    for &f in from {
                        add(name, f);
                    }
                }
            }
        }
        visiting[m] = false;
        done[m] = Some(names);
    }
}

impl Project {
    /// The queries of `f` whose table is not in the schema but whose receiver is surely
    /// Drizzle's: a database or transaction name (`db`, `tx`, `ctx.db`, `this.db`,
    /// `tenantDb`), or a name imported from (or defined in) a module that calls `drizzle(..)`.
    /// Raw statements are left out (their text names the tables).
    pub fn untabled_queries(&self, f: FileId) -> Vec<UntabledQuery> {
        let facts = &self.units[f].facts;
        let mut linked = vec![false; facts.queries.len()];
        for q in &self.queries[f] {
            if let Some(l) = linked.get_mut(q.site) {
                *l = true;
            }
        }
        let mut out = vec![];
        for (i, site) in facts.queries.iter().enumerate() {
            if linked[i] {
                continue;
            }
            let drizzle = match &site.receiver {
                Receiver::DbName => true,
                Receiver::Module(name) => self.is_drizzle_client(f, name, 0),
                Receiver::Other => false,
            };
            let table = match &site.target {
                _ if !drizzle => continue,
                QueryTarget::Table(t) => written(t),
                QueryTarget::QueryKey(k) => k.to_string(),
                QueryTarget::Raw(_) => continue,
            };
            out.push(UntabledQuery { site: i, table });
        }
        out
    }

    /// Whether the module-level `name` of `m` is a value made by `drizzle(..)`, there or in the
    /// module it is imported from, followed through re-exports and `export *` barrels.
    fn is_drizzle_client(&self, m: FileId, name: &str, hops: u32) -> bool {
        let facts = &self.units[m].facts;
        if facts.drizzle_clients.iter().any(|c| c == name) {
            return true;
        }
        let Some(at) = facts.imports.iter().position(|imp| imp.local == name) else {
            return false;
        };
        let imported = match &facts.imports[at].imported {
            Imported::Named(n) => n.clone(),
            Imported::Default => Name::from("default"),
            Imported::Namespace => return false,
        };
        match self.targets_of(m).get(at) {
            Some(&Some(t)) if hops <= 4 => self.exports_drizzle_client(t, &imported, hops + 1),
            _ => false,
        }
    }

    /// Whether `m` exports as `name` a value made by `drizzle(..)`.
    fn exports_drizzle_client(&self, m: FileId, name: &str, hops: u32) -> bool {
        if hops > 4 {
            return false;
        }
        let facts = &self.units[m].facts;
        for (i, e) in facts.exports.iter().enumerate() {
            match e {
                Export::Local { exported, local } if exported == name => {
                    return self.is_drizzle_client(m, local, hops + 1);
                }
                Export::Reexport {
                    exported, imported, ..
                } if exported == name => {
                    return self
                        .export_target(m, i)
                        .is_some_and(|t| self.exports_drizzle_client(t, imported, hops + 1));
                }
                _ => {}
            }
        }
        self.stars
            .get(m)
            .and_then(|s| s.get(name))
            .is_some_and(|ms| {
                ms.iter()
                    .any(|&t| self.exports_drizzle_client(t, name, hops + 1))
            })
    }
}

/// A table expression as written (as the unresolved-query listing shows it).
fn written(t: &TableExpr) -> String {
    match t {
        TableExpr::Name(n) => n.to_string(),
        TableExpr::Member(a, b) => crate::facts::dotted(&[a.clone(), b.clone()]),
        TableExpr::Alias(_, inner) => written(inner),
    }
}

impl Project {
    /// The keys a zod object schema written in `file` lets through, its names resolved
    /// through imports: `None` when a schema it builds on is not one drizzle-guard can read
    /// (a package's, one that spreads or transforms).
    pub fn zod_keys(&self, file: FileId, schema: &ZodObject) -> Option<Vec<Name>> {
        self.zod_keys_in(file, schema, 0)
    }

    fn zod_keys_in(&self, file: FileId, schema: &ZodObject, hops: u32) -> Option<Vec<Name>> {
        if hops > MAX_HOPS {
            return None;
        }
        let named = |name: &Name| match self.resolve_local(file, name, hops + 1)? {
            Sym::Schema(f, i) => self.zod_keys_in(f, &self.units[f].facts.schemas[i].1, hops + 1),
            _ => None,
        };
        let mut keys = match &schema.base {
            ZodBase::Keys(k) => k.clone(),
            ZodBase::Named(n) => named(n)?,
        };
        for op in &schema.ops {
            match op {
                ZodOp::Omit(k) => keys.retain(|x| !k.contains(x)),
                ZodOp::Pick(k) => keys.retain(|x| k.contains(x)),
                ZodOp::Extend(k) => keys.extend(k.iter().cloned()),
                ZodOp::Merge(n) => keys.extend(named(n)?),
            }
        }
        Some(keys)
    }
}

/// Whether `n` is `object.name`.
fn qualified(n: &str, object: &str, name: &str) -> bool {
    n.strip_prefix(object)
        .and_then(|r| r.strip_prefix('.'))
        .is_some_and(|r| r == name)
}
