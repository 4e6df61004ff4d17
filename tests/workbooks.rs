//! The workbooks people read (SPEC §4.2, issue 7), read back independently:
//! calamine for sheets, headers and values against the CSVs; openpyxl (when
//! installed) as a second reader; `--no-xlsx`; formula-like text stays text.

use crate::common::*;
use calamine::{open_workbook_auto, Data, Range, Reader};
use std::path::{Path, PathBuf};

const ADJ: &str = "payroll-adjustments-2025-06.xlsx";
const EXC: &str = "exceptions-2025-06.xlsx";

fn fixture_run(out: &Path, extra: &[&str]) {
    let o = run_period(
        "2025-06",
        &fixture("ingest/roster.xlsx"),
        &[&fixture("ingest/expenses.xlsx")],
        out,
        extra,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut book = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    book.worksheet_range(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).unwrap().sheet_names()
}

/// Cell text (strings as-is, numbers via Display, empty for blanks).
fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The heading row: the first with more than one cell filled (the ERROR and
/// WARNING sheets open with lines explaining the review columns, SPEC §11.2).
fn header_row(r: &Range<Data>) -> usize {
    (0..r.height())
        .find(|&row| (0..r.width()).filter(|&c| !text(r.get((row, c))).is_empty()).count() > 1)
        .unwrap_or(0)
}

fn header(r: &Range<Data>) -> Vec<String> {
    let row = header_row(r);
    (0..r.width()).map(|c| text(r.get((row, c)))).collect()
}

/// How many rows below the heading row.
fn data_rows(r: &Range<Data>) -> usize {
    r.height() - 1 - header_row(r)
}

/// The headings a sheet shows for these CSV column names (SPEC §13: words).
fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| payrun::output::workbook::label(n).into_owned()).collect()
}

/// The data rows (below the header) as a column's cells, by the column's CSV name.
fn column<'a>(r: &'a Range<Data>, name: &str) -> Vec<&'a Data> {
    let label = payrun::output::workbook::label(name);
    let c = header(r).iter().position(|h| *h == label).unwrap_or_else(|| panic!("no column {name}"));
    (header_row(r) + 1..r.height()).map(|row| r.get((row, c)).unwrap_or(&Data::Empty)).collect()
}

fn pence_cell(d: &Data) -> i64 {
    match d {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        other => panic!("money cell is not a number: {other:?}"),
    }
}

fn pence_text(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    (s.parse::<f64>().unwrap() * 100.0).round() as i64
}

/// Every non-empty cell of a sheet as text, for "does it say X anywhere".
fn all_text(r: &Range<Data>) -> Vec<String> {
    r.used_cells().map(|(_, _, d)| text(Some(d))).collect()
}

