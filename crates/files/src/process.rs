//! Whether a process is still running: how a killed run's leftovers (staging
//! folders, temporary files) are told from a live run's.

use std::path::Path;

/// Whether a process with this pid is running. On Linux `/proc/<pid>`
/// exists for it (a zombie — exited, not yet reaped — counts as dead);
/// elsewhere on Unix `kill -0` asks the kernel. Where neither works the
/// answer is "alive": leaving a dead run's files is recoverable, deleting a
/// live run's is not.
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

/// The pid a leftover name ends with: `.<anything>.<pid>.tmp` or
/// `.<name>.staging-[<org>-]<pid>`.
pub fn pid_suffix(name: &str, marker: char) -> Option<u32> {
    name.rsplit(marker).next().and_then(|p| p.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaped_child_is_dead_and_we_are_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!pid_alive(pid));
        assert!(pid_alive(std::process::id()));
        assert!(!pid_alive(0));
    }

    #[test]
    fn pid_suffixes_are_read_from_leftover_names() {
        assert_eq!(pid_suffix("decisions.csv.42", '.'), Some(42));
        assert_eq!(pid_suffix(".out.staging-7", '-'), Some(7));
        assert_eq!(pid_suffix(".out.staging-x", '-'), None);
    }
}
