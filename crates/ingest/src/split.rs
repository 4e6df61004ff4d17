//! One large xlsx worksheet read on two cores (issue 17).
//!
//! calamine reads a worksheet's XML on one thread, and on a national month
//! that one thread was most of ingest while the second core waited. The
//! `<row>` elements of a worksheet stand alone, so a large sheet is cut in
//! two at a row a little past its middle and each part is read by a calamine reader
//! of its own, on a thread of its own, as the worksheet of a *virtual*
//! workbook: the original zip's entries copied as they are, but each large
//! worksheet's entry stored uncompressed and filled, as it is read, by a
//! thread inflating the original.
//!
//! * Part 1: the sheet's XML up to the cut, then `</sheetData></worksheet>`.
//! * Part 2: the sheet's XML up to and including `<sheetData>`, then the
//!   XML from the cut to its end.
//!
//! The cells of part 1 followed by those of part 2 are the cells of the
//! sheet, in order, because the cut is made only where that is certain: at a
//! `<row r="` (so part 2's rows are numbered as in the sheet), after a
//! prologue with no comment, DTD or processing instruction (but the XML
//! declaration), and with no `<!`, `<?` or `</sheetData` between
//! `<sheetData>` and the cut — so the cut is in element content, not in a
//! comment or CDATA section. Anywhere else there is no cut: part 1 is the
//! whole sheet and part 2 a worksheet without cells.
//!
//! Each part's entry is declared as the sheet's size plus [`SLACK`] and
//! padded with spaces after its end: calamine stops at `</sheetData>`, so
//! the padding is never parsed, and the stored entry's CRC (unknown before
//! the sheet is inflated) is never checked. The original entry's own CRC is
//! checked by the inflating thread that reads it to its end, as calamine's
//! own reader checks it (when its reader reaches the end).

use crate::model::panics::contain;
use calamine::{open_workbook_from_rs, Xlsx};
use memchr::memmem;
use std::collections::HashMap;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Bytes inflated per message between an inflating thread and its reader.
const CHUNK: usize = 256 << 10;
/// Messages in flight per part: with [`CHUNK`], 2 MiB of XML each.
const IN_FLIGHT: usize = 8;
/// The longest prologue (everything up to `<sheetData>`) looked through.
const MAX_PROLOGUE: usize = 1 << 20;
/// Each part's calamine reads the workbook's shared strings again (held as
/// strings, once per reader): above this size (unzipped) the memory and time
/// that costs are not worth it, and the sheet is read whole.
const MAX_SHARED_STRINGS: u64 = 8 << 20;
/// Room declared beyond the sheet's own size, for part 1's closing tags.
const SLACK: u64 = 1 << 20;
/// Where the cut is looked for from, as a share of the sheet's XML: a
/// little past the middle, because part 2 starts only once its thread has
/// inflated that far. Inflating is about 7 times as fast as calamine's
/// parsing, so the parts finish together with part 1 at Tp / (2 Tp − Ti) ≈
/// 54 % of the sheet (Tp, Ti: the whole sheet's parse and inflate times);
/// at the middle, part 2 finished 0.3 s after part 1 on a national month.
fn cut_from(size: u64) -> u64 {
    size / 100 * 54
}

/// What part 1 ends with after the cut.
const CLOSE: &[u8] = b"</sheetData></worksheet>";
/// Part 2 when there is no cut: a worksheet without cells.
const EMPTY: &[u8] = b"<worksheet><sheetData></sheetData></worksheet>";
/// Where part 2 starts: a row that says its number.
const ROW: &[u8] = b"<row r=\"";
/// The start of sheetData's content.
const SHEET_DATA: &[u8] = b"<sheetData>";
/// Markup that may hide a `<row` from the cut: comments, CDATA, DTDs,
/// processing instructions; and the end of the rows.
const FORBIDDEN: [&[u8]; 3] = [b"<!", b"<?", b"</sheetData"];
/// Bytes kept from one chunk to the next, so that no pattern is missed
/// across a chunk boundary (the longest pattern, less one).
const CARRY: usize = 10;

