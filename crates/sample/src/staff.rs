//! The synthetic workforce: one profile per assignment, and what each person
//! does in the activity month (shifts, absences).
//!
//! Profiles are small and kept in memory (20,000 of them is a few MB). Shifts
//! and absences are *functions* of (seed, person, day) rather than stored
//! tables, so the Shifts sheet and the Claims sheet agree on who worked when
//! without either holding the other in memory.

use chrono::{Datelike, NaiveDate, NaiveTime};

use super::calendar::{add_days, after_weekdays, is_weekday, months_before, weekday_on_or_after, Calendar};
use super::rng::{stream, Rng};
use crate::model::codes::{AbsenceType, Certificate, ShiftType, StaffGroup};
use crate::model::money::Pence;

/// Trust sites (SPEC §6.5 rule 32): parking and day meals there are not paid.
pub(super) const TRUST_SITES: [&str; 3] = ["DRI", "BDGH", "MMH"];

/// Contractual bases: mostly the three hospitals, some community sites.
const BASE_SITES: &[(&str, u32)] =
    &[("DRI", 42), ("BDGH", 24), ("MMH", 14), ("CHC", 10), ("RDASH", 5), ("RETFORD", 5)];

const FIRST_NAMES: &[&str] = &[
    "Aisha", "Alan", "Amy", "Andrew", "Beth", "Carol", "Chloe", "Daniel", "David", "Deepa", "Emma", "Fatima",
    "Gareth", "Grace", "Hannah", "Ian", "Jack", "James", "Jo", "Karen", "Kofi", "Laura", "Liam", "Lucy",
    "Mark", "Mohammed", "Natalie", "Olivia", "Paul", "Priya", "Rachel", "Ravi", "Sarah", "Simon", "Sophie",
    "Tom", "Wei", "Zainab", "Zoe", "Chidi",
];

const SURNAMES: &[&str] = &[
    "Ahmed", "Atkinson", "Bailey", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hall",
    "Hughes", "Iqbal", "Jackson", "Johnson", "Khan", "Lee", "Marshall", "Mensah", "Nowak", "O'Brien",
    "Okafor", "Patel", "Roberts", "Robinson", "Shaw", "Singh", "Smith", "Taylor", "Thompson", "Turner",
    "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
];

/// How a person's month is rostered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pattern {
    /// Mon–Fri 09:00–17:00, the odd training day.
    Office,
    /// 24/7 rota: long days, days, nights.
    Ward,
    /// Mon–Fri, often split between two clinics in a day.
    Community,
    /// Doctors: long weekdays plus on-call.
    Medical,
    /// Estates and facilities: early days plus on-call and call-outs.
    Support,
}

#[derive(Clone, Debug)]
pub(super) struct StaffProfile {
    pub index: usize,
    pub assignment: String,
    pub name: String,
    pub job_title: &'static str,
    pub group: StaffGroup,
    pub band: &'static str,
    pub pattern: Pattern,
    pub base_site: &'static str,
    pub home_to_base_tenths: i64,
    /// Weekly hours in tenths (375 = 37.5).
    pub hours_tenths: i64,
    pub salary: Pence,
    /// Set by [`StaffProfile::workforce`] (`cost_centres.rs`).
    pub cost_centre: String,
    /// Orders the staff of a site into its cost centres.
    pub team_ticket: u64,
    pub service_start: NaiveDate,
    pub start_date: Option<NaiveDate>,
    pub leave_date: Option<NaiveDate>,
    pub special_rate_from: Option<NaiveDate>,
    pub insurance_expiry: Option<NaiveDate>,
    pub lease_car: bool,
    /// Uses a car for work at all (non-drivers claim rail, bus, bicycle).
    pub drives: bool,
    pub on_call: bool,
    pub night_worker: bool,
    /// A site worked at after a change of base (EXCESS_TRAVEL is claimed for it).
    pub temp_site: Option<&'static str>,
    /// Index into the protection catalogue (roster.rs) when on the register.
    pub protection: Option<usize>,
    /// Index into [`ABSENCE_THEMES`]: a notable absence story for this person.
    pub absence_theme: Option<usize>,
}

