//! A fixed-size log-linear histogram of durations in microseconds.
//!
//! Millions of RTP delays and REGISTER latencies are recorded per run; keeping every sample
//! would cost memory and a sort, while 64 linear buckets per power of two keep every
//! percentile within 1.6 % at a few kilobytes per histogram.

use std::time::Duration;

/// Linear buckets per power of two above [`EXACT`].
const SUB: u64 = 64;
/// Values below this are counted exactly.
const EXACT: u64 = 2 * SUB;
/// Enough buckets for any `u64`.
const BUCKETS: usize = (EXACT + 58 * SUB) as usize;

#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
            sum: 0,
        }
    }
}

fn index(v: u64) -> usize {
    if v < EXACT {
        return v as usize;
    }
    let msb = 63 - u64::from(v.leading_zeros());
    let shift = msb - 6;
    let top = v >> shift;
    (EXACT + (shift - 1) * SUB + (top - SUB)) as usize
}

/// The middle of a bucket's range, the value a percentile reports.
fn middle(i: usize) -> u64 {
    let i = i as u64;
    if i < EXACT {
        return i;
    }
    let shift = (i - EXACT) / SUB + 1;
    let top = (i - EXACT) % SUB + SUB;
    let low = top << shift;
    low + (1u64 << shift) / 2
}

impl Histogram {
    pub fn new() -> Self {
        Histogram::default()
    }

    /// Records one value in microseconds.
    pub fn record_us(&mut self, us: u64) {
        if let Some(c) = self.counts.get_mut(index(us)) {
            *c += 1;
        }
        self.total += 1;
        self.max = self.max.max(us);
        self.sum += u128::from(us);
    }

    pub fn record(&mut self, d: Duration) {
        self.record_us(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max_us(&self) -> u64 {
        self.max
    }

    pub fn mean_us(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        self.sum as f64 / self.total as f64
    }

    /// The value below which `p` percent of the samples fall (0 when empty).
    pub fn percentile_us(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return middle(i).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_contain_their_values() {
        for v in [0, 1, 127, 128, 129, 1000, 65_535, 1 << 40, u64::MAX / 2] {
            let i = index(v);
            let m = middle(i);
            let err = m.abs_diff(v) as f64 / v.max(1) as f64;
            assert!(err <= 0.016, "value {v}: bucket middle {m}");
            assert!(i < BUCKETS);
        }
    }
}

#[cfg(test)]
mod percentile_tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_spread() {
        let mut h = Histogram::new();
        for v in 1..=10_000u64 {
            h.record_us(v);
        }
        let p50 = h.percentile_us(50.0) as f64;
        let p99 = h.percentile_us(99.0) as f64;
        assert!((p50 - 5_000.0).abs() / 5_000.0 < 0.02, "p50 {p50}");
        assert!((p99 - 9_900.0).abs() / 9_900.0 < 0.02, "p99 {p99}");
        assert_eq!(h.max_us(), 10_000);
        assert_eq!(h.count(), 10_000);
        let mut other = Histogram::new();
        other.record_us(1_000_000);
        h.merge(&other);
        assert_eq!(h.max_us(), 1_000_000);
        assert_eq!(h.percentile_us(100.0), 1_000_000);
        assert_eq!(Histogram::new().percentile_us(99.0), 0);
    }
}
