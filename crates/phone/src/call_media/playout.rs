//! The receiving half of a call's media: one frame out per call, from the jitter
//! buffer through the decoder, with losses named and concealed (Opus rebuilds them
//! from the next packet's in-band FEC) and late packets still used while playout runs
//! a frame behind. Delay the speaker side gathered (a speaker that ran dry) is won
//! back here too, by `shrink.rs`.

use std::time::{Duration, Instant};

use media::jitter::Playout;

use super::lookahead::Held;
use super::shrink::Shrink;
use super::{CallMedia, FRAME, MAX_TICK_SLIP};

impl CallMedia {
    /// The next 20 ms to play at `now`; call once per frame interval. Silence until
    /// the first packets arrive; lost frames concealed by the codec (Opus rebuilds
    /// them from the next packet's FEC when it is already here, else its PLC; G.711
    /// and G.722 repeat the last frame fading out). For Opus, the first loss whose next
    /// packet is not here yet switches playout to one frame behind the jitter buffer
    /// (see `lookahead.rs`): one frame more of delay buys FEC for later losses.
    ///
    /// The frame may come back shorter than 20 ms (or be the one after a quiet frame
    /// dropped whole) while delay gathered after the speaker ran dry is won back; the
    /// caller paces its writes on the audio queued, so it simply asks sooner.
    pub fn next_frame(&mut self, now: Instant) -> &[i16] {
        let held = self
            .decode_next(now)
            .and_then(|ts| self.shrinker.waited(ts, now))
            .map_or(Duration::ZERO, |waited| {
                waited.saturating_sub(self.jitter.target_delay())
            });
        self.shrinker.observe(now, held);
        if self.shrinker.decide(&self.pcm, FRAME) == Shrink::DropFrame {
            self.decode_next(now);
            self.shrinker.dropped(FRAME);
        }
        self.shrinker.compress(&mut self.pcm);
        &self.pcm
    }

    /// Tells the call how much audio is queued for the speaker beyond what its pacing
    /// asks for (see [`Pacer::speaker_excess`](super::Pacer::speaker_excess)), before
    /// [`CallMedia::next_frame`]: that excess, with the jitter buffer's above its
    /// target, is the delay won back after the speaker ran dry.
    pub fn note_speaker_queue(&mut self, excess: Duration) {
        self.shrinker.queued(excess);
    }

    /// Takes the next frame from the jitter buffer and decodes (or conceals) it into
    /// `self.pcm`; returns the timestamp of the packet taken, if one was.
    fn decode_next(&mut self, now: Instant) -> Option<u32> {
        let now = self.playout_time(now);
        self.pcm.clear();
        let expected = self
            .popped_timestamp
            .map(|ts| ts.wrapping_add(self.frame_units));
        let mut payload = std::mem::take(&mut self.popped_payload);
        payload.clear();
        let before = self.jitter.next_timestamp();
        let mut taken = None;
        let current = match self.jitter.pop(now) {
            Playout::Waiting => Held::Waiting,
            Playout::Packet {
                payload: p,
                timestamp,
                ..
            } => {
                payload.extend_from_slice(p);
                self.popped_timestamp = Some(timestamp);
                taken = Some(timestamp);
                Held::Packet(timestamp)
            }
            Playout::Silence => Held::Silence(0),
            Playout::Lost => Held::Lost(0),
        };
        // Name the frame a Lost or Silence stands for from where the buffer's playout
        // went: unchanged means it held playout back a tick to grow its delay (a frame
        // of concealment inserted, no packet's frame given up); moved on means the
        // frame before its new position was the one given up.
        let after = self.jitter.next_timestamp();
        let given_up = after
            .map(|ts| ts.wrapping_sub(self.frame_units))
            .or(expected);
        let current = match current {
            Held::Lost(_) if before.is_some() && after == before => Held::Stretch,
            Held::Lost(_) => {
                self.popped_timestamp = given_up;
                Held::Lost(given_up.unwrap_or(0))
            }
            Held::Silence(_) => {
                self.popped_timestamp = given_up;
                Held::Silence(given_up.unwrap_or(0))
            }
            other => other,
        };
        if self.lookahead.is_on() {
            let mut held_payload = std::mem::take(&mut self.held_payload);
            match self
                .lookahead
                .exchange(current, &payload, &mut held_payload)
            {
                Some(held) => self.play(&held, &held_payload),
                None => {
                    self.stats.concealed_frames += 1;
                    self.codec.decode(None, &mut self.pcm);
                }
            }
            self.held_payload = held_payload;
        } else {
            let switch = match current {
                Held::Lost(ts) => {
                    self.is_opus() && self.recent.get(ts.wrapping_add(self.frame_units)).is_none()
                }
                _ => false,
            };
            self.play(&current, &payload);
            if switch {
                self.lookahead.switch_on();
            }
        }
        self.popped_payload = payload;
        self.pcm.resize(self.frame_samples, 0);
        taken
    }

    /// The time this tick's frame is due to play: the last one's plus a frame, but
    /// never later than the caller's `now` (a caller ticking fast catches up) nor more
    /// than [`MAX_TICK_SLIP`] before it (past that the device really stopped, or the
    /// machine slept, and the frames it missed are gone).
    fn playout_time(&mut self, now: Instant) -> Instant {
        let floor = now.checked_sub(MAX_TICK_SLIP).unwrap_or(now);
        let clock = self
            .playout_clock
            .and_then(|last| last.checked_add(FRAME))
            .map_or(now, |due| due.clamp(floor, now));
        self.playout_clock = Some(clock);
        clock
    }

    fn is_opus(&self) -> bool {
        self.codec.name() == "opus"
    }

    /// Decodes (or conceals) one frame into `self.pcm`.
    fn play(&mut self, held: &Held, payload: &[u8]) {
        match held {
            Held::Waiting | Held::Silence(_) => {}
            Held::Packet(_) => self.codec.decode(Some(payload), &mut self.pcm),
            Held::Stretch => {
                self.stats.concealed_frames += 1;
                self.codec.decode(None, &mut self.pcm);
            }
            Held::Lost(ts) => {
                if let Some(own) = self.recent.get(*ts) {
                    // Its packet came in after the jitter buffer gave the frame up
                    // but before the frame was decoded (playout a frame behind): the
                    // real audio beats any concealment.
                    self.stats.late_played += 1;
                    self.codec.decode(Some(own), &mut self.pcm);
                    return;
                }
                self.stats.concealed_frames += 1;
                // Only Opus carries FEC; the other codecs conceal from what they played.
                let next = if self.is_opus() {
                    self.recent.get(ts.wrapping_add(self.frame_units))
                } else {
                    None
                };
                match next {
                    Some(next) => {
                        self.stats.fec_recovered += 1;
                        self.codec.decode_lost_before(next, &mut self.pcm);
                    }
                    None => self.codec.decode(None, &mut self.pcm),
                }
            }
        }
    }
}
