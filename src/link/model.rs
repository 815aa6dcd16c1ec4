//! The linked project: files, schema tables and queries with their table references resolved.
//! Plain data, read by the rules; the sibling modules build it.

use crate::config::DeletedWhen;
use crate::facts::{Dialect, FileFacts, IndexDef, Name};
use crate::ids::{FileId, PerFile, TableId};
use crate::parse::FileProblem;
use crate::predicate::{Col, Pred, TableRef};
use crate::span::Span;
use std::path::PathBuf;

/// Paths and identifiers hashed in a few instructions (the default hasher, built to resist
/// flooding, made hashing paths a visible part of linking).
pub(super) type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// One checked source file.
#[derive(Debug, Clone)]
pub struct Unit {
    pub path: PathBuf,
    /// Relative to the scan root, `/`-separated: what every output shows.
    pub rel: String,
    pub facts: FileFacts,
    pub problem: Option<FileProblem>,
    /// False when `--changed-since` leaves this file out of the checks (it still feeds the schema).
    pub check: bool,
    /// A test file (`source::is_test_file`), asked once here rather than by each reader.
    pub test: bool,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub key: String,
    pub sql_name: String,
    pub primary: bool,
    pub unique: bool,
    /// Holds a boolean: `boolean(..)`, SQLite's `integer(.., { mode: 'boolean' })`.
    pub boolean: bool,
    /// Holds one of a few values: built by an enum (`pgEnum(..)`'s product, `mysqlEnum(..)`),
    /// or a text column given its values (`text(.., { enum: [..] })`, `varchar`, `char`).
    pub enumerated: bool,
    /// Filled when an insert leaves it out (see [`crate::facts::ColumnDef::has_default`]).
    pub has_default: bool,
    pub references: Option<(Option<TableId>, String)>,
    pub not_null: bool,
    /// The reference is `onDelete: 'set null'`.
    pub on_delete_set_null: bool,
    /// Where the column is defined (a shared object's file for spread columns).
    pub file: FileId,
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
    /// A v2 many-to-many's link table: the rows loaded are those its rows pair with the
    /// parent's.
    pub through: Option<Through>,
}

/// The link table a many-to-many relation goes through (`from: r.tasks.id.through(
/// r.taskLabels.taskId), to: r.labels.id.through(r.taskLabels.labelId)`): `from` are its columns
/// equal to the relation's `fields`, `to` those equal to its `references`. No table when the
/// link was not found.
#[derive(Debug, Clone)]
pub struct Through {
    pub table: Option<TableId>,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// Why a table is, or is not, tenant-scoped (`drizzle-guard schema` prints it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TenantScope {
    /// It has a column named in `tenant.columns` that is neither of the exceptions below.
    Column(String),
    /// Named in `tenant.tables`.
    Forced,
    /// Named in `tenant.exemptTables`.
    Exempt,
    /// Its tenant-named column is unique on its own and references no table: the table is a
    /// tenant root or a one-to-one mapping (an external organization id), not owned by a
    /// tenant.
    UniqueColumn(String),
    /// Its tenant-named column is a nullable foreign key with `onDelete: 'set null'`: a
    /// pointer (a user's current team), not ownership.
    SetNullPointer(String),
    /// No column named in `tenant.columns`.
    #[default]
    NoColumn,
}

