//! Writing the sample workbooks: fixed document properties (byte-identical
//! output), constant-memory sheets, and the way a real export presents cells.
//!
//! Generators describe *what* a cell holds ([`Cell`]); [`SheetWriter`] decides
//! *how* it is stored. Most dates are real Excel date cells, but a small, seeded
//! share arrive as UK text (`14/05/2025`), ISO text or a two-digit year, money
//! sometimes as `£1,234.50` text and Y/N flags as `Yes`/`No` — the forms SPEC §2
//! says payrun must read.

use std::path::Path;

use chrono::{NaiveDate, NaiveTime, Timelike};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::rng::{stream, Rng};
use crate::error::Error;
use crate::model::money::Pence;

/// What a generated cell holds.
#[derive(Clone, Debug, Default)]
pub(super) enum Cell {
    #[default]
    Blank,
    Text(String),
    Str(&'static str),
    Date(NaiveDate),
    Time(NaiveTime),
    Money(Pence),
    /// A distance or weekly hours in tenths, written with one decimal.
    Tenths(i64),
    /// Hours in hundredths, written with two decimals.
    Hundredths(i64),
    Int(i64),
    Flag(bool),
    /// A deliberately unparseable value (exercises DAT002), written as text.
    Bad(&'static str),
}

impl Cell {
    pub fn opt_date(date: Option<NaiveDate>) -> Cell {
        date.map_or(Cell::Blank, Cell::Date)
    }
    pub fn opt_money(amount: Option<Pence>) -> Cell {
        amount.map_or(Cell::Blank, Cell::Money)
    }
}

/// The error every writing failure becomes: internal, naming the file.
pub(super) fn xlsx_error(path: &Path, err: XlsxError) -> Error {
    Error::Internal(format!("{}: {err}", path.display()))
}

/// A workbook whose bytes depend only on what is written into it: the
/// creation time is pinned (rust_xlsxwriter would stamp "now") and temporary
/// sheet files go next to the output rather than to a possibly in-memory /tmp.
pub(super) fn new_workbook(out_dir: &Path, title: &str) -> Result<Workbook, Error> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 1, 1)
        .and_then(|d| d.and_hms(0, 0, 0))
        .map_err(|e| xlsx_error(out_dir, e))?;
    let properties =
        DocProperties::new().set_title(title).set_author("payrun sample").set_creation_datetime(&created);
    workbook.set_properties(&properties);
    workbook.set_tempdir(out_dir).map_err(|e| xlsx_error(out_dir, e))?;
    Ok(workbook)
}

/// The cell formats of one workbook.
pub(super) struct Formats {
    title: Format,
    header: Format,
    date: Format,
    time: Format,
    money: Format,
    tenths: Format,
    hundredths: Format,
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            time: Format::new().set_num_format("hh:mm"),
            money: Format::new().set_num_format("#,##0.00"),
            tenths: Format::new().set_num_format("0.0"),
            hundredths: Format::new().set_num_format("0.00"),
        }
    }
}

/// How often a real export shows the text forms of SPEC §2.
#[derive(Clone, Copy)]
pub(super) struct TextShare {
    pub uk_date: f64,
    pub iso_date: f64,
    pub short_year: f64,
    pub time: f64,
    /// Share of money cells written as text (`£1,234.50`).
    pub money_text: f64,
    pub yes_no_words: f64,
}

impl TextShare {
    /// e-expenses exports: some hand-keyed values.
    pub const EXPENSES: TextShare = TextShare {
        uk_date: 0.03,
        iso_date: 0.01,
        short_year: 0.003,
        time: 0.04,
        money_text: 0.03,
        yes_no_words: 0.15,
    };
    /// e-Rostering / ESR extracts: mostly typed cells.
    pub const ROSTER: TextShare = TextShare {
        uk_date: 0.015,
        iso_date: 0.005,
        short_year: 0.0,
        time: 0.02,
        money_text: 0.01,
        yes_no_words: 0.3,
    };
}

/// Writes rows top to bottom into a constant-memory worksheet.
pub(super) struct SheetWriter<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    path: &'a Path,
    style: Rng,
    share: TextShare,
    row: u32,
    /// Data rows written (title and header rows excluded).
    pub data_rows: usize,
}

