//! `exceptions-YYYY-MM.xlsx`: Summary (counts and money withheld by
//! severity, rule and cost centre, with a chart), one sheet per severity,
//! Attendance, Deferred and the Rule glossary.

use super::sheet::{
    apply_widths, print_layout, put, put_with, summary_header, Cell, DataSheet, Inputs, SheetOptions,
};
use super::style::{severity_tab, Styles, Widths};
use super::{line_of, Options};
use crate::config::Policy;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Finding, Status, Subject};
use crate::model::kit::hours_text;
use crate::model::review::{Disposition, StoredReview};
use crate::model::rule::Severity;
use crate::model::Pence;
use crate::rules::{self, text, CATALOGUE};
use crate::Report;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartFont, ChartFormat, ChartSolidFill, Color, DataValidation, Workbook,
    XlsxError,
};
use std::collections::BTreeMap;

/// Columns of the ERROR / WARNING / INFO sheets: exceptions.csv plus the
/// claim's context (cost centre, category), policy reference beside the code.
pub const FINDINGS_HEADER: &[&str] = &[
    "severity",
    "rule",
    "policy_ref",
    "assignment",
    "name",
    "cost_centre",
    "claim_id",
    "line_no",
    "date",
    "category",
    "claimed",
    "allowed",
    "message",
    "source",
    "protected",
    "protection_end",
];

/// The Attendance sheet: attendance.csv's columns (SPEC §4.1) and the
/// employee's own Bradford triggers (pro rata when part time, SPEC §3.11).
/// The glossary's text columns and their widths: two A4 landscape pages
/// across at the 8 pt floor, the rule's code repeated on the second.
const GLOSSARY_WRAP: &[(&str, usize)] = &[
    ("policy_ref", 18),
    ("summary", 30),
    ("what it checks", 44),
    ("policy", 44),
    ("effect", 32),
    ("example", 40),
    ("config", 22),
];

/// Long text on the finding sheets wraps in columns of these widths
/// (characters), so that the sheet prints at a legible size (SPEC §13).
const FINDINGS_WRAP: &[(&str, usize)] =
    &[("policy_ref", 40), ("message", 48), ("source", 28), ("previous_review", 30), ("review_note", 30)];

/// Beyond [`FINDINGS_HEADER`] on every finding sheet (SPEC §11.1).
const ID_COLUMNS: &[&str] = &["finding_id"];

/// Beyond those on the ERROR and WARNING sheets (SPEC §11.2, §11.4): the
/// claimant's previous review under the rule, then at the right edge the
/// three columns auditors type in. `payrun review import` finds them by
/// their headings (`Finding ID`, `Review`, `Amount`, `Review note`).
const REVIEW_COLUMNS: &[&str] = &["previous_review", "review", "amount", "review_note"];

/// The cells meant for typing on the ERROR and WARNING sheets.
const REVIEW_INPUTS: &[&str] = &["review", "amount", "review_note"];

/// What the ERROR and WARNING sheets say above their table (SPEC §11.2):
/// the review columns and the command that reads them back.
fn review_intro(severity: Severity) -> Vec<String> {
    vec![
        format!(
            "{} findings. To review: fill the shaded Review, Amount and Review note cells at the right, save, \
             then run  payrun review import FILE --reviewer \"NAME\"",
            severity.code()
        ),
        "CLEARED — looked at, nothing to do (note optional).   QUERY — asked the claimant or manager; \
         stays open (note required)."
            .to_string(),
        "RECOVER — money paid that must come back: Amount more than 0, at most Allowed; PAID or ADJUSTED \
         lines only (note required)."
            .to_string(),
        "PAY — a rejection or reduction overturned: Amount more than 0, at most Claimed − Allowed; ADJUSTED \
         or REJECTED lines only (note required)."
            .to_string(),
        "A finding about the employee (no claim line) takes CLEARED or QUERY only; one line's findings share \
         its money."
            .to_string(),
    ]
}

/// The Review column's drop-down list (SPEC §11.2), with what each value
/// needs as its input message.
fn review_list() -> Result<DataValidation, XlsxError> {
    let codes = Disposition::ALL.map(Disposition::code);
    DataValidation::new()
        .allow_list_strings(&codes)?
        .set_input_title("Review")?
        .set_input_message(
            "CLEARED: nothing to do. QUERY: asked, stays open (note). RECOVER: paid money back, \
             Amount ≤ Allowed (note). PAY: overturned, Amount ≤ Claimed − Allowed (note).",
        )?
        .set_error_title("Not a review")?
        .set_error_message("Choose CLEARED, QUERY, RECOVER or PAY from the list.")
}

