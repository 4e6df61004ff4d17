//! The modified z-score of Iglewicz and Hoaglin (SPEC §9, Outliers), in exact
//! integer arithmetic: no float ever decides who is listed.
//!
//! Values are whole pence. The median of an even count is the mean of the
//! middle two, so it is held in half-pence; the deviations from it are
//! half-pence too, and *their* median (the MAD) can again be a mean of two,
//! so it is held in quarter-pence. With the deviation scaled to quarter-pence
//! as well, SPEC's test `6745 × (x − median) > 35000 × MAD` compares exact
//! integers (it is the spec's half-pence test whenever the MAD is a whole
//! half-pence, and stays exact when it is not).

use crate::model::money::round_half_up_div;

/// Fewest claimants of a cost centre, category and period for the test to apply.
pub const MIN_PEERS: usize = 10;

/// One claimant listed as an outlier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outlier {
    /// Index into the values given to [`outliers`].
    pub index: usize,
    /// Median of the peers, in half-pence.
    pub median_half_pence: i64,
    /// Median absolute deviation, in quarter-pence (never 0 here).
    pub mad_quarter_pence: i64,
    /// z × 100, rounded half up (z is written to 2 decimals).
    pub z_hundredths: i64,
}

/// The claimants whose modified z-score exceeds 3.5 among `values` (each
/// claimant's allowed total in pence; the peers include the claimant).
/// Fewer than [`MIN_PEERS`] values, or a MAD of 0, lists nobody.
pub fn outliers(values: &[i64]) -> Vec<Outlier> {
    if values.len() < MIN_PEERS {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let median2 = double_median(&sorted);
    let mut deviations: Vec<i64> = values.iter().map(|&x| (2 * x - median2).abs()).collect();
    deviations.sort_unstable();
    // Median of half-pence deviations, doubled: quarter-pence.
    let mad4 = double_median(&deviations);
    if mad4 == 0 {
        return Vec::new();
    }
    values
        .iter()
        .enumerate()
        .filter_map(|(index, &x)| {
            let d4 = 2 * (2 * x - median2);
            let listed = 6745_i128 * d4 as i128 > 35000_i128 * mad4 as i128;
            listed.then(|| Outlier {
                index,
                median_half_pence: median2,
                mad_quarter_pence: mad4,
                // z = 0.6745 × d / MAD = 6745 × d4 / (10000 × mad4); × 100 for 2 decimals.
                z_hundredths: round_half_up_div(6745_i128 * d4 as i128, 100 * mad4 as i128),
            })
        })
        .collect()
}

/// Twice the median of a sorted, non-empty slice (the sum of the middle two
/// for an even count), so that it stays an integer.
fn double_median(sorted: &[i64]) -> i64 {
    let n = sorted.len();
    if n % 2 == 1 {
        2 * sorted[n / 2]
    } else {
        sorted[n / 2 - 1] + sorted[n / 2]
    }
}

/// `units` of 1/(100 × `per_penny`) pound as exact pounds text (`per_penny`
/// 1, 2 or 4): two decimals, more only when needed (`12.345` for a
/// half-penny median, `0.0125` for a quarter-penny MAD).
pub fn exact_pounds(units: i64, per_penny: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    // Ten-thousandths of a pound: exact for 1, 2 and 4 units per penny.
    let t = units.unsigned_abs() as u128 * (100 / per_penny.clamp(1, 4) as u128);
    let digits = format!("{:04}", t % 10_000);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.len() < 2 { &format!("{:02}", (t % 10_000) / 100)[..] } else { digits };
    format!("{sign}{}.{digits}", t / 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peers(values: &[i64]) -> Vec<(usize, i64)> {
        outliers(values).into_iter().map(|o| (o.index, o.z_hundredths)).collect()
    }

    #[test]
    fn nine_peers_list_nobody_ten_do() {
        let mut v = vec![1000, 1010, 990, 1005, 995, 1000, 1002, 998, 100_000];
        assert!(outliers(&v).is_empty(), "9 peers");
        v.push(1001);
        let listed = peers(&v);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, 8);
    }

    #[test]
    fn mad_zero_lists_nobody() {
        // Over half the peers equal: MAD 0, even with an extreme value.
        let mut v = vec![500; 6];
        v.extend([1, 2, 3, 1_000_000]);
        assert!(outliers(&v).is_empty());
    }

    #[test]
    fn boundary_is_strict() {
        // 11 values, median 100p, MAD 10p: listed iff 6745 × d > 350000, so a
        // deviation of 51p is not listed and 52p is (z 3.5074 → 3.51).
        let base = [100, 90, 110, 90, 110, 90, 110, 90, 110, 90];
        let mut v: Vec<i64> = base.to_vec();
        v.push(151);
        assert!(outliers(&v).is_empty(), "d = 51p gives z 3.44");
        v[10] = 152;
        let listed = outliers(&v);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].z_hundredths, 351); // 0.6745 × 52 / 10 = 3.5074
        assert_eq!(listed[0].median_half_pence, 200);
        assert_eq!(listed[0].mad_quarter_pence, 40);
    }

    #[test]
    fn exactly_three_and_a_half_is_not_listed() {
        // Median 0 (6th of 11), MAD 6745p (6th smallest deviation): x = 35000p
        // gives z = 3.5 exactly, which is not > 3.5; one penny more is.
        let mut v = vec![-20000, -6745, -6745, -2, -1, 0, 1, 2, 6745, 6745, 35000];
        assert!(outliers(&v).is_empty());
        v[10] = 35001;
        assert_eq!(peers(&v), vec![(10, 350)]);
    }

    #[test]
    fn even_counts_use_half_and_quarter_pence() {
        // 10 values; middle two 100 and 101 → median 100.5p (201 half-pence).
        let v = [97, 98, 99, 100, 100, 101, 101, 102, 103, 1000];
        let listed = outliers(&v);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].median_half_pence, 201);
        // |2x − 201|: 7,5,3,1,1,1,1,3,5,1799 → sorted 1,1,1,1,3,3,5,5,7,1799 → middle 3,3 → mad4 = 6
        assert_eq!(listed[0].mad_quarter_pence, 6);
        // z = 0.6745 × 899.5 / 1.5 = 404.48…
        assert_eq!(listed[0].z_hundredths, 40448);
        assert_eq!(exact_pounds(201, 2), "1.005");
        assert_eq!(exact_pounds(6, 4), "0.015");
    }

    #[test]
    fn negative_outliers_are_not_listed() {
        let v = [1000, 1001, 999, 1000, 1002, 998, 1000, 1001, 999, 0];
        assert!(outliers(&v).is_empty(), "only values above the median are outliers (z > 3.5)");
    }

    #[test]
    fn exact_pounds_formats() {
        assert_eq!(exact_pounds(12345, 1), "123.45");
        assert_eq!(exact_pounds(-5, 1), "-0.05");
        assert_eq!(exact_pounds(24691, 2), "123.455");
        assert_eq!(exact_pounds(24690, 2), "123.45");
        assert_eq!(exact_pounds(49381, 4), "123.4525");
        assert_eq!(exact_pounds(0, 4), "0.00");
    }
}
