//! What one committed period adds to the ledger (SPEC §5).

use crate::claim::ClaimLine;
use crate::decision::Decision;
pub use crate::history::BatchSnapshot;
use crate::history::{AbsenceEpisode, ContentKey, CountedReturn, SicknessRow};
use crate::kit::{KitDay, KitPaid};
use crate::{Category, Miles, Pence};
use chrono::NaiveDate;

/// Everything the rules decided that the ledger keeps for the period, built
/// whole by `rules::evaluate`; the ledger's commit replaces the period's
/// earlier entries with it (and the run's manifest).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeriodRecord {
    /// The pay period, `YYYY-MM`.
    pub period: String,
    /// PAID and ADJUSTED claim lines (DUP001 / DUP002 in later periods).
    pub paid_lines: Vec<PaidLine>,
    /// Special Rate miles counted this period: (assignment, financial year start year, miles).
    pub sr_miles: Vec<(String, i32, Miles)>,
    /// HMRC AMAP car miles counted this period: (assignment, tax year start year, miles).
    pub amap_miles: Vec<(String, i32, Miles)>,
    /// Relocation paid this period per employment: (assignment, employment start_date, total, misc).
    pub relocation: Vec<(String, Option<NaiveDate>, Pence, Pence)>,
    /// Leave and sickness episodes as this run judged them. An episode that
    /// spans months is recorded by each run that sees it; history keeps the
    /// latest record, whose paid/unpaid split covers the whole episode.
    pub absences: Vec<AbsenceEpisode>,
    /// This run's SICKNESS rows with their sickness_reason and rtw_date,
    /// stored beside the row in `absences` (SPEC §10.1).
    pub sickness_rows: Vec<SicknessRow>,
    /// Returns from sickness this run counted (SPEC §10.1).
    pub returns: Vec<CountedReturn>,
    /// Bradford stage reached by the end of this period (stages never reset).
    pub bradford_stages: Vec<(String, u32)>,
    /// Pay-protection top-ups paid this period.
    pub protection_topups: Vec<(String, Pence)>,
    /// P11D amounts of the lines paid this period: (assignment, tax year
    /// start year of the line's expense_date, section, amount).
    pub p11d: Vec<(String, i32, char, Pence)>,
    /// The period's DEFERRED lines, in decision order: what the next run
    /// decides again without being given a file (SPEC §12.1).
    pub deferred: Vec<DeferredLine>,
    /// Lines deferred by an earlier period and decided (not deferred again)
    /// by this one, so that an old deferred file fed in later is not
    /// decided twice (CUT003).
    pub settled: Vec<SettledLine>,
    /// The KIT days this run's Shifts show inside a leave (SPEC §14), kept
    /// until the leave's return is paid.
    pub kit_days: Vec<KitDay>,
    /// The leaves whose KIT days this period paid (KIT001).
    pub kit_paid: Vec<KitPaid>,
    /// The review payments and recovery instalments this run carries (SPEC §11.4).
    pub review_actions: Vec<crate::review::ReviewAction>,
    /// The run's payroll batch as it will be placed (SPEC §7.2): stored
    /// pending by the commit and made the period's placed batch by
    /// `Ledger::mark_placed` once the outputs are in place.
    pub batch: BatchSnapshot,
}

/// A DEFERRED line as the ledger keeps it (SPEC §12.1): its §2.1 columns
/// as read ([`ClaimLine::columns`]), their hash, where it was read, and the
/// period that first deferred it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeferredLine {
    pub claim_id: String,
    pub line_no: i64,
    pub content_hash: String,
    /// The period that first deferred it (`carried_from` when decided).
    pub carried_from: String,
    /// The input row it was first read from.
    pub file: String,
    pub sheet: String,
    pub row: u32,
    /// The Claims columns in `schema::CLAIMS` order.
    pub columns: Vec<String>,
}

impl DeferredLine {
    /// The deferred `line` as `period` records it: a line carried or fed
    /// back keeps the period that first deferred it and its first row.
    pub fn of(line: &ClaimLine, period: &str) -> DeferredLine {
        let columns = line.columns();
        let source = line.source.as_ref();
        DeferredLine {
            claim_id: line.claim_id.clone(),
            line_no: line.line_no,
            content_hash: crate::claim::content_hash(&columns),
            carried_from: line.carried_from.as_deref().unwrap_or(period).to_string(),
            file: source.map(|s| s.file.to_string()).unwrap_or_default(),
            sheet: source.map(|s| s.sheet.to_string()).unwrap_or_default(),
            row: source.map_or(0, |s| s.row),
            columns,
        }
    }
}

/// A line an earlier period deferred and this period decided: its key,
/// the content the ledger held, and the period that first deferred it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettledLine {
    pub claim_id: String,
    pub line_no: i64,
    pub content_hash: String,
    pub carried_from: String,
    /// The status it was decided with (PAID, ADJUSTED, REJECTED).
    pub status: &'static str,
}

/// Lines an earlier period deferred and a later one decided, as a run
/// reads them: (claim_id, line_no, content hash) → (period that decided it,
/// period that first deferred it).
pub type Settled = foldhash::HashMap<(String, i64, String), (String, String)>;

/// An input line that replaced a held deferred line of other content (CUT002).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// Index of the input line among the run's lines.
    pub index: usize,
    /// The period that first deferred the held line.
    pub deferred_in: String,
    /// The held line's content hash (what an old deferred file holds).
    pub content_hash: String,
}

/// An input line that is a deferred line already settled (CUT003): decided
/// by a later period than the one that deferred it, or taken by another
/// copy in this run's inputs. Not decided again.
#[derive(Clone, Debug)]
pub struct SettledBefore {
    pub line: ClaimLine,
    pub deferred_in: String,
    /// The later committed period that decided it.
    pub settled_in: Option<String>,
    /// The input row of this run whose copy is decided instead.
    pub by: Option<String>,
}

/// What payroll was last given for a committed period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Never placed: the period is not committed, or its only runs were
    /// stopped before their outputs were put in place — a first run.
    NotPlaced,
    /// Committed before the ledger stored batches (schema migration): the
    /// batch payroll loaded is not known, so no corrections can be computed.
    Unrecorded,
    /// The batch of the last run of the period whose outputs were placed.
    Placed(BatchSnapshot),
}

/// A claim line paid in a committed period: its key for DUP002 and its
/// content for DUP001 against the ledger (SPEC §6.3 rules 16–17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidLine {
    pub claim_id: String,
    pub line_no: i64,
    pub assignment: String,
    pub expense_date: NaiveDate,
    pub category: Category,
    pub claimed: Pence,
    pub allowed: Pence,
    pub miles: Option<Miles>,
    pub from: String,
    pub to: String,
}

impl PaidLine {
    /// The line as paid, if the decision paid it (PAID / ADJUSTED).
    pub fn of(line: &ClaimLine, decision: &Decision) -> Option<PaidLine> {
        if !decision.status.is_paid() {
            return None;
        }
        Some(PaidLine {
            claim_id: line.claim_id.clone(),
            line_no: line.line_no,
            assignment: line.assignment.clone(),
            expense_date: line.expense_date,
            // A paid line passed DAT004, so its category is known.
            category: line.category?,
            claimed: line.amount,
            allowed: decision.allowed,
            miles: line.miles,
            from: line.from.clone(),
            to: line.to.clone(),
        })
    }

    /// What DUP001 compares against later lines.
    pub fn content_key(&self) -> ContentKey {
        ContentKey::from_parts(
            &self.assignment,
            self.expense_date,
            self.category,
            self.claimed,
            &self.from,
            &self.to,
            self.miles,
        )
    }
}
