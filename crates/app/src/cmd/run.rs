//! `payrun run`: the monthly run.

use crate::model::money::pounds_text;
use crate::pipeline::{self, FailOn, LogFormat, RunOptions};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Decide every claim line and roster row of a pay period and write the outputs.
///
/// Claims and roster activity are paid one month in arrears: `--period 2025-06`
/// pays May 2025's activity. Outputs go to `--out` (default `out/YYYY-MM/`):
/// staged in a sibling folder and swapped in as a whole once complete,
/// reconciled and committed to the ledger; a previous folder is kept as
/// `<out>.replaced-<n>`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pay period, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// Roster workbook (Staff, Shifts, Absences, optional Protection) or a folder of CSVs.
    #[arg(long)]
    pub roster: PathBuf,
    /// Expenses workbook (Claims), a Claims CSV, or a folder; repeat for several exports. Last
    /// month's deferred lines come from the ledger: a deferred-claims.csv given here is matched
    /// to them, not decided twice.
    #[arg(long, required = true)]
    pub expenses: Vec<PathBuf>,
    /// Configuration folder holding policy.toml and columns.toml [default:
    /// $PAYRUN_CONFIG, else ./config, else the built-in defaults].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Organisation code (e.g. the ODS code RP5): letters, digits, '-', '_',
    /// 1–16 characters. Shown in the workbooks and manifest; sets the default
    /// output and state folders.
    #[arg(long)]
    pub org: Option<String>,
    /// Output folder [default: out/YYYY-MM, or out/ORG/YYYY-MM with --org].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// State folder holding the ledger (ledger.sqlite) and its lock
    /// [default: $PAYRUN_STATE or payrun-state, plus /ORG with --org].
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Allow a period earlier than the latest committed one. Its ledger
    /// entries are replaced; later periods are then listed as needing a re-run.
    #[arg(long)]
    pub rerun: bool,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
    /// Exit 6 (after writing outputs and committing the ledger) when any
    /// finding matches one of these comma-separated items: `error` or
    /// `warning` (that severity or worse), `data` (any DAT finding, or
    /// CUT002/CUT003: input to put right at its source), a rule code
    /// (`REL001`) or a rule family (`SCK`); e.g. `--fail-on data,REL001,SCK`.
    /// An unknown item is exit 2.
    #[arg(long, value_name = "ITEMS", value_parser = FailOn::parse)]
    pub fail_on: Option<FailOn>,
    /// Write only the machine files (CSV, JSON): no payroll-adjustments / exceptions workbooks.
    #[arg(long)]
    pub no_xlsx: bool,
    /// Pay period (YYYY-MM) a re-run's correction batch is dated into
    /// [default: the period after the latest committed one].
    #[arg(long, value_name = "YYYY-MM")]
    pub corrections_into: Option<String>,
    /// Also write decisions.parquet, exceptions.parquet and adjustments.parquet
    /// (the same rows as the CSVs; money Decimal(18,2)) for BI tools.
    #[arg(long)]
    pub parquet: bool,
    /// `json`: one JSON object per stage on stderr ({"stage", "ms", "rows",
    /// "warnings"}, plus "org"), for log collectors; no progress display or
    /// summary lines.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

pub fn run(args: RunArgs) -> crate::error::Result<()> {
    crate::model::log::use_json(args.log_format == LogFormatArg::Json);
    crate::model::log::set_period(&args.period);
    let period = super::parse_period(&args.period)?;
    super::check_org(args.org.as_deref())?;
    let label = crate::model::period::label(period);
    let out_dir = args.out.unwrap_or_else(|| match &args.org {
        Some(code) => PathBuf::from("out").join(code).join(&label),
        None => PathBuf::from("out").join(&label),
    });
    let state_dir = super::state_dir(args.state, args.org.as_deref())?;
    // Absolute from here on, so every message and the manifest name the
    // files unambiguously for a scheduler's log (SPEC §13).
    let opts = RunOptions {
        period,
        roster: absolute(args.roster),
        expenses: args.expenses.into_iter().map(absolute).collect(),
        config_dir: args.config,
        org: args.org,
        out_dir: absolute(out_dir),
        quiet: args.quiet,
        state_dir: absolute(state_dir),
        rerun: args.rerun,
        fail_on: args.fail_on,
        no_xlsx: args.no_xlsx,
        corrections_into: args
            .corrections_into
            .as_deref()
            .map(|t| super::parse_month_flag("--corrections-into", t))
            .transpose()?,
        parquet: args.parquet,
        log_format: match args.log_format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        },
    };
    let summary = pipeline::run(&opts)?;
    if !args.quiet && args.log_format == LogFormatArg::Text {
        let m = &summary.manifest;
        say(&format!(
            "payrun {}: {} lines ({}), claimed {} allowed {} withheld {} deferred {}; reconciliation {}; outputs in {}",
            m.period,
            m.reconciliation.lines_read,
            m.lines_by_status.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
            pounds_text(m.reconciliation.claimed),
            pounds_text(m.reconciliation.allowed),
            pounds_text(m.reconciliation.withheld),
            pounds_text(m.reconciliation.deferred),
            if m.reconciliation.passed { "PASS" } else { "FAIL" },
            summary.out_dir.display()
        ));
        if let Some(replaced) = &summary.replaced {
            say(&format!("payrun {}: the previous outputs were kept as {}", m.period, replaced.display()));
        }
        // The stage timings of manifest.json plus the ledger commit, which
        // happens after the manifest is written (docs/performance.md).
        let stages: Vec<String> = m
            .timings_ms
            .iter()
            .map(|(stage, ms)| format!("{stage} {ms}"))
            .chain(std::iter::once(format!("ledger-commit {}", summary.commit_ms)))
            .collect();
        say(&format!("payrun {}: timings ms: {}", m.period, stages.join(", ")));
    }
    Ok(())
}

/// `path` made absolute against the working folder (not resolving links);
/// as given when that fails (no working folder).
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// A line on stderr; a closed stderr does not fail the finished run.
fn say(line: &str) {
    crate::model::log::say(line);
}
