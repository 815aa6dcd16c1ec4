//! `drizzle-guard.json`: found in the scanned root or any parent, or named with `--config`.

use crate::error::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "drizzle-guard.json";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    #[serde(rename = "$schema", default)]
    pub schema_url: Option<String>,
    /// Globs of files to check (default: every TypeScript file).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Globs of schema files (default: any file defining tables).
    #[serde(default)]
    pub schema: Vec<String>,
    /// `snake_case` maps name-less column builders to snake_case SQL names.
    #[serde(default)]
    pub casing: Option<Casing>,
    #[serde(default)]
    pub tenant: TenantConfig,
    #[serde(default)]
    pub soft_delete: SoftDeleteConfig,
    #[serde(default)]
    pub pagination: PaginationConfig,
    /// Per-rule severity: `error`, `warning` or `off`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
    /// Files larger than this many bytes are reported and skipped.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Where the configuration was read from, if anywhere.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum Casing {
    #[serde(rename = "snake_case")]
    SnakeCase,
    #[serde(rename = "camelCase")]
    CamelCase,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantConfig {
    #[serde(default = "default_tenant_columns")]
    pub columns: Vec<String>,
    #[serde(default)]
    pub exempt_tables: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SoftDeleteConfig {
    #[serde(default = "default_soft_delete_columns")]
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PaginationConfig {
    #[serde(default)]
    pub exempt_tables: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
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

fn default_max_file_size() -> u64 {
    2 * 1024 * 1024
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            columns: default_tenant_columns(),
            exempt_tables: vec![],
        }
    }
}

impl Default for SoftDeleteConfig {
    fn default() -> Self {
        SoftDeleteConfig {
            columns: default_soft_delete_columns(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        serde_json::from_str("{}")
            .unwrap_or_else(|_| unreachable!("the empty configuration is valid"))
    }
}

impl Config {
    pub fn casing_snake_case(&self) -> bool {
        self.casing == Some(Casing::SnakeCase)
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut config: Config = serde_json::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: describe_serde_error(&e),
        })?;
        config.path = Some(path.to_path_buf());
        config.validate()?;
        Ok(config)
    }

    /// The nearest `drizzle-guard.json` in `start` or a parent directory, or the defaults.
    pub fn discover(start: &Path) -> Result<Config, Error> {
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate);
            }
            dir = d.parent();
        }
        Ok(Config::default())
    }

    fn validate(&self) -> Result<(), Error> {
        let path = self.path.clone().unwrap_or_default();
        for name in self.rules.keys() {
            if crate::rules::find(name).is_none() {
                return Err(Error::Config {
                    path,
                    message: format!(
                        "`rules.{name}` names no rule; `drizzle-guard rule` lists them ({})",
                        crate::rules::names().join(", ")
                    ),
                });
            }
        }
        for (key, globs) in [
            ("include", &self.include),
            ("exclude", &self.exclude),
            ("schema", &self.schema),
        ] {
            for g in globs {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(Error::Config {
                        path,
                        message: format!("`{key}` has an invalid glob `{g}`: {e}"),
                    });
                }
            }
        }
        if self.tenant.columns.is_empty() {
            return Err(Error::Config {
                path,
                message: "`tenant.columns` is empty; list at least one column name".into(),
            });
        }
        Ok(())
    }
}

/// serde_json says "unknown field `x`, expected one of ..." with a line and column; keep it, it names the key.
fn describe_serde_error(e: &serde_json::Error) -> String {
    format!("{e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_design() {
        let c = Config::default();
        assert!(c.tenant.columns.contains(&"organizationId".to_string()));
        assert!(c.soft_delete.columns.contains(&"deleted_at".to_string()));
        assert!(c.rules.is_empty());
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let err = serde_json::from_str::<Config>(r#"{"tenant": {"colums": []}}"#).unwrap_err();
        assert!(err.to_string().contains("colums"), "{err}");
    }
}
