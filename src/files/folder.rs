//! A run's output folder, replaced as a whole (SPEC §4, issue 19 point 3).
//!
//! Every file is written into a hidden sibling staging folder,
//! `.<out>.staging-<pid>`; [`StagedFolder::place`] checks that the folder
//! holds exactly the files registered, then swaps it in: the previous folder
//! is renamed to `<out>.replaced-<n>` (n = 1, 2, … — never deleted: it may
//! be what payroll already loaded) and the staging folder renamed to `<out>`.
//! So `<out>` always holds exactly one run's files, those its manifest lists;
//! a kill between the two renames leaves no `<out>` at all, which the next
//! run of the period puts back (docs/ledger.md). A staging folder left by a
//! killed run (its pid no longer alive) is removed by the next run.

use super::dirs::{create_private_dir, OUT_MODE};
use super::process::{pid_alive, pid_suffix};
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The output files of one run, staged in a sibling folder.
pub struct StagedFolder {
    out: PathBuf,
    staging: PathBuf,
    names: BTreeSet<String>,
    placed: bool,
    /// Folders above `out` this run created: removed again if it fails.
    created: Vec<PathBuf>,
}

/// What [`StagedFolder::place`] did with the folder it replaced.
#[derive(Debug)]
pub struct Placed {
    /// Where the previous `<out>` went, if there was one with files in it.
    pub replaced: Option<PathBuf>,
}

impl StagedFolder {
    /// Checks that `out` may be replaced and creates the staging folder (so
    /// an unwritable `--out` fails before any input is read). A folder that
    /// holds files but no payrun `manifest.json` is refused (exit 2):
    /// payrun replaces the whole folder and must not move a user's files.
    pub fn new(out: &Path) -> Result<StagedFolder> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n != "." && n != "..")
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--out {}: name a folder (payrun replaces it as a whole)",
                    out.display()
                ))
            })?;
        check_replaceable(out)?;
        let parent = parent_of(out);
        let created = create_private_dir(&parent, OUT_MODE)?;
        remove_stale_staging(&parent, &name);
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        create_private_dir(&staging, OUT_MODE)?;
        super::signals::register(&staging);
        Ok(StagedFolder { out: out.to_path_buf(), staging, names: BTreeSet::new(), placed: false, created })
    }

    /// The final folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Where the file `name` is written while staged (registered as one of
    /// the run's files).
    pub fn path_for(&mut self, name: &str) -> PathBuf {
        self.names.insert(name.to_string());
        self.staging.join(name)
    }

    /// Where the already registered file `name` is staged (`--parquet` reads
    /// the staged CSVs back).
    pub fn staged_path(&self, name: &str) -> Option<PathBuf> {
        self.names.contains(name).then(|| self.staging.join(name))
    }

    /// Writes `name` (mode 0640) from a closure over a buffered writer,
    /// flushing and syncing it. Any failure is a write error (exit 8).
    pub fn write(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = self.path_for(name);
        let mut w = BufWriter::with_capacity(1 << 16, super::atomic::create_private(&path)?);
        body(&mut w).map_err(|e| Error::io(&path, e))?;
        w.flush().map_err(|e| Error::io(&path, e))?;
        w.get_ref().sync_all().map_err(|e| Error::io(&path, e))
    }

    /// Swaps the staged folder in as `<out>` (see the module docs). Refuses
    /// if the staging folder holds anything but the registered files.
    pub fn place(mut self) -> Result<Placed> {
        let found: BTreeSet<String> = std::fs::read_dir(&self.staging)
            .map_err(|e| Error::io(&self.staging, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if found != self.names {
            return Err(Error::Internal(format!(
                "{}: staged files {found:?} are not the run's files {:?}",
                self.staging.display(),
                self.names
            )));
        }
        sync_dir(&self.staging);
        // A signal's clean-up must not delete the staging folder while it is
        // being renamed into place: it waits for this section.
        let mut critical = super::signals::critical();
        // The folder may have appeared since `new`.
        check_replaceable(&self.out)?;
        let replaced = match std::fs::read_dir(&self.out).map(|mut entries| entries.next().is_none()) {
            Ok(true) => {
                // Empty: nothing to keep.
                std::fs::remove_dir(&self.out).map_err(|e| Error::io(&self.out, e))?;
                None
            }
            Ok(false) => {
                let keep = next_replaced(&self.out);
                std::fs::rename(&self.out, &keep).map_err(|e| Error::io(&self.out, e))?;
                Some(keep)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&self.out, e)),
        };
        std::fs::rename(&self.staging, &self.out).map_err(|e| Error::io(&self.out, e))?;
        critical.forget(&self.staging);
        self.placed = true;
        sync_dir(&parent_of(&self.out));
        Ok(Placed { replaced })
    }
}

impl Drop for StagedFolder {
    /// An abandoned run leaves no staging folder, nor folders it created, behind.
    fn drop(&mut self) {
        if !self.placed {
            let mut critical = super::signals::critical();
            let _ = std::fs::remove_dir_all(&self.staging);
            critical.forget(&self.staging);
            // Innermost first; a folder someone else put files in stays.
            for dir in self.created.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

/// The folder holding `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `out` is missing, an empty folder, or a payrun output folder (it holds a
/// `manifest.json` written by payrun); anything else is not ours to move.
fn check_replaceable(out: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(out, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is not a folder: payrun writes a folder of outputs there",
            out.display()
        )));
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let manifest = std::fs::read(out.join("manifest.json")).ok();
    let ours = manifest
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|m| m.get("tool").and_then(|t| t.as_str()) == Some("payrun"));
    if ours {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--out {} holds files that are not a payrun run's outputs (no payrun manifest.json); \
             payrun replaces its output folder as a whole, so give a new or empty folder",
            out.display()
        )))
    }
}

