//! The ledger's schema and its forward migrations.
//!
//! The version lives in SQLite's `PRAGMA user_version` (0 = empty file).
//! `MIGRATIONS[i]` takes a ledger from version `i` to `i + 1`; each step runs
//! in its own transaction together with the version bump, so a crash mid-way
//! leaves the ledger at a whole version. Never edit a published step: add one.
//!
//! Conventions of every table: `period` is the committing run's pay period
//! (`YYYY-MM`, so text order is time order) and is the first key column, which
//! is what lets a re-run replace exactly its own period. Money is integer
//! pence (`*_pence`), miles are tenths (`*_tenths`), hours are hundredths
//! (`*_x100`), dates are ISO `YYYY-MM-DD` text; a blank date is `''`, not
//! NULL, so that it can be part of a primary key.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// Version 1: the first published schema, one table per kind of state that
/// SPEC §5 lists.
pub const V1: &str = "
CREATE TABLE paid_lines (
    period         TEXT    NOT NULL,
    claim_id       TEXT    NOT NULL,
    line_no        INTEGER NOT NULL,
    assignment     TEXT    NOT NULL,
    expense_date   TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    claimed_pence  INTEGER NOT NULL,
    allowed_pence  INTEGER NOT NULL,
    miles_tenths   INTEGER,
    from_place     TEXT    NOT NULL,
    to_place       TEXT    NOT NULL,
    PRIMARY KEY (period, claim_id, line_no)
);
CREATE TABLE sr_miles (
    period           TEXT    NOT NULL,
    assignment       TEXT    NOT NULL,
    financial_year   INTEGER NOT NULL,
    miles_tenths     INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, financial_year)
);
CREATE TABLE amap_miles (
    period        TEXT    NOT NULL,
    assignment    TEXT    NOT NULL,
    tax_year      INTEGER NOT NULL,
    miles_tenths  INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, tax_year)
);
CREATE TABLE relocation (
    period        TEXT    NOT NULL,
    assignment    TEXT    NOT NULL,
    start_date    TEXT    NOT NULL,
    total_pence   INTEGER NOT NULL,
    misc_pence    INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, start_date)
);
CREATE TABLE absences (
    period             TEXT    NOT NULL,
    assignment         TEXT    NOT NULL,
    start_date         TEXT    NOT NULL,
    end_date           TEXT    NOT NULL,
    absence_type       TEXT    NOT NULL,
    hours_x100         INTEGER NOT NULL,
    paid_hours_x100    INTEGER NOT NULL,
    unpaid_hours_x100  INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, start_date, end_date, absence_type)
);
CREATE TABLE bradford_stages (
    period      TEXT    NOT NULL,
    assignment  TEXT    NOT NULL,
    stage       INTEGER NOT NULL,
    PRIMARY KEY (period, assignment)
);
CREATE TABLE protection_topups (
    period        TEXT    NOT NULL,
    assignment    TEXT    NOT NULL,
    amount_pence  INTEGER NOT NULL,
    PRIMARY KEY (period, assignment)
);
";

/// Version 2: a `runs` table recording every committed period with its
/// manifest — in v1 a period that paid nothing left no trace, so "latest
/// committed period" could be wrong — backfilled from the periods v1 data
/// mentions; and indexes for the history queries, which look rows up by
/// employee rather than by period.
pub const V2: &str = "
CREATE TABLE runs (
    period         TEXT NOT NULL PRIMARY KEY,
    manifest_json  TEXT NOT NULL
);
INSERT INTO runs (period, manifest_json)
    SELECT period, '{}' FROM (
        SELECT period FROM paid_lines UNION SELECT period FROM sr_miles
        UNION SELECT period FROM amap_miles UNION SELECT period FROM relocation
        UNION SELECT period FROM absences UNION SELECT period FROM bradford_stages
        UNION SELECT period FROM protection_topups);
CREATE INDEX paid_lines_by_key ON paid_lines (claim_id, line_no);
CREATE INDEX absences_by_episode ON absences (assignment, start_date, end_date, absence_type, period);
";

