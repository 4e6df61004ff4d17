//! The rule catalogue and the rule families.
//!
//! Every rule is declared once, as a [`Rule`] constant in its family's file,
//! with its code, severity, policy paragraph and explanation. The engine's
//! checks refer to those constants, and the catalogue (`payrun rules`, the
//! Rule glossary, `docs/rules.md`) is generated from [`CATALOGUE`], so the two
//! cannot drift.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_config as config;
use payrun_model as model;
use payrun_model::error;

pub mod age;
pub mod data;
pub mod duplicates;
pub mod engine;
mod evaluate;
pub mod fail_on;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod kit;
pub mod leave;
pub mod mileage;
pub mod p11d;
pub mod payroll;
pub mod protection;
pub mod receipts;
pub mod relocation;
pub mod review;
pub mod roster;
pub mod sickness;
pub mod state;
pub mod subsistence;
pub mod tax;
#[cfg(test)]
pub(crate) mod testkit;
pub mod text;
pub mod travel;

pub use crate::model::rule::{Family, Rule};
pub use evaluate::{evaluate, Carried, Outcome};

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
    &age::CUT002,
    &age::CUT003,
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
    &leave::LV004,
    &sickness::SCK001,
    &sickness::SCK002,
    &sickness::SCK003,
    &sickness::SCK004,
    &protection::PP001,
    &protection::PP002,
    &protection::PP003,
    &protection::PP004,
    &protection::PP005,
    &kit::KIT001,
    &kit::KIT002,
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

    /// Every rule code of SPEC §3, in spec order.
    const SPEC_CODES: &[&str] = &[
        "DAT001", "DAT002", "DAT003", "DAT004", "DAT005", "DAT006", "DAT007", "CUT001", "CUT002", "CUT003",
        "AGE001", "AGE002", "AGE003", "DUP001", "DUP002", "MIL001", "MIL002", "MIL003", "MIL004", "MIL005",
        "MIL006", "MIL007", "MIL008", "MIL009", "SUB001", "SUB002", "SUB003", "SUB004", "SUB005", "SUB006",
        "SUB007", "SUB008", "SUB009", "SUB010", "SUB011", "TRV001", "TRV002", "TRV003", "TRV004", "TRV005",
        "TRV006", "TRV007", "RCT001", "RCT002", "RCT003", "REL001", "REL002", "REL003", "REL004", "TAX001",
        "TAX002", "TAX003", "TAX004", "TAX005", "TAX006", "ROS001", "ROS002", "ROS003", "ROS004", "ROS005",
        "LV001", "LV002", "LV003", "LV004", "SCK001", "SCK002", "SCK003", "SCK004", "PP001", "PP002",
        "PP003", "PP004", "PP005", "KIT001", "KIT002",
    ];

    #[test]
    fn the_catalogue_holds_every_spec_code_in_spec_order() {
        let codes: Vec<&str> = CATALOGUE.iter().map(|r| r.code).collect();
        assert_eq!(codes, SPEC_CODES);
    }

    /// The rejecting rules of SPEC §6.1 rule 2 (TRV001/TRV004 reject per firing).
    #[test]
    fn rejecting_rules_are_those_of_spec_6_1() {
        let rejecting: Vec<&str> =
            CATALOGUE.iter().filter(|r| r.rejects && r.family != Family::Data).map(|r| r.code).collect();
        assert_eq!(
            rejecting,
            [
                "AGE001", "DUP001", "DUP002", "MIL006", "MIL008", "SUB005", "SUB006", "SUB009", "TRV002",
                "TRV003", "TRV005", "TRV006", "TRV007", "RCT001", "RCT002", "ROS003", "ROS004", "PP005"
            ]
        );
    }

    #[test]
    fn codes_are_unique_and_in_family_order() {
        let mut seen = std::collections::HashSet::new();
        for (i, r) in CATALOGUE.iter().enumerate() {
            assert!(seen.insert(r.code), "duplicate {}", r.code);
            if i > 0 {
                assert!(CATALOGUE[i - 1].family <= r.family, "{} out of order", r.code);
            }
            assert!(!r.policy_ref.is_empty() && !r.summary.is_empty() && !r.what.is_empty());
            assert!(!r.effect.is_empty(), "{} has no effect text", r.code);
        }
    }
}
