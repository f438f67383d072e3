//! A new INVITE: from a trunk (see `inbound`) or from an authenticated extension, which
//! calls an extension, a ring group, or a number out through a trunk. Whatever the
//! destination, the caller's leg is set up here and ringing starts (`ring_group`,
//! `outbound`).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use media::sdp::SessionDescription;
use sip::transaction::{Peer, ServerKey};
use sip::{Host, NameAddr, Request, Response, Transport, Uri};

use super::route::{Refusal, Target};
use super::{Call, CallId, Draft, Leg, Onward, Phase};
use crate::action::{Action, Direction, Outcome};
use crate::core::Pbx;
use crate::dialplan::{is_dialable, Destination, TrunkId};
use crate::registrar::{CallerAuth, NextHop};
use crate::util::{self, ALLOW};

/// Everything [`Pbx::start_call`] needs about a call that will ring somewhere.
pub(crate) struct NewCall {
    pub key: ServerKey,
    pub request: Request,
    pub source: Peer,
    pub draft: Draft,
    pub onward: Onward,
    /// From of the forks, without tag.
    pub b_from: String,
    /// The caller's Max-Forwards.
    pub max_forwards: u32,
    /// Trunk lines the call already holds.
    pub lines: Vec<TrunkId>,
    /// The inbound call's trunk media policy (outbound calls take theirs per trunk).
    pub trunk_media: Option<super::TrunkMedia>,
    pub caller_extension: Option<String>,
}

