//! One payroll run, end to end: ingest → rules → outputs (→ ledger commit).

use crate::config::Config;
use crate::engine::{self, Ctx};
use crate::error::{Error, Result};
use crate::ingest;
use crate::ledger::{self, Ledger, PaidLine, PeriodRecord};
use crate::model::decision::{Finding, Severity, Subject};
use crate::model::period::Period;
use crate::output::manifest::Manifest;
use crate::output::{self, atomic::Staging, payroll, reconcile, Report};
use crate::rules;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::PathBuf;
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
    /// `--fail-on`: findings at or above this severity turn into exit 6.
    pub fail_on: Option<Severity>,
    /// `--state`: the folder holding the ledger and its lock.
    pub state_dir: PathBuf,
    /// `--rerun`: allow a period earlier than the latest committed one.
    pub rerun: bool,
    /// `--no-xlsx`: machine files only, no workbooks for people.
    pub no_xlsx: bool,
    /// `--parquet`: Parquet twins of decisions, exceptions and adjustments (SPEC §9).
    pub parquet: bool,
}

/// What a finished run reports back.
pub struct RunSummary {
    pub out_dir: PathBuf,
    pub manifest: Manifest,
    /// Periods committed after this one (a `--rerun`): their year-to-date
    /// figures were computed without this run's entries and need a re-run.
    pub later_periods: Vec<String>,
    /// Milliseconds the ledger commit took. Not in `manifest.json`: the
    /// manifest is an output, written before the commit so that the period
    /// enters the ledger only once every output is in place (and the ledger
    /// stores the manifest itself); `payrun run` prints it on stderr.
    pub commit_ms: u128,
}

/// Stage timings for the manifest, with a progress line on a terminal.
struct Stages {
    started: Instant,
    timings: Vec<(String, u128)>,
    bar: indicatif::ProgressBar,
}

impl Stages {
    fn new(quiet: bool) -> Stages {
        // indicatif draws nothing when stderr is not a terminal.
        let bar =
            if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new_spinner() };
        Stages { started: Instant::now(), timings: Vec::new(), bar }
    }

    fn start(&mut self, stage: &str) {
        self.bar.set_message(format!("{stage}…"));
        self.bar.tick();
        self.started = Instant::now();
    }

    fn done(&mut self, stage: &str) {
        self.timings.push((stage.to_string(), self.started.elapsed().as_millis()));
    }
}

/// Test seam for the kill tests (`tests/crash_safety.rs`, docs/fuzzing.md):
/// when the environment variable `PAYRUN_PAUSE_AT` names `stage`, the run
/// says so on stderr and sleeps, so a test can SIGKILL it at a known point.
/// Stages: `read` (between the roster and the expenses inputs), `write`
/// (some outputs staged under temporary names), `commit` (outputs renamed
/// into place, ledger not yet committed). Unset, it does nothing.
pub fn pause_at(stage: &str) {
    if std::env::var_os("PAYRUN_PAUSE_AT").is_some_and(|v| v == stage) {
        eprintln!("payrun: paused at {stage}");
        std::thread::sleep(std::time::Duration::from_secs(120));
    }
}

