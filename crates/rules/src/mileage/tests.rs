//! MIL001–MIL009 through the engine, at each boundary.

use super::testkit::{assert_decision, codes, date, line, may, mileage, Kit};
use crate::model::claim::ClaimLine;
use crate::model::decision::Status::{Adjusted, Paid, Rejected};
use crate::model::{Category::*, Miles, Pence, StaffGroup, TravelType};

// ---- MIL001 commute deduction ----------------------------------------------

#[test]
fn policy_commute_example_home_to_first_call_22_miles_leaves_7_eligible() {
    // CORP/EMP 33 §4.2: works 15 miles from home; home to first call 22 miles.
    let kit = Kit::new();
    let l = mileage(1, MileageCar, 14, 220, 550);
    let d = kit.one(ClaimLine { from: "HOME".into(), ..l });
    assert_decision(&d, 175, Adjusted, &["MIL001"]);
}

#[test]
fn home_to_first_call_under_the_commute_is_not_eligible() {
    let kit = Kit::new();
    let l = mileage(1, MileageCar, 14, 140, 350);
    let d = kit.one(ClaimLine { to: " home ".into(), ..l });
    assert_decision(&d, 0, Rejected, &["MIL001"]);
}

#[test]
fn home_to_home_deducts_the_commute_twice() {
    let kit = Kit::new();
    let l = mileage(1, MileageCar, 14, 400, 1000);
    let d = kit.one(ClaimLine { from: "HOME".into(), to: "HOME".into(), ..l });
    // 40 - 2 × 15 = 10 miles at 25p.
    assert_decision(&d, 250, Adjusted, &["MIL001"]);
}

#[test]
fn base_to_site_gets_no_commute_deduction() {
    let kit = Kit::new();
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 220, 550)), 550, Paid, &[]);
}

#[test]
fn excess_travel_and_oncall_get_no_commute_deduction() {
    let mut kit = Kit::new();
    kit.staff().staff_group = StaffGroup::Medical;
    let home = |c| ClaimLine { from: "HOME".into(), ..mileage(1, c, 14, 200, 500) };
    assert_decision(&kit.one(home(ExcessTravel)), 500, Paid, &["TAX001"]);
    // MEDICAL on-call, no travel type: Lower Rate 25p, under AMAP, not taxable.
    assert_decision(&kit.one(home(OncallMileage)), 500, Paid, &[]);
}

// ---- MIL002 route tolerance -------------------------------------------------

#[test]
fn route_tolerance_exactly_110_percent_is_not_capped() {
    let kit = Kit::new();
    let l = ClaimLine { route_miles: Some(Miles(100)), ..mileage(1, MileageCar, 14, 110, 275) };
    assert_decision(&kit.one(l), 275, Paid, &[]);
}

#[test]
fn route_tolerance_one_tenth_over_is_capped_at_110_percent() {
    let kit = Kit::new();
    let l = ClaimLine { route_miles: Some(Miles(100)), ..mileage(1, MileageCar, 14, 111, 278) };
    let d = kit.one(l);
    // Capped at 11.0 miles × 25p = £2.75; MIL005 does not fire when MIL002 caps.
    assert_decision(&d, 275, Adjusted, &["MIL002"]);
}

#[test]
fn route_cap_rounds_down_to_a_tenth_of_a_mile() {
    let kit = Kit::new();
    // 10.1 × 1.10 = 11.11 → 11.1 miles.
    let l = ClaimLine { route_miles: Some(Miles(101)), ..mileage(1, MileageCar, 14, 150, 375) };
    assert_decision(&kit.one(l), 278, Adjusted, &["MIL002"]);
}

#[test]
fn route_excess_with_exceptional_circumstances_is_paid_and_flagged() {
    let kit = Kit::new();
    let l = ClaimLine {
        route_miles: Some(Miles(100)),
        exceptional: true,
        ..mileage(1, MileageCar, 14, 150, 375)
    };
    let d = kit.one(l);
    assert_decision(&d, 375, Paid, &["MIL002"]);
}

