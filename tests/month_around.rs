//! Issue 27 (SPEC §12.1, §12.4, §12.5): deferred lines carried by the
//! ledger from month to month whether or not last month's deferred file is
//! fed back; an old file fed in late neither pays twice nor rejects as
//! duplicates; one ledger per organisation; a damaged ledger is exit 3; a
//! run that cannot read its inputs creates no ledger.

use crate::common::inputs::*;
use crate::common::*;
use std::path::{Path, PathBuf};

/// E1 with a day shift at DRI on every expense day used below.
fn roster(dir: &Path) -> PathBuf {
    let days = ["2025-05-14", "2025-05-20", "2025-06-10", "2025-06-20", "2025-07-08", "2025-07-15"];
    let shifts: Vec<Row> = days.iter().map(|d| shift("E1", d, "08:00", "16:00", "DRI", "DAY")).collect();
    write_roster(dir, &[staff("E1")], &shifts, &[])
}

fn sundry(claim_id: &str, date: &str, submitted: &str, approved: &str, amount: &str) -> Row {
    with(
        claim(claim_id, 1, "E1", date, submitted, "SUNDRY", amount),
        &[("approved_date", approved), ("description", "Stationery")],
    )
}

/// Pay period 2025-06 (activity May, cut-off Wed 4 June): A1 paid; D1
/// approved after the cut-off and D2 incurred in June are deferred to
/// 2025-07; D3 incurred in July is deferred twice, to 2025-08.
fn month1(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("claims-06.csv"),
        &[
            sundry("A1", "2025-05-14", "2025-05-15", "2025-05-16", "5.00"),
            sundry("D1", "2025-05-20", "2025-05-21", "2025-06-10", "7.00"),
            sundry("D2", "2025-06-10", "2025-06-11", "2025-06-12", "8.00"),
            sundry("D3", "2025-07-08", "2025-07-09", "2025-07-10", "9.00"),
        ],
    )
}

fn month2(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("claims-07.csv"),
        &[sundry("B1", "2025-06-20", "2025-06-21", "2025-06-22", "4.00")],
    )
}

fn month3(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("claims-08.csv"),
        &[sundry("C1", "2025-07-15", "2025-07-16", "2025-07-17", "3.00")],
    )
}

