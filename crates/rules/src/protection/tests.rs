//! PP boundaries: every service band of both tables, windows starting and
//! ending mid-month, early ends, PP002–PP005, BOTH switching from SHORT to
//! LONG, several rows.

use super::*;
use crate::model::claim::RowRef;
use crate::model::decision::Status;
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::roster::Roster;
use crate::testkit::{config, date, gbp, line, shift, staff};

/// A register row of `A1` (service start 1 January 2020 unless the test
/// changes the staff row).
fn row(
    change: NaiveDate,
    reason: ProtectionReason,
    kind: ProtectionKind,
    protected: &str,
    new: &str,
) -> Protection {
    Protection {
        source: RowRef::new("roster.csv", "Protection", 2),
        assignment: "A1".into(),
        change_date: change,
        reason,
        protection: kind,
        reckonable_years: None,
        protected_basic: gbp(protected),
        new_basic: gbp(new),
        protected_weekly_earnings: None,
        new_period_earnings: None,
        ceased_date: None,
        fixed_term_end: None,
    }
}

fn long(change: NaiveDate, protected: &str, new: &str) -> Protection {
    row(change, ProtectionReason::OrgChange, ProtectionKind::Long, protected, new)
}

fn roster(rows: Vec<Protection>, service_start: NaiveDate) -> Roster {
    Roster { staff: vec![Staff { service_start, ..staff() }], protections: rows, ..Default::default() }
}

/// The protection outcome of pay period `pay` (activity month = the month before).
fn run_at(roster: &Roster, pay: NaiveDate) -> ProtectionOutcome {
    let history = History::default();
    let period = Period::new(pay, &config().policy);
    let ctx = Ctx::new(config(), period, roster, &history);
    evaluate(&ctx)
}

fn run(rows: Vec<Protection>, pay: NaiveDate) -> ProtectionOutcome {
    run_at(&roster(rows, date(2020, 1, 1)), pay)
}

fn codes(out: &ProtectionOutcome) -> Vec<&'static str> {
    out.findings.iter().map(|f| f.rule.code).collect()
}

fn topup(out: &ProtectionOutcome) -> Pence {
    out.topups.iter().map(|r| r.amount).sum()
}

/// The windows a row gets with `service_start`.
fn windows(r: Protection, service_start: NaiveDate) -> (Option<Window>, Option<Window>, u32) {
    let roster = roster(vec![r], service_start);
    let history = History::default();
    let period = Period::new(date(2025, 6, 1), &config().policy);
    let ctx = Ctx::new(config(), period, &roster, &history);
    let plan = Plan::new(&roster.protections[0], &roster.staff[0], &ctx);
    (plan.short(), plan.long(), plan.years)
}

fn end_of(w: Option<Window>) -> NaiveDate {
    w.expect("a window").end
}

#[test]
fn completed_years_count_anniversaries() {
    assert_eq!(completed_years(date(2023, 3, 1), date(2025, 3, 1)), 2);
    assert_eq!(completed_years(date(2023, 3, 1), date(2025, 2, 28)), 1);
    assert_eq!(completed_years(date(2020, 2, 29), date(2025, 2, 28)), 5);
    assert_eq!(completed_years(date(2020, 2, 29), date(2025, 2, 27)), 4);
    assert_eq!(completed_years(date(2025, 3, 1), date(2025, 1, 1)), 0);
}

#[test]
fn short_bands_at_each_boundary() {
    let change = date(2025, 3, 1);
    let both = |start: NaiveDate| {
        windows(row(change, ProtectionReason::OrgChange, ProtectionKind::Short, "30000", "27000"), start)
    };
    // (service start, completed years, SHORT months → end)
    let cases = [
        (date(2025, 3, 1), 0, date(2025, 4, 30)),  // 0 years: 2 months
        (date(2024, 3, 2), 0, date(2025, 4, 30)),  // a day short of 1 year
        (date(2023, 3, 2), 1, date(2025, 4, 30)),  // 1 year: 2 months
        (date(2023, 3, 1), 2, date(2025, 5, 31)),  // exactly 2 years: 3 months
        (date(2022, 3, 2), 2, date(2025, 5, 31)),  // a day short of 3
        (date(2022, 3, 1), 3, date(2025, 6, 30)),  // 3 → 4 months
        (date(2021, 3, 1), 4, date(2025, 7, 31)),  // 4 → 5 months
        (date(2020, 3, 2), 4, date(2025, 7, 31)),  // a day short of 5
        (date(2020, 3, 1), 5, date(2025, 8, 31)),  // exactly 5 → 6 months
        (date(1990, 3, 1), 35, date(2025, 8, 31)), // 5 or more
    ];
    for (start, years, end) in cases {
        let (short, long, y) = both(start);
        assert_eq!((y, end_of(short), long), (years, end, None), "service from {start}");
        assert_eq!(short.map(|w| w.start), Some(change));
    }
}

