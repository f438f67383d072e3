//! Sending one fork of a call's INVITE (RFC 3261 §16.6 as a B2BUA): to a registered
//! device of an extension, or to a trunk's provider. Media is anchored at the relay the
//! first time a fork goes out, so every fork offers the same relay socket.

use std::time::Instant;

use sip::transaction::Peer;
use sip::{Host, Method, Request, Uri, Via};

use super::setup::contact_header;
use super::{Branch, BranchState, CallId, Onward};
use crate::action::Side;
use crate::core::{ClientOwner, Pbx};
use crate::srtp_policy::CalleeSrtp;
use crate::util::ALLOW;

/// One INVITE to send on the callee side.
#[derive(Debug)]
pub(crate) struct Fork {
    pub uri: Uri,
    /// The To header value.
    pub to: String,
    /// The From header value without tag; `None`: the call's own (`Call::b_from`).
    pub from: Option<String>,
    pub target: Peer,
    /// Who it rings, for the record (`answered_by`).
    pub callee: String,
    /// Headers particular to this fork (P-Asserted-Identity towards a trunk).
    pub extra: Vec<(&'static str, String)>,
    /// A registered phone (not a trunk's provider): the SRTP rules apply to it.
    pub to_phone: bool,
}

/// Media could not be anchored: every relay port is taken.
#[derive(Debug)]
pub(crate) struct NoPorts;

impl Pbx {
    /// Allocates the call's relay (towards a callee at `peer`) and rewrites the caller's
    /// offer to point at it, once per call. A call whose INVITE carries SDP, or none at
    /// all (RFC 3261 §13.2.1 delayed offer: the callee's 2xx will carry it), is relayed.
    pub(crate) fn anchor_media(&mut self, id: CallId, peer: Peer) -> Result<(), NoPorts> {
        let Some(call) = self.calls.get_mut(&id) else {
            return Ok(());
        };
        if call.b_offer.is_some() || call.relay.is_some() {
            return Ok(());
        }
        let request = &call.a_request;
        let offer = super::anchor::sdp_of(request.content_type(), &request.body);
        let relayable = matches!(offer, Ok(Some(_))) || request.body.is_empty();
        if relayable {
            let a_ip = self.config.media_ip_for(call.a.peer.addr.ip());
            let b_ip = self.config.media_ip_for(peer.addr.ip());
            if let (Some(a_ip), Some(b_ip)) = (a_ip, b_ip) {
                match self.relay.allocate(a_ip, b_ip) {
                    Some(ports) => call.relay = Some(ports),
                    None => {
                        tracing::warn!("no RTP ports left for a new call");
                        return Err(NoPorts);
                    }
                }
            }
        }
        // A trunk known before any fork goes out is the caller's (a call from a
        // provider): its offer is first narrowed to what the trunk carries, so phones
        // answer within it or with a codec the relay transcodes to.
        let from_trunk = call.trunk_media.as_ref().and_then(|t| {
            request
                .content_type()
                .map(|ct| t.shape_body(ct, &request.body))
        });
        let (content_type, body) = match &from_trunk {
            Some((ct, body)) => (Some(ct.as_str()), body.as_slice()),
            None => (request.content_type(), request.body.as_slice()),
        };
        // Kept as the caller offered it (plus what the relay can transcode to): a fork to
        // a trunk narrows it to that trunk (`send_fork`).
        let offer = super::transcoding::widened_offer(call.relay.is_some(), content_type, body);
        call.b_offer = super::anchor::reanchor(
            &mut self.actions,
            call.relay,
            None,
            Side::A,
            content_type,
            &offer,
        );
        Ok(())
    }

    /// Sends one fork with the call's current callee-side CSeq. False when it could not
    /// be sent (no local address for the target's transport, transport refused).
    pub(crate) fn send_fork(&mut self, now: Instant, id: CallId, fork: Fork) -> bool {
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let Some(local) = self
            .config
            .local_for(fork.target.transport, fork.target.addr)
        else {
            return false;
        };
        let (b_call_id, b_tag) = &call.index.b_dialog;
        let mut invite = Request::new(Method::Invite, fork.uri);
        // Our Via for the target's transport, without a branch: the transaction layer
        // adds a fresh one (RFC 3261 §8.1.1.7). An empty `branch=` would not parse as a
        // Via, so the transaction layer would add a second one on top.
        let mut via = Via::new(
            fork.target.transport,
            Host::from(local.ip()),
            Some(local.port()),
            "",
        );
        via.params.remove("branch");
        via.params.push("rport", None);
        let h = &mut invite.headers;
        h.push("Via", via.to_string());
        h.push("Max-Forwards", call.max_forwards.to_string());
        let from = fork.from.as_deref().unwrap_or(&call.b_from);
        h.push("From", format!("{from};tag={b_tag}"));
        h.push("To", fork.to);
        h.push("Call-ID", b_call_id.as_str());
        h.push("CSeq", format!("{} INVITE", call.b_cseq));
        h.push("Contact", contact_header(fork.target.transport, local));
        h.push("Allow", ALLOW);
        h.push("User-Agent", self.config.user_agent.as_str());
        for (name, value) in fork.extra {
            h.push(name, value);
        }
        if let Some((content_type, body)) = &call.b_offer {
            // Only a fork to a trunk (an outbound call's) is narrowed to it; phones keep
            // the codecs they may answer with.
            let to_trunk = matches!(call.onward, Onward::Trunks { .. });
            let (content_type, body) = match &call.trunk_media {
                Some(trunk) if to_trunk => {
                    let caller = &call.a_request;
                    let caller = (caller.content_type(), caller.body.as_slice());
                    trunk.offer_body(content_type, body, caller, call.relay.is_some())
                }
                _ => (content_type.clone(), body.clone()),
            };
            let mut offer = (content_type, body);
            if fork.to_phone {
                let requires = self
                    .registrar
                    .directory()
                    .get(&fork.callee)
                    .is_some_and(|e| e.srtp_required);
                match (
                    self.config.srtp.towards_phone(fork.target, requires),
                    call.relay,
                ) {
                    (CalleeSrtp::Plain, _) => {}
                    (CalleeSrtp::Unreachable, _) | (CalleeSrtp::Required, None) => {
                        tracing::info!(
                            callee = %fork.callee,
                            "phone not called: it must encrypt and its keys cannot travel"
                        );
                        return false;
                    }
                    (CalleeSrtp::Optional | CalleeSrtp::Required, Some(ports)) => {
                        offer = super::srtp::secure_offer(ports, Side::B, offer);
                    }
                    (CalleeSrtp::Optional, None) => {}
                }
            }
            invite.headers.push("Content-Type", offer.0);
            invite.body = offer.1;
        }
        self.send_branch(now, id, invite, fork.target, fork.callee)
    }

    /// Sends a ready INVITE as a new branch of the call.
    pub(crate) fn send_branch(
        &mut self,
        now: Instant,
        id: CallId,
        invite: Request,
        target: Peer,
        callee: String,
    ) -> bool {
        match self.endpoint.send_request(now, invite.clone(), target) {
            Ok(client) => {
                self.by_client.insert(client, ClientOwner::Branch(id));
                if let Some(call) = self.calls.get_mut(&id) {
                    call.branches.push(Branch {
                        key: client,
                        invite,
                        target,
                        state: BranchState::Calling,
                        callee,
                    });
                }
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "fork not sent");
                false
            }
        }
    }
}
