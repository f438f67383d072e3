//! What the state machines hand back to the endpoint: bytes to send, events for the TU
//! and timer changes to schedule.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::timer::{Timer, TimerConfig, TimerTable};
use super::{ClientKey, Event, Peer, Transmit};
use crate::Request;

/// The output queues shared by every transaction.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<Event>,
    /// CANCELs that were held until a provisional response arrived (RFC 3261 §9.1) and
    /// may now go out.
    pub(crate) release_cancels: Vec<(ClientKey, Request, Peer)>,
}

impl Outbox {
    pub(crate) fn send(&mut self, to: Peer, bytes: Vec<u8>) {
        self.transmits.push_back(Transmit {
            transport: to.transport,
            dest: to.addr,
            bytes,
        });
    }

    pub(crate) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }
}

/// Everything a state machine needs while handling one input.
pub(crate) struct Ctx<'a> {
    pub(crate) now: Instant,
    pub(crate) config: &'a TimerConfig,
    pub(crate) out: &'a mut Outbox,
}

impl Ctx<'_> {
    /// Starts `timer` at its initial interval for `to`'s transport. Returns `Some(ZERO)`
    /// without arming when the wait is zero (reliable transport), so the caller can
    /// move on at once; `None` when the timer does not run on this transport.
    pub(crate) fn start(&self, table: &mut TimerTable, timer: Timer, to: Peer) -> Option<Duration> {
        let interval = self.config.initial(timer, to.transport)?;
        if !interval.is_zero() {
            table.set(timer, self.now, interval);
        }
        Some(interval)
    }

    /// Re-arms a retransmission timer with the next, backed-off interval, counted from
    /// when it was due so that a late wake-up does not shift the whole schedule.
    pub(crate) fn back_off(&self, table: &mut TimerTable, timer: Timer) {
        let next = self.config.backoff(timer, table.interval(timer));
        let due = table.deadline(timer).unwrap_or(self.now).min(self.now);
        table.set(timer, due, next);
    }

    /// Sets `timer` to a fixed interval (E in Proceeding runs at T2).
    pub(crate) fn set(&self, table: &mut TimerTable, timer: Timer, interval: Duration) {
        table.set(timer, self.now, interval);
    }
}
