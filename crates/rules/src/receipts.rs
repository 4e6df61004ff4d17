//! RCT — receipts (SPEC §3.6, §6.5 rule 34; CORP/EMP 33 §4.1, §4.9).

use super::{Family, Rule};
use crate::model::rule::Severity;
use crate::model::{Category, Receipt};
use crate::state::{Ctx, LineState};

/// RCT001 — parking without a receipt.
pub const RCT001: Rule = Rule {
    code: "RCT001",
    family: Family::Receipts,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.9",
    summary: "Parking without a receipt: REJECTED (no exceptions).",
    what: "a PARKING line whose receipt is not `Y` (N, blank or LOST, whatever the reason). PARKING is governed by this rule only.",
    policy: "\"You must produce a receipt ... as the expense will not be paid without one.\"",
    effect: "REJECTED (ERROR), no exceptions.",
    example: "PARKING £4.00, receipt LOST \"machine broken\" → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// RCT002 — receipt missing.
pub const RCT002: Rule = Rule {
    code: "RCT002",
    family: Family::Receipts,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Receipt needed but not provided (or lost without a reason): REJECTED.",
    what: "a category that needs a receipt (SPEC §2.2; not PARKING) with receipt `N` (or blank), or `LOST` with no reason given.",
    policy: "\"Original receipts ... must support all claims\"; a lost receipt must be explained in \"other details\".",
    effect: "REJECTED (ERROR).",
    example: "RAIL £12.40, receipt N → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// RCT003 — receipt lost, with a reason.
pub const RCT003: Rule = Rule {
    code: "RCT003",
    family: Family::Receipts,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Receipt lost, reason given: paid, WARNING, taxable through payroll.",
    what: "a receipt-needing category (not PARKING) with receipt `LOST` and a `lost_receipt_reason`.",
    policy: "an unreceipted payment is not an exempt reimbursement, so it is taxed through payroll (\"P11D and tax\").",
    effect: "paid, WARNING; the allowed amount is taxable through payroll (TAX003).",
    example: "SUNDRY £9.99, receipt LOST \"left on train\" → paid £9.99, warning, £9.99 taxable.",
    config: "",
    control: None,
    rejects: false,
};

/// RCT001–RCT003 on one line.
pub fn check(state: &mut LineState, _ctx: &Ctx) {
    let line = state.line;
    let Some(category) = line.category else {
        return;
    };
    if category == Category::Parking {
        if line.receipt != Receipt::Yes {
            state.reject(&RCT001, format!("parking with receipt {}", line.receipt));
        }
        return;
    }
    if !category.needs_receipt() {
        return;
    }
    let reason = line.lost_receipt_reason.trim();
    match line.receipt {
        Receipt::Yes => {}
        Receipt::No => state.reject(&RCT002, format!("{category} needs a receipt; none provided")),
        Receipt::Lost if reason.is_empty() => {
            state.reject(&RCT002, format!("{category} receipt lost and no reason given"))
        }
        Receipt::Lost => state.fire(
            &RCT003,
            Severity::Warning,
            format!("receipt lost (\"{reason}\"): paid, taxable through payroll"),
        ),
    }
}

#[cfg(test)]
mod tests;
