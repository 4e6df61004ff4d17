//! Opening inputs: workbooks through calamine, CSV files through `csv`
//! (SPEC §2). An [`Input`] holds a file's bytes and the facts the manifest
//! records (path, SHA-256); its sheets are read on demand, block by block, so
//! a million-line Claims sheet never exists in memory as a whole (issue 8:
//! a materialised `calamine::Range<Data>` of the scale month alone took over
//! a gigabyte, one `String` per text cell).

use super::cell::{Cell, DateSystem};
use super::split::{self, Shared};
use crate::config::Limits;
use crate::error::{Error, Result};
use crate::model::progress::{self, Progress, Silent, Step};
use calamine::{open_workbook_from_rs, Data, DataRef, Ods, Reader, Sheets, Xls, Xlsb, Xlsx, XlsxError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per block: large enough that per-block overhead (a channel send, a
/// rayon split) is noise, small enough that a block of the widest sheet
/// (27 columns) stays a few megabytes.
const BLOCK_ROWS: usize = 16_384;

/// Text bytes after which a block is handed over early (cells of long text).
const BLOCK_TEXT_BYTES: usize = 32 << 20;

/// Rows from the top of a sheet in which its header is looked for; the first
/// block always spans at least these (see [`SheetBuilder::full`]).
pub const HEADER_SCAN_ROWS: u32 = 50;

/// A cell as a block stores it: text lives in the block's one arena, so no
/// cell owns an allocation.
#[derive(Clone, Copy, Debug)]
enum Stored {
    Empty,
    Text(u32, u32),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    Error(u32, u32),
}

/// Consecutive rows of one sheet: a whole small sheet, or one block of a
/// large one. Wholly empty rows are not stored; each row keeps its sheet row
/// number for `source` locators.
pub struct Sheet {
    /// File name for `source` locators (`file!sheet:row`).
    pub file: Arc<str>,
    pub name: Arc<str>,
    pub date_system: DateSystem,
    /// `limits.max_cell_chars`: a longer cell is a DAT002 finding.
    pub max_cell_chars: usize,
    /// Per row: the 1-based sheet row number and where its cells start in `cells`.
    rows: Vec<(u32, u32)>,
    /// Cells by absolute column (0 = column A), missing ones padded with `Empty`.
    cells: Vec<Stored>,
    text: String,
}

impl Sheet {
    fn new(file: Arc<str>, name: Arc<str>, date_system: DateSystem, max_cell_chars: usize) -> Sheet {
        Sheet {
            file,
            name,
            date_system,
            max_cell_chars,
            rows: Vec::new(),
            cells: Vec::new(),
            text: String::new(),
        }
    }

    /// Rows held.
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// Cells held in row `row` (the cells after them are empty).
    pub fn width(&self, row: usize) -> usize {
        self.span(row).map_or(0, |(start, end)| end - start)
    }

    /// The spreadsheet row number (1-based) of row `row`.
    pub fn row_number(&self, row: usize) -> u32 {
        self.rows.get(row).map_or(0, |r| r.0)
    }

    /// The cell at (row, col); outside what is held is empty.
    pub fn cell(&self, row: usize, col: usize) -> Cell<'_> {
        let Some((start, end)) = self.span(row) else {
            return Cell::Empty;
        };
        if start + col >= end {
            return Cell::Empty;
        }
        let text = |s: u32, l: u32| self.text.get(s as usize..(s + l) as usize).unwrap_or("");
        match self.cells[start + col] {
            Stored::Empty => Cell::Empty,
            Stored::Text(s, l) => Cell::Text(text(s, l)),
            Stored::Int(i) => Cell::Int(i),
            Stored::Float(f) => Cell::Float(f),
            Stored::Bool(b) => Cell::Bool(b),
            Stored::DateTime(dt) => Cell::DateTime(dt),
            Stored::Error(s, l) => Cell::Error(text(s, l)),
        }
    }

    fn span(&self, row: usize) -> Option<(usize, usize)> {
        let start = self.rows.get(row)?.1 as usize;
        let end = self.rows.get(row + 1).map_or(self.cells.len(), |r| r.1 as usize);
        Some((start, end))
    }
}

/// What a [`SheetBuilder`] read: the limits' counts, and the rows spanned
/// (0-based sheet rows: the first seen, the highest).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    cells: u64,
    first: Option<u32>,
    last: Option<u32>,
    min_col: u32,
    max_col: u32,
}

