//! Finding a sheet's header row and reading its rows by column name
//! (SPEC §2, §6.2 rules 7, 8, 12), block by block as [`read_table`] streams
//! a sheet.

use super::cell::{Cell, CellError, Parsed};
use super::source::{Input, Parts, SendSink, Sheet, Sink, HEADER_SCAN_ROWS};
use crate::config::Columns;
use crate::error::{Error, Result};
use crate::model::claim::{CellProblem, RowRef};
use crate::model::schema::ColumnSpec;
use rayon::prelude::*;

pub use crate::config::normalise;

/// Rows of a sheet with its header located: which column holds each
/// canonical column. On a later block of a streamed sheet every row is data.
pub struct Table<'s> {
    pub sheet: &'s Sheet,
    /// The first row after the header (0 on a later block).
    first_data_row: usize,
    /// Per spec column (same order as the specs given): grid column and header text.
    columns: Vec<Option<(usize, String)>>,
    specs: &'static [ColumnSpec],
}

/// Per spec column: the grid column and header text found for it.
type Found = Vec<Option<(usize, String)>>;

/// Two header cells read as the same column: which one holds the money is a
/// guess payroll must not make, so the run stops (exit 3) naming both.
fn duplicate_header(
    sheet: &Sheet,
    row: usize,
    name: &str,
    first: Option<&(usize, String)>,
    (col, text): (usize, &str),
) -> Error {
    let (first_col, first_text) = first.map_or((0, ""), |(c, t)| (*c, t.as_str()));
    Error::Input(format!(
        "DAT001 {}, sheet {}: column '{name}' appears twice in the header (row {}): '{first_text}' in \
         column {} and '{text}' in column {}; remove or rename one",
        sheet.file,
        sheet.name,
        sheet.row_number(row),
        column_letters(first_col),
        column_letters(col),
    ))
}

