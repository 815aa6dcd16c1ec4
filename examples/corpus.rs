//! Writes a generated Drizzle app to disk and runs the two things the benchmarks compare on it,
//! one at a time, so that external tools (`/usr/bin/time -v`, `valgrind --tool=callgrind`) can
//! measure each alone:
//!
//! ```sh
//! cargo run --release --example corpus -- write /tmp/app10k 10000 [SEED]
//! cargo run --release --example corpus -- parse /tmp/app10k [THREADS]   # the floor
//! cargo run --release --example corpus -- check /tmp/app10k [THREADS]   # the full check
//! ```

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use drizzle_guard::config::Config;
use drizzle_guard::engine::{self, Options};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: corpus write DIR FILES [SEED] | parse DIR [THREADS] | check DIR [THREADS]";
    let (Some(cmd), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let number = |i: usize| args.get(i).map(|s| s.parse::<u64>().expect(usage));
    match cmd.as_str() {
        "write" => {
            let files = number(2).expect(usage) as usize;
            let n = corpus::write(&dir, files, number(3).unwrap_or(1)).expect("write the corpus");
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
                    let project = engine::load(&opts, &config).expect("load");
                    let report = engine::check(&project, &config, std::time::Instant::now());
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
