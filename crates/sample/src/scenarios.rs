//! Scripted claim cases: each one makes particular SPEC §3 rules fire (named
//! in the case's title), so a sample of ~200 people / 3,000 lines exercises
//! every rule payrun has. Each case picks a person who fits it (a lease-car
//! holder for MIL004, a new starter for relocation, ...) and is repeated once
//! per 3,000 requested lines, so about 4% of a large sample is scripted.
//!
//! Not produced: DAT001 (a missing column stops the run, so a usable sample
//! cannot carry it) and DUP002 within a single run (it needs a ledger; the
//! "carried over" case makes it fire when last month's sample was run first).

use chrono::{NaiveDate, NaiveTime};

use super::book::Cell;
use super::calendar::{add_days, months_before, Calendar};
use super::claim::Claim;
use super::rng::{stream, Rng};
use super::roster::{protection_expired, UNKNOWN_ASSIGNMENT};
use super::staff::{StaffPlan, StaffProfile};
use crate::model::codes::{AuthLevel, Category, ShiftType, StaffGroup, TravelType};
use crate::model::money::Pence;

pub(super) struct Scenario {
    /// What the case is and which rules it makes fire (read by tests and people).
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: &'static str,
    pub fits: fn(&StaffPlan, &Calendar) -> bool,
    pub build: fn(&mut Scribe),
    /// Written once whatever the sample size (its claim references are fixed).
    pub once: bool,
    /// Given to a different person in each month of a financial year, for a
    /// case whose effect depends on the person's year-to-date figures (the
    /// 3,500-mile Special Rate threshold): samples of consecutive months run
    /// on one ledger would otherwise give the same person the miles twice,
    /// and the second month would start above the threshold.
    pub yearly: bool,
}

/// What a case builds with: the person, the calendar, a keyed random stream.
pub(super) struct Scribe<'a> {
    pub cal: &'a Calendar,
    pub plan: &'a StaffPlan<'a>,
    pub rng: Rng,
    pub claims: Vec<Claim>,
    seed: u64,
}

