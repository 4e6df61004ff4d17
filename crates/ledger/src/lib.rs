//! The ledger: month-to-month state in embedded SQLite (SPEC §5).
//!
//! Payroll runs monthly but the policies count across months (SR and AMAP
//! mileage thresholds, the relocation cap, rolling-12-month leave and
//! sickness, duplicates against earlier months). The ledger is what makes
//! month N+1 know month N:
//!
//! * [`Ledger::open`] takes the run lock (an OS lock on `ledger.sqlite`,
//!   `files::lock`) and opens the ledger, creating it only where none exists
//!   and migrating it forward ([`schema`]); a file that is not a payrun
//!   ledger, or is corrupt, is refused (exit 3);
//! * [`Ledger::history`] reads what earlier periods committed into a plain
//!   [`History`], so rules never open SQL themselves;
//! * a run's protocol (SPEC §5, docs/ledger.md): [`Ledger::begin`] before the
//!   inputs are read (write transaction, writability proven),
//!   [`Ledger::fill`] before the outputs are staged, [`Ledger::commit_filled`]
//!   before the output folder is swapped in, then [`Ledger::mark_placed`].
//!   A kill or failure anywhere leaves either the old state or a committed
//!   period not yet marked placed, which the next run of it reproduces.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_files as files;
use payrun_model as model;
use payrun_model::error;

mod query;
mod reviews;
pub mod schema;

pub use reviews::{ImportOutcome, NewReview};

#[cfg(test)]
mod tests;

pub use crate::model::record::{
    BatchSnapshot, DeferredLine, PaidLine, PeriodRecord, Placement, Settled, SettledLine,
};

/// The organisation mark of a ledger used without `--org` (SPEC §12.4).
pub const NO_ORGANISATION: &str = "none";

fn describe_org(code: &str) -> String {
    if code == NO_ORGANISATION {
        "none (runs without --org)".to_string()
    } else {
        code.to_string()
    }
}

use crate::error::{note, Error, Result};
use crate::files::dirs::{create_private_dir, STATE_MODE};
use crate::files::lock::FileLock;
use crate::files::process::pid_alive;
use crate::model::history::History;
use crate::model::period::{label as period_label, Period};
use crate::model::review::FindingRef;
use crate::model::Pence;
use chrono::NaiveDate;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, MAIN_DB};
use std::path::{Path, PathBuf};

pub const LEDGER_FILE: &str = "ledger.sqlite";
/// Beside the ledger while a run holds it: the holder's pid, for operators.
pub const LOCK_FILE: &str = "ledger.lock";

/// An open ledger. Opened with [`Ledger::open`] it holds the run lock until
/// dropped; opened with [`Ledger::open_read_only`] it only reads.
pub struct Ledger {
    // Declared (so dropped) before `lock`: the lock's handle must outlive
    // SQLite's, or closing it would drop SQLite's POSIX locks.
    conn: Connection,
    path: PathBuf,
    lock: Option<FileLock>,
    /// A run's write transaction is open ([`Ledger::begin`]).
    in_run: bool,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).field("locked", &self.lock.is_some()).finish()
    }
}

/// An SQLite failure as a run error: a full disk, read-only file or I/O
/// error is a write error (exit 8), a corrupt file exit 3, the rest exit 1.
fn sql(what: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| classify(format!("ledger: {what}: {e}"), &e)
}

pub(crate) fn classify(message: String, e: &rusqlite::Error) -> Error {
    // A table or column payrun's schema has is missing: the file was edited
    // by hand or by another tool (SPEC §12.5: exit 3, as a corrupt ledger).
    if let rusqlite::Error::SqliteFailure(_, Some(text)) = e {
        if text.contains("no such table") || text.contains("no such column") || text.contains("has no column")
        {
            return Error::Input(format!(
                "{message} — the ledger's schema was altered, so it is not a payrun ledger as written; \
                 restore it from a backup"
            ));
        }
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Error::Input(format!(
            "{message} — the ledger file is corrupt or not a payrun ledger; restore it from a backup"
        )),
        Some(
            ErrorCode::DiskFull
            | ErrorCode::ReadOnly
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::PermissionDenied
            | ErrorCode::TooBig,
        ) => Error::Write(format!("{message}; nothing was put in place and the ledger is unchanged")),
        _ => Error::Internal(message),
    }
}

