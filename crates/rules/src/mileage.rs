//! MIL — mileage (SPEC §3.3, §6.4; CORP/EMP 33 §4.2, §4.3, §4.5, Appendix 1).
//!
//! A mileage line is priced in three chained steps (SPEC §6.1 rule 4's
//! exception): the route cap (MIL002), the commute deduction (MIL001), then the
//! rate (MIL003, MIL004, the Special Rate threshold of MIL009). The allowed
//! amount is the priced entitlement whatever was claimed (MIL005). Later,
//! after every other family, MIL007 cuts car journeys that cost more than the
//! standard rail fare.
//!
//! Passes, in the order the engine runs them:
//! * [`check`] (line check): MIL006, insurance — rejecting;
//! * [`passengers`] (employee pass, first): MIL008 — rejecting, needs the
//!   employee's other lines;
//! * [`price`] (employee pass): MIL001–MIL005, MIL009 and the year-to-date
//!   Special Rate miles;
//! * [`journeys`] (employee pass, after every other amount-changing pass): MIL007.

use super::{Family, Rule};
use crate::model::claim::ClaimLine;
use crate::model::money::round_half_up_div;
use crate::model::roster::Staff;
use crate::model::rule::Severity;
use crate::model::{Category, Miles, Pence, StaffGroup, TravelType};
use crate::state::{Ctx, Employee, LineState};
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

/// MIL001 — commute miles deducted from a leg that starts or ends at HOME.
pub const MIL001: Rule = Rule {
    code: "MIL001",
    family: Family::Mileage,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.2",
    summary: "Leg starting or ending at HOME: the home-to-base commute is deducted (never below 0).",
    what: "MILEAGE_CAR, MILEAGE_LEASE_CAR, MILEAGE_MOTORCYCLE, MILEAGE_BICYCLE and PASSENGER lines whose `from` and/or `to` is `HOME`. EXCESS_TRAVEL and ONCALL_MILEAGE never get the deduction.",
    policy: "\"eligible mileage starts 15 miles from home\" (the ordinary commute is not business travel).",
    effect: "`home_to_base_miles` is deducted once per HOME end (twice for HOME→HOME), never below 0 miles; INFO; the line is priced on what is left (ADJUSTED when that differs from the claim).",
    example: "commute 15 miles, HOME→first call 22 miles at 25p claimed £5.50 → 7 eligible miles, allowed £1.75.",
    config: "none (the commute is the Staff sheet's `home_to_base_miles`).",
    control: None,
    rejects: false,
};

/// MIL002 — miles over the route tolerance.
pub const MIL002: Rule = Rule {
    code: "MIL002",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Miles above route_miles × {claims.route_tolerance}: capped (ERROR), or kept when exceptional (WARNING).",
    what: "any mileage line with `route_miles` where `miles > route_miles × 1.10`.",
    policy: "the e-expenses tool prices the shortest route and allows only a small increase for traffic or time.",
    effect: "miles capped at `route_miles × 1.10` (to 0.1 mile, rounded down), ERROR; with `exceptional` = Y the miles are kept and the line is flagged WARNING.",
    example: "route 10.0 miles, claimed 11.1 miles → priced on 11.0 miles; 11.0 miles claimed → no finding.",
    config: "`claims.route_tolerance`.",
    control: None,
    rejects: false,
};

/// MIL003 — asked for the Special Rate without being eligible.
pub const MIL003: Rule = Rule {
    code: "MIL003",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.6, Appendix 1",
    summary: "Special Rate asked for but not eligible: priced at the Lower Rate.",
    what: "a MILEAGE_CAR or ONCALL_MILEAGE line with travel_type COMMUNITY or CLINICAL from someone not eligible: only AFC staff with COMMUNITY travel and `special_rate_from` on or before the expense date, and MEDICAL staff with CLINICAL travel, are (SPEC §6.4 rule 20).",
    policy: "CORP/EMP 33 §4.5.6 and Appendix 1 (Special Rate needs line management and P&OD approval).",
    effect: "priced at the Lower Rate; ADJUSTED, ERROR.",
    example: "AFC, COMMUNITY, no SR approval, 100 miles claimed £56.00 → allowed £25.00.",
    config: "`rates.mileage.lower`.",
    control: None,
    rejects: false,
};

