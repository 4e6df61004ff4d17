//! The payroll interface end to end (SPEC §7, issue 14): the batch and its
//! controls on every run, the corrections of a re-run, what the ledger keeps
//! across a kill, determinism.

use crate::common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A scratch copy of the CSV fixtures: roster folder and claims file, editable.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let roster = dir.path().join("roster");
        std::fs::create_dir(&roster).unwrap();
        for sheet in ["Staff.csv", "Shifts.csv", "Absences.csv"] {
            std::fs::copy(fixture("ingest/csv").join(sheet), roster.join(sheet)).unwrap();
        }
        std::fs::copy(fixture("ingest/csv/claims.csv"), dir.path().join("claims.csv")).unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        for f in ["policy.toml", "columns.toml"] {
            std::fs::copy(root().join("config").join(f), dir.path().join("config").join(f)).unwrap();
        }
        Case { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Replaces `from` with `to` in a file of the case (which must contain it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn append(&self, rel: &str, line: &str) {
        let path = self.path(rel);
        let mut text = std::fs::read_to_string(&path).unwrap();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }

    fn command(&self, period: &str, out: &str, extra: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_payrun"));
        cmd.current_dir(root()).args(["run", "--quiet", "--no-xlsx", "--period", period]);
        cmd.arg("--roster").arg(self.path("roster")).arg("--expenses").arg(self.path("claims.csv"));
        cmd.arg("--config").arg(self.path("config"));
        cmd.arg("--out").arg(self.path(out)).arg("--state").arg(self.path("state"));
        cmd.args(extra);
        cmd
    }

    fn run(&self, period: &str, out: &str, extra: &[&str]) -> Output {
        let o = self.command(period, out, extra).output().unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        o
    }

    fn csv(&self, out: &str, name: &str) -> Csv {
        Csv::read(&self.path(out).join(name))
    }

    fn manifest(&self, out: &str) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.path(out).join("manifest.json")).unwrap()).unwrap()
    }

    fn has(&self, out: &str, name: &str) -> bool {
        self.path(out).join(name).exists()
    }
}

const CORRECTION_FILES: [&str; 3] =
    ["corrections.csv", "payroll-batch-corrections.csv", "payroll-batch-corrections-controls.csv"];

