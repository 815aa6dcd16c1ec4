//! Module specifiers resolved to project files.
//!
//! Resolution works with string operations on lexically normal `/`-separated paths: joining,
//! normalising and hashing `PathBuf`s (whose hash walks their components) per import made path
//! resolution nearly three quarters of linking on a real app. The aliases of a tsconfig are
//! given in ([`PathAliases`]); reading them is `tsconfig`'s job. The path helpers are in `paths`.

use super::model::Unit;
use super::paths::*;
use crate::facts::Export;
use crate::ids::{FileId, PerFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// The `compilerOptions.paths` and `baseUrl` of a tsconfig, for import aliases like `@/db`.
#[derive(Debug, Clone, Default)]
pub struct PathAliases {
    /// (pattern, targets), targets already absolute. A pattern may end in `*`.
    pub paths: Vec<(String, Vec<String>)>,
    /// Lexically normal.
    pub base_url: Option<String>,
}

/// Every unit by its normal path without extension, and a directory by its `index` file.
pub(super) struct ModuleIndex<'a> {
    by_key: HashMap<Cow<'a, str>, FileId>,
    /// The units' directories (normal), each once.
    dirs: Vec<Cow<'a, str>>,
    /// Per unit, its directory.
    unit_dir: PerFile<u32>,
    /// The workspace's packages, for bare specifiers that name one (`@acme/db`).
    pub(super) packages: super::packages::Packages,
}

