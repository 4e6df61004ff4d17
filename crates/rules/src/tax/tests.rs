//! TAX001–TAX006 through the engine (TAX003 through the pass, with a stand-in
//! RCT003 hit: the receipts family decides RCT003).

use crate::config::MileageExcess;
use crate::mileage::testkit::{assert_decision, date, line, mileage, Kit};
use crate::model::claim::ClaimLine;
use crate::model::decision::Status::{Paid, Rejected};
use crate::model::history::RelocationPaid;
use crate::model::{Category::*, Miles, Pence, StaffGroup, TravelType};

fn sr(line_no: i64, day: u32, tenths: i64, amount: i64) -> ClaimLine {
    ClaimLine {
        travel_type: Some(TravelType::Community),
        ..mileage(line_no, MileageCar, day, tenths, amount)
    }
}

fn tax(d: &crate::model::decision::Decision) -> (Pence, Pence, Option<char>) {
    (d.taxable_payroll, d.p11d_amount, d.p11d_section)
}

#[test]
fn tax001_excess_travel_is_taxable_in_full() {
    let kit = Kit::new();
    let d = kit.one(mileage(1, ExcessTravel, 14, 400, 1000));
    assert_decision(&d, 1000, Paid, &["TAX001"]);
    assert_eq!(tax(&d), (Pence(1000), Pence::ZERO, None));
}

#[test]
fn tax002_oncall_taxable_unless_medical() {
    let kit = Kit::new();
    let d = kit.one(mileage(1, OncallMileage, 14, 120, 300));
    assert_decision(&d, 300, Paid, &["TAX002"]);
    assert_eq!(tax(&d), (Pence(300), Pence::ZERO, None));

    let mut kit = Kit::new();
    kit.staff().staff_group = StaffGroup::Medical;
    let clinical =
        ClaimLine { travel_type: Some(TravelType::Clinical), ..mileage(1, OncallMileage, 14, 100, 560) };
    // Medical on-call is business travel: Special Rate 56p, AMAP 45p → £1.10 excess.
    let d = kit.one(clinical);
    assert_decision(&d, 560, Paid, &["TAX005"]);
    assert_eq!(tax(&d), (Pence::ZERO, Pence(110), Some('E')));
}

#[test]
fn tax004_season_ticket_is_taxable() {
    let kit = Kit::new();
    let d = kit.one(line(1, SeasonTicket, 14, 9500));
    assert_decision(&d, 9500, Paid, &["TAX004"]);
    assert_eq!(tax(&d), (Pence(9500), Pence::ZERO, None));
}

#[test]
fn tax005_special_rate_above_45p_goes_on_the_p11d_section_e() {
    let kit = Kit::special_rate();
    let d = kit.one(sr(1, 14, 1000, 5600));
    assert_eq!(tax(&d), (Pence::ZERO, Pence(1100), Some('E')));
}

#[test]
fn tax005_not_when_paid_at_or_below_approved_amounts() {
    let kit = Kit::new();
    // 100 miles each, claimed at or below HMRC's approved amount: paid as
    // claimed, nothing taxable, nothing for the P11D.
    for (l, claimed) in [
        (mileage(1, MileageCar, 14, 1000, 2500), 2500),
        (mileage(1, MileageMotorcycle, 14, 1000, 1600), 1600),
        (mileage(1, MileageBicycle, 14, 1000, 1000), 1000),
    ] {
        let d = kit.one(l);
        assert_decision(&d, claimed, Paid, &[]);
        assert_eq!(tax(&d), (Pence::ZERO, Pence::ZERO, None));
    }
}

#[test]
fn tax005_amap_rates_by_vehicle() {
    // Raise the trust rates above HMRC's to see each approved amount.
    let mut kit = Kit::new();
    let rates = &mut kit.config.policy.rates[0].mileage;
    rates.motorcycle = Pence(30);
    rates.bicycle = Pence(25);
    rates.passenger = Pence(7);
    let d = kit.one(mileage(1, MileageMotorcycle, 14, 100, 300));
    assert_eq!(tax(&d), (Pence::ZERO, Pence(60), Some('E'))); // 10 × (30 − 24)
    let d = kit.one(mileage(1, MileageBicycle, 14, 100, 250));
    assert_eq!(tax(&d), (Pence::ZERO, Pence(50), Some('E'))); // 10 × (25 − 20)
    let passenger = ClaimLine { passengers: 2, ..mileage(2, Passenger, 14, 100, 140) };
    let d = kit.run(&[mileage(1, MileageCar, 14, 100, 250), passenger]);
    assert_eq!(tax(&d[1]), (Pence::ZERO, Pence(40), Some('E'))); // 140 − 10 × 5 × 2
}

