//! Attended transfer by keys (`*2` + number), for phones without a Transfer key: the
//! party who presses it (the transferor) is put through to the number while the other
//! party waits with music; when the transferor hangs up, the two others are joined.
//!
//! - The transferor's phone is re-INVITEd onto a relay of its own, shared with the
//!   target, and a consultation call rings the target from the transferor. The held
//!   call keeps both its dialogs and its relay; its relay plays music to the waiting
//!   party and sends nothing to the transferor meanwhile.
//! - The transferor hangs up once the target answered: the target's dialog moves into
//!   the held call in the transferor's place (exactly as for a REFER with Replaces, see
//!   `transfer_attended`), and is re-INVITEd with the waiting party's media.
//! - The transferor hangs up while the target still rings: the consultation is
//!   cancelled and the target rung again for the waiting party (a blind transfer).
//! - The transferor presses `*`, or the target hangs up, refuses or does not answer: the
//!   transferor is re-INVITEd back to the waiting party, whose music stops.
//! - The waiting party hangs up: the transferor and the target simply go on talking.
//!
//! The consultation call has no dialog index of its own on the transferor's side: the
//! transferor's requests still arrive on the held call, and are handled here.

use std::net::SocketAddr;
use std::time::Instant;

use sip::transaction::ServerKey;
use sip::{Method, Request};

use super::feature_dtmf::info_digit;
use super::transfer::Referral;
use super::transfer_blind::party_extension;
use super::{Call, CallId, Draft, IndexKeys, Onward, Phase};
use crate::action::{Action, Direction, HangupBy, MediaSource, Outcome, Side};
use crate::core::Pbx;
use crate::dialplan::RingStep;
use crate::util;

/// The key that gives up a consultation and goes back to the waiting party.
const CANCEL: char = '*';

/// One attended transfer in progress.
#[derive(Debug, Clone)]
pub(super) struct Consult {
    /// The call with the waiting party and the transferor.
    held: CallId,
    /// The transferor's side in the held call.
    side: Side,
    /// The consultation call: the transferor (its A) ringing or talking to the target.
    consult: CallId,
    /// The number rung, for a blind transfer if the transferor leaves early.
    number: String,
    /// When it started: a deadline in the past asks the runtime to come back at once.
    since: Instant,
}

impl Pbx {
    /// `*2` + `number` from the party on `side` of call `id`.
    pub(super) fn start_consultation(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        number: &str,
    ) {
        let busy = self
            .features
            .consults
            .iter()
            .any(|c| c.held == id || c.consult == id);
        let registered = self.registrar.directory().contains(number)
            && !self.registrar.lookup(number, now).is_empty();
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let transferor = party_extension(call, side);
        if busy || !registered || transferor.as_deref() == Some(number) {
            tracing::info!(call = id, "attended transfer by keys not started");
            return;
        }
        let Some(offer) = self.party_sdp(id, side) else {
            return;
        };
        let waiting_format = self.listen_format(id, side.other());
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (Some(leg), Some(held_relay)) = (call.leg(side).cloned(), call.relay) else {
            return;
        };
        let (t_number, t_name) = self.party(call, side);
        let a_request = {
            let mut r = call.a_request.clone();
            r.headers.set("Content-Type", offer.0.as_str());
            r.body = offer.1.clone();
            r
        };
        let server = call.index.server;
        let ip = self.config.media_ip_for(leg.peer.addr.ip());
        let Some(relay) = ip.and_then(|ip| self.relay.allocate(ip, ip)) else {
            tracing::warn!(call = id, "no RTP ports left for a consultation");
            return;
        };
        let consult = self.allocate_call_id();
        let b_dialog = (util::token(&mut self.rng), util::token(&mut self.rng));
        // Never in the dialog index: the transferor's requests come on the held call.
        let a_dialog = (String::new(), util::token(&mut self.rng));
        let b_from = self.caller_uri(&t_number, &t_name);
        let b_offer = super::anchor::reanchor(
            &mut self.actions,
            Some(relay),
            None,
            Side::A,
            Some(&offer.0),
            &offer.1,
        );
        let call = Call {
            id: consult,
            phase: Phase::Ringing,
            a_invite: None,
            a_request,
            index: IndexKeys {
                server,
                a_dialog,
                b_dialog: b_dialog.clone(),
            },
            a: leg,
            branches: Vec::new(),
            b: None,
            winner: None,
            relay: Some(relay),
            ring_deadline: None,
            forwarded: Vec::new(),
            pending_ack: None,
            best_failure: None,
            record: Draft {
                caller_number: t_number,
                caller_name: t_name,
                callee: number.to_owned(),
                answered_by: None,
                started_at: self.unix_now,
                answered_at: None,
                outcome: None,
                business_name: None,
                trunk: None,
                direction: Direction::Internal,
                lines_busy: false,
            },
            onward: Onward::ring(
                vec![RingStep {
                    extensions: vec![number.to_owned()],
                    ring: self.config.ring_timeout,
                }],
                None,
            ),
            b_from,
            b_offer,
            b_cseq: 0,
            max_forwards: 70,
            lines: Vec::new(),
            trunk_media: None,
            codec_mismatches: Vec::new(),
            caller_extension: transferor,
            rang: false,
            rang_out: false,
            hold: Default::default(),
            recording: Default::default(),
            transcoding: None,
        };
        self.calls.insert(consult, call);
        self.by_dialog.insert(b_dialog, (consult, Side::B));
        self.features.consults.push(Consult {
            held: id,
            side,
            consult,
            number: number.to_owned(),
            since: now,
        });
        tracing::info!(call = id, consult, "attended transfer by keys: consulting");
        // The waiting party hears music; nothing of it reaches the transferor's phone.
        if let Some(format) = waiting_format {
            self.actions.push_back(Action::MediaPlay {
                id: held_relay.id,
                to: side.other(),
                source: MediaSource::MusicOnHold,
                format,
            });
        }
        self.actions.push_back(Action::RelayPeer {
            id: held_relay.id,
            side,
            peer: SocketAddr::from(([0, 0, 0, 0], 0)),
        });
        self.reinvite_party(now, consult, Side::A, &offer, Vec::new(), false);
        self.sync_transferor_cseq(consult, id, side);
        self.ring_next(now, consult);
    }

