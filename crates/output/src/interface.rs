//! The payroll interface (SPEC §7): the adjustments as an Oracle HRMS Batch
//! Element Entry (BEE) batch — header, lines with up to 15 input values,
//! control totals — and, when a period already paid is run again, the
//! corrections: only the difference, as a batch of its own (§7.2).
//!
//! Built in memory before anything is written, so the reconciliation of
//! §7.1 (lines = adjustments rows, Σ amount values = Σ amounts, control
//! totals = what the lines sum to) and of §7.2 (Σ delta = Σ now − Σ
//! committed) can fail the run with nothing written.

use super::payroll::element_name;
use crate::config::{Config, InputSource, InputValue, MAX_INPUTS};
use crate::model::adjustment::{AdjustmentRow, ELEMENTS};
use crate::model::csv_text;
use crate::model::history::BatchSnapshot;
use crate::model::Pence;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// The BEE batch header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    pub name: String,
    /// The run id of the manifest (SPEC §7.1).
    pub reference: String,
    pub source: String,
    pub action_if_exists: &'static str,
    pub effective_date: NaiveDate,
}

/// One input value of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Fed from `amount`: signed money.
    Money(Pence),
    /// Fed from `units` or `rate`: the adjustments.csv text (may be blank).
    Text(String),
}

impl Value {
    fn csv(&self) -> String {
        match self {
            Value::Money(p) => p.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

/// One batch line: an element entry for one assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchLine {
    pub line_no: usize,
    pub assignment: String,
    /// Element code of SPEC §4.1 (what the line came from).
    pub element: String,
    /// The element name payroll knows (config `[elements]`, or for a
    /// correction line `[payroll_interface.correction_elements]`).
    pub element_name: String,
    pub effective_date: NaiveDate,
    /// In the element's input-value order (at most 15).
    pub values: Vec<Value>,
    pub protected: String,
    pub source: String,
}

/// One control total row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Control {
    pub control_type: String,
    pub total: String,
}

/// A whole batch: header, lines, control totals, and each element code's
/// input values (the column names of the lines).
#[derive(Clone, Debug)]
pub struct Batch {
    pub header: BatchHeader,
    pub lines: Vec<BatchLine>,
    pub controls: Vec<Control>,
    pub layouts: BTreeMap<String, Vec<InputValue>>,
}

/// Columns of payroll-batch.csv and payroll-batch-corrections.csv.
pub fn batch_header_row() -> Vec<String> {
    let mut header: Vec<String> =
        ["batch_name", "line_no", "assignment", "element_name", "effective_date"].map(String::from).to_vec();
    header.extend((1..=MAX_INPUTS).map(|i| format!("value_{i}")));
    header.extend(["protected", "source"].map(String::from));
    header
}

/// The file payroll loads after a re-run that changed something (SPEC §7.2).
pub const CORRECTION_BATCH: &str = "payroll-batch-corrections.csv";

/// The files a re-run of a placed period adds (SPEC §7.2).
pub const CORRECTIONS_FILES: &[&str] =
    &["corrections.csv", CORRECTION_BATCH, "payroll-batch-corrections-controls.csv"];

pub const CONTROLS_HEADER: &[&str] = &["batch_name", "control_type", "control_total"];

pub const CORRECTIONS_HEADER: &[&str] =
    &["period", "assignment", "name", "element", "committed", "now", "delta"];

fn layouts(config: &Config) -> BTreeMap<String, Vec<InputValue>> {
    ELEMENTS.iter().map(|code| (code.to_string(), config.policy.payroll_interface.inputs_of(code))).collect()
}

impl Batch {
    fn new(header: BatchHeader, lines: Vec<BatchLine>, config: &Config) -> Batch {
        let layouts = layouts(config);
        let controls = controls(&lines, &layouts);
        Batch { header, lines, controls, layouts }
    }

