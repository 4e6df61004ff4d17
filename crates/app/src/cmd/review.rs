//! `payrun review`: the auditors' review round trip (SPEC §11) — a CSV
//! template of a period's findings, the import of filled workbooks or CSVs
//! into the ledger (all or nothing), and the state of the reviews.

use super::ledger::StateArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::review::{self as reader, ReviewCell};
use crate::ledger::{Ledger, NewReview};
use crate::model::csv_text::escape;
use crate::model::money::{parse_decimal_text, pounds_text};
use crate::model::review::{self, Disposition, ReviewAction, StoredFinding};
use crate::model::Pence;
use clap::{Args, Subcommand};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Record what auditors decided about the ERROR and WARNING findings
/// (CLEARED, QUERY, RECOVER, PAY): the next run shows them, pays PAY and
/// recovers RECOVER through the payroll batch.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    Template(TemplateArgs),
    Import(ImportArgs),
    Status(StatusArgs),
}

/// Write reviews-P.csv: one row per ERROR and WARNING finding of committed
/// period P, the review columns empty or holding the finding's latest
/// review, for auditors who prefer a CSV to the workbook.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The committed pay period, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// Folder to write reviews-P.csv into.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    #[command(flatten)]
    pub state: StateArgs,
}

/// Import filled exceptions workbooks or reviews CSVs into the ledger. Every
/// row with a Review value is checked; any bad row stops the import (exit 2,
/// naming file, sheet and cell or CSV line) and nothing is stored.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Filled exceptions workbooks (.xlsx) or reviews CSVs (.csv).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Who reviewed: recorded with every review (and one of `[review]
    /// reviewers` when the configuration lists names).
    #[arg(long)]
    pub reviewer: Option<String>,
    /// Configuration folder (for `[review] reviewers`) [default:
    /// $PAYRUN_CONFIG, ./config, built-in].
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub state: StateArgs,
}

/// Per committed period: ERROR / WARNING findings, reviewed, open (never
/// reviewed), queries open, recoveries outstanding and payments due.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this pay period, YYYY-MM.
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub state: StateArgs,
}

pub fn run(args: ReviewArgs) -> Result<()> {
    match args.command {
        ReviewCommand::Template(a) => template(a),
        ReviewCommand::Import(a) => import(a),
        ReviewCommand::Status(a) => status(a),
    }
}

/// The header of reviews-P.csv (SPEC §11.2).
pub const TEMPLATE_HEADER: &[&str] = &[
    "finding_id",
    "severity",
    "rule",
    "assignment",
    "name",
    "claim_id",
    "line_no",
    "status",
    "claimed",
    "allowed",
    "review",
    "amount",
    "note",
];

fn committed_period(ledger: &Ledger, text: &str) -> Result<String> {
    let period = crate::model::period::label(super::parse_period(text)?);
    if !ledger.periods()?.contains(&period) {
        return Err(Error::Usage(format!("period {period} is not committed in {}", ledger.path().display())));
    }
    Ok(period)
}

fn template(args: TemplateArgs) -> Result<()> {
    let ledger = args.state.open_read_only()?;
    let period = committed_period(&ledger, &args.period)?;
    let findings = ledger.findings_of_period(&period)?;
    if findings.is_empty() && !ledger.periods_with_findings()?.contains(&period) {
        return Err(Error::Usage(format!(
            "period {period} was committed before the ledger kept findings (schema v11): its findings cannot be \
             reviewed unless it is re-run"
        )));
    }
    let reviews = ledger.reviews()?;
    let latest = review::latest(&reviews);
    let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(format!("writing reviews-{period}.csv: {e}"));
    csv.write_record(TEMPLATE_HEADER).map_err(fail)?;
    for f in findings.iter().filter(|f| f.reviewable()) {
        let r = latest.get(f.finding_id.as_str());
        let line_no = f.line_no.map(|n| n.to_string()).unwrap_or_default();
        let on_line = f.on_line();
        let money = |p: Pence| if on_line { p.to_string() } else { String::new() };
        let fields = [
            f.finding_id.clone(),
            f.severity.clone(),
            f.rule.clone(),
            escape(&f.assignment).into_owned(),
            escape(&f.name).into_owned(),
            escape(&f.claim_id).into_owned(),
            line_no,
            f.status.clone(),
            money(f.claimed),
            money(f.allowed),
            r.map(|r| r.review.code().to_string()).unwrap_or_default(),
            r.filter(|r| r.review.moves_money()).map(|r| r.amount.to_string()).unwrap_or_default(),
            r.map(|r| escape(&r.note).into_owned()).unwrap_or_default(),
        ];
        csv.write_record(&fields).map_err(fail)?;
    }
    let text = csv.into_inner().map_err(|e| Error::Internal(format!("writing reviews-{period}.csv: {e}")))?;
    let name = format!("reviews-{period}.csv");
    let mut staging = crate::files::atomic::Staging::new(&args.out)?;
    staging.write(&name, |w| std::io::Write::write_all(w, &text))?;
    staging.commit()?;
    println!("{}", args.out.join(name).display());
    Ok(())
}

