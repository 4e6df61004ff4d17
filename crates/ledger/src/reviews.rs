//! The ledger's side of the auditors' review (SPEC §11): each period's
//! findings, the append-only reviews, and the actions runs carried.

use super::{in_file, sql, Ledger};
use crate::error::{Error, Result};
use crate::model::review::{Disposition, FindingRef, ReviewAction, ReviewBook, StoredFinding, StoredReview};
use crate::model::Pence;
use foldhash::{HashMap, HashMapExt};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// A claim line: claim id and line number.
pub type LineKey = (String, Option<i64>);

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

/// Rows per INSERT of findings (14 parameters each, well under SQLite's limit).
const FINDINGS_PER_INSERT: usize = 64;

/// Stores the run's findings as the period's pending set, replacing an
/// earlier pending one; the placed set stays until the run is placed
/// ([`place_findings`]). Rows go in by (set, id), sorted here, so SQLite
/// appends them instead of scattering a national month over an index.
pub(super) fn write_findings<'a>(
    tx: &Connection,
    period: &str,
    ids: &[String],
    row: impl Fn(usize) -> FindingRef<'a>,
) -> Result<()> {
    let fail = sql("recording findings");
    drop_set(tx, period, "pending").map_err(&fail)?;
    tx.execute("INSERT INTO finding_sets (period, state) VALUES (?1, 'pending')", [period]).map_err(&fail)?;
    let set_id = tx.last_insert_rowid();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by(|&a, &b| ids[a].cmp(&ids[b]).then(a.cmp(&b)));
    // Many rows per statement, as for the paid lines: a national month's
    // findings went in a statement each at a third of the ledger's time.
    const COLUMNS: usize = 14;
    let insert = |rows: usize| {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
        format!("INSERT INTO findings (set_id, seq, {FINDING_COLUMNS}) VALUES {values}")
    };
    let mut many = tx.prepare(&insert(FINDINGS_PER_INSERT)).map_err(&fail)?;
    let mut one = tx.prepare(&insert(1)).map_err(&fail)?;
    let bind = |stmt: &mut rusqlite::Statement, at: usize, seq: usize| -> rusqlite::Result<()> {
        let f = row(seq);
        let at = at * COLUMNS;
        stmt.raw_bind_parameter(at + 1, set_id)?;
        stmt.raw_bind_parameter(at + 2, seq as i64)?;
        stmt.raw_bind_parameter(at + 3, period)?;
        stmt.raw_bind_parameter(at + 4, f.finding_id)?;
        stmt.raw_bind_parameter(at + 5, f.rule)?;
        stmt.raw_bind_parameter(at + 6, f.severity)?;
        stmt.raw_bind_parameter(at + 7, f.assignment)?;
        stmt.raw_bind_parameter(at + 8, f.name)?;
        stmt.raw_bind_parameter(at + 9, f.claim_id)?;
        stmt.raw_bind_parameter(at + 10, f.line_no)?;
        stmt.raw_bind_parameter(at + 11, f.status)?;
        stmt.raw_bind_parameter(at + 12, f.claimed.0)?;
        stmt.raw_bind_parameter(at + 13, f.allowed.0)?;
        stmt.raw_bind_parameter(at + 14, f.message)
    };
    for group in order.chunks(FINDINGS_PER_INSERT) {
        if group.len() == FINDINGS_PER_INSERT {
            group.iter().enumerate().try_for_each(|(at, &seq)| bind(&mut many, at, seq)).map_err(&fail)?;
            many.raw_execute().map_err(&fail)?;
        } else {
            for &seq in group {
                bind(&mut one, 0, seq).map_err(&fail)?;
                one.raw_execute().map_err(&fail)?;
            }
        }
    }
    Ok(())
}

/// The run is placed: its pending set of findings replaces the placed one
/// (one row changes state; only a re-run deletes the rows it replaces).
pub(super) fn place_findings(tx: &Connection, period: &str) -> Result<()> {
    let fail = sql("marking the run placed");
    let pending: Option<i64> = tx
        .query_row("SELECT set_id FROM finding_sets WHERE period = ?1 AND state = 'pending'", [period], |r| {
            r.get(0)
        })
        .optional()
        .map_err(&fail)?;
    let Some(pending) = pending else { return Ok(()) };
    drop_set(tx, period, "placed").map_err(&fail)?;
    tx.execute("UPDATE finding_sets SET state = 'placed' WHERE set_id = ?1", [pending]).map_err(&fail)?;
    Ok(())
}

/// Deletes `period`'s set of findings in `state` (pending or placed), rows and all.
fn drop_set(tx: &Connection, period: &str, state: &str) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM findings WHERE set_id IN
             (SELECT set_id FROM finding_sets WHERE period = ?1 AND state = ?2)",
        [period, state],
    )?;
    tx.execute("DELETE FROM finding_sets WHERE period = ?1 AND state = ?2", [period, state])?;
    Ok(())
}

/// The placed sets of findings, as a subquery (`set_id IN …`).
const PLACED: &str = "SELECT set_id FROM finding_sets WHERE state = 'placed'";

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
                    "SELECT {FINDING_COLUMNS} FROM findings WHERE set_id IN ({PLACED} AND period >= ?1 AND period < ?2)
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
                "SELECT {FINDING_COLUMNS} FROM findings WHERE set_id IN ({PLACED}) AND finding_id = ?1"
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
                "SELECT {FINDING_COLUMNS} FROM findings WHERE set_id IN ({PLACED} AND period = ?1) ORDER BY seq"
            ),
            [period],
            finding,
            "reading findings",
        )
        .map_err(|e| in_file(&self.path, e))
    }

    /// The placed findings on these claim lines of `period`, by line (each
    /// line one pot of money, §11.2): one pass over the period's set per
    /// 500 claims, not one per line.
    pub fn findings_on_lines(
        &self,
        period: &str,
        lines: &[(String, Option<i64>)],
    ) -> Result<HashMap<LineKey, Vec<StoredFinding>>> {
        let fail = |e| in_file(&self.path, sql("reading findings")(e));
        let mut claims: Vec<&str> = lines.iter().map(|(c, _)| c.as_str()).collect();
        claims.sort_unstable();
        claims.dedup();
        let wanted: std::collections::HashSet<(&str, Option<i64>)> =
            lines.iter().map(|(c, l)| (c.as_str(), *l)).collect();
        let mut out: HashMap<LineKey, Vec<StoredFinding>> = HashMap::new();
        for chunk in claims.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT {FINDING_COLUMNS} FROM findings WHERE set_id IN ({PLACED} AND period = ?)
                     AND claim_id IN ({marks}) ORDER BY seq"
                ))
                .map_err(fail)?;
            let args = std::iter::once(period).chain(chunk.iter().copied());
            let rows = stmt.query_map(rusqlite::params_from_iter(args), finding).map_err(fail)?;
            for f in rows {
                let f = f.map_err(fail)?;
                if wanted.contains(&(f.claim_id.as_str(), f.line_no)) {
                    out.entry((f.claim_id.clone(), f.line_no)).or_default().push(f);
                }
            }
        }
        Ok(out)
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
            "SELECT period FROM finding_sets WHERE state = 'placed' ORDER BY period",
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