#[test]
fn route_cap_comes_before_the_commute_deduction() {
    let kit = Kit::new();
    // 30 miles claimed, route 20 → 22.0, minus 15 commute → 7 miles.
    let l = ClaimLine {
        from: "HOME".into(),
        route_miles: Some(Miles(200)),
        ..mileage(1, MileageCar, 14, 300, 750)
    };
    assert_decision(&kit.one(l), 175, Adjusted, &["MIL001", "MIL002"]);
}

// ---- Rates, MIL003, MIL005 ----------------------------------------------------

#[test]
fn lower_rate_is_25p_a_mile_rounded_half_up() {
    let kit = Kit::new();
    // 12.5 miles × 25p = 312.5p → £3.13.
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 125, 313)), 313, Paid, &[]);
}

#[test]
fn special_rate_56p_for_approved_community_staff() {
    let kit = Kit::special_rate();
    let l = ClaimLine { travel_type: Some(TravelType::Community), ..mileage(1, MileageCar, 14, 1000, 5600) };
    assert_decision(&kit.one(l), 5600, Paid, &["TAX005"]);
}

#[test]
fn special_rate_approved_after_the_journey_is_lower_rate() {
    let mut kit = Kit::new();
    kit.staff().special_rate_from = Some(may(15));
    let sr = |day| ClaimLine {
        travel_type: Some(TravelType::Community),
        ..mileage(1, MileageCar, day, 1000, 5600)
    };
    assert_decision(&kit.one(sr(14)), 2500, Adjusted, &["MIL003"]);
    // Approved on the day of the journey: in force.
    assert_decision(&kit.one(sr(15)), 5600, Paid, &["TAX005"]);
}

#[test]
fn special_rate_eligibility_by_staff_group_and_travel_type() {
    let with = |group, travel| {
        let mut kit = Kit::special_rate();
        kit.staff().staff_group = group;
        let l = ClaimLine { travel_type: Some(travel), ..mileage(1, MileageCar, 14, 100, 560) };
        codes(&kit.one(l)).contains(&"MIL003")
    };
    assert!(!with(StaffGroup::Afc, TravelType::Community));
    assert!(with(StaffGroup::Afc, TravelType::Clinical));
    assert!(!with(StaffGroup::Medical, TravelType::Clinical));
    assert!(with(StaffGroup::Medical, TravelType::Community));
    assert!(with(StaffGroup::Other, TravelType::Community));
    assert!(with(StaffGroup::Other, TravelType::Clinical));
    assert!(!with(StaffGroup::Afc, TravelType::NonCommunity));
}

#[test]
fn mil005_cuts_an_overclaim_as_error_and_raises_an_underclaim_as_info() {
    let kit = Kit::new();
    let over = kit.one(mileage(1, MileageCar, 14, 100, 300));
    assert_decision(&over, 250, Adjusted, &["MIL005"]);
    let under = kit.run(&[mileage(1, MileageCar, 14, 100, 200)]);
    assert_decision(&under[0], 250, Adjusted, &["MIL005"]);
}

#[test]
fn mil005_severity_follows_the_direction() {
    use crate::model::rule::Severity;
    use crate::state::Ctx;
    let kit = Kit::new();
    let period = crate::model::period::Period::new(date(2025, 6, 1), &kit.config.policy);
    let ctx = Ctx::new(&kit.config, period, &kit.roster, &kit.history);
    let lines = [mileage(1, MileageCar, 14, 100, 300), mileage(2, MileageCar, 15, 100, 200)];
    let eval = crate::engine::evaluate(&lines, &ctx).expect("engine invariants");
    // (No shift on those days: ROS002 INFO findings sit beside; only MIL005 is looked at.)
    let severities: Vec<Severity> =
        eval.findings.iter().filter(|f| f.rule.code == "MIL005").map(|f| f.severity).collect();
    assert_eq!(severities, vec![Severity::Error, Severity::Info]);
}