#[test]
fn long_bands_at_each_boundary() {
    let change = date(2025, 3, 1);
    let cases = [
        (date(2025, 3, 1), 0, date(2025, 8, 31)),  // 0 years: 6 months
        (date(2019, 3, 2), 5, date(2025, 8, 31)),  // 5 years: 6 months
        (date(2019, 3, 1), 6, date(2026, 2, 28)),  // exactly 6: 12 months
        (date(2015, 3, 2), 9, date(2026, 2, 28)),  // 9: 12 months
        (date(2015, 3, 1), 10, date(2027, 2, 28)), // exactly 10: 24 months
        (date(1985, 3, 1), 40, date(2027, 2, 28)), // 10 or more
    ];
    for (start, years, end) in cases {
        let (short, long, y) = windows(super::tests::long(change, "30000", "27000"), start);
        assert_eq!((y, short, end_of(long)), (years, None, end), "service from {start}");
    }
}

#[test]
fn given_reckonable_years_win_and_month_ends_clamp() {
    // 31 January + 1 month − 1 day: 28 February + ... the day clamps first.
    let mut r = long(date(2025, 1, 31), "30000", "27000");
    r.reckonable_years = Some(6);
    let (_, l, years) = windows(r, date(2024, 1, 1));
    assert_eq!((years, end_of(l)), (6, date(2026, 1, 30)));
    let mut r = row(date(2024, 12, 31), ProtectionReason::Downgrade, ProtectionKind::Short, "1", "1");
    r.reckonable_years = Some(0);
    // 31 December + 2 months = 28 February (clamped) − 1 day.
    assert_eq!(end_of(windows(r, date(2024, 1, 1)).0), date(2025, 2, 27));
}

#[test]
fn early_ends_shorten_the_window_inclusive() {
    let mut r = long(date(2025, 3, 1), "30000", "27000");
    r.fixed_term_end = Some(date(2025, 6, 10));
    r.ceased_date = Some(date(2025, 7, 1));
    assert_eq!(end_of(windows(r.clone(), date(2000, 1, 1)).1), date(2025, 6, 10));
    r.ceased_date = Some(date(2025, 5, 5));
    assert_eq!(end_of(windows(r.clone(), date(2000, 1, 1)).1), date(2025, 5, 5));
    // An early end before the change date leaves no window.
    r.ceased_date = Some(date(2025, 2, 1));
    assert_eq!(windows(r, date(2000, 1, 1)).1, None);

    // Pro-rated: June's 10 days of 30 at £250 a month = £83.33.
    let mut r = long(date(2025, 3, 1), "30000", "27000");
    r.fixed_term_end = Some(date(2025, 6, 10));
    let out = run(vec![r.clone()], date(2025, 7, 1));
    assert_eq!(topup(&out), gbp("83.33"));
    assert_eq!(codes(&out), ["PP001", "PP002"]);
    // July: nothing.
    let out = run(vec![r], date(2025, 8, 1));
    assert!(out.findings.is_empty() && out.topups.is_empty() && out.marks.is_empty());
}

