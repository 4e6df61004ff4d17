//! Unit tests for the cell parsers: every form SPEC §2 and §6.2 list.

use super::*;
use crate::model::codes::{Category, Receipt};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

const S1900: DateSystem = DateSystem::Excel1900;
const S1904: DateSystem = DateSystem::Excel1904;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32, s: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, s).unwrap()
}

fn dt(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
    d(y, m, day).and_time(t(h, min, s))
}

fn err(expected: &'static str) -> CellError {
    CellError { expected }
}

// ---------------------------------------------------------------- blanks

#[test]
fn blank_cells_are_none_for_every_parser() {
    for c in [Cell::Empty, Cell::Text(""), Cell::Text("   "), Cell::Text("\t")] {
        assert!(c.is_blank());
        assert_eq!(text(c), Ok(None));
        assert_eq!(money(c), Ok(None));
        assert_eq!(miles(c), Ok(None));
        assert_eq!(decimal(c, 2), Ok(None));
        assert_eq!(integer(c), Ok(None));
        assert_eq!(yes_no(c), Ok(None));
        assert_eq!(date(c, S1900), Ok(None));
        assert_eq!(time(c, S1900), Ok(None));
        assert_eq!(code(c, Category::parse), Ok(None));
    }
    assert!(!Cell::Int(0).is_blank());
    assert!(!Cell::Bool(false).is_blank());
}

#[test]
fn error_cells_are_errors_for_every_parser() {
    let c = Cell::Error("#N/A");
    assert!(text(c).is_err());
    assert_eq!(money(c), Err(err("money")));
    assert_eq!(miles(c), Err(err("a number of miles")));
    assert!(integer(c).is_err());
    assert!(yes_no(c).is_err());
    assert_eq!(date(c, S1900), Err(err("a date")));
    assert_eq!(time(c, S1900), Err(err("a time")));
    assert_eq!(code(c, Category::parse), Err(err("a known code")));
    assert_eq!(c.raw(), "#N/A");
}

// ---------------------------------------------------------------- raw / text

#[test]
fn raw_shows_the_value_as_the_user_sees_it() {
    assert_eq!(Cell::Empty.raw(), "");
    assert_eq!(Cell::Text(" n/a ").raw(), " n/a ");
    assert_eq!(Cell::Int(-42).raw(), "-42");
    assert_eq!(Cell::Float(12.5).raw(), "12.5");
    assert_eq!(Cell::Float(12.0).raw(), "12");
    assert_eq!(Cell::Bool(true).raw(), "TRUE");
    assert_eq!(Cell::Bool(false).raw(), "FALSE");
    assert_eq!(Cell::DateTime(dt(2025, 5, 14, 0, 0, 0)).raw(), "2025-05-14");
    assert_eq!(Cell::DateTime(dt(2025, 5, 14, 9, 30, 0)).raw(), "2025-05-14 09:30:00");
}

#[test]
fn text_is_trimmed_and_numbers_become_text() {
    assert_eq!(text(Cell::Text("  E1001  ")), Ok(Some("E1001".to_string())));
    assert_eq!(text(Cell::Int(12345678)), Ok(Some("12345678".to_string())));
    assert_eq!(text(Cell::Float(7.5)), Ok(Some("7.5".to_string())));
    assert_eq!(text(Cell::Bool(true)), Ok(Some("TRUE".to_string())));
}

#[test]
fn text_loses_exactly_the_quote_payrun_csvs_put_before_formula_text() {
    let t = |s: &str| text(Cell::Text(s)).unwrap().unwrap();
    assert_eq!(t("'=1+1"), "=1+1");
    assert_eq!(t("  '-x "), "-x");
    assert_eq!(t("''@SUM(A1)"), "'@SUM(A1)");
    // A quote payrun would not have written stays.
    assert_eq!(t("'x"), "'x");
    assert_eq!(t("O'Brien"), "O'Brien");
    assert_eq!(t("=1+1"), "=1+1");
}

// ---------------------------------------------------------------- money

fn pence(c: Cell) -> Parsed<i64> {
    money(c).map(|v| v.map(|p| p.0))
}

