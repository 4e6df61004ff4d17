//! The rule catalogue and the rule families.
//!
//! Every rule is declared once, as a [`Rule`] constant in its family's file,
//! with its code, severity, policy paragraph and explanation. The engine's
//! checks refer to those constants, and the catalogue (`payrun rules`, the
//! Rule glossary, `docs/rules.md`) is generated from [`CATALOGUE`], so the two
//! cannot drift.

pub mod age;
pub mod data;
pub mod duplicates;
pub mod leave;
pub mod mileage;
pub mod protection;
pub mod receipts;
pub mod relocation;
pub mod roster;
pub mod sickness;
pub mod subsistence;
pub mod tax;
#[cfg(test)]
pub(crate) mod testkit;
pub mod travel;

use crate::model::decision::Severity;

/// Rule families, in SPEC §3 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Data,
    Age,
    Duplicates,
    Mileage,
    Subsistence,
    Travel,
    Receipts,
    Relocation,
    Tax,
    Roster,
    Leave,
    Sickness,
    Protection,
}

/// One rule's declaration.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub family: Family,
    /// The usual severity; a few rules vary it (e.g. AGE001 vs AGE002).
    pub severity: Severity,
    /// The policy paragraph, e.g. "CORP/EMP 33 §4.1".
    pub policy_ref: &'static str,
    /// One line for the catalogue.
    pub summary: &'static str,
    /// What the rule checks and what it does, for the glossary.
    pub explanation: &'static str,
    /// True for the rules of SPEC §6.1 rule 2: firing rejects the line and
    /// the line lists only its rejection codes.
    pub rejects: bool,
}

/// Every rule, in the order of SPEC §3 (the order of `rules` in decisions.csv).
pub const CATALOGUE: &[&Rule] = &[
    &data::DAT001,
    &data::DAT002,
    &data::DAT003,
    &data::DAT004,
    &data::DAT005,
    &data::DAT006,
    &data::DAT007,
    &age::CUT001,
    &age::AGE001,
    &age::AGE002,
    &age::AGE003,
    &duplicates::DUP001,
    &duplicates::DUP002,
    &mileage::MIL001,
    &mileage::MIL002,
    &mileage::MIL003,
    &mileage::MIL004,
    &mileage::MIL005,
    &mileage::MIL006,
    &mileage::MIL007,
    &mileage::MIL008,
    &mileage::MIL009,
    &subsistence::SUB001,
    &subsistence::SUB002,
    &subsistence::SUB003,
    &subsistence::SUB004,
    &subsistence::SUB005,
    &subsistence::SUB006,
    &subsistence::SUB007,
    &subsistence::SUB008,
    &subsistence::SUB009,
    &subsistence::SUB010,
    &subsistence::SUB011,
    &travel::TRV001,
    &travel::TRV002,
    &travel::TRV003,
    &travel::TRV004,
    &travel::TRV005,
    &travel::TRV006,
    &travel::TRV007,
    &receipts::RCT001,
    &receipts::RCT002,
    &receipts::RCT003,
    &relocation::REL001,
    &relocation::REL002,
    &relocation::REL003,
    &relocation::REL004,
    &tax::TAX001,
    &tax::TAX002,
    &tax::TAX003,
    &tax::TAX004,
    &tax::TAX005,
    &tax::TAX006,
    &roster::ROS001,
    &roster::ROS002,
    &roster::ROS003,
    &roster::ROS004,
    &roster::ROS005,
    &leave::LV001,
    &leave::LV002,
    &leave::LV003,
    &sickness::SCK001,
    &sickness::SCK002,
    &sickness::SCK003,
    &protection::PP001,
    &protection::PP002,
    &protection::PP003,
    &protection::PP004,
    &protection::PP005,
];

/// The position of a rule in spec order.
pub fn spec_order(rule: &Rule) -> usize {
    CATALOGUE.iter().position(|r| r.code == rule.code).unwrap_or(usize::MAX)
}

/// Looks a rule up by code.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_family_order() {
        let mut seen = std::collections::HashSet::new();
        for (i, r) in CATALOGUE.iter().enumerate() {
            assert!(seen.insert(r.code), "duplicate {}", r.code);
            if i > 0 {
                assert!(CATALOGUE[i - 1].family <= r.family, "{} out of order", r.code);
            }
            assert!(!r.policy_ref.is_empty() && !r.summary.is_empty());
        }
    }
}
