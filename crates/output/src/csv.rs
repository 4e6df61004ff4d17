//! The machine files of SPEC §4.1: decisions.csv, exceptions.csv,
//! adjustments.csv, deferred-claims.csv, attendance.csv and p11d.csv, and
//! absence.csv and absence-reasons.csv (SPEC §10.2). Column
//! names are fixed by the spec; money is pounds with two decimals. Text
//! columns (names, identifiers read from inputs, places, descriptions,
//! messages, sources, raw unparseable values) go through
//! [`csv_text::escape`] (SPEC §12.6); money, counts, dates and payrun's codes
//! never do.

use super::payroll::element_name;
use super::Report;
use crate::model::absence::percent_x100;
use crate::model::adjustment::AdjustmentRow;
use crate::model::claim::{csv_cells, ClaimLine};
use crate::model::csv_text;
use crate::model::decision::{Status, Subject};
use crate::model::money::hundredths;
use std::io::Write;

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

fn flush<W: Write>(mut w: csv::Writer<W>) -> std::io::Result<()> {
    w.flush()
}

/// Shorthand: csv errors as io errors.
fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// One record's fields in one reusable buffer: decisions.csv and
/// exceptions.csv have a row per line or finding, and formatting each field
/// into a `String` of its own was most of their cost (issue 17).
#[derive(Default)]
struct Record {
    text: String,
    ends: Vec<usize>,
}

impl Record {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Ends the field being built.
    fn end(&mut self) -> &mut Self {
        self.ends.push(self.text.len());
        self
    }

    fn s(&mut self, field: &str) -> &mut Self {
        self.text.push_str(field);
        self.end()
    }

    /// A text field, escaped (SPEC §12.6).
    fn t(&mut self, field: &str) -> &mut Self {
        csv_text::escape_into(&mut self.text, field);
        self.end()
    }

    /// A text field that may be blank, formatted then escaped.
    fn topt(&mut self, field: Option<impl std::fmt::Display>) -> &mut Self {
        use std::fmt::Write as _;
        let start = self.text.len();
        if let Some(field) = field {
            // Writing into a String cannot fail.
            let _ = write!(self.text, "{field}");
        }
        if csv_text::needs_quote(&self.text[start..]) {
            self.text.insert(start, '\'');
        }
        self.end()
    }

    fn d(&mut self, field: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.text, "{field}");
        self.end()
    }

    /// A field that may be blank.
    fn opt(&mut self, field: Option<impl std::fmt::Display>) -> &mut Self {
        match field {
            Some(field) => self.d(field),
            None => self.end(),
        }
    }

    /// The line number as read, raw when unparseable (SPEC §6.8 rule 46).
    fn line_no(&mut self, line: &ClaimLine) -> &mut Self {
        match line.unread_line_no() {
            Some(raw) => self.t(raw),
            None => self.d(line.line_no),
        }
    }

    fn expense_date(&mut self, line: &ClaimLine) -> &mut Self {
        match line.unread_expense_date() {
            Some(raw) => self.t(raw),
            None => self.d(line.expense_date),
        }
    }

    fn write<W: Write>(&self, w: &mut csv::Writer<W>) -> std::io::Result<()> {
        let mut start = 0;
        let fields = self.ends.iter().map(|&end| {
            let field = &self.text[start..end];
            start = end;
            field
        });
        w.write_record(fields).map_err(io)
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

pub const DECISIONS_HEADER: &[&str] = &[
    "claim_id",
    "line_no",
    "assignment",
    "expense_date",
    "category",
    "claimed",
    "allowed",
    "status",
    "taxable_payroll",
    "p11d_amount",
    "p11d_section",
    "pay_element",
    "rules",
    "carried_from",
];

/// decisions.csv: one row per input claim line, in input order.
pub fn decisions<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(DECISIONS_HEADER).map_err(io)?;
    let mut r = Record::default();
    for (line, d) in report.lines.iter().zip(report.decisions) {
        r.clear();
        r.t(&line.claim_id).line_no(line).t(&line.assignment).expense_date(line).t(line.category_text());
        r.d(line.amount).d(d.allowed).s(d.status.code()).d(d.taxable_payroll).d(d.p11d_amount);
        r.opt(d.p11d_section).s(line.category.map(|c| c.pay_element().code()).unwrap_or(""));
        for (i, rule) in d.rules.iter().enumerate() {
            if i > 0 {
                r.text.push(';');
            }
            r.text.push_str(rule.code);
        }
        r.end().opt(line.carried_from.as_deref()).write(&mut w)?;
    }
    flush(w)
}

