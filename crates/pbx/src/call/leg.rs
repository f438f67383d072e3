//! One side of a B2BUA call as a dialog (RFC 3261 §12): enough state to send in-dialog
//! requests to that side and to recognise requests coming from it.

use sip::transaction::Peer;
use sip::{CSeq, Method, Request, Uri};

/// A dialog with one phone. Requests always go to `peer`, the address the phone's
/// messages come from, not to its Contact: phones behind NAT advertise private
/// addresses (the "force rport" behaviour every PBX ends up needing, RFC 3581 §4).
#[derive(Debug, Clone)]
pub(crate) struct Leg {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: Option<String>,
    /// Our side's From/To value without tag, e.g. `"Alice" <sip:1001@host>`.
    pub local_uri: String,
    pub remote_uri: String,
    /// The phone's Contact (RFC 3261 §12.1.1), used as Request-URI of in-dialog requests.
    pub remote_target: Uri,
    /// Record-Route set (§12.1.1 / §12.1.2), as header values in sending order.
    pub route_set: Vec<String>,
    pub local_cseq: u32,
    pub peer: Peer,
    /// Our Contact header value for this leg.
    pub contact: String,
}

impl Leg {
    /// A new in-dialog request (§12.2.1.1). ACK and CANCEL reuse a CSeq number and are
    /// built by their callers.
    pub fn request(&mut self, method: Method) -> Request {
        self.local_cseq = self.local_cseq.wrapping_add(1);
        let seq = self.local_cseq;
        self.request_with_cseq(method, seq)
    }

    pub fn request_with_cseq(&self, method: Method, seq: u32) -> Request {
        let mut req = Request::new(method.clone(), self.remote_target.clone());
        req.headers.push("Max-Forwards", "70");
        for route in &self.route_set {
            req.headers.push("Route", route.as_str());
        }
        req.headers
            .push("From", format!("{};tag={}", self.local_uri, self.local_tag));
        let to = match &self.remote_tag {
            Some(tag) => format!("{};tag={}", self.remote_uri, tag),
            None => self.remote_uri.clone(),
        };
        req.headers.push("To", to);
        req.headers.push("Call-ID", self.call_id.as_str());
        req.headers.push("CSeq", CSeq { seq, method }.to_string());
        req.headers.push("Contact", self.contact.as_str());
        req
    }
}
