//! PP — pay protection after organisational change (SPEC §3.12, §6.8 rules
//! 43–45; CORP/EMP 9 §6).
//!
//! Each row of the optional Protection register gives up to two windows:
//! SHORT (earnings, CORP/EMP 9 §6.2) and LONG (basic salary, §6.3), whose
//! lengths come from the config tables by completed years of reckonable
//! service at the change date. A window runs from change_date to
//! change_date + N months − 1 day (day clamped), ended early by a
//! fixed_term_end or ceased_date; every end is inclusive.
//!
//! For the activity month each active row gives a top-up, pro-rated by the
//! days of the month inside each kind's own window; the employee's payroll
//! line is the sum over rows. All arithmetic is exact (integer pence over
//! integer denominators), rounded half up to the penny once per row.

use super::{Family, Rule};
use crate::model::adjustment::AdjustmentRow;
use crate::model::decision::{Finding, Subject};
use crate::model::money::round_half_up_div;
use crate::model::protection::{Mark, RowSummary};
use crate::model::roster::{Protection, Staff};
use crate::model::rule::Severity;
use crate::model::time::add_months;
use crate::model::{Category, Pence, ProtectionKind, ProtectionReason};
use crate::state::{Ctx, LineState};
use chrono::{Datelike, Duration, NaiveDate};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// PP001 — pay protection active in the activity month.
pub const PP001: Rule = Rule {
    code: "PP001",
    family: Family::Protection,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 9 §6.2, §6.3",
    summary: "Pay protection active in the activity month: payroll line \"Pay protection top-up\"; the employee's rows are marked.",
    what: "a register row with a protectable reason (ORG_CHANGE, DOWNGRADE) whose SHORT or LONG window overlaps the activity month.",
    policy: "CORP/EMP 9 §6.2 (short-term protection of earnings), §6.3 (long-term protection of basic salary; both concurrently: the more favourable while SHORT lasts, then LONG).",
    effect: "INFO, one per active row, even when its top-up is £0; the employee gets one \"Pay protection top-up\" payroll line (PAY_PROTECTION, taxable and NI-able) with the rows' top-ups summed, and every adjustments.csv row of the employee is marked with the kind and end of the latest-ending active row.",
    example: "LONG, protected £30,000, new £27,000, window 15 March to 14 September: March top-up = £250 × 17/31 = £137.10.",
    config: "`protection.short`, `protection.long`, `pay.weeks_per_year`, `elements.PAY_PROTECTION`.",
    control: None,
    rejects: false,
};

/// PP002 — protection ends in the activity month or the next one.
pub const PP002: Rule = Rule {
    code: "PP002",
    family: Family::Protection,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 9 §6.1–§6.2",
    summary: "Pay protection ends in the activity month or the next: INFO, payroll to stop the top-up.",
    what: "the overall end of the employee's protection (the end of the latest-ending active row, SHORT or LONG) against the activity month and the month after it.",
    policy: "§6.1–§6.2 — protection lasts for a fixed period by reckonable service and ends at the end of a fixed-term post; at its end pay reverts to the new post.",
    effect: "INFO: payroll to stop the top-up.",
    example: "a window ending 14 September, activity month August → PP002.",
    config: "",
    control: None,
    rejects: false,
};

/// PP003 — the new basic salary is at least the protected one.
pub const PP003: Rule = Rule {
    code: "PP003",
    family: Family::Protection,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 9 §6.3",
    summary: "New basic salary ≥ protected basic salary: LONG protection ends for good: INFO.",
    what: "new_basic ≥ protected_basic on a LONG or BOTH row.",
    policy: ".2, §6.3.5 — long-term protection ends when the basic salary equals or exceeds the protected salary.",
    effect: "INFO; the LONG window is removed altogether (a BOTH row keeps its SHORT window). Reported while the would-be LONG window overlaps the activity month.",
    example: "protected £28,000, new £28,500 → no LONG protection.",
    config: "",
    control: None,
    rejects: false,
};

