//! Voicemail deposit: a call that would be refused because nobody answered, the callee was
//! busy or unavailable, or whose destination is a mailbox, is answered by the PBX itself
//! when the number has an enabled mailbox. The caller gets a 200 whose SDP points at a
//! media endpoint ([`crate::media_endpoint`]); the runtime plays the greeting and a beep
//! and records the message ([`Action::PlayAndRecord`]).
//!
//! The call then is an answered call without a B leg: the caller's BYE ends it the usual
//! way ([`Pbx::end_answered`]), which closes the endpoint; an end the runtime detects
//! (`#`, silence, the length limit) comes back through [`Pbx::voicemail_done`], which
//! sends the caller BYE.
//!
//! An owner dialling `*97` (see `voicemail_listen`) is answered the same way, with the
//! endpoint running the mailbox menu instead; the keys such a phone sends by SIP INFO
//! are handed to the menu ([`Action::EndpointKey`]).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use media::sdp::{negotiate, Direction, SessionDescription, PCMA, PCMU, TELEPHONE_EVENT};
use sip::transaction::ServerKey;
use sip::{Method, Request, Response};

use super::route::Refusal;
use super::setup::response_to_caller;
use super::{CallId, Phase};
use crate::action::{Action, Outcome, PbxEvent, VoicemailRecording};
use crate::core::Pbx;
use crate::media_endpoint::{EndpointId, EndpointUse, MediaEndpoints};

/// Longest message kept unless configured otherwise.
pub const DEFAULT_MAX_MESSAGE: Duration = Duration::from_secs(180);
/// Silence that ends a message unless configured otherwise.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(10);

/// Mailboxes that take messages and the endpoints answering calls for them.
pub(crate) struct VoicemailState {
    endpoints: Option<Box<dyn MediaEndpoints + Send>>,
    /// Numbers (extensions and ring groups) whose mailbox is enabled.
    mailboxes: HashSet<String>,
    /// Calls answered by voicemail, and their endpoint.
    by_call: HashMap<CallId, EndpointId>,
    /// The SDP each such call was answered with, to answer a re-INVITE or UPDATE again.
    answers: HashMap<CallId, Vec<u8>>,
    /// Calls running the owner's menu (`*97`) rather than taking a message.
    listening: HashSet<CallId>,
    pub max_duration: Duration,
    pub silence: Duration,
}

impl Default for VoicemailState {
    fn default() -> Self {
        VoicemailState {
            endpoints: None,
            mailboxes: HashSet::new(),
            by_call: HashMap::new(),
            answers: HashMap::new(),
            listening: HashSet::new(),
            max_duration: DEFAULT_MAX_MESSAGE,
            silence: DEFAULT_SILENCE,
        }
    }
}

impl std::fmt::Debug for VoicemailState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoicemailState")
            .field("mailboxes", &self.mailboxes)
            .field("calls", &self.by_call)
            .finish_non_exhaustive()
    }
}

impl VoicemailState {
    /// Whether `number` has a mailbox that takes messages now.
    pub fn has_mailbox(&self, number: &str) -> bool {
        self.endpoints.is_some() && self.mailboxes.contains(number)
    }
}

impl Refusal {
    /// Whether the caller of a refused call may leave a message instead: the callee did not
    /// answer, was busy or unavailable. A decline chosen by the owner (603), a missing
    /// number or a failure are not a reason to take a message.
    fn allows_voicemail(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::NoAnswer | Outcome::Busy | Outcome::Unavailable
        ) && self.status != 603
    }
}

impl Pbx {
    /// Lets calls reach voicemail: `endpoints` binds the sockets that answer them. Without
    /// it no call is answered by voicemail.
    pub fn set_media_endpoints(&mut self, endpoints: Box<dyn MediaEndpoints + Send>) {
        self.voicemail.endpoints = Some(endpoints);
    }

    /// The numbers whose mailbox is enabled (after a change in the store).
    pub fn set_mailboxes(&mut self, numbers: impl IntoIterator<Item = String>) {
        self.voicemail.mailboxes = numbers.into_iter().collect();
    }

