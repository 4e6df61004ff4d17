//! Crash safety (issue 9, SPEC §4, §5): a run SIGKILLed mid-read, mid-write
//! or just before the ledger commit leaves every output under its final name
//! as the earlier run wrote it and the ledger unchanged (`payrun ledger
//! export` before and after); killed after the commit, before its outputs are
//! placed, the next run of the period puts them in place. Outputs are 0640. The kill
//! points come from the `PAYRUN_PAUSE_AT` test seam (src/pipeline.rs).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Inputs {
    roster: PathBuf,
    expenses: PathBuf,
}

fn fixtures() -> Inputs {
    Inputs { roster: fixture("ingest/roster.xlsx"), expenses: fixture("ingest/expenses.xlsx") }
}

fn samples() -> Inputs {
    Inputs { roster: root().join("samples/roster.xlsx"), expenses: root().join("samples/expenses.xlsx") }
}

fn run_command(inputs: &Inputs, out: &Path, state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_payrun"));
    cmd.current_dir(root()).args(["run", "--quiet", "--period", "2025-06", "--roster"]);
    cmd.arg(&inputs.roster).arg("--expenses").arg(&inputs.expenses);
    cmd.arg("--out").arg(out).arg("--state").arg(state);
    cmd
}

fn run_to_end(inputs: &Inputs, out: &Path, state: &Path) {
    let o = run_command(inputs, out, state).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Starts a run that pauses at `stage`, waits until it says so, and SIGKILLs it.
fn kill_at(stage: &str, inputs: &Inputs, out: &Path, state: &Path) {
    let mut child = run_command(inputs, out, state)
        .env("PAYRUN_PAUSE_AT", stage)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let wanted = format!("payrun: paused at {stage}");
    loop {
        match lines.next() {
            Some(Ok(line)) if line == wanted => break,
            Some(Ok(_)) => continue,
            _ => panic!("run ended before pausing at {stage}: {:?}", child.wait()),
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed at {stage}");
}

/// Every file under its final (non-hidden) name in `dir`, with its bytes.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect()
}

/// `payrun ledger export` of a state folder, as file name → bytes.
fn ledger_export(state: &Path, scratch: &Path) -> BTreeMap<String, Vec<u8>> {
    let _ = std::fs::remove_dir_all(scratch);
    let o = payrun(&[
        "ledger",
        "export",
        "--state",
        &state.display().to_string(),
        "--out",
        &scratch.display().to_string(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    outputs(scratch)
}

fn assert_private(dir: &Path) {
    for name in outputs(dir).keys() {
        let mode = std::fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777;
        // 0640 less whatever the umask removes; never readable by others.
        assert_eq!(mode & !0o640, 0, "{name} has mode {mode:o}");
        assert_eq!(mode & 0o600, 0o600, "{name} has mode {mode:o}");
    }
}

#[test]
fn a_killed_run_leaves_whole_outputs_and_an_unchanged_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, state, scratch) = (tmp.path().join("out"), tmp.path().join("state"), tmp.path().join("export"));

    // An earlier, complete run of the period.
    run_to_end(&fixtures(), &out, &state);
    assert_private(&out);
    let before_outputs = outputs(&out);
    assert!(before_outputs.contains_key("decisions.csv") && before_outputs.contains_key("manifest.json"));
    let before_ledger = ledger_export(&state, &scratch);
    assert!(!before_ledger.is_empty());

    // What a complete run of the new inputs writes (on an equally empty history).
    let reference = tmp.path().join("reference");
    run_to_end(&samples(), &reference, &tmp.path().join("reference-state"));

    // Killed while reading, while writing, and with every output staged just
    // before the ledger commit (SPEC §5: the commit comes before the outputs
    // are put in place): the earlier outputs stand, whole; the ledger is as it was.
    for stage in ["read", "write", "commit"] {
        kill_at(stage, &samples(), &out, &state);
        assert_eq!(outputs(&out), before_outputs, "outputs changed after a kill at {stage}");
        assert_eq!(ledger_export(&state, &scratch), before_ledger, "ledger changed after a kill at {stage}");
    }
    assert_private(&out);

    // Killed after the commit, before the outputs are put in place: the
    // earlier outputs still stand, whole; the next run reproduces the new ones.
    kill_at("place", &samples(), &out, &state);
    assert_eq!(outputs(&out), before_outputs, "outputs changed after a kill at place");
    assert_ne!(ledger_export(&state, &scratch), before_ledger, "the period was committed");
    let expected = outputs(&reference);

    // The killed runs left temporary files under hidden names only.
    let hidden: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.iter().all(|n| n.ends_with(".tmp")), "{hidden:?}");

    // The killed runs' lock is stale: the next run goes ahead and commits,
    // and clears the dead runs' temporary files.
    run_to_end(&samples(), &out, &state);
    let leftovers = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0, "temporary files of killed runs remain");
    assert_ne!(ledger_export(&state, &scratch), before_ledger);
    assert_eq!(outputs(&out).get("decisions.csv"), expected.get("decisions.csv"));
}
