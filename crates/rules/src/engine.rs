//! The rule engine: every claim line to exactly one decision (SPEC §3, §6.1).
//!
//! Order of evaluation:
//! 1. DAT checks over the whole input (a line with any DAT code is terminal);
//! 2. CUT001 (a deferred line is terminal);
//! 3. per employee, in parallel, over the employee's lines in (expense_date,
//!    claim_id, line_no) order:
//!    a. [`LINE_CHECKS`]: checks that need only the line, the claimant, the
//!    roster and the history — rejecting rules live here, or in the
//!    rejecting passes at the head of [`EMPLOYEE_PASSES`] when they need
//!    the employee's other lines (MIL008), so that
//!    b. the [`EMPLOYEE_PASSES`] that keep running totals and shared caps see
//!    which lines are live: rejected lines consume nothing (SPEC §6.1 rule 3).
//!
//! Results are placed by input index, so output never depends on the thread
//! count.

use crate::error::{Error, Result};
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Status, Subject};
use crate::model::history::RelocationPaid;
use crate::model::roster::Staff;
use crate::model::rule::Severity;
use crate::model::{Miles, Pence};
use crate::state::{Ctx, Employee, Hit, LineState};
use crate::{
    age, data, duplicates, mileage, protection, receipts, relocation, roster, subsistence, tax, travel, Rule,
};
use chrono::NaiveDate;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// A check on one line that needs no other line (phase a).
pub type LineCheck = fn(&mut LineState, &Ctx);
/// A pass over an employee's lines in processing order (phase b).
pub type EmployeePass = fn(&mut Employee, &Ctx);

/// Phase a, in SPEC §3 order.
pub const LINE_CHECKS: &[LineCheck] = &[
    age::check,
    mileage::check,
    subsistence::check,
    travel::check,
    receipts::check,
    roster::check,
    protection::check,
];

/// Phase b. Passes skip lines for which [`LineState::is_rejected`] holds.
///
/// Order matters: rejecting passes come first, so that duplicates and every
/// running total see which lines are live (SPEC §6.1 rule 3); then DUP001
/// (which needs every other rejection); then the passes that set or cap
/// amounts, in SPEC §3 order; then MIL007, which needs every other family's
/// final amounts on parking and toll lines; TAX last.
pub const EMPLOYEE_PASSES: &[EmployeePass] = &[
    // Rejecting passes.
    mileage::passengers,
    duplicates::pass,
    // Amount passes, in SPEC §3 order.
    mileage::price,
    subsistence::pass,
    relocation::pass,
    // After every other amount-changing pass: the journey's final cost.
    mileage::journeys,
    // Last: taxable and P11D amounts of the final allowed amounts.
    tax::apply,
];

/// Everything decided in a run.
pub struct Evaluation {
    /// One per input claim line, in input order.
    pub decisions: Vec<Decision>,
    /// Line findings in input order.
    pub findings: Vec<Finding>,
    /// Relocation paid this run per employment (assignment, start_date), for
    /// the ledger (SPEC §5); only employments with a live relocation line.
    pub relocation: BTreeMap<(String, Option<NaiveDate>), RelocationPaid>,
    /// Year-to-date counters this run adds, for the ledger: Special Rate miles
    /// by (assignment, financial year) and HMRC AMAP miles by (assignment, tax year).
    pub miles: MilesCounted,
}

/// The SR and AMAP miles counted by this run's live lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MilesCounted {
    pub special_rate: BTreeMap<(String, i32), Miles>,
    pub amap: BTreeMap<(String, i32), Miles>,
}

impl MilesCounted {
    fn add(&mut self, line: &LineState) {
        let who = &line.line.assignment;
        if line.sr_miles_counted > Miles::ZERO {
            let year = crate::model::time::financial_year(line.line.expense_date);
            *self.special_rate.entry((who.clone(), year)).or_default() += line.sr_miles_counted;
        }
        if line.amap_miles_counted > Miles::ZERO {
            let year = crate::model::time::tax_year(line.line.expense_date);
            *self.amap.entry((who.clone(), year)).or_default() += line.amap_miles_counted;
        }
    }
}

