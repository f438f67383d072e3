//! The SDP side of transcoding in a B2BUA: widening the offer sent to the callee with the
//! codecs the PBX can transcode to, and, when the callee picks one the caller never
//! offered, answering the caller with one of its own codecs instead.

use super::{PayloadFormat, SessionDescription, TELEPHONE_EVENT};

/// The codecs the PBX can decode and encode, in the order it adds them to an offer
/// (`encoding`, RTP clock rate, channels as written in `a=rtpmap`, `a=fmtp`).
///
/// Opus is written `opus/48000/2` whatever is sent (RFC 7587 §7) and asks for in-band
/// FEC (RFC 7587 §6.1 `useinbandfec=1`) so a lost packet can be rebuilt from the next.
const TRANSCODABLE: [(&str, u32, Option<u16>, Option<&str>); 4] = [
    ("PCMU", 8000, None, None),
    ("PCMA", 8000, None, None),
    ("G722", 8000, None, None),
    ("opus", 48_000, Some(2), Some("useinbandfec=1")),
];

/// RFC 3551 static payload types of the transcodable codecs that have one.
fn static_type(encoding: &str) -> Option<u8> {
    match encoding {
        "PCMU" => Some(0),
        "PCMA" => Some(8),
        "G722" => Some(9),
        _ => None,
    }
}

/// Two formats name the same codec: same encoding (case-insensitive, RFC 4855 §3) and
/// clock rate. Channels are not compared: Opus is always signalled as two (RFC 7587 §7).
pub fn same_codec(a: &PayloadFormat, b: &PayloadFormat) -> bool {
    a.encoding.eq_ignore_ascii_case(&b.encoding) && a.clock_rate == b.clock_rate
}

/// Whether the PBX can decode and encode `format`.
pub fn is_transcodable(format: &PayloadFormat) -> bool {
    TRANSCODABLE.iter().any(|(name, rate, _, _)| {
        format.encoding.eq_ignore_ascii_case(name) && format.clock_rate == *rate
    })
}

fn is_event(format: &PayloadFormat) -> bool {
    format
        .encoding
        .eq_ignore_ascii_case(TELEPHONE_EVENT.encoding)
}

impl SessionDescription {
    /// Appends to the audio stream every transcodable codec it does not already offer,
    /// after the offerer's own (which stay first: RFC 3264 §5.1, the offerer's
    /// preference). New dynamic codecs take payload types unused in the stream from the
    /// RFC 3551 §3 dynamic range 96–127; static codecs keep their static number unless
    /// the offerer used it for something else. Returns the formats added.
    /// Where the offerer sends RFC 4733 events, they are offered at each new clock rate.
    pub fn add_transcodable_codecs(&mut self) -> Vec<PayloadFormat> {
        let Some(audio) = self.audio() else {
            return Vec::new();
        };
        let Some(media) = self.media.get_mut(audio.index) else {
            return Vec::new();
        };
        if media.port == 0 || !media.proto.to_ascii_uppercase().starts_with("RTP/") {
            return Vec::new();
        }
        let mut formats = media.payload_formats();
        let mut used: Vec<u8> = media
            .formats
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect();
        let mut added = Vec::new();
        for (encoding, clock_rate, channels, fmtp) in TRANSCODABLE {
            let format = PayloadFormat {
                payload_type: 0,
                encoding: encoding.to_owned(),
                clock_rate,
                channels,
                fmtp: fmtp.map(str::to_owned),
            };
            if formats.iter().any(|f| same_codec(f, &format)) {
                continue;
            }
            let payload_type = static_type(encoding)
                .filter(|pt| !used.contains(pt))
                .or_else(|| (96..=127).find(|pt| !used.contains(pt)));
            let Some(payload_type) = payload_type else {
                break; // every dynamic number is taken
            };
            used.push(payload_type);
            let format = PayloadFormat {
                payload_type,
                ..format
            };
            added.push(format.clone());
            formats.push(format);
        }
        // RFC 4733 §2.1: events use the clock of the audio they go with, so an offerer of
        // events gets them at every clock rate a new codec brings.
        let offers_events = formats.iter().any(is_event);
        let mut rates: Vec<u32> = added.iter().map(|f| f.clock_rate).collect();
        rates.dedup();
        for rate in rates {
            let has = formats.iter().any(|f| is_event(f) && f.clock_rate == rate);
            let free = (96..=127).find(|pt| !used.contains(pt));
            if let (true, false, Some(payload_type)) = (offers_events, has, free) {
                used.push(payload_type);
                let events = PayloadFormat {
                    payload_type,
                    encoding: TELEPHONE_EVENT.encoding.to_owned(),
                    clock_rate: rate,
                    channels: None,
                    fmtp: Some("0-16".to_owned()),
                };
                added.push(events.clone());
                formats.push(events);
            }
        }
        if !added.is_empty() {
            // Events stay last, after every voice codec.
            let (events, voice): (Vec<_>, Vec<_>) = formats.into_iter().partition(is_event);
            let mut ordered = voice;
            ordered.extend(events);
            media.set_payload_formats(&ordered);
        }
        added
    }

    /// The voice codec the audio stream uses: the first non-event format (RFC 3264 §6.1:
    /// an answerer sends with the first format of its answer that it can).
    pub fn audio_codec(&self) -> Option<PayloadFormat> {
        let audio = self.audio()?;
        let media = self.media.get(audio.index)?;
        media.payload_formats().into_iter().find(|f| !is_event(f))
    }