/// PP004 — the register gives a reason that attracts no protection.
pub const PP004: Rule = Rule {
    code: "PP004",
    family: Family::Protection,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 9 §6.1",
    summary: "Protection register row with a reason that attracts no protection: WARNING, no top-up.",
    what: "reason CAPABILITY, CONDUCT, VOLUNTARY, SECONDMENT or ACTING_UP.",
    policy: "§6.1 — protection follows organisational change or down grading \"other than for a reason of capability or conduct\"; it does not apply after secondment or acting up, to voluntary moves, or to redeployment for incapability.",
    effect: "WARNING, no top-up. Reported while the would-be window overlaps the activity month.",
    example: "a CAPABILITY or CONDUCT downgrade on 1 May → WARNING in May's run, £0.",
    config: "",
    control: None,
    rejects: false,
};

/// PP005 — excess travel claimed outside the protection window.
pub const PP005: Rule = Rule {
    code: "PP005",
    family: Family::Protection,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 9 §6.5",
    summary: "Excess travel of a protected employee outside the protection window: REJECTED.",
    what: "an EXCESS_TRAVEL line of a protected (redeployed) employee — one with a register row of a protectable reason, whatever its dates — whose expense_date lies outside every SHORT and LONG window of those rows (before the change date too).",
    policy: "travel to another site after redeployment is paid for the period of long or short term pay protection only.",
    effect: "REJECTED.",
    example: "change 1 March, LONG 6 months (to 31 August); an EXCESS_TRAVEL line of 2 September → rejected.",
    config: "",
    control: None,
    rejects: true,
};

/// An inclusive date range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// Calendar days of `from..=to` inside the window (0 when apart).
    pub fn days_in(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b) = (self.start.max(from), self.end.min(to));
        if a <= b {
            (b - a).num_days() + 1
        } else {
            0
        }
    }
}

/// Whether the reason attracts protection (CORP/EMP 9 §6.1).
pub fn protectable(reason: ProtectionReason) -> bool {
    matches!(reason, ProtectionReason::OrgChange | ProtectionReason::Downgrade)
}

/// Completed years from `from` to `to` (an anniversary on 29 February falls
/// on 28 February in other years, as `add_months` clamps).
pub fn completed_years(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let mut years = to.year() - from.year();
    while years > 0 && add_months(from, years * 12) > to {
        years -= 1;
    }
    years.max(0) as u32
}

/// What one register row gives, before looking at the activity month.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    pub row: &'a Protection,
    /// Completed years of reckonable service at the change date.
    pub years: u32,
    pub protectable: bool,
    /// PP003: the LONG window is gone for good.
    pub long_ended: bool,
    /// The windows the row's kind and dates would give, whatever the reason
    /// and salaries (what PP003 and PP004 are reported against).
    pub would_short: Option<Window>,
    pub would_long: Option<Window>,
}

impl<'a> Plan<'a> {
    /// Computes the windows of `row` (SPEC §3.12, §6.8 rule 43).
    pub fn new(row: &'a Protection, staff: &Staff, ctx: &Ctx) -> Plan<'a> {
        let years = match row.reckonable_years {
            Some(y) => u32::try_from(y.max(0)).unwrap_or(u32::MAX),
            None => completed_years(staff.service_start, row.change_date),
        };
        let tables = &ctx.config.policy.protection;
        let window = |months: u32| {
            let months = i32::try_from(months).unwrap_or(i32::MAX / 12);
            let mut end = add_months(row.change_date, months) - Duration::days(1);
            for early in [row.fixed_term_end, row.ceased_date].into_iter().flatten() {
                end = end.min(early);
            }
            // An early end before the change date leaves no window at all.
            (end >= row.change_date).then_some(Window { start: row.change_date, end })
        };
        let (has_short, has_long) = match row.protection {
            ProtectionKind::Short => (true, false),
            ProtectionKind::Long => (false, true),
            ProtectionKind::Both => (true, true),
        };
        Plan {
            row,
            years,
            protectable: protectable(row.reason),
            long_ended: has_long && row.new_basic >= row.protected_basic,
            would_short: if has_short { window(tables.short.months_for(years)) } else { None },
            would_long: if has_long { window(tables.long.months_for(years)) } else { None },
        }
    }

    /// The SHORT window in force.
    pub fn short(&self) -> Option<Window> {
        self.would_short.filter(|_| self.protectable)
    }

    /// The LONG window in force (none after PP003).
    pub fn long(&self) -> Option<Window> {
        self.would_long.filter(|_| self.protectable && !self.long_ended)
    }

    /// Whether `date` lies in a window in force (PP005).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.short().into_iter().chain(self.long()).any(|w| w.contains(date))
    }