impl Ledger {
    /// Opens `<state>/ledger.sqlite` for a run and takes the run lock (exit 4
    /// within seconds when another run holds it). Where no ledger exists a
    /// new one is created (and stderr says so); an existing file that is not
    /// a payrun ledger (0 bytes, not SQLite, no payrun schema) or is corrupt
    /// is refused naming it (exit 3); a read-only one is exit 8; one written
    /// by a newer payrun is refused.
    pub fn open(state_dir: &Path) -> Result<Ledger> {
        create_private_dir(state_dir, STATE_MODE)?;
        let path = state_dir.join(LEDGER_FILE);
        let created = create_if_missing(&path)?;
        check_file(&path)?;
        let lock = FileLock::acquire(&path, &state_dir.join(LOCK_FILE))?;
        let mut conn = Connection::open_with_flags(&path, RUN_FLAGS)
            .map_err(|e| in_file(&path, classify(format!("opening: {e}"), &e)))?;
        configure(&conn)?;
        if conn.is_readonly(MAIN_DB).unwrap_or(true) {
            return Err(Error::Write(format!(
                "{}: the ledger is read-only, so this run could not be recorded; nothing was written",
                path.display()
            )));
        }
        check_payrun(&conn).map_err(|e| in_file(&path, e))?;
        use_wal(&conn).map_err(|e| in_file(&path, e))?;
        for notice in schema::migrate(&mut conn).map_err(|e| in_file(&path, e))? {
            note(&format!("{}: {notice}", path.display()));
        }
        schema::check_intact(&conn).map_err(|e| in_file(&path, e))?;
        if created {
            note(&format!(
                "no ledger at {}: created a new one (no history before this period)",
                path.display()
            ));
        }
        Ok(Ledger { conn, path, lock: Some(lock), in_run: false })
    }

