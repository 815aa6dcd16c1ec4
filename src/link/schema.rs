//! The schema model: every file's table definitions made into [`Table`]s, with their columns
//! (spread column groups included), keys, indexes, foreign keys, relations and the columns that
//! `tenant` and `softDelete` name.

use super::inline::Ctx;
use super::model::{Column, ForeignKey, Project, Relation, Table, TenantScope, Through};
use super::resolve::{Memo, Sym};
use crate::config::{Config, DeletedWhen};
use crate::facts::{ColumnArg, ColumnCall, ColumnDef, ColumnFn, Dialect, TableExpr, TableFnKind};
use crate::ids::{FileId, TableId};

impl Project {
    /// Every table, then (with every table known, so that references and relations resolve)
    /// their columns, then the relations between them.
    pub(super) fn build_tables(&mut self, config: &Config) {
        self.add_tables();
        self.fill_columns(config);
        self.add_relations();
        self.scope_tenants(config);
        self.infer_named_references();
        self.raw_names = super::model::RawNames {
            tenant: self.lowercased_names(|t| &t.tenant_named),
            deleted: self.lowercased_names(|t| &t.soft_delete_columns),
        };
    }

    /// The tables, by binding and by name, their columns and relations still empty.
    /// A table built through an imported table function takes its dialect, schema and name
    /// template from it; one whose callee is not a table function is no table.
    fn add_tables(&mut self) {
        let mut resolved: Vec<Option<(Dialect, Option<String>, String)>> = vec![];
        for (f, u) in self.units.iter_enumerated() {
            for t in &u.facts.tables {
                let Some(via) = &t.via else { continue };
                resolved.push(self.resolve_table_fn(f, via).map(|kind| match kind {
                    TableFnKind::Creator(d, template) => {
                        let name = match template {
                            Some((pre, post)) => format!("{pre}{}{post}", t.sql_name),
                            None => t.sql_name.clone(),
                        };
                        (*d, None, name)
                    }
                    TableFnKind::Schema(d, schema) => {
                        (*d, Some(schema.clone()), t.sql_name.clone())
                    }
                }));
            }
        }
        let mut resolved = resolved.into_iter();
        for (f, u) in self.units.iter_enumerated() {
            for t in &u.facts.tables {
                let (dialect, db_schema, sql_name) = match &t.via {
                    None => (t.dialect, t.db_schema.clone(), t.sql_name.clone()),
                    Some(_) => match resolved.next().flatten() {
                        Some(r) => r,
                        None => continue,
                    },
                };
                let id = TableId(self.tables.len());
                self.by_binding[f].insert(t.binding.clone(), id);
                self.by_name.entry(t.binding.clone()).or_default().push(id);
                self.tables.push(Table {
                    id,
                    file: f,
                    binding: t.binding.clone(),
                    sql_name,
                    db_schema,
                    dialect,
                    columns: vec![],
                    primary_key: t.primary_key.clone(),
                    indexes: t.indexes.clone(),
                    foreign_keys: vec![],
                    relations: vec![],
                    tenant_columns: vec![],
                    tenant_null: vec![],
                    tenant_named: vec![],
                    tenant_scope: TenantScope::NoColumn,
                    root_of: vec![],
                    root_refs: vec![],
                    soft_delete_columns: vec![],
                    soft_delete_when: vec![],
                    unresolved_spreads: vec![],
                    named_references: vec![],
                    unique_keys: vec![],
                    span: t.span,
                    name_span: t.name_span,
                });
            }
        }
    }

