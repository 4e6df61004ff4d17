//! Insights sheets 7–10 (SPEC §10.5): sickness absence across months, from
//! each run's absence.csv and absence-reasons.csv as written (2 decimals).
//! A month's own rates are copied from its `(all)` row; every ratio over
//! several months sums the written values and rounds once, half up. A run
//! written before these files existed is left out of these sheets only.

use super::load::RunFolder;
use crate::error::{Error, Result};
use crate::model::money::{hundredths, round_half_up_div};
use crate::model::period::Period;
use crate::output::tables::{Table, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub const TREND: [&str; 13] = [
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
];
pub const BY_COST_CENTRE: [&str; 11] = [
    "organisation",
    "cost_centre",
    "staff_group",
    "fte_days_available",
    "fte_days_lost",
    "fte_days_lost_short",
    "fte_days_lost_long",
    "rate",
    "rate_short",
    "rate_long",
    "days_lost_per_fte",
];
pub const REASONS: [&str; 5] = ["organisation", "reason", "episodes", "fte_days_lost", "share"];
pub const RETURNS: [&str; 7] =
    ["organisation", "month", "returns", "rtw_recorded", "rtw_on_time", "recorded_pct", "on_time_pct"];

/// One absence.csv row as written: figures in hundredths.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub cost_centre: String,
    pub staff_group: String,
    /// fte, available, lost, short, long.
    pub days: [i64; 5],
    /// rate, rate_short, rate_long as written (blank = none).
    pub rates: [Option<i64>; 3],
    /// returns, rtw_recorded, rtw_on_time (rtw columns blank = none).
    pub returns: [Option<i64>; 3],
}

/// One run's two files.
#[derive(Clone, Debug, Default)]
pub struct RunAbsence {
    pub organisation: String,
    /// The activity month, `YYYY-MM`.
    pub month: String,
    pub rows: Vec<Figures>,
    /// (reason, episodes, fte_days_lost in hundredths).
    pub reasons: Vec<(String, i64, i64)>,
}

/// Reads the runs' absence files; the folders of runs without them are
/// returned apart, for stderr.
pub fn read(folders: &[RunFolder]) -> Result<(Vec<RunAbsence>, Vec<String>)> {
    let mut runs = Vec::new();
    let mut without = Vec::new();
    for f in folders {
        let (absence, reasons) = (f.dir.join("absence.csv"), f.dir.join("absence-reasons.csv"));
        if !absence.is_file() || !reasons.is_file() {
            without.push(f.dir.display().to_string());
            continue;
        }
        let month = Period::parse_month(&f.period)
            .map(|p| crate::model::time::add_months(p, -1).format("%Y-%m").to_string())
            .unwrap_or_default();
        let mut run = RunAbsence { organisation: f.organisation.clone(), month, ..Default::default() };
        for rec in records(&absence)? {
            let get = |name: &str| rec.get(name).cloned().unwrap_or_default();
            let num = |name: &str| figure(&absence, &get(name));
            run.rows.push(Figures {
                cost_centre: crate::model::csv_text::unescape(&get("cost_centre")).to_string(),
                staff_group: get("staff_group"),
                days: [
                    num("fte")?.unwrap_or(0),
                    num("fte_days_available")?.unwrap_or(0),
                    num("fte_days_lost")?.unwrap_or(0),
                    num("fte_days_lost_short")?.unwrap_or(0),
                    num("fte_days_lost_long")?.unwrap_or(0),
                ],
                rates: [num("rate")?, num("rate_short")?, num("rate_long")?],
                returns: [whole(&get("returns")), whole(&get("rtw_recorded")), whole(&get("rtw_on_time"))],
            });
        }
        for rec in records(&reasons)? {
            let get = |name: &str| rec.get(name).cloned().unwrap_or_default();
            run.reasons.push((
                crate::model::csv_text::unescape(&get("reason")).to_string(),
                whole(&get("episodes")).unwrap_or(0),
                figure(&reasons, &get("fte_days_lost"))?.unwrap_or(0),
            ));
        }
        runs.push(run);
    }
    runs.sort_by(|a, b| (&a.organisation, &a.month).cmp(&(&b.organisation, &b.month)));
    Ok((runs, without))
}

