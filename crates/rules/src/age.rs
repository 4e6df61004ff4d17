//! CUT, AGE — cut-off and claim age (SPEC §3.2, §6.3; CORP/EMP 33 §4.1).

use super::{Family, Rule};
use crate::model::claim::ClaimLine;
use crate::model::period::{year_label, Period};
use crate::model::rule::Severity;
use crate::model::time::{add_months, financial_year};
use crate::state::{Ctx, LineState};

/// CUT001 — approved (or submitted) after the cut-off, or incurred after the activity month.
pub const CUT001: Rule = Rule {
    code: "CUT001",
    family: Family::Age,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Approved after the cut-off ({claims.cutoff_working_days} working days into the pay period) or incurred after the activity month: DEFERRED.",
    what: "Lines approved (or, if unapproved, submitted) after the end of the 3rd working day of the pay period, or with an expense date after the activity month, are not paid this month; they are reported and taken by a later run.",
    policy: "claims must be submitted and approved by close of play on the third working day of the month to be paid that month.",
    effect: "DEFERRED (INFO); no other rule is evaluated; the ledger keeps the line and the next run decides it again without being given a file (decisions.csv `carried_from`); it is also written to deferred-claims.csv, the record.",
    example: "period 2025-06 (cut-off Wed 4 June), approved 5 June → deferred.",
    config: "`claims.cutoff_working_days`, `bank_holidays`.",
    control: None,
    rejects: false,
};

/// CUT002 — an input line has the key of a line the ledger holds as
/// deferred, but other content (SPEC §12.1).
pub const CUT002: Rule = Rule {
    code: "CUT002",
    family: Family::Age,
    severity: Severity::Info,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "An input line replaces a line deferred in an earlier period (same claim and line number, other content): the input's copy is decided.",
    what: "The ledger carries every DEFERRED line into the next run. When this run's inputs hold a line with the same (claim_id, line_no) but different content (a corrected resubmission), the input's copy is decided and the deferred copy dropped, so the line is paid once.",
    policy: "",
    effect: "INFO; the input's copy is decided by the rules as usual; the deferred copy is not decided.",
    example: "C100/1 deferred in 2025-06 at £12.00, resubmitted in July's export at £10.00 → CUT002 \"replaces the line deferred in 2025-06\", the £10.00 line decided.",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims are paid once, in the month after they are approved) — a corrected line must not be paid beside the deferred one"),
    rejects: false,
};

/// CUT003 — a line already decided in a later committed period arrives
/// again (SPEC §12.1).
pub const CUT003: Rule = Rule {
    code: "CUT003",
    family: Family::Age,
    severity: Severity::Info,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "A deferred line already settled arrives again (an old deferred-claims.csv, or a second copy in this run's inputs): not decided again.",
    what: "A line the ledger shows was deferred in one period and decided in a later one (carried or fed back) is not decided a second time when an old deferred file is given again. Likewise a second copy, in this run's inputs, of a deferred line the ledger holds (the export re-sends it and the deferred file is fed back too, or a corrected copy already replaced it, CUT002): the copy that came first is decided. Either way the line is left out of the decisions and counted as settled before.",
    policy: "",
    effect: "INFO; the line is not in decisions.csv; the reconciliation reads lines read = decision lines + lines settled before (manifest `settled_before`).",
    example: "C100/1 deferred in 2025-06 and paid in 2025-07; June's deferred-claims.csv given to the 2025-08 run → CUT003 \"already settled in 2025-07\".",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims are paid once) — an old deferred file fed in again must not pay or reject a line twice"),
    rejects: false,
};

/// AGE001 — a claim more than 3 months old, without exceptional circumstances.
pub const AGE001: Rule = Rule {
    code: "AGE001",
    family: Family::Age,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Expense more than {claims.max_age_months} months before submission, not exceptional: REJECTED.",
    what: "An expense dated earlier than the submission date minus 3 calendar months (day clamped to month end) is rejected unless exceptional circumstances were authorised.",
    policy: "claims more than three months old are rejected other than in exceptional circumstances.",
    effect: "REJECTED (ERROR). An expense exactly 3 calendar months before submission is in time (day clamped to month end).",
    example: "expense 2025-02-13, submitted 2025-05-14 → rejected.",
    config: "`claims.max_age_months`.",
    control: None,
    rejects: true,
};

