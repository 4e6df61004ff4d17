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
