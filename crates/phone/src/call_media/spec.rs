//! The voice format a call's media is set up with, from the SDP answer.

use media::sdp::PayloadFormat;

use crate::ua::RemoteMedia;

/// The voice format agreed in the SDP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecSpec {
    /// rtpmap encoding name: PCMU, PCMA, G722 or opus.
    pub encoding: String,
    pub payload_type: u8,
    /// RTP clock rate from the rtpmap (8000, or 48000 for Opus).
    pub clock_rate: u32,
    /// RFC 4733 payload type, when both sides agreed on telephone-events.
    pub telephone_event: Option<u8>,
    /// Seed for our SSRC and the random first sequence number and timestamp
    /// (RFC 3550 §5.1 asks for random starting values).
    pub ssrc_seed: u64,
}

impl CodecSpec {
    /// The spec for an agreed payload format.
    pub fn from_format(
        format: &PayloadFormat,
        telephone_event: Option<u8>,
        ssrc_seed: u64,
    ) -> Self {
        CodecSpec {
            encoding: format.encoding.clone(),
            payload_type: format.payload_type,
            clock_rate: format.clock_rate,
            telephone_event,
            ssrc_seed,
        }
    }

    /// The spec for what the user agent reported of the far end's media; `None` when no
    /// voice format was agreed.
    pub fn from_remote(remote: &RemoteMedia, ssrc_seed: u64) -> Option<Self> {
        let format = remote.codec.as_ref()?;
        Some(Self::from_format(format, remote.telephone_event, ssrc_seed))
    }
}