    /// Opens an existing ledger for reading only, without the run lock, so
    /// that auditors can look at it while a run is going (each query sees a
    /// committed state). A journal left by a killed run is rolled back first
    /// where the file is writable (SQLite does so on the first read); where
    /// it is not, the error says what to do. A ledger still at an older
    /// schema is upgraded first, which does need the lock.
    pub fn open_read_only(state_dir: &Path) -> Result<Ledger> {
        let path = state_dir.join(LEDGER_FILE);
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "no ledger at {} (no period committed yet, or a different --state)",
                path.display()
            )));
        }
        check_file(&path)?;
        // Read-write where allowed, so SQLite can roll back a hot journal;
        // this connection never writes.
        let mut conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .or_else(|_| Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY))
            .map_err(|e| in_file(&path, classify(format!("opening: {e}"), &e)))?;
        configure(&conn)?;
        // A write-ahead-logged ledger on a read-only medium or folder: SQLite
        // cannot create the log's index beside it. With no log left (no run
        // in progress or interrupted) the file alone is the committed state,
        // and is read as such.
        if schema::version(&conn).is_err() && !wal_of(&path).exists() {
            if let Ok(immutable) = open_immutable(&path) {
                if schema::version(&immutable).is_ok() {
                    conn = immutable;
                }
            }
        }
        let version = match schema::version(&conn) {
            Err(e) if hot_journal(&path) => {
                return Err(Error::Write(format!(
                    "{e}. {} was left by an interrupted run and only a user who may write the ledger                      can roll it back: run this command (or the next `payrun run`) as that user",
                    journal_of(&path).display()
                )))
            }
            other => other.map_err(|e| in_file(&path, e))?,
        };
        check_payrun(&conn).map_err(|e| in_file(&path, e))?;
        schema::check_not_newer(version).map_err(|e| in_file(&path, e))?;
        if version < schema::CURRENT {
            drop(conn);
            return Ledger::open(state_dir);
        }
        schema::check_intact(&conn).map_err(|e| in_file(&path, e))?;
        Ok(Ledger { conn, path, lock: None, in_run: false })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The note naming the lock's holder, if opened for a run.
    pub fn lock_path(&self) -> Option<&Path> {
        self.lock.as_ref().map(|l| l.note())
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

    /// Committed periods whose run was not marked placed: its outputs may
    /// be missing (a kill or failure between the commit and the mark).
    pub fn unplaced_periods(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT period FROM runs WHERE placed = 0 ORDER BY period")
            .map_err(sql("reading periods"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sql("reading periods"))?;
        rows.collect::<std::result::Result<Vec<_>, _>>().map_err(sql("reading periods"))
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
        if self.in_run {
            // Inside the run's own transaction: already one snapshot.
            return query::history(&self.conn, &period_label(period));
        }
        // One read transaction: a consistent snapshot even if a run commits
        // while a read-only ledger is being looked at.
        let tx = self.conn.unchecked_transaction().map_err(sql("starting a read"))?;
        let history = query::history(&tx, &period_label(period))?;
        tx.finish().map_err(sql("ending a read"))?;
        Ok(history)
    }

    /// The deferred lines a run of `period` decides again (SPEC §12.1), with
    /// the period that stored each.
    pub fn carried(&self, period: NaiveDate) -> Result<Vec<(String, DeferredLine)>> {
        query::carried(&self.conn, &period_label(period)).map_err(|e| in_file(&self.path, e))
    }

    /// Lines deferred earlier and decided by a period before `period` (CUT003).
    pub fn settled(&self, period: NaiveDate) -> Result<Settled> {
        query::settled(&self.conn, &period_label(period)).map_err(|e| in_file(&self.path, e))
    }

    /// The organisation the ledger belongs to (SPEC §12.4): `Some("none")`
    /// for one used without `--org`, `None` for a ledger older than schema
    /// v8 that no run has opened since.
    pub fn organisation(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT code FROM organisation LIMIT 1", [], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| self.fail("reading the organisation", e))
    }

    /// Refuses (exit 2, naming both) a ledger of another organisation than
    /// `org` (`None` = no `--org`, recorded as "none"). A ledger without a
    /// mark takes `org` when opened for a run (`mark` true) and says so.
    pub fn claim_organisation(&mut self, org: Option<&str>, mark: bool) -> Result<()> {
        let wanted = org.unwrap_or(NO_ORGANISATION);
        match self.organisation()? {
            Some(found) if found == wanted => Ok(()),
            Some(found) => {
                let adopt = match org {
                    Some(code) if found == NO_ORGANISATION => format!(
                        " If this is {code}'s history, moved here from runs without --org, record that with \
                         `payrun ledger adopt --org {code} --state {}`",
                        self.path.parent().unwrap_or(Path::new(".")).display()
                    ),
                    _ => String::new(),
                };
                Err(Error::Usage(format!(
                    "{} is the ledger of organisation {}, not {}: {}. Each organisation needs a state folder \
                     of its own (--state, or the plan's `state`).{adopt}",
                    self.path.display(),
                    describe_org(&found),
                    describe_org(wanted),
                    match org {
                        Some(code) => format!("this run is for --org {code}"),
                        None => "this run has no --org".to_string(),
                    }
                )))
            }
            None if !mark || self.lock.is_none() => Ok(()),
            None => {
                let had_periods = !self.periods()?.is_empty();
                self.conn
                    .execute("INSERT INTO organisation (code) VALUES (?1)", [wanted])
                    .map_err(|e| self.fail("recording the organisation", e))?;
                if had_periods {
                    note(&format!(
                        "{}: this ledger did not record its organisation (made by an older payrun); it is now \
                         marked as the ledger of {}",
                        self.path.display(),
                        describe_org(wanted)
                    ));
                }
                Ok(())
            }
        }
    }

    /// `payrun ledger adopt`: a ledger of runs without `--org` (or one not
    /// yet marked) becomes organisation `code`'s. One already marked with an
    /// organisation code is refused (exit 2): histories are not moved
    /// between organisations.
    pub fn adopt(&mut self, code: &str) -> Result<()> {
        match self.organisation()? {
            Some(found) if found == code => Ok(()),
            Some(found) if found != NO_ORGANISATION => Err(Error::Usage(format!(
                "{} is the ledger of organisation {found}; it cannot be given to {code}",
                self.path.display()
            ))),
            _ => {
                let tx = self.conn.transaction().map_err(sql("recording the organisation"))?;
                tx.execute("DELETE FROM organisation", []).map_err(sql("recording the organisation"))?;
                tx.execute("INSERT INTO organisation (code) VALUES (?1)", [code])
                    .map_err(sql("recording the organisation"))?;
                tx.commit().map_err(|e| in_file(&self.path, sql("recording the organisation")(e)))
            }
        }
    }

    /// Pay-protection top-ups paid before `period`, by assignment.
    pub fn protection_paid(&self, period: NaiveDate) -> Result<Vec<(String, Pence)>> {
        query::protection_paid(&self.conn, &period_label(period))
    }

    /// Starts a run's write transaction (`BEGIN IMMEDIATE`) and proves the
    /// ledger writable: rewriting the schema version dirties the first page,
    /// so SQLite creates and writes its journal now — a read-only ledger or
    /// state folder fails here (exit 8), before any input is read.
    pub fn begin(&mut self) -> Result<()> {
        if self.lock.is_none() {
            return Err(Error::Internal("ledger opened read-only cannot be committed to".into()));
        }
        if self.in_run {
            return Ok(());
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.fail("starting the run's transaction", e))?;
        self.in_run = true;
        let version = schema::version(&self.conn)?;
        self.conn
            .pragma_update(None, "user_version", version)
            .map_err(|e| self.fail("proving the ledger writable", e))
    }

    /// Writes one period's record and the run's manifest (without anything
    /// that varies between identical runs, e.g. timings) into the run's
    /// transaction (begun if need be), replacing that period's earlier
    /// entries; nothing is visible until [`Ledger::commit_filled`]. The run
    /// is recorded as not yet placed.
    pub fn fill(&mut self, record: &PeriodRecord, manifest_json: &str) -> Result<()> {
        let period = record.period.as_str();
        if Period::parse_month(period).map(period_label).as_deref() != Some(period) {
            return Err(Error::Internal(format!("ledger: period '{period}' is not YYYY-MM")));
        }
        self.begin()?;
        write_record(&self.conn, record, manifest_json).map_err(|e| in_file(&self.path, e))
    }

    /// Adds the run's findings (SPEC §11.1) to the transaction [`fill`]
    /// opened: `row(i)` for each id, borrowed from the run's report.
    ///
    /// [`fill`]: Ledger::fill
    pub fn fill_findings<'a>(
        &mut self,
        period: &str,
        ids: &[String],
        row: impl Fn(usize) -> FindingRef<'a>,
    ) -> Result<()> {
        if !self.in_run {
            return Err(Error::Internal("ledger: findings filled outside a run's transaction".into()));
        }
        reviews::write_findings(&self.conn, period, ids, row).map_err(|e| in_file(&self.path, e))
    }

    /// Commits the run's transaction.
    pub fn commit_filled(&mut self) -> Result<()> {
        if !self.in_run {
            return Err(Error::Internal("ledger: no run transaction to commit".into()));
        }
        self.conn.execute_batch("COMMIT").map_err(|e| self.fail("committing", e))?;
        self.in_run = false;
        Ok(())
    }

    /// Writes one period's record and manifest in one transaction, replacing
    /// that period's earlier entries, so that re-running a period is
    /// idempotent. On any error nothing is written.
    pub fn commit(&mut self, record: &PeriodRecord, manifest_json: &str) -> Result<()> {
        let result = self.fill(record, manifest_json).and_then(|()| self.commit_filled());
        if result.is_err() {
            self.rollback();
        }
        result
    }

    /// Abandons the run's transaction, if one is open.
    pub fn rollback(&mut self) {
        if self.in_run {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.in_run = false;
        }
    }

    /// The last small transaction of a run (SPEC §5): the period's outputs
    /// are in place. Until it commits, the period counts as committed but
    /// not placed, and its next run reproduces the outputs. The payroll
    /// interface adds its adjustments snapshot to this same transaction.
    pub fn mark_placed(&mut self, period: &str) -> Result<()> {
        if self.lock.is_none() {
            return Err(Error::Internal("ledger opened read-only cannot be committed to".into()));
        }
        let tx =
            self.conn.transaction().map_err(|e| in_file(&self.path, sql("marking the run placed")(e)))?;
        let marked = tx
            .execute("UPDATE runs SET placed = 1 WHERE period = ?1", [period])
            .map_err(|e| in_file(&self.path, sql("marking the run placed")(e)))?;
        if marked != 1 {
            return Err(Error::Internal(format!(
                "ledger: period {period} is not committed, cannot mark it placed"
            )));
        }
        // The run's pending payroll batch becomes the one later re-runs of the
        // period correct against (SPEC §7.2); none pending: nothing changes.
        let pending: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM payroll_batches WHERE period = ?1 AND state = 'pending'",
                [period],
                |r| r.get(0),
            )
            .map_err(|e| in_file(&self.path, sql("marking the run placed")(e)))?;
        reviews::place_findings(&tx, period).map_err(|e| in_file(&self.path, e))?;
        if pending > 0 {
            for table in schema::KEPT_UNTIL_PLACED {
                for statement in [
                    format!("DELETE FROM {table} WHERE period = ?1 AND state <> 'pending'"),
                    format!("UPDATE {table} SET state = 'placed' WHERE period = ?1"),
                ] {
                    tx.execute(&statement, [period])
                        .map_err(|e| in_file(&self.path, sql("marking the run placed")(e)))?;
                }
            }
        }
        tx.commit().map_err(|e| in_file(&self.path, sql("marking the run placed")(e)))
    }

    /// Removes committed periods (`payrun ledger remove`): `period` and,
    /// with `cascade`, every later one — refused while later periods exist
    /// without it, since their year-to-date figures include this period's.
    /// Returns the periods removed.
    pub fn remove(&mut self, period: &str, cascade: bool) -> Result<Vec<String>> {
        if self.lock.is_none() {
            return Err(Error::Internal("ledger opened read-only cannot be changed".into()));
        }
        if !self.periods()?.iter().any(|p| p == period) {
            return Err(Error::Usage(format!("period {period} is not committed in {}", self.path.display())));
        }
        let later = self.periods_after(period)?;
        if !later.is_empty() && !cascade {
            return Err(Error::Usage(format!(
                "later period(s) {} were computed on top of {period}; remove them too with --cascade, \
                 or re-run {period} with --rerun instead",
                later.join(", ")
            )));
        }
        let tx = self.conn.transaction().map_err(sql("removing periods"))?;
        for (table, _) in schema::TABLES.iter().filter(|(t, _)| !schema::NOT_A_RUNS.contains(t)) {
            tx.execute(&format!("DELETE FROM {table} WHERE period >= ?1"), [period])
                .map_err(sql("removing periods"))?;
        }
        tx.execute("DELETE FROM finding_sets WHERE period >= ?1", [period])
            .map_err(sql("removing periods"))?;
        tx.commit().map_err(|e| in_file(&self.path, sql("removing periods")(e)))?;
        Ok(std::iter::once(period.to_string()).chain(later).collect())
    }

    fn fail(&self, what: &'static str, e: rusqlite::Error) -> Error {
        in_file(&self.path, sql(what)(e))
    }

    /// What payroll was last given for `period` (SPEC §7.2).
    pub fn placement(&self, period: &str) -> Result<Placement> {
        query::placement(&self.conn, period)
    }

    /// SHA-256 (hex) of the history a run of `period` reads (SPEC §7.1
    /// `run_id`): the manifest of every run before it (each carries its own
    /// run id, so the digest chains the history) and the state of their
    /// payroll batches. The period's own entries are left out, so running it
    /// again on the same inputs gives the same run id.
    pub fn digest(&self, period: &str) -> Result<String> {
        query::digest(&self.conn, period)
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
        let mut staging = crate::files::atomic::Staging::new(out_dir)?;
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
    let named = |m: String| {
        if m.contains(&path.display().to_string()) {
            m
        } else {
            format!("{}: {m}", path.display())
        }
    };
    match e {
        Error::Internal(m) => Error::Internal(named(m)),
        Error::Write(m) => Error::Write(named(m)),
        Error::Input(m) => Error::Input(named(m)),
        other => other,
    }
}

