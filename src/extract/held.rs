//! What locals, parameters and class fields hold, as far as N+1 needs it: an array (a
//! `for await` over one runs once per element, unlike one over a stream) or an instance of a
//! class (`repo.find(..)` calls `Repo.find`); and the calls that run a callback once per element
//! of a collection without being an array method (`Array.from(xs, fn)`, `pMap(xs, fn)`).

use super::ast::{object_prop, unwrap};
use super::chain::Seg;
use crate::facts::Import;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// What a name holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Held {
    /// An array (or another finite collection): `[..]`, `xs.map(..)`, a parameter typed
    /// `T[]`, `Array<T>`, `Set<T>`.
    Array,
    /// An instance of the class of this name: `new Repo(db)`, a parameter or field typed `Repo`.
    Instance(Atom),
    /// Something else, shadowing an outer name that held one of the above.
    Other,
}

/// The names of the current functions that hold something [`Held`] tells, newest last, and the
/// fields of the class the walk is in.
#[derive(Default)]
pub(super) struct Locals {
    names: Vec<(Atom, Held)>,
    /// Where each function the walk is inside started in `names`.
    marks: Vec<usize>,
    /// The class's fields holding instances: `private repo: Repo`, `constructor(private repo:
    /// Repo)`, `this.repo = new Repo(db)`.
    pub(super) fields: Vec<(Atom, Atom)>,
    /// The module-level variable whose initialiser the walk is in: given `drizzle(..)`, it is
    /// a Drizzle database.
    pub(super) module_const: Option<Atom>,
}

impl Locals {
    pub(super) fn enter(&mut self) {
        self.marks.push(self.names.len());
    }

    pub(super) fn leave(&mut self) {
        if let Some(m) = self.marks.pop() {
            self.names.truncate(m);
        }
    }

