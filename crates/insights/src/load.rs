//! Which folders are finished runs (SPEC §9): a `manifest.json` written by
//! payrun naming a pay period, beside the three CSVs insights reads. A run
//! folder is only ever swapped into place whole, so these being there means
//! the run finished.

use crate::error::{Error, Result};
use crate::model::Pence;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The CSVs of a run that insights reads.
pub const CSVS: [&str; 3] = ["decisions.csv", "exceptions.csv", "adjustments.csv"];

/// One finished run, as its manifest describes it.
#[derive(Clone, Debug)]
pub struct RunFolder {
    pub dir: PathBuf,
    /// The manifest's `organisation` (empty for a run without `--org`).
    pub organisation: String,
    /// Pay period, `YYYY-MM`.
    pub period: String,
    /// The manifest's `run_id` (empty for a run written before it existed).
    pub run_id: String,
    pub config_hash: String,
    /// The run's own reconciliation verdict.
    pub passed: bool,
    /// The manifest's totals: lines read, claimed, allowed, withheld, deferred.
    pub totals: Option<(u64, [Pence; 4])>,
}

/// Reads and checks every folder; refuses one that is not a finished run and
/// two runs of the same organisation and period (exit 3, naming them).
/// The runs come back ordered by organisation, period and folder.
pub fn folders(dirs: &[PathBuf]) -> Result<Vec<RunFolder>> {
    let mut runs = dirs.iter().map(|d| folder(d)).collect::<Result<Vec<_>>>()?;
    let mut seen: BTreeMap<(&str, &str), &Path> = BTreeMap::new();
    for run in &runs {
        if let Some(other) = seen.insert((run.organisation.as_str(), run.period.as_str()), run.dir.as_path())
        {
            let org = if run.organisation.is_empty() {
                "no organisation".to_string()
            } else {
                run.organisation.clone()
            };
            return Err(Error::Input(format!(
                "{} and {} are two runs of the same organisation ({org}) and period {}: give one of them",
                other.display(),
                run.dir.display(),
                run.period
            )));
        }
    }
    runs.sort_by(|a, b| (&a.organisation, &a.period).cmp(&(&b.organisation, &b.period)));
    Ok(runs)
}

fn folder(dir: &Path) -> Result<RunFolder> {
    let refuse =
        |why: String| Error::Input(format!("{} is not a finished payrun run folder: {why}", dir.display()));
    if !dir.is_dir() {
        return Err(refuse("no such folder".into()));
    }
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| refuse(format!("manifest.json: {e}")))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| refuse(format!("manifest.json is not JSON ({e})")))?;
    if json.get("tool").and_then(|t| t.as_str()) != Some("payrun") {
        return Err(refuse("manifest.json was not written by payrun".into()));
    }
    let period = json.get("period").and_then(|p| p.as_str()).unwrap_or_default();
    if crate::model::period::Period::parse_month(period).is_none() {
        return Err(refuse(format!("manifest.json period {period:?} is not YYYY-MM")));
    }
    for csv in CSVS {
        if !dir.join(csv).is_file() {
            return Err(refuse(format!("{csv} is missing")));
        }
    }
    let text_of = |key: &str| json.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let recon = json.get("reconciliation");
    let money =
        |key: &str| recon.and_then(|r| r.get(key)).and_then(|v| v.as_str()).and_then(Pence::parse_csv);
    let lines = recon.and_then(|r| r.get("lines_read")).and_then(|v| v.as_u64());
    let totals = match (lines, money("claimed"), money("allowed"), money("withheld"), money("deferred")) {
        (Some(n), Some(c), Some(a), Some(w), Some(d)) => Some((n, [c, a, w, d])),
        _ => None,
    };
    Ok(RunFolder {
        dir: dir.to_path_buf(),
        organisation: text_of("organisation"),
        period: period.to_string(),
        run_id: text_of("run_id"),
        config_hash: text_of("config_hash"),
        passed: recon.and_then(|r| r.get("passed")).and_then(|v| v.as_bool()).unwrap_or(false),
        totals,
    })
}
