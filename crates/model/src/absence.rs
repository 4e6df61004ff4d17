//! Sickness absence figures of one run (SPEC §10): the rows of absence.csv
//! and absence-reasons.csv and the managers' Returns table, as exact
//! figures. FTE-day figures are held as numerators over one common
//! denominator ([`AbsenceReport::denominator`], 100 × full-time weekly
//! hours): exact, and rounded once, half up, when written.

use super::money::round_half_up_div;
use chrono::NaiveDate;

/// The `cost_centre` and `staff_group` of the row over everyone.
pub const ALL: &str = "(all)";
/// The reason of an episode whose first row names none.
pub const NOT_RECORDED: &str = "(not recorded)";

/// One row of absence.csv: a (cost_centre, staff_group) group, or `(all)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbsenceRow {
    pub cost_centre: String,
    pub staff_group: String,
    /// Assignments employed on at least one day of the month.
    pub headcount: u64,
    /// Σ contracted hours (hundredths) × full-time denominator: Σ FTE × denominator.
    pub fte: i128,
    /// Σ employed days × FTE, × denominator.
    pub available: i128,
    pub lost: i128,
    pub lost_short: i128,
    pub lost_long: i128,
    pub episodes: u64,
    pub episodes_long: u64,
    pub returns: u64,
    pub rtw_recorded: u64,
    pub rtw_on_time: u64,
}

impl AbsenceRow {
    /// Adds another group's figures (for the `(all)` row).
    pub fn add(&mut self, other: &AbsenceRow) {
        self.headcount += other.headcount;
        self.fte += other.fte;
        self.available += other.available;
        self.lost += other.lost;
        self.lost_short += other.lost_short;
        self.lost_long += other.lost_long;
        self.episodes += other.episodes;
        self.episodes_long += other.episodes_long;
        self.returns += other.returns;
        self.rtw_recorded += other.rtw_recorded;
        self.rtw_on_time += other.rtw_on_time;
    }
}

/// One row of absence-reasons.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReasonRow {
    pub reason: String,
    pub episodes: u64,
    /// × denominator, like [`AbsenceRow::lost`].
    pub lost: i128,
}

/// One row of the Absence sheet's Returns table: an episode whose day of
/// return falls in the month, counted by this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnRow {
    pub assignment: String,
    pub name: String,
    pub cost_centre: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Working days from start to end.
    pub working_days: u64,
    pub long_term: bool,
    pub day_of_return: NaiveDate,
    /// The episode's interview when recorded (after its end date).
    pub rtw_date: Option<NaiveDate>,
    /// The last day an interview is on time.
    pub deadline: NaiveDate,
    /// Bradford score and stage as of this run.
    pub score: u64,
    pub stage: u32,
}

impl ReturnRow {
    pub fn on_time(&self) -> bool {
        self.rtw_date.is_some_and(|d| d <= self.deadline)
    }
}

/// The whole of a run's sickness absence figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbsenceReport {
    /// 100 × full-time weekly hours as an integer: every FTE figure is a
    /// numerator over it.
    pub denominator: i128,
    /// Groups ordered by cost_centre then staff_group (those with nothing
    /// available left out), then the `(all)` row.
    pub rows: Vec<AbsenceRow>,
    /// Ordered by fte_days_lost descending, then reason.
    pub reasons: Vec<ReasonRow>,
    /// Ordered by assignment, then episode start.
    pub returns: Vec<ReturnRow>,
    /// Whether the Absences sheet has an rtw_date column: without one the
    /// three rtw columns are blank and SCK004 is silent.
    pub rtw_column: bool,
}

impl AbsenceReport {
    /// A figure × denominator in hundredths, rounded half up.
    pub fn hundredths(&self, value: i128) -> i64 {
        round_half_up_div(value * 100, self.denominator.max(1))
    }

    /// The month's total FTE days lost (× denominator).
    pub fn total_lost(&self) -> i128 {
        self.rows.last().map_or(0, |r| r.lost)
    }
}

/// 100 × part ÷ whole in hundredths (a percentage to 2 decimals), rounded
/// half up; `None` when whole is 0.
pub fn percent_x100(part: i128, whole: i128) -> Option<i64> {
    (whole > 0).then(|| round_half_up_div(part * 10_000, whole))
}