#[test]
fn rates_are_effective_dated_by_expense_date() {
    let mut kit = Kit::new();
    let mut later = kit.config.policy.rates[0].clone();
    later.effective_from = may(15);
    later.mileage.lower = Pence(30);
    kit.config.policy.rates.push(later);
    let d = kit.run(&[mileage(1, MileageCar, 14, 100, 250), mileage(2, MileageCar, 15, 100, 300)]);
    assert_decision(&d[0], 250, Paid, &[]);
    assert_decision(&d[1], 300, Paid, &[]);
}

// ---- SR threshold, MIL009 -----------------------------------------------------

fn sr(line_no: i64, day: u32, tenths: i64, amount: i64) -> ClaimLine {
    ClaimLine {
        travel_type: Some(TravelType::Community),
        ..mileage(line_no, MileageCar, day, tenths, amount)
    }
}

#[test]
fn special_rate_drops_to_20p_after_3500_miles_inside_one_line() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3499));
    // The 3,500th mile at 56p, the 3,501st at 20p.
    let d = kit.one(sr(1, 14, 20, 76));
    assert_eq!(codes(&d), vec!["MIL009"]);
    assert_eq!((d.allowed, d.status), (Pence(76), Paid));
}

#[test]
fn split_line_claimed_at_56p_is_cut_by_mil005_too() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3499));
    assert_decision(&kit.one(sr(1, 14, 20, 112)), 76, Adjusted, &["MIL005", "MIL009"]);
}

#[test]
fn exactly_reaching_3500_is_not_crossing() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3400));
    let d = kit.run(&[sr(1, 14, 1000, 5600), sr(2, 15, 100, 200)]);
    assert_eq!(codes(&d[0]), vec!["TAX005"]);
    assert_eq!(d[0].allowed, Pence(5600));
    // Past the threshold: every mile at 20p, no MIL009.
    assert_decision(&d[1], 200, Paid, &[]);
}

#[test]
fn history_of_another_financial_year_does_not_count() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2024), Miles::from_whole(5000));
    assert_decision(&kit.one(sr(1, 14, 100, 560)), 560, Paid, &["TAX005"]);
}

#[test]
fn earlier_lines_of_the_run_count_in_processing_order() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3490));
    // Input order is not processing order: the 20 May line is priced second.
    let d = kit.run(&[sr(2, 20, 100, 200), sr(1, 10, 200, 1120)]);
    // 10 May: 10 miles at 56p + 10 at 20p = £7.60.
    assert_decision(&d[1], 760, Adjusted, &["MIL005", "MIL009"]);
    assert_decision(&d[0], 200, Paid, &[]);
}

#[test]
fn lower_rate_miles_do_not_count_towards_3500() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3490));
    let d = kit.run(&[mileage(1, MileageCar, 10, 1000, 2500), sr(2, 11, 100, 560)]);
    assert_decision(&d[1], 560, Paid, &["TAX005"]);
}

/// Runs the MIL pricing pass over `lines`, with `reject` marking lines as
/// rejected beforehand (as DUP001 or another rejecting pass would).
fn priced(kit: &Kit, lines: &[ClaimLine], reject: &[usize]) -> Vec<(Pence, Miles)> {
    use crate::state::{Ctx, Employee, LineState};
    let period = crate::model::period::Period::new(date(2025, 6, 1), &kit.config.policy);
    let ctx = Ctx::new(&kit.config, period, &kit.roster, &kit.history);
    let staff = &kit.roster.staff[0];
    let mut employee = Employee {
        staff,
        lines: lines.iter().enumerate().map(|(i, l)| LineState::new(i, l, staff)).collect(),
        valid: lines.iter().collect(),
        relocation_run: None,
    };
    for &i in reject {
        employee.lines[i].reject(&super::MIL008, "rejected for the test".into());
    }
    super::price(&mut employee, &ctx);
    employee.lines.iter().map(|s| (s.allowed, s.sr_miles_counted)).collect()
}