pub const EXCEPTIONS_HEADER: &[&str] = &[
    "severity",
    "rule",
    "policy_ref",
    "assignment",
    "name",
    "claim_id",
    "line_no",
    "date",
    "claimed",
    "allowed",
    "message",
    "source",
    "finding_id",
];

/// exceptions.csv: one row per finding (line findings in input order, then
/// employee findings by assignment; SPEC §6.8 rule 46).
pub fn exceptions<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(EXCEPTIONS_HEADER).map_err(io)?;
    let mut r = Record::default();
    for (i, f) in report.findings.iter().enumerate() {
        r.clear();
        r.s(f.severity.code()).s(f.rule.code).t(f.rule.policy_ref);
        match &f.subject {
            Subject::Line(i) => {
                let (line, d) = (&report.lines[*i], &report.decisions[*i]);
                r.t(&line.assignment).t(report.name_of(&line.assignment)).t(&line.claim_id);
                r.line_no(line).expense_date(line).d(line.amount).d(d.allowed);
            }
            Subject::Employee { assignment, date } => {
                r.t(assignment).t(report.name_of(assignment)).s("").s("").opt(*date).s("").s("");
            }
        }
        r.t(&f.message).topt(f.source.as_ref()).s(report.finding_id(i)).write(&mut w)?;
    }
    flush(w)
}

pub const ADJUSTMENTS_HEADER: &[&str] = &[
    "assignment",
    "name",
    "cost_centre",
    "element",
    "units",
    "rate",
    "amount",
    "taxable",
    "ni_able",
    "protected",
    "protection_end",
    "source",
];

/// adjustments.csv: one row per payroll line.
pub fn adjustments<W: Write>(out: W, report: &Report, rows: &[AdjustmentRow]) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(ADJUSTMENTS_HEADER).map_err(io)?;
    let mut r = Record::default();
    for row in rows {
        r.clear();
        r.t(&row.assignment).t(&row.name).t(&row.cost_centre).t(&element_name(report.config, row.element));
        r.s(&row.units).s(&row.rate).d(row.amount).s(yn(row.taxable)).s(yn(row.ni_able));
        r.s(&row.protected).s(&row.protection_end).t(&row.source).write(&mut w)?;
    }
    flush(w)
}

/// deferred-claims.csv: the DEFERRED lines in Claims columns, so that next
/// month's run can take them back as a second `--expenses`.
pub fn deferred<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(crate::model::schema::CLAIMS.iter().map(|c| c.name)).map_err(io)?;
    for (l, d) in report.lines.iter().zip(report.decisions) {
        if d.status != Status::Deferred {
            continue;
        }
        w.write_record(csv_cells(&l.columns())).map_err(io)?;
    }
    flush(w)
}

/// p11d.csv's columns.
pub const P11D_HEADER: &[&str] = &["assignment", "name", "tax_year", "section", "amount"];

/// p11d.csv: tax-year-to-date P11D amounts per employee, tax year and
/// section (SPEC §4.1), ordered by assignment, tax year, section.
pub fn p11d<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(P11D_HEADER).map_err(io)?;
    let mut r = Record::default();
    for row in report.p11d {
        r.clear();
        r.t(&row.assignment)
            .t(&row.name)
            .s(&row.tax_year_label())
            .d(row.section)
            .d(row.amount)
            .write(&mut w)?;
    }
    flush(w)
}

