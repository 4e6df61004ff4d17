//! Fixtures for the rules' tests: the bundled configuration, a claimant,
//! claim lines and shifts built in a line or two (pay period 2025-06,
//! activity month May 2025). Apart from `testkit`, which runs the engine over
//! them, so the engine's own tests can use them without a cycle.

use crate::config::Config;
use crate::model::claim::{ClaimLine, RowRef};
use crate::model::roster::{Shift, Staff};
use crate::model::time::TimeValue;
use crate::model::{Category, Miles, Pence, ShiftType, StaffGroup};
use chrono::{NaiveDate, NaiveTime};
use std::sync::OnceLock;

/// The bundled configuration, loaded once.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("config");
        Config::load(&dir).expect("bundled config loads")
    })
}

/// `"80.00"` → 8000p.
pub fn gbp(text: &str) -> Pence {
    let (pounds, pence) = text.split_once('.').unwrap_or((text, "0"));
    let pence = format!("{pence:0<2}");
    Pence(pounds.parse::<i64>().expect("pounds") * 100 + pence[..2].parse::<i64>().expect("pence"))
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// `"12:30"` as a bare time.
pub fn hm(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").expect("HH:MM")
}

pub fn time(text: &str) -> TimeValue {
    TimeValue::Time(hm(text))
}

/// The usual expense day: Wednesday 14 May 2025.
pub fn day() -> NaiveDate {
    date(2025, 5, 14)
}

/// Claimant `A1`: AFC, based at DRI, started 1 March 2025.
pub fn staff() -> Staff {
    Staff {
        source: row(0),
        assignment: "A1".into(),
        name: "Test Claimant".into(),
        staff_group: StaffGroup::Afc,
        band: "5".into(),
        base_site: "DRI".into(),
        home_to_base_miles: Miles::from_whole(5),
        contracted_hours_x100: 3750,
        annual_salary: gbp("30000.00"),
        cost_centre: "CC1".into(),
        service_start: date(2020, 1, 1),
        start_date: Some(date(2025, 3, 1)),
        leave_date: None,
        special_rate_from: None,
        insurance_expiry: None,
        lease_car: false,
    }
}

fn row(row: u32) -> RowRef {
    RowRef::new("test.csv", "Claims", row)
}

/// A claim line of `A1` on [`day`], submitted 20 May, receipt Y.
pub fn line(claim_id: &str, line_no: i64, category: Category, amount: &str) -> ClaimLine {
    ClaimLine {
        source: Some(row(line_no as u32 + 1)),
        claim_id: claim_id.into(),
        line_no,
        assignment: "A1".into(),
        expense_date: day(),
        submitted_date: date(2025, 5, 20),
        category: Some(category),
        amount: gbp(amount),
        receipt: crate::model::Receipt::Yes,
        ..Default::default()
    }
}

/// A shift of `A1`.
pub fn shift(date: NaiveDate, start: &str, end: &str) -> Shift {
    Shift {
        source: row(0),
        assignment: "A1".into(),
        date,
        start: hm(start),
        end: hm(end),
        site: "DRI".into(),
        shift_type: ShiftType::Day,
    }
}
