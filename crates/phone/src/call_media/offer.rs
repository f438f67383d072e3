//! The codecs a call offers, in order of preference: Opus first (wideband speech at a
//! low bit rate, with in-band FEC to rebuild lost packets, RFC 7587), then G.722
//! (wideband, every desk phone has it), then G.711 µ-law and A-law (narrowband, what
//! every SIP device speaks), and RFC 4733 telephone-events for the keypad.

use media::sdp::{CodecSpec, G722, OPUS, PCMA, PCMU, TELEPHONE_EVENT};

use crate::Error;

/// The voice codecs offered by default, best first.
pub const DEFAULT_VOICE_CODECS: [CodecSpec; 4] = [OPUS, G722, PCMU, PCMA];

/// The names `--codecs` and the settings accept, with the codec each stands for.
const NAMES: [(&str, CodecSpec); 6] = [
    ("opus", OPUS),
    ("g722", G722),
    ("pcmu", PCMU),
    ("g711u", PCMU),
    ("pcma", PCMA),
    ("g711a", PCMA),
];

/// What a call offers by default: every voice codec, then telephone-events.
pub fn default_offer() -> Vec<CodecSpec> {
    offer_of(&DEFAULT_VOICE_CODECS)
}

/// The offer for a comma-separated list of codec names in order of preference, e.g.
/// "opus,g722,pcmu" (case and spaces ignored, repeats kept once). Telephone-events are
/// always added at the end so the keypad works whichever voice codec is chosen.
pub fn parse_offer(list: &str) -> Result<Vec<CodecSpec>, Error> {
    let mut voice: Vec<CodecSpec> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let spec = NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, spec)| *spec)
            .ok_or_else(|| Error::UnknownCodec(name.to_owned()))?;
        if !voice.contains(&spec) {
            voice.push(spec);
        }
    }
    if voice.is_empty() {
        return Err(Error::UnknownCodec(list.trim().to_owned()));
    }
    Ok(offer_of(&voice))
}

fn offer_of(voice: &[CodecSpec]) -> Vec<CodecSpec> {
    let mut offer = voice.to_vec();
    offer.push(TELEPHONE_EVENT);
    offer
}

/// A codec's `a=rtpmap` name in words for the screen, with whether the call sounds
/// wideband (16 kHz speech) or narrowband (telephone quality, 8 kHz).
pub fn describe(encoding: &str) -> &'static str {
    if encoding.eq_ignore_ascii_case("opus") {
        "Opus (wideband)"
    } else if encoding.eq_ignore_ascii_case("G722") {
        "G.722 (wideband)"
    } else if encoding.eq_ignore_ascii_case("PCMU") {
        "G.711 µ-law (narrowband)"
    } else if encoding.eq_ignore_ascii_case("PCMA") {
        "G.711 A-law (narrowband)"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_offer_prefers_opus_then_g722_then_g711_and_ends_with_events() {
        let offer = default_offer();
        let names: Vec<&str> = offer.iter().map(|c| c.encoding).collect();
        assert_eq!(names, ["opus", "G722", "PCMU", "PCMA", "telephone-event"]);
    }

    #[test]
    fn a_list_of_names_keeps_its_order_and_drops_repeats() {
        let offer = parse_offer(" G722, opus ,g722,pcmu").unwrap();
        let names: Vec<&str> = offer.iter().map(|c| c.encoding).collect();
        assert_eq!(names, ["G722", "opus", "PCMU", "telephone-event"]);
        assert_eq!(parse_offer("g711a").unwrap()[0], PCMA);
    }

    #[test]
    fn unknown_or_empty_lists_are_refused() {
        assert_eq!(
            parse_offer("opus,g729"),
            Err(Error::UnknownCodec("g729".into()))
        );
        assert!(parse_offer(" , ").is_err());
    }

    #[test]
    fn codecs_are_described_in_words() {
        assert_eq!(describe("OPUS"), "Opus (wideband)");
        assert_eq!(describe("pcma"), "G.711 A-law (narrowband)");
        assert_eq!(describe("GSM"), "other");
    }
}
