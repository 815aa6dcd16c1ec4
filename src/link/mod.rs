//! Merges every file's facts into one project: the schema model, and each query with its table
//! references resolved (import → export → definition, `export *` barrels, tsconfig `paths`,
//! and a unique-name fallback for imports from workspace packages).

mod modules;
mod tsconfig;

pub use tsconfig::strip_jsonc;

use crate::config::Config;
use crate::facts::*;
use crate::parse::FileProblem;
use crate::predicate::{Col, Opnd, Pred, TableRef};
use crate::span::Span;
use rayon::prelude::*;
use std::cell::RefCell;
/// Paths and identifiers hashed in a few instructions (the default hasher, built to resist
/// flooding, made hashing paths a visible part of linking).
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// One checked source file.
#[derive(Debug)]
pub struct Unit {
    pub path: PathBuf,
    /// Relative to the scan root, `/`-separated: what every output shows.
    pub rel: String,
    pub facts: FileFacts,
    pub problem: Option<FileProblem>,
    /// False when `--changed-since` leaves this file out of the checks (it still feeds the schema).
    pub check: bool,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub key: String,
    pub sql_name: String,
    pub primary: bool,
    pub unique: bool,
    pub references: Option<(Option<TableId>, String)>,
    /// Where the column is defined (a shared object's file for spread columns).
    pub file: usize,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub target: Option<TableId>,
    pub target_columns: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Relation {
    pub name: String,
    pub many: bool,
    pub target: Option<TableId>,
    pub fields: Vec<String>,
    pub references: Vec<String>,
    pub preset_where: Option<Pred>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub id: TableId,
    pub file: usize,
    pub binding: String,
    pub sql_name: String,
    pub db_schema: Option<String>,
    pub dialect: Dialect,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub indexes: Vec<IndexDef>,
    pub foreign_keys: Vec<ForeignKey>,
    pub relations: Vec<Relation>,
    /// Keys of the columns matching `tenant.columns` / `softDelete.columns`.
    pub tenant_columns: Vec<String>,
    pub soft_delete_columns: Vec<String>,
    /// Spreads whose object could not be found: the column list may be incomplete.
    pub unresolved_spreads: Vec<String>,
    /// Column sets that identify one row (see [`Table::unique_keys`]), derived once.
    unique_keys: Vec<Vec<String>>,
    pub span: Span,
    /// The SQL name argument: where findings about the table as a whole are reported.
    pub name_span: Span,
}

impl Table {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
    pub fn is_tenant_scoped(&self) -> bool {
        !self.tenant_columns.is_empty()
    }
    pub fn is_soft_delete(&self) -> bool {
        !self.soft_delete_columns.is_empty()
    }
    /// The first column of the first unique key, for naming a column in help texts.
    pub fn key_column(&self) -> &str {
        self.columns
            .iter()
            .find(|c| c.primary)
            .or_else(|| self.columns.iter().find(|c| c.unique))
            .map(|c| c.key.as_str())
            .or_else(|| self.primary_key.first().map(String::as_str))
            .unwrap_or("id")
    }

    /// Whether an index's first column is `key`: an index, a unique index or constraint, the
    /// primary key (single or composite), or a `.primaryKey()` / `.unique()` column. Those are
    /// the indexes the database can use to find rows by `key` alone.
    pub fn leads_index(&self, key: &str) -> bool {
        self.column(key).is_some_and(|c| c.primary || c.unique)
            || self.primary_key.first().is_some_and(|k| k == key)
            || self
                .indexes
                .iter()
                .any(|i| i.columns.first().is_some_and(|k| k == key))
    }

    /// Whether `key` is (the first column of) a foreign key, inline or through `foreignKey()`.
    pub fn is_foreign_key(&self, key: &str) -> bool {
        self.column(key).is_some_and(|c| c.references.is_some())
            || self
                .foreign_keys
                .iter()
                .any(|fk| fk.columns.first().is_some_and(|k| k == key))
    }

    /// Column sets that identify one row: the primary key and every unique column or index,
    /// each set once.
    pub fn unique_keys(&self) -> &[Vec<String>] {
        &self.unique_keys
    }

