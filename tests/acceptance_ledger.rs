//! Issue 3 acceptance (SPEC §5, §3.3, §6.3 rules 16–17): month N+1 knows
//! month N only through the ledger — the Special Rate threshold crossed in
//! the second month, DUP001/DUP002 against earlier periods — and a run that
//! fails or is killed after writing its outputs leaves the ledger consistent.

use crate::common::inputs::*;
use crate::common::*;
use std::path::Path;

/// E1: AFC, Special Rate approved (COMMUNITY travel), insured; a DAY shift at
/// DRI on every expense day used below.
fn roster(dir: &Path) -> std::path::PathBuf {
    let shifts: Vec<Row> =
        ["2025-04-15", "2025-05-14"].iter().map(|d| shift("E1", d, "08:00", "16:00", "DRI", "DAY")).collect();
    write_roster(dir, &[with(staff("E1"), &[("special_rate_from", "2024-01-01")])], &shifts, &[])
}

/// A Special Rate car line (COMMUNITY) of E1 priced by the claimant at 56p.
fn sr_line(claim_id: &str, date: &str, submitted: &str, miles: &str, amount: &str) -> Row {
    with(
        claim(claim_id, 1, "E1", date, submitted, "MILEAGE_CAR", amount),
        &[("from", "DRI"), ("to", "Rural round DN22"), ("miles", miles), ("travel_type", "COMMUNITY")],
    )
}

/// April's 3,400 SR miles (pay period 2025-05).
fn april(dir: &Path) -> std::path::PathBuf {
    write_claims(&dir.join("april.csv"), &[sr_line("C1", "2025-04-15", "2025-04-20", "3400", "1904.00")])
}

/// May's 200-mile line (pay period 2025-06).
fn may_line() -> Row {
    sr_line("C2", "2025-05-14", "2025-05-20", "200", "112.00")
}

fn decision<'a>(csv: &'a Csv, claim_id: &str) -> &'a Vec<String> {
    let rows = csv.find(&[("claim_id", claim_id)]);
    assert_eq!(rows.len(), 1, "{claim_id}");
    rows[0]
}

#[track_caller]
fn expect(csv: &Csv, claim_id: &str, status: &str, allowed: &str, rules: &str) {
    let r = decision(csv, claim_id);
    assert_eq!(
        (csv.get(r, "status").as_str(), csv.get(r, "allowed").as_str(), csv.get(r, "rules").as_str()),
        (status, allowed, rules),
        "{claim_id}: {r:?}"
    );
}

#[test]
fn special_rate_threshold_crossed_in_the_second_month_only_through_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let roster = roster(&t.join("roster"));
    let state = t.join("state");

    run_ok("2025-05", &roster, &april(t), &t.join("out-05"), &state);
    let m1 = Csv::read(&t.join("out-05/decisions.csv"));
    // 3,400 × 56p; AMAP 3,400 × 45p = £1,530, the £374 excess on the P11D.
    expect(&m1, "C1", "PAID", "1904.00", "TAX005");
    assert_eq!(m1.get(decision(&m1, "C1"), "p11d_amount"), "374.00");

    let may = write_claims(&t.join("may.csv"), &[may_line()]);
    run_ok("2025-06", &roster, &may, &t.join("out-06"), &state);
    let m2 = Csv::read(&t.join("out-06/decisions.csv"));
    // 100 miles at 56p (to 3,500) + 100 at 20p = £56 + £20.
    expect(&m2, "C2", "ADJUSTED", "76.00", "MIL005;MIL009");
    let exceptions = Csv::read(&t.join("out-06/exceptions.csv"));
    let mil009 = exceptions.find(&[("rule", "MIL009"), ("claim_id", "C2")]);
    assert_eq!(mil009.len(), 1);
    assert_eq!(exceptions.get(mil009[0], "severity"), "INFO");
    let adjustments = Csv::read(&t.join("out-06/adjustments.csv"));
    assert_eq!(adjustments.rows.len(), 1);
    assert_eq!(adjustments.get(&adjustments.rows[0], "amount"), "76.00");

    // The same month on an empty ledger: all 200 miles at 56p.
    run_ok("2025-06", &roster, &may, &t.join("fresh-06"), &t.join("fresh-state"));
    let fresh = Csv::read(&t.join("fresh-06/decisions.csv"));
    expect(&fresh, "C2", "PAID", "112.00", "TAX005");

    // The ledger holds both months' SR miles for financial year 2025/26.
    let ledger = payrun::ledger::Ledger::open_read_only(&state).unwrap();
    let july = ledger.history(chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()).unwrap();
    assert_eq!(july.sr_miles.get(&("E1".to_string(), 2025)), Some(&payrun::model::Miles(36_000)));
}