/// A workbook's bytes, shared by its readers and the inflating threads.
#[derive(Clone, Debug)]
pub struct Shared(pub Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A byte range of the virtual workbook.
#[derive(Debug)]
enum Region {
    /// Bytes made here: headers, the central directory.
    Made(Vec<u8>),
    /// An entry's data in the original file, copied as it is.
    Original { from: usize, len: u64 },
    /// A large worksheet's XML, inflated as it is read.
    Streamed { entry: usize, len: u64 },
}

/// The virtual workbook's layout, the same for both parts.
#[derive(Debug)]
struct Layout {
    /// (start, region), in order.
    regions: Vec<(u64, Region)>,
    len: u64,
}

/// An entry's fields in both of its headers.
struct EntryHeader<'a> {
    name: &'a [u8],
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
}

/// Bit 11: the name is UTF-8.
const UTF8_NAME: u16 = 0x0800;
/// 1980-01-01, the zip epoch (times are not kept: nothing reads them).
const ZIP_DATE: u16 = 0x0021;

impl EntryHeader<'_> {
    /// The fields from "version needed" to the name length, shared by both headers.
    fn common(&self, out: &mut Vec<u8>) {
        for v in [20u16, UTF8_NAME, self.method, 0, ZIP_DATE] {
            out.extend(v.to_le_bytes());
        }
        for v in [self.crc, self.compressed, self.size] {
            out.extend(v.to_le_bytes());
        }
        out.extend((self.name.len() as u16).to_le_bytes());
    }

    fn local(&self) -> Vec<u8> {
        let mut out = 0x0403_4b50u32.to_le_bytes().to_vec();
        self.common(&mut out);
        out.extend(0u16.to_le_bytes()); // extra field length
        out.extend(self.name);
        out
    }

    fn central(&self, offset: u32, out: &mut Vec<u8>) {
        out.extend(0x0201_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes()); // version made by
        self.common(out);
        for v in [0u16, 0, 0, 0] {
            out.extend(v.to_le_bytes()); // extra, comment, disk, internal attributes
        }
        out.extend(0u32.to_le_bytes()); // external attributes
        out.extend(offset.to_le_bytes());
        out.extend(self.name);
    }
}

impl Layout {
    /// The virtual workbook of `bytes`, its worksheets of `min_bytes` or more
    /// streamed; `None` if there is none, or the zip is one this layout
    /// does not reproduce (encrypted or unusual entries, non-ASCII names,
    /// sizes that need ZIP64), or its shared strings are large
    /// ([`MAX_SHARED_STRINGS`]): the sheet is then read whole.
    fn new(bytes: &[u8], min_bytes: u64) -> Option<Layout> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let count = u16::try_from(archive.len()).ok().filter(|n| *n < u16::MAX)?;
        let fits = |n: u64| u32::try_from(n).ok().filter(|n| *n < u32::MAX);
        let (mut regions, mut central, mut at, mut streamed) = (Vec::new(), Vec::new(), 0u64, false);
        for i in 0..archive.len() {
            let f = archive.by_index_raw(i).ok()?;
            let name = f.name().ok()?.into_owned();
            let method = match f.compression() {
                zip::CompressionMethod::Stored => 0u16,
                zip::CompressionMethod::Deflated => 8,
                _ => return None,
            };
            let shared_strings = name.eq_ignore_ascii_case("xl/sharedStrings.xml");
            if !name.is_ascii() || f.encrypted() || (shared_strings && f.size() > MAX_SHARED_STRINGS) {
                return None;
            }
            let stream =
                name.starts_with("xl/worksheets/") && name.ends_with(".xml") && f.size() >= min_bytes;
            let (header, data, len) = if stream {
                let len = f.size().checked_add(SLACK)?;
                let size = fits(len)?;
                streamed = true;
                let header = EntryHeader { name: name.as_bytes(), method: 0, crc: 0, compressed: size, size };
                (header, Region::Streamed { entry: i, len }, len)
            } else {
                let (from, len) = (f.data_start()?, f.compressed_size());
                if from.checked_add(len)? > bytes.len() as u64 {
                    return None;
                }
                let header = EntryHeader {
                    name: name.as_bytes(),
                    method,
                    crc: f.crc32(),
                    compressed: fits(len)?,
                    size: fits(f.size())?,
                };
                (header, Region::Original { from: usize::try_from(from).ok()?, len }, len)
            };
            header.central(fits(at)?, &mut central);
            let local = header.local();
            let local_len = local.len() as u64;
            regions.push((at, Region::Made(local)));
            regions.push((at + local_len, data));
            at = at.checked_add(local_len)?.checked_add(len)?;
        }
        if !streamed {
            return None;
        }
        let (cd_start, cd_len) = (fits(at)?, fits(central.len() as u64)?);
        central.extend(0x0605_4b50u32.to_le_bytes());
        for v in [0u16, 0, count, count] {
            central.extend(v.to_le_bytes());
        }
        central.extend(cd_len.to_le_bytes());
        central.extend(cd_start.to_le_bytes());
        central.extend(0u16.to_le_bytes()); // comment length
        let len = at + central.len() as u64;
        regions.push((at, Region::Made(central)));
        Some(Layout { regions, len })
    }

    /// The region holding `pos`, and where it starts.
    fn find(&self, pos: u64) -> Option<(u64, &Region)> {
        let i = self.regions.partition_point(|(start, _)| *start <= pos).checked_sub(1)?;
        self.regions.get(i).map(|(start, region)| (*start, region))
    }
}

