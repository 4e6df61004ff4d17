//! How every sheet of every workbook payrun writes prints (SPEC §13): the
//! paper from the config, portrait when the columns fit a portrait page,
//! else landscape fitted to the page width — but never below 8 pt: a sheet
//! that would shrink further prints at that floor, wrapping its columns over
//! pages left to right with the identity columns repeated. Headings repeat
//! on every page (print titles); the footer names the organisation, the
//! period and "page x of y". Column widths cannot be read back from a
//! worksheet, so the writer that sets them decides the layout here.

use super::style::Widths;
use crate::config::Paper;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// Printable width in pixels (96 dpi) inside half-inch side margins; of A4
/// and Letter the narrower, so the choice holds for both.
const PORTRAIT_PX: f64 = 698.0;
const LANDSCAPE_PX: f64 = 960.0;

/// The smallest scale that keeps the 11 pt body text at 8 pt or more.
pub const FLOOR_PERCENT: u16 = 73;

/// Pixels of a column `chars` wide in Calibri 11 (Excel's 7 px per digit
/// plus 5 px of padding).
fn pixels(chars: f64) -> f64 {
    (chars * 7.0 + 5.0).trunc()
}

/// Orientation, scale and print titles for a sheet whose columns have the
/// fitted `widths`. `heading_row` repeats on every page (a sheet without a
/// table passes `None` and its title row repeats); `key_columns` are the
/// identity columns repeated when the sheet wraps across pages.
pub fn layout(
    ws: &mut Worksheet,
    widths: &Widths,
    heading_row: Option<u32>,
    key_columns: u16,
) -> Result<(), XlsxError> {
    let total: f64 = (0..widths.len()).map(|c| pixels(widths.get(c))).sum();
    let row = heading_row.unwrap_or(0);
    ws.set_repeat_rows(row, row)?;
    // Left, right, top, bottom, header, footer (inches).
    ws.set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    if total <= PORTRAIT_PX {
        ws.set_portrait();
        ws.set_print_fit_to_pages(1, 0);
    } else if total * f64::from(FLOOR_PERCENT) / 100.0 <= LANDSCAPE_PX {
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
    } else {
        ws.set_landscape();
        ws.set_print_scale(FLOOR_PERCENT);
        // Over, then down: the columns continue on the next page to the right.
        ws.set_page_order(false);
        if key_columns > 0 {
            ws.set_repeat_columns(0, key_columns - 1)?;
        }
    }
    Ok(())
}

/// Paper and footer on every sheet of a finished workbook: `left` is the
/// organisation, `centre` the period (`&` doubled so that no input text
/// becomes a footer code).
pub fn finish(wb: &mut Workbook, paper: Paper, left: &str, centre: &str) {
    let footer = format!("&L{}&C{}&RPage &P of &N", left.replace('&', "&&"), centre.replace('&', "&&"));
    for ws in wb.worksheets_mut() {
        ws.set_paper_size(paper_code(paper));
        ws.set_footer(&footer);
    }
}

/// Excel's paper codes.
fn paper_code(paper: Paper) -> u8 {
    match paper {
        Paper::Letter => 1,
        Paper::A4 => 9,
    }
}
