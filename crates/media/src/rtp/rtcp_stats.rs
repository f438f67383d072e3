//! What a receiver counts about one source to fill its report block (RFC 3550 §A.1,
//! §A.3, §A.8), and the round trip a report block tells its sender (§6.4.1). Sans-IO:
//! arrival times are `Instant`s passed in.

use std::time::{Duration, Instant};

use super::rtcp_report::ReportBlock;

/// RFC 3550 §A.1: a jump ahead this large (in packets) is a restart, not a loss.
const MAX_DROPOUT: u16 = 3000;
/// RFC 3550 §A.1: a packet this far behind the highest is late, not a restart.
const MAX_MISORDER: u16 = 100;
const SEQ_MOD: u32 = 1 << 16;

/// Receive statistics for one source (its sequence numbers, arrival times and SRs).
#[derive(Debug, Clone)]
pub struct ReceiveStats {
    clock_rate: u32,
    /// Arrival times are counted from here in RTP timestamp units (§A.8).
    epoch: Option<Instant>,
    max_seq: u16,
    /// Sequence number wrap-arounds, shifted into the high 16 bits (§A.1 `cycles`).
    cycles: u32,
    base_seq: u32,
    /// §A.1: the sequence number after a large jump; the next one in line confirms a
    /// restart of the source.
    bad_seq: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    /// Previous relative transit time, and the jitter estimate scaled by 16 (§A.8).
    transit: Option<i64>,
    jitter_x16: u32,
    /// Middle 32 bits of the NTP time of the last SR and when it arrived.
    last_sr: Option<(u32, Instant)>,
}

impl ReceiveStats {
    /// Statistics for a source whose RTP clock runs at `clock_rate` Hz.
    pub fn new(clock_rate: u32) -> Self {
        ReceiveStats {
            clock_rate: clock_rate.max(1),
            epoch: None,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: SEQ_MOD + 1,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            jitter_x16: 0,
            last_sr: None,
        }
    }

    /// Counts a packet with `sequence` and `timestamp` that arrived at `now`.
    pub fn on_packet(&mut self, now: Instant, sequence: u16, timestamp: u32) {
        if self.epoch.is_none() {
            self.epoch = Some(now);
            self.restart(sequence);
        } else if !self.update_sequence(sequence) {
            return;
        }
        self.received = self.received.wrapping_add(1);
        self.update_jitter(now, timestamp);
    }

    /// RFC 3550 §A.1 `init_seq`.
    fn restart(&mut self, sequence: u16) {
        self.base_seq = u32::from(sequence);
        self.max_seq = sequence;
        self.bad_seq = SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
    }

    /// RFC 3550 §A.1 `update_seq` (without the probation of a new source): false when
    /// the packet is not counted.
    fn update_sequence(&mut self, sequence: u16) -> bool {
        let delta = sequence.wrapping_sub(self.max_seq);
        if delta < MAX_DROPOUT {
            // In order, with a permissible gap.
            if sequence < self.max_seq {
                self.cycles = self.cycles.wrapping_add(SEQ_MOD);
            }
            self.max_seq = sequence;
        } else if u32::from(delta) <= SEQ_MOD - u32::from(MAX_MISORDER) {
            // A very large jump: a restart if the next packet follows this one.
            if u32::from(sequence) == self.bad_seq {
                self.restart(sequence);
            } else {
                self.bad_seq = (u32::from(sequence) + 1) & (SEQ_MOD - 1);
                return false;
            }
        }
        // Otherwise a duplicate or a reordered packet: counted, max unchanged.
        true
    }

    /// RFC 3550 §A.8: J += (|D| - J) / 16, with D the change in transit time.
    fn update_jitter(&mut self, now: Instant, timestamp: u32) {
        let Some(epoch) = self.epoch else {
            return;
        };
        let elapsed = now.saturating_duration_since(epoch);
        let arrival = (elapsed.as_micros() * u128::from(self.clock_rate) / 1_000_000) as u64 as u32;
        // Transit times are compared modulo 2^32, so timestamp wrap-around cancels out.
        let transit = i64::from(arrival.wrapping_sub(timestamp) as i32);
        if let Some(previous) = self.transit {
            let d = (transit - previous)
                .unsigned_abs()
                .min(u64::from(u32::MAX >> 4)) as u32;
            self.jitter_x16 = self
                .jitter_x16
                .wrapping_add(d)
                .wrapping_sub((self.jitter_x16 + 8) >> 4);
        }
        self.transit = Some(transit);
    }

    /// Notes an SR from this source (its NTP time), for the LSR and DLSR of our next
    /// report (§6.4.1).
    pub fn on_sender_report(&mut self, now: Instant, ntp: u64) {
        self.last_sr = Some(((ntp >> 16) as u32, now));
    }

