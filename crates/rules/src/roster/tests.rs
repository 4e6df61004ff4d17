//! ROS001–ROS005 firing and not firing (SPEC §3.9, §6.5 rule 27, §6.7 rule 38).

use crate::model::claim::{ClaimLine, RowRef};
use crate::model::decision::{Decision, Status::*};
use crate::model::roster::{Absence, Shift};
use crate::model::rule::Severity;
use crate::model::{AbsenceType, Category, Certificate, Miles, ShiftType};
use crate::testkit::*;
use chrono::{Duration, NaiveDate};

/// Every code on a decision, ROS002 included.
fn all_codes(d: &Decision) -> Vec<&'static str> {
    d.rules.iter().map(|r| r.code).collect()
}

fn shift_at(date: NaiveDate, start: &str, end: &str, site: &str, kind: ShiftType) -> Shift {
    Shift { site: site.into(), shift_type: kind, ..shift(date, start, end) }
}

fn absence(start: NaiveDate, end: NaiveDate, kind: AbsenceType) -> Absence {
    Absence {
        source: RowRef::new("roster.csv", "Absences", 2),
        assignment: "A1".into(),
        start_date: start,
        end_date: end,
        absence_type: kind,
        hours_x100: None,
        certificate: Certificate::SelfCert,
        sickness_reason: None,
        rtw_date: None,
    }
}

/// An insured claimant (own-vehicle categories need insurance, MIL006).
fn insured() -> Run {
    let mut run = Run::default();
    run.roster.staff[0].insurance_expiry = Some(date(2026, 3, 31));
    run
}

fn decide_in(run: &Run, line: ClaimLine) -> Decision {
    run.evaluate(&[line]).decisions.remove(0)
}

fn bus() -> ClaimLine {
    line("C1", 1, Category::Bus, "4.50")
}

fn miles_line(category: Category, amount: &str, miles: i64) -> ClaimLine {
    ClaimLine {
        miles: Some(Miles::from_whole(miles)),
        from: "HOME".into(),
        to: "BDGH".into(),
        ..line("C1", 1, category, amount)
    }
}

#[test]
fn ros001_claim_inside_an_absence_with_no_shift_is_a_warning() {
    let one_day = Duration::days(1);
    let mut run = Run::default();
    for (start, end) in [(day() - one_day, day() + one_day), (day(), day()), (day() - one_day * 3, day())] {
        run.roster.absences = vec![absence(start, end, AbsenceType::Sickness)];
        let eval = run.evaluate(&[bus()]);
        assert_eq!(all_codes(&eval.decisions[0]), ["ROS001"], "absence {start} to {end}");
        assert_eq!(eval.decisions[0].status, Paid);
        let f = eval.findings.iter().find(|f| f.rule.code == "ROS001").unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message.contains("SICKNESS"), "{}", f.message);
    }
    // Any absence type.
    run.roster.absences = vec![absence(day(), day(), AbsenceType::Annual)];
    assert_eq!(all_codes(&decide_in(&run, bus())), ["ROS001"]);
}

#[test]
fn ros001_not_when_a_shift_is_rostered_or_the_absence_ends_the_day_before() {
    let mut run = Run::default();
    run.roster.absences = vec![absence(day(), day(), AbsenceType::Sickness)];
    run.roster.shifts = vec![shift(day(), "09:00", "13:00")];
    assert_eq!(all_codes(&decide_in(&run, bus())), Vec::<&str>::new());
    // The absence ends the day before / starts the day after: not rostered (ROS002).
    run.roster.shifts.clear();
    for (start, end) in [
        (day() - Duration::days(3), day() - Duration::days(1)),
        (day() + Duration::days(1), day() + Duration::days(2)),
    ] {
        run.roster.absences = vec![absence(start, end, AbsenceType::Sickness)];
        assert_eq!(all_codes(&decide_in(&run, bus())), ["ROS002"], "absence {start} to {end}");
    }
}

