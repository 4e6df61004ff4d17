//! One payroll run, end to end: ingest → rules → outputs staged → ledger
//! commit → output folder swapped in → run marked placed (SPEC §5).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::files::folder::StagedFolder;
use crate::ingest;
use crate::ledger::{self, Ledger};
use crate::model::adjustment::AdjustmentRow;
use crate::model::claim::ClaimLine;
use crate::model::decision::{Finding, Status};
use crate::model::input::InputReport;
use crate::model::money::pounds_text;
use crate::model::period::{self, Period};
use crate::model::progress::{Progress, Step};
use crate::model::record::PeriodRecord;
use crate::model::review;
use crate::model::rule::Severity;
use crate::output::interface::{self, Batch, BatchHeader, Corrections, Interface};
use crate::output::manifest::Manifest;
use crate::output::{self, reconcile, Report};
pub use crate::rules::fail_on::FailOn;
use crate::rules::{self, state::Ctx};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Everything `payrun run` is told.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// First day of the pay period.
    pub period: NaiveDate,
    pub roster: PathBuf,
    pub expenses: Vec<PathBuf>,
    /// `--config`: `None` looks in `$PAYRUN_CONFIG`, `./config`, then the
    /// built-in defaults (SPEC §8.1).
    pub config_dir: Option<PathBuf>,
    /// `--org`: the organisation code (SPEC §8.1), checked by the caller.
    pub org: Option<String>,
    pub out_dir: PathBuf,
    pub quiet: bool,
    /// `--fail-on`: findings matching the list turn into exit 6 (SPEC §12.2).
    pub fail_on: Option<FailOn>,
    /// `--state`: the folder holding the ledger and its lock.
    pub state_dir: PathBuf,
    /// `--rerun`: allow a period earlier than the latest committed one.
    pub rerun: bool,
    /// `--no-xlsx`: machine files only, no workbooks for people.
    pub no_xlsx: bool,
    /// `--parquet`: Parquet twins of decisions, exceptions and adjustments (SPEC §9).
    pub parquet: bool,
    /// `--log-format`: `Json` puts one JSON object per stage on stderr.
    pub log_format: LogFormat,
    /// `--corrections-into`: first day of the pay period a correction batch
    /// is dated into (default: the period after the latest committed one).
    pub corrections_into: Option<NaiveDate>,
}

/// How stage records go to stderr (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: the progress bar on a terminal, `payrun run`'s summary lines.
    #[default]
    Text,
    /// For log collectors (cron): one object per stage,
    /// `{"stage", "ms", "rows", "warnings"}` (plus `"org"` with `--org`).
    Json,
}

/// What a finished run reports back.
pub struct RunSummary {
    pub out_dir: PathBuf,
    pub manifest: Manifest,
    /// Periods committed after this one (a `--rerun`): their year-to-date
    /// figures were computed without this run's entries and need a re-run.
    pub later_periods: Vec<String>,
    /// Milliseconds the ledger commit took. Not in `manifest.json`: the
    /// manifest is an output, staged before the commit (and the ledger stores
    /// the manifest itself); `payrun run` prints it on stderr.
    pub commit_ms: u128,
    /// Where the previous output folder was kept, if there was one.
    pub replaced: Option<PathBuf>,
}

/// Stage timings for the manifest, the progress display on a terminal and,
/// with `--log-format json`, one JSON object per stage on stderr.
struct Stages {
    started: Instant,
    timings: Vec<(String, u128)>,
    bar: Arc<Bar>,
    /// `Some(org)` with `--log-format json`.
    json: Option<Option<String>>,
    /// Rows written by the current stage.
    rows_written: usize,
}

impl Stages {
    fn new(opts: &RunOptions) -> Stages {
        // indicatif draws nothing when stderr is not a terminal.
        let bar = if opts.quiet || opts.log_format == LogFormat::Json {
            indicatif::ProgressBar::hidden()
        } else {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        };
        let json = (opts.log_format == LogFormat::Json).then(|| opts.org.clone());
        Stages {
            started: Instant::now(),
            timings: Vec::new(),
            bar: Arc::new(Bar(bar)),
            json,
            rows_written: 0,
        }
    }

    fn start(&mut self, stage: &str) {
        self.bar.0.set_message(format!("{stage}…"));
        self.started = Instant::now();
        self.rows_written = 0;
    }

    /// Ends `stage`, which handled `rows` rows and raised `warnings`
    /// findings of severity WARNING.
    fn done(&mut self, stage: &str, rows: usize, warnings: usize) {
        let ms = self.started.elapsed().as_millis();
        self.timings.push((stage.to_string(), ms));
        self.log(stage, ms, rows, warnings);
    }

