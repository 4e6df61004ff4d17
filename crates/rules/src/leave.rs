//! LV — special leave entitlements and unpaid-leave deductions
//! (SPEC §3.10, §6.7 rules 39–41; Special Leave Policy CORP/EMP 47 Appendix 3;
//! unpaid parental leave, Parental Leave Policy §7).
//!
//! Each absence row is one episode, identified by (assignment, start_date,
//! end_date, absence_type). Paid entitlement is used in date order, both across
//! episodes (rolling 12 months / financial year, from the ledger's history plus
//! earlier rows of the file) and inside an episode (paid hours first). Only the
//! unpaid hours that fall inside the activity month are deducted this run.

use super::{Family, Rule};
use crate::model::adjustment::AdjustmentRow;
use crate::model::decision::{Finding, Subject};
use crate::model::history::AbsenceEpisode;
use crate::model::money::{hundredths, round_half_up_div};
use crate::model::period::year_label;
use crate::model::roster::{Absence, Staff};
use crate::model::rule::Severity;
use crate::model::time::add_months;
use crate::model::time::financial_year;
use crate::model::{AbsenceType, Pence};
use crate::state::Ctx;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rayon::prelude::*;

/// LV001 — unpaid leave hours in the activity month become a payroll deduction.
pub const LV001: Rule = Rule {
    code: "LV001",
    family: Family::Leave,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 47 §2, §4.1.2",
    summary: "Unpaid leave hours in the activity month: payroll deduction (UNPAID_LEAVE).",
    what: "Hours of unpaid leave (unpaid types, or paid types beyond their entitlement) that fall in the activity month are deducted at the hourly rate annual_salary / (52.143 × contracted_hours).",
    policy: "§2 and §4.1.2 — special leave is granted paid or unpaid and recorded by the manager for payroll; unpaid leave is deducted from pay.",
    effect: "a negative UNPAID_LEAVE line of `round_half_up(hours × annual_salary / (52.143 × contracted_hours))`, hours rounded to 0.01 per absence row, computed exactly.",
    example: "7.5 unpaid hours, £30,000 a year, 37.5 h/week → −£115.07.",
    config: "`pay.weeks_per_year`.",
    control: None,
    rejects: false,
};

/// LV002 — a paid entitlement is exhausted; the excess is unpaid.
pub const LV002: Rule = Rule {
    code: "LV002",
    family: Family::Leave,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 47 Appendix 3 §4.2.2, §4.2.3, §4.2.8, §4.2.9",
    summary: "Paid special-leave entitlement exhausted; excess converted to unpaid: WARNING.",
    what: "Bereavement ({leave.bereavement_immediate_days} days per bereavement), funeral ({leave.funeral_days} day), emergency ({leave.emergency_full_time_hours} h full-time in 12 months, pro rata), reservist ({leave.reservist_weeks_per_year} week per year) and magisterial ({leave.magisterial_days} days in 12 months, pro rata) leave beyond the entitlement is unpaid and deducted.",
    policy: "Appendix 3 — up to six days paid for a bereavement (§4.2.2), emergency leave of six days (45 hours) in a rolling 12 months, pro rata (§4.2.3), one week's paid leave a year for reservists (§4.2.8), no more than 18 days in 12 months for magisterial duties (§4.2.9); beyond them the leave is unpaid.",
    effect: "WARNING; the excess hours are unpaid and deducted by LV001.",
    example: "a 7th day of bereavement leave (6 days paid per bereavement) → WARNING and the 7th day deducted under LV001.",
    config: "`leave.*`.",
    control: None,
    rejects: false,
};

