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

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Severity, Status, Subject};
use crate::model::history::History;
use crate::model::history::RelocationPaid;
use crate::model::period::Period;
use crate::model::roster::{Roster, RosterIndex, Shift, Staff};
use crate::model::{Miles, Pence};
use crate::{
    age, data, duplicates, mileage, protection, receipts, relocation, roster, subsistence, tax, travel,
    Rule,
};
use chrono::NaiveDate;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// What every rule may read: configuration, the run's calendar, the roster
/// and the ledger's history.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub period: Period,
    pub staff: HashMap<&'a str, &'a Staff>,
    pub roster: &'a Roster,
    /// Shifts and absences by assignment and day.
    pub index: RosterIndex<'a>,
    pub history: &'a History,
    /// Claim lines decided so far, added to once per employee (and once for
    /// the lines DAT or CUT decide up front) while the rules run, so the
    /// progress display can read it from its own thread (issue 15). Nothing
    /// decided depends on it.
    pub decided: AtomicU64,
}

impl<'a> Ctx<'a> {
    pub fn new(config: &'a Config, period: Period, roster: &'a Roster, history: &'a History) -> Ctx<'a> {
        let staff = roster.staff.iter().map(|s| (s.assignment.as_str(), s)).collect();
        Ctx {
            config,
            period,
            staff,
            roster,
            index: RosterIndex::new(roster),
            history,
            decided: AtomicU64::new(0),
        }
    }

    /// The shifts of `assignment` dated `date` (a night shift belongs to the
    /// day it starts), in start order.
    pub fn shifts_on(&self, assignment: &str, date: NaiveDate) -> &[&'a Shift] {
        self.index.shifts_on(assignment, date)
    }
}

/// One rule firing on a line, before it becomes a [`Finding`].
#[derive(Clone, Debug)]
pub struct Hit {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Whether this firing rejects the line (SPEC §6.1 rule 2). Usually the
    /// rule's `rejects`; TRV001 and TRV004 reject only when there is no fare
    /// to fall back on, so it is decided per firing.
    pub rejecting: bool,
}

impl Hit {
    pub fn new(rule: &'static Rule, severity: Severity, message: String) -> Hit {
        Hit { rule, severity, message, rejecting: rule.rejects }
    }
}

/// A line being decided: the running allowed amount and the rules that fired.
pub struct LineState<'a> {
    pub index: usize,
    pub line: &'a ClaimLine,
    pub staff: &'a Staff,
    /// Starts at the claimed amount; capping rules lower it (lowest wins).
    pub allowed: Pence,
    pub hits: Vec<Hit>,
    /// Part of the allowed amount taxed through payroll this month (TAX001–TAX005).
    pub taxable_payroll: Pence,
    /// Amount reportable on the P11D, and its section (TAX005, TAX006).
    pub p11d_amount: Pence,
    pub p11d_section: Option<char>,
    /// Eligible miles after the route cap and commute deduction (mileage lines).
    pub eligible_miles: Option<Miles>,
    /// Special Rate miles this line adds to the claimant's financial-year
    /// total (`crate::model::time::financial_year(expense_date)`), for the ledger (MIL009).
    pub sr_miles_counted: Miles,
    /// HMRC AMAP car miles this line adds to the claimant's tax-year total
    /// (`crate::model::time::tax_year(expense_date)`), for the ledger (TAX005).
    pub amap_miles_counted: Miles,
}

impl<'a> LineState<'a> {
    pub fn new(index: usize, line: &'a ClaimLine, staff: &'a Staff) -> LineState<'a> {
        LineState {
            index,
            line,
            staff,
            allowed: line.amount,
            hits: Vec::new(),
            taxable_payroll: Pence::ZERO,
            p11d_amount: Pence::ZERO,
            p11d_section: None,
            eligible_miles: None,
            sr_miles_counted: Miles::ZERO,
            amap_miles_counted: Miles::ZERO,
        }
    }

    /// Records a finding that does not change the amount.
    pub fn fire(&mut self, rule: &'static Rule, severity: Severity, message: String) {
        self.hits.push(Hit::new(rule, severity, message));
    }

    /// Records a rejecting rule (SPEC §6.1 rule 2).
    pub fn reject(&mut self, rule: &'static Rule, message: String) {
        debug_assert!(rule.rejects, "{} is not a rejecting rule", rule.code);
        self.hits.push(Hit::new(rule, rule.severity, message));
    }

    /// Records a rejecting firing of a rule that only rejects in some cases
    /// (TRV001, TRV004 with no fare to fall back on): the line is rejected
    /// exactly as by a rule of SPEC §6.1 rule 2.
    pub fn reject_outright(&mut self, rule: &'static Rule, message: String) {
        self.hits.push(Hit { rule, severity: rule.severity, message, rejecting: true });
    }

    /// A capping rule (SPEC §6.1 rule 4): applied to the claimed amount, it
    /// fires only when its cap is below the claim; the lowest cap wins.
    pub fn cap(&mut self, rule: &'static Rule, severity: Severity, cap: Pence, message: String) {
        if cap < self.line.amount {
            self.allowed = self.allowed.min(cap.max(Pence::ZERO));
            self.hits.push(Hit::new(rule, severity, message));
        }
    }

    /// A shared cap (per-day caps, SUB008, excess taken from later lines):
    /// it applies to the allowed amount left by the per-line caps and fires
    /// only when it lowers it. A rule already listed on the line is not
    /// listed twice.
    pub fn cap_allowed(&mut self, rule: &'static Rule, severity: Severity, cap: Pence, message: String) {
        let cap = cap.max(Pence::ZERO);
        if cap < self.allowed {
            self.allowed = cap;
            if !self.has(rule) {
                self.hits.push(Hit::new(rule, severity, message));
            }
        }
    }

    /// Whether `rule` has fired on the line.
    pub fn has(&self, rule: &Rule) -> bool {
        self.hits.iter().any(|h| h.rule.code == rule.code)
    }

    /// Whether a rejecting rule has fired: such a line consumes no shared cap
    /// or running total (SPEC §6.1 rule 3).
    pub fn is_rejected(&self) -> bool {
        self.hits.iter().any(|h| h.rejecting)
    }
}

/// One employee's lines being decided.
pub struct Employee<'a> {
    pub staff: &'a Staff,
    /// Lines that passed DAT and CUT, in processing order.
    pub lines: Vec<LineState<'a>>,
    /// Every line of the employee that passed the DAT checks (deferred ones
    /// too), in processing order — e.g. MIL008's vehicle line (SPEC §6.4 rule 26).
    pub valid: Vec<&'a ClaimLine>,
    /// Relocation paid this run for the employee's employment (assignment,
    /// start_date), set by the REL pass from the live relocation lines; `None`
    /// when the employee has no live relocation line. The ledger stores it.
    pub relocation_run: Option<RelocationPaid>,
}

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
    use crate::model::Category;
    use crate::testkit::{config, date, line, staff};

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
