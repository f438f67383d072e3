//! The non-INVITE client transaction (RFC 3261 §17.1.2).

use std::time::Duration;

use super::outbox::Ctx;
use super::timer::{Timer, TimerTable};
use super::{ClientKey, Event, Peer};
use crate::{Request, Response};

/// States, named as in RFC 3261 Figure 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Sent: retransmit on E (T1 doubling to T2, unreliable), give up on F.
    Trying,
    /// A provisional arrived: keep retransmitting, every T2 (§17.1.2.2).
    Proceeding,
    /// Final response received: absorb its retransmissions until K.
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct NonInviteClient {
    pub(crate) key: ClientKey,
    pub(crate) state: State,
    pub(crate) target: Peer,
    bytes: Vec<u8>,
    pub(crate) timers: TimerTable,
}

impl NonInviteClient {
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        key: ClientKey,
        request: &Request,
        target: Peer,
    ) -> NonInviteClient {
        let mut tx = NonInviteClient {
            key,
            state: State::Trying,
            target,
            bytes: request.to_bytes(),
            timers: TimerTable::default(),
        };
        ctx.out.send(target, tx.bytes.clone());
        ctx.start(&mut tx.timers, Timer::E, target);
        ctx.start(&mut tx.timers, Timer::F, target);
        tx
    }

    pub(crate) fn on_response(&mut self, ctx: &mut Ctx<'_>, response: Response, source: Peer) {
        match (self.state, response.class()) {
            (State::Trying | State::Proceeding, 1) => {
                self.state = State::Proceeding;
                ctx.out.event(Event::Response {
                    key: self.key,
                    response,
                    source,
                });
            }
            (State::Trying | State::Proceeding, _) => {
                self.timers.stop_all();
                ctx.out.event(Event::Response {
                    key: self.key,
                    response,
                    source,
                });
                self.state = State::Completed;
                if ctx.start(&mut self.timers, Timer::K, self.target) == Some(Duration::ZERO) {
                    self.state = State::Terminated;
                }
            }
            // Completed: retransmitted finals are absorbed.
            _ => {}
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (self.state, timer) {
            (State::Trying, Timer::E) => {
                ctx.out.send(self.target, self.bytes.clone());
                ctx.back_off(&mut self.timers, Timer::E);
            }
            (State::Proceeding, Timer::E) => {
                ctx.out.send(self.target, self.bytes.clone());
                ctx.set(&mut self.timers, Timer::E, ctx.config.t2);
            }
            (State::Trying | State::Proceeding, Timer::F) => {
                self.terminate();
                ctx.out.event(Event::Timeout { key: self.key });
            }
            (State::Completed, Timer::K) => self.terminate(),
            _ => self.timers.stop(timer),
        }
    }

    pub(crate) fn terminate(&mut self) {
        self.state = State::Terminated;
        self.timers.stop_all();
    }
}
