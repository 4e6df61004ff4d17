//! The workbooks people read (SPEC §4.2, issue 7):
//! `payroll-adjustments-YYYY-MM.xlsx` for payroll officers and
//! `exceptions-YYYY-MM.xlsx` for finance auditors and managers.
//!
//! The CSVs of §4.1 are the machine record; these workbooks present the same
//! figures for people: money as £-formatted numbers, dates as date cells,
//! frozen headers, autofilters, fitted widths and colour-coded severities.
//! Every piece of text taken from an input is written with `write_string`,
//! so nothing from a claim can become a formula (see [`sheet::Cell`]).

mod absence;
mod adjustments;
mod batch;
mod exceptions;
mod insights;
mod labels;
mod page;
mod payroll_batch;
mod sheet;
mod style;
#[cfg(test)]
mod tests;

use super::interface::Interface;
use super::manifest::Manifest;
use super::Report;
use crate::error::{Error, Result};
use crate::model::adjustment::AdjustmentRow;
use crate::model::decision::Subject;
use crate::writing::contained;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::Path;

pub use insights::{write_insights, TrendChart};
pub use labels::label;
pub use sheet::MAX_DATA_ROWS;

/// Knobs the tests turn; the pipeline always uses [`Options::default`].
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// Data rows per sheet before a "<name> (2)" continuation sheet.
    pub row_limit: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options { row_limit: MAX_DATA_ROWS }
    }
}

/// Writes the two workbooks side by side (they share nothing but what they
/// read). A failed write in either — rust_xlsxwriter panics on a full disk —
/// is contained where it runs and becomes a write error (exit 8,
/// [`crate::writing`]); the caller's staging folder, partial files
/// and all, is then removed.
pub fn write_both(
    paths: (&Path, &Path),
    report: &Report,
    adjustments: &[AdjustmentRow],
    manifest: &Manifest,
    interface: &Interface,
) -> Result<()> {
    let what = format!("the workbooks in {}", paths.0.parent().unwrap_or(Path::new(".")).display());
    // Each side contained on the thread that runs it (rayon may run the
    // second elsewhere).
    // The exceptions workbook is the larger: it starts at once on this
    // thread, and the payroll one waits for whichever thread frees first.
    let (exceptions, adjustments) = rayon::join(
        || contained(&what, || write_exceptions(paths.1, report)),
        || contained(&what, || write_adjustments(paths.0, report, adjustments, manifest, interface)),
    );
    adjustments.and(exceptions)
}

/// Writes `payroll-adjustments-YYYY-MM.xlsx` to `path` (a staging path).
pub fn write_adjustments(
    path: &Path,
    report: &Report,
    adjustments: &[AdjustmentRow],
    manifest: &Manifest,
    interface: &Interface,
) -> Result<()> {
    write_adjustments_with(path, report, adjustments, manifest, interface, &Options::default())
}

pub(crate) fn write_adjustments_with(
    path: &Path,
    report: &Report,
    adjustments: &[AdjustmentRow],
    manifest: &Manifest,
    interface: &Interface,
    opts: &Options,
) -> Result<()> {
    let mut wb = new_workbook(path, report, "Payroll adjustments")?;
    adjustments::write(&mut wb, report, adjustments, manifest, interface, opts).map_err(xl(path))?;
    print_footers(&mut wb, report);
    save(wb, path)
}

/// Writes `batch-YYYY-MM.xlsx` (the Control sheet, SPEC §8.2) to `path`.
pub fn write_batch(
    path: &Path,
    summary: &super::batch::BatchSummary,
    paper: crate::config::Paper,
) -> Result<()> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Batch — pay period {}", summary.period))
            .set_author("payrun"),
    );
    batch::write(&mut wb, summary).map_err(xl(path))?;
    page::finish(&mut wb, paper, "payrun batch", &format!("Pay period {}", summary.period));
    save(wb, path)
}

/// Writes `exceptions-YYYY-MM.xlsx` to `path` (a staging path).
pub fn write_exceptions(path: &Path, report: &Report) -> Result<()> {
    write_exceptions_with(path, report, &Options::default())
}

pub(crate) fn write_exceptions_with(path: &Path, report: &Report, opts: &Options) -> Result<()> {
    let mut wb = new_workbook(path, report, "Exceptions")?;
    exceptions::write(&mut wb, report, opts).map_err(xl(path))?;
    print_footers(&mut wb, report);
    save(wb, path)
}

/// A workbook with fixed document properties: the creation date is the pay
/// period's first day, not the clock, so the same inputs give the same bytes.
fn new_workbook(path: &Path, report: &Report, title: &str) -> Result<Workbook> {
    let mut wb = Workbook::new();
    let start = report.period.pay_start;
    let created = ExcelDateTime::from_ymd(start.year() as u16, start.month() as u8, start.day() as u8)
        .map_err(xl(path))?;
    let props = DocProperties::new()
        .set_title(report.title(title))
        .set_author("payrun")
        .set_comment(format!("payrun {}, config {}", env!("CARGO_PKG_VERSION"), report.config.hash))
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    // Zip level 2: compressing the sheet XML is the largest single cost of
    // the workbooks in the profile (issues 17, 29). On the national month
    // level 2 saves 0.7 s of the run against level 3 for an exceptions
    // workbook 9 % larger (51 → 56 MB); level 1 saved 0.9 s but made it
    // 41 % larger (decisions.md 512).
    wb.set_zip_compression_level(2);
    // Constant-memory sheets spill rows to temporary files. Keep them beside
    // the output (same disk, same permissions) rather than in a shared /tmp
    // that may be RAM-backed: the rows are personal data.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        wb.set_tempdir(dir).map_err(xl(path))?;
    }
    Ok(wb)
}

/// Every sheet's paper and footer: the organisation, the pay period and
/// the page (SPEC §13).
fn print_footers(wb: &mut Workbook, report: &Report) {
    let paper = report.config.policy.workbooks.paper;
    let period = format!("Pay period {}", report.period.label());
    page::finish(wb, paper, report.organisation.unwrap_or("PAYRUN"), &period);
}

/// Saves into a file created 0640 (payroll data is personal data).
fn save(mut wb: Workbook, path: &Path) -> Result<()> {
    let file = crate::files::atomic::create_private(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    wb.save_to_writer(&mut w).map_err(xl(path))?;
    let file = w.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

fn xl(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| match e {
        XlsxError::IoError(_) | XlsxError::ZipError(_) => {
            Error::Write(format!("cannot write {}: {e}", path.display()))
        }
        _ => Error::Internal(format!("{}: {e}", path.display())),
    }
}

/// The UK tax year (6 April – 5 April) of a date, as `2025-26`.
pub fn tax_year(date: NaiveDate) -> String {
    crate::model::period::year_label(crate::model::time::tax_year(date))
}

/// The claim line a finding is about, if any.
fn line_of(subject: &Subject) -> Option<usize> {
    match subject {
        Subject::Line(i) => Some(*i),
        Subject::Employee { .. } => None,
    }
}
