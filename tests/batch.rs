//! SPEC §8.2 `payrun batch`: organisations run independently (a missing
//! roster, a held lock, an organisation's own mileage rate), outputs
//! byte-identical to single runs, the summary files, exit 7 / exit 2.

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn payrun_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payrun"))
        .current_dir(cwd)
        .env_remove("PAYRUN_CONFIG")
        .env_remove("PAYRUN_STATE")
        .env_remove("PAYRUN_PAUSE_AT")
        .args(args)
        .output()
        .expect("payrun binary runs")
}

/// A plan folder: a small generated sample under in/ (it has car mileage),
/// RATE's own config with a car lower rate of 30p (the default is 25p).
fn plan_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample =
        payrun_in(dir.path(), &["sample", "--staff", "30", "--lines", "300", "--seed", "3", "--out", "in"]);
    assert_eq!(code(&sample), 0, "{}", stderr(&sample));
    let config = dir.path().join("config/RATE");
    std::fs::create_dir_all(&config).unwrap();
    let policy = std::fs::read_to_string(root().join("config/policy.toml")).unwrap();
    assert!(policy.contains("lower = \"0.25\""));
    std::fs::write(config.join("policy.toml"), policy.replacen("lower = \"0.25\"", "lower = \"0.30\"", 1))
        .unwrap();
    std::fs::copy(root().join("config/columns.toml"), config.join("columns.toml")).unwrap();
    dir
}

fn org(code: &str, roster: &str, config: Option<&str>) -> String {
    let config = config.map(|c| format!("config = \"{c}\"\n")).unwrap_or_default();
    format!(
        "\n[[org]]\ncode = \"{code}\"\nroster = \"{roster}\"\nexpenses = [\"in/expenses.xlsx\"]\n{config}"
    )
}

