//! The statically readable parts of `drizzle.config.ts` (`schema`, `casing`) and of
//! `svelte.config.js` (`kit.files.lib`), read from their source: nothing here runs code. It
//! parses the file with `parse` and reads it with `extract`'s AST readers; the configuration
//! adopts what `drizzle.config.ts` says, and linking resolves `$lib` by `svelte.config.js`.

use crate::extract::{callee_ident, member_prop_is, prop_name, str_value, unwrap};
use crate::parse::{isolate, parse_module};
use std::path::Path;
use swc_ecma_ast::*;

/// Reads `schema` and `casing` from a `drizzle.config.ts` source, or `None` when it does not parse.
pub fn read_drizzle_kit_config(path: &Path, src: &str) -> Option<DrizzleKitConfig> {
    let module = isolate(|| parse_module(path, src)).ok()?.ok()?;
    Some(drizzle_kit_config(&module))
}

/// What `drizzle.config.ts` says, read from its source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DrizzleKitConfig {
    /// `schema: './src/db/schema.ts'` or an array of paths or globs, as written.
    pub schema: Vec<String>,
    /// `casing: 'snake_case'`.
    pub casing: Option<String>,
}

/// Finds the configuration object of `export default defineConfig({..})`, `export default {..}`
/// (with `satisfies Config`), `export default config` naming a module-level `const`, or
/// `module.exports = ..`, and reads its `schema` and `casing`.
fn drizzle_kit_config(module: &Module) -> DrizzleKitConfig {
    let mut out = DrizzleKitConfig::default();
    for e in exported_configs(module) {
        if let Some(obj) = config_object(module, e, 0) {
            read_object(obj, &mut out);
        }
    }
    out
}

/// What a configuration module exports: `export default ..` and `module.exports = ..`.
fn exported_configs(module: &Module) -> Vec<&Expr> {
    let mut exported: Vec<&Expr> = vec![];
    for item in &module.body {
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) => exported.push(&e.expr),
            ModuleItem::Stmt(Stmt::Expr(ExprStmt { expr, .. })) => {
                if let Expr::Assign(a) = unwrap(expr) {
                    if is_module_exports(&a.left) {
                        exported.push(&a.right);
                    }
                }
            }
            _ => {}
        }
    }
    exported
}

/// `kit.files.lib` of a `svelte.config.js` (`.ts`) source, when it is written as a string
/// (`'src/lib'` by default); `None` when it is not, or the file does not parse.
pub fn read_svelte_kit_lib(path: &Path, src: &str) -> Option<String> {
    let module = isolate(|| parse_module(path, src)).ok()?.ok()?;
    exported_configs(&module).into_iter().find_map(|e| {
        let config = config_object(&module, e, 0)?;
        let files = object_prop(object_prop(config, "kit")?, "files")?;
        files.props.iter().find_map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some("lib") => {
                    str_value(&kv.value)
                }
                _ => None,
            },
            _ => None,
        })
    })
}

/// The object literal `key` holds in `obj`.
fn object_prop<'m>(obj: &'m ObjectLit, key: &str) -> Option<&'m ObjectLit> {
    obj.props.iter().find_map(|p| match p {
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some(key) => {
                match unwrap(&kv.value) {
                    Expr::Object(o) => Some(o),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    })
}

fn is_module_exports(target: &AssignTarget) -> bool {
    let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = target else {
        return false;
    };
    matches!(&*m.obj, Expr::Ident(i) if &*i.sym == "module") && member_prop_is(&m.prop, "exports")
}

fn config_object<'m>(module: &'m Module, e: &'m Expr, depth: u32) -> Option<&'m ObjectLit> {
    if depth > 4 {
        return None;
    }
    match unwrap(e) {
        Expr::Object(o) => Some(o),
        Expr::Call(c) if callee_ident(c) == Some("defineConfig") => c
            .args
            .first()
            .and_then(|a| config_object(module, &a.expr, depth + 1)),
        Expr::Ident(i) => module.body.iter().find_map(|item| {
            let decl = match item {
                ModuleItem::Stmt(Stmt::Decl(Decl::Var(v))) => v,
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                    decl: Decl::Var(v),
                    ..
                })) => v,
                _ => return None,
            };
            decl.decls.iter().find_map(|d| match (&d.name, &d.init) {
                (Pat::Ident(b), Some(init)) if b.id.sym == i.sym => {
                    config_object(module, init, depth + 1)
                }
                _ => None,
            })
        }),
        _ => None,
    }
}

fn read_object(obj: &ObjectLit, out: &mut DrizzleKitConfig) {
    for p in &obj.props {
        let PropOrSpread::Prop(p) = p else { continue };
        let Prop::KeyValue(kv) = &**p else { continue };
        match prop_name(&kv.key).as_deref() {
            Some("schema") => match unwrap(&kv.value) {
                Expr::Array(a) => out.schema.extend(
                    a.elems
                        .iter()
                        .flatten()
                        .filter_map(|el| str_value(&el.expr)),
                ),
                v => out.schema.extend(str_value(v)),
            },
            Some("casing") => out.casing = str_value(&kv.value),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{read_drizzle_kit_config, read_svelte_kit_lib, DrizzleKitConfig};
    use std::path::Path;

    fn kit(src: &str) -> DrizzleKitConfig {
        read_drizzle_kit_config(Path::new("drizzle.config.ts"), src).unwrap()
    }

    #[test]
    fn reads_drizzle_kit_configuration_forms() {
        let want = |schema: &[&str], casing: Option<&str>| DrizzleKitConfig {
            schema: schema.iter().map(|s| s.to_string()).collect(),
            casing: casing.map(str::to_string),
        };
        assert_eq!(
            kit("import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ schema: './src/db/schema.ts', casing: 'snake_case', dialect: 'postgresql' });"),
            want(&["./src/db/schema.ts"], Some("snake_case"))
        );
        assert_eq!(
            kit("import type { Config } from 'drizzle-kit';\nexport default { schema: ['./a.ts', `./b/*`], out: './drizzle' } satisfies Config;"),
            want(&["./a.ts", "./b/*"], None)
        );
        assert_eq!(
            kit("const config = defineConfig({ schema: './s.ts' });\nexport default config;"),
            want(&["./s.ts"], None)
        );
        assert_eq!(
            kit("module.exports = { schema: './s.ts', casing: 'camelCase' };"),
            want(&["./s.ts"], Some("camelCase"))
        );
        // Computed values are not guessed at; nothing is run.
        assert_eq!(
            kit("const dir = process.env.DIR;\nexport default defineConfig({ schema: `${dir}/schema.ts`, casing: pick() });"),
            want(&[], None)
        );
        assert!(
            read_drizzle_kit_config(Path::new("drizzle.config.ts"), "export default {").is_none()
        );
    }

    #[test]
    fn reads_the_lib_directory_of_a_svelte_config() {
        let lib = |src: &str| read_svelte_kit_lib(Path::new("svelte.config.js"), src);
        assert_eq!(
            lib("import adapter from '@sveltejs/adapter-node';\nconst config = { kit: { adapter: adapter(), files: { lib: 'app/lib' } } };\nexport default config;"),
            Some("app/lib".to_string())
        );
        assert_eq!(
            lib("export default { kit: { files: { lib: `src/shared` } } } satisfies Config;"),
            Some("src/shared".to_string())
        );
        // Not set, or not a plain string: the caller's default.
        assert_eq!(lib("export default { kit: { adapter: adapter() } };"), None);
        assert_eq!(
            lib("export default { kit: { files: { lib: path.join('src', 'lib') } } };"),
            None
        );
        assert_eq!(lib("export default {"), None);
    }
}