impl Scribe<'_> {
    fn profile(&self) -> &StaffProfile {
        self.plan.profile
    }

    /// A new claim submitted on the 1st of the pay period, approved the next
    /// day (in time for the cut-off).
    fn claim(&mut self) -> &mut Claim {
        let submitted = self.cal.pay_start;
        self.claim_on(submitted, Some(add_days(submitted, 1)))
    }

    fn claim_on(&mut self, submitted: NaiveDate, approved: Option<NaiveDate>) -> &mut Claim {
        let claim = Claim::new(&self.plan.profile.assignment, submitted, approved);
        self.claims.push(claim);
        self.claims.last_mut().expect("just pushed")
    }

    /// `n` distinct rostered days of the activity month (other days if the
    /// person worked fewer).
    fn work_days(&mut self, n: usize) -> Vec<NaiveDate> {
        let mut pool: Vec<NaiveDate> = self.cal.activity_days().filter(|d| self.plan.rostered(*d)).collect();
        let mut days = Vec::new();
        while days.len() < n && !pool.is_empty() {
            days.push(pool.remove(self.rng.below(pool.len() as u64) as usize));
        }
        let mut extra = self.cal.activity_days().filter(|d| !days.contains(d)).collect::<Vec<_>>();
        while days.len() < n && !extra.is_empty() {
            days.push(extra.remove(self.rng.below(extra.len() as u64) as usize));
        }
        days.sort();
        days
    }

    fn work_day(&mut self) -> NaiveDate {
        self.work_days(1)[0]
    }

    /// A day of the activity month satisfying `wanted`, else any work day.
    fn day_where(&mut self, wanted: impl Fn(&StaffPlan, NaiveDate) -> bool) -> NaiveDate {
        let days: Vec<NaiveDate> = self.cal.activity_days().filter(|d| wanted(self.plan, *d)).collect();
        if days.is_empty() {
            self.work_day()
        } else {
            *self.rng.pick(&days)
        }
    }

    fn pence(&mut self, low_pounds: i64, high_pounds: i64) -> Pence {
        Pence(self.rng.range(low_pounds * 100, high_pounds * 100) / 10 * 10)
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

// --- who fits a case --------------------------------------------------------

fn anyone(_: &StaffPlan, _: &Calendar) -> bool {
    true
}
fn insured_driver(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile.insured_driver(cal)
}
fn special_rate_driver(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile.insured_driver(cal) && plan.profile.special_rate_all_month(cal)
}
fn afc_without_special_rate(plan: &StaffPlan, cal: &Calendar) -> bool {
    let p = plan.profile;
    p.insured_driver(cal) && p.group == StaffGroup::Afc && p.special_rate_from.is_none()
}
fn medical_driver(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile.insured_driver(cal) && plan.profile.group == StaffGroup::Medical
}
fn other_driver(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile.insured_driver(cal) && plan.profile.group == StaffGroup::Other
}
fn lease_holder(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile.lease_car && plan.profile.insurance_expiry.is_some_and(|d| d >= cal.pay_end)
}
fn lapsed_insurance(plan: &StaffPlan, cal: &Calendar) -> bool {
    let p = plan.profile;
    p.drives && !p.lease_car && p.insurance_expiry.is_some_and(|d| d < cal.activity_start)
}
fn no_insurance(plan: &StaffPlan, _: &Calendar) -> bool {
    plan.profile.drives && !plan.profile.lease_car && plan.profile.insurance_expiry.is_none()
}
fn recent_starter(plan: &StaffPlan, cal: &Calendar) -> bool {
    plan.profile
        .start_date
        .is_some_and(|d| d <= months_before(cal.pay_start, 4) && d >= months_before(cal.pay_start, 12))
}
fn on_call_shift(plan: &StaffPlan, day: NaiveDate) -> bool {
    plan.shifts_on(day).iter().flatten().any(|s| matches!(s.kind, ShiftType::Oncall | ShiftType::Callout))
}
fn off_base_shift(plan: &StaffPlan, day: NaiveDate) -> bool {
    plan.shifts_on(day).iter().flatten().any(|s| s.site != plan.profile.base_site)
}
fn has_day(plan: &StaffPlan, cal: &Calendar, wanted: fn(&StaffPlan, NaiveDate) -> bool) -> bool {
    cal.activity_days().any(|d| wanted(plan, d))
}
fn redeployed_driver(plan: &StaffPlan, cal: &Calendar) -> bool {
    let p = plan.profile;
    p.temp_site.is_some()
        && p.insured_driver(cal)
        && !protection_expired(p)
        && has_day(plan, cal, off_base_shift)
}
fn protection_over(plan: &StaffPlan, _: &Calendar) -> bool {
    protection_expired(plan.profile)
}
fn non_medical_on_call(plan: &StaffPlan, cal: &Calendar) -> bool {
    let p = plan.profile;
    p.group != StaffGroup::Medical && p.insured_driver(cal) && has_day(plan, cal, on_call_shift)
}
fn medical_on_call(plan: &StaffPlan, cal: &Calendar) -> bool {
    let p = plan.profile;
    p.group == StaffGroup::Medical && p.insured_driver(cal) && has_day(plan, cal, on_call_shift)
}
fn absent_without_shift(plan: &StaffPlan, day: NaiveDate) -> bool {
    plan.absent_on(day) && !plan.rostered(day)
}
fn not_rostered(plan: &StaffPlan, day: NaiveDate) -> bool {
    !plan.absent_on(day) && !plan.rostered(day)
}
/// A shift that day covers 12:00–14:00 for more than 5 hours.
fn covering_shift(plan: &StaffPlan, day: NaiveDate) -> bool {
    plan.shifts_on(day)
        .iter()
        .flatten()
        .any(|s| s.end > s.start && s.start <= hm(10, 0) && s.end >= hm(15, 30))
}
fn has_free_day(plan: &StaffPlan, cal: &Calendar) -> bool {
    has_day(plan, cal, not_rostered)
}
fn has_covering_shift(plan: &StaffPlan, cal: &Calendar) -> bool {
    has_day(plan, cal, covering_shift)
}
fn has_absence_day(plan: &StaffPlan, cal: &Calendar) -> bool {
    has_day(plan, cal, absent_without_shift)
}
fn first_person(plan: &StaffPlan, _: &Calendar) -> bool {
    plan.profile.index == 0
}

// --- the catalogue ------------------------------------------------------------

macro_rules! case {
    ($name:literal, $fits:expr, $build:expr) => {
        Scenario { name: $name, fits: $fits, build: $build, once: false, yearly: false }
    };
    (yearly $name:literal, $fits:expr, $build:expr) => {
        Scenario { name: $name, fits: $fits, build: $build, once: false, yearly: true }
    };
}

pub(super) const SCENARIOS: &[Scenario] = &[
    case!("unparseable expense date n/a (DAT002)", anyone, |s| {
        let day = s.work_day();
        s.claim().push(Category::Bus, day, Pence(340)).expense_date = Cell::Bad("n/a");
    }),
    case!("unparseable amounts TBC and 12,34 (DAT002)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        c.push(Category::Sundry, days[0], Pence(0)).amount = Cell::Bad("TBC");
        c.push(Category::Sundry, days[1], Pence(0)).amount = Cell::Bad("12,34");
    }),
    case!("unparseable miles (DAT002)", insured_driver, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        let line = s.claim().mileage(Category::MileageCar, day, site, "Thorne Clinic", 200, None, 25);
        line.miles = Cell::Bad("approx 20");
    }),
    case!("unknown category MILEAGE_VAN and travel type (DAT004)", insured_driver, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        c.mileage(Category::MileageCar, days[0], site, "Leeds LGI", 310, None, 25).category =
            Cell::Str("MILEAGE_VAN");
        c.mileage(Category::MileageCar, days[1], site, "Barnsley DGH", 160, None, 25).travel_type =
            Cell::Str("CLINCAL");
    }),
    case!("assignment not in Staff (DAT003)", anyone, |s| {
        let day = s.work_day();
        let (submitted, approved) = (s.cal.pay_start, Some(add_days(s.cal.pay_start, 1)));
        let mut claim = Claim::new(UNKNOWN_ASSIGNMENT, submitted, approved);
        claim.push(Category::Rail, day, Pence(1_460)).describe("Doncaster - Leeds return");
        s.claims.push(claim);
    }),
    case!("same claim line keyed twice (DAT005)", anyone, |s| {
        let day = s.work_day();
        let c = s.claim();
        let line = c.push(Category::Bus, day, Pence(480)).clone();
        c.lines.push(line);
    }),
    case!("negative amount and negative miles (DAT006)", insured_driver, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        c.push(Category::Sundry, days[0], Pence(-1_250)).describe("Refund of overpayment");
        c.mileage(Category::MileageCar, days[1], site, "MMH", -150, None, 25);
    }),
    case!("amount over the £5,000 line maximum (DAT006)", anyone, |s| {
        let day = s.work_day();
        let line = s.claim().push(Category::Hotel, day, Pence(625_000));
        line.london = Cell::Flag(false);
        line.describe("Hotel, one night (keyed in pence)");
    }),
    case!("expense after submission; approval before submission (DAT007)", anyone, |s| {
        let cal = s.cal;
        s.claim_on(cal.activity_day(13), Some(cal.activity_day(14)))
            .push(Category::Rail, cal.activity_day(19), Pence(1_180))
            .describe("Doncaster - Sheffield return");
        s.claim_on(cal.activity_day(19), Some(cal.activity_day(16))).push(
            Category::Bus,
            cal.activity_day(9),
            Pence(390),
        );
    }),
    case!("approved after the cut-off (CUT001)", anyone, |s| {
        let days = s.work_days(2);
        let cal = s.cal;
        let c = s.claim_on(cal.activity_end, Some(add_days(cal.cutoff, 3)));
        c.push(Category::Bus, days[0], Pence(520));
        c.push(Category::Parking, days[1], Pence(650)).to = Cell::Str("Sheffield NGH");
    }),
    case!("expense date in the pay period (CUT001)", anyone, |s| {
        let cal = s.cal;
        let submitted = add_days(cal.pay_start, 1);
        s.claim_on(submitted, Some(submitted))
            .push(Category::Rail, cal.pay_start, Pence(1_650))
            .describe("Doncaster - York return");
    }),
    case!("claimed more than 3 months late (AGE001)", anyone, |s| {
        let day = add_days(months_before(s.cal.pay_start, 3), -12);
        s.claim().push(Category::Rail, day, Pence(1_320)).describe("Doncaster - Leeds return, old ticket");
    }),
    case!("late, with exceptional circumstances (AGE002)", anyone, |s| {
        let day = add_days(months_before(s.cal.pay_start, 3), -20);
        let line = s.claim().push(Category::Rail, day, Pence(2_410));
        line.describe("Delayed claim after long-term sickness, director agreed");
        line.exceptional = Cell::Flag(true);
    }),
    case!("expense in the previous financial year (AGE003)", anyone, |s| {
        // One day earlier for each month of the financial year gone, so that
        // consecutive months' samples, run on one ledger, do not carry the same
        // person's same fare on the same day twice (a DUP001 nobody meant).
        let back = 4 + s.cal.months_into_financial_year() as i64;
        let day = add_days(Calendar::financial_year_start(s.cal.pay_start), -back);
        let line = s.claim().push(Category::Rail, day, Pence(1_870));
        line.describe("Year-end course travel, claimed late");
        line.exceptional = Cell::Flag(true);
    }),
    case!("resubmitted in a second claim (DUP001)", anyone, |s| {
        let day = s.work_day();
        let cal = s.cal;
        let amount = s.pence(9, 19);
        let first = s.claim_on(add_days(cal.activity_end, -2), Some(add_days(cal.activity_end, -1)));
        first.push(Category::Rail, day, amount).describe("Doncaster - Leeds return");
        s.claim().push(Category::Rail, day, amount).describe("Doncaster - Leeds return (resubmitted)");
    }),
    case!("corrected resubmission after a missing receipt", anyone, |s| {
        let day = s.day_where(covering_shift);
        let cal = s.cal;
        let first = s.claim_on(add_days(cal.activity_end, -3), Some(add_days(cal.activity_end, -2)));
        let line = first.push(Category::DayMeal, day, Pence(460));
        line.to = Cell::Str("Leeds LGI");
        line.times((8, 0), (16, 30)).receipt = Cell::Str("N");
        let again = s.claim().push(Category::DayMeal, day, Pence(460));
        again.to = Cell::Str("Leeds LGI");
        again.times((8, 0), (16, 30)).describe("Lunch, receipt now attached");
    }),
    Scenario {
        name: "carried over from last month's claims (DUP002 when last month was run)",
        fits: first_person,
        build: carried_over,
        once: true,
        yearly: false,
    },
    Scenario {
        name: "deferred last month, resubmitted corrected (CUT002 when last month was run)",
        fits: first_person,
        build: resubmitted_after_deferral,
        once: true,
        yearly: false,
    },
    case!("legs from and to HOME (MIL001)", insured_driver, |s| {
        let days = s.work_days(2);
        let p = s.profile();
        let (site, commute) = (p.base_site, p.home_to_base_tenths);
        let c = s.claim();
        c.mileage(Category::MileageCar, days[0], "HOME", "Leeds LGI", commute + 280, None, 25);
        c.mileage(Category::MileageCar, days[0], "Leeds LGI", "HOME", commute + 280, None, 25);
        c.mileage(Category::MileageCar, days[1], "HOME", "HOME", 2 * commute + 60, None, 25)
            .describe(if site == "DRI" { "Home visits round, from home" } else { "Clinic round from home" });
    }),
    case!("miles over the shortest route (MIL002)", insured_driver, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        c.mileage(Category::MileageCar, days[0], site, "York University", 520, None, 25).route_miles =
            Cell::Tenths(370);
        let line = c.mileage(Category::MileageCar, days[1], site, "Lincoln County Hospital", 500, None, 25);
        line.route_miles = Cell::Tenths(410);
        line.describe("A57 closed, diversion");
        line.exceptional = Cell::Flag(true);
    }),
    case!("AfC asking Special Rate without approval (MIL003)", afc_without_special_rate, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        s.claim().mileage(
            Category::MileageCar,
            day,
            site,
            "Patient home DN12",
            140,
            Some(TravelType::Community),
            56,
        );
    }),
    case!("MEDICAL claiming COMMUNITY rate (MIL003)", medical_driver, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        s.claim().mileage(
            Category::MileageCar,
            day,
            site,
            "Worksop Health Centre",
            230,
            Some(TravelType::Community),
            56,
        );
    }),
    case!("OTHER claiming CLINICAL rate (MIL003)", other_driver, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        s.claim().mileage(Category::MileageCar, day, site, "MMH", 95, Some(TravelType::Clinical), 56);
    }),
    case!("lease-car holder claiming own-car mileage (MIL004)", lease_holder, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        c.mileage(Category::MileageCar, days[0], site, "Rotherham DGH", 140, Some(TravelType::Community), 56);
        c.mileage(Category::MileageLeaseCar, days[1], site, "Barnsley DGH", 160, None, 14);
    }),
    case!("mileage mis-priced by the tool (MIL005)", insured_driver, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        c.mileage(Category::MileageCar, days[0], site, "Sheffield NGH", 205, None, 25).amount =
            Cell::Money(Pence(633));
        c.mileage(Category::MileageCar, days[1], site, "Thorne Clinic", 110, None, 25).amount =
            Cell::Money(Pence(195));
    }),
    case!("business insurance expired (MIL006)", lapsed_insurance, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        s.claim().mileage(Category::MileageCar, day, site, "Askern Medical Practice", 75, None, 25);
    }),
    case!("no insurance certificate on file (MIL006)", no_insurance, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        s.claim().mileage(Category::MileageCar, day, site, "Thorne Clinic", 110, None, 25);
    }),
    case!("car journey dearer than the rail fare (MIL007)", insured_driver, |s| {
        let day = s.work_day();
        let site = s.profile().base_site;
        let reference = format!("JNY-{}-LEEDS", &s.profile().assignment[4..]);
        let c = s.claim();
        let out = c.mileage(Category::MileageCar, day, site, "Leeds LGI", 420, None, 25);
        out.standard_fare = Cell::Money(Pence(1_850));
        out.journey_ref = Cell::Text(reference.clone());
        c.mileage(Category::MileageCar, day, "Leeds LGI", site, 420, None, 25).journey_ref =
            Cell::Text(reference.clone());
        let park = c.push(Category::Parking, day, Pence(1_200));
        park.to = Cell::Str("Leeds LGI");
        park.journey_ref = Cell::Text(reference);
    }),
    case!("passenger without a car line (MIL008)", anyone, |s| {
        let day = s.work_day();
        let line = s.claim().push(Category::Passenger, day, Pence(24));
        line.miles = Cell::Tenths(120);
        line.passengers = Cell::Int(1);
        line.from = Cell::Str("BASE");
        line.to = Cell::Str("MMH");
    }),
    case!("passenger count 0 (MIL008) and a valid passenger", insured_driver, |s| {
        let days = s.work_days(2);
        let site = s.profile().base_site;
        let c = s.claim();
        for (day, passengers) in [(days[0], 0), (days[1], 2)] {
            c.mileage(Category::MileageCar, day, site, "Barnsley DGH", 160, None, 25);
            let line = c.push(Category::Passenger, day, Pence(passengers * 32));
            line.miles = Cell::Tenths(160);
            line.passengers = Cell::Int(passengers);
            line.from = Cell::Text(site.to_string());
            line.to = Cell::Str("Barnsley DGH");
        }
    }),
    case!(yearly "Special Rate 3,500-mile threshold crossed (MIL009, TAX005)", special_rate_driver, |s| {
        let days = s.work_days(10);
        let site = s.profile().base_site;
        let c = s.claim();
        for day in days {
            for (from, to) in [(site, "Rural round DN22"), ("Rural round DN22", site)] {
                let line =
                    c.mileage(Category::MileageCar, day, from, to, 1_800, Some(TravelType::Community), 56);
                line.route_miles = Cell::Tenths(1_800);
            }
        }
    }),
    case!("hotels over the cap in and outside London (SUB001)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        c.push(Category::Hotel, days[0], Pence(9_600)).london = Cell::Flag(false);
        let line = c.push(Category::Hotel, days[1], Pence(13_400));
        line.london = Cell::Flag(true);
        line.describe("Hotel, London, national conference");
    }),
    case!("hotel over the cap, exceptional (SUB002)", anyone, |s| {
        let day = s.work_day();
        let line = s.claim().push(Category::Hotel, day, Pence(15_000));
        line.london = Cell::Flag(true);
        line.exceptional = Cell::Flag(true);
        line.describe("Only room available, conference week");
    }),
    case!("non-commercial overnight not at the flat rate (SUB003)", anyone, |s| {
        let day = s.work_day();
        s.claim().push(Category::NonCommercialOvernight, day, Pence(3_000));
    }),
    case!("meals over their caps (SUB004)", anyone, |s| {
        let days = s.work_days(4);
        let c = s.claim();
        let lunch = c.push(Category::DayMeal, days[0], Pence(780));
        lunch.to = Cell::Str("Sheffield NGH");
        lunch.times((8, 0), (16, 30));
        c.push(Category::EveningMeal, days[1], Pence(1_850)).times((7, 30), (19, 45));
        c.push(Category::OvernightMeals, days[2], Pence(2_400));
        c.push(Category::Incidental, days[3], Pence(600));
    }),
    case!("day meal time tests: late start, short day, pass (SUB005)", anyone, |s| {
        let days = s.work_days(3);
        let c = s.claim();
        for (day, depart, back) in
            [(days[0], (12, 30), (17, 0)), (days[1], (10, 0), (14, 30)), (days[2], (8, 30), (16, 0))]
        {
            let line = c.push(Category::DayMeal, day, Pence(450));
            line.to = Cell::Str("Rotherham DGH");
            line.times(depart, back);
        }
    }),
    case!("evening meal time tests: early return, short day, 19:00, after midnight (SUB006)", anyone, |s| {
        let days = s.work_days(4);
        let c = s.claim();
        for (day, depart, back) in [
            (days[0], (7, 0), (18, 30)),
            (days[1], (10, 0), (19, 30)),
            (days[2], (7, 45), (19, 0)),
            (days[3], (13, 0), (0, 30)),
        ] {
            c.push(Category::EveningMeal, day, Pence(1_250)).times(depart, back);
        }
    }),
    case!("day meal with no times on an unrostered day (SUB007, ROS002)", has_free_day, |s| {
        let day = s.day_where(not_rostered);
        s.claim().push(Category::DayMeal, day, Pence(420)).to = Cell::Str("York University");
    }),
    case!("day meal timed from the roster (ROS005)", has_covering_shift, |s| {
        let day = s.day_where(covering_shift);
        s.claim().push(Category::DayMeal, day, Pence(390)).to = Cell::Str("Nottingham QMC");
    }),
    case!("daily subsistence over £29.50 (SUB008)", anyone, |s| {
        let day = s.work_day();
        let c = s.claim();
        c.push(Category::NonCommercialOvernight, day, Pence(2_500));
        let lunch = c.push(Category::DayMeal, day, Pence(500));
        lunch.to = Cell::Str("York University");
        lunch.times((8, 0), (17, 0));
        c.push(Category::Incidental, day, Pence(450));
    }),
    case!("day meal at a trust site (SUB009)", anyone, |s| {
        let day = s.work_day();
        let line = s.claim().push(Category::DayMeal, day, Pence(480));
        line.to = Cell::Str("DRI");
        line.times((8, 30), (16, 30)).describe("Lunch at DRI restaurant");
    }),
    case!("alcohol on the bill (SUB010)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        let dinner = c.push(Category::EveningMeal, days[0], Pence(1_500));
        dinner.times((7, 15), (20, 0)).alcohol_amount = Cell::Money(Pence(600));
        let hotel = c.push(Category::Hotel, days[1], Pence(10_000));
        hotel.london = Cell::Flag(false);
        hotel.alcohol_amount = Cell::Money(Pence(3_000));
    }),
    case!("wine in the description, no alcohol amount (SUB011)", anyone, |s| {
        let day = s.work_day();
        s.claim()
            .push(Category::EveningMeal, day, Pence(1_420))
            .times((7, 30), (20, 15))
            .describe("Dinner and a glass of wine");
    }),
    case!("taxis: no authorisation with and without a bus fare (TRV001)", anyone, |s| {
        let days = s.work_days(3);
        let c = s.claim();
        let t = c.push(Category::Taxi, days[0], Pence(2_400)).authorised(AuthLevel::None);
        t.public_transport_cost = Cell::Money(Pence(640));
        c.push(Category::Taxi, days[1], Pence(1_800)).authorised(AuthLevel::LineManager);
        c.push(Category::Taxi, days[2], Pence(1_500)).authorised(AuthLevel::CareGroupDirector);
    }),
    case!("air travel without executive authorisation (TRV002)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        c.push(Category::Air, days[0], Pence(18_000)).authorised(AuthLevel::LineManager);
        c.push(Category::Air, days[1], Pence(14_000)).authorised(AuthLevel::ExecutiveDirector);
    }),
    case!("car hire and fuel without authorisation (TRV003)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        for (day, level) in [(days[0], AuthLevel::None), (days[1], AuthLevel::CareGroupDirector)] {
            c.push(Category::CarHire, day, Pence(9_500)).authorised(level);
            c.push(Category::HireFuel, day, Pence(3_500)).authorised(level);
        }
    }),
    case!("first-class rail with and without a standard fare (TRV004)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        let with_fare =
            c.push(Category::Rail, days[0], Pence(14_500)).describe("Doncaster - London King's Cross");
        with_fare.rail_class = Cell::Str("FIRST");
        with_fare.standard_fare = Cell::Money(Pence(6_200));
        c.push(Category::Rail, days[1], Pence(8_800)).describe("Doncaster - York, first class").rail_class =
            Cell::Str("first");
    }),
    case!("parking at a trust site (TRV005)", anyone, |s| {
        let day = s.work_day();
        s.claim().push(Category::Parking, day, Pence(400)).to = Cell::Str("BDGH");
    }),
    case!("penalty charge as parking, and a fine (TRV006)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        let pcn = c.push(Category::Parking, days[0], Pence(3_500)).describe("PCN - parked on double yellow");
        pcn.to = Cell::Str("Leeds LGI");
        c.push(Category::Fine, days[1], Pence(7_000)).describe("Speeding fine");
    }),
    case!("hospitality without the chief executive (TRV007)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        c.push(Category::Hospitality, days[0], Pence(12_000)).authorised(AuthLevel::ExecutiveDirector);
        c.push(Category::Hospitality, days[1], Pence(9_500)).authorised(AuthLevel::ChiefExecutive);
    }),
    case!("parking without a receipt (RCT001)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        let no = c.push(Category::Parking, days[0], Pence(650));
        no.to = Cell::Str("Sheffield NGH");
        no.receipt = Cell::Str("N");
        let lost = c.push(Category::Parking, days[1], Pence(300));
        lost.to = Cell::Str("Rotherham DGH");
        lost.receipt = Cell::Str("LOST");
        lost.lost_receipt_reason = Cell::Str("Pay and display ticket left in car");
    }),
    case!("receipt missing or lost without reason (RCT002)", anyone, |s| {
        let days = s.work_days(3);
        let c = s.claim();
        c.push(Category::Rail, days[0], Pence(1_090)).receipt = Cell::Str("N");
        c.push(Category::Sundry, days[1], Pence(850)).receipt = Cell::Str("LOST");
        c.push(Category::Bus, days[2], Pence(420)).receipt = Cell::Blank;
    }),
    case!("receipt lost with a reason, taxed (RCT003, TAX003, TAX004)", anyone, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        let rail = c.push(Category::Rail, days[0], Pence(1_240));
        rail.receipt = Cell::Str("LOST");
        rail.lost_receipt_reason = Cell::Str("Ticket kept by the barrier");
        let pass = c.push(Category::SeasonTicket, days[1], Pence(7_800));
        pass.receipt = Cell::Str("LOST");
        pass.lost_receipt_reason = Cell::Str("Card lost, statement attached");
    }),
    case!("relocation package over the caps (REL001-REL004, TAX006)", recent_starter, |s| {
        let days = s.work_days(2);
        let c = s.claim();
        c.push(Category::Relocation, days[0], Pence(450_000)).describe("Removal firm");
        c.push(Category::Relocation, days[1], Pence(390_000)).describe("Legal fees on house purchase");
        c.push(Category::RelocationMisc, days[0], Pence(70_000));
        c.push(Category::RelocationMisc, days[1], Pence(45_000)).describe("New school uniforms");
    }),
    case!("excess travel at the new site (TAX001) and on a base-only day (ROS004)", redeployed_driver, |s| {
        let away = s.day_where(off_base_shift);
        let at_base = s.day_where(|plan, day| !off_base_shift(plan, day));
        let site = s.profile().temp_site.unwrap_or("BDGH");
        let c = s.claim();
        c.mileage(Category::ExcessTravel, away, "HOME", site, 120, None, 25);
        c.mileage(Category::ExcessTravel, at_base, "HOME", site, 120, None, 25);
    }),
    case!("excess travel after pay protection ended (PP005)", protection_over, |s| {
        let day = s.day_where(off_base_shift);
        let site = s.profile().temp_site.unwrap_or("BDGH");
        s.claim().mileage(Category::ExcessTravel, day, "HOME", site, 95, None, 25);
    }),
    case!(
        "on-call mileage, non-medical, with and without a call-out (TAX002, ROS003)",
        non_medical_on_call,
        |s| {
            let called = s.day_where(on_call_shift);
            let not_called = s.day_where(|plan, day| !on_call_shift(plan, day));
            let commute = s.profile().home_to_base_tenths;
            let c = s.claim();
            for day in [called, not_called] {
                c.mileage(
                    Category::OncallMileage,
                    day,
                    "HOME",
                    "HOME",
                    2 * commute,
                    Some(TravelType::NonClinical),
                    25,
                )
                .describe("Called in to a boiler failure");
            }
        }
    ),
    case!("on-call mileage, medical (AMAP business miles)", medical_on_call, |s| {
        let day = s.day_where(on_call_shift);
        let commute = s.profile().home_to_base_tenths;
        s.claim()
            .mileage(
                Category::OncallMileage,
                day,
                "HOME",
                "HOME",
                2 * commute,
                Some(TravelType::Clinical),
                56,
            )
            .describe("Called in for theatre");
    }),
    case!("season ticket (TAX004)", anyone, |s| {
        let day = s.work_day();
        s.claim().push(Category::SeasonTicket, day, Pence(11_200));
    }),
    case!("claim on a day of absence (ROS001)", has_absence_day, |s| {
        let day = s.day_where(absent_without_shift);
        s.claim().push(Category::Rail, day, Pence(980)).describe("Doncaster - Sheffield return");
    }),
    case!("one of every remaining category", insured_driver, |s| {
        let days = s.work_days(4);
        let site = s.profile().base_site;
        let c = s.claim();
        c.mileage(Category::MileageMotorcycle, days[0], site, "Thorne Clinic", 110, None, 16);
        c.mileage(Category::MileageBicycle, days[1], site, "CHC", 40, None, 10);
        c.mileage(Category::MileageLeaseCar, days[2], site, "MMH", 95, None, 14).describe("Pool lease car");
        c.push(Category::Toll, days[3], Pence(150));
        c.push(Category::Bus, days[3], Pence(450));
        c.push(Category::Sundry, days[0], Pence(1_250)).describe("Official telephone call");
    }),
];

