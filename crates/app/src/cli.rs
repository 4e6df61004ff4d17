//! The command line: one subcommand per file under `cmd/`.

use crate::cmd;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// payrun — monthly NHS payroll adjustments from e-Rostering and e-expenses exports.
///
/// Exit codes: 0 run complete; 2 bad command line; 3 input unreadable or a
/// required sheet/column missing (or invalid configuration, or a ledger that
/// is not a payrun ledger or is corrupt); 4 ledger locked by another run;
/// 5 reconciliation failed (nothing written); 6 a finding matched --fail-on
/// (outputs written); 7 `payrun batch`: an organisation did not exit 0;
/// 8 an output or state folder cannot be written (nothing put in place,
/// ledger unchanged); 130 / 143 interrupted by SIGINT / SIGTERM; 1 internal error.
#[derive(Debug, Parser)]
#[command(name = "payrun", about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Run(cmd::run::RunArgs),
    Check(cmd::check::CheckArgs),
    Rules(cmd::rules::RulesArgs),
    Sample(cmd::sample::SampleArgs),
    Ledger(cmd::ledger::LedgerArgs),
    Config(cmd::config::ConfigArgs),
    Batch(cmd::batch::BatchArgs),
    Insights(cmd::insights::InsightsArgs),
    Review(cmd::review::ReviewArgs),
    Completions(cmd::completions::CompletionsArgs),
    Man(cmd::completions::ManArgs),
}

/// The command line of the build named `build` (`payrun --version`: version
/// and commit). The name is handed in by the binary, whose build script asks
/// git, so a commit rebuilds the thin binary and none of the stages.
pub fn command(build: &'static str) -> clap::Command {
    Cli::command().version(build)
}

/// Parses the process's arguments (clap's error exits 0 for `--help` and
/// `--version`, 2 for a bad command line).
pub fn parse(build: &'static str) -> Result<Cli, clap::Error> {
    Cli::from_arg_matches(&command(build).try_get_matches()?)
}

/// Runs the parsed command; the error carries the exit code.
pub fn dispatch(cli: Cli, build: &'static str) -> crate::error::Result<()> {
    match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sample(args) => cmd::sample::run(args),
        Command::Ledger(args) => cmd::ledger::run(args),
        Command::Config(args) => cmd::config::run(args),
        Command::Batch(args) => cmd::batch::run(args),
        Command::Insights(args) => cmd::insights::run(args),
        Command::Review(args) => cmd::review::run(args),
        Command::Completions(args) => cmd::completions::completions(args, command(build)),
        Command::Man(args) => cmd::completions::man(args, command(build)),
    }
}
