//! The transaction table: the four transaction kinds behind one enum, their indexes
//! (by branch, and by Call-ID/CSeq for 2xx ACKs), and the timer schedule that drives
//! them — a heap of deadlines whose minimum is the endpoint's next wake-up.

use std::cmp::Reverse;
use std::time::Instant;

use super::client_invite::{InviteClient, State as InviteClientState};
use super::client_non_invite::{NonInviteClient, State as NonInviteClientState};
use super::endpoint::Endpoint;
use super::outbox::Ctx;
use super::server_invite::{InviteServer, State as InviteServerState};
use super::server_non_invite::{NonInviteServer, State as NonInviteServerState};
use super::timer::{Timer, TimerTable};
use crate::Method;

/// One of the four transaction kinds.
#[derive(Debug)]
pub(super) enum Tx {
    InviteClient(Box<InviteClient>),
    NonInviteClient(NonInviteClient),
    InviteServer(InviteServer),
    NonInviteServer(NonInviteServer),
}

impl Tx {
    pub(super) fn timers(&self) -> &TimerTable {
        match self {
            Tx::InviteClient(t) => &t.timers,
            Tx::NonInviteClient(t) => &t.timers,
            Tx::InviteServer(t) => &t.timers,
            Tx::NonInviteServer(t) => &t.timers,
        }
    }

    fn timers_mut(&mut self) -> &mut TimerTable {
        match self {
            Tx::InviteClient(t) => &mut t.timers,
            Tx::NonInviteClient(t) => &mut t.timers,
            Tx::InviteServer(t) => &mut t.timers,
            Tx::NonInviteServer(t) => &mut t.timers,
        }
    }

    fn is_terminated(&self) -> bool {
        match self {
            Tx::InviteClient(t) => t.state == InviteClientState::Terminated,
            Tx::NonInviteClient(t) => t.state == NonInviteClientState::Terminated,
            Tx::InviteServer(t) => t.state == InviteServerState::Terminated,
            Tx::NonInviteServer(t) => t.state == NonInviteServerState::Terminated,
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match self {
            Tx::InviteClient(t) => t.on_timer(ctx, timer),
            Tx::NonInviteClient(t) => t.on_timer(ctx, timer),
            Tx::InviteServer(t) => t.on_timer(ctx, timer),
            Tx::NonInviteServer(t) => t.on_timer(timer),
        }
    }
}

/// A transaction with what it is indexed under.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) tx: Tx,
    pub(super) branch: Box<str>,
    /// Server side only: the top Via sent-by (§17.2.3).
    pub(super) sent_by: Option<Box<str>>,
    /// The CSeq method for clients, the request method for servers (ACK is filed
    /// under INVITE because it matches the INVITE's transaction).
    pub(super) method: Method,
    /// INVITE servers: Call-ID and CSeq number, to find the transaction from the ACK of
    /// its 2xx, which carries a new branch (§17.1.1.3).
    pub(super) dialog_key: Option<(Box<str>, u32)>,
    /// The earliest deadline with an entry in the endpoint's heap.
    scheduled: Option<Instant>,
}

impl Endpoint {
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(entry) = self.txs.get_mut(&id) else {
                continue;
            };
            if entry.scheduled == Some(at) {
                entry.scheduled = None;
            }
            let mut ctx = Ctx {
                now,
                config: &self.config.timers,
                out: &mut self.out,
            };
            while let Some((timer, due)) = entry.tx.timers().next() {
                if due > now {
                    break;
                }
                entry.tx.on_timer(&mut ctx, timer);
                // A handler that neither re-armed nor stopped its timer must not make
                // this loop spin.
                if entry.tx.timers().deadline(timer) == Some(due) {
                    entry.tx.timers_mut().stop(timer);
                }
            }
            self.settle(now, id);
        }
        self.shrink_if_sparse();
    }

    /// After a burst the tables keep the capacity of their peak. Once they are mostly
    /// empty, give the memory back, so a flood of requests does not leave the daemon at
    /// its peak size. Shrinking to twice the length means the next shrink needs the
    /// table to empty eightfold again: the cost stays proportional to the work done.
    fn shrink_if_sparse(&mut self) {
        fn sparse(len: usize, capacity: usize) -> bool {
            const SMALL: usize = 1024;
            capacity > SMALL && len.saturating_mul(4) < capacity
        }
        if sparse(self.txs.len(), self.txs.capacity()) {
            self.txs.shrink_to(self.txs.len() * 2);
        }
        if sparse(self.client_index.len(), self.client_index.capacity()) {
            self.client_index.shrink_to(self.client_index.len() * 2);
        }
        if sparse(self.server_index.len(), self.server_index.capacity()) {
            self.server_index.shrink_to(self.server_index.len() * 2);
        }
        if sparse(self.ack_index.len(), self.ack_index.capacity()) {
            self.ack_index.shrink_to(self.ack_index.len() * 2);
        }
        if sparse(self.heap.len(), self.heap.capacity()) {
            self.heap.shrink_to(self.heap.len() * 2);
        }
    }

    pub(super) fn insert_client(&mut self, id: u64, tx: Tx, branch: Box<str>, method: Method) {
        self.client_index
            .entry(branch.clone())
            .or_default()
            .push(id);
        self.txs.insert(
            id,
            Entry {
                tx,
                branch,
                sent_by: None,
                method,
                dialog_key: None,
                scheduled: None,
            },
        );
    }

    pub(super) fn insert_server(
        &mut self,
        id: u64,
        tx: Tx,
        branch: Box<str>,
        sent_by: Box<str>,
        method: Method,
        dialog_key: Option<(Box<str>, u32)>,
    ) {
        self.server_index
            .entry(branch.clone())
            .or_default()
            .push(id);
        self.txs.insert(
            id,
            Entry {
                tx,
                branch,
                sent_by: Some(sent_by),
                method,
                dialog_key,
                scheduled: None,
            },
        );
    }

    /// After any input to transaction `id`: start held CANCELs that may now go, drop the
    /// transaction if it ended, otherwise make sure its next deadline is scheduled.
    pub(super) fn settle(&mut self, now: Instant, id: u64) {
        for (key, request, target) in std::mem::take(&mut self.out.release_cancels) {
            self.start_cancel(now, key, request, target);
        }
        let Some(entry) = self.txs.get_mut(&id) else {
            return;
        };
        if entry.tx.is_terminated() {
            self.remove(id);
            return;
        }
        if let Tx::InviteServer(tx) = &entry.tx {
            if !tx.awaits_2xx_ack() {
                if let Some(k) = &entry.dialog_key {
                    if self.ack_index.get(k) == Some(&id) {
                        self.ack_index.remove(k);
                    }
                }
            }
        }
        let Some((_, next)) = entry.tx.timers().next() else {
            return;
        };
        if entry.scheduled.is_none_or(|s| next < s) {
            entry.scheduled = Some(next);
            self.heap.push(Reverse((next, id)));
        }
    }

    fn remove(&mut self, id: u64) {
        let Some(entry) = self.txs.remove(&id) else {
            return;
        };
        let index = if entry.sent_by.is_some() {
            &mut self.server_index
        } else {
            &mut self.client_index
        };
        if let Some(ids) = index.get_mut(&entry.branch) {
            ids.retain(|&i| i != id);
            if ids.is_empty() {
                index.remove(&entry.branch);
            }
        }
        if let Some(k) = &entry.dialog_key {
            if self.ack_index.get(k) == Some(&id) {
                self.ack_index.remove(k);
            }
        }
    }
}
