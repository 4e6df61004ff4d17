//! Ledger unit tests: figures, idempotence, history cut-off, migrations,
//! version refusal, locks, atomic commits.

use super::*;
use crate::model::history::AbsenceEpisode;
use crate::model::history::ContentKey;
use crate::model::{AbsenceType, Category, Miles, Pence};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn paid(claim: &str, line_no: i64, assignment: &str, date: NaiveDate, pence: i64) -> PaidLine {
    PaidLine {
        claim_id: claim.into(),
        line_no,
        assignment: assignment.into(),
        expense_date: date,
        category: Category::Bus,
        claimed: Pence(pence),
        allowed: Pence(pence),
        miles: None,
        from: String::new(),
        to: String::new(),
    }
}

/// What a run stores beside its record: its manifest.
fn manifest(record: &PeriodRecord) -> String {
    format!(r#"{{"period":"{}"}}"#, record.period)
}

fn june() -> PeriodRecord {
    PeriodRecord {
        period: "2025-06".into(),
        paid_lines: vec![
            paid("C1", 1, "E1", d(2025, 5, 3), 450),
            PaidLine {
                category: Category::MileageCar,
                miles: Some(Miles(1234)),
                from: " dri ".into(),
                to: "Bdgh".into(),
                ..paid("C1", 2, "E1", d(2025, 5, 4), 6910)
            },
        ],
        sr_miles: vec![("E1".into(), 2025, Miles(20_000)), ("E1".into(), 2025, Miles(1_000))],
        amap_miles: vec![("E1".into(), 2025, Miles(21_000))],
        relocation: vec![
            ("E2".into(), Some(d(2025, 1, 6)), Pence(300_000), Pence(50_000)),
            ("E3".into(), None, Pence(1_000), Pence(0)),
        ],
        absences: vec![AbsenceEpisode {
            assignment: "E2".into(),
            start_date: d(2025, 5, 12),
            end_date: d(2025, 5, 13),
            absence_type: AbsenceType::Emergency,
            hours_x100: 1500,
            paid_hours_x100: 1500,
            unpaid_hours_x100: 0,
        }],
        sickness_rows: vec![],
        returns: vec![],
        bradford_stages: vec![("E4".into(), 1)],
        protection_topups: vec![("E5".into(), Pence(12_345))],
        p11d: vec![
            ("E1".into(), 2024, 'E', Pence(150)),
            ("E1".into(), 2025, 'E', Pence(200)),
            ("E1".into(), 2025, 'E', Pence(25)),
            ("E2".into(), 2025, 'J', Pence(300_000)),
        ],
        deferred: vec![deferred_c5()],
        settled: vec![],
        kit_days: vec![],
        kit_paid: vec![],
        batch: Default::default(),
        review_actions: Vec::new(),
    }
}

/// A line June deferred (SPEC §12.1).
fn deferred_c5() -> DeferredLine {
    let mut columns = vec![String::new(); crate::model::schema::CLAIMS.len()];
    columns[0] = "C5".into();
    columns[1] = "1".into();
    DeferredLine {
        claim_id: "C5".into(),
        line_no: 1,
        content_hash: "h5".into(),
        carried_from: "2025-06".into(),
        file: "may.xlsx".into(),
        sheet: "Claims".into(),
        row: 7,
        columns,
    }
}

fn july() -> PeriodRecord {
    PeriodRecord {
        period: "2025-07".into(),
        paid_lines: vec![paid("C9", 1, "E1", d(2025, 6, 3), 500)],
        sr_miles: vec![("E1".into(), 2025, Miles(15_000))],
        amap_miles: vec![],
        relocation: vec![("E2".into(), Some(d(2025, 1, 6)), Pence(100_000), Pence(0))],
        absences: vec![AbsenceEpisode {
            // The same episode as June's, seen again with a new split.
            hours_x100: 1500,
            paid_hours_x100: 1000,
            unpaid_hours_x100: 500,
            ..june().absences[0].clone()
        }],
        sickness_rows: vec![],
        returns: vec![],
        bradford_stages: vec![("E4".into(), 2)],
        protection_topups: vec![],
        p11d: vec![("E1".into(), 2025, 'E', Pence(1_000))],
        deferred: vec![],
        settled: vec![SettledLine {
            claim_id: "C5".into(),
            line_no: 1,
            content_hash: "h5".into(),
            carried_from: "2025-06".into(),
            status: "PAID",
        }],
        kit_days: vec![],
        kit_paid: vec![],
        batch: Default::default(),
        review_actions: Vec::new(),
    }
}

fn export_bytes(ledger: &Ledger, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = ledger
        .export(dir)
        .unwrap()
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn deferred_lines_are_carried_by_the_next_period_and_settled_after() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let d = |y, m| d(y, m, 1);
    ledger.commit(&june(), &manifest(&june())).unwrap();
    assert_eq!(ledger.carried(d(2025, 7)).unwrap(), [("2025-06".to_string(), deferred_c5())]);
    // A later period with no run of July in between still carries them.
    assert_eq!(ledger.carried(d(2025, 9)).unwrap().len(), 1);
    // June itself (a re-run) carries what May held: nothing.
    assert!(ledger.carried(d(2025, 6)).unwrap().is_empty());
    ledger.commit(&july(), &manifest(&july())).unwrap();
    assert!(ledger.carried(d(2025, 8)).unwrap().is_empty(), "July decided it");
    let key = ("C5".to_string(), 1, "h5".to_string());
    let settled = ledger.settled(d(2025, 8)).unwrap();
    assert_eq!(settled.get(&key), Some(&("2025-07".to_string(), "2025-06".to_string())));
    assert!(ledger.settled(d(2025, 7)).unwrap().is_empty(), "only periods before the run's");
    // A re-run of July replaces its settled lines.
    let rerun = PeriodRecord { settled: vec![], ..july() };
    ledger.commit(&rerun, &manifest(&rerun)).unwrap();
    assert!(ledger.settled(d(2025, 8)).unwrap().is_empty());
}

#[test]
fn a_ledger_records_one_organisation() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.organisation().unwrap(), None);
    ledger.claim_organisation(Some("RP5"), true).unwrap();
    assert_eq!(ledger.organisation().unwrap().as_deref(), Some("RP5"));
    ledger.claim_organisation(Some("RP5"), true).unwrap();
    let err = ledger.claim_organisation(Some("R1H"), true).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("RP5") && err.to_string().contains("R1H"), "{err}");
    assert_eq!(ledger.claim_organisation(None, true).unwrap_err().exit_code(), 2);
    drop(ledger);
    let other = tempfile::tempdir().unwrap();
    let mut plain = Ledger::open(other.path()).unwrap();
    plain.claim_organisation(None, true).unwrap();
    assert_eq!(plain.organisation().unwrap().as_deref(), Some(NO_ORGANISATION));
    assert_eq!(plain.claim_organisation(Some("RP5"), false).unwrap_err().exit_code(), 2);
}

