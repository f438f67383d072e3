//! Transcoding between legs that share no codec.
//!
//! The offer to the callee lists the caller's codecs first and then those the PBX can
//! transcode to, so a callee that supports none of the caller's still finds one. When the
//! callee's answer picks a codec the caller did not offer, the caller is answered with one
//! of its own and the runtime transcodes between the two; when they share a codec,
//! packets are relayed unchanged (nothing is decoded).

use std::borrow::Cow;
use std::collections::VecDeque;

use media::sdp::PayloadFormat;

use super::anchor::sdp_of;
use super::Call;
use crate::action::Action;

/// The pair of formats a call transcodes between: (caller's, callee's).
pub(crate) type Formats = (PayloadFormat, PayloadFormat);

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
    let relay = call.relay?;
    let (content_type, body) = answer?;
    let request = &call.a_request;
    let (Ok(Some(offer)), Ok(Some(mut sdp))) = (
        sdp_of(request.content_type(), &request.body),
        sdp_of(Some(&content_type), &body),
    ) else {
        return Some((content_type, body));
    };
    let callee_answer = sdp.clone();
    let wanted = sdp.answer_by_transcoding(&offer);
    if wanted != call.transcoding {
        match &wanted {
            Some((a, b)) => {
                let answered_events = callee_answer.telephone_event(b.clock_rate);
                actions.push_back(Action::Transcode {
                    id: relay.id,
                    a: a.clone(),
                    b: b.clone(),
                    a_events: answered_events
                        .as_ref()
                        .and(offer.telephone_event(a.clock_rate))
                        .map(|f| f.payload_type),
                    b_events: answered_events.map(|f| f.payload_type),
                });
            }
            None => actions.push_back(Action::TranscodeStop { id: relay.id }),
        }
    }
    let changed = wanted.is_some();
    call.transcoding = wanted;
    if changed {
        Some((content_type, sdp.to_string().into_bytes()))
    } else {
        Some((content_type, body))
    }
}