#[test]
fn a_window_starting_and_ending_mid_month_is_pro_rated() {
    // Service 1 Jan 2020 → 5 years → LONG 6 months: 15 March to 14 September.
    let r = long(date(2025, 3, 15), "30000", "27000");
    // £3,000 a year = £250 a month.
    let expect = [
        (date(2025, 3, 1), None, &[][..]),                  // February: before
        (date(2025, 4, 1), Some("137.10"), &["PP001"][..]), // March: 17/31
        (date(2025, 5, 1), Some("250.00"), &["PP001"][..]), // April: whole
        (date(2025, 9, 1), Some("250.00"), &["PP001", "PP002"][..]), // August: ends next month
        (date(2025, 10, 1), Some("116.67"), &["PP001", "PP002"][..]), // September: 14/30
        (date(2025, 11, 1), None, &[][..]),                 // October: after
    ];
    for (pay, amount, rules) in expect {
        let out = run(vec![r.clone()], pay);
        assert_eq!(codes(&out), rules, "pay period {pay}");
        assert_eq!(out.topups.first().map(|t| t.amount), amount.map(gbp), "pay period {pay}");
        if let Some(t) = out.topups.first() {
            assert_eq!((t.element, t.units.as_str(), t.taxable), ("PAY_PROTECTION", "1", true));
            assert_eq!((t.protected.as_str(), t.protection_end.as_str()), ("LONG", "2025-09-14"));
            assert_eq!(t.source, "roster.csv!Protection:2");
            assert_eq!(out.paid, vec![("A1".to_string(), t.amount)]);
        }
    }
}

#[test]
fn new_basic_at_least_protected_ends_long_for_good() {
    // LONG only: no window at all, PP003 while the would-be window overlaps.
    let r = long(date(2025, 3, 1), "28000", "28000");
    let out = run(vec![r.clone()], date(2025, 6, 1));
    assert_eq!(codes(&out), ["PP003"]);
    assert!(out.topups.is_empty() && out.marks.is_empty());
    assert_eq!(out.rows[0].status, "PP003");
    // After the would-be window (to 31 August): nothing.
    assert!(run(vec![r], date(2025, 10, 1)).findings.is_empty());

    // BOTH keeps its SHORT window and is marked SHORT.
    let mut r = row(date(2025, 3, 1), ProtectionReason::OrgChange, ProtectionKind::Both, "28000", "28500");
    r.protected_weekly_earnings = Some(gbp("700.00"));
    r.new_period_earnings = Some(gbp("2500.00"));
    let out = run(vec![r.clone()], date(2025, 5, 1));
    assert_eq!(codes(&out), ["PP003", "PP001"]);
    // 700 × 52.143 / 12 − 2500 = 541.675 → £541.68.
    assert_eq!(topup(&out), gbp("541.68"));
    // 5 years → SHORT 6 months, to 31 August.
    assert_eq!(out.marks["A1"], Mark { kind: ProtectionKind::Short, end: date(2025, 8, 31) });
    // After SHORT has ended only PP003 would remain while LONG (12 months? no:
    // 5 years → 6 months) would have run; both end 31 August.
    assert_eq!(codes(&run(vec![r], date(2025, 10, 1))), Vec::<&str>::new());
}

#[test]
fn an_unprotectable_reason_warns_and_pays_nothing() {
    let r = row(date(2025, 3, 1), ProtectionReason::Capability, ProtectionKind::Long, "30000", "25000");
    let out = run(vec![r.clone()], date(2025, 6, 1));
    assert_eq!(codes(&out), ["PP004"]);
    assert_eq!(out.findings[0].severity, Severity::Warning);
    assert!(out.topups.is_empty() && out.marks.is_empty() && out.paid.is_empty());
    // Only while the would-be window (to 31 August) overlaps the activity month.
    assert_eq!(codes(&run(vec![r.clone()], date(2025, 9, 1))), ["PP004"]);
    assert!(run(vec![r], date(2025, 10, 1)).findings.is_empty());
}

