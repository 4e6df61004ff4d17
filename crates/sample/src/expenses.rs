//! `expenses.xlsx`, sheet Claims: one row per claim line (SPEC §2.1).
//!
//! Lines are written person by person as they are made, so a million lines
//! never sit in memory. Each person gets the scripted cases assigned to them
//! (`scenarios.rs`, which make every rule fire) and then ordinary claims — mostly
//! clean lines on rostered days, with the few-percent noise of a real month:
//! late approvals, dates in the pay period, old claims, missing receipts,
//! mis-priced mileage, hotels over the cap.

use std::path::Path;

use chrono::NaiveDate;

use super::book::{new_workbook, xlsx_error, Cell, Formats, SheetWriter, TextShare};
use super::calendar::{add_days, months_before, Calendar};
use super::claim::{Claim, ClaimLine};
use super::rng::{stream, Rng};
use super::scenarios;
use super::staff::{Pattern, StaffPlan, StaffProfile, TRUST_SITES};
use crate::error::Error;
use crate::model::codes::{AuthLevel, Category, ShiftType, StaffGroup, TravelType};
use crate::model::money::{Miles, Pence};

/// The Claims header: SPEC §6.9 aliases, a few canonical names, one extra
/// column real exports carry (ignored by payrun).
const HEADER: [&str; 28] = [
    "Claim Reference",
    "line_no",
    "Assignment Number",
    "Date of Expense",
    "Date Submitted",
    "Date Approved",
    "Expense Category",
    "Other Details",
    "From Location",
    "To Location",
    "Miles Claimed",
    "Shortest Route Miles",
    "No of Passengers",
    "Mileage Type",
    "Amount Claimed",
    "Receipt Provided",
    "Reason Receipt Lost",
    "Within London",
    "Time Left Base",
    "Time Returned to Base",
    "Ticket Class",
    "Standard Class Fare",
    "Bus/Rail Cost",
    "Prior Authorisation",
    "Exceptional Circumstances",
    "Alcohol Amount",
    "Journey Reference",
    "Approver",
];

const WIDTHS: [f64; 28] = [
    16.0, 7.0, 12.0, 12.0, 12.0, 12.0, 22.0, 30.0, 16.0, 22.0, 9.0, 9.0, 7.0, 14.0, 11.0, 8.0, 22.0, 7.0,
    8.0, 8.0, 10.0, 10.0, 10.0, 20.0, 8.0, 9.0, 14.0, 16.0,
];

/// Places people travel to, with typical one-way miles (tenths) from base.
const DESTINATIONS: &[(&str, i64)] = &[
    ("BDGH", 285),
    ("MMH", 95),
    ("DRI", 90),
    ("RETFORD", 250),
    ("CHC", 40),
    ("Sheffield NGH", 205),
    ("Leeds LGI", 310),
    ("Rotherham DGH", 140),
    ("Barnsley DGH", 160),
    ("Worksop Health Centre", 230),
    ("Thorne Clinic", 110),
    ("Askern Medical Practice", 75),
    ("York University", 370),
    ("Nottingham QMC", 470),
    ("Lincoln County Hospital", 410),
];

/// Community visits: short hops.
const PATIENT_AREAS: &[&str] = &[
    "Patient home DN4",
    "Patient home DN5",
    "Patient home DN12",
    "Patient home S81",
    "Patient home DN22",
    "Care home Bentley",
    "GP surgery Armthorpe",
    "School nurse Hatfield",
];

const RAIL_JOURNEYS: &[(&str, i64, i64)] = &[
    ("Doncaster - Leeds return", 1_080, 1_790),
    ("Doncaster - Sheffield return", 640, 990),
    ("Doncaster - York return", 1_250, 2_060),
    ("Retford - Nottingham return", 1_120, 1_640),
    ("Doncaster - London King's Cross", 4_500, 14_900),
];

const NON_TRUST_PARKING: &[&str] =
    &["Leeds LGI", "Sheffield NGH", "Rotherham DGH", "York University", "Nottingham QMC"];

const APPROVERS: &[&str] = &["J. Marsh", "K. Obi", "S. Reid", "L. Patel", "M. Dunn", "A. Kaur"];

/// Issues claim references in file order.
pub(super) struct ClaimIds {
    pay_code: String,
    next: u64,
}

impl ClaimIds {
    pub fn new(cal: &Calendar) -> ClaimIds {
        ClaimIds { pay_code: cal.pay_code.clone(), next: 1 }
    }

