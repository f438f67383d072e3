//! When a call's frames move. The microphone and the speaker run on their devices'
//! clocks, not on the call's: a captured frame goes out as soon as it is complete
//! (waiting for a fixed 20 ms tick adds up to a frame of delay), and a frame is
//! decoded for the speaker when the audio queued for it falls below one device period
//! (just in time, whatever phase the device's callbacks have against the call's
//! timer, and never drifting from the sound card's clock as a fixed tick does), or
//! below a period and a poll for a few seconds after the speaker ran dry. The call
//! loop polls its devices every [`POLL`] and asks here what is due.
//!
//! Two fallbacks keep the stream's 20 ms pace without a device: with no microphone
//! (or one that stalled) silence goes out, and with no speaker frames are still taken
//! from the jitter buffer, so its clock, RFC 4733 keys and statistics go on.

use std::time::{Duration, Instant};

/// How often the call loop looks at its devices: a quarter of a frame, so a frame
/// waits at most this long between being complete and being sent.
pub const POLL: Duration = Duration::from_millis(5);

/// Audio per frame.
const FRAME: Duration = Duration::from_millis(20);

/// A microphone that gave nothing for this long is stalled (or missing): silence goes
/// out in its place, one frame per 20 ms. Longer than any device period, so a device
/// delivering 40 ms at a time does not get silence slipped between its buffers.
const MIC_STALL: Duration = Duration::from_millis(60);

/// How long the speaker's cushion is kept after it last ran dry or a poll came late: a
/// loaded machine that stalls every few seconds keeps it, one that stalled once gets
/// its delay back.
const CUSHION_HOLD: Duration = Duration::from_secs(4);

/// Polls further apart than this are late: the machine is stalling.
const LATE_POLL: Duration = Duration::from_millis(10);

/// Decides, poll by poll, what a call's loop does; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    /// The speaker's underrun count seen last, and until when the cushion is kept.
    underruns_seen: u64,
    cushion_until: Option<Instant>,
    /// When the speaker was last asked about.
    last_poll: Option<Instant>,
    /// When a frame of silence is due if the microphone stays quiet until then.
    silence_at: Option<Instant>,
    /// When the next frame is due for a call with no speaker.
    play_at: Option<Instant>,
}

impl Pacer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that a microphone frame went out at `now`.
    pub fn captured(&mut self, now: Instant) {
        self.silence_at = Some(now + MIC_STALL);
    }

    /// Whether a frame of silence must go out at `now` because the microphone gave
    /// nothing for a while. After a long stall (a machine that slept) it does not
    /// catch up the missed frames: one is due per call at most, then every 20 ms.
    pub fn silence_due(&mut self, now: Instant) -> bool {
        let due = *self.silence_at.get_or_insert(now + MIC_STALL);
        if now < due {
            return false;
        }
        self.silence_at = Some(next_due(due, now));
        true
    }

    /// Whether the speaker wants another frame: the audio queued for it
    /// (`queued_ms`) is below one device period (`period_ms`, the largest buffer its
    /// callback took so far), the least that lets the next callback find a whole
    /// buffer. Once the speaker has run dry (`underruns` > 0: a poll came too late,
    /// which a loaded machine's timer does) a poll more is kept for [`CUSHION_HOLD`]
    /// after the last time it did or a poll came late (a stall the cushion covered):
    /// as the queue moves by whole device buffers, that is
    /// one device period more of delay while the machine is stalling, traded for no
    /// more gaps heard. When the cushion goes, the later writes show up as playout lag
    /// that the call media wins back (`shrink.rs`).
    pub fn speaker_wants(
        &mut self,
        now: Instant,
        queued_ms: u32,
        period_ms: u32,
        underruns: u64,
    ) -> bool {
        let late = self
            .last_poll
            .is_some_and(|last| now.saturating_duration_since(last) > LATE_POLL);
        self.last_poll = Some(now);
        if underruns > self.underruns_seen {
            self.underruns_seen = underruns;
            self.cushion_until = Some(now + CUSHION_HOLD);
        } else if late && self.cushion_until.is_some() {
            self.cushion_until = Some(now + CUSHION_HOLD);
        }
        let cushioned = self.cushion_until.is_some_and(|until| now < until);
        let cushion = if cushioned {
            u128::from(period_ms) + POLL.as_millis()
        } else {
            u128::from(period_ms)
        };
        u128::from(queued_ms) < cushion
    }

    /// Audio queued for the speaker (`queued_ms`, just before a write) beyond what
    /// this pacing keeps: the cushion's device period while it is on, nothing else.
    /// What is queued above that is delay gathered, for the call media to win back.
    pub fn speaker_excess(&self, now: Instant, queued_ms: u32, period_ms: u32) -> Duration {
        let kept = if self.cushion_until.is_some_and(|until| now < until) {
            period_ms
        } else {
            0
        };
        Duration::from_millis(u64::from(queued_ms.saturating_sub(kept)))
    }

    /// For a call with no speaker: whether a frame is due at `now`, one per 20 ms on
    /// deadlines (at most one per call after a stall).
    pub fn silent_playout_due(&mut self, now: Instant) -> bool {
        let due = *self.play_at.get_or_insert(now);
        if now < due {
            return false;
        }
        self.play_at = Some(next_due(due, now));
        true
    }
}

