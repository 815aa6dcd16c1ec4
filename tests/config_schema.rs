//! `drizzle-guard.schema.json` and the `Config` struct must agree: the same keys at every level,
//! the same defaults, closed objects on both sides, the same rule names, and the README's
//! configuration examples valid for both.

use drizzle_guard::config::Config;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

mod support;

fn schema() -> Value {
    support::read_json(&support::crate_path("drizzle-guard.schema.json"))
}

fn validator() -> jsonschema::Validator {
    let s = schema();
    assert!(
        jsonschema::meta::is_valid(&s),
        "the schema is not a valid JSON Schema"
    );
    jsonschema::validator_for(&s).unwrap()
}

fn keys(o: &Map<String, Value>) -> BTreeSet<String> {
    o.keys().cloned().collect()
}

/// Walks the schema's object nodes next to the serialised default configuration.
fn compare(path: &str, node: &Value, default: &Value, failures: &mut Vec<String>) {
    let props = node["properties"].as_object().unwrap();
    let fields = default.as_object().unwrap();
    if keys(props) != keys(fields) {
        failures.push(format!(
            "{path}: schema keys {:?} != Config keys {:?}",
            keys(props),
            keys(fields)
        ));
    }
    if node["additionalProperties"] != json!(false) {
        failures.push(format!(
            "{path}: the schema must set additionalProperties: false (Config denies unknown fields)"
        ));
    }
    for (key, sub) in props {
        let Some(value) = fields.get(key) else {
            continue;
        };
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if let Some(d) = sub.get("default") {
            if d != value {
                failures.push(format!(
                    "{here}: schema default {d} != Config default {value}"
                ));
            }
        }
        if sub.get("properties").is_some() {
            compare(&here, sub, value, failures);
        } else if sub.get("examples").is_none() {
            failures.push(format!("{here}: give the key an example"));
        }
    }
}

#[test]
fn schema_and_config_struct_have_the_same_keys_and_defaults() {
    let default = serde_json::to_value(Config::default()).unwrap();
    let mut failures = vec![];
    compare("", &schema(), &default, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn schema_lists_exactly_the_registered_rules() {
    let s = schema();
    let listed: BTreeSet<String> = s["properties"]["rules"]["propertyNames"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let registered: BTreeSet<String> = drizzle_guard::rules::names()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        listed, registered,
        "update `rules.propertyNames.enum` in drizzle-guard.schema.json to the registry"
    );
}

/// A document using every key of the schema, each with its first example.
fn every_key(node: &Value) -> Value {
    let mut out = Map::new();
    for (key, sub) in node["properties"].as_object().unwrap() {
        let value = if sub.get("properties").is_some() {
            every_key(sub)
        } else {
            sub["examples"][0].clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

#[test]
fn every_schema_key_deserialises_and_validates() {
    let doc = every_key(&schema());
    assert!(validator().is_valid(&doc), "{doc}");
    let config = Config::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}\n{doc}"));
    // What was read is what was written (the serialised form drops `$schema`'s null only).
    let back = serde_json::to_value(&config).unwrap();
    for (key, value) in doc.as_object().unwrap() {
        assert_eq!(&back[key], value, "key `{key}` did not round-trip");
    }
}

/// Every object level rejects an unknown key, and every leaf a value of the wrong type, in
/// both the schema and the loader; the loader's message names the key path.
#[test]
fn schema_and_loader_reject_the_same_mistakes() {
    let v = validator();
    let good = every_key(&schema());
    let mut cases: Vec<(Value, String)> = vec![];
    let mut unknown_at_root = good.clone();
    unknown_at_root["tenantt"] = json!({});
    cases.push((unknown_at_root, "tenantt".into()));
    for (key, value) in good.as_object().unwrap() {
        if value.is_object() && key != "rules" {
            let mut doc = good.clone();
            doc[key]["colums"] = json!([]);
            cases.push((doc, format!("{key}.colums")));
            for leaf in value.as_object().unwrap().keys() {
                let mut doc = good.clone();
                doc[key][leaf] = json!(42);
                cases.push((doc, format!("{key}.{leaf}")));
            }
        } else {
            let mut doc = good.clone();
            doc[key] = if value.is_number() {
                json!("big")
            } else {
                json!(42)
            };
            cases.push((doc, key.clone()));
        }
    }
    let mut doc = good.clone();
    doc["rules"] = json!({ "tenant-filter": "fatal" });
    cases.push((doc, "rules.tenant-filter".into()));
    let mut doc = good.clone();
    doc["tenant"]["columns"] = json!([]);
    cases.push((doc, "tenant.columns".into()));
    for (doc, key) in cases {
        assert!(!v.is_valid(&doc), "the schema accepts a mistake at `{key}`");
        let dir = support::tree(&[("drizzle-guard.json", &doc.to_string())]);
        let file = dir.path().join("drizzle-guard.json");
        let err = Config::load(&file).expect_err(&format!("the loader accepts `{key}`"));
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("`{key}`")) && msg.contains("drizzle-guard.json"),
            "the message does not name the file and `{key}`: {msg}"
        );
    }
}

/// `null` is "unset" exactly where both sides say so.
#[test]
fn schema_and_loader_agree_on_null() {
    let v = validator();
    let good = every_key(&schema());
    let mut paths: Vec<Vec<String>> = vec![];
    for (key, value) in good.as_object().unwrap() {
        paths.push(vec![key.clone()]);
        if value.is_object() && key != "rules" {
            for leaf in value.as_object().unwrap().keys() {
                paths.push(vec![key.clone(), leaf.clone()]);
            }
        }
    }
    for path in paths {
        let mut doc = good.clone();
        let mut at = &mut doc;
        for k in &path {
            at = &mut at[k.as_str()];
        }
        *at = Value::Null;
        let loader = Config::from_json(&doc.to_string()).is_ok();
        assert_eq!(
            v.is_valid(&doc),
            loader,
            "`{}`: null accepted by the schema: {}, by the loader: {loader}",
            path.join("."),
            v.is_valid(&doc)
        );
    }
}

#[test]
fn readme_configuration_examples_are_valid() {
    let readme = ["README.md", "docs/configuration.md"]
        .map(support::crate_text)
        .concat();
    let v = validator();
    let mut n = 0;
    for block in readme.split("```json\n").skip(1) {
        let block = block.split("```").next().unwrap();
        if !block.contains("drizzle-guard.schema.json") {
            continue; // the JSON output and baseline examples
        }
        n += 1;
        let doc: Value = serde_json::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{block}\n{}", errors.join("\n"));
        Config::from_json(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
    }
    assert!(
        n >= 2,
        "expected the README's configuration examples, found {n}"
    );
}
