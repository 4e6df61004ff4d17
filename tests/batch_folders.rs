//! SPEC §12.4: a batch plan whose organisations would share a ledger or an
//! output folder — through `..`, a symlink, or one folder inside another's —
//! exits 2 naming both organisations and both folders, before anything runs:
//! no ledger, no output folder, no batch summary.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A plan over the ingest fixtures (which run, so a plan that is not
/// refused would create ledgers and outputs), with the given templates.
fn write_plan(dir: &Path, out: &str, state: &str) -> PathBuf {
    let mut text = format!("period = \"2025-06\"\nout = \"{out}\"\nstate = \"{state}\"\njobs = 2\n");
    for code in ["RP5", "R1H"] {
        text.push_str(&format!(
            "\n[[org]]\ncode = \"{code}\"\nroster = \"{}\"\nexpenses = [\"{}\"]\n",
            fixture("ingest/roster.xlsx").display(),
            fixture("ingest/expenses.xlsx").display()
        ));
    }
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn batch(plan: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payrun"))
        .current_dir(plan.parent().unwrap())
        .env_remove("PAYRUN_CONFIG")
        .env_remove("PAYRUN_STATE")
        .args(["batch", "--quiet"])
        .arg(plan)
        .output()
        .unwrap()
}

/// Every file under `dir`, relative, sorted (symlinks not followed).
fn files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Exit 2 naming both organisations and the folder `shared` (relative to
/// the plan's folder, resolved); nothing but what the test made (`before`)
/// is in the plan's folder.
fn assert_refused(o: &Output, dir: &Path, shared: &str, before: &[String]) {
    let err = stderr(o);
    assert_eq!(code(o), 2, "{err}");
    assert!(err.contains("RP5's") && err.contains("R1H's"), "both organisations named: {err}");
    let real = dir.canonicalize().unwrap().join(shared);
    assert!(err.contains(&real.display().to_string()), "{} named: {err}", real.display());
    assert!(err.contains("nothing was run"), "{err}");
    assert_eq!(files(dir), before, "nothing was created: no ledger, no outputs, no summary");
    assert!(!dir.join("out").exists(), "no output folder");
}

#[test]
fn a_state_shared_through_dot_dot_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plan = write_plan(dir, "out/{org}/{period}", "state/{org}/..");
    let o = batch(&plan);
    assert_refused(&o, dir, "state", &["plan.toml".to_string()]);
    let err = stderr(&o);
    assert!(err.contains("RP5's state") && err.contains("is the same folder as R1H's state"), "{err}");
    assert!(err.contains("state/RP5/.."), "the path as written is named too: {err}");
    assert!(!dir.join("state").exists());
}

#[test]
fn a_state_shared_through_a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("state/RP5")).unwrap();
    std::os::unix::fs::symlink("RP5", dir.join("state/R1H")).unwrap();
    let plan = write_plan(dir, "out/{org}/{period}", "state/{org}");
    let o = batch(&plan);
    assert_refused(&o, dir, "state/RP5", &["plan.toml".to_string(), "state/R1H".to_string()]);
    assert!(stderr(&o).contains("is the same folder as"), "{}", stderr(&o));
}

#[test]
fn one_organisations_folder_inside_anothers_is_refused() {
    // R1H's state is a link to a folder not made yet inside RP5's output
    // folder (which each run replaces as a whole).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("state")).unwrap();
    std::os::unix::fs::symlink("../out/RP5/ledger", dir.join("state/R1H")).unwrap();
    let plan = write_plan(dir, "out/{org}", "state/{org}");
    let o = batch(&plan);
    let before = ["plan.toml".to_string(), "state/R1H".to_string()];
    let real = dir.canonicalize().unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains(&format!("RP5's out {}", real.join("out/RP5").display()))
            && err.contains(&format!("contains R1H's state {}", real.join("state/R1H").display()))
            && err.contains(&real.join("out/RP5/ledger").display().to_string()),
        "{err}"
    );
    assert_eq!(files(dir), before);
    assert!(!dir.join("out").exists());

    // An output folder inside another organisation's ledger folder, by `..`.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plan = write_plan(dir, "state/{org}/../RP5/out-{org}/{period}", "state/{org}");
    let o = batch(&plan);
    assert_refused(&o, dir, "state/RP5/out-R1H/2025-06", &["plan.toml".to_string()]);
    let err = stderr(&o);
    let rp5_state = dir.canonicalize().unwrap().join("state/RP5");
    assert!(err.contains(&format!("RP5's state {}", rp5_state.display())), "{err}");
    assert!(err.contains("contains R1H's out"), "{err}");
    assert!(!dir.join("state").exists());
}

#[test]
fn separate_folders_still_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Symlinked, but to folders of their own.
    std::fs::create_dir_all(dir.join("real/RP5")).unwrap();
    std::fs::create_dir_all(dir.join("real/R1H")).unwrap();
    std::fs::create_dir_all(dir.join("state")).unwrap();
    for code in ["RP5", "R1H"] {
        std::os::unix::fs::symlink(format!("../real/{code}"), dir.join("state").join(code)).unwrap();
    }
    let o = batch(&write_plan(dir, "out/{org}/{period}", "state/{org}"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for code in ["RP5", "R1H"] {
        assert!(dir.join(format!("real/{code}/ledger.sqlite")).is_file(), "{code}'s own ledger");
        assert!(dir.join(format!("out/{code}/2025-06/manifest.json")).is_file());
    }
}