/// `payrun run` of `period` on `state` with the expenses files given.
fn run_on(
    period: &str,
    roster: &Path,
    expenses: &[&Path],
    out: &Path,
    state: &Path,
    extra: &[&str],
) -> Output {
    let mut args: Vec<String> = ["run", "--quiet", "--no-xlsx", "--period", period, "--roster"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(roster.display().to_string());
    for e in expenses {
        args.push("--expenses".into());
        args.push(e.display().to_string());
    }
    for (flag, path) in [("--out", out), ("--state", state)] {
        args.push(flag.into());
        args.push(path.display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    payrun(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

use std::process::Output;

#[track_caller]
fn ok(o: &Output) {
    assert_eq!(code(o), 0, "{}", stderr(o));
}

/// (claim_id, status, carried_from) of every decision, in order.
fn decided(out: &Path) -> Vec<(String, String, String)> {
    let d = Csv::read(&out.join("decisions.csv"));
    assert_eq!(d.header.last().map(String::as_str), Some("carried_from"), "carried_from is the last column");
    d.rows.iter().map(|r| (d.get(r, "claim_id"), d.get(r, "status"), d.get(r, "carried_from"))).collect()
}

fn rules_fired(out: &Path) -> Vec<String> {
    let e = Csv::read(&out.join("exceptions.csv"));
    e.rows.iter().map(|r| e.get(r, "rule")).collect()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn row(claim: &str, status: &str, from: &str) -> (String, String, String) {
    (claim.to_string(), status.to_string(), from.to_string())
}

#[test]
fn deferred_lines_are_decided_next_month_without_the_deferred_file() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    let outs = [t.join("out-06"), t.join("out-07"), t.join("out-08")];

    ok(&run_on("2025-06", &roster, &[&month1(t)], &outs[0], &state, &[]));
    assert_eq!(
        decided(&outs[0]),
        [
            row("A1", "PAID", ""),
            row("D1", "DEFERRED", ""),
            row("D2", "DEFERRED", ""),
            row("D3", "DEFERRED", "")
        ]
    );
    let shown = payrun(&["ledger", "show", "--deferred", "--state", &state.display().to_string()]);
    ok(&shown);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("3 deferred line(s), total £24.00, carried into a run of 2025-07"), "{text}");
    assert!(text.contains("claims-06.csv!Claims:3"), "{text}");

    // July: only July's export. May's deferred lines come from the ledger.
    ok(&run_on("2025-07", &roster, &[&month2(t)], &outs[1], &state, &[]));
    assert_eq!(
        decided(&outs[1]),
        [
            row("B1", "PAID", ""),
            row("D1", "PAID", "2025-06"),
            row("D2", "PAID", "2025-06"),
            row("D3", "DEFERRED", "2025-06")
        ]
    );
    let m = manifest(&outs[1]);
    assert_eq!(m["reconciliation"]["lines_read"], 4);
    assert_eq!(m["reconciliation"]["carried_from_ledger"], 3);
    assert_eq!(m["settled_before"], 0);
    // Findings on a carried line name its original row.
    let e = Csv::read(&outs[1].join("exceptions.csv"));
    let d3 = e.find(&[("claim_id", "D3"), ("rule", "CUT001")]);
    assert_eq!(e.get(d3[0], "source"), "claims-06.csv!Claims:5 (carried from 2025-06)");

    // August: D3, deferred twice, still carried; decided once.
    ok(&run_on("2025-08", &roster, &[&month3(t)], &outs[2], &state, &[]));
    assert_eq!(decided(&outs[2]), [row("C1", "PAID", ""), row("D3", "PAID", "2025-06")]);
    for out in &outs {
        assert!(!rules_fired(out).iter().any(|r| r.starts_with("DUP")), "{}: no DUP", out.display());
    }
}

#[test]
fn feeding_the_deferred_file_back_gives_the_same_decisions_and_no_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let roster = roster(&t.join("roster"));
    let (carried, fed) = (t.join("carried"), t.join("fed"));
    let (m1, m2, m3) = (month1(t), month2(t), month3(t));
    for (base, feed) in [(&carried, false), (&fed, true)] {
        let state = base.join("state");
        let out = |p: &str| base.join(format!("out-{p}"));
        ok(&run_on("2025-06", &roster, &[&m1], &out("06"), &state, &[]));
        let back = out("06").join("deferred-claims.csv");
        let files: Vec<&Path> = if feed { vec![&m2, &back] } else { vec![&m2] };
        ok(&run_on("2025-07", &roster, &files, &out("07"), &state, &[]));
        let back = out("07").join("deferred-claims.csv");
        let files: Vec<&Path> = if feed { vec![&m3, &back] } else { vec![&m3] };
        ok(&run_on("2025-08", &roster, &files, &out("08"), &state, &[]));
    }
    for p in ["07", "08"] {
        let (a, b) = (carried.join(format!("out-{p}")), fed.join(format!("out-{p}")));
        assert_eq!(
            std::fs::read(a.join("decisions.csv")).unwrap(),
            std::fs::read(b.join("decisions.csv")).unwrap(),
            "2025-{p}: identical decisions whether the file is fed back or not"
        );
        assert_eq!(
            std::fs::read(a.join("adjustments.csv")).unwrap(),
            std::fs::read(b.join("adjustments.csv")).unwrap()
        );
        assert!(!rules_fired(&b).iter().any(|r| r.starts_with("DUP")), "2025-{p}: no DUP");
    }
}

#[test]
fn an_old_deferred_file_in_month_three_is_settled_before_not_a_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    let out = |p: &str| t.join(format!("out-{p}"));
    ok(&run_on("2025-06", &roster, &[&month1(t)], &out("06"), &state, &[]));
    ok(&run_on("2025-07", &roster, &[&month2(t)], &out("07"), &state, &[]));
    // June's file again, two months late: D1 and D2 were paid in July; D3
    // is still deferred (held by the ledger) and is this file's line.
    let old = out("06").join("deferred-claims.csv");
    ok(&run_on("2025-08", &roster, &[&month3(t), &old], &out("08"), &state, &[]));
    assert_eq!(decided(&out("08")), [row("C1", "PAID", ""), row("D3", "PAID", "2025-06")]);
    let e = Csv::read(&out("08").join("exceptions.csv"));
    let settled = e.find(&[("rule", "CUT003")]);
    assert_eq!(settled.len(), 2, "one CUT003 per line settled before");
    for (f, claim) in settled.iter().zip(["D1", "D2"]) {
        assert_eq!(e.get(f, "severity"), "INFO");
        let message = e.get(f, "message");
        assert!(message.contains(&format!("claim {claim} line 1")), "{message}");
        assert!(message.contains("already settled in 2025-07"), "{message}");
    }
    assert!(!rules_fired(&out("08")).iter().any(|r| r.starts_with("DUP")), "no DUP002");
    let m = manifest(&out("08"));
    assert_eq!(m["settled_before"], 2);
    assert_eq!(
        m["reconciliation"]["lines_read"], 4,
        "1 export line + 3 file lines = 2 decisions + 2 settled"
    );
    assert_eq!(m["reconciliation"]["decisions_written"], 2);
    assert_eq!(m["reconciliation"]["passed"], true);
}

#[test]
fn a_resubmitted_line_with_other_content_replaces_the_deferred_one() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    ok(&run_on("2025-06", &roster, &[&month1(t)], &t.join("out-06"), &state, &[]));
    // D1 comes back in July's export corrected to £6.50.
    let july = write_claims(
        &t.join("claims-07b.csv"),
        &[
            sundry("B1", "2025-06-20", "2025-06-21", "2025-06-22", "4.00"),
            sundry("D1", "2025-05-20", "2025-05-21", "2025-06-10", "6.50"),
        ],
    );
    let out = t.join("out-07");
    ok(&run_on("2025-07", &roster, &[&july], &out, &state, &[]));
    let d = Csv::read(&out.join("decisions.csv"));
    let d1 = d.find(&[("claim_id", "D1")]);
    assert_eq!(d1.len(), 1, "one D1 decided: the input's copy");
    assert_eq!((d.get(d1[0], "claimed"), d.get(d1[0], "status")), ("6.50".into(), "PAID".into()));
    assert_eq!(d.get(d1[0], "rules"), "CUT002");
    let e = Csv::read(&out.join("exceptions.csv"));
    let note = e.find(&[("rule", "CUT002")]);
    assert_eq!(note.len(), 1);
    assert!(e.get(note[0], "message").contains("replaces the line deferred in 2025-06"));
    assert_eq!(e.get(note[0], "severity"), "INFO");
    // D2 and D3 are still carried.
    assert_eq!(d.rows.len(), 4);
}

#[test]
fn a_run_for_another_organisation_on_a_marked_ledger_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, claims) = (roster(&t.join("roster")), month1(t));
    let state = t.join("state");
    ok(&run_on("2025-06", &roster, &[&claims], &t.join("o1"), &state, &["--org", "RP5"]));
    let o = run_on("2025-06", &roster, &[&claims], &t.join("o2"), &state, &["--org", "R1H"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("RP5") && err.contains("R1H"), "names both: {err}");
    assert!(!t.join("o2").exists(), "nothing written");
    // No --org on RP5's ledger is another organisation too.
    let o = run_on("2025-07", &roster, &[&month2(t)], &t.join("o3"), &state, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // And --org on a ledger used without one.
    let plain = t.join("plain");
    ok(&run_on("2025-06", &roster, &[&claims], &t.join("o4"), &plain, &[]));
    let o = run_on("2025-07", &roster, &[&month2(t)], &t.join("o5"), &plain, &["--org", "RP5"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("none"), "{}", stderr(&o));
    // The ledger commands check the mark as well.
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string(), "--org", "R1H"]);
    assert_eq!(code(&show), 2, "{}", stderr(&show));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string(), "--org", "RP5"]);
    ok(&show);
}

