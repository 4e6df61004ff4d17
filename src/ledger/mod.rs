//! The ledger: month-to-month state in embedded SQLite (SPEC §5).
//!
//! Payroll runs monthly but the policies count across months (SR and AMAP
//! mileage thresholds, the relocation cap, rolling-12-month leave and
//! sickness, duplicates against earlier months). The ledger is what makes
//! month N+1 know month N:
//!
//! * [`Ledger::open`] takes the run lock (`ledger.lock`) and opens
//!   `ledger.sqlite`, creating it or migrating it forward ([`schema`]);
//! * [`Ledger::history`] reads what earlier periods committed into a plain
//!   [`History`], so rules never open SQL themselves;
//! * [`Ledger::commit`] writes one period in one transaction, replacing that
//!   period's earlier entries. The pipeline calls it only after every output
//!   file is in place, so a run that fails or is killed before leaves the
//!   ledger as it was, and one killed after has a complete ledger.

mod lock;
mod query;
pub mod schema;

#[cfg(test)]
mod tests;

pub use crate::model::record::{PaidLine, PeriodRecord};
pub use lock::{pid_alive, LOCK_FILE};

use crate::error::{Error, Result};
use crate::model::history::History;
use crate::model::period::{label as period_label, Period};
use crate::model::Pence;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub const LEDGER_FILE: &str = "ledger.sqlite";

/// An open ledger. Opened with [`Ledger::open`] it holds the run lock until
/// dropped; opened with [`Ledger::open_read_only`] it only reads.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    lock: Option<lock::Lock>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).field("locked", &self.lock.is_some()).finish()
    }
}

fn sql(what: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::Internal(format!("ledger: {what}: {e}"))
}

impl Ledger {
    /// Opens (creating on first use, with schema migrations)
    /// `<state>/ledger.sqlite` and takes the lock `<state>/ledger.lock`
    /// (holding our pid; a lock whose pid is no longer alive is stale and is
    /// cleared). A live lock is [`Error::Locked`] (exit 4); a ledger written
    /// by a newer payrun is refused.
    pub fn open(state_dir: &Path) -> Result<Ledger> {
        std::fs::create_dir_all(state_dir).map_err(|e| Error::io(state_dir, e))?;
        let lock = lock::Lock::acquire(state_dir)?;
        let path = state_dir.join(LEDGER_FILE);
        create_private_if_missing(&path)?;
        let mut conn =
            Connection::open(&path).map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
        configure(&conn)?;
        for notice in schema::migrate(&mut conn).map_err(|e| in_file(&path, e))? {
            eprintln!("payrun: {}: {notice}", path.display());
        }
        Ok(Ledger { conn, path, lock: Some(lock) })
    }

