//! One run's CSVs through polars lazy frames: only the columns used are read,
//! every column as text (decisions.csv keeps unparseable values raw), money
//! parsed as Decimal(18,2) and taken as its integer pence, text un-escaped
//! (SPEC §12.6), then reduced by group-bys (and a join for the cost centres)
//! to small per-claimant tables.
//! A CSV edited into something unreadable is refused naming the file, and the
//! row, column and value where they can be found.

use super::load::RunFolder;
use crate::error::{Error, Result};
use crate::model::csv_text;
use crate::model::Pence;
use polars_core::prelude::*;
use polars_io::prelude::*;
use polars_lazy::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// One run reduced to what the sheets need. Group-by output order is not
/// defined, so the sheets sort everything they take from here.
#[derive(Debug, Default)]
pub struct RunAggregate {
    /// (assignment, rules as written, lines, withheld) for lines listing rules.
    pub by_rules: Vec<(String, String, i64, Pence)>,
    /// (assignment, category, Σ allowed) of PAID and ADJUSTED lines.
    pub allowed_by_category: Vec<(String, String, Pence)>,
    /// Per assignment: lines, deferred lines, claimed, allowed, withheld, deferred.
    pub claimants: Vec<ClaimantTotals>,
    /// Per cost centre (the join of the claimants with adjustments.csv).
    pub cost_centres: Vec<CostCentreTotals>,
    /// (assignment, rule, findings) from exceptions.csv.
    pub findings: Vec<(String, String, i64)>,
    /// Assignment → name (adjustments.csv, else exceptions.csv).
    pub names: HashMap<String, String>,
    /// Assignment → cost centre on its adjustments.csv rows.
    pub cost_centre_of: HashMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimantTotals {
    pub assignment: String,
    pub lines: i64,
    pub deferred_lines: i64,
    pub claimed: Pence,
    pub allowed: Pence,
    pub withheld: Pence,
    pub deferred: Pence,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostCentreTotals {
    pub cost_centre: String,
    pub claimed: Pence,
    pub allowed: Pence,
    pub withheld: Pence,
    pub deferred: Pence,
    pub lines: i64,
    pub claimants: i64,
}

/// The cost centre of a claimant without adjustments.csv rows (SPEC §9).
pub const NO_COST_CENTRE: &str = "(none)";

const DECISIONS: [&str; 6] = ["assignment", "category", "claimed", "allowed", "status", "rules"];
const EXCEPTIONS: [&str; 3] = ["assignment", "name", "rule"];
const ADJUSTMENTS: [&str; 3] = ["assignment", "name", "cost_centre"];
/// The text columns read (SPEC §12.6: written escaped, read back unescaped);
/// the others are money or payrun's codes.
const TEXT: [&str; 4] = ["assignment", "category", "name", "cost_centre"];

/// Scans and reduces the three CSVs of one run.
pub fn run(folder: &RunFolder) -> Result<RunAggregate> {
    let decisions_path = folder.dir.join("decisions.csv");
    let exceptions_path = folder.dir.join("exceptions.csv");
    let adjustments_path = folder.dir.join("adjustments.csv");

    let decisions = scan(&decisions_path, &DECISIONS)?
        .with_columns([pence("claimed"), pence("allowed")])
        .with_columns([
            when(deferred()).then(lit(0i64)).otherwise(col("claimed") - col("allowed")).alias("withheld"),
            when(deferred()).then(col("claimed")).otherwise(lit(0i64)).alias("deferred"),
            deferred().cast(DataType::Int64).alias("deferred_line"),
            col("status").eq(lit("PAID")).or(col("status").eq(lit("ADJUSTED"))).alias("paid"),
        ])
        .collect()
        .map_err(|e| unreadable(&decisions_path, &["claimed", "allowed"], e))?;
    let adjustments = scan(&adjustments_path, &ADJUSTMENTS)?
        .collect()
        .map_err(|e| unreadable(&adjustments_path, &[], e))?;
    let exceptions =
        scan(&exceptions_path, &EXCEPTIONS)?.collect().map_err(|e| unreadable(&exceptions_path, &[], e))?;

    let by_rules = decisions
        .clone()
        .lazy()
        .filter(col("rules").neq(lit("")))
        .group_by([col("assignment"), col("rules")])
        .agg([len().cast(DataType::Int64).alias("lines"), col("withheld").sum()])
        .collect()
        .map_err(at(&decisions_path))?;
    let by_category = decisions
        .clone()
        .lazy()
        .filter(col("paid"))
        .group_by([col("assignment"), col("category")])
        .agg([col("allowed").sum()])
        .collect()
        .map_err(at(&decisions_path))?;
    let claimants = decisions.lazy().group_by([col("assignment")]).agg([
        len().cast(DataType::Int64).alias("lines"),
        col("deferred_line").sum(),
        col("claimed").sum(),
        col("allowed").sum(),
        col("withheld").sum(),
        col("deferred").sum(),
    ]);
    // A claimant's cost centre: the one on their adjustments.csv rows (the
    // first in text order if a roster gave them two), else "(none)".
    let cost_centre_of = adjustments
        .clone()
        .lazy()
        .filter(col("cost_centre").neq(lit("")))
        .group_by([col("assignment")])
        .agg([col("cost_centre").min()]);
    let cost_centres = claimants
        .clone()
        .join(cost_centre_of.clone(), [col("assignment")], [col("assignment")], JoinArgs::new(JoinType::Left))
        .with_column(col("cost_centre").fill_null(lit(NO_COST_CENTRE)))
        .group_by([col("cost_centre")])
        .agg([
            col("claimed").sum(),
            col("allowed").sum(),
            col("withheld").sum(),
            col("deferred").sum(),
            col("lines").sum(),
            col("assignment").neq(lit("")).cast(DataType::Int64).sum().alias("claimants"),
        ])
        .collect()
        .map_err(at(&adjustments_path))?;
    let claimants = claimants.collect().map_err(at(&decisions_path))?;
    let cost_centre_of = cost_centre_of.collect().map_err(at(&adjustments_path))?;
    let findings = exceptions
        .clone()
        .lazy()
        .group_by([col("assignment"), col("rule")])
        .agg([len().cast(DataType::Int64).alias("findings")])
        .collect()
        .map_err(at(&exceptions_path))?;
    let names_of = |df: DataFrame, path: &Path| {
        df.lazy()
            .filter(col("name").neq(lit("")).and(col("assignment").neq(lit(""))))
            .group_by([col("assignment")])
            .agg([col("name").min()])
            .collect()
            .map_err(at(path))
    };
    let adjustment_names = names_of(adjustments, &adjustments_path)?;
    let exception_names = names_of(exceptions, &exceptions_path)?;

    let mut out = RunAggregate::default();
    (|| -> PolarsResult<()> {
        let (a, r, n, w) = (
            texts(&by_rules, "assignment")?,
            texts(&by_rules, "rules")?,
            ints(&by_rules, "lines")?,
            ints(&by_rules, "withheld")?,
        );
        out.by_rules = (0..a.len()).map(|i| (a[i].clone(), r[i].clone(), n[i], Pence(w[i]))).collect();
        let (a, c, v) = (
            texts(&by_category, "assignment")?,
            texts(&by_category, "category")?,
            ints(&by_category, "allowed")?,
        );
        out.allowed_by_category = (0..a.len()).map(|i| (a[i].clone(), c[i].clone(), Pence(v[i]))).collect();
        let a = texts(&claimants, "assignment")?;
        let [lines, deferred_lines, claimed, allowed, withheld, deferred] = int_columns(
            &claimants,
            ["lines", "deferred_line", "claimed", "allowed", "withheld", "deferred"],
        )?;
        out.claimants = (0..a.len())
            .map(|i| ClaimantTotals {
                assignment: a[i].clone(),
                lines: lines[i],
                deferred_lines: deferred_lines[i],
                claimed: Pence(claimed[i]),
                allowed: Pence(allowed[i]),
                withheld: Pence(withheld[i]),
                deferred: Pence(deferred[i]),
            })
            .collect();
        let cc = texts(&cost_centres, "cost_centre")?;
        let [claimed, allowed, withheld, deferred, lines, people] =
            int_columns(&cost_centres, ["claimed", "allowed", "withheld", "deferred", "lines", "claimants"])?;
        out.cost_centres = (0..cc.len())
            .map(|i| CostCentreTotals {
                cost_centre: cc[i].clone(),
                claimed: Pence(claimed[i]),
                allowed: Pence(allowed[i]),
                withheld: Pence(withheld[i]),
                deferred: Pence(deferred[i]),
                lines: lines[i],
                claimants: people[i],
            })
            .collect();
        let (a, r, n) =
            (texts(&findings, "assignment")?, texts(&findings, "rule")?, ints(&findings, "findings")?);
        out.findings = (0..a.len()).map(|i| (a[i].clone(), r[i].clone(), n[i])).collect();
        let pairs = |df: &DataFrame, value: &str| -> PolarsResult<Vec<(String, String)>> {
            Ok(texts(df, "assignment")?.into_iter().zip(texts(df, value)?).collect())
        };
        out.cost_centre_of = pairs(&cost_centre_of, "cost_centre")?.into_iter().collect();
        // adjustments.csv names first: exceptions only fill the gaps.
        out.names = pairs(&exception_names, "name")?.into_iter().collect();
        out.names.extend(pairs(&adjustment_names, "name")?);
        Ok(())
    })()
    .map_err(at(&folder.dir))?;
    Ok(out)
}

/// A polars failure after the scan succeeded: not the input's fault.
fn at(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::Internal(format!("{}: {e}", path.display()))
}

fn deferred() -> Expr {
    col("status").eq(lit("DEFERRED"))
}

/// A money column as integer pence: parsed strictly as Decimal(18,2) (an
/// unparseable value fails the scan), then its physical integer.
fn pence(name: &str) -> Expr {
    col(name).strict_cast(DataType::Decimal(18, 2)).to_physical().cast(DataType::Int64).alias(name)
}

/// A lazy scan of `columns` of a CSV, every column as text, empty cells as
/// empty text (not null). The header is checked first so that a missing
/// column is reported by name.
fn scan(path: &Path, columns: &[&str]) -> Result<LazyFrame> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let header = reader
        .headers()
        .map_err(|e| Error::Input(format!("{}: unreadable header ({e})", path.display())))?
        .clone();
    for c in columns {
        if !header.iter().any(|h| h == *c) {
            return Err(Error::Input(format!("{}: column {c} is missing from the header", path.display())));
        }
    }
    // Read eagerly, then lazily grouped: polars 0.55's in-memory engine runs
    // no file scans (they need its streaming engine, which brings cloud I/O
    // with it, decisions.md 444). Only the columns wanted are parsed.
    let names: Vec<PlSmallStr> = columns.iter().map(|c| PlSmallStr::from(*c)).collect();
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_columns(Some(names.into()))
        .map_parse_options(|p| p.with_missing_is_null(false))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|reader| reader.finish())
        .map_err(|e| Error::Input(format!("{}: unreadable CSV ({e})", path.display())))?
        .lazy();
    Ok(frame.select(
        columns.iter().map(|c| if TEXT.contains(c) { unescaped(c) } else { col(*c) }).collect::<Vec<_>>(),
    ))
}

