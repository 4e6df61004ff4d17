//! The I/O floor of a run (issue 8, docs/performance.md): how long calamine
//! alone takes to read the inputs, and how long the csv crate and
//! rust_xlsxwriter alone take to write outputs of the same size, with none
//! of payrun's parsing, rules or formatting.
//!
//! ```text
//! cargo run --release --example floor -- ROSTER.xlsx EXPENSES.xlsx RUN_OUT_DIR
//! ```
//!
//! RUN_OUT_DIR is the `--out` folder of a `payrun run` on those inputs: its
//! CSV files give the rows to write. The read floor streams every cell of
//! every sheet with `Xlsx::worksheet_cells_reader` (the cheapest read calamine
//! offers); the write floor writes the rows of decisions / exceptions /
//! adjustments / deferred-claims / attendance / payroll-batch.csv as CSV, then
//! adjustments + payroll-batch.csv as one workbook (the payroll workbook holds
//! both, SPEC §7.1) and exceptions + attendance + deferred-claims as another,
//! in constant-memory sheets (text as text, numbers as numbers), at the zip
//! compression level payrun uses.

use calamine::{open_workbook, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> Res<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [roster, expenses, run_out] = args.as_slice() else {
        return Err("usage: floor ROSTER.xlsx EXPENSES.xlsx RUN_OUT_DIR".into());
    };
    let started = Instant::now();
    let cells = read_floor(roster)? + read_floor(expenses)?;
    let read_ms = started.elapsed().as_millis();

    let tables: Vec<(&str, Vec<csv::StringRecord>)> =
        ["decisions", "exceptions", "adjustments", "deferred-claims", "attendance", "payroll-batch"]
            .into_iter()
            .map(|name| Ok((name, load_csv(&run_out.join(format!("{name}.csv")))?)))
            .collect::<Res<_>>()?;
    let scratch = tempfile::tempdir()?;

    let started = Instant::now();
    for (name, rows) in &tables {
        let mut w = csv::Writer::from_path(scratch.path().join(format!("{name}.csv")))?;
        for row in rows {
            w.write_record(row)?;
        }
        w.flush()?;
    }
    let csv_ms = started.elapsed().as_millis();

    let started = Instant::now();
    let table =
        |name: &str| tables.iter().find(|(n, _)| *n == name).map(|(_, r)| r.as_slice()).unwrap_or(&[]);
    write_xlsx(
        &scratch.path().join("payroll.xlsx"),
        &[("Adjustments", table("adjustments")), ("Payroll batch", table("payroll-batch"))],
    )?;
    write_xlsx(
        &scratch.path().join("exceptions.xlsx"),
        &[
            ("Exceptions", table("exceptions")),
            ("Attendance", table("attendance")),
            ("Deferred", table("deferred-claims")),
        ],
    )?;
    let xlsx_ms = started.elapsed().as_millis();

    println!("read floor: {read_ms} ms ({cells} cells)");
    println!("write floor: csv {csv_ms} ms + xlsx {xlsx_ms} ms = {} ms", csv_ms + xlsx_ms);
    println!("floor total: {} ms", read_ms + csv_ms + xlsx_ms);
    Ok(())
}

/// Streams every cell of every sheet; returns the cells seen (so the work
/// cannot be optimised away).
fn read_floor(path: &Path) -> Res<u64> {
    let mut book: Xlsx<_> = open_workbook(path)?;
    let mut cells = 0u64;
    for name in book.sheet_names() {
        let mut reader = book.worksheet_cells_reader(&name)?;
        while let Some(cell) = reader.next_cell()? {
            if !matches!(cell.get_value(), calamine::DataRef::Empty) {
                cells += 1;
            }
        }
    }
    Ok(cells)
}

fn load_csv(path: &Path) -> Res<Vec<csv::StringRecord>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path)?;
    Ok(reader.records().collect::<Result<_, _>>()?)
}

/// One constant-memory sheet per table; a field that reads as a number is
/// written as one.
fn write_xlsx(path: &Path, sheets: &[(&str, &[csv::StringRecord])]) -> Res<()> {
    let mut wb = Workbook::new();
    // The zip level payrun's workbooks use (src/output/workbook/mod.rs).
    wb.set_zip_compression_level(3);
    for (name, rows) in sheets {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(*name)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, field) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match field.parse::<f64>() {
                    Ok(n) if r > 0 => ws.write_number(r, c, n)?,
                    _ if field.is_empty() => ws,
                    _ => ws.write_string(r, c, field)?,
                };
            }
        }
    }
    wb.save(path)?;
    Ok(())
}
