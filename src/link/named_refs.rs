//! References a schema does not declare but its column names state: `customDomains.projectId`
//! with no `.references(..)`, `foreignKey()` or `one(..)` relation, in a schema with one
//! `projects` table keyed by `id`. Schemas on databases without foreign keys (PlanetScale,
//! many MySQL apps) and tables added in a hurry leave them out; the column still holds a
//! project's id. Only the tenant rule's proofs through references (children of a checked
//! parent, joins through a foreign key) read them; tenant roots, which tables are
//! tenant-scoped and `unindexed-foreign-key` keep to declared references.

use super::model::Project;
use crate::ids::TableId;

impl Project {
    /// Fills [`super::Table::named_references`]: for each column of each table that references
    /// nothing declared, is not tenant-named and is not the table's own key, whose name is
    /// `<stem>Id` / `<stem>_id`, the one other table named the stem's plural or the stem (or,
    /// failing that, the column's table's own leading words followed by them: `clientId` of
    /// `oidcGrants` names `oidcClients`), referencing its unique `id` column, or else its
    /// one-column primary key.
    pub(super) fn infer_named_references(&mut self) {
        let names: Vec<(String, String)> = self
            .tables
            .iter()
            .map(|t| {
                (
                    super::schema::to_snake(&t.binding),
                    t.sql_name.to_lowercase(),
                )
            })
            .collect();
        let mut found = vec![];
        for t in &self.tables {
            let own_key = t.primary_key_columns();
            for c in &t.columns {
                if declared(t, &c.key)
                    || t.tenant_named.contains(&c.key)
                    || own_key.contains(&c.key)
                {
                    continue;
                }
                let Some(stem) = stem(&c.key).or_else(|| stem(&c.sql_name)) else {
                    continue;
                };
                let own = &names[t.id.0].0;
                let Some(target) = [String::new()]
                    .into_iter()
                    .chain(prefixes(own))
                    .find_map(|prefix| self.table_named(&names, t.id, &prefix, &stem))
                else {
                    continue;
                };
                // `<stem>Id` holds the target's `id`: its unique `id` column when it has one
                // beside another primary key (`pk` serial, `id` public), else its primary key.
                let tt = &self.tables[target.0];
                let key = if tt.unique_column("id") {
                    Some("id".to_string())
                } else if let [key] = tt.primary_key_columns().as_slice() {
                    Some(key.clone())
                } else {
                    None
                };
                if let Some(key) = key {
                    found.push((t.id, c.key.clone(), target, key));
                }
            }
        }
        for (t, col, target, key) in found {
            self.tables[t.0].named_references.push((col, target, key));
        }
    }

    /// The one table other than `me` whose name (binding or SQL name, snake case) is `prefix`
    /// then `stem`'s plural or `stem` itself; none when no table or several are.
    fn table_named(
        &self,
        names: &[(String, String)],
        me: TableId,
        prefix: &str,
        stem: &str,
    ) -> Option<TableId> {
        let wanted: Vec<String> = plurals(stem)
            .into_iter()
            .map(|s| format!("{prefix}{s}"))
            .collect();
        let mut hits = self.tables.iter().filter(|t| {
            t.id != me && {
                let (b, s) = &names[t.id.0];
                wanted.iter().any(|w| w == b || w == s)
            }
        });
        let first = hits.next()?;
        hits.all(|t| t.id == first.id).then_some(first.id)
    }
}

/// Whether column `key` of `t` has a declared reference (inline, `foreignKey()`, or a `one(..)`
/// relation with it as the only field).
fn declared(t: &super::Table, key: &str) -> bool {
    t.column(key).is_some_and(|c| c.references.is_some())
        || t.foreign_keys
            .iter()
            .any(|f| f.columns.iter().any(|c| c == key))
        || t.relations
            .iter()
            .any(|r| r.fields.iter().any(|f| f == key))
}

/// `projectId` / `project_id` → `project`; `parentCommentId` → `parent_comment`. None for `id`
/// and for names not ending in an id.
fn stem(name: &str) -> Option<String> {
    let s = super::schema::to_snake(name).to_lowercase();
    let stem = s.strip_suffix("_id")?;
    (!stem.is_empty()).then(|| stem.to_string())
}

/// The snake-case words of `own` before its last, each run with a trailing `_`:
/// `oidc_grants` → `oidc_`; `agent_eval_runs` → `agent_`, `agent_eval_`.
fn prefixes(own: &str) -> impl Iterator<Item = String> + '_ {
    own.match_indices('_').map(|(i, _)| own[..=i].to_string())
}

/// The names a table of rows called `stem` goes by: `stem` and its English plurals.
fn plurals(stem: &str) -> Vec<String> {
    let mut out = vec![stem.to_string(), format!("{stem}s")];
    if let Some(base) = stem.strip_suffix('y') {
        if !base.ends_with(['a', 'e', 'i', 'o', 'u']) {
            out.push(format!("{base}ies"));
        }
    }
    if stem.ends_with(['s', 'x']) || stem.ends_with("ch") || stem.ends_with("sh") {
        out.push(format!("{stem}es"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn stems_and_plurals() {
        assert_eq!(super::stem("projectId").as_deref(), Some("project"));
        assert_eq!(super::stem("project_id").as_deref(), Some("project"));
        assert_eq!(
            super::stem("parentCommentId").as_deref(),
            Some("parent_comment")
        );
        assert_eq!(super::stem("id"), None);
        assert_eq!(super::stem("paid"), None);
        assert!(super::plurals("company").contains(&"companies".to_string()));
        assert!(super::plurals("key").contains(&"keys".to_string()));
        assert!(!super::plurals("key").contains(&"kies".to_string()));
        assert!(super::plurals("box").contains(&"boxes".to_string()));
        let p: Vec<String> = super::prefixes("agent_eval_runs").collect();
        assert_eq!(p, ["agent_", "agent_eval_"]);
    }
}