#[test]
fn amap_10000_mile_boundary_splits_the_line() {
    let at = |before_miles| {
        let mut kit = Kit::special_rate();
        kit.history.amap_miles.insert(("A1".into(), 2025), Miles::from_whole(before_miles));
        tax(&kit.one(sr(1, 14, 200, 1120)))
    };
    // 20 SR miles = £11.20.
    assert_eq!(at(9980), (Pence::ZERO, Pence(220), Some('E'))); // exactly reaches 10,000: 20 × 45p
    assert_eq!(at(9990), (Pence::ZERO, Pence(420), Some('E'))); // 10 × 45p + 10 × 25p = £7.00
    assert_eq!(at(10000), (Pence::ZERO, Pence(620), Some('E'))); // 20 × 25p
}

#[test]
fn amap_miles_count_lines_of_the_run_and_medical_oncall_but_not_lease_or_excess() {
    let mut kit = Kit::special_rate();
    kit.history.amap_miles.insert(("A1".into(), 2025), Miles::from_whole(9990));
    let lines = [
        mileage(1, MileageLeaseCar, 10, 1000, 1400),
        mileage(2, ExcessTravel, 11, 1000, 2500),
        mileage(3, MileageCar, 12, 50, 125),
        sr(4, 13, 100, 560),
    ];
    let d = kit.run(&lines);
    // Line 3 counted 5 miles: line 4 has 5 miles at 45p + 5 at 25p = £3.50.
    assert_eq!(tax(&d[3]), (Pence::ZERO, Pence(210), Some('E')));
}

#[test]
fn mileage_excess_payroll_taxes_the_excess_through_pay() {
    let mut kit = Kit::special_rate();
    kit.config.policy.claims.mileage_excess = MileageExcess::Payroll;
    let d = kit.one(sr(1, 14, 1000, 5600));
    assert_decision(&d, 5600, Paid, &["TAX005"]);
    assert_eq!(tax(&d), (Pence(1100), Pence::ZERO, None));
}

#[test]
fn rejected_lines_carry_no_tax() {
    let mut kit = Kit::new();
    kit.staff().insurance_expiry = None;
    let d = kit.one(mileage(1, ExcessTravel, 14, 400, 1000));
    assert_decision(&d, 0, Rejected, &["MIL006"]);
    assert_eq!(tax(&d), (Pence::ZERO, Pence::ZERO, None));
}

#[test]
fn tax006_relocation_in_full_on_section_j_by_default() {
    let kit = Kit::new();
    let d = kit.one(line(1, Relocation, 14, 120_000));
    assert_decision(&d, 120_000, Paid, &["REL004", "TAX006"]);
    assert_eq!(tax(&d), (Pence::ZERO, Pence(120_000), Some('J')));
}

#[test]
fn tax006_with_an_exemption_reports_only_the_part_above_it() {
    let mut kit = Kit::new();
    // An exemption below the £8,000 cap, so that the REL001 cap stays out of the way.
    kit.config.policy.claims.relocation_p11d_exempt = Pence::from_pounds(7000);
    kit.history.relocation.insert(
        ("A1".into(), Some(date(2025, 3, 1))),
        RelocationPaid { total: Pence::from_pounds(6000), misc: Pence::ZERO },
    );
    let d = kit.run(&[line(1, Relocation, 10, 50_000), line(2, RelocationMisc, 11, 80_000)]);
    assert_decision(&d[0], 50_000, Paid, &["REL004"]);
    assert_eq!(tax(&d[0]), (Pence::ZERO, Pence::ZERO, None));
    // £500 of the exemption left: £300 of the second line is reportable.
    assert_decision(&d[1], 80_000, Paid, &["REL004", "TAX006"]);
    assert_eq!(tax(&d[1]), (Pence::ZERO, Pence(30_000), Some('J')));
}

#[test]
fn tax003_lost_receipt_is_payroll_taxable_with_no_p11d() {
    use crate::model::rule::Severity;
    use crate::receipts::RCT003;
    use crate::state::{Ctx, Employee, LineState};
    let kit = Kit::new();
    let period = crate::model::period::Period::new(date(2025, 6, 1), &kit.config.policy);
    let ctx = Ctx::new(&kit.config, period, &kit.roster, &kit.history);
    let staff = &kit.roster.staff[0];
    let lines = [line(1, SeasonTicket, 14, 9500), line(2, Relocation, 14, 20_000), line(3, Rail, 14, 1200)];
    let mut employee = Employee {
        staff,
        lines: lines.iter().enumerate().map(|(i, l)| LineState::new(i, l, staff)).collect(),
        valid: lines.iter().collect(),
        relocation_run: None,
    };
    for state in employee.lines.iter_mut() {
        state.fire(&RCT003, Severity::Warning, "lost".into());
    }
    super::apply(&mut employee, &ctx);
    let summary: Vec<(Vec<&str>, Pence, Pence)> = employee
        .lines
        .iter()
        .map(|s| (s.hits.iter().map(|h| h.rule.code).collect(), s.taxable_payroll, s.p11d_amount))
        .collect();
    assert_eq!(
        summary,
        vec![
            (vec!["RCT003", "TAX003", "TAX004"], Pence(9500), Pence::ZERO),
            (vec!["RCT003", "TAX003"], Pence(20_000), Pence::ZERO),
            (vec!["RCT003", "TAX003"], Pence(1200), Pence::ZERO),
        ]
    );
}
