//! The INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1), with the 2xx
//! retransmission the TU would otherwise have to run itself (§13.3.1.4).

use std::time::Duration;

use super::outbox::Ctx;
use super::timer::{Timer, TimerTable};
use super::{Event, Peer, ServerKey, TransactionError};
use crate::Response;

/// States, named as in RFC 6026 Figure 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for the TU's final response; 100 Trying goes out after 200 ms.
    Proceeding,
    /// A non-2xx final was sent: retransmit it on G (unreliable) until the ACK, give up on H.
    Completed,
    /// The ACK arrived: absorb its retransmissions until I.
    Confirmed,
    /// A 2xx was sent: retransmit it until its ACK (which is passed to the TU), absorb
    /// INVITE retransmissions, until L.
    Accepted,
    Terminated,
}

/// What to do with an ACK that matched this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    /// It acknowledged a failure response: the transaction consumes it.
    Absorbed,
    /// It acknowledges a 2xx: the TU gets it (RFC 6026 §7.1).
    PassUp,
}

#[derive(Debug)]
pub(crate) struct InviteServer {
    pub(crate) key: ServerKey,
    pub(crate) state: State,
    pub(crate) reply_to: Peer,
    /// The 100 Trying, built up front from the INVITE so the request need not be kept;
    /// dropped once any response has been sent.
    trying: Option<Vec<u8>>,
    /// The most recent response, resent on request retransmissions or timers.
    last: Option<Vec<u8>>,
    /// The ACK for our 2xx has arrived: stop retransmitting it.
    acked: bool,
    pub(crate) timers: TimerTable,
}

impl InviteServer {
    pub(crate) fn new(ctx: &Ctx<'_>, key: ServerKey, reply_to: Peer, trying: Vec<u8>) -> Self {
        let mut tx = InviteServer {
            key,
            state: State::Proceeding,
            reply_to,
            trying: Some(trying),
            last: None,
            acked: false,
            timers: TimerTable::default(),
        };
        ctx.start(&mut tx.timers, Timer::Trying, reply_to);
        tx
    }

    /// The same INVITE again.
    pub(crate) fn on_retransmit(&mut self, ctx: &mut Ctx<'_>) {
        match self.state {
            State::Proceeding => {
                // §17.2.1: resend the latest provisional. With none yet the client is
                // clearly impatient, so the 100 Trying goes out now.
                if self.last.is_none() {
                    self.send_trying(ctx);
                } else if let Some(last) = &self.last {
                    ctx.out.send(self.reply_to, last.clone());
                }
            }
            State::Completed => {
                if let Some(last) = &self.last {
                    ctx.out.send(self.reply_to, last.clone());
                }
            }
            // RFC 6026 §7.1: absorbed in Accepted; Confirmed only sees stray copies.
            State::Confirmed | State::Accepted | State::Terminated => {}
        }
    }

    pub(crate) fn send_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        response: &Response,
    ) -> Result<(), TransactionError> {
        let class = response.class();
        if !(1..=6).contains(&class) {
            return Err(TransactionError::BadStatus);
        }
        match (self.state, class) {
            (State::Proceeding, 1) => {
                self.timers.stop(Timer::Trying);
                self.trying = None;
                self.transmit(ctx, response.to_bytes());
            }
            (State::Proceeding, 2) => {
                self.timers.stop_all();
                self.trying = None;
                self.transmit(ctx, response.to_bytes());
                self.state = State::Accepted;
                ctx.start(&mut self.timers, Timer::L, self.reply_to);
                ctx.start(&mut self.timers, Timer::Retransmit2xx, self.reply_to);
            }
            (State::Proceeding, _) => {
                self.timers.stop_all();
                self.trying = None;
                self.transmit(ctx, response.to_bytes());
                self.state = State::Completed;
                ctx.start(&mut self.timers, Timer::G, self.reply_to);
                ctx.start(&mut self.timers, Timer::H, self.reply_to);
            }
            // RFC 6026 §7.1: further 2xx from the TU are sent from Accepted.
            (State::Accepted, 2) => self.transmit(ctx, response.to_bytes()),
            _ => return Err(TransactionError::AlreadyFinal),
        }
        Ok(())
    }

    pub(crate) fn on_ack(&mut self, ctx: &mut Ctx<'_>) -> AckOutcome {
        match self.state {
            State::Completed => {
                self.timers.stop_all();
                self.state = State::Confirmed;
                if ctx.start(&mut self.timers, Timer::I, self.reply_to) == Some(Duration::ZERO) {
                    self.terminate();
                }
                AckOutcome::Absorbed
            }
            State::Accepted => {
                self.acked = true;
                self.timers.stop(Timer::Retransmit2xx);
                AckOutcome::PassUp
            }
            State::Proceeding | State::Confirmed | State::Terminated => AckOutcome::Absorbed,
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (self.state, timer) {
            (State::Proceeding, Timer::Trying) => self.send_trying(ctx),
            (State::Completed, Timer::G) | (State::Accepted, Timer::Retransmit2xx) => {
                if let Some(last) = &self.last {
                    ctx.out.send(self.reply_to, last.clone());
                }
                ctx.back_off(&mut self.timers, timer);
            }
            (State::Completed, Timer::H) => {
                self.terminate();
                ctx.out.event(Event::AckTimeout { key: self.key });
            }
            (State::Confirmed, Timer::I) => self.terminate(),
            (State::Accepted, Timer::L) => {
                let acked = self.acked;
                self.terminate();
                if !acked {
                    ctx.out.event(Event::AckTimeout { key: self.key });
                }
            }
            _ => self.timers.stop(timer),
        }
    }

    /// True while the INVITE awaits its final response, so CANCEL applies (§9.2).
    pub(crate) fn is_pending(&self) -> bool {
        self.state == State::Proceeding
    }

    /// True while the 2xx is being retransmitted and an ACK is expected.
    pub(crate) fn awaits_2xx_ack(&self) -> bool {
        self.state == State::Accepted && !self.acked
    }

    pub(crate) fn terminate(&mut self) {
        self.state = State::Terminated;
        self.timers.stop_all();
        self.last = None;
    }

    fn send_trying(&mut self, ctx: &mut Ctx<'_>) {
        self.timers.stop(Timer::Trying);
        if let Some(trying) = self.trying.take() {
            ctx.out.send(self.reply_to, trying.clone());
            self.last = Some(trying);
        }
    }

    fn transmit(&mut self, ctx: &mut Ctx<'_>, bytes: Vec<u8>) {
        ctx.out.send(self.reply_to, bytes.clone());
        self.last = Some(bytes);
    }
}