pub const ATTENDANCE_SHEET_HEADER: &[&str] =
    &["assignment", "name", "episodes", "days", "score", "stage", "new_stage", "triggers"];

/// The KIT days table beneath it (SPEC §14): every leave with KIT or SPLIT
/// days in the roster, paid on return or not yet.
pub const KIT_HEADER: &[&str] =
    &["assignment", "name", "leave type", "start", "end", "days used / limit", "dates", "hours", "paid in"];

pub const DEFERRED_HEADER: &[&str] = &[
    "assignment",
    "name",
    "cost_centre",
    "claim_id",
    "line_no",
    "expense_date",
    "submitted_date",
    "approved_date",
    "category",
    "description",
    "claimed",
    "reason",
    "source",
];

/// The Rule glossary: each rule's one text (crates/rules/), figures from the
/// run's configuration.
pub const GLOSSARY_HEADER: &[&str] =
    &["code", "severity", "policy_ref", "summary", "what it checks", "policy", "effect", "example", "config"];

pub fn write(wb: &mut Workbook, report: &Report, opts: &Options) -> Result<(), XlsxError> {
    let styles = Styles::new();
    summary(wb, report, &styles)?;
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        findings_sheet(wb, report, &styles, opts, severity)?;
    }
    open_reviews(wb, report, &styles, opts)?;
    let mut attendance = DataSheet::new(
        "Attendance",
        ATTENDANCE_SHEET_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: false, tab: None, wrap: &[] },
    );
    for row in report.attendance {
        attendance.push(
            wb,
            &styles,
            &[
                Cell::Text(&row.assignment),
                Cell::Text(&row.name),
                Cell::Int(row.episodes as i64),
                Cell::Int(row.days as i64),
                Cell::Int(row.score as i64),
                Cell::Int(row.stage as i64),
                Cell::Text(if row.new_stage { "Y" } else { "N" }),
                Cell::Owned(row.triggers.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")),
            ],
        )?;
    }
    let kit: Vec<Vec<Cell>> = report
        .kit
        .iter()
        .map(|k| {
            vec![
                Cell::Text(&k.leave.assignment),
                Cell::Text(&k.name),
                Cell::Text(k.leave.leave_type.code()),
                Cell::Date(k.leave.start),
                Cell::Date(k.end),
                Cell::Owned(format!("{} / {}", k.days.len(), k.limit)),
                Cell::Owned(k.days.iter().map(|d| d.date.to_string()).collect::<Vec<_>>().join(", ")),
                Cell::Owned(hours_text(k.minutes())),
                Cell::Owned(match &k.paid_in {
                    Some(period) => period.clone(),
                    None if k.end < report.period.activity_start => {
                        format!("not paid: returned {} before this month", k.end + chrono::Duration::days(1))
                    }
                    None => "on return".to_string(),
                }),
            ]
        })
        .collect();
    if !kit.is_empty() {
        attendance.table_below(wb, &styles, "Keeping-in-touch (KIT / SPLIT) days", KIT_HEADER, &kit)?;
    }
    attendance.finish(wb, &styles)?;
    super::absence::sheet(wb, report, &styles)?;
    deferred_sheet(wb, report, &styles, opts)?;
    glossary(wb, &styles, opts, &report.config.policy)?;
    Ok(())
}

