//! `compilerOptions.paths` / `baseUrl` from the nearest tsconfig.json, for import aliases like `@/db`.

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
    /// The aliases of the nearest tsconfig.json at or above `dir` (a normal path).
    pub fn for_dir(&self, dir: &str) -> Option<Arc<PathAliases>> {
        if let Ok(cache) = self.by_dir.lock() {
            if let Some(v) = cache.get(dir) {
                return v.clone();
            }
        }
        let candidate = Path::new(dir).join("tsconfig.json");
        let found = if candidate.is_file() {
            load(&candidate, 0).map(Arc::new)
        } else {
            match dir {
                "" | "/" => None,
                _ => self.for_dir(dir_of(dir)),
            }
        };
        // The first answer stored wins: threads that raced to load the same tsconfig then share
        // one copy, which callers may tell apart by address.
        match self.by_dir.lock() {
            Ok(mut cache) => cache.entry(dir.into()).or_insert(found).clone(),
            Err(_) => found,
        }
    }
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
