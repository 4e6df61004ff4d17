//! The Payroll batch and Corrections sheets of the payroll workbook (SPEC
//! §7.1, §7.2), laid out as the BEE spreadsheet upload: the batch header
//! block, then the lines in one table per element group with the input-value
//! names as column headers, then the control totals underneath.

use super::sheet::{apply_widths, first_refs, header, print_layout, put, put_with, Cell};
use super::style::{Styles, Widths};
use crate::interface::{
    Batch, BatchLine, Corrections, Interface, Value, CORRECTIONS_HEADER, CORRECTION_BATCH,
};
use crate::model::adjustment::ELEMENTS;
use crate::model::money::{parse_decimal_text, pounds_text};
use crate::model::Pence;
use crate::payroll::element_name;
use crate::Report;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// Rows of the header block repeated on every printed page.
const REPEATED: (u32, u32) = (0, 1);

/// What a re-run's payroll workbook tells payroll to load (SPEC §12.3):
/// the banner that opens the Summary and the Payroll batch sheet's title.
/// `None` on a first run of a period (nothing was loaded before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rerun {
    pub banner: Vec<String>,
    pub batch_title: String,
}

impl Rerun {
    pub fn of(interface: &Interface) -> Option<Rerun> {
        let c = interface.corrections.as_ref()?;
        let p = &c.period;
        if c.rows.is_empty() {
            return Some(Rerun {
                banner: vec![format!("Re-run of {p}: no change to payroll: load nothing")],
                batch_title: format!(
                    "Full batch of {p}, for the record — do not load (no change to payroll)"
                ),
            });
        }
        let lines = c.batch.lines.len();
        let mut banner = vec![format!(
            "Re-run of {p}: load {CORRECTION_BATCH} — batch {}, {lines} line{}, total {} — not the full batch",
            c.batch.header.name,
            if lines == 1 { "" } else { "s" },
            pounds_text(c.delta()),
        )];
        if !c.later.is_empty() {
            banner.push(format!(
                "Later periods {} were computed from the old figures: re-run them in order first, \
                 then load their correction batches together with this one",
                c.later.join(", ")
            ));
        }
        Some(Rerun {
            banner,
            batch_title: format!("Full batch of {p}, for the record — do not load (see Corrections)"),
        })
    }
}

/// A sheet written top to bottom that continues on "<name> (n)" when full.
struct Pages<'s> {
    name: &'s str,
    /// The sheet's title, when it has one (the full batch of a re-run): on
    /// top of each sheet, above the header block, and repeated on
    /// continuation sheets instead of the batch name.
    title: Option<&'s str>,
    limit: u32,
    sheets: usize,
    index: usize,
    row: u32,
    widths: Widths,
    /// The lines table's heading row on the current sheet: the print
    /// titles once it is written (before it, the header block's rows).
    heading: Option<u32>,
}

impl<'s> Pages<'s> {
    fn open(
        wb: &mut Workbook,
        name: &'s str,
        title: Option<&'s str>,
        styles: &Styles,
        limit: u32,
    ) -> Result<Pages<'s>, XlsxError> {
        let mut pages = Pages {
            name,
            title,
            limit: limit.max(8),
            sheets: 0,
            index: 0,
            row: 0,
            widths: Widths::new(&[]),
            heading: None,
        };
        pages.new_sheet(wb)?;
        if let Some(title) = title {
            // Merged over the header block's two columns, so it prints
            // whole however narrow they are.
            let ws = pages.ws(wb)?;
            ws.set_row_height(0, 24)?;
            ws.merge_range(0, 0, 0, 3, title, &styles.banner)?;
            pages.row = 2;
        }
        Ok(pages)
    }

    fn new_sheet(&mut self, wb: &mut Workbook) -> Result<(), XlsxError> {
        if self.sheets > 0 {
            self.close(wb)?;
        }
        self.sheets += 1;
        let name = match self.sheets {
            1 => self.name.to_string(),
            n => format!("{} ({n})", self.name),
        };
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        self.index = wb.worksheets().len() - 1;
        self.row = 0;
        self.widths = Widths::new(&[]);
        self.heading = None;
        Ok(())
    }

    fn close(&mut self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let ws = wb.worksheet_from_index(self.index)?;
        let last_col = self.widths.len().saturating_sub(1) as u16;
        ws.set_print_area(0, 0, self.row.saturating_sub(1), last_col)?;
        apply_widths(ws, &self.widths)?;
        match self.heading {
            Some(row) => print_layout(ws, &self.widths, Some(row), 0)?,
            None => {
                print_layout(ws, &self.widths, None, 0)?;
                ws.set_repeat_rows(REPEATED.0, REPEATED.1)?;
            }
        }
        Ok(())
    }

    /// The row to write next, starting a continuation sheet (which repeats
    /// `title`) when this one is full.
    fn next(&mut self, wb: &mut Workbook, styles: &Styles, title: &[&str]) -> Result<u32, XlsxError> {
        if self.row >= self.limit {
            self.new_sheet(wb)?;
            let heading = self.title.map_or_else(|| title.join(" "), str::to_string);
            let ws = wb.worksheet_from_index(self.index)?;
            ws.write_string_with_format(0, 0, heading, &styles.title)?;
            self.row = 2;
        }
        let row = self.row;
        self.row += 1;
        Ok(row)
    }

    fn ws<'w>(&self, wb: &'w mut Workbook) -> Result<&'w mut Worksheet, XlsxError> {
        wb.worksheet_from_index(self.index)
    }
}

