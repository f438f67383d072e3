//! Conference rooms: a call to a room's number (dialled, or reached through a business
//! name or another destination) is answered by the PBX itself, like voicemail, with a
//! media endpoint of the runtime's conference mixer. The caller is answered in its own
//! codec (the first of its offer the mixer can decode and encode), so phones with
//! different codecs share one room; the runtime asks for the room's PIN by DTMF when it
//! has one ([`Action::ConferenceJoin`]).
//!
//! The call is then an answered call without a B leg: the caller's BYE ends it
//! ([`Pbx::end_answered`]), which makes the runtime take the participant out
//! ([`Action::ConferenceLeave`]); the runtime ending it itself (wrong PIN, removed by
//! the owner) comes back through [`Pbx::conference_left`], which sends the caller BYE.

use std::collections::HashMap;
use std::time::Instant;

use media::sdp::{Direction, PayloadFormat, SessionDescription};
use sip::transaction::ServerKey;
use sip::{Method, Request, Response};

use super::route::Refusal;
use super::setup::response_to_caller;
use super::{CallId, Phase};
use crate::action::{Action, PbxEvent};
use crate::core::Pbx;
use crate::media_endpoint::{EndpointId, MediaEndpoints};

use super::conference_sdp::{choose_formats, mirrored_answer};

/// Why an encrypting caller is not put into a conference room: it offers SRTP with no
/// key the PBX supports.
const SRTP_REFUSED: &str = "the caller offers SRTP with no usable key";

/// A room as the PBX routes calls to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRoom {
    pub number: String,
    pub name: String,
    /// Argon2 PHC hash of the PIN; the runtime checks what callers type against it.
    pub pin_hash: Option<String>,
}

/// What the runtime needs to put a caller into a room ([`Action::ConferenceJoin`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ConferenceJoin {
    pub endpoint: EndpointId,
    /// Where the caller's audio comes from, per its SDP (the runtime follows the source
    /// address of what actually arrives, for callers behind NAT).
    pub peer: std::net::SocketAddr,
    /// The voice codec agreed with the caller, with its payload type.
    pub format: PayloadFormat,
    /// RFC 4733 telephone-event as agreed, when the caller offered it (for the PIN).
    pub dtmf: Option<PayloadFormat>,
    pub room: String,
    pub room_name: String,
    pub pin_hash: Option<String>,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The caller's Call-ID, to find the call in logs.
    pub call_id: String,
    /// The caller's SRTP keys when it encrypts; `None` for plain RTP.
    pub srtp: Option<crate::media_endpoint::EndpointSrtp>,
}

/// Rooms that exist and the calls in them.
#[derive(Default)]
pub(crate) struct ConferenceState {
    endpoints: Option<Box<dyn MediaEndpoints + Send>>,
    rooms: HashMap<String, ConferenceRoom>,
    /// Calls answered by a room, and their endpoint.
    by_call: HashMap<CallId, EndpointId>,
    /// The SDP each such call was answered with, to answer a re-INVITE or UPDATE again.
    answers: HashMap<CallId, Vec<u8>>,
}

impl std::fmt::Debug for ConferenceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConferenceState")
            .field("rooms", &self.rooms.keys())
            .field("calls", &self.by_call)
            .finish_non_exhaustive()
    }
}

impl Pbx {
    /// Lets calls reach conference rooms: `endpoints` binds the mixer's sockets. Without
    /// it a call to a room is refused.
    pub fn set_conference_endpoints(&mut self, endpoints: Box<dyn MediaEndpoints + Send>) {
        self.conference.endpoints = Some(endpoints);
    }

    /// The rooms that exist (after a change in the store).
    pub fn set_conference_rooms(&mut self, rooms: impl IntoIterator<Item = ConferenceRoom>) {
        self.conference.rooms = rooms.into_iter().map(|r| (r.number.clone(), r)).collect();
    }

    /// Whether `number` is a conference room's.
    pub(crate) fn is_conference_room(&self, number: &str) -> bool {
        self.conference.rooms.contains_key(number)
    }