/// MIL004 — a lease-car holder's own-car or on-call mileage.
pub const MIL004: Rule = Rule {
    code: "MIL004",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.6",
    summary: "Lease-car holder's car or on-call mileage: repriced at the lease rate.",
    what: "every MILEAGE_CAR and ONCALL_MILEAGE line of a claimant with `lease_car` = Y, even when the claim already equals the lease price (SPEC §6.4 rule 21); it wins over MIL003.",
    policy: "\"If you have a Trust lease car ... you cannot claim the LR or SR under any circumstances.\"",
    effect: "priced at the lease rate; ADJUSTED, ERROR. MILEAGE_LEASE_CAR lines are priced at the lease rate with no finding; a lease holder's EXCESS_TRAVEL stays at the Lower Rate.",
    example: "lease holder, 100 miles MILEAGE_CAR claimed £25.00 → £14.00.",
    config: "`rates.mileage.lease`.",
    control: None,
    rejects: false,
};

/// MIL005 — the claim differs from the entitlement for another reason.
pub const MIL005: Rule = Rule {
    code: "MIL005",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.6, Appendix 1",
    summary: "Claimed amount ≠ eligible miles × rate: paid the entitlement (ERROR if lower, INFO if higher).",
    what: "the priced entitlement (eligible miles × rate, before MIL007) differs from the claimed amount and none of MIL001, MIL002 (when it capped), MIL003, MIL004 fired (SPEC §6.4 rule 23): arithmetic, a threshold split, a stale rate.",
    policy: "CORP/EMP 33 Appendix 1 (the rates per mile).",
    effect: "allowed = the entitlement; ERROR when it is lower than the claim, INFO when it is higher (the claimant is raised to the entitlement and \"withheld\" is negative).",
    example: "10 miles at 25p claimed £3.00 → £2.50 (ERROR); claimed £2.00 → £2.50 (INFO).",
    config: "`rates.mileage.*`.",
    control: None,
    rejects: false,
};

/// MIL006 — own-vehicle mileage with no business insurance in force.
pub const MIL006: Rule = Rule {
    code: "MIL006",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.6, §4.5.7",
    summary: "Own-vehicle mileage without business insurance in force on the expense date: REJECTED.",
    what: "MILEAGE_CAR, MILEAGE_MOTORCYCLE, EXCESS_TRAVEL and ONCALL_MILEAGE lines (lease holders' included) whose claimant's `insurance_expiry` is blank or before the expense date. Insurance is in force on its expiry date.",
    policy: "\"You will not be able to claim unless you hold a motor insurance certificate that confirms you are covered for business use.\"",
    effect: "REJECTED (ERROR).",
    example: "expiry 2025-05-13, journey 2025-05-14 → rejected; journey on 2025-05-13 → paid.",
    config: "",
    control: None,
    rejects: true,
};

/// MIL007 — a car journey that costs more than the standard rail fare.
pub const MIL007: Rule = Rule {
    code: "MIL007",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.6",
    summary: "Car journey (mileage + parking + tolls) above the standard rail fare: mileage cut to the fare.",
    what: "the MILEAGE_CAR / MILEAGE_LEASE_CAR, PARKING and TOLL lines of one journey — the same non-blank `journey_ref`, else the same claim and expense date (SPEC §6.4 rule 25) — whose allowed amounts after every other rule add up to more than the lowest `standard_fare` on the journey's car lines.",
    policy: "\"The total claim for any journey made by car (including the mileage rate, parking, toll fees etc), should not exceed the standard class rail fare that can be achieved by advance booking.\"",
    effect: "the excess is cut from the car lines, last in processing order first, never below £0; ADJUSTED, ERROR.",
    example: "mileage £25.00 + parking £10.00, standard fare £30.00 → mileage paid £20.00.",
    config: "",
    control: None,
    rejects: false,
};

