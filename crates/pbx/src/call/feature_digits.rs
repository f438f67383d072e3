//! Collecting in-call feature codes from the keys one party presses.
//!
//! Keys reach the PBX one at a time (RFC 4733 events from the relay, or SIP INFO), with
//! nothing marking where a code ends. A code starts with `*` or `#`; the collector keeps
//! the keys while they can still become a code of [`IN_CALL`] and gives up at the first
//! key that cannot. A code that takes a number (`##` and `*2`) ends with `#` or when no
//! key comes for [`DIGIT_TIMEOUT`]; a code without one acts as soon as it is complete.
//!
//! Keys are relayed to the other party as usual meanwhile: a party typing a code for a
//! service on the far side (a bank's menu) is not held up, and a collector that gives up
//! loses nothing.
//!
//! Sans-IO: every key and every timeout comes with `now`.

use std::time::{Duration, Instant};

use crate::feature_codes::{ATTENDED_TRANSFER, BLIND_TRANSFER, PARK, RECORD_TOGGLE};

/// How long the PBX waits for the next key of a number before taking what it has.
pub(crate) const DIGIT_TIMEOUT: Duration = Duration::from_secs(3);

/// Longest number after a code: longer is a mistake (or a stuck key), not a number.
const MAX_NUMBER: usize = 20;

/// What a complete code asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Feature {
    /// `##` + number: the other party is rung through to the number; the presser leaves.
    BlindTransfer(String),
    /// `*2` + number.
    AttendedTransfer(String),
    /// `*1`: start or stop recording the call.
    RecordToggle,
    /// `*70`: park the other party.
    Park,
}

/// The codes a party may press during a call, and whether a number follows.
const IN_CALL: &[(&str, bool)] = &[
    (BLIND_TRANSFER, true),
    (ATTENDED_TRANSFER, true),
    (RECORD_TOGGLE, false),
    (PARK, false),
];

fn feature(code: &str, number: String) -> Option<Feature> {
    match code {
        BLIND_TRANSFER => Some(Feature::BlindTransfer(number)),
        ATTENDED_TRANSFER => Some(Feature::AttendedTransfer(number)),
        RECORD_TOGGLE => Some(Feature::RecordToggle),
        PARK => Some(Feature::Park),
        _ => None,
    }
}

/// What one key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Not part of any code (an ordinary key press).
    Ignored,
    /// Part of a code that is not complete yet.
    Collecting,
    /// The code is complete.
    Done(Feature),
}

/// One party's keys in one call.
#[derive(Debug, Clone, Default)]
pub(crate) struct DigitCollector {
    /// The keys of the code so far (the code, then the number's keys).
    keys: String,
    /// When the number collected so far is taken as complete.
    deadline: Option<Instant>,
}

impl DigitCollector {
    /// Takes one key (`0`-`9`, `*`, `#`, or anything else a phone sends, which ends a
    /// code in progress).
    pub(crate) fn push(&mut self, now: Instant, key: char) -> Step {
        let step = self.extend(now, key);
        if step == Step::Ignored && !self.keys.is_empty() {
            // The key broke a code in progress; it may start a new one.
            self.reset();
            return self.extend(now, key);
        }
        step
    }

    fn extend(&mut self, now: Instant, key: char) -> Step {
        if self.keys.is_empty() && key != '*' && key != '#' {
            return Step::Ignored;
        }
        // A code taking a number: the number goes on until `#` or the timeout.
        if let Some((code, number)) = self.number_code() {
            if key == '#' {
                let number = number.to_owned();
                let code = code.to_owned();
                self.reset();
                return match feature(&code, number) {
                    Some(f) if !lacks_number(&f) => Step::Done(f),
                    _ => Step::Ignored,
                };
            }
            // `*` may be part of a number (`##*70` transfers to the park).
            if !(key.is_ascii_digit() || key == '*') || number.len() >= MAX_NUMBER {
                return Step::Ignored;
            }
            self.keys.push(key);
            self.deadline = Some(now + DIGIT_TIMEOUT);
            return Step::Collecting;
        }
        self.keys.push(key);
        if let Some(&(code, _)) = IN_CALL
            .iter()
            .find(|(code, takes_number)| !takes_number && *code == self.keys)
        {
            self.reset();
            return feature(code, String::new()).map_or(Step::Ignored, Step::Done);
        }
        if IN_CALL.iter().any(|(code, _)| code.starts_with(&self.keys)) {
            self.deadline = Some(now + DIGIT_TIMEOUT);
            return Step::Collecting;
        }
        self.keys.pop();
        Step::Ignored
    }

    /// The code that takes a number, once the keys hold all of it, and the number so far.
    fn number_code(&self) -> Option<(&'static str, &str)> {
        IN_CALL
            .iter()
            .filter(|(_, takes_number)| *takes_number)
            .find_map(|(code, _)| Some((*code, self.keys.strip_prefix(code)?)))
    }

    /// When [`DigitCollector::timeout`] is due, if a code is in progress.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// No key came in time: a number collected so far completes its code; anything else
    /// is dropped.
    pub(crate) fn timeout(&mut self, now: Instant) -> Option<Feature> {
        if self.deadline.is_none_or(|d| d > now) {
            return None;
        }
        let done = self
            .number_code()
            .filter(|(_, number)| !number.is_empty())
            .and_then(|(code, number)| feature(code, number.to_owned()));
        self.reset();
        done
    }

