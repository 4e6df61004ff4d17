//! Operators' comforts (issue 15): shell completions, the man page and a
//! `--version` that names the build.

use crate::common::*;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_for_bash_zsh_and_fish_know_every_command() {
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef payrun"), ("fish", "complete -c payrun")]
    {
        let out = payrun(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}");
        for command in ["run", "batch", "config", "ledger"] {
            assert!(script.contains(command), "{shell} misses {command}");
        }
    }
    assert_eq!(code(&payrun(&["completions", "powershell-7"])), 2);
}

#[test]
fn man_page_is_roff_with_the_commands() {
    let out = payrun(&["man"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.starts_with(".ie") || page.contains(".TH payrun"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains("batch") && page.contains("completions"));
}

#[test]
fn version_names_the_build() {
    let out = payrun(&["--version"]);
    assert_eq!(code(&out), 0);
    let version = stdout(&out);
    assert!(version.starts_with(&format!("payrun {}", env!("CARGO_PKG_VERSION"))), "{version}");
    // Built from a checkout (as here and in CI): the commit is named.
    let head = std::process::Command::new("git")
        .current_dir(root())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(commit) => assert!(version.contains(&format!("(git {commit})")), "{version} vs HEAD {commit}"),
        None => assert_eq!(version.trim(), format!("payrun {}", env!("CARGO_PKG_VERSION"))),
    }
}

#[test]
fn log_format_json_puts_one_object_per_stage_on_stderr() {
    let dir = out_dir();
    let out = run_period(
        "2025-06",
        &root().join("samples/2025-06/roster.xlsx"),
        &[&root().join("samples/2025-06/expenses.xlsx")],
        dir.path(),
        &["--log-format", "json", "--org", "RP5"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Every line is one JSON object (SPEC §13): the operator notes too.
    let lines = json_lines(&out);
    assert_eq!(lines[0]["level"], "notice");
    let note = lines[0]["message"].as_str().unwrap();
    assert!(
        note.contains("created a new one") && note.contains(dir.path().parent().unwrap().to_str().unwrap()),
        "{note}"
    );
    let done = lines.last().unwrap();
    assert_eq!((done["stage"].as_str(), done["exit_code"].as_i64()), (Some("done"), Some(0)), "{done}");
    assert_eq!((done["period"].as_str(), done["lines"].as_u64()), (Some("2025-06"), Some(3000)));
    assert_eq!(done["outputs"].as_str(), Some(dir.path().to_str().unwrap()), "absolute");
    let records: Vec<&serde_json::Value> = lines.iter().filter(|r| r.get("ms").is_some()).collect();
    let stages: Vec<&str> = records.iter().map(|r| r["stage"].as_str().unwrap()).collect();
    assert_eq!(
        stages,
        ["ledger", "config", "ingest", "rules", "reconcile", "write", "workbooks", "ledger-commit"]
    );
    for r in &records {
        assert!(r["ms"].is_u64() && r["rows"].is_u64() && r["warnings"].is_u64(), "{r}");
        assert_eq!(r["org"], "RP5");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let stage = |name: &str| records.iter().find(|r| r["stage"] == name).unwrap();
    let rows_read: u64 = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["sheets"].as_array().unwrap().iter().map(|s| s[1].as_u64().unwrap()))
        .sum();
    assert_eq!(stage("ingest")["rows"], rows_read);
    assert_eq!(stage("rules")["rows"], 3000, "lines decided");
    let warnings = manifest["findings_by_severity"]["WARNING"].as_u64().unwrap_or(0);
    assert_eq!(
        stage("ingest")["warnings"].as_u64().unwrap() + stage("rules")["warnings"].as_u64().unwrap(),
        warnings
    );
    assert!(stage("write")["rows"].as_u64().unwrap() >= 3000);

    // The default text format has no JSON and says what it did, money with
    // thousands separators.
    let again = dir.path().join("again");
    let (roster, expenses) =
        (root().join("samples/2025-06/roster.xlsx"), root().join("samples/2025-06/expenses.xlsx"));
    let text = payrun(&[
        "run",
        "--period",
        "2025-06",
        "--no-xlsx",
        "--roster",
        roster.to_str().unwrap(),
        "--expenses",
        expenses.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--state",
        state_for(&again).to_str().unwrap(),
    ]);
    assert_eq!(code(&text), 0, "{}", stderr(&text));
    assert!(stderr(&text).lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_err()));
    assert!(stderr(&text).contains("claimed £63,"), "{}", stderr(&text));
}

/// Every stderr line of `out` parsed as JSON (a line that is not is a failure).
fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    stderr(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// `--log-format json` on a run that exits 6 (`--fail-on`, outputs written)
/// and one that exits 3 (a roster that does not exist): still one object a
/// line, the error an object of its own, and `done` last with the exit code.
#[test]
fn log_format_json_ends_with_done_on_exit_6_and_exit_3() {
    let dir = out_dir();
    let samples = |name: &str| root().join("samples/2025-06").join(name);
    let out = run_period(
        "2025-06",
        &samples("roster.xlsx"),
        &[&samples("expenses.xlsx")],
        dir.path(),
        &["--log-format", "json", "--no-xlsx", "--fail-on", "ERROR"],
    );
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let lines = json_lines(&out);
    let error = &lines[lines.len() - 2];
    assert_eq!((error["level"].as_str(), error["exit_code"].as_i64()), (Some("error"), Some(6)), "{error}");
    let done = lines.last().unwrap();
    assert_eq!((done["stage"].as_str(), done["exit_code"].as_i64()), (Some("done"), Some(6)));
    assert_eq!(done["lines"].as_u64(), Some(3000), "the outputs were written: {done}");

    // A relative path (payrun runs in the repository root) is named absolute.
    let missing = std::path::Path::new("no-such-roster.xlsx");
    let out = run_period(
        "2025-06",
        missing,
        &[&samples("expenses.xlsx")],
        &dir.path().join("other"),
        &["--log-format", "json"],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let lines = json_lines(&out);
    let error = &lines[lines.len() - 2];
    assert_eq!(error["exit_code"].as_i64(), Some(3));
    let absolute = root().join(missing);
    assert!(error["message"].as_str().unwrap().contains(absolute.to_str().unwrap()), "{error}");
    let done = lines.last().unwrap();
    assert_eq!((done["stage"].as_str(), done["exit_code"].as_i64()), (Some("done"), Some(3)));
    assert_eq!((done["period"].as_str(), done["lines"].as_u64()), (Some("2025-06"), None));
}

/// (file, sheet, rows, percent) of one Read step.
type ReadStep = (String, String, u64, Option<u8>);

/// Records the progress steps a run reports.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<ReadStep>>);

impl payrun::model::progress::Progress for Recorder {
    fn report(&self, step: payrun::model::progress::Step<'_>) {
        if let payrun::model::progress::Step::Read { file, sheet, rows, percent } = step {
            self.0.lock().unwrap().push((file.to_string(), sheet.to_string(), rows, percent));
        }
    }
}

#[test]
fn ingest_reports_rows_read_per_sheet_up_to_the_whole_file() {
    use std::sync::Arc;
    let config = payrun::config::Config::built_in().unwrap();
    let csv_dir = tempfile::tempdir().unwrap();
    let claims_csv = csv_dir.path().join("claims.csv");
    let recorder = Arc::new(Recorder::default());
    let inputs = payrun::ingest::load(
        &root().join("samples/2025-06/roster.xlsx"),
        &[root().join("samples/2025-06/expenses.xlsx")],
        &config,
        || (),
        recorder.clone(),
    )
    .unwrap();
    let steps = recorder.0.lock().unwrap().clone();
    for report in &inputs.reports {
        for (sheet, rows) in &report.sheets {
            let of_sheet: Vec<_> = steps.iter().filter(|s| &s.1 == sheet).collect();
            assert!(!of_sheet.is_empty(), "{sheet}: no progress");
            assert!(of_sheet.windows(2).all(|w| w[0].2 <= w[1].2), "{sheet}: rows go forward");
            let last = of_sheet.last().unwrap();
            assert_eq!(last.3, Some(100), "{sheet}: the whole sheet read");
            assert!(last.2 as usize >= *rows, "{sheet}: {} rows spanned, {rows} read", last.2);
        }
    }
    // A CSV reports its share of bytes.
    std::fs::write(&claims_csv, std::fs::read(fixture("ingest/csv/claims.csv")).unwrap()).unwrap();
    let recorder = Arc::new(Recorder::default());
    payrun::ingest::load(&fixture("ingest/csv"), &[claims_csv], &config, || (), recorder.clone()).unwrap();
    let steps = recorder.0.lock().unwrap().clone();
    let claims: Vec<_> = steps.iter().filter(|s| s.0.ends_with("claims.csv")).collect();
    assert_eq!(claims.last().map(|s| s.3), Some(Some(100)), "{steps:?}");
}