#[test]
fn an_unmarked_old_ledger_takes_its_first_organisation_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let state = t.join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::copy(fixture("ledger_v3/ledger.sqlite"), state.join("ledger.sqlite")).unwrap();
    let roster = roster(&t.join("roster"));
    let o = run_on("2025-09", &roster, &[&month3(t)], &t.join("o1"), &state, &["--org", "RP5"]);
    ok(&o);
    assert!(stderr(&o).contains("did not record its organisation"), "{}", stderr(&o));
    assert!(stderr(&o).contains("marked as the ledger of RP5"), "{}", stderr(&o));
    let o = run_on("2025-10", &roster, &[&month3(t)], &t.join("o2"), &state, &["--org", "R1H"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn a_run_whose_input_is_missing_creates_no_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let roster = roster(&t.join("roster"));
    let state = t.join("state");
    let o = run_on("2025-06", &roster, &[&t.join("no-such.csv")], &t.join("out"), &state, &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("no-such.csv"), "{}", stderr(&o));
    assert!(!state.join("ledger.sqlite").exists(), "no ledger created");
}

#[test]
fn a_new_ledger_of_a_failed_first_run_shows_no_periods() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // A roster without its Shifts sheet: exit 3 once the inputs are read.
    let roster = roster(&t.join("roster"));
    std::fs::remove_file(roster.join("Shifts.csv")).unwrap();
    let state = t.join("state");
    let o = run_on("2025-06", &roster, &[&month1(t)], &t.join("out"), &state, &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let show = payrun(&["ledger", "show", "--state", &state.display().to_string()]);
    ok(&show);
    assert!(String::from_utf8_lossy(&show.stdout).contains("committed periods: none"));
}

/// A committed ledger, then damaged by `damage`: run, show and export all
/// exit 3 naming the ledger.
fn refused_everywhere(damage: impl Fn(&Path)) {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    ok(&run_on("2025-06", &roster, &[&month1(t)], &t.join("o1"), &state, &[]));
    damage(&state.join("ledger.sqlite"));
    let s = state.display().to_string();
    let run = run_on("2025-07", &roster, &[&month2(t)], &t.join("o2"), &state, &[]);
    let show = payrun(&["ledger", "show", "--state", &s]);
    let export = payrun(&["ledger", "export", "--state", &s, "--out", &t.join("x").display().to_string()]);
    for (what, o) in [("run", run), ("show", show), ("export", export)] {
        assert_eq!(code(&o), 3, "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains("ledger.sqlite"), "{what} names the ledger: {}", stderr(&o));
    }
}

#[test]
fn a_truncated_ledger_is_exit_3_in_run_show_and_export() {
    refused_everywhere(|path| {
        let len = std::fs::metadata(path).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        f.set_len(len / 2).unwrap();
    });
}

#[test]
fn a_ledger_whose_schema_was_altered_is_exit_3_in_run_show_and_export() {
    refused_everywhere(|path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("ALTER TABLE paid_lines DROP COLUMN to_place").unwrap();
    });
    refused_everywhere(|path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("DROP TABLE p11d").unwrap();
    });
}

