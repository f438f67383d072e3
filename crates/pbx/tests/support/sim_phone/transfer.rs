//! Transfer keys on the simulated phone: REFER inside a call (blind, or attended with
//! the other call's dialog in Replaces), and reading the NOTIFYs that report progress.

use std::time::Instant;

use sip::Method;

use super::{Pending, SimPhone};

impl SimPhone {
    /// Sends REFER with `refer_to` in call `idx` (RFC 3515); its response lands in the
    /// call's `responses`. `extra` headers go with it (`Refer-Sub: false`, …).
    pub fn refer(&mut self, now: Instant, idx: usize, refer_to: &str, extra: &[(&str, &str)]) {
        let call = &mut self.calls[idx];
        let dialog = call.dialog.as_mut().expect("a confirmed call");
        let mut refer = dialog.create_request(Method::Refer);
        refer.headers.push("Refer-To", refer_to);
        refer
            .headers
            .push("Referred-By", format!("<sip:{}@office>", self.user));
        for (name, value) in extra {
            refer.headers.push(name, *value);
        }
        let key = self.ep.send_request(now, refer, self.pbx).expect("REFER");
        self.pending.insert(key, Pending::InDialog(idx));
    }

    /// The Replaces value naming call `idx` as this phone sees it (RFC 3891 §6.1:
    /// to-tag is the far end's tag, from-tag ours).
    pub fn replaces_value(&self, idx: usize) -> String {
        let id = self.calls[idx]
            .dialog
            .as_ref()
            .expect("a confirmed call")
            .id();
        format!(
            "{};to-tag={};from-tag={}",
            id.call_id, id.remote_tag, id.local_tag
        )
    }

    /// An attended transfer's Refer-To: `number`, replacing call `idx` (escaped as a URI
    /// header, RFC 3261 §19.1.1).
    pub fn refer_to_replacing(&self, number: &str, idx: usize) -> String {
        let escaped: String = self
            .replaces_value(idx)
            .chars()
            .map(|c| match c {
                ';' => "%3B".to_owned(),
                '=' => "%3D".to_owned(),
                '@' => "%40".to_owned(),
                c => c.to_string(),
            })
            .collect();
        format!("<sip:{number}@office?Replaces={escaped}>")
    }

    /// The status lines of the `message/sipfrag` NOTIFYs received in call `idx`.
    pub fn sipfrags(&self, idx: usize) -> Vec<String> {
        self.calls[idx]
            .requests
            .iter()
            .filter(|r| r.method == Method::Notify)
            .map(|r| String::from_utf8_lossy(&r.body).trim().to_owned())
            .collect()
    }
}
