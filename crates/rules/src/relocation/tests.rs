use super::*;
use crate::model::claim::ClaimLine;
use crate::model::decision::Status::{Adjusted, Paid, Rejected};
use crate::model::Receipt;
use crate::testkit::*;

fn reloc(n: i64, amount: &str) -> ClaimLine {
    line("C1", n, Category::Relocation, amount)
}

fn misc(n: i64, amount: &str) -> ClaimLine {
    line("C1", n, Category::RelocationMisc, amount)
}

fn with_ledger(total: &str, misc: &str) -> Run {
    let mut run = Run::default();
    let s = staff();
    run.history
        .relocation
        .insert((s.assignment, s.start_date), RelocationPaid { total: gbp(total), misc: gbp(misc) });
    run
}

#[test]
fn rel001_exactly_8000_is_paid_and_1_pound_over_is_capped() {
    let run = evaluate(&[reloc(1, "3000.00"), reloc(2, "5000.00")]);
    expect(&run.decisions[1], Paid, "5000.00", &["REL004", "TAX006"]);
    let run = evaluate(&[reloc(1, "3001.00"), reloc(2, "5000.00")]);
    expect(&run.decisions[1], Adjusted, "4999.00", &["REL001", "REL004", "TAX006"]);
}

#[test]
fn rel001_counts_what_the_ledger_has_paid_to_the_employment() {
    let run = with_ledger("7600.00", "0.00");
    expect(
        &run.evaluate(&[reloc(1, "500.00")]).decisions[0],
        Adjusted,
        "400.00",
        &["REL001", "REL004", "TAX006"],
    );
    let full = with_ledger("8000.00", "0.00");
    expect(&full.evaluate(&[reloc(1, "500.00")]).decisions[0], Rejected, "0.00", &["REL001"]);
}

#[test]
fn rel002_misc_grant_exactly_1000_is_paid_and_1p_over_is_capped() {
    expect(&decide(misc(1, "1000.00")), Paid, "1000.00", &["REL004", "TAX006"]);
    expect(&decide(misc(1, "1000.01")), Adjusted, "1000.00", &["REL002", "REL004", "TAX006"]);
    let run = with_ledger("800.00", "800.00");
    expect(
        &run.evaluate(&[misc(1, "300.00")]).decisions[0],
        Adjusted,
        "200.00",
        &["REL002", "REL004", "TAX006"],
    );
}

#[test]
fn rel001_misc_grant_counts_towards_the_8000() {
    let run = with_ledger("7500.00", "0.00");
    expect(
        &run.evaluate(&[misc(1, "900.00")]).decisions[0],
        Adjusted,
        "500.00",
        &["REL001", "REL004", "TAX006"],
    );
}

#[test]
fn rel003_first_relocation_line_more_than_3_months_after_start() {
    let mut run = Run::default();
    run.roster.staff[0].start_date = Some(date(2025, 2, 20));
    // Limit 20 May 2025: submitted on it is in time.
    expect(&run.evaluate(&[reloc(1, "100.00")]).decisions[0], Paid, "100.00", &["REL004", "TAX006"]);
    let late = |n, amount| ClaimLine { submitted_date: date(2025, 5, 21), ..reloc(n, amount) };
    let decided = run.evaluate(&[late(1, "100.00"), late(2, "200.00")]);
    expect(&decided.decisions[0], Paid, "100.00", &["REL003", "REL004", "TAX006"]);
    expect(&decided.decisions[1], Paid, "200.00", &["REL004", "TAX006"]);
}

#[test]
fn rel003_skipped_with_a_ledger_entry_or_without_start_date() {
    let late = ClaimLine { submitted_date: date(2025, 6, 2), ..reloc(1, "100.00") };
    let mut run = with_ledger("100.00", "0.00");
    run.roster.staff[0].start_date = Some(date(2025, 1, 1));
    let key = run.history.relocation.drain().next().expect("entry").1;
    run.history.relocation.insert(("A1".into(), Some(date(2025, 1, 1))), key);
    expect(&run.evaluate(std::slice::from_ref(&late)).decisions[0], Paid, "100.00", &["REL004", "TAX006"]);
    let mut blank = Run::default();
    blank.roster.staff[0].start_date = None;
    expect(&blank.evaluate(&[late]).decisions[0], Paid, "100.00", &["REL004", "TAX006"]);
}

#[test]
fn rejected_relocation_line_consumes_nothing_and_run_totals_are_recorded() {
    let no_receipt = ClaimLine { receipt: Receipt::No, ..reloc(1, "5000.00") };
    let run = evaluate(&[no_receipt, reloc(2, "5000.00"), reloc(3, "2500.00"), misc(4, "1500.00")]);
    expect(&run.decisions[0], Rejected, "0.00", &["RCT002"]);
    expect(&run.decisions[1], Paid, "5000.00", &["REL004", "TAX006"]);
    expect(&run.decisions[2], Paid, "2500.00", &["REL004", "TAX006"]);
    expect(&run.decisions[3], Adjusted, "500.00", &["REL001", "REL002", "REL004", "TAX006"]);
    let s = staff();
    assert_eq!(
        run.relocation.get(&(s.assignment, s.start_date)),
        Some(&RelocationPaid { total: gbp("8000.00"), misc: gbp("500.00") })
    );
}