/// Decides every claim line. An internal error only if the engine's own
/// invariants break (a DAT-clean line whose claimant is not on Staff).
pub fn evaluate(lines: &[ClaimLine], ctx: &Ctx) -> Result<Evaluation> {
    let known: HashSet<&str> = ctx.staff.keys().copied().collect();
    let dat = data::check_claims(lines, &known, ctx.config.policy.claims.max_line_amount);

    // A line with a DAT hit is decided here; a deferred one (CUT001) is
    // decided too but still counts towards its employee's passes.
    let mut outcomes: Vec<Option<LineOutcome>> = lines
        .par_iter()
        .zip(dat)
        .map(|(line, hits)| {
            if !hits.is_empty() {
                return Some(LineOutcome::terminal(Status::Rejected, hits));
            }
            age::deferral(line, &ctx.period).map(|why| {
                let hit = Hit::new(&age::CUT001, Severity::Info, why);
                LineOutcome::terminal(Status::Deferred, vec![hit])
            })
        })
        .collect();
    let by_employee = by_employee(lines, &outcomes);
    let up_front = outcomes.iter().filter(|o| o.is_some()).count();
    ctx.decided.fetch_add(up_front as u64, Ordering::Relaxed);

    let mut relocation = BTreeMap::new();
    let mut miles = MilesCounted::default();
    for (staff, decided) in decide_employees(lines, ctx, by_employee)? {
        miles.special_rate.extend(decided.miles.special_rate);
        miles.amap.extend(decided.miles.amap);
        for (index, outcome) in decided.lines {
            outcomes[index] = Some(outcome);
        }
        if let Some(paid) = decided.relocation {
            relocation.insert((staff.assignment.clone(), staff.start_date), paid);
        }
    }

    let decided: Vec<Result<(Decision, Vec<Finding>)>> = lines
        .par_iter()
        .zip(outcomes)
        .enumerate()
        .map(|(index, (line, outcome))| decision(index, line, outcome))
        .collect();
    let mut decisions = Vec::with_capacity(lines.len());
    let mut findings = Vec::new();
    for result in decided {
        let (decision, line_findings) = result?;
        decisions.push(decision);
        findings.extend(line_findings);
    }
    Ok(Evaluation { decisions, findings, relocation, miles })
}

/// The decision of one line and its findings, hits in SPEC order. Every
/// line has an outcome by now: DAT, CUT or an employee pass placed it.
fn decision(
    index: usize,
    line: &ClaimLine,
    outcome: Option<LineOutcome>,
) -> Result<(Decision, Vec<Finding>)> {
    let Some(LineOutcome { status, allowed, mut hits, taxable_payroll, p11d_amount, p11d_section }) = outcome
    else {
        return Err(Error::Internal(format!(
            "rules: claim line {} ({}/{}) was given no decision",
            line.source.as_ref().map_or_else(|| format!("#{}", index + 1), |s| s.to_string()),
            line.claim_id,
            line.line_no
        )));
    };
    hits.sort_by_key(|h| crate::spec_order(h.rule));
    let mut codes: Vec<&'static Rule> = hits.iter().map(|h| h.rule).collect();
    codes.dedup_by_key(|r| r.code);
    let findings = hits
        .into_iter()
        .map(|hit| Finding {
            rule: hit.rule,
            severity: hit.severity,
            subject: Subject::Line(index),
            message: hit.message,
            source: line.source.clone(),
        })
        .collect();
    Ok((Decision { allowed, status, taxable_payroll, p11d_amount, p11d_section, rules: codes }, findings))
}

/// Per assignment, in assignment order: (live line indices, DAT-clean line
/// indices).
type ByEmployee<'l> = Vec<(&'l str, (Vec<usize>, Vec<usize>))>;

