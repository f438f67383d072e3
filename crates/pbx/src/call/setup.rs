//! A new INVITE from a phone: authenticate, find the callee, fork to its devices
//! (RFC 3261 §16.6 as a B2BUA), anchoring media at the relay.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use media::sdp::SessionDescription;
use sip::transaction::{Peer, ServerKey};
use sip::{Host, Method, NameAddr, Request, Response, Transport, Uri, Via};

use super::{Branch, BranchState, Call, Draft, Leg, Phase};
use crate::action::{Action, Outcome, PbxEvent};
use crate::core::{ClientOwner, Pbx};
use crate::registrar::{CallerAuth, NextHop};
use crate::util::{self, ALLOW};

impl Pbx {
    pub(crate) fn new_call(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
    ) {
        // RFC 3261 §22.2: every call is placed by an authenticated extension.
        let caller = match self.registrar.authenticate_request(now, &request) {
            CallerAuth::Authorized(number) => number,
            CallerAuth::Challenge(response) => return self.send_response(now, &key, response),
        };
        // §16.3 step 3 / §8.2.2: a request that loops or travelled too far.
        let max_forwards = request.max_forwards().unwrap_or(70);
        if max_forwards == 0 {
            return self.respond(now, &key, &request, 483, "Too Many Hops");
        }
        let Some(callee) = request.uri.user_unescaped().map(|u| u.into_owned()) else {
            return self.respond(now, &key, &request, 404, "Not Found");
        };
        let started_at = self.unix_now;
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
            started_at,
            answered_at: None,
            outcome: None,
            business_name: None,
            trunk: None,
            direction: crate::Direction::Internal,
            lines_busy: false,
        };
        if !self.registrar.directory().contains(&callee) {
            draft.outcome = Some(Outcome::NotFound);
            self.respond(now, &key, &request, 404, "Not Found");
            return self.record_unconnected(&request, draft, "404 Not Found");
        }
        let bindings = self.registrar.lookup(&callee, now);
        if bindings.is_empty() {
            draft.outcome = Some(Outcome::Unavailable);
            self.respond(now, &key, &request, 480, "Temporarily Unavailable");
            return self.record_unconnected(&request, draft, "480 Temporarily Unavailable");
        }
        // The caller's offer, anchored: the callee will send its audio to our B side.
        let offer = match parse_sdp(&request) {
            Ok(offer) => offer,
            Err(()) => return self.respond(now, &key, &request, 488, "Not Acceptable Here"),
        };
        let targets: Vec<(String, Peer)> = bindings
            .iter()
            .filter_map(|b| next_hop_peer(b.next_hop(), b.source).map(|p| (b.contact.clone(), p)))
            .collect();
        // Relay when there is SDP to anchor: the caller's offer, or (RFC 3261 §13.2.1
        // delayed offer, an INVITE without a body) the offer the callee puts in its 2xx.
        let relayable = offer.is_some() || request.body.is_empty();
        let relay = match (relayable, targets.first()) {
            (true, Some((_, first))) => {
                let a_ip = self.config.media_ip_for(source.addr.ip());
                let b_ip = self.config.media_ip_for(first.addr.ip());
                match (a_ip, b_ip) {
                    (Some(a_ip), Some(b_ip)) => match self.relay.allocate(a_ip, b_ip) {
                        Some(ports) => Some(ports),
                        None => {
                            tracing::warn!("no RTP ports left for a new call");
                            return self.respond(now, &key, &request, 503, "Service Unavailable");
                        }
                    },
                    _ => None,
                }
            }
            _ => None,
        };
        let id = self.allocate_call_id();
        let a_tag = util::token(&mut self.rng);
        let a = self.caller_leg(&request, source, a_tag.clone());
        self.by_dialog
            .insert((a.call_id.clone(), a_tag), (id, crate::Side::A));
        // Tell the caller we are working on it (§17.2.1: 100 stops INVITE retransmissions).
        self.respond(now, &key, &request, 100, "Trying");