/// The spreadsheet column letters (A, B, …, AA) of column index `col` (0 = A).
pub(crate) fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads every data row of sheet `name` (as [`Input::find_sheet`] spells it)
/// with `read`, in row order.
///
/// The sheet is streamed (issue 8): this thread reads cells into blocks of
/// rows while a second thread locates the header in the first block and
/// parses each block's rows in parallel (rayon), so reading the workbook XML
/// and parsing rows overlap, and only a few blocks of cells are in memory at
/// any time, never the whole sheet. A large xlsx sheet is read in two parts
/// at once (issue 17, [`Input::read_sheet_in_parts`]): the second part's rows
/// are parsed on a thread of their own with the header the first part's
/// parser found, and put after the first part's.
pub fn read_table<T, F>(
    input: &mut Input,
    name: &str,
    specs: &'static [ColumnSpec],
    columns: &Columns,
    read: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(&mut RowReader) -> T + Sync,
{
    match read_parts(input, name, specs, columns, &read, true)? {
        Some(rows) => Ok(rows),
        None => read_parts(input, name, specs, columns, &read, false)?
            .ok_or_else(|| Error::Internal(format!("sheet {name}: read whole, yet asked to read again"))),
    }
}

/// [`read_table`], the sheet in two parts when `cut` allows it; `None` when
/// it must be read again whole ([`Parts::Again`]).
fn read_parts<T, F>(
    input: &mut Input,
    name: &str,
    specs: &'static [ColumnSpec],
    columns: &Columns,
    read: &F,
    cut: bool,
) -> Result<Option<Vec<T>>>
where
    T: Send,
    F: Fn(&mut RowReader) -> T + Sync,
{
    // Two blocks in flight per part: one being parsed, one filled; more would only hold memory.
    let (tx1, rx1) = std::sync::mpsc::sync_channel::<Sheet>(1);
    let (tx2, rx2) = std::sync::mpsc::sync_channel::<Sheet>(1);
    let (found_tx, found_rx) = std::sync::mpsc::channel::<Found>();
    std::thread::scope(|scope| {
        let first = scope.spawn(move || -> Result<Vec<T>> {
            let mut out = Vec::new();
            let mut header: Option<Found> = None;
            for block in rx1 {
                let table = match &header {
                    None => {
                        let table = Table::locate(&block, specs, columns)?;
                        header = Some(table.columns.clone());
                        // The second part's parser waits for it (and stops if it never comes).
                        let _ = found_tx.send(table.columns.clone());
                        table
                    }
                    Some(found) => Table { sheet: &block, first_data_row: 0, columns: found.clone(), specs },
                };
                parse_rows(&table, read, &mut out);
            }
            Ok(out)
        });
        let second = scope.spawn(move || -> Result<Vec<T>> {
            let mut out = Vec::new();
            let mut found: Option<Found> = None;
            for block in rx2 {
                let columns = match &found {
                    Some(f) => f.clone(),
                    None => found.insert(found_rx.recv().map_err(|_| stopped())?).clone(),
                };
                let table = Table { sheet: &block, first_data_row: 0, columns, specs };
                parse_rows(&table, read, &mut out);
            }
            Ok(out)
        });
        // A failed send means the parser stopped (its error is the one to report).
        let sink1: Sink = Box::new(move |block| tx1.send(block).map_err(|_| stopped()));
        let reading = if cut {
            let sink2: SendSink = Box::new(move |block| tx2.send(block).map_err(|_| stopped()));
            input.read_sheet_in_parts(name, sink1, sink2)
        } else {
            drop(tx2);
            let mut sink1 = sink1;
            input.read_sheet(name, &mut *sink1).map(|()| Parts::Whole)
        };
        let panicked = |_| Error::Internal("the row parser panicked".to_string());
        let first = first.join().map_err(panicked)?;
        let second = second.join().map_err(panicked)?;
        match (reading, first, second) {
            (Ok(Parts::Again), _, _) => Ok(None),
            (_, Err(e), _) | (Err(e), Ok(_), _) | (Ok(_), Ok(_), Err(e)) => Err(e),
            (Ok(_), Ok(mut rows), Ok(more)) => {
                // In parallel: half a national month's lines is 150 ms to copy alone.
                rows.par_extend(more);
                Ok(Some(rows))
            }
        }
    })
}

/// Each data row of a block's `table` through `read`, in parallel, onto `out` in row order.
fn parse_rows<T: Send>(table: &Table, read: &(impl Fn(&mut RowReader) -> T + Sync), out: &mut Vec<T>) {
    let rows: Vec<usize> = table.data_rows().collect();
    out.par_extend(rows.par_iter().map(|&row| read(&mut table.row(row))));
}

/// A parser's channel closed: the other side stopped, and its error is the one to report.
fn stopped() -> Error {
    Error::Internal("the row parser stopped".to_string())
}

impl<'s> Table<'s> {
    /// Locates the header: the first row holding every required column under
    /// its canonical name or an alias. Otherwise DAT001 (exit 3), naming the
    /// columns missing from the best candidate row and the aliases tried.
    pub fn locate(sheet: &'s Sheet, specs: &'static [ColumnSpec], columns: &Columns) -> Result<Table<'s>> {
        let accepted: Vec<Vec<String>> = specs
            .iter()
            .map(|spec| {
                std::iter::once(normalise(spec.name))
                    .chain(columns.aliases(&sheet.name, spec.name).iter().map(|a| normalise(a)))
                    .collect()
            })
            .collect();
        let mut best: Option<(usize, Found)> = None;
        // The header scan counts sheet rows from the first non-empty one (wholly
        // empty rows are not held but still count).
        let top = sheet.row_number(0);
        let scan = (0..sheet.height()).take_while(|&row| sheet.row_number(row) - top < HEADER_SCAN_ROWS);
        for row in scan {
            let mut found: Vec<Option<(usize, String)>> = vec![None; specs.len()];
            // A second header cell naming a column already found.
            let mut twice: Option<(usize, usize, String)> = None;
            for col in 0..sheet.width(row) {
                let Cell::Text(text) = sheet.cell(row, col) else {
                    continue;
                };
                let key = normalise(text);
                if key.is_empty() {
                    continue;
                }
                for (i, names) in accepted.iter().enumerate() {
                    if names.contains(&key) {
                        if found[i].is_none() {
                            found[i] = Some((col, text.trim().to_string()));
                        } else if twice.is_none() {
                            twice = Some((i, col, text.trim().to_string()));
                        }
                    }
                }
            }
            let score = |f: &Vec<Option<(usize, String)>>| {
                specs.iter().zip(f).filter(|(s, c)| s.required && c.is_some()).count()
            };
            if specs.iter().zip(&found).all(|(s, c)| !s.required || c.is_some()) {
                if let Some((i, col, text)) = twice {
                    return Err(duplicate_header(sheet, row, specs[i].name, found[i].as_ref(), (col, &text)));
                }
                return Ok(Table { sheet, first_data_row: row + 1, columns: found, specs });
            }
            if best.as_ref().is_none_or(|(_, b)| score(&found) > score(b)) {
                best = Some((row, found));
            }
        }
        let missing: Vec<String> = match &best {
            Some((_, found)) => specs
                .iter()
                .zip(found)
                .filter(|(s, c)| s.required && c.is_none())
                .map(|(s, _)| {
                    let aliases = columns.aliases(&sheet.name, s.name);
                    let tried = std::iter::once(s.name.to_string()).chain(aliases.iter().cloned());
                    format!("'{}' (tried: {})", s.name, tried.collect::<Vec<_>>().join(", "))
                })
                .collect(),
            None => vec!["every column (the sheet is empty)".to_string()],
        };
        Err(Error::Input(format!(
            "DAT001 {}, sheet {}: required column {} not found",
            sheet.file,
            sheet.name,
            missing.join("; ")
        )))
    }

    /// Rows after the header that hold any data (wholly blank rows are not data).
    pub fn data_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (self.first_data_row..self.sheet.height())
            .filter(move |&row| (0..self.sheet.width(row)).any(|col| !self.sheet.cell(row, col).is_blank()))
    }

    /// A reader for one data row.
    pub fn row(&self, row: usize) -> RowReader<'_, 's> {
        RowReader { table: self, row, problems: Vec::new(), kept: Vec::new() }
    }

    fn column(&self, name: &str) -> Option<&(usize, String)> {
        self.specs.iter().position(|s| s.name == name).and_then(|i| self.columns[i].as_ref())
    }
}

