//! Issue 31 end to end (SPEC §11): finding ids, `payrun review import`'s
//! all-or-nothing validation (each failure leaves the ledger byte for byte as
//! it was), the next runs' payments and recoveries (PAY once, RECOVER in
//! three instalments with the remainder first, a leaver's balance listed and
//! not batched), re-runs that action the same again, workbooks filled and
//! re-saved by openpyxl and by LibreOffice, and an import killed midway.

use crate::common::inputs::*;
use crate::common::*;
use std::path::{Path, PathBuf};

/// E1 stays; E2 leaves on 20 June 2025 (a leaver from pay period 2025-07);
/// E3 is off sick twelve days without a fit note (employee findings).
fn roster(dir: &Path) -> PathBuf {
    let staff = vec![staff("E1"), with(staff("E2"), &[("leave_date", "2025-06-20")]), staff("E3")];
    let absences = vec![
        absence("E1", "2025-05-05", "2025-05-09", "SICKNESS", "SELF"),
        absence("E2", "2025-05-05", "2025-05-09", "SICKNESS", "SELF"),
        absence("E3", "2025-05-12", "2025-05-23", "SICKNESS", "NONE"),
    ];
    let shifts = vec![shift("E3", "2025-05-27", "08:00", "16:00", "DRI", "DAY")];
    write_roster(&dir.join("roster"), &staff, &shifts, &absences)
}

/// June's claims: R1 above the £5,000 line limit (REJECTED, DAT006), S1 on
/// E1's sick day (PAID, ROS001), L1 on E2's (PAID, ROS001), P1 (ADJUSTED,
/// SUB001 and ROS001).
fn june_claims(dir: &Path) -> PathBuf {
    write_claims(
        &dir.join("june.csv"),
        &[
            claim("R1", 1, "E1", "2025-05-07", "2025-05-20", "BUS", "6000.00"),
            claim("S1", 1, "E1", "2025-05-07", "2025-05-20", "BUS", "30.01"),
            claim("L1", 1, "E2", "2025-05-07", "2025-05-20", "BUS", "12.00"),
            // A hotel over the £80 cap on E1's sick day: ADJUSTED to £80 with two findings.
            claim("P1", 1, "E1", "2025-05-08", "2025-05-20", "HOTEL", "100.00"),
        ],
    )
}

/// A later month's one ordinary claim (no finding of interest).
fn month_claims(dir: &Path, period: &str) -> PathBuf {
    let (y, m) = period.split_once('-').unwrap();
    let prev = format!("{y}-{:02}", m.parse::<u32>().unwrap() - 1);
    write_claims(
        &dir.join(format!("claims-{period}.csv")),
        &[claim(&format!("M{period}"), 1, "E1", &format!("{prev}-16"), &format!("{prev}-20"), "BUS", "3.20")],
    )
}

/// (finding id, review, amount, note) of a reviews CSV.
type ReviewRow<'a> = (&'a str, &'a str, &'a str, &'a str);

struct Case {
    dir: tempfile::TempDir,
    roster: PathBuf,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let roster = roster(dir.path());
        june_claims(dir.path());
        Case { dir, roster }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn state(&self) -> PathBuf {
        self.path("state")
    }

    fn run(&self, period: &str, extra: &[&str]) -> std::process::Output {
        let claims =
            if period == "2025-06" { self.path("june.csv") } else { month_claims(self.dir.path(), period) };
        let mut args = vec!["run", "--quiet", "--period", period];
        let (roster, claims_s, out, state) = (
            self.roster.display().to_string(),
            claims.display().to_string(),
            self.path(&format!("out/{period}")).display().to_string(),
            self.state().display().to_string(),
        );
        args.extend(["--roster", &roster, "--expenses", &claims_s, "--out", &out, "--state", &state]);
        args.extend(extra);
        payrun(&args)
    }

    #[track_caller]
    fn run_ok(&self, period: &str, extra: &[&str]) -> String {
        let o = self.run(period, extra);
        assert_eq!(code(&o), 0, "{period}: {}", stderr(&o));
        stderr(&o)
    }

