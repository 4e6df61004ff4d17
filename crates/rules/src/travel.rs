//! TRV — other travel: taxi, air, car hire, rail class, parking, fines,
//! hospitality (SPEC §3.5, §6.5 rules 31–34; CORP/EMP 33 §4.5–§4.11).
//!
//! Every TRV rule looks at one line only ([`check`]). TRV001 and TRV004 cut
//! the line to the fare when one is given and below the claim, and reject it
//! when there is no fare to fall back on (SPEC §6.1 rule 2).

use super::{Family, Rule};
use crate::model::rule::Severity;
use crate::model::{AuthLevel, Category, Pence, RailClass};
use crate::state::{Ctx, LineState};

/// TRV001 — taxi without the authorisation it needs.
pub const TRV001: Rule = Rule {
    code: "TRV001",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.2",
    summary: "Taxi without Care Group Director (or higher) authorisation: cut to the public transport cost, else REJECTED.",
    what: "a TAXI line authorised below CARE_GROUP_DIRECTOR (\"or higher\": EXECUTIVE_DIRECTOR, CHIEF_EXECUTIVE also do).",
    policy: "taxis only in exceptional circumstances, authorised in advance by an Executive or Care Group Director; otherwise \"only the equivalent to public transport costs ... will be reimbursed\".",
    effect: "with `public_transport_cost` below the claim, reduced to it (ADJUSTED, ERROR; £0 gives £0); with no cost given, REJECTED.",
    example: "TAXI £23.00, authorised LINE_MANAGER, bus/rail cost £4.20 → allowed £4.20; the same without a bus/rail cost → rejected.",
    config: "`travel.taxi_authorisation`.",
    control: None,
    rejects: false,
};

/// TRV002 — air travel without Executive Director authorisation.
pub const TRV002: Rule = Rule {
    code: "TRV002",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.6",
    summary: "Air travel without Executive Director (or higher) authorisation: REJECTED.",
    what: "an AIR line authorised below EXECUTIVE_DIRECTOR.",
    policy: "\"the cost of air travel must be authorised in advance by an Executive Director of the Trust\".",
    effect: "REJECTED (ERROR).",
    example: "AIR £129.00, authorised CARE_GROUP_DIRECTOR → rejected.",
    config: "`travel.air_authorisation`.",
    control: None,
    rejects: true,
};

/// TRV003 — car hire or hire-car fuel without the authorisation it needs.
pub const TRV003: Rule = Rule {
    code: "TRV003",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.5.1",
    summary: "Car hire / hire fuel without Care Group Director (or higher) authorisation: REJECTED.",
    what: "a CAR_HIRE or HIRE_FUEL line authorised below CARE_GROUP_DIRECTOR.",
    policy: "hire costs reimbursed \"if your manager has sought and received written permission from an Executive or Care Group Director\".",
    effect: "REJECTED (ERROR).",
    example: "CAR_HIRE £64.00, authorised LINE_MANAGER → rejected.",
    config: "`travel.car_hire_authorisation`.",
    control: None,
    rejects: true,
};

/// TRV004 — first-class rail.
pub const TRV004: Rule = Rule {
    code: "TRV004",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.7",
    summary: "First-class rail: cut to the standard fare, else REJECTED.",
    what: "a RAIL line with rail_class FIRST.",
    policy: "\"First class travel will not be reimbursed under any circumstances\".",
    effect: "with a `standard_fare` below the claim, reduced to it (ADJUSTED, ERROR; £0 gives £0); with no standard fare given, REJECTED.",
    example: "RAIL FIRST £86.00, standard fare £41.50 → allowed £41.50.",
    config: "",
    control: None,
    rejects: false,
};

/// TRV005 — parking at a trust site.
pub const TRV005: Rule = Rule {
    code: "TRV005",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.9",
    summary: "Parking at a trust site: REJECTED.",
    what: "a PARKING line whose `to` is one of the trust's sites.",
    policy: "parking is paid when you \"had to park somewhere in the course of carrying out your duties\"; staff parking at the trust's own sites is not a business expense.",
    effect: "REJECTED (ERROR).",
    example: "PARKING £3.50 to \"DRI\", receipt Y → rejected.",
    config: "`sites.trust_sites`.",
    control: None,
    rejects: true,
};

