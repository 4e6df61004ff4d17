//! SPEC §12.2 `--fail-on` (and a plan's `fail_on`): a comma-separated list of
//! `error`, `warning`, `data`, rule codes and families. Each kind fires (exit
//! 6 after the outputs are written, naming the items that matched and how
//! many findings) and does not fire; an unknown item is exit 2 before
//! anything runs; `fail_on = "data"` in a plan stops only the organisation
//! whose input must be fixed.

use crate::common::inputs::*;
use crate::common::*;
use std::path::{Path, PathBuf};

/// One employee and a shift on every claim day, so that the lines below
/// raise no finding but their own.
fn roster(dir: &Path) -> PathBuf {
    let shifts = ["2025-05-14", "2025-05-15"].map(|d| shift("E1", d, "09:00", "17:00", "DRI", "DAY"));
    write_roster(&dir.join("roster"), &[staff("E1")], &shifts, &[])
}

fn parking(claim_id: &str, date: &str) -> Row {
    claim(claim_id, 1, "E1", date, "2025-05-28", "PARKING", "5.00")
}

/// A paid line and a parking line with a lost receipt: RCT001 (ERROR, a
/// policy finding) and nothing else.
fn policy_only(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("policy.csv"),
        &[parking("C1", "2025-05-14"), with(parking("C2", "2025-05-15"), &[("receipt", "LOST")])],
    )
}

/// The same and a line whose line_no is not a number: DAT002 too.
fn with_bad_data(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("data.csv"),
        &[
            parking("C1", "2025-05-14"),
            with(parking("C2", "2025-05-15"), &[("receipt", "LOST")]),
            with(parking("C3", "2025-05-15"), &[("line_no", "one"), ("amount", "6.00")]),
        ],
    )
}

/// `payrun run` of June with `--fail-on ITEMS` on fresh out and state folders.
fn fail_on(dir: &Path, claims: &Path, items: &str) -> (std::process::Output, PathBuf) {
    let stem = claims.file_stem().unwrap_or_default().to_string_lossy();
    let tag: String =
        format!("{stem}-{items}").chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let out = dir.join(format!("out-{tag}"));
    let o =
        run("2025-06", &roster(dir), claims, &out, &dir.join(format!("state-{tag}")), &["--fail-on", items]);
    (o, out)
}

#[track_caller]
fn fires(dir: &Path, claims: &Path, items: &str) -> String {
    let (o, out) = fail_on(dir, claims, items);
    assert_eq!(code(&o), 6, "--fail-on {items}: {}", stderr(&o));
    assert!(out.join("decisions.csv").is_file(), "outputs written before exit 6");
    stderr(&o)
}

#[track_caller]
fn does_not_fire(dir: &Path, claims: &Path, items: &str) {
    let (o, _) = fail_on(dir, claims, items);
    assert_eq!(code(&o), 0, "--fail-on {items}: {}", stderr(&o));
}

#[test]
fn error_and_warning_still_mean_that_severity_or_worse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A line on a day without a shift: ROS002, an INFO finding, only.
    let info = write_claims(&d.join("info.csv"), &[parking("C1", "2025-05-16")]);
    does_not_fire(d, &info, "warning");
    does_not_fire(d, &info, "error");
    fires(d, &info, "ROS002");
    let err = fires(d, &policy_only(d), "error");
    assert!(err.contains("1 finding(s) matched --fail-on error (error 1)"), "{err}");
    fires(d, &policy_only(d), "warning");
}

#[test]
fn data_fires_on_dat_findings_and_not_on_policy_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // RCT001 is an ERROR, but nobody needs to fix an input: exit 0.
    does_not_fire(d, &policy_only(d), "data");
    let err = fires(d, &with_bad_data(d), "data");
    assert!(err.contains("1 finding(s) matched --fail-on data (data 1)"), "{err}");
    assert!(err.contains("outputs written to"), "{err}");
}

#[test]
fn a_code_or_a_family_fires_only_on_its_own_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let claims = policy_only(d);
    fires(d, &claims, "RCT001");
    fires(d, &claims, "rct");
    does_not_fire(d, &claims, "RCT002");
    does_not_fire(d, &claims, "SCK,DAT");
    // A list: each item that matched is named with its count, the findings
    // counted once.
    let err = fires(d, &with_bad_data(d), "data,RCT001,SCK,error");
    assert!(
        err.contains("2 finding(s) matched --fail-on data,RCT001,SCK,error (data 1, RCT001 1, error 2)"),
        "{err}"
    );
}

#[test]
fn an_unknown_item_is_exit_2_naming_it_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (items, named) in
        [("data,XYZ001", "XYZ001"), ("fatal", "fatal"), ("info", "info"), ("data,", "empty item")]
    {
        let (o, out) = fail_on(d, &policy_only(d), items);
        assert_eq!(code(&o), 2, "--fail-on {items}: {}", stderr(&o));
        assert!(stderr(&o).contains(named), "--fail-on {items}: {}", stderr(&o));
        assert!(!out.join("decisions.csv").exists(), "nothing written for --fail-on {items}");
    }
}

/// A plan with two organisations: A's input has a DAT finding, B's only
/// policy findings.
fn plan(dir: &Path, fail_on: &str) -> PathBuf {
    roster(dir);
    policy_only(dir);
    with_bad_data(dir);
    let text = format!(
        "period = \"2025-06\"\nout = \"out/{{org}}/{{period}}\"\nstate = \"state/{{org}}\"\njobs = 1\n\
         fail_on = \"{fail_on}\"\nno_xlsx = true\n\n\
         [[org]]\ncode = \"A\"\nroster = \"roster\"\nexpenses = [\"data.csv\"]\n\n\
         [[org]]\ncode = \"B\"\nroster = \"roster\"\nexpenses = [\"policy.csv\"]\n"
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_plan_fail_on_data_stops_only_the_organisation_whose_input_must_be_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = plan(d, "data");
    let o = payrun(&["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    let summary = json(&d.join("batch-2025-06.json"));
    let (a, b) = (&summary["organisations"][0], &summary["organisations"][1]);
    assert_eq!((&a["code"], &a["status"], &a["exit_code"]), (&"A".into(), &"FAIL_ON".into(), &6.into()));
    assert!(a["message"].as_str().unwrap().contains("matched --fail-on data (data 1)"), "{a}");
    assert_eq!((&b["code"], &b["status"], &b["exit_code"]), (&"B".into(), &"OK".into(), &0.into()));
    assert!(
        d.join("out/A/2025-06/decisions.csv").is_file() && d.join("out/B/2025-06/decisions.csv").is_file()
    );

    // The old `error` stops both (policy caps are ERRORs).
    let plan = plan_error(d);
    let o = payrun(&["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    let summary = json(&d.join("batch-2025-06.json"));
    assert_eq!(summary["organisations"][1]["status"], "FAIL_ON");
}

fn plan_error(dir: &Path) -> PathBuf {
    let path = plan(dir, "error");
    let text = std::fs::read_to_string(&path).unwrap();
    // A second batch of the same period re-runs it: fresh folders keep the test plain.
    std::fs::write(
        &path,
        text.replace("out/{org}", "out-error/{org}").replace("state/{org}", "state-error/{org}"),
    )
    .unwrap();
    path
}

#[test]
fn a_plan_with_an_unknown_fail_on_item_is_exit_2_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = plan(d, "data,sometimes");
    let o = payrun(&["batch", "--quiet", plan.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("fail_on") && stderr(&o).contains("'sometimes'"), "{}", stderr(&o));
    assert!(!d.join("out").exists() && !d.join("state").exists(), "nothing ran");
}