impl Stats {
    /// Two parts of one sheet, read apart ([`split`]), as one.
    fn then(self, second: Stats) -> Stats {
        if second.first.is_none() {
            return self;
        }
        if self.first.is_none() {
            return second;
        }
        Stats {
            cells: self.cells + second.cells,
            first: self.first,
            last: self.last.max(second.last),
            min_col: self.min_col.min(second.min_col),
            max_col: self.max_col.max(second.max_col),
        }
    }

    /// Whether a first part holds every row the header is looked for in
    /// (see [`HEADER_SCAN_ROWS`]) and the one that ends the look: then the
    /// header is found in it as in the whole sheet.
    fn spans_header_scan(&self) -> bool {
        matches!((self.first, self.last), (Some(f), Some(l)) if l.saturating_sub(f) >= HEADER_SCAN_ROWS)
    }
}

/// Fills blocks of a sheet and hands each full one on, within the sheet
/// limits (issue 9): rows spanned, cells held and the used area.
struct SheetBuilder<'f> {
    file: Arc<str>,
    name: Arc<str>,
    date_system: DateSystem,
    limits: &'f Limits,
    /// Non-empty cells seen, and the columns they span.
    cells_seen: u64,
    min_col: u32,
    max_col: u32,
    block: Sheet,
    /// Sheet row number (0-based) of the row being filled.
    current: Option<u32>,
    /// Sheet row number (0-based) of the first row seen, and the highest.
    first: Option<u32>,
    last: Option<u32>,
    blocks: usize,
    sink: &'f mut dyn FnMut(Sheet) -> Result<()>,
    progress: &'f dyn Progress,
    /// Rows the sheet declares (xlsx dimension, a whole range), for percent.
    declared_rows: Option<u64>,
    /// Share of a CSV file's bytes read so far (percent).
    bytes_percent: Option<u8>,
}

