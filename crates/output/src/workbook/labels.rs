//! Column headings for people (SPEC §13): every workbook heading is a word
//! label, while the CSV twins keep the machine names. One table, used by
//! every header writer, so a sheet cannot show `ni_able` by accident; a name
//! not in the table still becomes words (underscores to spaces, known
//! abbreviations in capitals, first letter upper case).

use std::borrow::Cow;

/// (machine name, label), the names the sheets use most.
const LABELS: &[(&str, &str)] = &[
    ("age_months", "Age (months)"),
    ("allowed", "Allowed"),
    ("amount", "Amount"),
    ("approved_date", "Approved"),
    ("assignment", "Assignment"),
    ("balance", "Balance"),
    ("batch_name", "Batch name"),
    ("bradford_score", "Bradford score"),
    ("carried_from", "Carried from"),
    ("change_date", "Change date"),
    ("claim_id", "Claim ID"),
    ("claim_line", "Claim line"),
    ("claimants", "Claimants"),
    ("cleared_share", "Cleared %"),
    ("control_total", "Control total"),
    ("control_type", "Control type"),
    ("cost_centre", "Cost centre"),
    ("day_of_return", "Day of return"),
    ("days_lost_per_fte", "Days lost per FTE"),
    ("effective_date", "Effective date"),
    ("episode_end", "Episode end"),
    ("episode_start", "Episode start"),
    ("episodes_long", "Long-term episodes"),
    ("expense_date", "Expense date"),
    ("finding_id", "Finding ID"),
    ("fte", "FTE"),
    ("fte_days_available", "FTE days available"),
    ("fte_days_lost", "FTE days lost"),
    ("fte_days_lost_long", "FTE days lost, long term"),
    ("fte_days_lost_short", "FTE days lost, short term"),
    ("leave_date", "Leave date"),
    ("line_no", "Line"),
    ("long_end", "Long protection ends"),
    ("new_stage", "New stage"),
    ("ni_able", "NI-able"),
    ("on_time_pct", "On time %"),
    ("p11d_amount", "P11D amount"),
    ("p11d_section", "P11D section"),
    ("pay_element", "Pay element"),
    ("policy_ref", "Policy reference"),
    ("previous_review", "Previous review"),
    ("protection_end", "Protection ends"),
    ("rate_12m", "Rate, 12 months"),
    ("rate_long", "Rate, long term"),
    ("rate_long_12m", "Rate long term, 12 months"),
    ("rate_short", "Rate, short term"),
    ("rate_short_12m", "Rate short term, 12 months"),
    ("reckonable_years", "Reckonable years"),
    ("recorded_pct", "Recorded %"),
    ("recover", "To recover"),
    ("review", "Review"),
    ("review_note", "Review note"),
    ("reviewer", "Reviewer"),
    ("rtw_date", "Return-to-work interview"),
    ("rtw_on_time", "Interviews on time"),
    ("rtw_recorded", "Interviews recorded"),
    ("run_id", "Run ID"),
    ("short_end", "Short protection ends"),
    ("staff_group", "Staff group"),
    ("submitted_date", "Submitted"),
    ("tax_year", "Tax year"),
    ("taxable_payroll", "Taxable via payroll"),
    ("top_up", "Top-up"),
    ("working_days", "Working days"),
];

/// Abbreviations written in capitals when a name is turned into words.
const CAPITALS: &[(&str, &str)] = &[
    ("id", "ID"),
    ("ni", "NI"),
    ("fte", "FTE"),
    ("rtw", "RTW"),
    ("p11d", "P11D"),
    ("pct", "%"),
    ("mad", "MAD"),
];

/// The heading a person reads for the column `name`; text that is already
/// words (has a space or a capital) is returned as it is.
pub fn label(name: &str) -> Cow<'_, str> {
    if let Some((_, l)) = LABELS.iter().find(|(n, _)| *n == name) {
        return Cow::Borrowed(l);
    }
    if !name.contains('_') && name.chars().next().is_none_or(|c| !c.is_ascii_lowercase()) {
        return Cow::Borrowed(name);
    }
    let words: Vec<String> = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match CAPITALS.iter().find(|(k, _)| *k == w) {
            Some((_, up)) => up.to_string(),
            None => w.to_string(),
        })
        .collect();
    let mut text = words.join(" ");
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn machine_names_become_words_and_words_stay() {
        assert_eq!(label("ni_able"), "NI-able");
        assert_eq!(label("protection_end"), "Protection ends");
        assert_eq!(label("claim_id"), "Claim ID");
        assert_eq!(label("claimed"), "Claimed");
        assert_eq!(label("value_3"), "Value 3");
        assert_eq!(label("median_mad"), "Median MAD");
        assert_eq!(label("Rows read"), "Rows read");
        assert_eq!(label("SHA-256"), "SHA-256");
        // The headings `payrun review import` finds the review columns by.
        let review: Vec<_> = ["finding_id", "review", "amount", "review_note"].map(label).to_vec();
        assert_eq!(review, ["Finding ID", "Review", "Amount", "Review note"]);
        for name in super::LABELS.iter().map(|(n, _)| n) {
            assert!(!label(name).contains('_'), "{name}");
        }
    }
}