/// A claim on a KIT day (SPEC §14): the shift that makes it a KIT day is
/// a shift that day, so ROS001 does not fire; the same claim without the
/// shift, inside the maternity leave, does.
#[test]
fn ros001_not_on_a_kit_day_during_maternity_leave() {
    let mut run = Run::default();
    run.roster.absences = vec![absence(date(2025, 1, 6), date(2025, 8, 31), AbsenceType::Maternity)];
    assert_eq!(all_codes(&decide_in(&run, bus())), ["ROS001"]);
    run.roster.shifts = vec![shift(day(), "09:00", "13:00")];
    assert_eq!(all_codes(&decide_in(&run, bus())), Vec::<&str>::new());
}

#[test]
fn ros002_no_shift_and_no_absence_is_info_except_relocation_and_season_tickets() {
    let run = Run::default();
    let eval = run.evaluate(&[bus()]);
    assert_eq!(all_codes(&eval.decisions[0]), ["ROS002"]);
    assert_eq!(eval.decisions[0].status, Paid);
    assert_eq!(eval.findings[0].severity, Severity::Info);
    for category in [Category::Relocation, Category::RelocationMisc, Category::SeasonTicket] {
        let d = decide_in(&run, line("C1", 1, category, "40.00"));
        assert!(!all_codes(&d).contains(&"ROS002"), "{category}: {d:?}");
    }
    // Any shift that day, of any type and at any site, is "rostered".
    let mut rostered = Run::default();
    for kind in [ShiftType::Day, ShiftType::Night, ShiftType::Oncall, ShiftType::Training] {
        rostered.roster.shifts = vec![shift_at(day(), "10:00", "11:00", "LEEDS", kind)];
        assert_eq!(all_codes(&decide_in(&rostered, bus())), Vec::<&str>::new(), "{kind:?}");
    }
}

#[test]
fn ros002_a_night_shift_belongs_to_the_day_it_starts() {
    let mut run = Run::default();
    // Started the evening before, ends on the expense day: not a shift that day.
    run.roster.shifts = vec![shift(day() - Duration::days(1), "20:00", "08:00")];
    assert_eq!(all_codes(&decide_in(&run, bus())), ["ROS002"]);
    // Starting on the expense day, ending the next: a shift that day.
    run.roster.shifts = vec![shift(day(), "20:00", "08:00")];
    assert_eq!(all_codes(&decide_in(&run, bus())), Vec::<&str>::new());
}

#[test]
fn ros003_oncall_mileage_needs_an_oncall_or_callout_shift_that_day() {
    let oncall = || miles_line(Category::OncallMileage, "2.50", 10);
    let mut run = insured();
    for kind in [ShiftType::Oncall, ShiftType::Callout] {
        run.roster.shifts = vec![shift_at(day(), "18:00", "08:00", "DRI", kind)];
        // Lower Rate 10 × 25p, taxable for non-medical staff (TAX002); no ROS003.
        expect(&decide_in(&run, oncall()), Paid, "2.50", &["TAX002"]);
    }
    // A DAY shift, a LONG_DAY, a NIGHT or none: rejected.
    for kind in [ShiftType::Day, ShiftType::LongDay, ShiftType::Night, ShiftType::Training] {
        run.roster.shifts = vec![shift_at(day(), "08:00", "20:00", "DRI", kind)];
        expect(&decide_in(&run, oncall()), Rejected, "0.00", &["ROS003"]);
    }
    run.roster.shifts.clear();
    let d = decide_in(&run, oncall());
    assert_eq!((d.status, all_codes(&d)), (Rejected, vec!["ROS003"]), "only the rejection is listed");
    // An on-call shift on another day, or one that started the day before, does not count.
    run.roster.shifts = vec![
        shift_at(day() + Duration::days(1), "18:00", "08:00", "DRI", ShiftType::Oncall),
        shift_at(day() - Duration::days(1), "18:00", "08:00", "DRI", ShiftType::Callout),
    ];
    expect(&decide_in(&run, oncall()), Rejected, "0.00", &["ROS003"]);
    // Other categories never need one.
    run.roster.shifts = vec![shift_at(day(), "08:00", "16:00", "DRI", ShiftType::Day)];
    let car = ClaimLine { from: "DRI".into(), ..miles_line(Category::MileageCar, "2.50", 10) };
    expect(&decide_in(&run, car), Paid, "2.50", &[]);
}

