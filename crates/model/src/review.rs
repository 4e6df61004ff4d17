//! The auditors' review round trip (SPEC §11): finding identity, the four
//! dispositions, the reviews and findings the ledger keeps, and what a run
//! actions from them (payments and recoveries).

use crate::claim::ClaimLine;
use crate::decision::{Finding, Subject};
use crate::Pence;
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

/// What an auditor decided about a finding (SPEC §11.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Disposition {
    /// Looked at; nothing to do.
    Cleared,
    /// Asked the claimant or manager; stays open.
    Query,
    /// Money paid that must come back.
    Recover,
    /// A rejection or reduction overturned.
    Pay,
}

impl Disposition {
    /// The four values, in the order of the drop-down list.
    pub const ALL: [Disposition; 4] =
        [Disposition::Cleared, Disposition::Query, Disposition::Recover, Disposition::Pay];

    pub fn code(self) -> &'static str {
        match self {
            Disposition::Cleared => "CLEARED",
            Disposition::Query => "QUERY",
            Disposition::Recover => "RECOVER",
            Disposition::Pay => "PAY",
        }
    }

    /// A cell's value, trimmed and case-insensitive.
    pub fn parse(text: &str) -> Option<Disposition> {
        let text = text.trim();
        Disposition::ALL.into_iter().find(|d| d.code().eq_ignore_ascii_case(text))
    }

    /// PAY and RECOVER carry an amount and move money.
    pub fn moves_money(self) -> bool {
        matches!(self, Disposition::Pay | Disposition::Recover)
    }
}

/// SPEC §11.1: the first 12 hex digits of SHA-256 over
/// `organisation|period|rule|claim_id|line_no|assignment|n`.
pub fn finding_id(parts: [&str; 6], n: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update(b"|");
    }
    h.update(n.to_string().as_bytes());
    let digest = h.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The id of every finding of a run, in `findings` order: `n` counts the
/// findings with the same other parts, from 1, in that order (the order the
/// run writes them, so a re-run of the same inputs gives the same ids).
pub fn finding_ids(
    organisation: Option<&str>,
    period: &str,
    findings: &[Finding],
    lines: &[ClaimLine],
) -> Vec<String> {
    let org = organisation.unwrap_or("");
    let mut seen: HashMap<(&str, &str, i64, &str), u32> = HashMap::with_capacity(findings.len());
    let mut keyed = Vec::with_capacity(findings.len());
    for f in findings {
        let (claim_id, line_no, assignment) = match &f.subject {
            Subject::Line(i) => match lines.get(*i) {
                Some(l) => (l.claim_id.as_str(), l.line_no, l.assignment.as_str()),
                None => ("", i64::MIN, ""),
            },
            Subject::Employee { assignment, .. } => ("", i64::MIN, assignment.as_str()),
        };
        let n = seen.entry((f.rule.code, claim_id, line_no, assignment)).or_insert(0);
        *n += 1;
        keyed.push((f.rule.code, claim_id, line_no, assignment, *n));
    }
    use rayon::prelude::*;
    keyed
        .par_iter()
        .map(|(rule, claim_id, line_no, assignment, n)| {
            let line_no = if *line_no == i64::MIN { String::new() } else { line_no.to_string() };
            finding_id([org, period, rule, claim_id, &line_no, assignment], *n)
        })
        .collect()
}

/// A finding of this run as the ledger stores it, borrowed from the run's
/// report: a national month has 400,000, and copying each into a
/// [`StoredFinding`] first cost a fifth of a gigabyte (issue 29).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FindingRef<'a> {
    pub finding_id: &'a str,
    pub rule: &'a str,
    pub severity: &'a str,
    pub assignment: &'a str,
    pub name: &'a str,
    pub claim_id: &'a str,
    pub line_no: Option<i64>,
    pub status: &'a str,
    pub claimed: Pence,
    pub allowed: Pence,
    pub message: &'a str,
}

