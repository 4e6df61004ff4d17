//! Roster rows (SPEC §2.3), typed.

use super::claim::RowRef;
use super::codes::{AbsenceType, Certificate, ProtectionKind, ProtectionReason, ShiftType, StaffGroup};
use super::money::{Miles, Pence};
use chrono::{NaiveDate, NaiveTime};

/// One assignment of the Staff sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Staff {
    pub source: RowRef,
    pub assignment: String,
    pub name: String,
    pub staff_group: StaffGroup,
    pub band: String,
    pub base_site: String,
    pub home_to_base_miles: Miles,
    /// Weekly contracted hours in hundredths (37.5 h = 3750).
    pub contracted_hours_x100: i64,
    pub annual_salary: Pence,
    pub cost_centre: String,
    pub service_start: NaiveDate,
    pub start_date: Option<NaiveDate>,
    pub leave_date: Option<NaiveDate>,
    pub special_rate_from: Option<NaiveDate>,
    pub insurance_expiry: Option<NaiveDate>,
    pub lease_car: bool,
}

/// One rostered shift; an end earlier than the start is the next day.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    pub source: RowRef,
    pub assignment: String,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub site: String,
    pub shift_type: ShiftType,
}

/// One absence row (inclusive dates).
#[derive(Clone, Debug, PartialEq)]
pub struct Absence {
    pub source: RowRef,
    pub assignment: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub absence_type: AbsenceType,
    /// Hours in hundredths when given; blank = working days × contracted / 5.
    pub hours_x100: Option<i64>,
    pub certificate: Certificate,
    /// ESR's sickness reason text, trimmed; blank or unreadable = `None`
    /// (SPEC §10.2).
    pub sickness_reason: Option<String>,
    /// The return-to-work interview's date; blank or unreadable = `None`.
    pub rtw_date: Option<NaiveDate>,
}

/// One row of the pay-protection register.
#[derive(Clone, Debug, PartialEq)]
pub struct Protection {
    pub source: RowRef,
    pub assignment: String,
    pub change_date: NaiveDate,
    pub reason: ProtectionReason,
    pub protection: ProtectionKind,
    pub reckonable_years: Option<i64>,
    pub protected_basic: Pence,
    pub new_basic: Pence,
    pub protected_weekly_earnings: Option<Pence>,
    pub new_period_earnings: Option<Pence>,
    pub ceased_date: Option<NaiveDate>,
    pub fixed_term_end: Option<NaiveDate>,
}

/// The roster workbook after ingest: valid rows only; skipped rows are findings.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    pub staff: Vec<Staff>,
    pub shifts: Vec<Shift>,
    pub absences: Vec<Absence>,
    pub protections: Vec<Protection>,
    /// Whether the Absences sheet has an rtw_date column (SPEC §10.2).
    pub rtw_column: bool,
}

/// The roster by assignment, for the per-day look-ups of the roster rules
/// (SPEC §3.9) and the subsistence time test: built once per run.
#[derive(Debug, Default)]
pub struct RosterIndex<'a> {
    /// Shifts per assignment, sorted by date then start.
    shifts: foldhash::HashMap<&'a str, Vec<&'a Shift>>,
    /// Absences per assignment, sorted by start date.
    absences: foldhash::HashMap<&'a str, Vec<&'a Absence>>,
}

impl<'a> RosterIndex<'a> {
    pub fn new(roster: &'a Roster) -> RosterIndex<'a> {
        let mut index = RosterIndex::default();
        for shift in &roster.shifts {
            index.shifts.entry(shift.assignment.as_str()).or_default().push(shift);
        }
        for list in index.shifts.values_mut() {
            list.sort_by_key(|s| (s.date, s.start));
        }
        for absence in &roster.absences {
            index.absences.entry(absence.assignment.as_str()).or_default().push(absence);
        }
        for list in index.absences.values_mut() {
            list.sort_by_key(|a| (a.start_date, a.end_date));
        }
        index
    }

    /// The shifts whose date is `date` (a night shift belongs to the day it starts).
    pub fn shifts_on(&self, assignment: &str, date: NaiveDate) -> &[&'a Shift] {
        let Some(list) = self.shifts.get(assignment) else { return &[] };
        let from = list.partition_point(|s| s.date < date);
        let to = list.partition_point(|s| s.date <= date);
        &list[from..to]
    }

    /// The absence covering `date`, if any.
    pub fn absence_on(&self, assignment: &str, date: NaiveDate) -> Option<&'a Absence> {
        self.absences_of(assignment).iter().copied().find(|a| a.start_date <= date && date <= a.end_date)
    }

    /// Every absence row of an assignment, by start date.
    pub fn absences_of(&self, assignment: &str) -> &[&'a Absence] {
        self.absences.get(assignment).map_or(&[], |v| v.as_slice())
    }
}
