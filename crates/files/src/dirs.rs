//! Folders payrun creates hold personal data: `--out` folders are created
//! 0750 and `--state` folders 0700 whatever the umask (issue 19 point 6).
//! Folders that already exist keep the mode their owner gave them.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Mode of an output folder (and of folders created above it).
pub const OUT_MODE: u32 = 0o750;
/// Mode of the state folder holding the ledger.
pub const STATE_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents with `mode`, set explicitly after
/// creation so that the umask cannot widen or narrow it. Returns the folders
/// it created, outermost first.
pub fn create_private_dir(dir: &Path, mode: u32) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d);
        at = d.parent();
    }
    let mut created = Vec::new();
    for d in missing.into_iter().rev() {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(mode);
        }
        match builder.create(d) {
            Ok(()) => {
                set_mode(d, mode)?;
                created.push(d.to_path_buf());
            }
            // Created by someone else in the meantime: theirs to mode.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(Error::io(d, e)),
        }
    }
    if !dir.is_dir() {
        return Err(Error::Write(format!("{}: exists and is not a folder", dir.display())));
    }
    Ok(created)
}

fn set_mode(dir: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(dir, e))?;
    }
    let _ = (dir, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_folders_get_the_mode_asked_and_existing_ones_keep_theirs() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        let created = create_private_dir(&deep, STATE_MODE).unwrap();
        assert_eq!(created, [tmp.path().join("a"), tmp.path().join("a/b"), deep.clone()]);
        for d in [tmp.path().join("a"), tmp.path().join("a/b"), deep.clone()] {
            assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700, "{d:?}");
        }
        std::fs::set_permissions(&deep, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(create_private_dir(&deep, OUT_MODE).unwrap().is_empty());
        assert_eq!(std::fs::metadata(&deep).unwrap().permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn a_file_in_the_way_is_a_write_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(create_private_dir(&file, OUT_MODE).unwrap_err().exit_code(), 8);
        assert_eq!(create_private_dir(&file.join("below"), OUT_MODE).unwrap_err().exit_code(), 8);
    }
}
