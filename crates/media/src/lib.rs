//! Media plane building blocks, sans-IO: SDP offer/answer, RTP/RTCP headers, RFC 4733
//! telephone-events, G.711 codecs, tones and the symmetric-latching state of an RTP relay leg.
//!
//! Nothing here opens a socket or reads the clock; the engine owns both and passes `now` in.

pub mod audio_import;
mod audio_import_resample;
pub mod codec;
pub mod dtmf_detect;
mod error;
pub mod jitter;
pub mod mixer;
pub mod player;
pub mod recorder;
pub mod relay;
pub mod rtp;
pub mod sdp;
pub mod srtp;
pub mod tone;
pub mod transcode;
pub mod wav;
pub mod wav_prompts;

pub use error::Error;
