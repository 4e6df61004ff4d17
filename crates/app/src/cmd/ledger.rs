//! `payrun ledger`: look at the state behind a decision (SPEC §5).

use crate::error::Result;
use crate::ledger::{self, Ledger};
use crate::model::history::History;
use crate::model::period::Period;
use crate::model::time::add_months;
use crate::model::{AbsenceType, Pence};
use chrono::{Duration, NaiveDate};
use clap::{Args, Subcommand};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Show, export or remove periods of the ledger: the year-to-date and
/// rolling figures earlier periods committed, which later runs build on.
/// `show` and `export` read without taking the run lock, so they can be used
/// while a run is going.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    Show(ShowArgs),
    Export(ExportArgs),
    Remove(RemoveArgs),
    Adopt(AdoptArgs),
}

/// Record that a ledger made by runs without `--org` is organisation
/// CODE's, once it has been moved into that organisation's state folder
/// (a ledger records its organisation, and a run for another one is
/// refused). Refused for a ledger that already belongs to an organisation.
#[derive(Debug, Args)]
pub struct AdoptArgs {
    #[command(flatten)]
    pub state: StateArgs,
}

/// Which ledger: the same one `payrun run` with these options uses.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// State folder holding the ledger [default: $PAYRUN_STATE or
    /// payrun-state, plus /ORG with --org].
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Organisation code: its state folder, as `payrun run --org` uses it.
    #[arg(long)]
    pub org: Option<String>,
}

impl StateArgs {
    pub(crate) fn dir(&self) -> Result<PathBuf> {
        super::state_dir(self.state.clone(), self.org.as_deref())
    }

    /// An existing ledger with the run lock (for commands that change it);
    /// not `Ledger::open` alone, which would create an empty one.
    /// With `--org`, refuses (exit 2) a ledger of another organisation.
    pub(crate) fn check_org(&self, ledger: &mut Ledger) -> Result<()> {
        if self.org.is_some() {
            ledger.claim_organisation(self.org.as_deref(), false)?;
        }
        Ok(())
    }

    pub(crate) fn open_existing(&self) -> Result<Ledger> {
        let state = self.dir()?;
        let path = state.join(ledger::LEDGER_FILE);
        if !path.is_file() {
            return Err(crate::error::Error::Usage(format!("no ledger at {}", path.display())));
        }
        Ledger::open(&state)
    }

    /// The ledger for reading; with `--org`, refused (exit 2) when it
    /// belongs to another organisation (SPEC §12.4). Without `--org` a
    /// ledger named by `--state` is read whatever its organisation: looking
    /// is not running for one (decisions.md 441).
    pub(crate) fn open_read_only(&self) -> Result<Ledger> {
        let mut ledger = Ledger::open_read_only(&self.dir()?)?;
        if self.org.is_some() {
            ledger.claim_organisation(self.org.as_deref(), false)?;
        }
        Ok(ledger)
    }
}

/// Per employee, the figures the next run starts from: Special Rate miles
/// this financial year, HMRC AMAP miles this tax year, relocation paid per
/// employment, special-leave hours in the rolling 12 months by type, the
/// Bradford stage reached, and pay-protection top-ups paid.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Only this assignment.
    #[arg(long)]
    pub assignment: Option<String>,
    #[command(flatten)]
    pub state: StateArgs,
    /// Show the figures a run of this pay period (YYYY-MM) would start from
    /// [default: the month after the latest committed period].
    #[arg(long)]
    pub period: Option<String>,
    /// List the deferred lines the ledger holds instead (SPEC §12.1): those
    /// the next run decides again without being given a file.
    #[arg(long)]
    pub deferred: bool,
}

/// Write every ledger table as a CSV (header row, rows in key order) into
/// `--out`: money in pence, miles in tenths, hours in hundredths.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write the CSVs into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub state: StateArgs,
}

/// Undo a period committed by mistake: delete its entries from every table,
/// so that later runs no longer count them (e.g. a run of the wrong month).
/// Refused while later periods exist, whose figures include it, unless
/// `--cascade` removes them too. Takes the run lock (exit 4 while a run holds it).
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The period to remove, YYYY-MM.
    #[arg(long)]
    pub period: String,
    /// Confirm: without it nothing is removed and the command says what would be.
    #[arg(long)]
    pub yes: bool,
    /// Also remove every later period.
    #[arg(long)]
    pub cascade: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

