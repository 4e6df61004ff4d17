//! The command line end to end: exit codes (SPEC §4.4), DAT001, the rule
//! catalogue, deferred lines fed back, determinism across thread counts.

use crate::common::*;
use std::path::Path;

fn fixture_run(out: &Path, extra: &[&str]) -> std::process::Output {
    run_period("2025-06", &fixture("ingest/roster.xlsx"), &[&fixture("ingest/expenses.xlsx")], out, extra)
}

#[test]
fn complete_run_exits_0_and_writes_every_machine_file() {
    let dir = out_dir();
    let out = fixture_run(dir.path(), &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for f in [
        "decisions.csv",
        "exceptions.csv",
        "adjustments.csv",
        "deferred-claims.csv",
        "p11d.csv",
        "manifest.json",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["reconciliation"]["passed"], true);
    assert_eq!(manifest["period"], "2025-06");
    assert_eq!(manifest["cutoff"], "2025-06-04");
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    for input in inputs {
        assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
    }
    // Σ allowed of paid lines = Σ expense lines of adjustments.csv = £5,029.70.
    assert_eq!(manifest["reconciliation"]["adjustments_expense_total"], "5029.70");
    let adj = Csv::read(&dir.path().join("adjustments.csv"));
    let total: i64 =
        adj.rows.iter().map(|r| (adj.get(r, "amount").parse::<f64>().unwrap() * 100.0).round() as i64).sum();
    assert_eq!(total, 502970);
}

#[cfg(unix)]
#[test]
fn outputs_are_readable_by_owner_and_group_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = out_dir();
    assert_eq!(code(&fixture_run(dir.path(), &[])), 0);
    let mode = std::fs::metadata(dir.path().join("decisions.csv")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777 & !0o022, 0o640 & !0o022, "mode {mode:o}");
    assert_eq!(mode & 0o007, 0, "world bits set: {mode:o}");
}