/// A message from an inflating thread: bytes, or the error that ended them.
type Msg = io::Result<Vec<u8>>;

/// Where part 1 ends: decided by part 2's inflating thread.
#[derive(Default)]
struct Cut {
    at: Mutex<Option<Option<u64>>>,
    decided: Condvar,
}

impl Cut {
    fn lock(&self) -> MutexGuard<'_, Option<Option<u64>>> {
        self.at.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decides once; later calls change nothing.
    fn set(&self, at: Option<u64>) {
        let mut guard = self.lock();
        if guard.is_none() {
            *guard = Some(at);
        }
        self.decided.notify_all();
    }

    fn wait(&self) -> Option<u64> {
        let mut guard = self.lock();
        loop {
            if let Some(at) = *guard {
                return at;
            }
            guard = self.decided.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Decides "no cut" when dropped undecided: part 1 never waits for a thread
/// that failed to start or stopped early.
struct Decide(Arc<Cut>);

impl Drop for Decide {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

/// Both parts' streams of each large worksheet, started when either part
/// first reads the worksheet.
struct Streams {
    bytes: Shared,
    parts: Mutex<HashMap<usize, [Option<Receiver<Msg>>; 2]>>,
}

impl Streams {
    fn lock(&self) -> MutexGuard<'_, HashMap<usize, [Option<Receiver<Msg>>; 2]>> {
        self.parts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Part `part`'s stream of `entry` (each is read once).
    fn attach(&self, entry: usize, part: usize) -> io::Result<Receiver<Msg>> {
        let mut parts = self.lock();
        let both = parts.entry(entry).or_insert_with(|| start(&self.bytes, entry));
        both.get_mut(part)
            .and_then(Option::take)
            .ok_or_else(|| io::Error::other("a worksheet's XML is read once, from its start"))
    }

    /// Whether part `part` has started reading a streamed worksheet.
    fn attached(&self, part: usize) -> bool {
        self.lock().values().any(|both| both.get(part).is_some_and(Option::is_none))
    }
}

/// Starts the two inflating threads of worksheet `entry`.
fn start(bytes: &Shared, entry: usize) -> [Option<Receiver<Msg>>; 2] {
    let (tx1, rx1) = sync_channel(IN_FLIGHT);
    let (tx2, rx2) = sync_channel(IN_FLIGHT);
    let cut = Arc::new(Cut::default());
    let decide = Decide(cut.clone());
    let (b1, b2) = (bytes.clone(), bytes.clone());
    // A thread that cannot start drops its sender: its part reads an empty
    // entry and calamine reports the sheet unreadable; `Decide` frees part 1.
    // A panic (a damaged file meeting a bug) becomes its part's read error.
    let _ = std::thread::Builder::new()
        .name("payrun-inflate-2".into())
        .spawn(move || failed(&tx2, contain(|| second_part(&b2, entry, &tx2, decide))));
    let _ = std::thread::Builder::new()
        .name("payrun-inflate-1".into())
        .spawn(move || failed(&tx1, contain(|| first_part(&b1, entry, &tx1, &cut))));
    [Some(rx1), Some(rx2)]
}

/// Hands an inflating thread's panic to its reader as a read error.
fn failed(tx: &SyncSender<Msg>, ran: Result<(), String>) {
    if let Err(panic) = ran {
        let _ = tx.send(Err(io::Error::other(format!("inflating the worksheet failed: {panic}"))));
    }
}

/// Inflates entry `entry` of `bytes`, handing each chunk (owned: it is
/// sent on as it is) to `each` until it returns false; the entry's declared
/// size is passed beside it.
fn inflate(bytes: &Shared, entry: usize, mut each: impl FnMut(io::Result<Vec<u8>>, u64) -> bool) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes.clone())) {
        Ok(a) => a,
        Err(e) => {
            each(Err(io::Error::other(e)), 0);
            return;
        }
    };
    let mut file = match archive.by_index(entry) {
        Ok(f) => f,
        Err(e) => {
            each(Err(io::Error::other(e)), 0);
            return;
        }
    };
    let size = file.size();
    loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    buf.truncate(filled);
                    if filled > 0 && !each(Ok(buf), size) {
                        return;
                    }
                    each(Err(e), size);
                    return;
                }
            }
        }
        buf.truncate(filled);
        if filled == 0 || !each(Ok(buf), size) {
            return;
        }
    }
}