#[test]
fn rejected_special_rate_line_consumes_no_miles() {
    let mut kit = Kit::special_rate();
    kit.history.sr_miles.insert(("A1".into(), 2025), Miles::from_whole(3490));
    let lines = [sr(1, 10, 100, 560), sr(2, 11, 100, 560)];
    // Live, the first line takes the last 10 miles at 56p...
    assert_eq!(priced(&kit, &lines, &[]), vec![(Pence(560), Miles(100)), (Pence(200), Miles(100))]);
    // ...rejected, it consumes nothing and the second line gets them.
    assert_eq!(priced(&kit, &lines, &[0])[1], (Pence(560), Miles(100)));
    assert_eq!(priced(&kit, &lines, &[0])[0].1, Miles::ZERO);
}

#[test]
fn sr_miles_counted_are_recorded_on_the_line() {
    use crate::state::{Ctx, Employee, LineState};
    let kit = Kit::special_rate();
    let period = crate::model::period::Period::new(date(2025, 6, 1), &kit.config.policy);
    let ctx = Ctx::new(&kit.config, period, &kit.roster, &kit.history);
    let staff = &kit.roster.staff[0];
    let lines = [sr(1, 14, 123, 689), mileage(2, MileageCar, 14, 100, 250)];
    let mut employee = Employee {
        staff,
        lines: lines.iter().enumerate().map(|(i, l)| LineState::new(i, l, staff)).collect(),
        valid: lines.iter().collect(),
        relocation_run: None,
    };
    super::price(&mut employee, &ctx);
    crate::tax::apply(&mut employee, &ctx);
    assert_eq!(employee.lines[0].sr_miles_counted, Miles(123));
    assert_eq!(employee.lines[1].sr_miles_counted, Miles::ZERO);
    assert_eq!(employee.lines[0].amap_miles_counted, Miles(123));
    assert_eq!(employee.lines[1].amap_miles_counted, Miles(100));
}

// ---- MIL004 lease cars ----------------------------------------------------------

#[test]
fn lease_holder_car_line_is_repriced_at_the_lease_rate_even_when_equal() {
    let mut kit = Kit::new();
    kit.staff().lease_car = true;
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 1000, 2500)), 1400, Adjusted, &["MIL004"]);
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 1000, 1400)), 1400, Paid, &["MIL004"]);
}

#[test]
fn mil004_wins_over_mil003() {
    let mut kit = Kit::new();
    kit.staff().lease_car = true;
    assert_decision(&kit.one(sr(1, 14, 1000, 5600)), 1400, Adjusted, &["MIL004"]);
}

#[test]
fn lease_car_line_without_lease_flag_is_lease_rate_with_no_finding() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = None; // lease cars need no insurance on file
    assert_decision(&kit.one(mileage(1, MileageLeaseCar, 14, 1000, 1400)), 1400, Paid, &[]);
    assert_decision(&kit.one(mileage(1, MileageLeaseCar, 14, 1000, 2500)), 1400, Adjusted, &["MIL005"]);
}

#[test]
fn lease_holder_excess_travel_stays_at_lower_rate() {
    let mut kit = Kit::new();
    kit.staff().lease_car = true;
    assert_decision(&kit.one(mileage(1, ExcessTravel, 14, 1000, 2500)), 2500, Paid, &["TAX001"]);
}

#[test]
fn lease_holder_oncall_is_lease_rate() {
    let mut kit = Kit::new();
    kit.staff().lease_car = true;
    assert_decision(
        &kit.one(mileage(1, OncallMileage, 14, 1000, 2500)),
        1400,
        Adjusted,
        &["MIL004", "TAX002"],
    );
}