#[test]
fn money_text_forms() {
    assert_eq!(pence(Cell::Text("£1,234.50")), Ok(Some(123_450)));
    assert_eq!(pence(Cell::Text("1234.50")), Ok(Some(123_450)));
    assert_eq!(pence(Cell::Text("1,234,567.89")), Ok(Some(123_456_789)));
    assert_eq!(pence(Cell::Text("12")), Ok(Some(1_200)));
    assert_eq!(pence(Cell::Text("12.5")), Ok(Some(1_250)));
    assert_eq!(pence(Cell::Text("0.07")), Ok(Some(7)));
    assert_eq!(pence(Cell::Text(".5")), Ok(Some(50)));
    assert_eq!(pence(Cell::Text("5.")), Ok(Some(500)));
    assert_eq!(pence(Cell::Text("  £12.34  ")), Ok(Some(1_234)));
    assert_eq!(pence(Cell::Text("+£3.00")), Ok(Some(300)));
    assert_eq!(pence(Cell::Text("-£3.00")), Ok(Some(-300)));
    assert_eq!(pence(Cell::Text("-12.34")), Ok(Some(-1_234)));
    assert_eq!(pence(Cell::Text("0")), Ok(Some(0)));
    // A space after the pound sign is tolerated (the code trims after `£`).
    assert_eq!(pence(Cell::Text("£ 5")), Ok(Some(500)));
}

#[test]
fn money_rounds_half_up_to_the_penny() {
    assert_eq!(pence(Cell::Text("12.345")), Ok(Some(1_235)));
    assert_eq!(pence(Cell::Text("12.344")), Ok(Some(1_234)));
    assert_eq!(pence(Cell::Text("12.3449999")), Ok(Some(1_234)));
    assert_eq!(pence(Cell::Text("12.3450001")), Ok(Some(1_235)));
    assert_eq!(pence(Cell::Text("0.005")), Ok(Some(1)));
    assert_eq!(pence(Cell::Text("0.004")), Ok(Some(0)));
    assert_eq!(pence(Cell::Text("9.995")), Ok(Some(1_000)));
    assert_eq!(pence(Cell::Text("£1,999.995")), Ok(Some(200_000)));
    // Half up on the magnitude: -0.005 is -1p, not 0.
    assert_eq!(pence(Cell::Text("-0.005")), Ok(Some(-1)));
    assert_eq!(pence(Cell::Text("-12.345")), Ok(Some(-1_235)));
}

#[test]
fn money_rejects_bad_text() {
    for bad in [
        "12,34",                // comma not in groups of three (SPEC §6.2 rule 9)
        "1,2345",               // group of four
        "1,23",                 // group of two
        ",123",                 // empty leading group
        "1234,567",             // leading group of four
        "1,234,56",             // short trailing group
        "12,34.00",             // bad grouping before the point
        "1.234,50",             // continental format
        "n/a",                  // free text
        "£",                    // sign only
        "-",                    // sign only
        ".",                    // point only
        "1.2.3",                // two points
        "12.3a",                // junk in decimals
        "12 34",                // inner space
        "--5",                  // double sign
        "£-5",                  // sign after the pound sign
        "5-",                   // trailing sign
        "$5",                   // other currency
        "1e3",                  // exponent
        "99999999999999999999", // overflow
    ] {
        assert_eq!(pence(Cell::Text(bad)), Err(err("money")), "{bad:?}");
    }
    assert_eq!(pence(Cell::Bool(true)), Err(err("money")));
    assert_eq!(pence(Cell::DateTime(dt(2025, 5, 14, 0, 0, 0))), Err(err("money")));
}

