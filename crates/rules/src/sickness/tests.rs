//! SCK boundaries and the attendance policy's worked examples.

use super::*;
use crate::config::Config;
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::{Absence, Roster};
use crate::model::{Miles, Pence, StaffGroup};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn staff() -> Staff {
    Staff {
        source: RowRef::new("r.csv", "Staff", 2),
        assignment: "A1".into(),
        name: "Test".into(),
        staff_group: StaffGroup::Afc,
        band: String::new(),
        base_site: "DRI".into(),
        home_to_base_miles: Miles::ZERO,
        contracted_hours_x100: 3750,
        annual_salary: Pence(3_000_000),
        cost_centre: "CC1".into(),
        service_start: d(2010, 1, 1),
        start_date: None,
        leave_date: None,
        special_rate_from: None,
        insurance_expiry: None,
        lease_car: false,
    }
}

fn sick(start: NaiveDate, end: NaiveDate, certificate: Certificate) -> Absence {
    Absence {
        source: RowRef::new("r.csv", "Absences", 2),
        assignment: "A1".into(),
        start_date: start,
        end_date: end,
        absence_type: AbsenceType::Sickness,
        hours_x100: None,
        certificate,
        sickness_reason: None,
        rtw_date: None,
    }
}

/// Pay period June 2025: activity month May 2025, Bradford window 1 June 2024 – 31 May 2025.
fn run(absences: Vec<Absence>, history: History) -> SicknessOutcome {
    run_part_time(absences, history, 3750, true)
}

/// As [`run`] for an employee contracted `hours_x100` a week, with
/// `sickness.bradford_pro_rata` set to `pro_rata`.
fn run_part_time(
    absences: Vec<Absence>,
    history: History,
    hours_x100: i64,
    pro_rata: bool,
) -> SicknessOutcome {
    let mut config = Config::built_in().unwrap();
    config.policy.sickness.bradford_pro_rata = pro_rata;
    let mut person = staff();
    person.contracted_hours_x100 = hours_x100;
    let roster =
        Roster { staff: vec![person], shifts: vec![], absences, protections: vec![], rtw_column: false };
    let ctx = Ctx::new(&config, Period::new(d(2025, 6, 1), &config.policy), &roster, &history);
    evaluate(&ctx)
}

fn codes(out: &SicknessOutcome) -> Vec<&'static str> {
    out.findings.iter().map(|f| f.rule.code).collect()
}

#[test]
fn three_days_without_a_self_certificate_is_fine_four_is_not() {
    let three = run(vec![sick(d(2025, 5, 12), d(2025, 5, 14), Certificate::None)], History::default());
    assert!(!codes(&three).contains(&"SCK001"));
    let four = run(vec![sick(d(2025, 5, 12), d(2025, 5, 15), Certificate::None)], History::default());
    assert!(codes(&four).contains(&"SCK001"));
    let four_self =
        run(vec![sick(d(2025, 5, 12), d(2025, 5, 15), Certificate::SelfCert)], History::default());
    assert!(!codes(&four_self).contains(&"SCK001"));
}

#[test]
fn seven_days_without_a_fit_note_is_fine_eight_is_not() {
    let seven = run(vec![sick(d(2025, 5, 12), d(2025, 5, 18), Certificate::SelfCert)], History::default());
    assert!(!codes(&seven).contains(&"SCK002"));
    let eight = run(vec![sick(d(2025, 5, 12), d(2025, 5, 19), Certificate::SelfCert)], History::default());
    assert!(codes(&eight).contains(&"SCK002"));
    let fit = run(vec![sick(d(2025, 5, 12), d(2025, 5, 19), Certificate::FitNote)], History::default());
    assert!(!codes(&fit).contains(&"SCK002"));
}

#[test]
fn touching_rows_are_one_episode_with_the_best_certificate() {
    // 12–14 May (none) and 15–19 May (fit note): one 8-day episode with a fit note.
    let out = run(
        vec![
            sick(d(2025, 5, 12), d(2025, 5, 14), Certificate::None),
            sick(d(2025, 5, 15), d(2025, 5, 19), Certificate::FitNote),
        ],
        History::default(),
    );
    assert!(codes(&out).iter().all(|c| *c != "SCK001" && *c != "SCK002"), "{:?}", codes(&out));
    assert_eq!(out.attendance[0].episodes, 1);
    assert_eq!(out.attendance[0].days, 8);
}