/// AGE002 — the same age limit passed, with exceptional circumstances authorised.
pub const AGE002: Rule = Rule {
    code: "AGE002",
    family: Family::Age,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Expense more than {claims.max_age_months} months old, exceptional = Y: paid, WARNING.",
    what: "A late claim authorised as exceptional is paid but flagged so that the exception can be verified.",
    policy:
        "claims over three months old are paid only in exceptional circumstances, which the manager confirms.",
    effect: "paid, WARNING for the monthly check.",
    example: "expense 2025-01-10, submitted 2025-05-20, exceptional = Y → paid, warning.",
    config: "",
    control: None,
    rejects: false,
};

/// AGE003 — expense in an earlier financial year than its submission.
pub const AGE003: Rule = Rule {
    code: "AGE003",
    family: Family::Age,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Expense in an earlier financial year (1 April) than its submission: WARNING.",
    what: "A cost from a previous financial year claimed in a new one is paid if otherwise in time, but flagged for finance.",
    policy: "claims belong to the financial year in which the cost was incurred; a late one is flagged for year-end accruals.",
    effect: "WARNING (year-end accruals and thresholds are affected).",
    example: "expense 2025-03-28, submitted 2025-04-03 → warning.",
    config: "",
    control: None,
    rejects: false,
};

/// The CUT001 test: is the line taken by a later run?
pub fn deferral(line: &ClaimLine, period: &Period) -> Option<String> {
    let approved = line.approved_or_submitted();
    if line.expense_date > period.activity_end {
        Some(format!(
            "expense_date {} is after the activity month (ends {})",
            line.expense_date, period.activity_end
        ))
    } else if approved > period.cutoff {
        Some(format!(
            "approved {approved} after the cut-off {} for pay period {}",
            period.cutoff,
            period.label()
        ))
    } else {
        None
    }
}

/// AGE001–AGE003 on one line.
pub fn check(state: &mut LineState, ctx: &Ctx) {
    let line = state.line;
    let months = ctx.config.policy.claims.max_age_months as i32;
    let limit = add_months(line.submitted_date, -months);
    if line.expense_date < limit {
        let message = format!(
            "expense {} is more than {months} months before submission {} (limit {limit})",
            line.expense_date, line.submitted_date
        );
        if line.exceptional {
            state.fire(&AGE002, Severity::Warning, message + "; exceptional circumstances");
        } else {
            state.reject(&AGE001, message);
        }
    }
    if financial_year(line.expense_date) < financial_year(line.submitted_date) {
        state.fire(
            &AGE003,
            Severity::Warning,
            format!(
                "expense {} is in financial year {}, submitted in {}",
                line.expense_date,
                year_label(financial_year(line.expense_date)),
                year_label(financial_year(line.submitted_date)),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::NaiveDate;

    fn may_2025_period() -> Period {
        let config = Config::built_in().expect("bundled config");
        Period::new(NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(), &config.policy)
    }

    fn line(expense: (i32, u32, u32), approved: (i32, u32, u32)) -> ClaimLine {
        let d = |(y, m, day)| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        ClaimLine {
            expense_date: d(expense),
            submitted_date: d(expense),
            approved_date: Some(d(approved)),
            ..Default::default()
        }
    }

    #[test]
    fn cut001_approved_on_the_third_working_day_after_a_bank_holiday_is_in_time() {
        // Pay period May 2025: Thu 1, Fri 2, (Mon 5 bank holiday), Tue 6 = cut-off.
        let p = may_2025_period();
        assert_eq!(deferral(&line((2025, 4, 10), (2025, 5, 6)), &p), None);
        assert!(deferral(&line((2025, 4, 10), (2025, 5, 7)), &p).is_some());
    }

    #[test]
    fn cut001_expense_after_the_activity_month_is_deferred() {
        let p = may_2025_period();
        assert!(deferral(&line((2025, 5, 1), (2025, 5, 1)), &p).is_some());
        assert_eq!(deferral(&line((2025, 4, 30), (2025, 5, 1)), &p), None);
    }
}
