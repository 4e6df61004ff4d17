//! The shape of a rule's declaration (SPEC §3). The declarations themselves
//! (`DAT001` … `PP005`) and the catalogue live in `rules`; the type is here
//! because every finding and decision names its rules.

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
    /// Keeping-in-touch days (SPEC §14).
    KeepingInTouch,
}

/// Finding severity (SPEC §3), ordered so that `Error` is the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
}

/// One rule's declaration: the single text of the rule. The catalogue
/// (`payrun rules CODE`), docs/rules.md and the workbook's Rule glossary are
/// rendered from these fields; a `{key}` in a text is a figure filled from
/// the loaded policy.toml at render time (`rules::text::figure`), so a text never
/// repeats a figure that lives in config.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub family: Family,
    /// The usual severity; a few rules vary it (e.g. AGE001 vs AGE002).
    pub severity: Severity,
    /// The policy paragraph(s) that state the rule, e.g. "CORP/EMP 33 §4.1";
    /// for a system control, "system control; serves …" (see `control`).
    /// A test checks every paragraph against the policy texts.
    pub policy_ref: &'static str,
    /// One line for the catalogue.
    pub summary: &'static str,
    /// What the rule checks.
    pub what: &'static str,
    /// What the policy says (quoted where short), or for a system control why
    /// the control exists.
    pub policy: &'static str,
    /// What firing does to the line or the employee.
    pub effect: &'static str,
    /// A worked example with its figures.
    pub example: &'static str,
    /// The policy.toml keys the rule reads ("" when none).
    pub config: &'static str,
    /// `Some(principle)` for the system's own controls, which enforce no
    /// sentence of the policy: the principle they serve.
    pub control: Option<&'static str>,
    /// True for the rules of SPEC §6.1 rule 2: firing rejects the line and
    /// the line lists only its rejection codes.
    pub rejects: bool,
}
