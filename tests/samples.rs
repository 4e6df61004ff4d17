//! The README's run command on the bundled samples: exit 0, every SPEC §4.1
//! file, the reconciliation holding and the inputs' SHA-256 in the manifest;
//! the bundled three months are what `payrun sample --months 3` makes, and run
//! in order on one ledger they give insights an Outliers sheet with someone on
//! it (SPEC §13).

use crate::common::*;
use sha2::{Digest, Sha256};

#[test]
fn readme_run_on_the_bundled_samples() {
    let dir = out_dir();
    let roster = root().join("samples/2025-06/roster.xlsx");
    let expenses = root().join("samples/2025-06/expenses.xlsx");
    let out = run_period("2025-06", &roster, &[&expenses], dir.path(), &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for f in [
        "decisions.csv",
        "exceptions.csv",
        "adjustments.csv",
        "deferred-claims.csv",
        "attendance.csv",
        "absence.csv",
        "absence-reasons.csv",
        "p11d.csv",
        "manifest.json",
        "payroll-adjustments-2025-06.xlsx",
        "exceptions-2025-06.xlsx",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["reconciliation"]["passed"], true);
    assert_eq!(manifest["reconciliation"]["lines_read"], 3000);
    for (i, path) in [&roster, &expenses].iter().enumerate() {
        let sha = Sha256::digest(std::fs::read(path).unwrap());
        let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(manifest["inputs"][i]["sha256"], hex.as_str(), "{}", path.display());
    }
    let decisions = Csv::read(&dir.path().join("decisions.csv"));
    assert_eq!(decisions.rows.len(), 3000, "every claim line is decided once");
}

const MONTHS: [&str; 3] = ["2025-04", "2025-05", "2025-06"];

/// `payrun sample --months 3` with the README's options into `dir`.
fn three_months(dir: &std::path::Path) {
    let out = payrun(&[
        "sample",
        "--staff",
        "200",
        "--lines",
        "3000",
        "--seed",
        "1",
        "--months",
        "3",
        "--period",
        "2025-06",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// `payrun sample` with the README's options reproduces the committed samples.
#[test]
fn bundled_samples_are_what_payrun_sample_makes() {
    let dir = tempfile::tempdir().unwrap();
    three_months(dir.path());
    for month in MONTHS {
        for f in ["roster.xlsx", "expenses.xlsx"] {
            assert_eq!(
                std::fs::read(dir.path().join(month).join(f)).unwrap(),
                std::fs::read(root().join("samples").join(month).join(f)).unwrap(),
                "samples/{month}/{f} is not what `payrun sample --staff 200 --lines 3000 --seed 1 --months 3 \
                 --period 2025-06` makes"
            );
        }
    }
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, MONTHS, "one folder per month and nothing else");
}

/// SPEC §13: the three months run in order on one ledger (the README's walk-
/// through) all exit 0; from one month to the next the only duplicates are the
/// scripted carried-over claim's (DUP002 for last month's key sent again, DUP001
/// for it re-keyed); and insights over the three runs lists someone on the
/// Outliers sheet.
#[test]
fn three_sample_months_run_in_order_and_insights_lists_an_outlier() {
    let tmp = tempfile::tempdir().unwrap();
    let (inputs, state) = (tmp.path().join("samples"), tmp.path().join("state"));
    three_months(&inputs);
    let mut runs = Vec::new();
    for month in MONTHS {
        let out = tmp.path().join("out").join(month);
        let o = crate::common::inputs::run(
            month,
            &inputs.join(month).join("roster.xlsx"),
            &inputs.join(month).join("expenses.xlsx"),
            &out,
            &state,
            &[],
        );
        assert_eq!(code(&o), 0, "{month}: {}", stderr(&o));
        let exceptions = Csv::read(&out.join("exceptions.csv"));
        let across: Vec<String> = exceptions
            .rows
            .iter()
            .filter(|r| {
                let rule = exceptions.get(r, "rule");
                rule == "DUP002"
                    || (rule == "DUP001" && exceptions.get(r, "message").contains("earlier period"))
            })
            .map(|r| exceptions.get(r, "claim_id"))
            .collect();
        let carried = |id: &String| id.ends_with("-C00001") || id.ends_with("-C00002");
        assert!(across.iter().all(carried), "{month}: duplicates of an earlier month: {across:?}");
        assert_eq!(across.len(), if month == "2025-04" { 0 } else { 2 }, "{month}: {across:?}");
        runs.push(out.display().to_string());
    }
    let insights = tmp.path().join("insights");
    let mut args = vec!["insights", "--quiet", "--out", insights.to_str().unwrap()];
    args.extend(runs.iter().map(String::as_str));
    let o = payrun(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let outliers = Csv::read(&insights.join("outliers.csv"));
    assert!(!outliers.rows.is_empty(), "nobody on the Outliers sheet");
    for r in &outliers.rows {
        assert!(outliers.get(r, "peers").parse::<usize>().unwrap() >= 10, "{r:?}");
        assert_ne!(outliers.get(r, "cost_centre"), "(none)", "{r:?}");
    }
    let centres = Csv::read(&insights.join("cost_centres.csv"));
    for month in MONTHS {
        let of_month: Vec<&Vec<String>> =
            centres.rows.iter().filter(|r| centres.get(r, "period") == month).collect();
        assert!((20..=41).contains(&of_month.len()), "{month}: {} cost centres", of_month.len());
        let large =
            of_month.iter().filter(|r| centres.get(r, "claimants").parse::<usize>().unwrap() >= 25).count();
        assert!(large >= 3, "{month}: {large} cost centres with 25 or more claimants");
    }
}