impl<'a> ModuleIndex<'a> {
    pub(super) fn new(units: &'a [Unit]) -> ModuleIndex<'a> {
        let mut by_key: HashMap<Cow<'a, str>, FileId> = HashMap::default();
        by_key.reserve(units.len() + units.len() / 4);
        let mut dirs: Vec<Cow<'a, str>> = vec![];
        let mut dir_ids: HashMap<Cow<'a, str>, u32> = HashMap::default();
        let mut unit_dir = Vec::with_capacity(units.len());
        // Each unit's module and directory, borrowed from its path where that is normal
        // already (as every path from the walk is); worked out in parallel.
        let keys: Vec<(Cow<'a, str>, Cow<'a, str>)> = (units.par_iter())
            .map(|u| {
                let path = match u.path.to_str() {
                    Some(s) if is_normal(s) => Cow::Borrowed(s),
                    _ => Cow::Owned(normal(&u.path.to_string_lossy())),
                };
                (part(&path, stem), part(&path, dir_of))
            })
            .collect();
        for (i, (stem, dir)) in keys.into_iter().enumerate() {
            let i = FileId(i);
            if stem == "index" || stem.ends_with("/index") {
                by_key.entry(part(&stem, dir_of)).or_insert(i);
            }
            by_key.insert(stem, i);
            // Sorted units come a directory at a time: most need no lookup.
            let id = match dirs.last() {
                Some(last) if *last == dir => dirs.len() as u32 - 1,
                _ => *dir_ids.entry(dir.clone()).or_insert_with(|| {
                    dirs.push(dir);
                    dirs.len() as u32 - 1
                }),
            };
            unit_dir.push(id);
        }
        ModuleIndex {
            by_key,
            dirs,
            unit_dir: PerFile::from(unit_dir),
            packages: Default::default(),
        }
    }

    /// The units' directories (normal), each once.
    pub(super) fn dirs(&self) -> impl Iterator<Item = &str> {
        self.dirs.iter().map(|d| &**d)
    }

    /// The unit at the normal path `path`, with or without its extension.
    fn at(&self, path: &str) -> Option<FileId> {
        (self.by_key.get(stem(path)))
            .or_else(|| self.by_key.get(path))
            .copied()
    }

    /// What `spec` names from the directory `dir` (normal) under `aliases` (the tsconfig in
    /// force there). `buf` is scratch space.
    fn resolve(
        &self,
        dir: &str,
        aliases: Option<&PathAliases>,
        spec: &str,
        buf: &mut String,
    ) -> Option<FileId> {
        // `base` is normal: only `rest` needs normalising.
        let mut at = |base: &str, rest: &str| {
            buf.clear();
            buf.push_str(base);
            push_normal(buf, rest);
            self.at(buf)
        };
        if spec.starts_with('.') {
            return at(dir, spec);
        }
        let Some(aliases) = aliases else {
            return self.packages.resolve(spec, &mut at);
        };
        for (pattern, targets) in &aliases.paths {
            let rest = match pattern.strip_suffix('*') {
                Some(prefix) => match spec.strip_prefix(prefix) {
                    Some(rest) => rest,
                    None => continue,
                },
                None if pattern == spec => "",
                None => continue,
            };
            for t in targets {
                let found = match t.split_once('*') {
                    Some((head, tail)) => at("", &[head, rest, tail].concat()),
                    None => at("", t),
                };
                if found.is_some() {
                    return found;
                }
            }
        }
        if let Some(found) = aliases.base_url.as_deref().and_then(|b| at(b, spec)) {
            return Some(found);
        }
        self.packages.resolve(spec, &mut at)
    }

    /// The module each import, then each export, of each unit names ([`sources`]), one unit
    /// after another, with `aliases_for(dir)` the tsconfig aliases in force in the (normal)
    /// directory `dir`, if any; one `Arc` per tsconfig. A relative specifier resolves the same
    /// from every file of a directory, and any other the same under the same tsconfig, so each
    /// distinct pair is resolved once: thousands of files import the same packages and
    /// barrels. Each thread takes a run of units (and so of directories) with its own pairs:
    /// only pairs that two runs share are resolved twice.
    pub(super) fn resolve_all<F>(&self, aliases_for: &F, units: &'a [Unit]) -> Vec<Option<FileId>>
    where
        F: Fn(&str) -> Option<Arc<PathAliases>> + Sync,
    {
        let per_run = units.len().div_ceil(rayon::current_num_threads()).max(1);
        let runs: Vec<Vec<Option<FileId>>> = (units.par_chunks(per_run).enumerate())
            .map(|(r, run)| self.resolve_run(aliases_for, run, FileId(r * per_run)))
            .collect();
        runs.concat()
    }

    /// [`ModuleIndex::resolve_all`] for the units `run`, the first of which is unit `first`.
    fn resolve_run<F>(&self, aliases_for: &F, run: &'a [Unit], first: FileId) -> Vec<Option<FileId>>
    where
        F: Fn(&str) -> Option<Arc<PathAliases>>,
    {
        // A pair is (directory, specifier) for a relative one, (tsconfig, specifier) otherwise.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        enum From {
            Dir(u32),
            Tsconfig(*const PathAliases),
        }
        let mut pairs: HashMap<(From, &str), Option<FileId>> = HashMap::default();
        // Per directory, the tsconfig in force, looked up where a specifier needs it.
        let mut in_force: Vec<Option<Option<Arc<PathAliases>>>> = vec![None; self.dirs.len()];
        let mut buf = String::new();
        let mut out = Vec::with_capacity(run.iter().map(source_count).sum());
        for (u, unit) in run.iter().enumerate() {
            let d = self.unit_dir[FileId(first.0 + u)];
            let dir = &*self.dirs[d as usize];
            out.extend(sources(unit).map(|spec| {
                let spec = spec?;
                if spec.starts_with('.') {
                    return *(pairs.entry((From::Dir(d), spec)))
                        .or_insert_with(|| self.resolve(dir, None, spec, &mut buf));
                }
                let aliases = in_force[d as usize]
                    .get_or_insert_with(|| aliases_for(dir))
                    .as_deref();
                let from = From::Tsconfig(aliases.map_or(std::ptr::null(), |a| a as *const _));
                *(pairs.entry((from, spec)))
                    .or_insert_with(|| self.resolve(dir, aliases, spec, &mut buf))
            }));
        }
        out
    }
}

/// How many [`sources`] a unit has.
pub(super) fn source_count(u: &Unit) -> usize {
    u.facts.imports.len() + u.facts.exports.len()
}

/// The module specifiers of a unit: each import's, then each export's (`None` for a local one).
pub(super) fn sources(u: &Unit) -> impl Iterator<Item = Option<&str>> {
    let imports = u.facts.imports.iter().map(|i| Some(i.source.as_str()));
    let exports = u.facts.exports.iter().map(|e| match e {
        Export::Reexport { source, .. }
        | Export::Star { source }
        | Export::StarAs { source, .. } => Some(source.as_str()),
        Export::Local { .. } => None,
    });
    imports.chain(exports)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows paths from the walk resolve against `/`-separated specifiers.
    #[cfg(windows)]
    #[test]
    fn backslashes_are_separators_on_windows() {
        assert_eq!(normal(r"C:\repo\src\..\lib\x.ts"), "C:/repo/lib/x.ts");
        assert!(!is_normal(r"C:\repo\x.ts"));
    }

    #[test]
    fn normal_paths_as_path_join_then_normalize() {
        for (base, rest) in [
            ("/a/b", "./c"),
            ("/a/b", "../c/./d/"),
            ("/a", "../../x"),
            ("/a", "/abs//y"),
            ("a/b", "../../../c"),
            ("", "./x"),
            ("/", "x/.."),
        ] {
            let mut out = normal(base);
            push_normal(&mut out, rest);
            let want = normalize(&std::path::Path::new(base).join(rest));
            assert_eq!(std::path::Path::new(&out), want, "{base} + {rest}");
            assert!(is_normal(&out), "{out}");
        }
        for p in ["a//b", "./a", "a/.", "a/../b", "/a/", ".."] {
            assert!(!is_normal(p), "{p}");
        }
        for p in ["/", "", "/a/b.ts", "a", ".env/x", "/a/..b"] {
            assert!(is_normal(p), "{p}");
        }
    }

    #[test]
    fn stems() {
        assert_eq!(stem("/a/b.d.ts"), "/a/b");
        assert_eq!(stem("/a/index.tsx"), "/a/index");
        assert_eq!(stem("/a/.d.ts"), "/a");
        assert_eq!(stem("/a/b"), "/a/b");
        assert_eq!(dir_of("/a/b"), "/a");
        assert_eq!(dir_of("/b"), "/");
        assert_eq!(dir_of("b"), "");
    }
}