#[test]
fn money_numbers() {
    assert_eq!(pence(Cell::Int(12)), Ok(Some(1_200)));
    assert_eq!(pence(Cell::Int(-3)), Ok(Some(-300)));
    assert_eq!(pence(Cell::Float(12.5)), Ok(Some(1_250)));
    assert_eq!(pence(Cell::Float(12.0)), Ok(Some(1_200)));
    assert_eq!(pence(Cell::Float(1234.56)), Ok(Some(123_456)));
    assert_eq!(pence(Cell::Float(0.1 + 0.2)), Ok(Some(30)));
    assert_eq!(pence(Cell::Float(0.30000000000000004)), Ok(Some(30)));
    assert_eq!(pence(Cell::Float(1.1 + 2.2)), Ok(Some(330)));
    // 12.345 is stored as 12.3449999...; its shortest form is "12.345".
    assert_eq!(pence(Cell::Float(12.345)), Ok(Some(1_235)));
    assert_eq!(pence(Cell::Float(1.005)), Ok(Some(101)));
    assert_eq!(pence(Cell::Float(-0.005)), Ok(Some(-1)));
    assert_eq!(pence(Cell::Float(-7.25)), Ok(Some(-725)));
    assert_eq!(pence(Cell::Float(1e-7)), Ok(Some(0)));
    assert_eq!(pence(Cell::Float(f64::NAN)), Err(err("money")));
    assert_eq!(pence(Cell::Float(f64::INFINITY)), Err(err("money")));
    assert_eq!(pence(Cell::Float(1e300)), Err(err("money")));
    assert_eq!(pence(Cell::Int(i64::MAX)), Err(err("money")));
}

// ---------------------------------------------------------------- miles / decimal

fn tenths(c: Cell) -> Parsed<i64> {
    miles(c).map(|v| v.map(|m| m.0))
}

#[test]
fn miles_round_half_up_to_a_tenth() {
    assert_eq!(tenths(Cell::Text("12.3")), Ok(Some(123)));
    assert_eq!(tenths(Cell::Text("12.35")), Ok(Some(124)));
    assert_eq!(tenths(Cell::Text("12.349")), Ok(Some(123)));
    assert_eq!(tenths(Cell::Text("12.05")), Ok(Some(121)));
    assert_eq!(tenths(Cell::Text("0.04")), Ok(Some(0)));
    assert_eq!(tenths(Cell::Text("1,250")), Ok(Some(12_500)));
    assert_eq!(tenths(Cell::Text("-4.25")), Ok(Some(-43)));
    assert_eq!(tenths(Cell::Int(42)), Ok(Some(420)));
    assert_eq!(tenths(Cell::Float(12.35)), Ok(Some(124)));
    assert_eq!(tenths(Cell::Float(12.25)), Ok(Some(123)));
    assert_eq!(tenths(Cell::Float(0.1 + 0.2)), Ok(Some(3)));
    assert_eq!(tenths(Cell::Text("12,3")), Err(err("a number of miles")));
    assert_eq!(tenths(Cell::Text("ten")), Err(err("a number of miles")));
    assert_eq!(tenths(Cell::Bool(true)), Err(err("a number of miles")));
}

#[test]
fn decimal_keeps_the_requested_scale() {
    assert_eq!(decimal(Cell::Text("37.5"), 2), Ok(Some(3_750)));
    assert_eq!(decimal(Cell::Float(7.125), 2), Ok(Some(713)));
    assert_eq!(decimal(Cell::Int(5), 3), Ok(Some(5_000)));
    assert_eq!(decimal(Cell::Int(5), 0), Ok(Some(5)));
    assert_eq!(decimal(Cell::Text("x"), 2), Err(err("a number")));
}

// ---------------------------------------------------------------- integer

#[test]
fn integer_forms() {
    assert_eq!(integer(Cell::Int(3)), Ok(Some(3)));
    assert_eq!(integer(Cell::Int(-3)), Ok(Some(-3)));
    assert_eq!(integer(Cell::Float(2.0)), Ok(Some(2)));
    assert_eq!(integer(Cell::Float(-2.0)), Ok(Some(-2)));
    assert_eq!(integer(Cell::Text(" 7 ")), Ok(Some(7)));
    assert_eq!(integer(Cell::Text("+7")), Ok(Some(7)));
    assert_eq!(integer(Cell::Text("007")), Ok(Some(7)));
    assert_eq!(integer(Cell::Text("3.0")), Ok(Some(3)));
    assert_eq!(integer(Cell::Text("10.00")), Ok(Some(10)));
    assert_eq!(integer(Cell::Text("0.0")), Ok(Some(0)));
}

