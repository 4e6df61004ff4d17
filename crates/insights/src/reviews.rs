//! Insights sheet 11, Reviews (SPEC §11.5): what auditors decided about each
//! rule's findings, per organisation × period × rule, from the ledgers of the
//! organisations read (`--state`, one per organisation), opened read-only.
//!
//! A finding counts by its latest review (a later import supersedes an
//! earlier one); recovered and paid are the money runs have actioned so far
//! (docs/decisions.md 507). Only the periods of the run folders read are
//! listed, so the sheet covers the same months as the others.

use super::load::RunFolder;
use crate::error::{Error, Result};
use crate::ledger::{Ledger, NO_ORGANISATION};
use crate::model::money::{hundredths, round_half_up_div};
use crate::model::review::{Disposition, ReviewAction, StoredFinding, StoredReview};
use crate::model::Pence;
use crate::output::tables::{Table, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

pub const REVIEWS: [&str; 10] = [
    "organisation",
    "period",
    "rule",
    "findings",
    "reviewed",
    "cleared",
    "queried",
    "recovered",
    "paid",
    "cleared_share",
];

/// What one ledger holds for the periods read.
#[derive(Clone, Debug, Default)]
pub struct LedgerReviews {
    /// The ledger's organisation code (empty for a ledger of runs without `--org`).
    pub organisation: String,
    /// ERROR and WARNING findings of the periods listed, in the run's order.
    pub findings: Vec<StoredFinding>,
    /// Every review, in import order.
    pub reviews: Vec<StoredReview>,
    /// Every payment and recovery instalment runs carried.
    pub actions: Vec<ReviewAction>,
}

/// One rule's figures in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    findings: i64,
    reviewed: i64,
    cleared: i64,
    queried: i64,
    recovered: Pence,
    paid: Pence,
}

/// Reads the ledgers in `states` for the periods of `folders`; returns the
/// sheet and the lines stderr says about what it left out.
pub fn read(states: &[PathBuf], folders: &[RunFolder]) -> Result<(Table, Vec<String>)> {
    let mut periods_read: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in folders {
        periods_read.entry(f.organisation.as_str()).or_default().insert(f.period.as_str());
    }
    let mut notes = Vec::new();
    let mut ledgers: BTreeMap<String, (PathBuf, LedgerReviews)> = BTreeMap::new();
    for state in states {
        let ledger = Ledger::open_read_only(state)?;
        let path = ledger.path().to_path_buf();
        let organisation = match ledger.organisation()? {
            Some(code) if code != NO_ORGANISATION => code,
            _ => String::new(),
        };
        if let Some((other, _)) = ledgers.get(&organisation) {
            return Err(Error::Input(format!(
                "{} and {} are two ledgers of the same organisation ({}): give one --state per organisation",
                other.display(),
                path.display(),
                shown(&organisation)
            )));
        }
        let Some(wanted) = periods_read.get(organisation.as_str()) else {
            notes.push(format!(
                "{} is the ledger of {}, and no run folder read is: it is left out of the Reviews sheet",
                path.display(),
                shown(&organisation)
            ));
            ledgers
                .insert(organisation.clone(), (path, LedgerReviews { organisation, ..Default::default() }));
            continue;
        };
        let committed: BTreeSet<String> = ledger.periods()?.into_iter().collect();
        let stored: BTreeSet<String> = ledger.periods_with_findings()?.into_iter().collect();
        let not_committed: Vec<&str> = wanted.iter().copied().filter(|p| !committed.contains(*p)).collect();
        let before_findings: Vec<&str> =
            wanted.iter().copied().filter(|p| committed.contains(*p) && !stored.contains(*p)).collect();
        if !before_findings.is_empty() {
            notes.push(format!(
                "{} holds no findings for {} (committed before the ledger kept findings, schema v11): \
                 left out of the Reviews sheet",
                path.display(),
                before_findings.join(", ")
            ));
        }
        if !not_committed.is_empty() {
            notes.push(format!(
                "{} has no committed period {} of {}: left out of the Reviews sheet",
                path.display(),
                not_committed.join(", "),
                shown(&organisation)
            ));
        }
        let mut findings = Vec::new();
        for period in wanted.iter().filter(|p| stored.contains(**p)) {
            findings.extend(ledger.findings_of_period(period)?.into_iter().filter(StoredFinding::reviewable));
        }
        let data = LedgerReviews {
            organisation: organisation.clone(),
            findings,
            reviews: ledger.reviews()?,
            actions: ledger.review_actions()?,
        };
        ledgers.insert(organisation, (path, data));
    }
    for org in periods_read.keys().filter(|o| !ledgers.contains_key(**o)) {
        notes
            .push(format!("no --state given for {}: its runs are left out of the Reviews sheet", shown(org)));
    }
    let data: Vec<LedgerReviews> = ledgers.into_values().map(|(_, d)| d).collect();
    Ok((sheet(&data), notes))
}

/// An organisation as a message names it.
fn shown(organisation: &str) -> String {
    if organisation.is_empty() {
        "no organisation (runs without --org)".to_string()
    } else {
        format!("organisation {organisation}")
    }
}

