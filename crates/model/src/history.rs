//! What earlier committed periods tell this run (SPEC §5): the ledger's
//! figures as plain data, loaded once before the rules run, so rules never
//! open SQL themselves. Only periods strictly earlier than the run's period
//! are included (SPEC §6.3 rule 17).

use super::kit::{KitDay, LeaveKey};
use super::money::{Miles, Pence};
use super::{AbsenceType, Category};
use chrono::NaiveDate;
use foldhash::{HashMap, HashSet};
use std::collections::BTreeMap;

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
    /// Leave and sickness episodes of earlier periods, one per episode
    /// identity (SPEC §6.7 rule 39), ordered by (assignment, start_date,
    /// absence_type, end_date).
    pub absences: Vec<AbsenceEpisode>,
    /// SICKNESS rows of earlier periods by assignment, one per row identity
    /// (assignment, start_date, absence_type) — the latest period's copy —
    /// ordered by start_date (SPEC §10.1).
    pub sickness_rows: HashMap<String, Vec<SicknessRow>>,
    /// Returns from sickness an earlier period counted, by assignment: they
    /// are neither moved nor counted again (SPEC §10.1).
    pub counted_returns: HashMap<String, Vec<CountedReturn>>,
    /// Highest Bradford stage reached so far, by assignment (stages never
    /// reset, SPEC §6.7 rule 42).
    pub bradford_stage: HashMap<String, u32>,
    /// P11D amounts paid, by (assignment, tax year start year, section):
    /// ordered, because p11d.csv lists them.
    pub p11d: BTreeMap<(String, i32, char), Pence>,
    /// KIT days earlier runs saw, the latest record of each (leave, date),
    /// ordered by leave then date (SPEC §14).
    pub kit_days: Vec<KitDay>,
    /// Leaves whose KIT days an earlier period paid, with that period.
    pub kit_paid: HashMap<LeaveKey, String>,
}

/// A leave or sickness episode as an earlier run judged it. Identity is
/// (assignment, start_date, end_date, absence_type); hours are hundredths.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbsenceEpisode {
    pub assignment: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub absence_type: AbsenceType,
    /// The episode's hours (given, or working days × contracted_hours / 5).
    pub hours_x100: i64,
    /// Of those, paid under an entitlement and converted to unpaid.
    pub paid_hours_x100: i64,
    pub unpaid_hours_x100: i64,
}

/// A SICKNESS row as the ledger keeps it, with the two columns of SPEC
/// §10.2 (for this run's rows: as read).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SicknessRow {
    pub assignment: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub sickness_reason: Option<String>,
    pub rtw_date: Option<NaiveDate>,
}

/// A sickness episode's return as the run that counted it saw it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountedReturn {
    pub assignment: String,
    pub episode_start: NaiveDate,
    pub day_of_return: NaiveDate,
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

impl History {
    /// Earlier episodes of one type of an employee whose start lies in
    /// `from..=to` — the rolling-window look-back of SPEC §6.7 rule 39.
    pub fn episodes_starting_in<'a>(
        &'a self,
        assignment: &'a str,
        absence_type: AbsenceType,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &'a AbsenceEpisode> + 'a {
        self.absences.iter().filter(move |e| {
            e.assignment == assignment
                && e.absence_type == absence_type
                && e.start_date >= from
                && e.start_date <= to
        })
    }

    /// Paid entitlement hours (hundredths) already used by such episodes.
    pub fn paid_hours_starting_in(
        &self,
        assignment: &str,
        absence_type: AbsenceType,
        from: NaiveDate,
        to: NaiveDate,
    ) -> i64 {
        self.episodes_starting_in(assignment, absence_type, from, to).map(|e| e.paid_hours_x100).sum()
    }

    /// Highest Bradford stage reached in earlier periods (0 = none).
    pub fn bradford_stage_reached(&self, assignment: &str) -> u32 {
        self.bradford_stage.get(assignment).copied().unwrap_or(0)
    }

    /// The key `(claim_id, line_no)` of a line with this content paid in an
    /// earlier period (DUP001 against the ledger).
    pub fn paid_with_content(&self, key: &ContentKey) -> Option<&(String, i64)> {
        self.paid_content.get(key)
    }
}

impl ContentKey {
    /// Builds the key as SPEC §6.3 rule 16 compares it: the route (from/to
    /// trimmed and upper-cased, and miles) only for mileage categories.
    pub fn from_parts(
        assignment: &str,
        expense_date: NaiveDate,
        category: Category,
        amount: Pence,
        from: &str,
        to: &str,
        miles: Option<Miles>,
    ) -> ContentKey {
        let route = category
            .is_mileage()
            .then(|| (from.trim().to_uppercase(), to.trim().to_uppercase(), miles.unwrap_or_default()));
        ContentKey { assignment: assignment.to_string(), expense_date, category, amount, route }
    }
}

/// A period's payroll batch as the ledger keeps it for corrections (SPEC
/// §7.2): which run made it, under which configuration, its name, and its
/// adjustments rows (assignment, element code, amount).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchSnapshot {
    pub run_id: String,
    pub config_hash: String,
    pub batch_name: String,
    pub rows: Vec<(String, String, crate::Pence)>,
}
