//! The architecture invariants of docs/ARCHITECTURE.md that a test can hold: source files
//! import each other in one direction only (no cycle, however long), and no source file grows
//! past 700 lines. Imports are read from the text: `crate::` and `super::` paths (use trees
//! expanded) and a parent's `child::` references to the modules it declares; `#[cfg(test)]`
//! code at the end of a file is left out, as tests may reach anywhere.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MAX_LINES: usize = 700;

/// Module path (`crate::link::resolve`) -> the file's text without comments and tests.
fn modules() -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let src = support::crate_path("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let name = std::iter::once("crate".to_string())
                .chain(parts)
                .collect::<Vec<_>>()
                .join("::");
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(name, (rel_name(&path), text));
        }
    }
    out
}

fn rel_name(path: &Path) -> String {
    path.strip_prefix(support::crate_path(""))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The code a file runs outside its tests, without line comments.
fn code(text: &str) -> String {
    let text = text.find("#[cfg(test)]").map_or(text, |i| &text[..i]);
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a use tree names: `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap().trim().to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut cur) = (vec![], 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    parts.push(cur);
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p))
        .map(|p| {
            if prefix.is_empty() {
                p
            } else if p == "self" {
                prefix.to_string()
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// The path (or use tree) that starts at `at` in `text`: identifiers, `::`, and a balanced
/// `{..}` group.
fn path_at(text: &str, at: usize) -> &str {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (at, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' => break,
            b if depth > 0 && b != b';' => {}
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b':' => {}
            _ => break,
        }
        i += 1;
        if depth == 0 && i > at && bytes[i - 1] == b'}' {
            break;
        }
    }
    &text[at..i]
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every module `name` imports.
fn imports(
    name: &str,
    is_mod_rs: bool,
    text: &str,
    all: &BTreeMap<String, (String, String)>,
) -> BTreeSet<String> {
    let resolve = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|k| all.contains_key(k))
    };
    // `super` of `crate::a::b` (a file a/b.rs or a/b/mod.rs) is `crate::a`.
    let parent = name.rsplit_once("::").map_or("crate", |(p, _)| p);
    let _ = is_mod_rs;
    let mut out = BTreeSet::new();
    for (keyword, base) in [("crate::", "crate"), ("super::", parent)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(keyword) {
            let at = from + i;
            from = at + keyword.len();
            if at > 0 && (is_ident_byte(text.as_bytes()[at - 1]) || text.as_bytes()[at - 1] == b':')
            {
                continue;
            }
            for path in expand(path_at(text, from)) {
                if let Some(target) = resolve(&format!("{base}::{path}")) {
                    if target != name {
                        out.insert(target);
                    }
                }
            }
        }
    }
    // A parent reaching into a child it declares: `mod query;` .. `query::site(..)`.
    for line in text.lines() {
        let l = line.trim();
        let l = l
            .strip_prefix("pub(crate) ")
            .or(l.strip_prefix("pub "))
            .unwrap_or(l);
        let Some(child) = l.strip_prefix("mod ").and_then(|c| c.strip_suffix(';')) else {
            continue;
        };
        let target = format!("{name}::{child}");
        let used = text.match_indices(&format!("{child}::")).any(|(at, _)| {
            at == 0 || !(is_ident_byte(text.as_bytes()[at - 1]) || text.as_bytes()[at - 1] == b':')
        });
        if used && all.contains_key(&target) {
            out.insert(target);
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let all = modules();
    all.iter()
        .map(|(name, (file, text))| {
            let deps = imports(name, file.ends_with("mod.rs"), &code(text), &all);
            (name.clone(), deps)
        })
        .collect()
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'g> {
        g: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> T<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on.insert(v);
            for w in &self.g[v] {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = vec![];
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        out: vec![],
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn source_files_import_each_other_in_one_direction() {
    let g = graph();
    assert!(
        g.len() > 40,
        "the module walk found only {} modules",
        g.len()
    );
    // The reader must see the edges it is meant to: a sample of known imports.
    for (from, to) in [
        ("crate::engine", "crate::link"),
        ("crate::rules::tenant_filter", "crate::predicate"),
        ("crate::extract", "crate::extract::visitor"),
        ("crate::predicate", "crate::ids"),
    ] {
        assert!(
            g[from].contains(to),
            "expected {from} to import {to}; the import reader is broken: {:?}",
            g[from]
        );
    }
    let found = cycles(&g);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    g[a].iter()
                        .filter(|b| c.contains(b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import cycles between source files:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.into()).or_default().insert(b.into());
        g.entry(b.into()).or_default();
    }
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    assert_eq!(
        expand("link::{model::{Project, Table}, self}"),
        vec!["link::model::Project", "link::model::Table", "link"]
    );
}

#[test]
fn no_source_file_is_longer_than_700_lines() {
    let long: Vec<String> = modules()
        .values()
        .filter(|(_, text)| text.lines().count() > MAX_LINES)
        .map(|(file, text)| format!("{file}: {} lines", text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "split these by job (docs/ARCHITECTURE.md): {long:?}"
    );
}

/// API boundary: only parsing and extraction see swc's AST (`swc_ecma_*`, `swc_common`);
/// everything after them reads plain facts. (Names are swc atoms, `swc_atoms`, by design.)
#[test]
fn only_parse_and_extract_see_the_ast() {
    let seen: Vec<String> = modules()
        .iter()
        .filter(|(name, (_, text))| {
            let code = code(text);
            (code.contains("swc_ecma_") || code.contains("swc_common"))
                && !(name.as_str() == "crate::parse"
                    || name.as_str() == "crate::kit_config"
                    || name.starts_with("crate::extract"))
        })
        .map(|(_, (file, _))| file.clone())
        .collect();
    assert!(
        seen.is_empty(),
        "swc's AST used outside parse/extract: {seen:?}"
    );
}

/// A rule's file never imports the registry that lists it (`crate::rules`), only the shared
/// context beside it, and no earlier step of the pipeline imports a later one.
#[test]
fn layers_point_down() {
    let g = graph();
    for (name, deps) in &g {
        if name.starts_with("crate::rules::") {
            assert!(
                !deps.contains("crate::rules"),
                "{name} imports the rule registry; use crate::rules::context"
            );
        }
    }
    // Earlier steps never import later ones.
    let order = [
        "crate::source",
        "crate::extract",
        "crate::link",
        "crate::rules",
        "crate::suppress",
        "crate::emit",
        "crate::engine",
        "crate::cli",
    ];
    for (i, early) in order.iter().enumerate() {
        for late in &order[i + 1..] {
            let offending: Vec<&String> = g
                .iter()
                .filter(|(n, _)| n.as_str() == *early || n.starts_with(&format!("{early}::")))
                .flat_map(|(n, deps)| {
                    deps.iter()
                        .filter(|d| d.as_str() == *late || d.starts_with(&format!("{late}::")))
                        .map(move |_| n)
                })
                .collect();
            assert!(
                offending.is_empty(),
                "{offending:?} (an earlier step) import {late} (a later one)"
            );
        }
    }
}
