//! Crash safety (issues 9 and 19, SPEC §4, §5 as amended): a run SIGKILLed at
//! each stage boundary — `read`, `write`, `commit` (all staged, ledger not
//! committed), `swap` (committed, folder not swapped in), `mark` (swapped in,
//! not marked placed) — leaves the earlier outputs and ledger, or a committed
//! period not yet placed; the next run of the period restores outputs that
//! equal the ledger. SIGTERM / SIGINT clean up and exit 143 / 130. Outputs
//! are 0640. The kill points come from the `PAYRUN_PAUSE_AT` test seam
//! (src/pipeline.rs).

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};
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
    Inputs {
        roster: root().join("samples/2025-06/roster.xlsx"),
        expenses: root().join("samples/2025-06/expenses.xlsx"),
    }
}

fn run_command(inputs: &Inputs, out: &Path, state: &Path) -> Command {
    run_period_command("2025-06", inputs, out, state)
}

fn run_period_command(period: &str, inputs: &Inputs, out: &Path, state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_payrun"));
    cmd.current_dir(root()).args(["run", "--quiet", "--period", period, "--roster"]);
    cmd.arg(&inputs.roster).arg("--expenses").arg(&inputs.expenses);
    cmd.arg("--out").arg(out).arg("--state").arg(state);
    cmd
}

fn run_to_end(inputs: &Inputs, out: &Path, state: &Path) -> String {
    let o = run_command(inputs, out, state).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stderr(&o)
}

/// Starts a run that pauses at `stage` and waits until it says so.
fn paused_at(stage: &str, inputs: &Inputs, out: &Path, state: &Path) -> std::process::Child {
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
    // Keep reading stderr so that later messages do not block the child.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

/// Starts a run that pauses at `stage`, waits until it says so, and SIGKILLs it.
fn kill_at(stage: &str, inputs: &Inputs, out: &Path, state: &Path) {
    let mut child = paused_at(stage, inputs, out, state);
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

/// Files and folders beside `out` other than `out` itself: staging folders
/// (hidden) and kept previous folders.
fn siblings(out: &Path) -> BTreeSet<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&name) && *n != name)
        .collect()
}

/// The period's row of the ledger's `runs` table: (placed, manifest).
fn ledger_run(state: &Path, period: &str) -> Option<(bool, serde_json::Value)> {
    // Read-write: a killed run's journal is rolled back on the first read.
    let conn = rusqlite::Connection::open(state.join(payrun::ledger::LEDGER_FILE)).unwrap();
    conn.query_row("SELECT placed, manifest_json FROM runs WHERE period = ?1", [period], |r| {
        Ok((r.get::<_, i64>(0)? == 1, r.get::<_, String>(1)?))
    })
    .ok()
    .map(|(placed, json)| (placed, serde_json::from_str(&json).unwrap()))
}

/// The output folder agrees with itself and with the ledger: it holds
/// exactly the files its manifest lists, the manifest (less timings) is the
/// one the ledger committed, and the run is marked placed.
fn assert_outputs_equal_ledger(out: &Path, state: &Path, period: &str) {
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: BTreeSet<String> =
        manifest["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let present: BTreeSet<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(present, listed, "the folder holds exactly its manifest's files");
    manifest.as_object_mut().unwrap().remove("timings_ms");
    let (placed, committed) = ledger_run(state, period).expect("the period is committed");
    assert_eq!(manifest, committed, "outputs and ledger are the same run");
    assert!(placed, "the run is marked placed");
}

/// The CSVs of a folder, which a re-run reproduces byte for byte.
/// The CSVs without the corrections files a re-run of a placed period adds.
fn without_corrections(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    for file in ["corrections.csv", "payroll-batch-corrections.csv", "payroll-batch-corrections-controls.csv"]
    {
        assert!(files.remove(file).is_some(), "{file}");
    }
    files
}

fn csvs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    outputs(dir).into_iter().filter(|(n, _)| n.ends_with(".csv")).collect()
}

