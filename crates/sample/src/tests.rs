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
        let people = StaffProfile::workforce(seed, 200, &cal);
        let assigned = scenarios::assign(seed, &people, &cal, 3_000);
        let used: HashSet<usize> = assigned.by_person.iter().flatten().map(|(case, _)| *case).collect();
        for (case, scenario) in scenarios::SCENARIOS.iter().enumerate() {
            assert!(used.contains(&case), "seed {seed}: nobody fits \"{}\"", scenario.name);
        }
        assert!(assigned.lines < 600, "scripted cases should be a small share: {}", assigned.lines);
    }
}

/// SPEC §13: the bundled sample (`--staff 200 --lines 3000 --seed 1`) has 20–40
/// cost centres, at least three of them with 25 or more claimants, so that
/// insights' Outliers sheet (at least 10 peers of one cost centre) lists someone.
#[test]
fn the_default_sample_has_20_to_40_cost_centres_three_with_25_claimants() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SampleOptions { staff: 200, lines: 3_000, seed: 1, ..options(dir.path(), 1) };
    let summary = generate(&opts).unwrap();
    let staff = rows_below_header(&summary.roster, "Staff", "Assignment No");
    let cost_centre: std::collections::HashMap<String, String> =
        staff.iter().map(|r| (r[0].to_string(), r[9].to_string())).collect();
    let centres: HashSet<&String> = cost_centre.values().collect();
    assert!((20..=40).contains(&centres.len()), "{} cost centres", centres.len());
    let claimants = column_values(&rows_below_header(&summary.expenses, "Claims", "Claim Reference"), 2);
    let mut per_centre: std::collections::HashMap<&String, usize> = std::collections::HashMap::new();
    for assignment in claimants.iter().filter(|a| cost_centre.contains_key(*a)) {
        *per_centre.entry(&cost_centre[assignment]).or_default() += 1;
    }
    let large = per_centre.values().filter(|&&n| n >= 25).count();
    assert!(large >= 3, "cost centres with 25 or more claimants: {large} ({per_centre:?})");
}

#[test]
fn cost_centres_scale_with_the_staff_and_keep_the_site_letter() {
    let cal = Calendar::new(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
    for staff in [50, 200, 2_000] {
        let people = StaffProfile::workforce(1, staff, &cal);
        let mut sizes: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for p in &people {
            assert_eq!(p.cost_centre.len(), 5, "{}", p.cost_centre);
            assert!(p.cost_centre.starts_with(&p.base_site[..1]), "{} at {}", p.cost_centre, p.base_site);
            assert!(p.cost_centre[1..].bytes().all(|b| b.is_ascii_digit()), "{}", p.cost_centre);
            *sizes.entry(&p.cost_centre).or_default() += 1;
        }
        let per_centre = staff as f64 / sizes.len() as f64;
        assert!((4.0..=10.0).contains(&per_centre), "{staff} staff: {} cost centres", sizes.len());
        let large = sizes.values().filter(|&&n| n >= 25).count();
        assert!(large * 4 <= sizes.len(), "{staff} staff: {large} of {} cost centres are large", sizes.len());
        if staff >= 200 {
            assert!(large >= 3, "{staff} staff: {large} large departments");
        }
    }
}

#[test]
fn months_go_into_a_folder_each_and_the_last_is_the_single_month_sample() {
    let (dir, single) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let summaries = generate_months(&options(dir.path(), 9), 3).unwrap();
    let folders: Vec<_> = summaries.iter().map(|s| s.roster.parent().unwrap().to_path_buf()).collect();
    assert_eq!(folders, ["2025-04", "2025-05", "2025-06"].map(|m| dir.path().join(m)));
    generate(&options(single.path(), 9)).unwrap();
    for file in ["roster.xlsx", "expenses.xlsx"] {
        let last = std::fs::read(dir.path().join("2025-06").join(file)).unwrap();
        assert!(last == std::fs::read(single.path().join(file)).unwrap(), "{file}");
    }
    // The same people, in the same cost centres, every month.
    let staff = |month: &str| {
        let rows = rows_below_header(&dir.path().join(month).join("roster.xlsx"), "Staff", "Assignment No");
        rows.iter().map(|r| (r[0].to_string(), r[1].to_string(), r[9].to_string())).collect::<Vec<_>>()
    };
    assert_eq!(staff("2025-04"), staff("2025-06"));
    let one = tempfile::tempdir().unwrap();
    let summaries = generate_months(&options(one.path(), 9), 1).unwrap();
    assert_eq!(summaries[0].roster, one.path().join("roster.xlsx"), "one month: no month folder");
}