    fn log(&self, stage: &str, ms: u128, rows: usize, warnings: usize) {
        if let Some(org) = &self.json {
            let mut record =
                serde_json::json!({ "stage": stage, "ms": ms, "rows": rows, "warnings": warnings });
            if let (Some(org), Some(map)) = (org, record.as_object_mut()) {
                map.insert("org".into(), serde_json::Value::String(org.clone()));
            }
            crate::model::log::object(&record);
        }
    }

    /// Records a stage timed by the caller (stages that ran side by side).
    fn record(&mut self, stage: &str, ms: u128, rows: usize) {
        self.timings.push((stage.to_string(), ms));
        self.log(stage, ms, rows, 0);
    }

    /// `rows` rows were written to output `file`.
    fn written(&mut self, file: &str, rows: usize) {
        self.rows_written += rows;
        self.bar.report(Step::Written { file, rows: rows as u64 });
    }

    /// Runs `decide` while a thread of its own shows `decided` of `of` lines
    /// every tenth of a second on the progress display (none without one).
    fn while_deciding<T>(&self, decided: &AtomicU64, of: u64, decide: impl FnOnce() -> T) -> T {
        if self.bar.0.is_hidden() {
            return decide();
        }
        let (bar, finished) = (&*self.bar, AtomicBool::new(false));
        std::thread::scope(|scope| {
            let ticker = scope.spawn(|| {
                while !finished.load(Ordering::Acquire) {
                    bar.report(Step::Decided { lines: decided.load(Ordering::Relaxed), of });
                    std::thread::park_timeout(std::time::Duration::from_millis(100));
                }
            });
            let result = decide();
            finished.store(true, Ordering::Release);
            ticker.thread().unpark();
            result
        })
    }

    fn progress(&self) -> Arc<dyn Progress> {
        self.bar.clone()
    }
}

/// The progress display: the current step as the bar's message.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn report(&self, step: Step<'_>) {
        if self.0.is_hidden() {
            return;
        }
        let message = match step {
            Step::Read { file, sheet, rows, percent: Some(p) } => {
                format!("reading {file} {sheet}: {rows} rows ({p}%)")
            }
            Step::Read { file, sheet, rows, percent: None } => format!("reading {file} {sheet}: {rows} rows"),
            Step::Decided { lines, of } => format!("rules: {lines} of {of} lines decided"),
            Step::Written { file, rows } => format!("writing: {file} {rows} rows"),
        };
        self.0.set_message(message);
    }
}

/// WARNING findings among `findings`.
fn warnings(findings: &[Finding]) -> usize {
    findings.iter().filter(|f| f.severity == Severity::Warning).count()
}

/// Test seam for the kill tests (`tests/crash_safety.rs`, docs/fuzzing.md):
/// when the environment variable `PAYRUN_PAUSE_AT` names `stage`, the run
/// says so on stderr and sleeps, so a test can SIGKILL it at a known point.
/// Stages, in run order (docs/ledger.md says what the next run does after a
/// kill at each): `read` (the roster read, the expenses still being read beside it),
/// `write` (some outputs staged), `commit` (every output staged, the
/// period's transaction filled, not committed), `swap` (committed, output
/// folder not yet swapped in), `mark` (swapped in, run not yet marked
/// placed). Unset, it does nothing.
pub fn pause_at(stage: &str) {
    if std::env::var_os("PAYRUN_PAUSE_AT").is_some_and(|v| v == stage) {
        crate::error::note(&format!("paused at {stage}"));
        std::thread::sleep(std::time::Duration::from_secs(120));
    }
}

/// Runs one pay period: the stages in order.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    run_with(opts, |_| {})
}

