//! The one place where cell contents become typed values (SPEC §2, §6.2).
//!
//! Every reader (calamine workbooks, CSV) hands over a borrowed [`Cell`]; each
//! parser returns `Ok(None)` for a blank cell, `Ok(Some(v))` for a value and
//! `Err(CellError)` for text that is not of the column's type (DAT002). No
//! parser panics, whatever the input.

use crate::model::csv_text;
use crate::model::money::{parse_decimal_text, Miles, Pence};
use crate::model::time::{add_months, TimeValue};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// A cell as a reader sees it, borrowed from the reader's own storage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell formatted as a date or time, already resolved to a calendar
    /// date-time by the reader (so the workbook's date system is applied).
    DateTime(NaiveDateTime),
    /// An Excel error value such as `#N/A`.
    Error(&'a str),
}

/// The workbook's date system for serial numbers (SPEC §6.2 rule 11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateSystem {
    #[default]
    Excel1900,
    Excel1904,
}

/// Why a cell could not be read as its column's type (a DAT002 finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellError {
    /// What the column expects, for the message ("a date", "money", ...).
    pub expected: &'static str,
}

pub type Parsed<T> = Result<Option<T>, CellError>;

/// The largest magnitude a decimal cell may hold, in its column's units
/// (pence, tenths of a mile, hundredths of an hour): £1bn, 10bn miles,
/// 1bn hours. Anything larger is not a real claim or absence (DAT002), and
/// the bound keeps every product and total of the rules inside `i64`.
pub const MAX_MAGNITUDE: i64 = 100_000_000_000;

/// The largest whole number a count cell may hold (line numbers, passengers).
pub const MAX_COUNT: i64 = 1_000_000_000;

const OUT_OF_RANGE: &str = "a value within range";

/// The `expected` text of an unknown code (DAT004 rather than DAT002).
pub const UNKNOWN_CODE: &str = "a known code";

fn bad<T>(expected: &'static str) -> Parsed<T> {
    Err(CellError { expected })
}

impl Cell<'_> {
    /// Blank: empty, or text of only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The raw value as the user would see it, for findings and decisions.csv.
    pub fn raw(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => (*t).to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::DateTime(dt) if dt.time() == NaiveTime::MIN => dt.date().to_string(),
            Cell::DateTime(dt) => dt.to_string(),
            Cell::Error(e) => (*e).to_string(),
        }
    }

    /// The cell's text, trimmed; numbers in their shortest decimal form.
    fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Cell::Text(t) => Some(std::borrow::Cow::Borrowed(t.trim())),
            Cell::Int(_) | Cell::Float(_) => Some(std::borrow::Cow::Owned(self.raw())),
            _ => None,
        }
    }
}

/// Free text, trimmed, with the one `'` payrun's CSV writers put before
/// formula-like text removed (SPEC §12.6, §12.1: so deferred-claims.csv fed
/// back reads as the lines it was written from); blank is `None`. Every
/// non-error cell is text.
pub fn text(cell: Cell) -> Parsed<String> {
    match cell {
        Cell::Error(_) => bad("text"),
        c if c.is_blank() => Ok(None),
        Cell::Text(t) => Ok(Some(csv_text::unescape(t.trim()).to_string())),
        c => Ok(Some(c.raw())),
    }
}

/// Money in pence: numbers, or text with optional sign, `£` and comma
/// thousands in groups of three; more than two decimals round half up.
pub fn money(cell: Cell) -> Parsed<Pence> {
    decimal_cell(cell, 2, "money").map(|v| v.map(Pence))
}

/// Miles in tenths, rounded half up to 0.1 mile.
pub fn miles(cell: Cell) -> Parsed<Miles> {
    decimal_cell(cell, 1, "a number of miles").map(|v| v.map(Miles))
}

/// A decimal quantity with `scale` decimals kept (hours to 0.01, years, ...).
pub fn decimal(cell: Cell, scale: u32) -> Parsed<i64> {
    decimal_cell(cell, scale, "a number")
}

/// A whole number (line numbers, passengers).
pub fn integer(cell: Cell) -> Parsed<i64> {
    match integer_unbounded(cell) {
        Ok(Some(i)) if i.abs() > MAX_COUNT => bad(OUT_OF_RANGE),
        other => other,
    }
}

fn integer_unbounded(cell: Cell) -> Parsed<i64> {
    match cell {
        Cell::Int(i) => Ok(Some(i)),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => match t.trim().parse::<i64>() {
            Ok(i) => Ok(Some(i)),
            Err(_) => match parse_decimal_text(t, 0) {
                Some(i) if t.trim().trim_end_matches('0').ends_with('.') => Ok(Some(i)),
                _ => bad("a whole number"),
            },
        },
        Cell::Empty => Ok(None),
        _ => bad("a whole number"),
    }
}

