//! SCK — sickness certification and the Bradford Factor (SPEC §3.11, §6.7
//! rule 42; Attendance Management Policy §9, §10, §20, §21).
//!
//! SICKNESS rows of one person that overlap or touch (end + 1 day = next
//! start) form one episode, with the best certificate of its rows
//! (FIT_NOTE > SELF > NONE). Episodes known only from the ledger take part in
//! the Bradford score.

use super::{Family, Rule};
use crate::config::Sickness;
use crate::model::absence::{AbsenceReport, ReturnRow};
use crate::model::attendance::AttendanceRow;
use crate::model::claim::RowRef;
use crate::model::decision::{Finding, Subject};
use crate::model::money::hundredths;
use crate::model::roster::Staff;
use crate::model::rule::Severity;
use crate::model::time::add_months;
use crate::model::{AbsenceType, Certificate};
use crate::state::Ctx;
use chrono::{Duration, NaiveDate};
use rayon::prelude::*;

/// SCK001 — a sickness episode of 4 or more calendar days with no certificate.
pub const SCK001: Rule = Rule {
    code: "SCK001",
    family: Family::Sickness,
    severity: Severity::Warning,
    policy_ref: "Attendance Management Policy §9",
    summary: "Sickness episode of {sickness.self_certificate_from_days}+ calendar days without a self-certificate: WARNING.",
    what: "a merged sickness episode of {sickness.self_certificate_from_days} or more calendar days with certificate NONE.",
    policy: "\"For absence of 4 calendar days or more the employee is required to complete a self-certification form\".",
    effect: "WARNING (sick pay at risk). Reported in each activity month the episode overlaps.",
    example: "SICKNESS 5–8 May (4 days), certificate NONE → warning.",
    config: "`sickness.self_certificate_from_days`.",
    control: None,
    rejects: false,
};

/// SCK002 — a sickness episode over 7 calendar days without a fit note.
pub const SCK002: Rule = Rule {
    code: "SCK002",
    family: Family::Sickness,
    severity: Severity::Warning,
    policy_ref: "Attendance Management Policy §10.1",
    summary: "Sickness episode over {sickness.fit_note_after_days} calendar days without a fit note: WARNING.",
    what: "a merged sickness episode of more than {sickness.fit_note_after_days} calendar days whose best certificate is not FIT_NOTE.",
    policy: "\"If the employee continues to be absent for more than 7 consecutive days (regardless of whether or not these are working days)\" a Fit Note is needed.",
    effect: "WARNING (sick pay at risk). Reported in each activity month the episode overlaps.",
    example: "SICKNESS 1–8 May (8 days) with a SELF certificate only → warning.",
    config: "`sickness.fit_note_after_days`.",
    control: None,
    rejects: false,
};

/// SCK003 — the Bradford score reaches a trigger for the first time.
pub const SCK003: Rule = Rule {
    code: "SCK003",
    family: Family::Sickness,
    severity: Severity::Info,
    policy_ref: "Attendance Management Policy §20.4, §21.1–§21.2",
    summary: "Bradford score reaches a trigger ({sickness.bradford_triggers}; pro rata for part-time staff) for the first time: INFO.",
    what: "Bradford score = episodes² × calendar days of sickness over the 12 months ending on the activity month's last day (§20.4: calendar days), against the employee's own triggers: an employee with contracted_hours below {pay.full_time_weekly_hours} reaches a trigger at trigger × contracted_hours / {pay.full_time_weekly_hours}, rounded half up to a whole point.",
    policy: "§21.1 — formal action is considered at a Bradford score of at least 150, 500, … \"(Pro rata for part time employees)\"; §21.2 — a score of at least 150 over a 12 month rolling period may warrant formal action.",
    effect: "INFO on the attendance sheet, once per newly reached stage (stages never reset); the message names the score, the trigger reached and, for a part-time employee, the full-time trigger it is pro rata to. The Attendance sheet shows the employee's own triggers.",
    example: "5 episodes totalling 6 days = 5² × 6 = 150 → stage 1 full-time; 22.5 hours a week, 3 episodes / 10 days = 90 → stage 1 (trigger 150 × 22.5 / 37.5 = 90).",
    config: "`sickness.bradford_triggers`, `sickness.bradford_pro_rata`, `pay.full_time_weekly_hours`.",
    control: None,
    rejects: false,
};

