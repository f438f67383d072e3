//! RFC 3261 §17 timers as a table: each transaction keeps the deadline of every timer it
//! has running, and the endpoint's next wake-up is the earliest of them.

use std::time::{Duration, Instant};

use crate::Transport;

/// The transaction timers (RFC 3261 Table 4, RFC 6026 §8.11), plus the two the
/// transaction layer runs on behalf of the TU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// INVITE client: retransmit the request (unreliable only), doubling each time.
    A,
    /// INVITE client: give up waiting for any response.
    B,
    /// INVITE client: absorb retransmitted final responses in Completed.
    D,
    /// Non-INVITE client: retransmit the request (unreliable only), capped at T2.
    E,
    /// Non-INVITE client: give up waiting for a final response.
    F,
    /// INVITE server: retransmit the non-2xx final response (unreliable only).
    G,
    /// INVITE server: give up waiting for the ACK of a non-2xx final response.
    H,
    /// INVITE server: absorb ACK retransmissions in Confirmed.
    I,
    /// Non-INVITE server: absorb request retransmissions in Completed.
    J,
    /// Non-INVITE client: absorb response retransmissions in Completed.
    K,
    /// INVITE server (RFC 6026 §7.1): leave Accepted. If the 2xx was never ACKed by
    /// then, the TU hears of it so it can tear the call down (RFC 3261 §13.3.1.4).
    L,
    /// INVITE client (RFC 6026 §7.2): leave Accepted, where forked 2xx are passed up.
    M,
    /// INVITE client after CANCEL: give up on a final response that never comes
    /// (§9.1: "64*T1 seconds").
    Cancelled,
    /// INVITE server: send 100 Trying if the TU has not answered yet (§17.2.1).
    Trying,
    /// INVITE server in Accepted: retransmit the 2xx until its ACK arrives
    /// (§13.3.1.4, unreliable only), T1 doubling up to T2.
    Retransmit2xx,
}

/// The base intervals. RFC 3261 §17.1.1.1 lets them be tuned, e.g. a larger T1 on a
/// high-latency trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip estimate; 500 ms by default.
    pub t1: Duration,
    /// Cap on request and response retransmission intervals; 4 s by default.
    pub t2: Duration,
    /// Maximum time a message stays in the network; 5 s by default.
    pub t4: Duration,
    /// How long an INVITE may wait for the TU before the transaction sends 100 Trying
    /// itself (§17.2.1: "200 ms").
    pub trying_delay: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            trying_delay: Duration::from_millis(200),
        }
    }
}

impl TimerConfig {
    /// The first interval of `timer` on `transport`. `None` means the timer does not run
    /// at all (retransmission timers on reliable transports); `Some(ZERO)` means the
    /// state it guards ends at once (Table 4: "0s for reliable transports").
    pub fn initial(&self, timer: Timer, transport: Transport) -> Option<Duration> {
        let reliable = transport.is_reliable();
        let sixty_four_t1 = self.t1.saturating_mul(64);
        let unreliable_only = |d: Duration| (!reliable).then_some(d);
        let zero_if_reliable = |d: Duration| Some(if reliable { Duration::ZERO } else { d });
        match timer {
            Timer::A | Timer::E | Timer::G | Timer::Retransmit2xx => unreliable_only(self.t1),
            Timer::B | Timer::F | Timer::H | Timer::L | Timer::M | Timer::Cancelled => {
                Some(sixty_four_t1)
            }
            // "at least 32 s for unreliable transports".
            Timer::D => zero_if_reliable(sixty_four_t1.max(Duration::from_secs(32))),
            Timer::I | Timer::K => zero_if_reliable(self.t4),
            Timer::J => zero_if_reliable(sixty_four_t1),
            Timer::Trying => Some(self.trying_delay),
        }
    }

