//! `roster.xlsx`: the e-Rostering / ESR side of the sample — sheets Staff,
//! Shifts, Absences and Protection (SPEC §2.3), with the header aliases of
//! SPEC §6.9 and a few deliberately bad roster rows (DAT002, DAT003, DAT005
//! warnings).

use std::path::Path;

use chrono::NaiveDate;

use super::book::{new_workbook, xlsx_error, Cell, Formats, SheetWriter, TextShare};
use super::calendar::{add_days, months_before, Calendar};
use super::staff::{StaffPlan, StaffProfile};
use crate::error::Error;
use crate::model::codes::{AbsenceType, ProtectionKind, ProtectionReason};
use crate::model::money::Pence;

/// An assignment that is on no Staff row (roster rows for it are DAT003).
pub(super) const UNKNOWN_ASSIGNMENT: &str = "40000017";

pub(super) struct RosterCounts {
    pub shifts: usize,
    pub absences: usize,
    pub protection_rows: usize,
}

pub(super) fn write(
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
) -> Result<RosterCounts, Error> {
    let out_dir = path.parent().unwrap_or(Path::new("."));
    let mut workbook = new_workbook(out_dir, "e-Rostering export (payrun sample)")?;
    let formats = Formats::new();
    write_staff(&mut workbook, &formats, path, seed, people, cal)?;
    let shifts = write_shifts(&mut workbook, &formats, path, seed, people, cal)?;
    let absences = write_absences(&mut workbook, &formats, path, seed, people, cal)?;
    let protection_rows = write_protection(&mut workbook, &formats, path, seed, people, cal)?;
    workbook.save(path).map_err(|e| xlsx_error(path, e))?;
    Ok(RosterCounts { shifts, absences, protection_rows })
}

fn write_staff(
    workbook: &mut rust_xlsxwriter::Workbook,
    formats: &Formats,
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
) -> Result<(), Error> {
    let mut sheet = SheetWriter::add(
        workbook,
        formats,
        path,
        "Staff",
        &[14.0, 22.0, 18.0, 11.0, 18.0, 10.0, 12.0, 9.0, 12.0, 11.0, 12.0, 12.0, 12.0, 12.0, 12.0, 9.0],
        seed,
        TextShare::ROSTER,
    )?;
    sheet.title(&format!(
        "ESR staff extract — Doncaster and Bassetlaw Teaching Hospitals — generated for pay period {}",
        cal.pay_start.format("%Y-%m")
    ))?;
    sheet.header(&[
        "Assignment No",
        "Employee Name",
        "Job Title",
        "Staff Group",
        "Pay Band",
        "Work Base",
        "Home To Base Distance",
        "Weekly Hours",
        "Basic Salary",
        "Cost Center",
        "NHS Service Start",
        "Organisation Start Date",
        "Leaving Date",
        "SR Approved From",
        "Business Insurance Expiry",
        "Lease Car Holder",
    ])?;
    let staff_row = |p: &StaffProfile, name: String, hours: Cell| -> [Cell; 16] {
        [
            Cell::Text(p.assignment.clone()),
            Cell::Text(name),
            Cell::Str(p.job_title),
            Cell::Str(p.group.code()),
            Cell::Str(p.band),
            Cell::Str(p.base_site),
            Cell::Tenths(p.home_to_base_tenths),
            hours,
            Cell::Money(p.salary),
            Cell::Text(p.cost_centre.clone()),
            Cell::Date(p.service_start),
            Cell::opt_date(p.start_date),
            Cell::opt_date(p.leave_date),
            Cell::opt_date(p.special_rate_from),
            Cell::opt_date(p.insurance_expiry),
            // A blank lease-car cell means N; most exports fill it in.
            if p.lease_car || !p.index.is_multiple_of(3) { Cell::Flag(p.lease_car) } else { Cell::Blank },
        ]
    };
    for p in people {
        let row = staff_row(p, p.name.clone(), Cell::Tenths(p.hours_tenths));
        sheet.row(&row.iter().collect::<Vec<_>>())?;
    }
    if people.len() >= 10 {
        // A second row for an existing assignment (DAT005 warning: first kept) and
        // a leaver's row with zero hours (DAT002: skipped).
        let dup = &people[1];
        let row = staff_row(dup, format!("{} (old record)", dup.name), Cell::Tenths(dup.hours_tenths));
        sheet.row(&row.iter().collect::<Vec<_>>())?;
        let mut zero = people[2].clone();
        zero.assignment = "21399993".to_string();
        zero.name = "Pat Leaver".to_string();
        let row = staff_row(&zero, zero.name.clone(), Cell::Tenths(0));
        sheet.row(&row.iter().collect::<Vec<_>>())?;
    }
    Ok(())
}

