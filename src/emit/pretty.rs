//! Pretty-printed JSON written straight into one buffer, byte for byte as serde_json's
//! `to_string_pretty` lays it out: two-space indents, `"key": value`, `[]` and `{}` when empty,
//! strings escaped as serde_json escapes them. For documents whose shape is fixed in code.

pub(crate) struct PrettyJson {
    out: String,
    depth: usize,
    /// Nothing written yet in the innermost open object or array.
    empty: bool,
}

impl PrettyJson {
    pub fn with_capacity(bytes: usize) -> Self {
        PrettyJson {
            out: String::with_capacity(bytes),
            depth: 0,
            empty: true,
        }
    }

    /// The text, with a final line break.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }

    fn next_line(&mut self) {
        self.line_break(!self.empty);
        self.empty = false;
    }

    /// A line break (after a comma) and the indent of the current depth.
    fn line_break(&mut self, comma: bool) {
        const BREAK: &str = ",\n                                ";
        match BREAK.get(usize::from(!comma)..2 + 2 * self.depth) {
            Some(text) => self.out.push_str(text),
            None => {
                self.out.push_str(if comma { ",\n" } else { "\n" });
                (0..self.depth).for_each(|_| self.out.push_str("  "));
            }
        }
    }

    pub fn open_object(&mut self) {
        self.open('{');
    }

    pub fn close_object(&mut self) {
        self.close('}');
    }

    pub fn open_array(&mut self) {
        self.open('[');
    }

    pub fn close_array(&mut self) {
        self.close(']');
    }

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        if !self.empty {
            self.line_break(false);
        }
        self.out.push(c);
        self.empty = false;
    }

    /// The next member's key (plain ASCII, written as is); its value follows.
    pub fn key(&mut self, key: &str) {
        self.next_line();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
    }

    /// Before each element of an array.
    pub fn element(&mut self) {
        self.next_line();
    }

    pub fn string(&mut self, s: &str) {
        self.out.push('"');
        escape_into(&mut self.out, s);
        self.out.push('"');
    }

    pub fn number(&mut self, n: u64) {
        self.out
            .extend(crate::diagnostic::decimal(n).map(char::from));
    }

    pub fn null(&mut self) {
        self.out.push_str("null");
    }
}

/// Appends `s` with `"`, `\` and control characters escaped as serde_json does: `\b \t \n \f
/// \r`, the others as `\u00xx`.
fn escape_into(out: &mut String, s: &str) {
    // Most strings need nothing escaped: sixteen bytes at a time (each block a branch-free
    // fold the compiler vectorizes), then the rest, decide that.
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut blocks = s.as_bytes().chunks_exact(16);
    let needs_escape = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, &b| any | special(b)))
        || blocks.remainder().iter().any(|&b| special(b));
    if !needs_escape {
        out.push_str(s);
        return;
    }
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0..=0x1f => "\\u00",
            _ => continue,
        };
        // `run..i` starts and ends at ASCII bytes: whole characters.
        out.push_str(&s[run..i]);
        out.push_str(escape);
        if escape == "\\u00" {
            for d in [b >> 4, b & 0xf] {
                out.push(char::from(b"0123456789abcdef"[d as usize]));
            }
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é\u{202e}\"\\ plain text long enough for whole words\u{7f}\"");
        for s in [
            all.as_str(),
            "",
            "a",
            "\"",
            "0123456789abcdef\n",
            "ab\\cdefgh",
        ] {
            let mut w = PrettyJson::with_capacity(0);
            w.string(s);
            assert_eq!(w.out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn layout_is_serde_jsons_pretty_layout() {
        let mut w = PrettyJson::with_capacity(0);
        w.open_object();
        w.key("a");
        w.number(1);
        w.key("b");
        w.open_array();
        w.close_array();
        w.key("c");
        w.open_array();
        for n in [0, u64::MAX] {
            w.element();
            w.open_object();
            w.key("n");
            w.number(n);
            w.key("o");
            w.open_object();
            w.close_object();
            w.key("x");
            w.null();
            w.close_object();
        }
        w.close_array();
        w.close_object();
        // (`json!` objects keep their keys sorted.)
        let v = serde_json::json!({"a": 1, "b": [], "c": [
            {"n": 0, "x": null, "o": {}},
            {"n": u64::MAX, "x": null, "o": {}},
        ]});
        assert_eq!(w.finish(), serde_json::to_string_pretty(&v).unwrap() + "\n");
    }
}