#[test]
fn ros004_excess_travel_needs_a_shift_away_from_base() {
    let excess = || miles_line(Category::ExcessTravel, "2.50", 10);
    let mut run = insured();
    // Only at base — also written with other case and spaces — or no shift: rejected.
    for site in ["DRI", " dri ", "Dri"] {
        run.roster.shifts = vec![shift_at(day(), "08:00", "16:00", site, ShiftType::Day)];
        expect(&decide_in(&run, excess()), Rejected, "0.00", &["ROS004"]);
    }
    run.roster.shifts.clear();
    expect(&decide_in(&run, excess()), Rejected, "0.00", &["ROS004"]);
    // The base itself written untidily on the Staff sheet.
    run.roster.staff[0].base_site = " dri".into();
    run.roster.shifts = vec![shift_at(day(), "08:00", "16:00", "DRI", ShiftType::Day)];
    expect(&decide_in(&run, excess()), Rejected, "0.00", &["ROS004"]);
    // A shift at another site that day (beside one at base): paid at Lower
    // Rate, taxable (TAX001).
    run.roster.shifts.push(shift_at(day(), "17:00", "19:00", "bdgh", ShiftType::Day));
    expect(&decide_in(&run, excess()), Paid, "2.50", &["TAX001"]);
    // Away from base on another day only: rejected.
    run.roster.shifts = vec![shift_at(day() + Duration::days(1), "08:00", "16:00", "BDGH", ShiftType::Day)];
    expect(&decide_in(&run, excess()), Rejected, "0.00", &["ROS004"]);
}

#[test]
fn ros005_meal_time_away_from_the_roster() {
    let mut run = Run::default();
    run.roster.shifts = vec![shift(day(), "09:00", "17:00")];
    let eval = run.evaluate(&[line("C1", 1, Category::DayMeal, "4.80")]);
    expect(&eval.decisions[0], Paid, "4.80", &["ROS005"]);
    assert_eq!(eval.findings.iter().find(|f| f.rule.code == "ROS005").unwrap().severity, Severity::Info);
    // Both times on the line: the roster is not used.
    let timed = ClaimLine {
        depart_time: Some(time("09:00")),
        return_time: Some(time("15:00")),
        ..line("C1", 1, Category::DayMeal, "4.80")
    };
    expect(&decide_in(&run, timed), Paid, "4.80", &[]);
    // Not a meal: no time test, no ROS005.
    assert_eq!(all_codes(&decide_in(&run, bus())), Vec::<&str>::new());
    // Roster times too short: the meal is rejected and lists only SUB005.
    run.roster.shifts = vec![shift(day(), "09:00", "13:30")];
    expect(&decide_in(&run, line("C1", 1, Category::DayMeal, "4.80")), Rejected, "0.00", &["SUB005"]);
}

#[test]
fn ros005_a_night_shift_crossing_midnight_counts_on_the_day_it_starts() {
    let mut run = Run::default();
    // 14:00 to 02:00 next day: 12 h away, back after 19:00 of the expense day.
    run.roster.shifts = vec![shift(day(), "14:00", "02:00")];
    expect(&decide_in(&run, line("C1", 1, Category::EveningMeal, "9.00")), Paid, "9.00", &["ROS005"]);
    // Two shifts that day: earliest start to latest end, here 08:00 to 03:00.
    run.roster.shifts = vec![shift(day(), "08:00", "11:00"), shift(day(), "22:00", "03:00")];
    expect(&decide_in(&run, line("C1", 1, Category::DayMeal, "4.80")), Paid, "4.80", &["ROS005"]);
    // The same night shift seen from the next day: not that day's shift.
    let next =
        ClaimLine { expense_date: day() + Duration::days(1), ..line("C1", 1, Category::EveningMeal, "9.00") };
    run.roster.shifts = vec![shift(day(), "14:00", "02:00")];
    expect(&decide_in(&run, next), Paid, "9.00", &["SUB007"]);
}