#[test]
fn integer_rejects_fractions_and_junk() {
    let e = Err(err("a whole number"));
    assert_eq!(integer(Cell::Float(2.5)), e);
    assert_eq!(integer(Cell::Float(1e16)), e);
    assert_eq!(integer(Cell::Float(f64::NAN)), e);
    assert_eq!(integer(Cell::Text("2.5")), e);
    assert_eq!(integer(Cell::Text("3.01")), e);
    assert_eq!(integer(Cell::Text("two")), e);
    assert_eq!(integer(Cell::Text("1,2")), e);
    assert_eq!(integer(Cell::Bool(true)), e);
    assert_eq!(integer(Cell::DateTime(dt(2025, 1, 1, 0, 0, 0))), e);
}

// ---------------------------------------------------------------- yes / no

#[test]
fn yes_no_forms() {
    for y in ["Y", "y", "Yes", "YES", "yes", " Y ", "TRUE", "true", "True", "1"] {
        assert_eq!(yes_no(Cell::Text(y)), Ok(Some(true)), "{y:?}");
        assert_eq!(yes_no_text(y), Some(true), "{y:?}");
    }
    for n in ["N", "n", "No", "NO", "no", " N ", "FALSE", "false", "False", "0"] {
        assert_eq!(yes_no(Cell::Text(n)), Ok(Some(false)), "{n:?}");
        assert_eq!(yes_no_text(n), Some(false), "{n:?}");
    }
    assert_eq!(yes_no(Cell::Bool(true)), Ok(Some(true)));
    assert_eq!(yes_no(Cell::Bool(false)), Ok(Some(false)));
    assert_eq!(yes_no(Cell::Int(1)), Ok(Some(true)));
    assert_eq!(yes_no(Cell::Int(0)), Ok(Some(false)));
    assert_eq!(yes_no(Cell::Float(1.0)), Ok(Some(true)));
    assert_eq!(yes_no(Cell::Float(0.0)), Ok(Some(false)));
}

#[test]
fn yes_no_rejects_other_values() {
    let e = Err(err("Y or N"));
    for bad in ["maybe", "Yep", "T", "F", "2", "-1", "N/A", "LOST", "Y N"] {
        assert_eq!(yes_no(Cell::Text(bad)), e, "{bad:?}");
        assert_eq!(yes_no_text(bad), None, "{bad:?}");
    }
    assert_eq!(yes_no(Cell::Int(2)), e);
    assert_eq!(yes_no(Cell::Float(0.5)), e);
    assert_eq!(yes_no(Cell::DateTime(dt(2025, 1, 1, 0, 0, 0))), e);
}

// ---------------------------------------------------------------- serial dates

#[test]
fn serial_1900_modern_dates() {
    assert_eq!(serial_date(45791.0, S1900), Some(d(2025, 5, 14)));
    assert_eq!(serial_date(45658.0, S1900), Some(d(2025, 1, 1)));
    assert_eq!(serial_date(45807.0, S1900), Some(d(2025, 5, 30)));
    assert_eq!(serial_date(45812.0, S1900), Some(d(2025, 6, 4)));
    assert_eq!(serial_date(36526.0, S1900), Some(d(2000, 1, 1)));
    assert_eq!(serial_date(45716.0, S1900), Some(d(2025, 2, 28)));
    assert_eq!(serial_date(45717.0, S1900), Some(d(2025, 3, 1)));
    assert_eq!(serial_date(45351.0, S1900), Some(d(2024, 2, 29)));
    // A time part does not change the date.
    assert_eq!(serial_date(45791.75, S1900), Some(d(2025, 5, 14)));
    assert_eq!(serial_date(45791.999, S1900), Some(d(2025, 5, 14)));
    // The largest Excel serial, 31 Dec 9999.
    assert_eq!(serial_date(2_958_465.0, S1900), Some(d(9999, 12, 31)));
    assert_eq!(serial_date(2_958_466.0, S1900), None);
}