/// The DUP002 case. This period's sample carries an ordinary line under a
/// fixed key, and also re-sends last month's line under *last month's* key
/// (and once more under a new key). Running last month's sample first puts the
/// original in the ledger, so this month's copy is DUP002 (and the re-keyed one
/// DUP001 against the ledger); in a single run they are DUP001 within the run.
fn carried_over(s: &mut Scribe) {
    let assignment = s.profile().assignment.clone();
    let previous = s.cal.previous();
    s.claims.push(carried_claim(s.seed, s.cal, &assignment));
    s.claims.push(carried_claim(s.seed, &previous, &assignment));
    let mut rekeyed = carried_claim(s.seed, &previous, &assignment);
    rekeyed.fixed_id = Some(format!("EXP{}-C00002", s.cal.pay_code));
    s.claims.push(rekeyed);
}

/// The CUT002 case. This period's sample has a line approved after its
/// cut-off (deferred, under a fixed key), and last month's deferred line
/// again under *last month's* key, corrected (£1 less) and approved in time.
/// Running last month's sample first puts the deferred original in the
/// ledger, so this month's corrected copy replaces it (CUT002); in a single
/// run it is an ordinary line.
fn resubmitted_after_deferral(s: &mut Scribe) {
    let assignment = s.profile().assignment.clone();
    let previous = s.cal.previous();
    s.claims.push(deferred_claim(s.seed, s.cal, &assignment, false));
    s.claims.push(deferred_claim(s.seed, &previous, &assignment, true));
}