    fn derive_unique_keys(&self) -> Vec<Vec<String>> {
        let mut keys: Vec<Vec<String>> = vec![];
        let pk: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.primary)
            .map(|c| c.key.clone())
            .collect();
        if !pk.is_empty() {
            keys.push(pk);
        }
        if !self.primary_key.is_empty() {
            keys.push(self.primary_key.clone());
        }
        keys.extend(
            self.columns
                .iter()
                .filter(|c| c.unique)
                .map(|c| vec![c.key.clone()]),
        );
        keys.extend(
            self.indexes
                .iter()
                .filter(|i| i.unique)
                .map(|i| i.columns.clone()),
        );
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(k.clone()));
        keys
    }
}

/// A query whose tables are resolved, with predicates in the resolved algebra.
#[derive(Debug)]
pub struct LinkedQuery {
    /// Index into the file's `facts.queries`.
    pub site: usize,
    pub table: TableId,
    /// Set when the query reads `from(alias(T, 'name'))`.
    pub alias: Option<Name>,
    pub where_: Option<Pred>,
    pub joins: Vec<LinkedJoin>,
    pub with: Vec<LinkedWith>,
    /// The `groupBy(..)` columns that resolve to columns of schema tables.
    pub group_by: Vec<Col>,
}

/// The conditions of a query as borrowed parts ([`LinkedQuery::conditions`]).
pub enum ConditionParts<'q> {
    One([&'q Pred; 1]),
    Many(Vec<&'q Pred>),
}

impl<'q> std::ops::Deref for ConditionParts<'q> {
    type Target = [&'q Pred];

    fn deref(&self) -> &[&'q Pred] {
        match self {
            ConditionParts::One(one) => one,
            ConditionParts::Many(many) => many,
        }
    }
}

impl LinkedQuery {
    /// Everything a row must pass, borrowed: the `where` and every join's `on`, the parts the
    /// `predicate::all_*` functions read as one `and(..)`. Most queries have a `where` alone:
    /// then nothing is allocated.
    pub fn conditions(&self) -> ConditionParts<'_> {
        match (&self.where_, self.joins.iter().any(|j| j.on.is_some())) {
            (Some(w), false) => ConditionParts::One([w]),
            _ => ConditionParts::Many(
                self.where_
                    .iter()
                    .chain(self.joins.iter().filter_map(|j| j.on.as_ref()))
                    .collect(),
            ),
        }
    }

    /// The instance the query reads: its table, or the alias it reads it through.
    pub fn instance(&self) -> TableRef {
        TableRef {
            id: self.table,
            alias: self.alias.clone(),
        }
    }
}

#[derive(Debug)]
pub struct LinkedJoin {
    pub kind: Name,
    pub table: TableId,
    /// Set when the join is on `alias(T, 'name')`: another instance of `table`.
    pub alias: Option<Name>,
    pub on: Option<Pred>,
    pub span: Span,
}

impl LinkedJoin {
    pub fn instance(&self) -> TableRef {
        TableRef {
            id: self.table,
            alias: self.alias.clone(),
        }
    }
}

#[derive(Debug)]
pub struct LinkedWith {
    pub relation: String,
    pub target: Option<TableId>,
    pub where_: Option<Pred>,
    pub preset_where: Option<Pred>,
    pub has_limit: bool,
    pub many: bool,
    pub with: Vec<LinkedWith>,
    pub span: Span,
}

pub struct Project {
    pub root: PathBuf,
    pub units: Vec<Unit>,
    pub tables: Vec<Table>,
    /// Per unit, the resolved queries.
    pub queries: Vec<Vec<LinkedQuery>>,
    /// Per unit, its tables by binding.
    by_binding: Vec<HashMap<String, TableId>>,
    /// Per module, every name reachable through its `export *` chain, with the modules that
    /// export it themselves, in the order a lookup tries them (see [`Project::star_exports`]).
    stars: Vec<HashMap<String, Vec<usize>>>,
    /// The module each import, then each export, of each unit names (unit `f`'s from
    /// `target_starts[f]`, aligned with `facts.imports` then `facts.exports`), resolved once
    /// rather than on every lookup.
    targets: Vec<Option<usize>>,
    target_starts: Vec<usize>,
    by_name: HashMap<String, Vec<TableId>>,
}

/// What a name in a module stands for.
#[derive(Debug, Clone, Copy)]
enum Sym {
    Table(TableId),
    Group(usize, usize),
    Function(usize, usize),
    /// A module-level object or class whose methods are recorded as `name.method`; the
    /// index is one of those methods.
    Object(usize, usize),
    Namespace(usize),
    /// `import * as schema from 'some-package'`: members fall back to table names.
    ForeignNamespace,
}

const MAX_HOPS: u32 = 24;
pub(crate) const MAX_INLINE: u32 = 4;

impl Project {
    pub fn link(root: PathBuf, units: Vec<Unit>, config: &Config) -> Project {
        let mut starts = Vec::with_capacity(units.len() + 1);
        starts.push(0);
        for u in &units {
            starts.push(starts[starts.len() - 1] + modules::source_count(u));
        }
        let modules = modules::ModuleIndex::new(&units);
        let targets = modules.resolve_all(&tsconfig::TsconfigCache::default(), &units);
        let mut p = Project {
            root,
            units,
            tables: vec![],
            queries: vec![],
            by_binding: vec![],
            stars: vec![],
            targets,
            target_starts: starts,
            by_name: HashMap::default(),
        };
        p.by_binding = vec![HashMap::default(); p.units.len()];
        p.stars = p.star_exports();
        p.build_tables(config);
        // Every file's queries, checked or not: a checked file's loop may call a function of an
        // unchanged one (`n-plus-one`), and a checked row may come from any of them.
        let queries: Vec<Vec<LinkedQuery>> = (0..p.units.len())
            .into_par_iter()
            .map(|f| p.link_queries(f))
            .collect();
        p.queries = queries;
        p
    }

    /// With `--changed-since`: also checks the files among `eligible` that import a checked
    /// file (directly or through re-exports), up to `depth` imports away. A changed helper
    /// (a condition builder, a function that queries) changes the findings of its callers.
    pub fn check_importers(&mut self, eligible: &[bool], depth: u32) {
        let n = self.units.len();
        let mut importers: Vec<Vec<usize>> = vec![vec![]; n];
        for (f, u) in self.units.iter().enumerate() {
            if !eligible[f] || u.check {
                continue;
            }
            for &m in self.targets_of(f).iter().flatten() {
                importers[m].push(f);
            }
        }
        let mut frontier: Vec<usize> = (0..n).filter(|&f| self.units[f].check).collect();
        for _ in 0..depth {
            let mut next = vec![];
            for f in frontier {
                for &i in &importers[f] {
                    if !self.units[i].check {
                        self.units[i].check = true;
                        next.push(i);
                    }
                }
            }
            frontier = next;
        }
    }

    fn build_tables(&mut self, config: &Config) {
        let snake = self.units.iter().any(|u| u.facts.snake_case) || config.casing_snake_case();
        for (f, u) in self.units.iter().enumerate() {
            for (i, t) in u.facts.tables.iter().enumerate() {
                let id = TableId(self.tables.len());
                let _ = i;
                self.by_binding[f].insert(t.binding.clone(), id);
                self.by_name.entry(t.binding.clone()).or_default().push(id);
                self.tables.push(Table {
                    id,
                    file: f,
                    binding: t.binding.clone(),
                    sql_name: t.sql_name.clone(),
                    db_schema: t.db_schema.clone(),
                    dialect: t.dialect,
                    columns: vec![],
                    primary_key: t.primary_key.clone(),
                    indexes: t.indexes.clone(),
                    foreign_keys: vec![],
                    relations: vec![],
                    tenant_columns: vec![],
                    soft_delete_columns: vec![],
                    unresolved_spreads: vec![],
                    unique_keys: vec![],
                    span: t.span,
                    name_span: t.name_span,
                });
            }
        }
        // Columns, spreads and references need name resolution, which reads `self`.
        let mut filled = vec![];
        for table in &self.tables {
            let def = &self.units[table.file]
                .facts
                .tables
                .iter()
                .find(|t| t.binding == table.binding);
            let Some(def) = def else { continue };
            let mut columns: Vec<Column> = vec![];
            let mut unresolved = vec![];
            let mut add = |c: &ColumnDef, file: usize, me: &Project| {
                let sql_name = c.sql_name.clone().unwrap_or_else(|| {
                    if snake {
                        to_snake(&c.key)
                    } else {
                        c.key.clone()
                    }
                });
                let references = c
                    .references
                    .as_ref()
                    .map(|r| (me.resolve_table(file, &r.table), r.column.clone()));
                columns.retain(|x: &Column| x.key != c.key);
                columns.push(Column {
                    key: c.key.clone(),
                    sql_name,
                    primary: c.primary,
                    unique: c.unique,
                    references,
                    file,
                    span: c.span,
                });
            };
            for s in &def.spreads {
                match self.resolve_local(table.file, s, 0) {
                    Some(Sym::Group(gf, gi)) => {
                        for c in &self.units[gf].facts.column_groups[gi].columns {
                            add(c, gf, self);
                        }
                    }
                    _ => unresolved.push(s.clone()),
                }
            }
            for c in &def.columns {
                add(c, table.file, self);
            }
            let fks = def
                .foreign_keys
                .iter()
                .map(|fk| ForeignKey {
                    columns: fk.columns.clone(),
                    target: fk
                        .target
                        .as_ref()
                        .and_then(|t| self.resolve_table(table.file, t)),
                    target_columns: fk.target_columns.clone(),
                    span: fk.span,
                })
                .collect::<Vec<_>>();
            let matches = |c: &Column, names: &[String]| {
                names.iter().any(|n| n == &c.key || n == &c.sql_name)
            };
            let tenant = columns
                .iter()
                .filter(|c| matches(c, &config.tenant.columns))
                .map(|c| c.key.clone())
                .collect();
            let soft = columns
                .iter()
                .filter(|c| matches(c, &config.soft_delete.columns))
                .map(|c| c.key.clone())
                .collect();
            filled.push((table.id, columns, fks, tenant, soft, unresolved));
        }
        for (id, columns, fks, tenant, soft, unresolved) in filled {
            let t = &mut self.tables[id.0];
            t.columns = columns;
            t.foreign_keys = fks;
            t.tenant_columns = if config
                .tenant
                .exempt_tables
                .iter()
                .any(|e| e == &t.binding || e == &t.sql_name)
            {
                vec![]
            } else {
                tenant
            };
            t.soft_delete_columns = soft;
            t.unresolved_spreads = unresolved;
            t.unique_keys = t.derive_unique_keys();
        }
        let mut rels = vec![];
        let memo = Memo::default();
        for (f, u) in self.units.iter().enumerate() {
            for r in &u.facts.relations {
                let owner = if r.by_key {
                    match &r.table {
                        TableExpr::Name(k) => self.table_by_key(f, k),
                        _ => None,
                    }
                } else {
                    self.resolve_table(f, &r.table)
                };
                let Some(owner) = owner else { continue };
                for rel in &r.relations {
                    let target = match (&rel.target, r.by_key) {
                        (TableExpr::Name(k), true) => self.table_by_key(f, k),
                        (t, _) => self.resolve_table(f, t),
                    };
                    let preset_where = rel
                        .preset_where
                        .as_ref()
                        .map(|w| self.resolve_pred(w, &Ctx::new(f, target, &memo)));
                    rels.push((
                        owner,
                        Relation {
                            name: rel.name.clone(),
                            many: rel.many,
                            target,
                            fields: rel.fields.clone(),
                            references: rel.references.clone(),
                            preset_where,
                        },
                    ));
                }
            }
        }
        for (owner, rel) in rels {
            let t = &mut self.tables[owner.0];
            // v2 definitions replace a v1 relation of the same name.
            t.relations.retain(|r| r.name != rel.name);
            t.relations.push(rel);
        }
    }

    fn link_queries(&self, f: usize) -> Vec<LinkedQuery> {
        let mut out = vec![];
        let memo = Memo::default();
        for (i, q) in self.units[f].facts.queries.iter().enumerate() {
            let table = match &q.target {
                QueryTarget::Table(t) => self.resolve_ref_in(f, t, &memo),
                QueryTarget::QueryKey(k) => self.table_by_key(f, k).map(TableRef::from),
            };
            let Some(TableRef { id: table, alias }) = table else {
                continue;
            };
            let ctx = Ctx::new(f, Some(table), &memo);
            let where_ = q.where_.condition().map(|w| self.resolve_pred(w, &ctx));
            let joins = q
                .joins
                .iter()
                .filter_map(|j| {
                    let t = self.resolve_ref_in(f, &j.table, &memo)?;
                    Some(LinkedJoin {
                        kind: j.kind.clone(),
                        table: t.id,
                        alias: t.alias,
                        on: j.on.as_ref().map(|o| self.resolve_pred(o, &ctx)),
                        span: j.span,
                    })
                })
                .collect();
            let with = self.link_with(f, table, &q.with, &memo);
            let group_by = q
                .group_by
                .iter()
                .filter_map(|o| match self.resolve_operand(o, &ctx) {
                    Ok(Opnd::Col(c)) => Some(c),
                    _ => None,
                })
                .collect();
            out.push(LinkedQuery {
                site: i,
                table,
                alias,
                where_,
                joins,
                with,
                group_by,
            });
        }
        out
    }

    fn link_with<'a>(
        &'a self,
        f: usize,
        parent: TableId,
        with: &'a [WithFact],
        memo: &Memo<'a>,
    ) -> Vec<LinkedWith> {
        with.iter()
            .map(|w| {
                let rel = self.tables[parent.0]
                    .relations
                    .iter()
                    .find(|r| r.name == w.relation);
                let target = rel.and_then(|r| r.target);
                let where_ = w
                    .where_
                    .as_ref()
                    .map(|p| self.resolve_pred(p, &Ctx::new(f, target, memo)));
                let nested = match target {
                    Some(t) => self.link_with(f, t, &w.with, memo),
                    None => vec![],
                };
                LinkedWith {
                    relation: w.relation.clone(),
                    target,
                    where_,
                    preset_where: rel.and_then(|r| r.preset_where.clone()),
                    has_limit: w.has_limit,
                    many: rel.map(|r| r.many).unwrap_or(w.many_hint),
                    with: nested,
                    span: w.span,
                }
            })
            .collect()
    }

    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0]
    }

    // ---- name resolution -------------------------------------------------------------

    /// The table a relational query key (`db.query.K`) names: by export name, then SQL name;
    /// among several, the one defined closest to the query.
    fn table_by_key(&self, from: usize, key: &str) -> Option<TableId> {
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

    fn closest(&self, from: usize, candidates: &[TableId]) -> Option<TableId> {
        let here = &self.units[from].path;
        candidates.iter().copied().max_by(|a, b| {
            let pa = common_prefix(here, &self.units[self.tables[a.0].file].path);
            let pb = common_prefix(here, &self.units[self.tables[b.0].file].path);
            // Longest shared directory wins; ties go to the earlier table for determinism.
            pa.cmp(&pb).then(b.0.cmp(&a.0))
        })
    }

    /// [`Project::resolve_ref`], remembered in `memo`.
    fn resolve_ref_in<'a>(
        &'a self,
        file: usize,
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
    pub fn resolve_ref(&self, file: usize, t: &TableExpr) -> Option<TableRef> {
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

    pub fn resolve_table(&self, file: usize, t: &TableExpr) -> Option<TableId> {
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
    pub fn resolve_function(&self, file: usize, callee: &[Name]) -> Option<(usize, usize)> {
        let position = |f: usize, test: &dyn Fn(&str) -> bool| {
            self.units[f]
                .facts
                .functions
                .iter()
                .position(|d| test(&d.name))
                .map(|i| (f, i))
        };
        match callee {
            [name] => match self.resolve_local(file, name, 0)? {
                Sym::Function(f, i) => Some((f, i)),
                _ => None,
            },
            [this, method] if this == "this" => {
                let suffix = format!(".{method}");
                position(file, &|n| n.ends_with(&suffix))
            }
            [ns, name] => match self.resolve_local(file, ns, 0) {
                Some(Sym::Namespace(m)) => match self.resolve_export(m, name, 0)? {
                    Sym::Function(f, i) => Some((f, i)),
                    _ => None,
                },
                Some(Sym::Object(f, i)) => {
                    let def = &self.units[f].facts.functions[i].name;
                    let object = def.rsplit_once('.').map_or(&**def, |(o, _)| o);
                    let qualified = format!("{object}.{name}");
                    position(f, &|n| n == qualified)
                }
                _ => {
                    let qualified = format!("{ns}.{name}");
                    position(file, &|n| n == qualified)
                }
            },
            _ => None,
        }
    }

    fn name_fallback(&self, from: usize, name: &str) -> Option<TableId> {
        self.closest(
            from,
            self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[]),
        )
    }

    fn resolve_local(&self, file: usize, name: &str, hops: u32) -> Option<Sym> {
        if hops > MAX_HOPS {
            return None;
        }
        let facts = &self.units[file].facts;
        if let Some(id) = self.by_binding[file].get(name) {
            return Some(Sym::Table(*id));
        }
        if let Some((_, t)) = facts.aliases.iter().find(|(n, _)| n == name) {
            return self.resolve_table_hops(file, t, hops + 1).map(Sym::Table);
        }
        if let Some(i) = facts.column_groups.iter().position(|g| g.binding == name) {
            return Some(Sym::Group(file, i));
        }
        if let Some(i) = facts.functions.iter().position(|g| &*g.name == name) {
            return Some(Sym::Function(file, i));
        }
        // A method `name.x` of an object literal (no string is built for the test).
        if let Some(i) = facts.functions.iter().position(|g| {
            g.name
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
        }) {
            return Some(Sym::Object(file, i));
        }
        let at = facts.imports.iter().position(|i| i.local == name)?;
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

    fn fallback_sym(&self, file: usize, name: &str) -> Option<Sym> {
        if name == "schema" {
            return Some(Sym::ForeignNamespace);
        }
        self.name_fallback(file, name).map(Sym::Table)
    }

    fn resolve_table_hops(&self, file: usize, t: &TableExpr, hops: u32) -> Option<TableId> {
        match t {
            TableExpr::Name(n) => match self.resolve_local(file, n, hops)? {
                Sym::Table(id) => Some(id),
                _ => None,
            },
            other => self.resolve_table(file, other),
        }
    }

    fn resolve_export(&self, module: usize, name: &str, hops: u32) -> Option<Sym> {
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
    fn resolve_direct_export(&self, module: usize, name: &str, hops: u32) -> Option<Sym> {
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

    /// The modules `f`'s imports, then its exports, name.
    fn targets_of(&self, f: usize) -> &[Option<usize>] {
        &self.targets[self.target_starts[f]..self.target_starts[f + 1]]
    }

    /// The module the `i`th export of `module` re-exports from.
    fn export_target(&self, module: usize, i: usize) -> Option<usize> {
        self.targets_of(module)[self.units[module].facts.imports.len() + i]
    }

    /// Every module's `export *` names, computed once: resolving a name through a barrel of
    /// barrels used to walk every `export *` (and resolve its path) on every lookup, which made
    /// linking quadratic in the number of tables (a 10,000-file app spent 98% of its time there).
    fn star_exports(&self) -> Vec<HashMap<String, Vec<usize>>> {
        let mut done: Vec<Option<HashMap<String, Vec<usize>>>> = vec![None; self.units.len()];
        let mut visiting = vec![false; self.units.len()];
        for m in 0..self.units.len() {
            self.star_exports_of(m, &mut done, &mut visiting);
        }
        done.into_iter().map(Option::unwrap_or_default).collect()
    }

    /// Candidates in lookup order: each `export *` source's own exports, then what it reaches
    /// through its own `export *`s. In a cycle of barrels the inner module sees only what was
    /// already known (JavaScript leaves such names ambiguous anyway).
    fn star_exports_of(
        &self,
        m: usize,
        done: &mut Vec<Option<HashMap<String, Vec<usize>>>>,
        visiting: &mut Vec<bool>,
    ) {
        if done[m].is_some() || visiting[m] {
            return;
        }
        visiting[m] = true;
        let mut names: HashMap<String, Vec<usize>> = HashMap::default();
        let mut add = |name: &str, from: usize| {
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

    // ---- predicates ------------------------------------------------------------------

    pub(crate) fn resolve_pred<'a>(&'a self, raw: &'a RawPred, ctx: &Ctx<'_, 'a>) -> Pred {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.resolve_pred_inner(raw, ctx))
    }

    fn resolve_pred_inner<'a>(&'a self, raw: &'a RawPred, ctx: &Ctx<'_, 'a>) -> Pred {
        let opnd = |o: &'a Operand| self.resolve_operand(o, ctx);
        let col_of = |o: &'a Operand| -> Result<Option<Col>, String> {
            match self.resolve_operand(o, ctx)? {
                Opnd::Col(c) => Ok(Some(c)),
                Opnd::Value(_) => Ok(None),
            }
        };
        let opaque = |why: String| Pred::Unknown {
            why,
            mentions: vec![],
        };
        match raw {
            RawPred::Eq(a, b) => match (opnd(a), opnd(b)) {
                (Ok(a), Ok(b)) => Pred::Eq(a, b),
                (Err(why), _) | (_, Err(why)) => opaque(why),
            },
            RawPred::InArray(a) => match col_of(a) {
                Ok(Some(c)) => Pred::InArray(c),
                Ok(None) => Pred::Other(vec![]),
                Err(why) => opaque(why),
            },
            RawPred::IsNull(a) | RawPred::IsNotNull(a) => match col_of(a) {
                Ok(Some(c)) if matches!(raw, RawPred::IsNull(_)) => Pred::IsNull(c),
                Ok(Some(c)) => Pred::IsNotNull(c),
                Ok(None) => Pred::Other(vec![]),
                Err(why) => opaque(why),
            },
            RawPred::Other(ops) => Pred::Other(
                ops.iter()
                    .filter_map(|o| col_of(o).ok().flatten())
                    .collect(),
            ),
            RawPred::And(ps) => Pred::And(ps.iter().map(|p| self.resolve_pred(p, ctx)).collect()),
            RawPred::Or(ps) => Pred::Or(ps.iter().map(|p| self.resolve_pred(p, ctx)).collect()),
            RawPred::Not(p) => Pred::Not(Box::new(self.resolve_pred(p, ctx))),
            RawPred::Undefined => Pred::Undefined,
            RawPred::Unknown { why, mentions } => Pred::Unknown {
                why: why.clone(),
                mentions: mentions
                    .iter()
                    .filter_map(|o| col_of(o).ok().flatten())
                    .collect(),
            },
            RawPred::Param(p) => match ctx.env.and_then(|e| e.get(&**p)) {
                Some(arg) => arg.pred.clone(),
                None => opaque(format!(
                    "the parameter `{p}`, a condition passed in by the caller"
                )),
            },
            RawPred::Call { callee, args } => self.inline_call(callee, args, ctx),
        }
    }

    fn resolve_operand<'a>(&'a self, o: &'a Operand, ctx: &Ctx<'_, 'a>) -> Result<Opnd, String> {
        let (base, key) = match o {
            Operand::Member { base, key } => (base, key),
            // A local variable's path means something only in the query's own function, not
            // in a helper inlined into it.
            Operand::Value(path) if ctx.depth == 0 => return Ok(Opnd::Value(path.clone())),
            Operand::Value(_) => return Ok(Opnd::Value(None)),
        };
        match self.resolve_base(base, ctx)? {
            Some(table) => Ok(Opnd::Col(Col {
                table,
                key: key.clone(),
            })),
            None => Ok(Opnd::Value(None)),
        }
    }

    /// `Ok(None)`: not a table (so `x.key` is a value); `Err`: a parameter nobody bound.
    fn resolve_base<'a>(
        &'a self,
        base: &'a Base,
        ctx: &Ctx<'_, 'a>,
    ) -> Result<Option<TableRef>, String> {
        match base {
            Base::Table(t) => Ok(self.resolve_ref_in(ctx.file, t, ctx.memo)),
            Base::SelfTable => Ok(ctx.self_table.map(TableRef::from)),
            // Outside an inlined helper, a parameter of the enclosing function (`ctx.orgId`,
            // `input.id`) is a value the caller passes in, never a table.
            Base::Param(p) => match ctx.env {
                None => Ok(None),
                Some(env) => match env.get(&**p) {
                    Some(arg) => Ok(arg.table.clone()),
                    None => Err(format!("a column of the parameter `{p}`")),
                },
            },
        }
    }

    /// A project helper returning a predicate, inlined with its parameters bound to the
    /// caller's arguments (a few levels deep).
    fn inline_call<'a>(&'a self, callee: &[Name], args: &'a [RawArg], ctx: &Ctx<'_, 'a>) -> Pred {
        let shown = dotted(callee);
        let opaque = |why: String| Pred::Unknown {
            why,
            mentions: vec![],
        };
        if ctx.depth >= MAX_INLINE {
            return opaque(format!(
                "`{shown}(..)`, nested helpers deeper than drizzle-guard follows"
            ));
        }
        let Some((f, i)) = self.resolve_function(ctx.file, callee) else {
            return opaque(format!(
                "`{shown}(..)`, which is not defined in the checked files"
            ));
        };
        let def = &self.units[f].facts.functions[i];
        let Some(returns) = &def.returns else {
            return opaque(format!(
                "`{shown}(..)`, which does not return a condition drizzle-guard can read"
            ));
        };
        let mut env = HashMap::default();
        for (p, a) in def.params.iter().zip(args) {
            let pred = self.resolve_pred(&a.pred, ctx);
            let table = a
                .table
                .as_ref()
                .and_then(|b| self.resolve_base(b, ctx).ok().flatten());
            env.insert(&**p, Arg { pred, table });
        }
        for p in def.params.iter().skip(args.len()) {
            env.insert(
                &**p,
                Arg {
                    pred: Pred::Undefined,
                    table: None,
                },
            );
        }
        self.resolve_pred(
            returns,
            &Ctx {
                file: f,
                self_table: None,
                env: Some(&env),
                depth: ctx.depth + 1,
                memo: ctx.memo,
            },
        )
    }
}