/// A finding as the ledger keeps it for its period (SPEC §11.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFinding {
    pub period: String,
    pub finding_id: String,
    pub rule: String,
    pub severity: String,
    pub assignment: String,
    pub name: String,
    /// Blank for an employee finding.
    pub claim_id: String,
    pub line_no: Option<i64>,
    /// The line's status (blank for an employee finding).
    pub status: String,
    pub claimed: Pence,
    pub allowed: Pence,
    pub message: String,
}

impl StoredFinding {
    /// Whether the finding is about a claim line (PAY and RECOVER need one).
    pub fn on_line(&self) -> bool {
        !self.claim_id.is_empty() || self.line_no.is_some()
    }

    /// The claim line as `claim_id/line_no`.
    pub fn line_ref(&self) -> String {
        match self.line_no {
            Some(n) => format!("{}/{n}", self.claim_id),
            None => self.claim_id.clone(),
        }
    }

    /// Whether auditors review it (ERROR and WARNING; SPEC §11.2).
    pub fn reviewable(&self) -> bool {
        matches!(self.severity.as_str(), "ERROR" | "WARNING")
    }
}

/// One review as the ledger's append-only `reviews` table keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReview {
    /// Order of import: a later review of a finding supersedes an earlier one.
    pub seq: i64,
    pub finding_id: String,
    /// The finding's period.
    pub period: String,
    pub review: Disposition,
    /// Zero for CLEARED and QUERY.
    pub amount: Pence,
    pub note: String,
    pub reviewer: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub imported_at: String,
    pub file_sha256: String,
    /// The latest committed period at the import ('' for none): runs of
    /// later periods action it (SPEC §11.4).
    pub after_period: String,
}

/// A payment or a recovery instalment a run carried (the ledger's
/// `review_actions`, keyed by the period of the run that carried it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewAction {
    pub period: String,
    pub finding_id: String,
    pub review_seq: i64,
    pub review: Disposition,
    /// 1-based instalment (always 1 for PAY).
    pub instalment: u32,
    /// Instalments in the plan (1 for PAY).
    pub instalments: u32,
    /// Positive: paid (PAY) or taken back (RECOVER) by this instalment.
    pub amount: Pence,
    pub assignment: String,
    /// `claim_id/line_no` of the finding's line.
    pub line: String,
}

/// A leaver's recovery balance listed for an invoice instead of a batch
/// line (SPEC §11.4 "Outstanding recoveries").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outstanding {
    pub finding_id: String,
    pub period: String,
    pub rule: String,
    pub assignment: String,
    pub name: String,
    pub line: String,
    pub leave_date: Option<chrono::NaiveDate>,
    pub recover: Pence,
    pub recovered: Pence,
    pub balance: Pence,
    pub reviewer: String,
    pub note: String,
}

/// The latest earlier review of a claimant × rule (the Previous review column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousReview {
    pub period: String,
    pub review: Disposition,
    pub reviewer: String,
    pub note: String,
}

impl PreviousReview {
    /// `2025-05 CLEARED by A. Auditor: in policy`.
    pub fn text(&self) -> String {
        let mut text = format!("{} {} by {}", self.period, self.review.code(), self.reviewer);
        if !self.note.is_empty() {
            text.push_str(": ");
            text.push_str(&self.note);
        }
        text
    }
}

/// An entry of the Open reviews sheet: a QUERY not superseded, or an
/// ERROR / WARNING finding of the last `open_months` periods never reviewed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReview {
    pub finding: StoredFinding,
    /// The query, or `None` for a finding never reviewed.
    pub query: Option<StoredReview>,
    /// Whole months from the finding's period to the run's.
    pub age_months: i32,
}

/// Everything a run knows and does about reviews (SPEC §11.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewRun {
    /// Latest review of each finding id (of any period).
    pub latest: HashMap<String, StoredReview>,
    /// Latest earlier review per (assignment, rule), from periods before the run's.
    pub previous: HashMap<(String, String), PreviousReview>,
    pub open: Vec<OpenReview>,
    /// What this run carries: PAY and RECOVER instalments batched.
    pub actions: Vec<ReviewAction>,
    pub outstanding: Vec<Outstanding>,
}