#[test]
fn commit_then_history_figures() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.latest_period().unwrap(), None);
    ledger.commit(&june(), &manifest(&june())).unwrap();
    assert_eq!(ledger.latest_period().unwrap().as_deref(), Some("2025-06"));

    let h = ledger.history(d(2025, 7, 1)).unwrap();
    assert!(h.is_paid("C1", 1) && h.is_paid("C1", 2) && !h.is_paid("C1", 3));
    // Two SR entries for one year in one period add up.
    assert_eq!(h.sr_miles_before("E1", 2025), Miles(21_000));
    assert_eq!(h.sr_miles_before("E1", 2024), Miles::ZERO);
    assert_eq!(h.amap_miles_before("E1", 2025), Miles(21_000));
    let rel = h.relocation_paid("E2", Some(d(2025, 1, 6))).unwrap();
    assert_eq!((rel.total, rel.misc), (Pence(300_000), Pence(50_000)));
    assert_eq!(h.relocation_paid("E3", None).unwrap().total, Pence(1_000));
    assert!(h.relocation_paid("E2", None).is_none());
    assert_eq!(h.bradford_stage_reached("E4"), 1);
    // P11D by tax year and section; two entries for one key add up.
    let p11d: Vec<_> = h.p11d.iter().map(|((a, y, s), p)| (a.as_str(), *y, *s, p.0)).collect();
    assert_eq!(p11d, [("E1", 2024, 'E', 150), ("E1", 2025, 'E', 225), ("E2", 2025, 'J', 300_000)]);
    assert_eq!(h.paid_hours_starting_in("E2", AbsenceType::Emergency, d(2024, 5, 12), d(2025, 5, 31)), 1500);
    // Content keys are normalised the way DUP001 compares them.
    let key = ContentKey::from_parts(
        "E1",
        d(2025, 5, 4),
        Category::MileageCar,
        Pence(6910),
        "DRI",
        " bdgh",
        Some(Miles(1234)),
    );
    assert_eq!(h.paid_with_content(&key), Some(&("C1".to_string(), 2)));
    let bus = ContentKey::from_parts("E1", d(2025, 5, 3), Category::Bus, Pence(450), "x", "y", None);
    assert_eq!(h.paid_with_content(&bus), Some(&("C1".to_string(), 1)));

    // A second period adds up year to date; the latest record of an episode stands.
    ledger.commit(&july(), &manifest(&july())).unwrap();
    let h = ledger.history(d(2025, 8, 1)).unwrap();
    assert_eq!(h.sr_miles_before("E1", 2025), Miles(36_000));
    assert_eq!(h.relocation_paid("E2", Some(d(2025, 1, 6))).unwrap().total, Pence(400_000));
    assert_eq!(h.absences.len(), 1);
    assert_eq!(h.absences[0].paid_hours_x100, 1000);
    assert_eq!(h.bradford_stage_reached("E4"), 2);
    assert_eq!(h.p11d[&("E1".to_string(), 2025, 'E')], Pence(1_225));
    assert_eq!(ledger.protection_paid(d(2025, 8, 1)).unwrap(), vec![("E5".to_string(), Pence(12_345))]);
    assert_eq!(ledger.periods().unwrap(), vec!["2025-06", "2025-07"]);
    assert_eq!(ledger.periods_after("2025-06").unwrap(), vec!["2025-07"]);
    assert!(ledger.periods_after("2025-07").unwrap().is_empty());
}

