//! Arbitrary bytes (and, from the seeds and the dictionary, mutated TypeScript) through the
//! whole pipeline: read checks, parse, extract, link against a small schema, every rule, and
//! every output format. Any panic, caught or not, is a finding (libFuzzer aborts on it).
#![no_main]

#[path = "../../tests/pipeline/mod.rs"]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pipeline::run(data);
});
