//! Reading the ledger into a [`History`]: SQL aggregates over the periods
//! strictly before the run's (SPEC §6.3 rule 17), so a `--rerun` of an old
//! period ignores what later periods committed.

use crate::error::{Error, Result};
use crate::model::history::{
    AbsenceEpisode, ContentKey, CountedReturn, History, RelocationPaid, SicknessRow,
};
use crate::model::kit::{KitDay, LeaveKey};
use crate::model::record::{DeferredLine, Settled};
use crate::model::{AbsenceType, Category, Miles, Pence};
use chrono::NaiveDate;
use rusqlite::{params, Connection, Row};

fn sql_err(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| super::classify(format!("ledger: reading {what}: {e}"), &e)
}

/// A stored value that cannot be what payrun wrote: a damaged or edited
/// ledger (exit 3, as a corrupt one).
fn corrupt(what: &str, value: &str) -> Error {
    Error::Input(format!(
        "ledger: {what} '{value}' cannot be read; the ledger file is damaged or was edited — restore it \
         from a backup"
    ))
}

pub(super) fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt("date", text))
}

/// `''` stands for a blank date (see the schema's conventions).
pub(super) fn optional_date(text: &str) -> Result<Option<NaiveDate>> {
    if text.is_empty() {
        Ok(None)
    } else {
        date(text).map(Some)
    }
}

/// Runs `sql` with the period bound to `?1` and feeds each row to `each`.
fn for_each_row(
    conn: &Connection,
    what: &str,
    sql: &str,
    period: &str,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(sql).map_err(sql_err(what))?;
    let mut rows = stmt.query(params![period]).map_err(sql_err(what))?;
    while let Some(row) = rows.next().map_err(sql_err(what))? {
        each(row)?;
    }
    Ok(())
}

fn get<T: rusqlite::types::FromSql>(row: &Row, i: usize, what: &str) -> Result<T> {
    row.get(i).map_err(sql_err(what))
}

/// A leave's identity from columns 0–2 (assignment, leave_type, leave_start).
fn leave_key(row: &Row, what: &str) -> Result<LeaveKey> {
    let code: String = get(row, 1, what)?;
    Ok(LeaveKey {
        assignment: get(row, 0, what)?,
        leave_type: AbsenceType::parse(&code).ok_or_else(|| corrupt("absence type", &code))?,
        start: date(&get::<String>(row, 2, what)?)?,
    })
}