    /// The longest message and the silence that ends one.
    pub fn set_voicemail_limits(&mut self, max_duration: Duration, silence: Duration) {
        self.voicemail.max_duration = max_duration;
        self.voicemail.silence = silence;
    }

    /// Whether `number` has an enabled mailbox the PBX can answer for.
    pub(crate) fn has_mailbox(&self, number: &str) -> bool {
        self.voicemail.has_mailbox(number)
    }

    /// The runtime ended the message on `endpoint` itself (`#`, silence, length limit):
    /// the caller is sent BYE.
    pub fn voicemail_done(&mut self, now: Instant, unix_now: u64, endpoint: EndpointId) {
        self.unix_now = unix_now;
        let call = self
            .voicemail
            .by_call
            .iter()
            .find(|(_, e)| **e == endpoint)
            .map(|(c, _)| *c);
        if let Some(id) = call {
            self.end_answered(now, id, None, crate::HangupBy::System);
        }
    }

    /// A call is over: its endpoint, if voicemail answered it, is closed.
    pub(crate) fn voicemail_call_ended(&mut self, id: CallId) {
        self.voicemail.answers.remove(&id);
        self.voicemail.listening.remove(&id);
        if let Some(endpoint) = self.voicemail.by_call.remove(&id) {
            self.actions.push_back(Action::EndpointClose { endpoint });
        }
    }

    /// A request inside a call voicemail answered (there is no far side to forward it
    /// to). A re-INVITE or UPDATE (a session refresh, hold) is answered with the same SDP:
    /// RFC 3264 §8 lets an unchanged answer keep its version. A `#` sent by SIP INFO ends
    /// the message like an RFC 4733 one. False when the call is not voicemail's.
    pub(crate) fn voicemail_in_dialog(
        &mut self,
        now: Instant,
        id: CallId,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        let Some(answer) = self.voicemail.answers.get(&id).cloned() else {
            return false;
        };
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let mut response = Response::for_request(request, 200, "OK");
        if matches!(request.method, Method::Invite | Method::Update) {
            response.headers.push("Contact", call.a.contact.as_str());
            response.headers.push("Content-Type", "application/sdp");
            response.body = answer;
        }
        self.send_response(now, key, response);
        // In the owner's menu every key goes to the menu (`#` included).
        if request.method == Method::Info && self.voicemail.listening.contains(&id) {
            let key = super::feature_dtmf::info_digit(request.content_type(), &request.body);
            if let (Some(key), Some(endpoint)) = (key, self.voicemail.by_call.get(&id)) {
                self.actions.push_back(Action::EndpointKey {
                    endpoint: *endpoint,
                    key,
                });
            }
            return true;
        }
        let hash = request.method == Method::Info
            && std::str::from_utf8(&request.body).is_ok_and(|b| {
                b.lines().any(|l| {
                    let l = l.trim();
                    l == "#" || l.replace(' ', "").eq_ignore_ascii_case("signal=#")
                })
            });
        if hash {
            self.end_answered(now, id, None, crate::HangupBy::System);
        }
        true
    }

    /// The mailbox a refused call leaves its message in: the one the refusal names
    /// (a voicemail destination), else the number dialled, else the extension rung.
    fn mailbox_for(&self, id: CallId, refusal: &Refusal) -> Option<String> {
        if let Some(mailbox) = &refusal.voicemail {
            return self.has_mailbox(mailbox).then(|| mailbox.clone());
        }
        if !refusal.allows_voicemail() {
            return None;
        }
        let call = self.calls.get(&id)?;
        std::iter::once(&call.record.callee)
            .chain(call.branches.iter().map(|b| &b.callee))
            .find(|n| self.has_mailbox(n))
            .cloned()
    }

