use super::*;
use crate::model::decision::Status::{Adjusted, Paid, Rejected};
use crate::model::Receipt;
use crate::testkit::*;

fn away(mut l: ClaimLine, from: &str, to: &str) -> ClaimLine {
    l.depart_time = Some(time(from));
    l.return_time = Some(time(to));
    l
}

fn day_meal(amount: &str, from: &str, to: &str) -> ClaimLine {
    away(line("C1", 1, Category::DayMeal, amount), from, to)
}

fn evening_meal(amount: &str, from: &str, to: &str) -> ClaimLine {
    away(line("C1", 1, Category::EveningMeal, amount), from, to)
}

fn hotel(amount: &str, london: bool) -> ClaimLine {
    ClaimLine { london, ..line("C1", 1, Category::Hotel, amount) }
}

#[test]
fn sub001_hotel_exactly_at_80_is_paid_and_1p_over_is_capped() {
    expect(&decide(hotel("80.00", false)), Paid, "80.00", &[]);
    expect(&decide(hotel("80.01", false)), Adjusted, "80.00", &["SUB001"]);
}

#[test]
fn sub001_hotel_in_london_capped_at_110() {
    expect(&decide(hotel("110.00", true)), Paid, "110.00", &[]);
    expect(&decide(hotel("110.01", true)), Adjusted, "110.00", &["SUB001"]);
}

#[test]
fn sub002_exceptional_hotel_over_cap_is_paid_with_a_warning() {
    let l = ClaimLine { exceptional: true, ..hotel("140.00", true) };
    expect(&decide(l), Paid, "140.00", &["SUB002"]);
    let at_cap = ClaimLine { exceptional: true, ..hotel("80.00", false) };
    expect(&decide(at_cap), Paid, "80.00", &[]);
}

#[test]
fn sub001_and_sub010_lowest_wins_hotel_with_alcohol_pays_70() {
    let l = ClaimLine { alcohol_amount: Some(gbp("30.00")), ..hotel("100.00", false) };
    expect(&decide(l), Adjusted, "70.00", &["SUB001", "SUB010"]);
}

#[test]
fn sub001_hotels_of_one_day_share_the_cap_excess_from_the_later_line() {
    let first = hotel("60.00", false);
    let second = ClaimLine { line_no: 2, ..hotel("60.01", false) };
    let run = evaluate(&[first, second]);
    expect(&run.decisions[0], Paid, "60.00", &[]);
    expect(&run.decisions[1], Adjusted, "20.00", &["SUB001"]);
}

#[test]
fn sub001_hotels_with_different_london_flags_use_each_lines_own_cap() {
    let first = hotel("60.00", false);
    let second = ClaimLine { line_no: 2, ..hotel("60.01", true) };
    let run = evaluate(&[first, second]);
    expect(&run.decisions[1], Adjusted, "50.00", &["SUB001"]);
}

#[test]
fn sub003_non_commercial_overnight_is_the_flat_rate_once_per_day() {
    let nco = |amount| ClaimLine {
        receipt: Receipt::No,
        ..line("C1", 1, Category::NonCommercialOvernight, amount)
    };
    expect(&decide(nco("25.00")), Paid, "25.00", &[]);
    let lowered = decide(nco("30.00"));
    expect(&lowered, Adjusted, "25.00", &["SUB003"]);
    let raised = evaluate(&[nco("20.00")]);
    expect(&raised.decisions[0], Adjusted, "25.00", &["SUB003"]);
    assert_eq!(raised.findings[0].severity, Severity::Info);
    let second = ClaimLine { line_no: 2, ..nco("24.00") };
    let run = evaluate(&[nco("25.00"), second]);
    expect(&run.decisions[1], Rejected, "0.00", &["SUB003"]);
}

#[test]
fn sub003_alcohol_is_not_deducted_from_the_flat_rate() {
    let l = ClaimLine {
        alcohol_amount: Some(gbp("5.00")),
        description: "wine".into(),
        ..line("C1", 1, Category::NonCommercialOvernight, "25.00")
    };
    expect(&decide(l), Paid, "25.00", &[]);
}

#[test]
fn sub004_day_meal_at_5_is_paid_and_1p_over_is_capped() {
    expect(&decide(day_meal("5.00", "09:00", "15:00")), Paid, "5.00", &[]);
    expect(&decide(day_meal("5.01", "09:00", "15:00")), Adjusted, "5.00", &["SUB004"]);
}

