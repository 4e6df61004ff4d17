//! SCK — sickness certification and the Bradford Factor (SPEC §3.11, §6.7
//! rule 42; Attendance Management Policy §9, §10, §20, §21).
//!
//! SICKNESS rows of one person that overlap or touch (end + 1 day = next
//! start) form one episode, with the best certificate of its rows
//! (FIT_NOTE > SELF > NONE). Episodes known only from the ledger take part in
//! the Bradford score.

use super::{Family, Rule};
use crate::model::attendance::AttendanceRow;
use crate::model::claim::RowRef;
use crate::model::decision::{Finding, Severity, Subject};
use crate::model::roster::Staff;
use crate::model::time::add_months;
use crate::model::{AbsenceType, Certificate};
use crate::rules::engine::Ctx;
use chrono::{Duration, NaiveDate};
use rayon::prelude::*;

/// SCK001 — a sickness episode of 4 or more calendar days with no certificate.
///
/// *Policy*: Attendance Management Policy §9 — absences of 4 to 7 calendar days
/// need a self-certificate.
/// *Effect*: WARNING (sick pay at risk). Reported in each activity month the
/// episode overlaps.
/// *Config*: `sickness.self_certificate_from_days`.
pub const SCK001: Rule = Rule {
    code: "SCK001",
    family: Family::Sickness,
    severity: Severity::Warning,
    policy_ref: "Attendance Management Policy §9",
    summary: "Sickness episode of 4+ calendar days without a self-certificate: WARNING.",
    explanation: "From the fourth calendar day of sickness a self-certificate is required; without one, occupational sick pay is at risk.",
    rejects: false,
};

/// SCK002 — a sickness episode over 7 calendar days without a fit note.
///
/// *Policy*: Attendance Management Policy §9 — beyond 7 calendar days a fit
/// note from a doctor is required.
/// *Config*: `sickness.fit_note_after_days`.
pub const SCK002: Rule = Rule {
    code: "SCK002",
    family: Family::Sickness,
    severity: Severity::Warning,
    policy_ref: "Attendance Management Policy §9",
    summary: "Sickness episode over 7 calendar days without a fit note: WARNING.",
    explanation: "Absences of more than 7 calendar days must be covered by a fit note.",
    rejects: false,
};

/// SCK003 — the Bradford score reaches a trigger for the first time.
///
/// *Policy*: Attendance Management Policy §20–§21 — Bradford Factor S² × D over
/// a rolling 12 months; triggers 150, 500, 875.
/// *Effect*: INFO on the attendance sheet, once per newly reached stage
/// (stages never reset).
/// *Example*: 5 episodes totalling 6 days = 5² × 6 = 150 → stage 1.
/// *Config*: `sickness.bradford_triggers`.
pub const SCK003: Rule = Rule {
    code: "SCK003",
    family: Family::Sickness,
    severity: Severity::Info,
    policy_ref: "Attendance Management Policy §20, §21",
    summary: "Bradford score reaches a trigger (150 / 500 / 875) for the first time: INFO.",
    explanation: "Bradford score = episodes² × days over the 12 months ending on the activity month's last day; each stage is reported the first time it is reached.",
    rejects: false,
};

/// A merged sickness episode.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Episode {
    start: NaiveDate,
    end: NaiveDate,
    certificate: Certificate,
    /// First file row of the episode (none if only in the ledger).
    source: Option<RowRef>,
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
    for mut r in results {
        all.findings.append(&mut r.findings);
        all.attendance.append(&mut r.attendance);
        all.stages.append(&mut r.stages);
    }
    all
}

/// Merges rows that overlap or touch into episodes.
fn episodes(staff: &Staff, ctx: &Ctx) -> Vec<Episode> {
    let mut rows: Vec<Episode> = ctx
        .index
        .absences_of(&staff.assignment)
        .iter()
        .filter(|a| a.absence_type == AbsenceType::Sickness)
        .map(|a| Episode {
            start: a.start_date,
            end: a.end_date,
            certificate: a.certificate,
            source: Some(a.source.clone()),
        })
        .collect();
    for past in ctx
        .history
        .absences
        .iter()
        .filter(|e| e.assignment == staff.assignment && e.absence_type == AbsenceType::Sickness)
    {
        if !rows.iter().any(|r| r.source.is_some() && r.start == past.start_date && r.end == past.end_date) {
            rows.push(Episode {
                start: past.start_date,
                end: past.end_date,
                certificate: Certificate::None,
                source: None,
            });
        }
    }
    rows.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Episode> = Vec::new();
    for row in rows {
        match merged.last_mut() {
            Some(last) if row.start <= last.end + Duration::days(1) => {
                last.end = last.end.max(row.end);
                if rank(row.certificate) > rank(last.certificate) {
                    last.certificate = row.certificate;
                }
                if last.source.is_none() {
                    last.source = row.source;
                }
            }
            _ => merged.push(row),
        }
    }
    merged
}

fn employee(staff: &Staff, ctx: &Ctx) -> SicknessOutcome {
    let mut out = SicknessOutcome::default();
    let episodes = episodes(staff, ctx);
    if episodes.is_empty() {
        return out;
    }
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
    if count == 0 {
        return out;
    }
    let score = count * count * days;
    let stage = policy.bradford_stage(score);
    let before = ctx.history.bradford_stage_reached(&staff.assignment);
    let latest = episodes.iter().rev().find(|e| e.start <= month_end).unwrap_or(&episodes[0]);
    for reached in before + 1..=stage {
        let trigger = policy.bradford_triggers.get(reached as usize - 1).copied().unwrap_or_default();
        out.findings.push(finding(
            &SCK003,
            latest,
            format!(
                "Bradford score {score} ({count} episodes² × {days} days, {window_start} to {month_end}) reached stage {reached} (trigger {trigger})"
            ),
        ));
    }
    out.attendance.push(AttendanceRow {
        assignment: staff.assignment.clone(),
        name: staff.name.clone(),
        episodes: count,
        days,
        score,
        stage,
        new_stage: stage > before,
    });
    out.stages.push((staff.assignment.clone(), stage.max(before)));
    out
}

#[cfg(test)]
mod tests;
