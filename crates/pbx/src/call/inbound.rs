//! Calls from a trunk's provider. The trunk is the caller's credential, so there is no
//! digest challenge: the call takes one of the trunk's channels (or goes to overflow when
//! all are busy), finds the business name dialled and rings its destination, showing the
//! caller as `[Label] Name`.

use std::time::Instant;

use sip::transaction::{Peer, ServerKey};
use sip::Request;

use super::caller_id::{called_number, shown_name, trunk_caller};
use super::forwarding::OutsideForward;
use super::route::Target;
use super::setup::{parse_sdp, NewCall};
use super::{Draft, Onward, TrunkMedia};
use crate::action::{Direction, Outcome};
use crate::core::Pbx;
use crate::dialplan::TrunkId;

impl Pbx {
    pub(crate) fn inbound_call(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
        trunk_id: TrunkId,
    ) {
        // §16.3 step 3 / §8.2.2: a request that loops or travelled too far.
        let max_forwards = request.max_forwards().unwrap_or(70);
        if max_forwards == 0 {
            return self.respond(now, &key, &request, 483, "Too Many Hops");
        }
        let Some(trunk) = self.plan.trunk(trunk_id).cloned() else {
            return self.respond(now, &key, &request, 480, "Temporarily Unavailable");
        };
        let plan = &self.plan;
        let number = called_number(&trunk, &request, |n| {
            plan.name_for_number(trunk_id, n).is_some()
        });
        let name = self.plan.name_for_number(trunk_id, &number).cloned();
        let caller = trunk_caller(&request, trunk.trust_pai);
        let mut draft = Draft {
            caller_number: caller.number.clone(),
            caller_name: caller.name.clone(),
            callee: number,
            answered_by: None,
            started_at: self.unix_now,
            answered_at: None,
            outcome: None,
            business_name: name.as_ref().map(|n| n.name.clone()),
            trunk: Some(trunk.name.clone()),
            direction: Direction::Inbound,
            lines_busy: false,
        };
        if parse_sdp(&request).is_err() {
            return self.respond(now, &key, &request, 488, "Not Acceptable Here");
        }
        // The provider's side speaks only the trunk's codecs: an offer with none of them
        // cannot be answered (RFC 3261 §21.4.26), even though phones may be transcoded.
        let trunk_media = TrunkMedia::of(&trunk);
        if !trunk_media.accepts(request.content_type(), &request.body) {
            draft.outcome = Some(Outcome::Failed);
            self.not_acceptable(now, &key, &request);
            let reason = format!(
                "488 Not Acceptable Here: the provider offered none of the trunk's codecs ({})",
                trunk_media.codec_list()
            );
            return self.record_unconnected(&request, draft, &reason);
        }
        let has_line = self.trunks.acquire_line(trunk_id);
        let intended = name
            .as_ref()
            .map(|n| n.destination.clone())
            .unwrap_or_else(|| trunk.default_destination.clone());
        let destination = if has_line {
            intended
        } else {
            draft.lines_busy = true;
            match (&trunk.overflow, self.mailbox_of(&intended)) {
                (Some(overflow), _) => overflow.clone(),
                // By default the voicemail of whoever the call was for takes it, when
                // they have a mailbox; else the caller hears busy.
                (None, Some(mailbox)) => crate::dialplan::Destination::Voicemail(mailbox),
                (None, None) => {
                    draft.outcome = Some(Outcome::Busy);
                    self.respond(now, &key, &request, 486, "Busy Here");
                    return self.record_unconnected(
                        &request,
                        draft,
                        "486 Busy Here: every line is busy",
                    );
                }
            }
        };
        let onward = match self.target_of(&destination, None) {
            Target::Ring {
                steps,
                final_destination,
            } => Onward::ring(steps, final_destination),
            // A mailbox: ringing nothing, the call reaches it as its final destination.
            Target::Refuse(super::route::Refusal {
                voicemail: Some(mailbox),
                ..
            }) => Onward::ring(
                Vec::new(),
                Some(crate::dialplan::Destination::Voicemail(mailbox)),
            ),
            // A room: ringing nothing, the call reaches it as its final destination.
            Target::Refuse(super::route::Refusal {
                conference: Some(room),
                ..
            }) => Onward::ring(
                Vec::new(),
                Some(crate::dialplan::Destination::Conference(room)),
            ),
            Target::Refuse(refusal) => {
                if has_line {
                    self.trunks.release_line(trunk_id);
                }
                draft.outcome = Some(refusal.outcome);
                self.respond(now, &key, &request, refusal.status, refusal.reason);
                return self.record_unconnected(&request, draft, &refusal.detail);
            }
        };
        // An extension forwarding to an outside number sends the call back out.
        let (onward, forward_out) = match self.outside_forward(&destination) {
            Some(OutsideForward::Now(out)) => (out, None),
            Some(OutsideForward::Later(ring, forward)) => (ring, Some(forward)),
            None => (onward, None),
        };
        let server = key;
        let shown = shown_name(name.as_ref().map(|n| n.label.as_str()), &caller);
        let b_from = self.caller_uri(&caller.number, &shown);
        self.start_call(
            now,
            NewCall {
                key,
                request,
                source,
                draft,
                onward,
                b_from,
                max_forwards,
                lines: if has_line { vec![trunk_id] } else { Vec::new() },
                trunk_media: Some(trunk_media),
                caller_extension: None,
            },
        );
        if let Some(forward) = forward_out {
            if let Some(&id) = self.by_server.get(&server) {
                self.forward_out_later(id, forward);
            }
        }
    }
}

impl Pbx {
    /// The mailbox a destination's calls would be left in: its extension's or ring
    /// group's own, or the one it names, if that mailbox is on.
    fn mailbox_of(&self, destination: &crate::dialplan::Destination) -> Option<String> {
        use crate::dialplan::Terminal;
        let number = match self.plan.resolve(
            destination,
            i64::try_from(self.unix_now).unwrap_or(i64::MAX),
        )? {
            Terminal::Extension(n) | Terminal::RingGroup(n) | Terminal::Voicemail(n) => n,
            Terminal::Conference(_) | Terminal::Hangup => return None,
        };
        self.has_mailbox(&number).then_some(number)
    }
}