#[test]
fn history_excludes_the_same_and_later_periods() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    ledger.commit(&july(), &manifest(&july())).unwrap();
    // A run of June (or a --rerun of it) sees nothing of June or July.
    let h = ledger.history(d(2025, 6, 1)).unwrap();
    assert!(h.paid_keys.is_empty() && h.paid_content.is_empty());
    assert!(h.sr_miles.is_empty() && h.amap_miles.is_empty() && h.relocation.is_empty());
    assert!(h.absences.is_empty() && h.bradford_stage.is_empty() && h.p11d.is_empty());
    // A run of July sees June only: June's split of the episode, not July's.
    let h = ledger.history(d(2025, 7, 1)).unwrap();
    assert!(h.is_paid("C1", 1) && !h.is_paid("C9", 1));
    assert_eq!(h.sr_miles_before("E1", 2025), Miles(21_000));
    assert_eq!(h.absences[0].paid_hours_x100, 1500);
    assert_eq!(h.bradford_stage_reached("E4"), 1);
}

#[test]
fn recommitting_a_period_replaces_exactly_its_entries() {
    let state = tempfile::tempdir().unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    ledger.commit(&july(), &manifest(&july())).unwrap();
    let once = export_bytes(&ledger, a.path());
    ledger.commit(&june(), &manifest(&june())).unwrap();
    let twice = export_bytes(&ledger, b.path());
    assert_eq!(once, twice, "re-committing June changed the ledger");
    assert_eq!(once.len(), schema::TABLES.len());
    assert!(once.iter().all(|(_, bytes)| !bytes.is_empty()), "every CSV has a header");

    // A changed June replaces June's rows and leaves July's alone.
    let mut smaller = june();
    smaller.paid_lines.truncate(1);
    smaller.sr_miles = vec![("E1".into(), 2025, Miles(10))];
    ledger.commit(&smaller, &manifest(&smaller)).unwrap();
    let h = ledger.history(d(2025, 8, 1)).unwrap();
    assert!(h.is_paid("C1", 1) && !h.is_paid("C1", 2) && h.is_paid("C9", 1));
    assert_eq!(h.sr_miles_before("E1", 2025), Miles(15_010));
}

#[test]
fn a_failed_commit_leaves_the_ledger_as_it_was() {
    let state = tempfile::tempdir().unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    let before = export_bytes(&ledger, a.path());
    // The same key twice is a primary-key violation half way through the
    // transaction, after June's old entries were already deleted.
    let mut broken = june();
    broken.paid_lines.push(broken.paid_lines[0].clone());
    assert!(matches!(ledger.commit(&broken, &manifest(&broken)), Err(Error::Internal(_))));
    assert_eq!(before, export_bytes(&ledger, b.path()));
}

#[test]
fn export_orders_rows_by_key_and_names_units() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&july(), &manifest(&july())).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    ledger.export(out.path()).unwrap();
    let text = std::fs::read_to_string(out.path().join("paid_lines.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "period,claim_id,line_no,assignment,expense_date,category,claimed_pence,allowed_pence,miles_tenths,from_place,to_place"
    );
    assert!(lines[1].starts_with("2025-06,C1,1,E1,2025-05-03,BUS,450,450,,"));
    assert!(lines[3].starts_with("2025-07,C9,1"));
    assert!(out.path().join("runs.csv").is_file());
}

#[test]
fn a_first_version_ledger_is_migrated_and_keeps_its_data() {
    let state = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(state.path().join(LEDGER_FILE)).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO paid_lines VALUES ('2025-04','C7',1,'E1','2025-03-03','BUS',450,450,NULL,'','');
             INSERT INTO sr_miles VALUES ('2025-05','E1',2025,5000);",
        )
        .unwrap();
    }
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::CURRENT);
    const { assert!(schema::CURRENT >= 2) };
    // v2's runs table was backfilled from the periods v1 data mentions.
    assert_eq!(ledger.periods().unwrap(), vec!["2025-04", "2025-05"]);
    assert_eq!(ledger.latest_period().unwrap().as_deref(), Some("2025-05"));
    let h = ledger.history(d(2025, 6, 1)).unwrap();
    assert!(h.is_paid("C7", 1));
    assert_eq!(h.sr_miles_before("E1", 2025), Miles(5000));
    drop(ledger);
    // Opening again is a no-op.
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.periods().unwrap().len(), 2);
}

