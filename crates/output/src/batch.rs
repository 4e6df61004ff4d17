//! The batch summary (SPEC §8.2): `batch-YYYY-MM.json` and the Control sheet
//! of `batch-YYYY-MM.xlsx`, one row per organisation in plan order, with
//! totals. The figures come from each organisation's manifest, so the totals
//! are the sum of what the organisations' own outputs say.

use crate::model::money::parse_decimal_text;
use crate::model::Pence;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// How an organisation's run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgStatus {
    /// Exit 0.
    Ok,
    /// `fail_on` reached: outputs written, exit 6.
    FailOn,
    /// Any other exit: nothing (new) put in place for it.
    Failed,
}

impl OrgStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrgStatus::Ok => "OK",
            OrgStatus::FailOn => "FAIL_ON",
            OrgStatus::Failed => "FAILED",
        }
    }
}

/// Severities in the order the summary lists them.
pub const SEVERITIES: [&str; 3] = ["ERROR", "WARNING", "INFO"];

/// An organisation's figures, from its manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub lines_read: i64,
    pub claimed: Pence,
    pub allowed: Pence,
    pub withheld: Pence,
    pub deferred: Pence,
    /// Findings per [`SEVERITIES`].
    pub findings: [i64; 3],
    pub reconciliation_passed: bool,
    /// Σ delta of the corrections (SPEC §7.2), when the run wrote any.
    pub corrections_delta: Option<Pence>,
}

/// Money as the manifest writes it (`"-12.34"`), back to pence: the one
/// decimal parser, at two places.
fn pounds(text: &str) -> Option<Pence> {
    parse_decimal_text(text, 2).map(Pence)
}

impl Figures {
    /// Reads the figures of a `manifest.json` value.
    pub fn of_manifest(m: &Value) -> std::result::Result<Figures, String> {
        let rec = &m["reconciliation"];
        let money = |key: &str| {
            rec[key]
                .as_str()
                .and_then(pounds)
                .ok_or_else(|| format!("manifest: reconciliation.{key} is not money: {}", rec[key]))
        };
        let mut findings = [0; 3];
        for (slot, severity) in findings.iter_mut().zip(SEVERITIES) {
            *slot = m["findings_by_severity"][severity].as_i64().unwrap_or(0);
        }
        let corrections_delta = match m.pointer("/corrects/delta_total") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_str()
                    .and_then(pounds)
                    .ok_or_else(|| format!("manifest: corrects.delta_total is not money: {v}"))?,
            ),
        };
        Ok(Figures {
            lines_read: rec["lines_read"].as_i64().ok_or_else(|| {
                format!("manifest: reconciliation.lines_read is not a count: {}", rec["lines_read"])
            })?,
            claimed: money("claimed")?,
            allowed: money("allowed")?,
            withheld: money("withheld")?,
            deferred: money("deferred")?,
            findings,
            reconciliation_passed: rec["passed"].as_bool().unwrap_or(false),
            corrections_delta,
        })
    }

    fn add(&mut self, other: &Figures) {
        self.lines_read += other.lines_read;
        self.claimed += other.claimed;
        self.allowed += other.allowed;
        self.withheld += other.withheld;
        self.deferred += other.deferred;
        for (a, b) in self.findings.iter_mut().zip(other.findings) {
            *a += b;
        }
        if let Some(delta) = other.corrections_delta {
            self.corrections_delta = Some(self.corrections_delta.unwrap_or(Pence::ZERO) + delta);
        }
    }
}

/// One organisation's line in the summary.
#[derive(Clone, Debug)]
pub struct OrgResult {
    pub code: String,
    pub status: OrgStatus,
    pub exit_code: i32,
    pub message: String,
    /// `None` when the run put no outputs in place.
    pub figures: Option<Figures>,
    pub seconds: f64,
    pub out: PathBuf,
}

impl OrgResult {
    /// A run whose outputs are in place (OK or FAIL_ON), from its manifest.
    pub fn finished(
        code: &str,
        out: &Path,
        status: OrgStatus,
        message: String,
        manifest: &Value,
        seconds: f64,
    ) -> OrgResult {
        let exit_code = if status == OrgStatus::Ok { 0 } else { 6 };
        match Figures::of_manifest(manifest) {
            Ok(figures) => OrgResult {
                code: code.to_string(),
                status,
                exit_code,
                message,
                figures: Some(figures),
                seconds,
                out: out.to_path_buf(),
            },
            Err(e) => OrgResult::failed(code, out, 1, e, seconds),
        }
    }

    /// A run that ended with exit `exit_code` and put nothing in place.
    pub fn failed(code: &str, out: &Path, exit_code: i32, message: String, seconds: f64) -> OrgResult {
        OrgResult {
            code: code.to_string(),
            status: OrgStatus::Failed,
            exit_code,
            message,
            figures: None,
            seconds,
            out: out.to_path_buf(),
        }
    }
}

