//! The receiver's packet index estimate (RFC 3711 §3.3.1, Appendix A) and replay list
//! (§3.3.2) for one SSRC.

/// How many packets behind the newest one are still accepted (RFC 3711 §3.3.2 asks for at
/// least 64).
const WINDOW: u64 = 64;

/// One received stream's roll-over counter, highest sequence number and replay bitmap.
#[derive(Debug, Clone)]
pub struct ReplayState {
    /// The 48-bit index of the newest authenticated packet; `None` before the first.
    highest: Option<u64>,
    /// Bit n set: the packet `highest - n` was received.
    bitmap: u64,
}

impl ReplayState {
    pub fn new() -> Self {
        ReplayState {
            highest: None,
            bitmap: 0,
        }
    }

    /// RFC 3711 Appendix A: the index a packet with sequence number `seq` most likely has,
    /// given the roll-over counter and highest sequence number seen so far.
    pub fn estimate(&self, seq: u16) -> u64 {
        let Some(highest) = self.highest else {
            // §3.3.1: the first packet sets s_l; its roll-over counter is 0 (SDES sends no ROC).
            return u64::from(seq);
        };
        let roc = highest >> 16;
        let s_l = (highest & 0xFFFF) as i64;
        let seq_i = i64::from(seq);
        let v = if s_l < 32768 {
            if seq_i - s_l > 32768 {
                roc.checked_sub(1).unwrap_or(roc)
            } else {
                roc
            }
        } else if s_l - 32768 > seq_i {
            roc + 1
        } else {
            roc
        };
        (v << 16) | u64::from(seq)
    }

    /// §3.3.2: whether `index` is new (not a replay and not too old). Checked before the
    /// (costlier) authentication; the state changes only in [`ReplayState::accept`].
    pub fn is_fresh(&self, index: u64) -> bool {
        let Some(highest) = self.highest else {
            return true;
        };
        if index > highest {
            return true;
        }
        let behind = highest - index;
        behind < WINDOW && self.bitmap & (1 << behind) == 0
    }

    /// Records an authenticated packet (§3.3.2: only after authentication succeeded, so
    /// forged packets cannot advance the window).
    pub fn accept(&mut self, index: u64) {
        match self.highest {
            None => {
                self.highest = Some(index);
                self.bitmap = 1;
            }
            Some(highest) if index > highest => {
                let shift = index - highest;
                self.bitmap = if shift >= WINDOW {
                    0
                } else {
                    self.bitmap << shift
                };
                self.bitmap |= 1;
                self.highest = Some(index);
            }
            Some(highest) => {
                let behind = highest - index;
                if behind < WINDOW {
                    self.bitmap |= 1 << behind;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_packet_is_refused_and_an_older_unseen_one_accepted() {
        let mut r = ReplayState::new();
        r.accept(r.estimate(10));
        r.accept(r.estimate(12));
        assert!(!r.is_fresh(r.estimate(10)));
        assert!(!r.is_fresh(r.estimate(12)));
        assert!(r.is_fresh(r.estimate(11)));
        r.accept(r.estimate(11));
        assert!(!r.is_fresh(r.estimate(11)));
    }

    #[test]
    fn a_packet_older_than_the_window_is_refused() {
        let mut r = ReplayState::new();
        r.accept(r.estimate(1000));
        assert!(!r.is_fresh(r.estimate(1000 - 64)));
        assert!(r.is_fresh(r.estimate(1000 - 63)));
    }

    #[test]
    fn the_roll_over_counter_advances_when_the_sequence_number_wraps() {
        let mut r = ReplayState::new();
        r.accept(r.estimate(65_534));
        let next = r.estimate(1);
        assert_eq!(next, (1 << 16) | 1);
        r.accept(next);
        // A late packet from before the wrap keeps the old roll-over counter.
        assert_eq!(r.estimate(65_535), 65_535);
    }
}
