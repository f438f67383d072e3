//! Listening to one's own mailbox by phone: an extension dials `*97`
//! ([`crate::feature_codes::VOICEMAIL`]) and the PBX answers the call itself, like a
//! deposit, but the runtime runs the mailbox menu on the endpoint instead of recording a
//! message ([`EndpointUse::Listen`]): PIN, the message counts, play, next, delete, save,
//! record the greeting.
//!
//! The call goes through the ordinary set-up with nothing to ring and the caller's own
//! mailbox as its final destination, so answering it, a BYE from either side, session
//! refreshes and the call record are exactly those of a deposit (see `voicemail`).

use std::time::Instant;

use sip::transaction::{Peer, ServerKey};
use sip::Request;

use super::setup::{parse_sdp, NewCall};
use super::{CallId, Draft, Onward};
use crate::action::Direction;
use crate::core::Pbx;
use crate::dialplan::Destination;
use crate::feature_codes::VOICEMAIL;
use crate::media_endpoint::EndpointUse;

impl Pbx {
    /// A new INVITE from the authenticated extension `caller`: when it dials `*97`, the
    /// call is answered with the menu of the caller's own mailbox (404 when the caller
    /// has no enabled mailbox). Returns whether the request was handled here.
    pub(crate) fn voicemail_listen_invite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        source: Peer,
        caller: &str,
    ) -> bool {
        if request.uri.user_unescaped().as_deref() != Some(VOICEMAIL) {
            return false;
        }
        let caller_name = self
            .registrar
            .directory()
            .get(caller)
            .map(|e| e.display_name.clone())
            .filter(|n| !n.is_empty());
        let mut draft = Draft {
            caller_number: caller.to_owned(),
            caller_name: caller_name.clone(),
            callee: VOICEMAIL.to_owned(),
            answered_by: None,
            started_at: self.unix_now,
            answered_at: None,
            outcome: None,
            business_name: None,
            trunk: None,
            direction: Direction::Internal,
            lines_busy: false,
        };
        if !self.has_mailbox(caller) {
            draft.outcome = Some(crate::action::Outcome::NotFound);
            self.respond(now, &key, request, 404, "No Mailbox");
            self.record_unconnected(request, draft, "404: the extension has no mailbox");
            return true;
        }
        // The menu answers with the caller's own offer; without one there is nothing to
        // answer (RFC 3261 §13.2.1 delayed offer is not supported here).
        if !matches!(parse_sdp(request), Ok(Some(_))) {
            self.respond(now, &key, request, 488, "Not Acceptable Here");
            return true;
        }
        let b_from = self.caller_uri(caller, &caller_name);
        let max_forwards = request.max_forwards().unwrap_or(70);
        self.start_call(
            now,
            NewCall {
                key,
                request: request.clone(),
                source,
                draft,
                onward: Onward::ring(Vec::new(), Some(Destination::Voicemail(caller.to_owned()))),
                b_from,
                max_forwards,
                lines: Vec::new(),
                trunk_media: None,
                caller_extension: Some(caller.to_owned()),
            },
        );
        true
    }

    /// What the endpoint answering call `id` for `mailbox` does: the owner's menu when
    /// the owner dialled `*97`, else taking a message.
    pub(crate) fn endpoint_use(&self, id: CallId, mailbox: &str) -> EndpointUse {
        let listening = self.calls.get(&id).is_some_and(|c| {
            c.record.callee == VOICEMAIL && c.caller_extension.as_deref() == Some(mailbox)
        });
        if listening {
            EndpointUse::Listen
        } else {
            EndpointUse::Deposit
        }
    }
}