    /// The runtime took a participant out itself (wrong PIN, removed from the room): the
    /// caller is sent BYE.
    pub fn conference_left(&mut self, now: Instant, unix_now: u64, endpoint: EndpointId) {
        self.unix_now = unix_now;
        let call = self
            .conference
            .by_call
            .iter()
            .find(|(_, e)| **e == endpoint)
            .map(|(c, _)| *c);
        if let Some(id) = call {
            self.end_answered(now, id, None, crate::HangupBy::System);
        }
    }

    /// A call is over: if a room answered it, the participant leaves.
    pub(crate) fn conference_call_ended(&mut self, id: CallId) {
        self.conference.answers.remove(&id);
        if let Some(endpoint) = self.conference.by_call.remove(&id) {
            self.actions.push_back(Action::ConferenceLeave { endpoint });
        }
    }

    /// A request inside a call a room answered: a re-INVITE or UPDATE (session refresh,
    /// hold) gets the room's SDP again, anything else a plain 200; a key sent by INFO
    /// goes to the room (for the PIN). False when the call is not a room's.
    pub(crate) fn conference_in_dialog(
        &mut self,
        now: Instant,
        id: CallId,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        let Some(answer) = self.conference.answers.get(&id).cloned() else {
            return false;
        };
        let Some(contact) = self.calls.get(&id).map(|c| c.a.contact.clone()) else {
            return false;
        };
        let mut response = Response::for_request(request, 200, "OK");
        if matches!(request.method, Method::Invite | Method::Update) {
            let answer = match super::anchor::sdp_of(request.content_type(), &request.body) {
                Ok(Some(offer)) => self.conference_answer(id, &offer, answer),
                _ => answer,
            };
            response.headers.push("Contact", contact.as_str());
            response.headers.push("Content-Type", "application/sdp");
            response.body = answer;
        }
        self.send_response(now, key, response);
        if request.method == Method::Info {
            let digit = super::feature_dtmf::info_digit(request.content_type(), &request.body);
            if let (Some(key), Some(endpoint)) = (digit, self.conference.by_call.get(&id)) {
                self.actions.push_back(Action::ConferenceKey {
                    endpoint: *endpoint,
                    key,
                });
            }
        }
        true
    }

    /// The answer to a participant's new offer (see [`mirrored_answer`]); a changed one
    /// is kept for the next offer.
    fn conference_answer(
        &mut self,
        id: CallId,
        offer: &SessionDescription,
        previous: Vec<u8>,
    ) -> Vec<u8> {
        match mirrored_answer(offer, &previous) {
            Some(body) => {
                self.conference.answers.insert(id, body.clone());
                body
            }
            None => previous,
        }
    }

    /// Answers a call whose destination is a room. False when the refusal is not a
    /// room's; a room that cannot take the call (no such room, no codec in common, no
    /// free port) turns the refusal into one saying why, and the caller hears it.
    pub(crate) fn conference_instead(
        &mut self,
        now: Instant,
        id: CallId,
        refusal: &mut Refusal,
    ) -> bool {
        let Some(number) = refusal.conference.clone() else {
            return false;
        };
        match self.answer_with_room(now, id, &number) {
            Ok(()) => true,
            Err(why) => {
                tracing::info!(room = %number, why, "conference room not answering");
                refusal.conference = None;
                refusal.detail = why.to_owned();
                if why == "no codec in common" || why == SRTP_REFUSED {
                    refusal.status = 488;
                    refusal.reason = "Not Acceptable Here";
                }
                false
            }
        }
    }

