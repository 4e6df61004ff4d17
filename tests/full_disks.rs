//! SPEC §12.5: a full disk exits 8 in every command that writes — `insights`,
//! `run --parquet`, `batch`'s summary, `ledger export` — never 101 (a writer's
//! panic) or 1, with nothing under a final name. Each command is swept over
//! the free space of a real tmpfs, a page at a time from none up to the space
//! where it succeeds, so every file it writes (and every writer's way of
//! failing: an error, rust_xlsxwriter's panics, polars' errors) meets the
//! full disk in turn. Mounting needs root, as CI runs; without it the tests
//! fail rather than pass unchecked.

use crate::common::tmpfs::Tmpfs;
use crate::common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

const PAGE: usize = 4096;

/// The tmpfs every sweep runs on: 2 MiB, of which a filler file takes all
/// but the free space asked for.
struct Disk {
    fs: Tmpfs,
}

impl Disk {
    const SIZE: usize = 2 << 20;

    fn new() -> Disk {
        Disk { fs: Tmpfs::mount(&format!("{}k", Disk::SIZE / 1024)) }
    }

    fn path(&self) -> &Path {
        self.fs.path()
    }

    /// Leaves `free` bytes (whole pages) free, the target folders removed.
    fn free(&self, free: usize, targets: &[&Path]) {
        for t in targets {
            let _ = std::fs::remove_dir_all(t);
        }
        let filler = self.path().join("filler");
        let _ = std::fs::remove_file(&filler);
        std::fs::write(&filler, vec![1u8; Disk::SIZE - free]).unwrap();
    }
}

/// The file a write failure names: `cannot write <path>: …`, its name
/// without the temporary decoration (`.<name>.<pid>.tmp`).
fn file_named(err: &str) -> String {
    let after = err.split("cannot write ").nth(1).unwrap_or_else(|| panic!("no 'cannot write' in: {err}"));
    let path = after.split(": ").next().unwrap_or_default();
    let name = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")).and_then(|n| n.rsplit_once('.')) {
        Some((name, pid)) if pid.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
        _ => name,
    }
}

/// Names in `dir` that are not hidden temporaries: what is under a final name.
fn final_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// What a sweep's failures said: the files named, in order of first
/// failure, and every distinct message.
struct Failures {
    named: Vec<String>,
    messages: BTreeSet<String>,
}

/// Runs `attempt` with 0, 1, 2, … pages free until it exits 0. Every
/// failure must be exit 8 naming the file it could not write, without a
/// panic, and pass `check`; what the success wrote is checked by the caller.
fn sweep(
    what: &str,
    disk: &Disk,
    targets: &[&Path],
    attempt: impl Fn() -> Output,
    check: impl Fn(&str),
) -> Failures {
    let mut named: Vec<String> = Vec::new();
    let mut messages = BTreeSet::new();
    for pages in 0..=Disk::SIZE / PAGE {
        disk.free(pages * PAGE, targets);
        let o = attempt();
        let err = stderr(&o);
        if code(&o) == 0 {
            assert!(named.len() >= 2, "{what}: only {named:?} failed before it fit in {pages} pages");
            return Failures { named, messages };
        }
        let context = format!("{what} with {pages} pages free");
        assert_eq!(code(&o), 8, "{context}: {err}");
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{context}: {err}");
        let file = file_named(&err);
        if !named.contains(&file) {
            named.push(file);
        }
        messages.insert(err.trim().to_string());
        check(&context);
    }
    panic!("{what} never succeeded on {} bytes free", Disk::SIZE);
}

/// Two finished runs (organisations A and B) of the bundled samples, for
/// insights: large enough that the workbook's sheets spill to temporary
/// files, where rust_xlsxwriter panics on a full disk.
fn two_runs(dir: &Path) -> (PathBuf, PathBuf) {
    let runs: Vec<PathBuf> = ["A", "B"]
        .iter()
        .map(|org| {
            let out = dir.join(org);
            let o = payrun(&[
                "run",
                "--quiet",
                "--no-xlsx",
                "--org",
                org,
                "--period",
                "2025-06",
                "--roster",
                "samples/2025-06/roster.xlsx",
                "--expenses",
                "samples/2025-06/expenses.xlsx",
                "--out",
                &out.display().to_string(),
                "--state",
                &dir.join(format!("{org}.state")).display().to_string(),
            ]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            out
        })
        .collect();
    (runs[0].clone(), runs[1].clone())
}

#[test]
fn insights_on_a_full_disk_is_exit_8_for_every_file_and_the_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_runs(tmp.path());
    let disk = Disk::new();
    let out = disk.path().join("insights");
    let args = ["insights", "--quiet", &a.display().to_string(), &b.display().to_string(), "--out"];
    let attempt = || payrun(&[&args[..], &[out.to_str().unwrap()]].concat());
    let failures = sweep("insights", &disk, &[&out], attempt, |context| {
        assert_eq!(final_names(&out), Vec::<String>::new(), "{context}: under a final name");
    });
    // Its CSVs one after another, then the workbook.
    let workbook = "insights-2025-06-2025-06.xlsx";
    let named = &failures.named;
    assert_eq!(named[..2], ["trend.csv", "repeat_patterns.csv"], "{named:?}");
    assert_eq!(named.last().map(String::as_str), Some(workbook), "{named:?}");
    // rust_xlsxwriter's panics were among the workbook's failures, contained.
    let panics = ["Couldn't write to xml file", "called `Result::unwrap()`"];
    assert!(
        failures.messages.iter().any(|m| m.contains(workbook) && panics.iter().any(|p| m.contains(p))),
        "{:#?}",
        failures.messages
    );
    assert!(final_names(&out).contains(&workbook.to_string()));
}