/// What a run of `period` (`YYYY-MM`) knows from earlier periods.
pub fn history(conn: &Connection, period: &str) -> Result<History> {
    let mut h = History::default();

    // Ordered so that, when two paid lines share content, the earliest paid
    // one is the one DUP001 names.
    for_each_row(
        conn,
        "paid lines",
        "SELECT claim_id, line_no, assignment, expense_date, category, claimed_pence, miles_tenths,
                from_place, to_place
         FROM paid_lines WHERE period < ?1 ORDER BY period, claim_id, line_no",
        period,
        |row| {
            let what = "paid lines";
            let claim_id: String = get(row, 0, what)?;
            let line_no: i64 = get(row, 1, what)?;
            let assignment: String = get(row, 2, what)?;
            let expense_date = date(&get::<String>(row, 3, what)?)?;
            let code: String = get(row, 4, what)?;
            let category = Category::parse(&code).ok_or_else(|| corrupt("category", &code))?;
            let amount = Pence(get(row, 5, what)?);
            let miles = get::<Option<i64>>(row, 6, what)?.map(Miles);
            let from: String = get(row, 7, what)?;
            let to: String = get(row, 8, what)?;
            let key = ContentKey::from_parts(&assignment, expense_date, category, amount, &from, &to, miles);
            h.paid_content.entry(key).or_insert_with(|| (claim_id.clone(), line_no));
            h.paid_keys.insert((claim_id, line_no));
            Ok(())
        },
    )?;

    for (table, year, target) in
        [("sr_miles", "financial_year", &mut h.sr_miles), ("amap_miles", "tax_year", &mut h.amap_miles)]
    {
        let sql = format!(
            "SELECT assignment, {year}, SUM(miles_tenths) FROM {table} WHERE period < ?1 GROUP BY assignment, {year}"
        );
        for_each_row(conn, table, &sql, period, |row| {
            target.insert((get(row, 0, table)?, get(row, 1, table)?), Miles(get(row, 2, table)?));
            Ok(())
        })?;
    }

    for_each_row(
        conn,
        "relocation",
        "SELECT assignment, start_date, SUM(total_pence), SUM(misc_pence)
         FROM relocation WHERE period < ?1 GROUP BY assignment, start_date",
        period,
        |row| {
            let what = "relocation";
            let start = optional_date(&get::<String>(row, 1, what)?)?;
            let paid = RelocationPaid { total: Pence(get(row, 2, what)?), misc: Pence(get(row, 3, what)?) };
            h.relocation.insert((get(row, 0, what)?, start), paid);
            Ok(())
        },
    )?;

    // An episode spanning months is recorded by each run that saw it; the
    // latest earlier record has the whole episode's split.
    for_each_row(
        conn,
        "absences",
        "SELECT a.assignment, a.start_date, a.end_date, a.absence_type,
                a.hours_x100, a.paid_hours_x100, a.unpaid_hours_x100
         FROM absences a
         WHERE a.period = (SELECT MAX(b.period) FROM absences b
                           WHERE b.assignment = a.assignment AND b.start_date = a.start_date
                             AND b.end_date = a.end_date AND b.absence_type = a.absence_type
                             AND b.period < ?1)
         ORDER BY a.assignment, a.start_date, a.absence_type, a.end_date",
        period,
        |row| {
            let what = "absences";
            let code: String = get(row, 3, what)?;
            h.absences.push(AbsenceEpisode {
                assignment: get(row, 0, what)?,
                start_date: date(&get::<String>(row, 1, what)?)?,
                end_date: date(&get::<String>(row, 2, what)?)?,
                absence_type: AbsenceType::parse(&code).ok_or_else(|| corrupt("absence type", &code))?,
                hours_x100: get(row, 4, what)?,
                paid_hours_x100: get(row, 5, what)?,
                unpaid_hours_x100: get(row, 6, what)?,
            });
            Ok(())
        },
    )?;

    // SICKNESS rows by identity (assignment, start_date): the latest
    // period's copy replaces earlier ones (SPEC §10.1).
    for_each_row(
        conn,
        "sickness rows",
        "SELECT assignment, start_date, end_date, sickness_reason, rtw_date, period
         FROM absences WHERE absence_type = 'SICKNESS' AND period < ?1
         ORDER BY assignment, start_date, period, end_date",
        period,
        |row| {
            let what = "sickness rows";
            let assignment: String = get(row, 0, what)?;
            let reason: String = get(row, 3, what)?;
            let sickness = SicknessRow {
                assignment: assignment.clone(),
                start_date: date(&get::<String>(row, 1, what)?)?,
                end_date: date(&get::<String>(row, 2, what)?)?,
                sickness_reason: Some(reason).filter(|r| !r.is_empty()),
                rtw_date: optional_date(&get::<String>(row, 4, what)?)?,
            };
            let rows = h.sickness_rows.entry(assignment).or_default();
            match rows.last_mut() {
                Some(last) if last.start_date == sickness.start_date => *last = sickness,
                _ => rows.push(sickness),
            }
            Ok(())
        },
    )?;

    for_each_row(
        conn,
        "returns from sickness",
        "SELECT assignment, episode_start, MIN(day_of_return) FROM absence_returns WHERE period < ?1
         GROUP BY assignment, episode_start ORDER BY assignment, episode_start",
        period,
        |row| {
            let what = "returns from sickness";
            let assignment: String = get(row, 0, what)?;
            let counted = CountedReturn {
                assignment: assignment.clone(),
                episode_start: date(&get::<String>(row, 1, what)?)?,
                day_of_return: date(&get::<String>(row, 2, what)?)?,
            };
            h.counted_returns.entry(assignment).or_default().push(counted);
            Ok(())
        },
    )?;

    // KIT days (SPEC §14): the latest earlier record of each leave's date.
    for_each_row(
        conn,
        "KIT days",
        "SELECT k.assignment, k.leave_type, k.leave_start, k.day, k.minutes, k.source
         FROM kit_days k
         WHERE k.period = (SELECT MAX(j.period) FROM kit_days j
                           WHERE j.assignment = k.assignment AND j.leave_type = k.leave_type
                             AND j.leave_start = k.leave_start AND j.day = k.day AND j.period < ?1)
         ORDER BY k.assignment, k.leave_start, k.leave_type, k.day",
        period,
        |row| {
            let what = "KIT days";
            let leave = leave_key(row, what)?;
            h.kit_days.push(KitDay {
                leave,
                date: date(&get::<String>(row, 3, what)?)?,
                minutes: get(row, 4, what)?,
                source: get(row, 5, what)?,
            });
            Ok(())
        },
    )?;
    for_each_row(
        conn,
        "KIT days paid",
        "SELECT assignment, leave_type, leave_start, MIN(period) FROM kit_paid WHERE period < ?1
         GROUP BY assignment, leave_type, leave_start",
        period,
        |row| {
            let leave = leave_key(row, "KIT days paid")?;
            h.kit_paid.insert(leave, get(row, 3, "KIT days paid")?);
            Ok(())
        },
    )?;

    for_each_row(
        conn,
        "Bradford stages",
        "SELECT assignment, MAX(stage) FROM bradford_stages WHERE period < ?1 GROUP BY assignment",
        period,
        |row| {
            let stage: i64 = get(row, 1, "Bradford stages")?;
            h.bradford_stage.insert(get(row, 0, "Bradford stages")?, stage.max(0) as u32);
            Ok(())
        },
    )?;

    for_each_row(
        conn,
        "P11D amounts",
        "SELECT assignment, tax_year, section, SUM(amount_pence) FROM p11d WHERE period < ?1
         GROUP BY assignment, tax_year, section",
        period,
        |row| {
            let what = "P11D amounts";
            let text: String = get(row, 2, what)?;
            let mut chars = text.chars();
            let section = match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => return Err(corrupt("P11D section", &text)),
            };
            h.p11d.insert((get(row, 0, what)?, get(row, 1, what)?, section), Pence(get(row, 3, what)?));
            Ok(())
        },
    )?;
    Ok(h)
}