pub const ATTENDANCE_HEADER: &[&str] =
    &["assignment", "name", "episodes", "days", "score", "stage", "new_stage"];

/// attendance.csv: one row per employee with sickness in the Bradford window.
pub fn attendance<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(ATTENDANCE_HEADER).map_err(io)?;
    let mut r = Record::default();
    for row in report.attendance {
        r.clear();
        r.t(&row.assignment).t(&row.name).d(row.episodes).d(row.days).d(row.score).d(row.stage);
        r.s(yn(row.new_stage)).write(&mut w)?;
    }
    flush(w)
}

pub const ABSENCE_HEADER: &[&str] = &[
    "organisation",
    "period",
    "month",
    "cost_centre",
    "staff_group",
    "headcount",
    "fte",
    "fte_days_available",
    "fte_days_lost",
    "fte_days_lost_short",
    "fte_days_lost_long",
    "rate",
    "rate_short",
    "rate_long",
    "episodes",
    "episodes_long",
    "returns",
    "rtw_recorded",
    "rtw_on_time",
];

/// A percentage or figure in hundredths, `12.34`; blank for none.
fn percent(value: Option<i64>) -> String {
    value.map(hundredths).unwrap_or_default()
}

/// absence.csv (SPEC §10.2): one row per (cost_centre, staff_group), then `(all)`.
pub fn absence<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(ABSENCE_HEADER).map_err(io)?;
    let figures = report.absence;
    let (org, period, month) =
        (report.organisation.unwrap_or(""), report.period.label(), activity_month(report));
    let mut r = Record::default();
    for row in &figures.rows {
        r.clear();
        r.t(org).s(&period).s(&month).t(&row.cost_centre).t(&row.staff_group).d(row.headcount);
        for value in [row.fte, row.available, row.lost, row.lost_short, row.lost_long] {
            r.s(&hundredths(figures.hundredths(value)));
        }
        for part in [row.lost, row.lost_short, row.lost_long] {
            r.s(&percent(percent_x100(part, row.available)));
        }
        r.d(row.episodes).d(row.episodes_long);
        // SPEC §10.2: the three return columns are blank without an rtw_date column.
        if figures.rtw_column {
            r.d(row.returns).d(row.rtw_recorded).d(row.rtw_on_time);
        } else {
            r.s("").s("").s("");
        }
        r.write(&mut w)?;
    }
    flush(w)
}

pub const ABSENCE_REASONS_HEADER: &[&str] =
    &["organisation", "period", "month", "reason", "episodes", "fte_days_lost", "share"];

/// absence-reasons.csv (SPEC §10.2): by FTE days lost, most first.
pub fn absence_reasons<W: Write>(out: W, report: &Report) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(ABSENCE_REASONS_HEADER).map_err(io)?;
    let figures = report.absence;
    let (org, period, month) =
        (report.organisation.unwrap_or(""), report.period.label(), activity_month(report));
    let total = figures.total_lost();
    let mut r = Record::default();
    for row in &figures.reasons {
        r.clear();
        r.t(org).s(&period).s(&month).t(&row.reason).d(row.episodes);
        r.s(&hundredths(figures.hundredths(row.lost))).s(&percent(percent_x100(row.lost, total)));
        r.write(&mut w)?;
    }
    flush(w)
}

fn activity_month(report: &Report) -> String {
    report.period.activity_start.format("%Y-%m").to_string()
}
/// `payrun check --out FILE.csv` (SPEC §13): one row per data finding.
pub const DATA_CELLS_HEADER: &[&str] = &["source", "column", "raw", "code", "message"];

pub fn data_cells<W: Write>(out: W, cells: &[crate::model::input::DataCell]) -> std::io::Result<()> {
    let mut w = writer(out);
    w.write_record(DATA_CELLS_HEADER).map_err(io)?;
    let mut r = Record::default();
    for c in cells {
        r.clear();
        r.t(&c.source).t(&c.column).t(&c.raw).s(c.code).t(&c.message).write(&mut w)?;
    }
    flush(w)
}