    fn reset(&mut self) {
        self.keys.clear();
        self.deadline = None;
    }
}

/// A transfer code ended by `#` before any number: nothing to do.
fn lacks_number(f: &Feature) -> bool {
    matches!(f, Feature::BlindTransfer(n) | Feature::AttendedTransfer(n) if n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: &mut DigitCollector, now: Instant, keys: &str) -> Vec<Step> {
        keys.chars().map(|k| c.push(now, k)).collect()
    }

    #[test]
    fn a_blind_transfer_ends_with_hash() {
        let now = Instant::now();
        let mut c = DigitCollector::default();
        let steps = press(&mut c, now, "##102#");
        assert_eq!(
            steps.last(),
            Some(&Step::Done(Feature::BlindTransfer("102".into())))
        );
        assert!(steps[..5].iter().all(|s| *s == Step::Collecting));
        assert_eq!(c.deadline(), None, "nothing left in progress");
    }

    #[test]
    fn a_number_completes_when_no_key_comes_in_time() {
        let t0 = Instant::now();
        let mut c = DigitCollector::default();
        press(&mut c, t0, "*2");
        let t1 = t0 + Duration::from_secs(2);
        press(&mut c, t1, "10");
        let t2 = t1 + Duration::from_secs(2);
        assert_eq!(c.push(t2, '3'), Step::Collecting);
        assert_eq!(c.deadline(), Some(t2 + DIGIT_TIMEOUT));
        assert_eq!(c.timeout(t2 + DIGIT_TIMEOUT / 2), None, "not due yet");
        assert_eq!(
            c.timeout(t2 + DIGIT_TIMEOUT),
            Some(Feature::AttendedTransfer("103".into()))
        );
        assert_eq!(c.deadline(), None);
    }

    #[test]
    fn a_code_without_a_number_acts_at_once() {
        let now = Instant::now();
        let mut c = DigitCollector::default();
        assert_eq!(
            press(&mut c, now, "*1"),
            vec![Step::Collecting, Step::Done(Feature::RecordToggle)]
        );
        assert_eq!(
            press(&mut c, now, "*70"),
            vec![
                Step::Collecting,
                Step::Collecting,
                Step::Done(Feature::Park)
            ]
        );
    }

    #[test]
    fn ordinary_keys_are_left_alone_and_break_a_code() {
        let now = Instant::now();
        let mut c = DigitCollector::default();
        assert_eq!(press(&mut c, now, "123"), vec![Step::Ignored; 3]);
        // `*5` is no code: the `5` ends it, and a fresh `*` starts again.
        assert_eq!(
            press(&mut c, now, "*5*1"),
            vec![
                Step::Collecting,
                Step::Ignored,
                Step::Collecting,
                Step::Done(Feature::RecordToggle)
            ]
        );
        // `#*` breaks `##` but the `*` starts `*1`.
        assert_eq!(
            press(&mut c, now, "#*1"),
            vec![
                Step::Collecting,
                Step::Collecting,
                Step::Done(Feature::RecordToggle)
            ]
        );
    }

    #[test]
    fn a_code_alone_times_out_to_nothing() {
        let t0 = Instant::now();
        let mut c = DigitCollector::default();
        press(&mut c, t0, "##");
        assert_eq!(c.timeout(t0 + DIGIT_TIMEOUT), None);
        assert_eq!(c.deadline(), None);
        // `##` then `#` at once: no number, nothing done.
        assert_eq!(c.push(t0, '#'), Step::Collecting);
        assert_eq!(c.push(t0, '#'), Step::Collecting);
        assert_eq!(c.push(t0, '#'), Step::Ignored);
    }

    #[test]
    fn a_transfer_to_the_park_keeps_its_star() {
        let now = Instant::now();
        let mut c = DigitCollector::default();
        let steps = press(&mut c, now, "##*70#");
        assert_eq!(
            steps.last(),
            Some(&Step::Done(Feature::BlindTransfer("*70".into())))
        );
    }

    #[test]
    fn an_overlong_number_is_dropped() {
        let now = Instant::now();
        let mut c = DigitCollector::default();
        press(&mut c, now, "##");
        for _ in 0..MAX_NUMBER {
            assert_eq!(c.push(now, '5'), Step::Collecting);
        }
        assert_eq!(c.push(now, '5'), Step::Ignored);
        assert_eq!(c.timeout(now + DIGIT_TIMEOUT), None);
    }

    proptest::proptest! {
        #[test]
        fn any_keys_never_panic_and_never_leave_a_stale_deadline(
            keys in "[0-9*#A-D!]{0,60}",
            gaps in proptest::collection::vec(0u64..5000, 60),
        ) {
            let mut now = Instant::now();
            let mut c = DigitCollector::default();
            for (key, gap) in keys.chars().zip(gaps) {
                now += Duration::from_millis(gap);
                let _ = c.timeout(now);
                let _ = c.push(now, key);
                if let Some(d) = c.deadline() {
                    proptest::prop_assert!(d > now);
                }
            }
        }
    }
}
