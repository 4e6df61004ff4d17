//! A claim line of the Claims sheet (SPEC §2.1), typed.

use super::codes::{AuthLevel, Category, RailClass, Receipt, TravelType};
use super::money::{Miles, Pence};
use crate::time::TimeValue;
use chrono::NaiveDate;

/// Where an input row came from, for every finding's `source` (`file!sheet:row`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowRef {
    /// The input file's name as given on the command line (file name only).
    pub file: std::sync::Arc<str>,
    pub sheet: std::sync::Arc<str>,
    /// 1-based row number as a spreadsheet shows it.
    pub row: u32,
    /// `Some(P)` for a line the ledger carried from period P (SPEC §12.1):
    /// the row is in P's input file, not this run's.
    pub carried_from: Option<std::sync::Arc<str>>,
}

impl RowRef {
    /// A row of this run's inputs.
    pub fn new(file: &str, sheet: &str, row: u32) -> RowRef {
        RowRef { file: file.into(), sheet: sheet.into(), row, carried_from: None }
    }
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}!{}:{}", self.file, self.sheet, self.row)?;
        match &self.carried_from {
            Some(period) => write!(f, " (carried from {period})"),
            None => Ok(()),
        }
    }
}

/// A cell that could not be read as its column's type, or an unknown code
/// (DAT002 / DAT004): kept with the raw value so the finding can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellProblem {
    /// Canonical column name.
    pub column: &'static str,
    /// The header as written in the file.
    pub header: String,
    pub raw: String,
    pub expected: &'static str,
    /// True for an unknown code value (DAT004), false for a type error (DAT002).
    pub unknown_code: bool,
}

/// One claim line. Fields that failed to parse hold their defaults and the
/// problem is in `problems`; such a line is rejected on its DAT codes alone
/// (SPEC §6.1 rule 1) and no other rule reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimLine {
    pub source: Option<RowRef>,
    pub claim_id: String,
    pub line_no: i64,
    pub assignment: String,
    pub expense_date: NaiveDate,
    pub submitted_date: NaiveDate,
    pub approved_date: Option<NaiveDate>,
    pub category: Option<Category>,
    pub description: String,
    pub from: String,
    pub to: String,
    pub miles: Option<Miles>,
    pub route_miles: Option<Miles>,
    pub passengers: i64,
    pub travel_type: Option<TravelType>,
    pub amount: Pence,
    /// Blank means N (SPEC §6.2 rule 10).
    pub receipt: Receipt,
    pub lost_receipt_reason: String,
    pub london: bool,
    pub depart_time: Option<TimeValue>,
    pub return_time: Option<TimeValue>,
    pub rail_class: RailClass,
    pub standard_fare: Option<Pence>,
    pub public_transport_cost: Option<Pence>,
    pub authorised_by: AuthLevel,
    pub exceptional: bool,
    pub alcohol_amount: Option<Pence>,
    pub journey_ref: String,
    /// The period that first deferred this line, when it was carried by the
    /// ledger or fed back in a deferred-claims.csv (SPEC §12.1
    /// `carried_from`); `None` for a line first seen in this run.
    pub carried_from: Option<std::sync::Arc<str>>,
    /// Raw text of the identifying cells, written as-is when unparseable
    /// (SPEC §6.8 rule 46: decisions.csv writes unparseable values raw).
    pub raw: RawKey,
    pub problems: Vec<CellProblem>,
}

/// The raw text of the cells decisions.csv echoes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawKey {
    pub line_no: String,
    pub expense_date: String,
    pub category: String,
}

impl ClaimLine {
    /// The approval date, or the submission date when blank (SPEC §2.1).
    pub fn approved_or_submitted(&self) -> NaiveDate {
        self.approved_date.unwrap_or(self.submitted_date)
    }

    pub fn is_parsed(&self) -> bool {
        self.problems.is_empty()
    }

