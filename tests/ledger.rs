//! The ledger end to end (SPEC §5, §6.3 rule 17, §6.8 rule 47, §4.4 exit 4):
//! idempotent re-runs, the --rerun guard, the run lock, `ledger show` and
//! `ledger export`.

use crate::common::*;
use payrun::ledger::{Ledger, LOCK_FILE};
use std::path::Path;
use std::process::Output;

fn run_in(period: &str, out: &Path, state: &Path, extra: &[&str]) -> Output {
    run_with(period, &fixture("ingest/expenses.xlsx"), out, state, extra)
}

fn run_with(period: &str, expenses: &Path, out: &Path, state: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run".to_string(),
        "--quiet".into(),
        "--period".into(),
        period.into(),
        "--roster".into(),
        fixture("ingest/roster.xlsx").display().to_string(),
        "--expenses".into(),
        expenses.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        state.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    payrun(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `ledger export` into `dir`, returned as (file name, bytes), sorted.
fn export(state: &Path, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let out = payrun(&[
        "ledger",
        "export",
        "--out",
        &dir.display().to_string(),
        "--state",
        &state.display().to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    files(dir, "csv")
}

fn files(dir: &Path, ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    all.sort();
    all
}

#[test]
fn the_same_period_twice_gives_identical_outputs_and_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let first = run_in("2025-06", &tmp.path().join("out1"), &state, &[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(state.join("ledger.sqlite").is_file());
    assert!(!state.join(LOCK_FILE).exists(), "the lock is released after the run");
    let ledger1 = export(&state, &tmp.path().join("export1"));

    let second = run_in("2025-06", &tmp.path().join("out2"), &state, &[]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    let ledger2 = export(&state, &tmp.path().join("export2"));

    let outputs1 = files(&tmp.path().join("out1"), "csv");
    assert_eq!(outputs1.len(), 10);
    // The second run also writes its (empty) corrections (SPEC §7.2).
    let mut outputs2 = files(&tmp.path().join("out2"), "csv");
    let corrections: Vec<String> = outputs2
        .iter()
        .filter(|(n, _)| n.contains("correction"))
        .map(|(n, b)| format!("{n}: {}", String::from_utf8_lossy(b).lines().count()))
        .collect();
    assert_eq!(
        corrections,
        [
            "corrections.csv: 1",
            "payroll-batch-corrections-controls.csv: 3",
            "payroll-batch-corrections.csv: 1"
        ]
    );
    outputs2.retain(|(n, _)| !n.contains("correction"));
    assert_eq!(outputs1, outputs2, "output CSVs differ");
    // The same ledger, but for the stored manifest of the re-run saying what
    // it corrected (nothing) and listing its corrections files (SPEC §7.2).
    let without_corrections = |export: &[(String, Vec<u8>)]| -> Vec<(String, String)> {
        export
            .iter()
            .map(|(name, bytes)| {
                let text = String::from_utf8_lossy(bytes).into_owned();
                if name != "runs.csv" {
                    return (name.clone(), text);
                }
                let mut csv = csv::Reader::from_reader(text.as_bytes());
                let rows: Vec<String> = csv
                    .records()
                    .map(|r| {
                        let r = r.unwrap();
                        let mut m: serde_json::Value = serde_json::from_str(&r[1]).unwrap();
                        let map = m.as_object_mut().unwrap();
                        map.remove("corrects");
                        map.remove("outputs");
                        format!("{} {} {m}", &r[0], r.iter().skip(2).collect::<Vec<_>>().join(","))
                    })
                    .collect();
                (name.clone(), rows.join("\n"))
            })
            .collect()
    };
    assert_eq!(without_corrections(&ledger1), without_corrections(&ledger2), "ledger export differs");

    // The ledger holds the six paid lines of EXPECTED.md and one run.
    let paid = &ledger1.iter().find(|(n, _)| n == "paid_lines.csv").unwrap().1;
    assert_eq!(String::from_utf8_lossy(paid).lines().count(), 1 + 6);
    let runs = &ledger1.iter().find(|(n, _)| n == "runs.csv").unwrap().1;
    assert_eq!(String::from_utf8_lossy(runs).lines().count(), 1 + 1);
}

/// What DUP002 of a later period reads: the History the next run gets,
/// checked directly (tests/acceptance_ledger.rs runs DUP002 itself).
#[test]
fn the_next_period_sees_this_periods_paid_lines_and_this_period_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    assert_eq!(code(&run_in("2025-06", &tmp.path().join("out"), &state, &[])), 0);
    let ledger = Ledger::open_read_only(&state).unwrap();
    assert_eq!(ledger.latest_period().unwrap().as_deref(), Some("2025-06"));
    let july = ledger.history(chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()).unwrap();
    assert_eq!(july.paid_keys.len(), 6);
    for (claim, line) in [("C1001", 1), ("C1004", 1), ("C1005", 3), ("C1007", 2), ("C1009", 1), ("C1010", 1)]
    {
        assert!(july.is_paid(claim, line), "{claim}/{line}");
    }
    assert!(!july.is_paid("C1007", 1), "a deferred line is not paid");
    assert!(!july.is_paid("C1009", 2), "a rejected line is not paid");
    let june = ledger.history(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()).unwrap();
    assert!(june.paid_keys.is_empty(), "a run never sees its own period");
}

#[test]
fn an_earlier_period_needs_rerun_and_then_names_the_later_periods() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let july = run_in("2025-07", &tmp.path().join("july"), &state, &[]);
    assert_eq!(code(&july), 0, "{}", stderr(&july));

    let refused = run_in("2025-06", &tmp.path().join("june"), &state, &[]);
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    let msg = stderr(&refused);
    for part in ["2025-06", "2025-07", "--rerun", "year-to-date"] {
        assert!(msg.contains(part), "{part} not in: {msg}");
    }
    assert!(!tmp.path().join("june/decisions.csv").exists(), "a refused run writes nothing");
    assert!(!state.join(LOCK_FILE).exists());

    let rerun = run_in("2025-06", &tmp.path().join("june"), &state, &["--rerun"]);
    assert_eq!(code(&rerun), 0, "{}", stderr(&rerun));
    let msg = stderr(&rerun);
    assert!(msg.contains("2025-07") && msg.contains("re-run"), "{msg}");
    assert!(tmp.path().join("june/decisions.csv").is_file());
    let ledger = Ledger::open_read_only(&state).unwrap();
    assert_eq!(ledger.periods().unwrap(), vec!["2025-06", "2025-07"]);

    // Re-running the latest period itself needs no --rerun and reports nothing.
    let again = run_in("2025-07", &tmp.path().join("july"), &state, &[]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(!stderr(&again).contains("need a re-run"));
}

/// The lock is an OS lock on the ledger file (issue 19 point 4): a lock note
/// naming a live process that is not a payrun run, or a dead one, does not
/// block; the run replaces the note with its own pid and removes it after.
#[test]
fn a_lock_note_naming_another_process_does_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let mut holder = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    std::fs::write(state.join(LOCK_FILE), format!("{}\n", holder.id())).unwrap();
    let out = run_in("2025-06", &tmp.path().join("out"), &state, &[]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!state.join(LOCK_FILE).exists(), "the run removed the note after it");
    assert!(tmp.path().join("out/decisions.csv").is_file());
}

#[test]
fn a_run_that_fails_before_its_outputs_leaves_the_ledger_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    assert_eq!(code(&run_in("2025-06", &tmp.path().join("out"), &state, &[])), 0);
    let before = export(&state, &tmp.path().join("before"));
    let junk = tmp.path().join("junk.xlsx");
    std::fs::write(&junk, b"not a workbook").unwrap();
    let failed = run_with("2025-07", &junk, &tmp.path().join("bad"), &state, &[]);
    assert_eq!(code(&failed), 3, "{}", stderr(&failed));
    assert_eq!(before, export(&state, &tmp.path().join("after")));
    assert!(!state.join(LOCK_FILE).exists());

    // --fail-on exits 6 after writing the outputs: the period is committed.
    let strict = run_in("2025-07", &tmp.path().join("strict"), &state, &["--fail-on", "warning"]);
    assert_eq!(code(&strict), 6, "{}", stderr(&strict));
    let ledger = Ledger::open_read_only(&state).unwrap();
    assert_eq!(ledger.latest_period().unwrap().as_deref(), Some("2025-07"));
}

#[test]
fn ledger_show_prints_figures_per_employee_and_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let state_arg = state.display().to_string();
    let none = payrun(&["ledger", "show", "--state", &state_arg]);
    assert_eq!(code(&none), 2, "no ledger yet: {}", stderr(&none));

    assert_eq!(code(&run_in("2025-06", &tmp.path().join("out"), &state, &[])), 0);
    let out = payrun(&["ledger", "show", "--state", &state_arg]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for part in
        ["committed periods: 2025-06", "a run of 2025-07", "financial year 2025/26", "sr_miles_fy2025"]
    {
        assert!(text.contains(part), "{part} not in:\n{text}");
    }
    for a in ["E1001", "E1002", "E1003", "E1004"] {
        assert!(text.lines().any(|l| l.starts_with(a)), "{a} not in:\n{text}");
    }
    // E1001 was paid C1001/1 and C1009/1.
    let e1001 = text.lines().find(|l| l.starts_with("E1001")).unwrap();
    assert_eq!(e1001.split_whitespace().nth(1), Some("2"), "{e1001}");

    let one = payrun(&["ledger", "show", "--state", &state_arg, "--assignment", "E1002"]);
    assert_eq!(code(&one), 0);
    let text = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(text.lines().any(|l| l.starts_with("E1002")) && !text.contains("E1001"), "{text}");

    // The figures a run of June itself starts from: nothing.
    let june = payrun(&["ledger", "show", "--state", &state_arg, "--period", "2025-06"]);
    assert!(String::from_utf8_lossy(&june.stdout).contains("no entries"));
}

/// Two real runs on one state folder: the first, held mid-run by the
/// `PAYRUN_PAUSE_AT` seam, owns the lock; the second exits 4 at once.
#[test]
fn two_real_concurrent_runs_one_gets_exit_4() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_payrun"))
        .current_dir(root())
        .env("PAYRUN_PAUSE_AT", "write")
        .args(["run", "--quiet", "--period", "2025-06", "--roster"])
        .arg(fixture("ingest/roster.xlsx"))
        .arg("--expenses")
        .arg(fixture("ingest/expenses.xlsx"))
        .arg("--out")
        .arg(tmp.path().join("out1"))
        .arg("--state")
        .arg(&state)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first run says it is paused (it holds the lock by then).
    let mut lines = BufReader::new(first.stderr.take().unwrap()).lines();
    let paused = lines.by_ref().map_while(Result::ok).any(|l| l.contains("paused at write"));
    assert!(paused, "the first run did not reach its pause");
    let second = run_in("2025-06", &tmp.path().join("out2"), &state, &[]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(code(&second), 4, "{}", stderr(&second));
    assert!(stderr(&second).contains(&format!("pid {}", first.id())), "{}", stderr(&second));
}
