//! Plain tables of typed cells, written both as a CSV and as a workbook sheet
//! (the insights sheets of SPEC §9 and their CSV twins share one source).

use crate::model::csv_text;
use crate::model::Pence;
use std::io::Write;

/// One cell: how the CSV spells it and how the workbook shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Money(Pence),
    Int(i64),
    /// An exact decimal (a half-penny median, a z-score): its text for the
    /// CSV, and the number for the workbook, shown as money or as `0.00`.
    Decimal {
        text: String,
        number: f64,
        money: bool,
    },
}

impl Value {
    /// The text of the cell (a CSV also escapes `Text`, SPEC §12.6).
    pub fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Money(p) => p.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Decimal { text, .. } => text.clone(),
        }
    }
}

/// A titled table: the workbook sheet `title`, the CSV `file`.
#[derive(Clone, Debug)]
pub struct Table {
    pub title: &'static str,
    pub file: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<Value>>,
}

/// Writes the table as CSV: header row, then the rows in order; text cells
/// escaped against formula injection (SPEC §12.6), numbers never.
pub fn write_csv<W: Write>(out: W, table: &Table) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(table.header).map_err(io)?;
    let cell = |v: &Value| match v {
        Value::Text(s) => csv_text::escape(s).into_owned(),
        other => other.text(),
    };
    for row in &table.rows {
        w.write_record(row.iter().map(cell)).map_err(io)?;
    }
    w.flush()
}
