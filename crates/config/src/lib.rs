//! The configuration stage: `policy.toml` (rates, caps, thresholds, windows,
//! lists, bank holidays) and `columns.toml` (header aliases), read once at the
//! start of a run and handed to every later stage.
//!
//! Errors are [`Error::Config`] (exit 3) with a message that starts with the
//! offending key, e.g. `rates[0].subsistence.hotel: must not be negative`.
//! See `docs/configuration.md`.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_model as model;
use payrun_model::error;

mod columns;
mod de;
mod payroll_interface;
mod policy;
#[cfg(test)]
mod tests;

pub use columns::{normalise, Columns};
pub use payroll_interface::{
    ActionIfExists, EffectiveDate, InputSource, InputValue, PayrollInterface, ELEMENT_CODES, MAX_INPUTS,
};
pub use policy::{
    AmapRates, Band, BandTable, Calendar, Claims, Elements, Leave, Limits, MileageExcess, MileageRates,
    Paper, Pay, Policy, Protection, Rates, RelocationCaps, Sickness, Sites, Subsistence, SubsistenceCaps,
    Travel, WordList, Workbooks,
};

use crate::error::Error;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const POLICY_FILE: &str = "policy.toml";
pub const COLUMNS_FILE: &str = "columns.toml";

/// The default `policy.toml`, carried in the binary (SPEC §8.1) so that
/// payrun run from any folder (cron) has a configuration.
pub const BUILT_IN_POLICY: &str = include_str!("../../../config/policy.toml");
/// The default `columns.toml`, carried in the binary.
pub const BUILT_IN_COLUMNS: &str = include_str!("../../../config/columns.toml");
/// What the manifest's `config_dir` says when the built-in files were used.
pub const BUILT_IN_LABEL: &str = "(built-in)";
/// The environment variable naming a configuration folder (SPEC §8.1).
pub const CONFIG_ENV: &str = "PAYRUN_CONFIG";

/// Everything configurable about a run.
#[derive(Clone, Debug)]
pub struct Config {
    pub policy: Policy,
    pub columns: Columns,
    /// SHA-256 (hex) of the bytes of policy.toml followed by those of
    /// columns.toml, recorded in the manifest.
    pub hash: String,
    /// The directory the files were read from; [`BUILT_IN_LABEL`] for the
    /// built-in defaults.
    pub dir: PathBuf,
}

impl Config {
    /// Reads and checks `dir/policy.toml` and `dir/columns.toml`.
    pub fn load(dir: &Path) -> crate::error::Result<Config> {
        let policy_path = dir.join(POLICY_FILE);
        let columns_path = dir.join(COLUMNS_FILE);
        let policy_bytes = read(&policy_path)?;
        let columns_bytes = read(&columns_path)?;
        Config::parse(&policy_path, &policy_bytes, &columns_path, &columns_bytes, dir.to_path_buf())
    }

    /// The defaults carried in the binary (the repository's `config/`).
    pub fn built_in() -> crate::error::Result<Config> {
        let (policy_path, columns_path) = (Path::new(POLICY_FILE), Path::new(COLUMNS_FILE));
        Config::parse(
            &Path::new(BUILT_IN_LABEL).join(policy_path),
            BUILT_IN_POLICY.as_bytes(),
            &Path::new(BUILT_IN_LABEL).join(columns_path),
            BUILT_IN_COLUMNS.as_bytes(),
            PathBuf::from(BUILT_IN_LABEL),
        )
    }

    /// The configuration of a run, found in the order of SPEC §8.1:
    /// `--config DIR` (`explicit`), `$PAYRUN_CONFIG`, `./config`, then the
    /// built-in defaults.
    pub fn find(explicit: Option<&Path>) -> crate::error::Result<Config> {
        match Config::locate(explicit) {
            Some(dir) => Config::load(&dir),
            None => Config::built_in(),
        }
    }