/// LV003 — carer's or close-bereavement leave beyond the policy's limits.
pub const LV003: Rule = Rule {
    code: "LV003",
    family: Family::Leave,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 47 Appendix 3 §4.2.5, §4.2.2",
    summary: "Carer's leave over {leave.carers_weeks_per_year} week(s) a year or under {leave.carers_min_service_years} year(s)'s service; close bereavement over {leave.bereavement_close_warn_after_days} days: WARNING.",
    what: "CARERS over {leave.carers_weeks_per_year} week(s) in the financial year, or taken with under {leave.carers_min_service_years} year(s) of NHS service; BEREAVEMENT_CLOSE over {leave.bereavement_close_warn_after_days} days.",
    policy: "§4.2.5 — carer's leave of up to one week a year, unpaid, after one year's continuous NHS service; §4.2.2 — up to two days' unpaid leave for the bereavement of a close relative or friend.",
    effect: "WARNING (the leave is unpaid anyway).",
    example: "CARERS 6 working days in the financial year for a full-time employee → warning.",
    config: "",
    control: None,
    rejects: false,
};

/// LV004 — unpaid parental leave taken before a year's NHS service.
pub const LV004: Rule = Rule {
    code: "LV004",
    family: Family::Leave,
    severity: Severity::Warning,
    policy_ref: "Parental Leave Policy §7",
    summary: "PARENTAL leave starting before {leave.parental_min_service_years} year(s) of NHS service: WARNING.",
    what: "a PARENTAL absence (the statutory unpaid parental leave) starting before the anniversary of service_start after {leave.parental_min_service_years} year(s).",
    policy: "§7 — \"This is unpaid parental leave … pay and most contractual benefits are suspended\"; \"You must have one year's continuous service with the NHS\" to take it.",
    effect: "WARNING for HR (the leave is unpaid and deducted by LV001 either way).",
    example: "PARENTAL 2–6 June 2025, service start 1 August 2024 (10 months) → warning; service start 2 June 2024 → none.",
    config: "`leave.parental_min_service_years`.",
    control: None,
    rejects: false,
};

/// How much of an absence type is paid (hours ×100 where limited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entitlement {
    /// Paid in full (annual, jury, sickness: sick pay is payroll's).
    All,
    /// Never paid.
    Unpaid,
    /// Limited per episode.
    PerEpisode(i64),
    /// Limited across episodes starting in the rolling 12 months before.
    RollingYear(i64),
    /// Limited across episodes starting earlier in the same financial year.
    FinancialYear(i64),
}

impl Entitlement {
    fn limited(self) -> bool {
        matches!(
            self,
            Entitlement::PerEpisode(_) | Entitlement::RollingYear(_) | Entitlement::FinancialYear(_)
        )
    }
}

/// The entitlement of a type for this employee: days are `contracted / 5`
/// hours, a week is the contracted hours, full-time hours are pro rata.
fn entitlement(kind: AbsenceType, staff: &Staff, ctx: &Ctx) -> Entitlement {
    let leave = &ctx.config.policy.leave;
    let c = staff.contracted_hours_x100 as i128;
    let days = |n: u32| round_half_up_div(n as i128 * c, 5);
    let full_time = ctx.config.policy.pay.full_time_weekly_hours;
    use AbsenceType::*;
    match kind {
        BereavementImmediate => Entitlement::PerEpisode(days(leave.bereavement_immediate_days)),
        Funeral => Entitlement::PerEpisode(days(leave.funeral_days)),
        Emergency => Entitlement::RollingYear(round_half_up_div(
            leave.emergency_full_time_hours as i128 * 100 * c * full_time.denominator as i128,
            (full_time.numerator as i128 * 100).max(1),
        )),
        Reservist => {
            Entitlement::FinancialYear(leave.reservist_weeks_per_year as i64 * staff.contracted_hours_x100)
        }
        Magisterial => Entitlement::RollingYear(days(leave.magisterial_days)),
        // PARENTAL is the unpaid parental leave of the Parental Leave
        // Policy §7 (SPEC §3.10 amended); maternity, paternity, adoption and
        // shared parental pay are payroll's own schemes.
        BereavementClose | Carers | PublicDutyUnpaid | UnpaidSpecial | Unauthorised | Parental => {
            Entitlement::Unpaid
        }
        Jury | PublicDutyPaid | OtherPaid | Annual | Sickness | Maternity | Paternity | Adoption
        | SharedParental => Entitlement::All,
    }
}