/// A typed Amount: pounds, at most two decimals, `£` and thousands commas allowed.
fn parse_amount(text: &str) -> Option<Pence> {
    let t = text.trim();
    let frac = t.split_once('.').map_or("", |(_, f)| f);
    if frac.trim_end_matches('0').len() > 2 {
        return None;
    }
    parse_decimal_text(t, 2).map(Pence)
}

/// One checked row ready to store.
struct Checked<'a> {
    cell: &'a ReviewCell,
    file: usize,
    finding: &'a StoredFinding,
    review: Disposition,
    amount: Pence,
}

fn import(args: ImportArgs) -> Result<()> {
    let config = Config::find(args.config.as_deref())?;
    let reviewer = args.reviewer.as_deref().map(str::trim).unwrap_or("");
    if reviewer.is_empty() {
        return Err(Error::Usage("--reviewer NAME is required: every review records who made it".into()));
    }
    if !config.policy.review.allows(reviewer) {
        return Err(Error::Usage(format!(
            "--reviewer {reviewer} is not one of [review] reviewers in {} ({}); nothing was stored",
            config.dir.display(),
            config.policy.review.reviewers.join(", ")
        )));
    }
    let mut ledger = args.state.open_existing()?;
    args.state.check_org(&mut ledger)?;
    let files: Vec<(PathBuf, reader::ReviewFile)> =
        args.files.iter().map(|p| reader::read(p).map(|f| (p.clone(), f))).collect::<Result<_>>()?;
    let ids: Vec<String> =
        files.iter().flat_map(|(_, f)| f.rows.iter().map(|r| r.finding_id.clone())).collect();
    let findings = ledger.findings_by_id(&ids)?;
    let reviews = ledger.reviews()?;
    let latest = review::latest(&reviews);
    let actions = ledger.review_actions()?;
    let actioned: HashMap<(&str, i64), &ReviewAction> =
        actions.iter().map(|a| ((a.finding_id.as_str(), a.review_seq), a)).collect();

    let mut errors = Vec::new();
    let mut checked: Vec<Checked> = Vec::new();
    for (file_index, (path, file)) in files.iter().enumerate() {
        let at = |place: &str| format!("{}, {place}", path.display());
        for cell in &file.rows {
            let fail = |reason: String| format!("{}: {reason}", at(&cell.place));
            let Some(review) = Disposition::parse(&cell.review) else {
                errors.push(format!(
                    "{}: Review \"{}\" is not one of CLEARED, QUERY, RECOVER, PAY",
                    at(&cell.review_place),
                    cell.review
                ));
                continue;
            };
            if cell.finding_id.is_empty() {
                errors.push(fail("the row has a Review but no Finding ID".into()));
                continue;
            }
            let Some(finding) = findings.get(&cell.finding_id) else {
                errors.push(fail(format!(
                    "finding id {} is not in the ledger at {} (a workbook of another organisation or ledger, or of a \
                     run that was replaced)",
                    cell.finding_id,
                    ledger.path().display()
                )));
                continue;
            };
            if !finding.reviewable() {
                errors.push(fail(format!(
                    "finding {} is {}: only ERROR and WARNING findings are reviewed",
                    cell.finding_id, finding.severity
                )));
                continue;
            }
            let amount = if review.moves_money() {
                match parse_amount(&cell.amount) {
                    Some(a) if a > Pence::ZERO => a,
                    _ if cell.amount.is_empty() => {
                        errors.push(format!(
                            "{}: {} needs an Amount greater than 0",
                            at(&cell.amount_place),
                            review.code()
                        ));
                        continue;
                    }
                    _ => {
                        errors.push(format!(
                            "{}: Amount \"{}\" is not money greater than 0 (pounds, at most two decimals)",
                            at(&cell.amount_place),
                            cell.amount
                        ));
                        continue;
                    }
                }
            } else {
                if !cell.amount.is_empty() && parse_amount(&cell.amount) != Some(Pence::ZERO) {
                    errors.push(format!(
                        "{}: Amount \"{}\" given with {}: an Amount is only for RECOVER and PAY",
                        at(&cell.amount_place),
                        cell.amount,
                        review.code()
                    ));
                    continue;
                }
                Pence::ZERO
            };
            if review != Disposition::Cleared && cell.note.is_empty() {
                errors
                    .push(fail(format!("{} needs a Review note (what was asked or decided)", review.code())));
                continue;
            }
            if review.moves_money() && !finding.on_line() {
                errors.push(fail(format!(
                    "{} is for findings on a claim line; {} {} is about the employee (CLEARED or QUERY only)",
                    review.code(),
                    finding.rule,
                    cell.finding_id
                )));
                continue;
            }
            let status = finding.status.as_str();
            match review {
                Disposition::Recover if !matches!(status, "PAID" | "ADJUSTED") => {
                    errors.push(fail(format!(
                        "RECOVER is for money paid: line {} was {status}, nothing was paid",
                        finding.line_ref()
                    )));
                    continue;
                }
                Disposition::Pay if !matches!(status, "ADJUSTED" | "REJECTED") => {
                    errors.push(fail(format!(
                        "PAY overturns a rejection or reduction: line {} was {status}",
                        finding.line_ref()
                    )));
                    continue;
                }
                _ => {}
            }
            if let Some(previous) = latest.get(cell.finding_id.as_str()) {
                let same =
                    previous.review == review && previous.amount == amount && previous.note == cell.note;
                if let Some(a) = actioned.get(&(previous.finding_id.as_str(), previous.seq)) {
                    if !same {
                        errors.push(fail(format!(
                            "finding {} has a {} of {} that the run of {} already actioned: it cannot be changed",
                            cell.finding_id,
                            previous.review.code(),
                            pounds_text(previous.amount),
                            a.period
                        )));
                        continue;
                    }
                }
            }
            checked.push(Checked { cell, file: file_index, finding, review, amount });
        }
    }

    // The same finding twice with different reviews: which one is meant is unknown.
    let (mut first, mut unique): (HashMap<&str, &Checked>, Vec<&Checked>) = (HashMap::new(), Vec::new());
    for c in &checked {
        match first.get(c.cell.finding_id.as_str()) {
            Some(p) if (p.review, p.amount, &p.cell.note) != (c.review, c.amount, &c.cell.note) => errors
                .push(format!(
                    "{}, {}: finding {} is also reviewed differently at {}, {}",
                    files[c.file].0.display(),
                    c.cell.place,
                    c.cell.finding_id,
                    files[p.file].0.display(),
                    p.cell.place
                )),
            Some(_) => {}
            None => {
                first.insert(c.cell.finding_id.as_str(), c);
                unique.push(c);
            }
        }
    }

    // One pot per line (SPEC §11.2): PAY ≤ claimed − allowed, RECOVER ≤ allowed,
    // over the latest reviews of all the line's findings.
    let mut lines: BTreeMap<(String, String, Option<i64>), Vec<&Checked>> = BTreeMap::new();
    for c in first.values().filter(|c| c.review.moves_money()) {
        let f = c.finding;
        lines.entry((f.period.clone(), f.claim_id.clone(), f.line_no)).or_default().push(c);
    }
    let mut by_period: BTreeMap<&str, Vec<(String, Option<i64>)>> = BTreeMap::new();
    for (period, claim_id, line_no) in lines.keys() {
        by_period.entry(period.as_str()).or_default().push((claim_id.clone(), *line_no));
    }
    let mut found = BTreeMap::new();
    for (period, wanted) in &by_period {
        found.insert(*period, ledger.findings_on_lines(period, wanted)?);
    }
    for ((period, claim_id, line_no), rows) in &lines {
        let on_line = found
            .get(period.as_str())
            .and_then(|m| m.get(&(claim_id.clone(), *line_no)))
            .map_or(&[][..], Vec::as_slice);
        let (mut pay, mut recover) = (Pence::ZERO, Pence::ZERO);
        for f in on_line {
            let (d, amount) = match first.get(f.finding_id.as_str()) {
                Some(c) => (c.review, c.amount),
                None => match latest.get(f.finding_id.as_str()) {
                    Some(r) => (r.review, r.amount),
                    None => continue,
                },
            };
            match d {
                Disposition::Pay => pay += amount,
                Disposition::Recover => recover += amount,
                _ => {}
            }
        }
        let Some(f) = on_line.first().or(rows.first().map(|c| c.finding)) else { continue };
        let place = rows
            .iter()
            .map(|c| format!("{}, {}", files[c.file].0.display(), c.cell.amount_place))
            .collect::<Vec<_>>()
            .join("; ");
        let withheld = f.claimed - f.allowed;
        if pay > withheld {
            errors.push(format!(
                "{place}: PAY {} on line {} is more than was withheld, claimed {} − allowed {} = {}",
                pounds_text(pay),
                f.line_ref(),
                pounds_text(f.claimed),
                pounds_text(f.allowed),
                pounds_text(withheld)
            ));
        }
        if recover > f.allowed {
            errors.push(format!(
                "{place}: RECOVER {} on line {} is more than was paid (allowed {})",
                pounds_text(recover),
                f.line_ref(),
                pounds_text(f.allowed)
            ));
        }
    }

    if !errors.is_empty() {
        let shown = errors.len().min(20);
        let mut message =
            format!("{} problem(s); nothing was stored:\n  {}", errors.len(), errors[..shown].join("\n  "));
        if errors.len() > shown {
            message.push_str(&format!("\n  … {} more", errors.len() - shown));
        }
        return Err(Error::Usage(message));
    }

    let new: Vec<NewReview> = unique
        .iter()
        .map(|c| NewReview {
            finding_id: c.cell.finding_id.clone(),
            period: c.finding.period.clone(),
            review: c.review,
            amount: c.amount,
            note: c.cell.note.clone(),
            file_sha256: files[c.file].1.sha256.clone(),
        })
        .collect();
    let imported_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let outcome =
        ledger.append_reviews(&new, reviewer, &imported_at, || crate::pipeline::pause_at("review-commit"))?;
    let names = args.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    if outcome.stored == 0 {
        println!(
            "nothing stored: the {} review(s) in {names} are already in the ledger as they are",
            outcome.unchanged
        );
    } else {
        println!(
            "stored {} review(s) from {names} by {reviewer}; {} unchanged",
            outcome.stored, outcome.unchanged
        );
    }
    Ok(())
}

