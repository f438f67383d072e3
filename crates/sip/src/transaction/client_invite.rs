//! The INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2).

use super::build;
use super::outbox::Ctx;
use super::timer::{Timer, TimerTable};
use super::{ClientKey, Event, Peer};
use crate::{Request, Response};

/// States, named as in RFC 3261 Figure 5 and RFC 6026 Figure 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Sent, no response yet: retransmit on A (unreliable), give up on B.
    Calling,
    /// A provisional arrived: wait for the final response without retransmitting.
    Proceeding,
    /// A non-2xx final was ACKed: absorb its retransmissions until D.
    Completed,
    /// A 2xx arrived: pass every 2xx (retransmissions and other forks) up until M.
    Accepted,
    Terminated,
}

/// A CANCEL asked for before any provisional response: it waits (RFC 3261 §9.1).
#[derive(Debug)]
pub(crate) struct HeldCancel {
    pub(crate) key: ClientKey,
    pub(crate) request: Request,
}

#[derive(Debug)]
pub(crate) struct InviteClient {
    pub(crate) key: ClientKey,
    pub(crate) state: State,
    pub(crate) target: Peer,
    /// Kept to build the ACK for a failure and a CANCEL.
    pub(crate) request: Request,
    bytes: Vec<u8>,
    /// The ACK this transaction sent for a non-2xx final, resent on its retransmissions.
    ack: Option<Vec<u8>>,
    /// ACKs the TU sent for 2xx responses, by To tag: a retransmitted 2xx from the same
    /// fork is answered with the same ACK instead of bothering the TU again.
    acks_for_2xx: Vec<(String, Vec<u8>, Peer)>,
    pub(crate) held_cancel: Option<HeldCancel>,
    pub(crate) timers: TimerTable,
}

impl InviteClient {
    pub(crate) fn start(
        ctx: &mut Ctx<'_>,
        key: ClientKey,
        request: Request,
        target: Peer,
    ) -> InviteClient {
        let bytes = request.to_bytes();
        let mut tx = InviteClient {
            key,
            state: State::Calling,
            target,
            request,
            bytes,
            ack: None,
            acks_for_2xx: Vec::new(),
            held_cancel: None,
            timers: TimerTable::default(),
        };
        ctx.out.send(target, tx.bytes.clone());
        // §17.1.1.2: A only on unreliable transports; B always.
        ctx.start(&mut tx.timers, Timer::A, target);
        ctx.start(&mut tx.timers, Timer::B, target);
        tx
    }

    pub(crate) fn on_response(&mut self, ctx: &mut Ctx<'_>, response: Response, source: Peer) {
        match (self.state, response.class()) {
            (State::Calling | State::Proceeding, 1) => {
                if self.state == State::Calling {
                    self.state = State::Proceeding;
                    self.timers.stop(Timer::A);
                    self.timers.stop(Timer::B);
                    if let Some(held) = self.held_cancel.take() {
                        ctx.out
                            .release_cancels
                            .push((held.key, held.request, self.target));
                        self.cancel_sent(ctx);
                    }
                }
                self.pass_up(ctx, response, source);
            }
            (State::Calling | State::Proceeding, 2) => {
                // RFC 6026 §7.2: Accepted, where further 2xx still reach the TU.
                self.state = State::Accepted;
                self.held_cancel = None;
                self.timers.stop_all();
                ctx.start(&mut self.timers, Timer::M, self.target);
                self.pass_up(ctx, response, source);
            }
            (State::Calling | State::Proceeding, _) => {
                // §17.1.1.3: the transaction ACKs a failure itself.
                self.held_cancel = None;
                self.timers.stop_all();
                if let Some(ack) = build::ack_for_failure(&self.request, &response) {
                    let bytes = ack.to_bytes();
                    ctx.out.send(self.target, bytes.clone());
                    self.ack = Some(bytes);
                }
                self.pass_up(ctx, response, source);
                self.state = State::Completed;
                if ctx.start(&mut self.timers, Timer::D, self.target) == Some(Default::default()) {
                    self.state = State::Terminated;
                }
            }
            (State::Completed, 3..) => {
                if let Some(ack) = &self.ack {
                    ctx.out.send(self.target, ack.clone());
                }
            }
            (State::Accepted, 2) => {
                let tag = response.to().and_then(|to| to.tag().map(str::to_owned));
                let acked = self
                    .acks_for_2xx
                    .iter()
                    .find(|(t, _, _)| Some(t.as_str()) == tag.as_deref());
                match acked {
                    Some((_, ack, to)) => ctx.out.send(*to, ack.clone()),
                    None => self.pass_up(ctx, response, source),
                }
            }
            // Late provisionals and stray finals after the outcome are dropped.
            _ => {}
        }
    }

    /// Remembers the ACK the TU sent for a 2xx so retransmissions of that 2xx are
    /// answered here.
    pub(crate) fn record_ack(&mut self, to_tag: String, bytes: Vec<u8>, to: Peer) {
        if self.state == State::Accepted {
            self.acks_for_2xx.retain(|(t, _, _)| *t != to_tag);
            self.acks_for_2xx.push((to_tag, bytes, to));
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (self.state, timer) {
            (State::Calling, Timer::A) => {
                ctx.out.send(self.target, self.bytes.clone());
                ctx.back_off(&mut self.timers, Timer::A);
            }
            (State::Calling, Timer::B) => {
                self.terminate();
                ctx.out.event(Event::Timeout { key: self.key });
            }
            (State::Proceeding, Timer::Cancelled) => {
                self.terminate();
                ctx.out.event(Event::Timeout { key: self.key });
            }
            (State::Completed, Timer::D) | (State::Accepted, Timer::M) => self.terminate(),
            _ => self.timers.stop(timer),
        }
    }

    /// A CANCEL for this INVITE went out: RFC 3261 §9.1 gives the callee 64*T1 to send
    /// its final response (normally 487) before the transaction is given up.
    pub(crate) fn cancel_sent(&mut self, ctx: &mut Ctx<'_>) {
        ctx.start(&mut self.timers, Timer::Cancelled, self.target);
    }

    pub(crate) fn terminate(&mut self) {
        self.state = State::Terminated;
        self.held_cancel = None;
        self.timers.stop_all();
    }

    /// True while a final response is still awaited, i.e. CANCEL makes sense (§9.1).
    pub(crate) fn is_pending(&self) -> bool {
        matches!(self.state, State::Calling | State::Proceeding)
    }

    fn pass_up(&self, ctx: &mut Ctx<'_>, response: Response, source: Peer) {
        ctx.out.event(Event::Response {
            key: self.key,
            response,
            source,
        });
    }
}
