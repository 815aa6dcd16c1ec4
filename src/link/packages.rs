//! The packages of a workspace, by their package.json `name`, so that `@acme/db` and
//! `@acme/db/schema` resolve to the package's source files as the package manager links them:
//! through `exports` (subpaths, patterns and conditions), else `types`/`module`/`main`, with a
//! built `dist/` entry also tried under `src/` (workspaces point at their build output, which is
//! not read), else the package's (or its `src/`) `index`.

use super::paths::{dir_of, normal};
use serde_json::Value;
use std::path::Path;

type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// One workspace package: its directory (normal) and its entry points by subpath.
struct Package {
    dir: String,
    manifest: Value,
}

#[derive(Default)]
pub(super) struct Packages {
    by_name: HashMap<String, Package>,
}

impl Packages {
    /// The named packages whose package.json lies in one of `dirs` (normal) or a directory
    /// between it and `root`. node_modules is never walked, so these are the workspace's own.
    pub(super) fn find<'d>(root: &Path, dirs: impl Iterator<Item = &'d str>) -> Packages {
        let root = normal(&root.to_string_lossy());
        let mut seen: rustc_hash::FxHashSet<String> = Default::default();
        let mut by_name = HashMap::default();
        for dir in dirs {
            let mut d = dir;
            while d.len() >= root.len() && d.starts_with(root.as_str()) {
                if !seen.insert(d.to_string()) {
                    break;
                }
                if let Some((name, manifest)) = read(d) {
                    by_name.entry(name).or_insert(Package {
                        dir: d.to_string(),
                        manifest,
                    });
                }
                match dir_of(d) {
                    parent if parent.len() < d.len() => d = parent,
                    _ => break,
                }
            }
        }
        Packages { by_name }
    }

    /// The package a bare specifier names, and the subpath after its name (`""` for the
    /// package itself).
    fn split<'s>(&self, spec: &'s str) -> Option<(&Package, &'s str)> {
        if self.by_name.is_empty() {
            return None;
        }
        let segments = if spec.starts_with('@') { 2 } else { 1 };
        let end = spec
            .match_indices('/')
            .nth(segments - 1)
            .map_or(spec.len(), |(i, _)| i);
        let package = self.by_name.get(&spec[..end])?;
        Some((package, spec[end..].trim_start_matches('/')))
    }

    /// Resolves `spec` with `at(base, path)`, which looks a module up by a normal base
    /// directory and a path relative to it.
    pub(super) fn resolve<T>(
        &self,
        spec: &str,
        at: &mut dyn FnMut(&str, &str) -> Option<T>,
    ) -> Option<T> {
        let (package, sub) = self.split(spec)?;
        let dir = package.dir.as_str();
        for target in entries(&package.manifest, sub) {
            if let Some(found) = at(dir, &target) {
                return Some(found);
            }
            for built in ["dist/", "build/", "lib/", "out/"] {
                if let Some(i) = target.find(built) {
                    let src = format!("{}src/{}", &target[..i], &target[i + built.len()..]);
                    if let Some(found) = at(dir, &src) {
                        return Some(found);
                    }
                }
            }
        }
        let sub = if sub.is_empty() { "index" } else { sub };
        at(dir, sub).or_else(|| at(dir, &format!("src/{sub}")))
    }
}

/// The `name` and manifest of the package.json in the directory `dir`, if it has a name.
fn read(dir: &str) -> Option<(String, Value)> {
    let text = std::fs::read_to_string(Path::new(dir).join("package.json")).ok()?;
    let mut manifest: Value = serde_json::from_str(&text).ok()?;
    let name = manifest.get("name")?.as_str()?.to_string();
    // Only the entry points are kept.
    if let Value::Object(m) = &mut manifest {
        m.retain(|k, _| {
            matches!(
                k.as_str(),
                "exports" | "types" | "typings" | "module" | "main"
            )
        });
    }
    Some((name, manifest))
}

/// The entry points a manifest gives for a subpath, most specific first.
fn entries(manifest: &Value, sub: &str) -> Vec<String> {
    let key = if sub.is_empty() {
        ".".to_string()
    } else {
        format!("./{sub}")
    };
    let mut out = vec![];
    match manifest.get("exports") {
        Some(Value::Object(map)) if map.keys().any(|k| k.starts_with('.')) => {
            if let Some(v) = map.get(&key) {
                strings(v, &mut out, None, 0);
            }
            for (pattern, v) in map {
                let Some((head, tail)) = pattern.split_once('*') else {
                    continue;
                };
                if let Some(rest) = key.strip_prefix(head).and_then(|r| r.strip_suffix(tail)) {
                    strings(v, &mut out, Some(rest), 0);
                }
            }
        }
        Some(conditions) if sub.is_empty() => strings(conditions, &mut out, None, 0),
        _ => {}
    }
    if sub.is_empty() {
        for field in ["types", "typings", "module", "main"] {
            if let Some(Value::String(s)) = manifest.get(field) {
                out.push(s.clone());
            }
        }
    }
    out
}

/// Every string of an `exports` value (conditions in their order, arrays in theirs), with `*`
/// replaced by `star` where given.
fn strings(v: &Value, out: &mut Vec<String>, star: Option<&str>, depth: u32) {
    match v {
        Value::String(s) => out.push(match star {
            Some(r) => s.replace('*', r),
            None => s.clone(),
        }),
        Value::Array(a) if depth < 4 => a.iter().for_each(|x| strings(x, out, star, depth + 1)),
        Value::Object(m) if depth < 4 => m.values().for_each(|x| strings(x, out, star, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_follow_exports_then_the_classic_fields() {
        let m = json!({
            "exports": {
                ".": { "types": "./src/index.ts", "import": "./dist/index.js" },
                "./schema": "./src/schema/index.ts",
                "./tables/*": "./src/tables/*.ts"
            },
            "main": "./dist/index.js"
        });
        let mut main = entries(&m, "");
        main.sort();
        assert_eq!(
            main,
            ["./dist/index.js", "./dist/index.js", "./src/index.ts"]
        );
        assert_eq!(entries(&m, "schema"), ["./src/schema/index.ts"]);
        assert_eq!(entries(&m, "tables/users"), ["./src/tables/users.ts"]);
        assert!(entries(&m, "nope").is_empty());
        assert_eq!(entries(&json!({ "exports": "./x.ts" }), ""), ["./x.ts"]);
    }
}
