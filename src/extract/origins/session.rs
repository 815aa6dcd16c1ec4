//! Names that give the session: calls that return it (or its signed-in user), and names that
//! hold it wherever they are not bound otherwise.

use crate::extract::ast::{member_prop, unwrap};
use swc_ecma_ast::*;

/// The calls that return the session (or its user).
pub(super) fn session_call(name: &str) -> bool {
    matches!(
        name,
        "auth"
            | "getSession"
            | "getServerSession"
            | "getServerAuthSession"
            | "currentUser"
            | "getCurrentUser"
            | "getAuth"
            | "validateRequest"
            | "requireAuth"
            | "requireUser"
            | "requireSession"
            | "getUserSession"
            // A Next.js data access layer's (as its docs name it).
            | "verifySession"
            // Encore.ts's (`~encore/auth`): what the app's auth handler returned.
            | "getAuthData"
    )
}

/// A call with no arguments that returns the signed-in user by its name: `getUser()`,
/// `getCurrentUser()`, `requireSessionUser()` (`get`, `require`, `fetch` or `load`, maybe
/// `Current`, `Session`, `Auth`, `SignedIn` or `LoggedIn`, then `User`). With an argument
/// (`getUser(id)`) it looks a user up.
pub(super) fn session_user_call(name: &str) -> bool {
    verb_qualifier_noun(
        name,
        &["get", "require", "fetch", "load"],
        &["Current", "Session", "Auth", "SignedIn", "LoggedIn"],
        &["User"],
    )
}

/// A call that takes the session and is named for its user's id: `getUserId(ctx)`,
/// `tryGetActorUserId(ctx.actor)`, `requireUserID(session)` (`get`, `tryGet`, `require`,
/// `resolve` or `extract`, maybe `Actor`, `Session`, `Current` or `Auth`, then `UserId`).
/// `getTeamsByUserId(db, id)` is no such call.
pub(super) fn session_user_id_call(name: &str) -> bool {
    verb_qualifier_noun(
        name,
        &["tryGet", "get", "require", "resolve", "extract"],
        &["Actor", "Session", "Current", "Auth"],
        &["UserId", "UserID"],
    )
}

/// `name` is one of `verbs`, maybe one of `qualifiers`, then one of `nouns`.
fn verb_qualifier_noun(name: &str, verbs: &[&str], qualifiers: &[&str], nouns: &[&str]) -> bool {
    let Some(rest) = verbs.iter().find_map(|v| name.strip_prefix(v)) else {
        return false;
    };
    let rest = qualifiers
        .iter()
        .find_map(|q| rest.strip_prefix(q))
        .unwrap_or(rest);
    nouns.contains(&rest)
}

/// A call named for a context made from its argument (`toServiceCtx(ctx)`,
/// `createServiceContext(session)`), or for requiring a part of it (`requireAccount(locals)`,
/// which returns it or throws): given the session alone, what it returns is the session's.
pub(super) fn session_context_call(name: &str) -> bool {
    name.ends_with("Ctx")
        || name.ends_with("Context")
        || name
            .strip_prefix("require")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Whether a call bound to a local named `session` returns the signed-in session, by the name
/// of the function it calls: a session call (`auth()`, `getServerSession()`), one that checks a
/// credential (`verifyAccessToken`, `validateRequest`, `requireAuth`), one whose name ends
/// in `Session` (`getUserSession`), or one named for the session's user (`getSessionUser(req)`,
/// `requireCurrentUser(event)`; not `getUser(id)`, which looks a user up). Anything else (`getChatSessionInWorkspace({ sessionId })`,
/// `sessionModel.findById(id)`, a query) returns a row of the app's own sessions.
pub(super) fn returns_session(init: &Expr) -> bool {
    let mut e = unwrap(init);
    if let Expr::Await(a) = e {
        e = unwrap(&a.arg);
    }
    let Expr::Call(c) = e else {
        return false;
    };
    let Callee::Expr(callee) = &c.callee else {
        return false;
    };
    let name = match unwrap(callee) {
        Expr::Ident(i) => i.sym.to_string(),
        Expr::Member(m) => match member_prop(&m.prop) {
            Some(n) => n.to_string(),
            None => return false,
        },
        _ => return false,
    };
    let lower = name.to_ascii_lowercase();
    session_call(&name)
        || name.ends_with("Session")
        || (session_user_call(&name) && !matches!(&*name, "getUser" | "fetchUser" | "loadUser"))
        || ["auth", "verify", "validate", "token"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Names that hold the session or context wherever they are not bound otherwise.
pub(super) fn session_name(name: &str) -> bool {
    matches!(name, "ctx" | "session" | "locals")
}
