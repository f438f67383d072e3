//! The microphone's voice processing: echo cancellation, noise suppression and automatic
//! gain, before a frame is sent.
//!
//! The work is done by `sonora`, a pure-Rust port of WebRTC's audio processing module
//! (AEC3, the WebRTC noise suppressor, AGC2), so the build needs no C++ toolchain. It runs
//! on the call's 20 ms media loop, never in the device's real-time callback: processing a
//! frame takes far longer than a callback may (see BENCHMARKS.md).
//!
//! The echo canceller needs the far end's voice as its reference: every frame handed to
//! the speaker goes through [`VoiceProcessor::render`] first, and every microphone frame
//! through [`VoiceProcessor::capture`]. AEC3 finds the delay between the two itself.
//!
//! The switches can change during a call: a processor made from [`VoiceSwitches`] shared
//! with the settings page reads them at every frame (one atomic load) and reconfigures
//! the library when they change, which it allows between chunks.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use sonora::config::{
    AdaptiveDigital, EchoCanceller, GainController2, HighPassFilter, NoiseSuppression,
};
use sonora::{AudioProcessing, Config, StreamConfig};

use crate::audio::AudioError;

/// The processing works on 10 ms chunks; a call frame (20 ms) is two of them.
const CHUNK_MS: usize = 10;

/// Which processing runs on the microphone; every switch is on unless the user turns it
/// off (e.g. a headset whose own echo cancelling fights ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DspSettings {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
}

impl Default for DspSettings {
    fn default() -> Self {
        DspSettings {
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain: true,
        }
    }
}

impl DspSettings {
    /// Everything off: the microphone is sent as captured.
    pub const OFF: DspSettings = DspSettings {
        echo_cancellation: false,
        noise_suppression: false,
        auto_gain: false,
    };

    /// Each feature on only where both have it on: a user's switches over what a
    /// device allows.
    pub fn and(self, other: DspSettings) -> DspSettings {
        DspSettings {
            echo_cancellation: self.echo_cancellation && other.echo_cancellation,
            noise_suppression: self.noise_suppression && other.noise_suppression,
            auto_gain: self.auto_gain && other.auto_gain,
        }
    }

    fn bits(self) -> u8 {
        u8::from(self.echo_cancellation)
            | u8::from(self.noise_suppression) << 1
            | u8::from(self.auto_gain) << 2
    }

    fn from_bits(bits: u8) -> DspSettings {
        DspSettings {
            echo_cancellation: bits & 1 != 0,
            noise_suppression: bits & 2 != 0,
            auto_gain: bits & 4 != 0,
        }
    }

    fn any(self) -> bool {
        self.echo_cancellation || self.noise_suppression || self.auto_gain
    }

    fn config(self) -> Config {
        Config {
            // Hum and handling noise below ~80 Hz carry no speech; the canceller wants it
            // gone anyway.
            high_pass_filter: self.any().then(HighPassFilter::default),
            echo_canceller: self.echo_cancellation.then(EchoCanceller::default),
            noise_suppression: self.noise_suppression.then(NoiseSuppression::default),
            gain_controller2: self.auto_gain.then(|| GainController2 {
                adaptive_digital: Some(AdaptiveDigital::default()),
                ..GainController2::default()
            }),
            ..Config::default()
        }
    }
}

/// The user's switches, shared between the settings page and the calls under way.
#[derive(Debug)]
pub struct SharedDsp(AtomicU8);

impl SharedDsp {
    pub fn new(settings: DspSettings) -> Arc<SharedDsp> {
        Arc::new(SharedDsp(AtomicU8::new(settings.bits())))
    }

    /// Changes the switches for every call reading them, from its next frame.
    pub fn set(&self, settings: DspSettings) {
        self.0.store(settings.bits(), Ordering::Relaxed);
    }

