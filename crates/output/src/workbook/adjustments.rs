//! `payroll-adjustments-YYYY-MM.xlsx`: Summary (totals by element and cost
//! centre, the §4.3 reconciliation), Adjustments, Pay protection, P11D and
//! Run info (the manifest).

use super::payroll_batch::Rerun;
use super::sheet::{
    apply_widths, first_refs, header, print_layout, put, put_with, summary_header, Cell, DataSheet,
    SheetOptions,
};
use super::style::{Styles, Widths};
use super::Options;
use crate::csv::ADJUSTMENTS_HEADER;
use crate::csv::P11D_HEADER;
use crate::interface::Interface;
use crate::manifest::Manifest;
use crate::model::adjustment::{is_review_element, AdjustmentRow, ELEMENTS};
use crate::model::Pence;
use crate::payroll::element_name;
use crate::Report;
use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, BTreeSet};

/// Columns of the Pay protection sheet: one row per register row reported
/// this month (PP001 active, PP003 LONG ended, PP004 not protectable).
pub const PROTECTION_HEADER: &[&str] = &[
    "assignment",
    "name",
    "cost_centre",
    "rule",
    "protection",
    "reason",
    "change_date",
    "reckonable_years",
    "short_end",
    "long_end",
    "top_up",
    "protected",
    "protection_end",
    "source",
];

pub fn write(
    wb: &mut Workbook,
    report: &Report,
    rows: &[AdjustmentRow],
    manifest: &Manifest,
    interface: &Interface,
    opts: &Options,
) -> Result<(), XlsxError> {
    let styles = Styles::new();
    let rerun = Rerun::of(interface);
    let banner = rerun.as_ref().map_or(&[][..], |r| r.banner.as_slice());
    summary(wb, report, rows, manifest, banner, &styles)?;
    // A re-run's correction batch is what payroll loads: right after the
    // Summary, before the full batch (SPEC §12.3).
    if let Some(c) = interface.corrections.as_ref().filter(|c| !c.rows.is_empty()) {
        super::payroll_batch::corrections_sheet(wb, report, c, &styles, opts.row_limit)?;
    }
    adjustment_rows(wb, report, &styles, opts, "Adjustments", rows.iter())?;
    let title = rerun.as_ref().map(|r| r.batch_title.as_str());
    super::payroll_batch::batch_sheet(wb, &interface.batch, title, &styles, opts.row_limit)?;
    outstanding(wb, report, &styles, opts)?;
    protection(wb, report, &styles, opts)?;
    p11d(wb, report, &styles, opts)?;
    run_info(wb, manifest, &styles)?;
    Ok(())
}

/// Rows of adjustments.csv, same columns, the element by its payroll name.
fn adjustment_rows<'a>(
    wb: &mut Workbook,
    report: &Report,
    styles: &Styles,
    opts: &Options,
    name: &str,
    rows: impl Iterator<Item = &'a AdjustmentRow>,
) -> Result<(), XlsxError> {
    let mut sheet = DataSheet::new(
        name,
        ADJUSTMENTS_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: true, tab: None, wrap: &[] },
    );
    for r in rows {
        let yn = |b: bool| if b { "Y" } else { "N" };
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&r.assignment),
                Cell::Text(&r.name),
                Cell::Text(&r.cost_centre),
                Cell::Owned(element_name(report.config, r.element)),
                number_or_text(&r.units),
                number_or_text(&r.rate),
                Cell::Money(r.amount),
                Cell::Text(yn(r.taxable)),
                Cell::Text(yn(r.ni_able)),
                Cell::Text(&r.protected),
                date_or_text(&r.protection_end),
                first_refs(&r.source),
            ],
        )?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// A whole number as a number cell (so it sums), anything else as text.
fn number_or_text(s: &str) -> Cell<'_> {
    match s.parse::<i64>() {
        Ok(n) => Cell::Int(n),
        Err(_) => Cell::Text(s),
    }
}

fn date_or_text(s: &str) -> Cell<'_> {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Cell::Date(d),
        Err(_) => Cell::Text(s),
    }
}