impl ReviewRun {
    /// Σ PAY actioned, Σ RECOVER instalments actioned (both positive).
    pub fn totals(&self) -> (Pence, Pence) {
        let sum = |d: Disposition| {
            self.actions.iter().filter(|a| a.review == d).fold(Pence::ZERO, |s, a| s + a.amount)
        };
        (sum(Disposition::Pay), sum(Disposition::Recover))
    }
}

/// What the ledger holds about reviews as a run of `period` reads it.
#[derive(Clone, Debug, Default)]
pub struct ReviewBook {
    /// Every review, oldest first (import order).
    pub reviews: Vec<StoredReview>,
    /// The findings those reviews name, and every finding of the last
    /// open-months periods, by id.
    pub findings: HashMap<String, StoredFinding>,
    /// Actions carried by periods before the run's.
    pub earlier_actions: Vec<ReviewAction>,
    /// Committed periods before the run's, oldest first.
    pub periods: Vec<String>,
}

/// The latest review of each finding among `reviews` (in import order): a
/// later review supersedes an earlier one (SPEC §11.3).
pub fn latest(reviews: &[StoredReview]) -> HashMap<&str, &StoredReview> {
    reviews.iter().map(|r| (r.finding_id.as_str(), r)).collect()
}

/// Equal monthly instalments in pence, the remainder in the first (SPEC §11.4).
pub fn instalments(total: Pence, months: u32) -> Vec<Pence> {
    let months = months.max(1) as i64;
    let part = total.0 / months;
    let first = total.0 - part * (months - 1);
    std::iter::once(Pence(first)).chain((1..months).map(|_| Pence(part))).collect()
}

/// Whole months from `from` to `to` (`YYYY-MM`), 0 when unreadable.
pub fn months_between(from: &str, to: &str) -> i32 {
    let parse = |p: &str| -> Option<i32> {
        let (y, m) = p.split_once('-')?;
        Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1)
    };
    match (parse(from), parse(to)) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    }
}

