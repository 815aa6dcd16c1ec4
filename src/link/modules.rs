//! Module specifiers resolved with string operations on lexically normal `/`-separated paths:
//! joining, normalising and hashing `PathBuf`s (whose hash walks their components) per import
//! made path resolution nearly three quarters of linking on a real app.

use super::tsconfig::{PathAliases, TsconfigCache};
use super::Unit;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// The extensions a specifier may name or leave out, longest first where one ends another.
const TS_EXTENSIONS: [&str; 9] = [
    ".d.ts", ".tsx", ".ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs",
];

/// `path` without its TypeScript or JavaScript extension.
pub(crate) fn strip_ext(path: &str) -> &str {
    TS_EXTENSIONS
        .iter()
        .find_map(|ext| path.strip_suffix(ext))
        .unwrap_or(path)
}

/// The module a normal path names: without its extension, and a file named only `.d.ts`
/// stands for its directory (as the path `dir/` is `dir`).
fn stem(path: &str) -> &str {
    match strip_ext(path) {
        s if s.len() > 1 => s.strip_suffix('/').unwrap_or(s),
        s => s,
    }
}

/// Appends `path` to the lexically normal path `out`, as `Path::join` then normalising would:
/// an absolute `path` replaces `out`, empty and `.` segments are dropped, `..` removes the last
/// segment (never the root).
fn push_normal(out: &mut String, path: &str) {
    if path.starts_with('/') {
        out.clear();
        out.push('/');
    }
    // A byte loop: `str::split` searches each short segment with `memchr`, which cost
    // thousands of instructions a path.
    let bytes = path.as_bytes();
    let mut start = 0;
    while start <= bytes.len() {
        let end = (bytes[start..].iter())
            .position(|&b| b == b'/')
            .map_or(bytes.len(), |i| start + i);
        match &path[start..end] {
            "" | "." => {}
            ".." => match out.rfind('/') {
                Some(0) => out.truncate(1),
                Some(i) => out.truncate(i),
                None => out.clear(),
            },
            seg => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(seg);
            }
        }
        start = end + 1;
    }
}

/// `path` in lexically normal form.
pub(super) fn normal(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_normal(&mut out, path);
    out
}

/// Whether `path` is its own normal form: no empty segment but a leading root, no `.` or `..`.
fn is_normal(path: &str) -> bool {
    let b = path.as_bytes();
    let mut start = 0;
    for i in (0..b.len()).filter(|&i| b[i] == b'/').chain([b.len()]) {
        match &b[start..i] {
            b"" if i > 0 && path != "/" => return false,
            b"." | b".." => return false,
            _ => start = i + 1,
        }
    }
    true
}

/// The directory of a normal path (`""` for a bare name, `/` for a file at the root).
pub(super) fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

/// `f`'s part of `s`, borrowed where `s` is.
fn part<'a>(s: &Cow<'a, str>, f: fn(&str) -> &str) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(f(b)),
        Cow::Owned(o) => Cow::Owned(f(o).to_string()),
    }
}

/// Every unit by its normal path without extension, and a directory by its `index` file.
pub(super) struct ModuleIndex<'a> {
    by_key: HashMap<Cow<'a, str>, usize>,
    /// The units' directories (normal), each once.
    dirs: Vec<Cow<'a, str>>,
    /// Per unit, its directory.
    unit_dir: Vec<u32>,
}

