//! `drizzle-guard schema`: the schema model as the checker believes it.

use crate::facts::QueryKind;
use crate::link::{Project, Table, TenantScope, Through};
use serde_json::json;

/// The tables with the line each is defined on, sorted by SQL name, then `file:line`.
fn sorted_tables(p: &Project) -> Vec<(&Table, u32)> {
    let spans: Vec<_> = p.tables.iter().map(|t| (t.file, t.span)).collect();
    let lines = crate::locate::start_lines(p, &spans);
    let mut tables: Vec<(&Table, u32)> = p.tables.iter().zip(lines).collect();
    tables.sort_by_cached_key(|&(t, line)| (t.sql_name.clone(), location(p, t, line)));
    tables
}

fn location(p: &Project, t: &Table, line: u32) -> String {
    format!("{}:{}", p.units[t.file].rel, line)
}

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

/// Why the table is, or is not, tenant-scoped, and whether it is a tenant root.
fn tenancy(t: &Table) -> String {
    let mut why = match &t.tenant_scope {
        TenantScope::Column(c) => format!("scoped: owned through `{c}`"),
        TenantScope::Forced => "scoped: named in `tenant.tables`".into(),
        TenantScope::Exempt => "not scoped: named in `tenant.exemptTables`".into(),
        TenantScope::UniqueColumn(c) => format!(
            "not scoped: `{c}` is unique on its own and references no table (an external id of a tenant root or a one-to-one mapping; `tenant.tables` forces it)"
        ),
        TenantScope::SetNullPointer(c) => format!(
            "not scoped: `{c}` is a nullable reference with `onDelete: 'set null'` (a pointer, not ownership; `tenant.tables` forces it)"
        ),
        TenantScope::NoColumn => "not scoped: no column named in `tenant.columns`".into(),
    };
    if !t.root_refs.is_empty() {
        why.push_str(&format!(
            "; also filtered by {} (references a tenant root)",
            t.root_refs.join(", ")
        ));
    }
    if !t.root_of.is_empty() {
        let mut by = t
            .root_of
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if t.root_of.len() > 3 {
            by.push_str(&format!(" and {} more", t.root_of.len() - 3));
        }
        why.push_str(&format!(
            "; tenant root (referenced by {by}): equality on its primary key filters it"
        ));
    }
    why
}

pub fn render_text(p: &Project) -> String {
    let mut s = String::new();
    for (t, line) in sorted_tables(p) {
        let name = match &t.db_schema {
            Some(schema) => format!("{schema}.{}", t.sql_name),
            None => t.sql_name.clone(),
        };
        s.push_str(&format!(
            "{} ({}, `{}`, {})\n",
            name,
            t.dialect.name(),
            t.binding,
            location(p, t, line)
        ));
        s.push_str(&format!("  tenant:      {}\n", or_dash(&t.tenant_columns)));
        s.push_str(&format!("  tenancy:     {}\n", tenancy(t)));
        s.push_str(&format!(
            "  soft delete: {}\n",
            or_dash(&t.soft_delete_columns)
        ));
        let pk: Vec<String> = if t.primary_key.is_empty() {
            t.columns
                .iter()
                .filter(|c| c.primary)
                .map(|c| c.key.clone())
                .collect()
        } else {
            t.primary_key.clone()
        };
        s.push_str(&format!("  primary key: {}\n", or_dash(&pk)));
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                if c.sql_name == c.key {
                    c.key.clone()
                } else {
                    format!("{} ({})", c.key, c.sql_name)
                }
            })
            .collect();
        s.push_str(&format!("  columns:     {}\n", or_dash(&cols)));
        let uniques: Vec<String> = t.unique_keys().iter().map(|k| k.join("+")).collect();
        s.push_str(&format!("  unique:      {}\n", or_dash(&uniques)));
        let idx: Vec<String> = t
            .indexes
            .iter()
            .filter(|i| !i.primary)
            .map(|i| i.columns.join("+"))
            .collect();
        s.push_str(&format!("  indexes:     {}\n", or_dash(&idx)));
        let mut fks: Vec<String> = t
            .columns
            .iter()
            .filter_map(|c| {
                let (target, col) = c.references.as_ref()?;
                let target = target
                    .map(|id| p.table(id).sql_name.clone())
                    .unwrap_or_else(|| "?".into());
                Some(format!("{} -> {}.{}", c.key, target, col))
            })
            .collect();
        fks.extend(t.foreign_keys.iter().map(|fk| {
            let target = fk
                .target
                .map(|id| p.table(id).sql_name.clone())
                .unwrap_or_else(|| "?".into());
            format!(
                "{} -> {}.{}",
                fk.columns.join("+"),
                target,
                fk.target_columns.join("+")
            )
        }));
        s.push_str(&format!("  foreign keys: {}\n", or_dash(&fks)));
        if !t.named_references.is_empty() {
            let named: Vec<String> = t
                .named_references
                .iter()
                .map(|(c, target, col)| format!("{c} -> {}.{col}", p.table(*target).sql_name))
                .collect();
            s.push_str(&format!(
                "  named refs:  {} (undeclared; read from the column names, for tenant proofs)\n",
                named.join(", ")
            ));
        }
        let rels: Vec<String> = t
            .relations
            .iter()
            .map(|r| {
                let target = r
                    .target
                    .map(|id| p.table(id).binding.clone())
                    .unwrap_or_else(|| "?".into());
                let through = r
                    .through
                    .as_ref()
                    .map_or(String::new(), |l| format!(" through {}", link_name(p, l)));
                format!(
                    "{} ({} {}{through})",
                    r.name,
                    if r.many { "many" } else { "one" },
                    target
                )
            })
            .collect();
        s.push_str(&format!("  relations:   {}\n", or_dash(&rels)));
        if !t.unresolved_spreads.is_empty() {
            s.push_str(&format!(
                "  note: could not find the spread column objects {}\n",
                t.unresolved_spreads.join(", ")
            ));
        }
    }
    let tenant = p.tables.iter().filter(|t| t.is_tenant_scoped()).count();
    let soft = p.tables.iter().filter(|t| t.is_soft_delete()).count();
    s.push_str(&format!(
        "{} tables: {} tenant-scoped, {} soft-delete\n",
        p.tables.len(),
        tenant,
        soft
    ));
    s
}