#[test]
fn serial_1900_phantom_leap_day() {
    // Excel counts a 29 Feb 1900 that never existed: serials below 61 are
    // one day early compared with a plain day count from 30 Dec 1899.
    assert_eq!(serial_date(1.0, S1900), Some(d(1900, 1, 1)));
    assert_eq!(serial_date(2.0, S1900), Some(d(1900, 1, 2)));
    assert_eq!(serial_date(31.0, S1900), Some(d(1900, 1, 31)));
    assert_eq!(serial_date(32.0, S1900), Some(d(1900, 2, 1)));
    assert_eq!(serial_date(59.0, S1900), Some(d(1900, 2, 28)));
    assert_eq!(serial_date(59.5, S1900), Some(d(1900, 2, 28)));
    assert_eq!(serial_date(60.0, S1900), None); // "29 Feb 1900"
    assert_eq!(serial_date(60.5, S1900), None);
    assert_eq!(serial_date(61.0, S1900), Some(d(1900, 3, 1)));
    assert_eq!(serial_date(62.0, S1900), Some(d(1900, 3, 2)));
    assert_eq!(serial_date(366.0, S1900), Some(d(1900, 12, 31)));
    assert_eq!(serial_date(367.0, S1900), Some(d(1901, 1, 1)));
}

#[test]
fn serial_rejects_out_of_range() {
    assert_eq!(serial_date(0.0, S1900), None); // "0 Jan 1900"
    assert_eq!(serial_date(0.5, S1900), None);
    assert_eq!(serial_date(-1.0, S1900), None);
    assert_eq!(serial_date(-1.0, S1904), None);
    assert_eq!(serial_date(f64::NAN, S1900), None);
    assert_eq!(serial_date(f64::INFINITY, S1904), None);
    assert_eq!(serial_date(1e18, S1900), None);
}

#[test]
fn serial_1904_system() {
    assert_eq!(serial_date(0.0, S1904), Some(d(1904, 1, 1)));
    assert_eq!(serial_date(1.0, S1904), Some(d(1904, 1, 2)));
    assert_eq!(serial_date(59.0, S1904), Some(d(1904, 2, 29)));
    assert_eq!(serial_date(60.0, S1904), Some(d(1904, 3, 1)));
    assert_eq!(serial_date(44329.0, S1904), Some(d(2025, 5, 14)));
    assert_eq!(serial_date(44329.5, S1904), Some(d(2025, 5, 14)));
    // The two systems are 1,462 days apart.
    for s in [40000.0, 44000.0, 45000.0, 45791.0] {
        assert_eq!(serial_date(s, S1904), serial_date(s + 1462.0, S1900));
    }
}

// ---------------------------------------------------------------- date cells

#[test]
fn date_from_numbers_uses_the_workbook_system() {
    assert_eq!(date(Cell::Int(45791), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Float(45791.0), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Float(45791.5), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Int(44329), S1904), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Float(44329.25), S1904), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Int(45791), S1904), Ok(Some(d(2029, 5, 15))));
    assert_eq!(date(Cell::Int(60), S1900), Err(err("a date")));
    assert_eq!(date(Cell::Int(0), S1900), Err(err("a date")));
    assert_eq!(date(Cell::Int(-5), S1900), Err(err("a date")));
    assert_eq!(date(Cell::Float(f64::NAN), S1900), Err(err("a date")));
}