impl<'f> SheetBuilder<'f> {
    fn new(
        file: Arc<str>,
        name: Arc<str>,
        date_system: DateSystem,
        limits: &'f Limits,
        sink: &'f mut dyn FnMut(Sheet) -> Result<()>,
        progress: &'f dyn Progress,
    ) -> SheetBuilder<'f> {
        let block = Sheet::new(file.clone(), name.clone(), date_system, cell_limit(limits));
        SheetBuilder {
            file,
            name,
            date_system,
            limits,
            cells_seen: 0,
            min_col: u32::MAX,
            max_col: 0,
            block,
            current: None,
            first: None,
            last: None,
            blocks: 0,
            sink,
            progress,
            declared_rows: None,
            bytes_percent: None,
        }
    }

    /// A sheet spanning more rows than `limits.max_rows`, or a used area of
    /// more cells than `limits.max_cells`, is refused (exit 3).
    fn check_area(&self, rows: u64, columns: u64) -> Result<()> {
        check_area(&self.file, &self.name, self.limits, rows, columns)
    }

    fn too_many_cells(&self) -> Error {
        too_many_cells(&self.file, &self.name, self.limits)
    }

    fn stats(&self) -> Stats {
        Stats {
            cells: self.cells_seen,
            first: self.first,
            last: self.last,
            min_col: self.min_col,
            max_col: self.max_col,
        }
    }

    /// The limits, checked as each non-empty cell arrives, before anything
    /// large is kept.
    fn guard(&mut self, row: u32, col: u32) -> Result<()> {
        self.cells_seen += 1;
        if self.cells_seen > self.limits.max_cells {
            return Err(self.too_many_cells());
        }
        self.min_col = self.min_col.min(col);
        self.max_col = self.max_col.max(col);
        self.last = Some(self.last.map_or(row, |last| last.max(row)));
        let first = self.first.unwrap_or(row).min(row);
        let rows = u64::from(row.saturating_sub(first)) + 1;
        self.check_area(rows, u64::from(self.max_col - self.min_col) + 1)
    }

    /// Adds a cell at 0-based (row, col); cells arrive row by row. Empty
    /// cells are not stored, so a row of them is no row.
    fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<()> {
        if matches!(cell, Cell::Empty) {
            return Ok(());
        }
        self.guard(row, col)?;
        if self.current != Some(row) {
            if self.full(row) {
                self.flush()?;
            }
            self.current = Some(row);
            self.first.get_or_insert(row);
            let start = u32::try_from(self.block.cells.len()).map_err(|_| self.too_large())?;
            self.block.rows.push((row.saturating_add(1), start));
        }
        let (start, _) = self.block.span(self.block.rows.len() - 1).unwrap_or_default();
        let col = col as usize;
        let held = self.block.cells.len() - start;
        if col < held {
            // A repeated position (malformed file): the later cell wins, as in a grid.
            self.block.cells.truncate(start + col);
        } else {
            self.block.cells.resize(start + col, Stored::Empty);
        }
        let stored = match cell {
            Cell::Empty => Stored::Empty,
            Cell::Text(t) => {
                let (s, l) = self.store_text(t)?;
                Stored::Text(s, l)
            }
            Cell::Int(i) => Stored::Int(i),
            Cell::Float(f) => Stored::Float(f),
            Cell::Bool(b) => Stored::Bool(b),
            Cell::DateTime(dt) => Stored::DateTime(dt),
            Cell::Error(e) => {
                let (s, l) = self.store_text(e)?;
                Stored::Error(s, l)
            }
        };
        self.block.cells.push(stored);
        Ok(())
    }

    fn store_text(&mut self, t: &str) -> Result<(u32, u32)> {
        let start = u32::try_from(self.block.text.len()).map_err(|_| self.too_large())?;
        let len = u32::try_from(t.len()).map_err(|_| self.too_large())?;
        self.block.text.push_str(t);
        Ok((start, len))
    }

    fn too_large(&self) -> Error {
        Error::Input(format!("{}, sheet {}: a block of rows holds over 4 GB of text", self.file, self.name))
    }

    /// Whether the block is to be handed on before `next_row` starts. The
    /// first block always spans the header scan (title rows and header stay
    /// together, whatever the cell sizes).
    fn full(&self, next_row: u32) -> bool {
        let rows = self.block.rows.len();
        if self.blocks == 0 && self.first.is_some_and(|f| next_row.saturating_sub(f) < HEADER_SCAN_ROWS) {
            return false;
        }
        rows >= BLOCK_ROWS || (rows > 0 && self.block.text.len() >= BLOCK_TEXT_BYTES)
    }

    fn flush(&mut self) -> Result<()> {
        let next =
            Sheet::new(self.file.clone(), self.name.clone(), self.date_system, cell_limit(self.limits));
        let block = std::mem::replace(&mut self.block, next);
        self.blocks += 1;
        // Rows spanned so far, less the header row: near enough for a display.
        let rows = match (self.first, self.current) {
            (Some(first), Some(current)) => u64::from(current - first),
            _ => 0,
        };
        let percent = self.bytes_percent.or_else(|| {
            self.declared_rows
                .and_then(|total| progress::percent(u64::from(self.current.unwrap_or(0)) + 1, total))
        });
        self.progress.report(Step::Read { file: &self.file, sheet: &self.name, rows, percent });
        (self.sink)(block)
    }

    /// [`SheetBuilder::finish`], returning what was read.
    fn finish_counted(self) -> Result<Stats> {
        let stats = self.stats();
        self.finish()?;
        Ok(stats)
    }

    /// Hands on the last block; a sheet always yields at least one (an empty
    /// sheet an empty one, so a missing header is reported).
    fn finish(mut self) -> Result<()> {
        // The whole sheet is read, whatever its declared size said.
        self.bytes_percent = Some(100);
        if self.blocks == 0 || self.block.height() > 0 {
            self.flush()?;
        }
        Ok(())
    }
}

