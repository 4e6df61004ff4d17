//! Run-level errors and their exit codes (SPEC §4.4).

use std::path::PathBuf;

/// An error that ends a run. Findings about data are not errors: they are
/// output. Each variant maps to one exit code for cron.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Exit 2: the command line cannot be carried out as given.
    #[error("{0}")]
    Usage(String),
    /// Exit 3: an input cannot be read, or a required sheet or column is
    /// missing; or the ledger is not a payrun ledger or is corrupt.
    #[error("{0}")]
    Input(String),
    /// Exit 3: the configuration is invalid (named key).
    #[error("configuration {path}: {message}")]
    Config { path: PathBuf, message: String },
    /// Exit 4: another run holds the ledger lock.
    #[error("{0}")]
    Locked(String),
    /// Exit 5: the reconciliation of SPEC §4.3 failed; nothing was written.
    #[error("reconciliation failed: {0}")]
    Reconciliation(String),
    /// Exit 6: `--fail-on` found findings of that severity (outputs written).
    #[error("{0}")]
    FailOn(String),
    /// Exit 7: `payrun batch` ran, and an organisation did not exit 0.
    #[error("{0}")]
    Batch(String),
    /// Exit 8: an output or state folder cannot be written (disk full,
    /// read-only, permission): nothing was put in place, the ledger is unchanged.
    #[error("{0}")]
    Write(String),
    /// Exit 1: anything else.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Input(_) | Error::Config { .. } => 3,
            Error::Locked(_) => 4,
            Error::Reconciliation(_) => 5,
            Error::FailOn(_) => 6,
            Error::Batch(_) => 7,
            Error::Write(_) => 8,
            Error::Internal(_) => 1,
        }
    }

    /// A failure writing a named path (outputs, state): exit 8.
    pub fn io(path: &std::path::Path, err: std::io::Error) -> Error {
        Error::Write(format!("cannot write {}: {err}", path.display()))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A `payrun: …` line on stderr (a JSON notice with `--log-format json`)
/// that cannot fail or panic.
pub fn note(message: &str) {
    crate::log::notice(message);
}
