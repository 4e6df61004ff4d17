//! DUP — duplicate claim lines, within the run and against the ledger
//! (SPEC §3.2, §6.3 rules 16–17; CORP/EMP 33 §4.1).

use super::{Family, Rule};
use crate::model::claim::ClaimLine;
use crate::model::history::ContentKey;
use crate::model::rule::Severity;
use crate::state::{Ctx, Employee};
use foldhash::{HashMap, HashMapExt};

/// DUP001 — the same expense claimed twice.
pub const DUP001: Rule = Rule {
    code: "DUP001",
    family: Family::Duplicates,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §3",
    summary: "Same expense as a live earlier line of this run or a line paid in an earlier period: REJECTED.",
    what: "lines with the same content — assignment, expense_date, category and claimed amount, and for mileage categories also from / to (trimmed, case-insensitive) and miles — ordered by (submitted_date, claim_id, line_no). A line is a duplicate when an earlier line of its group is live (not deferred, not rejected by another rule), or when a line with that content was paid in an earlier period under another key.",
    policy: "A claim is a request to be repaid a cost actually incurred; the same cost claimed again (in this run or already paid) is not.",
    effect: "the later line REJECTED (ERROR). A corrected resubmission of a rejected or deferred line is evaluated normally.",
    example: "claim C1 line 1 and claim C2 line 1, both DAY_MEAL £4.80 on 14 May 2025, C2 submitted later → C2/1 rejected, £4.80 withheld.",
    config: "",
    control: Some("CORP/EMP 33 §3 — \"You MUST ensure you only claim actual costs incurred\": the same cost paid twice is not an actual cost"),
    rejects: true,
};

/// DUP002 — a claim line already paid.
pub const DUP002: Rule = Rule {
    code: "DUP002",
    family: Family::Duplicates,
    severity: Severity::Error,
    policy_ref: "system control; serves CORP/EMP 33 §3",
    summary: "Claim line (claim_id, line_no) already paid in an earlier period: REJECTED.",
    what: "`(claim_id, line_no)` among the lines paid (PAID or ADJUSTED) in an earlier period of the ledger.",
    policy: "A claim line already paid in an earlier period is not an actual cost a second time.",
    effect: "REJECTED (ERROR); wins over DUP001 for the same key.",
    example: "C1/1 paid in the 2025-05 run and present again in the 2025-06 export → rejected, nothing paid twice.",
    config: "none (the ledger, `--state`).",
    control: Some("CORP/EMP 33 §3 — \"You MUST ensure you only claim actual costs incurred\": the same cost paid twice is not an actual cost"),
    rejects: true,
};

/// The content DUP001 compares (SPEC §6.3 rule 16); `None` for a line without
/// a category (such a line never gets past the DAT checks). The ledger stores
/// the same key for paid lines.
pub fn content_key(line: &ClaimLine) -> Option<ContentKey> {
    let category = line.category?;
    Some(ContentKey::from_parts(
        &line.assignment,
        line.expense_date,
        category,
        line.amount,
        &line.from,
        &line.to,
        line.miles,
    ))
}

/// DUP001 and DUP002 over one employee's live lines. Runs after the line
/// checks, so that "rejected by another rule" is known.
pub fn pass(employee: &mut Employee, ctx: &Ctx) {
    let mut groups: HashMap<ContentKey, Vec<usize>> = HashMap::new();
    for (position, state) in employee.lines.iter().enumerate() {
        if let Some(key) = content_key(state.line) {
            groups.entry(key).or_default().push(position);
        }
    }
    // Group order (not processing order) decides which copy survives.
    let mut groups: Vec<(ContentKey, Vec<usize>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, mut members) in groups {
        members.sort_by(|&a, &b| {
            let (x, y) = (employee.lines[a].line, employee.lines[b].line);
            (x.submitted_date, &x.claim_id, x.line_no, employee.lines[a].index).cmp(&(
                y.submitted_date,
                &y.claim_id,
                y.line_no,
                employee.lines[b].index,
            ))
        });
        let ledger = ctx.history.paid_content.get(&key);
        let mut live_earlier: Option<(String, i64)> = None;
        for position in members {
            let state = &mut employee.lines[position];
            let line = state.line;
            if ctx.history.is_paid(&line.claim_id, line.line_no) {
                state.reject(
                    &DUP002,
                    format!(
                        "claim {} line {} was already paid in an earlier period",
                        line.claim_id, line.line_no
                    ),
                );
            } else if let Some((claim_id, line_no)) = &live_earlier {
                state.reject(
                    &DUP001,
                    format!(
                        "same expense as claim {claim_id} line {line_no} in this run ({})",
                        describe(line)
                    ),
                );
            } else if let Some((claim_id, line_no)) =
                ledger.filter(|(c, n)| (c.as_str(), *n) != (line.claim_id.as_str(), line.line_no))
            {
                state.reject(
                    &DUP001,
                    format!(
                        "same expense as claim {claim_id} line {line_no} paid in an earlier period ({})",
                        describe(line)
                    ),
                );
            }
            if live_earlier.is_none() && !state.is_rejected() {
                live_earlier = Some((line.claim_id.clone(), line.line_no));
            }
        }
    }
}

fn describe(line: &ClaimLine) -> String {
    let category = line.category.map(|c| c.code()).unwrap_or("");
    format!("{category} £{} on {}", line.amount, line.expense_date)
}

#[cfg(test)]
mod tests;