#[test]
fn dup002_and_dup001_against_lines_paid_in_an_earlier_period() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let roster = roster(&t.join("roster"));
    let state = t.join("state");
    run_ok("2025-05", &roster, &april(t), &t.join("out-05"), &state);

    // May's export re-sends April's line under its own key (DUP002), once
    // more under a new key (DUP001 against the ledger), and the new line.
    let resent = sr_line("C1", "2025-04-15", "2025-04-20", "3400", "1904.00");
    let rekeyed = sr_line("C3", "2025-04-15", "2025-05-02", "3400", "1904.00");
    let may = write_claims(&t.join("may.csv"), &[resent, rekeyed, may_line()]);
    run_ok("2025-06", &roster, &may, &t.join("out-06"), &state);
    let m2 = Csv::read(&t.join("out-06/decisions.csv"));
    // DUP002 wins over DUP001 for the same key (SPEC §6.3 rule 17).
    expect(&m2, "C1", "REJECTED", "0.00", "DUP002");
    expect(&m2, "C3", "REJECTED", "0.00", "DUP001");
    // Rejected lines consume no SR miles: the crossing is still April's 3,400 + 100.
    expect(&m2, "C2", "ADJUSTED", "76.00", "MIL005;MIL009");

    let exceptions = Csv::read(&t.join("out-06/exceptions.csv"));
    let dup002 = exceptions.find(&[("rule", "DUP002")]);
    assert_eq!(dup002.len(), 1);
    assert_eq!(exceptions.get(dup002[0], "claim_id"), "C1");
    assert_eq!(exceptions.get(dup002[0], "policy_ref"), payrun::rules::duplicates::DUP002.policy_ref);
    let dup001 = exceptions.find(&[("rule", "DUP001")]);
    assert_eq!(dup001.len(), 1);
    assert!(exceptions.get(dup001[0], "message").contains("C1"), "{:?}", dup001[0]);

    // Without the ledger, the same file has no DUP002, and C3 duplicates
    // C1 within the run instead (C1 is paid and crosses nothing).
    run_ok("2025-06", &roster, &may, &t.join("fresh"), &t.join("fresh-state"));
    let fresh = Csv::read(&t.join("fresh/decisions.csv"));
    expect(&fresh, "C1", "PAID", "1904.00", "TAX005");
    expect(&fresh, "C3", "REJECTED", "0.00", "DUP001");
}

/// A trigger that makes every commit fail: the failure comes while the
/// period's transaction is filled, before any output is put in place, with
/// no hook in the product.
fn break_commits(state: &Path) {
    let conn = rusqlite::Connection::open(state.join(payrun::ledger::LEDGER_FILE)).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER injected_failure BEFORE INSERT ON runs
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
}

fn mend_commits(state: &Path) {
    let conn = rusqlite::Connection::open(state.join(payrun::ledger::LEDGER_FILE)).unwrap();
    conn.execute_batch("DROP TRIGGER injected_failure;").unwrap();
}

#[test]
fn a_run_whose_ledger_write_fails_puts_nothing_in_place_and_leaves_the_ledger_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let roster = roster(&t.join("roster"));
    let state = t.join("state");
    let april = april(t);
    run_ok("2025-05", &roster, &april, &t.join("out-05"), &state);
    let before = export(&state, &t.join("before"));

    break_commits(&state);
    let may = write_claims(&t.join("may.csv"), &[may_line()]);
    let failed = run("2025-06", &roster, &may, &t.join("out-06"), &state, &[]);
    assert_eq!(code(&failed), 1, "{}", stderr(&failed));
    assert!(stderr(&failed).contains("injected failure"), "{}", stderr(&failed));
    // Nothing was put in place (SPEC §5: the commit comes before the swap)...
    assert!(!t.join("out-06").exists());
    // ...and the ledger is exactly as before, lock released.
    assert_eq!(before, export(&state, &t.join("after-new")));
    assert!(!state.join(payrun::ledger::LOCK_FILE).exists());

    // Re-running a committed period deletes its entries first: a failure
    // rolls that back too.
    let failed = run("2025-05", &roster, &april, &t.join("again-05"), &state, &[]);
    assert_eq!(code(&failed), 1, "{}", stderr(&failed));
    assert_eq!(before, export(&state, &t.join("after-rerun")));

    // Once commits work again, the month runs as if nothing had happened.
    mend_commits(&state);
    run_ok("2025-06", &roster, &may, &t.join("out-06b"), &state);
    let written = Csv::read(&t.join("out-06b/decisions.csv"));
    expect(&written, "C2", "ADJUSTED", "76.00", "MIL005;MIL009");
    let ledger = payrun::ledger::Ledger::open_read_only(&state).unwrap();
    assert_eq!(ledger.periods().unwrap(), vec!["2025-05", "2025-06"]);
}

