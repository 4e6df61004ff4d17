//! DAT — data checks on the inputs (SPEC §3.1, §6.2).
//!
//! A claim line with any DAT finding is REJECTED and lists only its DAT codes
//! (SPEC §6.1 rule 1); no other rule reads it. Roster rows with DAT findings
//! are skipped with a WARNING (SPEC §6.1 rule 6, §6.2 rule 14).

use super::{Family, Rule};
use crate::model::claim::ClaimLine;
use crate::model::input::DataCell;
use crate::model::rule::Severity;
use crate::model::Pence;
use crate::state::Hit;
use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;
use std::collections::hash_map::Entry;

/// DAT001 — a required column is missing from a sheet.
pub const DAT001: Rule = Rule {
    code: "DAT001",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "A required column is missing from a sheet: the run stops (exit 3).",
    what: "The header row must contain every required column of its sheet, under its canonical name or an alias from config/columns.toml. Without it no row can be decided, so the run stops with exit 3 and names the file, sheet, column and aliases tried.",
    policy: "",
    effect: "the run stops with exit 3 before anything is decided; the message names the file, sheet, column and every alias tried (config/columns.toml).",
    example: "the Claims sheet has no `amount` column (nor an alias of it) → exit 3.",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT002 — a cell cannot be parsed as its column's type, or a required value is blank.
pub const DAT002: Rule = Rule {
    code: "DAT002",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "A cell cannot be read as its type: claim line REJECTED, roster row skipped.",
    what: "Dates, times, money, miles, numbers and Y/N values must be in one of the forms of SPEC §2; required values must not be blank. The finding names the file, sheet, row, column and raw value.",
    policy: "",
    effect: "a claim line REJECTED (ERROR); a roster row skipped with a finding naming the file, sheet, row, column and raw value.",
    example: "amount `n/a` → the claim line is REJECTED; a Staff row with contracted_hours `0` is skipped (so that person's claims get DAT003).",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT003 — the claim's assignment is not in the Staff sheet.
pub const DAT003: Rule = Rule {
    code: "DAT003",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "Claim assignment not in Staff: REJECTED (roster rows: skipped).",
    what: "Every claim line must belong to an assignment on the Staff sheet (rates, base and commute depend on it). Roster rows of an unknown assignment are skipped with a WARNING.",
    policy: "",
    effect: "REJECTED (ERROR); roster rows of an unknown assignment are skipped.",
    example: "a claim line for assignment 99999 that is not on the Staff sheet → rejected.",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT004 — an unknown category or code value.
pub const DAT004: Rule = Rule {
    code: "DAT004",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "Unknown category or code value: REJECTED.",
    what: "Codes (category, travel_type, receipt, rail_class, authorised_by, staff_group, shift_type, absence_type, certificate, reason, protection) are trimmed and upper-cased, then must be one of SPEC §2's values.",
    policy: "",
    effect: "REJECTED (ERROR) for a claim line; a roster row with an unknown code is skipped.",
    example: "category `MILAGE_CAR` → rejected.",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT005 — a duplicate `(claim_id, line_no)` in the input.
pub const DAT005: Rule = Rule {
    code: "DAT005",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "Duplicate (claim_id, line_no) in the input: later copies REJECTED.",
    what: "A claim line is identified by (claim_id, line_no). When the same key appears again in the inputs, the second and later copies are rejected so the line cannot be paid twice.",
    policy: "",
    effect: "the first copy (input order) is decided; later copies are REJECTED. A repeated Staff assignment keeps its first row (WARNING).",
    example: "",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT006 — negative amount, miles or route_miles, or amount over `max_line_amount`.
pub const DAT006: Rule = Rule {
    code: "DAT006",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "Negative amount/miles, or amount above max_line_amount ({claims.max_line_amount}): REJECTED.",
    what: "Amounts and miles cannot be negative, and a single line above {claims.max_line_amount} is treated as a keying error.",
    policy: "",
    effect: "REJECTED (ERROR).",
    example: "amount -5.00, or amount 5,000.01 with the default limit → rejected.",
    config: "`claims.max_line_amount`.",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// DAT007 — dates out of order.
pub const DAT007: Rule = Rule {
    code: "DAT007",
    family: Family::Data,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §4.1",
    summary: "expense_date after submitted_date, or approved before submitted: REJECTED.",
    what: "A cost cannot be claimed before it was incurred, and a line cannot be approved before it was submitted.",
    policy: "",
    effect: "REJECTED (ERROR).",
    example: "expense_date 2025-05-20, submitted_date 2025-05-19 → rejected.",
    config: "",
    control: Some("CORP/EMP 33 §4.1 (claims must be complete and correct before they are authorised and paid) — a line that cannot be read or matched to an employee cannot be judged against any rule"),
    rejects: true,
};

/// The DAT hits of every claim line, in input order. `known_staff` holds the
/// assignments of valid Staff rows.
pub fn check_claims(
    lines: &[ClaimLine],
    known_staff: &HashSet<&str>,
    max_line_amount: Pence,
) -> Vec<Vec<Hit>> {
    // DAT005 looks back at earlier lines, so the first line of each key is
    // found in one pass in input order; the rest is per line, in parallel.
    let mut first_key: HashMap<(&str, i64), usize> = HashMap::with_capacity(lines.len());
    let repeats: Vec<Option<usize>> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            if line.unread("claim_id") || line.unread("line_no") {
                return None;
            }
            match first_key.entry((line.claim_id.as_str(), line.line_no)) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                    None
                }
            }
        })
        .collect();
    drop(first_key);
    lines
        .par_iter()
        .zip(repeats)
        .map(|(line, repeat)| {
            let mut hits = Vec::new();
            for problem in &line.problems {
                let rule = if problem.unknown_code { &DAT004 } else { &DAT002 };
                hits.push(Hit::new(
                    rule,
                    Severity::Error,
                    format!(
                        "column {} ('{}'): '{}' is not {}",
                        problem.column, problem.header, problem.raw, problem.expected
                    ),
                ));
            }
            if let Some(first) = repeat {
                let at = lines[first].source.as_ref().map(|s| s.to_string()).unwrap_or_default();
                hits.push(Hit::new(
                    &DAT005,
                    Severity::Error,
                    format!("claim {} line {} already appears at {at}", line.claim_id, line.line_no),
                ));
            }
            let parsed = |column: &str| !line.unread(column);
            if parsed("assignment") && !known_staff.contains(line.assignment.as_str()) {
                hits.push(Hit::new(
                    &DAT003,
                    Severity::Error,
                    format!("assignment '{}' is not on the Staff sheet", line.assignment),
                ));
            }
            let mut negative = Vec::new();
            if line.amount.0 < 0 {
                negative.push(format!("amount {}", line.amount));
            }
            if let Some(m) = line.miles.filter(|m| m.0 < 0) {
                negative.push(format!("miles {m}"));
            }
            if let Some(m) = line.route_miles.filter(|m| m.0 < 0) {
                negative.push(format!("route_miles {m}"));
            }
            if !negative.is_empty() {
                hits.push(Hit::new(&DAT006, Severity::Error, format!("negative {}", negative.join(", "))));
            } else if line.amount > max_line_amount {
                hits.push(Hit::new(
                    &DAT006,
                    Severity::Error,
                    format!("amount £{} is above the £{max_line_amount} line maximum", line.amount),
                ));
            }
            if parsed("expense_date") && parsed("submitted_date") {
                if line.expense_date > line.submitted_date {
                    hits.push(Hit::new(
                        &DAT007,
                        Severity::Error,
                        format!(
                            "expense_date {} is after submitted_date {}",
                            line.expense_date, line.submitted_date
                        ),
                    ));
                } else if parsed("approved_date")
                    && line.approved_date.is_some_and(|a| a < line.submitted_date)
                {
                    hits.push(Hit::new(
                        &DAT007,
                        Severity::Error,
                        format!(
                            "approved_date {} is before submitted_date {}",
                            line.approved_date.unwrap_or_default(),
                            line.submitted_date
                        ),
                    ));
                }
            }
            hits
        })
        .collect()
}

/// Each DAT hit of a claim line as the cell it is about (`payrun check`,
/// SPEC §13): a cell that could not be read names its column and raw text;
/// the other checks name the column they compare. `hits` are the line's
/// from [`check_claims`], whose first ones are its unread cells in order.
pub fn claim_cells(line: &ClaimLine, hits: &[Hit]) -> Vec<DataCell> {
    let source = line.source.as_ref().map(|s| s.to_string()).unwrap_or_default();
    let date = |d: chrono::NaiveDate| d.to_string();
    hits.iter()
        .enumerate()
        .map(|(i, hit)| {
            let (column, raw) = match (line.problems.get(i), hit.rule.code) {
                (Some(p), _) => (p.column.to_string(), p.raw.clone()),
                (None, "DAT003") => ("assignment".to_string(), line.assignment.clone()),
                (None, "DAT005") => ("line_no".to_string(), format!("{} / {}", line.claim_id, line.line_no)),
                (None, "DAT006") if hit.message.starts_with("negative miles") => {
                    ("miles".to_string(), line.miles.map(|m| m.to_string()).unwrap_or_default())
                }
                (None, "DAT006") if hit.message.starts_with("negative route_miles") => {
                    ("route_miles".to_string(), line.route_miles.map(|m| m.to_string()).unwrap_or_default())
                }
                (None, "DAT006") => ("amount".to_string(), line.amount.to_string()),
                (None, "DAT007") if hit.message.starts_with("approved_date") => {
                    ("approved_date".to_string(), line.approved_date.map(date).unwrap_or_default())
                }
                (None, "DAT007") => ("expense_date".to_string(), date(line.expense_date)),
                (None, _) => (String::new(), String::new()),
            };
            DataCell {
                source: source.clone(),
                column,
                raw,
                code: hit.rule.code,
                message: hit.message.clone(),
            }
        })
        .collect()
}
