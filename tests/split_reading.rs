//! A large xlsx sheet read in two parts at once (src/ingest/split.rs,
//! issue 17) gives what it gives read whole: same rows,
//! same order, same problems; and it is cut only where that is certain.

use payrun::config::{Columns, Config, Limits};
use payrun::ingest::source::{Input, Parts, Sheet};
use payrun::ingest::{claims, roster};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn columns() -> Columns {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    Config::find(Some(&config)).unwrap().columns
}

/// A generated month: (roster, expenses) in `dir`.
fn sample(dir: &Path, lines: usize) -> (PathBuf, PathBuf) {
    let opts = payrun::sample::SampleOptions {
        staff: 40,
        lines,
        seed: 7,
        out: dir.to_path_buf(),
        period: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    };
    let s = payrun::sample::generate(&opts).unwrap();
    (s.roster, s.expenses)
}

fn open(path: &Path, cut_over: u64, limits: &Limits) -> Input {
    let mut input = Input::open(path, "Claims", limits).unwrap();
    input.cut_sheets_over(cut_over);
    input
}

fn claims_of(path: &Path, cut_over: u64) -> payrun::Result<Vec<payrun::model::claim::ClaimLine>> {
    claims::read(&mut open(path, cut_over, &Limits::default()), &columns())
}

/// Rows handed to each sink, and how the sheet was read.
fn parts_of(path: &Path, sheet: &str) -> (usize, usize, Parts) {
    parts_over(path, sheet, 0)
}

/// Rows of `sheet` read whole (a title row, the header and the data).
fn rows_of(path: &Path, sheet: &str) -> usize {
    let (rows, none, parts) = parts_over(path, sheet, u64::MAX);
    assert_eq!((none, parts), (0, Parts::Whole));
    rows
}

fn parts_over(path: &Path, sheet: &str, cut_over: u64) -> (usize, usize, Parts) {
    let (first, second) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let count = |n: &AtomicUsize, block: Sheet| {
        n.fetch_add(block.height(), Ordering::Relaxed);
        Ok(())
    };
    let mut input = open(path, cut_over, &Limits::default());
    let parts = input
        .read_sheet_in_parts(sheet, Box::new(|b| count(&first, b)), Box::new(|b| count(&second, b)))
        .unwrap();
    (first.into_inner(), second.into_inner(), parts)
}

#[test]
fn claims_read_in_two_parts_are_the_claims_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 3000);
    let whole = claims_of(&expenses, u64::MAX).unwrap();
    let cut = claims_of(&expenses, 0).unwrap();
    assert_eq!(whole.len(), 3000);
    assert!(whole == cut, "the same lines, in the same order, with the same problems");
    let (first, second, parts) = parts_of(&expenses, "Claims");
    assert_eq!(parts, Parts::Cut);
    // Title, header and about half the lines, then the rest.
    assert_eq!(first + second, rows_of(&expenses, "Claims"));
    assert!(first > 1000 && second > 1000, "cut near the middle: {first} + {second}");
}

#[test]
fn the_roster_read_in_two_parts_is_the_roster_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (roster_path, _) = sample(dir.path(), 100);
    let read = |cut_over| {
        let mut input = open(&roster_path, cut_over, &Limits::default());
        format!("{:?}", roster::read(&mut input, &columns()).unwrap())
    };
    assert_eq!(read(u64::MAX), read(0));
    let (first, second, parts) = parts_of(&roster_path, "Shifts");
    assert_eq!(parts, Parts::Cut);
    assert!(first > 50 && second > 50, "{first} + {second}");
    assert_eq!(first + second, rows_of(&roster_path, "Shifts"));
}

#[test]
fn a_sheet_cut_above_its_header_scan_is_read_again_whole() {
    // openpyxl's workbook: a title row, shared strings, 18 lines — its middle
    // is within the rows the header is looked for in.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/expenses.xlsx");
    let (_, _, parts) = parts_of(&path, "Claims");
    assert_eq!(parts, Parts::Again);
    let whole = claims_of(&path, u64::MAX).unwrap();
    assert_eq!(whole.len(), 17);
    assert!(claims_of(&path, 0).unwrap() == whole);
}

/// `path` with its Claims sheet's XML passed through `edit`.
fn rewrite(path: &Path, out: &Path, edit: impl Fn(String) -> String) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn a_sheet_with_a_comment_or_cdata_before_its_middle_is_not_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 2000);
    let whole = claims_of(&expenses, u64::MAX).unwrap();
    // A comment holding a row, and a CDATA section: a cut inside either
    // would read markup as rows (or fail); neither is cut.
    let hidden = "<!-- <row r=\"9999\"><c r=\"A9999\" t=\"inlineStr\"><is><t>X</t></is></c></row> -->";
    for (i, insert) in [hidden, "<![CDATA[ <row r=\"1\"> ]]>"].into_iter().enumerate() {
        let edited = dir.path().join(format!("edited{i}.xlsx"));
        rewrite(&expenses, &edited, |xml| xml.replacen("</row>", &format!("</row>{insert}"), 40));
        let (first, second, _) = parts_of(&edited, "Claims");
        assert_eq!((first, second), (rows_of(&edited, "Claims"), 0), "{insert}: not cut");
        // calamine reads the comment as a comment, whole or not.
        let read = claims_of(&edited, 0);
        assert_eq!(format!("{read:?}"), format!("{:?}", claims_of(&edited, u64::MAX)));
        if i == 0 {
            assert_eq!(read.unwrap().len(), whole.len());
        }
    }
    // After the middle a comment changes nothing: the cut comes before it.
    let edited = dir.path().join("late.xlsx");
    rewrite(&expenses, &edited, |xml| {
        let at = xml.rfind("</row>").unwrap();
        format!("{}<!-- late -->{}", &xml[..at + 6], &xml[at + 6..])
    });
    let (first, second, parts) = parts_of(&edited, "Claims");
    assert_eq!(parts, Parts::Cut);
    assert!(second > 0 && first + second == rows_of(&edited, "Claims"));
    assert!(claims_of(&edited, 0).unwrap() == claims_of(&edited, u64::MAX).unwrap());
}