/// TRV006 — a fine.
pub const TRV006: Rule = Rule {
    code: "TRV006",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.9",
    summary: "Parking or motoring fine: REJECTED.",
    what: "a FINE line, or a PARKING line whose description has a fine word (whole word, any case: \"PCN\", \"penalty\", \"fine\").",
    policy: "\"Parking fines or fines for other motoring-related offences will not be paid for in any circumstance\".",
    effect: "REJECTED (ERROR).",
    example: "PARKING £70.00 \"PCN Leeds General\" → rejected.",
    config: "`travel.fine_words`.",
    control: None,
    rejects: true,
};

/// TRV007 — hospitality without executive and Chief Executive permission.
pub const TRV007: Rule = Rule {
    code: "TRV007",
    family: Family::Travel,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 33 §4.11",
    summary: "Hospitality without Chief Executive authorisation: REJECTED.",
    what: "a HOSPITALITY line authorised below CHIEF_EXECUTIVE.",
    policy:
        "hospitality needs \"the permission in advance, of an Executive Director and the Chief Executive\".",
    effect: "REJECTED (ERROR).",
    example: "HOSPITALITY £60.00, authorised EXECUTIVE_DIRECTOR → rejected.",
    config: "`travel.hospitality_authorisation`.",
    control: None,
    rejects: true,
};

/// TRV001–TRV007 on one line.
pub fn check(state: &mut LineState, ctx: &Ctx) {
    let line = state.line;
    let Some(category) = line.category else {
        return;
    };
    let travel = &ctx.config.policy.travel;
    let below = |needed: AuthLevel| line.authorised_by < needed;
    match category {
        Category::Taxi if below(travel.taxi_authorisation) => {
            let why = format!(
                "taxi authorised {} (needs {} or higher)",
                line.authorised_by, travel.taxi_authorisation
            );
            fall_back_to_fare(state, &TRV001, line.public_transport_cost, &why, "public transport cost");
        }
        Category::Air if below(travel.air_authorisation) => state.reject(
            &TRV002,
            format!(
                "air travel authorised {} (needs {} or higher)",
                line.authorised_by, travel.air_authorisation
            ),
        ),
        Category::CarHire | Category::HireFuel if below(travel.car_hire_authorisation) => state.reject(
            &TRV003,
            format!(
                "{} authorised {} (needs {} or higher)",
                category, line.authorised_by, travel.car_hire_authorisation
            ),
        ),
        Category::Rail if line.rail_class == RailClass::First => {
            fall_back_to_fare(state, &TRV004, line.standard_fare, "first-class rail", "standard fare");
        }
        Category::Hospitality if below(travel.hospitality_authorisation) => state.reject(
            &TRV007,
            format!(
                "hospitality authorised {} (needs {})",
                line.authorised_by, travel.hospitality_authorisation
            ),
        ),
        _ => {}
    }
    if category == Category::Parking && ctx.config.policy.is_trust_site(&line.to) {
        state.reject(&TRV005, format!("parking at trust site {}", line.to.trim()));
    }
    if category == Category::Fine {
        state.reject(&TRV006, "fines are never paid".into());
    } else if category == Category::Parking && travel.fine_words.matches(&line.description) {
        state.reject(&TRV006, format!("parking described as a fine: \"{}\"", line.description.trim()));
    }
}

/// TRV001 / TRV004: cut to the fare when it is below the claim (SPEC §6.5
/// rule 33), nothing when it is not, reject when there is none.
fn fall_back_to_fare(
    state: &mut LineState,
    rule: &'static Rule,
    fare: Option<Pence>,
    why: &str,
    fare_name: &str,
) {
    match fare {
        Some(fare) => {
            state.cap(rule, Severity::Error, fare, format!("{why}: paid at the {fare_name} £{fare}"))
        }
        None => state.reject_outright(rule, format!("{why}, and no {fare_name} to pay instead")),
    }
}

#[cfg(test)]
mod tests;