/// Sheet 11 from the ledgers' findings, reviews and actions.
pub fn sheet(ledgers: &[LedgerReviews]) -> Table {
    let mut rows: BTreeMap<(&str, &str, &str), Counts> = BTreeMap::new();
    for l in ledgers {
        // Import order: the last review of a finding is its latest.
        let mut latest: HashMap<&str, &StoredReview> = HashMap::new();
        for r in &l.reviews {
            latest.insert(r.finding_id.as_str(), r);
        }
        let mut actioned: HashMap<(&str, Disposition), Pence> = HashMap::new();
        for a in &l.actions {
            *actioned.entry((a.finding_id.as_str(), a.review)).or_default() += a.amount;
        }
        let money = |id: &str, d: Disposition| actioned.get(&(id, d)).copied().unwrap_or_default();
        for f in l.findings.iter().filter(|f| f.reviewable()) {
            let c = rows.entry((l.organisation.as_str(), f.period.as_str(), f.rule.as_str())).or_default();
            c.findings += 1;
            c.recovered += money(&f.finding_id, Disposition::Recover);
            c.paid += money(&f.finding_id, Disposition::Pay);
            let Some(r) = latest.get(f.finding_id.as_str()) else { continue };
            c.reviewed += 1;
            match r.review {
                Disposition::Cleared => c.cleared += 1,
                Disposition::Query => c.queried += 1,
                Disposition::Recover | Disposition::Pay => {}
            }
        }
    }
    let rows =
        rows.into_iter()
            .map(|((org, period, rule), c)| {
                vec![
                    Value::Text(org.to_string()),
                    Value::Text(period.to_string()),
                    Value::Text(rule.to_string()),
                    Value::Int(c.findings),
                    Value::Int(c.reviewed),
                    Value::Int(c.cleared),
                    Value::Int(c.queried),
                    Value::Money(c.recovered),
                    Value::Money(c.paid),
                    cleared_share(c.cleared, c.reviewed).map_or(Value::Text(String::new()), |h| {
                        Value::Decimal { text: hundredths(h), number: h as f64 / 100.0, money: false }
                    }),
                ]
            })
            .collect();
    Table { title: "Reviews", file: "reviews", header: &REVIEWS, rows }
}

/// 100 × cleared ÷ reviewed in hundredths, half up; none when nothing was reviewed.
fn cleared_share(cleared: i64, reviewed: i64) -> Option<i64> {
    (reviewed > 0).then(|| round_half_up_div(i128::from(cleared) * 10_000, i128::from(reviewed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(period: &str, id: &str, rule: &str) -> StoredFinding {
        StoredFinding {
            period: period.into(),
            finding_id: id.into(),
            rule: rule.into(),
            severity: "WARNING".into(),
            assignment: "A1".into(),
            name: "N".into(),
            claim_id: "C1".into(),
            line_no: Some(1),
            status: "PAID".into(),
            claimed: Pence(1000),
            allowed: Pence(1000),
            message: String::new(),
        }
    }

    fn review(seq: i64, id: &str, d: Disposition, amount: i64) -> StoredReview {
        StoredReview {
            seq,
            finding_id: id.into(),
            period: "2025-04".into(),
            review: d,
            amount: Pence(amount),
            note: "n".into(),
            reviewer: "R".into(),
            imported_at: String::new(),
            file_sha256: String::new(),
            after_period: "2025-04".into(),
        }
    }

    fn action(id: &str, d: Disposition, amount: i64) -> ReviewAction {
        ReviewAction {
            period: "2025-05".into(),
            finding_id: id.into(),
            review_seq: 1,
            review: d,
            instalment: 1,
            instalments: 1,
            amount: Pence(amount),
            assignment: "A1".into(),
            line: "C1/1".into(),
        }
    }

    #[test]
    fn cleared_share_rounds_half_up_and_is_blank_when_nothing_was_reviewed() {
        assert_eq!(cleared_share(2, 3), Some(6667));
        assert_eq!(cleared_share(1, 3), Some(3333));
        assert_eq!(cleared_share(1, 8), Some(1250));
        // 100 × 1 ÷ 16 = 6.25 exactly; 100 × 1 ÷ 32 = 3.125 → 3.13.
        assert_eq!(cleared_share(1, 32), Some(313));
        assert_eq!(cleared_share(0, 0), None);
    }

    #[test]
    fn the_latest_review_counts_and_money_is_what_runs_actioned() {
        let info = StoredFinding { severity: "INFO".into(), ..finding("2025-04", "f4", "MIL001") };
        let ledger = LedgerReviews {
            organisation: "RP5".into(),
            findings: vec![
                finding("2025-04", "f1", "MIL001"),
                finding("2025-04", "f2", "MIL001"),
                finding("2025-04", "f3", "MIL001"),
                info,
                finding("2025-04", "f5", "SUB002"),
            ],
            reviews: vec![
                review(1, "f1", Disposition::Query, 0),
                review(2, "f2", Disposition::Recover, 500),
                review(3, "f1", Disposition::Cleared, 0),
            ],
            actions: vec![action("f2", Disposition::Recover, 300), action("f2", Disposition::Recover, 200)],
        };
        let table = sheet(&[ledger]);
        let text: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        Value::Text(s) => s.clone(),
                        Value::Int(n) => n.to_string(),
                        Value::Money(p) => p.to_string(),
                        Value::Decimal { text, .. } => text.clone(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            text,
            vec![
                vec!["RP5", "2025-04", "MIL001", "3", "2", "1", "0", "5.00", "0.00", "50.00"],
                vec!["RP5", "2025-04", "SUB002", "1", "0", "0", "0", "0.00", "0.00", ""],
            ]
        );
    }
}