/// Version 3: P11D amounts (SPEC §3.8, §4.1 p11d.csv) per employee, tax
/// year (start year, 6 April – 5 April) and section (`E` mileage excess, `K`
/// relocation), as each period paid them, so that p11d.csv can show the tax
/// year to date. Keyed by period first like every table, so a re-run
/// replaces exactly its own entries.
pub const V3: &str = "
CREATE TABLE p11d (
    period        TEXT    NOT NULL,
    assignment    TEXT    NOT NULL,
    tax_year      INTEGER NOT NULL,
    section       TEXT    NOT NULL,
    amount_pence  INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, tax_year, section)
);
CREATE INDEX p11d_by_employee ON p11d (assignment, tax_year, section, period);
";

/// Version 4 (Policy fidelity, issue 20): relocation belongs in P11D
/// section J ("relocation expenses payments and benefits"); the first
/// versions stored it under K, which on HMRC's form is "services supplied".
/// Section K was only ever written for relocation, and no J row existed
/// before, so the rename cannot collide with a primary key.
pub const V4: &str = "UPDATE p11d SET section = 'J' WHERE section = 'K';";

/// Version 5 (Reliability, SPEC §5 as amended): whether a committed run's
/// outputs were put in place. A run commits its period, swaps its output
/// folder in, then marks the run `placed` in a last small transaction; a
/// period committed but not placed has outputs that may be missing, and its
/// next run reproduces them. Periods committed before this version were
/// committed after their outputs were in place: they count as placed.
pub const V5: &str = "
ALTER TABLE runs ADD COLUMN placed INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET placed = 1;
";

/// Version 6 (Payroll interface, SPEC §7.2): per committed period the
/// payroll batch payroll was given — its name, run id, config hash and
/// adjustments rows (assignment, element code, amount) — so that a re-run can
/// issue only the difference. `state` is `pending` (committed, outputs not yet
/// placed), `placed` (the last run whose outputs were put in place) or
/// `unrecorded` (committed before this version: the batch is not known).
/// The commit replaces only `pending` rows; `mark_placed` turns them into
/// the `placed` ones, so a run killed between the two does not hide its
/// corrections from the next run.
pub const V6: &str = "
CREATE TABLE payroll_batches (
    period       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'placed', 'unrecorded')),
    batch_name   TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    PRIMARY KEY (period, state)
);
CREATE TABLE payroll_lines (
    period        TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'placed')),
    assignment    TEXT    NOT NULL,
    element       TEXT    NOT NULL,
    amount_pence  INTEGER NOT NULL,
    PRIMARY KEY (period, state, assignment, element)
);
INSERT INTO payroll_batches (period, state, batch_name, run_id, config_hash)
    SELECT period, 'unrecorded', '', '', '' FROM runs;
";

/// Version 7 (issue 17): `paid_lines_by_key` goes. No query ever used it —
/// history reads earlier periods' paid lines whole, in primary-key order —
/// and keeping it up to date was a fifth of filling a national month's
/// period (about 0.3 s of 1.6 s for 884,000 paid lines).
pub const V7: &str = "DROP INDEX IF EXISTS paid_lines_by_key;";

/// Version 8 (the month around the run, SPEC §12.1, §12.4):
/// * `deferred_lines`: each committed period's DEFERRED lines — the §2.1
///   columns as read (`columns_json`, a JSON array in `schema::CLAIMS`
///   order), their content hash, the input row they were first read from and
///   the period that first deferred them — so the next run decides them
///   without being given a file; `seq` keeps the order they were stored in.
/// * `settled_lines`: lines an earlier period deferred that this period
///   decided, with the content the ledger held, so that an old deferred file
///   fed in later is recognised (CUT003) rather than decided twice.
/// * `organisation`: the one organisation (`--org` code, or `none`) the
///   ledger belongs to. A ledger older than this version has no row and
///   takes the first organisation that opens it.
///
/// Periods committed before this version stored no deferred lines: their
/// deferred-claims.csv is the only record (the migration says so).
pub const V8: &str = "
CREATE TABLE deferred_lines (
    period        TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    claim_id      TEXT    NOT NULL,
    line_no       INTEGER NOT NULL,
    content_hash  TEXT    NOT NULL,
    carried_from  TEXT    NOT NULL,
    source_file   TEXT    NOT NULL,
    source_sheet  TEXT    NOT NULL,
    source_row    INTEGER NOT NULL,
    columns_json  TEXT    NOT NULL,
    PRIMARY KEY (period, seq)
);
CREATE TABLE settled_lines (
    period        TEXT    NOT NULL,
    claim_id      TEXT    NOT NULL,
    line_no       INTEGER NOT NULL,
    content_hash  TEXT    NOT NULL,
    carried_from  TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    PRIMARY KEY (period, claim_id, line_no, content_hash)
);
CREATE INDEX settled_lines_by_key ON settled_lines (claim_id, line_no, period);
CREATE TABLE organisation (
    code  TEXT NOT NULL
);
";