#[test]
fn sub004_incidental_cap_and_meals_of_one_day_share_it() {
    let inc = |n, amount| line("C1", n, Category::Incidental, amount);
    expect(&decide(inc(1, "4.50")), Paid, "4.50", &[]);
    expect(&decide(inc(1, "4.51")), Adjusted, "4.50", &["SUB004"]);
    let run = evaluate(&[inc(1, "3.00"), inc(2, "3.01")]);
    expect(&run.decisions[0], Paid, "3.00", &[]);
    expect(&run.decisions[1], Adjusted, "1.50", &["SUB004"]);
}

#[test]
fn sub005_day_meal_exactly_5_hours_away_is_rejected_and_one_minute_more_is_paid() {
    expect(&decide(day_meal("4.80", "09:00", "14:00")), Rejected, "0.00", &["SUB005"]);
    expect(&decide(day_meal("4.80", "09:00", "14:01")), Paid, "4.80", &[]);
}

#[test]
fn sub005_day_meal_must_cover_noon_to_two() {
    expect(&decide(day_meal("4.80", "12:00", "17:01")), Paid, "4.80", &[]);
    expect(&decide(day_meal("4.80", "12:01", "18:00")), Rejected, "0.00", &["SUB005"]);
    expect(&decide(day_meal("4.80", "07:00", "13:59")), Rejected, "0.00", &["SUB005"]);
    expect(&decide(day_meal("4.80", "07:00", "14:00")), Paid, "4.80", &[]);
}

#[test]
fn sub006_evening_meal_exactly_10_hours_away_is_rejected() {
    expect(&decide(evening_meal("12.00", "09:00", "19:00")), Rejected, "0.00", &["SUB006"]);
    expect(&decide(evening_meal("12.00", "08:59", "19:00")), Paid, "12.00", &[]);
}

#[test]
fn sub006_evening_meal_return_before_19_is_rejected_and_after_midnight_qualifies() {
    expect(&decide(evening_meal("12.00", "08:00", "18:59")), Rejected, "0.00", &["SUB006"]);
    expect(&decide(evening_meal("12.00", "15:00", "01:30")), Paid, "12.00", &[]);
}

#[test]
fn sub007_no_times_and_no_shift_is_paid_with_a_warning() {
    expect(&decide(line("C1", 1, Category::DayMeal, "4.80")), Paid, "4.80", &["SUB007"]);
    // One time alone is not enough: the roster is looked at, and is empty.
    let l = ClaimLine { depart_time: Some(time("08:00")), ..line("C1", 1, Category::EveningMeal, "9.00") };
    expect(&decide(l), Paid, "9.00", &["SUB007"]);
}

#[test]
fn sub006_time_away_falls_back_to_the_days_shifts() {
    let mut run = Run::default();
    run.roster.shifts = vec![shift(day(), "08:00", "12:00"), shift(day(), "13:00", "19:30")];
    let l = line("C1", 1, Category::EveningMeal, "9.00");
    let ctx_line = l.clone();
    expect(&run.evaluate(&[l]).decisions[0], Paid, "9.00", &["ROS005"]);
    let config = config();
    let ctx = Ctx::new(
        config,
        crate::model::period::Period::new(date(2025, 6, 1), &config.policy),
        &run.roster,
        &run.history,
    );
    assert_eq!(
        time_away(&ctx_line, &ctx),
        TimeAway::Known {
            from: day().and_time(hm("08:00")),
            to: day().and_time(hm("19:30")),
            from_roster: true
        }
    );
    let short = ClaimLine { line_no: 2, ..line("C1", 1, Category::EveningMeal, "9.00") };
    run.roster.shifts = vec![shift(day(), "09:00", "17:00")];
    expect(&run.evaluate(&[short]).decisions[0], Rejected, "0.00", &["SUB006"]);
}

#[test]
fn sub007_a_night_shift_counts_on_the_day_it_starts() {
    let mut run = Run::default();
    run.roster.shifts = vec![shift(day().pred_opt().expect("day before"), "20:00", "08:00")];
    expect(
        &run.evaluate(&[line("C1", 1, Category::DayMeal, "4.80")]).decisions[0],
        Paid,
        "4.80",
        &["SUB007"],
    );
    run.roster.shifts = vec![shift(day(), "20:00", "08:00")];
    // 12 h away but starting at 20:00: no lunch time covered.
    expect(
        &run.evaluate(&[line("C1", 1, Category::DayMeal, "4.80")]).decisions[0],
        Rejected,
        "0.00",
        &["SUB005"],
    );
}