impl Pbx {
    pub(crate) fn new_call(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
    ) {
        // A trunk's provider is recognised by where it sends from (or the contact it
        // calls); its calls are not challenged. Anyone else is an extension or nobody.
        if let Some(trunk) = self.trunks.match_inbound(source, &request) {
            return self.inbound_call(now, key, request, source, trunk);
        }
        // RFC 3261 §22.2: every other call is placed by an authenticated extension.
        let caller = match self.registrar.authenticate_request(now, &request) {
            CallerAuth::Authorized(number) => number,
            CallerAuth::Challenge(response) => return self.send_response(now, &key, response),
        };
        // §16.3 step 3 / §8.2.2: a request that loops or travelled too far.
        let max_forwards = request.max_forwards().unwrap_or(70);
        if max_forwards == 0 {
            return self.respond(now, &key, &request, 483, "Too Many Hops");
        }
        // SRTP rules (RFC 4568 §8.3, the owner's requirement): refused before anything rings.
        let caller_requires = self
            .registrar
            .directory()
            .get(&caller)
            .is_some_and(|e| e.srtp_required);
        if let Some(why) = self.config.srtp.refusal(&request, source, caller_requires) {
            tracing::info!(%caller, why, "call refused: 488");
            return self.respond(now, &key, &request, 488, "Not Acceptable Here");
        }
        // Do-not-disturb and forwarding codes: answered with a confirmation tone.
        if self.settings_code_invite(now, &key, &request, source, &caller) {
            return;
        }
        // `*97`: the PBX answers with the caller's own mailbox menu.
        if self.voicemail_listen_invite(now, key, &request, source, &caller) {
            return;
        }
        // Pickup codes and Replaces (RFC 3891) answer or join a call the PBX holds.
        if self.feature_invite(now, &key, &request, source, &caller) {
            return;
        }
        let Some(callee) = request.uri.user_unescaped().map(|u| u.into_owned()) else {
            return self.respond(now, &key, &request, 404, "Not Found");
        };
        let caller_name = self
            .registrar
            .directory()
            .get(&caller)
            .map(|e| e.display_name.clone())
            .filter(|n| !n.is_empty())
            .or_else(|| request.from().and_then(|f| f.display_name));
        let mut draft = Draft {
            caller_number: caller.clone(),
            caller_name,
            callee: callee.clone(),
            answered_by: None,
            started_at: self.unix_now,
            answered_at: None,
            outcome: None,
            business_name: None,
            trunk: None,
            direction: Direction::Internal,
            lines_busy: false,
        };
        let mut forward_out = None;
        let onward = if self.registrar.directory().contains(&callee) {
            // The extension's do-not-disturb and forwarding decide what rings.
            match self.extension_onward(&callee, &caller) {
                Ok((onward, later)) => {
                    if matches!(onward, Onward::Trunks { .. }) {
                        draft.direction = Direction::Outbound;
                    }
                    forward_out = later;
                    onward
                }
                Err(refusal) => {
                    draft.outcome = Some(refusal.outcome);
                    self.respond(now, &key, &request, refusal.status, refusal.reason);
                    return self.record_unconnected(&request, draft, &refusal.detail);
                }
            }
        } else if self.is_conference_room(&callee) {
            // Answered by the room once the call is set up (`conference_instead`).
            Onward::ring(Vec::new(), Some(Destination::Conference(callee)))
        } else if self.plan.ring_group(&callee).is_some() {
            let group = Destination::RingGroup(callee);
            match self.target_of(&group, Some(&caller)) {
                Target::Ring {
                    steps,
                    final_destination,
                } => Onward::ring(steps, final_destination),
                Target::Refuse(refusal) => {
                    draft.outcome = Some(refusal.outcome);
                    self.respond(now, &key, &request, refusal.status, refusal.reason);
                    return self.record_unconnected(&request, draft, &refusal.detail);
                }
            }
        } else {
            draft.direction = Direction::Outbound;
            match self.outbound_onward(&caller, &callee) {
                Ok(onward) => onward,
                Err(refusal) => {
                    draft.outcome = Some(refusal.outcome);
                    self.respond(now, &key, &request, refusal.status, refusal.reason);
                    return self.record_unconnected(&request, draft, &refusal.detail);
                }
            }
        };
        if parse_sdp(&request).is_err() {
            return self.respond(now, &key, &request, 488, "Not Acceptable Here");
        }
        let b_from = self.caller_uri(&caller, &draft.caller_name);
        if let Some(forward) = forward_out {
            let server = key;
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
                    lines: Vec::new(),
                    trunk_media: None,
                    caller_extension: Some(caller),
                },
            );
            if let Some(&id) = self.by_server.get(&server) {
                self.forward_out_later(id, forward);
            }
            return;
        }
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
                lines: Vec::new(),
                trunk_media: None,
                caller_extension: Some(caller),
            },
        );
    }

    /// A number that is neither an extension nor a ring group leaves by a trunk, if the
    /// caller may call out (RFC 3261 §21.4.19 484 for what could never be a number,
    /// 404 when no route takes it, 403 without permission or beyond the toll limits;
    /// emergency numbers always go).
    pub(crate) fn outbound_onward(&self, caller: &str, dialled: &str) -> Result<Onward, Refusal> {
        // Only digits, + * #: nothing else reaches a trunk's Request-URI.
        if !is_dialable(dialled) {
            return Err(Refusal::new(
                484,
                "Address Incomplete",
                Outcome::NotFound,
                "484 Address Incomplete: only digits, +, * and # can be dialled",
            ));
        }
        let targets = self.plan.outbound_targets(dialled);
        if targets.is_empty() {
            return Err(Refusal::new(
                404,
                "Not Found",
                Outcome::NotFound,
                "404 Not Found",
            ));
        }
        if !self.plan.may_call_out(caller, dialled) {
            return Err(Refusal::new(
                403,
                "Forbidden",
                Outcome::Failed,
                "403 Forbidden: the extension may not call out",
            ));
        }
        if let Some(refusal) = self.toll_refusal(caller, dialled) {
            return Err(refusal);
        }
        Ok(super::outbound::trunk_onward(targets))
    }

    /// Sets up the caller's side of a call that will ring somewhere and starts ringing.
    pub(crate) fn start_call(&mut self, now: Instant, new: NewCall) {
        let trunks = matches!(new.onward, Onward::Trunks { .. });
        let id = self.insert_call(now, new);
        if trunks {
            self.start_trunks(now, id);
        } else {
            self.ring_next(now, id);
        }
    }

    /// Sets up the caller's side of a new call (100 Trying sent, indexes made) without
    /// ringing anything yet; returns its id.
    pub(crate) fn insert_call(&mut self, now: Instant, new: NewCall) -> CallId {
        let NewCall {
            key,
            request,
            source,
            draft,
            onward,
            b_from,
            max_forwards,
            lines,
            trunk_media,
            caller_extension,
        } = new;
        let id = self.allocate_call_id();
        let a_tag = util::token(&mut self.rng);
        let a = self.caller_leg(&request, source, a_tag.clone());
        self.by_dialog
            .insert((a.call_id.clone(), a_tag), (id, crate::Side::A));
        // Tell the caller we are working on it (§17.2.1: 100 stops INVITE retransmissions).
        self.respond(now, &key, &request, 100, "Trying");
        let index = super::IndexKeys {
            server: key,
            a_dialog: (a.call_id.clone(), a.local_tag.clone()),
            b_dialog: (util::token(&mut self.rng), util::token(&mut self.rng)),
        };
        self.by_dialog
            .insert(index.b_dialog.clone(), (id, crate::Side::B));
        self.by_server.insert(key, id);
        let call = Call {
            id,
            phase: Phase::Ringing,
            a_invite: Some(key),
            a_request: request,
            index,
            a,
            branches: Vec::new(),
            b: None,
            winner: None,
            relay: None,
            ring_deadline: None,
            forwarded: Vec::new(),
            pending_ack: None,
            best_failure: None,
            record: draft,
            onward,
            b_from,
            b_offer: None,
            b_cseq: 0,
            max_forwards: max_forwards.saturating_sub(1),
            lines,
            trunk_media,
            codec_mismatches: Vec::new(),
            caller_extension,
            rang: false,
            rang_out: false,
            hold: Default::default(),
            recording: Default::default(),
            transcoding: None,
        };
        self.calls.insert(id, call);
        id
    }

    /// The dialog with the caller as we will confirm it in our 1xx/2xx (§12.1.1).
    pub(crate) fn caller_leg(&self, request: &Request, source: Peer, local_tag: String) -> Leg {
        let from = request.from();
        let to = request.to();
        let remote_target = request
            .contacts()
            .and_then(|c| c.addrs().first().map(|a| a.uri.clone()))
            .or_else(|| from.as_ref().map(|f| f.uri.clone()))
            .unwrap_or_else(|| request.uri.clone());
        let local = self
            .config
            .local_for(source.transport, source.addr)
            .unwrap_or(source.addr);
        Leg {
            call_id: request.call_id().unwrap_or_default().to_owned(),
            local_tag,
            remote_tag: from.as_ref().and_then(|f| f.tag().map(str::to_owned)),
            local_uri: to.map(strip_tag).unwrap_or_default(),
            remote_uri: from.map(strip_tag).unwrap_or_default(),
            remote_target,
            route_set: request
                .record_routes()
                .iter()
                .map(ToString::to_string)
                .collect(),
            local_cseq: 0,
            peer: source,
            contact: contact_header(source.transport, local),
        }
    }

    /// `"Alice" <sip:1001@host>`: how the caller appears on the ringing phone.
    pub(crate) fn caller_uri(&self, number: &str, name: &Option<String>) -> String {
        let host = self
            .config
            .local
            .first()
            .map(|(_, a)| *a)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 5060)));
        self.extension_uri(number, name.as_deref(), host)
    }

    fn extension_uri(&self, number: &str, name: Option<&str>, host: SocketAddr) -> String {
        let mut addr = NameAddr::new(Uri::sip(Some(number), Host::from(host.ip())));
        addr.display_name = name.map(str::to_owned);
        addr.to_string()
    }

    /// A call that never rang anywhere still gets a record.
    pub(crate) fn record_unconnected(&mut self, request: &Request, draft: Draft, reason: &str) {
        let record = self.finish_record(request.call_id().unwrap_or_default(), draft, None, reason);
        self.actions.push_back(Action::CallRecord(record));
    }
}

