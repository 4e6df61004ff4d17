//! A run's output folder, replaced as a whole (SPEC §4, issue 19 point 3).
//!
//! Every file is written into a hidden sibling staging folder,
//! `.<out>.staging-<org>-<pid>` (`.<out>.staging-<pid>` without `--org`: two
//! organisations of one batch share the pid, SPEC §12.4); [`StagedFolder::place`] checks that the folder
//! holds exactly the files registered, then swaps it in. Where a previous
//! `<out>` exists the two are exchanged in one step (Linux renameat2
//! RENAME_EXCHANGE), so there is no moment without `<out>`; the previous
//! folder, now under the hidden placing name, is then renamed to
//! `<out>.replaced-<n>` (n = 1, 2, … — never deleted: it may be what payroll
//! already loaded; decision 412). A file system that cannot exchange falls
//! back to two renames (previous folder away, staging folder in), where a
//! kill between them leaves no `<out>` until the next run of the period puts
//! it back (docs/ledger.md). So `<out>` always holds exactly one run's files,
//! those its manifest lists. What a killed run left (a staging folder, or a
//! placing folder holding either its staged files or the exchanged-out
//! previous folder) is cleared by the next run: see [`remove_stale_staging`].

use super::dirs::{create_private_dir, OUT_MODE};
use super::process::pid_alive;
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
    /// `org` (the `--org` code) is part of the staging folder's name.
    pub fn new(out: &Path, org: Option<&str>) -> Result<StagedFolder> {
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
        let staging = parent.join(staging_name(&name, org, std::process::id()));
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
        let swapped = self.swap_in()?;
        critical.forget(&self.staging);
        self.placed = true;
        let replaced = match swapped {
            Swapped::Fresh => None,
            Swapped::Renamed(kept) => kept,
            Swapped::Exchanged(previous) => keep_previous(&self.out, &previous)?,
        };
        sync_dir(&parent_of(&self.out));
        Ok(Placed { replaced })
    }

    /// Puts the staged folder under the name `<out>` in one step. With a
    /// previous `<out>`, the staging folder is first renamed to
    /// `.<out>.placing-<pid>-<inode of the previous out>` and then exchanged
    /// with `<out>` (renameat2 RENAME_EXCHANGE): afterwards the placing name
    /// holds the previous folder, whose inode its name records, so a run
    /// killed before [`keep_previous`] is told apart from one killed before
    /// the exchange (see [`remove_stale_staging`]). Where the file system
    /// cannot exchange, the previous folder is renamed away first (two
    /// renames, today's fallback). On an error the staged files stay under
    /// the staging name, so `Drop` removes them.
    fn swap_in(&mut self) -> Result<Swapped> {
        self.swap_in_with(exchange)
    }

    /// [`Self::swap_in`] with the exchange given (tests make it unsupported).
    fn swap_in_with(&mut self, exchange: impl Fn(&Path, &Path) -> std::io::Result<()>) -> Result<Swapped> {
        let previous = match std::fs::symlink_metadata(&self.out) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::rename(&self.staging, &self.out).map_err(|e| Error::io(&self.out, e))?;
                return Ok(Swapped::Fresh);
            }
            Err(e) => return Err(Error::io(&self.out, e)),
        };
        let placing = placing_name(&self.out, inode(&previous));
        std::fs::rename(&self.staging, &placing).map_err(|e| Error::io(&placing, e))?;
        match exchange(&placing, &self.out) {
            Ok(()) => {
                sync_dir(&parent_of(&self.out));
                Ok(Swapped::Exchanged(placing))
            }
            Err(e) => {
                // Back under the staging name whatever happens next.
                std::fs::rename(&placing, &self.staging).map_err(|e| Error::io(&self.staging, e))?;
                if !exchange_unsupported(&e) {
                    return Err(Error::io(&self.out, e));
                }
                let kept = if dir_is_empty(&self.out)? {
                    std::fs::remove_dir(&self.out).map_err(|e| Error::io(&self.out, e))?;
                    None
                } else {
                    let keep = next_replaced(&self.out);
                    std::fs::rename(&self.out, &keep).map_err(|e| Error::io(&self.out, e))?;
                    Some(keep)
                };
                std::fs::rename(&self.staging, &self.out).map_err(|e| Error::io(&self.out, e))?;
                Ok(Swapped::Renamed(kept))
            }
        }
    }
}

