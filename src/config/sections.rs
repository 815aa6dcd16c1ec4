//! The configuration's sections and values below the top level: `tenant`, `softDelete`,
//! `pagination`, rule levels, `overrides`, and their defaults.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum Casing {
    #[serde(rename = "snake_case")]
    SnakeCase,
    #[serde(rename = "camelCase")]
    CamelCase,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantConfig {
    #[serde(default = "default_tenant_columns")]
    pub columns: Vec<String>,
    #[serde(default)]
    pub exempt_tables: Vec<String>,
    /// Tables that are tenant-scoped whatever their columns say (by binding or SQL name).
    #[serde(default)]
    pub tables: Vec<String>,
    /// `"fk"` (default): a joined table is proven through a foreign key of a proven instance;
    /// `"strict"`: every joined table needs its own tenant condition.
    #[serde(default)]
    pub joins: TenantJoins,
    /// Globs of system code (seeds, scripts, migrations) that serves no tenant's request: no
    /// tenant findings there, and its calls do not decide a helper's proof by its callers.
    #[serde(default = "default_system_paths")]
    pub system_paths: Vec<String>,
}

/// How joined tables get their tenant proof (`tenant.joins`).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TenantJoins {
    /// Through foreign keys of proven instances, or their own condition.
    #[default]
    Fk,
    /// Only through their own condition.
    Strict,
}

pub const DEFAULT_SYSTEM_PATHS: &[&str] = &[
    "**/scripts/**",
    "**/seed/**",
    "**/seeds/**",
    "**/*.seed.ts",
    "**/migrations/**",
];

fn default_system_paths() -> Vec<String> {
    DEFAULT_SYSTEM_PATHS.iter().map(|s| s.to_string()).collect()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SoftDeleteConfig {
    #[serde(default = "default_soft_delete_columns")]
    pub columns: Vec<String>,
    /// Per table (by export or SQL name): its soft-delete column and which value means
    /// deleted, instead of `columns`.
    #[serde(default)]
    pub tables: BTreeMap<String, SoftDeleteTable>,
    /// Tables that are never soft-delete, whatever their columns.
    #[serde(default)]
    pub exempt_tables: Vec<String>,
    /// Which joins to a parent row by its key are reported (see `soft-delete-filter`).
    #[serde(default)]
    pub parent_joins: ParentJoins,
    /// The level of findings on reads of one row by a unique key.
    #[serde(default)]
    pub keyed_reads: KeyedReads,
}

/// One table's soft delete under `softDelete.tables`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SoftDeleteTable {
    /// The column, by TypeScript key or SQL name.
    pub column: String,
    /// Which value means deleted; by default a boolean column (or one named `is..`) is deleted
    /// when `true`, any other when not null.
    #[serde(default)]
    pub deleted_when: Option<DeletedWhen>,
}

/// Which value of a soft-delete column marks a row deleted.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum DeletedWhen {
    /// A timestamp (`deletedAt`): set means deleted.
    #[serde(rename = "notNull")]
    NotNull,
    /// A flag (`isDeleted`): `true` means deleted.
    #[serde(rename = "true")]
    True,
    /// An inverted flag (`isActive`): `false` means deleted.
    #[serde(rename = "false")]
    False,
}

/// `softDelete.parentJoins`: which joins to a parent row by its key (`innerJoin(pages,
/// eq(pages.id, blocks.pageId))`) are reported when they leave the parent's deleted rows in.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ParentJoins {
    /// Inner joins, which choose the rows (a left join only shows the parent, like a `one`
    /// relation).
    #[default]
    Inner,
    /// Every join, left joins too.
    All,
    /// None: a parent reached by its key is like a `one` relation.
    None,
}

/// `softDelete.keyedReads`: the level of findings on a read of one row by a unique key.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum KeyedReads {
    /// The rule's level.
    Error,
    /// At most a warning.
    #[default]
    Warning,
    /// Not reported.
    Off,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PaginationConfig {
    #[serde(default)]
    pub exempt_tables: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    /// `"warn"` is read as `"warning"`, as ESLint and oxlint spell it.
    #[serde(alias = "warn")]
    Warning,
    Off,
}

/// One entry of `overrides`: settings for the files its globs match.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Override {
    /// Globs, relative to the configuration file, of the files this override applies to.
    pub files: Vec<String>,
    /// Rule levels for findings in these files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleLevel>,
    /// Tenant settings for the tables defined in these files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<TenantOverride>,
    /// Soft-delete settings for the tables defined in these files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_delete: Option<SoftDeleteOverride>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_tables: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SoftDeleteOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

pub const DEFAULT_TENANT_COLUMNS: &[&str] = &[
    "organizationId",
    "organization_id",
    "orgId",
    "org_id",
    "tenantId",
    "tenant_id",
    "workspaceId",
    "workspace_id",
    "teamId",
    "team_id",
];

pub const DEFAULT_SOFT_DELETE_COLUMNS: &[&str] = &[
    "deletedAt",
    "deleted_at",
    "isDeleted",
    "is_deleted",
    "isTrashed",
    "is_trashed",
    "trashedAt",
    "trashed_at",
];

fn default_tenant_columns() -> Vec<String> {
    DEFAULT_TENANT_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn default_soft_delete_columns() -> Vec<String> {
    DEFAULT_SOFT_DELETE_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

pub(super) fn default_max_file_size() -> u64 {
    2 * 1024 * 1024
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            columns: default_tenant_columns(),
            exempt_tables: vec![],
            tables: vec![],
            joins: TenantJoins::Fk,
            system_paths: default_system_paths(),
        }
    }
}

impl Default for SoftDeleteConfig {
    fn default() -> Self {
        SoftDeleteConfig {
            columns: default_soft_delete_columns(),
            tables: BTreeMap::new(),
            exempt_tables: vec![],
            parent_joins: ParentJoins::default(),
            keyed_reads: KeyedReads::default(),
        }
    }
}
