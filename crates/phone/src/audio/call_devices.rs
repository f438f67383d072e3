//! A call's microphone and speaker, kept open through device trouble: a device that
//! fails mid-call (a USB headset pulled out) is closed and the backend's default opened
//! in its place, and a call that started with no device at all picks one up once one is
//! plugged in. The call never stops for it; until a device is back it sends silence and
//! plays nowhere.
//!
//! A microphone or speaker chosen during the call is taken the same way, at once: the
//! new device is opened (at its own rate, resampled to the call's) and the old one closed
//! only then, so a choice that cannot be opened leaves the call where it was. Only the
//! streams are swapped: the call's codec, jitter buffer and echo canceller go on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{AudioBackend, Capture, ChoiceStamp, Playback};

/// How often a missing or failed device is tried again: often enough that a headset
/// plugged in is heard within a couple of seconds, rarely enough that enumerating
/// devices stays cheap.
pub const REOPEN_EVERY: Duration = Duration::from_secs(1);

/// See the module docs.
pub struct CallDevices {
    backend: Arc<dyn AudioBackend>,
    rate: u32,
    capture: Option<Capture>,
    playback: Option<Playback>,
    /// When a missing device may be tried again.
    next_try: Instant,
    /// Devices opened again after a failure or absence.
    reopened: u32,
    /// The backend's count of device choices the open devices follow.
    stamp: ChoiceStamp,
    /// Devices moved to after the user chose another one.
    moved: u32,
}

impl std::fmt::Debug for CallDevices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallDevices")
            .field("rate", &self.rate)
            .field("capture", &self.capture.is_some())
            .field("playback", &self.playback.is_some())
            .field("reopened", &self.reopened)
            .field("moved", &self.moved)
            .finish()
    }
}

impl CallDevices {
    /// Opens the backend's devices (its choice, else the default) for a call at `rate`.
    /// A device that cannot be opened is left closed and tried again later.
    pub fn open(backend: Arc<dyn AudioBackend>, rate: u32, now: Instant) -> Self {
        // Read before opening: a choice made while they open moves them at the first check.
        let stamp = backend.choice_stamp();
        let capture = backend
            .open_capture(None, rate)
            .map_err(|err| tracing::warn!(%err, "no microphone"))
            .ok();
        let playback = backend
            .open_playback(None, rate)
            .map_err(|err| tracing::warn!(%err, "no speaker"))
            .ok();
        CallDevices {
            backend,
            rate,
            capture,
            playback,
            next_try: now + REOPEN_EVERY,
            reopened: 0,
            stamp,
            moved: 0,
        }
    }

    /// The next 20 ms microphone frame, or false when there is none yet (send silence).
    pub fn read_frame(&mut self, out: &mut Vec<i16>) -> bool {
        self.capture.as_mut().is_some_and(|c| c.read_frame(out))
    }

    /// Queues a frame for the speaker (dropped when there is none).
    pub fn write_frame(&mut self, frame: &[i16]) {
        if let Some(p) = self.playback.as_mut() {
            p.write_frame(frame);
        }
    }

    /// The speaker, to write to directly (e.g. a frame with a beep mixed in).
    pub fn playback_mut(&mut self) -> Option<&mut Playback> {
        self.playback.as_mut()
    }

    /// Milliseconds queued for the speaker, 0 without one.
    pub fn queued_ms(&self) -> u32 {
        self.playback.as_ref().map_or(0, Playback::queued_ms)
    }

    pub fn has_capture(&self) -> bool {
        self.capture.is_some()
    }

    pub fn has_playback(&self) -> bool {
        self.playback.is_some()
    }

    /// How many times a device was opened again after failing or being absent.
    pub fn reopened(&self) -> u32 {
        self.reopened
    }

    /// How many times a device was replaced by one the user chose during the call.
    pub fn moved(&self) -> u32 {
        self.moved
    }

    /// Moves to a device the user chose since the last check, closes a device that
    /// reported an error and, at most every [`REOPEN_EVERY`], opens whatever is missing.
    /// Call it every frame; it does nothing most of the time.
    pub fn check(&mut self, now: Instant) {
        self.follow_choice();
        if self.capture.as_ref().is_some_and(Capture::device_failed) {
            tracing::warn!("microphone failed; opening the default one");
            self.capture = None;
            self.next_try = now;
        }
        if self.playback.as_ref().is_some_and(Playback::device_failed) {
            tracing::warn!("speaker failed; opening the default one");
            self.playback = None;
            self.next_try = now;
        }
        if (self.capture.is_some() && self.playback.is_some()) || now < self.next_try {
            return;
        }
        self.next_try = now + REOPEN_EVERY;
        if self.capture.is_none() {
            if let Ok(c) = self.backend.open_capture(None, self.rate) {
                self.capture = Some(c);
                self.reopened += 1;
            }
        }
        if self.playback.is_none() {
            if let Ok(p) = self.backend.open_playback(None, self.rate) {
                self.playback = Some(p);
                self.reopened += 1;
            }
        }
    }

    /// Opens the newly chosen microphone or speaker in place of the one in use. A device
    /// that will not open keeps the old one (or none) and is not tried again until the
    /// choice changes once more; a missing device is still looked for by `check`.
    fn follow_choice(&mut self) {
        let stamp = self.backend.choice_stamp();
        if stamp == self.stamp {
            return;
        }
        if stamp.input != self.stamp.input {
            match self.backend.open_capture(None, self.rate) {
                Ok(c) => {
                    self.capture = Some(c);
                    self.moved += 1;
                }
                Err(err) => {
                    tracing::warn!(%err, "chosen microphone not opened; keeping the one in use")
                }
            }
        }
        if stamp.output != self.stamp.output {
            match self.backend.open_playback(None, self.rate) {
                Ok(p) => {
                    self.playback = Some(p);
                    self.moved += 1;
                }
                Err(err) => {
                    tracing::warn!(%err, "chosen speaker not opened; keeping the one in use")
                }
            }
        }
        self.stamp = stamp;
    }
}
