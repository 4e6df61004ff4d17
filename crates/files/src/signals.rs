//! SIGINT / SIGTERM and SIGPIPE (SPEC §4.4, issue 19 point 6).
//!
//! [`install`] blocks SIGINT and SIGTERM in every thread and waits for them
//! on a thread of its own, which removes what the run registered as
//! temporary (its staging folder, the lock note), says so, and exits 130
//! (SIGINT) or 143 (SIGTERM). The OS releases the ledger lock with the
//! process; an uncommitted ledger transaction is rolled back from its journal
//! by SQLite at the next open. The swap of the output folder is a critical
//! section: a signal arriving during it is acted on once the swap is done.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Paths to remove on a signal.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Holding this defers a signal's clean-up and exit until it is dropped.
pub struct Critical(MutexGuard<'static, Vec<PathBuf>>);

impl Critical {
    /// No longer temporary (renamed into place, or removed).
    pub fn forget(&mut self, path: &Path) {
        self.0.retain(|p| p != path);
    }
}

/// Enters the critical section.
pub fn critical() -> Critical {
    Critical(TEMPORARY.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Registers a file or folder to remove if the run is interrupted.
pub fn register(path: &Path) {
    critical().0.push(path.to_path_buf());
}

/// Blocks SIGINT and SIGTERM and starts the thread that handles them. Call
/// first thing in `main`, before any other thread exists (threads inherit
/// the blocked set, so only the handler thread ever receives them).
pub fn install() {
    #[cfg(unix)]
    {
        // SAFETY: sigset_t is plain data, initialised by sigemptyset before
        // use; pthread_sigmask and sigwait only read it.
        let set = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::sigaddset(&mut set, libc::SIGTERM);
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return;
            }
            set
        };
        let spawned = std::thread::Builder::new().name("payrun-signals".into()).spawn(move || {
            let mut signal: libc::c_int = 0;
            // SAFETY: `set` is initialised; `signal` is a valid out pointer.
            while unsafe { libc::sigwait(&set, &mut signal) } != 0 {}
            interrupted(signal);
        });
        if spawned.is_err() {
            // No handler thread: let the signals kill the process as usual
            // (the next run clears what this one leaves).
            // SAFETY: as above.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        }
    }
}

#[cfg(unix)]
fn interrupted(signal: libc::c_int) -> ! {
    use std::io::Write;
    let guard = critical();
    for path in guard.0.iter() {
        remove_while_written(path);
    }
    let (name, code) = if signal == libc::SIGINT { ("SIGINT", 130) } else { ("SIGTERM", 143) };
    let _ = writeln!(
        std::io::stderr(),
        "payrun: interrupted by {name}: temporary files removed, ledger lock released; \
         run the same command again to complete the period"
    );
    std::process::exit(code)
}

/// Removes `path`, a file or a folder the run's other threads may still be
/// writing into (the output stage writes its files side by side): a file
/// created between a pass's listing and its final `rmdir` makes that pass
/// fail, so passes repeat until the path is gone — after which nothing can be
/// created in it. Bounded, so a folder that cannot be removed does not hang
/// the exit; the next run clears what is left of a dead run.
#[cfg(unix)]
fn remove_while_written(path: &Path) {
    for _ in 0..100 {
        let removed = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
        if removed.is_ok() || std::fs::symlink_metadata(path).is_err() {
            return;
        }
    }
}

/// Restores the default action of SIGPIPE (Rust ignores it), so that a
/// command whose reader went away (`payrun ledger show | head -1`) ends
/// quietly like any Unix filter instead of failing on the broken pipe.
/// Not for `payrun run`: it writes nothing to stdout, and its messages on
/// stderr must not cut a run short.
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_DFL has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
