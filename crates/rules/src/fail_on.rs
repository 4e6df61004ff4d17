//! `--fail-on` and a plan's `fail_on` (SPEC §12.2): which findings mean
//! "someone must act", so that the run exits 6 once its outputs are written.
//!
//! A comma-separated list; each item is `error` or `warning` (findings of
//! that severity or worse), `data` (any DAT finding, or CUT002/CUT003: input
//! that must be put right at its source), a rule code of the catalogue
//! (`REL001`) or a rule family, the letters of its codes (`SCK`). Items are
//! matched without regard to case; anything else is refused naming the item.

use super::CATALOGUE;
use crate::model::decision::Finding;
use crate::model::rule::Severity;
use std::fmt;

/// The codes besides the DAT family that `data` takes in: a line the ledger
/// carried replaced by a different one, or one already settled (SPEC §12.1).
pub const DATA_CODES: [&str; 2] = ["CUT002", "CUT003"];

/// One item of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// `error` / `warning`: that severity or worse.
    Severity(Severity),
    /// `data`: DAT findings, CUT002 and CUT003.
    Data,
    /// A rule code, upper-cased.
    Code(String),
    /// A rule family: the letters of its codes, upper-cased.
    Family(String),
}

impl Item {
    fn parse(text: &str) -> Result<Item, String> {
        let upper = text.to_ascii_uppercase();
        match upper.as_str() {
            "ERROR" => return Ok(Item::Severity(Severity::Error)),
            "WARNING" => return Ok(Item::Severity(Severity::Warning)),
            "DATA" => return Ok(Item::Data),
            _ => {}
        }
        if let Some(rule) = super::by_code(&upper) {
            return Ok(Item::Code(rule.code.to_string()));
        }
        if CATALOGUE.iter().any(|r| family_of(r.code) == upper) {
            return Ok(Item::Family(upper));
        }
        Err(format!(
            "'{text}' is not error, warning, data, a rule code (e.g. REL001) or a rule family (e.g. SCK); \
             `payrun rules` lists them"
        ))
    }

    fn matches(&self, finding: &Finding) -> bool {
        let code = finding.rule.code;
        match self {
            Item::Severity(threshold) => finding.severity >= *threshold,
            Item::Data => family_of(code) == "DAT" || DATA_CODES.contains(&code),
            Item::Code(c) => code == c,
            Item::Family(f) => family_of(code) == f,
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Severity(s) => f.write_str(&s.code().to_ascii_lowercase()),
            Item::Data => f.write_str("data"),
            Item::Code(c) | Item::Family(c) => f.write_str(c),
        }
    }
}

/// A rule family: the letters a code starts with (`MIL003` → `MIL`).
fn family_of(code: &str) -> &str {
    let end = code.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(code.len());
    &code[..end]
}

/// A checked `--fail-on` list, its items in the order given, each once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailOn {
    items: Vec<Item>,
}

impl FailOn {
    /// Reads `error,data,REL001,SCK`; an empty or unknown item is refused
    /// (exit 2 where the caller reports it), naming the item.
    pub fn parse(text: &str) -> Result<FailOn, String> {
        let mut items = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("'{text}' has an empty item: give a comma-separated list"));
            }
            let item = Item::parse(part)?;
            if !items.contains(&item) {
                items.push(item);
            }
        }
        Ok(FailOn { items })
    }

    /// Whether the finding matches any item.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.items.iter().any(|i| i.matches(finding))
    }

    /// The findings that match, counted overall and per item, or `None`
    /// when none does.
    pub fn matched(&self, findings: &[Finding]) -> Option<Matched> {
        let mut per_item = vec![0usize; self.items.len()];
        let mut findings_matched = 0;
        for finding in findings {
            let mut any = false;
            for (n, item) in per_item.iter_mut().zip(&self.items) {
                if item.matches(finding) {
                    *n += 1;
                    any = true;
                }
            }
            findings_matched += usize::from(any);
        }
        (findings_matched > 0).then(|| Matched {
            list: self.to_string(),
            findings: findings_matched,
            items: self
                .items
                .iter()
                .zip(per_item)
                .filter(|(_, n)| *n > 0)
                .map(|(item, n)| (item.to_string(), n))
                .collect(),
        })
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.items.iter().map(Item::to_string).collect();
        f.write_str(&items.join(","))
    }
}

/// What a `--fail-on` list caught: the list, the findings matching any item,
/// and each item that matched with its count (a finding may match several).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    pub list: String,
    pub findings: usize,
    pub items: Vec<(String, usize)>,
}

