//! Cells and data sheets: one typed cell model for both workbooks, and a
//! data-sheet writer that freezes the header, adds an autofilter, fits
//! column widths, and continues on "<name> (2)" when a sheet is full.

use super::labels::label;
use super::page;
use super::style::{money_chars, Styles, Widths, MAX_WIDTH, NUMBER_PAD};
use crate::model::rule::Severity;
use crate::model::Pence;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, DataValidation, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Excel's last row is 1,048,576; one is the header.
pub const MAX_DATA_ROWS: u32 = 1_048_575;

/// One cell of output. Text is always written with `write_string`, never
/// `write`: a claim description such as `=HYPERLINK(...)` taken from an input
/// must stay text and never become a formula in an auditor's spreadsheet.
#[derive(Clone, Debug)]
pub enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    /// Long text shown wrapped (glossary explanations).
    Wrap(&'a str),
    Money(Pence),
    Date(NaiveDate),
    Int(i64),
    /// A severity code, colour-coded.
    Severity(Severity),
    /// An exact decimal that is not whole pence (a half-penny median, a
    /// z-score): money shows up to 4 decimals, anything else 2.
    Decimal {
        number: f64,
        money: bool,
    },
    Blank,
}

/// An Excel date from a chrono date; `None` outside Excel's range (1900–9999),
/// in which case the caller shows the ISO text instead.
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn text_chars(s: &str) -> usize {
    // Only the first MAX_WIDTH+1 characters matter for the width; this keeps
    // the count cheap on a million long messages.
    s.chars().take(MAX_WIDTH + 1).count()
}

/// Writes one cell and records its display width.
pub fn put(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    styles: &Styles,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    put_with(ws, row, col, cell, styles, widths, None)
}

/// [`put`] with an overriding format for text and numbers (e.g. a total row).
pub fn put_with(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    styles: &Styles,
    widths: &mut Widths,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    write_cell(ws, (row, col), cell, styles, widths, format, None)
}

/// The number format a data column carries on the sheet itself.
///
/// rust_xlsxwriter gives a cell written without a format its column's
/// format, so the money, date and count cells of a long sheet are written
/// bare once their column has the format: a format per cell was hashed
/// (SipHash over the whole `Format`, under a lock) on every write, a visible
/// share of the exceptions workbook's time (issue 17). Same cell styles.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ColumnStyle {
    Money,
    Date,
    Int,
}

impl ColumnStyle {
    /// The style a cell would give its column, if it is a number of one.
    fn of(cell: &Cell) -> Option<ColumnStyle> {
        match cell {
            Cell::Money(_) => Some(ColumnStyle::Money),
            Cell::Date(d) if excel_date(*d).is_some() => Some(ColumnStyle::Date),
            Cell::Int(_) => Some(ColumnStyle::Int),
            _ => None,
        }
    }

    fn format(self, styles: &Styles) -> &Format {
        match self {
            ColumnStyle::Money => &styles.money,
            ColumnStyle::Date => &styles.date,
            ColumnStyle::Int => &styles.int,
        }
    }
}

