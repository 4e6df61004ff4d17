//! Synthesises the run folders of the insights benchmark (docs/performance.md,
//! issue 16): `MONTHS` finished runs of `LINES` decision rows each — the
//! decisions.csv, exceptions.csv, adjustments.csv and manifest.json that
//! `payrun insights` reads, in payrun's own formats — without running twelve
//! national months through `payrun run` first.
//!
//! ```sh
//! cargo run --release --example insights_data -- /tmp/insights-bench [MONTHS] [LINES]
//! /usr/bin/time -v target/release/payrun insights /tmp/insights-bench/run-* --out /tmp/insights-bench/out
//! ```
//!
//! Deterministic: the same arguments write the same bytes. 20,000 staff over
//! 200 cost centres; statuses about 85 % PAID, 8 % ADJUSTED, 3 % REJECTED and
//! 4 % DEFERRED; one line in five lists a rule; a small set of claimants is
//! capped every month and some claim far more mileage than their peers.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

const STAFF: u64 = 20_000;
const CENTRES: u64 = 200;
const CATEGORIES: [&str; 8] =
    ["MILEAGE_CAR", "PARKING", "RAIL", "HOTEL", "DAY_MEAL", "EVENING_MEAL", "TAXI", "SUNDRY"];
const RULES: [&str; 10] =
    ["MIL003", "MIL005", "SUB002", "SUB004", "TRV001", "RCT001", "AGE001", "CUT001", "DUP001", "DAT002"];

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn money(p: i64) -> String {
    format!("{}{}.{:02}", if p < 0 { "-" } else { "" }, p.abs() / 100, p.abs() % 100)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(root) = args.get(1) else {
        eprintln!("usage: insights_data DIR [MONTHS] [LINES]");
        std::process::exit(2);
    };
    let months: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(12);
    let lines: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    for m in 0..months {
        // April 2025 onwards.
        let (year, month) = (2025 + (3 + m) / 12, (3 + m) % 12 + 1);
        let period = format!("{year}-{month:02}");
        let dir = Path::new(root).join(format!("run-{period}"));
        std::fs::create_dir_all(&dir)?;
        write_month(&dir, &period, u64::from(m), lines)?;
        eprintln!("wrote {}", dir.display());
    }
    Ok(())
}

fn write_month(dir: &Path, period: &str, month: u64, lines: u64) -> std::io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (month + 1).wrapping_mul(0x1000_0001));
    let mut decisions = BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("decisions.csv"))?);
    let mut exceptions =
        BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("exceptions.csv"))?);
    writeln!(
        decisions,
        "claim_id,line_no,assignment,expense_date,category,claimed,allowed,status,taxable_payroll,p11d_amount,p11d_section,pay_element,rules"
    )?;
    writeln!(
        exceptions,
        "severity,rule,policy_ref,assignment,name,claim_id,line_no,date,claimed,allowed,message,source"
    )?;
    let (mut claimed_t, mut allowed_t, mut withheld_t, mut deferred_t) = (0i64, 0i64, 0i64, 0i64);
    let mut paid_by_staff = vec![0i64; STAFF as usize];
    let mut row = String::with_capacity(256);
    for i in 0..lines {
        let staff = rng.below(STAFF);
        let assignment = format!("{:08}", 10_000_000 + staff);
        let category = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
        // A few heavy claimants: mileage ten times their peers'.
        let scale = if staff.is_multiple_of(997) && category == "MILEAGE_CAR" { 10 } else { 1 };
        let claimed = (500 + rng.below(9_500) as i64) * scale;
        let roll = rng.below(100);
        let (status, allowed) = match roll {
            0..=84 => ("PAID", claimed),
            85..=92 => ("ADJUSTED", claimed * 3 / 4),
            93..=95 => ("REJECTED", 0),
            _ => ("DEFERRED", 0),
        };
        // Claimants whose number ends in 7 are capped every month (a repeat pattern).
        let rules: &str = match status {
            "ADJUSTED" if staff % 10 == 7 => "MIL003",
            "ADJUSTED" => RULES[rng.below(6) as usize],
            "REJECTED" => RULES[9],
            "DEFERRED" => RULES[6 + rng.below(2) as usize],
            _ if rng.below(20) == 0 => RULES[5],
            _ => "",
        };
        claimed_t += claimed;
        if status == "DEFERRED" {
            deferred_t += claimed;
        } else {
            allowed_t += allowed;
            withheld_t += claimed - allowed;
        }
        if matches!(status, "PAID" | "ADJUSTED") {
            paid_by_staff[staff as usize] += allowed;
        }
        let claim = format!("E{month:02}{i:08}");
        row.clear();
        let _ = writeln!(
            row,
            "{claim},1,{assignment},{period}-01,{category},{},{},{status},0.00,0.00,,TRAVEL,{rules}",
            money(claimed),
            money(allowed)
        );
        decisions.write_all(row.as_bytes())?;
        if !rules.is_empty() {
            row.clear();
            let _ = writeln!(
                row,
                "WARNING,{rules},CORP/EMP 33 §4,{assignment},Staff {staff},{claim},1,{period}-01,{},{},synthetic finding,expenses.xlsx!Claims:{}",
                money(claimed),
                money(allowed),
                i + 2
            );
            exceptions.write_all(row.as_bytes())?;
        }
    }
    decisions.flush()?;
    exceptions.flush()?;
    let mut adjustments =
        BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("adjustments.csv"))?);
    writeln!(
        adjustments,
        "assignment,name,cost_centre,element,units,rate,amount,taxable,ni_able,protected,protection_end,source"
    )?;
    for (staff, paid) in paid_by_staff.iter().enumerate() {
        if *paid != 0 {
            writeln!(
                adjustments,
                "{:08},Staff {staff},CC{:04},TRAVEL,,,{},N,N,,,synthetic",
                10_000_000 + staff,
                staff as u64 % CENTRES,
                money(*paid)
            )?;
        }
    }
    adjustments.flush()?;
    let manifest = format!(
        "{{\n  \"tool\": \"payrun\",\n  \"period\": \"{period}\",\n  \"organisation\": \"NATIONAL\",\n  \"config_hash\": \"synthetic\",\n  \"run_id\": \"bench{month:07}\",\n  \"reconciliation\": {{\n    \"lines_read\": {lines},\n    \"claimed\": \"{}\",\n    \"allowed\": \"{}\",\n    \"withheld\": \"{}\",\n    \"deferred\": \"{}\",\n    \"passed\": true\n  }}\n}}\n",
        money(claimed_t),
        money(allowed_t),
        money(withheld_t),
        money(deferred_t)
    );
    std::fs::write(dir.join("manifest.json"), manifest)
}