fn records(path: &Path) -> Result<Vec<BTreeMap<String, String>>> {
    let bad = |e: csv::Error| Error::Input(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let header: Vec<String> = reader.headers().map_err(bad)?.iter().map(String::from).collect();
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(bad)?;
        out.push(header.iter().cloned().zip(rec.iter().map(String::from)).collect());
    }
    Ok(out)
}

/// A 2-decimal figure in hundredths; blank = none.
fn figure(path: &Path, text: &str) -> Result<Option<i64>> {
    if text.is_empty() {
        return Ok(None);
    }
    crate::model::Pence::parse_csv(text)
        .map(|p| Some(p.0))
        .ok_or_else(|| Error::Input(format!("{}: {text:?} is not a figure with 2 decimals", path.display())))
}

fn whole(text: &str) -> Option<i64> {
    text.parse().ok()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A figure in hundredths as a cell.
fn decimal(h: i64) -> Value {
    Value::Decimal { text: hundredths(h), number: h as f64 / 100.0, money: false }
}

fn maybe(h: Option<i64>) -> Value {
    h.map_or(Value::Text(String::new()), decimal)
}

/// 100 × part ÷ whole (both hundredths), in hundredths, half up.
fn rate(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| round_half_up_div(i128::from(part) * 10_000, i128::from(whole)))
}

fn all_row(run: &RunAbsence) -> Option<&Figures> {
    run.rows.iter().find(|r| r.cost_centre == crate::model::absence::ALL)
}

/// The months ending `month` (YYYY-MM), 12 of them, as text.
fn twelve_ending(month: &str) -> Vec<String> {
    let Some(end) = Period::parse_month(month) else { return Vec::new() };
    (0..12).map(|k| crate::model::time::add_months(end, -k).format("%Y-%m").to_string()).collect()
}

/// Sheet 7, Absence trend, and the rows the chart draws (first organisation).
pub fn trend(runs: &[RunAbsence]) -> Table {
    let mut rows = Vec::new();
    let mut by_org: BTreeMap<&str, BTreeMap<&str, &Figures>> = BTreeMap::new();
    for run in runs {
        if let Some(all) = all_row(run) {
            by_org.entry(run.organisation.as_str()).or_default().insert(run.month.as_str(), all);
        }
    }
    for (org, months) in &by_org {
        for (month, f) in months {
            let window = twelve_ending(month);
            let complete = window.iter().all(|m| months.contains_key(m.as_str()));
            let twelve: [Option<i64>; 3] = if complete {
                let sum = |i: usize| window.iter().map(|m| months[m.as_str()].days[i]).sum::<i64>();
                let available = sum(1);
                [rate(sum(2), available), rate(sum(3), available), rate(sum(4), available)]
            } else {
                [None; 3]
            };
            let mut row = vec![text(org), text(month)];
            row.extend(f.days.iter().map(|h| decimal(*h)));
            row.extend(f.rates.iter().map(|r| maybe(*r)));
            row.extend(twelve.iter().map(|r| maybe(*r)));
            rows.push(row);
        }
        let sum = |i: usize| months.values().map(|f| f.days[i]).sum::<i64>();
        let available = sum(1);
        let mut row = vec![text(org), text("all"), text("")];
        row.extend((1..5).map(|i| decimal(sum(i))));
        row.extend([rate(sum(2), available), rate(sum(3), available), rate(sum(4), available)].map(maybe));
        row.extend([text(""), text(""), text("")]);
        rows.push(row);
    }
    Table { title: "Absence trend", file: "absence_trend", header: &TREND, rows }
}

