//! The crate's one error type: what the user agent's commands and the audio devices
//! report when they cannot do what was asked.

use crate::audio::AudioError;

/// Why a softphone command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no such call")]
    UnknownCall,
    #[error("the call is not in a state that allows this")]
    WrongState,
    #[error("invalid destination")]
    BadTarget,
    #[error("no codec in common")]
    NoCommonCodec,
    #[error("not a dtmf key")]
    BadKey,
    /// A codec name the softphone does not know (in a `--codecs` list or the settings).
    #[error("unknown codec: {0}")]
    UnknownCodec(String),
    /// An SRTP mode other than auto, off or required.
    #[error("unknown srtp mode: {0}")]
    UnknownSrtpMode(String),
    /// SRTP is required but the account does not use TLS: its keys would travel in the
    /// clear (RFC 4568 §8.3).
    #[error("srtp required but the account does not use tls")]
    SrtpNeedsTls,
    /// The offer asks for SRTP where we cannot take keys, or plain RTP where SRTP is
    /// required.
    #[error("the call's encryption is not acceptable")]
    EncryptionRefused,
    #[error("transaction layer: {0}")]
    Transaction(#[from] sip::transaction::TransactionError),
    /// The audio devices keep their own, finer error ([`AudioError`]) for their API;
    /// it converts into this one with `?`.
    #[error(transparent)]
    Audio(#[from] AudioError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_errors_convert_and_keep_their_message() {
        fn open() -> Result<(), Error> {
            Err(AudioError::DeviceNotFound("headset".into()))?
        }
        let err = open().unwrap_err();
        assert_eq!(
            err,
            Error::Audio(AudioError::DeviceNotFound("headset".into()))
        );
        assert_eq!(err.to_string(), "audio device not found: headset");
    }
}
