//! KIT — keeping-in-touch and SPLIT days worked during maternity, adoption
//! and shared parental leave, paid on return (SPEC §14; Parental Leave
//! Policy §5 "Keeping in touch (KIT) arrangements", §6a "Shared parental
//! leave in touch (SPLIT) days").
//!
//! The roster holds both facts the policy asks the manager to send SBS: the
//! leave (Absences) and the days worked during it (Shifts). A KIT day is a
//! date inside the leave with any shift; this run's Shifts and the days the
//! ledger holds for the same leave are counted together (a date once, this
//! run's copy first). They are paid in the run whose activity month holds
//! the return (end_date + 1), once per leave.

use super::{Family, Rule};
use crate::model::adjustment::AdjustmentRow;
use crate::model::decision::{Finding, Subject};
use crate::model::kit::{hours_text, KitDay, KitLeave, KitPaid, LeaveKey};
use crate::model::money::round_half_up_div;
use crate::model::roster::{Absence, Shift, Staff};
use crate::model::rule::Severity;
use crate::model::{AbsenceType, Pence};
use crate::state::Ctx;
use chrono::{Duration, NaiveDate};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// KIT001 — a leave with KIT or SPLIT days returns in the activity month.
pub const KIT001: Rule = Rule {
    code: "KIT001",
    family: Family::KeepingInTouch,
    severity: Severity::Info,
    policy_ref: "Parental Leave Policy §5, §6A",
    summary: "KIT / SPLIT days of a maternity, adoption or shared parental leave paid on return (KIT_DAYS).",
    what: "a MATERNITY, ADOPTION or SHARED_PARENTAL leave whose return (end_date + 1) falls in the activity month and on whose dates the employee worked shifts (KIT days, from this run's Shifts and the ledger's earlier runs).",
    policy: "§5 — \"KIT days are paid at your normal hourly rate … Payment of KIT days will be made on your return from maternity/adoption leave. Your manager will notify SBS on your return of the number of KIT days and the dates worked\"; \"working for a part of any day counts as one of the 10 KIT days\"; §6a — up to 20 SPLIT days during shared parental leave.",
    effect: "INFO and one KIT_DAYS adjustments row: units = Σ shift hours, rate = the LV001 hourly rate, amount = round_half_up(Σ hours × annual_salary / (52.143 × contracted_hours)) computed exactly; taxable and NI-able.",
    example: "maternity leave 6 January – 31 May 2025; shifts 07:30–12:00 and 13:00–17:30 on 10 March (one KIT day) and 09:00–13:30 on 14 April; £26,000 a year, 37.5 h → 2 KIT days, 13.50 h at £13.30, KIT_DAYS £179.51 in pay period 2025-07 (activity month June, the month of return).",
    config: "`leave.kit_days`, `leave.split_days`, `pay.weeks_per_year`.",
    control: None,
    rejects: false,
};

/// KIT002 — more KIT (SPLIT) days in one leave than the policy allows.
pub const KIT002: Rule = Rule {
    code: "KIT002",
    family: Family::KeepingInTouch,
    severity: Severity::Warning,
    policy_ref: "Parental Leave Policy §5, §6A",
    summary: "More than {leave.kit_days} KIT days (SPLIT: {leave.split_days}) in one leave: WARNING for HR.",
    what: "the first KIT day beyond {leave.kit_days} in a maternity or adoption leave, or beyond {leave.split_days} SPLIT days in a shared parental leave, falls in the activity month.",
    policy: "§5 — \"By law, you can attend work up to 10 KIT days\"; §6a — \"You and your partner can both work up to 20 days during SPL\". Work beyond them may bring the leave to an end.",
    effect: "WARNING, once per leave, naming the dates beyond the limit; the days are still paid on return (work done is paid).",
    example: "an 11th day worked during maternity leave, on 3 March → warning in the run of March's activity.",
    config: "`leave.kit_days`, `leave.split_days`.",
    control: None,
    rejects: false,
};