/// The Outstanding recoveries sheet (SPEC §11.4).
pub const OUTSTANDING_HEADER: &[&str] = &[
    "assignment",
    "name",
    "period",
    "rule",
    "finding_id",
    "claim_line",
    "leave_date",
    "recover",
    "recovered",
    "balance",
    "reviewer",
    "review_note",
];

/// RECOVER balances of employees payroll cannot take them from — a leave
/// date before the pay period, or not on this month's roster — listed for
/// an invoice instead of a batch line, with their total.
fn outstanding(wb: &mut Workbook, report: &Report, styles: &Styles, opts: &Options) -> Result<(), XlsxError> {
    let mut sheet = DataSheet::new(
        "Outstanding recoveries",
        OUTSTANDING_HEADER,
        SheetOptions {
            row_limit: opts.row_limit,
            constant_memory: false,
            tab: None,
            wrap: &[("review_note", 30)],
        },
    )
    .with_intro(vec![
        "Recoveries to invoice, not in the batch: auditors' RECOVER reviews of leavers.".to_string(),
        format!(
            "Leave date: before pay period {}; blank: not on this month's roster.",
            report.period.label()
        ),
        "Balance = the RECOVER amount less what earlier payroll runs took back.".to_string(),
    ]);
    let mut total = Pence::ZERO;
    for o in &report.reviews.outstanding {
        total += o.balance;
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&o.assignment),
                Cell::Text(&o.name),
                Cell::Text(&o.period),
                Cell::Text(&o.rule),
                Cell::Text(&o.finding_id),
                Cell::Text(&o.line),
                o.leave_date.map_or(Cell::Blank, Cell::Date),
                Cell::Money(o.recover),
                Cell::Money(o.recovered),
                Cell::Money(o.balance),
                Cell::Text(&o.reviewer),
                Cell::Text(&o.note),
            ],
        )?;
    }
    if report.reviews.outstanding.is_empty() {
        sheet.note_below(wb, styles, "None: no recovery is outstanding from an employee who has left.")?;
    } else {
        let mut cells = vec![Cell::Blank; OUTSTANDING_HEADER.len()];
        cells[0] = Cell::Text("Total");
        if let Some(col) = OUTSTANDING_HEADER.iter().position(|h| *h == "balance") {
            cells[col] = Cell::Money(total);
        }
        sheet.total_row(wb, styles, &cells)?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// The register rows behind the top-ups, with their windows, so payroll
/// can see why an amount is paid and when it stops.
fn protection(wb: &mut Workbook, report: &Report, styles: &Styles, opts: &Options) -> Result<(), XlsxError> {
    let mut sheet = DataSheet::new(
        "Pay protection",
        PROTECTION_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: false, tab: None, wrap: &[] },
    );
    for r in report.protection {
        let mark = report.mark_of(&r.assignment);
        let date = |d: Option<NaiveDate>| d.map_or(Cell::Blank, Cell::Date);
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&r.assignment),
                Cell::Text(&r.name),
                Cell::Text(&r.cost_centre),
                Cell::Text(r.status),
                Cell::Text(r.kind.code()),
                Cell::Text(r.reason.code()),
                Cell::Date(r.change_date),
                Cell::Int(i64::from(r.reckonable_years)),
                date(r.short_end),
                date(r.long_end),
                Cell::Money(r.top_up),
                mark.map_or(Cell::Blank, |m| Cell::Text(m.kind.code())),
                date(mark.map(|m| m.end)),
                first_refs(&r.source),
            ],
        )?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// p11d.csv as a sheet: tax year to date per employee, tax year and section.
fn p11d(wb: &mut Workbook, report: &Report, styles: &Styles, opts: &Options) -> Result<(), XlsxError> {
    let mut sheet = DataSheet::new(
        "P11D",
        P11D_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: false, tab: None, wrap: &[] },
    );
    for row in report.p11d {
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&row.assignment),
                Cell::Text(&row.name),
                Cell::Owned(row.tax_year_label()),
                Cell::Owned(row.section.to_string()),
                Cell::Money(row.amount),
            ],
        )?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// Totals of one group of rows.