#[test]
fn rows_without_numbers_are_not_cut_at() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 2000);
    let whole = claims_of(&expenses, u64::MAX).unwrap();
    // Without `r`, a row's number is its place, which part 2 cannot know.
    let edited = dir.path().join("unnumbered.xlsx");
    rewrite(&expenses, &edited, |xml| regex_free_strip_row_numbers(&xml));
    let (first, second, _) = parts_of(&edited, "Claims");
    assert_eq!((first, second), (rows_of(&edited, "Claims"), 0));
    let read = claims_of(&edited, 0).unwrap();
    assert!(read == claims_of(&edited, u64::MAX).unwrap());
    assert_eq!(read.len(), whole.len());
}

/// `<row r="12" ...>` → `<row ...>`.
fn regex_free_strip_row_numbers(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find("<row r=\"") {
        out.push_str(&rest[..at]);
        out.push_str("<row");
        let after = &rest[at + 8..];
        let end = after.find('"').unwrap();
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn limits_hold_over_both_parts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 2000);
    // 2002 rows: each part alone is within 1500, the sheet is not.
    let limits = Limits { max_rows: 1500, ..Limits::default() };
    for cut_over in [0, u64::MAX] {
        let err = claims::read(&mut open(&expenses, cut_over, &limits), &columns()).unwrap_err();
        assert!(err.to_string().contains("above the limits.max_rows of 1500"), "{cut_over}: {err}");
        assert_eq!(err.exit_code(), 3);
    }
    let cells = claims_of(&expenses, u64::MAX).unwrap().len() as u64 * 10;
    let limits = Limits { max_cells: cells, ..Limits::default() };
    for cut_over in [0, u64::MAX] {
        let err = claims::read(&mut open(&expenses, cut_over, &limits), &columns()).unwrap_err();
        assert!(err.to_string().contains("limits.max_cells"), "{cut_over}: {err}");
    }
}

#[test]
fn a_damaged_second_half_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 2000);
    let mut bytes = std::fs::read(&expenses).unwrap();
    // Flip bytes in the sheet's compressed data, past its middle.
    let sheet = {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let f = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
        (f.data_start().unwrap() as usize, f.compressed_size() as usize)
    };
    let at = sheet.0 + sheet.1 * 3 / 4;
    for b in &mut bytes[at..at + 64] {
        *b ^= 0x5A;
    }
    let damaged = dir.path().join("damaged.xlsx");
    std::fs::write(&damaged, &bytes).unwrap();
    for cut_over in [0, u64::MAX] {
        let err = claims_of(&damaged, cut_over).unwrap_err();
        assert_eq!(err.exit_code(), 3, "{cut_over}: {err}");
        assert!(err.to_string().contains("damaged.xlsx"), "{err}");
    }
}

#[test]
fn a_comment_across_the_inflater_s_chunk_boundary_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 4000);
    // The XML is inflated 256 KiB at a time (src/ingest/split.rs CHUNK):
    // `<!` straddles the first boundary, or the second, before the middle.
    for boundary in [256 << 10, 512 << 10] {
        let edited = dir.path().join("straddle.xlsx");
        rewrite(&expenses, &edited, |xml| {
            assert!(xml.len() > 2 * boundary + 4096, "the cut would come after the comment");
            let at = xml[..boundary - 1].rfind("</row>").unwrap() + 6;
            let pad = " ".repeat(boundary - 1 - at);
            format!("{}{pad}<!-- x -->{}", &xml[..at], &xml[at..])
        });
        let (first, second, _) = parts_of(&edited, "Claims");
        assert_eq!((first, second), (rows_of(&edited, "Claims"), 0), "{boundary}");
        assert!(claims_of(&edited, 0).unwrap() == claims_of(&edited, u64::MAX).unwrap());
    }
}

#[test]
fn a_workbook_with_large_shared_strings_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, expenses) = sample(dir.path(), 2000);
    // Each part's reader would hold its own copy of the shared strings.
    let edited = dir.path().join("sst.xlsx");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&expenses).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&edited).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        writer.raw_copy_file(archive.by_index_raw(i).unwrap()).unwrap();
    }
    let strings = "<si><t>unused</t></si>".repeat(400_000);
    writer.start_file("xl/sharedStrings.xml", options).unwrap();
    write!(writer, "<sst count=\"400000\" uniqueCount=\"400000\">{strings}</sst>").unwrap();
    writer.finish().unwrap();
    assert_eq!(parts_of(&edited, "Claims").2, Parts::Whole);
    assert_eq!(parts_of(&expenses, "Claims").2, Parts::Cut, "the same sheet without them is cut");
    assert!(claims_of(&edited, 0).unwrap() == claims_of(&edited, u64::MAX).unwrap());
}