    pub(super) fn get(&self, name: &Atom) -> Option<&Held> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, h)| h)
    }

    /// Records what `name` holds; a name that holds nothing told is recorded only when it
    /// shadows one that does.
    fn set(&mut self, name: &Atom, held: Option<Held>) {
        match held {
            Some(h) => self.names.push((name.clone(), h)),
            None if self.get(name).is_some_and(|h| *h != Held::Other) => {
                self.names.push((name.clone(), Held::Other))
            }
            None => {}
        }
    }

    /// A parameter (its type tells).
    pub(super) fn param(&mut self, p: &Pat) {
        if let Pat::Ident(i) = p {
            let held = i.type_ann.as_deref().and_then(|t| of_type(&t.type_ann));
            self.set(&i.id.sym, held);
        }
    }

    /// A local bound to `init` (its value, or its type, tells).
    pub(super) fn local(&mut self, name: &Pat, init: Option<&Expr>) {
        let Pat::Ident(i) = name else { return };
        let held = init
            .and_then(of_value)
            .or_else(|| i.type_ann.as_deref().and_then(|t| of_type(&t.type_ann)));
        self.set(&i.id.sym, held);
    }

    /// The class whose instance `e` is: `new Repo(..)`, a local or parameter holding one, or
    /// `this.repo` with a field holding one.
    pub(super) fn instance_of(&self, e: &Expr) -> Option<Atom> {
        match unwrap(e) {
            Expr::New(_) | Expr::Call(_) => instance_class(e),
            Expr::Ident(i) => match self.get(&i.sym)? {
                Held::Instance(c) => Some(c.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The class held by the field `name` of the class the walk is in.
    pub(super) fn field(&self, name: &str) -> Option<&Atom> {
        self.fields.iter().find(|(f, _)| f == name).map(|(_, c)| c)
    }

    /// Whether `e` is an array (not a stream): an array literal, an array made by a method
    /// (`xs.map(..)`, `Array.from(..)`, `Object.values(..)`), or a name holding one.
    pub(super) fn is_array(&self, e: &Expr) -> bool {
        match unwrap(e) {
            Expr::Ident(i) => self.get(&i.sym) == Some(&Held::Array),
            other => of_value(other) == Some(Held::Array),
        }
    }
}

/// The class `e` makes an instance of: `new Repo(..)`, or a container's
/// `container.resolve(Repo)` ([`super::ast::resolved_class`]).
pub(super) fn instance_class(e: &Expr) -> Option<Atom> {
    match unwrap(e) {
        Expr::New(n) => match unwrap(&n.callee) {
            Expr::Ident(c) => Some(c.sym.clone()),
            _ => None,
        },
        Expr::Call(c) => super::ast::resolved_class(c).cloned(),
        _ => None,
    }
}

/// What a value holds, told by its form.
fn of_value(e: &Expr) -> Option<Held> {
    const ARRAY_METHODS: [&str; 7] = [
        "map", "filter", "flatMap", "slice", "concat", "flat", "toSorted",
    ];
    match unwrap(e) {
        Expr::Array(_) => Some(Held::Array),
        Expr::New(n) => match unwrap(&n.callee) {
            Expr::Ident(c) if &*c.sym == "Set" || &*c.sym == "Array" => Some(Held::Array),
            Expr::Ident(c) => Some(Held::Instance(c.sym.clone())),
            _ => None,
        },
        Expr::Call(c) => {
            if let Some(class) = super::ast::resolved_class(c) {
                return Some(Held::Instance(class.clone()));
            }
            let (obj, method) = super::ast::method_call(c)?;
            // `keys`/`values`/`entries` of `Object` only: a `Map`'s are iterators.
            let on_object = matches!(unwrap(obj), Expr::Ident(o) if &*o.sym == "Object");
            let array = match &*method {
                "from" => matches!(unwrap(obj), Expr::Ident(o) if &*o.sym == "Array"),
                "keys" | "values" | "entries" => on_object,
                name => ARRAY_METHODS.contains(&name),
            };
            array.then_some(Held::Array)
        }
        _ => None,
    }
}

/// What a value of a type holds: `T[]`, `Array<T>`, `Set<T>` an array; a named type an
/// instance of that class (when it is no class of the project, nothing resolves to it).
fn of_type(t: &TsType) -> Option<Held> {
    match t {
        TsType::TsArrayType(_) => Some(Held::Array),
        TsType::TsTypeOperator(o) => of_type(&o.type_ann).filter(|h| *h == Held::Array),
        TsType::TsTypeRef(r) => match &r.type_name {
            TsEntityName::Ident(i) => match &*i.sym {
                "Array" | "ReadonlyArray" | "Set" | "ReadonlySet" => Some(Held::Array),
                _ => Some(Held::Instance(i.sym.clone())),
            },
            _ => None,
        },
        _ => None,
    }
}

/// The fields of a class that hold instances: typed fields, fields given `new X(..)`,
/// constructor parameter properties, and `this.f = new X(..)` in the constructor.
pub(super) fn class_fields(c: &Class) -> Vec<(Atom, Atom)> {
    let mut out = vec![];
    let mut push = |name: &Atom, held: Option<Held>| {
        if let Some(Held::Instance(class)) = held {
            out.push((name.clone(), class));
        }
    };
    for m in &c.body {
        match m {
            ClassMember::ClassProp(p) => {
                let PropName::Ident(key) = &p.key else {
                    continue;
                };
                let held = p
                    .value
                    .as_deref()
                    .and_then(of_value)
                    .or_else(|| p.type_ann.as_deref().and_then(|t| of_type(&t.type_ann)));
                push(&key.sym, held);
            }
            ClassMember::Constructor(k) => {
                for p in &k.params {
                    if let ParamOrTsParamProp::TsParamProp(tp) = p {
                        if let TsParamPropParam::Ident(i) = &tp.param {
                            let held = i.type_ann.as_deref().and_then(|t| of_type(&t.type_ann));
                            push(&i.id.sym, held);
                        }
                    }
                }
                for (f, value) in k
                    .body
                    .iter()
                    .flat_map(|b| &b.stmts)
                    .filter_map(super::ast::this_stored)
                {
                    push(f, of_value(value));
                }
            }
            _ => {}
        }
    }
    out
}

/// Packages whose functions run a callback once per element of their first argument
/// (`pMap(xs, fn)`), with the name a finding gives the loop.
const MAPPING_PACKAGES: [(&str, &str); 5] = [
    ("p-map", "pMap"),
    ("p-map-series", "pMapSeries"),
    ("p-each-series", "pEachSeries"),
    ("p-filter", "pFilter"),
    ("p-reduce", "pReduce"),
];

/// A call that runs its function arguments after the first once per element of the first:
/// `Array.from(xs, fn)`, or a function imported from one of [`MAPPING_PACKAGES`]. The loop's
/// name and what it walks.
pub(super) fn maps_per_element<'a>(
    seg: &Seg<'a>,
    imports: &[Import],
) -> Option<(&'static str, Option<&'a Expr>)> {
    seg.args?;
    let label = match seg.object.map(unwrap) {
        Some(Expr::Ident(o)) if &*o.sym == "Array" && seg.name == "from" => "Array.from",
        None => {
            let import = imports.iter().find(|i| i.local == seg.name)?;
            MAPPING_PACKAGES
                .iter()
                .find(|(package, _)| *package == &*import.source)
                .map(|&(_, label)| label)?
        }
        _ => return None,
    };
    Some((label, seg.arg(0)))
}

/// `{ length: 3 }`, `Array.from`'s array-like of a fixed length: that length.
pub(super) fn literal_length(e: &Expr) -> Option<usize> {
    let Expr::Object(o) = unwrap(e) else {
        return None;
    };
    match object_prop(o, "length").map(unwrap) {
        Some(Expr::Lit(Lit::Num(n))) if n.value >= 0.0 && n.value < 1e6 => Some(n.value as usize),
        _ => None,
    }
}
