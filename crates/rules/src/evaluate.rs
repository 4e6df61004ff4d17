//! The one entry to the rules: every family over one run's inputs, and
//! everything the rest of the run needs from them (SPEC §3, §4.1, §5).
//!
//! Claim lines go through the engine (DAT, CUT, line checks, employee
//! passes); the employee families (leave, sickness, protection) run over the
//! roster. Their results are put together here, not in the pipeline: the
//! findings in SPEC §6.8 rule 46 order, the payroll rows ordered and marked,
//! P11D to date, and the period record the ledger commits.

use super::{age, kit, leave, p11d, payroll, protection, sickness};
use crate::engine::{self, Evaluation};
use crate::error::Result;
use crate::model::absence::AbsenceReport;
use crate::model::adjustment::AdjustmentRow;
use crate::model::attendance::AttendanceRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Status, Subject};
use crate::model::history::SicknessRow;
use crate::model::kit::KitLeave;
use crate::model::p11d::P11dRow;
use crate::model::protection::{Mark, RowSummary};
use crate::model::record::{DeferredLine, PaidLine, PeriodRecord, Replaced, SettledBefore, SettledLine};
use crate::model::rule::Severity;
use crate::model::AbsenceType;
use crate::model::Miles;
use crate::state::Ctx;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Everything the rules decided in one run.
#[derive(Debug)]
pub struct Outcome {
    /// One per input claim line, in input order.
    pub decisions: Vec<Decision>,
    /// Line findings in input order, then employee and roster findings by
    /// assignment (SPEC §6.8 rule 46).
    pub findings: Vec<Finding>,
    /// The payroll lines of adjustments.csv: expenses, unpaid leave and
    /// protection top-ups, ordered (SPEC §4.1) and marked (PP001).
    pub adjustments: Vec<AdjustmentRow>,
    /// Rows of attendance.csv, by assignment (SPEC §3.11).
    pub attendance: Vec<AttendanceRow>,
    /// absence.csv, absence-reasons.csv and the Returns table (SPEC §10).
    pub absence: AbsenceReport,
    /// Leaves with KIT days, for the Attendance sheet (SPEC §14).
    pub kit: Vec<KitLeave>,
    /// Each protected employee's mark (SPEC §6.8 rule 45).
    pub marks: BTreeMap<String, Mark>,
    /// The pay-protection register rows reported this month.
    pub protection: Vec<RowSummary>,
    /// Rows of p11d.csv: tax year to date, ledger + this run.
    pub p11d: Vec<P11dRow>,
    /// What the ledger keeps for the period, complete.
    pub record: PeriodRecord,
}

/// What the ledger's deferred lines did to this run's inputs (SPEC §12.1):
/// input lines that replaced a deferred line (CUT002) and lines left out
/// as settled before (CUT003).
#[derive(Clone, Copy, Default)]
pub struct Carried<'a> {
    pub replaced: &'a [Replaced],
    pub settled_before: &'a [SettledBefore],
}