/// One episode being judged.
struct Episode<'a> {
    start: NaiveDate,
    end: NaiveDate,
    kind: AbsenceType,
    hours_x100: i64,
    /// The days the hours fall on (working days; all days if none).
    days: Vec<NaiveDate>,
    /// The file's row, or `None` for an episode known only from the ledger.
    row: Option<&'a Absence>,
    paid_x100: i64,
}

fn working_days(start: NaiveDate, end: NaiveDate, ctx: &Ctx) -> Vec<NaiveDate> {
    let all: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= end).collect();
    let working: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| {
            !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !ctx.config.policy.is_bank_holiday(*d)
        })
        .collect();
    if working.is_empty() {
        all
    } else {
        working
    }
}

/// Everything the leave rules produce for a run.
#[derive(Default)]
pub struct LeaveOutcome {
    /// LV findings by assignment.
    pub findings: Vec<Finding>,
    /// One UNPAID_LEAVE row per employee with a deduction, by assignment.
    pub deductions: Vec<AdjustmentRow>,
    /// The file's episodes as judged, for the ledger.
    pub episodes: Vec<AbsenceEpisode>,
}

/// LV001–LV003 for every employee (in parallel; output ordered by assignment).
pub fn evaluate(ctx: &Ctx) -> LeaveOutcome {
    let mut staff: Vec<&Staff> = ctx.staff.values().copied().collect();
    staff.sort_by(|a, b| a.assignment.cmp(&b.assignment));
    let results: Vec<LeaveOutcome> = staff.par_iter().map(|s| employee(s, ctx)).collect();
    let mut all = LeaveOutcome::default();
    for mut r in results {
        all.findings.append(&mut r.findings);
        all.deductions.append(&mut r.deductions);
        all.episodes.append(&mut r.episodes);
    }
    all
}

