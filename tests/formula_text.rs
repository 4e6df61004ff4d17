//! SPEC §12.6: text a spreadsheet would run as a formula (`=1+1`, `+44…`,
//! `-x`, `@SUM(A1)`, tab, carriage return, `'=x`) in names, cost centres,
//! claim ids, descriptions, places and raw unparseable values reaches no CSV
//! payrun writes unescaped — a run's, a re-run's corrections, the ledger
//! export and insights — while money (`-115.07`) is never quoted; payrun's own
//! readers take exactly that one quote off again, so deferred-claims.csv fed
//! back reads as the lines it was written from.

use crate::common::inputs::*;
use crate::common::*;
use std::path::{Path, PathBuf};

/// The start of a cell a spreadsheet would take as a formula.
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A negative number as payrun writes money (`-12.50`) or the ledger pence
/// (`-11507`): a number, not a formula.
fn negative_number(cell: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    cell.strip_prefix('-').is_some_and(|n| match n.split_once('.') {
        Some((whole, pence)) => digits(whole) && pence.len() == 2 && digits(pence),
        None => digits(n),
    })
}

/// Every CSV under `dir`, as (name, header, rows).
fn csvs(dir: &Path) -> Vec<(String, Csv)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), Csv::read(&p)))
        .collect()
}

/// No cell of any CSV in `dir` would run in a spreadsheet: the only cells
/// that start like a formula are negative numbers. Returns how many
/// were seen (so a test can check money stayed money).
#[track_caller]
fn no_formula_cells(dir: &Path) -> usize {
    let mut negatives = 0;
    let files = csvs(dir);
    assert!(!files.is_empty(), "no CSVs in {}", dir.display());
    for (name, csv) in files {
        for (i, row) in csv.rows.iter().enumerate() {
            for (column, cell) in csv.header.iter().zip(row) {
                if negative_number(cell) {
                    negatives += 1;
                } else {
                    assert!(!runs_as_formula(cell), "{name} row {} column {column}: {cell:?}", i + 2);
                }
            }
        }
    }
    negatives
}

/// The values of `column` in a CSV of `dir`.
fn column(dir: &Path, file: &str, column: &str) -> Vec<String> {
    let csv = Csv::read(&dir.join(file));
    let i = csv.col(column);
    csv.rows.iter().map(|r| r[i].clone()).collect()
}

/// Staff whose names and cost centres are formula text; `+4471` is an
/// assignment that is one too. `'=x` reads as `=x` (a quote before formula
/// text is the §12.6 escape), `''=x` as `'=x`.
fn roster(dir: &Path) -> PathBuf {
    let person = |assignment: &str, name: &str, cost_centre: &str| {
        with(staff(assignment), &[("name", name), ("cost_centre", cost_centre)])
    };
    write_roster(
        &dir.join("roster"),
        &[
            person("E1", "=1+1", "-CC1"),
            person("+4471", "@SUM(A1)", "'=x"),
            person("E3", "''=x", "+44 20 7946"),
        ],
        &[],
        &[with(absence("E1", "2025-05-12", "2025-05-12", "UNAUTHORISED", ""), &[("hours", "7.5")])],
    )
}

/// The two lines June defers (approved after its cut-off), full of formula text.
fn deferred_lines() -> Vec<Row> {
    let late = |row: Row| with(row, &[("approved_date", "2025-06-20")]);
    vec![
        with(
            late(claim("C3", 1, "E1", "2025-05-14", "2025-05-28", "PARKING", "8.00")),
            &[
                ("description", "=HYPERLINK(\"http://x\")"),
                ("from", "@home"),
                ("to", "''=there"),
                ("lost_receipt_reason", "-why"),
                ("journey_ref", "+1"),
            ],
        ),
        with(
            late(claim("=C4", 1, "+4471", "2025-05-14", "2025-05-28", "TAXI", "9.00")),
            &[("description", "\t=tab\r"), ("public_transport_cost", "3.00")],
        ),
    ]
}

/// June's claims: paid lines with formula text, the deferred ones, and raw
/// unparseable values (SPEC §6.8 rule 46) that are formula text.
fn june_claims(dir: &Path) -> PathBuf {
    let line = |id: &str, assignment: &str, amount: &str| {
        claim(id, 1, assignment, "2025-05-14", "2025-05-28", "PARKING", amount)
    };
    let mut rows = vec![
        with(
            line("C1", "E1", "5.00"),
            &[("description", "=1+1"), ("journey_ref", "@SUM(A1)"), ("from", "+44"), ("to", "-x")],
        ),
        with(line("C2", "+4471", "6.00"), &[("description", "-x")]),
        with(line("=C5", "E3", "7.00"), &[("description", "'=x")]),
    ];
    rows.extend(deferred_lines());
    rows.extend([
        with(line("C6", "E1", "1.00"), &[("line_no", "=1+1")]),
        with(line("C7", "E1", "1.00"), &[("expense_date", "-5")]),
        with(line("C8", "E1", "1.00"), &[("category", "@CAT")]),
        line("C9", "E3", "-12.50"),
        with(
            line("C10", "E3", "2.00"),
            &[("receipt", "LOST"), ("lost_receipt_reason", "=cmd|' /C calc'!A0")],
        ),
    ]);
    write_claims(&dir.join("june.csv"), &rows)
}

