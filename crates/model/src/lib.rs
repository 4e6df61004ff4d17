//! The typed model a run works on: money, codes, dates, the input sheets'
//! schemas, claim lines, roster rows, decisions and findings, and the rows
//! the rules hand to outputs and ledger. Strings are parsed into these once,
//! at ingest. The bottom layer: it imports nothing of the crate but itself.

pub mod error;
pub use error::{Error, Result};

pub mod absence;
pub mod adjustment;
pub mod attendance;
pub mod claim;
pub mod codes;
pub mod csv_text;
pub mod decision;
pub mod history;
pub mod input;
pub mod kit;
pub mod log;
pub mod money;
pub mod org;
pub mod p11d;
pub mod panics;
pub mod period;
pub mod progress;
pub mod protection;
pub mod record;
pub mod review;
pub mod roster;
pub mod rule;
pub mod schema;
pub mod time;

pub use codes::*;
pub use money::{Miles, Pence};
