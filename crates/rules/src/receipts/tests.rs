use super::*;
use crate::model::claim::ClaimLine;
use crate::model::decision::Status::{Paid, Rejected};
use crate::testkit::*;

fn with(category: Category, receipt: Receipt, reason: &str) -> ClaimLine {
    ClaimLine { receipt, lost_receipt_reason: reason.into(), ..line("C1", 1, category, "12.40") }
}

#[test]
fn rct001_parking_needs_a_receipt_whatever_the_reason() {
    expect(&decide(with(Category::Parking, Receipt::No, "")), Rejected, "0.00", &["RCT001"]);
    expect(&decide(with(Category::Parking, Receipt::Lost, "machine broken")), Rejected, "0.00", &["RCT001"]);
    expect(&decide(with(Category::Parking, Receipt::Yes, "")), Paid, "12.40", &[]);
}

#[test]
fn rct002_receipt_needing_line_without_receipt_or_lost_without_reason_is_rejected() {
    expect(&decide(with(Category::Rail, Receipt::No, "")), Rejected, "0.00", &["RCT002"]);
    expect(&decide(with(Category::Rail, Receipt::Lost, "   ")), Rejected, "0.00", &["RCT002"]);
    expect(&decide(with(Category::Rail, Receipt::Yes, "")), Paid, "12.40", &[]);
}

#[test]
fn rct002_categories_without_a_receipt_need_none() {
    let incidental = ClaimLine { amount: gbp("4.50"), ..with(Category::Incidental, Receipt::No, "") };
    expect(&decide(incidental), Paid, "4.50", &[]);
    let fine_words_aside = ClaimLine { amount: gbp("4.50"), ..with(Category::Incidental, Receipt::Lost, "") };
    expect(&decide(fine_words_aside), Paid, "4.50", &[]);
}

#[test]
fn rct003_lost_receipt_with_a_reason_is_paid_with_a_warning() {
    let run = evaluate(&[with(Category::Sundry, Receipt::Lost, "left on the train")]);
    expect(&run.decisions[0], Paid, "12.40", &["RCT003", "TAX003"]);
    assert_eq!(run.findings[0].severity, Severity::Warning);
}