    fn issue(&mut self) -> String {
        let id = format!("EXP{}-{:06}", self.pay_code, self.next);
        self.next += 1;
        id
    }
}

/// Writes the Claims workbook with exactly `total_lines` lines; returns that count.
pub(super) fn write(
    path: &Path,
    seed: u64,
    people: &[StaffProfile],
    cal: &Calendar,
    total_lines: usize,
) -> Result<usize, Error> {
    let out_dir = path.parent().unwrap_or(Path::new("."));
    let mut workbook = new_workbook(out_dir, "e-Expenses export (payrun sample)")?;
    let formats = Formats::new();
    let mut sheet =
        SheetWriter::add(&mut workbook, &formats, path, "Claims", &WIDTHS, seed, TextShare::EXPENSES)?;
    sheet.title(&format!(
        "e-Expenses export — Doncaster and Bassetlaw Teaching Hospitals — generated for pay period {}",
        cal.pay_start.format("%Y-%m")
    ))?;
    sheet.header(&HEADER)?;

    let assigned = scenarios::assign(seed, people, cal, total_lines);
    let ordinary_total = total_lines - assigned.lines;
    let mut ids = ClaimIds::new(cal);
    let mut written = 0usize;
    for profile in people {
        let plan = StaffPlan::new(seed, profile, cal);
        for &(scenario, rep) in &assigned.by_person[profile.index] {
            let claims = scenarios::build(scenario, seed, rep, &plan, cal);
            for claim in claims {
                written += write_claim(&mut sheet, claim, &mut ids)?;
            }
        }
        let quota = ordinary_quota(seed, profile.index, people.len(), ordinary_total);
        let mut rng = Rng::keyed(seed, &[stream::CLAIMS, profile.index as u64]);
        let mut remaining = quota;
        let mut journeys = 0;
        while remaining > 0 {
            let claim = ordinary_claim(&mut rng, &plan, cal, remaining, &mut journeys);
            remaining -= claim.lines.len();
            written += write_claim(&mut sheet, claim, &mut ids)?;
        }
    }
    workbook.save(path).map_err(|e| xlsx_error(path, e))?;
    Ok(written)
}

fn write_claim(sheet: &mut SheetWriter, claim: Claim, ids: &mut ClaimIds) -> Result<usize, Error> {
    let id = claim.fixed_id.clone().unwrap_or_else(|| ids.issue());
    let count = claim.lines.len();
    let approver = Cell::Str(APPROVERS[id.bytes().map(|b| b as usize).sum::<usize>() % APPROVERS.len()]);
    for mut line in claim.lines.into_iter() {
        if matches!(line.claim_id, Cell::Blank) {
            line.claim_id = Cell::Text(id.clone());
        }
        if matches!(line.approver, Cell::Blank) {
            line.approver = approver.clone();
        }
        sheet.row(&line.cells())?;
    }
    Ok(count)
}

/// The number of ordinary lines person `index` gets: an even share of
/// `total`, moved between neighbours so people differ, the sum exact.
fn ordinary_quota(seed: u64, index: usize, people: usize, total: usize) -> usize {
    let share = |i: usize| (i + 1) * total / people - i * total / people;
    let swing = |i: usize| -> usize {
        let cap = share(i).min(share(i + 1)) / 2;
        Rng::keyed(seed, &[stream::CLAIMS, u64::MAX, i as u64]).below(cap as u64 + 1) as usize
    };
    if index.is_multiple_of(2) && index + 1 < people {
        share(index) + swing(index)
    } else if index % 2 == 1 {
        share(index) - swing(index - 1)
    } else {
        share(index)
    }
}

/// The usual submission and approval of a month's claim: near the month end
/// or the first pay-period days, approved before the cut-off (some blank:
/// approved on submission).
pub(super) fn usual_dates(rng: &mut Rng, cal: &Calendar) -> (NaiveDate, Option<NaiveDate>) {
    let submitted = match rng.below(100) {
        0..=59 => add_days(cal.activity_end, -rng.range(0, 4)),
        60..=84 => add_days(cal.pay_start, rng.range(0, 1)),
        _ => cal.activity_day(rng.range(9, 24)),
    };
    let approved = if rng.chance(0.12) {
        None
    } else {
        Some(add_days(submitted, rng.range(0, 3)).min(cal.cutoff).max(submitted))
    };
    (submitted, approved)
}