/// MIL008 — a passenger allowance without a vehicle.
pub const MIL008: Rule = Rule {
    code: "MIL008",
    family: Family::Mileage,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.5",
    summary: "Passenger line with no passengers or no car/lease mileage line on the same claim and date: REJECTED.",
    what: "a PASSENGER line with `passengers` < 1, or with no MILEAGE_CAR / MILEAGE_LEASE_CAR line (that passed the DAT checks, whatever its own outcome) on the same claim and expense date (SPEC §6.4 rule 26).",
    policy: "the allowance is for giving a colleague a lift \"in your own or lease car\".",
    effect: "REJECTED (ERROR).",
    example: "PASSENGER 20 miles, 1 passenger, claim C7 with no car line that day → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// MIL009 — the Special Rate threshold is crossed inside this line.
pub const MIL009: Rule = Rule {
    code: "MIL009",
    family: Family::Mileage,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.5.6, Appendix 1",
    summary: "Special Rate {rates.mileage.special_rate_threshold_miles}-mile financial-year threshold crossed inside this line: split {rates.mileage.special} / {rates.mileage.special_after_threshold}.",
    what: "a Special-Rate line whose eligible miles lie partly below and partly above the 3,500 SR miles of the financial year (ledger + earlier live lines of the run). Reaching exactly 3,500 is not crossing.",
    policy: "\"56 pence per mile up to 3500 miles dropping to 20 pence per mile thereafter\".",
    effect: "INFO; the line is split, each part priced and rounded separately.",
    example: "3,499 SR miles to date, 2 miles claimed → 1 mile at 56p + 1 mile at 20p = £0.76.",
    config: "`rates.mileage.special`, `special_after_threshold`, `special_rate_threshold_miles`.",
    control: None,
    rejects: false,
};

/// Vehicle lines MIL007 and MIL008 look for.
fn is_car(category: Option<Category>) -> bool {
    matches!(category, Some(Category::MileageCar | Category::MileageLeaseCar))
}

/// Whether a location is the claimant's home (trimmed, case-insensitive).
fn is_home(place: &str) -> bool {
    place.trim().eq_ignore_ascii_case("HOME")
}

/// MIL006 on one line.
pub fn check(state: &mut LineState, _ctx: &Ctx) {
    let line = state.line;
    let own_vehicle = matches!(
        line.category,
        Some(
            Category::MileageCar
                | Category::MileageMotorcycle
                | Category::ExcessTravel
                | Category::OncallMileage
        )
    );
    if !own_vehicle {
        return;
    }
    match state.staff.insurance_expiry {
        None => state.reject(&MIL006, "no business-use motor insurance certificate on file".into()),
        Some(expiry) if expiry < line.expense_date => state.reject(
            &MIL006,
            format!(
                "business-use insurance expired on {expiry}, before the journey on {}",
                line.expense_date
            ),
        ),
        Some(_) => {}
    }
}

/// MIL008 over the employee's PASSENGER lines. Runs before every pass that
/// keeps a running total, so a rejected passenger line consumes nothing.
pub fn passengers(employee: &mut Employee, _ctx: &Ctx) {
    let vehicle_days: Vec<(&str, NaiveDate)> = employee
        .valid
        .iter()
        .filter(|l| is_car(l.category))
        .map(|l| (l.claim_id.as_str(), l.expense_date))
        .collect();
    for state in employee.lines.iter_mut() {
        let line = state.line;
        if line.category != Some(Category::Passenger) {
            continue;
        }
        let mut reasons = Vec::new();
        if line.passengers < 1 {
            reasons.push(format!("{} passengers", line.passengers));
        }
        if !vehicle_days.contains(&(line.claim_id.as_str(), line.expense_date)) {
            reasons.push(format!(
                "no car or lease-car mileage line on claim {} for {}",
                line.claim_id, line.expense_date
            ));
        }
        if !reasons.is_empty() {
            state.reject(&MIL008, format!("passenger allowance without a vehicle: {}", reasons.join("; ")));
        }
    }
}

/// How a mileage line is priced (SPEC §3.3 rate table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basis {
    /// 56p, dropping to 20p past the financial year's threshold.
    Special,
    Lower,
    Lease,
    Motorcycle,
    Bicycle,
    /// Per passenger mile, one rounding over all passengers.
    Passenger,
}

/// Special Rate eligibility (SPEC §3.3, §6.4 rule 20).
fn special_rate_eligible(staff: &Staff, travel: Option<TravelType>, date: NaiveDate) -> bool {
    match (staff.staff_group, travel) {
        (StaffGroup::Afc, Some(TravelType::Community)) => staff.special_rate_from.is_some_and(|d| d <= date),
        (StaffGroup::Medical, Some(TravelType::Clinical)) => true,
        _ => false,
    }
}