        // The caller's offer as the callee must see it (RFC 3264 offer, anchored).
        let b_body = super::anchor::reanchor(
            &mut self.actions,
            relay,
            crate::Side::A,
            request.content_type(),
            &request.body,
        );
        let b_call_id = util::token(&mut self.rng);
        let b_tag = util::token(&mut self.rng);
        let from_uri = self.caller_uri(&caller, &draft.caller_name);
        let mut branches = Vec::with_capacity(targets.len());
        for (contact, target) in targets {
            let Ok(contact_uri) = contact.parse::<Uri>() else {
                continue;
            };
            let mut invite = Request::new(Method::Invite, contact_uri);
            let Some(local) = self.config.local_for(target.transport, target.addr) else {
                continue;
            };
            // Our Via for the target's transport, without a branch: the transaction
            // layer adds a fresh one (RFC 3261 §8.1.1.7). An empty `branch=` would not
            // parse as a Via, so the transaction layer would add a second one on top.
            let mut via = Via::new(
                target.transport,
                Host::from(local.ip()),
                Some(local.port()),
                "",
            );
            via.params.remove("branch");
            via.params.push("rport", None);
            invite.headers.push("Via", via.to_string());
            invite
                .headers
                .push("Max-Forwards", (max_forwards - 1).to_string());
            invite
                .headers
                .push("From", format!("{from_uri};tag={b_tag}"));
            invite
                .headers
                .push("To", self.extension_uri(&callee, None, local));
            invite.headers.push("Call-ID", b_call_id.as_str());
            invite.headers.push("CSeq", "1 INVITE");
            invite
                .headers
                .push("Contact", contact_header(target.transport, local));
            invite.headers.push("Allow", ALLOW);
            invite
                .headers
                .push("User-Agent", self.config.user_agent.as_str());
            if let Some((content_type, body)) = &b_body {
                invite.headers.push("Content-Type", content_type.as_str());
                invite.body = body.clone();
            }
            match self.endpoint.send_request(now, invite.clone(), target) {
                Ok(client) => {
                    self.by_client.insert(client, ClientOwner::Branch(id));
                    branches.push(Branch {
                        key: client,
                        invite,
                        target,
                        state: BranchState::Calling,
                    });
                }
                Err(e) => tracing::debug!(error = %e, "fork not sent"),
            }
        }
        if branches.is_empty() {
            if let Some(ports) = relay {
                self.actions.push_back(Action::RelayClose { id: ports.id });
            }
            draft.outcome = Some(Outcome::Unavailable);
            self.by_dialog
                .remove(&(a.call_id.clone(), a.local_tag.clone()));
            self.respond(now, &key, &request, 480, "Temporarily Unavailable");
            return self.record_unconnected(&request, draft, "480 Temporarily Unavailable");
        }
        let index = super::IndexKeys {
            server: key,
            a_dialog: (a.call_id.clone(), a.local_tag.clone()),
            b_dialog: (b_call_id, b_tag),
        };
        self.by_dialog
            .insert(index.b_dialog.clone(), (id, crate::Side::B));
        self.actions.push_back(Action::Event(PbxEvent::CallRinging {
            call_id: a.call_id.clone(),
            caller: draft.caller_number.clone(),
            callee: draft.callee.clone(),
            caller_name: draft.caller_name.clone(),
            business_name: draft.business_name.clone(),
        }));
        self.by_server.insert(key, id);
        let call = Call {
            id,
            phase: Phase::Ringing,
            a_invite: Some(key),
            a_request: request,
            index,
            a,
            branches,
            b: None,
            winner: None,
            relay,
            ring_deadline: Some(now + self.config.ring_timeout),
            forwarded: Vec::new(),
            pending_ack: None,
            best_failure: None,
            record: draft,
        };
        self.calls.insert(id, call);
    }

    /// The dialog with the caller as we will confirm it in our 1xx/2xx (§12.1.1).
    fn caller_leg(&self, request: &Request, source: Peer, local_tag: String) -> Leg {
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
    fn caller_uri(&self, number: &str, name: &Option<String>) -> String {
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
    fn record_unconnected(&mut self, request: &Request, draft: Draft, reason: &str) {
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
fn parse_sdp(request: &Request) -> Result<Option<SessionDescription>, ()> {
    super::anchor::sdp_of(request.content_type(), &request.body)
}

/// Resolves a binding's next hop to a socket address. Contacts with host names would
/// need DNS (RFC 3263); phones register IP contacts, so we fall back to the source.
fn next_hop_peer(hop: NextHop, source: crate::registrar::Source) -> Option<Peer> {
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