/// CORP/EMP 9 §6.1: downgrading "for a reason of capability or conduct" is
/// not protected; the same row as ORG_CHANGE is (the rule fires and does not).
#[test]
fn a_conduct_downgrade_warns_pp004_and_pays_no_top_up() {
    let conduct = row(date(2025, 3, 1), ProtectionReason::Conduct, ProtectionKind::Long, "30000", "25000");
    let out = run(vec![conduct.clone()], date(2025, 6, 1));
    assert_eq!(codes(&out), ["PP004"]);
    assert!(
        out.findings[0].message.contains("reason CONDUCT attracts no pay protection"),
        "{}",
        out.findings[0].message
    );
    assert!(out.topups.is_empty() && out.marks.is_empty() && out.paid.is_empty());
    assert!(!protectable(ProtectionReason::Conduct));
    assert_eq!(ProtectionReason::parse(" conduct "), Some(ProtectionReason::Conduct));
    let mut org = conduct;
    org.reason = ProtectionReason::OrgChange;
    let out = run(vec![org], date(2025, 6, 1));
    assert_eq!(codes(&out), ["PP001"]);
    assert!(!out.topups.is_empty());
}

#[test]
fn both_pays_the_larger_and_switches_from_short_to_long() {
    // 2 years' service → SHORT 3 months (to 31 May), LONG 6 months (to 31 August).
    let mut r = row(date(2025, 3, 1), ProtectionReason::OrgChange, ProtectionKind::Both, "33000", "30000");
    r.protected_weekly_earnings = Some(gbp("700.00"));
    r.new_period_earnings = Some(gbp("2500.00"));
    let roster = roster(vec![r], date(2023, 3, 1));
    let month = |pay| run_at(&roster, pay);
    // March–May: SHORT 541.68 > LONG 250.
    let may = month(date(2025, 6, 1));
    assert_eq!(topup(&may), gbp("541.68"));
    assert!(may.findings[0].message.contains("paid as SHORT"), "{}", may.findings[0].message);
    // June: SHORT is over, LONG goes on.
    let june = month(date(2025, 7, 1));
    assert_eq!(topup(&june), gbp("250.00"));
    assert!(june.findings[0].message.contains("paid as LONG"));
    // The mark is BOTH to the overall end throughout; PP002 by the overall end.
    for out in [&may, &june] {
        assert_eq!(out.marks["A1"], Mark { kind: ProtectionKind::Both, end: date(2025, 8, 31) });
    }
    assert_eq!(codes(&may), ["PP001"]);
    // July (ends next month) and August (ends this month).
    assert_eq!(codes(&month(date(2025, 8, 1))), ["PP001", "PP002"]);
    assert_eq!(codes(&month(date(2025, 9, 1))), ["PP001", "PP002"]);
    assert_eq!(topup(&month(date(2025, 9, 1))), gbp("250.00"));
    let september = month(date(2025, 10, 1));
    assert!(september.findings.is_empty() && september.topups.is_empty());
}

#[test]
fn a_short_window_ending_mid_month_competes_pro_rated() {
    // SHORT to 15 May (change 16 March, 0 years → 2 months), LONG to 15 September.
    let mut r = row(date(2025, 3, 16), ProtectionReason::Downgrade, ProtectionKind::Both, "33000", "30000");
    r.reckonable_years = Some(0);
    r.protected_weekly_earnings = Some(gbp("700.00"));
    r.new_period_earnings = Some(gbp("2900.00"));
    // May: SHORT (3041.675 − 2900) × 15/31 = 68.55 < LONG 250 (whole month).
    let out = run(vec![r], date(2025, 6, 1));
    assert_eq!(topup(&out), gbp("250.00"));
}

#[test]
fn short_needs_both_earnings_figures_and_pp001_still_reports_zero() {
    let mut r = row(date(2025, 3, 1), ProtectionReason::OrgChange, ProtectionKind::Short, "30000", "27000");
    r.protected_weekly_earnings = Some(gbp("700.00"));
    let out = run(vec![r], date(2025, 4, 1));
    assert_eq!(codes(&out), ["PP001"]);
    assert!(out.findings[0].message.contains("both needed"));
    assert!(out.topups.is_empty() && out.paid.is_empty());
    // Still marked: protection is active.
    assert_eq!(out.marks["A1"].kind, ProtectionKind::Short);
}