fn write_shifts(
    workbook: &mut rust_xlsxwriter::Workbook,
    formats: &Formats,
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
) -> Result<usize, Error> {
    let mut sheet = SheetWriter::add(
        workbook,
        formats,
        path,
        "Shifts",
        &[12.0, 12.0, 10.0, 10.0, 10.0, 11.0],
        seed,
        TextShare::ROSTER,
    )?;
    sheet.header(&["Emp No", "Shift Date", "Start Time", "End Time", "Ward Site", "Duty Type"])?;
    for p in people {
        let plan = StaffPlan::new(seed, p, cal);
        let assignment = Cell::Text(p.assignment.clone());
        for day in cal.activity_days() {
            for shift in plan.shifts_on(day).iter().flatten() {
                sheet.row(&[
                    &assignment,
                    &Cell::Date(day),
                    &Cell::Time(shift.start),
                    &Cell::Time(shift.end),
                    &Cell::Str(shift.site),
                    &Cell::Str(shift.kind.code()),
                ])?;
            }
        }
    }
    if people.len() >= 10 {
        let day = cal.activity_day(3);
        let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("valid time");
        let five = chrono::NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
        sheet.row(&[
            &Cell::Str(UNKNOWN_ASSIGNMENT),
            &Cell::Date(day),
            &Cell::Time(nine),
            &Cell::Time(five),
            &Cell::Str("DRI"),
            &Cell::Str("DAY"),
        ])?;
    }
    Ok(sheet.data_rows)
}

fn write_absences(
    workbook: &mut rust_xlsxwriter::Workbook,
    formats: &Formats,
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
) -> Result<usize, Error> {
    let mut sheet = SheetWriter::add(
        workbook,
        formats,
        path,
        "Absences",
        &[18.0, 13.0, 13.0, 24.0, 13.0, 13.0, 40.0, 13.0],
        seed,
        TextShare::ROSTER,
    )?;
    sheet.header(&[
        "Assignment Number",
        "Absence Start",
        "Absence End",
        "Absence Reason",
        "Absence Hours",
        "Certification",
        "Sickness Reason",
        "RTW Date",
    ])?;
    let mut unreadable = false;
    for (i, p) in people.iter().enumerate() {
        let plan = StaffPlan::new(seed, p, cal);
        let assignment = Cell::Text(p.assignment.clone());
        for (k, a) in plan.absences.iter().enumerate() {
            let (reason, rtw) = if a.kind == AbsenceType::Sickness {
                sickness_record(seed, i, k, a.end, &mut unreadable)
            } else {
                (Cell::Blank, Cell::Blank)
            };
            sheet.row(&[
                &assignment,
                &Cell::Date(a.start),
                &Cell::Date(a.end),
                &Cell::Str(a.text.unwrap_or(a.kind.code())),
                &a.hours.map_or(Cell::Blank, Cell::Hundredths),
                &a.certificate.map_or(Cell::Blank, |c| Cell::Str(c.code())),
                &reason,
                &rtw,
            ])?;
        }
    }
    if people.len() >= 10 {
        // Keyed the wrong way round: ends before it starts (DAT002, skipped).
        sheet.row(&[
            &Cell::Text(people[0].assignment.clone()),
            &Cell::Date(cal.activity_day(20)),
            &Cell::Date(cal.activity_day(17)),
            &Cell::Str("ANNUAL"),
            &Cell::Blank,
            &Cell::Blank,
            &Cell::Blank,
            &Cell::Blank,
        ])?;
    }
    Ok(sheet.data_rows)
}

