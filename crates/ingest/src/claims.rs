//! The Claims sheet (SPEC §2.1) into [`ClaimLine`]s.

use super::cell::{self, yes_no_text};
use super::source::Input;
use super::table::{read_table, RowReader};
use crate::config::Columns;
use crate::error::Result;
use crate::model::claim::{ClaimLine, RawKey};
use crate::model::codes::{AuthLevel, Category, RailClass, Receipt, TravelType};
use crate::model::schema::CLAIMS;

/// The receipt code, which also takes the Y/N variants (SPEC §6.2 rule 10).
fn receipt_code(text: &str) -> Option<Receipt> {
    Receipt::parse(text).or_else(|| yes_no_text(text).map(|y| if y { Receipt::Yes } else { Receipt::No }))
}

/// Reads every data row of an input's Claims sheet, in row order (streamed,
/// parsed in parallel); a missing sheet or column is an input error (exit 3).
pub fn read(input: &mut Input, columns: &Columns) -> Result<Vec<ClaimLine>> {
    let sheet = input.require_sheet("Claims")?;
    read_table(input, &sheet, CLAIMS, columns, read_row)
}

fn read_row(r: &mut RowReader) -> ClaimLine {
    let claim_id = r.required("claim_id", cell::text).unwrap_or_default();
    let line_no = r.required("line_no", cell::integer).unwrap_or_default();
    let assignment = r.required("assignment", cell::text).unwrap_or_default();
    let expense_date = r.required_date("expense_date").unwrap_or_default();
    let submitted_date = r.required_date("submitted_date").unwrap_or_default();
    let approved_date = r.optional_date("approved_date");
    let category = r.required("category", |c| cell::code(c, Category::parse));
    let miles = r.optional("miles", cell::miles);
    if miles.is_none() && category.is_some_and(Category::is_mileage) && r.cell("miles").is_blank() {
        r.problem("miles", String::new(), cell::CellError { expected: "miles (required for mileage)" });
    }
    // The raw text is only ever shown for a cell that did not parse (SPEC
    // §6.8 rule 46), so only then is it kept: three fewer allocations a line.
    let raw_if_bad = |r: &RowReader, column: &str, parsed: bool| {
        if parsed {
            String::new()
        } else {
            r.raw(column).trim().to_string()
        }
    };
    let has_problem = |r: &RowReader, column: &str| r.problems.iter().any(|p| p.column == column);
    let raw = RawKey {
        line_no: raw_if_bad(r, "line_no", !has_problem(r, "line_no")),
        expense_date: raw_if_bad(r, "expense_date", !has_problem(r, "expense_date")),
        category: raw_if_bad(r, "category", category.is_some()),
    };
    ClaimLine {
        source: Some(r.source()),
        claim_id,
        line_no,
        assignment,
        expense_date,
        submitted_date,
        approved_date,
        category,
        description: r.optional("description", cell::text).unwrap_or_default(),
        from: r.optional("from", cell::text).unwrap_or_default(),
        to: r.optional("to", cell::text).unwrap_or_default(),
        miles,
        route_miles: r.optional("route_miles", cell::miles),
        passengers: r.optional("passengers", cell::integer).unwrap_or(0),
        travel_type: r.optional("travel_type", |c| cell::code(c, TravelType::parse)),
        amount: r.required("amount", cell::money).unwrap_or_default(),
        receipt: r.optional("receipt", |c| cell::code(c, receipt_code)).unwrap_or(Receipt::No),
        lost_receipt_reason: r.optional("lost_receipt_reason", cell::text).unwrap_or_default(),
        london: r.optional("london", cell::yes_no).unwrap_or(false),
        depart_time: r.optional_time("depart_time"),
        return_time: r.optional_time("return_time"),
        rail_class: r
            .optional("rail_class", |c| cell::code(c, RailClass::parse))
            .unwrap_or(RailClass::Standard),
        standard_fare: r.optional("standard_fare", cell::money),
        public_transport_cost: r.optional("public_transport_cost", cell::money),
        authorised_by: r
            .optional("authorised_by", |c| cell::code(c, AuthLevel::parse))
            .unwrap_or(AuthLevel::None),
        exceptional: r.optional("exceptional", cell::yes_no).unwrap_or(false),
        alcohol_amount: r.optional("alcohol_amount", cell::money),
        journey_ref: r.optional("journey_ref", cell::text).unwrap_or_default(),
        carried_from: None,
        raw,
        problems: std::mem::take(&mut r.problems),
    }
}