#[test]
fn bad_command_line_exits_2() {
    assert_eq!(code(&payrun(&["run", "--period", "2025-06"])), 2);
    let dir = out_dir();
    let bad_period = run_period(
        "June",
        &fixture("ingest/roster.xlsx"),
        &[&fixture("ingest/expenses.xlsx")],
        dir.path(),
        &[],
    );
    assert_eq!(code(&bad_period), 2, "{}", stderr(&bad_period));
    assert!(stderr(&bad_period).contains("YYYY-MM"));
    assert_eq!(code(&payrun(&["no-such-command"])), 2);
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["check", "--help"],
        vec!["rules", "--help"],
        vec!["sample", "--help"],
        vec!["ledger", "--help"],
        vec!["ledger", "show", "--help"],
        vec!["ledger", "export", "--help"],
        vec!["config", "init", "--help"],
        vec!["config", "check", "--help"],
        vec!["batch", "--help"],
        vec!["insights", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let out = payrun(&cmd);
        assert_eq!(code(&out), 0, "{cmd:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn unreadable_input_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"this is not a workbook").unwrap();
    let out = run_period("2025-06", &fixture("ingest/roster.xlsx"), &[&junk], &dir.path().join("out"), &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("junk.xlsx"));
    assert!(!dir.path().join("out/decisions.csv").exists());
    let missing = run_period(
        "2025-06",
        &fixture("ingest/roster.xlsx"),
        &[&dir.path().join("nope.xlsx")],
        &dir.path().join("missing"),
        &[],
    );
    assert_eq!(code(&missing), 3);
}

/// DAT001: a Claims CSV without its amount column stops the run, naming the
/// file, sheet, column and the aliases tried.
#[test]
fn missing_required_column_exits_3_naming_file_sheet_column_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("ingest/csv/claims.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let amount = rows[0].iter().position(|h| h.to_lowercase().contains("amount")).expect("amount header");
    let path = dir.path().join("claims-no-amount.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in &rows {
        let kept: Vec<&str> = r.iter().enumerate().filter(|(i, _)| *i != amount).map(|(_, v)| v).collect();
        w.write_record(kept).unwrap();
    }
    w.flush().unwrap();
    let out = run_period("2025-06", &fixture("ingest/csv"), &[&path], &dir.path().join("out"), &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let msg = stderr(&out);
    for part in
        ["DAT001", "claims-no-amount.csv", "sheet Claims", "'amount'", "Amount Claimed", "Claimed Amount"]
    {
        assert!(msg.contains(part), "{part} not in: {msg}");
    }
}

#[test]
fn missing_required_sheet_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    // A roster folder without Absences.csv.
    let roster = dir.path().join("roster");
    std::fs::create_dir(&roster).unwrap();
    for f in ["Staff.csv", "Shifts.csv"] {
        std::fs::copy(fixture("ingest/csv").join(f), roster.join(f)).unwrap();
    }
    let out =
        run_period("2025-06", &roster, &[&fixture("ingest/csv/claims.csv")], &dir.path().join("out"), &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("Absences"));
}

#[test]
fn fail_on_warning_exits_6_after_writing_outputs() {
    let dir = out_dir();
    let out = fixture_run(dir.path(), &["--fail-on", "warning"]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(dir.path().join("decisions.csv").is_file());
}

#[test]
fn rules_lists_every_implemented_code_with_its_policy_reference() {
    let out = payrun(&["rules"]);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    for code in payrun::rules::CATALOGUE.iter().map(|r| r.code) {
        let line = text.lines().find(|l| l.starts_with(code)).unwrap_or_else(|| panic!("{code} not listed"));
        let rule = payrun::rules::by_code(code).unwrap();
        assert!(line.contains(rule.policy_ref), "{line}");
    }
    let one = payrun(&["rules", "AGE001"]);
    assert!(String::from_utf8_lossy(&one.stdout).contains("CORP/EMP 33 §4.1"));
}

#[test]
fn check_prints_rows_per_sheet_and_findings_by_code() {
    let out = payrun(&[
        "check",
        "--roster",
        fixture("ingest/roster.xlsx").to_str().unwrap(),
        "--expenses",
        fixture("ingest/expenses.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Claims") && text.contains("17 rows"), "{text}");
    assert!(text.contains("DAT006 2"), "{text}");
    let bad = payrun(&["check", "--roster", "/nonexistent.xlsx", "--expenses", "/nonexistent.xlsx"]);
    assert_eq!(code(&bad), 3);
}

/// SPEC §13: `check` names the rows, not only counts: on the terminal the
/// first 20, with `--out` every one, as file!sheet:row, column, raw value,
/// code and message — the roster's skipped rows and the claims' alike.
#[test]
fn check_lists_the_rows_with_data_findings() {
    let dir = tempfile::tempdir().unwrap();
    let csv_out = dir.path().join("check.csv");
    let args = |out: Option<&str>| {
        let mut a = vec![
            "check".to_string(),
            "--roster".into(),
            fixture("bad/roster_bad_cells.xlsx").display().to_string(),
            "--expenses".into(),
            fixture("ingest/expenses.xlsx").display().to_string(),
        ];
        if let Some(o) = out {
            a.extend(["--out".to_string(), o.to_string()]);
        }
        a
    };
    let plain = payrun(&args(None).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    let text = String::from_utf8_lossy(&plain.stdout).into_owned();
    assert!(text.contains("rows with data findings (source, column, raw value, code, message):"), "{text}");
    let listed: Vec<&str> =
        text.lines().skip_while(|l| !l.starts_with("rows with data findings")).skip(1).collect();
    assert!(listed.iter().any(|l| l.contains("expenses.xlsx!Claims:") && l.contains("DAT006")), "{text}");
    assert!(listed.iter().any(|l| l.contains("roster_bad_cells.xlsx!") && l.contains("DAT002")), "{text}");

    let written =
        payrun(&args(Some(csv_out.to_str().unwrap())).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&written), 0, "{}", stderr(&written));
    let all = Csv::read(&csv_out);
    assert_eq!(all.header, ["source", "column", "raw", "code", "message"]);
    let shown = listed.iter().filter(|l| l.starts_with("  ") && !l.starts_with("  …")).count();
    assert_eq!(shown, all.rows.len().min(20));
    if all.rows.len() > 20 {
        assert!(text.contains(&format!("… and {} more", all.rows.len() - 20)), "{text}");
    }
    // Every DAT count of the summary is a row of the file.
    let dat006 = all.find(&[("code", "DAT006")]);
    assert_eq!(dat006.len(), 2);
    assert!(dat006.iter().all(|r| all.get(r, "column") == "amount" || all.get(r, "column") == "miles"));
    let bad_cell = all.find(&[("code", "DAT002")]);
    assert!(bad_cell.iter().any(|r| !all.get(r, "column").is_empty() && !all.get(r, "raw").is_empty()));
    // Every option has help text.
    let help = String::from_utf8_lossy(&payrun(&["check", "--help"]).stdout).into_owned();
    for option in ["--roster", "--expenses", "--config", "--out"] {
        let line = help.lines().find(|l| l.trim_start().starts_with(option)).unwrap();
        let at = help.find(line).unwrap() + line.len();
        let described = line.trim_start().len() > option.len() + 12
            || help[at..].lines().next().is_some_and(|n| n.starts_with("          "));
        assert!(described, "{option} has no help: {help}");
    }
}

/// A line deferred in June's run (approved after the cut-off) is fed back
/// into July's run through deferred-claims.csv and decided there.
#[test]
fn deferred_line_is_decided_the_next_month() {
    let june = out_dir();
    assert_eq!(code(&fixture_run(june.path(), &[])), 0);
    let deferred = Csv::read(&june.path().join("deferred-claims.csv"));
    assert_eq!(deferred.rows.len(), 2);
    let july = out_dir();
    let out = run_period(
        "2025-07",
        &fixture("ingest/roster.xlsx"),
        &[&june.path().join("deferred-claims.csv")],
        july.path(),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = Csv::read(&july.path().join("decisions.csv"));
    // C1007/1 (May expense approved 5 June) is paid in July.
    let row = d.find(&[("claim_id", "C1007"), ("line_no", "1")]);
    assert_eq!(row.len(), 1);
    assert_eq!(d.get(row[0], "status"), "PAID");
    assert_eq!(d.get(row[0], "allowed"), "2.90");
    // C1008/1 was incurred in June itself: in July's run (activity month June) it is decided too.
    let row = d.find(&[("claim_id", "C1008"), ("line_no", "1")]);
    assert_ne!(d.get(row[0], "status"), "DEFERRED");
}

fn csv_bytes(dir: &Path) -> Vec<Vec<u8>> {
    ["decisions.csv", "exceptions.csv", "adjustments.csv", "deferred-claims.csv"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect()
}

#[test]
fn same_inputs_give_byte_identical_csvs_whatever_the_thread_count() {
    let mut outputs = Vec::new();
    for threads in ["1", "2", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_payrun"))
            .current_dir(root())
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "--quiet", "--period", "2025-06", "--roster"])
            .arg(fixture("ingest/roster.xlsx"))
            .arg("--expenses")
            .arg(fixture("ingest/expenses.xlsx"))
            .arg("--out")
            .arg(dir.path().join("out"))
            // Its own ledger: not the repository's default payrun-state/.
            .arg("--state")
            .arg(dir.path().join("state"))
            .output()
            .unwrap();
        assert_eq!(code(&out), 0);
        outputs.push(csv_bytes(&dir.path().join("out")));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[1], outputs[2]);
}

/// docs/rules.md is the catalogue's own text: regenerate it with
/// `payrun rules --markdown > docs/rules.md` when a rule changes.
#[test]
fn docs_rules_md_is_generated_from_the_declarations() {
    let out = payrun(&["rules", "--markdown"]);
    assert_eq!(code(&out), 0);
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed, "docs/rules.md is stale");
}

/// `payrun rules CODE` prints the rule's whole text, with the figures of the
/// configuration given (issue 18 "one text per rule").
#[test]
fn rules_code_prints_the_whole_rule_with_config_figures() {
    let out = payrun(&["rules", "SCK003"]);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    for part in [
        "SCK003 (INFO) — Attendance Management Policy §20.4, §21.1–§21.2",
        "What it checks:",
        "Policy:",
        "Effect:",
        "Example:",
        "Config:",
        "150 / 500 / 875",
    ] {
        assert!(text.contains(part), "{part:?} missing from\n{text}");
    }
    let control = String::from_utf8_lossy(&payrun(&["rules", "DUP001"]).stdout).into_owned();
    assert!(control.contains("system control; serves CORP/EMP 33 §3"), "{control}");

    // Another organisation's cap shows in the text.
    let dir = tempfile::tempdir().unwrap();
    for file in ["policy.toml", "columns.toml"] {
        let text = std::fs::read_to_string(root().join("config").join(file)).unwrap();
        let text = text.replace("total = \"8000.00\"", "total = \"9500.00\"");
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let config = dir.path().to_str().unwrap();
    let own = String::from_utf8_lossy(&payrun(&["rules", "REL001", "--config", config]).stdout).into_owned();
    assert!(own.contains("over £9,500") && !own.contains("£8,000:"), "{own}");
    let default = String::from_utf8_lossy(&payrun(&["rules", "REL001"]).stdout).into_owned();
    assert!(default.contains("over £8,000"), "{default}");
}