/// AfC bands with full-time salary ranges (2025/26 scale, pounds).
const AFC_BANDS: &[(&str, i64, i64, u32)] = &[
    ("Band 2", 24_465, 24_465, 10),
    ("Band 3", 24_937, 26_598, 14),
    ("Band 4", 27_485, 30_162, 12),
    ("Band 5", 29_970, 36_483, 22),
    ("Band 6", 37_338, 44_962, 20),
    ("Band 7", 46_148, 52_809, 12),
    ("Band 8a", 53_755, 60_504, 6),
    ("Band 8b", 62_215, 72_293, 3),
    ("Band 8c", 74_290, 85_601, 1),
];

const MEDICAL_GRADES: &[(&str, i64, i64, u32)] = &[
    ("FY1", 38_831, 38_831, 15),
    ("FY2", 44_439, 44_439, 15),
    ("ST3", 52_656, 61_000, 30),
    ("SAS Specialty Doctor", 61_000, 95_000, 15),
    ("Consultant", 105_504, 110_000, 25),
];

const OTHER_GRADES: &[(&str, i64, i64, u32)] = &[
    ("Apprentice", 22_000, 23_500, 20),
    ("Non-AfC Estates", 24_000, 34_000, 50),
    ("Non-AfC Manager", 38_000, 62_000, 30),
];

impl StaffProfile {
    /// The `staff` profiles of a sample, with their cost centres: the same
    /// people (and teams) in every pay period of one seed.
    pub fn workforce(seed: u64, staff: usize, cal: &Calendar) -> Vec<StaffProfile> {
        let mut people: Vec<StaffProfile> =
            (0..staff).map(|i| StaffProfile::generate(seed, i, cal)).collect();
        let sites: Vec<(char, u64)> =
            people.iter().map(|p| (p.base_site.chars().next().unwrap_or('X'), p.team_ticket)).collect();
        for (p, code) in people.iter_mut().zip(super::cost_centres::assign(&sites)) {
            p.cost_centre = code;
        }
        people
    }

    /// The profile of person `index` (without its cost centre): a function of
    /// the seed and index only, so assignment numbers and names are stable
    /// across pay periods.
    fn generate(seed: u64, index: usize, cal: &Calendar) -> StaffProfile {
        let mut rng = Rng::keyed(seed, &[stream::STAFF, index as u64]);
        // Unique by construction: a stride of 7 with an offset below it.
        let assignment = format!("{}", 21_400_000 + index as u64 * 7 + rng.below(7));
        let name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(SURNAMES));
        let group =
            *rng.weighted(&[(StaffGroup::Afc, 78), (StaffGroup::Medical, 12), (StaffGroup::Other, 10)]);
        let (grades, pattern, job_title) = match group {
            StaffGroup::Afc => {
                let pattern =
                    *rng.weighted(&[(Pattern::Ward, 45), (Pattern::Community, 30), (Pattern::Office, 25)]);
                let job = match pattern {
                    Pattern::Ward => "Staff Nurse",
                    Pattern::Community => "Community Nurse",
                    _ => "Administrator",
                };
                (AFC_BANDS, pattern, job)
            }
            StaffGroup::Medical => (MEDICAL_GRADES, Pattern::Medical, "Doctor"),
            StaffGroup::Other => (OTHER_GRADES, Pattern::Support, "Estates Officer"),
        };
        let (band, low, high, _) = *rng.weighted(&grades.iter().map(|g| (*g, g.3)).collect::<Vec<_>>());
        let full_time_pounds = rng.range(low, high);
        let mut hours_tenths = *rng.weighted(&[(375i64, 75), (300, 12), (225, 13)]);
        if full_time_pounds * hours_tenths / 375 < 22_000 {
            hours_tenths = 375; // part-time only where the pro-rata pay stays realistic
        }
        let salary = Pence(full_time_pounds * 100 * hours_tenths / 375);
        let base_site = *rng.weighted(BASE_SITES);
        let base_site = if pattern == Pattern::Community && rng.chance(0.5) { "CHC" } else { base_site };
        let years_service = rng.range(0, 30);
        let service_start =
            add_days(months_before(cal.pay_start, 12 * years_service as u32), -rng.range(1, 360));
        let start_date = if rng.chance(0.85) {
            // Joined this organisation later than the NHS, for some.
            let later = if rng.chance(0.4) { rng.range(0, years_service.max(1) * 300) } else { 0 };
            Some(add_days(service_start, later).min(add_days(cal.pay_start, -40)))
        } else {
            None
        };
        let drives = rng.chance(0.85) || pattern == Pattern::Community;
        let lease_car = drives && rng.chance(if pattern == Pattern::Community { 0.15 } else { 0.04 });
        let insurance_expiry = if !drives {
            if rng.chance(0.7) {
                None
            } else {
                Some(add_days(cal.pay_start, rng.range(-400, 300)))
            }
        } else {
            let roll = rng.below(100);
            if roll < 95 {
                Some(add_days(cal.pay_end, rng.range(1, 340)))
            } else if roll < 98 {
                Some(add_days(cal.activity_start, rng.range(-120, 20))) // lapsed, some mid-month
            } else {
                None
            }
        };
        let special_rate_from =
            if group == StaffGroup::Afc && pattern == Pattern::Community && rng.chance(0.85) {
                if rng.chance(0.1) {
                    Some(cal.activity_day(rng.range(5, 20))) // approved part-way through the month
                } else {
                    Some(add_days(cal.activity_start, -rng.range(30, 1800)))
                }
            } else {
                None
            };
        let on_call = matches!(pattern, Pattern::Medical | Pattern::Support) && rng.chance(0.6);
        let night_worker = pattern == Pattern::Ward && rng.chance(0.2);
        let temp_site = if rng.chance(0.03) { Some(other_site(base_site, &mut rng)) } else { None };
        let leave_date = if rng.chance(0.02) {
            Some(cal.activity_day(rng.range(0, 40)).max(add_days(cal.pay_start, rng.range(0, 25))))
        } else {
            None
        };
        let absence_theme = if index < ABSENCE_THEMES.len() || rng.chance(1.0 / 6.0) {
            Some(if index < ABSENCE_THEMES.len() {
                index
            } else {
                rng.below(ABSENCE_THEMES.len() as u64) as usize
            })
        } else {
            None
        };
        let protection = (index % 40 == 5).then_some(index / 40);
        // The one draw for the cost centre, which `cost_centres::assign` makes
        // of it once the whole workforce is known.
        let team_ticket = rng.next_u64();

