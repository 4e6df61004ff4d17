//! The exceptions workbook's Absence sheet (SPEC §10.4): absence.csv's rows
//! as a table (rates as percentages, the `(all)` row bold, a rate above
//! `sickness.absence_rate_target` coloured), the reasons beneath it, and
//! the managers' Returns table — every episode whose day of return falls in
//! the month, with the Bradford score and stage §17.1 asks the manager to
//! tell the employee. The figures are the CSVs', rounded once from exact
//! values; the sheet shows those written values.

use super::sheet::{print_layout, put, put_with, summary_header, Cell};
use super::style::{Styles, Widths};
use super::Report;
use crate::model::absence::{percent_x100, ALL};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

const RATES: &[(&str, bool)] = &[
    ("cost_centre", false),
    ("staff_group", false),
    ("headcount", true),
    ("fte", true),
    ("fte_days_available", true),
    ("fte_days_lost", true),
    ("short", true),
    ("long", true),
    ("rate", true),
    ("rate_short", true),
    ("rate_long", true),
    ("episodes", true),
    ("episodes_long", true),
    ("returns", true),
    ("rtw_recorded", true),
    ("rtw_on_time", true),
];

const REASONS: &[(&str, bool)] =
    &[("reason", false), ("episodes", true), ("fte_days_lost", true), ("share", true)];

const RETURNS: &[(&str, bool)] = &[
    ("assignment", false),
    ("name", false),
    ("cost_centre", false),
    ("episode_start", true),
    ("episode_end", true),
    ("working_days", true),
    ("term", false),
    ("day_of_return", true),
    ("rtw_date", true),
    ("bradford_score", true),
    ("stage", true),
];

/// A written figure in hundredths as a number cell (display only: the
/// value is the CSV's, already rounded exactly).
fn figure(hundredths: i64) -> Cell<'static> {
    Cell::Decimal { number: hundredths as f64 / 100.0, money: false }
}