impl TenantScope {
    pub fn is_scoped(&self) -> bool {
        matches!(self, TenantScope::Column(_) | TenantScope::Forced)
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub id: TableId,
    pub file: FileId,
    pub binding: String,
    pub sql_name: String,
    pub db_schema: Option<String>,
    pub dialect: Dialect,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub indexes: Vec<IndexDef>,
    pub foreign_keys: Vec<ForeignKey>,
    pub relations: Vec<Relation>,
    /// The columns whose equality to a value is the table's tenant filter: those matching
    /// `tenant.columns`, then, for a tenant root, its primary key. Empty when the table is not
    /// tenant-scoped ([`Table::tenant_scope`] says why).
    pub tenant_columns: Vec<String>,
    /// The tenant columns whose `isNull(..)` keeps to rows no tenant owns: each, when every
    /// other tenant column of the table is nullable. (With `userId` not null beside
    /// `workspaceId`, `isNull(workspaceId)` keeps every user's personal rows.)
    pub tenant_null: Vec<String>,
    /// Every column matching `tenant.columns` (empty for an exempt table), whether or not
    /// it makes the table tenant-scoped.
    pub tenant_named: Vec<String>,
    /// Whether the table is tenant-scoped, and why.
    pub tenant_scope: TenantScope,
    /// The tenant columns (`table.column`) that reference this table: it is a tenant root.
    pub root_of: Vec<String>,
    /// Of a tenant-scoped table, its other columns that reference a tenant root
    /// (`keys.forWorkspaceId`): equality on one also pins the rows to a tenant.
    pub root_refs: Vec<String>,
    /// Keys of the columns matching `softDelete.columns`.
    pub soft_delete_columns: Vec<String>,
    /// Which value of each soft-delete column (aligned with `soft_delete_columns`) marks a row
    /// deleted.
    pub soft_delete_when: Vec<DeletedWhen>,
    /// Spreads whose object could not be found: the column list may be incomplete.
    pub unresolved_spreads: Vec<String>,
    /// References its column names state but the schema does not declare (`projectId` → the
    /// one `projects` table's key): column key, target, target column. See `named_refs`.
    pub named_references: Vec<(String, TableId, String)>,
    /// Column sets that identify one row (see [`Table::unique_keys`]), derived once.
    pub(super) unique_keys: Vec<Vec<String>>,
    pub span: Span,
    /// The SQL name argument: where findings about the table as a whole are reported.
    pub name_span: Span,
}

impl Table {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
    /// The primary key's columns: `.primaryKey()` columns, else the composite key.
    pub fn primary_key_columns(&self) -> Vec<String> {
        let inline: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.primary)
            .map(|c| c.key.clone())
            .collect();
        if inline.is_empty() {
            self.primary_key.clone()
        } else {
            inline
        }
    }
    pub fn is_tenant_scoped(&self) -> bool {
        !self.tenant_columns.is_empty()
    }
    /// `key` is one of the table's tenant columns.
    pub fn is_tenant_column(&self, key: &str) -> bool {
        self.tenant_columns.iter().any(|c| c == key)
    }
    pub fn is_soft_delete(&self) -> bool {
        !self.soft_delete_columns.is_empty()
    }
    /// The first soft-delete column and which value marks a row deleted.
    pub fn soft_delete(&self) -> Option<(&str, DeletedWhen)> {
        let col = self.soft_delete_columns.first()?;
        let when = self
            .soft_delete_when
            .first()
            .copied()
            .unwrap_or(DeletedWhen::NotNull);
        Some((col, when))
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
    /// each set once. A partial unique index (`uniqueIndex().on(t.ownerId).where(..)`) is not
    /// one: it makes its columns unique only among the rows its condition selects.
    pub fn unique_keys(&self) -> &[Vec<String>] {
        &self.unique_keys
    }

    /// Column `key` is unique on its own (a one-column key of [`Self::unique_keys`]): one
    /// value names one row.
    pub fn unique_column(&self, key: &str) -> bool {
        self.unique_keys.iter().any(|u| u.len() == 1 && u[0] == key)
    }

    /// The columns that are unique on their own and hold a secret, by their name (key or SQL
    /// name ending in `hash`, `token` or `secret`, or named `code`): an API key's hash, an
    /// OAuth code, a link token. Whoever holds the secret is entitled to the row, so a lookup
    /// by one finds the row without knowing its tenant.
    pub fn secret_keys(&self) -> Vec<String> {
        self.unique_keys
            .iter()
            .filter(|u| u.len() == 1 && self.is_secret(&u[0]))
            .map(|u| u[0].clone())
            .collect()
    }

    /// Column `key` holds a secret by its name (see [`Self::secret_keys`]), unique or not, and
    /// is no tenant column.
    pub fn is_secret(&self, key: &str) -> bool {
        let secret = |name: &str| {
            let n: String = name
                .chars()
                .filter(|c| *c != '_' && *c != '-')
                .map(|c| c.to_ascii_lowercase())
                .collect();
            n == "code" || ["hash", "token", "secret"].iter().any(|s| n.ends_with(s))
        };
        !self.is_tenant_column(key)
            && (secret(key) || self.column(key).is_some_and(|c| secret(&c.sql_name)))
    }

    pub(super) fn derive_unique_keys(&self) -> Vec<Vec<String>> {
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
                .filter(|i| i.unique && !i.partial)
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
    /// `where_` is an `or` of the conditions on each path through the code that builds the
    /// query (a builder given its `where` in a branch, or by a function on some paths),
    /// `Undefined` on a path with none; not an `or` written in one condition.
    pub on_paths: bool,
    pub joins: Vec<LinkedJoin>,
    pub with: Vec<LinkedWith>,
    /// The `groupBy(..)` columns that resolve to columns of schema tables.
    pub group_by: Vec<Col>,
    /// For a subquery `inArray(col, db.select({ id: T.id }).from(T)..)`: `col` and the column
    /// it selects (`T.id`), both resolved, and where it is used (see
    /// [`crate::facts::InArraySubquery::at`]).
    pub in_array: Option<(Col, Col, crate::span::Span)>,
    /// The keys of a select's shape that name another table's column or a column under another
    /// name (`QuerySite::selected`), resolved: (key, instance, column).
    pub selected: Vec<(Name, TableRef, Name)>,
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

    /// [`Self::conditions`] on each path through the code that builds the query, when they
    /// differ by path (`on_paths`): each path's `where` with the joins' conditions.
    pub fn path_conditions(&self) -> Option<Vec<ConditionParts<'_>>> {
        let Some(Pred::Or(paths)) = self.where_.as_ref().filter(|_| self.on_paths) else {
            return None;
        };
        let on = || self.joins.iter().filter_map(|j| j.on.as_ref());
        Some(
            paths
                .iter()
                .map(|w| ConditionParts::Many(std::iter::once(w).chain(on()).collect()))
                .collect(),
        )
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

/// Which rows a join keeps when its condition finds no match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// None (`innerJoin`, a cross join): its condition restricts every row of the result.
    Dropped,
    /// The rows before it (`leftJoin`): its condition restricts only the rows it joins.
    KeepBefore,
    /// Its own rows (`rightJoin`): its condition restricts only the rows before it.
    KeepJoined,
    /// Both (`fullJoin`).
    KeepBoth,
}

impl LinkedJoin {
    pub fn unmatched(&self) -> Unmatched {
        match &*self.kind {
            "leftJoin" | "leftJoinLateral" => Unmatched::KeepBefore,
            "rightJoin" => Unmatched::KeepJoined,
            "fullJoin" => Unmatched::KeepBoth,
            _ => Unmatched::Dropped,
        }
    }

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
    pub units: PerFile<Unit>,
    pub tables: Vec<Table>,
    /// Per unit, the resolved queries.
    pub queries: PerFile<Vec<LinkedQuery>>,
    /// Per unit, its tables by binding.
    pub(super) by_binding: PerFile<HashMap<String, TableId>>,
    /// Per module, every name reachable through its `export *` chain, with the modules that
    /// export it themselves, in the order a lookup tries them (see `resolve::star_exports`).
    pub(super) stars: PerFile<HashMap<String, Vec<FileId>>>,
    /// The module each import, then each export, of each unit names (unit `f`'s from
    /// `target_starts[f]`, aligned with `facts.imports` then `facts.exports`), resolved once
    /// rather than on every lookup.
    pub(super) targets: Vec<Option<FileId>>,
    pub(super) target_starts: Vec<usize>,
    pub(super) by_name: HashMap<String, Vec<TableId>>,
    /// Request input passed into project functions' parameters (`link::origins`).
    pub input_params: InputParams,
    /// The files that import each file or re-export from it, built on first use
    /// (`Project::callers`).
    pub(super) importers: std::sync::OnceLock<PerFile<Vec<FileId>>>,
    /// `Project::callers`' answers, per file and function, each found on first use (rules on
    /// many files ask about the same functions) and read without a lock after that; a file's
    /// slots are made when one of its functions is first asked about (few are).
    pub(super) callers: PerFile<std::sync::OnceLock<Box<[std::sync::OnceLock<Callers>]>>>,
    /// The tRPC input keys each procedure's middlewares check membership for.
    pub checked_inputs: CheckedInputs,
    /// How raw SQL text may name each tenant-named and each soft-delete column (its SQL name
    /// and its key, lowercased), made once with the tables (see `Project::names_any`).
    pub(super) raw_names: RawNames,
    /// `tenant.joins: "fk"` (the default): a foreign key carries a tenant proof across a join
    /// (and across a link table no tenant owns) to the rows it ties; `"strict"`: it does not.
    /// Every tenant proof through a join reads it here, the checked rows' included.
    pub fk_joins: bool,
    /// The modules each Nuxt or Nitro server file sees without importing them.
    pub(super) auto_imports: super::auto_imports::AutoImports,
    /// `tenant.systemPaths`: the files of system code (see [`Project::is_system`]).
    pub(super) system_paths: globset::GlobSet,
}

/// See [`Project::raw_names`].
#[derive(Debug, Default)]
pub(super) struct RawNames {
    pub tenant: Vec<String>,
    pub deleted: Vec<String>,
}

impl Project {
    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0]
    }

