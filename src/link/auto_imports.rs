//! Nuxt's and Nitro's auto-imports: server code uses what `server/utils/` (and Nuxt's
//! `shared/utils/`) export without importing it (`useDrizzle()`, `tables.projects`, a query
//! helper). A name a module neither declares nor imports is looked up there.

use crate::ids::{FileId, PerFile};

/// The modules whose exports each file sees without importing them.
#[derive(Debug, Default)]
pub(super) struct AutoImports {
    /// Per app (a directory holding `nuxt.config.*` or `nitro.config.*`), its providing
    /// modules, in path order.
    apps: Vec<Vec<FileId>>,
    /// Per file, the app whose server code it is.
    of: Vec<Option<u32>>,
}

/// What an app's config file says it is.
#[derive(Clone, Copy)]
enum Kind {
    /// Nuxt: server code under `server/`, auto-imports from `server/utils/` and
    /// `shared/utils/`.
    Nuxt,
    /// Nitro on its own: server code anywhere in the app, auto-imports from `utils/` (and
    /// `server/utils/` for a `srcDir: 'server'` layout).
    Nitro,
}

impl Kind {
    fn of_config(rel: &str) -> Option<(Kind, &str)> {
        let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
        let (stem, ext) = name.rsplit_once('.')?;
        if !matches!(ext, "ts" | "js" | "mjs" | "mts" | "cjs" | "cts") {
            return None;
        }
        let kind = match stem {
            "nuxt.config" => Kind::Nuxt,
            "nitro.config" => Kind::Nitro,
            _ => return None,
        };
        Some((kind, dir))
    }

    fn consumes(self) -> &'static [&'static str] {
        match self {
            Kind::Nuxt => &["server/", "shared/"],
            Kind::Nitro => &[""],
        }
    }

    fn provides(self) -> &'static [&'static str] {
        match self {
            Kind::Nuxt => &["server/utils/", "shared/utils/"],
            Kind::Nitro => &["utils/", "server/utils/"],
        }
    }
}

impl AutoImports {
    /// From every file's path relative to the root, `/`-separated, in file order.
    pub(super) fn find(rels: &PerFile<&str>) -> AutoImports {
        // Each app's directory (with its trailing `/`, or "" at the root) and kind, the deepest
        // first so that a file belongs to the innermost app.
        let mut roots: Vec<(String, Kind)> = rels
            .iter()
            .filter_map(|rel| Kind::of_config(rel))
            .map(|(kind, dir)| {
                let dir = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                (dir, kind)
            })
            .collect();
        if roots.is_empty() {
            return AutoImports::default();
        }
        roots.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        roots.dedup_by(|a, b| a.0 == b.0);
        let app_of = |rel: &str| {
            roots
                .iter()
                .position(|(dir, _)| rel.starts_with(dir.as_str()))
        };
        let mut apps = vec![vec![]; roots.len()];
        let mut of = vec![None; rels.len()];
        for (i, rel) in rels.iter().enumerate() {
            let Some(app) = app_of(rel) else {
                continue;
            };
            let (dir, kind) = &roots[app];
            let within = &rel[dir.len()..];
            if kind.provides().iter().any(|p| within.starts_with(p)) {
                apps[app].push(FileId(i));
            }
            if kind.consumes().iter().any(|p| within.starts_with(p)) {
                of[i] = u32::try_from(app).ok();
            }
        }
        for providers in &mut apps {
            providers.sort_by(|a, b| rels[*a].cmp(rels[*b]));
        }
        AutoImports { apps, of }
    }

    /// The modules whose exports `file` sees without importing them (none outside an app).
    pub(super) fn providers(&self, file: FileId) -> &[FileId] {
        match self.of.get(file.0).copied().flatten() {
            Some(app) => &self.apps[app as usize],
            None => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn config_files_name_their_app() {
        assert!(matches!(
            Kind::of_config("apps/web/nuxt.config.ts"),
            Some((Kind::Nuxt, "apps/web"))
        ));
        assert!(matches!(
            Kind::of_config("nitro.config.mjs"),
            Some((Kind::Nitro, ""))
        ));
        assert!(Kind::of_config("server/nuxt.config.d.ts").is_none());
        assert!(Kind::of_config("nuxt.config.json").is_none());
        assert!(Kind::of_config("my.nuxt.config.ts").is_none());
    }
}
