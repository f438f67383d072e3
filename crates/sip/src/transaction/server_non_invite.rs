//! The non-INVITE server transaction (RFC 3261 §17.2.2).

use std::time::Duration;

use super::outbox::Ctx;
use super::timer::{Timer, TimerTable};
use super::{Peer, TransactionError};
use crate::Response;

/// States, named as in RFC 3261 Figure 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Passed to the TU, nothing sent yet: retransmissions are absorbed.
    Trying,
    /// A provisional was sent: retransmissions get it again.
    Proceeding,
    /// The final was sent: retransmissions get it again until J.
    Completed,
    Terminated,
}

#[derive(Debug)]
pub(crate) struct NonInviteServer {
    pub(crate) state: State,
    pub(crate) reply_to: Peer,
    last: Option<Vec<u8>>,
    pub(crate) timers: TimerTable,
}

impl NonInviteServer {
    pub(crate) fn new(reply_to: Peer) -> Self {
        NonInviteServer {
            state: State::Trying,
            reply_to,
            last: None,
            timers: TimerTable::default(),
        }
    }

    pub(crate) fn on_retransmit(&mut self, ctx: &mut Ctx<'_>) {
        if let (State::Proceeding | State::Completed, Some(last)) = (self.state, &self.last) {
            ctx.out.send(self.reply_to, last.clone());
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
        if !matches!(self.state, State::Trying | State::Proceeding) {
            return Err(TransactionError::AlreadyFinal);
        }
        let bytes = response.to_bytes();
        ctx.out.send(self.reply_to, bytes.clone());
        self.last = Some(bytes);
        if class == 1 {
            self.state = State::Proceeding;
        } else {
            self.state = State::Completed;
            if ctx.start(&mut self.timers, Timer::J, self.reply_to) == Some(Duration::ZERO) {
                self.terminate();
            }
        }
        Ok(())
    }

    pub(crate) fn on_timer(&mut self, timer: Timer) {
        self.timers.stop(timer);
        if (self.state, timer) == (State::Completed, Timer::J) {
            self.terminate();
        }
    }

    pub(crate) fn terminate(&mut self) {
        self.state = State::Terminated;
        self.timers.stop_all();
        self.last = None;
    }
}
