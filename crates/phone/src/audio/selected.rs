//! The user's chosen devices in front of a backend: calls ask for "the device" (`None`)
//! and get the chosen one, or the system's default when the chosen one is not there
//! (unplugged since it was chosen), so a missing headset never leaves a call silent.

use std::sync::Arc;

use super::{AudioBackend, AudioError, Capture, DeviceInfo, Playback};
use crate::dsp::{DspSettings, VoiceSwitches};

/// See the module docs.
#[derive(Clone)]
pub struct Selected {
    inner: Arc<dyn AudioBackend>,
    input: Option<String>,
    output: Option<String>,
    processing: DspSettings,
}

impl std::fmt::Debug for Selected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selected")
            .field("input", &self.input)
            .field("output", &self.output)
            .field("processing", &self.processing)
            .finish_non_exhaustive()
    }
}

impl Selected {
    /// `input` and `output` by name; `None` is the system's default.
    pub fn new(
        inner: Arc<dyn AudioBackend>,
        input: Option<String>,
        output: Option<String>,
    ) -> Self {
        Selected {
            inner,
            input,
            output,
            processing: DspSettings::default(),
        }
    }

    /// The voice processing calls on these devices run.
    pub fn with_processing(mut self, processing: DspSettings) -> Self {
        self.processing = processing;
        self
    }
}

/// Opens `chosen` (or the default when there is no choice); a chosen device that
/// cannot be opened falls back to the default.
fn open_or_default<T>(
    chosen: Option<&str>,
    open: impl Fn(Option<&str>) -> Result<T, AudioError>,
) -> Result<T, AudioError> {
    match open(chosen) {
        Ok(stream) => Ok(stream),
        Err(err) if chosen.is_some() => {
            tracing::warn!(%err, "chosen audio device unavailable; using the default");
            open(None)
        }
        Err(err) => Err(err),
    }
}

impl AudioBackend for Selected {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.inner.input_devices()
    }

    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.inner.output_devices()
    }

    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        match device {
            Some(name) => self.inner.open_capture(Some(name), rate),
            None => open_or_default(self.input.as_deref(), |d| self.inner.open_capture(d, rate)),
        }
    }

    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        match device {
            Some(name) => self.inner.open_playback(Some(name), rate),
            None => open_or_default(self.output.as_deref(), |d| {
                self.inner.open_playback(d, rate)
            }),
        }
    }

    /// The switches, as far as the devices allow them.
    fn voice_processing(&self) -> VoiceSwitches {
        self.inner.voice_processing().and(self.processing)
    }
}
