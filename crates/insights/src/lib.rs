//! Insights across months for auditors (SPEC §9, issue 16): the outputs of
//! several finished runs read together — trends by rule, claimants a rule
//! catches month after month, outliers among cost-centre peers, cost-centre
//! totals, repeated late or deferred claims, the runs themselves, sickness
//! absence (SPEC §10.5) and, from the organisations' ledgers, what auditors
//! decided about each rule's findings (SPEC §11.5).
//!
//! Each run's CSVs are scanned with polars lazy frames (projection of the
//! columns used, money parsed as Decimal(18,2) and taken as integer pence,
//! group-bys and a join per run), so a national month of a million lines is
//! reduced to per-claimant aggregates; the sheets are then assembled from
//! those aggregates in ordered maps, in integer pence, so the output order and
//! every figure are exact and deterministic (docs/decisions.md).

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_config as config;
use payrun_files as files;
use payrun_ledger as ledger;
use payrun_model as model;
use payrun_model::error;
use payrun_output as output;

pub mod absence;
mod load;
pub mod outliers;
pub mod parquet;
pub mod reviews;
mod scan;
mod sheets;

use crate::error::{Error, Result};
use crate::files::atomic::Staging;
use crate::output::tables::{self, Table};
use crate::output::{workbook, writing};
use std::path::PathBuf;

pub use load::RunFolder;

/// What `payrun insights` is told.
#[derive(Clone, Debug)]
pub struct Options {
    pub runs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    /// `--min-months`: periods a rule must catch a claimant in to be a repeat pattern.
    pub min_months: usize,
    /// `--state`: the organisations' state folders, whose ledgers give the
    /// Reviews sheet (SPEC §11.5); none = no Reviews sheet.
    pub states: Vec<PathBuf>,
    /// The paper the workbook prints on (`[workbooks] paper`, SPEC §13).
    pub paper: crate::config::Paper,
}

/// What an insights run reports back.
#[derive(Debug)]
pub struct Summary {
    pub workbook: PathBuf,
    /// (sheet title, rows) in sheet order.
    pub rows: Vec<(&'static str, usize)>,
    pub from: String,
    pub to: String,
    /// Run folders written before absence.csv existed: left out of the
    /// absence sheets only (SPEC §10.5).
    pub without_absence: Vec<String>,
    /// What the Reviews sheet left out, or that it was not written (no
    /// `--state`), one line each for stderr.
    pub review_notes: Vec<String>,
}

/// Reads the runs, builds the sheets (six, four of absence, and Reviews
/// with `--state`) and writes the workbook and the CSV
/// twins into `out_dir`, each renamed into place only when all are written.
pub fn run(opts: &Options) -> Result<Summary> {
    if opts.runs.is_empty() {
        return Err(Error::Usage("payrun insights needs at least one run folder".into()));
    }
    if opts.min_months == 0 {
        return Err(Error::Usage("--min-months must be at least 1".into()));
    }
    let folders = load::folders(&opts.runs)?;
    let aggregates = folders.iter().map(scan::run).collect::<Result<Vec<_>>>()?;
    let mut built = sheets::build(&folders, &aggregates, opts.min_months);
    // SPEC §10.5: sheets 7–10 from the runs that wrote absence files.
    let (absence_runs, without_absence) = absence::read(&folders)?;
    built.tables.extend([
        absence::trend(&absence_runs),
        absence::by_cost_centre(&absence_runs),
        absence::reasons(&absence_runs),
        absence::returns(&absence_runs),
    ]);
    // SPEC §11.5: sheet 11 from the ledgers, only when they are named.
    let review_notes = if opts.states.is_empty() {
        vec!["no --state given: the Reviews sheet (auditors' reviews, kept in the ledger) is not written"
            .into()]
    } else {
        let (table, notes) = reviews::read(&opts.states, &folders)?;
        built.tables.push(table);
        notes
    };

    let from = folders.iter().map(|f| f.period.as_str()).min().unwrap_or_default().to_string();
    let to = folders.iter().map(|f| f.period.as_str()).max().unwrap_or_default().to_string();
    let name = format!("insights-{from}-{to}.xlsx");
    let created = crate::model::period::Period::parse_month(&to)
        .ok_or_else(|| Error::Internal(format!("period {to} is not YYYY-MM")))?;

    let mut staging = Staging::new(&opts.out_dir)?;
    for table in &built.tables {
        staging.write(&format!("{}.csv", table.file), |w| tables::write_csv(w, table))?;
    }
    let path = staging.path_for(&name);
    let final_path = opts.out_dir.join(&name);
    writing::contained(&final_path.display().to_string(), || {
        workbook::write_insights(
            &path,
            &format!("Insights {from} to {to}"),
            created,
            &built.tables,
            &built.chart,
            opts.paper,
        )
    })?;
    staging.commit()?;
    Ok(Summary {
        workbook: final_path,
        rows: built.tables.iter().map(|t: &Table| (t.title, t.rows.len())).collect(),
        without_absence,
        review_notes,
        from,
        to,
    })
}
