//! The one entry to the rules: every family over one run's inputs, and
//! everything the rest of the run needs from them (SPEC §3, §4.1, §5).
//!
//! Claim lines go through the engine (DAT, CUT, line checks, employee
//! passes); the employee families (leave, sickness, protection) run over the
//! roster. Their results are put together here, not in the pipeline: the
//! findings in SPEC §6.8 rule 46 order, the payroll rows ordered and marked,
//! P11D to date, and the period record the ledger commits.

use super::engine::{self, Ctx, Evaluation};
use super::{leave, p11d, payroll, protection, sickness};
use crate::error::Result;
use crate::model::adjustment::AdjustmentRow;
use crate::model::attendance::AttendanceRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Subject};
use crate::model::p11d::P11dRow;
use crate::model::protection::{Mark, RowSummary};
use crate::model::record::{PaidLine, PeriodRecord};
use crate::model::Miles;
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
    /// Each protected employee's mark (SPEC §6.8 rule 45).
    pub marks: BTreeMap<String, Mark>,
    /// The pay-protection register rows reported this month.
    pub protection: Vec<RowSummary>,
    /// Rows of p11d.csv: tax year to date, ledger + this run.
    pub p11d: Vec<P11dRow>,
    /// What the ledger keeps for the period, complete.
    pub record: PeriodRecord,
}

/// Runs every rule family. `roster_findings` are ingest's DAT findings on
/// skipped roster rows, ordered here with the employee findings.
pub fn evaluate(ctx: &Ctx, claims: &[ClaimLine], roster_findings: Vec<Finding>) -> Result<Outcome> {
    // The employee families read only the roster: they run beside the
    // claim lines' engine (issue 17).
    let (lines, (leave, (sickness, protection))) = rayon::join(
        || engine::evaluate(claims, ctx),
        || (leave::evaluate(ctx), rayon::join(|| sickness::evaluate(ctx), || protection::evaluate(ctx))),
    );
    let lines = lines?;

    let mut employee_findings = roster_findings;
    employee_findings.extend(leave.findings);
    employee_findings.extend(sickness.findings);
    employee_findings.extend(protection.findings);
    let findings = ordered_findings(lines.findings, employee_findings);

    let mut adjustments = payroll::expense_rows(claims, &lines.decisions, &ctx.staff);
    adjustments.extend(leave.deductions);
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
        bradford_stages: sickness.stages,
        protection_topups: protection.paid,
        p11d: p11d_run.into_iter().map(|((a, year, section), amount)| (a, year, section, amount)).collect(),
        // The payroll batch is the pipeline's to fill, once it is built (SPEC §7).
        batch: Default::default(),
    };
    Ok(Outcome {
        decisions,
        findings,
        adjustments,
        attendance: sickness.attendance,
        marks: protection.marks,
        protection: protection.rows,
        p11d,
        record,
    })
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
