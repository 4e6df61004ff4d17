//! TAX — taxable amounts and P11D (SPEC §3.8, §6.6 rules 36–37; CORP/EMP 33
//! "P11D and tax", CORP/EMP 10 §4.1, HMRC approved mileage allowance payments).
//!
//! One pass, [`apply`], after every other pass: it works on the final allowed
//! amounts. For each live line it sets `taxable_payroll`, `p11d_amount` and
//! `p11d_section`; the engine keeps them on paid lines only. A line taxed
//! through payroll (TAX001–TAX004) gets no AMAP excess and no P11D amount
//! (SPEC §6.6 rule 36). TAX findings are INFO and fire only on lines with a
//! positive allowed amount.

use super::{Family, Rule};
use crate::config::MileageExcess;
use crate::model::money::round_half_up_div;
use crate::model::rule::Severity;
use crate::model::time::tax_year;
use crate::model::{Category, Miles, Pence, StaffGroup};
use crate::state::{Ctx, Employee, LineState};
use foldhash::{HashMap, HashMapExt};

#[cfg(test)]
mod tests;

/// TAX001 — excess travel after a change of base is taxable.
pub const TAX001: Rule = Rule {
    code: "TAX001",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.3",
    summary: "EXCESS_TRAVEL: whole allowed amount taxable through payroll.",
    what: "EXCESS_TRAVEL lines.",
    policy: "\"These expenses are taxable\".",
    effect: "the whole allowed amount is `taxable_payroll` (MILEAGE_TAXABLE); INFO.",
    example: "40 extra miles at 25p → £10.00 taxable through pay.",
    config: "",
    control: None,
    rejects: false,
};

/// TAX002 — on-call home-to-work mileage of non-medical staff is taxable.
pub const TAX002: Rule = Rule {
    code: "TAX002",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 P11D and tax",
    summary: "ONCALL_MILEAGE of non-medical staff: whole allowed amount taxable through payroll.",
    what: "ONCALL_MILEAGE lines of staff_group AFC or OTHER.",
    policy: "CORP/EMP 33 \"P11D and tax\" — home-to-work mileage for staff on call is taxable unless the individual has \"taken responsibility\"; HMRC generally accepts that only medical staff can; it is taxed through pay.",
    effect: "whole allowed amount `taxable_payroll`; INFO.",
    example: "AFC on-call 12 miles at 25p → £3.00 taxable.",
    config: "",
    control: None,
    rejects: false,
};

/// TAX003 — a lost-receipt expense is taxable.
pub const TAX003: Rule = Rule {
    code: "TAX003",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.1",
    summary: "Lost receipt (RCT003): whole allowed amount taxable through payroll.",
    what: "a receipt-needing line with RCT003 (receipt LOST with a reason) (SPEC §6.5 rule 34).",
    policy: "\"Any un-receipted expenses will be taxed as per HMRC rules.\"",
    effect: "whole allowed amount `taxable_payroll`; INFO.",
    example: "£12.00 rail fare, receipt lost on the train → £12.00 taxable.",
    config: "",
    control: None,
    rejects: false,
};

/// TAX004 — a season ticket reimbursement is taxable.
pub const TAX004: Rule = Rule {
    code: "TAX004",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 §4.2, P11D and tax",
    summary: "SEASON_TICKET: whole allowed amount taxable through payroll.",
    what: "SEASON_TICKET lines.",
    policy: "CORP/EMP 33 §4.2 and \"P11D and tax\" — reimbursement of a weekly/monthly/annual travel pass is taxable.",
    effect: "whole allowed amount `taxable_payroll` (TRAVEL_TAXABLE); INFO.",
    example: "£95.00 monthly pass → £95.00 taxable.",
    config: "",
    control: None,
    rejects: false,
};

