//! File-system concerns every stage shares (issue 18): files and folders that
//! appear whole or not at all, the run lock, whether a process is alive, and
//! the clean-up on SIGINT / SIGTERM, the allocator's arenas. Neutral: it depends on `error` only, so
//! `output` and `ledger` both use it without depending on each other.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_model::error;

pub mod atomic;
pub mod dirs;
pub mod folder;
pub mod lock;
pub mod memory;
pub mod paths;
pub mod process;
pub mod signals;