fn pence(text: &str) -> i64 {
    let neg = text.starts_with('-');
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let v: i64 = digits.parse().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// (assignment, element_name) → value_1 of a batch file.
fn lines(csv: &Csv) -> BTreeMap<(String, String), String> {
    csv.rows
        .iter()
        .map(|r| ((csv.get(r, "assignment"), csv.get(r, "element_name")), csv.get(r, "value_1")))
        .collect()
}

#[test]
fn every_run_writes_the_batch_and_controls_matching_adjustments() {
    let case = Case::new();
    let o = case.run("2025-06", "june", &[]);
    assert!(!stderr(&o).contains("correction"), "{}", stderr(&o));
    for f in CORRECTION_FILES {
        assert!(!case.has("june", f), "a first run writes no {f}");
    }
    let adj = case.csv("june", "adjustments.csv");
    let batch = case.csv("june", "payroll-batch.csv");
    let nonzero: Vec<&Vec<String>> = adj.rows.iter().filter(|r| pence(&adj.get(r, "amount")) != 0).collect();
    assert_eq!(batch.rows.len(), nonzero.len());
    assert!(!batch.rows.is_empty());
    for (i, (line, row)) in batch.rows.iter().zip(&nonzero).enumerate() {
        assert_eq!(batch.get(line, "batch_name"), "PAYRUN EXPENSES 2025-06");
        assert_eq!(batch.get(line, "line_no"), (i + 1).to_string());
        assert_eq!(batch.get(line, "assignment"), adj.get(row, "assignment"));
        assert_eq!(batch.get(line, "element_name"), adj.get(row, "element"));
        assert_eq!(batch.get(line, "effective_date"), "2025-06-01");
        assert_eq!(batch.get(line, "value_1"), adj.get(row, "amount"));
        assert_eq!(batch.get(line, "value_2"), "");
        assert_eq!(batch.get(line, "source"), adj.get(row, "source"));
    }
    let controls = case.csv("june", "payroll-batch-controls.csv");
    let total: i64 = batch.rows.iter().map(|r| pence(&batch.get(r, "value_1"))).sum();
    assert_eq!(controls.rows[0][1..], ["Total Lines".to_string(), batch.rows.len().to_string()]);
    assert_eq!(controls.rows[1][1], "Total Pay Value");
    assert_eq!(pence(&controls.rows[1][2]), total);
    let per_element: i64 = controls.rows[2..].iter().map(|r| pence(&r[2])).sum();
    assert_eq!(per_element, total);
    let m = case.manifest("june");
    assert_eq!(m["run_id"].as_str().unwrap().len(), 12);
    assert_eq!(m["payroll_interface"]["batch_name"], "PAYRUN EXPENSES 2025-06");
    assert_eq!(m["payroll_interface"]["action_if_exists"], "CREATE_NEW");
    assert!(m["corrects"].is_null());
    let outputs: Vec<&str> = m["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(outputs.contains(&"payroll-batch.csv") && outputs.contains(&"payroll-batch-controls.csv"));
}

#[test]
fn configured_inputs_names_and_dates_reach_the_batch() {
    let case = Case::new();
    // Unpaid leave for E1001 so that an UNPAID_LEAVE line exists.
    case.append("roster/Absences.csv", "E1001,12/05/2025,12/05/2025,UNPAID_SPECIAL,7.5,NONE");
    let policy = case.path("config/policy.toml");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    text = text.replace("TRAVEL = \"Travel expenses\"", "TRAVEL = \"ESR Travel Non-Taxable\"");
    text.push_str(
        "\n[payroll_interface]\nbatch_name = \"TRUST-{period}\"\neffective_date = \"period_end\"\n\
         [payroll_interface.inputs]\n\
         UNPAID_LEAVE = [[\"Pay Value\", \"amount\"], [\"Hours\", \"units\"], [\"Rate\", \"rate\"]]\n",
    );
    std::fs::write(&policy, text).unwrap();
    case.run("2025-06", "june", &[]);
    let adj = case.csv("june", "adjustments.csv");
    let batch = case.csv("june", "payroll-batch.csv");
    let leave_row = adj.find(&[("assignment", "E1001"), ("element", "Unpaid leave deduction")])[0].clone();
    let leave = batch.find(&[("assignment", "E1001"), ("element_name", "Unpaid leave deduction")])[0].clone();
    assert_eq!(batch.get(&leave, "value_1"), adj.get(&leave_row, "amount"));
    assert!(pence(&batch.get(&leave, "value_1")) < 0);
    assert_eq!(batch.get(&leave, "value_2"), adj.get(&leave_row, "units"));
    assert_eq!(batch.get(&leave, "value_2"), "7.50");
    assert_eq!(batch.get(&leave, "value_3"), adj.get(&leave_row, "rate"));
    assert!(!batch.get(&leave, "value_3").is_empty());
    assert_eq!(batch.get(&leave, "batch_name"), "TRUST-2025-06");
    assert_eq!(batch.get(&leave, "effective_date"), "2025-06-30");
    assert_eq!(batch.find(&[("element_name", "ESR Travel Non-Taxable")]).len(), 3);
    let controls = case.csv("june", "payroll-batch-controls.csv");
    assert!(controls.find(&[("control_type", "Total Pay Value: ESR Travel Non-Taxable")]).len() == 1);
}

#[test]
fn a_bad_payroll_interface_exits_3_naming_the_key() {
    let case = Case::new();
    let policy = case.path("config/policy.toml");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    text.push_str("\n[payroll_interface.inputs]\nMILEAGE = [[\"Hours\", \"units\"]]\n");
    std::fs::write(&policy, text).unwrap();
    let o = case.command("2025-06", "june", &[]).output().unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("payroll_interface.inputs.MILEAGE"), "{}", stderr(&o));
    assert!(!case.has("june", "payroll-batch.csv"));
}

/// Σ delta = Σ now − Σ committed, and the correction batch carries the deltas.
fn assert_corrections_reconcile(case: &Case, before: &str, after: &str) {
    let sum = |out: &str| -> i64 {
        let adj = case.csv(out, "adjustments.csv");
        adj.rows.iter().map(|r| pence(&adj.get(r, "amount"))).sum()
    };
    let corr = case.csv(after, "corrections.csv");
    let delta: i64 = corr.rows.iter().map(|r| pence(&corr.get(r, "delta"))).sum();
    assert_eq!(delta, sum(after) - sum(before));
    let batch = case.csv(after, "payroll-batch-corrections.csv");
    assert_eq!(batch.rows.len(), corr.rows.len());
    let lines: i64 = batch.rows.iter().map(|r| pence(&batch.get(r, "value_1"))).sum();
    assert_eq!(lines, delta);
    let m = case.manifest(after);
    assert_eq!(pence(m["corrects"]["delta"].as_str().unwrap()), delta);
    assert_eq!(m["corrects"]["rows"], corr.rows.len());
}

#[test]
fn a_re_run_issues_only_the_difference() {
    let case = Case::new();
    case.append("roster/Absences.csv", "E1001,12/05/2025,12/05/2025,UNPAID_SPECIAL,7.5,NONE");
    case.run("2025-06", "june", &[]);
    let first = case.manifest("june");

    // A line removed (E1004's only paid travel line), an amount changed
    // (E1001's bus fare), unpaid leave changed (7.5 → 3.75 hours).
    case.edit(
        "claims.csv",
        "C1007,2,E1004,28/05/2025,29/05/2025,04/06/2025,BUS,Bus fare,,,,£3.10,Yes,,,,\n",
        "",
    );
    case.edit("claims.csv", "£4.50", "£6.00");
    case.edit("roster/Absences.csv", "UNPAID_SPECIAL,7.5", "UNPAID_SPECIAL,3.75");
    let o = case.run("2025-06", "june-2", &[]);
    assert!(stderr(&o).contains("2025-06 re-run: 3 correction line(s)"), "{}", stderr(&o));

    let corr = case.csv("june-2", "corrections.csv");
    let rows: Vec<(String, String, String, String, String)> = corr
        .rows
        .iter()
        .map(|r| {
            (
                corr.get(r, "assignment"),
                corr.get(r, "element"),
                corr.get(r, "committed"),
                corr.get(r, "now"),
                corr.get(r, "delta"),
            )
        })
        .collect();
    let unpaid_before = case.csv("june", "adjustments.csv");
    let before =
        unpaid_before.find(&[("assignment", "E1001"), ("element", "Unpaid leave deduction")])[0].clone();
    let unpaid_after = case.csv("june-2", "adjustments.csv");
    let after =
        unpaid_after.find(&[("assignment", "E1001"), ("element", "Unpaid leave deduction")])[0].clone();
    let (was, now) = (unpaid_before.get(&before, "amount"), unpaid_after.get(&after, "amount"));
    let delta = pence(&now) - pence(&was);
    assert!(delta > 0, "half the hours deducted: {was} → {now}");
    assert_eq!(
        rows,
        [
            ("E1001".into(), "Travel expenses".into(), "4.50".into(), "6.00".into(), "1.50".into()),
            (
                "E1001".into(),
                "Unpaid leave deduction".into(),
                was.clone(),
                now.clone(),
                format!("{}.{:02}", delta / 100, delta % 100)
            ),
            ("E1004".into(), "Travel expenses".into(), "3.10".into(), "0.00".into(), "-3.10".into()),
        ]
    );
    assert_eq!(corr.get(&corr.rows[0], "period"), "2025-06");
    assert_eq!(corr.get(&corr.rows[0], "name"), "Alice Ashworth");

    let batch = case.csv("june-2", "payroll-batch-corrections.csv");
    for line in &batch.rows {
        assert_eq!(batch.get(line, "batch_name"), "PAYRUN CORRECTIONS 2025-06 INTO 2025-07");
        assert_eq!(batch.get(line, "effective_date"), "2025-07-01");
    }
    assert_eq!(lines(&batch)[&("E1004".to_string(), "Travel expenses".to_string())], "-3.10");
    let controls = case.csv("june-2", "payroll-batch-corrections-controls.csv");
    assert_eq!(controls.rows[0][2], "3");
    assert_corrections_reconcile(&case, "june", "june-2");

    let m = case.manifest("june-2");
    let c = &m["corrects"];
    assert_eq!(c["period"], "2025-06");
    assert_eq!(c["previous_run_id"], first["run_id"]);
    assert_eq!(c["previous_config_hash"], first["config_hash"]);
    assert_eq!(
        (c["new_rows"].as_u64(), c["removed_rows"].as_u64(), c["changed_rows"].as_u64()),
        (Some(0), Some(1), Some(2))
    );
    assert_eq!(c["load"], "payroll-batch-corrections.csv");
    assert_eq!(c["later"], serde_json::json!([]));
    assert_ne!(m["run_id"], first["run_id"]);
    // The period's full batch is still written, for the record.
    assert_eq!(case.csv("june-2", "payroll-batch.csv").rows.len(), unpaid_after.rows.len());

    // Run again on the same inputs: nothing more to correct than what was
    // placed by the second run — header only, "no change to payroll".
    let o = case.run("2025-06", "june-3", &[]);
    assert!(stderr(&o).contains("no change to payroll"), "{}", stderr(&o));
    assert_eq!(case.csv("june-3", "corrections.csv").rows.len(), 0);
    assert_eq!(case.csv("june-3", "payroll-batch-corrections.csv").rows.len(), 0);
    let controls = case.csv("june-3", "payroll-batch-corrections-controls.csv");
    assert_eq!((controls.rows[0][2].as_str(), controls.rows[1][2].as_str()), ("0", "0.00"));
    assert!(case.manifest("june-3")["corrects"]["load"].is_null());
    assert_eq!(case.manifest("june-3")["corrects"]["previous_run_id"], m["run_id"]);
}

#[test]
fn a_new_line_and_a_chosen_into_period() {
    let case = Case::new();
    case.run("2025-06", "june", &[]);
    case.append("claims.csv", "C2001,1,E1004,22/05/2025,23/05/2025,23/05/2025,BUS,Bus fare,,,,£2.40,Yes,,,,");
    case.run("2025-06", "june-2", &["--corrections-into", "2025-09"]);
    let corr = case.csv("june-2", "corrections.csv");
    assert_eq!(corr.rows.len(), 1);
    assert_eq!(
        (corr.get(&corr.rows[0], "committed"), corr.get(&corr.rows[0], "delta")),
        ("3.10".into(), "2.40".into())
    );
    let batch = case.csv("june-2", "payroll-batch-corrections.csv");
    assert_eq!(batch.get(&batch.rows[0], "batch_name"), "PAYRUN CORRECTIONS 2025-06 INTO 2025-09");
    assert_eq!(batch.get(&batch.rows[0], "effective_date"), "2025-09-01");
    assert_corrections_reconcile(&case, "june", "june-2");
    // Not after the corrected period: refused.
    let o = case.command("2025-06", "june-3", &["--corrections-into", "2025-06"]).output().unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--corrections-into 2025-06 must be after"), "{}", stderr(&o));
    // Not a month: the error names the option given, not --period.
    let o = case.command("2025-06", "june-3", &["--corrections-into", "2025-13"]).output().unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--corrections-into '2025-13'"), "{}", stderr(&o));
}

#[test]
fn rerun_of_an_earlier_period_is_dated_after_the_latest_and_names_later_periods() {
    let case = Case::new();
    case.run("2025-06", "june", &[]);
    case.run("2025-07", "july", &[]);
    case.edit("claims.csv", "£4.50", "£5.00");
    let o = case.run("2025-06", "june-2", &["--rerun"]);
    assert!(stderr(&o).contains("re-running 2025-07 in order"), "{}", stderr(&o));
    let batch = case.csv("june-2", "payroll-batch-corrections.csv");
    assert_eq!(batch.rows.len(), 1);
    assert_eq!(batch.get(&batch.rows[0], "batch_name"), "PAYRUN CORRECTIONS 2025-06 INTO 2025-08");
    assert_eq!(batch.get(&batch.rows[0], "effective_date"), "2025-08-01");
    let m = case.manifest("june-2");
    assert_eq!(m["corrects"]["into"], "2025-08");
    assert_eq!(m["corrects"]["later"], serde_json::json!(["2025-07"]));
    assert_corrections_reconcile(&case, "june", "june-2");
}

#[test]
fn a_period_committed_before_the_migration_writes_no_corrections_and_says_so() {
    let case = Case::new();
    std::fs::create_dir(case.path("state")).unwrap();
    // Written by the v3 release on tests/fixtures/ingest (the xlsx twins of these CSVs).
    std::fs::copy(fixture("ledger_v3/ledger.sqlite"), case.path("state/ledger.sqlite")).unwrap();
    let o = case.run("2025-06", "june", &[]);
    assert!(
        stderr(&o).contains("committed before payrun kept each period's payroll batch"),
        "{}",
        stderr(&o)
    );
    for f in CORRECTION_FILES {
        assert!(!case.has("june", f), "{f}");
    }
    assert!(case.manifest("june")["corrects"].is_null());
    // Once re-run and placed, the period's batch is known.
    case.edit("claims.csv", "£4.50", "£5.00");
    case.run("2025-06", "june-2", &[]);
    assert_eq!(case.csv("june-2", "corrections.csv").rows.len(), 1);
}

#[test]
fn outputs_are_byte_identical_across_threads_and_re_runs() {
    let files = |case: &Case, out: &str| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(case.path(out))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .map(|n| (n.clone(), std::fs::read(case.path(out).join(&n)).unwrap()))
            .collect()
    };
    // One folder for both passes: input and config paths are part of the
    // manifest the ledger keeps, hence of the next run id.
    let case = Case::new();
    case.append("roster/Absences.csv", "E1001,12/05/2025,12/05/2025,UNPAID_SPECIAL,7.5,NONE");
    let mut results = Vec::new();
    for threads in ["1", "2"] {
        let _ = std::fs::remove_dir_all(case.path("state"));
        std::fs::copy(fixture("ingest/csv/claims.csv"), case.path("claims.csv")).unwrap();
        let run = |out: &str| {
            let o = case.command("2025-06", out, &[]).env("RAYON_NUM_THREADS", threads).output().unwrap();
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        };
        let (june, june2) = (format!("june-{threads}"), format!("june-2-{threads}"));
        run(&june);
        case.edit("claims.csv", "£4.50", "£5.00");
        run(&june2);
        let ids = (case.manifest(&june)["run_id"].clone(), case.manifest(&june2)["run_id"].clone());
        results.push((files(&case, &june), files(&case, &june2), ids));
    }
    assert!(results[0].1.contains_key("payroll-batch-corrections.csv"));
    // Compared without printing megabytes of bytes on a failure.
    let (a, b) = (&results[0], &results[1]);
    assert_eq!(a.2, b.2, "run ids, 1 vs 2 threads");
    for (files_a, files_b) in [(&a.0, &b.0), (&a.1, &b.1)] {
        assert_eq!(files_a.keys().collect::<Vec<_>>(), files_b.keys().collect::<Vec<_>>());
        for (name, bytes) in files_a {
            assert!(bytes == &files_b[name], "{name} differs between 1 and 2 threads");
        }
    }
}

#[test]
fn corrections_survive_a_kill_between_the_commit_and_placing_the_outputs() {
    let case = Case::new();
    case.run("2025-06", "june", &[]);
    let first = case.manifest("june");
    case.edit("claims.csv", "£4.50", "£5.00");

    // The re-run commits its period, then is killed before its outputs are placed.
    let mut child = case
        .command("2025-06", "june-2", &[])
        .env("PAYRUN_PAUSE_AT", "swap")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line == "payrun: paused at swap" => break,
            Some(Ok(_)) => continue,
            _ => panic!("run ended before pausing: {:?}", child.wait()),
        }
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    assert!(!case.has("june-2", "manifest.json"), "outputs were not placed");

    // The next run still corrects against what payroll was given: the first run.
    case.run("2025-06", "june-3", &[]);
    let corr = case.csv("june-3", "corrections.csv");
    assert_eq!(corr.rows.len(), 1, "the correction is not lost");
    assert_eq!(corr.get(&corr.rows[0], "delta"), "0.50");
    assert_eq!(case.manifest("june-3")["corrects"]["previous_run_id"], first["run_id"]);
}