    /// Each table's columns (with spread groups), foreign keys, tenant and soft-delete columns
    /// and unique keys. Columns, spreads and references need name resolution, which reads
    /// `self`: they are worked out first, then stored.
    fn fill_columns(&mut self, config: &Config) {
        let snake = self.units.iter().any(|u| u.facts.snake_case) || config.casing_snake_case();
        let mut filled = vec![];
        // Enums by name: a column's builder names one (`status('state')`), imported or not.
        let enums: std::collections::HashSet<&str> = self
            .units
            .iter()
            .flat_map(|u| u.facts.enums.iter().map(|n| &**n))
            .collect();
        for table in &self.tables {
            let def = &self.units[table.file]
                .facts
                .tables
                .iter()
                .find(|t| t.binding == table.binding);
            let Some(def) = def else { continue };
            let mut columns: Vec<Column> = vec![];
            let mut unresolved = vec![];
            let mut add = |c: &ColumnDef, file: FileId, me: &Project| {
                // `id: id()`: the column the function returns, its reference read where
                // it is written.
                let made = c.call.as_deref().and_then(|call| {
                    match me.resolve_local(file, &call.callee, 0)? {
                        Sym::ColumnFn(f, i) => {
                            Some(made_by(c, call, &me.units[f].facts.column_fns[i], file, f))
                        }
                        _ => None,
                    }
                });
                let (c, ref_file) = match &made {
                    Some((c, f)) => (c, *f),
                    None => (c, file),
                };
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
                    .map(|r| (me.resolve_table(ref_file, &r.table), r.column.clone()));
                columns.retain(|x: &Column| x.key != c.key);
                columns.push(Column {
                    key: c.key.clone(),
                    sql_name,
                    primary: c.primary,
                    unique: c.unique,
                    boolean: c.boolean,
                    enumerated: c.enumerated || enums.contains(c.builder.as_str()),
                    has_default: c.has_default,
                    references,
                    not_null: c.not_null,
                    on_delete_set_null: c.on_delete_set_null,
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
            // `foreignKey({ columns: [t.teamId], .. }).onDelete('set null')` marks its one
            // column as `.references(.., { onDelete: 'set null' })` does.
            for fk in def.foreign_keys.iter().filter(|f| f.on_delete_set_null) {
                if let [k] = fk.columns.as_slice() {
                    for c in columns.iter_mut().filter(|c| &c.key == k) {
                        c.on_delete_set_null = true;
                    }
                }
            }
            let matches = |c: &Column, names: &[String]| {
                names.iter().any(|n| n == &c.key || n == &c.sql_name)
            };
            // `overrides` may set other columns for the tables of some files.
            let rel = &self.units[table.file].rel;
            let tenant: Vec<String> = columns
                .iter()
                .filter(|c| matches(c, config.tenant_columns_in(rel)))
                .map(|c| c.key.clone())
                .collect();
            let soft = soft_delete_of(
                table,
                &columns,
                &config.soft_delete,
                config.soft_delete_columns_in(rel),
            );
            let exempt = config
                .tenant_exempt_tables_in(rel)
                .iter()
                .any(|e| e == &table.binding || e == &table.sql_name);
            let tenant = if exempt { vec![] } else { tenant };
            filled.push((table.id, columns, fks, tenant, soft, unresolved));
        }
        for (id, columns, fks, tenant, soft, unresolved) in filled {
            let t = &mut self.tables[id.0];
            t.columns = columns;
            t.foreign_keys = fks;
            t.tenant_named = tenant;
            (t.soft_delete_columns, t.soft_delete_when) = soft.into_iter().unzip();
            t.unresolved_spreads = unresolved;
            t.unique_keys = t.derive_unique_keys();
        }
    }

    /// The relations of `relations(..)` and `defineRelations(..)`, each on its owning table.
    fn add_relations(&mut self) {
        let mut rels = vec![];
        let memo = Memo::default();
        for (f, u) in self.units.iter_enumerated() {
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
                    let through = rel.through.as_ref().map(|l| Through {
                        table: match (&l.table, r.by_key) {
                            (Some(TableExpr::Name(k)), true) => self.table_by_key(f, k),
                            _ => None,
                        },
                        from: l.from.clone(),
                        to: l.to.clone(),
                    });
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
                            through,
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
}

/// A table's soft-delete columns with the value that marks a row deleted: the table's entry in
/// `softDelete.tables`, else every column in `column_names` (`softDelete.columns`, or an override's for the
/// table's file); none for a table in
/// `softDelete.exemptTables`.
fn soft_delete_of(
    table: &Table,
    columns: &[Column],
    config: &crate::config::SoftDeleteConfig,
    column_names: &[String],
) -> Vec<(String, DeletedWhen)> {
    let named = |n: &String| n == &table.binding || n == &table.sql_name;
    if config.exempt_tables.iter().any(named) {
        return vec![];
    }
    let is = |c: &Column, n: &str| c.key == n || c.sql_name == n;
    let inferred = |c: &Column| {
        let flag = c.boolean
            || c.key.starts_with("is")
                && c.key[2..].starts_with(|ch: char| ch.is_ascii_uppercase() || ch == '_');
        if flag {
            DeletedWhen::True
        } else {
            DeletedWhen::NotNull
        }
    };
    if let Some((_, t)) = config.tables.iter().find(|(n, _)| named(n)) {
        return columns
            .iter()
            .filter(|c| is(c, &t.column))
            .map(|c| (c.key.clone(), t.deleted_when.unwrap_or_else(|| inferred(c))))
            .collect();
    }
    columns
        .iter()
        .filter(|c| column_names.iter().any(|n| is(c, n)))
        .map(|c| (c.key.clone(), inferred(c)))
        .collect()
}

impl Project {
    /// Which tables are tenant-scoped, and why; which are tenant roots (referenced by a tenant
    /// column, through a foreign key or a `one(..)` relation's fields); the tenant filter
    /// columns of each scoped table.
    fn scope_tenants(&mut self, config: &Config) {
        let named = |t: &Table, e: &String| e == &t.binding || e == &t.sql_name;
        // Roots first: the targets of every tenant-named column (of any table but the target),
        // referenced on a one-column unique key: a row each.
        let mut roots: Vec<(usize, String)> = vec![];
        for t in &self.tables {
            for key in &t.tenant_named {
                for target in self.keyed_targets_of_column(t, key) {
                    if target != t.id {
                        roots.push((target.0, format!("{}.{key}", t.binding)));
                    }
                }
            }
        }
        roots.sort();
        roots.dedup();
        for (i, by) in roots {
            self.tables[i].root_of.push(by);
        }
        for t in &mut self.tables {
            let exempt = config.tenant.exempt_tables.iter().any(|e| named(t, e));
            let forced = config.tenant.tables.iter().any(|e| named(t, e));
            let fk = |k: &str| {
                t.column(k).is_some_and(|c| c.references.is_some())
                    || t.foreign_keys
                        .iter()
                        .any(|f| f.columns.len() == 1 && f.columns[0] == k)
                    || t.relations
                        .iter()
                        .any(|r| !r.many && r.fields.len() == 1 && r.fields[0] == k)
            };
            let owner = t.tenant_named.iter().find(|k| {
                let c = t.column(k);
                // Unique and referencing nothing: an external id (on a tenant root, or a
                // one-to-one mapping). Unique and referencing a table: one row per tenant,
                // still owned by it.
                let unique = !fk(k) && t.unique_column(k);
                let pointer = c.is_some_and(|c| c.on_delete_set_null && !c.not_null);
                !unique && !pointer
            });
            t.tenant_scope = if exempt {
                TenantScope::Exempt
            } else if let Some(k) = owner {
                TenantScope::Column(k.clone())
            } else if forced {
                TenantScope::Forced
            } else if let Some(k) = t.tenant_named.first() {
                let c = t.column(k);
                if c.is_some_and(|c| c.on_delete_set_null && !c.not_null) {
                    TenantScope::SetNullPointer(k.clone())
                } else {
                    TenantScope::UniqueColumn(k.clone())
                }
            } else {
                TenantScope::NoColumn
            };
            t.tenant_columns = if t.tenant_scope.is_scoped() {
                let mut cols: Vec<String> = t.tenant_named.clone();
                // Each column is a filter on its own: a primary key of several columns is none.
                let key = t.primary_key_columns();
                if (!t.root_of.is_empty() || cols.is_empty()) && key.len() == 1 {
                    cols.extend(key);
                }
                cols.dedup();
                cols
            } else {
                vec![]
            };
            let not_null = |k: &String| t.column(k).is_some_and(|c| c.not_null);
            t.tenant_null = t
                .tenant_columns
                .iter()
                .filter(|k| !t.tenant_columns.iter().any(|o| o != *k && not_null(o)))
                .cloned()
                .collect();
        }
        // Other columns of scoped tables that reference a tenant root also pin rows to a
        // tenant (`keys.forWorkspaceId` beside `keys.workspaceId`).
        let mut refs = vec![];
        for t in self.tables.iter().filter(|t| t.is_tenant_scoped()) {
            let cols: Vec<String> = t
                .columns
                .iter()
                .filter(|c| !t.tenant_named.contains(&c.key))
                .filter(|c| {
                    self.targets_of_column(t, &c.key)
                        .iter()
                        .any(|r| !self.table(*r).root_of.is_empty())
                })
                .map(|c| c.key.clone())
                .collect();
            if !cols.is_empty() {
                refs.push((t.id, cols));
            }
        }
        for (id, cols) in refs {
            self.tables[id.0].root_refs = cols;
        }
    }

    /// The SQL name and the key, lowercased, of every column `of` gives (tenant-named,
    /// soft-delete) of every table.
    fn lowercased_names(&self, of: fn(&Table) -> &[String]) -> Vec<String> {
        let mut out = vec![];
        for t in &self.tables {
            for k in of(t) {
                let sql = t.column(k).map_or(k.as_str(), |c| c.sql_name.as_str());
                out.push(sql.to_lowercase());
                out.push(k.to_lowercase());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether lowercased raw SQL `text` holds one of `names` ([`Project::raw_names`]).
    pub(super) fn names_any(text: &str, names: &[String]) -> bool {
        names.iter().any(|n| text.contains(n.as_str()))
    }

    /// Whether column `key` of `t` references table `target` (see [`Self::targets_of_column`]).
    pub fn references(&self, t: &Table, key: &str, target: crate::ids::TableId) -> bool {
        references_of_column(t, key).any(|(r, _)| r == target)
    }

    /// The tables column `key` of `t` references on a one-column unique key of theirs (a
    /// primary key, a unique column): one row each. A reference to any other column (a
    /// relation `fields: [t.teamId], references: [categories.teamId]`) names no row.
    pub fn keyed_targets_of_column(&self, t: &Table, key: &str) -> Vec<crate::ids::TableId> {
        let mut out: Vec<_> = self.keyed_targets(t, key).collect();
        out.sort();
        out.dedup();
        out
    }

    /// [`Self::keyed_targets_of_column`] unsorted, maybe with repeats, without allocating.
    pub fn keyed_targets<'a>(
        &'a self,
        t: &'a Table,
        key: &'a str,
    ) -> impl Iterator<Item = crate::ids::TableId> + 'a {
        references_of_column(t, key).filter_map(move |(target, col)| {
            col.filter(|c| self.tables[target.0].unique_column(c))
                .map(|_| target)
        })
    }

    /// The tables column `key` of `t` references: its inline or `foreignKey()` reference, or
    /// a `one(..)` relation with it as the only field.
    pub fn targets_of_column(&self, t: &Table, key: &str) -> Vec<crate::ids::TableId> {
        let mut out: Vec<_> = references_of_column(t, key)
            .map(|(target, _)| target)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Each reference of column `key` of `t` (its inline or `foreignKey()` reference, a `one(..)`
/// relation with it as the only field): the table, and the column referenced when it is one.
fn references_of_column<'t>(
    t: &'t Table,
    key: &'t str,
) -> impl Iterator<Item = (crate::ids::TableId, Option<&'t str>)> {
    let inline = t
        .column(key)
        .and_then(|c| c.references.as_ref())
        .and_then(|(target, col)| Some(((*target)?, Some(col.as_str()))));
    let one = |cols: &'t [String]| match cols {
        [c] => Some(c.as_str()),
        _ => None,
    };
    let fks = t
        .foreign_keys
        .iter()
        .filter(move |fk| fk.columns.len() == 1 && fk.columns[0] == key)
        .filter_map(move |fk| Some((fk.target?, one(&fk.target_columns))));
    let relations = t
        .relations
        .iter()
        .filter(move |r| !r.many && r.fields.len() == 1 && r.fields[0] == key)
        .filter_map(move |r| Some((r.target?, one(&r.references))));
    let named = t
        .named_references
        .iter()
        .filter(move |(c, _, _)| c == key)
        .map(|(_, target, col)| (*target, Some(col.as_str())));
    inline.into_iter().chain(fks).chain(relations).chain(named)
}

pub(super) fn to_snake(key: &str) -> String {
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

/// A column written as a call to a column function (`id: id()`, `slug: named('slug')`,
/// `ownerId: fk(() => users.id)`): the column the function returns, under the table's key and
/// at the call, with the name or reference the call gives it and the modifiers chained after
/// it (`id().notNull()`); and the file its reference is written in (the function's, unless
/// the call gives it or chains its own).
fn made_by(
    site: &ColumnDef,
    call: &ColumnCall,
    f: &ColumnFn,
    file: FileId,
    fn_file: FileId,
) -> (ColumnDef, FileId) {
    let arg = |i: Option<usize>| call.args.get(i?);
    let sql_name = match f.name_param {
        Some(_) => match arg(f.name_param) {
            Some(ColumnArg::Str(s)) => Some(s.clone()),
            _ => None,
        },
        None => f.column.sql_name.clone(),
    };
    let (references, ref_file) = match (&site.references, arg(f.references_param)) {
        (Some(r), _) | (None, Some(ColumnArg::Ref(r))) => (Some(r.clone()), file),
        // A parameter given something else: the target is not known.
        _ if f.references_param.is_some() => (None, file),
        _ => (f.column.references.clone(), fn_file),
    };
    let c = &f.column;
    let made = ColumnDef {
        key: site.key.clone(),
        sql_name,
        builder: c.builder.clone(),
        boolean: c.boolean,
        enumerated: c.enumerated,
        primary: c.primary || site.primary,
        unique: c.unique || site.unique,
        has_default: c.has_default || site.has_default,
        references,
        not_null: c.not_null || site.not_null,
        on_delete_set_null: c.on_delete_set_null || site.on_delete_set_null,
        call: None,
        span: site.span,
    };
    (made, ref_file)
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_of_keys() {
        assert_eq!(super::to_snake("organizationId"), "organization_id");
        assert_eq!(super::to_snake("id"), "id");
    }
}