/// One severity's findings, in report order, over as many sheets as needed;
/// each with its id, and on ERROR and WARNING the review columns (SPEC §11).
fn findings_sheet(
    wb: &mut Workbook,
    report: &Report,
    styles: &Styles,
    opts: &Options,
    severity: Severity,
) -> Result<(), XlsxError> {
    let reviewed = severity != Severity::Info;
    let mut header: Vec<&str> = FINDINGS_HEADER.iter().chain(ID_COLUMNS).copied().collect();
    if reviewed {
        header.extend_from_slice(REVIEW_COLUMNS);
    }
    let mut sheet = DataSheet::new(
        severity.code(),
        &header,
        SheetOptions {
            row_limit: opts.row_limit,
            constant_memory: true,
            tab: Some(severity_tab(severity)),
            wrap: FINDINGS_WRAP,
        },
    );
    if reviewed {
        sheet = sheet.with_intro(review_intro(severity)).with_inputs(Inputs {
            columns: REVIEW_INPUTS,
            money: &["amount"],
            list: Some(("review", review_list()?)),
        });
    }
    let mut cells: Vec<Cell> = Vec::with_capacity(header.len());
    for (i, f) in report.findings.iter().enumerate().filter(|(_, f)| f.severity == severity) {
        let source = f.source.as_ref().map(|s| s.to_string()).unwrap_or_default();
        cells.clear();
        let assignment = match &f.subject {
            Subject::Line(i) => {
                let (Some(line), Some(d)) = (report.lines.get(*i), report.decisions.get(*i)) else {
                    continue;
                };
                let (name, cc) = person(report, &line.assignment);
                cells.extend([
                    Cell::Severity(f.severity),
                    Cell::Text(f.rule.code),
                    Cell::Text(f.rule.policy_ref),
                    Cell::Text(&line.assignment),
                    Cell::Text(name),
                    Cell::Text(cc),
                    Cell::Text(&line.claim_id),
                    line_no(line),
                    expense_date(line),
                    category(line),
                    Cell::Money(line.amount),
                    Cell::Money(d.allowed),
                ]);
                line.assignment.as_str()
            }
            Subject::Employee { assignment, date } => {
                let (name, cc) = person(report, assignment);
                cells.extend([
                    Cell::Severity(f.severity),
                    Cell::Text(f.rule.code),
                    Cell::Text(f.rule.policy_ref),
                    Cell::Text(assignment),
                    Cell::Text(name),
                    Cell::Text(cc),
                    Cell::Blank,
                    Cell::Blank,
                    date.map(Cell::Date).unwrap_or(Cell::Blank),
                    Cell::Blank,
                    Cell::Blank,
                    Cell::Blank,
                ]);
                assignment.as_str()
            }
        };
        let id = report.finding_id(i);
        cells.extend([
            Cell::Text(&f.message),
            Cell::Owned(source),
            mark_kind(report, assignment),
            mark_end(report, assignment),
            Cell::Text(id),
        ]);
        if reviewed {
            cells.push(previous_review(report, assignment, f.rule.code));
            cells.extend(latest_review(report.reviews.latest.get(id)));
        }
        sheet.push(wb, styles, &cells)?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// The claimant's latest earlier review under the rule (SPEC §11.4).
fn previous_review<'a>(report: &Report, assignment: &str, rule: &str) -> Cell<'a> {
    if report.reviews.previous.is_empty() {
        return Cell::Blank;
    }
    let key = (assignment.to_string(), rule.to_string());
    report.reviews.previous.get(&key).map_or(Cell::Blank, |p| Cell::Owned(p.text()))
}

/// The Review, Amount and Review note cells: the finding's latest review
/// when it has one (a re-run of a period already reviewed), else blank.
fn latest_review(review: Option<&StoredReview>) -> [Cell<'_>; 3] {
    match review {
        Some(r) => [
            Cell::Text(r.review.code()),
            if r.review.moves_money() { Cell::Money(r.amount) } else { Cell::Blank },
            Cell::Text(&r.note),
        ],
        None => [Cell::Blank, Cell::Blank, Cell::Blank],
    }
}

/// The Open reviews sheet (SPEC §11.4).
pub const OPEN_REVIEWS_HEADER: &[&str] = &[
    "period",
    "severity",
    "rule",
    "assignment",
    "name",
    "finding_id",
    "claim_line",
    "status",
    "claimed",
    "allowed",
    "message",
    "state",
    "age_months",
    "reviewer",
    "review_note",
];

const OPEN_REVIEWS_WRAP: &[(&str, usize)] = &[("message", 48), ("review_note", 30)];

/// Every QUERY not superseded, then every ERROR / WARNING finding of the
/// last `[review] open_months` committed periods never reviewed, in the
/// order the run planned them; as long as it needs (continuation sheets,
/// rows streamed out), since a national month leaves 100,000 findings.
fn open_reviews(
    wb: &mut Workbook,
    report: &Report,
    styles: &Styles,
    opts: &Options,
) -> Result<(), XlsxError> {
    let months = report.config.policy.review.open_months;
    let mut sheet = DataSheet::new(
        "Open reviews",
        OPEN_REVIEWS_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: true, tab: None, wrap: OPEN_REVIEWS_WRAP },
    )
    .with_intro(vec![
        format!("Open reviews before pay period {}", report.period.label()),
        format!(
            "Every QUERY not superseded by a later review, then every ERROR / WARNING finding of the last \
             {months} committed period{} not yet reviewed.",
            if months == 1 { "" } else { "s" },
        ),
        "To close one, review it in its period's exceptions workbook (or payrun review template --period P) \
         and import that file."
            .to_string(),
    ]);
    for open in &report.reviews.open {
        let f = &open.finding;
        let money = |p: Pence| if f.on_line() { Cell::Money(p) } else { Cell::Blank };
        let (state, reviewer, note) = match &open.query {
            Some(q) => ("QUERY", q.reviewer.as_str(), q.note.as_str()),
            None => ("not reviewed", "", ""),
        };
        let severity = match f.severity.as_str() {
            "ERROR" => Cell::Severity(Severity::Error),
            "WARNING" => Cell::Severity(Severity::Warning),
            other => Cell::Text(other),
        };
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&f.period),
                severity,
                Cell::Text(&f.rule),
                Cell::Text(&f.assignment),
                Cell::Text(&f.name),
                Cell::Text(&f.finding_id),
                if f.on_line() { Cell::Owned(f.line_ref()) } else { Cell::Blank },
                Cell::Text(&f.status),
                money(f.claimed),
                money(f.allowed),
                Cell::Text(&f.message),
                Cell::Text(state),
                Cell::Int(i64::from(open.age_months)),
                Cell::Text(reviewer),
                Cell::Text(note),
            ],
        )?;
    }
    if report.reviews.open.is_empty() {
        sheet.note_below(wb, styles, "None: no query is open and every recent finding has been reviewed.")?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// The pay-protection mark of the finding's employee (SPEC §3.12 PP001:
/// "every output row of that employee is marked"): exceptions.csv keeps the
/// columns of SPEC §4.1, so the mark is shown here (docs/decisions.md 301).
fn mark_kind<'a>(report: &Report, assignment: &str) -> Cell<'a> {
    report.mark_of(assignment).map_or(Cell::Blank, |m| Cell::Text(m.kind.code()))
}

fn mark_end<'a>(report: &Report, assignment: &str) -> Cell<'a> {
    report.mark_of(assignment).map_or(Cell::Blank, |m| Cell::Date(m.end))
}

/// DEFERRED lines with their context and the reason (the findings' messages).
fn deferred_sheet(
    wb: &mut Workbook,
    report: &Report,
    styles: &Styles,
    opts: &Options,
) -> Result<(), XlsxError> {
    let mut reasons: HashMap<usize, Vec<&str>> = HashMap::new();
    for f in report.findings {
        if let Some(i) = line_of(&f.subject) {
            if report.decisions.get(i).is_some_and(|d| d.status == Status::Deferred) {
                reasons.entry(i).or_default().push(&f.message);
            }
        }
    }
    let mut sheet = DataSheet::new(
        "Deferred",
        DEFERRED_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: true, tab: None, wrap: &[] },
    );
    for (i, (line, d)) in report.lines.iter().zip(report.decisions).enumerate() {
        if d.status != Status::Deferred {
            continue;
        }
        let (name, cc) = person(report, &line.assignment);
        let reason = reasons.get(&i).map(|r| r.join("; ")).unwrap_or_default();
        sheet.push(
            wb,
            styles,
            &[
                Cell::Text(&line.assignment),
                Cell::Text(name),
                Cell::Text(cc),
                Cell::Text(&line.claim_id),
                line_no(line),
                expense_date(line),
                Cell::Date(line.submitted_date),
                line.approved_date.map(Cell::Date).unwrap_or(Cell::Blank),
                category(line),
                Cell::Text(&line.description),
                Cell::Money(line.amount),
                Cell::Owned(reason),
                Cell::Owned(line.source.as_ref().map(|s| s.to_string()).unwrap_or_default()),
            ],
        )?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// Every rule the engine runs, from the same declarations ([`CATALOGUE`]).
fn glossary(wb: &mut Workbook, styles: &Styles, opts: &Options, policy: &Policy) -> Result<(), XlsxError> {
    let mut sheet = DataSheet::new(
        "Rule glossary",
        GLOSSARY_HEADER,
        SheetOptions { row_limit: opts.row_limit, constant_memory: false, tab: None, wrap: GLOSSARY_WRAP },
    );
    for rule in CATALOGUE {
        let t = text::rendered(rule, policy);
        let mut cells = vec![
            Cell::Text(rule.code),
            Cell::Severity(rule.severity),
            Cell::Text(rule.policy_ref),
            Cell::Wrap(&t.summary),
        ];
        let sections = text::sections(rule, &t);
        cells.extend(sections.iter().map(|(_, body)| Cell::Wrap(body)));
        sheet.push(wb, styles, &cells)?;
    }
    sheet.finish(wb, styles)?;
    Ok(())
}

/// The employee's name and cost centre (blank for an unknown assignment).
fn person<'r>(report: &'r Report, assignment: &str) -> (&'r str, &'r str) {
    match report.staff.get(assignment) {
        Some(s) => (s.name.as_str(), s.cost_centre.as_str()),
        None => ("", ""),
    }
}

/// Line number as a number, or the raw text when it could not be read.
fn line_no(line: &ClaimLine) -> Cell<'_> {
    line.unread_line_no().map_or(Cell::Int(line.line_no), Cell::Text)
}

