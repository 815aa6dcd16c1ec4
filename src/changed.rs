//! `--changed-since REF`: the files changed since the merge-base of REF and HEAD (committed,
//! staged, unstaged) plus untracked files that are not ignored, asked of the `git` command; and
//! the policy of which files that leaves to check ([`narrow_to_changed`], then
//! [`check_importers`] once the project is linked).

use crate::error::Error;
use crate::ids::{FileId, PerFile};
use crate::link::{Project, Unit};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Default)]
pub struct ChangedFiles {
    /// Canonical paths of changed files that still exist.
    files: HashSet<PathBuf>,
    /// A TypeScript file was deleted (it may have defined tables; nothing says it did not).
    pub deleted_source: bool,
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Error> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("--changed-since: cannot run `git`: {e}")))
}

fn stdout_text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

impl ChangedFiles {
    /// Asks git what changed in the repository holding `root` since `rev`.
    pub fn since(root: &Path, rev: &str) -> Result<ChangedFiles, Error> {
        if rev.is_empty() || rev.starts_with('-') {
            return Err(Error::Usage(format!(
                "--changed-since: `{rev}` is not a git revision"
            )));
        }
        let top = git(root, &["rev-parse", "--show-toplevel"])?;
        if !top.status.success() {
            return Err(Error::Usage(format!(
                "--changed-since: `{}` is not inside a git repository",
                root.display()
            )));
        }
        let top = PathBuf::from(stdout_text(&top));
        let commit = format!("{rev}^{{commit}}");
        let verified = git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &commit,
            ],
        )?;
        if !verified.status.success() {
            return Err(Error::Usage(format!(
                "--changed-since: `{rev}` is not a known git revision (a branch, tag or commit) in {}",
                top.display()
            )));
        }
        let base = git(&top, &["merge-base", &stdout_text(&verified), "HEAD"])?;
        if !base.status.success() {
            return Err(Error::Usage(format!(
                "--changed-since: `{rev}` and HEAD have no common ancestor (a shallow clone needs more history)"
            )));
        }
        let base = stdout_text(&base);
        // The working tree against the merge-base: committed, staged and unstaged changes.
        let diff = git(
            &top,
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "--name-status",
                "-z",
                "--no-renames",
                "--no-ext-diff",
                &base,
                "--",
            ],
        )?;
        let untracked = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for out in [&diff, &untracked] {
            if !out.status.success() {
                return Err(Error::Usage(format!(
                    "--changed-since: git failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
        }
        let mut changed = ChangedFiles::default();
        let mut fields = diff.stdout.split(|b| *b == 0).filter(|f| !f.is_empty());
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            let path = top.join(String::from_utf8_lossy(path).as_ref());
            if status.starts_with(b"D") {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                changed.deleted_source |= crate::discover::EXTENSIONS.contains(&ext);
            } else {
                changed.files.insert(path);
            }
        }
        for path in untracked
            .stdout
            .split(|b| *b == 0)
            .filter(|f| !f.is_empty())
        {
            changed
                .files
                .insert(top.join(String::from_utf8_lossy(path).as_ref()));
        }
        Ok(changed)
    }

    /// Whether `path` (canonical) changed.
    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains(path)
    }

    /// Whether a file that shapes every check changed: drizzle-guard's or drizzle-kit's
    /// configuration, or a tsconfig or SvelteKit's `svelte.config.*` (import paths: `$lib`).
    pub fn touches_configuration(&self) -> bool {
        self.deleted_source
            || self.files.iter().any(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                crate::config::FILE_NAMES.contains(&name)
                    || crate::config::DRIZZLE_KIT_FILES.contains(&name)
                    || (name.starts_with("tsconfig") && name.ends_with(".json"))
                    || name.starts_with("svelte.config.")
            })
    }
}

