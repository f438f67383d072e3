//! The endpoint: owns every transaction, the timer schedule and the output queues.
//! Requests and responses arriving from the network are in `inbound.rs`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::build;
use super::client_invite::{HeldCancel, InviteClient, State as InviteClientState};
use super::client_non_invite::NonInviteClient;
use super::outbox::{Ctx, Outbox};
use super::registry::{Entry, Tx};
use super::timer::TimerConfig;
use super::via_ext;
use super::{ClientKey, Event, Peer, ServerKey, Target, TransactionError, Transmit};
use crate::{Host, Message, Method, Request, RequestCheck, Response};

/// Settings for an [`Endpoint`].
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    pub timers: TimerConfig,
    /// The host written into the Via of requests the TU sends without one.
    pub via_host: Host,
    /// The port written with `via_host` (omitted means the transport's default).
    pub via_port: Option<u16>,
    /// What [`crate::check_request`] accepts before a request reaches the TU.
    pub check: RequestCheck,
    /// Seeds branch and tag generation, for reproducible simulations. `None` draws the
    /// seed from the operating system, which production must do: branches have to be
    /// unguessable and unique (RFC 3261 §8.1.1.7).
    pub seed: Option<u64>,
}

impl EndpointConfig {
    pub fn new(via_host: Host, via_port: Option<u16>) -> Self {
        EndpointConfig {
            timers: TimerConfig::default(),
            via_host,
            via_port,
            check: RequestCheck::default(),
            seed: None,
        }
    }
}

/// The sans-IO transaction layer of one SIP endpoint. See the module docs.
pub struct Endpoint {
    pub(super) config: EndpointConfig,
    pub(super) rng: StdRng,
    next_id: u64,
    pub(super) txs: HashMap<u64, Entry>,
    /// Branch → client transactions (an INVITE and its CANCEL share a branch).
    pub(super) client_index: HashMap<Box<str>, Vec<u64>>,
    /// Branch → server transactions; sent-by and method tell them apart.
    pub(super) server_index: HashMap<Box<str>, Vec<u64>>,
    /// (Call-ID, CSeq) → INVITE server transaction whose 2xx awaits its ACK.
    pub(super) ack_index: HashMap<(Box<str>, u32), u64>,
    pub(super) heap: BinaryHeap<Reverse<(Instant, u64)>>,
    pub(super) out: Outbox,
}

impl Endpoint {
    pub fn new(config: EndpointConfig) -> Self {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        Endpoint {
            config,
            rng,
            next_id: 0,
            txs: HashMap::new(),
            client_index: HashMap::new(),
            server_index: HashMap::new(),
            ack_index: HashMap::new(),
            heap: BinaryHeap::new(),
            out: Outbox::default(),
        }
    }