/// Where no ledger exists, creates one whole: built and migrated under a
/// temporary name, then linked into place (which fails if one appeared
/// meanwhile), so that a kill mid-way never leaves a 0-byte or half-made
/// `ledger.sqlite` — which would now be refused. Returns whether it did.
fn create_if_missing(path: &Path) -> Result<bool> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(false);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    remove_stale_new_ledgers(dir);
    let tmp = dir.join(format!(".{LEDGER_FILE}.new-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    drop(crate::files::atomic::create_private(&tmp)?);
    let built = (|| {
        let mut conn = Connection::open(&tmp).map_err(|e| classify(format!("creating: {e}"), &e))?;
        configure(&conn)?;
        use_wal(&conn)?;
        schema::migrate(&mut conn)?;
        conn.close().map_err(|(_, e)| classify(format!("creating: {e}"), &e))
    })();
    let linked = built.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    });
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| in_file(path, e))
}

/// Removes `.ledger.sqlite.new-<pid>` files of runs killed while creating a ledger.
fn remove_stale_new_ledgers(dir: &Path) {
    let prefix = format!(".{LEDGER_FILE}.new-");
    for entry in std::fs::read_dir(dir).into_iter().flatten().filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix(&prefix) {
            let pid: Option<u32> = rest.trim_end_matches("-journal").parse().ok();
            if pid.is_some_and(|p| p != std::process::id() && !pid_alive(p)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Refuses, naming it (exit 3), a ledger file that cannot be a payrun
/// ledger: empty, or not an SQLite database.
fn check_file(path: &Path) -> Result<()> {
    use std::io::Read;
    let refuse = |why: &str| {
        Error::Input(format!(
            "{}: {why}, so it is not a payrun ledger. Restore it from a backup; or, to start again \
             with no history, move it away and run again (a new ledger is created only where none exists)",
            path.display()
        ))
    };
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Error::Input(format!("{}: {e}", path.display()))),
        }
    }
    match read {
        0 => Err(refuse("the file is empty (0 bytes)")),
        16 if &header == b"SQLite format 3\0" => Ok(()),
        _ => Err(refuse("the file is not an SQLite database")),
    }
}

