//! Where values come from, across files: a parameter of a project function takes the origin
//! of its callers' arguments. Request input passed to a function (and on, through the
//! functions it passes it to, up to [`MAX_HOPS`] calls deep) is recorded against the
//! parameter; what the session or context passes is not. A value verified by a membership
//! check before the call is not passed on as input.

use super::model::{InputParam, InputParams, Project};
use crate::facts::{
    join_path, ArgOrigin, CallOrigins, Export, FileFacts, Imported, InputOrigin, Name, Origin,
    UseTarget,
};
use crate::ids::FileId;
use crate::ids::PerFile;
use crate::span::Span;

/// How many rounds input is passed on from parameter to parameter: each round follows every
/// call once, so it reaches at least this many calls deep from where it is read.
const MAX_HOPS: usize = 4;

impl InputParams {
    /// The request input that may fill `path` of parameter `index` of the function at `scope`
    /// in `file`, with the path as the input names it.
    pub fn lookup(&self, file: FileId, scope: Span, index: u32, path: &str) -> Vec<Passed> {
        let Some(params) = self.0.get(&(file, scope.lo)) else {
            return vec![];
        };
        params
            .iter()
            .filter(|p| p.index == index)
            .filter_map(|p| {
                let rest = if p.prefix.is_empty() {
                    let first = path.split('.').next().unwrap_or("");
                    if p.except.iter().any(|k| &**k == first) {
                        return None;
                    }
                    path
                } else if *path == *p.prefix {
                    ""
                } else {
                    path.strip_prefix(&*p.prefix)?.strip_prefix('.')?
                };
                let mut input = p.input.clone();
                if !rest.is_empty() {
                    input.path = format!("{}.{rest}", input.path).into();
                }
                Some(Passed {
                    input,
                    file: p.file,
                    calls: p.calls.clone(),
                })
            })
            .collect()
    }
}

/// Request input a caller passes: the input, the file it is read in, and the calls that pass
/// it on (outermost first).
#[derive(Debug, Clone)]
pub struct Passed {
    pub input: InputOrigin,
    pub file: FileId,
    pub calls: Vec<(FileId, usize)>,
}

impl Passed {
    /// What the callers pass for `origin`, a parameter of the function the input reached (or
    /// any other origin, as it is): followed back through the calls.
    pub fn resolve(&self, project: &Project, origin: &Origin) -> Option<Origin> {
        let mut o = origin.clone();
        for &(f, n) in self.calls.iter().rev() {
            let Origin::Param {
                index,
                path,
                each: false,
                ..
            } = &o
            else {
                break;
            };
            let call = project.units[f].facts.origins.calls.get(n)?;
            o = argument(call, *index, path)?;
        }
        Some(o)
    }
}

impl Project {
    /// Every call the project makes to the function `index` of `file` (each as its file and
    /// its index in that file's `origins.calls`), when all of them are known: `None` when
    /// nothing calls it, or when a file whose values were not followed (no query, handler or
    /// server action in it) imports it. Only the files that can name it are read: its own, and
    /// those importing it, directly or through files that re-export. Test files
    /// (`source::is_test_file`) and system code ([`Project::is_system`]) are no callers: they
    /// serve no tenant's request.
    pub fn callers(&self, file: FileId, index: usize) -> Option<&[(FileId, usize)]> {
        // Asked for every query keyed by the function's parameters: found once. Two threads
        // asking at once find the same answer; one of them keeps it.
        let slots = self.callers[file].get_or_init(|| {
            let functions = self.units[file].facts.functions.len();
            (0..functions).map(|_| Default::default()).collect()
        });
        slots
            .get(index)?
            .get_or_init(|| self.find_callers(file, index))
            .as_deref()
    }

