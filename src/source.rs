//! Reading a source file: every read of a checked file goes through here, for checking it
//! ([`read_source`]) and for showing it again ([`read_shown`]: locating findings, code frames).
//!
//! Nothing whose real path lies outside the checked root is read: a symbolic link (to a file, or
//! through a linked directory) that leads out of the root would otherwise put whatever it points
//! at (`~/.npmrc`, a deploy key) into the output, the CI log and an uploaded SARIF file. Such a
//! file is skipped, and the run says so.

use std::path::{Path, PathBuf};

/// The checked root, resolved once: what every read is held to.
#[derive(Debug, Clone)]
pub struct Root {
    /// As given: findings' files are relative to it.
    given: PathBuf,
    /// Its real path (symbolic links resolved); the given path if it has none.
    real: PathBuf,
}

impl Root {
    pub fn new(root: &Path) -> Root {
        Root {
            given: root.to_path_buf(),
            real: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.given
    }

    /// Whether `path`'s real path lies inside the root; an error when it has none (it does not
    /// exist, or a link loops).
    pub fn contains(&self, path: &Path) -> std::io::Result<bool> {
        // Both paths are canonical (absolute, no `.`, `..` or repeated separators), so a byte
        // prefix ending at a separator is containment; cheaper than comparing by components.
        let real = path.canonicalize()?;
        let (path, root) = (
            real.as_os_str().as_encoded_bytes(),
            self.real.as_os_str().as_encoded_bytes(),
        );
        Ok(path.starts_with(root)
            && (path.len() == root.len()
                || root.ends_with(b"/")
                || std::path::is_separator(char::from(path[root.len()]))))
    }
}

/// Why a file's text is not there to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Its real path lies outside the checked root: not read, on purpose.
    OutsideRoot,
    /// It could not be read as text (missing, too large, not UTF-8, binary): the message says
    /// why.
    Problem(String),
}

