//! The command line: one subcommand per file under `cmd/`.

use crate::cmd;
use clap::{Parser, Subcommand};

/// payrun — monthly NHS payroll adjustments from e-Rostering and e-expenses exports.
///
/// Exit codes: 0 run complete; 2 bad command line; 3 input unreadable or a
/// required sheet/column missing (or invalid configuration); 4 ledger locked
/// by another run; 5 reconciliation failed (nothing written); 6 --fail-on
/// threshold reached (outputs written); 1 internal error.
#[derive(Debug, Parser)]
#[command(name = "payrun", version, about, long_about)]
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
    Insights(cmd::insights::InsightsArgs),
}

/// Runs the parsed command; the error carries the exit code.
pub fn dispatch(cli: Cli) -> crate::Result<()> {
    match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Sample(args) => cmd::sample::run(args),
        Command::Ledger(args) => cmd::ledger::run(args),
        Command::Insights(args) => cmd::insights::run(args),
    }
}