    /// The input values of a line's element.
    pub fn inputs_of(&self, line: &BatchLine) -> &[InputValue] {
        self.layouts.get(&line.element).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The line's `amount`-fed value.
    pub fn amount_of(&self, line: &BatchLine) -> Pence {
        amount_of(&self.layouts, line)
    }

    /// Σ of the `amount`-fed values over all lines.
    pub fn total(&self) -> Pence {
        self.lines.iter().map(|l| self.amount_of(l)).sum()
    }
}

fn amount_of(layouts: &BTreeMap<String, Vec<InputValue>>, line: &BatchLine) -> Pence {
    let Some(inputs) = layouts.get(&line.element) else {
        return Pence::ZERO;
    };
    inputs.iter().zip(&line.values).find(|(input, _)| input.source == InputSource::Amount).map_or(
        Pence::ZERO,
        |(_, v)| match v {
            Value::Money(p) => *p,
            Value::Text(_) => Pence::ZERO,
        },
    )
}

/// The period's batch: one line per non-zero adjustments row, same order.
pub fn element_batch(rows: &[AdjustmentRow], config: &Config, header: BatchHeader) -> Batch {
    let pi = &config.policy.payroll_interface;
    let lines = rows
        .iter()
        .filter(|r| !r.amount.is_zero())
        .enumerate()
        .map(|(i, r)| BatchLine {
            line_no: i + 1,
            assignment: r.assignment.clone(),
            element: r.element.to_string(),
            element_name: element_name(config, r.element),
            effective_date: header.effective_date,
            values: pi
                .inputs_of(r.element)
                .iter()
                .map(|input| match input.source {
                    InputSource::Amount => Value::Money(r.amount),
                    InputSource::Units => Value::Text(r.units.clone()),
                    InputSource::Rate => Value::Text(r.rate.clone()),
                })
                .collect(),
            protected: r.protected.clone(),
            source: r.source.clone(),
        })
        .collect();
    Batch::new(header, lines, config)
}

/// The control totals of SPEC §7.1: `Total Lines`; `Total <name>` for each
/// `amount`-fed input name (of every element, so an empty batch still shows
/// them); `Total <name>: <element_name>` per element name in the batch.
pub fn controls(lines: &[BatchLine], layouts: &BTreeMap<String, Vec<InputValue>>) -> Vec<Control> {
    let amount_name = |code: &str| {
        layouts
            .get(code)
            .and_then(|inputs| inputs.iter().find(|i| i.source == InputSource::Amount))
            .map_or("Pay Value".to_string(), |i| i.name.clone())
    };
    let mut by_name: Vec<(String, Pence)> = Vec::new();
    for code in ELEMENTS {
        let name = amount_name(code);
        if !by_name.iter().any(|(n, _)| *n == name) {
            by_name.push((name, Pence::ZERO));
        }
    }
    // (amount name, element name) in element order of first appearance.
    let mut by_element: Vec<((String, String), Pence)> = Vec::new();
    let order = |code: &str| ELEMENTS.iter().position(|e| *e == code).unwrap_or(usize::MAX);
    let mut sorted: Vec<&BatchLine> = lines.iter().collect();
    sorted.sort_by_key(|l| order(&l.element));
    for line in sorted {
        let name = amount_name(&line.element);
        let amount = amount_of(layouts, line);
        if let Some(entry) = by_name.iter_mut().find(|(n, _)| *n == name) {
            entry.1 += amount;
        }
        let key = (name, line.element_name.clone());
        match by_element.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 += amount,
            None => by_element.push((key, amount)),
        }
    }
    let mut out = vec![Control { control_type: "Total Lines".into(), total: lines.len().to_string() }];
    out.extend(
        by_name
            .into_iter()
            .map(|(name, total)| Control { control_type: format!("Total {name}"), total: total.to_string() }),
    );
    out.extend(by_element.into_iter().map(|((name, element), total)| Control {
        control_type: format!("Total {name}: {element}"),
        total: total.to_string(),
    }));
    out
}

/// The §7.1 reconciliation of a batch against the adjustments it was made
/// from: one line per non-zero row with its assignment, element and amount;
/// Σ amount values = Σ amounts; control totals = what the lines sum to.
pub fn check(batch: &Batch, adjustments: &[AdjustmentRow]) -> Vec<String> {
    let rows: Vec<&AdjustmentRow> = adjustments.iter().filter(|r| !r.amount.is_zero()).collect();
    let mut failures = Vec::new();
    if batch.lines.len() != rows.len() {
        failures.push(format!(
            "payroll batch has {} lines but adjustments.csv has {} non-zero rows",
            batch.lines.len(),
            rows.len()
        ));
    }
    for (line, row) in batch.lines.iter().zip(&rows) {
        let amount = batch.amount_of(line);
        if line.assignment != row.assignment || line.element != row.element || amount != row.amount {
            failures.push(format!(
                "payroll batch line {} ({} {} {amount}) does not match adjustments row ({} {} {})",
                line.line_no, line.assignment, line.element, row.assignment, row.element, row.amount
            ));
            break;
        }
    }
    let adjustments_total: Pence = rows.iter().map(|r| r.amount).sum();
    if batch.total() != adjustments_total {
        failures.push(format!(
            "payroll batch amount values sum to {} but adjustments.csv amounts to {adjustments_total}",
            batch.total()
        ));
    }
    failures.extend(check_controls(batch));
    failures
}

/// Control totals equal what the lines sum to, and lines are numbered 1…n
/// with at most 15 values each.
fn check_controls(batch: &Batch) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(line) = batch.lines.iter().enumerate().find(|(i, l)| l.line_no != i + 1).map(|(_, l)| l) {
        failures.push(format!("batch {}: line {} is out of sequence", batch.header.name, line.line_no));
    }
    if let Some(line) = batch.lines.iter().find(|l| l.values.len() > MAX_INPUTS) {
        failures.push(format!(
            "batch {}: line {} has more than {MAX_INPUTS} values",
            batch.header.name, line.line_no
        ));
    }
    let expected = controls(&batch.lines, &batch.layouts);
    if batch.controls != expected {
        failures.push(format!(
            "batch {}: control totals {} ≠ what the lines sum to {}",
            batch.header.name,
            describe(&batch.controls),
            describe(&expected)
        ));
    }
    failures
}