#[test]
fn sub008_daily_total_exactly_29_50_is_paid() {
    let run = evaluate(&[
        line("C1", 1, Category::OvernightMeals, "20.00"),
        ClaimLine { line_no: 2, ..day_meal("5.00", "09:00", "15:00") },
        line("C1", 3, Category::Incidental, "4.50"),
    ]);
    for d in &run.decisions {
        assert_eq!(d.status, Paid, "{d:?}");
    }
}

#[test]
fn sub008_1p_over_the_daily_total_comes_off_the_last_line() {
    let run = evaluate(&[
        line("C1", 1, Category::OvernightMeals, "20.00"),
        ClaimLine { line_no: 2, ..evening_meal("5.01", "08:00", "19:00") },
        line("C1", 3, Category::Incidental, "4.50"),
    ]);
    expect(&run.decisions[0], Paid, "20.00", &[]);
    expect(&run.decisions[1], Paid, "5.01", &[]);
    expect(&run.decisions[2], Adjusted, "4.49", &["SUB008"]);
}

#[test]
fn sub008_works_on_amounts_after_the_per_line_caps_and_reduces_last_lines_first() {
    // 20 + 15 (evening meal capped from 18) + 4.50 = 39.50: 10.00 over.
    let run = evaluate(&[
        line("C1", 1, Category::OvernightMeals, "20.00"),
        ClaimLine { line_no: 2, ..evening_meal("18.00", "08:00", "19:00") },
        line("C1", 3, Category::Incidental, "4.50"),
    ]);
    expect(&run.decisions[0], Paid, "20.00", &[]);
    expect(&run.decisions[1], Adjusted, "9.50", &["SUB004", "SUB008"]);
    expect(&run.decisions[2], Rejected, "0.00", &["SUB008"]);
}

#[test]
fn sub008_hotel_is_not_in_the_daily_total() {
    let run = evaluate(&[
        hotel("80.00", false),
        ClaimLine { line_no: 2, ..line("C1", 2, Category::OvernightMeals, "20.00") },
    ]);
    expect(&run.decisions[1], Paid, "20.00", &[]);
}

#[test]
fn sub009_day_meal_at_a_trust_site_is_rejected() {
    let l = ClaimLine { to: " mmh ".into(), ..day_meal("4.80", "09:00", "15:00") };
    expect(&decide(l), Rejected, "0.00", &["SUB009"]);
    let elsewhere = ClaimLine { to: "LGI".into(), ..day_meal("4.80", "09:00", "15:00") };
    expect(&decide(elsewhere), Paid, "4.80", &[]);
}

#[test]
fn sub010_alcohol_part_removed_and_alcohol_over_the_amount_gives_zero() {
    let l = ClaimLine { alcohol_amount: Some(gbp("5.50")), ..evening_meal("14.00", "08:00", "19:00") };
    expect(&decide(l), Adjusted, "8.50", &["SUB010"]);
    let all = ClaimLine { alcohol_amount: Some(gbp("20.00")), ..evening_meal("14.00", "08:00", "19:00") };
    expect(&decide(all), Rejected, "0.00", &["SUB010"]);
    let none = ClaimLine { alcohol_amount: Some(Pence::ZERO), ..evening_meal("14.00", "08:00", "19:00") };
    expect(&decide(none), Paid, "14.00", &[]);
}

#[test]
fn sub011_alcohol_word_matches_whole_words_only() {
    let described =
        |text: &str| ClaimLine { description: text.into(), ..evening_meal("14.00", "08:00", "19:00") };
    expect(&decide(described("Dinner and a glass of WINE")), Paid, "14.00", &["SUB011"]);
    expect(&decide(described("swine flu clinic, dinner")), Paid, "14.00", &[]);
    let declared = ClaimLine { alcohol_amount: Some(Pence::ZERO), ..described("wine") };
    expect(&decide(declared), Paid, "14.00", &[]);
}

#[test]
fn rejected_meal_consumes_no_day_cap() {
    let no_receipt = ClaimLine { receipt: Receipt::No, ..day_meal("5.00", "09:00", "15:00") };
    let second = ClaimLine { line_no: 2, ..day_meal("5.00", "09:00", "15:00") };
    let run = evaluate(&[no_receipt, second]);
    expect(&run.decisions[0], Rejected, "0.00", &["RCT002"]);
    expect(&run.decisions[1], Paid, "5.00", &[]);
}
