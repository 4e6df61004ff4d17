//! SPEC §10: a hand-built May 2025 (pay period June 2025; bank holidays
//! Mon 5 and Mon 26 May) with figures worked out by hand, and SCK004's
//! boundaries. Full time is 37.5 hours.

use super::super::{evaluate, SicknessOutcome, SCK004};
use crate::config::Config;
use crate::model::absence::{AbsenceReport, AbsenceRow, NOT_RECORDED};
use crate::model::claim::RowRef;
use crate::model::history::{CountedReturn, History, SicknessRow};
use crate::model::period::Period;
use crate::model::roster::{Absence, Roster, Shift, Staff};
use crate::model::{AbsenceType, Certificate, Miles, Pence, ShiftType, StaffGroup};
use crate::state::Ctx;
use chrono::{NaiveDate, NaiveTime};

fn may(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 5, day).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn staff(assignment: &str, cost_centre: &str, group: StaffGroup, hours_x100: i64) -> Staff {
    Staff {
        source: RowRef::new("r.csv", "Staff", 2),
        assignment: assignment.into(),
        name: format!("Name {assignment}"),
        staff_group: group,
        band: String::new(),
        base_site: "DRI".into(),
        home_to_base_miles: Miles::ZERO,
        contracted_hours_x100: hours_x100,
        annual_salary: Pence(3_000_000),
        cost_centre: cost_centre.into(),
        service_start: d(2010, 1, 1),
        start_date: None,
        leave_date: None,
        special_rate_from: None,
        insurance_expiry: None,
        lease_car: false,
    }
}

fn sick(
    assignment: &str,
    start: NaiveDate,
    end: NaiveDate,
    reason: Option<&str>,
    rtw: Option<NaiveDate>,
) -> Absence {
    Absence {
        source: RowRef::new("r.csv", "Absences", 2),
        assignment: assignment.into(),
        start_date: start,
        end_date: end,
        absence_type: AbsenceType::Sickness,
        hours_x100: None,
        certificate: Certificate::FitNote,
        sickness_reason: reason.map(str::to_string),
        rtw_date: rtw,
    }
}

fn shift(assignment: &str, date: NaiveDate) -> Shift {
    Shift {
        source: RowRef::new("r.csv", "Shifts", 2),
        assignment: assignment.into(),
        date,
        start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
        site: "DRI".into(),
        shift_type: ShiftType::Day,
    }
}

fn run(roster: Roster, history: History) -> SicknessOutcome {
    let config = Config::built_in().unwrap();
    let ctx = Ctx::new(&config, Period::new(d(2025, 6, 1), &config.policy), &roster, &history);
    evaluate(&ctx)
}

/// A figure × denominator as written: 2 decimals, half up.
fn written(report: &AbsenceReport, value: i128) -> String {
    crate::model::money::hundredths(report.hundredths(value))
}

fn rate(part: i128, whole: i128) -> String {
    crate::model::money::hundredths(crate::model::absence::percent_x100(part, whole).unwrap())
}

const S10: &str = "S10 Anxiety/stress/depression/other psychiatric illnesses";
const S12: &str = "S12 Other musculoskeletal problems";