    /// The project files that `f`'s imports and re-exports name (a file once per specifier).
    pub fn imported_files(&self, f: FileId) -> impl Iterator<Item = FileId> + '_ {
        self.targets_of(f).iter().flatten().copied()
    }

    /// The modules `f`'s imports, then its exports, name.
    pub(super) fn targets_of(&self, f: FileId) -> &[Option<FileId>] {
        &self.targets[self.target_starts[f.0]..self.target_starts[f.0 + 1]]
    }

    /// The queries of `file` as written, with their index in `queries[file]`: what the rules
    /// about a query's own clauses (its tenant filter, soft delete, limit, ordering) report on.
    /// A prepared statement's runs are left out: each is its statement once more where it runs
    /// (`stmt.execute({..})`), checked where the statement is written. Proofs of checked rows
    /// and N+1, which ask where queries run, read every entry of `queries[file]`.
    pub fn written_queries(&self, file: FileId) -> impl Iterator<Item = (usize, &LinkedQuery)> {
        let sites = &self.units[file].facts.queries;
        self.queries[file]
            .iter()
            .enumerate()
            .filter(|(_, q)| sites[q.site].prepared.is_none())
    }

    /// Whether `file` is system code (`tenant.systemPaths`: seeds, scripts, migrations): it
    /// serves no tenant's request, so it gets no tenant findings, and its calls are not among
    /// the callers that decide a helper's proof (as a test file's are not).
    pub fn is_system(&self, file: FileId) -> bool {
        !self.system_paths.is_empty() && self.system_paths.is_match(&self.units[file].rel)
    }

    /// The module the `i`th export of `module` re-exports from.
    pub(super) fn export_target(&self, module: FileId, i: usize) -> Option<FileId> {
        self.targets_of(module)[self.units[module].facts.imports.len() + i]
    }
}

