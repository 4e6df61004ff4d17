//! `payrun batch` (SPEC §8.2): one pay period for many organisations, each an
//! independent run of [`pipeline::run`] with its own lock, ledger and
//! outputs, so its files are byte-identical to `payrun run` with the same
//! arguments, and one organisation's failure never touches the others.
//!
//! Up to `jobs` organisations run at once on worker threads; the rules and
//! workbook stages inside each run use the one global rayon pool, so the
//! organisations share the machine's cores instead of each claiming all of
//! them (docs/performance.md).

mod folders;
mod plan;

pub use plan::{OrgPlan, Plan};

use crate::error::Error;
use crate::ledger;
use crate::output::batch::{read_manifest, OrgResult, OrgStatus};
use crate::pipeline::{self, LogFormat, RunOptions};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Runs every organisation of `plan`; `done` is called as each finishes
/// (from the worker thread). Results come back in plan order.
pub fn run(plan: &Plan, done: &(dyn Fn(&OrgResult) + Sync)) -> Vec<OrgResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<OrgResult>>> = Mutex::new(vec![None; plan.orgs.len()]);
    let workers = plan.jobs.min(plan.orgs.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(org) = plan.orgs.get(i) else { break };
                let result = run_one(plan, org);
                done(&result);
                // A poisoned lock means another worker panicked while storing;
                // the vector itself is still whole.
                let mut slots = results.lock().unwrap_or_else(|p| p.into_inner());
                slots[i] = Some(result);
            });
        }
    });
    let slots = results.into_inner().unwrap_or_else(|p| p.into_inner());
    slots
        .into_iter()
        .zip(&plan.orgs)
        .map(|(slot, org)| {
            slot.unwrap_or_else(|| {
                OrgResult::failed(&org.code, &org.out, 1, "the organisation's run did not finish".into(), 0.0)
            })
        })
        .collect()
}

/// One organisation, exactly as `payrun run --org CODE --out … --state …`.
fn run_one(plan: &Plan, org: &OrgPlan) -> OrgResult {
    let started = Instant::now();
    let opts = RunOptions {
        period: plan.period,
        roster: org.roster.clone(),
        expenses: org.expenses.clone(),
        config_dir: org.config.clone(),
        org: Some(org.code.clone()),
        out_dir: org.out.clone(),
        quiet: true,
        fail_on: plan.fail_on.clone(),
        state_dir: org.state.clone(),
        rerun: false,
        no_xlsx: plan.no_xlsx,
        corrections_into: None,
        parquet: plan.parquet,
        log_format: LogFormat::Text,
    };
    // The plan's `state` is each organisation's own folder: the §8.1 guard
    // against leaving a shared ledger behind applies to its parent too.
    let guarded = match org.state.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(base) => ledger::refuse_fresh_org_ledger(base, &org.state),
        None => Ok(()),
    };
    let outcome = guarded.and_then(|()| {
        // A panic in one organisation's run is that organisation's failure
        // (exit 1), never the batch's.
        std::panic::catch_unwind(AssertUnwindSafe(|| pipeline::run(&opts))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Internal(format!("internal error: {what}")))
        })
    });
    let seconds = started.elapsed().as_secs_f64();
    let (code, out) = (org.code.as_str(), org.out.as_path());
    match outcome {
        Ok(summary) => match serde_json::to_value(&summary.manifest) {
            Ok(manifest) => OrgResult::finished(code, out, OrgStatus::Ok, String::new(), &manifest, seconds),
            Err(e) => OrgResult::failed(code, out, 1, e.to_string(), seconds),
        },
        // The outputs are in place: their manifest has the figures.
        Err(Error::FailOn(message)) => match read_manifest(out) {
            Ok(manifest) => OrgResult::finished(code, out, OrgStatus::FailOn, message, &manifest, seconds),
            Err(e) => OrgResult::failed(code, out, 6, format!("{message}; {e}"), seconds),
        },
        Err(e) => OrgResult::failed(code, out, e.exit_code(), e.to_string(), seconds),
    }
}
