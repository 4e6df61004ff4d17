//! `payrun check`: ingest and validate only.

use crate::config::Config;
use crate::model::progress::Silent;
use crate::rules::data;
use clap::Args;
use foldhash::HashSet;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Read both inputs and run the data checks (DAT) without deciding anything;
/// print rows read per sheet and findings by code. Exit 3 if an input cannot
/// be read or a required sheet or column is missing.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub roster: PathBuf,
    #[arg(long, required = true)]
    pub expenses: Vec<PathBuf>,
    /// Configuration folder [default: $PAYRUN_CONFIG, else ./config, else the built-in defaults].
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub fn run(args: CheckArgs) -> crate::error::Result<()> {
    let config = Config::find(args.config.as_deref())?;
    let inputs = crate::ingest::load(&args.roster, &args.expenses, &config, || {}, Arc::new(Silent))?;
    let known: HashSet<&str> = inputs.roster.staff.iter().map(|s| s.assignment.as_str()).collect();
    let hits = data::check_claims(&inputs.claims, &known, config.policy.claims.max_line_amount);

    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for h in hits.iter().flatten() {
        *by_code.entry(h.rule.code).or_default() += 1;
    }
    for f in &inputs.roster_findings {
        *by_code.entry(f.rule.code).or_default() += 1;
    }
    for report in &inputs.reports {
        println!("{} (sha256 {})", report.path.display(), report.sha256);
        for (sheet, rows) in &report.sheets {
            println!("  {sheet:<12} {rows:>9} rows");
        }
    }
    let rejected = hits.iter().filter(|h| !h.is_empty()).count();
    println!("claim lines with data findings: {rejected} of {}", inputs.claims.len());
    println!("roster rows skipped: {}", inputs.roster_findings.len());
    for (code, n) in by_code {
        println!("  {code} {n}");
    }
    Ok(())
}
