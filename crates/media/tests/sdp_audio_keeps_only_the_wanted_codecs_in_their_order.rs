//! Restricting an audio stream to a trunk's codecs: the wanted codecs in the wanted order,
//! telephone-event only when asked for and at a kept codec's clock rate, the offerer's
//! payload type numbers kept, and nothing changed when no codec is in common.

use media::sdp::{Attribute, AudioRestriction, SessionDescription};

fn sdp(m_line_and_attributes: &str) -> SessionDescription {
    let text = format!(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n{m_line_and_attributes}"
    );
    SessionDescription::parse(&text).expect("valid sdp")
}

/// A phone's usual offer: G.722, µ-law, A-law, comfort noise, events at 8 and 16 kHz.
fn phone_offer() -> SessionDescription {
    sdp("m=audio 4000 RTP/AVP 9 0 8 13 101 102\r\n\
         a=rtpmap:9 G722/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n\
         a=rtpmap:102 telephone-event/16000\r\na=fmtp:102 0-15\r\n\
         a=ptime:20\r\na=sendrecv\r\n")
}

fn encodings(sdp: &SessionDescription) -> Vec<(u8, String)> {
    sdp.media[0]
        .payload_formats()
        .into_iter()
        .map(|f| (f.payload_type, f.encoding))
        .collect()
}

#[test]
fn only_the_wanted_codecs_remain_in_the_wanted_order() {
    let mut offer = phone_offer();
    let done = offer.restrict_audio(&["PCMA", "PCMU"], false);
    assert_eq!(done, AudioRestriction::Restricted);
    assert_eq!(
        encodings(&offer),
        [(8, "PCMA".to_owned()), (0, "PCMU".to_owned())]
    );
    assert_eq!(offer.media[0].formats, ["8", "0"]);
    let text = offer.to_string();
    assert!(!text.contains("G722"), "{text}");
    assert!(!text.contains("telephone-event"), "{text}");
    assert!(!text.contains("fmtp"), "{text}");
    assert!(text.contains("a=ptime:20"), "other attributes stay: {text}");
    assert!(text.contains("a=sendrecv"), "{text}");
}

#[test]
fn telephone_event_stays_at_the_kept_codecs_clock_rate_when_asked_for() {
    let mut offer = phone_offer();
    offer.restrict_audio(&["PCMU"], true);
    assert_eq!(
        encodings(&offer),
        [(0, "PCMU".to_owned()), (101, "telephone-event".to_owned())]
    );
    let fmtp = offer.media[0].attributes.iter().find_map(|a| match a {
        Attribute::Fmtp {
            payload_type: 101,
            params,
        } => Some(params.clone()),
        _ => None,
    });
    assert_eq!(fmtp.as_deref(), Some("0-16"), "its fmtp goes with it");
}

#[test]
fn names_match_without_case_or_dots() {
    let mut offer = phone_offer();
    offer.restrict_audio(&["g.722", "pcmu"], false);
    assert_eq!(
        encodings(&offer),
        [(9, "G722".to_owned()), (0, "PCMU".to_owned())]
    );
}

#[test]
fn dynamic_payload_numbers_are_kept() {
    let mut offer =
        sdp("m=audio 4000 RTP/AVP 96 97\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:97 PCMU/8000\r\n");
    offer.restrict_audio(&["PCMU", "OPUS"], false);
    assert_eq!(offer.media[0].formats, ["97", "96"]);
}

#[test]
fn no_common_codec_leaves_the_description_as_it_was() {
    let mut offer = phone_offer();
    let before = offer.clone();
    assert_eq!(
        offer.restrict_audio(&["G729"], true),
        AudioRestriction::NoCommonCodec
    );
    assert_eq!(offer, before);
    assert!(!offer.offers_any_codec(&["G729"]));
    assert!(offer.offers_any_codec(&["G729", "PCMA"]));
}

#[test]
fn events_alone_are_no_common_codec() {
    let mut offer = sdp("m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n");
    assert_eq!(
        offer.restrict_audio(&["PCMU"], true),
        AudioRestriction::NoCommonCodec
    );
}

#[test]
fn an_empty_list_keeps_every_voice_codec_and_only_drops_events() {
    let mut offer = phone_offer();
    offer.restrict_audio(&[] as &[&str], false);
    assert_eq!(
        encodings(&offer),
        [
            (9, "G722".to_owned()),
            (0, "PCMU".to_owned()),
            (8, "PCMA".to_owned()),
            (13, "CN".to_owned())
        ]
    );
}

#[test]
fn a_disabled_or_missing_audio_stream_is_left_alone() {
    let mut rejected = sdp("m=audio 0 RTP/AVP 0\r\n");
    let before = rejected.clone();
    assert_eq!(
        rejected.restrict_audio(&["PCMA"], false),
        AudioRestriction::NoAudio
    );
    assert_eq!(rejected, before);
    let mut video = sdp("m=video 5000 RTP/AVP 31\r\n");
    assert_eq!(
        video.restrict_audio(&["PCMA"], false),
        AudioRestriction::NoAudio
    );
    assert!(video.offers_any_codec(&["PCMA"]));
}

#[test]
fn only_the_audio_stream_is_touched() {
    let mut offer = sdp("m=audio 4000 RTP/AVP 0 8\r\nm=video 5000 RTP/AVP 31\r\n");
    offer.restrict_audio(&["PCMA"], false);
    assert_eq!(offer.media[0].formats, ["8"]);
    assert_eq!(offer.media[1].formats, ["31"]);
}