/// Everything the KIT rules produce for a run.
#[derive(Default)]
pub struct KitOutcome {
    /// KIT001 / KIT002 findings, by assignment.
    pub findings: Vec<Finding>,
    /// One KIT_DAYS row per leave paid this run, by assignment.
    pub payments: Vec<AdjustmentRow>,
    /// The leaves with KIT days, for the Attendance sheet.
    pub leaves: Vec<KitLeave>,
    /// The KIT days this run's Shifts show, for the ledger.
    pub days: Vec<KitDay>,
    /// The leaves paid this run, for the ledger.
    pub paid: Vec<KitPaid>,
}

/// KIT001–KIT002 for every employee (in parallel; output by assignment).
pub fn evaluate(ctx: &Ctx) -> KitOutcome {
    let mut staff: Vec<&Staff> = ctx.staff.values().copied().collect();
    staff.sort_by(|a, b| a.assignment.cmp(&b.assignment));
    let results: Vec<KitOutcome> = staff.par_iter().map(|s| employee(s, ctx)).collect();
    let mut all = KitOutcome::default();
    for mut r in results {
        all.findings.append(&mut r.findings);
        all.payments.append(&mut r.payments);
        all.leaves.append(&mut r.leaves);
        all.days.append(&mut r.days);
        all.paid.append(&mut r.paid);
    }
    all
}

/// A leave: the rows of one type that overlap or touch, merged.
struct Leave<'a> {
    kind: AbsenceType,
    start: NaiveDate,
    end: NaiveDate,
    rows: Vec<&'a Absence>,
}

/// The employee's KIT leaves, by start date.
fn leaves<'a>(rows: &[&'a Absence]) -> Vec<Leave<'a>> {
    let mut kit: Vec<&Absence> = rows.iter().copied().filter(|a| a.absence_type.has_kit_days()).collect();
    kit.sort_by_key(|a| (a.absence_type, a.start_date, a.end_date));
    let mut out: Vec<Leave> = Vec::new();
    for row in kit {
        match out.last_mut() {
            Some(l) if l.kind == row.absence_type && row.start_date <= l.end + Duration::days(1) => {
                l.end = l.end.max(row.end_date);
                l.rows.push(row);
            }
            _ => out.push(Leave {
                kind: row.absence_type,
                start: row.start_date,
                end: row.end_date,
                rows: vec![row],
            }),
        }
    }
    out.sort_by_key(|l| (l.start, l.kind));
    out
}

/// A shift's length in minutes; an end earlier than the start is the next day.
fn shift_minutes(s: &Shift) -> i64 {
    let minutes = (s.end - s.start).num_minutes();
    if minutes < 0 {
        minutes + 24 * 60
    } else {
        minutes
    }
}

/// The KIT days of a leave: the ledger's, then this run's Shifts over them.
/// Returns every day by date, and this run's days apart (the ledger keeps them).
fn days_of(leave: &Leave, key: &LeaveKey, ctx: &Ctx) -> (Vec<KitDay>, Vec<KitDay>) {
    let mut days: BTreeMap<NaiveDate, KitDay> = ctx
        .history
        .kit_days
        .iter()
        .filter(|d| d.leave == *key && leave.start <= d.date && d.date <= leave.end)
        .map(|d| (d.date, d.clone()))
        .collect();
    let mut run = Vec::new();
    for date in leave.start.iter_days().take_while(|d| *d <= leave.end) {
        let shifts = ctx.shifts_on(&key.assignment, date);
        if shifts.is_empty() {
            continue;
        }
        let day = KitDay {
            leave: key.clone(),
            date,
            minutes: shifts.iter().map(|s| shift_minutes(s)).sum(),
            source: shifts.iter().map(|s| s.source.to_string()).collect::<Vec<_>>().join(";"),
        };
        days.insert(date, day.clone());
        run.push(day);
    }
    (days.into_values().collect(), run)
}

