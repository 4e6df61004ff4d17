//! SUB — subsistence and accommodation (SPEC §3.4, §6.5 rules 27–31;
//! CORP/EMP 33 §4.10, §4.11, Appendix 1).
//!
//! The time tests (SUB005–SUB007), trust-site day meals (SUB009) and the
//! alcohol wording (SUB011) look at one line ([`check`]); the caps
//! (SUB001–SUB004, SUB010) and the daily total (SUB008) are one pass over the
//! employee's live lines in processing order ([`pass`]).

use super::roster::ROS005;
use super::{Family, Rule};
use crate::model::claim::ClaimLine;
use crate::model::rule::Severity;
use crate::model::time::TimeValue;
use crate::model::{Category, Pence};
use crate::state::{Ctx, Employee, LineState};
use chrono::{NaiveDateTime, TimeDelta};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeMap;

/// SUB001 — hotel over its nightly cap.
pub const SUB001: Rule = Rule {
    code: "SUB001",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.1, Appendix 1",
    summary: "Hotel over {rates.subsistence.hotel} a night ({rates.subsistence.hotel_london} in London), not exceptional: capped.",
    what: "a HOTEL line above £80 (£110 when `london` = Y), and the hotels of one day together above the cap (each line's own cap minus what earlier hotel lines of the day were allowed), not exceptional.",
    policy: "bed and breakfast \"up to a maximum limit\": £80 outside, £110 within Greater London.",
    effect: "capped, ADJUSTED (ERROR).",
    example: "HOTEL £95.00, london N → allowed £80.00, £15.00 withheld.",
    config: "`rates.subsistence.hotel`, `rates.subsistence.hotel_london`.",
    control: None,
    rejects: false,
};

/// SUB002 — hotel over its cap with exceptional circumstances authorised.
pub const SUB002: Rule = Rule {
    code: "SUB002",
    family: Family::Subsistence,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 Appendix 1",
    summary: "Hotel over its cap, exceptional = Y: paid, WARNING.",
    what: "the SUB001 condition on a line with `exceptional` = Y.",
    policy: "\"payments in excess ... only ... in exceptional circumstances and must be agreed by the line manager\".",
    effect: "paid in full, WARNING.",
    example: "HOTEL £140.00, london Y, exceptional Y → paid £140.00, warning.",
    config: "`rates.subsistence.hotel`, `rates.subsistence.hotel_london`.",
    control: None,
    rejects: false,
};

/// SUB003 — non-commercial overnight stay paid at the flat rate.
pub const SUB003: Rule = Rule {
    code: "SUB003",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.2, Appendix 1",
    summary: "Non-commercial overnight stay: set to the {rates.subsistence.non_commercial_overnight} flat rate, once per day.",
    what: "NON_COMMERCIAL_OVERNIGHT lines; the flat rate is paid once per day (a second line that day gets £0), whatever was claimed.",
    policy: "flat rate £25, no receipts.",
    effect: "allowed = flat rate; ERROR when that lowers the claim, INFO when it raises it. Alcohol is not deducted from the flat rate.",
    example: "NON_COMMERCIAL_OVERNIGHT £30.00 → allowed £25.00 (ERROR); £20.00 → allowed £25.00 (INFO).",
    config: "`rates.subsistence.non_commercial_overnight`.",
    control: None,
    rejects: false,
};

/// SUB004 — meal or incidental allowance over its cap.
pub const SUB004: Rule = Rule {
    code: "SUB004",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.1, §4.10.3, §4.10.4, Appendix 1",
    summary: "Meal or incidental allowance over its daily cap: capped.",
    what: "OVERNIGHT_MEALS ({rates.subsistence.overnight_meals}), DAY_MEAL ({rates.subsistence.day_meal}), EVENING_MEAL ({rates.subsistence.evening_meal}) and INCIDENTAL ({rates.subsistence.incidental}) per line and per day and category (lines of one day share the cap; the excess comes off the later lines). No exceptional branch.",
    policy: "§4.10.1 (overnight: evening meal and one daytime meal per 24 hours up to the limit), §4.10.3 (host accommodation: incidental allowance), §4.10.4 (day subsistence), Appendix 1 (the rates).",
    effect: "capped, ADJUSTED (ERROR).",
    example: "EVENING_MEAL £18.40 → allowed £15.00, £3.40 withheld.",
    config: "`rates.subsistence.overnight_meals`, `.day_meal`, `.evening_meal`, `.incidental`.",
    control: None,
    rejects: false,
};