impl<'a> ModuleIndex<'a> {
    pub(super) fn new(units: &'a [Unit]) -> ModuleIndex<'a> {
        let mut by_key: HashMap<Cow<'a, str>, usize> = HashMap::default();
        by_key.reserve(units.len() + units.len() / 4);
        let mut dirs: Vec<Cow<'a, str>> = vec![];
        let mut dir_ids: HashMap<Cow<'a, str>, u32> = HashMap::default();
        let mut unit_dir = Vec::with_capacity(units.len());
        for (i, u) in units.iter().enumerate() {
            // Paths from the walk are normal already: borrowed, not copied.
            let path = match u.path.to_str() {
                Some(s) if is_normal(s) => Cow::Borrowed(s),
                _ => Cow::Owned(normal(&u.path.to_string_lossy())),
            };
            let (stem, dir) = (part(&path, stem), part(&path, dir_of));
            if stem[stem.rfind('/').map_or(0, |i| i + 1)..] == *"index" {
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
            unit_dir,
        }
    }

    /// The unit at the normal path `path`, with or without its extension.
    fn at(&self, path: &str) -> Option<usize> {
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
    ) -> Option<usize> {
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
        let aliases = aliases?;
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
        at(aliases.base_url.as_deref()?, spec)
    }

    /// The module each of `specs` names; unit `u`'s are `specs[starts[u]..starts[u + 1]]`. A
    /// relative specifier resolves the same from every file of a directory, and any other the
    /// same under the same tsconfig, so each distinct pair is resolved once: thousands of files
    /// import the same packages and barrels.
    pub(super) fn resolve_all(
        &self,
        tsconfig: &TsconfigCache,
        specs: &[Option<&str>],
        starts: &[usize],
    ) -> Vec<Option<usize>> {
        let of_unit = |u: usize| &specs[starts[u]..starts[u + 1]];
        // The tsconfig in force, where a specifier other than a relative one needs it.
        let mut needs = vec![false; self.dirs.len()];
        for (u, &d) in self.unit_dir.iter().enumerate() {
            if of_unit(u).iter().flatten().any(|s| !s.starts_with('.')) {
                needs[d as usize] = true;
            }
        }
        let found: Vec<Option<Arc<PathAliases>>> = (self.dirs.par_iter().zip(&needs))
            .map(|(d, &needed)| match needed {
                true => tsconfig.for_dir(d),
                false => None,
            })
            .collect();
        let mut alias_ids: HashMap<*const PathAliases, u32> = HashMap::default();
        let mut alias_sets: Vec<&PathAliases> = vec![];
        let dir_aliases: Vec<Option<u32>> = (found.iter())
            .map(|a| {
                let a = a.as_deref()?;
                Some(*alias_ids.entry(a as *const _).or_insert_with(|| {
                    alias_sets.push(a);
                    alias_sets.len() as u32 - 1
                }))
            })
            .collect();
        // A pair is (directory, specifier) for a relative one, (tsconfig, specifier) otherwise.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        enum From {
            Dir(u32),
            Aliases(u32),
        }
        let mut pairs: HashMap<(From, &str), u32> = HashMap::default();
        let mut firsts: Vec<(From, &str)> = vec![];
        const NONE: u32 = u32::MAX;
        let mut slots: Vec<u32> = Vec::with_capacity(specs.len());
        for (u, &d) in self.unit_dir.iter().enumerate() {
            slots.extend(of_unit(u).iter().map(|spec| {
                let Some(spec) = *spec else { return NONE };
                let from = match spec.starts_with('.') {
                    true => From::Dir(d),
                    false => match dir_aliases[d as usize] {
                        Some(a) => From::Aliases(a),
                        None => return NONE,
                    },
                };
                *pairs.entry((from, spec)).or_insert_with(|| {
                    firsts.push((from, spec));
                    firsts.len() as u32 - 1
                })
            }));
        }
        let resolved: Vec<Option<usize>> = firsts
            .par_iter()
            .map_init(String::new, |buf, &(from, spec)| match from {
                From::Dir(d) => self.resolve(&self.dirs[d as usize], None, spec, buf),
                From::Aliases(a) => self.resolve("", Some(alias_sets[a as usize]), spec, buf),
            })
            .collect();
        (slots.into_iter())
            .map(|k| resolved.get(k as usize).copied().flatten())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let want = super::super::normalize(&std::path::Path::new(base).join(rest));
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
