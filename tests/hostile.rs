//! The hostile-input corpus (issue 9): every file under `tests/fixtures/bad/`
//! run through `payrun run`, as listed in `cases.toml` (generated with the
//! files by `make_bad.py`). For each case: the exit code and a message
//! fragment; never exit 101 (panic) nor death by a signal; no output on a
//! failed run; and on a complete run every claim line in decisions.csv and
//! the expected findings (rule, `file!sheet:row`, column and raw value) in
//! exceptions.csv.

use crate::common::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    what: String,
    roster: String,
    expenses: Vec<String>,
    exit: i32,
    /// A fragment of stderr (exit ≠ 0) or of some finding's message (exit 0).
    message: String,
    /// Claim lines decisions.csv must hold (exit 0).
    rows: Option<usize>,
    #[serde(default)]
    limits: BTreeMap<String, u64>,
    #[serde(default)]
    finding: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    source: String,
    /// Checked only when not empty.
    column: String,
    raw: String,
}

fn bad(rel: &str) -> PathBuf {
    fixture("bad").join(rel)
}

/// A copy of the bundled config with `[limits]` keys replaced.
fn config_with(dir: &Path, limits: &BTreeMap<String, u64>) -> PathBuf {
    let config = dir.join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::copy(root().join("config/columns.toml"), config.join("columns.toml")).unwrap();
    let mut policy = std::fs::read_to_string(root().join("config/policy.toml")).unwrap();
    for (key, value) in limits {
        let start = policy.find(&format!("\n{key} =")).unwrap_or_else(|| panic!("no limit {key}")) + 1;
        let end = start + policy[start..].find('\n').unwrap();
        policy.replace_range(start..end, &format!("{key} = {value}"));
    }
    std::fs::write(config.join("policy.toml"), policy).unwrap();
    config
}

/// Runs one case; returns what went wrong, if anything.
fn check(case: &Case) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let expenses: Vec<PathBuf> = case.expenses.iter().map(|e| bad(e)).collect();
    let expense_refs: Vec<&Path> = expenses.iter().map(PathBuf::as_path).collect();
    let config;
    let mut extra: Vec<&str> = Vec::new();
    if !case.limits.is_empty() {
        config = config_with(dir.path(), &case.limits).display().to_string();
        extra.extend(["--config", config.as_str()]);
    }
    let out = run_period("2025-06", &bad(&case.roster), &expense_refs, &out_dir, &extra);
    let err = stderr(&out);
    let mut problems = Vec::new();
    let Some(code) = out.status.code() else {
        return vec![format!("killed by a signal: {:?}\n{err}", out.status)];
    };
    if code == 101 || err.contains("panicked") {
        problems.push(format!("panicked (exit {code}): {err}"));
    }
    if code != case.exit {
        problems.push(format!("exit {code}, expected {}: {err}", case.exit));
        return problems;
    }
    let leftovers: Vec<String> = std::fs::read_dir(&out_dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    if leftovers.iter().any(|f| f.ends_with(".tmp")) {
        problems.push(format!("temporary files left behind: {leftovers:?}"));
    }
    if code != 0 {
        if !err.contains(&case.message) {
            problems.push(format!("stderr lacks {:?}: {err}", case.message));
        }
        if leftovers.iter().any(|f| f.ends_with(".csv") || f.ends_with(".json")) {
            problems.push(format!("outputs written on a failed run: {leftovers:?}"));
        }
        return problems;
    }

    let decisions = Csv::read(&out_dir.join("decisions.csv"));
    if let Some(rows) = case.rows {
        if decisions.rows.len() != rows {
            problems.push(format!("decisions.csv has {} rows, expected {rows}", decisions.rows.len()));
        }
    }
    let exceptions = Csv::read(&out_dir.join("exceptions.csv"));
    let (rule, source, message) =
        (exceptions.col("rule"), exceptions.col("source"), exceptions.col("message"));
    if !case.message.is_empty() && !exceptions.rows.iter().any(|r| r[message].contains(&case.message)) {
        problems.push(format!("no finding message contains {:?}", case.message));
    }
    for want in &case.finding {
        let hit = exceptions.rows.iter().any(|r| {
            r[rule] == want.rule
                && r[source] == want.source
                && (want.column.is_empty() || r[message].contains(&format!("column {} ", want.column)))
                && (want.raw.is_empty() || r[message].contains(&format!("'{}", want.raw)))
        });
        if !hit {
            let near: Vec<String> = exceptions
                .rows
                .iter()
                .filter(|r| r[source] == want.source)
                .map(|r| format!("{} {}", r[rule], r[message]))
                .collect();
            problems.push(format!("missing finding {want:?}; findings at that source: {near:?}"));
        }
    }
    problems
}

#[test]
fn every_hostile_input_gives_its_exit_code_and_message_and_never_panics() {
    let text = std::fs::read_to_string(bad("cases.toml")).unwrap();
    let manifest: Manifest = toml::from_str(&text).unwrap();
    assert!(manifest.case.len() >= 30, "the corpus holds at least 30 cases");
    let mut failures = Vec::new();
    for case in &manifest.case {
        for p in check(case) {
            failures.push(format!("{} ({}): {p}", case.name, case.what));
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n\n"));
}
