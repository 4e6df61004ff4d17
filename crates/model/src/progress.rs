//! How far a run has got, for the progress display (issue 15). The stages
//! report steps through [`Progress`]; the pipeline decides how to show them
//! (a bar on a terminal, nothing otherwise), so no stage draws anything.

/// One step of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// Data rows read so far from `file`'s `sheet`, and how much of the
    /// sheet that is (percent, when the file says how big the sheet is).
    Read { file: &'a str, sheet: &'a str, rows: u64, percent: Option<u8> },
    /// Claim lines decided so far, of `of`.
    Decided { lines: u64, of: u64 },
    /// Rows written to output `file`.
    Written { file: &'a str, rows: u64 },
}

/// Where the stages report their steps; shared between threads.
pub trait Progress: Send + Sync {
    fn report(&self, step: Step<'_>);
}

/// Reports nothing: tests, benches, `payrun check`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _step: Step<'_>) {}
}

/// Percent of `done` in `total`, capped at 100; `None` when the total is unknown.
pub fn percent(done: u64, total: u64) -> Option<u8> {
    (total > 0).then(|| (done.saturating_mul(100) / total).min(100) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_capped_and_unknown_without_a_total() {
        assert_eq!(percent(0, 10), Some(0));
        assert_eq!(percent(5, 10), Some(50));
        assert_eq!(percent(12, 10), Some(100), "a sheet's declared size can be short");
        assert_eq!(percent(5, 0), None);
    }
}
