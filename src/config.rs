//! `drizzle-guard.json`: found in the scanned root or any parent, or named with `--config`.
//! `drizzle-guard.schema.json` at the repository root is its JSON Schema; a test keeps the two in
//! agreement. `schema` and `casing` are also read from `drizzle.config.ts` in the root.

use crate::error::Error;
use crate::rule_id::RuleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "drizzle-guard.json";

/// drizzle-kit's configuration files, in the order drizzle-kit looks for them.
pub const DRIZZLE_KIT_FILES: &[&str] = &[
    "drizzle.config.ts",
    "drizzle.config.mts",
    "drizzle.config.cts",
    "drizzle.config.js",
    "drizzle.config.mjs",
    "drizzle.config.cjs",
];

#[derive(Debug, Clone, Deserialize, Serialize)]
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
    /// Globs of schema files, relative to the root (default: any file defining tables). They
    /// are read for the schema model even when `include`/`exclude` leave them out of the checks
    /// (with the files they import by relative path), and a change to one makes
    /// `--changed-since` check everything.
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
    /// Per-rule severity: `error`, `warning` or `off`, by rule name; read through
    /// [`Config::level`].
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
    /// Files larger than this many bytes are reported and skipped.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Check test files (`*.test.ts`, `*.spec.ts`, `__tests__/`, `__mocks__/`) too. They are
    /// always read (for the schema and helpers); by default no rule reports in them.
    #[serde(default)]
    pub check_test_files: bool,
    /// Where the configuration was read from, if anywhere.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The `drizzle.config.ts` that `schema` or `casing` were read from, if any.
    #[serde(skip)]
    pub drizzle_kit_path: Option<PathBuf>,
}

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
    /// tenant findings there.
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
    /// The level `rules` sets for a rule, `None` when it sets none (the rule's default).
    pub fn level(&self, rule: RuleId) -> Option<RuleLevel> {
        self.rules.get(rule.name()).copied()
    }

    /// Whether `rules` turns a rule off.
    pub fn is_off(&self, rule: RuleId) -> bool {
        self.level(rule) == Some(RuleLevel::Off)
    }

    pub fn casing_snake_case(&self) -> bool {
        self.casing == Some(Casing::SnakeCase)
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut config = Config::from_json(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        config.path = Some(path.to_path_buf());
        config.validate()?;
        Ok(config)
    }

    /// Parses a configuration document; the error names the key path (`tenant.colums`).
    pub fn from_json(text: &str) -> Result<Config, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let config: Config = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            // The path includes an unknown key itself (`tenant.colums`).
            let key = e.path().to_string();
            let message = e.into_inner().to_string();
            if key == "." {
                message
            } else {
                format!("`{key}`: {message}")
            }
        })?;
        de.end().map_err(|e| e.to_string())?;
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
                let mut config = Config::load(&candidate)?;
                config.adopt_drizzle_kit(&abs);
                return Ok(config);
            }
            dir = d.parent();
        }
        let mut config = Config::default();
        config.adopt_drizzle_kit(&abs);
        Ok(config)
    }

    /// Takes `schema` and `casing` from the `drizzle.config.ts` in `root` where this
    /// configuration leaves them unset. The file is parsed, never run; a file that does not
    /// parse, or whose values are not literals, contributes nothing.
    pub fn adopt_drizzle_kit(&mut self, root: &Path) {
        if !self.schema.is_empty() && self.casing.is_some() {
            return;
        }
        let Some(path) = DRIZZLE_KIT_FILES
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.is_file())
        else {
            return;
        };
        // Like every file of the root, never read through a link that leads out of it.
        let Ok(src) = crate::source::read_source(&crate::source::Root::new(root), &path, u64::MAX)
        else {
            return;
        };
        let Some(kit) = crate::kit_config::read_drizzle_kit_config(&path, &src) else {
            return;
        };
        let mut used = false;
        if self.schema.is_empty() && !kit.schema.is_empty() {
            // drizzle-kit resolves these against its own directory, which is the root here.
            self.schema = kit
                .schema
                .iter()
                .map(|p| p.trim_start_matches("./").to_string())
                .filter(|p| globset::Glob::new(p).is_ok())
                .collect();
            used = !self.schema.is_empty();
        }
        if self.casing.is_none() {
            self.casing = match kit.casing.as_deref() {
                Some("snake_case") => Some(Casing::SnakeCase),
                Some("camelCase") => Some(Casing::CamelCase),
                _ => None,
            };
            used |= self.casing.is_some();
        }
        if used {
            self.drizzle_kit_path = Some(path);
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let path = self.path.clone().unwrap_or_default();
        for name in self.rules.keys() {
            if RuleId::from_name(name).is_none() {
                return Err(Error::Config {
                    path,
                    message: format!(
                        "`rules.{name}` names no rule; `drizzle-guard rule` lists them ({})",
                        RuleId::ALL
                            .iter()
                            .map(|r| r.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        for (key, globs) in [
            ("include", &self.include),
            ("exclude", &self.exclude),
            ("schema", &self.schema),
            ("tenant.systemPaths", &self.tenant.system_paths),
        ] {
            for (i, g) in globs.iter().enumerate() {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(Error::Config {
                        path,
                        message: format!("`{key}[{i}]`: invalid glob `{g}`: {e}"),
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
    fn unknown_keys_are_errors_that_name_the_key_path() {
        let err = Config::from_json(r#"{"tenant": {"colums": []}}"#).unwrap_err();
        assert!(err.starts_with("`tenant.colums`: unknown field"), "{err}");
        let err = Config::from_json(r#"{"tenantt": {}}"#).unwrap_err();
        assert!(err.starts_with("`tenantt`: unknown field"), "{err}");
    }

    #[test]
    fn wrong_types_name_the_key_path() {
        let err = Config::from_json(r#"{"tenant": {"columns": "orgId"}}"#).unwrap_err();
        assert!(err.starts_with("`tenant.columns`: invalid type"), "{err}");
        let err = Config::from_json(r#"{"rules": {"tenant-filter": "fatal"}}"#).unwrap_err();
        assert!(
            err.starts_with("`rules.tenant-filter`: unknown variant"),
            "{err}"
        );
        let err = Config::from_json(r#"{"include": ["a", 3]}"#).unwrap_err();
        assert!(err.starts_with("`include[1]`: invalid type"), "{err}");
    }

    #[test]
    fn levels_are_read_by_rule() {
        let c = Config::from_json(r#"{"rules": {"hard-delete": "off", "n-plus-one": "error"}}"#)
            .unwrap();
        assert_eq!(c.level(RuleId::HardDelete), Some(RuleLevel::Off));
        assert!(c.is_off(RuleId::HardDelete));
        assert_eq!(c.level(RuleId::NPlusOne), Some(RuleLevel::Error));
        assert!(!c.is_off(RuleId::NPlusOne));
        assert_eq!(c.level(RuleId::TenantFilter), None);
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(Config::from_json("{} {}").is_err());
    }
}
