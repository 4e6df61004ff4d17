//! SPEC §10 end to end against an independent implementation: a roster of
//! the generated sample plus thirty hand-made corner cases (long-term
//! episodes across months, exactly 20 and 21 working days, touching,
//! overlapping and contained rows, starters and leavers, returns found from
//! shifts, bank holidays, interviews on and after the deadline, an
//! unreadable interview date, half-up rounding at .625), written by
//! `tests/independent/absence_edge_roster.py` with openpyxl. Every
//! absence.csv and absence-reasons.csv cell and every SCK004 finding is
//! compared with `tests/independent/absence.py`, which computes them from
//! the workbook with Python's exact fractions and shares no code with payrun.
//! The same again with the RTW Date column removed.

use crate::common::*;
use std::path::Path;
use std::process::Command;

fn python(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let o = Command::new("python3").args(args).output().expect("python3 is needed for this test");
    assert!(
        o.status.success(),
        "python3 {:?} failed:\n{}\n{}",
        args,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn check(dir: &Path, rtw: bool) {
    let script = |name: &str| root().join("tests/independent").join(name);
    let sample = dir.join("sample");
    let made = payrun(&[
        "sample",
        "--staff",
        "60",
        "--lines",
        "300",
        "--seed",
        "3",
        "--period",
        "2025-06",
        "--out",
        sample.to_str().unwrap(),
    ]);
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    let roster = dir.join("edge.xlsx");
    let mut args = vec![
        script("absence_edge_roster.py").into_os_string(),
        sample.join("roster.xlsx").into_os_string(),
        roster.clone().into_os_string(),
    ];
    if !rtw {
        args.push("--no-rtw".into());
    }
    python(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    let out = dir.join("out");
    let run = run_period("2025-06", &roster, &[&sample.join("expenses.xlsx")], &out, &["--no-xlsx"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let mine = dir.join("independent");
    python(&[
        script("absence.py").as_os_str(),
        roster.as_os_str(),
        "2025-06".as_ref(),
        out.as_os_str(),
        mine.as_os_str(),
    ]);
    let compared = python(&[script("absence_compare.py").as_os_str(), out.as_os_str(), mine.as_os_str()]);
    let report = String::from_utf8_lossy(&compared.stdout);
    assert!(report.contains("differences 0"), "{report}");
    // The corner cases are there: long-term days, and SCK004 only with the column.
    let absence = Csv::read(&out.join("absence.csv"));
    let all = absence.rows.last().unwrap();
    assert_eq!(absence.get(all, "cost_centre"), "(all)");
    assert_ne!(absence.get(all, "fte_days_lost_long"), "0.00", "{all:?}");
    let sck004 = Csv::read(&out.join("exceptions.csv")).find(&[("rule", "SCK004")]).len();
    if rtw {
        assert!(sck004 >= 5, "{report}");
        assert!(!absence.get(all, "rtw_on_time").is_empty());
    } else {
        assert_eq!(sck004, 0);
        assert_eq!(absence.get(all, "returns"), "");
    }
}

#[test]
fn absence_figures_and_sck004_agree_with_an_independent_computation() {
    let dir = out_dir();
    check(dir.path(), true);
}

#[test]
fn without_the_rtw_column_figures_agree_and_the_return_columns_are_blank() {
    let dir = out_dir();
    check(dir.path(), false);
}

/// The absence CSVs, like every CSV of a run, are byte-identical at 1 and
/// 2 threads and on a re-run of the period on the same ledger.
#[test]
fn absence_csvs_are_byte_identical_across_threads_and_reruns() {
    let dir = out_dir();
    let sample = dir.path().join("sample");
    let made = payrun(&[
        "sample",
        "--staff",
        "120",
        "--lines",
        "600",
        "--seed",
        "9",
        "--period",
        "2025-06",
        "--out",
        sample.to_str().unwrap(),
    ]);
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    let files = ["absence.csv", "absence-reasons.csv", "attendance.csv", "exceptions.csv", "adjustments.csv"];
    let mut seen: Vec<Vec<Vec<u8>>> = Vec::new();
    for (k, threads) in ["1", "2", "2"].iter().enumerate() {
        // The third run re-runs the period on the second's ledger.
        let state = dir.path().join(if k == 2 { "state-1".to_string() } else { format!("state-{k}") });
        let out = dir.path().join(format!("out-{k}"));
        let o = Command::new(env!("CARGO_BIN_EXE_payrun"))
            .env("RAYON_NUM_THREADS", threads)
            .env_remove("PAYRUN_CONFIG")
            .args(["run", "--quiet", "--no-xlsx", "--period", "2025-06", "--roster"])
            .arg(sample.join("roster.xlsx"))
            .arg("--expenses")
            .arg(sample.join("expenses.xlsx"))
            .arg("--out")
            .arg(&out)
            .arg("--state")
            .arg(&state)
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        seen.push(files.iter().map(|f| std::fs::read(out.join(f)).unwrap()).collect());
    }
    let absence = String::from_utf8(seen[0][0].clone()).unwrap();
    assert!(absence.lines().count() > 3, "{absence}");
    assert_eq!(seen[0], seen[1], "1 vs 2 threads");
    assert_eq!(seen[1], seen[2], "a re-run on the same ledger");
}