fn deferred_claim(seed: u64, cal: &Calendar, assignment: &str, corrected: bool) -> Claim {
    let code: u64 = cal.pay_code.parse().unwrap_or(0);
    let mut rng = Rng::keyed(seed, &[stream::DEFERRED, code]);
    let submitted = add_days(cal.activity_end, -1);
    let approved = add_days(cal.cutoff, 3);
    let mut claim = Claim::new(assignment, submitted, Some(approved));
    claim.fixed_id = Some(format!("EXP{}-D00001", cal.pay_code));
    let fare = Pence(rng.range(90, 190) * 10 - if corrected { 100 } else { 0 });
    claim.push(Category::Rail, cal.activity_day(16), fare).describe("Doncaster - Sheffield return");
    claim
}

fn carried_claim(seed: u64, cal: &Calendar, assignment: &str) -> Claim {
    let code: u64 = cal.pay_code.parse().unwrap_or(0);
    let mut rng = Rng::keyed(seed, &[stream::CARRIED, code]);
    let submitted = add_days(cal.activity_end, -1);
    let mut claim = Claim::new(assignment, submitted, Some(cal.activity_end));
    claim.fixed_id = Some(format!("EXP{}-C00001", cal.pay_code));
    let fare = Pence(rng.range(90, 190) * 10);
    claim.push(Category::Rail, cal.activity_day(9), fare).describe("Doncaster - Leeds return");
    claim
}

