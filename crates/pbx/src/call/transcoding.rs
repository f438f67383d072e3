//! Transcoding between legs that share no codec.
//!
//! The offer to the callee lists the caller's codecs first and then those the PBX can
//! transcode to, so a callee that supports none of the caller's still finds one. When the
//! callee's answer picks a codec the caller did not offer, the caller is answered with one
//! of its own and the runtime transcodes between the two; when they share a codec,
//! packets are relayed unchanged (nothing is decoded). Calls through a trunk work the same
//! way, the provider's side seeing only the trunk's codecs (see `trunk_media`).

use std::borrow::Cow;
use std::collections::VecDeque;

use media::sdp::{same_codec, PayloadFormat, SessionDescription};

use super::anchor::sdp_of;
use super::Call;
use crate::action::{Action, Side};

/// What a call transcodes between, as the two phones agreed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Formats {
    /// The caller's codec and its RFC 4733 events (when both sides answered events).
    pub a: PayloadFormat,
    pub a_events: Option<PayloadFormat>,
    /// The callee's codec and events.
    pub b: PayloadFormat,
    pub b_events: Option<PayloadFormat>,
}

impl Formats {
    fn same_codecs(&self, other: &Formats) -> bool {
        self.a == other.a && self.b == other.b
    }
}

/// The caller's offer as the callee gets it: with the transcodable codecs the caller
/// lacks appended, when the call's media passes the relay (only there can it be
/// transcoded). Anything else passes unchanged.
pub(crate) fn widened_offer<'a>(
    relayed: bool,
    content_type: Option<&str>,
    body: &'a [u8],
) -> Cow<'a, [u8]> {
    if !relayed {
        return Cow::Borrowed(body);
    }
    match sdp_of(content_type, body) {
        Ok(Some(mut sdp)) => {
            if sdp.add_transcodable_codecs().is_empty() {
                Cow::Borrowed(body)
            } else {
                Cow::Owned(sdp.to_string().into_bytes())
            }
        }
        _ => Cow::Borrowed(body),
    }
}

/// The callee's answer (in a 183 or 2xx to the caller's INVITE, already anchored at the
/// relay) made into one the caller can take, telling the runtime to start or stop
/// transcoding as the codecs require. Called after the answer's `RelayPeer`, so the relay
/// knows both phones by the time it hears of transcoding.
///
/// Only a call whose caller made the offer (in its INVITE) and whose media is relayed is
/// considered: without an offer there is no list of the caller's codecs to answer from.
pub(crate) fn answer_for_caller(
    actions: &mut VecDeque<Action>,
    call: &mut Call,
    answer: Option<(String, Vec<u8>)>,
) -> Option<(String, Vec<u8>)> {
    let answer = answer?;
    if call.relay.is_none() {
        return Some(answer);
    }
    let request = &call.a_request;
    let Ok(Some(offer)) = sdp_of(request.content_type(), &request.body) else {
        return Some(answer);
    };
    let relay = call.relay;
    let answer = agree(actions, call, Side::A, offer.clone(), answer);
    super::srtp::secure_answer(relay, Side::A, Some(&offer), Some(answer))
}

/// A party re-INVITEd by the PBX after a transfer joined it to the party on the other
/// side (whose latest SDP, `other`, it was offered, widened with the codecs the relay
/// transcodes to) answered with `answer`: transcoding starts, changes or stops as the
/// two now require (RFC 3264 §8: the new offer may change the codec). Returns the answer
/// as the other party would take it, in its own codec. Called after the answer's
/// `RelayPeer`.
pub(crate) fn rejoined(
    actions: &mut VecDeque<Action>,
    call: &mut Call,
    answerer: Side,
    other: &(String, Vec<u8>),
    answer: (String, Vec<u8>),
) -> (String, Vec<u8>) {
    if call.relay.is_none() {
        return answer;
    }
    let Ok(Some(offer)) = sdp_of(Some(&other.0), &other.1) else {
        return answer;
    };
    agree(actions, call, answerer.other(), offer, answer)
}