#[derive(Default)]
struct Tally<'a> {
    employees: BTreeSet<&'a str>,
    rows: i64,
    amount: Pence,
}

/// The Summary; `banner` (a re-run's "what to load", SPEC §12.3) opens it,
/// one merged row per line above the title, so it is the first thing on the
/// first printed page.
fn summary(
    wb: &mut Workbook,
    report: &Report,
    rows: &[AdjustmentRow],
    manifest: &Manifest,
    banner: &[String],
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut by_element: BTreeMap<usize, Tally> = BTreeMap::new();
    let mut by_cc: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in rows {
        let order = ELEMENTS.iter().position(|e| *e == r.element).unwrap_or(usize::MAX);
        for t in [by_element.entry(order).or_default(), by_cc.entry(r.cost_centre.as_str()).or_default()] {
            t.employees.insert(&r.assignment);
            t.rows += 1;
            t.amount += r.amount;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("Summary")?;
    ws.set_screen_gridlines(false);
    let mut w = Widths::new(&[]);
    for (row, line) in banner.iter().enumerate() {
        ws.merge_range(row as u32, 0, row as u32, LAST_SUMMARY_COL, line, &styles.banner)?;
    }
    let top = if banner.is_empty() { 0 } else { banner.len() as u32 + 1 };
    super::sheet::title_block(ws, top, report, "Payroll adjustments", styles)?;

    // Reconciliation (SPEC §4.3): the figures, then PASS / FAIL.
    let rec = &manifest.reconciliation;
    let mut row = top + 3;
    ws.write_string_with_format(row, 0, "Reconciliation", &styles.section)?;
    let mut figures: Vec<(&str, Cell)> = vec![
        ("Claim lines read", Cell::Int(rec.lines_read as i64)),
        ("Decisions written", Cell::Int(rec.decisions_written as i64)),
        ("Claimed", Cell::Money(rec.claimed)),
        ("Allowed", Cell::Money(rec.allowed)),
        ("Withheld (claimed − allowed)", Cell::Money(rec.withheld)),
        ("Deferred to next month", Cell::Money(rec.deferred)),
        ("Adjustments: expense lines total", Cell::Money(rec.adjustments_expense_total)),
    ];
    // SPEC §11.4: reviews are not expense lines; reconciled on their own.
    let reviews = rows.iter().any(|r| is_review_element(r.element));
    if reviews {
        figures.push(("Review payments (PAY actioned)", Cell::Money(rec.review_payments)));
        figures.push(("Review recoveries (RECOVER instalments)", Cell::Money(rec.review_recoveries)));
    }
    for (label, value) in &figures {
        row += 1;
        put_with(ws, row, 0, &Cell::Text(label), styles, &mut w, Some(&styles.label))?;
        put(ws, row, 1, value, styles, &mut w)?;
    }
    row += 1;
    put_with(ws, row, 0, &Cell::Text("Result"), styles, &mut w, Some(&styles.total_label))?;
    let (verdict, format) = if rec.passed { ("PASS", &styles.pass) } else { ("FAIL", &styles.fail) };
    ws.write_string_with_format(row, 1, verdict, format)?;
    row += 1;
    let explain = if rec.passed {
        let mut text =
            "Every line decided once; claimed = allowed + withheld + deferred; allowed on paid lines = \
                        expense lines below."
                .to_string();
        if reviews {
            text.push_str(
                " Review payments = the PAY reviews actioned; review recoveries = the RECOVER instalments \
                 actioned (neither is an expense line).",
            );
        }
        text
    } else {
        rec.failures.join("; ")
    };
    ws.write_string_with_format(row, 0, explain, &styles.subtitle)?;

    // By pay element. Columns: A key, B employees, C rows, D amount, E payroll name.
    row += 2;
    ws.write_string_with_format(row, 0, "By pay element", &styles.section)?;
    row += 1;
    summary_header(
        ws,
        row,
        &[("Element", false), ("Employees", true), ("Rows", true), ("Amount", true), ("Payroll name", false)],
        styles,
    )?;
    // SPEC §13: the expenses' own total, then unpaid leave, KIT days and
    // protection each on its line, before the grand total.
    let expenses: Vec<&AdjustmentRow> = rows.iter().filter(|r| r.is_expense()).collect();
    let mut subtotal_done = expenses.is_empty();
    for (order, t) in &by_element {
        let code = ELEMENTS.get(*order).copied().unwrap_or("?");
        if !subtotal_done
            && !ELEMENTS.get(*order).is_some_and(|c| crate::model::adjustment::is_expense_element(c))
        {
            row += 1;
            subtotal_row(ws, row, "Expenses total", &expenses, styles, &mut w)?;
            subtotal_done = true;
        }
        row += 1;
        tally_row(ws, row, code, t, styles, &mut w)?;
        let name = Cell::Owned(element_name(report.config, code));
        put_with(ws, row, 4, &name, styles, &mut w, Some(&styles.indent))?;
    }
    if !subtotal_done {
        row += 1;
        subtotal_row(ws, row, "Expenses total", &expenses, styles, &mut w)?;
    }
    row = total_row(ws, row, rows, styles, &mut w)?;

    row += 2;
    ws.write_string_with_format(row, 0, "By cost centre", &styles.section)?;
    row += 1;
    // The long table: its heading repeats on every printed page after it starts.
    let cc_header = row;
    summary_header(
        ws,
        row,
        &[("Cost centre", false), ("Employees", true), ("Rows", true), ("Amount", true)],
        styles,
    )?;
    for (cc, t) in &by_cc {
        row += 1;
        let cc = if cc.is_empty() { "(blank)" } else { cc };
        tally_row(ws, row, cc, t, styles, &mut w)?;
    }
    total_row(ws, row, rows, styles, &mut w)?;

    for (col, min) in [(0usize, 24usize), (1, 14), (2, 8), (3, 14), (4, 16)] {
        w.see(col, min);
    }
    apply_widths(ws, &w)?;
    // Merged cells do not grow to their text: each banner row is made as
    // tall as its wrapped lines (bold 12 pt runs about 1.3 characters of
    // the column width unit per character).
    let width: f64 = (0..=LAST_SUMMARY_COL).map(|c| w.get(c as usize)).sum();
    for (row, line) in banner.iter().enumerate() {
        let lines = (line.chars().count() as f64 * 1.3 / width).ceil().max(1.0);
        ws.set_row_height(row as u32, 17.0 * lines + 6.0)?;
    }
    print_layout(ws, &w, Some(cc_header), 0)?;
    Ok(())
}

/// The Summary's last column (E, payroll name): the banner spans A to it.
const LAST_SUMMARY_COL: u16 = 4;

fn tally_row(
    ws: &mut Worksheet,
    row: u32,
    key: &str,
    t: &Tally,
    styles: &Styles,
    w: &mut Widths,
) -> Result<(), XlsxError> {
    put(ws, row, 0, &Cell::Text(key), styles, w)?;
    put(ws, row, 1, &Cell::Int(t.employees.len() as i64), styles, w)?;
    put(ws, row, 2, &Cell::Int(t.rows), styles, w)?;
    put(ws, row, 3, &Cell::Money(t.amount), styles, w)?;
    Ok(())
}

/// A bold subtotal line of some of the rows, inside a table.
fn subtotal_row(
    ws: &mut Worksheet,
    row: u32,
    label: &str,
    rows: &[&AdjustmentRow],
    styles: &Styles,
    w: &mut Widths,
) -> Result<(), XlsxError> {
    let employees: BTreeSet<&str> = rows.iter().map(|r| r.assignment.as_str()).collect();
    let amount: Pence = rows.iter().map(|r| r.amount).sum();
    put_with(ws, row, 0, &Cell::Text(label), styles, w, Some(&styles.total_label))?;
    put_with(ws, row, 1, &Cell::Int(employees.len() as i64), styles, w, Some(&styles.total_int))?;
    put_with(ws, row, 2, &Cell::Int(rows.len() as i64), styles, w, Some(&styles.total_int))?;
    put_with(ws, row, 3, &Cell::Money(amount), styles, w, Some(&styles.total_money))?;
    Ok(())
}

/// The Total row under a table; returns its row number.
fn total_row(
    ws: &mut Worksheet,
    row: u32,
    rows: &[AdjustmentRow],
    styles: &Styles,
    w: &mut Widths,
) -> Result<u32, XlsxError> {
    let row = row + 1;
    let employees: BTreeSet<&str> = rows.iter().map(|r| r.assignment.as_str()).collect();
    let amount: Pence = rows.iter().map(|r| r.amount).sum();
    put_with(ws, row, 0, &Cell::Text("Total"), styles, w, Some(&styles.total_label))?;
    put_with(ws, row, 1, &Cell::Int(employees.len() as i64), styles, w, Some(&styles.total_int))?;
    put_with(ws, row, 2, &Cell::Int(rows.len() as i64), styles, w, Some(&styles.total_int))?;
    put_with(ws, row, 3, &Cell::Money(amount), styles, w, Some(&styles.total_money))?;
    Ok(row)
}

/// The manifest, readable: what was run on what, and how long it took.
fn run_info(wb: &mut Workbook, m: &Manifest, styles: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("Run info")?;
    let mut w = Widths::new(&[]);
    let mut row = 0;
    ws.write_string_with_format(row, 0, "Run", &styles.section)?;
    let organisation = m.organisation.as_deref().unwrap_or("");
    let facts: [(&str, &str); 9] = [
        ("Organisation", organisation),
        ("Tool", m.tool),
        ("Version", m.version),
        ("Pay period", &m.period),
        ("Run id (batch reference)", &m.run_id),
        ("Activity month", &m.activity_month),
        ("Cut-off", &m.cutoff),
        ("Config folder", &m.config_dir),
        ("Config hash", &m.config_hash),
    ];
    for (k, v) in facts {
        row += 1;
        put_with(ws, row, 0, &Cell::Text(k), styles, &mut w, Some(&styles.label))?;
        put(ws, row, 1, &Cell::Text(v), styles, &mut w)?;
    }

    row += 2;
    ws.write_string_with_format(row, 0, "Inputs", &styles.section)?;
    row += 1;
    header(ws, row, &["Sheet", "Rows read", "File", "SHA-256"], styles)?;
    for input in &m.inputs {
        let path = input.path.display().to_string();
        for (sheet, n) in &input.sheets {
            row += 1;
            put(ws, row, 0, &Cell::Text(sheet), styles, &mut w)?;
            put(ws, row, 1, &Cell::Int(*n as i64), styles, &mut w)?;
            put(ws, row, 2, &Cell::Text(&path), styles, &mut w)?;
            put(ws, row, 3, &Cell::Text(&input.sha256), styles, &mut w)?;
        }
    }

    let counts: [(&str, &BTreeMap<&str, usize>); 3] = [
        ("Lines by status", &m.lines_by_status),
        ("Findings by severity", &m.findings_by_severity),
        ("Findings by rule", &m.findings_by_rule),
    ];
    for (title, map) in counts {
        row += 2;
        ws.write_string_with_format(row, 0, title, &styles.section)?;
        for (k, n) in map {
            row += 1;
            put_with(ws, row, 0, &Cell::Text(k), styles, &mut w, Some(&styles.label))?;
            put(ws, row, 1, &Cell::Int(*n as i64), styles, &mut w)?;
        }
    }

    row += 2;
    ws.write_string_with_format(row, 0, "Timings (ms)", &styles.section)?;
    for (stage, ms) in &m.timings_ms {
        row += 1;
        put_with(ws, row, 0, &Cell::Text(stage), styles, &mut w, Some(&styles.label))?;
        put(ws, row, 1, &Cell::Int(i64::try_from(*ms).unwrap_or(i64::MAX)), styles, &mut w)?;
    }

    row += 2;
    ws.write_string_with_format(row, 0, "Outputs", &styles.section)?;
    for name in &m.outputs {
        row += 1;
        put(ws, row, 0, &Cell::Text(name), styles, &mut w)?;
    }
    w.see(0, 22);
    apply_widths(ws, &w)?;
    print_layout(ws, &w, None, 0)?;
    Ok(())
}
