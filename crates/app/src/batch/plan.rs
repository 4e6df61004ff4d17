//! A batch plan (SPEC §8.2): one pay period for many organisations, read and
//! checked whole before anything runs (exit 2 otherwise).

use crate::error::{Error, Result};
use crate::model::org;
use crate::model::period::Period;
use crate::pipeline::FailOn;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The plan file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    period: String,
    out: String,
    state: String,
    jobs: Option<usize>,
    fail_on: Option<String>,
    config: Option<PathBuf>,
    #[serde(default)]
    no_xlsx: bool,
    /// As `run --parquet`, for every organisation (SPEC §8.2, §9).
    #[serde(default)]
    parquet: bool,
    /// Present only to be refused with a reason (SPEC §8.2: no re-runs).
    rerun: Option<toml::Value>,
    #[serde(default)]
    org: Vec<OrgFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgFile {
    code: String,
    roster: PathBuf,
    expenses: Vec<PathBuf>,
    config: Option<PathBuf>,
}

/// A checked plan, its paths resolved against the plan's folder.
#[derive(Clone, Debug)]
pub struct Plan {
    pub path: PathBuf,
    /// First day of the pay period, and its `YYYY-MM` label.
    pub period: NaiveDate,
    pub label: String,
    /// Organisations run at once.
    pub jobs: usize,
    /// As `run --fail-on`, for every organisation (SPEC §12.2).
    pub fail_on: Option<FailOn>,
    pub no_xlsx: bool,
    pub parquet: bool,
    pub orgs: Vec<OrgPlan>,
}

/// One organisation's run, as `payrun run` would be told it.
#[derive(Clone, Debug)]
pub struct OrgPlan {
    pub code: String,
    pub roster: PathBuf,
    pub expenses: Vec<PathBuf>,
    /// The organisation's `config`, else the plan's, else `None`: the lookup
    /// of SPEC §8.1.
    pub config: Option<PathBuf>,
    pub out: PathBuf,
    pub state: PathBuf,
}

