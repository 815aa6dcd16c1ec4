//! The root: the directory every file is read from and every path is shown relative to,
//! whatever directory the command runs in and whichever paths it names.
//!
//! From the starting directory (the first `PATH`'s, or the current one) upward, the root is the
//! nearest workspace root (a `pnpm-workspace.yaml`, or a `package.json` with `workspaces`), else
//! the nearest project (a `drizzle-guard.json(c)`, a `drizzle.config.*` or a `package.json`), else
//! the git root, else the starting directory. So `cd apps/server && drizzle-guard check` reads the
//! whole monorepo (the schema lives in `packages/db`) and reports only `apps/server`, and a file
//! list from lint-staged is checked against the whole app.

use crate::config::{DRIZZLE_KIT_FILES, FILE_NAMES};
use std::path::{Path, PathBuf};

/// What made a directory the root, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// `pnpm-workspace.yaml` or `package.json` `workspaces`.
    Workspace,
    /// `drizzle-guard.json(c)`, `drizzle.config.*` or `package.json`.
    Project,
    /// The top of a git work tree.
    Git,
    /// No marker above the starting directory.
    Start,
}

impl RootKind {
    pub fn describe(self) -> &'static str {
        match self {
            RootKind::Workspace => "the workspace root",
            RootKind::Project => "the project root",
            RootKind::Git => "the git root",
            RootKind::Start => {
                "the starting directory (no package.json, workspace or git root above it)"
            }
        }
    }
}

/// Whether `dir` is a workspace root: `pnpm-workspace.yaml`, or a `package.json` that declares
/// `workspaces` (npm, yarn, bun).
pub fn is_workspace_root(dir: &Path) -> bool {
    if dir.join("pnpm-workspace.yaml").is_file() {
        return true;
    }
    std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("workspaces").is_some())
}

fn is_project(dir: &Path) -> bool {
    FILE_NAMES
        .iter()
        .chain(DRIZZLE_KIT_FILES)
        .chain(&["package.json"])
        .any(|n| dir.join(n).is_file())
}

/// The root for a run starting in the directory `start` (absolute), and why it is the root.
pub fn find_root(start: &Path) -> (PathBuf, RootKind) {
    let mut project = None;
    let mut git = None;
    for dir in start.ancestors() {
        if is_workspace_root(dir) {
            return (dir.to_path_buf(), RootKind::Workspace);
        }
        if project.is_none() && is_project(dir) {
            project = Some(dir.to_path_buf());
        }
        if git.is_none() && dir.join(".git").exists() {
            git = Some(dir.to_path_buf());
            // Nothing above a git work tree belongs to it.
            break;
        }
    }
    match (project, git) {
        (Some(p), _) => (p, RootKind::Project),
        (None, Some(g)) => (g, RootKind::Git),
        (None, None) => (start.to_path_buf(), RootKind::Start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let text = if f.ends_with("package.json") && !f.contains("apps") {
                r#"{"workspaces": ["apps/*"]}"#
            } else {
                "{}"
            };
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_workspace_beats_the_project_it_contains() {
        let d = tree(&["package.json", "apps/web/package.json", "apps/web/src/x.ts"]);
        let (root, kind) = find_root(&d.path().join("apps/web/src"));
        assert_eq!((root.as_path(), kind), (d.path(), RootKind::Workspace));
    }

    #[test]
    fn a_project_then_git_then_the_start() {
        let d = tree(&[".git/HEAD", "apps/web/package.json", "lib/x.ts"]);
        let (root, kind) = find_root(&d.path().join("apps/web"));
        assert_eq!((root, kind), (d.path().join("apps/web"), RootKind::Project));
        let (root, kind) = find_root(&d.path().join("lib"));
        assert_eq!((root.as_path(), kind), (d.path(), RootKind::Git));
        let e = tempfile::tempdir().unwrap();
        let (root, kind) = find_root(e.path());
        assert_eq!((root.as_path(), kind), (e.path(), RootKind::Start));
    }
}