// ---- Other vehicles -----------------------------------------------------------------

#[test]
fn motorcycle_16p_bicycle_10p() {
    let kit = Kit::new();
    assert_decision(&kit.one(mileage(1, MileageMotorcycle, 14, 100, 160)), 160, Paid, &[]);
    assert_decision(&kit.one(mileage(1, MileageBicycle, 14, 100, 100)), 100, Paid, &[]);
}

fn with_car(passenger: ClaimLine) -> [ClaimLine; 2] {
    [mileage(1, MileageCar, 14, 103, 258), passenger]
}

#[test]
fn passenger_allowance_is_2p_per_passenger_mile_rounded_once() {
    let kit = Kit::new();
    // 10.3 miles × 2p × 3 = 61.8p → 62p (rounding per passenger would give 63p).
    let p = ClaimLine { passengers: 3, ..mileage(2, Passenger, 14, 103, 62) };
    let d = kit.run(&with_car(p));
    assert_decision(&d[1], 62, Paid, &[]);
}

#[test]
fn passenger_line_gets_the_commute_deduction() {
    let kit = Kit::new();
    let p = ClaimLine { passengers: 1, from: "HOME".into(), ..mileage(2, Passenger, 14, 250, 50) };
    let d = kit.run(&with_car(p));
    assert_decision(&d[1], 20, Adjusted, &["MIL001"]);
}

// ---- MIL006 insurance -----------------------------------------------------------------

#[test]
fn insurance_is_in_force_on_its_expiry_date() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = Some(may(14));
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 100, 250)), 250, Paid, &[]);
}

#[test]
fn insurance_expired_the_day_before_rejects_own_vehicle_lines() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = Some(may(13));
    for category in [MileageCar, MileageMotorcycle, ExcessTravel, OncallMileage] {
        assert_decision(&kit.one(mileage(1, category, 14, 100, 250)), 0, Rejected, &["MIL006"]);
    }
    for category in [MileageBicycle, MileageLeaseCar] {
        assert_ne!(kit.one(mileage(1, category, 14, 100, 100)).status, Rejected);
    }
}

#[test]
fn no_insurance_on_file_rejects_and_lists_only_the_rejection() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = None;
    let l = ClaimLine { from: "HOME".into(), ..mileage(1, MileageCar, 14, 220, 999) };
    assert_decision(&kit.one(l), 0, Rejected, &["MIL006"]);
}

#[test]
fn lease_holder_car_line_needs_insurance_too() {
    let mut kit = Kit::new();
    kit.staff().lease_car = true;
    kit.staff().insurance_expiry = None;
    assert_decision(&kit.one(mileage(1, MileageCar, 14, 100, 140)), 0, Rejected, &["MIL006"]);
}

// ---- MIL007 journey fare cap ------------------------------------------------------------

fn parking(line_no: i64, day: u32, amount: i64) -> ClaimLine {
    line(line_no, Parking, day, amount)
}

#[test]
fn journey_above_the_standard_fare_cuts_the_mileage_line() {
    let kit = Kit::new();
    let car = ClaimLine { standard_fare: Some(Pence(3000)), ..mileage(1, MileageCar, 14, 1000, 2500) };
    let d = kit.run(&[car, parking(2, 14, 1000)]);
    assert_decision(&d[0], 2000, Adjusted, &["MIL007"]);
    assert_decision(&d[1], 1000, Paid, &[]);
}

#[test]
fn journey_exactly_at_the_fare_is_not_cut() {
    let kit = Kit::new();
    let car = ClaimLine { standard_fare: Some(Pence(3500)), ..mileage(1, MileageCar, 14, 1000, 2500) };
    let d = kit.run(&[car, parking(2, 14, 1000)]);
    assert_decision(&d[0], 2500, Paid, &[]);
}