impl Plan {
    /// Reads and checks `path`; every problem is exit 2 naming the plan.
    pub fn load(path: &Path) -> Result<Plan> {
        let usage = |message: String| Error::Usage(format!("batch plan {}: {message}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| usage(format!("cannot be read: {e}")))?;
        let file: PlanFile = crate::config::from_toml(&text).map_err(usage)?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut plan = Plan::check(file, base).map_err(usage)?;
        super::folders::refuse_shared(&plan.orgs).map_err(usage)?;
        plan.path = path.to_path_buf();
        Ok(plan)
    }

    fn check(file: PlanFile, base: &Path) -> Result<Plan, String> {
        if file.rerun.is_some() {
            return Err("`rerun`: a batch never re-runs an earlier period; re-run one organisation \
                        at a time with `payrun run --rerun`"
                .into());
        }
        let period = Period::parse_month(&file.period)
            .ok_or_else(|| format!("period: '{}' is not a month in the form YYYY-MM", file.period))?;
        let label = file.period.clone();
        check_template("out", &file.out)?;
        check_template("state", &file.state)?;
        let jobs = match file.jobs {
            Some(0) => return Err("jobs: must be at least 1".into()),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let fail_on =
            file.fail_on.as_deref().map(FailOn::parse).transpose().map_err(|m| format!("fail_on: {m}"))?;
        if file.org.is_empty() {
            return Err("no [[org]] entries: nothing to run".into());
        }
        // Codes name folders: two that differ only in case would share one on
        // a case-insensitive disk, so they count as the same organisation.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut orgs = Vec::with_capacity(file.org.len());
        for (i, entry) in file.org.into_iter().enumerate() {
            org::check_code(&entry.code).map_err(|m| format!("org[{i}].code: {m}"))?;
            if let Some(first) = seen.insert(entry.code.to_ascii_uppercase(), i) {
                return Err(format!(
                    "org[{i}].code: organisation '{}' is named twice (also org[{first}])",
                    entry.code
                ));
            }
            if entry.expenses.is_empty() {
                return Err(format!("org[{i}].expenses: at least one expenses file is needed"));
            }
            let fill = |template: &str| {
                base.join(template.replace("{org}", &entry.code).replace("{period}", &label))
            };
            orgs.push(OrgPlan {
                roster: base.join(&entry.roster),
                expenses: entry.expenses.iter().map(|e| base.join(e)).collect(),
                config: entry.config.or_else(|| file.config.clone()).map(|c| base.join(c)),
                out: fill(&file.out),
                state: fill(&file.state),
                code: entry.code,
            });
        }
        Ok(Plan {
            path: PathBuf::new(),
            period,
            label,
            jobs,
            fail_on,
            no_xlsx: file.no_xlsx,
            parquet: file.parquet,
            orgs,
        })
    }
}

/// `out` and `state` must contain `{org}` (each organisation its own
/// folder) and no placeholder other than `{org}` and `{period}`.
fn check_template(key: &str, template: &str) -> Result<(), String> {
    if !template.contains("{org}") {
        return Err(format!(
            "{key}: '{template}' must contain {{org}} so that each organisation has its own folder"
        ));
    }
    let rest = template.replace("{org}", "").replace("{period}", "");
    if rest.contains('{') || rest.contains('}') {
        return Err(format!("{key}: '{template}' has a placeholder other than {{org}} and {{period}}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
period = "2025-06"
out = "out/{org}/{period}"
state = "state/{org}"
jobs = 2
fail_on = "error"
config = "config/shared"

[[org]]
code = "RP5"
roster = "in/RP5/roster.xlsx"
expenses = ["in/RP5/expenses.xlsx", "out/RP5/2025-05/deferred-claims.csv"]
config = "config/RP5"

[[org]]
code = "R1H"
roster = "/abs/roster.xlsx"
expenses = ["in/R1H/expenses.xlsx"]
"#;

    fn check(text: &str) -> Result<Plan, String> {
        let file: PlanFile = crate::config::from_toml(text)?;
        Plan::check(file, Path::new("/plans"))
    }

    #[test]
    fn paths_resolve_against_the_plan_folder_and_templates_fill_in() {
        let plan = check(PLAN).unwrap();
        assert_eq!(plan.label, "2025-06");
        assert_eq!(plan.jobs, 2);
        assert_eq!(plan.fail_on, FailOn::parse("error").ok());
        let rp5 = &plan.orgs[0];
        assert_eq!(rp5.roster, Path::new("/plans/in/RP5/roster.xlsx"));
        assert_eq!(rp5.expenses[1], Path::new("/plans/out/RP5/2025-05/deferred-claims.csv"));
        assert_eq!(rp5.config.as_deref(), Some(Path::new("/plans/config/RP5")));
        assert_eq!(rp5.out, Path::new("/plans/out/RP5/2025-06"));
        assert_eq!(rp5.state, Path::new("/plans/state/RP5"));
        let r1h = &plan.orgs[1];
        assert_eq!(r1h.roster, Path::new("/abs/roster.xlsx"), "absolute paths stay");
        assert_eq!(r1h.config.as_deref(), Some(Path::new("/plans/config/shared")), "the plan's config");
    }

    #[test]
    fn fail_on_takes_the_list_of_run_fail_on() {
        let plan = check(&PLAN.replace("fail_on = \"error\"", "fail_on = \"data\"")).unwrap();
        assert_eq!(plan.fail_on, FailOn::parse("data").ok());
        let plan = check(&PLAN.replace("fail_on = \"error\"", "fail_on = \"warning, REL001,SCK\"")).unwrap();
        assert_eq!(plan.fail_on.map(|f| f.to_string()).as_deref(), Some("warning,REL001,SCK"));
        let plan = check(&PLAN.replace("fail_on = \"error\"\n", "")).unwrap();
        assert_eq!(plan.fail_on, None);
    }

    #[test]
    fn without_any_config_key_the_lookup_decides() {
        let plan =
            check(&PLAN.replace("config = \"config/shared\"\n", "").replace("config = \"config/RP5\"\n", ""))
                .unwrap();
        assert!(plan.orgs.iter().all(|o| o.config.is_none()));
    }

    #[test]
    fn a_duplicated_code_is_refused_whatever_its_case() {
        let twice = format!("{PLAN}\n[[org]]\ncode = \"rp5\"\nroster = \"r\"\nexpenses = [\"e\"]\n");
        let err = check(&twice).unwrap_err();
        assert!(err.contains("org[2].code") && err.contains("twice") && err.contains("org[0]"), "{err}");
    }

    #[test]
    fn out_and_state_must_name_the_organisation() {
        let err = check(&PLAN.replace("state = \"state/{org}\"", "state = \"state\"")).unwrap_err();
        assert!(err.starts_with("state:") && err.contains("{org}"), "{err}");
        let err = check(&PLAN.replace("out = \"out/{org}/{period}\"", "out = \"out/{period}\"")).unwrap_err();
        assert!(err.starts_with("out:"), "{err}");
        let err = check(&PLAN.replace("{period}\"", "{month}\"")).unwrap_err();
        assert!(err.contains("placeholder"), "{err}");
    }

    #[test]
    fn rerun_unknown_keys_bad_values_and_bad_codes_are_refused() {
        let err = check(&format!("rerun = true\n{PLAN}")).unwrap_err();
        assert!(err.contains("never re-runs"), "{err}");
        let err = check(&format!("colour = \"red\"\n{PLAN}")).unwrap_err();
        assert!(err.contains("colour"), "{err}");
        assert!(check(&PLAN.replace("jobs = 2", "jobs = 0")).unwrap_err().starts_with("jobs"));
        let err = check(&PLAN.replace("fail_on = \"error\"", "fail_on = \"data,all\"")).unwrap_err();
        assert!(err.starts_with("fail_on") && err.contains("'all'"), "{err}");
        assert!(check(&PLAN.replace("\"2025-06\"", "\"June\"")).unwrap_err().starts_with("period"));
        let err = check(&PLAN.replace("code = \"R1H\"", "code = \"R1H/..\"")).unwrap_err();
        assert!(err.starts_with("org[1].code"), "{err}");
        let err = check(PLAN.split("[[org]]").next().unwrap()).unwrap_err();
        assert!(err.contains("no [[org]]"), "{err}");
    }
}
