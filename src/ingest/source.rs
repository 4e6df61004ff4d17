//! Opening inputs: workbooks through calamine, CSV files through `csv`
//! (SPEC §2). Each input becomes named sheets of cells plus the facts the
//! manifest records (path, SHA-256, sheets and rows read).

use super::cell::{Cell, DateSystem};
use crate::config::Limits;
use crate::error::{Error, Result};
use calamine::{open_workbook_from_rs, Data, DataRef, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
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
    /// `limits.max_cell_chars`: a longer cell is a DAT002 finding.
    pub max_cell_chars: usize,
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
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        first.saturating_add(row).saturating_add(1)
    }

    /// The spreadsheet column index (0 = A) of grid column 0.
    pub fn first_column(&self) -> usize {
        match &self.grid {
            Grid::Workbook(range) => range.start().map_or(0, |(_, c)| c as usize),
            Grid::Csv(_) => 0,
        }
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
/// folder of CSV files named after their sheets, within `limits` (file size,
/// unpacked size, rows and cells per sheet), so memory stays bounded.
pub fn read_input(path: &Path, single_csv_sheet: &str, limits: &Limits) -> Result<Input> {
    if path.is_dir() {
        return read_csv_folder(path, limits);
    }
    let bytes = read_bounded(path, limits.max_file_bytes)?;
    read_bytes(&bytes, path, single_csv_sheet, limits)
}

/// Reads an input already in memory; `path` names it in messages and decides
/// the format by its extension (`.csv`/`.txt` CSV, else a workbook). The
/// entry point of the workbook-reader fuzz target.
pub fn read_bytes(bytes: &[u8], path: &Path, single_csv_sheet: &str, limits: &Limits) -> Result<Input> {
    let sha256 = hex(&Sha256::digest(bytes));
    let file = file_label(path);
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).unwrap_or_default();
    let sheets = if ext == "csv" || ext == "txt" {
        vec![csv_sheet(bytes, file, single_csv_sheet.into(), path, limits)?]
    } else {
        workbook_sheets(bytes, &ext, file, path, limits)?
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

/// A file that is not a workbook calamine can open gets a message saying so
/// (and, for an encrypted one, that it is encrypted).
fn unreadable(path: &Path, ext: &str, e: &dyn std::fmt::Display) -> Error {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("password") {
        return Error::Input(format!(
            "{}: workbook is encrypted (password-protected) and cannot be read: save it without a \
             password and run again",
            path.display()
        ));
    }
    let what = if ext.is_empty() { "workbook".to_string() } else { format!("{ext} workbook") };
    Error::Input(format!("{}: not a readable {what}: {text}", path.display()))
}

/// An encrypted OOXML workbook is a Compound File (CFB) holding an
/// `EncryptedPackage` stream, not a zip: recognised by its signature and the
/// stream name (UTF-16), so the message says "encrypted" whatever the reader says.
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const NAME: &[u8] = b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
    bytes.starts_with(CFB) && bytes.windows(NAME.len()).any(|w| w == NAME)
}

/// The zip-bomb guard: the unpacked size a zip's directory declares, summed
/// over its entries, must stay within `limits.max_unzipped_bytes`. (A zip whose
/// entries unpack to more than they declare fails its checks while calamine
/// reads it, and the cell guards of [`stream_cells`] bound what it keeps.)
fn check_unzipped_size(bytes: &[u8], path: &Path, ext: &str, limits: &Limits) -> Result<()> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Not a zip: calamine's own error names the problem.
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            return Err(unreadable(path, ext, &"damaged zip directory"));
        };
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_unzipped_bytes {
        return Err(Error::Input(format!(
            "{}: workbook unpacks to {total} bytes, above the limits.max_unzipped_bytes of {} \
             (a zip bomb, or a workbook too large to read)",
            path.display(),
            limits.max_unzipped_bytes
        )));
    }
    Ok(())
}

fn workbook_sheets(
    bytes: &[u8],
    ext: &str,
    file: Arc<str>,
    path: &Path,
    limits: &Limits,
) -> Result<Vec<Sheet>> {
    if is_encrypted_ooxml(bytes) {
        return Err(unreadable(path, ext, &"password protected"));
    }
    check_unzipped_size(bytes, path, ext, limits)?;
    if let Some(problem) = cfb_chain_problem(bytes) {
        return Err(unreadable(path, ext, &format!("damaged file ({problem})")));
    }
    contain_panics(path, ext, || read_workbook(bytes, ext, file, path, limits))
}