#[test]
fn date_cells_keep_their_date() {
    let c = Cell::DateTime(dt(2025, 5, 14, 0, 0, 0));
    assert_eq!(date(c, S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(c, S1904), Ok(Some(d(2025, 5, 14))));
    let c = Cell::DateTime(dt(2025, 5, 14, 17, 45, 0));
    assert_eq!(date(c, S1900), Ok(Some(d(2025, 5, 14))));
}

#[test]
fn date_iso_text() {
    assert_eq!(date(Cell::Text("2025-05-14"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text(" 2025-05-14 "), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("2025-5-4"), S1900), Ok(Some(d(2025, 5, 4))));
    assert_eq!(date(Cell::Text("2025-05-14 10:30:00"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("2025-05-14T10:30:00"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("2024-02-29"), S1900), Ok(Some(d(2024, 2, 29))));
    for bad in
        ["2025-02-29", "2025-13-01", "2025-00-10", "2025-05-32", "25-05-14", "2025-05", "2025-05-14-01"]
    {
        assert_eq!(date(Cell::Text(bad), S1900), Err(err("a date")), "{bad:?}");
    }
}

#[test]
fn date_uk_text_is_day_first() {
    assert_eq!(date(Cell::Text("14/05/2025"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("14/05/25"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("01/02/2025"), S1900), Ok(Some(d(2025, 2, 1))));
    assert_eq!(date(Cell::Text("1/2/2025"), S1900), Ok(Some(d(2025, 2, 1))));
    assert_eq!(date(Cell::Text("05/06/2025"), S1900), Ok(Some(d(2025, 6, 5))));
    assert_eq!(date(Cell::Text("31/12/99"), S1900), Ok(Some(d(2099, 12, 31))));
    assert_eq!(date(Cell::Text("01/01/00"), S1900), Ok(Some(d(2000, 1, 1))));
    assert_eq!(date(Cell::Text("29/02/2024"), S1900), Ok(Some(d(2024, 2, 29))));
    assert_eq!(date(Cell::Text("14/05/2025 09:15"), S1900), Ok(Some(d(2025, 5, 14))));
    // The workbook's date system never matters for text dates.
    assert_eq!(date(Cell::Text("14/05/2025"), S1904), Ok(Some(d(2025, 5, 14))));
}

#[test]
fn date_uk_text_never_guessed_as_us() {
    for bad in [
        "05/14/2025", // US order: month 14
        "12/31/2025",
        "29/02/2025", // not a leap year
        "31/04/2025", // 30 days in April
        "14/05/025",  // three-digit year
        "14/05/20255",
        "14/5",
        "14/05/2025/1",
        "14//2025",
        "a/05/2025",
        "114/05/2025",
        "14-05-2025", // dashes are ISO only
        "14.05.2025",
        "May 14 2025",
        "yesterday",
    ] {
        assert_eq!(date(Cell::Text(bad), S1900), Err(err("a date")), "{bad:?}");
    }
}

#[test]
fn date_serial_as_digit_text() {
    // CSV hands serials over as text (SPEC §6.2 rule 11).
    assert_eq!(date(Cell::Text("45791"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("45791.5"), S1900), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("44329"), S1904), Ok(Some(d(2025, 5, 14))));
    assert_eq!(date(Cell::Text("61"), S1900), Ok(Some(d(1900, 3, 1))));
    assert_eq!(date(Cell::Text("59"), S1900), Ok(Some(d(1900, 2, 28))));
    assert_eq!(date(Cell::Text("60"), S1900), Err(err("a date")));
    assert_eq!(date(Cell::Text("4579.1.5"), S1900), Err(err("a date")));
    assert_eq!(date(Cell::Text("-45791"), S1900), Err(err("a date")));
}

#[test]
fn date_rejects_other_cells() {
    assert_eq!(date(Cell::Bool(true), S1900), Err(err("a date")));
}

// ---------------------------------------------------------------- times

#[test]
fn time_excel_fractions() {
    let tm = |c| time(c, S1900);
    assert_eq!(tm(Cell::Float(0.5)), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
    assert_eq!(tm(Cell::Float(0.0)), Ok(Some(TimeValue::Time(t(0, 0, 0)))));
    assert_eq!(tm(Cell::Int(0)), Ok(Some(TimeValue::Time(t(0, 0, 0)))));
    assert_eq!(tm(Cell::Float(0.25)), Ok(Some(TimeValue::Time(t(6, 0, 0)))));
    assert_eq!(tm(Cell::Float(0.75)), Ok(Some(TimeValue::Time(t(18, 0, 0)))));
    // 07:30 = 0.3125; 19:15 = 0.8020833...
    assert_eq!(tm(Cell::Float(0.3125)), Ok(Some(TimeValue::Time(t(7, 30, 0)))));
    assert_eq!(tm(Cell::Float(19.25 / 24.0)), Ok(Some(TimeValue::Time(t(19, 15, 0)))));
    // Floating noise rounds to the nearest second.
    assert_eq!(tm(Cell::Float(0.5 - 1e-9)), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
    // Just under 1 stays on the same day (never 24:00).
    assert_eq!(tm(Cell::Float(0.9999999)), Ok(Some(TimeValue::Time(t(23, 59, 59)))));
    assert_eq!(tm(Cell::Float(-0.5)), Err(err("a time")));
    assert_eq!(tm(Cell::Float(f64::NAN)), Err(err("a time")));
    // The fraction is a time of day in either system.
    assert_eq!(time(Cell::Float(0.5), S1904), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
}

#[test]
fn time_number_at_least_one_is_a_date_time_serial() {
    assert_eq!(time(Cell::Float(45791.5), S1900), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 12, 0, 0)))));
    assert_eq!(time(Cell::Float(45791.75), S1900), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 0, 0)))));
    assert_eq!(time(Cell::Int(45791), S1900), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 0, 0, 0)))));
    assert_eq!(
        time(Cell::Float(44329.3125), S1904),
        Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 7, 30, 0))))
    );
    assert_eq!(time(Cell::Float(1.0), S1900), Ok(Some(TimeValue::DateTime(dt(1900, 1, 1, 0, 0, 0)))));
    assert_eq!(time(Cell::Float(60.5), S1900), Err(err("a time")));
}

