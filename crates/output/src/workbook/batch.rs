//! The Control sheet of `batch-YYYY-MM.xlsx` (SPEC §8.2): one row per
//! organisation in plan order and a totals row; FAILED rows are red and
//! FAIL_ON rows amber, so the operator sees at a glance what needs action.

use super::sheet::{apply_widths, header, put_with, Cell};
use super::style::{Styles, Widths, INT, MONEY};
use crate::batch::{BatchSummary, OrgStatus};
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

const HEADER: [&str; 16] = [
    "Code",
    "Status",
    "Exit code",
    "Message",
    "Lines read",
    "Claimed",
    "Allowed",
    "Withheld",
    "Deferred",
    "Errors",
    "Warnings",
    "Info",
    "Reconciliation",
    "Corrections Σ delta",
    "Seconds",
    "Output folder",
];

/// A fill for a whole row, keeping each column's number format.
struct RowFormats {
    text: Format,
    money: Format,
    int: Format,
    seconds: Format,
}

impl RowFormats {
    fn new(fill: Option<u32>) -> RowFormats {
        let with = |f: Format| match fill {
            Some(rgb) => f.set_background_color(Color::RGB(rgb)),
            None => f,
        };
        RowFormats {
            text: with(Format::new()),
            money: with(Format::new().set_num_format(MONEY)),
            int: with(Format::new().set_num_format(INT)),
            seconds: with(Format::new().set_num_format("0.0")),
        }
    }
}

pub(super) fn write(wb: &mut Workbook, summary: &BatchSummary) -> Result<(), XlsxError> {
    let styles = Styles::new();
    let ws = wb.add_worksheet();
    ws.set_name("Control")?;
    let mut w = Widths::new(&HEADER);
    ws.write_string_with_format(0, 0, format!("Batch — pay period {}", summary.period), &styles.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Plan {} · {} organisations: {} OK, {} FAIL_ON, {} FAILED",
            summary.plan.display(),
            summary.orgs.len(),
            summary.count(OrgStatus::Ok),
            summary.count(OrgStatus::FailOn),
            summary.count(OrgStatus::Failed)
        ),
        &styles.subtitle,
    )?;
    let head = 3;
    header(ws, head, &HEADER, &styles)?;

    let plain = RowFormats::new(None);
    let failed = RowFormats::new(Some(0xFFC7CE));
    let fail_on = RowFormats::new(Some(0xFFEB9C));
    let mut row = head;
    for org in &summary.orgs {
        row += 1;
        let f = match org.status {
            OrgStatus::Ok => &plain,
            OrgStatus::FailOn => &fail_on,
            OrgStatus::Failed => &failed,
        };
        let figures = org.figures.as_ref();
        let money = |p: Option<crate::model::Pence>| p.map_or(Cell::Blank, Cell::Money);
        let int = |n: Option<i64>| n.map_or(Cell::Blank, Cell::Int);
        let out = org.out.display().to_string();
        let cells: [(Cell, &Format); 16] = [
            (Cell::Text(&org.code), &f.text),
            (Cell::Text(org.status.code()), &f.text),
            (Cell::Int(i64::from(org.exit_code)), &f.int),
            (Cell::Text(&org.message), &f.text),
            (int(figures.map(|x| x.lines_read)), &f.int),
            (money(figures.map(|x| x.claimed)), &f.money),
            (money(figures.map(|x| x.allowed)), &f.money),
            (money(figures.map(|x| x.withheld)), &f.money),
            (money(figures.map(|x| x.deferred)), &f.money),
            (int(figures.map(|x| x.findings[0])), &f.int),
            (int(figures.map(|x| x.findings[1])), &f.int),
            (int(figures.map(|x| x.findings[2])), &f.int),
            (figures.map_or(Cell::Blank, |x| Cell::Text(pass(x.reconciliation_passed))), &f.text),
            (money(figures.and_then(|x| x.corrections_delta)), &f.money),
            (Cell::Blank, &f.seconds),
            (Cell::Owned(out), &f.text),
        ];
        for (col, (cell, format)) in cells.iter().enumerate() {
            put_with(ws, row, col as u16, cell, &styles, &mut w, Some(format))?;
        }
        ws.write_number_with_format(row, 14, (org.seconds * 10.0).round() / 10.0, &f.seconds)?;
    }

    // Totals: the sum of the organisations whose outputs are in place.
    row += 1;
    let t = summary.totals();
    put_with(ws, row, 0, &Cell::Text("Total"), &styles, &mut w, Some(&styles.total_label))?;
    let totals: [(u16, Cell); 10] = [
        (4, Cell::Int(t.lines_read)),
        (5, Cell::Money(t.claimed)),
        (6, Cell::Money(t.allowed)),
        (7, Cell::Money(t.withheld)),
        (8, Cell::Money(t.deferred)),
        (9, Cell::Int(t.findings[0])),
        (10, Cell::Int(t.findings[1])),
        (11, Cell::Int(t.findings[2])),
        (12, Cell::Text(pass(t.reconciliation_passed))),
        (13, t.corrections_delta.map_or(Cell::Blank, Cell::Money)),
    ];
    for (col, cell) in &totals {
        let format = match cell {
            Cell::Money(_) => &styles.total_money,
            Cell::Int(_) => &styles.total_int,
            _ => &styles.total_label,
        };
        put_with(ws, row, *col, cell, &styles, &mut w, Some(format))?;
    }

    ws.set_freeze_panes(head + 1, 1)?;
    ws.autofilter(head, 0, row - 1, (HEADER.len() - 1) as u16)?;
    apply_widths(ws, &w)?;
    super::sheet::print_layout(ws, &w, Some(head), 1)?;
    Ok(())
}

fn pass(passed: bool) -> &'static str {
    if passed {
        "PASS"
    } else {
        "FAIL"
    }
}
