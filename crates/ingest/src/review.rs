//! Reading auditors' reviews back (SPEC §11.3): a filled exceptions
//! workbook — its ERROR and WARNING sheets and their continuations, by the
//! `Finding ID`, `Review`, `Amount` and `Review note` headings wherever they
//! stand, whichever program saved it last — or a reviews CSV.

use crate::error::{Error, Result};
use crate::table::column_letters;
use calamine::{Data, Reader};
use sha2::{Digest, Sha256};
use std::path::Path;

/// One row with a Review value, as typed (validated by the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewCell {
    /// Where it was read, for messages: `sheet ERROR, row 12` or `line 5`.
    pub place: String,
    /// The Review cell's reference (`sheet ERROR, cell S12`), or the line.
    pub review_place: String,
    /// The Amount cell's reference, or the line.
    pub amount_place: String,
    pub finding_id: String,
    pub review: String,
    /// The Amount as text: a number cell in its shortest decimal form.
    pub amount: String,
    pub note: String,
}

/// A file of reviews: its rows with a Review value and its SHA-256.
#[derive(Clone, Debug)]
pub struct ReviewFile {
    pub rows: Vec<ReviewCell>,
    pub sha256: String,
}

/// The headings a workbook's finding sheets carry (workbook::label of
/// finding_id, review, amount, review_note).
pub const HEADINGS: [&str; 4] = ["Finding ID", "Review", "Amount", "Review note"];

/// Reads `path`: `.csv` as a reviews CSV, anything else as a workbook.
pub fn read(path: &Path) -> Result<ReviewFile> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::Input(format!("{}: cannot be read: {e}", path.display())))?;
    let sha256 = crate::source::hex(&Sha256::digest(&bytes));
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows = if is_csv { read_csv(path, &bytes)? } else { read_workbook(path, bytes)? };
    Ok(ReviewFile { rows, sha256 })
}

/// A cell as text: numbers in their shortest form that reads back exactly.
fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => b.to_string(),
        Some(other) => other.to_string().trim().to_string(),
    }
}

fn read_workbook(path: &Path, bytes: Vec<u8>) -> Result<Vec<ReviewCell>> {
    let unreadable =
        |e: String| Error::Input(format!("{}: not a workbook payrun can read ({e})", path.display()));
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(e.to_string()))?;
    let names: Vec<String> = book
        .sheet_names()
        .into_iter()
        .filter(|n| {
            let base = n.split(" (").next().unwrap_or(n);
            base == "ERROR" || base == "WARNING"
        })
        .collect();
    if names.is_empty() {
        return Err(Error::Input(format!(
            "{}: no ERROR or WARNING sheet: give a filled exceptions workbook or a reviews CSV",
            path.display()
        )));
    }
    let mut out = Vec::new();
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| unreadable(e.to_string()))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let rows: Vec<&[Data]> = range.rows().collect();
        let heading = rows.iter().take(40).enumerate().find_map(|(i, row)| {
            let at = |h: &str| row.iter().position(|c| text(Some(c)).eq_ignore_ascii_case(h));
            Some((i, [at(HEADINGS[0])?, at(HEADINGS[1])?, at(HEADINGS[2])?, at(HEADINGS[3])?]))
        });
        let Some((head, [id_col, review_col, amount_col, note_col])) = heading else {
            return Err(Error::Input(format!(
                "{}: sheet {name} has no heading row with {}: is it an exceptions workbook of this payrun?",
                path.display(),
                HEADINGS.map(|h| format!("\"{h}\"")).join(", ")
            )));
        };
        for (i, row) in rows.iter().enumerate().skip(head + 1) {
            let review = text(row.get(review_col));
            if review.is_empty() {
                continue;
            }
            let excel_row = top + i as u32 + 1;
            let cell =
                |col: usize| format!("sheet {name}, cell {}{excel_row}", column_letters(left as usize + col));
            out.push(ReviewCell {
                place: format!("sheet {name}, row {excel_row}"),
                review_place: cell(review_col),
                amount_place: cell(amount_col),
                finding_id: text(row.get(id_col)),
                review,
                amount: text(row.get(amount_col)),
                note: text(row.get(note_col)),
            });
        }
    }
    Ok(out)
}

fn read_csv(path: &Path, bytes: &[u8]) -> Result<Vec<ReviewCell>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let bad = |e: csv::Error| Error::Input(format!("{}: not a CSV payrun can read: {e}", path.display()));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().map_err(bad)?.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let at = |h: &str| header.iter().position(|x| x == h);
    let (Some(id_col), Some(review_col), Some(amount_col), Some(note_col)) =
        (at("finding_id"), at("review"), at("amount"), at("note"))
    else {
        return Err(Error::Input(format!(
            "{}: a reviews CSV needs the columns finding_id, review, amount and note (payrun review template writes one)",
            path.display()
        )));
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let line = record.position().map_or(0, |p| p.line());
        let field =
            |i: usize| crate::model::csv_text::unescape(record.get(i).unwrap_or("").trim()).to_string();
        let review = field(review_col);
        if review.is_empty() {
            continue;
        }
        let place = format!("line {line}");
        out.push(ReviewCell {
            place: place.clone(),
            review_place: format!("line {line}, column review"),
            amount_place: format!("line {line}, column amount"),
            finding_id: field(id_col),
            review,
            amount: field(amount_col),
            note: field(note_col),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_are_a1_style() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn a_csv_is_read_by_its_headings_and_blank_reviews_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reviews-2025-06.csv");
        std::fs::write(
            &path,
            "finding_id,severity,review,amount,note\nabc,ERROR,PAY,12.50,'=overturned\ndef,ERROR,,,\n",
        )
        .unwrap();
        let file = read(&path).unwrap();
        assert_eq!(file.rows.len(), 1);
        let row = &file.rows[0];
        assert_eq!(
            (row.finding_id.as_str(), row.review.as_str(), row.amount.as_str()),
            ("abc", "PAY", "12.50")
        );
        assert_eq!(row.note, "=overturned", "the formula escape is removed");
        assert_eq!(row.place, "line 2");
    }
}
