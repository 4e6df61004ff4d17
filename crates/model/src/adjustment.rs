//! A payroll line of adjustments.csv (SPEC §4.1): what the rules produce for
//! payroll and what the outputs write.

use super::Pence;

/// Payroll element codes in the order of SPEC §4.1 (the row order within an employee).
pub const ELEMENTS: &[&str] = &[
    "MILEAGE",
    "MILEAGE_TAXABLE",
    "TRAVEL",
    "TRAVEL_TAXABLE",
    "SUBSISTENCE",
    "SUBSISTENCE_TAXABLE",
    "RELOCATION",
    "RELOCATION_TAXABLE",
    "SUNDRY",
    "SUNDRY_TAXABLE",
    "UNPAID_LEAVE",
    "KIT_DAYS",
    "PAY_PROTECTION",
    "REVIEW_PAYMENT",
    "REVIEW_RECOVERY",
];

/// One row of adjustments.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub assignment: String,
    pub name: String,
    pub cost_centre: String,
    /// Element code (one of [`ELEMENTS`]).
    pub element: &'static str,
    pub units: String,
    pub rate: String,
    pub amount: Pence,
    /// Y for `_TAXABLE`, UNPAID_LEAVE, KIT_DAYS and PAY_PROTECTION; review
    /// lines take `[review] taxable`.
    pub taxable: bool,
    /// As `taxable`, but review lines take `[review] ni_able`.
    pub ni_able: bool,
    pub protected: String,
    pub protection_end: String,
    pub source: String,
}

impl AdjustmentRow {
    /// Expense elements are the ones fed by claim lines (reconciliation §4.3).
    pub fn is_expense(&self) -> bool {
        is_expense_element(self.element)
    }
}

/// Whether an element code is one of the expenses' (claim lines feed it).
pub fn is_expense_element(code: &str) -> bool {
    !matches!(code, "UNPAID_LEAVE" | "KIT_DAYS" | "PAY_PROTECTION") && !is_review_element(code)
}

/// The elements of auditors' reviews actioned by a run (SPEC §11.4): not
/// expense lines, reconciled on their own.
pub fn is_review_element(code: &str) -> bool {
    matches!(code, "REVIEW_PAYMENT" | "REVIEW_RECOVERY")
}
