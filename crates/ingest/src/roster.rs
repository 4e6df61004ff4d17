//! The roster workbook (SPEC §2.3) into [`Roster`]: Staff, Shifts, Absences and
//! the optional Protection register. A row with a bad cell is skipped with a
//! DAT WARNING naming file, sheet, row, column and raw value (SPEC §6.2 rule 14).

use super::cell;
use super::source::Input;
use super::table::{read_table, RowReader};
use crate::config::Columns;
use crate::error::Result;
use crate::model::claim::RowRef;
use crate::model::codes::{Certificate, ProtectionKind, ProtectionReason, ShiftType, StaffGroup};
use crate::model::decision::{Finding, Subject};
use crate::model::input::DataCell;
use crate::model::roster::{Absence, Protection, Roster, Shift, Staff};
use crate::model::rule::Severity;
use crate::model::schema::{ColumnSpec, ABSENCES, PROTECTION, SHIFTS, STAFF};
use crate::rules::data::{DAT002, DAT003, DAT004, DAT005};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

/// Rows read per sheet, for the manifest and `payrun check`.
pub type SheetCounts = Vec<(String, usize)>;

/// Reads the roster input into valid rows and findings for skipped rows.
/// Sheets are read in order Staff, Shifts, Absences, Protection, each
/// streamed (see [`read_table`]).
/// Also returns each finding's cell (same order as the findings), for
/// `payrun check`.
pub fn read(
    input: &mut Input,
    columns: &Columns,
) -> Result<(Roster, Vec<Finding>, Vec<DataCell>, SheetCounts)> {
    // Every required sheet is checked before any is read, so a missing one is
    // reported at once.
    let staff_sheet = input.require_sheet("Staff")?;
    let shift_sheet = input.require_sheet("Shifts")?;
    let absence_sheet = input.require_sheet("Absences")?;
    let protection_sheet = input.find_sheet("Protection");

    let mut findings = Findings::default();
    let mut counts = Vec::new();

    let (staff_rows, n) = read_rows(input, &staff_sheet, STAFF, columns, read_staff, &mut findings)?;
    counts.push(("Staff".to_string(), n));
    let mut seen = HashSet::new();
    let mut staff = Vec::with_capacity(staff_rows.len());
    for s in staff_rows {
        if seen.insert(s.assignment.clone()) {
            staff.push(s);
        } else {
            let cell = ("assignment", s.assignment.clone());
            findings.push(
                roster_finding(
                    &DAT005,
                    &s.assignment,
                    format!(
                        "assignment {} appears again on the Staff sheet; the first row is kept",
                        s.assignment
                    ),
                    s.source,
                ),
                cell,
            );
        }
    }
    drop(seen);

    let (shifts, n) = read_rows(input, &shift_sheet, SHIFTS, columns, read_shift, &mut findings)?;
    counts.push(("Shifts".to_string(), n));
    let rtw_column = AtomicBool::new(false);
    let read_absence = |r: &mut RowReader| {
        if r.has_column("rtw_date") {
            rtw_column.store(true, Ordering::Relaxed);
        }
        read_absence(r, columns)
    };
    let (absences, n) = read_rows(input, &absence_sheet, ABSENCES, columns, read_absence, &mut findings)?;
    let rtw_column = rtw_column.into_inner();
    counts.push(("Absences".to_string(), n));
    let protections = match &protection_sheet {
        Some(sheet) => {
            let (rows, n) = read_rows(input, sheet, PROTECTION, columns, read_protection, &mut findings)?;
            counts.push(("Protection".to_string(), n));
            rows
        }
        None => Vec::new(),
    };

    let known: HashSet<&str> = staff.iter().map(|s| s.assignment.as_str()).collect();
    let shifts = keep_known(shifts, &known, |s| (&s.assignment, &s.source), &mut findings);
    let absences = keep_known(absences, &known, |a| (&a.assignment, &a.source), &mut findings);
    let protections = keep_known(protections, &known, |p| (&p.assignment, &p.source), &mut findings);
    drop(known);
    Ok((
        Roster { staff, shifts, absences, protections, rtw_column },
        findings.findings,
        findings.cells,
        counts,
    ))
}

