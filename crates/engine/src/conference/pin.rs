//! A caller typing a room's PIN: keys in, a PIN to check out when `#` ends it. Sans-IO:
//! the room passes the time and does the (slow, Argon2) comparison off its task, then
//! reports the result back with [`PinEntry::wrong`].

use std::time::{Duration, Instant};

/// Wrong PINs a caller may type before the call ends.
const PIN_TRIES: u8 = 3;
/// How long a caller may take to type the right PIN.
const PIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest PIN kept; more digits are ignored until `#`.
const PIN_MAX: usize = 16;

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Key {
    /// Nothing to act on (a key while a PIN is being checked, or a digit too many).
    Ignored,
    /// A digit was added, or `*` started again: the prompt playing stops.
    Typed,
    /// `#` ended a PIN: compare it with the room's.
    Check(String),
}

#[derive(Debug, Clone)]
pub(super) struct PinEntry {
    typed: String,
    tries: u8,
    /// A PIN is being compared; keys wait until the answer.
    checking: bool,
    since: Instant,
}

impl PinEntry {
    pub fn new(now: Instant) -> PinEntry {
        PinEntry {
            typed: String::new(),
            tries: 0,
            checking: false,
            since: now,
        }
    }

    pub fn key(&mut self, key: char) -> Key {
        if self.checking {
            return Key::Ignored;
        }
        match key {
            '#' => {
                self.checking = true;
                Key::Check(std::mem::take(&mut self.typed))
            }
            '*' => {
                self.typed.clear();
                Key::Typed
            }
            d if d.is_ascii_digit() && self.typed.len() < PIN_MAX => {
                self.typed.push(d);
                Key::Typed
            }
            _ => Key::Ignored,
        }
    }

    /// The PIN checked was wrong; true when that was the last try.
    pub fn wrong(&mut self) -> bool {
        self.checking = false;
        self.tries = self.tries.saturating_add(1);
        self.tries >= PIN_TRIES
    }

    pub fn tries(&self) -> u8 {
        self.tries
    }

    /// Whether the caller has had long enough.
    pub fn timed_out(&self, now: Instant) -> bool {
        now.duration_since(self.since) > PIN_TIMEOUT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(entry: &mut PinEntry, keys: &str) -> Vec<Key> {
        keys.chars().map(|k| entry.key(k)).collect()
    }

    #[test]
    fn hash_ends_a_pin_and_star_starts_again() {
        let mut entry = PinEntry::new(Instant::now());
        typed(&mut entry, "12*47");
        assert_eq!(entry.key('#'), Key::Check("47".to_owned()));
        assert_eq!(entry.key('5'), Key::Ignored, "keys wait while checking");
        assert!(!entry.wrong());
        assert_eq!(
            typed(&mut entry, "9#"),
            vec![Key::Typed, Key::Check("9".to_owned())]
        );
    }

    #[test]
    fn the_third_wrong_pin_is_the_last() {
        let mut entry = PinEntry::new(Instant::now());
        for expected_last in [false, false, true] {
            assert!(matches!(entry.key('#'), Key::Check(_)));
            assert_eq!(entry.wrong(), expected_last);
        }
        assert_eq!(entry.tries(), 3);
    }

    #[test]
    fn a_minute_without_the_right_pin_is_too_long() {
        let start = Instant::now();
        let entry = PinEntry::new(start);
        assert!(!entry.timed_out(start + Duration::from_secs(59)));
        assert!(entry.timed_out(start + Duration::from_secs(61)));
    }

    #[test]
    fn overlong_pins_and_other_keys_are_ignored() {
        let mut entry = PinEntry::new(Instant::now());
        typed(&mut entry, &"1".repeat(PIN_MAX));
        assert_eq!(entry.key('2'), Key::Ignored);
        assert_eq!(entry.key('A'), Key::Ignored);
        assert_eq!(entry.key('#'), Key::Check("1".repeat(PIN_MAX)));
    }
}