/// An SQLite file is a payrun ledger when it carries a schema version and
/// payrun's first table.
fn check_payrun(conn: &Connection) -> Result<()> {
    let version = schema::version(conn)?;
    let has_paid_lines: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'paid_lines')",
            [],
            |r| r.get(0),
        )
        .map_err(sql("reading the schema"))?;
    if version == 0 || !has_paid_lines {
        return Err(Error::Input(
            "an SQLite database without payrun's schema, so it is not a payrun ledger; use another \
             --state folder, or move the file away to start a new ledger"
                .into(),
        ));
    }
    Ok(())
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// `path` opened read-only as immutable (no locks, no log index).
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in absolute.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)
}

fn journal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// A rollback journal with content beside the ledger: a run was killed
/// mid-transaction (or one is running).
fn hot_journal(path: &Path) -> bool {
    std::fs::metadata(journal_of(path)).is_ok_and(|m| m.len() > 0)
}

/// A run's connection: read-write, and without SQLite's per-call mutex
/// (rusqlite's `Connection` is used by one thread at a time; the mutex was a
/// visible share of filling a national month's period, issue 17).
const RUN_FLAGS: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

fn configure(conn: &Connection) -> Result<()> {
    // A reader may meet a commit in progress: wait for it rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql("setting the busy timeout"))
}