/// Leaves unchanged files out of the checks, unless a schema file (one defining tables or
/// relations, or matching `schema`) or the configuration changed.
pub fn narrow_to_changed(
    root: &Path,
    units: &mut [Unit],
    changed: &ChangedFiles,
    schema: Option<&globset::GlobSet>,
) {
    if changed.touches_configuration() {
        return;
    }
    // git reports canonical paths; map each unit once through the canonical root.
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical = |p: &Path| match p.strip_prefix(root) {
        Ok(rel) => canonical_root.join(rel),
        Err(_) => p.canonicalize().unwrap_or_else(|_| p.to_path_buf()),
    };
    let is_changed: Vec<bool> = units
        .iter()
        .map(|u| changed.contains(&canonical(&u.path)))
        .collect();
    let schema_changed = units.iter().zip(&is_changed).any(|(u, &c)| {
        c && (!u.facts.tables.is_empty()
            || !u.facts.table_fns.is_empty()
            || !u.facts.relations.is_empty()
            || schema.is_some_and(|s| s.is_match(&u.rel)))
    });
    if !schema_changed {
        for (u, c) in units.iter_mut().zip(is_changed) {
            u.check &= c;
        }
    }
}

/// How many imports away from a changed file `--changed-since` still checks a file: as deep
/// as the linker inlines condition helpers.
const IMPORTER_DEPTH: u32 = crate::link::MAX_INLINE;

/// Also checks the files among `eligible` (those the run would check without
/// `--changed-since`, one flag per unit) that import a checked file, directly or through
/// re-exports, up to `IMPORTER_DEPTH` imports away: a changed helper (a condition builder, a
/// function that queries) changes the findings of its callers.
pub fn check_importers(project: &mut Project, eligible: &[bool]) {
    let units = &project.units;
    let mut importers: PerFile<Vec<FileId>> = units.iter().map(|_| vec![]).collect();
    for (f, u) in units.iter_enumerated() {
        if !eligible[f.0] || u.check {
            continue;
        }
        for m in project.imported_files(f) {
            importers[m].push(f);
        }
    }
    let mut frontier: Vec<FileId> = units.ids().filter(|&f| units[f].check).collect();
    for _ in 0..IMPORTER_DEPTH {
        let mut next = vec![];
        for f in frontier {
            for &i in &importers[f] {
                let unit = &mut project.units[i];
                if !unit.check {
                    unit.check = true;
                    next.push(i);
                }
            }
        }
        frontier = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// A chain `f0 ← f1 ← … ← f6` (each file imports the one before it), linked with only
    /// the files whose flag in `checked` is set still checked.
    fn chain(checked: &[bool]) -> Project {
        let root = Path::new("/drizzle-guard-changed");
        let units = checked
            .iter()
            .enumerate()
            .map(|(i, &check)| {
                let src = match i {
                    0 => "export const f0 = 1;\n".to_string(),
                    _ => format!(
                        "import {{ f{} }} from './f{}';\nexport const f{i} = 1;\n",
                        i - 1,
                        i - 1
                    ),
                };
                let path = root.join(format!("src/f{i}.ts"));
                let parsed = crate::parse::parse_and_extract(&path, &src);
                Unit {
                    path,
                    rel: format!("src/f{i}.ts"),
                    facts: parsed.facts,
                    problem: parsed.problem,
                    check,
                    test: false,
                }
            })
            .collect();
        Project::link(root.to_path_buf(), units, &Config::default())
    }

    fn checked(p: &Project) -> Vec<bool> {
        p.units.iter().map(|u| u.check).collect()
    }

    #[test]
    fn importers_are_checked_up_to_the_inlining_depth() {
        let mut p = chain(&[true, false, false, false, false, false, false]);
        check_importers(&mut p, &[true; 7]);
        let depth = IMPORTER_DEPTH as usize;
        let want: Vec<bool> = (0..7).map(|i| i <= depth).collect();
        assert_eq!(checked(&p), want);
    }

    #[test]
    fn files_the_run_would_not_check_stay_unchecked() {
        let mut p = chain(&[true, false, false, false, false, false, false]);
        // f2 is not eligible (a schema file left out by `include`, say): the chain stops there.
        let eligible = [true, true, false, true, true, true, true];
        check_importers(&mut p, &eligible);
        assert_eq!(checked(&p), [true, true, false, false, false, false, false]);
    }
}
