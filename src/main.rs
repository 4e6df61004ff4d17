//! Thin: parse arguments, call the library, map errors to exit codes (SPEC §4.4).

/// Version and git commit, from build.rs.
const BUILD: &str = env!("PAYRUN_BUILD");

fn main() {
    // Before any thread exists: the allocator's arenas (no thread is made),
    // then SIGINT/SIGTERM clean up and exit 130/143.
    payrun::files::memory::two_arenas_per_core();
    payrun::files::signals::install();
    let cli = match payrun::cli::parse(BUILD) {
        Ok(cli) => cli,
        // clap exits 0 for --help/--version and 2 for a bad command line.
        Err(e) => e.exit(),
    };
    if !matches!(cli.command, payrun::cli::Command::Run(_)) {
        // `payrun ledger show | head -1`: end quietly when the reader goes.
        payrun::files::signals::default_sigpipe();
    }
    if let Err(e) = payrun::cli::dispatch(cli, BUILD) {
        payrun::error::note(&e.to_string());
        std::process::exit(e.exit_code());
    }
}