#[test]
fn a_second_version_ledger_gains_the_p11d_table_and_keeps_its_data() {
    let state = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(state.path().join(LEDGER_FILE)).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.execute_batch(schema::V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO runs VALUES ('2025-05', '{}');
             INSERT INTO protection_topups VALUES ('2025-05','E5',12345);",
        )
        .unwrap();
    }
    let mut ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::CURRENT);
    assert_eq!(ledger.periods().unwrap(), vec!["2025-05"]);
    assert_eq!(ledger.protection_paid(d(2025, 6, 1)).unwrap(), vec![("E5".to_string(), Pence(12_345))]);
    assert!(ledger.history(d(2025, 6, 1)).unwrap().p11d.is_empty());
    // The new table takes a period's entries, and a re-commit replaces them.
    ledger.commit(&june(), &manifest(&june())).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    let h = ledger.history(d(2025, 7, 1)).unwrap();
    assert_eq!(h.p11d[&("E2".to_string(), 2025, 'J')], Pence(300_000));
    assert_eq!(h.p11d[&("E1".to_string(), 2025, 'E')], Pence(225));
}

#[test]
fn a_newer_ledger_is_refused_with_a_clear_message() {
    let state = tempfile::tempdir().unwrap();
    drop(Ledger::open(state.path()).unwrap());
    {
        let conn = Connection::open(state.path().join(LEDGER_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    for result in [Ledger::open(state.path()), Ledger::open_read_only(state.path())] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Internal(_)));
        let msg = err.to_string();
        assert!(
            msg.contains(&format!(
                "ledger schema v99 is newer than this payrun (knows v{})",
                schema::CURRENT
            )) && msg.contains("upgrade payrun"),
            "{msg}"
        );
    }
    // The refusal released the lock.
    assert!(!state.path().join(LOCK_FILE).exists());
}

#[test]
fn a_live_lock_is_refused_naming_pid_and_path() {
    let state = tempfile::tempdir().unwrap();
    let held = Ledger::open(state.path()).unwrap();
    let err = Ledger::open(state.path()).unwrap_err();
    assert_eq!(err.exit_code(), 4);
    let msg = err.to_string();
    assert!(msg.contains(&format!("pid {}", std::process::id())), "{msg}");
    assert!(msg.contains(&state.path().join(LOCK_FILE).display().to_string()), "{msg}");
    // Readers need no lock.
    assert_eq!(Ledger::open_read_only(state.path()).unwrap().latest_period().unwrap(), None);
    drop(held);
    assert!(!state.path().join(LOCK_FILE).exists(), "dropping the ledger releases the lock");
    drop(Ledger::open(state.path()).unwrap());
}

#[test]
fn a_lock_note_of_a_dead_or_live_unrelated_pid_does_not_block() {
    let state = tempfile::tempdir().unwrap();
    drop(Ledger::open(state.path()).unwrap());
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    assert!(!pid_alive(dead));
    // pid 1 is alive and is not a payrun; an empty note is a kill's leftover.
    for note in [format!("{dead}\n"), "1\n".to_string(), String::new()] {
        std::fs::write(state.path().join(LOCK_FILE), &note).unwrap();
        let ledger = Ledger::open(state.path()).unwrap();
        let text = std::fs::read_to_string(state.path().join(LOCK_FILE)).unwrap();
        assert_eq!(text.lines().next().unwrap(), std::process::id().to_string());
        drop(ledger);
    }
}

#[test]
fn deleting_the_lock_note_does_not_let_a_second_run_through() {
    let state = tempfile::tempdir().unwrap();
    let held = Ledger::open(state.path()).unwrap();
    std::fs::remove_file(state.path().join(LOCK_FILE)).unwrap();
    assert_eq!(Ledger::open(state.path()).unwrap_err().exit_code(), 4);
    drop(held);
    drop(Ledger::open(state.path()).unwrap());
}

