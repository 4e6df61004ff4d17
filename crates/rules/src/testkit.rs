//! Test fixtures for the rule families: a claimant, claim lines built in a
//! line or two (`fixtures`), and a run of the whole engine over them (pay
//! period 2025-06, activity month May 2025, cut-off Wednesday 4 June).

use crate::engine::{self, Evaluation};
pub use crate::fixtures::*;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Status};
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::Roster;
use crate::state::Ctx;

/// Inputs of one run.
pub struct Run {
    pub roster: Roster,
    pub history: History,
}

impl Default for Run {
    fn default() -> Run {
        Run { roster: Roster { staff: vec![staff()], ..Default::default() }, history: History::default() }
    }
}

impl Run {
    /// Evaluates `lines` for pay period 2025-06.
    pub fn evaluate(&self, lines: &[ClaimLine]) -> Evaluation {
        let config = config();
        let period = Period::new(date(2025, 6, 1), &config.policy);
        let ctx = Ctx::new(config, period, &self.roster, &self.history);
        engine::evaluate(lines, &ctx).expect("engine invariants")
    }
}

/// Evaluates `lines` with the default claimant and an empty ledger.
pub fn evaluate(lines: &[ClaimLine]) -> Evaluation {
    Run::default().evaluate(lines)
}

/// Evaluates one line and returns its decision.
pub fn decide(line: ClaimLine) -> Decision {
    evaluate(&[line]).decisions.remove(0)
}

/// The codes on a decision. The claimant of these fixtures is rostered only
/// where a test adds shifts, so ROS002 ("not rostered", INFO) is left out
/// here; the roster family's own tests assert it.
pub fn codes(decision: &Decision) -> Vec<&'static str> {
    decision.rules.iter().map(|r| r.code).filter(|c| *c != "ROS002").collect()
}

/// Asserts status, allowed amount (pounds) and codes.
#[track_caller]
pub fn expect(decision: &Decision, status: Status, allowed: &str, rule_codes: &[&str]) {
    assert_eq!(
        (decision.status, decision.allowed, codes(decision)),
        (status, gbp(allowed), rule_codes.to_vec()),
        "decision {decision:?}"
    );
}