/// Pay-protection top-ups paid before `period`, by assignment — shown by
/// `ledger show`; no rule needs them yet.
pub fn protection_paid(conn: &Connection, period: &str) -> Result<Vec<(String, Pence)>> {
    let mut out = Vec::new();
    for_each_row(
        conn,
        "protection top-ups",
        "SELECT assignment, SUM(amount_pence) FROM protection_topups WHERE period < ?1
         GROUP BY assignment ORDER BY assignment",
        period,
        |row| {
            out.push((get(row, 0, "protection top-ups")?, Pence(get(row, 1, "protection top-ups")?)));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Committed periods, oldest first.
pub fn periods(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT period FROM runs ORDER BY period").map_err(sql_err("runs"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sql_err("runs"))?;
    rows.collect::<std::result::Result<Vec<_>, _>>().map_err(sql_err("runs"))
}

/// The placed (or unrecorded) payroll batch of a period.
pub(super) fn placement(conn: &Connection, period: &str) -> Result<super::Placement> {
    use super::{BatchSnapshot, Placement};
    let fail = |e: rusqlite::Error| {
        super::classify(format!("ledger: reading the payroll batch of {period}: {e}"), &e)
    };
    let mut stmt = conn
        .prepare(
            "SELECT state, batch_name, run_id, config_hash FROM payroll_batches
             WHERE period = ?1 AND state IN ('placed', 'unrecorded') ORDER BY state",
        )
        .map_err(fail)?;
    let found: Vec<(String, String, String, String)> = stmt
        .query_map([period], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(fail)?
        .collect::<std::result::Result<_, _>>()
        .map_err(fail)?;
    let Some((state, batch_name, run_id, config_hash)) = found.into_iter().next() else {
        return Ok(Placement::NotPlaced);
    };
    if state != "placed" {
        return Ok(Placement::Unrecorded);
    }
    let mut stmt = conn
        .prepare(
            "SELECT assignment, element, amount_pence FROM payroll_lines
             WHERE period = ?1 AND state = 'placed' ORDER BY assignment, element",
        )
        .map_err(fail)?;
    let rows = stmt
        .query_map([period], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, Pence(r.get(2)?))))
        .map_err(fail)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(fail)?;
    Ok(Placement::Placed(BatchSnapshot { run_id, config_hash, batch_name, rows }))
}

/// SHA-256 over the (period, manifest) of every run before `period`, the
/// (period, state, run id) of their payroll batches and the reviews
/// imported before the period was committed, in key order.
pub(super) fn digest(conn: &Connection, period: &str) -> Result<String> {
    use sha2::{Digest, Sha256};
    let fail = |e: rusqlite::Error| super::classify(format!("ledger: reading the history digest: {e}"), &e);
    let mut hasher = Sha256::new();
    for query in [
        "SELECT period, manifest_json FROM runs WHERE period < ?1 ORDER BY period",
        "SELECT period || ' ' || state, run_id FROM payroll_batches WHERE period < ?1 ORDER BY period, state",
        // The reviews a run of the period may action (SPEC §11.4): they
        // change its batch, so they are part of what its run id names (a
        // ledger without reviews keeps the digest it had before them).
        "SELECT seq || ' ' || finding_id, review || ' ' || amount_pence FROM reviews WHERE after_period < ?1
         ORDER BY seq",
    ] {
        let mut any = false;
        let mut stmt = conn.prepare(query).map_err(fail)?;
        let mut rows = stmt.query([period]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let (key, value): (String, String) = (row.get(0).map_err(fail)?, row.get(1).map_err(fail)?);
            hasher.update(key.as_bytes());
            hasher.update([0]);
            hasher.update(value.as_bytes());
            hasher.update([b'\n']);
            any = true;
        }
        if any || !query.contains("FROM reviews") {
            hasher.update([0xff]);
        }
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// The deferred lines a run of `period` carries (SPEC §12.1): those the
/// latest committed period before it stored, in the order stored. Each
/// period stores every line still deferred at its end (carried ones
/// included), so the latest one holds all that are outstanding.
pub(super) fn carried(conn: &Connection, period: &str) -> Result<Vec<(String, DeferredLine)>> {
    deferred_lines(conn, "period = (SELECT MAX(period) FROM runs WHERE period < ?1)", period)
}

/// The deferred lines `filter` (an SQL condition on `?1` = `period`) selects,
/// with the period that stored each, in period and stored order.
fn deferred_lines(conn: &Connection, filter: &str, period: &str) -> Result<Vec<(String, DeferredLine)>> {
    let mut out = Vec::new();
    let sql = format!(
        "SELECT period, claim_id, line_no, content_hash, carried_from, source_file, source_sheet,
                source_row, columns_json
         FROM deferred_lines WHERE {filter} ORDER BY period, seq"
    );
    for_each_row(conn, "deferred lines", &sql, period, |row| {
        out.push(deferred_line(row)?);
        Ok(())
    })?;
    Ok(out)
}

fn deferred_line(row: &Row) -> Result<(String, DeferredLine)> {
    let what = "deferred lines";
    let json: String = get(row, 8, what)?;
    let columns: Vec<String> = serde_json::from_str(&json).map_err(|_| corrupt("deferred line", &json))?;
    if columns.len() != crate::model::schema::CLAIMS.len() {
        return Err(corrupt("deferred line", &json));
    }
    let line = DeferredLine {
        claim_id: get(row, 1, what)?,
        line_no: get(row, 2, what)?,
        content_hash: get(row, 3, what)?,
        carried_from: get(row, 4, what)?,
        file: get(row, 5, what)?,
        sheet: get(row, 6, what)?,
        row: get(row, 7, what)?,
        columns,
    };
    Ok((get(row, 0, what)?, line))
}

/// Lines an earlier period deferred and a period before `period` decided:
/// (claim_id, line_no, content_hash) → (period that decided it, period that
/// first deferred it), the earliest decision kept.
pub(super) fn settled(conn: &Connection, period: &str) -> Result<Settled> {
    let mut out = Settled::default();
    for_each_row(
        conn,
        "settled lines",
        "SELECT claim_id, line_no, content_hash, period, carried_from FROM settled_lines
         WHERE period < ?1 ORDER BY period DESC",
        period,
        |row| {
            let what = "settled lines";
            let key = (get(row, 0, what)?, get(row, 1, what)?, get(row, 2, what)?);
            out.insert(key, (get(row, 3, what)?, get(row, 4, what)?));
            Ok(())
        },
    )?;
    Ok(out)
}
