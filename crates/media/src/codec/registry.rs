//! Codecs by the names SDP gives them.

use super::{Codec, OpusConfig, Pcma, Pcmu, G722};
use crate::Error;

/// A fresh codec for an `a=rtpmap` encoding name and clock rate (names compare without
/// case, RFC 4855 §3), with default settings; Opus decodes at `OpusConfig`'s default rate.
pub fn by_rtpmap(encoding: &str, clock_rate: u32) -> Result<Box<dyn Codec>, Error> {
    by_rtpmap_at(encoding, clock_rate, OpusConfig::default().sample_rate)
}

/// As [`by_rtpmap`], with Opus set to take and give PCM at `opus_rate`: a decoder whose
/// audio goes to an 8 kHz codec can decode at 8 kHz and spare a resampling step.
pub(crate) fn by_rtpmap_at(
    encoding: &str,
    clock_rate: u32,
    opus_rate: u32,
) -> Result<Box<dyn Codec>, Error> {
    let is = |name: &str| encoding.eq_ignore_ascii_case(name);
    match clock_rate {
        8000 if is("PCMU") => Ok(Box::new(Pcmu::new())),
        8000 if is("PCMA") => Ok(Box::new(Pcma::new())),
        // RFC 3551 §4.5.2: G.722 is signalled with an 8000 Hz clock.
        8000 if is("G722") => Ok(Box::new(G722::new())),
        // RFC 7587 §7: always "opus/48000/2" whatever is actually sent.
        48_000 if is("opus") => {
            let config = OpusConfig {
                sample_rate: opus_rate,
                ..OpusConfig::default()
            };
            Ok(Box::new(super::Opus::with_config(config)?))
        }
        _ => Err(Error::CodecUnsupported(format!("{encoding}/{clock_rate}"))),
    }
}