fn decimal_cell(cell: Cell, scale: u32, expected: &'static str) -> Parsed<i64> {
    match decimal_unbounded(cell, scale, expected) {
        Ok(Some(v)) if v.checked_abs().is_none_or(|a| a > MAX_MAGNITUDE) => bad(OUT_OF_RANGE),
        other => other,
    }
}

fn decimal_unbounded(cell: Cell, scale: u32, expected: &'static str) -> Parsed<i64> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Int(i) => i.checked_mul(10i64.pow(scale)).map(Some).ok_or(CellError { expected }),
        Cell::Float(f) if !f.is_finite() => bad(expected),
        Cell::Float(_) | Cell::Text(_) => match cell.as_text() {
            Some(t) => parse_decimal_text(&t, scale).map(Some).ok_or(CellError { expected }),
            None => bad(expected),
        },
        _ => bad(expected),
    }
}

/// Y/N fields: `Y/N`, `Yes/No`, `TRUE/FALSE`, `1/0` (SPEC §2).
pub fn yes_no(cell: Cell) -> Parsed<bool> {
    match cell {
        Cell::Bool(b) => Ok(Some(b)),
        Cell::Int(1) => Ok(Some(true)),
        Cell::Int(0) => Ok(Some(false)),
        Cell::Float(1.0) => Ok(Some(true)),
        Cell::Float(0.0) => Ok(Some(false)),
        Cell::Empty => Ok(None),
        Cell::Text(t) => match yes_no_text(t) {
            Some(b) => Ok(Some(b)),
            None if t.trim().is_empty() => Ok(None),
            None => bad("Y or N"),
        },
        _ => bad("Y or N"),
    }
}

/// The text forms of a Y/N value.
pub fn yes_no_text(text: &str) -> Option<bool> {
    let t = text.trim();
    for yes in ["Y", "YES", "TRUE", "1"] {
        if t.eq_ignore_ascii_case(yes) {
            return Some(true);
        }
    }
    for no in ["N", "NO", "FALSE", "0"] {
        if t.eq_ignore_ascii_case(no) {
            return Some(false);
        }
    }
    None
}

/// A date: date cells, serial numbers in the workbook's system, ISO
/// `2025-05-14` (a time part is ignored) or UK `14/05/2025` (always day first;
/// a two-digit year is 20yy).
pub fn date(cell: Cell, system: DateSystem) -> Parsed<NaiveDate> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(dt) => Ok(Some(dt.date())),
        Cell::Int(i) => serial_date(i as f64, system).map(Some).ok_or(CellError { expected: "a date" }),
        Cell::Float(f) => serial_date(f, system).map(Some).ok_or(CellError { expected: "a date" }),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse_date_text(t, system).map(Some).ok_or(CellError { expected: "a date" }),
        _ => bad("a date"),
    }
}

/// A time column: Excel fractions, `HH:MM`, `HH:MM:SS`, date-time cells,
/// serial date-times, or ISO / UK date-times in text.
pub fn time(cell: Cell, system: DateSystem) -> Parsed<TimeValue> {
    const WHAT: &str = "a time";
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(dt) if is_time_only_day(dt.date(), system) => {
            // A pure time cell resolves onto the epoch day.
            Ok(Some(TimeValue::Time(dt.time())))
        }
        Cell::DateTime(dt) => Ok(Some(TimeValue::DateTime(dt))),
        Cell::Int(i) => serial_time(i as f64, system).map(Some).ok_or(CellError { expected: WHAT }),
        Cell::Float(f) => serial_time(f, system).map(Some).ok_or(CellError { expected: WHAT }),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse_time_text(t, system).map(Some).ok_or(CellError { expected: WHAT }),
        _ => bad(WHAT),
    }
}

/// The day a reader puts a pure time cell on: 30/31 Dec 1899 (or 1 Jan 1900)
/// in the 1900 system, and 1 Jan 1904 in the 1904 system (calamine adds the
/// 1,462-day offset to a time fraction too).
fn is_time_only_day(day: NaiveDate, system: DateSystem) -> bool {
    day <= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
        || (system == DateSystem::Excel1904 && Some(day) == NaiveDate::from_ymd_opt(1904, 1, 1))
}

/// A day count in the 1900 system, with Excel's phantom 29 February 1900:
/// serials below 61 are one day early (SPEC §6.2 rule 11). Serial 60 itself
/// names a day that never existed.
pub fn serial_date(serial: f64, system: DateSystem) -> Option<NaiveDate> {
    serial_datetime(serial, system).map(|dt| dt.date())
}

fn serial_datetime(serial: f64, system: DateSystem) -> Option<NaiveDateTime> {
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let (epoch, days) = match system {
        DateSystem::Excel1904 => (NaiveDate::from_ymd_opt(1904, 1, 1)?, days),
        DateSystem::Excel1900 => {
            if days == 60 || days == 0 {
                return None;
            }
            let shift = if days < 61 { 1 } else { 0 };
            (NaiveDate::from_ymd_opt(1899, 12, 30)?, days + shift)
        }
    };
    let date = epoch.checked_add_signed(Duration::days(days))?;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    Some(date.and_time(NaiveTime::MIN) + Duration::seconds(secs))
}

