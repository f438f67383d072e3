//! Narrowing an audio stream to the codecs one side of a call can carry, in its
//! preference order — what a B2BUA does towards a SIP trunk whose provider accepts only
//! some codecs, when it relays packets without transcoding.

use super::{PayloadFormat, SessionDescription, TELEPHONE_EVENT};

/// What [`SessionDescription::restrict_audio`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioRestriction {
    /// The audio stream now lists only the wanted codecs (possibly the same as before).
    Restricted,
    /// Nothing to restrict: the description has no audio stream, or it is disabled
    /// (port 0, RFC 3264 §6) and carries no codec choice.
    NoAudio,
    /// None of the wanted codecs is offered; the description was left unchanged, so the
    /// caller can refuse it (488, RFC 3261 §21.4.26) or pass it on as it was.
    NoCommonCodec,
}

impl SessionDescription {
    /// Keeps, in the audio stream, only the formats whose encoding is named in `codecs`,
    /// ordered by `codecs` (the first is the most preferred, RFC 3264 §5.1), and the
    /// RFC 4733 telephone-event formats when `telephone_event` is set — only those whose
    /// clock rate matches a kept codec (RFC 4733 §2.1: events use the audio's clock).
    ///
    /// Names compare case-insensitively and ignore dots, so an owner's `G.722` names the
    /// `G722` of an `a=rtpmap` (RFC 4855 §3: encoding names are case-insensitive). An
    /// empty `codecs` keeps every voice codec in the offered order and only applies the
    /// telephone-event rule. Payload type numbers are never changed, so an answer stays a
    /// subset of its offer (RFC 3264 §6.1).
    pub fn restrict_audio(
        &mut self,
        codecs: &[impl AsRef<str>],
        telephone_event: bool,
    ) -> AudioRestriction {
        let Some(audio) = self.audio() else {
            return AudioRestriction::NoAudio;
        };
        let Some(media) = self.media.get_mut(audio.index) else {
            return AudioRestriction::NoAudio;
        };
        if media.port == 0 {
            return AudioRestriction::NoAudio;
        }
        let offered = media.payload_formats();
        let (events, voice): (Vec<PayloadFormat>, Vec<PayloadFormat>) =
            offered.into_iter().partition(is_event);
        let mut kept = Vec::new();
        if codecs.is_empty() {
            kept = voice;
        } else {
            for wanted in codecs {
                for format in &voice {
                    let named = same_name(&format.encoding, wanted.as_ref());
                    if named && !kept.contains(format) {
                        kept.push(format.clone());
                    }
                }
            }
        }
        if kept.is_empty() {
            return AudioRestriction::NoCommonCodec;
        }
        if telephone_event {
            let rates: Vec<u32> = kept.iter().map(|f| f.clock_rate).collect();
            kept.extend(events.into_iter().filter(|e| rates.contains(&e.clock_rate)));
        }
        media.set_payload_formats(&kept);
        AudioRestriction::Restricted
    }

    /// Whether the audio stream offers at least one codec named in `codecs` (any codec
    /// when `codecs` is empty); a description without an enabled audio stream has
    /// nothing to refuse and passes.
    pub fn offers_any_codec(&self, codecs: &[impl AsRef<str>]) -> bool {
        let mut copy = self.clone();
        copy.restrict_audio(codecs, false) != AudioRestriction::NoCommonCodec
    }
}

fn is_event(format: &PayloadFormat) -> bool {
    same_name(&format.encoding, TELEPHONE_EVENT.encoding)
}

fn same_name(encoding: &str, wanted: &str) -> bool {
    let mut a = encoding.chars().filter(|c| *c != '.');
    let mut b = wanted.trim().chars().filter(|c| *c != '.');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(&y) => {}
            _ => return false,
        }
    }
}
