//! Where a folder really is, whether or not it exists yet: how `payrun
//! batch` tells that two organisations' folders are one (SPEC §12.4).

use std::path::{Component, Path, PathBuf};

/// `path` as an absolute path with `.`, `..` and symlinks resolved. The
/// longest existing ancestor is resolved by the file system (symlinks
/// followed, `..` taken physically); the part that does not exist yet has no
/// symlinks, so its `.` and `..` are taken as written — except a symlink to
/// a folder not made yet, which is followed to where it points. Where even
/// that fails (an ancestor that cannot be read, a loop of links), the path
/// is made absolute as written.
pub fn resolve(path: &Path) -> PathBuf {
    resolve_within(path, MAX_LINKS)
}

/// Symlinks followed before a path counts as a loop (Linux's own limit).
const MAX_LINKS: u32 = 40;

fn resolve_within(path: &Path, links: u32) -> PathBuf {
    let Ok(absolute) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component> = Vec::new();
    loop {
        let resolved = match existing.canonicalize() {
            Ok(real) => Some(real),
            // A dangling symlink: where it points, resolved in turn.
            Err(_) if links > 0 && existing.is_symlink() => std::fs::read_link(existing).ok().map(|target| {
                let target = existing.parent().map_or(target.clone(), |dir| dir.join(&target));
                resolve_within(&target, links - 1)
            }),
            Err(_) => None,
        };
        if let Some(mut resolved) = resolved {
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::CurDir => {}
                    other => resolved.push(other.as_os_str()),
                }
            }
            return resolved;
        }
        let mut components = existing.components();
        match components.next_back() {
            Some(last @ (Component::Normal(_) | Component::ParentDir | Component::CurDir)) => {
                rest.push(last);
                existing = components.as_path();
            }
            _ => return absolute,
        }
    }
}

/// Whether `a` and `b` (both [`resolve`]d) are the same folder or one is
/// inside the other.
pub fn nested(a: &Path, b: &Path) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_and_symlinks_resolve_whether_the_folder_exists_or_not() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("state/RP5")).unwrap();
        assert_eq!(resolve(&base.join("state/RP5/..")), base.join("state"));
        assert_eq!(resolve(&base.join("state/R1H/..")), base.join("state"), "R1H does not exist");
        assert_eq!(resolve(&base.join("state/./new/deeper/../x")), base.join("state/new/x"));
        std::os::unix::fs::symlink(base.join("state/RP5"), base.join("link")).unwrap();
        assert_eq!(resolve(&base.join("link")), base.join("state/RP5"));
        assert_eq!(resolve(&base.join("link/2025-06")), base.join("state/RP5/2025-06"));
        // `..` after a symlink is the target's parent, as the kernel takes it.
        assert_eq!(resolve(&base.join("link/..")), base.join("state"));
        // A link to a folder not made yet, relative to the link's folder.
        std::os::unix::fs::symlink("state/RP5/later", base.join("ahead")).unwrap();
        assert_eq!(resolve(&base.join("ahead/x")), base.join("state/RP5/later/x"));
        std::os::unix::fs::symlink("loop", base.join("loop")).unwrap();
        assert_eq!(resolve(&base.join("loop/x")), base.join("loop/x"), "a loop stays as written");
        assert!(resolve(Path::new("relative/x")).is_absolute());
    }

    #[test]
    fn nested_is_equal_or_inside_either_way() {
        let (a, b) = (Path::new("/s/RP5"), Path::new("/s/RP5/out"));
        assert!(nested(a, b) && nested(b, a) && nested(a, a));
        assert!(!nested(Path::new("/s/RP5"), Path::new("/s/RP50")), "components, not characters");
    }
}
