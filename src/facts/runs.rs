//! Where a query runs and what the code there does with its chain.

/// Where a query runs: as part of its function's own work, as part of another query, or on an
/// error path; and what the code there does with the chain ([`Handling`]). Each rule asks one
/// of the questions below rather than looking at the variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// In the flow of the enclosing function (or module): its own work.
    InFunction(Handling),
    /// As a subquery of another query: a condition operator's argument
    /// (`inArray(col, db.select(..))`, `exists(..)`) or `.as(..)`-ed into a subquery. Never run
    /// by itself. (Also inside another query's chain or a `catch` clause, or not.)
    Subquery(Handling),
    /// Inside another query's chain without being made a subquery: a value in
    /// `db.update(t).set({ n: db.select(..) })`, an argument of one of its calls, a query in
    /// its `.then(..)` callback. It runs as part of that query's work. (Also in a
    /// `catch` clause or not, which makes no difference then.)
    InQuery(Handling),
    /// In a `catch` clause: on an error path, not as part of the function's work.
    OnError(Handling),
}

/// What the code where a query chain is written does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Runs it as written: awaited, returned, or its result used in place.
    AsWritten,
    /// Stores it instead of awaiting it (`const q = db.delete(t)`, `q = ..`): clauses may be
    /// added where this site cannot see.
    Stored,
    /// Makes it `.$dynamic()` (stored or not): it is finished by code elsewhere.
    Dynamic,
    /// Passes it to a call (a helper, `inArray`), which decides how and when it runs.
    Passed,
    /// Makes it a prepared statement (the chain ends in `.prepare(..)`): finished as written,
    /// it runs where it is executed (`stmt.execute({..})`), each run a query site of its own
    /// ([`super::QuerySite::prepared`]).
    Prepared,
}

impl Runs {
    /// What the code does with the chain, wherever it runs.
    pub fn handling(self) -> Handling {
        match self {
            Runs::InFunction(h) | Runs::Subquery(h) | Runs::InQuery(h) | Runs::OnError(h) => h,
        }
    }

    /// Clauses may still be added where this site cannot see (the builder is stored or made
    /// `.$dynamic()`): what is written is not the whole query.
    pub fn may_gain_clauses(self) -> bool {
        matches!(self.handling(), Handling::Stored | Handling::Dynamic)
    }

    /// The chain is not run by itself where it is written: it is passed to a call, made
    /// `.$dynamic()`, or a subquery. Its own `limit` and `orderBy` are not the whole story.
    pub fn is_embedded(self) -> bool {
        matches!(self, Runs::Subquery(_))
            || matches!(self.handling(), Handling::Passed | Handling::Dynamic)
    }

    /// The same place, passed to a call that decides how it runs (a part of a set operation
    /// after the first: `a.union(b)`, `union(a, b)`).
    pub fn passed(self) -> Runs {
        self.handled(Handling::Passed)
    }

    /// The same place, made a prepared statement.
    pub fn prepared(self) -> Runs {
        self.handled(Handling::Prepared)
    }

    /// The same place, the chain handled as `h` says.
    fn handled(self, h: Handling) -> Runs {
        match self {
            Runs::InFunction(_) => Runs::InFunction(h),
            Runs::Subquery(_) => Runs::Subquery(h),
            Runs::InQuery(_) => Runs::InQuery(h),
            Runs::OnError(_) => Runs::OnError(h),
        }
    }

    /// Runs as part of its function's own work: not part of another query, not on an error
    /// path, not a prepared statement (which runs where it is executed). What N+1 counts.
    pub fn is_own_work(self) -> bool {
        matches!(self, Runs::InFunction(h) if h != Handling::Prepared)
    }
}
