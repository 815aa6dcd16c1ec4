fn main() {
    std::process::exit(drizzle_guard::cli::run(std::env::args_os()));
}