fn describe(controls: &[Control]) -> String {
    controls.iter().map(|c| format!("{} = {}", c.control_type, c.total)).collect::<Vec<_>>().join(", ")
}

/// One row of corrections.csv: an (assignment, element) whose amount changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionRow {
    pub assignment: String,
    pub name: String,
    /// Element code.
    pub element: String,
    pub committed: Pence,
    pub now: Pence,
    pub delta: Pence,
}

/// Every (assignment, element) whose amount differs between what was
/// placed and this run: a row gone has now 0, a new one committed 0;
/// ordered by assignment, then element in SPEC §4.1 order.
pub fn corrections(
    placed: &[(String, String, Pence)],
    now: &[AdjustmentRow],
    name_of: impl Fn(&str) -> String,
) -> Vec<CorrectionRow> {
    let order = |code: &str| ELEMENTS.iter().position(|e| *e == code).unwrap_or(usize::MAX);
    let mut both: BTreeMap<(String, usize, String), (Pence, Pence)> = BTreeMap::new();
    for (assignment, element, amount) in placed {
        both.entry((assignment.clone(), order(element), element.clone())).or_default().0 += *amount;
    }
    for row in now {
        both.entry((row.assignment.clone(), order(row.element), row.element.to_string())).or_default().1 +=
            row.amount;
    }
    both.into_iter()
        .filter(|(_, (committed, now))| committed != now)
        .map(|((assignment, _, element), (committed, now))| CorrectionRow {
            name: name_of(&assignment),
            assignment,
            element,
            committed,
            now,
            delta: now - committed,
        })
        .collect()
}

