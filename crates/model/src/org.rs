//! The organisation a run pays (SPEC §8.1): an ODS code such as `RP5`.

/// Characters an organisation code may have: it names folders and batch
/// names, so letters, digits, `-` and `_` only, 1–16 of them.
pub const MAX_LEN: usize = 16;

/// Checks an organisation code as given on `--org` or in a batch plan's
/// `[[org]] code`; the message says what is wrong (exit 2 at the caller).
pub fn check_code(code: &str) -> Result<(), String> {
    if code.is_empty() || code.chars().count() > MAX_LEN {
        return Err(format!("organisation code '{code}' must be 1 to {MAX_LEN} characters long"));
    }
    if let Some(bad) = code.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!(
            "organisation code '{code}' has '{bad}': only letters, digits, '-' and '_' are allowed"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_and_names_with_dash_or_underscore_are_accepted() {
        for code in ["RP5", "R1H", "a", "NORTH-WEST_01", "ABCDEFGHIJKLMNOP"] {
            assert_eq!(check_code(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn empty_too_long_or_with_other_characters_is_refused() {
        assert!(check_code("").unwrap_err().contains("1 to 16"));
        assert!(check_code("ABCDEFGHIJKLMNOPQ").unwrap_err().contains("1 to 16"));
        for code in ["RP5/..", "R P5", "RP5.", "RÉ5", "{org}"] {
            assert!(check_code(code).is_err(), "{code}");
        }
    }
}
