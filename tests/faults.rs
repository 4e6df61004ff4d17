//! Fault drills of issue 19 as an operator's bad day goes: full disks on
//! `--out` and `--state`, a read-only ledger, refused ledger files, a umask
//! of 000, a closed pipe, mistyped periods, and undoing a period.
//!
//! Full disks are real: a small tmpfs (mounting needs root, as CI runs; a
//! test fails where it cannot mount), and a file-size limit (`ulimit -f`, which fails writes with EFBIG
//! like a full disk fails them with ENOSPC) — no seam in the product.
//! docs/fuzzing.md says which runs where.

use crate::common::tmpfs::Tmpfs;
use crate::common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn samples_args(out: &Path, state: &Path) -> Vec<String> {
    let mut args: Vec<String> =
        ["run", "--quiet", "--period", "2025-06", "--roster"].map(String::from).into();
    args.push(root().join("samples/2025-06/roster.xlsx").display().to_string());
    args.push("--expenses".into());
    args.push(root().join("samples/2025-06/expenses.xlsx").display().to_string());
    args.extend(["--out".into(), out.display().to_string(), "--state".into(), state.display().to_string()]);
    args
}

/// `payrun` under `sh -c` with a shell prefix (`ulimit -f N`, `umask 000`).
fn payrun_under(prefix: &str, args: &[String]) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    // SIGXFSZ ignored: a write past the limit then fails with EFBIG, as a
    // full disk fails with ENOSPC, instead of killing the process.
    let script =
        format!("trap '' XFSZ; {prefix}; exec '{}' {}", env!("CARGO_BIN_EXE_payrun"), quoted.join(" "));
    Command::new("sh").current_dir(root()).args(["-c", &script]).output().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn committed_periods(state: &Path) -> Vec<String> {
    payrun::ledger::Ledger::open_read_only(state).map(|l| l.periods().unwrap()).unwrap_or_default()
}

/// Exit 8, a message naming the failed write, no panic, nothing under the
/// final name, no staging folder left, the ledger without the period.
fn assert_write_failure(o: &Output, out: &Path, state: &Path, what: &str) {
    let err = stderr(o);
    assert_eq!(code(o), 8, "{what}: {err}");
    assert!(err.contains("cannot write") || err.contains("disk is full"), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!out.exists(), "{what}: {} was put in place", out.display());
    let parent = out.parent().unwrap();
    assert!(names(parent).iter().all(|n| !n.contains(".staging-")), "{what}: {:?}", names(parent));
    assert!(committed_periods(state).is_empty(), "{what}: the ledger changed");
}