/// TAX005 — own-vehicle mileage paid above HMRC approved amounts.
pub const TAX005: Rule = Rule {
    code: "TAX005",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 33 P11D and tax; HMRC AMAP",
    summary: "Own-vehicle mileage above HMRC approved amounts: excess on the P11D section E (or taxed via payroll).",
    what: "MILEAGE_CAR, MILEAGE_MOTORCYCLE, MILEAGE_BICYCLE, PASSENGER lines and MEDICAL staff's ONCALL_MILEAGE lines whose allowed amount is above the approved amount: eligible miles × the HMRC rate (car 45p for the first 10,000 miles of the tax year, 6 April, then 25p, a crossing line split and each part rounded; motorcycle 24p; bicycle 20p; passenger 5p per passenger mile). Car miles counted towards the 10,000: MILEAGE_CAR and medical ONCALL_MILEAGE (ledger + earlier live lines). Lease-car lines, EXCESS_TRAVEL and non-medical on-call are not AMAP.",
    policy: "CORP/EMP 33 \"P11D and tax\" — the P11D shows the mileage reimbursement and the taxable benefit; HMRC AMAP.",
    effect: "excess = allowed − approved → `p11d_amount`, section E; or `taxable_payroll` when `mileage_excess = \"payroll\"`; INFO.",
    example: "100 SR miles at 56p = £56.00, approved 100 × 45p = £45.00 → £11.00 on the P11D, section E.",
    config: "`claims.mileage_excess`, `rates.amap.*`.",
    control: None,
    rejects: false,
};

/// TAX006 — relocation payments are reported on the P11D.
pub const TAX006: Rule = Rule {
    code: "TAX006",
    family: Family::Tax,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 10 §4.1",
    summary: "Relocation: amount above relocation_p11d_exempt ({claims.relocation_p11d_exempt} for the employment) on the P11D section J.",
    what: "RELOCATION and RELOCATION_MISC lines not taxed through payroll.",
    policy: "CORP/EMP 10 §4.1 — relocation payments are taxable earnings \"notified ... by a P11D notification\"; on HMRC's form P11D they belong in section J (relocation expenses payments and benefits). HMRC exempts qualifying costs up to £8,000 per relocation; `relocation_p11d_exempt` applies that exemption when the organisation chooses.",
    effect: "the allowed amount above what is left of `relocation_p11d_exempt` for the employment (relocation paid earlier, ledger + this run, uses it up) → `p11d_amount`, section J (HMRC's section for relocation expenses; K is \"services supplied\"); INFO. By default (£0 exempt) all of it.",
    example: "RELOCATION £1,200.00 → £1,200.00 on the P11D, section J.",
    config: "`claims.relocation_p11d_exempt` (default £0: the whole amount is reported).",
    control: None,
    rejects: false,
};

/// P11D section of mileage above approved amounts.
const SECTION_MILEAGE: char = 'E';
/// P11D section of relocation.
const SECTION_RELOCATION: char = 'J';

/// TAX001–TAX006 over the employee's live lines, in processing order. Runs
/// last: amounts are final.
pub fn apply(employee: &mut Employee, ctx: &Ctx) {
    let staff = employee.staff;
    let policy = &ctx.config.policy;
    // AMAP car miles counted earlier in this run, by tax year.
    let mut amap_this_run: HashMap<i32, Miles> = HashMap::new();
    // Relocation paid to date for this employment (SPEC §6.6 rule 35).
    let mut relocation_paid = ctx
        .history
        .relocation_paid(&staff.assignment, staff.start_date)
        .map_or(Pence::ZERO, |paid| paid.total);
    for state in employee.lines.iter_mut() {
        if state.is_rejected() {
            continue;
        }
        let Some(category) = state.line.category else {
            continue;
        };
        let payroll_taxable = payroll_taxable(state, category, staff.staff_group);

        // AMAP miles count at pricing, whatever the final amount (SPEC §6.4 rule 24).
        let approved = approved_amount(state, category, staff.staff_group, ctx, &mut amap_this_run);

        let relocation_share = if matches!(category, Category::Relocation | Category::RelocationMisc) {
            let exempt_left = (policy.claims.relocation_p11d_exempt - relocation_paid).max(Pence::ZERO);
            relocation_paid += state.allowed;
            Some(((state.allowed - exempt_left).max(Pence::ZERO), exempt_left))
        } else {
            None
        };

        if payroll_taxable || state.allowed <= Pence::ZERO {
            continue;
        }
        if let Some((approved, describe)) = approved {
            let excess = state.allowed - approved;
            if excess > Pence::ZERO {
                let to = match policy.claims.mileage_excess {
                    MileageExcess::P11d => {
                        state.p11d_amount = excess;
                        state.p11d_section = Some(SECTION_MILEAGE);
                        "P11D section E"
                    }
                    MileageExcess::Payroll => {
                        state.taxable_payroll = excess;
                        "taxable through payroll"
                    }
                };
                state.fire(
                    &TAX005,
                    Severity::Info,
                    format!(
                        "paid £{} above the HMRC approved amount £{approved} ({describe}): £{excess} {to}",
                        state.allowed
                    ),
                );
            }
        }
        if let Some((reportable, exempt_left)) = relocation_share {
            if reportable > Pence::ZERO {
                state.p11d_amount = reportable;
                state.p11d_section = Some(SECTION_RELOCATION);
                let exempt = if exempt_left.is_zero() {
                    String::new()
                } else {
                    format!(" (£{exempt_left} of the exemption was left)")
                };
                state.fire(
                    &TAX006,
                    Severity::Info,
                    format!("relocation £{reportable} reportable on the P11D section J{exempt}"),
                );
            }
        }
    }
}

