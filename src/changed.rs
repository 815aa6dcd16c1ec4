//! `--changed-since REF`: the files changed since the merge-base of REF and HEAD (committed,
//! staged, unstaged) plus untracked files that are not ignored, asked of the `git` command.

use crate::error::Error;
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
    /// configuration, or a tsconfig (import paths).
    pub fn touches_configuration(&self) -> bool {
        self.deleted_source
            || self.files.iter().any(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name == crate::config::FILE_NAME
                    || crate::config::DRIZZLE_KIT_FILES.contains(&name)
                    || (name.starts_with("tsconfig") && name.ends_with(".json"))
            })
    }
}