/// SUB005 — day meal without the time away it needs.
pub const SUB005: Rule = Rule {
    code: "SUB005",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.4",
    summary: "Day meal with {subsistence.day_meal_min_hours_away} or less away, or not away over {subsistence.day_meal_covers_from}–{subsistence.day_meal_covers_to}: REJECTED.",
    what: "a DAY_MEAL when the time away is 5 hours or less, or does not cover 12:00–14:00 (left after 12:00 or back before 14:00).",
    policy: "\"away from your base for a period of more than five hours, including the normal lunch time period of 12 noon to 2 pm\".",
    effect: "REJECTED (ERROR).",
    example: "DAY_MEAL £4.80, away 09:00–14:00 (exactly 5 h) → rejected.",
    config: "`subsistence.day_meal_min_hours_away`, `.day_meal_covers_from`, `.day_meal_covers_to`.",
    control: None,
    rejects: true,
};

/// SUB006 — evening meal without the late return it needs.
pub const SUB006: Rule = Rule {
    code: "SUB006",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.5",
    summary: "Evening meal with {subsistence.evening_meal_min_hours_away} or less away or back before {subsistence.evening_meal_return_not_before}: REJECTED.",
    what: "an EVENING_MEAL when the time away is 10 hours or less or the return is before 19:00 of the expense day (a return after midnight is after 19:00).",
    policy: "\"away from base for more than 10 hours and unable to return ... before 7 pm\".",
    effect: "REJECTED (ERROR). Returning at 19:00 qualifies.",
    example: "EVENING_MEAL £12.00, away 08:00–18:30 → rejected.",
    config: "`subsistence.evening_meal_min_hours_away`, `.evening_meal_return_not_before`.",
    control: None,
    rejects: true,
};

/// SUB007 — the time away cannot be established.
pub const SUB007: Rule = Rule {
    code: "SUB007",
    family: Family::Subsistence,
    severity: Severity::Warning,
    policy_ref: "system control; serves CORP/EMP 33 §4.10.4–§4.10.5",
    summary: "Meal allowance whose time away cannot be established: paid, WARNING.",
    what: "a DAY_MEAL or EVENING_MEAL without both depart and return times and with no rostered shift that day.",
    policy: "Without depart and return times, and with no shift rostered that day, the time test cannot be applied; the line is paid and the manager verifies it.",
    effect: "paid, WARNING (the manager verifies the time test).",
    example: "DAY_MEAL £4.80, no times, not rostered → paid £4.80, warning.",
    config: "",
    control: Some("the time tests of CORP/EMP 33 §4.10.4–§4.10.5 (meal allowances depend on the time away), which the policy states but cannot be applied without the times"),
    rejects: false,
};

/// SUB008 — the day's subsistence over the £29.50 total.
pub const SUB008: Rule = Rule {
    code: "SUB008",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 Appendix 1",
    summary: "Day's subsistence (not hotel) over {rates.subsistence.daily_total}: later lines reduced.",
    what: "the allowed amounts (after per-line caps and alcohol) of one day's NON_COMMERCIAL_OVERNIGHT, OVERNIGHT_MEALS, DAY_MEAL, EVENING_MEAL and INCIDENTAL lines (not HOTEL) above £29.50.",
    policy: "\"total payments for each 24 hour period away should never exceed £29.50\".",
    effect: "the day's lines reduced, last in processing order first, until the day fits; ADJUSTED (ERROR).",
    example: "OVERNIGHT_MEALS £20.00 + DAY_MEAL £5.00 + EVENING_MEAL £15.00 on one day → the evening meal is cut to £4.50.",
    config: "`rates.subsistence.daily_total`.",
    control: None,
    rejects: false,
};

