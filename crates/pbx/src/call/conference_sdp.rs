//! The SDP of a conference room's calls: which of a caller's codecs the room answers
//! with, and how it answers a participant's later offers (hold and resume).

use media::sdp::{Direction, PayloadFormat, SessionDescription};

/// Voice codecs the mixer decodes and encodes, as `a=rtpmap` names and clock rates
/// (RFC 3551 §4.5.2: G.722 is signalled at 8000 Hz; RFC 7587 §7: Opus always at 48000).
const MIXABLE: &[(&str, u32)] = &[
    ("PCMU", 8000),
    ("PCMA", 8000),
    ("G722", 8000),
    ("opus", 48_000),
];

/// RFC 3264 §6.1: the caller's first voice codec the mixer handles, and telephone-event
/// when offered (preferring the one at the voice codec's clock, RFC 4733 §2.1).
pub(super) fn choose_formats(
    offered: &[PayloadFormat],
) -> Option<(PayloadFormat, Option<PayloadFormat>)> {
    let voice = offered
        .iter()
        .find(|f| {
            MIXABLE
                .iter()
                .any(|(name, rate)| f.encoding.eq_ignore_ascii_case(name) && f.clock_rate == *rate)
        })?
        .clone();
    let events: Vec<_> = offered
        .iter()
        .filter(|f| f.encoding.eq_ignore_ascii_case("telephone-event"))
        .collect();
    let dtmf = events
        .iter()
        .find(|f| f.clock_rate == voice.clock_rate)
        .or_else(|| events.first())
        .map(|f| (*f).clone());
    Some((voice, dtmf))
}

/// The room's previous answer `previous` in the direction that mirrors `offer`'s
/// (RFC 3264 §6.1: a `sendonly` hold is answered `recvonly`, `inactive` with `inactive`),
/// with the next version (§8); `None` when the direction is unchanged or either body
/// cannot be read. The room keeps mixing either way, and a held phone plays nothing.
pub(super) fn mirrored_answer(offer: &SessionDescription, previous: &[u8]) -> Option<Vec<u8>> {
    let media = offer.audio().and_then(|a| offer.media.get(a.index))?;
    let wanted = match offer.direction_for(media) {
        Direction::SendOnly => Direction::RecvOnly,
        Direction::RecvOnly => Direction::SendOnly,
        Direction::Inactive => Direction::Inactive,
        Direction::SendRecv => Direction::SendRecv,
    };
    let mut answer = SessionDescription::parse(std::str::from_utf8(previous).ok()?).ok()?;
    let ours = answer.media.first_mut()?;
    if ours.direction() == Some(wanted) {
        return None;
    }
    ours.set_direction(wanted);
    answer.origin.session_version += 1;
    Some(answer.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(pt: u8, encoding: &str, clock_rate: u32) -> PayloadFormat {
        PayloadFormat {
            payload_type: pt,
            encoding: encoding.to_owned(),
            clock_rate,
            channels: None,
            fmtp: None,
        }
    }

    #[test]
    fn the_callers_first_mixable_codec_and_matching_events_are_chosen() {
        let offered = [
            format(9, "G729", 8000),
            format(111, "opus", 48_000),
            format(0, "PCMU", 8000),
            format(101, "telephone-event", 8000),
            format(102, "telephone-event", 48_000),
        ];
        let (voice, dtmf) = choose_formats(&offered).unwrap();
        assert_eq!(voice.encoding, "opus");
        assert_eq!(dtmf.unwrap().payload_type, 102);
        assert!(choose_formats(&[format(18, "G729", 8000)]).is_none());
    }
}
