//! Ingest: workbooks and CSV files into the typed model (SPEC §2).
//!
//! `source` opens files and reads their sheets in blocks of cells, `table`
//! finds header rows and reads cells by canonical column name (streaming a
//! sheet block by block), `cell` is the one set of value
//! parsers, and `claims` / `roster` build the model rows.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_config as config;
use payrun_model as model;
use payrun_model::error;
use payrun_rules as rules;

pub mod carry;
pub mod cell;
pub mod claims;
pub mod review;
pub mod roster;
pub mod source;
pub mod split;
pub mod table;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::claim::ClaimLine;
use crate::model::decision::Finding;
use crate::model::input::{DataCell, InputReport};
use crate::model::progress::Progress;
use crate::model::roster::Roster;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything a run reads.
pub struct Inputs {
    pub claims: Vec<ClaimLine>,
    pub roster: Roster,
    /// DAT findings on skipped roster rows.
    pub roster_findings: Vec<Finding>,
    /// The cell of each roster finding, in the same order (`payrun check`).
    pub roster_cells: Vec<DataCell>,
    pub reports: Vec<InputReport>,
}

/// Reads the roster and every expenses input (claims concatenated in the
/// order given, e.g. this month's export then last month's deferred lines).
/// Each input's bytes are dropped as soon as it has been read.
///
/// The roster and the expenses are read at the same time, on two threads
/// (issue 17): each is mostly single-threaded XML reading, so on two cores
/// the roster costs almost nothing on top of the claims. A roster error is
/// reported before an expenses error, as when they were read in turn.
/// `after_roster` runs once the roster is read (the expenses may still be
/// being read): the pipeline's `read` pause for the kill tests (ingest knows
/// nothing of it). Rows read are reported to `progress` as each block of a
/// sheet is read.
pub fn load(
    roster: &Path,
    expenses: &[PathBuf],
    config: &Config,
    after_roster: impl FnOnce(),
    progress: Arc<dyn Progress>,
) -> Result<Inputs> {
    let (roster_read, expenses_read) = std::thread::scope(|scope| {
        let claims_progress = progress.clone();
        let claims = scope.spawn(move || read_expenses(expenses, config, claims_progress));
        let roster = read_roster(roster, config, progress);
        if roster.is_ok() {
            after_roster();
        }
        (roster, claims.join())
    });
    let (roster, roster_findings, roster_cells, roster_report) = roster_read?;
    let (claims, expense_reports) =
        expenses_read.map_err(|_| Error::Internal("the expenses reader panicked".to_string()))??;
    let mut reports = vec![roster_report];
    reports.extend(expense_reports);
    Ok(Inputs { claims, roster, roster_findings, roster_cells, reports })
}

/// The roster workbook into the model.
fn read_roster(
    path: &Path,
    config: &Config,
    progress: Arc<dyn Progress>,
) -> Result<(Roster, Vec<Finding>, Vec<DataCell>, InputReport)> {
    let mut input = source::Input::open(path, "Staff", &config.policy.limits)?;
    input.report_to(progress);
    let (roster, findings, cells, counts) = roster::read(&mut input, &config.columns)?;
    let report = InputReport { path: input.path.clone(), sha256: input.sha256.clone(), sheets: counts };
    drop(input);
    Ok((roster, findings, cells, report))
}

/// Every expenses input in the order given, claims concatenated.
fn read_expenses(
    expenses: &[PathBuf],
    config: &Config,
    progress: Arc<dyn Progress>,
) -> Result<(Vec<ClaimLine>, Vec<InputReport>)> {
    let mut claims = Vec::new();
    let mut reports = Vec::new();
    for path in expenses {
        let mut input = source::Input::open(path, "Claims", &config.policy.limits)?;
        input.report_to(progress.clone());
        let lines = claims::read(&mut input, &config.columns)?;
        reports.push(InputReport {
            path: input.path.clone(),
            sha256: input.sha256.clone(),
            sheets: vec![("Claims".to_string(), lines.len())],
        });
        drop(input);
        if claims.is_empty() {
            claims = lines;
        } else {
            claims.extend(lines);
        }
    }
    Ok((claims, reports))
}

/// The workbook-reader fuzz target's body (`fuzz/fuzz_targets/workbook.rs`),
/// also run over `fuzz/regressions/` by `tests/fuzz_regressions.rs`. The
/// first byte picks the format (by file extension), the rest is the file; the
/// input is read within small limits and every sheet reader is run over it.
/// Errors are fine; a panic, abort or runaway allocation is a bug.
#[doc(hidden)]
pub fn fuzz_read_input(data: &[u8]) {
    use std::sync::OnceLock;
    static COLUMNS: OnceLock<Option<crate::config::Columns>> = OnceLock::new();
    let columns = COLUMNS.get_or_init(|| crate::config::Columns::parse(crate::config::BUILT_IN_COLUMNS).ok());
    let (Some(columns), Some((&kind, bytes))) = (columns, data.split_first()) else {
        return;
    };
    const EXTENSIONS: [&str; 6] = ["xlsx", "xls", "xlsb", "ods", "csv", "bin"];
    let ext = EXTENSIONS[usize::from(kind) % EXTENSIONS.len()];
    let limits = crate::config::Limits {
        max_file_bytes: 1 << 24,
        max_rows: 100_000,
        max_cell_chars: 1_000,
        max_cells: 2_000_000,
        max_unzipped_bytes: 64 << 20,
    };
    let path = PathBuf::from(format!("fuzz.{ext}"));
    let Ok(mut input) = source::Input::from_bytes(bytes.to_vec(), &path, "Claims", &limits) else {
        return;
    };
    // Each sheet whole, then every xlsx worksheet cut in two (source::Input::read_sheet_in_parts).
    for cut_over in [u64::MAX, 0] {
        input.cut_sheets_over(cut_over);
        let _ = roster::read(&mut input, columns);
        for sheet in input.sheet_names() {
            let _ = table::read_table(&mut input, &sheet, crate::model::schema::CLAIMS, columns, |r| {
                let _ = r.source();
            });
        }
    }
}