/// The file `ledger.sqlite` with these bytes, opened for a run and read-only.
fn refused(bytes: &[u8]) -> Vec<Error> {
    let state = tempfile::tempdir().unwrap();
    let path = state.path().join(LEDGER_FILE);
    std::fs::write(&path, bytes).unwrap();
    let errors =
        vec![Ledger::open(state.path()).unwrap_err(), Ledger::open_read_only(state.path()).unwrap_err()];
    // Refused, never replaced.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    for e in &errors {
        assert_eq!(e.exit_code(), 3, "{e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    }
    errors
}

#[test]
fn an_empty_or_foreign_ledger_file_is_refused_naming_it() {
    assert!(refused(b"").iter().all(|e| e.to_string().contains("empty (0 bytes)")));
    assert!(refused(b"payroll notes, not a database")
        .iter()
        .all(|e| e.to_string().contains("not an SQLite")));
    // An SQLite database, but not payrun's.
    let other = tempfile::tempdir().unwrap();
    let path = other.path().join("other.sqlite");
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(refused(&bytes).iter().all(|e| e.to_string().contains("without payrun's schema")));
}

#[test]
fn a_corrupt_ledger_is_refused_naming_it() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    drop(ledger);
    let path = state.path().join(LEDGER_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    // Keep the header page's magic, overwrite the schema and data pages.
    for b in bytes.iter_mut().skip(100) {
        *b = 0xA5;
    }
    refused(&bytes);
}

#[test]
fn a_new_ledger_is_made_whole_and_only_where_none_exists() {
    let state = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::CURRENT);
    drop(ledger);
    let names: Vec<String> = std::fs::read_dir(state.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![LEDGER_FILE.to_string()], "no temporary or lock files left");
    // A leftover of a run killed while creating one is cleared.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let other = tempfile::tempdir().unwrap();
    let leftover = other.path().join(format!(".{LEDGER_FILE}.new-{dead}"));
    std::fs::write(&leftover, "").unwrap();
    drop(Ledger::open(other.path()).unwrap());
    assert!(!leftover.exists());
}

#[test]
fn a_run_commits_then_marks_placed_and_unplaced_periods_are_listed() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.begin().unwrap();
    ledger.fill(&june(), &manifest(&june())).unwrap();
    // Not visible to a reader before the commit.
    assert_eq!(Ledger::open_read_only(state.path()).unwrap().periods().unwrap(), Vec::<String>::new());
    ledger.commit_filled().unwrap();
    assert_eq!(ledger.unplaced_periods().unwrap(), vec!["2025-06"]);
    ledger.mark_placed("2025-06").unwrap();
    assert!(ledger.unplaced_periods().unwrap().is_empty());
    // A re-commit of the period makes it unplaced again until marked.
    ledger.commit(&june(), &manifest(&june())).unwrap();
    assert_eq!(ledger.unplaced_periods().unwrap(), vec!["2025-06"]);
    assert!(ledger.mark_placed("2025-09").is_err(), "an uncommitted period cannot be marked");
    // Dropped mid-run: the transaction is rolled back.
    ledger.begin().unwrap();
    ledger.fill(&july(), &manifest(&july())).unwrap();
    drop(ledger);
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.periods().unwrap(), vec!["2025-06"]);
}

#[test]
fn a_third_version_ledger_counts_its_periods_as_placed() {
    let state = tempfile::tempdir().unwrap();
    {
        let mut conn = Connection::open(state.path().join(LEDGER_FILE)).unwrap();
        for step in &schema::MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute("INSERT INTO runs VALUES ('2025-05', '{}')", []).unwrap();
        drop(conn.transaction().unwrap());
    }
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.periods().unwrap(), vec!["2025-05"]);
    assert!(ledger.unplaced_periods().unwrap().is_empty());
}

#[test]
fn removing_a_period_is_refused_while_later_ones_exist_unless_cascading() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    ledger.commit(&july(), &manifest(&july())).unwrap();
    let err = ledger.remove("2025-06", false).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("2025-07") && err.to_string().contains("--cascade"), "{err}");
    assert_eq!(ledger.remove("2025-05", false).unwrap_err().exit_code(), 2, "not committed");
    assert_eq!(ledger.remove("2025-07", false).unwrap(), vec!["2025-07"]);
    assert_eq!(ledger.periods().unwrap(), vec!["2025-06"]);
    ledger.commit(&july(), &manifest(&july())).unwrap();
    assert_eq!(ledger.remove("2025-06", true).unwrap(), vec!["2025-06", "2025-07"]);
    assert!(ledger.periods().unwrap().is_empty());
    let h = ledger.history(d(2025, 9, 1)).unwrap();
    assert!(!h.is_paid("C1", 1) && h.sr_miles.is_empty() && h.p11d.is_empty());
}

/// SPEC §12.5: a writer killed mid-transaction (its uncommitted pages in
/// the write-ahead log) does not stop readers, who see the last committed
/// state, and the next run opens the ledger as it was. The writer is a
/// python3 child (CI has python3 for openpyxl; its sqlite3 module is part
/// of the standard library): without it the test fails rather than pass
/// unchecked.
#[test]
fn a_writer_killed_mid_transaction_does_not_stop_readers() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    ledger.commit(&june(), &manifest(&june())).unwrap();
    drop(ledger);
    let path = state.path().join(LEDGER_FILE);
    let script = format!(
        "import sqlite3,os; c=sqlite3.connect('{}', isolation_level=None); c.execute('PRAGMA cache_size=1'); \
         c.execute('BEGIN IMMEDIATE'); c.execute(\"DELETE FROM runs\"); \
         c.execute(\"CREATE TABLE junk AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) SELECT i, hex(randomblob(50)) FROM n\"); \
         os._exit(9)",
        path.display()
    );
    let status = std::process::Command::new("python3").args(["-c", &script]).status();
    assert_eq!(status.ok().and_then(|s| s.code()), Some(9), "python3 with sqlite3 runs the killed writer");
    let wal = state.path().join(format!("{LEDGER_FILE}-wal"));
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 4096),
        "the killed writer's pages are in the log"
    );
    let reader = Ledger::open_read_only(state.path()).unwrap();
    assert_eq!(reader.periods().unwrap(), vec!["2025-06"], "the last committed state");
    drop(reader);
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.periods().unwrap(), vec!["2025-06"]);
    let junk: i64 = ledger
        .conn
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'junk'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(junk, 0, "the uncommitted table is gone");
}

