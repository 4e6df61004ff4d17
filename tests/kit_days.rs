//! Issue 32 end to end (SPEC §14, §3.10 amended): KIT days worked during a
//! maternity leave are held by the ledger and paid in the run of the month
//! of return, under their own element in adjustments.csv and the payroll
//! batch; a re-run of that month pays the same (no correction); a claim on a
//! KIT day raises no ROS001; unpaid parental leave is deducted and LV004
//! fires under a year's service, not at a year.

use crate::common::inputs::*;
use crate::common::*;

fn staff_rows() -> Vec<Row> {
    vec![
        staff("E1"),
        // 11 months' service when the parental leave starts on 9 June 2025.
        with(staff("E2"), &[("service_start", "2024-07-09")]),
        // Exactly a year.
        with(staff("E3"), &[("service_start", "2024-06-09")]),
    ]
}

fn absences() -> Vec<Row> {
    vec![
        // The roster's own words: aliases of MATERNITY and PARENTAL.
        absence("E1", "2025-01-06", "2025-05-31", "Maternity Leave", "NONE"),
        absence("E2", "2025-06-09", "2025-06-13", "Parental Leave", "NONE"),
        absence("E3", "2025-06-09", "2025-06-13", "PARENTAL", "NONE"),
    ]
}

/// May's export: the KIT days of March to May (two shifts on 10 March, a
/// part day on 14 April, a full day on 20 May).
fn may_shifts() -> Vec<Row> {
    vec![
        shift("E1", "2025-03-10", "08:00", "12:00", "DRI", "DAY"),
        shift("E1", "2025-03-10", "13:00", "17:30", "DRI", "DAY"),
        shift("E1", "2025-04-14", "09:00", "11:15", "DRI", "DAY"),
        shift("E1", "2025-05-20", "07:00", "14:30", "DRI", "DAY"),
    ]
}

/// June's export: E1 back at work, no shift inside the leave.
fn june_shifts() -> Vec<Row> {
    vec![shift("E1", "2025-06-02", "08:00", "16:00", "DRI", "DAY")]
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, period: &str, roster: &str, claims: &str, out: &str) -> std::process::Output {
        let o = payrun(&[
            "run",
            "--quiet",
            "--no-xlsx",
            "--period",
            period,
            "--roster",
            &self.path(roster).display().to_string(),
            "--expenses",
            &self.path(claims).display().to_string(),
            "--out",
            &self.path(out).display().to_string(),
            "--state",
            &self.path("state").display().to_string(),
        ]);
        assert_eq!(code(&o), 0, "{period}: {}", stderr(&o));
        o
    }

    fn csv(&self, out: &str, name: &str) -> Csv {
        Csv::read(&self.path(out).join(name))
    }
}

fn case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let may = dir.path().join("roster-may");
    write_roster(&may, &staff_rows(), &may_shifts(), &absences());
    write_roster(&dir.path().join("roster-june"), &staff_rows(), &june_shifts(), &absences());
    // A bus fare on the KIT day of 20 May, and one on 21 May (no shift).
    write_claims(
        &dir.path().join("claims-may.csv"),
        &[
            claim("K1", 1, "E1", "2025-05-20", "2025-05-22", "BUS", "3.20"),
            claim("K1", 2, "E1", "2025-05-21", "2025-05-22", "BUS", "3.20"),
        ],
    );
    write_claims(&dir.path().join("claims-june.csv"), &[]);
    Case { dir }
}

fn kit_rows<'a>(adj: &'a Csv, assignment: &str) -> Vec<&'a Vec<String>> {
    adj.find(&[("assignment", assignment), ("element", "Keeping in touch days")])
}