/// A Compound File (`.xls`, encrypted OOXML) whose sector allocation table
/// (FAT) holds a cycle: calamine follows the directory chain until it ends,
/// so a cycle grows memory without bound (found by fuzzing). Returns what is
/// wrong, or `None` for anything else (including files that are not CFB, or
/// are damaged in ways calamine reports itself).
fn cfb_chain_problem(bytes: &[u8]) -> Option<String> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const LAST_LINK: u32 = 0xFFFF_FFFA; // ids at or above are markers, not links
    if !bytes.starts_with(CFB) {
        return None;
    }
    let u32_at = |at: usize| -> Option<u32> {
        bytes.get(at..at.checked_add(4)?).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(u32::from_le_bytes)
    };
    let shift = bytes.get(0x1E..0x20).map(|b| u16::from_le_bytes([b[0], b[1]]))?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let size = 1usize << shift;
    let sector = |id: u32| -> Option<usize> { (id as usize).checked_add(1)?.checked_mul(size) };
    // FAT sector ids: 109 in the header, then the DIFAT chain (bounded).
    let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| u32_at(0x4C + 4 * i)).collect();
    let mut next = u32_at(0x44)?;
    let mut hops = 0;
    while next < LAST_LINK && hops <= bytes.len() / size {
        let base = sector(next)?;
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).filter_map(|i| u32_at(base + 4 * i)));
        next = u32_at(base + 4 * per)?;
        hops += 1;
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in fat_sectors.into_iter().filter(|id| *id < LAST_LINK) {
        if let Some(base) = sector(id) {
            fat.extend((0..size / 4).map_while(|i| u32_at(base + 4 * i)));
        }
    }
    // A cycle in the functional graph sector → next sector.
    let mut state = vec![0u8; fat.len()]; // 0 new, 1 on the current path, 2 done
    for start in 0..fat.len() {
        let mut path = Vec::new();
        let mut at = start;
        while state.get(at) == Some(&0) {
            state[at] = 1;
            path.push(at);
            match fat.get(at) {
                Some(&n) if n < LAST_LINK => at = n as usize,
                _ => break,
            }
        }
        if state.get(at) == Some(&1) && fat.get(at).is_some_and(|&n| n < LAST_LINK) {
            return Some(format!("its sector chain loops back to sector {at}"));
        }
        for p in path {
            state[p] = 2;
        }
    }
    None
}

/// Runs the workbook reader with a panic inside it (calamine indexes out of
/// bounds on some damaged files, e.g. a Compound File whose sector table
/// points past its end — found by fuzzing) turned into an "unreadable" error,
/// exit 3, instead of exit 101. The panic hook is swapped for one that only
/// records the message while the reader runs, so nothing is printed and a
/// fuzzer's abort-on-panic hook does not fire; it is restored afterwards.
/// (The hook is process-wide: a panic on another thread in that window would
/// be silenced too; reading runs on the calling thread alone.)
fn contain_panics<T>(path: &Path, ext: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    use std::sync::Mutex;
    let message = Arc::new(Mutex::new(String::new()));
    let seen = Arc::clone(&message);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut m) = seen.lock() {
            *m = text;
        }
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    std::panic::set_hook(previous);
    result.unwrap_or_else(|_| {
        let detail = message.lock().map(|m| m.clone()).unwrap_or_default();
        Err(unreadable(path, ext, &format!("damaged file (the reader failed: {detail})")))
    })
}

/// Opens a workbook with calamine and reads every sheet within the limits.
fn read_workbook(
    bytes: &[u8],
    ext: &str,
    file: Arc<str>,
    path: &Path,
    limits: &Limits,
) -> Result<Vec<Sheet>> {
    let unreadable = |e: &dyn std::fmt::Display| unreadable(path, ext, e);
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
        let sheet_error = |e: &dyn std::fmt::Display| {
            Error::Input(format!("{}: sheet {name} cannot be read: {e}", path.display()))
        };
        let guard = SheetGuard { path, sheet: &name, limits };
        // xlsx and xlsb are streamed cell by cell so the guards act before
        // anything large is allocated; xls and ods come whole from calamine
        // (bounded by the file size and the unpacked-size guard) and are
        // checked after.
        let range = match &mut book {
            Sheets::Xlsx(x) => match x.worksheet_cells_reader(&name) {
                Ok(mut reader) => stream_cells(&guard, || reader.next_cell().map_err(|e| sheet_error(&e)))?,
                // A chart sheet or similar: no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => calamine::Range::default(),
                Err(e) => return Err(sheet_error(&e)),
            },
            Sheets::Xlsb(x) => match x.worksheet_cells_reader(&name) {
                Ok(mut reader) => stream_cells(&guard, || reader.next_cell().map_err(|e| sheet_error(&e)))?,
                Err(e) => return Err(sheet_error(&e)),
            },
            other => {
                let range = other.worksheet_range(&name).map_err(|e| sheet_error(&e))?;
                guard.check_area(range.height() as u64, range.width() as u64)?;
                range
            }
        };
        sheets.push(Sheet {
            file: file.clone(),
            name: name.as_str().into(),
            grid: Grid::Workbook(range),
            date_system,
            max_cell_chars: cell_limit(limits),
        });
    }
    Ok(sheets)
}

