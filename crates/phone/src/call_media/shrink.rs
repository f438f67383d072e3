//! Winning back delay the speaker side gathered. When the speaker runs dry (a poll
//! served late on a loaded machine), the frames after the gap play that much later for
//! good: the call's playout clock advances a frame per frame played, so the jitter
//! buffer keeps the gap's worth of packets above its target and never sees a reason
//! to drop one (nor does it for less than a frame of excess). What it holds above its
//! target shows in how long each packet waited between arriving and being played,
//! beyond the target delay (audio queued in the speaker's ring above what the pacer
//! asks shows there too, as the writes, and so the pops, come later). When the least
//! of that excess over a window stays above a few milliseconds, the audio is played
//! out faster, without a click:
//!
//! - a whole frame is dropped when it is quiet (a pause in the speech) and a frame or
//!   more is to be won back;
//! - otherwise the frame is shortened by a multiple of its own period: the start of
//!   the frame is cross-faded into the same stretch one period later (the period
//!   found by normalized correlation, as time-scale modifiers such as WSOLA do), so a
//!   voiced sound or a tone keeps its pitch and the splice has no jump. Frames that
//!   do not repeat themselves (noise, onsets) are left alone.
//!
//! Each frame shortened is heard a few milliseconds earlier than it would have been;
//! a pause costs nothing. All buffers are allocated when the call starts.

use std::time::{Duration, Instant};

/// Lag below this is the normal play of polls against the device's buffers.
const TOLERATED: Duration = Duration::from_millis(4);
/// The window over which the least lag is taken: longer than a device's buffers and
/// the poll, short enough to come back within a few seconds.
const WINDOW: Duration = Duration::from_millis(500);
/// Arrival times remembered, by RTP timestamp: more than the jitter buffer holds.
const ARRIVALS: usize = 32;
/// Frames quieter than this (RMS, 16-bit) can be dropped whole: about -50 dBFS.
const QUIET_RMS: f64 = 100.0;
/// The least repetition that makes a splice inaudible.
const MIN_CORRELATION: f64 = 0.6;
/// Periods searched, in microseconds of audio: voiced speech repeats every 2.5 to 15 ms.
const MIN_PERIOD_US: u64 = 2_500;
const MAX_PERIOD_US: u64 = 10_000;
/// The cross-fade across a splice.
const FADE_US: u64 = 5_000;

/// What the shrinker did to a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shrink {
    /// Play it as it is.
    Keep,
    /// It is quiet and a frame is to be won back: play the next one in its place.
    DropFrame,
}

#[derive(Debug, Clone)]
pub(super) struct Shrinker {
    rate: u32,
    /// Start of the current window and the least lag seen in it.
    window: Option<(Instant, Duration)>,
    /// Delay still to be won back.
    owed: Duration,
    /// The excess of the frame played last: never more than this is won back at once.
    lag: Duration,
    /// Of that, what the jitter buffer holds: a frame is dropped whole only from there,
    /// so it is never asked for a frame before it is due.
    held: Duration,
    /// Audio queued for the speaker beyond what its pacing asks, told by the caller.
    queued: Duration,
    /// The frame being shortened, reused.
    scratch: Vec<i16>,
    /// Audio won back so far (for the call's statistics).
    removed: Duration,
    /// When recent packets arrived, by RTP timestamp; a fixed ring.
    arrivals: [(u32, Option<Instant>); ARRIVALS],
    next_arrival: usize,
}

impl Shrinker {
    pub(super) fn new(rate: u32, frame_samples: usize) -> Self {
        Shrinker {
            rate: rate.max(1),
            window: None,
            owed: Duration::ZERO,
            lag: Duration::ZERO,
            held: Duration::ZERO,
            queued: Duration::ZERO,
            scratch: Vec::with_capacity(frame_samples),
            removed: Duration::ZERO,
            arrivals: [(0, None); ARRIVALS],
            next_arrival: 0,
        }
    }

    /// Notes that the packet for `timestamp` arrived at `now`.
    pub(super) fn arrived(&mut self, timestamp: u32, now: Instant) {
        if let Some(slot) = self.arrivals.get_mut(self.next_arrival % ARRIVALS) {
            *slot = (timestamp, Some(now));
        }
        self.next_arrival = (self.next_arrival + 1) % ARRIVALS;
    }

