//! The pay period, its activity month and its cut-off (SPEC §1).

use super::time::add_months;
use chrono::{Datelike, Duration, NaiveDate};

/// The working days a cut-off is counted in. The policy (`config::Policy`)
/// provides them from its bank holidays and `claims.cutoff_working_days`;
/// model only names what it needs, so it imports nothing above it.
pub trait WorkingDays {
    fn is_working_day(&self, day: NaiveDate) -> bool;
    /// The cut-off is this working day of the pay period (1-based).
    fn cutoff_working_days(&self) -> u32;
}

/// A run's calendar: pay period, activity month (the month before) and cut-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day of the pay period (`--period YYYY-MM`).
    pub pay_start: NaiveDate,
    /// First and last day of the activity month.
    pub activity_start: NaiveDate,
    pub activity_end: NaiveDate,
    /// The cut-off day: the Nth working day of the pay period (inclusive).
    pub cutoff: NaiveDate,
}

impl Period {
    /// Parses `YYYY-MM`.
    pub fn parse_month(text: &str) -> Option<NaiveDate> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
    }

    /// The calendar of the pay period starting `pay_start`, its cut-off
    /// counted in `calendar`'s working days (the loaded policy).
    pub fn new(pay_start: NaiveDate, calendar: &impl WorkingDays) -> Period {
        let activity_start = add_months(pay_start, -1);
        let activity_end = pay_start - Duration::days(1);
        let mut cutoff = pay_start;
        let mut counted = 0;
        // A month always has enough working days; the bound only guards bad config.
        for _ in 0..62 {
            if calendar.is_working_day(cutoff) {
                counted += 1;
                if counted >= calendar.cutoff_working_days().max(1) {
                    break;
                }
            }
            cutoff += Duration::days(1);
        }
        Period { pay_start, activity_start, activity_end, cutoff }
    }

    /// `2025-06`.
    pub fn label(&self) -> String {
        label(self.pay_start)
    }
}

/// The period label `YYYY-MM` of a pay period's first day: the one form the
/// outputs, file names and the ledger use.
pub fn label(pay_start: NaiveDate) -> String {
    format!("{:04}-{:02}", pay_start.year(), pay_start.month())
}

/// A financial or tax year by its starting year: `2025` → `2025-26`.
pub fn year_label(start: i32) -> String {
    format!("{start}-{:02}", (start + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    /// Weekdays less the bank holidays these tests cross (the bundled
    /// policy.toml lists the same ones); cut-off on the third working day.
    struct Calendar;

    impl WorkingDays for Calendar {
        fn is_working_day(&self, day: NaiveDate) -> bool {
            let holidays = [(2025, 5, 5), (2026, 1, 1), (2026, 4, 3), (2026, 4, 6)];
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
                && !holidays.iter().any(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d) == Some(day))
        }

        fn cutoff_working_days(&self) -> u32 {
            3
        }
    }

    fn period(y: i32, m: u32) -> Period {
        Period::new(NaiveDate::from_ymd_opt(y, m, 1).unwrap(), &Calendar)
    }

    #[test]
    fn cutoff_is_the_third_working_day() {
        // June 2025: Mon 2, Tue 3, Wed 4.
        let p = period(2025, 6);
        assert_eq!(p.cutoff, NaiveDate::from_ymd_opt(2025, 6, 4).unwrap());
        assert_eq!(p.activity_start, NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
        assert_eq!(p.activity_end, NaiveDate::from_ymd_opt(2025, 5, 31).unwrap());
    }

    #[test]
    fn cutoff_skips_a_bank_holiday_in_the_way() {
        // May 2025: Thu 1, Fri 2, Mon 5 is the Early May bank holiday → Tue 6.
        assert_eq!(period(2025, 5).cutoff, NaiveDate::from_ymd_opt(2025, 5, 6).unwrap());
        // January 2026: Thu 1 is New Year's Day → Fri 2, Mon 5, Tue 6.
        assert_eq!(period(2026, 1).cutoff, NaiveDate::from_ymd_opt(2026, 1, 6).unwrap());
        // April 2026: Fri 3 Good Friday, Mon 6 Easter Monday → Wed 1, Thu 2, Tue 7.
        assert_eq!(period(2026, 4).cutoff, NaiveDate::from_ymd_opt(2026, 4, 7).unwrap());
    }

    #[test]
    fn activity_month_of_january_is_december() {
        let p = period(2026, 1);
        assert_eq!(p.activity_start, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
        assert_eq!(p.label(), "2026-01");
    }
}
