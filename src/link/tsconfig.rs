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
    let value: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
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

/// tsconfig.json is JSON with comments and trailing commas. Works on bytes (every character
/// it looks for is ASCII, and what it keeps is whole characters); collecting the text into a
/// `Vec<char>`, twice, cost more than parsing the JSON.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // What lies between `from` and `i` is kept, pushed as one slice.
    let (mut from, mut i) = (0, 0);
    let mut in_str = false;
    while i < b.len() {
        if in_str {
            match b[i] {
                b'\\' => i += 2,
                b'"' => {
                    in_str = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if let Some(end) = comment_end(b, i) {
            out.push_str(&text[from..i]);
            (from, i) = (end, end);
            continue;
        }
        match b[i] {
            b'"' => in_str = true,
            // A trailing comma: only blanks and comments before a closing bracket.
            b',' if matches!(after_blanks(text, i + 1), Some(b'}' | b']')) => {
                out.push_str(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[from.min(b.len())..]);
    out
}

/// Where the comment starting at `i` ends (at the newline ending a line comment, which is
/// kept), if one starts there.
fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i..i + 2)? {
        b"//" => Some(memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)),
        b"/*" => Some(memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + n + 4)),
        _ => None,
    }
}

/// The first byte from `i` on that is neither whitespace nor in a comment.
fn after_blanks(text: &str, mut i: usize) -> Option<u8> {
    let b = text.as_bytes();
    loop {
        i = b.len() - text[i..].trim_start().len();
        match comment_end(b, i) {
            Some(end) => i = end,
            None => return b.get(i).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_comments_and_trailing_commas() {
        let s = super::strip_jsonc("{ // c\n \"a\": \"//x\", /* b */ \"b\": [1,2,], }");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "//x");
        assert_eq!(v["b"][1], 2);
    }

    /// The byte-wise stripping agrees with the two passes over characters it replaced.
    #[test]
    fn strips_as_the_character_passes_did() {
        fn old(text: &str) -> String {
            let mut out = String::new();
            let mut chars = text.chars().peekable();
            let mut in_str = false;
            while let Some(c) = chars.next() {
                if in_str {
                    out.push(c);
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            out.push(n);
                        }
                    } else if c == '"' {
                        in_str = false;
                    }
                    continue;
                }
                match c {
                    '"' => {
                        in_str = true;
                        out.push(c);
                    }
                    '/' if chars.peek() == Some(&'/') => {
                        for n in chars.by_ref() {
                            if n == '\n' {
                                out.push('\n');
                                break;
                            }
                        }
                    }
                    '/' if chars.peek() == Some(&'*') => {
                        chars.next();
                        let mut prev = ' ';
                        for n in chars.by_ref() {
                            if prev == '*' && n == '/' {
                                break;
                            }
                            prev = n;
                        }
                    }
                    _ => out.push(c),
                }
            }
            let cs: Vec<char> = out.chars().collect();
            let mut cleaned = String::new();
            let (mut in_str, mut i) = (false, 0);
            while i < cs.len() {
                let c = cs[i];
                if in_str {
                    cleaned.push(c);
                    if c == '\\' && i + 1 < cs.len() {
                        cleaned.push(cs[i + 1]);
                        i += 1;
                    } else if c == '"' {
                        in_str = false;
                    }
                } else if c == '"' {
                    in_str = true;
                    cleaned.push(c);
                } else if c == ',' {
                    let mut j = i + 1;
                    while j < cs.len() && cs[j].is_whitespace() {
                        j += 1;
                    }
                    if !(j < cs.len() && (cs[j] == '}' || cs[j] == ']')) {
                        cleaned.push(c);
                    }
                } else {
                    cleaned.push(c);
                }
                i += 1;
            }
            cleaned
        }
        for text in [
            "{ // c\n \"a\": \"//x\", /* b */ \"b\": [1,2,], }",
            "[1, // trailing\n ]",
            "[1, /* c */ ]",
            "[1,\u{a0}]",
            "{\"a\": \"x\\\"//y,\", \"é\": 1,}",
            "/*/ not closed */ [1,]",
            "/**/[2 , /* unterminated",
            "[3, // no newline",
            "{\"s\": \"\\\\\", \"t\": [ , ]}",
            "\"\\",
            "{\"a\":1 ,\n\t// x\n/* y */\n}",
        ] {
            assert_eq!(super::strip_jsonc(text), old(text), "{text:?}");
        }
    }
}
