//! The typed model a run works on: money, codes, claim lines, roster rows,
//! decisions and findings. Strings are parsed into these once, at ingest.

pub mod claim;
pub mod codes;
pub mod decision;
pub mod history;
pub mod money;
pub mod org;
pub mod period;
pub mod roster;

pub use codes::*;
pub use money::{Miles, Pence};
