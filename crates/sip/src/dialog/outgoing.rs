//! Requests we send inside a dialog (RFC 3261 §12.2.1.1).

use super::{is_target_refresh, Dialog};
use crate::{CSeq, Method, Request};

impl Dialog {
    /// Builds an in-dialog request: Request-URI and Route from the remote target and
    /// route set, From/To with both tags, the Call-ID, and the next CSeq. An ACK
    /// repeats the CSeq number of the INVITE it acknowledges (§13.2.2.4) and does not
    /// advance the sequence. Via is left to the transaction layer.
    ///
    /// CANCEL is not an in-dialog request: use the transaction layer's `cancel`.
    pub fn create_request(&mut self, method: Method) -> Request {
        let seq = match method {
            Method::Ack => self.invite_seq.or(self.local_seq).unwrap_or(1),
            _ => {
                // §12.2.1.1: one more than the last; a UAS that never sent starts at 1.
                let next = self.local_seq.map_or(1, |s| s.wrapping_add(1));
                self.local_seq = Some(next);
                if method == Method::Invite {
                    self.invite_seq = Some(next);
                }
                next
            }
        };

        let (uri, routes) = self.request_uri_and_routes();
        let mut request = Request::new(method.clone(), uri);
        let headers = &mut request.headers;
        headers.push("Max-Forwards", "70");
        for route in routes {
            headers.push("Route", route);
        }
        headers.push("From", self.local.to_string());
        headers.push("To", self.remote.to_string());
        headers.push("Call-ID", self.id.call_id.clone());
        headers.push(
            "CSeq",
            CSeq {
                seq,
                method: method.clone(),
            }
            .to_string(),
        );
        if is_target_refresh(&method) {
            if let Some(contact) = &self.local_contact {
                headers.push("Contact", contact.to_string());
            }
        }
        request
    }

    /// §12.2.1.1: with no route set or a loose router first, the Request-URI is the
    /// remote target and Route is the route set. A strict router first (no `lr`) gets
    /// the Request-URI itself, and the remote target goes last in Route.
    fn request_uri_and_routes(&self) -> (crate::Uri, Vec<String>) {
        match self.route_set.first() {
            Some(first) if !first.uri.is_loose_router() => {
                let mut uri = first.uri.clone();
                // Headers are not allowed in a Request-URI (§19.1.1).
                uri.headers.clear();
                let mut routes: Vec<String> = self
                    .route_set
                    .iter()
                    .skip(1)
                    .map(ToString::to_string)
                    .collect();
                routes.push(format!("<{}>", self.remote_target));
                (uri, routes)
            }
            _ => (
                self.remote_target.clone(),
                self.route_set.iter().map(ToString::to_string).collect(),
            ),
        }
    }
}