/// How [`StagedFolder::swap_in`] put the staged folder in place.
enum Swapped {
    /// There was no `<out>`: one rename.
    Fresh,
    /// Exchanged with the previous `<out>`, which now sits at this path.
    Exchanged(PathBuf),
    /// Two renames (no exchange on this file system); where the previous
    /// folder went, if it held files.
    Renamed(Option<PathBuf>),
}

/// `.<out>.staging-<org>-<pid>`, or `.<out>.staging-<pid>` without an
/// organisation. [`remove_stale_staging`] reads the pid back as the last
/// `-` part (an organisation code may itself hold `-`).
fn staging_name(out_name: &str, org: Option<&str>, pid: u32) -> String {
    match org {
        Some(org) => format!(".{out_name}.staging-{org}-{pid}"),
        None => format!(".{out_name}.staging-{pid}"),
    }
}

/// The name the staged folder takes just before the exchange.
fn placing_name(out: &Path, previous_ino: u64) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent_of(out).join(format!(".{name}.placing-{}-{previous_ino}", std::process::id()))
}

/// Moves the previous folder, exchanged out to `previous`, to
/// `<out>.replaced-<n>` (decision 412), or removes it when it is empty.
fn keep_previous(out: &Path, previous: &Path) -> Result<Option<PathBuf>> {
    if dir_is_empty(previous)? {
        std::fs::remove_dir(previous).map_err(|e| Error::io(previous, e))?;
        return Ok(None);
    }
    let keep = next_replaced(out);
    std::fs::rename(previous, &keep).map_err(|e| Error::io(previous, e))?;
    Ok(Some(keep))
}

fn dir_is_empty(dir: &Path) -> Result<bool> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    Ok(entries.next().is_none())
}

/// Exchanges the folders `a` and `b` atomically (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let status = unsafe {
        libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE)
    };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// No atomic exchange outside Linux: the two-rename fallback.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The file system (or kernel) cannot exchange two names.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)) {
        return true;
    }
    e.kind() == std::io::ErrorKind::Unsupported
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