fn employee(staff: &Staff, ctx: &Ctx) -> LeaveOutcome {
    let rows = ctx.index.absences_of(&staff.assignment);
    let mut out = LeaveOutcome::default();
    if rows.is_empty() {
        return out;
    }
    let c = staff.contracted_hours_x100;
    let mut episodes: Vec<Episode> = Vec::new();
    for row in rows {
        let days = working_days(row.start_date, row.end_date, ctx);
        let counted = days.iter().filter(|d| ctx.config.policy.is_working_day(**d)).count() as i128;
        let hours_x100 = row.hours_x100.unwrap_or_else(|| round_half_up_div(counted * c as i128, 5));
        episodes.push(Episode {
            start: row.start_date,
            end: row.end_date,
            kind: row.absence_type,
            hours_x100,
            days,
            row: Some(row),
            paid_x100: 0,
        });
    }
    // Episodes known only from the ledger count towards rolling entitlements;
    // a row already in the ledger is not counted twice (SPEC §2.3, §6.7 rule 39).
    for past in ctx.past_absences_of(&staff.assignment) {
        let in_file = episodes.iter().any(|e| {
            e.row.is_some()
                && e.start == past.start_date
                && e.end == past.end_date
                && e.kind == past.absence_type
        });
        if !in_file {
            episodes.push(Episode {
                start: past.start_date,
                end: past.end_date,
                kind: past.absence_type,
                hours_x100: past.hours_x100,
                days: Vec::new(),
                row: None,
                paid_x100: past.paid_hours_x100,
            });
        }
    }
    episodes.sort_by_key(|e| (e.start, e.end, e.kind));

    let (month_start, month_end) = (ctx.period.activity_start, ctx.period.activity_end);
    let weeks = ctx.config.policy.pay.weeks_per_year;
    let mut unpaid_rows: Vec<(i64, Pence, String)> = Vec::new();
    for i in 0..episodes.len() {
        let ent = entitlement(episodes[i].kind, staff, ctx);
        if episodes[i].row.is_some() {
            let used_before = |from: NaiveDate, to: NaiveDate| -> i64 {
                episodes[..i]
                    .iter()
                    .filter(|e| e.kind == episodes[i].kind && e.start >= from && e.start <= to)
                    .map(|e| e.paid_x100)
                    .sum()
            };
            let start = episodes[i].start;
            let hours = episodes[i].hours_x100;
            episodes[i].paid_x100 = match ent {
                Entitlement::All => hours,
                Entitlement::Unpaid => 0,
                Entitlement::PerEpisode(limit) => hours.min(limit),
                Entitlement::RollingYear(limit) => {
                    let to = start - Duration::days(1);
                    let from = add_months(to, -12) + Duration::days(1);
                    hours.min((limit - used_before(from, to)).max(0))
                }
                Entitlement::FinancialYear(limit) => {
                    let fy_start = NaiveDate::from_ymd_opt(financial_year(start), 4, 1).unwrap_or(start);
                    hours.min((limit - used_before(fy_start, start - Duration::days(1))).max(0))
                }
            };
        }
        let e = &episodes[i];
        let Some(row) = e.row else { continue };
        let unpaid_total = e.hours_x100 - e.paid_x100;
        out.episodes.push(AbsenceEpisode {
            assignment: staff.assignment.clone(),
            start_date: e.start,
            end_date: e.end,
            absence_type: e.kind,
            hours_x100: e.hours_x100,
            paid_hours_x100: e.paid_x100,
            unpaid_hours_x100: unpaid_total,
        });
        if e.end < month_start || e.start > month_end {
            continue;
        }
        let unpaid = unpaid_in(e, month_start, month_end);
        let finding = |rule: &'static Rule, severity, message| Finding {
            rule,
            severity,
            subject: Subject::Employee { assignment: staff.assignment.clone(), date: Some(e.start) },
            message,
            source: Some(row.source.clone()),
        };
        if unpaid > 0 {
            let amount = Pence(round_half_up_div(
                unpaid as i128 * staff.annual_salary.0 as i128 * weeks.denominator as i128,
                (weeks.numerator as i128 * c as i128).max(1),
            ));
            if ent.limited() {
                out.findings.push(finding(
                    &LV002,
                    Severity::Warning,
                    format!(
                        "{} {} to {}: paid entitlement exhausted; {} h of {} h unpaid in the activity month",
                        e.kind,
                        e.start,
                        e.end,
                        hundredths(unpaid),
                        hundredths(e.hours_x100)
                    ),
                ));
            }
            out.findings.push(finding(
                &LV001,
                Severity::Info,
                format!(
                    "{} {} to {}: {} unpaid hours deducted £{amount}",
                    e.kind,
                    e.start,
                    e.end,
                    hundredths(unpaid)
                ),
            ));
            unpaid_rows.push((unpaid, amount, row.source.to_string()));
        }
        if let Some(why) = limits_exceeded(e, &episodes[..i], staff, ctx) {
            out.findings.push(finding(&LV003, Severity::Warning, why));
        }
        if let Some(why) = parental_too_soon(e, staff, ctx) {
            out.findings.push(finding(&LV004, Severity::Warning, why));
        }
    }
    if !unpaid_rows.is_empty() {
        let hours: i64 = unpaid_rows.iter().map(|r| r.0).sum();
        let amount: Pence = unpaid_rows.iter().map(|r| r.1).sum();
        let rate = hourly_rate(staff, ctx);
        out.deductions.push(AdjustmentRow {
            assignment: staff.assignment.clone(),
            name: staff.name.clone(),
            cost_centre: staff.cost_centre.clone(),
            element: "UNPAID_LEAVE",
            units: hundredths(hours),
            rate: rate.to_string(),
            amount: -amount,
            taxable: true,
            ni_able: true,
            protected: String::new(),
            protection_end: String::new(),
            source: unpaid_rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>().join(";"),
        });
    }
    out
}