/// [`run`] with a test seam passed down: `tamper` sees the period's batch
/// after it is built and before it is reconciled (the pipeline passes a
/// no-op; a test corrupts the batch to prove the run then writes nothing).
pub(crate) fn run_with(opts: &RunOptions, tamper: fn(&mut Batch)) -> Result<RunSummary> {
    let mut stages = Stages::new(opts);

    // Before anything is read (SPEC §5): the lock is taken and the ledger
    // proven writable, and the output folder's staging created, so a second
    // run stops at once (exit 4) and an unwritable state or --out fails at
    // once (exit 8), not after a long ingest.
    stages.start("ledger");
    check_state_outside_out(opts)?;
    // SPEC §12.5: a run that cannot read its inputs creates no ledger.
    check_inputs_readable(opts)?;
    let mut ledger = Ledger::open(&opts.state_dir)?;
    // SPEC §12.4: one ledger, one organisation (marked before the run's
    // transaction, so a first run that fails still leaves the mark).
    ledger.claim_organisation(opts.org.as_deref(), true)?;
    ledger.begin()?;
    refuse_out_of_order(&ledger, opts)?;
    // Only periods before this one (SPEC §6.3 rule 17).
    let history = ledger.history(opts.period)?;
    // What payroll was given for this period, if it was run before (§7.2),
    // and the history digest of the run id (§7.1).
    let label = period::label(opts.period);
    let placement = ledger.placement(&label)?;
    let latest = ledger.latest_period()?;
    let later = ledger.periods_after(&label)?;
    let ledger_digest = ledger.digest(&label)?;
    // The deferred lines the ledger carries into this run (SPEC §12.1).
    let held =
        ingest::carry::Held { carried: ledger.carried(opts.period)?, settled: ledger.settled(opts.period)? };
    let mut staging = StagedFolder::new(&opts.out_dir, opts.org.as_deref())?;
    stages.done("ledger", 0, 0);

    stages.start("config");
    let config = Config::find(opts.config_dir.as_deref())?;
    let period = Period::new(opts.period, &config.policy);
    // The auditors' reviews this run shows and actions (SPEC §11.4).
    let book = ledger.review_book(&label, config.policy.review.open_months)?;
    stages.done("config", 0, 0);

    stages.start("ingest");
    let mut inputs =
        ingest::load(&opts.roster, &opts.expenses, &config, || pause_at("read"), stages.progress())?;
    let carried = ingest::carry::merge(std::mem::take(&mut inputs.claims), &held, &config)?;
    inputs.claims = carried.claims;
    drop(held);
    let rows_read = inputs.reports.iter().flat_map(|r| r.sheets.iter().map(|(_, n)| n)).sum();
    let ingest_warnings = warnings(&inputs.roster_findings);
    refuse_far_ahead(opts.period, &inputs.claims)?;
    stages.done("ingest", rows_read, ingest_warnings);

    stages.start("rules");
    let ctx = Ctx::new(&config, period, &inputs.roster, &history);
    let lines = inputs.claims.len() as u64;
    let mut outcome = stages.while_deciding(&ctx.decided, lines, || {
        let notes = rules::Carried { replaced: &carried.replaced, settled_before: &carried.settled_before };
        rules::evaluate(&ctx, &inputs.claims, inputs.roster_findings, notes)
    })?;
    stages.bar.report(Step::Decided { lines, of: lines });
    // The roster findings of ingest are among the run's findings: counted once.
    let rule_warnings = warnings(&outcome.findings).saturating_sub(ingest_warnings);
    let finding_ids = review::finding_ids(opts.org.as_deref(), &label, &outcome.findings, &inputs.claims);
    let reviews = rules::review::plan(&ctx, &book);
    drop(book);
    let mut review_rows = rules::review::rows(&ctx, &reviews);
    if !review_rows.is_empty() {
        // Ordered among the rules' rows (already ordered and marked) only when there are some.
        rules::payroll::mark(&mut review_rows, &outcome.marks);
        outcome.adjustments.extend(review_rows);
        rules::payroll::order_rows(&mut outcome.adjustments);
    }
    outcome.record.review_actions = reviews.actions.clone();
    stages.done("rules", outcome.decisions.len(), rule_warnings);

    let org = opts.org.as_deref().unwrap_or("PAYRUN");
    let run_id = run_id(org, &label, &config.hash, &inputs.reports, &ledger_digest);
    let mut interface = payroll_interface(
        opts,
        &config,
        &period,
        (org, &run_id),
        &outcome.adjustments,
        (&placement, latest.as_deref(), &later),
        |a: &str| ctx.staff.get(a).map(|s| s.name.clone()).unwrap_or_default(),
    )?;
    tamper(&mut interface.batch);
    outcome.record.batch =
        interface::snapshot(&outcome.adjustments, &run_id, &config.hash, &interface.batch.header.name);

    stages.start("reconcile");
    let mut reconciliation = reconcile::check(&inputs.claims, &outcome.decisions, &outcome.adjustments)
        .with_carried(carried.carried, carried.settled_before.len())
        .with_reviews(&outcome.adjustments, &reviews);
    reconciliation.failures.extend(interface::check(&interface.batch, &outcome.adjustments));
    if let Some(c) = &interface.corrections {
        reconciliation.failures.extend(c.check(&outcome.adjustments));
    }
    reconciliation.passed = reconciliation.failures.is_empty();
    if !reconciliation.passed {
        return Err(Error::Reconciliation(reconciliation.failures.join("; ")));
    }
    stages.done("reconcile", inputs.claims.len(), 0);

    let report = report(opts, &ctx, &inputs.claims, &outcome, (&finding_ids, &reviews));
    let mut manifest =
        manifest(&report, inputs.reports, reconciliation, opts.no_xlsx, opts.parquet, &interface);
    manifest.run_id = run_id;
    let outputs = Outputs {
        report: &report,
        adjustments: &outcome.adjustments,
        record: &outcome.record,
        interface: &interface,
    };
    let manifest = write_outputs(&mut staging, &mut ledger, &outputs, manifest, &mut stages)?;
    pause_at("commit");

    // Commit, then swap the folder in, then mark the run placed: a failure
    // or kill between leaves a committed period not yet placed, which the
    // next run of the period reproduces (docs/ledger.md).
    let commit_started = Instant::now();
    ledger.commit_filled()?;
    let commit_ms = commit_started.elapsed().as_millis();
    stages.log("ledger-commit", commit_ms, outcome.decisions.len(), 0);
    pause_at("swap");
    let placed = staging.place()?;
    pause_at("mark");
    ledger.mark_placed(&label)?;
    let later_periods = ledger.periods_after(&label)?;
    drop(ledger);
    report_corrections(&label, &placement, interface.corrections.as_ref());
    warn_later_periods(&label, &later_periods);
    stages.bar.0.finish_and_clear();
    crate::model::log::set_result(outcome.decisions.len() as u64, &opts.out_dir);
    let failed = fail_on(opts, &outcome.findings);
    drop(ctx);
    free_in_background((inputs.claims, inputs.roster, outcome, history, interface));
    failed?;
    let replaced = placed.replaced;
    Ok(RunSummary { out_dir: opts.out_dir.clone(), manifest, later_periods, commit_ms, replaced })
}