    /// The folder [`Config::find`] reads, or `None` for the built-in
    /// defaults. `./config` counts only when it holds a `policy.toml` or a
    /// `columns.toml` (docs/decisions.md), so an unrelated `config` folder in
    /// cron's working directory does not stop a run; a named folder
    /// (`--config`, `$PAYRUN_CONFIG`) is always used, and must hold both.
    pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(dir) = explicit {
            return Some(dir.to_path_buf());
        }
        if let Some(dir) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        let local = Config::default_dir();
        if local.join(POLICY_FILE).exists() || local.join(COLUMNS_FILE).exists() {
            return Some(local);
        }
        None
    }

    /// Checks both files' text and hashes exactly the bytes that were read.
    fn parse(
        policy_path: &Path,
        policy_bytes: &[u8],
        columns_path: &Path,
        columns_bytes: &[u8],
        dir: PathBuf,
    ) -> crate::error::Result<Config> {
        let policy = parse_policy(text(policy_path, policy_bytes)?)
            .map_err(|message| config_error(policy_path, message))?;
        let columns = Columns::parse(text(columns_path, columns_bytes)?)
            .map_err(|message| config_error(columns_path, message))?;

        let mut hasher = Sha256::new();
        hasher.update(policy_bytes);
        hasher.update(columns_bytes);
        let hash = format!("{:x}", hasher.finalize());

        Ok(Config { policy, columns, hash, dir })
    }

    /// Writes the built-in files into `dir` for editing (`payrun config
    /// init`). An existing file is refused (exit 2) unless `force`; nothing
    /// is written when either file is refused.
    pub fn write_built_in(dir: &Path, force: bool) -> crate::error::Result<Vec<PathBuf>> {
        let files = [(POLICY_FILE, BUILT_IN_POLICY), (COLUMNS_FILE, BUILT_IN_COLUMNS)];
        if !force {
            if let Some((name, _)) = files.iter().find(|(name, _)| dir.join(name).exists()) {
                return Err(Error::Usage(format!(
                    "{} already exists; pass --force to overwrite it with the built-in defaults",
                    dir.join(name).display()
                )));
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut written = Vec::new();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
            written.push(path);
        }
        Ok(written)
    }

    /// Where the configuration is looked for unless `--config` says otherwise.
    pub fn default_dir() -> PathBuf {
        PathBuf::from("config")
    }
}

/// An exact non-negative decimal kept as a fraction: `"52.143"` is
/// 52143 / 1000, `"1.10"` is 110 / 100. No floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    pub numerator: i64,
    pub denominator: i64,
}

impl Ratio {
    /// `value × self`, rounded down (e.g. route miles × 1.10 to 0.1 mile).
    pub fn mul_floor(self, value: i64) -> i64 {
        (i128::from(value) * i128::from(self.numerator)).div_euclid(i128::from(self.denominator)) as i64
    }
}

fn parse_policy(text: &str) -> Result<Policy, String> {
    let mut policy: Policy = from_toml(text)?;
    policy.validate()?;
    Ok(policy)
}

fn read(path: &Path) -> crate::error::Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| config_error(path, format!("cannot be read: {err}")))
}

fn text<'a>(path: &Path, bytes: &'a [u8]) -> crate::error::Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|err| config_error(path, format!("is not UTF-8 text: {err}")))
}

fn config_error(path: &Path, message: String) -> Error {
    Error::Config { path: path.to_path_buf(), message }
}

/// Deserializes a TOML document; an error message names the dotted key it
/// concerns (`rates[1].mileage.lower`) and its line, followed by toml's own
/// explanation (which names an unknown key itself).
pub fn from_toml<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|err| {
        let message = err.message().trim().to_string();
        match err.span() {
            Some(span) => {
                let (line, key) = locate(text, span.start);
                match key {
                    Some(key) => format!("{key}: {message} (line {line})"),
                    None => format!("line {line}: {message}"),
                }
            }
            None => message,
        }
    })
}

/// The 1-based line of byte `offset` and the dotted path of the key written
/// there, found by reading the table headers above it. Good enough for the
/// shapes our files use (tables, arrays of tables, one key per line, and
/// arrays whose items span lines).
fn locate(text: &str, offset: usize) -> (usize, Option<String>) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_no = before.matches('\n').count() + 1;

    let mut table = String::new();
    let mut array_index: std::collections::HashMap<String, usize> = Default::default();
    let mut key = None;
    for line in text.lines().take(line_no) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_string();
            let index = array_index.entry(name.clone()).and_modify(|i| *i += 1).or_insert(0);
            table = format!("{name}[{index}]");
            key = None;
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = resolve_header(name.trim(), &array_index);
            key = None;
        } else if let Some((k, _)) = line.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || "_-.\"".contains(c)) {
                key = Some(k.trim_matches('"').to_string());
            }
        }
    }
    let path = match (table.is_empty(), key) {
        (_, None) if table.is_empty() => None,
        (_, None) => Some(table),
        (true, Some(k)) => Some(k),
        (false, Some(k)) => Some(format!("{table}.{k}")),
    };
    (line_no, path)
}

/// `rates.mileage` → `rates[2].mileage` when `rates` is an array of tables.
fn resolve_header(name: &str, array_index: &std::collections::HashMap<String, usize>) -> String {
    let mut resolved = String::new();
    let mut plain = String::new();
    for part in name.split('.') {
        let part = part.trim();
        if !plain.is_empty() {
            plain.push('.');
            resolved.push('.');
        }
        plain.push_str(part);
        resolved.push_str(part);
        if let Some(i) = array_index.get(&plain) {
            resolved.push_str(&format!("[{i}]"));
        }
    }
    resolved
}