/// TAX001–TAX004: fires each that applies and makes the whole allowed amount
/// taxable through payroll. True when any applied.
fn payroll_taxable(state: &mut LineState, category: Category, group: StaffGroup) -> bool {
    let mut rules: Vec<(&'static Rule, &str)> = Vec::new();
    if category == Category::ExcessTravel {
        rules.push((&TAX001, "excess travel after a change of base"));
    }
    if category == Category::OncallMileage && group != StaffGroup::Medical {
        rules.push((&TAX002, "on-call home-to-work mileage of non-medical staff"));
    }
    if category.needs_receipt() && state.hits.iter().any(|h| h.rule.code == "RCT003") {
        rules.push((&TAX003, "paid without a receipt"));
    }
    if category == Category::SeasonTicket {
        rules.push((&TAX004, "travel pass reimbursement"));
    }
    if rules.is_empty() {
        return false;
    }
    if state.allowed > Pence::ZERO {
        state.taxable_payroll = state.allowed;
        for (rule, why) in rules {
            state.fire(rule, Severity::Info, format!("{why}: £{} taxable through payroll", state.allowed));
        }
    }
    true
}

/// The HMRC approved amount of an AMAP line with a description, counting its
/// car miles towards the tax year's threshold; `None` for lines outside AMAP.
fn approved_amount(
    state: &mut LineState,
    category: Category,
    group: StaffGroup,
    ctx: &Ctx,
    amap_this_run: &mut HashMap<i32, Miles>,
) -> Option<(Pence, String)> {
    let miles = state.eligible_miles?;
    let line = state.line;
    let amap = &ctx.config.policy.rates_on(line.expense_date).amap;
    match category {
        Category::MileageCar | Category::OncallMileage
            if category == Category::MileageCar || group == StaffGroup::Medical =>
        {
            let year = tax_year(line.expense_date);
            let counted = amap_this_run.entry(year).or_default();
            let to_date = ctx.history.amap_miles_before(&state.staff.assignment, year) + *counted;
            let at_full = (amap.car_threshold_miles - to_date).max(Miles::ZERO).min(miles);
            let after = miles - at_full;
            *counted += miles;
            state.amap_miles_counted = miles;
            let approved = at_full.priced_at(amap.car) + after.priced_at(amap.car_after_threshold);
            let describe = if after.0 == 0 {
                format!("{miles} miles at {}p", amap.car.0)
            } else {
                format!(
                    "{at_full} miles at {}p + {after} miles at {}p past {} tax-year miles",
                    amap.car.0, amap.car_after_threshold.0, amap.car_threshold_miles
                )
            };
            Some((approved, describe))
        }
        Category::MileageMotorcycle => {
            Some((miles.priced_at(amap.motorcycle), format!("{miles} miles at {}p", amap.motorcycle.0)))
        }
        Category::MileageBicycle => {
            Some((miles.priced_at(amap.bicycle), format!("{miles} miles at {}p", amap.bicycle.0)))
        }
        Category::Passenger => {
            let approved = Pence(round_half_up_div(
                i128::from(miles.0) * i128::from(amap.passenger.0) * i128::from(line.passengers),
                10,
            ));
            Some((
                approved,
                format!("{miles} miles × {} passengers at {}p", line.passengers, amap.passenger.0),
            ))
        }
        _ => None,
    }
}
