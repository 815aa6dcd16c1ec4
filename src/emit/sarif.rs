//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! Every rule of the registry is listed in `tool.driver.rules`, also rules switched off in the
//! configuration: GitHub prefers a stable rule list, and a result's `ruleIndex` then never
//! depends on the configuration. A rule's descriptor carries its one-line summary, the first
//! paragraph of its documentation and a link to its page (`docs/rules/NAME.md`), not the whole
//! page. Files that could not be checked (`parse-error`, `internal-error`) and files not read
//! because they lie outside the root are tool execution notifications rather than results: they
//! say what was not analysed, not something wrong in the code.

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{self, Rule, RuleKind, RULES};
use crate::source::{read_shown, Root};
use crate::span::Span;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub code scanning rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// The key of our fingerprint in `partialFingerprints`; bump the suffix if its recipe changes.
pub const FINGERPRINT_KEY: &str = "drizzleGuard/v2";
const SRCROOT: &str = "%SRCROOT%";

/// The SARIF text, and a note for standard error when not every finding fits in it.
pub struct Rendered {
    pub text: String,
    pub note: Option<String>,
}

pub fn render(report: &Report) -> Rendered {
    render_limited(report, MAX_RESULTS)
}

/// Diagnostics that say a file was not checked, rather than something about its code.
fn is_notification(d: &Diagnostic) -> bool {
    matches!(rules::rule(d.rule).kind, RuleKind::FileNotChecked)
}

pub(crate) fn render_limited(report: &Report, limit: usize) -> Rendered {
    let (problems, findings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        report.diagnostics.iter().partition(|d| is_notification(d));
    let root = Root::new(&report.root);
    let mut sources = Sources::new(&root);
    let mut notifications: Vec<Value> = problems
        .iter()
        .map(|d| notification(d, &mut sources))
        .collect();
    notifications.extend(report.outside_root.iter().map(|f| {
        json!({
            "level": "warning",
            "message": { "text": super::OUTSIDE_ROOT },
            "locations": [{ "physicalLocation": {
                "artifactLocation": { "uri": relative_uri(f), "uriBaseId": SRCROOT },
            } }],
        })
    }));
    let mut note = None;
    if findings.len() > limit {
        let text = format!(
            "drizzle-guard found {} results, more than the {limit} that GitHub code scanning accepts in one run; only the first {limit} (by file, line, column and rule) are in this file. Use `--format json` for all of them.",
            findings.len()
        );
        notifications.push(json!({ "level": "warning", "message": { "text": text } }));
        note = Some(text);
    }
    let results: Vec<Value> = findings
        .iter()
        .take(limit)
        .map(|d| result(d, &mut sources))
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "drizzle-guard",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
                }
            },
            "automationDetails": { "id": "drizzle-guard/" },
            "originalUriBaseIds": {
                SRCROOT: {
                    "uri": directory_uri(&report.root),
                    "description": { "text": "The directory drizzle-guard checked; every file is named relative to it." },
                }
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    Rendered { text, note }
}

/// SARIF's `level`: our severities are named as SARIF names them.
fn level(s: Severity) -> &'static str {
    s.name()
}

/// `tenant-filter` → `TenantFilter`: SARIF's convention for a rule's `name`.
fn pascal_case(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Where a rule's documentation page is read on GitHub.
pub fn help_uri(r: &Rule) -> String {
    format!(
        "{}/blob/main/docs/rules/{}.md",
        env!("CARGO_PKG_REPOSITORY"),
        r.name
    )
}

/// A rule's `reportingDescriptor`: what GitHub shows beside an alert. The help is the summary
/// and a link to the rule's page, which has the rest (why it matters, an example, the fix).
fn rule_descriptor(r: &Rule) -> Value {
    let mut tags = vec!["drizzle"];
    tags.push(match (r.security_severity, r.kind) {
        (Some(_), _) => "security",
        (None, RuleKind::Query(_) | RuleKind::Schema(_)) => "correctness",
        (None, RuleKind::FileNotChecked | RuleKind::Suppression) => "reliability",
    });
    let mut properties = json!({ "tags": tags });
    if let Some(s) = r.security_severity {
        properties["security-severity"] = json!(s);
    }
    let uri = help_uri(r);
    json!({
        "id": r.name,
        "name": pascal_case(r.name),
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": rules::what_it_reports(r) },
        "help": {
            "text": format!("{} Documentation: {uri}", r.summary),
            "markdown": format!("{} See [the rule's documentation]({uri}): why it matters, an example and the fix.", r.summary),
        },
        "helpUri": uri,
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": properties,
    })
}

/// The checked files' lines, read once each, for code snippets (a file that has gone or cannot
/// be read just gets no snippet).
struct Sources<'r> {
    root: &'r Root,
    lines: BTreeMap<String, Option<Vec<String>>>,
}

