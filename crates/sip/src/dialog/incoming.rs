//! Requests the peer sends inside a dialog (RFC 3261 §12.2.2).

use super::{is_target_refresh, ContactUri, Dialog, DialogError, DialogId};
use crate::{Method, Request};

impl Dialog {
    /// True when `request` carries this dialog's Call-ID and tags.
    pub fn matches(&self, request: &Request) -> bool {
        DialogId::of_incoming_request(request).as_ref() == Some(&self.id)
    }

    /// Checks an incoming in-dialog request and updates the dialog: the CSeq must move
    /// forward (§12.2.2: a lower one is answered 500), and a target refresh moves the
    /// remote target. ACK and CANCEL repeat the INVITE's number and are not ordered.
    pub fn on_request(&mut self, request: &Request) -> Result<(), DialogError> {
        if !self.matches(request) {
            return Err(DialogError::WrongDialog);
        }
        let cseq = request.cseq().ok_or(DialogError::Incomplete)?;
        if matches!(request.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        // Equal is not "greater" either: a new request reusing a number is out of
        // order (retransmissions never get here, the transaction layer absorbs them).
        if self.remote_seq.is_some_and(|remote| cseq.seq <= remote) {
            return Err(DialogError::OutOfOrder);
        }
        self.remote_seq = Some(cseq.seq);
        if is_target_refresh(&request.method) {
            if let Some(target) = request.contact_uri() {
                self.remote_target = target;
            }
        }
        Ok(())
    }
}
