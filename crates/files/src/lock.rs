//! The run lock (SPEC §4.4 exit 4, §5): an exclusive OS lock (`flock`) on
//! the ledger file itself, held from before the inputs are read until the
//! run is marked placed.
//!
//! The OS releases it with the process, however the process ends, so a
//! killed run never leaves a lock behind; and it lives on the file's open
//! description, not its name, so deleting a file cannot let a second run
//! through (the first version's pid file could be deleted, and a stale one
//! naming a live unrelated pid blocked every run). The pid is still written
//! to a note beside the ledger, `ledger.lock`, so that an operator told
//! "locked" can see by whom; the note has no say in who holds the lock.
//!
//! `flock` and the POSIX record locks SQLite uses do not interact on Linux.
//! The handle stays open until after SQLite's connection is closed: closing
//! any descriptor of a file drops the process's POSIX locks on it.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a run waits for the lock before exit 4: long enough to ride
/// over a `payrun ledger` command taking it for a moment.
const WAIT: Duration = Duration::from_secs(2);

/// A held lock; dropping it removes the note (if still ours) and releases it.
#[derive(Debug)]
pub struct FileLock {
    /// Locked with flock; released when closed.
    file: File,
    note: PathBuf,
    /// Exactly what we wrote to the note, to recognise it when releasing.
    content: String,
}

impl FileLock {
    /// Locks `target` (which must exist), waiting up to two seconds, and
    /// writes our pid to `note`. Held elsewhere: [`Error::Locked`] naming
    /// the holder's pid as its note gives it.
    pub fn acquire(target: &Path, note: &Path) -> Result<FileLock> {
        let file = OpenOptions::new().read(true).open(target).map_err(|e| Error::io(target, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    let holder = read_pid(note)
                        .map(|p| format!("pid {p}"))
                        .unwrap_or_else(|| "another process".into());
                    return Err(Error::Locked(format!(
                        "the ledger {} is locked by another payrun run ({holder}, per {}); wait for it to finish",
                        target.display(),
                        note.display()
                    )));
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(target, e)),
            }
        }
        let content = format!("{}\nstarted {}\n", std::process::id(), started_stamp());
        // The note is information only: failing to write it does not stop the run.
        if let Ok(mut f) = super::atomic::create_private(note) {
            let _ = f.write_all(content.as_bytes());
        }
        super::signals::register(note);
        Ok(FileLock { file, note: note.to_path_buf(), content })
    }

    /// The note naming the holder.
    pub fn note(&self) -> &Path {
        &self.note
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let mut critical = super::signals::critical();
        let mut text = String::new();
        let ours = File::open(&self.note).and_then(|mut f| f.read_to_string(&mut text)).is_ok()
            && text == self.content;
        if ours {
            let _ = std::fs::remove_file(&self.note);
        }
        critical.forget(&self.note);
        let _ = self.file.unlock();
    }
}

/// The pid on the note's first line.
pub fn read_pid(path: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn started_stamp() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_holder_even_with_its_note_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let (target, note) = (tmp.path().join("ledger.sqlite"), tmp.path().join("ledger.lock"));
        std::fs::write(&target, "x").unwrap();
        let held = FileLock::acquire(&target, &note).unwrap();
        assert_eq!(read_pid(&note), Some(std::process::id()));
        std::fs::remove_file(&note).unwrap();
        let started = Instant::now();
        let err = FileLock::acquire(&target, &note).unwrap_err();
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "exit 4 within seconds");
        assert!(err.to_string().contains("another process"), "{err}");
        // With the note back, the message names the holder.
        std::fs::write(&note, "4242\n").unwrap();
        assert!(FileLock::acquire(&target, &note).unwrap_err().to_string().contains("pid 4242"));
        drop(held);
        drop(FileLock::acquire(&target, &note).unwrap());
    }

    #[test]
    fn a_note_naming_a_live_unrelated_pid_does_not_block() {
        let tmp = tempfile::tempdir().unwrap();
        let (target, note) = (tmp.path().join("ledger.sqlite"), tmp.path().join("ledger.lock"));
        std::fs::write(&target, "x").unwrap();
        // pid 1 is always alive and never a payrun.
        std::fs::write(&note, "1\n").unwrap();
        let lock = FileLock::acquire(&target, &note).unwrap();
        assert_eq!(read_pid(&note), Some(std::process::id()));
        drop(lock);
        assert!(!note.exists(), "releasing removes our note");
    }
}