    fn find_callers(&self, file: FileId, index: usize) -> Option<Vec<(FileId, usize)>> {
        let def = &self.units[file].facts.functions[index];
        // A method (`Class.find`, `object.list`, `Class.constructor`) and what holds it.
        // (Compared as text: names are made only for the callees looked for.)
        let (owner, name) = match def.name.rsplit_once('.') {
            Some((o, n)) => (Some(o), n),
            None => (None, &*def.name),
        };
        let atom = || Name::from(name);
        let method = owner.is_some();
        let me = Some((file, index));
        let importers = self.importers.get_or_init(|| {
            let mut out: PerFile<Vec<FileId>> = self.units.iter().map(|_| vec![]).collect();
            for f in self.units.ids() {
                for m in self.imported_files(f) {
                    out[m].push(f);
                }
                // A Nuxt or Nitro server file imports every module it sees without importing.
                for &m in self.auto_imports.providers(f) {
                    if m != f {
                        out[m].push(f);
                    }
                }
            }
            out
        });
        let mut seen = vec![false; self.units.len()];
        seen[file.0] = true;
        let mut stack = vec![file];
        let mut out = vec![];
        while let Some(g) = stack.pop() {
            let unit = &self.units[g];
            let facts = &unit.facts;
            // The names `g` may call the function by: its own name in its own file, else the
            // local names of the imports that resolve to it (`import { f as g }`, a default
            // import, `ns.f` of a namespace import); a method through its class or object
            // (`new Repo(..)`, `this.repo.find(..)` on a field typed `Repo`, `api.list(..)`).
            let mut names: Vec<Vec<Name>> = vec![];
            if g == file {
                names.push(vec![atom()]);
            } else {
                for i in &facts.imports {
                    let local = || i.local.clone();
                    let callee = match (&i.imported, owner) {
                        (Imported::Named(n), None) if &**n == name => vec![local()],
                        (Imported::Named(n), Some(o)) if &**n == o => vec![local(), atom()],
                        (Imported::Named(_), _) => continue,
                        (Imported::Default, None) => vec![local()],
                        (Imported::Default, Some(_)) => vec![local(), atom()],
                        (Imported::Namespace, None) => vec![local(), atom()],
                        (Imported::Namespace, Some(o)) => vec![local(), o.into(), atom()],
                    };
                    if self.resolve_function(g, &callee) == me {
                        names.push(callee);
                    }
                }
                // Seen without an import (Nuxt's and Nitro's auto-imports), by its own name, in
                // a file that calls it so. (Every server file sees it: one whose values were
                // not read, a schema or types module, is taken not to call it, as the route
                // files and utilities that may are all read; see `nitro_utils_file`.)
                if !self.auto_imports.providers(g).is_empty() && facts.origins.walked {
                    let callee: Vec<Name> =
                        owner.map_or_else(|| vec![atom()], |o| vec![Name::from(o), atom()]);
                    if !names.contains(&callee)
                        && facts.origins.calls.iter().any(|c| c.callee == callee)
                        && self.resolve_function(g, &callee) == me
                    {
                        names.push(callee);
                    }
                }
            }
            // A file that reaches a class may call its method on an instance (`model.f(..)`,
            // an opaque call by its name: which class the instance is of is not followed).
            if (!names.is_empty() || method) && !unit.test && !self.is_system(g) {
                if !facts.origins.walked {
                    // Its calls are unknown: one may be to the function.
                    return None;
                }
                // A call passing nothing of known origin passes no checked key either; it is
                // kept by its last name, a `new Class(..)` by the class's.
                let ctor = name == "constructor";
                let named = |k: &Vec<Name>| if ctor { k.first() } else { k.last() }.cloned();
                let opaque = |o: &Name| {
                    &**o == name
                        || (ctor && g == file && owner == Some(&**o))
                        || names.iter().any(|k| named(k).as_ref() == Some(o))
                };
                if facts.origins.opaque_calls.iter().any(opaque) {
                    return None;
                }
                for (n, c) in facts.origins.calls.iter().enumerate() {
                    let by_name = names.contains(&c.callee);
                    // In its own file, also as a method (`this.f(..)`, `Class.f(..)`).
                    let own = g == file
                        && c.callee.last().is_some_and(|l| &**l == name)
                        && self.resolve_function(g, &c.callee) == me;
                    if by_name || own {
                        out.push((g, n));
                    }
                }
            }
            // Through a file that re-exports, the function reaches that file's importers; a
            // private method, only its class.
            let reexports = !def.private
                && (g == file
                    || facts
                        .exports
                        .iter()
                        .any(|e| !matches!(e, Export::Local { .. })));
            if reexports {
                for &i in &importers[g] {
                    if !seen[i.0] {
                        seen[i.0] = true;
                        stack.push(i);
                    }
                }
            }
        }
        out.sort_unstable();
        (!out.is_empty()).then_some(out)
    }