#[test]
fn journey_cut_never_goes_below_zero() {
    let kit = Kit::new();
    let car = ClaimLine { standard_fare: Some(Pence(500)), ..mileage(1, MileageCar, 14, 1000, 2500) };
    let d = kit.run(&[car, parking(2, 14, 1000)]);
    assert_decision(&d[0], 0, Rejected, &["MIL007"]);
    assert_decision(&d[1], 1000, Paid, &[]);
}

#[test]
fn journey_ref_groups_across_claims_and_blank_refs_stay_apart() {
    let kit = Kit::new();
    let car = ClaimLine {
        standard_fare: Some(Pence(3000)),
        journey_ref: "J1".into(),
        ..mileage(1, MileageCar, 14, 1000, 2500)
    };
    let other_claim = ClaimLine { claim_id: "C2".into(), journey_ref: " j1 ".into(), ..parking(1, 14, 1000) };
    // Same claim and day but no ref: not part of journey J1.
    let unreferenced = parking(3, 14, 4000);
    let d = kit.run(&[car, other_claim, unreferenced]);
    assert_decision(&d[0], 2000, Adjusted, &["MIL007"]);
    assert_decision(&d[2], 4000, Paid, &[]);
}

#[test]
fn journey_cut_comes_off_the_last_car_line_first() {
    let kit = Kit::new();
    let car = |no, fare, to: &str| ClaimLine {
        standard_fare: Some(Pence(fare)),
        to: to.into(),
        ..mileage(no, MileageCar, 14, 400, 1000)
    };
    // Cost £20.00, lowest fare £12.00: £8.00 off line 2 (a different leg, not a duplicate).
    let d = kit.run(&[car(1, 1500, "LEEDS"), car(2, 1200, "YORK")]);
    assert_decision(&d[0], 1000, Paid, &[]);
    assert_decision(&d[1], 200, Adjusted, &["MIL007"]);
}

#[test]
fn journey_without_a_fare_is_not_capped() {
    let kit = Kit::new();
    let d = kit.run(&[mileage(1, MileageCar, 14, 1000, 2500), parking(2, 14, 1000)]);
    assert_decision(&d[0], 2500, Paid, &[]);
}

// ---- MIL008 passenger without vehicle ---------------------------------------------------

#[test]
fn passenger_with_a_car_line_on_the_claim_and_day_is_paid() {
    let kit = Kit::new();
    let p = ClaimLine { passengers: 1, ..mileage(2, Passenger, 14, 100, 20) };
    assert_decision(&kit.run(&with_car(p))[1], 20, Paid, &[]);
}

#[test]
fn passenger_without_a_car_line_that_day_is_rejected() {
    let kit = Kit::new();
    let p = ClaimLine { passengers: 1, ..mileage(2, Passenger, 15, 100, 20) };
    assert_decision(&kit.run(&with_car(p))[1], 0, Rejected, &["MIL008"]);
}

#[test]
fn passenger_line_with_no_passengers_is_rejected() {
    let kit = Kit::new();
    let p = ClaimLine { passengers: 0, ..mileage(2, Passenger, 14, 100, 20) };
    assert_decision(&kit.run(&with_car(p))[1], 0, Rejected, &["MIL008"]);
}

#[test]
fn a_rejected_or_deferred_car_line_still_carries_the_passenger() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = None;
    let p = ClaimLine { passengers: 1, ..mileage(2, Passenger, 14, 100, 20) };
    let d = kit.run(&with_car(p.clone()));
    assert_decision(&d[0], 0, Rejected, &["MIL006"]);
    assert_decision(&d[1], 20, Paid, &[]);

    let kit = Kit::new();
    let late_car =
        ClaimLine { approved_date: Some(date(2025, 6, 20)), ..mileage(1, MileageCar, 14, 100, 250) };
    let d = kit.run(&[late_car, p]);
    assert_eq!(codes(&d[0]), vec!["CUT001"]);
    assert_decision(&d[1], 20, Paid, &[]);
}