/// Calendar days of a `YYYY-MM` month.
fn days_in(month: &str) -> i64 {
    Period::parse_month(month)
        .map_or(0, |first| (crate::model::time::add_months(first, 1) - first).num_days())
}

/// Sheet 8, Absence by cost centre, over every month read.
pub fn by_cost_centre(runs: &[RunAbsence]) -> Table {
    let mut groups: BTreeMap<(&str, &str, &str), [i64; 4]> = BTreeMap::new();
    let mut calendar: BTreeMap<&str, i64> = BTreeMap::new();
    for run in runs {
        *calendar.entry(run.organisation.as_str()).or_default() += days_in(&run.month);
        for f in run.rows.iter().filter(|r| r.cost_centre != crate::model::absence::ALL) {
            let g = groups.entry((&run.organisation, &f.cost_centre, &f.staff_group)).or_default();
            for (sum, day) in g.iter_mut().zip(&f.days[1..]) {
                *sum += day;
            }
        }
    }
    let rows = groups
        .into_iter()
        .map(|((org, cc, sg), [available, lost, short, long])| {
            let days = calendar.get(org).copied().unwrap_or(0);
            // Σ lost ÷ (Σ available ÷ Σ calendar days), in hundredths.
            let per_fte = (available > 0)
                .then(|| round_half_up_div(i128::from(lost) * i128::from(days) * 100, i128::from(available)));
            let mut row = vec![text(org), text(cc), text(sg)];
            row.extend([available, lost, short, long].map(decimal));
            row.extend([rate(lost, available), rate(short, available), rate(long, available)].map(maybe));
            row.push(maybe(per_fte));
            row
        })
        .collect();
    Table { title: "Absence by cost centre", file: "absence_by_cost_centre", header: &BY_COST_CENTRE, rows }
}

/// Sheet 9, Absence reasons, over every month read.
pub fn reasons(runs: &[RunAbsence]) -> Table {
    let mut by: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    let mut total: BTreeMap<&str, i64> = BTreeMap::new();
    for run in runs {
        for (reason, episodes, lost) in &run.reasons {
            let e = by.entry((&run.organisation, reason)).or_default();
            e.0 += episodes;
            e.1 += lost;
            *total.entry(&run.organisation).or_default() += lost;
        }
    }
    // ((organisation, reason), (episodes, lost)).
    type Entry<'a> = ((&'a str, &'a str), (i64, i64));
    let mut ordered: Vec<Entry> = by.into_iter().collect();
    ordered.sort_by(|a, b| a.0 .0.cmp(b.0 .0).then(b.1 .1.cmp(&a.1 .1)).then(a.0 .1.cmp(b.0 .1)));
    let rows = ordered
        .into_iter()
        .map(|((org, reason), (episodes, lost))| {
            vec![
                text(org),
                text(reason),
                Value::Int(episodes),
                decimal(lost),
                maybe(rate(lost, total.get(org).copied().unwrap_or(0))),
            ]
        })
        .collect();
    Table { title: "Absence reasons", file: "absence_reasons", header: &REASONS, rows }
}

/// Sheet 10, Return to work, per organisation × month.
pub fn returns(runs: &[RunAbsence]) -> Table {
    let mut rows = Vec::new();
    for run in runs {
        let Some(all) = all_row(run) else { continue };
        // A run without an rtw_date column wrote the three blank (SPEC §10.2).
        let [returns, recorded, on_time] = all.returns;
        let n = returns.unwrap_or(0);
        let pct = |x: Option<i64>| x.and_then(|x| rate(x * 100, n * 100));
        let count = |x: Option<i64>| x.map_or(text(""), Value::Int);
        rows.push(vec![
            text(&run.organisation),
            text(&run.month),
            count(returns),
            count(recorded),
            count(on_time),
            maybe(pct(recorded)),
            maybe(pct(on_time)),
        ]);
    }
    Table { title: "Return to work", file: "return_to_work", header: &RETURNS, rows }
}