    /// Whether any packet was counted yet.
    pub fn has_packets(&self) -> bool {
        self.epoch.is_some()
    }

    /// Extended highest sequence number received (§A.1).
    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected so far (§A.3).
    pub fn expected(&self) -> u32 {
        self.extended_max()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }

    /// Packets lost so far (§A.3); negative when duplicates arrived.
    pub fn cumulative_lost(&self) -> i64 {
        i64::from(self.expected()) - i64::from(self.received)
    }

    /// Interarrival jitter in RTP timestamp units.
    pub fn jitter(&self) -> u32 {
        self.jitter_x16 >> 4
    }

    /// Interarrival jitter as a duration.
    pub fn jitter_duration(&self) -> Duration {
        Duration::from_micros(u64::from(self.jitter()) * 1_000_000 / u64::from(self.clock_rate))
    }

    /// The report block for this source at `now`, which starts the next interval for
    /// the fraction lost (§A.3).
    pub fn report_block(&mut self, now: Instant, ssrc: u32) -> ReportBlock {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        // §A.3: zero when nothing was expected or more arrived than expected.
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / i64::from(expected_interval)).min(255) as u8
        };
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (lsr, to_fixed_16(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: self.cumulative_lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            highest_sequence: self.extended_max(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        }
    }
}

/// A duration in 1/65536 s, the unit of DLSR (§6.4.1).
fn to_fixed_16(d: Duration) -> u32 {
    (d.as_micros() * 65_536 / 1_000_000).min(u128::from(u32::MAX)) as u32
}

/// RFC 3550 §6.4.1: the round trip a report block shows its sender, who received it
/// when its NTP clock read `arrival_ntp`: A − LSR − DLSR. `None` without an SR echoed
/// or when the figures disagree (a negative round trip).
pub fn round_trip(arrival_ntp: u64, block: &ReportBlock) -> Option<Duration> {
    if block.last_sr == 0 {
        return None;
    }
    let a = (arrival_ntp >> 16) as u32;
    let rtt = a
        .wrapping_sub(block.last_sr)
        .wrapping_sub(block.delay_since_last_sr);
    // More than a minute is a wrapped negative value, not a real round trip.
    if rtt > 60 * 65_536 {
        return None;
    }
    Some(Duration::from_micros(u64::from(rtt) * 1_000_000 / 65_536))
}

/// An NTP-format (32.32 fixed point) clock tied to an `Instant`: the wall clock read at
/// `epoch`, advanced by the monotonic clock, so reports never go backwards.
#[derive(Debug, Clone, Copy)]
pub struct NtpClock {
    epoch: Instant,
    ntp_at_epoch: u64,
}

impl NtpClock {
    /// `since_1900` is the wall clock at `epoch` counted from the NTP era (1900).
    pub fn new(epoch: Instant, since_1900: Duration) -> Self {
        NtpClock {
            epoch,
            ntp_at_epoch: to_ntp(since_1900),
        }
    }

    /// The NTP time at `now`.
    pub fn at(&self, now: Instant) -> u64 {
        let elapsed = if now >= self.epoch {
            to_ntp(now - self.epoch)
        } else {
            0u64.wrapping_sub(to_ntp(self.epoch - now))
        };
        self.ntp_at_epoch.wrapping_add(elapsed)
    }
}

/// Seconds from 1900 (NTP) to 1970 (Unix).
pub const NTP_UNIX_OFFSET: Duration = Duration::from_secs(2_208_988_800);