pub fn run(args: LedgerArgs) -> Result<()> {
    match args.command {
        LedgerCommand::Show(a) => show(a),
        LedgerCommand::Remove(a) => remove(a),
        LedgerCommand::Adopt(a) => adopt(a),
        LedgerCommand::Export(a) => {
            let ledger = a.state.open_read_only()?;
            for path in ledger.export(&a.out)? {
                println!("{}", path.display());
            }
            Ok(())
        }
    }
}

fn adopt(args: AdoptArgs) -> Result<()> {
    let Some(code) = args.state.org.clone() else {
        return Err(crate::error::Error::Usage(
            "ledger adopt needs --org CODE: the organisation the ledger belongs to".into(),
        ));
    };
    let mut ledger = args.state.open_existing()?;
    ledger.adopt(&code)?;
    println!("{} is now the ledger of {code}", ledger.path().display());
    Ok(())
}

fn remove(args: RemoveArgs) -> Result<()> {
    let label = crate::model::period::label(super::parse_period(&args.period)?);
    let mut ledger = args.state.open_existing()?;
    if args.state.org.is_some() {
        ledger.claim_organisation(args.state.org.as_deref(), false)?;
    }
    if !args.yes {
        let mut doomed = vec![label.clone()];
        if args.cascade {
            doomed.extend(ledger.periods_after(&label)?);
        }
        return Err(crate::error::Error::Usage(format!(
            "this removes period(s) {} from {}; pass --yes to confirm",
            doomed.join(", "),
            ledger.path().display()
        )));
    }
    let removed = ledger.remove(&label, args.cascade)?;
    println!("removed period(s) {} from {}", removed.join(", "), ledger.path().display());
    Ok(())
}

fn show(args: ShowArgs) -> Result<()> {
    let ledger = args.state.open_read_only()?;
    if args.deferred {
        return show_deferred(&ledger, args.period.as_deref(), args.assignment.as_deref());
    }
    let periods = ledger.periods()?;
    let unplaced = ledger.unplaced_periods()?;
    let listed: Vec<String> = periods
        .iter()
        .map(|p| if unplaced.contains(p) { format!("{p} (not placed: run it again)") } else { p.clone() })
        .collect();
    println!(
        "ledger {} (schema v{}); committed periods: {}",
        ledger.path().display(),
        ledger.schema_version()?,
        if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
    );
    let run_period = match (&args.period, periods.last()) {
        (Some(text), _) => super::parse_period(text)?,
        (None, Some(latest)) => match Period::parse_month(latest) {
            Some(p) => add_months(p, 1),
            None => return Err(crate::error::Error::Internal(format!("ledger: bad period '{latest}'"))),
        },
        (None, None) => return Ok(()),
    };
    let history = ledger.history(run_period)?;
    let protection: BTreeMap<String, Pence> = ledger.protection_paid(run_period)?.into_iter().collect();

    // The run's figures are as of the end of its activity month.
    let as_of = run_period - Duration::days(1);
    let fy = crate::model::time::financial_year(as_of);
    let ty = crate::model::time::tax_year(as_of);
    let window_start = add_months(as_of, -12) + Duration::days(1);
    println!(
        "figures a run of {} starts from: financial year {fy}/{:02}, tax year {ty}/{:02}, \
         rolling 12 months {window_start} to {as_of}",
        crate::model::period::label(run_period),
        (fy + 1) % 100,
        (ty + 1) % 100,
    );

    let wanted = args.assignment.as_deref().map(str::trim);
    let rows: Vec<Vec<String>> = assignments(&history, &protection)
        .into_iter()
        .filter(|a| wanted.is_none_or(|w| w == a))
        .map(|a| {
            let paid = history.paid_content.keys().filter(|k| k.assignment == a).count();
            vec![
                a.clone(),
                paid.to_string(),
                history.sr_miles_before(&a, fy).to_string(),
                history.amap_miles_before(&a, ty).to_string(),
                history.bradford_stage_reached(&a).to_string(),
                protection.get(&a).copied().unwrap_or_default().to_string(),
                relocation_cell(&history, &a),
                leave_cell(&history, &a, window_start, as_of),
            ]
        })
        .collect();
    if rows.is_empty() {
        println!("no entries{}", wanted.map(|w| format!(" for assignment {w}")).unwrap_or_default());
        return Ok(());
    }
    let header: Vec<String> = [
        "assignment".to_string(),
        "paid_lines".into(),
        format!("sr_miles_fy{fy}"),
        format!("amap_miles_ty{ty}"),
        "bradford_stage".into(),
        "protection_paid".into(),
        "relocation_paid".into(),
        "special_leave_12m_hours".into(),
    ]
    .into();
    print_table(&header, &rows);
    Ok(())
}