/// A1 full time, sick Mon 12 – Fri 16 May, interview on the day back.
/// A2 22.5 h starting 15 May, sick 10 – 20 May (before its start too), no interview, no reason.
/// A3 full time leaving 20 May, sick since 17 March (the ledger's row to 30 April, the
///    sheet's 1 – 9 May, touching): long-term; first shift Mon 12 May, interview that day.
/// A4 30 h, rows 20 – 23 and 22 – 27 May overlapping (a bank holiday inside), interview
///    5 June, the 6th working day after Wed 28 May.
/// A5 left on 30 April: not counted.
fn month() -> (Roster, History) {
    let mut a2 = staff("A2", "CC1", StaffGroup::Afc, 2250);
    a2.start_date = Some(may(15));
    let mut a3 = staff("A3", "CC2", StaffGroup::Medical, 3750);
    a3.leave_date = Some(may(20));
    let mut a5 = staff("A5", "CC1", StaffGroup::Afc, 3750);
    a5.leave_date = Some(d(2025, 4, 30));
    let roster = Roster {
        staff: vec![
            staff("A1", "CC1", StaffGroup::Afc, 3750),
            a2,
            a3,
            staff("A4", "CC2", StaffGroup::Medical, 3000),
            a5,
        ],
        shifts: vec![shift("A3", may(12))],
        absences: vec![
            sick("A1", may(12), may(16), Some(S10), Some(may(19))),
            sick("A2", may(10), may(20), None, None),
            sick("A3", may(1), may(9), Some("S98 Other known causes"), Some(may(12))),
            sick("A4", may(20), may(23), Some(S10), None),
            sick("A4", may(22), may(27), None, Some(d(2025, 6, 5))),
            sick("A5", d(2025, 4, 1), d(2025, 4, 30), None, None),
        ],
        protections: vec![],
        rtw_column: true,
    };
    let mut history = History::default();
    history.sickness_rows.insert(
        "A3".into(),
        vec![SicknessRow {
            assignment: "A3".into(),
            start_date: d(2025, 3, 17),
            end_date: d(2025, 4, 30),
            sickness_reason: Some(S12.into()),
            rtw_date: None,
        }],
    );
    (roster, history)
}

fn row<'a>(report: &'a AbsenceReport, cost_centre: &str) -> &'a AbsenceRow {
    report.rows.iter().find(|r| r.cost_centre == cost_centre).unwrap()
}

#[test]
fn hand_built_month_groups_and_all_row() {
    let (roster, history) = month();
    let out = run(roster, history);
    let r = &out.report;
    let keys: Vec<(&str, &str)> =
        r.rows.iter().map(|r| (r.cost_centre.as_str(), r.staff_group.as_str())).collect();
    assert_eq!(keys, [("CC1", "AFC"), ("CC2", "MEDICAL"), ("(all)", "(all)")]);

    // CC1: A1 31 days × 1.0, A2 17 days (15–31 May) × 0.6 = 10.2; lost 5 + 6 × 0.6 = 8.6.
    let cc1 = row(r, "CC1");
    assert_eq!(cc1.headcount, 2);
    assert_eq!(written(r, cc1.fte), "1.60");
    assert_eq!(written(r, cc1.available), "41.20");
    assert_eq!(written(r, cc1.lost), "8.60");
    assert_eq!(written(r, cc1.lost_short), "8.60");
    assert_eq!(written(r, cc1.lost_long), "0.00");
    assert_eq!(rate(cc1.lost, cc1.available), "20.87"); // 8.6 / 41.2 = 20.8737…%
    assert_eq!(
        (cc1.episodes, cc1.episodes_long, cc1.returns, cc1.rtw_recorded, cc1.rtw_on_time),
        (2, 0, 2, 1, 1)
    );

    // CC2: A3 20 days (1–20 May), 9 lost, long-term; A4 31 × 0.8 = 24.8, 8 days × 0.8 = 6.4.
    let cc2 = row(r, "CC2");
    assert_eq!(written(r, cc2.fte), "1.80");
    assert_eq!(written(r, cc2.available), "44.80");
    assert_eq!(written(r, cc2.lost), "15.40");
    assert_eq!(written(r, cc2.lost_short), "6.40");
    assert_eq!(written(r, cc2.lost_long), "9.00");
    assert_eq!(rate(cc2.lost, cc2.available), "34.38"); // 34.375 half up
    assert_eq!(rate(cc2.lost_short, cc2.available), "14.29");
    assert_eq!(rate(cc2.lost_long, cc2.available), "20.09");
    assert_eq!(
        (cc2.episodes, cc2.episodes_long, cc2.returns, cc2.rtw_recorded, cc2.rtw_on_time),
        (2, 1, 2, 2, 1)
    );

    let all = r.rows.last().unwrap();
    assert_eq!(all.headcount, 4, "A5 left before May");
    assert_eq!(written(r, all.fte), "3.40");
    assert_eq!(written(r, all.available), "86.00");
    assert_eq!(written(r, all.lost), "24.00");
    assert_eq!(rate(all.lost, all.available), "27.91");
    assert_eq!(rate(all.lost_short, all.available), "17.44");
    assert_eq!(rate(all.lost_long, all.available), "10.47");
    assert_eq!(
        (all.episodes, all.episodes_long, all.returns, all.rtw_recorded, all.rtw_on_time),
        (4, 1, 4, 3, 2)
    );
}

