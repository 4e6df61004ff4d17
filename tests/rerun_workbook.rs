//! SPEC §12.3: a re-run's payroll workbook says what to load, read by an
//! independent reader (openpyxl) after the README's late-receipt re-run:
//! the banner in the Summary's first rows, the Corrections sheet right after
//! the Summary, the Payroll batch sheet titled "do not load"; an identical
//! re-run says "load nothing"; a first run says nothing of the kind.

use crate::common::*;
use payrun::model::money::pounds_text;
use payrun::model::Pence;
use std::path::Path;

/// `payrun run` on the bundled samples, June, into `out` on `state`.
fn samples_run(out: &Path, state: &Path, late_receipt: bool) {
    let mut args: Vec<String> =
        ["run", "--quiet", "--period", "2025-06", "--roster", "samples/2025-06/roster.xlsx"]
            .map(String::from)
            .into();
    args.extend(["--expenses".into(), "samples/2025-06/expenses.xlsx".into()]);
    if late_receipt {
        args.extend(["--expenses".into(), "samples/late-receipt.csv".into()]);
    }
    args.extend(["--out".into(), out.display().to_string(), "--state".into(), state.display().to_string()]);
    let o = payrun(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// What openpyxl reads of the payroll workbook in `out`: its sheet names,
/// the first column of the Summary's first five rows, and the Payroll
/// batch sheet's A1.
struct Read {
    sheets: Vec<String>,
    summary: Vec<String>,
    batch_a1: String,
}

fn read(out: &Path) -> Read {
    let has_openpyxl = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(has_openpyxl, "python3 with openpyxl is needed: python3 -m pip install openpyxl");
    let script = "import sys, json, openpyxl\n\
                  wb = openpyxl.load_workbook(sys.argv[1])\n\
                  first = lambda ws, n: [str(r[0]) if r[0] is not None else '' for r in ws.iter_rows(min_row=1, max_row=n, max_col=1, values_only=True)]\n\
                  print(json.dumps({'sheets': wb.sheetnames, 'summary': first(wb['Summary'], 5), \
                  'batch_a1': first(wb['Payroll batch'], 1)[0]}))\n";
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out.join("payroll-adjustments-2025-06.xlsx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "openpyxl failed: {}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
    };
    Read {
        sheets: strings(&v["sheets"]),
        summary: strings(&v["summary"]),
        batch_a1: v["batch_a1"].as_str().unwrap().to_string(),
    }
}

#[test]
fn after_the_readmes_late_receipt_re_run_the_workbook_opens_with_what_to_load() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let (june, corrected, again) =
        (tmp.path().join("2025-06"), tmp.path().join("2025-06-corrected"), tmp.path().join("2025-06-again"));

    // The first run of June: nothing loaded before, so no banner.
    samples_run(&june, &state, false);
    let first = read(&june);
    assert_eq!(first.summary[0], "Payroll adjustments — pay period 2025-06", "{:?}", first.summary);
    assert!(first.summary.iter().all(|c| !c.contains("Re-run")), "{:?}", first.summary);
    assert!(!first.sheets.contains(&"Corrections".to_string()), "{:?}", first.sheets);
    assert_eq!(first.batch_a1, "Batch name");

    // June again with the late receipt: the correction batch is what payroll loads.
    samples_run(&corrected, &state, true);
    let batch = Csv::read(&corrected.join("payroll-batch-corrections.csv"));
    assert!(!batch.rows.is_empty(), "the late receipt changes something");
    let total: Pence = batch.rows.iter().map(|r| Pence::parse_csv(&batch.get(r, "value_1")).unwrap()).sum();
    let name = batch.get(&batch.rows[0], "batch_name");
    let lines = batch.rows.len();
    let wanted = format!(
        "Re-run of 2025-06: load payroll-batch-corrections.csv — batch {name}, {lines} line{}, total {} — not \
         the full batch",
        if lines == 1 { "" } else { "s" },
        pounds_text(total)
    );
    let re_run = read(&corrected);
    assert_eq!(re_run.summary[0], wanted, "the banner opens the Summary: {:?}", re_run.summary);
    assert!(re_run.summary[1..].contains(&"Payroll adjustments — pay period 2025-06".to_string()));
    assert_eq!(
        re_run.sheets[..4],
        ["Summary", "Corrections", "Adjustments", "Payroll batch"],
        "{:?}",
        re_run.sheets
    );
    assert_eq!(re_run.batch_a1, "Full batch of 2025-06, for the record — do not load (see Corrections)");

    // The same inputs once more: nothing changed since the last placed run.
    samples_run(&again, &state, true);
    let unchanged = read(&again);
    assert_eq!(unchanged.summary[0], "Re-run of 2025-06: no change to payroll: load nothing");
    assert!(!unchanged.sheets.contains(&"Corrections".to_string()), "{:?}", unchanged.sheets);
    assert!(unchanged.batch_a1.contains("do not load"), "{}", unchanged.batch_a1);
}
