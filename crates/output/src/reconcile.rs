//! The reconciliation of SPEC §4.3. It must hold on every run; if it does
//! not, nothing is put in place and the run exits 5.

use crate::model::adjustment::AdjustmentRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Status};
use crate::model::review::ReviewRun;
use crate::model::Pence;
use foldhash::{HashSet, HashSetExt};
use serde::Serialize;

/// The reconciliation figures, as the manifest and the Summary sheet show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Claim lines read: this run's input rows and the ledger's deferred
    /// lines joined to them (SPEC §12.1) = decisions + settled before.
    pub lines_read: usize,
    pub decisions_written: usize,
    /// Deferred lines of an earlier period the ledger carried in (not also
    /// in this run's inputs).
    pub carried_from_ledger: usize,
    /// Input lines already decided by a later period than the one that
    /// deferred them (CUT003): read, not decided again.
    pub settled_before: usize,
    pub claimed: Pence,
    pub allowed: Pence,
    pub withheld: Pence,
    pub deferred: Pence,
    pub adjustments_expense_total: Pence,
    /// Σ REVIEW_PAYMENT rows = Σ PAY amounts actioned (SPEC §11.4).
    pub review_payments: Pence,
    /// Σ REVIEW_RECOVERY rows (negative) = −Σ recovery instalments actioned.
    pub review_recoveries: Pence,
    pub passed: bool,
    pub failures: Vec<String>,
}

impl Reconciliation {
    /// Counts the ledger's part (SPEC §12.1): lines read = decision lines +
    /// lines settled before.
    /// SPEC §11.4's statement: the review rows of adjustments.csv equal the
    /// PAY amounts and recovery instalments the run actions.
    pub fn with_reviews(mut self, adjustments: &[AdjustmentRow], run: &ReviewRun) -> Reconciliation {
        let sum = |element: &str| -> Pence {
            adjustments.iter().filter(|r| r.element == element).map(|r| r.amount).sum()
        };
        let (payments, recoveries) = (sum("REVIEW_PAYMENT"), sum("REVIEW_RECOVERY"));
        let (paid, recovered) = run.totals();
        if payments != paid {
            self.failures.push(format!("review payments {payments} ≠ PAY amounts actioned {paid}"));
        }
        if recoveries != Pence(-recovered.0) {
            self.failures.push(format!(
                "review recoveries {recoveries} ≠ −(recovery instalments actioned {recovered})"
            ));
        }
        self.review_payments = payments;
        self.review_recoveries = recoveries;
        self
    }

    pub fn with_carried(mut self, carried: usize, settled_before: usize) -> Reconciliation {
        self.carried_from_ledger = carried;
        self.settled_before = settled_before;
        self.lines_read = self.decisions_written + settled_before;
        self
    }
}

/// Checks the three statements of SPEC §4.3 on what is about to be written.
pub fn check(lines: &[ClaimLine], decisions: &[Decision], adjustments: &[AdjustmentRow]) -> Reconciliation {
    let mut failures = Vec::new();
    if decisions.len() != lines.len() {
        failures.push(format!("{} claim lines read but {} decisions", lines.len(), decisions.len()));
    }
    if has_repeated_row(lines) {
        let mut seen = HashSet::new();
        for line in lines {
            if let Some(src) = &line.source {
                if !seen.insert(src) {
                    failures.push(format!("input row {src} appears twice in decisions"));
                }
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
        carried_from_ledger: 0,
        settled_before: 0,
        claimed,
        allowed,
        withheld,
        deferred,
        adjustments_expense_total: expense_total,
        review_payments: Pence::ZERO,
        review_recoveries: Pence::ZERO,
        passed: failures.is_empty(),
        failures,
    }
}

/// Whether two lines name the same input row. Lines come from a few
/// (file, sheet) pairs in reading order, so each row is packed into one
/// integer (pair index, row) and the keys are checked to be increasing, or
/// sorted when not. This replaced a hash set of the locators (issue 17),
/// whose cost per line grew with the run (1M strings hashed and compared out
/// of cache: 0.05 → 0.25 → 1.06 s for 100k → 300k → 1M lines); the hash set
/// is now used only to name the repeats when there are some.
fn has_repeated_row(lines: &[ClaimLine]) -> bool {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut keys = Vec::with_capacity(lines.len());
    for src in lines.iter().filter_map(|l| l.source.as_ref()) {
        let pair = (&*src.file, &*src.sheet);
        // Few pairs (one per input sheet), and the last one is nearly always it.
        let index = match pairs.iter().rposition(|p| *p == pair) {
            Some(i) => i,
            None => {
                pairs.push(pair);
                pairs.len() - 1
            }
        };
        keys.push(((index as u64) << 32) | u64::from(src.row));
    }
    if keys.windows(2).all(|w| w[0] < w[1]) {
        return false;
    }
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::Decision;

    fn line(claim: &str, amount: i64, row: u32) -> ClaimLine {
        ClaimLine {
            claim_id: claim.into(),
            amount: Pence(amount),
            source: Some(crate::model::claim::RowRef::new("x.csv", "Claims", row)),
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
            ni_able: false,
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
        assert_eq!(crate::error::Error::Reconciliation(r.failures.join("; ")).exit_code(), 5);
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

    fn at(file: &str, sheet: &str, row: u32) -> ClaimLine {
        ClaimLine { source: Some(crate::model::claim::RowRef::new(file, sheet, row)), ..Default::default() }
    }

    #[test]
    fn a_row_is_repeated_only_within_the_same_file_and_sheet() {
        // Reading order, two inputs, the same row numbers in each: no repeat.
        let two_inputs = [at("a.xlsx", "Claims", 2), at("a.xlsx", "Claims", 3), at("b.xlsx", "Claims", 2)];
        assert!(!has_repeated_row(&two_inputs));
        // Same file, another sheet: no repeat.
        assert!(!has_repeated_row(&[at("a.xlsx", "Claims", 2), at("a.xlsx", "Other", 2)]));
        // Out of order but distinct (the sorted path), and lines without a source.
        let shuffled = [at("a.xlsx", "Claims", 9), ClaimLine::default(), at("a.xlsx", "Claims", 2)];
        assert!(!has_repeated_row(&shuffled));
        assert!(!has_repeated_row(&[]));
        // Adjacent and far-apart repeats, and a repeat after another input.
        assert!(has_repeated_row(&[at("a.xlsx", "Claims", 2), at("a.xlsx", "Claims", 2)]));
        let far = [at("a.xlsx", "Claims", 5), at("a.xlsx", "Claims", 6), at("a.xlsx", "Claims", 5)];
        assert!(has_repeated_row(&far));
        let after_other = [at("a.xlsx", "Claims", 7), at("b.xlsx", "Claims", 7), at("a.xlsx", "Claims", 7)];
        assert!(has_repeated_row(&after_other));
    }

    #[test]
    fn every_repeat_is_named_once_per_extra_occurrence() {
        let lines = [at("a.xlsx", "Claims", 4), at("a.xlsx", "Claims", 3), at("a.xlsx", "Claims", 4)];
        let decisions =
            [decision(Status::Rejected, 0), decision(Status::Rejected, 0), decision(Status::Rejected, 0)];
        let r = check(&lines, &decisions, &[]);
        assert_eq!(r.failures, vec!["input row a.xlsx!Claims:4 appears twice in decisions".to_string()]);
    }
}