/// A file's text, or why it is not checked (outside the root, too large, unreadable, not
/// UTF-8, binary). The text keeps its byte-order mark, as the parser expects.
pub fn read_source(root: &Root, path: &Path, max: u64) -> Result<String, Unread> {
    let could_not_read = |e: std::io::Error| Unread::Problem(format!("could not read: {e}"));
    if !root.contains(path).map_err(could_not_read)? {
        return Err(Unread::OutsideRoot);
    }
    let meta = std::fs::metadata(path).map_err(could_not_read)?;
    if !meta.is_file() {
        return Err(Unread::Problem(
            "not a regular file (a FIFO, socket or device?); not checked".into(),
        ));
    }
    if meta.len() > max {
        return Err(Unread::Problem(format!(
            "file is {} bytes, over the limit of {max} bytes (`maxFileSize`); not checked",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(could_not_read)?;
    source_from_bytes(bytes).map_err(Unread::Problem)
}

/// Checks that bytes read from a file are text drizzle-guard can parse.
pub fn source_from_bytes(bytes: Vec<u8>) -> Result<String, String> {
    let src = String::from_utf8(bytes).map_err(|e| {
        format!(
            "file is not valid UTF-8 (invalid byte at offset {}); not checked",
            e.utf8_error().valid_up_to()
        )
    })?;
    if looks_binary(src.as_bytes()) {
        return Err("file contains NUL bytes (a binary file?); not checked".into());
    }
    Ok(src)
}

/// NUL bytes as a binary file has them: two in a row, or more than one byte in 64 of the file
/// a control character other than whitespace. A lone NUL written inside a string literal of a
/// source file (`'\0'` typed as the character itself) is text.
fn looks_binary(bytes: &[u8]) -> bool {
    if memchr::memchr(0, bytes).is_none() {
        return false;
    }
    if memchr::memmem::find(bytes, b"\0\0").is_some() {
        return true;
    }
    let control = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    control * 64 > bytes.len()
}

/// A finding's file read again by its root-relative name, as positions count it: the text swc
/// parsed (no byte-order mark), `None` when it can no longer be read as text or lies outside
/// the root. Locating findings and the code frames of the human and SARIF outputs all read
/// through here.
pub fn read_shown(root: &Root, rel: &str) -> Option<String> {
    // Read once already, and parsed: its size and bytes were checked then (re-checking every
    // byte of every file with a finding cost more than locating the findings).
    let path = root.given.join(rel);
    if !root.contains(&path).ok()? {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Tests make, read and wipe rows of every tenant on purpose: unless `checkTestFiles` is set,
/// no rule reports in `*.test.*`, `*.spec.*`, `*.e2e.*`, `*.e2e-spec.*`, test factories
/// (`*.factory.*`, `*.factories.*`), or under `__tests__/`, `__mocks__/`, `__fixtures__/`,
/// `e2e/`, `test/` or `tests/` (they are still read for their imports, exports and tables, and
/// a parse error in one is still reported).
pub fn is_test_file(rel: &str) -> bool {
    // Asked of every file, twice: bytes compared whole, segment by segment.
    let b = rel.as_bytes();
    let (dirs, name) = b.split_at(memchr::memrchr(b'/', b).map_or(0, |i| i + 1));
    // `.test.` and the like: a dot-separated segment of the name with a dot on either side.
    let mut segments = name.split(|&c| c == b'.').skip(1).peekable();
    while let Some(s) = segments.next() {
        if segments.peek().is_some()
            && matches!(
                s,
                b"test" | b"spec" | b"e2e" | b"e2e-spec" | b"factory" | b"factories"
            )
        {
            return true;
        }
    }
    std::iter::once(name)
        .chain(dirs.split(|&c| c == b'/'))
        .any(|dir| {
            matches!(
                dir,
                b"__tests__" | b"__mocks__" | b"__fixtures__" | b"e2e" | b"test" | b"tests"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checks_name_the_problem() {
        assert_eq!(
            source_from_bytes(b"const a = 1;".to_vec()).unwrap(),
            "const a = 1;"
        );
        let bad = source_from_bytes(vec![b'a', 0xff]).unwrap_err();
        assert!(
            bad.contains("not valid UTF-8 (invalid byte at offset 1)"),
            "{bad}"
        );
        let nul = source_from_bytes(b"a\0b".to_vec()).unwrap_err();
        assert!(nul.contains("NUL bytes"), "{nul}");
        let elf = source_from_bytes(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec());
        assert!(elf.unwrap_err().contains("NUL bytes"));
        // A NUL inside a string literal of a real source file is text.
        let mut text = b"export const SEP = '".to_vec();
        text.push(0);
        text.extend_from_slice(
            b"';\nexport function split(s: string) {\n  return s.split(SEP);\n}\n",
        );
        assert!(source_from_bytes(text).is_ok());
        // Many scattered NULs are not.
        let scattered: Vec<u8> = b"a\0b\0c\0d\0e\0f\0".repeat(4);
        assert!(source_from_bytes(scattered).is_err());
    }

    #[test]
    fn the_shown_text_has_no_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.ts"), "\u{feff}let x;\n").unwrap();
        let root = Root::new(dir.path());
        assert_eq!(read_shown(&root, "a.ts").as_deref(), Some("let x;\n"));
        let kept = read_source(&root, &dir.path().join("a.ts"), 100).unwrap();
        assert_eq!(kept, "\u{feff}let x;\n");
        assert_eq!(read_shown(&root, "gone.ts"), None);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.ts"), "token").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root_dir = dir.path().join("app");
        std::fs::create_dir(&root_dir).unwrap();
        std::fs::write(root_dir.join("inside.ts"), "let x;").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.ts"), root_dir.join("x.ts"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), root_dir.join("linked")).unwrap();
        std::os::unix::fs::symlink(root_dir.join("inside.ts"), root_dir.join("alias.ts")).unwrap();
        let root = Root::new(&root_dir);
        for rel in ["x.ts", "linked/secret.ts"] {
            assert_eq!(
                read_source(&root, &root_dir.join(rel), u64::MAX),
                Err(Unread::OutsideRoot),
                "{rel}"
            );
            assert_eq!(read_shown(&root, rel), None, "{rel}");
        }
        assert_eq!(read_shown(&root, "alias.ts").as_deref(), Some("let x;"));
        // A sibling whose name starts with the root's is not inside it.
        std::fs::create_dir(dir.path().join("app2")).unwrap();
        std::fs::write(dir.path().join("app2/b.ts"), "let y;").unwrap();
        std::os::unix::fs::symlink(dir.path().join("app2/b.ts"), root_dir.join("b.ts")).unwrap();
        assert_eq!(root.contains(&root_dir.join("b.ts")).ok(), Some(false));
        assert_eq!(root.contains(&root_dir).ok(), Some(true));
        // The root itself reached through a link is still the root.
        std::os::unix::fs::symlink(&root_dir, dir.path().join("app-link")).unwrap();
        let via_link = Root::new(&dir.path().join("app-link"));
        assert_eq!(
            read_shown(&via_link, "inside.ts").as_deref(),
            Some("let x;")
        );
        assert_eq!(read_shown(&via_link, "x.ts"), None);
    }
}
