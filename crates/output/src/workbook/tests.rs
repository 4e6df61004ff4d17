//! Unit tests of the workbook writers: sheet splitting at a small row limit,
//! text that looks like a formula, tax years; and (ignored, slow) a real
//! 1,100,000-row exceptions workbook split over two sheets.

use super::*;
use crate::config::Config;
use crate::model::claim::{ClaimLine, RowRef};
use crate::model::decision::{Decision, Finding, Status, Subject};
use crate::model::period::Period;
use crate::model::roster::Staff;
use crate::model::rule::Severity;
use crate::model::Pence;
use crate::rules::{age, data};
use calamine::{open_workbook, Data, Reader, Xlsx};
use foldhash::{HashMap, HashMapExt};

fn config() -> Config {
    Config::built_in().expect("bundled config")
}

fn line(i: usize, description: &str, amount: i64) -> ClaimLine {
    ClaimLine {
        source: Some(RowRef::new("claims.csv", "Claims", i as u32 + 2)),
        claim_id: format!("C{i}"),
        line_no: 1,
        assignment: "E1".into(),
        expense_date: NaiveDate::from_ymd_opt(2025, 5, 6).unwrap(),
        submitted_date: NaiveDate::from_ymd_opt(2025, 5, 8).unwrap(),
        description: description.into(),
        amount: Pence(amount),
        ..Default::default()
    }
}

fn decision(status: Status, allowed: i64) -> Decision {
    Decision {
        allowed: Pence(allowed),
        status,
        taxable_payroll: Pence::ZERO,
        p11d_amount: Pence::ZERO,
        p11d_section: None,
        rules: vec![],
    }
}

/// Writes an exceptions workbook for `findings` over `lines` and returns
/// (sheet names, data rows per sheet) read back with calamine.
fn exceptions_book(
    lines: &[ClaimLine],
    decisions: &[Decision],
    findings: &[Finding],
    row_limit: u32,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let config = config();
    let staff: HashMap<&str, &Staff> = HashMap::new();
    let report = Report {
        organisation: None,
        period: Period::new(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(), &config.policy),
        config: &config,
        lines,
        decisions,
        findings,
        staff: &staff,
        attendance: &[],
        absence: &Default::default(),
        kit: &[],
        marks: &Default::default(),
        protection: &[],
        p11d: &[],
        finding_ids: &[],
        reviews: &Default::default(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exceptions.xlsx");
    write_exceptions_with(&path, &report, &Options { row_limit }).unwrap();
    (dir, path)
}

fn finding(severity: Severity, i: usize) -> Finding {
    Finding {
        rule: if severity == Severity::Error { &age::AGE001 } else { &age::AGE003 },
        severity,
        subject: Subject::Line(i),
        message: format!("finding {i}"),
        source: None,
    }
}

#[test]
fn a_full_sheet_continues_on_numbered_sheets_with_nothing_lost() {
    let lines: Vec<ClaimLine> = (0..25).map(|i| line(i, "x", 100)).collect();
    let decisions: Vec<Decision> = (0..25).map(|_| decision(Status::Rejected, 0)).collect();
    let mut findings: Vec<Finding> = (0..25).map(|i| finding(Severity::Error, i)).collect();
    findings.extend((0..3).map(|i| finding(Severity::Info, i)));
    let (_dir, path) = exceptions_book(&lines, &decisions, &findings, 10);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert_eq!(
        names[..9],
        [
            "Summary",
            "ERROR",
            "ERROR (2)",
            "ERROR (3)",
            "WARNING",
            "INFO",
            "Attendance",
            "Absence",
            "Deferred"
        ]
    );
    // The glossary splits too once the catalogue passes the limit.
    assert!(names[9..].iter().all(|n| n.starts_with("Rule glossary")), "{names:?}");
    let rows = |book: &mut Xlsx<_>, name: &str| book.worksheet_range(name).unwrap().height();
    // Header plus data rows on each part.
    assert_eq!(rows(&mut book, "ERROR"), 11);
    assert_eq!(rows(&mut book, "ERROR (2)"), 11);
    assert_eq!(rows(&mut book, "ERROR (3)"), 6);
    assert_eq!(rows(&mut book, "WARNING"), 1);
    assert_eq!(rows(&mut book, "INFO"), 4);
    // Every continuation sheet repeats the header; order is kept across parts.
    let part2 = book.worksheet_range("ERROR (2)").unwrap();
    assert_eq!(part2.get((0, 0)), Some(&Data::String("Severity".into())));
    assert_eq!(part2.get((1, 12)), Some(&Data::String("finding 10".into())));
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let evil = r#"=HYPERLINK("http://x","y")"#;
    let lines = [line(0, evil, 290)];
    let decisions = [decision(Status::Deferred, 0)];
    let findings = [Finding {
        rule: &age::CUT001,
        severity: Severity::Info,
        subject: Subject::Line(0),
        message: "+cmd|' /C calc'!A0".into(),
        source: None,
    }];
    let (_dir, path) = exceptions_book(&lines, &decisions, &findings, MAX_DATA_ROWS);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let deferred = book.worksheet_range("Deferred").unwrap();
    let col = exceptions::DEFERRED_HEADER.iter().position(|h| *h == "description").unwrap();
    assert_eq!(deferred.get((1, col)), Some(&Data::String(evil.into())));
    let info = book.worksheet_range("INFO").unwrap();
    assert_eq!(info.get((1, 12)), Some(&Data::String("+cmd|' /C calc'!A0".into())));
    // No formula anywhere in either sheet.
    for sheet in ["Deferred", "INFO"] {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "formula in {sheet}");
    }
}

#[test]
fn same_report_gives_the_same_bytes() {
    let lines = [line(0, "bus", 450)];
    let decisions = [decision(Status::Rejected, 0)];
    let findings = [finding(Severity::Error, 0), finding(Severity::Info, 0)];
    let (_a, first) = exceptions_book(&lines, &decisions, &findings, MAX_DATA_ROWS);
    let (_b, second) = exceptions_book(&lines, &decisions, &findings, MAX_DATA_ROWS);
    assert_eq!(std::fs::read(first).unwrap(), std::fs::read(second).unwrap());
}

#[test]
fn tax_year_turns_on_the_sixth_of_april() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(tax_year(d(2025, 4, 5)), "2024-25");
    assert_eq!(tax_year(d(2025, 4, 6)), "2025-26");
    assert_eq!(tax_year(d(2026, 3, 31)), "2025-26");
    assert_eq!(tax_year(d(1999, 12, 1)), "1999-00");
}

