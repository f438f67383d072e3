//! The jitter buffer's state: where playout is, and the packets waiting for it.

use std::time::{Duration, Instant};

use super::delay::DelayEstimator;
use super::slots::{Slots, Stored};
use super::{Arrival, JitterConfig, JitterStats, Playout};
use crate::rtp::RtpPacket;

/// Larger payloads are not audio frames (an Ethernet MTU less headers is the most a
/// phone sends).
const MAX_PAYLOAD: usize = 1500;
/// Frames the ring holds beyond the maximum delay, for packets that arrive early.
const AHEAD: i64 = 8;
/// Most frames the ring ever holds: ten seconds of 20 ms packets.
const MAX_SLOTS: i64 = 512;
/// Width of the duplicate-detection window, in packets.
const SEEN_WINDOW: i64 = 128;
/// RFC 3550 §A.1: sequence numbers further ahead than this, or further behind than
/// `MAX_MISORDER`, are a jump, not loss or reordering.
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;

/// An adaptive jitter buffer for one RTP stream.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    clock_rate: u32,
    /// Timestamp units per frame.
    frame_ts: i64,
    /// A transit this far from the stream's can only be a timestamp jump.
    jump_limit: i64,
    slots: Slots,
    delay: DelayEstimator,
    stream: Option<Stream>,
    stats: JitterStats,
    /// Packets lost in streams before the last restart.
    lost_before: u64,
}

/// One SSRC's timeline, from its first packet (or the last timestamp jump) on.
#[derive(Debug, Clone)]
struct Stream {
    ssrc: u32,
    /// Arrival of the first packet: arrival times count from here.
    epoch: Instant,
    /// Raw and extended timestamp of the newest packet, to unwrap the next ones.
    ts_anchor: (u32, i64),
    /// Raw and extended sequence number of the newest packet.
    seq_anchor: (u16, i64),
    /// RFC 3550 §A.1: after a sequence jump, the number the next packet must have for
    /// the jump to be believed (two packets in a row) and the stream restarted.
    bad_seq: Option<u16>,
    /// Bit i set: sequence number `seq_anchor.1 - i` was received.
    seen: u128,
    /// Extended sequence number of the first packet: its own, so extended numbers stay
    /// equal to the wire's modulo 2^16.
    base_seq: i64,
    /// Distinct packets received.
    received: u64,
    /// Frame position (extended timestamp / frame length) of the next frame to play.
    playout: i64,
    /// False while the first packets wait for the initial delay to pass.
    started: bool,
    last_played_seq: Option<i64>,
}

impl Stream {
    fn lost(&self) -> u64 {
        let expected = self.seq_anchor.1 - self.base_seq + 1;
        let expected = u64::try_from(expected).unwrap_or(0);
        expected.saturating_sub(self.received)
    }
}

impl JitterBuffer {
    pub fn new(config: JitterConfig) -> Self {
        let clock_rate = config.clock_rate.max(1);
        let units = |d: Duration| duration_units(d, clock_rate);
        let frame_ts = units(config.frame).max(1);
        // Bounded so that a nonsense packet time (e.g. `a=ptime:0` from a peer) cannot
        // ask for millions of slots; the delay then never exceeds what the ring holds.
        let max_frames = (units(config.max_delay) / frame_ts).clamp(1, MAX_SLOTS - 1 - AHEAD);
        let max_delay = max_frames * frame_ts;
        let capacity = max_frames + 1 + AHEAD;
        JitterBuffer {
            clock_rate,
            frame_ts,
            jump_limit: (2 * max_delay).max(units(Duration::from_secs(2))),
            slots: Slots::new(usize::try_from(capacity).unwrap_or(64)),
            delay: DelayEstimator::new(
                units(config.min_delay),
                units(config.initial_delay),
                max_delay,
            ),
            stream: None,
            stats: JitterStats::default(),
            lost_before: 0,
        }
    }

