//! The claim builder the scripted cases and the ordinary claims share: one
//! claim (header) and its lines, each field a sheet cell. Apart from
//! `expenses` (which writes them) and `scenarios` (which scripts them), so
//! neither needs the other for it.

use chrono::{NaiveDate, NaiveTime};

use super::book::Cell;
use crate::model::codes::{AuthLevel, Category, TravelType};
use crate::model::money::{Miles, Pence};

/// One row of the Claims sheet. Every field is a [`Cell`] so a scripted case
/// can put an unparseable value anywhere.
#[derive(Clone, Debug, Default)]
pub(super) struct ClaimLine {
    pub claim_id: Cell,
    pub line_no: Cell,
    pub assignment: Cell,
    pub expense_date: Cell,
    pub submitted_date: Cell,
    pub approved_date: Cell,
    pub category: Cell,
    pub description: Cell,
    pub from: Cell,
    pub to: Cell,
    pub miles: Cell,
    pub route_miles: Cell,
    pub passengers: Cell,
    pub travel_type: Cell,
    pub amount: Cell,
    pub receipt: Cell,
    pub lost_receipt_reason: Cell,
    pub london: Cell,
    pub depart_time: Cell,
    pub return_time: Cell,
    pub rail_class: Cell,
    pub standard_fare: Cell,
    pub public_transport_cost: Cell,
    pub authorised_by: Cell,
    pub exceptional: Cell,
    pub alcohol_amount: Cell,
    pub journey_ref: Cell,
    pub approver: Cell,
}

impl ClaimLine {
    pub fn cells(&self) -> [&Cell; 28] {
        [
            &self.claim_id,
            &self.line_no,
            &self.assignment,
            &self.expense_date,
            &self.submitted_date,
            &self.approved_date,
            &self.category,
            &self.description,
            &self.from,
            &self.to,
            &self.miles,
            &self.route_miles,
            &self.passengers,
            &self.travel_type,
            &self.amount,
            &self.receipt,
            &self.lost_receipt_reason,
            &self.london,
            &self.depart_time,
            &self.return_time,
            &self.rail_class,
            &self.standard_fare,
            &self.public_transport_cost,
            &self.authorised_by,
            &self.exceptional,
            &self.alcohol_amount,
            &self.journey_ref,
            &self.approver,
        ]
    }

    pub fn times(&mut self, depart: (u32, u32), back: (u32, u32)) -> &mut ClaimLine {
        self.depart_time = Cell::Time(hm(depart.0, depart.1));
        self.return_time = Cell::Time(hm(back.0, back.1));
        self
    }

    pub fn describe(&mut self, text: &'static str) -> &mut ClaimLine {
        self.description = Cell::Str(text);
        self
    }

    pub fn authorised(&mut self, level: AuthLevel) -> &mut ClaimLine {
        self.authorised_by = Cell::Str(level.code());
        self
    }
}

pub(super) fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

/// One claim (header) and its lines. The reference is given when written, in
/// file order, unless the case fixes it.
#[derive(Clone, Debug)]
pub(super) struct Claim {
    pub fixed_id: Option<String>,
    pub assignment: String,
    pub submitted: NaiveDate,
    pub approved: Option<NaiveDate>,
    pub lines: Vec<ClaimLine>,
}

impl Claim {
    pub fn new(assignment: &str, submitted: NaiveDate, approved: Option<NaiveDate>) -> Claim {
        Claim { fixed_id: None, assignment: assignment.to_string(), submitted, approved, lines: Vec::new() }
    }

    /// Adds a line; receipt `Y` where the category needs one.
    pub fn push(&mut self, category: Category, date: NaiveDate, amount: Pence) -> &mut ClaimLine {
        let line = ClaimLine {
            line_no: Cell::Int(self.lines.len() as i64 + 1),
            assignment: Cell::Text(self.assignment.clone()),
            expense_date: Cell::Date(date),
            submitted_date: Cell::Date(self.submitted),
            approved_date: Cell::opt_date(self.approved),
            category: Cell::Str(category.code()),
            amount: Cell::Money(amount),
            receipt: if category.needs_receipt() { Cell::Str("Y") } else { Cell::Blank },
            description: Cell::Str(default_description(category)),
            ..ClaimLine::default()
        };
        self.lines.push(line);
        self.lines.last_mut().expect("just pushed")
    }

    /// Adds a mileage line priced as the e-expenses tool prices it: miles ×
    /// the rate it assumed (no commute deduction, no threshold).
    #[allow(clippy::too_many_arguments)]
    pub fn mileage(
        &mut self,
        category: Category,
        date: NaiveDate,
        from: &str,
        to: &str,
        miles_tenths: i64,
        travel_type: Option<TravelType>,
        rate_pence: i64,
    ) -> &mut ClaimLine {
        let amount = Miles(miles_tenths).priced_at(Pence(rate_pence));
        let line = self.push(category, date, amount);
        line.from = Cell::Text(from.to_string());
        line.to = Cell::Text(to.to_string());
        line.miles = Cell::Tenths(miles_tenths);
        line.travel_type = travel_type.map_or(Cell::Blank, |t| Cell::Str(t.code()));
        line
    }
}

fn default_description(category: Category) -> &'static str {
    use Category::*;
    match category {
        MileageCar | MileageLeaseCar | MileageMotorcycle => "Patient visit",
        MileageBicycle => "Cycle to clinic",
        Passenger => "Colleague carried",
        ExcessTravel => "Additional miles to new base",
        OncallMileage => "Called in from home",
        Parking => "Car park",
        Toll => "Humber Bridge toll",
        Rail => "Train to meeting",
        Bus => "Bus fare",
        Taxi => "Taxi to meeting",
        Air => "Flight to conference",
        CarHire => "Hire car",
        HireFuel => "Fuel for hire car",
        Hotel => "Hotel, bed and breakfast",
        NonCommercialOvernight => "Stayed with friends",
        OvernightMeals => "Evening meal while away overnight",
        DayMeal => "Lunch while on course",
        EveningMeal => "Evening meal, late return",
        Incidental => "Incidental expenses",
        Hospitality => "Lunch for visiting delegation",
        SeasonTicket => "Monthly bus pass",
        Relocation => "Removal firm",
        RelocationMisc => "Carpets and curtains",
        Sundry => "Wi-Fi at hotel",
        Fine => "Parking penalty",
    }
}