/// The deadline after `due`, served at `now`: a frame later on the same grid, or a
/// frame from `now` when `now` is already past that (a stall's frames are not made up).
fn next_due(due: Instant, now: Instant) -> Instant {
    let next = due + FRAME;
    if now >= next {
        now + FRAME
    } else {
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_goes_out_only_once_the_microphone_stalled_then_every_frame() {
        let start = Instant::now();
        let mut p = Pacer::new();
        assert!(!p.silence_due(start), "the microphone gets time to start");
        let mut sent = Vec::new();
        for i in 0..40u32 {
            let now = start + POLL * i;
            if i < 8 && i % 4 == 0 {
                p.captured(now);
            }
            if p.silence_due(now) {
                sent.push(i);
            }
        }
        // Captured at 0 and 20 ms: silence from 20 + 60 ms on, every 20 ms.
        assert_eq!(sent, vec![16, 20, 24, 28, 32, 36]);
    }

    #[test]
    fn a_long_stall_is_not_caught_up_in_a_burst() {
        let start = Instant::now();
        let mut p = Pacer::new();
        assert!(p.silent_playout_due(start));
        assert!(!p.silent_playout_due(start + POLL));
        let late = start + Duration::from_secs(2);
        assert!(p.silent_playout_due(late));
        assert!(
            !p.silent_playout_due(late),
            "one frame per call after a stall"
        );
        assert!(p.silent_playout_due(late + FRAME));
    }

    /// Virtual time in 1 ms steps: a device taking 10 ms every 10 ms, the loop polling
    /// every 5 ms but stalled for 15 ms every quarter of a second (a loaded machine).
    #[test]
    fn a_speaker_fed_by_the_pacer_rides_out_stalled_polls_with_a_bounded_queue() {
        let start = Instant::now();
        let mut p = Pacer::new();
        let period = 10u32;
        let (mut queued, mut underruns, mut started, mut most) = (0u32, 0u64, false, 0u32);
        for t in 1..60_000u32 {
            if t % period == 0 {
                if queued >= period {
                    queued -= period;
                    started = true;
                } else {
                    if started {
                        underruns += 1;
                    }
                    queued = 0;
                }
            }
            let stalled = t % 250 < 15;
            if t % 5 == 0 && !stalled {
                for _ in 0..3 {
                    let now = start + Duration::from_millis(u64::from(t));
                    if !p.speaker_wants(now, queued, period, underruns) {
                        break;
                    }
                    queued += 20;
                }
            }
            most = most.max(queued);
        }
        // The first stall may run the speaker dry; the cushion it brings covers the
        // 239 stalls after it.
        assert!(underruns <= 2, "{underruns} underruns");
        assert!(most <= 40, "queue grew to {most} ms");
    }

    #[test]
    fn the_speaker_is_fed_below_a_device_period_and_a_poll_more_for_a_while_after_it_ran_dry() {
        let start = Instant::now();
        let mut p = Pacer::new();
        assert!(p.speaker_wants(start, 0, 10, 0));
        assert!(p.speaker_wants(start, 9, 10, 0));
        assert!(!p.speaker_wants(start, 10, 10, 0));
        assert!(p.speaker_wants(start, 10, 10, 1));
        assert!(p.speaker_wants(start, 14, 10, 3));
        assert!(!p.speaker_wants(start, 15, 10, 3));
        assert!(!p.speaker_wants(start, 30, 21, 3));
        // Polled on time for the hold: the cushion goes.
        let mut t = start;
        while t < start + CUSHION_HOLD - POLL {
            t += POLL;
            assert!(p.speaker_wants(t, 14, 10, 3), "still cushioned");
        }
        assert_eq!(p.speaker_excess(t, 13, 10), Duration::from_millis(3));
        t += POLL;
        assert!(!p.speaker_wants(t, 10, 10, 3), "no underrun for a while");
        assert_eq!(p.speaker_excess(t, 13, 10), Duration::from_millis(13));
        assert!(p.speaker_wants(t, 10, 10, 4), "ran dry again");
        // A late poll while cushioned keeps it another hold.
        t += LATE_POLL + POLL;
        assert!(p.speaker_wants(t, 14, 10, 4));
        let held = t + CUSHION_HOLD - POLL;
        assert!(p.speaker_wants(held, 14, 10, 4));
    }
}
