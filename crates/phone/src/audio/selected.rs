//! The user's chosen devices in front of a backend: calls ask for "the device" (`None`)
//! and get the chosen one, or the system's default when the chosen one is not there
//! (unplugged since it was chosen), so a missing headset never leaves a call silent.
//!
//! The choice can change while calls run ([`Selected::choose`]); each change is counted
//! so those calls move to the new device at once (see `call_devices.rs`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{AudioBackend, AudioError, Capture, ChoiceStamp, DeviceInfo, Playback};
use crate::dsp::{DspSettings, VoiceSwitches};

/// The names chosen and how often each changed, shared by every clone.
#[derive(Debug, Default)]
struct Choice {
    names: Mutex<(Option<String>, Option<String>)>,
    input_changes: AtomicU64,
    output_changes: AtomicU64,
}

/// See the module docs. Clones share the choice: one changed through any of them is the
/// choice of all.
#[derive(Clone)]
pub struct Selected {
    inner: Arc<dyn AudioBackend>,
    choice: Arc<Choice>,
    processing: DspSettings,
}

impl std::fmt::Debug for Selected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selected")
            .field("choice", &self.choice)
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
        let choice = Choice {
            names: Mutex::new((input, output)),
            ..Choice::default()
        };
        Selected {
            inner,
            choice: Arc::new(choice),
            processing: DspSettings::default(),
        }
    }

    /// The voice processing calls on these devices run.
    pub fn with_processing(mut self, processing: DspSettings) -> Self {
        self.processing = processing;
        self
    }

    /// Chooses other devices (`None`: the system's default). Devices opened from now on
    /// are these, and calls under way move to whichever of the two changed.
    pub fn choose(&self, input: Option<String>, output: Option<String>) {
        let mut names = self.names();
        if names.0 != input {
            names.0 = input;
            self.choice.input_changes.fetch_add(1, Ordering::Release);
        }
        if names.1 != output {
            names.1 = output;
            self.choice.output_changes.fetch_add(1, Ordering::Release);
        }
    }

    fn names(&self) -> std::sync::MutexGuard<'_, (Option<String>, Option<String>)> {
        self.choice.names.lock().unwrap_or_else(|p| p.into_inner())
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
            None => {
                let chosen = self.names().0.clone();
                open_or_default(chosen.as_deref(), |d| self.inner.open_capture(d, rate))
            }
        }
    }

    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        match device {
            Some(name) => self.inner.open_playback(Some(name), rate),
            None => {
                let chosen = self.names().1.clone();
                open_or_default(chosen.as_deref(), |d| self.inner.open_playback(d, rate))
            }
        }
    }

    /// The switches, as far as the devices allow them.
    fn voice_processing(&self) -> VoiceSwitches {
        self.inner.voice_processing().and(self.processing)
    }

    fn choice_stamp(&self) -> ChoiceStamp {
        ChoiceStamp {
            input: self.choice.input_changes.load(Ordering::Acquire),
            output: self.choice.output_changes.load(Ordering::Acquire),
        }
    }

    fn chosen_names(&self) -> (Option<String>, Option<String>) {
        self.names().clone()
    }
}