/// Version 9 (keeping-in-touch days, SPEC §14):
/// * `kit_days`: the KIT (SPLIT) days each period's Shifts showed inside a
///   maternity, adoption or shared parental leave — the leave by its
///   identity (assignment, type, start date), the date, the hours of that
///   date's shifts in exact minutes (`minutes`: shift times are to the
///   minute, so hundredths of an hour would round) and the Shifts rows — so
///   the run of the leave's return pays days worked months before.
/// * `kit_paid`: the leaves whose KIT days a period paid (KIT001), so that
///   no later period pays them again.
pub const V9: &str = "
CREATE TABLE kit_days (
    period       TEXT    NOT NULL,
    assignment   TEXT    NOT NULL,
    leave_type   TEXT    NOT NULL,
    leave_start  TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    minutes      INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    PRIMARY KEY (period, assignment, leave_type, leave_start, day)
);
CREATE TABLE kit_paid (
    period        TEXT    NOT NULL,
    assignment    TEXT    NOT NULL,
    leave_type    TEXT    NOT NULL,
    leave_start   TEXT    NOT NULL,
    leave_end     TEXT    NOT NULL,
    days          INTEGER NOT NULL,
    minutes       INTEGER NOT NULL,
    amount_pence  INTEGER NOT NULL,
    PRIMARY KEY (period, assignment, leave_type, leave_start)
);
";

/// Version 10 (issue 29, SPEC §10.1): each SICKNESS row keeps its
/// `sickness_reason` and `rtw_date` (blank `''` for other rows and for rows
/// committed before), and `absence_returns` the returns from sickness a
/// period counted — (assignment, episode start, day of return) — so that a
/// later run neither counts nor moves them.
pub const V10: &str = "
ALTER TABLE absences ADD COLUMN sickness_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE absences ADD COLUMN rtw_date TEXT NOT NULL DEFAULT '';
CREATE TABLE absence_returns (
    period         TEXT NOT NULL,
    assignment     TEXT NOT NULL,
    episode_start  TEXT NOT NULL,
    day_of_return  TEXT NOT NULL,
    PRIMARY KEY (period, assignment, episode_start)
);
CREATE INDEX absence_returns_by_employee ON absence_returns (assignment, episode_start, period);
";

