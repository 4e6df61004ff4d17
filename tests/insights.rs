//! `payrun insights` (SPEC §9, issue 16): three months of real runs, every
//! sheet checked against figures computed here by plain iteration over the
//! runs' CSVs (no polars); hand-made run folders for the outlier boundaries
//! and the refusals (exit 3); and the Parquet twins of `run --parquet` read
//! back and compared row by row with the CSVs.

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const PERIODS: [&str; 3] = ["2025-04", "2025-05", "2025-06"];

/// Pounds text to pence, as the CSVs write it.
fn pence(text: &str) -> i64 {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (w, f) = t.split_once('.').unwrap_or_else(|| panic!("money {text:?}"));
    let p = w.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap();
    if neg {
        -p
    } else {
        p
    }
}

fn pounds(p: i64) -> String {
    format!("{}{}.{:02}", if p < 0 { "-" } else { "" }, p.abs() / 100, p.abs() % 100)
}

/// Three monthly runs of the same sample staff, one ledger, with Parquet twins.
fn three_months(dir: &Path) -> Vec<PathBuf> {
    let state = dir.join("state");
    let mut outs = Vec::new();
    for period in PERIODS {
        let input = dir.join(format!("in-{period}"));
        let sample = payrun(&[
            "sample",
            "--staff",
            "120",
            "--lines",
            "1500",
            "--seed",
            "5",
            "--period",
            period,
            "--out",
            input.to_str().unwrap(),
        ]);
        assert_eq!(code(&sample), 0, "{}", stderr(&sample));
        let out = dir.join(format!("out-{period}"));
        let run = payrun(&[
            "run",
            "--quiet",
            "--no-xlsx",
            "--parquet",
            "--org",
            "RP5",
            "--period",
            period,
            "--roster",
            input.join("roster.xlsx").to_str().unwrap(),
            "--expenses",
            input.join("expenses.xlsx").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ]);
        assert_eq!(code(&run), 0, "{}", stderr(&run));
        outs.push(out);
    }
    outs
}