#[test]
fn four_absences_totalling_ten_days_score_160() {
    let out = run(
        vec![
            sick(d(2024, 9, 2), d(2024, 9, 4), Certificate::SelfCert),
            sick(d(2024, 11, 4), d(2024, 11, 5), Certificate::SelfCert),
            sick(d(2025, 2, 3), d(2025, 2, 5), Certificate::SelfCert),
            sick(d(2025, 5, 12), d(2025, 5, 13), Certificate::SelfCert),
        ],
        History::default(),
    );
    let row = &out.attendance[0];
    assert_eq!((row.episodes, row.days, row.score, row.stage), (4, 10, 160, 1));
    assert_eq!(codes(&out), ["SCK003"]);
}

#[test]
fn five_absences_totalling_six_days_score_150_and_reach_stage_1() {
    let out = run(
        vec![
            sick(d(2024, 7, 1), d(2024, 7, 1), Certificate::None),
            sick(d(2024, 9, 2), d(2024, 9, 2), Certificate::None),
            sick(d(2024, 11, 4), d(2024, 11, 4), Certificate::None),
            sick(d(2025, 2, 3), d(2025, 2, 4), Certificate::None),
            sick(d(2025, 5, 12), d(2025, 5, 12), Certificate::None),
        ],
        History::default(),
    );
    let row = &out.attendance[0];
    assert_eq!((row.episodes, row.days, row.score, row.stage, row.new_stage), (5, 6, 150, 1, true));
    assert_eq!(codes(&out), ["SCK003"]);
    assert_eq!(out.stages, [("A1".to_string(), 1)]);
}

#[test]
fn a_stage_already_reached_is_not_reported_again() {
    let mut history = History::default();
    history.bradford_stage.insert("A1".into(), 1);
    let out = run(
        vec![
            sick(d(2024, 7, 1), d(2024, 7, 1), Certificate::None),
            sick(d(2024, 9, 2), d(2024, 9, 2), Certificate::None),
            sick(d(2024, 11, 4), d(2024, 11, 4), Certificate::None),
            sick(d(2025, 2, 3), d(2025, 2, 4), Certificate::None),
            sick(d(2025, 5, 12), d(2025, 5, 12), Certificate::None),
        ],
        history,
    );
    assert!(codes(&out).is_empty());
    assert!(!out.attendance[0].new_stage);
}

#[test]
fn an_episode_crossing_the_window_start_counts_its_days_inside() {
    // 28 May – 3 June 2024 has 3 days inside the window (1–3 June 2024).
    let out = run(vec![sick(d(2024, 5, 28), d(2024, 6, 3), Certificate::FitNote)], History::default());
    let row = &out.attendance[0];
    assert_eq!((row.episodes, row.days, row.score), (1, 3, 3));
}

#[test]
fn jumping_two_stages_reports_both() {
    // 5 one-day episodes and a 16-day one: 6² × 21 = 756 → stage 2.
    let mut rows: Vec<Absence> = [(2024, 7, 1), (2024, 8, 1), (2024, 9, 2), (2024, 10, 1), (2024, 11, 1)]
        .iter()
        .map(|&(y, m, day)| sick(d(y, m, day), d(y, m, day), Certificate::None))
        .collect();
    rows.push(sick(d(2025, 5, 1), d(2025, 5, 16), Certificate::FitNote));
    let out = run(rows, History::default());
    assert_eq!(out.attendance[0].score, 756);
    assert_eq!(codes(&out).iter().filter(|c| **c == "SCK003").count(), 2);
}

/// 3 episodes totalling 10 days: 3² × 10 = 90.
fn three_episodes_ten_days() -> Vec<Absence> {
    vec![
        sick(d(2024, 9, 2), d(2024, 9, 5), Certificate::SelfCert),
        sick(d(2024, 11, 4), d(2024, 11, 6), Certificate::SelfCert),
        sick(d(2025, 5, 12), d(2025, 5, 14), Certificate::SelfCert),
    ]
}