/// LV001's hourly rate, annual_salary / (weeks_per_year × contracted_hours),
/// rounded half up to the penny: shown as `rate` on UNPAID_LEAVE and
/// KIT_DAYS rows (the amounts are computed from the exact rate).
pub(crate) fn hourly_rate(staff: &Staff, ctx: &Ctx) -> Pence {
    let weeks = ctx.config.policy.pay.weeks_per_year;
    Pence(round_half_up_div(
        staff.annual_salary.0 as i128 * weeks.denominator as i128 * 100,
        (weeks.numerator as i128 * staff.contracted_hours_x100 as i128).max(1),
    ))
}

/// Unpaid hours (×100, rounded half up) of an episode inside `from..=to`:
/// paid hours come first in date order and each day carries hours / days.
fn unpaid_in(e: &Episode, from: NaiveDate, to: NaiveDate) -> i64 {
    let n = e.days.len() as i128;
    if n == 0 {
        return 0;
    }
    let before = e.days.iter().filter(|d| **d < from).count() as i128;
    let through = e.days.iter().filter(|d| **d <= to).count() as i128;
    let (h, p) = (e.hours_x100 as i128, e.paid_x100 as i128);
    // Unpaid hours up to day k, scaled by n: max(0, h·k − p·n).
    let unpaid_scaled = |k: i128| (h * k - p * n).max(0);
    round_half_up_div(unpaid_scaled(through) - unpaid_scaled(before), n)
}

/// LV003: carer's leave over a week in the financial year or under a year's
/// service; close bereavement over two days (SPEC §6.7 rule 41).
fn limits_exceeded(e: &Episode, earlier: &[Episode], staff: &Staff, ctx: &Ctx) -> Option<String> {
    let leave = &ctx.config.policy.leave;
    let c = staff.contracted_hours_x100;
    match e.kind {
        AbsenceType::BereavementClose => {
            let limit_days = leave.bereavement_close_warn_after_days as i64;
            (e.hours_x100 * 5 > limit_days * c).then(|| {
                format!(
                    "BEREAVEMENT_CLOSE {} to {}: {} h is more than {limit_days} days",
                    e.start,
                    e.end,
                    hundredths(e.hours_x100)
                )
            })
        }
        AbsenceType::Carers => {
            let anniversary = add_months(staff.service_start, 12 * leave.carers_min_service_years as i32);
            if anniversary > e.start {
                return Some(format!(
                    "CARERS {} to {}: less than {} year(s) of NHS service (service start {})",
                    e.start, e.end, leave.carers_min_service_years, staff.service_start
                ));
            }
            let fy = financial_year(e.start);
            let year_hours: i64 = earlier
                .iter()
                .filter(|p| p.kind == AbsenceType::Carers && financial_year(p.start) == fy)
                .map(|p| p.hours_x100)
                .sum::<i64>()
                + e.hours_x100;
            let limit = leave.carers_weeks_per_year as i64 * c;
            (year_hours > limit).then(|| {
                format!(
                    "CARERS {} to {}: {} h in financial year {}, more than {} h",
                    e.start,
                    e.end,
                    hundredths(year_hours),
                    year_label(fy),
                    hundredths(limit)
                )
            })
        }
        _ => None,
    }
}

/// LV004: PARENTAL starting before the anniversary of service_start after
/// `parental_min_service_years` (Parental Leave Policy §7).
fn parental_too_soon(e: &Episode, staff: &Staff, ctx: &Ctx) -> Option<String> {
    let years = ctx.config.policy.leave.parental_min_service_years;
    let anniversary = add_months(staff.service_start, 12 * years as i32);
    (e.kind == AbsenceType::Parental && e.start < anniversary).then(|| {
        format!(
            "PARENTAL {} to {}: less than {years} year(s) of NHS service (service start {}); \
             unpaid parental leave needs one year's continuous NHS service",
            e.start, e.end, staff.service_start
        )
    })
}

#[cfg(test)]
mod tests;
