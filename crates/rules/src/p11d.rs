//! The rows of p11d.csv (SPEC §4.1, §3.8): tax-year-to-date P11D amounts per employee,
//! tax year (6 April – 5 April) and section.
//!
//! A line's amount belongs to the tax year of its expense_date, not of the
//! run, so a run whose activity month is April splits 5 and 6 April between
//! two tax years. Year to date = what earlier periods committed to the
//! ledger + this run's paid lines.

use crate::model::claim::ClaimLine;
use crate::model::decision::Decision;
use crate::model::history::History;
use crate::model::p11d::{P11dRow, P11dTotals};
use crate::model::period::Period;
use crate::model::roster::Staff;
use crate::model::time::tax_year;
use foldhash::HashMap;
use std::collections::BTreeSet;

/// The P11D amounts of this run's paid lines, by the tax year of each line's
/// expense_date (what the ledger stores for the period).
pub fn this_run(lines: &[ClaimLine], decisions: &[Decision]) -> P11dTotals {
    let mut sums = P11dTotals::new();
    for (line, d) in lines.iter().zip(decisions) {
        // The engine keeps P11D amounts on paid lines only; the section is
        // blank exactly when the amount is zero (SPEC §6.6 rule 37).
        let (true, Some(section)) = (d.status.is_paid() && !d.p11d_amount.is_zero(), d.p11d_section) else {
            continue;
        };
        let key = (line.assignment.clone(), tax_year(line.expense_date), section);
        *sums.entry(key).or_default() += d.p11d_amount;
    }
    sums.retain(|_, amount| !amount.is_zero());
    sums
}

/// The rows of p11d.csv: for each tax year the run reports on, every
/// employee and section with a non-zero year-to-date amount, by
/// (assignment, tax year, section).
///
/// The years reported are those the activity month touches (an April
/// activity month touches two) and any earlier year this run's lines added
/// to (late claims): a year nothing touches any more is final and stays in
/// the ledger, not in every later p11d.csv.
pub fn year_to_date(
    run: &P11dTotals,
    history: &History,
    period: &Period,
    staff: &HashMap<&str, &Staff>,
) -> Vec<P11dRow> {
    let mut years: BTreeSet<i32> = [tax_year(period.activity_start), tax_year(period.activity_end)].into();
    years.extend(run.keys().map(|(_, y, _)| *y));
    let mut totals = P11dTotals::new();
    for (key, amount) in history.p11d.iter().chain(run) {
        if years.contains(&key.1) {
            *totals.entry(key.clone()).or_default() += *amount;
        }
    }
    totals
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|((assignment, tax_year, section), amount)| P11dRow {
            name: staff.get(assignment.as_str()).map(|s| s.name.clone()).unwrap_or_default(),
            assignment,
            tax_year,
            section,
            amount,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::decision::Status;
    use crate::model::Pence;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn paid(assignment: &str, on: NaiveDate, pence: i64, section: char) -> (ClaimLine, Decision) {
        let line = ClaimLine { assignment: assignment.into(), expense_date: on, ..Default::default() };
        let decision = Decision {
            allowed: Pence(pence * 2),
            status: Status::Paid,
            taxable_payroll: Pence::ZERO,
            p11d_amount: Pence(pence),
            p11d_section: Some(section),
            rules: vec![],
        };
        (line, decision)
    }

    #[test]
    fn tax_year_boundary_and_year_to_date() {
        let (lines, decisions): (Vec<_>, Vec<_>) = [
            paid("E1", d(2025, 4, 5), 100, 'E'),
            paid("E1", d(2025, 4, 6), 200, 'E'),
            paid("E1", d(2025, 4, 30), 30, 'E'),
            paid("E2", d(2025, 4, 20), 5000, 'J'),
        ]
        .into_iter()
        .unzip();
        let run = this_run(&lines, &decisions);
        assert_eq!(run[&("E1".to_string(), 2024, 'E')], Pence(100));
        assert_eq!(run[&("E1".to_string(), 2025, 'E')], Pence(230));

        let config = Config::built_in().unwrap();
        let mut history = History::default();
        history.p11d.insert(("E1".into(), 2024, 'E'), Pence(1_000));
        history.p11d.insert(("E1".into(), 2023, 'E'), Pence(9_999));
        // Activity April 2025 touches 2024-25 and 2025-26; 2023-24 is final.
        let period = Period::new(d(2025, 5, 1), &config.policy);
        let rows = year_to_date(&run, &history, &period, &HashMap::default());
        let got: Vec<_> =
            rows.iter().map(|r| (r.assignment.as_str(), r.tax_year_label(), r.section, r.amount.0)).collect();
        assert_eq!(
            got,
            [
                ("E1", "2024-25".to_string(), 'E', 1_100),
                ("E1", "2025-26".to_string(), 'E', 230),
                ("E2", "2025-26".to_string(), 'J', 5_000)
            ]
        );
        // June: only 2025-26, unless a late line adds to 2024-25.
        let period = Period::new(d(2025, 7, 1), &config.policy);
        assert!(year_to_date(&P11dTotals::new(), &history, &period, &HashMap::default()).is_empty());
        assert_eq!(year_to_date(&run, &history, &period, &HashMap::default()).len(), 3);
    }
}