#[test]
fn part_time_triggers_are_pro_rata_22_5_hours_reach_stage_1_at_90() {
    // 150 × 22.5 / 37.5 = 90: a score of 90 reaches stage 1.
    let out = run_part_time(three_episodes_ten_days(), History::default(), 2250, true);
    let row = &out.attendance[0];
    assert_eq!((row.episodes, row.days, row.score, row.stage), (3, 10, 90, 1));
    assert_eq!(row.triggers, [90, 300, 525]);
    assert_eq!(codes(&out), ["SCK003"]);
    assert!(
        out.findings[0]
            .message
            .contains("reached stage 1 (trigger 90: 150 pro rata for 22.50 contracted hours a week)"),
        "{}",
        out.findings[0].message
    );
}

#[test]
fn a_full_time_employee_with_the_same_absences_does_not_reach_stage_1() {
    let out = run_part_time(three_episodes_ten_days(), History::default(), 3750, true);
    let row = &out.attendance[0];
    assert_eq!((row.score, row.stage), (90, 0));
    assert_eq!(row.triggers, [150, 500, 875]);
    assert!(codes(&out).is_empty());
}

#[test]
fn thirty_hours_four_episodes_eight_days_score_128_reach_stage_1_at_120() {
    // 150 × 30 / 37.5 = 120 ≤ 4² × 8 = 128.
    let out = run_part_time(
        vec![
            sick(d(2024, 7, 1), d(2024, 7, 2), Certificate::None),
            sick(d(2024, 9, 2), d(2024, 9, 3), Certificate::None),
            sick(d(2025, 2, 3), d(2025, 2, 4), Certificate::None),
            sick(d(2025, 5, 12), d(2025, 5, 13), Certificate::None),
        ],
        History::default(),
        3000,
        true,
    );
    let row = &out.attendance[0];
    assert_eq!((row.episodes, row.days, row.score, row.stage), (4, 8, 128, 1));
    assert_eq!(row.triggers[0], 120);
    assert_eq!(codes(&out), ["SCK003"]);
    // Full time, 128 < 150: nothing.
    let full = run_part_time(out_absences_4_8(), History::default(), 3750, true);
    assert_eq!(full.attendance[0].stage, 0);
}

fn out_absences_4_8() -> Vec<Absence> {
    vec![
        sick(d(2024, 7, 1), d(2024, 7, 2), Certificate::None),
        sick(d(2024, 9, 2), d(2024, 9, 3), Certificate::None),
        sick(d(2025, 2, 3), d(2025, 2, 4), Certificate::None),
        sick(d(2025, 5, 12), d(2025, 5, 13), Certificate::None),
    ]
}

#[test]
fn bradford_pro_rata_false_restores_full_time_triggers() {
    let out = run_part_time(three_episodes_ten_days(), History::default(), 2250, false);
    let row = &out.attendance[0];
    assert_eq!((row.score, row.stage), (90, 0));
    assert_eq!(row.triggers, [150, 500, 875]);
    assert!(codes(&out).is_empty());
}

#[test]
fn a_full_time_message_names_the_plain_trigger() {
    let out = run_part_time(out_absences_4_8(), History::default(), 3000, true);
    assert!(out.findings[0]
        .message
        .ends_with("reached stage 1 (trigger 120: 150 pro rata for 30.00 contracted hours a week)"));
    let full = run(
        vec![
            sick(d(2024, 9, 2), d(2024, 9, 4), Certificate::SelfCert),
            sick(d(2024, 11, 4), d(2024, 11, 5), Certificate::SelfCert),
            sick(d(2025, 2, 3), d(2025, 2, 5), Certificate::SelfCert),
            sick(d(2025, 5, 12), d(2025, 5, 13), Certificate::SelfCert),
        ],
        History::default(),
    );
    assert!(
        full.findings[0].message.ends_with("reached stage 1 (trigger 150)"),
        "{}",
        full.findings[0].message
    );
}