pub fn sheet(wb: &mut Workbook, report: &Report, styles: &Styles) -> Result<(), XlsxError> {
    let figures = report.absence;
    let target = report.config.policy.sickness.absence_rate_target;
    let percent = Format::new().set_num_format("0.00%").set_align(FormatAlign::Right);
    let percent_bold = percent.clone().set_bold().set_border_top(FormatBorder::Thin);
    let over =
        percent.clone().set_font_color(Color::RGB(0x9C0006)).set_background_color(Color::RGB(0xFFC7CE));
    let over_bold = over.clone().set_bold().set_border_top(FormatBorder::Thin);
    let number = Format::new().set_num_format("#,##0.00").set_align(FormatAlign::Right);
    let number_bold = number.clone().set_bold().set_border_top(FormatBorder::Thin);
    let int_bold = styles.total_int.clone();
    let bold_text = styles.total_label.clone();

    let ws = wb.add_worksheet();
    ws.set_name("Absence")?;
    ws.set_screen_gridlines(false);
    let mut w = Widths::new(&RATES.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    let p = &report.period;
    ws.write_string_with_format(0, 0, report.title("Sickness absence"), &styles.title)?;
    let mut note = format!(
        "Activity month {} to {}: FTE calendar days lost ÷ FTE calendar days available (SPEC §10); long-term = more than {} working days",
        p.activity_start.format("%d/%m/%Y"),
        p.activity_end.format("%d/%m/%Y"),
        report.config.policy.sickness.long_term_sickness_working_days
    );
    if let Some(t) = target {
        note.push_str(&format!(
            "; rates above the target {}% coloured",
            crate::model::money::hundredths(crate::model::money::round_half_up_div(
                i128::from(t.numerator) * 100,
                i128::from(t.denominator)
            ))
        ));
    }
    if !figures.rtw_column {
        note.push_str("; return-to-work dates are not in the roster export");
    }
    ws.write_string_with_format(1, 0, note, &styles.subtitle)?;

    let mut row = 3u32;
    ws.write_string_with_format(row, 0, "Sickness absence rates", &styles.section)?;
    row += 1;
    summary_header(ws, row, RATES, styles)?;
    let header_row = row;
    let above = |rate: Option<i64>| -> bool {
        match (target, rate) {
            // rate (hundredths of a percent) > target: rate × den > target × 100 × num… exactly.
            (Some(t), Some(r)) => i128::from(r) * i128::from(t.denominator) > i128::from(t.numerator) * 100,
            _ => false,
        }
    };
    for r in &figures.rows {
        row += 1;
        let total = r.cost_centre == ALL;
        let text = |s: &str| Cell::Owned(s.to_string());
        let cells_text = [text(&r.cost_centre), text(&r.staff_group)];
        for (col, c) in cells_text.iter().enumerate() {
            put_with(ws, row, col as u16, c, styles, &mut w, total.then_some(&bold_text))?;
        }
        put_with(ws, row, 2, &Cell::Int(r.headcount as i64), styles, &mut w, total.then_some(&int_bold))?;
        for (i, v) in [r.fte, r.available, r.lost, r.lost_short, r.lost_long].into_iter().enumerate() {
            let f = if total { &number_bold } else { &number };
            put_with(ws, row, 3 + i as u16, &figure(figures.hundredths(v)), styles, &mut w, Some(f))?;
        }
        for (i, part) in [r.lost, r.lost_short, r.lost_long].into_iter().enumerate() {
            let rate = percent_x100(part, r.available);
            let f = match (above(rate), total) {
                (true, true) => &over_bold,
                (true, false) => &over,
                (false, true) => &percent_bold,
                (false, false) => &percent,
            };
            let cell =
                rate.map_or(Cell::Blank, |h| Cell::Decimal { number: h as f64 / 10_000.0, money: false });
            put_with(ws, row, 8 + i as u16, &cell, styles, &mut w, Some(f))?;
        }
        let counts = [r.episodes, r.episodes_long, r.returns, r.rtw_recorded, r.rtw_on_time];
        for (i, n) in counts.into_iter().enumerate() {
            let cell = if i >= 2 && !figures.rtw_column { Cell::Blank } else { Cell::Int(n as i64) };
            put_with(ws, row, 11 + i as u16, &cell, styles, &mut w, total.then_some(&int_bold))?;
        }
    }
    if figures.rows.is_empty() {
        row += 1;
        put(ws, row, 0, &Cell::Text("No one was employed in the month."), styles, &mut w)?;
    }

    row += 2;
    ws.write_string_with_format(row, 0, "Sickness reasons", &styles.section)?;
    row += 1;
    summary_header(ws, row, REASONS, styles)?;
    let total = figures.total_lost();
    for r in &figures.reasons {
        row += 1;
        put(ws, row, 0, &Cell::Text(&r.reason), styles, &mut w)?;
        put(ws, row, 1, &Cell::Int(r.episodes as i64), styles, &mut w)?;
        put_with(ws, row, 2, &figure(figures.hundredths(r.lost)), styles, &mut w, Some(&number))?;
        let share = percent_x100(r.lost, total)
            .map_or(Cell::Blank, |h| Cell::Decimal { number: h as f64 / 10_000.0, money: false });
        put_with(ws, row, 3, &share, styles, &mut w, Some(&percent))?;
    }
    if figures.reasons.is_empty() {
        row += 1;
        put(ws, row, 0, &Cell::Text("No sickness in the month."), styles, &mut w)?;
    }

    row += 2;
    ws.write_string_with_format(row, 0, "Returns from sickness: return-to-work interviews", &styles.section)?;
    row += 1;
    summary_header(ws, row, RETURNS, styles)?;
    for r in &figures.returns {
        row += 1;
        let rtw = match (figures.rtw_column, r.rtw_date) {
            (false, _) => Cell::Text("not in the roster export"),
            (true, Some(d)) => Cell::Date(d),
            (true, None) => Cell::Text("not recorded"),
        };
        let cells = [
            Cell::Text(&r.assignment),
            Cell::Text(&r.name),
            Cell::Text(&r.cost_centre),
            Cell::Date(r.start),
            Cell::Date(r.end),
            Cell::Int(r.working_days as i64),
            Cell::Text(if r.long_term { "long" } else { "short" }),
            Cell::Date(r.day_of_return),
            rtw,
            Cell::Int(r.score as i64),
            Cell::Int(i64::from(r.stage)),
        ];
        for (col, c) in cells.iter().enumerate() {
            put(ws, row, col as u16, c, styles, &mut w)?;
        }
    }
    if figures.returns.is_empty() {
        row += 1;
        put(ws, row, 0, &Cell::Text("No returns from sickness in the month."), styles, &mut w)?;
    }
    for col in 0..RATES.len() {
        ws.set_column_width(col as u16, w.get(col).max(12.0))?;
    }
    print_layout(ws, &w, Some(header_row), 0)?;
    Ok(())
}