    /// Answers a ringing call with voicemail instead of refusing it. False when the call
    /// has no mailbox to go to or cannot be answered (no G.711 in the offer, no offer, no
    /// free port): the caller then hears the refusal.
    pub(crate) fn voicemail_instead(
        &mut self,
        now: Instant,
        id: CallId,
        refusal: &Refusal,
    ) -> bool {
        let Some(mailbox) = self.mailbox_for(id, refusal) else {
            tracing::debug!(mailboxes = ?self.voicemail.mailboxes, "no mailbox for the refused call");
            return false;
        };
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        if call.phase != Phase::Ringing || call.a_invite.is_none() {
            return false;
        }
        // The answer needs the caller's offer: a call without one (RFC 3261 §13.2.1
        // delayed offer) is not taken.
        let request = &call.a_request;
        let Ok(Some(offer)) = super::anchor::sdp_of(request.content_type(), &request.body) else {
            return false;
        };
        if !super::srtp::answerable(&offer) {
            tracing::info!(%mailbox, "voicemail not answering: SRTP offered with no usable key");
            return false;
        }
        let Some(audio) = offer.audio() else {
            return false;
        };
        let Some(peer) = audio.socket_addr() else {
            return false;
        };
        let Some(media) = offer.media.get(audio.index) else {
            return false;
        };
        // RFC 3264 §6.1: answer with one voice codec (the caller's first G.711) and
        // telephone-event when offered.
        let chosen = negotiate(media, &[PCMU, PCMA, TELEPHONE_EVENT]);
        let is_event = |f: &media::sdp::PayloadFormat| {
            f.encoding.eq_ignore_ascii_case(TELEPHONE_EVENT.encoding)
        };
        let Some(format) = chosen.iter().find(|f| !is_event(f)).cloned() else {
            tracing::info!(%mailbox, "voicemail not answering: the caller offers no G.711");
            return false;
        };
        let dtmf = chosen.iter().find(|f| is_event(f)).cloned();
        let Some(ip) = self.config.media_ip_for(call.a.peer.addr.ip()) else {
            return false;
        };
        let Some(port) = self
            .voicemail
            .endpoints
            .as_mut()
            .and_then(|e| e.allocate(ip))
        else {
            tracing::warn!("no RTP ports left for voicemail");
            return false;
        };
        let formats: Vec<_> = std::iter::once(format.clone())
            .chain(dtmf.clone())
            .collect();
        let session_id = u64::from(rand::Rng::gen::<u32>(&mut self.rng));
        let mut answer =
            SessionDescription::new_audio(session_id, 1, port.addr, &formats, Direction::SendRecv);
        // An encrypting caller is answered SRTP: the endpoint runs its keys.
        let srtp = super::srtp::endpoint_answer(&offer, &mut answer).unwrap_or_default();

        self.cancel_all_branches(now, id);
        let purpose = self.endpoint_use(id, &mailbox);
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        call.ring_deadline = None;
        call.phase = Phase::Answered;
        call.record.answered_by = Some(format!("voicemail {mailbox}"));
        call.record.answered_at = Some(self.unix_now);
        let relay = call.relay.take();
        let a_key = call.a_invite.take();
        let mut ok = response_to_caller(call, 200, "OK");
        ok.headers.push("Content-Type", "application/sdp");
        ok.body = answer.to_string().into_bytes();
        let recording = VoicemailRecording {
            endpoint: port.id,
            peer,
            format,
            dtmf,
            mailbox: mailbox.clone(),
            caller_number: call.record.caller_number.clone(),
            caller_name: call.record.caller_name.clone(),
            business_name: call.record.business_name.clone(),
            max_duration: self.voicemail.max_duration,
            silence: self.voicemail.silence,
            purpose,
            srtp,
        };
        let call_id = call.a.call_id.clone();
        let rang = call.rang;
        if let Some(relay) = relay {
            self.actions.push_back(Action::RelayClose { id: relay.id });
        }
        self.voicemail.by_call.insert(id, port.id);
        self.voicemail.answers.insert(id, ok.body.clone());
        if purpose == EndpointUse::Listen {
            self.voicemail.listening.insert(id);
        }
        self.actions
            .push_back(Action::PlayAndRecord(Box::new(recording)));
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, ok);
        }
        if rang {
            self.actions
                .push_back(Action::Event(PbxEvent::CallAnswered {
                    call_id,
                    answered_by: format!("voicemail {mailbox}"),
                }));
        }
        true
    }
}
