//! The reconciliation of SPEC §4.3. It must hold on every run; if it does
//! not, nothing is put in place and the run exits 5.

use crate::model::adjustment::AdjustmentRow;
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
    pub claimed: Pence,
    pub allowed: Pence,
    pub withheld: Pence,
    pub deferred: Pence,
    pub adjustments_expense_total: Pence,
    pub passed: bool,
    pub failures: Vec<String>,
}

/// Checks the three statements of SPEC §4.3 on what is about to be written.
pub fn check(lines: &[ClaimLine], decisions: &[Decision], adjustments: &[AdjustmentRow]) -> Reconciliation {
    let mut failures = Vec::new();
    if decisions.len() != lines.len() {
        failures.push(format!("{} claim lines read but {} decisions", lines.len(), decisions.len()));
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
            failures
                .push(format!("rejected line {}/{} has allowed {}", line.claim_id, line.line_no, d.allowed));
        }
    }
    if claimed != allowed + withheld + deferred {
        failures.push(format!(
            "claimed {claimed} ≠ allowed {allowed} + withheld {withheld} + deferred {deferred}"
        ));
    }
    let paid: Pence =
        lines.iter().zip(decisions).filter(|(_, d)| d.status.is_paid()).map(|(_, d)| d.allowed).sum();
    let expense_total: Pence = adjustments.iter().filter(|r| r.is_expense()).map(|r| r.amount).sum();
    if paid != expense_total {
        failures
            .push(format!("allowed on paid lines {paid} ≠ expense lines of adjustments.csv {expense_total}"));
    }
    Reconciliation {
        lines_read: lines.len(),
        decisions_written: decisions.len(),
        claimed,
        allowed,
        withheld,
        deferred,
        adjustments_expense_total: expense_total,
        passed: failures.is_empty(),
        failures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::Decision;

    fn line(claim: &str, amount: i64, row: u32) -> ClaimLine {
        ClaimLine {
            claim_id: claim.into(),
            amount: Pence(amount),
            source: Some(crate::model::claim::RowRef { file: "x.csv".into(), sheet: "Claims".into(), row }),
            ..Default::default()
        }
    }

    fn decision(status: Status, allowed: i64) -> Decision {
        Decision {
            allowed: Pence(allowed),
            status,
            taxable_payroll: Pence::ZERO,
            p11d_amount: Pence::ZERO,
            p11d_section: None,
            rules: vec![],
        }
    }

    fn adjustment(amount: i64) -> AdjustmentRow {
        AdjustmentRow {
            assignment: "A".into(),
            name: String::new(),
            cost_centre: String::new(),
            element: "TRAVEL",
            units: "1".into(),
            rate: String::new(),
            amount: Pence(amount),
            taxable: false,
            protected: String::new(),
            protection_end: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn holds_when_every_pound_is_accounted_for() {
        let lines = [line("A", 1000, 2), line("B", 500, 3), line("C", 300, 4)];
        let decisions =
            [decision(Status::Adjusted, 800), decision(Status::Rejected, 0), decision(Status::Deferred, 0)];
        let r = check(&lines, &decisions, &[adjustment(800)]);
        assert!(r.passed, "{:?}", r.failures);
        assert_eq!(
            (r.claimed, r.allowed, r.withheld, r.deferred),
            (Pence(1800), Pence(800), Pence(700), Pence(300))
        );
        // The manifest shows money as the CSVs do: pounds text.
        let json = serde_json::to_value(&r).expect("serialises");
        assert_eq!(
            (&json["claimed"], &json["withheld"]),
            (&serde_json::json!("18.00"), &serde_json::json!("7.00"))
        );
    }

    #[test]
    fn fails_when_adjustments_do_not_match_paid_lines() {
        let lines = [line("A", 1000, 2)];
        let r = check(&lines, &[decision(Status::Paid, 1000)], &[adjustment(999)]);
        assert!(!r.passed);
        assert!(r.failures[0].contains("adjustments.csv"));
        // The run maps this failure to exit 5.
        assert_eq!(crate::Error::Reconciliation(r.failures.join("; ")).exit_code(), 5);
    }

    #[test]
    fn fails_when_a_line_is_missing_or_read_twice() {
        let lines = [line("A", 1000, 2), line("A", 1000, 2)];
        let r = check(&lines, &[decision(Status::Paid, 1000)], &[adjustment(1000)]);
        assert!(!r.passed);
        assert!(r.failures.iter().any(|f| f.contains("2 claim lines read but 1 decisions")));
        assert!(r.failures.iter().any(|f| f.contains("appears twice")));
    }

    #[test]
    fn fails_when_a_rejected_line_keeps_money() {
        let r = check(&[line("A", 1000, 2)], &[decision(Status::Rejected, 10)], &[]);
        assert!(!r.passed);
    }
}