/// Periods and paid-line counts per period in the ledger.
fn committed(state: &Path) -> Vec<(String, i64)> {
    // Read-write: a killed run's journal is rolled back on the first read.
    let conn = rusqlite::Connection::open(state.join(payrun::ledger::LEDGER_FILE)).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT r.period, (SELECT COUNT(*) FROM paid_lines p WHERE p.period = r.period)
             FROM runs r ORDER BY r.period",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

/// Whether the ledger marks the period's run as placed (its outputs in place).
fn placed(state: &Path, period: &str) -> bool {
    let conn = rusqlite::Connection::open(state.join(payrun::ledger::LEDGER_FILE)).unwrap();
    conn.query_row("SELECT placed FROM runs WHERE period = ?1", [period], |r| r.get::<_, i64>(0)).unwrap()
        == 1
}

fn sample(period: &str, out: &Path) {
    let o = payrun(&[
        "sample",
        "--staff",
        "60",
        "--lines",
        "1500",
        "--seed",
        "3",
        "--period",
        period,
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Kills the second month's run at each of its pause points (the
/// `PAYRUN_PAUSE_AT` seam, so the moment does not depend on the machine's
/// speed): before the commit the ledger holds nothing of the period; after
/// it, all of it (its paid lines are those of the decisions.csv it wrote,
/// or, killed before the swap, it is not marked placed); the next run
/// completes either way.
#[test]
fn a_killed_run_leaves_the_ledger_consistent() {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    sample("2025-05", &t.join("s05"));
    sample("2025-06", &t.join("s06"));
    let state = t.join("state");
    let month = |period: &str, dir: &str, out: &Path| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_payrun"));
        cmd.current_dir(root())
            .env_remove("PAYRUN_PAUSE_AT")
            .args(["run", "--quiet", "--period", period, "--state"])
            .arg(&state)
            .arg("--roster")
            .arg(t.join(dir).join("roster.xlsx"))
            .arg("--expenses")
            .arg(t.join(dir).join("expenses.xlsx"))
            .arg("--out")
            .arg(out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    assert!(month("2025-05", "s05", &t.join("o05")).status().unwrap().success());
    let first = committed(&state);
    assert_eq!(first.len(), 1);

    for (i, stage) in ["read", "write", "commit", "swap", "mark"].into_iter().enumerate() {
        let out = t.join(format!("o06-{i}"));
        let mut child = month("2025-06", "s06", &out)
            .env("PAYRUN_PAUSE_AT", stage)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let wanted = format!("payrun: paused at {stage}");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        assert!(lines.any(|l| l.is_ok_and(|l| l == wanted)), "the run did not pause at {stage}");
        child.kill().unwrap();
        assert!(!child.wait().unwrap().success(), "killed at {stage}");
        let now = committed(&state);
        match stage {
            "read" | "write" | "commit" => {
                assert_eq!(now, first, "killed at {stage}: the period left entries")
            }
            "swap" => {
                // Committed, killed before its folder was swapped in: the
                // period is not marked placed, so its next run reproduces it.
                assert_eq!(now.len(), 2, "killed at swap: committed");
                assert!(!out.join("manifest.json").is_file(), "killed at swap: outputs in place");
                assert!(!placed(&state, "2025-06"), "committed without outputs yet marked placed");
            }
            _ => {
                // Committed with its outputs in place: they agree.
                let paid = now.iter().find(|(p, _)| p == "2025-06").map(|(_, n)| *n);
                let d = Csv::read(&out.join("decisions.csv"));
                let paid_rows = d
                    .rows
                    .iter()
                    .filter(|r| matches!(d.get(r, "status").as_str(), "PAID" | "ADJUSTED"))
                    .count() as i64;
                assert_eq!(paid, Some(paid_rows), "killed at mark");
                assert_eq!(now[0], first[0], "2025-05 changed");
                assert!(!placed(&state, "2025-06"), "killed at mark: marked placed");
            }
        }
        // Whatever happened, the next run on the state gets the lock.
        let redo = month("2025-06", "s06", &t.join(format!("redo-{i}"))).status().unwrap();
        assert!(redo.success(), "after a kill at {stage} the next run failed");
        assert_eq!(committed(&state).len(), 2);
        assert!(placed(&state, "2025-06"));
        // Back to month 1 only for the next stage, as an operator would.
        let removed = payrun(&[
            "ledger",
            "remove",
            "--period",
            "2025-06",
            "--yes",
            "--state",
            &state.display().to_string(),
        ]);
        assert_eq!(code(&removed), 0, "{}", stderr(&removed));
        assert_eq!(committed(&state), first);
    }
}
