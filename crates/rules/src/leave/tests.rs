//! LV boundaries: the 6th/7th bereavement day, 45 emergency hours full-time and
//! pro rata, the reservist week, the 18th/19th magisterial day, carer's leave
//! at 364/365 days' service, and history from an earlier month.

use super::*;
use crate::config::Config;
use crate::model::claim::RowRef;
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::Roster;
use crate::model::{Certificate, Miles, StaffGroup};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn staff(hours_x100: i64, service_start: NaiveDate) -> Staff {
    Staff {
        source: RowRef::new("roster.csv", "Staff", 2),
        assignment: "A1".into(),
        name: "Test".into(),
        staff_group: StaffGroup::Afc,
        band: String::new(),
        base_site: "DRI".into(),
        home_to_base_miles: Miles::ZERO,
        contracted_hours_x100: hours_x100,
        annual_salary: Pence(3_000_000),
        cost_centre: "CC1".into(),
        service_start,
        start_date: None,
        leave_date: None,
        special_rate_from: None,
        insurance_expiry: None,
        lease_car: false,
    }
}

fn absence(kind: AbsenceType, start: NaiveDate, end: NaiveDate, row: u32) -> Absence {
    Absence {
        source: RowRef::new("roster.csv", "Absences", row),
        assignment: "A1".into(),
        start_date: start,
        end_date: end,
        absence_type: kind,
        hours_x100: None,
        certificate: Certificate::None,
        sickness_reason: None,
        rtw_date: None,
    }
}

/// Runs the leave rules for pay period June 2025 (activity month May 2025).
fn run(staff: Staff, absences: Vec<Absence>, history: History) -> LeaveOutcome {
    let config = Config::built_in().unwrap();
    let roster =
        Roster { staff: vec![staff], shifts: vec![], absences, protections: vec![], rtw_column: false };
    let period = Period::new(d(2025, 6, 1), &config.policy);
    let ctx = Ctx::new(&config, period, &roster, &history);
    evaluate(&ctx)
}

fn codes(out: &LeaveOutcome) -> Vec<&'static str> {
    out.findings.iter().map(|f| f.rule.code).collect()
}

fn deduction(out: &LeaveOutcome) -> Option<(String, Pence)> {
    out.deductions.first().map(|r| (r.units.clone(), r.amount))
}

const FULL: i64 = 3750;

#[test]
fn sixth_bereavement_day_is_paid() {
    // Mon 12 – Mon 19 May 2025: six working days.
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::BereavementImmediate, d(2025, 5, 12), d(2025, 5, 19), 2)],
        History::default(),
    );
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    assert!(out.deductions.is_empty());
    assert_eq!(out.episodes[0].paid_hours_x100, 4500);
}

#[test]
fn seventh_bereavement_day_is_unpaid_and_deducted() {
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::BereavementImmediate, d(2025, 5, 12), d(2025, 5, 20), 2)],
        History::default(),
    );
    assert_eq!(codes(&out), ["LV002", "LV001"]);
    // 7.5 h × £30,000 / (52.143 × 37.5) = £115.0689… → £115.07
    assert_eq!(deduction(&out), Some(("7.50".to_string(), Pence(-11507))));
    assert_eq!(out.deductions[0].element, "UNPAID_LEAVE");
    assert_eq!(out.deductions[0].rate, "15.34");
    assert!(out.deductions[0].source.contains("roster.csv!Absences:2"));
}

#[test]
fn emergency_45_hours_full_time_then_unpaid() {
    let six = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Emergency, d(2025, 5, 12), d(2025, 5, 19), 2)],
        History::default(),
    );
    assert!(codes(&six).is_empty());
    let seven = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Emergency, d(2025, 5, 12), d(2025, 5, 20), 2)],
        History::default(),
    );
    assert_eq!(deduction(&seven).map(|d| d.0), Some("7.50".to_string()));
}