fn insights(runs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> =
        vec!["insights".into(), "--quiet".into(), "--out".into(), out.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(runs.iter().map(|r| r.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    payrun(&refs)
}

/// One run's files as the test reads them.
struct Run {
    org: String,
    period: String,
    decisions: Csv,
    exceptions: Csv,
    adjustments: Csv,
    manifest: serde_json::Value,
}

impl Run {
    fn read(dir: &Path) -> Run {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        Run {
            org: manifest["organisation"].as_str().unwrap_or("").to_string(),
            period: manifest["period"].as_str().unwrap().to_string(),
            decisions: Csv::read(&dir.join("decisions.csv")),
            exceptions: Csv::read(&dir.join("exceptions.csv")),
            adjustments: Csv::read(&dir.join("adjustments.csv")),
            manifest,
        }
    }

    /// Assignment → cost centre: the smallest non-blank on its adjustments rows.
    fn cost_centres(&self) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = HashMap::new();
        let (a, c) = (self.adjustments.col("assignment"), self.adjustments.col("cost_centre"));
        for row in &self.adjustments.rows {
            if row[c].is_empty() {
                continue;
            }
            let e = map.entry(row[a].clone()).or_insert_with(|| row[c].clone());
            if row[c] < *e {
                *e = row[c].clone();
            }
        }
        map
    }

    /// Assignment → name: adjustments.csv first, else exceptions.csv (smallest non-blank).
    fn names(&self) -> HashMap<String, String> {
        let mut names = HashMap::new();
        for csv in [&self.exceptions, &self.adjustments] {
            let mut here: HashMap<String, String> = HashMap::new();
            let (a, n) = (csv.col("assignment"), csv.col("name"));
            for row in &csv.rows {
                if row[a].is_empty() || row[n].is_empty() {
                    continue;
                }
                let e = here.entry(row[a].clone()).or_insert_with(|| row[n].clone());
                if row[n] < *e {
                    *e = row[n].clone();
                }
            }
            names.extend(here);
        }
        names
    }
}

/// Decision lines as (assignment, category, claimed, allowed, status, rules).
fn lines(run: &Run) -> Vec<(String, String, i64, i64, String, Vec<String>)> {
    let d = &run.decisions;
    let cols = ["assignment", "category", "claimed", "allowed", "status", "rules"].map(|c| d.col(c));
    d.rows
        .iter()
        .map(|r| {
            let mut rules: Vec<String> =
                r[cols[5]].split(';').filter(|s| !s.is_empty()).map(String::from).collect();
            rules.sort();
            rules.dedup();
            (
                r[cols[0]].clone(),
                r[cols[1]].clone(),
                pence(&r[cols[2]]),
                pence(&r[cols[3]]),
                r[cols[4]].clone(),
                rules,
            )
        })
        .collect()
}

fn withheld(claimed: i64, allowed: i64, status: &str) -> i64 {
    if status == "DEFERRED" {
        0
    } else {
        claimed - allowed
    }
}

fn latest_names(runs: &[Run]) -> HashMap<(String, String), String> {
    let mut by_period: Vec<&Run> = runs.iter().collect();
    by_period.sort_by(|a, b| a.period.cmp(&b.period));
    let mut names = HashMap::new();
    for r in by_period {
        for (a, n) in r.names() {
            names.insert((r.org.clone(), a), n);
        }
    }
    names
}

fn expected_trend(runs: &[Run]) -> Vec<Vec<String>> {
    let mut m: BTreeMap<(String, String, String), (i64, i64, i64)> = BTreeMap::new();
    for r in runs {
        let rule = r.exceptions.col("rule");
        for row in &r.exceptions.rows {
            m.entry((r.org.clone(), r.period.clone(), row[rule].clone())).or_default().0 += 1;
        }
        for (_, _, c, a, s, rules) in lines(r) {
            for rule in rules {
                let e = m.entry((r.org.clone(), r.period.clone(), rule)).or_default();
                e.1 += 1;
                e.2 += withheld(c, a, &s);
            }
        }
    }
    m.into_iter()
        .map(|((o, p, r), (f, l, w))| vec![o, p, r, f.to_string(), l.to_string(), pounds(w)])
        .collect()
}

/// Periods, lines and money withheld of one claimant × rule.
type Caught = (BTreeSet<String>, i64, i64);

fn expected_repeats(runs: &[Run], min_months: usize) -> Vec<Vec<String>> {
    let names = latest_names(runs);
    let mut m: BTreeMap<(String, String, String), Caught> = BTreeMap::new();
    for r in runs {
        for (a, _, c, al, s, rules) in lines(r) {
            if a.is_empty() {
                continue;
            }
            for rule in rules {
                let e = m.entry((r.org.clone(), a.clone(), rule)).or_default();
                e.0.insert(r.period.clone());
                e.1 += 1;
                e.2 += withheld(c, al, &s);
            }
        }
    }
    m.into_iter()
        .filter(|(_, (months, _, _))| months.len() >= min_months)
        .map(|((o, a, rule), (months, l, w))| {
            let name = names.get(&(o.clone(), a.clone())).cloned().unwrap_or_default();
            vec![o, a, name, rule, months.into_iter().collect::<Vec<_>>().join(";"), l.to_string(), pounds(w)]
        })
        .collect()
}

/// Exact decimal text of `num / den` pounds-in-pence with den 1, 2 or 4.
fn exact(num: i64, den: i64) -> String {
    // num/den pence → ten-thousandths of a pound
    let t = num * (100 / den);
    let s = format!("{}.{:04}", t / 10_000, t % 10_000);
    let trimmed = s.trim_end_matches('0');
    let decimals = trimmed.split('.').nth(1).map_or(0, str::len);
    if decimals < 2 {
        format!("{}.{:02}", t / 10_000, (t % 10_000) / 100)
    } else {
        trimmed.to_string()
    }
}

/// The modified z-score by plain arithmetic on fractions: median m = mn/2,
/// MAD = dn/4 pence; z = 0.6745 (x − m) / MAD.
fn expected_outliers(runs: &[Run]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for r in runs {
        let cc = r.cost_centres();
        let names = r.names();
        let mut groups: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
        for (a, cat, _, allowed, s, _) in lines(r) {
            if a.is_empty() || !(s == "PAID" || s == "ADJUSTED") {
                continue;
            }
            let centre = cc.get(&a).cloned().unwrap_or_else(|| "(none)".into());
            *groups.entry((cat, centre)).or_default().entry(a).or_default() += allowed;
        }
        for ((cat, centre), people) in groups {
            let n = people.len();
            if n < 10 {
                continue;
            }
            let mut v: Vec<i64> = people.values().copied().collect();
            v.sort();
            let mn = if n % 2 == 1 { 2 * v[n / 2] } else { v[n / 2 - 1] + v[n / 2] };
            let mut dev: Vec<i64> = people.values().map(|x| (2 * x - mn).abs()).collect();
            dev.sort();
            let dn = if n % 2 == 1 { 2 * dev[n / 2] } else { dev[n / 2 - 1] + dev[n / 2] };
            if dn == 0 {
                continue;
            }
            let mut listed: Vec<(i64, String, i64)> = Vec::new();
            for (a, x) in &people {
                // (x − mn/2) / (dn/4) = 4(2x − mn) / (2 dn)
                let d4 = 2 * (2 * x - mn) as i128;
                if 6745 * d4 > 35000 * dn as i128 {
                    let num = 6745 * d4;
                    let den = 100 * dn as i128;
                    let z100 = (2 * num + den) / (2 * den);
                    listed.push((z100 as i64, a.clone(), *x));
                }
            }
            listed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (z, a, x) in listed {
                rows.push(vec![
                    r.org.clone(),
                    r.period.clone(),
                    cat.clone(),
                    a.clone(),
                    names.get(&a).cloned().unwrap_or_default(),
                    centre.clone(),
                    pounds(x),
                    exact(mn, 2),
                    exact(dn, 4),
                    format!("{}.{:02}", z / 100, z % 100),
                    n.to_string(),
                ]);
            }
        }
    }
    rows
}

fn expected_cost_centres(runs: &[Run]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for r in runs {
        let cc = r.cost_centres();
        let mut m: BTreeMap<String, ([i64; 4], i64, BTreeSet<String>)> = BTreeMap::new();
        for (a, _, c, al, s, _) in lines(r) {
            let centre = cc.get(&a).cloned().unwrap_or_else(|| "(none)".into());
            let e = m.entry(centre).or_default();
            e.0[0] += c;
            e.0[1] += al;
            e.0[2] += withheld(c, al, &s);
            if s == "DEFERRED" {
                e.0[3] += c;
            }
            e.1 += 1;
            if !a.is_empty() {
                e.2.insert(a);
            }
        }
        for (centre, (sums, lines, people)) in m {
            let mut row = vec![r.org.clone(), r.period.clone(), centre];
            row.extend(sums.iter().map(|p| pounds(*p)));
            row.push(lines.to_string());
            row.push(people.len().to_string());
            rows.push(row);
        }
    }
    rows
}

fn expected_late(runs: &[Run]) -> Vec<Vec<String>> {
    let names = latest_names(runs);
    let mut m: BTreeMap<(String, String), (BTreeSet<String>, i64, i64)> = BTreeMap::new();
    for r in runs {
        for (a, _, _, _, s, _) in lines(r) {
            if s == "DEFERRED" && !a.is_empty() {
                let e = m.entry((r.org.clone(), a)).or_default();
                e.0.insert(r.period.clone());
                e.1 += 1;
            }
        }
        let (a, rule) = (r.exceptions.col("assignment"), r.exceptions.col("rule"));
        for row in &r.exceptions.rows {
            if row[rule].starts_with("AGE") && !row[a].is_empty() {
                let e = m.entry((r.org.clone(), row[a].clone())).or_default();
                e.0.insert(r.period.clone());
                e.2 += 1;
            }
        }
    }
    m.into_iter()
        .filter(|(_, (months, _, _))| months.len() >= 2)
        .map(|((o, a), (months, d, age))| {
            let name = names.get(&(o.clone(), a.clone())).cloned().unwrap_or_default();
            vec![o, a, name, months.into_iter().collect::<Vec<_>>().join(";"), d.to_string(), age.to_string()]
        })
        .collect()
}

fn expected_runs(runs: &[Run]) -> Vec<Vec<String>> {
    runs.iter()
        .map(|r| {
            let mut sums = [0i64; 4];
            let all = lines(r);
            for (_, _, c, a, s, _) in &all {
                sums[0] += c;
                sums[1] += a;
                sums[2] += withheld(*c, *a, s);
                if s == "DEFERRED" {
                    sums[3] += c;
                }
            }
            let m = &r.manifest;
            let mut row = vec![
                r.org.clone(),
                r.period.clone(),
                m["run_id"].as_str().unwrap_or("").to_string(),
                m["config_hash"].as_str().unwrap().to_string(),
                all.len().to_string(),
            ];
            row.extend(sums.iter().map(|p| pounds(*p)));
            row.push("PASS".into());
            row
        })
        .collect()
}

fn sheet(dir: &Path, file: &str, header: &[&str]) -> Vec<Vec<String>> {
    let csv = Csv::read(&dir.join(format!("{file}.csv")));
    assert_eq!(csv.header, header, "{file}.csv columns");
    csv.rows
}

#[test]
fn three_months_every_sheet_matches_plain_iteration() {
    let dir = tempfile::tempdir().unwrap();
    let outs = three_months(dir.path());
    let runs: Vec<Run> = outs.iter().map(|o| Run::read(o)).collect();
    let out = dir.path().join("insights");
    // Given newest first: the output order does not depend on the argument order.
    let args: Vec<&Path> = outs.iter().rev().map(PathBuf::as_path).collect();
    let result = insights(&args, &out, &[]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    assert!(out.join("insights-2025-04-2025-06.xlsx").is_file());

    let trend = sheet(&out, "trend", &["organisation", "period", "rule", "findings", "lines", "withheld"]);
    assert_eq!(trend, expected_trend(&runs));
    assert!(trend.iter().all(|r| r[0] == "RP5"), "organisation from the manifest");
    assert!(trend.iter().any(|r| r[5] != "0.00"), "some rule withholds money");

    let repeats = sheet(
        &out,
        "repeat_patterns",
        &["organisation", "assignment", "name", "rule", "months", "lines", "withheld"],
    );
    assert_eq!(repeats, expected_repeats(&runs, 3));
    assert!(!repeats.is_empty(), "the same sample staff are caught by a rule in all three months");
    assert!(repeats.iter().all(|r| r[4] == PERIODS.join(";")));

    let outliers = sheet(
        &out,
        "outliers",
        &[
            "organisation",
            "period",
            "category",
            "assignment",
            "name",
            "cost_centre",
            "value",
            "peer_median",
            "mad",
            "z",
            "peers",
        ],
    );
    assert_eq!(outliers, expected_outliers(&runs));

    let centres = sheet(
        &out,
        "cost_centres",
        &[
            "organisation",
            "period",
            "cost_centre",
            "claimed",
            "allowed",
            "withheld",
            "deferred",
            "lines",
            "claimants",
        ],
    );
    assert_eq!(centres, expected_cost_centres(&runs));
    // The cost centres add up to each run's totals.
    for r in &runs {
        let claimed: i64 = centres.iter().filter(|c| c[1] == r.period).map(|c| pence(&c[3])).sum();
        assert_eq!(pounds(claimed), r.manifest["reconciliation"]["claimed"].as_str().unwrap());
    }

    let late = sheet(
        &out,
        "late_and_deferred",
        &["organisation", "assignment", "name", "months", "deferred_lines", "age_findings"],
    );
    assert_eq!(late, expected_late(&runs));
    assert!(!late.is_empty(), "sample claimants are deferred or late in at least two months");

    let run_rows = sheet(
        &out,
        "runs",
        &[
            "organisation",
            "period",
            "run_id",
            "config_hash",
            "lines",
            "claimed",
            "allowed",
            "withheld",
            "deferred",
            "reconciliation",
        ],
    );
    assert_eq!(run_rows, expected_runs(&runs));

    // --min-months 2 lists more (or as many) patterns, again as computed here.
    let out2 = dir.path().join("insights-2");
    let result = insights(&args, &out2, &["--min-months", "2"]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let repeats2 = sheet(
        &out2,
        "repeat_patterns",
        &["organisation", "assignment", "name", "rule", "months", "lines", "withheld"],
    );
    assert_eq!(repeats2, expected_repeats(&runs, 2));
    assert!(repeats2.len() > repeats.len());

    // Deterministic: same runs → byte-identical CSVs, whatever polars' thread count.
    let out3 = dir.path().join("insights-1-thread");
    let mut args3: Vec<String> =
        vec!["insights".into(), "--quiet".into(), "--out".into(), out3.display().to_string()];
    args3.extend(outs.iter().map(|o| o.display().to_string()));
    let single = std::process::Command::new(env!("CARGO_BIN_EXE_payrun"))
        .args(&args3)
        .env("POLARS_MAX_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(code(&single), 0, "{}", stderr(&single));
    for f in ["trend", "repeat_patterns", "outliers", "cost_centres", "late_and_deferred", "runs"] {
        let name = format!("{f}.csv");
        assert_eq!(
            std::fs::read(out.join(&name)).unwrap(),
            std::fs::read(out3.join(&name)).unwrap(),
            "{name}"
        );
    }

    // Parquet twins: same rows as the CSVs; money Decimal(18,2), the rest strings.
    for o in &outs {
        parquet_matches_csv(o);
    }
}

fn parquet_matches_csv(dir: &Path) {
    use polars_core::prelude::*;
    use polars_io::prelude::*;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> =
        manifest["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for (csv_name, parquet_name, money) in [
        ("decisions.csv", "decisions.parquet", &["claimed", "allowed", "taxable_payroll", "p11d_amount"][..]),
        ("exceptions.csv", "exceptions.parquet", &["claimed", "allowed"][..]),
        ("adjustments.csv", "adjustments.parquet", &["rate", "amount"][..]),
    ] {
        assert!(listed.contains(&parquet_name), "{parquet_name} listed in the manifest");
        let csv = Csv::read(&dir.join(csv_name));
        let file = std::fs::File::open(dir.join(parquet_name)).unwrap();
        let df = ParquetReader::new(file).finish().unwrap();
        let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
        assert_eq!(names, csv.header, "{parquet_name} columns");
        assert_eq!(df.height(), csv.rows.len(), "{parquet_name} rows");
        assert!(df.height() > 0);
        for (c, name) in csv.header.iter().enumerate() {
            let column = df.column(name).unwrap();
            if money.contains(&name.as_str()) {
                assert_eq!(column.dtype(), &DataType::Decimal(18, 2), "{parquet_name}.{name}");
                let phys = column.to_physical_repr();
                let values = phys.i128().unwrap();
                for (i, row) in csv.rows.iter().enumerate() {
                    let expect = if row[c].is_empty() { None } else { Some(pence(&row[c]) as i128) };
                    assert_eq!(values.get(i), expect, "{parquet_name} row {} {name}", i + 2);
                }
            } else {
                assert_eq!(column.dtype(), &DataType::String, "{parquet_name}.{name}");
                let values = column.str().unwrap();
                for (i, row) in csv.rows.iter().enumerate() {
                    assert_eq!(values.get(i), Some(row[c].as_str()), "{parquet_name} row {} {name}", i + 2);
                }
            }
        }
    }
}

// ---- Hand-made run folders: outlier boundaries and refusals ----

const DECISIONS_HEADER: &str = "claim_id,line_no,assignment,expense_date,category,claimed,allowed,status,taxable_payroll,p11d_amount,p11d_section,pay_element,rules";

/// A run folder written by hand: (assignment, category, claimed, allowed,
/// status, rules) lines; (assignment, name, cost_centre) adjustment rows;
/// (assignment, name, rule) findings.
fn write_run(
    dir: &Path,
    org: &str,
    period: &str,
    lines: &[(&str, &str, i64, i64, &str, &str)],
    adjustments: &[(&str, &str, &str)],
    findings: &[(&str, &str, &str)],
) {
    std::fs::create_dir_all(dir).unwrap();
    let mut d = format!("{DECISIONS_HEADER}\n");
    let (mut claimed, mut allowed, mut withheld, mut deferred) = (0, 0, 0, 0);
    for (i, (a, cat, c, al, s, rules)) in lines.iter().enumerate() {
        d.push_str(&format!(
            "C{i},1,{a},2025-05-02,{cat},{},{},{s},0.00,0.00,,MILEAGE,{rules}\n",
            pounds(*c),
            pounds(*al)
        ));
        claimed += c;
        if *s == "DEFERRED" {
            deferred += c;
        } else {
            allowed += al;
            withheld += c - al;
        }
    }
    std::fs::write(dir.join("decisions.csv"), d).unwrap();
    let mut j = String::from(
        "assignment,name,cost_centre,element,units,rate,amount,taxable,ni_able,protected,protection_end,source\n",
    );
    for (a, n, cc) in adjustments {
        j.push_str(&format!("{a},{n},{cc},MILEAGE,,,1.00,N,N,,,\n"));
    }
    std::fs::write(dir.join("adjustments.csv"), j).unwrap();
    let mut e = String::from(
        "severity,rule,policy_ref,assignment,name,claim_id,line_no,date,claimed,allowed,message,source\n",
    );
    for (a, n, rule) in findings {
        e.push_str(&format!("WARNING,{rule},ref,{a},{n},,,,,,msg,\n"));
    }
    std::fs::write(dir.join("exceptions.csv"), e).unwrap();
    let manifest = serde_json::json!({
        "tool": "payrun",
        "period": period,
        "organisation": org,
        "config_hash": "cfg",
        "reconciliation": {
            "lines_read": lines.len(),
            "claimed": pounds(claimed),
            "allowed": pounds(allowed),
            "withheld": pounds(withheld),
            "deferred": pounds(deferred),
            "passed": true
        }
    });
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Peers named P00, P01… in `cc`, with MILEAGE allowed totals `values` (pence).
fn peers<'a>(
    names: &'a [String],
    values: &[i64],
    lines: &mut Vec<(&'a str, &'static str, i64, i64, &'static str, &'static str)>,
) {
    for (n, v) in names.iter().zip(values) {
        lines.push((n.as_str(), "MILEAGE", *v, *v, "PAID", ""));
    }
}

#[test]
fn outliers_fire_only_past_three_and_a_half_with_ten_peers_and_a_spread() {
    let dir = tempfile::tempdir().unwrap();
    let ids = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}{i:02}")).collect::<Vec<_>>();
    let (a, b, c, d) = (ids("A", 11), ids("B", 11), ids("C", 9), ids("D", 10));
    let mut lines = Vec::new();
    // A: median 1.00, MAD 0.10; 1.52 is 0.52 above: z 3.5074 → listed as 3.51.
    peers(&a, &[100, 90, 110, 90, 110, 90, 110, 90, 110, 90, 152], &mut lines);
    // B: the same but 1.51: z 3.44, not listed.
    peers(&b, &[100, 90, 110, 90, 110, 90, 110, 90, 110, 90, 151], &mut lines);
    // C: nine peers, one extreme: too few to judge.
    peers(&c, &[100, 90, 110, 90, 110, 90, 110, 90, 900_000], &mut lines);
    // D: ten peers, six equal: MAD 0 lists nobody, however far the rest are.
    peers(&d, &[500, 500, 500, 500, 500, 500, 1, 2, 3, 900_000], &mut lines);
    // A DEFERRED and a REJECTED line do not count towards the allowed total.
    lines.push(("B10", "MILEAGE", 100_000, 0, "DEFERRED", "CUT001"));
    let mut adjustments = Vec::new();
    for (group, cc) in [(&a, "CC-A"), (&b, "CC-B"), (&c, "CC-C")] {
        for p in group.iter() {
            adjustments.push((p.as_str(), "Name", cc));
        }
    }
    // D has no adjustments rows: cost centre (none).
    let run = dir.path().join("run");
    write_run(&run, "RX1", "2025-06", &lines, &adjustments, &[]);
    let out = dir.path().join("ins");
    let result = insights(&[&run], &out, &[]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let rows = Csv::read(&out.join("outliers.csv")).rows;
    assert_eq!(
        rows,
        vec![vec!["RX1", "2025-06", "MILEAGE", "A10", "Name", "CC-A", "1.52", "1.00", "0.10", "3.51", "11"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()]
    );
    let centres = Csv::read(&out.join("cost_centres.csv")).rows;
    let none = centres.iter().find(|r| r[2] == "(none)").expect("(none) cost centre");
    assert_eq!(none[7], "10");
    assert_eq!(none[8], "10");
    let b_row = centres.iter().find(|r| r[2] == "CC-B").unwrap();
    assert_eq!((b_row[3].as_str(), b_row[6].as_str(), b_row[7].as_str()), ("1011.41", "1000.00", "12"));
    assert!(out.join("insights-2025-06-2025-06.xlsx").is_file());
}

#[test]
fn even_peer_counts_give_half_penny_medians_written_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..10).map(|i| format!("E{i:02}")).collect();
    let mut lines = Vec::new();
    peers(&ids, &[97, 98, 99, 100, 100, 101, 101, 102, 103, 1000], &mut lines);
    let adjustments: Vec<(&str, &str, &str)> = ids.iter().map(|p| (p.as_str(), "", "CC")).collect();
    let run = dir.path().join("run");
    write_run(&run, "", "2025-06", &lines, &adjustments, &[]);
    let out = dir.path().join("ins");
    let result = insights(&[&run], &out, &[]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let rows = Csv::read(&out.join("outliers.csv")).rows;
    assert_eq!(rows.len(), 1);
    // median 1.005, MAD 0.015, z = 0.6745 × 8.995 / 0.015 = 404.4751… → 404.48
    assert_eq!(&rows[0][6..], ["10.00", "1.005", "0.015", "404.48", "10"]);
}

#[test]
fn late_and_deferred_needs_two_periods_and_trend_counts_findings_without_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (r1, r2, r3) = (dir.path().join("m1"), dir.path().join("m2"), dir.path().join("m3"));
    // X: deferred in May, an AGE finding in June → listed. Y: deferred twice in May only → not.
    write_run(
        &r1,
        "RX1",
        "2025-05",
        &[
            ("X", "RAIL", 1000, 0, "DEFERRED", "CUT001"),
            ("Y", "RAIL", 500, 0, "DEFERRED", "CUT001"),
            ("Y", "RAIL", 700, 0, "DEFERRED", "CUT001"),
        ],
        &[],
        &[("X", "Xavier", "CUT001"), ("Y", "Yan", "CUT001"), ("Y", "Yan", "CUT001")],
    );
    write_run(
        &r2,
        "RX1",
        "2025-06",
        &[("X", "RAIL", 1000, 0, "REJECTED", "AGE001"), ("Z", "RAIL", 300, 200, "ADJUSTED", "TRV002")],
        &[("Z", "Zed", "CC1")],
        &[("X", "Xavier B", "AGE001"), ("", "", "LV001")],
    );
    // Another organisation, same period: its own rows.
    write_run(&r3, "RX2", "2025-06", &[("X", "RAIL", 100, 100, "PAID", "")], &[("X", "Other X", "CC9")], &[]);
    let out = dir.path().join("ins");
    let result = insights(&[&r2, &r3, &r1], &out, &["--min-months", "1"]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let late = Csv::read(&out.join("late_and_deferred.csv")).rows;
    assert_eq!(late, vec![vec!["RX1", "X", "Xavier B", "2025-05;2025-06", "1", "1"]]);
    let trend = Csv::read(&out.join("trend.csv")).rows;
    let find =
        |o: &str, p: &str, r: &str| trend.iter().find(|t| t[0] == o && t[1] == p && t[2] == r).cloned();
    assert_eq!(
        find("RX1", "2025-05", "CUT001").unwrap()[3..],
        ["3", "3", "0.00"],
        "deferred lines withhold 0"
    );
    assert_eq!(find("RX1", "2025-06", "AGE001").unwrap()[3..], ["1", "1", "10.00"]);
    assert_eq!(find("RX1", "2025-06", "TRV002").unwrap()[3..], ["0", "1", "1.00"]);
    assert_eq!(find("RX1", "2025-06", "LV001").unwrap()[3..], ["1", "0", "0.00"]);
    assert!(find("RX2", "2025-06", "LV001").is_none());
    let runs = Csv::read(&out.join("runs.csv")).rows;
    let keys: Vec<(&str, &str)> = runs.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(keys, [("RX1", "2025-05"), ("RX1", "2025-06"), ("RX2", "2025-06")]);
    assert!(runs.iter().all(|r| r[9] == "PASS"));
    let repeats = Csv::read(&out.join("repeat_patterns.csv")).rows;
    assert!(repeats.iter().any(|r| r[..5] == ["RX1", "Y", "Yan", "CUT001", "2025-05"] && r[5] == "2"));
    assert!(out.join("insights-2025-05-2025-06.xlsx").is_file());
}

#[test]
fn refusals_exit_3_naming_the_folder_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    write_run(&good, "RX1", "2025-06", &[("X", "RAIL", 100, 100, "PAID", "")], &[], &[]);
    let out = dir.path().join("ins");

    // Not a run folder at all, and a folder without its decisions.csv.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let r = insights(&[&good, &empty], &out, &[]);
    assert_eq!(code(&r), 3);
    assert!(stderr(&r).contains(&empty.display().to_string()), "{}", stderr(&r));
    let partial = dir.path().join("partial");
    write_run(&partial, "RX1", "2025-07", &[], &[], &[]);
    std::fs::remove_file(partial.join("decisions.csv")).unwrap();
    let r = insights(&[&good, &partial], &out, &[]);
    assert_eq!(code(&r), 3);
    assert!(stderr(&r).contains("partial") && stderr(&r).contains("decisions.csv"), "{}", stderr(&r));

    // Two runs of the same organisation and period: both named.
    let twin = dir.path().join("twin");
    write_run(&twin, "RX1", "2025-06", &[], &[], &[]);
    let r = insights(&[&good, &twin], &out, &[]);
    assert_eq!(code(&r), 3);
    let err = stderr(&r);
    assert!(err.contains(&good.display().to_string()) && err.contains(&twin.display().to_string()), "{err}");
    // Same period, another organisation: fine.
    let other = dir.path().join("other");
    write_run(&other, "RX2", "2025-06", &[], &[], &[]);
    assert_eq!(code(&insights(&[&good, &other], &out, &[])), 0);

    // A money cell edited into text: the file, row, column and value.
    let edited = dir.path().join("edited");
    write_run(
        &edited,
        "RX3",
        "2025-06",
        &[("X", "RAIL", 100, 100, "PAID", ""), ("Y", "RAIL", 5, 5, "PAID", "")],
        &[],
        &[],
    );
    let path = edited.join("decisions.csv");
    let text = std::fs::read_to_string(&path).unwrap().replace(",0.05,0.05,", ",five,0.05,");
    std::fs::write(&path, text).unwrap();
    let r = insights(&[&edited], &out, &[]);
    assert_eq!(code(&r), 3);
    let err = stderr(&r);
    assert!(
        err.contains(&path.display().to_string()) && err.contains("row 3") && err.contains("claimed"),
        "{err}"
    );
    assert!(err.contains("five"), "{err}");

    // A column removed from exceptions.csv.
    let cut = dir.path().join("cut");
    write_run(&cut, "RX4", "2025-06", &[], &[], &[]);
    std::fs::write(cut.join("exceptions.csv"), "severity,policy_ref,assignment,name\n").unwrap();
    let r = insights(&[&cut], &out, &[]);
    assert_eq!(code(&r), 3);
    assert!(stderr(&r).contains("exceptions.csv") && stderr(&r).contains("rule"), "{}", stderr(&r));

    // Nothing was put in place by the refused runs' attempts beyond the good pair.
    assert!(!out.join("insights-2025-06-2025-06.xlsx.tmp").exists());
}

/// absence.csv and absence-reasons.csv written by hand into a run folder:
/// one cost centre row and the `(all)` row with the same figures (hundredths).
fn write_absence(dir: &Path, org: &str, period: &str, month: &str, available: i64, lost: i64, long: i64) {
    let h = |v: i64| format!("{}.{:02}", v / 100, v % 100);
    let rate = |part: i64| h((part * 10_000 * 2 + available) / (available * 2));
    let mut a = String::from(
        "organisation,period,month,cost_centre,staff_group,headcount,fte,fte_days_available,fte_days_lost,\
         fte_days_lost_short,fte_days_lost_long,rate,rate_short,rate_long,episodes,episodes_long,returns,\
         rtw_recorded,rtw_on_time\n",
    );
    for cc in ["CC1", "(all)"] {
        let sg = if cc == "CC1" { "Nursing" } else { "(all)" };
        a.push_str(&format!(
            "{org},{period},{month},{cc},{sg},40,32.50,{},{},{},{},{},{},{},3,1,2,2,1\n",
            h(available),
            h(lost),
            h(lost - long),
            h(long),
            rate(lost),
            rate(lost - long),
            rate(long)
        ));
    }
    std::fs::write(dir.join("absence.csv"), a).unwrap();
    std::fs::write(
        dir.join("absence-reasons.csv"),
        format!(
            "organisation,period,month,reason,episodes,fte_days_lost,share\n{org},{period},{month},S12 Other,3,{},100.00\n",
            h(lost)
        ),
    )
    .unwrap();
}

/// SPEC §10.5 sheet 7: thirteen months of one organisation; the rolling
/// 12-month rates appear only from the twelfth month and equal Σ lost ÷
/// Σ available over the twelve months ending there (plain iteration here);
/// a fourteenth run without absence files is named on stderr and left out.
#[test]
fn rolling_twelve_month_rates_need_twelve_months() {
    let dir = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    let mut figures = Vec::new();
    for k in 0..13i64 {
        let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Months::new(k as u32);
        let month = first.format("%Y-%m").to_string();
        let period = (first + chrono::Months::new(1)).format("%Y-%m").to_string();
        let run = dir.path().join(format!("run-{period}"));
        write_run(&run, "RX1", &period, &[], &[], &[]);
        // available 1000.00 + k × 7.31 days; lost 41.37 + k × 3.03; long a third of it.
        let (available, lost) = (100_000 + k * 731, 4137 + k * 303);
        let long = lost / 3;
        write_absence(&run, "RX1", &period, &month, available, lost, long);
        figures.push((month, available, lost, long));
        folders.push(run);
    }
    let old = dir.path().join("run-2023-12");
    write_run(&old, "RX1", "2023-12", &[], &[], &[]);
    folders.push(old.clone());
    let out = dir.path().join("ins");
    let refs: Vec<&Path> = folders.iter().map(PathBuf::as_path).collect();
    let result = insights(&refs, &out, &["--min-months", "1"]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    assert!(
        stderr(&result).contains(&format!("{} has no absence.csv", old.display())),
        "{}",
        stderr(&result)
    );
    let trend = sheet(
        &out,
        "absence_trend",
        &[
            "organisation",
            "month",
            "fte",
            "fte_days_available",
            "fte_days_lost",
            "fte_days_lost_short",
            "fte_days_lost_long",
            "rate",
            "rate_short",
            "rate_long",
            "rate_12m",
            "rate_short_12m",
            "rate_long_12m",
        ],
    );
    assert_eq!(trend.len(), 14, "13 months and the all row: {trend:?}");
    assert!(trend.iter().all(|r| r[1] != "2022-11"), "the old run's month is absent");
    let ratio = |part: i64, whole: i64| {
        let h = (part * 10_000 * 2 + whole) / (whole * 2);
        format!("{}.{:02}", h / 100, h % 100)
    };
    for (i, (month, _, _, _)) in figures.iter().enumerate() {
        let row = &trend[i];
        assert_eq!(&row[1], month);
        if i < 11 {
            assert_eq!(row[10..], ["", "", ""], "{month}: fewer than 12 months");
            continue;
        }
        let window = &figures[i - 11..=i];
        let available: i64 = window.iter().map(|f| f.1).sum();
        let lost: i64 = window.iter().map(|f| f.2).sum();
        let long: i64 = window.iter().map(|f| f.3).sum();
        assert_eq!(
            row[10..],
            [ratio(lost, available), ratio(lost - long, available), ratio(long, available)],
            "{month}"
        );
    }
    let all = &trend[13];
    assert_eq!(all[1], "all");
    let available: i64 = figures.iter().map(|f| f.1).sum();
    let lost: i64 = figures.iter().map(|f| f.2).sum();
    assert_eq!(all[7], ratio(lost, available));
    assert_eq!(all[10..], ["", "", ""]);
}

/// `payrun run` of a bundled sample month (`samples/PERIOD`).
fn sample_run(period: &str, out: &Path, state: &Path, extra: &[&str]) {
    let input = root().join("samples").join(period);
    let mut args = vec![
        "run".to_string(),
        "--quiet".into(),
        "--no-xlsx".into(),
        "--period".into(),
        period.into(),
        "--roster".into(),
        input.join("roster.xlsx").display().to_string(),
        "--expenses".into(),
        input.join("expenses.xlsx").display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        state.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = payrun(&refs);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
}

/// A reviews CSV (SPEC §11.2) of the template's rows given, each with its
/// review, amount and note.
fn write_reviews(path: &Path, template: &Csv, rows: &[(&Vec<String>, &str, &str, &str)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&template.header).unwrap();
    let (review, amount, note) = (template.col("review"), template.col("amount"), template.col("note"));
    for (row, r, a, n) in rows {
        let mut row = (*row).clone();
        row[review] = r.to_string();
        row[amount] = a.to_string();
        row[note] = n.to_string();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

fn import(file: &Path, state: &Path) {
    let r = payrun(&[
        "review",
        "import",
        file.to_str().unwrap(),
        "--reviewer",
        "A. Auditor",
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(code(&r), 0, "{}", stderr(&r));
}

/// 100 × part ÷ whole, 2 decimals half up, as text (blank for whole 0).
fn share(part: i64, whole: i64) -> String {
    if whole == 0 {
        return String::new();
    }
    let h = (part * 10_000 * 2 + whole) / (2 * whole);
    format!("{}.{:02}", h / 100, h % 100)
}

#[test]
fn reviews_sheet_counts_each_findings_latest_review_and_the_money_runs_carried() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let (state, rp5_state) = (t.join("state"), t.join("rp5-state"));
    let (apr, may, rp5_apr) = (t.join("out-2025-04"), t.join("out-2025-05"), t.join("rp5-2025-04"));
    sample_run("2025-04", &apr, &state, &[]);
    // A second organisation's ledger, never reviewed.
    sample_run("2025-04", &rp5_apr, &rp5_state, &["--org", "RP5"]);
    let template = payrun(&[
        "review",
        "template",
        "--period",
        "2025-04",
        "--state",
        state.to_str().unwrap(),
        "--out",
        t.to_str().unwrap(),
    ]);
    assert_eq!(code(&template), 0, "{}", stderr(&template));
    let tpl = Csv::read(&t.join("reviews-2025-04.csv"));
    let of_rule = |rule: &str| tpl.find(&[("rule", rule)]);
    let age = of_rule("AGE003");
    assert!(age.len() >= 32, "the sample has {} AGE003 findings", age.len());
    let mil: Vec<&Vec<String>> =
        of_rule("MIL006").into_iter().filter(|r| tpl.get(r, "status") == "REJECTED").collect();
    assert!(mil.len() >= 3);
    let recover = *tpl
        .find(&[("rule", "SUB004")])
        .iter()
        .find(|r| pence(&tpl.get(r, "allowed")) >= 200)
        .expect("a SUB004 finding on a line that paid at least £2");
    let pay_amount = pence(&tpl.get(mil[2], "claimed")) - pence(&tpl.get(mil[2], "allowed"));
    let recover_amount = pence(&tpl.get(recover, "allowed")) / 2;

    // First import: 32 AGE003 queries; MIL006 cleared, queried, paid; a SUB004 recovery.
    let mut first: Vec<(&Vec<String>, &str, &str, &str)> =
        age[..32].iter().map(|r| (*r, "QUERY", "", "asked the manager")).collect();
    let (pay_text, recover_text) = (pounds(pay_amount), pounds(recover_amount));
    first.extend([
        (mil[0], "CLEARED", "", ""),
        (mil[1], "QUERY", "", "insurance certificate asked for"),
        (mil[2], "PAY", pay_text.as_str(), "insurance was in force: certificate seen"),
        (recover, "RECOVER", recover_text.as_str(), "hotel paid by the trust"),
    ]);
    write_reviews(&t.join("first.csv"), &tpl, &first);
    import(&t.join("first.csv"), &state);
    // Second import supersedes two of them: AGE003 1 of 32 cleared (3.125 % → 3.13),
    // MIL006 2 of 3 cleared (66.666… → 66.67).
    write_reviews(
        &t.join("second.csv"),
        &tpl,
        &[(age[0], "CLEARED", "", "in policy"), (mil[1], "CLEARED", "", "certificate seen")],
    );
    import(&t.join("second.csv"), &state);
    // The next month's run pays and recovers (one instalment by default).
    sample_run("2025-05", &may, &state, &[]);
    let adj = Csv::read(&may.join("adjustments.csv"));
    // Rows of one finding: its id leads the row's source (decision 505).
    let carried = |fid: &str| -> i64 {
        let source = adj.col("source");
        adj.rows.iter().filter(|r| r[source].contains(fid)).map(|r| pence(&adj.get(r, "amount"))).sum()
    };
    let id = tpl.col("finding_id");
    assert_eq!(carried(&mil[2][id]), pay_amount, "the PAY is batched in 2025-05");
    assert_eq!(carried(&recover[id]), -recover_amount, "the RECOVER is batched in 2025-05");

    // Expected rows from the runs' own exceptions.csv and the reviews above.
    let mut latest: HashMap<String, &str> = HashMap::new();
    for (row, review, _, _) in first.iter() {
        latest.insert(row[id].clone(), review);
    }
    latest.insert(age[0][id].clone(), "CLEARED");
    latest.insert(mil[1][id].clone(), "CLEARED");
    let money: HashMap<String, (i64, i64)> =
        [(recover[id].clone(), (recover_amount, 0)), (mil[2][id].clone(), (0, pay_amount))].into();
    let mut expected: BTreeMap<(String, String, String), [i64; 6]> = BTreeMap::new();
    for dir in [&apr, &may, &rp5_apr] {
        let run = Run::read(dir);
        let ex = &run.exceptions;
        for row in &ex.rows {
            if !matches!(ex.get(row, "severity").as_str(), "ERROR" | "WARNING") {
                continue;
            }
            let fid = ex.get(row, "finding_id");
            let e = expected.entry((run.org.clone(), run.period.clone(), ex.get(row, "rule"))).or_default();
            e[0] += 1;
            if let Some(review) = latest.get(&fid).filter(|_| run.org.is_empty()) {
                e[1] += 1;
                e[2] += i64::from(*review == "CLEARED");
                e[3] += i64::from(*review == "QUERY");
            }
            if let Some((recovered, paid)) = money.get(&fid).filter(|_| run.org.is_empty()) {
                e[4] += recovered;
                e[5] += paid;
            }
        }
    }
    let expected: Vec<Vec<String>> = expected
        .into_iter()
        .map(|((o, p, r), [f, rev, c, q, rec, paid])| {
            let mut row = vec![o, p, r];
            row.extend([f, rev, c, q].map(|n| n.to_string()));
            row.extend([pounds(rec), pounds(paid), share(c, rev)]);
            row
        })
        .collect();

    let header = [
        "organisation",
        "period",
        "rule",
        "findings",
        "reviewed",
        "cleared",
        "queried",
        "recovered",
        "paid",
        "cleared_share",
    ];
    let (s, r) = (state.display().to_string(), rp5_state.display().to_string());
    let out = t.join("ins");
    let result = insights(&[&apr, &may, &rp5_apr], &out, &["--state", &s, "--state", &r]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    assert_eq!(stderr(&result), "", "nothing left out");
    let rows = sheet(&out, "reviews", &header);
    assert_eq!(rows, expected);
    let row = |o: &str, p: &str, rule: &str| {
        rows.iter().find(|x| x[0] == o && x[1] == p && x[2] == rule).unwrap_or_else(|| panic!("{rule}"))[3..]
            .to_vec()
    };
    let age_total = age.len().to_string();
    assert_eq!(row("", "2025-04", "AGE003"), [age_total.as_str(), "32", "1", "31", "0.00", "0.00", "3.13"]);
    assert_eq!(row("", "2025-04", "MIL006")[1..], ["3", "2", "0", "0.00", pay_text.as_str(), "66.67"]);
    assert_eq!(row("", "2025-04", "SUB004")[1..], ["1", "0", "0", recover_text.as_str(), "0.00", "0.00"]);
    assert_eq!(row("RP5", "2025-04", "AGE003")[1..], ["0", "0", "0", "0.00", "0.00", ""]);
    assert!(rows.iter().filter(|x| x[1] == "2025-05").all(|x| x[4] == "0" && x[9].is_empty()));
    assert!(out.join("insights-2025-04-2025-05.xlsx").is_file());

    // The same bytes whatever order the state and run folders are given in.
    let again = t.join("ins-again");
    let result = insights(&[&rp5_apr, &may, &apr], &again, &["--state", &r, "--state", &s]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    assert_eq!(
        std::fs::read(out.join("reviews.csv")).unwrap(),
        std::fs::read(again.join("reviews.csv")).unwrap()
    );

    // Only the periods of the runs read: April alone lists no May rows.
    let april = t.join("ins-april");
    let result = insights(&[&apr], &april, &["--state", &s]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let april_rows = sheet(&april, "reviews", &header);
    assert!(!april_rows.is_empty() && april_rows.iter().all(|x| x[0].is_empty() && x[1] == "2025-04"));
    assert_eq!(stderr(&result), "");

    // Without --state: no Reviews sheet, and stderr says so in one line.
    let plain = t.join("ins-plain");
    let result = insights(&[&apr, &may], &plain, &[]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    assert!(!plain.join("reviews.csv").exists());
    let err = stderr(&result);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--state") && err.contains("Reviews sheet"), "{err}");

    // Two ledgers of one organisation: refused, naming both.
    let twice = payrun(&[
        "insights",
        "--out",
        t.join("x").to_str().unwrap(),
        apr.to_str().unwrap(),
        "--state",
        &s,
        "--state",
        &s,
    ]);
    assert_eq!(code(&twice), 3, "{}", stderr(&twice));
}

#[test]
fn reviews_sheet_leaves_out_a_ledger_older_than_stored_findings_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    // A v3 ledger (period 2025-06 committed long before findings were kept).
    std::fs::copy(fixture("ledger_v3/ledger.sqlite"), state.join("ledger.sqlite")).unwrap();
    let run = dir.path().join("m1");
    write_run(
        &run,
        "",
        "2025-06",
        &[("X", "RAIL", 1000, 0, "REJECTED", "AGE001")],
        &[],
        &[("X", "Xavier", "AGE001")],
    );
    let out = dir.path().join("ins");
    let s = state.display().to_string();
    let result = insights(&[&run], &out, &["--state", &s]);
    assert_eq!(code(&result), 0, "{}", stderr(&result));
    let err = stderr(&result);
    assert!(
        err.contains(&state.join("ledger.sqlite").display().to_string()) && err.contains("2025-06"),
        "{err}"
    );
    assert!(err.contains("left out of the Reviews sheet"), "{err}");
    assert_eq!(Csv::read(&out.join("reviews.csv")).rows, Vec::<Vec<String>>::new());
}