/// Groups the lines that passed DAT by claimant, in input order within each:
/// the live ones (not deferred) are judged by the passes; all DAT-clean ones
/// are what the employee claimed (the deferred ones still count there).
fn by_employee<'l>(lines: &'l [ClaimLine], outcomes: &[Option<LineOutcome>]) -> ByEmployee<'l> {
    let mut slot: HashMap<&str, usize> = HashMap::default();
    let mut groups: ByEmployee = Vec::new();
    for (index, (line, outcome)) in lines.iter().zip(outcomes).enumerate() {
        let rejected = outcome.as_ref().is_some_and(|o| o.status == Status::Rejected);
        if rejected {
            continue;
        }
        let at = *slot.entry(line.assignment.as_str()).or_insert_with(|| {
            groups.push((line.assignment.as_str(), Default::default()));
            groups.len() - 1
        });
        let entry = &mut groups[at].1;
        entry.1.push(index);
        if outcome.is_none() {
            entry.0.push(index);
        }
    }
    groups.sort_unstable_by(|a, b| a.0.cmp(b.0));
    groups
}

/// What the passes decided for one employee.
struct Decided {
    lines: Vec<(usize, LineOutcome)>,
    relocation: Option<RelocationPaid>,
    miles: MilesCounted,
}

/// Phases a and b for every employee, in parallel. A claimant missing from
/// Staff cannot get here (DAT003 rejects the line first); if one does, the
/// run stops with an internal error rather than leave the line undecided.
fn decide_employees<'a>(
    lines: &'a [ClaimLine],
    ctx: &Ctx<'a>,
    by_employee: ByEmployee,
) -> Result<Vec<(&'a Staff, Decided)>> {
    by_employee
        .into_par_iter()
        .map(|(assignment, (mut live, mut valid))| {
            let order = |&a: &usize, &b: &usize| {
                let (x, y) = (&lines[a], &lines[b]);
                (x.expense_date, &x.claim_id, x.line_no, a).cmp(&(y.expense_date, &y.claim_id, y.line_no, b))
            };
            live.sort_by(order);
            valid.sort_by(order);
            let Some(&staff) = ctx.staff.get(assignment) else {
                let first = valid.first().and_then(|&i| lines[i].source.as_ref());
                return Err(Error::Internal(format!(
                    "rules: claimant '{assignment}' passed DAT003 but is not on the Staff sheet (line {})",
                    first.map_or_else(|| "?".to_string(), |s| s.to_string())
                )));
            };
            let mut employee = Employee {
                staff,
                lines: live.iter().map(|&i| LineState::new(i, &lines[i], staff)).collect(),
                valid: valid.iter().map(|&i| &lines[i]).collect(),
                relocation_run: None,
            };
            for line in employee.lines.iter_mut() {
                for check in LINE_CHECKS {
                    check(line, ctx);
                }
            }
            for pass in EMPLOYEE_PASSES {
                pass(&mut employee, ctx);
            }
            let mut miles = MilesCounted::default();
            for line in employee.lines.iter().filter(|l| !l.is_rejected()) {
                miles.add(line);
            }
            let relocation = employee.relocation_run;
            ctx.decided.fetch_add(employee.lines.len() as u64, Ordering::Relaxed);
            Ok((
                staff,
                Decided { lines: employee.lines.into_iter().map(finish).collect(), relocation, miles },
            ))
        })
        .collect()
}

/// A line's result before it becomes a [`Decision`].
#[derive(Clone)]
struct LineOutcome {
    status: Status,
    allowed: Pence,
    hits: Vec<Hit>,
    taxable_payroll: Pence,
    p11d_amount: Pence,
    p11d_section: Option<char>,
}

impl LineOutcome {
    /// A line decided without money: DAT-rejected or deferred.
    fn terminal(status: Status, hits: Vec<Hit>) -> LineOutcome {
        LineOutcome {
            status,
            allowed: Pence::ZERO,
            hits,
            taxable_payroll: Pence::ZERO,
            p11d_amount: Pence::ZERO,
            p11d_section: None,
        }
    }
}

