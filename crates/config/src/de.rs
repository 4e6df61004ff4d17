//! Readers for the value shapes of the configuration files: money as a string
//! in pounds, exact decimals, dates, times of day and whole hours or miles.
//!
//! Every reader rejects what a payroll officer could mistype (a negative cap,
//! a third decimal on a rate, `25:00`) with a message that toml places on the
//! offending key (see [`super::locate`]).

use super::Ratio;
use crate::model::money::parse_decimal_text;
use crate::model::money::{Miles, Pence};
use crate::model::AuthLevel;
use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// Money in pounds written as a string, `"80.00"` or `"£1,000.00"`, into
/// pence. At most two decimals; never negative.
pub(crate) fn pence<'de, D: Deserializer<'de>>(d: D) -> Result<Pence, D::Error> {
    let text = d.deserialize_str(Text("money in pounds as text, e.g. \"80.00\""))?;
    non_negative_decimal(&text, 2).map(Pence).map_err(D::Error::custom)
}

/// A non-negative exact decimal string such as `"1.10"` or `"52.143"`.
pub(crate) fn ratio<'de, D: Deserializer<'de>>(d: D) -> Result<Ratio, D::Error> {
    let text = d.deserialize_str(Text("a decimal number as text, e.g. \"1.10\""))?;
    let decimals = text.trim().split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
    if decimals > 6 {
        return Err(D::Error::custom("at most six decimals"));
    }
    let numerator = non_negative_decimal(&text, decimals).map_err(D::Error::custom)?;
    Ok(Ratio { numerator, denominator: 10i64.pow(decimals) })
}

/// An optional [`ratio`]: absent or `""` = none.
pub(crate) fn optional_ratio<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ratio>, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let decimals = text.trim().split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
    if decimals > 6 {
        return Err(D::Error::custom("at most six decimals"));
    }
    let numerator = non_negative_decimal(&text, decimals).map_err(D::Error::custom)?;
    Ok(Some(Ratio { numerator, denominator: 10i64.pow(decimals) }))
}

/// Whole miles (`3500`) into tenths of a mile.
pub(crate) fn whole_miles<'de, D: Deserializer<'de>>(d: D) -> Result<Miles, D::Error> {
    let miles = u32::deserialize(d)?;
    Ok(Miles::from_whole(i64::from(miles)))
}

/// Whole hours (`5`) as a span of time.
pub(crate) fn hours<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
    let hours = u32::deserialize(d)?;
    Ok(TimeDelta::hours(i64::from(hours)))
}

/// A time of day written `"HH:MM"`.
pub(crate) fn time_of_day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(d)?;
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| D::Error::custom(format!("`{text}` is not a time of day like \"19:00\"")))
}

/// A TOML date literal (`2025-05-26`, unquoted) as a calendar date.
pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    to_date(toml::value::Datetime::deserialize(d)?).map_err(D::Error::custom)
}

/// A list of TOML date literals.
pub(crate) fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<toml::value::Datetime>::deserialize(d)?
        .into_iter()
        .map(|dt| to_date(dt).map_err(D::Error::custom))
        .collect()
}

/// An authorisation level code, `"CARE_GROUP_DIRECTOR"` (SPEC §2.1).
pub(crate) fn auth_level<'de, D: Deserializer<'de>>(d: D) -> Result<AuthLevel, D::Error> {
    let text = String::deserialize(d)?;
    AuthLevel::parse(&text).ok_or_else(|| {
        let known: Vec<&str> = AuthLevel::ALL.iter().map(|a| a.code()).collect();
        D::Error::custom(format!("`{text}` is not one of {}", known.join(", ")))
    })
}

/// Accepts only a string, saying what the string should hold otherwise.
struct Text(&'static str);

impl serde::de::Visitor<'_> for Text {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn to_date(dt: toml::value::Datetime) -> Result<NaiveDate, String> {
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{dt} is not a calendar date"))
        }
        _ => Err(format!("{dt} is not a plain date like 2025-05-26")),
    }
}

fn non_negative_decimal(text: &str, scale: u32) -> Result<i64, String> {
    let decimals = text.trim().split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
    if decimals > scale {
        return Err(format!("`{text}` has more than {scale} decimals"));
    }
    match parse_decimal_text(text, scale) {
        Some(v) if v < 0 => Err("must not be negative".to_string()),
        Some(v) => Ok(v),
        None => Err(format!("`{text}` is not a number")),
    }
}

/// `#[serde(default)]` for a switch that is on unless the file says otherwise.
pub(crate) fn yes() -> bool {
    true
}

/// `#[serde(default)]` of `sickness.long_term_sickness_working_days` (§21.6: 20).
pub(crate) fn twenty() -> u32 {
    20
}

/// `#[serde(default)]` of `sickness.rtw_within_working_days` (§3.1: 5).
pub(crate) fn five() -> u32 {
    5
}