        let mut profile = StaffProfile {
            index,
            assignment,
            name,
            job_title,
            group,
            band,
            pattern,
            base_site,
            home_to_base_tenths: rng.range(20, 300),
            hours_tenths,
            salary,
            cost_centre: String::new(),
            team_ticket,
            service_start,
            start_date,
            leave_date,
            special_rate_from,
            insurance_expiry,
            lease_car,
            drives,
            on_call,
            night_worker,
            temp_site,
            protection,
            absence_theme,
        };
        profile.apply_archetype(cal);
        if profile.absence_theme == Some(24) {
            // Unpaid parental leave needs a year's NHS service (LV004).
            profile.service_start = months_before(cal.activity_start, 8);
            profile.start_date = Some(profile.service_start);
        }
        profile
    }

    /// The first dozen people are fixed archetypes so that even a 50-person
    /// sample holds every kind of claimant the rules distinguish.
    fn apply_archetype(&mut self, cal: &Calendar) {
        let insured = Some(add_days(cal.pay_end, 200));
        let afc = |p: &mut StaffProfile, pattern, job, band: &'static str| {
            p.group = StaffGroup::Afc;
            p.pattern = pattern;
            p.job_title = job;
            p.band = band;
            let (_, low, high, _) = AFC_BANDS.iter().find(|b| b.0 == band).copied().unwrap_or(AFC_BANDS[3]);
            p.salary = Pence((low + high) / 2 * 100 * p.hours_tenths / 375);
        };
        match self.index {
            0 => {
                afc(self, Pattern::Community, "Community Nurse", "Band 6");
                self.special_rate_from = Some(add_days(cal.activity_start, -900));
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            1 => {
                afc(self, Pattern::Community, "Community Nurse", "Band 5");
                self.drives = true;
                self.lease_car = true;
                self.special_rate_from = None;
                self.insurance_expiry = insured;
            }
            2 => {
                afc(self, Pattern::Office, "Administrator", "Band 4");
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = Some(add_days(cal.activity_start, -45));
            }
            3 => {
                self.group = StaffGroup::Medical;
                self.pattern = Pattern::Medical;
                self.job_title = "Doctor";
                self.band = "Consultant";
                self.salary = Pence(10_550_400 * self.hours_tenths / 375);
                self.on_call = true;
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            4 => {
                self.group = StaffGroup::Other;
                self.pattern = Pattern::Support;
                self.job_title = "Estates Officer";
                self.band = "Non-AfC Estates";
                self.on_call = true;
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            6 => {
                afc(self, Pattern::Office, "Service Manager", "Band 7");
                self.start_date = Some(months_before(cal.pay_start, 5));
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            7 => {
                afc(self, Pattern::Office, "Administrator", "Band 3");
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = None;
            }
            8 => {
                afc(self, Pattern::Ward, "Staff Nurse", "Band 5");
                self.night_worker = true;
            }
            9 => {
                afc(self, Pattern::Ward, "Staff Nurse", "Band 6");
                self.base_site = "DRI";
                self.temp_site = Some("BDGH");
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            10 => {
                afc(self, Pattern::Community, "Health Visitor", "Band 6");
                self.special_rate_from = None;
                self.drives = true;
                self.lease_car = false;
                self.insurance_expiry = insured;
            }
            11 => {
                // Joined the NHS this year: carers' leave needs a year's service.
                self.service_start = months_before(cal.pay_start, 7);
                self.start_date = Some(self.service_start);
            }
            _ => {}
        }
        if self.protection.is_some() && self.temp_site.is_none() {
            // Redeployed people work at their new site and claim the extra miles.
            self.temp_site = Some(if self.base_site == "BDGH" { "MMH" } else { "BDGH" });
        }
    }

    /// Insured for business use for the whole activity month, own car.
    pub fn insured_driver(&self, cal: &Calendar) -> bool {
        self.drives && !self.lease_car && self.insurance_expiry.is_some_and(|d| d >= cal.pay_end)
    }

    /// AfC community staff with Special Rate approved before the month.
    pub fn special_rate_all_month(&self, cal: &Calendar) -> bool {
        self.group == StaffGroup::Afc
            && self.pattern == Pattern::Community
            && self.special_rate_from.is_some_and(|d| d <= cal.activity_start)
    }

    /// Weekly hours as a float for display in derived figures (absence hours).
    pub fn daily_hours_hundredths(&self) -> i64 {
        self.hours_tenths * 10 / 5
    }
}

/// How often a weekday is split between two sites.
fn split_share(pattern: Pattern) -> f64 {
    match pattern {
        Pattern::Community => 0.6,
        Pattern::Medical => 0.4,
        Pattern::Office | Pattern::Support => 0.25,
        Pattern::Ward => 0.0,
    }
}

fn other_site(base: &str, rng: &mut Rng) -> &'static str {
    loop {
        let site = rng.pick(&["DRI", "BDGH", "MMH", "CHC", "RETFORD"]);
        if *site != base {
            return site;
        }
    }
}

// ---------------------------------------------------------------------------
// Absences

#[derive(Clone, Debug)]
pub(super) struct Absence {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub kind: AbsenceType,
    /// Hours in hundredths when the export states them (else blank).
    pub hours: Option<i64>,
    pub certificate: Option<Certificate>,
    /// The export's own word for the type (an alias of `columns.toml`), if
    /// not the code.
    pub text: Option<&'static str>,
}

/// Notable absence stories, one per person for some (SPEC §3.10, §3.11): each
/// type and certificate, entitlements exhausted, limits exceeded, and sickness
/// histories that reach Bradford stages 1–3.
pub(super) const ABSENCE_THEMES: &[&str] = &[
    "sickness 5 days uncertified",
    "sickness 10 days self-certified across the month start",
    "sickness 3 weeks fit note into the pay period",
    "Bradford stage 1",
    "Bradford stage 2",
    "Bradford stage 3",
    "bereavement (immediate) 8 days",
    "bereavement (close) 3 days",
    "funeral 2 days",
    "emergency leave over 45 hours in the year",
    "carers leave 6 days",
    "jury service",
    "reservist training 7 days",
    "magisterial duties over 18 days in the year",
    "public duties (paid)",
    "public duties (unpaid)",
    "unpaid special leave with stated hours",
    "unauthorised absence",
    "parental leave spanning the month end",
    "other paid leave, part day",
    "annual leave fortnight into the pay period",
    "self-certified sickness 2 days",
    "maternity leave returning this month, three KIT days (two shifts on one of them)",
    "maternity leave with 11 KIT days this month (KIT002)",
    "unpaid parental leave under a year's service (LV004)",
    "shared parental leave returning this month, SPLIT days incl. a night",
    "paternity leave 2 weeks",
    "adoption leave returning this month, one KIT day",
];

/// The KIT days of the keeping-in-touch stories (SPEC §14): how many of the
/// activity month's first weekdays are worked during the leave.
fn kit_day_count(theme: Option<usize>) -> usize {
    match theme {
        Some(22) => 3,
        Some(23) => 11,
        Some(25) => 4,
        Some(27) => 1,
        _ => 0,
    }
}

/// The absences of one person: the theme first, then ordinary annual leave
/// and short sickness that do not overlap it. About three rows a person.
pub(super) fn absences_for(seed: u64, profile: &StaffProfile, cal: &Calendar) -> Vec<Absence> {
    let mut rng = Rng::keyed(seed, &[stream::ABSENCES, profile.index as u64]);
    let mut rows: Vec<Absence> = Vec::new();
    let day_hours = profile.daily_hours_hundredths();
    let add = |rows: &mut Vec<Absence>, a: Absence| {
        if !rows.iter().any(|r| r.start <= a.end && a.start <= r.end) && a.start <= a.end {
            rows.push(a);
        }
    };
    let block = |kind, start: NaiveDate, working_days: u32, cert| {
        let start = weekday_on_or_after(start);
        Absence {
            start,
            end: after_weekdays(start, working_days),
            kind,
            hours: None,
            certificate: cert,
            text: None,
        }
    };
    let calendar_block = |kind, start: NaiveDate, days: i64, cert| Absence {
        start,
        end: add_days(start, days - 1),
        kind,
        hours: None,
        certificate: cert,
        text: None,
    };
    let month_day = |n: i64| cal.activity_day(n);
    // A family leave from `months` before the activity month to `end`.
    let leave = |kind, months: u32, end: NaiveDate| Absence {
        start: months_before(cal.activity_start, months),
        end,
        kind,
        hours: None,
        certificate: None,
        text: None,
    };
    use AbsenceType::*;
    use Certificate::{FitNote, None as NoCert, SelfCert};

    if let Some(theme) = profile.absence_theme {
        match theme {
            0 => add(&mut rows, calendar_block(Sickness, month_day(9), 5, Some(NoCert))),
            1 => {
                add(&mut rows, calendar_block(Sickness, add_days(cal.activity_start, -4), 10, Some(SelfCert)))
            }
            2 => add(&mut rows, calendar_block(Sickness, month_day(20), 21, Some(FitNote))),
            3..=5 => {
                // Short, frequent episodes over the past year: S² × D reaches
                // 150 (4 × 4 days), 500 (5 × 5) or 875 (7 × 3).
                let (episodes, days) = [(4, 4), (5, 5), (7, 3)][theme - 3];
                for e in 0..episodes {
                    let start = add_days(cal.activity_start, 3 - 45 * e as i64 - rng.range(0, 10));
                    let cert = if days >= 4 { SelfCert } else { NoCert };
                    add(&mut rows, calendar_block(Sickness, start, days, Some(cert)));
                }
            }
            6 => add(&mut rows, block(BereavementImmediate, month_day(6), 8, None)),
            7 => add(&mut rows, block(BereavementClose, month_day(12), 3, None)),
            8 => add(&mut rows, block(Funeral, month_day(15), 2, None)),
            9 => {
                add(&mut rows, block(Emergency, add_days(cal.activity_start, -70), 4, None));
                add(&mut rows, block(Emergency, month_day(8), 3, None));
            }
            10 => add(&mut rows, block(Carers, month_day(2), 6, Some(NoCert))),
            11 => add(&mut rows, block(Jury, month_day(7), 5, None)),
            12 => add(&mut rows, block(Reservist, month_day(13), 7, None)),
            13 => {
                for m in [9u32, 6, 3] {
                    add(&mut rows, block(Magisterial, months_before(cal.activity_start, m), 6, None));
                }
                add(&mut rows, block(Magisterial, month_day(16), 3, None));
            }
            14 => add(&mut rows, block(PublicDutyPaid, month_day(4), 2, None)),
            15 => add(&mut rows, block(PublicDutyUnpaid, month_day(18), 1, None)),
            16 => {
                let mut a = block(UnpaidSpecial, month_day(10), 3, None);
                a.hours = Some(3 * day_hours - 150);
                add(&mut rows, a);
            }
            17 => add(&mut rows, block(Unauthorised, month_day(21), 1, None)),
            18 => add(&mut rows, calendar_block(Parental, month_day(24), 28, None)),
            19 => {
                let mut a = block(OtherPaid, month_day(11), 1, Some(NoCert));
                a.hours = Some(350);
                add(&mut rows, a);
            }
            20 => add(&mut rows, block(Annual, add_days(cal.activity_end, -3), 10, None)),
            // Keeping-in-touch stories (SPEC §14): the leave covers the
            // month's first weeks (the KIT days); 22, 25 and 27 return in it.
            22 => add(
                &mut rows,
                Absence { text: Some("Maternity Leave"), ..leave(Maternity, 6, month_day(19)) },
            ),
            23 => add(&mut rows, leave(Maternity, 3, add_days(cal.activity_end, 60))),
            24 => add(&mut rows, block(Parental, month_day(7), 5, None)),
            25 => add(&mut rows, leave(SharedParental, 4, month_day(20))),
            26 => add(&mut rows, block(Paternity, month_day(5), 10, None)),
            27 => add(&mut rows, leave(Adoption, 5, month_day(9))),
            _ => add(&mut rows, calendar_block(Sickness, month_day(14), 2, Some(SelfCert))),
        }
    }
    if rng.chance(0.65) {
        let start = month_day(rng.range(0, 24));
        let days = rng.range(1, 5) as u32;
        add(&mut rows, block(Annual, start, days, None));
    }
    for _ in 0..rng.range(1, 3) {
        let start = months_before(cal.activity_start, rng.range(1, 11) as u32);
        let start = add_days(start, rng.range(0, 20));
        add(&mut rows, block(Annual, start, rng.range(1, 10) as u32, None));
    }
    // Bradford stories keep their exact episode count.
    let bradford = matches!(profile.absence_theme, Some(3..=5));
    if !bradford && rng.chance(0.12) {
        let cert = if rng.chance(0.8) { SelfCert } else { NoCert };
        add(&mut rows, calendar_block(Sickness, month_day(rng.range(0, 27)), rng.range(1, 3), Some(cert)));
    }
    if !bradford && rng.chance(0.25) {
        let start = add_days(months_before(cal.activity_start, rng.range(1, 11) as u32), rng.range(0, 25));
        let cert = *rng.pick(&[SelfCert, SelfCert, NoCert, FitNote]);
        add(&mut rows, calendar_block(Sickness, start, rng.range(1, 9), Some(cert)));
    }
    if rng.chance(0.06) {
        add(&mut rows, block(Annual, add_days(cal.activity_end, -2), 5, None));
    }
    rows.sort_by_key(|a| (a.start, a.kind));
    // Some exports state the hours on every row.
    if rng.chance(0.3) {
        for a in rows.iter_mut().filter(|a| a.hours.is_none()) {
            a.hours = Some(super::calendar::weekdays_between(a.start, a.end) * day_hours);
        }
    }
    rows
}

// ---------------------------------------------------------------------------
// Shifts

#[derive(Clone, Copy, Debug)]
pub(super) struct Shift {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub site: &'static str,
    pub kind: ShiftType,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

/// A person's month: profile plus absences; answers "shifts on this day".
pub(super) struct StaffPlan<'a> {
    pub profile: &'a StaffProfile,
    pub absences: Vec<Absence>,
    /// Days worked during a family leave (KIT / SPLIT days, SPEC §14).
    kit_days: Vec<NaiveDate>,
    seed: u64,
}

impl<'a> StaffPlan<'a> {
    pub fn new(seed: u64, profile: &'a StaffProfile, cal: &Calendar) -> StaffPlan<'a> {
        let absences = absences_for(seed, profile, cal);
        let in_family_leave =
            |d: NaiveDate| absences.iter().any(|a| a.kind.has_kit_days() && a.start <= d && d <= a.end);
        let kit_days = cal
            .activity_days()
            .filter(|d| is_weekday(*d) && in_family_leave(*d))
            .take(kit_day_count(profile.absence_theme))
            .collect();
        StaffPlan { profile, absences, kit_days, seed }
    }

    pub fn absent_on(&self, day: NaiveDate) -> bool {
        self.absences.iter().any(|a| a.start <= day && day <= a.end)
    }

    /// The rostered shifts starting on `day` (at most three). Nobody is
    /// rostered while absent; night shifts and on-call cross midnight.
    pub fn shifts_on(&self, day: NaiveDate) -> [Option<Shift>; 3] {
        let p = self.profile;
        let mut out = [None, None, None];
        if let Some(i) = self.kit_days.iter().position(|d| *d == day) {
            // A KIT day: a part day, the first of them in two shifts, and one
            // shared parental leave's a night (SPEC §14).
            let kind = if p.absence_theme == Some(25) && i == 1 { ShiftType::Night } else { ShiftType::Day };
            out[0] = Some(match kind {
                ShiftType::Night => Shift { start: hm(20, 0), end: hm(8, 0), site: p.base_site, kind },
                _ => Shift { start: hm(9, 0), end: hm(12, 30), site: p.base_site, kind },
            });
            if i == 0 {
                out[1] = Some(Shift { start: hm(13, 30), end: hm(16, 0), site: p.base_site, kind });
            }
            return out;
        }
        if self.absent_on(day) || p.leave_date.is_some_and(|d| day > d) {
            return out;
        }
        let mut rng = Rng::keyed(self.seed, &[stream::SHIFTS, p.index as u64, day.num_days_from_ce() as u64]);
        let weekday = is_weekday(day);
        let part_time = p.hours_tenths as f64 / 375.0;
        let mut site = p.base_site;
        if let Some(temp) = p.temp_site {
            if rng.chance(0.5) {
                site = temp;
            }
        }
        let training = rng.chance(0.04);
        let main = match p.pattern {
            Pattern::Ward => {
                if rng.chance(0.6 * part_time) {
                    let kind = if p.night_worker {
                        *rng.weighted(&[(ShiftType::Night, 80), (ShiftType::LongDay, 20)])
                    } else {
                        *rng.weighted(&[
                            (ShiftType::LongDay, 45),
                            (ShiftType::Day, 35),
                            (ShiftType::Night, 20),
                        ])
                    };
                    Some(kind)
                } else {
                    None
                }
            }
            _ => (weekday && rng.chance(0.95 * part_time)).then_some(ShiftType::Day),
        };
        let mut n = 0;
        if let Some(kind) = main {
            let (start, end) = match (kind, p.pattern) {
                (ShiftType::LongDay, _) => (hm(7, 0), hm(19, 30)),
                (ShiftType::Night, _) => (hm(19, 30), hm(7, 30)),
                (_, Pattern::Ward) => (hm(7, 30), hm(15, 30)),
                (_, Pattern::Medical) => (hm(8, 0), hm(18, 0)),
                (_, Pattern::Support) => (hm(7, 30), hm(15, 30)),
                (_, Pattern::Community) => (hm(8, 30), hm(16, 30)),
                _ => (hm(9, 0), hm(17, 0)),
            };
            if training && kind == ShiftType::Day {
                let venue = if p.base_site == "DRI" { "BDGH" } else { "DRI" };
                out[n] =
                    Some(Shift { start: hm(9, 0), end: hm(16, 30), site: venue, kind: ShiftType::Training });
                n += 1;
            } else if kind == ShiftType::Day && rng.chance(split_share(p.pattern)) {
                // Morning at base, afternoon at another site (clinic, theatre list,
                // meeting): two roster entries.
                let other = other_site(site, &mut rng);
                out[n] = Some(Shift { start, end: hm(12, 30), site, kind });
                out[n + 1] = Some(Shift { start: hm(13, 0), end, site: other, kind });
                n += 2;
            } else {
                out[n] = Some(Shift { start, end, site, kind });
                n += 1;
            }
        }
        if p.on_call && n < 3 && rng.chance(if weekday { 0.25 } else { 0.35 }) {
            let (start, end) = if weekday { (hm(17, 0), hm(8, 0)) } else { (hm(9, 0), hm(8, 30)) };
            out[n] = Some(Shift { start, end, site: p.base_site, kind: ShiftType::Oncall });
            n += 1;
            if rng.chance(0.45) && n < 3 {
                let (start, end) =
                    *rng.pick(&[(hm(21, 10), hm(23, 35)), (hm(23, 40), hm(2, 10)), (hm(2, 30), hm(4, 45))]);
                out[n] = Some(Shift { start, end, site: p.base_site, kind: ShiftType::Callout });
            }
        }
        out
    }

    pub fn rostered(&self, day: NaiveDate) -> bool {
        self.shifts_on(day)[0].is_some()
    }
}