#[test]
fn a_read_only_ledger_refuses_commits_and_a_missing_one_is_a_usage_error() {
    let state = tempfile::tempdir().unwrap();
    assert!(matches!(Ledger::open_read_only(state.path()), Err(Error::Usage(_))));
    drop(Ledger::open(state.path()).unwrap());
    let mut ro = Ledger::open_read_only(state.path()).unwrap();
    assert!(ro.commit(&june(), &manifest(&june())).is_err());
    assert!(ro.mark_placed("2025-06").is_err());
    assert!(ro.remove("2025-06", true).is_err());
    assert!(ro.lock_path().is_none());
}

#[test]
fn a_bad_period_label_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let record = PeriodRecord { period: "2025-6".into(), ..june() };
    assert!(ledger.commit(&record, &manifest(&record)).is_err());
    assert_eq!(ledger.latest_period().unwrap(), None);
}

/// Schema v4 (issue 20): P11D relocation rows stored under section K by
/// v1–v3 move to section J, with one notice; mileage rows (E) stay, and a
/// ledger with nothing under K migrates silently.
#[test]
fn a_third_version_ledger_moves_relocation_p11d_rows_from_k_to_j_once() {
    let state = tempfile::tempdir().unwrap();
    let path = state.path().join(LEDGER_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        for step in [schema::V1, schema::V2, schema::V3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO runs VALUES ('2025-05', '{}');
             INSERT INTO p11d VALUES ('2025-05','E2',2025,'K',300000);
             INSERT INTO p11d VALUES ('2025-05','E1',2025,'E',150);",
        )
        .unwrap();
    }
    let mut conn = Connection::open(&path).unwrap();
    let notices = schema::migrate(&mut conn).unwrap();
    let moved: Vec<&String> = notices.iter().filter(|n| n.contains("section K")).collect();
    assert_eq!(moved.len(), 1, "{notices:?}");
    assert!(moved[0].contains("1 P11D relocation row(s)") && moved[0].contains("section K to section J"));
    assert!(notices.iter().any(|n| n.contains("v8") && n.contains("deferred-claims.csv")), "{notices:?}");
    assert!(schema::migrate(&mut conn).unwrap().is_empty(), "said once");
    drop(conn);
    let ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::CURRENT);
    let h = ledger.history(d(2025, 7, 1)).unwrap();
    assert_eq!(h.p11d.get(&("E2".to_string(), 2025, 'J')), Some(&Pence(300_000)));
    assert_eq!(h.p11d.get(&("E2".to_string(), 2025, 'K')), None);
    assert_eq!(h.p11d.get(&("E1".to_string(), 2025, 'E')), Some(&Pence(150)));

    let clean = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(clean.path().join(LEDGER_FILE)).unwrap();
    assert!(schema::migrate(&mut conn).unwrap().is_empty(), "a new ledger has nothing to move");
}

fn with_batch(record: PeriodRecord, run_id: &str, rows: &[(&str, &str, i64)]) -> PeriodRecord {
    PeriodRecord {
        batch: BatchSnapshot {
            run_id: run_id.into(),
            config_hash: format!("hash-{run_id}"),
            batch_name: format!("PAYRUN EXPENSES {}", record.period),
            rows: rows.iter().map(|(a, e, p)| (a.to_string(), e.to_string(), Pence(*p))).collect(),
        },
        ..record
    }
}