#[test]
fn run_parquet_on_a_full_disk_is_exit_8_for_every_twin() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let disk = Disk::new();
    let out = disk.path().join("2025-06");
    let attempt = || {
        payrun(&[
            "run",
            "--quiet",
            "--no-xlsx",
            "--parquet",
            "--period",
            "2025-06",
            "--roster",
            &fixture("ingest/roster.xlsx").display().to_string(),
            "--expenses",
            &fixture("ingest/expenses.xlsx").display().to_string(),
            "--out",
            out.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ])
    };
    let failures = sweep("run --parquet", &disk, &[&out], attempt, |context| {
        assert!(!out.exists(), "{context}: the output folder was put in place");
        let left: Vec<String> = final_names(disk.path()).into_iter().filter(|n| n != "filler").collect();
        assert!(left.is_empty(), "{context}: {left:?}");
        let mut hidden = std::fs::read_dir(disk.path()).unwrap().filter_map(|e| e.ok());
        assert!(
            hidden.all(|e| !e.file_name().to_string_lossy().contains(".staging-")),
            "{context}: staging left"
        );
        let periods =
            payrun::ledger::Ledger::open_read_only(&state).map(|l| l.periods().unwrap()).unwrap_or_default();
        assert!(periods.is_empty(), "{context}: the ledger changed: {periods:?}");
    });
    for twin in ["decisions.parquet", "exceptions.parquet", "adjustments.parquet"] {
        assert!(failures.named.contains(&twin.to_string()), "{twin} met the full disk: {:?}", failures.named);
    }
    // At least one through polars' own error (its writer flushes the file).
    assert!(failures.messages.iter().any(|m| m.contains(".parquet: parquet:")), "{:#?}", failures.messages);
    assert!(out.join("decisions.parquet").is_file());
}

#[test]
fn the_batch_summary_on_a_full_disk_is_exit_8_for_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = String::from(
        "period = \"2025-06\"\nout = \"out/{org}/{period}\"\nstate = \"state/{org}\"\njobs = 2\n",
    );
    for code in ["RP5", "R1H"] {
        plan.push_str(&format!(
            "\n[[org]]\ncode = \"{code}\"\nroster = \"{}\"\nexpenses = [\"{}\"]\n",
            fixture("ingest/roster.xlsx").display(),
            fixture("ingest/expenses.xlsx").display()
        ));
    }
    let plan_path = tmp.path().join("plan.toml");
    std::fs::write(&plan_path, plan).unwrap();
    let disk = Disk::new();
    let summary = disk.path().join("summary");
    let attempt =
        || payrun(&["batch", "--quiet", "--summary", summary.to_str().unwrap(), plan_path.to_str().unwrap()]);
    let failures = sweep("batch summary", &disk, &[&summary], attempt, |context| {
        assert_eq!(final_names(&summary), Vec::<String>::new(), "{context}: under a final name");
    });
    assert_eq!(failures.named, ["batch-2025-06.json", "batch-2025-06.xlsx"]);
    // Each failure still says how the organisations ended.
    assert!(
        failures.messages.iter().all(|m| m.contains("RP5 OK (exit 0), R1H OK (exit 0)")),
        "{:#?}",
        failures.messages
    );
    assert_eq!(final_names(&summary), ["batch-2025-06.json", "batch-2025-06.xlsx"]);
}

#[test]
fn ledger_export_on_a_full_disk_is_exit_8_for_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let o = payrun(&[
        "run",
        "--quiet",
        "--no-xlsx",
        "--period",
        "2025-06",
        "--roster",
        &fixture("ingest/roster.xlsx").display().to_string(),
        "--expenses",
        &fixture("ingest/expenses.xlsx").display().to_string(),
        "--out",
        &tmp.path().join("out").display().to_string(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let disk = Disk::new();
    let out = disk.path().join("export");
    let attempt =
        || payrun(&["ledger", "export", "--state", state.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let failures = sweep("ledger export", &disk, &[&out], attempt, |context| {
        assert_eq!(final_names(&out), Vec::<String>::new(), "{context}: under a final name");
    });
    // Every table's CSV met the full disk in turn (each is under a page).
    let exported = final_names(&out);
    assert!(exported.len() >= 10, "{exported:?}");
    assert_eq!(failures.named.iter().collect::<BTreeSet<_>>(), exported.iter().collect::<BTreeSet<_>>());
}