    /// Sends `request` in a new client transaction (INVITE or non-INVITE by method).
    /// A top Via is added if missing, and a `z9hG4bK` branch if the Via has none.
    /// ACK is refused here: an ACK for a 2xx goes through [`Endpoint::send_ack`].
    pub fn send_request(
        &mut self,
        now: Instant,
        mut request: Request,
        target: Target,
    ) -> Result<ClientKey, TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::NotATransaction);
        }
        let cseq = request.cseq().ok_or(TransactionError::Incomplete)?;
        if request.call_id().is_none() {
            return Err(TransactionError::Incomplete);
        }
        let branch = self.ensure_branch(&mut request, target)?;
        let id = self.allocate();
        let key = ClientKey(id);
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        let tx = if request.method == Method::Invite {
            Tx::InviteClient(Box::new(InviteClient::start(
                &mut ctx, key, request, target,
            )))
        } else {
            Tx::NonInviteClient(NonInviteClient::start(&mut ctx, key, &request, target))
        };
        self.insert_client(id, tx, branch.into(), cseq.method);
        self.settle(now, id);
        Ok(key)
    }

    /// Sends a response in the server transaction `key`. 2xx to INVITE are then
    /// retransmitted until their ACK (unreliable transports), and
    /// [`Event::AckTimeout`] reports one that never came.
    pub fn send_response(
        &mut self,
        now: Instant,
        key: &ServerKey,
        response: Response,
    ) -> Result<(), TransactionError> {
        let id = key.0;
        let entry = self
            .txs
            .get_mut(&id)
            .ok_or(TransactionError::UnknownTransaction)?;
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        match &mut entry.tx {
            Tx::InviteServer(tx) => {
                tx.send_response(&mut ctx, &response)?;
                if tx.awaits_2xx_ack() {
                    if let Some(k) = entry.dialog_key.clone() {
                        self.ack_index.insert(k, id);
                    }
                }
            }
            Tx::NonInviteServer(tx) => tx.send_response(&mut ctx, &response)?,
            _ => return Err(TransactionError::UnknownTransaction),
        }
        self.settle(now, id);
        Ok(())
    }

    /// Sends the ACK for a 2xx to the INVITE of `invite` (RFC 3261 §13.2.2.4). The ACK
    /// is outside any transaction and gets a fresh branch; the INVITE transaction
    /// remembers it and answers retransmissions of that 2xx (same To tag) with it.
    pub fn send_ack(
        &mut self,
        now: Instant,
        invite: &ClientKey,
        mut ack: Request,
        target: Target,
    ) -> Result<(), TransactionError> {
        self.ensure_branch(&mut ack, target)?;
        let bytes = ack.to_bytes();
        self.out.send(target, bytes.clone());
        let tag = ack.to().and_then(|to| to.tag().map(str::to_owned));
        if let (Some(entry), Some(tag)) = (self.txs.get_mut(&invite.0), tag) {
            if let Tx::InviteClient(tx) = &mut entry.tx {
                tx.record_ack(tag, bytes, target);
            }
        }
        self.settle(now, invite.0);
        Ok(())
    }

    /// Sends a message outside any transaction (a stateless response, or a request
    /// that needs no reliability). Requests get a Via branch like
    /// [`Endpoint::send_request`].
    pub fn send_stateless(
        &mut self,
        _now: Instant,
        message: Message,
        target: Target,
    ) -> Result<(), TransactionError> {
        let bytes = match message {
            Message::Request(mut request) => {
                self.ensure_branch(&mut request, target)?;
                request.to_bytes()
            }
            Message::Response(response) => response.to_bytes(),
        };
        self.out.send(target, bytes);
        Ok(())
    }

    /// Cancels the pending INVITE of `invite` with a CANCEL built per RFC 3261 §9.1,
    /// sent in its own client transaction whose key is returned. Before any provisional
    /// response the CANCEL is held and goes out when one arrives (§9.1); if the INVITE
    /// ends first, it is never sent and its key sees no events.
    pub fn cancel(
        &mut self,
        now: Instant,
        invite: &ClientKey,
    ) -> Result<ClientKey, TransactionError> {
        let Some(Entry {
            tx: Tx::InviteClient(tx),
            ..
        }) = self.txs.get(&invite.0)
        else {
            return Err(TransactionError::NotCancellable);
        };
        if !tx.is_pending() || tx.held_cancel.is_some() {
            return Err(TransactionError::NotCancellable);
        }
        let request = build::cancel_for(&tx.request).ok_or(TransactionError::Incomplete)?;
        let target = tx.target;
        let calling = tx.state == InviteClientState::Calling;
        let id = self.allocate();
        let key = ClientKey(id);
        if calling {
            if let Some(Entry {
                tx: Tx::InviteClient(tx),
                ..
            }) = self.txs.get_mut(&invite.0)
            {
                tx.held_cancel = Some(HeldCancel { key, request });
            }
        } else {
            self.start_cancel(now, key, request, target);
            if let Some(Entry {
                tx: Tx::InviteClient(tx),
                ..
            }) = self.txs.get_mut(&invite.0)
            {
                let mut ctx = Ctx {
                    now,
                    config: &self.config.timers,
                    out: &mut self.out,
                };
                tx.cancel_sent(&mut ctx);
            }
            self.settle(now, invite.0);
        }
        Ok(key)
    }

    /// The runtime could not deliver to `target` (connection refused, ICMP error…):
    /// every client transaction sending there fails (RFC 3261 §17.1.4).
    pub fn handle_transport_error(&mut self, now: Instant, target: Target) {
        let failed: Vec<u64> = self
            .txs
            .iter()
            .filter_map(|(id, e)| match &e.tx {
                Tx::InviteClient(t) if t.target == target => Some(*id),
                Tx::NonInviteClient(t) if t.target == target => Some(*id),
                _ => None,
            })
            .collect();
        for id in failed {
            if let Some(entry) = self.txs.get_mut(&id) {
                match &mut entry.tx {
                    Tx::InviteClient(t) => t.terminate(),
                    Tx::NonInviteClient(t) => t.terminate(),
                    _ => {}
                }
                self.out.event(Event::TransportError { key: ClientKey(id) });
            }
            self.settle(now, id);
        }
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.out.events.pop_front()
    }

    /// When [`Endpoint::handle_timeout`] should next be called. May be early (a timer
    /// that was since stopped); never late.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// How many transactions are alive (for metrics and tests).
    pub fn transaction_count(&self) -> usize {
        self.txs.len()
    }

    /// Changes the Via sent-by written into requests sent from now on (the host moved to
    /// another network). Transactions under way keep the Via already on the wire: their
    /// responses are matched by branch (RFC 3261 §17.1.3), not by sent-by.
    pub fn set_via(&mut self, host: Host, port: Option<u16>) {
        self.config.via_host = host;
        self.config.via_port = port;
    }

    pub(super) fn allocate(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(super) fn ensure_branch(
        &mut self,
        request: &mut Request,
        target: Target,
    ) -> Result<String, TransactionError> {
        let rng = &mut self.rng;
        via_ext::ensure_branch(
            request,
            || build::new_branch(rng),
            target.transport,
            &self.config.via_host,
            self.config.via_port,
        )
    }

    pub(super) fn start_cancel(
        &mut self,
        now: Instant,
        key: ClientKey,
        request: Request,
        target: Peer,
    ) {
        let Some(branch) = request
            .top_via()
            .and_then(|v| v.branch().map(Box::<str>::from))
        else {
            return;
        };
        let mut ctx = Ctx {
            now,
            config: &self.config.timers,
            out: &mut self.out,
        };
        let tx = NonInviteClient::start(&mut ctx, key, &request, target);
        self.insert_client(key.0, Tx::NonInviteClient(tx), branch, Method::Cancel);
        self.settle(now, key.0);
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("transactions", &self.txs.len())
            .finish_non_exhaustive()
    }
}