    /// Opens an existing ledger for reading only, without the run lock, so
    /// that auditors can look at it while a run is going (each query sees a
    /// committed state). A ledger still at an older schema is upgraded first,
    /// which does need the lock.
    pub fn open_read_only(state_dir: &Path) -> Result<Ledger> {
        let path = state_dir.join(LEDGER_FILE);
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "no ledger at {} (no period committed yet, or a different --state)",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
        configure(&conn)?;
        let version = schema::version(&conn)?;
        schema::check_not_newer(version).map_err(|e| in_file(&path, e))?;
        if version < schema::CURRENT {
            drop(conn);
            return Ledger::open(state_dir);
        }
        Ok(Ledger { conn, path, lock: None })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file this ledger holds, if opened for a run.
    pub fn lock_path(&self) -> Option<&Path> {
        self.lock.as_ref().map(|l| l.path())
    }

    pub fn schema_version(&self) -> Result<u32> {
        schema::version(&self.conn)
    }

    /// Latest committed period, if any (`YYYY-MM`).
    pub fn latest_period(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT MAX(period) FROM runs", [], |r| r.get(0))
            .map_err(sql("reading the latest period"))
    }

    /// Every committed period, oldest first.
    pub fn periods(&self) -> Result<Vec<String>> {
        query::periods(&self.conn)
    }

    /// Periods committed after `period`: after a `--rerun` their year-to-date
    /// figures were computed without this period's new entries.
    pub fn periods_after(&self, period: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT period FROM runs WHERE period > ?1 ORDER BY period")
            .map_err(sql("reading periods"))?;
        let rows = stmt.query_map([period], |r| r.get::<_, String>(0)).map_err(sql("reading periods"))?;
        rows.collect::<std::result::Result<Vec<_>, _>>().map_err(sql("reading periods"))
    }

    /// What a run of `period` (first day of the pay period) knows: only
    /// periods strictly earlier (SPEC §6.3 rule 17).
    pub fn history(&self, period: NaiveDate) -> Result<History> {
        // One read transaction: a consistent snapshot even if a run commits
        // while a read-only ledger is being looked at.
        let tx = self.conn.unchecked_transaction().map_err(sql("starting a read"))?;
        let history = query::history(&tx, &period_label(period))?;
        tx.finish().map_err(sql("ending a read"))?;
        Ok(history)
    }

    /// Pay-protection top-ups paid before `period`, by assignment.
    pub fn protection_paid(&self, period: NaiveDate) -> Result<Vec<(String, Pence)>> {
        query::protection_paid(&self.conn, &period_label(period))
    }

    /// Writes one period's record and the run's manifest (without anything
    /// that varies between identical runs, e.g. timings) in one transaction,
    /// replacing that period's earlier entries, so that re-running a period
    /// is idempotent. On any error nothing is written.
    pub fn commit(&mut self, record: &PeriodRecord, manifest_json: &str) -> Result<()> {
        if self.lock.is_none() {
            return Err(Error::Internal("ledger opened read-only cannot be committed to".into()));
        }
        let period = record.period.as_str();
        if Period::parse_month(period).map(period_label).as_deref() != Some(period) {
            return Err(Error::Internal(format!("ledger: period '{period}' is not YYYY-MM")));
        }
        let tx = self.conn.transaction().map_err(sql("starting the commit"))?;
        write_record(&tx, record, manifest_json)?;
        tx.commit().map_err(sql("committing"))
    }

    /// Writes one CSV per table into `out_dir` (header row; rows in key
    /// order, so that equal ledgers export byte-for-byte equal files).
    /// Columns are the stored ones: pence, tenths of a mile, hundredths of
    /// an hour, as named.
    pub fn export(&self, out_dir: &Path) -> Result<Vec<PathBuf>> {
        let tx = self.conn.unchecked_transaction().map_err(sql("starting a read"))?;
        let mut tables = Vec::new();
        for (table, order) in schema::TABLES {
            tables.push((table, dump(&tx, table, order)?));
        }
        tx.finish().map_err(sql("ending a read"))?;
        let mut staging = crate::output::atomic::Staging::new(out_dir)?;
        for (table, (header, rows)) in tables {
            staging.write(&format!("{table}.csv"), |w| {
                let mut csv = csv::Writer::from_writer(w);
                csv.write_record(&header)?;
                for row in &rows {
                    csv.write_record(row)?;
                }
                csv.flush()
            })?;
        }
        staging.commit()
    }
}

fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::Internal(m) => Error::Internal(format!("{}: {m}", path.display())),
        other => other,
    }
}

fn configure(conn: &Connection) -> Result<()> {
    // A reader may meet a commit in progress: wait for it rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql("setting the busy timeout"))
}