    pub fn get(&self) -> DspSettings {
        DspSettings::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// What a call's processing follows: switches fixed when it starts, or the user's shared
/// ones; either way only as far as the devices allow (`allowed`).
#[derive(Debug, Clone)]
pub struct VoiceSwitches {
    allowed: DspSettings,
    shared: Option<Arc<SharedDsp>>,
}

impl VoiceSwitches {
    /// The user's switches as they are at each frame.
    pub fn shared(shared: Arc<SharedDsp>) -> VoiceSwitches {
        VoiceSwitches {
            allowed: DspSettings::default(),
            shared: Some(shared),
        }
    }

    /// Limited further to what `allowed` has on (a device that must not be processed).
    pub fn and(mut self, allowed: DspSettings) -> VoiceSwitches {
        self.allowed = self.allowed.and(allowed);
        self
    }

    /// The switches now.
    pub fn current(&self) -> DspSettings {
        match &self.shared {
            Some(shared) => shared.get().and(self.allowed),
            None => self.allowed,
        }
    }
}

impl From<DspSettings> for VoiceSwitches {
    fn from(fixed: DspSettings) -> VoiceSwitches {
        VoiceSwitches {
            allowed: fixed,
            shared: None,
        }
    }
}

/// One call's voice processing at the call's rate (8, 16 or 48 kHz, mono).
pub struct VoiceProcessor {
    apm: AudioProcessing,
    /// Where the switches come from; read at every microphone frame.
    switches: VoiceSwitches,
    settings: DspSettings,
    chunk: usize,
    /// Output of one chunk, reused so a frame allocates nothing.
    scratch: Vec<i16>,
    /// Chunks the library refused (wrong length); they pass through unprocessed.
    errors: u64,
}

impl std::fmt::Debug for VoiceProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceProcessor")
            .field("settings", &self.settings)
            .field("chunk", &self.chunk)
            .finish_non_exhaustive()
    }
}

impl VoiceProcessor {
    /// Processing for a call at `rate` Hz with `switches` (fixed settings, or shared ones
    /// that may change during the call).
    pub fn new(rate: u32, switches: impl Into<VoiceSwitches>) -> Result<Self, AudioError> {
        crate::audio::check_call_rate(rate)?;
        let switches = switches.into();
        let settings = switches.current();
        let stream = StreamConfig::new(rate, 1);
        let apm = AudioProcessing::builder()
            .config(settings.config())
            .capture_config(stream)
            .render_config(stream)
            .build();
        let chunk = rate as usize * CHUNK_MS / 1000;
        Ok(VoiceProcessor {
            apm,
            switches,
            settings,
            chunk,
            scratch: vec![0; chunk],
            errors: 0,
        })
    }

    pub fn settings(&self) -> DspSettings {
        self.settings
    }

    /// Turns features on or off for the frames to come (the canceller keeps what it has
    /// learnt when it stays on). A processor following shared switches keeps following
    /// them: they are read again at the next frame.
    pub fn set_settings(&mut self, settings: DspSettings) {
        if self.switches.shared.is_none() {
            self.switches.allowed = settings;
        }
        self.apply(settings);
    }

    fn apply(&mut self, settings: DspSettings) {
        if settings != self.settings {
            self.settings = settings;
            self.apm.apply_config(settings.config());
        }
    }

    /// Chunks that could not be processed and went through as they were.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Takes a frame about to be played (the far end's voice), as the echo reference.
    /// A partial 10 ms chunk at the end is ignored: frames are whole 20 ms.
    pub fn render(&mut self, frame: &[i16]) {
        if !self.settings.echo_cancellation {
            return;
        }
        for chunk in frame.chunks_exact(self.chunk) {
            if self
                .apm
                .process_render_i16(chunk, &mut self.scratch)
                .is_err()
            {
                self.errors += 1;
            }
        }
    }

    /// Processes a microphone frame in place (echo removed, noise suppressed, level
    /// evened out). A partial chunk at the end is left as it is.
    pub fn capture(&mut self, frame: &mut [i16]) {
        let now = self.switches.current();
        self.apply(now);
        if !self.settings.any() {
            return;
        }
        for chunk in frame.chunks_exact_mut(self.chunk) {
            match self.apm.process_capture_i16(chunk, &mut self.scratch) {
                Ok(()) => chunk.copy_from_slice(&self.scratch),
                Err(_) => self.errors += 1,
            }
        }
    }
}