fn serial_time(serial: f64, system: DateSystem) -> Option<TimeValue> {
    if !serial.is_finite() || serial < 0.0 {
        return None;
    }
    if serial < 1.0 {
        let secs = (serial * 86_400.0).round() as u32;
        let secs = secs.min(86_399);
        return NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).map(TimeValue::Time);
    }
    serial_datetime(serial, system).map(TimeValue::DateTime)
}

/// Text dates: ISO `YYYY-MM-DD` (optionally followed by a time), UK
/// `DD/MM/YYYY` or `DD/MM/YY`, or digit text holding a serial (CSV).
pub fn parse_date_text(text: &str, system: DateSystem) -> Option<NaiveDate> {
    let t = text.trim();
    let date_part = t.split([' ', 'T']).next().unwrap_or(t);
    if let Some(d) = parse_iso_date(date_part) {
        return Some(d);
    }
    if date_part.contains('/') {
        return parse_uk_date(date_part);
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return t.parse::<f64>().ok().and_then(|f| serial_date(f, system));
    }
    None
}

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn parse_uk_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some()
        || !all_digits(d)
        || !all_digits(m)
        || !all_digits(y)
        || d.len() > 2
        || m.len() > 2
    {
        return None;
    }
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

/// Text times: `HH:MM`, `HH:MM:SS`, a date followed by a time, or digit text
/// holding a serial fraction / date-time (CSV).
pub fn parse_time_text(text: &str, system: DateSystem) -> Option<TimeValue> {
    let t = text.trim();
    if let Some(time) = parse_clock(t) {
        return Some(TimeValue::Time(time));
    }
    if let Some((day, clock)) = t.split_once([' ', 'T']) {
        let date = parse_date_text(day, system)?;
        let time = parse_clock(clock.trim())?;
        return Some(TimeValue::DateTime(date.and_time(time)));
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return t.parse::<f64>().ok().and_then(|f| serial_time(f, system));
    }
    None
}

fn parse_clock(s: &str) -> Option<NaiveTime> {
    let mut parts = s.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next().unwrap_or("0");
    if parts.next().is_some() {
        return None;
    }
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    if m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(num(h)?, num(m)?, num(sec)?)
}

/// A code column (SPEC §6.2 rule 10): trimmed, upper-cased, matched by `parse`.
pub fn code<T>(cell: Cell, parse: impl Fn(&str) -> Option<T>) -> Parsed<T> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse(t).map(Some).ok_or(CellError { expected: UNKNOWN_CODE }),
        Cell::Int(_) | Cell::Float(_) | Cell::Bool(_) => {
            parse(&cell.raw()).map(Some).ok_or(CellError { expected: UNKNOWN_CODE })
        }
        _ => bad(UNKNOWN_CODE),
    }
}

/// The cell-parser fuzz target's body (`fuzz/fuzz_targets/cells.rs`), also
/// run over `fuzz/regressions/` by `tests/fuzz_regressions.rs`: the bytes as
/// text, and their first 8 bytes as a float and an integer, through every
/// parser in both date systems. Errors are fine; a panic is a bug.
#[doc(hidden)]
pub fn fuzz_all_parsers(data: &[u8]) {
    let text_value = String::from_utf8_lossy(data);
    let word = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok());
    let float = word.map(f64::from_le_bytes);
    let int = word.map(i64::from_le_bytes);
    let mut cells = vec![Cell::Text(&text_value), Cell::Error(&text_value)];
    cells.extend(float.map(Cell::Float));
    cells.extend(int.map(Cell::Int));
    cells.extend(
        int.and_then(|i| chrono::DateTime::from_timestamp(i, 0)).map(|d| Cell::DateTime(d.naive_utc())),
    );
    for cell in cells {
        let _ =
            (cell.raw(), cell.is_blank(), text(cell), money(cell), miles(cell), integer(cell), yes_no(cell));
        for scale in 0..=4 {
            let _ = decimal(cell, scale);
        }
        let _ = code(cell, crate::model::codes::Category::parse);
        for system in [DateSystem::Excel1900, DateSystem::Excel1904] {
            if let Ok(Some(day)) = date(cell, system) {
                let months = int.map_or(1, |i| (i % 100_000) as i32);
                let _ = add_months(day, months);
            }
            if let Ok(Some(t)) = time(cell, system) {
                let _ = t.on(NaiveDate::MIN);
                let _ = t.on(NaiveDate::MAX);
            }
        }
    }
    for scale in 0..=4 {
        let _ = parse_decimal_text(&text_value, scale);
    }
    for system in [DateSystem::Excel1900, DateSystem::Excel1904] {
        let _ = (parse_date_text(&text_value, system), parse_time_text(&text_value, system));
        if let Some(f) = float {
            let _ = (serial_date(f, system), serial_time(f, system));
        }
    }
}

#[cfg(test)]
mod tests;