/// The basis of a line, and the rule (MIL003 or MIL004) that repriced it.
fn basis(line: &ClaimLine, category: Category, staff: &Staff) -> (Basis, Option<&'static Rule>) {
    match category {
        Category::MileageCar | Category::OncallMileage => {
            if staff.lease_car {
                return (Basis::Lease, Some(&MIL004));
            }
            let asks_special = matches!(line.travel_type, Some(TravelType::Community | TravelType::Clinical));
            if !asks_special {
                (Basis::Lower, None)
            } else if special_rate_eligible(staff, line.travel_type, line.expense_date) {
                (Basis::Special, None)
            } else {
                (Basis::Lower, Some(&MIL003))
            }
        }
        Category::MileageLeaseCar => (Basis::Lease, None),
        Category::MileageMotorcycle => (Basis::Motorcycle, None),
        Category::MileageBicycle => (Basis::Bicycle, None),
        Category::Passenger => (Basis::Passenger, None),
        // EXCESS_TRAVEL (and anything else): Lower Rate, lease holders included.
        _ => (Basis::Lower, None),
    }
}

/// Prices every live mileage line of the employee: eligible miles (route cap,
/// commute deduction), rate, the Special Rate threshold (MIL001–MIL005,
/// MIL009). Sets `allowed` to the entitlement, `eligible_miles` and
/// `sr_miles_counted`.
pub fn price(employee: &mut Employee, ctx: &Ctx) {
    let staff = employee.staff;
    let policy = &ctx.config.policy;
    // Special Rate miles counted earlier in this run, by financial year.
    let mut sr_this_run: HashMap<i32, Miles> = HashMap::new();
    for state in employee.lines.iter_mut() {
        if state.is_rejected() {
            continue;
        }
        let line = state.line;
        // DAT002 / DAT004 guarantee both on a live mileage line.
        let (Some(category), Some(claimed_miles)) = (line.category, line.miles) else {
            continue;
        };
        if !category.is_mileage() {
            continue;
        }
        let rates = &policy.rates_on(line.expense_date).mileage;

        // Step 1: route tolerance (SPEC §3.3 step 1, §6.4 rule 19).
        let mut miles = claimed_miles;
        let mut route_capped = false;
        if let Some(route) = line.route_miles {
            let limit = Miles(policy.claims.route_tolerance.mul_floor(route.0));
            if miles > limit {
                let message =
                    format!("{miles} miles claimed, shortest route {route} miles allows up to {limit}");
                if line.exceptional {
                    state.fire(&MIL002, Severity::Warning, message + "; exceptional circumstances, paid");
                } else {
                    state.fire(&MIL002, Severity::Error, message + "; capped");
                    miles = limit;
                    route_capped = true;
                }
            }
        }

        // Step 2: commute deduction (SPEC §3.3 step 2).
        if !matches!(category, Category::ExcessTravel | Category::OncallMileage) {
            let home_ends = i64::from(is_home(&line.from)) + i64::from(is_home(&line.to));
            let deducted = Miles(staff.home_to_base_miles.0 * home_ends).min(miles);
            if deducted > Miles::ZERO {
                state.fire(
                    &MIL001,
                    Severity::Info,
                    format!(
                        "{deducted} commute miles deducted ({} → {}, home to base {} miles): {} eligible",
                        line.from.trim(),
                        line.to.trim(),
                        staff.home_to_base_miles,
                        miles - deducted
                    ),
                );
                miles -= deducted;
            }
        }
        state.eligible_miles = Some(miles);

        // Step 3: rate.
        let (basis, repriced_by) = basis(line, category, staff);
        let (entitlement, priced) = match basis {
            Basis::Special => {
                let year = crate::model::time::financial_year(line.expense_date);
                let counted = sr_this_run.entry(year).or_default();
                let to_date = ctx.history.sr_miles_before(&staff.assignment, year) + *counted;
                let threshold = rates.special_rate_threshold_miles;
                let at_special = (threshold - to_date).max(Miles::ZERO).min(miles);
                let after = miles - at_special;
                *counted += miles;
                state.sr_miles_counted = miles;
                if at_special > Miles::ZERO && after > Miles::ZERO {
                    state.fire(
                        &MIL009,
                        Severity::Info,
                        format!(
                            "Special Rate threshold of {threshold} miles reached in this line ({to_date} to date): \
                             {at_special} miles at {}p, {after} miles at {}p",
                            rates.special.0, rates.special_after_threshold.0
                        ),
                    );
                }
                let amount =
                    at_special.priced_at(rates.special) + after.priced_at(rates.special_after_threshold);
                let priced = if after.0 == 0 {
                    format!("{miles} miles at {}p", rates.special.0)
                } else if at_special.0 == 0 {
                    format!(
                        "{miles} miles at {}p (past {threshold} SR miles)",
                        rates.special_after_threshold.0
                    )
                } else {
                    format!(
                        "{at_special} miles at {}p + {after} miles at {}p",
                        rates.special.0, rates.special_after_threshold.0
                    )
                };
                (amount, priced)
            }
            Basis::Passenger => {
                // One rounding over all passengers (SPEC §6.4 rule 19).
                let amount = Pence(round_half_up_div(
                    i128::from(miles.0) * i128::from(rates.passenger.0) * i128::from(line.passengers),
                    10,
                ));
                (amount, format!("{miles} miles × {} passengers at {}p", line.passengers, rates.passenger.0))
            }
            flat => {
                let rate = match flat {
                    Basis::Lower => rates.lower,
                    Basis::Lease => rates.lease,
                    Basis::Motorcycle => rates.motorcycle,
                    _ => rates.bicycle,
                };
                (miles.priced_at(rate), format!("{miles} miles at {}p", rate.0))
            }
        };

        match repriced_by {
            Some(rule) if rule.code == MIL004.code => state.fire(
                &MIL004,
                Severity::Error,
                format!("lease-car holder: {priced} = £{entitlement} (claimed £{})", line.amount),
            ),
            Some(rule) => state.fire(
                rule,
                Severity::Error,
                format!("not eligible for the Special Rate: Lower Rate {priced} = £{entitlement}"),
            ),
            None => {}
        }

        let explained = state.has(&MIL001) || route_capped || repriced_by.is_some();
        if entitlement != line.amount && !explained {
            let (severity, direction) =
                if entitlement < line.amount { (Severity::Error, "cut") } else { (Severity::Info, "raised") };
            state.fire(
                &MIL005,
                severity,
                format!("claimed £{}, entitlement {priced} = £{entitlement}: {direction}", line.amount),
            );
        }
        // The entitlement is paid whatever was claimed (SPEC §3.3), so this
        // is not a cap: it may exceed the claim.
        state.allowed = entitlement;
    }
}

