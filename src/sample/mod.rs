//! TEMPORARY shim until the sample branch lands.
use std::path::PathBuf;
pub struct SampleOptions {
    pub staff: usize,
    pub lines: usize,
    pub seed: u64,
    pub out: PathBuf,
    pub period: chrono::NaiveDate,
}
pub struct SampleSummary {
    pub roster: PathBuf,
    pub expenses: PathBuf,
    pub staff: usize,
    pub claim_lines: usize,
    pub shifts: usize,
    pub absences: usize,
    pub protection_rows: usize,
}
pub fn generate(_o: &SampleOptions) -> crate::Result<SampleSummary> {
    Err(crate::Error::Internal("not yet".into()))
}