    /// The end of the row's protection: the later of its windows in force.
    pub fn end(&self) -> Option<NaiveDate> {
        self.short().into_iter().chain(self.long()).map(|w| w.end).max()
    }

    /// The kind the row's rows are marked with: BOTH loses LONG after PP003.
    pub fn kind(&self) -> Option<ProtectionKind> {
        match (self.short().is_some(), self.long().is_some()) {
            (true, true) => Some(ProtectionKind::Both),
            (true, false) => Some(ProtectionKind::Short),
            (false, true) => Some(ProtectionKind::Long),
            (false, false) => None,
        }
    }

    /// Whether a window in force overlaps `from..=to`.
    pub fn active_in(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.short().into_iter().chain(self.long()).any(|w| w.days_in(from, to) > 0)
    }
}

/// An exact non-negative amount of pence: `num / den`.
#[derive(Clone, Copy, Debug)]
struct Exact {
    num: i128,
    den: i128,
}

impl Exact {
    fn cmp(self, other: Exact) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }

    fn round(self) -> Pence {
        Pence(round_half_up_div(self.num, self.den))
    }
}

/// One row's top-up for the activity month, with the figures behind it.
#[derive(Clone, Debug)]
pub struct TopUp {
    pub amount: Pence,
    /// Days of the month inside the SHORT / LONG window, and the month's days.
    pub short_days: i64,
    pub long_days: i64,
    pub month_days: i64,
    /// The kind whose amount was paid (the larger, for BOTH), if any.
    pub paid_as: Option<ProtectionKind>,
}

/// The top-up of an active row for the month `from..=to` (SPEC §3.12):
/// LONG (protected − new basic) / 12, SHORT weekly × 52.143 / 12 − period
/// earnings, each if positive and × days inside its window / days in month;
/// the larger of the two; rounded half up once, at the end.
pub fn top_up(plan: &Plan, from: NaiveDate, to: NaiveDate, ctx: &Ctx) -> TopUp {
    let month_days = (to - from).num_days() + 1;
    let row = plan.row;
    let short_days = plan.short().map_or(0, |w| w.days_in(from, to));
    let long_days = plan.long().map_or(0, |w| w.days_in(from, to));

    let long = (long_days > 0)
        .then(|| i128::from((row.protected_basic - row.new_basic).0))
        .filter(|diff| *diff > 0)
        .map(|diff| Exact { num: diff * i128::from(long_days), den: 12 * i128::from(month_days) });

    // weekly × (wn / wd) / 12 − period = (weekly × wn − 12 × wd × period) / (12 × wd)
    let weeks = ctx.config.policy.pay.weeks_per_year;
    let (wn, wd) = (i128::from(weeks.numerator), i128::from(weeks.denominator).max(1));
    let short = match (short_days > 0, row.protected_weekly_earnings, row.new_period_earnings) {
        (true, Some(weekly), Some(period)) => {
            Some(i128::from(weekly.0) * wn - 12 * wd * i128::from(period.0))
                .filter(|n| *n > 0)
                .map(|n| Exact { num: n * i128::from(short_days), den: 12 * wd * i128::from(month_days) })
        }
        _ => None,
    };

    let (best, paid_as) = match (short, long) {
        (Some(s), Some(l)) if s.cmp(l) == Ordering::Greater => (Some(s), Some(ProtectionKind::Short)),
        (_, Some(l)) => (Some(l), Some(ProtectionKind::Long)),
        (Some(s), None) => (Some(s), Some(ProtectionKind::Short)),
        (None, None) => (None, None),
    };
    TopUp { amount: best.map_or(Pence::ZERO, Exact::round), short_days, long_days, month_days, paid_as }
}

