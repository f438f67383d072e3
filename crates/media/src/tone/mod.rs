//! Call-progress tones and a single-frequency detector.

mod generator;
mod goertzel;

pub use generator::{Cadence, Tone, ToneGenerator};
pub use goertzel::detect_tone;