#[test]
fn payroll_adjustments_workbook_matches_the_csvs() {
    let dir = out_dir();
    fixture_run(dir.path(), &[]);
    let book = dir.path().join(ADJ);
    assert_eq!(
        sheet_names(&book),
        [
            "Summary",
            "Adjustments",
            "Payroll batch",
            "Outstanding recoveries",
            "Pay protection",
            "P11D",
            "Run info"
        ]
    );
    // The batch as the BEE upload: header block, input-value names, controls.
    let batch = all_text(&sheet(&book, "Payroll batch"));
    for wanted in ["Batch name", "PAYRUN EXPENSES 2025-06", "Pay Value", "Control totals", "Total Lines"] {
        assert!(batch.iter().any(|s| s == wanted), "{wanted} not on the Payroll batch sheet");
    }
    // SPEC §13: one table, so one heading row, whatever the elements.
    assert_eq!(batch.iter().filter(|s| *s == "Line").count(), 1, "{batch:?}");

    let csv = Csv::read(&dir.path().join("adjustments.csv"));
    let adj = sheet(&book, "Adjustments");
    assert_eq!(header(&adj), labels(&csv.header.iter().map(String::as_str).collect::<Vec<_>>()));
    assert_eq!(adj.height() - 1, csv.rows.len());
    // Amounts are £ numbers and total adjustments.csv to the penny.
    let sheet_total: i64 = column(&adj, "amount").into_iter().map(pence_cell).sum();
    let csv_total: i64 = csv.rows.iter().map(|r| pence_text(&csv.get(r, "amount"))).sum();
    assert_eq!(sheet_total, csv_total);
    assert_eq!(sheet_total, 502970);
    // Same rows in the same order, element by its payroll display name.
    for (i, row) in csv.rows.iter().enumerate() {
        for col in ["assignment", "name", "cost_centre", "element", "taxable", "source"] {
            assert_eq!(text(Some(column(&adj, col)[i])), csv.get(row, col), "row {i} {col}");
        }
    }

    assert_eq!(
        header(&sheet(&book, "Pay protection"))[..4],
        labels(&["assignment", "name", "cost_centre", "rule"])
    );
    assert_eq!(
        header(&sheet(&book, "P11D")),
        labels(&["assignment", "name", "tax_year", "section", "amount"])
    );

    // Summary: reconciliation with PASS, and totals equal to the CSV.
    let summary = all_text(&sheet(&book, "Summary"));
    assert!(summary.iter().any(|s| s == "PASS"), "{summary:?}");
    assert!(summary.iter().any(|s| s == "Reconciliation"));
    let summary_range = sheet(&book, "Summary");
    let totals: Vec<i64> =
        summary_range.rows().filter(|r| text(r.first()) == "Total").map(|r| pence_cell(&r[3])).collect();
    assert_eq!(totals, [csv_total, csv_total], "by element and by cost centre");

    // Run info carries the manifest: period, hash and every input's SHA-256.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let info = all_text(&sheet(&book, "Run info"));
    assert!(info.contains(&"2025-06".to_string()));
    assert!(info.contains(&manifest["config_hash"].as_str().unwrap().to_string()));
    for input in manifest["inputs"].as_array().unwrap() {
        assert!(info.contains(&input["sha256"].as_str().unwrap().to_string()));
    }
    let outputs: Vec<&str> =
        manifest["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(outputs.contains(&ADJ) && outputs.contains(&EXC), "{outputs:?}");
}

#[test]
fn exceptions_workbook_matches_the_csvs() {
    let dir = out_dir();
    fixture_run(dir.path(), &[]);
    let book = dir.path().join(EXC);
    assert_eq!(
        sheet_names(&book),
        [
            "Summary",
            "ERROR",
            "WARNING",
            "INFO",
            "Open reviews",
            "Attendance",
            "Absence",
            "Deferred",
            "Rule glossary"
        ]
    );

    let csv = Csv::read(&dir.path().join("exceptions.csv"));
    let expected_header = [
        "severity",
        "rule",
        "policy_ref",
        "assignment",
        "name",
        "cost_centre",
        "claim_id",
        "line_no",
        "date",
        "category",
        "claimed",
        "allowed",
        "message",
        "source",
        "protected",
        "protection_end",
    ];
    for severity in ["ERROR", "WARNING", "INFO"] {
        let s = sheet(&book, severity);
        let mut wanted = expected_header.to_vec();
        // Every finding sheet shows the id (SPEC §11.1); ERROR and WARNING end
        // in the previous review and the three cells to type in (§11.2, §11.4).
        wanted.push("finding_id");
        if severity != "INFO" {
            wanted.extend(["previous_review", "review", "amount", "review_note"]);
        }
        assert_eq!(header(&s), labels(&wanted), "{severity}");
        let rows = csv.find(&[("severity", severity)]);
        assert_eq!(data_rows(&s), rows.len(), "{severity} rows");
        // Same findings in the same order, each code beside its policy reference.
        for (i, row) in rows.iter().enumerate() {
            for col in ["rule", "policy_ref", "assignment", "claim_id", "message", "source", "finding_id"] {
                assert_eq!(text(Some(column(&s, col)[i])), csv.get(row, col), "{severity} row {i} {col}");
            }
            let claimed = column(&s, "claimed")[i];
            if !csv.get(row, "claimed").is_empty() {
                assert_eq!(pence_cell(claimed), pence_text(&csv.get(row, "claimed")));
            }
            // A date the input gave as a date is a date cell.
            let date = csv.get(row, "date");
            if date.len() == 10 && date.as_bytes()[4] == b'-' {
                assert!(matches!(column(&s, "date")[i], Data::DateTime(_)), "{severity} row {i} date");
            }
        }
    }

    // Deferred: the DEFERRED lines, as deferred-claims.csv has them.
    let deferred_csv = Csv::read(&dir.path().join("deferred-claims.csv"));
    let deferred = sheet(&book, "Deferred");
    assert_eq!(deferred.height() - 1, deferred_csv.rows.len());
    let ids: Vec<String> = column(&deferred, "claim_id").into_iter().map(|d| text(Some(d))).collect();
    let csv_ids: Vec<String> = deferred_csv.rows.iter().map(|r| deferred_csv.get(r, "claim_id")).collect();
    assert_eq!(ids, csv_ids);

    assert_eq!(
        header(&sheet(&book, "Attendance")),
        labels(&["assignment", "name", "episodes", "days", "score", "stage", "new_stage", "triggers"])
    );

    // The glossary is generated from the declarations the engine runs.
    let glossary = sheet(&book, "Rule glossary");
    assert_eq!(
        header(&glossary),
        labels(&[
            "code",
            "severity",
            "policy_ref",
            "summary",
            "what it checks",
            "policy",
            "effect",
            "example",
            "config"
        ])
    );
    let codes: Vec<String> = column(&glossary, "code").into_iter().map(|d| text(Some(d))).collect();
    let catalogue: Vec<&str> = payrun::rules::CATALOGUE.iter().map(|r| r.code).collect();
    assert_eq!(codes, catalogue);
    // Figures come from the run's config, not from the declaration's text.
    let rel001 = glossary.rows().find(|r| text(r.first()) == "REL001").expect("REL001 row");
    assert!(text(rel001.get(3)).contains("£8,000"), "{:?}", rel001.get(3));

    // Summary: the count by severity equals exceptions.csv's.
    let summary = sheet(&book, "Summary");
    for severity in ["ERROR", "WARNING", "INFO"] {
        let row = summary.rows().find(|r| text(r.first()) == severity).expect("severity row");
        assert_eq!(text(row.get(1)), csv.find(&[("severity", severity)]).len().to_string(), "{severity}");
    }
}

#[test]
fn the_same_inputs_give_the_same_exceptions_workbook() {
    let (a, b) = (out_dir(), out_dir());
    fixture_run(a.path(), &[]);
    fixture_run(b.path(), &[]);
    assert_eq!(std::fs::read(a.path().join(EXC)).unwrap(), std::fs::read(b.path().join(EXC)).unwrap());
}

#[cfg(unix)]
#[test]
fn workbooks_are_readable_by_owner_and_group_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = out_dir();
    fixture_run(dir.path(), &[]);
    for f in [ADJ, EXC] {
        let mode = std::fs::metadata(dir.path().join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o007, 0, "{f} world bits: {mode:o}");
    }
}