/// Version 11 (auditors' review, SPEC §11):
/// * `findings`: every finding of each committed period (id, rule,
///   severity, employee, claim line, the line's status, claimed and allowed,
///   the message) as of the run marked placed; `seq` keeps the run's order
///   (two ids could collide in 48 bits, so the id alone is not the key).
///   A run's findings are one `finding_sets` row, pending until the run is
///   marked placed, as `payroll_lines` are — but the state lives on the set,
///   so placing a national month's 400,000 findings changes one row, and
///   the rows, keyed by set and id and written in id order, are appended
///   rather than scattered over an index (docs/performance.md, issue 29).
///   Periods committed before this version have none stored, and their
///   findings cannot be reviewed.
/// * `reviews`: append-only, one row per imported review (`seq` = import
///   order; a later row of a finding supersedes an earlier one), with the
///   latest committed period at the import (`after_period`), which decides
///   the run that actions it. Not keyed by a run's period: a re-run or
///   `ledger remove` never deletes a review.
/// * `review_actions`: the PAY and RECOVER instalments each period's run
///   carried into its batch, so that the next runs take only the rest and a
///   re-run carries the same again.
pub const V11: &str = "
CREATE TABLE finding_sets (
    set_id         INTEGER PRIMARY KEY,
    period         TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'placed')),
    UNIQUE (period, state)
);
CREATE TABLE findings (
    set_id         INTEGER NOT NULL REFERENCES finding_sets (set_id),
    finding_id     TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    period         TEXT    NOT NULL,
    rule           TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    assignment     TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    claim_id       TEXT    NOT NULL,
    line_no        INTEGER,
    status         TEXT    NOT NULL,
    claimed_pence  INTEGER NOT NULL,
    allowed_pence  INTEGER NOT NULL,
    message        TEXT    NOT NULL,
    PRIMARY KEY (set_id, finding_id, seq)
) WITHOUT ROWID;
CREATE TABLE reviews (
    seq           INTEGER PRIMARY KEY,
    finding_id    TEXT    NOT NULL,
    period        TEXT    NOT NULL,
    review        TEXT    NOT NULL CHECK (review IN ('CLEARED', 'QUERY', 'RECOVER', 'PAY')),
    amount_pence  INTEGER NOT NULL,
    note          TEXT    NOT NULL,
    reviewer      TEXT    NOT NULL,
    imported_at   TEXT    NOT NULL,
    file_sha256   TEXT    NOT NULL,
    after_period  TEXT    NOT NULL
);
CREATE INDEX reviews_by_finding ON reviews (finding_id, seq);
CREATE TABLE review_actions (
    period        TEXT    NOT NULL,
    finding_id    TEXT    NOT NULL,
    review_seq    INTEGER NOT NULL,
    review        TEXT    NOT NULL,
    instalment    INTEGER NOT NULL,
    instalments   INTEGER NOT NULL,
    amount_pence  INTEGER NOT NULL,
    assignment    TEXT    NOT NULL,
    line          TEXT    NOT NULL,
    PRIMARY KEY (period, finding_id)
);
";

/// Tables a run's commit and `ledger remove` leave alone: reviews are the
/// auditors' record, not a run's.
pub const NOT_A_RUNS: &[&str] = &["reviews"];

/// Tables whose rows a commit replaces only in state `pending`: the placed
/// batch stays until the new run's outputs are placed.
pub const KEPT_UNTIL_PLACED: &[&str] = &["payroll_batches", "payroll_lines"];

/// Tables a run's commit replaces through their own code, not the generic
/// "delete the period's rows": a run's findings are a pending set
/// (`finding_sets`, outside `TABLES`) until the run is placed.
pub const BY_SET: &[&str] = &["findings"];

/// What `ledger export` reads for `table`: the findings with their set's
/// state in place of its number (equal ledgers export equal files, however
/// often a period was re-run), every other table as stored.
pub fn export_source(table: &str) -> String {
    if table == "findings" {
        "(SELECT f.period, s.state, f.seq, f.finding_id, f.rule, f.severity, f.assignment, f.name, f.claim_id, \
         f.line_no, f.status, f.claimed_pence, f.allowed_pence, f.message \
         FROM findings f JOIN finding_sets s USING (set_id))"
            .to_string()
    } else {
        table.to_string()
    }
}

/// Every step, in order: `MIGRATIONS[i]` upgrades version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// The schema version this binary writes.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

/// Tables in export order, each with the columns that order its rows so
/// that an export is byte-for-byte reproducible.
pub const TABLES: &[(&str, &str)] = &[
    ("runs", "period"),
    ("paid_lines", "period, claim_id, line_no"),
    ("sr_miles", "period, assignment, financial_year"),
    ("amap_miles", "period, assignment, tax_year"),
    ("relocation", "period, assignment, start_date"),
    ("absences", "period, assignment, start_date, end_date, absence_type"),
    ("bradford_stages", "period, assignment"),
    ("protection_topups", "period, assignment"),
    ("p11d", "period, assignment, tax_year, section"),
    ("payroll_batches", "period, state"),
    ("payroll_lines", "period, state, assignment, element"),
    ("deferred_lines", "period, seq"),
    ("settled_lines", "period, claim_id, line_no, content_hash"),
    ("kit_days", "period, assignment, leave_type, leave_start, day"),
    ("kit_paid", "period, assignment, leave_type, leave_start"),
    ("absence_returns", "period, assignment, episode_start"),
    ("findings", "period, state, seq"),
    ("reviews", "seq"),
    ("review_actions", "period, finding_id"),
];

pub fn version(conn: &Connection) -> Result<u32> {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map(|v| v.max(0) as u32)
        .map_err(|e| super::classify(format!("ledger: cannot read the schema version: {e}"), &e))
}