    /// Requests that concern a consultation: the transferor's (arriving on the held
    /// call), the waiting party's BYE and the target's BYE. Returns whether handled.
    pub(super) fn consult_request(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        let found = self
            .features
            .consults
            .iter()
            .position(|c| c.held == id || c.consult == id);
        let Some(pos) = found else {
            return false;
        };
        let c = self.features.consults[pos].clone();
        let bye = request.method == Method::Bye;
        if id == c.consult {
            // The target's side of the consultation.
            if !bye {
                return false;
            }
            self.respond(now, key, request, 200, "OK");
            self.features.consults.remove(pos);
            self.finish_call(c.consult, Some(HangupBy::Callee), "normal clearing");
            self.back_to_waiting(now, &c);
            return true;
        }
        if side == c.side {
            // The transferor.
            if bye {
                self.respond(now, key, request, 200, "OK");
                self.features.consults.remove(pos);
                self.transferor_left(now, &c);
            } else if request.method == Method::Info {
                self.respond(now, key, request, 200, "OK");
                if info_digit(request.content_type(), &request.body) == Some(CANCEL) {
                    self.cancel_consultation(now, pos);
                }
            } else {
                self.respond(now, key, request, 491, "Request Pending");
            }
            return true;
        }
        // The waiting party's offer (a session refresh, a hold) has nobody to go to.
        if self.answer_alone(now, id, side, key, request) {
            return true;
        }
        if !bye {
            return false;
        }
        // The waiting party gave up: the transferor keeps talking to the target, its
        // dialog now belonging to the consultation.
        self.respond(now, key, request, 200, "OK");
        self.features.consults.remove(pos);
        let by = if side == Side::A {
            HangupBy::Caller
        } else {
            HangupBy::Callee
        };
        let t_key = self
            .calls
            .get(&c.held)
            .and_then(|call| call.leg(c.side))
            .map(|leg| (leg.call_id.clone(), leg.local_tag.clone()));
        let t_seq = self
            .calls
            .get(&c.held)
            .and_then(|call| call.leg(c.side))
            .map(|leg| leg.local_cseq);
        self.finish_call(c.held, Some(by), "hung up while held for a transfer");
        if let (Some(t_key), Some(consult)) = (t_key, self.calls.get_mut(&c.consult)) {
            consult.a.local_cseq = consult.a.local_cseq.max(t_seq.unwrap_or(0));
            consult.index.a_dialog = t_key.clone();
            let ringing = consult.phase == Phase::Ringing;
            self.by_dialog.insert(t_key, (c.consult, Side::A));
            if ringing {
                // Nobody answering now leaves the transferor alone: it gets a BYE.
                self.transfer.ringing.insert(c.consult, None);
            }
        }
        true
    }

    /// A key the transferor pressed on the consultation's relay: `*` gives up.
    pub(super) fn consult_key(&mut self, now: Instant, id: CallId, side: Side, key: char) -> bool {
        let pos = self
            .features
            .consults
            .iter()
            .position(|c| c.consult == id && side == Side::A);
        match pos {
            Some(pos) if key == CANCEL => {
                self.cancel_consultation(now, pos);
                true
            }
            _ => false,
        }
    }