/// The "Payroll batch" sheet; `title` heads it on a re-run (SPEC §12.3).
pub fn batch_sheet(
    wb: &mut Workbook,
    batch: &Batch,
    title: Option<&str>,
    styles: &Styles,
    limit: u32,
) -> Result<(), XlsxError> {
    let mut pages = Pages::open(wb, "Payroll batch", title, styles, limit)?;
    header_block(wb, &mut pages, batch, styles, &[])?;
    lines_and_controls(wb, &mut pages, batch, styles)?;
    pages.close(wb)
}

/// The "Corrections" sheet: the correction batch's header, what changed
/// (corrections.csv), then the correction batch lines and controls.
pub fn corrections_sheet(
    wb: &mut Workbook,
    report: &Report,
    c: &Corrections,
    styles: &Styles,
    limit: u32,
) -> Result<(), XlsxError> {
    let mut pages = Pages::open(wb, "Corrections", None, styles, limit)?;
    let later = if c.later.is_empty() { "none".to_string() } else { c.later.join(", ") };
    let extra = [
        ("Corrects period", c.period.clone()),
        ("Previous run id", c.previous.run_id.clone()),
        ("Previous batch", c.previous.batch_name.clone()),
        ("Later periods to re-run first", later),
    ];
    header_block(wb, &mut pages, &c.batch, styles, &extra)?;
    let title = [c.batch.header.name.as_str()];
    let row = pages.next(wb, styles, &title)?;
    pages.ws(wb)?.write_string_with_format(row, 0, "Changes to what payroll was given", &styles.section)?;
    let row = pages.next(wb, styles, &title)?;
    header(pages.ws(wb)?, row, CORRECTIONS_HEADER, styles)?;
    for r in &c.rows {
        let row = pages.next(wb, styles, &title)?;
        let name = element_name(report.config, &r.element);
        let cells = [
            Cell::Text(&c.period),
            Cell::Text(&r.assignment),
            Cell::Text(&r.name),
            Cell::Owned(name),
            Cell::Money(r.committed),
            Cell::Money(r.now),
            Cell::Money(r.delta),
        ];
        let ws = wb.worksheet_from_index(pages.index)?;
        for (col, cell) in cells.iter().enumerate() {
            put(ws, row, col as u16, cell, styles, &mut pages.widths)?;
        }
    }
    let row = pages.next(wb, styles, &title)?;
    let ws = wb.worksheet_from_index(pages.index)?;
    put_with(ws, row, 5, &Cell::Text("Σ delta"), styles, &mut pages.widths, Some(&styles.total_label))?;
    put_with(ws, row, 6, &Cell::Money(c.delta()), styles, &mut pages.widths, Some(&styles.total_money))?;
    pages.next(wb, styles, &title)?;
    lines_and_controls(wb, &mut pages, &c.batch, styles)?;
    pages.close(wb)
}