    /// Follows request input into the parameters of the project functions it is passed to.
    pub(super) fn follow_input(&self) -> InputParams {
        // Every call passing input or a parameter (which input may fill), resolved once: the
        // others (the session, a local's rows) pass no input on.
        let may_pass = |o: &Origin| matches!(o, Origin::Input(_) | Origin::Param { .. });
        let mut calls: Vec<(FileId, usize, &CallOrigins, (FileId, u32))> = vec![];
        for (f, unit) in self.units.iter_enumerated() {
            for (n, c) in unit.facts.origins.calls.iter().enumerate() {
                let passes = c.args.iter().any(|a| match a {
                    ArgOrigin::Value(o) => o.as_ref().is_some_and(may_pass),
                    ArgOrigin::Object(keys) => {
                        keys.iter().any(|(_, o)| o.as_ref().is_some_and(may_pass))
                    }
                });
                if !passes {
                    continue;
                }
                if let Some((cf, ci)) = self.resolve_function(f, &c.callee) {
                    let span = self.units[cf].facts.functions[ci].span;
                    calls.push((f, n, c, (cf, span.lo)));
                }
            }
        }
        let mut out = InputParams::default();
        for _ in 0..MAX_HOPS {
            let mut added = vec![];
            for &(f, n, c, target) in &calls {
                for (j, arg) in c.args.iter().enumerate() {
                    let entries: Vec<(&str, Vec<Name>, &Origin)> = match arg {
                        ArgOrigin::Value(Some(o)) => vec![("", vec![], o)],
                        ArgOrigin::Value(None) => vec![],
                        ArgOrigin::Object(keys) => keys
                            .iter()
                            .filter_map(|(k, o)| {
                                let o = o.as_ref()?;
                                // A spread fills the keys not written out (`{ teamId,
                                // ...input }` is taken to mean the `teamId` written).
                                Some(match k {
                                    Some(k) => (&**k, vec![], o),
                                    None => {
                                        let written = keys.iter().filter_map(|(k, _)| k.clone());
                                        ("", written.collect(), o)
                                    }
                                })
                            })
                            .collect(),
                    };
                    for (prefix, except, o) in entries {
                        let inputs = match o {
                            Origin::Input(i) => vec![Passed {
                                input: (**i).clone(),
                                file: f,
                                calls: vec![],
                            }],
                            Origin::Param {
                                scope,
                                index,
                                path,
                                each: false,
                            } => out.lookup(f, *scope, *index, path),
                            Origin::Session | Origin::Local { .. } | Origin::Param { .. } => {
                                vec![]
                            }
                        };
                        for passed in inputs {
                            if verified(self, f, c.scope, o, c.span.lo, &|x| {
                                passed.resolve(self, x) == Some(Origin::Session)
                            }) {
                                continue;
                            }
                            let Passed {
                                input,
                                file,
                                mut calls,
                            } = passed;
                            calls.push((f, n));
                            added.push((
                                target,
                                InputParam {
                                    index: j as u32,
                                    prefix: prefix.into(),
                                    except: except.clone(),
                                    input,
                                    file,
                                    calls,
                                },
                            ));
                        }
                    }
                }
            }
            let mut changed = false;
            for (target, p) in added {
                let list = out.0.entry(target).or_default();
                let known = list.iter().any(|q| {
                    q.index == p.index
                        && q.prefix == p.prefix
                        && q.file == p.file
                        && q.calls == p.calls
                        && q.input.span == p.input.span
                        && q.input.path == p.input.path
                });
                if !known {
                    list.push(p);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        out
    }
}

/// The same value: the same input read the same way, the same parameter's property, or the
/// same property of what one local holds (one value, not one of many).
pub fn same_value(a: &Origin, b: &Origin) -> bool {
    match (a, b) {
        (Origin::Input(a), Origin::Input(b)) => a.label == b.label && a.path == b.path,
        (
            Origin::Param {
                scope: s1,
                index: i1,
                path: p1,
                each: false,
            },
            Origin::Param {
                scope: s2,
                index: i2,
                path: p2,
                each: false,
            },
        ) => s1 == s2 && i1 == i2 && p1 == p2,
        (
            Origin::Local {
                name: n1,
                path: p1,
                each: false,
            },
            Origin::Local {
                name: n2,
                path: p2,
                each: false,
            },
        ) => n1 == n2 && p1 == p2,
        _ => false,
    }
}

impl Project {
    /// Settles the checks that leave by calling an imported function (`if (!row)
    /// forbidden(..)`, see [`crate::facts::NullCheck::via`]; `if (row.teamId !== teamId)
    /// notFound()`, [`crate::facts::Guard::via`]): a check when that function never returns,
    /// and none otherwise (or when it cannot be found).
    pub(super) fn settle_exit_calls(&mut self) {
        let never = |p: &Project, f: FileId, via: &Option<Name>| match via {
            None => true,
            Some(name) => p
                .resolve_function(f, std::slice::from_ref(name))
                .is_some_and(|(g, i)| p.units[g].facts.functions[i].never),
        };
        let mut settled = vec![];
        for (f, unit) in self.units.iter_enumerated() {
            let facts = &unit.facts;
            let nulls = facts.null_checks.iter().any(|n| n.via.is_some());
            let guards = facts.origins.guards.iter().any(|g| g.via.is_some());
            if !nulls && !guards {
                continue;
            }
            let keep_nulls: Vec<bool> = (facts.null_checks.iter())
                .map(|n| never(self, f, &n.via))
                .collect();
            let keep_guards: Vec<bool> = (facts.origins.guards.iter())
                .map(|g| never(self, f, &g.via))
                .collect();
            settled.push((f, keep_nulls, keep_guards));
        }
        for (f, keep_nulls, keep_guards) in settled {
            let facts = &mut self.units[f].facts;
            let mut keep = keep_nulls.into_iter();
            facts.null_checks.retain(|_| keep.next().unwrap_or(false));
            facts.null_checks.iter_mut().for_each(|n| n.via = None);
            let mut keep = keep_guards.into_iter();
            facts
                .origins
                .guards
                .retain(|_| keep.next().unwrap_or(false));
            facts.origins.guards.iter_mut().for_each(|g| g.via = None);
        }
    }
}

/// `local` is checked to hold a value (`if (!local) throw ..`) after `after`, in `scope`.
fn checked(facts: &FileFacts, local: Option<&Name>, after: Span, scope: Option<Span>) -> bool {
    let Some(local) = local else { return false };
    facts.null_checks.iter().any(|n| {
        &n.local == local
            && n.within.is_none()
            && n.span.lo >= after.hi
            && scope.is_none_or(|s| s.lo <= n.span.lo && n.span.hi <= s.hi)
    })
}

/// What the call `c` passes for `path` of its `index`th parameter.
pub fn argument(c: &CallOrigins, index: u32, path: &str) -> Option<Origin> {
    let extend = |o: &Origin, rest: &str| -> Origin {
        if rest.is_empty() {
            return o.clone();
        }
        match o {
            Origin::Input(i) => {
                let mut i = (**i).clone();
                i.path = format!("{}.{rest}", i.path).into();
                Origin::Input(Box::new(i))
            }
            Origin::Session => Origin::Session,
            Origin::Local { name, path, each } => Origin::Local {
                name: name.clone(),
                path: join_path(path, rest).into(),
                each: *each,
            },
            Origin::Param {
                scope,
                index,
                path,
                each,
            } => Origin::Param {
                scope: *scope,
                index: *index,
                path: join_path(path, rest).into(),
                each: *each,
            },
        }
    };
    match c.args.get(index as usize)? {
        ArgOrigin::Value(o) => o.as_ref().map(|o| extend(o, path)),
        ArgOrigin::Object(keys) => {
            // A key written out wins over spreads (see `follow_input`).
            let (first, rest) = path.split_once('.').unwrap_or((path, ""));
            if let Some((_, o)) = keys.iter().rev().find(|(k, _)| k.as_deref() == Some(first)) {
                return o.as_ref().map(|o| extend(o, rest));
            }
            keys.iter()
                .rev()
                .find_map(|(k, o)| (k.is_none()).then_some(o.as_ref()).flatten())
                .map(|o| extend(o, path))
        }
    }
}

/// `value`, used in the function at `scope` of `file` at offset `before`, was verified by a
/// membership check before it: a read of a tenant-scoped table filtered by `value` and by a
/// session value, whose result is checked (`if (!member) throw ..`), in the same function or
/// in a project function it called earlier.
pub fn verified(
    project: &Project,
    file: FileId,
    scope: Option<Span>,
    value: &Origin,
    before: u32,
    is_session: &dyn Fn(&Origin) -> bool,
) -> bool {
    let facts = &project.units[file].facts;
    // `if (input.teamId !== ctx.teamId) throw ..`
    // A check in the function `scope`, or one enclosing it (the value is used in a callback:
    // a relational `where: (t, { eq }) => eq(t.teamId, teamId)`, a transaction's).
    let guarded = facts.origins.guards.iter().any(|g| {
        encloses(g.scope, scope)
            && g.span.hi <= before
            && same_value(&g.value, value)
            && is_session(&g.against)
    });
    if guarded {
        return true;
    }
    // A membership check in a middleware of the tRPC procedure (`.use(..)` on its builder).
    if let Origin::Input(i) = value {
        if i.label == crate::facts::TRPC_INPUT && project.checked_inputs.at(file, before, &i.path) {
            return true;
        }
    }
    let same_function = tenant_reads(project, file, scope, before).any(|site| {
        checked(facts, site.result.as_ref(), site.span, site.scope)
            && uses_in(facts, site.span).any(|o| same_value(o, value))
            && uses_in(facts, site.span).any(is_session)
    });
    same_function
        || checked_by_call(
            project, file, scope, before, None, value, is_session, false, 1,
        )
}

/// Whether span `outer` holds span `inner` (both `None`: module level).
fn encloses(outer: Option<Span>, inner: Option<Span>) -> bool {
    match (outer, inner) {
        (Some(o), Some(i)) => o.contains(i),
        (o, i) => o == i,
    }
}

/// The reads of tenant-scoped tables in the function `scope` of `f`, before `before`.
fn tenant_reads(
    project: &Project,
    f: FileId,
    scope: Option<Span>,
    before: u32,
) -> impl Iterator<Item = &crate::facts::QuerySite> {
    let facts = &project.units[f].facts;
    project.queries[f]
        .iter()
        .map(move |q| (q, &facts.queries[q.site]))
        .filter(move |(q, site)| {
            encloses(site.scope, scope)
                && site.span.hi <= before
                && site.kind.is_read()
                && project.table(q.table).is_tenant_scoped()
        })
        .map(|(_, site)| site)
}

/// Takes a value of a called function to the value it is where a check is asked (`None`: the
/// same place, no value copied).
type Mapping<'a> = Option<&'a dyn Fn(&Origin) -> Option<Origin>>;

/// A call in the function `scope` of `file`, before `before`, to a project function that
/// reads with `value` and a session value, the read's row checked there or the call's result
/// checked by its caller; or that reads nothing itself and calls another such function
/// (`depth` more calls deep: a service's `assertMember(accountId, userId)` calling a
/// repository's `findMember`). `map`
/// takes a value of `file` to the value it is where the check is asked (`checked` that a
/// caller already checked the result).
#[allow(clippy::too_many_arguments)]
fn checked_by_call(
    project: &Project,
    file: FileId,
    scope: Option<Span>,
    before: u32,
    map: Mapping<'_>,
    value: &Origin,
    is_session: &dyn Fn(&Origin) -> bool,
    checked_above: bool,
    depth: u8,
) -> bool {
    let facts = &project.units[file].facts;
    facts.origins.calls.iter().any(|c| {
        if !encloses(c.scope, scope) || c.span.hi > before {
            return false;
        }
        let Some((cf, ci)) = project.resolve_function(file, &c.callee) else {
            return false;
        };
        let callee = &project.units[cf].facts;
        let fn_span = Some(callee.functions[ci].span);
        // (At the first call `map` is the identity: no value is copied twice.)
        let passed = |o: &Origin| match o {
            Origin::Param {
                index,
                path,
                each: false,
                ..
            } => argument(c, *index, path).and_then(|o| match map {
                Some(m) => m(&o),
                None => Some(o),
            }),
            o => match map {
                Some(m) => m(o),
                None => Some(o.clone()),
            },
        };
        let session = |o: &Origin| passed(o).is_some_and(|o| is_session(&o));
        let result_checked = checked_above || checked(facts, c.result.as_ref(), c.span, c.scope);
        let mut reads = tenant_reads(project, cf, fn_span, u32::MAX).peekable();
        // (Only a function that reads nothing itself is followed one call deeper: a service
        // method handing the check to a repository.)
        let delegates = reads.peek().is_none();
        reads.any(|site| {
            (result_checked || checked(callee, site.result.as_ref(), site.span, fn_span))
                && uses_in(callee, site.span)
                    .any(|o| passed(o).is_some_and(|o| same_value(&o, value)))
                && uses_in(callee, site.span).any(session)
        }) || (depth > 0
            && delegates
            && passes(c, map, value)
            && checked_by_call(
                project,
                cf,
                fn_span,
                u32::MAX,
                Some(&passed),
                value,
                is_session,
                result_checked,
                depth - 1,
            ))
    })
}

/// `c` passes `value`, or an object or value it is part of (`input` for `input.teamId`), as
/// one of its arguments, as `map` takes the call's values: only such a call's callee can
/// check it.
fn passes(c: &CallOrigins, map: Mapping<'_>, value: &Origin) -> bool {
    let covers = |o: &Origin| {
        let mapped = match map {
            Some(m) => m(o),
            None => Some(o.clone()),
        };
        mapped.is_some_and(|o| {
            same_value(&o, value)
                || match (&o, value) {
                    (Origin::Input(a), Origin::Input(b)) => {
                        a.label == b.label && within(&b.path, &a.path)
                    }
                    (
                        Origin::Param {
                            scope: s1,
                            index: i1,
                            path: p1,
                            ..
                        },
                        Origin::Param {
                            scope: s2,
                            index: i2,
                            path: p2,
                            ..
                        },
                    ) => s1 == s2 && i1 == i2 && within(p2, p1),
                    _ => false,
                }
        })
    };
    c.args.iter().any(|a| match a {
        ArgOrigin::Value(o) => o.as_ref().is_some_and(covers),
        ArgOrigin::Object(keys) => keys.iter().any(|(_, o)| o.as_ref().is_some_and(covers)),
    })
}

/// Path `inner` is `outer` or a property of it (`input.teamId` within `input`; every path is
/// within the empty one).
fn within(inner: &str, outer: &str) -> bool {
    outer.is_empty()
        || inner
            .strip_prefix(outer)
            .is_some_and(|r| r.is_empty() || r.starts_with('.'))
}

/// The origins of the filters written inside `site`.
fn uses_in(facts: &FileFacts, site: Span) -> impl Iterator<Item = &Origin> {
    facts
        .origins
        .uses
        .iter()
        .filter(move |u| {
            matches!(u.target, UseTarget::Filter { .. })
                && site.lo <= u.span.lo
                && u.span.hi <= site.hi
        })
        .map(|u| &u.origin)
}
