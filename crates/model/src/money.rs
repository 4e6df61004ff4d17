//! Exact money and distance: integer pence and tenths of a mile (SPEC §1).

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of money in whole pence. Never a float (SPEC §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pence(pub i64);

/// A distance in tenths of a mile (SPEC §1: miles are held to 0.1 mile).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Miles(pub i64);

impl Pence {
    pub const ZERO: Pence = Pence(0);

    pub fn from_pounds(pounds: i64) -> Pence {
        Pence(pounds * 100)
    }

    pub fn max(self, other: Pence) -> Pence {
        Pence(self.0.max(other.0))
    }

    pub fn min(self, other: Pence) -> Pence {
        Pence(self.0.min(other.0))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses CSV money exactly as payrun writes it (SPEC §1: `1234.50`,
    /// `-0.05`): an optional minus, digits, a point and two digits. Anything
    /// else (a thousands comma, a currency sign, one decimal) is `None`.
    pub fn parse_csv(text: &str) -> Option<Pence> {
        let (neg, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let (whole, frac) = rest.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || frac.len() != 2 || !digits(frac) || whole.len() > 16 {
            return None;
        }
        let p = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac.parse::<i64>().ok()?)?;
        Some(Pence(if neg { -p } else { p }))
    }

    /// Pounds as a decimal number for spreadsheet cells. Only for display:
    /// every sum is taken in pence first.
    pub fn as_pounds_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Miles {
    pub const ZERO: Miles = Miles(0);

    pub fn from_whole(miles: i64) -> Miles {
        Miles(miles * 10)
    }

    /// The mileage amount of SPEC §1: `round_half_up(miles_tenths × rate_pence / 10)`.
    pub fn priced_at(self, rate: Pence) -> Pence {
        Pence(round_half_up_div(self.0 as i128 * rate.0 as i128, 10))
    }
}

/// Integer division rounding halves away from zero ("half up" on magnitudes),
/// the one rounding the spec uses. `den` must be positive. A quotient beyond
/// `i64` saturates instead of wrapping (inputs are bounded at parse time, see
/// `ingest::cell::MAX_MAGNITUDE`, so this only guards arithmetic).
pub fn round_half_up_div(num: i128, den: i128) -> i64 {
    debug_assert!(den > 0);
    let den = den.max(1);
    let q = (num.saturating_abs().saturating_mul(2).saturating_add(den)) / (den * 2);
    let q = if num < 0 { -q } else { q };
    q.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// A quantity held in hundredths (pence, hours ×100) as `1234.50` / `-0.05`.
pub fn hundredths(value: i64) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write_hundredths(&mut text, value);
    text
}

/// Money as people read it in a sentence: `£6,192.28`, `-£6,192.28` —
/// thousands separated, always two decimals, the sign before the `£`.
pub fn pounds_text(p: Pence) -> String {
    let plain = hundredths(p.0);
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |d| ("-", d));
    let (pounds, pence) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, digit) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}£{grouped}.{pence}")
}

/// `value / 100` with two decimals, the sign first: the one writer behind
/// [`hundredths`] and `Pence`'s `Display` (which writes straight into the
/// caller's buffer, no `String` per amount).
fn write_hundredths(out: &mut impl fmt::Write, value: i64) -> fmt::Result {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    write!(out, "{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses `[-+]?£?digits[.digits]` with optional comma thousands (groups of
/// three only) into an integer of `scale` decimals, rounding half up on the
/// magnitude. Exact: no floating point is involved.
pub fn parse_decimal_text(text: &str, scale: u32) -> Option<i64> {
    let mut s = text.trim();
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    s = s.strip_prefix('£').unwrap_or(s).trim_start();
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
        groups.concat()
    } else {
        int_part.to_string()
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: i128 = 0;
    for b in digits.bytes() {
        value = value.checked_mul(10)?.checked_add((b - b'0') as i128)?;
        if value > i64::MAX as i128 {
            return None;
        }
    }
    let frac = frac_part.as_bytes();
    for i in 0..scale as usize {
        let d = frac.get(i).map(|b| (b - b'0') as i128).unwrap_or(0);
        value = value.checked_mul(10)?.checked_add(d)?;
    }
    if frac.get(scale as usize).is_some_and(|b| *b >= b'5') {
        value += 1;
    }
    if value > i64::MAX as i128 {
        return None;
    }
    let v = value as i64;
    Some(if negative { -v } else { v })
}

impl fmt::Display for Pence {
    /// `1234.50`, `-0.05`: pounds with two decimals (SPEC §1 CSV money).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hundredths(f, self.0)
    }
}

/// Money in JSON (the manifest) is written as in the CSVs: pounds text with
/// two decimals, `"1234.50"` — exact, never a float.
impl serde::Serialize for Pence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Miles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
}

/// Saturating arithmetic: no total can wrap round (or panic) whatever the
/// input, which the parse-time bound on values makes unreachable in practice.
macro_rules! arithmetic {
    ($t:ident) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t(self.0.saturating_add(o.0))
            }
        }
        impl Sub for $t {
            type Output = $t;
            fn sub(self, o: $t) -> $t {
                $t(self.0.saturating_sub(o.0))
            }
        }
        impl AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                self.0 = self.0.saturating_add(o.0);
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, o: $t) {
                self.0 = self.0.saturating_sub(o.0);
            }
        }
        impl Neg for $t {
            type Output = $t;
            fn neg(self) -> $t {
                $t(self.0.saturating_neg())
            }
        }
        impl std::iter::Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                $t(iter.fold(0i64, |a, v| a.saturating_add(v.0)))
            }
        }
    };
}
arithmetic!(Pence);
arithmetic!(Miles);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_text_groups_thousands_and_puts_the_sign_first() {
        assert_eq!(pounds_text(Pence(-619228)), "-£6,192.28");
        assert_eq!(pounds_text(Pence(270676)), "£2,706.76");
        assert_eq!(pounds_text(Pence(123456789)), "£1,234,567.89");
        assert_eq!(pounds_text(Pence(-5)), "-£0.05");
        assert_eq!(pounds_text(Pence::ZERO), "£0.00");
    }

    #[test]
    fn pence_display_two_decimals_and_sign() {
        assert_eq!(Pence(123450).to_string(), "1234.50");
        assert_eq!(Pence(-5).to_string(), "-0.05");
        assert_eq!(Pence(0).to_string(), "0.00");
    }

    #[test]
    fn parse_csv_takes_only_payruns_own_money_text() {
        assert_eq!(Pence::parse_csv("1234.50"), Some(Pence(123450)));
        assert_eq!(Pence::parse_csv("-0.05"), Some(Pence(-5)));
        assert_eq!(Pence::parse_csv("0.00"), Some(Pence(0)));
        for bad in ["", "12", "12.5", "12.505", "1,234.50", "£1.00", "abc", "-", ".50", "1.5a", "--1.00"] {
            assert_eq!(Pence::parse_csv(bad), None, "{bad:?}");
        }
        let round = Pence(-98765432);
        assert_eq!(Pence::parse_csv(&round.to_string()), Some(round));
    }

    #[test]
    fn mileage_amount_rounds_half_up() {
        // 12.5 miles at 25p = 312.5p -> 313p
        assert_eq!(Miles(125).priced_at(Pence(25)), Pence(313));
        // 12.3 miles at 56p = 688.8p -> 689p
        assert_eq!(Miles(123).priced_at(Pence(56)), Pence(689));
        assert_eq!(Miles(121).priced_at(Pence(10)), Pence(121));
    }

    #[test]
    fn parse_decimal_text_directly() {
        assert_eq!(parse_decimal_text("£1,234.50", 2), Some(123_450));
        assert_eq!(parse_decimal_text("1,234.5", 0), Some(1_235));
        assert_eq!(parse_decimal_text("1,234.4", 0), Some(1_234));
        assert_eq!(parse_decimal_text("37.5", 2), Some(3_750));
        assert_eq!(parse_decimal_text("37.505", 2), Some(3_751));
        assert_eq!(parse_decimal_text("12.25", 1), Some(123));
        assert_eq!(parse_decimal_text("12.24", 1), Some(122));
        assert_eq!(parse_decimal_text("-2.5", 0), Some(-3));
        assert_eq!(parse_decimal_text("9223372036854775807", 0), Some(i64::MAX));
        assert_eq!(parse_decimal_text("9223372036854775808", 0), None);
        assert_eq!(parse_decimal_text("92233720368547758.07", 2), Some(i64::MAX));
        assert_eq!(parse_decimal_text("92233720368547758.075", 2), None);
        assert_eq!(parse_decimal_text("", 2), None);
        assert_eq!(parse_decimal_text("12,34", 2), None);
        assert_eq!(parse_decimal_text("1,2345", 2), None);
        assert_eq!(parse_decimal_text("١٢", 2), None); // non-ASCII digits
    }

    #[test]
    fn rounding_is_symmetric_for_negatives() {
        assert_eq!(round_half_up_div(-25, 10), -3);
        assert_eq!(round_half_up_div(25, 10), 3);
        assert_eq!(round_half_up_div(24, 10), 2);
    }
}

#[cfg(test)]
mod saturation {
    use super::*;

    #[test]
    fn totals_saturate_instead_of_wrapping() {
        assert_eq!(Pence(i64::MAX) + Pence(1), Pence(i64::MAX));
        assert_eq!(Pence(i64::MIN) - Pence(1), Pence(i64::MIN));
        assert_eq!([Pence(i64::MAX), Pence(5)].into_iter().sum::<Pence>(), Pence(i64::MAX));
        assert_eq!(round_half_up_div(i128::from(i64::MAX) * 100, 10), i64::MAX);
    }
}