/// Writes 1,100,000 ERROR rows for real and counts them back on "ERROR" and
/// "ERROR (2)" with calamine's streaming reader. Slow (tens of seconds) and
/// disk-hungry, so ignored by default; run it with
/// `cargo test --release -- --ignored` (`.ci/run` does).
#[test]
#[ignore]
fn a_million_one_hundred_thousand_exceptions_split_over_two_sheets() {
    const N: usize = 1_100_000;
    let lines: Vec<ClaimLine> = (0..10).map(|i| line(i, "x", 100)).collect();
    let decisions: Vec<Decision> = (0..10).map(|_| decision(Status::Rejected, 0)).collect();
    let findings: Vec<Finding> = (0..N)
        .map(|i| Finding {
            rule: &data::DAT002,
            severity: Severity::Error,
            subject: Subject::Line(i % 10),
            message: format!("row {i}"),
            source: None,
        })
        .collect();
    let (_dir, path) = exceptions_book(&lines, &decisions, &findings, MAX_DATA_ROWS);
    drop(findings);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[1..3], ["ERROR".to_string(), "ERROR (2)".to_string()]);
    let mut data_rows = |name: &str| {
        let mut cells = book.worksheet_cells_reader(name).unwrap();
        let (mut rows, mut last) = (0usize, None);
        while let Some(cell) = cells.next_cell().unwrap() {
            let r = cell.get_position().0;
            if last != Some(r) {
                rows += 1;
                last = Some(r);
            }
        }
        rows - 1 // header
    };
    let first = data_rows("ERROR");
    let second = data_rows("ERROR (2)");
    assert_eq!(first, MAX_DATA_ROWS as usize);
    assert_eq!(first + second, N);
}

/// The `n`th part (0-based) of the `<xf .../>` list of `cellXfs` in styles.xml.
fn cell_xf(styles: &str, n: usize) -> String {
    let xfs = styles.split("<cellXfs").nth(1).and_then(|s| s.split("</cellXfs>").next()).unwrap_or("");
    xfs.split("<xf ").nth(n + 1).unwrap_or("").to_string()
}

/// The `s` attribute of cell `r` in the sheet XML (0 when the cell has none).
fn cell_style(sheet: &str, r: &str) -> usize {
    let start = sheet.find(&format!("<c r=\"{r}\"")).unwrap_or_else(|| panic!("no cell {r}"));
    let cell = &sheet[start..sheet[start..].find('>').map_or(sheet.len(), |e| start + e)];
    cell.split(" s=\"").nth(1).and_then(|s| s.split('"').next()).map_or(0, |s| s.parse().unwrap())
}