/// One cell at `(row, col)`. In a column that carries `column`'s format, a
/// cell of that kind is written bare and text gets [`Styles::plain`];
/// anything else is written in its own format, as without a column style.
fn write_cell(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    cell: &Cell,
    styles: &Styles,
    widths: &mut Widths,
    format: Option<&Format>,
    column: Option<ColumnStyle>,
) -> Result<(), XlsxError> {
    let c = usize::from(col);
    let bare = format.is_none() && column.is_some() && column == ColumnStyle::of(cell);
    // A number's format: none when bare (the column's applies), else its own.
    let own = |default| (!bare).then(|| format.unwrap_or(default));
    // Text must not take a numeric column's format (right-aligned, padded).
    let text_format = format.or(column.map(|_| &styles.plain));
    match cell {
        Cell::Text(s) => write_text(ws, row, col, s, text_format, widths)?,
        Cell::Owned(s) => write_text(ws, row, col, s, text_format, widths)?,
        Cell::Wrap(s) => {
            ws.write_string_with_format(row, col, *s, format.unwrap_or(&styles.wrap))?;
            widths.see(c, MAX_WIDTH);
        }
        Cell::Money(p) => {
            write_number(ws, (row, col), p.as_pounds_f64(), own(&styles.money))?;
            widths.see(c, money_chars(p.0) + NUMBER_PAD);
        }
        Cell::Date(d) => match excel_date(*d) {
            Some(x) => {
                match own(&styles.date) {
                    Some(f) => ws.write_date_with_format(row, col, &x, f)?,
                    None => ws.write_datetime(row, col, &x)?,
                };
                widths.see(c, 10 + NUMBER_PAD);
            }
            None => write_text(ws, row, col, &d.to_string(), text_format, widths)?,
        },
        Cell::Int(n) => {
            write_number(ws, (row, col), *n as f64, own(&styles.int))?;
            let digits = n.unsigned_abs().to_string().len();
            widths.see(c, digits + (digits - 1) / 3 + usize::from(*n < 0) + NUMBER_PAD);
        }
        Cell::Severity(s) => {
            ws.write_string_with_format(row, col, s.code(), format.unwrap_or(styles.severity(*s)))?;
            widths.see(c, s.code().len());
        }
        Cell::Decimal { number, money } => {
            let own = Format::new()
                .set_num_format(if *money { "£#,##0.00##_)" } else { "#,##0.00_)" })
                .set_align(rust_xlsxwriter::FormatAlign::Right);
            ws.write_number_with_format(row, col, *number, format.unwrap_or(&own))?;
            widths.see(c, format!("{number:.4}").len() + 2 + NUMBER_PAD);
        }
        Cell::Blank => {
            if let Some(f) = format {
                ws.write_blank(row, col, f)?;
            }
        }
    }
    Ok(())
}

/// A number in `format`, or bare (taking its column's format) without one.
fn write_number(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    n: f64,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match format {
        Some(f) => ws.write_number_with_format(row, col, n, f)?,
        None => ws.write_number(row, col, n)?,
    };
    Ok(())
}

/// Text in `format`, or else in the default cell format — `Styles::text`,
/// which is `Format::new()`: written without a format, rust_xlsxwriter
/// gives the cell the same default style without hashing a format per cell,
/// which was a visible share of the exceptions workbook's time (issue 17).
fn write_text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    format: Option<&Format>,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    if !s.is_empty() {
        match format {
            Some(format) => ws.write_string_with_format(row, col, s, format)?,
            None => ws.write_string(row, col, s)?,
        };
        widths.see(usize::from(col), text_chars(s));
    }
    Ok(())
}

/// Writes a header row in the header style.
/// Writes a header row in the header style, each name as its word label
/// ([`label`]: the CSVs keep the machine names).
pub fn header(ws: &mut Worksheet, row: u32, names: &[&str], styles: &Styles) -> Result<(), XlsxError> {
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, label(name), &styles.header)?;
    }
    Ok(())
}

/// Writes a Summary-table header: numeric columns' titles right-aligned
/// over their numbers, a text column after a numeric one indented.
pub fn summary_header(
    ws: &mut Worksheet,
    row: u32,
    names: &[(&str, bool)],
    styles: &Styles,
) -> Result<(), XlsxError> {
    for (i, (name, numeric)) in names.iter().enumerate() {
        let after_number = i > 0 && names[i - 1].1;
        let f = match (*numeric, after_number) {
            (true, _) => &styles.header_num,
            (false, true) => &styles.header_indent,
            (false, false) => &styles.header,
        };
        ws.write_string_with_format(row, i as u16, label(name), f)?;
    }
    Ok(())
}

/// Page layout of a sheet whose columns have `widths` (see [`page::layout`]):
/// these sheets do get printed for sign-off.
pub fn print_layout(
    ws: &mut Worksheet,
    widths: &Widths,
    header_row: Option<u32>,
    key_columns: u16,
) -> Result<(), XlsxError> {
    page::layout(ws, widths, header_row, key_columns)
}

