//! "Test my microphone and speakers": the microphone's live level, optionally played
//! back to the speaker a moment later so the user hears themselves, and a test tone on
//! the speaker. Each runs on a thread of its own (20 ms steps, like a call's media loop)
//! until it is dropped.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use media::tone::{Tone, ToneGenerator};

use super::{AudioBackend, AudioError, Level, LevelMeter, FRAME_MS};

/// The tests run at 16 kHz: wideband, like a G.722 call.
const RATE: u32 = 16_000;

/// How late the microphone is heard back: long enough to tell one's voice from its
/// playback, short enough to talk along.
pub const LOOPBACK_DELAY: Duration = Duration::from_millis(400);

/// The speaker test's tone (Hz).
pub const TEST_TONE_HZ: f64 = 440.0;

const STEP: Duration = Duration::from_millis(FRAME_MS as u64);

/// A running test; dropping it stops it and closes its devices.
pub struct DeviceTest {
    meter: Option<LevelMeter>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DeviceTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceTest")
            .field("microphone", &self.meter.is_some())
            .finish_non_exhaustive()
    }
}

impl DeviceTest {
    /// Shows the level of `backend`'s microphone and, with `loopback`, plays it back on
    /// its speaker [`LOOPBACK_DELAY`] later. Errors when there is no microphone (or, for
    /// a loopback, no speaker).
    pub fn microphone(backend: &dyn AudioBackend, loopback: bool) -> Result<Self, AudioError> {
        let mut capture = backend.open_capture(None, RATE)?;
        let mut playback = if loopback {
            Some(backend.open_playback(None, RATE)?)
        } else {
            None
        };
        let meter = capture.meter();
        let delay_frames = (LOOPBACK_DELAY.as_millis() / STEP.as_millis()) as usize;
        let mut delayed: VecDeque<Vec<i16>> = VecDeque::with_capacity(delay_frames + 2);
        let mut frame = Vec::new();
        Self::spawn(Some(meter), move || {
            while capture.read_frame(&mut frame) {
                if let Some(p) = playback.as_mut() {
                    delayed.push_back(frame.clone());
                    if delayed.len() > delay_frames {
                        if let Some(old) = delayed.pop_front() {
                            p.write_frame(&old);
                        }
                    }
                }
            }
        })
    }

    /// Plays a steady [`TEST_TONE_HZ`] tone on `backend`'s speaker.
    pub fn speaker(backend: &dyn AudioBackend) -> Result<Self, AudioError> {
        Self::tone(backend, None, Tone::continuous(TEST_TONE_HZ))
    }

    /// Rings on `device` (`None`: the backend's speaker) until dropped: 440 + 480 Hz, two
    /// seconds on, four off, the North American ring cadence.
    pub fn ringer(backend: &dyn AudioBackend, device: Option<&str>) -> Result<Self, AudioError> {
        let ring = Tone {
            amplitude: 0.25,
            ..Tone::ringback_north_america()
        };
        Self::tone(backend, device, ring)
    }

    fn tone(
        backend: &dyn AudioBackend,
        device: Option<&str>,
        tone: Tone,
    ) -> Result<Self, AudioError> {
        let mut playback = backend.open_playback(device, RATE)?;
        let mut tone = ToneGenerator::new(tone, RATE);
        let mut frame = vec![0i16; (RATE * FRAME_MS / 1000) as usize];
        Self::spawn(None, move || {
            // Keep about 60 ms queued: enough to ride out a late step.
            while playback.queued_ms() < 3 * FRAME_MS {
                tone.fill(&mut frame);
                playback.write_frame(&frame);
            }
        })
    }

    fn spawn(
        meter: Option<LevelMeter>,
        mut step: impl FnMut() + Send + 'static,
    ) -> Result<Self, AudioError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("audio-test".to_string())
            .spawn(move || {
                let start = Instant::now();
                let mut steps: u32 = 0;
                while !stopping.load(Ordering::Relaxed) {
                    step();
                    steps = steps.wrapping_add(1);
                    let next = start + STEP * steps;
                    std::thread::sleep(next.saturating_duration_since(Instant::now()));
                }
            })
            .map_err(|e| AudioError::Backend(e.to_string()))?;
        Ok(DeviceTest {
            meter,
            stop,
            thread: Some(thread),
        })
    }

    /// The microphone's level now (`None` for the speaker test).
    pub fn level(&self) -> Option<Level> {
        self.meter.as_ref().map(LevelMeter::level)
    }
}

impl Drop for DeviceTest {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
