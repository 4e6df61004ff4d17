//! The dates a sample is built around (SPEC §1): the pay period, the activity
//! month before it, and the cut-off on the 3rd working day.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

pub(super) struct Calendar {
    pub pay_start: NaiveDate,
    pub pay_end: NaiveDate,
    pub activity_start: NaiveDate,
    pub activity_end: NaiveDate,
    /// The 3rd weekday of the pay period. Bank holidays can only move the real
    /// cut-off later, so an approval on or before this day is always in time.
    pub cutoff: NaiveDate,
    /// `2506` for pay period June 2025: the prefix of this month's claim refs.
    pub pay_code: String,
}

impl Calendar {
    /// `period` may be any day of the pay month; its first day is used.
    pub fn new(period: NaiveDate) -> Calendar {
        let pay_start = period.with_day(1).expect("day 1 exists");
        let activity_start = months_before(pay_start, 1);
        let mut cutoff = pay_start;
        let mut weekdays = 0;
        loop {
            if is_weekday(cutoff) {
                weekdays += 1;
                if weekdays == 3 {
                    break;
                }
            }
            cutoff = next_day(cutoff);
        }
        Calendar {
            pay_start,
            pay_end: prev_day(months_after(pay_start, 1)),
            activity_start,
            activity_end: prev_day(pay_start),
            cutoff,
            pay_code: month_code(pay_start),
        }
    }

    /// The Calendar of the previous pay period (for lines carried over).
    pub fn previous(&self) -> Calendar {
        Calendar::new(self.activity_start)
    }

    /// Days of the activity month, in order.
    pub fn activity_days(&self) -> impl Iterator<Item = NaiveDate> {
        self.activity_start.iter_days().take_while({
            let end = self.activity_end;
            move |d| *d <= end
        })
    }

    /// The n-th day (0-based) of the activity month, clamped to its last day.
    pub fn activity_day(&self, n: i64) -> NaiveDate {
        add_days(self.activity_start, n).min(self.activity_end)
    }

    /// Whole months of the financial year before the activity month (April 0,
    /// March 11).
    pub fn months_into_financial_year(&self) -> usize {
        (self.activity_start.month() as usize + 8) % 12
    }

    /// 1 April starting the financial year that contains `date`.
    pub fn financial_year_start(date: NaiveDate) -> NaiveDate {
        let year = crate::model::time::financial_year(date);
        NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(date)
    }
}

pub(super) fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

pub(super) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date + Days::new(days as u64)
    } else {
        date - Days::new(days.unsigned_abs())
    }
}

pub(super) fn next_day(date: NaiveDate) -> NaiveDate {
    add_days(date, 1)
}

pub(super) fn prev_day(date: NaiveDate) -> NaiveDate {
    add_days(date, -1)
}

/// Calendar months back, day clamped to the month's end.
pub(super) fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    date - Months::new(months)
}

pub(super) fn months_after(date: NaiveDate, months: u32) -> NaiveDate {
    date + Months::new(months)
}

/// The date `working_days` weekdays on from `start` inclusive (the last one).
pub(super) fn after_weekdays(start: NaiveDate, working_days: u32) -> NaiveDate {
    let mut day = start;
    let mut counted = 0;
    loop {
        if is_weekday(day) {
            counted += 1;
            if counted >= working_days {
                return day;
            }
        }
        day = next_day(day);
    }
}

/// The first weekday on or after `date`.
pub(super) fn weekday_on_or_after(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while !is_weekday(day) {
        day = next_day(day);
    }
    day
}

pub(super) fn weekdays_between(start: NaiveDate, end: NaiveDate) -> i64 {
    start.iter_days().take_while(|d| *d <= end).filter(|d| is_weekday(*d)).count() as i64
}

fn month_code(date: NaiveDate) -> String {
    format!("{:02}{:02}", date.year() % 100, date.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn june_2025_pays_may_with_cutoff_on_the_4th() {
        let cal = Calendar::new(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
        assert_eq!(cal.activity_start, NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
        assert_eq!(cal.activity_end, NaiveDate::from_ymd_opt(2025, 5, 31).unwrap());
        // 1 June 2025 is a Sunday: Mon 2, Tue 3, Wed 4.
        assert_eq!(cal.cutoff, NaiveDate::from_ymd_opt(2025, 6, 4).unwrap());
        assert_eq!(cal.pay_code, "2506");
        assert_eq!(cal.previous().pay_code, "2505");
    }
}