/// One ordinary claim of at most `max_lines` lines.
fn ordinary_claim(
    rng: &mut Rng,
    plan: &StaffPlan,
    cal: &Calendar,
    max_lines: usize,
    journeys: &mut u32,
) -> Claim {
    let p = plan.profile;
    let (mut submitted, mut approved) = usual_dates(rng, cal);
    let noise = rng.below(1000);
    let late_approval = noise < 25;
    let in_pay_period = (25..40).contains(&noise);
    let old_claim = (40..50).contains(&noise);
    if late_approval {
        approved = Some(add_days(cal.cutoff, rng.range(1, 8)));
    }
    if in_pay_period {
        submitted = add_days(cal.pay_start, 1);
        approved = Some(cal.cutoff);
    }
    let mut claim = Claim::new(&p.assignment, submitted, approved);
    let target = (rng.range(1, 9) as usize).min(max_lines);
    // Days the claim can cover: rostered days up to submission, mostly.
    let last_day = submitted.min(cal.activity_end);
    let worked: Vec<NaiveDate> =
        cal.activity_days().filter(|d| *d <= last_day && plan.rostered(*d)).collect();
    while claim.lines.len() < target {
        let mut day = if !worked.is_empty() && rng.chance(0.93) {
            *rng.pick(&worked)
        } else {
            cal.activity_day(rng.range(0, (last_day - cal.activity_start).num_days()))
        };
        if old_claim {
            day = months_before(day, 4);
        }
        *journeys += 1;
        let room = target - claim.lines.len();
        ordinary_unit(rng, plan, cal, &mut claim, day, room, *journeys);
    }
    if in_pay_period {
        if let Some(line) = claim.lines.last_mut() {
            line.expense_date = Cell::Date(cal.pay_start);
        }
    }
    if old_claim && rng.chance(0.4) {
        for line in &mut claim.lines {
            line.exceptional = Cell::Flag(true);
        }
    }
    claim
}

#[derive(Clone, Copy)]
enum Unit {
    CarJourney,
    OncallCallIn,
    ExcessTravel,
    Parking,
    Toll,
    Rail,
    Bus,
    Bicycle,
    Taxi,
    Air,
    CarHire,
    HotelStay,
    StayWithFriends,
    DayMeal,
    EveningMeal,
    Hospitality,
    SeasonTicket,
    Relocation,
    Sundry,
    Fine,
}

