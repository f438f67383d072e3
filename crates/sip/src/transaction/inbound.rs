//! Messages arriving from the network: parse, match to a transaction (RFC 3261 §17.1.3,
//! §17.2.3), or start a new server transaction and tell the TU.

use std::time::Instant;

use super::build;
use super::endpoint::Endpoint;
use super::outbox::Ctx;
use super::registry::Tx;
use super::server_invite::{AckOutcome, InviteServer};
use super::server_non_invite::NonInviteServer;
use super::via_ext;
use super::{Event, Peer, ServerKey, Source};
use crate::{error_response, parse, Message, Method, Request, Response};

impl Endpoint {
    /// Feeds one datagram, or one message framed from a stream, into the endpoint.
    pub fn handle_datagram(&mut self, now: Instant, source: Source, bytes: &[u8]) {
        match parse(bytes) {
            Ok(Message::Request(request)) => self.on_request(now, source, request),
            Ok(Message::Response(response)) => self.on_response(now, source, response),
            Err(err) => {
                // §8.2 / §21.4.1: answer a malformed request with 400 (505) when we can
                // read enough to address it; malformed responses are dropped (§18.1.2).
                if let Some(response) = error_response(bytes, &err) {
                    self.out.send(source, response.to_bytes());
                }
            }
        }
    }

    fn on_response(&mut self, now: Instant, source: Source, response: Response) {
        // §17.1.3: the top Via branch and the CSeq method name the transaction.
        let Some(via) = response.top_via() else {
            return;
        };
        let (Some(branch), Some(cseq)) = (via.branch(), response.cseq()) else {
            return;
        };
        let Some(id) = self.client_index.get(branch).and_then(|ids| {
            ids.iter()
                .copied()
                .find(|id| self.txs.get(id).is_some_and(|e| e.method == cseq.method))
        }) else {
            // No transaction: a stray or late response, discarded (§18.1.2).
            return;
        };
        let Some(entry) = self.txs.get_mut(&id) else {
            return;
        };
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        match &mut entry.tx {
            Tx::InviteClient(tx) => tx.on_response(&mut ctx, response, source),
            Tx::NonInviteClient(tx) => tx.on_response(&mut ctx, response, source),
            _ => {}
        }
        self.settle(now, id);
    }

    fn on_request(&mut self, now: Instant, source: Source, mut request: Request) {
        // RFC 3581 §4 / §18.2.1 before anything else, so the TU, the key and every
        // response see the same top Via.
        let Some((reply_to, top_via)) = via_ext::stamp_received(&mut request, source) else {
            return;
        };
        let Some((branch, sent_by)) = via_ext::server_key_parts(&request, &top_via) else {
            return;
        };
        let filed_under = match &request.method {
            Method::Ack => Method::Invite,
            other => other.clone(),
        };
        if let Some(id) = self.find_server(&branch, &sent_by, &filed_under) {
            self.on_server_match(now, id, request, source);
            return;
        }
        match request.method {
            Method::Ack => self.on_unmatched_ack(now, request, source),
            Method::Cancel => self.on_cancel(now, request, reply_to, branch, sent_by),
            _ => self.on_new_request(now, request, source, reply_to, branch, sent_by),
        }
    }

    fn find_server(&self, branch: &str, sent_by: &str, method: &Method) -> Option<u64> {
        self.server_index.get(branch)?.iter().copied().find(|id| {
            self.txs
                .get(id)
                .is_some_and(|e| e.method == *method && e.sent_by.as_deref() == Some(sent_by))
        })
    }

    /// A retransmission, or the ACK of an INVITE's final response.
    fn on_server_match(&mut self, now: Instant, id: u64, request: Request, source: Source) {
        let Some(entry) = self.txs.get_mut(&id) else {
            return;
        };
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        // ACKs are filed under INVITE, so only an INVITE server can match one.
        let is_ack = request.method == Method::Ack;
        let pass_up = match &mut entry.tx {
            Tx::InviteServer(tx) if is_ack => tx.on_ack(&mut ctx) == AckOutcome::PassUp,
            Tx::InviteServer(tx) => {
                tx.on_retransmit(&mut ctx);
                false
            }
            Tx::NonInviteServer(tx) => {
                tx.on_retransmit(&mut ctx);
                false
            }
            _ => false,
        };
        if pass_up {
            ctx.out.event(Event::Ack {
                request,
                source,
                invite: Some(ServerKey(id)),
            });
        }
        self.settle(now, id);
    }

