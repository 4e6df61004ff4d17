//! manifest.json (SPEC §4.1): what was run on what, and what came out.

use super::reconcile::Reconciliation;
use crate::model::input::InputReport;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    /// `--org` (SPEC §8.1); `null` for a run without one.
    pub organisation: Option<String>,
    pub period: String,
    pub activity_month: String,
    pub cutoff: String,
    pub config_dir: String,
    pub config_hash: String,
    pub inputs: Vec<InputReport>,
    pub lines_by_status: BTreeMap<&'static str, usize>,
    pub findings_by_severity: BTreeMap<&'static str, usize>,
    pub findings_by_rule: BTreeMap<&'static str, usize>,
    /// Totals claimed / allowed / withheld / deferred and the §4.3 checks.
    pub reconciliation: Reconciliation,
    /// Wall-clock milliseconds per stage, in run order.
    pub timings_ms: Vec<(String, u128)>,
    pub outputs: Vec<String>,
}