impl fmt::Display for Matched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.items.iter().map(|(item, n)| format!("{item} {n}")).collect();
        write!(f, "{} finding(s) matched --fail-on {} ({})", self.findings, self.list, items.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::Subject;
    use crate::model::rule::{Family, Rule};

    fn finding(rule: &'static Rule, severity: Severity) -> Finding {
        Finding { rule, severity, subject: Subject::Line(0), message: String::new(), source: None }
    }

    fn rule(code: &'static str) -> &'static Rule {
        crate::by_code(code).unwrap_or_else(|| panic!("{code} is in the catalogue"))
    }

    /// CUT002 and CUT003 may not be declared yet: `data` matches them by
    /// code, so a declaration of the same shape stands in.
    fn cut(code: &'static str) -> &'static Rule {
        Box::leak(Box::new(Rule {
            code,
            family: Family::Age,
            severity: Severity::Info,
            policy_ref: "",
            summary: "",
            what: "",
            policy: "",
            effect: "",
            example: "",
            config: "",
            control: None,
            rejects: false,
        }))
    }

    fn fails(list: &str, f: &Finding) -> bool {
        FailOn::parse(list).unwrap().matches(f)
    }

    #[test]
    fn error_and_warning_are_that_severity_or_worse() {
        let info = finding(rule("SUB001"), Severity::Info);
        let warning = finding(rule("SUB001"), Severity::Warning);
        let error = finding(rule("SUB001"), Severity::Error);
        assert!(!fails("warning", &info) && fails("warning", &warning) && fails("warning", &error));
        assert!(!fails("error", &info) && !fails("error", &warning) && fails("error", &error));
    }

    #[test]
    fn data_is_any_dat_finding_and_cut002_cut003_whatever_the_severity() {
        for code in ["DAT001", "DAT004", "DAT007"] {
            assert!(fails("data", &finding(rule(code), Severity::Info)), "{code}");
        }
        assert!(fails("data", &finding(cut("CUT002"), Severity::Info)));
        assert!(fails("data", &finding(cut("CUT003"), Severity::Info)));
        for code in ["CUT001", "AGE001", "DUP002", "REL001"] {
            assert!(!fails("data", &finding(rule(code), Severity::Error)), "{code}");
        }
        assert!(!fails("data", &finding(cut("CUT004"), Severity::Error)));
    }

    #[test]
    fn a_code_matches_only_itself_and_a_family_only_its_codes() {
        let rel001 = finding(rule("REL001"), Severity::Info);
        let rel002 = finding(rule("REL002"), Severity::Info);
        assert!(fails("REL001", &rel001) && !fails("REL001", &rel002));
        assert!(fails("rel001", &rel001), "codes are matched whatever their case");
        let sck = finding(rule("SCK002"), Severity::Info);
        assert!(fails("SCK", &sck) && fails("sck", &sck) && !fails("SCK", &rel001));
        // `PP` is a family; `P` is not a prefix match for it.
        assert!(fails("PP", &finding(rule("PP001"), Severity::Info)));
        assert!(FailOn::parse("P").is_err());
    }

    #[test]
    fn a_list_matches_when_any_item_does() {
        let list = FailOn::parse("data, REL001,SCK").unwrap();
        assert_eq!(list.to_string(), "data,REL001,SCK");
        assert!(list.matches(&finding(rule("DAT002"), Severity::Error)));
        assert!(list.matches(&finding(rule("REL001"), Severity::Warning)));
        assert!(list.matches(&finding(rule("SCK001"), Severity::Info)));
        assert!(!list.matches(&finding(rule("REL002"), Severity::Error)));
    }

    #[test]
    fn unknown_and_empty_items_are_refused_naming_them() {
        for (list, named) in [("fatal", "'fatal'"), ("data,XYZ999", "'XYZ999'"), ("info", "'info'")] {
            let message = FailOn::parse(list).unwrap_err();
            assert!(message.contains(named), "{list}: {message}");
        }
        assert!(FailOn::parse("REL").is_ok(), "a family");
        assert!(FailOn::parse("").unwrap_err().contains("empty item"));
        assert!(FailOn::parse("data,,error").unwrap_err().contains("empty item"));
        assert!(FailOn::parse("DAT0").is_err(), "neither a code nor a family");
    }

    #[test]
    fn matched_counts_findings_once_and_names_the_items_that_matched() {
        let list = FailOn::parse("error,data,REL001,SCK").unwrap();
        let findings = [
            finding(rule("DAT002"), Severity::Error),
            finding(rule("REL001"), Severity::Warning),
            finding(rule("SUB001"), Severity::Info),
        ];
        let m = list.matched(&findings).unwrap();
        assert_eq!(m.findings, 2);
        assert_eq!(m.items, [("error".to_string(), 1), ("data".to_string(), 1), ("REL001".to_string(), 1)]);
        assert_eq!(
            m.to_string(),
            "2 finding(s) matched --fail-on error,data,REL001,SCK (error 1, data 1, REL001 1)"
        );
        assert_eq!(list.matched(&findings[2..]), None);
        assert_eq!(list.matched(&[]), None);
    }
}
