//! What can go wrong opening or using an audio device.

/// An audio device error. None of these is fatal to the app: with no device a call can
/// still run on the null device, and the UI says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// The machine has no input (or no output) device at all, or no default one.
    #[error("no audio device")]
    NoDevice,
    /// A device asked for by name is not (or no longer) there.
    #[error("audio device not found: {0}")]
    DeviceNotFound(String),
    /// Calls run at 8, 16 or 48 kHz only.
    #[error("unsupported call sample rate: {0} Hz")]
    UnsupportedCallRate(u32),
    /// The device offers only a sample format we do not convert.
    #[error("unsupported device sample format: {0}")]
    UnsupportedFormat(String),
    /// The audio system refused (busy device, broken driver, ...), in its own words.
    #[error("audio system: {0}")]
    Backend(String),
    /// A file device could not read its source or write what it played.
    #[error("audio file: {0}")]
    File(String),
}