/// Part 1's thread: the sheet's XML up to the cut (all of it when there is
/// none), then the closing tags.
fn first_part(bytes: &Shared, entry: usize, tx: &SyncSender<Msg>, cut: &Cut) {
    let (mut pos, mut decided) = (0u64, None);
    inflate(bytes, entry, |chunk, size| {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e));
                return false;
            }
        };
        let end = pos + chunk.len() as u64;
        // No cut can come before `cut_from`: only then is the decision awaited.
        let at = if end > cut_from(size) { *decided.get_or_insert_with(|| cut.wait()) } else { None };
        match at {
            Some(at) if at < end => {
                let mut chunk = chunk;
                chunk.truncate(usize::try_from(at.saturating_sub(pos)).unwrap_or(chunk.len()));
                let _ = tx.send(Ok(chunk)).and_then(|()| tx.send(Ok(CLOSE.to_vec())));
                false
            }
            _ => {
                pos = end;
                tx.send(Ok(chunk)).is_ok()
            }
        }
    });
}

/// What part 2's thread has found so far.
enum Scan {
    /// Looking for `<sheetData>`: the bytes so far.
    Prologue(Vec<u8>),
    /// Past `<sheetData>` (the prologue kept), looking for the cut.
    Rows(Vec<u8>),
    /// Cut: forwarding the rest.
    Cut,
    /// No cut: part 2 is empty.
    Whole,
}