pub fn render_json(p: &Project) -> String {
    let list: Vec<_> = sorted_tables(p)
        .into_iter()
        .map(|(t, line)| {
            json!({
                "name": t.sql_name,
                "schema": t.db_schema,
                "binding": t.binding,
                "dialect": t.dialect.name(),
                "file": p.units[t.file].rel,
                "line": line,
                "tenantColumns": t.tenant_columns,
                "tenantScoped": t.is_tenant_scoped(),
                "tenancy": tenancy(t),
                "tenantRootOf": t.root_of,
                "softDeleteColumns": t.soft_delete_columns,
                "columns": t.columns.iter().map(|c| json!({"key": c.key, "sqlName": c.sql_name, "primary": c.primary, "unique": c.unique})).collect::<Vec<_>>(),
                "uniqueKeys": t.unique_keys(),
                "namedReferences": t.named_references.iter().map(|(c, target, col)| json!({"column": c, "table": p.table(*target).sql_name, "targetColumn": col})).collect::<Vec<_>>(),
                "indexes": t.indexes.iter().map(|i| json!({"name": i.name, "columns": i.columns, "unique": i.unique})).collect::<Vec<_>>(),
                "relations": t.relations.iter().map(|r| {
                    let mut o = json!({"name": r.name, "many": r.many, "target": r.target.map(|id| p.table(id).binding.clone())});
                    if let Some(l) = &r.through {
                        o["through"] = json!(link_name(p, l));
                    }
                    o
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&json!({ "version": 1, "tables": list })).unwrap_or_default();
    s.push('\n');
    s
}

/// `schema --unresolved`: each query whose table is not in the schema, where it is and the
/// table as written, then how many.
pub fn render_unresolved_text(p: &Project) -> String {
    let found = crate::engine::unchecked_queries(p);
    let mut s = String::new();
    for q in &found {
        s.push_str(&format!(
            "{}:{}: {} of `{}`\n",
            crate::emit::escape_controls(&q.file),
            q.line,
            kind_name(q.kind),
            crate::emit::escape_controls(&q.table)
        ));
    }
    s.push_str(&format!(
        "{} {} not checked: {} not in the schema\n",
        found.len(),
        if found.len() == 1 { "query" } else { "queries" },
        if found.len() == 1 {
            "its table is"
        } else {
            "their tables are"
        }
    ));
    s
}

/// `schema --unresolved --format json`.
pub fn render_unresolved_json(p: &Project) -> String {
    let found = crate::engine::unchecked_queries(p);
    let mut s = serde_json::to_string_pretty(&json!({ "version": 1, "uncheckedQueries": found }))
        .unwrap_or_default();
    s.push('\n');
    s
}

fn kind_name(k: QueryKind) -> &'static str {
    match k {
        QueryKind::Select => "select",
        QueryKind::Count => "$count",
        QueryKind::FindMany => "findMany",
        QueryKind::FindFirst => "findFirst",
        QueryKind::Update => "update",
        QueryKind::Delete => "delete",
        QueryKind::Insert => "insert",
    }
}

/// A many-to-many's link table by its binding (`?` when not found).
fn link_name(p: &Project, l: &Through) -> String {
    l.table
        .map_or_else(|| "?".into(), |id| p.table(id).binding.clone())
}
