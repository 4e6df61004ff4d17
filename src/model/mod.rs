//! The typed model a run works on: money, codes, claim lines, roster rows,
//! decisions and findings. Strings are parsed into these once, at ingest.

pub mod adjustment;
pub mod attendance;
pub mod claim;
pub mod codes;
pub mod decision;
pub mod history;
pub mod money;
pub mod p11d;
pub mod period;
pub mod protection;
pub mod record;
pub mod roster;
pub mod schema;
pub mod time;

pub use codes::*;
pub use money::{Miles, Pence};