#[test]
fn time_clock_text() {
    let tm = |s| time(Cell::Text(s), S1900);
    assert_eq!(tm("09:30"), Ok(Some(TimeValue::Time(t(9, 30, 0)))));
    assert_eq!(tm("9:30"), Ok(Some(TimeValue::Time(t(9, 30, 0)))));
    assert_eq!(tm(" 17:05 "), Ok(Some(TimeValue::Time(t(17, 5, 0)))));
    assert_eq!(tm("00:00"), Ok(Some(TimeValue::Time(t(0, 0, 0)))));
    assert_eq!(tm("23:59"), Ok(Some(TimeValue::Time(t(23, 59, 0)))));
    assert_eq!(tm("07:30:15"), Ok(Some(TimeValue::Time(t(7, 30, 15)))));
    assert_eq!(tm("23:59:59"), Ok(Some(TimeValue::Time(t(23, 59, 59)))));
    for bad in [
        "25:00",
        "24:00",
        "12:60",
        "12:5",
        "12:",
        ":30",
        "123:00",
        "12:00:60",
        "12:00:00:00",
        "9.30am",
        "noon",
        "12-30",
        "-1:00",
    ] {
        assert_eq!(tm(bad), Err(err("a time")), "{bad:?}");
    }
}

#[test]
fn time_fraction_and_serial_as_digit_text() {
    let tm = |s| time(Cell::Text(s), S1900);
    assert_eq!(tm("0.5"), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
    assert_eq!(tm("0.3125"), Ok(Some(TimeValue::Time(t(7, 30, 0)))));
    assert_eq!(tm("45791.75"), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 0, 0)))));
    assert_eq!(time(Cell::Text("44329.75"), S1904), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 0, 0)))));
}

#[test]
fn time_date_time_text() {
    let tm = |s| time(Cell::Text(s), S1900);
    let want = Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 30, 0))));
    assert_eq!(tm("2025-05-14 18:30"), want);
    assert_eq!(tm("2025-05-14T18:30:00"), want);
    assert_eq!(tm("14/05/2025 18:30"), want);
    assert_eq!(tm("14/05/25 18:30"), want);
    assert_eq!(tm("05/14/2025 18:30"), Err(err("a time")));
    assert_eq!(tm("14/05/2025 25:00"), Err(err("a time")));
}

#[test]
fn time_cells() {
    // A date-time cell keeps its own date.
    let c = Cell::DateTime(dt(2025, 5, 14, 18, 30, 0));
    assert_eq!(time(c, S1900), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 30, 0)))));
    assert_eq!(time(c, S1904), Ok(Some(TimeValue::DateTime(dt(2025, 5, 14, 18, 30, 0)))));
    // A pure time cell (calamine resolves 0.5 onto 31 Dec 1899) is a bare time.
    let c = Cell::DateTime(dt(1899, 12, 31, 12, 0, 0));
    assert_eq!(time(c, S1900), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
    let c = Cell::DateTime(dt(1899, 12, 30, 7, 30, 0));
    assert_eq!(time(c, S1900), Ok(Some(TimeValue::Time(t(7, 30, 0)))));
    // In a 1904 workbook calamine resolves a pure time cell onto 1 Jan 1904.
    let c = Cell::DateTime(dt(1904, 1, 1, 12, 0, 0));
    assert_eq!(time(c, S1904), Ok(Some(TimeValue::Time(t(12, 0, 0)))));
    assert_eq!(time(Cell::Bool(true), S1900), Err(err("a time")));
}

