//! Issue 5 acceptance (SPEC §3.9–§3.11, §6.7): leave entitlements and the
//! Bradford score across two months on one ledger, absences spanning the
//! month boundary, and the roster checks of claim lines end to end.

use crate::common::inputs::*;
use crate::common::*;
use std::path::{Path, PathBuf};

/// E5's emergency leave of April (4 days, 30 h of the 45 h entitlement).
fn april_emergency() -> Row {
    absence("E5", "2025-04-07", "2025-04-10", "EMERGENCY", "NONE")
}

/// Unpaid special leave Mon 28 April – Fri 2 May: 3 days in April, 2 in May.
fn spanning_unpaid() -> Row {
    absence("E5", "2025-04-28", "2025-05-02", "UNPAID_SPECIAL", "NONE")
}

/// May's emergency leave: 3 days, 22.5 h.
fn may_emergency() -> Row {
    absence("E5", "2025-05-12", "2025-05-14", "EMERGENCY", "NONE")
}

/// E6's sickness: four one-day episodes and one spanning 28 April – 3 May.
fn sickness() -> Vec<Row> {
    let mut rows: Vec<Row> = ["2025-01-06", "2025-02-03", "2025-03-03", "2025-04-07"]
        .iter()
        .map(|d| absence("E6", d, d, "SICKNESS", "SELF"))
        .collect();
    rows.push(absence("E6", "2025-04-28", "2025-05-03", "SICKNESS", "SELF"));
    rows
}

fn roster_with(dir: &Path, absences: &[Row], shifts: &[Row]) -> PathBuf {
    write_roster(dir, &[staff("E5"), staff("E6")], shifts, absences)
}

/// One harmless claim line (E5, a bus fare on a rostered day).
fn claims(dir: &Path, date: &str) -> PathBuf {
    let shift_day_claim = claim("K1", 1, "E5", date, date, "BUS", "3.20");
    write_claims(&dir.join(format!("claims-{date}.csv")), &[shift_day_claim])
}

fn shifts() -> Vec<Row> {
    vec![
        shift("E5", "2025-04-15", "08:00", "16:00", "DRI", "DAY"),
        shift("E5", "2025-05-20", "08:00", "16:00", "DRI", "DAY"),
    ]
}

fn rule_rows<'a>(exceptions: &'a Csv, rule: &str, assignment: &str) -> Vec<&'a Vec<String>> {
    exceptions.find(&[("rule", rule), ("assignment", assignment)])
}