fn to_ntp(d: Duration) -> u64 {
    let fraction = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
    (d.as_secs() << 32).wrapping_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS20: Duration = Duration::from_millis(20);

    /// Feeds `sequences` 20 ms apart (8 kHz clock, 160 per packet), arriving on time.
    fn feed(stats: &mut ReceiveStats, start: Instant, sequences: &[u16]) {
        for (i, &seq) in sequences.iter().enumerate() {
            let ts = u32::from(seq).wrapping_mul(160);
            stats.on_packet(start + MS20 * i as u32, seq, ts);
        }
    }

    #[test]
    fn the_extended_sequence_counts_cycles_across_wrap_around() {
        let t0 = Instant::now();
        let mut stats = ReceiveStats::new(8000);
        let seqs: Vec<u16> = (0..20).map(|i: u16| 65_530u16.wrapping_add(i)).collect();
        feed(&mut stats, t0, &seqs);
        assert_eq!(stats.extended_max(), (1 << 16) + 13);
        assert_eq!(stats.expected(), 20);
        assert_eq!(stats.cumulative_lost(), 0);
    }

    #[test]
    fn losses_and_the_fraction_lost_per_interval_follow_a_3() {
        let t0 = Instant::now();
        let mut stats = ReceiveStats::new(8000);
        // 100 expected across wrap-around, 10 missing.
        let seqs: Vec<u16> = (0..100u16)
            .filter(|i| i % 10 != 3)
            .map(|i| 65_500u16.wrapping_add(i))
            .collect();
        feed(&mut stats, t0, &seqs);
        let block = stats.report_block(t0 + Duration::from_secs(2), 5);
        assert_eq!(block.cumulative_lost, 10);
        assert_eq!(block.fraction_lost, (10 * 256 / 100) as u8);
        assert_eq!(block.highest_sequence, (1 << 16) + 63);
        // The next interval: 50 more, none lost.
        let more: Vec<u16> = (100..150u16).map(|i| 65_500u16.wrapping_add(i)).collect();
        feed(&mut stats, t0 + Duration::from_secs(2), &more);
        let block = stats.report_block(t0 + Duration::from_secs(4), 5);
        assert_eq!(block.fraction_lost, 0);
        assert_eq!(block.cumulative_lost, 10);
    }

    #[test]
    fn a_reordered_packet_counts_as_received_and_duplicates_make_loss_negative() {
        let t0 = Instant::now();
        let mut stats = ReceiveStats::new(8000);
        feed(&mut stats, t0, &[10, 11, 13, 14, 12, 15]);
        assert_eq!(stats.extended_max(), 15);
        assert_eq!(stats.cumulative_lost(), 0);
        feed(&mut stats, t0, &[15, 15]);
        assert_eq!(stats.cumulative_lost(), -2);
        let block = stats.report_block(t0, 1);
        assert_eq!(block.fraction_lost, 0);
        assert_eq!(block.cumulative_lost, -2);
    }

    #[test]
    fn a_large_jump_is_a_restart_only_when_the_next_packet_follows_it() {
        let t0 = Instant::now();
        let mut stats = ReceiveStats::new(8000);
        feed(&mut stats, t0, &[100, 101, 102]);
        // A stray packet far ahead is not counted.
        feed(&mut stats, t0, &[20_000]);
        assert_eq!(stats.extended_max(), 102);
        feed(&mut stats, t0, &[103]);
        assert_eq!(stats.extended_max(), 103);
        // Two in a row far ahead: the source restarted.
        feed(&mut stats, t0, &[40_000, 40_001]);
        assert_eq!(stats.extended_max(), 40_001);
        assert_eq!(stats.expected(), 1);
        assert_eq!(stats.cumulative_lost(), 0);
    }

    #[test]
    fn jitter_is_zero_on_time_and_follows_a_8_with_delays() {
        let t0 = Instant::now();
        let mut steady = ReceiveStats::new(8000);
        let seqs: Vec<u16> = (0..50).collect();
        feed(&mut steady, t0, &seqs);
        assert_eq!(steady.jitter(), 0);

        // Every other packet 10 ms (80 units) late: |D| = 80 each time, so J tends to 80.
        let mut jittery = ReceiveStats::new(8000);
        let mut expected_x16: u32 = 0;
        for i in 0..200u16 {
            let late = if i % 2 == 1 {
                Duration::from_millis(10)
            } else {
                Duration::ZERO
            };
            jittery.on_packet(t0 + MS20 * u32::from(i) + late, i, u32::from(i) * 160);
            if i > 0 {
                expected_x16 = expected_x16 + 80 - ((expected_x16 + 8) >> 4);
            }
        }
        assert_eq!(jittery.jitter(), expected_x16 >> 4);
        assert!((75..=80).contains(&jittery.jitter()));
        assert_eq!(
            jittery.jitter_duration().as_millis(),
            u128::from(jittery.jitter() / 8)
        );
    }

    #[test]
    fn the_round_trip_is_arrival_less_lsr_less_dlsr() {
        let t0 = Instant::now();
        let clock = NtpClock::new(t0, NTP_UNIX_OFFSET + Duration::from_secs(1_700_000_000));
        // We sent an SR at t0; the far end held it 1 s and its report came back at
        // t0 + 1.25 s: 250 ms round trip.
        let sr_ntp = clock.at(t0);
        let mut far = ReceiveStats::new(8000);
        far.on_sender_report(t0 + Duration::from_millis(125), sr_ntp);
        let block = far.report_block(t0 + Duration::from_millis(1125), 1);
        assert_eq!(block.last_sr, (sr_ntp >> 16) as u32);
        let rtt = round_trip(clock.at(t0 + Duration::from_millis(1250)), &block).unwrap();
        assert!(rtt.abs_diff(Duration::from_millis(250)) < Duration::from_millis(1));
        // No SR echoed: no round trip.
        assert_eq!(round_trip(clock.at(t0), &ReportBlock::default()), None);
    }
}
