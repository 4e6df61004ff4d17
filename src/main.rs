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
    // A panic is a bug, not a data problem: it still ends as SPEC §4.4's
    // internal error (exit 1), after unwinding has run the staging folder's
    // and the ledger lock's clean-up.
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| payrun::cli::dispatch(cli, BUILD)));
    let code = match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            payrun::model::log::error(&e.to_string(), e.exit_code());
            e.exit_code()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!("internal error (a bug in payrun, please report it): {what}");
            payrun::model::log::error(&message, 1);
            1
        }
    };
    // `--log-format json` ends with one `done` object (SPEC §13).
    if payrun::model::log::is_json() {
        payrun::model::log::done(code);
    }
    std::process::exit(code);
}