#[test]
fn emergency_is_pro_rata_for_22_5_hours() {
    // 45 × 22.5 / 37.5 = 27 h = six days of 4.5 h.
    let six = run(
        staff(2250, d(2010, 1, 1)),
        vec![absence(AbsenceType::Emergency, d(2025, 5, 12), d(2025, 5, 19), 2)],
        History::default(),
    );
    assert!(codes(&six).is_empty(), "{:?}", codes(&six));
    assert_eq!(six.episodes[0].hours_x100, 2700);
    let seven = run(
        staff(2250, d(2010, 1, 1)),
        vec![absence(AbsenceType::Emergency, d(2025, 5, 12), d(2025, 5, 20), 2)],
        History::default(),
    );
    assert_eq!(deduction(&seven).map(|d| d.0), Some("4.50".to_string()));
}

#[test]
fn emergency_used_in_an_earlier_month_reduces_this_months_entitlement() {
    let mut history = History::default();
    history.absences.push(AbsenceEpisode {
        assignment: "A1".into(),
        start_date: d(2025, 4, 7),
        end_date: d(2025, 4, 10),
        absence_type: AbsenceType::Emergency,
        hours_x100: 3000,
        paid_hours_x100: 3000,
        unpaid_hours_x100: 0,
    });
    // 30 h used in April leaves 15 h: two days of May's three are paid.
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Emergency, d(2025, 5, 12), d(2025, 5, 14), 2)],
        history,
    );
    assert_eq!(codes(&out), ["LV002", "LV001"]);
    assert_eq!(deduction(&out).map(|d| d.0), Some("7.50".to_string()));
    assert_eq!(out.episodes.len(), 1, "history episodes are not written again");
}

#[test]
fn reservist_week_per_financial_year() {
    let week = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Reservist, d(2025, 5, 12), d(2025, 5, 16), 2)],
        History::default(),
    );
    assert!(codes(&week).is_empty());
    let more = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Reservist, d(2025, 5, 12), d(2025, 5, 19), 2)],
        History::default(),
    );
    assert_eq!(deduction(&more).map(|d| d.0), Some("7.50".to_string()));
    // A week taken in March (previous financial year) does not count.
    let mut history = History::default();
    history.absences.push(AbsenceEpisode {
        assignment: "A1".into(),
        start_date: d(2025, 3, 10),
        end_date: d(2025, 3, 14),
        absence_type: AbsenceType::Reservist,
        hours_x100: 3750,
        paid_hours_x100: 3750,
        unpaid_hours_x100: 0,
    });
    let new_year = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Reservist, d(2025, 5, 12), d(2025, 5, 16), 2)],
        history,
    );
    assert!(codes(&new_year).is_empty());
}

#[test]
fn magisterial_18th_day_paid_19th_unpaid() {
    let mut history = History::default();
    // 15 days (112.5 h) in October 2024, inside the rolling 12 months.
    history.absences.push(AbsenceEpisode {
        assignment: "A1".into(),
        start_date: d(2024, 10, 7),
        end_date: d(2024, 10, 25),
        absence_type: AbsenceType::Magisterial,
        hours_x100: 11250,
        paid_hours_x100: 11250,
        unpaid_hours_x100: 0,
    });
    let eighteen = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Magisterial, d(2025, 5, 12), d(2025, 5, 14), 2)],
        history.clone(),
    );
    assert!(codes(&eighteen).is_empty(), "{:?}", codes(&eighteen));
    let nineteen = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Magisterial, d(2025, 5, 12), d(2025, 5, 15), 2)],
        history,
    );
    assert_eq!(deduction(&nineteen).map(|d| d.0), Some("7.50".to_string()));
}

#[test]
fn carers_leave_needs_a_years_service() {
    // Carer's leave from Mon 12 May 2025.
    let at_365 = run(
        staff(FULL, d(2024, 5, 12)),
        vec![absence(AbsenceType::Carers, d(2025, 5, 12), d(2025, 5, 12), 2)],
        History::default(),
    );
    assert_eq!(codes(&at_365), ["LV001"], "unpaid but within the limits");
    let at_364 = run(
        staff(FULL, d(2024, 5, 13)),
        vec![absence(AbsenceType::Carers, d(2025, 5, 12), d(2025, 5, 12), 2)],
        History::default(),
    );
    assert_eq!(codes(&at_364), ["LV001", "LV003"]);
}