#[test]
fn a_deferred_line_both_resent_by_the_export_and_fed_back_is_decided_once() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    ok(&run_on("2025-06", &roster, &[&month1(t)], &t.join("out-06"), &state, &[]));
    // July's export still carries D1 as it was; June's file is fed back too.
    let july = write_claims(
        &t.join("claims-07c.csv"),
        &[
            sundry("B1", "2025-06-20", "2025-06-21", "2025-06-22", "4.00"),
            sundry("D1", "2025-05-20", "2025-05-21", "2025-06-10", "7.00"),
        ],
    );
    let back = t.join("out-06").join("deferred-claims.csv");
    let out = t.join("out-07");
    ok(&run_on("2025-07", &roster, &[&july, &back], &out, &state, &[]));
    assert_eq!(
        decided(&out),
        [
            row("B1", "PAID", ""),
            row("D1", "PAID", "2025-06"),
            row("D2", "PAID", "2025-06"),
            row("D3", "DEFERRED", "2025-06")
        ]
    );
    let fired = rules_fired(&out);
    assert!(!fired.iter().any(|r| r.starts_with("DUP") || r == "DAT005"), "{fired:?}");
    let e = Csv::read(&out.join("exceptions.csv"));
    let copy = e.find(&[("rule", "CUT003")]);
    assert_eq!(copy.len(), 1, "the fed-back copy of D1 is reported, not decided");
    assert_eq!(e.get(copy[0], "source"), "deferred-claims.csv!Claims:2");
    assert!(e.get(copy[0], "message").contains("claims-07c.csv!Claims:3"), "{}", e.get(copy[0], "message"));
    let m = manifest(&out);
    assert_eq!(
        (m["settled_before"].as_u64(), m["reconciliation"]["lines_read"].as_u64()),
        (Some(1), Some(5))
    );
}

#[test]
fn a_rerun_carries_as_of_its_own_history() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (roster, state) = (roster(&t.join("roster")), t.join("state"));
    let out = |p: &str| t.join(format!("out-{p}"));
    ok(&run_on("2025-06", &roster, &[&month1(t)], &out("06"), &state, &[]));
    ok(&run_on("2025-07", &roster, &[&month2(t)], &out("07"), &state, &[]));
    let first = std::fs::read(out("07").join("decisions.csv")).unwrap();
    ok(&run_on("2025-08", &roster, &[&month3(t)], &out("08"), &state, &[]));
    // July again, after August: it carries June's deferred lines again, not August's.
    ok(&run_on("2025-07", &roster, &[&month2(t)], &t.join("out-07b"), &state, &["--rerun"]));
    assert_eq!(std::fs::read(t.join("out-07b").join("decisions.csv")).unwrap(), first);
}
