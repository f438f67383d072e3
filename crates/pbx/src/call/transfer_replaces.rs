//! An INVITE with Replaces (RFC 3891) for a dialog the PBX holds: the sender takes the
//! place of the party in that dialog. A confirmed dialog's party is sent BYE (§3); an
//! early dialog of a ringing fork is a pickup (see `pickup`).

use std::time::Instant;

use sip::transaction::{Peer, ServerKey};
use sip::{Method, Request, Response};

use super::anchor::{reanchor, sdp_of};
use super::transfer_media::{narrow_pair, request_sdp};
use super::transfer_target::Replaces;
use super::{CallId, Phase};
use crate::action::{Action, HangupBy, Outcome, PbxEvent, Side};
use crate::core::Pbx;
use crate::util::{self, ALLOW};

impl Pbx {
    /// The INVITE `request` from extension `sender` carries Replaces: `value`.
    pub(super) fn invite_replaces(
        &mut self,
        now: Instant,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        sender: &str,
        value: &str,
    ) {
        let Some(replaces) = Replaces::parse(value) else {
            return self.respond(now, key, request, 400, "Bad Replaces");
        };
        // RFC 3891 §3: no matching dialog is 481.
        let Some((id, side)) = self.find_replaced(&replaces) else {
            return self.respond(now, key, request, 481, "Call/Transaction Does Not Exist");
        };
        let phase = self.calls.get(&id).map(|c| c.phase);
        match phase {
            Some(Phase::Ringing) if side == Side::B => {
                self.answer_by_pickup(now, id, key, request, source, sender)
            }
            // §3: early-only asks not to replace a confirmed dialog.
            Some(Phase::Answered) if replaces.early_only => {
                self.respond(now, key, request, 486, "Busy Here")
            }
            Some(Phase::Answered) => {
                self.replace_party(now, id, side, key, request, source, sender)
            }
            _ => self.respond(now, key, request, 481, "Call/Transaction Does Not Exist"),
        }
    }

    /// `sender` takes over the confirmed dialog on `side` of call `id`.
    #[allow(clippy::too_many_arguments)]
    fn replace_party(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: &ServerKey,
        request: &Request,
        source: Peer,
        sender: &str,
    ) {
        let other = side.other();
        let other_sdp = self
            .party_sdp(id, other)
            .and_then(|(ct, body)| sdp_of(Some(&ct), &body).ok().flatten());
        let (Some(mut other_sdp), Some(mut sender_sdp)) = (other_sdp, request_sdp(request)) else {
            return self.not_acceptable(now, key, request);
        };
        if narrow_pair(&mut other_sdp, &mut sender_sdp).is_none() {
            return self.not_acceptable(now, key, request);
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let mut old = call.record.clone();
        old.outcome = Some(Outcome::Answered);
        let record = self.finish_record(
            &call.a.call_id,
            old,
            Some(HangupBy::System),
            &format!("transferred: replaced by {sender}"),
        );
        let sender_name = self
            .registrar
            .directory()
            .get(sender)
            .map(|e| e.display_name.clone())
            .filter(|n| !n.is_empty());
        let resume = !self.sends_and_receives(id, other);
        self.reset_hold(id);
        let tag = util::token(&mut self.rng);
        let leg = self.caller_leg(request, source, tag.clone());
        let sender_key = (leg.call_id.clone(), leg.local_tag.clone());
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let relay = call.relay;
        let trunk = call.trunk_media.clone();
        // The relay's `side` now leads to the sender; the answer it gets is the other
        // party's description, anchored at that same socket.
        let _ = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            side,
            Some("application/sdp"),
            sender_sdp.to_string().as_bytes(),
        );
        let answer = reanchor(
            &mut self.actions,
            relay,
            trunk.as_ref(),
            other,
            Some("application/sdp"),
            other_sdp.to_string().as_bytes(),
        );
        let replaced = match side {
            Side::A => Some(std::mem::replace(&mut call.a, leg.clone())),
            Side::B => call.b.replace(leg.clone()),
        };
        let old_key = match side {
            Side::A => std::mem::replace(&mut call.index.a_dialog, sender_key.clone()),
            Side::B => std::mem::replace(&mut call.index.b_dialog, sender_key.clone()),
        };
        match side {
            Side::A => {
                call.record.caller_number = sender.to_owned();
                call.record.caller_name = sender_name;
                call.caller_extension = Some(sender.to_owned());
            }
            Side::B => call.record.answered_by = Some(sender.to_owned()),
        }
        call.record.started_at = self.unix_now;
        call.record.answered_at = Some(self.unix_now);
        let call_id = call.a.call_id.clone();
        self.by_dialog.remove(&old_key);
        self.by_dialog.insert(sender_key.clone(), (id, side));
        self.transfer.sdp.insert(
            sender_key,
            ("application/sdp".to_owned(), request.body.clone()),
        );
        let mut ok = Response::for_request(request, 200, "OK");
        if let Some(mut to) = request.to() {
            to.set_tag(&tag);
            ok.headers.set("To", to.to_string());
        }
        ok.headers.push("Contact", leg.contact.as_str());
        ok.headers.push("Allow", ALLOW);
        if let Some((content_type, body)) = answer {
            ok.headers.push("Content-Type", content_type);
            ok.body = body;
        }
        self.send_response(now, key, ok);
        if let Some(mut replaced) = replaced {
            let bye = replaced.request(Method::Bye);
            self.send_fire(now, bye, replaced.peer);
        }
        if resume {
            // The other party was on hold with the replaced one: it gets the sender's
            // media, two-way.
            let offer = ("application/sdp".to_owned(), request.body.clone());
            self.reinvite_party(now, id, other, &offer, Vec::new(), false);
        }
        self.actions.push_back(Action::CallRecord(record));
        self.actions
            .push_back(Action::Event(PbxEvent::CallAnswered {
                call_id,
                answered_by: sender.to_owned(),
            }));
    }
}
