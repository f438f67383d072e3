//! A call's microphone and speaker, kept open through device trouble: a device that
//! fails mid-call (a USB headset pulled out) is closed and the backend's default opened
//! in its place, and a call that started with no device at all picks one up once one is
//! plugged in. The call never stops for it; until a device is back it sends silence and
//! plays nowhere.
//!
//! A microphone or speaker chosen during the call is taken the same way, at once: the
//! new device is opened (at its own rate, resampled to the call's) and the old one closed
//! only then, so a choice that cannot be opened leaves the call where it was, and says
//! so ([`CallDevices::take_choice_outcome`]: the user sees it next to the choice). Only
//! the streams are swapped: the call's codec, jitter buffer and echo canceller go on.

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
    /// The choice the open microphone and speaker were opened under (`None`: the
    /// default), to name them when a new choice cannot be opened.
    names: (Option<String>, Option<String>),
    /// What became of the last choice made during the call, until taken: `Some(None)`
    /// when it was opened, `Some(Some(why))` when it was not.
    outcome: Option<Option<String>>,
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
        let names = backend.chosen_names();
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
            names,
            outcome: None,
        }
    }

    /// What became of the devices chosen during the call since the last time this was
    /// asked: `None` when nothing was chosen, `Some(None)` when the choice was opened,
    /// `Some(Some(message))` when it was not ("Could not open Headset; the call stays
    /// on Laptop").
    pub fn take_choice_outcome(&mut self) -> Option<Option<String>> {
        self.outcome.take()
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
        let chosen = self.backend.chosen_names();
        let mut problems = Vec::new();
        if stamp.input != self.stamp.input {
            match self.backend.open_capture(None, self.rate) {
                Ok(c) => {
                    self.capture = Some(c);
                    self.names.0 = chosen.0.clone();
                    self.moved += 1;
                }
                Err(err) => {
                    tracing::warn!(%err, "chosen microphone not opened; keeping the one in use");
                    let kept = self.capture.is_some().then_some(&self.names.0);
                    problems.push(not_opened(&chosen.0, kept, "microphone"));
                }
            }
        }
        if stamp.output != self.stamp.output {
            match self.backend.open_playback(None, self.rate) {
                Ok(p) => {
                    self.playback = Some(p);
                    self.names.1 = chosen.1.clone();
                    self.moved += 1;
                }
                Err(err) => {
                    tracing::warn!(%err, "chosen speaker not opened; keeping the one in use");
                    let kept = self.playback.is_some().then_some(&self.names.1);
                    problems.push(not_opened(&chosen.1, kept, "speaker"));
                }
            }
        }
        self.outcome = Some((!problems.is_empty()).then(|| problems.join(" ")));
        self.stamp = stamp;
    }
}

/// "Could not open Headset; the call stays on Laptop." for a `kind` of device chosen
/// (`None`: the default) that did not open while the call kept `kept` (`None`: none
/// open; `Some(None)`: the default).
fn not_opened(chosen: &Option<String>, kept: Option<&Option<String>>, kind: &str) -> String {
    let name = |n: &Option<String>| match n {
        Some(n) => n.clone(),
        None => format!("the default {kind}"),
    };
    match kept {
        Some(old) => format!(
            "Could not open {}; the call stays on {}.",
            name(chosen),
            name(old)
        ),
        None => format!(
            "Could not open {}; the call has no {kind} for now.",
            name(chosen)
        ),
    }
}