/// Request input that reaches a parameter of a project function (or a property of one).
#[derive(Debug, Clone)]
pub struct InputParam {
    pub index: u32,
    /// The parameter's property the input fills (`teamId` for `f({ teamId: input.teamId })`),
    /// or empty for the whole parameter.
    pub prefix: Box<str>,
    /// For an object spread into the parameter: the keys the object writes out, which the
    /// spread does not fill (`{ teamId: ctx.teamId, ...input }` means the `teamId` written).
    pub except: Vec<crate::facts::Name>,
    pub input: crate::facts::InputOrigin,
    /// The file the input is read in.
    pub file: FileId,
    /// The calls that pass it on, from where it is read: each call's file and index in that
    /// file's `origins.calls`.
    pub calls: Vec<(FileId, usize)>,
}

/// Every call of a function (its file, its index in `origins.calls`), when all are known.
pub type Callers = Option<Vec<(FileId, usize)>>;

/// The input reaching each project function's parameters, keyed by (file, the function's
/// span start).
#[derive(Debug, Default)]
pub struct InputParams(pub(super) HashMap<(FileId, u32), Vec<InputParam>>);

/// For each file, the tRPC procedures (the span of their `.query(fn)` call) whose middlewares
/// check membership, with the input paths they check (`input.teamId`).
#[derive(Debug, Default)]
pub struct CheckedInputs(pub(super) PerFile<Vec<(Span, Vec<Box<str>>)>>);

impl CheckedInputs {
    /// Whether a middleware of the procedure in `file` holding offset `at` checked `path` of
    /// its input.
    pub fn at(&self, file: FileId, at: u32, path: &str) -> bool {
        self.0.get(file).is_some_and(|procs| {
            procs
                .iter()
                .any(|(s, paths)| s.lo <= at && at < s.hi && paths.iter().any(|p| **p == *path))
        })
    }
}