    /// The telephone-event format of the audio stream at `clock_rate`, if any.
    pub fn telephone_event(&self, clock_rate: u32) -> Option<PayloadFormat> {
        let audio = self.audio()?;
        let media = self.media.get(audio.index)?;
        media
            .payload_formats()
            .into_iter()
            .find(|f| is_event(f) && f.clock_rate == clock_rate)
    }

    /// Rewrites this answer (from the callee) into the answer for the caller whose offer
    /// was `caller_offer`, when the callee chose a codec the caller did not offer.
    ///
    /// The answer then names one codec of the caller's offer (the caller's most preferred
    /// one the PBX can transcode to, with the caller's payload type, so the answer stays
    /// a subset of the offer, RFC 3264 §6.1) and the caller's telephone-event at that
    /// codec's clock when the callee also answered events. Returns the pair to transcode
    /// between, `(caller's format, callee's format)`; `None` leaves the answer unchanged:
    /// the callee chose a codec the caller offered (plain relay), the answer has no
    /// enabled audio, or nothing of the caller's can be transcoded.
    pub fn answer_by_transcoding(
        &mut self,
        caller_offer: &SessionDescription,
    ) -> Option<(PayloadFormat, PayloadFormat)> {
        let callee_codec = self.audio_codec()?;
        let audio = self.audio()?;
        if audio.port == 0 {
            return None;
        }
        let offered = caller_offer
            .audio()
            .and_then(|a| caller_offer.media.get(a.index))?;
        let offered = offered.payload_formats();
        if offered.iter().any(|f| same_codec(f, &callee_codec)) || !is_transcodable(&callee_codec) {
            return None;
        }
        let caller_codec = offered
            .iter()
            .find(|f| !is_event(f) && is_transcodable(f))?
            .clone();
        let answered_events = self
            .media
            .get(audio.index)
            .is_some_and(|m| m.payload_formats().iter().any(is_event));
        let mut formats = vec![caller_codec.clone()];
        if answered_events {
            let events = offered
                .iter()
                .find(|f| is_event(f) && f.clock_rate == caller_codec.clock_rate);
            formats.extend(events.cloned());
        }
        let media = self.media.get_mut(audio.index)?;
        media.set_payload_formats(&formats);
        Some((caller_codec, callee_codec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdp(formats: &str, maps: &str) -> SessionDescription {
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
             m=audio 4000 RTP/AVP {formats}\r\n{maps}"
        );
        SessionDescription::parse(&text).expect("test sdp parses")
    }

    fn names(sdp: &SessionDescription) -> Vec<(u8, String)> {
        let audio = sdp.audio().expect("audio");
        sdp.media[audio.index]
            .payload_formats()
            .into_iter()
            .map(|f| (f.payload_type, f.encoding))
            .collect()
    }

    #[test]
    fn an_opus_offer_gains_the_g711_and_g722_codecs_after_its_own() {
        let mut offer = sdp(
            "96 101",
            "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/48000\r\n",
        );
        let added = offer.add_transcodable_codecs();
        assert_eq!(added.len(), 4);
        assert_eq!(
            names(&offer),
            vec![
                (96, "opus".to_owned()),
                (0, "PCMU".to_owned()),
                (8, "PCMA".to_owned()),
                (9, "G722".to_owned()),
                (101, "telephone-event".to_owned()),
                (97, "telephone-event".to_owned()),
            ]
        );
    }

    #[test]
    fn a_pcmu_offer_gains_opus_with_fec_on_a_free_dynamic_type() {
        let mut offer = sdp("0 96", "a=rtpmap:96 telephone-event/8000\r\n");
        offer.add_transcodable_codecs();
        let audio = offer.audio().expect("audio");
        let opus = offer.media[audio.index]
            .payload_formats()
            .into_iter()
            .find(|f| f.encoding == "opus")
            .expect("opus added");
        assert_eq!(opus.payload_type, 97);
        assert!(offer.telephone_event(48_000).is_some());
        assert_eq!(opus.channels, Some(2));
        assert_eq!(opus.fmtp.as_deref(), Some("useinbandfec=1"));
    }

    #[test]
    fn an_answer_with_a_codec_the_caller_lacks_becomes_the_callers_codec() {
        let caller = sdp(
            "111 101",
            "a=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/48000\r\n",
        );
        let mut answer = sdp("0 101", "a=rtpmap:101 telephone-event/8000\r\n");
        let (a, b) = answer.answer_by_transcoding(&caller).expect("transcodes");
        assert_eq!((a.payload_type, a.encoding.as_str()), (111, "opus"));
        assert_eq!((b.payload_type, b.encoding.as_str()), (0, "PCMU"));
        assert_eq!(
            names(&answer),
            vec![
                (111, "opus".to_owned()),
                (101, "telephone-event".to_owned())
            ]
        );
    }

    #[test]
    fn an_answer_with_a_shared_codec_is_left_alone() {
        let caller = sdp("0 8", "");
        let mut answer = sdp("8", "");
        let before = answer.clone();
        assert_eq!(answer.answer_by_transcoding(&caller), None);
        assert_eq!(answer, before);
    }
}
