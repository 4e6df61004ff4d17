//! `payrun check`: ingest and validate only.

use crate::config::Config;
use crate::error::Error;
use crate::model::input::DataCell;
use crate::model::progress::Silent;
use crate::rules::data;
use clap::Args;
use foldhash::HashSet;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Rows listed on the terminal; `--out` takes them all.
const SHOWN: usize = 20;

/// Read both inputs and run the data checks (DAT) without deciding anything;
/// print rows read per sheet, each row with a data finding (file!sheet:row,
/// column, raw value, code, message; the first 20, all with --out) and the
/// findings by code. Exit 3 if an input cannot be read or a required sheet
/// or column is missing.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The e-Rostering export: a workbook with Staff, Shifts and Absences
    /// sheets (Protection optional), or a folder of those CSVs.
    #[arg(long)]
    pub roster: PathBuf,
    /// An e-expenses export with a Claims sheet (xlsx or CSV); repeat for more.
    #[arg(long, required = true)]
    pub expenses: Vec<PathBuf>,
    /// Configuration folder [default: $PAYRUN_CONFIG, else ./config, else the built-in defaults].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write every row with a data finding to this CSV (source, column, raw,
    /// code, message), not only the first 20.
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
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
    // The roster's rows first (its file is read first), then the claims in input order.
    let mut cells: Vec<DataCell> = inputs.roster_cells.clone();
    for (line, line_hits) in inputs.claims.iter().zip(&hits).filter(|(_, h)| !h.is_empty()) {
        cells.extend(data::claim_cells(line, line_hits));
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
    if !cells.is_empty() {
        println!("rows with data findings (source, column, raw value, code, message):");
        for c in cells.iter().take(SHOWN) {
            println!("  {}  {}  '{}'  {}  {}", c.source, c.column, c.raw, c.code, c.message);
        }
        if cells.len() > SHOWN {
            println!("  … and {} more: --out FILE.csv lists them all", cells.len() - SHOWN);
        }
    }
    if let Some(path) = &args.out {
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        crate::output::csv::data_cells(std::io::BufWriter::new(file), &cells)
            .map_err(|e| Error::io(path, e))?;
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        println!("{} row(s) written to {}", cells.len(), shown.display());
    }
    Ok(())
}
