//! What the rule families share while a run is decided (SPEC §6.1): the
//! context every rule reads, the state of one line and of one employee's
//! lines, and a rule's firing. Apart from the scheduler (`engine`), which
//! calls the families, so the families depend on this and not on it.

use crate::config::Config;
use crate::model::claim::ClaimLine;
use crate::model::history::{AbsenceEpisode, History, RelocationPaid};
use crate::model::period::Period;
use crate::model::roster::{Roster, RosterIndex, Shift, Staff};
use crate::model::rule::Severity;
use crate::model::{Miles, Pence};
use crate::Rule;
use chrono::NaiveDate;
use foldhash::HashMap;
use std::sync::atomic::AtomicU64;

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
    /// The ledger's earlier leave and sickness episodes by assignment, in
    /// the history's order: looked up once per employee, which a scan of
    /// the whole list made quadratic (4.6 s of a second national month).
    pub past_absences: HashMap<&'a str, Vec<&'a AbsenceEpisode>>,
    /// Claim lines decided so far, added to once per employee (and once for
    /// the lines DAT or CUT decide up front) while the rules run, so the
    /// progress display can read it from its own thread (issue 15). Nothing
    /// decided depends on it.
    pub decided: AtomicU64,
}

impl<'a> Ctx<'a> {
    pub fn new(config: &'a Config, period: Period, roster: &'a Roster, history: &'a History) -> Ctx<'a> {
        let staff = roster.staff.iter().map(|s| (s.assignment.as_str(), s)).collect();
        let mut past_absences: HashMap<&str, Vec<&AbsenceEpisode>> = HashMap::default();
        for e in &history.absences {
            past_absences.entry(e.assignment.as_str()).or_default().push(e);
        }
        Ctx {
            config,
            period,
            staff,
            roster,
            index: RosterIndex::new(roster),
            history,
            past_absences,
            decided: AtomicU64::new(0),
        }
    }

    /// The ledger's earlier episodes of `assignment`.
    pub fn past_absences_of(&self, assignment: &str) -> &[&'a AbsenceEpisode] {
        self.past_absences.get(assignment).map_or(&[], Vec::as_slice)
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
