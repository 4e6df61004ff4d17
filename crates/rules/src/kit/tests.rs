//! KIT boundaries with hand-computed pence (£30,000 a year, 37.5 h: the
//! hourly rate £15.3425… shown as 15.34): two shifts on one day and a part
//! day, SPLIT days with a night shift, the 11th KIT day across months with
//! the ledger's days, shifts after the return and during paternity leave,
//! and a re-run of the month of return.

use super::*;
use crate::fixtures::{config, date as d, staff};
use crate::model::claim::RowRef;
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::Roster;
use crate::model::{Certificate, ShiftType};

fn leave(kind: AbsenceType, start: NaiveDate, end: NaiveDate) -> Absence {
    Absence {
        source: RowRef::new("roster.xlsx", "Absences", 2),
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

fn shift(date: NaiveDate, start: &str, end: &str, row: u32) -> Shift {
    let t = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap();
    Shift {
        source: RowRef::new("roster.xlsx", "Shifts", row),
        assignment: "A1".into(),
        date,
        start: t(start),
        end: t(end),
        site: "DRI".into(),
        shift_type: ShiftType::Day,
    }
}

/// The KIT rules for pay period `pay` (activity month the one before).
fn run(pay: NaiveDate, absences: Vec<Absence>, shifts: Vec<Shift>, history: &History) -> KitOutcome {
    let config = config();
    let roster = Roster { staff: vec![staff()], shifts, absences, protections: vec![], rtw_column: false };
    let period = Period::new(pay, &config.policy);
    let ctx = Ctx::new(config, period, &roster, history);
    evaluate(&ctx)
}

/// What the ledger would hold after committing `out` for period `label`.
fn commit(history: &mut History, out: &KitOutcome, label: &str) {
    for day in &out.days {
        history.kit_days.retain(|k| !(k.leave == day.leave && k.date == day.date));
        history.kit_days.push(day.clone());
    }
    history.kit_days.sort();
    for paid in &out.paid {
        history.kit_paid.entry(paid.leave.clone()).or_insert_with(|| label.to_string());
    }
}

fn codes(out: &KitOutcome) -> Vec<&'static str> {
    out.findings.iter().map(|f| f.rule.code).collect()
}

#[test]
fn three_kit_days_two_shifts_on_one_day_and_a_part_day_paid_on_return() {
    let shifts = vec![
        shift(d(2025, 3, 10), "08:00", "12:00", 2),
        shift(d(2025, 3, 10), "13:00", "17:30", 3),
        shift(d(2025, 4, 14), "09:00", "11:15", 4),
        shift(d(2025, 5, 20), "07:00", "14:30", 5),
    ];
    let maternity = leave(AbsenceType::Maternity, d(2025, 1, 6), d(2025, 5, 31));
    // Return 1 June: activity month June, pay period July.
    let out = run(d(2025, 7, 1), vec![maternity], shifts, &History::default());
    assert_eq!(codes(&out), ["KIT001"]);
    let row = &out.payments[0];
    assert_eq!(row.element, "KIT_DAYS");
    // 8.50 + 2.25 + 7.50 = 18.25 h × £30,000 / (52.143 × 37.5) = £279.9997… → £280.00
    assert_eq!((row.units.as_str(), row.rate.as_str(), row.amount), ("18.25", "15.34", Pence(28_000)));
    assert!(row.taxable);
    assert_eq!(
        row.source,
        "roster.xlsx!Shifts:2;roster.xlsx!Shifts:3;roster.xlsx!Shifts:4;roster.xlsx!Shifts:5"
    );
    assert!(out.findings[0].message.contains("3 KIT day(s)"), "{}", out.findings[0].message);
    assert_eq!(out.leaves[0].days.len(), 3, "two shifts on 10 March are one KIT day");
    assert_eq!(out.leaves[0].paid_in.as_deref(), Some("2025-07"));
    assert_eq!(out.paid[0].amount, Pence(28_000));
}

#[test]
fn kit_days_are_not_paid_before_the_month_of_return() {
    let maternity = leave(AbsenceType::Maternity, d(2025, 1, 6), d(2025, 5, 31));
    let shifts = vec![shift(d(2025, 5, 20), "07:00", "14:30", 5)];
    // Activity month May: the leave ends 31 May, the return (1 June) is next month.
    let out = run(d(2025, 6, 1), vec![maternity], shifts, &History::default());
    assert!(out.findings.is_empty() && out.payments.is_empty());
    assert_eq!(out.days.len(), 1, "the day is kept for the ledger");
    assert_eq!(out.leaves[0].paid_in, None);
}

#[test]
fn fifteen_split_days_with_a_night_shift_no_kit002() {
    let spl = leave(AbsenceType::SharedParental, d(2025, 2, 3), d(2025, 5, 31));
    let mut shifts: Vec<Shift> =
        (0..14).map(|i| shift(d(2025, 3, 3) + Duration::days(i), "07:30", "15:00", 2 + i as u32)).collect();
    // A night shift crossing midnight: 12 hours.
    shifts.push(shift(d(2025, 4, 1), "20:00", "08:00", 20));
    let out = run(d(2025, 7, 1), vec![spl], shifts, &History::default());
    assert_eq!(codes(&out), ["KIT001"], "15 SPLIT days are within 20");
    // 14 × 7.5 + 12 = 117 h × £30,000 / (52.143 × 37.5) = £1,795.0559… → £1,795.06
    assert_eq!((out.payments[0].units.as_str(), out.payments[0].amount), ("117.00", Pence(179_506)));
    assert!(out.findings[0].message.contains("15 SPLIT day(s)"));
    assert_eq!(out.leaves[0].limit, 20);
}

/// Twelve KIT days over February–May of a leave ending 31 August: KIT002
/// once, in the run of May (the 11th day), all twelve paid in October's run
/// (activity month September, the return) from the ledger.
#[test]
fn twelve_kit_days_over_four_months_kit002_once_and_paid_months_later_from_the_ledger() {
    let maternity = || leave(AbsenceType::Maternity, d(2025, 1, 6), d(2025, 8, 31));
    // Three days a month on the 3rd, 4th and 5th of Feb–May.
    let month_shifts = |m: u32| -> Vec<Shift> {
        (3..=5).map(|day| shift(d(2025, m, day), "09:00", "16:30", m * 10 + day)).collect()
    };
    let mut history = History::default();
    let mut kit002 = Vec::new();
    for (activity, pay) in [(2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9)] {
        let shifts = if activity <= 5 { month_shifts(activity) } else { vec![] };
        let out = run(d(2025, pay, 1), vec![maternity()], shifts, &history);
        assert!(out.payments.is_empty(), "not paid before the return (pay period {pay})");
        for f in &out.findings {
            assert_eq!(f.rule.code, "KIT002");
            kit002.push((pay, f.message.clone()));
        }
        commit(&mut history, &out, &format!("2025-{pay:02}"));
    }
    assert_eq!(kit002.len(), 1, "{kit002:?}");
    let (pay, message) = &kit002[0];
    assert_eq!(*pay, 6, "May's activity holds the 11th day (4 May)");
    assert!(
        message.contains("more than 10 KIT days") && message.contains("2025-05-04, 2025-05-05"),
        "{message}"
    );

    // October's run: the Shifts sheet holds only September, the days come from the ledger.
    let out = run(d(2025, 10, 1), vec![maternity()], vec![], &history);
    assert_eq!(codes(&out), ["KIT001"]);
    // 12 × 7.5 = 90 h × £30,000 / (52.143 × 37.5) = £1,380.8181… → £1,380.82
    assert_eq!((out.payments[0].units.as_str(), out.payments[0].amount), ("90.00", Pence(138_082)));
    assert_eq!(out.leaves[0].days.len(), 12);
    // A re-run of October (same history) pays the same; November pays nothing.
    let again = run(d(2025, 10, 1), vec![maternity()], vec![], &history);
    assert_eq!(again.payments, out.payments);
    commit(&mut history, &out, "2025-10");
    let later = run(d(2025, 11, 1), vec![maternity()], vec![], &history);
    assert!(later.payments.is_empty() && later.findings.is_empty());
    assert_eq!(later.leaves[0].paid_in.as_deref(), Some("2025-10"));
}

#[test]
fn the_tenth_day_is_no_warning_and_the_eleventh_is() {
    let maternity = || leave(AbsenceType::Maternity, d(2025, 1, 6), d(2025, 8, 31));
    let days = |n: i64| -> Vec<Shift> {
        (0..n).map(|i| shift(d(2025, 5, 1) + Duration::days(i), "09:00", "10:00", 2 + i as u32)).collect()
    };
    assert!(run(d(2025, 6, 1), vec![maternity()], days(10), &History::default()).findings.is_empty());
    let out = run(d(2025, 6, 1), vec![maternity()], days(11), &History::default());
    assert_eq!(codes(&out), ["KIT002"]);
    assert!(out.findings[0].message.contains("beyond the limit: 2025-05-11)"), "{}", out.findings[0].message);
}

#[test]
fn shifts_after_the_return_and_during_paternity_leave_are_not_kit_days() {
    let shifts = vec![shift(d(2025, 6, 2), "09:00", "17:00", 2), shift(d(2025, 5, 12), "09:00", "17:00", 3)];
    let out = run(
        d(2025, 7, 1),
        vec![
            leave(AbsenceType::Maternity, d(2025, 1, 6), d(2025, 5, 11)),
            leave(AbsenceType::Paternity, d(2025, 5, 12), d(2025, 5, 25)),
        ],
        shifts,
        &History::default(),
    );
    assert!(
        out.days.is_empty() && out.payments.is_empty() && out.findings.is_empty() && out.leaves.is_empty()
    );
}

#[test]
fn touching_rows_of_one_leave_are_one_leave() {
    let shifts = vec![shift(d(2025, 2, 3), "09:00", "12:00", 2), shift(d(2025, 4, 7), "09:00", "12:00", 3)];
    let out = run(
        d(2025, 7, 1),
        vec![
            leave(AbsenceType::Adoption, d(2025, 1, 6), d(2025, 3, 31)),
            leave(AbsenceType::Adoption, d(2025, 4, 1), d(2025, 5, 31)),
        ],
        shifts,
        &History::default(),
    );
    assert_eq!(codes(&out), ["KIT001"]);
    assert_eq!(out.leaves.len(), 1);
    assert_eq!(out.payments[0].units, "6.00");
}

#[test]
fn the_kit_rules_explain_themselves() {
    for rule in [&KIT001, &KIT002] {
        assert_eq!(rule.family, Family::KeepingInTouch);
        assert!(rule.policy_ref.starts_with("Parental Leave Policy"));
    }
    assert!(KIT002.what.contains("{leave.kit_days}"));
}