/// Runs one pay period.
pub fn run(opts: &RunOptions) -> Result<RunSummary> {
    let mut stages = Stages::new(opts.quiet);

    // The lock is taken before anything is read, so a second run on the same
    // state stops at once (exit 4) instead of after a long ingest.
    stages.start("ledger");
    let mut ledger = Ledger::open(&opts.state_dir)?;
    let label = ledger::label(opts.period);
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
    // Only periods before this one (SPEC §6.3 rule 17).
    let history = ledger.history(opts.period)?;
    stages.done("ledger");

    stages.start("config");
    let config = Config::find(opts.config_dir.as_deref())?;
    let period = Period::new(opts.period, &config.policy);
    stages.done("config");

    stages.start("ingest");
    let inputs = ingest::load(&opts.roster, &opts.expenses, &config)?;
    stages.done("ingest");

    stages.start("rules");
    let ctx = Ctx::new(&config, period, &inputs.roster, &history);
    let evaluation = engine::evaluate(&inputs.claims, &ctx);
    let leave = rules::leave::evaluate(&ctx);
    let sickness = rules::sickness::evaluate(&ctx);
    let mut protection = rules::protection::evaluate(&ctx);
    let mut employee_findings = inputs.roster_findings;
    employee_findings.extend(leave.findings);
    employee_findings.extend(sickness.findings);
    employee_findings.append(&mut protection.findings);
    let findings = ordered_findings(evaluation.findings, employee_findings);
    let mut adjustments = payroll::expense_rows(&inputs.claims, &evaluation.decisions, &ctx.staff);
    adjustments.extend(leave.deductions);
    adjustments.extend(protection.topups.iter().cloned());
    payroll::order_rows(&mut adjustments);
    // Every payroll row of a protected employee carries the mark (PP001).
    payroll::mark(&mut adjustments, &protection.marks);
    // P11D: this run's paid lines by tax year, plus earlier periods' (ledger).
    let p11d_run = output::p11d::this_run(&inputs.claims, &evaluation.decisions);
    let p11d = output::p11d::year_to_date(&p11d_run, &history, &period, &ctx.staff);
    stages.done("rules");

    stages.start("reconcile");
    let reconciliation = reconcile::check(&inputs.claims, &evaluation.decisions, &adjustments);
    if !reconciliation.passed {
        return Err(Error::Reconciliation(reconciliation.failures.join("; ")));
    }
    stages.done("reconcile");

    stages.start("write");
    let report = Report {
        organisation: opts.org.as_deref(),
        period,
        config: &config,
        lines: &inputs.claims,
        decisions: &evaluation.decisions,
        findings: &findings,
        staff: &ctx.staff,
        attendance: &sickness.attendance,
        protection: &protection,
        p11d: &p11d,
    };
    let mut staging = Staging::new(&opts.out_dir)?;
    staging.write("decisions.csv", |w| output::csv::decisions(w, &report))?;
    staging.write("exceptions.csv", |w| output::csv::exceptions(w, &report))?;
    pause_at("write");
    staging.write("adjustments.csv", |w| output::csv::adjustments(w, &report, &adjustments))?;
    staging.write("deferred-claims.csv", |w| output::csv::deferred(w, &report))?;
    staging.write("attendance.csv", |w| output::csv::attendance(w, &report))?;
    staging.write("p11d.csv", |w| output::csv::p11d(w, &report))?;
    stages.done("write");
    let mut parquet_outputs = Vec::new();
    if opts.parquet {
        stages.start("parquet");
        for (csv, parquet, money) in output::parquet::TWINS {
            let staged =
                staging.staged_path(csv).ok_or_else(|| Error::Internal(format!("{csv} not staged")))?;
            let target = staging.path_for(parquet);
            output::parquet::write_twin(&staged, &target, parquet, money)?;
            parquet_outputs.push(parquet.to_string());
        }
        stages.done("parquet");
    }

    // The workbooks show the manifest (Run info), so it is built first; the
    // workbook stage's own timing is added to manifest.json afterwards.
    let label = report.period.label();
    let workbooks = [format!("payroll-adjustments-{label}.xlsx"), format!("exceptions-{label}.xlsx")];
    let xlsx_outputs: &[String] = if opts.no_xlsx { &[] } else { &workbooks };
    let mut manifest =
        manifest(&report, inputs.reports, reconciliation, stages.timings.clone(), xlsx_outputs);
    // The Parquet twins are listed before manifest.json, which stays last.
    let last = manifest.outputs.len().saturating_sub(1);
    manifest.outputs.splice(last..last, parquet_outputs);
    if !opts.no_xlsx {
        stages.start("workbooks");
        // The two workbooks share nothing but what they read: written side by side.
        let (adjustments_path, exceptions_path) =
            (staging.path_for(&workbooks[0]), staging.path_for(&workbooks[1]));
        let (written_adjustments, written_exceptions) = rayon::join(
            || output::workbook::write_adjustments(&adjustments_path, &report, &adjustments, &manifest),
            || output::workbook::write_exceptions(&exceptions_path, &report),
        );
        written_adjustments?;
        written_exceptions?;
        stages.done("workbooks");
        manifest.timings_ms = stages.timings.clone();
    }

    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Internal(e.to_string()))?;
    staging.write("manifest.json", |w| std::io::Write::write_all(w, &json))?;
    staging.commit()?;
    pause_at("commit");

    // Only now, with every output in place, does the period enter the
    // ledger — one transaction, so a failure or kill before this line leaves
    // the ledger as it was, and the outputs can simply be produced again.
    let record = PeriodRecord {
        sr_miles: flatten(&evaluation.miles.special_rate),
        amap_miles: flatten(&evaluation.miles.amap),
        relocation: evaluation
            .relocation
            .iter()
            .map(|((a, start), paid)| (a.clone(), *start, paid.total, paid.misc))
            .collect(),
        absences: leave.episodes,
        bradford_stages: sickness.stages.clone(),
        protection_topups: protection.paid.clone(),
        p11d: p11d_run
            .iter()
            .map(|((a, year, section), amount)| (a.clone(), *year, *section, *amount))
            .collect(),
        ..period_record(&label, &inputs.claims, &evaluation.decisions, &manifest)?
    };
    let commit_started = Instant::now();
    ledger.commit(&record)?;
    let commit_ms = commit_started.elapsed().as_millis();
    drop(record);
    let later_periods = ledger.periods_after(&label)?;
    drop(ledger);
    // Printed even with --quiet, and before --fail-on: the operator must act on it.
    if !later_periods.is_empty() {
        eprintln!(
            "payrun: {label} was re-run; later period(s) {} were computed from the old figures \
             and need a re-run, in order",
            later_periods.join(", ")
        );
    }
    stages.bar.finish_and_clear();

    if let Some(threshold) = opts.fail_on {
        let worst = findings.iter().filter(|f| f.severity >= threshold).count();
        if worst > 0 {
            return Err(Error::FailOn(format!(
                "{worst} finding(s) of severity {} or worse (--fail-on); outputs written to {}",
                threshold.code(),
                opts.out_dir.display()
            )));
        }
    }
    Ok(RunSummary { out_dir: opts.out_dir.clone(), manifest, later_periods, commit_ms })
}

