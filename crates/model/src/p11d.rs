//! P11D amounts (SPEC §3.8, §4.1): per employee, tax year and section.

use super::period::year_label;
use super::Pence;
use std::collections::BTreeMap;

/// (assignment, tax year start year, section) → amount.
pub type P11dTotals = BTreeMap<(String, i32, char), Pence>;

/// One row of p11d.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P11dRow {
    pub assignment: String,
    pub name: String,
    /// Start year of the tax year (2025 = 6 April 2025 – 5 April 2026).
    pub tax_year: i32,
    pub section: char,
    pub amount: Pence,
}

impl P11dRow {
    /// `2025-26`.
    pub fn tax_year_label(&self) -> String {
        year_label(self.tax_year)
    }
}
