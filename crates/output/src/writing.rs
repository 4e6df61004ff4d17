//! The third-party writers fail in their own ways: rust_xlsxwriter panics
//! when a write fails ("Couldn't write to xml file … StorageFull" inside
//! worksheet.rs on a full disk), polars wraps an I/O error in its own error
//! types or only in their text. [`contained`] is the one place every
//! workbook and Parquet writer goes through, so a full disk or an unwritable
//! folder is exit 8 naming the file in every command (SPEC §4.4, §12.5),
//! never a panic (101) or an internal error (1). The caller's staging then
//! removes what was partly written, so nothing partial is left under a final
//! name. The panic hook prints nothing for a contained panic
//! ([`crate::model::panics`]).

use crate::error::{Error, Result};
use crate::model::panics::contain;

/// Runs the writer `f` of `what` (the file or files it writes, as the
/// message names them). A panic inside it becomes [`Error::Write`] when it
/// says a write failed, [`Error::Internal`] otherwise; `f`'s own errors pass
/// through.
pub fn contained<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match contain(f) {
        Ok(result) => result,
        Err(text) if is_write_failure(&text) => Err(Error::Write(format!("cannot write {what}: {text}"))),
        Err(text) => Err(Error::Internal(format!("the writer of {what} failed: {text}"))),
    }
}

/// Whether a writer's message (a panic's, or an error's text where the I/O
/// error is only kept as text) reports a failed write: rust_xlsxwriter's
/// `XML_WRITE_ERROR`, polars-parquet's "underlying IO error", or an OS
/// error as `std::io::Error` prints one — `Display` ("(os error 28)") or
/// `Debug` ("Os { code: 28, …", what rust_xlsxwriter's `unwrap()`s on a
/// full disk panic with).
pub fn is_write_failure(text: &str) -> bool {
    ["Couldn't write to xml file", "underlying IO error", "(os error ", "Os { code: "]
        .iter()
        .any(|m| text.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writers_panic_on_a_full_disk_is_exit_8_any_other_exit_1() {
        let full = contained("a.xlsx", || -> Result<()> {
            panic!("Couldn't write to xml file: Os {{ code: 28, kind: StorageFull }}")
        });
        let err = full.unwrap_err();
        assert_eq!(err.exit_code(), 8, "{err}");
        assert!(err.to_string().starts_with("cannot write a.xlsx: "), "{err}");
        let bug = contained("a.xlsx", || -> Result<()> { panic!("index out of bounds") }).unwrap_err();
        assert_eq!(bug.exit_code(), 1, "{bug}");
        assert!(bug.to_string().contains("a.xlsx"), "{bug}");
        assert_eq!(contained("a.xlsx", || Ok(7)).unwrap(), 7);
        let own = contained("a.xlsx", || -> Result<()> { Err(Error::Usage("no".into())) });
        assert_eq!(own.unwrap_err().exit_code(), 2, "the writer's own errors pass through");
    }

    #[test]
    fn write_failures_are_told_by_their_text() {
        let enospc = std::io::Error::from_raw_os_error(28).to_string();
        assert!(is_write_failure(&enospc), "{enospc}");
        let unwrapped = format!(
            "called `Result::unwrap()` on an `Err` value: {:?}",
            std::io::Error::from_raw_os_error(28)
        );
        assert!(is_write_failure(&unwrapped), "{unwrapped}");
        assert!(is_write_failure("parquet: File out of specification: underlying IO error: disk full"));
        assert!(!is_write_failure("row 3, column amount: \"x\" is not money"));
    }
}
