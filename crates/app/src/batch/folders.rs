//! One ledger per organisation, one output folder per run (SPEC §12.4):
//! before anything runs, every organisation's `out` and `state` are resolved
//! to where they really are (`..` and symlinks resolved), and two
//! organisations whose folders are the same, or one inside the other, stop
//! the batch (exit 2). Otherwise the second organisation would be taken as a
//! re-run of the first's period on the first's ledger, or the two runs would
//! replace each other's output folder.

use super::plan::OrgPlan;
use crate::files::paths::{nested, resolve};
use std::path::{Path, PathBuf};

/// One folder an organisation's run owns.
struct Owned<'p> {
    code: &'p str,
    key: &'static str,
    written: &'p Path,
    real: PathBuf,
}

impl Owned<'_> {
    /// "RP5's state /plans/state/RP5/.. (= /plans/state)".
    fn describe(&self) -> String {
        if self.written == self.real {
            format!("{}'s {} {}", self.code, self.key, self.real.display())
        } else {
            format!("{}'s {} {} (= {})", self.code, self.key, self.written.display(), self.real.display())
        }
    }
}

/// Every pair of folders of two different organisations that are the same
/// or nested, named with both organisations and both paths.
pub fn refuse_shared(orgs: &[OrgPlan]) -> Result<(), String> {
    let owned: Vec<Owned> = orgs
        .iter()
        .flat_map(|org| {
            [("out", org.out.as_path()), ("state", org.state.as_path())].map(|(key, written)| Owned {
                code: &org.code,
                key,
                written,
                real: resolve(written),
            })
        })
        .collect();
    let mut clashes = Vec::new();
    for (i, a) in owned.iter().enumerate() {
        for b in owned[i + 1..].iter().filter(|b| b.code != a.code) {
            if !nested(&a.real, &b.real) {
                continue;
            }
            let how = if a.real == b.real {
                "is the same folder as"
            } else if a.real.starts_with(&b.real) {
                "is inside"
            } else {
                "contains"
            };
            clashes.push(format!("{} {how} {}", a.describe(), b.describe()));
        }
    }
    if clashes.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}; each organisation needs its own ledger (state) and output folder (out), \
         neither inside another's — nothing was run",
        clashes.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(code: &str, out: &Path, state: &Path) -> OrgPlan {
        OrgPlan {
            code: code.into(),
            roster: PathBuf::from("r"),
            expenses: vec![PathBuf::from("e")],
            config: None,
            out: out.to_path_buf(),
            state: state.to_path_buf(),
        }
    }

    #[test]
    fn separate_folders_pass_and_each_kind_of_sharing_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let own =
            |code: &str| org(code, &t.join(format!("out/{code}/2025-06")), &t.join(format!("state/{code}")));
        assert_eq!(refuse_shared(&[own("RP5"), own("R1H")]), Ok(()));
        // A common prefix of characters is not nesting.
        let rp50 = org("RP50", &t.join("out/RP50/2025-06"), &t.join("state/RP50"));
        assert_eq!(refuse_shared(&[own("RP5"), rp50]), Ok(()));

        let up = org("R1H", &t.join("out/R1H/2025-06"), &t.join("state/R1H/.."));
        let state_up = org("RP5", &t.join("out/RP5/2025-06"), &t.join("state/RP5/.."));
        let err = refuse_shared(&[state_up, up]).unwrap_err();
        assert!(err.contains("RP5's state") && err.contains("R1H's state"), "{err}");
        assert!(err.contains("is the same folder as"), "{err}");
        assert!(err.contains(&format!("(= {})", resolve(&t.join("state")).display())), "{err}");

        let inside = org("R1H", &t.join("out/R1H/2025-06"), &t.join("out/RP5/2025-06/ledger"));
        let err = refuse_shared(&[own("RP5"), inside]).unwrap_err();
        assert!(err.contains("RP5's out") && err.contains("contains R1H's state"), "{err}");
    }
}
