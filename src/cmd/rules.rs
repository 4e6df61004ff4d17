//! `payrun rules`: the rule catalogue, from the same declarations the engine runs.

use crate::rules::CATALOGUE;
use clap::Args;

/// List every rule: code, severity, policy reference and summary.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Show one rule in full (its explanation too).
    pub code: Option<String>,
}

pub fn run(args: RulesArgs) -> crate::Result<()> {
    if let Some(code) = args.code {
        let rule = crate::rules::by_code(&code)
            .ok_or_else(|| crate::Error::Usage(format!("no rule {code}; `payrun rules` lists them")))?;
        println!(
            "{} ({}) — {}\n\n{}\n\n{}",
            rule.code,
            rule.severity.code(),
            rule.policy_ref,
            rule.summary,
            rule.explanation
        );
        return Ok(());
    }
    println!("{:<8} {:<8} {:<28} summary", "code", "severity", "policy");
    for rule in CATALOGUE {
        println!("{:<8} {:<8} {:<28} {}", rule.code, rule.severity.code(), rule.policy_ref, rule.summary);
    }
    Ok(())
}