impl<'r> Sources<'r> {
    fn new(root: &'r Root) -> Self {
        Sources {
            root,
            lines: BTreeMap::new(),
        }
    }

    fn lines(&mut self, file: &str) -> Option<&[String]> {
        let root = self.root;
        self.lines
            .entry(file.to_string())
            .or_insert_with(|| {
                let text = read_shown(root, file)?;
                Some(text.lines().map(str::to_string).collect())
            })
            .as_deref()
    }
}

/// The code between two 1-based positions (columns in code points, the end exclusive).
fn snippet(lines: &[String], s: &Span) -> Option<String> {
    let first = s.start_line.checked_sub(1)? as usize;
    let last = s.end_line.checked_sub(1)? as usize;
    let mut parts = vec![];
    for (i, line) in lines.get(first..=last)?.iter().enumerate() {
        let from = if i == 0 {
            (s.start_col as usize).saturating_sub(1)
        } else {
            0
        };
        let to = if first + i == last {
            (s.end_col as usize).saturating_sub(1)
        } else {
            usize::MAX
        };
        parts.push(
            line.chars()
                .skip(from)
                .take(to.saturating_sub(from))
                .collect::<String>(),
        );
    }
    Some(parts.join("\n"))
}

fn physical_location(file: &str, s: &Span, sources: &mut Sources<'_>) -> Value {
    let mut region = json!({
        "startLine": s.start_line,
        "startColumn": s.start_col,
        "endLine": s.end_line,
        "endColumn": s.end_col,
    });
    let mut location = json!({
        "artifactLocation": { "uri": relative_uri(file), "uriBaseId": SRCROOT },
    });
    if let Some(lines) = sources.lines(file) {
        if let Some(text) = snippet(lines, s) {
            region["snippet"] = json!({ "text": text });
            // The whole lines around the finding, one more on each side.
            let first = s.start_line.saturating_sub(1).max(1) as usize;
            let last = (s.end_line as usize + 1).min(lines.len());
            location["contextRegion"] = json!({
                "startLine": first,
                "endLine": last,
                "snippet": { "text": lines[first - 1..last].join("\n") },
            });
        }
    }
    location["region"] = region;
    location
}

fn result(d: &Diagnostic, sources: &mut Sources<'_>) -> Value {
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical_location(&d.file, &d.span, sources) }],
        "partialFingerprints": { FINGERPRINT_KEY: d.fingerprint },
    });
    r["ruleIndex"] = json!(d.rule.index());
    if !d.related.is_empty() {
        r["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical_location(&rel.file, &rel.span, sources),
                    "message": { "text": rel.message },
                })
            })
            .collect();
    }
    r
}

fn notification(d: &Diagnostic, sources: &mut Sources<'_>) -> Value {
    json!({
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{ "physicalLocation": physical_location(&d.file, &d.span, sources) }],
        "associatedRule": { "id": d.rule, "index": d.rule.index() },
    })
}

/// A file path relative to the root, as a relative URI reference: unreserved characters, `/`
/// and sub-delimiters stay; everything else (spaces, `%`, `#`, `?`, `[`, `]`, `:`, non-ASCII
/// bytes) is percent-encoded. `:` is encoded so `a:b.ts` cannot be read as scheme `a`.
pub fn relative_uri(path: &str) -> String {
    percent_encode(path, false)
}