/// Frees the run's lines, decisions and history on a thread of its own: a
/// national month is over a gigabyte of small allocations, and freeing them
/// took most of a second after the run was complete (issue 17). Nothing
/// waits for it; a process that exits first leaves the memory to the OS.
fn free_in_background<T: Send + 'static>(data: T) {
    // A thread that cannot be started drops its closure, and so the data, here.
    let _ = std::thread::Builder::new().name("payrun-free".into()).spawn(move || drop(data));
}

/// What the writers read: the run's lines and everything the rules decided.
fn report<'a>(
    opts: &'a RunOptions,
    ctx: &'a Ctx,
    lines: &'a [ClaimLine],
    outcome: &'a rules::Outcome,
    (finding_ids, reviews): (&'a [String], &'a review::ReviewRun),
) -> Report<'a> {
    Report {
        organisation: opts.org.as_deref(),
        period: ctx.period,
        config: ctx.config,
        lines,
        decisions: &outcome.decisions,
        findings: &outcome.findings,
        staff: &ctx.staff,
        attendance: &outcome.attendance,
        absence: &outcome.absence,
        kit: &outcome.kit,
        marks: &outcome.marks,
        protection: &outcome.protection,
        p11d: &outcome.p11d,
        finding_ids,
        reviews,
    }
}

/// After a `--rerun`, the later periods computed from the old figures.
/// Printed even with --quiet, and before --fail-on: the operator must act on it.
fn warn_later_periods(label: &str, later_periods: &[String]) {
    if !later_periods.is_empty() {
        crate::error::note(&format!(
            "{label} was re-run; later period(s) {} were computed from the old figures \
             and need a re-run, in order",
            later_periods.join(", ")
        ));
    }
}

/// Every input named on the command line exists and can be opened, checked
/// before the ledger is created or locked (SPEC §12.5): a mistyped path
/// fails (exit 3) without leaving a new, empty ledger behind.
fn check_inputs_readable(opts: &RunOptions) -> Result<()> {
    for path in std::iter::once(&opts.roster).chain(&opts.expenses) {
        let opened = if path.is_dir() {
            std::fs::read_dir(path).map(drop)
        } else {
            std::fs::File::open(path).map(drop)
        };
        if let Err(e) = opened {
            return Err(Error::Input(format!("{}: cannot be read: {e}", path.display())));
        }
    }
    Ok(())
}

