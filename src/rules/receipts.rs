//! RCT — receipts (SPEC §3.6, §6.5 rule 34; CORP/EMP 33 §4.1, §4.9).

use super::{Family, Rule};
use crate::model::decision::Severity;
use crate::model::{Category, Receipt};
use crate::rules::engine::{Ctx, LineState};

/// RCT001 — parking without a receipt.
///
/// *What it checks*: a PARKING line whose receipt is not `Y` (N, blank or LOST,
/// whatever the reason). PARKING is governed by this rule only.
/// *Policy*: CORP/EMP 33 §4.9 — "You must produce a receipt ... as the
/// expense will not be paid without one."
/// *Effect*: REJECTED (ERROR), no exceptions.
/// *Example*: PARKING £4.00, receipt LOST "machine broken" → rejected.
/// *Config*: none.
pub const RCT001: Rule = Rule {
    code: "RCT001",
    family: Family::Receipts,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.9",
    summary: "Parking without a receipt: REJECTED (no exceptions).",
    explanation: "Parking is paid only against a receipt; a missing or lost receipt rejects the line whatever the reason.",
    rejects: true,
};

/// RCT002 — receipt missing.
///
/// *What it checks*: a category that needs a receipt (SPEC §2.2; not PARKING)
/// with receipt `N` (or blank), or `LOST` with no reason given.
/// *Policy*: CORP/EMP 33 §4.1 — "Original receipts ... must support all
/// claims"; a lost receipt must be explained in "other details".
/// *Effect*: REJECTED (ERROR).
/// *Example*: RAIL £12.40, receipt N → rejected.
/// *Config*: none.
pub const RCT002: Rule = Rule {
    code: "RCT002",
    family: Family::Receipts,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Receipt needed but not provided (or lost without a reason): REJECTED.",
    explanation: "Lines of a receipt-needing category are rejected when no receipt was provided, or when it was lost and no reason is given.",
    rejects: true,
};

/// RCT003 — receipt lost, with a reason.
///
/// *What it checks*: a receipt-needing category (not PARKING) with receipt
/// `LOST` and a `lost_receipt_reason`.
/// *Policy*: CORP/EMP 33 §4.1 — an unreceipted payment is not an
/// exempt reimbursement, so it is taxed through payroll ("P11D and tax").
/// *Effect*: paid, WARNING; the allowed amount is taxable through payroll
/// (TAX003).
/// *Example*: SUNDRY £9.99, receipt LOST "left on train" → paid £9.99,
/// warning, £9.99 taxable.
/// *Config*: none.
pub const RCT003: Rule = Rule {
    code: "RCT003",
    family: Family::Receipts,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Receipt lost, reason given: paid, WARNING, taxable through payroll.",
    explanation: "A lost receipt explained in the claim is paid but flagged for audit, and the payment is taxed and NI-able through payroll.",
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