#[test]
fn carers_leave_over_a_week_in_the_year_warns() {
    let week = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Carers, d(2025, 5, 12), d(2025, 5, 16), 2)],
        History::default(),
    );
    assert!(!codes(&week).contains(&"LV003"));
    let more = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Carers, d(2025, 5, 12), d(2025, 5, 19), 2)],
        History::default(),
    );
    assert!(codes(&more).contains(&"LV003"));
}

#[test]
fn close_bereavement_over_two_days_warns() {
    let two = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::BereavementClose, d(2025, 5, 12), d(2025, 5, 13), 2)],
        History::default(),
    );
    assert_eq!(codes(&two), ["LV001"]);
    let three = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::BereavementClose, d(2025, 5, 12), d(2025, 5, 14), 2)],
        History::default(),
    );
    assert_eq!(codes(&three), ["LV001", "LV003"]);
}

#[test]
fn only_hours_inside_the_activity_month_are_deducted() {
    // Unpaid special leave Thu 29 May – Tue 3 June: 3 working days in May
    // (29, 30; and not 31 Sat), i.e. 29 and 30 May = 15 h.
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::UnpaidSpecial, d(2025, 5, 29), d(2025, 6, 3), 2)],
        History::default(),
    );
    assert_eq!(deduction(&out).map(|d| d.0), Some("15.00".to_string()));
    // An absence wholly in June gives no finding in May's activity month.
    let june = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::UnpaidSpecial, d(2025, 6, 2), d(2025, 6, 3), 2)],
        History::default(),
    );
    assert!(codes(&june).is_empty());
}

#[test]
fn annual_and_jury_leave_are_paid() {
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![
            absence(AbsenceType::Annual, d(2025, 5, 12), d(2025, 5, 30), 2),
            absence(AbsenceType::Jury, d(2025, 5, 1), d(2025, 5, 9), 3),
        ],
        History::default(),
    );
    assert!(codes(&out).is_empty());
    assert_eq!(out.episodes.len(), 2);
}

/// PARENTAL is the unpaid parental leave (Parental Leave Policy §7, SPEC
/// §3.10 amended): a week Mon 12 – Fri 16 May 2025 is 37.5 h deducted,
/// 37.5 h × £30,000 / (52.143 × 37.5) = £575.3409… → £575.34.
#[test]
fn a_week_of_parental_leave_is_deducted_to_the_penny() {
    let out = run(
        staff(FULL, d(2010, 1, 1)),
        vec![absence(AbsenceType::Parental, d(2025, 5, 12), d(2025, 5, 16), 2)],
        History::default(),
    );
    assert_eq!(codes(&out), ["LV001"]);
    assert_eq!(deduction(&out), Some(("37.50".to_string(), Pence(-57534))));
}

/// Maternity, paternity, adoption and shared parental pay are payroll's own
/// schemes: nothing deducted.
#[test]
fn maternity_and_the_other_family_leaves_are_not_deducted() {
    for kind in
        [AbsenceType::Maternity, AbsenceType::Paternity, AbsenceType::Adoption, AbsenceType::SharedParental]
    {
        let out = run(
            staff(FULL, d(2010, 1, 1)),
            vec![absence(kind, d(2025, 5, 1), d(2025, 5, 31), 2)],
            History::default(),
        );
        assert!(out.findings.is_empty() && out.deductions.is_empty(), "{kind}");
    }
}

/// LV004 at 11 months' service, not at 12 (the first anniversary of
/// service_start is the leave's first day).
#[test]
fn lv004_under_a_year_of_service_not_at_a_year() {
    let parental = || vec![absence(AbsenceType::Parental, d(2025, 5, 12), d(2025, 5, 16), 2)];
    let eleven_months = run(staff(FULL, d(2024, 6, 12)), parental(), History::default());
    assert_eq!(codes(&eleven_months), ["LV001", "LV004"]);
    assert!(eleven_months.findings[1].message.contains("service start 2024-06-12"));
    let a_year = run(staff(FULL, d(2024, 5, 12)), parental(), History::default());
    assert_eq!(codes(&a_year), ["LV001"]);
    let a_day_short = run(staff(FULL, d(2024, 5, 13)), parental(), History::default());
    assert_eq!(codes(&a_day_short), ["LV001", "LV004"]);
}
