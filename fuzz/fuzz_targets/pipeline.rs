//! Arbitrary bytes (and, from the seeds and the dictionary, mutated TypeScript) through the
//! whole pipeline: read checks, parse, extract, link against a small schema, every rule, and
//! every output format. A panic drizzle-guard contains (swc's own debug assertions, which become
//! a `parse-error`) is fine; any `internal-error` or uncontained panic aborts: a finding.
#![no_main]

#[path = "../../tests/pipeline/mod.rs"]
mod pipeline;

use std::sync::Once;

static HOOK: Once = Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // libFuzzer's hook aborts on every panic, even one the checker catches per file; print
    // instead, and let an uncaught panic abort as it unwinds out of the fuzz target.
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
    pipeline::run(data);
});
