/// Everything that can go wrong while reading media input from the network.
///
/// All variants describe malformed input from the peer; callers drop the packet or answer
/// the offer with 488/400 rather than crash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An SDP line could not be understood; `line` is 1-based.
    #[error("sdp line {line}: {reason}")]
    Sdp { line: usize, reason: &'static str },
    /// The SDP lacks a line RFC 4566 §5 requires.
    #[error("sdp missing {0} line")]
    SdpMissing(&'static str),
    /// Fewer bytes than the fixed RTP header, its CSRCs or its extension need.
    #[error("rtp packet too short")]
    RtpTooShort,
    /// RFC 3550 §5.1: only version 2 is defined.
    #[error("rtp version {0} unsupported")]
    RtpVersion(u8),
    /// The padding count is zero or larger than the packet body.
    #[error("rtp padding invalid")]
    RtpPadding,
    /// An RTCP packet whose header or length word does not fit the datagram.
    #[error("rtcp packet malformed")]
    Rtcp,
    /// RFC 4733 §2.3: an event payload is exactly four octets per event.
    #[error("telephone-event payload too short")]
    TelephoneEventTooShort,
    /// An SDP codec we cannot decode or encode, named `encoding/clock-rate`: the peer
    /// offered a feature we lack (answer 488 or relay without transcoding).
    #[error("codec {0} unsupported")]
    CodecUnsupported(String),
    /// A codec or resampler refused its settings (a bug on our side).
    #[error("{0} setup failed")]
    CodecSetup(&'static str),
}
