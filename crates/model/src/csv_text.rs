//! Text cells of the CSVs payrun writes, escaped against formula injection
//! (SPEC §12.6, OWASP's advice): a spreadsheet runs a cell that begins with
//! `=`, `+`, `-` or `@` (and some a tab or carriage return) as a formula, so
//! such text is written with one more leading `'`, and payrun's own readers
//! remove exactly that one again.
//!
//! The rule is applied to text *columns* (names, descriptions, places, cost
//! centres, messages, sources, identifiers read from inputs), never to money,
//! counts, dates or payrun's own codes: `-12.50` in an amount column is money.
//!
//! The text escaped is any that begins with a run of `'` (none or more)
//! followed by one of the trigger characters; the SPEC names the runs of none
//! and one, and the longer ones keep the pair exact: without them `''=x`
//! (left alone) and `'=x` (escaped to `''=x`) would be written alike
//! (docs/decisions.md 450). So [`unescape`]`(`[`escape`]`(t)) == t` for
//! every text, and [`escape`] is one-to-one.

use std::borrow::Cow;

/// The characters a spreadsheet may take as the start of a formula.
const TRIGGERS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// Whether `text` is one that [`escape`] quotes: a run of `'` (possibly
/// empty) followed by a trigger character.
pub fn needs_quote(text: &str) -> bool {
    let rest = text.trim_start_matches('\'');
    rest.as_bytes().first().is_some_and(|b| TRIGGERS.contains(b))
}

/// The text as written into a CSV cell: with one more leading `'` when a
/// spreadsheet could take it as a formula.
pub fn escape(text: &str) -> Cow<'_, str> {
    if needs_quote(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`escape`] into a buffer (the writers that build records in one string).
pub fn escape_into(buf: &mut String, text: &str) {
    if needs_quote(text) {
        buf.push('\'');
    }
    buf.push_str(text);
}

/// A cell as payrun wrote it, back to its text: exactly the one `'` that
/// [`escape`] added is removed; any other text is returned as it is.
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_text_gains_one_quote() {
        for (text, written) in [
            ("=1+1", "'=1+1"),
            ("+441234567890", "'+441234567890"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("=", "'="),
        ] {
            assert_eq!(escape(text), written, "{text:?}");
        }
    }

    #[test]
    fn other_text_is_written_as_it_is() {
        for text in ["", "Ann Smith", "x=1", " =1", "'", "''", "'x", "''x", "O'Brien", "1-2", "CC-1", "\n=x"]
        {
            assert_eq!(escape(text), text, "{text:?}");
            assert!(matches!(escape(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn unescape_removes_exactly_the_quote_escape_added() {
        assert_eq!(unescape("'=1+1"), "=1+1");
        assert_eq!(unescape("''=x"), "'=x");
        assert_eq!(unescape("'''-x"), "''-x");
        // Not written by escape: left alone (a quote a person typed stays).
        assert_eq!(unescape("'x"), "'x");
        assert_eq!(unescape("'"), "'");
        assert_eq!(unescape("=x"), "=x");
        assert_eq!(unescape("O'Brien"), "O'Brien");
    }

    #[test]
    fn round_trips_are_exact_and_escape_is_one_to_one() {
        let pieces = ["", "'", "''", "=", "+", "-", "@", "\t", "\r", "x", "1", " "];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> =
                texts.iter().flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}"))).collect();
            texts.extend(longer);
        }
        texts.sort();
        texts.dedup();
        let mut written = std::collections::HashMap::new();
        for t in &texts {
            let e = escape(t).into_owned();
            assert_eq!(unescape(&e), t, "{t:?}");
            assert!(!e.as_bytes().first().is_some_and(|b| TRIGGERS.contains(b)), "{e:?} starts a formula");
            if let Some(other) = written.insert(e.clone(), t.clone()) {
                panic!("{t:?} and {other:?} are both written {e:?}");
            }
            let mut buf = String::new();
            escape_into(&mut buf, t);
            assert_eq!(buf, e);
        }
    }

    #[test]
    fn nothing_escaped_starts_with_a_trigger() {
        for t in ["=1", "+1", "-1", "@a", "\t", "\r", "'=", "''+"] {
            let e = escape(t);
            assert!(e.starts_with('\''), "{t:?}");
        }
    }
}