/// Everything the protection rules produce for a run.
#[derive(Clone, Debug, Default)]
pub struct ProtectionOutcome {
    /// PP001–PP004 findings, by assignment.
    pub findings: Vec<Finding>,
    /// One PAY_PROTECTION row per employee with a non-zero top-up.
    pub topups: Vec<AdjustmentRow>,
    /// The mark of every employee with active protection.
    pub marks: BTreeMap<String, Mark>,
    /// Top-ups for the ledger (non-zero only).
    pub paid: Vec<(String, Pence)>,
    /// The register rows reported this month.
    pub rows: Vec<RowSummary>,
}

/// PP001–PP004 for every employee on the register, by assignment. The
/// register is small (a row per redeployment), so this runs sequentially.
pub fn evaluate(ctx: &Ctx) -> ProtectionOutcome {
    let mut by_employee: BTreeMap<&str, Vec<&Protection>> = BTreeMap::new();
    for row in &ctx.roster.protections {
        by_employee.entry(row.assignment.as_str()).or_default().push(row);
    }
    let mut out = ProtectionOutcome::default();
    for (assignment, rows) in by_employee {
        // Ingest skips register rows of an assignment not on Staff (DAT003).
        let Some(&staff) = ctx.staff.get(assignment) else { continue };
        employee(staff, &rows, ctx, &mut out);
    }
    out
}