fn strip_tag(mut addr: NameAddr) -> String {
    addr.params.remove("tag");
    addr.to_string()
}

/// Our Contact on a leg: where the phone sends in-dialog requests.
pub(crate) fn contact_header(transport: Transport, local: SocketAddr) -> String {
    let mut uri = Uri::sip(None, Host::from(local.ip()));
    uri.port = Some(local.port());
    if transport != Transport::Udp {
        uri.params
            .set("transport", Some(&transport.as_str().to_ascii_lowercase()));
    }
    format!("<{uri}>")
}

/// The caller's SDP, if it sent one. `Err` when it is unreadable.
pub(crate) fn parse_sdp(request: &Request) -> Result<Option<SessionDescription>, ()> {
    super::anchor::sdp_of(request.content_type(), &request.body)
}

/// Resolves a binding's next hop to a socket address. Contacts with host names would
/// need DNS (RFC 3263); phones register IP contacts, so we fall back to the source.
pub(crate) fn next_hop_peer(hop: NextHop, source: crate::registrar::Source) -> Option<Peer> {
    match hop {
        NextHop::Source(s) => Some(Peer {
            transport: s.transport,
            addr: s.addr,
        }),
        NextHop::Contact {
            transport,
            host,
            port,
        } => {
            let ip = match host {
                Host::V4(ip) => Some(IpAddr::V4(ip)),
                Host::V6(ip) => Some(IpAddr::V6(ip)),
                Host::Domain(_) => None,
            };
            Some(match ip {
                Some(ip) => Peer {
                    transport,
                    addr: SocketAddr::new(ip, port),
                },
                None => Peer {
                    transport: source.transport,
                    addr: source.addr,
                },
            })
        }
    }
}

/// A 1xx/2xx for the caller carrying our tag and Contact.
pub(crate) fn response_to_caller(call: &Call, status: u16, reason: &str) -> Response {
    let mut response = Response::for_request(&call.a_request, status, reason);
    if let Some(mut to) = call.a_request.to() {
        to.set_tag(&call.a.local_tag);
        response.headers.set("To", to.to_string());
    }
    if status > 100 {
        response.headers.push("Contact", call.a.contact.as_str());
        response.headers.push("Allow", ALLOW);
    }
    response
}