/// The title block that opens both run workbooks' Summary sheets at `top`:
/// the workbook's title for the period, then the activity month, cut-off,
/// payrun version and config.
pub fn title_block(
    ws: &mut Worksheet,
    top: u32,
    report: &crate::Report,
    title: &str,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let p = &report.period;
    ws.write_string_with_format(top, 0, report.title(title), &styles.title)?;
    ws.write_string_with_format(
        top + 1,
        0,
        format!(
            "Activity {} to {} · cut-off {} · payrun {} · config {}",
            p.activity_start.format("%d/%m/%Y"),
            p.activity_end.format("%d/%m/%Y"),
            p.cutoff.format("%d/%m/%Y"),
            env!("CARGO_PKG_VERSION"),
            short_hash(&report.config.hash),
        ),
        &styles.subtitle,
    )?;
    Ok(())
}

/// The first 12 characters of the config hash: enough to tell configs apart.
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The light fill of the cells meant for typing (SPEC §11.2): a pale
/// yellow, Excel's "Input" style family, distinct from the severities'.
const INPUT_FILL: u32 = 0xFFF8DC;

/// Rows of a sheet whose heights follow their wrapped text. Each height set
/// stays in rust_xlsxwriter's memory (about 185 MB over a national month's
/// finding sheets), and a sheet this long is filtered on screen, not
/// printed whole; past it rows keep the default height (decision 501).
const HEIGHTED_ROWS: u32 = 20_000;

/// Points per line of 11 pt text.
const LINE_HEIGHT: f64 = 15.0;

/// Lines `text` takes wrapped in a column `width` characters wide: each
/// paragraph's characters over 85 % of the width (word breaks waste some),
/// at least one line each.
pub fn wrapped_lines(text: &str, width: usize) -> usize {
    let per_line = (width * 85 / 100).max(1);
    text.split('\n').map(|p| p.chars().count().div_ceil(per_line).max(1)).sum()
}

/// A `;`-separated source list as a sheet shows it (SPEC §13): the first
/// three references and "+N more" (the CSV keeps them all).
pub fn first_refs(source: &str) -> Cell<'_> {
    let refs: Vec<&str> = source.split(';').collect();
    if refs.len() <= 3 {
        return Cell::Text(source);
    }
    Cell::Owned(format!("{} +{} more", refs[..3].join("; "), refs.len() - 3))
}

/// The identity columns of a wide table, up to and including `name`:
/// frozen beside the heading row and repeated on every printed page.
pub fn key_columns(header: &[&str]) -> u16 {
    match header.iter().position(|h| *h == "name") {
        Some(i) if header.len() > 8 => i as u16 + 1,
        _ if header.len() > 8 && header.first() == Some(&"code") => 1,
        _ => 0,
    }
}

/// Applies fitted column widths.
pub fn apply_widths(ws: &mut Worksheet, widths: &Widths) -> Result<(), XlsxError> {
    for col in 0..widths.len() {
        ws.set_column_width(col as u16, widths.get(col))?;
    }
    Ok(())
}

/// How a data sheet is laid out in the workbook.
#[derive(Clone, Debug)]
pub struct SheetOptions {
    /// Data rows per sheet before continuing on "<name> (2)".
    pub row_limit: u32,
    /// Constant-memory mode: each row goes to a temporary file as soon as the
    /// next one starts, so memory does not grow with the row count.
    pub constant_memory: bool,
    pub tab: Option<Color>,
    /// Columns of long text, by header name, that wrap in a fixed width
    /// (characters) instead of widening the sheet past the page.
    pub wrap: &'static [(&'static str, usize)],
}