/// Expense date as a date cell, or the raw text when it could not be read.
fn expense_date(line: &ClaimLine) -> Cell<'_> {
    line.unread_expense_date().map_or(Cell::Date(line.expense_date), Cell::Text)
}

fn category(line: &ClaimLine) -> Cell<'_> {
    Cell::Text(line.category_text())
}

/// Findings, distinct lines and money withheld of one group.
#[derive(Default)]
struct Tally {
    findings: i64,
    lines: HashSet<usize>,
    /// Σ withheld over the group's distinct lines ([`withheld`]).
    withheld: Pence,
}

impl Tally {
    fn add(&mut self, f: &Finding, report: &Report) {
        self.findings += 1;
        if let Some(i) = line_of(&f.subject) {
            if self.lines.insert(i) {
                self.withheld += withheld(report, i);
            }
        }
    }
}

/// Money a line withholds (SPEC §13): claimed − allowed of a decided line;
/// a deferred line withholds nothing (it is decided next month), so every
/// "withheld" of the workbook agrees with the run's own.
fn withheld(report: &Report, line: usize) -> Pence {
    match (report.lines.get(line), report.decisions.get(line)) {
        (Some(l), Some(d)) if d.status != Status::Deferred => l.amount - d.allowed,
        _ => Pence(0),
    }
}

