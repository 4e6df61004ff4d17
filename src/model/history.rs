//! What earlier committed periods tell this run (SPEC §5): the ledger's
//! figures as plain data, loaded once before the rules run, so rules never
//! open SQL themselves. Only periods strictly earlier than the run's period
//! are included (SPEC §6.3 rule 17).

use super::money::{Miles, Pence};
use super::Category;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// The content of a claim line that DUP001 compares (SPEC §6.3 rule 16).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentKey {
    pub assignment: String,
    pub expense_date: NaiveDate,
    pub category: Category,
    pub amount: Pence,
    /// For mileage categories: from, to (trimmed, upper-cased) and miles.
    pub route: Option<(String, String, Miles)>,
}

/// Year-to-date and "already paid" figures from earlier periods.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// (claim_id, line_no) of lines paid (PAID/ADJUSTED) in an earlier period.
    pub paid_keys: HashSet<(String, i64)>,
    /// Content of lines paid in an earlier period, with their key.
    pub paid_content: HashMap<ContentKey, (String, i64)>,
    /// Special Rate miles counted towards the threshold, by (assignment,
    /// financial year start year).
    pub sr_miles: HashMap<(String, i32), Miles>,
    /// HMRC AMAP car miles, by (assignment, tax year start year).
    pub amap_miles: HashMap<(String, i32), Miles>,
    /// Relocation paid per employment (assignment, start_date): total and misc.
    pub relocation: HashMap<(String, Option<NaiveDate>), RelocationPaid>,
}

/// Relocation paid to date for one employment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelocationPaid {
    pub total: Pence,
    pub misc: Pence,
}

impl History {
    pub fn sr_miles_before(&self, assignment: &str, financial_year: i32) -> Miles {
        self.sr_miles.get(&(assignment.to_string(), financial_year)).copied().unwrap_or_default()
    }

    pub fn amap_miles_before(&self, assignment: &str, tax_year: i32) -> Miles {
        self.amap_miles.get(&(assignment.to_string(), tax_year)).copied().unwrap_or_default()
    }

    pub fn relocation_paid(&self, assignment: &str, start_date: Option<NaiveDate>) -> Option<RelocationPaid> {
        self.relocation.get(&(assignment.to_string(), start_date)).copied()
    }

    pub fn is_paid(&self, claim_id: &str, line_no: i64) -> bool {
        self.paid_keys.contains(&(claim_id.to_string(), line_no))
    }
}
