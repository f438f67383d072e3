//! How long to wait before registering again after a failure (RFC 5626 §4.5).

use std::time::Duration;

use rand::Rng;

/// RFC 5626 §4.5 `base-time` when no flow is up (the PBX has one flow per trunk).
pub(crate) const BASE: Duration = Duration::from_secs(30);
/// RFC 5626 §4.5 `max-time`.
pub(crate) const CAP: Duration = Duration::from_secs(1800);

/// The wait after `failures` consecutive failures (1 after the first):
/// `min(CAP, BASE · 2^failures)`, then a random point between half of that and all of
/// it, so that many PBXs that lost their provider at once do not come back in step.
pub(crate) fn retry_delay(failures: u32, rng: &mut impl Rng) -> Duration {
    let upper = upper_bound(failures);
    let upper_ms = u64::try_from(upper.as_millis()).unwrap_or(u64::MAX);
    // RFC 5626 §4.5: "a random number between 50 and 100 percent of" the bound.
    Duration::from_millis(rng.gen_range(upper_ms / 2..=upper_ms))
}

/// `min(CAP, BASE · 2^failures)` without overflowing for long outages.
pub(crate) fn upper_bound(failures: u32) -> Duration {
    let factor = 1u32.checked_shl(failures.min(31)).unwrap_or(u32::MAX);
    BASE.checked_mul(factor).map_or(CAP, |d| d.min(CAP))
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn bounds_double_from_sixty_seconds_up_to_half_an_hour() {
        let secs: Vec<u64> = (1..=8).map(|n| upper_bound(n).as_secs()).collect();
        assert_eq!(secs, [60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(upper_bound(u32::MAX), CAP);
    }

    #[test]
    fn every_wait_lies_between_half_the_bound_and_the_bound() {
        let mut rng = StdRng::seed_from_u64(5626);
        for failures in 1..40 {
            let upper = upper_bound(failures);
            let mut seen_low_half = false;
            let mut seen_high_half = false;
            for _ in 0..200 {
                let wait = retry_delay(failures, &mut rng);
                assert!(wait >= upper / 2 && wait <= upper, "{wait:?} vs {upper:?}");
                seen_low_half |= wait < upper * 3 / 4;
                seen_high_half |= wait >= upper * 3 / 4;
            }
            // Jitter spreads the waits over the whole range.
            assert!(seen_low_half && seen_high_half);
        }
    }
}