fn header_block(
    wb: &mut Workbook,
    pages: &mut Pages,
    batch: &Batch,
    styles: &Styles,
    extra: &[(&str, String)],
) -> Result<(), XlsxError> {
    let h = &batch.header;
    let top = pages.row;
    let ws = pages.ws(wb)?;
    put_with(ws, top, 0, &Cell::Text("Batch name"), styles, &mut pages.widths, Some(&styles.label))?;
    put_with(ws, top, 1, &Cell::Text(&h.name), styles, &mut pages.widths, Some(&styles.total_label))?;
    let mut fields: Vec<(&str, Cell)> = vec![
        ("Reference (run id)", Cell::Text(&h.reference)),
        ("Batch source", Cell::Text(&h.source)),
        ("Action if exists", Cell::Text(h.action_if_exists)),
        ("Effective date", Cell::Date(h.effective_date)),
        ("Lines", Cell::Int(batch.lines.len() as i64)),
    ];
    fields.extend(extra.iter().map(|(label, value)| (*label, Cell::Text(value))));
    let mut row = top;
    for (label, value) in &fields {
        row += 1;
        put_with(ws, row, 0, &Cell::Text(label), styles, &mut pages.widths, Some(&styles.label))?;
        put(ws, row, 1, value, styles, &mut pages.widths)?;
    }
    pages.row = row + 2;
    Ok(())
}

/// The lines as one table (SPEC §13): line, assignment, element, effective
/// date, one column per input-value name in order of first use (blank where
/// an element has no such input), protected, source; its heading row
/// repeats on every printed page and on each continuation sheet. Then the
/// control totals.
fn lines_and_controls(
    wb: &mut Workbook,
    pages: &mut Pages,
    batch: &Batch,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let title = [batch.header.name.as_str()];
    // In element order (SPEC §4.1), as the groups were before.
    let rank = |l: &BatchLine| ELEMENTS.iter().position(|e| *e == l.element).unwrap_or(ELEMENTS.len());
    let mut lines: Vec<&BatchLine> = batch.lines.iter().collect();
    lines.sort_by_key(|l| rank(l));
    let mut inputs: Vec<&str> = Vec::new();
    for line in &lines {
        for input in batch.inputs_of(line) {
            if !inputs.contains(&input.name.as_str()) {
                inputs.push(&input.name);
            }
        }
    }
    let mut names = vec!["line_no", "assignment", "element_name", "effective_date"];
    names.extend(inputs.iter().copied());
    names.extend(["protected", "source"]);
    if !batch.lines.is_empty() {
        let row = pages.next(wb, styles, &title)?;
        header(pages.ws(wb)?, row, &names, styles)?;
        pages.heading = Some(row);
        for (col, name) in names.iter().enumerate() {
            pages.widths.see(col, super::labels::label(name).chars().count());
        }
    }
    for line in lines {
        let row = match pages.next(wb, styles, &title)? {
            // A continuation sheet starts with the table's heading again.
            2 if pages.sheets > 1 => {
                header(pages.ws(wb)?, 2, &names, styles)?;
                pages.heading = Some(2);
                pages.next(wb, styles, &title)?
            }
            row => row,
        };
        let mut cells = vec![
            Cell::Int(line.line_no as i64),
            Cell::Text(&line.assignment),
            Cell::Text(&line.element_name),
            Cell::Date(line.effective_date),
        ];
        let own = batch.inputs_of(line);
        for name in &inputs {
            let value = own.iter().position(|i| i.name == *name).and_then(|k| line.values.get(k));
            cells.push(match value {
                Some(Value::Money(p)) => Cell::Money(*p),
                Some(Value::Text(t)) => match t.parse::<i64>() {
                    Ok(n) => Cell::Int(n),
                    Err(_) => Cell::Text(t),
                },
                None => Cell::Blank,
            });
        }
        cells.push(Cell::Text(&line.protected));
        cells.push(first_refs(&line.source));
        let ws = wb.worksheet_from_index(pages.index)?;
        for (col, cell) in cells.iter().enumerate() {
            put(ws, row, col as u16, cell, styles, &mut pages.widths)?;
        }
    }
    pages.next(wb, styles, &title)?;
    let row = pages.next(wb, styles, &title)?;
    pages.ws(wb)?.write_string_with_format(row, 0, "Control totals", &styles.section)?;
    let row = pages.next(wb, styles, &title)?;
    header(pages.ws(wb)?, row, &["control_type", "control_total"], styles)?;
    for c in &batch.controls {
        let row = pages.next(wb, styles, &title)?;
        let value = match c.control_type.as_str() {
            "Total Lines" => c.total.parse::<i64>().map_or(Cell::Text(&c.total), Cell::Int),
            _ => parse_decimal_text(&c.total, 2).map_or(Cell::Text(&c.total), |p| Cell::Money(Pence(p))),
        };
        let ws = wb.worksheet_from_index(pages.index)?;
        put(ws, row, 0, &Cell::Text(&c.control_type), styles, &mut pages.widths)?;
        put(ws, row, 1, &value, styles, &mut pages.widths)?;
    }
    Ok(())
}
