//! Where the walk is: the functions it is inside (the module's frame first), their loops and
//! `catch` clauses, and how many conditional constructs enclose it.

use super::ast::{unwrap, Offsets};
use crate::facts::*;
use swc_ecma_ast::*;

/// One function the walk is inside, or the module.
pub(super) struct FnFrame {
    /// The name the function is found by (`name`, `Class.method`, `object.method`), when it
    /// has one.
    pub(super) name: Option<FnName>,
    /// The loops the function's body runs in: its own, and for a callback run in place, its
    /// caller's.
    pub(super) loops: Vec<LoopInfo>,
    /// Return values read as predicates; `None` once a return is not a predicate.
    pub(super) returns: Option<Vec<RawPred>>,
    pub(super) params: Vec<Name>,
    /// Parameters whose default value names a table (`t = notes`).
    pub(super) defaults: Vec<(Name, Base)>,
    pub(super) span: swc_common::Span,
    /// Whether the function is recorded as a [`FunctionDef`] when it ends (it has a name).
    pub(super) record: bool,
    /// How many `catch` clauses of this function the walk is in.
    pub(super) catch_depth: u32,
    /// `loops[own_loops..]` are the function's own statement loops (the ones before are its
    /// caller's, or the iteration its callback runs in): a `return` leaves those.
    pub(super) own_loops: usize,
    /// It never returns (see `reach::never_returns`).
    pub(super) never: bool,
    /// Its parameters that are requests (by name or type), with their positions.
    pub(super) requests: Vec<(Name, u32)>,
    /// It returns the JSON body of its request parameter at this position.
    pub(super) reads_body: Option<u32>,
}

impl FnFrame {
    fn module() -> Self {
        FnFrame {
            name: None,
            loops: vec![],
            returns: None,
            params: vec![],
            defaults: vec![],
            span: Default::default(),
            record: false,
            catch_depth: 0,
            own_loops: 0,
            never: false,
            requests: vec![],
            reads_body: None,
        }
    }
}

pub(super) struct Frames {
    /// The module's frame, then one per function the walk is inside, innermost last. Never
    /// empty.
    stack: Vec<FnFrame>,
    /// How many conditional constructs (`if`, `?:`, `&&`, loops, `catch`, `case`) enclose the
    /// walk: a condition pushed deeper than its array was declared may not be there.
    pub(super) conditional: u32,
    /// The blocks that may not run and the `try` blocks the walk is in: where a check holds.
    pub(super) reach: super::reach::Reach,
}

impl Frames {
    pub(super) fn new() -> Self {
        Frames {
            stack: vec![FnFrame::module()],
            conditional: 0,
            reach: Default::default(),
        }
    }

    /// Outside every function: at module level (or in a class body outside its methods).
    pub(super) fn at_module_level(&self) -> bool {
        self.stack.len() == 1
    }

    pub(super) fn push(&mut self, frame: FnFrame) {
        self.stack.push(frame);
    }

    /// Leaves the innermost function; the module's frame stays.
    pub(super) fn pop(&mut self) -> Option<FnFrame> {
        if self.at_module_level() {
            None
        } else {
            self.stack.pop()
        }
    }

    pub(super) fn innermost(&self) -> &FnFrame {
        let last = self.stack.len() - 1;
        &self.stack[last]
    }

    pub(super) fn innermost_mut(&mut self) -> &mut FnFrame {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// The name of the innermost named function the walk is in.
    pub(super) fn current_function(&self) -> Option<FnName> {
        self.stack.iter().rev().find_map(|f| f.name.clone())
    }

    /// Inside a `catch` clause of the current function: an error path.
    pub(super) fn in_catch(&self) -> bool {
        self.innermost().catch_depth > 0
    }

    /// The loops the current function's code runs in.
    pub(super) fn current_loops(&self) -> Vec<LoopInfo> {
        self.innermost().loops.clone()
    }

    /// The span of the function the walk is in, `None` at module level.
    pub(super) fn function_span(&self, at: Offsets) -> Option<crate::span::Span> {
        match self.stack.as_slice() {
            [_, .., f] => Some(at.span(f.span)),
            _ => None,
        }
    }
}

/// A loop of `kind` whose head is at `span`; `over` is what it walks, when that is known.
pub(super) fn loop_info(
    at: Offsets,
    kind: LoopKind,
    span: swc_common::Span,
    is_await: bool,
    over: Option<&Expr>,
) -> LoopInfo {
    let literal_len = over.and_then(|e| match unwrap(e) {
        Expr::Array(a) if a.elems.iter().flatten().all(|el| el.spread.is_none()) => {
            Some(a.elems.len())
        }
        _ => None,
    });
    let batched = over.is_some_and(|e| {
        let Expr::Call(c) = unwrap(e) else {
            return false;
        };
        let Callee::Expr(callee) = &c.callee else {
            return false;
        };
        let name = match unwrap(callee) {
            Expr::Ident(i) => i.sym.to_ascii_lowercase(),
            Expr::Member(m) => match &m.prop {
                MemberProp::Ident(i) => i.sym.to_ascii_lowercase(),
                _ => return false,
            },
            _ => return false,
        };
        name.contains("chunk") || name.contains("batch")
    });
    LoopInfo {
        kind,
        span: at.span(span),
        is_await,
        literal_len,
        batched,
        once: false,
        untested: false,
    }
}

/// `i += size`, `i = i + size` with a step other than `1`: a `for` loop walking batches.
pub(super) fn steps_by_batch(update: &Expr) -> bool {
    let is_one = |e: &Expr| matches!(unwrap(e), Expr::Lit(Lit::Num(n)) if n.value == 1.0);
    match unwrap(update) {
        Expr::Assign(a) if a.op == AssignOp::AddAssign => !is_one(&a.right),
        Expr::Assign(a) if a.op == AssignOp::Assign => match unwrap(&a.right) {
            Expr::Bin(b) if b.op == BinaryOp::Add => !is_one(&b.right) && !is_one(&b.left),
            _ => false,
        },
        Expr::Seq(s) => s.exprs.iter().any(|e| steps_by_batch(e)),
        _ => false,
    }
}

/// The loop's head: from its keyword to the start of its body.
pub(super) fn head_span(stmt: swc_common::Span, body: swc_common::Span) -> swc_common::Span {
    let hi = if body.lo > stmt.lo { body.lo } else { stmt.hi };
    swc_common::Span::new(stmt.lo, hi)
}