/// The root directory as an absolute `file:` URI ending in `/`.
pub fn directory_uri(dir: &Path) -> String {
    let mut p = dir.to_string_lossy().replace('\\', "/");
    if !p.starts_with('/') {
        p.insert(0, '/'); // a Windows drive: file:///C:/..
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    format!("file://{}", percent_encode(&p, true))
}

fn percent_encode(s: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (keep_colon && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::assign_fingerprints;
    use crate::rule_id::RuleId;

    fn span(line: u32) -> Span {
        Span {
            start_line: line,
            start_col: 3,
            end_line: line,
            end_col: 8,
            lo: 0,
            hi: 0,
        }
    }

    fn report(n: usize) -> Report {
        let mut diagnostics: Vec<Diagnostic> = (1..=n as u32)
            .map(|l| {
                Diagnostic::new(
                    RuleId::TenantFilter,
                    "src/a b/ç.ts",
                    span(l),
                    format!("finding {l}"),
                )
            })
            .collect();
        diagnostics[0] = diagnostics[0].clone().related(
            "src/schema.ts",
            span(9),
            "the tenant column is declared here",
        );
        diagnostics.push(Diagnostic::new(
            RuleId::ParseError,
            "src/broken.ts",
            span(1),
            "expected an expression".into(),
        ));
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        assign_fingerprints(&mut diagnostics);
        Report {
            diagnostics,
            root: "/work/my app".into(),
            ..Default::default()
        }
    }

    fn parse(r: &Rendered) -> Value {
        serde_json::from_str(&r.text).unwrap()
    }

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(relative_uri("src/a b/ç.ts"), "src/a%20b/%C3%A7.ts");
        assert_eq!(
            relative_uri("app/[id]/page#1?.ts"),
            "app/%5Bid%5D/page%231%3F.ts"
        );
        assert_eq!(relative_uri("a:b.ts"), "a%3Ab.ts");
        assert_eq!(relative_uri("50%.ts"), "50%25.ts");
        assert_eq!(relative_uri("app/(group)/x.ts"), "app/(group)/x.ts");
        assert_eq!(
            directory_uri(Path::new("/work/my app")),
            "file:///work/my%20app/"
        );
        assert_eq!(
            directory_uri(Path::new(r"C:\src\app")),
            "file:///C:/src/app/"
        );
    }

    #[test]
    fn snippets_cut_lines_at_code_point_columns() {
        let lines: Vec<String> = ["a çb c", "  de", "f"].map(String::from).to_vec();
        let at = |sl, sc, el, ec| Span {
            start_line: sl,
            start_col: sc,
            end_line: el,
            end_col: ec,
            lo: 0,
            hi: 0,
        };
        assert_eq!(snippet(&lines, &at(1, 3, 1, 5)).as_deref(), Some("çb"));
        assert_eq!(snippet(&lines, &at(1, 5, 2, 4)).as_deref(), Some(" c\n  d"));
        assert_eq!(snippet(&lines, &at(3, 0, 3, 0)).as_deref(), Some(""));
        assert_eq!(snippet(&lines, &at(4, 1, 4, 2)), None, "past the end");
        assert_eq!(snippet(&lines, &at(0, 0, 0, 0)), None);
    }

    #[test]
    fn parse_errors_are_notifications_not_results() {
        let doc = parse(&render(&report(2)));
        let run = &doc["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 2);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["associatedRule"]["id"], "parse-error");
        assert_eq!(
            notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/broken.ts"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        let r = &run["results"][0];
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/a%20b/%C3%A7.ts"
        );
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], "tenant-filter");
        let rel = &r["relatedLocations"][0];
        assert_eq!(rel["id"], 1);
        assert_eq!(rel["message"]["text"], "the tenant column is declared here");
        assert_eq!(
            rel["physicalLocation"]["artifactLocation"]["uri"],
            "src/schema.ts"
        );
        assert_eq!(rel["physicalLocation"]["region"]["startLine"], 9);
        assert!(run["results"][1].get("relatedLocations").is_none());
        assert_eq!(
            r["partialFingerprints"][FINGERPRINT_KEY]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }

    #[test]
    fn results_over_the_limit_are_cut_and_said_so() {
        let rendered = render_limited(&report(5), 3);
        let doc = parse(&rendered);
        let run = &doc["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[2]["message"]["text"], "finding 3");
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 2, "the parse error and the truncation");
        let said = notes[1]["message"]["text"].as_str().unwrap();
        assert!(
            said.contains("5 results") && said.contains("first 3"),
            "{said}"
        );
        assert_eq!(rendered.note.as_deref(), Some(said));
        assert!(render_limited(&report(3), 3).note.is_none());
    }

    #[test]
    fn the_real_limit_is_githubs() {
        let rendered = render(&report(MAX_RESULTS + 1));
        let doc = parse(&rendered);
        assert_eq!(
            doc["runs"][0]["results"].as_array().unwrap().len(),
            MAX_RESULTS
        );
        assert!(rendered.note.is_some());
    }

    #[test]
    fn every_rule_is_described_with_numeric_security_severity() {
        let doc = parse(&render(&Report::default()));
        let listed = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(listed.len(), RULES.len());
        for (r, d) in RULES.iter().zip(listed) {
            assert_eq!(d["id"], r.name);
            assert!(!d["fullDescription"]["text"].as_str().unwrap().is_empty());
            let uri = format!(
                "https://github.com/drizzle-guard/drizzle-guard/blob/main/docs/rules/{}.md",
                r.name
            );
            assert_eq!(d["helpUri"], uri);
            for help in [&d["help"]["text"], &d["help"]["markdown"]] {
                let help = help.as_str().unwrap();
                assert!(help.starts_with(r.summary) && help.contains(&uri), "{help}");
            }
            match r.security_severity {
                Some(s) => {
                    let v: f64 = s.parse().expect("security_severity is a number");
                    assert!((0.0..=10.0).contains(&v), "{}: {v}", r.name);
                    assert_eq!(d["properties"]["security-severity"], s);
                    assert!(d["properties"]["tags"]
                        .as_array()
                        .unwrap()
                        .contains(&json!("security")));
                }
                None => assert!(d["properties"].get("security-severity").is_none()),
            }
        }
        assert_eq!(doc["runs"][0]["results"], json!([]));
    }
}
