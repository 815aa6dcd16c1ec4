//! JSON with comments and trailing commas, as `drizzle-guard.json(c)` and `tsconfig.json` are
//! written: stripped by the `json-strip-comments` crate, which turns comments and trailing commas
//! into spaces so that an error's line and column still point into the file as written.

/// `text` with its comments and trailing commas blanked out, ready for `serde_json`.
pub fn strip(text: &str) -> Result<String, String> {
    let mut text = text.to_string();
    json_strip_comments::strip(&mut text).map_err(|e| format!("invalid comment: {e}"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_and_trailing_commas_are_blanked_out() {
        let s = super::strip("{ // c\n \"a\": \"//x\", /* b */ \"b\": [1,2,], }").unwrap();
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "//x");
        assert_eq!(v["b"][1], 2);
        assert_eq!(
            s.len(),
            "{ // c\n \"a\": \"//x\", /* b */ \"b\": [1,2,], }".len()
        );
    }

    #[test]
    fn strings_comments_and_commas_in_every_position() {
        for (text, expected) in [
            ("[1, // trailing\n ]", serde_json::json!([1])),
            ("[1, /* c */ ]", serde_json::json!([1])),
            (
                "{\"a\": \"x\\\"//y,\", \"é\": 1,}",
                serde_json::json!({"a": "x\"//y,", "é": 1}),
            ),
            ("/*/ not closed */ [1,]", serde_json::json!([1])),
            (
                "{\"a\":1 ,\n\t// x\n/* y */\n}",
                serde_json::json!({"a": 1}),
            ),
        ] {
            let s = super::strip(text).unwrap();
            let v: serde_json::Value =
                serde_json::from_str(&s).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(v, expected, "{text:?}");
        }
        // Broken text is an error or stays broken, never a panic.
        for text in [
            "/**/[2 , /* unterminated",
            "[3, // no newline",
            "\"\\",
            "[1,\u{a0}]",
        ] {
            let _ = super::strip(text);
        }
    }
}
