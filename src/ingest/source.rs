//! Opening inputs: workbooks through calamine, CSV files through `csv`
//! (SPEC §2). Each input becomes named sheets of cells plus the facts the
//! manifest records (path, SHA-256, sheets and rows read).

use super::cell::{Cell, DateSystem};
use crate::error::{Error, Result};
use calamine::{open_workbook_from_rs, Data, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The cells of one sheet, as the reader produced them.
pub enum Grid {
    Workbook(calamine::Range<Data>),
    Csv(Vec<csv::StringRecord>),
}

/// One sheet of an input.
pub struct Sheet {
    /// File name for `source` locators (`file!sheet:row`).
    pub file: Arc<str>,
    pub name: Arc<str>,
    pub grid: Grid,
    pub date_system: DateSystem,
}

/// An input file read into memory, with what the manifest needs.
pub struct Input {
    pub path: PathBuf,
    pub sha256: String,
    pub sheets: Vec<Sheet>,
}

impl Sheet {
    /// Rows in the grid (including title and header rows).
    pub fn height(&self) -> usize {
        match &self.grid {
            Grid::Workbook(range) => range.height(),
            Grid::Csv(records) => records.len(),
        }
    }

    pub fn width(&self, row: usize) -> usize {
        match &self.grid {
            Grid::Workbook(range) => range.width(),
            Grid::Csv(records) => records.get(row).map_or(0, |r| r.len()),
        }
    }

    /// The spreadsheet row number (1-based) of grid row `row`.
    pub fn row_number(&self, row: usize) -> u32 {
        let first = match &self.grid {
            Grid::Workbook(range) => range.start().map_or(0, |(r, _)| r),
            Grid::Csv(_) => 0,
        };
        first + row as u32 + 1
    }

    /// The cell at grid position (row, col); outside the grid is empty.
    pub fn cell(&self, row: usize, col: usize) -> Cell<'_> {
        match &self.grid {
            Grid::Workbook(range) => range.get((row, col)).map_or(Cell::Empty, workbook_cell),
            Grid::Csv(records) => records.get(row).and_then(|r| r.get(col)).map_or(Cell::Empty, Cell::Text),
        }
    }
}

fn workbook_cell(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_duration() => Cell::Float(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)
                .and_then(|date| date.and_hms_opt(h as u32, mi as u32, s as u32))
                .map_or(Cell::Error("#DATE?"), Cell::DateTime)
        }
        Data::DateTimeIso(s) => Cell::Text(s),
        Data::DurationIso(s) => iso_duration(s).map_or(Cell::Text(s), Cell::DateTime),
        Data::Error(e) => Cell::Error(match e {
            calamine::CellErrorType::Div0 => "#DIV/0!",
            calamine::CellErrorType::NA => "#N/A",
            calamine::CellErrorType::Name => "#NAME?",
            calamine::CellErrorType::Null => "#NULL!",
            calamine::CellErrorType::Num => "#NUM!",
            calamine::CellErrorType::Ref => "#REF!",
            calamine::CellErrorType::Value => "#VALUE!",
            calamine::CellErrorType::GettingData => "#GETTING_DATA",
        }),
    }
}

/// An ODS time value `PT12H30M00S` as a time on the epoch day (so the time
/// parser reads it as a bare time).
fn iso_duration(text: &str) -> Option<NaiveDateTime> {
    let rest = text.strip_prefix("PT")?;
    let (h, rest) = rest.split_once('H')?;
    let (m, rest) = rest.split_once('M')?;
    let s = rest.strip_suffix('S').unwrap_or("0");
    let secs = s.split('.').next()?.parse::<u32>().ok()?;
    let time = NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, secs)?;
    Some(NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(time))
}

/// Reads an input: a workbook, a single CSV (the `single_csv_sheet`), or a
/// folder of CSV files named after their sheets. `max_bytes` bounds memory.
pub fn read_input(path: &Path, single_csv_sheet: &str, max_bytes: u64) -> Result<Input> {
    if path.is_dir() {
        return read_csv_folder(path, max_bytes);
    }
    let bytes = read_bounded(path, max_bytes)?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let file = file_label(path);
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).unwrap_or_default();
    let sheets = if ext == "csv" || ext == "txt" {
        vec![csv_sheet(&bytes, file, single_csv_sheet.into(), path)?]
    } else {
        workbook_sheets(&bytes, &ext, file, path)?
    };
    Ok(Input { path: path.to_path_buf(), sha256, sheets })
}

fn read_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Input(format!("{}: cannot read input: {e}", path.display())))?;
    if meta.len() > max_bytes {
        return Err(Error::Input(format!(
            "{}: file is {} bytes, above the limits.max_file_bytes of {max_bytes}",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read(path).map_err(|e| Error::Input(format!("{}: cannot read input: {e}", path.display())))
}

fn file_label(path: &Path) -> Arc<str> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
        .into()
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn workbook_sheets(bytes: &[u8], ext: &str, file: Arc<str>, path: &Path) -> Result<Vec<Sheet>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::Input(format!("{}: not a readable workbook ({ext}): {e}", path.display()))
    };
    let cursor = Cursor::new(bytes);
    let mut book: Sheets<Cursor<&[u8]>> = match ext {
        "xlsx" | "xlsm" | "xlam" => {
            Sheets::Xlsx(open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(|e| unreadable(&e))?)
        }
        "xls" | "xla" => Sheets::Xls(open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        "xlsb" => Sheets::Xlsb(open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        "ods" => Sheets::Ods(open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        _ => calamine::open_workbook_auto_from_rs(cursor).map_err(|e| unreadable(&e))?,
    };
    let date_system = match &book {
        Sheets::Xlsx(x) if x.has_1904_epoch() => DateSystem::Excel1904,
        _ => DateSystem::Excel1900,
    };
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::Input(format!("{}: sheet {name} cannot be read: {e}", path.display())))?;
        sheets.push(Sheet {
            file: file.clone(),
            name: name.into(),
            grid: Grid::Workbook(range),
            date_system,
        });
    }
    Ok(sheets)
}

/// A folder of CSV files, one per sheet, named after the sheet.
fn read_csv_folder(dir: &Path, max_bytes: u64) -> Result<Input> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("{}: cannot read folder: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    let mut sheets = Vec::new();
    for path in &entries {
        let bytes = read_bounded(path, max_bytes)?;
        hasher.update(&bytes);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        sheets.push(csv_sheet(&bytes, file_label(path), stem.into(), path)?);
    }
    Ok(Input { path: dir.to_path_buf(), sha256: hex(&hasher.finalize()), sheets })
}

/// Parses CSV bytes: UTF-8 (BOM stripped) or else Windows-1252; `,` or `;`
/// delimited (whichever the first line uses more).
fn csv_sheet(bytes: &[u8], file: Arc<str>, name: Arc<str>, path: &Path) -> Result<Sheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let first_line = text.lines().next().unwrap_or("");
    let delimiter =
        if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        records
            .push(record.map_err(|e| Error::Input(format!("{}: not readable as CSV: {e}", path.display())))?);
    }
    Ok(Sheet { file, name, grid: Grid::Csv(records), date_system: DateSystem::Excel1900 })
}