impl<'a> SheetWriter<'a> {
    /// Adds a named constant-memory sheet with the given column widths.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        workbook: &'a mut Workbook,
        formats: &'a Formats,
        path: &'a Path,
        name: &str,
        widths: &[f64],
        seed: u64,
        share: TextShare,
    ) -> Result<SheetWriter<'a>, Error> {
        let err = |e| xlsx_error(path, e);
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(err)?;
        sheet.set_name(name).map_err(err)?;
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, *width).map_err(err)?;
        }
        let tag = name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        Ok(SheetWriter {
            sheet,
            formats,
            path,
            style: Rng::keyed(seed, &[stream::CELL_STYLE, tag]),
            share,
            row: 0,
            data_rows: 0,
        })
    }

    /// A title row above the header, as exports carry (header detection must
    /// look past it), followed by a blank row.
    pub fn title(&mut self, text: &str) -> Result<(), Error> {
        self.sheet
            .write_string_with_format(self.row, 0, text, &self.formats.title)
            .map_err(|e| xlsx_error(self.path, e))?;
        self.row += 2;
        Ok(())
    }

    pub fn header(&mut self, names: &[&str]) -> Result<(), Error> {
        for (col, name) in names.iter().enumerate() {
            self.sheet
                .write_string_with_format(self.row, col as u16, *name, &self.formats.header)
                .map_err(|e| xlsx_error(self.path, e))?;
        }
        self.row += 1;
        Ok(())
    }

    pub fn row(&mut self, cells: &[&Cell]) -> Result<(), Error> {
        for (col, cell) in cells.iter().enumerate() {
            self.cell(col as u16, cell).map_err(|e| xlsx_error(self.path, e))?;
        }
        self.row += 1;
        self.data_rows += 1;
        Ok(())
    }

    fn cell(&mut self, col: u16, cell: &Cell) -> Result<(), XlsxError> {
        let (row, f, share) = (self.row, self.formats, self.share);
        let sheet = &mut *self.sheet;
        match cell {
            Cell::Blank => {}
            Cell::Text(text) => {
                sheet.write_string(row, col, text)?;
            }
            Cell::Str(text) | Cell::Bad(text) => {
                sheet.write_string(row, col, *text)?;
            }
            Cell::Date(date) => {
                let roll = self.style.below(1000) as f64 / 1000.0;
                if roll < share.uk_date {
                    sheet.write_string(row, col, date.format("%d/%m/%Y").to_string())?;
                } else if roll < share.uk_date + share.iso_date {
                    sheet.write_string(row, col, date.format("%Y-%m-%d").to_string())?;
                } else if roll < share.uk_date + share.iso_date + share.short_year {
                    sheet.write_string(row, col, date.format("%d/%m/%y").to_string())?;
                } else {
                    sheet.write_number_with_format(row, col, excel_serial(*date), &f.date)?;
                }
            }
            Cell::Time(time) => {
                if self.style.chance(share.time) {
                    sheet.write_string(row, col, time.format("%H:%M").to_string())?;
                } else {
                    let fraction = time.num_seconds_from_midnight() as f64 / 86_400.0;
                    sheet.write_number_with_format(row, col, fraction, &f.time)?;
                }
            }
            Cell::Money(amount) => {
                if amount.0 >= 0 && self.style.chance(share.money_text) {
                    sheet.write_string(row, col, pounds_text(*amount))?;
                } else {
                    sheet.write_number_with_format(row, col, amount.as_pounds_f64(), &f.money)?;
                }
            }
            Cell::Tenths(tenths) => {
                sheet.write_number_with_format(row, col, *tenths as f64 / 10.0, &f.tenths)?;
            }
            Cell::Hundredths(hundredths) => {
                sheet.write_number_with_format(row, col, *hundredths as f64 / 100.0, &f.hundredths)?;
            }
            Cell::Int(n) => {
                sheet.write_number(row, col, *n as f64)?;
            }
            Cell::Flag(flag) => {
                let words = self.style.chance(share.yes_no_words);
                let text = match (words, flag) {
                    (true, true) => "Yes",
                    (true, false) => "No",
                    (false, true) => "Y",
                    (false, false) => "N",
                };
                sheet.write_string(row, col, text)?;
            }
        }
        Ok(())
    }
}

/// Days since 1899-12-30: the Excel 1900-system serial of a date after 1900-03-01.
fn excel_serial(date: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid epoch");
    (date - epoch).num_days() as f64
}

/// `£1,234.50`: money as an export's text cell shows it.
pub(super) fn pounds_text(amount: Pence) -> String {
    let pounds = (amount.0 / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("£{grouped}.{:02}", amount.0 % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_text_groups_thousands() {
        assert_eq!(pounds_text(Pence(123_450)), "£1,234.50");
        assert_eq!(pounds_text(Pence(905)), "£9.05");
        assert_eq!(pounds_text(Pence(123_456_700)), "£1,234,567.00");
    }

    #[test]
    fn serial_of_a_known_date() {
        let date = NaiveDate::from_ymd_opt(2025, 5, 14).unwrap();
        assert_eq!(excel_serial(date), 45791.0);
    }
}
