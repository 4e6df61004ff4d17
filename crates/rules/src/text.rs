//! Rendering a rule's one text ([`Rule`]) with the figures of the loaded
//! configuration: `{rates.relocation.total}` in a declaration becomes
//! "£8,000" with the default policy.toml and whatever an organisation set
//! in its own. `payrun rules`, docs/rules.md and the Rule glossary all go
//! through here, so no figure that lives in config is hard-coded in a text.
//!
//! Effective-dated rates are shown as the latest set of `[[rates]]` (the
//! one in force for claims dated from its `effective_from` on).

use super::Rule;
use crate::config::{Policy, Ratio};
use crate::model::{Miles, Pence};
use chrono::{NaiveTime, TimeDelta};

/// A rule's texts with their figures filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub summary: String,
    pub what: String,
    pub policy: String,
    pub effect: String,
    pub example: String,
    pub config: String,
}

/// Fills every text of `rule` from `policy`.
pub fn rendered(rule: &Rule, policy: &Policy) -> Rendered {
    Rendered {
        summary: render(rule.summary, policy),
        what: render(rule.what, policy),
        policy: render(rule.policy, policy),
        effect: render(rule.effect, policy),
        example: render(rule.example, policy),
        config: rule.config.to_string(),
    }
}

/// The whole rule as `payrun rules CODE` prints it.
pub fn full(rule: &Rule, policy: &Policy) -> String {
    let r = rendered(rule, policy);
    let mut out = format!(
        "{} ({}{}) — {}\n\n{}\n\n",
        rule.code,
        rule.severity.code(),
        if rule.rejects { ", rejects" } else { "" },
        rule.policy_ref,
        r.summary
    );
    for (label, text) in sections(rule, &r) {
        out.push_str(&format!("{label}: {text}\n"));
    }
    out
}

/// The labelled sections of a rule, in the order the STYLE names them
/// (What / Policy / Effect / Example / Config); blank ones say so.
pub fn sections(rule: &Rule, r: &Rendered) -> Vec<(&'static str, String)> {
    let or = |s: &str, none: &str| if s.is_empty() { none.to_string() } else { s.to_string() };
    let policy = match rule.control {
        Some(principle) => {
            format!("system control — no policy sentence states it; it serves {principle}. {}", r.policy)
                .trim_end()
                .to_string()
        }
        None => or(&r.policy, "—"),
    };
    vec![
        ("What it checks", or(&r.what, "—")),
        ("Policy", policy),
        ("Effect", or(&r.effect, "—")),
        ("Example", or(&r.example, "—")),
        ("Config", if r.config.is_empty() { "none".into() } else { r.config.clone() }),
    ]
}

/// Replaces every `{key}` of `text` with [`figure`]; an unknown key is left
/// as `{?key}` (a test renders every rule and refuses one).
pub fn render(text: &str, policy: &Policy) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match figure(key, policy) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&format!("{{?{key}}}")),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of a policy.toml key as a reader expects it: money as
/// "£8,000" or "56p", hours as "10 hours", times as "19:00".
pub fn figure(key: &str, p: &Policy) -> Option<String> {
    let rates = p.rates.last()?;
    let (m, a, s) = (&rates.mileage, &rates.amap, &rates.subsistence);
    Some(match key {
        "claims.max_line_amount" => money(p.claims.max_line_amount),
        "claims.cutoff_working_days" => p.claims.cutoff_working_days.to_string(),
        "claims.max_age_months" => p.claims.max_age_months.to_string(),
        "claims.route_tolerance" => ratio(p.claims.route_tolerance),
        "claims.relocation_p11d_exempt" => money(p.claims.relocation_p11d_exempt),
        "subsistence.day_meal_min_hours_away" => hours(p.subsistence.day_meal_min_away),
        "subsistence.day_meal_covers_from" => time(p.subsistence.day_meal_covers_from),
        "subsistence.day_meal_covers_to" => time(p.subsistence.day_meal_covers_to),
        "subsistence.evening_meal_min_hours_away" => hours(p.subsistence.evening_meal_min_away),
        "subsistence.evening_meal_return_not_before" => time(p.subsistence.evening_meal_return_not_before),
        "travel.taxi_authorisation" => p.travel.taxi_authorisation.code().to_string(),
        "travel.air_authorisation" => p.travel.air_authorisation.code().to_string(),
        "travel.car_hire_authorisation" => p.travel.car_hire_authorisation.code().to_string(),
        "travel.hospitality_authorisation" => p.travel.hospitality_authorisation.code().to_string(),
        "rates.mileage.lower" => money(m.lower),
        "rates.mileage.special" => money(m.special),
        "rates.mileage.special_after_threshold" => money(m.special_after_threshold),
        "rates.mileage.special_rate_threshold_miles" => miles(m.special_rate_threshold_miles),
        "rates.mileage.lease" => money(m.lease),
        "rates.mileage.motorcycle" => money(m.motorcycle),
        "rates.mileage.bicycle" => money(m.bicycle),
        "rates.mileage.passenger" => money(m.passenger),
        "rates.amap.car" => money(a.car),
        "rates.amap.car_after_threshold" => money(a.car_after_threshold),
        "rates.amap.car_threshold_miles" => miles(a.car_threshold_miles),
        "rates.amap.motorcycle" => money(a.motorcycle),
        "rates.amap.bicycle" => money(a.bicycle),
        "rates.amap.passenger" => money(a.passenger),
        "rates.subsistence.hotel" => money(s.hotel),
        "rates.subsistence.hotel_london" => money(s.hotel_london),
        "rates.subsistence.non_commercial_overnight" => money(s.non_commercial_overnight),
        "rates.subsistence.overnight_meals" => money(s.overnight_meals),
        "rates.subsistence.day_meal" => money(s.day_meal),
        "rates.subsistence.evening_meal" => money(s.evening_meal),
        "rates.subsistence.incidental" => money(s.incidental),
        "rates.subsistence.daily_total" => money(s.daily_total),
        "rates.relocation.total" => money(rates.relocation.total),
        "rates.relocation.misc" => money(rates.relocation.misc),
        "pay.weeks_per_year" => ratio(p.pay.weeks_per_year),
        "pay.full_time_weekly_hours" => ratio(p.pay.full_time_weekly_hours),
        "leave.bereavement_immediate_days" => p.leave.bereavement_immediate_days.to_string(),
        "leave.funeral_days" => p.leave.funeral_days.to_string(),
        "leave.bereavement_close_warn_after_days" => p.leave.bereavement_close_warn_after_days.to_string(),
        "leave.emergency_full_time_hours" => p.leave.emergency_full_time_hours.to_string(),
        "leave.carers_weeks_per_year" => p.leave.carers_weeks_per_year.to_string(),
        "leave.carers_min_service_years" => p.leave.carers_min_service_years.to_string(),
        "leave.reservist_weeks_per_year" => p.leave.reservist_weeks_per_year.to_string(),
        "leave.magisterial_days" => p.leave.magisterial_days.to_string(),
        "leave.parental_min_service_years" => p.leave.parental_min_service_years.to_string(),
        "leave.kit_days" => p.leave.kit_days.to_string(),
        "leave.split_days" => p.leave.split_days.to_string(),
        "sickness.self_certificate_from_days" => p.sickness.self_certificate_from_days.to_string(),
        "sickness.fit_note_after_days" => p.sickness.fit_note_after_days.to_string(),
        "sickness.bradford_triggers" => {
            p.sickness.bradford_triggers.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")
        }
        "sickness.long_term_sickness_working_days" => p.sickness.long_term_sickness_working_days.to_string(),
        "sickness.rtw_within_working_days" => p.sickness.rtw_within_working_days.to_string(),
        "sickness.bradford_trigger_1" => p.sickness.bradford_triggers.first()?.to_string(),
        _ => return None,
    })
}