/// One period's line of `payrun review status`.
#[derive(Default)]
struct PeriodStatus {
    findings: usize,
    reviewed: usize,
    open: usize,
    queries: usize,
    outstanding: Pence,
    due: Pence,
}

fn status(args: StatusArgs) -> Result<()> {
    let ledger = args.state.open_read_only()?;
    let only = args.period.as_deref().map(|p| committed_period(&ledger, p)).transpose()?;
    let reviews = ledger.reviews()?;
    let latest = review::latest(&reviews);
    let actions = ledger.review_actions()?;
    let mut carried: HashMap<(&str, i64), Pence> = HashMap::new();
    for a in &actions {
        *carried.entry((a.finding_id.as_str(), a.review_seq)).or_default() += a.amount;
    }
    let stored = ledger.periods_with_findings()?;
    println!(
        "{:<8} {:>9} {:>9} {:>7} {:>8} {:>14} {:>14}",
        "period", "findings", "reviewed", "open", "queries", "to recover £", "to pay £"
    );
    for period in ledger.periods()? {
        if only.as_ref().is_some_and(|p| *p != period) {
            continue;
        }
        if !stored.contains(&period) {
            println!("{period:<8} committed before the ledger kept findings: nothing to review");
            continue;
        }
        let mut s = PeriodStatus::default();
        for f in ledger.findings_of_period(&period)?.iter().filter(|f| f.reviewable()) {
            s.findings += 1;
            let Some(r) = latest.get(f.finding_id.as_str()) else {
                s.open += 1;
                continue;
            };
            s.reviewed += 1;
            let done = carried.get(&(r.finding_id.as_str(), r.seq)).copied().unwrap_or_default();
            match r.review {
                Disposition::Query => s.queries += 1,
                Disposition::Recover => s.outstanding += r.amount - done,
                Disposition::Pay => s.due += r.amount - done,
                Disposition::Cleared => {}
            }
        }
        println!(
            "{period:<8} {:>9} {:>9} {:>7} {:>8} {:>14} {:>14}",
            s.findings,
            s.reviewed,
            s.open,
            s.queries,
            pounds_text(s.outstanding),
            pounds_text(s.due)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_amount;
    use crate::model::Pence;

    #[test]
    fn amounts_are_pounds_with_at_most_two_decimals() {
        assert_eq!(parse_amount("12.5"), Some(Pence(1250)));
        assert_eq!(parse_amount("£1,234.50"), Some(Pence(123450)));
        assert_eq!(parse_amount("7"), Some(Pence(700)));
        assert_eq!(parse_amount("12.500"), Some(Pence(1250)));
        assert_eq!(parse_amount("12.345"), None);
        assert_eq!(parse_amount("twelve"), None);
    }
}
