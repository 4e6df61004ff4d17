//! `[payroll_interface]` of `policy.toml` (SPEC §7.1): how the adjustments
//! are shaped into an Oracle HRMS Batch Element Entry (BEE) batch — the
//! batch header fields, and per element code the input values a batch line
//! carries and where each takes its figure from. Optional: when the table is
//! absent every key has its §7.1 default and the manifest records them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Element codes of SPEC §4.1, in row order (the keys `inputs` and
/// `correction_elements` accept).
pub const ELEMENT_CODES: &[&str] = crate::model::adjustment::ELEMENTS;

/// A BEE batch line holds at most 15 input values (`value_1 … value_15`).
pub const MAX_INPUTS: usize = 15;

/// `[payroll_interface]` as read; [`PayrollInterface::validate`] resolves
/// the raw `inputs` lists into [`InputValue`]s.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PayrollInterface {
    /// Batch name template: `{org}` (organisation code, `PAYRUN` when none)
    /// and `{period}` (`YYYY-MM`).
    pub batch_name: String,
    /// BEE "batch source": where the batch came from.
    pub batch_source: String,
    /// What BEE does when the assignment already has an entry of the element.
    pub action_if_exists: ActionIfExists,
    /// Which day of the pay period the lines are dated.
    pub effective_date: EffectiveDate,
    /// Per element code: `[["Pay Value", "amount"], ["Hours", "units"]]`.
    #[serde(rename = "inputs")]
    pub raw_inputs: BTreeMap<String, Vec<Vec<String>>>,
    /// Element code → payroll element name used on correction lines (an
    /// arrears element), so corrections do not meet the next period's own
    /// entries of the same element (SPEC §7.2).
    pub correction_elements: BTreeMap<String, String>,
    /// Resolved input values per element code, every code present.
    #[serde(skip)]
    pub inputs: BTreeMap<String, Vec<InputValue>>,
}

impl Default for PayrollInterface {
    fn default() -> PayrollInterface {
        PayrollInterface {
            batch_name: "{org} EXPENSES {period}".into(),
            batch_source: "payrun".into(),
            action_if_exists: ActionIfExists::CreateNew,
            effective_date: EffectiveDate::PeriodStart,
            raw_inputs: BTreeMap::new(),
            correction_elements: BTreeMap::new(),
            inputs: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionIfExists {
    CreateNew,
    Reject,
    ChangeExisting,
}

impl ActionIfExists {
    pub fn code(self) -> &'static str {
        match self {
            ActionIfExists::CreateNew => "CREATE_NEW",
            ActionIfExists::Reject => "REJECT",
            ActionIfExists::ChangeExisting => "CHANGE_EXISTING",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectiveDate {
    /// The pay period's first day.
    PeriodStart,
    /// The pay period's last day.
    PeriodEnd,
}

/// Where an input value takes its figure from in the adjustments row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// The signed amount, pounds with two decimals.
    Amount,
    /// `units` of adjustments.csv (claim lines, unpaid hours, 1; SPEC §6.8 rule 46).
    Units,
    /// `rate` of adjustments.csv (the hourly rate of UNPAID_LEAVE, else blank).
    Rate,
}

/// One input value of an element: its name in payroll and its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputValue {
    pub name: String,
    pub source: InputSource,
}

impl PayrollInterface {
    /// The input values of an element code (the default `Pay Value` ←
    /// amount when the code is not configured).
    pub fn inputs_of(&self, code: &str) -> Vec<InputValue> {
        self.inputs.get(code).cloned().unwrap_or_else(default_inputs)
    }

    /// The element name a correction line of `code` is loaded under, when
    /// mapped to a separate arrears element.
    pub fn correction_element(&self, code: &str) -> Option<&str> {
        self.correction_elements.get(code).map(String::as_str)
    }

    /// Batch name for `org` and `period` from the template.
    pub fn batch_name_for(&self, org: &str, period: &str) -> String {
        self.batch_name.replace("{org}", org).replace("{period}", period)
    }

    /// Checks what serde cannot and resolves the input lists; each message
    /// starts with the key it concerns.
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        let key = "payroll_interface";
        if self.batch_name.trim().is_empty() {
            return Err(format!("{key}.batch_name: must not be blank"));
        }
        let mut rest = self.batch_name.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| format!("{key}.batch_name: unclosed `{{`"))?;
            let name = &after[..close];
            if name != "org" && name != "period" {
                return Err(format!(
                    "{key}.batch_name: unknown placeholder `{{{name}}}` (use {{org}} and {{period}})"
                ));
            }
            rest = &after[close + 1..];
        }
        if self.batch_source.trim().is_empty() {
            return Err(format!("{key}.batch_source: must not be blank"));
        }
        for code in self.raw_inputs.keys().chain(self.correction_elements.keys()) {
            if !ELEMENT_CODES.contains(&code.as_str()) {
                let table = if self.raw_inputs.contains_key(code) { "inputs" } else { "correction_elements" };
                return Err(format!(
                    "{key}.{table}.{code}: unknown element code (one of {})",
                    ELEMENT_CODES.join(", ")
                ));
            }
        }
        for (code, name) in &self.correction_elements {
            if name.trim().is_empty() {
                return Err(format!("{key}.correction_elements.{code}: must not be blank"));
            }
        }
        let mut resolved = BTreeMap::new();
        for code in ELEMENT_CODES {
            let inputs = match self.raw_inputs.get(*code) {
                Some(list) => resolve(&format!("{key}.inputs.{code}"), list)?,
                None => default_inputs(),
            };
            resolved.insert(code.to_string(), inputs);
        }
        self.inputs = resolved;
        Ok(())
    }
}

fn default_inputs() -> Vec<InputValue> {
    vec![InputValue { name: "Pay Value".into(), source: InputSource::Amount }]
}

fn resolve(key: &str, list: &[Vec<String>]) -> Result<Vec<InputValue>, String> {
    if list.len() > MAX_INPUTS {
        return Err(format!("{key}: {} input values; a batch line holds at most {MAX_INPUTS}", list.len()));
    }
    let mut out: Vec<InputValue> = Vec::with_capacity(list.len());
    for (i, pair) in list.iter().enumerate() {
        let [name, source] = pair.as_slice() else {
            return Err(format!("{key}[{i}]: must be [\"<input value name>\", \"amount|units|rate\"]"));
        };
        let source = match source.as_str() {
            "amount" => InputSource::Amount,
            "units" => InputSource::Units,
            "rate" => InputSource::Rate,
            other => return Err(format!("{key}[{i}]: unknown source `{other}` (amount, units or rate)")),
        };
        if name.trim().is_empty() {
            return Err(format!("{key}[{i}]: the input value name is blank"));
        }
        if out.iter().any(|v| v.name == *name) {
            return Err(format!("{key}[{i}]: input value `{name}` is named twice"));
        }
        out.push(InputValue { name: name.clone(), source });
    }
    let amounts = out.iter().filter(|v| v.source == InputSource::Amount).count();
    if amounts != 1 {
        return Err(format!(
            "{key}: needs exactly one input fed from `amount` (found {amounts}): it carries the money \
             the control totals check"
        ));
    }
    Ok(out)
}
