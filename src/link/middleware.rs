//! tRPC middlewares: the middleware functions that run before a procedure's handler, found
//! through the builder chain it is made on (`.use(..)` on it, and on the builders it is made
//! from, followed through imports, re-exports and `export *` barrels).

use super::model::{CheckedInputs, HashMap, Project};
use super::origins::verified;
use crate::facts::{ArgOrigin, Builder, Export, Imported, Middleware, Origin};
use crate::ids::FileId;
use crate::span::Span;

/// How many builders deep (and import hops far) middlewares are looked for.
const MAX_DEPTH: u32 = 12;

impl Project {
    /// For every tRPC procedure, the input paths its middlewares check membership for: once
    /// per middleware function, whichever procedures share it.
    pub(super) fn checked_inputs(&self) -> CheckedInputs {
        let mut memo: HashMap<(FileId, u32), Vec<Box<str>>> = HashMap::default();
        let mut out = vec![];
        for (f, unit) in self.units.iter_enumerated() {
            let mut procs = vec![];
            for p in &unit.facts.origins.procedures {
                let mut middlewares = vec![];
                self.middlewares_of(f, p, 0, &mut middlewares);
                let mut paths: Vec<Box<str>> = vec![];
                for (mf, span) in middlewares {
                    let checked = memo
                        .entry((mf, span.lo))
                        .or_insert_with(|| self.middleware_checks(mf, span));
                    paths.extend(checked.iter().cloned());
                }
                if !paths.is_empty() {
                    procs.push((p.span, paths));
                }
            }
            out.push(procs);
        }
        CheckedInputs(out.into())
    }

    /// The input paths (`input.teamId`) the middleware function at `span` of `file` checks
    /// membership for: its options' `input` and `ctx` are the procedure's.
    fn middleware_checks(&self, file: FileId, span: Span) -> Vec<Box<str>> {
        let facts = &self.units[file].facts.origins;
        let input_path = |o: &Origin| match o {
            Origin::Param {
                scope,
                index,
                path,
                each: false,
            } if *scope == span
                && *index == 0
                && (&**path == "input" || path.starts_with("input.")) =>
            {
                Some(path.clone())
            }
            _ => None,
        };
        // The input's values it uses at all.
        let mut candidates: Vec<Box<str>> = vec![];
        let args = facts.calls.iter().flat_map(|c| {
            c.args.iter().flat_map(|a| match a {
                ArgOrigin::Value(o) => vec![o.as_ref()],
                ArgOrigin::Object(keys) => keys.iter().map(|(_, o)| o.as_ref()).collect(),
            })
        });
        let used = facts.uses.iter().map(|u| Some(&u.origin));
        let guarded = facts.guards.iter().map(|g| Some(&g.value));
        for o in used.chain(guarded).chain(args).flatten() {
            if let Some(p) = input_path(o) {
                if !candidates.contains(&p) {
                    candidates.push(p);
                }
            }
        }
        let session = |o: &Origin| match o {
            Origin::Session => true,
            Origin::Param {
                scope,
                index,
                path,
                each: false,
            } => *scope == span && *index == 0 && (&**path == "ctx" || path.starts_with("ctx.")),
            _ => false,
        };
        candidates.retain(|path| {
            let value = Origin::Param {
                scope: span,
                index: 0,
                path: path.clone(),
                each: false,
            };
            verified(self, file, Some(span), &value, u32::MAX, &session)
        });
        candidates
    }

    fn middlewares_of(&self, file: FileId, b: &Builder, depth: u32, out: &mut Vec<(FileId, Span)>) {
        if depth > MAX_DEPTH {
            return;
        }
        let builder = |f: FileId, i: usize, out: &mut Vec<(FileId, Span)>| {
            if let Some(b) = self.units[f].facts.origins.builders.get(i) {
                self.middlewares_of(f, b, depth + 1, out);
            }
        };
        for m in &b.middlewares {
            match m {
                Middleware::Inline(s) => out.push((file, *s)),
                // `const isMember = t.middleware(fn)`, or a function.
                Middleware::Named(n) => match self.builder(file, n, 0) {
                    Some((f, i)) => builder(f, i, out),
                    None => {
                        if let Some((f, i)) = self.resolve_function(file, std::slice::from_ref(n)) {
                            out.push((f, self.units[f].facts.functions[i].span));
                        }
                    }
                },
            }
        }
        if let Some((f, i)) = b.base.as_ref().and_then(|n| self.builder(file, n, 0)) {
            builder(f, i, out);
        }
    }

    /// The module-level builder `name` stands for in `file`, as (file, index into its
    /// `origins.builders`).
    fn builder(&self, file: FileId, name: &str, hops: u32) -> Option<(FileId, usize)> {
        if hops > MAX_DEPTH {
            return None;
        }
        let facts = &self.units[file].facts;
        let own = facts.origins.builders.iter();
        if let Some(i) = own.clone().position(|b| b.name.as_deref() == Some(name)) {
            return Some((file, i));
        }
        let at = facts.imports.iter().position(|i| i.local == name)?;
        let target = (*self.targets_of(file).get(at)?)?;
        let imported = match &facts.imports[at].imported {
            Imported::Named(n) => &**n,
            Imported::Default => "default",
            Imported::Namespace => return None,
        };
        self.exported_builder(target, imported, hops + 1)
    }

    /// The builder module `m` exports as `name`.
    fn exported_builder(&self, m: FileId, name: &str, hops: u32) -> Option<(FileId, usize)> {
        if hops > MAX_DEPTH {
            return None;
        }
        for (i, e) in self.units[m].facts.exports.iter().enumerate() {
            match e {
                Export::Local { exported, local } if exported == name => {
                    return self.builder(m, local, hops + 1);
                }
                Export::Reexport {
                    exported, imported, ..
                } if exported == name => {
                    return self.exported_builder(self.export_target(m, i)?, imported, hops + 1);
                }
                _ => {}
            }
        }
        self.stars
            .get(m)?
            .get(name)?
            .iter()
            .find_map(|&t| self.exported_builder(t, name, hops + 1))
    }
}
