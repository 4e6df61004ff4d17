use std::collections::HashSet;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;

use super::*;
use crate::model::codes::{AbsenceType, Category};

fn options(dir: &Path, seed: u64) -> SampleOptions {
    SampleOptions {
        staff: 50,
        lines: 800,
        seed,
        out: dir.to_path_buf(),
        period: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    }
}

/// The rows of a sheet below its header row (found by its first cell).
fn rows_below_header(path: &Path, sheet: &str, first_header: &str) -> Vec<Vec<Data>> {
    let mut workbook = open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| *c == first_header))
        .unwrap_or_else(|| panic!("{sheet}: no header row"));
    rows[header + 1..].iter().filter(|r| r.iter().any(|c| !matches!(c, Data::Empty))).cloned().collect()
}

fn column_values(rows: &[Vec<Data>], col: usize) -> HashSet<String> {
    rows.iter().filter_map(|r| r.get(col)).map(|c| c.to_string()).collect()
}

#[test]
fn same_seed_gives_byte_identical_workbooks() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(a.path(), 7)).unwrap();
    generate(&options(b.path(), 7)).unwrap();
    for file in ["roster.xlsx", "expenses.xlsx"] {
        let left = std::fs::read(a.path().join(file)).unwrap();
        let right = std::fs::read(b.path().join(file)).unwrap();
        assert!(left == right, "{file} differs between two runs with the same seed");
    }
}

#[test]
fn different_seed_gives_different_workbooks() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&options(a.path(), 7)).unwrap();
    generate(&options(b.path(), 8)).unwrap();
    for file in ["roster.xlsx", "expenses.xlsx"] {
        let left = std::fs::read(a.path().join(file)).unwrap();
        let right = std::fs::read(b.path().join(file)).unwrap();
        assert_ne!(left, right, "{file} is the same for two seeds");
    }
}

#[test]
fn writes_exactly_the_requested_lines_with_every_category() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&options(dir.path(), 42)).unwrap();
    assert_eq!(summary.claim_lines, 800);
    let claims = rows_below_header(&summary.expenses, "Claims", "Claim Reference");
    assert_eq!(claims.len(), 800);
    let categories = column_values(&claims, 6);
    for category in Category::ALL {
        assert!(categories.contains(category.code()), "no {category} line");
    }
    assert!(categories.contains("MILEAGE_VAN"), "the unknown category case is missing");
}

#[test]
fn every_absence_type_and_shift_type_appears() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&options(dir.path(), 42)).unwrap();
    let absences = rows_below_header(&summary.roster, "Absences", "Assignment Number");
    assert_eq!(absences.len(), summary.absences);
    let types = column_values(&absences, 3);
    for kind in AbsenceType::ALL {
        assert!(types.contains(kind.code()), "no {kind} absence");
    }
    let shifts = rows_below_header(&summary.roster, "Shifts", "Emp No");
    assert_eq!(shifts.len(), summary.shifts);
    let types = column_values(&shifts, 5);
    for kind in crate::model::codes::ShiftType::ALL {
        assert!(types.contains(kind.code()), "no {kind} shift");
    }
    let staff = rows_below_header(&summary.roster, "Staff", "Assignment No");
    assert_eq!(staff.len(), 50 + 2, "50 people plus the two deliberately bad rows");
}

#[test]
fn fewer_lines_than_the_scripted_cases_still_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), 3);
    opts.staff = 5;
    opts.lines = 17;
    let summary = generate(&opts).unwrap();
    assert_eq!(summary.claim_lines, 17);
    let claims = rows_below_header(&summary.expenses, "Claims", "Claim Reference");
    assert_eq!(claims.len(), 17);
}

#[test]
fn every_scripted_case_finds_a_person_in_a_200_person_sample() {
    let period = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let cal = Calendar::new(period);
    for seed in [1, 2, 42] {
        let people: Vec<StaffProfile> = (0..200).map(|i| StaffProfile::generate(seed, i, &cal)).collect();
        let assigned = scenarios::assign(seed, &people, &cal, 3_000);
        let used: HashSet<usize> = assigned.by_person.iter().flatten().map(|(case, _)| *case).collect();
        for (case, scenario) in scenarios::SCENARIOS.iter().enumerate() {
            assert!(used.contains(&case), "seed {seed}: nobody fits \"{}\"", scenario.name);
        }
        assert!(assigned.lines < 600, "scripted cases should be a small share: {}", assigned.lines);
    }
}