fn run_ok_with(period: &str, roster: &Path, expenses: &[&Path], out: &Path, state: &Path, extra: &[&str]) {
    let mut args: Vec<String> = vec!["run", "--quiet", "--no-xlsx", "--period", period, "--roster"]
        .into_iter()
        .map(String::from)
        .collect();
    args.push(roster.display().to_string());
    for e in expenses {
        args.extend(["--expenses".to_string(), e.display().to_string()]);
    }
    args.extend([
        "--out".to_string(),
        out.display().to_string(),
        "--state".to_string(),
        state.display().to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = payrun(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&o), 0, "{period}: {}", stderr(&o));
}

#[test]
fn no_csv_of_a_run_holds_a_cell_a_spreadsheet_would_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (roster, june) = (roster(tmp.path()), june_claims(tmp.path()));
    let (out, state) = (tmp.path().join("out"), tmp.path().join("state"));
    run_ok_with("2025-06", &roster, &[&june], &out, &state, &[]);

    // Money stays money: the unpaid-leave deduction and the negative claim.
    assert!(no_formula_cells(&out) >= 4, "negative amounts were quoted or lost");
    assert!(column(&out, "adjustments.csv", "amount").contains(&"-115.07".to_string()));
    assert!(column(&out, "decisions.csv", "claimed").contains(&"-12.50".to_string()));

    // Text is escaped once, as read (`''=x` in the roster is the name `'=x`).
    let names = column(&out, "adjustments.csv", "name");
    for name in ["'=1+1", "'@SUM(A1)", "''=x"] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    let centres = column(&out, "adjustments.csv", "cost_centre");
    for centre in ["'-CC1", "'=x", "'+44 20 7946"] {
        assert!(centres.contains(&centre.to_string()), "{centre} in {centres:?}");
    }
    assert!(column(&out, "decisions.csv", "assignment").contains(&"'+4471".to_string()));
    assert!(column(&out, "payroll-batch.csv", "assignment").contains(&"'+4471".to_string()));
    assert!(column(&out, "payroll-batch.csv", "source").contains(&"'=C5/1".to_string()));
    // Raw unparseable values of rule 46 are text.
    assert!(column(&out, "decisions.csv", "line_no").contains(&"'=1+1".to_string()));
    assert!(column(&out, "decisions.csv", "expense_date").contains(&"'-5".to_string()));
    assert!(column(&out, "decisions.csv", "category").contains(&"'@CAT".to_string()));
    assert!(column(&out, "exceptions.csv", "name").contains(&"'=1+1".to_string()));
    let deferred = Csv::read(&out.join("deferred-claims.csv"));
    assert_eq!(deferred.rows.len(), 2);
    let c3 = &deferred.rows[0];
    assert_eq!(
        [&c3[deferred.col("description")], &c3[deferred.col("from")], &c3[deferred.col("to")]],
        ["'=HYPERLINK(\"http://x\")", "'@home", "''=there"]
    );
    assert_eq!(c3[deferred.col("lost_receipt_reason")], "'-why");
    assert_eq!(c3[deferred.col("journey_ref")], "'+1");
    assert_eq!(deferred.rows[1][deferred.col("claim_id")], "'=C4");

    // The ledger export: places and identifiers are text too.
    let export = tmp.path().join("export");
    let o =
        payrun(&["ledger", "export", "--out", export.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_formula_cells(&export);
    let places = column(&export, "paid_lines.csv", "from_place");
    assert!(places.contains(&"'+44".to_string()), "{places:?}");
    assert!(column(&export, "paid_lines.csv", "claim_id").contains(&"'=C5".to_string()));

    // A re-run with a change: corrections.csv names the employee.
    let more = write_claims(
        &tmp.path().join("june-more.csv"),
        &[claim("C11", 1, "E1", "2025-05-15", "2025-05-28", "PARKING", "3.00")],
    );
    let rerun = tmp.path().join("rerun");
    run_ok_with("2025-06", &roster, &[&june, &more], &rerun, &state, &["--rerun"]);
    no_formula_cells(&rerun);
    assert_eq!(column(&rerun, "corrections.csv", "name"), ["'=1+1"]);
    assert_eq!(column(&rerun, "corrections.csv", "delta"), ["3.00"]);
}

/// deferred-claims.csv fed back is read as the lines it was written from:
/// written again byte for byte, and decided exactly as the original rows.
#[test]
fn deferred_claims_fed_back_round_trip_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let (roster, june) = (roster(tmp.path()), june_claims(tmp.path()));
    let out = tmp.path().join("june");
    run_ok_with("2025-06", &roster, &[&june], &out, &tmp.path().join("state"), &[]);
    let written = out.join("deferred-claims.csv");

    // Read back into the same period (fresh ledger), the lines are deferred
    // again and written again unchanged.
    let again = tmp.path().join("again");
    run_ok_with("2025-06", &roster, &[&written], &again, &tmp.path().join("state-again"), &[]);
    assert_eq!(std::fs::read(again.join("deferred-claims.csv")).unwrap(), std::fs::read(&written).unwrap());

    // Decided in July: the fed-back file and the original rows give the same
    // decisions and findings (the sources name different files).
    let originals = write_claims(&tmp.path().join("originals.csv"), &deferred_lines());
    let mut decided = Vec::new();
    for (name, input) in [("fed-back", &written), ("original", &originals)] {
        let out = tmp.path().join(format!("july-{name}"));
        run_ok_with("2025-07", &roster, &[input], &out, &tmp.path().join(format!("state-{name}")), &[]);
        no_formula_cells(&out);
        let exceptions = Csv::read(&out.join("exceptions.csv"));
        let source = exceptions.col("source");
        let findings: Vec<Vec<String>> = exceptions
            .rows
            .iter()
            .map(|r| r.iter().enumerate().filter(|(i, _)| *i != source).map(|(_, c)| c.clone()).collect())
            .collect();
        decided.push((std::fs::read_to_string(out.join("decisions.csv")).unwrap(), findings));
    }
    assert_eq!(decided[0], decided[1]);
    let decisions = &decided[0].0;
    assert!(decisions.contains("C3,1,E1,2025-05-14,PARKING,8.00,8.00,PAID"), "{decisions}");
    assert!(decisions.contains("'=C4,1,'+4471,"), "{decisions}");
    assert!(!decisions.contains("DUP") && !decisions.contains("DAT"), "{decisions}");
}

/// Insights reads the escaped cells back to their text (grouping, joining
/// and naming on it) and writes its own CSVs escaped once again.
#[test]
fn insights_csvs_hold_formula_text_escaped_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (roster, june) = (roster(tmp.path()), june_claims(tmp.path()));
    let state = tmp.path().join("state");
    let june_out = tmp.path().join("june");
    run_ok_with("2025-06", &roster, &[&june], &june_out, &state, &[]);
    let july = write_claims(
        &tmp.path().join("july.csv"),
        &[with(
            claim("J1", 1, "E1", "2025-06-10", "2025-06-28", "PARKING", "4.00"),
            &[("approved_date", "2025-07-20")],
        )],
    );
    let july_out = tmp.path().join("july");
    run_ok_with("2025-07", &roster, &[&july, &june_out.join("deferred-claims.csv")], &july_out, &state, &[]);

    let insights = tmp.path().join("insights");
    let o = payrun(&[
        "insights",
        june_out.to_str().unwrap(),
        july_out.to_str().unwrap(),
        "--out",
        insights.to_str().unwrap(),
        "--min-months",
        "1",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(no_formula_cells(&insights) > 0, "the negative withheld of DAT006 stays money");

    let centres = column(&insights, "cost_centres.csv", "cost_centre");
    for centre in ["'-CC1", "'=x", "'+44 20 7946"] {
        assert!(centres.contains(&centre.to_string()), "{centre} in {centres:?}");
    }
    assert!(
        !centres.iter().any(|c| c.starts_with("''-") || c.starts_with("'''")),
        "escaped twice: {centres:?}"
    );
    let names = column(&insights, "repeat_patterns.csv", "name");
    for name in ["'=1+1", "'@SUM(A1)", "''=x"] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    let assignments = column(&insights, "repeat_patterns.csv", "assignment");
    assert!(assignments.contains(&"'+4471".to_string()), "{assignments:?}");
    // E1 deferred lines in both months: one claimant, named once.
    let late = Csv::read(&insights.join("late_and_deferred.csv"));
    assert_eq!(late.rows.len(), 1);
    assert_eq!(late.get(&late.rows[0], "name"), "'=1+1");
    assert_eq!(late.get(&late.rows[0], "months"), "2025-06;2025-07");
}
