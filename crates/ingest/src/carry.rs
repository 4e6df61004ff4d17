//! Deferred lines carried by the ledger into this run (SPEC §12.1).
//!
//! A committed period keeps its DEFERRED lines; the next run decides them
//! again without being given a file. They join the inputs after the
//! export's lines, in the order stored. An input line with the key of a held
//! line is that line (same content: the input's copy is decided and keeps
//! the period that first deferred it) or replaces it (other content: CUT002).
//! An input line the ledger shows was deferred and then decided by a later
//! period (an old deferred-claims.csv fed in again) is left out: CUT003.

use super::{claims, source};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::claim::ClaimLine;
use crate::model::record::{DeferredLine, Replaced, Settled, SettledBefore};
use foldhash::{HashMap, HashSet};
use std::sync::Arc;

/// What the ledger holds for this run: the deferred lines it carries (with
/// the period that stored each) and the lines settled since they were deferred.
#[derive(Default)]
pub struct Held {
    pub carried: Vec<(String, DeferredLine)>,
    pub settled: Settled,
}

/// The run's claim lines once the ledger's deferred lines are joined.
pub struct Merged {
    /// The input lines (less those settled before), then the carried ones.
    pub claims: Vec<ClaimLine>,
    pub replaced: Vec<Replaced>,
    pub settled_before: Vec<SettledBefore>,
    /// Held lines joined after the inputs (not already in them).
    pub carried: usize,
}

/// Joins `held` to the input lines `inputs` (SPEC §12.1).
pub fn merge(inputs: Vec<ClaimLine>, held: &Held, config: &Config) -> Result<Merged> {
    let mut by_key: HashMap<(&str, i64), usize> = HashMap::default();
    for (i, (_, line)) in held.carried.iter().enumerate() {
        by_key.entry((line.claim_id.as_str(), line.line_no)).or_insert(i);
    }
    let settled_keys: HashSet<(&str, i64)> =
        held.settled.keys().map(|(claim, line_no, _)| (claim.as_str(), *line_no)).collect();
    // Per held line: where the input copy that took it went (its source).
    let mut taken: Vec<Option<String>> = vec![None; held.carried.len()];
    let (mut replaced, mut settled_before) = (Vec::new(), Vec::new());
    let mut claims = inputs;
    if by_key.is_empty() && settled_keys.is_empty() {
        // Nothing held: the inputs as they are (a national month is a
        // million lines; moving them into a new vector cost time and memory).
        return Ok(Merged { claims, replaced, settled_before, carried: 0 });
    }
    // In place: each line kept or left out, its index among the kept ones.
    let mut kept = 0;
    claims.retain_mut(|line| {
        let readable_key = !line.unread("claim_id") && !line.unread("line_no");
        let key = (line.claim_id.as_str(), line.line_no);
        let held_at = if readable_key { by_key.get(&key).copied() } else { None };
        if let Some(i) = held_at.filter(|&i| taken[i].is_none()) {
            taken[i] = Some(line.source.as_ref().map(|s| s.to_string()).unwrap_or_default());
            let kept_line = &held.carried[i].1;
            if line.is_parsed() && line.content_hash() == kept_line.content_hash {
                line.carried_from = Some(Arc::from(kept_line.carried_from.as_str()));
            } else {
                replaced.push(Replaced {
                    index: kept,
                    deferred_in: kept_line.carried_from.clone(),
                    content_hash: kept_line.content_hash.clone(),
                });
            }
            kept += 1;
            return true;
        }
        // A second copy of a held line (the export re-sends it and the
        // deferred file is fed back too, or a corrected copy took its key):
        // the line is decided once, from the copy that came first.
        if let Some(i) = held_at.filter(|_| line.is_parsed()) {
            let kept_line = &held.carried[i].1;
            if line.content_hash() == kept_line.content_hash {
                let (deferred_in, by) = (kept_line.carried_from.clone(), taken[i].clone());
                settled_before.push(SettledBefore { line: line.clone(), deferred_in, settled_in: None, by });
                return false;
            }
        }
        if readable_key && line.is_parsed() && settled_keys.contains(&key) {
            let found = held.settled.get(&(line.claim_id.clone(), line.line_no, line.content_hash()));
            if let Some((settled_in, deferred_in)) = found {
                let (deferred_in, settled_in) = (deferred_in.clone(), Some(settled_in.clone()));
                settled_before.push(SettledBefore { line: line.clone(), deferred_in, settled_in, by: None });
                return false;
            }
        }
        kept += 1;
        true
    });
    let rest: Vec<&(String, DeferredLine)> =
        held.carried.iter().zip(&taken).filter(|(_, t)| t.is_none()).map(|(h, _)| h).collect();
    let carried = rest.len();
    claims.extend(rebuild(&rest, config)?);
    Ok(Merged { claims, replaced, settled_before, carried })
}

/// The held lines as claim lines: their stored columns read as a Claims
/// CSV, exactly as a deferred-claims.csv fed back is read, each then given
/// its original row and the period that first deferred it.
fn rebuild(held: &[&(String, DeferredLine)], config: &Config) -> Result<Vec<ClaimLine>> {
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let bad = |e: csv::Error| Error::Internal(format!("ledger: deferred lines: {e}"));
    csv.write_record(crate::model::schema::CLAIMS.iter().map(|c| c.name)).map_err(bad)?;
    for (_, line) in held {
        // Escaped as deferred-claims.csv is, so the reader's unescape gives the text back.
        csv.write_record(crate::model::claim::csv_cells(&line.columns)).map_err(bad)?;
    }
    let bytes = csv.into_inner().map_err(|e| Error::Internal(format!("ledger: deferred lines: {e}")))?;
    let path = std::path::Path::new("ledger-deferred-lines.csv");
    let mut input = source::Input::from_bytes(bytes, path, "Claims", &config.policy.limits)?;
    let mut lines = claims::read(&mut input, &config.columns)?;
    if lines.len() != held.len() {
        return Err(Error::Internal(format!(
            "ledger: {} deferred lines held but {} read back",
            held.len(),
            lines.len()
        )));
    }
    for (line, (_, kept)) in lines.iter_mut().zip(held) {
        let from: Arc<str> = Arc::from(kept.carried_from.as_str());
        line.source = Some(crate::model::claim::RowRef {
            file: Arc::from(kept.file.as_str()),
            sheet: Arc::from(kept.sheet.as_str()),
            row: kept.row,
            carried_from: Some(from.clone()),
        });
        line.carried_from = Some(from);
    }
    Ok(lines)
}