/// Columns of a data sheet meant for typing (SPEC §11.2): shaded on every
/// sheet of the table, money where named so, and one of them limited to a
/// drop-down list over the data rows.
#[derive(Clone)]
pub struct Inputs {
    /// Header names of the input columns.
    pub columns: &'static [&'static str],
    /// Those of them that hold money.
    pub money: &'static [&'static str],
    /// The column with a list, and the list's validation.
    pub list: Option<(&'static str, DataValidation)>,
}

/// A table of rows under a header, spread over as many sheets as it needs.
pub struct DataSheet<'h> {
    name: String,
    header: &'h [&'h str],
    opts: SheetOptions,
    /// Lines above the header on every sheet of the table, the first a
    /// title: what the sheet is and how to fill it. The header row follows.
    intro: Vec<String>,
    inputs: Option<Inputs>,
    /// Workbook index of the sheet being written.
    current: Option<usize>,
    /// Data rows on the current sheet.
    rows: u32,
    widths: Widths,
    /// The number format each column of the current sheet carries, set from
    /// its first money, date or count cell (constant-memory sheets only:
    /// their earlier rows are already written out, so a column format set
    /// late cannot restyle them; a sheet held in memory could).
    columns: Vec<Option<ColumnStyle>>,
    /// (sheet name, data rows) of every sheet written, in order.
    written: Vec<(String, u32)>,
    /// Rows of further tables written beneath the data on the current sheet
    /// ([`DataSheet::table_below`]), for the print area.
    below: u32,
    /// Columns of those tables, for the print area.
    below_cols: u16,
}