#[test]
fn time_value_on_a_day() {
    let day = d(2025, 5, 14);
    assert_eq!(TimeValue::Time(t(7, 30, 0)).on(day), dt(2025, 5, 14, 7, 30, 0));
    let own = dt(2025, 5, 15, 1, 0, 0);
    assert_eq!(TimeValue::DateTime(own).on(day), own);
}

#[test]
fn parse_time_text_directly() {
    assert_eq!(parse_time_text("08:00", S1900), Some(TimeValue::Time(t(8, 0, 0))));
    assert_eq!(parse_time_text("25:00", S1900), None);
    assert_eq!(parse_time_text("", S1900), None);
}

#[test]
fn parse_date_text_directly() {
    assert_eq!(parse_date_text("2025-05-14", S1900), Some(d(2025, 5, 14)));
    assert_eq!(parse_date_text("14/05/2025", S1904), Some(d(2025, 5, 14)));
    assert_eq!(parse_date_text("45791", S1900), Some(d(2025, 5, 14)));
    assert_eq!(parse_date_text("05/14/2025", S1900), None);
    assert_eq!(parse_date_text("", S1900), None);
}

// ---------------------------------------------------------------- codes

#[test]
fn code_trimmed_and_case_insensitive() {
    assert_eq!(code(Cell::Text("SUNDRY"), Category::parse), Ok(Some(Category::Sundry)));
    assert_eq!(code(Cell::Text("  sundry "), Category::parse), Ok(Some(Category::Sundry)));
    assert_eq!(code(Cell::Text("Mileage_Car"), Category::parse), Ok(Some(Category::MileageCar)));
    assert_eq!(code(Cell::Text("BUS"), Category::parse), Ok(Some(Category::Bus)));
    assert_eq!(code(Cell::Text("lost"), Receipt::parse), Ok(Some(Receipt::Lost)));
    assert_eq!(code(Cell::Text("y"), Receipt::parse), Ok(Some(Receipt::Yes)));
    let e = Err(err("a known code"));
    assert_eq!(code(Cell::Text("GYM"), Category::parse), e);
    assert_eq!(code(Cell::Text("MILEAGE CAR"), Category::parse), e);
    assert_eq!(code(Cell::Text("MILEAGE_CARS"), Category::parse), e);
    assert_eq!(code(Cell::Int(1), Category::parse), e);
    assert_eq!(code(Cell::DateTime(dt(2025, 1, 1, 0, 0, 0)), Category::parse), e);
}

#[test]
fn code_numbers_and_bools_are_matched_by_their_text() {
    let parse = |s: &str| match s {
        "1" => Some(1),
        "2.5" => Some(25),
        "TRUE" => Some(100),
        _ => None,
    };
    assert_eq!(code(Cell::Int(1), parse), Ok(Some(1)));
    assert_eq!(code(Cell::Float(1.0), parse), Ok(Some(1)));
    assert_eq!(code(Cell::Float(2.5), parse), Ok(Some(25)));
    assert_eq!(code(Cell::Bool(true), parse), Ok(Some(100)));
    assert_eq!(code(Cell::Int(3), parse), Err(err("a known code")));
}

#[test]
fn values_beyond_the_magnitude_bound_are_errors_not_overflows() {
    // £1bn is the largest money value; a penny more is DAT002.
    assert_eq!(money(Cell::Text("1,000,000,000.00")), Ok(Some(Pence(MAX_MAGNITUDE))));
    assert!(money(Cell::Text("1,000,000,000.01")).is_err());
    assert!(money(Cell::Float(92233720368547.75)).is_err());
    assert!(miles(Cell::Float(1e17)).is_err());
    assert!(decimal(Cell::Int(i64::MAX), 2).is_err());
    assert_eq!(integer(Cell::Int(MAX_COUNT)), Ok(Some(MAX_COUNT)));
    assert!(integer(Cell::Int(MAX_COUNT + 1)).is_err());
    assert!(integer(Cell::Text("-2000000000")).is_err());
}
