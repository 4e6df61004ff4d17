//! The README's run command on the bundled samples: exit 0, every SPEC §4.1
//! file, the reconciliation holding and the inputs' SHA-256 in the manifest.

mod common;
use common::*;
use sha2::{Digest, Sha256};

#[test]
fn readme_run_on_the_bundled_samples() {
    let dir = out_dir();
    let roster = root().join("samples/roster.xlsx");
    let expenses = root().join("samples/expenses.xlsx");
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

/// `payrun sample` with the README's options reproduces the committed samples.
#[test]
fn bundled_samples_are_what_payrun_sample_makes() {
    let dir = tempfile::tempdir().unwrap();
    let out = payrun(&[
        "sample",
        "--staff",
        "200",
        "--lines",
        "3000",
        "--seed",
        "1",
        "--period",
        "2025-06",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for f in ["roster.xlsx", "expenses.xlsx"] {
        assert_eq!(
            std::fs::read(dir.path().join(f)).unwrap(),
            std::fs::read(root().join("samples").join(f)).unwrap(),
            "samples/{f} is not what `payrun sample --staff 200 --lines 3000 --seed 1` makes"
        );
    }
}