/// Clears what dead runs left beside `<out>`: their staging folders
/// (`.<name>.staging-[<org>-]<pid>`, whatever the organisation) are removed
/// — a live process's never, nor this process's (a batch runs several
/// organisations in one process); a `.<name>.placing-<pid>-<inode>` folder is either
/// the previous `<out>` exchanged out just before the run was killed (its
/// inode is the one its name records: it is kept as `<out>.replaced-<n>`,
/// or removed if empty) or staged files never exchanged in (removed).
fn remove_stale_staging(parent: &Path, name: &str) {
    let staging = format!(".{name}.staging-");
    let placing = format!(".{name}.placing-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let (pid, previous_ino) = if let Some(rest) = file_name.strip_prefix(&staging) {
            (super::process::pid_suffix(rest, '-'), None)
        } else if let Some(rest) = file_name.strip_prefix(&placing) {
            match rest.split_once('-') {
                Some((pid, ino)) => (pid.parse::<u32>().ok(), ino.parse::<u64>().ok()),
                None => (None, None),
            }
        } else {
            continue;
        };
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || pid_alive(pid) {
            continue;
        }
        let path = entry.path();
        let exchanged_out = previous_ino.is_some_and(|ino| {
            std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_dir() && inode(&meta) == ino)
        });
        if exchanged_out {
            let _ = keep_previous(&parent.join(name), &path);
        } else {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// A file's inode number (what a placing folder's name records).
#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
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
        let mut first = StagedFolder::new(&out, None).unwrap();
        first.write("a.csv", |w| w.write_all(b"1")).unwrap();
        first.write("b.xlsx", |w| w.write_all(b"1")).unwrap();
        first.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        assert!(!out.exists(), "nothing under the final name before place");
        assert_eq!(first.place().unwrap().replaced, None);
        assert_eq!(names(&out), ["a.csv", "b.xlsx", "manifest.json"]);

        // A second run without the workbook: no old workbook stays beside it.
        let mut second = StagedFolder::new(&out, None).unwrap();
        second.write("a.csv", |w| w.write_all(b"2")).unwrap();
        second.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        let placed = second.place().unwrap();
        assert_eq!(names(&out), ["a.csv", "manifest.json"]);
        let kept = placed.replaced.unwrap();
        assert_eq!(kept, tmp.path().join("2025-06.replaced-1"));
        assert_eq!(names(&kept), ["a.csv", "b.xlsx", "manifest.json"]);
        let third = StagedFolder::new(&out, None).unwrap();
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
            let mut staged = StagedFolder::new(&out, None).unwrap();
            staged.write("a.csv", |w| w.write_all(b"x")).unwrap();
        }
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(names(&out), ["manifest.json"]);
        // Folders created above a new out go again too.
        drop(StagedFolder::new(&tmp.path().join("new/deeper/out"), None).unwrap());
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn an_empty_folder_is_replaced_without_a_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let mut staged = StagedFolder::new(&out, None).unwrap();
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
        let err = StagedFolder::new(&out, None).err().unwrap();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("not a payrun run's outputs"), "{err}");
        std::fs::write(out.join("manifest.json"), r#"{"tool":"other"}"#).unwrap();
        assert_eq!(StagedFolder::new(&out, None).err().unwrap().exit_code(), 2);
        assert_eq!(StagedFolder::new(&out.join("notes.txt"), None).err().unwrap().exit_code(), 2);
        assert_eq!(StagedFolder::new(Path::new(".."), None).err().unwrap().exit_code(), 2);
    }

    #[test]
    fn stray_files_in_the_staging_folder_stop_the_swap() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut staged = StagedFolder::new(&out, None).unwrap();
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
        let live_pid = running.id();
        let ours = std::process::id();
        let at = |name: String| tmp.path().join(name);
        // Dead runs', with and without an organisation (one with `-` in its code).
        let stale = [
            at(format!(".out.staging-{dead}")),
            at(format!(".out.staging-R1H-{dead}")),
            at(format!(".out.staging-A-B-{dead}")),
        ];
        // Live runs' of any organisation, and another organisation's of this
        // process (a batch runs them side by side), and another folder's.
        let kept = [
            at(format!(".out.staging-{live_pid}")),
            at(format!(".out.staging-R1H-{live_pid}")),
            at(format!(".out.staging-A-B-{live_pid}")),
            at(format!(".out.staging-R1H-{ours}")),
            at(format!(".other.staging-{dead}")),
        ];
        for d in stale.iter().chain(&kept) {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("x"), "x").unwrap();
        }
        let staged = StagedFolder::new(&tmp.path().join("out"), Some("RP5")).unwrap();
        running.kill().unwrap();
        running.wait().unwrap();
        assert_eq!(staged.staging, at(format!(".out.staging-RP5-{ours}")), "the organisation is in the name");
        for d in &stale {
            assert!(!d.exists(), "{}: a dead run's staging folder is cleared", d.display());
        }
        for d in &kept {
            assert!(d.exists(), "{}: not this run's to clear", d.display());
        }
        drop(staged);
    }

    /// A second run's folder staged over a first run's `<out>` (a.csv, b.xlsx).
    fn two_runs(tmp: &Path) -> (PathBuf, StagedFolder) {
        let out = tmp.join("2025-06");
        let mut first = StagedFolder::new(&out, None).unwrap();
        first.write("a.csv", |w| w.write_all(b"1")).unwrap();
        first.write("b.xlsx", |w| w.write_all(b"1")).unwrap();
        first.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        first.place().unwrap();
        let mut second = StagedFolder::new(&out, None).unwrap();
        second.write("a.csv", |w| w.write_all(b"2")).unwrap();
        second.write("manifest.json", |w| w.write_all(br#"{"tool":"payrun"}"#)).unwrap();
        (out, second)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_exchange_leaves_out_in_place_at_every_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, mut second) = two_runs(tmp.path());
        let Swapped::Exchanged(previous) = second.swap_in().unwrap() else {
            panic!("the exchange is supported on this file system (tmpfs, ext4, overlayfs)");
        };
        second.placed = true;
        // The moment a kill would hit between the exchange and the rename:
        // `<out>` already holds the new run's files, the previous ones sit
        // under the placing name.
        assert_eq!(names(&out), ["a.csv", "manifest.json"]);
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
        assert_eq!(names(&previous), ["a.csv", "b.xlsx", "manifest.json"]);
        assert!(previous.file_name().unwrap().to_string_lossy().starts_with(".2025-06.placing-"));
        let kept = keep_previous(&out, &previous).unwrap().unwrap();
        assert_eq!(kept, tmp.path().join("2025-06.replaced-1"));
        assert_eq!(names(&kept), ["a.csv", "b.xlsx", "manifest.json"]);
        assert_eq!(names(tmp.path()), ["2025-06", "2025-06.replaced-1"]);
    }

    #[test]
    fn without_the_exchange_two_renames_do_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, mut second) = two_runs(tmp.path());
        let unsupported = |_: &Path, _: &Path| Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        let Swapped::Renamed(kept) = second.swap_in_with(unsupported).unwrap() else {
            panic!("EINVAL falls back to two renames");
        };
        second.placed = true;
        assert_eq!(kept, Some(tmp.path().join("2025-06.replaced-1")));
        assert_eq!(names(&out), ["a.csv", "manifest.json"]);
        assert_eq!(names(&tmp.path().join("2025-06.replaced-1")), ["a.csv", "b.xlsx", "manifest.json"]);
        assert_eq!(names(tmp.path()), ["2025-06", "2025-06.replaced-1"]);
    }

    #[test]
    fn another_exchange_error_stops_the_swap_and_leaves_out_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, mut second) = two_runs(tmp.path());
        let denied = |_: &Path, _: &Path| Err(std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(second.swap_in_with(denied).is_err());
        drop(second);
        assert_eq!(names(&out), ["a.csv", "b.xlsx", "manifest.json"]);
        assert_eq!(names(tmp.path()), ["2025-06"], "the staged files are removed");
    }

    #[test]
    fn a_dead_runs_placing_folder_is_kept_if_it_was_exchanged_out() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        manifest(&out);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        // Killed after the exchange: the placing folder is the previous
        // `<out>`, the inode in its name its own.
        let tmp_name = tmp.path().join("x");
        std::fs::create_dir(&tmp_name).unwrap();
        manifest(&tmp_name);
        std::fs::write(tmp_name.join("old.csv"), "old").unwrap();
        let ino = inode(&std::fs::metadata(&tmp_name).unwrap());
        let exchanged = tmp.path().join(format!(".out.placing-{dead}-{ino}"));
        std::fs::rename(&tmp_name, &exchanged).unwrap();
        // Killed before the exchange: staged files, another folder's inode.
        let staged = tmp.path().join(format!(".out.placing-{dead}-{}", ino + 1));
        std::fs::create_dir(&staged).unwrap();
        manifest(&staged);
        drop(StagedFolder::new(&out, None).unwrap());
        assert_eq!(names(tmp.path()), ["out", "out.replaced-1"]);
        assert_eq!(names(&tmp.path().join("out.replaced-1")), ["manifest.json", "old.csv"]);
    }
}
