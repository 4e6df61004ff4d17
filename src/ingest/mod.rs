//! Ingest: workbooks and CSV files into the typed model (SPEC §2).
//!
//! `source` opens files and reads their sheets in blocks of cells, `table`
//! finds header rows and reads cells by canonical column name (streaming a
//! sheet block by block), `cell` is the one set of value
//! parsers, and `claims` / `roster` build the model rows.

pub mod cell;
pub mod claims;
pub mod roster;
pub mod source;
pub mod table;

use crate::config::Config;
use crate::error::Result;
use crate::model::claim::ClaimLine;
use crate::model::decision::Finding;
use crate::model::roster::Roster;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What was read from one input, for the manifest and `payrun check`.
#[derive(Clone, Debug, Serialize)]
pub struct InputReport {
    pub path: PathBuf,
    pub sha256: String,
    /// (sheet, data rows read).
    pub sheets: Vec<(String, usize)>,
}

/// Everything a run reads.
pub struct Inputs {
    pub claims: Vec<ClaimLine>,
    pub roster: Roster,
    /// DAT findings on skipped roster rows.
    pub roster_findings: Vec<Finding>,
    pub reports: Vec<InputReport>,
}

/// Reads the roster and every expenses input (claims concatenated in the
/// order given, e.g. this month's export then last month's deferred lines).
/// Each input's bytes are dropped as soon as it has been read.
pub fn load(roster: &Path, expenses: &[PathBuf], config: &Config) -> Result<Inputs> {
    let max_bytes = config.policy.limits.max_file_bytes;
    let mut roster_input = source::Input::open(roster, "Staff", max_bytes)?;
    let (roster, roster_findings, counts) = roster::read(&mut roster_input, &config.columns)?;
    let mut reports = vec![InputReport {
        path: roster_input.path.clone(),
        sha256: roster_input.sha256.clone(),
        sheets: counts,
    }];
    drop(roster_input);

    let mut claims = Vec::new();
    for path in expenses {
        let mut input = source::Input::open(path, "Claims", max_bytes)?;
        let lines = claims::read(&mut input, &config.columns)?;
        reports.push(InputReport {
            path: input.path.clone(),
            sha256: input.sha256.clone(),
            sheets: vec![("Claims".to_string(), lines.len())],
        });
        drop(input);
        if claims.is_empty() {
            claims = lines;
        } else {
            claims.extend(lines);
        }
    }
    Ok(Inputs { claims, roster, roster_findings, reports })
}