    /// An ACK with a branch of its own: the ACK for a 2xx (§17.1.1.3). It stops that
    /// 2xx's retransmission and always goes to the TU, which owns the dialog.
    fn on_unmatched_ack(&mut self, now: Instant, request: Request, source: Source) {
        let invite = match (request.call_id(), request.cseq()) {
            (Some(call_id), Some(cseq)) => self
                .ack_index
                .get(&(Box::<str>::from(call_id), cseq.seq))
                .copied(),
            _ => None,
        };
        if let Some(id) = invite {
            if let Some(entry) = self.txs.get_mut(&id) {
                if let Tx::InviteServer(tx) = &mut entry.tx {
                    let mut ctx = Ctx {
                        now,
                        config: &self.config.timers,
                        out: &mut self.out,
                    };
                    tx.on_ack(&mut ctx);
                }
            }
            self.settle(now, id);
        }
        self.out.event(Event::Ack {
            request,
            source,
            invite: invite.map(ServerKey),
        });
    }

    /// CANCEL (§9.2): answered here — 200 when it matches an INVITE, 481 when not —
    /// and the TU is told only when the INVITE still awaits its final response.
    fn on_cancel(
        &mut self,
        now: Instant,
        request: Request,
        reply_to: Peer,
        branch: String,
        sent_by: String,
    ) {
        let invite = self.find_server(&branch, &sent_by, &Method::Invite);
        let pending = invite.filter(|id| {
            matches!(self.txs.get(id), Some(e) if matches!(&e.tx, Tx::InviteServer(t) if t.is_pending()))
        });
        let status = if invite.is_some() { 200 } else { 481 };
        let mut response = Response::for_request(&request, status, crate::default_reason(status));
        self.add_to_tag(&mut response);
        let id = self.allocate();
        let mut tx = NonInviteServer::new(reply_to);
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        // A fresh transaction always accepts its first final response.
        let _ = tx.send_response(&mut ctx, &response);
        if let Some(invite) = pending {
            ctx.out.event(Event::Cancelled {
                invite: ServerKey(invite),
                request,
            });
        }
        self.insert_server(
            id,
            Tx::NonInviteServer(tx),
            branch.into(),
            sent_by.into(),
            Method::Cancel,
            None,
        );
        self.settle(now, id);
    }

    fn on_new_request(
        &mut self,
        now: Instant,
        request: Request,
        source: Source,
        reply_to: Peer,
        branch: String,
        sent_by: String,
    ) {
        let id = self.allocate();
        let key = ServerKey(id);
        let method = request.method.clone();
        let (tx, dialog_key) = if method == Method::Invite {
            let ctx = Ctx {
                now,
                config: &self.config.timers,
                out: &mut self.out,
            };
            let tx = InviteServer::new(&ctx, key, reply_to, build::trying_for(&request));
            let dialog_key = match (request.call_id(), request.cseq()) {
                (Some(call_id), Some(cseq)) => Some((Box::<str>::from(call_id), cseq.seq)),
                _ => None,
            };
            (Tx::InviteServer(tx), dialog_key)
        } else {
            (Tx::NonInviteServer(NonInviteServer::new(reply_to)), None)
        };
        self.insert_server(id, tx, branch.into(), sent_by.into(), method, dialog_key);
        // §8.2.1–§8.2.3: a request the UAS cannot handle is answered here, inside the
        // transaction so that retransmissions get the same answer.
        match self.config.check.check(&request) {
            Ok(()) => self.out.event(Event::Request {
                key,
                request,
                source,
            }),
            Err(rejection) => {
                let mut response = rejection.to_response(&request);
                self.add_to_tag(&mut response);
                // The transaction was just created and has sent nothing final.
                let _ = self.send_response(now, &key, response);
            }
        }
        self.settle(now, id);
    }

    /// §8.2.6.2: a final response the TU did not write gets a To tag of ours.
    fn add_to_tag(&mut self, response: &mut Response) {
        let Some(mut to) = response.to() else {
            return;
        };
        if to.tag().is_none() {
            to.set_tag(&build::random_token(&mut self.rng, "", 12));
            response.headers.set("To", to.to_string());
        }
    }
}