    /// The id of the finding of `rule` on claim `claim_id` (or, with "",
    /// the first employee finding of `rule`) in June's exceptions.csv.
    fn id(&self, rule: &str, claim_id: &str) -> String {
        let ex = Csv::read(&self.path("out/2025-06/exceptions.csv"));
        let rows = ex.find(&[("rule", rule), ("claim_id", claim_id)]);
        assert!(
            !rows.is_empty(),
            "no {rule} finding on '{claim_id}' in {:?}",
            ex.rows
                .iter()
                .map(|r| format!("{} {} {}", ex.get(r, "rule"), ex.get(r, "claim_id"), ex.get(r, "severity")))
                .collect::<Vec<_>>()
        );
        ex.get(rows[0], "finding_id")
    }

    /// Writes a reviews CSV of (finding id, review, amount, note) rows.
    fn reviews(&self, name: &str, rows: &[ReviewRow]) -> PathBuf {
        let path = self.path(name);
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["finding_id", "review", "amount", "note"]).unwrap();
        for (id, review, amount, note) in rows {
            w.write_record([id, review, amount, note]).unwrap();
        }
        w.flush().unwrap();
        path
    }

    fn import(&self, files: &[&Path], extra: &[&str]) -> std::process::Output {
        let state = self.state().display().to_string();
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let mut args = vec!["review", "import"];
        args.extend(files.iter().map(String::as_str));
        args.extend(["--state", &state]);
        args.extend(extra);
        payrun(&args)
    }

    fn ledger_bytes(&self) -> Vec<u8> {
        std::fs::read(self.state().join("ledger.sqlite")).unwrap()
    }

    /// adjustments.csv rows of `element`'s display name: (assignment, amount, source).
    fn review_rows(&self, period: &str, element: &str) -> Vec<(String, String, String)> {
        let adj = Csv::read(&self.path(&format!("out/{period}/adjustments.csv")));
        adj.find(&[("element", element)])
            .iter()
            .map(|r| (adj.get(r, "assignment"), adj.get(r, "amount"), adj.get(r, "source")))
            .collect()
    }
}

/// Replaces `from` by `to` in DIR/policy.toml (written by `payrun config init`).
fn set_policy(dir: &Path, from: &str, to: &str) {
    let policy = dir.join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains(from), "policy.toml has {from}");
    std::fs::write(&policy, text.replacen(from, to, 1)).unwrap();
}

const PAYMENT: &str = "Expenses review payment";
const RECOVERY: &str = "Expenses review recovery";

#[test]
fn finding_ids_are_the_spec_hash_and_stable_on_a_re_run() {
    let case = Case::new();
    case.run_ok("2025-06", &[]);
    let first = std::fs::read(case.path("out/2025-06/exceptions.csv")).unwrap();
    let ex = Csv::read(&case.path("out/2025-06/exceptions.csv"));
    assert_eq!(ex.header.last().map(String::as_str), Some("finding_id"));
    // SPEC §11.1: organisation|period|rule|claim_id|line_no|assignment|n.
    use sha2::{Digest, Sha256};
    let expected = format!("{:x}", Sha256::digest(b"|2025-06|DAT006|R1|1|E1|1"));
    assert_eq!(case.id("DAT006", "R1"), expected[..12]);
    let ids: std::collections::BTreeSet<String> = ex.rows.iter().map(|r| ex.get(r, "finding_id")).collect();
    assert_eq!(ids.len(), ex.rows.len(), "ids are distinct");
    case.run_ok("2025-06", &[]);
    assert_eq!(first, std::fs::read(case.path("out/2025-06/exceptions.csv")).unwrap());
}

