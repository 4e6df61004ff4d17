use super::*;
use crate::model::decision::Status::{Paid, Rejected};
use crate::model::{Category, Miles, Receipt};
use crate::testkit::*;

fn sundry(claim: &str, submitted_day: u32) -> ClaimLine {
    ClaimLine { submitted_date: date(2025, 5, submitted_day), ..line(claim, 1, Category::Sundry, "9.99") }
}

#[test]
fn dup001_the_later_submission_of_the_same_expense_is_rejected() {
    let run = evaluate(&[sundry("C1", 20), sundry("C2", 21)]);
    expect(&run.decisions[0], Paid, "9.99", &[]);
    expect(&run.decisions[1], Rejected, "0.00", &["DUP001"]);
}

#[test]
fn dup001_order_is_submitted_date_before_claim_id() {
    let run = evaluate(&[sundry("C1", 21), sundry("C2", 20)]);
    expect(&run.decisions[0], Rejected, "0.00", &["DUP001"]);
    expect(&run.decisions[1], Paid, "9.99", &[]);
}

#[test]
fn dup001_a_resubmission_of_a_rejected_line_is_evaluated_normally() {
    let rejected = ClaimLine { receipt: Receipt::No, ..sundry("C1", 20) };
    let run = evaluate(&[rejected, sundry("C2", 21)]);
    expect(&run.decisions[0], Rejected, "0.00", &["RCT002"]);
    expect(&run.decisions[1], Paid, "9.99", &[]);
}

#[test]
fn dup001_a_third_copy_is_rejected_too_and_different_amounts_are_not_duplicates() {
    let run = evaluate(&[sundry("C1", 20), sundry("C2", 21), sundry("C3", 22)]);
    expect(&run.decisions[2], Rejected, "0.00", &["DUP001"]);
    let other = ClaimLine { amount: gbp("9.98"), ..sundry("C2", 21) };
    let run = evaluate(&[sundry("C1", 20), other]);
    expect(&run.decisions[1], Paid, "9.98", &[]);
}

#[test]
fn dup001_rejected_duplicate_consumes_no_day_cap() {
    // Processed first (claim A) but submitted later: A is the duplicate, and B
    // keeps the whole hotel cap.
    let hotel = |claim: &str, submitted| ClaimLine {
        submitted_date: date(2025, 5, submitted),
        ..line(claim, 1, Category::Hotel, "60.00")
    };
    let run = evaluate(&[hotel("A", 21), hotel("B", 20)]);
    expect(&run.decisions[0], Rejected, "0.00", &["DUP001"]);
    expect(&run.decisions[1], Paid, "60.00", &[]);
}

#[test]
fn dup001_mileage_compares_route_trimmed_case_insensitive_and_miles() {
    let ride = |claim: &str, from: &str, miles: i64| ClaimLine {
        from: from.into(),
        to: "LGI".into(),
        miles: Some(Miles::from_whole(miles)),
        receipt: Receipt::No,
        ..sundry(claim, if claim == "C1" { 20 } else { 21 })
    };
    let bike = |l: ClaimLine| ClaimLine { category: Some(Category::MileageBicycle), ..l };
    let run = evaluate(&[bike(ride("C1", "home", 12)), bike(ride("C2", " HOME ", 12))]);
    assert!(codes(&run.decisions[1]).contains(&"DUP001"), "{:?}", run.decisions[1]);
    let run = evaluate(&[bike(ride("C1", "home", 12)), bike(ride("C2", "home", 13))]);
    assert!(!codes(&run.decisions[1]).contains(&"DUP001"), "{:?}", run.decisions[1]);
}

#[test]
fn dup001_same_content_paid_in_an_earlier_period_under_another_key() {
    let mut run = Run::default();
    let earlier = sundry("OLD", 2);
    run.history.paid_content.insert(content_key(&earlier).expect("key"), ("OLD".into(), 1));
    expect(&run.evaluate(&[sundry("C1", 20)]).decisions[0], Rejected, "0.00", &["DUP001"]);
}

#[test]
fn dup002_a_key_already_paid_is_rejected_and_wins_over_dup001() {
    let mut run = Run::default();
    let l = sundry("C1", 20);
    run.history.paid_keys.insert(("C1".into(), 1));
    run.history.paid_content.insert(content_key(&l).expect("key"), ("OTHER".into(), 4));
    expect(&run.evaluate(&[l]).decisions[0], Rejected, "0.00", &["DUP002"]);
}

#[test]
fn dup001_same_key_in_the_ledger_content_is_not_a_duplicate_of_itself() {
    let mut run = Run::default();
    let l = sundry("C1", 20);
    run.history.paid_content.insert(content_key(&l).expect("key"), ("C1".into(), 1));
    expect(&run.evaluate(&[l]).decisions[0], Paid, "9.99", &[]);
}
