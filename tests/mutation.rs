//! A seeded mutation harness: the rule fixtures and the example app, mutated byte- and
//! token-wise, through the whole pipeline (`tests/pipeline/mod.rs`). Deterministic, a few
//! seconds in CI; for a long run:
//!
//! ```sh
//! DRIZZLE_GUARD_MUTATIONS=1000000 DRIZZLE_GUARD_MUTATION_SEED=7 \
//!     cargo test --release --test mutation -- --nocapture
//! ```
//!
//! An input that fails is written to `target/mutation-failures/`; keep it under
//! `tests/data/regressions/` once fixed, where `regressions_stay_fixed` replays it.

#[path = "../benches/corpus/mod.rs"]
mod corpus;
mod pipeline;
mod support;

use corpus::Rng;
use drizzle_guard::discover::{discover, Found};
use std::path::PathBuf;
use support::{crate_path, crate_text};

/// The rule fixtures, the example app and a small generated app.
fn seeds() -> Vec<Vec<u8>> {
    let root = crate_path("fixtures");
    let config = drizzle_guard::config::Config::default();
    let found = discover(&root, std::slice::from_ref(&root), &config).unwrap();
    let mut out: Vec<Vec<u8>> = found
        .iter()
        .filter_map(|f| match f {
            Found::File(p) | Found::ModelOnly(p) | Found::LeftOut(p) => {
                Some(std::fs::read(p).unwrap())
            }
            Found::Unreadable(..) => None,
        })
        .collect();
    out.extend(
        corpus::generate(40, 3)
            .into_iter()
            .map(|f| f.text.into_bytes()),
    );
    out
}

/// The fuzzer's dictionary (`fuzz/drizzle.dict`): one list of tokens for both.
fn tokens() -> Vec<Vec<u8>> {
    let text = crate_text("fuzz/drizzle.dict");
    let mut out = vec![];
    for line in text.lines() {
        let Some(q) = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
            continue;
        };
        let mut bytes = vec![];
        let raw = q.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'\\' && raw.get(i + 1) == Some(&b'x') && i + 3 < raw.len() {
                let hex = std::str::from_utf8(&raw[i + 2..i + 4]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                i += 4;
            } else {
                bytes.push(raw[i]);
                i += 1;
            }
        }
        out.push(bytes);
    }
    assert!(out.len() > 20, "the dictionary was not read");
    out
}

fn mutate(input: &mut Vec<u8>, rng: &mut Rng, tokens: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        let span = 1 + rng.below(64.min(len.max(1)));
        let end = (at + span).min(len);
        match rng.below(7) {
            0 => {
                input.drain(at..end);
            }
            1 => {
                let copy = input[at..end].to_vec();
                let to = rng.below(input.len() + 1);
                input.splice(to..to, copy);
            }
            2 => {
                let t = &tokens[rng.below(tokens.len())];
                input.splice(at..at, t.iter().copied());
            }
            3 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            4 => input.truncate(at),
            5 => {
                // Unbalance the brackets, the parser's favourite trap.
                let b = [b'(', b')', b'{', b'}', b'[', b']', b'`', b'<', b'>'][rng.below(9)];
                input.insert(at, b);
            }
            _ => {
                let t = &tokens[rng.below(tokens.len())];
                input.splice(at..end, t.iter().copied());
            }
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect(name))
        .unwrap_or(default)
}

#[test]
fn mutated_sources_never_crash_the_pipeline() {
    let iterations = env_number("DRIZZLE_GUARD_MUTATIONS", 400);
    let seed = env_number("DRIZZLE_GUARD_MUTATION_SEED", 1);
    let seeds = seeds();
    let tokens = tokens();
    assert!(seeds.len() > 10);
    let mut rng = Rng(seed);
    let started = std::time::Instant::now();
    let mut findings = 0usize;
    for i in 0..iterations {
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut input, &mut rng, &tokens);
        let result = std::panic::catch_unwind(|| pipeline::run(&input));
        match result {
            Ok(json) => findings += json.matches("\"rule\"").count(),
            Err(_) => {
                let dir = crate_path("target/mutation-failures");
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("seed{seed}-iter{i}.ts"));
                std::fs::write(&path, &input).unwrap();
                panic!(
                    "iteration {i} (seed {seed}) crashed; input written to {}",
                    path.display()
                );
            }
        }
    }
    // The mutants still look like Drizzle code: the rules keep finding things.
    assert!(findings > 0);
    println!(
        "{iterations} mutated inputs (seed {seed}) in {:.1?}, {findings} findings, no crash",
        started.elapsed()
    );
}

#[test]
fn regressions_stay_fixed() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(crate_path("tests/data/regressions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs");
    for f in &files {
        let input = std::fs::read(f).unwrap();
        let json = pipeline::run(&input);
        assert!(json.contains("\"version\""), "{}", f.display());
    }
}
