//! Path helpers for module resolution: lexically normal `/`-separated paths (joining,
//! normalising, directories, extensions) worked on as strings, and their `Path` equivalents.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// The extensions a specifier may name or leave out, longest first where one ends another.
pub(super) const TS_EXTENSIONS: [&str; 9] = [
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
pub(super) fn stem(path: &str) -> &str {
    match strip_ext(path) {
        s if s.len() > 1 => s.strip_suffix('/').unwrap_or(s),
        s => s,
    }
}

/// Appends `path` to the lexically normal path `out`, as `Path::join` then normalising would:
/// an absolute `path` replaces `out`, empty and `.` segments are dropped, `..` removes the last
/// segment (never the root).
pub(super) fn push_normal(out: &mut String, path: &str) {
    // Paths from the walk use `\` on Windows; specifiers and this module's keys use `/`.
    #[cfg(windows)]
    let path = &path.replace('\\', "/");
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
pub(super) fn is_normal(path: &str) -> bool {
    if cfg!(windows) && path.contains('\\') {
        return false;
    }
    let b = path.as_bytes();
    // Whether the segment starting at `i` is `.` or `..`.
    let dots = |i: usize| {
        b.get(i) == Some(&b'.')
            && match b.get(i + 1) {
                None | Some(b'/') => true,
                Some(b'.') => matches!(b.get(i + 2), None | Some(b'/')),
                _ => false,
            }
    };
    if dots(0) {
        return false;
    }
    for i in 0..b.len() {
        if b[i] == b'/' {
            match b.get(i + 1) {
                None => return b.len() == 1,
                Some(b'/') => return false,
                Some(b'.') if dots(i + 1) => return false,
                _ => {}
            }
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
pub(super) fn part<'a>(s: &Cow<'a, str>, f: fn(&str) -> &str) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(f(b)),
        Cow::Owned(o) => Cow::Owned(f(o).to_string()),
    }
}

/// `p` without its TypeScript or JavaScript extension.
pub(crate) fn strip_ts_ext(p: &Path) -> PathBuf {
    let s = p.to_string_lossy();
    match strip_ext(&s) {
        stem if stem.len() < s.len() => PathBuf::from(stem),
        _ => p.to_path_buf(),
    }
}

/// Lexically resolves `.` and `..` (no file system access).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How many leading components `a` and `b` share.
pub(super) fn common_prefix(a: &Path, b: &Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}