fn employee(staff: &Staff, rows: &[&Protection], ctx: &Ctx, out: &mut ProtectionOutcome) {
    let (from, to) = (ctx.period.activity_start, ctx.period.activity_end);
    let next_month_end = add_months(to + Duration::days(1), 1) - Duration::days(1);
    let finding = |rule: &'static Rule, row: &Protection, message: String| Finding {
        rule,
        severity: rule.severity,
        subject: Subject::Employee { assignment: staff.assignment.clone(), date: Some(row.change_date) },
        message,
        source: Some(row.source.clone()),
    };
    let plans: Vec<Plan> = rows.iter().map(|r| Plan::new(r, staff, ctx)).collect();

    // The mark: kind and end of the latest-ending active row (the later row
    // of the register on a tie).
    let mark = plans
        .iter()
        .filter(|p| p.active_in(from, to))
        .filter_map(|p| Some((p.end()?, p.kind()?)))
        .max_by_key(|(end, _)| *end)
        .map(|(end, kind)| Mark { kind, end });

    let mut total = Pence::ZERO;
    let mut sources = Vec::new();
    for plan in &plans {
        let row = plan.row;
        let would_overlap = |w: Option<Window>| w.is_some_and(|w| w.days_in(from, to) > 0);
        let summary = |status: &'static str, top_up: Pence| RowSummary {
            assignment: staff.assignment.clone(),
            name: staff.name.clone(),
            cost_centre: staff.cost_centre.clone(),
            reason: row.reason,
            kind: row.protection,
            change_date: row.change_date,
            reckonable_years: plan.years,
            short_end: plan.short().map(|w| w.end),
            long_end: plan.long().map(|w| w.end),
            status,
            top_up,
            source: row.source.to_string(),
        };
        if !plan.protectable {
            if would_overlap(plan.would_short) || would_overlap(plan.would_long) {
                out.findings.push(finding(
                    &PP004,
                    row,
                    format!(
                        "reason {} attracts no pay protection (CORP/EMP 9 §6.1): no top-up for the {} change of {}",
                        row.reason.code(),
                        row.protection.code(),
                        row.change_date
                    ),
                ));
                out.rows.push(summary("PP004", Pence::ZERO));
            }
            continue;
        }
        if plan.long_ended && would_overlap(plan.would_long) {
            out.findings.push(finding(
                &PP003,
                row,
                format!(
                    "new basic salary £{} is not below the protected £{}: LONG protection from {} has ended",
                    row.new_basic, row.protected_basic, row.change_date
                ),
            ));
            if !plan.active_in(from, to) {
                out.rows.push(summary("PP003", Pence::ZERO));
            }
        }
        if !plan.active_in(from, to) {
            continue;
        }
        let t = top_up(plan, from, to, ctx);
        let mut parts = Vec::new();
        if let Some(w) = plan.short() {
            let figures = if row.protected_weekly_earnings.is_some() && row.new_period_earnings.is_some() {
                ""
            } else {
                " (no top-up: protected_weekly_earnings and new_period_earnings are both needed)"
            };
            parts.push(format!(
                "SHORT {} to {}, {}/{} days{figures}",
                w.start, w.end, t.short_days, t.month_days
            ));
        }
        if let Some(w) = plan.long() {
            parts.push(format!("LONG {} to {}, {}/{} days", w.start, w.end, t.long_days, t.month_days));
        }
        let paid_as = t.paid_as.map(|k| format!(" paid as {}", k.code())).unwrap_or_default();
        let marked = mark.map(|m| format!("; employee marked {}", m.describe())).unwrap_or_default();
        out.findings.push(finding(
            &PP001,
            row,
            format!(
                "{} protection ({} reckonable years): {}; top-up £{}{paid_as}{marked}",
                row.protection.code(),
                plan.years,
                parts.join("; "),
                t.amount
            ),
        ));
        out.rows.push(summary("PP001", t.amount));
        if !t.amount.is_zero() {
            total += t.amount;
            sources.push(row.source.to_string());
        }
    }

    let Some(mark) = mark else { return };
    if mark.end >= from && mark.end <= next_month_end {
        // Attached to the row that sets the end.
        if let Some(plan) =
            plans.iter().filter(|p| p.active_in(from, to)).rfind(|p| p.end() == Some(mark.end))
        {
            out.findings.push(finding(
                &PP002,
                plan.row,
                format!("pay protection ends on {}: payroll to stop the top-up after that date", mark.end),
            ));
        }
    }
    out.marks.insert(staff.assignment.clone(), mark);
    if !total.is_zero() {
        out.paid.push((staff.assignment.clone(), total));
        out.topups.push(AdjustmentRow {
            assignment: staff.assignment.clone(),
            name: staff.name.clone(),
            cost_centre: staff.cost_centre.clone(),
            element: "PAY_PROTECTION",
            units: "1".into(),
            rate: String::new(),
            amount: total,
            taxable: true,
            ni_able: true,
            protected: mark.kind.code().to_string(),
            protection_end: mark.end.to_string(),
            source: sources.join(";"),
        });
    }
}

/// PP005 (a line check): EXCESS_TRAVEL of a protected employee outside every
/// protection window (SPEC §6.8 rule 45).
pub fn check(line: &mut LineState, ctx: &Ctx) {
    if line.line.category != Some(Category::ExcessTravel) {
        return;
    }
    let assignment = line.line.assignment.as_str();
    let plans: Vec<Plan> = ctx
        .roster
        .protections
        .iter()
        .filter(|r| r.assignment == assignment && protectable(r.reason))
        .map(|r| Plan::new(r, line.staff, ctx))
        .collect();
    if plans.is_empty() {
        return;
    }
    let date = line.line.expense_date;
    if plans.iter().any(|p| p.covers(date)) {
        return;
    }
    let windows: Vec<String> = plans
        .iter()
        .flat_map(|p| p.short().into_iter().chain(p.long()))
        .map(|w| format!("{} to {}", w.start, w.end))
        .collect();
    let windows = if windows.is_empty() { "none".to_string() } else { windows.join(", ") };
    line.reject(
        &PP005,
        format!(
            "excess travel on {date} is outside the employee's pay protection (windows: {windows}); it is paid only while protection lasts"
        ),
    );
}

#[cfg(test)]
mod tests;