/// Runs every rule family. `roster_findings` are ingest's DAT findings on
/// skipped roster rows, ordered here with the employee findings.
pub fn evaluate(
    ctx: &Ctx,
    claims: &[ClaimLine],
    roster_findings: Vec<Finding>,
    carried: Carried,
) -> Result<Outcome> {
    // The employee families read only the roster: they run beside the
    // claim lines' engine (issue 17).
    let (lines, ((leave, kit), (sickness, protection))) = rayon::join(
        || engine::evaluate(claims, ctx),
        || {
            rayon::join(
                || rayon::join(|| leave::evaluate(ctx), || kit::evaluate(ctx)),
                || rayon::join(|| sickness::evaluate(ctx), || protection::evaluate(ctx)),
            )
        },
    );
    let mut lines = lines?;
    note_replacements(claims, &mut lines, carried.replaced);

    let mut employee_findings = roster_findings;
    employee_findings.extend(carried.settled_before.iter().map(settled_finding));
    employee_findings.extend(leave.findings);
    employee_findings.extend(sickness.findings);
    employee_findings.extend(protection.findings);
    employee_findings.extend(kit.findings);
    let findings = ordered_findings(lines.findings, employee_findings);

    let mut adjustments = payroll::expense_rows(claims, &lines.decisions, &ctx.staff);
    adjustments.extend(leave.deductions);
    adjustments.extend(kit.payments);
    adjustments.extend(protection.topups);
    payroll::order_rows(&mut adjustments);
    payroll::mark(&mut adjustments, &protection.marks);

    // P11D: this run's paid lines by tax year, plus earlier periods' (ledger).
    let p11d_run = p11d::this_run(claims, &lines.decisions);
    let p11d = p11d::year_to_date(&p11d_run, ctx.history, &ctx.period, &ctx.staff);

    let Evaluation { decisions, relocation, miles, .. } = lines;
    let record = PeriodRecord {
        period: ctx.period.label(),
        paid_lines: claims.par_iter().zip(&decisions).filter_map(|(l, d)| PaidLine::of(l, d)).collect(),
        sr_miles: flatten(miles.special_rate),
        amap_miles: flatten(miles.amap),
        relocation: relocation
            .into_iter()
            .map(|((a, start), paid)| (a, start, paid.total, paid.misc))
            .collect(),
        absences: leave.episodes,
        sickness_rows: ctx
            .roster
            .absences
            .iter()
            .filter(|a| a.absence_type == AbsenceType::Sickness)
            .map(|a| SicknessRow {
                assignment: a.assignment.clone(),
                start_date: a.start_date,
                end_date: a.end_date,
                sickness_reason: a.sickness_reason.clone(),
                rtw_date: a.rtw_date,
            })
            .collect(),
        returns: sickness::absence::counted(&sickness.report),
        bradford_stages: sickness.stages,
        protection_topups: protection.paid,
        p11d: p11d_run.into_iter().map(|((a, year, section), amount)| (a, year, section, amount)).collect(),
        deferred: claims
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| d.status == Status::Deferred)
            .map(|(l, _)| DeferredLine::of(l, &ctx.period.label()))
            .collect(),
        settled: settled_lines(claims, &decisions, carried.replaced),
        kit_days: kit.days,
        kit_paid: kit.paid,
        // The payroll batch is the pipeline's to fill, once it is built (SPEC §7),
        // and so are the review actions (§11); the findings go to the
        // ledger from the report (`Ledger::fill_findings`).
        batch: Default::default(),
        review_actions: Vec::new(),
    };
    Ok(Outcome {
        decisions,
        findings,
        adjustments,
        attendance: sickness.attendance,
        absence: sickness.report,
        kit: kit.leaves,
        marks: protection.marks,
        protection: protection.rows,
        p11d,
        record,
    })
}

/// CUT002 on every input line that replaced a deferred line: a finding in
/// the line's place (input order, then spec order) and, on a paid line, the
/// code in decisions.csv's `rules` (a rejected or deferred line lists only
/// the codes that decided it, SPEC §6.1; decisions.md 438).
fn note_replacements(claims: &[ClaimLine], lines: &mut Evaluation, replaced: &[Replaced]) {
    if replaced.is_empty() {
        return;
    }
    let mut notes: Vec<&Replaced> = replaced.iter().collect();
    notes.sort_by_key(|r| r.index);
    let order = super::spec_order(&age::CUT002);
    let place = |f: &Finding| match f.subject {
        Subject::Line(i) => (i, super::spec_order(f.rule)),
        Subject::Employee { .. } => (usize::MAX, 0),
    };
    let mut findings = Vec::with_capacity(lines.findings.len() + notes.len());
    let mut pending = notes.iter().peekable();
    for f in std::mem::take(&mut lines.findings) {
        while let Some(r) = pending.next_if(|r| (r.index, order) < place(&f)) {
            findings.push(cut002(claims, r));
        }
        findings.push(f);
    }
    findings.extend(pending.map(|r| cut002(claims, r)));
    lines.findings = findings;
    for r in &notes {
        if let Some(d) = lines.decisions.get_mut(r.index).filter(|d| d.status.is_paid()) {
            let at = d.rules.partition_point(|rule| super::spec_order(rule) < order);
            d.rules.insert(at, &age::CUT002);
        }
    }
}

