//! Pay protection and P11D across months, end to end (issue 6; SPEC §3.12,
//! §4.1 p11d.csv, §5): the binary is run for consecutive periods on one
//! state folder, with small CSV inputs built here.

use crate::common::*;
use std::path::{Path, PathBuf};

const STAFF: &str = "Assignment Number,Employee Name,Staff Group,Pay Band,Base,Home To Base Distance,Weekly Hours,Basic Salary,Cost Center,NHS Service Start,Organisation Start Date,Leaving Date,SR Approved From,Business Insurance Expiry,Lease Car Holder\n\
E1,Paula Protected,AFC,4,DRI,5.0,37.5,\"£25,000.00\",CC100,01/01/2010,01/01/2010,,,31/03/2026,No\n\
E2,Sam Special,AFC,6,DRI,5.0,37.5,\"£38,000.00\",CC200,01/01/2012,01/01/2012,,01/01/2024,31/03/2026,No\n";

const PROTECTION: &str = "assignment,change_date,reason,protection,reckonable_years,protected_basic,new_basic,protected_weekly_earnings,new_period_earnings,ceased_date,fixed_term_end\n\
E1,15/04/2025,ORG_CHANGE,SHORT,0,\"£30,000.00\",\"£25,000.00\",700.00,2500.00,,\n";

const CLAIMS_HEADER: &str = "Claim Reference,Line Number,Assignment Number,Date of Expense,Date Submitted,Expense Category,From Location,To Location,Miles Claimed,Mileage Type,Amount Claimed,Receipt Provided\n";

/// A roster folder (Staff, Shifts, Absences, Protection) in `dir`.
fn roster(dir: &Path) -> PathBuf {
    let roster = dir.join("roster");
    std::fs::create_dir_all(&roster).unwrap();
    std::fs::write(roster.join("Staff.csv"), STAFF).unwrap();
    std::fs::write(
        roster.join("Shifts.csv"),
        "Assignment Number,Shift Date,Start Time,End Time,Location,Duty Type\n",
    )
    .unwrap();
    std::fs::write(
        roster.join("Absences.csv"),
        "Assignment Number,Absence Start,Absence End,Absence Reason,Absence Hours,Certification\n",
    )
    .unwrap();
    std::fs::write(roster.join("Protection.csv"), PROTECTION).unwrap();
    roster
}

