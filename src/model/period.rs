//! The pay period, its activity month and its cut-off (SPEC §1).

use crate::config::Policy;
use crate::ingest::cell::add_months;
use chrono::{Datelike, Duration, NaiveDate};

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

    pub fn new(pay_start: NaiveDate, policy: &Policy) -> Period {
        let activity_start = add_months(pay_start, -1);
        let activity_end = pay_start - Duration::days(1);
        let mut cutoff = pay_start;
        let mut counted = 0;
        // A month always has enough working days; the bound only guards bad config.
        for _ in 0..62 {
            if policy.is_working_day(cutoff) {
                counted += 1;
                if counted >= policy.claims.cutoff_working_days.max(1) {
                    break;
                }
            }
            cutoff += Duration::days(1);
        }
        Period {
            pay_start,
            activity_start,
            activity_end,
            cutoff,
        }
    }

    /// `2025-06`.
    pub fn label(&self) -> String {
        format!("{:04}-{:02}", self.pay_start.year(), self.pay_start.month())
    }
}