    /// The raw text of `line_no` when it could not be read (outputs show it as-is).
    pub fn unread_line_no(&self) -> Option<&str> {
        self.unread("line_no").then_some(self.raw.line_no.as_str())
    }

    /// The raw text of `expense_date` when it could not be read.
    pub fn unread_expense_date(&self) -> Option<&str> {
        self.unread("expense_date").then_some(self.raw.expense_date.as_str())
    }

    /// The category code, or the raw text of an unknown one.
    pub fn category_text(&self) -> &str {
        self.category.map_or(self.raw.category.as_str(), |c| c.code())
    }

    /// Whether the cell of `column` could not be read (a DAT002/DAT004 problem).
    pub fn unread(&self, column: &str) -> bool {
        self.problems.iter().any(|p| p.column == column)
    }

    /// The line's §2.1 columns as text, in `schema::CLAIMS` order: what
    /// deferred-claims.csv writes and the ledger keeps of a deferred line.
    /// Written from the parsed values (dates ISO, pence as pounds, tenths of
    /// a mile, codes upper case), so two rows that parse alike give the same
    /// text whatever their cells' types — the line's content (SPEC §12.1).
    pub fn columns(&self) -> Vec<String> {
        fn opt<T: ToString>(v: Option<T>) -> String {
            v.map(|v| v.to_string()).unwrap_or_default()
        }
        let yn = |b: bool| if b { "Y" } else { "N" }.to_string();
        vec![
            self.claim_id.clone(),
            self.line_no.to_string(),
            self.assignment.clone(),
            self.expense_date.to_string(),
            self.submitted_date.to_string(),
            opt(self.approved_date),
            self.category_text().to_string(),
            self.description.clone(),
            self.from.clone(),
            self.to.clone(),
            opt(self.miles),
            opt(self.route_miles),
            self.passengers.to_string(),
            opt(self.travel_type),
            self.amount.to_string(),
            self.receipt.to_string(),
            self.lost_receipt_reason.clone(),
            yn(self.london),
            time_text(self.depart_time),
            time_text(self.return_time),
            self.rail_class.to_string(),
            opt(self.standard_fare),
            opt(self.public_transport_cost),
            self.authorised_by.to_string(),
            yn(self.exceptional),
            opt(self.alcohol_amount),
            self.journey_ref.clone(),
        ]
    }

    /// SHA-256 (hex) of [`ClaimLine::columns`]: the content hash the ledger
    /// keeps with a deferred line, so a line fed back or exported again is
    /// recognised as the same line (SPEC §12.1).
    pub fn content_hash(&self) -> String {
        content_hash(&self.columns())
    }
}

/// Which of [`ClaimLine::columns`] are text — escaped in a CSV (SPEC
/// §12.6): ids, descriptions, places, reasons; not dates, money, miles,
/// counts or codes.
pub const TEXT_COLUMNS: [bool; 27] = {
    let mut text = [false; 27];
    let mut i = 0;
    while i < 7 {
        text[[0, 2, 7, 8, 9, 16, 26][i]] = true;
        i += 1;
    }
    text
};
const _: () = assert!(super::schema::CLAIMS.len() == TEXT_COLUMNS.len());

/// [`ClaimLine::columns`] as the cells of a Claims CSV row, text escaped
/// (deferred-claims.csv, and the ledger's deferred lines read back).
pub fn csv_cells(columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .zip(TEXT_COLUMNS)
        .map(|(c, text)| if text { super::csv_text::escape(c).into_owned() } else { c.clone() })
        .collect()
}

/// SHA-256 (hex) of a line's columns, each followed by a unit separator.
pub fn content_hash(columns: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in columns {
        h.update(c.as_bytes());
        h.update([0x1f]);
    }
    format!("{:x}", h.finalize())
}

/// A time cell as deferred-claims.csv writes it.
fn time_text(t: Option<TimeValue>) -> String {
    match t {
        None => String::new(),
        Some(TimeValue::Time(t)) => t.format("%H:%M:%S").to_string(),
        Some(TimeValue::DateTime(dt)) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}
