//! What a run does with the auditors' reviews (SPEC §11.4): the PAY and
//! RECOVER instalments it carries as `REVIEW_PAYMENT` / `REVIEW_RECOVERY`
//! rows, and leavers' balances listed instead. Not a rule family: reviews
//! are people's decisions about findings, read from the ledger.

use crate::model::adjustment::AdjustmentRow;
use crate::model::review::{self, Disposition, ReviewBook, ReviewRun};
use crate::model::Pence;
use crate::state::Ctx;
use std::collections::BTreeMap;

/// Plans the run's review actions: an employee whose leave_date is before
/// the pay period, or who is not on this month's roster, has a recovery
/// balance listed on the Outstanding recoveries sheet, not batched
/// (docs/decisions.md 502).
pub fn plan(ctx: &Ctx, book: &ReviewBook) -> ReviewRun {
    let review = &ctx.config.policy.review;
    let start = ctx.period.pay_start;
    review::plan(
        &ctx.period.label(),
        book,
        review.recovery_months,
        review.open_months,
        |assignment| match ctx.staff.get(assignment) {
            None => Some(None),
            Some(s) => match s.leave_date {
                Some(left) if left < start => Some(Some(left)),
                _ => None,
            },
        },
    )
}

/// One row per employee and element, summed; `source` lists each finding id
/// and claim line.
pub fn rows(ctx: &Ctx, run: &ReviewRun) -> Vec<AdjustmentRow> {
    let mut groups: BTreeMap<(&str, Disposition), (Pence, Vec<String>)> = BTreeMap::new();
    for a in &run.actions {
        let entry = groups.entry((a.assignment.as_str(), a.review)).or_default();
        entry.0 += a.amount;
        let part = if a.instalments > 1 {
            format!("{} {} ({} of {})", a.finding_id, a.line, a.instalment, a.instalments)
        } else {
            format!("{} {}", a.finding_id, a.line)
        };
        entry.1.push(part);
    }
    let (taxable, ni_able) = (ctx.config.policy.review.taxable, ctx.config.policy.review.ni_able);
    groups
        .into_iter()
        .map(|((assignment, d), (amount, sources))| {
            let staff = ctx.staff.get(assignment);
            AdjustmentRow {
                assignment: assignment.to_string(),
                name: staff.map(|s| s.name.clone()).unwrap_or_default(),
                cost_centre: staff.map(|s| s.cost_centre.clone()).unwrap_or_default(),
                element: if d == Disposition::Pay { "REVIEW_PAYMENT" } else { "REVIEW_RECOVERY" },
                units: String::new(),
                rate: String::new(),
                amount: if d == Disposition::Pay { amount } else { Pence(-amount.0) },
                taxable,
                ni_able,
                protected: String::new(),
                protection_end: String::new(),
                source: sources.join("; "),
            }
        })
        .collect()
}