/// SUB009 — day meal at a trust site.
pub const SUB009: Rule = Rule {
    code: "SUB009",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.10.4",
    summary: "Day meal at a trust site (subsidised restaurant): REJECTED.",
    what: "a DAY_MEAL whose `to` is one of the trust's sites.",
    policy: "not paid \"where you are at another Trust site where there is a subsidised eating facility\".",
    effect: "REJECTED (ERROR).",
    example: "DAY_MEAL £4.80, to \"MMH\" → rejected.",
    config: "`sites.trust_sites`.",
    control: None,
    rejects: true,
};

/// SUB010 — alcohol claimed.
pub const SUB010: Rule = Rule {
    code: "SUB010",
    family: Family::Subsistence,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.11, §4.10",
    summary: "Alcohol on the line: alcohol part removed.",
    what: "a non-mileage line (not NON_COMMERCIAL_OVERNIGHT) with `alcohol_amount` > 0.",
    policy: "§4.11 — \"No reimbursement will be made for any alcohol purchased\"; the same applies to the meals of §4.10.",
    effect: "the alcohol part removed (claimed − alcohol, never below £0); ADJUSTED (ERROR), or £0 when the alcohol is the whole amount.",
    example: "EVENING_MEAL £14.00 with alcohol £5.50 → allowed £8.50.",
    config: "",
    control: None,
    rejects: false,
};

/// SUB011 — the description mentions alcohol but no alcohol amount is given.
pub const SUB011: Rule = Rule {
    code: "SUB011",
    family: Family::Subsistence,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 33 §4.11",
    summary: "Description mentions alcohol, alcohol_amount blank: WARNING.",
    what: "a whole word of the alcohol list in the description (case-insensitive: \"wine\" matches, \"swine\" does not) of a line SUB010 could apply to, with `alcohol_amount` blank.",
    policy: ".",
    effect: "paid, WARNING (the manager checks the receipt).",
    example: "EVENING_MEAL £15.00 \"dinner and a glass of wine\" → warning.",
    config: "`subsistence.alcohol_words`.",
    control: None,
    rejects: false,
};

/// How long a claimant was away from base on a line's day (SPEC §6.5 rule 27).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeAway {
    /// Away from `from` to `to`. `from_roster` is true when the times come from
    /// the day's rostered shifts rather than the line: the roster family lists
    /// ROS005 for such lines.
    Known { from: NaiveDateTime, to: NaiveDateTime, from_roster: bool },
    /// Neither the line's times nor a shift that day (SUB007).
    Unknown,
}

/// The time away for a line: its depart/return times when both are given (a
/// bare return time earlier than the departure is the next day); otherwise the
/// day's shifts, earliest start to latest end (any type and site; a night
/// shift counts on the day it starts); otherwise unknown.
pub fn time_away(line: &ClaimLine, ctx: &Ctx) -> TimeAway {
    if let (Some(depart), Some(back)) = (line.depart_time, line.return_time) {
        let from = depart.on(line.expense_date);
        let mut to = back.on(line.expense_date);
        if to < from && matches!(back, TimeValue::Time(_)) {
            to += TimeDelta::days(1);
        }
        return if to < from { TimeAway::Unknown } else { TimeAway::Known { from, to, from_roster: false } };
    }
    let shifts = ctx.shifts_on(&line.assignment, line.expense_date);
    let from = shifts.iter().map(|s| s.date.and_time(s.start)).min();
    let to = shifts
        .iter()
        .map(|s| {
            let end = s.date.and_time(s.end);
            if s.end < s.start {
                end + TimeDelta::days(1)
            } else {
                end
            }
        })
        .max();
    match (from, to) {
        (Some(from), Some(to)) => TimeAway::Known { from, to, from_roster: true },
        _ => TimeAway::Unknown,
    }
}

