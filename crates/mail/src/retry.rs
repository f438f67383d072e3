//! When a failed e-mail is tried again. Mail servers go down for maintenance, lose their
//! network or greylist (RFC 6647 §2.1: "try again later"), so the delay grows from a minute
//! to a few hours, and the e-mail is given up after about a day, with the reason shown.

use std::time::Duration;

/// Attempts made before an e-mail is given up.
pub const MAX_ATTEMPTS: u32 = 12;

/// Delays after the 1st, 2nd, … failed attempt, in minutes.
const DELAYS_MIN: [u64; 8] = [1, 2, 5, 10, 30, 60, 120, 240];

/// How long to wait after `attempts` failed attempts (counting the one that just failed),
/// or `None` when it is time to give up.
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    if attempts == 0 {
        return Some(Duration::ZERO);
    }
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let i = usize::try_from(attempts - 1).unwrap_or(usize::MAX);
    let minutes = DELAYS_MIN
        .get(i)
        .or(DELAYS_MIN.last())
        .copied()
        .unwrap_or(240);
    Some(Duration::from_secs(minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_give_up_after_about_a_day() {
        assert_eq!(retry_delay(1), Some(Duration::from_secs(60)));
        assert_eq!(retry_delay(2), Some(Duration::from_secs(120)));
        let mut total = Duration::ZERO;
        let mut previous = Duration::ZERO;
        for attempts in 1..MAX_ATTEMPTS {
            let d = retry_delay(attempts).expect("still retrying");
            assert!(d >= previous, "delays never shrink");
            previous = d;
            total += d;
        }
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
        assert!(total >= Duration::from_secs(12 * 3600), "{total:?}");
        assert!(total <= Duration::from_secs(36 * 3600), "{total:?}");
    }
}