fn cut002(claims: &[ClaimLine], r: &Replaced) -> Finding {
    let line = &claims[r.index];
    Finding {
        rule: &age::CUT002,
        severity: Severity::Info,
        subject: Subject::Line(r.index),
        message: format!(
            "claim {} line {} replaces the line deferred in {} (same claim and line number, other content); \
             this copy is decided",
            line.claim_id, line.line_no, r.deferred_in
        ),
        source: line.source.clone(),
    }
}

/// CUT003: a line of an old deferred file already decided by a later
/// period. Not a decision line, so it is reported as the employee's finding
/// with the line named in the message (decisions.md 439).
fn settled_finding(s: &SettledBefore) -> Finding {
    let l = &s.line;
    let settled = match (&s.settled_in, &s.by) {
        (Some(period), _) => format!("was already settled in {period}"),
        (None, Some(by)) => format!("is decided in this run from its copy at {by}"),
        (None, None) => "was already settled".to_string(),
    };
    Finding {
        rule: &age::CUT003,
        severity: Severity::Info,
        subject: Subject::Employee { assignment: l.assignment.clone(), date: Some(l.expense_date) },
        message: format!(
            "claim {} line {} ({}, £{}) deferred in {} {settled}: not decided again",
            l.claim_id,
            l.line_no,
            l.category_text(),
            l.amount,
            s.deferred_in,
        ),
        source: l.source.clone(),
    }
}

/// Lines deferred by an earlier period that this run decided (not deferred
/// again): carried or fed back (`carried_from`), or replaced by an input
/// line of other content (the held copy is what an old file would hold).
fn settled_lines(claims: &[ClaimLine], decisions: &[Decision], replaced: &[Replaced]) -> Vec<SettledLine> {
    let decided = |i: usize| decisions.get(i).filter(|d| d.status != Status::Deferred);
    let mut out: Vec<SettledLine> = claims
        .iter()
        .zip(decisions)
        .filter(|(l, d)| l.carried_from.is_some() && d.status != Status::Deferred)
        .map(|(l, d)| SettledLine {
            claim_id: l.claim_id.clone(),
            line_no: l.line_no,
            content_hash: l.content_hash(),
            carried_from: l.carried_from.as_deref().unwrap_or_default().to_string(),
            status: d.status.code(),
        })
        .collect();
    for r in replaced {
        if let (Some(d), Some(l)) = (decided(r.index), claims.get(r.index)) {
            out.push(SettledLine {
                claim_id: l.claim_id.clone(),
                line_no: l.line_no,
                content_hash: r.content_hash.clone(),
                carried_from: r.deferred_in.clone(),
                status: d.status.code(),
            });
        }
    }
    out
}

/// `(assignment, year) → miles` as the ledger's rows.
fn flatten(map: BTreeMap<(String, i32), Miles>) -> Vec<(String, i32, Miles)> {
    map.into_iter().map(|((a, y), m)| (a, y, m)).collect()
}

/// Line findings in input order, then employee / roster findings by
/// assignment, each group stable (SPEC §6.8 rule 46).
fn ordered_findings(line_findings: Vec<Finding>, mut employee: Vec<Finding>) -> Vec<Finding> {
    employee.sort_by(|a, b| {
        fn key(f: &Finding) -> &str {
            match &f.subject {
                Subject::Employee { assignment, .. } => assignment.as_str(),
                Subject::Line(_) => "",
            }
        }
        key(a).cmp(key(b)).then_with(|| a.source.cmp(&b.source))
    });
    let mut all = line_findings;
    all.extend(employee);
    all
}