/// The row locators `file!Absences:N` of the roster rows equal to `wanted`.
fn locators(roster: &Path, absences: &[Row], wanted: &[Row]) -> String {
    let file = roster.join("Absences.csv");
    let in_file = Csv::read(&file);
    assert_eq!(in_file.rows.len(), absences.len());
    wanted
        .iter()
        .map(|w| {
            let i = absences.iter().position(|a| a == w).expect("row in the file");
            format!("!Absences:{}", i + 2)
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[track_caller]
fn unpaid_leave(out: &Path, assignment: &str) -> Vec<String> {
    let adj = Csv::read(&out.join("adjustments.csv"));
    assert_eq!(
        adj.header,
        [
            "assignment",
            "name",
            "cost_centre",
            "element",
            "units",
            "rate",
            "amount",
            "taxable",
            "ni_able",
            "protected",
            "protection_end",
            "source"
        ]
    );
    let rows = adj.find(&[("assignment", assignment), ("element", "Unpaid leave deduction")]);
    assert!(rows.len() <= 1);
    rows.first().map(|r| r.to_vec()).unwrap_or_default()
}

#[track_caller]
fn attendance(out: &Path, assignment: &str) -> Vec<String> {
    let csv = Csv::read(&out.join("attendance.csv"));
    assert_eq!(csv.header, ["assignment", "name", "episodes", "days", "score", "stage", "new_stage"]);
    let rows = csv.find(&[("assignment", assignment)]);
    assert_eq!(rows.len(), 1, "{assignment} in attendance.csv");
    rows[0].to_vec()
}

#[test]
fn emergency_leave_of_month_one_reduces_month_two_and_spanning_absences_split_by_month() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let state = t.join("state");

    // Month 1: pay period 2025-05, activity April.
    let m1_rows: Vec<Row> = [vec![april_emergency(), spanning_unpaid()], sickness()].concat();
    let r1 = roster_with(&t.join("roster-04"), &m1_rows, &shifts());
    run_ok("2025-05", &r1, &claims(t, "2025-04-15"), &t.join("out-05"), &state);
    let out1 = t.join("out-05");
    // 30 h of emergency leave: paid. Unpaid special leave: only its April
    // days, 3 × 7.5 h at £30,000 / (52.143 × 37.5) = £15.3424 an hour.
    let row = unpaid_leave(&out1, "E5");
    let adj = Csv::read(&out1.join("adjustments.csv"));
    assert_eq!(adj.get(&row, "units"), "22.50");
    assert_eq!(adj.get(&row, "rate"), "15.34");
    assert_eq!(adj.get(&row, "amount"), "-345.20");
    assert_eq!(adj.get(&row, "taxable"), "Y");
    assert_eq!(adj.get(&row, "ni_able"), "Y");
    let source = adj.get(&row, "source");
    assert!(source.ends_with(&locators(&r1, &m1_rows, &[spanning_unpaid()])), "{source}");
    assert!(source.contains("Absences.csv"), "{source}");
    let ex1 = Csv::read(&out1.join("exceptions.csv"));
    assert!(rule_rows(&ex1, "LV002", "E5").is_empty());
    assert_eq!(rule_rows(&ex1, "LV001", "E5").len(), 1);

    // Month 2: May's export re-sends April's rows as history.
    let m2_rows: Vec<Row> =
        [vec![april_emergency(), spanning_unpaid(), may_emergency()], sickness()].concat();
    let r2 = roster_with(&t.join("roster-05"), &m2_rows, &shifts());
    let may_claims = claims(t, "2025-05-20");
    run_ok("2025-06", &r2, &may_claims, &t.join("out-06"), &state);
    let out2 = t.join("out-06");
    // Emergency: 45 − 30 = 15 h left of May's 22.5 h → 7.5 h unpaid (£115.07);
    // unpaid special leave: its two May days, 15 h (£230.14), each row
    // rounded (so not month 1's £345.20 for the same 22.5 h). April's
    // emergency row, in the file and in the ledger, is counted once.
    let adj = Csv::read(&out2.join("adjustments.csv"));
    let row = unpaid_leave(&out2, "E5");
    assert_eq!(adj.get(&row, "units"), "22.50");
    assert_eq!(adj.get(&row, "amount"), "-345.21");
    let source = adj.get(&row, "source");
    let want = locators(&r2, &m2_rows, &[spanning_unpaid(), may_emergency()]);
    let parts: Vec<&str> = source.split(';').collect();
    let want_parts: Vec<&str> = want.split(';').collect();
    assert_eq!(parts.len(), 2, "{source}");
    for (p, w) in parts.iter().zip(&want_parts) {
        assert!(p.ends_with(w), "{source} vs {want}");
    }
    let ex2 = Csv::read(&out2.join("exceptions.csv"));
    let lv002 = rule_rows(&ex2, "LV002", "E5");
    assert_eq!(lv002.len(), 1);
    assert!(ex2.get(lv002[0], "message").contains("7.50 h of 22.50 h"), "{:?}", lv002[0]);
    let lv001: Vec<String> = rule_rows(&ex2, "LV001", "E5").iter().map(|r| ex2.get(r, "message")).collect();
    assert_eq!(lv001.len(), 2, "{lv001:?}");
    assert!(lv001.iter().any(|m| m.contains("7.50") && m.contains("115.07")), "{lv001:?}");
    assert!(lv001.iter().any(|m| m.contains("15.00") && m.contains("230.14")), "{lv001:?}");

    // The same month with only May's rows in the file: the ledger alone
    // still knows April's 30 h.
    let state_b = t.join("state-b");
    run_ok("2025-05", &r1, &claims(t, "2025-04-15"), &t.join("b-05"), &state_b);
    let m2_only = vec![may_emergency()];
    let r2b = roster_with(&t.join("roster-05b"), &m2_only, &shifts());
    run_ok("2025-06", &r2b, &may_claims, &t.join("b-06"), &state_b);
    let adj = Csv::read(&t.join("b-06/adjustments.csv"));
    let row = unpaid_leave(&t.join("b-06"), "E5");
    assert_eq!((adj.get(&row, "units").as_str(), adj.get(&row, "amount").as_str()), ("7.50", "-115.07"));

    // And on an empty ledger May's 22.5 h are all paid: the reduction above
    // came from month 1.
    run_ok("2025-06", &r2b, &may_claims, &t.join("fresh-06"), &t.join("fresh-state"));
    assert!(unpaid_leave(&t.join("fresh-06"), "E5").is_empty());
    let fresh = Csv::read(&t.join("fresh-06/exceptions.csv"));
    assert!(rule_rows(&fresh, "LV002", "E5").is_empty() && rule_rows(&fresh, "LV001", "E5").is_empty());
}

#[test]
fn bradford_counts_a_spanning_episode_once_and_a_stage_is_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let state = t.join("state");
    let r1 = roster_with(&t.join("roster-04"), &sickness(), &shifts());
    run_ok("2025-05", &r1, &claims(t, "2025-04-15"), &t.join("out-05"), &state);
    // Window May 2024 – April 2025: 5 episodes, 1+1+1+1+3 days (28–30 April) = 25 × 7.
    let a = attendance(&t.join("out-05"), "E6");
    assert_eq!(a[2..], ["5", "7", "175", "1", "Y"]);
    let ex1 = Csv::read(&t.join("out-05/exceptions.csv"));
    let sck003 = rule_rows(&ex1, "SCK003", "E6");
    assert_eq!(sck003.len(), 1);
    assert_eq!(ex1.get(sck003[0], "severity"), "INFO");
    assert_eq!(ex1.get(sck003[0], "policy_ref"), payrun::rules::sickness::SCK003.policy_ref);

    // Month 2 (history re-sent): the spanning episode is one episode of 6 days.
    let r2 = roster_with(&t.join("roster-05"), &sickness(), &shifts());
    run_ok("2025-06", &r2, &claims(t, "2025-05-20"), &t.join("out-06"), &state);
    let a = attendance(&t.join("out-06"), "E6");
    assert_eq!(a[2..], ["5", "10", "250", "1", "N"]);
    let ex2 = Csv::read(&t.join("out-06/exceptions.csv"));
    assert!(rule_rows(&ex2, "SCK003", "E6").is_empty(), "stage 1 reported again");
    // A self-certified 6-day episode: no SCK001, no SCK002 (≤ 7 days).
    assert!(rule_rows(&ex2, "SCK001", "E6").is_empty() && rule_rows(&ex2, "SCK002", "E6").is_empty());

    // Month 2 with no history in the file: the ledger's episodes give the
    // same figures, and their certificates (not in the ledger) raise nothing.
    let state_b = t.join("state-b");
    run_ok("2025-05", &r1, &claims(t, "2025-04-15"), &t.join("b-05"), &state_b);
    let r2b = roster_with(&t.join("roster-05b"), &[], &shifts());
    run_ok("2025-06", &r2b, &claims(t, "2025-05-20"), &t.join("b-06"), &state_b);
    let a = attendance(&t.join("b-06"), "E6");
    assert_eq!(a[2..], ["5", "10", "250", "1", "N"]);
    let ex = Csv::read(&t.join("b-06/exceptions.csv"));
    assert!(rule_rows(&ex, "SCK003", "E6").is_empty());
    assert!(rule_rows(&ex, "SCK001", "E6").is_empty(), "certificate unknown for a ledger-only episode");
}

#[test]
fn claims_against_the_roster_ros001_and_ros003_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let absences = vec![absence("E6", "2025-05-05", "2025-05-09", "SICKNESS", "SELF")];
    let shifts = vec![
        shift("E5", "2025-05-06", "08:00", "16:00", "DRI", "DAY"),
        shift("E5", "2025-05-07", "18:00", "08:00", "DRI", "ONCALL"),
    ];
    let roster = roster_with(&t.join("roster"), &absences, &shifts);
    let oncall = |id: &str, date: &str| {
        with(
            claim(id, 1, "E5", date, "2025-05-20", "ONCALL_MILEAGE", "2.50"),
            &[("from", "HOME"), ("to", "DRI"), ("miles", "10")],
        )
    };
    let lines = vec![
        claim("S1", 1, "E6", "2025-05-07", "2025-05-20", "BUS", "3.20"),
        oncall("O1", "2025-05-06"),
        oncall("O2", "2025-05-07"),
    ];
    let claims = write_claims(&t.join("claims.csv"), &lines);
    run_ok("2025-06", &roster, &claims, &t.join("out"), &t.join("state"));
    let d = Csv::read(&t.join("out/decisions.csv"));
    let get = |id: &str, col: &str| d.get(d.find(&[("claim_id", id)])[0], col);
    assert_eq!((get("S1", "status"), get("S1", "rules")), ("PAID".into(), "ROS001".into()));
    assert_eq!((get("O1", "status"), get("O1", "rules")), ("REJECTED".into(), "ROS003".into()));
    assert_eq!((get("O2", "status"), get("O2", "rules")), ("PAID".into(), "TAX002".into()));
    let ex = Csv::read(&t.join("out/exceptions.csv"));
    let ros001 = ex.find(&[("rule", "ROS001")]);
    assert_eq!(ros001.len(), 1);
    assert_eq!(ex.get(ros001[0], "severity"), "WARNING");
}
