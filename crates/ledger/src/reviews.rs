//! The ledger's side of the auditors' review (SPEC §11): each period's
//! findings, the append-only reviews, and the actions runs carried.

use super::{in_file, sql, Ledger};
use crate::error::{Error, Result};
use crate::model::review::{Disposition, ReviewAction, ReviewBook, StoredFinding, StoredReview};
use crate::model::Pence;
use foldhash::{HashMap, HashMapExt};
use rusqlite::{params, Connection, Row};

/// A review to append (`payrun review import`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReview {
    pub finding_id: String,
    pub period: String,
    pub review: Disposition,
    pub amount: Pence,
    pub note: String,
    /// SHA-256 of the file it was read from.
    pub file_sha256: String,
}

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOutcome {
    pub stored: usize,
    /// Rows identical to their finding's latest review: nothing stored.
    pub unchanged: usize,
}

const FINDING_COLUMNS: &str = "period, finding_id, rule, severity, assignment, name, claim_id, line_no, \
                               status, claimed_pence, allowed_pence, message";

const REVIEW_COLUMNS: &str =
    "seq, finding_id, period, review, amount_pence, note, reviewer, imported_at, file_sha256, after_period";

const ACTION_COLUMNS: &str =
    "period, finding_id, review_seq, review, instalment, instalments, amount_pence, assignment, line";

fn finding(row: &Row) -> rusqlite::Result<StoredFinding> {
    Ok(StoredFinding {
        period: row.get(0)?,
        finding_id: row.get(1)?,
        rule: row.get(2)?,
        severity: row.get(3)?,
        assignment: row.get(4)?,
        name: row.get(5)?,
        claim_id: row.get(6)?,
        line_no: row.get(7)?,
        status: row.get(8)?,
        claimed: Pence(row.get(9)?),
        allowed: Pence(row.get(10)?),
        message: row.get(11)?,
    })
}

fn disposition(text: &str, i: usize) -> rusqlite::Result<Disposition> {
    Disposition::parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("review {text}").into(),
        )
    })
}

fn review(row: &Row) -> rusqlite::Result<StoredReview> {
    Ok(StoredReview {
        seq: row.get(0)?,
        finding_id: row.get(1)?,
        period: row.get(2)?,
        review: disposition(&row.get::<_, String>(3)?, 3)?,
        amount: Pence(row.get(4)?),
        note: row.get(5)?,
        reviewer: row.get(6)?,
        imported_at: row.get(7)?,
        file_sha256: row.get(8)?,
        after_period: row.get(9)?,
    })
}

fn action(row: &Row) -> rusqlite::Result<ReviewAction> {
    Ok(ReviewAction {
        period: row.get(0)?,
        finding_id: row.get(1)?,
        review_seq: row.get(2)?,
        review: disposition(&row.get::<_, String>(3)?, 3)?,
        instalment: row.get(4)?,
        instalments: row.get(5)?,
        amount: Pence(row.get(6)?),
        assignment: row.get(7)?,
        line: row.get(8)?,
    })
}

fn collect<T>(
    conn: &Connection,
    query: &str,
    args: impl rusqlite::Params,
    map: fn(&Row) -> rusqlite::Result<T>,
    what: &'static str,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(query).map_err(sql(what))?;
    let rows = stmt.query_map(args, map).map_err(sql(what))?;
    rows.collect::<rusqlite::Result<Vec<T>>>().map_err(sql(what))
}

