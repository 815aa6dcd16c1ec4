//! `tenant-value-from-input`: the tenant value of a filter or a write comes from request input.

use super::context::{RuleContext, RuleDef, RuleKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Origin, QueryKind, UseTarget};
use crate::ids::FileId;
use crate::link::origins::{verified, Passed};
use crate::predicate::{Col, Opnd, Pred};
use crate::rule_id::RuleId;

pub const RULE: RuleDef = RuleDef {
    default_severity: Severity::Warning,
    summary: "The tenant value of a filter or a write comes from request input, which the client chooses.",
    doc: DOC,
    kind: RuleKind::Query(check),
    security_severity: Some("7.5"),
};

const DOC: &str = r#"## What it reports
A tenant filter (`eq(T.teamId, v)`, `inArray(T.teamId, v)`, a relational object filter
`findMany({ where: { teamId: v } })`, a raw fragment `sql`team_id = ${v}`` read as SQL, see
`tenant-filter`, a prepared statement's `sql.placeholder('teamId')` given its value by a run
of the statement in the same module, `stmt.execute({ teamId: v })`) or a write of a tenant column
(`insert(T).values({ teamId: v })`, `update(T).set({ teamId: v })`) whose value comes from request
input: a tRPC procedure's `input` (or an action client's: next-safe-action's `parsedInput`,
zsa's and oRPC's `input` in `.handler(..)`, TanStack Start's server function `data`), a Next.js route handler's
`request.json()`, `searchParams` (`req.nextUrl.searchParams`, `new URL(req.url).searchParams`) or
`params`, a page's or layout's `params` and `searchParams`
props (a default-exported component, `export default async function Page({ params })`: the
URL), the arguments of a `'use server'` file's exported
functions and of a function whose body starts with `'use server'` (`async function act(..) {
'use server'; .. }`, also an arrow, as SolidStart's `query(async (id) => { 'use server'; ..
})`; a form it is given, named `formData` or typed `FormData`, is read by its `get(..)`), a
request handler given an event rather than a request (SolidStart's `POST({ request, params })`:
its `request`'s body and form; its `locals` are the session's), SvelteKit's request event in a route file (`+page.server.ts`, `+layout.server.ts`,
`+server.ts`, or `.js`: the first argument of its `load`, of each of its form `actions` and of
its request handlers `GET`, `POST`, .., `fallback`, destructured or as `event`): `params`,
`url.searchParams.get(..)`, `request.json()` and `request.formData()`, the same of Astro's
context in a module that imports from Astro (`astro`, `astro:actions`, ..: an endpoint's
exported `GET`, `POST`, .., `ALL`, `export const GET: APIRoute = async ({ params, request, url
}) => ..`), an Astro action's input (the first argument of the `handler` given to
`defineAction({ input, handler })`, validated by its `input` schema), a Next.js Pages Router API
route's request (a default-exported function whose first parameter is `req`, `request` or
typed as a request, `handler(req: NextApiRequest, res)`: `req.query`, `req.body`), an AWS Lambda
handler's API Gateway event (a parameter typed `APIGatewayProxyEvent`, `APIGatewayProxyEventV2`,
.., `LambdaFunctionURLEvent` or `ALBEvent`): its `pathParameters`, `queryStringParameters`,
`body` (also through `JSON.parse(..)`) and `headers` (its `requestContext`, the authorizer's
claims, is the session's; a queue's or a schedule's event is not input), a React Router (Remix)
route module's `loader` and `action` (their first argument destructured, `{ request, params }`,
or typed with the framework's `LoaderFunctionArgs`/`Route.ActionArgs`): the same `params`,
`request.json()`, `request.formData()` and `new URL(request.url).searchParams` (also of a
TanStack Start server route's handlers by method, `.methods({ GET: ({ request, params }) => ..
})`), Hono's `c.req.param|query|queries|json|valid|header|parseBody|formData(..)`, Express/Fastify
`req.body|params|query|headers|cookies`, what h3's functions read from the event a Nitro or Nuxt
server route's handler is given (`defineEventHandler((event) => ..)`, also
`defineCachedEventHandler` and `eventHandler`): `getRouterParam(s)`,
`getValidatedRouterParams`, `getQuery`, `getValidatedQuery`, `readBody`, `readValidatedBody`,
`readRawBody`, `readMultipartFormData`, `readFormData(..)`'s `.get(..)`, `getHeader(s)`,
`getRequestHeader(s)`, `getCookie` and `parseCookies` (and `event.context.params`), an Elysia
route's context in a module that imports from `elysia` (the first argument of the handler
given to `.get`, `.post`, `.put`, `.patch`, `.delete`, `.all`, `.route`, .., also within
`.group(..)`): its `params`, `body`, `query`, `headers` and `cookie`, Koa's context in a
module that imports from `koa` or `@koa/router` (a route's or middleware's `ctx`, or a
parameter named `ctx` or typed `Context`): `ctx.params`, `ctx.query`, `ctx.request.body`,
`ctx.request.query`, `ctx.headers`, `ctx.get(..)` and `ctx.cookies.get(..)`, Qwik City's (a
module importing `@builder.io/qwik-city`): a `server$(..)` function's arguments, a
`routeAction$`'s or `globalAction$`'s data, and the request event of a `routeLoader$`, an action
or an endpoint (`onGet`, `onPost`, ..): its `params`, `query`, `headers` and `parseBody()`, a NestJS method's parameters decorated `@Body()`,
`@Param()`, `@Query()` or `@Headers()` (and `@Req()`'s `body`, `params`, ..; its `user` is the
session's), a GraphQL resolver's arguments (the second parameter of a field's `resolve(parent,
args, context)` in graphql-js, Pothos or Nexus, and of the functions of a resolver map's
`Query`, `Mutation` and `Subscription` objects, and of the functions a RedwoodJS service in
`api/src/services/` exports; a parameter decorated `@Args()` or type-graphql's
`@Arg()`; the third parameter, or `@Context()`/`@Ctx()`, is the session's), an Encore.ts
endpoint's argument in a module that imports from `encore.dev` (`api({ expose: true, .. },
async ({ teamId }) => ..)`: path parameters, query string and body in one object; an endpoint
not exposed is called by the app's own services; `getAuthData()` is the session's), the path of a
request's URL as a handler that routes by hand reads it (`new URL(request.url).pathname`
matched by a regular expression, split, or `pattern.exec(request.url)` with a `URLPattern`; a
parameter named `params` of a function given the request first, `(request, env, params)`, is
what such a router matched), or
`formData.get(..)`. A string method that returns the client's string changed in form or in
pieces (`trim`, `toLowerCase`, `split`, `match`, `slice`, `replace`, ..) keeps it input. A
request body read through a project helper is input too: a local given `await
readJson(request)`, where the helper returns its request parameter's `json()` (a parameter
named `req` or `request`, or typed as a request; `return (await request.json()) as T`, also in
a `try`). Input validated by a zod schema is still input: `Schema.parse(v)` and
`parseAsync` return it, `safeParse(v)` and `safeParseAsync` return it as `data`. Also an input
object spread into the values or
`set` of a tenant-scoped table without setting the tenant column after the spread, unless the
zod schema that validated it has no tenant key (zod drops the keys it does not name): a tRPC
procedure's `.input(..)`, next-safe-action's `.schema(..)`, TanStack Start's `.validator(..)`, `Schema.parse(body)` (and
`parseAsync`; what it returns has the schema's keys only), the body schema of a `@hono/zod-openapi` route (`api.openapi(route,
handler)` with `route = createRoute({ request: { body: .. } })` in the same module) read with
`c.req.valid('json')`, or a `zValidator('json', schema)` among a Hono route's arguments. The
schema may be written in place or named, also in another module, and built with `omit`,
`pick`, `extend`, `merge` and the methods that keep its keys (`partial`, `strict`, `openapi`,
`refine`, ..); one that may keep other keys (`passthrough`, a spread, `transform`) or that
cannot be read (a package's) counts as any keys. Rows built by mapping a list in place
(`values(body.numbers.map((n) => ({ teamId: body.teamId, number: n })))`) write what the
callback's object literal does, read with the names around the callback (not when its
parameters hide one of them). Values are
followed through locals (also a `let` assigned after its declaration: input on one path is
input, named `input.teamId (on some paths)` when other paths give another value), destructuring
and object properties, and into project functions: a
query helper's `teamId` parameter is input when a caller passes input (the finding is at the
query, with the input as a related location). A class's field that its constructor stores
(`constructor(private teamId: string)`, or `this.teamId = teamId` in its body) is that
constructor parameter in the class's methods, so `new InvoiceRepo(db, c.req.header('x-team-id'))`
passes input to `eq(invoices.teamId, this.teamId)`; a method called on a field typed with a
project class (`this.invoices.list(req.query.teamId)` with `private invoices: InvoicesService`)
is followed like a function, and so are `this.list(..)` within the class and a method of an
instance a dependency container gives (`container.resolve(InvoiceService).create(body.teamId)`,
tsyringe; `app.get(..)`, NestJS). A field the class
assigns anywhere else holds no one value and is not followed. A SvelteKit app's `$lib` imports resolve
through the generated `.svelte-kit/tsconfig.json`, or, where it has not been generated (a fresh
checkout), to `src/lib` (or `kit.files.lib` when `svelte.config.js` sets it to a string).

Metadata the signed-in user writes themselves (Supabase's `user.user_metadata`, Clerk's
`unsafeMetadata`) is reported like request input: it comes with the session, but the client
chose it.

An update or delete of a tenant root (`teams`, which tenant columns reference; not
tenant-scoped itself) keyed by its primary key equal to request input is reported the same
way: any signed-in user would rename or delete another tenant. A read of the root by such a
key is not (the caller decides what to do with the row it finds).

Not reported: values from the session or context (`ctx.*`, but Koa's only `ctx.state.*`,
Qwik City's `sharedMap.get(..)`,
`session.*`, `auth()`,
`getSession()` (and a cookie session's `session.get('userId')`), a helper named for the user id
given the request (`requireUserId(request)`), Hono's `c.get(..)`, `locals`, SvelteKit's
`event.locals`, Astro's `locals` (`context.locals` in an endpoint or an action), React
Router's `context`, h3's `event.context` (what server middleware put
there: `event.context.user`) and nuxt-auth-utils' `requireUserSession(event)` and
`getUserSession(event)` (also destructured, `const { user } = ..`), what Elysia's
`.derive(..)`/`.resolve(..)` added to a route's context (any property but the input's and
`store`: `({ user, orgId }) => ..`); a local named `session` is the session unless the
call that gave it is neither named for a session nor checks a credential, such as
`getChatSession(id)`, whose row it holds); a value verified by a membership check before the
query (a read of a tenant-scoped table filtered by that value and by a session value, whose
result is checked with `if (!member) throw ..`), in the same function (or one enclosing the
query's, such as a relational `where` callback), in a project function
called before it or one that function calls (a service's `assertMember(teamId, userId)`
reading through a repository's `findMember`, and throwing when it finds nothing; the service's
module is read for its calls when it holds a query, a handler or a server action), or in a tRPC middleware of the procedure: one added with `.use(..)` on the
builder the procedure is made from, or on the builders that one is made from
(`teamProcedure = protectedProcedure.use(isMember)`, also imported from another file), written
in place, as `t.middleware(fn)` or as a function, and checking the same input key; a value compared with the session's before the query
(`if (input.teamId !== ctx.teamId) throw ..`) or found among the session user's rows
(`if (!teams.some((t) => t.id === input.teamId)) throw ..`, with `teams` read by a function given
a session value); a query that also filters by a session value.

## Why it matters
A tenant filter is only as good as its value. When the client sends the tenant id, any user can
read or change another tenant's rows by sending that tenant's id: the filter is there and the
data still leaks.

## Example
```ts
export const invoicesRouter = router({
  list: protectedProcedure
    .input(z.object({ teamId: z.string() }))
    .query(({ ctx, input }) =>
      ctx.db.select().from(invoices).where(eq(invoices.teamId, input.teamId)),
    ),
});
```

## Fix
```ts
export const invoicesRouter = router({
  list: protectedProcedure.query(({ ctx }) =>
    ctx.db.select().from(invoices).where(eq(invoices.teamId, ctx.teamId)),
  ),
});
```
Or, when the client does choose among its teams, check membership first:
```ts
const member = await db.query.members.findFirst({
  where: and(eq(members.teamId, input.teamId), eq(members.userId, ctx.userId)),
});
if (!member) throw new TRPCError({ code: "FORBIDDEN" });
```

## Configuration
`tenant.columns`, `tenant.exemptTables` and `tenant.systemPaths`, as for `tenant-filter`. Set its
level under `rules`.
"#;

fn check(ctx: &RuleContext<'_>, file: FileId, out: &mut Vec<Diagnostic>) {
    if ctx.system_code() {
        return;
    }
    let project = ctx.project;
    let unit = &project.units[file];
    let facts = &unit.facts;
    for u in &facts.origins.uses {
        // Only input, or a parameter callers may fill with input, can be the client's choice.
        match &u.origin {
            // (nor the values over a parameter's rows: `rows.map((r) => r.id)`).
            Origin::Session | Origin::Local { .. } | Origin::Param { each: true, .. } => continue,
            // No caller passes input for it (most parameters): nothing to look at.
            Origin::Param {
                scope, index, path, ..
            } if project
                .input_params
                .lookup(file, *scope, *index, path)
                .is_empty() =>
            {
                continue
            }
            _ => {}
        }
        // The query around the value (the innermost).
        let site = facts
            .queries
            .iter()
            .enumerate()
            .filter(|(_, q)| q.span.lo <= u.span.lo && u.span.hi <= q.span.hi)
            .min_by_key(|(_, q)| q.span.hi - q.span.lo);
        // A raw fragment's value: the column its text compares it with, as the linked query
        // reads it (`sql`team_id = ${input.teamId}``).
        let raw = match (&u.target, site) {
            (UseTarget::Raw, Some((i, _))) => project.queries[file]
                .iter()
                .filter(|q| q.site == i)
                .find_map(|q| {
                    let all = q.conditions();
                    all.iter().find_map(|p| compared_at(p, u.span.lo).cloned())
                }),
            _ => None,
        };
        let id = match &u.target {
            UseTarget::Filter {
                table: Some(table), ..
            }
            | UseTarget::Write { table, .. }
            | UseTarget::Spread { table, .. } => project.resolve_table(file, table),
            // A relational query's own table.
            UseTarget::Filter { table: None, .. } => site.and_then(|(i, _)| {
                project.queries[file]
                    .iter()
                    .find(|q| q.site == i)
                    .map(|q| q.table)
            }),
            UseTarget::Raw => raw.as_ref().map(|c| c.table.id),
        };
        let site = site.map(|(_, s)| s);
        let Some(id) = id else {
            continue;
        };
        let t = project.table(id);
        // A tenant root (not tenant-scoped itself) updated or deleted by a key the client
        // chose: any signed-in user's write reaches every tenant's own row.
        let root_write = !t.is_tenant_scoped()
            && !t.root_of.is_empty()
            && matches!(u.target, UseTarget::Filter { .. })
            && site.is_some_and(|s| matches!(s.kind, QueryKind::Update | QueryKind::Delete));
        if !t.is_tenant_scoped() && !root_write {
            continue;
        }
        let col = match &u.target {
            UseTarget::Raw => match raw {
                Some(c) if t.is_tenant_column(&c.key) => c.key.to_string(),
                _ => continue,
            },
            UseTarget::Filter { column: c, .. } | UseTarget::Write { key: c, .. } => {
                let root_key =
                    root_write && matches!(t.primary_key_columns().as_slice(), [k] if **k == **c);
                if !(t.is_tenant_column(c) || root_key) {
                    continue;
                }
                c.to_string()
            }
            UseTarget::Spread { later, .. } => {
                // The tenant column is set after the spread, or the schema that validated the
                // input has no such key (zod drops the keys it does not name).
                let schema = match &u.origin {
                    Origin::Input(i) => i.schema.as_deref().and_then(|s| project.zod_keys(file, s)),
                    _ => None,
                };
                if later.iter().any(|k| t.is_tenant_column(k))
                    || schema.is_some_and(|k| !k.iter().any(|k| t.is_tenant_column(k)))
                {
                    continue;
                }
                t.tenant_columns[0].clone()
            }
        };
        // When the query also filters by a session value, its rows are the session's own, or
        // the read is the membership check itself.
        let others: Vec<&Origin> = match (&u.target, site) {
            (UseTarget::Filter { .. } | UseTarget::Raw, Some(site)) => facts
                .origins
                .uses_within(site.span)
                .filter(|o| {
                    !std::ptr::eq(*o, u)
                        && matches!(o.target, UseTarget::Filter { .. } | UseTarget::Raw)
                })
                .map(|o| &o.origin)
                .collect(),
            _ => vec![],
        };
        if others.iter().any(|o| **o == Origin::Session) {
            continue;
        }
        let inputs: Vec<Passed> = match &u.origin {
            Origin::Input(i) => {
                let session = |o: &Origin| *o == Origin::Session;
                if verified(project, file, u.scope, &u.origin, u.span.lo, &session) {
                    continue;
                }
                vec![Passed {
                    input: (**i).clone(),
                    file,
                    calls: vec![],
                }]
            }
            // A caller's input, unless that caller passes a session value for another filter
            // of the same query, or verified the value in this function with one.
            Origin::Param {
                scope, index, path, ..
            } => project
                .input_params
                .lookup(file, *scope, *index, path)
                .into_iter()
                .filter(|p| {
                    let session = |o: &Origin| p.resolve(project, o) == Some(Origin::Session);
                    !others.iter().any(|o| session(o))
                        && !verified(project, file, u.scope, &u.origin, u.span.lo, &session)
                        && !verified_where_read(project, p)
                })
                .collect(),
            Origin::Session | Origin::Local { .. } => continue,
        };
        let Some(Passed {
            input: first,
            file: first_file,
            ..
        }) = inputs.first()
        else {
            continue;
        };
        let passed = *first_file != file || matches!(u.origin, Origin::Param { .. });
        let from = format!(
            "{} `{}`{}",
            first.label,
            first.path,
            if passed {
                ", passed in by a caller"
            } else {
                ""
            }
        );
        let msg = match &u.target {
            UseTarget::Filter { .. } | UseTarget::Raw => format!(
                "`{col}` in the filter on `{}` comes from {from}, which the client chooses; take the tenant from the signed-in session or check membership first",
                t.binding
            ),
            UseTarget::Write { .. } => format!(
                "`{col}` written to `{}` comes from {from}, which the client chooses; take the tenant from the signed-in session or check membership first",
                t.binding
            ),
            UseTarget::Spread { .. } => format!(
                "{from} is spread into the row written to `{}` and may set `{col}`, which the client then chooses; set `{col}` from the session after the spread",
                t.binding
            ),
        };
        let help = format!(
            "use the `{col}` of the signed-in session (what the auth middleware or session call gives, never the request), or prove the client may act for this `{col}` before the query: read a membership row filtered by this value and the session's user, and throw when there is none"
        );
        let function = site.and_then(|s| s.function.as_deref()).or_else(|| {
            let scope = u.scope?;
            facts
                .functions
                .iter()
                .find(|f| f.span == scope)
                .map(|f| &*f.name)
        });
        let within = site.map_or(u.span, |s| s.span);
        let mut d = Diagnostic::new(RuleId::TenantValueFromInput, &unit.rel, u.span, msg)
            .help(help)
            .context_at(function, within);
        let elsewhere = inputs
            .iter()
            .filter(|p| p.file != file || p.input.span != u.span);
        for Passed { input, file: f, .. } in elsewhere.take(3) {
            d = d.related(
                &project.units[*f].rel,
                input.span,
                format!("the client chooses `{}` here ({})", input.path, input.label),
            );
        }
        out.push(d);
    }
}

/// The input was verified where it is read, before the first call passed it on (checked with
/// the property the query uses: `f(input)` after `if (input.teamId !== ctx.teamId) throw ..`).
fn verified_where_read(project: &crate::link::Project, p: &Passed) -> bool {
    let Some(&(f, n)) = p.calls.first() else {
        return false;
    };
    let Some(call) = project.units[f].facts.origins.calls.get(n) else {
        return false;
    };
    let value = Origin::Input(Box::new(p.input.clone()));
    verified(project, f, call.scope, &value, call.span.lo, &|o| {
        *o == Origin::Session
    })
}

/// The column a condition compares with the value that starts at `at` (`Eq(col, value)`,
/// either way round, anywhere in it).
fn compared_at(p: &Pred, at: u32) -> Option<&Col> {
    match p {
        Pred::Eq(Opnd::Col(c), Opnd::Value(Some(v)))
        | Pred::Eq(Opnd::Value(Some(v)), Opnd::Col(c))
            if *v == at =>
        {
            Some(c)
        }
        Pred::And(ps) | Pred::Or(ps) => ps.iter().find_map(|p| compared_at(p, at)),
        Pred::Not(p) => compared_at(p, at),
        _ => None,
    }
}