#[test]
fn no_xlsx_writes_only_the_machine_files() {
    let dir = out_dir();
    fixture_run(dir.path(), &["--no-xlsx"]);
    let xlsx: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains(".xlsx"))
        .collect();
    assert!(xlsx.is_empty(), "{xlsx:?}");
    assert!(dir.path().join("adjustments.csv").is_file());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let outputs = manifest["outputs"].as_array().unwrap();
    assert!(outputs.iter().all(|o| !o.as_str().unwrap().ends_with(".xlsx")), "{outputs:?}");
}

/// Copies the CSV fixture set into `dir`, replacing the description of the
/// deferred line C1007/1 and the name of E1001.
fn csv_inputs_with(dir: &Path, description: &str, name: &str) -> PathBuf {
    let src = fixture("ingest/csv");
    let dst = dir.join("inputs");
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dst.join(p.file_name().unwrap())).unwrap();
    }
    let edit = |file: &str, key_cols: &[(usize, &str)], col_name: &str, value: &str| {
        let path = dst.join(file);
        let mut r = csv::Reader::from_path(&path).unwrap();
        let header = r.headers().unwrap().clone();
        let col = header.iter().position(|h| h == col_name).unwrap();
        let mut rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        let mut hits = 0;
        for row in &mut rows {
            if key_cols.iter().all(|(c, v)| &row[*c] == *v) {
                let mut fields: Vec<String> = row.iter().map(String::from).collect();
                fields[col] = value.to_string();
                *row = csv::StringRecord::from(fields);
                hits += 1;
            }
        }
        assert_eq!(hits, 1, "{file}");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(&header).unwrap();
        for row in rows {
            w.write_record(&row).unwrap();
        }
        w.flush().unwrap();
    };
    edit("claims.csv", &[(0, "C1007"), (1, "1")], "Other Details", description);
    edit("Staff.csv", &[(0, "E1001")], "Employee Name", name);
    dst
}

