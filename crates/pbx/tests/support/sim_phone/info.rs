//! SIP INFO inside a call: how phones and providers in `info` DTMF mode send a key press
//! (`application/dtmf-relay`, or `application/dtmf` with the digit alone).

use std::time::Instant;

use sip::Method;

use super::{Pending, SimPhone};

impl SimPhone {
    /// Sends an INFO carrying `body` as `content_type` in call `idx`; its response lands
    /// in the call's `responses`.
    pub fn info(&mut self, now: Instant, idx: usize, content_type: &str, body: &str) {
        let call = &mut self.calls[idx];
        let dialog = call.dialog.as_mut().expect("a confirmed call");
        let mut info = dialog.create_request(Method::Info);
        info.headers.push("Content-Type", content_type);
        info.body = body.as_bytes().to_vec();
        let key = self.ep.send_request(now, info, self.pbx).expect("INFO");
        self.pending.insert(key, Pending::InDialog(idx));
    }

    /// The press of `digit` as a dtmf-relay body (the common `Signal=`/`Duration=` form).
    pub fn dtmf_relay(digit: char, millis: u32) -> String {
        format!("Signal={digit}\r\nDuration={millis}\r\n")
    }
}