    fn cancel_consultation(&mut self, now: Instant, pos: usize) {
        let c = self.features.consults.remove(pos);
        tracing::info!(call = c.held, "attended transfer given up");
        match self.calls.get(&c.consult).map(|call| call.phase) {
            // BYE to the target only: the transferor's dialog is the held call's.
            Some(Phase::Answered) => {
                self.end_answered(now, c.consult, Some(Side::A), HangupBy::Caller)
            }
            Some(Phase::Ringing) => self.stop_ringing(
                now,
                c.consult,
                Outcome::Cancelled,
                "the transferor went back",
            ),
            _ => {}
        }
        self.back_to_waiting(now, &c);
    }

    /// The transferor hung up: join the waiting party and the target, or, while the
    /// target still rings, ring it for the waiting party.
    fn transferor_left(&mut self, now: Instant, c: &Consult) {
        let answered = self
            .calls
            .get(&c.consult)
            .is_some_and(|call| call.phase == Phase::Answered && call.b.is_some());
        if !answered {
            if self.calls.contains_key(&c.consult) {
                self.stop_ringing(now, c.consult, Outcome::Cancelled, "transferred");
            }
            let referral = Referral {
                side: c.side,
                subscribe: false,
            };
            return self.blind_transfer(now, c.held, referral, &c.number);
        }
        let Some(offer) = self.party_sdp(c.held, c.side.other()) else {
            return self.end_answered(now, c.held, Some(c.side), HangupBy::System);
        };
        // A waiting party the transferor had held sends nothing until asked again.
        let resume = !self.sends_and_receives(c.held, c.side.other());
        self.reset_hold(c.held);
        tracing::info!(call = c.held, "attended transfer by keys: joined");
        self.join_calls(now, c.held, c.side, c.consult, Side::B, &offer, resume);
    }

    /// The consultation is over without a transfer: the transferor is re-INVITEd with
    /// the waiting party's media again and the music stops.
    fn back_to_waiting(&mut self, now: Instant, c: &Consult) {
        let live = self
            .calls
            .get(&c.held)
            .is_some_and(|call| call.phase == Phase::Answered);
        if !live {
            return;
        }
        if let Some(relay) = self.calls.get(&c.held).and_then(|call| call.relay) {
            self.actions.push_back(Action::MediaStop {
                id: relay.id,
                to: c.side.other(),
            });
        }
        let Some(offer) = self.party_sdp(c.held, c.side.other()) else {
            return self.end_answered(now, c.held, None, HangupBy::System);
        };
        self.reinvite_party(now, c.held, c.side, &offer, Vec::new(), false);
    }

    /// The transferor's leg exists twice (held call and consultation); requests sent on
    /// either must keep raising its CSeq (RFC 3261 §12.2.1.1).
    fn sync_transferor_cseq(&mut self, consult: CallId, held: CallId, side: Side) {
        let seq = self.calls.get(&consult).map(|c| c.a.local_cseq);
        if let (Some(seq), Some(leg)) =
            (seq, self.calls.get_mut(&held).and_then(|c| c.leg_mut(side)))
        {
            leg.local_cseq = leg.local_cseq.max(seq);
        }
    }

    /// A consultation whose call ended by itself (the target refused, did not answer,
    /// or the transferor's phone refused the move): the transferor goes back.
    pub(super) fn settle_consultations(&mut self, now: Instant) {
        let over: Vec<usize> = self
            .features
            .consults
            .iter()
            .enumerate()
            .filter(|(_, c)| !self.consult_alive(c))
            .map(|(i, _)| i)
            .collect();
        for pos in over.into_iter().rev() {
            let c = self.features.consults.remove(pos);
            self.back_to_waiting(now, &c);
        }
    }

    fn consult_alive(&self, c: &Consult) -> bool {
        self.calls
            .get(&c.consult)
            .is_some_and(|call| call.phase != Phase::Ended)
    }

    /// Whether call `id` is held for, or is, an attended transfer by keys.
    pub(super) fn in_consultation(&self, id: CallId) -> bool {
        self.features
            .consults
            .iter()
            .any(|c| c.held == id || c.consult == id)
    }

    /// Now, when a consultation ended by itself and needs settling.
    pub(super) fn consult_deadline(&self) -> Option<Instant> {
        self.features
            .consults
            .iter()
            .filter(|c| !self.consult_alive(c))
            .map(|c| c.since)
            .min()
    }
}
