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
        names[..10],
        [
            "Summary",
            "ERROR",
            "ERROR (2)",
            "ERROR (3)",
            "WARNING",
            "INFO",
            "Open reviews",
            "Attendance",
            "Absence",
            "Deferred"
        ]
    );
    // The glossary splits too once the catalogue passes the limit.
    assert!(names[10..].iter().all(|n| n.starts_with("Rule glossary")), "{names:?}");
    let rows = |book: &mut Xlsx<_>, name: &str| book.worksheet_range(name).unwrap().height();
    // Intro (ERROR and WARNING), header and data rows on each part.
    let head = REVIEW_INTRO_ROWS;
    assert_eq!(rows(&mut book, "ERROR"), head + 11);
    assert_eq!(rows(&mut book, "ERROR (2)"), head + 11);
    assert_eq!(rows(&mut book, "ERROR (3)"), head + 6);
    assert_eq!(rows(&mut book, "WARNING"), head + 1);
    assert_eq!(rows(&mut book, "INFO"), 4);
    // Every continuation sheet repeats the intro and header; order is kept across parts.
    let part2 = book.worksheet_range("ERROR (2)").unwrap();
    assert_eq!(part2.get((head, 0)), Some(&Data::String("Severity".into())));
    assert_eq!(part2.get((head + 1, 12)), Some(&Data::String("finding 10".into())));
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
    // (rows below the heading row, and the sheet's last row): the ERROR
    // sheets open with lines explaining the review columns (SPEC §11.2).
    let mut data_rows = |name: &str| {
        let mut cells = book.worksheet_cells_reader(name).unwrap();
        let (mut rows, mut last, mut heading) = (0usize, None, None);
        while let Some(cell) = cells.next_cell().unwrap() {
            let (r, c) = cell.get_position();
            if heading.is_none()
                && c == 0
                && calamine::DataType::get_string(cell.get_value()) == Some("Severity")
            {
                heading = Some(r);
            } else if heading.is_some() && last != Some(r) {
                rows += 1;
            }
            last = Some(r);
        }
        (rows, last.unwrap_or(0))
    };
    let (first, first_last_row) = data_rows("ERROR");
    let (second, _) = data_rows("ERROR (2)");
    assert_eq!(first_last_row, MAX_DATA_ROWS, "the first sheet is full to Excel's last row");
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

// ---- The auditors' review columns and sheets (SPEC §11) ----

use crate::model::review::{
    Disposition, OpenReview, Outstanding, PreviousReview, ReviewRun, StoredFinding, StoredReview,
};

/// Rows above a review sheet's header (its intro lines).
const REVIEW_INTRO_ROWS: usize = 5;

fn stored_review(id: &str, review: Disposition, pence: i64, note: &str) -> StoredReview {
    StoredReview {
        seq: 1,
        finding_id: id.into(),
        period: "2025-06".into(),
        review,
        amount: Pence(pence),
        note: note.into(),
        reviewer: "A. Auditor".into(),
        imported_at: "2025-07-01T09:00:00Z".into(),
        file_sha256: "0".repeat(64),
        after_period: "2025-06".into(),
    }
}

fn stored_finding(id: &str, severity: &str, claim: bool) -> StoredFinding {
    StoredFinding {
        period: "2025-04".into(),
        finding_id: id.into(),
        rule: "AGE003".into(),
        severity: severity.into(),
        assignment: "E7".into(),
        name: "Pat Jones".into(),
        claim_id: if claim { "C9".into() } else { String::new() },
        line_no: claim.then_some(2),
        status: if claim { "PAID".into() } else { String::new() },
        claimed: Pence(if claim { 1234 } else { 0 }),
        allowed: Pence(if claim { 1234 } else { 0 }),
        message: "late".into(),
    }
}

/// An exceptions workbook with ids and reviews; returns its path.
fn reviewed_book(
    lines: &[ClaimLine],
    decisions: &[Decision],
    findings: &[Finding],
    ids: &[String],
    reviews: &ReviewRun,
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
        finding_ids: ids,
        reviews,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exceptions.xlsx");
    write_exceptions_with(&path, &report, &Options { row_limit }).unwrap();
    (dir, path)
}

