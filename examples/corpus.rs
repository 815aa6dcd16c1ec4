//! Writes a generated Drizzle app to disk and runs the two things the benchmarks compare on it,
//! one at a time, so that external tools (`/usr/bin/time -v`, `valgrind --tool=callgrind`) can
//! measure each alone:
//!
//! ```sh
//! cargo run --release --example corpus -- write /tmp/app10k 10000 [SEED [backend|app]]
//! cargo run --release --example corpus -- parse /tmp/app10k [THREADS]   # the floor
//! cargo run --release --example corpus -- check /tmp/app10k [THREADS]   # the full check
//! # `check` prints the time of each phase to stderr; with STATS=1 it also counts the facts and
//! # prints the resident set after loading, linking and writing the report.
//! ```

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use drizzle_guard::config::Config;
use drizzle_guard::engine::{self, Options};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: corpus write DIR FILES [SEED [backend|app]] | parse DIR [THREADS] | check DIR [THREADS]";
    let (Some(cmd), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let number = |i: usize| args.get(i).map(|s| s.parse::<u64>().expect(usage));
    match cmd.as_str() {
        "write" => {
            let files = number(2).expect(usage) as usize;
            let mix = match args.get(4) {
                Some(m) => corpus::Mix::parse(m).expect(usage),
                None => corpus::Mix::Backend,
            };
            let n = corpus::write_mix(&dir, files, number(3).unwrap_or(1), mix)
                .expect("write the corpus");
            println!("wrote {n} files to {}", dir.display());
        }
        "parse" | "check" => {
            let threads = number(2).map(|n| n as usize);
            let config = Config::discover(&dir).expect("configuration");
            let opts = Options {
                paths: vec![dir.clone()],
                root: dir.clone(),
                threads,
            };
            let pool = engine::pool(threads).expect("thread pool");
            pool.install(|| {
                if cmd == "parse" {
                    let n = engine::parse_only(&opts, &config).expect("parse");
                    println!("parsed {n} files");
                } else {
                    let t = std::time::Instant::now();
                    let units = engine::load_units(&opts, &config).expect("load");
                    let t_load = t.elapsed();
                    let rss_load = rss_kb();
                    if std::env::var_os("STATS").is_some() {
                        let sum = |f: &dyn Fn(&drizzle_guard::facts::FileFacts) -> usize| -> usize { units.iter().map(|u| f(&u.facts)).sum() };
                        eprintln!("files {} with queries {} with tables {}", units.len(), sum(&|f| usize::from(!f.queries.is_empty())), sum(&|f| usize::from(!f.tables.is_empty())));
                        eprintln!("imports {} exports {} functions {} queries {} calls {} loops-in-calls {} raw {}",
                            sum(&|f| f.imports.len()), sum(&|f| f.exports.len()), sum(&|f| f.functions.len()),
                            sum(&|f| f.queries.len()), sum(&|f| f.calls.len()), sum(&|f| f.calls.iter().map(|c| c.loops.len()).sum()), sum(&|f| f.raw_sql.len()));
                    }
                    let project = drizzle_guard::link::Project::link(dir.clone(), units, &config);
                    let t_link = t.elapsed();
                    let rss_link = rss_kb();
                    let report = engine::check(&project, &config, std::time::Instant::now());
                    let t_check = t.elapsed();
                    let out = drizzle_guard::emit::json::render(&report);
                    let t_emit = t.elapsed();
                    if std::env::var_os("STATS").is_some() {
                        eprintln!("resident after load {rss_load} kB, after link {rss_link} kB, after emit {} kB", rss_kb());
                    }
                    eprintln!(
                        "load {:?} link {:?} check {:?} emit {:?} ({} bytes)",
                        t_load,
                        t_link - t_load,
                        t_check - t_link,
                        t_emit - t_check,
                        out.len()
                    );
                    println!(
                        "checked {} files: {} findings",
                        report.files_checked,
                        report.diagnostics.len()
                    );
                    // As the command line does: the process ends here.
                    std::mem::forget(project);
                }
            });
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}

/// The process's resident set in kB (Linux), for the STATS line; 0 where /proc is missing.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
