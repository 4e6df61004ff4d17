//! The payroll lines of `adjustments.csv` (SPEC §4.1) from the decisions:
//! per employee and pay element, the sum of paid claim lines, split plain /
//! `_TAXABLE`; then every row ordered and marked (PP001).

use crate::model::adjustment::{AdjustmentRow, ELEMENTS};
use crate::model::claim::ClaimLine;
use crate::model::decision::Decision;
use crate::model::protection::Mark;
use crate::model::roster::Staff;
use crate::model::{PayElement, Pence};
use foldhash::HashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The element's place in [`ELEMENTS`] (SPEC §4.1 order).
fn element_order(group: PayElement, taxable: bool) -> usize {
    let i = match group {
        PayElement::Mileage => 0,
        PayElement::Travel => 2,
        PayElement::Subsistence => 4,
        PayElement::Relocation => 6,
        PayElement::Sundry => 8,
    };
    i + usize::from(taxable)
}

/// Builds the expense rows of adjustments.csv from the decisions, ordered by
/// assignment then element; zero-amount rows are omitted.
pub fn expense_rows(
    lines: &[ClaimLine],
    decisions: &[Decision],
    staff: &HashMap<&str, &Staff>,
) -> Vec<AdjustmentRow> {
    // In parallel over the lines: each part of the input sums into its own
    // map, and the maps are merged in input order (rayon reduces left to
    // right), so sources stay in input order as when summed in one pass.
    let sums = lines
        .par_iter()
        .zip(decisions)
        .fold(Sums::new, |mut sums, (line, decision)| {
            add_line(&mut sums, line, decision);
            sums
        })
        .reduce(Sums::new, |mut left, right| {
            for (key, (amount, sources)) in right {
                let entry = left.entry(key).or_default();
                entry.0 += amount;
                entry.1.extend(sources);
            }
            left
        });
    let sums: Vec<_> = sums.into_iter().filter(|(_, (amount, _))| !amount.is_zero()).collect();
    sums.into_par_iter()
        .map(|((assignment, order), (amount, sources))| {
            let person = staff.get(assignment);
            let element = ELEMENTS.get(order).copied().unwrap_or("SUNDRY");
            AdjustmentRow {
                assignment: assignment.to_string(),
                name: person.map(|s| s.name.clone()).unwrap_or_default(),
                cost_centre: person.map(|s| s.cost_centre.clone()).unwrap_or_default(),
                element,
                units: sources.len().to_string(),
                rate: String::new(),
                amount,
                taxable: element.ends_with("_TAXABLE"),
                ni_able: element.ends_with("_TAXABLE"),
                protected: String::new(),
                protection_end: String::new(),
                source: sources_text(&sources),
            }
        })
        .collect()
}

/// (assignment, element order) → (amount, the lines summed: `units` is their count).
type Sums<'l> = BTreeMap<(&'l str, usize), (Pence, Vec<&'l ClaimLine>)>;

/// `claim_id/line_no` of each line, `;`-separated (SPEC §4.1 `source`).
fn sources_text(lines: &[&ClaimLine]) -> String {
    let mut text = String::with_capacity(lines.len() * 24);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push(';');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{}/{}", line.claim_id, line.line_no);
    }
    text
}

/// A paid line's amount on its element, split plain / `_TAXABLE`.
fn add_line<'l>(sums: &mut Sums<'l>, line: &'l ClaimLine, decision: &Decision) {
    let (true, Some(category)) = (decision.status.is_paid(), line.category) else {
        return;
    };
    let group = category.pay_element();
    let parts = [
        (element_order(group, false), decision.allowed - decision.taxable_payroll),
        (element_order(group, true), decision.taxable_payroll),
    ];
    for (order, amount) in parts {
        if amount.is_zero() {
            continue;
        }
        let entry = sums.entry((line.assignment.as_str(), order)).or_default();
        entry.0 += amount;
        entry.1.push(line);
    }
}

/// Orders payroll lines by assignment, then element in SPEC §4.1 order, and
/// drops zero amounts (SPEC §4.1).
pub fn order_rows(rows: &mut Vec<AdjustmentRow>) {
    rows.retain(|r| !r.amount.is_zero());
    let order = |e: &str| ELEMENTS.iter().position(|x| *x == e).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| (&a.assignment, order(a.element)).cmp(&(&b.assignment, order(b.element))));
}

/// Marks every row of a protected employee with the kind and end of their
/// protection (SPEC §3.12 PP001, §6.8 rule 45).
pub fn mark(rows: &mut [AdjustmentRow], marks: &BTreeMap<String, Mark>) {
    for row in rows {
        if let Some(m) = marks.get(&row.assignment) {
            row.protected = m.kind.code().to_string();
            row.protection_end = m.end.to_string();
        }
    }
}
