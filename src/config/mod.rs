//! `drizzle-guard.json` (or `drizzle-guard.jsonc`): found in the starting directory or any parent,
//! or named with `--config`. Comments and trailing commas are allowed in both.
//! `drizzle-guard.schema.json` at the repository root is its JSON Schema; a test keeps the two in
//! agreement. `schema` and `casing` are also read from `drizzle.config.ts` in the root.
//!
//! Globs (`include`, `exclude`, `schema`, `overrides[].files`) and `baseline` are relative to the
//! configuration file's directory; [`Config::anchor`] rewrites the globs relative to the root once
//! the root is known, so every later match is on a root-relative path.

use crate::error::Error;
use crate::rule_id::RuleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod sections;
pub use sections::*;

pub const FILE_NAME: &str = "drizzle-guard.json";

/// The configuration file names looked for in each directory, in this order.
pub const FILE_NAMES: &[&str] = &[FILE_NAME, "drizzle-guard.jsonc"];

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
    #[serde(default = "sections::default_max_file_size")]
    pub max_file_size: u64,
    /// Check test files (`*.test.ts`, `*.spec.ts`, `__tests__/`, `e2e/`, .. see
    /// `source::is_test_file`) too. By default they are read only for what other files take
    /// from them (imports, exports, module-level definitions such as tables), and no rule
    /// reports in them.
    #[serde(default)]
    pub check_test_files: bool,
    /// A baseline file (relative to this configuration file) applied to every `check` that
    /// names none with `--baseline`.
    #[serde(default)]
    pub baseline: Option<String>,
    /// Settings for the files matching some globs (a package of a monorepo); a later override
    /// wins over an earlier one, and any override over the top-level settings.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Where the configuration was read from, if anywhere.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// The `overrides[].files` globs, compiled by [`Config::anchor`].
    #[serde(skip)]
    override_files: Vec<globset::GlobSet>,
    /// The `drizzle.config.ts` that `schema` or `casing` were read from, if any.
    #[serde(skip)]
    pub drizzle_kit_path: Option<PathBuf>,
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

    /// The overrides whose `files` match a root-relative path, last (strongest) first.
    fn overrides_for<'a, 'r>(
        &'a self,
        rel: &'r str,
    ) -> impl Iterator<Item = &'a Override> + use<'a, 'r> {
        self.overrides
            .iter()
            .zip(&self.override_files)
            .rev()
            .filter(move |(_, set)| set.is_match(rel))
            .map(|(o, _)| o)
    }

    /// The level of a rule for findings in the file at `rel` (root-relative): the last
    /// matching override's that sets it, else `rules`', else `None` (the rule's default).
    pub fn level_in(&self, rule: RuleId, rel: &str) -> Option<RuleLevel> {
        if self.overrides.is_empty() {
            return self.level(rule);
        }
        self.overrides_for(rel)
            .find_map(|o| o.rules.get(rule.name()).copied())
            .or_else(|| self.level(rule))
    }

    /// Whether a rule is off for the file at `rel`.
    pub fn is_off_in(&self, rule: RuleId, rel: &str) -> bool {
        self.level_in(rule, rel) == Some(RuleLevel::Off)
    }

    /// Whether a rule is off everywhere: at the top level and in every override that sets it.
    pub fn is_off_everywhere(&self, rule: RuleId) -> bool {
        self.is_off(rule)
            && self.overrides.iter().all(|o| {
                o.rules
                    .get(rule.name())
                    .is_none_or(|l| *l == RuleLevel::Off)
            })
    }

    /// `tenant.columns` for the tables defined in the file at `rel`.
    pub fn tenant_columns_in(&self, rel: &str) -> &[String] {
        self.overrides_for(rel)
            .find_map(|o| o.tenant.as_ref()?.columns.as_deref())
            .unwrap_or(&self.tenant.columns)
    }

    /// `tenant.exemptTables` for the tables defined in the file at `rel`.
    pub fn tenant_exempt_tables_in(&self, rel: &str) -> &[String] {
        self.overrides_for(rel)
            .find_map(|o| o.tenant.as_ref()?.exempt_tables.as_deref())
            .unwrap_or(&self.tenant.exempt_tables)
    }

    /// `softDelete.columns` for the tables defined in the file at `rel`.
    pub fn soft_delete_columns_in(&self, rel: &str) -> &[String] {
        self.overrides_for(rel)
            .find_map(|o| o.soft_delete.as_ref()?.columns.as_deref())
            .unwrap_or(&self.soft_delete.columns)
    }

    /// The directory the configuration's relative paths start from: the configuration file's.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// The `baseline` file, resolved against the configuration file's directory.
    pub fn baseline_path(&self) -> Option<PathBuf> {
        let b = self.baseline.as_deref()?;
        Some(match self.base_dir() {
            Some(dir) => dir.join(b),
            None => PathBuf::from(b),
        })
    }

    /// Rewrites the globs, written relative to the configuration file's directory, relative to
    /// `root`, and compiles the overrides' globs. A configuration file outside the root (named
    /// with `--config`) keeps its globs root-relative: they cannot name files it does not hold.
    pub fn anchor(&mut self, root: &Path) -> Result<(), Error> {
        let prefix = self
            .base_dir()
            .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()))
            .and_then(|d| d.strip_prefix(root).ok().map(Path::to_path_buf))
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .filter(|rel| !rel.is_empty());
        if let Some(prefix) = &prefix {
            let escaped = escape_glob(prefix);
            let rebase = |g: &mut String| {
                let rest = g.trim_start_matches("./");
                *g = format!("{escaped}/{rest}");
            };
            self.include.iter_mut().for_each(rebase);
            self.exclude.iter_mut().for_each(rebase);
            self.schema.iter_mut().for_each(rebase);
            self.tenant.system_paths.iter_mut().for_each(rebase);
            for o in &mut self.overrides {
                o.files.iter_mut().for_each(rebase);
            }
        }
        let path = self.path.clone().unwrap_or_default();
        self.override_files = vec![];
        for (i, o) in self.overrides.iter().enumerate() {
            let mut b = globset::GlobSetBuilder::new();
            for (j, g) in o.files.iter().enumerate() {
                let glob =
                    globset::Glob::new(g.trim_start_matches("./")).map_err(|e| Error::Config {
                        path: path.clone(),
                        message: format!("`overrides[{i}].files[{j}]`: invalid glob `{g}`: {e}"),
                    })?;
                b.add(glob);
            }
            let set = b.build().map_err(|e| Error::Config {
                path: path.clone(),
                message: format!("`overrides[{i}].files`: {e}"),
            })?;
            self.override_files.push(set);
        }
        Ok(())
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
        config.path = Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        config.validate()?;
        Ok(config)
    }

    /// Parses a configuration document, comments and trailing commas allowed; the error names
    /// the key path (`tenant.colums`).
    pub fn from_json(text: &str) -> Result<Config, String> {
        let text = crate::jsonc::strip(text)?;
        let mut de = serde_json::Deserializer::from_str(&text);
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

    /// The nearest configuration file in `start` or a parent directory, if any. Two in one
    /// directory (`.json` and `.jsonc`) are an error: which one applies would be a guess.
    pub fn find(start: &Path) -> Result<Option<PathBuf>, Error> {
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        while let Some(d) = dir {
            let found: Vec<PathBuf> = FILE_NAMES
                .iter()
                .map(|n| d.join(n))
                .filter(|p| p.is_file())
                .collect();
            match found.as_slice() {
                [] => {}
                [one] => return Ok(Some(one.clone())),
                [first, ..] => {
                    return Err(Error::Config {
                        path: first.clone(),
                        message: format!(
                            "both {} are in this directory; keep one",
                            FILE_NAMES.join(" and ")
                        ),
                    })
                }
            }
            dir = d.parent();
        }
        Ok(None)
    }

    /// The nearest configuration file in `start` or a parent directory (or the defaults),
    /// anchored at `start` as the root, with `drizzle.config.ts` of `start` adopted.
    pub fn discover(start: &Path) -> Result<Config, Error> {
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        Config::discover_from(&abs, &abs)
    }

    /// The nearest configuration file in `from` or a parent directory (or the defaults),
    /// anchored at `root`, with the root's `drizzle.config.ts` adopted.
    pub fn discover_from(from: &Path, root: &Path) -> Result<Config, Error> {
        let mut config = match Config::find(from)? {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        };
        config.anchor(root)?;
        config.adopt_drizzle_kit(root);
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
        for (i, o) in self.overrides.iter().enumerate() {
            let at = |message: String| Error::Config {
                path: path.clone(),
                message: format!("`overrides[{i}].{message}"),
            };
            if o.files.is_empty() {
                return Err(at("files` is empty; list the globs it applies to".into()));
            }
            for (j, g) in o.files.iter().enumerate() {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(at(format!("files[{j}]`: invalid glob `{g}`: {e}")));
                }
            }
            if let Some(name) = o.rules.keys().find(|n| RuleId::from_name(n).is_none()) {
                return Err(at(format!(
                    "rules.{name}` names no rule; `drizzle-guard rule` lists them"
                )));
            }
            if o.tenant
                .as_ref()
                .and_then(|t| t.columns.as_ref())
                .is_some_and(Vec::is_empty)
            {
                return Err(at(
                    "tenant.columns` is empty; list at least one column name".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A directory path as a glob matching itself: each glob metacharacter in a class of its own.
fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '!') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
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

    #[test]
    fn comments_trailing_commas_and_warn_are_read() {
        let c = Config::from_json(
            "{\n  // the tenant\n  \"tenant\": { \"columns\": [\"ownerId\",], /* x */ },\n  \"rules\": { \"hard-delete\": \"warn\" },\n}\n",
        )
        .unwrap();
        assert_eq!(c.tenant.columns, vec!["ownerId".to_string()]);
        assert_eq!(c.level(RuleId::HardDelete), Some(RuleLevel::Warning));
        // A mistake after a comment still names its key path.
        let err = Config::from_json("{ /* a */ \"tenant\": { \"colums\": [] } }").unwrap_err();
        assert!(err.starts_with("`tenant.colums`: unknown field"), "{err}");
    }

    #[test]
    fn overrides_apply_in_order_to_matching_files() {
        let mut c = Config::from_json(
            r#"{"rules": {"hard-delete": "off"},
                "overrides": [
                  {"files": ["packages/**"], "rules": {"hard-delete": "error"}, "tenant": {"columns": ["accountId"]}},
                  {"files": ["packages/legacy/**"], "rules": {"hard-delete": "warn"}}
                ]}"#,
        )
        .unwrap();
        c.anchor(Path::new("/r")).unwrap();
        assert_eq!(
            c.level_in(RuleId::HardDelete, "apps/a.ts"),
            Some(RuleLevel::Off)
        );
        assert_eq!(
            c.level_in(RuleId::HardDelete, "packages/db/a.ts"),
            Some(RuleLevel::Error)
        );
        assert_eq!(
            c.level_in(RuleId::HardDelete, "packages/legacy/a.ts"),
            Some(RuleLevel::Warning)
        );
        assert!(!c.is_off_everywhere(RuleId::HardDelete));
        assert_eq!(c.tenant_columns_in("packages/legacy/s.ts"), ["accountId"]);
        assert!(c
            .tenant_columns_in("apps/s.ts")
            .contains(&"organizationId".to_string()));
        assert_eq!(
            c.soft_delete_columns_in("packages/db/s.ts"),
            c.soft_delete.columns
        );
    }

    #[test]
    fn globs_are_anchored_at_the_configuration_file() {
        let mut c = Config::from_json(
            r#"{"include": ["src/**"], "exclude": ["./gen/**"], "overrides": [{"files": ["src/legacy/**"], "rules": {"tenant-filter": "off"}}]}"#,
        )
        .unwrap();
        c.path = Some(PathBuf::from("/r/apps/[web]/drizzle-guard.json"));
        c.anchor(Path::new("/r")).unwrap();
        assert_eq!(c.include, ["apps/[[]web[]]/src/**"]);
        assert_eq!(c.exclude, ["apps/[[]web[]]/gen/**"]);
        assert!(c.is_off_in(RuleId::TenantFilter, "apps/[web]/src/legacy/a.ts"));
        assert!(!c.is_off_in(RuleId::TenantFilter, "src/legacy/a.ts"));
        assert_eq!(c.baseline_path(), None, "no baseline key, no baseline");
        c.baseline = Some("baseline.json".into());
        assert_eq!(
            c.baseline_path(),
            Some(PathBuf::from("/r/apps/[web]/baseline.json"))
        );
    }

    #[test]
    fn override_mistakes_name_their_key_path() {
        let load = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join(FILE_NAME);
            std::fs::write(&file, text).unwrap();
            Config::load(&file).unwrap_err().to_string()
        };
        let e = load(r#"{"overrides": [{"files": ["a/**"], "rules": {"nope": "off"}}]}"#);
        assert!(e.contains("`overrides[0].rules.nope`"), "{e}");
        let e = load(r#"{"overrides": [{"files": []}]}"#);
        assert!(e.contains("`overrides[0].files`"), "{e}");
        let e = load(r#"{"overrides": [{"files": ["a/["]}]}"#);
        assert!(e.contains("`overrides[0].files[0]`"), "{e}");
        let e = load(r#"{"overrides": [{"files": ["a"], "tenant": {"colums": []}}]}"#);
        assert!(e.contains("`overrides[0].tenant.colums`"), "{e}");
    }
}