/// The output folder is replaced as a whole on each run: a state folder
/// inside it would be moved away with it.
fn check_state_outside_out(opts: &RunOptions) -> Result<()> {
    let (state, out) = (std::path::absolute(&opts.state_dir), std::path::absolute(&opts.out_dir));
    match (state, out) {
        (Ok(state), Ok(out)) if state.starts_with(&out) => Err(Error::Usage(format!(
            "--state {} is inside --out {}: each run replaces its output folder as a whole, \
             so keep the ledger's folder elsewhere",
            opts.state_dir.display(),
            opts.out_dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Claims are paid one month in arrears: a period more than two months
/// after the month of the latest expense_date in the Claims is a mistyped
/// `--period` (or the wrong expenses file), and committing it would make
/// every real period need `--rerun`. Refused with exit 2.
fn refuse_far_ahead(period: NaiveDate, claims: &[ClaimLine]) -> Result<()> {
    let Some(latest) = claims.iter().map(|c| c.expense_date).max() else {
        return Ok(());
    };
    let latest_month = latest.with_day(1).unwrap_or(latest);
    if period > crate::model::time::add_months(latest_month, 2) {
        return Err(Error::Usage(format!(
            "--period {} is more than 2 months after the month of the latest expense_date in the Claims \
             ({latest}); claims are paid one month in arrears, so check --period and --expenses",
            period::label(period)
        )));
    }
    Ok(())
}

/// A period earlier than the latest committed one changes figures later
/// periods were paid on: only with `--rerun` (SPEC §6.8 rule 47). Any period
/// while an earlier one is committed but not placed is refused too: that
/// period's outputs may never have reached payroll, yet this run would count
/// its lines as paid (decisions.md).
fn refuse_out_of_order(ledger: &Ledger, opts: &RunOptions) -> Result<()> {
    let label = period::label(opts.period);
    if let Some(latest) = ledger.latest_period()? {
        if label < latest && !opts.rerun {
            return Err(Error::Usage(format!(
                "period {label} is earlier than the latest committed period {latest} in {}: running it \
                 would change the year-to-date and rolling figures that later periods were paid on. \
                 Pass --rerun to run it anyway; the later periods are then reported as needing a re-run",
                ledger.path().display()
            )));
        }
    }
    let unplaced = ledger.unplaced_periods()?;
    if let Some(earlier) = unplaced.iter().find(|p| **p < label) {
        return Err(Error::Usage(format!(
            "period {earlier} is committed in {} but its outputs were never put in place (its run was \
             interrupted): run {earlier} again first (same inputs) to reproduce them",
            ledger.path().display()
        )));
    }
    if unplaced.contains(&label) {
        crate::error::note(&format!(
            "period {label} is committed but its outputs were not put in place (its run was interrupted); \
             this run reproduces them"
        ));
    }
    Ok(())
}

/// What [`write_outputs`] writes: the files and the ledger's record.
struct Outputs<'a> {
    report: &'a Report<'a>,
    adjustments: &'a [AdjustmentRow],
    record: &'a PeriodRecord,
    interface: &'a Interface,
}

/// Stages every output file while the period's ledger transaction is
/// filled; returns the manifest with the output stage's timings.
///
/// The machine files, the ledger's inserts and the two workbooks are
/// independent, so they run at the same time on the rayon pool (issue 17):
/// on two cores the CSVs and the ledger fill take turns beside the workbooks
/// instead of before them. `write` and `workbooks` are timed from the same
/// start. The workbooks show the manifest (Run info) but not its timings, so
/// it is built before them and its timings completed afterwards. Nothing is
/// committed here: SPEC §5's order (commit, swap, mark placed) is the
/// caller's.
fn write_outputs(
    staging: &mut StagedFolder,
    ledger: &mut Ledger,
    outputs: &Outputs,
    mut manifest: Manifest,
    stages: &mut Stages,
) -> Result<Manifest> {
    let (report, adjustments) = (outputs.report, outputs.adjustments);
    let label = report.period.label();
    let workbooks = [format!("payroll-adjustments-{label}.xlsx"), format!("exceptions-{label}.xlsx")];
    let books = manifest
        .outputs
        .contains(&workbooks[0])
        .then(|| (staging.path_for(&workbooks[0]), staging.path_for(&workbooks[1])));
    let parquet = manifest.outputs.iter().any(|o| o == "decisions.parquet");
    stages.start("write");
    let started = Instant::now();
    let ledger_json = ledger_manifest(&manifest)?;
    let manifest_ref = &manifest;
    let ((filled, staged), written) = rayon::join(
        || {
            rayon::join(
                || {
                    ledger.fill(outputs.record, &ledger_json)?;
                    ledger.fill_findings(&label, report.finding_ids, |i| report.stored_finding(i))
                },
                || -> Result<(u128, Option<u128>)> {
                    write_machine_files(staging, outputs, stages)?;
                    let csv_ms = started.elapsed().as_millis();
                    // Parquet twins (`--parquet`, SPEC §9): read back from the staged CSVs.
                    let parquet_ms = if parquet {
                        let begun = Instant::now();
                        for (csv, parquet, money, integers) in crate::insights::parquet::TWINS {
                            let staged = staging
                                .staged_path(csv)
                                .ok_or_else(|| Error::Internal(format!("{csv} not staged")))?;
                            let target = staging.path_for(parquet);
                            crate::insights::parquet::write_twin(&staged, &target, parquet, money, integers)?;
                        }
                        Some(begun.elapsed().as_millis())
                    } else {
                        None
                    };
                    Ok((csv_ms, parquet_ms))
                },
            )
        },
        || -> Result<Option<u128>> {
            let Some(paths) = &books else { return Ok(None) };
            output::workbook::write_both(
                (&paths.0, &paths.1),
                report,
                adjustments,
                manifest_ref,
                outputs.interface,
            )?;
            Ok(Some(started.elapsed().as_millis()))
        },
    );
    // A file that cannot be written is named before the ledger (all exit 8).
    let (csv_ms, parquet_ms) = staged?;
    let books_ms = written?;
    filled?;
    let rows = stages.rows_written;
    stages.record("write", csv_ms, rows);
    if let Some(ms) = parquet_ms {
        stages.record("parquet", ms, report.decisions.len() + report.findings.len() + adjustments.len());
    }
    if let Some(ms) = books_ms {
        stages.record("workbooks", ms, adjustments.len() + report.findings.len());
    }
    manifest.timings_ms = stages.timings.clone();
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Internal(e.to_string()))?;
    staging.write("manifest.json", |w| std::io::Write::write_all(w, &json))?;
    Ok(manifest)
}

/// The CSV files of SPEC §4.1 and §7, in the order the kill tests expect
/// (`PAYRUN_PAUSE_AT=write` fires after the first two).
fn write_machine_files(staging: &mut StagedFolder, outputs: &Outputs, stages: &mut Stages) -> Result<()> {
    let (report, adjustments) = (outputs.report, outputs.adjustments);
    staging.write("decisions.csv", |w| output::csv::decisions(w, report))?;
    stages.written("decisions.csv", report.decisions.len());
    staging.write("exceptions.csv", |w| output::csv::exceptions(w, report))?;
    stages.written("exceptions.csv", report.findings.len());
    pause_at("write");
    staging.write("adjustments.csv", |w| output::csv::adjustments(w, report, adjustments))?;
    stages.written("adjustments.csv", adjustments.len());
    staging.write("deferred-claims.csv", |w| output::csv::deferred(w, report))?;
    let deferred = report.decisions.iter().filter(|d| d.status == Status::Deferred).count();
    stages.written("deferred-claims.csv", deferred);
    staging.write("attendance.csv", |w| output::csv::attendance(w, report))?;
    stages.written("attendance.csv", report.attendance.len());
    staging.write("absence.csv", |w| output::csv::absence(w, report))?;
    stages.written("absence.csv", report.absence.rows.len());
    staging.write("absence-reasons.csv", |w| output::csv::absence_reasons(w, report))?;
    stages.written("absence-reasons.csv", report.absence.reasons.len());
    staging.write("p11d.csv", |w| output::csv::p11d(w, report))?;
    stages.written("p11d.csv", report.p11d.len());
    let payroll = outputs.interface;
    staging.write("payroll-batch.csv", |w| interface::write_lines(w, &payroll.batch))?;
    staging.write("payroll-batch-controls.csv", |w| interface::write_controls(w, &payroll.batch))?;
    stages.written("payroll-batch.csv", payroll.batch.lines.len());
    if let Some(c) = &payroll.corrections {
        let label = report.period.label();
        staging
            .write("corrections.csv", |w| interface::write_corrections(w, &label, &c.rows, report.config))?;
        staging.write("payroll-batch-corrections.csv", |w| interface::write_lines(w, &c.batch))?;
        staging
            .write("payroll-batch-corrections-controls.csv", |w| interface::write_controls(w, &c.batch))?;
        stages.written("corrections.csv", c.rows.len());
    }
    Ok(())
}

/// The manifest as the ledger keeps it: without the timings, which differ
/// between two runs of the same inputs, so a re-run of unchanged inputs
/// leaves the same ledger but for what the manifest says it corrected.
fn ledger_manifest(manifest: &Manifest) -> Result<String> {
    let mut json = serde_json::to_value(manifest).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(map) = json.as_object_mut() {
        map.remove("timings_ms");
    }
    serde_json::to_string(&json).map_err(|e| Error::Internal(e.to_string()))
}

/// `--fail-on`: findings matching the list turn into exit 6, after the
/// outputs and the ledger are in place; the message names the items that
/// matched and how many findings.
fn fail_on(opts: &RunOptions, findings: &[Finding]) -> Result<()> {
    let Some(matched) = opts.fail_on.as_ref().and_then(|f| f.matched(findings)) else { return Ok(()) };
    Err(Error::FailOn(format!("{matched}; outputs written to {}", opts.out_dir.display())))
}

/// The manifest of the run, timings still empty.
fn manifest(
    report: &Report,
    inputs: Vec<InputReport>,
    reconciliation: reconcile::Reconciliation,
    no_xlsx: bool,
    parquet: bool,
    interface: &Interface,
) -> Manifest {
    let label = report.period.label();
    let workbooks = [format!("payroll-adjustments-{label}.xlsx"), format!("exceptions-{label}.xlsx")];
    let workbooks: &[String] = if no_xlsx { &[] } else { &workbooks };
    let mut lines_by_status = BTreeMap::new();
    for d in report.decisions {
        *lines_by_status.entry(d.status.code()).or_insert(0) += 1;
    }
    let mut findings_by_severity = BTreeMap::new();
    let mut findings_by_rule = BTreeMap::new();
    for f in report.findings {
        *findings_by_severity.entry(f.severity.code()).or_insert(0) += 1;
        *findings_by_rule.entry(f.rule.code).or_insert(0) += 1;
    }
    Manifest {
        tool: "payrun",
        version: env!("CARGO_PKG_VERSION"),
        organisation: report.organisation.map(str::to_string),
        period: report.period.label(),
        activity_month: report.period.activity_start.format("%Y-%m").to_string(),
        cutoff: report.period.cutoff.to_string(),
        config_dir: report.config.dir.display().to_string(),
        config_hash: report.config.hash.clone(),
        inputs,
        lines_by_status,
        findings_by_severity,
        findings_by_rule,
        settled_before: reconciliation.settled_before,
        reconciliation,
        timings_ms: Vec::new(),
        outputs: [
            "decisions.csv",
            "exceptions.csv",
            "adjustments.csv",
            "deferred-claims.csv",
            "attendance.csv",
            "absence.csv",
            "absence-reasons.csv",
            "p11d.csv",
            "payroll-batch.csv",
            "payroll-batch-controls.csv",
        ]
        .iter()
        .chain(if interface.corrections.is_some() { interface::CORRECTIONS_FILES } else { &[] })
        .map(|s| s.to_string())
        .chain(workbooks.iter().cloned())
        .chain(
            crate::insights::parquet::TWINS
                .iter()
                .filter(|_| parquet)
                .map(|(_, name, _, _)| name.to_string()),
        )
        .chain(std::iter::once("manifest.json".to_string()))
        .collect(),
        run_id: String::new(),
        payroll_interface: interface_settings(report.config, &interface.batch),
        corrects: interface.corrections.as_ref().map(corrects),
        reviews: output::manifest::Reviews::of(report.reviews),
    }
}

/// The payroll interface of the run (SPEC §7): the period's batch and, on a
/// re-run of a period already placed, its corrections into the next open
/// period (or `--corrections-into`).
fn payroll_interface(
    opts: &RunOptions,
    config: &Config,
    period: &Period,
    (org, run_id): (&str, &str),
    adjustments: &[AdjustmentRow],
    (placement, latest, later): (&ledger::Placement, Option<&str>, &[String]),
    name_of: impl Fn(&str) -> String,
) -> Result<Interface> {
    let label = period.label();
    let pi = &config.policy.payroll_interface;
    let header = BatchHeader {
        name: pi.batch_name_for(org, &label),
        reference: run_id.to_string(),
        source: pi.batch_source.clone(),
        action_if_exists: pi.action_if_exists.code(),
        effective_date: match pi.effective_date {
            crate::config::EffectiveDate::PeriodStart => period.pay_start,
            crate::config::EffectiveDate::PeriodEnd => {
                crate::model::time::add_months(period.pay_start, 1).pred_opt().unwrap_or(period.pay_start)
            }
        },
    };
    let batch = interface::element_batch(adjustments, config, header.clone());
    let ledger::Placement::Placed(previous) = placement.clone() else {
        return Ok(Interface { batch, corrections: None });
    };
    let into = match opts.corrections_into {
        Some(into) if into <= opts.period => {
            return Err(Error::Usage(format!(
                "--corrections-into {} must be after the period corrected, {label}",
                period::label(into)
            )))
        }
        Some(into) => into,
        None => next_period(latest.unwrap_or(&label), opts.period),
    };
    let header = BatchHeader {
        name: format!("{org} CORRECTIONS {label} INTO {}", period::label(into)),
        effective_date: into,
        ..header
    };
    let corrections =
        Corrections::build(&label, previous, adjustments, name_of, config, header, later.to_vec());
    Ok(Interface { batch, corrections: Some(corrections) })
}

/// The run id of SPEC §7.1: the same inputs on the same ledger state give
/// the same id.
fn run_id(org: &str, period: &str, config_hash: &str, inputs: &[InputReport], ledger: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), org, period, config_hash]
        .into_iter()
        .chain(inputs.iter().map(|i| i.sha256.as_str()))
        .chain(std::iter::once(ledger))
    {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("{:x}", h.finalize()).chars().take(12).collect()
}

/// First day of the pay period after `latest` (`YYYY-MM`), falling back
/// to the one after `period`.
fn next_period(latest: &str, period: NaiveDate) -> NaiveDate {
    let base = Period::parse_month(latest).unwrap_or(period).max(period);
    crate::model::time::add_months(base, 1)
}

/// What a re-run tells the operator about corrections (even with --quiet:
/// the operator must act on it).
fn report_corrections(label: &str, placement: &ledger::Placement, corrections: Option<&Corrections>) {
    let note = crate::error::note;
    match (placement, corrections) {
        (ledger::Placement::Unrecorded, _) => note(&format!(
            "{label} was committed before payrun kept each period's payroll batch: no corrections \
             files written; compare payroll-batch.csv with what payroll loaded"
        )),
        (_, Some(c)) if c.rows.is_empty() => note(&format!("{label} re-run: no change to payroll")),
        (_, Some(c)) => {
            note(&format!(
                "{label} re-run: {} correction line(s), total {}; load payroll-batch-corrections.csv \
                 (batch {}), not payroll-batch.csv",
                c.rows.len(),
                pounds_text(c.delta()),
                c.batch.header.name
            ));
            if !c.later.is_empty() {
                note(&format!(
                    "load it only after re-running {} in order, together with their corrections",
                    c.later.join(", ")
                ));
            }
        }
        _ => {}
    }
}

fn interface_settings(config: &crate::config::Config, batch: &Batch) -> output::manifest::InterfaceSettings {
    let pi = &config.policy.payroll_interface;
    output::manifest::InterfaceSettings {
        batch_name: batch.header.name.clone(),
        batch_source: pi.batch_source.clone(),
        action_if_exists: pi.action_if_exists.code(),
        effective_date: batch.header.effective_date.to_string(),
        inputs: batch
            .layouts
            .iter()
            .map(|(code, inputs)| (code.clone(), inputs.iter().map(|i| (i.name.clone(), i.source)).collect()))
            .collect(),
        correction_elements: pi.correction_elements.clone(),
    }
}

fn corrects(c: &Corrections) -> output::manifest::Corrects {
    let count = |f: fn(&interface::CorrectionRow) -> bool| c.rows.iter().filter(|r| f(r)).count();
    output::manifest::Corrects {
        period: c.period.clone(),
        previous_run_id: c.previous.run_id.clone(),
        previous_config_hash: c.previous.config_hash.clone(),
        previous_batch_name: c.previous.batch_name.clone(),
        batch_name: c.batch.header.name.clone(),
        into: period::label(c.batch.header.effective_date),
        rows: c.rows.len(),
        new_rows: count(|r| r.committed.is_zero()),
        removed_rows: count(|r| r.now.is_zero()),
        changed_rows: count(|r| !r.committed.is_zero() && !r.now.is_zero()),
        committed_total: c.committed_total.to_string(),
        now_total: c.now_total.to_string(),
        delta: c.delta().to_string(),
        load: (!c.rows.is_empty()).then(|| "payroll-batch-corrections.csv".to_string()),
        later: c.later.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pence;
    use crate::output::interface::Value;

    fn fixture_run(dir: &std::path::Path) -> RunOptions {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        RunOptions {
            period: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default(),
            roster: root.join("tests/fixtures/ingest/roster.xlsx"),
            expenses: vec![root.join("tests/fixtures/ingest/expenses.xlsx")],
            config_dir: Some(root.join("config")),
            out_dir: dir.join("out"),
            quiet: true,
            fail_on: None,
            state_dir: dir.join("state"),
            rerun: false,
            no_xlsx: false,
            parquet: false,
            org: None,
            corrections_into: None,
            log_format: LogFormat::Text,
        }
    }

    fn one_penny_more(batch: &mut Batch) {
        if let Some(Value::Money(p)) = batch.lines.first_mut().and_then(|l| l.values.first_mut()) {
            *p += Pence(1);
        }
    }

    fn one_line_fewer(batch: &mut Batch) {
        batch.lines.pop();
        batch.controls = interface::controls(&batch.lines, &batch.layouts);
    }

    #[test]
    fn a_batch_that_does_not_match_its_adjustments_fails_the_run_with_nothing_written() {
        for tamper in [one_penny_more as fn(&mut Batch), one_line_fewer] {
            let dir = tempfile::tempdir().unwrap();
            let opts = fixture_run(dir.path());
            match run_with(&opts, tamper) {
                Err(e @ Error::Reconciliation(_)) => {
                    assert_eq!(e.exit_code(), 5);
                    assert!(e.to_string().contains("payroll batch"), "{e}");
                }
                Err(other) => panic!("expected a reconciliation failure, got {other}"),
                Ok(_) => panic!("a corrupted batch was written"),
            }
            let written = std::fs::read_dir(&opts.out_dir).map(|d| d.count()).unwrap_or(0);
            assert_eq!(written, 0, "nothing is written");
            let ledger = Ledger::open(&opts.state_dir).unwrap();
            assert_eq!(ledger.latest_period().unwrap(), None, "nothing is committed");
        }
        // Untampered, the same run passes.
        let dir = tempfile::tempdir().unwrap();
        assert!(run(&fixture_run(dir.path())).is_ok());
    }
}