/// ESR sickness reasons the sample draws from (SPEC §10.2), commonest first.
const SICKNESS_REASONS: &[(&str, u32)] = &[
    ("S10 Anxiety/stress/depression/other psychiatric illnesses", 24),
    ("S12 Other musculoskeletal problems", 12),
    ("S13 Cold, Cough, Flu - Influenza", 14),
    ("S25 Gastrointestinal problems", 12),
    ("S11 Back Problems", 8),
    ("S28 Injury, fracture", 5),
    ("S17 Benign and malignant tumours, cancers", 3),
    ("S98 Other known causes - not elsewhere classified", 6),
];

/// A sickness row's reason and return-to-work interview date, from their own
/// stream (so the other sheets' draws do not move): most interviews within a
/// few days of the return, some late, some not recorded, one unreadable
/// (DAT002, the row kept), and now and then no reason.
fn sickness_record(
    seed: u64,
    person: usize,
    row: usize,
    end: NaiveDate,
    unreadable: &mut bool,
) -> (Cell, Cell) {
    use super::rng::{stream, Rng};
    let mut rng = Rng::keyed(seed, &[stream::SICKNESS_RECORD, person as u64, row as u64]);
    let reason = if rng.chance(0.08) {
        Cell::Blank
    } else {
        {
            let reason: &&'static str = rng.weighted(SICKNESS_REASONS);
            Cell::Str(reason)
        }
    };
    // The next weekday after the end stands for the day of return.
    let mut back = add_days(end, 1);
    while chrono::Datelike::weekday(&back).number_from_monday() > 5 {
        back = add_days(back, 1);
    }
    let rtw = match rng.below(20) {
        0..=2 => Cell::Blank,
        3..=4 => Cell::Date(add_days(back, rng.range(9, 16))),
        5 if !*unreadable => {
            *unreadable = true;
            Cell::Str("TBC")
        }
        _ => Cell::Date(add_days(back, rng.range(0, 2))),
    };
    (reason, rtw)
}

/// One pay-protection story (SPEC §2.3, §3.12). Months are counted back from
/// the activity month's first day.
struct ProtectionCase {
    reason: ProtectionReason,
    kind: ProtectionKind,
    months_ago: u32,
    day_offset: i64,
    reckonable_years: Option<i64>,
    /// Old (protected) basic minus the new basic, pounds; negative = new ≥ old.
    drop_pounds: i64,
    weekly: bool,
    ceased_day: Option<i64>,
    fixed_term_days_into_pay_period: Option<i64>,
}

