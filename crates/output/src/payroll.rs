//! How payroll names a pay element in the outputs.

use crate::config::Config;

/// The name payroll knows an element by (config `elements`).
pub fn element_name(config: &Config, code: &str) -> String {
    let review = &config.policy.review;
    match code {
        "REVIEW_PAYMENT" => review.payment_name.clone(),
        "REVIEW_RECOVERY" => review.recovery_name.clone(),
        _ => config.policy.elements.display_name(code).unwrap_or(code).to_string(),
    }
}
