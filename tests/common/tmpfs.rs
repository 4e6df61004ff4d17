//! A small tmpfs for full-disk tests: real ENOSPC, no seam in the product.
//! Mounting needs root (CI runs as root): where it fails the test fails —
//! a full-disk test must never pass without having filled a disk.

use std::path::Path;
use std::process::{Command, Stdio};

/// A tmpfs of a given size mounted on a fresh temporary folder, unmounted
/// on drop.
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`mount -o size=…`: `64k`, `1m`); panics
    /// when it cannot.
    pub fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .output();
        match o {
            Ok(o) if o.status.success() => Tmpfs { dir },
            Ok(o) => panic!(
                "cannot mount a {size} tmpfs on {} (full-disk tests need root): {}",
                dir.path().display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("cannot run mount (full-disk tests need root and mount): {e}"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn remount(&self, mode: &str) {
        let ok = Command::new("mount").args(["-o", &format!("remount,{mode}")]).arg(self.path()).status();
        assert!(ok.unwrap().success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}