/// SUB005, SUB006, SUB007, SUB009 and SUB011 on one line.
pub fn check(state: &mut LineState, ctx: &Ctx) {
    let line = state.line;
    let Some(category) = line.category else {
        return;
    };
    let rules = &ctx.config.policy.subsistence;
    if matches!(category, Category::DayMeal | Category::EveningMeal) {
        match time_away(line, ctx) {
            TimeAway::Unknown => state.fire(
                &SUB007,
                Severity::Warning,
                "no depart/return times on the line and no rostered shift that day".into(),
            ),
            TimeAway::Known { from, to, from_roster } => {
                let away = to - from;
                let source = if from_roster { "rostered" } else { "claimed" };
                let span = format!(
                    "{source} time away {} to {} ({})",
                    from.format("%Y-%m-%d %H:%M"),
                    to.format("%Y-%m-%d %H:%M"),
                    hours(away)
                );
                if from_roster {
                    state.fire(&ROS005, Severity::Info, format!("{span} taken from the shifts of the day"));
                }
                if category == Category::DayMeal {
                    let noon = line.expense_date.and_time(rules.day_meal_covers_from);
                    let two = line.expense_date.and_time(rules.day_meal_covers_to);
                    if away <= rules.day_meal_min_away {
                        state.reject(
                            &SUB005,
                            format!("{span}: needs more than {}", hours(rules.day_meal_min_away)),
                        );
                    } else if from > noon || to < two {
                        state.reject(
                            &SUB005,
                            format!(
                                "{span}: does not cover {}–{}",
                                rules.day_meal_covers_from.format("%H:%M"),
                                rules.day_meal_covers_to.format("%H:%M")
                            ),
                        );
                    }
                } else {
                    let seven = line.expense_date.and_time(rules.evening_meal_return_not_before);
                    if away <= rules.evening_meal_min_away {
                        state.reject(
                            &SUB006,
                            format!("{span}: needs more than {}", hours(rules.evening_meal_min_away)),
                        );
                    } else if to < seven {
                        state.reject(
                            &SUB006,
                            format!(
                                "{span}: returned before {}",
                                rules.evening_meal_return_not_before.format("%H:%M")
                            ),
                        );
                    }
                }
            }
        }
    }
    if category == Category::DayMeal && ctx.config.policy.is_trust_site(&line.to) {
        state.reject(&SUB009, format!("day meal at trust site {}", line.to.trim()));
    }
    if alcohol_applies(category)
        && line.alcohol_amount.is_none()
        && rules.alcohol_words.matches(&line.description)
    {
        state.fire(
            &SUB011,
            Severity::Warning,
            format!(
                "description \"{}\" mentions alcohol but no alcohol amount is given",
                line.description.trim()
            ),
        );
    }
}

/// SUB010 / SUB011 concern every non-mileage line but the flat-rate stay
/// (SPEC §6.5 rule 30).
fn alcohol_applies(category: Category) -> bool {
    !category.is_mileage() && category != Category::NonCommercialOvernight
}

/// The categories of the £29.50 daily total (SUB008): not HOTEL.
fn in_daily_total(category: Category) -> bool {
    use Category::*;
    matches!(category, NonCommercialOvernight | OvernightMeals | DayMeal | EveningMeal | Incidental)
}