#[test]
fn a_kill_at_each_stage_boundary_is_repaired_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, state, scratch) = (tmp.path().join("out"), tmp.path().join("state"), tmp.path().join("export"));

    // An earlier, complete run of the period.
    run_to_end(&fixtures(), &out, &state);
    assert_private(&out);
    assert_outputs_equal_ledger(&out, &state, "2025-06");
    let before_outputs = outputs(&out);
    let before_ledger = ledger_export(&state, &scratch);

    // What a complete run of the new inputs writes (on an equally empty history).
    let reference = tmp.path().join("reference");
    run_to_end(&samples(), &reference, &tmp.path().join("reference-state"));
    let expected = csvs(&reference);

    // Killed before the commit: the earlier outputs and ledger stand, whole;
    // the ledger can be read at once (a killed transaction's journal is
    // rolled back by the reader).
    for stage in ["read", "write", "commit"] {
        kill_at(stage, &samples(), &out, &state);
        assert_eq!(outputs(&out), before_outputs, "outputs changed after a kill at {stage}");
        assert_eq!(ledger_export(&state, &scratch), before_ledger, "ledger changed after a kill at {stage}");
        // Only a hidden staging folder of the dead run is left beside it.
        assert!(siblings(&out).iter().all(|n| n.starts_with(".out.staging-")), "{:?}", siblings(&out));
    }

    // Killed after the commit, before the swap: the ledger has the new
    // period, not marked placed; the folder is still the earlier run's.
    kill_at("swap", &samples(), &out, &state);
    assert_eq!(outputs(&out), before_outputs);
    assert_eq!(ledger_run(&state, "2025-06").map(|r| r.0), Some(false));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("2025-06 (not placed"), "{show:?}");
    // No later period runs on it until it is placed...
    let later = run_period_command("2025-07", &samples(), &tmp.path().join("july"), &state).output().unwrap();
    assert_eq!(code(&later), 2, "{}", stderr(&later));
    assert!(stderr(&later).contains("run 2025-06 again first"), "{}", stderr(&later));
    assert!(!tmp.path().join("july").exists());
    // ...and the next run of it reproduces the outputs, clearing the dead runs' staging.
    let note = run_to_end(&samples(), &out, &state);
    assert!(note.contains("this run reproduces them"), "{note}");
    // The earlier run (other inputs) was placed: this one also corrects it (SPEC §7.2).
    let mut reproduced = csvs(&out);
    for file in ["corrections.csv", "payroll-batch-corrections.csv", "payroll-batch-corrections-controls.csv"]
    {
        assert!(reproduced.remove(file).is_some(), "{file}");
    }
    assert_eq!(reproduced, expected);
    assert_outputs_equal_ledger(&out, &state, "2025-06");
    assert_private(&out);
    let kept = tmp.path().join("out.replaced-1");
    assert_eq!(outputs(&kept), before_outputs, "the previous folder is kept whole");
    assert_eq!(siblings(&out), BTreeSet::from(["out.replaced-1".to_string()]));

    // Killed after the swap, before the mark: the new folder is in place but
    // not marked; the next run marks it (reproducing identical files).
    // (Re-runs of the placed period also write their corrections files.)
    kill_at("mark", &samples(), &out, &state);
    assert_eq!(without_corrections(csvs(&out)), expected);
    assert_eq!(ledger_run(&state, "2025-06").map(|r| r.0), Some(false));
    run_to_end(&samples(), &out, &state);
    assert_eq!(without_corrections(csvs(&out)), expected);
    assert_outputs_equal_ledger(&out, &state, "2025-06");
    assert!(!state.join(payrun::ledger::LOCK_FILE).exists());
}

/// A run whose folder vanished between the two renames of the swap (a kill
/// there) has no `<out>` at all; the next run puts it back.
#[test]
fn a_missing_output_folder_of_a_committed_period_is_reproduced() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, state) = (tmp.path().join("out"), tmp.path().join("state"));
    kill_at("mark", &fixtures(), &out, &state);
    std::fs::remove_dir_all(&out).unwrap();
    run_to_end(&fixtures(), &out, &state);
    assert_outputs_equal_ledger(&out, &state, "2025-06");
}

/// SIGTERM and SIGINT (SPEC §4.4): the run removes its staging folder and
/// lock note, says so, and exits 143 / 130; outputs and ledger unchanged.
#[test]
fn sigterm_and_sigint_clean_up_and_exit_143_and_130() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, state, scratch) = (tmp.path().join("out"), tmp.path().join("state"), tmp.path().join("export"));
    run_to_end(&fixtures(), &out, &state);
    let before_outputs = outputs(&out);
    let before_ledger = ledger_export(&state, &scratch);
    for (signal, stage, exit) in [("TERM", "write", 143), ("INT", "read", 130), ("TERM", "commit", 143)] {
        let child = paused_at(stage, &samples(), &out, &state);
        let pid = child.id().to_string();
        assert!(Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap().success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(exit), "SIG{signal} at {stage}");
        assert!(siblings(&out).is_empty(), "SIG{signal} at {stage} left {:?}", siblings(&out));
        assert!(!state.join(payrun::ledger::LOCK_FILE).exists(), "lock note left");
        assert_eq!(outputs(&out), before_outputs);
        assert_eq!(ledger_export(&state, &scratch), before_ledger);
    }
    // The lock was released: the next run goes ahead.
    run_to_end(&samples(), &out, &state);
}

/// SPEC §12.5: `ledger show` and `ledger export` while a large run holds the
/// ledger — its period's transaction filled and spilled into the write-ahead
/// log, not committed — answer at once from the last committed state
/// (exit 0), not after a wait ending in exit 8; the run, killed there,
/// leaves that state, and runs again.
#[test]
fn ledger_show_and_export_during_a_large_run_read_the_last_committed_state() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    run_to_end(&samples(), &tmp.path().join("june"), &state);
    let big = tmp.path().join("in-07");
    let o = payrun(&[
        "sample",
        "--staff",
        "2000",
        "--lines",
        "60000",
        "--seed",
        "3",
        "--period",
        "2025-07",
        "--out",
        &big.display().to_string(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let inputs = Inputs { roster: big.join("roster.xlsx"), expenses: big.join("expenses.xlsx") };
    let out = tmp.path().join("july");
    let mut child = {
        let mut cmd = run_period_command("2025-07", &inputs, &out, &state);
        cmd.arg("--no-xlsx");
        let mut child = cmd
            .env("PAYRUN_PAUSE_AT", "commit")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        assert!(lines.any(|l| l.is_ok_and(|l| l == "payrun: paused at commit")), "the run pauses at commit");
        std::thread::spawn(move || lines.for_each(drop));
        child
    };
    let wal = std::fs::metadata(state.join("ledger.sqlite-wal")).map(|m| m.len()).unwrap_or(0);
    assert!(wal > 2 << 20, "the run's uncommitted pages are in the log ({wal} bytes)");
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    let text = String::from_utf8_lossy(&show.stdout).into_owned();
    assert!(text.contains("committed periods: 2025-06\n"), "{text}");
    let exported = ledger_export(&state, &tmp.path().join("export"));
    let runs = String::from_utf8_lossy(&exported["runs.csv"]).into_owned();
    assert!(runs.contains("2025-06") && !runs.contains("2025-07"), "{runs}");
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("committed periods: 2025-06\n"));
    let again = run_period_command("2025-07", &inputs, &out, &state).arg("--no-xlsx").output().unwrap();
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("committed periods: 2025-06, 2025-07"));
}
