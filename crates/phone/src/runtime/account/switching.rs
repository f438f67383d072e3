//! More than one call at once: a call answered or resumed puts the one talking on hold
//! (call waiting, switching between calls), a consultation call for an attended
//! transfer holds the call it is about, and a call ringing while another talks is
//! announced in that call's audio by the call-waiting beep instead of a ring.

use std::time::Instant;

use super::super::call_loop::Control;
use super::super::handle::RuntimeError;
use super::{AccountTask, CallNet};
use crate::ua::CallHandle;

impl AccountTask {
    /// Places a call to `target` on a fresh RTP socket.
    pub(super) async fn dial(
        &mut self,
        now: Instant,
        target: &str,
    ) -> Result<CallHandle, RuntimeError> {
        let (socket, rtcp, media) = self.local_media().await?;
        let call = self.ua.place_call(now, target, media)?;
        let net = CallNet {
            socket: Some(socket),
            rtcp,
            ..CallNet::default()
        };
        self.calls.insert(call, net);
        Ok(call)
    }

    /// Attended transfer's first step: `call` goes on hold, `target` is called.
    pub(super) async fn consult(
        &mut self,
        now: Instant,
        call: CallHandle,
        target: &str,
    ) -> Result<CallHandle, RuntimeError> {
        let net = self.calls.get(&call).ok_or(crate::Error::UnknownCall)?;
        if !net.answered {
            return Err(crate::Error::WrongState.into());
        }
        if !net.held {
            self.set_held(now, call, true)?;
        }
        self.dial(now, target).await
    }

    /// Holds or resumes `call` (a re-INVITE) and its audio.
    pub(super) fn set_held(
        &mut self,
        now: Instant,
        call: CallHandle,
        held: bool,
    ) -> Result<(), crate::Error> {
        if held {
            self.ua.hold(now, call)?;
        } else {
            self.ua.resume(now, call)?;
        }
        if let Some(net) = self.calls.get_mut(&call) {
            net.held = held;
        }
        self.control(call, Control::Held(held));
        self.update_waiting();
        Ok(())
    }

    /// Puts every answered call but `keep` on hold, so one call talks at a time.
    pub(super) fn hold_others(&mut self, now: Instant, keep: CallHandle) {
        let talking: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(h, n)| **h != keep && n.answered && !n.held)
            .map(|(h, _)| *h)
            .collect();
        for call in talking {
            if let Err(err) = self.set_held(now, call, true) {
                tracing::debug!(%err, "call not put on hold");
            }
        }
    }

    /// The beep plays in the calls talking while another rings here.
    pub(super) fn update_waiting(&self) {
        let ringing = self.calls.values().any(|n| n.ringing_in);
        for net in self.calls.values() {
            if let Some(media) = &net.media {
                media.send(Control::Waiting(ringing && !net.held));
            }
        }
    }
}
