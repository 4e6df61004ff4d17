//! What a run decides: a status and allowed amount per claim line, and the
//! findings that explain every pound withheld (SPEC §3, §4.1).

use super::claim::RowRef;
use super::money::Pence;
use super::rule::{Rule, Severity};

/// The one status each claim line ends in (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Paid,
    Adjusted,
    Rejected,
    Deferred,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Paid => "PAID",
            Status::Adjusted => "ADJUSTED",
            Status::Rejected => "REJECTED",
            Status::Deferred => "DEFERRED",
        }
    }

    /// PAID and ADJUSTED lines are paid through payroll.
    pub fn is_paid(self) -> bool {
        matches!(self, Status::Paid | Status::Adjusted)
    }
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A claim line, by its index in input order.
    Line(usize),
    /// An employee-level finding (leave, sickness, protection) or a roster row.
    Employee { assignment: String, date: Option<chrono::NaiveDate> },
}

/// One rule firing.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub subject: Subject,
    pub message: String,
    /// The input row that caused it (`file!sheet:row`).
    pub source: Option<RowRef>,
}

/// The decision on one claim line (a row of decisions.csv).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: Pence,
    pub status: Status,
    pub taxable_payroll: Pence,
    pub p11d_amount: Pence,
    pub p11d_section: Option<char>,
    /// The codes that fired on the line, de-duplicated, in spec order.
    pub rules: Vec<&'static Rule>,
}
