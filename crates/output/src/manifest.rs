//! manifest.json (SPEC §4.1): what was run on what, and what came out.

use super::reconcile::Reconciliation;
use crate::config::InputSource;
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
    /// First 12 hex digits of SHA-256 over the tool version, organisation,
    /// period, config hash, inputs' SHA-256 in order and the ledger history
    /// read (SPEC §7.1): the batch reference.
    pub run_id: String,
    pub activity_month: String,
    pub cutoff: String,
    pub config_dir: String,
    pub config_hash: String,
    pub inputs: Vec<InputReport>,
    pub lines_by_status: BTreeMap<&'static str, usize>,
    pub findings_by_severity: BTreeMap<&'static str, usize>,
    pub findings_by_rule: BTreeMap<&'static str, usize>,
    /// Input lines not decided because a later period already decided them
    /// (CUT003, SPEC §12.1); each is listed by a CUT003 finding.
    pub settled_before: usize,
    /// Totals claimed / allowed / withheld / deferred and the §4.3 checks.
    pub reconciliation: Reconciliation,
    /// Wall-clock milliseconds per stage, in run order.
    pub timings_ms: Vec<(String, u128)>,
    pub outputs: Vec<String>,
    /// The `[payroll_interface]` settings in force (defaults when absent).
    pub payroll_interface: InterfaceSettings,
    /// A re-run of a period already placed: what it corrects (SPEC §7.2).
    pub corrects: Option<Corrects>,
    /// The auditors' reviews this run actioned (SPEC §11.4).
    pub reviews: Reviews,
}

/// The manifest's `reviews` object: counts and sums (pounds) actioned.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Reviews {
    /// PAY reviews paid by this run, and their total.
    pub payments: usize,
    pub paid: String,
    /// Recovery instalments taken by this run, and their total.
    pub recoveries: usize,
    pub recovered: String,
    /// Leavers' recovery balances listed for an invoice, and their total.
    pub outstanding: usize,
    pub outstanding_total: String,
    /// Entries of the Open reviews sheet.
    pub open: usize,
}

impl Reviews {
    pub fn of(run: &crate::model::review::ReviewRun) -> Reviews {
        use crate::model::review::Disposition;
        let count = |d: Disposition| run.actions.iter().filter(|a| a.review == d).count();
        let (paid, recovered) = run.totals();
        let outstanding: crate::model::Pence = run.outstanding.iter().map(|o| o.balance).sum();
        Reviews {
            payments: count(Disposition::Pay),
            paid: paid.to_string(),
            recoveries: count(Disposition::Recover),
            recovered: recovered.to_string(),
            outstanding: run.outstanding.len(),
            outstanding_total: outstanding.to_string(),
            open: run.open.len(),
        }
    }
}

/// The batch settings a run used.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InterfaceSettings {
    pub batch_name: String,
    pub batch_source: String,
    pub action_if_exists: &'static str,
    pub effective_date: String,
    /// Element code → [input value name, source] in order.
    pub inputs: BTreeMap<String, Vec<(String, InputSource)>>,
    pub correction_elements: BTreeMap<String, String>,
}

/// The manifest's `corrects` object.
#[derive(Clone, Debug, Serialize)]
pub struct Corrects {
    pub period: String,
    pub previous_run_id: String,
    pub previous_config_hash: String,
    pub previous_batch_name: String,
    pub batch_name: String,
    /// The pay period the correction batch is dated into.
    pub into: String,
    /// Rows of corrections.csv, and of those: new, removed, amount changed.
    pub rows: usize,
    pub new_rows: usize,
    pub removed_rows: usize,
    pub changed_rows: usize,
    pub committed_total: String,
    pub now_total: String,
    pub delta: String,
    /// The file payroll loads (none when nothing changed).
    pub load: Option<String>,
    /// Later committed periods to re-run, in order, before loading.
    pub later: Vec<String>,
}
