//! Do-not-disturb and forwarding set from a phone by dialling a feature code (see
//! [`crate::feature_codes`]): `*78`/`*79` do-not-disturb on/off, `*72`+number/`*73`
//! forward always, `*90`+number/`*91` forward on busy, `*52`+number/`*53` forward on no
//! answer.
//!
//! The change applies at once; the runtime saves it ([`PbxEvent::ForwardingChanged`]).
//! The PBX answers the call itself, plays a short confirmation tone through a relay of
//! its own and hangs up after [`CONFIRMATION`], so the person hears that it worked. A
//! code missing its number is refused with 484 Address Incomplete (RFC 3261 §21.4.19),
//! a number that cannot be a target with 404.

use std::time::{Duration, Instant};

use media::sdp::{Direction as SdpDirection, SessionDescription};
use sip::transaction::{Peer, ServerKey};
use sip::Request;

use super::setup::{response_to_caller, NewCall};
use super::{CallId, Draft, Onward, Phase};
use crate::action::{Action, Direction, MediaSource, Outcome, PbxEvent, Side};
use crate::core::Pbx;
use crate::feature_codes as codes;

/// How long the confirmation tone plays before the PBX hangs up.
pub(crate) const CONFIRMATION: Duration = Duration::from_millis(1500);
/// Codecs the runtime plays the tone in, in our preference order (RFC 3264 §6.1: the
/// answer picks one format the offer lists).
const PLAYABLE: &[&str] = &["PCMU", "PCMA", "G722", "opus"];
/// Longest forwarding target accepted (an outside number with its prefix).
const TARGET_MAX: usize = 24;

/// What a dialled code changes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Dnd(bool),
    Always(Option<String>),
    Busy(Option<String>),
    NoAnswer(Option<String>),
}

/// Builds the change of a code that takes a number.
type MakeChange = fn(Option<String>) -> Change;

/// A dialled string as a settings code: `None` when it is not one, `Err` with the
/// status and reason when it is one used wrongly.
fn parse(dialled: &str) -> Option<Result<Change, (u16, &'static str)>> {
    let exact = [
        (codes::DND_ON, Change::Dnd(true)),
        (codes::DND_OFF, Change::Dnd(false)),
        (codes::FORWARD_ALWAYS_OFF, Change::Always(None)),
        (codes::FORWARD_BUSY_OFF, Change::Busy(None)),
        (codes::FORWARD_NO_ANSWER_OFF, Change::NoAnswer(None)),
    ];
    if let Some((_, change)) = exact.into_iter().find(|(code, _)| *code == dialled) {
        return Some(Ok(change));
    }
    let with_number: [(&str, MakeChange); 3] = [
        (codes::FORWARD_ALWAYS_ON, Change::Always),
        (codes::FORWARD_BUSY_ON, Change::Busy),
        (codes::FORWARD_NO_ANSWER_ON, Change::NoAnswer),
    ];
    for (code, make) in with_number {
        let Some(number) = dialled.strip_prefix(code) else {
            continue;
        };
        // `*72` alone is a park slot, not a forward without a number.
        if number.is_empty() {
            return None;
        }
        let digits = number.strip_prefix('+').unwrap_or(number);
        if digits.is_empty()
            || number.len() > TARGET_MAX
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(Err((484, "Address Incomplete")));
        }
        return Some(Ok(make(Some(number.to_owned()))));
    }
    None
}

impl Pbx {
    /// A new INVITE from extension `caller` dialling a do-not-disturb or forwarding code:
    /// applied and answered here. False when the number dialled is not such a code.
    pub(crate) fn settings_code_invite(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
    ) -> bool {
        let Some(dialled) = request.uri.user_unescaped().map(|u| u.into_owned()) else {
            return false;
        };
        let change = match parse(&dialled) {
            None => return false,
            Some(Err((status, reason))) => {
                self.respond(now, key, request, status, reason);
                return true;
            }
            Some(Ok(change)) => change,
        };
        let mut settings = self.forwarding(caller);
        let target = match change {
            Change::Dnd(on) => {
                settings.dnd = on;
                None
            }
            Change::Always(t) => {
                settings.always = t.clone();
                t
            }
            Change::Busy(t) => {
                settings.busy = t.clone();
                t
            }
            Change::NoAnswer(t) => {
                settings.no_answer = t.clone();
                t
            }
        };
        if let Some(target) = &target {
            if target == caller {
                self.respond(now, key, request, 404, "Cannot Forward To Yourself");
                return true;
            }
        }
        tracing::info!(code = %dialled.get(..3).unwrap_or_default(), "forwarding changed by phone");
        self.update_forwarding(caller, settings.clone());
        self.actions
            .push_back(Action::Event(PbxEvent::ForwardingChanged {
                number: caller.to_owned(),
                forwarding: settings,
            }));
        self.confirm(now, key, request, source, caller, &dialled);
        true
    }