impl<'h> DataSheet<'h> {
    pub fn new(name: &str, header: &'h [&'h str], opts: SheetOptions) -> DataSheet<'h> {
        DataSheet {
            name: name.to_string(),
            header,
            opts,
            current: None,
            rows: 0,
            widths: Widths::new(header),
            columns: Vec::new(),
            written: Vec::new(),
            below: 0,
            below_cols: 0,
            intro: Vec::new(),
            inputs: None,
        }
    }

    /// Lines written above the header of every sheet of the table (the
    /// first as a title); the header row, frozen pane, autofilter and print
    /// titles move down beneath them.
    pub fn with_intro(mut self, lines: Vec<String>) -> DataSheet<'h> {
        self.intro = lines;
        self
    }

    /// Columns for typing: see [`Inputs`].
    pub fn with_inputs(mut self, inputs: Inputs) -> DataSheet<'h> {
        self.inputs = Some(inputs);
        self
    }

    /// The sheet row of the header.
    fn header_row(&self) -> u32 {
        self.intro.len() as u32
    }

    /// Writes a titled table beneath the rows written so far on the current
    /// sheet (one blank row between), e.g. the KIT days under the Bradford
    /// rows of the Attendance sheet. The data rows' autofilter stays theirs;
    /// the print area and column widths cover both. For sheets held in
    /// memory; called once the data rows are in, before [`DataSheet::finish`].
    pub fn table_below(
        &mut self,
        wb: &mut Workbook,
        styles: &Styles,
        title: &str,
        header_names: &[&str],
        rows: &[Vec<Cell>],
    ) -> Result<(), XlsxError> {
        let index = match self.current {
            Some(i) => i,
            None => self.open(wb, styles)?,
        };
        let ws = wb.worksheet_from_index(index)?;
        let top = self.header_row() + self.rows + self.below + 2;
        ws.write_string_with_format(top, 0, title, &styles.section)?;
        header(ws, top + 1, header_names, styles)?;
        for (i, name) in header_names.iter().enumerate() {
            self.widths.see(i, name.chars().count());
        }
        for (r, cells) in (top + 2..).zip(rows) {
            for (col, cell) in (0u16..).zip(cells) {
                write_cell(ws, (r, col), cell, styles, &mut self.widths, None, None)?;
            }
        }
        self.below += 2 + 1 + rows.len() as u32;
        self.below_cols = self.below_cols.max(header_names.len() as u16);
        Ok(())
    }

    /// A line of text beneath the rows written so far on the current sheet
    /// (one blank row between): "None", or a remark under a table.
    pub fn note_below(&mut self, wb: &mut Workbook, styles: &Styles, text: &str) -> Result<(), XlsxError> {
        let index = match self.current {
            Some(i) => i,
            None => self.open(wb, styles)?,
        };
        let ws = wb.worksheet_from_index(index)?;
        let row = self.header_row() + self.rows + self.below + 2;
        ws.write_string_with_format(row, 0, text, &styles.subtitle)?;
        self.below += 2;
        Ok(())
    }

    /// A total row right beneath the data rows of the current sheet (outside
    /// the autofilter): `cells` in the total styles, the rest of the row's
    /// columns blank with the same top border. For sheets held in memory.
    pub fn total_row(&mut self, wb: &mut Workbook, styles: &Styles, cells: &[Cell]) -> Result<(), XlsxError> {
        let index = match self.current {
            Some(i) => i,
            None => self.open(wb, styles)?,
        };
        let ws = wb.worksheet_from_index(index)?;
        let row = self.header_row() + self.rows + self.below + 1;
        for col in 0..self.header.len() {
            let cell = cells.get(col).unwrap_or(&Cell::Blank);
            let format = match cell {
                Cell::Money(_) => &styles.total_money,
                Cell::Int(_) => &styles.total_int,
                _ => &styles.total_label,
            };
            write_cell(ws, (row, col as u16), cell, styles, &mut self.widths, Some(format), None)?;
        }
        self.below += 1;
        Ok(())
    }

    /// Appends one row, starting a continuation sheet when this one is full.
    pub fn push(&mut self, wb: &mut Workbook, styles: &Styles, cells: &[Cell]) -> Result<(), XlsxError> {
        let index = match self.current {
            // Excel's last row bounds the data under the intro and header.
            Some(i) if self.rows < self.opts.row_limit.min(MAX_DATA_ROWS - self.header_row()).max(1) => i,
            _ => {
                self.close(wb)?;
                self.open(wb, styles)?
            }
        };
        self.rows += 1;
        let row = self.header_row() + self.rows;
        let ws = wb.worksheet_from_index(index)?;
        // Neither LibreOffice nor Excel grows a written row to its wrapped
        // text reliably: the height is set here, before the row's cells
        // (a constant-memory row is final once the next starts).
        let lines = cells
            .iter()
            .enumerate()
            .filter_map(|(col, cell)| {
                let width =
                    self.opts.wrap.iter().find(|(n, _)| self.header.get(col) == Some(n)).map(|(_, w)| *w);
                match (cell, width) {
                    (Cell::Text(s) | Cell::Wrap(s), Some(w)) => Some(wrapped_lines(s, w)),
                    (Cell::Owned(s), Some(w)) => Some(wrapped_lines(s, w)),
                    (Cell::Wrap(s), None) => Some(wrapped_lines(s, MAX_WIDTH)),
                    _ => None,
                }
            })
            .max()
            .unwrap_or(1);
        if lines > 1 && self.rows <= HEIGHTED_ROWS {
            ws.set_row_height(row, LINE_HEIGHT * lines as f64)?;
        }
        if self.columns.len() < cells.len() {
            self.columns.resize(cells.len(), None);
        }
        for ((col, cell), column) in (0u16..).zip(cells).zip(self.columns.iter_mut()) {
            if column.is_none() && self.opts.constant_memory {
                if let Some(style) = ColumnStyle::of(cell) {
                    ws.set_column_format(col, style.format(styles))?;
                    *column = Some(style);
                }
            }
            write_cell(ws, (row, col), cell, styles, &mut self.widths, None, *column)?;
        }
        Ok(())
    }

    /// Finishes the last sheet (an empty table still gets its header sheet)
    /// and returns (sheet name, data rows) for each sheet written.
    pub fn finish(mut self, wb: &mut Workbook, styles: &Styles) -> Result<Vec<(String, u32)>, XlsxError> {
        if self.current.is_none() {
            self.open(wb, styles)?;
        }
        self.close(wb)?;
        Ok(self.written)
    }

    fn open(&mut self, wb: &mut Workbook, styles: &Styles) -> Result<usize, XlsxError> {
        let name = match self.written.len() {
            0 => self.name.clone(),
            n => format!("{} ({})", self.name, n + 1),
        };
        let ws = if self.opts.constant_memory {
            wb.add_worksheet_with_constant_memory()?
        } else {
            wb.add_worksheet()
        };
        ws.set_name(&name)?;
        let head = self.intro.len() as u32;
        let wrapped: Vec<usize> = self.wrapped().map(|(col, _)| col).collect();
        for col in &wrapped {
            ws.set_column_format(*col as u16, &styles.wrap)?;
        }
        self.columns.clear();
        self.columns.resize(self.header.len(), None);
        let mut input_cols = Vec::new();
        if let Some(inputs) = &self.inputs {
            for (col, name) in self.header.iter().enumerate().filter(|(_, n)| inputs.columns.contains(n)) {
                let money = inputs.money.contains(name);
                let format = match (money, wrapped.contains(&col)) {
                    (true, _) => styles.money.clone(),
                    (false, true) => styles.wrap.clone(),
                    (false, false) => Format::new(),
                }
                .set_background_color(Color::RGB(INPUT_FILL));
                ws.set_column_format(col as u16, &format)?;
                if money {
                    // Money cells then take the column's format, fill and all.
                    self.columns[col] = Some(ColumnStyle::Money);
                }
                input_cols.push(col as u16);
            }
        }
        // Row by row (a constant-memory row is final once the next starts).
        for (row, line) in (0u32..).zip(&self.intro) {
            let format = if row == 0 { &styles.intro_title } else { &styles.subtitle };
            ws.write_string_with_format(row, 0, line, format)?;
            // The intro lines are not for typing: no input shading there.
            for col in &input_cols {
                ws.write_blank(row, *col, &styles.plain)?;
            }
        }
        header(ws, head, self.header, styles)?;
        ws.set_freeze_panes(head + 1, key_columns(self.header))?;
        if let Some(tab) = self.opts.tab {
            ws.set_tab_color(tab);
        }
        let index = wb.worksheets().len() - 1;
        self.below = 0;
        self.below_cols = 0;
        self.written.push((name, 0));
        self.current = Some(index);
        self.rows = 0;
        Ok(index)
    }

    /// (column number, width) of `opts.wrap` (a name not in the header is skipped).
    fn wrapped(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.opts
            .wrap
            .iter()
            .filter_map(|(name, width)| Some((self.header.iter().position(|h| h == name)?, *width)))
    }

    /// Autofilter over the rows written and fitted widths, on the current sheet.
    fn close(&mut self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let Some(index) = self.current.take() else {
            return Ok(());
        };
        let head = self.header_row();
        let ws = wb.worksheet_from_index(index)?;
        let last_col = self.header.len().saturating_sub(1) as u16;
        ws.autofilter(head, 0, head + self.rows, last_col)?;
        if let Some((name, list)) = self.inputs.as_ref().and_then(|i| i.list.as_ref()) {
            if let Some(col) = self.header.iter().position(|h| h == name).filter(|_| self.rows > 0) {
                ws.add_data_validation(head + 1, col as u16, head + self.rows, col as u16, list)?;
            }
        }
        // Long text in the last column (sources) would otherwise overflow
        // into the print and shrink every page to fit it.
        let print_col = last_col.max(self.below_cols.saturating_sub(1));
        ws.set_print_area(0, 0, head + self.rows + self.below, print_col)?;
        for (col, width) in self.wrapped().collect::<Vec<_>>() {
            self.widths.fix(col, width);
        }
        apply_widths(ws, &self.widths)?;
        print_layout(ws, &self.widths, Some(head), key_columns(self.header))?;
        if let Some(last) = self.written.last_mut() {
            last.1 = self.rows;
        }
        Ok(())
    }
}
