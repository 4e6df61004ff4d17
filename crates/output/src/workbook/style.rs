//! The look shared by both workbooks: one place for fonts, fills and number
//! formats, so that every sheet reads the same way (issue 7).

use crate::model::rule::Severity;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// Money: pounds with thousands separators, negatives red with a minus sign
/// (the minus stays for colour-blind readers and printouts). The trailing
/// `_)` pads a space's width on the right so right-aligned numbers do not
/// touch the next column's text (Excel and LibreOffice both honour it; a
/// cell indent is ignored by LibreOffice on right-aligned cells).
pub const MONEY: &str = "£#,##0.00_);[Red]-£#,##0.00_)";
/// UK dates, as the e-expenses system shows them, padded like [`MONEY`].
pub const DATE: &str = "dd/mm/yyyy_)";
/// Counts, padded like [`MONEY`].
pub const INT: &str = "#,##0_)";

/// NHS blue, used for headers and titles.
const NHS_BLUE: u32 = 0x005EB8;

/// The formats of one workbook (rust_xlsxwriter registers them on first use).
pub struct Styles {
    pub header: Format,
    pub header_num: Format,
    /// Text right after a column of numbers: indented so the two do not touch.
    pub header_indent: Format,
    pub indent: Format,
    pub wrap: Format,
    pub money: Format,
    pub date: Format,
    pub int: Format,
    pub title: Format,
    pub subtitle: Format,
    /// The first line above a data sheet's table (what the sheet is for).
    pub intro_title: Format,
    pub section: Format,
    pub label: Format,
    pub total_label: Format,
    pub total_money: Format,
    pub total_int: Format,
    pub pass: Format,
    pub fail: Format,
    /// What payroll must do, above everything else on a sheet (a re-run's
    /// "load the correction batch, not the full batch", SPEC §12.3).
    pub banner: Format,
    /// Text in a column whose cells carry the column's number format (a
    /// `line_no` that could not be read): the default look, but a format of
    /// its own, since a cell without one would take the column's.
    pub plain: Format,
    error: Format,
    warning: Format,
    info: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let total_top = |f: Format| f.set_bold().set_border_top(FormatBorder::Thin);
        let number = |f: Format| f.set_align(FormatAlign::Right);
        let header = Format::new()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(NHS_BLUE))
            .set_border_bottom(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Styles {
            header_num: number(header.clone()),
            header_indent: header.clone().set_indent(1),
            indent: Format::new().set_indent(1),
            header,
            // Bottom-aligned like every other cell, so a wrapped row reads as one line.
            wrap: Format::new().set_text_wrap(),
            money: number(Format::new().set_num_format(MONEY)),
            date: number(Format::new().set_num_format(DATE)),
            int: number(Format::new().set_num_format(INT)),
            title: Format::new().set_bold().set_font_size(16).set_font_color(Color::RGB(NHS_BLUE)),
            subtitle: Format::new().set_italic().set_font_color(Color::RGB(0x595959)),
            intro_title: Format::new().set_bold().set_font_color(Color::RGB(NHS_BLUE)),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(NHS_BLUE))
                .set_border_bottom(FormatBorder::Medium)
                .set_border_bottom_color(Color::RGB(NHS_BLUE)),
            label: Format::new().set_bold(),
            plain: Format::new().set_num_format("General"),
            total_label: total_top(Format::new()),
            total_money: total_top(number(Format::new().set_num_format(MONEY))),
            total_int: total_top(number(Format::new().set_num_format(INT))),
            pass: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x006100))
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_align(FormatAlign::Center),
            fail: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x9C0006))
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_align(FormatAlign::Center),
            banner: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x9C5700))
                .set_background_color(Color::RGB(0xFFEB9C))
                .set_border(FormatBorder::Medium)
                .set_border_color(Color::RGB(0x9C5700))
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            // Excel's own "Bad", "Neutral" and a blue-grey: familiar to readers.
            error: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0x9C0006))
                .set_background_color(Color::RGB(0xFFC7CE)),
            warning: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0x9C5700))
                .set_background_color(Color::RGB(0xFFEB9C)),
            info: Format::new()
                .set_font_color(Color::RGB(0x1F4E78))
                .set_background_color(Color::RGB(0xDDEBF7)),
        }
    }

    /// The colour-coded cell format of a severity.
    pub fn severity(&self, s: Severity) -> &Format {
        match s {
            Severity::Error => &self.error,
            Severity::Warning => &self.warning,
            Severity::Info => &self.info,
        }
    }
}

/// The tab colour of a severity sheet, matching its cells.
pub fn severity_tab(s: Severity) -> Color {
    match s {
        Severity::Error => Color::RGB(0xC00000),
        Severity::Warning => Color::RGB(0xFFC000),
        Severity::Info => Color::RGB(0x5B9BD5),
    }
}

/// Column widths fitted to content: the longest value seen (in characters),
/// capped so that one long message does not push the rest off screen.
#[derive(Clone, Debug, Default)]
pub struct Widths(Vec<usize>);

/// Widest column (characters); longer text is cut off visually, never in the cell.
pub const MAX_WIDTH: usize = 60;
const MIN_WIDTH: usize = 6;

impl Widths {
    pub fn new(header: &[&str]) -> Widths {
        // +3 leaves room for the autofilter drop-down arrow beside the header.
        Widths(header.iter().map(|h| super::labels::label(h).chars().count() + 3).collect())
    }

    pub fn see(&mut self, col: usize, chars: usize) {
        if col >= self.0.len() {
            self.0.resize(col + 1, MIN_WIDTH);
        }
        self.0[col] = self.0[col].max(chars);
    }

    /// Width in Excel character units, with a little padding.
    pub fn get(&self, col: usize) -> f64 {
        let w = self.0.get(col).copied().unwrap_or(MIN_WIDTH);
        (w.clamp(MIN_WIDTH, MAX_WIDTH) + 1) as f64
    }

    /// A fixed width for a column whose text wraps.
    pub fn fix(&mut self, col: usize, chars: usize) {
        self.see(col, 0);
        self.0[col] = chars;
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Width a number needs beyond its characters: the `_)` padding and a margin.
pub const NUMBER_PAD: usize = 2;

/// Characters a money cell shows under [`MONEY`], e.g. `-£1,234.50` is 10.
pub fn money_chars(pence: i64) -> usize {
    let pounds = (pence.unsigned_abs() / 100).to_string().len();
    let commas = (pounds - 1) / 3;
    usize::from(pence < 0) + 1 + pounds + commas + 3
}
