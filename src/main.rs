//! Thin: parse arguments, call the library, map errors to exit codes (SPEC §4.4).

use clap::Parser;

fn main() {
    let cli = match payrun::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // clap exits 0 for --help/--version and 2 for a bad command line.
        Err(e) => e.exit(),
    };
    if let Err(e) = payrun::cli::dispatch(cli) {
        eprintln!("payrun: {e}");
        std::process::exit(e.exit_code());
    }
}