/// SUB010, then SUB001–SUB004 per line and per day, then SUB008, over the
/// employee's live lines in processing order (SPEC §6.1 rules 3–4).
pub fn pass(employee: &mut Employee, ctx: &Ctx) {
    let policy = &ctx.config.policy;
    let mut hotel_used: HashMap<chrono::NaiveDate, Pence> = HashMap::new();
    let mut flat_rate_paid: HashSet<chrono::NaiveDate> = HashSet::new();
    let mut meal_used: HashMap<(chrono::NaiveDate, Category), Pence> = HashMap::new();
    // day -> positions of the day's live lines in the daily total, in order
    let mut daily: BTreeMap<chrono::NaiveDate, Vec<usize>> = BTreeMap::new();

    for (position, state) in employee.lines.iter_mut().enumerate() {
        if state.is_rejected() {
            continue;
        }
        let line = state.line;
        let Some(category) = line.category else {
            continue;
        };
        let caps = &policy.rates_on(line.expense_date).subsistence;
        let day = line.expense_date;

        if alcohol_applies(category) {
            if let Some(alcohol) = line.alcohol_amount.filter(|a| *a > Pence::ZERO) {
                state.cap(
                    &SUB010,
                    Severity::Error,
                    line.amount - alcohol,
                    format!("alcohol £{alcohol} removed from £{}", line.amount),
                );
            }
        }

        match category {
            Category::Hotel => {
                let (cap, where_) =
                    if line.london { (caps.hotel_london, "in London") } else { (caps.hotel, "") };
                let used = hotel_used.get(&day).copied().unwrap_or_default();
                let remaining = (cap - used).max(Pence::ZERO);
                if line.exceptional {
                    if line.amount > cap || state.allowed > remaining {
                        state.fire(
                            &SUB002,
                            Severity::Warning,
                            format!(
                                "hotel £{} over the £{cap} cap{}; exceptional circumstances",
                                line.amount,
                                sp(where_)
                            ),
                        );
                    }
                } else {
                    state.cap(
                        &SUB001,
                        Severity::Error,
                        cap,
                        format!("hotel £{} over the £{cap} nightly cap{}", line.amount, sp(where_)),
                    );
                    state.cap_allowed(
                        &SUB001,
                        Severity::Error,
                        remaining,
                        format!("hotels on {day} over the £{cap} cap{}: £{used} already allowed", sp(where_)),
                    );
                }
                *hotel_used.entry(day).or_default() += state.allowed;
            }
            Category::NonCommercialOvernight => {
                let flat =
                    if flat_rate_paid.insert(day) { caps.non_commercial_overnight } else { Pence::ZERO };
                if flat != line.amount {
                    let (severity, why) = if flat < line.amount {
                        (Severity::Error, "lowered")
                    } else {
                        (Severity::Info, "raised")
                    };
                    let message = if flat.is_zero() {
                        format!(
                            "the £{} flat rate for {day} is already paid on another line",
                            caps.non_commercial_overnight
                        )
                    } else {
                        format!("claimed £{} {why} to the £{flat} flat rate", line.amount)
                    };
                    state.allowed = flat;
                    state.fire(&SUB003, severity, message);
                }
            }
            Category::OvernightMeals | Category::DayMeal | Category::EveningMeal | Category::Incidental => {
                let cap = match category {
                    Category::OvernightMeals => caps.overnight_meals,
                    Category::DayMeal => caps.day_meal,
                    Category::EveningMeal => caps.evening_meal,
                    _ => caps.incidental,
                };
                let name = category.code();
                state.cap(
                    &SUB004,
                    Severity::Error,
                    cap,
                    format!("{name} £{} over the £{cap} cap", line.amount),
                );
                let used = meal_used.entry((day, category)).or_default();
                state.cap_allowed(
                    &SUB004,
                    Severity::Error,
                    cap - *used,
                    format!("{name} lines on {day} over the £{cap} daily cap: £{} already allowed", *used),
                );
                *used += state.allowed;
            }
            _ => {}
        }
        if in_daily_total(category) {
            daily.entry(day).or_default().push(position);
        }
    }

    for (day, positions) in daily {
        let limit = policy.rates_on(day).subsistence.daily_total;
        let total: Pence = positions.iter().map(|&p| employee.lines[p].allowed).sum();
        let mut excess = total - limit;
        for &position in positions.iter().rev() {
            if excess <= Pence::ZERO {
                break;
            }
            let state = &mut employee.lines[position];
            let cut = excess.min(state.allowed);
            let before = state.allowed;
            state.cap_allowed(
                &SUB008,
                Severity::Error,
                before - cut,
                format!("subsistence on {day} totals £{total}, over the £{limit} daily limit"),
            );
            excess -= cut;
        }
    }
}

/// " in London" or "".
fn sp(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" {text}")
    }
}

/// A duration as `5h00`.
fn hours(d: TimeDelta) -> String {
    format!("{}h{:02}", d.num_hours(), d.num_minutes() % 60)
}

#[cfg(test)]
mod tests;