fn datetime_cell(dt: &calamine::ExcelDateTime) -> Cell<'static> {
    if dt.is_duration() {
        return Cell::Float(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)
        .and_then(|date| date.and_hms_opt(h as u32, mi as u32, s as u32))
        .map_or(Cell::Error("#DATE?"), Cell::DateTime)
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    match e {
        calamine::CellErrorType::Div0 => "#DIV/0!",
        calamine::CellErrorType::NA => "#N/A",
        calamine::CellErrorType::Name => "#NAME?",
        calamine::CellErrorType::Null => "#NULL!",
        calamine::CellErrorType::Num => "#NUM!",
        calamine::CellErrorType::Ref => "#REF!",
        calamine::CellErrorType::Value => "#VALUE!",
        calamine::CellErrorType::GettingData => "#GETTING_DATA",
    }
}

/// A cell of an xls / ods / xlsb range.
fn workbook_cell(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => datetime_cell(dt),
        Data::DateTimeIso(s) => Cell::Text(s),
        Data::DurationIso(s) => iso_duration(s).map_or(Cell::Text(s), Cell::DateTime),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

/// A cell of a streamed xlsx sheet (the same mapping as [`workbook_cell`]).
fn xlsx_cell<'a>(data: &'a DataRef<'_>) -> Cell<'a> {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => datetime_cell(dt),
        DataRef::DateTimeIso(s) => Cell::Text(s),
        DataRef::DurationIso(s) => iso_duration(s).map_or(Cell::Text(s), Cell::DateTime),
        DataRef::Error(e) => Cell::Error(error_text(e)),
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

/// An input opened for reading: hashed, its sheets read on demand by
/// [`Input::read_sheet`].
pub struct Input {
    pub path: PathBuf,
    pub sha256: String,
    book: Book,
    limits: Limits,
    /// Where rows read are reported as each block is handed on.
    progress: Arc<dyn Progress>,
    /// xlsx worksheets of this many bytes (unzipped) or more are read in
    /// two parts at once by [`Input::read_sheet_in_parts`].
    cut_over: u64,
}

/// Worksheets this large (their XML, unzipped) are read in two parts at
/// once: at 8 MiB, reading one part takes about 50 ms, well above the cost
/// of the second reader (issue 17, docs/performance.md).
pub const CUT_OVER_BYTES: u64 = 8 << 20;

/// How [`Input::read_sheet_in_parts`] read a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    /// Whole, all blocks to the first sink.
    Whole,
    /// In two parts, each to its sink.
    Cut,
    /// Cut too near its top: the first part does not hold every row the
    /// header is looked for in, so the caller reads it again whole
    /// ([`Input::read_sheet`]); nothing it was given counts.
    Again,
}

enum Book {
    /// Boxed: calamine's readers are large, a list of CSV files is not.
    Workbook {
        file: Arc<str>,
        sheets: Box<Sheets<Cursor<Shared>>>,
        /// The file's bytes, which calamine reads, for [`Input::read_sheet_in_parts`].
        bytes: Shared,
        date_system: DateSystem,
        ext: String,
    },
    /// A CSV file (one sheet) or a folder of them (one sheet per file).
    Csv(Vec<CsvFile>),
}

struct CsvFile {
    sheet: String,
    file: Arc<str>,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Input {
    /// Opens an input: a workbook, a single CSV (the `single_csv_sheet`), or a
    /// folder of CSV files named after their sheets, within `limits` (file
    /// size, unpacked size, rows and cells per sheet), so memory stays bounded.
    pub fn open(path: &Path, single_csv_sheet: &str, limits: &Limits) -> Result<Input> {
        if path.is_dir() {
            return open_csv_folder(path, limits);
        }
        let bytes = read_bounded(path, limits.max_file_bytes)?;
        Input::from_bytes(bytes, path, single_csv_sheet, limits)
    }

    /// Opens an input already in memory; `path` names it in messages and its
    /// extension decides the format (`.csv`/`.txt` CSV, else a workbook). The
    /// entry point of the workbook-reader fuzz target.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path, single_csv_sheet: &str, limits: &Limits) -> Result<Input> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let file = file_label(path);
        let ext =
            path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).unwrap_or_default();
        let book = if ext == "csv" || ext == "txt" {
            Book::Csv(vec![CsvFile { sheet: single_csv_sheet.to_string(), file, path: path.into(), bytes }])
        } else {
            open_workbook(bytes, &ext, file, path, limits)?
        };
        Ok(Input {
            path: path.to_path_buf(),
            sha256,
            book,
            limits: limits.clone(),
            progress: Arc::new(Silent),
            cut_over: CUT_OVER_BYTES,
        })
    }

    /// Reads worksheets of `bytes` or more in two parts (tests and benches:
    /// the default is [`CUT_OVER_BYTES`]; `u64::MAX` reads every sheet whole).
    pub fn cut_sheets_over(&mut self, bytes: u64) {
        self.cut_over = bytes;
    }

    /// Reports rows read to `progress` from now on.
    pub fn report_to(&mut self, progress: Arc<dyn Progress>) {
        self.progress = progress;
    }

    /// The sheet names, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.book {
            Book::Workbook { sheets, .. } => sheets.sheet_names(),
            Book::Csv(files) => files.iter().map(|f| f.sheet.clone()).collect(),
        }
    }

    /// The sheet called `name` (trimmed, case-insensitive), as the file spells it.
    pub fn find_sheet(&self, name: &str) -> Option<String> {
        self.sheet_names().into_iter().find(|s| s.trim().eq_ignore_ascii_case(name))
    }

    /// [`Input::find_sheet`], or the error naming the sheets there are (exit 3).
    pub fn require_sheet(&self, name: &str) -> Result<String> {
        self.find_sheet(name).ok_or_else(|| {
            Error::Input(format!(
                "{}: required sheet {name} not found (sheets: {})",
                self.path.display(),
                self.sheet_names().join(", ")
            ))
        })
    }

    /// Reads sheet `name` (as [`Input::find_sheet`] returned it) in blocks of
    /// rows, in row order, handing each to `sink`. An xlsx sheet is streamed
    /// from its XML; other workbooks are read whole by calamine and handed on
    /// in blocks; CSV is streamed record by record.
    pub fn read_sheet(&mut self, name: &str, sink: &mut dyn FnMut(Sheet) -> Result<()>) -> Result<()> {
        let path = self.path.clone();
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Input(format!("{}: sheet {name} cannot be read: {e}", path.display()))
        };
        let limits = &self.limits;
        let progress = self.progress.as_ref();
        match &mut self.book {
            Book::Workbook { file, sheets, date_system, ext, .. } => contain_panics(&path, ext, || {
                let mut out =
                    SheetBuilder::new(file.clone(), name.into(), *date_system, limits, sink, progress);
                match sheets.as_mut() {
                    Sheets::Xlsx(book) => {
                        let mut reader = match book.worksheet_cells_reader(name) {
                            Ok(r) => r,
                            // A chart sheet holds no cells.
                            Err(XlsxError::NotAWorksheet(_)) => return out.finish(),
                            Err(e) => return Err(cannot(&e)),
                        };
                        push_xlsx_cells(&mut reader, &mut out, &cannot)?;
                    }
                    other => {
                        // xls / xlsb / ods come whole from calamine (bounded by the
                        // file and unpacked-size limits); the area is checked first.
                        let range = other.worksheet_range(name).map_err(|e| cannot(&e))?;
                        out.check_area(range.height() as u64, range.width() as u64)?;
                        out.declared_rows = Some(range.end().map_or(0, |(r, _)| u64::from(r) + 1));
                        let (row0, col0) = range.start().unwrap_or_default();
                        for (i, row) in range.rows().enumerate() {
                            for (j, data) in row.iter().enumerate() {
                                out.push(row0 + i as u32, col0 + j as u32, workbook_cell(data))?;
                            }
                        }
                    }
                }
                out.finish()
            }),
            Book::Csv(files) => {
                let Some(csv) = files.iter().find(|f| f.sheet == name) else {
                    return Err(cannot(&"no such sheet"));
                };
                read_csv(csv, limits, sink, progress)
            }
        }
    }
}