#[test]
fn kit_days_are_paid_in_the_month_of_return_from_the_ledger_and_a_rerun_pays_the_same() {
    let case = case();
    // Pay period June (activity May): the leave has not ended; nothing paid.
    case.run("2025-06", "roster-may", "claims-may.csv", "june");
    let adj = case.csv("june", "adjustments.csv");
    assert!(kit_rows(&adj, "E1").is_empty());
    let exceptions = case.csv("june", "exceptions.csv");
    assert!(exceptions.find(&[("rule", "KIT001")]).is_empty());
    // The claim on the KIT day has a shift: no ROS001; the next day has none.
    let ros001 = exceptions.find(&[("rule", "ROS001")]);
    assert_eq!(ros001.len(), 1, "{:?}", exceptions.rows);
    assert_eq!(exceptions.get(ros001[0], "line_no"), "2");

    // Pay period July (activity June, the month of return 1 June): June's
    // export has no shift in the leave, the days come from the ledger.
    case.run("2025-07", "roster-june", "claims-june.csv", "july");
    let adj = case.csv("july", "adjustments.csv");
    let kit = kit_rows(&adj, "E1");
    assert_eq!(kit.len(), 1, "{:?}", adj.rows);
    // 8.50 + 2.25 + 7.50 = 18.25 h × £30,000 / (52.143 × 37.5) = £279.9997… → £280.00
    assert_eq!(
        (adj.get(kit[0], "units"), adj.get(kit[0], "rate"), adj.get(kit[0], "amount")),
        ("18.25".into(), "15.34".into(), "280.00".into())
    );
    assert_eq!((adj.get(kit[0], "taxable"), adj.get(kit[0], "ni_able")), ("Y".into(), "Y".into()));
    let source = adj.get(kit[0], "source");
    assert_eq!(source.matches("Shifts.csv!Shifts:").count(), 4, "{source}");
    let batch = case.csv("july", "payroll-batch.csv");
    let line = batch.find(&[("assignment", "E1"), ("element_name", "Keeping in touch days")]);
    assert_eq!(batch.get(line[0], "value_1"), "280.00");
    let exceptions = case.csv("july", "exceptions.csv");
    let kit001 = exceptions.find(&[("rule", "KIT001"), ("assignment", "E1")]);
    assert_eq!(kit001.len(), 1);
    let message = exceptions.get(kit001[0], "message");
    assert!(message.contains("3 KIT day(s) (2025-03-10, 2025-04-14, 2025-05-20)"), "{message}");

    // A re-run of July pays the same: no correction.
    let o = case.run("2025-07", "roster-june", "claims-june.csv", "july-2");
    assert!(stderr(&o).contains("no change to payroll"), "{}", stderr(&o));
    assert_eq!(case.csv("july-2", "adjustments.csv").rows, adj.rows);
    assert_eq!(case.csv("july-2", "corrections.csv").rows.len(), 0);
    assert_eq!(case.csv("july-2", "payroll-batch-corrections.csv").rows.len(), 0);
    // August: already paid, not again.
    case.run("2025-08", "roster-june", "claims-june.csv", "august");
    assert!(kit_rows(&case.csv("august", "adjustments.csv"), "E1").is_empty());
}

#[test]
fn parental_leave_is_unpaid_and_lv004_fires_under_a_year_of_service() {
    let case = case();
    case.run("2025-07", "roster-june", "claims-june.csv", "july");
    let adj = case.csv("july", "adjustments.csv");
    for who in ["E2", "E3"] {
        let rows = adj.find(&[("assignment", who), ("element", "Unpaid leave deduction")]);
        // Mon 9 – Fri 13 June: 37.5 h × £30,000 / (52.143 × 37.5) = £575.3409… → −£575.34
        assert_eq!(adj.get(rows[0], "amount"), "-575.34", "{who}");
        assert_eq!(adj.get(rows[0], "units"), "37.50", "{who}");
    }
    let exceptions = case.csv("july", "exceptions.csv");
    assert_eq!(exceptions.find(&[("rule", "LV004"), ("assignment", "E2")]).len(), 1, "11 months");
    assert!(exceptions.find(&[("rule", "LV004"), ("assignment", "E3")]).is_empty(), "a year");
}

#[test]
fn the_kit_rules_are_explained() {
    for code_ in ["KIT001", "KIT002", "LV004"] {
        let o = payrun(&["rules", code_]);
        assert_eq!(code(&o), 0);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(code_) && text.contains("Parental Leave Policy"), "{text}");
    }
}