fn claims(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut text = CLAIMS_HEADER.to_string();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `period` with the shared state folder; returns the output folder.
fn run(dir: &Path, period: &str, roster: &Path, expenses: &Path) -> PathBuf {
    let out = dir.join(format!("out-{period}"));
    let output = payrun(&[
        "run",
        "--quiet",
        "--no-xlsx",
        "--period",
        period,
        "--roster",
        &roster.display().to_string(),
        "--expenses",
        &expenses.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--state",
        &dir.join("state").display().to_string(),
    ]);
    assert_eq!(code(&output), 0, "{period}: {}", stderr(&output));
    out
}

fn rules_of(exceptions: &Csv, assignment: &str) -> Vec<String> {
    exceptions.find(&[("assignment", assignment)]).iter().map(|r| exceptions.get(r, "rule")).collect()
}

#[test]
fn the_top_up_runs_through_the_window_and_stops_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = roster(tmp.path());
    // SHORT, 0 years → 2 months: 15 April to 14 June 2025.
    // 700 × 52.143 / 12 − 2500 = 541.675 a month.
    let expected = [
        ("2025-05", Some("288.89"), false), // April: 16/30 days
        ("2025-06", Some("541.68"), true),  // May: whole; ends next month → PP002
        ("2025-07", Some("252.78"), true),  // June: 14/30 days; ends this month
        ("2025-08", None, false),           // July: over
    ];
    for (period, amount, pp002) in expected {
        // A bus fare in every month, so that an expense row carries the mark too.
        let expenses = claims(
            tmp.path(),
            &format!("claims-{period}.csv"),
            &[&format!("B{period},1,E1,{},{},BUS,,,,,4.50,Y", activity_day(period), activity_day(period))],
        );
        let out = run(tmp.path(), period, &roster, &expenses);
        let adj = Csv::read(&out.join("adjustments.csv"));
        let top_up = adj.find(&[("assignment", "E1"), ("element", "Pay protection top-up")]);
        let exceptions = Csv::read(&out.join("exceptions.csv"));
        let rules = rules_of(&exceptions, "E1");
        match amount {
            Some(amount) => {
                assert_eq!(top_up.len(), 1, "{period}");
                let row = top_up[0];
                assert_eq!(adj.get(row, "amount"), amount, "{period}");
                assert_eq!(
                    (adj.get(row, "units"), adj.get(row, "taxable"), adj.get(row, "ni_able")),
                    ("1".into(), "Y".into(), "Y".into())
                );
                assert!(adj.get(row, "source").contains("Protection"), "{}", adj.get(row, "source"));
                // Every row of the employee is marked.
                let rows = adj.find(&[("assignment", "E1")]);
                assert_eq!(rows.len(), 2, "{period}: top-up and bus");
                for r in rows {
                    assert_eq!(
                        (adj.get(r, "protected"), adj.get(r, "protection_end")),
                        ("SHORT".into(), "2025-06-14".into())
                    );
                }
                assert!(rules.contains(&"PP001".to_string()), "{period}: {rules:?}");
            }
            None => {
                assert!(top_up.is_empty(), "{period}");
                assert!(adj.find(&[("assignment", "E1")]).iter().all(|r| adj.get(r, "protected").is_empty()));
                assert!(!rules.iter().any(|r| r.starts_with("PP")), "{period}: {rules:?}");
            }
        }
        assert_eq!(rules.contains(&"PP002".to_string()), pp002, "{period}: {rules:?}");
    }

    // The ledger holds each month's top-up.
    let export = tmp.path().join("export");
    let out = payrun(&[
        "ledger",
        "export",
        "--out",
        &export.display().to_string(),
        "--state",
        &tmp.path().join("state").display().to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let topups = Csv::read(&export.join("protection_topups.csv"));
    let got: Vec<(String, String)> =
        topups.rows.iter().map(|r| (topups.get(r, "period"), topups.get(r, "amount_pence"))).collect();
    assert_eq!(
        got,
        [
            ("2025-05".into(), "28889".into()),
            ("2025-06".into(), "54168".into()),
            ("2025-07".into(), "25278".into())
        ]
    );
}

/// A day in the activity month of `period` (the month before), as dd/mm/yyyy.
fn activity_day(period: &str) -> String {
    let (y, m) = period.split_once('-').unwrap();
    let (y, m): (i32, u32) = (y.parse().unwrap(), m.parse().unwrap());
    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    format!("10/{m:02}/{y}")
}

#[test]
fn p11d_splits_at_the_tax_year_and_accumulates_year_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = roster(tmp.path());
    // Special Rate 56p against HMRC's 45p: 11p a mile goes to section E.
    let april = claims(
        tmp.path(),
        "april.csv",
        &[
            "M1,1,E2,05/04/2025,20/04/2025,MILEAGE_CAR,BASE,BDGH,20,COMMUNITY,11.20,N",
            "M1,2,E2,06/04/2025,20/04/2025,MILEAGE_CAR,BASE,BDGH,30,COMMUNITY,16.80,N",
        ],
    );
    let out = run(tmp.path(), "2025-05", &roster, &april);
    let decisions = Csv::read(&out.join("decisions.csv"));
    let p11d_of = |line: &str| {
        let row = decisions.find(&[("claim_id", "M1"), ("line_no", line)])[0];
        (decisions.get(row, "p11d_amount"), decisions.get(row, "p11d_section"))
    };
    assert_eq!(p11d_of("1"), ("2.20".into(), "E".into()));
    assert_eq!(p11d_of("2"), ("3.30".into(), "E".into()));
    let p11d = Csv::read(&out.join("p11d.csv"));
    assert_eq!(p11d.header, ["assignment", "name", "tax_year", "section", "amount"]);
    let rows = |p11d: &Csv| -> Vec<Vec<String>> { p11d.rows.clone() };
    assert_eq!(
        rows(&p11d),
        [
            vec!["E2", "Sam Special", "2024-25", "E", "2.20"],
            vec!["E2", "Sam Special", "2025-26", "E", "3.30"],
        ]
    );

    // May: 10 more miles; 2025-26 accumulates, 2024-25 is no longer reported.
    let may = claims(
        tmp.path(),
        "may.csv",
        &["M2,1,E2,14/05/2025,20/05/2025,MILEAGE_CAR,BASE,BDGH,10,COMMUNITY,5.60,N"],
    );
    let out = run(tmp.path(), "2025-06", &roster, &may);
    let p11d = Csv::read(&out.join("p11d.csv"));
    assert_eq!(rows(&p11d), [vec!["E2", "Sam Special", "2025-26", "E", "4.40"]]);

    // Re-running May replaces its entries: the same year to date, not double.
    let again = run(tmp.path(), "2025-06", &roster, &may);
    assert_eq!(rows(&Csv::read(&again.join("p11d.csv"))), rows(&p11d));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"p11d.csv\""), "{manifest}");
}

#[test]
fn excess_travel_outside_the_window_is_rejected_by_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = roster(tmp.path());
    // E1's window starts 15 April: a line of 10 April is before it.
    let expenses = claims(
        tmp.path(),
        "claims.csv",
        &[
            "X1,1,E1,10/04/2025,20/04/2025,EXCESS_TRAVEL,BASE,BDGH,10,,2.50,N",
            "X1,2,E1,16/04/2025,20/04/2025,EXCESS_TRAVEL,BASE,BDGH,10,,2.50,N",
        ],
    );
    let out = run(tmp.path(), "2025-05", &roster, &expenses);
    let decisions = Csv::read(&out.join("decisions.csv"));
    let rules = |line: &str| {
        let row = decisions.find(&[("claim_id", "X1"), ("line_no", line)])[0];
        (decisions.get(row, "status"), decisions.get(row, "rules"))
    };
    let (status, codes) = rules("1");
    assert_eq!(status, "REJECTED");
    assert!(codes.split(';').any(|c| c == "PP005"), "{codes}");
    assert!(!rules("2").1.split(';').any(|c| c == "PP005"), "{:?}", rules("2"));
}