/// Every cell of an xlsx worksheet into `out`, in XML order; the sheet's
/// declared dimension sets the progress percent.
fn push_xlsx_cells<RS: std::io::Read + std::io::Seek>(
    reader: &mut calamine::XlsxCellReader<'_, RS>,
    out: &mut SheetBuilder,
    cannot: &dyn Fn(&dyn std::fmt::Display) -> Error,
) -> Result<()> {
    let dims = reader.dimensions();
    out.declared_rows = (dims.end.0 >= dims.start.0 && dims.end != (0, 0)).then(|| u64::from(dims.end.0) + 1);
    while let Some(cell) = reader.next_cell().map_err(|e| cannot(&e))? {
        let (row, col) = cell.get_position();
        out.push(row, col, xlsx_cell(cell.get_value()))?;
    }
    Ok(())
}

/// A sink of blocks, boxed so that it can be dropped when its part is read.
pub type Sink<'s> = Box<dyn FnMut(Sheet) -> Result<()> + 's>;

/// A sink for the second part, which runs on a thread of its own.
pub type SendSink<'s> = Box<dyn FnMut(Sheet) -> Result<()> + Send + 's>;

impl Input {
    /// Reads sheet `name` as [`Input::read_sheet`] does, but a large xlsx
    /// worksheet in two parts at the same time ([`split`], issue 17): the
    /// blocks of the first part go to `first` on this thread, those of the
    /// second — data rows only, all after the first part's — to `second`
    /// on a thread of its own. Each sink is dropped as soon as its part is
    /// read, so that whatever waits on one part cannot hold up the other.
    /// Anything else is read whole into `first`.
    pub fn read_sheet_in_parts(
        &mut self,
        name: &str,
        first: Sink<'_>,
        second: SendSink<'_>,
    ) -> Result<Parts> {
        let mut first = Some(first);
        let read = self.read_cut(name, &mut first, second);
        match (read, first) {
            (Some(read), _) => read,
            (None, Some(mut first)) => self.read_sheet(name, &mut *first).map(|()| Parts::Whole),
            (None, None) => Err(Error::Internal(format!("sheet {name}: a part's sink was lost"))),
        }
    }