#[test]
fn reasons_by_days_lost_with_shares_of_the_month() {
    let (roster, history) = month();
    let r = run(roster, history).report;
    let got: Vec<(String, u64, String, String)> = r
        .reasons
        .iter()
        .map(|x| (x.reason.clone(), x.episodes, written(&r, x.lost), rate(x.lost, r.total_lost())))
        .collect();
    // A3's reason is its first row's: the ledger's, not the sheet's May row.
    assert_eq!(
        got,
        [
            (S10.to_string(), 2, "11.40".to_string(), "47.50".to_string()),
            (S12.to_string(), 1, "9.00".to_string(), "37.50".to_string()),
            (NOT_RECORDED.to_string(), 1, "3.60".to_string(), "15.00".to_string()),
        ]
    );
}

#[test]
fn returns_table_and_sck004_in_the_hand_built_month() {
    let (roster, history) = month();
    let out = run(roster, history);
    let returns: Vec<(&str, NaiveDate, Option<NaiveDate>, bool)> = out
        .report
        .returns
        .iter()
        .map(|r| (r.assignment.as_str(), r.day_of_return, r.rtw_date, r.long_term))
        .collect();
    assert_eq!(
        returns,
        [
            ("A1", may(19), Some(may(19)), false),
            ("A2", may(21), None, false),
            ("A3", may(12), Some(may(12)), true),
            ("A4", may(28), Some(d(2025, 6, 5)), false),
        ]
    );
    let a3 = &out.report.returns[2];
    assert_eq!(a3.start, d(2025, 3, 17));
    let sck004: Vec<&str> =
        out.findings.iter().filter(|f| f.rule.code == "SCK004").map(|f| f.message.as_str()).collect();
    assert_eq!(sck004.len(), 2, "{sck004:?}");
    assert!(sck004[0].starts_with("sickness 2025-05-10 to 2025-05-20, day of return 2025-05-21: no return-to-work interview recorded; Bradford score 11 (stage 0)"), "{}", sck004[0]);
    assert!(
        sck004[1].contains("interview on 2025-06-05, 6 working days after the return (due by 2025-06-04)"),
        "{}",
        sck004[1]
    );
    // The ledger keeps the four returns.
    assert_eq!(super::counted(&out.report).len(), 4);
}

/// One full-time employee A1 on CC1 with the given rows and shifts.
fn one(absences: Vec<Absence>, shifts: Vec<Shift>, rtw_column: bool) -> SicknessOutcome {
    let roster = Roster {
        staff: vec![staff("A1", "CC1", StaffGroup::Afc, 3750)],
        shifts,
        absences,
        protections: vec![],
        rtw_column,
    };
    run(roster, History::default())
}

fn sck004(out: &SicknessOutcome) -> Vec<String> {
    out.findings.iter().filter(|f| f.rule.code == SCK004.code).map(|f| f.message.clone()).collect()
}

#[test]
fn interview_on_the_deadline_day_with_a_bank_holiday_inside_is_on_time() {
    // Back Mon 19 May; 5 working days after: 20, 21, 22, 23, (26 bank holiday) 27.
    let out = one(vec![sick("A1", may(12), may(16), None, Some(may(27)))], vec![], true);
    assert!(sck004(&out).is_empty(), "{:?}", sck004(&out));
    assert_eq!(out.report.returns[0].deadline, may(27));
    assert_eq!(out.report.rows[0].rtw_on_time, 1);
}

#[test]
fn interview_one_working_day_after_the_deadline_fires() {
    let out = one(vec![sick("A1", may(12), may(16), None, Some(may(28)))], vec![], true);
    let messages = sck004(&out);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("interview on 2025-05-28, 6 working days after the return"),
        "{}",
        messages[0]
    );
    assert_eq!((out.report.rows[0].rtw_recorded, out.report.rows[0].rtw_on_time), (1, 0));
}

