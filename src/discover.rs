//! Finding the TypeScript files to check: the `ignore` walker (honours .gitignore), then the
//! configuration's include/exclude globs. Files matching `schema` that include/exclude leave
//! out are still read, for the schema model only.

use crate::config::Config;
use crate::error::Error;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

pub const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts"];

/// A file found by the walk, or a path that could not be walked.
#[derive(Debug)]
pub enum Found {
    File(PathBuf),
    /// A schema file that include/exclude leave out: it feeds the model but is not checked.
    ModelOnly(PathBuf),
    /// Left out by include/exclude; read for the model only when a schema file imports it.
    LeftOut(PathBuf),
    Unreadable(PathBuf, String),
}

fn globset(globs: &[String], key: &str, config: &Config) -> Result<Option<GlobSet>, Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| Error::Config {
            path: config.path.clone().unwrap_or_default(),
            message: format!("`{key}` has an invalid glob `{g}`: {e}"),
        })?;
        b.add(glob);
    }
    b.build().map(Some).map_err(|e| Error::Config {
        path: config.path.clone().unwrap_or_default(),
        message: format!("`{key}`: {e}"),
    })
}

/// Every TypeScript file under `root`, and the named `paths` that are files or lie outside it
/// (a file `.gitignore` leaves out is still read when named), sorted, with paths relative to
/// `root` used for globs. Which of them are checked is the caller's business: `paths` narrow
/// what is reported, never what is read.
pub fn discover(root: &Path, paths: &[PathBuf], config: &Config) -> Result<Vec<Found>, Error> {
    let include = globset(&config.include, "include", config)?;
    let exclude = globset(&config.exclude, "exclude", config)?;
    let schema = schema_globs(config)?;
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::Usage(format!(
                "path `{}` does not exist",
                p.display()
            )));
        }
    }
    let mut builder = ignore::WalkBuilder::new(root);
    // The walk of the root meets every plain directory a PATH names; not a linked one (a PATH
    // that is one is walked, and what lies outside the root is then refused when read).
    for p in paths {
        let plain_dir = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        if p.as_path() != root && (!p.starts_with(root) || !plain_dir) {
            builder.add(p);
        }
    }
    builder
        .require_git(false)
        // Hidden directories hold real code (Remix's `app/.server/`, `.storybook/`); build
        // output and caches are left out by `.gitignore`, as everywhere else.
        .hidden(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != "node_modules" && e.file_name() != ".git");
    let mut out = vec![];
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = match &err {
                    ignore::Error::WithPath { path, .. } => path.clone(),
                    _ => PathBuf::new(),
                };
                // A loop or an unreadable directory is reported; the walk goes on.
                if !path.as_os_str().is_empty() || !matches!(err, ignore::Error::Partial(_)) {
                    out.push(Found::Unreadable(path, err.to_string()));
                }
                continue;
            }
        };
        let path = entry.path();
        let Some(kind) = entry.file_type() else {
            continue;
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if kind.is_dir() || !EXTENSIONS.contains(&ext) {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        let included = include.as_ref().is_none_or(|inc| inc.is_match(rel))
            && !exclude.as_ref().is_some_and(|exc| exc.is_match(rel));
        let Some(found) = found_file(path, kind) else {
            continue;
        };
        if included {
            out.push(found);
        } else if schema.as_ref().is_some_and(|s| s.is_match(rel)) {
            out.push(match found {
                Found::File(p) => Found::ModelOnly(p),
                other => other,
            });
        } else if let Found::File(p) = found {
            out.push(Found::LeftOut(p));
        }
    }
    out.sort_by(|a, b| key(a).cmp(key(b)));
    out.dedup_by(|a, b| key(a) == key(b));
    Ok(out)
}

/// A TypeScript-named entry: a file, a symlink to one (checked under the link's name), or
/// something that cannot be checked (a symlink loop or dangling link, a FIFO, a socket), which is
/// reported rather than silently skipped or, for a FIFO, read forever.
/// A symlink to a directory is skipped like the walker skips every directory link. Where a link
/// leads is checked when the file is read ([`crate::source`]): one that leaves the root is not.
fn found_file(path: &Path, kind: std::fs::FileType) -> Option<Found> {
    if kind.is_file() {
        return Some(Found::File(path.to_path_buf()));
    }
    let found = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Found::File(path.to_path_buf()),
        Ok(m) if m.is_dir() => return None,
        Ok(_) => Found::Unreadable(
            path.to_path_buf(),
            "not a regular file (a FIFO, socket or device?)".into(),
        ),
        Err(e) => Found::Unreadable(path.to_path_buf(), e.to_string()),
    };
    Some(found)
}

fn key(f: &Found) -> &Path {
    match f {
        Found::File(p) | Found::ModelOnly(p) | Found::LeftOut(p) | Found::Unreadable(p, _) => p,
    }
}

/// The `schema` globs (from drizzle-guard.json or drizzle.config.ts), relative to the root.
pub fn schema_globs(config: &Config) -> Result<Option<GlobSet>, Error> {
    globset(&config.schema, "schema", config)
}

/// `rest` is already what [`relative`] gives for it: no empty, `.` or `..` component and no
/// backslash to turn into a `/`. (Conservative: a component starting with a dot, such as
/// `.github`, is left to the slow way.)
fn plain_relative(rest: &str) -> bool {
    let b = rest.as_bytes();
    let clean_start = |i: usize| !matches!(b.get(i), None | Some(b'/' | b'.'));
    clean_start(0)
        && memchr::memchr(b'\\', b).is_none()
        && memchr::memchr_iter(b'/', b).all(|i| clean_start(i + 1))
}

/// A path for display and fingerprints: relative to the root, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    // The common case, a plain `root/rest` path as the walk gives, without comparing
    // components (which costs a thousand instructions a file).
    if let (Some(r), Some(p)) = (root.to_str(), path.to_str()) {
        let rest = match p.strip_prefix(r) {
            _ if r.is_empty() => None,
            Some(rest) if r.ends_with('/') => Some(rest),
            Some(rest) => rest.strip_prefix('/'),
            None => None,
        };
        if let Some(rest) = rest.filter(|rest| plain_relative(rest)) {
            return rest.to_string();
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    /// The quick way of [`super::relative`] gives what comparing components gives.
    #[test]
    fn relative_paths_match_the_component_comparison() {
        use std::path::Path;
        let slow = |root: &str, path: &str| {
            let rel = Path::new(path)
                .strip_prefix(root)
                .unwrap_or(Path::new(path));
            let s = rel.to_string_lossy().replace('\\', "/");
            s.strip_prefix("./").map(str::to_string).unwrap_or(s)
        };
        let cases = [
            ("/w/app", "/w/app/src/a.ts"),
            ("/w/app/", "/w/app/src/a.ts"),
            ("/w/app", "/w/appx/a.ts"),
            ("/w/app", "/w/app//src/./a.ts"),
            ("/w/app", "/w/app/../b/a.ts"),
            ("/w/app", "/other/a.ts"),
            (".", "./src/a.ts"),
            ("./", "./src/a.ts"),
            (".", "src/a.ts"),
            ("/", "/src/a.ts"),
            ("", "/src/a.ts"),
            ("", "src/a.ts"),
            ("/w/app", "/w/app/src/a\\b.ts"),
            ("/w/app", "/w/app"),
            ("/w/app", "/w/app/"),
        ];
        for (root, path) in cases {
            let quick = super::relative(Path::new(root), Path::new(path));
            assert_eq!(quick, slow(root, path), "{root} {path}");
        }
    }
}