    /// The two parts of [`Input::read_sheet_in_parts`]; `None` (and `first`
    /// untouched) when the sheet is not one to cut.
    fn read_cut(
        &mut self,
        name: &str,
        first: &mut Option<Sink<'_>>,
        second: SendSink<'_>,
    ) -> Option<Result<Parts>> {
        let Book::Workbook { file, sheets, bytes, date_system, ext } = &self.book else { return None };
        if !matches!(**sheets, Sheets::Xlsx(_)) {
            return None;
        }
        let halves = split::open(bytes, self.cut_over)?;
        let (path, limits, progress) = (self.path.as_path(), &self.limits, self.progress.as_ref());
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Input(format!("{}: sheet {name} cannot be read: {e}", path.display()))
        };
        let date_system = *date_system;
        let split::Halves { first: mut book1, second: mut book2, watch } = halves;
        let (opened_tx, opened) = std::sync::mpsc::channel::<bool>();
        std::thread::scope(|scope| {
            let mut second = second;
            let part2 = scope.spawn(move || {
                contain_panics(path, ext, || -> Result<Stats> {
                    // Part 2 opens the sheet first: unless its XML is one of
                    // those cut, part 2 would be the whole sheet again.
                    let reader = book2.worksheet_cells_reader(name);
                    let cut = reader.is_ok() && watch.second_is_cut();
                    let _ = opened_tx.send(cut);
                    let (Ok(mut reader), true) = (reader, cut) else { return Ok(Stats::default()) };
                    let mut out = SheetBuilder::new(
                        file.clone(),
                        name.into(),
                        date_system,
                        limits,
                        &mut *second,
                        &Silent,
                    );
                    push_xlsx_cells(&mut reader, &mut out, &cannot)?;
                    out.finish_counted()
                })
            });
            if !opened.recv().unwrap_or(false) {
                let _ = part2.join();
                return None;
            }
            let mut sink = first.take()?;
            let part1 = contain_panics(path, ext, || -> Result<Stats> {
                let mut reader = book1.worksheet_cells_reader(name).map_err(|e| cannot(&e))?;
                let mut out =
                    SheetBuilder::new(file.clone(), name.into(), date_system, limits, &mut *sink, progress);
                push_xlsx_cells(&mut reader, &mut out, &cannot)?;
                out.finish_counted()
            });
            drop(sink);
            let part2 =
                part2.join().unwrap_or_else(|_| Err(Error::Internal("the sheet reader panicked".into())));
            Some(part1.and_then(|a| {
                let b = part2?;
                check_read(file, name, limits, &a.then(b))?;
                Ok(if b.first.is_none() || a.spans_header_scan() { Parts::Cut } else { Parts::Again })
            }))
        })
    }
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