/// The roster's findings and, for each, its cell (`payrun check`).
#[derive(Default)]
struct Findings {
    findings: Vec<Finding>,
    cells: Vec<DataCell>,
}

impl Findings {
    fn push(&mut self, finding: Finding, (column, raw): (&str, String)) {
        self.cells.push(DataCell {
            source: finding.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            column: column.to_string(),
            raw,
            code: finding.rule.code,
            message: finding.message.clone(),
        });
        self.findings.push(finding);
    }
}

/// Reads every data row of a sheet (streamed, in parallel); rows with
/// problems become findings (in row order). Returns the valid rows and the
/// rows read.
fn read_rows<T: Send>(
    input: &mut Input,
    sheet: &str,
    specs: &'static [ColumnSpec],
    columns: &Columns,
    read: impl Fn(&mut RowReader) -> Option<T> + Sync,
    findings: &mut Findings,
) -> Result<(Vec<T>, usize)> {
    let results = read_table(input, sheet, specs, columns, |r| {
        let value = read(r);
        match value {
            Some(v) if r.problems.is_empty() => {
                let source = r.source();
                let assignment = r.raw("assignment").trim().to_string();
                let kept = r
                    .kept
                    .iter()
                    .map(|p| {
                        let finding = roster_finding(
                            &DAT002,
                            &assignment,
                            format!(
                                "column {} ('{}'): '{}' is not {}; the row is kept without it",
                                p.column, p.header, p.raw, p.expected
                            ),
                            source.clone(),
                        );
                        (finding, (p.column, p.raw.clone()))
                    })
                    .collect::<Vec<_>>();
                Ok((v, kept))
            }
            _ => {
                let assignment = r.raw("assignment").trim().to_string();
                let source = r.source();
                Err(r
                    .problems
                    .iter()
                    .chain(&r.kept)
                    .map(|p| {
                        let rule = if p.unknown_code { &DAT004 } else { &DAT002 };
                        let finding = roster_finding(
                            rule,
                            &assignment,
                            format!(
                                "row skipped: column {} ('{}'): '{}' is not {}",
                                p.column, p.header, p.raw, p.expected
                            ),
                            source.clone(),
                        );
                        (finding, (p.column, p.raw.clone()))
                    })
                    .collect::<Vec<_>>())
            }
        }
    })?;
    let read_count = results.len();
    let mut valid = Vec::with_capacity(read_count);
    for result in results {
        match result {
            Ok((v, kept)) => {
                valid.push(v);
                for (finding, cell) in kept {
                    findings.push(finding, cell);
                }
            }
            Err(f) => {
                for (finding, cell) in f {
                    findings.push(finding, cell);
                }
            }
        }
    }
    Ok((valid, read_count))
}

fn keep_known<T>(
    rows: Vec<T>,
    known: &HashSet<&str>,
    key: impl Fn(&T) -> (&String, &RowRef),
    findings: &mut Findings,
) -> Vec<T> {
    rows.into_iter()
        .filter(|row| {
            let (assignment, source) = key(row);
            let ok = known.contains(assignment.as_str());
            if !ok {
                findings.push(
                    roster_finding(
                        &DAT003,
                        assignment,
                        format!("row skipped: assignment {assignment} is not on the Staff sheet"),
                        source.clone(),
                    ),
                    ("assignment", assignment.clone()),
                );
            }
            ok
        })
        .collect()
}

fn roster_finding(
    rule: &'static crate::rules::Rule,
    assignment: &str,
    message: String,
    source: RowRef,
) -> Finding {
    Finding {
        rule,
        severity: Severity::Warning,
        subject: Subject::Employee { assignment: assignment.to_string(), date: None },
        message,
        source: Some(source),
    }
}

