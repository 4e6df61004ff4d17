//! `payrun batch`: one pay period for many organisations (SPEC §8.2).

use crate::batch::{self, Plan};
use crate::error::{Error, Result};
use crate::files::atomic::Staging;
use crate::output::batch::{BatchSummary, OrgResult, OrgStatus};
use crate::output::{workbook, writing};
use clap::Args;
use std::path::{Path, PathBuf};

/// Run one pay period for every organisation of a plan: each exactly as
/// `payrun run` (own lock, ledger and outputs), up to `jobs` at once; one
/// organisation's failure never stops the others. Writes batch-YYYY-MM.json
/// and batch-YYYY-MM.xlsx (Control sheet) beside the plan. Exit 0 when every
/// organisation exited 0, 7 otherwise (listed on stderr), 2 for a plan that
/// cannot be read or names an organisation twice (nothing run).
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The plan (TOML): period, out/state templates with {org}, jobs,
    /// fail_on, config, no_xlsx and one [[org]] table per organisation.
    pub plan: PathBuf,
    /// Folder for the batch summary [default: the plan's folder].
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// No progress display and no per-organisation lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: BatchArgs) -> Result<()> {
    let plan = Plan::load(&args.plan)?;
    // indicatif draws nothing when stderr is not a terminal.
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(plan.orgs.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} organisations {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    };
    let quiet = args.quiet;
    let done = |result: &OrgResult| {
        bar.inc(1);
        if !quiet {
            // Printed on a terminal and in cron's log alike (println on a
            // hidden bar would drop it).
            bar.suspend(|| eprintln!("{}", line(result)));
        }
    };
    let results = batch::run(&plan, &done);
    bar.finish_and_clear();

    let summary = BatchSummary { period: plan.label.clone(), plan: plan.path.clone(), orgs: results };
    let dir = args.summary.unwrap_or_else(|| plan_folder(&plan.path));
    // Every organisation has run: a summary that cannot be written (exit 8)
    // still says how each ended, since the summary was to say it.
    // The Control sheet prints on the paper of the first organisation's config.
    let paper = plan
        .orgs
        .first()
        .and_then(|o| crate::config::Config::find(o.config.as_deref()).ok())
        .map(|c| c.policy.workbooks.paper)
        .unwrap_or_default();
    let written = write_summary(&summary, &dir, paper).map_err(|e| match e {
        Error::Write(message) => {
            let ran: Vec<String> = summary
                .orgs
                .iter()
                .map(|o| format!("{} {} (exit {})", o.code, o.status.code(), o.exit_code))
                .collect();
            Error::Write(format!(
                "{message}; the batch summary was not written, the organisations ran: {}",
                ran.join(", ")
            ))
        }
        other => other,
    })?;
    let not_ok: Vec<&OrgResult> = summary.orgs.iter().filter(|o| o.exit_code != 0).collect();
    if !quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "payrun batch {}: {} organisations, {} OK, {} FAIL_ON, {} FAILED; summary {}",
            summary.period,
            summary.orgs.len(),
            summary.count(OrgStatus::Ok),
            summary.count(OrgStatus::FailOn),
            summary.count(OrgStatus::Failed),
            names.join(", ")
        );
    }
    if not_ok.is_empty() {
        return Ok(());
    }
    let list: Vec<String> =
        not_ok.iter().map(|o| format!("{} exit {} ({})", o.code, o.exit_code, o.status.code())).collect();
    Err(Error::Batch(format!(
        "{} of {} organisations did not exit 0: {}",
        not_ok.len(),
        summary.orgs.len(),
        list.join(", ")
    )))
}

/// One organisation's line on stderr as it finishes.
fn line(result: &OrgResult) -> String {
    match (&result.figures, result.status) {
        (Some(f), status) => format!(
            "{} {}: {} lines, claimed £{} allowed £{}, {:.1}s{}",
            result.code,
            status.code(),
            f.lines_read,
            f.claimed,
            f.allowed,
            result.seconds,
            if result.message.is_empty() { String::new() } else { format!(" — {}", result.message) }
        ),
        (None, _) => format!("{} FAILED (exit {}): {}", result.code, result.exit_code, result.message),
    }
}

fn plan_folder(plan: &Path) -> PathBuf {
    match plan.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `batch-YYYY-MM.json` and `batch-YYYY-MM.xlsx` into `dir`, each
/// renamed into place when complete; returns their paths.
fn write_summary(summary: &BatchSummary, dir: &Path, paper: crate::config::Paper) -> Result<Vec<PathBuf>> {
    let json_name = format!("batch-{}.json", summary.period);
    let xlsx_name = format!("batch-{}.xlsx", summary.period);
    let mut staging = Staging::new(dir)?;
    let json = serde_json::to_vec_pretty(&summary.to_json()).map_err(|e| Error::Internal(e.to_string()))?;
    staging.write(&json_name, |w| std::io::Write::write_all(w, &json))?;
    let xlsx = staging.path_for(&xlsx_name);
    let what = dir.join(&xlsx_name).display().to_string();
    writing::contained(&what, || workbook::write_batch(&xlsx, summary, paper))?;
    staging.commit()
}