#[test]
fn a_shift_makes_the_day_of_return_and_moves_the_deadline() {
    // Sick Thu 1 – Fri 2 May. No shift: back Tue 6 May (Mon 5 is a bank
    // holiday), due by Tue 13. A shift on Sat 3 May: back that day, due by Mon 12.
    let rows = || vec![sick("A1", may(1), may(2), None, Some(may(13)))];
    let without = one(rows(), vec![], true);
    assert_eq!(without.report.returns[0].day_of_return, may(6));
    assert!(sck004(&without).is_empty());
    let with = one(rows(), vec![shift("A1", may(3))], true);
    assert_eq!(with.report.returns[0].day_of_return, may(3));
    assert_eq!(sck004(&with).len(), 1);
}

#[test]
fn an_interview_before_the_end_date_is_not_recorded() {
    let out = one(vec![sick("A1", may(12), may(16), None, Some(may(14)))], vec![], true);
    let messages = sck004(&out);
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("no return-to-work interview recorded"), "{}", messages[0]);
    assert_eq!(out.report.rows[0].rtw_recorded, 0);
}

#[test]
fn touching_rows_take_the_interview_of_the_last() {
    let on_last = one(
        vec![sick("A1", may(12), may(14), None, None), sick("A1", may(15), may(16), None, Some(may(19)))],
        vec![],
        true,
    );
    assert!(sck004(&on_last).is_empty());
    assert_eq!(on_last.report.rows[0].episodes, 1);
    let on_first = one(
        vec![sick("A1", may(12), may(14), None, Some(may(19))), sick("A1", may(15), may(16), None, None)],
        vec![],
        true,
    );
    assert_eq!(sck004(&on_first).len(), 1);
}

#[test]
fn an_episode_spanning_months_is_judged_in_the_month_of_return() {
    // Back in June: not May's return.
    let later = one(vec![sick("A1", may(20), d(2025, 6, 3), None, None)], vec![], true);
    assert!(sck004(&later).is_empty());
    assert_eq!(later.report.rows[0].returns, 0);
    assert_eq!(later.report.rows[0].episodes, 1);
    // Began in April, back Tue 6 May: May's return.
    let earlier = one(vec![sick("A1", d(2025, 4, 28), may(2), None, None)], vec![], true);
    assert_eq!(sck004(&earlier).len(), 1);
    assert_eq!(earlier.report.rows[0].returns, 1);
}

#[test]
fn without_an_rtw_column_the_rule_is_silent() {
    let out = one(vec![sick("A1", may(12), may(16), None, None)], vec![], false);
    assert!(sck004(&out).is_empty());
    assert!(!out.report.rtw_column);
    assert_eq!(out.report.rows[0].returns, 1);
    assert!(out.report.returns[0].rtw_date.is_none());
}

#[test]
fn a_return_counted_by_an_earlier_run_is_not_counted_again() {
    let roster = Roster {
        staff: vec![staff("A1", "CC1", StaffGroup::Afc, 3750)],
        shifts: vec![],
        absences: vec![sick("A1", may(12), may(16), None, None)],
        protections: vec![],
        rtw_column: true,
    };
    let mut history = History::default();
    history.counted_returns.insert(
        "A1".into(),
        vec![CountedReturn { assignment: "A1".into(), episode_start: may(12), day_of_return: may(19) }],
    );
    let out = run(roster, history);
    assert!(sck004(&out).is_empty());
    assert_eq!(out.report.rows[0].returns, 0);
}

#[test]
fn the_sheets_copy_of_a_row_replaces_the_ledgers() {
    // The ledger had 12–23 May; this export shortens it to 12–16 May.
    let roster = Roster {
        staff: vec![staff("A1", "CC1", StaffGroup::Afc, 3750)],
        shifts: vec![],
        absences: vec![sick("A1", may(12), may(16), None, Some(may(19)))],
        protections: vec![],
        rtw_column: true,
    };
    let mut history = History::default();
    history.sickness_rows.insert(
        "A1".into(),
        vec![SicknessRow {
            assignment: "A1".into(),
            start_date: may(12),
            end_date: may(23),
            sickness_reason: None,
            rtw_date: None,
        }],
    );
    let out = run(roster, history);
    assert_eq!(written(&out.report, out.report.rows[0].lost), "5.00");
    assert!(sck004(&out).is_empty());
}