/// A helper's parameter bound to an argument of its caller.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    pred: Pred,
    table: Option<TableRef>,
}

pub(crate) struct Ctx<'e, 'a> {
    file: usize,
    self_table: Option<TableId>,
    env: Option<&'e HashMap<&'e str, Arg>>,
    depth: u32,
    memo: &'e Memo<'a>,
}

impl<'e, 'a> Ctx<'e, 'a> {
    fn new(file: usize, self_table: Option<TableId>, memo: &'e Memo<'a>) -> Self {
        Ctx {
            file,
            self_table,
            env: None,
            depth: 0,
            memo,
        }
    }
}

/// The table instances already resolved, by (file, expression): a query names its table in
/// every column it mentions, and following each through imports and barrels again made name
/// resolution most of linking a query-dense app.
#[derive(Default)]
pub(crate) struct Memo<'a> {
    all: RefCell<HashMap<(usize, &'a TableExpr), Option<TableRef>>>,
    /// The last one asked for: a mention mostly names the table the one before it named.
    last: RefCell<Option<MemoEntry<'a>>>,
}

type MemoEntry<'a> = ((usize, &'a TableExpr), Option<TableRef>);

pub(crate) fn strip_ts_ext(p: &Path) -> PathBuf {
    let s = p.to_string_lossy();
    match modules::strip_ext(&s) {
        stem if stem.len() < s.len() => PathBuf::from(stem),
        _ => p.to_path_buf(),
    }
}

/// Lexically resolves `.` and `..` (no file system access).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn common_prefix(a: &Path, b: &Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}

fn to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_of_keys() {
        assert_eq!(super::to_snake("organizationId"), "organization_id");
        assert_eq!(super::to_snake("id"), "id");
    }
}