/// The journey a MIL007 line belongs to (SPEC §6.4 rule 25).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Journey {
    /// A non-blank journey_ref, trimmed and upper-cased.
    Ref(String),
    /// Blank journey_ref: the claim and the day.
    ClaimDay(String, NaiveDate),
}

/// MIL007 over the employee's car journeys. Runs after every other pass that
/// changes an allowed amount (only TAX comes after it), because a journey's
/// cost is its lines' allowed amounts after every other rule.
pub fn journeys(employee: &mut Employee, _ctx: &Ctx) {
    let mut members: BTreeMap<Journey, Vec<usize>> = BTreeMap::new();
    for (i, state) in employee.lines.iter().enumerate() {
        let line = state.line;
        let in_journey =
            is_car(line.category) || matches!(line.category, Some(Category::Parking | Category::Toll));
        if !in_journey || state.is_rejected() {
            continue;
        }
        let reference = line.journey_ref.trim();
        let key = if reference.is_empty() {
            Journey::ClaimDay(line.claim_id.clone(), line.expense_date)
        } else {
            Journey::Ref(reference.to_uppercase())
        };
        members.entry(key).or_default().push(i);
    }
    for (journey, indices) in members {
        let fare = indices
            .iter()
            .map(|&i| &employee.lines[i])
            .filter(|s| is_car(s.line.category))
            .filter_map(|s| s.line.standard_fare)
            .min();
        let Some(fare) = fare else {
            continue;
        };
        let cost: Pence = indices.iter().map(|&i| employee.lines[i].allowed).sum();
        if cost <= fare {
            continue;
        }
        let name = match &journey {
            Journey::Ref(r) => format!("journey {r}"),
            Journey::ClaimDay(claim, day) => format!("claim {claim} journey on {day}"),
        };
        let mut excess = cost - fare;
        for &i in indices.iter().rev() {
            let state = &mut employee.lines[i];
            if excess.is_zero() {
                break;
            }
            if !is_car(state.line.category) || state.allowed <= Pence::ZERO {
                continue;
            }
            let cut = excess.min(state.allowed);
            state.allowed -= cut;
            excess -= cut;
            state.fire(
                &MIL007,
                Severity::Error,
                format!(
                    "{name} costs £{cost} (mileage, parking, tolls), above the standard rail fare £{fare}: \
                     mileage cut by £{cut}"
                ),
            );
        }
    }
}