/// SCK004 — the return-to-work interview is not recorded, or is late.
pub const SCK004: Rule = Rule {
    code: "SCK004",
    family: Family::Sickness,
    severity: Severity::Warning,
    policy_ref: "Attendance Management Policy §17.1, §17.3, §3.1",
    summary: "Return to work from sickness without a return-to-work interview recorded, or with one later than the {sickness.rtw_within_working_days}th working day after the day of return: WARNING.",
    what: "every sickness episode whose day of return (the assignment's first shift within 14 days after the episode's end, else the first working day after it) falls in the activity month on a day the assignment is employed, when the Absences sheet has an rtw_date column: the episode's interview is the rtw_date of its last row; it is recorded when that date is after the episode's end date. A return counted by an earlier run is not judged again.",
    policy: "§17.1 — \"When returning to work following sickness absence and regardless of the period of absence … the manager/supervisor must arrange to meet with the employee, usually during the first day back … The manager must inform the employee of their Bradford score\"; §17.3 — the record is \"promptly passed to HR (Payroll)\"; §3.1 — return to work interviews are \"signed off and submitted to Human Resources within five working days\".",
    effect: "WARNING, one employee finding per episode returned from in the month: \"no return-to-work interview recorded\" or \"interview on D, N working days after the return\"; the message names the episode's dates, the day of return and the employee's Bradford score and stage. Without an rtw_date column the rule is silent.",
    example: "SICKNESS Mon 5 – Fri 9 May, first shift Mon 12 May, rtw_date 20 May (6 working days after) → warning; rtw_date 19 May (the 5th working day) → none.",
    config: "`sickness.rtw_within_working_days`, `calendar.bank_holidays`.",
    control: None,
    rejects: false,
};

/// A SICKNESS row of this run's Absences sheet or of the ledger (SPEC §10.1).
struct SickRow<'a> {
    start: NaiveDate,
    end: NaiveDate,
    certificate: Certificate,
    source: Option<&'a RowRef>,
    reason: Option<&'a str>,
    rtw: Option<NaiveDate>,
}

/// A merged sickness episode.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Episode {
    start: NaiveDate,
    end: NaiveDate,
    certificate: Certificate,
    /// First file row of the episode (none if only in the ledger).
    source: Option<RowRef>,
    /// The sickness_reason of its first row (SPEC §10.2).
    reason: Option<String>,
    /// The rtw_date of its last row: latest end_date, the later on a tie.
    rtw: Option<NaiveDate>,
}

impl Episode {
    fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// Everything the sickness rules produce for a run.
#[derive(Default)]
pub struct SicknessOutcome {
    pub findings: Vec<Finding>,
    /// One row per employee with sickness in the window, by assignment.
    pub attendance: Vec<AttendanceRow>,
    /// Highest stage reached so far per employee, for the ledger.
    pub stages: Vec<(String, u32)>,
    /// The employee's sickness absence figures (SPEC §10); none when not
    /// employed in the activity month.
    absence: Option<absence::EmployeeAbsence>,
    /// The whole run's figures, put together by [`evaluate`].
    pub report: AbsenceReport,
}

fn rank(c: Certificate) -> u8 {
    match c {
        Certificate::None => 0,
        Certificate::SelfCert => 1,
        Certificate::FitNote => 2,
    }
}

/// SCK001–SCK003 for every employee (in parallel; ordered by assignment).
pub fn evaluate(ctx: &Ctx) -> SicknessOutcome {
    let mut staff: Vec<&Staff> = ctx.staff.values().copied().collect();
    staff.sort_by(|a, b| a.assignment.cmp(&b.assignment));
    let results: Vec<SicknessOutcome> = staff.par_iter().map(|s| employee(s, ctx)).collect();
    let mut all = SicknessOutcome::default();
    let mut figures = Vec::new();
    for mut r in results {
        all.findings.append(&mut r.findings);
        all.attendance.append(&mut r.attendance);
        all.stages.append(&mut r.stages);
        figures.extend(r.absence);
    }
    all.report = absence::report(figures, ctx);
    all
}

/// This run's SICKNESS rows and the ledger's, one per identity
/// (assignment, start_date): the sheet's copy replaces the ledger's, which
/// a later export may have extended or given an interview date (SPEC §10.1).
fn sickness_rows<'a>(staff: &Staff, ctx: &'a Ctx) -> Vec<SickRow<'a>> {
    let mut rows: Vec<SickRow> = ctx
        .index
        .absences_of(&staff.assignment)
        .iter()
        .filter(|a| a.absence_type == AbsenceType::Sickness)
        .map(|a| SickRow {
            start: a.start_date,
            end: a.end_date,
            certificate: a.certificate,
            source: Some(&a.source),
            reason: a.sickness_reason.as_deref(),
            rtw: a.rtw_date,
        })
        .collect();
    let in_file = rows.len();
    for past in ctx.history.sickness_rows.get(staff.assignment.as_str()).into_iter().flatten() {
        if !rows[..in_file].iter().any(|r| r.start == past.start_date) {
            rows.push(SickRow {
                start: past.start_date,
                end: past.end_date,
                certificate: Certificate::None,
                source: None,
                reason: past.sickness_reason.as_deref(),
                rtw: past.rtw_date,
            });
        }
    }
    rows.sort_by_key(|r| (r.start, r.end));
    rows
}

/// Merges rows that overlap or touch into episodes.
fn episodes(staff: &Staff, ctx: &Ctx) -> Vec<Episode> {
    let mut merged: Vec<Episode> = Vec::new();
    for row in sickness_rows(staff, ctx) {
        match merged.last_mut() {
            Some(last) if row.start <= last.end + Duration::days(1) => {
                if row.end >= last.end {
                    last.rtw = row.rtw;
                }
                last.end = last.end.max(row.end);
                if rank(row.certificate) > rank(last.certificate) {
                    last.certificate = row.certificate;
                }
                if last.source.is_none() {
                    last.source = row.source.cloned();
                }
            }
            _ => merged.push(Episode {
                start: row.start,
                end: row.end,
                certificate: row.certificate,
                source: row.source.cloned(),
                reason: row.reason.map(str::to_string),
                rtw: row.rtw,
            }),
        }
    }
    merged
}