/// A text column back to the text its cells were written from: the one `'`
/// payrun's CSV writers put before formula-like text removed (SPEC §12.6),
/// before anything is grouped, joined or ordered on it.
fn unescaped(name: &str) -> Expr {
    col(name)
        .map(
            |c: Column| {
                let text = c.str()?.apply_values(|v| std::borrow::Cow::Borrowed(csv_text::unescape(v)));
                Ok(text.into_column())
            },
            |_, field| Ok(field.clone()),
        )
        .alias(name)
}

/// Exit 3 for a CSV polars could not read: names the file, and where the
/// money columns hold something that is not payrun's money text, the first
/// such row, column and value (found by a plain pass, only on this path).
fn unreadable(path: &Path, money: &[&str], err: PolarsError) -> Error {
    if let Some(place) = first_bad_money(path, money) {
        return Error::Input(format!(
            "{}: {place} (the file was edited into something unreadable)",
            path.display()
        ));
    }
    Error::Input(format!("{}: unreadable CSV ({err})", path.display()))
}

fn first_bad_money(path: &Path, money: &[&str]) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).ok()?;
    let header = reader.headers().ok()?.clone();
    let idx: Vec<(usize, &str)> =
        money.iter().filter_map(|m| header.iter().position(|h| h == *m).map(|i| (i, *m))).collect();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let Ok(record) = record else {
            return Some(format!("row {row}: not a CSV record"));
        };
        if record.len() != header.len() {
            return Some(format!("row {row}: {} fields where the header has {}", record.len(), header.len()));
        }
        for (i, name) in &idx {
            let raw = record.get(*i).unwrap_or_default();
            if Pence::parse_csv(raw).is_none() {
                return Some(format!(
                    "row {row}, column {name}: {raw:?} is not money (pounds with two decimals)"
                ));
            }
        }
    }
    None
}

fn texts(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

fn ints(df: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let column = df.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().map(|v| v.unwrap_or_default()).collect())
}

/// [`ints`] of several columns, in the order named.
fn int_columns<const N: usize>(df: &DataFrame, names: [&str; N]) -> PolarsResult<[Vec<i64>; N]> {
    let mut columns = names.map(|_| Vec::new());
    for (column, name) in columns.iter_mut().zip(names) {
        *column = ints(df, name)?;
    }
    Ok(columns)
}