/// "£8,000", "£29.50", "56p": pounds with thousands separators, pence only
/// when there are some; amounts under £1 in pence.
pub fn money(p: Pence) -> String {
    let v = p.0;
    if (0..100).contains(&v) {
        return format!("{v}p");
    }
    let sign = if v < 0 { "-" } else { "" };
    let abs = v.unsigned_abs();
    let pounds = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match abs % 100 {
        0 => format!("{sign}£{grouped}"),
        pence => format!("{sign}£{grouped}.{pence:02}"),
    }
}

fn miles(m: Miles) -> String {
    match m.0 % 10 {
        0 => money(Pence((m.0 / 10) * 100)).trim_start_matches('£').to_string(),
        _ => m.to_string(),
    }
}

fn ratio(r: Ratio) -> String {
    let (mut n, mut d) = (r.numerator, r.denominator.max(1));
    let whole = n / d;
    n %= d;
    if n == 0 {
        return whole.to_string();
    }
    let mut digits = String::new();
    while n != 0 && digits.len() < 6 {
        n *= 10;
        digits.push(char::from(b'0' + (n / d) as u8));
        n %= d;
        d = d.max(1);
    }
    format!("{whole}.{digits}")
}

fn hours(t: TimeDelta) -> String {
    let minutes = t.num_minutes();
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CATALOGUE;

    fn policy() -> Policy {
        crate::testkit::config().policy.clone()
    }

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(Pence(800_000)), "£8,000");
        assert_eq!(money(Pence(2_950)), "£29.50");
        assert_eq!(money(Pence(56)), "56p");
        assert_eq!(money(Pence(100)), "£1");
        assert_eq!(money(Pence(123_456_789)), "£1,234,567.89");
    }

    #[test]
    fn ratios_and_miles_render_exactly() {
        assert_eq!(ratio(Ratio { numerator: 375, denominator: 10 }), "37.5");
        assert_eq!(ratio(Ratio { numerator: 52143, denominator: 1000 }), "52.143");
        assert_eq!(ratio(Ratio { numerator: 110, denominator: 100 }), "1.1");
        assert_eq!(miles(Miles(35_000)), "3,500");
        assert_eq!(miles(Miles(15)), "1.5");
    }

    #[test]
    fn placeholders_come_from_the_loaded_config() {
        let mut p = policy();
        assert_eq!(render("limit {rates.relocation.total}", &p), "limit £8,000");
        if let Some(r) = p.rates.last_mut() {
            r.relocation.total = Pence::from_pounds(9_500);
        }
        assert_eq!(render("limit {rates.relocation.total}", &p), "limit £9,500");
        assert_eq!(render("{no.such.key} and {", &p), "{?no.such.key} and {");
    }

    /// Every placeholder of every rule is a key [`figure`] knows.
    #[test]
    fn every_rule_renders_without_unknown_placeholders() {
        let p = policy();
        for rule in CATALOGUE {
            let r = rendered(rule, &p);
            for text in [&r.summary, &r.what, &r.policy, &r.effect, &r.example] {
                assert!(!text.contains("{?"), "{}: unknown placeholder in {text:?}", rule.code);
            }
        }
    }
}
