//! How long packets must wait before playout, learnt from their arrival times.
//!
//! Each packet's *transit* is its arrival time minus its RTP timestamp, both in timestamp
//! units. The absolute value is meaningless (the two clocks have different origins) but
//! differences are not: the fastest packet in the recent past shows the network's base
//! delay, and how much later than that the others come shows the jitter. Playing every
//! frame at its timestamp plus the fastest transit plus a high quantile of that lateness
//! lets nearly every packet arrive in time while adding no more delay than needed.

/// Packets remembered: five seconds at 20 ms. Long enough to see a periodic delay spike
/// more than once, short enough that the delay falls again soon after the network calms.
const WINDOW: usize = 250;
/// Packets needed before the quantile is trusted over the configured initial delay.
const WARM_UP: usize = 16;
/// Share of recent packets the target delay lets through in time; the rest are concealed.
const QUANTILE: f64 = 0.97;
/// Packets after which the estimate is worked out again even if none stood out.
const REESTIMATE_EVERY: u32 = 8;

#[derive(Debug, Clone)]
pub(super) struct DelayEstimator {
    /// Recent transits, a ring of at most `WINDOW`.
    transits: Vec<i64>,
    next: usize,
    /// Reused for the quantile so estimating allocates nothing.
    scratch: Vec<i64>,
    /// Target delay and fastest transit, worked out as packets are recorded.
    estimate: Option<(i64, i64)>,
    /// Packets recorded since `estimate` was last worked out.
    since_estimate: u32,
    min_delay: i64,
    max_delay: i64,
    initial_delay: i64,
    /// RFC 3550 §6.4.1 interarrival jitter in timestamp units, scaled by 16 as in §A.8.
    jitter_x16: i64,
    last_transit: Option<i64>,
}

impl DelayEstimator {
    /// Delays in timestamp units; `min_delay <= initial_delay <= max_delay` is enforced,
    /// the maximum winning over a larger minimum.
    pub(super) fn new(min_delay: i64, initial_delay: i64, max_delay: i64) -> Self {
        let min_delay = min_delay.min(max_delay);
        DelayEstimator {
            transits: Vec::with_capacity(WINDOW),
            next: 0,
            scratch: Vec::with_capacity(WINDOW),
            estimate: None,
            since_estimate: 0,
            min_delay,
            max_delay,
            initial_delay: initial_delay.clamp(min_delay, max_delay),
            jitter_x16: 0,
            last_transit: None,
        }
    }

    /// Forgets all transits, e.g. after the sender's timestamps jumped; the jitter
    /// estimate is kept because the network did not change.
    pub(super) fn reset(&mut self) {
        self.transits.clear();
        self.next = 0;
        self.estimate = None;
        self.last_transit = None;
    }

    pub(super) fn record(&mut self, transit: i64) {
        let mut evicted = None;
        if self.transits.len() < WINDOW {
            self.transits.push(transit);
        } else if let Some(slot) = self.transits.get_mut(self.next) {
            evicted = Some(std::mem::replace(slot, transit));
        }
        self.next = (self.next + 1) % WINDOW;
        // The quantile moves little per packet, so it is worked out again only when this
        // packet could move it much: a new fastest or a late packet, the fastest leaving
        // the window, or every few packets to follow slow drifts.
        let stale = match self.estimate {
            None => true,
            Some((target, min)) => {
                transit < min
                    || transit > min.saturating_add(target)
                    || (evicted == Some(min) && transit != min)
                    || self.since_estimate >= REESTIMATE_EVERY
            }
        };
        if stale {
            self.estimate = self.compute();
            self.since_estimate = 0;
        } else {
            self.since_estimate += 1;
        }
        // RFC 3550 §A.8: J += (|D| - J) / 16, kept as 16·J in integers.
        if let Some(last) = self.last_transit {
            let d = transit.saturating_sub(last).saturating_abs();
            self.jitter_x16 += d.saturating_sub((self.jitter_x16 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    /// The smallest transit seen recently, if any packet was seen.
    pub(super) fn min_transit(&self) -> Option<i64> {
        self.estimate.map(|(_, min)| min)
    }

    /// The delay to add to the fastest transit, in timestamp units.
    pub(super) fn target(&self) -> i64 {
        self.estimate
            .map_or(self.initial_delay, |(target, _)| target)
    }

    /// RFC 3550 interarrival jitter in timestamp units, for receiver reports.
    pub(super) fn jitter(&self) -> u32 {
        u32::try_from(self.jitter_x16 >> 4).unwrap_or(u32::MAX)
    }

    fn compute(&mut self) -> Option<(i64, i64)> {
        let min = *self.transits.iter().min()?;
        self.scratch.clear();
        self.scratch
            .extend(self.transits.iter().map(|t| t.saturating_sub(min)));
        let rank = ((self.scratch.len() as f64 - 1.0) * QUANTILE).round() as usize;
        let rank = rank.min(self.scratch.len().saturating_sub(1));
        let (_, late, _) = self.scratch.select_nth_unstable(rank);
        let mut target = *late;
        if self.transits.len() < WARM_UP {
            target = target.max(self.initial_delay);
        }
        Some((target.clamp(self.min_delay, self.max_delay), min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_delay_holds_until_packets_are_seen() {
        let d = DelayEstimator::new(160, 480, 4000);
        assert_eq!(d.target(), 480);
        assert_eq!(d.min_transit(), None);
    }

    #[test]
    fn steady_network_settles_on_the_minimum_delay() {
        let mut d = DelayEstimator::new(160, 480, 4000);
        for _ in 0..100 {
            d.record(1000);
        }
        assert_eq!(d.target(), 160);
        assert_eq!(d.min_transit(), Some(1000));
        assert_eq!(d.jitter(), 0);
    }

    #[test]
    fn late_packets_raise_the_target_up_to_the_maximum() {
        let mut d = DelayEstimator::new(160, 480, 4000);
        for i in 0..100 {
            d.record(if i % 4 == 0 { 1800 } else { 1000 });
        }
        assert_eq!(d.target(), 800);
        assert!(d.jitter() > 100);
        for _ in 0..100 {
            d.record(100_000);
        }
        assert_eq!(d.target(), 4000);
    }
}