    /// How long the packet for `timestamp` waited until `now`, when it is remembered.
    pub(super) fn waited(&self, timestamp: u32, now: Instant) -> Option<Duration> {
        self.arrivals
            .iter()
            .find(|(ts, at)| *ts == timestamp && at.is_some())
            .and_then(|(_, at)| *at)
            .map(|at| now.saturating_duration_since(at))
    }

    /// Audio won back so far.
    pub(super) fn removed(&self) -> Duration {
        self.removed
    }

    /// Notes the audio queued for the speaker beyond what its pacing asks.
    pub(super) fn queued(&mut self, excess: Duration) {
        self.queued = excess;
    }

    /// Notes how much longer than the jitter buffer's target the frame played at `now`
    /// waited (`held`); with the speaker's queue, that is the excess. At the end of
    /// each window whose least excess stayed above what polling explains, that excess
    /// is owed. With network jitter, late packets wait less, so the least errs on the
    /// side of owing nothing.
    pub(super) fn observe(&mut self, now: Instant, held: Duration) {
        self.held = held;
        let lag = held + self.queued;
        self.lag = lag;
        let (start, least) = *self.window.get_or_insert((now, lag));
        let least = least.min(lag);
        if now.saturating_duration_since(start) < WINDOW {
            self.window = Some((start, least));
            return;
        }
        self.window = Some((now, lag));
        // Owed only what is left above the tolerance once the last debt is paid.
        if self.owed.is_zero() && least > TOLERATED {
            self.owed = least - TOLERATED / 2;
        }
    }

    /// Decides on a frame about to be played (`frame_len` long).
    pub(super) fn decide(&self, pcm: &[i16], frame: Duration) -> Shrink {
        if self.owed >= frame && self.held >= frame + TOLERATED / 2 && rms(pcm) < QUIET_RMS {
            Shrink::DropFrame
        } else {
            Shrink::Keep
        }
    }

    /// A frame dropped whole.
    pub(super) fn dropped(&mut self, frame: Duration) {
        self.owed = self.owed.saturating_sub(frame);
        self.removed += frame;
    }

    /// Shortens `pcm` in place by up to what is owed, when it repeats itself closely
    /// enough to splice without a click.
    pub(super) fn compress(&mut self, pcm: &mut Vec<i16>) {
        let owed = self.samples(self.owed.min(self.lag.saturating_sub(TOLERATED / 2)));
        let min = self.samples_us(MIN_PERIOD_US);
        if owed < min {
            if self.owed < self.lag {
                // What is left is within what polling explains.
                self.owed = Duration::ZERO;
            }
            return;
        }
        let fade = self.samples_us(FADE_US);
        let max = self
            .samples_us(MAX_PERIOD_US)
            .min(owed)
            .min(pcm.len().saturating_sub(fade));
        let Some(period) = best_period(pcm, min, max, fade) else {
            return;
        };
        splice(pcm, period, fade, &mut self.scratch);
        let won = Duration::from_micros(period as u64 * 1_000_000 / u64::from(self.rate));
        self.owed = self.owed.saturating_sub(won);
        self.removed += won;
    }

    fn samples(&self, d: Duration) -> usize {
        (d.as_micros() * u128::from(self.rate) / 1_000_000) as usize
    }

    fn samples_us(&self, us: u64) -> usize {
        (us * u64::from(self.rate) / 1_000_000) as usize
    }
}

fn rms(pcm: &[i16]) -> f64 {
    let sum: f64 = pcm.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / pcm.len().max(1) as f64).sqrt()
}

/// The shift in `min..=max` at which the frame's first `fade` samples best match
/// those that follow, when that match is close enough.
fn best_period(pcm: &[i16], min: usize, max: usize, fade: usize) -> Option<usize> {
    let head = pcm.get(..fade)?;
    let head_energy: f64 = head.iter().map(|&s| f64::from(s).powi(2)).sum();
    if head_energy == 0.0 {
        // Digital silence repeats at any shift: take the longest.
        return (max >= min && pcm.len() >= max + fade).then_some(max);
    }
    let mut best: Option<(usize, f64)> = None;
    for shift in min..=max {
        let Some(later) = pcm.get(shift..shift + fade) else {
            break;
        };
        let (mut dot, mut energy) = (0.0, 0.0);
        for (&a, &b) in head.iter().zip(later) {
            dot += f64::from(a) * f64::from(b);
            energy += f64::from(b).powi(2);
        }
        let corr = dot / (head_energy * energy).sqrt().max(1.0);
        if best.is_none_or(|(_, c)| corr > c) {
            best = Some((shift, corr));
        }
    }
    best.filter(|&(_, c)| c >= MIN_CORRELATION)
        .map(|(shift, _)| shift)
}