/// `limits.max_cell_chars` as a length.
fn cell_limit(limits: &Limits) -> usize {
    usize::try_from(limits.max_cell_chars).unwrap_or(usize::MAX)
}

/// The per-sheet limits, with the names for their messages.
struct SheetGuard<'a> {
    path: &'a Path,
    sheet: &'a str,
    limits: &'a Limits,
}

impl SheetGuard<'_> {
    /// A sheet spanning more rows than `limits.max_rows`, or a used area of
    /// more cells than `limits.max_cells`, is refused (exit 3).
    fn check_area(&self, rows: u64, columns: u64) -> Result<()> {
        let (path, sheet, limits) = (self.path.display(), self.sheet, self.limits);
        if rows > limits.max_rows {
            return Err(Error::Input(format!(
                "{path}, sheet {sheet}: {rows} rows, above the limits.max_rows of {}",
                limits.max_rows
            )));
        }
        let cells = rows.saturating_mul(columns);
        if cells > limits.max_cells {
            return Err(Error::Input(format!(
                "{path}, sheet {sheet}: its cells span {rows} rows × {columns} columns = {cells} cells, \
                 above the limits.max_cells of {} (a sheet declaring a gigantic area?)",
                limits.max_cells
            )));
        }
        Ok(())
    }

    /// Too many non-empty cells while streaming (a zip bomb that lies about
    /// its size, or a sheet too large to read).
    fn too_many_cells(&self) -> Error {
        Error::Input(format!(
            "{}, sheet {}: more than limits.max_cells ({}) cells",
            self.path.display(),
            self.sheet,
            self.limits.max_cells
        ))
    }
}

/// Collects a sheet's non-empty cells from a streaming reader, enforcing the
/// cell-count guard as it goes and the row and area limits before the dense
/// range is allocated.
fn stream_cells<'d>(
    guard: &SheetGuard,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'d>>>>,
) -> Result<calamine::Range<Data>> {
    let mut cells: Vec<calamine::Cell<Data>> = Vec::new();
    let (mut min_row, mut max_row, mut min_col, mut max_col) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = next()? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if cells.len() as u64 >= guard.limits.max_cells {
            return Err(guard.too_many_cells());
        }
        let (row, col) = cell.get_position();
        min_row = min_row.min(row);
        max_row = max_row.max(row);
        min_col = min_col.min(col);
        max_col = max_col.max(col);
        cells.push(calamine::Cell::new((row, col), Data::from(cell.get_value().clone())));
    }
    if cells.is_empty() {
        return Ok(calamine::Range::default());
    }
    let rows = u64::from(max_row - min_row) + 1;
    let columns = u64::from(max_col - min_col) + 1;
    guard.check_area(rows, columns)?;
    Ok(calamine::Range::from_sparse(cells))
}

/// A folder of CSV files, one per sheet, named after the sheet.
fn read_csv_folder(dir: &Path, limits: &Limits) -> Result<Input> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("{}: cannot read folder: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    let mut sheets = Vec::new();
    for path in &entries {
        let bytes = read_bounded(path, limits.max_file_bytes)?;
        hasher.update(&bytes);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        sheets.push(csv_sheet(&bytes, file_label(path), stem.into(), path, limits)?);
    }
    Ok(Input { path: dir.to_path_buf(), sha256: hex(&hasher.finalize()), sheets })
}

/// Parses CSV bytes: UTF-8 (BOM stripped) or else Windows-1252; `,` or `;`
/// delimited (whichever the first line uses more). More records than
/// `limits.max_rows` is exit 3, naming the count.
fn csv_sheet(bytes: &[u8], file: Arc<str>, name: Arc<str>, path: &Path, limits: &Limits) -> Result<Sheet> {
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
    let not_csv = |e: csv::Error| Error::Input(format!("{}: not readable as CSV: {e}", path.display()));
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut count: u64 = 0;
    while reader.read_record(&mut record).map_err(not_csv)? {
        count += 1;
        // Past the limit the rest is only counted, for the message.
        if count <= limits.max_rows {
            records.push(record.clone());
        }
    }
    if count > limits.max_rows {
        return Err(Error::Input(format!(
            "{}, sheet {name}: {count} rows, above the limits.max_rows of {}",
            path.display(),
            limits.max_rows
        )));
    }
    Ok(Sheet {
        file,
        name,
        grid: Grid::Csv(records),
        date_system: DateSystem::Excel1900,
        max_cell_chars: cell_limit(limits),
    })
}