/// Stores the run's findings, pending until the run is marked placed.
pub(super) fn write_findings(tx: &Connection, period: &str, findings: &[StoredFinding]) -> Result<()> {
    let mut stmt = tx
        .prepare(&format!(
            "INSERT INTO findings (state, seq, {FINDING_COLUMNS})
             VALUES ('pending', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))
        .map_err(sql("recording findings"))?;
    for (seq, f) in findings.iter().enumerate() {
        stmt.execute(params![
            seq as i64,
            period,
            f.finding_id,
            f.rule,
            f.severity,
            f.assignment,
            f.name,
            f.claim_id,
            f.line_no,
            f.status,
            f.claimed.0,
            f.allowed.0,
            f.message
        ])
        .map_err(sql("recording findings"))?;
    }
    Ok(())
}

/// Stores the review actions the run carried.
pub(super) fn write_actions(tx: &Connection, period: &str, actions: &[ReviewAction]) -> Result<()> {
    let mut stmt = tx
        .prepare(&format!(
            "INSERT INTO review_actions ({ACTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))
        .map_err(sql("recording review actions"))?;
    for a in actions {
        stmt.execute(params![
            period,
            a.finding_id,
            a.review_seq,
            a.review.code(),
            a.instalment,
            a.instalments,
            a.amount.0,
            a.assignment,
            a.line
        ])
        .map_err(sql("recording review actions"))?;
    }
    Ok(())
}

impl Ledger {
    /// What a run of `period` (`YYYY-MM`) needs about reviews: every review,
    /// the findings they name and every ERROR / WARNING finding of the
    /// latest `open_months` committed periods before it, the actions of
    /// earlier periods, and those periods.
    pub fn review_book(&self, period: &str, open_months: u32) -> Result<ReviewBook> {
        let conn = &self.conn;
        let fail = |e: Error| in_file(&self.path, e);
        let mut periods = self.periods()?;
        periods.retain(|p| p.as_str() < period);
        let reviews = collect(
            conn,
            &format!("SELECT {REVIEW_COLUMNS} FROM reviews ORDER BY seq"),
            [],
            review,
            "reading reviews",
        )
        .map_err(fail)?;
        let mut findings = HashMap::new();
        let recent: Vec<&String> = periods.iter().rev().take(open_months as usize).collect();
        if let Some(oldest) = recent.last() {
            for f in collect(
                conn,
                &format!(
                    "SELECT {FINDING_COLUMNS} FROM findings WHERE state = 'placed' AND period >= ?1 AND period < ?2
                     AND severity IN ('ERROR', 'WARNING') ORDER BY period, seq"
                ),
                params![oldest, period],
                finding,
                "reading findings",
            )
            .map_err(fail)?
            {
                findings.insert(f.finding_id.clone(), f);
            }
        }
        let named: Vec<String> =
            reviews.iter().map(|r| r.finding_id.clone()).filter(|id| !findings.contains_key(id)).collect();
        findings.extend(self.findings_by_id(&named)?);
        let earlier_actions = collect(
            conn,
            &format!(
                "SELECT {ACTION_COLUMNS} FROM review_actions WHERE period < ?1 ORDER BY period, finding_id"
            ),
            [period],
            action,
            "reading review actions",
        )
        .map_err(fail)?;
        Ok(ReviewBook { reviews, findings, earlier_actions, periods })
    }

    /// The placed findings with these ids (unknown ids are left out).
    pub fn findings_by_id(&self, ids: &[String]) -> Result<HashMap<String, StoredFinding>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {FINDING_COLUMNS} FROM findings WHERE finding_id = ?1 AND state = 'placed'"
            ))
            .map_err(|e| in_file(&self.path, sql("reading findings")(e)))?;
        let mut out = HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let mut rows =
                stmt.query_map([id], finding).map_err(|e| in_file(&self.path, sql("reading findings")(e)))?;
            if let Some(f) = rows.next() {
                let f = f.map_err(|e| in_file(&self.path, sql("reading findings")(e)))?;
                out.insert(id.clone(), f);
            }
        }
        Ok(out)
    }

    /// Every placed finding of `period`, in the run's order.
    pub fn findings_of_period(&self, period: &str) -> Result<Vec<StoredFinding>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {FINDING_COLUMNS} FROM findings WHERE period = ?1 AND state = 'placed' ORDER BY seq"
            ),
            [period],
            finding,
            "reading findings",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// The placed findings on one claim line of `period` (one pot of money, §11.2).
    pub fn findings_on_line(
        &self,
        period: &str,
        claim_id: &str,
        line_no: Option<i64>,
    ) -> Result<Vec<StoredFinding>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {FINDING_COLUMNS} FROM findings WHERE period = ?1 AND state = 'placed' AND claim_id = ?2
                 AND line_no IS ?3 ORDER BY seq"
            ),
            params![period, claim_id, line_no],
            finding,
            "reading findings",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// Every review, in import order.
    pub fn reviews(&self) -> Result<Vec<StoredReview>> {
        collect(
            &self.conn,
            &format!("SELECT {REVIEW_COLUMNS} FROM reviews ORDER BY seq"),
            [],
            review,
            "reading reviews",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// Every action runs carried, by period.
    pub fn review_actions(&self) -> Result<Vec<ReviewAction>> {
        collect(
            &self.conn,
            &format!("SELECT {ACTION_COLUMNS} FROM review_actions ORDER BY period, finding_id"),
            [],
            action,
            "reading review actions",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// The periods with placed findings stored (those committed before v11
    /// have none).
    pub fn periods_with_findings(&self) -> Result<Vec<String>> {
        collect(
            &self.conn,
            "SELECT DISTINCT period FROM findings WHERE state = 'placed' ORDER BY period",
            [],
            |r| r.get(0),
            "reading findings",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// Appends `reviews` in one transaction (all or nothing), skipping any
    /// identical (review, amount, note) to its finding's latest review.
    /// `pause` runs inside the transaction, before the commit (the kill
    /// tests' seam).
    pub fn append_reviews(
        &mut self,
        reviews: &[NewReview],
        reviewer: &str,
        imported_at: &str,
        pause: impl Fn(),
    ) -> Result<ImportOutcome> {
        if self.lock.is_none() {
            return Err(Error::Internal("ledger opened read-only cannot be changed".into()));
        }
        let path = self.path.clone();
        let fail = move |e: rusqlite::Error| in_file(&path, sql("recording reviews")(e));
        let tx = self.conn.transaction().map_err(&fail)?;
        let after: String =
            tx.query_row("SELECT COALESCE(MAX(period), '') FROM runs", [], |r| r.get(0)).map_err(&fail)?;
        let mut outcome = ImportOutcome { stored: 0, unchanged: 0 };
        {
            let mut latest = tx
                .prepare(&format!(
                    "SELECT {REVIEW_COLUMNS} FROM reviews WHERE finding_id = ?1 ORDER BY seq DESC LIMIT 1"
                ))
                .map_err(&fail)?;
            let mut insert = tx
                .prepare(
                    "INSERT INTO reviews (finding_id, period, review, amount_pence, note, reviewer, imported_at,
                     file_sha256, after_period) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(&fail)?;
            for r in reviews {
                let previous = latest
                    .query_map([&r.finding_id], review)
                    .map_err(&fail)?
                    .next()
                    .transpose()
                    .map_err(&fail)?;
                if previous.is_some_and(|p| p.review == r.review && p.amount == r.amount && p.note == r.note)
                {
                    outcome.unchanged += 1;
                    continue;
                }
                insert
                    .execute(params![
                        r.finding_id,
                        r.period,
                        r.review.code(),
                        r.amount.0,
                        r.note,
                        reviewer,
                        imported_at,
                        r.file_sha256,
                        after
                    ])
                    .map_err(&fail)?;
                outcome.stored += 1;
            }
        }
        pause();
        tx.commit().map_err(&fail)?;
        Ok(outcome)
    }
}
