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
    /// Reading or writing an audio file failed in the operating system (a full disk shows as
    /// `StorageFull`); the kind is kept rather than the error so this enum stays `Clone + Eq`.
    #[error("audio file i/o failed: {0}")]
    AudioIo(std::io::ErrorKind),
    /// An uploaded or stored audio file is damaged or not audio at all.
    #[error("audio file unreadable: {0}")]
    AudioMalformed(String),
    /// A well-formed audio file in a format or codec we cannot decode.
    #[error("audio format unsupported: {0}")]
    AudioUnsupported(String),
    /// An audio file that decodes to no samples.
    #[error("audio file has no sound")]
    AudioEmpty,
    /// An audio file longer than the caller allows (e.g. an upload limit).
    #[error("audio longer than {max_seconds} s")]
    AudioTooLong { max_seconds: u32 },
    /// The caller asked for something the audio blocks do not offer (a bug on our side),
    /// e.g. a sample rate other than 8 or 16 kHz or a channel count other than 1 or 2.
    #[error("audio parameter invalid: {0}")]
    AudioParameter(&'static str),
    /// An SRTP or SRTCP packet that is too short, fails authentication or was replayed
    /// (RFC 3711 §3.3): the packet is dropped.
    #[error("srtp packet refused: {0}")]
    Srtp(&'static str),
}
