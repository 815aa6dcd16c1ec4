//! `docs/rules/NAME.md` is what `drizzle-guard rule NAME` prints, for every rule and nothing else:
//! the README and SARIF's `helpUri` link to these pages, so they must not drift from the rule
//! files they come from. `UPDATE_RULE_DOCS=1 cargo test --test rule_docs` rewrites them.

mod support;

fn docs() -> std::path::PathBuf {
    support::crate_path("docs/rules")
}

#[test]
fn every_rule_page_is_what_the_rule_command_prints() {
    let update = std::env::var_os("UPDATE_RULE_DOCS").is_some();
    for rule in drizzle_guard::rules::RULES {
        let out = support::run(support::bin().args(["rule", rule.name]));
        assert!(out.code == 0, "drizzle-guard rule {} failed", rule.name);
        let printed = out.stdout;
        assert!(printed.starts_with(&format!("# {}\n", rule.name)));
        assert!(printed.contains("## What it reports"), "{}", rule.name);
        let page = docs().join(format!("{}.md", rule.name));
        if update {
            std::fs::write(&page, &printed).unwrap();
        }
        let written = std::fs::read_to_string(&page).unwrap_or_default();
        assert_eq!(
            written,
            printed,
            "{} is stale: run `UPDATE_RULE_DOCS=1 cargo test --test rule_docs`",
            page.display()
        );
    }
}

#[test]
fn no_page_without_a_rule_and_the_readme_links_every_page() {
    let readme = support::crate_text("README.md");
    for entry in std::fs::read_dir(docs()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let rule = name.strip_suffix(".md").unwrap();
        assert!(
            drizzle_guard::rules::find(rule).is_some(),
            "docs/rules/{name} documents no rule"
        );
    }
    for rule in drizzle_guard::rules::RULES {
        let link = format!("[`{0}`](docs/rules/{0}.md)", rule.name);
        assert!(readme.contains(&link), "the README does not link {link}");
    }
}

/// The README's rules table has one row per rule, in the registry's order, each with the rule's
/// default severity: the table is checked against the registry, never trusted by hand.
#[test]
fn the_readme_rules_table_is_the_registry() {
    let readme = support::crate_text("README.md");
    let rows: Vec<(String, String)> = readme
        .lines()
        .filter(|l| l.starts_with("| [`"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let name = cells[0].strip_prefix("| [`")?.split('`').next()?;
            Some((name.to_string(), cells.get(1)?.trim().to_string()))
        })
        .collect();
    let expected: Vec<(String, String)> = drizzle_guard::rules::RULES
        .iter()
        .map(|r| (r.name.to_string(), r.default_severity.name().to_string()))
        .collect();
    assert_eq!(
        rows, expected,
        "README rules table (name, default severity) differs from the registry"
    );
}
