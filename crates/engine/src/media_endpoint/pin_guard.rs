//! Wrong voicemail PINs counted per mailbox across calls, in memory: three wrong PINs end
//! a `*97` call, and this stops a caller from simply calling again and again. After
//! [`MAX_FAILURES`] wrong PINs within [`WINDOW`], the mailbox opens for nobody until the
//! oldest of them is that old (the PIN is not even checked meanwhile, so guesses teach
//! nothing). Nothing is written to the database per wrong PIN.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Wrong PINs within [`WINDOW`] that lock a mailbox.
pub(crate) const MAX_FAILURES: usize = 6;
/// How long a wrong PIN counts.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub(crate) struct PinGuard {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl PinGuard {
    /// Whether `mailbox` is locked now.
    pub fn locked(&mut self, mailbox: &str, now: Instant) -> bool {
        let Some(times) = self.failures.get_mut(mailbox) else {
            return false;
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.is_empty() {
            self.failures.remove(mailbox);
            return false;
        }
        times.len() >= MAX_FAILURES
    }

    /// A wrong PIN was entered for `mailbox`.
    pub fn failed(&mut self, mailbox: &str, now: Instant) {
        let times = self.failures.entry(mailbox.to_owned()).or_default();
        times.push_back(now);
        // Only the latest ones matter.
        while times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }

    /// The right PIN: earlier mistakes are forgotten.
    pub fn succeeded(&mut self, mailbox: &str) {
        self.failures.remove(mailbox);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_locks_after_too_many_wrong_pins_and_opens_again_later() {
        let mut guard = PinGuard::default();
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            assert!(!guard.locked("201", start), "not locked after {i}");
            guard.failed("201", start + Duration::from_secs(i as u64));
        }
        assert!(guard.locked("201", start + Duration::from_secs(60)));
        assert!(!guard.locked("202", start), "other mailboxes stay open");
        // The oldest mistake expires: one below the limit again.
        assert!(!guard.locked("201", start + WINDOW));
    }

    #[test]
    fn the_right_pin_forgets_earlier_mistakes() {
        let mut guard = PinGuard::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            guard.failed("201", now);
        }
        guard.succeeded("201");
        guard.failed("201", now);
        assert!(!guard.locked("201", now));
    }
}