/// Refuses a ledger written by a newer payrun: its meaning may have changed
/// in ways this binary cannot know, so reading (let alone writing) it would
/// be guesswork.
pub fn check_not_newer(found: u32) -> Result<()> {
    if found > CURRENT {
        return Err(Error::Internal(format!(
            "ledger schema v{found} is newer than this payrun (knows v{CURRENT}); upgrade payrun"
        )));
    }
    Ok(())
}

fn tx_count(conn: &Connection, query: &str) -> rusqlite::Result<i64> {
    conn.query_row(query, [], |r| r.get(0))
}

/// Brings the ledger up to [`CURRENT`], one transaction per step. Returns
/// the notices an operator must see (the caller prints them to stderr once:
/// a step runs only once per ledger).
pub fn migrate(conn: &mut Connection) -> Result<Vec<String>> {
    let found = version(conn)?;
    check_not_newer(found)?;
    let mut notices = Vec::new();
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let to = from + 1;
        let fail = |e: rusqlite::Error| {
            super::classify(format!("ledger: migration v{from} → v{to} failed: {e}"), &e)
        };
        let tx = conn.transaction().map_err(fail)?;
        // The K → J step says how many rows it moved (SPEC §3.8, issue 20).
        let moved: i64 = if *sql == V4 {
            tx.query_row("SELECT COUNT(*) FROM p11d WHERE section = 'K'", [], |r| r.get(0)).map_err(fail)?
        } else {
            0
        };
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", to as i64).map_err(fail)?;
        tx.commit().map_err(fail)?;
        if *sql == V8 {
            let committed: i64 = tx_count(conn, "SELECT COUNT(*) FROM runs").map_err(fail)?;
            if committed > 0 {
                notices.push(format!(
                    "ledger migrated to v{to}: it now keeps each period's deferred lines; the {committed} \
                     period(s) committed before kept none, so feed the latest one's deferred-claims.csv \
                     to the next run (--expenses) once"
                ));
            }
        }
        if *sql == V11 {
            let committed: i64 = tx_count(conn, "SELECT COUNT(*) FROM runs").map_err(fail)?;
            if committed > 0 {
                notices.push(format!(
                    "ledger migrated to v{to}: it now keeps each period's findings for auditors' reviews; the \
                     {committed} period(s) committed before kept none, so their findings cannot be reviewed \
                     (`payrun review`) unless re-run"
                ));
            }
        }
        if moved > 0 {
            notices.push(format!(
                "ledger migrated to v{to}: {moved} P11D relocation row(s) of earlier periods moved from section K to section J (HMRC's relocation section)"
            ));
        }
    }
    Ok(notices)
}

/// The columns of each of payrun's tables, as a ledger at [`CURRENT`] has them.
fn columns_of(conn: &Connection) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' ORDER BY m.name, p.cid",
    )?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (table, column) = row?;
        match out.last_mut() {
            Some((t, columns)) if *t == table => columns.push(column),
            _ => out.push((table, vec![column])),
        }
    }
    Ok(out)
}

/// Refuses (exit 3) a ledger at [`CURRENT`] whose tables are not payrun's:
/// one dropped, or a column dropped or renamed, by hand or by another tool
/// (SPEC §12.5). The reference is a new ledger built in memory.
pub fn check_intact(conn: &Connection) -> Result<()> {
    let mut reference = Connection::open_in_memory()
        .map_err(|e| Error::Internal(format!("ledger: building the reference schema: {e}")))?;
    migrate(&mut reference)?;
    let fail = |e: rusqlite::Error| {
        Error::Input(format!("the ledger's schema cannot be read ({e}); restore it from a backup"))
    };
    let expected = columns_of(&reference).map_err(fail)?;
    let found = columns_of(conn).map_err(fail)?;
    for (table, columns) in &expected {
        match found.iter().find(|(t, _)| t == table) {
            None => {
                return Err(Error::Input(format!(
                "the ledger has no table {table}: its schema was altered, so it is not a payrun ledger as \
                     written; restore it from a backup"
            )))
            }
            Some((_, have)) if have != columns => {
                return Err(Error::Input(format!(
                    "the ledger's table {table} has columns ({}) where payrun wrote ({}): its schema was \
                     altered; restore it from a backup",
                    have.join(", "),
                    columns.join(", ")
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}