/// Bars of the Summary chart (SPEC §13): each decided line's withheld money
/// attributed once, to its first ERROR or WARNING rule in spec order (else
/// "other"); the 10 rules withholding most, largest first, then "other" for
/// the rest, so that the bars add up to the run's withheld.
fn withheld_by_rule(report: &Report) -> (Vec<(String, Pence)>, Pence) {
    let mut first: HashMap<usize, &rules::Rule> = HashMap::new();
    for f in report.findings.iter().filter(|f| f.severity != Severity::Info) {
        if let Some(i) = line_of(&f.subject) {
            let e = first.entry(i).or_insert(f.rule);
            if rules::spec_order(f.rule) < rules::spec_order(e) {
                *e = f.rule;
            }
        }
    }
    let mut by: HashMap<&str, (&rules::Rule, Pence)> = HashMap::new();
    let (mut other, mut total) = (Pence(0), Pence(0));
    for i in 0..report.decisions.len() {
        let w = withheld(report, i);
        if w == Pence(0) {
            continue;
        }
        total += w;
        match first.get(&i) {
            Some(rule) => by.entry(rule.code).or_insert((rule, Pence(0))).1 += w,
            None => other += w,
        }
    }
    let mut ranked: Vec<(&rules::Rule, Pence)> = by.into_values().filter(|(_, w)| *w != Pence(0)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(rules::spec_order(a.0).cmp(&rules::spec_order(b.0))));
    let mut bars: Vec<(String, Pence)> = Vec::new();
    for (k, (rule, w)) in ranked.into_iter().enumerate() {
        if k < 10 {
            let summary = text::render(rule.summary, &report.config.policy);
            bars.push((format!("{} {}", rule.code, short_name(&summary)), w));
        } else {
            other += w;
        }
    }
    if other != Pence(0) {
        bars.push(("other".to_string(), other));
    }
    (bars, total)
}

