//! Pay protection as a run judged it (SPEC §3.12): each protected
//! employee's mark and the register rows reported, for the outputs.

use super::{Pence, ProtectionKind, ProtectionReason};
use chrono::NaiveDate;

/// The mark on an employee's output rows: kind and end of the
/// latest-ending active row (SPEC §6.8 rule 45).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub kind: ProtectionKind,
    pub end: NaiveDate,
}

impl Mark {
    /// "LONG to 2026-02-28", for messages.
    pub fn describe(&self) -> String {
        format!("{} to {}", self.kind.code(), self.end)
    }
}

/// A register row as this run judged it, for the Pay protection sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowSummary {
    pub assignment: String,
    pub name: String,
    pub cost_centre: String,
    pub reason: ProtectionReason,
    pub kind: ProtectionKind,
    pub change_date: NaiveDate,
    pub reckonable_years: u32,
    /// Windows in force (none when PP003 / PP004 removed them).
    pub short_end: Option<NaiveDate>,
    pub long_end: Option<NaiveDate>,
    /// The rule that describes the row this month: PP001, PP003 or PP004.
    pub status: &'static str,
    pub top_up: Pence,
    pub source: String,
}