fn employee(staff: &Staff, ctx: &Ctx) -> SicknessOutcome {
    let mut out = SicknessOutcome::default();
    let episodes = episodes(staff, ctx);
    let policy = &ctx.config.policy.sickness;
    let (month_start, month_end) = (ctx.period.activity_start, ctx.period.activity_end);
    let finding = |rule: &'static Rule, e: &Episode, message: String| Finding {
        rule,
        severity: rule.severity,
        subject: Subject::Employee { assignment: staff.assignment.clone(), date: Some(e.start) },
        message,
        source: e.source.clone(),
    };
    // Certificates are not in the ledger: only an episode with a row in this
    // month's file can be judged (docs/decisions.md 400).
    for e in episodes.iter().filter(|e| e.source.is_some() && e.end >= month_start && e.start <= month_end) {
        let days = e.days();
        if days >= policy.self_certificate_from_days as i64 && e.certificate == Certificate::None {
            out.findings.push(finding(
                &SCK001,
                e,
                format!("sickness {} to {} ({days} calendar days) has no self-certificate", e.start, e.end),
            ));
        }
        if days > policy.fit_note_after_days as i64 && e.certificate != Certificate::FitNote {
            out.findings.push(finding(
                &SCK002,
                e,
                format!("sickness {} to {} ({days} calendar days) has no fit note", e.start, e.end),
            ));
        }
    }

    // Bradford: the 12 months ending on the activity month's last day.
    let window_start = add_months(month_end, -12) + Duration::days(1);
    let (mut count, mut days) = (0u64, 0u64);
    for e in &episodes {
        let (from, to) = (e.start.max(window_start), e.end.min(month_end));
        if from <= to {
            count += 1;
            days += ((to - from).num_days() + 1) as u64;
        }
    }
    let score = count * count * days;
    let triggers = policy
        .bradford_triggers_for(staff.contracted_hours_x100, ctx.config.policy.pay.full_time_weekly_hours);
    let pro_rata = triggers != policy.bradford_triggers;
    let stage = Sickness::stage_against(&triggers, score);
    let before = ctx.history.bradford_stage_reached(&staff.assignment);
    // A stage reached means an episode in the window, so `latest` is there.
    let latest = episodes.iter().rev().find(|e| e.start <= month_end).or(episodes.first());
    for (reached, latest) in (before + 1..=stage).filter_map(|r| Some((r, latest?))) {
        let index = reached as usize - 1;
        let trigger = triggers.get(index).copied().unwrap_or_default();
        let own = match policy.bradford_triggers.get(index) {
            Some(full) if pro_rata => format!(
                "trigger {trigger}: {full} pro rata for {} contracted hours a week",
                hundredths(staff.contracted_hours_x100)
            ),
            _ => format!("trigger {trigger}"),
        };
        out.findings.push(finding(
            &SCK003,
            latest,
            format!(
                "Bradford score {score} ({count} episodes² × {days} days, {window_start} to {month_end}) reached stage {reached} ({own})"
            ),
        ));
    }
    let figures = absence::employee(staff, &episodes, score, stage, ctx);
    if ctx.roster.rtw_column {
        for r in figures.iter().flat_map(|f| &f.returns).filter(|r| !r.on_time()) {
            out.findings.push(sck004(staff, r, &episodes, ctx));
        }
    }
    out.absence = figures;
    if count == 0 {
        return out;
    }
    out.attendance.push(AttendanceRow {
        assignment: staff.assignment.clone(),
        name: staff.name.clone(),
        episodes: count,
        days,
        score,
        stage,
        new_stage: stage > before,
        triggers,
    });
    out.stages.push((staff.assignment.clone(), stage.max(before)));
    out
}

/// SCK004 on one counted return (only when the sheet has an rtw_date column).
fn sck004(staff: &Staff, r: &ReturnRow, episodes: &[Episode], ctx: &Ctx) -> Finding {
    let episode = episodes.iter().find(|e| e.start == r.start);
    let what = format!("sickness {} to {}, day of return {}", r.start, r.end, r.day_of_return);
    let message = match r.rtw_date {
        None => format!(
            "{what}: no return-to-work interview recorded; Bradford score {} (stage {}) to be given at the interview",
            r.score, r.stage
        ),
        Some(d) => format!(
            "{what}: interview on {d}, {} working days after the return (due by {}); Bradford score {} (stage {})",
            absence::working_days_between(r.day_of_return, d, ctx),
            r.deadline,
            r.score,
            r.stage
        ),
    };
    Finding {
        rule: &SCK004,
        severity: SCK004.severity,
        subject: Subject::Employee { assignment: staff.assignment.clone(), date: Some(r.start) },
        message,
        source: episode.and_then(|e| e.source.clone()),
    }
}

pub mod absence;

#[cfg(test)]
mod tests;