/// Opens a workbook after the guards that need no reader: encryption, the
/// zip-bomb check and the Compound File sector chain (issue 9).
fn open_workbook(bytes: Vec<u8>, ext: &str, file: Arc<str>, path: &Path, limits: &Limits) -> Result<Book> {
    if is_encrypted_ooxml(&bytes) {
        return Err(unreadable(path, ext, &"password protected"));
    }
    check_unzipped_size(&bytes, path, ext, limits)?;
    if let Some(problem) = cfb_chain_problem(&bytes) {
        return Err(unreadable(path, ext, &format!("damaged file ({problem})")));
    }
    contain_panics(path, ext, || open_calamine(bytes, ext, file, path))
}

fn open_calamine(bytes: Vec<u8>, ext: &str, file: Arc<str>, path: &Path) -> Result<Book> {
    let unreadable = |e: &dyn std::fmt::Display| unreadable(path, ext, e);
    let bytes = Shared(Arc::new(bytes));
    let cursor = Cursor::new(bytes.clone());
    let sheets: Sheets<Cursor<Shared>> = match ext {
        "xlsx" | "xlsm" | "xlam" => {
            Sheets::Xlsx(open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(|e| unreadable(&e))?)
        }
        "xls" | "xla" => Sheets::Xls(open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        "xlsb" => Sheets::Xlsb(open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        "ods" => Sheets::Ods(open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(|e| unreadable(&e))?),
        _ => calamine::open_workbook_auto_from_rs(cursor).map_err(|e| unreadable(&e))?,
    };
    let date_system = match &sheets {
        Sheets::Xlsx(x) if x.has_1904_epoch() => DateSystem::Excel1904,
        _ => DateSystem::Excel1900,
    };
    Ok(Book::Workbook { file, sheets: Box::new(sheets), bytes, date_system, ext: ext.to_string() })
}

/// A folder of CSV files, one per sheet, named after the sheet.
fn open_csv_folder(dir: &Path, limits: &Limits) -> Result<Input> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("{}: cannot read folder: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    let mut files = Vec::new();
    for path in entries {
        let bytes = read_bounded(&path, limits.max_file_bytes)?;
        hasher.update(&bytes);
        let sheet = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(CsvFile { sheet, file: file_label(&path), path, bytes });
    }
    Ok(Input {
        progress: Arc::new(Silent),
        path: dir.to_path_buf(),
        sha256: hex(&hasher.finalize()),
        book: Book::Csv(files),
        limits: limits.clone(),
        cut_over: CUT_OVER_BYTES,
    })
}

/// Streams CSV bytes: UTF-8 (BOM stripped) or else Windows-1252; `,` or `;`
/// delimited (whichever the first line uses more). Row numbers count records;
/// more records than `limits.max_rows` is exit 3, naming the count.
fn read_csv(
    csv: &CsvFile,
    limits: &Limits,
    sink: &mut dyn FnMut(Sheet) -> Result<()>,
    progress: &dyn Progress,
) -> Result<()> {
    let bytes = csv.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&csv.bytes);
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
    let not_csv = |e: csv::Error| Error::Input(format!("{}: not readable as CSV: {e}", csv.path.display()));
    let mut out = SheetBuilder::new(
        csv.file.clone(),
        csv.sheet.as_str().into(),
        DateSystem::Excel1900,
        limits,
        sink,
        progress,
    );
    let total_bytes = text.len() as u64;
    let mut record = csv::StringRecord::new();
    let mut row = 0u32;
    while reader.read_record(&mut record).map_err(not_csv)? {
        if u64::from(row) >= limits.max_rows {
            // Past the limit the rest is only counted, for the message.
            let mut count = u64::from(row) + 1;
            while reader.read_record(&mut record).map_err(not_csv)? {
                count += 1;
            }
            return Err(Error::Input(format!(
                "{}, sheet {}: {count} rows, above the limits.max_rows of {}",
                csv.path.display(),
                csv.sheet,
                limits.max_rows
            )));
        }
        out.bytes_percent = progress::percent(reader.position().byte(), total_bytes);
        for (col, field) in record.iter().enumerate() {
            out.push(row, col as u32, Cell::Text(field))?;
        }
        row += 1;
    }
    out.finish()
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

fn too_many_cells(file: &str, sheet: &str, limits: &Limits) -> Error {
    Error::Input(format!("{file}, sheet {sheet}: more than limits.max_cells ({}) cells", limits.max_cells))
}

/// What [`SheetBuilder::guard`] checks, over what was read: for two parts
/// of one sheet read apart ([`split`]), their stats together.
fn check_read(file: &str, sheet: &str, limits: &Limits, stats: &Stats) -> Result<()> {
    if stats.cells > limits.max_cells {
        return Err(too_many_cells(file, sheet, limits));
    }
    if let (Some(first), Some(last)) = (stats.first, stats.last) {
        let rows = u64::from(last.saturating_sub(first)) + 1;
        let columns = u64::from(stats.max_col.saturating_sub(stats.min_col)) + 1;
        check_area(file, sheet, limits, rows, columns)?;
    }
    Ok(())
}

/// A sheet spanning more rows than `limits.max_rows`, or a used area of
/// more cells than `limits.max_cells`, is refused (exit 3).
fn check_area(file: &str, sheet: &str, limits: &Limits, rows: u64, columns: u64) -> Result<()> {
    if rows > limits.max_rows {
        return Err(Error::Input(format!(
            "{file}, sheet {sheet}: {rows} rows, above the limits.max_rows of {}",
            limits.max_rows
        )));
    }
    let cells = rows.saturating_mul(columns);
    if cells > limits.max_cells {
        return Err(Error::Input(format!(
            "{file}, sheet {sheet}: its cells span {rows} rows × {columns} columns = {cells} cells, \
             above the limits.max_cells of {} (a sheet declaring a gigantic area?)",
            limits.max_cells
        )));
    }
    Ok(())
}

/// Runs the workbook reader with a panic inside it (calamine indexes out of
/// bounds on some damaged files, e.g. a Compound File whose sector table
/// points past its end — found by fuzzing) turned into an "unreadable" error,
/// exit 3, instead of exit 101. Nothing is printed for it and a fuzzer's
/// abort-on-panic hook does not fire; a panic on another thread still
/// reaches the hook ([`crate::model::panics`]).
fn contain_panics<T>(path: &Path, ext: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::model::panics::contain(read).unwrap_or_else(|detail| {
        Err(unreadable(path, ext, &format!("damaged file (the reader failed: {detail})")))
    })
}

/// `limits.max_cell_chars` as a length.
fn cell_limit(limits: &Limits) -> usize {
    usize::try_from(limits.max_cell_chars).unwrap_or(usize::MAX)
}