#[test]
fn text_that_looks_like_a_formula_arrives_as_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let description = r#"=HYPERLINK("http://x","y")"#;
    let name = "=1+2";
    let inputs = csv_inputs_with(dir.path(), description, name);
    let out = dir.path().join("out");
    let o = run_period("2025-06", &inputs, &[&inputs.join("claims.csv")], &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let deferred = sheet(&out.join(EXC), "Deferred");
    let ids = column(&deferred, "claim_id");
    let i = ids.iter().position(|d| text(Some(d)) == "C1007").expect("C1007 deferred");
    assert_eq!(column(&deferred, "description")[i], &Data::String(description.into()));

    let adj = sheet(&out.join(ADJ), "Adjustments");
    let assignments = column(&adj, "assignment");
    let i = assignments.iter().position(|d| text(Some(d)) == "E1001").expect("E1001 row");
    assert_eq!(column(&adj, "name")[i], &Data::String(name.into()));

    // And nothing anywhere in either workbook is a formula.
    for book in [out.join(EXC), out.join(ADJ)] {
        let mut wb = open_workbook_auto(&book).unwrap();
        for s in wb.sheet_names() {
            let formulas = wb.worksheet_formula(&s).unwrap();
            assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "formula in {s}");
        }
    }
}

/// A second, independent reader: openpyxl (installed by `.ci/run`). Without
/// it the test fails rather than pass unchecked: a green run must mean the
/// workbooks were read by something other than the code that wrote them.
#[test]
fn openpyxl_opens_both_workbooks() {
    let has_openpyxl = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_openpyxl,
        "python3 with openpyxl is needed for the independent-reader check: python3 -m pip install openpyxl"
    );
    let dir = out_dir();
    fixture_run(dir.path(), &[]);
    let script = "import sys, openpyxl\n\
                  for p in sys.argv[1:]:\n    \
                      wb = openpyxl.load_workbook(p)\n    \
                      for ws in wb.worksheets:\n        \
                          list(ws.iter_rows(values_only=True))\n    \
                      print(p, wb.sheetnames)\n";
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.path().join(ADJ))
        .arg(dir.path().join(EXC))
        .output()
        .unwrap();
    assert!(o.status.success(), "openpyxl failed: {}", String::from_utf8_lossy(&o.stderr));
}

// The page set-up of every sheet (paper, footer, print titles, the 8 pt
// floor, charts in the print area, word headings): tests/print_setup.rs.