/// Write-ahead logging (SPEC §12.5): `ledger show` and `ledger export`
/// read the last committed state while a run fills its transaction, instead
/// of waiting for the run's lock (a national month's transaction spills to
/// the file long before its commit, which blocked readers of a rollback
/// journal). The mode is kept in the file, so each ledger switches once.
fn use_wal(conn: &Connection) -> Result<()> {
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(sql("switching to write-ahead logging"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Write(format!(
            "ledger: write-ahead logging could not be switched on (mode {mode})"
        )));
    }
    // WAL's default (NORMAL after a checkpoint) could lose the last commit on
    // power loss; a committed period must survive it (SPEC §5).
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql("setting synchronous"))
}

/// `YYYY-MM-DD` (chrono's `Display` of a date, as `%Y-%m-%d` writes it).
fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Paid lines inserted by one statement: a national month has close to a
/// million, and one statement per line spent most of the commit's time in
/// per-statement work (issue 17).
const PAID_LINES_PER_INSERT: usize = 64;

/// Inserts the period's paid lines, [`PAID_LINES_PER_INSERT`] at a time.
/// A group that fails is inserted again line by line, so that the error
/// names the line (a failed statement changes nothing).
fn write_paid_lines(tx: &Connection, period: &str, lines: &[PaidLine]) -> Result<()> {
    const COLUMNS: usize = 11;
    let insert = |rows: usize| {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
        format!(
            "INSERT INTO paid_lines (period, claim_id, line_no, assignment, expense_date, category,
                 claimed_pence, allowed_pence, miles_tenths, from_place, to_place) VALUES {values}"
        )
    };
    let mut many = tx.prepare(&insert(PAID_LINES_PER_INSERT)).map_err(sql("recording paid lines"))?;
    let mut one = tx.prepare(&insert(1)).map_err(sql("recording paid lines"))?;
    let mut date = String::new();
    let mut bind = |stmt: &mut rusqlite::Statement, row: usize, l: &PaidLine| -> rusqlite::Result<()> {
        let at = row * COLUMNS;
        date_into(&mut date, l.expense_date);
        stmt.raw_bind_parameter(at + 1, period)?;
        stmt.raw_bind_parameter(at + 2, &l.claim_id)?;
        stmt.raw_bind_parameter(at + 3, l.line_no)?;
        stmt.raw_bind_parameter(at + 4, &l.assignment)?;
        stmt.raw_bind_parameter(at + 5, date.as_str())?;
        stmt.raw_bind_parameter(at + 6, l.category.code())?;
        stmt.raw_bind_parameter(at + 7, l.claimed.0)?;
        stmt.raw_bind_parameter(at + 8, l.allowed.0)?;
        stmt.raw_bind_parameter(at + 9, l.miles.map(|m| m.0))?;
        stmt.raw_bind_parameter(at + 10, &l.from)?;
        stmt.raw_bind_parameter(at + 11, &l.to)
    };
    for group in lines.chunks(PAID_LINES_PER_INSERT) {
        if group.len() == PAID_LINES_PER_INSERT {
            let bound = group.iter().enumerate().try_for_each(|(row, l)| bind(&mut many, row, l));
            if bound.and_then(|()| many.raw_execute()).is_ok() {
                continue;
            }
        }
        for l in group {
            bind(&mut one, 0, l).and_then(|()| one.raw_execute()).map_err(|e| {
                Error::Internal(format!("ledger: recording paid line ({}, {}): {e}", l.claim_id, l.line_no))
            })?;
        }
    }
    Ok(())
}

