//! The rule engine: every claim line to exactly one decision (SPEC §3, §6.1).
//!
//! Order of evaluation:
//! 1. DAT checks over the whole input (a line with any DAT code is terminal);
//! 2. CUT001 (a deferred line is terminal);
//! 3. per employee, in parallel, the family passes over the employee's lines
//!    in (expense_date, claim_id, line_no) order.
//!
//! Results are placed by input index, so output never depends on the thread
//! count.

use crate::config::Config;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Severity, Status, Subject};
use crate::model::period::Period;
use crate::model::roster::{Roster, Staff};
use crate::model::Pence;
use crate::rules::{self, age, data, Rule};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What every rule may read: configuration, the run's calendar and the roster.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub period: Period,
    pub staff: HashMap<&'a str, &'a Staff>,
}

impl<'a> Ctx<'a> {
    pub fn new(config: &'a Config, period: Period, roster: &'a Roster) -> Ctx<'a> {
        let staff = roster
            .staff
            .iter()
            .map(|s| (s.assignment.as_str(), s))
            .collect();
        Ctx {
            config,
            period,
            staff,
        }
    }
}

/// One rule firing on a line, before it becomes a [`Finding`].
#[derive(Clone, Debug)]
pub struct Hit {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
}

impl Hit {
    pub fn new(rule: &'static Rule, severity: Severity, message: String) -> Hit {
        Hit {
            rule,
            severity,
            message,
        }
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
}

impl<'a> LineState<'a> {
    pub fn new(index: usize, line: &'a ClaimLine, staff: &'a Staff) -> LineState<'a> {
        LineState {
            index,
            line,
            staff,
            allowed: line.amount,
            hits: Vec::new(),
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

    /// Whether a rejecting rule has fired: such a line consumes no shared cap
    /// or running total (SPEC §6.1 rule 3).
    pub fn is_rejected(&self) -> bool {
        self.hits.iter().any(|h| h.rule.rejects)
    }
}

/// Everything decided in a run.
pub struct Evaluation {
    /// One per input claim line, in input order.
    pub decisions: Vec<Decision>,
    /// Line findings in input order.
    pub findings: Vec<Finding>,
}

/// The passes run on each employee's live lines, in SPEC §3 order.
type Pass = fn(&mut [LineState], &Ctx);

const PASSES: &[Pass] = &[|lines, ctx| lines.iter_mut().for_each(|l| age::check(l, ctx))];

/// Decides every claim line.
pub fn evaluate(lines: &[ClaimLine], ctx: &Ctx) -> Evaluation {
    let known: HashSet<&str> = ctx.staff.keys().copied().collect();
    let dat = data::check_claims(lines, &known, ctx.config.policy.claims.max_line_amount);

    let mut outcomes: Vec<Option<(Status, Pence, Vec<Hit>)>> = vec![None; lines.len()];
    let mut by_employee: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, (line, hits)) in lines.iter().zip(dat).enumerate() {
        if !hits.is_empty() {
            outcomes[index] = Some((Status::Rejected, Pence::ZERO, hits));
        } else if let Some(why) = age::deferral(line, &ctx.period) {
            let hit = Hit::new(&age::CUT001, Severity::Info, why);
            outcomes[index] = Some((Status::Deferred, Pence::ZERO, vec![hit]));
        } else {
            by_employee
                .entry(line.assignment.as_str())
                .or_default()
                .push(index);
        }
    }

    let decided: Vec<Vec<(usize, Status, Pence, Vec<Hit>)>> = by_employee
        .into_par_iter()
        .map(|(assignment, mut indices)| {
            indices.sort_by(|&a, &b| {
                let (x, y) = (&lines[a], &lines[b]);
                (x.expense_date, &x.claim_id, x.line_no, a).cmp(&(
                    y.expense_date,
                    &y.claim_id,
                    y.line_no,
                    b,
                ))
            });
            // DAT003 guarantees the assignment is on the Staff sheet.
            let Some(staff) = ctx.staff.get(assignment) else {
                return Vec::new();
            };
            let mut states: Vec<LineState> = indices
                .iter()
                .map(|&i| LineState::new(i, &lines[i], staff))
                .collect();
            for pass in PASSES {
                pass(&mut states, ctx);
            }
            states.into_iter().map(finish).collect()
        })
        .collect();
    for (index, status, allowed, hits) in decided.into_iter().flatten() {
        outcomes[index] = Some((status, allowed, hits));
    }

    let mut decisions = Vec::with_capacity(lines.len());
    let mut findings = Vec::new();
    for (index, (line, outcome)) in lines.iter().zip(outcomes).enumerate() {
        // Every line has an outcome: DAT, CUT or an employee pass placed it.
        let (status, allowed, mut hits) =
            outcome.unwrap_or((Status::Rejected, Pence::ZERO, Vec::new()));
        hits.sort_by_key(|h| rules::spec_order(h.rule));
        let mut codes: Vec<&'static Rule> = hits.iter().map(|h| h.rule).collect();
        codes.dedup_by_key(|r| r.code);
        for hit in hits {
            findings.push(Finding {
                rule: hit.rule,
                severity: hit.severity,
                subject: Subject::Line(index),
                message: hit.message,
                source: line.source.clone(),
            });
        }
        decisions.push(Decision {
            allowed,
            status,
            taxable_payroll: Pence::ZERO,
            p11d_amount: Pence::ZERO,
            p11d_section: None,
            rules: codes,
        });
    }
    Evaluation {
        decisions,
        findings,
    }
}

/// The status of a live line after every pass (SPEC §6.1 rules 2, 4, 5).
fn finish(state: LineState) -> (usize, Status, Pence, Vec<Hit>) {
    if state.is_rejected() {
        let hits = state.hits.into_iter().filter(|h| h.rule.rejects).collect();
        return (state.index, Status::Rejected, Pence::ZERO, hits);
    }
    let status = if state.allowed.is_zero() {
        Status::Rejected
    } else if state.allowed == state.line.amount {
        Status::Paid
    } else {
        Status::Adjusted
    };
    (state.index, status, state.allowed, state.hits)
}