    /// The interval after `previous` for a retransmission timer: A doubles without a
    /// cap (§17.1.1.2); E, G and the 2xx retransmission double up to T2
    /// (§17.1.2.2, §17.2.1, §13.3.1.4).
    pub fn backoff(&self, timer: Timer, previous: Duration) -> Duration {
        let doubled = previous.saturating_mul(2);
        match timer {
            Timer::A => doubled,
            _ => doubled.min(self.t2),
        }
    }
}

/// How many timers one transaction runs at once: never more than two (A and B, G and
/// H, L and the 2xx retransmission); one spare.
const SLOTS: usize = 3;

/// The running timers of one transaction: which, when, and for the retransmission
/// timers the interval that set them (to double it next time). A handful of inline
/// slots rather than one per timer keeps each transaction small; a busy registrar holds
/// hundreds of thousands of them through Timer J.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable {
    slots: [Option<(Timer, Instant, Duration)>; SLOTS],
}

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, from: Instant, interval: Duration) -> Instant {
        let at = from + interval;
        let index = self
            .slots
            .iter()
            .position(|s| matches!(s, Some((t, _, _)) if *t == timer))
            .or_else(|| self.slots.iter().position(Option::is_none))
            // Unreachable with the state machines as written; replacing the last slot
            // keeps the table bounded if that ever changes.
            .unwrap_or(SLOTS - 1);
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some((timer, at, interval));
        }
        at
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        for slot in &mut self.slots {
            if matches!(slot, Some((t, _, _)) if *t == timer) {
                *slot = None;
            }
        }
    }

    pub(crate) fn stop_all(&mut self) {
        self.slots = [None; SLOTS];
    }

    pub(crate) fn deadline(&self, timer: Timer) -> Option<Instant> {
        self.find(timer).map(|(_, at, _)| at)
    }

    pub(crate) fn interval(&self, timer: Timer) -> Duration {
        self.find(timer).map(|(_, _, d)| d).unwrap_or_default()
    }

    /// The earliest running timer.
    pub(crate) fn next(&self) -> Option<(Timer, Instant)> {
        self.slots
            .iter()
            .flatten()
            .min_by_key(|(_, at, _)| *at)
            .map(|(t, at, _)| (*t, *at))
    }

    fn find(&self, timer: Timer) -> Option<(Timer, Instant, Duration)> {
        self.slots
            .iter()
            .flatten()
            .find(|(t, _, _)| *t == timer)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reliable_transports_have_no_retransmissions_and_zero_waits() {
        let c = TimerConfig::default();
        for t in [Timer::A, Timer::E, Timer::G, Timer::Retransmit2xx] {
            assert_eq!(c.initial(t, Transport::Tcp), None);
            assert_eq!(c.initial(t, Transport::Udp), Some(c.t1));
        }
        for t in [Timer::D, Timer::I, Timer::J, Timer::K] {
            assert_eq!(c.initial(t, Transport::Tls), Some(Duration::ZERO));
            assert_ne!(c.initial(t, Transport::Udp), Some(Duration::ZERO));
        }
        assert_eq!(c.initial(Timer::B, Transport::Tcp), Some(c.t1 * 64));
        assert_eq!(
            c.initial(Timer::D, Transport::Udp),
            Some(Duration::from_secs(32))
        );
    }

    #[test]
    fn backoff_caps_all_but_timer_a() {
        let c = TimerConfig::default();
        assert_eq!(
            c.backoff(Timer::A, Duration::from_secs(4)),
            Duration::from_secs(8)
        );
        assert_eq!(c.backoff(Timer::E, Duration::from_secs(4)), c.t2);
        assert_eq!(
            c.backoff(Timer::G, Duration::from_secs(1)),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn table_reports_earliest() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        table.set(Timer::B, t0, Duration::from_secs(32));
        table.set(Timer::A, t0, Duration::from_millis(500));
        assert_eq!(
            table.next(),
            Some((Timer::A, t0 + Duration::from_millis(500)))
        );
        table.stop(Timer::A);
        assert_eq!(table.next().map(|(t, _)| t), Some(Timer::B));
        table.stop_all();
        assert_eq!(table.next(), None);
    }
}