fn write_plan(dir: &Path, orgs: &[String]) -> PathBuf {
    let mut text = String::from(
        "period = \"2025-06\"\nout = \"out/{org}/{period}\"\nstate = \"state/{org}\"\njobs = 2\n",
    );
    for o in orgs {
        text.push_str(o);
    }
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `payrun run` held at the `read` pause on `state`: it owns the lock.
fn hold_lock(dir: &Path, state: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payrun"))
        .current_dir(dir)
        .env("PAYRUN_PAUSE_AT", "read")
        .args(["run", "--quiet", "--period", "2025-06", "--roster", "in/roster.xlsx", "--expenses"])
        .arg("in/expenses.xlsx")
        .arg("--out")
        .arg(dir.join("held-out"))
        .arg("--state")
        .arg(state)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    assert!(lines.by_ref().map_while(Result::ok).any(|l| l.contains("paused at read")), "no pause");
    child
}

/// Every CSV of a run folder, by name.
fn csvs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    files.sort();
    files
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

fn pence(v: &serde_json::Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not money: {v}"));
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (pounds, p) = s.split_once('.').unwrap();
    let value = pounds.parse::<i64>().unwrap() * 100 + p.parse::<i64>().unwrap();
    if neg {
        -value
    } else {
        value
    }
}

#[test]
fn failures_stay_with_their_organisation_and_outputs_match_single_runs() {
    let dir = plan_folder();
    let d = dir.path();
    let plan = write_plan(
        d,
        &[
            org("MISS", "in/no-such-roster.xlsx", None),
            org("RATE", "in/roster.xlsx", Some("config/RATE")),
            org("LOCK", "in/roster.xlsx", None),
            org("PLAIN", "in/roster.xlsx", None),
        ],
    );
    let mut held = hold_lock(d, &d.join("state/LOCK"));
    let batch = payrun_in(d, &["batch", "--quiet", plan.to_str().unwrap()]);
    held.kill().unwrap();
    held.wait().unwrap();
    assert_eq!(code(&batch), 7, "{}", stderr(&batch));
    let err = stderr(&batch);
    assert!(err.contains("MISS exit 3") && err.contains("LOCK exit 4"), "{err}");
    assert!(!err.contains("RATE exit") && !err.contains("PLAIN exit"), "{err}");

    let summary = json(&d.join("batch-2025-06.json"));
    assert_eq!(summary["period"], "2025-06");
    let orgs = summary["organisations"].as_array().unwrap();
    let by_code: Vec<(&str, &str, i64)> = orgs
        .iter()
        .map(|o| {
            (o["code"].as_str().unwrap(), o["status"].as_str().unwrap(), o["exit_code"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        by_code,
        [("MISS", "FAILED", 3), ("RATE", "OK", 0), ("LOCK", "FAILED", 4), ("PLAIN", "OK", 0)],
        "plan order"
    );
    assert!(orgs[0]["message"].as_str().unwrap().contains("no-such-roster"), "{}", orgs[0]["message"]);
    assert!(!d.join("out/MISS").exists() && !d.join("out/LOCK/2025-06").exists());

    // The organisation's own rate decides its mileage.
    let rate_m = json(&d.join("out/RATE/2025-06/manifest.json"));
    let plain_m = json(&d.join("out/PLAIN/2025-06/manifest.json"));
    assert_eq!(rate_m["organisation"], "RATE");
    assert!(rate_m["config_dir"].as_str().unwrap().ends_with("config/RATE"));
    assert_ne!(rate_m["config_hash"], plain_m["config_hash"]);
    let allowed = |m: &serde_json::Value| pence(&m["reconciliation"]["allowed"]);
    assert!(allowed(&rate_m) > allowed(&plain_m), "30p a mile pays more than 25p");
    let rate_d = Csv::read(&d.join("out/RATE/2025-06/decisions.csv"));
    let plain_d = Csv::read(&d.join("out/PLAIN/2025-06/decisions.csv"));
    let differing: Vec<String> = rate_d
        .rows
        .iter()
        .zip(&plain_d.rows)
        .filter(|(a, b)| rate_d.get(a, "allowed") != plain_d.get(b, "allowed"))
        .map(|(a, _)| rate_d.get(a, "pay_element"))
        .collect();
    assert!(!differing.is_empty());
    assert!(differing.iter().all(|c| c == "MILEAGE"), "only mileage differs: {differing:?}");

    // Byte-identical to `payrun run` with the same arguments.
    for (org_code, config) in [("RATE", Some("config/RATE")), ("PLAIN", None)] {
        let single_out = d.join("single").join(org_code);
        let state = d.join("single-state").join(org_code);
        let mut args = vec![
            "run".to_string(),
            "--quiet".into(),
            "--period".into(),
            "2025-06".into(),
            "--org".into(),
            org_code.into(),
            "--roster".into(),
            "in/roster.xlsx".into(),
            "--expenses".into(),
            "in/expenses.xlsx".into(),
            "--out".into(),
            single_out.display().to_string(),
            "--state".into(),
            state.display().to_string(),
        ];
        if let Some(c) = config {
            args.extend(["--config".to_string(), c.to_string()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let single = payrun_in(d, &refs);
        assert_eq!(code(&single), 0, "{}", stderr(&single));
        let batch_csvs = csvs(&d.join("out").join(org_code).join("2025-06"));
        assert!(batch_csvs.len() >= 6, "{}", batch_csvs.len());
        assert!(batch_csvs == csvs(&single_out), "{org_code}: batch and single run differ");
    }

    // Totals are the sum of the finished organisations' manifests.
    let totals = &summary["totals"];
    assert_eq!(totals["organisations"], 4);
    assert_eq!(totals["failed"], 2);
    for key in ["claimed", "allowed", "withheld", "deferred"] {
        let sum = pence(&rate_m["reconciliation"][key]) + pence(&plain_m["reconciliation"][key]);
        assert_eq!(pence(&totals[key]), sum, "{key}");
    }
    let lines = rate_m["reconciliation"]["lines_read"].as_i64().unwrap()
        + plain_m["reconciliation"]["lines_read"].as_i64().unwrap();
    assert_eq!(totals["lines_read"], lines);

    // The Control sheet: one row per organisation, then the totals.
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(d.join("batch-2025-06.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Control"]);
    let range = book.worksheet_range("Control").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows.iter().position(|r| r.first() == Some(&Data::String("Code".into()))).unwrap();
    let col = |name: &str| rows[header].iter().position(|c| *c == Data::String(name.into())).unwrap();
    let codes: Vec<String> = rows[header + 1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(codes, ["MISS", "RATE", "LOCK", "PLAIN", "Total"]);
    let total_row = rows[header + 5];
    let claimed = match &total_row[col("Claimed")] {
        Data::Float(f) => (f * 100.0).round() as i64,
        other => panic!("claimed total {other:?}"),
    };
    assert_eq!(claimed, pence(&totals["claimed"]));
    assert_eq!(rows[header + 3][col("Status")], Data::String("FAILED".into()));
    assert_eq!(rows[header + 3][col("Exit code")], Data::Float(4.0));
}

#[test]
fn a_plan_naming_an_organisation_twice_runs_nothing() {
    let dir = plan_folder();
    let d = dir.path();
    let plan = write_plan(d, &[org("RP5", "in/roster.xlsx", None), org("RP5", "in/roster.xlsx", None)]);
    let out = payrun_in(d, &["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("twice"), "{}", stderr(&out));
    assert!(!d.join("out").exists() && !d.join("state").exists());
    assert!(!d.join("batch-2025-06.json").exists());

    std::fs::write(&plan, "period = \"2025-06\"\nout = \"out/{period}\"\nstate = \"state/{org}\"\n").unwrap();
    let no_org = payrun_in(d, &["batch", plan.to_str().unwrap()]);
    assert_eq!(code(&no_org), 2, "{}", stderr(&no_org));
    assert!(stderr(&no_org).contains("out:"), "{}", stderr(&no_org));
    let missing = payrun_in(d, &["batch", "no-such-plan.toml"]);
    assert_eq!(code(&missing), 2, "{}", stderr(&missing));
}

#[test]
fn a_clean_batch_exits_0_and_writes_the_summary_where_asked() {
    let dir = plan_folder();
    let d = dir.path();
    let plan =
        write_plan(d, &[org("A", "in/roster.xlsx", None), org("B", "in/roster.xlsx", Some("config/RATE"))]);
    std::fs::write(
        &plan,
        std::fs::read_to_string(&plan).unwrap().replace("jobs = 2", "jobs = 1\nno_xlsx = true"),
    )
    .unwrap();
    let out = payrun_in(d, &["batch", "--quiet", "--summary", "reports", plan.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // --quiet: nothing but the note that each new ledger was created (issue 19).
    let noise: Vec<String> =
        stderr(&out).lines().filter(|l| !l.contains("created a new one")).map(String::from).collect();
    assert!(noise.is_empty(), "--quiet: {}", stderr(&out));
    assert!(d.join("reports/batch-2025-06.json").is_file() && d.join("reports/batch-2025-06.xlsx").is_file());
    assert!(!d.join("out/A/2025-06/exceptions-2025-06.xlsx").exists(), "no_xlsx");
    assert!(d.join("state/B/ledger.sqlite").is_file());
    // A second batch of the same period re-runs it (same period, not an earlier one).
    let again = payrun_in(d, &["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
}

#[test]
fn fail_on_is_recorded_as_fail_on_and_the_batch_exits_7() {
    let dir = plan_folder();
    let d = dir.path();
    let plan = write_plan(d, &[org("A", "in/roster.xlsx", None)]);
    std::fs::write(&plan, format!("fail_on = \"warning\"\n{}", std::fs::read_to_string(&plan).unwrap()))
        .unwrap();
    let out = payrun_in(d, &["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let summary = json(&d.join("batch-2025-06.json"));
    let a = &summary["organisations"][0];
    assert_eq!(a["status"], "FAIL_ON");
    assert_eq!(a["exit_code"], 6);
    assert!(a["lines_read"].as_i64().unwrap() > 0, "figures from the outputs' manifest");
    assert!(d.join("out/A/2025-06/decisions.csv").is_file(), "outputs written");
}
