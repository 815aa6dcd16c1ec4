//! Request bodies read through a project helper: `const body = await readJson(request)`, with
//! `readJson` doing `return (await request.json()) as T` (see
//! [`crate::facts::FunctionDef::reads_body`]). The local holds the client's body, as `await
//! request.json()` written in place would: every value taken from it, in the function that
//! called the helper or a function nested in it, is request input.

use super::model::Project;
use crate::facts::{ArgOrigin, InputOrigin, Name, Origin};
use crate::ids::FileId;
use crate::span::Span;

impl Project {
    /// Rewrites the values taken from a body-reading helper's result into request input, before
    /// input is followed into functions (`follow_input`) and checked.
    pub(super) fn read_body_helpers(&mut self) {
        // Most projects have no such helper, and then nothing is resolved.
        let any = self
            .units
            .iter()
            .any(|u| u.facts.functions.iter().any(|f| f.reads_body.is_some()));
        if !any {
            return;
        }
        // (file, local, the caller's function, the call)
        let mut found: Vec<(FileId, Name, Option<Span>, Span)> = vec![];
        for (f, unit) in self.units.iter_enumerated() {
            for c in &unit.facts.origins.calls {
                let Some(local) = &c.result else { continue };
                let reads = self
                    .resolve_function(f, &c.callee)
                    .is_some_and(|(g, i)| self.units[g].facts.functions[i].reads_body.is_some());
                if reads {
                    found.push((f, local.clone(), c.scope, c.span));
                }
            }
        }
        for (f, local, scope, call) in found {
            let body = |o: &mut Origin, at: Span, within: Option<Span>| {
                let Origin::Local { name, path, .. } = o else {
                    return;
                };
                let inside =
                    scope.is_none_or(|s| within.is_some_and(|w| s.lo <= w.lo && w.hi <= s.hi));
                if *name != local || at.lo < call.hi || !inside {
                    return;
                }
                let path = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{name}.{path}")
                };
                *o = Origin::Input(Box::new(InputOrigin {
                    label: "the request body",
                    path: path.into(),
                    span: call,
                    schema: None,
                }));
            };
            let origins = &mut self.units[f].facts.origins;
            for u in &mut origins.uses {
                body(&mut u.origin, u.span, u.scope);
            }
            for c in &mut origins.calls {
                let (at, within) = (c.span, c.scope);
                for a in &mut c.args {
                    match a {
                        ArgOrigin::Value(Some(o)) => body(o, at, within),
                        ArgOrigin::Value(None) => {}
                        ArgOrigin::Object(keys) => {
                            for o in keys.iter_mut().filter_map(|(_, o)| o.as_mut()) {
                                body(o, at, within);
                            }
                        }
                    }
                }
            }
        }
    }
}
