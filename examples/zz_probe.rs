use calamine::{open_workbook, Reader, Xlsx};
use std::io::Read;
use std::time::Instant;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let f = std::fs::File::open(&p).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut e = z.by_name("xl/worksheets/sheet1.xml").unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0usize;
    loop {
        let k = e.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        n += k;
    }
    println!("inflate {} bytes {} ms", n, t.elapsed().as_millis());
    let t = Instant::now();
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    let name = wb.sheet_names()[0].clone();
    let mut r = wb.worksheet_cells_reader(&name).unwrap();
    let mut c = 0usize;
    while let Some(_cell) = r.next_cell().unwrap() {
        c += 1;
    }
    println!("calamine {} cells {} ms", c, t.elapsed().as_millis());
}
