//! How payroll names a pay element in the outputs.

use crate::config::Config;

/// The name payroll knows an element by (config `elements`).
pub fn element_name(config: &Config, code: &str) -> String {
    config.policy.elements.display_name(code).unwrap_or(code).to_string()
}
