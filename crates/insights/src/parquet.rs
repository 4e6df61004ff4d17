//! Parquet twins of decisions.csv, exceptions.csv and adjustments.csv for BI
//! tools (`payrun run --parquet`, SPEC §9): the same rows and columns, read
//! back from the staged CSV so they cannot drift from it; money columns
//! Decimal(18,2) (a blank money cell is null), every other column a string
//! exactly as in the CSV. polars is only touched here, after the run's own
//! work, and only when asked for.

use crate::error::{Error, Result};
use crate::model::Pence;
use polars_core::prelude::*;
use polars_io::prelude::*;
use std::path::Path;

/// (CSV, its Parquet twin, Decimal(18,2) columns, integer columns).
pub const TWINS: [(&str, &str, &[&str], &[&str]); 5] = [
    ("decisions.csv", "decisions.parquet", &["claimed", "allowed", "taxable_payroll", "p11d_amount"], &[]),
    ("exceptions.csv", "exceptions.parquet", &["claimed", "allowed"], &[]),
    ("adjustments.csv", "adjustments.parquet", &["rate", "amount"], &[]),
    (
        "absence.csv",
        "absence.parquet",
        &[
            "fte",
            "fte_days_available",
            "fte_days_lost",
            "fte_days_lost_short",
            "fte_days_lost_long",
            "rate",
            "rate_short",
            "rate_long",
        ],
        &["headcount", "episodes", "episodes_long", "returns", "rtw_recorded", "rtw_on_time"],
    ),
    ("absence-reasons.csv", "absence-reasons.parquet", &["fte_days_lost", "share"], &["episodes"]),
];

/// Writes the Parquet twin of the CSV at `csv_path` (named `name` in errors).
/// A failed write is exit 8 naming `parquet_path`, whether polars reports it
/// as an error or panics ([`super::writing`]).
pub fn write_twin(
    csv_path: &Path,
    parquet_path: &Path,
    name: &str,
    money: &[&str],
    integers: &[&str],
) -> Result<()> {
    let what = parquet_path.display().to_string();
    super::writing::contained(&what, || twin(csv_path, parquet_path, name, money, integers))
}

fn twin(csv_path: &Path, parquet_path: &Path, name: &str, money: &[&str], integers: &[&str]) -> Result<()> {
    let internal = |what: String| Error::Internal(format!("{name}: {what}"));
    let mut reader = csv::Reader::from_path(csv_path).map_err(|e| internal(e.to_string()))?;
    let header: Vec<String> =
        reader.headers().map_err(|e| internal(e.to_string()))?.iter().map(String::from).collect();
    enum Builder {
        Text(StringChunkedBuilder),
        Money(Vec<Option<i128>>),
        Integer(Vec<Option<i64>>),
    }
    let mut builders: Vec<Builder> = header
        .iter()
        .map(|h| {
            if money.contains(&h.as_str()) {
                Builder::Money(Vec::new())
            } else if integers.contains(&h.as_str()) {
                Builder::Integer(Vec::new())
            } else {
                Builder::Text(StringChunkedBuilder::new(h.as_str().into(), 1024))
            }
        })
        .collect();
    let mut record = csv::StringRecord::new();
    let mut row = 1usize;
    while reader.read_record(&mut record).map_err(|e| internal(e.to_string()))? {
        row += 1;
        for (i, b) in builders.iter_mut().enumerate() {
            let cell = record.get(i).unwrap_or_default();
            match b {
                Builder::Text(t) => t.append_value(cell),
                Builder::Money(m) if cell.is_empty() => m.push(None),
                Builder::Integer(n) if cell.is_empty() => n.push(None),
                Builder::Integer(n) => match cell.parse::<i64>() {
                    Ok(v) => n.push(Some(v)),
                    Err(_) => {
                        return Err(internal(format!(
                            "row {row}, column {}: {cell:?} is not a whole number",
                            header[i]
                        )))
                    }
                },
                Builder::Money(m) => match Pence::parse_csv(cell) {
                    Some(p) => m.push(Some(i128::from(p.0))),
                    None => {
                        return Err(internal(format!(
                            "row {row}, column {}: {cell:?} is not money",
                            header[i]
                        )))
                    }
                },
            }
        }
    }
    let columns = builders
        .into_iter()
        .zip(&header)
        .map(|(b, h)| match b {
            Builder::Text(t) => Ok(Column::from(t.finish().into_series())),
            Builder::Integer(n) => {
                Ok(Column::from(Int64Chunked::from_slice_options(h.as_str().into(), &n).into_series()))
            }
            Builder::Money(m) => Int128Chunked::from_slice_options(h.as_str().into(), &m)
                .into_decimal(18, 2)
                .map(|d| Column::from(d.into_series())),
        })
        .collect::<PolarsResult<Vec<Column>>>()
        .map_err(|e| internal(e.to_string()))?;
    let mut frame = DataFrame::new(row - 1, columns).map_err(|e| internal(e.to_string()))?;
    let file = crate::files::atomic::create_private(parquet_path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    ParquetWriter::new(&mut w).finish(&mut frame).map_err(|e| write_error(parquet_path, e))?;
    let file = w.into_inner().map_err(|e| Error::io(parquet_path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(parquet_path, e))
}

/// A polars error from writing `path`: exit 8 when it is an I/O error —
/// `PolarsError::IO`, possibly under context, or polars-parquet's
/// "underlying IO error" kept only as text — exit 1 otherwise.
fn write_error(path: &Path, e: PolarsError) -> Error {
    fn io(e: &PolarsError) -> bool {
        match e {
            PolarsError::IO { .. } => true,
            PolarsError::Context { error, .. } | PolarsError::ExprContext { error, .. } => io(error),
            other => super::writing::is_write_failure(&other.to_string()),
        }
    }
    if io(&e) {
        Error::Write(format!("cannot write {}: {e}", path.display()))
    } else {
        Error::Internal(format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polars_io_error_is_exit_8_and_names_the_file() {
        let path = Path::new("/out/decisions.parquet");
        let full = std::io::Error::from_raw_os_error(28);
        let err = write_error(path, PolarsError::from(full));
        assert_eq!(err.exit_code(), 8, "{err}");
        assert!(err.to_string().contains("/out/decisions.parquet"), "{err}");
        let as_text = PolarsError::ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"
                .into(),
        );
        assert_eq!(write_error(path, as_text.context("writing".into())).exit_code(), 8);
        let other = PolarsError::ComputeError("decimal precision 40 is too large".into());
        assert_eq!(write_error(path, other).exit_code(), 1);
    }
}