    fn answer_with_room(
        &mut self,
        now: Instant,
        id: CallId,
        number: &str,
    ) -> Result<(), &'static str> {
        let room = self
            .conference
            .rooms
            .get(number)
            .cloned()
            .ok_or("no such conference room")?;
        let call = self.calls.get(&id).ok_or("call gone")?;
        // A blind transfer into the room: the remaining party is connected already (no
        // INVITE to answer), so it is re-INVITEd to the room instead.
        let transferred = call.a_invite.is_none() && self.transfer.ringing.contains_key(&id);
        if call.phase != Phase::Ringing || (call.a_invite.is_none() && !transferred) {
            return Err("call already answered");
        }
        // The answer needs the caller's offer: a call without one (RFC 3261 §13.2.1
        // delayed offer) is not taken.
        let request = &call.a_request;
        let offer = match super::anchor::sdp_of(request.content_type(), &request.body) {
            Ok(Some(offer)) => offer,
            _ => return Err("the caller sent no offer"),
        };
        if !super::srtp::answerable(&offer) {
            return Err(SRTP_REFUSED);
        }
        let audio = offer.audio().ok_or("the caller offers no audio")?;
        let peer = audio.socket_addr().ok_or("the caller offers no audio")?;
        let media = offer
            .media
            .get(audio.index)
            .ok_or("the caller offers no audio")?;
        let (format, dtmf) =
            choose_formats(&media.payload_formats()).ok_or("no codec in common")?;
        let ip = self
            .config
            .media_ip_for(call.a.peer.addr.ip())
            .ok_or("no media address")?;
        let port = self
            .conference
            .endpoints
            .as_mut()
            .and_then(|e| e.allocate(ip))
            .ok_or("no RTP ports left")?;
        let formats: Vec<_> = std::iter::once(format.clone())
            .chain(dtmf.clone())
            .collect();
        let session_id = u64::from(rand::Rng::gen::<u32>(&mut self.rng));
        let mut answer =
            SessionDescription::new_audio(session_id, 1, port.addr, &formats, Direction::SendRecv);
        // An encrypting caller is answered SRTP: the endpoint runs its keys.
        let srtp = super::srtp::endpoint_answer(&offer, &mut answer).unwrap_or_default();

        self.cancel_all_branches(now, id);
        let call = self.calls.get_mut(&id).ok_or("call gone")?;
        call.ring_deadline = None;
        call.phase = Phase::Answered;
        let answered_by = format!("conference {number}");
        call.record.answered_by = Some(answered_by.clone());
        call.record.answered_at = Some(self.unix_now);
        let relay = call.relay.take();
        let a_key = call.a_invite.take();
        let mut ok = response_to_caller(call, 200, "OK");
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = answer.to_string().into_bytes();
        let join = ConferenceJoin {
            endpoint: port.id,
            peer,
            format,
            dtmf,
            room: room.number.clone(),
            room_name: room.name.clone(),
            pin_hash: room.pin_hash.clone(),
            caller_number: call.record.caller_number.clone(),
            caller_name: call.record.caller_name.clone(),
            call_id: call.a.call_id.clone(),
            srtp,
        };
        let call_id = call.a.call_id.clone();
        let rang = call.rang;
        if let Some(relay) = relay {
            self.actions.push_back(Action::RelayClose { id: relay.id });
        }
        self.conference.by_call.insert(id, port.id);
        self.conference.answers.insert(id, ok.body.clone());
        self.actions
            .push_back(Action::ConferenceJoin(Box::new(join)));
        let offer = ok.body.clone();
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, ok);
        }
        if transferred {
            self.transfer.ringing.remove(&id);
            self.reinvite_into_room(now, id, offer);
        }
        if rang {
            self.actions
                .push_back(Action::Event(PbxEvent::CallAnswered {
                    call_id,
                    answered_by,
                }));
        }
        Ok(())
    }
}

impl Pbx {
    /// Offers the room's endpoint to the party a blind transfer sent here (RFC 3261
    /// §14.1 re-INVITE); its 2xx is ACKed by [`Pbx::transfer_response`], and a refusal
    /// ends the call (the participant then leaves the room).
    fn reinvite_into_room(&mut self, now: Instant, id: CallId, sdp: Vec<u8>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let leg = &mut call.a;
        let mut invite = leg.request(Method::Invite);
        let seq = leg.local_cseq;
        let peer = leg.peer;
        invite.headers.push("Allow", crate::util::ALLOW);
        invite.headers.push("Content-Type", "application/sdp");
        invite.body = sdp;
        match self.endpoint.send_request(now, invite, peer) {
            Ok(client) => {
                self.by_client
                    .insert(client, crate::core::ClientOwner::Transfer(id));
                self.transfer.reinvites.insert(
                    client,
                    super::transfer::Reinvite {
                        call: id,
                        side: crate::Side::A,
                        seq,
                        resume: false,
                    },
                );
            }
            Err(e) => tracing::debug!(error = %e, "re-INVITE to the room not sent"),
        }
    }

    /// Whether a conference room has answered call `id`.
    pub(crate) fn in_conference(&self, id: CallId) -> bool {
        self.conference.by_call.contains_key(&id)
    }
}
