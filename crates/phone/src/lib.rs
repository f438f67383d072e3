//! The softphone: a SIP user agent that registers accounts, places and takes calls
//! (sans-IO like `sip` and `media`: it takes input and `now`, and is drained of what to
//! send), and the PC's audio devices that its calls play and capture.
pub mod audio;
pub mod call_media;
pub mod dsp;
mod error;
pub mod runtime;
pub mod ua;

pub use error::Error;
