//! The six sheets of SPEC §9 from the runs' aggregates. Everything is summed
//! in integer pence in ordered maps, so the rows come out in one order
//! whatever order polars grouped them in.

use super::load::RunFolder;
use super::outliers::{exact_pounds, outliers};
use super::scan::{RunAggregate, NO_COST_CENTRE};
use crate::model::Pence;
use crate::output::tables::{Table, Value};
use crate::output::workbook::TrendChart;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const TREND: [&str; 6] = ["organisation", "period", "rule", "findings", "lines", "withheld"];
pub const REPEATS: [&str; 7] = ["organisation", "assignment", "name", "rule", "months", "lines", "withheld"];
pub const OUTLIERS: [&str; 11] = [
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
];
pub const COST_CENTRES: [&str; 9] = [
    "organisation",
    "period",
    "cost_centre",
    "claimed",
    "allowed",
    "withheld",
    "deferred",
    "lines",
    "claimants",
];
pub const LATE: [&str; 6] =
    ["organisation", "assignment", "name", "months", "deferred_lines", "age_findings"];
pub const RUNS: [&str; 10] = [
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
];

/// The periods a rule caught a claimant in, the lines it listed, the money it withheld.
type Caught<'a> = (BTreeSet<&'a str>, i64, Pence);

/// The sheets in workbook order, and the Trend chart's data.
pub struct Built {
    pub tables: Vec<Table>,
    pub chart: TrendChart,
}

/// `folders` and `aggregates` are parallel, ordered by organisation and period.
pub fn build(folders: &[RunFolder], aggregates: &[RunAggregate], min_months: usize) -> Built {
    let runs: Vec<(&RunFolder, &RunAggregate)> = folders.iter().zip(aggregates).collect();
    let names = latest_names(&runs);
    let name_of =
        |org: &str, a: &str| names.get(&(org.to_string(), a.to_string())).cloned().unwrap_or_default();
    let (trend, chart) = trend(&runs);
    let tables = vec![
        trend,
        repeats(&runs, min_months, &name_of),
        outlier_sheet(&runs),
        cost_centres(&runs),
        late(&runs, &name_of),
        run_sheet(&runs),
    ];
    Built { tables, chart }
}

/// The codes of a `;`-joined rules cell, each once.
fn rule_codes(rules: &str) -> BTreeSet<&str> {
    rules.split(';').map(str::trim).filter(|r| !r.is_empty()).collect()
}

/// A rule's family: its letters (`MIL003` → `MIL`).
pub fn family(rule: &str) -> &str {
    let end = rule.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rule.len());
    &rule[..end]
}