fn read_staff(r: &mut RowReader) -> Option<Staff> {
    let contracted_hours_x100 = r.required("contracted_hours", |c| cell::decimal(c, 2));
    if contracted_hours_x100.is_some_and(|h| h <= 0) {
        let raw = r.raw("contracted_hours");
        r.problem("contracted_hours", raw, cell::CellError { expected: "more than 0 hours" });
    }
    let assignment = r.required("assignment", cell::text);
    let name = r.required("name", cell::text);
    let staff_group = r.required("staff_group", |c| cell::code(c, StaffGroup::parse));
    let band = r.optional("band", cell::text).unwrap_or_default();
    let base_site = r.required("base_site", cell::text);
    let home_to_base_miles = r.required("home_to_base_miles", cell::miles);
    let annual_salary = r.required("annual_salary", cell::money);
    let cost_centre = r.required("cost_centre", cell::text);
    let service_start = r.required_date("service_start");
    let start_date = r.optional_date("start_date");
    let leave_date = r.optional_date("leave_date");
    let special_rate_from = r.optional_date("special_rate_from");
    let insurance_expiry = r.optional_date("insurance_expiry");
    let lease_car = r.optional("lease_car", cell::yes_no).unwrap_or(false);
    Some(Staff {
        source: r.source(),
        assignment: assignment?,
        name: name?,
        staff_group: staff_group?,
        band,
        base_site: base_site?,
        home_to_base_miles: home_to_base_miles?,
        contracted_hours_x100: contracted_hours_x100?,
        annual_salary: annual_salary?,
        cost_centre: cost_centre?,
        service_start: service_start?,
        start_date,
        leave_date,
        special_rate_from,
        insurance_expiry,
        lease_car,
    })
}

fn read_shift(r: &mut RowReader) -> Option<Shift> {
    let assignment = r.required("assignment", cell::text);
    let date = r.required_date("date");
    let start = r.required_clock("start");
    let end = r.required_clock("end");
    let site = r.required("site", cell::text);
    let shift_type = r.required("shift_type", |c| cell::code(c, ShiftType::parse));
    Some(Shift {
        source: r.source(),
        assignment: assignment?,
        date: date?,
        start: start?,
        end: end?,
        site: site?,
        shift_type: shift_type?,
    })
}

/// An Absences row; absence_type takes the codes and their other names of
/// `columns.toml` (SPEC §14).
fn read_absence(r: &mut RowReader, columns: &Columns) -> Option<Absence> {
    let assignment = r.required("assignment", cell::text);
    let start_date = r.required_date("start_date");
    let end_date = r.required_date("end_date");
    let absence_type = r.required("absence_type", |c| cell::code(c, |t| columns.absence_type(t)));
    let hours_x100 = r.optional("hours", |c| cell::decimal(c, 2));
    let certificate =
        r.optional("certificate", |c| cell::code(c, Certificate::parse)).unwrap_or(Certificate::None);
    // A bad reason or interview date does not skip the absence (SPEC §10.2).
    let sickness_reason =
        r.lenient("sickness_reason", cell::text).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let sys = r.date_system();
    let rtw_date = r.lenient("rtw_date", |c| cell::date(c, sys));
    let absence = Absence {
        source: r.source(),
        assignment: assignment?,
        start_date: start_date?,
        end_date: end_date?,
        absence_type: absence_type?,
        hours_x100,
        certificate,
        sickness_reason,
        rtw_date,
    };
    if absence.end_date < absence.start_date {
        let raw = r.raw("end_date");
        r.problem("end_date", raw, cell::CellError { expected: "a date on or after start_date" });
    }
    Some(absence)
}

fn read_protection(r: &mut RowReader) -> Option<Protection> {
    let assignment = r.required("assignment", cell::text);
    let change_date = r.required_date("change_date");
    let reason = r.required("reason", |c| cell::code(c, ProtectionReason::parse));
    let protection = r.required("protection", |c| cell::code(c, ProtectionKind::parse));
    let reckonable_years = r.optional("reckonable_years", cell::integer);
    let protected_basic = r.required("protected_basic", cell::money);
    let new_basic = r.required("new_basic", cell::money);
    let protected_weekly_earnings = r.optional("protected_weekly_earnings", cell::money);
    let new_period_earnings = r.optional("new_period_earnings", cell::money);
    let ceased_date = r.optional_date("ceased_date");
    let fixed_term_end = r.optional_date("fixed_term_end");
    Some(Protection {
        source: r.source(),
        assignment: assignment?,
        change_date: change_date?,
        reason: reason?,
        protection: protection?,
        reckonable_years,
        protected_basic: protected_basic?,
        new_basic: new_basic?,
        protected_weekly_earnings,
        new_period_earnings,
        ceased_date,
        fixed_term_end,
    })
}