/// The ledger holds personal data: created owner/group-only before SQLite
/// opens it (SQLite gives its journal the same mode).
fn create_private_if_missing(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn write_record(tx: &rusqlite::Transaction, record: &PeriodRecord, manifest_json: &str) -> Result<()> {
    let period = record.period.as_str();
    for (table, _) in schema::TABLES {
        tx.execute(&format!("DELETE FROM {table} WHERE period = ?1"), [period])
            .map_err(sql("replacing the period's entries"))?;
    }
    tx.execute("INSERT INTO runs (period, manifest_json) VALUES (?1, ?2)", params![period, manifest_json])
        .map_err(sql("recording the run"))?;

    let mut stmt = tx
        .prepare(
            "INSERT INTO paid_lines (period, claim_id, line_no, assignment, expense_date, category,
                 claimed_pence, allowed_pence, miles_tenths, from_place, to_place)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(sql("recording paid lines"))?;
    for l in &record.paid_lines {
        stmt.execute(params![
            period,
            l.claim_id,
            l.line_no,
            l.assignment,
            date_text(Some(l.expense_date)),
            l.category.code(),
            l.claimed.0,
            l.allowed.0,
            l.miles.map(|m| m.0),
            l.from,
            l.to
        ])
        .map_err(|e| {
            Error::Internal(format!("ledger: recording paid line ({}, {}): {e}", l.claim_id, l.line_no))
        })?;
    }

    // Several entries for one key within a period add up (e.g. two batches
    // of SR miles in one financial year).
    for (table, year, rows) in
        [("sr_miles", "financial_year", &record.sr_miles), ("amap_miles", "tax_year", &record.amap_miles)]
    {
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO {table} (period, assignment, {year}, miles_tenths) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO UPDATE SET miles_tenths = miles_tenths + excluded.miles_tenths"
            ))
            .map_err(sql("recording miles"))?;
        for (assignment, y, miles) in rows {
            stmt.execute(params![period, assignment, y, miles.0]).map_err(sql("recording miles"))?;
        }
    }

    let mut stmt = tx
        .prepare(
            "INSERT INTO relocation (period, assignment, start_date, total_pence, misc_pence)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET total_pence = total_pence + excluded.total_pence,
                                       misc_pence = misc_pence + excluded.misc_pence",
        )
        .map_err(sql("recording relocation"))?;
    for (assignment, start, total, misc) in &record.relocation {
        stmt.execute(params![period, assignment, date_text(*start), total.0, misc.0])
            .map_err(sql("recording relocation"))?;
    }

    // The same episode twice in one run is one episode (SPEC §6.7 rule 39):
    // the later record stands.
    let mut stmt = tx
        .prepare(
            "INSERT INTO absences (period, assignment, start_date, end_date, absence_type, hours_x100,
                 paid_hours_x100, unpaid_hours_x100)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO UPDATE SET hours_x100 = excluded.hours_x100,
                 paid_hours_x100 = excluded.paid_hours_x100, unpaid_hours_x100 = excluded.unpaid_hours_x100",
        )
        .map_err(sql("recording absences"))?;
    for a in &record.absences {
        stmt.execute(params![
            period,
            a.assignment,
            date_text(Some(a.start_date)),
            date_text(Some(a.end_date)),
            a.absence_type.code(),
            a.hours_x100,
            a.paid_hours_x100,
            a.unpaid_hours_x100
        ])
        .map_err(sql("recording absences"))?;
    }

    let mut stmt = tx
        .prepare(
            "INSERT INTO bradford_stages (period, assignment, stage) VALUES (?1, ?2, ?3)
             ON CONFLICT DO UPDATE SET stage = MAX(stage, excluded.stage)",
        )
        .map_err(sql("recording Bradford stages"))?;
    for (assignment, stage) in &record.bradford_stages {
        stmt.execute(params![period, assignment, stage]).map_err(sql("recording Bradford stages"))?;
    }

    let mut stmt = tx
        .prepare(
            "INSERT INTO protection_topups (period, assignment, amount_pence) VALUES (?1, ?2, ?3)
             ON CONFLICT DO UPDATE SET amount_pence = amount_pence + excluded.amount_pence",
        )
        .map_err(sql("recording protection top-ups"))?;
    for (assignment, amount) in &record.protection_topups {
        stmt.execute(params![period, assignment, amount.0]).map_err(sql("recording protection top-ups"))?;
    }

    let mut stmt = tx
        .prepare(
            "INSERT INTO p11d (period, assignment, tax_year, section, amount_pence) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET amount_pence = amount_pence + excluded.amount_pence",
        )
        .map_err(sql("recording P11D amounts"))?;
    for (assignment, year, section, amount) in &record.p11d {
        stmt.execute(params![period, assignment, year, section.to_string(), amount.0])
            .map_err(sql("recording P11D amounts"))?;
    }
    Ok(())
}

/// A table's columns and rows as text: NULL as empty.
fn dump(conn: &Connection, table: &str, order: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    use rusqlite::types::ValueRef;
    let fail = |e: rusqlite::Error| Error::Internal(format!("ledger: exporting {table}: {e}"));
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")).map_err(fail)?;
    let header: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let width = header.len();
    let mut rows = stmt.query([]).map_err(fail)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(fail)? {
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(match row.get_ref(i).map_err(fail)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            });
        }
        out.push(cells);
    }
    Ok((header, out))
}

/// The environment variable naming the default state folder (SPEC §8.1).
pub const STATE_ENV: &str = "PAYRUN_STATE";

/// The default state folder: `$PAYRUN_STATE`, else `payrun-state`; an
/// organisation's is `<base>/CODE/` (SPEC §8.1).
pub fn default_state_dir(org: Option<&str>) -> PathBuf {
    let base = std::env::var_os(STATE_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("payrun-state"), PathBuf::from);
    match org {
        Some(code) => base.join(code),
        None => base,
    }
}

/// Refuses (exit 2) to start a new ledger in an organisation's folder
/// `org_state` while its parent `base` holds one: that is the history of
/// runs made before `--org` was used, and starting afresh beside it would
/// silently forget it (SPEC §8.1).
pub fn refuse_fresh_org_ledger(base: &Path, org_state: &Path) -> Result<()> {
    let shared = base.join(LEDGER_FILE);
    if shared.is_file() && !org_state.join(LEDGER_FILE).exists() {
        return Err(Error::Usage(format!(
            "{} holds a ledger, but the organisation's folder {} has none: running would start a new \
             ledger and leave that history behind. Move the ledger into {} (if it is this \
             organisation's) or pass --state",
            shared.display(),
            org_state.display(),
            org_state.display()
        )));
    }
    Ok(())
}