/// Which cases go to which person: `by_person[i]` lists (case, repetition).
pub(super) struct Assigned {
    pub by_person: Vec<Vec<(usize, u64)>>,
    /// Lines the assigned cases write in total (≤ the requested lines).
    pub lines: usize,
}

/// Spreads the cases over people: each repetition starts looking at a seeded
/// position and takes the first person who fits. A case that would overrun
/// `total_lines` is left out, so the sample always has exactly that many lines.
pub(super) fn assign(seed: u64, people: &[StaffProfile], cal: &Calendar, total_lines: usize) -> Assigned {
    let mut assigned = Assigned { by_person: vec![Vec::new(); people.len()], lines: 0 };
    if people.is_empty() {
        return assigned;
    }
    let repetitions = (total_lines / 3_000).max(1) as u64;
    for rep in 0..repetitions {
        for (case, scenario) in SCENARIOS.iter().enumerate() {
            if scenario.once && rep > 0 {
                continue;
            }
            let start = Rng::keyed(seed, &[stream::SCENARIO, case as u64, rep, u64::MAX])
                .below(people.len() as u64) as usize;
            // A yearly case passes over one fitting person per month of the
            // financial year already gone (April: none), wrapping round when
            // fewer people fit.
            let mut pass_over = 0;
            if scenario.yearly {
                let fitting =
                    people.iter().filter(|p| (scenario.fits)(&StaffPlan::new(seed, p, cal), cal)).count();
                pass_over = cal.months_into_financial_year() % fitting.max(1);
            }
            for k in 0..people.len() {
                let person = (start + k) % people.len();
                let plan = StaffPlan::new(seed, &people[person], cal);
                if !(scenario.fits)(&plan, cal) {
                    continue;
                }
                if pass_over > 0 {
                    pass_over -= 1;
                    continue;
                }
                let lines: usize = build(case, seed, rep, &plan, cal).iter().map(|c| c.lines.len()).sum();
                if assigned.lines + lines <= total_lines {
                    assigned.by_person[person].push((case, rep));
                    assigned.lines += lines;
                }
                break;
            }
        }
    }
    assigned
}

/// The claims of one case for one person: the same every time it is asked
/// (the stream is keyed by seed, case and repetition).
pub(super) fn build(case: usize, seed: u64, rep: u64, plan: &StaffPlan, cal: &Calendar) -> Vec<Claim> {
    let rng = Rng::keyed(seed, &[stream::SCENARIO, case as u64, rep]);
    let mut scribe = Scribe { cal, plan, rng, claims: Vec::new(), seed };
    (SCENARIOS[case].build)(&mut scribe);
    scribe.claims
}