/// [`date_text`] into a reused buffer: one allocation for all the paid
/// lines rather than one per line.
fn date_into(buf: &mut String, d: NaiveDate) {
    use std::fmt::Write;
    buf.clear();
    // Writing to a String cannot fail.
    let _ = write!(buf, "{d}");
}

fn write_record(tx: &Connection, record: &PeriodRecord, manifest_json: &str) -> Result<()> {
    let period = record.period.as_str();
    for (table, _) in
        schema::TABLES.iter().filter(|(t, _)| !schema::NOT_A_RUNS.contains(t) && !schema::BY_SET.contains(t))
    {
        let only_pending =
            if schema::KEPT_UNTIL_PLACED.contains(table) { " AND state = 'pending'" } else { "" };
        tx.execute(&format!("DELETE FROM {table} WHERE period = ?1{only_pending}"), [period])
            .map_err(sql("replacing the period's entries"))?;
    }
    tx.execute("INSERT INTO runs (period, manifest_json) VALUES (?1, ?2)", params![period, manifest_json])
        .map_err(sql("recording the run"))?;

    write_paid_lines(tx, period, &record.paid_lines)?;

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
            "UPDATE absences SET sickness_reason = ?6, rtw_date = ?5
             WHERE period = ?1 AND assignment = ?2 AND start_date = ?3 AND end_date = ?4
               AND absence_type = 'SICKNESS'",
        )
        .map_err(sql("recording sickness reasons"))?;
    for r in &record.sickness_rows {
        stmt.execute(params![
            period,
            r.assignment,
            date_text(Some(r.start_date)),
            date_text(Some(r.end_date)),
            date_text(r.rtw_date),
            r.sickness_reason.as_deref().unwrap_or("")
        ])
        .map_err(sql("recording sickness reasons"))?;
    }
    let mut stmt = tx
        .prepare(
            "INSERT INTO absence_returns (period, assignment, episode_start, day_of_return)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET day_of_return = excluded.day_of_return",
        )
        .map_err(sql("recording returns from sickness"))?;
    for r in &record.returns {
        stmt.execute(params![
            period,
            r.assignment,
            date_text(Some(r.episode_start)),
            date_text(Some(r.day_of_return))
        ])
        .map_err(sql("recording returns from sickness"))?;
    }

    let mut stmt = tx
        .prepare(
            "INSERT INTO kit_days (period, assignment, leave_type, leave_start, day, minutes, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET minutes = excluded.minutes, source = excluded.source",
        )
        .map_err(sql("recording KIT days"))?;
    for k in &record.kit_days {
        stmt.execute(params![
            period,
            k.leave.assignment,
            k.leave.leave_type.code(),
            date_text(Some(k.leave.start)),
            date_text(Some(k.date)),
            k.minutes,
            k.source
        ])
        .map_err(sql("recording KIT days"))?;
    }
    let mut stmt = tx
        .prepare(
            "INSERT INTO kit_paid (period, assignment, leave_type, leave_start, leave_end, days, minutes,
                 amount_pence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(sql("recording KIT days paid"))?;
    for k in &record.kit_paid {
        stmt.execute(params![
            period,
            k.leave.assignment,
            k.leave.leave_type.code(),
            date_text(Some(k.leave.start)),
            date_text(Some(k.end)),
            k.days,
            k.minutes,
            k.amount.0
        ])
        .map_err(sql("recording KIT days paid"))?;
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
    let mut stmt = tx
        .prepare(
            "INSERT INTO deferred_lines (period, seq, claim_id, line_no, content_hash, carried_from,
                 source_file, source_sheet, source_row, columns_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql("recording deferred lines"))?;
    for (seq, d) in record.deferred.iter().enumerate() {
        let columns = serde_json::to_string(&d.columns).map_err(|e| Error::Internal(e.to_string()))?;
        stmt.execute(params![
            period,
            seq as i64,
            d.claim_id,
            d.line_no,
            d.content_hash,
            d.carried_from,
            d.file,
            d.sheet,
            d.row,
            columns
        ])
        .map_err(sql("recording deferred lines"))?;
    }
    let mut stmt = tx
        .prepare(
            "INSERT INTO settled_lines (period, claim_id, line_no, content_hash, carried_from, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )
        .map_err(sql("recording settled lines"))?;
    for l in &record.settled {
        stmt.execute(params![period, l.claim_id, l.line_no, l.content_hash, l.carried_from, l.status])
            .map_err(sql("recording settled lines"))?;
    }

    reviews::write_actions(tx, period, &record.review_actions)?;

    // The payroll batch, pending until the run is marked placed (SPEC §7.2).
    let b = &record.batch;
    tx.execute(
        "INSERT INTO payroll_batches (period, state, batch_name, run_id, config_hash)
         VALUES (?1, 'pending', ?2, ?3, ?4)",
        params![period, b.batch_name, b.run_id, b.config_hash],
    )
    .map_err(sql("recording the payroll batch"))?;
    let mut stmt = tx
        .prepare(
            "INSERT INTO payroll_lines (period, state, assignment, element, amount_pence)
             VALUES (?1, 'pending', ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET amount_pence = amount_pence + excluded.amount_pence",
        )
        .map_err(sql("recording the payroll batch"))?;
    for (assignment, element, amount) in &b.rows {
        stmt.execute(params![period, assignment, element, amount.0])
            .map_err(sql("recording the payroll batch"))?;
    }
    Ok(())
}

/// A table's columns and rows as CSV text: NULL as empty, TEXT values
/// escaped against formula injection.
fn dump(conn: &Connection, table: &str, order: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    use rusqlite::types::ValueRef;
    let fail = |e: rusqlite::Error| Error::Internal(format!("ledger: exporting {table}: {e}"));
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {} ORDER BY {order}", schema::export_source(table)))
        .map_err(fail)?;
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
                // TEXT columns hold text, dates and codes; money and counts
                // are INTEGER by the schema's conventions (SPEC §12.6).
                ValueRef::Text(t) => crate::model::csv_text::escape(&String::from_utf8_lossy(t)).into_owned(),
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
             organisation's) and record it with `payrun ledger adopt --org {}`, or pass --state",
            shared.display(),
            org_state.display(),
            org_state.display(),
            org_state.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        )));
    }
    Ok(())
}