#[test]
fn every_invalid_import_exits_2_naming_the_place_and_leaves_the_ledger_unchanged() {
    let case = Case::new();
    case.run_ok("2025-06", &[]);
    let (dat006, ros_s1) = (case.id("DAT006", "R1"), case.id("ROS001", "S1"));
    let (sub001_p1, ros001_p1) = (case.id("SUB001", "P1"), case.id("ROS001", "P1"));
    let employee = case.id("SCK002", "");
    let ros_l1 = case.id("ROS001", "L1");
    let before = case.ledger_bytes();
    let config = case.path("config");
    assert_eq!(code(&payrun(&["config", "init", &config.display().to_string()])), 0);
    set_policy(&config, "reviewers = []", "reviewers = [\"A. Auditor\"]");
    let config = config.display().to_string();

    let cases: Vec<(&str, Vec<ReviewRow>, Vec<&str>, &str)> = vec![
        ("unknown id", vec![("0123456789ab", "CLEARED", "", "")], vec![], "not in the ledger"),
        (
            "bad value",
            vec![(&dat006, "APPROVE", "", "ok")],
            vec![],
            "not one of CLEARED, QUERY, RECOVER, PAY",
        ),
        (
            "PAY over withheld",
            vec![(&dat006, "PAY", "6000.01", "overturned")],
            vec![],
            "more than was withheld",
        ),
        ("RECOVER over allowed", vec![(&ros_s1, "RECOVER", "30.02", "sick")], vec![], "more than was paid"),
        ("RECOVER on a rejected line", vec![(&dat006, "RECOVER", "1.00", "x")], vec![], "was REJECTED"),
        ("missing note", vec![(&ros_s1, "QUERY", "", "")], vec![], "needs a Review note"),
        ("PAY on an employee finding", vec![(&employee, "PAY", "5.00", "x")], vec![], "about the employee"),
        (
            "one line, two findings, PAY over the pot",
            vec![(&sub001_p1, "PAY", "10.00", "half"), (&ros001_p1, "PAY", "10.01", "the other half")],
            vec![],
            "more than was withheld",
        ),
        (
            "unknown reviewer",
            vec![(&ros_s1, "CLEARED", "", "")],
            vec!["--reviewer", "B. Nobody", "--config", &config],
            "not one of [review] reviewers",
        ),
        (
            "reviewer missing",
            vec![(&ros_s1, "CLEARED", "", "")],
            vec!["--no-reviewer"],
            "--reviewer NAME is required",
        ),
    ];
    for (what, rows, extra, reason) in cases {
        // A good row beside the bad one: all or nothing.
        let mut rows = rows.clone();
        if what != "one line, two findings, PAY over the pot" {
            rows.insert(0, (&ros_l1, "CLEARED", "", "looked at"));
        }
        let file = case.reviews("bad.csv", &rows);
        let mut args: Vec<&str> = extra.clone();
        if !args.contains(&"--reviewer") && !args.contains(&"--no-reviewer") {
            args.extend(["--reviewer", "A. Auditor"]);
        }
        args.retain(|a| *a != "--no-reviewer");
        let o = case.import(&[&file], &args);
        assert_eq!(code(&o), 2, "{what}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(reason), "{what}: {err}");
        if !what.contains("reviewer") {
            assert!(err.contains("bad.csv") && err.contains("line "), "{what} names file and line: {err}");
        }
        assert_eq!(case.ledger_bytes(), before, "{what}: the ledger is unchanged");
    }
    // The good row alone is stored, and once only.
    let file = case.reviews("good.csv", &[(&ros_s1, "CLEARED", "", "looked at")]);
    let o = case.import(&[&file], &["--reviewer", "A. Auditor", "--config", &config]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("stored 1 review"));
    let o = case.import(&[&file], &["--reviewer", "A. Auditor"]);
    assert_eq!(code(&o), 0);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("nothing stored"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn pay_once_recover_in_three_instalments_and_a_leavers_balance_listed() {
    let case = Case::new();
    case.run_ok("2025-06", &[]);
    let policy_dir = case.path("config");
    assert_eq!(code(&payrun(&["config", "init", &policy_dir.display().to_string()])), 0);
    set_policy(&policy_dir, "recovery_months = 1 ", "recovery_months = 3 ");
    let config = policy_dir.display().to_string();
    let (dat006, ros_s1, ros_l1) =
        (case.id("DAT006", "R1"), case.id("ROS001", "S1"), case.id("ROS001", "L1"));
    let file = case.reviews(
        "june-reviews.csv",
        &[
            (&dat006, "PAY", "25.00", "second journey, not a duplicate of the limit"),
            (&ros_s1, "RECOVER", "30.01", "claimed while off sick"),
            (&ros_l1, "RECOVER", "12.00", "claimed while off sick"),
        ],
    );
    let o = case.import(&[&file], &["--reviewer", "A. Auditor"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let with = ["--config", config.as_str()];
    case.run_ok("2025-07", &with);
    assert_eq!(
        case.review_rows("2025-07", PAYMENT),
        vec![("E1".into(), "25.00".into(), format!("{dat006} R1/1"))]
    );
    assert_eq!(
        case.review_rows("2025-07", RECOVERY),
        vec![("E1".into(), "-10.01".into(), format!("{ros_s1} S1/1 (1 of 3)"))],
        "the remainder in the first instalment; E2 left before the pay period: no batch line"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.path("out/2025-07/manifest.json")).unwrap()).unwrap();
    let reviews = &manifest["reviews"];
    assert_eq!((reviews["payments"].as_u64(), reviews["paid"].as_str()), (Some(1), Some("25.00")));
    assert_eq!((reviews["recoveries"].as_u64(), reviews["recovered"].as_str()), (Some(1), Some("10.01")));
    assert_eq!(
        (reviews["outstanding"].as_u64(), reviews["outstanding_total"].as_str()),
        (Some(1), Some("12.00"))
    );
    assert_eq!(manifest["reconciliation"]["review_payments"], "25.00");
    assert_eq!(manifest["reconciliation"]["review_recoveries"], "-10.01");
    let batch = std::fs::read_to_string(case.path("out/2025-07/payroll-batch.csv")).unwrap();
    assert!(batch.contains(PAYMENT) && batch.contains(RECOVERY), "{batch}");

    // A re-run of the action month carries the same: no correction.
    let err = case.run_ok("2025-07", &with);
    assert!(err.contains("no change to payroll"), "{err}");

    // An action carried cannot be changed.
    let changed = case.reviews("change.csv", &[(&dat006, "PAY", "20.00", "less")]);
    let o = case.import(&[&changed], &["--reviewer", "A. Auditor"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("already actioned"), "{}", stderr(&o));

    case.run_ok("2025-08", &with);
    assert!(case.review_rows("2025-08", PAYMENT).is_empty(), "PAY is paid once");
    assert_eq!(
        case.review_rows("2025-08", RECOVERY),
        vec![("E1".into(), "-10.00".into(), format!("{ros_s1} S1/1 (2 of 3)"))]
    );
    case.run_ok("2025-09", &with);
    assert_eq!(
        case.review_rows("2025-09", RECOVERY),
        vec![("E1".into(), "-10.00".into(), format!("{ros_s1} S1/1 (3 of 3)"))]
    );
    case.run_ok("2025-10", &with);
    assert!(case.review_rows("2025-10", RECOVERY).is_empty(), "nil after the third instalment");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.path("out/2025-10/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["reviews"]["outstanding_total"], "12.00", "the leaver's balance is still listed");

    // A --rerun of the action month after later ones: the same again.
    let err = case.run_ok("2025-07", &["--config", &config, "--rerun"]);
    assert!(err.contains("no change to payroll"), "{err}");

    let status = payrun(&["review", "status", "--state", &case.state().display().to_string()]);
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    let june = text.lines().find(|l| l.starts_with("2025-06")).unwrap_or_default().to_string();
    assert!(
        june.contains("£12.00") && june.contains("£0.00"),
        "E2's 12.00 to recover, nothing to pay: {text}"
    );
}

/// Fills the Review, Amount and Review note cells of finding `id` on the
/// workbook's ERROR / WARNING sheets with openpyxl, found by their headings.
fn fill_with_openpyxl(book: &Path, out: &Path, id: &str, review: &str, amount: &str, note: &str) {
    let script = r#"
import sys, openpyxl
book, out, fid, review, amount, note = sys.argv[1:7]
wb = openpyxl.load_workbook(book)
done = False
for ws in wb.worksheets:
    if ws.title.split(' (')[0] not in ('ERROR', 'WARNING'):
        continue
    cols = None
    for row in ws.iter_rows(min_row=1, max_row=40):
        names = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(h in names for h in ('Finding ID', 'Review', 'Amount', 'Review note')):
            cols = names
            head = row[0].row
            break
    if cols is None:
        continue
    for r in range(head + 1, ws.max_row + 1):
        if ws.cell(r, cols['Finding ID']).value == fid:
            ws.cell(r, cols['Review']).value = review
            ws.cell(r, cols['Amount']).value = float(amount) if amount else None
            ws.cell(r, cols['Review note']).value = note
            done = True
if not done:
    sys.exit('finding not found: ' + fid)
wb.save(out)
"#;
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(book)
        .arg(out)
        .args([id, review, amount, note])
        .output()
        .expect("python3 (openpyxl; .ci/run installs it)");
    assert!(o.status.success(), "openpyxl: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_workbook_filled_by_openpyxl_and_re_saved_by_libreoffice_imports() {
    let case = Case::new();
    case.run_ok("2025-06", &[]);
    let dat006 = case.id("DAT006", "R1");
    let book = case.path("out/2025-06/exceptions-2025-06.xlsx");
    let filled = case.path("openpyxl.xlsx");
    fill_with_openpyxl(&book, &filled, &dat006, "PAY", "25.5", "overturned by the manager");
    // LibreOffice re-saves the filled workbook (as a person saving it in Calc would).
    let resaved = case.path("resaved");
    std::fs::create_dir_all(&resaved).unwrap();
    let o = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&resaved)
        .arg(&filled)
        .env("HOME", case.path("lo-home"))
        .output()
        .expect("soffice (LibreOffice; .ci/run installs it)");
    assert!(o.status.success(), "soffice: {}", String::from_utf8_lossy(&o.stderr));
    let resaved = resaved.join("openpyxl.xlsx");
    assert!(resaved.is_file(), "LibreOffice wrote {}", resaved.display());
    let template = |state: &Path| {
        let out = case.path("template");
        let o = payrun(&[
            "review",
            "template",
            "--period",
            "2025-06",
            "--state",
            &state.display().to_string(),
            "--out",
            &out.display().to_string(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let t = Csv::read(&out.join("reviews-2025-06.csv"));
        let row = t.find(&[("finding_id", &dat006)])[0].clone();
        (t.get(&row, "review"), t.get(&row, "amount"), t.get(&row, "note"))
    };
    let saved_state = case.path("state-before");
    copy_dir(&case.state(), &saved_state);
    for file in [&filled, &resaved] {
        // Each import on the ledger as it was after June.
        let _ = std::fs::remove_dir_all(case.state());
        copy_dir(&saved_state, &case.state());
        let o = case.import(&[file], &["--reviewer", "A. Auditor"]);
        assert_eq!(code(&o), 0, "{}: {}", file.display(), stderr(&o));
        assert_eq!(
            template(&case.state()),
            ("PAY".into(), "25.50".into(), "overturned by the manager".into()),
            "{}",
            file.display()
        );
    }
    // A bad cell names the sheet and cell.
    let bad = case.path("bad.xlsx");
    fill_with_openpyxl(&book, &bad, &dat006, "PAY", "", "no amount");
    let o = case.import(&[&bad], &["--reviewer", "A. Auditor"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("sheet ERROR, cell "), "{}", stderr(&o));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn an_import_killed_before_its_commit_stores_nothing_and_one_let_finish_stores_it_all() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    let case = Case::new();
    case.run_ok("2025-06", &[]);
    let (dat006, ros_s1) = (case.id("DAT006", "R1"), case.id("ROS001", "S1"));
    let file =
        case.reviews("r.csv", &[(&dat006, "PAY", "25.00", "overturned"), (&ros_s1, "CLEARED", "", "")]);
    let before = export(&case.state(), &case.path("export-before"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_payrun"))
        .args(["review", "import"])
        .arg(&file)
        .args(["--reviewer", "A. Auditor", "--state"])
        .arg(case.state())
        .env("PAYRUN_PAUSE_AT", "review-commit")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line == "payrun: paused at review-commit" => break,
            Some(Ok(_)) => continue,
            _ => panic!("import ended before pausing: {:?}", child.wait()),
        }
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    assert_eq!(export(&case.state(), &case.path("export-killed")), before, "killed: nothing stored");
    let o = case.import(&[&file], &["--reviewer", "A. Auditor"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let after = export(&case.state(), &case.path("export-after"));
    let reviews =
        after.iter().find(|(n, _)| n == "reviews.csv").map(|(_, b)| String::from_utf8_lossy(b).to_string());
    let reviews = reviews.unwrap_or_default();
    assert_eq!(reviews.lines().count(), 3, "header and both reviews: {reviews}");
}
