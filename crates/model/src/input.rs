//! What was read from each input file, for the manifest and `payrun check`.

use serde::Serialize;
use std::path::PathBuf;

/// What was read from one input, for the manifest and `payrun check`.
#[derive(Clone, Debug, Serialize)]
pub struct InputReport {
    pub path: PathBuf,
    pub sha256: String,
    /// (sheet, data rows read).
    pub sheets: Vec<(String, usize)>,
}

/// One cell of an input a data check found fault with, as `payrun check`
/// lists it (SPEC §13): where, which column, the raw value, the rule, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCell {
    /// `file!sheet:row`.
    pub source: String,
    /// The canonical column (blank when the finding is about the row).
    pub column: String,
    pub raw: String,
    pub code: &'static str,
    pub message: String,
}