/// Reads one row's cells by canonical column name, collecting DAT002 / DAT004
/// problems instead of failing.
pub struct RowReader<'t, 's> {
    table: &'t Table<'s>,
    row: usize,
    pub problems: Vec<CellProblem>,
    /// Problems on cells that do not skip the row (SPEC §10.2): reported,
    /// the value read as blank.
    pub kept: Vec<CellProblem>,
}

impl RowReader<'_, '_> {
    pub fn source(&self) -> RowRef {
        RowRef {
            file: self.table.sheet.file.clone(),
            sheet: self.table.sheet.name.clone(),
            row: self.table.sheet.row_number(self.row),
            carried_from: None,
        }
    }

    pub fn date_system(&self) -> super::cell::DateSystem {
        self.table.sheet.date_system
    }

    /// The raw cell of a column (empty when the sheet lacks the column).
    pub fn cell(&self, name: &str) -> Cell<'_> {
        match self.table.column(name) {
            Some((col, _)) => self.table.sheet.cell(self.row, *col),
            None => Cell::Empty,
        }
    }

    /// The raw text of a column's cell.
    pub fn raw(&self, name: &str) -> String {
        self.cell(name).raw()
    }

    /// `Some` for a column's cell, unless its text is longer than
    /// `limits.max_cell_chars`: then a DAT002 problem is recorded (with a
    /// shortened raw value) and the value is treated as unreadable.
    fn within_limit(&mut self, name: &'static str) -> Option<()> {
        let limit = self.table.sheet.max_cell_chars;
        let Cell::Text(text) = self.cell(name) else {
            return Some(());
        };
        // Bytes bound characters from above: only long texts are counted.
        if text.len() <= limit {
            return Some(());
        }
        let chars = text.chars().count();
        if chars <= limit {
            return Some(());
        }
        let preview: String = text.chars().take(40).collect();
        let raw = format!("{preview}… ({chars} characters)");
        self.problem(name, raw, CellError { expected: "text within limits.max_cell_chars" });
        None
    }

    /// An optional value: blank gives `None`; a bad value is a problem.
    pub fn optional<T>(&mut self, name: &'static str, parse: impl Fn(Cell) -> Parsed<T>) -> Option<T> {
        self.within_limit(name)?;
        let cell = self.cell(name);
        match parse(cell) {
            Ok(v) => v,
            Err(e) => {
                self.problem(name, cell.raw(), e);
                None
            }
        }
    }

    /// An optional value whose bad cell is reported but does not skip the
    /// row: the value is read as blank (SPEC §10.2).
    pub fn lenient<T>(&mut self, name: &'static str, parse: impl Fn(Cell) -> Parsed<T>) -> Option<T> {
        let before = self.problems.len();
        let value = self.optional(name, parse);
        self.kept.extend(self.problems.drain(before..));
        value
    }

    /// Whether the sheet has the column at all.
    pub fn has_column(&self, name: &str) -> bool {
        self.table.column(name).is_some()
    }

    /// A required value: blank is a problem too (SPEC §6.2 rule 12).
    pub fn required<T>(&mut self, name: &'static str, parse: impl Fn(Cell) -> Parsed<T>) -> Option<T> {
        self.within_limit(name)?;
        let cell = self.cell(name);
        match parse(cell) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.problem(name, String::new(), CellError { expected: "a value (required)" });
                None
            }
            Err(e) => {
                self.problem(name, cell.raw(), e);
                None
            }
        }
    }

    /// A required date in the workbook's date system.
    pub fn required_date(&mut self, name: &'static str) -> Option<chrono::NaiveDate> {
        let sys = self.date_system();
        self.required(name, |c| super::cell::date(c, sys))
    }

    /// An optional date in the workbook's date system.
    pub fn optional_date(&mut self, name: &'static str) -> Option<chrono::NaiveDate> {
        let sys = self.date_system();
        self.optional(name, |c| super::cell::date(c, sys))
    }

    /// An optional time or date-time in the workbook's date system.
    pub fn optional_time(&mut self, name: &'static str) -> Option<crate::model::time::TimeValue> {
        let sys = self.date_system();
        self.optional(name, |c| super::cell::time(c, sys))
    }

    /// A required clock time; a date-time keeps only its time (shift start/end
    /// are on the shift's date, SPEC §6.2 rule 11).
    pub fn required_clock(&mut self, name: &'static str) -> Option<chrono::NaiveTime> {
        let sys = self.date_system();
        self.required(name, |c| super::cell::time(c, sys)).map(|t| match t {
            crate::model::time::TimeValue::Time(t) => t,
            crate::model::time::TimeValue::DateTime(dt) => dt.time(),
        })
    }

    /// Records a problem with a column's value.
    pub fn problem(&mut self, name: &'static str, raw: String, error: CellError) {
        let header = self.table.column(name).map(|(_, h)| h.clone()).unwrap_or_else(|| name.to_string());
        self.problems.push(CellProblem {
            column: name,
            header,
            raw,
            expected: error.expected,
            unknown_code: error.expected == super::cell::UNKNOWN_CODE,
        });
    }
}
