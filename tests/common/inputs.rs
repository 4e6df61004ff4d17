//! Small CSV inputs built in a test: a roster folder (Staff.csv, Shifts.csv,
//! Absences.csv) and a Claims CSV, with canonical headers (SPEC §2). A row is
//! a list of (column, value) pairs; columns not given are blank.

use std::path::{Path, PathBuf};
use std::process::Output;

pub type Row = Vec<(&'static str, String)>;

pub const CLAIMS: &[&str] = &[
    "claim_id",
    "line_no",
    "assignment",
    "expense_date",
    "submitted_date",
    "approved_date",
    "category",
    "description",
    "from",
    "to",
    "miles",
    "route_miles",
    "passengers",
    "travel_type",
    "amount",
    "receipt",
    "lost_receipt_reason",
    "london",
    "depart_time",
    "return_time",
    "rail_class",
    "standard_fare",
    "public_transport_cost",
    "authorised_by",
    "exceptional",
    "alcohol_amount",
    "journey_ref",
];
pub const STAFF: &[&str] = &[
    "assignment",
    "name",
    "staff_group",
    "band",
    "base_site",
    "home_to_base_miles",
    "contracted_hours",
    "annual_salary",
    "cost_centre",
    "service_start",
    "start_date",
    "leave_date",
    "special_rate_from",
    "insurance_expiry",
    "lease_car",
];
pub const SHIFTS: &[&str] = &["assignment", "date", "start", "end", "site", "shift_type"];
pub const ABSENCES: &[&str] =
    &["assignment", "start_date", "end_date", "absence_type", "hours", "certificate"];

/// `pairs` as a row.
pub fn row(pairs: &[(&'static str, &str)]) -> Row {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// `base` with `pairs` set (replacing earlier values).
pub fn with(mut base: Row, pairs: &[(&'static str, &str)]) -> Row {
    for (k, v) in pairs {
        base.retain(|(c, _)| c != k);
        base.push((k, v.to_string()));
    }
    base
}

/// An AFC full-timer (37.5 h, £30,000) based at DRI, insured to March 2026.
pub fn staff(assignment: &str) -> Row {
    row(&[
        ("assignment", assignment),
        ("name", &format!("Person {assignment}")),
        ("staff_group", "AFC"),
        ("band", "5"),
        ("base_site", "DRI"),
        ("home_to_base_miles", "5"),
        ("contracted_hours", "37.5"),
        ("annual_salary", "30000.00"),
        ("cost_centre", "CC1"),
        ("service_start", "2015-01-01"),
        ("insurance_expiry", "2026-03-31"),
        ("lease_car", "N"),
    ])
}

pub fn shift(assignment: &str, date: &str, start: &str, end: &str, site: &str, kind: &str) -> Row {
    row(&[
        ("assignment", assignment),
        ("date", date),
        ("start", start),
        ("end", end),
        ("site", site),
        ("shift_type", kind),
    ])
}

pub fn absence(assignment: &str, start: &str, end: &str, kind: &str, certificate: &str) -> Row {
    row(&[
        ("assignment", assignment),
        ("start_date", start),
        ("end_date", end),
        ("absence_type", kind),
        ("certificate", certificate),
    ])
}

/// A claim line with receipt Y, submitted on `submitted`.
pub fn claim(
    claim_id: &str,
    line_no: u32,
    assignment: &str,
    date: &str,
    submitted: &str,
    category: &str,
    amount: &str,
) -> Row {
    row(&[
        ("claim_id", claim_id),
        ("line_no", &line_no.to_string()),
        ("assignment", assignment),
        ("expense_date", date),
        ("submitted_date", submitted),
        ("category", category),
        ("amount", amount),
        ("receipt", "Y"),
    ])
}

pub fn write_csv(path: &Path, columns: &[&str], rows: &[Row]) -> PathBuf {
    let mut w = csv::Writer::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    w.write_record(columns).unwrap();
    for r in rows {
        for (k, _) in r {
            assert!(columns.contains(k), "no column {k}");
        }
        let cells: Vec<String> = columns
            .iter()
            .map(|c| r.iter().rev().find(|(k, _)| k == c).map(|(_, v)| v.clone()).unwrap_or_default())
            .collect();
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    path.to_path_buf()
}

/// A roster folder `dir` with the three required sheets.
pub fn write_roster(dir: &Path, staff: &[Row], shifts: &[Row], absences: &[Row]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    write_csv(&dir.join("Staff.csv"), STAFF, staff);
    write_csv(&dir.join("Shifts.csv"), SHIFTS, shifts);
    write_csv(&dir.join("Absences.csv"), ABSENCES, absences);
    dir.to_path_buf()
}

pub fn write_claims(path: &Path, claims: &[Row]) -> PathBuf {
    write_csv(path, CLAIMS, claims)
}

/// `payrun run --quiet --no-xlsx` with its own --state and --out.
pub fn run(period: &str, roster: &Path, claims: &Path, out: &Path, state: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--quiet".into(),
        "--no-xlsx".into(),
        "--period".into(),
        period.into(),
        "--roster".into(),
        roster.display().to_string(),
        "--expenses".into(),
        claims.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        state.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    super::payrun(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Like [`run`], asserting exit 0.
#[track_caller]
pub fn run_ok(period: &str, roster: &Path, claims: &Path, out: &Path, state: &Path) {
    let o = run(period, roster, claims, out, state, &[]);
    assert_eq!(super::code(&o), 0, "{period}: {}", super::stderr(&o));
}

/// `ledger export` of `state` into `dir`, as (file name, bytes) sorted.
pub fn export(state: &Path, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let o = super::payrun(&[
        "ledger",
        "export",
        "--out",
        &dir.display().to_string(),
        "--state",
        &state.display().to_string(),
    ]);
    assert_eq!(super::code(&o), 0, "{}", super::stderr(&o));
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    all.sort();
    all
}