/// Issue 17: a long sheet's money, date and count cells are written without
/// a format of their own and take their column's; text in such a column
/// (an unreadable line_no) must still look like text, and a cell of another
/// kind keeps its own format.
#[test]
fn number_columns_carry_their_format_and_text_in_them_does_not_take_it() {
    let styles = style::Styles::new();
    let header = ["line_no", "claimed", "date", "note"];
    let mut book = rust_xlsxwriter::Workbook::new();
    let mut sheet = sheet::DataSheet::new(
        "Data",
        &header,
        sheet::SheetOptions { row_limit: 100, constant_memory: true, tab: None, wrap: &[] },
    );
    let day = NaiveDate::from_ymd_opt(2025, 5, 6).unwrap();
    let rows = [
        [
            sheet::Cell::Int(1),
            sheet::Cell::Money(Pence(1050)),
            sheet::Cell::Date(day),
            sheet::Cell::Text("a"),
        ],
        [sheet::Cell::Text("one"), sheet::Cell::Money(Pence(-5)), sheet::Cell::Int(7), sheet::Cell::Blank],
    ];
    for row in &rows {
        sheet.push(&mut book, &styles, row).unwrap();
    }
    sheet.finish(&mut book, &styles).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("columns.xlsx");
    book.save(&path).unwrap();

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let xml = part("xl/worksheets/sheet1.xml");
    let styles_xml = part("xl/styles.xml");
    let column_style = |col: usize| {
        let tag = format!("<col min=\"{col}\" max=\"{col}\"");
        let at = xml.find(&tag).unwrap_or_else(|| panic!("no <col> {col}"));
        let col_xml = &xml[at..at + xml[at..].find("/>").unwrap()];
        col_xml.split("style=\"").nth(1).and_then(|s| s.split('"').next()).map_or(0, |s| s.parse().unwrap())
    };
    let (int, money, date) = (cell_style(&xml, "A2"), cell_style(&xml, "B2"), cell_style(&xml, "C2"));
    assert!(int > 0 && money > 0 && date > 0, "{xml}");
    assert_eq!((column_style(1), column_style(2), column_style(3)), (int, money, date));
    assert_eq!(column_style(4), 0, "a text column carries no format");
    assert_eq!(cell_style(&xml, "B3"), money);
    // Text in the count column: General, not the count's right-aligned "#,##0_)".
    let text = cell_style(&xml, "A3");
    assert!(text != int && text != 0, "{xml}");
    let xf = cell_xf(&styles_xml, text);
    let id = xf.split("numFmtId=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("?");
    let general = id == "0" || styles_xml.contains(&format!("numFmtId=\"{id}\" formatCode=\"General\""));
    assert!(general && !xf.contains("alignment"), "{xf} in {styles_xml}");
    // A count in the date column keeps the count's own format.
    assert_eq!(cell_style(&xml, "C3"), int);
    assert_eq!(cell_style(&xml, "D2"), 0);
}

/// SPEC §12.3: what a re-run's workbook tells payroll to load, for a change,
/// a change with later periods to re-run first, no change, and a first run.
#[test]
fn a_re_run_says_what_payroll_loads() {
    use super::payroll_batch::Rerun;
    use crate::interface::{element_batch, BatchHeader, Corrections, Interface};
    use crate::model::history::BatchSnapshot;
    let config = config();
    let header = |name: &str| BatchHeader {
        name: name.into(),
        reference: "0123456789ab".into(),
        source: "payrun".into(),
        action_if_exists: "CREATE_NEW",
        effective_date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
    };
    let row = |assignment: &str, pence: i64| AdjustmentRow {
        assignment: assignment.into(),
        name: "N".into(),
        cost_centre: "CC".into(),
        element: "MILEAGE",
        units: "1".into(),
        rate: String::new(),
        amount: Pence(pence),
        taxable: false,
        ni_able: false,
        protected: String::new(),
        protection_end: String::new(),
        source: String::new(),
    };
    let previous = BatchSnapshot {
        run_id: "r".into(),
        config_hash: "h".into(),
        batch_name: "PAYRUN EXPENSES 2025-06".into(),
        rows: vec![
            ("E1".into(), "MILEAGE".into(), Pence(100_000)),
            ("E2".into(), "MILEAGE".into(), Pence(500)),
        ],
    };
    let interface = |now: &[AdjustmentRow], later: Vec<String>| Interface {
        batch: element_batch(now, &config, header("PAYRUN EXPENSES 2025-06")),
        corrections: Some(Corrections::build(
            "2025-06",
            previous.clone(),
            now,
            |_| "N".into(),
            &config,
            header("PAYRUN CORRECTIONS 2025-06 INTO 2025-07"),
            later,
        )),
    };
    // E1 up by £6,192.28, E2 gone (−£5.00): two lines, Σ £6,187.28.
    let changed = [row("E1", 719_228)];
    let rerun = Rerun::of(&interface(&changed, vec![])).unwrap();
    assert_eq!(
        rerun.banner,
        ["Re-run of 2025-06: load payroll-batch-corrections.csv — batch PAYRUN CORRECTIONS 2025-06 INTO \
          2025-07, 2 lines, total £6,187.28 — not the full batch"]
    );
    assert_eq!(rerun.batch_title, "Full batch of 2025-06, for the record — do not load (see Corrections)");
    let later = Rerun::of(&interface(&changed, vec!["2025-07".into(), "2025-08".into()])).unwrap();
    assert_eq!(later.banner.len(), 2);
    assert!(later.banner[1].starts_with("Later periods 2025-07, 2025-08 were computed from the old figures"));
    let same = [row("E1", 100_000), row("E2", 500)];
    let unchanged = Rerun::of(&interface(&same, vec![])).unwrap();
    assert_eq!(unchanged.banner, ["Re-run of 2025-06: no change to payroll: load nothing"]);
    assert!(unchanged.batch_title.contains("do not load"));
    let first = Interface {
        batch: element_batch(&same, &config, header("PAYRUN EXPENSES 2025-06")),
        corrections: None,
    };
    assert_eq!(Rerun::of(&first), None, "a first run has nothing to say");
}
