//! `insights-FROM-TO.xlsx` (SPEC §9): the six auditor sheets, each the twin of
//! a CSV, and on Trend a stacked column chart of money withheld per period by
//! rule family.

use super::sheet::{Cell, DataSheet, SheetOptions, MAX_DATA_ROWS};
use super::style::{Styles, Widths};
use super::{save, xl};
use crate::error::Result;
use crate::model::Pence;
use crate::tables::{Table, Value};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Chart, ChartFont, ChartType, DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::Path;

/// The Trend chart's data: one stacked column per period label, one series
/// per rule family; `withheld[period][family]`.
#[derive(Clone, Debug, Default)]
pub struct TrendChart {
    pub periods: Vec<String>,
    pub families: Vec<String>,
    pub withheld: Vec<Vec<Pence>>,
}

/// Writes the insights workbook to `path` (a staging path). `tables[0]` is
/// Trend, which also gets the chart. `created` dates the document (the last
/// period read), so the same runs give the same workbook properties.
pub fn write_insights(
    path: &Path,
    title: &str,
    created: NaiveDate,
    tables: &[Table],
    chart: &TrendChart,
    paper: crate::config::Paper,
) -> Result<()> {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(created.year() as u16, created.month() as u8, created.day() as u8)
        .map_err(xl(path))?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("payrun")
            .set_comment(format!("payrun {} insights", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&when),
    );
    // Constant-memory rows spill beside the output, not to a shared /tmp.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        wb.set_tempdir(dir).map_err(xl(path))?;
    }
    let styles = Styles::new();
    for (i, table) in tables.iter().enumerate() {
        // Trend gets cells beside its rows after they are written, which a
        // constant-memory sheet cannot take; it is one row per period and rule.
        let charted = table.file == "absence_trend";
        let opts = SheetOptions {
            row_limit: MAX_DATA_ROWS,
            constant_memory: i != 0 && !charted,
            tab: None,
            wrap: &[],
        };
        let mut sheet = DataSheet::new(table.title, table.header, opts);
        for row in &table.rows {
            let cells: Vec<Cell> = row.iter().map(cell).collect();
            sheet.push(&mut wb, &styles, &cells).map_err(xl(path))?;
        }
        sheet.finish(&mut wb, &styles).map_err(xl(path))?;
        if i == 0 {
            trend_chart(&mut wb, table, chart, &styles).map_err(xl(path))?;
        }
        if charted {
            absence_chart(&mut wb, table).map_err(xl(path))?;
        }
    }
    super::page::finish(&mut wb, paper, "payrun insights", title);
    save(wb, path)
}

fn cell(v: &Value) -> Cell<'_> {
    match v {
        Value::Text(s) => Cell::Text(s),
        Value::Money(p) => Cell::Money(*p),
        Value::Int(n) => Cell::Int(*n),
        Value::Decimal { number, money, .. } => Cell::Decimal { number: *number, money: *money },
    }
}

/// The withheld-by-family block to the right of the Trend table, and the
/// stacked column chart drawn from it below the block.
fn trend_chart(
    wb: &mut Workbook,
    table: &Table,
    chart: &TrendChart,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let ws = wb.worksheet_from_name(table.title)?;
    let first_col = table.header.len() as u16 + 1;
    ws.write_string_with_format(0, first_col, "period", &styles.header)?;
    ws.set_column_width(first_col, 16)?;
    for (f, family) in chart.families.iter().enumerate() {
        let c = first_col + 1 + f as u16;
        ws.write_string_with_format(0, c, format!("{family} withheld"), &styles.header_num)?;
        ws.set_column_width(c, 16)?;
    }
    for (p, period) in chart.periods.iter().enumerate() {
        let r = 1 + p as u32;
        ws.write_string(r, first_col, period)?;
        for (f, amount) in chart.withheld[p].iter().enumerate() {
            ws.write_number_with_format(r, first_col + 1 + f as u16, amount.as_pounds_f64(), &styles.money)?;
        }
    }
    if chart.periods.is_empty() || chart.families.is_empty() {
        return Ok(());
    }
    let last_row = chart.periods.len() as u32;
    let mut c = Chart::new(ChartType::ColumnStacked);
    for f in 0..chart.families.len() {
        let col = first_col + 1 + f as u16;
        c.add_series()
            .set_name((table.title, 0, col))
            .set_categories((table.title, 1, first_col, last_row, first_col))
            .set_values((table.title, 1, col, last_row, col));
    }
    c.title()
        .set_name("Money withheld per period by rule family")
        .set_font(ChartFont::new().set_size(11).set_bold());
    c.y_axis().set_num_format("£#,##0");
    c.set_width(640).set_height(360);
    ws.insert_chart(last_row + 2, first_col, &c)?;
    let right = first_col + (chart.families.len() as u16).max(CHART_COLUMNS);
    ws.set_print_area(0, 0, (table.rows.len() as u32).max(last_row + 2 + CHART_ROWS), right)?;
    // The print area now reaches past the table: lay the page out for its
    // full width (the table's columns as written, then the block's 16).
    let mut widths = Widths::new(table.header);
    for c in table.header.len()..=usize::from(right) {
        widths.fix(c, 15);
    }
    super::page::layout(ws, &widths, Some(0), 0)?;
    Ok(())
}

/// Rows and default-width columns a 640 × 360 px chart covers, for the print
/// area (SPEC §13: a print area covers every chart on its sheet).
const CHART_ROWS: u32 = 19;
const CHART_COLUMNS: u16 = 10;

/// SPEC §10.5: a line chart of rate, rate_short and rate_long per month on
/// the Absence trend sheet, drawn from the table's own cells: the first
/// organisation's months (its `all` row left out).
fn absence_chart(wb: &mut Workbook, table: &Table) -> Result<(), XlsxError> {
    let Some(first) = table.rows.first() else { return Ok(()) };
    let months =
        table.rows.iter().take_while(|r| r[0] == first[0] && r[1] != Value::Text("all".into())).count()
            as u32;
    if months == 0 {
        return Ok(());
    }
    let ws = wb.worksheet_from_name(table.title)?;
    let column = |name: &str| table.header.iter().position(|h| *h == name).unwrap_or(0) as u16;
    let mut c = Chart::new(ChartType::Line);
    for name in ["rate", "rate_short", "rate_long"] {
        let col = column(name);
        c.add_series()
            .set_name((table.title, 0, col))
            .set_categories((table.title, 1, column("month"), months, column("month")))
            .set_values((table.title, 1, col, months, col));
    }
    c.title()
        .set_name("Sickness absence rate per month (%)")
        .set_font(ChartFont::new().set_size(11).set_bold());
    c.y_axis().set_num_format("0.00");
    c.set_width(640).set_height(360);
    let top = table.rows.len() as u32 + 2;
    ws.insert_chart(top, 1, &c)?;
    let last_col = (table.header.len() as u16).saturating_sub(1).max(CHART_COLUMNS);
    ws.set_print_area(0, 0, top + CHART_ROWS, last_col)?;
    Ok(())
}
