//! ROS — claims checked against the roster (SPEC §3.9, §6.7 rule 38).
//!
//! "A shift that day" is a shift whose date is the expense date, any type
//! (a night shift counts on the day it starts). Site codes compare trimmed and
//! case-insensitive (SPEC §6.5 rule 32).

use super::{Family, Rule};
use crate::model::decision::Severity;
use crate::model::{Category, ShiftType};
use crate::rules::engine::{Ctx, LineState};

const POLICY: &str = "CORP/EMP 33 §4.2–§4.4 (roster)";

/// ROS001 — a claim on a day the claimant was absent and not rostered.
///
/// *What it checks*: the expense date falls inside an absence of any type and
/// there is no shift that day.
/// *Effect*: paid, WARNING for the manager to verify.
/// *Example*: DAY_MEAL £5.00 on 12 May during SICKNESS 10–14 May, no shift → warning.
pub const ROS001: Rule = Rule {
    code: "ROS001",
    family: Family::Roster,
    severity: Severity::Warning,
    policy_ref: POLICY,
    summary: "Claim dated inside an absence with no shift that day: WARNING.",
    explanation: "A cost incurred on a day the roster records the claimant as absent (sick, on leave) and not on any shift needs the manager's confirmation.",
    rejects: false,
};

/// ROS002 — a claim on a day with neither a shift nor an absence.
///
/// *Effect*: INFO. Not applied to RELOCATION, RELOCATION_MISC and SEASON_TICKET,
/// which are not tied to a working day.
pub const ROS002: Rule = Rule {
    code: "ROS002",
    family: Family::Roster,
    severity: Severity::Info,
    policy_ref: POLICY,
    summary: "Claim on a day with no shift and no absence (not rostered): INFO.",
    explanation: "The claimant was not rostered on the expense date; recorded for audit (except relocation and season tickets).",
    rejects: false,
};

/// ROS003 — on-call mileage without an on-call or call-out shift.
///
/// *Policy*: CORP/EMP 33 §4.4 — home-to-work travel is claimable only when
/// called in out of hours.
/// *Effect*: REJECTED.
/// *Example*: ONCALL_MILEAGE 24 miles on 3 May, only a DAY shift → rejected.
pub const ROS003: Rule = Rule {
    code: "ROS003",
    family: Family::Roster,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.4",
    summary: "ONCALL_MILEAGE without an ONCALL or CALLOUT shift that day: REJECTED.",
    explanation: "Travel between home and work is only paid when the claimant was on call or called out; the roster must show an ONCALL or CALLOUT shift on the expense date.",
    rejects: true,
};

/// ROS004 — excess travel without a shift away from base.
///
/// *Policy*: CORP/EMP 33 §4.3 — excess travel is paid for working at a site
/// other than the contractual base after a change of base.
/// *Effect*: REJECTED.
/// *Example*: EXCESS_TRAVEL on 6 May, the only shift at base DRI → rejected.
pub const ROS004: Rule = Rule {
    code: "ROS004",
    family: Family::Roster,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.3",
    summary: "EXCESS_TRAVEL with no shift that day at a site other than base: REJECTED.",
    explanation: "Excess travel is paid for days worked away from the contractual base; the roster must show a shift that day at another site.",
    rejects: true,
};

/// ROS005 — the subsistence time test used the roster.
///
/// *What it checks*: a DAY_MEAL or EVENING_MEAL line without both depart and
/// return times, whose time away is taken from the day's shifts (earliest start
/// to latest end).
/// *Effect*: INFO (the SUB005/SUB006 tests then use those times).
pub const ROS005: Rule = Rule {
    code: "ROS005",
    family: Family::Roster,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.10",
    summary: "Time away for a meal claim taken from the rostered shifts: INFO.",
    explanation: "When a meal claim has no depart/return times, the rostered shifts of that day (earliest start to latest end) stand in for them in the 5-hour and 10-hour tests.",
    rejects: false,
};

fn same_site(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// ROS001–ROS004 on one line (ROS005 is fired by the subsistence time test).
pub fn check(state: &mut LineState, ctx: &Ctx) {
    let line = state.line;
    let Some(category) = line.category else { return };
    let shifts = ctx.index.shifts_on(&line.assignment, line.expense_date);
    if shifts.is_empty() {
        if let Some(absence) = ctx.index.absence_on(&line.assignment, line.expense_date) {
            state.fire(
                &ROS001,
                Severity::Warning,
                format!(
                    "{} is inside a {} absence ({} to {}) and no shift is rostered that day",
                    line.expense_date, absence.absence_type, absence.start_date, absence.end_date
                ),
            );
        } else if !matches!(
            category,
            Category::Relocation | Category::RelocationMisc | Category::SeasonTicket
        ) {
            state.fire(&ROS002, Severity::Info, format!("no shift and no absence on {}", line.expense_date));
        }
    }
    if category == Category::OncallMileage
        && !shifts.iter().any(|s| matches!(s.shift_type, ShiftType::Oncall | ShiftType::Callout))
    {
        state.reject(&ROS003, format!("no ONCALL or CALLOUT shift on {}", line.expense_date));
    }
    if category == Category::ExcessTravel
        && !shifts.iter().any(|s| !same_site(&s.site, &state.staff.base_site))
    {
        state.reject(
            &ROS004,
            format!("no shift on {} at a site other than base {}", line.expense_date, state.staff.base_site),
        );
    }
}

#[cfg(test)]
mod tests;
