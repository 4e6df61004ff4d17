//! REL — removal and associated expenses, per employment (SPEC §3.7, §6.6
//! rule 35; CORP/EMP 10 §4.1, §4.2.2, §4.12.4).
//!
//! An employment is (assignment, start_date). What it has been paid comes from
//! the ledger plus the earlier live relocation lines of this run, in
//! processing order.

use super::{Family, Rule};
use crate::model::history::RelocationPaid;
use crate::model::rule::Severity;
use crate::model::time::add_months;
use crate::model::{Category, Pence};
use crate::state::{Ctx, Employee};

/// REL001 — relocation over the £8,000 limit for the employment.
pub const REL001: Rule = Rule {
    code: "REL001",
    family: Family::Relocation,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 10 §4.2.2",
    summary: "Relocation for the employment over {rates.relocation.total}: capped at the remainder.",
    what: "RELOCATION and RELOCATION_MISC paid to date for the employment (ledger + earlier live lines of the run) plus this line above £8,000.",
    policy: "\"Expenses will be reimbursed (up to a maximum of £8,000)\".",
    effect: "capped at the remainder (ADJUSTED, ERROR; £0 once used up).",
    example: "£7,600 already paid, RELOCATION £500.00 → allowed £400.00.",
    config: "`rates.relocation.total`.",
    control: None,
    rejects: false,
};

/// REL002 — miscellaneous grant over £1,000.
pub const REL002: Rule = Rule {
    code: "REL002",
    family: Family::Relocation,
    severity: Severity::Error,
    policy_ref: "CORP/EMP 10 §4.12.4",
    summary: "Relocation miscellaneous grant over {rates.relocation.misc}: capped at the remainder.",
    what: "RELOCATION_MISC paid to date for the employment plus this line above £1,000.",
    policy: "\"limited to a maximum payment of £1,000\" (and within the £8,000 overall, REL001).",
    effect: "capped at the remainder (ADJUSTED, ERROR).",
    example: "RELOCATION_MISC £1,000.01, nothing paid before → allowed £1,000.00.",
    config: "`rates.relocation.misc`.",
    control: None,
    rejects: false,
};

/// REL003 — relocation claimed late.
pub const REL003: Rule = Rule {
    code: "REL003",
    family: Family::Relocation,
    severity: Severity::Warning,
    policy_ref: "CORP/EMP 10 §4.1",
    summary: "First relocation claim more than 3 months after the start date: WARNING.",
    what: "the employment's first relocation line (none in the ledger; the first live line of the run) submitted more than 3 calendar months after start_date. Skipped when start_date is blank.",
    policy: "an application \"must be submitted to the Trust within three months from commencement in post\".",
    effect: "paid, WARNING.",
    example: "start_date 2025-01-31, first RELOCATION line submitted 2025-05-01 (limit 2025-04-30) → warning.",
    config: "",
    control: None,
    rejects: false,
};

/// REL004 — relocation paid.
pub const REL004: Rule = Rule {
    code: "REL004",
    family: Family::Relocation,
    severity: Severity::Info,
    policy_ref: "CORP/EMP 10 §4.1",
    summary: "Relocation payment: INFO, reportable on the P11D section J (relocation expenses).",
    what: "a live RELOCATION / RELOCATION_MISC line with an allowed amount above £0.",
    policy: "removal expenses are notified to HMRC on the P11D (section J).",
    effect: "INFO; the amount is reported on the P11D section J, \"relocation expenses payments and benefits\" (TAX006).",
    example: "RELOCATION £1,200.00 paid → info, P11D section J £1,200.00.",
    config: "`claims.relocation_p11d_exempt` (TAX006).",
    control: None,
    rejects: false,
};

/// REL001–REL004 over the employee's live relocation lines, in processing
/// order; records the employment's relocation paid this run on the employee.
pub fn pass(employee: &mut Employee, ctx: &Ctx) {
    let staff = employee.staff;
    let ledger = ctx.history.relocation_paid(&staff.assignment, staff.start_date);
    let before = ledger.unwrap_or_default();
    let mut run = RelocationPaid::default();
    let mut first = ledger.is_none();
    let mut any = false;
    for state in employee.lines.iter_mut() {
        let line = state.line;
        let misc = match line.category {
            Some(Category::Relocation) => false,
            Some(Category::RelocationMisc) => true,
            _ => continue,
        };
        if state.is_rejected() {
            continue;
        }
        any = true;
        let caps = &ctx.config.policy.rates_on(line.expense_date).relocation;

        if std::mem::take(&mut first) {
            if let Some(start) = staff.start_date {
                let limit = add_months(start, 3);
                if line.submitted_date > limit {
                    state.fire(
                        &REL003,
                        Severity::Warning,
                        format!(
                            "first relocation claim submitted {}, more than 3 months after the start date {start} (limit {limit})",
                            line.submitted_date
                        ),
                    );
                }
            }
        }

        let total_so_far = before.total + run.total;
        state.cap(
            &REL001,
            Severity::Error,
            (caps.total - total_so_far).max(Pence::ZERO),
            format!("£{total_so_far} already paid for this employment; limit £{}", caps.total),
        );
        if misc {
            let misc_so_far = before.misc + run.misc;
            state.cap(
                &REL002,
                Severity::Error,
                (caps.misc - misc_so_far).max(Pence::ZERO),
                format!("£{misc_so_far} miscellaneous grant already paid; limit £{}", caps.misc),
            );
        }

        run.total += state.allowed;
        if misc {
            run.misc += state.allowed;
        }
        if state.allowed > Pence::ZERO {
            state.fire(
                &REL004,
                Severity::Info,
                format!("relocation £{} reportable on the P11D (section J)", state.allowed),
            );
        }
    }
    if any {
        employee.relocation_run = Some(run);
    }
}

#[cfg(test)]
mod tests;
