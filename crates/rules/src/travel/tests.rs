use super::*;
use crate::model::claim::ClaimLine;
use crate::model::decision::Status::{Adjusted, Paid, Rejected};
use crate::model::Receipt;
use crate::testkit::*;

fn taxi(auth: AuthLevel, public_transport: Option<&str>) -> ClaimLine {
    ClaimLine {
        authorised_by: auth,
        public_transport_cost: public_transport.map(gbp),
        ..line("C1", 1, Category::Taxi, "23.00")
    }
}

#[test]
fn trv001_unauthorised_taxi_is_cut_to_the_public_transport_cost() {
    expect(&decide(taxi(AuthLevel::LineManager, Some("4.20"))), Adjusted, "4.20", &["TRV001"]);
}

#[test]
fn trv001_unauthorised_taxi_without_public_transport_cost_is_rejected() {
    expect(&decide(taxi(AuthLevel::None, None)), Rejected, "0.00", &["TRV001"]);
    // A rejecting TRV001 lists only rejection codes.
    let lost = ClaimLine {
        receipt: Receipt::Lost,
        lost_receipt_reason: "lost".into(),
        ..taxi(AuthLevel::None, None)
    };
    expect(&decide(lost), Rejected, "0.00", &["TRV001"]);
}

#[test]
fn trv001_reduced_taxi_is_not_a_rejection_and_keeps_its_other_codes() {
    let lost = ClaimLine {
        receipt: Receipt::Lost,
        lost_receipt_reason: "lost".into(),
        ..taxi(AuthLevel::None, Some("4.20"))
    };
    expect(&decide(lost), Adjusted, "4.20", &["TRV001", "RCT003", "TAX003"]);
}

#[test]
fn trv001_fare_of_zero_gives_zero_and_a_fare_at_or_above_the_claim_changes_nothing() {
    expect(&decide(taxi(AuthLevel::None, Some("0.00"))), Rejected, "0.00", &["TRV001"]);
    expect(&decide(taxi(AuthLevel::None, Some("23.00"))), Paid, "23.00", &[]);
}

#[test]
fn trv001_care_group_director_or_higher_may_authorise_a_taxi() {
    expect(&decide(taxi(AuthLevel::CareGroupDirector, None)), Paid, "23.00", &[]);
    expect(&decide(taxi(AuthLevel::ExecutiveDirector, None)), Paid, "23.00", &[]);
}

#[test]
fn trv002_air_needs_an_executive_director() {
    let air = |auth| ClaimLine { authorised_by: auth, ..line("C1", 1, Category::Air, "129.00") };
    expect(&decide(air(AuthLevel::CareGroupDirector)), Rejected, "0.00", &["TRV002"]);
    expect(&decide(air(AuthLevel::ExecutiveDirector)), Paid, "129.00", &[]);
}

#[test]
fn trv003_car_hire_and_hire_fuel_need_a_care_group_director() {
    for category in [Category::CarHire, Category::HireFuel] {
        let hire = |auth| ClaimLine { authorised_by: auth, ..line("C1", 1, category, "64.00") };
        expect(&decide(hire(AuthLevel::LineManager)), Rejected, "0.00", &["TRV003"]);
        expect(&decide(hire(AuthLevel::CareGroupDirector)), Paid, "64.00", &[]);
    }
}

#[test]
fn trv004_first_class_rail_is_cut_to_the_standard_fare_or_rejected_without_one() {
    let rail = |class, fare: Option<&str>| ClaimLine {
        rail_class: class,
        standard_fare: fare.map(gbp),
        ..line("C1", 1, Category::Rail, "86.00")
    };
    expect(&decide(rail(RailClass::First, Some("41.50"))), Adjusted, "41.50", &["TRV004"]);
    expect(&decide(rail(RailClass::First, None)), Rejected, "0.00", &["TRV004"]);
    expect(&decide(rail(RailClass::Standard, None)), Paid, "86.00", &[]);
}

#[test]
fn trv005_parking_at_a_trust_site_is_rejected() {
    let parking = |to: &str| ClaimLine { to: to.into(), ..line("C1", 1, Category::Parking, "3.50") };
    expect(&decide(parking(" dri")), Rejected, "0.00", &["TRV005"]);
    expect(&decide(parking("LGI")), Paid, "3.50", &[]);
}

#[test]
fn trv006_fines_and_parking_described_as_a_pcn_are_rejected() {
    let fine = ClaimLine { receipt: Receipt::No, ..line("C1", 1, Category::Fine, "70.00") };
    expect(&decide(fine), Rejected, "0.00", &["TRV006"]);
    let pcn =
        ClaimLine { description: "PCN Leeds General".into(), ..line("C1", 1, Category::Parking, "70.00") };
    expect(&decide(pcn), Rejected, "0.00", &["TRV006"]);
    let finest =
        ClaimLine { description: "Finest car park".into(), ..line("C1", 1, Category::Parking, "3.00") };
    expect(&decide(finest), Paid, "3.00", &[]);
}

#[test]
fn trv007_hospitality_needs_the_chief_executive() {
    let h = |auth| ClaimLine { authorised_by: auth, ..line("C1", 1, Category::Hospitality, "60.00") };
    expect(&decide(h(AuthLevel::ExecutiveDirector)), Rejected, "0.00", &["TRV007"]);
    expect(&decide(h(AuthLevel::ChiefExecutive)), Paid, "60.00", &[]);
}

#[test]
fn every_rejecting_rule_that_fires_is_listed() {
    let l = ClaimLine {
        to: "MMH".into(),
        description: "penalty".into(),
        receipt: Receipt::No,
        ..line("C1", 1, Category::Parking, "50.00")
    };
    expect(&decide(l), Rejected, "0.00", &["TRV005", "TRV006", "RCT001"]);
}