/// Each claimant's name in the latest period that has one.
fn latest_names(runs: &[(&RunFolder, &RunAggregate)]) -> HashMap<(String, String), String> {
    let mut names = HashMap::new();
    let mut ordered: Vec<&(&RunFolder, &RunAggregate)> = runs.iter().collect();
    ordered.sort_by(|a, b| a.0.period.cmp(&b.0.period));
    for (f, agg) in ordered {
        for (a, n) in &agg.names {
            names.insert((f.organisation.clone(), a.clone()), n.clone());
        }
    }
    names
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn trend(runs: &[(&RunFolder, &RunAggregate)]) -> (Table, TrendChart) {
    // (organisation, period, rule) → (findings, lines, withheld)
    let mut rows: BTreeMap<(&str, &str, &str), (i64, i64, Pence)> = BTreeMap::new();
    for (f, agg) in runs {
        let (org, period) = (f.organisation.as_str(), f.period.as_str());
        for (_, rule, n) in &agg.findings {
            rows.entry((org, period, rule.as_str())).or_default().0 += n;
        }
        for (_, rules, lines, withheld) in &agg.by_rules {
            for rule in rule_codes(rules) {
                let e = rows.entry((org, period, rule)).or_default();
                e.1 += lines;
                e.2 += *withheld;
            }
        }
    }
    let several_orgs = runs.iter().map(|(f, _)| &f.organisation).collect::<BTreeSet<_>>().len() > 1;
    let mut periods: Vec<(&str, &str)> = Vec::new();
    let mut by_family: BTreeMap<&str, BTreeMap<(&str, &str), Pence>> = BTreeMap::new();
    for (f, _) in runs {
        periods.push((f.organisation.as_str(), f.period.as_str()));
    }
    for ((org, period, rule), (_, _, withheld)) in &rows {
        if !withheld.is_zero() {
            *by_family.entry(family(rule)).or_default().entry((*org, *period)).or_default() += *withheld;
        }
    }
    // SPEC §13: the 8 families withholding most over the periods read
    // (ties by name), the rest as one "other" series.
    let mut ranked: Vec<(&str, Pence)> =
        by_family.iter().map(|(f, m)| (*f, m.values().copied().sum::<Pence>())).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<&str> = ranked.iter().take(8).map(|(f, _)| *f).collect();
    let rest: Vec<&str> = ranked.iter().skip(8).map(|(f, _)| *f).collect();
    let amount =
        |f: &str, key: &(&str, &str)| by_family.get(f).and_then(|m| m.get(key)).copied().unwrap_or_default();
    let mut families: Vec<String> = top.iter().map(|f| f.to_string()).collect();
    if !rest.is_empty() {
        families.push("other".to_string());
    }
    let chart = TrendChart {
        periods: periods
            .iter()
            .map(|(o, p)| if several_orgs { format!("{o} {p}").trim().to_string() } else { p.to_string() })
            .collect(),
        families,
        withheld: periods
            .iter()
            .map(|key| {
                let mut row: Vec<Pence> = top.iter().map(|f| amount(f, key)).collect();
                if !rest.is_empty() {
                    row.push(rest.iter().map(|f| amount(f, key)).sum());
                }
                row
            })
            .collect(),
    };
    let table = Table {
        title: "Trend",
        file: "trend",
        header: &TREND,
        rows: rows
            .into_iter()
            .map(|((o, p, r), (findings, lines, withheld))| {
                vec![
                    text(o),
                    text(p),
                    text(r),
                    Value::Int(findings),
                    Value::Int(lines),
                    Value::Money(withheld),
                ]
            })
            .collect(),
    };
    (table, chart)
}

fn repeats(
    runs: &[(&RunFolder, &RunAggregate)],
    min_months: usize,
    name_of: &dyn Fn(&str, &str) -> String,
) -> Table {
    // (organisation, assignment, rule) → (periods, lines, withheld)
    let mut map: BTreeMap<(&str, &str, &str), Caught> = BTreeMap::new();
    for (f, agg) in runs {
        for (a, rules, lines, withheld) in &agg.by_rules {
            if a.is_empty() {
                continue;
            }
            for rule in rule_codes(rules) {
                let e = map.entry((f.organisation.as_str(), a.as_str(), rule)).or_default();
                e.0.insert(f.period.as_str());
                e.1 += lines;
                e.2 += *withheld;
            }
        }
    }
    let rows = map
        .into_iter()
        .filter(|(_, (months, _, _))| months.len() >= min_months)
        .map(|((o, a, r), (months, lines, withheld))| {
            vec![
                text(o),
                text(a),
                Value::Text(name_of(o, a)),
                text(r),
                Value::Text(months.into_iter().collect::<Vec<_>>().join(";")),
                Value::Int(lines),
                Value::Money(withheld),
            ]
        })
        .collect();
    Table { title: "Repeat patterns", file: "repeat_patterns", header: &REPEATS, rows }
}

fn outlier_sheet(runs: &[(&RunFolder, &RunAggregate)]) -> Table {
    let mut rows = Vec::new();
    for (f, agg) in runs {
        // (category, cost centre) → [(assignment, allowed)]
        let mut groups: BTreeMap<(&str, &str), Vec<(&str, i64)>> = BTreeMap::new();
        for (a, category, allowed) in &agg.allowed_by_category {
            if a.is_empty() {
                continue;
            }
            let cc = agg.cost_centre_of.get(a).map(String::as_str).unwrap_or(NO_COST_CENTRE);
            groups.entry((category.as_str(), cc)).or_default().push((a.as_str(), allowed.0));
        }
        for ((category, cc), mut peers) in groups {
            peers.sort_unstable();
            let values: Vec<i64> = peers.iter().map(|(_, v)| *v).collect();
            let mut listed = outliers(&values);
            listed.sort_by(|x, y| y.z_hundredths.cmp(&x.z_hundredths).then(x.index.cmp(&y.index)));
            for o in listed {
                let (a, value) = peers[o.index];
                rows.push(vec![
                    text(&f.organisation),
                    text(&f.period),
                    text(category),
                    text(a),
                    Value::Text(agg.names.get(a).cloned().unwrap_or_default()),
                    text(cc),
                    Value::Money(Pence(value)),
                    Value::Decimal {
                        text: exact_pounds(o.median_half_pence, 2),
                        number: o.median_half_pence as f64 / 200.0,
                        money: true,
                    },
                    Value::Decimal {
                        text: exact_pounds(o.mad_quarter_pence, 4),
                        number: o.mad_quarter_pence as f64 / 400.0,
                        money: true,
                    },
                    Value::Decimal {
                        text: crate::model::money::hundredths(o.z_hundredths),
                        number: o.z_hundredths as f64 / 100.0,
                        money: false,
                    },
                    Value::Int(values.len() as i64),
                ]);
            }
        }
    }
    Table { title: "Outliers", file: "outliers", header: &OUTLIERS, rows }
}

fn cost_centres(runs: &[(&RunFolder, &RunAggregate)]) -> Table {
    let mut rows = Vec::new();
    for (f, agg) in runs {
        let mut ccs: Vec<_> = agg.cost_centres.iter().collect();
        ccs.sort_by(|a, b| a.cost_centre.cmp(&b.cost_centre));
        for c in ccs {
            rows.push(vec![
                text(&f.organisation),
                text(&f.period),
                text(&c.cost_centre),
                Value::Money(c.claimed),
                Value::Money(c.allowed),
                Value::Money(c.withheld),
                Value::Money(c.deferred),
                Value::Int(c.lines),
                Value::Int(c.claimants),
            ]);
        }
    }
    Table { title: "Cost centres", file: "cost_centres", header: &COST_CENTRES, rows }
}

/// Periods in which a claimant had DEFERRED lines or AGE findings, at least two.
fn late(runs: &[(&RunFolder, &RunAggregate)], name_of: &dyn Fn(&str, &str) -> String) -> Table {
    // (organisation, assignment) → (periods, deferred lines, AGE findings)
    let mut map: BTreeMap<(&str, &str), (BTreeSet<&str>, i64, i64)> = BTreeMap::new();
    for (f, agg) in runs {
        for c in agg.claimants.iter().filter(|c| c.deferred_lines > 0 && !c.assignment.is_empty()) {
            let e = map.entry((f.organisation.as_str(), c.assignment.as_str())).or_default();
            e.0.insert(f.period.as_str());
            e.1 += c.deferred_lines;
        }
        for (a, rule, n) in &agg.findings {
            if family(rule) == "AGE" && !a.is_empty() && *n > 0 {
                let e = map.entry((f.organisation.as_str(), a.as_str())).or_default();
                e.0.insert(f.period.as_str());
                e.2 += n;
            }
        }
    }
    let rows = map
        .into_iter()
        .filter(|(_, (months, _, _))| months.len() >= 2)
        .map(|((o, a), (months, deferred, age))| {
            vec![
                text(o),
                text(a),
                Value::Text(name_of(o, a)),
                Value::Text(months.into_iter().collect::<Vec<_>>().join(";")),
                Value::Int(deferred),
                Value::Int(age),
            ]
        })
        .collect();
    Table { title: "Late and deferred", file: "late_and_deferred", header: &LATE, rows }
}

fn run_sheet(runs: &[(&RunFolder, &RunAggregate)]) -> Table {
    let rows = runs
        .iter()
        .map(|(f, agg)| {
            let mut lines = 0i64;
            let mut sums = [Pence::ZERO; 4];
            for c in &agg.claimants {
                lines += c.lines;
                for (s, v) in sums.iter_mut().zip([c.claimed, c.allowed, c.withheld, c.deferred]) {
                    *s += v;
                }
            }
            // PASS only when the run passed its own reconciliation and its
            // CSVs still add up to the totals its manifest reported.
            let agrees = f.totals.is_some_and(|(n, t)| n == lines as u64 && t == sums);
            let verdict = match (f.passed, agrees) {
                (false, _) => "FAIL",
                (true, true) => "PASS",
                (true, false) => "DIFFERS",
            };
            let mut row = vec![text(&f.organisation), text(&f.period), text(&f.run_id), text(&f.config_hash)];
            row.push(Value::Int(lines));
            row.extend(sums.iter().map(|p| Value::Money(*p)));
            row.push(text(verdict));
            row
        })
        .collect();
    Table { title: "Runs", file: "runs", header: &RUNS, rows }
}