/// Ordered so that the first five protected people (a 200-person sample)
/// already produce PP001–PP005.
const PROTECTION_CASES: &[ProtectionCase] = &[
    // Active BOTH, the LONG window ending in the pay period: PP001 + PP002.
    ProtectionCase {
        reason: ProtectionReason::OrgChange,
        kind: ProtectionKind::Both,
        months_ago: 5,
        day_offset: 10,
        reckonable_years: Some(3),
        drop_pounds: 8_810,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // Ended long ago; the person still claims excess travel: PP005.
    ProtectionCase {
        reason: ProtectionReason::OrgChange,
        kind: ProtectionKind::Short,
        months_ago: 20,
        day_offset: 0,
        reckonable_years: Some(2),
        drop_pounds: 3_500,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // New basic not below the protected one: PP003.
    ProtectionCase {
        reason: ProtectionReason::Downgrade,
        kind: ProtectionKind::Long,
        months_ago: 3,
        day_offset: 0,
        reckonable_years: None,
        drop_pounds: -500,
        weekly: false,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // Not a protectable reason: PP004.
    ProtectionCase {
        reason: ProtectionReason::Capability,
        kind: ProtectionKind::Long,
        months_ago: 2,
        day_offset: 0,
        reckonable_years: Some(8),
        drop_pounds: 6_000,
        weekly: false,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // Long service, 24-month LONG window: PP001.
    ProtectionCase {
        reason: ProtectionReason::OrgChange,
        kind: ProtectionKind::Long,
        months_ago: 8,
        day_offset: 0,
        reckonable_years: Some(12),
        drop_pounds: 7_200,
        weekly: false,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    ProtectionCase {
        reason: ProtectionReason::Secondment,
        kind: ProtectionKind::Short,
        months_ago: 1,
        day_offset: 5,
        reckonable_years: None,
        drop_pounds: 2_000,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // Declined overtime part-way through the month: ceased_date.
    ProtectionCase {
        reason: ProtectionReason::Downgrade,
        kind: ProtectionKind::Both,
        months_ago: 2,
        day_offset: 0,
        reckonable_years: Some(6),
        drop_pounds: 5_400,
        weekly: true,
        ceased_day: Some(14),
        fixed_term_days_into_pay_period: None,
    },
    ProtectionCase {
        reason: ProtectionReason::Voluntary,
        kind: ProtectionKind::Both,
        months_ago: 4,
        day_offset: 0,
        reckonable_years: None,
        drop_pounds: 4_000,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    ProtectionCase {
        reason: ProtectionReason::ActingUp,
        kind: ProtectionKind::Short,
        months_ago: 1,
        day_offset: 0,
        reckonable_years: Some(1),
        drop_pounds: 3_000,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
    // Fixed-term post ending next month: PP002.
    ProtectionCase {
        reason: ProtectionReason::OrgChange,
        kind: ProtectionKind::Long,
        months_ago: 11,
        day_offset: 0,
        reckonable_years: Some(7),
        drop_pounds: 4_800,
        weekly: false,
        ceased_day: None,
        fixed_term_days_into_pay_period: Some(20),
    },
    // Changed post this month, reckonable service left to the default.
    ProtectionCase {
        reason: ProtectionReason::Downgrade,
        kind: ProtectionKind::Short,
        months_ago: 0,
        day_offset: 12,
        reckonable_years: None,
        drop_pounds: 2_600,
        weekly: true,
        ceased_day: None,
        fixed_term_days_into_pay_period: None,
    },
];

/// True when the person's protection story ended long ago (the PP005 case).
pub(super) fn protection_expired(profile: &StaffProfile) -> bool {
    profile.protection.is_some_and(|n| n % PROTECTION_CASES.len() == 1)
}

fn write_protection(
    workbook: &mut rust_xlsxwriter::Workbook,
    formats: &Formats,
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
) -> Result<usize, Error> {
    let mut sheet = SheetWriter::add(
        workbook,
        formats,
        path,
        "Protection",
        &[12.0, 13.0, 13.0, 13.0, 11.0, 13.0, 12.0, 13.0, 13.0, 13.0, 13.0],
        seed,
        TextShare::ROSTER,
    )?;
    sheet.header(&[
        "assignment",
        "Date of Change",
        "Change Reason",
        "Protection Type",
        "Reckonable Service",
        "Protected Salary",
        "New Salary",
        "Protected Weekly Pay",
        "Earnings This Period",
        "Protection Ceased",
        "Contract End Date",
    ])?;
    for p in people {
        let Some(n) = p.protection else { continue };
        let case = &PROTECTION_CASES[n % PROTECTION_CASES.len()];
        let change: NaiveDate = add_days(months_before(cal.activity_start, case.months_ago), case.day_offset);
        let new_basic = p.salary;
        let protected_basic = Pence(new_basic.0 + case.drop_pounds * 100);
        // Weekly earnings in the old post (basic plus unsocial hours) and this
        // month's earnings in the new post.
        // basic × 1.12 / 52.143, whole pounds.
        let weekly = Pence(protected_basic.0 * 112 * 1_000 / (100 * 52_143) / 100 * 100);
        let month_new = Pence(new_basic.0 / 12 / 100 * 100 + 15_000);
        sheet.row(&[
            &Cell::Text(p.assignment.clone()),
            &Cell::Date(change),
            &Cell::Str(case.reason.code()),
            &Cell::Str(case.kind.code()),
            &case.reckonable_years.map_or(Cell::Blank, Cell::Int),
            &Cell::Money(protected_basic),
            &Cell::Money(new_basic),
            &if case.weekly { Cell::Money(weekly) } else { Cell::Blank },
            &if case.weekly { Cell::Money(month_new) } else { Cell::Blank },
            &case.ceased_day.map_or(Cell::Blank, |d| Cell::Date(cal.activity_day(d))),
            &case
                .fixed_term_days_into_pay_period
                .map_or(Cell::Blank, |d| Cell::Date(add_days(cal.pay_start, d))),
        ])?;
    }
    Ok(sheet.data_rows)
}