#[test]
fn a_batch_counts_for_corrections_only_once_placed() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::NotPlaced);

    // Committed but not placed (killed before the swap): still a first run.
    ledger.commit(&with_batch(june(), "run-a", &[("E1", "MILEAGE", 4550)]), &manifest(&june())).unwrap();
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::NotPlaced);
    ledger.mark_placed("2025-06").unwrap();
    let Placement::Placed(first) = ledger.placement("2025-06").unwrap() else { panic!("not placed") };
    assert_eq!((first.run_id.as_str(), first.config_hash.as_str()), ("run-a", "hash-run-a"));
    assert_eq!(first.batch_name, "PAYRUN EXPENSES 2025-06");
    assert_eq!(first.rows, [("E1".to_string(), "MILEAGE".to_string(), Pence(4550))]);

    // A re-run commits: until it is placed, corrections still compare with run-a.
    ledger
        .commit(
            &with_batch(june(), "run-b", &[("E1", "MILEAGE", 5000), ("E2", "TRAVEL", 100)]),
            &manifest(&june()),
        )
        .unwrap();
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::Placed(first.clone()));
    let digest_pending = ledger.digest("2025-07").unwrap();
    // A period's own entries are not part of the history its run reads.
    let own = ledger.digest("2025-06").unwrap();
    ledger.mark_placed("2025-06").unwrap();
    let Placement::Placed(second) = ledger.placement("2025-06").unwrap() else { panic!("not placed") };
    assert_eq!(second.run_id, "run-b");
    assert_eq!(second.rows.len(), 2);
    // Marking twice changes nothing; the digest follows what is placed.
    ledger.mark_placed("2025-06").unwrap();
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::Placed(second));
    assert_ne!(ledger.digest("2025-07").unwrap(), digest_pending);
    assert_eq!(ledger.digest("2025-06").unwrap(), own);
    // Other periods are untouched.
    assert_eq!(ledger.placement("2025-07").unwrap(), Placement::NotPlaced);
}

#[test]
fn a_ledger_written_by_the_v3_release_migrates_in_place() {
    // tests/fixtures/ledger_v3/ledger.sqlite: written by payrun at schema v3
    // (before the payroll interface) running tests/fixtures/ingest for 2025-06.
    let fixture = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("tests/fixtures/ledger_v3/ledger.sqlite");
    let state = tempfile::tempdir().unwrap();
    std::fs::copy(&fixture, state.path().join(LEDGER_FILE)).unwrap();
    {
        let conn = Connection::open(state.path().join(LEDGER_FILE)).unwrap();
        assert_eq!(schema::version(&conn).unwrap(), 3);
    }
    let mut ledger = Ledger::open(state.path()).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::CURRENT);
    assert_eq!(ledger.periods().unwrap(), ["2025-06"]);
    assert!(ledger.history(d(2025, 7, 1)).unwrap().is_paid("C1001", 1));
    // Committed before batches were stored: no corrections possible.
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::Unrecorded);
    // A re-run killed before placing leaves it unrecorded; placed, it is known.
    ledger.commit(&with_batch(june(), "run-c", &[("E1", "MILEAGE", 1)]), &manifest(&june())).unwrap();
    assert_eq!(ledger.placement("2025-06").unwrap(), Placement::Unrecorded);
    ledger.mark_placed("2025-06").unwrap();
    assert!(matches!(ledger.placement("2025-06").unwrap(), Placement::Placed(b) if b.run_id == "run-c"));
}

/// Issue 17: paid lines go in 64 to a statement. 64 × 2 + 3 lines: two
/// full groups and three lines alone, every one stored as given.
#[test]
fn paid_lines_in_groups_are_all_stored_as_given() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let mut record = june();
    record.paid_lines = (0..131)
        .map(|i| PaidLine {
            miles: (i % 2 == 0).then_some(Miles(i)),
            from: format!("from {i}"),
            ..paid(&format!("G{i:03}"), 1 + i % 3, "E7", d(2025, 5, 1 + (i % 28) as u32), 100 + i)
        })
        .collect();
    ledger.commit(&record, &manifest(&record)).unwrap();
    let rows: Vec<(String, i64, String, i64, Option<i64>, String)> = ledger
        .conn
        .prepare(
            "SELECT claim_id, line_no, expense_date, claimed_pence, miles_tenths, from_place FROM paid_lines
             WHERE period = '2025-06' ORDER BY claim_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let expected: Vec<_> = record
        .paid_lines
        .iter()
        .map(|l| {
            let date = l.expense_date.format("%Y-%m-%d").to_string();
            (l.claim_id.clone(), l.line_no, date, l.claimed.0, l.miles.map(|m| m.0), l.from.clone())
        })
        .collect();
    assert_eq!(rows, expected);
}

/// A group that cannot be stored is stored line by line, so the error names
/// the line (here a key paid twice in one period, inside a full group).
#[test]
fn a_paid_line_that_cannot_be_stored_is_named() {
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let mut record = june();
    record.paid_lines = (0..70).map(|i| paid(&format!("H{i:03}"), 1, "E7", d(2025, 5, 2), 100)).collect();
    record.paid_lines[40] = paid("H007", 1, "E7", d(2025, 5, 2), 100);
    let err = ledger.commit(&record, &manifest(&record)).expect_err("key twice");
    assert!(err.to_string().contains("recording paid line (H007, 1)"), "{err}");
    assert_eq!(ledger.latest_period().unwrap(), None, "nothing committed");
}

#[test]
fn dates_are_written_as_iso_text() {
    let mut buf = String::from("old");
    for day in [d(2025, 1, 9), d(999, 12, 31), d(9999, 12, 31), d(10_000, 1, 1), d(-1, 3, 4)] {
        date_into(&mut buf, day);
        assert_eq!(buf, day.format("%Y-%m-%d").to_string());
    }
}

