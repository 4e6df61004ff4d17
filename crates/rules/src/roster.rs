//! ROS — claims checked against the roster (SPEC §3.9, §6.7 rule 38).
//!
//! "A shift that day" is a shift whose date is the expense date, any type
//! (a night shift counts on the day it starts). Site codes compare trimmed and
//! case-insensitive (SPEC §6.5 rule 32).

use super::{Family, Rule};
use crate::model::rule::Severity;
use crate::model::{Category, ShiftType};
use crate::state::{Ctx, LineState};

/// ROS001 — a claim on a day the claimant was absent and not rostered.
pub const ROS001: Rule = Rule {
    code: "ROS001",
    family: Family::Roster,
    severity: Severity::Warning,
    policy_ref: "system control; serves CORP/EMP 33 §4.10.4–§4.10.5",
    summary: "Claim dated inside an absence with no shift that day: WARNING.",
    what: "the expense date falls inside an absence of any type and there is no shift that day.",
    policy: "A cost incurred on a day the roster records the claimant as absent (sick, on leave) and not on any shift needs the manager's confirmation.",
    effect: "paid, WARNING for the manager to verify.",
    example: "DAY_MEAL £5.00 on 12 May during SICKNESS 10–14 May, no shift → warning.",
    config: "",
    control: Some("the roster as evidence of the time away and of working on official business that day, which subsistence (CORP/EMP 33 §4.10.4–§4.10.5) and travel claims presuppose"),
    rejects: false,
};

/// ROS002 — a claim on a day with neither a shift nor an absence.
pub const ROS002: Rule = Rule {
    code: "ROS002",
    family: Family::Roster,
    severity: Severity::Info,
    policy_ref: "system control; serves CORP/EMP 33 §4.10.4–§4.10.5",
    summary: "Claim on a day with no shift and no absence (not rostered): INFO.",
    what: "The claimant was not rostered on the expense date; recorded for audit (except relocation and season tickets).",
    policy: "",
    effect: "INFO. Not applied to RELOCATION, RELOCATION_MISC and SEASON_TICKET, which are not tied to a working day.",
    example: "PARKING £4.00 on a Saturday with no shift and no absence → info.",
    config: "",
    control: Some("the roster as evidence of the time away and of working on official business that day, which subsistence (CORP/EMP 33 §4.10.4–§4.10.5) and travel claims presuppose"),
    rejects: false,
};

/// ROS003 — on-call mileage without an on-call or call-out shift.
pub const ROS003: Rule = Rule {
    code: "ROS003",
    family: Family::Roster,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.4",
    summary: "ONCALL_MILEAGE without an ONCALL or CALLOUT shift that day: REJECTED.",
    what: "Travel between home and work is only paid when the claimant was on call or called out; the roster must show an ONCALL or CALLOUT shift on the expense date.",
    policy: "home-to-work travel is claimable only when called in out of hours.",
    effect: "REJECTED.",
    example: "ONCALL_MILEAGE 24 miles on 3 May, only a DAY shift → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// ROS004 — excess travel without a shift away from base.
pub const ROS004: Rule = Rule {
    code: "ROS004",
    family: Family::Roster,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.3",
    summary: "EXCESS_TRAVEL with no shift that day at a site other than base: REJECTED.",
    what: "Excess travel is paid for days worked away from the contractual base; the roster must show a shift that day at another site.",
    policy: "excess travel is paid for working at a site other than the contractual base after a change of base.",
    effect: "REJECTED.",
    example: "EXCESS_TRAVEL on 6 May, the only shift at base DRI → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// ROS005 — the subsistence time test used the roster.
pub const ROS005: Rule = Rule {
    code: "ROS005",
    family: Family::Roster,
    severity: Severity::Info,
    policy_ref: "system control; serves CORP/EMP 33 §4.10.4–§4.10.5",
    summary: "Time away for a meal claim taken from the rostered shifts: INFO.",
    what: "a DAY_MEAL or EVENING_MEAL line without both depart and return times, whose time away is taken from the day's shifts (earliest start to latest end).",
    policy: "The meal allowances of §4.10.4 and §4.10.5 depend on the time away from base; when the claim does not give it, the day's rostered shifts are the best evidence available.",
    effect: "INFO (the SUB005/SUB006 tests then use those times).",
    example: "DAY_MEAL with no times, shift 08:00–17:00 that day → info; the day-meal time test uses 9 hours away.",
    config: "",
    control: Some("the roster as evidence of the time away and of working on official business that day, which subsistence (CORP/EMP 33 §4.10.4–§4.10.5) and travel claims presuppose"),
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
