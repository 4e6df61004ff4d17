//! Files that appear whole or not at all, in a folder that other files may
//! share (`payrun ledger export`): each is written to a hidden temporary name,
//! flushed, and renamed into place once every file is complete. A run's
//! output folder is replaced as a whole instead ([`super::folder`]).
//! Files are created 0640: payroll data is personal data.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The output files of one run, staged under temporary names.
pub struct Staging {
    dir: PathBuf,
    /// (temporary path, final path)
    files: Vec<(PathBuf, PathBuf)>,
    committed: bool,
}

impl Staging {
    pub fn new(dir: &Path) -> Result<Staging> {
        super::dirs::create_private_dir(dir, super::dirs::OUT_MODE)?;
        remove_stale_temporaries(dir);
        Ok(Staging { dir: dir.to_path_buf(), files: Vec::new(), committed: false })
    }

    /// A temporary path for the final file `name`, registered for commit.
    pub fn path_for(&mut self, name: &str) -> PathBuf {
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        self.files.push((tmp.clone(), self.dir.join(name)));
        tmp
    }

    /// The temporary path of a file already staged as `name`.
    pub fn staged_path(&self, name: &str) -> Option<PathBuf> {
        let fin = self.dir.join(name);
        self.files.iter().find(|(_, f)| *f == fin).map(|(tmp, _)| tmp.clone())
    }

    /// Creates the temporary file for `name` (mode 0640) and returns a writer.
    fn create(&mut self, name: &str) -> Result<BufWriter<File>> {
        let tmp = self.path_for(name);
        create_private(&tmp).map(|f| BufWriter::with_capacity(1 << 16, f))
    }

    /// Writes `name` from a closure over a buffered writer, flushing and syncing it.
    pub fn write(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<()> {
        let mut w = self.create(name)?;
        let path = self.dir.join(name);
        body(&mut w).map_err(|e| Error::io(&path, e))?;
        w.flush().map_err(|e| Error::io(&path, e))?;
        w.get_ref().sync_all().map_err(|e| Error::io(&path, e))
    }

    /// Renames every staged file into place.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for (tmp, fin) in &self.files {
            std::fs::rename(tmp, fin).map_err(|e| Error::io(fin, e))?;
            done.push(fin.clone());
        }
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.committed = true;
        Ok(done)
    }
}

impl Drop for Staging {
    /// An abandoned run leaves no temporary files behind.
    fn drop(&mut self) {
        if !self.committed {
            for (tmp, _) in &self.files {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// Creates (truncating) a file readable by owner and group only.
pub fn create_private(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    options.open(path).map_err(|e| Error::io(path, e))
}

/// Removes the temporary files (`.<name>.<pid>.tmp`) a killed run left in
/// `dir`: those whose process is gone (`pid_alive`, which answers
/// "alive" when it cannot tell, so a live run's files are never touched).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
            continue;
        };
        let Some(pid) = super::process::pid_suffix(stem, '.') else {
            continue;
        };
        if pid != std::process::id() && !super::process::pid_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
