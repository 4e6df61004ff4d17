//! Keeping-in-touch days (SPEC §14): the days worked during a maternity,
//! adoption or shared parental leave, held by the ledger until the leave's
//! return and then paid, and what the Attendance sheet shows of them.

use super::money::{hundredths, round_half_up_div};
use super::{AbsenceType, Pence};
use chrono::NaiveDate;

/// A leave's identity across runs: a later export may extend its end date.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LeaveKey {
    pub assignment: String,
    pub leave_type: AbsenceType,
    pub start: NaiveDate,
}

/// One KIT (or SPLIT) day: a date inside a leave with at least one shift.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KitDay {
    pub leave: LeaveKey,
    pub date: NaiveDate,
    /// The hours of that date's shifts, in exact minutes (a shift whose end
    /// is earlier than its start ends the next day).
    pub minutes: i64,
    /// The Shifts rows worked that day (`file!sheet:row`, `;`-joined).
    pub source: String,
}

/// A leave's KIT days paid on its return (KIT001).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KitPaid {
    pub leave: LeaveKey,
    pub end: NaiveDate,
    pub days: u32,
    pub minutes: i64,
    pub amount: Pence,
}

/// A leave with KIT days as the Attendance sheet lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KitLeave {
    pub leave: LeaveKey,
    pub name: String,
    pub end: NaiveDate,
    /// `kit_days` or `split_days` of the config.
    pub limit: u32,
    /// Every KIT day so far (this run's Shifts and the ledger's), by date.
    pub days: Vec<KitDay>,
    /// The pay period that paid them (this run's on return), if paid.
    pub paid_in: Option<String>,
}

impl KitLeave {
    /// Σ hours in minutes.
    pub fn minutes(&self) -> i64 {
        self.days.iter().map(|d| d.minutes).sum()
    }
}

/// Minutes as hours to two decimals, half up (KIT_DAYS `units`, the
/// Attendance sheet's hours).
pub fn hours_text(minutes: i64) -> String {
    hundredths(round_half_up_div(minutes as i128 * 100, 60))
}