/// What this run adds to the ledger.
fn period_record(
    label: &str,
    lines: &[crate::model::claim::ClaimLine],
    decisions: &[crate::model::decision::Decision],
    manifest: &Manifest,
) -> Result<PeriodRecord> {
    // Timings differ between two runs of the same inputs; without them the
    // ledger of a re-run is identical.
    let mut json = serde_json::to_value(manifest).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(map) = json.as_object_mut() {
        map.remove("timings_ms");
    }
    let manifest_json = serde_json::to_string(&json).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(PeriodRecord {
        period: label.to_string(),
        paid_lines: lines.iter().zip(decisions).filter_map(|(l, d)| PaidLine::of(l, d)).collect(),
        // The rules' running totals are filled in by the caller.
        sr_miles: Vec::new(),
        amap_miles: Vec::new(),
        relocation: Vec::new(),
        absences: Vec::new(),
        bradford_stages: Vec::new(),
        protection_topups: Vec::new(),
        p11d: Vec::new(),
        manifest_json,
    })
}

/// `(assignment, year) → miles` as the ledger's rows.
fn flatten(map: &BTreeMap<(String, i32), crate::model::Miles>) -> Vec<(String, i32, crate::model::Miles)> {
    map.iter().map(|((a, y), m)| (a.clone(), *y, *m)).collect()
}

/// Line findings in input order, then employee / roster findings by
/// assignment, each group stable (SPEC §6.8 rule 46).
fn ordered_findings(line_findings: Vec<Finding>, mut employee: Vec<Finding>) -> Vec<Finding> {
    employee.sort_by(|a, b| {
        let key = |f: &Finding| match &f.subject {
            Subject::Employee { assignment, .. } => assignment.clone(),
            Subject::Line(_) => String::new(),
        };
        key(a).cmp(&key(b)).then_with(|| a.source.cmp(&b.source))
    });
    let mut all = line_findings;
    all.extend(employee);
    all
}

fn manifest(
    report: &Report,
    inputs: Vec<ingest::InputReport>,
    reconciliation: reconcile::Reconciliation,
    timings: Vec<(String, u128)>,
    workbooks: &[String],
) -> Manifest {
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
        reconciliation,
        timings_ms: timings,
        outputs: [
            "decisions.csv",
            "exceptions.csv",
            "adjustments.csv",
            "deferred-claims.csv",
            "attendance.csv",
            "p11d.csv",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(workbooks.iter().cloned())
        .chain(std::iter::once("manifest.json".to_string()))
        .collect(),
    }
}