/// `<out>.replaced-<n>` with n one past the highest already there.
fn next_replaced(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!("{name}.replaced-");
    let highest = std::fs::read_dir(parent_of(out))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name().to_string_lossy().strip_prefix(&prefix).and_then(|n| n.parse::<u64>().ok())
        })
        .max()
        .unwrap_or(0);
    out.with_file_name(format!("{prefix}{}", highest + 1))
}

/// Removes `.<name>.staging-<pid>` folders in `parent` whose run is gone.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if !file_name.starts_with(&prefix) {
            continue;
        }
        if let Some(pid) = pid_suffix(&file_name, '-') {
            if pid != std::process::id() && !pid_alive(pid) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Makes renames and new entries in `dir` durable (best effort: not every
/// file system lets a folder be synced).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path) {
        std::fs::write(dir.join("manifest.json"), r#"{"tool":"payrun"}"#).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_folder_is_replaced_as_a_whole_and_the_previous_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("2025-06");
        let mut first = StagedFolder::new(&out).unwrap();
        first.write("a.csv", |w| w.write_all(b"1")).unwrap();
        first.write("b.xlsx", |w| w.write_all(b"1")).unwrap();
        first.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        assert!(!out.exists(), "nothing under the final name before place");
        assert_eq!(first.place().unwrap().replaced, None);
        assert_eq!(names(&out), ["a.csv", "b.xlsx", "manifest.json"]);

        // A second run without the workbook: no old workbook stays beside it.
        let mut second = StagedFolder::new(&out).unwrap();
        second.write("a.csv", |w| w.write_all(b"2")).unwrap();
        second.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        let placed = second.place().unwrap();
        assert_eq!(names(&out), ["a.csv", "manifest.json"]);
        let kept = placed.replaced.unwrap();
        assert_eq!(kept, tmp.path().join("2025-06.replaced-1"));
        assert_eq!(names(&kept), ["a.csv", "b.xlsx", "manifest.json"]);
        let third = StagedFolder::new(&out).unwrap();
        let mut third = third;
        third.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        assert_eq!(third.place().unwrap().replaced, Some(tmp.path().join("2025-06.replaced-2")));
        // Only the final folder and the kept ones: no staging left.
        assert_eq!(names(tmp.path()), ["2025-06", "2025-06.replaced-1", "2025-06.replaced-2"]);
    }

    #[test]
    fn an_abandoned_staging_folder_is_removed_and_the_old_folder_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        manifest(&out);
        {
            let mut staged = StagedFolder::new(&out).unwrap();
            staged.write("a.csv", |w| w.write_all(b"x")).unwrap();
        }
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(names(&out), ["manifest.json"]);
        // Folders created above a new out go again too.
        drop(StagedFolder::new(&tmp.path().join("new/deeper/out")).unwrap());
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn an_empty_folder_is_replaced_without_a_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let mut staged = StagedFolder::new(&out).unwrap();
        staged.write("manifest.json", |w| w.write_all(b"{}")).unwrap();
        assert_eq!(staged.place().unwrap().replaced, None);
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_folder_of_someone_elses_files_or_a_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("home");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = StagedFolder::new(&out).err().unwrap();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("not a payrun run's outputs"), "{err}");
        std::fs::write(out.join("manifest.json"), r#"{"tool":"other"}"#).unwrap();
        assert_eq!(StagedFolder::new(&out).err().unwrap().exit_code(), 2);
        assert_eq!(StagedFolder::new(&out.join("notes.txt")).err().unwrap().exit_code(), 2);
        assert_eq!(StagedFolder::new(Path::new("..")).err().unwrap().exit_code(), 2);
    }

    #[test]
    fn stray_files_in_the_staging_folder_stop_the_swap() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut staged = StagedFolder::new(&out).unwrap();
        staged.write("a.csv", |w| w.write_all(b"x")).unwrap();
        let stray = staged.path_for("a.csv").with_file_name(".tmpXYZ");
        std::fs::write(&stray, "leftover").unwrap();
        assert_eq!(staged.place().unwrap_err().exit_code(), 1);
        assert!(!out.exists());
        assert_eq!(names(tmp.path()), Vec::<String>::new());
    }

    #[test]
    fn a_dead_runs_staging_folder_is_cleared_a_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let mut running = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let stale = tmp.path().join(format!(".out.staging-{dead}"));
        let live = tmp.path().join(format!(".out.staging-{}", running.id()));
        let other = tmp.path().join(format!(".other.staging-{dead}"));
        for d in [&stale, &live, &other] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("x"), "x").unwrap();
        }
        let staged = StagedFolder::new(&tmp.path().join("out")).unwrap();
        running.kill().unwrap();
        running.wait().unwrap();
        assert!(!stale.exists());
        assert!(live.exists(), "a live run's staging folder is not touched");
        assert!(other.exists(), "another folder's staging is left to its own runs");
        drop(staged);
    }
}