/// SPEC §10.1: a SICKNESS row keeps its reason and interview date; a later
/// period's copy of the row (same assignment, start and type) replaces the
/// earlier one, and a counted return is kept.
#[test]
fn sickness_rows_keep_reason_and_rtw_and_are_replaced_by_identity() {
    use crate::model::history::{CountedReturn, SicknessRow};
    let sick = |end: NaiveDate| AbsenceEpisode {
        assignment: "E7".into(),
        start_date: d(2025, 5, 26),
        end_date: end,
        absence_type: AbsenceType::Sickness,
        hours_x100: 0,
        paid_hours_x100: 0,
        unpaid_hours_x100: 0,
    };
    let row = |end: NaiveDate, rtw: Option<NaiveDate>| SicknessRow {
        assignment: "E7".into(),
        start_date: d(2025, 5, 26),
        end_date: end,
        sickness_reason: Some("S10 Anxiety/stress/depression/other psychiatric illnesses".into()),
        rtw_date: rtw,
    };
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let mut first = PeriodRecord { period: "2025-06".into(), ..Default::default() };
    first.absences = vec![sick(d(2025, 5, 30))];
    first.sickness_rows = vec![row(d(2025, 5, 30), None)];
    ledger.commit(&first, &manifest(&first)).unwrap();
    let mut second = PeriodRecord { period: "2025-07".into(), ..Default::default() };
    second.absences = vec![sick(d(2025, 6, 6))];
    second.sickness_rows = vec![row(d(2025, 6, 6), Some(d(2025, 6, 9)))];
    second.returns = vec![CountedReturn {
        assignment: "E7".into(),
        episode_start: d(2025, 5, 26),
        day_of_return: d(2025, 6, 9),
    }];
    ledger.commit(&second, &manifest(&second)).unwrap();

    let july = ledger.history(d(2025, 7, 1)).unwrap();
    assert_eq!(july.sickness_rows["E7"], vec![row(d(2025, 5, 30), None)]);
    assert!(july.counted_returns.is_empty());
    let august = ledger.history(d(2025, 8, 1)).unwrap();
    assert_eq!(
        august.sickness_rows["E7"],
        vec![row(d(2025, 6, 6), Some(d(2025, 6, 9)))],
        "July's copy replaces June's"
    );
    assert_eq!(august.counted_returns["E7"][0].day_of_return, d(2025, 6, 9));
}

/// KIT days (SPEC §14): each period's days are kept per leave, a later
/// period's copy of a date wins, and a paid leave is remembered with the
/// period that paid it; a re-run sees only the periods before it.
#[test]
fn kit_days_are_held_per_leave_until_paid() {
    use crate::model::kit::{KitDay, KitPaid, LeaveKey};
    let leave =
        LeaveKey { assignment: "E7".into(), leave_type: AbsenceType::Maternity, start: d(2025, 1, 6) };
    let day = |date: NaiveDate, minutes: i64, row: u32| KitDay {
        leave: leave.clone(),
        date,
        minutes,
        source: format!("roster.xlsx!Shifts:{row}"),
    };
    let state = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(state.path()).unwrap();
    let june =
        PeriodRecord { kit_days: vec![day(d(2025, 5, 12), 450, 4), day(d(2025, 5, 20), 270, 9)], ..june() };
    ledger.commit(&june, &manifest(&june)).unwrap();
    let july = PeriodRecord {
        kit_days: vec![day(d(2025, 5, 20), 300, 3), day(d(2025, 6, 2), 60, 5)],
        kit_paid: vec![KitPaid {
            leave: leave.clone(),
            end: d(2025, 6, 30),
            days: 3,
            minutes: 810,
            amount: Pence(10_799),
        }],
        ..july()
    };
    ledger.commit(&july, &manifest(&july)).unwrap();

    let h = ledger.history(d(2025, 8, 1)).unwrap();
    let days: Vec<_> = h.kit_days.iter().map(|k| (k.date, k.minutes, k.source.as_str())).collect();
    assert_eq!(
        days,
        [
            (d(2025, 5, 12), 450, "roster.xlsx!Shifts:4"),
            (d(2025, 5, 20), 300, "roster.xlsx!Shifts:3"),
            (d(2025, 6, 2), 60, "roster.xlsx!Shifts:5"),
        ]
    );
    assert_eq!(h.kit_paid.get(&leave).map(String::as_str), Some("2025-07"));
    // July's own re-run sees June only: not yet paid, June's copy of the 20th.
    let h = ledger.history(d(2025, 7, 1)).unwrap();
    assert!(h.kit_paid.is_empty());
    assert_eq!(h.kit_days.iter().map(|k| k.minutes).collect::<Vec<_>>(), [450, 270]);
}
