//! `compilerOptions.paths` / `baseUrl` from the nearest tsconfig.json, for import aliases like `@/db`;
//! and SvelteKit's `$lib` where the tsconfig SvelteKit generates (`.svelte-kit/tsconfig.json`,
//! which a SvelteKit app's tsconfig extends) is not there, as on a fresh checkout.

use super::modules::PathAliases;
use super::paths::{dir_of, normal};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Caches the aliases in force for each directory, by its lexically normal path.
#[derive(Default)]
pub struct TsconfigCache {
    by_dir: Mutex<HashMap<Box<str>, Option<Arc<PathAliases>>>>,
}

impl TsconfigCache {
    /// The aliases of the nearest tsconfig.json or SvelteKit app (`svelte.config.js`) at or
    /// above `dir` (a normal path).
    pub fn for_dir(&self, dir: &str) -> Option<Arc<PathAliases>> {
        if let Ok(cache) = self.by_dir.lock() {
            if let Some(v) = cache.get(dir) {
                return v.clone();
            }
        }
        let candidate = Path::new(dir).join("tsconfig.json");
        let svelte = SVELTE_CONFIGS
            .iter()
            .map(|name| Path::new(dir).join(name))
            .find(|p| p.is_file());
        let above = || match dir {
            "" | "/" => None,
            _ => self.for_dir(dir_of(dir)),
        };
        let found = match (candidate.is_file(), svelte) {
            (true, None) => load(&candidate, 0).map(Arc::new),
            (true, Some(config)) => {
                let aliases = load(&candidate, 0).unwrap_or_default();
                Some(Arc::new(with_kit_lib(aliases, dir, &config)))
            }
            // A SvelteKit app with no tsconfig of its own: the one above, and `$lib`.
            (false, Some(config)) => {
                let aliases = above().map(|a| (*a).clone()).unwrap_or_default();
                Some(Arc::new(with_kit_lib(aliases, dir, &config)))
            }
            (false, None) => above(),
        };
        // The first answer stored wins: threads that raced to load the same tsconfig then share
        // one copy, which callers may tell apart by address.
        match self.by_dir.lock() {
            Ok(mut cache) => cache.entry(dir.into()).or_insert(found).clone(),
            Err(_) => found,
        }
    }
}

/// The names of a SvelteKit app's configuration, at its root.
const SVELTE_CONFIGS: [&str; 2] = ["svelte.config.js", "svelte.config.ts"];

/// `aliases` with SvelteKit's `$lib` (and `$lib/*`) for the app at `dir` whose configuration is
/// `config`, unless they name it already (the generated tsconfig does): the configuration's
/// `kit.files.lib` when it is a string, else `src/lib`.
fn with_kit_lib(mut aliases: PathAliases, dir: &str, config: &Path) -> PathAliases {
    if aliases
        .paths
        .iter()
        .any(|(k, _)| k == "$lib" || k == "$lib/*")
    {
        return aliases;
    }
    let lib = std::fs::read_to_string(config)
        .ok()
        .and_then(|src| crate::kit_config::read_svelte_kit_lib(config, &src))
        .unwrap_or_else(|| "src/lib".to_owned());
    let lib = Path::new(dir).join(lib).to_string_lossy().into_owned();
    aliases.paths.push(("$lib".to_owned(), vec![lib.clone()]));
    aliases
        .paths
        .push(("$lib/*".to_owned(), vec![format!("{lib}/*")]));
    aliases
}

fn load(path: &Path, depth: u32) -> Option<PathAliases> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&crate::jsonc::strip(&text).ok()?).ok()?;
    let dir = path.parent()?;
    let mut out = match value.get("extends").and_then(|e| e.as_str()) {
        Some(ext) if depth < 4 && ext.starts_with('.') => {
            let mut p = dir.join(ext);
            if p.extension().is_none() {
                p.set_extension("json");
            }
            load(&p, depth + 1).unwrap_or_default()
        }
        _ => PathAliases::default(),
    };
    let opts = value.get("compilerOptions");
    if let Some(base) = opts.and_then(|o| o.get("baseUrl")).and_then(|b| b.as_str()) {
        out.base_url = Some(normal(&dir.join(base).to_string_lossy()));
    }
    if let Some(paths) = opts
        .and_then(|o| o.get("paths"))
        .and_then(|p| p.as_object())
    {
        let root = match &out.base_url {
            Some(b) => PathBuf::from(b),
            None => dir.to_path_buf(),
        };
        out.paths = paths
            .iter()
            .map(|(k, v)| {
                let targets = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str())
                            .map(|t| root.join(t).to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                (k.clone(), targets)
            })
            .collect();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::TsconfigCache;
    use crate::link::paths::normal;
    use std::fs;

    /// The targets `$lib/*` names in `dir`, if any.
    fn lib_targets(dir: &std::path::Path) -> Option<Vec<String>> {
        let aliases = TsconfigCache::default().for_dir(&normal(&dir.to_string_lossy()))?;
        aliases
            .paths
            .iter()
            .find(|(k, _)| k == "$lib/*")
            .map(|(_, t)| t.iter().map(|t| normal(t)).collect())
    }

    #[test]
    fn sveltekit_lib_without_the_generated_tsconfig() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let want = |lib: &str| Some(vec![normal(&root.join(lib).to_string_lossy())]);
        // A tsconfig that extends the generated one, which is not there: `src/lib`, beside the
        // tsconfig's own `paths`.
        fs::write(root.join("svelte.config.js"), "export default { kit: {} };").unwrap();
        fs::write(
            root.join("tsconfig.json"),
            r#"{ "extends": "./.svelte-kit/tsconfig.json", "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
        )
        .unwrap();
        assert_eq!(lib_targets(root), want("src/lib/*"));
        let aliases = TsconfigCache::default().for_dir(&normal(&root.to_string_lossy()));
        assert!(aliases.unwrap().paths.iter().any(|(k, _)| k == "@/*"));
        // The generated one, once there, says where `$lib` is.
        fs::create_dir(root.join(".svelte-kit")).unwrap();
        fs::write(
            root.join(".svelte-kit/tsconfig.json"),
            r#"{ "compilerOptions": { "paths": { "$lib": ["../app/lib"], "$lib/*": ["../app/lib/*"] } } }"#,
        )
        .unwrap();
        fs::write(
            root.join("tsconfig.json"),
            r#"{ "extends": "./.svelte-kit/tsconfig.json" }"#,
        )
        .unwrap();
        assert_eq!(lib_targets(root), want("app/lib/*"));
        // No tsconfig at all: `kit.files.lib` when the configuration names it.
        fs::remove_file(root.join("tsconfig.json")).unwrap();
        fs::write(
            root.join("svelte.config.js"),
            "export default { kit: { files: { lib: 'src/shared' } } };",
        )
        .unwrap();
        assert_eq!(lib_targets(root), want("src/shared/*"));
        // No SvelteKit app: no `$lib`.
        fs::remove_file(root.join("svelte.config.js")).unwrap();
        assert_eq!(lib_targets(root), None);
    }
}
