//! Roster rows with bad cells are skipped with WARNING findings that name the
//! file, sheet, row, column and raw value (SPEC §6.2 rule 14); nothing vanishes.

use crate::common::*;
use std::path::Path;

fn roster_with(
    dir: &Path,
    staff_extra: &str,
    shifts_extra: &str,
    absences_extra: &str,
) -> std::path::PathBuf {
    let roster = dir.join("roster");
    std::fs::create_dir_all(&roster).unwrap();
    for (file, extra) in
        [("Staff.csv", staff_extra), ("Shifts.csv", shifts_extra), ("Absences.csv", absences_extra)]
    {
        let mut text = std::fs::read_to_string(fixture("ingest/csv").join(file)).unwrap();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(extra);
        std::fs::write(roster.join(file), text).unwrap();
    }
    roster
}

#[test]
fn bad_roster_rows_are_skipped_with_findings_naming_every_bad_cell() {
    let dir = tempfile::tempdir().unwrap();
    let roster = roster_with(
        dir.path(),
        concat!(
            "E2001,Bad Cells,PORTER,5,DRI,seven,37.5,\"£30,000.00\",CC1,01/04/2015,,,,,No\n",
            "E1001,Second Alice,AFC,5,DRI,7.5,37.5,\"£31,412.00\",CC100,01/04/2015,,,,,No\n",
            "E2002,No Hours,AFC,5,DRI,7.5,0,\"£30,000.00\",CC1,01/04/2015,,,,,No\n",
        ),
        "E7777,06/05/2025,08:00,16:00,DRI,DAY\n",
        "E1001,10/05/2025,09/05/2025,ANNUAL,,NONE\n",
    );
    let out_dir = dir.path().join("out");
    let out = run_period("2025-06", &roster, &[&fixture("ingest/csv/claims.csv")], &out_dir, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let e = Csv::read(&out_dir.join("exceptions.csv"));
    let of = |assignment: &str| -> Vec<(String, String, String)> {
        e.find(&[("assignment", assignment)])
            .iter()
            .filter(|r| e.get(r, "claim_id").is_empty())
            .map(|r| {
                (e.get(r, "rule"), e.get(r, "severity"), e.get(r, "message") + " @ " + &e.get(r, "source"))
            })
            .collect()
    };
    // Both bad cells of E2001 are reported (unknown staff group, unparseable miles).
    let bad = of("E2001");
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad.iter().any(|(rule, sev, m)| rule == "DAT004" && sev == "WARNING" && m.contains("PORTER")));
    assert!(bad
        .iter()
        .any(|(rule, _, m)| rule == "DAT002" && m.contains("seven") && m.contains("Home To Base Distance")));
    assert!(bad.iter().all(|(_, _, m)| m.contains("Staff.csv!Staff:")), "{bad:?}");
    // A repeated assignment keeps the first row.
    assert!(of("E1001").iter().any(|(rule, sev, _)| rule == "DAT005" && sev == "WARNING"));
    // contracted_hours 0 is DAT002.
    assert!(of("E2002").iter().any(|(rule, _, m)| rule == "DAT002" && m.contains("more than 0 hours")));
    // A shift of an unknown assignment is skipped with DAT003.
    assert!(of("E7777").iter().any(|(rule, _, m)| rule == "DAT003" && m.contains("Shifts.csv!Shifts:")));
    // An absence ending before it starts is DAT002.
    assert!(of("E1001").iter().any(|(rule, _, m)| rule == "DAT002" && m.contains("Absences.csv")));
    // E1001's claims are still decided against the first Staff row.
    let d = Csv::read(&out_dir.join("decisions.csv"));
    let row = d.find(&[("claim_id", "C1001"), ("line_no", "1")]);
    assert_eq!(d.get(row[0], "status"), "PAID");
}