/// A rule's summary cut to a bar label's length, at a word.
fn short_name(summary: &str) -> String {
    const MAX: usize = 44;
    if summary.chars().count() <= MAX {
        return summary.trim_end_matches('.').to_string();
    }
    let cut: String = summary.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// The Summary sheet: three small tables and a bar chart of money withheld
/// by rule, laid out so that everything important shows without scrolling.
fn summary(wb: &mut Workbook, report: &Report, styles: &Styles) -> Result<(), XlsxError> {
    let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, Tally> = BTreeMap::new();
    // Rule order is spec order; a rule whose severity varies gets a row per severity.
    let mut by_rule: BTreeMap<(usize, &str, std::cmp::Reverse<Severity>), (Tally, &rules::Rule)> =
        BTreeMap::new();
    let mut by_cc: BTreeMap<&str, Tally> = BTreeMap::new();
    for f in report.findings {
        by_severity.entry(std::cmp::Reverse(f.severity)).or_default().add(f, report);
        by_rule
            .entry((rules::spec_order(f.rule), f.rule.code, std::cmp::Reverse(f.severity)))
            .or_insert_with(|| (Tally::default(), f.rule))
            .0
            .add(f, report);
        let assignment = match &f.subject {
            Subject::Line(i) => report.lines.get(*i).map(|l| l.assignment.as_str()).unwrap_or(""),
            Subject::Employee { assignment, .. } => assignment.as_str(),
        };
        let cc = report.staff.get(assignment).map(|s| s.cost_centre.as_str()).unwrap_or("(not in Staff)");
        by_cc.entry(cc).or_default().add(f, report);
    }

    let ws = wb.add_worksheet();
    ws.set_name("Summary")?;
    ws.set_screen_gridlines(false);
    // Columns: A key, B findings, C lines, D withheld, E policy, F severity, G summary.
    let mut w = Widths::new(&[]);
    super::sheet::title_block(ws, 0, report, "Exceptions", styles)?;
    ws.write_string_with_format(
        2,
        0,
        "Withheld = claimed − allowed of the decided lines a finding is about, each line counted once per row; \
         deferred lines withhold nothing (they are decided next month).",
        &styles.subtitle,
    )?;

    ws.write_string_with_format(
        3,
        0,
        "Lines = distinct claim lines; a line with findings of two severities or rules counts under each.",
        &styles.subtitle,
    )?;

    // By severity, top left; the chart sits beside it.
    let mut row = 5;
    ws.write_string_with_format(row, 0, "By severity", &styles.section)?;
    row += 1;
    summary_header(
        ws,
        row,
        &[("Severity", false), ("Findings", true), ("Lines", true), ("Withheld", true)],
        styles,
    )?;
    let mut total_f = 0i64;
    let mut total_lines = HashSet::new();
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        row += 1;
        let t = by_severity.get(&std::cmp::Reverse(s));
        let (f, l, m) = t.map(|t| (t.findings, t.lines.len() as i64, t.withheld)).unwrap_or_default();
        put(ws, row, 0, &Cell::Severity(s), styles, &mut w)?;
        put(ws, row, 1, &Cell::Int(f), styles, &mut w)?;
        put(ws, row, 2, &Cell::Int(l), styles, &mut w)?;
        put(ws, row, 3, &Cell::Money(m), styles, &mut w)?;
        total_f += f;
        if let Some(t) = t {
            total_lines.extend(t.lines.iter().copied());
        }
    }
    // The total counts each line once, whatever its severities.
    let total_w_lines: Pence = total_lines.iter().map(|i| withheld(report, *i)).sum();
    row += 1;
    put_with(ws, row, 0, &Cell::Text("All findings"), styles, &mut w, Some(&styles.total_label))?;
    put_with(ws, row, 1, &Cell::Int(total_f), styles, &mut w, Some(&styles.total_int))?;
    put_with(ws, row, 2, &Cell::Int(total_lines.len() as i64), styles, &mut w, Some(&styles.total_int))?;
    put_with(ws, row, 3, &Cell::Money(total_w_lines), styles, &mut w, Some(&styles.total_money))?;

    // The chart occupies rows 5–25 to the right; the rule table starts below it.
    let chart_row = 5;
    let chart_rows = 20;
    row = (row + 3).max(chart_row + chart_rows + 1);
    ws.write_string_with_format(row, 0, "By rule", &styles.section)?;
    row += 1;
    summary_header(
        ws,
        row,
        &[
            ("Rule", false),
            ("Findings", true),
            ("Lines", true),
            ("Withheld", true),
            ("Policy reference", false),
            ("Severity", false),
            ("Summary", false),
        ],
        styles,
    )?;
    for ((_, code, sev), (t, rule)) in &by_rule {
        row += 1;
        put(ws, row, 0, &Cell::Text(code), styles, &mut w)?;
        put(ws, row, 1, &Cell::Int(t.findings), styles, &mut w)?;
        put(ws, row, 2, &Cell::Int(t.lines.len() as i64), styles, &mut w)?;
        put(ws, row, 3, &Cell::Money(t.withheld), styles, &mut w)?;
        put_with(ws, row, 4, &Cell::Text(rule.policy_ref), styles, &mut w, Some(&styles.indent))?;
        put(ws, row, 5, &Cell::Severity(sev.0), styles, &mut w)?;
        put(ws, row, 6, &Cell::Owned(text::render(rule.summary, &report.config.policy)), styles, &mut w)?;
    }
    if by_rule.is_empty() {
        row += 1;
        ws.write_string_with_format(row, 0, "No findings this run.", &styles.subtitle)?;
    }

    row += 3;
    ws.write_string_with_format(row, 0, "By cost centre", &styles.section)?;
    row += 1;
    summary_header(
        ws,
        row,
        &[("Cost centre", false), ("Findings", true), ("Lines", true), ("Withheld", true)],
        styles,
    )?;
    for (cc, t) in &by_cc {
        row += 1;
        put(ws, row, 0, &Cell::Text(cc), styles, &mut w)?;
        put(ws, row, 1, &Cell::Int(t.findings), styles, &mut w)?;
        put(ws, row, 2, &Cell::Int(t.lines.len() as i64), styles, &mut w)?;
        put(ws, row, 3, &Cell::Money(t.withheld), styles, &mut w)?;
    }

    // The chart's figures: one attribution per line, so they add up. In the
    // wide Policy reference column, so that the labels do not widen column A.
    let (bars, total) = withheld_by_rule(report);
    let (name_col, amount_col) = (4u16, 5u16);
    row += 3;
    ws.write_string_with_format(row, name_col, "Money withheld by rule (the chart)", &styles.section)?;
    row += 1;
    ws.write_string_with_format(
        row,
        name_col,
        "Each decided line's withheld money once, under its first ERROR or WARNING rule; the 10 largest, then the rest as other.",
        &styles.subtitle,
    )?;
    row += 1;
    ws.write_string_with_format(row, name_col, "Rule", &styles.header)?;
    ws.write_string_with_format(row, amount_col, "Withheld", &styles.header_num)?;
    let first_bar = row + 1;
    for (name, amount) in &bars {
        row += 1;
        put(ws, row, name_col, &Cell::Text(name), styles, &mut w)?;
        put(ws, row, amount_col, &Cell::Money(*amount), styles, &mut w)?;
    }
    let last_bar = row;
    row += 1;
    put_with(ws, row, name_col, &Cell::Text("Withheld this run"), styles, &mut w, Some(&styles.total_label))?;
    put_with(ws, row, amount_col, &Cell::Money(total), styles, &mut w, Some(&styles.total_money))?;

    // Section titles and headers are short; the long subtitle lines may overflow.
    for (col, min) in [(0usize, 14usize), (1, 10), (2, 8), (3, 13), (4, 18), (5, 10), (6, 20)] {
        w.see(col, min);
    }
    apply_widths(ws, &w)?;
    print_layout(ws, &w, None, 0)?;

    if !bars.is_empty() {
        let mut chart = Chart::new_bar();
        chart
            .add_series()
            .set_name("Withheld")
            .set_categories(("Summary", first_bar, name_col, last_bar, name_col))
            .set_values(("Summary", first_bar, amount_col, last_bar, amount_col))
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(0x005EB8))),
            );
        chart
            .title()
            .set_name("Money withheld: top 10 rules")
            .set_font(ChartFont::new().set_size(11).set_bold());
        chart.legend().set_hidden();
        chart.x_axis().set_num_format("£#,##0");
        // Bars read top-down in rule order, as the table does.
        // Reversing the category axis would move the £ axis to the top; crossing
        // at the last category keeps it at the bottom.
        chart
            .y_axis()
            .set_reverse()
            .set_crossing(ChartAxisCrossing::Max)
            .set_font(ChartFont::new().set_size(8));
        chart.set_width(600).set_height(chart_rows * 20);
        ws.insert_chart_with_offset(chart_row, 4, &chart, 16, 0)?;
    }
    Ok(())
}