/// Issue 19 point 1: the samples on an 800 KB `--out` — not everything fits
/// (a CSV or a workbook fails first), and rust_xlsxwriter's panic on a
/// workbook's limit becomes exit 8.
#[test]
fn a_full_disk_under_out_is_exit_8_with_nothing_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = Tmpfs::mount("800k");
    let (out, state) = (fs.path().join("2025-06"), tmp.path().join("state"));
    let o = payrun(&samples_args(&out, &state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_write_failure(&o, &out, &state, "tmpfs --out");
    // The CSVs and the workbooks are written at the same time (issue 17):
    // whichever meets the full disk first is named. The workbook writer's
    // contained panic is pinned by the per-file limit below.
    let err = stderr(&o);
    assert!(err.contains("cannot write the workbooks") || err.contains(".csv: No space"), "{err}");
    assert!(names(fs.path()).is_empty(), "{:?}", names(fs.path()));
    // Every file limited to 320 KB: the CSVs fit (exceptions.csv, the largest, is
    // 287 KB), a workbook's sheet does not.
    let (out, state) = (tmp.path().join("limited"), tmp.path().join("limited-state"));
    let o = payrun_under("ulimit -f 640", &samples_args(&out, &state));
    assert_write_failure(&o, &out, &state, "ulimit -f");
    assert!(stderr(&o).contains("cannot write the workbooks"), "{}", stderr(&o));
    // Smaller still: a CSV fails first, the same way.
    let o = payrun_under("ulimit -f 200", &samples_args(&out, &state));
    assert_write_failure(&o, &out, &state, "ulimit -f (csv)");
    assert!(stderr(&o).contains("decisions.csv"), "{}", stderr(&o));
    // And with room, the same run completes.
    let o = payrun(&samples_args(&out, &state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A full `--state`: the period's transaction cannot be committed, so
/// nothing is put in place and the ledger is as it was.
#[test]
fn a_full_state_disk_is_exit_8_with_nothing_in_place() {
    let fs = Tmpfs::mount("200k");
    let tmp = tempfile::tempdir().unwrap();
    let (out, state) = (tmp.path().join("2025-06"), fs.path().join("state"));
    let o = payrun(&samples_args(&out, &state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_write_failure(&o, &out, &state, "tmpfs --state");
    assert!(stderr(&o).contains(&state.join("ledger.sqlite").display().to_string()), "{}", stderr(&o));
}

/// A read-only ledger fails before any input is read or output written
/// (exit 8), and can still be shown.
#[test]
fn a_read_only_ledger_is_exit_8_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    // Root ignores file modes: a read-only mount is the way to a read-only ledger.
    let fs = Tmpfs::mount("4m");
    let state = fs.path().join("state");
    let first = run_period_with_state(&tmp.path().join("june"), &state, "2025-06");
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    fs.remount("ro");
    let out = tmp.path().join("july");
    let o = run_period_with_state(&out, &state, "2025-07");
    assert_eq!(code(&o), 8, "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert!(!out.exists() && names(tmp.path()).iter().all(|n| !n.contains("staging")));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    assert!(String::from_utf8_lossy(&show.stdout).contains("committed periods: 2025-06"));
    fs.remount("rw");
}

fn run_period_with_state(out: &Path, state: &Path, period: &str) -> Output {
    payrun(&[
        "run",
        "--quiet",
        "--period",
        period,
        "--roster",
        &fixture("ingest/roster.xlsx").display().to_string(),
        "--expenses",
        &fixture("ingest/expenses.xlsx").display().to_string(),
        "--out",
        &out.display().to_string(),
        "--state",
        &state.display().to_string(),
    ])
}

/// Issue 19 point 5: a ledger file that is empty, not SQLite or not
/// payrun's is refused naming it (exit 3), for runs and readers alike; a
/// new ledger is created only where none exists, and stderr says so.
#[test]
fn refused_ledger_files_are_exit_3_and_a_new_ledger_is_announced() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let first = payrun(&[
        "run",
        "--period",
        "2025-06",
        "--roster",
        &fixture("ingest/roster.xlsx").display().to_string(),
        "--expenses",
        &fixture("ingest/expenses.xlsx").display().to_string(),
        "--out",
        &tmp.path().join("out").display().to_string(),
        "--state",
        &state.display().to_string(),
    ]);
    assert_eq!(code(&first), 0);
    assert!(stderr(&first).contains("created a new one"), "{}", stderr(&first));
    let again = run_period_with_state(&tmp.path().join("out"), &state, "2025-06");
    assert!(!stderr(&again).contains("created a new one"));

    let ledger = state.join("ledger.sqlite");
    for (bytes, why) in
        [(&b""[..], "empty (0 bytes)"), (&b"not a database at all, honest"[..], "not an SQLite")]
    {
        std::fs::write(&ledger, bytes).unwrap();
        let out = tmp.path().join("refused");
        let o = run_period_with_state(&out, &state, "2025-06");
        assert_eq!(code(&o), 3, "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&ledger.display().to_string()) && stderr(&o).contains(why),
            "{}",
            stderr(&o)
        );
        assert!(!out.exists());
        assert_eq!(std::fs::read(&ledger).unwrap(), bytes, "the file is left as it was");
        let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
        assert_eq!(code(&show), 3, "{}", stderr(&show));
    }
}

/// Issue 19 point 6: folders created 0750 (`--out`) and 0700 (`--state`)
/// whatever the umask; files 0640.
#[test]
fn folders_are_private_under_umask_000() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, state) = (tmp.path().join("a/b/2025-06"), tmp.path().join("s/t"));
    let o = payrun_under("umask 000", &samples_args(&out, &state));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for d in [tmp.path().join("a"), tmp.path().join("a/b"), out.clone()] {
        assert_eq!(mode(&d), 0o750, "{}", d.display());
    }
    for d in [tmp.path().join("s"), state.clone()] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    for f in names(&out) {
        assert_eq!(mode(&out.join(&f)), 0o640, "{f}");
    }
    assert_eq!(mode(&state.join("ledger.sqlite")), 0o640);
}

/// Issue 19 point 6: a reader that goes away ends every command quietly.
#[test]
fn a_closed_pipe_ends_commands_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let o =
        payrun(&samples_args(&tmp.path().join("out"), &state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&o), 0);
    let bin = env!("CARGO_BIN_EXE_payrun");
    let state_arg = state.display();
    for command in [format!("ledger show --state '{state_arg}'"), "rules".to_string()] {
        // The reader exits at once; payrun's status is reported on stderr.
        let mut statuses = Vec::new();
        for _ in 0..5 {
            let script = format!("{{ '{bin}' {command}; echo \"status $?\" >&2; }} | head -c0");
            let o = Command::new("sh").current_dir(root()).args(["-c", &script]).output().unwrap();
            let err = stderr(&o);
            assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{command}: {err}");
            statuses.push(err.trim().to_string());
            if err.contains("status 141") {
                break;
            }
        }
        // Killed quietly by SIGPIPE (128 + 13), like any Unix filter.
        assert!(statuses.iter().any(|s| s == "status 141"), "{command}: {statuses:?}");
    }
    // A run whose stderr reader is gone still completes.
    let out = tmp.path().join("piped");
    let args: Vec<String> = samples_args(&out, &tmp.path().join("piped-state"))
        .into_iter()
        .filter(|a| a != "--quiet")
        .map(|a| format!("'{a}'"))
        .collect();
    let script = format!("{{ '{bin}' {} 2>&1; echo \"status $?\" >&3; }} 3>&2 | head -c0", args.join(" "));
    let o = Command::new("sh").current_dir(root()).args(["-c", &script]).output().unwrap();
    assert!(stderr(&o).contains("status 0"), "{}", stderr(&o));
    assert!(out.join("manifest.json").is_file());
}

/// Issue 19 point 6: periods outside 2000-01 … 2099-12, or more than two
/// months after the latest Claims expense_date, are refused (exit 2).
#[test]
fn mistyped_periods_are_exit_2_saying_why() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    for period in ["0000-01", "1999-12", "2100-01", "9999-12"] {
        let o = run_period_with_state(&tmp.path().join("out"), &state, period);
        assert_eq!(code(&o), 2, "{period}: {}", stderr(&o));
        assert!(stderr(&o).contains("outside 2000-01"), "{period}: {}", stderr(&o));
    }
    // The fixture's latest expense_date is 2 June 2025: August is the last period allowed.
    let o = run_period_with_state(&tmp.path().join("sep"), &state, "2025-09");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("more than 2 months after") && stderr(&o).contains("2025-06-02"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("sep").exists());
    assert!(committed_periods(&state).is_empty());
    let o = run_period_with_state(&tmp.path().join("aug"), &state, "2025-08");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Issue 19 point 6: `payrun ledger remove` undoes a period committed by
/// mistake; refused without --yes, and while later periods exist unless
/// --cascade.
#[test]
fn ledger_remove_undoes_periods() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let s = state.display().to_string();
    for (period, out) in [("2025-06", "june"), ("2025-07", "july")] {
        assert_eq!(code(&run_period_with_state(&tmp.path().join(out), &state, period)), 0);
    }
    let unconfirmed = payrun(&["ledger", "remove", "--period", "2025-06", "--state", &s]);
    assert_eq!(code(&unconfirmed), 2);
    assert!(stderr(&unconfirmed).contains("pass --yes"), "{}", stderr(&unconfirmed));
    let later = payrun(&["ledger", "remove", "--period", "2025-06", "--yes", "--state", &s]);
    assert_eq!(code(&later), 2);
    assert!(stderr(&later).contains("2025-07") && stderr(&later).contains("--cascade"), "{}", stderr(&later));
    assert_eq!(committed_periods(&state), ["2025-06", "2025-07"]);
    let one = payrun(&["ledger", "remove", "--period", "2025-07", "--yes", "--state", &s]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    assert_eq!(committed_periods(&state), ["2025-06"]);
    assert_eq!(code(&run_period_with_state(&tmp.path().join("july2"), &state, "2025-07")), 0);
    let all = payrun(&["ledger", "remove", "--period", "2025-06", "--yes", "--cascade", "--state", &s]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    assert!(String::from_utf8_lossy(&all.stdout).contains("2025-06, 2025-07"));
    assert!(committed_periods(&state).is_empty());
    let missing = payrun(&["ledger", "remove", "--period", "2025-06", "--yes", "--state", &s]);
    assert_eq!(code(&missing), 2, "{}", stderr(&missing));
    let nowhere = tmp.path().join("nowhere");
    let o = payrun(&[
        "ledger",
        "remove",
        "--period",
        "2025-06",
        "--yes",
        "--state",
        &nowhere.display().to_string(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(!nowhere.exists(), "no ledger is created to remove from");
}

/// The output folder is replaced as a whole: a `--state` inside it, or an
/// `--out` holding someone else's files, is refused before anything is read.
#[test]
fn out_folders_that_must_not_be_replaced_are_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_period_with_state(&out, &out.join("state"), "2025-06");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is inside --out"), "{}", stderr(&o));
    assert!(!out.exists());
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("notes.txt"), "mine").unwrap();
    let o = run_period_with_state(&home, &tmp.path().join("state"), "2025-06");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not a payrun run's outputs"), "{}", stderr(&o));
    assert_eq!(names(&home), ["notes.txt"]);
    assert!(committed_periods(&tmp.path().join("state")).is_empty());
}