    /// Answers the code's call with the confirmation tone (hung up after
    /// [`CONFIRMATION`]). A call offering no codec the tone plays in (or no offer at all)
    /// cannot hear it: it is told by a final response instead, the change being made all
    /// the same.
    fn confirm(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
        dialled: &str,
    ) {
        let offer = super::anchor::sdp_of(request.content_type(), &request.body)
            .ok()
            .flatten();
        let audio = offer.clone().and_then(|sdp| {
            let audio = sdp.audio()?;
            let peer = audio.socket_addr()?;
            let media = sdp.media.get(audio.index)?;
            let offered = media.payload_formats();
            let format = PLAYABLE.iter().find_map(|name| {
                offered
                    .iter()
                    .find(|f| f.encoding.eq_ignore_ascii_case(name))
                    .cloned()
            })?;
            Some((peer, format))
        });
        let ip = self.config.media_ip_for(source.addr.ip());
        let ports = ip.and_then(|ip| audio.as_ref().and_then(|_| self.relay.allocate(ip, ip)));
        let (Some((peer, format)), Some(ports)) = (audio, ports) else {
            // A final response ends the attempt (RFC 3261 §21.6.4 603: nothing more will
            // happen); its reason phrase is what the phone shows.
            return self.respond(now, key, request, 603, "Done Without Confirmation Tone");
        };
        let draft = Draft {
            caller_number: caller.to_owned(),
            caller_name: None,
            callee: dialled.to_owned(),
            answered_by: Some("feature code".to_owned()),
            started_at: self.unix_now,
            answered_at: Some(self.unix_now),
            outcome: Some(Outcome::Answered),
            business_name: None,
            trunk: None,
            direction: Direction::Internal,
            lines_busy: false,
        };
        let id = self.insert_call(
            now,
            NewCall {
                key: *key,
                request: request.clone(),
                source,
                draft,
                onward: Onward::ring(Vec::new(), None),
                b_from: String::new(),
                max_forwards: 0,
                lines: Vec::new(),
                trunk_media: None,
                caller_extension: Some(caller.to_owned()),
            },
        );
        let session_id = u64::from(rand::Rng::gen::<u32>(&mut self.rng));
        let answer = SessionDescription::new_audio(
            session_id,
            1,
            ports.a,
            std::slice::from_ref(&format),
            SdpDirection::SendRecv,
        );
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.phase = Phase::Answered;
        call.relay = Some(ports);
        call.ring_deadline = Some(now + CONFIRMATION);
        let a_key = call.a_invite.take();
        let mut ok = response_to_caller(call, 200, "OK");
        let mut body = Some((
            "application/sdp".to_owned(),
            answer.to_string().into_bytes(),
        ));
        if let Some(mut offer) = offer {
            // An encrypting phone hears the tone through the relay's SRTP on its side,
            // answered with the PBX's key for that leg (RFC 4568 §7.1.2).
            body = super::srtp::secure_answer(Some(ports), Side::A, Some(&offer), body);
            super::srtp::terminate(&mut self.actions, ports, Side::A, &mut offer);
        }
        if let Some((content_type, body)) = body {
            ok.headers.push("Content-Type", content_type);
            ok.body = body;
        }
        // The relay's far side is its own socket: nothing is relayed, the tone is all
        // the caller hears.
        for (side, addr) in [(Side::A, peer), (Side::B, ports.b)] {
            self.actions.push_back(Action::RelayPeer {
                id: ports.id,
                side,
                peer: addr,
            });
        }
        self.actions.push_back(Action::MediaPlay {
            id: ports.id,
            to: Side::A,
            source: MediaSource::Confirmation,
            format,
        });
        self.forwarding.confirming.insert(id);
        if let Some(a_key) = a_key {
            self.send_response(now, &a_key, ok);
        }
    }

    /// The deadline of call `id` passed: when it is a confirmation call, it is hung up.
    pub(crate) fn confirmation_played(&mut self, now: Instant, id: CallId) -> bool {
        if !self.forwarding.confirming.remove(&id) {
            return false;
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.ring_deadline = None;
        }
        self.end_answered(now, id, None, crate::HangupBy::System);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_to_their_change() {
        assert_eq!(parse("*78"), Some(Ok(Change::Dnd(true))));
        assert_eq!(parse("*79"), Some(Ok(Change::Dnd(false))));
        assert_eq!(
            parse("*72202"),
            Some(Ok(Change::Always(Some("202".to_owned()))))
        );
        assert_eq!(parse("*73"), Some(Ok(Change::Always(None))));
        assert_eq!(
            parse("*90+4420"),
            Some(Ok(Change::Busy(Some("+4420".to_owned()))))
        );
        assert_eq!(parse("*91"), Some(Ok(Change::Busy(None))));
        assert_eq!(
            parse("*52203"),
            Some(Ok(Change::NoAnswer(Some("203".to_owned()))))
        );
        assert_eq!(parse("*53"), Some(Ok(Change::NoAnswer(None))));
    }

    #[test]
    fn other_numbers_and_bad_targets_are_told_apart() {
        assert_eq!(parse("201"), None);
        assert_eq!(parse("*8201"), None);
        assert_eq!(parse("*72"), None, "a park slot, not a forward");
        assert_eq!(parse("*72+"), Some(Err((484, "Address Incomplete"))));
        assert_eq!(parse("*52abc"), Some(Err((484, "Address Incomplete"))));
    }
}