/// Part 2's thread: finds the cut, decides it, then sends the prologue and
/// the sheet's XML from the cut to its end.
fn second_part(bytes: &Shared, entry: usize, tx: &SyncSender<Msg>, decide: Decide) {
    let mut scan = Scan::Prologue(Vec::new());
    let (mut pos, mut carry) = (0u64, Vec::<u8>::new());
    inflate(bytes, entry, |chunk, size| {
        let chunk = match chunk {
            Ok(c) => c,
            // Past the cut, part 2 needs what failed; before it, part 1 reads it.
            Err(e) if matches!(scan, Scan::Cut) => {
                let _ = tx.send(Err(e));
                return false;
            }
            Err(_) => return no_cut(&mut scan, tx, &decide),
        };
        let start = pos;
        pos += chunk.len() as u64;
        match &mut scan {
            Scan::Cut => tx.send(Ok(chunk)).is_ok(),
            Scan::Whole => false,
            Scan::Prologue(prologue) => {
                prologue.extend_from_slice(&chunk);
                match prologue_end(prologue) {
                    Some(Ok(end)) => {
                        // What follows `<sheetData>` (all in this chunk) is rows.
                        let rows = prologue.split_off(end);
                        let kept = std::mem::take(prologue);
                        scan = Scan::Rows(kept);
                        carry = rows[rows.len().saturating_sub(CARRY)..].to_vec();
                        let window_start = start + (chunk.len() - rows.len()) as u64;
                        scan_rows(&mut scan, &rows, window_start, cut_from(size), tx, &decide)
                    }
                    None if prologue.len() <= MAX_PROLOGUE => true,
                    _ => no_cut(&mut scan, tx, &decide),
                }
            }
            Scan::Rows(_) => {
                let mut window = std::mem::take(&mut carry);
                let window_start = start - window.len() as u64;
                window.extend_from_slice(&chunk);
                let more = scan_rows(&mut scan, &window, window_start, cut_from(size), tx, &decide);
                carry = window[window.len().saturating_sub(CARRY)..].to_vec();
                more
            }
        }
    });
    if matches!(scan, Scan::Prologue(_) | Scan::Rows(_)) {
        // The sheet ended before a cut: part 1 is all of it.
        no_cut(&mut scan, tx, &decide);
    }
}

/// No cut: part 1 reads the whole sheet, part 2 a worksheet without cells.
/// Returns false (stop inflating).
fn no_cut(scan: &mut Scan, tx: &SyncSender<Msg>, decide: &Decide) -> bool {
    *scan = Scan::Whole;
    decide.0.set(None);
    let _ = tx.send(Ok(EMPTY.to_vec()));
    false
}

/// Where the prologue ends (just after `<sheetData>`), `Err` when it holds
/// markup that rules a cut out (or the sheet has no rows), `None` when not
/// yet seen.
fn prologue_end(prologue: &[u8]) -> Option<Result<usize, ()>> {
    let at = memmem::find(prologue, SHEET_DATA);
    let before = &prologue[..at.unwrap_or(prologue.len())];
    // The XML declaration (after a byte-order mark) is the only `<?` allowed.
    let declaration = before.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(before);
    let declared = usize::from(declaration.starts_with(b"<?"));
    if memmem::find(before, b"<!").is_some()
        || memmem::find_iter(before, b"<?").count() > declared
        || memmem::find(before, b"<sheetData/>").is_some()
    {
        return Some(Err(()));
    }
    at.map(|at| Ok(at + SHEET_DATA.len()))
}

/// Scans `window` (starting at `window_start` in the sheet's XML) for the
/// cut: the first `<row r="` at or after `from` with nothing forbidden
/// before it. On a cut, decides it and sends the prologue and the XML from
/// the cut. Returns whether to keep reading.
fn scan_rows(
    scan: &mut Scan,
    window: &[u8],
    window_start: u64,
    from: u64,
    tx: &SyncSender<Msg>,
    decide: &Decide,
) -> bool {
    let forbidden = FORBIDDEN.iter().filter_map(|p| memmem::find(window, p)).min();
    let row = memmem::find_iter(window, ROW).find(|&i| window_start + i as u64 >= from);
    match (row, forbidden) {
        (Some(row), f) if f.is_none_or(|f| row < f) => {
            let Scan::Rows(prologue) = std::mem::replace(scan, Scan::Cut) else {
                return false;
            };
            decide.0.set(Some(window_start + row as u64));
            tx.send(Ok(prologue)).is_ok() && tx.send(Ok(window[row..].to_vec())).is_ok()
        }
        (_, Some(_)) => no_cut(scan, tx, decide),
        _ => true,
    }
}

/// One part's view of the virtual workbook: what calamine reads.
pub struct Part {
    layout: Arc<Layout>,
    streams: Arc<Streams>,
    part: usize,
    pos: u64,
    open: Option<Open>,
}

/// The streamed worksheet a part is reading.
struct Open {
    entry: usize,
    rx: Receiver<Msg>,
    /// Bytes of the entry served so far.
    at: u64,
    chunk: Vec<u8>,
    used: usize,
    /// The thread has sent everything: the rest is padding.
    ended: bool,
}