#[test]
fn several_rows_add_up_and_the_latest_ending_sets_the_mark() {
    let first = long(date(2025, 1, 1), "30000", "27000"); // to 30 June
    let mut second = row(date(2025, 4, 1), ProtectionReason::OrgChange, ProtectionKind::Short, "0", "0");
    second.source.row = 3;
    second.protected_weekly_earnings = Some(gbp("600.00"));
    second.new_period_earnings = Some(gbp("2000.00")); // 607.15 a month, to 30 September
    let out = run(vec![first, second], date(2025, 6, 1));
    assert_eq!(codes(&out), ["PP001", "PP001"]);
    // 250.00 + (600 × 52.143 / 12 − 2000 = 607.15)
    assert_eq!(topup(&out), gbp("857.15"));
    assert_eq!(out.marks["A1"], Mark { kind: ProtectionKind::Short, end: date(2025, 9, 30) });
    assert_eq!(out.topups[0].source, "roster.csv!Protection:2;roster.csv!Protection:3");
    // June: the first row ends, but protection goes on: no PP002 yet.
    let out = run(
        vec![long(date(2025, 1, 1), "30000", "27000"), {
            let mut s = row(date(2025, 4, 1), ProtectionReason::OrgChange, ProtectionKind::Short, "0", "0");
            s.source.row = 3;
            s
        }],
        date(2025, 7, 1),
    );
    assert_eq!(codes(&out), ["PP001", "PP001"]);
}

fn excess_travel(on: NaiveDate) -> crate::model::claim::ClaimLine {
    let mut l = line("C1", 1, Category::ExcessTravel, "4.50");
    l.expense_date = on;
    l.miles = Some(crate::model::Miles::from_whole(10));
    l
}

/// Decides one EXCESS_TRAVEL line (pay period 2025-06) for a claimant with
/// `rows`, rostered at another site that day (so ROS004 stays quiet).
fn decide_excess(rows: Vec<Protection>, on: NaiveDate) -> crate::model::decision::Decision {
    let mut run = crate::testkit::Run::default();
    run.roster.protections = rows;
    run.roster.shifts = vec![Shift { site: "BDGH".into(), ..shift(on, "09:00", "17:00") }];
    run.evaluate(&[excess_travel(on)]).decisions.remove(0)
}

use crate::model::roster::Shift;

fn has_pp005(d: &crate::model::decision::Decision) -> bool {
    d.rules.iter().any(|r| r.code == "PP005")
}

#[test]
fn excess_travel_outside_every_window_is_rejected() {
    // Windows: LONG 1 May – 31 October (5 years → 6 months).
    let r = long(date(2025, 5, 1), "30000", "27000");
    let inside = decide_excess(vec![r.clone()], date(2025, 5, 14));
    assert!(!has_pp005(&inside), "{inside:?}");
    // Before the change date.
    let before = decide_excess(vec![long(date(2025, 5, 15), "30000", "27000")], date(2025, 5, 14));
    assert_eq!(before.status, Status::Rejected);
    assert!(has_pp005(&before), "{before:?}");
    // After an early end.
    let mut ended = r.clone();
    ended.ceased_date = Some(date(2025, 5, 13));
    assert!(has_pp005(&decide_excess(vec![ended.clone()], date(2025, 5, 14))));
    // A second row whose window covers the day saves it.
    let mut other = r;
    other.change_date = date(2025, 4, 1);
    assert!(!has_pp005(&decide_excess(vec![ended, other], date(2025, 5, 14))));
    // A PP003 LONG row has no window: every excess-travel line is outside.
    assert!(has_pp005(&decide_excess(vec![long(date(2025, 5, 1), "27000", "27000")], date(2025, 5, 14))));
    // Not protected (no register row, or only an unprotectable one): PP005 does not apply.
    assert!(!has_pp005(&decide_excess(vec![], date(2025, 5, 14))));
    let capability = row(date(2025, 5, 15), ProtectionReason::Capability, ProtectionKind::Long, "30000", "1");
    assert!(!has_pp005(&decide_excess(vec![capability], date(2025, 5, 14))));
}

#[test]
fn declarations_are_in_the_catalogue_in_order() {
    let codes: Vec<&str> = crate::CATALOGUE.iter().map(|r| r.code).collect();
    let at = codes.iter().position(|c| *c == "SCK004").unwrap();
    assert_eq!(codes[at + 1..at + 6], ["PP001", "PP002", "PP003", "PP004", "PP005"]);
    assert_eq!((PP005.rejects, PP001.rejects), (true, false));
}
