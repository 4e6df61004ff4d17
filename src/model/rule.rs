//! The shape of a rule's declaration (SPEC §3). The declarations themselves
//! (`DAT001` … `PP005`) and the catalogue live in `rules`; the type is here
//! because every finding and decision names its rules.

use super::decision::Severity;

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
