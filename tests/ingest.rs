//! Ingest end to end: the same claims in workbooks written by openpyxl (xlsx,
//! 1904 date system), odfpy (ods) and as CSV give the same decisions
//! (fixtures and expected outcomes in tests/fixtures/ingest/EXPECTED.md).

use crate::common::*;

/// (claim_id, line_no, status, rules) per EXPECTED.md, in input order.
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("C1001", "1", "PAID", ""),
    ("C1001", "2", "REJECTED", "DAT002"),
    ("C1002", "1", "REJECTED", "DAT004"),
    ("C1003", "1", "REJECTED", "DAT003"),
    ("C1004", "1", "PAID", ""),
    ("C1004", "1", "REJECTED", "DAT005"),
    ("C1005", "1", "REJECTED", "DAT006"),
    ("C1005", "2", "REJECTED", "DAT006"),
    ("C1005", "3", "PAID", ""),
    ("C1006", "1", "REJECTED", "DAT007"),
    ("C1006", "2", "REJECTED", "DAT007"),
    ("C1007", "1", "DEFERRED", "CUT001"),
    ("C1007", "2", "PAID", ""),
    ("C1008", "1", "DEFERRED", "CUT001"),
    ("C1009", "1", "PAID", "AGE003"),
    ("C1009", "2", "REJECTED", "AGE001"),
    ("C1010", "1", "PAID", "AGE002;AGE003"),
];

fn check_set(roster: &str, expenses: &str) {
    let dir = out_dir();
    let out = run_period("2025-06", &fixture(roster), &[&fixture(expenses)], dir.path(), &[]);
    assert_eq!(code(&out), 0, "{roster} + {expenses}: {}", stderr(&out));
    let d = Csv::read(&dir.path().join("decisions.csv"));
    let got: Vec<(String, String, String, String)> = d
        .rows
        .iter()
        .map(|r| (d.get(r, "claim_id"), d.get(r, "line_no"), d.get(r, "status"), d.get(r, "rules")))
        .collect();
    let want: Vec<(String, String, String, String)> = EXPECTED
        .iter()
        .map(|(a, b, c, e)| (a.to_string(), b.to_string(), c.to_string(), e.to_string()))
        .collect();
    assert_eq!(got, want, "{roster} + {expenses}");
    let paid: Vec<String> = d.find(&[("status", "PAID")]).iter().map(|r| d.get(r, "allowed")).collect();
    assert_eq!(paid, ["4.50", "3.20", "5000.00", "3.10", "8.40", "10.50"], "{expenses}");
    // The unparseable amount is written as claimed 0.00, with the raw value in the finding.
    let e = Csv::read(&dir.path().join("exceptions.csv"));
    let dat002 = e.find(&[("rule", "DAT002"), ("claim_id", "C1001")]);
    assert_eq!(dat002.len(), 1);
    assert!(e.get(dat002[0], "message").contains("n/a"), "{:?}", dat002[0]);
    assert!(e.get(dat002[0], "source").contains("!Claims:"), "{:?}", dat002[0]);
}

#[test]
fn openpyxl_xlsx_with_title_row_shared_strings_and_date_cells() {
    check_set("ingest/roster.xlsx", "ingest/expenses.xlsx");
}

#[test]
fn xlsx_in_the_1904_date_system() {
    check_set("ingest/roster.xlsx", "ingest/expenses_1904.xlsx");
}

#[test]
fn ods_written_by_odfpy() {
    check_set("ingest/roster.ods", "ingest/expenses.ods");
}

#[test]
fn csv_folder_and_single_claims_csv() {
    check_set("ingest/csv", "ingest/csv/claims.csv");
}
