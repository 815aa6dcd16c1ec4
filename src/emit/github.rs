//! `--format github`: GitHub Actions workflow commands, which GitHub shows as annotations on
//! the pull request's changed lines: `::error file=..,line=..,col=..::message`.

use super::{escape_controls, Report};
use crate::diagnostic::Diagnostic;

pub fn render(report: &Report) -> String {
    let mut out: String = report.diagnostics.iter().map(command).collect();
    for f in &report.outside_root {
        out.push_str(&format!(
            "::warning file={},title=drizzle-guard::{}\n",
            escape_property(f),
            escape_data(super::OUTSIDE_ROOT)
        ));
    }
    out
}

fn command(d: &Diagnostic) -> String {
    // Our severities are named as the `::error` and `::warning` commands.
    let kind = d.severity.name();
    let s = &d.span;
    let mut props = vec![
        ("file", d.file.clone()),
        ("line", s.start_line.to_string()),
        ("col", s.start_col.to_string()),
    ];
    // An empty span (a file that could not be read) has no end worth showing.
    if (s.end_line, s.end_col) != (s.start_line, s.start_col) {
        props.push(("endLine", s.end_line.to_string()));
        props.push(("endColumn", s.end_col.to_string()));
    }
    props.push(("title", format!("drizzle-guard: {}", d.rule.name())));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    format!("::{kind} {}::{}\n", props.join(","), escape_data(&message))
}

/// A command's message: `%`, CR and LF are escaped. Other control characters are shown as
/// `\u{..}` text first, so nothing read from a file can drive the log viewer.
pub fn escape_data(s: &str) -> String {
    escape_controls(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, and `:` and `,`, which separate properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::rule_id::RuleId;
    use crate::span::Span;

    #[test]
    fn escapes_as_github_documents() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("x\x1b[31m"), "x\\u{1b}[31m");
    }

    #[test]
    fn one_command_per_finding_with_help_on_a_second_line() {
        let span = Span {
            start_line: 4,
            start_col: 2,
            end_line: 4,
            end_col: 9,
            lo: 0,
            hi: 0,
        };
        let d = Diagnostic::new(
            RuleId::TenantFilter,
            "src/a,b:c.ts",
            span,
            "query on `x`".into(),
        )
        .help("add `eq(..)`");
        assert_eq!(
            command(&d),
            "::error file=src/a%2Cb%3Ac.ts,line=4,col=2,endLine=4,endColumn=9,title=drizzle-guard%3A tenant-filter::query on `x`%0Ahelp: add `eq(..)`\n"
        );
        let mut w = Diagnostic::new(RuleId::ParseError, "b.ts", Span::default(), "bad".into());
        w.severity = Severity::Warning;
        w.span.start_line = 1;
        w.span.start_col = 1;
        w.span.end_line = 1;
        w.span.end_col = 1;
        assert_eq!(
            command(&w),
            "::warning file=b.ts,line=1,col=1,title=drizzle-guard%3A parse-error::bad\n"
        );
    }
}
