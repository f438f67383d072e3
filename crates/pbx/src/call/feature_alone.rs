//! Offers from a party that has nobody to pass them to: a parked call's waiting party,
//! or the party waiting while the transferor consults someone (`*2`). A phone refreshing
//! its session (RFC 4028) or holding the call sends a re-INVITE or UPDATE then; the PBX
//! answers it itself instead of refusing, so the phone does not give the call up.
//!
//! The answer mirrors the offer (RFC 3264 §6.1: same streams and formats, the direction
//! reversed) at the relay socket the party already sends to, and a new address in the
//! offer re-points the relay. The music goes on either way.

use std::time::Instant;

use media::sdp::{Attribute, SessionDescription};
use sip::transaction::ServerKey;
use sip::{Method, Request, Response};

use super::anchor::sdp_of;
use super::CallId;
use crate::action::{Action, Side};
use crate::core::Pbx;
use crate::util::ALLOW;

impl Pbx {
    /// Answers `request` (a re-INVITE or UPDATE from the party on `side` of call `id`,
    /// who talks to nobody now). Returns whether it was one.
    pub(super) fn answer_alone(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        if !matches!(request.method, Method::Invite | Method::Update) {
            return false;
        }
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let (Some(relay), Some(leg)) = (call.relay, call.leg(side)) else {
            return false;
        };
        let contact = leg.contact.clone();
        let offer = sdp_of(request.content_type(), &request.body);
        let mut ok = Response::for_request(request, 200, "OK");
        ok.headers.push("Contact", contact);
        ok.headers.push("Allow", ALLOW);
        match offer {
            Ok(Some(offer)) => {
                if let Some(peer) = offer.audio().and_then(|a| a.socket_addr()) {
                    self.actions.push_back(Action::RelayPeer {
                        id: relay.id,
                        side,
                        peer,
                    });
                }
                let answer = mirrored(offer, relay.addr_for(side));
                ok.headers.push("Content-Type", "application/sdp");
                ok.body = answer.to_string().into_bytes();
            }
            // A session refresh without SDP changes nothing (an offer-less re-INVITE
            // would want ours; the party's own last one, mirrored, is the best we have).
            Ok(None) if request.method == Method::Invite => {
                let own = self
                    .last_sdp(id, side)
                    .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten());
                if let Some(own) = own {
                    ok.headers.push("Content-Type", "application/sdp");
                    ok.body = mirrored(own, relay.addr_for(side)).to_string().into_bytes();
                }
            }
            Ok(None) => {}
            Err(()) => {
                self.respond(now, key, request, 400, "Bad Session Description");
                return true;
            }
        }
        self.send_response(now, key, ok);
        true
    }
}

/// `offer` as an answer from `at`: every stream's direction reversed.
fn mirrored(mut offer: SessionDescription, at: std::net::SocketAddr) -> SessionDescription {
    let directions: Vec<_> = offer
        .media
        .iter()
        .map(|m| offer.direction_for(m).reversed())
        .collect();
    offer
        .attributes
        .retain(|a: &Attribute| a.direction().is_none());
    for (media, direction) in offer.media.iter_mut().zip(directions) {
        media.attributes.retain(|a| a.direction().is_none());
        media.attributes.push(Attribute::Direction(direction));
    }
    offer.anchor(at, None);
    offer
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::sdp::Direction;

    #[test]
    fn a_hold_offer_is_answered_recvonly_at_the_relay() {
        let text = "v=0\r\no=- 1 2 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n\
                    m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
                    a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n";
        let offer = SessionDescription::parse(text).unwrap();
        let relay: std::net::SocketAddr = "198.51.100.1:30000".parse().unwrap();
        let answer = mirrored(offer, relay);
        let audio = answer.audio().unwrap();
        assert_eq!(audio.socket_addr(), Some(relay));
        assert_eq!(audio.direction, Direction::RecvOnly);
        let formats = answer.media[0].payload_formats();
        assert_eq!(formats.len(), 2, "the offer's formats, all of them");
    }
}
