//! The input sheets' schemas (SPEC §2.1, §2.3): each sheet's canonical
//! columns in spec order. Ingest reads by them, `columns.toml` is checked
//! against them and deferred-claims.csv is written in the Claims columns.

/// A column a sheet may have.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
}

/// A column the sheet must have.
pub const fn required(name: &'static str) -> ColumnSpec {
    ColumnSpec { name, required: true }
}

/// A column the sheet may leave out.
pub const fn optional(name: &'static str) -> ColumnSpec {
    ColumnSpec { name, required: false }
}

/// The Claims columns, canonical names in SPEC §2.1 order.
pub const CLAIMS: &[ColumnSpec] = &[
    required("claim_id"),
    required("line_no"),
    required("assignment"),
    required("expense_date"),
    required("submitted_date"),
    optional("approved_date"),
    required("category"),
    optional("description"),
    optional("from"),
    optional("to"),
    optional("miles"),
    optional("route_miles"),
    optional("passengers"),
    optional("travel_type"),
    required("amount"),
    required("receipt"),
    optional("lost_receipt_reason"),
    optional("london"),
    optional("depart_time"),
    optional("return_time"),
    optional("rail_class"),
    optional("standard_fare"),
    optional("public_transport_cost"),
    optional("authorised_by"),
    optional("exceptional"),
    optional("alcohol_amount"),
    optional("journey_ref"),
];

/// The Staff columns (SPEC §2.3).
pub const STAFF: &[ColumnSpec] = &[
    required("assignment"),
    required("name"),
    required("staff_group"),
    optional("band"),
    required("base_site"),
    required("home_to_base_miles"),
    required("contracted_hours"),
    required("annual_salary"),
    required("cost_centre"),
    required("service_start"),
    optional("start_date"),
    optional("leave_date"),
    optional("special_rate_from"),
    optional("insurance_expiry"),
    optional("lease_car"),
];

/// The Shifts columns (SPEC §2.3).
pub const SHIFTS: &[ColumnSpec] = &[
    required("assignment"),
    required("date"),
    required("start"),
    required("end"),
    required("site"),
    required("shift_type"),
];

/// The Absences columns (SPEC §2.3).
pub const ABSENCES: &[ColumnSpec] = &[
    required("assignment"),
    required("start_date"),
    required("end_date"),
    required("absence_type"),
    optional("hours"),
    optional("certificate"),
    optional("sickness_reason"),
    optional("rtw_date"),
];

/// The optional Protection register (SPEC §2.3).
pub const PROTECTION: &[ColumnSpec] = &[
    required("assignment"),
    required("change_date"),
    required("reason"),
    required("protection"),
    optional("reckonable_years"),
    required("protected_basic"),
    required("new_basic"),
    optional("protected_weekly_earnings"),
    optional("new_period_earnings"),
    optional("ceased_date"),
    optional("fixed_term_end"),
];

/// Every sheet with its columns, as `columns.toml` may name them.
pub const SHEETS: &[(&str, &[ColumnSpec])] = &[
    ("Claims", CLAIMS),
    ("Staff", STAFF),
    ("Shifts", SHIFTS),
    ("Absences", ABSENCES),
    ("Protection", PROTECTION),
];