    /// Takes a packet that arrived at `now`.
    pub fn push(&mut self, now: Instant, packet: &RtpPacket<'_>) -> Arrival {
        if packet.payload.len() > MAX_PAYLOAD {
            return Arrival::Refused;
        }
        let Some(stream) = self.stream.as_mut().filter(|s| s.ssrc == packet.ssrc) else {
            // RFC 3550 §8.2: a new SSRC is a new source with its own sequence and timing.
            return self.restart(now, packet);
        };
        let delta = packet.sequence.wrapping_sub(stream.seq_anchor.0);
        if (MAX_DROPOUT..=u16::MAX - MAX_MISORDER).contains(&delta) {
            // RFC 3550 §A.1: a sender that restarted its numbering is believed once two
            // packets in a row follow the new numbering; a lone stray packet is dropped.
            if stream.bad_seq == Some(packet.sequence) {
                return self.restart(now, packet);
            }
            stream.bad_seq = Some(packet.sequence.wrapping_add(1));
            return Arrival::Refused;
        }
        stream.bad_seq = None;
        let seq = stream.seq_anchor.1 + i64::from(delta as i16);
        let ts = stream.ts_anchor.1
            + i64::from(packet.timestamp.wrapping_sub(stream.ts_anchor.0) as i32);
        let newer = seq > stream.seq_anchor.1;
        let transit = arrival_units(now, stream.epoch, self.clock_rate) - ts;
        let consistent = self
            .delay
            .min_transit()
            .is_none_or(|min| transit.abs_diff(min) <= self.jump_limit.unsigned_abs());
        if !consistent || ts.rem_euclid(self.frame_ts) != 0 {
            // The sender's timestamps jumped (a new timeline, or one off our frame grid):
            // follow it if the packet is newer, drop it if it is a straggler from before.
            return if newer {
                self.restart(now, packet)
            } else {
                Arrival::Refused
            };
        }

        let behind = stream.seq_anchor.1 - seq;
        if behind >= SEEN_WINDOW {
            self.stats.late += 1;
            return Arrival::Late;
        }
        if behind >= 0 && stream.seen & (1u128 << behind) != 0 {
            self.stats.duplicates += 1;
            return Arrival::Duplicate;
        }
        if newer {
            let ahead = seq - stream.seq_anchor.1;
            stream.seen = if ahead >= SEEN_WINDOW {
                0
            } else {
                stream.seen << ahead
            };
            stream.seen |= 1;
            stream.seq_anchor = (packet.sequence, seq);
            stream.ts_anchor = (packet.timestamp, ts);
        } else {
            stream.seen |= 1u128 << behind;
        }
        stream.received += 1;
        self.stats.received += 1;
        self.delay.record(transit);

        let position = ts / self.frame_ts;
        if position < stream.playout {
            let span_ok = self
                .slots
                .span()
                .is_none_or(|(_, hi)| hi < position + self.slots.capacity());
            if stream.started || !span_ok {
                self.stats.late += 1;
                return Arrival::Late;
            }
            // Still filling: an earlier packet overtaken by a later one starts playout.
            stream.playout = position;
        }
        if position >= stream.playout + self.slots.capacity() {
            // Consistent timing yet far ahead: playout fell behind (no pops for a
            // while). Catch up to where the estimate says playout should be.
            let ideal = self.ideal_position(now);
            if let Some(stream) = self.stream.as_mut() {
                stream.playout = ideal
                    .max(position + 1 - self.slots.capacity())
                    .min(position);
                self.stats.discarded += self.slots.retain_window(stream.playout);
            }
        }
        let stored = self.slots.store(
            position,
            seq,
            packet.timestamp,
            packet.marker,
            packet.payload,
        );
        if stored == Stored::Duplicate {
            // Another packet already holds this frame's timestamp; the first one wins.
            self.stats.duplicates += 1;
            return Arrival::Duplicate;
        }
        Arrival::Buffered
    }

    /// The frame to play at `now`; call once per frame interval.
    pub fn pop(&mut self, now: Instant) -> Playout<'_> {
        let ideal_ts = self.ideal_ts(now);
        let frame = self.frame_ts;
        let capacity = self.slots.capacity();
        let Some(stream) = self.stream.as_mut() else {
            return Playout::Waiting;
        };
        let Some(ideal_ts) = ideal_ts else {
            return Playout::Waiting;
        };
        if !stream.started {
            if self.slots.get(stream.playout).is_none() {
                // Playout was moved past the first packets: start from the next one held.
                if let Some(next) = self
                    .slots
                    .next_after(stream.playout)
                    .and_then(|s| s.position)
                {
                    stream.playout = next;
                }
            }
            if self.slots.get(stream.playout).is_none() || stream.playout * frame > ideal_ts {
                return Playout::Waiting;
            }
            stream.started = true;
        }
        // err > 0: playing earlier than the target delay allows; err < 0: later.
        let mut err = stream.playout * frame - ideal_ts;
        if err.abs() > capacity * frame {
            stream.playout = ideal_ts.div_euclid(frame);
            self.stats.discarded += self.slots.retain_window(stream.playout);
            err = stream.playout * frame - ideal_ts;
        }