/// The XML of the sheet called `name` (rust_xlsxwriter numbers the parts
/// in sheet order).
fn sheet_xml(path: &std::path::Path, name: &str) -> String {
    let book: Xlsx<_> = open_workbook(path).unwrap();
    let index = book.sheet_names().iter().position(|n| n == name).unwrap_or_else(|| panic!("no {name}"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    let part = format!("xl/worksheets/sheet{}.xml", index + 1);
    std::io::Read::read_to_string(&mut zip.by_name(&part).unwrap(), &mut text).unwrap();
    text
}

fn string(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    match range.get((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        _ => String::new(),
    }
}

#[test]
fn error_and_warning_sheets_carry_ids_previous_reviews_and_a_review_drop_down() {
    let lines: Vec<ClaimLine> = (0..25).map(|i| line(i, "x", 1250)).collect();
    let decisions: Vec<Decision> = (0..25).map(|_| decision(Status::Rejected, 0)).collect();
    let mut findings: Vec<Finding> = (0..25).map(|i| finding(Severity::Error, i)).collect();
    findings.extend((0..2).map(|i| finding(Severity::Warning, i)));
    findings.push(finding(Severity::Info, 0));
    let ids: Vec<String> = (0..findings.len()).map(|i| format!("{i:012x}")).collect();
    let mut reviews = ReviewRun::default();
    // A re-run of a period already reviewed: its reviews come back in.
    reviews
        .latest
        .insert(ids[12].clone(), stored_review(&ids[12], Disposition::Pay, 1250, "not a duplicate"));
    reviews.latest.insert(ids[25].clone(), stored_review(&ids[25], Disposition::Cleared, 0, "in policy"));
    let previous = PreviousReview {
        period: "2025-05".into(),
        review: Disposition::Query,
        reviewer: "B. Checker".into(),
        note: "asked".into(),
    };
    reviews.previous.insert(("E1".into(), age::AGE001.code.into()), previous.clone());
    let (_dir, path) = reviewed_book(&lines, &decisions, &findings, &ids, &reviews, 10);

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[..7], ["Summary", "ERROR", "ERROR (2)", "ERROR (3)", "WARNING", "INFO", "Open reviews"]);
    let head = REVIEW_INTRO_ROWS;
    let heading = |range: &calamine::Range<Data>, row: usize| -> Vec<String> {
        (0..range.width()).map(|c| string(range, row, c)).collect()
    };
    // (sheet, first finding on it, rows)
    let parts = [("ERROR", 0, 10), ("ERROR (2)", 10, 10), ("ERROR (3)", 20, 5), ("WARNING", 25, 2)];
    for (name, first, rows) in parts {
        let range = book.worksheet_range(name).unwrap();
        let header = heading(&range, head);
        assert!(string(&range, 0, 0)
            .starts_with(&format!("{} findings. To review", &name[..name.find(' ').unwrap_or(name.len())])));
        let at = |h: &str| {
            header.iter().position(|x| x == h).unwrap_or_else(|| panic!("{name}: no {h}: {header:?}"))
        };
        let n = header.len();
        // The three input columns at the right edge, the id and previous review before them.
        assert_eq!(header[n - 5..], ["Finding ID", "Previous review", "Review", "Amount", "Review note"]);
        for r in 0..rows {
            assert_eq!(string(&range, head + 1 + r, at("Finding ID")), ids[first + r], "{name} row {r}");
        }
        // The drop-down over every data row of the Review column.
        let xml = sheet_xml(&path, name);
        let col = rust_xlsxwriter::utility::column_number_to_name(at("Review") as u16);
        let sqref = format!("sqref=\"{col}{}:{col}{}\"", head + 2, head + 1 + rows);
        let dv = xml.split("<dataValidation ").nth(1).unwrap_or_else(|| panic!("{name}: no validation"));
        assert!(dv.starts_with("type=\"list\""), "{dv}");
        assert!(dv.contains(&sqref), "{name}: {sqref} in {dv}");
        assert!(dv.contains("<formula1>\"CLEARED,QUERY,RECOVER,PAY\"</formula1>"), "{dv}");
        // Frozen below the heading row, the heading row repeated when printed.
        assert!(xml.contains(&format!("ySplit=\"{}\"", head + 1)), "{name}");
        if name == "ERROR (2)" {
            // Prefilled from the latest review: finding 12 is this sheet's third row.
            let row = head + 1 + 2;
            assert_eq!(string(&range, row, at("Review")), "PAY");
            assert_eq!(range.get((row, at("Amount"))), Some(&Data::Float(12.5)));
            assert_eq!(string(&range, row, at("Review note")), "not a duplicate");
            assert_eq!(string(&range, row + 1, at("Review")), "");
        }
        if name == "ERROR" {
            assert_eq!(string(&range, head + 1, at("Previous review")), previous.text());
        }
        if name == "WARNING" {
            assert_eq!(string(&range, head + 1, at("Review")), "CLEARED");
            assert!(
                matches!(range.get((head + 1, at("Amount"))), None | Some(Data::Empty)),
                "no amount for CLEARED"
            );
            // AGE003 has no previous review for E1.
            assert_eq!(string(&range, head + 1, at("Previous review")), "");
        }
    }
    // INFO: the id, but no review columns and no drop-down.
    let info = book.worksheet_range("INFO").unwrap();
    let header = heading(&info, 0);
    assert_eq!(header.last().map(String::as_str), Some("Finding ID"));
    assert!(!header.iter().any(|h| h == "Review"));
    assert_eq!(string(&info, 1, header.len() - 1), ids[27]);
    assert!(!sheet_xml(&path, "INFO").contains("<dataValidation"));
}

#[test]
fn open_reviews_list_queries_with_their_age_and_unreviewed_findings() {
    let mut reviews = ReviewRun::default();
    let query = stored_review("aaaaaaaaaaaa", Disposition::Query, 0, "asked the manager");
    reviews.open.push(OpenReview {
        finding: stored_finding("aaaaaaaaaaaa", "ERROR", true),
        query: Some(query),
        age_months: 2,
    });
    reviews.open.push(OpenReview {
        finding: stored_finding("bbbbbbbbbbbb", "WARNING", false),
        query: None,
        age_months: 2,
    });
    let (_dir, path) = reviewed_book(&[], &[], &[], &[], &reviews, MAX_DATA_ROWS);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("Open reviews").unwrap();
    let head = (0..10).find(|r| string(&range, *r, 0) == "Period").expect("heading row");
    let header: Vec<String> = (0..range.width()).map(|c| string(&range, head, c)).collect();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h}: {header:?}"));
    let row = |r: usize, h: &str| string(&range, head + 1 + r, at(h));
    assert_eq!((row(0, "Finding ID"), row(0, "State")), ("aaaaaaaaaaaa".into(), "QUERY".into()));
    assert_eq!(
        (row(0, "Reviewer"), row(0, "Review note")),
        ("A. Auditor".into(), "asked the manager".into())
    );
    assert_eq!(row(0, "Claim line"), "C9/2");
    assert_eq!(range.get((head + 1, at("Claimed"))), Some(&Data::Float(12.34)));
    assert_eq!(range.get((head + 1, at("Age (months)"))), Some(&Data::Float(2.0)));
    assert_eq!(
        (row(1, "State"), row(1, "Claim line"), row(1, "Reviewer")),
        ("not reviewed".into(), "".into(), "".into())
    );
    let claimed = range.get((head + 2, at("Claimed")));
    assert!(matches!(claimed, None | Some(Data::Empty)), "an employee finding has no money");

    // Nothing open: the sheet says so.
    let (_dir, path) = reviewed_book(&[], &[], &[], &[], &ReviewRun::default(), MAX_DATA_ROWS);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let range = book.worksheet_range("Open reviews").unwrap();
    assert!(range.used_cells().any(|(_, _, d)| matches!(d, Data::String(s) if s.starts_with("None"))));
}

/// The payroll workbook of `rows` with `reviews` (reconciled as a run does).
fn payroll_book(rows: &[AdjustmentRow], reviews: &ReviewRun) -> (tempfile::TempDir, std::path::PathBuf) {
    use crate::interface::{element_batch, BatchHeader, Interface};
    let config = config();
    let staff: HashMap<&str, &Staff> = HashMap::new();
    let report = Report {
        organisation: Some("RP5"),
        period: Period::new(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(), &config.policy),
        config: &config,
        lines: &[],
        decisions: &[],
        findings: &[],
        staff: &staff,
        attendance: &[],
        absence: &Default::default(),
        kit: &[],
        marks: &Default::default(),
        protection: &[],
        p11d: &[],
        finding_ids: &[],
        reviews,
    };
    let header = BatchHeader {
        name: "PAYRUN EXPENSES 2025-06".into(),
        reference: "0123456789ab".into(),
        source: "payrun".into(),
        action_if_exists: "CREATE_NEW",
        effective_date: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    };
    let interface = Interface { batch: element_batch(rows, &config, header), corrections: None };
    let manifest = crate::manifest::Manifest {
        tool: "payrun",
        version: "0",
        organisation: Some("RP5".into()),
        period: "2025-06".into(),
        run_id: "r".into(),
        activity_month: "2025-05".into(),
        cutoff: "2025-06-06".into(),
        config_dir: String::new(),
        config_hash: "h".into(),
        inputs: vec![],
        lines_by_status: Default::default(),
        findings_by_severity: Default::default(),
        findings_by_rule: Default::default(),
        settled_before: 0,
        reconciliation: crate::reconcile::check(&[], &[], rows).with_reviews(rows, reviews),
        timings_ms: vec![],
        outputs: vec![],
        payroll_interface: Default::default(),
        corrects: None,
        reviews: crate::manifest::Reviews::of(reviews),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payroll.xlsx");
    write_adjustments_with(&path, &report, rows, &manifest, &interface, &Options::default()).unwrap();
    (dir, path)
}

fn adjustment(assignment: &str, element: &'static str, pence: i64) -> AdjustmentRow {
    AdjustmentRow {
        assignment: assignment.into(),
        name: "N".into(),
        cost_centre: "CC".into(),
        element,
        units: String::new(),
        rate: String::new(),
        amount: Pence(pence),
        taxable: false,
        ni_able: false,
        protected: String::new(),
        protection_end: String::new(),
        source: String::new(),
    }
}

#[test]
fn the_payroll_summary_shows_review_lines_apart_from_expenses_and_leavers_balances_are_listed() {
    use crate::model::review::ReviewAction;
    let action = |review, pence| ReviewAction {
        period: "2025-06".into(),
        finding_id: "f".into(),
        review_seq: 1,
        review,
        instalment: 1,
        instalments: 1,
        amount: Pence(pence),
        assignment: "E1".into(),
        line: "C1/1".into(),
    };
    let mut reviews = ReviewRun {
        actions: vec![action(Disposition::Pay, 1270), action(Disposition::Recover, 500)],
        ..Default::default()
    };
    reviews.outstanding.push(Outstanding {
        finding_id: "5bfa6053bdce".into(),
        period: "2025-04".into(),
        rule: "AGE003".into(),
        assignment: "E9".into(),
        name: "Laura Mensah".into(),
        line: "C8/1".into(),
        leave_date: NaiveDate::from_ymd_opt(2025, 4, 20),
        recover: Pence(3000),
        recovered: Pence(1000),
        balance: Pence(2000),
        reviewer: "A. Auditor".into(),
        note: "paid twice".into(),
    });
    let rows = [
        adjustment("E1", "MILEAGE", 10_000),
        adjustment("E1", "REVIEW_PAYMENT", 1270),
        adjustment("E1", "REVIEW_RECOVERY", -500),
    ];
    let (_dir, path) = payroll_book(&rows, &reviews);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert!(book.sheet_names().contains(&"Outstanding recoveries".to_string()));
    let summary = book.worksheet_range("Summary").unwrap();
    let find = |key: &str| {
        (0..summary.height()).find(|r| string(&summary, *r, 0) == key).unwrap_or_else(|| panic!("no {key}"))
    };
    let money = |row: usize, col: usize| summary.get((row, col)).cloned();
    // The expenses' own total leaves the review lines out; the grand total has them.
    assert_eq!(money(find("Expenses total"), 3), Some(Data::Float(100.0)));
    assert_eq!(money(find("REVIEW_PAYMENT"), 3), Some(Data::Float(12.7)));
    assert_eq!(money(find("REVIEW_RECOVERY"), 3), Some(Data::Float(-5.0)));
    assert!(find("REVIEW_PAYMENT") > find("Expenses total"));
    assert_eq!(money(find("Total"), 3), Some(Data::Float(107.7)));
    assert_eq!(money(find("Review payments (PAY actioned)"), 1), Some(Data::Float(12.7)));
    assert_eq!(money(find("Review recoveries (RECOVER instalments)"), 1), Some(Data::Float(-5.0)));

    let sheet = book.worksheet_range("Outstanding recoveries").unwrap();
    let head = (0..10).find(|r| string(&sheet, *r, 0) == "Assignment").expect("heading row");
    let header: Vec<String> = (0..sheet.width()).map(|c| string(&sheet, head, c)).collect();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h}: {header:?}"));
    assert_eq!(string(&sheet, head + 1, at("Finding ID")), "5bfa6053bdce");
    assert_eq!(string(&sheet, head + 1, at("Review note")), "paid twice");
    assert!(matches!(sheet.get((head + 1, at("Leave date"))), Some(Data::DateTime(_))));
    assert_eq!(sheet.get((head + 1, at("Balance"))), Some(&Data::Float(20.0)));
    assert_eq!(string(&sheet, head + 2, 0), "Total");
    assert_eq!(sheet.get((head + 2, at("Balance"))), Some(&Data::Float(20.0)));

    // No review rows: the Summary has no review figures, the sheet says none.
    let (_dir, path) = payroll_book(&rows[..1], &ReviewRun::default());
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    assert!(!summary.used_cells().any(|(_, _, d)| matches!(d, Data::String(s) if s.starts_with("Review "))));
    let sheet = book.worksheet_range("Outstanding recoveries").unwrap();
    assert!(sheet.used_cells().any(|(_, _, d)| matches!(d, Data::String(s) if s.starts_with("None"))));
}