/// `answer` (from the side opposite `offerer`) to `offer` (from `offerer`), made into an
/// answer the offerer can take, with the runtime told to start, change or stop
/// transcoding. Answers that are not SDP pass unchanged.
fn agree(
    actions: &mut VecDeque<Action>,
    call: &mut Call,
    offerer: Side,
    mut offer: SessionDescription,
    (content_type, body): (String, Vec<u8>),
) -> (String, Vec<u8>) {
    let Some(relay) = call.relay else {
        return (content_type, body);
    };
    let Ok(Some(mut sdp)) = sdp_of(Some(&content_type), &body) else {
        return (content_type, body);
    };
    // On a call through a trunk, the offer as it was passed on: a provider is answered
    // only with the trunk's codecs and events; a phone's offer sharing codecs with the
    // trunk keeps just those (the provider was offered nothing else).
    if let Some(trunk) = &call.trunk_media {
        trunk.shape(&mut offer);
    }
    let answerer_sdp = sdp.clone();
    let wanted = sdp
        .answer_by_transcoding(&offer)
        .map(|(theirs, own)| {
            let own_events = answerer_sdp.telephone_event(own.clock_rate);
            let their_events = own_events
                .as_ref()
                .and(offer.telephone_event(theirs.clock_rate));
            ((theirs, their_events), (own, own_events))
        })
        .map(|(offered, answered)| {
            let ((a, a_events), (b, b_events)) = match offerer {
                Side::A => (offered, answered),
                Side::B => (answered, offered),
            };
            Formats {
                a,
                a_events,
                b,
                b_events,
            }
        });
    let unchanged = match (&wanted, &call.transcoding) {
        (Some(new), Some(old)) => new.same_codecs(old),
        (None, None) => true,
        _ => false,
    };
    if !unchanged {
        match &wanted {
            Some(f) => actions.push_back(Action::Transcode {
                id: relay.id,
                a: f.a.clone(),
                b: f.b.clone(),
                a_events: f.a_events.as_ref().map(|e| e.payload_type),
                b_events: f.b_events.as_ref().map(|e| e.payload_type),
            }),
            None => actions.push_back(Action::TranscodeStop { id: relay.id }),
        }
    }
    let changed = wanted.is_some();
    call.transcoding = wanted;
    if changed {
        (content_type, sdp.to_string().into_bytes())
    } else {
        (content_type, body)
    }
}

/// On a transcoded call, an offer or answer from `from` inside the dialog (a re-INVITE
/// for hold, its answer, an answer in an ACK) rewritten to name the codec the other
/// phone agreed on, with that phone's payload types: each phone keeps seeing the codec
/// it chose, and the relay keeps transcoding between the two (RFC 3264 §8: a re-offer
/// may keep the session's formats). A description that no longer offers the sender's
/// agreed codec passes unchanged.
pub(crate) fn translate(
    call: &Call,
    from: Side,
    message: Option<(String, Vec<u8>)>,
) -> Option<(String, Vec<u8>)> {
    let (Some(formats), Some((content_type, body))) = (&call.transcoding, &message) else {
        return message;
    };
    let Ok(Some(mut sdp)) = sdp_of(Some(content_type), body) else {
        return message;
    };
    let (own, theirs, their_events) = match from {
        Side::A => (&formats.a, &formats.b, &formats.b_events),
        Side::B => (&formats.b, &formats.a, &formats.a_events),
    };
    let Some(media) = sdp.audio().and_then(|a| sdp.media.get_mut(a.index)) else {
        return message;
    };
    let listed = media.payload_formats();
    if !listed.iter().any(|f| same_codec(f, own)) {
        return message;
    }
    let events = listed
        .iter()
        .any(|f| f.encoding.eq_ignore_ascii_case("telephone-event"));
    let mut rewritten = vec![theirs.clone()];
    if events {
        rewritten.extend(their_events.iter().cloned());
    }
    media.set_payload_formats(&rewritten);
    Some((content_type.clone(), sdp.to_string().into_bytes()))
}
