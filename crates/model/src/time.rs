//! Dates and times shared by ingest, rules and outputs: a claim's time of
//! day, calendar months, financial and tax years (SPEC §1, §3).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A date-time or a bare time (SPEC §6.2 rule 11): a number ≥ 1 is a
/// date-time serial, a fraction below 1 is a time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeValue {
    Time(NaiveTime),
    DateTime(NaiveDateTime),
}

impl TimeValue {
    /// Places a bare time on `day`; a date-time keeps its own date.
    pub fn on(self, day: NaiveDate) -> NaiveDateTime {
        match self {
            TimeValue::Time(t) => day.and_time(t),
            TimeValue::DateTime(dt) => dt,
        }
    }
}

/// Adds calendar months, clamping the day to the month's end (SPEC §3.2, §6.8).
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let mut day = date.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month0 + 1, day) {
            return d;
        }
        if day <= 28 {
            return date;
        }
        day -= 1;
    }
}

/// The financial year (1 April) a date falls in, by its starting year.
pub fn financial_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The tax year (6 April – 5 April) a date falls in, by its starting year.
pub fn tax_year(date: NaiveDate) -> i32 {
    if (date.month(), date.day()) >= (4, 6) {
        date.year()
    } else {
        date.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn add_months_clamps_the_day() {
        assert_eq!(add_months(d(2025, 1, 31), 1), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 3, 31), 1), d(2025, 4, 30));
        assert_eq!(add_months(d(2025, 8, 31), 3), d(2025, 11, 30));
        assert_eq!(add_months(d(2024, 2, 29), 12), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 2, 29), 48), d(2028, 2, 29));
        assert_eq!(add_months(d(2025, 5, 14), 0), d(2025, 5, 14));
        assert_eq!(add_months(d(2025, 5, 14), 1), d(2025, 6, 14));
        assert_eq!(add_months(d(2025, 11, 30), 2), d(2026, 1, 30));
        assert_eq!(add_months(d(2025, 12, 31), 1), d(2026, 1, 31));
        assert_eq!(add_months(d(2025, 1, 15), 24), d(2027, 1, 15));
    }

    #[test]
    fn add_months_backwards() {
        // AGE001's limit: submitted_date minus 3 calendar months.
        assert_eq!(add_months(d(2025, 5, 31), -3), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 5, 31), -3), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 6, 2), -3), d(2025, 3, 2));
        assert_eq!(add_months(d(2025, 3, 31), -1), d(2025, 2, 28));
        assert_eq!(add_months(d(2025, 1, 15), -1), d(2024, 12, 15));
        assert_eq!(add_months(d(2025, 2, 10), -14), d(2023, 12, 10));
        assert_eq!(add_months(d(2025, 7, 31), -12), d(2024, 7, 31));
    }

    #[test]
    fn financial_year_starts_on_1_april() {
        assert_eq!(financial_year(d(2025, 3, 31)), 2024);
        assert_eq!(financial_year(d(2025, 4, 1)), 2025);
    }

    #[test]
    fn tax_year_starts_on_6_april() {
        assert_eq!(tax_year(d(2025, 4, 5)), 2024);
        assert_eq!(tax_year(d(2025, 4, 6)), 2025);
        assert_eq!(tax_year(d(2026, 1, 10)), 2025);
    }
}