/// `ledger show --deferred`: the deferred lines a run of `--period` (default:
/// the month after the latest committed period) would carry, in the order
/// it would decide them, with where each was first read.
fn show_deferred(ledger: &Ledger, period: Option<&str>, assignment: Option<&str>) -> Result<()> {
    let run_period = match (period, ledger.latest_period()?) {
        (Some(text), _) => super::parse_period(text)?,
        (None, Some(latest)) => match Period::parse_month(&latest) {
            Some(p) => add_months(p, 1),
            None => return Err(crate::error::Error::Internal(format!("ledger: bad period '{latest}'"))),
        },
        (None, None) => {
            println!("ledger {}: no committed periods, no deferred lines", ledger.path().display());
            return Ok(());
        }
    };
    let wanted = assignment.map(str::trim);
    let held = ledger.carried(run_period)?;
    let assignment_of = |l: &ledger::DeferredLine| l.columns.get(2).cloned().unwrap_or_default();
    let rows: Vec<Vec<String>> = held
        .iter()
        .filter(|(_, l)| wanted.is_none_or(|w| w == assignment_of(l)))
        .map(|(stored, l)| {
            let column = |name: &str| {
                let at = crate::model::schema::CLAIMS.iter().position(|c| c.name == name);
                at.and_then(|i| l.columns.get(i)).cloned().unwrap_or_default()
            };
            vec![
                l.claim_id.clone(),
                l.line_no.to_string(),
                assignment_of(l),
                column("expense_date"),
                column("category"),
                column("amount"),
                l.carried_from.clone(),
                stored.clone(),
                format!("{}!{}:{}", l.file, l.sheet, l.row),
            ]
        })
        .collect();
    let total: Pence = rows.iter().filter_map(|r| Pence::parse_csv(&r[5])).sum();
    println!(
        "ledger {}: {} deferred line(s), total £{total}, carried into a run of {}",
        ledger.path().display(),
        rows.len(),
        crate::model::period::label(run_period)
    );
    if rows.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = [
        "claim_id",
        "line_no",
        "assignment",
        "expense_date",
        "category",
        "amount",
        "deferred_in",
        "held_by",
        "source",
    ]
    .map(String::from)
    .into();
    print_table(&header, &rows);
    Ok(())
}

/// Everyone the ledger knows anything about, sorted.
fn assignments(h: &History, protection: &BTreeMap<String, Pence>) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    all.extend(h.paid_content.keys().map(|k| k.assignment.clone()));
    all.extend(h.sr_miles.keys().map(|(a, _)| a.clone()));
    all.extend(h.amap_miles.keys().map(|(a, _)| a.clone()));
    all.extend(h.relocation.keys().map(|(a, _)| a.clone()));
    all.extend(h.absences.iter().map(|e| e.assignment.clone()));
    all.extend(h.bradford_stage.keys().cloned());
    all.extend(protection.keys().cloned());
    all
}

/// `since 2025-01-06: 4000.00 (misc 500.00)`, one part per employment.
fn relocation_cell(h: &History, assignment: &str) -> String {
    let mut parts: Vec<(Option<NaiveDate>, String)> = h
        .relocation
        .iter()
        .filter(|((a, _), _)| a == assignment)
        .map(|((_, start), paid)| {
            let since = start.map(|d| format!("since {d}")).unwrap_or_else(|| "no start date".into());
            (*start, format!("{since}: {} (misc {})", paid.total, paid.misc))
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, p)| p).collect::<Vec<_>>().join("; ")
}

/// Special-leave episodes starting in the rolling window, by type: total,
/// paid and unpaid hours. Annual leave and sickness are not special leave
/// (sickness shows through the Bradford stage).
fn leave_cell(h: &History, assignment: &str, from: NaiveDate, to: NaiveDate) -> String {
    let mut by_type: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for t in AbsenceType::ALL.iter().filter(|t| !matches!(t, AbsenceType::Annual | AbsenceType::Sickness)) {
        for e in h.episodes_starting_in(assignment, *t, from, to) {
            let sum = by_type.entry(t.code()).or_default();
            sum.0 += e.hours_x100;
            sum.1 += e.paid_hours_x100;
            sum.2 += e.unpaid_hours_x100;
        }
    }
    by_type
        .into_iter()
        .map(|(t, (all, paid, unpaid))| {
            format!("{t} {} (paid {}, unpaid {})", hours(all), hours(paid), hours(unpaid))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn hours(x100: i64) -> String {
    let sign = if x100 < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", x100.unsigned_abs() / 100, x100.unsigned_abs() % 100)
}

fn print_table(header: &[String], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter().map(|r| r[i].chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header);
    for r in rows {
        line(r);
    }
}
