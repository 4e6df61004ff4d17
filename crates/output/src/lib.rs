//! Outputs (SPEC §4): the machine CSV/JSON files, the reconciliation that
//! must hold before any of them is put in place (staging and the folder swap
//! live in `files`).

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_config as config;
use payrun_files as files;
use payrun_model as model;
use payrun_model::error;
use payrun_rules as rules;

pub mod batch;
pub mod csv;
pub mod interface;
pub mod manifest;
pub mod payroll;
pub mod reconcile;
pub mod tables;
pub mod workbook;
pub mod writing;

use crate::config::Config;
use crate::model::absence::AbsenceReport;
use crate::model::attendance::AttendanceRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Decision, Finding, Subject};
use crate::model::kit::KitLeave;
use crate::model::p11d::P11dRow;
use crate::model::period::Period;
use crate::model::protection::{Mark, RowSummary};
use crate::model::review::{FindingRef, ReviewRun};
use crate::model::roster::Staff;
use crate::model::Pence;
use foldhash::HashMap;
use std::collections::BTreeMap;

/// What the writers read: the run's lines, decisions and findings.
pub struct Report<'a> {
    /// `--org`, shown in the workbooks' titles (SPEC §8.1).
    pub organisation: Option<&'a str>,
    pub period: Period,
    pub config: &'a Config,
    pub lines: &'a [ClaimLine],
    pub decisions: &'a [Decision],
    /// Line findings in input order, then employee findings by assignment.
    pub findings: &'a [Finding],
    pub staff: &'a HashMap<&'a str, &'a Staff>,
    /// Bradford rows of attendance.csv, by assignment (SPEC §3.11).
    pub attendance: &'a [AttendanceRow],
    /// Sickness absence figures (SPEC §10).
    pub absence: &'a AbsenceReport,
    /// Leaves with KIT days, for the Attendance sheet (SPEC §14).
    pub kit: &'a [KitLeave],
    /// Each protected employee's mark (SPEC §3.12, §6.8 rule 45).
    pub marks: &'a BTreeMap<String, Mark>,
    /// The pay-protection register rows reported this month (SPEC §3.12).
    pub protection: &'a [RowSummary],
    /// Rows of p11d.csv: tax year to date (SPEC §4.1).
    pub p11d: &'a [P11dRow],
    /// The id of each finding, in `findings` order (SPEC §11.1).
    pub finding_ids: &'a [String],
    /// What the ledger's reviews mean for this run (SPEC §11.4).
    pub reviews: &'a ReviewRun,
}

impl Report<'_> {
    /// A workbook's title: `RP5 — Exceptions — pay period 2025-06`, without
    /// the code for a run without `--org`.
    pub fn title(&self, kind: &str) -> String {
        let title = format!("{kind} — pay period {}", self.period.label());
        match self.organisation {
            Some(org) => format!("{org} — {title}"),
            None => title,
        }
    }

    /// The employee's name from Staff (blank for an unknown assignment).
    pub fn name_of(&self, assignment: &str) -> &str {
        self.staff.get(assignment).map_or("", |s| s.name.as_str())
    }

    /// Finding `i` as the ledger keeps it (SPEC §11.1): its id, its line's
    /// status and money, or only the employee for an employee finding.
    pub fn stored_finding(&self, i: usize) -> FindingRef<'_> {
        let f = &self.findings[i];
        let mut row = FindingRef {
            finding_id: self.finding_id(i),
            rule: f.rule.code,
            severity: f.severity.code(),
            assignment: "",
            name: "",
            claim_id: "",
            line_no: None,
            status: "",
            claimed: Pence::ZERO,
            allowed: Pence::ZERO,
            message: &f.message,
        };
        match &f.subject {
            Subject::Line(l) => {
                if let (Some(line), Some(d)) = (self.lines.get(*l), self.decisions.get(*l)) {
                    row.assignment = &line.assignment;
                    row.claim_id = &line.claim_id;
                    row.line_no = Some(line.line_no);
                    row.status = d.status.code();
                    row.claimed = line.amount;
                    row.allowed = d.allowed;
                }
            }
            Subject::Employee { assignment, .. } => row.assignment = assignment,
        }
        row.name = self.name_of(row.assignment);
        row
    }

    /// The id of finding `i` (blank if the run has none, e.g. a test's report).
    pub fn finding_id(&self, i: usize) -> &str {
        self.finding_ids.get(i).map_or("", String::as_str)
    }

    /// The pay-protection mark of an employee, if protected this month.
    pub fn mark_of(&self, assignment: &str) -> Option<Mark> {
        self.marks.get(assignment).copied()
    }
}