/// Plans what a run of `period` does with the reviews (SPEC §11.4):
/// `leaver` says whether an assignment left before the pay period (its
/// recovery balance is listed, not batched); `name_of` gives a name.
pub fn plan(
    period: &str,
    book: &ReviewBook,
    recovery_months: u32,
    open_months: u32,
    leaver: impl Fn(&str) -> Option<Option<chrono::NaiveDate>>,
) -> ReviewRun {
    let latest = latest(&book.reviews);
    let mut run = ReviewRun::default();

    // Previous review: the latest review (by finding period, then import
    // order) of an earlier period's finding, per claimant and rule.
    let mut by_key: BTreeMap<(String, String), (String, i64, PreviousReview)> = BTreeMap::new();
    for r in latest.values() {
        let Some(f) = book.findings.get(&r.finding_id) else { continue };
        if f.period.as_str() >= period {
            continue;
        }
        let key = (f.assignment.clone(), f.rule.clone());
        let candidate = (
            f.period.clone(),
            r.seq,
            PreviousReview {
                period: f.period.clone(),
                review: r.review,
                reviewer: r.reviewer.clone(),
                note: r.note.clone(),
            },
        );
        match by_key.get(&key) {
            Some((p, s, _)) if (p.as_str(), *s) >= (candidate.0.as_str(), candidate.1) => {}
            _ => {
                by_key.insert(key, candidate);
            }
        }
    }
    run.previous = by_key.into_iter().map(|(k, (_, _, p))| (k, p)).collect();

    // Open reviews: queries not superseded, and unreviewed ERROR / WARNING
    // findings of the last `open_months` committed periods before this one.
    let recent: Vec<&String> = book.periods.iter().rev().take(open_months as usize).collect();
    let mut open: Vec<OpenReview> = Vec::new();
    for f in book.findings.values() {
        if !f.reviewable() || f.period.as_str() >= period {
            continue;
        }
        match latest.get(f.finding_id.as_str()) {
            Some(r) if r.review == Disposition::Query => open.push(OpenReview {
                finding: f.clone(),
                query: Some((*r).clone()),
                age_months: months_between(&f.period, period),
            }),
            None if recent.contains(&&f.period) => open.push(OpenReview {
                finding: f.clone(),
                query: None,
                age_months: months_between(&f.period, period),
            }),
            _ => {}
        }
    }
    open.sort_by(|a, b| {
        (a.query.is_none(), &a.finding.period, &a.finding.assignment, &a.finding.finding_id).cmp(&(
            b.query.is_none(),
            &b.finding.period,
            &b.finding.assignment,
            &b.finding.finding_id,
        ))
    });
    run.open = open;

    // Actions: the latest PAY / RECOVER of each finding imported when a
    // period before this one was the latest committed (a re-run of an older
    // period actions only what it actioned before).
    let mut carried: HashMap<&str, (u32, u32, Pence)> = HashMap::new();
    for a in &book.earlier_actions {
        let entry = carried.entry(a.finding_id.as_str()).or_insert((0, a.instalments, Pence::ZERO));
        entry.0 += 1;
        entry.1 = a.instalments;
        entry.2 += a.amount;
    }
    let mut reviews: Vec<&StoredReview> = latest
        .values()
        .copied()
        .filter(|r| r.review.moves_money() && r.after_period.as_str() < period)
        .collect();
    reviews.sort_by_key(|r| r.seq);
    for r in reviews {
        let Some(f) = book.findings.get(&r.finding_id) else { continue };
        let done = carried.get(r.finding_id.as_str()).copied();
        let action = |instalment: u32, instalments: u32, amount: Pence| ReviewAction {
            period: period.to_string(),
            finding_id: r.finding_id.clone(),
            review_seq: r.seq,
            review: r.review,
            instalment,
            instalments,
            amount,
            assignment: f.assignment.clone(),
            line: f.line_ref(),
        };
        match r.review {
            Disposition::Pay if done.is_none() => run.actions.push(action(1, 1, r.amount)),
            Disposition::Recover => {
                let (count, months, recovered) =
                    done.unwrap_or((0, recovery_months.clamp(1, 3), Pence::ZERO));
                let balance = r.amount - recovered;
                if balance <= Pence::ZERO {
                    continue;
                }
                if let Some(leave_date) = leaver(&f.assignment) {
                    run.outstanding.push(Outstanding {
                        finding_id: r.finding_id.clone(),
                        period: f.period.clone(),
                        rule: f.rule.clone(),
                        assignment: f.assignment.clone(),
                        name: f.name.clone(),
                        line: f.line_ref(),
                        leave_date,
                        recover: r.amount,
                        recovered,
                        balance,
                        reviewer: r.reviewer.clone(),
                        note: r.note.clone(),
                    });
                    continue;
                }
                let parts = instalments(r.amount, months);
                let amount = parts.get(count as usize).copied().unwrap_or(balance).min(balance);
                run.actions.push(action(count + 1, months, amount));
            }
            _ => {}
        }
    }
    run.latest = latest.into_iter().map(|(id, r)| (id.to_string(), r.clone())).collect();
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instalments_put_the_remainder_first() {
        assert_eq!(instalments(Pence(1000), 3), vec![Pence(334), Pence(333), Pence(333)]);
        assert_eq!(instalments(Pence(1001), 3), vec![Pence(335), Pence(333), Pence(333)]);
        assert_eq!(instalments(Pence(2), 3), vec![Pence(2), Pence(0), Pence(0)]);
        assert_eq!(instalments(Pence(999), 1), vec![Pence(999)]);
    }

    #[test]
    fn finding_id_is_twelve_hex_digits_of_the_spec_string() {
        use sha2::{Digest, Sha256};
        let id = finding_id(["RP5", "2025-06", "REC001", "C1", "2", "A100"], 1);
        let full = format!("{:x}", Sha256::digest(b"RP5|2025-06|REC001|C1|2|A100|1"));
        assert_eq!(id, &full[..12]);
    }

    fn finding(period: &str, id: &str, assignment: &str, status: &str) -> StoredFinding {
        StoredFinding {
            period: period.into(),
            finding_id: id.into(),
            rule: "ROS001".into(),
            severity: "WARNING".into(),
            assignment: assignment.into(),
            name: String::new(),
            claim_id: format!("C-{id}"),
            line_no: Some(1),
            status: status.into(),
            claimed: Pence(3001),
            allowed: Pence(3001),
            message: String::new(),
        }
    }

    fn review(seq: i64, id: &str, d: Disposition, amount: i64, after: &str) -> StoredReview {
        StoredReview {
            seq,
            finding_id: id.into(),
            period: "2025-06".into(),
            review: d,
            amount: Pence(amount),
            note: "n".into(),
            reviewer: "A".into(),
            imported_at: String::new(),
            file_sha256: String::new(),
            after_period: after.into(),
        }
    }

    fn book(reviews: Vec<StoredReview>, earlier: Vec<ReviewAction>) -> ReviewBook {
        let findings = [finding("2025-06", "f1", "E1", "PAID"), finding("2025-06", "f2", "E2", "PAID")];
        ReviewBook {
            reviews,
            findings: findings.into_iter().map(|f| (f.finding_id.clone(), f)).collect(),
            earlier_actions: earlier,
            periods: vec!["2025-06".into()],
        }
    }

    #[test]
    fn a_recovery_is_taken_in_instalments_until_nil_and_a_leavers_is_listed() {
        let reviews = vec![
            review(1, "f1", Disposition::Recover, 3001, "2025-06"),
            review(2, "f2", Disposition::Recover, 1200, "2025-06"),
        ];
        let leaver = |a: &str| (a == "E2").then_some(None);
        let run = plan("2025-07", &book(reviews.clone(), vec![]), 3, 3, leaver);
        assert_eq!(run.actions.len(), 1);
        assert_eq!((run.actions[0].amount, run.actions[0].instalment), (Pence(1001), 1));
        assert_eq!(run.outstanding.len(), 1);
        assert_eq!(run.outstanding[0].balance, Pence(1200));
        // Later months: the rest, then nothing; the plan's length stays the first run's.
        let mut done = run.actions.clone();
        for (period, expected) in [("2025-08", Some(1000)), ("2025-09", Some(1000)), ("2025-10", None)] {
            let run = plan(period, &book(reviews.clone(), done.clone()), 1, 3, leaver);
            assert_eq!(run.actions.first().map(|a| a.amount.0), expected, "{period}");
            done.extend(run.actions);
        }
        // Not actioned by a run of the period committed at the import, nor earlier.
        assert!(plan("2025-06", &book(reviews, vec![]), 3, 3, leaver).actions.is_empty());
    }

    #[test]
    fn a_later_review_supersedes_and_queries_stay_open() {
        let reviews = vec![
            review(1, "f1", Disposition::Query, 0, "2025-06"),
            review(2, "f1", Disposition::Cleared, 0, "2025-06"),
            review(3, "f2", Disposition::Query, 0, "2025-06"),
        ];
        let run = plan("2025-07", &book(reviews, vec![]), 1, 3, |_| None);
        assert_eq!(run.open.iter().map(|o| o.finding.finding_id.as_str()).collect::<Vec<_>>(), ["f2"]);
        assert_eq!(run.open[0].age_months, 1);
        let previous = &run.previous[&("E1".to_string(), "ROS001".to_string())];
        assert_eq!(previous.text(), "2025-06 CLEARED by A: n");
        assert!(run.actions.is_empty());
    }

    #[test]
    fn months_between_counts_calendar_months() {
        assert_eq!(months_between("2025-04", "2025-06"), 2);
        assert_eq!(months_between("2024-12", "2025-01"), 1);
    }
}