/// `out/manifest.json` as JSON.
pub fn read_manifest(out: &Path) -> std::result::Result<Value, String> {
    let path = out.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The batch: its period, plan and every organisation's result in plan order.
#[derive(Clone, Debug)]
pub struct BatchSummary {
    pub period: String,
    pub plan: PathBuf,
    pub orgs: Vec<OrgResult>,
}

impl BatchSummary {
    /// The sum of the figures of the organisations whose outputs are in place.
    pub fn totals(&self) -> Figures {
        let mut totals = Figures { reconciliation_passed: true, ..Figures::default() };
        for figures in self.orgs.iter().filter_map(|o| o.figures.as_ref()) {
            totals.add(figures);
            totals.reconciliation_passed &= figures.reconciliation_passed;
        }
        totals
    }

    pub fn count(&self, status: OrgStatus) -> usize {
        self.orgs.iter().filter(|o| o.status == status).count()
    }

    /// `batch-YYYY-MM.json`.
    pub fn to_json(&self) -> Value {
        let orgs: Vec<Value> = self
            .orgs
            .iter()
            .map(|o| {
                let mut row = json!({
                    "code": o.code,
                    "status": o.status.code(),
                    "exit_code": o.exit_code,
                    "message": o.message,
                });
                extend(&mut row, figures_json(o.figures.as_ref()));
                extend(
                    &mut row,
                    json!({ "seconds": (o.seconds * 1000.0).round() / 1000.0, "out": o.out.display().to_string() }),
                );
                row
            })
            .collect();
        let mut totals = json!({
            "organisations": self.orgs.len(),
            "ok": self.count(OrgStatus::Ok),
            "fail_on": self.count(OrgStatus::FailOn),
            "failed": self.count(OrgStatus::Failed),
        });
        extend(&mut totals, figures_json(Some(&self.totals())));
        json!({
            "period": self.period,
            "plan": self.plan.display().to_string(),
            "organisations": orgs,
            "totals": totals,
        })
    }
}

fn figures_json(figures: Option<&Figures>) -> Value {
    match figures {
        Some(f) => json!({
            "lines_read": f.lines_read,
            "claimed": f.claimed.to_string(),
            "allowed": f.allowed.to_string(),
            "withheld": f.withheld.to_string(),
            "deferred": f.deferred.to_string(),
            "findings": SEVERITIES.iter().zip(f.findings).map(|(s, n)| (s.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "reconciliation": if f.reconciliation_passed { "PASS" } else { "FAIL" },
            "corrections_delta": f.corrections_delta.map(|d| d.to_string()),
        }),
        None => json!({
            "lines_read": null, "claimed": null, "allowed": null, "withheld": null, "deferred": null,
            "findings": null, "reconciliation": null, "corrections_delta": null,
        }),
    }
}

fn extend(target: &mut Value, more: Value) {
    if let (Some(t), Value::Object(m)) = (target.as_object_mut(), more) {
        t.extend(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(claimed: &str, allowed: &str, errors: i64) -> Value {
        json!({
            "reconciliation": {"lines_read": 10, "claimed": claimed, "allowed": allowed, "withheld": "-0.05",
                               "deferred": "1.00", "passed": true},
            "findings_by_severity": {"ERROR": errors, "INFO": 1},
        })
    }

    #[test]
    fn totals_sum_the_finished_organisations_only() {
        let out = Path::new("out");
        let summary = BatchSummary {
            period: "2025-06".into(),
            plan: "plan.toml".into(),
            orgs: vec![
                OrgResult::finished(
                    "A",
                    out,
                    OrgStatus::Ok,
                    String::new(),
                    &manifest("10.00", "8.95", 2),
                    1.0,
                ),
                OrgResult::failed("B", out, 3, "roster: cannot be read".into(), 0.1),
                OrgResult::finished(
                    "C",
                    out,
                    OrgStatus::FailOn,
                    "1 finding".into(),
                    &manifest("0.10", "0.05", 0),
                    1.0,
                ),
            ],
        };
        let t = summary.totals();
        assert_eq!(t.lines_read, 20);
        assert_eq!(t.claimed, Pence(1010));
        assert_eq!(t.allowed, Pence(900));
        assert_eq!(t.withheld, Pence(-10));
        assert_eq!(t.findings, [2, 0, 2]);
        assert_eq!(t.corrections_delta, None);
        let j = summary.to_json();
        assert_eq!(j["organisations"][1]["status"], "FAILED");
        assert_eq!(j["organisations"][1]["exit_code"], 3);
        assert_eq!(j["organisations"][1]["claimed"], Value::Null);
        assert_eq!(j["organisations"][2]["exit_code"], 6);
        assert_eq!(j["totals"]["claimed"], "10.10");
        assert_eq!(j["totals"]["failed"], 1);
        assert_eq!(j["totals"]["fail_on"], 1);
    }

    #[test]
    fn corrections_delta_is_summed_when_a_run_has_one() {
        let mut with = manifest("1.00", "1.00", 0);
        with["corrects"] = json!({"delta_total": "-2.50"});
        let f = Figures::of_manifest(&with).unwrap();
        assert_eq!(f.corrections_delta, Some(Pence(-250)));
        let mut bad = manifest("1.00", "1.00", 0);
        bad["reconciliation"]["claimed"] = json!("ten");
        assert!(Figures::of_manifest(&bad).unwrap_err().contains("reconciliation.claimed"));
    }
}
