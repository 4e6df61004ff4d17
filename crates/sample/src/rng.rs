//! A small deterministic PRNG (SplitMix64).
//!
//! Hand-written so the sample never changes with a dependency's version: the
//! same seed gives the same workbooks on every machine and every release.
//! Independent *keyed* streams (seed × sheet × staff × day) let each sheet ask
//! "what does this person do on this day?" without the others having to be
//! generated first, which keeps memory flat.

/// The SplitMix64 finaliser: a good 64-bit mixing function.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stream tags: one per kind of decision, so adding draws to one stream never
/// shifts another.
pub(super) mod stream {
    pub const STAFF: u64 = 1;
    pub const SHIFTS: u64 = 2;
    pub const ABSENCES: u64 = 3;
    pub const CLAIMS: u64 = 4;
    pub const SCENARIO: u64 = 5;
    pub const CELL_STYLE: u64 = 6;
    pub const CARRIED: u64 = 7;
    pub const DEFERRED: u64 = 8;
    pub const SICKNESS_RECORD: u64 = 9;
}

#[derive(Clone, Debug)]
pub(super) struct Rng(u64);

impl Rng {
    /// A stream identified by the seed and a path of keys.
    pub fn keyed(seed: u64, keys: &[u64]) -> Rng {
        let mut state = mix(seed);
        for key in keys {
            state = mix(state ^ mix(*key));
        }
        Rng(state)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift (no modulo bias worth
    /// caring about for a sample).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks a copy (handy for `&'static str` lists).
    pub fn pick_copy<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }

    /// Picks by integer weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| *w as u64).sum();
        let mut ticket = self.below(total);
        for (item, weight) in items {
            if ticket < *weight as u64 {
                return item;
            }
            ticket -= *weight as u64;
        }
        &items[items.len() - 1].0
    }
}