impl Open {
    /// Fills `buf` from the stream (spaces once it has ended).
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.used >= self.chunk.len() && !self.ended {
            match self.rx.recv() {
                Ok(Ok(chunk)) => (self.chunk, self.used) = (chunk, 0),
                Ok(Err(e)) => return Err(e),
                Err(_) => self.ended = true,
            }
        }
        let n = if self.ended {
            buf.fill(b' ');
            buf.len()
        } else {
            let n = buf.len().min(self.chunk.len() - self.used);
            buf[..n].copy_from_slice(&self.chunk[self.used..self.used + n]);
            self.used += n;
            n
        };
        self.at += n as u64;
        Ok(n)
    }
}

impl Part {
    fn read_stream(&mut self, entry: usize, offset: u64, len: u64, buf: &mut [u8]) -> io::Result<usize> {
        if self.open.as_ref().is_none_or(|o| o.entry != entry) {
            let rx = self.streams.attach(entry, self.part)?;
            self.open = Some(Open { entry, rx, at: 0, chunk: Vec::new(), used: 0, ended: false });
        }
        let Some(open) = self.open.as_mut() else { return Ok(0) };
        if offset < open.at {
            return Err(io::Error::other("a worksheet's XML is read once, in order"));
        }
        let mut skip = [0u8; 4096];
        while open.at < offset {
            let n = usize::try_from(offset - open.at).unwrap_or(skip.len()).min(skip.len());
            open.fill(&mut skip[..n])?;
        }
        let n = usize::try_from(len - offset).unwrap_or(buf.len()).min(buf.len());
        open.fill(&mut buf[..n])
    }
}

impl Read for Part {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some((start, region)) = self.layout.find(self.pos) else { return Ok(0) };
        let offset = self.pos - start;
        let n = match region {
            Region::Made(bytes) => copy(bytes, offset, buf),
            Region::Original { from, len } => {
                let end = usize::try_from(*len).unwrap_or(usize::MAX).saturating_add(*from);
                let bytes = self.streams.bytes.0.get(*from..end).unwrap_or(&[]);
                copy(bytes, offset, buf)
            }
            Region::Streamed { entry, len } => self.read_stream(*entry, offset, *len, buf)?,
        };
        self.pos += n as u64;
        Ok(n)
    }
}

/// Copies from `bytes` at `offset` into `buf`.
fn copy(bytes: &[u8], offset: u64, buf: &mut [u8]) -> usize {
    let rest = usize::try_from(offset).ok().and_then(|o| bytes.get(o..)).unwrap_or(&[]);
    let n = rest.len().min(buf.len());
    buf[..n].copy_from_slice(&rest[..n]);
    n
}

impl Seek for Part {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.layout.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// The two parts of a workbook, each opened by calamine.
pub struct Halves {
    pub first: Box<Xlsx<Part>>,
    pub second: Box<Xlsx<Part>>,
    pub watch: Watch,
}

/// Whether part 2 has begun reading a streamed worksheet (so the sheet it
/// opened is cut; otherwise part 2 would read a small sheet whole again).
pub struct Watch(Arc<Streams>);

impl Watch {
    pub fn second_is_cut(&self) -> bool {
        self.0.attached(1)
    }
}

/// Opens both parts of an xlsx workbook whose worksheets of `min_bytes` or
/// more (uncompressed) are cut; `None` when there is none, or the workbook
/// is one to read whole (see [`Layout::new`]; calamine then reads it as usual).
pub fn open(bytes: &Shared, min_bytes: u64) -> Option<Halves> {
    let layout = Arc::new(Layout::new(bytes.as_ref(), min_bytes)?);
    let streams = Arc::new(Streams { bytes: bytes.clone(), parts: Mutex::new(HashMap::new()) });
    let part = |part| Part { layout: layout.clone(), streams: streams.clone(), part, pos: 0, open: None };
    let first = open_workbook_from_rs::<Xlsx<_>, _>(part(0)).ok()?;
    let second = open_workbook_from_rs::<Xlsx<_>, _>(part(1)).ok()?;
    Some(Halves { first: Box::new(first), second: Box::new(second), watch: Watch(streams) })
}