/// Removes `shift` samples from the start of `pcm`: its first `fade` samples fade out
/// while those `shift` later fade in, then the rest follows from there.
fn splice(pcm: &mut Vec<i16>, shift: usize, fade: usize, scratch: &mut Vec<i16>) {
    scratch.clear();
    for i in 0..fade {
        let (Some(&a), Some(&b)) = (pcm.get(i), pcm.get(i + shift)) else {
            return;
        };
        let w = (i as f64 + 0.5) / fade as f64;
        scratch.push((f64::from(a) * (1.0 - w) + f64::from(b) * w).round() as i16);
    }
    scratch.extend_from_slice(pcm.get(shift + fade..).unwrap_or_default());
    pcm.clear();
    pcm.extend_from_slice(scratch);
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 8_000;
    const FRAME: Duration = Duration::from_millis(20);

    fn tone(hz: f64, from: usize, n: usize) -> Vec<i16> {
        (from..from + n)
            .map(|i| {
                ((i as f64 * hz / f64::from(RATE) * std::f64::consts::TAU).sin() * 12_000.0) as i16
            })
            .collect()
    }

    fn owing(ms: u64) -> Shrinker {
        let mut s = Shrinker::new(RATE, 160);
        s.owed = Duration::from_millis(ms);
        s.lag = Duration::from_millis(ms + 2);
        s.held = s.lag;
        s
    }

    #[test]
    fn an_excess_that_stays_for_a_window_is_owed_and_a_passing_one_is_not() {
        let start = Instant::now();
        let mut s = Shrinker::new(RATE, 160);
        for i in 0..40u32 {
            // 30 ms too many but one frame in each window at 1 ms: nothing owed.
            let (held, queued) = if i % 10 == 3 { (1, 0) } else { (20, 10) };
            s.queued(Duration::from_millis(queued));
            s.observe(start + FRAME * i, Duration::from_millis(held));
        }
        assert_eq!(s.owed, Duration::ZERO);
        for i in 40..80u32 {
            s.queued(Duration::from_millis(10));
            s.observe(start + FRAME * i, Duration::from_millis(20));
        }
        assert_eq!(s.owed, Duration::from_millis(28));
    }

    #[test]
    fn quiet_frames_are_dropped_whole_only_when_a_frame_is_owed() {
        let quiet = vec![30i16; 160];
        let loud = tone(440.0, 0, 160);
        assert_eq!(owing(25).decide(&quiet, FRAME), Shrink::DropFrame);
        assert_eq!(owing(25).decide(&loud, FRAME), Shrink::Keep);
        assert_eq!(owing(15).decide(&quiet, FRAME), Shrink::Keep);
        let mut early = owing(25);
        early.held = FRAME;
        assert_eq!(
            early.decide(&quiet, FRAME),
            Shrink::Keep,
            "the frame after is not due yet"
        );
        let mut s = owing(25);
        s.dropped(FRAME);
        assert_eq!(s.owed, Duration::from_millis(5));
        assert_eq!(s.removed(), FRAME);
    }

    #[test]
    fn a_tone_is_shortened_by_whole_periods_without_a_jump() {
        let mut s = owing(8);
        // 400 Hz: a period of 20 samples at 8 kHz.
        let mut pcm = tone(400.0, 0, 160);
        let steepest = pcm
            .windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max()
            .unwrap_or(0);
        s.compress(&mut pcm);
        let removed = 160 - pcm.len();
        assert!(
            removed > 0 && removed.is_multiple_of(20),
            "removed {removed}"
        );
        assert!(removed <= 64, "owed only 8 ms, removed {removed}");
        let jump = pcm
            .windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max()
            .unwrap_or(0);
        assert!(
            jump <= steepest + steepest / 20,
            "{jump} against {steepest}"
        );
    }

    #[test]
    fn noise_is_left_alone_and_a_small_debt_is_forgiven() {
        let mut seed = 7u32;
        let mut noise: Vec<i16> = (0..160)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((seed >> 16) as i16) / 4
            })
            .collect();
        let mut s = owing(8);
        s.compress(&mut noise);
        assert_eq!(noise.len(), 160);
        assert_eq!(s.owed, Duration::from_millis(8));

        let mut s = owing(2);
        let mut pcm = tone(400.0, 0, 160);
        s.compress(&mut pcm);
        assert_eq!(pcm.len(), 160);
        assert_eq!(s.owed, Duration::ZERO);
    }
}
