//! Hold and music on hold. Re-INVITEs and UPDATEs still pass through unchanged (see
//! `in_dialog`); once an offer/answer exchange inside the call completes, this reads both
//! descriptions and asks the runtime to play music to a party the other one holds, and to
//! stop when the hold ends.
//!
//! RFC 3264 §8.4: a party holds the call by no longer wanting to receive — it offers
//! `sendonly` (or `inactive`); RFC 2543 phones write `c=0.0.0.0` instead. Whoever is held
//! would otherwise hear silence (or the holder's own attempt at music), so the relay sends
//! it music in the codec it agreed to receive.

use media::sdp::{PayloadFormat, SessionDescription};
use sip::{Method, Request, Response};

use super::anchor::sdp_of;
use super::CallId;
use crate::action::{Action, MediaSource, Side};
use crate::core::Pbx;

/// Codecs the runtime can play music in, in our preference order when the answer allows
/// several.
const PLAYABLE: &[&str] = &["PCMU", "PCMA", "G722", "opus"];

/// Formats that carry no audio of their own and are never chosen for music.
const NOT_AUDIO: &[&str] = &["telephone-event", "CN", "red", "ulpfec"];

/// What the call's media services know about holding.
#[derive(Debug, Default)]
pub(crate) struct HoldState {
    /// Per side (A, B): music is playing to that side because the other holds it.
    hearing_music: [bool; 2],
    /// An offer that arrived in a 2xx to a re-INVITE without one (RFC 3264 §5 via
    /// RFC 3261 §14.1): the exchange completes with the answer in the ACK.
    delayed_offer: Option<(Side, SessionDescription)>,
}

fn index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

/// Whether each party of a completed exchange holds the other; `None` for a party the
/// exchange says nothing about.
///
/// The offerer holds when its offer does (sendonly, inactive or 0.0.0.0). The answerer
/// holds when its answer refuses audio the offer would have sent it, or gives 0.0.0.0. An
/// `inactive` or `sendonly` answer to an offer that sends nothing (such as an `inactive`
/// hold) is forced by RFC 3264 §6.1 and leaves the answerer as it was.
fn holders(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Option<(Option<bool>, Option<bool>)> {
    let offered = offer.audio()?;
    let answered = answer.audio()?;
    if offered.port == 0 || answered.port == 0 {
        return None; // the stream is disabled or refused: nothing to play into
    }
    let offerer = offered.is_hold();
    let answerer = if answered.address.is_some_and(|ip| ip.is_unspecified()) {
        Some(true)
    } else if offered.direction.sends() {
        Some(answered.is_hold())
    } else {
        None
    };
    Some((Some(offerer), answerer))
}

/// The format to play music in: RFC 3264 §6.1 lets the offerer send any format the answer
/// lists, and both sides use the offerer's payload type numbers, so the answer's formats
/// suit either listener. A playable one is preferred; failing that, the first audio codec.
fn music_format(answer: &SessionDescription) -> Option<PayloadFormat> {
    let audio = answer.audio()?;
    let formats = answer.media.get(audio.index)?.payload_formats();
    let is_audio =
        |f: &&PayloadFormat| !NOT_AUDIO.iter().any(|n| f.encoding.eq_ignore_ascii_case(n));
    PLAYABLE
        .iter()
        .find_map(|name| {
            formats
                .iter()
                .filter(is_audio)
                .find(|f| f.encoding.eq_ignore_ascii_case(name))
        })
        .or_else(|| formats.iter().find(is_audio))
        .cloned()
}

fn description(content_type: Option<&str>, body: &[u8]) -> Option<SessionDescription> {
    sdp_of(content_type, body).ok().flatten()
}

impl Pbx {
    /// A forwarded request from `from` was answered with a 2xx by the other side. For an
    /// INVITE or UPDATE carrying an offer the exchange is complete now; for an INVITE
    /// without one, the 2xx carries the offer and the answer follows in the ACK.
    pub(crate) fn hold_after_answer(
        &mut self,
        id: CallId,
        from: Side,
        request: &Request,
        response: &Response,
    ) {
        if response.class() != 2 || !matches!(request.method, Method::Invite | Method::Update) {
            return;
        }
        let offer = description(request.content_type(), &request.body);
        let answer = description(response.content_type(), &response.body);
        match (offer, answer) {
            (Some(offer), Some(answer)) => self.negotiated(id, from, &offer, &answer),
            (None, Some(offer)) if request.method == Method::Invite => {
                if let Some(call) = self.calls.get_mut(&id) {
                    call.hold.delayed_offer = Some((from.other(), offer));
                }
            }
            _ => {}
        }
    }

    /// The ACK from `from` completing an exchange whose offer came in our 2xx.
    pub(crate) fn hold_after_ack(&mut self, id: CallId, from: Side, ack: &Request) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some((offerer, offer)) = call.hold.delayed_offer.take() else {
            return;
        };
        if offerer == from {
            return; // not the answer to that offer
        }
        if let Some(answer) = description(ack.content_type(), &ack.body) {
            self.negotiated(id, offerer, &offer, &answer);
        }
    }

    /// Starts or stops music for each side after `offerer`'s `offer` was answered.
    fn negotiated(
        &mut self,
        id: CallId,
        offerer: Side,
        offer: &SessionDescription,
        answer: &SessionDescription,
    ) {
        let Some((offerer_holds, answerer_holds)) = holders(offer, answer) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(relay) = call.relay else {
            return;
        };
        let format = music_format(answer);
        // The party held is the one opposite the holder.
        for (holder, holds) in [(offerer, offerer_holds), (offerer.other(), answerer_holds)] {
            let listener = holder.other();
            let playing = &mut call.hold.hearing_music[index(listener)];
            match (holds, *playing, &format) {
                (Some(true), false, Some(format)) => {
                    *playing = true;
                    self.actions.push_back(Action::MediaPlay {
                        id: relay.id,
                        to: listener,
                        source: MediaSource::MusicOnHold,
                        format: format.clone(),
                    });
                }
                (Some(false), true, _) => {
                    *playing = false;
                    self.actions.push_back(Action::MediaStop {
                        id: relay.id,
                        to: listener,
                    });
                }
                _ => {}
            }
        }
    }
}
