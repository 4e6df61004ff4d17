//! The run lock: `<state>/ledger.lock`, a file holding the owner's pid.
//!
//! SQLite's own locking only covers single transactions; a run reads history
//! at the start and commits at the end, so two overlapping runs of the same
//! state would each compute year-to-date figures without the other's lines.
//! The lock spans the whole run (SPEC §4.4 exit 4).
//!
//! A pid file rather than an OS lock so that the holder is visible to an
//! operator (`cat ledger.lock`) and survives on file systems without
//! `flock`. A run killed with SIGKILL cannot remove its file, so a lock whose
//! pid is no longer alive is stale and is cleared by the next run.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "ledger.lock";

/// A held lock; dropping it removes the file (only if it is still ours).
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// Exactly what we wrote, to recognise our own file when releasing.
    content: String,
}

impl Lock {
    /// Takes the lock in `state_dir` (which must exist).
    pub fn acquire(state_dir: &Path) -> Result<Lock> {
        let path = state_dir.join(LOCK_FILE);
        // Checking for a stale lock, clearing it and creating ours must be one
        // step, or two runs could both clear the same stale lock and then one
        // delete the other's fresh one. An OS lock on the state folder
        // serialises that step between processes; it is held only here and
        // is released by the OS even if we die. Where folders cannot be
        // opened (not Unix) the window is left open: it needs two runs
        // started in the same instant over a stale lock.
        let guard = File::open(state_dir).ok();
        if let Some(g) = &guard {
            let _ = g.lock();
        }
        let content = format!("{}\nstarted {}\n", std::process::id(), started_stamp());
        let result = Self::create(&path, &content);
        if let Some(g) = &guard {
            let _ = g.unlock();
        }
        result
    }

    fn create(path: &Path, content: &str) -> Result<Lock> {
        for _ in 0..2 {
            match new_private_file(path) {
                Ok(mut file) => {
                    file.write_all(content.as_bytes())
                        .and_then(|_| file.sync_all())
                        .map_err(|e| Error::io(path, e))?;
                    return Ok(Lock { path: path.to_path_buf(), content: content.to_string() });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let held = read_pid(path);
                    match held {
                        Some(pid) if pid_alive(pid) => {
                            return Err(Error::Locked(format!(
                                "the ledger is locked by another payrun run (pid {pid}, lock file {}); \
                                 wait for it to finish — if pid {pid} is not a payrun, remove the lock file",
                                path.display()
                            )))
                        }
                        // Dead holder, or a file cut short by a kill between
                        // creating and writing it: stale either way.
                        _ => match std::fs::remove_file(path) {
                            Ok(()) => {
                                eprintln!(
                                    "payrun: cleared a stale ledger lock {} (pid {} is not running)",
                                    path.display(),
                                    held.map(|p| p.to_string()).unwrap_or_else(|| "unreadable".into())
                                );
                            }
                            Err(e) if e.kind() == ErrorKind::NotFound => {}
                            Err(e) => return Err(Error::io(path, e)),
                        },
                    }
                }
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        Err(Error::Locked(format!(
            "the ledger lock {} keeps reappearing; another run is starting",
            path.display()
        )))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let mut text = String::new();
        let ours = File::open(&self.path).and_then(|mut f| f.read_to_string(&mut text)).is_ok()
            && text == self.content;
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn new_private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    options.open(path)
}

/// The pid on the lock file's first line.
pub fn read_pid(path: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn started_stamp() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// Whether a process with this pid is running. On Linux `/proc/<pid>`
/// exists for it (a zombie — exited, not yet reaped — counts as dead);
/// elsewhere on Unix `kill -0` asks the kernel. Where neither works the
/// answer is "alive": refusing a run is recoverable, two runs are not.
pub fn pid_alive(pid: u32) -> bool {
    if pid == 0 {
        return false;
    }
    if Path::new("/proc/self").exists() {
        return match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state follows the parenthesised command name.
            Ok(stat) => {
                stat.rsplit_once(')').map(|(_, rest)| !rest.trim_start().starts_with('Z')).unwrap_or(true)
            }
            Err(_) => Path::new(&format!("/proc/{pid}")).exists(),
        };
    }
    if cfg!(unix) {
        if let Ok(out) = std::process::Command::new("kill").args(["-0", &pid.to_string()]).output() {
            // EPERM: the process exists but belongs to someone else.
            return out.status.success() || String::from_utf8_lossy(&out.stderr).contains("ermitted");
        }
    }
    true
}
