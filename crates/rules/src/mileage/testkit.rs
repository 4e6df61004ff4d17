//! Building small claim sets for rule tests: one claimant, lines in May 2025,
//! decided by [`engine::evaluate`] as a June 2025 run.

use crate::config::Config;
use crate::engine;
use crate::model::claim::{ClaimLine, RowRef};
use crate::model::decision::{Decision, Status};
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::{Roster, Shift, Staff};
use crate::model::{Category, Miles, Pence, Receipt, ShiftType, StaffGroup};
use crate::state::Ctx;
use chrono::{NaiveDate, NaiveTime};

/// The claimant's assignment in every kit.
pub const ASSIGNMENT: &str = "A1";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// A day of the activity month, May 2025.
pub fn may(day: u32) -> NaiveDate {
    date(2025, 5, day)
}

/// A bundled config, one AFC claimant (15-mile commute, insured to 2026, no
/// Special Rate approval, no lease car) and an empty history.
pub struct Kit {
    pub config: Config,
    pub roster: Roster,
    pub history: History,
}

impl Kit {
    pub fn new() -> Kit {
        let config = Config::built_in().expect("bundled config");
        let staff = Staff {
            source: RowRef::new("roster.csv", "Staff", 2),
            assignment: ASSIGNMENT.into(),
            name: "Test Claimant".into(),
            staff_group: StaffGroup::Afc,
            band: "5".into(),
            base_site: "DRI".into(),
            home_to_base_miles: Miles::from_whole(15),
            contracted_hours_x100: 3750,
            annual_salary: Pence::from_pounds(30_000),
            cost_centre: "CC1".into(),
            service_start: date(2015, 1, 1),
            start_date: Some(date(2025, 3, 1)),
            leave_date: None,
            special_rate_from: None,
            insurance_expiry: Some(date(2026, 12, 31)),
            lease_car: false,
        };
        Kit {
            config,
            roster: Roster { staff: vec![staff], ..Default::default() },
            history: History::default(),
        }
    }

    /// The claimant, to change group, approvals, insurance...
    pub fn staff(&mut self) -> &mut Staff {
        &mut self.roster.staff[0]
    }

    /// An AFC claimant approved for the Special Rate since 2024.
    pub fn special_rate() -> Kit {
        let mut kit = Kit::new();
        kit.staff().special_rate_from = Some(date(2024, 1, 1));
        kit
    }

    /// Decides `lines` as the June 2025 run (activity month May 2025). The
    /// claimant is rostered on every expense day — a day shift away from base
    /// and an on-call shift — so that the roster rules (ROS) stay silent.
    pub fn run(&self, lines: &[ClaimLine]) -> Vec<Decision> {
        let period = Period::new(date(2025, 6, 1), &self.config.policy);
        let mut roster = self.roster.clone();
        let mut days: Vec<NaiveDate> = lines.iter().map(|l| l.expense_date).collect();
        days.sort();
        days.dedup();
        for day in days {
            for (shift_type, start, end) in [(ShiftType::Day, 8, 16), (ShiftType::Oncall, 18, 23)] {
                roster.shifts.push(Shift {
                    source: RowRef::new("roster.csv", "Shifts", 2),
                    assignment: ASSIGNMENT.into(),
                    date: day,
                    start: NaiveTime::from_hms_opt(start, 0, 0).unwrap_or_default(),
                    end: NaiveTime::from_hms_opt(end, 0, 0).unwrap_or_default(),
                    site: "LEEDS".into(),
                    shift_type,
                });
            }
        }
        let ctx = Ctx::new(&self.config, period, &roster, &self.history);
        engine::evaluate(lines, &ctx).expect("engine invariants").decisions
    }

    /// Decides one line.
    pub fn one(&self, line: ClaimLine) -> Decision {
        self.run(&[line]).remove(0)
    }
}

/// A line of claim C1 on `day` of May 2025, submitted 31 May.
pub fn line(line_no: i64, category: Category, day: u32, amount_pence: i64) -> ClaimLine {
    ClaimLine {
        claim_id: "C1".into(),
        line_no,
        assignment: ASSIGNMENT.into(),
        expense_date: may(day),
        submitted_date: may(31),
        category: Some(category),
        amount: Pence(amount_pence),
        receipt: if category.needs_receipt() { Receipt::Yes } else { Receipt::No },
        to: "LEEDS".into(),
        ..Default::default()
    }
}

/// A mileage line BASE → LEEDS of `tenths` tenths of a mile.
pub fn mileage(line_no: i64, category: Category, day: u32, tenths: i64, amount_pence: i64) -> ClaimLine {
    ClaimLine {
        from: "BASE".into(),
        miles: Some(Miles(tenths)),
        ..line(line_no, category, day, amount_pence)
    }
}

/// The rule codes of a decision, in spec order.
pub fn codes(decision: &Decision) -> Vec<&'static str> {
    decision.rules.iter().map(|r| r.code).collect()
}

/// Asserts allowed (pence), status and codes of a decision.
#[track_caller]
pub fn assert_decision(decision: &Decision, allowed: i64, status: Status, rules: &[&str]) {
    assert_eq!(
        (decision.allowed, decision.status, codes(decision)),
        (Pence(allowed), status, rules.to_vec()),
        "decision {decision:?}"
    );
}