/// Adds one "unit" — a journey (out, back, parking, passenger), a stay (hotel,
/// meals) or a single item — of at most `room` lines.
fn ordinary_unit(
    rng: &mut Rng,
    plan: &StaffPlan,
    cal: &Calendar,
    claim: &mut Claim,
    day: NaiveDate,
    room: usize,
    journey: u32,
) {
    let p = plan.profile;
    let community = p.pattern == Pattern::Community;
    let new_starter = p.start_date.is_some_and(|d| d >= months_before(cal.pay_start, 10));
    let shifts = plan.shifts_on(day);
    let on_call_today =
        shifts.iter().flatten().any(|s| matches!(s.kind, ShiftType::Oncall | ShiftType::Callout));
    let off_base_today = p.temp_site.is_some() && shifts.iter().flatten().any(|s| s.site != p.base_site);
    let w = |yes: bool, weight: u32| if yes { weight } else { 0 };
    let weights = [
        (Unit::CarJourney, w(p.drives, if community { 700 } else { 330 })),
        (Unit::OncallCallIn, w(on_call_today && p.drives, 400)),
        (Unit::ExcessTravel, w(off_base_today && p.drives, 300)),
        (Unit::Parking, 60),
        (Unit::Toll, w(p.drives, 10)),
        (Unit::Rail, if p.drives { 50 } else { 200 }),
        (Unit::Bus, if p.drives { 15 } else { 120 }),
        (Unit::Bicycle, w(!p.drives, 60)),
        (Unit::Taxi, 12),
        (Unit::Air, 2),
        (Unit::CarHire, 4),
        (Unit::HotelStay, 28),
        (Unit::StayWithFriends, 4),
        (Unit::DayMeal, 70),
        (Unit::EveningMeal, 25),
        (Unit::Hospitality, w(p.group != StaffGroup::Other, 3)),
        (Unit::SeasonTicket, 5),
        (Unit::Relocation, w(new_starter, 60)),
        (Unit::Sundry, 20),
        (Unit::Fine, 1),
    ];
    let journey_ref = format!("{}-J{journey:03}", p.assignment);
    match *rng.weighted(&weights) {
        Unit::CarJourney => car_journey(rng, plan, claim, day, room, journey_ref),
        Unit::OncallCallIn => {
            let medical = p.group == StaffGroup::Medical;
            let (travel, rate) =
                if medical { (TravelType::Clinical, 56) } else { (TravelType::NonClinical, 25) };
            let miles = p.home_to_base_tenths * 2;
            let line = claim.mileage(Category::OncallMileage, day, "HOME", "HOME", miles, Some(travel), rate);
            line.description = Cell::Text(format!("Call-out to {} and back", p.base_site));
        }
        Unit::ExcessTravel => {
            let site = p.temp_site.unwrap_or("BDGH");
            let extra = rng.range(30, 150);
            claim.mileage(Category::ExcessTravel, day, "HOME", site, extra, None, 25);
        }
        Unit::Parking => {
            let place = *rng.pick(NON_TRUST_PARKING);
            let amount = Pence(rng.range(3, 18) * 50);
            let line = claim.push(Category::Parking, day, amount);
            line.to = Cell::Str(place);
            receipt_noise(rng, line, true);
        }
        Unit::Toll => {
            let (text, pence) =
                *rng.pick(&[("Humber Bridge toll", 150), ("M6 Toll", 990), ("Mersey Gateway", 200)]);
            let line = claim.push(Category::Toll, day, Pence(pence));
            line.description = Cell::Str(text);
            receipt_noise(rng, line, false);
        }
        Unit::Rail => {
            let (route, low, high) = *rng.pick(RAIL_JOURNEYS);
            let fare = Pence(rng.range(low / 10, high / 10) * 10);
            let first = rng.chance(0.03);
            let line = claim.push(Category::Rail, day, if first { Pence(fare.0 * 2) } else { fare });
            line.description = Cell::Str(route);
            line.rail_class = Cell::Str(if first { "FIRST" } else { "STANDARD" });
            if first && rng.chance(0.7) {
                line.standard_fare = Cell::Money(fare);
            }
            receipt_noise(rng, line, false);
        }
        Unit::Bus => {
            let line = claim.push(Category::Bus, day, Pence(rng.range(20, 55) * 10));
            receipt_noise(rng, line, false);
        }
        Unit::Bicycle => {
            let miles = rng.range(15, 80);
            claim.mileage(
                Category::MileageBicycle,
                day,
                p.base_site,
                rng.pick_copy(PATIENT_AREAS),
                miles,
                None,
                10,
            );
        }
        Unit::Taxi => {
            let amount = Pence(rng.range(8, 35) * 100 + rng.range(0, 19) * 5);
            let level = *rng.weighted(&[
                (AuthLevel::CareGroupDirector, 80),
                (AuthLevel::ExecutiveDirector, 5),
                (AuthLevel::LineManager, 10),
                (AuthLevel::None, 5),
            ]);
            let line = claim.push(Category::Taxi, day, amount);
            line.authorised(level);
            if rng.chance(0.4) {
                line.public_transport_cost = Cell::Money(Pence(rng.range(3, 9) * 100));
            }
            receipt_noise(rng, line, false);
        }
        Unit::Air => {
            let level = *rng.weighted(&[
                (AuthLevel::ExecutiveDirector, 80),
                (AuthLevel::ChiefExecutive, 5),
                (AuthLevel::CareGroupDirector, 15),
            ]);
            let line = claim.push(Category::Air, day, Pence(rng.range(89, 260) * 100));
            line.authorised(level).describe("Flight Doncaster - Belfast, national audit meeting");
        }
        Unit::CarHire => {
            let level = *rng.weighted(&[(AuthLevel::CareGroupDirector, 85), (AuthLevel::LineManager, 15)]);
            claim.push(Category::CarHire, day, Pence(rng.range(45, 160) * 100)).authorised(level);
            if room > 1 {
                claim.push(Category::HireFuel, day, Pence(rng.range(20, 60) * 100)).authorised(level);
            }
        }
        Unit::HotelStay => {
            let london = rng.chance(0.2);
            let cap = if london { 110 } else { 80 };
            let pounds =
                if rng.chance(0.85) { rng.range(cap - 30, cap) } else { rng.range(cap + 1, cap + 45) };
            let line = claim.push(Category::Hotel, day, Pence(pounds * 100 + rng.range(0, 1) * 50));
            line.london = Cell::Flag(london);
            line.description =
                Cell::Str(if london { "Hotel, London, conference" } else { "Hotel, bed and breakfast" });
            if pounds > cap && rng.chance(0.25) {
                line.exceptional = Cell::Flag(true);
            } else if london || rng.chance(0.5) {
                line.exceptional = Cell::Flag(false);
            }
            receipt_noise(rng, line, false);
            if room > 1 && rng.chance(0.6) {
                let meal = claim.push(Category::OvernightMeals, day, Pence(rng.range(80, 210) * 10));
                receipt_noise(rng, meal, false);
            }
            if room > 2 && rng.chance(0.3) {
                claim.push(Category::Incidental, day, Pence(450));
            }
        }
        Unit::StayWithFriends => {
            let pounds = if rng.chance(0.9) { 25 } else { 30 };
            claim.push(Category::NonCommercialOvernight, day, Pence::from_pounds(pounds));
        }
        Unit::DayMeal => {
            let line = claim.push(Category::DayMeal, day, Pence(rng.range(32, 65) * 10));
            line.to = Cell::Str(rng.pick_copy(NON_TRUST_PARKING));
            if rng.chance(0.6) {
                let depart = (rng.range(7, 10) as u32, *rng.pick(&[0u32, 15, 30, 45]));
                let back = (rng.range(14, 17) as u32, *rng.pick(&[15u32, 30, 45]));
                line.times(depart, back);
            }
            receipt_noise(rng, line, false);
        }
        Unit::EveningMeal => {
            let line = claim.push(Category::EveningMeal, day, Pence(rng.range(70, 165) * 10));
            if rng.chance(0.8) {
                let depart = (7, *rng.pick(&[0u32, 15, 30, 45]));
                let back = (rng.range(19, 21) as u32, *rng.pick(&[0u32, 10, 30, 50]));
                line.times(depart, back);
            }
            if rng.chance(0.03) {
                line.alcohol_amount = Cell::Money(Pence(rng.range(30, 60) * 10));
                line.description = Cell::Str("Evening meal and a glass of wine");
            } else if rng.chance(0.01) {
                line.description = Cell::Str("Meal with colleagues, wine included");
            }
            receipt_noise(rng, line, false);
        }
        Unit::Hospitality => {
            let level = *rng.weighted(&[(AuthLevel::ChiefExecutive, 80), (AuthLevel::ExecutiveDirector, 20)]);
            let line = claim.push(Category::Hospitality, day, Pence(rng.range(40, 180) * 100));
            line.authorised(level);
            receipt_noise(rng, line, false);
        }
        Unit::SeasonTicket => {
            let line = claim.push(Category::SeasonTicket, day, Pence(rng.range(45, 140) * 100));
            receipt_noise(rng, line, false);
        }
        Unit::Relocation => {
            let line = claim.push(Category::Relocation, day, Pence(rng.range(300, 2_500) * 100));
            line.description =
                Cell::Str(rng.pick_copy(&["Removal firm", "Legal fees on house purchase", "Stamp duty"]));
            receipt_noise(rng, line, false);
            if room > 1 {
                claim.push(Category::RelocationMisc, day, Pence(rng.range(50, 400) * 100));
            }
        }
        Unit::Sundry => {
            let line = claim.push(Category::Sundry, day, Pence(rng.range(25, 250) * 10));
            line.description = Cell::Str(rng.pick_copy(&[
                "Wi-Fi at hotel",
                "Official telephone call",
                "Postage of clinical samples",
            ]));
            receipt_noise(rng, line, false);
        }
        Unit::Fine => {
            claim.push(Category::Fine, day, Pence(7_000)).describe("Parking penalty charge notice");
        }
    }
}

