//! What payrun says on stderr (SPEC §13): `payrun: …` lines, or with
//! `--log-format json` one JSON object per line — notices, errors, each
//! stage's record and one closing `done` object a scheduler can wait for.
//!
//! A process-wide switch: notices come from every stage (the ledger's
//! "created a new one", a re-run's corrections), and all of them must
//! follow the one format the operator asked for.

use serde_json::{json, Value};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static JSON: AtomicBool = AtomicBool::new(false);

/// What the `done` object reports besides the exit code.
#[derive(Default)]
struct Done {
    period: Option<String>,
    lines: Option<u64>,
    outputs: Option<String>,
}

static DONE: Mutex<Done> = Mutex::new(Done { period: None, lines: None, outputs: None });

/// Turns JSON lines on (`--log-format json`).
pub fn use_json(on: bool) {
    JSON.store(on, Ordering::Relaxed);
}

pub fn is_json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// One line on stderr that cannot fail or panic: a closed stderr
/// (`payrun run 2>&1 | head -1`) must not cut a run short.
fn line(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// A JSON object on its own line (JSON mode only).
pub fn object(value: &Value) {
    if is_json() {
        line(&value.to_string());
    }
}

/// A notice: `payrun: …`, or `{"level":"notice","message":…}`.
pub fn notice(message: &str) {
    if is_json() {
        object(&json!({ "level": "notice", "message": message }));
    } else {
        line(&format!("payrun: {message}"));
    }
}

/// The error that ends the process, with its exit code in JSON.
pub fn error(message: &str, exit_code: i32) {
    if is_json() {
        object(&json!({ "level": "error", "message": message, "exit_code": exit_code }));
    } else {
        line(&format!("payrun: {message}"));
    }
}

/// A plain summary line of a finished command (text mode only: JSON has
/// the stage records and `done`).
pub fn say(text: &str) {
    if !is_json() {
        line(text);
    }
}

/// The pay period being run, for `done`.
pub fn set_period(period: &str) {
    if let Ok(mut done) = DONE.lock() {
        done.period = Some(period.to_string());
    }
}

/// The lines decided and the output folder, once known, for `done`.
pub fn set_result(lines: u64, outputs: &std::path::Path) {
    if let Ok(mut done) = DONE.lock() {
        done.lines = Some(lines);
        done.outputs = Some(outputs.display().to_string());
    }
}

/// The closing object: `{"stage":"done","exit_code":…,"period":…,"lines":…,"outputs":…}`
/// (fields not known when the run stopped are null).
pub fn done(exit_code: i32) {
    let (period, lines, outputs) = match DONE.lock() {
        Ok(d) => (d.period.clone(), d.lines, d.outputs.clone()),
        Err(_) => (None, None, None),
    };
    object(&json!({
        "stage": "done",
        "exit_code": exit_code,
        "period": period,
        "lines": lines,
        "outputs": outputs,
    }));
}