/// The status of a live line after every pass (SPEC §6.1 rules 2, 4, 5).
fn finish(state: LineState) -> (usize, LineOutcome) {
    if state.is_rejected() {
        let hits = state.hits.into_iter().filter(|h| h.rejecting).collect();
        return (state.index, LineOutcome::terminal(Status::Rejected, hits));
    }
    let status = if state.allowed.is_zero() {
        Status::Rejected
    } else if state.allowed == state.line.amount {
        Status::Paid
    } else {
        Status::Adjusted
    };
    let paid = status.is_paid();
    let keep = |p: Pence| if paid { p } else { Pence::ZERO };
    let outcome = LineOutcome {
        status,
        allowed: state.allowed,
        taxable_payroll: keep(state.taxable_payroll),
        p11d_amount: keep(state.p11d_amount),
        p11d_section: if paid && !state.p11d_amount.is_zero() { state.p11d_section } else { None },
        hits: state.hits,
    };
    (state.index, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{config, date, line, staff};
    use crate::model::history::History;
    use crate::model::period::Period;
    use crate::model::roster::Roster;
    use crate::model::Category;

    fn decide(lines: &[ClaimLine], assignment: &str) -> Result<Vec<(&'static str, usize)>> {
        let roster = Roster { staff: vec![staff()], ..Default::default() };
        let history = History::default();
        let ctx = Ctx::new(config(), Period::new(date(2025, 6, 1), &config().policy), &roster, &history);
        let by_employee: ByEmployee = [(assignment, (vec![0], vec![0]))].into();
        let decided = decide_employees(lines, &ctx, by_employee)?;
        Ok(decided
            .iter()
            .map(|(s, d)| (if s.assignment == "A1" { "A1" } else { "?" }, d.lines.len()))
            .collect())
    }

    /// The engine's own invariant: a claimant it is asked to decide is on
    /// Staff. Broken, it is an internal error naming claimant and line —
    /// never a line silently left without a decision.
    #[test]
    fn a_claimant_missing_from_staff_is_an_internal_error() {
        let mut stranger = line("C1", 1, Category::Parking, "5.00");
        stranger.assignment = "ZZ9".into();
        let err = decide(std::slice::from_ref(&stranger), "ZZ9").expect_err("not on Staff");
        assert!(matches!(err, Error::Internal(_)), "{err:?}");
        assert_eq!(err.exit_code(), 1);
        let text = err.to_string();
        assert!(text.contains("'ZZ9'") && text.contains("test.csv!Claims:2"), "{text}");

        // The same line of a claimant on Staff is decided.
        let known = line("C1", 1, Category::Parking, "5.00");
        assert_eq!(decide(&[known], "A1").expect("on Staff"), [("A1", 1)]);
    }

    /// Through the public entry, DAT003 stops such a line first: REJECTED
    /// with its code, and the run goes on.
    #[test]
    fn through_evaluate_an_unknown_claimant_is_dat003() {
        let roster = Roster { staff: vec![staff()], ..Default::default() };
        let history = History::default();
        let ctx = Ctx::new(config(), Period::new(date(2025, 6, 1), &config().policy), &roster, &history);
        let mut stranger = line("C1", 1, Category::Parking, "5.00");
        stranger.assignment = "ZZ9".into();
        let eval = evaluate(&[stranger], &ctx).expect("decided");
        assert_eq!(eval.decisions[0].status, Status::Rejected);
        assert_eq!(eval.decisions[0].rules.iter().map(|r| r.code).collect::<Vec<_>>(), ["DAT003"]);
    }

    /// The progress counter ends at every line, whether DAT rejected it up
    /// front or an employee pass decided it, and starts at none.
    #[test]
    fn the_decided_counter_counts_every_line_once() {
        let roster = Roster { staff: vec![staff()], ..Default::default() };
        let history = History::default();
        let ctx = Ctx::new(config(), Period::new(date(2025, 6, 1), &config().policy), &roster, &history);
        assert_eq!(ctx.decided.load(Ordering::Relaxed), 0);
        let mut stranger = line("C1", 1, Category::Parking, "5.00");
        stranger.assignment = "ZZ9".into();
        let lines =
            [stranger, line("C1", 2, Category::Parking, "5.00"), line("C2", 1, Category::Parking, "7.00")];
        let eval = evaluate(&lines, &ctx).expect("decided");
        assert_eq!(eval.decisions.len(), 3);
        assert_eq!(ctx.decided.load(Ordering::Relaxed), 3);
        evaluate(&lines[..1], &ctx).expect("decided");
        assert_eq!(ctx.decided.load(Ordering::Relaxed), 4, "a DAT rejection alone counts too");
    }
}
