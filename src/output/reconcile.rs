//! The reconciliation of SPEC §4.3. It must hold on every run; if it does
//! not, nothing is put in place and the run exits 5.

use super::payroll::AdjustmentRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Status};
use crate::model::Pence;
use serde::Serialize;
use std::collections::HashSet;

/// The reconciliation figures, as the manifest and the Summary sheet show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub lines_read: usize,
    pub decisions_written: usize,
    pub claimed: String,
    pub allowed: String,
    pub withheld: String,
    pub deferred: String,
    pub adjustments_expense_total: String,
    pub passed: bool,
    pub failures: Vec<String>,
}

/// Checks the three statements of SPEC §4.3 on what is about to be written.
pub fn check(
    lines: &[ClaimLine],
    decisions: &[Decision],
    adjustments: &[AdjustmentRow],
) -> Reconciliation {
    let mut failures = Vec::new();
    if decisions.len() != lines.len() {
        failures.push(format!(
            "{} claim lines read but {} decisions",
            lines.len(),
            decisions.len()
        ));
    }
    let mut seen = HashSet::new();
    for line in lines {
        if let Some(src) = &line.source {
            if !seen.insert(src) {
                failures.push(format!("input row {src} appears twice in decisions"));
            }
        }
    }
    let (mut claimed, mut allowed, mut withheld, mut deferred) =
        (Pence::ZERO, Pence::ZERO, Pence::ZERO, Pence::ZERO);
    for (line, d) in lines.iter().zip(decisions) {
        claimed += line.amount;
        if d.status == Status::Deferred {
            deferred += line.amount;
            if !d.allowed.is_zero() {
                failures.push(format!(
                    "deferred line {}/{} has allowed {}",
                    line.claim_id, line.line_no, d.allowed
                ));
            }
        } else {
            allowed += d.allowed;
            withheld += line.amount - d.allowed;
        }
        if d.status == Status::Rejected && !d.allowed.is_zero() {
            failures.push(format!(
                "rejected line {}/{} has allowed {}",
                line.claim_id, line.line_no, d.allowed
            ));
        }
    }
    if claimed != allowed + withheld + deferred {
        failures.push(format!(
            "claimed {claimed} ≠ allowed {allowed} + withheld {withheld} + deferred {deferred}"
        ));
    }
    let paid: Pence = lines
        .iter()
        .zip(decisions)
        .filter(|(_, d)| d.status.is_paid())
        .map(|(_, d)| d.allowed)
        .sum();
    let expense_total: Pence = adjustments
        .iter()
        .filter(|r| r.is_expense())
        .map(|r| r.amount)
        .sum();
    if paid != expense_total {
        failures.push(format!(
            "allowed on paid lines {paid} ≠ expense lines of adjustments.csv {expense_total}"
        ));
    }
    Reconciliation {
        lines_read: lines.len(),
        decisions_written: decisions.len(),
        claimed: claimed.to_string(),
        allowed: allowed.to_string(),
        withheld: withheld.to_string(),
        deferred: deferred.to_string(),
        adjustments_expense_total: expense_total.to_string(),
        passed: failures.is_empty(),
        failures,
    }
}