/// Out (and usually back), sometimes with parking and a passenger.
fn car_journey(
    rng: &mut Rng,
    plan: &StaffPlan,
    claim: &mut Claim,
    day: NaiveDate,
    room: usize,
    journey_ref: String,
) {
    let p = plan.profile;
    let community = p.pattern == Pattern::Community;
    let (to, nominal) = if community && rng.chance(0.7) {
        (rng.pick_copy(PATIENT_AREAS), rng.range(20, 140))
    } else {
        let (place, miles) = *rng.pick(DESTINATIONS);
        if place == p.base_site {
            ("Thorne Clinic", 110)
        } else {
            (place, miles)
        }
    };
    let miles = (nominal * rng.range(85, 115) / 100).max(10);
    let from = if rng.chance(if community { 0.12 } else { 0.05 }) {
        "HOME"
    } else if rng.chance(0.5) {
        "BASE"
    } else {
        p.base_site
    };
    let travel_type = match (p.group, community) {
        (StaffGroup::Afc, true) => Some(TravelType::Community),
        (StaffGroup::Afc, false) => Some(TravelType::NonCommunity).filter(|_| rng.chance(0.7)),
        (StaffGroup::Medical, _) => {
            Some(*rng.pick(&[TravelType::Clinical, TravelType::Clinical, TravelType::NonClinical]))
        }
        (StaffGroup::Other, _) => Some(TravelType::NonClinical).filter(|_| rng.chance(0.5)),
    };
    let asks_special = matches!(travel_type, Some(TravelType::Community | TravelType::Clinical));
    let (category, rate) = if p.lease_car {
        if rng.chance(0.95) {
            (Category::MileageLeaseCar, 14)
        } else {
            (Category::MileageCar, 25)
        }
    } else if rng.chance(0.02) {
        (Category::MileageMotorcycle, 16)
    } else {
        (Category::MileageCar, if asks_special { 56 } else { 25 })
    };
    let with_route = rng.chance(0.7);
    let over_route = with_route && rng.chance(0.015);
    let legs = if room >= 2 && rng.chance(0.6) { 2 } else { 1 };
    let parks = room > legs && !TRUST_SITES.contains(&to) && !to.starts_with("Patient") && rng.chance(0.25);
    let carries = room > legs + parks as usize
        && matches!(category, Category::MileageCar | Category::MileageLeaseCar)
        && rng.chance(0.04);
    // The e-expenses tool links the mileage and parking of one trip; some
    // claimants fill the reference in for plain trips too.
    let reference = (parks || rng.chance(0.1)).then_some(Cell::Text(journey_ref));
    let fare = (miles > 250 && rng.chance(0.05)).then(|| {
        let cost = Miles(miles * legs as i64).priced_at(Pence(rate));
        Pence(cost.0 * rng.range(70, 160) / 100 / 10 * 10)
    });
    let back_to = if from == "HOME" { "BASE" } else { from };
    for (n, (leg_from, leg_to)) in [(from, to), (to, back_to)].into_iter().take(legs).enumerate() {
        let line = claim.mileage(category, day, leg_from, leg_to, miles, travel_type, rate);
        if with_route {
            let route = if over_route { miles * 100 / 125 } else { miles * rng.range(93, 100) / 100 };
            line.route_miles = Cell::Tenths(route);
        }
        if rng.chance(0.01) {
            // The tool mis-priced the line (MIL005).
            if let Cell::Money(amount) = line.amount {
                line.amount = Cell::Money(Pence(amount.0 + rng.range(-60, 60)));
            }
        }
        if let Some(reference) = &reference {
            line.journey_ref = reference.clone();
        }
        if n == 0 {
            line.standard_fare = Cell::opt_money(fare);
        }
    }
    if parks {
        let line = claim.push(Category::Parking, day, Pence(rng.range(2, 16) * 50));
        line.to = Cell::Text(to.to_string());
        line.journey_ref = reference.clone().unwrap_or_default();
        receipt_noise(rng, line, true);
    }
    if carries {
        let passengers = rng.range(1, 2);
        let amount = Miles(miles).priced_at(Pence(2 * passengers));
        let line = claim.push(Category::Passenger, day, amount);
        line.from = Cell::Text(from.to_string());
        line.to = Cell::Text(to.to_string());
        line.miles = Cell::Tenths(miles);
        line.passengers = Cell::Int(passengers);
    }
}

/// Most receipted lines carry `Y`; a few `N`, `LOST` with a reason, or `LOST`
/// with none — the cases RCT001–RCT003 look for.
fn receipt_noise(rng: &mut Rng, line: &mut ClaimLine, parking: bool) {
    let roll = rng.below(1000);
    let missing = if parking { 15 } else { 12 };
    if roll < missing {
        line.receipt = Cell::Str(if rng.chance(0.5) { "N" } else { "No" });
    } else if roll < missing + 4 {
        line.receipt = Cell::Str("LOST");
        line.lost_receipt_reason = Cell::Str("Receipt lost in transit");
    } else if roll < missing + 6 {
        line.receipt = Cell::Str("LOST");
    } else if roll < missing + 60 {
        line.receipt = Cell::Str("Yes");
    }
}