        let mut position = stream.playout;
        let filled = self.slots.get(position).is_some();
        let next_here = self.slots.get(position + 1).is_some();
        if filled && err <= -frame {
            // A whole frame more delay than the target (e.g. once the start-up delay
            // gave way to the measured one): drop one frame to catch up. Waiting for
            // two would leave a perfect network a frame above its floor for good.
            self.slots.remove(position);
            self.stats.discarded += 1;
            position += 1;
        } else if !filled && err <= -frame && next_here {
            // A gap while a whole frame late: skip it, the cheapest frame to drop.
            position += 1;
        } else if (!filled && err > 0 && !next_here) || (filled && err > 2 * frame) {
            // Ahead of the target with nothing after the gap here either: the packets
            // are late, not lost; hold this frame back one tick so a late packet may
            // still fill it, and the delay grows as the measured jitter asks. A gap
            // with the next packet already here is a loss (or a packet overtaken): it
            // is played as lost below, where the codec conceals it (Opus from the next
            // packet's FEC) instead of a frame of concealment being inserted now and a
            // frame dropped later to win the delay back, two jumps for one loss.
            self.stats.concealed += 1;
            return Playout::Lost;
        }
        stream.playout = position + 1;

        if self.slots.get(position).is_some() {
            return match self.slots.take(position) {
                Some(slot) => {
                    stream.last_played_seq = Some(slot.sequence);
                    Playout::Packet {
                        payload: &slot.payload,
                        sequence: slot.sequence as u16,
                        timestamp: slot.timestamp,
                        marker: slot.marker,
                    }
                }
                None => Playout::Lost,
            };
        }
        self.stats.concealed += 1;
        let next = self.slots.next_after(position).map(|s| s.sequence);
        match (stream.last_played_seq, next) {
            // RFC 3551 §4.1: consecutive sequence numbers around a timestamp gap mean
            // the sender paused (silence suppression), not that packets were lost.
            (Some(last), Some(next)) if next == last + 1 => Playout::Silence,
            _ => Playout::Lost,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> JitterStats {
        let current = self.stream.as_ref().map_or(0, Stream::lost);
        JitterStats {
            lost: self.lost_before + current,
            jitter: self.delay.jitter(),
            ..self.stats
        }
    }

    /// The RTP timestamp of the frame the next [`pop`](Self::pop) plays, once playout has
    /// started. A caller compares it before and after a pop that returned
    /// [`Playout::Lost`]: unchanged means the buffer held playout back a tick (a frame
    /// of concealment inserted to grow its delay), not that a frame was lost; moved on
    /// means the frame just before it was the one lost.
    pub fn next_timestamp(&self) -> Option<u32> {
        let stream = self.stream.as_ref().filter(|s| s.started)?;
        let ext = stream.playout * self.frame_ts;
        let offset = ext.wrapping_sub(stream.ts_anchor.1);
        Some(stream.ts_anchor.0.wrapping_add(offset as u32))
    }

    /// The delay currently aimed at, beyond the fastest packets' transit.
    pub fn target_delay(&self) -> Duration {
        let units = u64::try_from(self.delay.target()).unwrap_or(0);
        Duration::from_micros(units.saturating_mul(1_000_000) / u64::from(self.clock_rate))
    }

    /// Starts a new timeline with `packet` as its first frame.
    fn restart(&mut self, now: Instant, packet: &RtpPacket<'_>) -> Arrival {
        let first = match self.stream.take() {
            Some(old) => {
                self.lost_before += old.lost();
                self.stats.discarded += self.slots.clear();
                self.stats.resyncs += 1;
                self.delay.reset();
                false
            }
            None => true,
        };
        self.stream = Some(Stream {
            ssrc: packet.ssrc,
            epoch: now,
            ts_anchor: (packet.timestamp, 0),
            seq_anchor: (packet.sequence, i64::from(packet.sequence)),
            base_seq: i64::from(packet.sequence),
            bad_seq: None,
            seen: 1,
            received: 1,
            playout: 0,
            started: false,
            last_played_seq: None,
        });
        self.stats.received += 1;
        self.delay.record(0);
        let seq = i64::from(packet.sequence);
        self.slots
            .store(0, seq, packet.timestamp, packet.marker, packet.payload);
        if first {
            Arrival::Buffered
        } else {
            Arrival::Resynced
        }
    }

    /// The extended timestamp that should be playing at `now`: the fastest transit plus
    /// the target delay ago.
    fn ideal_ts(&self, now: Instant) -> Option<i64> {
        let stream = self.stream.as_ref()?;
        let arrival = arrival_units(now, stream.epoch, self.clock_rate);
        let min = self.delay.min_transit()?;
        Some(arrival - min - self.delay.target())
    }

    fn ideal_position(&self, now: Instant) -> i64 {
        self.ideal_ts(now).unwrap_or(0).div_euclid(self.frame_ts)
    }
}

/// `d` in units of a `clock_rate` Hz clock.
fn duration_units(d: Duration, clock_rate: u32) -> i64 {
    let units = d.as_nanos().saturating_mul(u128::from(clock_rate)) / 1_000_000_000;
    i64::try_from(units).unwrap_or(i64::MAX / 4)
}

/// Time since `epoch` in timestamp units; times before it count as zero.
fn arrival_units(now: Instant, epoch: Instant, clock_rate: u32) -> i64 {
    duration_units(now.saturating_duration_since(epoch), clock_rate)
}
