//! Sickness absence figures (SPEC §10.1, §10.2): FTE days available and
//! lost, short and long term, episodes and returns from sickness per
//! (cost_centre, staff_group). Exact: an assignment's FTE is
//! contracted_hours ÷ full-time hours, held as a numerator over the one
//! denominator 100 × full-time hours (contracted hours are hundredths), so
//! sums stay integers and outputs round once.

use super::Episode;
use crate::model::absence::{AbsenceReport, AbsenceRow, ReasonRow, ReturnRow, ALL, NOT_RECORDED};
use crate::model::history::CountedReturn;
use crate::model::roster::Staff;
use crate::state::Ctx;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// How long after an episode's end a shift is its day of return (SPEC §10.1).
const SHIFT_LOOK_AHEAD_DAYS: i64 = 14;

/// One employee's share of the month's figures.
pub struct EmployeeAbsence {
    cost_centre: String,
    staff_group: String,
    row: AbsenceRow,
    /// Per episode with a sickness day in the month: its reason and lost days.
    reasons: Vec<(String, i128)>,
    pub returns: Vec<ReturnRow>,
}

/// The working days after `from` up to and including `to`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, ctx: &Ctx) -> i64 {
    let calendar = &ctx.config.policy;
    from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| calendar.is_working_day(*d)).count() as i64
}

/// The `n`th working day after `from`.
fn nth_working_day_after(from: NaiveDate, n: u32, ctx: &Ctx) -> NaiveDate {
    let calendar = &ctx.config.policy;
    from.iter_days()
        .skip(1)
        .filter(|d| calendar.is_working_day(*d))
        .nth(n.max(1) as usize - 1)
        .unwrap_or(from)
}

/// The day of return from an episode: the assignment's first shift within
/// 14 days after its end, else the first working day after it.
fn day_of_return(staff: &Staff, e: &Episode, ctx: &Ctx) -> NaiveDate {
    (1..=SHIFT_LOOK_AHEAD_DAYS)
        .map(|n| e.end + Duration::days(n))
        .find(|d| !ctx.shifts_on(&staff.assignment, *d).is_empty())
        .unwrap_or_else(|| nth_working_day_after(e.end, 1, ctx))
}

/// Working days from an episode's start to its end, whichever months.
fn working_days(e: &Episode, ctx: &Ctx) -> u64 {
    e.start.iter_days().take_while(|d| *d <= e.end).filter(|d| ctx.config.policy.is_working_day(*d)).count()
        as u64
}

/// The employee's figures, or `None` when not employed on any day of the
/// activity month. `score` and `stage` are the Bradford figures as of this run.
pub(super) fn employee(
    staff: &Staff,
    episodes: &[Episode],
    score: u64,
    stage: u32,
    ctx: &Ctx,
) -> Option<EmployeeAbsence> {
    let (month_start, month_end) = (ctx.period.activity_start, ctx.period.activity_end);
    let from = staff.start_date.map_or(month_start, |d| d.max(month_start));
    let to = staff.leave_date.map_or(month_end, |d| d.min(month_end));
    if from > to {
        return None;
    }
    let policy = &ctx.config.policy.sickness;
    let fte = i128::from(staff.contracted_hours_x100)
        * i128::from(ctx.config.policy.pay.full_time_weekly_hours.denominator);
    let days = |a: NaiveDate, b: NaiveDate| -> i128 { ((b - a).num_days() + 1).max(0) as i128 };
    let mut row = AbsenceRow { headcount: 1, fte, available: days(from, to) * fte, ..Default::default() };
    let mut reasons = Vec::new();
    let mut returns = Vec::new();
    let counted = ctx.history.counted_returns.get(staff.assignment.as_str());
    for e in episodes {
        let working = working_days(e, ctx);
        let long_term = working > u64::from(policy.long_term_sickness_working_days);
        let (a, b) = (e.start.max(from), e.end.min(to));
        if a <= b {
            let lost = days(a, b) * fte;
            row.lost += lost;
            if long_term {
                row.lost_long += lost;
                row.episodes_long += 1;
            } else {
                row.lost_short += lost;
            }
            row.episodes += 1;
            let reason = e.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or(NOT_RECORDED);
            reasons.push((reason.to_string(), lost));
        }
        let back = day_of_return(staff, e, ctx);
        let counted_before = counted
            .is_some_and(|list| list.iter().any(|c| e.start <= c.episode_start && c.episode_start <= e.end));
        if back < from || back > to || counted_before {
            continue;
        }
        // An interview dated on or before the end belongs to another return.
        let rtw_date = e.rtw.filter(|d| *d > e.end && ctx.roster.rtw_column);
        let r = ReturnRow {
            assignment: staff.assignment.clone(),
            name: staff.name.clone(),
            cost_centre: staff.cost_centre.clone(),
            start: e.start,
            end: e.end,
            working_days: working,
            long_term,
            day_of_return: back,
            rtw_date,
            deadline: nth_working_day_after(back, policy.rtw_within_working_days, ctx),
            score,
            stage,
        };
        row.returns += 1;
        row.rtw_recorded += u64::from(r.rtw_date.is_some());
        row.rtw_on_time += u64::from(r.on_time());
        returns.push(r);
    }
    Some(EmployeeAbsence {
        cost_centre: staff.cost_centre.clone(),
        staff_group: staff.staff_group.code().to_string(),
        row,
        reasons,
        returns,
    })
}

/// The run's figures from every employee's (given in assignment order).
pub(super) fn report(figures: Vec<EmployeeAbsence>, ctx: &Ctx) -> AbsenceReport {
    let mut groups: BTreeMap<(String, String), AbsenceRow> = BTreeMap::new();
    let mut reasons: BTreeMap<String, ReasonRow> = BTreeMap::new();
    let mut returns = Vec::new();
    for f in figures {
        let group = groups.entry((f.cost_centre.clone(), f.staff_group.clone())).or_insert_with(|| {
            AbsenceRow { cost_centre: f.cost_centre, staff_group: f.staff_group, ..Default::default() }
        });
        group.add(&f.row);
        for (reason, lost) in f.reasons {
            let r =
                reasons.entry(reason.clone()).or_insert_with(|| ReasonRow { reason, ..Default::default() });
            r.episodes += 1;
            r.lost += lost;
        }
        returns.extend(f.returns);
    }
    let mut all = AbsenceRow { cost_centre: ALL.into(), staff_group: ALL.into(), ..Default::default() };
    let mut rows: Vec<AbsenceRow> = groups.into_values().filter(|g| g.available > 0).collect();
    for g in &rows {
        all.add(g);
    }
    if all.available > 0 {
        rows.push(all);
    }
    let mut reasons: Vec<ReasonRow> = reasons.into_values().collect();
    reasons.sort_by(|a, b| b.lost.cmp(&a.lost).then_with(|| a.reason.cmp(&b.reason)));
    AbsenceReport {
        denominator: 100 * i128::from(ctx.config.policy.pay.full_time_weekly_hours.numerator),
        rows,
        reasons,
        returns,
        rtw_column: ctx.roster.rtw_column,
    }
}

/// The returns the ledger keeps, so that later runs do not count them again.
pub fn counted(report: &AbsenceReport) -> Vec<CountedReturn> {
    report
        .returns
        .iter()
        .map(|r| CountedReturn {
            assignment: r.assignment.clone(),
            episode_start: r.start,
            day_of_return: r.day_of_return,
        })
        .collect()
}

#[cfg(test)]
mod tests;
