//! Nothing from a file's contents or name can drive the terminal: escape sequences and
//! bidirectional overrides are shown escaped in human output, with and without colour, and in
//! error messages.

mod support;

use support::{bin, write};

/// Clears the screen, sets the window title (OSC, ended by BEL), and reverses text direction.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}";

fn human(root: &std::path::Path, color: &str) -> (String, String) {
    let run = support::run(
        bin()
            .args(["check", "--no-timing", "--color", color])
            .arg(root),
    );
    assert_eq!(run.code, 1);
    (run.stdout, run.stderr)
}

/// Every ESC in `text` starts a colour (SGR) sequence `ESC [ digits;... m`: the only escapes
/// drizzle-guard itself writes.
fn only_colour_escapes(text: &str) -> bool {
    text.split('\u{1b}').skip(1).all(|rest| {
        let Some(body) = rest.strip_prefix('[') else {
            return false;
        };
        let end = body.find('m');
        end.is_some_and(|e| body[..e].chars().all(|c| c.is_ascii_digit() || c == ';'))
    })
}

#[test]
fn escapes_in_file_names_and_code_never_reach_the_terminal() {
    let dir = support::tree(&[(
        "src/schema.ts",
        "import { pgTable, uuid } from 'drizzle-orm/pg-core';\n\
         export const projects = pgTable('projects', { id: uuid('id').primaryKey(), organizationId: uuid('organization_id') });\n",
    )]);
    write(
        dir.path(),
        &format!("src/evil{HOSTILE}.ts"),
        format!(
            "import {{ db }} from './db';\nimport {{ projects }} from './schema';\n\
             // {HOSTILE} in a comment\n\
             export const all = () => db.select().from(projects); /* {HOSTILE} */ const s = '{HOSTILE}';\n"
        ),
    );
    // And a file that does not parse, whose message and frame carry the bytes too.
    write(
        dir.path(),
        &format!("src/broken{HOSTILE}.ts"),
        format!("const x = '{HOSTILE}' (;\n"),
    );
    for color in ["never", "always"] {
        let (out, err) = human(dir.path(), color);
        assert!(out.contains("tenant-filter"), "{out}");
        assert!(out.contains("parse-error"), "{out}");
        // The name and the code line are shown, escaped.
        assert!(
            out.contains("evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{202e}.ts"),
            "{out}"
        );
        assert!(out.contains("/* \\u{1b}[2J"), "{out}");
        for raw in ['\u{7}', '\u{202e}'] {
            assert!(
                !out.contains(raw) && !err.contains(raw),
                "--color {color}: raw {raw:?}"
            );
        }
        if color == "never" {
            assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{out}");
        } else {
            assert!(out.contains('\u{1b}'), "--color always writes colour");
            assert!(only_colour_escapes(&out), "{out:?}");
        }
    }
}

#[test]
fn escapes_in_a_path_argument_are_escaped_in_the_error() {
    let run = support::run(bin().args(["check", &format!("missing{HOSTILE}")]));
    assert_eq!(run.code, 2);
    let err = run.stderr;
    assert!(err.contains("missing\\u{1b}[2J"), "{err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
}
