//! Retransmission of a request (or a 2xx) over UDP until it is answered (RFC 3261 §17.1.1.2,
//! §17.1.2.2, §13.3.1.4), with a give-up time of the load tool's choosing.

use std::time::{Duration, Instant};

/// RFC 3261 §17.1.1.1: T1, the round-trip estimate.
pub const T1: Duration = Duration::from_millis(500);
/// RFC 3261 §17.1.1.1: T2, the cap on non-INVITE and 2xx retransmit intervals.
pub const T2: Duration = Duration::from_secs(4);

/// One message on the wire awaiting its answer.
#[derive(Debug, Clone)]
pub struct Outstanding {
    pub bytes: Vec<u8>,
    /// When the message was first sent: latency is measured from here.
    pub first_sent: Instant,
    next: Instant,
    interval: Duration,
    /// INVITE retransmissions double without a cap (Timer A); others cap at T2 (Timer E).
    capped: bool,
    give_up: Instant,
    /// Retransmissions stop (a provisional response arrived) but the wait goes on.
    quiet: bool,
    pub retransmits: u32,
}

/// What the timer says about an outstanding message.
#[derive(Debug, PartialEq, Eq)]
pub enum Due {
    Nothing,
    Resend,
    GiveUp,
}

impl Outstanding {
    pub fn new(bytes: Vec<u8>, now: Instant, invite: bool, timeout: Duration) -> Self {
        Outstanding {
            bytes,
            first_sent: now,
            next: now + T1,
            interval: T1,
            capped: !invite,
            give_up: now + timeout,
            quiet: false,
            retransmits: 0,
        }
    }

    /// A provisional response: an INVITE stops retransmitting (RFC 3261 §17.1.1.2).
    pub fn provisional(&mut self) {
        if !self.capped {
            self.quiet = true;
        }
    }

    pub fn poll(&mut self, now: Instant) -> Due {
        if now >= self.give_up {
            return Due::GiveUp;
        }
        if self.quiet || now < self.next {
            return Due::Nothing;
        }
        self.interval *= 2;
        if self.capped {
            self.interval = self.interval.min(T2);
        }
        self.next = now + self.interval;
        self.retransmits += 1;
        Due::Resend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_invite_intervals_double_up_to_t2_then_give_up() {
        let t0 = Instant::now();
        let mut o = Outstanding::new(Vec::new(), t0, false, Duration::from_secs(20));
        let mut resent_at = Vec::new();
        let mut now = t0;
        while now < t0 + Duration::from_secs(21) {
            match o.poll(now) {
                Due::Resend => resent_at.push((now - t0).as_millis()),
                Due::GiveUp => break,
                Due::Nothing => {}
            }
            now += Duration::from_millis(10);
        }
        // RFC 3261 §17.1.2.2: 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5 s.
        assert_eq!(resent_at, vec![500, 1500, 3500, 7500, 11500, 15500, 19500]);
        assert_eq!(o.retransmits, 7);
        assert_eq!(o.poll(now), Due::GiveUp);
    }

    #[test]
    fn a_provisional_response_silences_an_invite() {
        let t0 = Instant::now();
        let mut o = Outstanding::new(Vec::new(), t0, true, Duration::from_secs(32));
        assert_eq!(o.poll(t0 + T1), Due::Resend);
        o.provisional();
        assert_eq!(o.poll(t0 + Duration::from_secs(10)), Due::Nothing);
        assert_eq!(o.poll(t0 + Duration::from_secs(32)), Due::GiveUp);
    }
}
