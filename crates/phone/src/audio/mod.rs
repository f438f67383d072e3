//! The PC's audio devices, behind a small trait so a call runs the same on a real
//! headset ([`CpalBackend`]) or on files and silence ([`FileBackend`], for tests and
//! headless machines).
//!
//! A stream exchanges 20 ms mono `i16` frames at the call's rate (8, 16 or 48 kHz) with
//! the call, through a lock-free ring to the device's real-time callback, which runs at
//! the device's own rate and channel count. See `ring.rs` for why the callback only
//! touches the ring.

mod call_devices;
mod cpal_backend;
mod device_test;
mod error;
mod file_backend;
mod level;
mod ring;
mod selected;
mod stream;
#[cfg(test)]
mod stream_tests;

pub use call_devices::{CallDevices, REOPEN_EVERY};
pub use cpal_backend::CpalBackend;
pub use device_test::{DeviceTest, LOOPBACK_DELAY, TEST_TONE_HZ};
pub use error::AudioError;
pub use file_backend::{FileBackend, FileSource};
pub use level::{Level, LevelMeter, SILENCE_DBFS};
pub use selected::Selected;
pub(crate) use stream::check_call_rate;
pub use stream::{Capture, Playback, FRAME_MS};

use crate::dsp::{DspSettings, VoiceSwitches};

/// An input or output device as offered to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name to show and to open it by.
    pub name: String,
    /// Whether the system uses it when nothing is chosen.
    pub is_default: bool,
}

/// A source of audio devices: the PC's sound system, or files.
pub trait AudioBackend: Send + Sync {
    /// The microphones (and other inputs); empty when there are none.
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError>;

    /// The speakers and headsets; empty when there are none.
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError>;

    /// Starts capturing from the input named `device` (the default one when `None`),
    /// handing out frames at `call_rate`. [`AudioError::NoDevice`] when there is none.
    fn open_capture(&self, device: Option<&str>, call_rate: u32) -> Result<Capture, AudioError>;

    /// Starts playing to the output named `device` (the default one when `None`), taking
    /// frames at `call_rate`. [`AudioError::NoDevice`] when there is none.
    fn open_playback(&self, device: Option<&str>, call_rate: u32) -> Result<Playback, AudioError>;

    /// Which voice processing calls run on the microphone (everything, unless the user
    /// turned some of it off); shared switches let a change reach a call under way.
    fn voice_processing(&self) -> VoiceSwitches {
        DspSettings::default().into()
    }

    /// How many times the user chose another microphone and speaker so far: a call
    /// under way that sees a count move opens the new choice in place of its device
    /// (see [`CallDevices`]). Backends without a choice never change it.
    fn choice_stamp(&self) -> ChoiceStamp {
        ChoiceStamp::default()
    }

    /// The names of the chosen input and output (`None`: the system's default), to
    /// name them when one cannot be opened. Backends without a choice have none.
    fn chosen_names(&self) -> (Option<String>, Option<String>) {
        (None, None)
    }
}

/// Counts of the changes to the chosen input and output; only their changes matter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChoiceStamp {
    pub input: u64,
    pub output: u64,
}