fn dates_text(days: &[KitDay]) -> String {
    days.iter().map(|d| d.date.to_string()).collect::<Vec<_>>().join(", ")
}

fn employee(staff: &Staff, ctx: &Ctx) -> KitOutcome {
    let mut out = KitOutcome::default();
    let rows = ctx.index.absences_of(&staff.assignment);
    if !rows.iter().any(|a| a.absence_type.has_kit_days()) {
        return out;
    }
    let leave_cfg = &ctx.config.policy.leave;
    let (month_start, month_end) = (ctx.period.activity_start, ctx.period.activity_end);
    for leave in leaves(rows) {
        let key =
            LeaveKey { assignment: staff.assignment.clone(), leave_type: leave.kind, start: leave.start };
        let (days, run) = days_of(&leave, &key, ctx);
        out.days.extend(run);
        if days.is_empty() {
            continue;
        }
        let (limit, what) = match leave.kind {
            AbsenceType::SharedParental => (leave_cfg.split_days, "SPLIT"),
            _ => (leave_cfg.kit_days, "KIT"),
        };
        let finding = |rule: &'static Rule, severity, message| Finding {
            rule,
            severity,
            subject: Subject::Employee { assignment: staff.assignment.clone(), date: Some(leave.start) },
            message,
            source: Some(leave.rows[0].source.clone()),
        };
        let minutes: i64 = days.iter().map(|d| d.minutes).sum();
        let beyond = days.get(limit as usize..).unwrap_or_default();
        if beyond.first().is_some_and(|d| month_start <= d.date && d.date <= month_end) {
            out.findings.push(finding(
                &KIT002,
                Severity::Warning,
                format!(
                    "{} {} to {}: more than {limit} {what} days in this leave — work beyond them may end \
                     the leave; HR to review (beyond the limit: {})",
                    leave.kind,
                    leave.start,
                    leave.end,
                    dates_text(beyond)
                ),
            ));
        }
        let back = leave.end + Duration::days(1);
        let mut paid_in = ctx.history.kit_paid.get(&key).cloned();
        if paid_in.is_none() && month_start <= back && back <= month_end {
            let weeks = ctx.config.policy.pay.weeks_per_year;
            let c = staff.contracted_hours_x100 as i128;
            // hours × salary / (weeks × contracted): minutes / 60 hours,
            // contracted in hundredths, weeks the exact fraction.
            let amount = Pence(round_half_up_div(
                minutes as i128 * staff.annual_salary.0 as i128 * weeks.denominator as i128 * 100,
                (60 * weeks.numerator as i128 * c).max(1),
            ));
            let rate = super::leave::hourly_rate(staff, ctx);
            out.findings.push(finding(
                &KIT001,
                Severity::Info,
                format!(
                    "{} {} to {}, returned {back}: {} {what} day(s) ({}), {} h paid £{amount}",
                    leave.kind,
                    leave.start,
                    leave.end,
                    days.len(),
                    dates_text(&days),
                    hours_text(minutes)
                ),
            ));
            out.payments.push(AdjustmentRow {
                assignment: staff.assignment.clone(),
                name: staff.name.clone(),
                cost_centre: staff.cost_centre.clone(),
                element: "KIT_DAYS",
                units: hours_text(minutes),
                rate: rate.to_string(),
                amount,
                taxable: true,
                ni_able: true,
                protected: String::new(),
                protection_end: String::new(),
                source: days.iter().map(|d| d.source.as_str()).collect::<Vec<_>>().join(";"),
            });
            out.paid.push(KitPaid {
                leave: key.clone(),
                end: leave.end,
                days: days.len() as u32,
                minutes,
                amount,
            });
            paid_in = Some(ctx.period.label());
        }
        out.leaves.push(KitLeave {
            leave: key,
            name: staff.name.clone(),
            end: leave.end,
            limit,
            days,
            paid_in,
        });
    }
    out
}

#[cfg(test)]
mod tests;