/// The correction batch: one line per changed (assignment, element), the
/// delta in the `amount`-fed value, other values blank (a change of hours or
/// rate is carried by the money it makes; SPEC §7.2, decisions.md).
pub fn correction_batch(
    rows: &[CorrectionRow],
    now: &[AdjustmentRow],
    config: &Config,
    header: BatchHeader,
) -> Batch {
    let pi = &config.policy.payroll_interface;
    let lines = rows
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let current = now.iter().find(|r| r.assignment == c.assignment && r.element == c.element);
            BatchLine {
                line_no: i + 1,
                assignment: c.assignment.clone(),
                element: c.element.clone(),
                element_name: pi
                    .correction_element(&c.element)
                    .map_or_else(|| element_name(config, &c.element), str::to_string),
                effective_date: header.effective_date,
                values: pi
                    .inputs_of(&c.element)
                    .iter()
                    .map(|input| match input.source {
                        InputSource::Amount => Value::Money(c.delta),
                        InputSource::Units | InputSource::Rate => Value::Text(String::new()),
                    })
                    .collect(),
                protected: current.map(|r| r.protected.clone()).unwrap_or_default(),
                source: current.map(|r| r.source.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Batch::new(header, lines, config)
}

/// The §7.2 reconciliation: Σ delta = Σ now − Σ committed, one correction
/// line per changed row carrying its delta, control totals as the lines sum.
pub fn check_corrections(
    batch: &Batch,
    rows: &[CorrectionRow],
    placed: &[(String, String, Pence)],
    now: &[AdjustmentRow],
) -> Vec<String> {
    let mut failures = Vec::new();
    let committed: Pence = placed.iter().map(|(_, _, p)| *p).sum();
    let current: Pence = now.iter().map(|r| r.amount).sum();
    let delta: Pence = rows.iter().map(|r| r.delta).sum();
    if delta != current - committed {
        failures.push(format!("corrections: Σ delta {delta} ≠ Σ now {current} − Σ committed {committed}"));
    }
    if batch.lines.len() != rows.len() {
        failures.push(format!(
            "correction batch has {} lines but corrections.csv has {} rows",
            batch.lines.len(),
            rows.len()
        ));
    }
    for (line, row) in batch.lines.iter().zip(rows) {
        if line.assignment != row.assignment
            || line.element != row.element
            || batch.amount_of(line) != row.delta
        {
            failures.push(format!(
                "correction batch line {} does not carry the delta of {} {}",
                line.line_no, row.assignment, row.element
            ));
            break;
        }
    }
    if batch.total() != delta {
        failures.push(format!("correction batch sums to {} but Σ delta is {delta}", batch.total()));
    }
    failures.extend(check_controls(batch));
    failures
}

/// What the payroll interface adds to a run: the period's batch and, on a
/// re-run of a period already placed, its corrections.
#[derive(Clone, Debug)]
pub struct Interface {
    pub batch: Batch,
    pub corrections: Option<Corrections>,
}

/// The corrections of a re-run (SPEC §7.2).
#[derive(Clone, Debug)]
pub struct Corrections {
    /// The period corrected (`YYYY-MM`).
    pub period: String,
    /// What payroll was given for it: the last placed run's batch.
    pub previous: BatchSnapshot,
    pub rows: Vec<CorrectionRow>,
    /// The correction batch, dated into the next open period.
    pub batch: Batch,
    /// Periods committed after the corrected one: to be re-run, in order,
    /// before this batch is loaded together with theirs.
    pub later: Vec<String>,
    /// Σ of the placed rows and of this run's rows.
    pub committed_total: Pence,
    pub now_total: Pence,
}

impl Corrections {
    pub fn build(
        period: &str,
        previous: BatchSnapshot,
        now: &[AdjustmentRow],
        name_of: impl Fn(&str) -> String,
        config: &Config,
        header: BatchHeader,
        later: Vec<String>,
    ) -> Corrections {
        let rows = corrections(&previous.rows, now, name_of);
        let batch = correction_batch(&rows, now, config, header);
        Corrections {
            period: period.to_string(),
            committed_total: previous.rows.iter().map(|(_, _, p)| *p).sum(),
            now_total: now.iter().map(|r| r.amount).sum(),
            previous,
            rows,
            batch,
            later,
        }
    }

    /// The §7.2 reconciliation of these corrections against this run's rows.
    pub fn check(&self, now: &[AdjustmentRow]) -> Vec<String> {
        check_corrections(&self.batch, &self.rows, &self.previous.rows, now)
    }

    /// Σ delta.
    pub fn delta(&self) -> Pence {
        self.rows.iter().map(|r| r.delta).sum()
    }
}

/// The ledger snapshot of a run's batch (its non-zero adjustments rows).
pub fn snapshot(rows: &[AdjustmentRow], run_id: &str, config_hash: &str, batch_name: &str) -> BatchSnapshot {
    BatchSnapshot {
        run_id: run_id.to_string(),
        config_hash: config_hash.to_string(),
        batch_name: batch_name.to_string(),
        rows: rows
            .iter()
            .filter(|r| !r.amount.is_zero())
            .map(|r| (r.assignment.clone(), r.element.to_string(), r.amount))
            .collect(),
    }
}

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// A text cell (names, batch and element names, sources), escaped against
/// formula injection (SPEC §12.6); money, numbers, dates and codes are not.
fn text(t: &str) -> String {
    csv_text::escape(t).into_owned()
}

/// payroll-batch.csv / payroll-batch-corrections.csv.
pub fn write_lines<W: Write>(out: W, batch: &Batch) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(batch_header_row()).map_err(io)?;
    for line in &batch.lines {
        let mut record = vec![
            text(&batch.header.name),
            line.line_no.to_string(),
            text(&line.assignment),
            text(&line.element_name),
            line.effective_date.format("%Y-%m-%d").to_string(),
        ];
        record.extend(line.values.iter().map(Value::csv));
        record.resize(5 + MAX_INPUTS, String::new());
        record.push(line.protected.clone());
        record.push(text(&line.source));
        w.write_record(&record).map_err(io)?;
    }
    w.flush()
}

/// payroll-batch-controls.csv / payroll-batch-corrections-controls.csv.
pub fn write_controls<W: Write>(out: W, batch: &Batch) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(CONTROLS_HEADER).map_err(io)?;
    for c in &batch.controls {
        w.write_record([text(&batch.header.name), text(&c.control_type), c.total.clone()]).map_err(io)?;
    }
    w.flush()
}

/// corrections.csv.
pub fn write_corrections<W: Write>(
    out: W,
    period: &str,
    rows: &[CorrectionRow],
    config: &Config,
) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(CORRECTIONS_HEADER).map_err(io)?;
    for r in rows {
        w.write_record([
            period,
            &text(&r.assignment),
            &text(&r.name),
            &text(&element_name(config, &r.element)),
            &r.committed.to_string(),
            &r.now.to_string(),
            &r.delta.to_string(),
        ])
        .map_err(io)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests;
